//! `headroom-host proxy` flags. Every flag is also a `HEADROOM_*`
//! environment variable, so a container can be configured without a
//! command line.

use clap::{Args, ValueEnum};
use headroom_core::{Options, Profile};
use std::time::Duration;

/// What the proxy does to requests it could compress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// Compress tool outputs (the default).
    Optimize,
    /// Measure what would be saved, forward every request unchanged.
    Audit,
    /// Forward everything unchanged, measure nothing.
    Off,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Optimize => "optimize",
            Mode::Audit => "audit",
            Mode::Off => "off",
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct ProxyArgs {
    /// Port to listen on.
    #[arg(long, env = "HEADROOM_PROXY_PORT", default_value_t = 8787)]
    pub port: u16,
    /// Address to bind (127.0.0.1 keeps the proxy private to this machine).
    #[arg(long, env = "HEADROOM_PROXY_HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// optimize, audit or off.
    #[arg(long, env = "HEADROOM_MODE", value_enum, default_value = "optimize")]
    pub mode: Mode,
    /// Where originals are kept: sqlite:PATH or redis://HOST:PORT
    /// (default: sqlite under $XDG_DATA_HOME/headroom/).
    #[arg(long, env = "HEADROOM_STORE", value_name = "SPEC")]
    pub store: Option<String>,
    /// Anthropic API base URL.
    #[arg(
        long,
        env = "HEADROOM_ANTHROPIC_UPSTREAM",
        default_value = "https://api.anthropic.com",
        value_name = "URL"
    )]
    pub anthropic_upstream: String,
    /// OpenAI API base URL (with or without a trailing /v1).
    #[arg(
        long,
        env = "HEADROOM_OPENAI_UPSTREAM",
        default_value = "https://api.openai.com",
        value_name = "URL"
    )]
    pub openai_upstream: String,
    /// conservative, balanced or aggressive.
    #[arg(long, env = "HEADROOM_PROFILE", value_parser = parse_profile, default_value = "balanced")]
    pub profile: Profile,
    /// Requests larger than this are forwarded unchanged.
    #[arg(long, env = "HEADROOM_MAX_BODY_MB", default_value_t = 32)]
    pub max_body_mb: usize,
    /// Time limit of one engine call; past it the request goes out unchanged.
    #[arg(long, env = "HEADROOM_ENGINE_TIMEOUT_MS", default_value_t = 5000)]
    pub engine_timeout_ms: u64,
    /// Memory limit of one engine instance.
    #[arg(long, env = "HEADROOM_ENGINE_MEMORY_MB", default_value_t = 1024)]
    pub engine_memory_mb: usize,
    /// Memory for cached compression results (per tool output).
    #[arg(long, env = "HEADROOM_CACHE_MB", default_value_t = 256)]
    pub cache_mb: usize,
    /// How long stored originals are kept after their last use.
    #[arg(long, env = "HEADROOM_STORE_TTL_HOURS", default_value_t = 168)]
    pub store_ttl_hours: u64,
    /// Size cap of the SQLite store.
    #[arg(long, env = "HEADROOM_STORE_MAX_MB", default_value_t = 1024)]
    pub store_max_mb: u64,
    /// Most headroom_retrieve rounds the proxy answers within one request.
    #[arg(long, env = "HEADROOM_RETRIEVE_ROUNDS", default_value_t = 3)]
    pub retrieve_rounds: usize,
    /// Bearer token that opens the admin and retrieve routes to
    /// non-loopback clients.
    #[arg(long, env = "HEADROOM_PROXY_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Tests only: every engine call fails with this fault.
    #[arg(long, env = "HEADROOM_INJECT_ENGINE_FAULT", value_enum, hide = true)]
    pub inject_engine_fault: Option<super::fault_inject::InjectedFault>,
}

impl ProxyArgs {
    /// Compression options for every request.
    pub fn options(&self) -> Options {
        Options {
            profile: self.profile,
            ..Options::default()
        }
    }

    pub fn engine_timeout(&self) -> Duration {
        Duration::from_millis(self.engine_timeout_ms)
    }
}

fn parse_profile(s: &str) -> Result<Profile, String> {
    s.parse()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        args: ProxyArgs,
    }

    #[test]
    fn defaults_bind_loopback_8787_in_optimize_mode() {
        let w = Wrapper::try_parse_from(["x"]).unwrap();
        assert_eq!(w.args.port, 8787);
        assert_eq!(w.args.host, "127.0.0.1");
        assert_eq!(w.args.mode, Mode::Optimize);
        assert_eq!(w.args.retrieve_rounds, 3);
    }

    #[test]
    fn flags_parse_and_bad_values_are_refused() {
        let w =
            Wrapper::try_parse_from(["x", "--mode", "audit", "--profile", "aggressive"]).unwrap();
        assert_eq!(w.args.mode, Mode::Audit);
        assert_eq!(w.args.options().profile, Profile::Aggressive);
        assert!(Wrapper::try_parse_from(["x", "--mode", "fast"]).is_err());
        assert!(Wrapper::try_parse_from(["x", "--port", "70000"]).is_err());
    }
}
