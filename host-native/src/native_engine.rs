//! The engine compiled into the host itself: the same JSON layer
//! (`headroom_engine::api`) the wasm module's C ABI calls, minus wasm. Used
//! for benchmarks (what the wasm boundary costs) and parity tests (wasm and
//! native must produce the same bytes); the product path is the wasm engine.

use crate::engine::{Engine, EngineError, Op};

/// In-process engine. Has no limits: a panic in the engine would take the
/// host down, which is one reason the product runs the wasm module instead.
#[derive(Debug, Clone, Copy, Default)]
pub struct NativeEngine;

impl Engine for NativeEngine {
    fn runtime(&self) -> &'static str {
        "native"
    }

    fn call_json(&self, op: Op, request: &[u8]) -> Result<Vec<u8>, EngineError> {
        use headroom_engine::api;
        Ok(match op {
            Op::CompressText => api::compress_text_json(request),
            Op::CompressTextRaw => api::compress_text_raw(request),
            Op::CompressMessages => api::compress_messages_json(request),
            Op::CountTokens => api::count_tokens_json(request),
            Op::FindHashes => api::find_hashes_json(request),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn native_calls_return_envelopes() {
        assert_eq!(NativeEngine.count_tokens("hello world").unwrap(), 2);
        let err = NativeEngine.call_json(Op::CountTokens, b"{}").unwrap();
        assert!(String::from_utf8(err)
            .unwrap()
            .contains("\"invalid_request\""));
    }
}
