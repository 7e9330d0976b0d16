//! The one error shape every face reports: a stable machine-readable `code`
//! and a one-line human `message`. JS gets it as an `Error` with a `code`
//! property; the C ABI as `{"error":{"code":..,"message":..}}`.

use headroom_core::MessagesError;
use serde::Serialize;

/// Stable error codes. Hosts branch on these, so they never change meaning;
/// new failures get new codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request bytes are not UTF-8 (C ABI only).
    InvalidUtf8,
    /// The request is not the expected JSON object (missing/unknown/mistyped field).
    InvalidRequest,
    /// A field of `options` is unknown, mistyped or out of range.
    InvalidOptions,
    /// A field of the tool context is unknown or mistyped.
    InvalidToolContext,
    /// `compressMessages`: the request body is not valid JSON.
    InvalidBody,
    /// `compressMessages`: the body is JSON but not a request shape Headroom knows.
    UnknownShape,
    /// `compressMessages`: any other failure reported by the message pipeline.
    MessagesError,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidUtf8 => "invalid_utf8",
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::InvalidOptions => "invalid_options",
            ErrorCode::InvalidToolContext => "invalid_tool_context",
            ErrorCode::InvalidBody => "invalid_body",
            ErrorCode::UnknownShape => "unknown_shape",
            ErrorCode::MessagesError => "messages_error",
        }
    }
}

/// An error reported by the engine (as opposed to a trap or a timeout, which
/// are the host's business).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EngineError {
    pub code: ErrorCode,
    pub message: String,
}

impl EngineError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for EngineError {}

impl From<MessagesError> for EngineError {
    fn from(err: MessagesError) -> Self {
        let message = err.to_string();
        // The message pipeline is still growing; a variant added later lands
        // on the generic code instead of breaking this crate's build.
        #[allow(unreachable_patterns)]
        let code = match err {
            MessagesError::InvalidJson(_) => ErrorCode::InvalidBody,
            MessagesError::UnknownShape(_) => ErrorCode::UnknownShape,
            _ => ErrorCode::MessagesError,
        };
        Self::new(code, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_their_wire_names() {
        for code in [
            ErrorCode::InvalidUtf8,
            ErrorCode::InvalidRequest,
            ErrorCode::InvalidOptions,
            ErrorCode::InvalidToolContext,
            ErrorCode::InvalidBody,
            ErrorCode::UnknownShape,
            ErrorCode::MessagesError,
        ] {
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::Value::String(code.as_str().into())
            );
        }
    }

    #[test]
    fn messages_errors_map_to_distinct_codes() {
        let parse_error = headroom_core::messages::json_span::parse("{").unwrap_err();
        let bad_json: EngineError = MessagesError::InvalidJson(parse_error).into();
        assert_eq!(bad_json.code, ErrorCode::InvalidBody);
        let shape: EngineError = MessagesError::UnknownShape("x".into()).into();
        assert_eq!(shape.code, ErrorCode::UnknownShape);
    }
}
