//! Print what the engine makes of one file, for eyeballing a fixture:
//! `cargo run --release -p headroom-tests --bin peek -- FILE [--lossless] [--numbered] [--query Q]`.

use anyhow::{Context, Result};
use headroom_core::{compress_text, Options, ToolContext};
use headroom_tests::numbered;

fn main() -> Result<()> {
    let mut path = None;
    let mut options = Options::default();
    let mut numbered_input = false;
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--lossless" => options.ccr = false,
            "--numbered" => numbered_input = true,
            "--query" => options.query = Some(it.next().context("--query needs a value")?),
            _ => path = Some(arg),
        }
    }
    let path = path.context("usage: peek FILE [--lossless] [--numbered] [--query Q]")?;
    let raw = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    let (input, ctx) = if numbered_input {
        let name = std::path::Path::new(&path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let args = serde_json::json!({ "file_path": name }).to_string();
        let ctx = ToolContext {
            tool_name: Some("Read".into()),
            tool_args: Some(args),
            user_text: None,
        };
        (numbered::number(&raw), ctx)
    } else {
        (raw, ToolContext::default())
    };
    let result = compress_text(&input, &ctx, &options);
    println!("{}", result.text);
    eprintln!(
        "kind={} compressed={} transforms={:?} tokens {} -> {} ccr={:?}",
        result.kind,
        result.compressed,
        result.transforms,
        result.tokens_before,
        result.tokens_after,
        result.ccr.as_ref().map(|e| (&e.hash, &e.omitted))
    );
    Ok(())
}
