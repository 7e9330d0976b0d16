//! Requests as they arrive over the C ABI (JSON) and the checks both faces
//! apply to options, so a bad field is reported the same way everywhere and
//! always by name (`options.bias: ...`), never as a silent fallback.

use crate::error::{EngineError, ErrorCode};
use headroom_core::{Kind, Options, ToolContext};
use serde::de::DeserializeOwned;
use serde::Deserialize;

/// `abi_compress_text` request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextRequest {
    pub text: String,
    #[serde(default)]
    pub tool: Option<ToolContext>,
    #[serde(default)]
    pub options: Option<Options>,
    /// Whether the result's `ccr.original` carries the original text. A host
    /// that already holds the text it sent passes `false`, so a 1 MB output
    /// is not escaped into the response and parsed again; the field is then
    /// the empty string and the host fills it in. Default `true`.
    #[serde(default = "echo_by_default", rename = "echoOriginal")]
    pub echo_original: bool,
}

fn echo_by_default() -> bool {
    true
}

/// The JSON header of an `abi_compress_text_raw` request: a [`TextRequest`]
/// without its text, which follows the header as raw UTF-8. (The fields are
/// repeated rather than `#[serde(flatten)]`ed into [`TextRequest`]: serde
/// cannot deny unknown fields through a flatten, and a misspelt option must
/// be an error on both ABIs.)
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTextHeader {
    #[serde(default)]
    pub tool: Option<ToolContext>,
    #[serde(default)]
    pub options: Option<Options>,
    #[serde(default = "echo_by_default", rename = "echoOriginal")]
    pub echo_original: bool,
}

/// Split an `abi_compress_text_raw` request into its JSON header and its
/// text: `[header length: u32 little-endian][header][text]`.
pub fn split_raw(bytes: &[u8]) -> Result<(&[u8], &str), EngineError> {
    let bad = |message: String| EngineError::new(ErrorCode::InvalidRequest, message);
    let (len, rest) = bytes
        .split_first_chunk::<4>()
        .ok_or_else(|| bad("raw request shorter than its 4-byte header length".into()))?;
    let len = u32::from_le_bytes(*len) as usize;
    if len > rest.len() {
        return Err(bad(format!(
            "raw request header length {len} exceeds the {} bytes that follow",
            rest.len()
        )));
    }
    let (header, text) = rest.split_at(len);
    let text = std::str::from_utf8(text).map_err(|e| {
        EngineError::new(
            ErrorCode::InvalidUtf8,
            format!("text is not valid UTF-8: {e}"),
        )
    })?;
    Ok((header, text))
}

/// `abi_compress_messages` request. The body travels as a JSON string so the
/// engine sees its exact bytes and can splice it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessagesRequest {
    pub body: String,
    #[serde(default)]
    pub options: Option<Options>,
}

/// `abi_count_tokens` and `abi_find_hashes` request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextOnlyRequest {
    pub text: String,
}

/// Parse a C-ABI request. Errors name the offending field and are classified
/// by the top-level key they occur under.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, EngineError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        EngineError::new(
            ErrorCode::InvalidUtf8,
            format!("request is not valid UTF-8: {e}"),
        )
    })?;
    let mut de = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let code = match path.split(['.', '[']).next() {
            Some("options") => ErrorCode::InvalidOptions,
            Some("tool") => ErrorCode::InvalidToolContext,
            _ => ErrorCode::InvalidRequest,
        };
        EngineError::new(
            code,
            field_message(None, &path, &err.into_inner().to_string()),
        )
    })
}

/// `"<prefix>.<path>: <message>"`, leaving out the parts that are empty.
/// serde_path_to_error renders the root as `.`.
pub fn field_message(prefix: Option<&str>, path: &str, message: &str) -> String {
    let path = if path == "." { "" } else { path };
    let field = match (prefix, path) {
        (Some(p), "") => p.to_string(),
        (Some(p), rest) if rest.starts_with('[') => format!("{p}{rest}"),
        (Some(p), rest) => format!("{p}.{rest}"),
        (None, rest) => rest.to_string(),
    };
    if field.is_empty() {
        message.to_string()
    } else {
        format!("{field}: {message}")
    }
}

/// Range checks serde cannot express. A value out of range is an error, not
/// something to clamp quietly: the caller asked for something else.
pub fn validate_options(options: &Options) -> Result<(), EngineError> {
    let bad = |field: &str, message: String| {
        EngineError::new(
            ErrorCode::InvalidOptions,
            format!("options.{field}: {message}"),
        )
    };
    if !(options.bias.is_finite() && options.bias > 0.0) {
        return Err(bad(
            "bias",
            format!(
                "must be a finite number greater than 0, got {}",
                options.bias
            ),
        ));
    }
    if !(options.min_savings.is_finite() && (0.0..=1.0).contains(&options.min_savings)) {
        return Err(bad(
            "minSavings",
            format!("must be between 0 and 1, got {}", options.min_savings),
        ));
    }
    if let Some(kind) = options.kind.as_deref() {
        if Kind::parse(kind).is_none() {
            return Err(bad(
                "kind",
                format!(
                    "unknown kind `{kind}` (expected json, log, test, search, diff, code or text)"
                ),
            ));
        }
    }
    for (i, (_, bias)) in options.message_biases.iter().enumerate() {
        if !(bias.is_finite() && *bias > 0.0) {
            return Err(bad(
                &format!("messageBiases[{i}]"),
                format!("bias must be a finite number greater than 0, got {bias}"),
            ));
        }
    }
    Ok(())
}

/// Options as given, or the defaults, after validation.
pub fn options_or_default(options: Option<Options>) -> Result<Options, EngineError> {
    let options = options.unwrap_or_default();
    validate_options(&options)?;
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_err<T: DeserializeOwned + std::fmt::Debug>(json: &str) -> EngineError {
        parse::<T>(json.as_bytes()).unwrap_err()
    }

    #[test]
    fn a_minimal_text_request_parses() {
        let req: TextRequest = parse(br#"{"text":"hello"}"#).unwrap();
        assert_eq!(req.text, "hello");
        assert!(req.tool.is_none() && req.options.is_none());
    }

    #[test]
    fn bad_option_types_name_the_field() {
        let err = parse_err::<TextRequest>(r#"{"text":"x","options":{"profile":"fast"}}"#);
        assert_eq!(err.code, ErrorCode::InvalidOptions);
        assert!(
            err.message
                .starts_with("options.profile: unknown variant `fast`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn unknown_option_fields_are_rejected() {
        let err = parse_err::<TextRequest>(r#"{"text":"x","options":{"biass":2}}"#);
        assert_eq!(err.code, ErrorCode::InvalidOptions);
        assert!(
            err.message.contains("unknown field `biass`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn missing_text_is_an_invalid_request() {
        let err = parse_err::<TextRequest>(r#"{"options":{}}"#);
        assert_eq!(err.code, ErrorCode::InvalidRequest);
        assert!(
            err.message.contains("missing field `text`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn tool_context_errors_have_their_own_code() {
        let err = parse_err::<TextRequest>(r#"{"text":"x","tool":{"toolName":3}}"#);
        assert_eq!(err.code, ErrorCode::InvalidToolContext);
        assert!(
            err.message.starts_with("tool.toolName: "),
            "{}",
            err.message
        );
    }

    #[test]
    fn invalid_utf8_is_reported_as_such() {
        let err = parse::<TextRequest>(b"{\"text\":\"\xff\"}").unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidUtf8);
    }

    #[test]
    fn out_of_range_values_are_rejected_by_name() {
        let cases = [
            (r#"{"bias":-1}"#, "options.bias: "),
            (r#"{"minSavings":1.5}"#, "options.minSavings: "),
            (r#"{"kind":"yaml"}"#, "options.kind: unknown kind `yaml`"),
            (
                r#"{"messageBiases":[[0,1.0],[3,0]]}"#,
                "options.messageBiases[1]: ",
            ),
        ];
        for (json, prefix) in cases {
            let options: Options = serde_json::from_str(json).unwrap();
            let err = validate_options(&options).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidOptions);
            assert!(err.message.starts_with(prefix), "{json}: {}", err.message);
        }
        assert!(validate_options(&Options {
            kind: Some("logs".into()),
            ..Options::default()
        })
        .is_ok());
    }

    #[test]
    fn field_messages_join_prefix_and_path() {
        assert_eq!(field_message(Some("options"), ".", "bad"), "options: bad");
        assert_eq!(
            field_message(Some("options"), "bias", "bad"),
            "options.bias: bad"
        );
        assert_eq!(
            field_message(Some("options"), "[0]", "bad"),
            "options[0]: bad"
        );
        assert_eq!(field_message(None, ".", "bad"), "bad");
    }
}
