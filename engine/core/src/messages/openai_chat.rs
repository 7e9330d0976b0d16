//! OpenAI Chat Completions: assistant `tool_calls` (function or custom
//! tools), answered by `role: "tool"` messages matched by `tool_call_id`,
//! whose content is a string or a list of `{type: "text", text}` parts.
//! The legacy `function_call` / `role: "function"` pair is read too.

use super::json_span::Node;
use super::walk::{content_text, Place, Walk};

/// Id under which a legacy `function_call` is remembered (it has no id; the
/// next `role: "function"` message answers it).
const LEGACY_CALL: &str = "\u{0}legacy-function-call";

pub fn walk(messages: &[Node], walk: &mut Walk) {
    for (index, message) in messages.iter().enumerate() {
        let role = message.str_field("role");
        match role.as_deref() {
            Some("user") => walk.user_text(content_text(message.get("content"), &["text"])),
            Some("assistant") => {
                for call in message
                    .get("tool_calls")
                    .and_then(Node::as_array)
                    .unwrap_or(&[])
                {
                    let id = call.str_field("id").map(|s| s.into_owned());
                    let (name, args) = match (call.get("function"), call.get("custom")) {
                        (Some(f), _) => (f.str_field("name"), f.get("arguments")),
                        (None, Some(c)) => (c.str_field("name"), c.get("input")),
                        (None, None) => (None, None),
                    };
                    walk.call(id, name.map(|s| s.into_owned()), args);
                }
                if let Some(f) = message.get("function_call") {
                    let name = f.str_field("name").map(|s| s.into_owned());
                    walk.call(Some(LEGACY_CALL.to_string()), name, f.get("arguments"));
                }
            }
            Some("tool") => {
                let tool = walk.context(message.str_field("tool_call_id").as_deref(), None);
                output(message, index, tool, walk);
            }
            Some("function") => {
                let tool = walk.context(
                    Some(LEGACY_CALL),
                    message.str_field("name").map(|s| s.into_owned()),
                );
                output(message, index, tool, walk);
            }
            _ => {}
        }
    }
}

fn output(message: &Node, index: usize, tool: crate::pipeline::ToolContext, walk: &mut Walk) {
    if walk.skipped(index, &tool) {
        return;
    }
    let Some(content) = message.get("content") else {
        return;
    };
    let place = Place {
        message_index: index,
        path: format!("{}.content", walk.message_path(index)),
    };
    match content.as_array() {
        Some(parts) => walk.text_parts(parts, &["text"], place, &tool),
        None => walk.string_site(content, place, &tool),
    }
}
