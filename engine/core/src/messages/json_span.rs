//! A JSON parser that remembers where every value sits in the original text.
//!
//! Request bodies are edited by splicing: only the bytes of compressed tool
//! outputs change, every other byte (whitespace, key order, escapes, numbers
//! as written, fields we do not know) is sent exactly as received. A regular
//! parse-and-reserialize round trip cannot promise that, so this parser keeps
//! a byte span for every value and borrows strings undecoded from the input;
//! decoding happens only for the few strings the message pipeline reads.
//!
//! It is strict RFC 8259 JSON (no comments, no trailing commas, no BOM), so a
//! body it accepts is one the provider accepts too.

use std::borrow::Cow;
use std::ops::Range;

/// Deepest nesting accepted. Real request bodies nest a dozen levels; the
/// limit keeps recursion bounded (the wasm stack is small).
pub const MAX_DEPTH: usize = 512;

/// A parsed value and the byte range it occupies in the source text.
#[derive(Debug, Clone, PartialEq)]
pub struct Node<'a> {
    pub span: Range<usize>,
    pub value: Value<'a>,
}

/// The value of a [`Node`]. Numbers stay as written; strings stay undecoded.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    Number(&'a str),
    String(JsonStr<'a>),
    Array(Vec<Node<'a>>),
    /// Members in source order (duplicates kept).
    Object(Vec<Member<'a>>),
}

/// One `"key": value` pair of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Member<'a> {
    pub key: JsonStr<'a>,
    pub value: Node<'a>,
}

/// A string as it appears between its quotes, decoded on demand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonStr<'a> {
    raw: &'a str,
    escaped: bool,
}

impl<'a> JsonStr<'a> {
    /// The text between the quotes, escapes not decoded.
    pub fn raw(&self) -> &'a str {
        self.raw
    }

    /// The decoded string. `None` when it holds a lone UTF-16 surrogate
    /// escape (valid JSON syntax, but not representable as UTF-8): such a
    /// string is left alone rather than altered.
    pub fn decode(&self) -> Option<Cow<'a, str>> {
        if !self.escaped {
            return Some(Cow::Borrowed(self.raw));
        }
        decode_escaped(self.raw).map(Cow::Owned)
    }

    /// True when the decoded string equals `s` (no allocation for the
    /// common unescaped case).
    pub fn is(&self, s: &str) -> bool {
        if self.escaped {
            self.decode().is_some_and(|d| d == s)
        } else {
            self.raw == s
        }
    }
}

impl<'a> Node<'a> {
    /// The member `key` of an object. With duplicate keys the last one wins,
    /// as in `JSON.parse` and serde_json.
    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        match &self.value {
            Value::Object(members) => members
                .iter()
                .rev()
                .find(|m| m.key.is(key))
                .map(|m| &m.value),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Node<'a>]> {
        match &self.value {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[Member<'a>]> {
        match &self.value {
            Value::Object(members) => Some(members),
            _ => None,
        }
    }

    pub fn as_json_str(&self) -> Option<JsonStr<'a>> {
        match self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The decoded string, if this is a (decodable) string.
    pub fn as_str(&self) -> Option<Cow<'a, str>> {
        self.as_json_str()?.decode()
    }

    /// True when this is a string equal to `s`.
    pub fn is_str(&self, s: &str) -> bool {
        self.as_json_str().is_some_and(|j| j.is(s))
    }

    /// The decoded string member `key`, if present and a string.
    pub fn str_field(&self, key: &str) -> Option<Cow<'a, str>> {
        self.get(key)?.as_str()
    }

    /// True when member `key` is the string `s` (e.g. `"type": "text"`).
    pub fn field_is(&self, key: &str, s: &str) -> bool {
        self.get(key).is_some_and(|v| v.is_str(s))
    }

    /// A short name for the value's type, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }
}

/// Why a text is not JSON, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{problem} at byte {offset} (line {line}, column {column})")]
pub struct ParseError {
    /// Byte offset of the offending character (or the end of the input).
    pub offset: usize,
    /// 1-based line and column (in characters) of `offset`, for humans.
    pub line: usize,
    pub column: usize,
    pub problem: Problem,
}

/// What is wrong at a [`ParseError`]'s offset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("unexpected end of input, expected {0}")]
    UnexpectedEnd(&'static str),
    #[error("expected {expected}, found {found:?}")]
    Unexpected { expected: &'static str, found: char },
    #[error("invalid escape sequence in a string")]
    InvalidEscape,
    #[error("unescaped control character U+{0:04X} in a string")]
    ControlCharacter(u32),
    #[error("invalid number")]
    InvalidNumber,
    #[error("unexpected {0:?} after the end of the JSON value")]
    TrailingCharacters(char),
    #[error("nesting deeper than {MAX_DEPTH} levels")]
    TooDeep,
}

/// Parse `text` as one JSON value, with spans.
pub fn parse(text: &str) -> Result<Node<'_>, ParseError> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        depth: 0,
    };
    let node = parser.value()?;
    parser.skip_whitespace();
    if let Some(found) = parser.current_char() {
        return Err(parser.error(Problem::TrailingCharacters(found)));
    }
    Ok(node)
}

/// True when `text` is exactly one valid JSON value.
pub fn is_valid(text: &str) -> bool {
    parse(text).is_ok()
}

/// Bytes that end the fast scan inside a string: the closing quote, a
/// backslash, and control characters (which JSON forbids unescaped).
const STRING_STOP: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// The first index from `i` on whose 8-byte word may hold a
/// [`STRING_STOP`] byte: string contents are most of a request body, and
/// testing eight bytes at once (no quote, no backslash, no byte below
/// 0x20) reads them several times faster than the table, byte by byte.
fn skip_plain_words(bytes: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // A byte of `x` is zero (or, for `below`, under n <= 0x80) exactly
    // when its high bit is set in the result.
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let below = |x: u64, n: u64| x.wrapping_sub(ONES * n) & !x & HIGH;
    while let Some(word) = bytes.get(i..i + 8) {
        let x = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
        if zero(x ^ (ONES * u64::from(b'"'))) | zero(x ^ (ONES * u64::from(b'\\'))) | below(x, 0x20)
            != 0
        {
            break;
        }
        i += 8;
    }
    i
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// The character at `pos`. The parser only ever stops on ASCII bytes or
    /// at the end, so `pos` is always a character boundary.
    fn current_char(&self) -> Option<char> {
        self.text
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
    }

    fn error(&self, problem: Problem) -> ParseError {
        error_at(self.text, self.pos, problem)
    }

    /// "expected X" at `pos`: end of input or the character found there.
    fn expected(&self, expected: &'static str) -> ParseError {
        match self.current_char() {
            None => self.error(Problem::UnexpectedEnd(expected)),
            Some(found) => self.error(Problem::Unexpected { expected, found }),
        }
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn value(&mut self) -> Result<Node<'a>, ParseError> {
        self.skip_whitespace();
        let start = self.pos;
        let value = match self.peek() {
            Some(b'{') => self.object()?,
            Some(b'[') => self.array()?,
            Some(b'"') => Value::String(self.string()?),
            Some(b't') => self.literal("true", Value::Bool(true))?,
            Some(b'f') => self.literal("false", Value::Bool(false))?,
            Some(b'n') => self.literal("null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => Value::Number(self.number()?),
            _ => return Err(self.expected("a JSON value")),
        };
        Ok(Node {
            span: start..self.pos,
            value,
        })
    }

    fn literal(&mut self, word: &'static str, value: Value<'a>) -> Result<Value<'a>, ParseError> {
        for expected in word.bytes() {
            if self.peek() != Some(expected) {
                return Err(self.expected(match word {
                    "true" => "`true`",
                    "false" => "`false`",
                    _ => "`null`",
                }));
            }
            self.pos += 1;
        }
        Ok(value)
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(Problem::TooDeep));
        }
        Ok(())
    }

    fn object(&mut self) -> Result<Value<'a>, ParseError> {
        self.enter()?;
        self.pos += 1; // `{`
        let mut members = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.expected("a string key"));
            }
            let key = self.string()?;
            self.skip_whitespace();
            if self.peek() != Some(b':') {
                return Err(self.expected("`:` after an object key"));
            }
            self.pos += 1;
            let value = self.value()?;
            members.push(Member { key, value });
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(self.expected("`,` or `}` after an object member")),
            }
        }
        self.depth -= 1;
        Ok(Value::Object(members))
    }

    fn array(&mut self) -> Result<Value<'a>, ParseError> {
        self.enter()?;
        self.pos += 1; // `[`
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value()?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(self.expected("`,` or `]` after an array element")),
            }
        }
        self.depth -= 1;
        Ok(Value::Array(items))
    }

    /// A string starting at the opening quote at `pos`; validates escapes
    /// but does not decode them.
    fn string(&mut self) -> Result<JsonStr<'a>, ParseError> {
        let start = self.pos + 1;
        let mut i = start;
        let mut escaped = false;
        loop {
            i = skip_plain_words(self.bytes, i);
            while i < self.bytes.len() && !STRING_STOP[self.bytes[i] as usize] {
                i += 1;
            }
            match self.bytes.get(i) {
                None => {
                    self.pos = i;
                    return Err(self.error(Problem::UnexpectedEnd("`\"` closing a string")));
                }
                Some(b'"') => break,
                Some(b'\\') => {
                    escaped = true;
                    i += match self.bytes.get(i + 1) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => 2,
                        Some(b'u')
                            if self
                                .bytes
                                .get(i + 2..i + 6)
                                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) =>
                        {
                            6
                        }
                        _ => {
                            self.pos = i;
                            return Err(self.error(Problem::InvalidEscape));
                        }
                    };
                }
                Some(&control) => {
                    self.pos = i;
                    return Err(self.error(Problem::ControlCharacter(u32::from(control))));
                }
            }
        }
        self.pos = i + 1;
        Ok(JsonStr {
            raw: &self.text[start..i],
            escaped,
        })
    }

    fn number(&mut self) -> Result<&'a str, ParseError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error(Problem::InvalidNumber)),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
                return Err(self.error(Problem::InvalidNumber));
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
                return Err(self.error(Problem::InvalidNumber));
            }
            self.digits();
        }
        Ok(&self.text[start..self.pos])
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
    }
}

fn error_at(text: &str, offset: usize, problem: Problem) -> ParseError {
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    let column = before[line_start..].chars().count() + 1;
    ParseError {
        offset,
        line,
        column,
        problem,
    }
}

/// Decode a string body known to hold valid escapes. `None` on a lone
/// surrogate.
fn decode_escaped(raw: &str) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(backslash) = find_backslash(rest.as_bytes()) {
        out.push_str(&rest[..backslash]);
        let esc = &rest[backslash + 1..];
        let (ch, used) = match esc.as_bytes()[0] {
            b'"' => ('"', 1),
            b'\\' => ('\\', 1),
            b'/' => ('/', 1),
            b'b' => ('\u{8}', 1),
            b'f' => ('\u{c}', 1),
            b'n' => ('\n', 1),
            b'r' => ('\r', 1),
            b't' => ('\t', 1),
            _ => {
                let first = hex4(&esc[1..5]);
                match first {
                    0xD800..=0xDBFF => {
                        let low = esc
                            .get(5..11)
                            .filter(|s| s.starts_with("\\u"))
                            .map(|s| hex4(&s[2..]))?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return None;
                        }
                        let code = 0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00);
                        (char::from_u32(code)?, 11)
                    }
                    0xDC00..=0xDFFF => return None,
                    code => (char::from_u32(code)?, 5),
                }
            }
        };
        out.push(ch);
        rest = &esc[used..];
    }
    out.push_str(rest);
    Some(out)
}

/// Index of the first backslash, eight bytes at a time while a word holds
/// none: tool outputs that are themselves JSON escape every few bytes, and
/// a `str::find` call per escape made their decoding slow.
fn find_backslash(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut i = 0;
    while let Some(word) = bytes.get(i..i + 8) {
        let x = u64::from_le_bytes(word.try_into().unwrap_or([0; 8])) ^ (ONES * u64::from(b'\\'));
        if x.wrapping_sub(ONES) & !x & HIGH != 0 {
            break;
        }
        i += 8;
    }
    bytes[i..].iter().position(|&b| b == b'\\').map(|p| i + p)
}

/// Four hex digits (already validated by the parser).
fn hex4(s: &str) -> u32 {
    u32::from_str_radix(s, 16).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus(rel: &str) -> String {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/corpus")
            .join(rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    #[test]
    fn the_word_scan_stops_at_every_stop_byte_in_any_position() {
        for stop in [b'"', b'\\', 0x00, 0x0a, 0x1f] {
            for at in 0..20 {
                let mut bytes = vec![b'a'; 24];
                bytes[5] = 0xc3; // UTF-8 bytes >= 0x80 are plain
                bytes[6] = 0xa9;
                bytes[at] = stop;
                let found = skip_plain_words(&bytes, 0);
                assert!(
                    found <= at && at < found + 8,
                    "stop {stop:#x} at {at}: {found}"
                );
            }
        }
        for plain in [b' ', b'!', b'#', b'[', b']', 0x7f, 0xff, 0x80] {
            assert_eq!(skip_plain_words(&[plain; 16], 0), 16, "{plain:#x}");
        }
    }

    /// Convert to serde_json's model, to compare with an independent parser.
    fn to_serde(node: &Node) -> serde_json::Value {
        match &node.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::from_str(n).unwrap(),
            Value::String(s) => serde_json::Value::String(s.decode().unwrap().into_owned()),
            Value::Array(items) => serde_json::Value::Array(items.iter().map(to_serde).collect()),
            Value::Object(members) => serde_json::Value::Object(
                members
                    .iter()
                    .map(|m| (m.key.decode().unwrap().into_owned(), to_serde(&m.value)))
                    .collect(),
            ),
        }
    }

    /// Every span must cover exactly the text that parses to that node.
    fn check_spans(text: &str, node: &Node) {
        let slice = &text[node.span.clone()];
        assert_eq!(
            to_serde(&parse(slice).unwrap()),
            to_serde(node),
            "span {:?}",
            node.span
        );
        match &node.value {
            Value::Array(items) => items.iter().for_each(|n| check_spans(text, n)),
            Value::Object(members) => members.iter().for_each(|m| check_spans(text, &m.value)),
            _ => {}
        }
    }

    #[test]
    fn spans_cover_each_value_exactly_and_keep_key_order() {
        let text = " { \"b\" : [1, -2.5e+3, true,null] ,\"a\":{\"x\":\"y\\n\"}, \"b\": \"last\" } ";
        let root = parse(text).unwrap();
        assert_eq!(root.span, 1..text.len() - 1);
        let keys: Vec<&str> = root
            .as_object()
            .unwrap()
            .iter()
            .map(|m| m.key.raw())
            .collect();
        assert_eq!(keys, ["b", "a", "b"]);
        assert_eq!(root.get("b").unwrap().as_str().unwrap(), "last");
        let first_b = &root.as_object().unwrap()[0].value;
        assert_eq!(&text[first_b.span.clone()], "[1, -2.5e+3, true,null]");
        assert_eq!(
            first_b.as_array().unwrap()[1].value,
            Value::Number("-2.5e+3")
        );
        let a = root.get("a").unwrap();
        assert_eq!(&text[a.get("x").unwrap().span.clone()], "\"y\\n\"");
        assert_eq!(a.get("x").unwrap().as_str().unwrap(), "y\n");
        check_spans(text, &root);
    }

    #[test]
    fn decodes_every_escape_including_surrogate_pairs() {
        let root = parse(r#"["\"\\\/\b\f\n\r\t", "\u00e9\u4e2d\ud83d\ude00", "plain é"]"#).unwrap();
        let items = root.as_array().unwrap();
        assert_eq!(items[0].as_str().unwrap(), "\"\\/\u{8}\u{c}\n\r\t");
        assert_eq!(items[1].as_str().unwrap(), "é中😀");
        assert!(matches!(
            items[2].as_str().unwrap(),
            Cow::Borrowed("plain é")
        ));
        assert!(items[1].is_str("é中😀"));
    }

    #[test]
    fn every_corpus_output_decodes_back_from_its_json_string() {
        for rel in [
            "json/npm_view_react.json",
            "logs/loghub_HDFS_2k.log",
            "code/flask_app.py",
        ] {
            let text = corpus(rel);
            let encoded = serde_json::to_string(&text).unwrap();
            assert_eq!(parse(&encoded).unwrap().as_str().unwrap(), text, "{rel}");
        }
        for at in 0..20 {
            let mut text = "a".repeat(20);
            text.insert(at, '\n');
            let encoded = serde_json::to_string(&text).unwrap();
            assert_eq!(parse(&encoded).unwrap().as_str().unwrap(), text);
            assert_eq!(find_backslash(encoded.as_bytes()), Some(at + 1));
        }
        assert_eq!(find_backslash(b"no escapes in these bytes"), None);
    }

    #[test]
    fn lone_surrogates_parse_but_do_not_decode() {
        for text in [r#""\ud83d""#, r#""\ude00x""#, r#""\ud83d\u0041""#] {
            let node = parse(text).unwrap();
            assert_eq!(node.as_str(), None, "{text}");
        }
    }

    #[test]
    fn agrees_with_serde_json_on_real_corpus_files() {
        for rel in [
            "json/npm_view_react.json",
            "json/octokit_paginate-issues.json",
            "json/npm_ls_all_express4.json",
        ] {
            let text = corpus(rel);
            let root = parse(&text).unwrap();
            let expected: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(to_serde(&root), expected, "{rel}");
            assert_eq!(root.span, 0..text.trim_end().len());
        }
        let text = corpus("json/octokit_labels.json");
        check_spans(&text, &parse(&text).unwrap());
    }

    #[test]
    fn malformed_input_reports_problem_and_byte_offset() {
        let cases: &[(&str, usize, Problem)] = &[
            ("", 0, Problem::UnexpectedEnd("a JSON value")),
            (
                "{\"a\": [1, 2",
                11,
                Problem::UnexpectedEnd("`,` or `]` after an array element"),
            ),
            (
                "[1,]",
                3,
                Problem::Unexpected {
                    expected: "a JSON value",
                    found: ']',
                },
            ),
            (
                "{\"a\" 1}",
                5,
                Problem::Unexpected {
                    expected: "`:` after an object key",
                    found: '1',
                },
            ),
            (
                "{a:1}",
                1,
                Problem::Unexpected {
                    expected: "a string key",
                    found: 'a',
                },
            ),
            (
                "{\"a\":1,}",
                7,
                Problem::Unexpected {
                    expected: "a string key",
                    found: '}',
                },
            ),
            ("\"ab\\x\"", 3, Problem::InvalidEscape),
            ("\"ab\\u12g4\"", 3, Problem::InvalidEscape),
            ("\"a\tb\"", 2, Problem::ControlCharacter(9)),
            ("\"abc", 4, Problem::UnexpectedEnd("`\"` closing a string")),
            ("01", 1, Problem::TrailingCharacters('1')),
            ("-", 1, Problem::InvalidNumber),
            ("1.e5", 2, Problem::InvalidNumber),
            ("1e", 2, Problem::InvalidNumber),
            ("tru", 3, Problem::UnexpectedEnd("`true`")),
            (
                "nul1",
                3,
                Problem::Unexpected {
                    expected: "`null`",
                    found: '1',
                },
            ),
            ("{} x", 3, Problem::TrailingCharacters('x')),
            (
                "\u{feff}{}",
                0,
                Problem::Unexpected {
                    expected: "a JSON value",
                    found: '\u{feff}',
                },
            ),
        ];
        for (text, offset, problem) in cases {
            let err = parse(text).unwrap_err();
            assert_eq!((err.offset, &err.problem), (*offset, problem), "{text:?}");
        }
        let err = parse("{\n  \"é\": [1 2]\n}").unwrap_err();
        assert_eq!((err.offset, err.line, err.column), (13, 2, 11));
        assert_eq!(
            err.to_string(),
            "expected `,` or `]` after an array element, found '2' at byte 13 (line 2, column 11)"
        );
    }

    #[test]
    fn nesting_is_bounded() {
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert_eq!(parse(&deep).unwrap_err().problem, Problem::TooDeep);
    }
}
