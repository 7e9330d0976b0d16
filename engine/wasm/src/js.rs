//! wasm-bindgen exports for JS (Node and browsers): camelCase names, plain JS
//! objects in and out, and failures thrown as `Error`s carrying the same
//! `code` the C ABI reports. No `start` function: the module must also run
//! under wasmtime, where the glue's imports trap.

use crate::api;
use crate::error::{EngineError, ErrorCode};
use crate::request::field_message;
use headroom_core::{Options, ToolContext};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** The tool call that produced an output, and the user text before it. */
export interface ToolContext {
  toolName?: string | null;
  /** The call's arguments as JSON text (or any text). */
  toolArgs?: string | null;
  /** User text that preceded the call. */
  userText?: string | null;
}

export type Profile = "conservative" | "balanced" | "aggressive";
export type Shape = "anthropic" | "openai-chat" | "openai-responses" | "vercel";

/** Every field is optional; `{}` means the defaults. Unknown fields are errors. */
export interface Options {
  profile?: Profile;
  bias?: number;
  query?: string | null;
  ccr?: boolean;
  minSavings?: number;
  minBytes?: number;
  excludeTools?: string[];
  frozenMessageCount?: number;
  kind?: "json" | "log" | "test" | "search" | "diff" | "code" | "text" | null;
  shape?: Shape | null;
  /** [messageIndex, bias] pairs applied on top of `bias`. */
  messageBiases?: [number, number][];
}

/** An original the host must store under `hash` (one per marker written). */
export interface CcrEntry {
  hash: string;
  original: string;
  kind: string;
  omitted: string;
}

export interface TextResult {
  text: string;
  compressed: boolean;
  kind: string;
  transforms: string[];
  tokensBefore: number;
  tokensAfter: number;
  ccr: CcrEntry | null;
}

export interface MessagesResult {
  body: string;
  tokensBefore: number;
  tokensAfter: number;
  transforms: string[];
  ccr: CcrEntry[];
}

/** Thrown by every export; `code` is stable (see docs/abi.md). */
export interface HeadroomEngineError extends Error {
  code: "invalid_options" | "invalid_tool_context" | "invalid_request" | "invalid_body" | "unknown_shape" | "messages_error";
}
"#;

/// Compress one tool output. `toolContext` and `options` may be omitted.
#[wasm_bindgen(js_name = compressText, unchecked_return_type = "TextResult")]
pub fn compress_text(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    #[wasm_bindgen(js_name = toolContext, unchecked_optional_param_type = "ToolContext | null")]
    tool_context: Option<JsValue>,
    #[wasm_bindgen(unchecked_optional_param_type = "Options | null")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let text = string_arg("text", &text)?;
    let tool: ToolContext = from_js("toolContext", ErrorCode::InvalidToolContext, tool_context)?;
    let options: Options = from_js("options", ErrorCode::InvalidOptions, options)?;
    to_js(&api::compress_text(&text, &tool, &options).map_err(throwable)?)
}

/// Compress a whole request body (any supported shape), given as JSON text.
#[wasm_bindgen(js_name = compressMessages, unchecked_return_type = "MessagesResult")]
pub fn compress_messages(
    #[wasm_bindgen(unchecked_param_type = "string")] body: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Options | null")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let body = string_arg("body", &body)?;
    let options: Options = from_js("options", ErrorCode::InvalidOptions, options)?;
    to_js(&api::compress_messages(&body, &options).map_err(throwable)?)
}

/// Every hash referenced by a Headroom marker in `text`, in order, deduplicated.
#[wasm_bindgen(js_name = findHashes, unchecked_return_type = "string[]")]
pub fn find_hashes(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
) -> Result<JsValue, JsValue> {
    to_js(&headroom_core::marker::find_hashes(&string_arg(
        "text", &text,
    )?))
}

/// Number of `o200k_base` tokens in `text`.
#[wasm_bindgen(js_name = countTokens)]
pub fn count_tokens(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
) -> Result<usize, JsValue> {
    Ok(headroom_core::tokens::count(&string_arg("text", &text)?))
}

/// The engine version (semver of the crate).
#[wasm_bindgen]
pub fn version() -> String {
    crate::ENGINE_VERSION.to_string()
}

/// A string argument, or a `TypeError` naming it. The glue would otherwise
/// coerce `undefined` into the text "undefined" and compress that.
fn string_arg(name: &str, value: &JsValue) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| {
        let shown = value.js_typeof().as_string().unwrap_or_default();
        let err = js_sys::TypeError::new(&format!("{name} must be a string, got {shown}"));
        set_code(&err, ErrorCode::InvalidRequest);
        err.into()
    })
}

/// Deserialize an optional argument (absent, `undefined` or `null` mean the
/// defaults) with errors that name the field, e.g. `options.bias: ...`.
///
/// The value goes through `JSON.stringify` and serde_json, exactly as the C
/// ABI reads it, so both faces accept and refuse the same objects (a
/// direct `serde_wasm_bindgen` read looks up only the known fields and
/// would silently accept a misspelt option).
fn from_js<T: DeserializeOwned + Default>(
    arg: &str,
    code: ErrorCode,
    value: Option<JsValue>,
) -> Result<T, JsValue> {
    let Some(value) = value.filter(|v| !v.is_undefined() && !v.is_null()) else {
        return Ok(T::default());
    };
    let json: String = js_sys::JSON::stringify(&value)
        .map_err(|_| {
            throwable(EngineError::new(
                code,
                format!("{arg}: not serializable as JSON"),
            ))
        })?
        .into();
    let mut reader = serde_json::Deserializer::from_str(&json);
    serde_path_to_error::deserialize(&mut reader).map_err(|err| {
        let message = field_message(
            Some(arg),
            &err.path().to_string(),
            &err.into_inner().to_string(),
        );
        throwable(EngineError::new(code, message))
    })
}

/// Results become plain objects (not `Map`s), and `None` becomes `null`, so
/// they look exactly like the JSON the C ABI returns.
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let serializer = serde_wasm_bindgen::Serializer::new()
        .serialize_maps_as_objects(true)
        .serialize_missing_as_null(true);
    value.serialize(&serializer).map_err(|e| e.into())
}

/// An engine error as a JS `Error` with a `code` property.
fn throwable(err: EngineError) -> JsValue {
    let js_err = js_sys::Error::new(&err.message);
    set_code(&js_err, err.code);
    js_err.into()
}

fn set_code(err: &js_sys::Error, code: ErrorCode) {
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(
        err,
        &JsValue::from_str("code"),
        &JsValue::from_str(code.as_str()),
    );
}
