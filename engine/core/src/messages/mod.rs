//! The message pipeline: compress the tool outputs inside a whole request
//! body (Anthropic Messages, OpenAI Chat, OpenAI Responses, Vercel AI SDK
//! prompt) by splicing, so that only the bytes of compressed tool outputs
//! change and every other byte is sent as received.
//!
//! Three steps, public so that a host can cache per tool output:
//! 1. [`extract`] / [`extract_sites`]: parse the body with spans, detect its
//!    shape, find every eligible tool output ([`Site`]) with the context its
//!    compression may depend on;
//! 2. [`Site::compress`] for each site (or a cached result for
//!    [`Site::cache_key`]);
//! 3. [`assemble`]: splice the replacements in and build the report.
//!
//! [`compress_messages`] is the three steps in one call.
//!
//! Spans are byte offsets into the UTF-8 body. `options.kind` does not apply
//! here: each tool output is routed on its own (Vercel `json` outputs are
//! declared `json`).

pub mod json_span;
mod shape;
mod site;
mod walk;

mod anthropic;
mod openai_chat;
mod openai_responses;
mod vercel;

#[cfg(test)]
mod tests;

pub use json_span::ParseError;
pub use site::{encode_json_string, splice, Encoding, Site};

use crate::ccr::CcrEntry;
use crate::options::{Options, Shape};
use crate::pipeline::TextResult;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessagesError {
    #[error("request body is not valid JSON: {0}")]
    InvalidJson(#[from] ParseError),
    #[error("unrecognised request shape: {0}")]
    UnknownShape(String),
    #[error("cannot splice: {0}")]
    BadEdit(String),
    #[error("{sites} tool outputs but {results} compression results")]
    ResultCountMismatch { sites: usize, results: usize },
}

/// The body's shape and its tool outputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Extraction {
    pub shape: Shape,
    pub sites: Vec<Site>,
}

/// What happened to one tool output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockReport {
    pub path: String,
    pub message_index: usize,
    pub kind: String,
    pub tokens_before: usize,
    pub tokens_after: usize,
    pub transforms: Vec<String>,
    /// Hash of the original, when the output now carries a marker.
    pub hash: Option<String>,
    pub compressed: bool,
}

/// The compressed body and what was done to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessagesResult {
    pub body: String,
    pub shape: Shape,
    /// Tokens of the tool outputs considered, before and after.
    pub tokens_before: usize,
    pub tokens_after: usize,
    /// Distinct transform names applied, in order of first use.
    pub transforms: Vec<String>,
    /// Originals the host must store, one per hash.
    pub ccr: Vec<CcrEntry>,
    /// One entry per tool output considered, in body order.
    pub blocks: Vec<BlockReport>,
}

/// Compress every eligible tool output of a request body.
pub fn compress_messages(body: &str, options: &Options) -> Result<MessagesResult, MessagesError> {
    let Extraction { shape, sites } = extract(body, options)?;
    let results: Vec<TextResult> = sites.iter().map(|site| site.compress(options)).collect();
    assemble(body, shape, &sites, &results)
}

/// The tool outputs of a request body (see [`extract`]).
pub fn extract_sites(body: &str, options: &Options) -> Result<Vec<Site>, MessagesError> {
    extract(body, options).map(|e| e.sites)
}

/// Parse `body`, take its shape from `options.shape` or detect it, and list
/// its eligible tool outputs in body order. Outputs in the first
/// `frozenMessageCount` messages and of `excludeTools` are not listed.
pub fn extract(body: &str, options: &Options) -> Result<Extraction, MessagesError> {
    let root = json_span::parse(body)?;
    extract_parsed(&root, body, options)
}

/// [`extract`] on a body the caller already parsed (`root` is
/// `json_span::parse(body)`), for hosts that read other parts of the same
/// body and should not pay for a second parse.
pub fn extract_parsed(
    root: &json_span::Node,
    body: &str,
    options: &Options,
) -> Result<Extraction, MessagesError> {
    let shape = match options.shape {
        Some(shape) => shape,
        None => shape::detect(root)?,
    };
    let Some((list_name, messages)) = shape::message_list(root, shape)? else {
        return Ok(Extraction {
            shape,
            sites: Vec::new(),
        });
    };
    let mut walk = walk::Walk::new(options, list_name);
    match shape {
        Shape::Anthropic => anthropic::walk(messages, &mut walk),
        Shape::OpenaiChat => openai_chat::walk(messages, &mut walk),
        Shape::OpenaiResponses => openai_responses::walk(messages, &mut walk),
        Shape::Vercel => vercel::walk(messages, body, &mut walk),
    }
    Ok(Extraction {
        shape,
        sites: walk.sites,
    })
}

/// Splice the results of compressing `sites` (same order, e.g. from
/// [`Site::compress`] or a host cache) into `body`, and report.
pub fn assemble(
    body: &str,
    shape: Shape,
    sites: &[Site],
    results: &[TextResult],
) -> Result<MessagesResult, MessagesError> {
    if sites.len() != results.len() {
        return Err(MessagesError::ResultCountMismatch {
            sites: sites.len(),
            results: results.len(),
        });
    }
    let mut edits = Vec::new();
    let mut out = MessagesResult {
        body: String::new(),
        shape,
        tokens_before: 0,
        tokens_after: 0,
        transforms: Vec::new(),
        ccr: Vec::new(),
        blocks: Vec::with_capacity(sites.len()),
    };
    for (site, result) in sites.iter().zip(results) {
        let replacement = site.replacement(result);
        let compressed = replacement.is_some();
        if let Some(replacement) = replacement {
            edits.push((site.span.clone(), replacement));
        }
        let tokens_after = if compressed {
            result.tokens_after
        } else {
            result.tokens_before
        };
        let ccr = result.ccr.as_ref().filter(|_| compressed);
        let transforms = if compressed {
            result.transforms.clone()
        } else {
            Vec::new()
        };
        out.tokens_before += result.tokens_before;
        out.tokens_after += tokens_after;
        for name in &transforms {
            if !out.transforms.contains(name) {
                out.transforms.push(name.clone());
            }
        }
        if let Some(entry) = ccr {
            if !out.ccr.iter().any(|e| e.hash == entry.hash) {
                out.ccr.push(entry.clone());
            }
        }
        out.blocks.push(BlockReport {
            path: site.path.clone(),
            message_index: site.message_index,
            kind: result.kind.clone(),
            tokens_before: result.tokens_before,
            tokens_after,
            transforms,
            hash: ccr.map(|e| e.hash.clone()),
            compressed,
        });
    }
    out.body = splice(body, &edits)?;
    Ok(out)
}
