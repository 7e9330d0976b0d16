//! Faults never break a request: whatever goes wrong inside Headroom, the
//! original request reaches the upstream unmodified, and the upstream's own
//! answers (errors included) reach the client as they were.

mod proxy_common;

use proxy_common::*;
use std::sync::Arc;

const LOG: &str = "logs/loghub_HDFS_2k.log";

async fn stats(proxy: &Proxy) -> serde_json::Value {
    proxy.get("/stats").await.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_and_unknown_bodies_are_forwarded_byte_identical() {
    let (up, proxy) = proxy_for(ok_message(), &[]).await;
    let cases: [(&str, &[u8]); 4] = [
        (
            "/v1/messages",
            b"{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}",
        ),
        ("/v1/messages", b"{\"prompt\": \"no messages here\"}"),
        ("/v1/chat/completions", b"\xff\xfe not utf-8"),
        ("/v1/messages", b""),
    ];
    for (path, body) in cases {
        let r = proxy.post(path, body.to_vec()).await;
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(&up.last().body[..], body);
    }
    let s = stats(&proxy).await;
    assert_eq!(s["faults"]["malformed_body"], 3, "{s}");
    assert_eq!(s["faults"]["unknown_shape"], 1, "{s}");
    proxy.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_errors_pass_through_with_status_headers_and_body() {
    let (_up, proxy) = proxy_for(
        Arc::new(|r| {
            let status = if r.uri.contains("429") { 429 } else { 503 };
            json_answer(status, serde_json::json!({"type": "error", "error": {"type": "overloaded_error", "message": "busy"}}))
        }),
        &[],
    )
    .await;
    let body = AnthropicBody::new(&corpus_head(LOG, 20_000), false).body();
    for (query, status) in [("", 503), ("?x=429", 429)] {
        let r = proxy
            .post(&format!("/v1/messages{query}"), body.clone())
            .await;
        assert_eq!(r.status(), status);
        assert_eq!(r.headers()["x-upstream"], "mock");
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["error"]["message"], "busy");
    }
    proxy.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upstream_that_resets_the_connection_gives_a_502() {
    // A server that accepts, reads a little and closes without answering.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            use tokio::io::AsyncReadExt;
            let mut buf = [0u8; 1024];
            let _ = socket.read(&mut buf).await;
            drop(socket);
        }
    });
    let url = format!("http://{addr}");
    let proxy = start_proxy(args(&[
        "--anthropic-upstream",
        &url,
        "--store",
        &temp_store("reset"),
    ]))
    .await;
    let r = proxy
        .post(
            "/v1/messages",
            AnthropicBody::new(&corpus_head(LOG, 20_000), false).body(),
        )
        .await;
    assert_eq!(r.status(), 502);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["type"], "error");
    proxy.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn engine_faults_forward_the_original() {
    let up = upstream(ok_message()).await;
    for (fault, kind) in [
        ("trap", "engine_trap"),
        ("timeout", "engine_timeout"),
        ("memory", "engine_memory"),
    ] {
        let proxy = start_proxy(args(&[
            "--anthropic-upstream",
            &up.url,
            "--inject-engine-fault",
            fault,
            "--store",
            &temp_store(fault),
        ]))
        .await;
        let body = AnthropicBody::new(&corpus_head(LOG, 20_000), false).body();
        let r = proxy.post("/v1/messages", body.clone()).await;
        assert_eq!(r.status(), 200);
        assert_eq!(
            up.last().body,
            body.as_bytes(),
            "{fault}: forwarded unmodified"
        );
        let s = stats(&proxy).await;
        assert_eq!(s["faults"][kind], 1, "{s}");
        let metrics = proxy.get("/metrics").await.text().await.unwrap();
        assert!(
            metrics.contains(&format!("headroom_faults_total{{kind=\"{kind}\"}} 1")),
            "{metrics}"
        );
        proxy.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_engine_memory_limit_forwards_the_original() {
    // 1 MiB cannot even hold the module's own data: every call fails.
    let (up, proxy) = proxy_for(ok_message(), &["--engine-memory-mb", "1"]).await;
    let body = AnthropicBody::new(&corpus_head(LOG, 20_000), false).body();
    let r = proxy.post("/v1/messages", body.clone()).await;
    assert_eq!(r.status(), 200);
    assert_eq!(up.last().body, body.as_bytes());
    let s = stats(&proxy).await;
    let faults: u64 = s["faults"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|v| v.as_u64())
        .sum();
    assert_eq!(faults, 1, "{s}");
    proxy.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_the_limit_streams_through_unmodified() {
    let (up, proxy) = proxy_for(ok_message(), &["--max-body-mb", "1"]).await;
    let big = AnthropicBody::new(&corpus(LOG).repeat(5), false).body();
    assert!(big.len() > 1 << 20);
    let r = proxy.post("/v1/messages", big.clone()).await;
    assert_eq!(r.status(), 200);
    assert_eq!(up.last().body, big.as_bytes());
    assert_eq!(stats(&proxy).await["faults"]["body_too_large"], 1);
    proxy.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mode_off_forwards_everything_unchanged() {
    let (up, proxy) = proxy_for(ok_message(), &["--mode", "off"]).await;
    let body = AnthropicBody::new(&corpus_head(LOG, 20_000), false).body();
    proxy.post("/v1/messages", body.clone()).await;
    assert_eq!(up.last().body, body.as_bytes());
    proxy.stop().await;
}
