//! `code`: a source file reduced to its skeleton. Imports, types, class and
//! struct declarations, signatures, decorators, constants and the first line
//! of each doc comment stay; long function bodies that the task is not about
//! are replaced by one comment line each, which says how to get them back
//! (`// … 42 lines omitted · headroom_retrieve("<hash>")`).
//!
//! Tree-sitter finds the bodies (grammars for Python, JavaScript,
//! TypeScript/TSX, Go, Rust, Java, C, C++, compiled into the engine, also in
//! wasm). The result is a line plan, so kept lines keep their `12\t` numbers
//! and the model can still cite and edit them; and the result is parsed
//! again: output with a syntax error the input did not have is never
//! returned. A ~30 KB piece cut out of a file (starting inside a docstring,
//! a comment or a body) is handled too: its broken start is left out.

mod check;
mod fragment;
mod language;
mod outline;
mod reading;
mod relevance;
#[cfg(test)]
mod tests;

use super::{Ctx, Outcome};
use crate::lines::Lines;
use crate::options::{Params, Profile};
use crate::plan::{Item, Plan};
use crate::router;
pub use language::Lang;
use outline::{Elision, Limits, Walker};
use reading::Reading;
#[cfg(test)]
use reading::UNPARSED_SHARE_LIMIT;
use relevance::Relevance;

/// Larger outputs are left alone: parsing time grows with size, and no
/// single tool output this large is read as a whole.
const MAX_BYTES: usize = 4 << 20;

/// When guessing, a parse that places all but 1/this of the text settles
/// the language without trying the runners-up.
const CLEAN_SHARE: usize = 100;

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
    match outline(lines, ctx) {
        Ok(done) => Outcome::Lines(done.plan),
        Err(_) => Outcome::Unchanged,
    }
}

/// Why the transform left an output alone. The pipeline only sees
/// [`Outcome::Unchanged`]; tests assert on the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Declined {
    /// Eliding a body always loses information.
    LosslessOnly,
    /// Line-numbered source in the conservative profile.
    NumberedKeptWhole,
    /// Too short to be worth it, or too long to parse.
    Size,
    /// No grammar for the file's language, or no language recognised.
    UnknownLanguage,
    /// Most of the text does not parse as its language (not really source,
    /// or a fragment too broken to trust the tree).
    Unparsable {
        errors: usize,
        unparsed_bytes: usize,
    },
    /// Nothing long enough to leave out.
    NothingToElide,
    /// The output would have syntax errors the input did not have; `near`
    /// is the output line where the first one starts.
    WouldNotParse { new_errors: usize, near: String },
}

/// A compression the transform stands behind.
#[derive(Debug, Clone)]
pub struct Outlined {
    pub lang: Lang,
    pub plan: Plan,
    /// Syntax errors of the input (a piece cut mid-function has some).
    pub input_errors: usize,
    /// The text beneath any line numbers the model will see (block marker
    /// as a placeholder comment), already checked to parse.
    pub output: String,
    /// How input and output were read when not as they are: a piece from
    /// inside a class is read inside a wrapper.
    pub wrapper: Option<WrappedReading>,
}

/// The text around a piece in which it and its output were parsed.
#[derive(Debug, Clone)]
pub struct WrappedReading {
    /// Written before the first row, on the same row.
    pub prefix: String,
    /// Rows written after the last row.
    pub suffix: String,
    /// The input as parsed (wrapped, and with the rest of the method the
    /// piece starts in blanked when that is left out).
    pub source: String,
}

/// Decide what to keep of `lines`, and prove the result still parses.
pub fn outline(lines: &Lines, ctx: &Ctx) -> Result<Outlined, Declined> {
    let settings = admitted(lines, ctx)?;
    let source = lines.content_text();
    let (lang, tree) = parse_in_language(&source, &lines.content, ctx.file_path)
        .ok_or(Declined::UnknownLanguage)?;
    let relevance = if ctx.query.is_empty() {
        Relevance::default()
    } else {
        Relevance::new(ctx.query, ctx.file_path, &lines.content)
    };
    let reading = Reading::plain(lang, tree, source, lines).map_err(unparsable)?;
    match outline_reading(lines, ctx, &settings, &relevance, &reading) {
        Err(declined @ (Declined::NothingToElide | Declined::WouldNotParse { .. })) => {
            // Methods read as calls: a piece from inside a class.
            match Reading::in_class(lang, lines, settings.limits.short_body, &relevance) {
                Some(Ok(in_class)) => outline_reading(lines, ctx, &settings, &relevance, &in_class)
                    .map_err(|_| declined),
                _ => Err(declined),
            }
        }
        done => done,
    }
}

/// The settings for `lines`, if the transform may and should compress them.
fn admitted(lines: &Lines, ctx: &Ctx) -> Result<Settings, Declined> {
    if ctx.lossless_only {
        return Err(Declined::LosslessOnly);
    }
    let settings = Settings::new(&ctx.params);
    let min_lines = match (lines.is_numbered(), settings.min_numbered_lines) {
        (false, _) => settings.min_lines,
        (true, Some(n)) => n,
        (true, None) => return Err(Declined::NumberedKeptWhole),
    };
    if lines.len() < min_lines || lines.raw.iter().map(|l| l.len() + 1).sum::<usize>() > MAX_BYTES {
        return Err(Declined::Size);
    }
    Ok(settings)
}

fn unparsable((errors, unparsed_bytes): (usize, usize)) -> Declined {
    Declined::Unparsable {
        errors,
        unparsed_bytes,
    }
}

/// The outline of `lines` as `reading` sees them, checked to parse.
fn outline_reading(
    lines: &Lines,
    ctx: &Ctx,
    settings: &Settings,
    relevance: &Relevance,
    reading: &Reading,
) -> Result<Outlined, Declined> {
    let source = reading.source.as_bytes();
    let mut outline = reading.with_rows(|rows| {
        Walker::new(reading.lang, source, rows, settings.limits, relevance)
            .outline(reading.tree.root_node())
    });
    if outline.elisions.is_empty() {
        return Err(Declined::NothingToElide);
    }
    let body_tail = body_tail(reading, settings, relevance);
    if let Some(lead_in) = &reading.lead_in {
        outline.elisions.insert(0, lead_in.clone());
    }
    let plan = Plan {
        items: plan_items(&lines.content, &outline.elisions, ctx.hash),
        kept: kept_description(&outline.relevant),
        marker_prefix: Some(format!("{} ", reading.lang.line_comment())),
    };
    let with_tail = body_tail.map(|tail| {
        let mut elisions = outline.elisions.clone();
        elisions.insert(0, tail);
        Plan {
            items: plan_items(&lines.content, &elisions, ctx.hash),
            ..plan.clone()
        }
    });
    let (plan, output) = checked(lines, reading, with_tail.into_iter().chain([plan]))?;
    Ok(Outlined {
        lang: reading.lang,
        plan,
        input_errors: reading.input_errors.len(),
        output: output.text,
        wrapper: reading.wrapper.as_ref().map(|w| WrappedReading {
            prefix: w.prefix.clone(),
            suffix: w.suffix(),
            source: reading.source.clone(),
        }),
    })
}

/// A piece starting inside a function body: the rest of that body goes
/// too, unless the task is about it (tried first; dropped if the result
/// would not parse as well as the input).
/// (Braced: up to the closing brace, which stays; Python: up to the
/// dedent, behind a comment at the first line's indentation.)
fn body_tail(reading: &Reading, settings: &Settings, relevance: &Relevance) -> Option<Elision> {
    let (lang, tree, content) = (reading.lang, &reading.tree, reading.rows());
    if reading.lead_in.is_some() || reading.wrapper.is_some() {
        None
    } else if lang.indented_blocks() {
        first_outer_function(lang, tree, content)
            .and_then(|next| fragment::indented_tail_end(content, next))
            .map(|last| last + 1)
    } else if !reading.input_errors.is_empty() {
        first_outer_function(lang, tree, content)
            .and_then(|next| fragment::body_tail_end(content, next))
    } else {
        None
    }
    .filter(|&end| end >= settings.limits.short_body)
    .filter(|&end| !relevance.mentioned_in(0, end - 1))
    .map(|end| Elision {
        first: 0,
        last: end - 1,
        lead: format!("{}{} ", leading_indent(content[0]), lang.line_comment()),
    })
}

/// The first of `plans` whose output has no syntax error the input lacks;
/// if none, why the last one failed.
fn checked(
    lines: &Lines,
    reading: &Reading,
    plans: impl IntoIterator<Item = Plan>,
) -> Result<(Plan, check::Output), Declined> {
    let mut refused = Declined::NothingToElide;
    for plan in plans {
        let output = check::output(lines, &plan, &reading.source);
        let new_errors = reading.new_errors(&output);
        let Some(first) = new_errors.first() else {
            return Ok((plan, output));
        };
        let near = output.text.lines().nth(first.first).unwrap_or_default();
        refused = Declined::WouldNotParse {
            new_errors: new_errors.len(),
            near: near.to_string(),
        };
    }
    Err(refused)
}

/// Row of the first function declared at a shallower indentation than the
/// text's first line (the first line is then inside a body).
fn first_outer_function(lang: Lang, tree: &tree_sitter::Tree, content: &[&str]) -> Option<usize> {
    let first_indent = leading_indent(content.first()?).len();
    // Nothing is shallower than the left margin (a whole file starts there).
    if first_indent == 0 {
        return None;
    }
    let mut found: Option<usize> = None;
    let mut stack = vec![tree.root_node()];
    let mut cursor = tree.walk();
    while let Some(node) = stack.pop() {
        let row = node.start_position().row;
        if found.is_some_and(|f| row >= f) {
            continue;
        }
        if lang.is_function(node.kind())
            && !lang.is_anonymous_function(node.kind())
            && row > 0
            && leading_indent(content[row]).len() < first_indent
        {
            found = Some(row);
            continue;
        }
        stack.extend(node.children(&mut cursor));
    }
    found
}

fn leading_indent(line: &str) -> &str {
    &line[..line.len() - line.trim_start().len()]
}

/// How strongly `lines` look like one language we have a grammar for: the
/// number of lines showing its telltale constructs (the router weighs this
/// against the sample's length).
pub fn language_evidence(lines: &[&str]) -> usize {
    language::rank_by_content(lines)
        .first()
        .map_or(0, |(_, score)| *score)
}

/// Pick the language (from the path, else from the content) and parse.
/// When guessing, the two runners-up are tried too and the cleanest parse wins.
fn parse_in_language(
    source: &str,
    lines: &[&str],
    file_path: Option<&str>,
) -> Option<(Lang, tree_sitter::Tree)> {
    if let Some(lang) = file_path.and_then(Lang::from_path) {
        return check::parse(lang, source).map(|tree| (lang, tree));
    }
    let mut candidates = language::rank_by_content(lines);
    // Text with any C++ evidence is parsed as C++, which reads C too (the C
    // grammar fails, slowly, on every class and template).
    if candidates.iter().any(|(l, _)| *l == Lang::Cpp) {
        let c_score = candidates
            .iter()
            .find(|(l, _)| *l == Lang::C)
            .map_or(0, |(_, s)| *s);
        candidates.retain(|(l, _)| *l != Lang::C);
        for (lang, score) in candidates.iter_mut() {
            if *lang == Lang::Cpp {
                *score = (*score).max(c_score);
            }
        }
        candidates.sort_by_key(|(_, score)| std::cmp::Reverse(*score));
    }
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
        .take(3)
    {
        let Some(tree) = check::parse(lang, source) else {
            continue;
        };
        let unparsed = check::unparsed_bytes(&tree);
        if best.as_ref().is_none_or(|(_, _, u)| unparsed < *u) {
            best = Some((lang, tree, unparsed));
        }
        // Good enough: a grammar this close to the text is the right one (a
        // wrong grammar's error recovery is slow; no need to watch it fail).
        if unparsed * CLEAN_SHARE <= source.len() {
            break;
        }
    }
    best.map(|(lang, tree, _)| (lang, tree))
}

/// Keep every row except the elided runs (sorted; an overlapping run, which
/// the walk never proposes, is skipped rather than trusted).
/// An elision must leave out at least this many times the bytes of the
/// line standing in for it (which names the retrieval hash): cutting three
/// short comment lines to save a handful of tokens is not worth a gap.
const MIN_ELIDED_PER_STAND_IN: usize = 2;

fn plan_items(content: &[&str], elisions: &[Elision], hash: &str) -> Vec<Item> {
    let rows = content.len();
    let mut items = Vec::with_capacity(rows);
    let mut row = 0;
    for e in elisions {
        if e.first < row || e.last >= rows {
            continue;
        }
        let line = e.line(hash);
        let elided: usize = content[e.first..=e.last].iter().map(|l| l.len() + 1).sum();
        // (The start of a piece, a comment tail the parse was made
        // without, must go whatever its size.)
        if e.first > 0 && elided < MIN_ELIDED_PER_STAND_IN * line.len() {
            continue;
        }
        items.extend((row..e.first).map(Item::Keep));
        items.push(Item::Omit {
            count: e.rows(),
            text: Some(line),
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
