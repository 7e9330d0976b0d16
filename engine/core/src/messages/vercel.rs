//! Vercel AI SDK language-model prompts (`LanguageModelV2`..`V4`, and V1's
//! legacy `result`): assistant `tool-call` parts, answered by `tool-result`
//! parts in `role: "tool"` messages. A result's `output` is
//! `{type: "text", value}`, `{type: "json", value}` (compressed as JSON and
//! written back as a JSON value, not a string) or
//! `{type: "content", value: [{type: "text", text}, ...]}`; `error-text`,
//! `error-json`, denials and anything unknown are left alone.

use super::json_span::Node;
use super::walk::{content_text, Place, Walk};

pub fn walk(messages: &[Node], body: &str, walk: &mut Walk) {
    for (index, message) in messages.iter().enumerate() {
        let parts = message
            .get("content")
            .and_then(Node::as_array)
            .unwrap_or(&[]);
        let role = message.str_field("role");
        match role.as_deref() {
            Some("user") => walk.user_text(content_text(message.get("content"), &["text"])),
            Some("assistant") => {
                for part in parts.iter().filter(|p| p.field_is("type", "tool-call")) {
                    let id = part.str_field("toolCallId").map(|s| s.into_owned());
                    let name = part.str_field("toolName").map(|s| s.into_owned());
                    walk.call(id, name, part.get("input").or_else(|| part.get("args")));
                }
            }
            Some("tool") => {
                for (j, part) in parts.iter().enumerate() {
                    if part.field_is("type", "tool-result") {
                        let path = format!("{}.content[{j}]", walk.message_path(index));
                        tool_result(part, index, path, body, walk);
                    }
                }
            }
            _ => {}
        }
    }
}

fn tool_result(part: &Node, index: usize, path: String, body: &str, walk: &mut Walk) {
    let own_name = part.str_field("toolName").map(|s| s.into_owned());
    let tool = walk.context(part.str_field("toolCallId").as_deref(), own_name);
    if walk.skipped(index, &tool) {
        return;
    }
    let place = |suffix: &str| Place {
        message_index: index,
        path: format!("{path}.{suffix}"),
    };
    if let Some(output) = part.get("output") {
        let Some(value) = output.get("value") else {
            return;
        };
        let kind = output.str_field("type");
        match kind.as_deref() {
            Some("text") => walk.string_site(value, place("output.value"), &tool),
            Some("json") => walk.value_site(value, body, place("output.value"), &tool),
            Some("content") => {
                let parts = value.as_array().unwrap_or(&[]);
                walk.text_parts(parts, &["text"], place("output.value"), &tool);
            }
            _ => {}
        }
    } else if let Some(content) = part.get("content").and_then(Node::as_array) {
        // V1: when `content` is present the model sees it instead of `result`.
        walk.text_parts(content, &["text"], place("content"), &tool);
    } else if let Some(result) = part.get("result") {
        walk.value_site(result, body, place("result"), &tool);
    }
}
