//! Where the proxy keeps the originals behind its markers (CCR: compress,
//! cache, retrieve). A marker is only ever sent upstream after its original
//! was stored here, so every `headroom_retrieve(hash)` can be answered.
//!
//! Two backends: SQLite (default, one file under the user's data dir, kept
//! across restarts) and Redis (shared by several proxy replicas).

mod redis_store;
mod sqlite;

pub use redis_store::RedisStore;
pub use sqlite::SqliteStore;

use headroom_core::CcrEntry;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Why the store could not do what was asked. The proxy treats every one of
/// these the same way (forward the original, uncompressed) but counts them.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("store call exceeded its time limit of {0:?}")]
    Timeout(Duration),
    #[error("store task failed: {0}")]
    Task(String),
    #[error("invalid store spec `{0}` (expected sqlite:PATH or redis://HOST:PORT)")]
    Spec(String),
}

/// The CCR store. Implementations are cheap to share behind an `Arc`.
#[async_trait::async_trait]
pub trait Store: Send + Sync {
    /// `"sqlite"` or `"redis"`, for logs and stats.
    fn backend(&self) -> &'static str;
    /// Store originals (idempotent: a hash always names the same bytes).
    async fn put(&self, entries: &[CcrEntry]) -> Result<(), StoreError>;
    /// The exact original stored under `hash`, if it is still there.
    async fn get(&self, hash: &str) -> Result<Option<String>, StoreError>;
    /// Remember that the model retrieved `hash`, so later requests carry the
    /// original in place of the marker.
    async fn mark_retrieved(&self, hash: &str) -> Result<(), StoreError>;
    /// For each of `hashes` (same order): is its original stored, and was
    /// it retrieved before. One round trip: the proxy asks this for every
    /// marker of every request, so that it never forwards a marker whose
    /// original the store lost (flushed, expired, evicted).
    async fn presence(&self, hashes: &[String]) -> Result<Vec<Presence>, StoreError>;
    /// A cheap round trip, for `/readyz`.
    async fn ping(&self) -> Result<(), StoreError>;
}

/// What the store knows about one hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Presence {
    pub stored: bool,
    pub retrieved: bool,
}

/// Time-to-live and size cap shared by the backends.
#[derive(Debug, Clone, Copy)]
pub struct Retention {
    /// Originals older than this (since last stored or read) are dropped.
    pub ttl: Duration,
    /// SQLite: once the stored originals exceed this many bytes, the least
    /// recently used are dropped. Redis relies on its own `maxmemory`.
    pub max_bytes: u64,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(7 * 24 * 3600),
            max_bytes: 1 << 30,
        }
    }
}

/// A parsed `--store` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreSpec {
    Sqlite(PathBuf),
    Redis(String),
}

impl StoreSpec {
    /// `sqlite:PATH`, `redis://…` / `rediss://…`, or nothing for the default
    /// SQLite file.
    pub fn parse(spec: Option<&str>) -> Result<Self, StoreError> {
        match spec {
            None | Some("") | Some("sqlite") => Ok(Self::Sqlite(default_sqlite_path())),
            Some(s) if s.starts_with("redis://") || s.starts_with("rediss://") => {
                Ok(Self::Redis(s.to_string()))
            }
            Some(s) => match s.strip_prefix("sqlite:") {
                Some(path) if !path.is_empty() => Ok(Self::Sqlite(PathBuf::from(path))),
                _ => Err(StoreError::Spec(s.to_string())),
            },
        }
    }

    /// Open the store this spec names.
    pub async fn open(&self, retention: Retention) -> Result<Arc<dyn Store>, StoreError> {
        Ok(match self {
            Self::Sqlite(path) => Arc::new(SqliteStore::open(path, retention).await?),
            Self::Redis(url) => Arc::new(RedisStore::connect(url, retention).await?),
        })
    }
}

/// `$XDG_DATA_HOME/headroom/ccr.sqlite3`, else `~/.local/share/headroom/…`,
/// else the current directory.
pub fn default_sqlite_path() -> PathBuf {
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|home| PathBuf::from(home).join(".local/share"))
        })
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("headroom").join("ccr.sqlite3")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_specs_parse_to_backends() {
        assert_eq!(
            StoreSpec::parse(Some("sqlite:/tmp/x.db")).unwrap(),
            StoreSpec::Sqlite("/tmp/x.db".into())
        );
        assert_eq!(
            StoreSpec::parse(Some("redis://127.0.0.1:6390")).unwrap(),
            StoreSpec::Redis("redis://127.0.0.1:6390".into())
        );
        assert!(matches!(
            StoreSpec::parse(None).unwrap(),
            StoreSpec::Sqlite(p) if p.ends_with("headroom/ccr.sqlite3")
        ));
        assert!(StoreSpec::parse(Some("mysql://x")).is_err());
        assert!(StoreSpec::parse(Some("sqlite:")).is_err());
    }
}
