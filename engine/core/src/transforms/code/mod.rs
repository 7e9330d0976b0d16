//! `code`: a source file reduced to its skeleton. Imports, types, class and
//! struct declarations, signatures, decorators, constants and the first line
//! of each doc comment stay; long function bodies that the task is not about
//! are replaced by one comment line each (`// … 42 lines omitted`).
//!
//! Tree-sitter finds the bodies (grammars for Python, JavaScript,
//! TypeScript/TSX, Go, Rust, Java, C, C++, compiled into the engine, also in
//! wasm). The result is a line plan, so kept lines keep their `12\t` numbers
//! and the model can still cite and edit them; and the result is parsed
//! again: output that would not parse is never returned.

mod check;
mod language;
mod outline;
mod relevance;
#[cfg(test)]
mod tests;

use super::{Ctx, Outcome};
use crate::lines::Lines;
use crate::options::{Params, Profile};
use crate::plan::{Item, Plan};
use crate::router;
use language::Lang;
use outline::{Elision, Limits, Walker};
use relevance::Relevance;

/// Larger outputs are left alone: parsing time grows with size, and no
/// single tool output this large is read as a whole.
const MAX_BYTES: usize = 4 << 20;

/// A guessed language (no file name) must show at least this much evidence.
const MIN_CONTENT_EVIDENCE: usize = 3;

/// How the profile shapes this transform.
#[derive(Debug, Clone, Copy)]
struct Settings {
    /// Files shorter than this are kept whole.
    min_lines: usize,
    /// The same for line-numbered files (read in order to be edited);
    /// `None`: never compressed.
    min_numbered_lines: Option<usize>,
    limits: Limits,
}

impl Settings {
    fn new(params: &Params) -> Self {
        let (min_lines, min_numbered, short_body, long_comment) = match params.profile {
            Profile::Conservative => (150, None, 10, 8),
            Profile::Balanced => (80, Some(150), 6, 5),
            Profile::Aggressive => (50, Some(80), 4, 4),
        };
        let scale = |n: usize| ((n as f64 * params.bias).round() as usize).max(2);
        Self {
            min_lines: scale(min_lines),
            min_numbered_lines: min_numbered.map(scale),
            limits: Limits {
                short_body: scale(short_body),
                long_comment: scale(long_comment).max(4),
            },
        }
    }
}

pub fn compress(lines: &Lines, ctx: &Ctx) -> Outcome {
    // Eliding a body always loses information.
    if ctx.lossless_only {
        return Outcome::Unchanged;
    }
    let settings = Settings::new(&ctx.params);
    let min_lines = match (lines.is_numbered(), settings.min_numbered_lines) {
        (false, _) => settings.min_lines,
        (true, Some(n)) => n,
        (true, None) => return Outcome::Unchanged,
    };
    if lines.len() < min_lines || lines.raw.iter().map(|l| l.len() + 1).sum::<usize>() > MAX_BYTES {
        return Outcome::Unchanged;
    }
    let source = lines.content_text();
    let Some((lang, tree)) = parse_in_language(&source, &lines.content, ctx.file_path) else {
        return Outcome::Unchanged;
    };
    let original_errors = check::error_count(&tree);
    let relevance = if ctx.query.is_empty() {
        Relevance::default()
    } else {
        Relevance::new(ctx.query, ctx.file_path, &lines.content)
    };
    let walker = Walker::new(
        lang,
        source.as_bytes(),
        &lines.content,
        settings.limits,
        &relevance,
    );
    let outline = walker.outline(tree.root_node());
    eprintln!(
        "DEBUG lang={lang:?} errors={original_errors} elisions={}",
        outline.elisions.len()
    );
    if outline.elisions.is_empty() {
        return Outcome::Unchanged;
    }
    let plan = Plan {
        items: plan_items(lines.len(), &outline.elisions),
        kept: kept_description(&outline.relevant),
        marker_prefix: Some(format!("{} ", lang.line_comment())),
    };
    if !check::still_parses(lang, &check::output_source(lines, &plan), original_errors) {
        let out = check::output_source(lines, &plan);
        eprintln!(
            "DEBUG reparse failed: {} errors",
            check::parse(lang, &out)
                .map(|t| check::error_count(&t))
                .unwrap_or(0)
        );
        return Outcome::Unchanged;
    }
    Outcome::Lines(plan)
}

/// Pick the language (from the path, else from the content) and parse.
/// When guessing, the runner-up is tried too and the cleaner parse wins.
fn parse_in_language(
    source: &str,
    lines: &[&str],
    file_path: Option<&str>,
) -> Option<(Lang, tree_sitter::Tree)> {
    if let Some(lang) = file_path.and_then(Lang::from_path) {
        return check::parse(lang, source).map(|tree| (lang, tree));
    }
    let mut candidates = language::rank_by_content(lines);
    if let Some(path) = file_path {
        if Lang::is_c_header(path) {
            candidates.retain(|(lang, _)| matches!(lang, Lang::C | Lang::Cpp));
            if candidates.is_empty() {
                candidates.push((Lang::C, MIN_CONTENT_EVIDENCE));
            }
        } else if router::extension(path)
            .is_some_and(|ext| router::CODE_EXTENSIONS.contains(&ext.as_str()))
        {
            // A language we have no grammar for (Kotlin, Ruby, ...).
            return None;
        }
    }
    let mut best: Option<(Lang, tree_sitter::Tree, usize)> = None;
    for (lang, _) in candidates
        .into_iter()
        .filter(|(_, score)| *score >= MIN_CONTENT_EVIDENCE)
        .take(2)
    {
        let Some(tree) = check::parse(lang, source) else {
            continue;
        };
        let errors = check::error_count(&tree);
        if best.as_ref().is_none_or(|(_, _, e)| errors < *e) {
            best = Some((lang, tree, errors));
        }
        if errors == 0 {
            break;
        }
    }
    best.map(|(lang, tree, _)| (lang, tree))
}

/// Keep every row except the elided runs (sorted; an overlapping run, which
/// the walk never proposes, is skipped rather than trusted).
fn plan_items(rows: usize, elisions: &[Elision]) -> Vec<Item> {
    let mut items = Vec::with_capacity(rows);
    let mut row = 0;
    for e in elisions {
        if e.first < row || e.last >= rows {
            continue;
        }
        items.extend((row..e.first).map(Item::Keep));
        items.push(Item::Omit {
            count: e.rows(),
            text: Some(e.text.clone()),
        });
        row = e.last + 1;
    }
    items.extend((row..rows).map(Item::Keep));
    items
}

/// The block marker's "kept …" list, naming bodies kept for the query.
fn kept_description(relevant: &[String]) -> String {
    let mut text = String::from("imports, types, signatures, first doc lines");
    let mut names: Vec<&str> = Vec::new();
    for name in relevant {
        if !names.contains(&name.as_str()) {
            names.push(name);
        }
    }
    if !names.is_empty() {
        const SHOWN: usize = 5;
        text.push_str(", bodies of ");
        text.push_str(
            &names
                .iter()
                .take(SHOWN)
                .copied()
                .collect::<Vec<_>>()
                .join(", "),
        );
        if names.len() > SHOWN {
            text.push_str(&format!(" and {} more", names.len() - SHOWN));
        }
    }
    text
}
