//! Per-tool-output compression cache. Every turn of a conversation re-sends
//! the whole history, so the same tool outputs arrive again and again; the
//! cache makes each of them a lookup and guarantees the compressed bytes are
//! identical every time (which keeps the provider's prompt cache hitting).
//!
//! Keyed by [`headroom_core::messages::Site::cache_key`] (output text, tool
//! call, user text, bias, kind) plus a fingerprint of the options; bounded by
//! the bytes it holds, least recently used evicted first.

use headroom_core::TextResult;
use lru::LruCache;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One cached result, and when its original was last written to the store.
pub struct Cached {
    pub result: TextResult,
    /// The bytes that replace the output in the body (`None`: left as is).
    pub replacement: Option<String>,
    stored_at: Mutex<Option<Instant>>,
}

impl Cached {
    /// True when the original must be (re)written to the store: never
    /// written, or written longer ago than `refresh` (the store may have
    /// lost it since, e.g. a Redis restart).
    pub fn needs_store(&self, refresh: Duration) -> bool {
        self.result.ccr.is_some()
            && self
                .stored_at
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .is_none_or(|at| at.elapsed() >= refresh)
    }

    pub fn mark_stored(&self) {
        *self.stored_at.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
    }

    fn bytes(&self) -> usize {
        self.result.text.len()
            + self.replacement.as_ref().map_or(0, String::len)
            + self.result.ccr.as_ref().map_or(0, |c| c.original.len())
            + 256
    }
}

pub struct ResultCache {
    inner: Mutex<Inner>,
    max_bytes: usize,
}

struct Inner {
    lru: LruCache<String, Arc<Cached>>,
    bytes: usize,
}

impl ResultCache {
    pub fn new(max_bytes: usize) -> Self {
        Self {
            inner: Mutex::new(Inner {
                lru: LruCache::unbounded(),
                bytes: 0,
            }),
            max_bytes,
        }
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn get(&self, key: &str) -> Option<Arc<Cached>> {
        self.inner().lru.get(key).cloned()
    }

    /// Insert (or return the entry another request inserted first, so two
    /// concurrent requests agree on one result).
    pub fn insert(
        &self,
        key: String,
        result: TextResult,
        replacement: Option<String>,
    ) -> Arc<Cached> {
        let entry = Arc::new(Cached {
            result,
            replacement,
            stored_at: Mutex::new(None),
        });
        let size = entry.bytes();
        let mut inner = self.inner();
        if let Some(existing) = inner.lru.get(&key) {
            return Arc::clone(existing);
        }
        if size > self.max_bytes {
            return entry;
        }
        inner.bytes += size;
        inner.lru.put(key, Arc::clone(&entry));
        while inner.bytes > self.max_bytes {
            match inner.lru.pop_lru() {
                Some((_, old)) => inner.bytes -= old.bytes(),
                None => break,
            }
        }
        entry
    }

    pub fn len(&self) -> usize {
        self.inner().lru.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(text: &str) -> TextResult {
        TextResult {
            text: text.into(),
            compressed: true,
            kind: "log".into(),
            transforms: vec![],
            tokens_before: 10,
            tokens_after: 1,
            ccr: None,
        }
    }

    #[test]
    fn the_first_insert_wins_and_eviction_keeps_the_byte_bound() {
        let cache = ResultCache::new(3 * (256 + 100));
        let a = cache.insert("a".into(), result(&"a".repeat(100)), None);
        let again = cache.insert("a".into(), result("other"), None);
        assert!(Arc::ptr_eq(&a, &again));
        cache.insert("b".into(), result(&"b".repeat(100)), None);
        cache.get("a");
        cache.insert("c".into(), result(&"c".repeat(100)), None);
        cache.insert("d".into(), result(&"d".repeat(100)), None);
        assert_eq!(cache.len(), 3);
        assert!(cache.get("b").is_none(), "b was least recently used");
        assert!(cache.get("a").is_some());
    }

    #[test]
    fn store_writes_are_remembered_until_the_refresh_interval() {
        let cache = ResultCache::new(1 << 20);
        let mut r = result("x");
        r.ccr = Some(headroom_core::CcrEntry {
            hash: "h".into(),
            original: "o".into(),
            kind: "log".into(),
            omitted: "1 of 2 lines".into(),
        });
        let e = cache.insert("k".into(), r, None);
        assert!(e.needs_store(Duration::from_secs(60)));
        e.mark_stored();
        assert!(!e.needs_store(Duration::from_secs(60)));
        assert!(e.needs_store(Duration::ZERO));
    }
}
