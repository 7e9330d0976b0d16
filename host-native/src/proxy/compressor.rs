//! Compress one request body: extract the tool outputs (natively, with the
//! engine crate's span parser), compress each one with the wasm engine or
//! take it from the cache, store the originals behind new markers, then
//! splice. Every failure is a [`Fault`]: the caller forwards the original.

use super::cache::{self, Cached, ResultCache};
use super::inject::Layout;
use super::stats::{Fault, Stats};
use crate::engine::{Engine, EngineError};
use crate::store::Store;
use headroom_core::messages::{self, json_span, Site};
use headroom_core::{marker, CcrEntry, MessagesError, Options, Shape};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A stored original is written again after this long, which keeps it
/// fresh for SQLite's TTL and size cap (least recently used first). Loss is
/// caught sooner: every request asks the store whether each of its markers'
/// originals is still there.
const STORE_REFRESH: Duration = Duration::from_secs(60);

/// The compressed body and what it took.
#[derive(Debug)]
pub struct Compressed {
    pub body: String,
    pub shape: Shape,
    pub tokens_before: usize,
    pub tokens_after: usize,
    pub transforms: Vec<String>,
    /// The body carries at least one Headroom marker (new or old), or an
    /// output that was expanded because it had been retrieved: the
    /// conversation needs the `headroom_retrieve` tool.
    pub has_markers: bool,
    /// Outputs sent whole because the model retrieved them earlier.
    pub expanded: usize,
    /// Tool outputs whose bytes changed.
    pub changed: usize,
    /// Where retrieval edits `body` (taken from the one parse of the
    /// request, moved by the splice); `None` when the body has no such
    /// layout (e.g. `tools` is not a list).
    pub layout: Option<Layout>,
}

pub struct Compressor {
    engine: Arc<dyn Engine>,
    store: Arc<dyn Store>,
    cache: ResultCache,
    options: Options,
    options_key: String,
    stats: Arc<Stats>,
    response_aliases: Mutex<lru::LruCache<String, String>>,
}

/// Where a site sits, with its compression result.
struct Done {
    span: std::ops::Range<usize>,
    cached: Arc<Cached>,
}

impl Compressor {
    pub fn new(
        engine: Arc<dyn Engine>,
        store: Arc<dyn Store>,
        options: Options,
        cache_bytes: usize,
        stats: Arc<Stats>,
    ) -> Self {
        let options_key = serde_json::to_string(&options).unwrap_or_default();
        Self {
            engine,
            store,
            cache: ResultCache::new(cache_bytes),
            options,
            options_key,
            stats,
            response_aliases: Mutex::new(lru::LruCache::new(
                std::num::NonZeroUsize::new(10_000).expect("non-zero"),
            )),
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn engine(&self) -> &Arc<dyn Engine> {
        &self.engine
    }

    /// Compress `body`. With `store_originals` false (audit mode) nothing
    /// is written to the store.
    pub async fn compress(
        self: &Arc<Self>,
        body: Arc<str>,
        store_originals: bool,
    ) -> Result<Compressed, Fault> {
        let this = Arc::clone(self);
        let text = Arc::clone(&body);
        let Sites {
            shape,
            done,
            layout,
            alias,
        } = tokio::task::spawn_blocking(move || this.compress_sites(&text))
            .await
            .map_err(|_| Fault::EngineOther)??;

        // One store round trip for every marker this body will carry:
        // outputs the model already retrieved go out whole from now on, and
        // an original the store lost (flushed, expired) is written again
        // before its marker is forwarded.
        let mut hashes: Vec<String> = done
            .iter()
            .filter(|d| d.cached.replacement.is_some())
            .filter_map(|d| d.cached.result.ccr.as_ref().map(|c| c.hash.clone()))
            .collect();
        hashes.sort_unstable();
        hashes.dedup();
        let presence = self
            .store
            .presence(&hashes)
            .await
            .map_err(|_| Fault::StoreUnavailable)?;
        let retrieved: HashSet<&str> = hashes
            .iter()
            .zip(&presence)
            .filter(|(_, p)| p.retrieved)
            .map(|(h, _)| h.as_str())
            .collect();
        let missing: HashSet<&str> = hashes
            .iter()
            .zip(&presence)
            .filter(|(_, p)| !p.stored)
            .map(|(h, _)| h.as_str())
            .collect();

        let mut to_store: Vec<CcrEntry> = Vec::new();
        let mut stored: Vec<&Arc<Cached>> = Vec::new();
        let mut out = Compressed {
            body: String::new(),
            shape,
            tokens_before: 0,
            tokens_after: 0,
            transforms: Vec::new(),
            has_markers: false,
            expanded: 0,
            changed: 0,
            layout: None,
        };
        let mut edits: Vec<(std::ops::Range<usize>, &str)> = Vec::new();
        if let Some((span, id)) = &alias {
            edits.push((span.clone(), id.as_str()));
        }
        for d in &done {
            let r = &d.cached.result;
            out.tokens_before += r.tokens_before;
            let expand = r
                .ccr
                .as_ref()
                .is_some_and(|c| retrieved.contains(c.hash.as_str()));
            match (&d.cached.replacement, expand) {
                (Some(replacement), false) => {
                    out.tokens_after += r.tokens_after;
                    out.changed += 1;
                    edits.push((d.span.clone(), replacement.as_str()));
                    for t in &r.transforms {
                        if !out.transforms.contains(t) {
                            out.transforms.push(t.clone());
                        }
                    }
                    if let Some(entry) = &r.ccr {
                        out.has_markers = true;
                        let lost = missing.contains(entry.hash.as_str());
                        if (lost || d.cached.needs_store(STORE_REFRESH))
                            && !to_store.iter().any(|e| e.hash == entry.hash)
                        {
                            if lost && d.cached.was_stored() {
                                self.stats.count(&self.stats.store_rewrites, 1);
                            }
                            to_store.push(entry.clone());
                            stored.push(&d.cached);
                        }
                    }
                }
                (Some(_), true) => {
                    out.tokens_after += r.tokens_before;
                    out.expanded += 1;
                    out.has_markers = true;
                }
                (None, _) => out.tokens_after += r.tokens_before,
            }
        }

        // A marker goes upstream only once its original is stored.
        if store_originals && !to_store.is_empty() {
            self.store
                .put(&to_store)
                .await
                .map_err(|_| Fault::StoreUnavailable)?;
            for c in stored {
                c.mark_stored();
            }
        }
        out.body = messages::splice(&body, &edits).map_err(|_| Fault::SpliceFailed)?;
        out.layout = layout.map(|l| l.shifted(&edits));
        if !out.has_markers {
            out.has_markers = marker::has_marker(&body);
        }
        Ok(out)
    }

    /// Blocking part: parse (once: the same tree gives the sites and the
    /// retrieval layout), then each site from the cache or the engine.
    fn compress_sites(&self, body: &str) -> Result<Sites, Fault> {
        let root = json_span::parse(body).map_err(|_| Fault::MalformedBody)?;
        let extraction =
            messages::extract_parsed(&root, body, &self.options).map_err(|e| match e {
                MessagesError::InvalidJson(_) => Fault::MalformedBody,
                _ => Fault::UnknownShape,
            })?;
        let layout = Layout::from_root(&root, extraction.shape);
        let alias = match extraction.shape {
            Shape::OpenaiResponses => self.previous_response_alias(&root),
            _ => None,
        };
        drop(root);
        let mut done = Vec::with_capacity(extraction.sites.len());
        for site in extraction.sites {
            let key = cache::key(&site, &self.options_key);
            let cached = match self.cache.get(key, &site) {
                Some(hit) => {
                    self.stats.count(&self.stats.cache_hits, 1);
                    hit
                }
                None => {
                    self.stats.count(&self.stats.cache_misses, 1);
                    let options = site_options(&self.options, &site);
                    let result = self
                        .engine
                        .compress_text(&site.text, &site.tool, &options)
                        .map_err(engine_fault)?;
                    let replacement = site.replacement(&result);
                    let span = site.span.clone();
                    let cached = self.cache.insert(key, site, result, replacement);
                    done.push(Done { span, cached });
                    continue;
                }
            };
            done.push(Done {
                span: site.span,
                cached,
            });
        }
        Ok(Sites {
            shape: extraction.shape,
            done,
            layout,
            alias,
        })
    }

    /// A Responses stream answered in several rounds shows the client the
    /// first round's response id (the SDK requires one id per stream), but
    /// the upstream's conversation continues from the last round's. Later
    /// requests that chain from the shown id are sent on from the last.
    pub fn alias_response(&self, shown: &str, last: &str) {
        self.aliases().put(shown.to_string(), last.to_string());
    }

    fn aliases(&self) -> std::sync::MutexGuard<'_, lru::LruCache<String, String>> {
        self.response_aliases
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// The edit that points `previous_response_id` at the last round of a
    /// response the proxy continued, if the body chains from one.
    fn previous_response_alias(
        &self,
        root: &json_span::Node,
    ) -> Option<(std::ops::Range<usize>, String)> {
        let node = root.get("previous_response_id")?;
        let id = node.as_str()?;
        let last = self.aliases().get(id.as_ref())?.clone();
        Some((node.span.clone(), messages::encode_json_string(&last)))
    }
}

/// What the blocking part found: the sites with their results, where
/// retrieval edits the body, and a `previous_response_id` to redirect.
struct Sites {
    shape: Shape,
    done: Vec<Done>,
    layout: Option<Layout>,
    alias: Option<(std::ops::Range<usize>, String)>,
}

/// The options `Site::compress` would use: the site's declared kind and its
/// per-message bias folded into `bias`.
fn site_options(options: &Options, site: &Site) -> Options {
    Options {
        kind: site.kind.map(|k| k.as_str().to_string()),
        bias: options.bias * site.bias,
        ..options.clone()
    }
}

pub fn engine_fault(e: EngineError) -> Fault {
    match e {
        EngineError::Trap(_) => Fault::EngineTrap,
        EngineError::Timeout(_) => Fault::EngineTimeout,
        EngineError::OutOfMemory { .. } => Fault::EngineMemory,
        _ => Fault::EngineOther,
    }
}
