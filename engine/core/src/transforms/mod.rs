//! The transforms, one module each. A transform reads the content and the
//! [`Ctx`], and returns an [`Outcome`]; it never hashes, counts tokens or
//! writes the block marker itself (the pipeline does, the same way for all).

pub mod code;
#[cfg(test)]
mod corpus;
pub mod diff;
pub mod json;
pub mod log;
mod mask;
pub mod search;
pub mod test;
pub mod text;

use crate::lines::Lines;
use crate::options::Params;
use crate::plan::Plan;
use crate::query::Query;
use crate::router::Kind;

/// What a transform may know about the output it compresses.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    pub params: Params,
    pub query: &'a Query,
    /// No information may be lost: the host cannot store originals.
    pub lossless_only: bool,
    /// Hash of the original, for transforms that embed markers themselves
    /// (JSON markers are JSON values inside the document).
    pub hash: &'a str,
    /// Path argument of the tool call, if any (language detection for code).
    pub file_path: Option<&'a str>,
    pub tool_name: Option<&'a str>,
}

/// A transform's result.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A line plan; the pipeline renders it and adds the block marker.
    Lines(Plan),
    /// A whole new text. `omitted` is `Some("485 of 500 items")` when the
    /// transform dropped content and already embedded its own markers.
    Text {
        text: String,
        omitted: Option<String>,
    },
    /// Nothing worth doing.
    Unchanged,
}

/// Run the transform for `kind`. Returns the outcome and the transform's name.
pub fn run(kind: Kind, lines: &Lines, ctx: &Ctx) -> (Outcome, &'static str) {
    match kind {
        Kind::Json => (json::compress_lines(lines, ctx), "json"),
        Kind::Log => (log::compress(lines, ctx), "log"),
        Kind::Test => (test::compress(lines, ctx), "test"),
        Kind::Search => (search::compress(lines, ctx), "search"),
        Kind::Diff => (diff::compress(lines, ctx), "diff"),
        Kind::Code => (code::compress(lines, ctx), "code"),
        Kind::Text => (text::compress(lines, ctx), "text"),
    }
}
