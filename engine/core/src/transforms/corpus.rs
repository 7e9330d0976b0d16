//! Test support: the real tool outputs of `../shared/corpus`, whole and cut
//! into the ~30 KB pieces an agent reads them in, with the tool call that
//! produced each (from `MANIFEST.tsv`), and savings measured through the
//! whole pipeline.

use crate::marker::{has_marker, RETRIEVE_TOOL};
use crate::options::Options;
use crate::pipeline::{compress_text, TextResult, ToolContext};
use std::path::PathBuf;

/// Size of the pieces a large output is cut into (at line boundaries).
pub const PIECE_BYTES: usize = 30_000;

/// Pieces smaller than this (the tail of a file) count in the totals but
/// are not held to the per-piece target.
const MIN_PIECE_BYTES: usize = 2_000;

/// The corpus directory (`HEADROOM_CORPUS` overrides). Panics when missing:
/// a corpus test that silently passes without its corpus proves nothing.
pub fn dir() -> PathBuf {
    let dir = std::env::var_os("HEADROOM_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
        });
    assert!(
        dir.join("MANIFEST.tsv").is_file(),
        "corpus not found at {}",
        dir.display()
    );
    dir
}

/// One corpus file with the tool call that produced it.
pub struct Case {
    pub name: String,
    pub text: String,
    pub tool: ToolContext,
}

/// Every file of a category, sorted by name.
pub fn cases(category: &str) -> Vec<Case> {
    let dir = dir();
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).expect("read MANIFEST.tsv");
    let mut cases: Vec<Case> = manifest
        .lines()
        .filter_map(|row| {
            let mut cols = row.split('\t');
            let rel = cols.next()?;
            let source = cols.nth(1)?;
            let name = rel.strip_prefix(category)?.strip_prefix('/')?;
            let text = std::fs::read_to_string(dir.join(rel)).ok()?;
            Some(Case {
                name: name.to_string(),
                text,
                tool: tool_context(source),
            })
        })
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(!cases.is_empty(), "no corpus files for {category}");
    cases
}

/// The tool call behind a manifest source: a shell command (`cd repo && cmd`)
/// or a file read (`github:owner/repo@sha:path`).
fn tool_context(source: &str) -> ToolContext {
    let args = if let Some(rest) = source.strip_prefix("github:") {
        let path = rest.rsplit_once(':').map_or(rest, |(_, p)| p);
        serde_json::json!({ "file_path": path })
    } else {
        let command = source.split_once("&& ").map_or(source, |(_, c)| c);
        let command = command.split("  (").next().unwrap_or(command).trim();
        serde_json::json!({ "command": command })
    };
    let tool_name = if source.starts_with("github:") {
        "Read"
    } else {
        "Bash"
    };
    ToolContext {
        tool_name: Some(tool_name.to_string()),
        tool_args: Some(args.to_string()),
        user_text: None,
    }
}

/// `text` cut at line boundaries into pieces of at most [`PIECE_BYTES`]
/// (a single longer line makes a longer piece).
pub fn pieces(text: &str) -> Vec<&str> {
    crate::lines::cut_at_lines(text, PIECE_BYTES)
}

/// Compress with default options (balanced, originals stored).
pub fn run(text: &str, tool: &ToolContext) -> TextResult {
    compress_text(text, tool, &Options::default())
}

/// Compress with default options, the kind declared when `declared` is set.
fn run_as(text: &str, declared: Option<&str>) -> TextResult {
    let options = Options {
        kind: declared.map(str::to_string),
        ..Options::default()
    };
    compress_text(text, &ToolContext::default(), &options)
}

/// Share of tokens saved (0 when the pipeline kept the original).
pub fn savings(result: &TextResult) -> f64 {
    if result.tokens_before == 0 {
        return 0.0;
    }
    1.0 - result.tokens_after as f64 / result.tokens_before as f64
}

/// Savings a category must reach, as shares of o200k tokens saved.
pub struct Targets {
    /// Over all files of the category together (as the savings report
    /// counts), whole and in pieces.
    pub overall: f64,
    /// For each whole file.
    pub each_file: f64,
    /// For each ~30 KB piece.
    pub each_piece: f64,
}

/// Assert savings targets on the whole files and on the pieces of a
/// category, compressed as the savings report does (no tool call, so the
/// kind is detected from the content alone and must come out as `kind`;
/// with `declared`, the kind is declared instead). Prints the per-file
/// table (`--nocapture` shows it).
pub fn assert_savings(category: &str, kind: &str, declared: bool, targets: Targets) {
    let declared = declared.then_some(kind);
    let mut failures = Vec::new();
    let (mut whole_before, mut whole_after, mut piece_before, mut piece_after) = (0, 0, 0, 0);
    println!(
        "{category}: file | tokens before | after | saved | pieces | pieces saved | worst piece"
    );
    for case in cases(category) {
        let whole = run_as(&case.text, declared);
        let whole_saved = savings(&whole);
        whole_before += whole.tokens_before;
        whole_after += whole.tokens_after;
        let (mut before, mut after, mut worst) = (0, 0, f64::INFINITY);
        let parts = pieces(&case.text);
        for (i, piece) in parts.iter().enumerate() {
            let result = run_as(piece, declared);
            let saved = savings(&result);
            (before, after, worst) = (
                before + result.tokens_before,
                after + result.tokens_after,
                worst.min(saved),
            );
            // A last piece of a few lines is not worth compressing.
            let tiny = piece.len() < MIN_PIECE_BYTES;
            if (saved < targets.each_piece && !tiny) || result.kind != kind {
                failures.push(format!(
                    "{} piece {i}: {} {:.1}%",
                    case.name,
                    result.kind,
                    saved * 100.0
                ));
            }
        }
        piece_before += before;
        piece_after += after;
        println!(
            "{category}: {} | {} | {} | {:.1}% | {} | {:.1}% | {:.1}%",
            case.name,
            whole.tokens_before,
            whole.tokens_after,
            whole_saved * 100.0,
            parts.len(),
            (1.0 - after as f64 / before as f64) * 100.0,
            worst * 100.0
        );
        if whole_saved < targets.each_file || whole.kind != kind {
            failures.push(format!(
                "{}: {} {:.1}%",
                case.name,
                whole.kind,
                whole_saved * 100.0
            ));
        }
    }
    let overall_whole = 1.0 - whole_after as f64 / whole_before as f64;
    let overall_pieces = 1.0 - piece_after as f64 / piece_before as f64;
    println!(
        "{category}: overall {:.1}% whole, {:.1}% in pieces",
        overall_whole * 100.0,
        overall_pieces * 100.0
    );
    if overall_whole.min(overall_pieces) < targets.overall {
        failures.push(format!(
            "overall {:.1}% / {:.1}%",
            overall_whole * 100.0,
            overall_pieces * 100.0
        ));
    }
    assert!(
        failures.is_empty(),
        "{category} below target or misrouted: {failures:?}"
    );
}

/// Every input of a category: whole files and their pieces, named.
pub fn inputs(category: &str) -> Vec<(String, String, ToolContext)> {
    let mut out = Vec::new();
    for case in cases(category) {
        out.push((case.name.clone(), case.text.clone(), case.tool.clone()));
        let parts = pieces(&case.text);
        if parts.len() > 1 {
            for (i, piece) in parts.into_iter().enumerate() {
                out.push((
                    format!("{} piece {i}", case.name),
                    piece.to_string(),
                    case.tool.clone(),
                ));
            }
        }
    }
    out
}

/// The promises every line transform keeps, checked on every input of a
/// category compressed as `kind`: the same input gives the same bytes;
/// compressing the result again changes nothing; lossless-only mode omits
/// nothing and is a fixpoint; line-numbered input keeps the number of every
/// kept line.
pub fn assert_invariants(category: &str, kind: &str) {
    let declared = Options {
        kind: Some(kind.to_string()),
        ..Options::default()
    };
    let lossless = Options {
        ccr: false,
        ..declared.clone()
    };
    let tool = ToolContext::default();
    for (name, text, _) in inputs(category) {
        let first = compress_text(&text, &tool, &declared);
        assert_eq!(
            first,
            compress_text(&text, &tool, &declared),
            "{name}: not deterministic"
        );
        let again = compress_text(&first.text, &tool, &declared);
        assert_eq!(again.text, first.text, "{name}: not idempotent");

        let exact = compress_text(&text, &tool, &lossless);
        assert!(
            !has_marker(&exact.text) && exact.ccr.is_none(),
            "{name}: lossless mode omitted something"
        );
        assert_eq!(
            compress_text(&exact.text, &tool, &lossless).text,
            exact.text,
            "{name}: lossless not a fixpoint"
        );

        let numbered: String = text
            .lines()
            .enumerate()
            .map(|(n, l)| format!("{}\t{l}\n", n + 1))
            .collect();
        let result = compress_text(&numbered, &tool, &declared);
        assert_keeps_numbers(&name, &numbered, &result.text);
    }
}

/// Every line of `output` (but the block marker and gap lines) carries a
/// number, and a line written verbatim is the original line of that number.
fn assert_keeps_numbers(name: &str, numbered: &str, output: &str) {
    let original: Vec<&str> = numbered.lines().collect();
    let mut last = 0usize;
    for line in output.lines().skip_while(|l| l.contains(RETRIEVE_TOOL)) {
        // Gap lines, and stand-in lines naming the retrieval hash (a
        // comment in source code).
        if line.starts_with("[headroom: ") || line.contains(RETRIEVE_TOOL) {
            continue;
        }
        let (number, _) = line
            .split_once('\t')
            .unwrap_or_else(|| panic!("{name}: unnumbered line {line:?}"));
        let number: usize = number
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}: bad number in {line:?}"));
        assert!(number > last, "{name}: line {number} out of order");
        last = number;
        if !line.contains("[headroom: ") && !line.contains(" [×") {
            assert_eq!(line, original[number - 1], "{name}: line {number} changed");
        }
    }
}

/// Lines the user asks about survive: for each input, an omitted line with a
/// rare word is picked, the word is put in the user text, and the line must
/// then be in the output verbatim.
pub fn assert_query_lines_kept(category: &str, kind: &str) {
    let options = Options {
        kind: Some(kind.to_string()),
        ..Options::default()
    };
    let mut checked = 0;
    for (name, text, tool) in inputs(category) {
        let plain = compress_text(&text, &tool, &options);
        let output_lines: std::collections::HashSet<&str> = plain.text.lines().collect();
        let lines: Vec<&str> = text.lines().collect();
        let lower: Vec<String> = lines.iter().map(|l| l.to_lowercase()).collect();
        let pick = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| !output_lines.contains(*l))
            .find_map(|(idx, line)| {
                let word = line
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .filter(|w| w.len() >= 6 && !w.bytes().all(|b| b.is_ascii_digit()))
                    .find(|w| {
                        lower
                            .iter()
                            .filter(|l| l.contains(&w.to_lowercase()))
                            .count()
                            <= 2
                    })?;
                Some((idx, word.to_string()))
            });
        let Some((idx, word)) = pick else { continue };
        let asking = ToolContext {
            user_text: Some(format!("what about {word}?")),
            ..tool
        };
        let result = compress_text(&text, &asking, &options);
        assert!(
            result.text.lines().any(|l| l == lines[idx]),
            "{name}: line {idx} with `{word}` dropped"
        );
        checked += 1;
    }
    assert!(
        checked > 0,
        "no {category} input had an omitted line to ask about"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Not a check: writes every compressed corpus output of the line
    /// transforms to `$HEADROOM_DUMP` for reading them by eye.
    #[test]
    #[ignore]
    fn dump_outputs() {
        let out =
            std::path::PathBuf::from(std::env::var("HEADROOM_DUMP").expect("set HEADROOM_DUMP"));
        for category in ["search", "diff", "text"] {
            std::fs::create_dir_all(out.join(category)).expect("create dump dir");
            let declared = (category == "text").then_some("text");
            for case in cases(category) {
                let result = run_as(&case.text, declared);
                std::fs::write(out.join(category).join(&case.name), result.text)
                    .expect("write dump");
                for (i, piece) in pieces(&case.text).into_iter().enumerate() {
                    let result = run_as(piece, declared);
                    let name = format!("{}.piece{i}", case.name);
                    std::fs::write(out.join(category).join(name), result.text).expect("write dump");
                }
            }
        }
    }

    #[test]
    fn pieces_cover_the_text_at_line_boundaries() {
        let text = "abc\n".repeat(20_000);
        let parts = pieces(&text);
        assert!(parts.len() > 2);
        assert_eq!(parts.concat(), text);
        assert!(parts
            .iter()
            .all(|p| p.len() <= PIECE_BYTES && p.ends_with('\n')));
    }

    #[test]
    fn manifest_sources_become_tool_calls() {
        let shell = tool_context("cd pallets/flask@2ac8 && grep -rn \"current_app\" .");
        assert_eq!(
            shell.tool_args.as_deref(),
            Some(r#"{"command":"grep -rn \"current_app\" ."}"#)
        );
        let read = tool_context("github:pallets/flask@2ac8:docs/quickstart.rst");
        assert_eq!(read.file_path().as_deref(), Some("docs/quickstart.rst"));
    }
}
