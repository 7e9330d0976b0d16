//! Real request bodies from SWE-agent trajectories (`agent_traces/*.traj`).
//!
//! A trajectory's `history` is a list of `{role, content, ...}` messages:
//! assistant messages carry the `action` they ran (and, in function-calling
//! runs, `tool_calls`); the observation comes back as the next `user` or
//! `tool` message. Each assistant action + observation becomes one tool
//! exchange, written the way Anthropic Messages and OpenAI Chat clients send
//! it. Turn N is the conversation up to the N-th observation.
//!
//! Bodies are built by concatenation (`head` + messages joined by `,` +
//! `]}`), so the body of turn N without its closing `]}` is a byte prefix of
//! turn N+1: exactly what a real agent re-sends, and what compression must
//! preserve for provider prompt caches to keep hitting.

use std::ops::Range;

/// One step of a conversation after the system prompt.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    /// User text (task statement, demonstrations, or an unprompted message).
    User(String),
    /// An assistant tool call and the tool's output.
    Exchange {
        thought: String,
        tool: String,
        input: serde_json::Value,
        output: String,
    },
}

/// A trajectory as a conversation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Conversation {
    pub system: Option<String>,
    pub entries: Vec<Entry>,
}

/// Why a trajectory could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    #[error("trajectory is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("trajectory has no `history` list")]
    NoHistory,
}

fn text_of(message: &serde_json::Value) -> String {
    match &message["content"] {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(parts) => parts
            .iter()
            .filter_map(|p| p["text"].as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// The tool an assistant message called: its first `tool_calls` entry when
/// present, else SWE-agent's shell (`bash` with the action as command).
fn tool_call(message: &serde_json::Value) -> Option<(String, serde_json::Value)> {
    if let Some(call) = message["tool_calls"]
        .as_array()
        .and_then(|calls| calls.first())
    {
        let name = call["function"]["name"]
            .as_str()
            .unwrap_or("tool")
            .to_string();
        let args = call["function"]["arguments"].as_str().unwrap_or("{}");
        let input = match serde_json::from_str::<serde_json::Value>(args) {
            Ok(v @ serde_json::Value::Object(_)) => v,
            _ => serde_json::json!({ "arguments": args }),
        };
        return Some((name, input));
    }
    let action = message["action"].as_str()?;
    Some(("bash".to_string(), serde_json::json!({ "command": action })))
}

impl Conversation {
    /// Read a trajectory file's text.
    pub fn from_trajectory(text: &str) -> Result<Self, TraceError> {
        let doc: serde_json::Value = serde_json::from_str(text)?;
        let history = doc["history"].as_array().ok_or(TraceError::NoHistory)?;
        let mut conversation = Conversation::default();
        let mut pending: Option<(String, String, serde_json::Value)> = None;
        for message in history {
            let text = text_of(message);
            match message["role"].as_str().unwrap_or("") {
                "system" if conversation.system.is_none() && conversation.entries.is_empty() => {
                    conversation.system = Some(text)
                }
                "assistant" => match tool_call(message) {
                    Some((tool, input)) => pending = Some((text, tool, input)),
                    None => pending = None,
                },
                _ => match pending.take() {
                    Some((thought, tool, input)) => conversation.entries.push(Entry::Exchange {
                        thought,
                        tool,
                        input,
                        output: text,
                    }),
                    None => conversation.entries.push(Entry::User(text)),
                },
            }
        }
        Ok(conversation)
    }

    /// Number of tool exchanges (= number of turns).
    pub fn turns(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| matches!(e, Entry::Exchange { .. }))
            .count()
    }
}

/// Request formats the bodies are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Anthropic Messages, `tool_result.content` as a string.
    Anthropic,
    /// Anthropic Messages, `tool_result.content` as a list of text blocks.
    AnthropicBlocks,
    /// OpenAI Chat Completions (`tool_calls` + `role: "tool"`).
    OpenaiChat,
}

impl Format {
    pub const ALL: [Format; 3] = [
        Format::Anthropic,
        Format::AnthropicBlocks,
        Format::OpenaiChat,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Anthropic => "anthropic",
            Format::AnthropicBlocks => "anthropic-blocks",
            Format::OpenaiChat => "openai-chat",
        }
    }
}

/// A request body and where its tool outputs sit in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    pub json: String,
    /// Byte ranges of the JSON string literals holding tool outputs.
    pub outputs: Vec<Range<usize>>,
    /// The tool outputs, in the same order.
    pub texts: Vec<String>,
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialize")
}

/// Builds a body message by message, remembering where tool outputs are.
struct Writer {
    body: Body,
    first: bool,
}

impl Writer {
    fn new(head: String) -> Self {
        Self {
            body: Body {
                json: head,
                outputs: Vec::new(),
                texts: Vec::new(),
            },
            first: true,
        }
    }

    fn message(&mut self, parts: &[&str]) {
        if !self.first {
            self.body.json.push(',');
        }
        self.first = false;
        parts.iter().for_each(|p| self.body.json.push_str(p));
    }

    /// A message whose tool output literal sits between `before` and `after`.
    fn message_with_output(&mut self, before: &str, output: &str, after: &str) {
        self.message(&[before]);
        let start = self.body.json.len();
        self.body.json.push_str(&json_string(output));
        self.body.outputs.push(start..self.body.json.len());
        self.body.texts.push(output.to_string());
        self.body.json.push_str(after);
    }

    fn finish(mut self) -> Body {
        self.body.json.push_str("]}");
        self.body
    }
}

/// The body of turn `turn` (1-based: history up to the `turn`-th tool
/// output) in `format`.
pub fn body(conversation: &Conversation, format: Format, turn: usize) -> Body {
    let system = conversation.system.as_deref().unwrap_or("");
    let mut writer = match format {
        Format::Anthropic | Format::AnthropicBlocks => Writer::new(format!(
            r#"{{"model":"claude-sonnet-4-5","max_tokens":4096,"system":{},"messages":["#,
            json_string(system)
        )),
        Format::OpenaiChat => {
            let mut w =
                Writer::new(r#"{"model":"gpt-4o","max_tokens":4096,"messages":["#.to_string());
            if conversation.system.is_some() {
                w.message(&[r#"{"role":"system","content":"#, &json_string(system), "}"]);
            }
            w
        }
    };
    let mut seen = 0;
    for entry in &conversation.entries {
        match entry {
            Entry::User(text) => {
                writer.message(&[r#"{"role":"user","content":"#, &json_string(text), "}"])
            }
            Entry::Exchange {
                thought,
                tool,
                input,
                output,
            } => {
                if seen == turn {
                    break;
                }
                seen += 1;
                write_exchange(&mut writer, format, seen, thought, tool, input, output);
            }
        }
    }
    writer.finish()
}

fn write_exchange(
    writer: &mut Writer,
    format: Format,
    n: usize,
    thought: &str,
    tool: &str,
    input: &serde_json::Value,
    output: &str,
) {
    let (name, input_json) = (json_string(tool), input.to_string());
    match format {
        Format::Anthropic | Format::AnthropicBlocks => {
            let id = json_string(&format!("toolu_{n:04}"));
            let text_block = if thought.is_empty() {
                String::new()
            } else {
                format!(r#"{{"type":"text","text":{}}},"#, json_string(thought))
            };
            writer.message(&[
                r#"{"role":"assistant","content":["#,
                &text_block,
                &format!(r#"{{"type":"tool_use","id":{id},"name":{name},"input":{input_json}}}"#),
                "]}",
            ]);
            let open = format!(
                r#"{{"role":"user","content":[{{"type":"tool_result","tool_use_id":{id},"content":"#
            );
            if format == Format::Anthropic {
                writer.message_with_output(&open, output, "}]}");
            } else {
                writer.message_with_output(
                    &format!(r#"{open}[{{"type":"text","text":"#),
                    output,
                    "}]}]}",
                );
            }
        }
        Format::OpenaiChat => {
            let id = json_string(&format!("call_{n:04}"));
            let content = if thought.is_empty() {
                "null".to_string()
            } else {
                json_string(thought)
            };
            writer.message(&[&format!(
                r#"{{"role":"assistant","content":{content},"tool_calls":[{{"id":{id},"type":"function","function":{{"name":{name},"arguments":{}}}}}]}}"#,
                json_string(&input_json)
            )]);
            writer.message_with_output(
                &format!(r#"{{"role":"tool","tool_call_id":{id},"content":"#),
                output,
                "}",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRAJ: &str = r#"{"history":[
        {"role":"system","content":"sys"},
        {"role":"user","content":"fix it"},
        {"role":"assistant","content":"look","action":"ls\n"},
        {"role":"user","content":"a.py\nb.py"},
        {"role":"assistant","content":"open","action":"open a.py","tool_calls":[{"id":"x","type":"function","function":{"name":"open","arguments":"{\"path\":\"a.py\"}"}}]},
        {"role":"tool","content":"1:print(1)","tool_call_ids":["x"]},
        {"role":"assistant","content":"done","action":"submit"}
    ]}"#;

    #[test]
    fn trajectory_becomes_exchanges() {
        let c = Conversation::from_trajectory(TRAJ).unwrap();
        assert_eq!(c.system.as_deref(), Some("sys"));
        assert_eq!(c.turns(), 2, "the final action has no observation");
        assert_eq!(
            c.entries[2],
            Entry::Exchange {
                thought: "open".into(),
                tool: "open".into(),
                input: serde_json::json!({"path": "a.py"}),
                output: "1:print(1)".into()
            }
        );
    }

    #[test]
    fn bodies_are_valid_prefix_stable_and_locate_outputs() {
        let c = Conversation::from_trajectory(TRAJ).unwrap();
        for format in Format::ALL {
            let (one, two) = (body(&c, format, 1), body(&c, format, 2));
            for b in [&one, &two] {
                let parsed: serde_json::Value = serde_json::from_str(&b.json).unwrap();
                assert!(parsed["messages"].is_array(), "{}", format.name());
                for (range, text) in b.outputs.iter().zip(&b.texts) {
                    assert_eq!(
                        serde_json::from_str::<String>(&b.json[range.clone()]).unwrap(),
                        *text
                    );
                }
            }
            assert_eq!((one.outputs.len(), two.outputs.len()), (1, 2));
            assert!(
                two.json.starts_with(one.json.strip_suffix("]}").unwrap()),
                "{}",
                format.name()
            );
        }
        let openai: serde_json::Value =
            serde_json::from_str(&body(&c, Format::OpenaiChat, 2).json).unwrap();
        assert_eq!(openai["messages"][5]["role"], "tool");
        assert_eq!(
            openai["messages"][4]["tool_calls"][0]["function"]["arguments"],
            r#"{"path":"a.py"}"#
        );
    }
}
