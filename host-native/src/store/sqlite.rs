//! SQLite backend: one file, WAL mode, originals kept across restarts.
//! rusqlite is blocking, so writes and reads that update `used_at` run on
//! tokio's blocking pool. The per-request presence check is the exception:
//! it runs on the caller's thread, on a connection of its own (see
//! [`SqliteStore::presence`]).

use super::{Presence, Retention, Store, StoreError};
use headroom_core::CcrEntry;
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

/// Prune expired and over-cap originals once every this many puts.
const PRUNE_EVERY: u64 = 64;

pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
    /// Only for [`Store::presence`]: in WAL mode a reader never waits for
    /// the writer, so these lookups can run inline.
    reader: Mutex<Connection>,
    retention: Retention,
    puts: AtomicU64,
}

impl SqliteStore {
    /// Open (creating the file and its folder if needed) and prune once.
    pub async fn open(path: &Path, retention: Retention) -> Result<Self, StoreError> {
        let path = path.to_path_buf();
        let conn = tokio::task::spawn_blocking(move || -> Result<_, StoreError> {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                // A missing folder surfaces as SQLite's own "unable to open".
                let _ = std::fs::create_dir_all(dir);
            }
            let conn = Connection::open(&path)?;
            conn.busy_timeout(std::time::Duration::from_secs(2))?;
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            conn.execute_batch(
                "CREATE TABLE IF NOT EXISTS ccr (
                    hash TEXT PRIMARY KEY,
                    original TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    omitted TEXT NOT NULL,
                    bytes INTEGER NOT NULL,
                    used_at INTEGER NOT NULL
                 );
                 CREATE INDEX IF NOT EXISTS ccr_used_at ON ccr(used_at);
                 CREATE TABLE IF NOT EXISTS retrieved (
                    hash TEXT PRIMARY KEY,
                    at INTEGER NOT NULL
                 );",
            )?;
            prune(&conn, retention)?;
            let reader = Connection::open(&path)?;
            // Never wait on the async thread: a busy database sends the
            // lookup to the blocking pool instead (see `presence`).
            reader.busy_timeout(std::time::Duration::ZERO)?;
            Ok((conn, reader))
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))??;
        let (conn, reader) = conn;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
            reader: Mutex::new(reader),
            retention,
            puts: AtomicU64::new(0),
        })
    }

    async fn with_conn<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, rusqlite::Error> + Send + 'static,
    ) -> Result<T, StoreError> {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut conn = conn.lock().unwrap_or_else(|e| e.into_inner());
            f(&mut conn).map_err(StoreError::from)
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))?
    }
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Drop originals unused for longer than the TTL, then the least recently
/// used until the total is under the cap.
fn prune(conn: &Connection, retention: Retention) -> Result<(), rusqlite::Error> {
    let cutoff = now_secs() - retention.ttl.as_secs() as i64;
    conn.execute("DELETE FROM ccr WHERE used_at < ?1", params![cutoff])?;
    conn.execute("DELETE FROM retrieved WHERE at < ?1", params![cutoff])?;
    let total: i64 = conn.query_row("SELECT COALESCE(SUM(bytes), 0) FROM ccr", [], |r| r.get(0))?;
    if total as u64 > retention.max_bytes {
        let excess = total - retention.max_bytes as i64;
        // The oldest rows whose preceding running total is still short of
        // the excess: exactly enough to get under the cap.
        conn.execute(
            "DELETE FROM ccr WHERE hash IN (
                SELECT hash FROM (
                    SELECT hash, bytes,
                           SUM(bytes) OVER (ORDER BY used_at, hash) AS running
                    FROM ccr
                ) WHERE running - bytes < ?1
             )",
            params![excess],
        )?;
    }
    Ok(())
}

/// Whether each hash's original is stored and whether it was retrieved.
fn lookup_presence(conn: &Connection, hashes: &[String]) -> Result<Vec<Presence>, rusqlite::Error> {
    let mut query = conn.prepare_cached(
        "SELECT EXISTS(SELECT 1 FROM ccr WHERE hash = ?1),
                EXISTS(SELECT 1 FROM retrieved WHERE hash = ?1)",
    )?;
    hashes
        .iter()
        .map(|h| {
            query.query_row(params![h], |r| {
                Ok(Presence {
                    stored: r.get(0)?,
                    retrieved: r.get(1)?,
                })
            })
        })
        .collect()
}

#[async_trait::async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn put(&self, entries: &[CcrEntry]) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        let entries = entries.to_vec();
        let prune_now = self.puts.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1;
        let retention = self.retention;
        self.with_conn(move |conn| {
            let tx = conn.transaction()?;
            {
                let mut insert = tx.prepare_cached(
                    "INSERT INTO ccr (hash, original, kind, omitted, bytes, used_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT(hash) DO UPDATE SET used_at = excluded.used_at",
                )?;
                let now = now_secs();
                for e in &entries {
                    insert.execute(params![
                        e.hash,
                        e.original,
                        e.kind,
                        e.omitted,
                        e.original.len() as i64,
                        now
                    ])?;
                }
            }
            tx.commit()?;
            if prune_now {
                prune(conn, retention)?;
            }
            Ok(())
        })
        .await
    }

    async fn get(&self, hash: &str) -> Result<Option<String>, StoreError> {
        let hash = hash.to_string();
        self.with_conn(move |conn| {
            let original: Option<String> = conn
                .query_row(
                    "SELECT original FROM ccr WHERE hash = ?1",
                    params![hash],
                    |r| r.get(0),
                )
                .optional()?;
            if original.is_some() {
                conn.execute(
                    "UPDATE ccr SET used_at = ?2 WHERE hash = ?1",
                    params![hash, now_secs()],
                )?;
            }
            Ok(original)
        })
        .await
    }

    async fn mark_retrieved(&self, hash: &str) -> Result<(), StoreError> {
        let hash = hash.to_string();
        self.with_conn(move |conn| {
            conn.execute(
                "INSERT INTO retrieved (hash, at) VALUES (?1, ?2)
                 ON CONFLICT(hash) DO UPDATE SET at = excluded.at",
                params![hash, now_secs()],
            )
            .map(|_| ())
        })
        .await
    }

    /// Runs inline (no blocking-pool handoff, which cost more than the
    /// lookups): one primary-key lookup per hash with a cached statement,
    /// on the reader connection, which in WAL mode reads the last committed
    /// state without waiting for writers. If that fails (SQLite busy, e.g.
    /// another process recovering the WAL; or a reader that cannot see the
    /// writer's database), the same query runs on the writer connection on
    /// the blocking pool, with the usual busy timeout.
    async fn presence(&self, hashes: &[String]) -> Result<Vec<Presence>, StoreError> {
        if hashes.is_empty() {
            return Ok(Vec::new());
        }
        let inline = {
            let reader = self.reader.lock().unwrap_or_else(|e| e.into_inner());
            lookup_presence(&reader, hashes)
        };
        match inline {
            Ok(presence) => Ok(presence),
            Err(_) => {
                let hashes = hashes.to_vec();
                self.with_conn(move |conn| lookup_presence(conn, &hashes))
                    .await
            }
        }
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.with_conn(|conn| conn.query_row("SELECT 1", [], |_| Ok(())))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn entry(hash: &str, original: &str) -> CcrEntry {
        CcrEntry {
            hash: hash.into(),
            original: original.into(),
            kind: "log".into(),
            omitted: "1 of 2 lines".into(),
        }
    }

    fn temp_db(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "headroom-sqlite-{}-{name}-{}",
            std::process::id(),
            now_secs()
        ));
        dir.join("ccr.sqlite3")
    }

    #[tokio::test]
    async fn originals_survive_reopening_the_file() {
        let path = temp_db("reopen");
        let store = SqliteStore::open(&path, Retention::default())
            .await
            .unwrap();
        store.put(&[entry("a", "exact\r\nbytes ✓")]).await.unwrap();
        store.mark_retrieved("a").await.unwrap();
        drop(store);
        let store = SqliteStore::open(&path, Retention::default())
            .await
            .unwrap();
        assert_eq!(
            store.get("a").await.unwrap().as_deref(),
            Some("exact\r\nbytes ✓")
        );
        assert_eq!(store.get("b").await.unwrap(), None);
        assert_eq!(
            store.presence(&["a".into(), "b".into()]).await.unwrap(),
            vec![
                Presence {
                    stored: true,
                    retrieved: true
                },
                Presence {
                    stored: false,
                    retrieved: false
                },
            ]
        );
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[tokio::test]
    async fn presence_sees_rows_another_connection_deleted_and_works_in_memory() {
        let path = temp_db("presence");
        let store = SqliteStore::open(&path, Retention::default())
            .await
            .unwrap();
        store
            .put(&[entry("a", "x"), entry("b", "y")])
            .await
            .unwrap();
        let stored = |p: Vec<Presence>| p.iter().map(|p| p.stored).collect::<Vec<_>>();
        let hashes = ["a".to_string(), "b".to_string()];
        assert_eq!(stored(store.presence(&hashes).await.unwrap()), [true, true]);
        // Another process deleting rows (as the proxy tests do mid-run).
        Connection::open(&path)
            .unwrap()
            .execute("DELETE FROM ccr WHERE hash = 'a'", [])
            .unwrap();
        assert_eq!(
            stored(store.presence(&hashes).await.unwrap()),
            [false, true]
        );
        let _ = std::fs::remove_dir_all(path.parent().unwrap());

        // An in-memory database: the reader sees another (empty) database,
        // so the lookup falls back to the writer.
        let memory = SqliteStore::open(Path::new(":memory:"), Retention::default())
            .await
            .unwrap();
        memory.put(&[entry("m", "z")]).await.unwrap();
        assert_eq!(
            stored(memory.presence(&["m".into(), "n".into()]).await.unwrap()),
            [true, false]
        );
    }

    #[tokio::test]
    async fn the_size_cap_drops_the_least_recently_used() {
        let path = temp_db("cap");
        let retention = Retention {
            ttl: Duration::from_secs(3600),
            max_bytes: 25,
        };
        let store = SqliteStore::open(&path, retention).await.unwrap();
        for (i, h) in ["a", "b", "c"].iter().enumerate() {
            store.put(&[entry(h, &"x".repeat(10))]).await.unwrap();
            // Distinct used_at seconds are not needed: ties break by hash.
            let _ = i;
        }
        drop(store);
        let store = SqliteStore::open(&path, retention).await.unwrap();
        assert_eq!(store.get("a").await.unwrap(), None);
        assert!(store.get("c").await.unwrap().is_some());
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }
}
