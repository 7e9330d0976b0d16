//! What matters in a line: errors, failures, warnings, summaries; and the
//! template of a line (the line with numbers, ids and timestamps masked), so
//! lines that differ only in those can be collapsed into one with a count.
//!
//! Everything here runs once per line of outputs that can be megabytes long,
//! so the hot entry points take a caller-owned buffer (`*_into`, `*_lower`)
//! instead of allocating per line.

/// Severity of a line, as far as keeping it is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Signal {
    None,
    Warning,
    Error,
}

/// Stems that make a line an error wherever they occur, even inside a word:
/// `AttributeError`, `NullPointerException`, `test_fails`, `FAILED`.
/// Substring matching is deliberate: losing an error costs the user far more
/// than keeping a line that only looked like one.
const ERROR_STEMS: &[&str] = &["error", "fail", "fatal", "panic", "exception", "traceback"];

/// Words that make a line an error only as whole words (as substrings they
/// are too common: `abortController`, `crashpad`).
const ERROR_WORDS: &[&str] = &[
    "critical",
    "severe",
    "abort",
    "aborted",
    "aborting",
    "segfault",
    "denied",
    "refused",
    "unreachable",
    "killed",
    "crash",
    "crashed",
];

/// Single-token log levels that mark a line as an error or a warning when
/// they stand in the level column (`E`, `ERROR`, `[error]`, `<E>`).
const ERROR_LEVELS: &[&str] = &[
    "e", "f", "err", "error", "fatal", "crit", "critical", "severe", "emerg", "alert",
];
const WARNING_LEVELS: &[&str] = &["w", "warn", "warning"];

/// The first bytes of [`ERROR_WORDS`], so most words are ruled out by one
/// table lookup instead of a dozen string compares.
static ERROR_WORD_FIRSTS: [bool; 256] = first_bytes(&[ERROR_WORDS]);
/// The first bytes of [`ERROR_LEVELS`] and [`WARNING_LEVELS`].
static LEVEL_FIRSTS: [bool; 256] = first_bytes(&[ERROR_LEVELS, WARNING_LEVELS]);

const fn first_bytes(lists: &[&[&str]]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut l = 0;
    while l < lists.len() {
        let mut w = 0;
        while w < lists[l].len() {
            table[lists[l][w].as_bytes()[0] as usize] = true;
            w += 1;
        }
        l += 1;
    }
    table
}

/// Classify a line (allocates its lower-case form; see [`classify_lower`]).
pub fn classify(line: &str) -> Signal {
    classify_lower(line, &line.to_ascii_lowercase())
}

/// Classify a line given its ASCII-lower-cased form (same length, same byte
/// offsets). When in doubt a line counts as an error.
pub fn classify_lower(line: &str, lower: &str) -> Signal {
    if is_command_echo(line) {
        return Signal::None;
    }
    let found = Found::scan(lower.as_bytes());
    if has_error_stem(lower, found)
        || is_error_code_line(line, found)
        || found.any(ERROR_PHRASE_BITS)
        || found.any(Found::ERROR_WORD_START) && has_error_word(lower)
    {
        return Signal::Error;
    }
    match level_of(lower) {
        Some(Signal::Error) => return Signal::Error,
        Some(Signal::Warning) => return Signal::Warning,
        _ => {}
    }
    if has_counted(lower, found, Found::WARN, "warn")
        || has_counted(lower, found, Found::DEPRECAT, "deprecat")
    {
        return Signal::Warning;
    }
    Signal::None
}

/// Which of the substrings the classifiers look for occur in a lower-cased
/// line, found in one pass over its bytes.
///
/// WHY: a line is checked for a dozen substrings; one `str::contains` each
/// means a dozen passes and a dozen searcher set-ups per line, which
/// dominated the time to compress a log under wasm (no SIMD there). One
/// pass that stops only at the few bytes a substring can start with costs
/// about as much as a single `contains`.
#[derive(Clone, Copy)]
struct Found(u32);

impl Found {
    const ERROR: u32 = 1 << 0;
    const FAIL: u32 = 1 << 1;
    const FATAL: u32 = 1 << 2;
    const PANIC: u32 = 1 << 3;
    const EXCEPTION: u32 = 1 << 4;
    const TRACEBACK: u32 = 1 << 5;
    const ERR_BANG: u32 = 1 << 6;
    const TIMED_OUT: u32 = 1 << 7;
    const WARN: u32 = 1 << 8;
    const DEPRECAT: u32 = 1 << 9;
    const EXIT_CODE: u32 = 1 << 10;
    const EXIT_STATUS: u32 = 1 << 11;
    const EXITED_WITH: u32 = 1 << 12;
    const SHORT_TEST_SUMMARY: u32 = 1 << 13;
    /// The first four bytes of one of [`ERROR_WORDS`].
    const ERROR_WORD_START: u32 = 1 << 14;

    /// Each substring with its bit, for the tests.
    #[cfg(test)]
    const ALL: [(&'static str, u32); 14] = [
        ("error", Self::ERROR),
        ("fail", Self::FAIL),
        ("fatal", Self::FATAL),
        ("panic", Self::PANIC),
        ("exception", Self::EXCEPTION),
        ("traceback", Self::TRACEBACK),
        ("err!", Self::ERR_BANG),
        ("timed out", Self::TIMED_OUT),
        ("warn", Self::WARN),
        ("deprecat", Self::DEPRECAT),
        ("exit code", Self::EXIT_CODE),
        ("exit status", Self::EXIT_STATUS),
        ("exited with", Self::EXITED_WITH),
        ("short test summary", Self::SHORT_TEST_SUMMARY),
    ];

    /// The error and warning substrings (`error` … `deprecat`), and the
    /// starts of [`ERROR_WORDS`], in `lower`. Every one is at least four
    /// bytes long: at each byte, the next four are read as one word and
    /// looked up in a small collision-free table of the substrings' first
    /// four bytes ([`PREFIX_SLOTS`]); a hit checks the rest. No branch
    /// depends on the text until a hit, so the loop runs at a steady pace.
    fn scan(lower: &[u8]) -> Self {
        let mut found = 0;
        let Some(ends) = lower.len().checked_sub(3) else {
            return Self(0);
        };
        for at in 0..ends {
            let word = u32::from_le_bytes(lower[at..at + 4].try_into().expect("4 bytes"));
            let (prefix, needle) = PREFIX_SLOTS[prefix_slot(word)];
            if prefix == word && needle != 0 {
                let (_, rest, bit) = PREFIXES[usize::from(needle) - 1];
                if lower[at + 4..].starts_with(rest) {
                    found |= bit;
                }
            }
        }
        Self(found)
    }

    /// The summary phrases (`exit code` … `short test summary`) in `lower`,
    /// found at their rare letters: the `x` of `exit`, the `y` that ends
    /// `summary`.
    fn scan_summary(lower: &[u8]) -> Self {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGHS: u64 = 0x8080_8080_8080_8080;
        let mut found = 0;
        let mut at = 0;
        // Eight bytes at a time: skip words with no `x` or `y` (`x` and `y`
        // differ in their lowest bit only; a zero byte of `t` marks one).
        while at + 8 <= lower.len() {
            let word = u64::from_le_bytes(lower[at..at + 8].try_into().expect("8 bytes"));
            let t = (word | ONES) ^ (ONES * u64::from(b'y'));
            if t.wrapping_sub(ONES) & !t & HIGHS != 0 {
                for i in at..at + 8 {
                    found |= Self::summary_at(lower, i);
                }
            }
            at += 8;
        }
        for i in at..lower.len() {
            found |= Self::summary_at(lower, i);
        }
        Self(found)
    }

    /// The summary phrase whose rare letter is at `at`, if any.
    #[inline(always)]
    fn summary_at(lower: &[u8], at: usize) -> u32 {
        match lower[at] {
            b'x' if at > 0 && lower[at - 1] == b'e' && lower[at + 1..].starts_with(b"it") => {
                let tail = &lower[at + 3..];
                if tail.starts_with(b" code") {
                    Self::EXIT_CODE
                } else if tail.starts_with(b" status") {
                    Self::EXIT_STATUS
                } else if tail.starts_with(b"ed with") {
                    Self::EXITED_WITH
                } else {
                    0
                }
            }
            b'y' if lower[..=at].ends_with(b"short test summary") => Self::SHORT_TEST_SUMMARY,
            _ => 0,
        }
    }

    /// True when any substring of `bits` occurs.
    fn any(self, bits: u32) -> bool {
        self.0 & bits != 0
    }
}

/// What [`Found::scan`] looks for: first four bytes, the bytes after them,
/// and the bit they set.
const PREFIXES: [(&[u8; 4], &[u8], u32); 19] = [
    (b"erro", b"r", Found::ERROR),
    (b"err!", b"", Found::ERR_BANG),
    (b"exce", b"ption", Found::EXCEPTION),
    (b"fail", b"", Found::FAIL),
    (b"fata", b"l", Found::FATAL),
    (b"pani", b"c", Found::PANIC),
    (b"trac", b"eback", Found::TRACEBACK),
    (b"time", b"d out", Found::TIMED_OUT),
    (b"warn", b"", Found::WARN),
    (b"depr", b"ecat", Found::DEPRECAT),
    // The starts of ERROR_WORDS (a test checks they cover the list).
    (b"crit", b"", Found::ERROR_WORD_START),
    (b"seve", b"", Found::ERROR_WORD_START),
    (b"abor", b"", Found::ERROR_WORD_START),
    (b"segf", b"", Found::ERROR_WORD_START),
    (b"deni", b"", Found::ERROR_WORD_START),
    (b"refu", b"", Found::ERROR_WORD_START),
    (b"unre", b"", Found::ERROR_WORD_START),
    (b"kill", b"", Found::ERROR_WORD_START),
    (b"cras", b"", Found::ERROR_WORD_START),
];

/// Bits of [`PREFIX_SLOTS`]' index.
const PREFIX_SLOT_BITS: u32 = 6;

/// The slot of a four-byte word: a multiplicative hash whose multiplier was
/// chosen so that [`PREFIXES`] land in distinct slots (checked when the
/// table is built, at compile time).
#[inline(always)]
fn prefix_slot(word: u32) -> usize {
    (word.wrapping_mul(0x346F_3293) >> (32 - PREFIX_SLOT_BITS)) as usize
}

/// Per slot: the prefix that lives there and its index in [`PREFIXES`]
/// plus one (0: an empty slot).
static PREFIX_SLOTS: [(u32, u8); 1 << PREFIX_SLOT_BITS] = {
    let mut slots = [(0u32, 0u8); 1 << PREFIX_SLOT_BITS];
    let mut i = 0;
    while i < PREFIXES.len() {
        let word = u32::from_le_bytes(*PREFIXES[i].0);
        let slot = (word.wrapping_mul(0x346F_3293) >> (32 - PREFIX_SLOT_BITS)) as usize;
        assert!(
            slots[slot].1 == 0,
            "two prefixes share a slot: pick another multiplier"
        );
        slots[slot] = (word, i as u8 + 1);
        i += 1;
    }
    slots
};

/// Phrases that make a line an error (`npm ERR!`, `Connection timed out`),
/// as [`Found`] bits.
const ERROR_PHRASE_BITS: u32 = Found::ERR_BANG | Found::TIMED_OUT;

/// [`ERROR_STEMS`] as [`Found`] bits, in the same order.
const ERROR_STEM_BITS: [u32; 6] = [
    Found::ERROR,
    Found::FAIL,
    Found::FATAL,
    Found::PANIC,
    Found::EXCEPTION,
    Found::TRACEBACK,
];

/// ASCII-lower-case `line` into `buf` (cleared first). Byte offsets stay the
/// same as in `line`, which [`classify_lower`] relies on.
pub fn lower_into(line: &str, buf: &mut String) {
    buf.clear();
    buf.push_str(line);
    buf.make_ascii_lowercase();
}

/// A build tool echoing the command it runs (cargo's ``Running `rustc …` ``):
/// crate names and flags such as `thiserror` or `--cfg 'feature="error"'`
/// in it are not reports of anything.
pub fn is_command_echo(line: &str) -> bool {
    line.trim_start().starts_with("Running `")
}

fn has_error_stem(lower: &str, found: Found) -> bool {
    ERROR_STEMS
        .iter()
        .zip(ERROR_STEM_BITS)
        .any(|(stem, bit)| has_counted(lower, found, bit, stem))
}

/// True when `stem` (whose [`Found`] bit is `bit`) occurs in `lower` at
/// least once in a way that counts: not inside a command-line flag
/// (`--error-format=json`), not as a count of zero (`0 failed`, `errors=0`).
fn has_counted(lower: &str, found: Found, bit: u32, stem: &str) -> bool {
    if !found.any(bit) {
        return false;
    }
    crate::find::occurrences(lower, stem)
        .any(|at| !in_flag(lower, at) && !is_zero_count(lower, at, stem.len()))
}

/// True when one of [`ERROR_WORDS`] occurs in `lower` as a whole word
/// (not surrounded by letters), outside flags. One pass over the words.
fn has_error_word(lower: &str) -> bool {
    let bytes = lower.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        let word = &lower[start..i];
        if word.len() >= 5
            && ERROR_WORD_FIRSTS[usize::from(bytes[start])]
            && ERROR_WORDS.contains(&word)
            && !in_flag(lower, start)
        {
            return true;
        }
    }
    false
}

/// The stem at `at` belongs to a command-line flag (`--error-format=json`,
/// `--fail-fast`, `'--warn=clippy::missing_panics_doc'`): a setting, not a
/// report of an error.
fn in_flag(lower: &str, at: usize) -> bool {
    let bytes = lower.as_bytes();
    let mut start = at;
    while start > 0
        && !matches!(
            bytes[start - 1],
            b' ' | b'\t' | b'`' | b'\'' | b'"' | b'(' | b'[' | b','
        )
    {
        start -= 1;
    }
    bytes[start..at].starts_with(b"--")
}

/// The word around the stem at `at` is reported with a count of zero:
/// `0 failed`, `0 errors`, `failures: 0`, `errors=0`, `(0 failing)`.
fn is_zero_count(lower: &str, at: usize, len: usize) -> bool {
    let bytes = lower.as_bytes();
    let mut start = at;
    while start > 0 && bytes[start - 1].is_ascii_alphabetic() {
        start -= 1;
    }
    let mut end = at + len;
    while end < bytes.len() && bytes[end].is_ascii_alphabetic() {
        end += 1;
    }
    let before = lower[..start].trim_end_matches([' ', ':', '=']);
    let zero_before = before.ends_with('0')
        && !before[..before.len() - 1]
            .ends_with(|c: char| c.is_ascii_digit() || c == '.' || c == ',');
    let after = lower[end..].trim_start_matches([' ', ':', '=']);
    let zero_after = after.starts_with('0')
        && !after[1..].starts_with(|c: char| c.is_ascii_digit() || c == '.' || c == 'x');
    zero_before || zero_after
}

/// The level column of a log line, if it has one: a short token among the
/// first few whitespace-separated tokens such as `ERROR`, `[warn]`, `<E>`, or
/// a one-letter level after a number (`1702  2395 E Tag: …` in logcat).
fn level_of(lower: &str) -> Option<Signal> {
    let mut prev_numeric = false;
    for (i, token) in lower.split_ascii_whitespace().take(6).enumerate() {
        let bare = token
            .trim_matches(|c: char| matches!(c, '[' | ']' | '<' | '>' | '(' | ')' | ':' | '|'));
        // Most tokens start with a byte no level starts with (`/` included:
        // the level is what comes before a `/`).
        let maybe_level = bare
            .as_bytes()
            .first()
            .is_some_and(|&b| LEVEL_FIRSTS[usize::from(b)]);
        if maybe_level {
            let bare = bare.split('/').next().unwrap_or(bare);
            let single = bare.len() == 1;
            // One-letter levels only count where a level column can be:
            // after a number (pid/tid/time), or as `E/Tag` in logcat's
            // brief format.
            let one_letter_ok = !single
                || prev_numeric
                || (i == 0 && token.len() > 1 && token.as_bytes()[1] == b'/');
            if one_letter_ok && ERROR_LEVELS.contains(&bare) {
                return Some(Signal::Error);
            }
            if one_letter_ok && WARNING_LEVELS.contains(&bare) {
                return Some(Signal::Warning);
            }
        }
        prev_numeric = token.bytes().last().is_some_and(|b| b.is_ascii_digit());
    }
    None
}

/// True when `word` occurs in `lower` not surrounded by letters.
pub fn contains_word(lower: &str, word: &str) -> bool {
    let bytes = lower.as_bytes();
    crate::find::occurrences(lower, word).any(|at| {
        let end = at + word.len();
        let before_ok = at == 0 || !bytes[at - 1].is_ascii_alphabetic();
        let after_ok = end >= bytes.len() || !bytes[end].is_ascii_alphabetic();
        before_ok && after_ok
    })
}

/// Stack frames: Python `  File "x.py", line 3`, JVM `\tat a.b.C(C.java:1)`,
/// JS `    at f (x.js:1:2)`, Rust `  12: std::rt::…` / `at src/x.rs:3:5`, Go
/// `\t/x/y.go:12 +0x1d`. They are kept with the error they belong to.
pub fn looks_like_stack_frame(line: &str) -> bool {
    let t = line.trim_start();
    if t.len() == line.len() {
        return false;
    }
    if t.starts_with("File \"") && t.contains(", line ") {
        return true;
    }
    if let Some(rest) = t.strip_prefix("at ") {
        return rest.contains(':') || rest.contains("(<") || rest.contains("(native");
    }
    if t.starts_with("... ") && t.ends_with(" more") {
        return true;
    }
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && t[digits..].starts_with(": ") {
        return true;
    }
    line.starts_with('\t') && t.starts_with('/') && t.contains(".go:")
}

/// Compiler diagnostics such as `error[E0308]:` or `src/x.c:3:1: error:`,
/// and pytest's `E       assert 1 == 2` explanation lines.
fn is_error_code_line(line: &str, found: Found) -> bool {
    // `: error:` in the line puts `error` in its lower-case form.
    line.starts_with("error[")
        || found.any(Found::ERROR) && line.contains(": error:")
        || line.starts_with("E  ")
}

/// A summary line worth always keeping: test totals, build results, exit
/// codes (allocates its lower-case form; see [`is_summary_lower`]).
pub fn is_summary(line: &str) -> bool {
    is_summary_lower(&line.to_ascii_lowercase())
}

/// [`is_summary`] on an already lower-cased line.
pub fn is_summary_lower(lower: &str) -> bool {
    let t = lower.trim();
    if t.is_empty() {
        return false;
    }
    // The substrings looked for anywhere have no space at either end, so
    // they occur in `t` exactly when they occur in `lower`.
    let found = Found::scan_summary(t.as_bytes());
    t.starts_with("test result:")
        || is_banner_with_counts(t)
        || t.starts_with("finished ")
        || t.starts_with("tests:")
        || t.starts_with("test suites:")
        || t.starts_with("test files ")
        || is_count_line(t, &["passing", "failing", "pending"])
        || t.starts_with("ran ") && t.contains(" test")
        || t.starts_with("failed (") && t.ends_with(')')
        || t == "ok"
        || t.starts_with("ok  \t")
        || t.starts_with("fail\t")
        || found.any(Found::EXIT_CODE)
        || found.any(Found::EXIT_STATUS)
        || found.any(Found::EXITED_WITH)
        || t.starts_with("build succeeded")
        || t.starts_with("build failed")
        || t.starts_with("[info] build ")
        || t.starts_with("added ") && t.contains(" package")
        || t.starts_with("npm err!")
        || t.starts_with("npm error")
        || t.starts_with("npm info ok")
        || t.starts_with("npm verbose exit")
        || t.starts_with("error: could not compile")
        || found.any(Found::SHORT_TEST_SUMMARY)
}

/// `===== 4 failed, 615 passed in 79.87s =====` (pytest's closing banner).
fn is_banner_with_counts(t: &str) -> bool {
    t.starts_with('=')
        && t.ends_with('=')
        && [
            " passed",
            " failed",
            " error",
            " skipped",
            "no tests ran",
            " deselected",
        ]
        .iter()
        .any(|w| t.contains(w))
}

/// `1256 passing (4s)`, `4 pending`: a number, then one of `words`.
fn is_count_line(t: &str, words: &[&str]) -> bool {
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && {
        let rest = &t[digits..];
        rest.starts_with(' ') && words.iter().any(|w| rest[1..].starts_with(w))
    }
}

/// The template of a line: digits, hex ids, and quoted/bracketed numbers
/// masked, so `blk_123 terminating` and `blk_456 terminating` share one.
pub fn template(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut scratch = String::new();
    template_into(line, &mut out, &mut scratch);
    out
}

/// [`template`] into `out` (cleared first), using `scratch` as working space,
/// so a caller templating every line of a log allocates nothing per line.
pub fn template_into(line: &str, out: &mut String, scratch: &mut String) {
    scratch.clear();
    let bytes = line.as_bytes();
    let mut i = 0;
    let mut last_masked = false;
    let mut prev = b' ';
    while i < bytes.len() {
        let c = bytes[i];
        let signed = c == b'-'
            && !prev.is_ascii_alphanumeric()
            && bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
        if c.is_ascii_digit() || signed {
            // Swallow the whole token of digits, hex letters and separators
            // typical of ids, times and addresses.
            i += 1;
            while i < bytes.len()
                && (bytes[i].is_ascii_hexdigit()
                    || matches!(bytes[i], b'.' | b':' | b'-' | b'_' | b'x' | b'X'))
            {
                i += 1;
            }
            prev = bytes[i - 1];
            if !last_masked {
                scratch.push('#');
            }
            last_masked = true;
            continue;
        }
        // Copy the run up to the next digit or '-' in one go (keeps UTF-8
        // sequences whole: they never contain ASCII bytes).
        let start = i;
        i += 1;
        while i < bytes.len() && !bytes[i].is_ascii_digit() && bytes[i] != b'-' {
            i += 1;
        }
        scratch.push_str(&line[start..i]);
        prev = bytes[i - 1];
        last_masked = false;
    }
    mask_hex_words_into(scratch, out);
}

/// Mask words that are long hex strings (commit ids, hashes starting with a
/// letter: those starting with a digit were already masked).
fn mask_hex_words_into(s: &str, out: &mut String) {
    out.clear();
    for (n, word) in s.split(' ').enumerate() {
        if n > 0 {
            out.push(' ');
        }
        let hexy = word.len() >= 8
            && word
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b'#' || b == b'-')
            && word.bytes().any(|b| b == b'#' || b.is_ascii_digit());
        out.push_str(if hexy { "#" } else { word });
    }
}

/// `line` with every run of ASCII digits replaced by `#`, into `out` (cleared
/// first). Finer than [`template`]: two lines with the same digit mask
/// differ only in numbers, so one can stand for the other without hiding a
/// word. Distinct error lines are told apart this way.
pub fn mask_digits_into(line: &str, out: &mut String) {
    out.clear();
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            out.push('#');
        } else {
            let start = i;
            while i < bytes.len() && !bytes[i].is_ascii_digit() {
                i += 1;
            }
            out.push_str(&line[start..i]);
        }
    }
}

/// `line` with every id-like token masked, into `out` (cleared first): a
/// maximal run of letters, digits and `_ . : -` that contains a digit
/// (`R02-M1-N0`, `0x0b85eee0`, `blk_-1608`, `10.251.73.220:50010`,
/// `2005-06-03-15.42.50.675872`) becomes `#`. Two lines with the same mask
/// differ only in numbers and ids: one can stand for the other.
pub fn mask_ids_into(line: &str, out: &mut String) {
    let mut bytes = std::mem::take(out).into_bytes();
    mask_ids_bytes(line, &mut bytes);
    // Only ASCII runs were replaced (by ASCII), so the bytes stay UTF-8.
    *out = String::from_utf8(bytes).expect("masking keeps UTF-8");
}

/// [`mask_ids_into`] into a byte buffer: the per-line hot path (no UTF-8
/// re-validation; the result is only compared, never shown).
pub fn mask_ids_bytes(line: &str, out: &mut Vec<u8>) {
    let bytes = line.as_bytes();
    let mut w = MaskWriter::new(out, bytes.len());
    let mut i = 0;
    // Bytes that cannot be in an id are copied; a run of id bytes is
    // copied, or becomes `#` when it has a digit.
    while i < bytes.len() {
        let b = bytes[i];
        if ID_BYTE[usize::from(b)] == 0 {
            w.push(b);
            i += 1;
            continue;
        }
        let start = i;
        let mut classes = 0;
        while i < bytes.len() && ID_BYTE[usize::from(bytes[i])] != 0 {
            classes |= ID_BYTE[usize::from(bytes[i])];
            i += 1;
        }
        if classes & ID_DIGIT != 0 {
            w.push(b'#');
        } else {
            w.copy(&bytes[start..i]);
        }
    }
    w.finish();
}

/// Writes a mask into a buffer sized to the line (a mask is never longer
/// than its line), byte by byte through an index, and cuts it to length at
/// the end. WHY not `Vec::push`/`extend_from_slice`: under wasm every short
/// `extend_from_slice` is a `memory.copy`, which wasmtime runs as a call
/// out of the module, and most runs of a log line are a few bytes long.
struct MaskWriter<'a> {
    out: &'a mut Vec<u8>,
    len: usize,
}

impl<'a> MaskWriter<'a> {
    fn new(out: &'a mut Vec<u8>, line_len: usize) -> Self {
        out.clear();
        out.resize(line_len, 0);
        Self { out, len: 0 }
    }

    #[inline(always)]
    fn push(&mut self, b: u8) {
        self.out[self.len] = b;
        self.len += 1;
    }

    #[inline(always)]
    fn copy(&mut self, run: &[u8]) {
        for &b in run {
            self.push(b);
        }
    }

    fn finish(self) {
        self.out.truncate(self.len);
    }
}

/// `line` with its numbers masked, into `out` (cleared first): every run of
/// digits, and every word of six or more hex digits that has a digit (a
/// hash, a commit id), becomes `#`; a word is a run of letters, digits and
/// `_`. Finer than [`mask_ids_bytes`]: `user nagios1` and `user postgres1`,
/// `NodeCard NA` and `NodeCard N5` stay apart. Error lines are keyed this
/// way, so two errors share a line only when they differ in numbers alone.
pub fn mask_numbers_bytes(line: &str, out: &mut Vec<u8>) {
    let bytes = line.as_bytes();
    let mut w = MaskWriter::new(out, bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !is_word_byte(b) {
            w.push(b);
            i += 1;
            continue;
        }
        let start = i;
        let mut has_digit = false;
        let mut all_hex = true;
        while i < bytes.len() && is_word_byte(bytes[i]) {
            has_digit |= bytes[i].is_ascii_digit();
            all_hex &= bytes[i].is_ascii_hexdigit();
            i += 1;
        }
        let word = &bytes[start..i];
        if !has_digit {
            w.copy(word);
        } else if word.len() >= 6 && all_hex {
            w.push(b'#'); // a hex id
        } else {
            let mut in_digits = false;
            for &b in word {
                if b.is_ascii_digit() {
                    if !in_digits {
                        w.push(b'#');
                    }
                    in_digits = true;
                } else {
                    w.push(b);
                    in_digits = false;
                }
            }
        }
    }
    w.finish();
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Bytes that can be part of an id (letters, digits, `_ . : -`): non-zero,
/// with [`ID_DIGIT`] set for digits.
static ID_BYTE: [u8; 256] = {
    let mut table = [0; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_digit() {
            table[b] = ID_OTHER | ID_DIGIT;
        } else if c.is_ascii_alphabetic() || c == b'_' || c == b'.' || c == b':' || c == b'-' {
            table[b] = ID_OTHER;
        }
        b += 1;
    }
    table
};
const ID_OTHER: u8 = 1;
const ID_DIGIT: u8 = 2;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_errors_warnings_and_zero_counts() {
        assert_eq!(classify("error[E0308]: mismatched types"), Signal::Error);
        assert_eq!(
            classify("FAILED tests/test_x.py::test_a - AssertionError"),
            Signal::Error
        );
        assert_eq!(
            classify("thread 'main' panicked at src/main.rs:3:5"),
            Signal::Error
        );
        assert_eq!(
            classify("E   AttributeError: module 'x' has no attribute 'y'"),
            Signal::Error
        );
        assert_eq!(classify("java.lang.NullPointerException"), Signal::Error);
        assert_eq!(classify("npm ERR! code ENOENT"), Signal::Error);
        assert_eq!(classify("connect: Connection timed out"), Signal::Error);
        assert_eq!(classify("warning: unused variable `x`"), Signal::Warning);
        assert_eq!(
            classify("  /x/auth.py:45: DeprecationWarning: Non-string usernames"),
            Signal::Warning
        );
        assert_eq!(
            classify("test result: ok. 12 passed; 0 failed; 0 ignored"),
            Signal::None
        );
        assert_eq!(classify("Tests: 0 failures, errors=0"), Signal::None);
        assert_eq!(classify("Compiling serde v1.0.0"), Signal::None);
        assert_eq!(classify("Downloaded errno v0.3.9"), Signal::None);
    }

    #[test]
    fn flags_are_not_errors() {
        let running = "Running `rustc --crate-name x --error-format=json --cap-lints allow`";
        assert_eq!(classify(running), Signal::None);
        assert_eq!(classify("cargo test --no-fail-fast"), Signal::None);
        assert_eq!(
            classify("     Running `rustc --extern thiserror=/x/libthiserror.rlib`"),
            Signal::None
        );
        assert_eq!(
            classify("rustc '--warn=clippy::missing_panics_doc' --warn=clippy::unreachable"),
            Signal::None
        );
        assert_eq!(
            classify("error: unexpected argument '--fail-fast'"),
            Signal::Error
        );
    }

    #[test]
    fn level_columns_count_only_where_a_level_can_be() {
        assert_eq!(
            classify("03-17 16:13:47.150  1702 17633 E ActivityManager: Unknown type=0"),
            Signal::Error
        );
        assert_eq!(
            classify("03-17 16:13:47.150  1702 17633 W ActivityManager: slow"),
            Signal::Warning
        );
        assert_eq!(
            classify("2015-07-29 19:04:29,071 - WARN  [SendWorker:1] - leaving"),
            Signal::Warning
        );
        assert_eq!(
            classify("[Sun Dec 04 04:47:44 2005] [error] mod_jk child"),
            Signal::Error
        );
        assert_eq!(classify("I think W is a letter"), Signal::None);
    }

    #[test]
    fn summaries() {
        assert!(is_summary(
            "test result: ok. 10 passed; 0 failed; 0 ignored"
        ));
        assert!(is_summary(
            "= 4 failed, 615 passed, 15 skipped in 79.87s (0:01:19) ="
        ));
        assert!(is_summary("  1256 passing (4s)"));
        assert!(is_summary(
            "    Finished `dev` profile [unoptimized + debuginfo] target(s) in 22.42s"
        ));
        assert!(!is_summary("17/06/09 20:10:41 INFO 4 pending tasks"));
        assert!(!is_summary(""));
    }

    #[test]
    fn stack_frames() {
        assert!(looks_like_stack_frame("  File \"x.py\", line 3, in f"));
        assert!(looks_like_stack_frame("\tat a.b.C.run(C.java:12)"));
        assert!(looks_like_stack_frame(
            "    at Layer.handle (/x/layer.js:95:5)"
        ));
        assert!(looks_like_stack_frame("  12: std::panicking::begin_panic"));
        assert!(!looks_like_stack_frame("at the end of the day"));
    }

    #[test]
    fn templates_mask_numbers_and_ids() {
        assert_eq!(
            template("081109 203615 148 INFO blk_-160899 terminating"),
            template("081109 203807 222 INFO blk_38865049 terminating")
        );
        assert_eq!(template("a deadbeef12 b"), "a # b");
        assert_eq!(template("v1.2.3 at 0x7f30 →"), "v# at # →");
        assert_ne!(template("INFO open"), template("INFO close"));
    }

    #[test]
    fn id_masks_swallow_whole_ids() {
        let mut a = String::new();
        let mut b = String::new();
        mask_ids_into(
            "- 1123025954 R23-M0-N7 NULL HARDWARE SEVERE NodeCard at 0x0b85eee0",
            &mut a,
        );
        mask_ids_into(
            "- 1123030687 R00-M0-ND NULL HARDWARE SEVERE NodeCard at 0x11b3f3c0",
            &mut b,
        );
        assert_eq!(a, b);
        assert_eq!(a, "- # # NULL HARDWARE SEVERE NodeCard at #");
        mask_ids_into("Invalid user admin from 1.2.3.4", &mut b);
        assert_eq!(b, "Invalid user admin from #");
    }

    #[test]
    fn number_masks_keep_words_and_fold_numbers() {
        let mask = |line: &str| {
            let mut out = Vec::new();
            mask_numbers_bytes(line, &mut out);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(
            mask("Failed password for invalid user nagios1 from 187.141.143.180 port 43647"),
            "Failed password for invalid user nagios# from #.#.#.# port #"
        );
        assert_ne!(mask("user nagios1 from x"), mask("user postgres1 from x"));
        assert_ne!(mask("R20-M1-NA-C:J03 FATAL"), mask("R20-M1-N5-C:J03 FATAL"));
        assert_eq!(
            mask("commit 3f9a2c7b1e04 at 0x0b85eee0 in blk_-160899"),
            "commit # at #x#b#eee# in blk_-#"
        );
    }

    #[test]
    fn digit_masks_keep_words() {
        let mut out = String::new();
        mask_digits_into("sshd[24200]: user test9 from 52.80.34.196", &mut out);
        assert_eq!(out, "sshd[#]: user test# from #.#.#.#");
    }

    /// The one-pass scan finds exactly what `str::contains` finds, for every
    /// substring, at the start, middle and end of a line, cut short, and in
    /// pseudo-random mixes of their pieces.
    #[test]
    fn one_pass_scan_equals_contains() {
        let mut lines: Vec<String> = vec![String::new(), "e".into(), "err".into()];
        for (needle, _) in Found::ALL {
            lines.push(needle.to_string());
            lines.push(format!("x {needle} y"));
            lines.push(format!("ab{needle}"));
            lines.push(needle[..needle.len() - 1].to_string());
            lines.push(format!("{} ", &needle[..needle.len() - 1]));
        }
        let pieces = [
            "e",
            "er",
            "err",
            "or",
            "r",
            "!",
            "exit",
            " code",
            " status",
            "ed with",
            "xcept",
            "ion",
            "fa",
            "il",
            "tal",
            "pan",
            "ic",
            "trace",
            "back",
            "timed",
            " out",
            "war",
            "n",
            "deprec",
            "at",
            "short",
            " test",
            " summary",
            " ",
            "s",
            "t",
            "d",
            "w",
            "p",
            "ex",
            "it",
            "x",
            "y",
            "summar",
            "short test",
            "e!",
        ];
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..20_000 {
            let mut line = String::new();
            for _ in 0..(1 + state % 12) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                line.push_str(pieces[(state % pieces.len() as u64) as usize]);
            }
            lines.push(line);
        }
        for line in &lines {
            let bytes = line.as_bytes();
            let found = Found(Found::scan(bytes).0 | Found::scan_summary(bytes).0);
            for (needle, bit) in Found::ALL {
                assert_eq!(
                    found.any(bit),
                    line.contains(needle),
                    "{needle:?} in {line:?}"
                );
            }
        }
    }

    /// The masks' definitions, byte by byte: the run-based versions above
    /// must give the same bytes.
    fn reference_mask_ids(line: &str) -> Vec<u8> {
        let mut out = Vec::new();
        let mut token_start = 0;
        let mut in_token = false;
        let mut digit = false;
        for &b in line.as_bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-') {
                if !in_token {
                    in_token = true;
                    digit = false;
                    token_start = out.len();
                }
                digit |= b.is_ascii_digit();
                out.push(b);
            } else {
                if in_token && digit {
                    out.truncate(token_start);
                    out.push(b'#');
                }
                in_token = false;
                out.push(b);
            }
        }
        if in_token && digit {
            out.truncate(token_start);
            out.push(b'#');
        }
        out
    }

    fn reference_mask_numbers(line: &str) -> Vec<u8> {
        let mut out = Vec::new();
        let bytes = line.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if !is_word_byte(bytes[i]) {
                out.push(bytes[i]);
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && is_word_byte(bytes[i]) {
                i += 1;
            }
            let word = &bytes[start..i];
            if word.len() >= 6
                && word.iter().all(u8::is_ascii_hexdigit)
                && word.iter().any(u8::is_ascii_digit)
            {
                out.push(b'#');
                continue;
            }
            let mut in_digits = false;
            for &b in word {
                if b.is_ascii_digit() {
                    if !in_digits {
                        out.push(b'#');
                    }
                    in_digits = true;
                } else {
                    out.push(b);
                    in_digits = false;
                }
            }
        }
        out
    }

    #[test]
    fn masks_equal_their_byte_by_byte_definitions_on_the_corpus() {
        let mut masked = Vec::new();
        let mut lines = 0;
        for (rel, text) in crate::tokens::tests::corpus() {
            for line in text.lines() {
                mask_ids_bytes(line, &mut masked);
                assert_eq!(masked, reference_mask_ids(line), "{rel}: {line:?}");
                mask_numbers_bytes(line, &mut masked);
                assert_eq!(masked, reference_mask_numbers(line), "{rel}: {line:?}");
                lines += 1;
            }
        }
        assert!(lines > 10_000, "only {lines} corpus lines");
    }

    /// Lines without the start of an error word skip the word check, so
    /// every error word must start with one of the scanned prefixes.
    #[test]
    fn every_error_word_starts_with_a_scanned_prefix() {
        for word in ERROR_WORDS {
            assert!(
                Found::scan(word.as_bytes()).any(Found::ERROR_WORD_START),
                "{word}"
            );
            // Past the level column, so only the word check can see it.
            let line = format!("one two three four five six seven {word}");
            assert_eq!(classify(&line), Signal::Error, "{line}");
        }
    }
}
