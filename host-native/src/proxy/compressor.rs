//! Compress one request body: extract the tool outputs (natively, with the
//! engine crate's span parser), compress each one with the wasm engine or
//! take it from the cache, store the originals behind new markers, then
//! splice. Every failure is a [`Fault`]: the caller forwards the original.

use super::cache::{self, Cached, ResultCache};
use super::inject::Layout;
use super::stats::{Fault, Stats};
use super::text_body::TextBody;
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
        body: TextBody,
        store_originals: bool,
    ) -> Result<Compressed, Fault> {
        let looked = if body.len() <= INLINE_LOOKUP_BYTES {
            self.look_up(body.as_str())?
        } else {
            let this = Arc::clone(self);
            let text = body.clone();
            tokio::task::spawn_blocking(move || this.look_up(text.as_str()))
                .await
                .map_err(|_| Fault::EngineOther)??
        };
        let Sites {
            shape,
            done,
            layout,
            alias,
        } = if looked.has_misses() {
            let this = Arc::clone(self);
            tokio::task::spawn_blocking(move || this.fill(looked))
                .await
                .map_err(|_| Fault::EngineOther)??
        } else {
            // Only cache hits: nothing blocks.
            self.fill(looked)?
        };
        let body = body.as_str();

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
        out.body = messages::splice(body, &edits).map_err(|_| Fault::SpliceFailed)?;
        out.layout = layout.map(|l| l.shifted(&edits));
        if !out.has_markers {
            out.has_markers = marker::has_marker(body);
        }
        Ok(out)
    }

    /// Parse (once: the same tree gives the sites and the retrieval
    /// layout) and take each site's result from the cache; what the cache
    /// lacks is left for [`Self::fill`].
    fn look_up(&self, body: &str) -> Result<Looked, Fault> {
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
        let mut slots = Vec::with_capacity(extraction.sites.len());
        let (mut hits, mut misses) = (0u64, 0u64);
        for site in extraction.sites {
            let key = cache::key(&site, &self.options_key);
            slots.push(match self.cache.get(key, &site) {
                Some(cached) => {
                    hits += 1;
                    Slot::Hit(Done {
                        span: site.span,
                        cached,
                    })
                }
                None => {
                    misses += 1;
                    Slot::Miss(key, site)
                }
            });
        }
        self.stats.count(&self.stats.cache_hits, hits);
        self.stats.count(&self.stats.cache_misses, misses);
        Ok(Looked {
            shape: extraction.shape,
            slots,
            layout,
            alias,
        })
    }

    /// Compress the outputs the cache lacked with the engine (blocking;
    /// called on the blocking pool when there are any), and cache them.
    fn fill(&self, looked: Looked) -> Result<Sites, Fault> {
        let mut done = Vec::with_capacity(looked.slots.len());
        for slot in looked.slots {
            done.push(match slot {
                Slot::Hit(hit) => hit,
                Slot::Miss(key, site) => {
                    let options = site_options(&self.options, &site);
                    let result = self
                        .engine
                        .compress_text(&site.text, &site.tool, &options)
                        .map_err(engine_fault)?;
                    let replacement = site.replacement(&result);
                    let span = site.span.clone();
                    let cached = self.cache.insert(key, site, result, replacement);
                    Done { span, cached }
                }
            });
        }
        Ok(Sites {
            shape: looked.shape,
            done,
            layout: looked.layout,
            alias: looked.alias,
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

/// Bodies up to this size are parsed and looked up in the cache on the
/// async thread (~35 µs for 50 KB): handing them to the blocking pool and
/// back cost more CPU than the work. Larger bodies (~0.7 ms per MB) are
/// parsed on the blocking pool so one request never stalls the others on
/// its worker for long. The engine always runs on the blocking pool.
const INLINE_LOOKUP_BYTES: usize = 256 << 10;

/// One tool output: its cached result, or what the engine must compress.
enum Slot {
    Hit(Done),
    Miss(u128, Site),
}

/// The parse and the cache lookups of one body.
struct Looked {
    shape: Shape,
    slots: Vec<Slot>,
    layout: Option<Layout>,
    alias: Option<(std::ops::Range<usize>, String)>,
}

impl Looked {
    fn has_misses(&self) -> bool {
        self.slots.iter().any(|s| matches!(s, Slot::Miss(..)))
    }
}

/// Every site with its result, where retrieval edits the body, and a
/// `previous_response_id` to redirect.
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
