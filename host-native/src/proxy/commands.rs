//! `headroom-host retrieve HASH` (reads the configured store) and
//! `headroom-host stats` (asks a running proxy).

use crate::store::{Retention, StoreSpec};
use anyhow::{bail, Context};
use clap::Args;
use std::io::Write;

#[derive(Debug, Clone, Args)]
pub struct RetrieveArgs {
    /// The hash from a marker (24 hex digits).
    pub hash: String,
    /// The store the proxy uses: sqlite:PATH or redis://HOST:PORT.
    #[arg(long, env = "HEADROOM_STORE", value_name = "SPEC")]
    pub store: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct StatsArgs {
    /// Base URL of the running proxy.
    #[arg(
        long,
        env = "HEADROOM_PROXY_URL",
        default_value = "http://127.0.0.1:8787"
    )]
    pub url: String,
    /// Print Prometheus metrics instead of the JSON stats.
    #[arg(long)]
    pub metrics: bool,
    /// Token for a proxy that is not on this machine.
    #[arg(long, env = "HEADROOM_PROXY_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Print the exact original bytes (no newline added).
pub fn retrieve(args: RetrieveArgs) -> anyhow::Result<()> {
    if !super::admin::is_hash(&args.hash) {
        bail!("`{}` is not a Headroom hash (24 hex digits)", args.hash);
    }
    let spec = StoreSpec::parse(args.store.as_deref()).context("invalid --store")?;
    let original = runtime()?.block_on(async {
        let store = spec
            .open(Retention::default())
            .await
            .with_context(|| format!("cannot open the store {spec:?}"))?;
        store.get(&args.hash).await.context("store lookup failed")
    })?;
    match original {
        Some(text) => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
            Ok(())
        }
        None => bail!(
            "no original stored under {} (unknown or expired)",
            args.hash
        ),
    }
}

pub fn stats(args: StatsArgs) -> anyhow::Result<()> {
    let path = if args.metrics { "/metrics" } else { "/stats" };
    let url = format!("{}{path}", args.url.trim_end_matches('/'));
    let body = runtime()?.block_on(async {
        let mut request = reqwest::Client::new().get(&url);
        if let Some(token) = &args.token {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .with_context(|| format!("cannot reach the proxy at {url}"))?;
        let status = response.status();
        let body = response.text().await.context("cannot read the answer")?;
        if !status.is_success() {
            bail!("{url} answered {status}: {body}");
        }
        Ok(body)
    })?;
    if args.metrics {
        print!("{body}");
    } else {
        let value: serde_json::Value = serde_json::from_str(&body).context("stats are not JSON")?;
        println!("{}", serde_json::to_string_pretty(&value)?);
    }
    Ok(())
}
