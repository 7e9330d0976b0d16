//! Per-tool-output compression cache. Every turn of a conversation re-sends
//! the whole history, so the same tool outputs arrive again and again; the
//! cache makes each of them a lookup and guarantees the compressed bytes are
//! identical every time (which keeps the provider's prompt cache hitting).
//!
//! Keyed by a fast 128-bit hash (xxh3) over what
//! [`headroom_core::messages::Site::cache_key`] covers (output text, tool
//! call, user text, bias, kind, encoding) plus the options; a hit is only
//! taken after comparing the site itself with the one cached, so a crafted
//! hash collision can never hand one conversation another's output. XXH3
//! instead of BLAKE3 because every tool output of every request is hashed:
//! 2 MB of history took 0.9 ms with BLAKE3. Bounded by the bytes it holds,
//! least recently used evicted first.

use headroom_core::messages::Site;
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
    /// The site it was computed for, output text aside.
    site: Site,
    /// The output text, when the result's stored original is not it.
    own_text: Option<String>,
}

/// The cache key of `site` under the options fingerprint `options_key`.
pub fn key(site: &Site, options_key: &str) -> u128 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    let mut field = |bytes: &[u8]| {
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    fn opt(s: &Option<String>) -> &[u8] {
        s.as_deref().map_or(b"\xff".as_slice(), str::as_bytes)
    }
    field(site.text.as_bytes());
    field(opt(&site.tool.tool_name));
    field(opt(&site.tool.tool_args));
    field(opt(&site.tool.user_text));
    field(&site.bias.to_bits().to_le_bytes());
    field(site.kind.map_or("", |k| k.as_str()).as_bytes());
    field(&[site.encoding as u8]);
    field(options_key.as_bytes());
    h.digest128()
}

/// Everything but the output text that a result depends on.
fn same_context(a: &Site, b: &Site) -> bool {
    a.tool == b.tool
        && a.bias.to_bits() == b.bias.to_bits()
        && a.kind == b.kind
        && a.encoding == b.encoding
}

impl Cached {
    fn text(&self) -> &str {
        match (&self.own_text, &self.result.ccr) {
            (Some(text), _) => text,
            (None, Some(ccr)) => &ccr.original,
            (None, None) => &self.result.text,
        }
    }

    /// True when this result was computed for `site` (the hash matched;
    /// this rules out a collision).
    fn is_for(&self, site: &Site) -> bool {
        self.text() == site.text && same_context(&self.site, site)
    }

    fn is_for_entry(&self, other: &Cached) -> bool {
        self.text() == other.text() && same_context(&self.site, &other.site)
    }

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

    /// True once this proxy wrote the original to the store.
    pub fn was_stored(&self) -> bool {
        self.stored_at
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }

    pub fn mark_stored(&self) {
        *self.stored_at.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
    }

    fn bytes(&self) -> usize {
        let tool = &self.site.tool;
        self.result.text.len()
            + self.replacement.as_ref().map_or(0, String::len)
            + self.result.ccr.as_ref().map_or(0, |c| c.original.len())
            + self.own_text.as_ref().map_or(0, String::len)
            + [&tool.tool_name, &tool.tool_args, &tool.user_text]
                .iter()
                .map(|s| s.as_ref().map_or(0, String::len))
                .sum::<usize>()
            + 256
    }
}

pub struct ResultCache {
    inner: Mutex<Inner>,
    max_bytes: usize,
}

struct Inner {
    lru: LruCache<u128, Arc<Cached>>,
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

    /// The result cached under `key` for `site` (a different site under
    /// the same key is a miss).
    pub fn get(&self, key: u128, site: &Site) -> Option<Arc<Cached>> {
        let hit = self.inner().lru.get(&key).cloned()?;
        hit.is_for(site).then_some(hit)
    }

    /// Insert the result for `site` (its output text moves into the
    /// entry), or return the entry another request inserted first, so two
    /// concurrent requests agree on one result.
    pub fn insert(
        &self,
        key: u128,
        mut site: Site,
        result: TextResult,
        replacement: Option<String>,
    ) -> Arc<Cached> {
        let text = std::mem::take(&mut site.text);
        let own_text = match &result.ccr {
            Some(ccr) if ccr.original == text => None,
            None if result.text == text => None,
            _ => Some(text),
        };
        let entry = Arc::new(Cached {
            result,
            replacement,
            stored_at: Mutex::new(None),
            site,
            own_text,
        });
        let size = entry.bytes();
        let mut inner = self.inner();
        if let Some(existing) = inner.lru.get(&key) {
            if existing.is_for_entry(&entry) {
                return Arc::clone(existing);
            }
            // A hash collision: the newer entry serves this request and
            // is not cached (the first one stays).
            return entry;
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
    use headroom_core::messages::Encoding;

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

    fn site(text: &str) -> Site {
        Site {
            span: 0..0,
            encoding: Encoding::JsonString,
            text: text.into(),
            tool: Default::default(),
            message_index: 0,
            path: String::new(),
            bias: 1.0,
            kind: None,
        }
    }

    fn put(cache: &ResultCache, text: &str, out: &str) -> Arc<Cached> {
        cache.insert(key(&site(text), ""), site(text), result(out), None)
    }

    fn get(cache: &ResultCache, text: &str) -> Option<Arc<Cached>> {
        cache.get(key(&site(text), ""), &site(text))
    }

    #[test]
    fn the_first_insert_wins_and_eviction_keeps_the_byte_bound() {
        let cache = ResultCache::new(3 * (256 + 2 * 100));
        let a = put(&cache, "a", &"a".repeat(100));
        let again = put(&cache, "a", "other");
        assert!(Arc::ptr_eq(&a, &again));
        put(&cache, "b", &"b".repeat(100));
        get(&cache, "a");
        put(&cache, "c", &"c".repeat(100));
        put(&cache, "d", &"d".repeat(100));
        assert_eq!(cache.len(), 3);
        assert!(get(&cache, "b").is_none(), "b was least recently used");
        assert!(get(&cache, "a").is_some());
    }

    #[test]
    fn a_colliding_key_never_returns_another_sites_result() {
        let cache = ResultCache::new(1 << 20);
        let k = key(&site("first output"), "");
        cache.insert(k, site("first output"), result("first"), None);
        // Same key, another output (as a crafted collision would be).
        assert!(cache.get(k, &site("second output")).is_none());
        let mut other_tool = site("first output");
        other_tool.tool.tool_name = Some("Read".into());
        assert!(cache.get(k, &other_tool).is_none());
        let second = cache.insert(k, site("second output"), result("second"), None);
        assert_eq!(
            second.result.text, "second",
            "the newer site gets its own result"
        );
        assert_eq!(
            cache.get(k, &site("first output")).unwrap().result.text,
            "first"
        );
        assert_ne!(key(&site("a"), ""), key(&site("a"), "options"));
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
        let e = cache.insert(key(&site("o"), ""), site("o"), r, None);
        assert!(e.own_text.is_none(), "the stored original is the text");
        assert!(e.needs_store(Duration::from_secs(60)));
        e.mark_stored();
        assert!(!e.needs_store(Duration::from_secs(60)));
        assert!(e.needs_store(Duration::ZERO));
    }
}
