//! What one row (an array element, or a map entry's value) says about itself:
//! whether it records an error, and the text its values make for query
//! matching. Errors are recognised by structure first (HTTP status >= 400,
//! a non-empty `error` field, a failing `state`), then by the words of
//! message-like fields, because a row that *is* an error must never be lost.

use crate::signals::{self, Signal};
use serde_json::Value;

/// Fields whose numeric value is an HTTP-like status code.
const STATUS_KEYS: &[&str] = &[
    "status",
    "status_code",
    "statusCode",
    "http_status",
    "httpStatus",
    "code",
];
/// Fields whose mere (non-empty) presence says something failed.
const ERROR_KEYS: &[&str] = &[
    "error",
    "errors",
    "err",
    "exception",
    "exceptions",
    "failure",
    "failures",
    "failed",
    "fault",
];
/// Fields holding prose that may describe an error.
const MESSAGE_KEYS: &[&str] = &[
    "message",
    "msg",
    "reason",
    "detail",
    "details",
    "error_message",
    "errorMessage",
];
/// Fields holding a state word, and the words that mean failure.
const STATE_KEYS: &[&str] = &[
    "state",
    "status",
    "conclusion",
    "result",
    "outcome",
    "level",
    "severity",
];
const FAILURE_WORDS: &[&str] = &[
    "error",
    "errored",
    "failed",
    "failure",
    "fail",
    "fatal",
    "critical",
    "crashed",
    "timed_out",
    "timeout",
    "panic",
    "emergency",
    "alert",
];
/// Boolean fields where `false` means failure.
const SUCCESS_KEYS: &[&str] = &["ok", "success", "succeeded", "passed"];

/// How deep inside a row error fields are looked for (a recorded HTTP
/// exchange keeps its error in `response.message`).
const ERROR_DEPTH: usize = 2;

/// A signature of the error `row` records, or `None`. Rows whose signatures
/// are equal (after numbers and ids are masked) show the same error.
pub fn error_signature(row: &Value) -> Option<String> {
    let mut parts = Vec::new();
    collect_errors(row, ERROR_DEPTH, &mut parts);
    (!parts.is_empty()).then(|| signals::template(&parts.join(" ")))
}

fn collect_errors(value: &Value, depth: usize, parts: &mut Vec<String>) {
    match value {
        Value::String(s) if signals::classify(s) == Signal::Error => {
            parts.push(clip(s).to_string());
        }
        Value::Array(items) => {
            for item in items.iter().filter(|i| i.is_string()) {
                collect_errors(item, 0, parts);
            }
        }
        Value::Object(map) => {
            for (key, field) in map {
                if let Some(part) = field_error(key, field) {
                    parts.push(part);
                } else if depth > 0 && field.is_object() {
                    collect_errors(field, depth - 1, parts);
                }
            }
        }
        _ => {}
    }
}

/// The error one field records, if any.
fn field_error(key: &str, field: &Value) -> Option<String> {
    let is = |list: &[&str]| list.iter().any(|k| k.eq_ignore_ascii_case(key));
    if is(STATUS_KEYS) && status_code(field).is_some_and(|c| (400..600).contains(&c)) {
        return Some(format!("{key}={field}"));
    }
    if is(ERROR_KEYS) && is_present(field) {
        return Some(format!("{key}={}", clip(&field.to_string())));
    }
    if is(SUCCESS_KEYS) && field.as_bool() == Some(false) {
        return Some(format!("{key}=false"));
    }
    let text = field.as_str()?;
    if is(STATE_KEYS)
        && FAILURE_WORDS
            .iter()
            .any(|w| w.eq_ignore_ascii_case(text.trim()))
    {
        return Some(format!("{key}={text}"));
    }
    if is(MESSAGE_KEYS) && signals::classify(text) == Signal::Error {
        return Some(format!("{key}={}", clip(text)));
    }
    None
}

fn status_code(field: &Value) -> Option<u64> {
    match field {
        Value::Number(n) => n.as_u64(),
        Value::String(s) if s.len() == 3 => s.parse().ok(),
        _ => None,
    }
}

/// Not null, false, zero or empty.
fn is_present(field: &Value) -> bool {
    match field {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|x| x != 0.0),
        Value::String(s) => !s.trim().is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// The first 200 bytes (at a char boundary): enough to tell errors apart.
fn clip(s: &str) -> &str {
    let mut end = s.len().min(200);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Upper bound on the query text of one row: matching is a heuristic and
/// must stay linear in the document.
const QUERY_TEXT_LIMIT: usize = 16 * 1024;

/// The lower-cased scalar values of `row` (and its map `key`), space
/// separated: what a query term is matched against. Keys are left out, or
/// a term like `version` would match every row.
pub fn query_text(key: Option<&str>, row: &Value) -> String {
    let mut out = String::new();
    if let Some(key) = key {
        out.push_str(key);
        out.push(' ');
    }
    push_values(row, &mut out);
    out.to_lowercase()
}

fn push_values(value: &Value, out: &mut String) {
    if out.len() >= QUERY_TEXT_LIMIT {
        return;
    }
    match value {
        Value::String(s) => {
            out.push_str(clip_to(s, QUERY_TEXT_LIMIT - out.len()));
            out.push(' ');
        }
        Value::Number(n) => {
            out.push_str(&n.to_string());
            out.push(' ');
        }
        Value::Array(items) => items.iter().for_each(|i| push_values(i, out)),
        Value::Object(map) => map.values().for_each(|v| push_values(v, out)),
        Value::Bool(_) | Value::Null => {}
    }
}

fn clip_to(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn recognises_structural_and_worded_errors() {
        assert!(error_signature(
            &json!({"status": 422, "response": {"message": "Validation Failed"}})
        )
        .is_some());
        assert!(error_signature(&json!({"response": {"message": "Validation Failed"}})).is_some());
        assert!(error_signature(&json!({"error": {"code": "E1"}})).is_some());
        assert!(error_signature(&json!({"conclusion": "failure"})).is_some());
        assert!(error_signature(&json!({"ok": false})).is_some());
        assert!(error_signature(&json!("ERROR: disk full")).is_some());
        assert_eq!(
            error_signature(&json!({"status": 200, "error": null, "errors": [], "failed": 0})),
            None
        );
        assert_eq!(
            error_signature(&json!({"state": "open", "message": "Add parser"})),
            None
        );
    }

    #[test]
    fn same_error_with_other_ids_has_the_same_signature() {
        let a = error_signature(&json!({"status": 404, "message": "Not Found: 7f3a9c21"}));
        let b = error_signature(&json!({"status": 404, "message": "Not Found: 81bd02ee"}));
        assert_eq!(a, b);
        assert_ne!(
            a,
            error_signature(&json!({"status": 500, "message": "Server Error"}))
        );
    }

    #[test]
    fn query_text_has_values_and_map_key_not_field_names() {
        let text = query_text(
            Some("React-DOM"),
            &json!({"version": "1.0", "tags": ["Beta"], "n": 3}),
        );
        assert_eq!(text, "react-dom 1.0 beta 3 ");
    }
}
