//! What matters in a line: errors, failures, warnings, summaries; and the
//! template of a line (the line with numbers, ids and timestamps masked), so
//! lines that differ only in those can be collapsed into one with a count.

/// Severity of a line, as far as keeping it is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Signal {
    None,
    Warning,
    Error,
}

const ERROR_WORDS: &[&str] = &[
    "error", "errors", "failed", "failure", "failures", "fail", "fatal", "panic", "panicked", "exception",
    "traceback", "critical", "severe", "abort", "aborted", "segfault", "denied", "refused", "unreachable",
    "timeout", "timed out", "killed", "crash", "crashed", "errno", "err!", "e!",
];

/// Classify a line. Word-boundary matching avoids `errors=0`-style noise only
/// where it is cheap to; when in doubt a line counts as an error (keeping a
/// line costs a few tokens, losing an error costs the user).
pub fn classify(line: &str) -> Signal {
    let lower = line.to_ascii_lowercase();
    if has_error_word(&lower) || looks_like_stack_frame(line) || is_error_code_line(line) {
        if is_zero_count(&lower) {
            return Signal::None;
        }
        return Signal::Error;
    }
    if contains_word(&lower, "warning") || contains_word(&lower, "warn") || contains_word(&lower, "deprecated") {
        return Signal::Warning;
    }
    Signal::None
}

fn has_error_word(lower: &str) -> bool {
    ERROR_WORDS.iter().any(|w| contains_word(lower, w))
}

/// `0 failed`, `failures: 0`, `errors=0`: reporting the absence of errors.
fn is_zero_count(lower: &str) -> bool {
    let bad = ["failed", "failures", "errors", "error"];
    let nonzero_mention = bad.iter().any(|w| {
        let mut rest = lower;
        while let Some(pos) = rest.find(w) {
            let before = rest[..pos].trim_end_matches([' ', ':', '=']);
            let after = rest[pos + w.len()..].trim_start_matches([' ', ':', '=']);
            let zero_before = before.ends_with(" 0") || before == "0" || before.ends_with("(0");
            let zero_after = after.starts_with('0') && !after[1..].starts_with(|c: char| c.is_ascii_digit());
            if !(zero_before || zero_after) {
                return true;
            }
            rest = &rest[pos + w.len()..];
        }
        false
    });
    !nonzero_mention && bad.iter().any(|w| lower.contains(w))
}

/// True when `word` occurs in `lower` not surrounded by letters.
pub fn contains_word(lower: &str, word: &str) -> bool {
    let bytes = lower.as_bytes();
    let mut start = 0;
    while let Some(pos) = lower[start..].find(word) {
        let at = start + pos;
        let end = at + word.len();
        let before_ok = at == 0 || !bytes[at - 1].is_ascii_alphabetic();
        let after_ok = end >= bytes.len() || !bytes[end].is_ascii_alphabetic();
        if before_ok && after_ok {
            return true;
        }
        start = at + 1;
        if start >= lower.len() {
            break;
        }
    }
    false
}

/// Stack frames: Python `  File "x.py", line 3`, JVM `\tat a.b.C(C.java:1)`,
/// Rust/Go `   0: ` frames are kept with the error they belong to.
pub fn looks_like_stack_frame(line: &str) -> bool {
    let t = line.trim_start();
    (t.starts_with("File \"") && t.contains(", line "))
        || (t.starts_with("at ") && (t.contains(".java:") || t.contains(".js:") || t.contains(".ts:") || t.contains("(<")))
}

/// Compiler diagnostics such as `error[E0308]:` or `src/x.c:3:1: error:`.
fn is_error_code_line(line: &str) -> bool {
    line.starts_with("error[") || line.contains(": error:") || line.contains(": fatal error:")
}

/// A summary line worth always keeping: test totals, build results, exit codes.
pub fn is_summary(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    let t = lower.trim();
    t.starts_with("test result:")
        || (t.starts_with('=') && (t.contains(" passed") || t.contains(" failed") || t.contains(" error")))
        || t.starts_with("finished ")
        || t.starts_with("tests:")
        || t.starts_with("test suites:")
        || t.contains(" passing (")
        || t.ends_with(" passing")
        || t.contains(" failing")
        || t.contains(" pending")
        || t.contains("exit code")
        || t.contains("exited with")
        || t.starts_with("build succeeded")
        || t.starts_with("build failed")
        || t.starts_with("added ") && t.contains(" packages")
        || t.starts_with("npm err!")
        || t.starts_with("short test summary")
}

/// The template of a line: digits, hex ids, and quoted/bracketed numbers
/// masked, so `blk_123 terminating` and `blk_456 terminating` share one.
pub fn template(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    let mut last_masked = false;
    let mut prev = ' ';
    while let Some(c) = chars.next() {
        let signed = c == '-' && !prev.is_ascii_alphanumeric() && chars.peek().is_some_and(char::is_ascii_digit);
        prev = c;
        if c.is_ascii_digit() || signed {
            // Swallow the whole token of digits, hex letters and separators
            // typical of ids, times and addresses.
            while let Some(&n) = chars.peek() {
                if n.is_ascii_hexdigit() || matches!(n, '.' | ':' | '-' | '_' | 'x' | 'X') {
                    chars.next();
                } else {
                    break;
                }
            }
            if !last_masked {
                out.push('#');
            }
            last_masked = true;
        } else {
            out.push(c);
            last_masked = false;
        }
    }
    mask_hex_words(&out)
}

/// Mask words that are long hex strings (commit ids, uuids without digits
/// first are rare, but 7+ hex chars with a digit were already masked).
fn mask_hex_words(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            if w.len() >= 8 && w.bytes().all(|b| b.is_ascii_hexdigit() || b == b'#' || b == b'-') {
                "#"
            } else {
                w
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_errors_warnings_and_zero_counts() {
        assert_eq!(classify("error[E0308]: mismatched types"), Signal::Error);
        assert_eq!(classify("FAILED tests/test_x.py::test_a - AssertionError"), Signal::Error);
        assert_eq!(classify("thread 'main' panicked at src/main.rs:3:5"), Signal::Error);
        assert_eq!(classify("warning: unused variable `x`"), Signal::Warning);
        assert_eq!(classify("test result: ok. 12 passed; 0 failed; 0 ignored"), Signal::None);
        assert_eq!(classify("Compiling serde v1.0.0"), Signal::None);
        assert_eq!(classify("terrorist"), Signal::None);
    }

    #[test]
    fn templates_mask_numbers_and_ids() {
        assert_eq!(
            template("081109 203615 148 INFO blk_-160899 terminating"),
            template("081109 203807 222 INFO blk_38865049 terminating")
        );
        assert_ne!(template("INFO open"), template("INFO close"));
    }
}
