//! Retrieval inside the proxy: the model calls `headroom_retrieve`, the
//! proxy answers it with the exact original and continues, and the client
//! sees one ordinary answer (one well-formed stream when streaming) with no
//! call it did not declare.

mod proxy_common;

use proxy_common::*;
use serde_json::{json, Value};
use std::sync::Arc;

const LOG: &str = "logs/loghub_HDFS_2k.log";

fn marker_hash(text: &str) -> Option<String> {
    let v: Value = serde_json::from_str(text).ok()?;
    let mut all = String::new();
    collect_strings(&v, &mut all);
    headroom_core::marker::find_hashes(&all).into_iter().next()
}

fn collect_strings(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        Value::Object(o) => o.values().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}

fn declares_retrieve(body: &Value) -> bool {
    body["tools"].as_array().is_some_and(|t| {
        t.iter().any(|t| {
            t["name"] == "headroom_retrieve" || t["function"]["name"] == "headroom_retrieve"
        })
    })
}

fn sse(events: &[(&str, Value)]) -> String {
    events
        .iter()
        .map(|(name, data)| format!("event: {name}\ndata: {data}\n\n"))
        .collect()
}

/// An Anthropic model that first retrieves the marker it sees, then says
/// how many characters it got back.
fn anthropic_model() -> Answer {
    Arc::new(|r| {
        let body = r.json();
        let last = body["messages"].as_array().unwrap().last().unwrap().clone();
        let result = last["content"].as_array().and_then(|c| {
            c.iter()
                .find(|b| b["type"] == "tool_result" && b["tool_use_id"] == "toolu_hr")
                .cloned()
        });
        let (content, stop) = if let Some(result) = result {
            let n = result["content"].as_str().unwrap().chars().count();
            (
                vec![json!({"type": "text", "text": format!("retrieved {n} chars")})],
                "end_turn",
            )
        } else if let Some(hash) = marker_hash(r.text()).filter(|_| declares_retrieve(&body)) {
            (
                vec![
                    json!({"type": "text", "text": "Let me look."}),
                    json!({"type": "tool_use", "id": "toolu_hr", "name": "headroom_retrieve", "input": {"hash": hash}}),
                ],
                "tool_use",
            )
        } else {
            (vec![json!({"type": "text", "text": "ok"})], "end_turn")
        };
        // With thinking on, every round starts with its own signed thinking.
        let mut content = content;
        if body.get("thinking").is_some() {
            let n = body["messages"].as_array().unwrap().len();
            content.insert(
                0,
                json!({"type": "thinking", "thinking": format!("reasoning at {n}"), "signature": format!("sig{n}")}),
            );
        }
        if body["stream"] != true {
            return json_answer(
                200,
                json!({"id": "msg", "type": "message", "role": "assistant", "content": content,
                "stop_reason": stop, "usage": {"input_tokens": 100, "output_tokens": 7}}),
            );
        }
        let mut events = vec![(
            "message_start",
            json!({"type": "message_start", "message": {"id": "msg", "type": "message", "role": "assistant",
                "content": [], "stop_reason": null, "usage": {"input_tokens": 100, "output_tokens": 1}}}),
        )];
        for (i, block) in content.iter().enumerate() {
            if block["type"] == "thinking" {
                events.push(("content_block_start", json!({"type": "content_block_start", "index": i, "content_block": {"type": "thinking", "thinking": "", "signature": ""}})));
                events.push(("content_block_delta", json!({"type": "content_block_delta", "index": i, "delta": {"type": "thinking_delta", "thinking": block["thinking"]}})));
                events.push(("content_block_delta", json!({"type": "content_block_delta", "index": i, "delta": {"type": "signature_delta", "signature": block["signature"]}})));
            } else if block["type"] == "text" {
                events.push(("content_block_start", json!({"type": "content_block_start", "index": i, "content_block": {"type": "text", "text": ""}})));
                events.push(("ping", json!({"type": "ping"})));
                events.push(("content_block_delta", json!({"type": "content_block_delta", "index": i, "delta": {"type": "text_delta", "text": block["text"]}})));
            } else {
                let mut start = block.clone();
                start["input"] = json!({});
                events.push((
                    "content_block_start",
                    json!({"type": "content_block_start", "index": i, "content_block": start}),
                ));
                let input = block["input"].to_string();
                let (a, b) = input.split_at(4);
                for piece in [a, b] {
                    events.push(("content_block_delta", json!({"type": "content_block_delta", "index": i, "delta": {"type": "input_json_delta", "partial_json": piece}})));
                }
            }
            events.push((
                "content_block_stop",
                json!({"type": "content_block_stop", "index": i}),
            ));
        }
        events.push(("message_delta", json!({"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": null}, "usage": {"output_tokens": 7}})));
        events.push(("message_stop", json!({"type": "message_stop"})));
        sse_answer(&sse(&events))
    })
}

/// The upstream's second request answers the call with the exact original.
fn assert_original_sent(up: &Upstream, original: &str) {
    let seen = up.requests();
    assert_eq!(seen.len(), 2, "one retrieval round");
    let second = seen[1].json();
    let messages = second["messages"].as_array().unwrap();
    let answer = &messages[messages.len() - 1]["content"][0];
    assert_eq!(answer["type"], "tool_result");
    assert_eq!(answer["content"].as_str().unwrap(), original);
    // The second request is the first with the new turns inserted in one
    // place: every byte of the first is still there, in order.
    let (a, b) = (seen[0].body.as_ref(), seen[1].body.as_ref());
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    assert!(
        prefix + suffix >= a.len(),
        "one insertion: {prefix} + {suffix} < {}",
        a.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anthropic_retrieve_is_answered_inside_the_proxy() {
    let (up, proxy) = proxy_for(anthropic_model(), &[]).await;
    let original = corpus_head(LOG, 25_000);
    let r = proxy
        .post("/v1/messages", AnthropicBody::new(&original, false).body())
        .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let texts: Vec<&str> = v["content"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["type"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["text", "text"], "{v}");
    assert_eq!(
        v["content"][1]["text"],
        format!("retrieved {} chars", original.chars().count())
    );
    assert_eq!(v["stop_reason"], "end_turn");
    assert_eq!(
        v["usage"]["output_tokens"], 14,
        "usage summed over both rounds"
    );
    assert_original_sent(&up, &original);
    proxy.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anthropic_streaming_retrieve_gives_one_well_formed_stream() {
    let (up, proxy) = proxy_for(anthropic_model(), &[]).await;
    let original = corpus_head(LOG, 25_000);
    let r = proxy
        .post(
            "/v1/messages?beta=true",
            AnthropicBody::new(&original, true).body(),
        )
        .await;
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    let events: Vec<Value> = text
        .split("\n\n")
        .filter_map(|e| e.lines().find_map(|l| l.strip_prefix("data: ")))
        .map(|d| serde_json::from_str(d).unwrap())
        .collect();
    let kinds: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "message_start").count(),
        1,
        "{kinds:?}"
    );
    assert_eq!(kinds.iter().filter(|k| **k == "message_stop").count(), 1);
    assert_eq!(kinds.last(), Some(&"message_stop"));
    assert!(
        !text.contains("headroom_retrieve"),
        "the client never sees the call"
    );
    let starts: Vec<u64> = events
        .iter()
        .filter(|e| e["type"] == "content_block_start")
        .map(|e| e["index"].as_u64().unwrap())
        .collect();
    assert_eq!(starts, [0, 1], "indices count up across rounds");
    let delta = events
        .iter()
        .find(|e| e["type"] == "message_delta")
        .unwrap();
    assert_eq!(delta["delta"]["stop_reason"], "end_turn");
    assert_eq!(delta["usage"]["output_tokens"], 14);
    let said: String = events
        .iter()
        .filter_map(|e| e["delta"]["text"].as_str())
        .collect();
    assert_eq!(
        said,
        format!("Let me look.retrieved {} chars", original.chars().count())
    );
    assert_original_sent(&up, &original);
    proxy.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retrieved_output_is_expanded_in_later_turns() {
    let (up, proxy) = proxy_for(anthropic_model(), &[]).await;
    let original = corpus_head(LOG, 25_000);
    let body = AnthropicBody::new(&original, false);
    proxy.post("/v1/messages", body.body()).await;
    // Next turn: the same history (the model's retrieval is invisible to
    // the client). The output now goes out whole, and the tool stays.
    proxy.post("/v1/messages", body.body()).await;
    let last = up.last();
    assert_eq!(body.changed_output(last.text()), original);
    assert!(
        declares_retrieve(&last.json()),
        "the tool list stays the same"
    );
    let stats: Value = proxy.get("/stats").await.json().await.unwrap();
    assert_eq!(stats["retrievals"]["expandedInPlace"], 1, "{stats}");
    assert_eq!(stats["retrievals"]["tool"], 1, "{stats}");
    proxy.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_declared_retrieve_tool_is_left_to_the_client() {
    let (up, proxy) = proxy_for(anthropic_model(), &[]).await;
    let original = corpus_head(LOG, 25_000);
    let mut body: Value =
        serde_json::from_str(&AnthropicBody::new(&original, false).body()).unwrap();
    body["tools"] = json!([{"name": "headroom_retrieve", "input_schema": {"type": "object"}}]);
    let r: Value = client()
        .post(format!("{}/v1/messages", proxy.url))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        r["content"][1]["name"], "headroom_retrieve",
        "the client gets its own call"
    );
    assert_eq!(up.requests().len(), 1);
    assert_eq!(up.last().json()["tools"].as_array().unwrap().len(), 1);
    proxy.stop().await;
}

/// An OpenAI Chat model that retrieves first, like [`anthropic_model`].
fn chat_model() -> Answer {
    Arc::new(|r| {
        let body = r.json();
        let last = body["messages"].as_array().unwrap().last().unwrap().clone();
        let base = json!({"id": "c", "object": "chat.completion", "created": 0, "model": "m"});
        let (message, finish) = if last["role"] == "tool" && last["tool_call_id"] == "call_hr" {
            (
                json!({"role": "assistant", "content": format!("retrieved {} chars", last["content"].as_str().unwrap().chars().count())}),
                "stop",
            )
        } else if let Some(hash) = marker_hash(r.text()).filter(|_| declares_retrieve(&body)) {
            (
                json!({"role": "assistant", "content": null, "tool_calls": [{"id": "call_hr", "type": "function",
                "function": {"name": "headroom_retrieve", "arguments": json!({"hash": hash}).to_string()}}]}),
                "tool_calls",
            )
        } else {
            (json!({"role": "assistant", "content": "ok"}), "stop")
        };
        if body["stream"] != true {
            let mut out = base.clone();
            out["choices"] = json!([{"index": 0, "message": message, "finish_reason": finish}]);
            out["usage"] =
                json!({"prompt_tokens": 100, "completion_tokens": 7, "total_tokens": 107});
            return json_answer(200, out);
        }
        let chunk = |delta: Value, finish: Value| {
            let mut c = base.clone();
            c["object"] = json!("chat.completion.chunk");
            c["choices"] = json!([{"index": 0, "delta": delta, "finish_reason": finish}]);
            format!("data: {c}\n\n")
        };
        let mut out = chunk(json!({"role": "assistant", "content": ""}), Value::Null);
        if let Some(calls) = message["tool_calls"].as_array() {
            let call = &calls[0];
            out += &chunk(
                json!({"tool_calls": [{"index": 0, "id": call["id"], "type": "function", "function": {"name": "headroom_retrieve", "arguments": ""}}]}),
                Value::Null,
            );
            out += &chunk(
                json!({"tool_calls": [{"index": 0, "function": {"arguments": call["function"]["arguments"]}}]}),
                Value::Null,
            );
        } else {
            out += &chunk(json!({"content": message["content"]}), Value::Null);
        }
        out += &chunk(json!({}), json!(finish));
        out += "data: [DONE]\n\n";
        sse_answer(&out)
    })
}

fn chat_body(output: &str, stream: bool) -> Value {
    json!({"model": "gpt-x", "stream": stream, "messages": [
        {"role": "user", "content": "why did the job fail?"},
        {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "sh", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "c1", "content": output}
    ]})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openai_chat_retrieve_streaming_and_not() {
    let (up, proxy) = proxy_for(chat_model(), &[]).await;
    let original = corpus_head(LOG, 25_000);
    let expected = format!("retrieved {} chars", original.chars().count());
    let r: Value = client()
        .post(format!("{}/v1/chat/completions", proxy.url))
        .json(&chat_body(&original, false))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["choices"][0]["message"]["content"], expected);
    assert_eq!(r["usage"]["completion_tokens"], 14);
    let seen = up.requests();
    assert_eq!(seen.len(), 2);
    let sent = seen[1].json();
    let msgs = sent["messages"].as_array().unwrap();
    assert_eq!(msgs[msgs.len() - 1]["content"].as_str().unwrap(), original);

    // A different output: the first one was retrieved, so it now goes out
    // whole and there is nothing left to retrieve.
    let streamed = corpus_head("logs/loghub_OpenSSH_2k.log", 25_000);
    let text = client()
        .post(format!("{}/v1/chat/completions", proxy.url))
        .json(&chat_body(&streamed, true))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!text.contains("headroom_retrieve"), "{text}");
    assert_eq!(text.matches("[DONE]").count(), 1);
    assert!(text.ends_with("data: [DONE]\n\n"));
    let said: String = text
        .split("\n\n")
        .filter_map(|e| e.strip_prefix("data: "))
        .filter(|d| *d != "[DONE]")
        .filter_map(|d| serde_json::from_str::<Value>(d).ok())
        .filter_map(|c| {
            c["choices"][0]["delta"]["content"]
                .as_str()
                .map(str::to_string)
        })
        .collect();
    assert_eq!(
        said,
        format!("retrieved {} chars", streamed.chars().count())
    );
    assert!(text.contains("\"finish_reason\":\"stop\""));
    proxy.stop().await;
}

/// An OpenAI Responses model that retrieves first, streaming the events
/// the real API sends (lifecycle, items, content parts, deltas).
fn responses_model() -> Answer {
    Arc::new(|r| {
        let body = r.json();
        let input = body["input"].as_array().unwrap();
        let last = input.last().unwrap();
        let answered = last["type"] == "function_call_output" && last["call_id"] == "call_hr";
        let round = if answered { "2" } else { "1" };
        let message = |id: &str, text: &str| {
            json!({"id": id, "type": "message", "status": "completed", "role": "assistant",
                "content": [{"type": "output_text", "text": text, "annotations": []}]})
        };
        let output = if answered {
            let n = last["output"].as_str().unwrap().chars().count();
            vec![message("msg_b", &format!("retrieved {n} chars"))]
        } else if let Some(hash) = marker_hash(r.text()).filter(|_| declares_retrieve(&body)) {
            vec![
                message("msg_a", "Let me look."),
                json!({"id": "fc_1", "type": "function_call", "status": "completed", "call_id": "call_hr",
                    "name": "headroom_retrieve", "arguments": json!({"hash": hash}).to_string()}),
            ]
        } else {
            vec![message("msg_c", "ok")]
        };
        let response = json!({"id": format!("resp_{round}"), "object": "response", "created_at": 1,
            "status": "completed", "model": "gpt-x", "output": output,
            "usage": {"input_tokens": 100, "output_tokens": 7, "total_tokens": 107}});
        let mut events: Vec<(String, Value)> = Vec::new();
        let mut push = |mut data: Value| {
            data["sequence_number"] = json!(events.len());
            events.push((data["type"].as_str().unwrap().to_string(), data));
        };
        let mut started = response.clone();
        started["status"] = json!("in_progress");
        started["output"] = json!([]);
        push(json!({"type": "response.created", "response": started}));
        push(json!({"type": "response.in_progress", "response": started}));
        for (i, item) in output.iter().enumerate() {
            let mut added = item.clone();
            added["status"] = json!("in_progress");
            let id = item["id"].clone();
            if item["type"] == "message" {
                added["content"] = json!([]);
                push(
                    json!({"type": "response.output_item.added", "output_index": i, "item": added}),
                );
                let part = json!({"type": "output_text", "text": "", "annotations": []});
                push(
                    json!({"type": "response.content_part.added", "item_id": id, "output_index": i, "content_index": 0, "part": part}),
                );
                let text = item["content"][0]["text"].as_str().unwrap();
                let (a, b) = text.split_at(text.len() / 2);
                for piece in [a, b] {
                    push(
                        json!({"type": "response.output_text.delta", "item_id": id, "output_index": i, "content_index": 0, "delta": piece, "logprobs": []}),
                    );
                }
                push(
                    json!({"type": "response.output_text.done", "item_id": id, "output_index": i, "content_index": 0, "text": text, "logprobs": []}),
                );
                push(
                    json!({"type": "response.content_part.done", "item_id": id, "output_index": i, "content_index": 0, "part": item["content"][0]}),
                );
            } else {
                added["arguments"] = json!("");
                push(
                    json!({"type": "response.output_item.added", "output_index": i, "item": added}),
                );
                let args = item["arguments"].as_str().unwrap();
                push(
                    json!({"type": "response.function_call_arguments.delta", "item_id": id, "output_index": i, "delta": args}),
                );
                push(
                    json!({"type": "response.function_call_arguments.done", "item_id": id, "output_index": i, "arguments": args}),
                );
            }
            push(json!({"type": "response.output_item.done", "output_index": i, "item": item}));
        }
        push(json!({"type": "response.completed", "response": response}));
        if body["stream"] != true {
            return json_answer(200, response);
        }
        let text: String = events
            .iter()
            .map(|(name, data)| format!("event: {name}\ndata: {data}\n\n"))
            .collect();
        sse_answer(&text)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openai_responses_streaming_retrieve_gives_one_well_formed_stream() {
    let (up, proxy) = proxy_for(responses_model(), &[]).await;
    let original = corpus_head(LOG, 25_000);
    let body = json!({"model": "gpt-x", "stream": true, "input": [
        {"role": "user", "content": "why did the job fail?"},
        {"type": "function_call", "call_id": "c1", "name": "sh", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": original}
    ]});
    let text = proxy
        .post("/v1/responses", body.to_string())
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !text.contains("headroom_retrieve"),
        "the client never sees the call"
    );
    let events: Vec<(String, Value)> = text
        .split("\n\n")
        .filter(|e| !e.trim().is_empty())
        .map(|e| {
            let name = e.lines().find_map(|l| l.strip_prefix("event: ")).unwrap();
            let data = e.lines().find_map(|l| l.strip_prefix("data: ")).unwrap();
            (name.to_string(), serde_json::from_str(data).unwrap())
        })
        .collect();
    for (name, data) in &events {
        assert_eq!(data["type"], name.as_str(), "the event line names the data");
    }
    let kinds: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(kinds[..2], ["response.created", "response.in_progress"]);
    assert_eq!(
        kinds
            .iter()
            .filter(|k| k.starts_with("response.created"))
            .count(),
        1
    );
    assert_eq!(
        kinds.iter().filter(|k| **k == "response.completed").count(),
        1
    );
    assert_eq!(kinds.last(), Some(&"response.completed"));
    let seqs: Vec<u64> = events
        .iter()
        .map(|(_, d)| d["sequence_number"].as_u64().unwrap())
        .collect();
    assert_eq!(
        seqs,
        (0..events.len() as u64).collect::<Vec<_>>(),
        "sequence numbers without gaps"
    );
    // Items count up across rounds: msg_a at 0, msg_b at 1; every event of
    // an item carries its item's index.
    let mut index_of = std::collections::HashMap::new();
    for (_, d) in &events {
        if d["type"] == "response.output_item.added" {
            index_of.insert(
                d["item"]["id"].as_str().unwrap().to_string(),
                d["output_index"].as_u64().unwrap(),
            );
        }
    }
    assert_eq!(index_of.len(), 2);
    assert_eq!((index_of["msg_a"], index_of["msg_b"]), (0, 1));
    for (_, d) in &events {
        if let Some(id) = d["item_id"].as_str().or(d["item"]["id"].as_str()) {
            assert_eq!(d["output_index"].as_u64(), Some(index_of[id]), "{d}");
        }
    }
    let said: String = events
        .iter()
        .filter(|(n, _)| n == "response.output_text.delta")
        .map(|(_, d)| d["delta"].as_str().unwrap())
        .collect();
    let expected = format!("retrieved {} chars", original.chars().count());
    assert_eq!(said, format!("Let me look.{expected}"));
    let done = &events.last().unwrap().1["response"];
    assert_eq!(done["id"], events[0].1["response"]["id"], "one response id");
    let ids: Vec<&str> = done["output"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["msg_a", "msg_b"]);
    assert_eq!(
        done["usage"]["output_tokens"], 14,
        "usage summed over rounds"
    );
    assert_eq!(done["usage"]["total_tokens"], 214);
    // The upstream got the exact original as the call's output.
    let seen = up.requests();
    assert_eq!(seen.len(), 2);
    let second = seen[1].json();
    let input = second["input"].as_array().unwrap();
    assert_eq!(input[input.len() - 1]["type"], "function_call_output");
    assert_eq!(input[input.len() - 1]["call_id"], "call_hr");
    assert_eq!(input[input.len() - 1]["output"].as_str().unwrap(), original);
    assert_eq!(input[input.len() - 2]["name"], "headroom_retrieve");
    assert!(declares_retrieve(&seen[0].json()));

    // The client chains its next turn from the id it was shown; upstream,
    // that conversation continues from the last round's response.
    assert_eq!(done["id"], "resp_1");
    let follow = json!({"model": "gpt-x", "previous_response_id": "resp_1",
        "input": [{"role": "user", "content": "thanks"}]})
    .to_string();
    proxy.post("/v1/responses", follow.clone()).await;
    assert_eq!(up.last().text(), follow.replace("\"resp_1\"", "\"resp_2\""));
    proxy.stop().await;
}

/// A client that asked for thinking gets the first round's signed thinking
/// block at the start of the message and no thinking after text (the API
/// never writes one there); the upstream gets the first round's thinking
/// back unmodified, signature included, as the API requires in a tool loop.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thinking_of_a_retrieval_round_stays_valid_for_the_client() {
    let (up, proxy) = proxy_for(anthropic_model(), &[]).await;
    // A different output each time: a retrieved one goes out whole later.
    for (stream, file) in [(false, LOG), (true, "logs/loghub_OpenSSH_2k.log")] {
        let original = corpus_head(file, 25_000);
        let mut body: Value =
            serde_json::from_str(&AnthropicBody::new(&original, stream).body()).unwrap();
        body["thinking"] = json!({"type": "enabled", "budget_tokens": 1024});
        let before = up.requests().len();
        let r = proxy.post("/v1/messages", body.to_string()).await;
        let content: Vec<Value> = if stream {
            // Rebuild the message from the events, as an SDK does.
            let text = r.text().await.unwrap();
            let mut blocks: Vec<Value> = Vec::new();
            for data in text
                .split("\n\n")
                .filter_map(|e| e.lines().find_map(|l| l.strip_prefix("data: ")))
            {
                let e: Value = serde_json::from_str(data).unwrap();
                let i = e["index"].as_u64().unwrap_or(0) as usize;
                match e["type"].as_str().unwrap() {
                    "content_block_start" => {
                        assert_eq!(i, blocks.len(), "indices count up without gaps");
                        blocks.push(e["content_block"].clone());
                    }
                    "content_block_delta" => {
                        let d = &e["delta"];
                        let b = &mut blocks[i];
                        match d["type"].as_str().unwrap() {
                            "text_delta" => {
                                b["text"] = json!(format!(
                                    "{}{}",
                                    b["text"].as_str().unwrap(),
                                    d["text"].as_str().unwrap()
                                ))
                            }
                            "thinking_delta" => {
                                b["thinking"] = json!(format!(
                                    "{}{}",
                                    b["thinking"].as_str().unwrap(),
                                    d["thinking"].as_str().unwrap()
                                ))
                            }
                            "signature_delta" => b["signature"] = d["signature"].clone(),
                            _ => {}
                        }
                    }
                    _ => {}
                }
            }
            blocks
        } else {
            r.json::<Value>().await.unwrap()["content"]
                .as_array()
                .unwrap()
                .clone()
        };
        let kinds: Vec<&str> = content
            .iter()
            .map(|b| b["type"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            ["thinking", "text", "text"],
            "stream {stream}: {content:?}"
        );
        let n = up.requests()[before].json()["messages"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(content[0]["thinking"], format!("reasoning at {n}"));
        assert_eq!(content[0]["signature"], format!("sig{n}"));
        // The retrieval round's request carries that thinking block back.
        let second = up.requests()[before + 1].json();
        let messages = second["messages"].as_array().unwrap();
        let turn = &messages[messages.len() - 2];
        assert_eq!(turn["role"], "assistant");
        assert_eq!(
            turn["content"][0],
            json!({"type": "thinking", "thinking": format!("reasoning at {n}"), "signature": format!("sig{n}")})
        );
    }
    proxy.stop().await;
}
