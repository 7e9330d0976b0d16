//! OpenAI Responses: `input` items. Calls are `function_call` (and
//! `custom_tool_call`) items; outputs are `function_call_output` (and
//! `custom_tool_call_output`) items matched by `call_id`, whose `output` is
//! a string or a list of `{type: "input_text", text}` parts (images and
//! files left alone).

use super::json_span::Node;
use super::walk::{content_text, Place, Walk};

pub fn walk(items: &[Node], walk: &mut Walk) {
    for (index, item) in items.iter().enumerate() {
        let kind = item.str_field("type");
        match kind.as_deref() {
            Some("function_call") | Some("custom_tool_call") => {
                let id = item.str_field("call_id").map(|s| s.into_owned());
                let name = item.str_field("name").map(|s| s.into_owned());
                let args = item.get("arguments").or_else(|| item.get("input"));
                walk.call(id, name, args);
            }
            Some("function_call_output") | Some("custom_tool_call_output") => {
                output(item, index, walk)
            }
            Some("message") | None if item.field_is("role", "user") => {
                walk.user_text(content_text(item.get("content"), &["input_text", "text"]));
            }
            _ => {}
        }
    }
}

fn output(item: &Node, index: usize, walk: &mut Walk) {
    let tool = walk.context(item.str_field("call_id").as_deref(), None);
    if walk.skipped(index, &tool) {
        return;
    }
    let Some(output) = item.get("output") else {
        return;
    };
    let place = Place {
        message_index: index,
        path: format!("{}.output", walk.message_path(index)),
    };
    match output.as_array() {
        Some(parts) => walk.text_parts(parts, &["input_text"], place, &tool),
        None => walk.string_site(output, place, &tool),
    }
}
