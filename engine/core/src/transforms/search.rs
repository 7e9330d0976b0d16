//! `search` transform: grep / ripgrep results (`path:line:text`, context lines
//! `path-line-text`, and rg `--heading` blocks).
//!
//! Matches are grouped by file. Every file stays visible with at least its
//! first and last match, so the model still knows every place the pattern
//! occurs; between them a few matches are kept (definitions first, then lines
//! unlike the ones already kept) and every match related to the query. The
//! gap lines inside a file say how many of its lines were left out.

use super::{mask, Ctx, Outcome};
use crate::lines::Lines;
use crate::query::Query;
use crate::signals;

/// Share of match lines the per-file quota aims to keep at most. When an
/// output has many files with a few matches each, the quota shrinks (never
/// below first and last) so the result stays small.
const TARGET_KEPT_SHARE: f64 = 0.3;

/// Keywords that start a definition in common languages, after modifiers.
const DEFINITION_KEYWORDS: &[&str] = &[
    "fn ",
    "def ",
    "class ",
    "func ",
    "struct ",
    "interface ",
    "enum ",
    "trait ",
    "impl ",
    "impl<",
    "type ",
    "function ",
    "module ",
    "record ",
    "object ",
    "macro_rules! ",
];

/// Modifiers that may precede a definition keyword.
const MODIFIERS: &[&str] = &[
    "pub ",
    "pub(crate) ",
    "pub(super) ",
    "export ",
    "default ",
    "async ",
    "unsafe ",
    "const ",
    "public ",
    "private ",
    "protected ",
    "internal ",
    "static ",
    "final ",
    "abstract ",
    "sealed ",
    "open ",
    "override ",
    "extern ",
    "inline ",
];

/// What one line of search output is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Row<'a> {
    /// A matching line, with the file it belongs to (unknown when a piece of
    /// rg `--heading` output starts inside a file) and its text.
    Match {
        file: Option<&'a str>,
        text: &'a str,
    },
    /// A context line (`-A/-B/-C`).
    Context { file: Option<&'a str> },
    /// An rg `--heading` file name line.
    Heading,
    /// A blank line or a `--` group separator.
    Separator,
    /// Anything else (warnings, "Binary file matches"): always kept.
    Other,
}

pub fn compress(lines: &Lines, ctx: &Ctx) -> Outcome {
    if ctx.lossless_only {
        return mask::lossless(lines);
    }
    let rows = parse(&lines.content);
    if is_numbered_listing(&lines.content, &rows) {
        return Outcome::Unchanged;
    }
    let match_texts: Vec<&str> = rows
        .iter()
        .filter_map(|r| {
            if let Row::Match { text, .. } = r {
                Some(*text)
            } else {
                None
            }
        })
        .collect();
    if match_texts.is_empty() {
        return Outcome::Unchanged;
    }
    let query = mask::discriminative_query(ctx.query, &match_texts);
    let groups = group_by_file(&rows);
    let quota = per_file_quota(&groups, ctx.params.search_per_file, match_texts.len());

    let mut keep = vec![false; rows.len()];
    for group in &groups {
        for idx in select_in_file(group, &rows, quota, &query) {
            keep[idx] = true;
        }
    }
    keep_context_near_kept(&rows, &mut keep, ctx.params.context_lines);
    for (idx, row) in rows.iter().enumerate() {
        if matches!(row, Row::Heading | Row::Other) {
            keep[idx] = true;
        }
    }
    // A separator is worth keeping only between two kept lines; next to a
    // gap it would just be noise.
    for idx in 0..rows.len() {
        if rows[idx] == Row::Separator {
            let before = idx == 0 || keep[idx - 1];
            let after = keep.get(idx + 1).copied().unwrap_or(true);
            keep[idx] = before && after;
        }
    }
    mask::outcome(
        lines,
        keep,
        "first/last match per file, definitions, query matches",
    )
}

/// Classify every line. Context lines of grep (`path-12-text`) are only
/// recognized after a line of the same file, since paths may contain `-`.
fn parse<'a>(content: &[&'a str]) -> Vec<Row<'a>> {
    let mut rows = Vec::with_capacity(content.len());
    let mut heading: Option<&'a str> = None;
    let mut last_file: Option<&'a str> = None;
    for (idx, line) in content.iter().enumerate() {
        let row = if line.trim().is_empty() || *line == "--" {
            Row::Separator
        } else if let Some((file, text, is_match)) = split_path_line(line) {
            last_file = Some(file);
            heading = None;
            if is_match {
                Row::Match {
                    file: Some(file),
                    text,
                }
            } else {
                Row::Context { file: Some(file) }
            }
        } else if last_file.is_some_and(|f| is_context_of(line, f)) {
            Row::Context { file: last_file }
        } else if let Some((text, is_match)) = split_numbered(line) {
            if is_match {
                Row::Match {
                    file: heading,
                    text,
                }
            } else {
                Row::Context { file: heading }
            }
        } else if content
            .get(idx + 1)
            .is_some_and(|next| split_numbered(next).is_some())
        {
            heading = Some(line);
            last_file = None;
            Row::Heading
        } else {
            Row::Other
        };
        rows.push(row);
    }
    rows
}

/// Fewest bare `N:` lines for an output to be judged a numbered listing.
const LISTING_MIN_LINES: usize = 8;
/// Share of them that must follow their predecessor (`N+1` after `N`)...
const LISTING_CONSECUTIVE_SHARE: f64 = 0.8;
/// ...in at most this many runs (an edit preview shows the file twice,
/// before and after; `rg --heading` over many files has many runs).
const LISTING_MAX_RUNS: usize = 2;

/// True when the bare `N:text` lines mostly number consecutive lines
/// (`273:`, `274:`, `275:`…): a file shown with line numbers (an editor view
/// such as SWE-agent's `open`, or its edit preview), not search results.
/// The agent is reading that file to edit it, and any of its lines may be
/// the one that matters, so none is dropped as "another match".
fn is_numbered_listing(content: &[&str], rows: &[Row]) -> bool {
    let (mut bare, mut consecutive, mut runs) = (0usize, 0usize, 0usize);
    let mut previous: Option<usize> = None;
    for (line, row) in content.iter().zip(rows) {
        if !matches!(row, Row::Match { .. }) {
            continue;
        }
        let digits = line.bytes().take_while(u8::is_ascii_digit).count();
        let Some(number) = line[..digits].parse::<usize>().ok() else {
            continue;
        };
        bare += 1;
        if previous.is_some_and(|p| p + 1 == number) {
            consecutive += 1;
        } else {
            runs += 1;
        }
        previous = Some(number);
    }
    bare >= LISTING_MIN_LINES
        && runs <= LISTING_MAX_RUNS
        && consecutive as f64 >= bare as f64 * LISTING_CONSECUTIVE_SHARE
}

/// `path:12:text` (a match) or `path:12-text` (context), the path without
/// spaces.
fn split_path_line(line: &str) -> Option<(&str, &str, bool)> {
    let (path, rest) = line.split_once(':')?;
    if path.is_empty() || path.contains(' ') || path.len() > 300 {
        return None;
    }
    let (text, is_match) = split_numbered(rest)?;
    Some((path, text, is_match))
}

/// `12:text` (a match) or `12-text` (context).
fn split_numbered(line: &str) -> Option<(&str, bool)> {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    match line.as_bytes().get(digits) {
        Some(b':') => Some((&line[digits + 1..], true)),
        Some(b'-') => Some((&line[digits + 1..], false)),
        _ => None,
    }
}

/// grep's context form for `file`: `file-12-text`.
fn is_context_of(line: &str, file: &str) -> bool {
    line.strip_prefix(file)
        .and_then(|rest| rest.strip_prefix('-'))
        .is_some_and(|rest| split_numbered(rest).is_some_and(|(_, is_match)| !is_match))
}

/// Row indices of the matches of each file, files in order of appearance
/// (a file that appears again later starts a new group).
fn group_by_file(rows: &[Row]) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut current: Option<Option<&str>> = None;
    for (idx, row) in rows.iter().enumerate() {
        match row {
            Row::Match { file, .. } => {
                if current != Some(*file) {
                    groups.push(Vec::new());
                    current = Some(*file);
                }
                if let Some(group) = groups.last_mut() {
                    group.push(idx);
                }
            }
            Row::Heading => current = None,
            _ => {}
        }
    }
    groups
}

/// Matches kept per file before query matches: `per_file`, lowered (to no
/// less than 2, first and last) while that would keep more than
/// [`TARGET_KEPT_SHARE`] of all matches.
fn per_file_quota(groups: &[Vec<usize>], per_file: usize, total: usize) -> usize {
    let target = (total as f64 * TARGET_KEPT_SHARE).ceil() as usize;
    let mut quota = per_file.max(2);
    while quota > 2 && groups.iter().map(|g| g.len().min(quota)).sum::<usize>() > target {
        quota -= 1;
    }
    quota
}

/// The matches of one file to keep: first, last, query matches, then up to
/// `quota` in all with definitions first and then lines of a shape not kept
/// yet.
fn select_in_file(group: &[usize], rows: &[Row], quota: usize, query: &Query) -> Vec<usize> {
    if group.len() <= quota {
        return group.to_vec();
    }
    let text = |idx: usize| match rows[idx] {
        Row::Match { text, .. } => text,
        _ => "",
    };
    let mut chosen = vec![group[0], group[group.len() - 1]];
    let mut base = 2usize;
    let definitions = group.iter().copied().filter(|&i| is_definition(text(i)));
    let mut templates: Vec<String> = chosen
        .iter()
        .map(|&i| signals::template(text(i).trim()))
        .collect();
    let novel: Vec<usize> = group
        .iter()
        .copied()
        .filter(|&i| {
            let t = signals::template(text(i).trim());
            if templates.contains(&t) {
                false
            } else {
                templates.push(t);
                true
            }
        })
        .collect();
    for idx in definitions.chain(novel) {
        if base >= quota {
            break;
        }
        if !chosen.contains(&idx) {
            chosen.push(idx);
            base += 1;
        }
    }
    for &idx in group {
        if query.score(text(idx)) > 0 && !chosen.contains(&idx) {
            chosen.push(idx);
        }
    }
    chosen
}

/// A line that defines something (`pub async fn x`, `class Foo`, `def f`).
pub(crate) fn is_definition(text: &str) -> bool {
    let mut t = text.trim_start();
    while let Some(m) = MODIFIERS.iter().find(|m| t.starts_with(*m)) {
        t = &t[m.len()..];
    }
    DEFINITION_KEYWORDS.iter().any(|k| t.starts_with(k))
}

/// Keep context lines within `distance` of a kept match of the same file.
fn keep_context_near_kept(rows: &[Row], keep: &mut [bool], distance: usize) {
    let kept_matches: Vec<usize> = (0..rows.len())
        .filter(|&i| keep[i] && matches!(rows[i], Row::Match { .. }))
        .collect();
    for idx in kept_matches {
        let Row::Match { file, .. } = rows[idx] else {
            continue;
        };
        let same_file_context = |i: usize| matches!(rows[i], Row::Context { file: f } if f == file);
        for i in (idx.saturating_sub(distance)..idx).rev() {
            if !same_file_context(i) {
                break;
            }
            keep[i] = true;
        }
        let end = (idx + 1 + distance).min(rows.len());
        for (i, k) in keep.iter_mut().enumerate().take(end).skip(idx + 1) {
            if !same_file_context(i) {
                break;
            }
            *k = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::Params;
    use crate::plan::{Item, Plan};
    use crate::transforms::corpus::Targets;

    fn ctx_with(query: &Query) -> Ctx<'_> {
        Ctx {
            params: Params::default(),
            query,
            lossless_only: false,
            hash: "000000000000000000000000",
            file_path: None,
            tool_name: None,
        }
    }

    fn plan_of(text: &str, query: &Query) -> Plan {
        match compress(&Lines::parse(text), &ctx_with(query)) {
            Outcome::Lines(plan) => plan,
            other => panic!("expected a plan, got {other:?}"),
        }
    }

    fn kept(plan: &Plan) -> Vec<usize> {
        plan.items
            .iter()
            .filter_map(|i| match i {
                Item::Keep(idx) | Item::Repeat { idx, .. } => Some(*idx),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_numbered_file_view_is_not_search_results() {
        let mut view = String::from("[File: /repo/a.py (40 lines total)]\n(20 more lines above)\n");
        for n in 21..=40 {
            view.push_str(&format!("{n}:    value_{n} = compute({n})\n"));
        }
        let lines = Lines::parse(&view);
        let query = Query::default();
        assert_eq!(compress(&lines, &ctx_with(&query)), Outcome::Unchanged);
        // The same lines as matches of a real search (numbers far apart) are compressed.
        let hits: String = (1..=40)
            .map(|n| format!("{}:    value_{n} = compute({n})\n", n * 7))
            .collect();
        assert!(matches!(
            compress(&Lines::parse(&hits), &ctx_with(&query)),
            Outcome::Lines(_)
        ));
    }

    #[test]
    fn parses_grep_context_and_heading_rows() {
        let rows = parse(&[
            "a-b.rs:3:x",
            "a-b.rs-4-y",
            "--",
            "src/c.rs",
            "7:fn z",
            "8-w",
            "",
            "Binary file d matches",
        ]);
        assert_eq!(
            rows[0],
            Row::Match {
                file: Some("a-b.rs"),
                text: "x"
            }
        );
        assert_eq!(
            rows[1],
            Row::Context {
                file: Some("a-b.rs")
            }
        );
        assert_eq!(rows[2], Row::Separator);
        assert_eq!(rows[3], Row::Heading);
        assert_eq!(
            rows[4],
            Row::Match {
                file: Some("src/c.rs"),
                text: "fn z"
            }
        );
        assert_eq!(
            rows[5],
            Row::Context {
                file: Some("src/c.rs")
            }
        );
        assert_eq!(rows[7], Row::Other);
    }

    #[test]
    fn keeps_first_last_definitions_and_query_matches_per_file() {
        let mut text = String::new();
        for n in 1..=30 {
            let body = match n {
                9 => "pub async fn spawn_worker(handle: JoinHandle<()>) {".to_string(),
                17 => "    let total = retry_budget(handle); // JoinHandle".to_string(),
                _ => format!("    let value_{n} = other_call(handle, {n}); // JoinHandle"),
            };
            text.push_str(&format!("src/big.rs:{n}:{body}\n"));
        }
        text.push_str("src/one.rs:5:use crate::JoinHandle;\n");
        let query = Query::from_texts(["JoinHandle retry_budget"]);
        let plan = plan_of(&text, &query);
        let kept = kept(&plan);
        for must in [0, 8, 16, 29, 30] {
            assert!(kept.contains(&must), "line {must} missing from {kept:?}");
        }
        assert!(kept.len() < 12, "kept too much: {kept:?}");
        assert!(plan.is_lossy());
    }

    #[test]
    fn is_definition_sees_through_modifiers() {
        assert!(is_definition("    pub(crate) async fn run(&self) {"));
        assert!(is_definition("public static final class Foo {"));
        assert!(is_definition("def test_x():"));
        assert!(!is_definition("    let f = fn_call();"));
    }

    #[test]
    fn heading_output_keeps_every_heading() {
        let mut text = String::new();
        for file in ["a.go", "b.go", "c.go"] {
            text.push_str(file);
            text.push('\n');
            for n in 1..=12 {
                text.push_str(&format!(
                    "{n}:func (c *Command) Method{n}(arg string) error {{\n"
                ));
            }
            text.push('\n');
        }
        let lines = Lines::parse(&text);
        let plan = plan_of(&text, &Query::default());
        let kept = kept(&plan);
        for (idx, line) in lines.content.iter().enumerate() {
            if line.ends_with(".go") {
                assert!(kept.contains(&idx), "heading {line} dropped");
                assert!(
                    kept.contains(&(idx + 1)) && kept.contains(&(idx + 12)),
                    "first/last of {line}"
                );
            }
        }
    }

    #[test]
    fn corpus_invariants_hold() {
        crate::transforms::corpus::assert_invariants("search", "search");
    }

    #[test]
    fn corpus_lines_asked_about_are_kept() {
        crate::transforms::corpus::assert_query_lines_kept("search", "search");
    }

    #[test]
    fn corpus_savings_reach_the_target() {
        // An output of many files with two or three matches each cannot go
        // much below "first and last match of every file" (flask: 25 files,
        // 120 lines, about 56%).
        let targets = Targets {
            overall: 0.60,
            each_file: 0.55,
            each_piece: 0.55,
        };
        crate::transforms::corpus::assert_savings("search", "search", false, targets);
    }
}
