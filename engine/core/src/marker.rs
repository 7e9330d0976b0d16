//! The marker grammar: the one textual form of "something was omitted here,
//! and this is how to get it back". Documented in `docs/markers.md`; every host
//! parses markers with [`find_hashes`] (or a port of it), never its own regex.
//!
//! Three forms:
//! - block marker, one line, once per compressed output:
//!   `[headroom: 772 of 812 lines omitted (kept errors, warnings, first/last) · headroom_retrieve("3f9a2c7b1e04d5a6a1b2c3d4")]`
//! - gap line, where a run was left out: `[headroom: 37 lines omitted]`
//! - in JSON, a JSON value: `{"_headroom":"485 of 500 items omitted","retrieve":"3f9a2c7b1e04d5a6a1b2c3d4"}`

use crate::hash::{is_hash, HASH_LEN};

/// Name of the retrieval tool the model calls with a hash.
pub const RETRIEVE_TOOL: &str = "headroom_retrieve";
/// Key that marks a JSON value written by Headroom.
pub const JSON_KEY: &str = "_headroom";

const CALL_OPEN: &str = "headroom_retrieve(\"";
const JSON_RETRIEVE: &str = "\"retrieve\":\"";

/// The block marker line for one compressed output.
///
/// `omitted` is e.g. `"772 of 812 lines"`; `kept` a short list of what was
/// kept (`"errors, warnings, first/last"`), or empty.
pub fn block(omitted: &str, kept: &str, hash: &str) -> String {
    if kept.is_empty() {
        format!("[headroom: {omitted} omitted · {RETRIEVE_TOOL}(\"{hash}\")]")
    } else {
        format!("[headroom: {omitted} omitted (kept {kept}) · {RETRIEVE_TOOL}(\"{hash}\")]")
    }
}

/// A gap line standing for a run of omitted lines.
pub fn gap(lines: usize) -> String {
    if lines == 1 {
        "[headroom: 1 line omitted]".to_string()
    } else {
        format!("[headroom: {lines} lines omitted]")
    }
}

/// The text of a line standing for `lines` lines left out of a body or
/// comment inside content that must keep its syntax (source code), where
/// the transform wraps it in the language's comment:
/// `… 42 lines omitted · headroom_retrieve("3f9a2c7b1e04d5a6a1b2c3d4")`.
/// It names the retrieval call itself, so the model sees at the spot how to
/// get the lines back, and any line carrying it counts as a marker line.
pub fn elision(lines: usize, hash: &str) -> String {
    let noun = if lines == 1 { "line" } else { "lines" };
    format!("… {lines} {noun} omitted · {RETRIEVE_TOOL}(\"{hash}\")")
}

/// Suffix appended to a line that stands for `count` lines of the same shape.
pub fn repeat_suffix(count: usize) -> String {
    format!(" [×{count}]")
}

/// The JSON marker value, serialized.
pub fn json_value(omitted: &str, hash: &str) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    map.insert(
        JSON_KEY.to_string(),
        serde_json::Value::String(format!("{omitted} omitted")),
    );
    map.insert(
        "retrieve".to_string(),
        serde_json::Value::String(hash.to_string()),
    );
    serde_json::Value::Object(map)
}

/// Every hash referenced by a marker in `text`, in order of appearance,
/// without duplicates.
pub fn find_hashes(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for needle in [CALL_OPEN, JSON_RETRIEVE] {
        let mut rest = text;
        while let Some(pos) = rest.find(needle) {
            let after = &rest[pos + needle.len()..];
            if let Some(candidate) = after.get(..HASH_LEN) {
                if is_hash(candidate)
                    && after[HASH_LEN..].starts_with('"')
                    && !found.iter().any(|h| h == candidate)
                {
                    found.push(candidate.to_string());
                }
            }
            rest = &rest[pos + needle.len()..];
        }
    }
    found
}

/// True when `text` already carries a Headroom marker (block, gap, or JSON).
/// Such content is never compressed again: that is what makes compression
/// idempotent.
pub fn has_marker(text: &str) -> bool {
    // Every marker contains `headroom` (at offset 0, 1 or 2): one quick pass
    // for that word, checking the three markers only where it occurs. WHY
    // not three `str::contains`: a log that mentions `headroom=` (Hadoop's
    // scheduler does, 131 times in the 1 MB bench log) made them scan the
    // whole text three times, byte at a time under wasm (~4% of the call).
    let bytes = text.as_bytes();
    let is_marker_at = |at: usize| {
        bytes[at..].starts_with(CALL_OPEN.as_bytes())
            || (at >= 1 && bytes[at - 1..].starts_with(b"[headroom: "))
            || (at >= 2 && bytes[at - 2..].starts_with(b"\"_headroom"))
    };
    find_headroom(bytes, is_marker_at)
}

/// Whether `found` holds at some position where `bytes` has `headroom`.
/// WHY not `str::find`: under wasm that runs a byte-at-a-time two-way
/// search, ~2 ms per megabyte; this looks for its `h` eight bytes at a time
/// and checks the rest there.
fn find_headroom(bytes: &[u8], found: impl Fn(usize) -> bool) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let at_h = |at: usize| bytes[at] == b'h' && bytes[at..].starts_with(b"headroom") && found(at);
    let mut at = 0;
    while at + 8 <= bytes.len() {
        let word = u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
        // A zero byte in `t` is an `h` in `word` (may flag a false one too).
        let t = word ^ (ONES * u64::from(b'h'));
        if t.wrapping_sub(ONES) & !t & HIGHS != 0 && (at..at + 8).any(at_h) {
            return true;
        }
        at += 8;
    }
    (at..bytes.len()).any(at_h)
}

/// `bytes` contains `headroom`.
#[cfg(test)]
fn contains_headroom(bytes: &[u8]) -> bool {
    find_headroom(bytes, |_| true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_headroom_at_every_offset_and_length() {
        for len in 0..40 {
            for at in 0..len {
                let mut text = vec![b'x'; len];
                let end = (at + 8).min(len);
                text[at..end].copy_from_slice(&b"headroom"[..end - at]);
                let expected = end - at == 8;
                assert_eq!(contains_headroom(&text), expected, "{len} {at}");
                text[at] = b'H';
                assert!(!contains_headroom(&text));
            }
        }
        assert!(!contains_headroom("hhhh headroo headroo!".as_bytes()));
        assert!(contains_headroom("héadroom headroom".as_bytes()));
    }

    #[test]
    fn has_marker_agrees_with_searching_for_each_marker() {
        let slow = |t: &str| {
            t.contains(CALL_OPEN) || t.contains("[headroom: ") || t.contains("\"_headroom")
        };
        let pieces = [
            "headroom_retrieve(\"",
            "[headroom: ",
            "\"_headroom",
            "headroom=<memory:8192>",
            "[headroom:",
            "_headroom",
            "headroom_retrieve(",
            "x",
            "é",
        ];
        for a in pieces {
            for b in pieces {
                for pad in 0..9 {
                    let text = format!("{}{a}{b}", "y".repeat(pad));
                    assert_eq!(has_marker(&text), slow(&text), "{text}");
                }
            }
        }
    }

    #[test]
    fn block_marker_round_trips_through_find_hashes() {
        let h = "3f9a2c7b1e04d5a6a1b2c3d4";
        let line = block("772 of 812 lines", "errors, first/last", h);
        assert_eq!(
            line,
            "[headroom: 772 of 812 lines omitted (kept errors, first/last) · headroom_retrieve(\"3f9a2c7b1e04d5a6a1b2c3d4\")]"
        );
        assert_eq!(find_hashes(&line), vec![h.to_string()]);
        let json = serde_json::to_string(&json_value("5 of 9 items", h)).unwrap();
        assert_eq!(
            json,
            r#"{"_headroom":"5 of 9 items omitted","retrieve":"3f9a2c7b1e04d5a6a1b2c3d4"}"#
        );
        assert_eq!(find_hashes(&format!("{json} {line}")), vec![h.to_string()]);
        assert!(has_marker(&json) && has_marker(&line) && has_marker(&gap(3)));
        assert!(find_hashes("headroom_retrieve(\"XYZ\")").is_empty());
        let stand_in = format!("    // {}", elision(42, h));
        assert_eq!(
            stand_in,
            "    // … 42 lines omitted · headroom_retrieve(\"3f9a2c7b1e04d5a6a1b2c3d4\")"
        );
        assert_eq!(find_hashes(&stand_in), vec![h.to_string()]);
        assert!(has_marker(&stand_in));
        assert!(elision(1, h).starts_with("… 1 line omitted · "));
    }
}
