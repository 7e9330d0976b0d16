//! Counters behind `/stats` (JSON) and `/metrics` (Prometheus text).
//! Plain atomics for the hot counters; the per-name maps sit behind a
//! mutex taken once per request.

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// Why a request was forwarded unmodified although it was meant to be
/// compressed. Each kind is counted separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fault {
    MalformedBody,
    UnknownShape,
    BodyTooLarge,
    EngineTrap,
    EngineTimeout,
    EngineMemory,
    EngineOther,
    StoreUnavailable,
    SpliceFailed,
    RetrievalFailed,
}

impl Fault {
    pub fn as_str(self) -> &'static str {
        match self {
            Fault::MalformedBody => "malformed_body",
            Fault::UnknownShape => "unknown_shape",
            Fault::BodyTooLarge => "body_too_large",
            Fault::EngineTrap => "engine_trap",
            Fault::EngineTimeout => "engine_timeout",
            Fault::EngineMemory => "engine_memory",
            Fault::EngineOther => "engine_other",
            Fault::StoreUnavailable => "store_unavailable",
            Fault::SpliceFailed => "splice_failed",
            Fault::RetrievalFailed => "retrieval_failed",
        }
    }
}

#[derive(Default)]
pub struct Stats {
    pub requests: AtomicU64,
    /// Requests whose body went upstream with at least one output compressed.
    pub compressed_requests: AtomicU64,
    pub tokens_before: AtomicU64,
    pub tokens_after: AtomicU64,
    /// Audit mode: tokens that would have been saved.
    pub audit_tokens_saved: AtomicU64,
    pub cache_hits: AtomicU64,
    pub cache_misses: AtomicU64,
    /// `headroom_retrieve` calls answered inside the proxy.
    pub retrievals_tool: AtomicU64,
    /// `GET /v1/retrieve/{hash}` answered.
    pub retrievals_http: AtomicU64,
    /// Outputs sent in full because the model had retrieved them before.
    pub expansions: AtomicU64,
    /// Requests to which the `headroom_retrieve` tool was added.
    pub retrieve_tool_added: AtomicU64,
    /// Originals written again because the store had lost them.
    pub store_rewrites: AtomicU64,
    maps: Mutex<Maps>,
    started: Option<Instant>,
}

#[derive(Default)]
struct Maps {
    faults: BTreeMap<Fault, u64>,
    transforms: BTreeMap<String, u64>,
    routes: BTreeMap<&'static str, u64>,
}

fn add(counter: &AtomicU64, n: u64) {
    counter.fetch_add(n, Ordering::Relaxed);
}

fn get(counter: &AtomicU64) -> u64 {
    counter.load(Ordering::Relaxed)
}

impl Stats {
    pub fn new() -> Self {
        Self {
            started: Some(Instant::now()),
            ..Self::default()
        }
    }

    fn maps(&self) -> std::sync::MutexGuard<'_, Maps> {
        self.maps.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn request(&self, route: &'static str) {
        add(&self.requests, 1);
        *self.maps().routes.entry(route).or_default() += 1;
    }

    pub fn fault(&self, fault: Fault) {
        *self.maps().faults.entry(fault).or_default() += 1;
    }

    pub fn faults(&self, fault: Fault) -> u64 {
        self.maps().faults.get(&fault).copied().unwrap_or(0)
    }

    /// One compressed request: token totals and the transforms it used.
    pub fn compressed(&self, before: usize, after: usize, transforms: &[String]) {
        add(&self.tokens_before, before as u64);
        add(&self.tokens_after, after as u64);
        if after < before {
            add(&self.compressed_requests, 1);
        }
        let mut maps = self.maps();
        for t in transforms {
            // The name is copied only the first time it is counted.
            match maps.transforms.get_mut(t) {
                Some(n) => *n += 1,
                None => {
                    maps.transforms.insert(t.clone(), 1);
                }
            }
        }
    }

    pub fn count(&self, counter: &AtomicU64, n: u64) {
        add(counter, n);
    }

    pub fn to_json(&self) -> Value {
        let maps = self.maps();
        let before = get(&self.tokens_before);
        let after = get(&self.tokens_after);
        json!({
            "uptimeSeconds": self.started.map_or(0, |s| s.elapsed().as_secs()),
            "requests": get(&self.requests),
            "compressedRequests": get(&self.compressed_requests),
            "tokensBefore": before,
            "tokensAfter": after,
            "tokensSaved": before.saturating_sub(after),
            "auditTokensSaved": get(&self.audit_tokens_saved),
            "transforms": maps.transforms,
            "routes": maps.routes,
            "cache": {"hits": get(&self.cache_hits), "misses": get(&self.cache_misses)},
            "storeRewrites": get(&self.store_rewrites),
            "retrievals": {
                "tool": get(&self.retrievals_tool),
                "http": get(&self.retrievals_http),
                "expandedInPlace": get(&self.expansions),
                "toolAdded": get(&self.retrieve_tool_added),
            },
            "faults": maps.faults.iter().map(|(k, v)| (k.as_str(), *v)).collect::<BTreeMap<_, _>>(),
        })
    }

    /// Prometheus text exposition format (version 0.0.4).
    pub fn to_prometheus(&self) -> String {
        let mut out = String::new();
        let mut counter = |name: &str, help: &str, value: u64| {
            out.push_str(&format!(
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n"
            ));
        };
        counter(
            "headroom_requests_total",
            "Requests received.",
            get(&self.requests),
        );
        counter(
            "headroom_compressed_requests_total",
            "Requests forwarded with compressed tool outputs.",
            get(&self.compressed_requests),
        );
        counter(
            "headroom_tokens_before_total",
            "Tool-output tokens before compression.",
            get(&self.tokens_before),
        );
        counter(
            "headroom_tokens_after_total",
            "Tool-output tokens after compression.",
            get(&self.tokens_after),
        );
        counter(
            "headroom_cache_hits_total",
            "Per-output compression cache hits.",
            get(&self.cache_hits),
        );
        counter(
            "headroom_cache_misses_total",
            "Per-output compression cache misses.",
            get(&self.cache_misses),
        );
        counter(
            "headroom_retrievals_tool_total",
            "headroom_retrieve calls answered by the proxy.",
            get(&self.retrievals_tool),
        );
        counter(
            "headroom_retrievals_http_total",
            "GET /v1/retrieve answers.",
            get(&self.retrievals_http),
        );
        counter(
            "headroom_expansions_total",
            "Outputs sent in full because they were retrieved before.",
            get(&self.expansions),
        );
        counter(
            "headroom_store_rewrites_total",
            "Originals written again because the store had lost them.",
            get(&self.store_rewrites),
        );
        let maps = self.maps();
        out.push_str("# HELP headroom_faults_total Requests forwarded unmodified because of a fault.\n# TYPE headroom_faults_total counter\n");
        for (fault, n) in &maps.faults {
            out.push_str(&format!(
                "headroom_faults_total{{kind=\"{}\"}} {n}\n",
                fault.as_str()
            ));
        }
        out.push_str("# HELP headroom_transform_uses_total Requests that used a transform.\n# TYPE headroom_transform_uses_total counter\n");
        for (name, n) in &maps.transforms {
            let name = name.replace(['\\', '"', '\n'], "_");
            out.push_str(&format!(
                "headroom_transform_uses_total{{transform=\"{name}\"}} {n}\n"
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_prometheus_report_the_same_counts() {
        let s = Stats::new();
        s.request("anthropic_messages");
        s.compressed(1000, 200, &["log".into()]);
        s.fault(Fault::EngineTimeout);
        s.fault(Fault::EngineTimeout);
        let j = s.to_json();
        assert_eq!(j["tokensSaved"], 800);
        assert_eq!(j["faults"]["engine_timeout"], 2);
        assert_eq!(j["transforms"]["log"], 1);
        let p = s.to_prometheus();
        assert!(
            p.contains("headroom_faults_total{kind=\"engine_timeout\"} 2\n"),
            "{p}"
        );
        assert!(p.contains("headroom_tokens_before_total 1000\n"));
        assert!(p.contains("headroom_transform_uses_total{transform=\"log\"} 1\n"));
    }
}
