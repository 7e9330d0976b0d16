//! An independent check that compression kept what matters: every distinct
//! error/failure line, and the name of every failing test.
//!
//! This deliberately does not use `headroom_core::signals`: a check that
//! shares the engine's definition of "error" would agree with the engine's
//! mistakes. It follows its own, simpler rules, written from the product
//! promise rather than from the implementation.

use std::collections::{BTreeMap, BTreeSet};

/// Words that make a line an error/failure line (matched case-insensitively,
/// as whole words: `_` counts as part of a word, like regex `\b`).
/// `panicked` is how Rust reports a panic (`thread 'main' panicked at`).
const KEYWORDS: &[&str] = &[
    "error",
    "exception",
    "fatal",
    "panic",
    "panicked",
    "traceback",
    "failed",
    "failure",
    "fail",
];

/// Exception class names (`TypeError`, `IOException`) also count: they are
/// how Python, Java and JS report errors, and they are not separate words.
const CLASS_SUFFIXES: &[&str] = &["Error", "Exception"];

/// The ` [×N]` suffix a collapsed line carries, removed.
pub fn strip_repeat_suffix(line: &str) -> &str {
    if let Some((head, tail)) = line.rsplit_once(" [×") {
        if let Some(digits) = tail.strip_suffix(']') {
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                return head;
            }
        }
    }
    line
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Words of a line with their byte offsets.
fn words(line: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = line.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() && !is_word_byte(bytes[i]) {
            i += 1;
        }
        if i >= bytes.len() {
            return None;
        }
        let start = i;
        while i < bytes.len() && is_word_byte(bytes[i]) {
            i += 1;
        }
        Some((start, &line[start..i]))
    })
}

fn is_keyword(word: &str) -> bool {
    KEYWORDS.iter().any(|k| word.eq_ignore_ascii_case(k))
        || CLASS_SUFFIXES.iter().any(|suffix| {
            word.strip_suffix(suffix)
                .and_then(|stem| stem.as_bytes().last())
                .is_some_and(|b| b.is_ascii_alphabetic())
        })
}

/// True when the keyword at `at` is a zero count such as `0 failed`.
fn is_zero_count(line: &str, at: usize) -> bool {
    let before = line[..at].trim_end_matches(' ');
    let Some(rest) = before.strip_suffix('0') else {
        return false;
    };
    before.len() < at
        && !rest.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '.' || c == '_')
}

/// True when the keyword `word` at `at` is part of a flag or a hyphenated
/// name (`--error-format=json`, `feature="error-context"`, `error-pages`):
/// a build log echoing a command or a suite title, not an error.
fn is_compound(line: &str, at: usize, word: &str) -> bool {
    let after = &line[at + word.len()..];
    line[..at].ends_with("--")
        || after
            .strip_prefix('-')
            .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_alphabetic()))
}

/// True when `line` reports a passing test (`✔ handles errors`,
/// `test error_path ... ok`, `t.py::test[error] PASSED`): its title may
/// mention errors, but nothing failed.
fn is_pass_line(line: &str) -> bool {
    let t = line.trim();
    t.starts_with(['✔', '✓', '√'])
        || t.starts_with("ok ")
        || t.starts_with("PASS ")
        || t.ends_with(" ... ok")
        || t.split_whitespace().nth(1) == Some("PASSED")
}

/// True when `line` is a section title framed by runs of `_` or `=`
/// (pytest's `____ ERROR at setup of test_x ____`, `==== FAILURES ====`):
/// a heading over a report, not an error message. The failing test it names
/// is checked by `missing_test_names`, so a compressor may fold such titles.
/// A framed tally (`== 4 failed, 615 passed in 79s ==`) is the run's
/// verdict, not a heading, and still counts.
fn is_framed_heading(line: &str) -> bool {
    let t = line.trim();
    let framed = ['_', '='].into_iter().any(|c| {
        let inner = t.trim_matches(c);
        t.starts_with(c)
            && t.ends_with(c)
            && inner.starts_with(' ')
            && inner.ends_with(' ')
            && !inner.trim().is_empty()
    });
    let is_tally = words(t).any(|(at, word)| {
        is_keyword(word)
            && t[..at]
                .trim_end_matches(' ')
                .ends_with(|c: char| c.is_ascii_digit())
    });
    framed && !is_tally
}

/// True when `line` reports an error or failure.
pub fn is_error_line(line: &str) -> bool {
    !is_pass_line(line)
        && !is_framed_heading(line)
        && words(line).any(|(at, word)| {
            is_keyword(word) && !is_zero_count(line, at) && !is_compound(line, at, word)
        })
}

/// The shape of a line: runs of digits become `#`, and so do hex ids
/// (words of 6+ hex digits containing a digit). Two lines with the same shape
/// may be collapsed into one with a ` [×N]` count.
pub fn normalize(line: &str) -> String {
    let line = strip_repeat_suffix(line).trim_end();
    let mut out = String::with_capacity(line.len());
    let mut last = 0;
    for (start, word) in words(line) {
        out.push_str(&line[last..start]);
        last = start + word.len();
        let is_hex_id = word.len() >= 6
            && word.bytes().all(|b| b.is_ascii_hexdigit())
            && word.bytes().any(|b| b.is_ascii_digit());
        if is_hex_id {
            out.push('#');
            continue;
        }
        let mut in_digits = false;
        for c in word.chars() {
            if c.is_ascii_digit() {
                if !in_digits {
                    out.push('#');
                }
                in_digits = true;
            } else {
                out.push(c);
                in_digits = false;
            }
        }
    }
    out.push_str(&line[last..]);
    out
}

/// Distinct error lines of `text`: normalized shape -> first line with it.
pub fn error_lines<'a>(lines: impl IntoIterator<Item = &'a str>) -> BTreeMap<String, &'a str> {
    let mut found = BTreeMap::new();
    for line in lines {
        if is_error_line(line) {
            found.entry(normalize(line)).or_insert(line);
        }
    }
    found
}

/// Error lines of `input` whose shape is missing from `output_lines` (one
/// example line per missing shape). `output_lines` are compared after
/// removing ` [×N]` suffixes.
pub fn missing_error_lines<'a, 'b>(
    input: &'a str,
    output_lines: impl IntoIterator<Item = &'b str>,
) -> Vec<&'a str> {
    let kept: BTreeSet<String> = output_lines.into_iter().map(normalize).collect();
    error_lines(input.lines())
        .into_iter()
        .filter(|(shape, _)| !kept.contains(shape))
        .map(|(_, line)| line)
        .collect()
}

/// Every string value (not key) of a JSON document, recursively.
pub fn json_strings(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| json_strings(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| json_strings(v, out)),
        _ => {}
    }
}

/// Error strings of a JSON `input` whose shape is missing among the string
/// values of `output` (JSON compaction rewrites lines, but values survive).
pub fn missing_json_errors(input: &serde_json::Value, output: &serde_json::Value) -> Vec<String> {
    let (mut ins, mut outs) = (Vec::new(), Vec::new());
    json_strings(input, &mut ins);
    json_strings(output, &mut outs);
    let kept: BTreeSet<String> = outs.iter().map(|s| normalize(s)).collect();
    let wanted = error_lines(ins.iter().map(String::as_str));
    wanted
        .into_iter()
        .filter(|(shape, _)| !kept.contains(shape))
        .map(|(_, s)| s.to_string())
        .collect()
}

/// How many distinct error shapes `input` has, and how many of them
/// `output` kept. JSON is compared by string values when both sides parse
/// (compaction rewrites its lines), everything else by lines.
pub fn error_counts(input: &str, output: &str) -> (usize, usize) {
    let as_json = |t: &str| serde_json::from_str::<serde_json::Value>(t).ok();
    if let (Some(i), Some(o)) = (as_json(input), as_json(output)) {
        let mut strings = Vec::new();
        json_strings(&i, &mut strings);
        let total = error_lines(strings.iter().map(String::as_str)).len();
        return (total, total - missing_json_errors(&i, &o).len());
    }
    let total = error_lines(input.lines()).len();
    (
        total,
        total - missing_error_lines(input, output.lines()).len(),
    )
}

/// Names of failing/erroring tests in a test runner's output: pytest
/// (`FAILED a.py::t`, `ERROR a.py::t`, `-v` lines `a.py::t FAILED`), cargo
/// (`test a::b ... FAILED`), go (`--- FAIL: TestX`), jest (`● Suite › t`) and
/// mocha (numbered `1) title` lines, when the run reports failures).
pub fn failing_test_names(text: &str) -> BTreeSet<String> {
    let mocha_failed = text.lines().any(|l| {
        let t = l.trim();
        t.ends_with(" failing")
            && t.split(' ')
                .next()
                .is_some_and(|n| n.parse::<u32>().is_ok_and(|n| n > 0))
    });
    let mut names = BTreeSet::new();
    for line in text.lines() {
        let t = line.trim();
        let mut tokens = t.split_whitespace();
        let first = tokens.next().unwrap_or("");
        let second = tokens.next().unwrap_or("");
        let is_pytest_id = |s: &str| s.contains("::") || s.ends_with(".py");
        if (first == "FAILED" || first == "ERROR") && is_pytest_id(second) {
            names.insert(second.to_string());
        } else if (second == "FAILED" || second == "ERROR") && first.contains("::") {
            names.insert(first.to_string());
        } else if let Some(name) = t
            .strip_prefix("test ")
            .and_then(|r| r.strip_suffix(" ... FAILED"))
        {
            names.insert(name.to_string());
        } else if let Some(rest) = t.strip_prefix("--- FAIL: ") {
            names.insert(rest.split(" (").next().unwrap_or(rest).to_string());
        } else if let Some(rest) = t.strip_prefix("● ") {
            names.insert(rest.to_string());
        } else if mocha_failed {
            if let Some((n, title)) = t.split_once(") ") {
                if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) {
                    names.insert(title.to_string());
                }
            }
        }
    }
    names
}

/// Failing test names of `input` that do not appear verbatim in `output`.
pub fn missing_test_names(input: &str, output: &str) -> Vec<String> {
    failing_test_names(input)
        .into_iter()
        .filter(|name| !output.contains(name.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_lines_are_words_not_substrings() {
        assert!(is_error_line("2024-01-01 ERROR boom"));
        assert!(is_error_line("thread 'main' panicked at src/x.rs:1:2"));
        assert!(is_error_line("thread 'main' panic: oh"));
        assert!(is_error_line("E   AttributeError: module has no attribute"));
        assert!(is_error_line("Traceback (most recent call last):"));
        assert!(is_error_line("FAIL src/a.test.js"));
        assert!(is_error_line("java.io.IOException: closed"));
        assert!(
            !is_error_line("def test_error_handler():"),
            "`_` joins words"
        );
        assert!(!is_error_line("errors = []"), "plural is another word");
        assert!(!is_error_line("Err(e) => return None,"));
        assert!(
            !is_error_line("Errors and Exceptions"),
            "capitalised plural words are not class names"
        );
    }

    #[test]
    fn passing_tests_and_flags_are_not_errors() {
        assert!(!is_error_line("      ✔ should handle render error throws"));
        assert!(!is_error_line("test parse::error_path ... ok"));
        assert!(!is_error_line("tests/t.py::test_x[error] PASSED [ 10%]"));
        assert!(is_error_line("tests/t.py::test_x[error] FAILED [ 10%]"));
        assert!(!is_error_line(
            "Running `rustc --crate-name x --error-format=json`"
        ));
        assert!(is_error_line("error: could not compile `x`"));
    }

    #[test]
    fn framed_titles_are_headings_but_their_tests_are_still_required() {
        let title = "_________________ ERROR at setup of test_basic_url_generation ____";
        assert!(!is_error_line(title));
        assert!(!is_error_line("_ ERROR at setup of test_x _"));
        assert!(!is_error_line(
            "==================== FAILURES ===================="
        ));
        assert!(!is_error_line("___ ERROR collecting tests/test_cli.py ___"));
        assert!(is_error_line(
            "= 4 failed, 615 passed, 15 skipped, 1 xfailed in 79.87s (0:01:19) ="
        ));
        assert!(is_error_line("== 2 failed, 30 errors in 1.00s =="));
        assert!(is_error_line("==ERROR at setup=="), "a frame is spaced");
        assert!(is_error_line("E   AttributeError: no 'notset' ___"));
        let summary =
            "ERROR tests/test_appctx.py::test_basic_url_generation - AttributeError: m...";
        let input = format!("{title}\nE   AttributeError: x\n{summary}\n");
        assert_eq!(
            missing_error_lines(&input, ["E   AttributeError: x", summary]),
            Vec::<&str>::new()
        );
        assert_eq!(
            missing_test_names(&input, "E   AttributeError: x\n"),
            vec!["tests/test_appctx.py::test_basic_url_generation".to_string()]
        );
        assert!(missing_test_names(&input, summary).is_empty());
    }

    #[test]
    fn zero_counts_are_not_failures() {
        assert!(!is_error_line(
            "test result: ok. 3 passed; 0 failed; 0 ignored"
        ));
        assert!(is_error_line("test result: FAILED. 2 passed; 1 failed"));
        assert!(is_error_line("1 failed, 0 errors"));
        assert!(is_error_line("build 10 failed"), "10 is not a zero count");
        assert!(
            is_error_line("v1.0 failed to start"),
            "a version is not a count"
        );
    }

    #[test]
    fn normalize_masks_numbers_and_ids_and_repeat_suffix() {
        assert_eq!(
            normalize("2024-01-02 ERROR blk_-1608999687919862906 x9y [×12]"),
            "#-#-# ERROR blk_-# x#y"
        );
        assert_eq!(
            normalize("id=3f9a2c7b1e04 deadbeef cafe12"),
            "id=# deadbeef #"
        );
        assert_eq!(
            normalize("at foo.bar(Main.java:42)  "),
            "at foo.bar(Main.java:#)"
        );
        assert_eq!(strip_repeat_suffix("x [×3]"), "x");
        assert_eq!(strip_repeat_suffix("x [×]"), "x [×]");
    }

    #[test]
    fn missing_error_lines_reports_lost_shapes_only() {
        let input = "ok\nERROR disk 1 full\nERROR disk 2 full\nFATAL net down\n";
        assert!(
            missing_error_lines(input, "ERROR disk 7 full [×2]\nFATAL net down".lines()).is_empty()
        );
        assert_eq!(
            missing_error_lines(input, "ERROR disk 1 full".lines()),
            vec!["FATAL net down"]
        );
    }

    #[test]
    fn error_counts_pick_lines_or_json_values() {
        assert_eq!(error_counts("ERROR a\nERROR b\nok\n", "ERROR a\n"), (2, 1));
        assert_eq!(
            error_counts(r#"{"e":"fatal: x","f":"fatal: y"}"#, r#"{"e":"fatal: x"}"#),
            (2, 1)
        );
    }

    #[test]
    fn json_errors_are_checked_on_values() {
        let input: serde_json::Value =
            serde_json::from_str(r#"[{"m":"Validation Failed","id":1},{"m":"fine"}]"#).unwrap();
        let kept: serde_json::Value =
            serde_json::from_str(r#"{"rows":[["Validation Failed",1]]}"#).unwrap();
        let lost: serde_json::Value = serde_json::from_str(r#"{"rows":[["fine",2]]}"#).unwrap();
        assert!(missing_json_errors(&input, &kept).is_empty());
        assert_eq!(
            missing_json_errors(&input, &lost),
            vec!["Validation Failed".to_string()]
        );
    }

    #[test]
    fn failing_test_names_from_each_runner() {
        let pytest =
            "FAILED tests/t.py::T::a[x0] - boom\nERROR tests/t.py\ntests/t.py::b FAILED [ 50%]\n";
        let names: Vec<String> = failing_test_names(pytest).into_iter().collect();
        assert_eq!(
            names,
            vec!["tests/t.py", "tests/t.py::T::a[x0]", "tests/t.py::b"]
        );
        let cargo = "test a::b ... ok\ntest a::c ... FAILED\n--- FAIL: TestX (0.00s)\n";
        let names: Vec<String> = failing_test_names(cargo).into_iter().collect();
        assert_eq!(names, vec!["TestX", "a::c"]);
        let mocha_ok = "  1) not a failure list\n  3 passing\n";
        assert!(failing_test_names(mocha_ok).is_empty());
        let mocha = "  1) should work\n  1 passing\n  1 failing\n\n  1) Route\n";
        assert_eq!(failing_test_names(mocha).len(), 2);
        assert_eq!(
            missing_test_names(cargo, "a::c FAILED"),
            vec!["TestX".to_string()]
        );
    }
}
