//! Compress-cache-retrieve: what the engine hands to its host for every marker
//! it writes. A marker is only ever emitted together with its entry, so a host
//! that stores every entry can always answer `headroom_retrieve(hash)`.

use serde::{Deserialize, Serialize};

/// One original the host must store under `hash`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CcrEntry {
    /// [`crate::hash::content_hash`] of `original`.
    pub hash: String,
    /// The exact original tool output.
    pub original: String,
    /// Kind of content the original was routed as (`json`, `log`, ...).
    pub kind: String,
    /// What was left out, in units the model can reason about
    /// (e.g. `"772 of 812 lines"`).
    pub omitted: String,
}
