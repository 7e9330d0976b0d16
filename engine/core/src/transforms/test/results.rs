//! What a line of test-runner output says about a test: passed, failed, or
//! the header of a failure's report. Shared by the router (is this test
//! output?) and the `test` transform (what to drop, what to pin).
//!
//! Runners covered: pytest (`-v` and progress dots), cargo test, go test,
//! jest, mocha (spec reporter), and anything printing `✔`/`✓` per test.

/// What one line reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// A test that passed: safe to drop, counted in the gap line.
    Pass,
    /// A failing or erroring test's name: always kept verbatim.
    Fail,
    /// The title of a failure's report (pytest's `____ test_x ____`, go's
    /// `--- FAIL: TestX`, jest's `● Suite › test`, cargo's `---- x stdout
    /// ----`) or of the section holding them (`=== FAILURES ===`): kept, and
    /// the lines under it are the report of that failure.
    Header,
    /// A progress line of pytest dots (`tests/x.py ....s..  [ 12%]`).
    Progress,
    /// What a go test printed (`    parse_test.go:25: expected 5, got 6`):
    /// go prints it before the test's `--- FAIL:` line, and it is the only
    /// account of why the test failed.
    Message,
}

/// What `line` reports, if it is a test result at all.
pub fn verdict(line: &str) -> Option<Verdict> {
    let t = line.trim();
    if t.is_empty() {
        return None;
    }
    if is_pass(t) {
        return Some(Verdict::Pass);
    }
    if is_fail(t) {
        return Some(Verdict::Fail);
    }
    if is_header(t) {
        return Some(Verdict::Header);
    }
    if is_progress(t) {
        return Some(Verdict::Progress);
    }
    if is_go_message(t) {
        return Some(Verdict::Message);
    }
    None
}

/// `parse_test.go:25: expected 5, got 6`: a go test's `t.Error`/`t.Log`.
fn is_go_message(t: &str) -> bool {
    let Some((file, rest)) = t.split_once("_test.go:") else {
        return false;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    !file.contains(' ') && digits > 0 && rest[digits..].starts_with(": ")
}

/// `✔ title`, `test a::b ... ok`, `t.py::x PASSED [ 5%]`, `--- PASS: TestX`,
/// jest's `PASS src/a.test.js`.
fn is_pass(t: &str) -> bool {
    t.starts_with(['✔', '✓', '√'])
        || t.starts_with("test ") && t.ends_with(" ... ok")
        || t.starts_with("--- PASS: ")
        || t.starts_with("PASS ") && looks_like_path(&t[5..])
        || word_after_test_id(t) == Some("PASSED")
}

/// `FAILED t.py::x - msg`, `ERROR t.py::x`, `t.py::x FAILED [ 5%]`,
/// `test a::b ... FAILED`, jest's `FAIL src/a.test.js`, `✗`/`✕`/`✖` marks.
fn is_fail(t: &str) -> bool {
    let mut tokens = t.split_whitespace();
    let first = tokens.next().unwrap_or("");
    let second = tokens.next().unwrap_or("");
    (matches!(first, "FAILED" | "ERROR") && is_test_id(second))
        || matches!(word_after_test_id(t), Some("FAILED" | "ERROR"))
        || t.starts_with("test ") && t.ends_with(" ... FAILED")
        || t.starts_with(['✗', '✕', '✖'])
        || t.starts_with("FAIL ") && looks_like_path(&t[5..])
}

/// Report titles: pytest's `____ test_x ____`, `___ ERROR at setup of x ___`
/// and its banners `==== FAILURES ====`, `==== ERRORS ====`; go's
/// `--- FAIL: TestX (0.01s)`; jest's `● Suite › test`; cargo's
/// `---- tests::x stdout ----`.
fn is_header(t: &str) -> bool {
    if t.starts_with("--- FAIL: ")
        || t.starts_with("● ")
        || t.starts_with("---- ") && t.ends_with(" stdout ----")
    {
        return true;
    }
    let framed = |c: char| {
        t.len() > 8
            && t.starts_with(c)
            && t.ends_with(c)
            && t.trim_matches(c).starts_with(' ')
            && t.trim_matches(c).ends_with(' ')
    };
    framed('_') || framed('=') && ["FAILURES", "ERRORS"].contains(&t.trim_matches('=').trim())
}

/// `tests/test_x.py ....s.x  [ 12%]` or a continuation `........ [ 23%]`:
/// one character per test, none of them a failure.
fn is_progress(t: &str) -> bool {
    progress_marks(t).is_some_and(|marks| {
        marks
            .bytes()
            .all(|b| matches!(b, b'.' | b's' | b'x' | b'X'))
    })
}

/// A pytest progress line whose marks include failures or errors
/// (`tests/test_views.py EEEE.F  [ 96%]`). Its `E`s and `F`s are tests
/// whose names the reports and the short summary give; the line itself is
/// only a tally (and a file named `test_user_error_handler.py` must not
/// make it read as an error line).
pub fn is_failing_progress(line: &str) -> bool {
    progress_marks(line.trim()).is_some_and(|marks| {
        marks.bytes().any(|b| matches!(b, b'E' | b'F'))
            && marks
                .bytes()
                .all(|b| matches!(b, b'.' | b's' | b'x' | b'X' | b'E' | b'F'))
    })
}

/// The marks of a pytest progress line (`....s.x` in
/// `tests/test_x.py ....s.x  [ 12%]`), if `t` is one.
fn progress_marks(t: &str) -> Option<&str> {
    let body = t.strip_suffix(']')?;
    let (marks, percent) = body.rsplit_once('[')?;
    let percent = percent.trim();
    if !percent.ends_with('%')
        || !percent[..percent.len() - 1]
            .bytes()
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let marks = marks.trim_end();
    let marks = match marks.split_once(' ') {
        Some((path, rest)) if path.ends_with(".py") => rest.trim(),
        _ => marks,
    };
    (!marks.is_empty()).then_some(marks)
}

/// mocha's `  3 failing` total, with a count above zero: the run's
/// numbered lines (`1) title`) then name failures.
pub fn is_mocha_failing(line: &str) -> bool {
    let t = line.trim();
    t.strip_suffix(" failing")
        .and_then(|n| n.parse::<u32>().ok())
        .is_some_and(|n| n > 0)
}

/// mocha's numbered failure line, `  1) Suite` or `    2) should work`.
pub fn is_mocha_numbered(line: &str) -> bool {
    let t = line.trim_start();
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && t[digits..].starts_with(") ")
}

/// Reads cargo's closing list of failed tests, line by line:
///
/// ```text
/// failures:
///     parse::case_7
///     parse::case_8
/// ```
///
/// (the first `failures:` section holds the reports, not names).
#[derive(Debug, Default)]
pub struct FailureList {
    open: bool,
}

impl FailureList {
    /// True when `line` is a name in the list (call once per line, in order).
    pub fn names(&mut self, line: &str) -> bool {
        if line.trim_end() == "failures:" {
            self.open = true;
            return false;
        }
        let name = line.strip_prefix("    ").unwrap_or("");
        let is_name = self.open
            && !name.is_empty()
            && !name.contains(char::is_whitespace)
            && !name.starts_with('-');
        self.open = is_name;
        is_name
    }
}

/// The pytest node id a failing line names: `tests/t.py::T::x[a b]` in
/// `FAILED tests/t.py::T::x[a b] - msg`, `ERROR tests/t.py` or
/// `tests/t.py::x FAILED [ 5%]`.
pub fn failing_id(line: &str) -> Option<&str> {
    let t = line.trim();
    for word in ["FAILED ", "ERROR "] {
        if let Some(rest) = t.strip_prefix(word) {
            let id = rest.split(" - ").next().unwrap_or(rest).trim_end();
            return is_test_id(id).then_some(id);
        }
    }
    let word = word_after_test_id(t)?;
    if !matches!(word, "FAILED" | "ERROR") {
        return None;
    }
    let body = t
        .strip_suffix(']')
        .and_then(|b| b.rsplit_once(" ["))
        .map_or(t, |(b, _)| b);
    body.trim_end().strip_suffix(word).map(str::trim_end)
}

/// The names a report title may give the test of node id `id`: the id
/// itself (`tests/t.py`, as in `ERROR collecting tests/t.py`) and, for a
/// test, its path inside the file with dots (`TestX.test_y[a]`).
pub fn title_names_of(id: &str) -> Vec<String> {
    let mut names = vec![id.to_string()];
    if let Some((_, inside)) = id.split_once("::") {
        names.push(inside.replace("::", "."));
    }
    names
}

/// The text of a pytest report title (`ERROR at setup of test_x` in
/// `____ ERROR at setup of test_x ____`) and its endings after each space,
/// longest first: one of them is the test's name (`test_x`).
pub fn title_candidates(line: &str) -> Option<impl Iterator<Item = &str>> {
    let t = line.trim();
    if !(t.starts_with('_') && t.ends_with('_')) {
        return None;
    }
    let inner = t.trim_matches('_').trim();
    let ends = inner
        .match_indices(' ')
        .map(move |(at, _)| &inner[at + 1..]);
    Some(std::iter::once(inner).chain(ends))
}

/// pytest's mark on the source line that failed in a long traceback:
/// `>       assert x == 1`, the `>` in the first column.
pub fn is_failing_source_line(line: &str) -> bool {
    line.strip_prefix('>')
        .is_some_and(|rest| rest.starts_with("  ") && !rest.trim().is_empty())
}

/// Where and what a Python warning is: `/src/auth.py:45: DeprecationWarning`
/// in `  /src/auth.py:45: DeprecationWarning: Non-string usernames ...`.
pub fn warning_site(line: &str) -> Option<&str> {
    let t = line.trim();
    let at = t.find("Warning: ")?;
    let site = &t[..at + "Warning".len()];
    let (path, _) = site.split_once(".py:")?;
    (!path.contains(' ')).then_some(site)
}

/// A pytest node id (`tests/t.py::T::x[a]`) or a test file (`tests/t.py`).
fn is_test_id(s: &str) -> bool {
    s.contains("::") || s.ends_with(".py")
}

/// The word after a leading pytest node id: `PASSED` in
/// `t.py::x[a b] PASSED [ 5%]` (parameters may contain spaces).
fn word_after_test_id(t: &str) -> Option<&str> {
    let first = t.split_whitespace().next()?;
    if !first.contains("::") {
        return None;
    }
    let body = t
        .strip_suffix(']')
        .and_then(|b| b.rsplit_once(" ["))
        .map_or(t, |(b, _)| b);
    body.trim_end().rsplit(' ').next()
}

/// A source path (`src/a.test.js`), as jest prints after `PASS`/`FAIL`.
fn looks_like_path(s: &str) -> bool {
    let s = s.split_whitespace().next().unwrap_or("");
    s.contains('/') || s.contains('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes() {
        for line in [
            "    ✔ should work without handlers",
            "      ✓ renders (3 ms)",
            "test tests::display_offset ... ok",
            "tests/test_appctx.py::test_basic PASSED                   [  0%]",
            "tests/t.py::test_pragmas[<meta charset=\"UTF-8\">] PASSED [ 12%]",
            "--- PASS: TestParse (0.00s)",
            "PASS src/app.test.js",
        ] {
            assert_eq!(verdict(line), Some(Verdict::Pass), "{line}");
        }
    }

    #[test]
    fn failures() {
        for line in [
            "FAILED tests/t.py::TestTimeout::test_x[timeout0] - ...",
            "ERROR tests/test_views.py::test_init_once - AttributeError: m...",
            "tests/t.py::test_x FAILED                                [ 50%]",
            "test tests::squeeze ... FAILED",
            "FAIL src/app.test.js",
        ] {
            assert_eq!(verdict(line), Some(Verdict::Fail), "{line}");
        }
    }

    #[test]
    fn headers_and_progress() {
        assert_eq!(
            verdict("__________________ TestTimeout.test_connect_timeout[timeout0] ___"),
            Some(Verdict::Header)
        );
        assert_eq!(
            verdict("=================================== FAILURES ==================="),
            Some(Verdict::Header)
        );
        for line in [
            "--- FAIL: TestParse (0.01s)",
            "● Route › should work",
            "---- tests::squeeze stdout ----",
            "_ ERROR at setup of test_app_tearing_down_with_handled_exception _",
        ] {
            assert_eq!(verdict(line), Some(Verdict::Header), "{line}");
        }
        assert_eq!(
            verdict("tests/test_hooks.py ...                                 [  1%]"),
            Some(Verdict::Progress)
        );
        assert_eq!(
            verdict("........................................................ [ 23%]"),
            Some(Verdict::Progress)
        );
        assert_eq!(verdict("...................FFFF........ [ 57%]"), None);
        assert_eq!(
            verdict("    parse_test.go:25: expected 5, got 6"),
            Some(Verdict::Message)
        );
        assert_eq!(verdict("tests/test_appctx.py EEEEEEEE   [  3%]"), None);
        assert!(is_failing_progress("tests/test_appctx.py EEEE.F   [  3%]"));
        assert!(is_failing_progress(
            "...................FFFF........ [ 57%]"
        ));
        assert!(!is_failing_progress("tests/test_hooks.py ...    [  1%]"));
        assert!(!is_failing_progress("ERROR tests/t.py [ 1%]"));
    }

    #[test]
    fn failing_ids_and_title_names() {
        assert_eq!(
            failing_id("ERROR tests/t.py::test_x[a b] - AttributeError: m..."),
            Some("tests/t.py::test_x[a b]")
        );
        assert_eq!(
            failing_id("ERROR tests/test_cli.py"),
            Some("tests/test_cli.py")
        );
        assert_eq!(
            failing_id("tests/t.py::T::test_y FAILED                 [ 50%]"),
            Some("tests/t.py::T::test_y")
        );
        assert_eq!(failing_id("tests/t.py::T::test_y PASSED [ 50%]"), None);
        assert_eq!(failing_id("ERROR boom"), None);
        assert_eq!(
            title_names_of("tests/t.py::T::test_y[a]"),
            ["tests/t.py::T::test_y[a]", "T.test_y[a]"]
        );
        let candidates: Vec<&str> = title_candidates("____ ERROR at setup of test_x[a b] ____")
            .unwrap()
            .collect();
        assert_eq!(
            candidates,
            [
                "ERROR at setup of test_x[a b]",
                "at setup of test_x[a b]",
                "setup of test_x[a b]",
                "of test_x[a b]",
                "test_x[a b]",
                "b]"
            ]
        );
        assert!(title_candidates("==== FAILURES ====").is_none());
        assert_eq!(
            warning_site("  /src/auth.py:45: DeprecationWarning: Non-string (42)"),
            Some("/src/auth.py:45: DeprecationWarning")
        );
        assert_eq!(warning_site("WARNING: disk almost full"), None);
        assert!(is_failing_source_line(">       assert x == 1"));
        assert!(!is_failing_source_line("> express@5.2.1 test"));
        assert!(!is_failing_source_line("    > 12 |   expect(x)"));
    }

    #[test]
    fn mocha_failures() {
        assert!(is_mocha_failing("  3 failing"));
        assert!(!is_mocha_failing("  0 failing"));
        assert!(!is_mocha_failing("  1256 passing (4s)"));
        assert!(is_mocha_numbered("    1) should return -1"));
        assert!(!is_mocha_numbered("    (1) not numbered"));
    }

    #[test]
    fn other_lines_are_not_results() {
        for line in [
            "",
            "test result: ok. 10 passed; 0 failed",
            "running 10 tests",
            "2024-01-01 10:00:00 ERROR boom",
            "E   AttributeError: module '_pytest.monkeypatch' has no attribute 'notset'",
            "    ERROR handling request",
            "=============== 490 passed, 2 skipped in 3.10s ===============",
        ] {
            assert_eq!(verdict(line), None, "{line}");
        }
    }
}
