//! `test` transform: test-runner output (pytest, cargo test, go test, jest,
//! mocha).
//!
//! A test run is a log whose most common line says "this test passed". The
//! reader wants the opposite: which tests failed and why. So this is the
//! `log` selection with test-aware roles: passing tests are dropped and
//! counted in the gap lines (`(1256 passed)`), failing tests' names are
//! pinned verbatim (two names differing in a digit are still two tests),
//! failure report titles are pinned, and errors, tracebacks, warnings and
//! summaries are kept as in any log.

pub mod results;

use super::log::{self, Role, Style};
use super::{Ctx, Outcome};
use crate::lines::Lines;
use results::Verdict;
use std::collections::BTreeSet;

pub fn compress(lines: &Lines, ctx: &Ctx) -> Outcome {
    if ctx.lossless_only {
        return super::mask::lossless(lines);
    }
    let mut roles = log::line_roles(lines, ctx.query);
    let mocha_failed = lines.content.iter().any(|l| results::is_mocha_failing(l));
    let mut failure_list = results::FailureList::default();
    for (role, line) in roles.roles.iter_mut().zip(&lines.content) {
        let listed = failure_list.names(line);
        let verdict = match results::verdict(line) {
            None if listed => Some(Verdict::Fail),
            None if mocha_failed && results::is_mocha_numbered(line) => Some(Verdict::Header),
            None if results::is_failing_progress(line) => Some(Verdict::Progress),
            verdict => verdict,
        };
        if let Some(role_of_verdict) = verdict.map(role_of) {
            *role = role_of_verdict;
        }
    }
    mark_named_titles(lines, &mut roles.roles);
    mark_source_above_failing_lines(lines, &mut roles.roles);
    keep_one_warning_per_site(lines, &mut roles.roles);
    let keys = log::line_keys(lines, &roles.roles);
    log::plan(lines, &ctx.params, &roles, &keys, Style { test_run: true })
}

/// Report titles naming a test that a kept failure line names too (pytest's
/// short summary `ERROR t.py::test_x - ...` under `___ ERROR at setup of
/// test_x ___`) become [`Role::NamedTitle`]: the summary keeps the name, so
/// the title may fold when its report repeats an earlier one. Other pytest
/// titles become [`Role::ListedTitle`]: they may fold too, listed by name.
fn mark_named_titles(lines: &Lines, roles: &mut [Role]) {
    let named: BTreeSet<String> = lines
        .content
        .iter()
        .zip(roles.iter())
        .filter(|(_, role)| **role == Role::Pinned)
        .filter_map(|(line, _)| results::failing_id(line))
        .flat_map(results::title_names_of)
        .collect();
    for (line, role) in lines.content.iter().zip(roles.iter_mut()) {
        if *role != Role::Header {
            continue;
        }
        if let Some(mut candidates) = results::title_candidates(line) {
            *role = if candidates.any(|c| named.contains(c)) {
                Role::NamedTitle
            } else {
                Role::ListedTitle
            };
        }
    }
}

/// pytest's long tracebacks print the function's source down to the line
/// that failed, marked `>`, then the error (`E   ...`). The lines above the
/// `>` line are the test's code, which the reader has in the file the
/// report points to (`tests/t.py:2584: Failed`): they become
/// [`Role::Source`], left out of the report. The `>` line and the `E` lines
/// stay.
fn mark_source_above_failing_lines(lines: &Lines, roles: &mut [Role]) {
    for (i, line) in lines.content.iter().enumerate() {
        if !results::is_failing_source_line(line) {
            continue;
        }
        for j in (0..i).rev() {
            let above = lines.content[j];
            if roles[j] != Role::Plain || !above.starts_with(' ') || above.trim().is_empty() {
                break;
            }
            roles[j] = Role::Source;
        }
    }
}

/// pytest's warnings summary repeats a warning raised at one place with
/// other values (`auth.py:45: DeprecationWarning: ... passed in (42)`, then
/// `(None)`): in a test run only the first warning of each place and
/// category is worth its line; the others become plain lines (omitted).
fn keep_one_warning_per_site(lines: &Lines, roles: &mut [Role]) {
    let mut sites = BTreeSet::new();
    for (line, role) in lines.content.iter().zip(roles.iter_mut()) {
        if *role != Role::Warning {
            continue;
        }
        if let Some(site) = results::warning_site(line) {
            if !sites.insert(site) {
                *role = Role::Plain;
            }
        }
    }
}

/// The log role a test result plays.
fn role_of(verdict: Verdict) -> Role {
    match verdict {
        Verdict::Pass => Role::Pass,
        Verdict::Fail => Role::Pinned,
        Verdict::Header => Role::Header,
        Verdict::Progress => Role::Plain,
        Verdict::Message => Role::Error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::{Params, Profile};
    use crate::plan::{render, Item, Plan};
    use crate::query::Query;

    fn run(text: &str) -> (Plan, String) {
        let lines = Lines::parse(text);
        let query = Query::default();
        let ctx = Ctx {
            params: Params::new(Profile::Balanced, 1.0),
            query: &query,
            lossless_only: false,
            hash: "000000000000000000000000",
            file_path: None,
            tool_name: None,
        };
        let Outcome::Lines(plan) = compress(&lines, &ctx) else {
            panic!("expected a line plan");
        };
        let out = render(&lines, &plan, None);
        (plan, out)
    }

    #[test]
    fn drops_passes_and_keeps_failures() {
        let mut text = String::from("running 40 tests\n");
        for n in 0..20 {
            text.push_str(&format!("test parse::case_{n} ... ok\n"));
        }
        text.push_str("test parse::case_7x ... FAILED\ntest parse::case_8x ... FAILED\n");
        for n in 20..38 {
            text.push_str(&format!("test parse::case_{n} ... ok\n"));
        }
        text.push_str("\ntest result: FAILED. 38 passed; 2 failed; 0 ignored\n");
        let (plan, out) = run(&text);
        assert!(out.contains("test parse::case_7x ... FAILED\n"));
        assert!(out.contains("test parse::case_8x ... FAILED\n"));
        assert!(out.contains("test result: FAILED. 38 passed"));
        assert!(!out.contains("case_5 ... ok"));
        let passes: usize = plan
            .items
            .iter()
            .filter_map(|item| match item {
                Item::Omit { text: Some(t), .. } => t
                    .split('(')
                    .nth(1)
                    .and_then(|r| r.split(' ').next())
                    .and_then(|n| n.parse::<usize>().ok()),
                _ => None,
            })
            .sum();
        assert!(passes >= 36, "gap lines count the passes: {out}");
    }

    #[test]
    fn repeated_reports_fold_and_distinct_ones_show() {
        let mut text = String::from("==== ERRORS ====\n");
        for n in 0..30 {
            text.push_str(&format!("____ ERROR at setup of test_{n}x ____\n"));
            text.push_str("tests/conftest.py:19: in env\n    monkeypatch.notset\n");
            text.push_str("E   AttributeError: no attribute 'notset'\n");
        }
        text.push_str("____ test_values ____\nE   assert 41 == 42\n");
        text.push_str("____ test_other ____\nE   assert 40 == 42\n");
        text.push_str("==== 2 failed, 30 errors in 1.00s ====\n");
        let (_, out) = run(&text);
        assert!(
            out.contains("tests/conftest.py:19: in env [×30]\n"),
            "{out}"
        );
        assert!(out.contains("E   AttributeError: no attribute 'notset' [×30]\n"));
        assert!(
            out.contains(
                "(29 report titles with nothing new in the report: \
                 ERROR at setup of: test_1x test_2x "
            ),
            "titles of repeated reports fold, their tests listed: {out}"
        );
        for n in 1..30 {
            assert!(out.contains(&format!(" test_{n}x")), "{out}");
        }
        assert!(out.contains("test_29x)]\n____ test_values ____\n"), "{out}");
        assert!(out.contains("E   assert 41 == 42\n"));
        assert!(out.contains("E   assert 40 == 42\n"));
    }

    #[test]
    fn titles_of_repeated_reports_fold_when_the_summary_names_their_tests() {
        let mut text = String::from("==== ERRORS ====\n");
        for n in 0..30 {
            text.push_str(&format!("____ ERROR at setup of test_{n}x ____\n"));
            text.push_str("tests/conftest.py:19: in env\n");
            text.push_str("E   AttributeError: no attribute 'notset'\n");
        }
        text.push_str("____ TestT.test_values[a b] ____\nE   assert 41 == 42\n");
        text.push_str("____ test_unnamed ____\nE   AttributeError: no attribute 'notset'\n");
        text.push_str("==== short test summary info ====\n");
        for n in 0..30 {
            text.push_str(&format!(
                "ERROR tests/t.py::test_{n}x - AttributeError: no...\n"
            ));
        }
        text.push_str("FAILED tests/t.py::TestT::test_values[a b] - assert 41 == 42\n");
        text.push_str("==== 1 failed, 30 errors in 1.00s ====\n");
        let (_, out) = run(&text);
        assert!(
            out.contains("____ ERROR at setup of test_0x ____\n"),
            "{out}"
        );
        assert!(!out.contains("ERROR at setup of test_1x"), "{out}");
        assert!(
            out.contains("(29 report titles of tests named elsewhere)]\n"),
            "{out}"
        );
        assert!(
            out.contains("____ TestT.test_values[a b] ____\nE   assert 41 == 42\n"),
            "a report showing something new keeps its title: {out}"
        );
        assert!(
            out.contains("____ test_unnamed ____\n"),
            "a title naming a test no kept line names stays: {out}"
        );
        for n in 0..30 {
            assert!(out.contains(&format!("ERROR tests/t.py::test_{n}x - ")));
        }
    }

    #[test]
    fn one_warning_per_place_in_the_warnings_summary() {
        let mut text = String::new();
        for n in 0..30 {
            text.push_str(&format!("tests/t.py::test_ok_{n} PASSED [ {n}%]\n"));
        }
        text.push_str("==== warnings summary ====\ntests/t.py::test_a\n");
        text.push_str("  /src/auth.py:45: DeprecationWarning: bad user (42)\n");
        text.push_str("    warnings.warn(\n\ntests/t.py::test_b\n");
        text.push_str("  /src/auth.py:45: DeprecationWarning: bad user (None)\n");
        text.push_str("    warnings.warn(\n\ntests/t.py::test_c\n");
        text.push_str("  /src/auth.py:55: DeprecationWarning: bad password (None)\n");
        text.push_str("    warnings.warn(\n\n-- Docs: https://docs.pytest.org/\n");
        text.push_str("==== 30 passed, 3 warnings in 1.00s ====\n");
        let (_, out) = run(&text);
        assert!(
            out.contains("auth.py:45: DeprecationWarning: bad user (42)\n"),
            "{out}"
        );
        assert!(!out.contains("bad user (None)"), "{out}");
        assert!(out.contains("auth.py:55: DeprecationWarning: bad password (None)\n"));
    }

    #[test]
    fn report_lines_differing_in_an_address_fold() {
        let mut text = String::from("==== FAILURES ====\n");
        for n in 0..30 {
            text.push_str(&format!("____ test_t[t{n}] ____\n"));
            text.push_str(&format!("self = <T object at 0x7f304f68a{n:03}>\n"));
            text.push_str("E   Failed: should time out\n");
        }
        text.push_str("==== 30 failed in 1.00s ====\n");
        let (_, out) = run(&text);
        assert!(
            out.contains("____ test_t[t0] ____\nself = <T object at 0x7f304f68a000> [×"),
            "{out}"
        );
        assert!(!out.contains("0x7f304f68a001"), "{out}");
        assert!(!out.contains("0x7f304f68a015"), "{out}");
        assert!(
            out.contains(": test_t[t1] [t2] [t3] "),
            "parametrizations of one test are listed by their parameters: {out}"
        );
        assert!(out.contains(" [t28] [t29])]\n"), "{out}");
    }

    /// A piece of a long run: it starts inside a report and ends inside
    /// another one, every report the same failure.
    fn piece_cut_inside_reports() -> String {
        let mut text = String::from("tests/conftest.py:19: in env\n");
        text.push_str("E   AttributeError: no attribute 'notset'\n");
        for n in 0..30 {
            text.push_str(&format!("____ ERROR at setup of test_{n}x ____\n"));
            text.push_str("tests/conftest.py:19: in env\n");
            text.push_str("E   AttributeError: no attribute 'notset'\n");
        }
        text.push_str("____ ERROR at setup of test_last ____\n");
        text.push_str("tests/conftest.py:19: in env\n");
        text
    }

    #[test]
    fn a_piece_shows_a_report_cut_at_its_start_or_end_once() {
        let (_, out) = run(&piece_cut_inside_reports());
        assert_eq!(
            out.matches("AttributeError").count(),
            1,
            "the report cut at the start stands for the later ones: {out}"
        );
        assert!(
            out.contains("E   AttributeError: no attribute 'notset' [×31]\n"),
            "{out}"
        );
        assert_eq!(
            out.matches("conftest.py").count(),
            1,
            "the last line, cut inside a report, folds: {out}"
        );
        assert!(
            out.contains("tests/conftest.py:19: in env [×32]\n"),
            "{out}"
        );
        assert!(out.contains(" test_29x test_last)]"), "{out}");
    }

    #[test]
    fn progress_lines_with_errors_are_tallies_not_errors() {
        let mut text = String::from("collected 40 items\n\n");
        for n in 0..10 {
            text.push_str(&format!("tests/test_{n}.py ....        [ {n}%]\n"));
        }
        text.push_str("tests/test_user_error_handler.py EEEEEEEEE          [ 50%]\n");
        text.push_str("tests/test_views.py EEEEEEEEE.F                     [100%]\n\n");
        text.push_str("==== ERRORS ====\n");
        for n in 0..30 {
            text.push_str(&format!("____ ERROR at setup of test_{n}x ____\n"));
            text.push_str("E   AttributeError: no attribute 'notset'\n");
        }
        text.push_str("==== 30 errors in 1.00s ====\n");
        let (_, out) = run(&text);
        assert!(!out.contains("test_user_error_handler.py EEE"), "{out}");
        assert!(!out.contains("test_views.py EEE"), "{out}");
    }

    #[test]
    fn source_above_the_failing_line_is_left_out() {
        let mut text = String::from("==== FAILURES ====\n");
        for n in 0..20 {
            text.push_str(&format!("____ test_t{n} ____\n\n"));
            text.push_str("    def test_t(self):\n        try:\n");
            text.push_str(&format!("            get(TARPIT, {n})\n"));
            text.push_str(">           pytest.fail(\"should time out\")\n");
            text.push_str("E           Failed: should time out\n\n");
            text.push_str(&format!("tests/t.py:{n}: Failed\n"));
        }
        text.push_str("==== 20 failed in 1.00s ====\n");
        let (_, out) = run(&text);
        assert!(!out.contains("def test_t"), "{out}");
        assert!(!out.contains("get(TARPIT"), "{out}");
        assert!(out.contains(">           pytest.fail(\"should time out\") [×20]\n"));
        assert!(out.contains("E           Failed: should time out [×20]\n"));
        assert!(out.contains("tests/t.py:0: Failed"), "{out}");
    }

    #[test]
    fn cargo_failure_list_names_are_kept() {
        let mut text = String::from("running 30 tests\n");
        for n in 0..28 {
            text.push_str(&format!("test parse::case_{n} ... ok\n"));
        }
        text.push_str("test parse::case_70 ... FAILED\ntest parse::case_80 ... FAILED\n\n");
        text.push_str("failures:\n    parse::case_70\n    parse::case_80\n\n");
        text.push_str("test result: FAILED. 28 passed; 2 failed; 0 ignored\n");
        let (_, out) = run(&text);
        assert!(
            out.contains("\n    parse::case_70\n    parse::case_80\n"),
            "{out}"
        );
    }

    #[test]
    fn failing_names_differing_in_a_digit_are_both_kept() {
        let mut text = String::new();
        for n in 0..30 {
            text.push_str(&format!("tests/t.py::test_ok_{n} PASSED [ {n}%]\n"));
        }
        text.push_str("FAILED tests/t.py::test_timeout[timeout0] - boom\n");
        text.push_str("FAILED tests/t.py::test_timeout[timeout1] - boom\n");
        text.push_str("==== 2 failed, 30 passed in 1.00s ====\n");
        let (_, out) = run(&text);
        assert!(out.contains("test_timeout[timeout0]"));
        assert!(out.contains("test_timeout[timeout1]"));
        assert!(!out.contains("test_ok_17 PASSED"));
    }
}
