//! State shared by the per-shape walkers while they read a message list in
//! order: the most recent user text, the tool calls seen so far, and the
//! sites found.
//!
//! A call's context is captured when the call is read, from what came before
//! it, and an output looks its call up by id. Nothing read later can change
//! an earlier output's context: that is the determinism rule.

use super::json_span::{Node, Value};
use super::site::{Encoding, Site};
use crate::options::Options;
use crate::pipeline::ToolContext;
use crate::router::Kind;
use std::collections::HashMap;

pub struct Walk<'o> {
    options: &'o Options,
    /// Field holding the message list, for paths (`""` for a top-level array).
    list_name: &'static str,
    user_text: Option<String>,
    calls: HashMap<String, ToolContext>,
    pub sites: Vec<Site>,
}

/// Where a tool output sits: its message and the path of the value.
pub struct Place {
    pub message_index: usize,
    pub path: String,
}

impl<'o> Walk<'o> {
    pub fn new(options: &'o Options, list_name: &'static str) -> Self {
        Self {
            options,
            list_name,
            user_text: None,
            calls: HashMap::new(),
            sites: Vec::new(),
        }
    }

    /// Path of message `index`: `messages[3]`, or `[3]` for a top-level array.
    pub fn message_path(&self, index: usize) -> String {
        format!("{}[{index}]", self.list_name)
    }

    /// A user message's text. Client-injected `<system-reminder>` blocks
    /// (Claude Code appends them to user turns, often next to tool results)
    /// are not what the user asked, so they are left out; a message with no
    /// other text (e.g. tool results only) keeps the previous user text.
    pub fn user_text(&mut self, text: String) {
        let asked = without_reminders(&text);
        let asked = asked.trim();
        if !asked.is_empty() {
            self.user_text = Some(asked.to_string());
        }
    }

    /// A tool call: remembers its name, arguments and the user text before it.
    pub fn call(&mut self, id: Option<String>, name: Option<String>, args: Option<&Node>) {
        let Some(id) = id else { return };
        let context = ToolContext {
            tool_name: name,
            tool_args: args.and_then(args_text),
            user_text: self.user_text.clone(),
        };
        self.calls.insert(id, context);
    }

    /// The context of the call an output answers. An output whose call is
    /// not in the body (history trimmed, server-side state) gets only the
    /// name the output itself carries.
    pub fn context(&self, call_id: Option<&str>, own_name: Option<String>) -> ToolContext {
        let mut context = call_id
            .and_then(|id| self.calls.get(id))
            .cloned()
            .unwrap_or_default();
        if own_name.is_some() {
            context.tool_name = own_name;
        }
        context
    }

    /// True when outputs of this message / tool must be left alone.
    pub fn skipped(&self, message_index: usize, tool: &ToolContext) -> bool {
        message_index < self.options.frozen_message_count
            || tool
                .tool_name
                .as_deref()
                .is_some_and(|name| self.options.exclude_tools.iter().any(|t| t == name))
    }

    fn bias(&self, message_index: usize) -> f64 {
        self.options
            .message_biases
            .iter()
            .rev()
            .find(|(i, _)| *i == message_index)
            .map_or(1.0, |(_, b)| *b)
    }

    /// A tool output held in a JSON string. Non-strings and strings that
    /// cannot be decoded (lone surrogates) are left alone.
    pub fn string_site(&mut self, node: &Node, place: Place, tool: &ToolContext) {
        let Some(text) = node.as_str() else { return };
        self.push(
            node,
            Encoding::JsonString,
            text.into_owned(),
            place,
            tool,
            None,
        );
    }

    /// A tool output that is a JSON value (Vercel `json`, legacy `result`):
    /// a string is treated as text, anything else is compressed as JSON and
    /// replaced by a JSON value.
    pub fn value_site(&mut self, node: &Node, body: &str, place: Place, tool: &ToolContext) {
        match node.value {
            Value::String(_) => self.string_site(node, place, tool),
            Value::Array(_) | Value::Object(_) => {
                let text = body[node.span.clone()].to_string();
                self.push(
                    node,
                    Encoding::JsonValue,
                    text,
                    place,
                    tool,
                    Some(Kind::Json),
                );
            }
            _ => {}
        }
    }

    /// Text parts of a content list (`[{type: <text_type>, text}]`), each
    /// its own site; other parts (images, files) are left alone.
    pub fn text_parts(
        &mut self,
        list: &[Node],
        text_types: &[&str],
        place: Place,
        tool: &ToolContext,
    ) {
        for (k, part) in list.iter().enumerate() {
            if !text_types.iter().any(|t| part.field_is("type", t)) {
                continue;
            }
            if let Some(text) = part.get("text") {
                let path = format!("{}[{k}].text", place.path);
                self.string_site(
                    text,
                    Place {
                        message_index: place.message_index,
                        path,
                    },
                    tool,
                );
            }
        }
    }

    fn push(
        &mut self,
        node: &Node,
        encoding: Encoding,
        text: String,
        place: Place,
        tool: &ToolContext,
        kind: Option<Kind>,
    ) {
        let bias = self.bias(place.message_index);
        self.sites.push(Site {
            span: node.span.clone(),
            encoding,
            text,
            tool: tool.clone(),
            message_index: place.message_index,
            path: place.path,
            bias,
            kind,
        });
    }
}

/// `text` without `<system-reminder>…</system-reminder>` blocks (an
/// unclosed one runs to the end).
fn without_reminders(text: &str) -> std::borrow::Cow<'_, str> {
    const OPEN: &str = "<system-reminder>";
    const CLOSE: &str = "</system-reminder>";
    if !text.contains(OPEN) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(OPEN) {
        out.push_str(&rest[..start]);
        rest = match rest[start..].find(CLOSE) {
            Some(end) => &rest[start + end + CLOSE.len()..],
            None => "",
        };
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// A call's arguments as text: a string holds JSON text already (OpenAI's
/// `arguments`), any other value is taken as written. The JSON text is
/// re-encoded compactly so that the same arguments give the same context
/// whatever whitespace a client used.
fn args_text(node: &Node) -> Option<String> {
    match node.value {
        Value::String(_) => node.as_str().map(|s| s.into_owned()),
        Value::Null => None,
        _ => Some(compact(node)),
    }
}

/// A value re-written without insignificant whitespace (strings and numbers
/// kept exactly as written).
fn compact(node: &Node) -> String {
    fn write(node: &Node, out: &mut String) {
        match &node.value {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => out.push_str(n),
            Value::String(s) => {
                out.push('"');
                out.push_str(s.raw());
                out.push('"');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(item, out);
                }
                out.push(']');
            }
            Value::Object(members) => {
                out.push('{');
                for (i, member) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push('"');
                    out.push_str(member.key.raw());
                    out.push_str("\":");
                    write(&member.value, out);
                }
                out.push('}');
            }
        }
    }
    let mut out = String::new();
    write(node, &mut out);
    out
}

/// Text of a content that is a string or a list of `{type: <text_type>, text}`
/// parts (joined by newlines).
pub fn content_text(content: Option<&Node>, text_types: &[&str]) -> String {
    let Some(content) = content else {
        return String::new();
    };
    if let Some(text) = content.as_str() {
        return text.into_owned();
    }
    let parts = content.as_array().unwrap_or(&[]);
    let texts: Vec<String> = parts
        .iter()
        .filter(|p| text_types.iter().any(|t| p.field_is("type", t)))
        .filter_map(|p| p.str_field("text").map(|s| s.into_owned()))
        .collect();
    texts.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::json_span::parse;

    #[test]
    fn call_arguments_ignore_whitespace_but_keep_strings_and_numbers_as_written() {
        let node =
            parse("{ \"cmd\" : \"ls  -la\\n\", \"n\": 1.50, \"l\": [ true , null ] }").unwrap();
        assert_eq!(
            args_text(&node).unwrap(),
            r#"{"cmd":"ls  -la\n","n":1.50,"l":[true,null]}"#
        );
        let as_string = parse(r#""{\"cmd\": \"ls\"}""#).unwrap();
        assert_eq!(args_text(&as_string).unwrap(), r#"{"cmd": "ls"}"#);
        assert_eq!(args_text(&parse("null").unwrap()), None);
    }

    #[test]
    fn contexts_come_from_what_preceded_the_call() {
        let options = Options::default();
        let mut walk = Walk::new(&options, "messages");
        walk.user_text("first question".into());
        walk.call(
            Some("a".into()),
            Some("Bash".into()),
            Some(&parse(r#"{"command":"make"}"#).unwrap()),
        );
        walk.user_text("  ".into());
        walk.user_text("second question".into());
        let a = walk.context(Some("a"), None);
        assert_eq!(a.user_text.as_deref(), Some("first question"));
        assert_eq!(a.tool_name.as_deref(), Some("Bash"));
        assert_eq!(a.tool_args.as_deref(), Some(r#"{"command":"make"}"#));
        walk.user_text("<system-reminder>\nTodo list is empty.\n</system-reminder>\n".into());
        walk.user_text(
            "<system-reminder>a</system-reminder>Which test fails?<system-reminder>b".into(),
        );
        walk.call(Some("b".into()), None, None);
        assert_eq!(
            walk.context(Some("b"), None).user_text.as_deref(),
            Some("Which test fails?")
        );
        let unknown = walk.context(Some("zzz"), Some("Read".into()));
        assert_eq!(
            unknown,
            ToolContext {
                tool_name: Some("Read".into()),
                ..Default::default()
            }
        );
    }
}
