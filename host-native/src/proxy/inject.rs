//! Small splices into a request body for retrieval: declare the
//! `headroom_retrieve` tool, and append the turns of a retrieval round to
//! the message list. Like compression, these only insert bytes: everything
//! already in the body stays byte-identical.

use headroom_core::messages::json_span::{self, Node, Value};
use headroom_core::Shape;
use std::ops::Range;
use std::sync::OnceLock;

pub const TOOL_NAME: &str = "headroom_retrieve";
const DESCRIPTION: &str = "Return the full original of a tool output that Headroom shortened. \
Call it with the hash shown in a Headroom marker, e.g. headroom_retrieve(\"<hash>\") or \
{\"_headroom\": ..., \"retrieve\": \"<hash>\"}, when you need the omitted part.";

/// Where the parts retrieval edits sit in a body.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Span of the `tools` value (an array or `null`), if present.
    tools: Option<(Range<usize>, bool)>,
    /// Span of the message list (`messages` or Responses `input`) and
    /// whether it is empty.
    list: (Range<usize>, bool),
    /// Span of the whole body object.
    root: Range<usize>,
    pub stream: bool,
    /// The client declared a tool named `headroom_retrieve` itself.
    pub client_declared: bool,
}

fn list_key(shape: Shape) -> Option<&'static str> {
    match shape {
        Shape::Anthropic | Shape::OpenaiChat => Some("messages"),
        Shape::OpenaiResponses => Some("input"),
        Shape::Vercel => None,
    }
}

fn tool_name<'a>(tool: &Node<'a>) -> Option<std::borrow::Cow<'a, str>> {
    tool.str_field("name")
        .or_else(|| tool.get("function").and_then(|f| f.str_field("name")))
}

impl Layout {
    pub fn of(body: &str, shape: Shape) -> Option<Self> {
        Self::from_root(&json_span::parse(body).ok()?, shape)
    }

    /// The layout of a body already parsed (the compressor parses each
    /// body once, for extraction and for this).
    pub fn from_root(root: &Node, shape: Shape) -> Option<Self> {
        root.as_object()?;
        let list = root.get(list_key(shape)?)?;
        let items = list.as_array()?;
        let tools = root.get("tools");
        let client_declared = tools.and_then(|t| t.as_array()).is_some_and(|ts| {
            ts.iter()
                .any(|t| tool_name(t).as_deref() == Some(TOOL_NAME))
        });
        let tools = match tools {
            Some(t) => match &t.value {
                Value::Array(a) => Some((t.span.clone(), a.is_empty())),
                Value::Null => Some((t.span.clone(), true)),
                _ => return None,
            },
            None => None,
        };
        Some(Self {
            tools,
            list: (list.span.clone(), items.is_empty()),
            root: root.span.clone(),
            stream: matches!(
                root.get("stream").map(|s| &s.value),
                Some(Value::Bool(true))
            ),
            client_declared,
        })
    }

    /// The layout of the body after `edits` (non-overlapping byte ranges
    /// replaced by new text, none of them crossing a span boundary kept
    /// here): every boundary moves by the size change of the edits before it.
    pub fn shifted<S: AsRef<str>>(&self, edits: &[(Range<usize>, S)]) -> Self {
        let at = |p: usize| -> usize {
            let mut moved = p as isize;
            for (span, text) in edits {
                debug_assert!(span.end <= p || span.start >= p, "an edit crosses {p}");
                if span.end <= p {
                    moved += text.as_ref().len() as isize - span.len() as isize;
                }
            }
            moved as usize
        };
        let range = |r: &Range<usize>| at(r.start)..at(r.end);
        Self {
            tools: self.tools.as_ref().map(|(r, empty)| (range(r), *empty)),
            list: (range(&self.list.0), self.list.1),
            root: range(&self.root),
            stream: self.stream,
            client_declared: self.client_declared,
        }
    }

    /// `body` with the `headroom_retrieve` tool declared for `shape`.
    pub fn with_tool(&self, body: &str, shape: Shape) -> String {
        let def = tool_definition(shape);
        match &self.tools {
            Some((span, _)) if body.as_bytes()[span.start] == b'n' => {
                splice_at(body, span.clone(), &format!("[{def}]"))
            }
            Some((span, empty)) => {
                let sep = if *empty { "" } else { "," };
                insert_at(body, span.end - 1, &format!("{sep}{def}"))
            }
            None => {
                let empty = body[self.root.start + 1..self.root.end - 1]
                    .trim()
                    .is_empty();
                let sep = if empty { "" } else { "," };
                insert_at(body, self.root.end - 1, &format!("{sep}\"tools\":[{def}]"))
            }
        }
    }

    /// `body` with `items` (JSON texts) appended to the message list.
    pub fn with_items(&self, body: &str, items: &[String]) -> String {
        let (span, empty) = &self.list;
        let mut text = String::new();
        for (i, item) in items.iter().enumerate() {
            if i > 0 || !empty {
                text.push(',');
            }
            text.push_str(item);
        }
        insert_at(body, span.end - 1, &text)
    }
}

fn insert_at(body: &str, at: usize, text: &str) -> String {
    splice_at(body, at..at, text)
}

fn splice_at(body: &str, span: Range<usize>, text: &str) -> String {
    let mut out = String::with_capacity(body.len() + text.len());
    out.push_str(&body[..span.start]);
    out.push_str(text);
    out.push_str(&body[span.end..]);
    out
}

/// The tool definition in the shape's own format. Built once per shape:
/// every request that carries markers appends it, and serializing it with
/// serde_json each time was ~2% of the cached path's CPU.
pub fn tool_definition(shape: Shape) -> &'static str {
    static ANTHROPIC: OnceLock<String> = OnceLock::new();
    static CHAT: OnceLock<String> = OnceLock::new();
    static RESPONSES: OnceLock<String> = OnceLock::new();
    let cell = match shape {
        Shape::OpenaiChat => &CHAT,
        Shape::OpenaiResponses => &RESPONSES,
        _ => &ANTHROPIC,
    };
    cell.get_or_init(|| build_tool_definition(shape))
}

fn build_tool_definition(shape: Shape) -> String {
    let schema = serde_json::json!({
        "type": "object",
        "properties": {"hash": {"type": "string", "description": "The 24-hex-digit hash from the marker."}},
        "required": ["hash"],
    });
    let def = match shape {
        Shape::OpenaiChat => serde_json::json!({
            "type": "function",
            "function": {"name": TOOL_NAME, "description": DESCRIPTION, "parameters": schema},
        }),
        Shape::OpenaiResponses => serde_json::json!({
            "type": "function", "name": TOOL_NAME, "description": DESCRIPTION, "parameters": schema,
        }),
        _ => serde_json::json!({
            "name": TOOL_NAME, "description": DESCRIPTION, "input_schema": schema,
        }),
    };
    def.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tool_is_appended_and_every_other_byte_kept() {
        let body = r#"{"model":"m", "tools":[{"name":"Bash"}],"messages":[ ]}"#;
        let layout = Layout::of(body, Shape::Anthropic).unwrap();
        assert!(!layout.client_declared && !layout.stream);
        let out = layout.with_tool(body, Shape::Anthropic);
        assert!(out
            .starts_with(r#"{"model":"m", "tools":[{"name":"Bash"},{"name":"headroom_retrieve""#));
        assert!(out.ends_with(r#"}],"messages":[ ]}"#));
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["tools"][1]["input_schema"]["required"][0], "hash");
    }

    #[test]
    fn a_body_without_tools_gets_a_tools_array() {
        let body = r#"{"model":"m","stream":true,"messages":[{"role":"user","content":"x"}]}"#;
        let layout = Layout::of(body, Shape::OpenaiChat).unwrap();
        assert!(layout.stream);
        let out = layout.with_tool(body, Shape::OpenaiChat);
        assert!(out.starts_with(&body[..body.len() - 1]));
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["tools"][0]["function"]["name"], TOOL_NAME);
        let out = Layout::of(&out, Shape::OpenaiChat)
            .unwrap()
            .with_items(&out, &[r#"{"role":"tool"}"#.into()]);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["messages"][1]["role"], "tool");
    }

    #[test]
    fn a_shifted_layout_matches_a_fresh_parse_of_the_edited_body() {
        let body = r#"{"tools":[],"messages":[{"role":"tool","content":"long output here"},{"role":"tool","content":"x"}],"stream":true}"#;
        let layout = Layout::of(body, Shape::OpenaiChat).unwrap();
        let first = body.find("\"long").unwrap()..body.find(" here\"").unwrap() + 6;
        let second = body.rfind("\"x\"").unwrap()..body.rfind("\"x\"").unwrap() + 3;
        let edits = [(first, "\"short\""), (second, "\"a much longer one\"")];
        let edited = headroom_core::messages::splice(body, &edits).unwrap();
        let shifted = layout.shifted(&edits);
        let fresh = Layout::of(&edited, Shape::OpenaiChat).unwrap();
        assert_eq!(
            (&shifted.tools, &shifted.list, &shifted.root),
            (&fresh.tools, &fresh.list, &fresh.root)
        );
        let out = shifted.with_items(&edited, &[r#"{"role":"user"}"#.into()]);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["messages"][2]["role"], "user");
        assert_eq!(v["messages"][1]["content"], "a much longer one");
    }

    #[test]
    fn a_client_that_declares_the_tool_is_left_alone() {
        let body = r#"{"tools":[{"type":"function","function":{"name":"headroom_retrieve"}}],"messages":[]}"#;
        assert!(Layout::of(body, Shape::OpenaiChat).unwrap().client_declared);
        let body = r#"{"tools":null,"input":[]}"#;
        let layout = Layout::of(body, Shape::OpenaiResponses).unwrap();
        let out = layout.with_tool(body, Shape::OpenaiResponses);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["tools"][0]["name"], TOOL_NAME);
    }
}
