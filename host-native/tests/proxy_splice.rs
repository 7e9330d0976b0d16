//! The proxy edits only tool-output bytes, passes everything else through
//! (query strings, headers, unknown paths, streamed answers), stores the
//! originals it compressed, and serves the admin routes.

mod proxy_common;

use proxy_common::*;
use std::sync::Arc;

const LOG: &str = "logs/loghub_HDFS_2k.log";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anthropic_tool_output_is_compressed_and_every_other_byte_kept() {
    let (up, proxy) = proxy_for(ok_message(), &[]).await;
    let original = corpus_head(LOG, 30_000);
    let body = AnthropicBody::new(&original, false);

    let response = client()
        .post(format!("{}/v1/messages?beta=true", proxy.url))
        .header("x-api-key", "sk-test-secret")
        .header("anthropic-version", "2023-06-01")
        .header("anthropic-beta", "a-1")
        .header("content-type", "application/json")
        .body(body.body())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-upstream"], "mock");
    let answer: serde_json::Value = response.json().await.unwrap();
    assert_eq!(answer["content"][0]["text"], "ok");

    let seen = up.last();
    assert_eq!(seen.uri, "/v1/messages?beta=true");
    assert_eq!(seen.headers["x-api-key"], "sk-test-secret");
    assert_eq!(seen.headers["anthropic-beta"], "a-1");
    let compressed = body.changed_output(seen.text());
    assert!(
        compressed.len() * 3 < original.len(),
        "{} -> {}",
        original.len(),
        compressed.len()
    );
    let hashes = headroom_core::marker::find_hashes(&compressed);
    assert_eq!(hashes.len(), 1, "one block marker");
    // The original is stored and served byte-exact.
    let got = client()
        .get(format!("{}/v1/retrieve/{}", proxy.url, hashes[0]))
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(got.text().await.unwrap(), original);

    let stats: serde_json::Value = proxy.get("/stats").await.json().await.unwrap();
    assert_eq!(stats["requests"], 1);
    assert_eq!(stats["compressedRequests"], 1);
    assert!(stats["tokensSaved"].as_u64().unwrap() > 1000, "{stats}");
    assert_eq!(stats["retrievals"]["http"], 1);
    assert_eq!(stats["retrievals"]["toolAdded"], 1);
    let metrics = proxy.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("headroom_requests_total 1\n"), "{metrics}");
    proxy.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_history_compresses_to_the_same_bytes_from_the_cache() {
    let (up, proxy) = proxy_for(ok_message(), &[]).await;
    let body = AnthropicBody::new(&corpus_head(LOG, 20_000), false).body();
    for _ in 0..3 {
        let r = proxy.post("/v1/messages", body.clone()).await;
        assert_eq!(r.status(), 200);
    }
    let seen = up.requests();
    assert_eq!(seen.len(), 3);
    assert_ne!(seen[0].body, body.as_bytes());
    assert!(
        seen.iter().all(|r| r.body == seen[0].body),
        "identical bytes every turn"
    );
    let stats: serde_json::Value = proxy.get("/stats").await.json().await.unwrap();
    assert_eq!(stats["cache"]["misses"], 1, "{stats}");
    assert_eq!(stats["cache"]["hits"], 2, "{stats}");
    proxy.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openai_chat_and_responses_bodies_are_compressed() {
    let up = upstream(Arc::new(|_| {
        json_answer(200, serde_json::json!({"ok": true}))
    }))
    .await;
    let openai_base = format!("{}/v1", up.url);
    let proxy = start_proxy(args(&[
        "--openai-upstream",
        &openai_base,
        "--store",
        &temp_store("openai"),
    ]))
    .await;
    let output = corpus_head(LOG, 20_000);
    let chat = serde_json::json!({"model": "gpt-x", "messages": [
        {"role": "user", "content": "why did the job fail?"},
        {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "sh", "arguments": "{\"cmd\":\"cat log\"}"}}]},
        {"role": "tool", "tool_call_id": "c1", "content": output}
    ]});
    let responses = serde_json::json!({"model": "gpt-x", "input": [
        {"role": "user", "content": "why did the job fail?"},
        {"type": "function_call", "call_id": "c1", "name": "sh", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": output}
    ]});
    for (path, body, pick) in [
        ("/v1/chat/completions", chat, "/messages/2/content"),
        ("/v1/responses", responses, "/input/2/output"),
    ] {
        let r = client()
            .post(format!("{}{path}", proxy.url))
            .header("authorization", "Bearer sk-openai")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let seen = up.last();
        assert_eq!(seen.uri, path, "no doubled /v1");
        assert_eq!(seen.headers["authorization"], "Bearer sk-openai");
        let sent = seen.json();
        let text = sent.pointer(pick).unwrap().as_str().unwrap();
        assert!(text.len() * 3 < output.len(), "{path}: {}", text.len());
        assert!(headroom_core::marker::has_marker(text));
        let tools = sent["tools"].as_array().expect("retrieve tool declared");
        assert_eq!(tools.len(), 1);
    }
    proxy.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_paths_and_streamed_answers_pass_through_unchanged() {
    let events = "event: message_start\ndata: {\"type\":\"message_start\"}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
    let answer: Answer = Arc::new(move |r| {
        if r.uri.starts_with("/v1/models") {
            json_answer(
                200,
                serde_json::json!({"data": [], "method": r.method.as_str()}),
            )
        } else {
            sse_answer(events)
        }
    });
    let (up, proxy) = proxy_for(answer, &[]).await;
    let r = client()
        .get(format!("{}/v1/models?limit=5", proxy.url))
        .header("anthropic-version", "2023-06-01")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(up.last().uri, "/v1/models?limit=5");
    let body =
        "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    let r = proxy.post("/v1/messages", body).await;
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    assert_eq!(r.text().await.unwrap(), events);
    assert_eq!(
        up.last().body,
        body.as_bytes(),
        "nothing to compress: byte-identical"
    );
    // An unknown POST path with a JSON body is not touched either.
    let big = AnthropicBody::new(&corpus_head(LOG, 20_000), false).body();
    proxy.post("/v1/other", big.clone()).await;
    assert_eq!(up.last().body, big.as_bytes());
    proxy.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_mode_measures_and_forwards_unchanged() {
    let (up, proxy) = proxy_for(ok_message(), &["--mode", "audit"]).await;
    let body = AnthropicBody::new(&corpus_head(LOG, 20_000), false).body();
    proxy.post("/v1/messages", body.clone()).await;
    assert_eq!(up.last().body, body.as_bytes());
    let stats: serde_json::Value = proxy.get("/stats").await.json().await.unwrap();
    assert!(
        stats["auditTokensSaved"].as_u64().unwrap() > 1000,
        "{stats}"
    );
    assert_eq!(stats["tokensSaved"], 0);
    proxy.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_compress_stores_originals_and_probes_answer() {
    let (up, proxy) = proxy_for(ok_message(), &[]).await;
    let text = corpus_head(LOG, 20_000);
    let r: serde_json::Value = client()
        .post(format!("{}/v1/compress", proxy.url))
        .json(&serde_json::json!({"text": text}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let hash = r["ok"]["ccr"]["hash"]
        .as_str()
        .expect("a ccr entry")
        .to_string();
    let got = proxy.get(&format!("/v1/retrieve/{hash}")).await;
    assert_eq!(got.text().await.unwrap(), text);
    for path in ["/livez", "/readyz"] {
        let r = proxy.get(path).await;
        assert_eq!(r.status(), 200, "{path}");
    }
    let missing = client()
        .get(format!("{}/v1/retrieve/{}", proxy.url, "0".repeat(24)))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert!(
        up.requests().is_empty(),
        "admin routes never reach the upstream"
    );
    proxy.stop().await;
}
