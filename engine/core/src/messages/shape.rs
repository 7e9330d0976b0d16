//! Which API a request body speaks, and where its message list is.
//!
//! Detection reads only distinctive marks (block and part types, roles,
//! top-level keys), never guesses from sizes, so the same body is always
//! read the same way.

use super::json_span::{Node, Value};
use super::MessagesError;
use crate::options::Shape;

/// The shape's wire name, as in `options.shape`.
pub fn name(shape: Shape) -> &'static str {
    match shape {
        Shape::Anthropic => "anthropic",
        Shape::OpenaiChat => "openai-chat",
        Shape::OpenaiResponses => "openai-responses",
        Shape::Vercel => "vercel",
    }
}

/// The message list of `root` for `shape`, with the name of its field for
/// paths (`""` for a top-level array). `Ok(None)` when the shape allows a
/// body without a list (a Responses `input` that is a plain string).
pub fn message_list<'n, 'a>(
    root: &'n Node<'a>,
    shape: Shape,
) -> Result<Option<(&'static str, &'n [Node<'a>])>, MessagesError> {
    let field = |key: &'static str| {
        root.get(key)
            .and_then(Node::as_array)
            .map(|list| (key, list))
    };
    let found = match shape {
        Shape::Anthropic | Shape::OpenaiChat => field("messages"),
        Shape::OpenaiResponses => match root.get("input") {
            Some(input) if matches!(input.value, Value::String(_)) => return Ok(None),
            _ => field("input"),
        },
        Shape::Vercel => match root.as_array() {
            Some(list) => Some(("", list)),
            None => field("prompt").or_else(|| field("messages")),
        },
    };
    match found {
        Some(found) => Ok(Some(found)),
        None => Err(MessagesError::UnknownShape(format!(
            "declared shape `{}` expects {}, found {}",
            name(shape),
            expectation(shape),
            describe(root)
        ))),
    }
}

fn expectation(shape: Shape) -> &'static str {
    match shape {
        Shape::Anthropic | Shape::OpenaiChat => "an object with a `messages` array",
        Shape::OpenaiResponses => "an object with an `input` string or array",
        Shape::Vercel => "an array of messages or an object with a `prompt` (or `messages`) array",
    }
}

/// Detect the shape of `root`.
pub fn detect(root: &Node) -> Result<Shape, MessagesError> {
    if root.as_array().is_some() {
        return Ok(Shape::Vercel);
    }
    if root.as_object().is_some() {
        if let Some(messages) = root.get("messages").and_then(Node::as_array) {
            return Ok(detect_from_messages(root, messages));
        }
        if root
            .get("input")
            .is_some_and(|i| matches!(i.value, Value::String(_) | Value::Array(_)))
        {
            return Ok(Shape::OpenaiResponses);
        }
        if root.get("prompt").and_then(Node::as_array).is_some() {
            return Ok(Shape::Vercel);
        }
    }
    Err(MessagesError::UnknownShape(format!(
        "expected an object with `messages` (Anthropic Messages, OpenAI Chat), `input` (OpenAI Responses) or \
         `prompt` (Vercel AI SDK), or an array of messages (Vercel AI SDK); found {}",
        describe(root)
    )))
}

/// Tell the three `messages`-based shapes apart by their own vocabulary:
/// Vercel part types are hyphenated (`tool-result`), Anthropic block types
/// use underscores (`tool_result`), OpenAI Chat has `tool` messages with
/// `tool_call_id` and assistant `tool_calls`.
fn detect_from_messages(root: &Node, messages: &[Node]) -> Shape {
    let (mut anthropic, mut openai) = (false, false);
    for message in messages {
        if message.get("tool_calls").is_some()
            || message.get("tool_call_id").is_some()
            || message.get("function_call").is_some()
        {
            openai = true;
        }
        if message.field_is("role", "developer") || message.field_is("role", "function") {
            openai = true;
        }
        let parts = message
            .get("content")
            .and_then(Node::as_array)
            .unwrap_or(&[]);
        for part in parts {
            let Some(kind) = part.str_field("type") else {
                continue;
            };
            match kind.as_ref() {
                "tool-call"
                | "tool-result"
                | "reasoning"
                | "tool-approval-request"
                | "tool-approval-response" => {
                    return Shape::Vercel;
                }
                // OpenAI Chat has `file` parts too, but without a media type.
                "file" if part.get("mediaType").is_some() || part.get("mimeType").is_some() => {
                    return Shape::Vercel;
                }
                "tool_use"
                | "tool_result"
                | "thinking"
                | "redacted_thinking"
                | "server_tool_use"
                | "document"
                | "web_search_tool_result"
                | "search_result"
                | "container_upload" => anthropic = true,
                "image" if part.get("source").is_some() => anthropic = true,
                "image_url" | "input_audio" | "refusal" => openai = true,
                _ => {}
            }
        }
    }
    if anthropic {
        Shape::Anthropic
    } else if openai {
        Shape::OpenaiChat
    } else if root.get("system").is_some() || root.get("anthropic_version").is_some() {
        // OpenAI Chat has no top-level `system`; Anthropic does.
        Shape::Anthropic
    } else {
        // A plain chat without tools: it holds no tool outputs, so the
        // result is the same whichever shape it is read as.
        Shape::OpenaiChat
    }
}

/// A short description of a value, for error messages.
fn describe(node: &Node) -> String {
    match node.as_object() {
        Some([]) => "an empty object".to_string(),
        Some(members) => {
            let mut keys: Vec<String> = members
                .iter()
                .take(8)
                .map(|m| format!("`{}`", m.key.raw()))
                .collect();
            if members.len() > 8 {
                keys.push("…".to_string());
            }
            format!("an object with keys {}", keys.join(", "))
        }
        None => node.type_name().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::json_span::parse;

    fn detect_text(text: &str) -> Result<Shape, MessagesError> {
        detect(&parse(text).unwrap())
    }

    #[test]
    fn detects_each_shape_from_its_own_marks() {
        let cases = [
            (
                r#"{"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"a","content":"x"}]}]}"#,
                Shape::Anthropic,
            ),
            (
                r#"{"system":"s","messages":[{"role":"user","content":"hi"}]}"#,
                Shape::Anthropic,
            ),
            (
                r#"{"messages":[{"role":"system","content":"s"},{"role":"user","content":"hi"}]}"#,
                Shape::OpenaiChat,
            ),
            (
                r#"{"messages":[{"role":"tool","tool_call_id":"a","content":"x"}]}"#,
                Shape::OpenaiChat,
            ),
            (
                r#"{"messages":[{"role":"user","content":[{"type":"file","file":{"file_id":"f"}}]}]}"#,
                Shape::OpenaiChat,
            ),
            (
                r#"{"messages":[{"role":"user","content":[{"type":"file","data":"AA","mediaType":"image/png"}]}]}"#,
                Shape::Vercel,
            ),
            (
                r#"{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"u"}}]}]}"#,
                Shape::OpenaiChat,
            ),
            (r#"{"input":"hello"}"#, Shape::OpenaiResponses),
            (
                r#"{"input":[{"type":"function_call_output","call_id":"a","output":"x"}]}"#,
                Shape::OpenaiResponses,
            ),
            (r#"[{"role":"system","content":"s"}]"#, Shape::Vercel),
            (r#"{"prompt":[]}"#, Shape::Vercel),
            (
                r#"{"messages":[{"role":"tool","content":[{"type":"tool-result","toolCallId":"a","toolName":"t","output":{"type":"text","value":"x"}}]}]}"#,
                Shape::Vercel,
            ),
        ];
        for (text, shape) in cases {
            assert_eq!(detect_text(text).unwrap(), shape, "{text}");
        }
    }

    #[test]
    fn unknown_shapes_say_what_was_expected_and_found() {
        let err = detect_text(r#"{"model":"m","contents":[]}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("expected an object with `messages`"), "{err}");
        assert!(
            err.contains("found an object with keys `model`, `contents`"),
            "{err}"
        );
        let err = detect_text("\"just a string\"").unwrap_err().to_string();
        assert!(err.ends_with("found a string"), "{err}");
        let root = parse(r#"{"messages":[]}"#).unwrap();
        let err = message_list(&root, Shape::OpenaiResponses)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "unrecognised request shape: declared shape `openai-responses` expects an object with an `input` string \
             or array, found an object with keys `messages`"
        );
    }
}
