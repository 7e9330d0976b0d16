//! One tool output in, its compressed form out: route, transform, guard
//! (lossless-only, minimum savings), mark, count.

use crate::ccr::CcrEntry;
use crate::hash::content_hash;
use crate::lines::Lines;
use crate::marker;
use crate::options::{Options, Profile};
use crate::plan;
use crate::query::Query;
use crate::router::{self, Kind};
use crate::tokens;
use crate::transforms::{self, Ctx, Outcome};
use serde::{Deserialize, Serialize};

/// The tool call that produced an output, and the user text before it. These
/// (with the output and the options) are all compression may depend on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ToolContext {
    pub tool_name: Option<String>,
    /// The call's arguments as JSON text (or any text).
    pub tool_args: Option<String>,
    /// User text that preceded the call.
    pub user_text: Option<String>,
}

impl ToolContext {
    /// A path argument of the call (`file_path`, `path`, `filename`, `file`).
    pub fn file_path(&self) -> Option<String> {
        let args: serde_json::Value = serde_json::from_str(self.tool_args.as_deref()?).ok()?;
        let obj = args.as_object()?;
        ["file_path", "path", "filename", "file", "target_file"]
            .iter()
            .find_map(|k| obj.get(*k).and_then(|v| v.as_str()).map(str::to_string))
    }
}

/// The result of compressing one tool output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TextResult {
    /// The compressed text, or the original when `compressed` is false.
    pub text: String,
    pub compressed: bool,
    /// Kind the output was routed as.
    pub kind: String,
    /// Names of the transforms that changed the output.
    pub transforms: Vec<String>,
    pub tokens_before: usize,
    pub tokens_after: usize,
    /// The original to store, when the output carries a marker.
    pub ccr: Option<CcrEntry>,
}

impl TextResult {
    fn unchanged(text: &str, kind: &str, tokens: usize) -> Self {
        Self {
            text: text.to_string(),
            compressed: false,
            kind: kind.to_string(),
            transforms: Vec::new(),
            tokens_before: tokens,
            tokens_after: tokens,
            ccr: None,
        }
    }
}

/// Compress one tool output.
pub fn compress_text(text: &str, tool: &ToolContext, options: &Options) -> TextResult {
    compress_text_with_bias(text, tool, options, 1.0)
}

/// [`compress_text`] with an extra per-message bias multiplier.
pub fn compress_text_with_bias(
    text: &str,
    tool: &ToolContext,
    options: &Options,
    extra_bias: f64,
) -> TextResult {
    let excluded = tool
        .tool_name
        .as_deref()
        .is_some_and(|name| options.exclude_tools.iter().any(|t| t == name));
    if text.len() < options.min_bytes || excluded || marker::has_marker(text) {
        return TextResult::unchanged(text, "text", tokens::count(text));
    }
    let lines = Lines::parse(text);
    let file_path = tool.file_path();
    let kind = options
        .kind
        .as_deref()
        .and_then(Kind::parse)
        .unwrap_or_else(|| router::detect(&lines, file_path.as_deref()));
    let tokens_before = tokens::count(text);

    // Files read in order to be edited need their exact text: in
    // `conservative`, line-numbered source is never compressed.
    if lines.is_numbered() && kind == Kind::Code && options.profile == Profile::Conservative {
        return TextResult::unchanged(text, kind.as_str(), tokens_before);
    }

    let query_texts = [
        options.query.as_deref(),
        tool.user_text.as_deref(),
        tool.tool_args.as_deref(),
    ];
    let query = Query::from_texts(query_texts.into_iter().flatten());
    let hash = content_hash(text);
    let mut params = options.params();
    if extra_bias != 1.0 {
        params = crate::options::Params::new(options.profile, options.bias * extra_bias);
    }
    let ctx = Ctx {
        params,
        query: &query,
        lossless_only: !options.ccr,
        hash: &hash,
        file_path: file_path.as_deref(),
        tool_name: tool.tool_name.as_deref(),
    };

    let (outcome, name) = transforms::run(kind, &lines, &ctx);
    let (candidate, omitted) = match outcome {
        Outcome::Unchanged => return TextResult::unchanged(text, kind.as_str(), tokens_before),
        Outcome::Text { text: out, omitted } => (out, omitted),
        Outcome::Lines(plan) => {
            let omitted_lines = plan.omitted_lines();
            if omitted_lines == 0 {
                (plan::render(&lines, &plan, None), None)
            } else {
                let omitted = format!("{omitted_lines} of {} lines", lines.len());
                let block = marker::block(&omitted, &plan.kept, &hash);
                (plan::render(&lines, &plan, Some(&block)), Some(omitted))
            }
        }
    };

    // A lossy result is only allowed when the host stores originals.
    if omitted.is_some() && !options.ccr {
        return TextResult::unchanged(text, kind.as_str(), tokens_before);
    }
    if candidate == text {
        return TextResult::unchanged(text, kind.as_str(), tokens_before);
    }
    let tokens_after = tokens::count(&candidate);
    let required = (tokens_before as f64) * (1.0 - options.min_savings);
    if tokens_after as f64 > required {
        return TextResult::unchanged(text, kind.as_str(), tokens_before);
    }
    let ccr = omitted.map(|omitted| CcrEntry {
        hash: hash.clone(),
        original: text.to_string(),
        kind: kind.as_str().to_string(),
        omitted,
    });
    TextResult {
        text: candidate,
        compressed: true,
        kind: kind.as_str().to_string(),
        transforms: vec![name.to_string()],
        tokens_before,
        tokens_after,
        ccr,
    }
}
