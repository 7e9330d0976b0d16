//! Anthropic Messages: `tool_use` blocks in assistant messages, `tool_result`
//! blocks in user messages. A result's `content` is a string or a list of
//! blocks; its text blocks are compressed one by one, everything else
//! (images, documents, `cache_control`, thinking blocks with signatures,
//! server tool results, unknown roles such as Claude Code's `system`
//! messages) is left exactly as it is.

use super::json_span::Node;
use super::walk::{content_text, Place, Walk};

pub fn walk(messages: &[Node], walk: &mut Walk) {
    for (index, message) in messages.iter().enumerate() {
        let content = message.get("content");
        let blocks = content.and_then(Node::as_array).unwrap_or(&[]);
        if message.field_is("role", "assistant") {
            for block in blocks.iter().filter(|b| b.field_is("type", "tool_use")) {
                let id = block.str_field("id").map(|s| s.into_owned());
                let name = block.str_field("name").map(|s| s.into_owned());
                walk.call(id, name, block.get("input"));
            }
        } else if message.field_is("role", "user") {
            for (j, block) in blocks.iter().enumerate() {
                if block.field_is("type", "tool_result") {
                    let path = format!("{}.content[{j}].content", walk.message_path(index));
                    tool_result(block, index, path, walk);
                }
            }
            walk.user_text(content_text(content, &["text"]));
        }
    }
}

fn tool_result(block: &Node, index: usize, path: String, walk: &mut Walk) {
    let tool = walk.context(block.str_field("tool_use_id").as_deref(), None);
    if walk.skipped(index, &tool) {
        return;
    }
    let Some(content) = block.get("content") else {
        return;
    };
    let place = Place {
        message_index: index,
        path,
    };
    match content.as_array() {
        Some(list) => walk.text_parts(list, &["text"], place, &tool),
        None => walk.string_site(content, place, &tool),
    }
}
