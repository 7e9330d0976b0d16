//! "Only the bytes of compressed tool outputs change": a compressed request
//! body must equal the original everywhere except inside the tool-output
//! values, and each of those must still be a JSON value holding text.

use std::ops::Range;

/// A tool output as found in the compressed body.
#[derive(Debug, Clone, PartialEq)]
pub struct Replaced {
    /// The text it holds (a string, or the joined `text` of text blocks).
    pub text: String,
}

/// Walk `compressed` against `original`, whose tool-output values sit at
/// `outputs` (sorted, non-overlapping byte ranges). Every byte outside those
/// ranges must be unchanged; at each range, one JSON value must stand.
/// Returns the text of each replaced value, or where the bodies diverge.
pub fn outputs_in(
    original: &str,
    outputs: &[Range<usize>],
    compressed: &str,
) -> Result<Vec<Replaced>, String> {
    let mut kept_segments = Vec::with_capacity(outputs.len() + 1);
    let mut from = 0;
    for range in outputs {
        kept_segments.push(&original[from..range.start]);
        from = range.end;
    }
    kept_segments.push(&original[from..]);

    let mut at = 0;
    let mut found = Vec::new();
    for (i, segment) in kept_segments.iter().enumerate() {
        if !compressed[at..].starts_with(segment) {
            let same = compressed[at..]
                .bytes()
                .zip(segment.bytes())
                .take_while(|(a, b)| a == b)
                .count();
            let pos = at + same;
            let context = compressed
                .get(pos..(pos + 80).min(compressed.len()))
                .unwrap_or("");
            return Err(format!(
                "bytes outside tool outputs changed at byte {pos}: {context:?}"
            ));
        }
        at += segment.len();
        if i == outputs.len() {
            break;
        }
        if compressed[at..].starts_with(|c: char| c.is_ascii_whitespace()) {
            return Err(format!(
                "whitespace added before tool output {i} (byte {at})"
            ));
        }
        let mut stream =
            serde_json::Deserializer::from_str(&compressed[at..]).into_iter::<serde_json::Value>();
        let value = match stream.next() {
            Some(Ok(v)) => v,
            _ => {
                return Err(format!(
                    "no JSON value where tool output {i} should be (byte {at})"
                ))
            }
        };
        at += stream.byte_offset();
        found.push(Replaced {
            text: text_of(&value).ok_or_else(|| format!("tool output {i} is not text: {value}"))?,
        });
    }
    if at != compressed.len() {
        return Err(format!(
            "compressed body has {} extra trailing bytes",
            compressed.len() - at
        ));
    }
    Ok(found)
}

/// Text of a tool-output value: a string, or a list of `{"type":"text"}`
/// blocks (joined without separator).
fn text_of(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Array(blocks) => blocks
            .iter()
            .map(|b| b.get("text").and_then(|t| t.as_str()))
            .collect::<Option<Vec<_>>>()
            .map(|v| v.concat()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_output_values_may_change() {
        let original = r#"{"a":"long output","b":1,"c":"x"}"#;
        let outputs = [5..18, 29..32];
        let ok = r#"{"a":"short","b":1,"c":[{"type":"text","text":"y"}]}"#;
        let texts = outputs_in(original, &outputs, ok).unwrap();
        assert_eq!(
            texts,
            vec![
                Replaced {
                    text: "short".into()
                },
                Replaced { text: "y".into() }
            ]
        );
        assert!(outputs_in(original, &outputs, original).is_ok());
        assert!(
            outputs_in(original, &outputs, r#"{"a":"short","b":2,"c":"x"}"#).is_err(),
            "changed outside"
        );
        assert!(
            outputs_in(original, &outputs, r#"{"a":"short","b":1,"c":"x"} "#).is_err(),
            "trailing bytes"
        );
        assert!(
            outputs_in(original, &outputs, r#"{"a":5,"b":1,"c":"x"}"#).is_err(),
            "not text"
        );
        assert!(
            outputs_in(original, &outputs, r#"{"a": "s","b":1,"c":"x"}"#).is_err(),
            "whitespace added"
        );
    }
}
