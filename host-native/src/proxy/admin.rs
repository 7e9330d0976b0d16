//! Admin routes: probes, stats, metrics, compress and retrieve. All but the
//! probes answer only loopback clients, unless a token is configured and
//! presented as `Authorization: Bearer <token>`.

use super::compressor::engine_fault;
use super::server::App;
use crate::engine::Op;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, Response, StatusCode};
use headroom_core::CcrEntry;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::Arc;

fn respond(status: StatusCode, content_type: &str, body: impl Into<Body>) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type)
        .body(body.into())
        .expect("static response")
}

fn json_response(status: StatusCode, value: &Value) -> Response<Body> {
    respond(status, "application/json", value.to_string())
}

/// Loopback peers always; others only with the configured token.
pub fn authorized(app: &App, peer: &SocketAddr, headers: &HeaderMap) -> bool {
    if peer.ip().is_loopback() {
        return true;
    }
    let Some(token) = app.token.as_deref().filter(|t| !t.is_empty()) else {
        return false;
    };
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    constant_time_eq(presented.as_bytes(), token.as_bytes())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn forbidden() -> Response<Body> {
    json_response(
        StatusCode::FORBIDDEN,
        &json!({"error": "admin routes answer loopback clients, or a client presenting HEADROOM_PROXY_TOKEN"}),
    )
}

pub async fn livez() -> Response<Body> {
    json_response(StatusCode::OK, &json!({"live": true}))
}

/// Ready when the store answers.
pub async fn readyz(State(app): State<Arc<App>>) -> Response<Body> {
    let store = app.compressor.store();
    match store.ping().await {
        Ok(()) => json_response(
            StatusCode::OK,
            &json!({"ready": true, "store": store.backend(), "mode": app.mode.as_str()}),
        ),
        Err(_) => json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            &json!({"ready": false, "store": store.backend(), "reason": "store unavailable"}),
        ),
    }
}

pub async fn stats(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response<Body> {
    if !authorized(&app, &peer, &headers) {
        return forbidden();
    }
    let mut value = app.stats.to_json();
    value["mode"] = json!(app.mode.as_str());
    value["store"] = json!(app.compressor.store().backend());
    json_response(StatusCode::OK, &value)
}

pub async fn metrics(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response<Body> {
    if !authorized(&app, &peer, &headers) {
        return forbidden();
    }
    respond(
        StatusCode::OK,
        "text/plain; version=0.0.4",
        app.stats.to_prometheus(),
    )
}

/// `POST /v1/compress`: the C-ABI request (`{"text", "tool"?, "options"?}`
/// or `{"body", "options"?}`) in, the engine's envelope out. Originals
/// behind markers are stored before the answer is sent.
pub async fn compress(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response<Body> {
    if !authorized(&app, &peer, &headers) {
        return forbidden();
    }
    let op = match serde_json::from_slice::<Value>(&body) {
        Ok(v) if v.get("body").is_some() => Op::CompressMessages,
        Ok(v) if v.get("text").is_some() => Op::CompressText,
        _ => {
            return json_response(
                StatusCode::BAD_REQUEST,
                &json!({"error": {"code": "invalid_request", "message": "expected {\"text\": …} or {\"body\": …}"}}),
            )
        }
    };
    let engine = Arc::clone(app.compressor.engine());
    let envelope = match tokio::task::spawn_blocking(move || engine.call_json(op, &body)).await {
        Ok(Ok(envelope)) => envelope,
        Ok(Err(e)) => {
            let fault = engine_fault(e);
            app.stats.fault(fault);
            return json_response(
                StatusCode::SERVICE_UNAVAILABLE,
                &json!({"error": {"code": fault.as_str(), "message": "engine call failed"}}),
            );
        }
        Err(_) => {
            return json_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                &json!({"error": "task failed"}),
            )
        }
    };
    let parsed: Value = serde_json::from_slice(&envelope).unwrap_or(Value::Null);
    let entries: Vec<CcrEntry> = match &parsed["ok"]["ccr"] {
        Value::Array(items) => items
            .iter()
            .filter_map(|v| serde_json::from_value(v.clone()).ok())
            .collect(),
        v @ Value::Object(_) => serde_json::from_value(v.clone()).into_iter().collect(),
        _ => Vec::new(),
    };
    if app.compressor.store().put(&entries).await.is_err() {
        app.stats.fault(super::stats::Fault::StoreUnavailable);
        return json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            &json!({"error": {"code": "store_unavailable", "message": "the store did not take the originals; nothing with markers is returned"}}),
        );
    }
    let status = if parsed.get("ok").is_some() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    respond(status, "application/json", envelope)
}

/// `GET /v1/retrieve/{hash}`: the exact original, as `text/plain`.
pub async fn retrieve(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(hash): Path<String>,
) -> Response<Body> {
    if !authorized(&app, &peer, &headers) {
        return forbidden();
    }
    if !is_hash(&hash) {
        return json_response(
            StatusCode::BAD_REQUEST,
            &json!({"error": "not a Headroom hash (24 hex digits)"}),
        );
    }
    match app.compressor.store().get(&hash).await {
        Ok(Some(original)) => {
            app.stats.count(&app.stats.retrievals_http, 1);
            respond(StatusCode::OK, "text/plain; charset=utf-8", original)
        }
        Ok(None) => json_response(
            StatusCode::NOT_FOUND,
            &json!({"error": "unknown or expired hash"}),
        ),
        Err(_) => {
            app.stats.fault(super::stats::Fault::StoreUnavailable);
            json_response(
                StatusCode::SERVICE_UNAVAILABLE,
                &json!({"error": "store unavailable"}),
            )
        }
    }
}

pub fn is_hash(s: &str) -> bool {
    s.len() == headroom_core::hash::HASH_LEN && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_exactly() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secret2"));
    }

    #[test]
    fn hashes_are_24_hex_digits() {
        assert!(is_hash("0123456789abcdef01234567"));
        assert!(!is_hash("0123456789abcdef0123456"));
        assert!(!is_hash("0123456789abcdef0123456z"));
    }
}
