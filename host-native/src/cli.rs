//! Command-line surface of `headroom-host`. Values are checked here so a bad
//! flag is reported by its flag name, before any engine work.

use clap::{Args, Parser, Subcommand};
use headroom_core::{Kind, Profile};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "headroom-host",
    about = "Headroom: context compression for AI coding agents",
    disable_version_flag = true
)]
pub struct Cli {
    /// Print the version and the embedded engine module's sha256 prefix.
    #[arg(short = 'V', long = "version")]
    pub version: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compress one tool output (or, with --messages, a whole request body).
    Compress(CompressArgs),
    /// Compare compression throughput under wasmtime and natively.
    Bench(BenchArgs),
    /// Run the HTTP proxy in front of the Anthropic and OpenAI APIs.
    Proxy(headroom_host::proxy::ProxyArgs),
    /// Print the original stored under a marker's hash.
    Retrieve(headroom_host::proxy::commands::RetrieveArgs),
    /// Show a running proxy's stats.
    Stats(headroom_host::proxy::commands::StatsArgs),
    /// Measure the proxy's added latency against a loopback mock upstream.
    #[command(hide = true)]
    BenchProxy(headroom_host::proxy::bench::BenchProxyArgs),
}

#[derive(Debug, Args)]
pub struct CompressArgs {
    /// File to compress; `-` or nothing reads standard input.
    pub file: Option<PathBuf>,
    /// Extra query text: matching lines/rows are kept.
    #[arg(long, value_name = "Q")]
    pub query: Option<String>,
    /// conservative, balanced or aggressive.
    #[arg(long, value_name = "P", value_parser = parse_profile, default_value = "balanced")]
    pub profile: Profile,
    /// Keep more (>1) or less (<1) than the profile does, e.g. 2 or 0.5.
    #[arg(long, value_name = "B", value_parser = parse_bias, default_value_t = 1.0, allow_negative_numbers = true)]
    pub bias: f64,
    /// Declare the kind instead of detecting it: json, log, test, search, diff, code, text.
    #[arg(long, value_name = "K", value_parser = parse_kind)]
    pub kind: Option<String>,
    /// Lossless compression only (nothing omitted, no markers).
    #[arg(long)]
    pub lossless: bool,
    /// Name of the tool that produced the output (e.g. Read, Bash).
    #[arg(long, value_name = "N")]
    pub tool_name: Option<String>,
    /// The tool call's arguments as JSON, e.g. '{"file_path":"src/app.py"}'.
    #[arg(long, value_name = "JSON", value_parser = parse_json_text)]
    pub tool_args: Option<String>,
    /// Print the full result as JSON instead of the compressed text.
    #[arg(long)]
    pub json: bool,
    /// The input is a whole request body (Anthropic, OpenAI Chat/Responses, Vercel AI SDK).
    #[arg(long, conflicts_with_all = ["kind", "tool_name", "tool_args"])]
    pub messages: bool,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Files to compress (each one is one tool output).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Timed runs per file and runtime (the best is reported).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    pub iterations: u32,
    /// Print the results as JSON.
    #[arg(long)]
    pub json: bool,
}

fn parse_profile(s: &str) -> Result<Profile, String> {
    s.parse()
}

fn parse_bias(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(b) if b.is_finite() && b > 0.0 => Ok(b),
        _ => Err(format!(
            "`{s}` is not a number greater than 0 (e.g. 0.5, 1, 2)"
        )),
    }
}

fn parse_kind(s: &str) -> Result<String, String> {
    match Kind::parse(s) {
        Some(kind) => Ok(kind.as_str().to_string()),
        None => Err(format!(
            "unknown kind `{s}` (expected json, log, test, search, diff, code or text)"
        )),
    }
}

fn parse_json_text(s: &str) -> Result<String, String> {
    serde_json::from_str::<serde_json::Value>(s)
        .map(|_| s.to_string())
        .map_err(|e| format!("not valid JSON: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("headroom-host").chain(args.iter().copied()))
    }

    #[test]
    fn compress_flags_parse_into_typed_values() {
        let cli = parse(&[
            "compress",
            "f.log",
            "--profile",
            "aggressive",
            "--bias",
            "2",
            "--kind",
            "logs",
        ])
        .unwrap();
        let Some(Command::Compress(args)) = cli.command else {
            panic!("expected compress")
        };
        assert_eq!(args.profile, Profile::Aggressive);
        assert_eq!(args.bias, 2.0);
        assert_eq!(args.kind.as_deref(), Some("log"));
        assert_eq!(args.file, Some(PathBuf::from("f.log")));
    }

    #[test]
    fn bad_flag_values_are_refused_with_the_reason() {
        for (args, needle) in [
            (&["compress", "--bias", "-1"][..], "greater than 0"),
            (&["compress", "--bias", "NaN"][..], "greater than 0"),
            (&["compress", "--profile", "fast"][..], "unknown profile"),
            (&["compress", "--kind", "yaml"][..], "unknown kind"),
            (&["compress", "--tool-args", "{oops"][..], "not valid JSON"),
            (&["bench"][..], "required"),
        ] {
            let err = parse(args).unwrap_err().to_string();
            assert!(err.contains(needle), "{args:?}: {err}");
        }
    }
}
