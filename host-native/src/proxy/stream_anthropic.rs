//! Answering `headroom_retrieve` inside an Anthropic SSE stream. The client
//! gets one message: one `message_start`, content block indices counting up
//! across rounds, one `message_delta` (usage summed over rounds) and one
//! `message_stop`. Retrieve calls are never shown; nor is thinking from a
//! round after the first once text was shown (the API only writes thinking
//! at the start of a message; those blocks still go back upstream with
//! their signatures, as the API requires). Every other event passes as the
//! bytes received, rewritten only when its index must change.

use super::calls::{self, Call};
use super::forward;
use super::inject::TOOL_NAME;
use super::retrieval::Round;
use super::server::upstream_error;
use super::sse::{self, Event, Pulled, Splitter};
use axum::body::Body;
use axum::http::Response;
use bytes::Bytes;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use tokio::sync::mpsc;

pub type Chunk = Result<Bytes, std::io::Error>;

/// A body fed from a channel by the task that runs the rounds.
pub fn channel_body() -> (mpsc::Sender<Chunk>, Body) {
    let (tx, rx) = mpsc::channel::<Chunk>(64);
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    (tx, Body::from_stream(stream))
}

/// The response head of the first round, with the body streamed by a task.
pub fn respond_with_task(first: &reqwest::Response, body: Body) -> Response<Body> {
    let mut builder = Response::builder().status(first.status());
    if let Some(headers) = builder.headers_mut() {
        for (name, value) in first.headers() {
            if !forward::is_hop_by_hop(name) && name != "content-length" {
                headers.append(name.clone(), value.clone());
            }
        }
    }
    builder
        .body(body)
        .unwrap_or_else(|_| forward::bad_gateway("invalid upstream response"))
}

pub async fn run(round: Round, body: String) -> Response<Body> {
    stream_rounds(round, body, |round, body, first, tx| async move {
        Stream::default().drive(&round, body, first, &tx).await;
    })
    .await
}

/// Sends the first round upstream. If it succeeded, the client is answered
/// with a stream that `drive` (its own task) writes, round after round;
/// otherwise the upstream's answer is passed back as it is.
pub async fn stream_rounds<F, Fut>(round: Round, body: String, drive: F) -> Response<Body>
where
    F: FnOnce(Round, String, reqwest::Response, mpsc::Sender<Chunk>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let first = match round.send(body.clone()).await {
        Ok(r) => r,
        Err(e) => return forward::bad_gateway(&upstream_error(&e)),
    };
    if !first.status().is_success() {
        return forward::stream_back(first);
    }
    let (tx, out) = channel_body();
    let response = respond_with_task(&first, out);
    tokio::spawn(drive(round, body, first, tx));
    response
}

/// One content block of the current round, rebuilt from its events (for
/// the assistant turn sent back when the round ends in retrieve calls).
struct Block {
    value: Value,
    text: String,
    json: String,
    hidden: bool,
    /// A `headroom_retrieve` call (hidden, and answered by the proxy).
    retrieve: bool,
    client_index: u64,
}

#[derive(Default)]
struct Stream {
    /// Next content block index the client sees.
    next_index: u64,
    started: bool,
    /// The client has been shown a block other than thinking: a thinking
    /// block from now on would sit after text, where the API never puts
    /// one, so later rounds' thinking is sent upstream but not shown.
    shown_content: bool,
    usage: Map<String, Value>,
}

enum RoundEnd {
    /// Ended with only retrieve calls: answer them and go on.
    Retrieve {
        calls: Vec<Call>,
        content: Vec<Value>,
    },
    /// Ended otherwise; the held closing events are written.
    Done,
    /// The client went away or the upstream failed; nothing more to send.
    Aborted,
}

/// Send `bytes` to the client; false when the client went away.
pub(super) async fn emit(tx: &mpsc::Sender<Chunk>, bytes: Bytes) -> bool {
    tx.send(Ok(bytes)).await.is_ok()
}

/// The next event of a round's upstream stream; `Ok(None)` when it ended.
/// A failed read ends the client's stream with that error and is `Err`:
/// the round is aborted (the same for every streaming API).
pub(super) async fn next_event<S>(
    splitter: &mut Splitter,
    bytes: &mut S,
    tx: &mpsc::Sender<Chunk>,
) -> Result<Option<Event>, ()>
where
    S: futures_util::Stream<Item = Result<Bytes, reqwest::Error>> + Unpin,
{
    match splitter.pull(bytes).await {
        Pulled::Event(event) => Ok(Some(event)),
        Pulled::End => Ok(None),
        Pulled::Failed(e) => {
            let _ = tx.send(Err(std::io::Error::other(e))).await;
            Err(())
        }
    }
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
                RoundEnd::Done | RoundEnd::Aborted => return,
                RoundEnd::Retrieve {
                    calls: found,
                    content,
                } => {
                    let turn = json!({"content": content});
                    match round.continue_streaming(&mut body, &turn, &found).await {
                        Some(r) => upstream = r,
                        None => {
                            let error = json!({"type": "error", "error": {"type": "api_error",
                                "message": "headroom proxy: the upstream failed while answering a headroom_retrieve call"}});
                            emit(tx, sse::encode(Some("error"), &error.to_string())).await;
                            return;
                        }
                    }
                    rounds += 1;
                }
            }
        }
    }

    /// Pass one upstream stream on. `last`: no more rounds may follow, so
    /// the closing events are written whatever the model did.
    async fn one_round(
        &mut self,
        upstream: reqwest::Response,
        tx: &mpsc::Sender<Chunk>,
        last: bool,
    ) -> RoundEnd {
        let mut bytes = upstream.bytes_stream();
        let mut splitter = Splitter::default();
        let mut blocks: HashMap<u64, Block> = HashMap::new();
        let mut order: Vec<u64> = Vec::new();
        let mut held_delta: Option<Value> = None;
        let mut visible_tool_use = false;
        loop {
            let event = match next_event(&mut splitter, &mut bytes, tx).await {
                Ok(Some(event)) => event,
                Err(()) => return RoundEnd::Aborted,
                Ok(None) => {
                    // The upstream ended without message_stop.
                    if let Some(delta) = held_delta.take() {
                        emit(tx, self.closing_delta(delta, &blocks, visible_tool_use)).await;
                    }
                    return RoundEnd::Aborted;
                }
            };
            let Ok(mut data) = serde_json::from_str::<Value>(&event.data) else {
                if !emit(tx, event.raw).await {
                    return RoundEnd::Aborted;
                }
                continue;
            };
            let kind = data["type"].as_str().unwrap_or_default().to_string();
            let index = data["index"].as_u64();
            let forward_raw = match kind.as_str() {
                "message_start" => {
                    if self.started {
                        continue;
                    }
                    self.started = true;
                    Some(event.raw)
                }
                "content_block_start" => {
                    let Some(index) = index else { continue };
                    let block = data["content_block"].clone();
                    let retrieve = block["type"] == "tool_use" && block["name"] == TOOL_NAME;
                    let hidden = retrieve || (is_thinking(&block) && self.shown_content);
                    self.shown_content |= !hidden && !is_thinking(&block);
                    visible_tool_use |= block["type"] == "tool_use" && !hidden;
                    let client_index = self.next_index;
                    if !hidden {
                        self.next_index += 1;
                    }
                    blocks.insert(
                        index,
                        Block {
                            value: block,
                            text: String::new(),
                            json: String::new(),
                            hidden,
                            retrieve,
                            client_index,
                        },
                    );
                    order.push(index);
                    self.reindexed(&mut data, index, client_index, event.raw, hidden)
                }
                "content_block_delta" | "content_block_stop" => {
                    let Some(b) = index.and_then(|i| blocks.get_mut(&i)) else {
                        if !emit(tx, event.raw).await {
                            return RoundEnd::Aborted;
                        }
                        continue;
                    };
                    let delta = &data["delta"];
                    match delta["type"].as_str() {
                        Some("text_delta") => b.text.push_str(delta["text"].as_str().unwrap_or("")),
                        Some("thinking_delta") => {
                            b.text.push_str(delta["thinking"].as_str().unwrap_or(""))
                        }
                        Some("input_json_delta") => b
                            .json
                            .push_str(delta["partial_json"].as_str().unwrap_or("")),
                        Some("signature_delta") => {
                            b.value["signature"] = delta["signature"].clone()
                        }
                        _ => {}
                    }
                    let (hidden, client_index) = (b.hidden, b.client_index);
                    self.reindexed(
                        &mut data,
                        index.unwrap_or(0),
                        client_index,
                        event.raw,
                        hidden,
                    )
                }
                "message_delta" => {
                    calls::add_usage(&mut self.usage, data.get("usage"));
                    held_delta = Some(data);
                    continue;
                }
                "message_stop" => {
                    let retrieve: Vec<Call> = order
                        .iter()
                        .filter_map(|i| blocks.get(i))
                        .filter(|b| b.retrieve)
                        .map(|b| Call {
                            id: b.value["id"].as_str().unwrap_or_default().to_string(),
                            hash: serde_json::from_str::<Value>(&b.json)
                                .ok()
                                .and_then(|v| v["hash"].as_str().map(str::to_string)),
                        })
                        .collect();
                    if !retrieve.is_empty() && !visible_tool_use && !last {
                        let content = order
                            .iter()
                            .filter_map(|i| blocks.remove(i))
                            .map(finished_block)
                            .collect();
                        return RoundEnd::Retrieve {
                            calls: retrieve,
                            content,
                        };
                    }
                    if let Some(delta) = held_delta.take() {
                        if !emit(tx, self.closing_delta(delta, &blocks, visible_tool_use)).await {
                            return RoundEnd::Aborted;
                        }
                    }
                    emit(tx, event.raw).await;
                    return RoundEnd::Done;
                }
                _ => Some(event.raw),
            };
            if let Some(raw) = forward_raw {
                if !emit(tx, raw).await {
                    return RoundEnd::Aborted;
                }
            }
        }
    }

    /// The event to send for a block event: nothing for a hidden block, the
    /// raw bytes when the index is unchanged, else the event rewritten.
    fn reindexed(
        &self,
        data: &mut Value,
        index: u64,
        client_index: u64,
        raw: Bytes,
        hidden: bool,
    ) -> Option<Bytes> {
        if hidden {
            return None;
        }
        if index == client_index {
            return Some(raw);
        }
        data["index"] = json!(client_index);
        let name = data["type"].as_str().unwrap_or_default().to_string();
        Some(sse::encode(Some(&name), &data.to_string()))
    }

    /// The held `message_delta`, with usage summed over the rounds and the
    /// stop reason of a turn whose only tool calls were hidden.
    fn closing_delta(
        &self,
        mut delta: Value,
        _blocks: &HashMap<u64, Block>,
        visible_tool_use: bool,
    ) -> Bytes {
        if let Some(Value::Object(usage)) = delta.get_mut("usage") {
            for (key, value) in &self.usage {
                if usage.contains_key(key) {
                    usage.insert(key.clone(), value.clone());
                }
            }
        }
        if !visible_tool_use && delta["delta"]["stop_reason"] == "tool_use" {
            delta["delta"]["stop_reason"] = json!("end_turn");
        }
        sse::encode(Some("message_delta"), &delta.to_string())
    }
}

/// Thinking as the API writes it: shown only at the start of a message.
pub fn is_thinking(block: &Value) -> bool {
    block["type"] == "thinking" || block["type"] == "redacted_thinking"
}

/// A block as it goes back in the assistant turn.
fn finished_block(b: Block) -> Value {
    let mut v = b.value;
    match v["type"].as_str() {
        Some("text") => v["text"] = json!(b.text),
        Some("thinking") => v["thinking"] = json!(b.text),
        Some("tool_use") | Some("server_tool_use") => {
            v["input"] = serde_json::from_str(&b.json).unwrap_or_else(|_| json!({}))
        }
        _ => {}
    }
    v
}
