//! What the host needs from an engine, whichever runtime executes it: JSON
//! requests in, JSON envelopes out (the C ABI of `docs/abi.md`), plus typed
//! helpers on top. The wasm engine is the product; the native engine runs
//! the same Rust code in-process, for benchmarks and parity tests only.

use headroom_core::{MessagesResult, Options, TextResult, ToolContext};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// One C-ABI operation. Each maps to an `abi_*` export of the module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    CompressText,
    /// `CompressText` with the text as raw bytes after a JSON header
    /// ([`raw_text_request`]); what [`Engine::compress_text`] uses.
    CompressTextRaw,
    CompressMessages,
    CountTokens,
    FindHashes,
}

impl Op {
    /// Name of the module export that implements the operation.
    pub fn export_name(self) -> &'static str {
        match self {
            Op::CompressText => "abi_compress_text",
            Op::CompressTextRaw => "abi_compress_text_raw",
            Op::CompressMessages => "abi_compress_messages",
            Op::CountTokens => "abi_count_tokens",
            Op::FindHashes => "abi_find_hashes",
        }
    }

    pub const ALL: [Op; 5] = [
        Op::CompressText,
        Op::CompressTextRaw,
        Op::CompressMessages,
        Op::CountTokens,
        Op::FindHashes,
    ];
}

/// Why an engine call failed. Callers (the proxy) branch on the variant:
/// every one of them means "forward the request unmodified", but they are
/// counted and logged separately.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The module hit a wasm trap (a panic inside the engine, or a bug).
    #[error("engine trapped: {0}")]
    Trap(String),
    /// The call ran past its deadline and was interrupted.
    #[error("engine call exceeded its time limit of {0:?}")]
    Timeout(Duration),
    /// The call needed more linear memory than its limit allows.
    #[error("engine call exceeded its memory limit of {limit_bytes} bytes")]
    OutOfMemory { limit_bytes: usize },
    /// The engine ran and refused the request (bad options, unknown body
    /// shape, ...). `code` is one of the codes in `docs/abi.md`.
    #[error("{message} ({code})")]
    Rejected { code: String, message: String },
    /// The module cannot be used by this host (wrong ABI, missing export,
    /// failed to compile or instantiate).
    #[error("wasm module unusable: {0}")]
    Module(String),
    /// The module answered with bytes that are not a valid envelope.
    #[error("engine returned a malformed response: {0}")]
    Protocol(String),
}

/// An engine: the module under wasmtime, or the same code natively.
pub trait Engine: Send + Sync {
    /// `"wasm"` or `"native"`, for reports.
    fn runtime(&self) -> &'static str;

    /// Run one operation on a JSON request; returns the JSON envelope
    /// (`{"ok":..}` or `{"error":..}`) exactly as the engine produced it.
    fn call_json(&self, op: Op, request: &[u8]) -> Result<Vec<u8>, EngineError>;

    /// Compress one tool output. The engine is asked not to echo the
    /// original back (`echoOriginal: false`): escaping a 1 MB output into the
    /// response and parsing it again cost ~3 ms per call under wasmtime, and
    /// the original is `text` itself, which is filled in here.
    fn compress_text(
        &self,
        text: &str,
        tool: &ToolContext,
        options: &Options,
    ) -> Result<TextResult, EngineError> {
        let request = raw_text_request(text, tool, options);
        let mut result: TextResult = decode(&self.call_json(Op::CompressTextRaw, &request)?)?;
        if let Some(ccr) = result.ccr.as_mut() {
            ccr.original = text.to_string();
        }
        Ok(result)
    }

    /// Compress a whole request body (any supported shape).
    fn compress_messages(
        &self,
        body: &str,
        options: &Options,
    ) -> Result<MessagesResult, EngineError> {
        let request = encode(&MessagesRequest { body, options });
        decode(&self.call_json(Op::CompressMessages, &request)?)
    }

    /// `o200k_base` token count of `text`.
    fn count_tokens(&self, text: &str) -> Result<usize, EngineError> {
        decode(&self.call_json(Op::CountTokens, &encode(&TextOnly { text }))?)
    }

    /// Hashes referenced by markers in `text`.
    fn find_hashes(&self, text: &str) -> Result<Vec<String>, EngineError> {
        decode(&self.call_json(Op::FindHashes, &encode(&TextOnly { text }))?)
    }
}

#[derive(Serialize)]
struct TextRequest<'a> {
    text: &'a str,
    tool: &'a ToolContext,
    options: &'a Options,
}

#[derive(Serialize)]
struct RawTextHeader<'a> {
    tool: &'a ToolContext,
    options: &'a Options,
    #[serde(rename = "echoOriginal")]
    echo_original: bool,
}

#[derive(Serialize)]
struct MessagesRequest<'a> {
    body: &'a str,
    options: &'a Options,
}

#[derive(Serialize)]
struct TextOnly<'a> {
    text: &'a str,
}

/// A compress-text request as JSON bytes (what `abi_compress_text` takes).
pub fn text_request(text: &str, tool: &ToolContext, options: &Options) -> Vec<u8> {
    encode(&TextRequest {
        text,
        tool,
        options,
    })
}

/// A raw compress-text request (what `abi_compress_text_raw` takes):
/// `[header length: u32 LE][{"tool", "options", "echoOriginal": false}][text]`.
/// WHY: the text is copied as it is, not escaped into a JSON string here and
/// unescaped again in the module (~1 ms of a 1 MB output's call).
pub fn raw_text_request(text: &str, tool: &ToolContext, options: &Options) -> Vec<u8> {
    let header = encode(&RawTextHeader {
        tool,
        options,
        echo_original: false,
    });
    let len = u32::try_from(header.len()).expect("a request header is far below 4 GiB");
    let mut request = Vec::with_capacity(4 + header.len() + text.len());
    request.extend_from_slice(&len.to_le_bytes());
    request.extend_from_slice(&header);
    request.extend_from_slice(text.as_bytes());
    request
}

/// A compress-messages request as JSON bytes.
pub fn messages_request(body: &str, options: &Options) -> Vec<u8> {
    encode(&MessagesRequest { body, options })
}

fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    // Strings and plain option structs: serialization cannot fail.
    serde_json::to_vec(value).expect("requests serialize to JSON")
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum Envelope<T> {
    Ok(T),
    Error { code: String, message: String },
}

/// Unwrap an envelope into its result, or the engine's own error.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, EngineError> {
    match serde_json::from_slice::<Envelope<T>>(bytes) {
        Ok(Envelope::Ok(value)) => Ok(value),
        Ok(Envelope::Error { code, message }) => Err(EngineError::Rejected { code, message }),
        Err(e) => Err(EngineError::Protocol(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_decode_to_values_or_rejections() {
        assert_eq!(decode::<usize>(br#"{"ok":42}"#).unwrap(), 42);
        match decode::<usize>(
            br#"{"error":{"code":"invalid_options","message":"options.bias: bad"}}"#,
        ) {
            Err(EngineError::Rejected { code, message }) => {
                assert_eq!(code, "invalid_options");
                assert_eq!(message, "options.bias: bad");
            }
            other => panic!("expected a rejection, got {other:?}"),
        }
        assert!(matches!(
            decode::<usize>(b"{\"ok\":"),
            Err(EngineError::Protocol(_))
        ));
    }

    #[test]
    fn requests_carry_every_field_the_abi_expects() {
        let v: serde_json::Value = serde_json::from_slice(&text_request(
            "t",
            &ToolContext::default(),
            &Options::default(),
        ))
        .unwrap();
        assert_eq!(v["text"], "t");
        assert!(v["tool"].is_object() && v["options"].is_object());
        let v: serde_json::Value =
            serde_json::from_slice(&messages_request("{}", &Options::default())).unwrap();
        assert_eq!(v["body"], "{}");
    }
}
