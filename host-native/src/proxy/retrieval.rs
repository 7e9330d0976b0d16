//! Forwarding a compressed request, and answering the model's
//! `headroom_retrieve` calls inside the proxy.
//!
//! When the body carries markers (or outputs expanded after an earlier
//! retrieval) and the client did not declare a `headroom_retrieve` tool of
//! its own, the proxy declares it. Every later request of the conversation
//! still carries those markers, so the tool list stays the same turn after
//! turn. When the model calls the tool, the proxy appends the call and the
//! original to the message list, asks again, and gives the client one
//! answer in which the call never appears (at most `retrieve_rounds`
//! rounds).

use super::calls::{self, Call};
use super::compressor::Compressed;
use super::forward;
use super::inject::{Layout, TOOL_NAME};
use super::routes::Route;
use super::server::{send, upstream_error, App};
use super::stats::Fault;
use super::text_body::TextBody;
use super::{stream_anthropic, stream_openai, stream_responses};
use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Method, Response};
use headroom_core::Shape;
use reqwest::Url;
use serde_json::{Map, Value};
use std::sync::Arc;

pub async fn forward(
    app: Arc<App>,
    route: Route,
    method: Method,
    url: Url,
    mut headers: HeaderMap,
    compressed: Compressed,
) -> Response<Body> {
    let shape = compressed.shape;
    let body = compressed.body;
    let layout = compressed.layout.filter(|_| compressed.has_markers);
    let Some(layout) = layout.filter(|l| !l.client_declared) else {
        return send(&app, method, &url, headers, body.into()).await;
    };
    let body = layout.with_tool(&body, shape);
    app.stats.count(&app.stats.retrieve_tool_added, 1);
    if route == Route::CountTokens || app.retrieve_rounds == 0 {
        return send(&app, method, &url, headers, body.into()).await;
    }
    // The proxy reads these answers, so ask for them uncompressed.
    headers.insert(
        header::ACCEPT_ENCODING,
        HeaderValue::from_static("identity"),
    );
    let round = Round {
        app,
        method,
        url,
        headers,
        shape,
    };
    if layout.stream {
        match shape {
            Shape::Anthropic => stream_anthropic::run(round, body).await,
            Shape::OpenaiResponses => stream_responses::run(round, body).await,
            _ => stream_openai::run(round, body).await,
        }
    } else {
        non_streaming(round, body).await
    }
}

/// What every round of one request needs.
pub struct Round {
    pub app: Arc<App>,
    pub method: Method,
    pub url: Url,
    pub headers: HeaderMap,
    pub shape: Shape,
}

impl Round {
    pub async fn send(
        &self,
        body: impl Into<reqwest::Body>,
    ) -> Result<reqwest::Response, reqwest::Error> {
        forward::send(
            &self.app.client,
            self.method.clone(),
            &self.url,
            self.headers.clone(),
            body.into(),
        )
        .await
    }

    /// The original for each call (or a one-line reason it is missing),
    /// remembering the hashes the model retrieved.
    pub async fn answer(&self, calls: &[Call]) -> Vec<(Call, String)> {
        let mut answers = Vec::with_capacity(calls.len());
        for call in calls {
            let text = match call.hash.as_deref() {
                Some(hash) if super::admin::is_hash(hash) => {
                    let store = self.app.compressor.store();
                    match store.get(hash).await {
                        Ok(Some(original)) => {
                            let _ = store.mark_retrieved(hash).await;
                            self.app.stats.count(&self.app.stats.retrievals_tool, 1);
                            original
                        }
                        Ok(None) => format!("headroom: no original is stored under {hash} (unknown or expired)"),
                        Err(_) => {
                            self.app.stats.fault(Fault::RetrievalFailed);
                            "headroom: the store is unavailable right now; the original cannot be retrieved".to_string()
                        }
                    }
                }
                _ => "headroom: headroom_retrieve needs {\"hash\": \"<24 hex digits from the marker>\"}".to_string(),
            };
            answers.push((call.clone(), text));
        }
        answers
    }

    /// The body of the next round: the model's turn and the answers appended.
    pub fn next_body(&self, body: &str, items: &[String]) -> Option<String> {
        Layout::of(body, self.shape).map(|l| l.with_items(body, items))
    }

    /// One more round of a streaming request: answer the model's retrieve
    /// calls, append its turn (`turn`, in the shape
    /// [`calls::continuation`] reads) and the answers to `body`, and send
    /// it upstream. `None` when that failed (counted and logged); the
    /// caller then ends the client's stream with an error event, since
    /// part of the answer was already streamed.
    pub async fn continue_streaming(
        &self,
        body: &mut String,
        turn: &Value,
        found: &[Call],
    ) -> Option<reqwest::Response> {
        let answers = self.answer(found).await;
        let items = calls::continuation(self.shape, turn, &answers);
        let sent = match self.next_body(body, &items) {
            Some(next) => {
                *body = next;
                self.send(body.clone()).await.ok()
            }
            None => None,
        };
        let upstream = sent.filter(|r| r.status().is_success());
        if upstream.is_none() {
            self.app.stats.fault(Fault::RetrievalFailed);
            eprintln!(
                "headroom-proxy: fault={} route={} action=stream-ended-with-error",
                Fault::RetrievalFailed.as_str(),
                self.route().name()
            );
        }
        upstream
    }

    fn route(&self) -> Route {
        match self.shape {
            Shape::Anthropic => Route::Messages,
            Shape::OpenaiResponses => Route::Responses,
            _ => Route::ChatCompletions,
        }
    }
}

async fn non_streaming(round: Round, body: String) -> Response<Body> {
    // Shared, not copied, with each round's request.
    let mut body = TextBody::from(body);
    let mut earlier_usage = Map::new();
    let mut earlier_text: Vec<Value> = Vec::new();
    let mut earlier_chat_text = String::new();
    let mut rounds = 0;
    loop {
        let upstream = match round.send(body.bytes()).await {
            Ok(r) => r,
            Err(e) => return forward::bad_gateway(&upstream_error(&e)),
        };
        if !upstream.status().is_success() {
            return forward::stream_back(upstream);
        }
        let status = upstream.status();
        let headers = upstream.headers().clone();
        let bytes = match upstream.bytes().await {
            Ok(b) => b,
            Err(_) => return forward::bad_gateway("upstream connection failed mid-response"),
        };
        if rounds == 0 && !may_call_retrieve(&bytes) {
            return forward::buffered_back(status, &headers, bytes);
        }
        let Ok(mut response) = serde_json::from_slice::<Value>(&bytes) else {
            return forward::buffered_back(status, &headers, bytes);
        };
        let (found, others) = calls::find(round.shape, &response);
        if found.is_empty() && rounds == 0 {
            return forward::buffered_back(status, &headers, bytes);
        }
        if found.is_empty() || others || rounds >= round.app.retrieve_rounds {
            calls::strip(round.shape, &mut response);
            calls::merge_usage(response.get_mut("usage"), &earlier_usage);
            let list = match round.shape {
                Shape::Anthropic => "content",
                _ => "output",
            };
            if !earlier_text.is_empty() {
                if let Some(Value::Array(content)) = response.get_mut(list) {
                    let mut all = std::mem::take(&mut earlier_text);
                    all.append(content);
                    if round.shape == Shape::Anthropic {
                        keep_leading_thinking(&mut all);
                    }
                    *content = all;
                }
            }
            if round.shape == Shape::OpenaiChat {
                prepend_chat_text(&mut response, &earlier_chat_text);
            }
            return forward::buffered_back(status, &headers, response.to_string().into());
        }
        calls::add_usage(&mut earlier_usage, response.get("usage"));
        // What the model said before calling: Anthropic text blocks and
        // Responses output items other than the retrieve calls (the client
        // of a Responses stream sees them too).
        match round.shape {
            Shape::Anthropic => earlier_text.extend(
                response["content"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|b| b["type"] == "text" || stream_anthropic::is_thinking(b))
                    .cloned(),
            ),
            Shape::OpenaiResponses => {
                let mut visible = response.clone();
                calls::strip(round.shape, &mut visible);
                if let Some(Value::Array(items)) = visible.get_mut("output") {
                    earlier_text.append(items);
                }
            }
            Shape::OpenaiChat => {
                if let Some(text) = response["choices"][0]["message"]["content"].as_str() {
                    earlier_chat_text.push_str(text);
                }
            }
            _ => {}
        }
        let answers = round.answer(&found).await;
        let items = calls::continuation(round.shape, &response, &answers);
        match round.next_body(body.as_str(), &items) {
            Some(next) => body = TextBody::from(next),
            None => return forward::buffered_back(status, &headers, bytes),
        }
        rounds += 1;
    }
}

/// False when an answer cannot hold a `headroom_retrieve` call, so the
/// first round's answer goes back without being parsed (what the proxy
/// would do after parsing it and finding no call). In JSON the name is
/// written as is, or with `\u` escapes; an answer that is not UTF-8 is
/// parsed (and passed back as it is when that fails).
fn may_call_retrieve(answer: &[u8]) -> bool {
    std::str::from_utf8(answer).map_or(true, |text| {
        text.contains(TOOL_NAME) || text.contains("\\u")
    })
}

/// What the model wrote before its retrieve calls, put before the final
/// message's content, as the client of the same streaming request reads it
/// (the content deltas of every round, one after the other).
fn prepend_chat_text(response: &mut Value, earlier: &str) {
    if earlier.is_empty() {
        return;
    }
    let Some(content) = response
        .get_mut("choices")
        .and_then(|c| c.get_mut(0))
        .and_then(|c| c.get_mut("message"))
        .and_then(|m| m.get_mut("content"))
    else {
        return;
    };
    let last = content.as_str().unwrap_or_default();
    *content = Value::String(format!("{earlier}{last}"));
}

/// The merged content of several rounds as the API could have written it:
/// thinking blocks (unmodified, signatures kept) only before the first
/// other block. Thinking of later rounds, which would follow text, is
/// dropped from what the client sees (it went back upstream already).
fn keep_leading_thinking(content: &mut Vec<Value>) {
    let mut other_seen = false;
    content.retain(|b| {
        let thinking = stream_anthropic::is_thinking(b);
        other_seen |= !thinking;
        !thinking || !other_seen
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_answers_that_may_call_the_tool_are_parsed() {
        assert!(!may_call_retrieve(
            br#"{"content":[{"type":"text","text":"ok"}]}"#
        ));
        assert!(may_call_retrieve(
            br#"{"content":[{"type":"tool_use","name":"headroom_retrieve","input":{}}]}"#
        ));
        // The same name written with JSON escapes.
        assert!(may_call_retrieve(br#"{"name":"headroom\u005fretrieve"}"#));
        assert!(may_call_retrieve(b"\xff not utf-8"));
    }

    #[test]
    fn earlier_chat_text_comes_first() {
        let mut response = serde_json::json!({"choices":[{"message":{"role":"assistant","content":"the answer"}}]});
        prepend_chat_text(&mut response, "Let me look. ");
        assert_eq!(
            response["choices"][0]["message"]["content"],
            "Let me look. the answer"
        );
        let mut empty =
            serde_json::json!({"choices":[{"message":{"role":"assistant","content":null}}]});
        prepend_chat_text(&mut empty, "only before");
        assert_eq!(empty["choices"][0]["message"]["content"], "only before");
        let mut untouched = serde_json::json!({"choices":[{"message":{"content":null}}]});
        prepend_chat_text(&mut untouched, "");
        assert!(untouched["choices"][0]["message"]["content"].is_null());
    }

    #[test]
    fn only_leading_thinking_survives_a_merge() {
        let mut content = vec![
            json!({"type": "thinking", "thinking": "a", "signature": "s1"}),
            json!({"type": "redacted_thinking", "data": "d"}),
            json!({"type": "text", "text": "Let me look."}),
            json!({"type": "thinking", "thinking": "b", "signature": "s2"}),
            json!({"type": "text", "text": "Found it."}),
        ];
        keep_leading_thinking(&mut content);
        let kinds: Vec<&str> = content
            .iter()
            .map(|b| b["type"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["thinking", "redacted_thinking", "text", "text"]);
        assert_eq!(content[0]["signature"], "s1");
    }
}
