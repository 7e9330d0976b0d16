//! Answering `headroom_retrieve` inside an OpenAI Responses stream. The
//! client gets one response: one `response.created` (and `in_progress`),
//! output items whose `output_index` counts up across rounds, one closing
//! `response.completed` (or `incomplete`/`failed`) whose `response` keeps
//! the first round's id, lists every visible item of every round and sums
//! the usage. Every event's `sequence_number` is renumbered so the client
//! sees 0, 1, 2, … with no gap where hidden events were. Events of a
//! retrieve call (its item, argument deltas) are never shown; the others
//! pass as the bytes received unless a number in them had to change.

use super::calls::{self, Call};
use super::inject::TOOL_NAME;
use super::retrieval::Round;
use super::sse::{self, Event, Splitter};
use super::stream_anthropic::{emit, next_event, stream_rounds, Chunk};
use axum::body::Body;
use axum::http::Response;
use headroom_core::Shape;
use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet};
use tokio::sync::mpsc;

pub async fn run(round: Round, body: String) -> Response<Body> {
    stream_rounds(round, body, |round, body, first, tx| async move {
        Stream::default().drive(&round, body, first, &tx).await;
    })
    .await
}

/// What the client has been shown so far, across rounds.
#[derive(Default)]
struct Stream {
    /// Next `sequence_number` the client sees.
    next_seq: u64,
    /// Next `output_index` the client sees.
    next_index: u64,
    /// The id of the first round's response: the one the client knows.
    response_id: Option<Value>,
    /// Usage of the rounds so far, summed.
    usage: Map<String, Value>,
    /// Visible output items of earlier rounds, in client order.
    earlier: Vec<Value>,
    /// A round has ended and another was asked for.
    continued: bool,
    /// The id of the last round's response (the one the upstream knows
    /// the whole conversation under).
    last_id: Option<String>,
}

enum RoundEnd {
    /// Ended with only retrieve calls: answer them and go on.
    Retrieve {
        calls: Vec<Call>,
        output: Vec<Value>,
    },
    /// The closing event was written.
    Done,
    /// The client went away or the upstream failed; nothing more to send.
    Aborted,
}

/// The events that describe the whole response rather than one item.
fn is_lifecycle(kind: &str) -> bool {
    matches!(
        kind,
        "response.created" | "response.in_progress" | "response.queued"
    )
}

fn is_closing(kind: &str) -> bool {
    matches!(
        kind,
        "response.completed" | "response.incomplete" | "response.failed"
    )
}

fn is_retrieve_item(item: &Value) -> bool {
    item["type"] == "function_call" && item["name"] == TOOL_NAME
}

impl Stream {
    async fn drive(
        &mut self,
        round: &Round,
        mut body: String,
        mut upstream: reqwest::Response,
        tx: &mpsc::Sender<Chunk>,
    ) {
        let mut rounds = 0;
        loop {
            let last = rounds >= round.app.retrieve_rounds;
            match self.one_round(upstream, tx, last).await {
                RoundEnd::Done => {
                    let shown = self.response_id.as_ref().and_then(Value::as_str);
                    if let (true, Some(shown), Some(last)) = (self.continued, shown, &self.last_id)
                    {
                        round.app.compressor.alias_response(shown, last);
                    }
                    return;
                }
                RoundEnd::Aborted => return,
                RoundEnd::Retrieve {
                    calls: found,
                    output,
                } => {
                    let turn = json!({ "output": output });
                    match round.continue_streaming(&mut body, &turn, &found).await {
                        Some(r) => upstream = r,
                        None => {
                            let mut error = json!({"type": "error", "code": "server_error", "param": null,
                                "message": "headroom proxy: the upstream failed while answering a headroom_retrieve call"});
                            error["sequence_number"] = json!(self.next_seq);
                            emit(tx, sse::encode(Some("error"), &error.to_string())).await;
                            return;
                        }
                    }
                    self.continued = true;
                    rounds += 1;
                }
            }
        }
    }

    /// Pass one upstream stream on. `last`: no more rounds may follow, so
    /// the closing event is written whatever the model did.
    async fn one_round(
        &mut self,
        upstream: reqwest::Response,
        tx: &mpsc::Sender<Chunk>,
        last: bool,
    ) -> RoundEnd {
        let mut bytes = upstream.bytes_stream();
        let mut splitter = Splitter::default();
        // Upstream output_index -> the client's (None: a hidden item).
        let mut indices: HashMap<u64, Option<u64>> = HashMap::new();
        let mut hidden_ids: HashSet<String> = HashSet::new();
        loop {
            let event = match next_event(&mut splitter, &mut bytes, tx).await {
                Ok(Some(event)) => event,
                // Ended without `response.completed`, or failed.
                Ok(None) | Err(()) => return RoundEnd::Aborted,
            };
            let Ok(mut data) = serde_json::from_str::<Value>(&event.data) else {
                if !emit(tx, event.raw).await {
                    return RoundEnd::Aborted;
                }
                continue;
            };
            let kind = data["type"].as_str().unwrap_or_default().to_string();
            let mut changed = false;
            if is_lifecycle(&kind) {
                if self.continued {
                    continue;
                }
                if self.response_id.is_none() {
                    self.response_id = data["response"].get("id").cloned();
                }
            } else if is_closing(&kind) {
                let response = data["response"].take();
                let (found, others) = calls::find(Shape::OpenaiResponses, &response);
                calls::add_usage(&mut self.usage, response.get("usage"));
                if kind == "response.completed" && !found.is_empty() && !others && !last {
                    let output = response["output"].as_array().cloned().unwrap_or_default();
                    self.earlier.extend(
                        output
                            .iter()
                            .filter(|item| !is_retrieve_item(item))
                            .cloned(),
                    );
                    return RoundEnd::Retrieve {
                        calls: found,
                        output,
                    };
                }
                let rewritten = !found.is_empty() || self.continued;
                data["response"] = self.closing(response);
                if !self.send(tx, &event, &mut data, rewritten).await {
                    return RoundEnd::Aborted;
                }
                return RoundEnd::Done;
            } else if let Some(wire) = data["output_index"].as_u64() {
                if kind == "response.output_item.added" {
                    let hidden = is_retrieve_item(&data["item"]);
                    let client = (!hidden).then(|| {
                        self.next_index += 1;
                        self.next_index - 1
                    });
                    indices.insert(wire, client);
                    if let (true, Some(id)) = (hidden, data["item"]["id"].as_str()) {
                        hidden_ids.insert(id.to_string());
                    }
                }
                match indices.get(&wire) {
                    Some(None) => continue,
                    Some(Some(client)) if *client != wire => {
                        data["output_index"] = json!(client);
                        changed = true;
                    }
                    _ => {}
                }
            } else if data["item_id"]
                .as_str()
                .is_some_and(|id| hidden_ids.contains(id))
            {
                continue;
            }
            if !self.send(tx, &event, &mut data, changed).await {
                return RoundEnd::Aborted;
            }
        }
    }

    /// The closing response as the client must see it: the first round's
    /// id, the visible items of every round, usage summed over rounds.
    fn closing(&mut self, mut response: Value) -> Value {
        self.last_id = response["id"].as_str().map(str::to_string);
        calls::strip(Shape::OpenaiResponses, &mut response);
        if let Some(Value::Array(output)) = response.get_mut("output") {
            let mut all = self.earlier.clone();
            all.append(output);
            *output = all;
        }
        if let (Some(id), Some(r)) = (&self.response_id, response.as_object_mut()) {
            r.insert("id".into(), id.clone());
        }
        if let Some(Value::Object(usage)) = response.get_mut("usage") {
            for (key, value) in &self.usage {
                if usage.contains_key(key) {
                    usage.insert(key.clone(), value.clone());
                }
            }
        }
        response
    }

    /// Write one event with the next sequence number: its own bytes when
    /// nothing in it changed, else re-encoded. False when the client left.
    async fn send(
        &mut self,
        tx: &mpsc::Sender<Chunk>,
        event: &Event,
        data: &mut Value,
        mut changed: bool,
    ) -> bool {
        let seq = self.next_seq;
        self.next_seq += 1;
        if data
            .get("sequence_number")
            .is_some_and(|s| s.as_u64() != Some(seq))
        {
            data["sequence_number"] = json!(seq);
            changed = true;
        }
        let bytes = if changed {
            sse::encode(event.name.as_deref(), &data.to_string())
        } else {
            event.raw.clone()
        };
        emit(tx, bytes).await
    }
}
