//! The engine's operations, once: typed functions both faces call, and their
//! JSON-in/JSON-out form used by the C ABI (and by the native host's
//! in-process engine, so wasm and native outputs are comparable byte for byte).
//!
//! Every JSON response is an envelope: `{"ok": <result>}` or
//! `{"error": {"code": "...", "message": "..."}}`.

use crate::error::EngineError;
use crate::request::{self, MessagesRequest, RawTextHeader, TextOnlyRequest, TextRequest};
use headroom_core::{MessagesResult, Options, TextResult, ToolContext};
use serde::Serialize;

/// Compress one tool output after validating the options.
pub fn compress_text(
    text: &str,
    tool: &ToolContext,
    options: &Options,
) -> Result<TextResult, EngineError> {
    request::validate_options(options)?;
    Ok(headroom_core::compress_text(text, tool, options))
}

/// Compress a whole request body after validating the options.
pub fn compress_messages(body: &str, options: &Options) -> Result<MessagesResult, EngineError> {
    request::validate_options(options)?;
    Ok(headroom_core::compress_messages(body, options)?)
}

/// What `version` reports: the engine release and the C-ABI version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionInfo {
    pub engine: &'static str,
    pub abi: u32,
}

pub fn version_info() -> VersionInfo {
    VersionInfo {
        engine: crate::ENGINE_VERSION,
        abi: crate::ABI_VERSION,
    }
}

#[derive(Serialize)]
#[serde(rename_all = "lowercase")]
enum Envelope<T> {
    Ok(T),
    Error(EngineError),
}

fn envelope<T: Serialize>(result: Result<T, EngineError>) -> Vec<u8> {
    let envelope = match result {
        Ok(value) => Envelope::Ok(value),
        Err(err) => Envelope::Error(err),
    };
    // Only strings, numbers and plain structs: serialization cannot fail.
    serde_json::to_vec(&envelope).expect("engine results serialize to JSON")
}

/// `{"text", "tool"?, "options"?, "echoOriginal"?}` -> `{"ok": TextResult}`.
/// With `"echoOriginal": false` the result's `ccr.original` is left empty:
/// the caller has the original already (it sent it).
pub fn compress_text_json(request: &[u8]) -> Vec<u8> {
    envelope(
        request::parse::<TextRequest>(request).and_then(|req| {
            compress_text_request(&req.text, req.tool, req.options, req.echo_original)
        }),
    )
}

/// `[header length: u32 LE][{"tool"?, "options"?, "echoOriginal"?}][text]`
/// -> `{"ok": TextResult}`: [`compress_text_json`] with the text as raw
/// UTF-8 after a JSON header, so a megabyte of output is neither escaped by
/// the host nor unescaped here.
pub fn compress_text_raw(request: &[u8]) -> Vec<u8> {
    envelope(request::split_raw(request).and_then(|(header, text)| {
        let header = request::parse::<RawTextHeader>(header)?;
        compress_text_request(text, header.tool, header.options, header.echo_original)
    }))
}

fn compress_text_request(
    text: &str,
    tool: Option<ToolContext>,
    options: Option<Options>,
    echo_original: bool,
) -> Result<TextResult, EngineError> {
    let options = request::options_or_default(options)?;
    let mut result = compress_text(text, &tool.unwrap_or_default(), &options)?;
    if !echo_original {
        if let Some(ccr) = result.ccr.as_mut() {
            ccr.original = String::new();
        }
    }
    Ok(result)
}

/// `{"body", "options"?}` -> `{"ok": MessagesResult}`.
pub fn compress_messages_json(request: &[u8]) -> Vec<u8> {
    envelope(request::parse::<MessagesRequest>(request).and_then(|req| {
        let options = request::options_or_default(req.options)?;
        compress_messages(&req.body, &options)
    }))
}

/// `{"text"}` -> `{"ok": <o200k token count>}`.
pub fn count_tokens_json(request: &[u8]) -> Vec<u8> {
    envelope(
        request::parse::<TextOnlyRequest>(request)
            .map(|req| headroom_core::tokens::count(&req.text)),
    )
}

/// `{"text"}` -> `{"ok": ["<hash>", ...]}`.
pub fn find_hashes_json(request: &[u8]) -> Vec<u8> {
    envelope(
        request::parse::<TextOnlyRequest>(request)
            .map(|req| headroom_core::marker::find_hashes(&req.text)),
    )
}

/// (no request) -> `{"ok": {"engine": "0.1.0", "abi": 1}}`.
pub fn version_json() -> Vec<u8> {
    envelope(Ok(version_info()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn call(f: fn(&[u8]) -> Vec<u8>, request: Value) -> Value {
        serde_json::from_slice(&f(request.to_string().as_bytes())).unwrap()
    }

    fn noisy_log() -> String {
        let mut log = String::new();
        for i in 0..400 {
            log.push_str(&format!(
                "2024-05-01T10:00:{:02} INFO worker {i} processed batch ok\n",
                i % 60
            ));
        }
        log.push_str("2024-05-01T10:07:00 ERROR worker 7 failed: connection refused\n");
        log
    }

    #[test]
    fn compress_text_returns_the_core_result_in_an_ok_envelope() {
        let log = noisy_log();
        let out = call(
            compress_text_json,
            json!({"text": log, "options": {"profile": "balanced"}}),
        );
        let expected =
            headroom_core::compress_text(&log, &ToolContext::default(), &Options::default());
        assert_eq!(out["ok"], serde_json::to_value(&expected).unwrap());
        assert_eq!(
            out["ok"]["compressed"],
            json!(true),
            "the fixture must actually compress"
        );
        assert!(out["ok"]["text"]
            .as_str()
            .unwrap()
            .contains("connection refused"));
    }

    #[test]
    fn echo_original_false_leaves_only_the_ccr_original_out() {
        let log = noisy_log();
        let echoed = call(compress_text_json, json!({"text": log}));
        let bare = call(
            compress_text_json,
            json!({"text": log, "echoOriginal": false}),
        );
        assert_eq!(echoed["ok"]["ccr"]["original"], json!(log));
        assert_eq!(bare["ok"]["ccr"]["original"], json!(""));
        let mut filled = bare.clone();
        filled["ok"]["ccr"]["original"] = json!(log);
        assert_eq!(filled, echoed);
    }

    fn raw(header: Value, text: &str) -> Vec<u8> {
        let header = header.to_string();
        let mut bytes = (header.len() as u32).to_le_bytes().to_vec();
        bytes.extend_from_slice(header.as_bytes());
        bytes.extend_from_slice(text.as_bytes());
        bytes
    }

    #[test]
    fn the_raw_request_gives_the_json_requests_result() {
        let log = noisy_log();
        for echo in [true, false] {
            let header = json!({"options": {"profile": "aggressive"}, "echoOriginal": echo});
            let mut request = header.clone();
            request["text"] = json!(log);
            let from_json: Value =
                serde_json::from_slice(&compress_text_json(request.to_string().as_bytes()))
                    .unwrap();
            let from_raw: Value =
                serde_json::from_slice(&compress_text_raw(&raw(header, &log))).unwrap();
            assert_eq!(from_raw, from_json);
            assert_eq!(from_raw["ok"]["compressed"], json!(true));
        }
    }

    #[test]
    fn bad_raw_requests_are_named() {
        let code = |bytes: &[u8]| -> Value {
            serde_json::from_slice::<Value>(&compress_text_raw(bytes)).unwrap()["error"]["code"]
                .clone()
        };
        assert_eq!(code(b"\x01\x00"), json!("invalid_request"));
        assert_eq!(code(b"\x09\x00\x00\x00{}"), json!("invalid_request"));
        assert_eq!(code(b"\x02\x00\x00\x00{}\xff"), json!("invalid_utf8"));
        assert_eq!(
            code(&raw(json!({"text": "x"}), "")),
            json!("invalid_request")
        );
        assert_eq!(
            code(&raw(json!({"options": {"bias": 0}}), "x")),
            json!("invalid_options")
        );
        let ok: Value =
            serde_json::from_slice(&compress_text_raw(b"\x02\x00\x00\x00{}short")).unwrap();
        assert_eq!(ok["ok"]["text"], json!("short"));
    }

    #[test]
    fn bad_options_come_back_as_an_error_envelope() {
        let out = call(
            compress_text_json,
            json!({"text": "x", "options": {"bias": 0}}),
        );
        assert_eq!(out["error"]["code"], json!("invalid_options"));
        assert!(out["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("options.bias: "));
        assert!(out.get("ok").is_none());
    }

    #[test]
    fn not_json_is_an_invalid_request() {
        let out: Value = serde_json::from_slice(&compress_text_json(b"text=hello")).unwrap();
        assert_eq!(out["error"]["code"], json!("invalid_request"));
    }

    #[test]
    fn messages_errors_are_reported_with_a_code() {
        let out = call(compress_messages_json, json!({"body": "{not json"}));
        let code = out["error"]["code"].as_str().unwrap();
        assert!(["invalid_body", "unknown_shape"].contains(&code), "{out}");
    }

    #[test]
    fn token_counts_and_hashes_are_exposed() {
        assert_eq!(
            call(count_tokens_json, json!({"text": "hello world"})),
            json!({"ok": 2})
        );
        let hash = headroom_core::hash::content_hash("original");
        let marked = format!(
            "{}",
            headroom_core::marker::json_value("3 of 4 items", &hash)
        );
        assert_eq!(
            call(find_hashes_json, json!({"text": marked})),
            json!({"ok": [hash]})
        );
    }

    #[test]
    fn version_names_the_abi() {
        let out: Value = serde_json::from_slice(&version_json()).unwrap();
        assert_eq!(out["ok"]["abi"], json!(crate::ABI_VERSION));
        assert_eq!(out["ok"]["engine"], json!(crate::ENGINE_VERSION));
    }
}
