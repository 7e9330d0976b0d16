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

/// Phrases that make a line an error (`npm ERR!`, `Connection timed out`).
const ERROR_PHRASES: &[&str] = &["err!", "timed out"];

/// Single-token log levels that mark a line as an error or a warning when
/// they stand in the level column (`E`, `ERROR`, `[error]`, `<E>`).
const ERROR_LEVELS: &[&str] = &[
    "e", "f", "err", "error", "fatal", "crit", "critical", "severe", "emerg", "alert",
];
const WARNING_LEVELS: &[&str] = &["w", "warn", "warning"];

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
    if has_error_stem(lower)
        || is_error_code_line(line)
        || ERROR_PHRASES.iter().any(|p| lower.contains(p))
        || has_error_word(lower)
    {
        return Signal::Error;
    }
    match level_of(lower) {
        Some(Signal::Error) => return Signal::Error,
        Some(Signal::Warning) => return Signal::Warning,
        _ => {}
    }
    if has_counted(lower, "warn") || has_counted(lower, "deprecat") {
        return Signal::Warning;
    }
    Signal::None
}

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

fn has_error_stem(lower: &str) -> bool {
    ERROR_STEMS.iter().any(|stem| has_counted(lower, stem))
}

/// True when `stem` occurs in `lower` at least once in a way that counts: not
/// inside a command-line flag (`--error-format=json`), not as a count of zero
/// (`0 failed`, `errors=0`).
fn has_counted(lower: &str, stem: &str) -> bool {
    if !lower.contains(stem) {
        return false;
    }
    lower
        .match_indices(stem)
        .any(|(at, _)| !in_flag(lower, at) && !is_zero_count(lower, at, stem.len()))
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
        if word.len() >= 5 && ERROR_WORDS.contains(&word) && !in_flag(lower, start) {
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
        let bare = bare.split('/').next().unwrap_or(bare);
        let single = bare.len() == 1;
        // One-letter levels only count where a level column can be: after a
        // number (pid/tid/time), or as `E/Tag` in logcat's brief format.
        let one_letter_ok =
            !single || prev_numeric || (i == 0 && token.len() > 1 && token.as_bytes()[1] == b'/');
        if one_letter_ok && ERROR_LEVELS.contains(&bare) {
            return Some(Signal::Error);
        }
        if one_letter_ok && WARNING_LEVELS.contains(&bare) {
            return Some(Signal::Warning);
        }
        prev_numeric = token.bytes().last().is_some_and(|b| b.is_ascii_digit());
    }
    None
}

/// True when `word` occurs in `lower` not surrounded by letters.
pub fn contains_word(lower: &str, word: &str) -> bool {
    let bytes = lower.as_bytes();
    lower.match_indices(word).any(|(at, _)| {
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
fn is_error_code_line(line: &str) -> bool {
    line.starts_with("error[") || line.contains(": error:") || line.starts_with("E  ")
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
        || t.contains("exit code")
        || t.contains("exit status")
        || t.contains("exited with")
        || t.starts_with("build succeeded")
        || t.starts_with("build failed")
        || t.starts_with("[info] build ")
        || t.starts_with("added ") && t.contains(" package")
        || t.starts_with("npm err!")
        || t.starts_with("npm error")
        || t.starts_with("npm info ok")
        || t.starts_with("npm verbose exit")
        || t.starts_with("error: could not compile")
        || t.contains("short test summary")
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
    out.clear();
    out.reserve(line.len());
    let mut token_start = 0;
    let mut in_token = false;
    let mut digit = false;
    for &b in line.as_bytes() {
        if ID_BYTE[b as usize] {
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
}

/// `line` with its numbers masked, into `out` (cleared first): every run of
/// digits, and every word of six or more hex digits that has a digit (a
/// hash, a commit id), becomes `#`; a word is a run of letters, digits and
/// `_`. Finer than [`mask_ids_bytes`]: `user nagios1` and `user postgres1`,
/// `NodeCard NA` and `NodeCard N5` stay apart. Error lines are keyed this
/// way, so two errors share a line only when they differ in numbers alone.
pub fn mask_numbers_bytes(line: &str, out: &mut Vec<u8>) {
    out.clear();
    out.reserve(line.len());
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
        let hex_id = word.len() >= 6
            && word.iter().all(u8::is_ascii_hexdigit)
            && word.iter().any(u8::is_ascii_digit);
        if hex_id {
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
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Bytes that can be part of an id: letters, digits, `_ . : -`.
static ID_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b':' || c == b'-';
        b += 1;
    }
    table
};

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
}
