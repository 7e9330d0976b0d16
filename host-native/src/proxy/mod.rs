//! `headroom-host proxy`: an HTTP proxy in front of the Anthropic and
//! OpenAI APIs that compresses the tool outputs inside requests with the
//! wasm engine, stores the originals (SQLite or Redis), and answers for the
//! rest: admin routes, stats, faults that never break a request.

pub mod admin;
pub mod bench;
pub mod cache;
pub mod calls;
pub mod commands;
pub mod compressor;
pub mod config;
pub mod fault_inject;
pub mod forward;
pub mod inject;
pub mod retrieval;
pub mod routes;
pub mod server;
pub mod sse;
pub mod stats;
pub mod stream_anthropic;
pub mod stream_openai;
pub mod stream_responses;
pub mod text_body;

pub use config::{Mode, ProxyArgs};

use crate::engine::Engine;
use crate::store::{Retention, StoreSpec};
use crate::wasm_engine::{WasmConfig, WasmEngine, EMBEDDED_MODULE};
use anyhow::Context;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// A proxy bound to its port, not yet serving.
pub struct Bound {
    pub addr: SocketAddr,
    listener: tokio::net::TcpListener,
    app: Arc<server::App>,
}

/// Build everything (engine, store, client) and bind the port.
pub async fn bind(args: &ProxyArgs) -> anyhow::Result<Bound> {
    let config = WasmConfig {
        memory_limit_bytes: args.engine_memory_mb << 20,
        timeout: args.engine_timeout(),
        ..WasmConfig::default()
    };
    let engine = WasmEngine::from_module(EMBEDDED_MODULE, config)
        .context("cannot load the engine module")?;
    {
        let engine = engine.clone();
        // A failed warm-up is not fatal: the first request pays instead.
        let _ = tokio::task::spawn_blocking(move || engine.warm_up()).await;
    }
    let spec = StoreSpec::parse(args.store.as_deref()).context("invalid --store")?;
    let retention = Retention {
        ttl: Duration::from_secs(args.store_ttl_hours.max(1) * 3600),
        max_bytes: args.store_max_mb << 20,
    };
    let store = spec
        .open(retention)
        .await
        .with_context(|| format!("cannot open the store {spec:?}"))?;
    let stats = Arc::new(stats::Stats::new());
    let engine: Arc<dyn Engine> = match args.inject_engine_fault {
        Some(fault) => Arc::new(fault_inject::FaultyEngine(fault)),
        None => Arc::new(engine),
    };
    let compressor = Arc::new(compressor::Compressor::new(
        engine,
        store,
        args.options(),
        args.cache_mb << 20,
        Arc::clone(&stats),
    ));
    let app = Arc::new(server::App {
        mode: args.mode,
        compressor,
        stats,
        client: forward::client(),
        anthropic_upstream: forward::parse_base(&args.anthropic_upstream)
            .context("invalid --anthropic-upstream")?,
        openai_upstream: forward::parse_base(&args.openai_upstream)
            .context("invalid --openai-upstream")?,
        max_body_bytes: args.max_body_mb << 20,
        token: args.token.clone(),
        retrieve_rounds: args.retrieve_rounds,
    });
    let listener = tokio::net::TcpListener::bind((args.host.as_str(), args.port))
        .await
        .with_context(|| format!("cannot listen on {}:{}", args.host, args.port))?;
    let addr = listener.local_addr()?;
    Ok(Bound {
        addr,
        listener,
        app,
    })
}

impl Bound {
    /// Serve until `shutdown` resolves, then finish the requests in flight.
    pub async fn serve(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        use axum::serve::ListenerExt;
        let router = server::router(self.app);
        // Small SSE events must leave at once, not wait for Nagle.
        let listener = self.listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
        .context("server failed")
    }
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// `headroom-host proxy`: bind, print where, serve until a signal.
pub fn run(args: ProxyArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let bound = bind(&args).await?;
        eprintln!(
            "headroom-proxy: listening on http://{} (mode {}, store {})",
            bound.addr,
            args.mode.as_str(),
            bound.app.compressor.store().backend()
        );
        bound.serve(shutdown_signal()).await?;
        eprintln!("headroom-proxy: stopped");
        Ok(())
    })
}
