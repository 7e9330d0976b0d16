//! The golden check of one corpus file: compress it with the default options
//! (balanced, CCR on) and lossless-only, compare with the snapshots, and
//! prove the product's promises on the real output: on the whole file, on
//! the file cut into ~30 KB pieces (what agents are sent inline), and on
//! both as the Read tool returns them (numbered lines). Every problem found
//! is collected, so one run shows everything wrong with a fixture.

use crate::corpus::{self, Fixture};
use crate::{fidelity, numbered, pieces, retrieval, snapshot};
use headroom_core::{compress_text, Options, TextResult, ToolContext};

/// The two modes every fixture runs in.
pub fn modes() -> [(&'static str, Options); 2] {
    [
        ("balanced", Options::default()),
        (
            "lossless",
            Options {
                ccr: false,
                ..Options::default()
            },
        ),
    ]
}

/// Categories whose outputs are error/failure reports: every distinct error
/// line of these must survive compression.
pub fn reports_errors(fixture: &Fixture) -> bool {
    matches!(fixture.category.as_str(), "logs" | "test_output")
}

/// Check the corpus file `rel` (`<category>/<file>`); panics with every
/// problem found.
pub fn check(rel: &str) {
    let fixture = corpus::fixture(rel).unwrap_or_else(|e| panic!("{e}"));
    let input = fixture.read().unwrap_or_else(|e| panic!("{e}"));
    let mut problems = Vec::new();
    let mut meta = serde_json::Map::new();
    let ctx = ToolContext::default();
    for (mode, options) in modes() {
        let result = compress_text(&input, &ctx, &options);
        if meta.is_empty() {
            meta.insert("kind".into(), result.kind.clone().into());
        }
        meta.insert(mode.into(), summary(&result));
        let found = invariants(&fixture, &input, &ctx, &options, &result);
        problems.extend(found.into_iter().map(|p| format!("[{mode}] {p}")));
        let suffix = if mode == "balanced" {
            "out"
        } else {
            "lossless.out"
        };
        let path = snapshot::dir()
            .join(&fixture.category)
            .join(format!("{}.{suffix}", fixture.name));
        if let Err(e) = snapshot::check(&path, &snapshot::text_for(&input, &result.text)) {
            problems.push(format!("[{mode}] {e}"));
        }
    }
    problems.extend(
        numbered_problems(&fixture, &input, &input, 1)
            .into_iter()
            .map(|p| format!("[numbered] {p}")),
    );
    problems.extend(piece_problems(&fixture, &input, &ctx));
    let meta_text = serde_json::to_string_pretty(&serde_json::Value::Object(meta))
        .expect("meta serializes")
        + "\n";
    let meta_path = snapshot::dir()
        .join(&fixture.category)
        .join(format!("{}.meta.json", fixture.name));
    if let Err(e) = snapshot::check(&meta_path, &meta_text) {
        problems.push(e);
    }
    assert!(
        problems.is_empty(),
        "{rel}: {} problem(s):\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

/// The invariants on every ~30 KB piece of the file, in both modes and
/// numbered (each piece numbered from its own first line, as a Read with an
/// offset returns it). Files of one piece were checked whole already.
pub fn piece_problems(fixture: &Fixture, input: &str, ctx: &ToolContext) -> Vec<String> {
    let cut = pieces::cut(input, pieces::PIECE_BYTES);
    if cut.len() < 2 {
        return Vec::new();
    }
    let mut found = Vec::new();
    let mut first_line = 1;
    for (i, piece) in cut.iter().enumerate() {
        let at = format!("piece {}/{} (from line {first_line})", i + 1, cut.len());
        for (mode, options) in modes() {
            let result = compress_text(piece, ctx, &options);
            found.extend(
                invariants(fixture, piece, ctx, &options, &result)
                    .into_iter()
                    .map(|p| format!("[{at} {mode}] {p}")),
            );
        }
        found.extend(
            numbered_problems(fixture, input, piece, first_line)
                .into_iter()
                .map(|p| format!("[{at} numbered] {p}")),
        );
        first_line += piece.matches('\n').count();
    }
    found
}

/// What the meta snapshot records for one mode.
fn summary(result: &TextResult) -> serde_json::Value {
    serde_json::json!({
        "compressed": result.compressed,
        "transforms": result.transforms,
        "tokensBefore": result.tokens_before,
        "tokensAfter": result.tokens_after,
        "ccrHash": result.ccr.as_ref().map(|e| e.hash.clone()),
        "omitted": result.ccr.as_ref().map(|e| e.omitted.clone()),
    })
}

/// At most this many examples per kind of problem, so a failure stays readable.
const EXAMPLES: usize = 8;

fn listed<T: std::fmt::Debug>(what: &str, items: &[T]) -> Option<String> {
    if items.is_empty() {
        return None;
    }
    let shown: Vec<String> = items
        .iter()
        .take(EXAMPLES)
        .map(|i| format!("{i:?}"))
        .collect();
    let more = if items.len() > EXAMPLES {
        format!(" (and {} more)", items.len() - EXAMPLES)
    } else {
        String::new()
    };
    Some(format!(
        "{what} ({}): {}{more}",
        items.len(),
        shown.join(", ")
    ))
}

/// Every promise checked on one output of one fixture.
pub fn invariants(
    fixture: &Fixture,
    input: &str,
    ctx: &ToolContext,
    options: &Options,
    result: &TextResult,
) -> Vec<String> {
    let mut found = Vec::new();
    let again = compress_text(input, ctx, options);
    if &again != result {
        found.push(format!(
            "not deterministic: {}",
            snapshot::first_difference(&result.text, &again.text)
        ));
    }
    if !result.compressed && result.text != input {
        found.push("`compressed` is false but the text changed".into());
    }
    if result.tokens_after > result.tokens_before {
        found.push(format!(
            "tokens grew: {} -> {}",
            result.tokens_before, result.tokens_after
        ));
    }
    let twice = compress_text(&result.text, ctx, options);
    if twice.text != result.text {
        found.push(format!(
            "not idempotent: {}",
            snapshot::first_difference(&result.text, &twice.text)
        ));
    }
    let input_json = serde_json::from_str::<serde_json::Value>(input).ok();
    let output_json = serde_json::from_str::<serde_json::Value>(&result.text).ok();
    if input_json.is_some() && output_json.is_none() {
        found.push("input was valid JSON, output is not".into());
    }
    let lossless = !options.ccr;
    let entries: Vec<_> = result.ccr.iter().cloned().collect();
    found.extend(retrieval::problems(input, &result.text, &entries, lossless));
    if let Some(entry) = &result.ccr {
        if !headroom_core::marker::find_hashes(&result.text).contains(&entry.hash) {
            found.push(format!(
                "CCR entry {} is returned but no marker in the output names it",
                entry.hash
            ));
        }
    }
    if reports_errors(fixture) {
        let lost = fidelity::missing_error_lines(input, result.text.lines());
        found.extend(listed("distinct error lines lost", &lost));
    }
    if let (Some(i), Some(o)) = (&input_json, &output_json) {
        found.extend(listed(
            "error strings lost from JSON",
            &fidelity::missing_json_errors(i, o),
        ));
    }
    if fixture.category == "test_output" || result.kind == "test" {
        found.extend(listed(
            "failing test names lost",
            &fidelity::missing_test_names(input, &result.text),
        ));
    }
    found
}

/// `piece` of the file `whole` (all of it, or the chunk starting at line
/// `first_line`) as the Read tool returns it (numbered lines, `file_path`
/// argument), compressed with the default options: kept lines keep their
/// numbers, markers resolve, errors and failing tests survive.
pub fn numbered_problems(
    fixture: &Fixture,
    whole: &str,
    piece: &str,
    first_line: usize,
) -> Vec<String> {
    let numbered_input = numbered::number_from(piece, first_line);
    let args = serde_json::json!({ "file_path": fixture.name }).to_string();
    let ctx = ToolContext {
        tool_name: Some("Read".into()),
        tool_args: Some(args),
        user_text: None,
    };
    let options = Options::default();
    let result = compress_text(&numbered_input, &ctx, &options);
    let mut found = Vec::new();
    // A JSON document that is not pretty-printed (one line) is rewritten
    // whole (minified, tabled): the output is one new line, with no kept
    // line to number. Every other output must keep the numbers.
    let rewritten_json = !result.text.trim_end().contains('\n')
        && serde_json::from_str::<serde_json::Value>(&result.text).is_ok();
    if result.compressed && !rewritten_json {
        found.extend(listed(
            "lines with a wrong or missing number",
            &numbered::problems(whole, &result.text),
        ));
    }
    let entries: Vec<_> = result.ccr.iter().cloned().collect();
    found.extend(retrieval::problems(
        &numbered_input,
        &result.text,
        &entries,
        false,
    ));
    let twice = compress_text(&result.text, &ctx, &options);
    if twice.text != result.text {
        found.push(format!(
            "not idempotent: {}",
            snapshot::first_difference(&result.text, &twice.text)
        ));
    }
    if reports_errors(fixture) {
        let lost = fidelity::missing_error_lines(piece, result.text.lines().map(numbered::content));
        found.extend(listed("distinct error lines lost", &lost));
    }
    if fixture.category == "test_output" {
        found.extend(listed(
            "failing test names lost",
            &fidelity::missing_test_names(piece, &result.text),
        ));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log_fixture() -> (Fixture, String) {
        let fixture = Fixture {
            rel: "logs/synthetic.log".into(),
            category: "logs".into(),
            name: "synthetic.log".into(),
        };
        let errors = [
            "ERROR worker crashed: disk full",
            "ERROR cannot open config file",
            "FATAL out of memory in allocator",
        ];
        let input: String = (0..600)
            .map(|i| match i % 200 {
                17 => format!("2024-01-01 10:00:{:02} {}\n", i % 60, errors[i / 200]),
                _ => format!(
                    "2024-01-01 10:00:{:02} INFO request {i} served in {}ms\n",
                    i % 60,
                    i % 13
                ),
            })
            .collect();
        (fixture, input)
    }

    fn has(problems: &[String], what: &str) -> bool {
        problems.iter().any(|p| p.contains(what))
    }

    /// The invariants are checks that can fail: a correct result passes, and
    /// each kind of tampering is reported.
    #[test]
    fn invariants_catch_tampered_results() {
        let (fixture, input) = log_fixture();
        let ctx = ToolContext::default();
        let options = Options::default();
        let good = compress_text(&input, &ctx, &options);
        assert!(good.compressed && good.ccr.is_some(), "{}", good.text);
        let clean = invariants(&fixture, &input, &ctx, &options, &good);
        assert!(clean.is_empty(), "{clean:?}");

        let mut dropped = good.clone();
        dropped.text = good
            .text
            .lines()
            .filter(|l| !l.contains("disk full"))
            .collect::<Vec<_>>()
            .join("\n");
        let found = invariants(&fixture, &input, &ctx, &options, &dropped);
        assert!(has(&found, "not deterministic"), "{found:?}");
        assert!(has(&found, "distinct error lines lost"), "{found:?}");

        let mut wrong_entry = good.clone();
        if let Some(entry) = wrong_entry.ccr.as_mut() {
            entry.original.push('x');
        }
        let found = invariants(&fixture, &input, &ctx, &options, &wrong_entry);
        assert!(
            has(&found, "does not hold this output's original"),
            "{found:?}"
        );
        assert!(has(&found, "not the content hash"), "{found:?}");

        let mut unmarked = good.clone();
        unmarked.text = input.lines().skip(1).collect::<Vec<_>>().join("\n") + "\n";
        unmarked.ccr = None;
        let found = invariants(&fixture, &input, &ctx, &options, &unmarked);
        assert!(has(&found, "names no hash"), "{found:?}");

        let lossless = Options {
            ccr: false,
            ..Options::default()
        };
        let found = invariants(&fixture, &input, &ctx, &lossless, &good);
        assert!(
            has(&found, "lossless-only output carries a marker"),
            "{found:?}"
        );
    }

    #[test]
    fn pieces_are_checked_with_numbers_from_their_own_first_line() {
        let (fixture, input) = log_fixture();
        let long = input.repeat(3);
        assert!(long.len() > pieces::PIECE_BYTES);
        let found = piece_problems(&fixture, &long, &ToolContext::default());
        assert!(found.is_empty(), "{found:?}");
        let second = pieces::cut(&long, pieces::PIECE_BYTES)[1];
        let first_line = pieces::cut(&long, pieces::PIECE_BYTES)[0]
            .matches('\n')
            .count()
            + 1;
        let shifted = numbered_problems(&fixture, &long, second, first_line + 1);
        assert!(
            has(&shifted, "wrong or missing number"),
            "numbers off by one must be caught: {shifted:?}"
        );
    }
}
