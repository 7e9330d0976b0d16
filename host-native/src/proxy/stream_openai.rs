//! Answering `headroom_retrieve` inside an OpenAI Chat Completions stream.
//! Chunks pass as received, except those carrying retrieve tool calls
//! (dropped, or rewritten without them), visible tool calls whose index
//! must change, and the closing chunks (finish reason, usage, `[DONE]`),
//! held until the last round so the client sees one completion.

use super::calls::{self, Call};
use super::inject::TOOL_NAME;
use super::retrieval::Round;
use super::sse::{self, Splitter};
use super::stream_anthropic::{emit, next_event, stream_rounds, Chunk};
use axum::body::Body;
use axum::http::Response;
use bytes::Bytes;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use tokio::sync::mpsc;

pub async fn run(round: Round, body: String) -> Response<Body> {
    stream_rounds(round, body, |round, body, first, tx| async move {
        drive(&round, body, first, &tx).await;
    })
    .await
}

/// A tool call being streamed.
struct ToolCall {
    id: String,
    name: String,
    arguments: String,
    hidden: bool,
    client_index: u64,
}

enum RoundEnd {
    Retrieve { calls: Vec<Call>, turn: Value },
    Done,
    Aborted,
}

async fn drive(
    round: &Round,
    mut body: String,
    mut upstream: reqwest::Response,
    tx: &mpsc::Sender<Chunk>,
) {
    let mut usage = Map::new();
    let mut rounds = 0;
    loop {
        let last = rounds >= round.app.retrieve_rounds;
        match one_round(upstream, tx, last, &mut usage).await {
            RoundEnd::Done | RoundEnd::Aborted => return,
            RoundEnd::Retrieve { calls: found, turn } => {
                match round.continue_streaming(&mut body, &turn, &found).await {
                    Some(r) => upstream = r,
                    None => {
                        let error = json!({"error": {"type": "api_error",
                            "message": "headroom proxy: the upstream failed while answering a headroom_retrieve call"}});
                        emit(tx, sse::encode(None, &error.to_string())).await;
                        return;
                    }
                }
                rounds += 1;
            }
        }
    }
}

async fn one_round(
    upstream: reqwest::Response,
    tx: &mpsc::Sender<Chunk>,
    last: bool,
    usage: &mut Map<String, Value>,
) -> RoundEnd {
    let mut bytes = upstream.bytes_stream();
    let mut splitter = Splitter::default();
    let mut tools: HashMap<u64, ToolCall> = HashMap::new();
    let mut order: Vec<u64> = Vec::new();
    let mut visible = 0u64;
    let mut content = String::new();
    let mut held: Vec<Value> = Vec::new();
    let mut done_raw: Option<Bytes> = None;
    loop {
        let event = match next_event(&mut splitter, &mut bytes, tx).await {
            Ok(Some(event)) => event,
            Ok(None) => break,
            Err(()) => return RoundEnd::Aborted,
        };
        if event.data.trim() == "[DONE]" {
            done_raw = Some(event.raw);
            break;
        }
        let Ok(mut chunk) = serde_json::from_str::<Value>(&event.data) else {
            if !emit(tx, event.raw).await {
                return RoundEnd::Aborted;
            }
            continue;
        };
        if chunk.get("usage").is_some_and(|u| !u.is_null()) {
            calls::add_usage(usage, chunk.get("usage"));
        }
        let finishing = chunk["choices"][0]["finish_reason"].is_string();
        let empty_choices = chunk["choices"].as_array().is_some_and(|c| c.is_empty());
        let mut changed = false;
        let mut dropped_all_calls = false;
        let delta = chunk
            .get_mut("choices")
            .and_then(|c| c.get_mut(0))
            .and_then(|c| c.get_mut("delta"));
        if let Some(delta) = delta {
            if let Some(text) = delta["content"].as_str() {
                content.push_str(text);
            }
            if let Some(Value::Array(deltas)) = delta.get_mut("tool_calls") {
                let before = deltas.len();
                let mut kept = Vec::with_capacity(before);
                for mut d in deltas.drain(..) {
                    let index = d["index"].as_u64().unwrap_or(0);
                    let call = tools.entry(index).or_insert_with(|| {
                        order.push(index);
                        let name = d["function"]["name"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string();
                        let hidden = name == TOOL_NAME;
                        let client_index = visible;
                        if !hidden {
                            visible += 1;
                        }
                        ToolCall {
                            id: String::new(),
                            name,
                            arguments: String::new(),
                            hidden,
                            client_index,
                        }
                    });
                    if let Some(id) = d["id"].as_str() {
                        call.id = id.to_string();
                    }
                    if let Some(args) = d["function"]["arguments"].as_str() {
                        call.arguments.push_str(args);
                    }
                    if call.hidden {
                        changed = true;
                        continue;
                    }
                    if call.client_index != index {
                        d["index"] = json!(call.client_index);
                        changed = true;
                    }
                    kept.push(d);
                }
                dropped_all_calls = before > 0 && kept.is_empty();
                *deltas = kept;
            }
            if dropped_all_calls {
                if let Some(d) = delta.as_object_mut() {
                    d.remove("tool_calls");
                }
            }
        }
        if finishing || (empty_choices && chunk.get("usage").is_some_and(|u| !u.is_null())) {
            held.push(chunk);
            continue;
        }
        if dropped_all_calls
            && chunk["choices"][0]["delta"]
                .as_object()
                .is_some_and(|d| d.values().all(|v| v.is_null() || v.as_str() == Some("")))
        {
            continue;
        }
        let bytes = if changed {
            sse::encode(event.name.as_deref(), &chunk.to_string())
        } else {
            event.raw
        };
        if !emit(tx, bytes).await {
            return RoundEnd::Aborted;
        }
    }

    let retrieve: Vec<Call> = order
        .iter()
        .filter_map(|i| tools.get(i))
        .filter(|c| c.hidden)
        .map(|c| Call {
            id: c.id.clone(),
            hash: serde_json::from_str::<Value>(&c.arguments)
                .ok()
                .and_then(|v| v["hash"].as_str().map(str::to_string)),
        })
        .collect();
    if !retrieve.is_empty() && visible == 0 && !last {
        let tool_calls: Vec<Value> = order
            .iter()
            .filter_map(|i| tools.get(i))
            .map(|c| json!({"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}))
            .collect();
        let content = if content.is_empty() {
            Value::Null
        } else {
            json!(content)
        };
        let turn = json!({"choices": [{"message": {"role": "assistant", "content": content, "tool_calls": tool_calls}}]});
        return RoundEnd::Retrieve {
            calls: retrieve,
            turn,
        };
    }
    for mut chunk in held {
        if visible == 0 && chunk["choices"][0]["finish_reason"] == "tool_calls" {
            if let Some(choice) = chunk.get_mut("choices").and_then(|c| c.get_mut(0)) {
                choice["finish_reason"] = json!("stop");
            }
        }
        if let Some(Value::Object(u)) = chunk.get_mut("usage") {
            for (key, value) in usage.iter() {
                if u.contains_key(key) {
                    u.insert(key.clone(), value.clone());
                }
            }
        }
        if !emit(tx, sse::encode(None, &chunk.to_string())).await {
            return RoundEnd::Aborted;
        }
    }
    if let Some(raw) = done_raw {
        emit(tx, raw).await;
    }
    RoundEnd::Done
}
