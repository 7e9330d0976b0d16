//! Shared by the proxy's integration tests: a recording mock upstream on
//! loopback, a proxy started in-process on a free port, corpus fixtures.
#![allow(dead_code)]

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Response, Uri};
use clap::Parser;
use headroom_host::proxy::{self, ProxyArgs};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

/// A request as the mock upstream received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: Method,
    pub uri: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Recorded {
    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.body).expect("utf-8 body")
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

/// The mock's answer to one request.
pub type Answer = Arc<dyn Fn(&Recorded) -> Response<Body> + Send + Sync>;

pub struct Upstream {
    pub url: String,
    pub seen: Arc<Mutex<Vec<Recorded>>>,
    _stop: oneshot::Sender<()>,
}

impl Upstream {
    pub fn requests(&self) -> Vec<Recorded> {
        self.seen.lock().unwrap().clone()
    }
    pub fn last(&self) -> Recorded {
        self.requests()
            .last()
            .cloned()
            .expect("the upstream saw a request")
    }
}

/// Start a mock upstream answering with `answer`.
pub async fn upstream(answer: Answer) -> Upstream {
    let seen: Arc<Mutex<Vec<Recorded>>> = Arc::default();
    let record = Arc::clone(&seen);
    let app = axum::Router::new().fallback(
        move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            let record = Arc::clone(&record);
            let answer = Arc::clone(&answer);
            async move {
                let r = Recorded {
                    method,
                    uri: uri.to_string(),
                    headers,
                    body,
                };
                record.lock().unwrap().push(r.clone());
                answer(&r)
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
    });
    Upstream {
        url: format!("http://{addr}"),
        seen,
        _stop: stop,
    }
}

pub fn json_answer(status: u16, body: serde_json::Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("x-upstream", "mock")
        .body(Body::from(body.to_string()))
        .unwrap()
}

pub fn sse_answer(events: &str) -> Response<Body> {
    Response::builder()
        .header("content-type", "text/event-stream")
        .body(Body::from(events.to_string()))
        .unwrap()
}

/// Answers every request with a fixed Anthropic message.
pub fn ok_message() -> Answer {
    Arc::new(|_| {
        json_answer(
            200,
            serde_json::json!({"id": "msg_1", "type": "message", "role": "assistant",
                "content": [{"type": "text", "text": "ok"}], "stop_reason": "end_turn",
                "usage": {"input_tokens": 10, "output_tokens": 1}}),
        )
    })
}

#[derive(Parser)]
struct Wrapper {
    #[command(flatten)]
    args: ProxyArgs,
}

/// Proxy args from flags (on top of the defaults), port 0.
pub fn args(flags: &[&str]) -> ProxyArgs {
    let mut all = vec!["proxy", "--port", "0"];
    all.extend_from_slice(flags);
    Wrapper::try_parse_from(all).unwrap().args
}

pub struct Proxy {
    pub addr: SocketAddr,
    pub url: String,
    stop: Option<oneshot::Sender<()>>,
    done: Option<tokio::task::JoinHandle<()>>,
}

impl Proxy {
    /// `POST {url}{path}` with `body`.
    pub async fn post(&self, path: &str, body: impl Into<reqwest::Body>) -> reqwest::Response {
        client()
            .post(format!("{}{path}", self.url))
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// `GET {url}{path}`.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        client()
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .unwrap()
    }

    /// Stop serving and wait until the proxy released everything.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(done) = self.done.take() {
            let _ = done.await;
        }
    }
}

pub async fn start_proxy(args: ProxyArgs) -> Proxy {
    let bound = proxy::bind(&args).await.expect("the proxy starts");
    let addr = bound.addr;
    let (stop, stopped) = oneshot::channel::<()>();
    let done = tokio::spawn(async move {
        bound
            .serve(async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
    });
    Proxy {
        addr,
        url: format!("http://{addr}"),
        stop: Some(stop),
        done: Some(done),
    }
}

/// A recording mock upstream answering with `answer` and a proxy in front of
/// it: both providers routed to the mock and a fresh SQLite store, unless
/// `flags` name their own; `flags` come on top of the defaults.
pub async fn proxy_for(answer: Answer, flags: &[&str]) -> (Upstream, Proxy) {
    let up = upstream(answer).await;
    let store = temp_store("t");
    let mut all: Vec<&str> = Vec::new();
    for (flag, value) in [
        ("--anthropic-upstream", up.url.as_str()),
        ("--openai-upstream", up.url.as_str()),
        ("--store", store.as_str()),
    ] {
        if !flags.contains(&flag) {
            all.extend([flag, value]);
        }
    }
    all.extend_from_slice(flags);
    let proxy = start_proxy(args(&all)).await;
    (up, proxy)
}

/// A fresh SQLite store path for one test.
pub fn temp_store(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!(
        "headroom-proxy-test-{}-{name}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    format!("sqlite:{}", dir.join("ccr.sqlite3").display())
}

pub fn corpus(rel: &str) -> String {
    let root = std::env::var_os("HEADROOM_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"));
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("corpus file {rel}: {e}"))
}

/// The first `max` bytes of a corpus file, cut at a line boundary.
pub fn corpus_head(rel: &str, max: usize) -> String {
    let text = corpus(rel);
    if text.len() <= max {
        return text;
    }
    let cut = text[..max].rfind('\n').map_or(max, |i| i + 1);
    text[..cut].to_string()
}

/// An Anthropic body with one Bash tool result, built from exact pieces so
/// a test can check every byte around the tool output.
pub struct AnthropicBody {
    pub prefix: String,
    pub output: String,
    pub suffix: String,
}

impl AnthropicBody {
    pub fn new(output: &str, stream: bool) -> Self {
        // Odd spacing, escapes, unknown fields and roles on purpose: they
        // must reach the upstream exactly as written.
        let prefix = format!(
            "{{\"model\":\"claude-x\",  \"max_tokens\":1024,\"stream\":{stream},\"system\":[{{\"type\":\"text\",\"text\":\"Be \\u0062rief\",\"cache_control\":{{\"type\":\"ephemeral\"}}}}],\n\"messages\":[{{\"role\":\"user\",\"content\":\"show me the errors in the HDFS log\"}},{{\"role\":\"assistant\",\"content\":[{{\"type\":\"thinking\",\"thinking\":\"t\",\"signature\":\"sig==\"}},{{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"Bash\",\"input\":{{\"command\":\"cat hdfs.log\"}}}}]}},{{\"role\":\"user\",\"content\":[{{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\",\"content\":"
        );
        let suffix = "}]},{\"role\":\"system\",\"content\":\"note\",\"x_unknown\":1.50}], \"metadata\":{\"user_id\":\"u\"}}".to_string();
        Self {
            prefix,
            output: output.to_string(),
            suffix,
        }
    }

    pub fn body(&self) -> String {
        format!(
            "{}{}{}",
            self.prefix,
            serde_json::to_string(&self.output).unwrap(),
            self.suffix
        )
    }

    /// Check that `received` is this body with only the tool output
    /// changed, and return the new tool output.
    pub fn changed_output(&self, received: &str) -> String {
        assert!(
            received.starts_with(&self.prefix),
            "the bytes before the tool output changed"
        );
        let rest = &received[self.prefix.len()..];
        // The new output is one JSON string; find where it ends.
        let mut de = serde_json::Deserializer::from_str(rest).into_iter::<String>();
        let output = de.next().expect("a JSON string").expect("a JSON string");
        let after = &rest[de.byte_offset()..];
        // Everything up to the body's closing brace is as sent; the proxy
        // may only have declared its retrieve tool before that brace.
        let core = &self.suffix[..self.suffix.len() - 1];
        assert!(
            after.starts_with(core),
            "the bytes after the tool output changed: {}",
            &after[..after.len().min(200)]
        );
        let tail = &after[core.len()..];
        assert!(
            tail == "}"
                || (tail.starts_with(",\"tools\":[{\"name\":\"headroom_retrieve\"")
                    && tail.ends_with("]}")),
            "unexpected bytes at the end: {tail}"
        );
        output
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().build().unwrap()
}
