//! `headroom-host compress`: one tool output (or one request body) through
//! the wasm engine, printed as text or as a JSON result.

use crate::cli::CompressArgs;
use crate::input;
use anyhow::{Context, Result};
use headroom_core::{CcrEntry, MessagesResult, Options, TextResult, ToolContext};
use headroom_host::{Engine, WasmEngine};
use serde::Serialize;
use std::io::Write;

/// `--json` output for one tool output.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompressJson {
    /// The compressed text (the original when nothing was worth changing).
    pub compressed: String,
    pub tokens_before: usize,
    pub tokens_after: usize,
    pub transforms_applied: Vec<String>,
    pub kind: String,
    /// Originals to store, one per marker in `compressed`.
    pub ccr: Vec<CcrEntry>,
}

impl From<TextResult> for CompressJson {
    fn from(r: TextResult) -> Self {
        Self {
            compressed: r.text,
            tokens_before: r.tokens_before,
            tokens_after: r.tokens_after,
            transforms_applied: r.transforms,
            kind: r.kind,
            ccr: r.ccr.into_iter().collect(),
        }
    }
}

pub fn run(args: CompressArgs) -> Result<()> {
    let text = input::read_text(args.file.as_deref())?;
    let options = Options {
        profile: args.profile,
        bias: args.bias,
        query: args.query.clone(),
        ccr: !args.lossless,
        kind: args.kind.clone(),
        ..Options::default()
    };
    let engine = WasmEngine::new().context("cannot start the engine")?;
    let output = if args.messages {
        let result = engine
            .compress_messages(&text, &options)
            .context("cannot compress the request body")?;
        render_messages(result, args.json)
    } else {
        let tool = ToolContext {
            tool_name: args.tool_name.clone(),
            tool_args: args.tool_args.clone(),
            user_text: None,
        };
        let result = engine
            .compress_text(&text, &tool, &options)
            .context("cannot compress the input")?;
        render_text(result, args.json)
    };
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(output.as_bytes())
        .and_then(|_| stdout.flush())
        .context("cannot write to standard output")
}

/// The compressed text as is, or the JSON result on one line.
pub fn render_text(result: TextResult, json: bool) -> String {
    if json {
        to_json_line(&CompressJson::from(result))
    } else {
        result.text
    }
}

/// The compressed body as is, or the messages result on one line.
pub fn render_messages(result: MessagesResult, json: bool) -> String {
    if json {
        to_json_line(&result)
    } else {
        result.body
    }
}

fn to_json_line<T: Serialize>(value: &T) -> String {
    let mut line = serde_json::to_string(value).expect("results serialize to JSON");
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(ccr: Option<CcrEntry>) -> TextResult {
        TextResult {
            text: "short".into(),
            compressed: ccr.is_some(),
            kind: "log".into(),
            transforms: vec!["log".into()],
            tokens_before: 10,
            tokens_after: 4,
            ccr,
        }
    }

    #[test]
    fn plain_output_is_the_text_untouched() {
        assert_eq!(render_text(result(None), false), "short");
    }

    #[test]
    fn json_output_has_the_documented_fields() {
        let entry = CcrEntry {
            hash: "h".into(),
            original: "o".into(),
            kind: "log".into(),
            omitted: "1 of 2 lines".into(),
        };
        let v: serde_json::Value =
            serde_json::from_str(&render_text(result(Some(entry)), true)).unwrap();
        assert_eq!(v["compressed"], "short");
        assert_eq!(v["tokensBefore"], 10);
        assert_eq!(v["tokensAfter"], 4);
        assert_eq!(v["transformsApplied"], serde_json::json!(["log"]));
        assert_eq!(v["kind"], "log");
        assert_eq!(v["ccr"][0]["hash"], "h");
        assert_eq!(v["ccr"][0]["omitted"], "1 of 2 lines");
        let v: serde_json::Value = serde_json::from_str(&render_text(result(None), true)).unwrap();
        assert_eq!(v["ccr"], serde_json::json!([]));
    }
}
