//! A site is one tool output inside a request body: where its bytes are, how
//! a replacement must be encoded, and everything its compression may depend
//! on. Hosts cache compression results per site (see [`Site::cache_key`]), so
//! a long conversation costs about as much as its new tool outputs.

use super::json_span;
use super::MessagesError;
use crate::options::Options;
use crate::pipeline::{compress_text_with_bias, TextResult, ToolContext};
use crate::router::Kind;
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// How the replacement for a site is written into the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    /// The span is a JSON string; the compressed text is written as a JSON
    /// string (serde_json's encoding, so every runtime writes the same bytes).
    JsonString,
    /// The span is a JSON value (a Vercel `json` tool output); the compressed
    /// text is itself JSON and is written as is, so the value stays a value.
    JsonValue,
}

/// One tool output found in a request body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Site {
    /// Byte range of the JSON value to replace (quotes included for strings).
    pub span: Range<usize>,
    pub encoding: Encoding,
    /// The output to compress: the decoded string, or for
    /// [`Encoding::JsonValue`] the value's JSON text as written.
    pub text: String,
    /// The call that produced the output and the user text before that call.
    pub tool: ToolContext,
    /// Index of the message (or Responses input item) holding the output.
    pub message_index: usize,
    /// Where it is, for reports: `messages[3].content[1].content`.
    pub path: String,
    /// Per-message bias multiplier from `options.messageBiases` (1.0 if none).
    pub bias: f64,
    /// Kind declared by the shape (`json` for Vercel `json` outputs);
    /// `None` lets the router detect it.
    pub kind: Option<Kind>,
}

impl Site {
    /// Compress this site's output. The result depends only on the site's
    /// `text`, `tool`, `bias`, `kind` and on `options` (never on where the
    /// site sits in the body), which is what keeps earlier turns
    /// byte-identical when a conversation grows.
    pub fn compress(&self, options: &Options) -> TextResult {
        let declared = self.kind.map(|k| k.as_str().to_string());
        if options.kind == declared {
            compress_text_with_bias(&self.text, &self.tool, options, self.bias)
        } else {
            let options = Options {
                kind: declared,
                ..options.clone()
            };
            compress_text_with_bias(&self.text, &self.tool, &options, self.bias)
        }
    }

    /// The bytes that replace [`Site::span`] for `result`, or `None` when
    /// the site stays as it is: nothing was compressed, or a JSON value
    /// site's result is not valid JSON (a value must stay a value).
    pub fn replacement(&self, result: &TextResult) -> Option<String> {
        if !result.compressed || result.text == self.text {
            return None;
        }
        match self.encoding {
            Encoding::JsonString => Some(encode_json_string(&result.text)),
            Encoding::JsonValue => json_span::is_valid(&result.text).then(|| result.text.clone()),
        }
    }

    /// A key for caching [`Site::compress`] results: a hash over everything
    /// the result depends on except the options (which the host adds, or
    /// keeps one cache per options). Two sites with the same key compress
    /// identically.
    pub fn cache_key(&self) -> String {
        let mut hasher = blake3::Hasher::new();
        let mut field = |bytes: &[u8]| {
            hasher.update(&(bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
        };
        let opt = |s: &Option<String>| {
            s.as_deref()
                .map_or(b"\xff".as_slice(), str::as_bytes)
                .to_vec()
        };
        field(self.text.as_bytes());
        field(&opt(&self.tool.tool_name));
        field(&opt(&self.tool.tool_args));
        field(&opt(&self.tool.user_text));
        field(&self.bias.to_bits().to_le_bytes());
        field(self.kind.map_or("", Kind::as_str).as_bytes());
        field(match self.encoding {
            Encoding::JsonString => b"s",
            Encoding::JsonValue => b"v",
        });
        hasher.finalize().to_hex()[..crate::hash::HASH_LEN].to_string()
    }
}

/// `text` as a JSON string literal, quotes included.
pub fn encode_json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| unreachable!("serializing a str cannot fail"))
}

/// Replace byte ranges of `body`. Every byte outside the ranges is copied
/// unchanged. Edits may come in any order but must not overlap, must lie
/// within the body and on character boundaries.
pub fn splice<S: AsRef<str>>(
    body: &str,
    edits: &[(Range<usize>, S)],
) -> Result<String, MessagesError> {
    let mut order: Vec<usize> = (0..edits.len()).collect();
    order.sort_by_key(|&i| (edits[i].0.start, edits[i].0.end));
    let added: usize = edits.iter().map(|(_, s)| s.as_ref().len()).sum();
    let mut out = String::with_capacity(body.len() + added);
    let mut copied = 0;
    for i in order {
        let (span, replacement) = &edits[i];
        if span.start < copied || span.start > span.end || span.end > body.len() {
            return Err(MessagesError::BadEdit(format!(
                "span {}..{} overlaps another edit or lies outside the body of {} bytes",
                span.start,
                span.end,
                body.len()
            )));
        }
        if !body.is_char_boundary(span.start) || !body.is_char_boundary(span.end) {
            return Err(MessagesError::BadEdit(format!(
                "span {}..{} splits a character",
                span.start, span.end
            )));
        }
        out.push_str(&body[copied..span.start]);
        out.push_str(replacement.as_ref());
        copied = span.end;
    }
    out.push_str(&body[copied..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(encoding: Encoding, text: &str) -> Site {
        Site {
            span: 0..0,
            encoding,
            text: text.to_string(),
            tool: ToolContext::default(),
            message_index: 0,
            path: String::new(),
            bias: 1.0,
            kind: None,
        }
    }

    fn result(text: &str, compressed: bool) -> TextResult {
        TextResult {
            text: text.to_string(),
            compressed,
            kind: "text".to_string(),
            transforms: Vec::new(),
            tokens_before: 10,
            tokens_after: 5,
            ccr: None,
        }
    }

    #[test]
    fn splice_replaces_only_the_given_ranges_in_any_order() {
        let body = "ab\"cdé\"fg[1]";
        let out = splice(body, &[(10..13, "{}"), (2..8, "\"X\"")]).unwrap();
        assert_eq!(out, "ab\"X\"fg{}");
        assert_eq!(splice::<&str>(body, &[]).unwrap(), body);
        assert!(matches!(
            splice(body, &[(2..5, ""), (4..6, "")]),
            Err(MessagesError::BadEdit(_))
        ));
        assert!(matches!(
            splice(body, &[(2..40, "")]),
            Err(MessagesError::BadEdit(_))
        ));
        assert!(splice(body, &[(6..7, "")])
            .unwrap_err()
            .to_string()
            .contains("splits a character"));
    }

    #[test]
    fn replacements_are_encoded_for_their_site() {
        let text = site(Encoding::JsonString, "orig");
        assert_eq!(
            text.replacement(&result("a\"b\n\u{1}é", true)).unwrap(),
            r#""a\"b\n\u0001é""#
        );
        assert_eq!(text.replacement(&result("x", false)), None);
        assert_eq!(text.replacement(&result("orig", true)), None);
        let value = site(Encoding::JsonValue, "[1, 2, 3]");
        assert_eq!(value.replacement(&result("[1,3]", true)).unwrap(), "[1,3]");
        assert_eq!(
            value.replacement(&result("[1,\n[headroom: 1 line omitted]", true)),
            None
        );
    }

    #[test]
    fn cache_key_covers_everything_compression_depends_on() {
        let base = site(Encoding::JsonString, "output");
        let key = base.cache_key();
        assert_eq!(key, base.clone().cache_key());
        let mut moved = base.clone();
        moved.span = 10..20;
        moved.path = "messages[9].content".to_string();
        moved.message_index = 9;
        assert_eq!(moved.cache_key(), key, "position must not matter");
        let variants = [
            Site {
                text: "output2".into(),
                ..base.clone()
            },
            Site {
                tool: ToolContext {
                    tool_name: Some("Bash".into()),
                    ..Default::default()
                },
                ..base.clone()
            },
            Site {
                tool: ToolContext {
                    tool_args: Some("{}".into()),
                    ..Default::default()
                },
                ..base.clone()
            },
            Site {
                tool: ToolContext {
                    user_text: Some("".into()),
                    ..Default::default()
                },
                ..base.clone()
            },
            Site {
                bias: 2.0,
                ..base.clone()
            },
            Site {
                kind: Some(Kind::Json),
                ..base.clone()
            },
            Site {
                encoding: Encoding::JsonValue,
                ..base.clone()
            },
        ];
        for v in variants {
            assert_ne!(v.cache_key(), key, "{v:?}");
        }
    }
}
