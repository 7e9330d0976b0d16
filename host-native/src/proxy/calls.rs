//! Reading and editing `headroom_retrieve` calls in model responses, per
//! API shape: find them, strip them from what the client sees, and build
//! the turns that answer them.

use super::inject::TOOL_NAME;
use headroom_core::Shape;
use serde_json::{json, Map, Value};

/// One `headroom_retrieve` call made by the model.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub id: String,
    /// `None` when the arguments carry no hash.
    pub hash: Option<String>,
}

fn hash_of(input: &Value) -> Option<String> {
    input
        .get("hash")
        .and_then(Value::as_str)
        .map(str::to_string)
}

fn hash_of_arguments(arguments: &Value) -> Option<String> {
    let parsed: Value = serde_json::from_str(arguments.as_str()?).ok()?;
    hash_of(&parsed)
}

/// The list of tool calls (or content blocks, or output items) of a
/// non-streaming response.
fn call_list(shape: Shape, response: &Value) -> Option<&Vec<Value>> {
    match shape {
        Shape::Anthropic => response.get("content")?.as_array(),
        Shape::OpenaiChat => response
            .get("choices")?
            .get(0)?
            .get("message")?
            .get("tool_calls")?
            .as_array(),
        Shape::OpenaiResponses => response.get("output")?.as_array(),
        Shape::Vercel => None,
    }
}

/// `Some(true)`: a retrieve call; `Some(false)`: another tool call;
/// `None`: not a tool call.
fn classify(shape: Shape, item: &Value) -> Option<bool> {
    let name = match shape {
        Shape::Anthropic => (item.get("type")? == "tool_use").then(|| item.get("name"))??,
        Shape::OpenaiChat => item.get("function")?.get("name")?,
        Shape::OpenaiResponses => {
            (item.get("type")? == "function_call").then(|| item.get("name"))??
        }
        Shape::Vercel => return None,
    };
    Some(name == TOOL_NAME)
}

/// The retrieve calls in a response, and whether it also calls other tools.
pub fn find(shape: Shape, response: &Value) -> (Vec<Call>, bool) {
    let mut calls = Vec::new();
    let mut others = false;
    for item in call_list(shape, response).into_iter().flatten() {
        match classify(shape, item) {
            Some(true) => calls.push(match shape {
                Shape::Anthropic => Call {
                    id: str_field(item, "id"),
                    hash: item.get("input").and_then(hash_of),
                },
                Shape::OpenaiChat => Call {
                    id: str_field(item, "id"),
                    hash: item
                        .get("function")
                        .and_then(|f| f.get("arguments"))
                        .and_then(hash_of_arguments),
                },
                _ => Call {
                    id: str_field(item, "call_id"),
                    hash: item.get("arguments").and_then(hash_of_arguments),
                },
            }),
            Some(false) => others = true,
            None => {}
        }
    }
    (calls, others)
}

fn str_field(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Remove retrieve calls from a response the client will see; when no tool
/// call remains, the stop reason says the turn ended.
pub fn strip(shape: Shape, response: &mut Value) {
    let is_retrieve = |item: &Value| classify(shape, item) == Some(true);
    match shape {
        Shape::Anthropic => {
            if let Some(Value::Array(content)) = response.get_mut("content") {
                content.retain(|b| !is_retrieve(b));
                let any_tool = content
                    .iter()
                    .any(|b| b.get("type").is_some_and(|t| t == "tool_use"));
                if !any_tool && response.get("stop_reason").is_some_and(|r| r == "tool_use") {
                    response["stop_reason"] = json!("end_turn");
                }
            }
        }
        Shape::OpenaiChat => {
            if let Some(choice) = response.get_mut("choices").and_then(|c| c.get_mut(0)) {
                let mut emptied = false;
                if let Some(message) = choice.get_mut("message").and_then(Value::as_object_mut) {
                    if let Some(Value::Array(calls)) = message.get_mut("tool_calls") {
                        calls.retain(|c| !is_retrieve(c));
                        emptied = calls.is_empty();
                    }
                    if emptied {
                        message.remove("tool_calls");
                    }
                }
                if emptied
                    && choice
                        .get("finish_reason")
                        .is_some_and(|r| r == "tool_calls")
                {
                    choice["finish_reason"] = json!("stop");
                }
            }
        }
        Shape::OpenaiResponses => {
            if let Some(Value::Array(output)) = response.get_mut("output") {
                output.retain(|item| !is_retrieve(item));
            }
        }
        Shape::Vercel => {}
    }
}

/// The list items (JSON texts) that carry the model's turn and the answers
/// to its retrieve calls, to append to the request's message list.
pub fn continuation(shape: Shape, response: &Value, answers: &[(Call, String)]) -> Vec<String> {
    let mut items = Vec::new();
    match shape {
        Shape::Anthropic => {
            items.push(
                json!({"role": "assistant", "content": response.get("content").cloned().unwrap_or(json!([]))})
                    .to_string(),
            );
            let results: Vec<Value> = answers
                .iter()
                .map(|(call, text)| json!({"type": "tool_result", "tool_use_id": call.id, "content": text}))
                .collect();
            items.push(json!({"role": "user", "content": results}).to_string());
        }
        Shape::OpenaiChat => {
            let message = response
                .get("choices")
                .and_then(|c| c.get(0))
                .and_then(|c| c.get("message"));
            let mut turn = Map::new();
            turn.insert("role".into(), json!("assistant"));
            turn.insert(
                "content".into(),
                message
                    .and_then(|m| m.get("content"))
                    .cloned()
                    .unwrap_or(Value::Null),
            );
            turn.insert(
                "tool_calls".into(),
                message
                    .and_then(|m| m.get("tool_calls"))
                    .cloned()
                    .unwrap_or(json!([])),
            );
            items.push(Value::Object(turn).to_string());
            for (call, text) in answers {
                items.push(
                    json!({"role": "tool", "tool_call_id": call.id, "content": text}).to_string(),
                );
            }
        }
        Shape::OpenaiResponses => {
            for item in response
                .get("output")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                items.push(item.to_string());
            }
            for (call, text) in answers {
                items.push(
                    json!({"type": "function_call_output", "call_id": call.id, "output": text})
                        .to_string(),
                );
            }
        }
        Shape::Vercel => {}
    }
    items
}

/// Add the integer fields of `usage` into `sum`, nested objects too
/// (`input_tokens_details.cached_tokens`, `cache_creation.…`), so the
/// details stay consistent with the totals.
pub fn add_usage(sum: &mut Map<String, Value>, usage: Option<&Value>) {
    for (key, value) in usage.and_then(Value::as_object).into_iter().flatten() {
        if let Some(n) = value.as_u64() {
            let prev = sum.get(key).and_then(Value::as_u64).unwrap_or(0);
            sum.insert(key.clone(), json!(prev + n));
        } else if value.is_object() {
            let entry = sum
                .entry(key.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(inner) = entry {
                add_usage(inner, Some(value));
            }
        }
    }
}

/// `usage` plus the sums of earlier rounds, for the integer fields (nested
/// objects too).
pub fn merge_usage(usage: Option<&mut Value>, earlier: &Map<String, Value>) {
    let Some(Value::Object(usage)) = usage else {
        return;
    };
    for (key, value) in earlier {
        match (value, usage.get_mut(key)) {
            (Value::Number(add), Some(Value::Number(n))) => {
                if let (Some(add), Some(n)) = (add.as_u64(), n.as_u64()) {
                    usage.insert(key.clone(), json!(n + add));
                }
            }
            (Value::Object(inner), Some(target @ Value::Object(_))) => {
                merge_usage(Some(target), inner);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anthropic_calls_are_found_stripped_and_answered() {
        let mut r = json!({"content": [
            {"type": "text", "text": "Looking."},
            {"type": "tool_use", "id": "t1", "name": "headroom_retrieve", "input": {"hash": "abc"}}
        ], "stop_reason": "tool_use"});
        let (calls, others) = find(Shape::Anthropic, &r);
        assert_eq!(
            calls,
            vec![Call {
                id: "t1".into(),
                hash: Some("abc".into())
            }]
        );
        assert!(!others);
        let items = continuation(Shape::Anthropic, &r, &[(calls[0].clone(), "orig".into())]);
        let user: Value = serde_json::from_str(&items[1]).unwrap();
        assert_eq!(user["content"][0]["content"], "orig");
        assert_eq!(user["content"][0]["tool_use_id"], "t1");
        strip(Shape::Anthropic, &mut r);
        assert_eq!(r["content"].as_array().unwrap().len(), 1);
        assert_eq!(r["stop_reason"], "end_turn");
    }

    #[test]
    fn chat_calls_mixed_with_client_tools_keep_the_client_calls() {
        let mut r = json!({"choices": [{"message": {"role": "assistant", "content": null, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "headroom_retrieve", "arguments": "{\"hash\":\"h\"}"}},
            {"id": "c2", "type": "function", "function": {"name": "Bash", "arguments": "{}"}}
        ]}, "finish_reason": "tool_calls"}]});
        let (calls, others) = find(Shape::OpenaiChat, &r);
        assert_eq!(calls[0].hash.as_deref(), Some("h"));
        assert!(others);
        strip(Shape::OpenaiChat, &mut r);
        assert_eq!(r["choices"][0]["message"]["tool_calls"][0]["id"], "c2");
        assert_eq!(r["choices"][0]["finish_reason"], "tool_calls");
    }

    #[test]
    fn usage_of_earlier_rounds_is_added() {
        let mut sum = Map::new();
        add_usage(
            &mut sum,
            Some(&json!({"input_tokens": 10, "output_tokens": 3, "x": "y"})),
        );
        let mut last = json!({"usage": {"input_tokens": 20, "output_tokens": 4}});
        merge_usage(last.get_mut("usage"), &sum);
        assert_eq!(
            last["usage"],
            json!({"input_tokens": 30, "output_tokens": 7})
        );
    }

    #[test]
    fn nested_usage_details_are_summed_with_the_totals() {
        let round = json!({"output_tokens": 7, "output_tokens_details": {"reasoning_tokens": 5}});
        let mut sum = Map::new();
        add_usage(&mut sum, Some(&round));
        add_usage(&mut sum, Some(&round));
        assert_eq!(sum["output_tokens_details"]["reasoning_tokens"], 10);
        let mut last = json!({"usage": round});
        merge_usage(last.get_mut("usage"), &sum);
        assert_eq!(
            last["usage"],
            json!({"output_tokens": 21, "output_tokens_details": {"reasoning_tokens": 15}})
        );
    }
}
