//! Redis backend: several proxy replicas share one store, so a marker
//! written through one replica can be retrieved through another.
//! Keys: `headroom:ccr:<hash>` (the original) and
//! `headroom:retrieved:<hash>`, both expiring after the TTL.

use super::{Presence, Retention, Store, StoreError};
use headroom_core::CcrEntry;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::AsyncCommands;
use std::future::Future;
use std::time::Duration;

/// Bound on one Redis round trip: a store that hangs must not hang the
/// request behind it (the proxy then forwards it uncompressed).
const CALL_TIMEOUT: Duration = Duration::from_millis(1500);

pub struct RedisStore {
    conn: ConnectionManager,
    ttl_secs: u64,
}

impl RedisStore {
    pub async fn connect(url: &str, retention: Retention) -> Result<Self, StoreError> {
        let client = redis::Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_millis(1000)))
            .set_response_timeout(Some(CALL_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let conn = bounded(ConnectionManager::new_with_config(client, config)).await?;
        Ok(Self {
            conn,
            ttl_secs: retention.ttl.as_secs().max(1),
        })
    }
}

fn ccr_key(hash: &str) -> String {
    format!("headroom:ccr:{hash}")
}

fn retrieved_key(hash: &str) -> String {
    format!("headroom:retrieved:{hash}")
}

async fn bounded<T>(
    call: impl Future<Output = Result<T, redis::RedisError>>,
) -> Result<T, StoreError> {
    match tokio::time::timeout(CALL_TIMEOUT, call).await {
        Ok(result) => result.map_err(StoreError::from),
        Err(_) => Err(StoreError::Timeout(CALL_TIMEOUT)),
    }
}

#[async_trait::async_trait]
impl Store for RedisStore {
    fn backend(&self) -> &'static str {
        "redis"
    }

    async fn put(&self, entries: &[CcrEntry]) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut pipe = redis::pipe();
        for e in entries {
            pipe.set_ex(ccr_key(&e.hash), &e.original, self.ttl_secs)
                .ignore();
        }
        let mut conn = self.conn.clone();
        bounded(pipe.query_async::<()>(&mut conn)).await
    }

    async fn get(&self, hash: &str) -> Result<Option<String>, StoreError> {
        let mut conn = self.conn.clone();
        let key = ccr_key(hash);
        let original: Option<String> = bounded(conn.get(&key)).await?;
        if original.is_some() {
            let _: Result<bool, _> = bounded(conn.expire(&key, self.ttl_secs as i64)).await;
        }
        Ok(original)
    }

    async fn mark_retrieved(&self, hash: &str) -> Result<(), StoreError> {
        let mut conn = self.conn.clone();
        bounded(conn.set_ex::<_, _, ()>(retrieved_key(hash), 1u8, self.ttl_secs)).await
    }

    async fn presence(&self, hashes: &[String]) -> Result<Vec<Presence>, StoreError> {
        if hashes.is_empty() {
            return Ok(Vec::new());
        }
        // EXPIRE answers whether the key exists and, when it does, restarts
        // its TTL: the original stays as long as requests carry its marker.
        let mut pipe = redis::pipe();
        for h in hashes {
            pipe.expire(ccr_key(h), self.ttl_secs as i64)
                .exists(retrieved_key(h));
        }
        let mut conn = self.conn.clone();
        let flags: Vec<bool> = bounded(pipe.query_async(&mut conn)).await?;
        Ok(flags
            .chunks(2)
            .map(|f| Presence {
                stored: f[0],
                retrieved: f.get(1).copied().unwrap_or(false),
            })
            .collect())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.conn.clone();
        bounded(redis::cmd("PING").query_async::<String>(&mut conn))
            .await
            .map(|_| ())
    }
}
