//! Sending a request upstream and streaming the answer back. Headers and
//! bodies pass through as they are, except hop-by-hop headers (which belong
//! to one connection) and `content-length` (recomputed for edited bodies).

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, Method, Response, StatusCode};
use bytes::Bytes;
use reqwest::Url;

/// Headers that describe one connection, not the message (RFC 9110 §7.6.1).
const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

pub fn is_hop_by_hop(name: &HeaderName) -> bool {
    HOP_BY_HOP.contains(&name.as_str())
}

/// An upstream base URL (`--anthropic-upstream`, `--openai-upstream`),
/// parsed once at startup: parsing a whole URL (host, IDNA) for every
/// request was ~1% of the cached path's CPU.
pub fn parse_base(base: &str) -> anyhow::Result<Url> {
    use anyhow::Context;
    Url::parse(base).with_context(|| format!("not a URL: {base}"))
}

/// `base` + `path_and_query`, dropping a duplicated `/v1` when the base
/// already ends with it (OpenAI base URLs are often given as `…/v1`).
/// Only the path and query are parsed; scheme, host and port are the
/// base's.
pub fn upstream_url(base: &Url, path_and_query: &str) -> Url {
    let base_path = base.path().trim_end_matches('/');
    let tail = if base_path.ends_with("/v1")
        && (path_and_query.starts_with("/v1/") || path_and_query == "/v1")
    {
        &path_and_query[3..]
    } else {
        path_and_query
    };
    let (path, query) = match tail.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (tail, None),
    };
    let mut url = base.clone();
    url.set_path(&format!("{base_path}{path}"));
    url.set_query(query);
    url
}

/// Request headers to send upstream.
pub fn request_headers(headers: &HeaderMap) -> HeaderMap {
    let mut out = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        if is_hop_by_hop(name) || name == "host" || name == "content-length" {
            continue;
        }
        out.append(name.clone(), value.clone());
    }
    out
}

/// An HTTP client for upstream calls: rustls, no redirects followed (the
/// client sees them), no overall timeout (responses stream for minutes).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(std::time::Duration::from_secs(15))
        .pool_idle_timeout(std::time::Duration::from_secs(60))
        .tcp_nodelay(true)
        .build()
        .expect("the TLS backend initializes")
}

/// Send one request upstream.
pub async fn send(
    client: &reqwest::Client,
    method: Method,
    url: &Url,
    headers: HeaderMap,
    body: reqwest::Body,
) -> Result<reqwest::Response, reqwest::Error> {
    client
        .request(method, url.clone())
        .headers(headers)
        .body(body)
        .send()
        .await
}

/// The upstream response, streamed to the client chunk by chunk.
pub fn stream_back(upstream: reqwest::Response) -> Response<Body> {
    let mut builder = Response::builder().status(upstream.status());
    if let Some(headers) = builder.headers_mut() {
        for (name, value) in upstream.headers() {
            if !is_hop_by_hop(name) {
                headers.append(name.clone(), value.clone());
            }
        }
    }
    builder
        .body(Body::from_stream(upstream.bytes_stream()))
        .unwrap_or_else(|_| bad_gateway("invalid upstream response"))
}

/// A buffered answer with the upstream's status and headers.
pub fn buffered_back(status: StatusCode, headers: &HeaderMap, body: Bytes) -> Response<Body> {
    let mut builder = Response::builder().status(status);
    if let Some(out) = builder.headers_mut() {
        for (name, value) in headers {
            if !is_hop_by_hop(name) && name != "content-length" {
                out.append(name.clone(), value.clone());
            }
        }
    }
    builder
        .body(Body::from(body))
        .unwrap_or_else(|_| bad_gateway("invalid upstream response"))
}

/// The upstream could not be reached or answered garbage: 502, in the
/// error shape both SDKs understand.
pub fn bad_gateway(reason: &str) -> Response<Body> {
    let body = serde_json::json!({
        "type": "error",
        "error": {"type": "api_error", "message": format!("headroom proxy: {reason}")}
    });
    Response::builder()
        .status(StatusCode::BAD_GATEWAY)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .expect("static response")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_urls_keep_the_query_and_do_not_double_v1() {
        let url = |base: &str, pq: &str| upstream_url(&parse_base(base).unwrap(), pq).to_string();
        assert_eq!(
            url("https://api.anthropic.com", "/v1/messages?beta=true"),
            "https://api.anthropic.com/v1/messages?beta=true"
        );
        assert_eq!(
            url("https://api.openai.com/v1/", "/v1/chat/completions"),
            "https://api.openai.com/v1/chat/completions"
        );
        assert_eq!(
            url("https://api.openai.com/v1", "/v1"),
            "https://api.openai.com/v1"
        );
        assert_eq!(
            url("http://127.0.0.1:9/base", "/v1/x"),
            "http://127.0.0.1:9/base/v1/x"
        );
        assert_eq!(
            url("http://127.0.0.1:9/", "/v1/models?limit=5&after=a%2Fb"),
            "http://127.0.0.1:9/v1/models?limit=5&after=a%2Fb"
        );
        assert_eq!(
            url("http://127.0.0.1:9", "/v1/messages?"),
            "http://127.0.0.1:9/v1/messages?"
        );
        assert!(parse_base("not a url").is_err());
    }

    #[test]
    fn hop_by_hop_and_length_headers_are_not_forwarded() {
        let mut h = HeaderMap::new();
        h.insert("connection", "keep-alive".parse().unwrap());
        h.insert("host", "proxy".parse().unwrap());
        h.insert("content-length", "10".parse().unwrap());
        h.insert("x-api-key", "k".parse().unwrap());
        h.append("anthropic-beta", "a".parse().unwrap());
        h.append("anthropic-beta", "b".parse().unwrap());
        let out = request_headers(&h);
        assert_eq!(out.len(), 3);
        assert_eq!(out.get_all("anthropic-beta").iter().count(), 2);
        assert!(out.get("host").is_none() && out.get("connection").is_none());
    }
}
