//! Pieces of pretty-printed JSON that do not parse on their own: a long
//! API response or `package-lock.json` read in chunks, or cut by the
//! client. The document cannot be rebuilt as a value, so this works line by
//! line, on the shape pretty-printing gives every line (`"key": value,`,
//! `{`, `},`, a scalar array item).
//!
//! A line's template is its indentation, its key (numbers and ids masked)
//! and the kind of its value; the value itself is left out of the template.
//! Repeated records (the 30 issues of a page, the 500 versions of a package)
//! repeat their templates, so keeping the first few lines of each template
//! keeps the first records whole and drops the rest. Lines that report an
//! error, match the query or name a record (`name`, `title`, `message`,
//! `status`, ...) are always kept; `*_url` links that extend the object's own
//! `url` (GitHub's `forks_url`, `issues_url`, ...) are left out even the first
//! time, like the whole-document transform does. Gap lines say what was left out; the block
//! marker's hash gives the piece back.

use super::super::{mask, Ctx, Outcome};
use crate::lines::Lines;
use crate::signals::{self, Signal};
use std::collections::HashMap;

/// Fewest non-blank lines for a text to be judged a JSON fragment.
const MIN_LINES: usize = 20;
/// Share of non-blank lines that must have a pretty-printed JSON shape...
const SHAPE_SHARE: f64 = 0.95;
/// ...and share that must be `"key": value` lines, or (a piece inside a
/// long array) scalar array items.
const KEY_SHARE: f64 = 0.3;
const ITEM_SHARE: f64 = 0.6;
/// Lines kept per template, at least (the profile may keep more).
const MIN_PER_TEMPLATE: usize = 1;
/// Keys whose lines say which record a run of lines belongs to, or how a
/// request went; they stay even when their template was seen before.
const NAMING_KEYS: &[&str] = &[
    "name", "title", "message", "error", "errors", "status", "code", "number", "reason",
];

/// What one line of pretty-printed JSON is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape<'a> {
    /// `{`, `}`, `[`, `]`, with or without a comma, or `{}` / `[]`.
    Bracket,
    /// `"key": value`, with the value's kind.
    Key { key: &'a str, value: ValueKind },
    /// A scalar array item.
    Item(ValueKind),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ValueKind {
    String,
    Number,
    Literal,
    Open,
    Empty,
}

/// True when `content` (lines beneath any number prefix) looks like a piece
/// of pretty-printed JSON: nearly every line has a JSON line shape, and a
/// good share are `"key": value` lines.
pub fn is_fragment(content: &[&str]) -> bool {
    let (mut total, mut shaped, mut keys, mut items) = (0usize, 0usize, 0usize, 0usize);
    for line in content.iter().filter(|l| !l.trim().is_empty()) {
        total += 1;
        match shape(line.trim()) {
            Some(Shape::Key { .. }) => {
                shaped += 1;
                keys += 1;
            }
            Some(Shape::Item(_)) if line.starts_with(' ') => {
                shaped += 1;
                items += 1;
            }
            Some(_) => shaped += 1,
            None => {}
        }
    }
    let total_f = total as f64;
    total >= MIN_LINES
        && shaped as f64 >= total_f * SHAPE_SHARE
        && (keys as f64 >= total_f * KEY_SHARE || items as f64 >= total_f * ITEM_SHARE)
}

/// Compress a JSON fragment line by line (see the module docs).
pub fn compress(lines: &Lines, ctx: &Ctx) -> Outcome {
    if ctx.lossless_only {
        return mask::lossless(lines);
    }
    let content = &lines.content;
    let query = mask::discriminative_query(ctx.query, content);
    let per_template = ctx.params.examples_per_template.max(MIN_PER_TEMPLATE);
    let mut seen: HashMap<String, usize> = HashMap::new();
    // The `"url"` of the object being read, by indentation.
    let mut object_url: HashMap<usize, &str> = HashMap::new();
    let mut keep = vec![false; content.len()];
    for (idx, line) in content.iter().enumerate() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        let Some(shape) = shape(t) else {
            keep[idx] = true;
            continue;
        };
        let count = seen.entry(template(line, shape)).or_insert(0);
        *count += 1;
        let naming = matches!(shape, Shape::Key { key, .. } if NAMING_KEYS.contains(&key));
        let indent = line.len() - line.trim_start().len();
        let derived = match shape {
            Shape::Key { key: "url", .. } => {
                object_url.insert(indent, string_value(t).unwrap_or(""));
                false
            }
            Shape::Key { key, .. } => {
                key.ends_with("_url")
                    && object_url.get(&indent).is_some_and(|url| {
                        !url.is_empty() && string_value(t).is_some_and(|v| v.starts_with(url))
                    })
            }
            Shape::Bracket => {
                object_url.retain(|&i, _| i < indent);
                false
            }
            Shape::Item(_) => false,
        };
        keep[idx] = (*count <= per_template && !derived)
            || naming
            || signals::classify(t) == Signal::Error
            || query.matches(line);
    }
    mask::outcome(
        lines,
        keep,
        "first lines of each key, naming keys, errors, query matches",
    )
}

/// Indentation, key (numbers and ids masked) and value kind.
fn template(line: &str, shape: Shape) -> String {
    let indent = line.len() - line.trim_start().len();
    match shape {
        Shape::Bracket => format!("{indent}|{}", line.trim()),
        Shape::Key { key, value } => {
            format!("{indent}|k|{}|{value:?}", mask_ids(key))
        }
        Shape::Item(value) => format!("{indent}|i|{value:?}"),
    }
}

/// The string value of a `"key": "value"` line, escapes left as they are.
fn string_value(t: &str) -> Option<&str> {
    let body = t.strip_suffix(',').unwrap_or(t);
    let rest = body.strip_prefix('"')?;
    let after_key = &rest[string_end(rest)? + 1..];
    let value = after_key.trim_start_matches(':').trim_start();
    value.strip_prefix('"')?.strip_suffix('"')
}

/// A key with every word that contains a digit replaced by `#` (words split
/// at `-`, `.`, `_`, `/`, `:`, `@`, `+`): version numbers, commit ids and
/// dates used as keys (`0.0.0-experimental-d331ba04-20250307`) share one
/// template, words (`created_at`) stay.
fn mask_ids(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for (i, word) in key.split(['-', '.', '_', '/', ':', '@', '+']).enumerate() {
        if i > 0 {
            out.push('~');
        }
        if word.bytes().any(|b| b.is_ascii_digit()) {
            out.push('#');
        } else {
            out.push_str(word);
        }
    }
    out
}

/// The shape of a trimmed line, or `None` when it is not a line of
/// pretty-printed JSON.
fn shape(t: &str) -> Option<Shape<'_>> {
    let body = t.strip_suffix(',').unwrap_or(t);
    if matches!(body, "{" | "}" | "[" | "]" | "{}" | "[]") {
        return Some(Shape::Bracket);
    }
    if let Some(rest) = body.strip_prefix('"') {
        let end = string_end(rest)?;
        let after = &rest[end + 1..];
        if after.is_empty() {
            return Some(Shape::Item(ValueKind::String));
        }
        let value = after
            .strip_prefix(": ")
            .or_else(|| after.strip_prefix(':'))?;
        return Some(Shape::Key {
            key: &rest[..end],
            value: value_kind(value)?,
        });
    }
    value_kind(body)
        .filter(|k| matches!(k, ValueKind::Number | ValueKind::Literal))
        .map(Shape::Item)
}

/// Byte index of the closing quote of a JSON string whose opening quote was
/// just consumed.
fn string_end(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// The kind of a value written after a key (the trailing comma removed).
fn value_kind(v: &str) -> Option<ValueKind> {
    let v = v.trim();
    Some(match v {
        "{" | "[" => ValueKind::Open,
        "{}" | "[]" => ValueKind::Empty,
        "true" | "false" | "null" => ValueKind::Literal,
        _ if v.starts_with('"') && v.len() >= 2 && v.ends_with('"') => ValueKind::String,
        _ if v.parse::<f64>().is_ok() => ValueKind::Number,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::Params;
    use crate::plan::Item;
    use crate::query::Query;

    fn page(records: usize) -> String {
        let mut out = String::from("      \"total\": 3,\n  \"items\": [\n");
        for n in 0..records {
            out.push_str(&format!(
                "    {{\n      \"id\": {n},\n      \"title\": \"issue {n}\",\n      \"state\": \"open\",\n      \"url\": \"https://x/{n}\",\n      \"events_url\": \"https://x/{n}/events\",\n      \"html_url\": \"https://y/{n}\",\n      \"labels\": [],\n      \"user\": {{\n        \"login\": \"u{n}\",\n        \"site_admin\": false\n      }}\n    }},\n"
            ));
        }
        out.push_str("    {\n      \"id\": 99,\n      \"message\": \"Validation Failed\",\n");
        out
    }

    fn ctx(query: &Query, lossless_only: bool) -> Ctx<'_> {
        Ctx {
            params: Params::default(),
            query,
            lossless_only,
            hash: "000000000000000000000000",
            file_path: None,
            tool_name: None,
        }
    }

    #[test]
    fn fragments_are_recognized_and_other_text_is_not() {
        let text = page(10);
        let lines = Lines::parse(&text);
        assert!(is_fragment(&lines.content));
        assert!(serde_json::from_str::<serde_json::Value>(&text).is_err());
        let yaml: String = (0..30).map(|n| format!("key{n}: value {n}\n")).collect();
        assert!(!is_fragment(&Lines::parse(&yaml).content));
        let code: String = (0..30)
            .map(|n| format!("    let x{n} = \"{n}\";\n"))
            .collect();
        assert!(!is_fragment(&Lines::parse(&code).content));
        let versions: String = (0..30)
            .map(|n| format!("    \"1.{n}.0-rc{n}\",\n"))
            .collect();
        assert!(is_fragment(&Lines::parse(&versions).content));
        assert_eq!(
            mask_ids("0.0.0-experimental-d331ba04-20250307"),
            mask_ids("1.0.0-experimental-e0a1-20260101")
        );
        assert_ne!(mask_ids("created_at"), mask_ids("updated_at"));
        assert_eq!(
            shape(r#""a\"b": "c","#),
            Some(Shape::Key {
                key: r#"a\"b"#,
                value: ValueKind::String
            })
        );
    }

    #[test]
    fn repeated_records_are_cut_but_names_errors_and_query_matches_stay() {
        let text = page(30);
        let lines = Lines::parse(&text);
        let query = Query::from_texts(["u17"]);
        let Outcome::Lines(plan) = compress(&lines, &ctx(&query, false)) else {
            panic!("expected a plan");
        };
        let kept: Vec<&str> = plan
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Keep(idx) | Item::Repeat { idx, .. } => Some(lines.content[*idx]),
                _ => None,
            })
            .collect();
        assert!(plan.omitted_lines() > lines.len() / 2, "{kept:?}");
        for must in [
            "\"title\": \"issue 29\",",
            "\"login\": \"u17\",",
            "\"message\": \"Validation Failed\",",
            "\"url\": \"https://x/0\",",
        ] {
            assert!(
                kept.iter().any(|l| l.trim() == must),
                "{must} lost: {kept:?}"
            );
        }
        assert!(kept
            .iter()
            .any(|l| l.trim() == "\"html_url\": \"https://y/0\","));
        for gone in [
            "\"url\": \"https://x/1\",",
            "\"url\": \"https://x/20\",",
            "\"events_url\": \"https://x/0/events\",",
        ] {
            assert!(!kept.iter().any(|l| l.trim() == gone), "{gone} kept");
        }
        assert_eq!(
            compress(&lines, &ctx(&query, true)),
            mask::lossless(&lines),
            "lossless mode only collapses exact repeats"
        );
    }
}
