//! Caller-facing options and the numeric knobs each profile turns into.

use serde::{Deserialize, Serialize};

/// How hard to compress. `balanced` is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// Keeps more context; never compresses line-numbered source files.
    Conservative,
    #[default]
    Balanced,
    Aggressive,
}

impl std::str::FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "conservative" => Ok(Self::Conservative),
            "balanced" => Ok(Self::Balanced),
            "aggressive" => Ok(Self::Aggressive),
            other => Err(format!(
                "unknown profile `{other}` (expected conservative, balanced or aggressive)"
            )),
        }
    }
}

/// Request-body shapes the message pipeline understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shape {
    /// Anthropic Messages API (`messages` with `tool_use` / `tool_result` blocks).
    Anthropic,
    /// OpenAI Chat Completions (`messages` with `role: "tool"`).
    OpenaiChat,
    /// OpenAI Responses (`input` items with `function_call_output`).
    OpenaiResponses,
    /// Vercel AI SDK language-model prompt (array of messages with `tool-result` parts).
    Vercel,
}

/// Options for one compression call. Every field has a default, so `{}` is a
/// valid options object on every ABI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Options {
    pub profile: Profile,
    /// Multiplies how much is kept: `2.0` keeps about twice as many lines/rows,
    /// `0.5` about half. Clamped to `0.25..=4.0`.
    pub bias: f64,
    /// Extra query text; matching lines/rows are kept. In the message pipeline
    /// the query also includes the tool call's arguments and the user text
    /// that preceded the call.
    pub query: Option<String>,
    /// `true` when the host stores originals (so lossy compression with
    /// markers is allowed). `false` asks for lossless-only compression.
    pub ccr: bool,
    /// A transform must save at least this fraction of tokens, or the
    /// original is kept.
    pub min_savings: f64,
    /// Tool outputs shorter than this many bytes are never touched.
    pub min_bytes: usize,
    /// Tool names whose outputs are never touched.
    pub exclude_tools: Vec<String>,
    /// The first N messages are left exactly as they are.
    pub frozen_message_count: usize,
    /// Declared kind for `compress_text` (skips detection).
    pub kind: Option<String>,
    /// Declared request shape for `compress_messages` (skips detection).
    pub shape: Option<Shape>,
    /// Per-message bias multipliers (index in the message list -> bias),
    /// applied on top of `bias`. Used by `computeBiases` hooks.
    pub message_biases: Vec<(usize, f64)>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            profile: Profile::Balanced,
            bias: 1.0,
            query: None,
            ccr: true,
            min_savings: 0.10,
            min_bytes: 512,
            exclude_tools: Vec::new(),
            frozen_message_count: 0,
            kind: None,
            shape: None,
            message_biases: Vec::new(),
        }
    }
}

impl Options {
    /// The knobs for this profile and bias.
    pub fn params(&self) -> Params {
        Params::new(self.profile, self.bias)
    }
}

/// Numeric knobs derived from a profile and a bias. Transforms read these and
/// nothing else, so a profile means the same thing in every transform.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    pub profile: Profile,
    /// Effective bias after clamping.
    pub bias: f64,
    /// Lines of context kept around an error/failure line.
    pub context_lines: usize,
    /// Examples kept per line template (lines that differ only in numbers/ids).
    pub examples_per_template: usize,
    /// Lines kept at the head and at the tail of an output.
    pub head_lines: usize,
    pub tail_lines: usize,
    /// Rows kept from a large JSON array (before error/outlier/query rows).
    pub json_rows: usize,
    /// Matches kept per file in search results (before query matches).
    pub search_per_file: usize,
    /// Context lines kept around changes in a diff hunk.
    pub diff_context: usize,
    /// Changed lines kept per diff hunk before the rest is summarized.
    pub diff_changed_per_hunk: usize,
}

impl Params {
    pub fn new(profile: Profile, bias: f64) -> Self {
        let bias = if bias.is_finite() {
            bias.clamp(0.25, 4.0)
        } else {
            1.0
        };
        let (context, examples, head, tail, rows, per_file, diff_ctx, diff_changed) = match profile
        {
            Profile::Conservative => (3, 3, 10, 10, 30, 8, 3, 60),
            Profile::Balanced => (2, 1, 5, 5, 12, 4, 1, 24),
            Profile::Aggressive => (1, 1, 3, 3, 6, 2, 0, 12),
        };
        let scale = |n: usize| -> usize {
            if n == 0 {
                0
            } else {
                ((n as f64 * bias).round() as usize).max(1)
            }
        };
        Self {
            profile,
            bias,
            context_lines: scale(context),
            examples_per_template: scale(examples),
            head_lines: scale(head),
            tail_lines: scale(tail),
            json_rows: scale(rows),
            search_per_file: scale(per_file),
            diff_context: scale(diff_ctx),
            diff_changed_per_hunk: scale(diff_changed),
        }
    }
}

impl Default for Params {
    fn default() -> Self {
        Self::new(Profile::Balanced, 1.0)
    }
}
