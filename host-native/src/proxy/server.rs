//! The HTTP server: admin routes, and the proxy handler for everything
//! else. Requests the proxy may edit are buffered (up to the body limit),
//! compressed and forwarded; all others stream through untouched.

use super::compressor::Compressor;
use super::config::Mode;
use super::forward;
use super::routes::{Route, Upstream};
use super::stats::{Fault, Stats};
use super::text_body::TextBody;
use super::{admin, retrieval};
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, Response, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use reqwest::Url;
use std::net::SocketAddr;
use std::sync::Arc;

/// Everything a request handler needs, shared by all of them.
pub struct App {
    pub mode: Mode,
    pub compressor: Arc<Compressor>,
    pub stats: Arc<Stats>,
    pub client: reqwest::Client,
    pub anthropic_upstream: Url,
    pub openai_upstream: Url,
    pub max_body_bytes: usize,
    pub token: Option<String>,
    pub retrieve_rounds: usize,
}

impl App {
    /// Count a fault and log one line (never content or keys).
    pub fn fault(&self, fault: Fault, route: Route) {
        self.stats.fault(fault);
        eprintln!(
            "headroom-proxy: fault={} route={} action=forwarded-unmodified",
            fault.as_str(),
            route.name()
        );
    }

    fn upstream_base(&self, upstream: Upstream) -> &Url {
        match upstream {
            Upstream::Anthropic => &self.anthropic_upstream,
            Upstream::Openai => &self.openai_upstream,
        }
    }
}

pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/livez", get(admin::livez))
        .route("/readyz", get(admin::readyz))
        .route("/stats", get(admin::stats))
        .route("/metrics", get(admin::metrics))
        .route("/v1/compress", post(admin::compress))
        .route("/v1/retrieve/{hash}", get(admin::retrieve))
        .fallback(proxy)
        .with_state(app)
}

/// A request body read up to the limit, or the chunks read so far and the
/// rest still streaming.
enum ReadBody {
    Whole(Bytes),
    TooLarge(Vec<Bytes>, axum::body::BodyDataStream),
    Failed,
}

/// Read the body's chunks; one chunk (hyper hands over what the socket
/// held, usually the whole body) is used as is, several are joined once.
async fn read_limited(body: Body, limit: usize) -> ReadBody {
    let mut stream = body.into_data_stream();
    let mut chunks = Vec::new();
    let mut len = 0;
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else {
            return ReadBody::Failed;
        };
        len += chunk.len();
        chunks.push(chunk);
        if len > limit {
            return ReadBody::TooLarge(chunks, stream);
        }
    }
    ReadBody::Whole(join(chunks, len))
}

fn join(mut chunks: Vec<Bytes>, len: usize) -> Bytes {
    if chunks.len() == 1 {
        return chunks.swap_remove(0);
    }
    let mut buf = BytesMut::with_capacity(len);
    for chunk in &chunks {
        buf.extend_from_slice(chunk);
    }
    buf.freeze()
}

async fn proxy(
    State(app): State<Arc<App>>,
    ConnectInfo(_peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path();
    let path_and_query = parts.uri.path_and_query().map_or(path, |pq| pq.as_str());
    let route = Route::classify(&parts.method, path);
    app.stats.request(route.name());
    let upstream = Upstream::for_request(path, &parts.headers);
    let url = forward::upstream_url(app.upstream_base(upstream), path_and_query);
    let headers = forward::request_headers(&parts.headers);

    let editable = route.compressible()
        && app.mode != Mode::Off
        && !parts.headers.contains_key("content-encoding");
    if !editable {
        let body = reqwest::Body::wrap_stream(body.into_data_stream());
        return send(&app, parts.method, &url, headers, body).await;
    }

    let original = match read_limited(body, app.max_body_bytes).await {
        ReadBody::Whole(bytes) => bytes,
        ReadBody::TooLarge(read, rest) => {
            app.fault(Fault::BodyTooLarge, route);
            let whole = futures_util::stream::iter(read.into_iter().map(Ok)).chain(rest);
            let body = reqwest::Body::wrap_stream(whole);
            return send(&app, parts.method, &url, headers, body).await;
        }
        ReadBody::Failed => {
            return Response::builder()
                .status(StatusCode::BAD_REQUEST)
                .body(Body::from("request body could not be read"))
                .expect("static response")
        }
    };
    let text = match TextBody::new(original) {
        Ok(text) => text,
        Err(original) => {
            app.fault(Fault::MalformedBody, route);
            return send(&app, parts.method, &url, headers, original.into()).await;
        }
    };
    let original = text.bytes();

    let compressed = match app
        .compressor
        .compress(text, app.mode == Mode::Optimize)
        .await
    {
        Ok(c) => c,
        Err(fault) => {
            app.fault(fault, route);
            return send(&app, parts.method, &url, headers, original.into()).await;
        }
    };
    if app.mode == Mode::Audit {
        let saved = compressed
            .tokens_before
            .saturating_sub(compressed.tokens_after);
        app.stats.count(&app.stats.audit_tokens_saved, saved as u64);
        return send(&app, parts.method, &url, headers, original.into()).await;
    }
    app.stats.compressed(
        compressed.tokens_before,
        compressed.tokens_after,
        &compressed.transforms,
    );
    app.stats
        .count(&app.stats.expansions, compressed.expanded as u64);

    retrieval::forward(app, route, parts.method, url, headers, compressed).await
}

/// Send upstream and stream the answer back; a failure to connect is a 502.
pub async fn send(
    app: &App,
    method: axum::http::Method,
    url: &Url,
    headers: HeaderMap,
    body: reqwest::Body,
) -> Response<Body> {
    match forward::send(&app.client, method, url, headers, body).await {
        Ok(upstream) => forward::stream_back(upstream),
        Err(e) => forward::bad_gateway(&upstream_error(&e)),
    }
}

/// Why the upstream call failed, without the URL's query or any header.
pub fn upstream_error(e: &reqwest::Error) -> String {
    if e.is_connect() {
        "cannot connect to the upstream".into()
    } else if e.is_timeout() {
        "upstream timed out".into()
    } else {
        "upstream connection failed".into()
    }
}
