//! `diff` transform: unified diffs, `git diff`, `git show` and `git log -p`.
//!
//! The skeleton always stays: every commit's header (hash, author, date,
//! subject), every file header (`diff --git`, `index`, `---`, `+++`, modes,
//! renames) and every hunk header, so the model knows every commit, every
//! file and every place that changed. Inside a hunk the changed lines are
//! kept up to a budget (first ones and last ones, plus lines that match the
//! query) with a little context; changes repeated verbatim elsewhere (the
//! same dependency bump in five workflow files) are shown once. The rest
//! becomes gap lines that say how many lines were left out.
//!
//! How much to keep is decided in steps: the profile's budgets first, then
//! tighter ones while the result would still be larger than the profile's
//! target share of the original. Large diffs of big additions meet the
//! target at the first step; diffs made of many one-line changes need the
//! later ones, because their headers alone are a large share of them.

mod parse;

use super::{mask, Ctx, Outcome};
use crate::lines::Lines;
use crate::options::Profile;
use crate::query::Query;
use parse::{parse, Row};

/// Commit body lines kept when the body is at most this long; longer bodies
/// are cut to their subject line (plus query matches).
const SHORT_BODY_LINES: usize = 2;

/// Changed lines shorter than this (`+`, `+}`) are never deduplicated:
/// repeating them costs less than saying they were left out.
const MIN_DEDUP_LEN: usize = 16;

/// Files written by tools, whose changes matter less than their names.
const GENERATED_FILES: &[&str] = &[
    "Cargo.lock",
    "uv.lock",
    "poetry.lock",
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "go.sum",
    "Gemfile.lock",
    "composer.lock",
    "Pipfile.lock",
    "flake.lock",
    "npm-shrinkwrap.json",
];

/// How much of each hunk one step keeps.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Step {
    /// Context kept before the first and after the last change of a hunk.
    edge_context: usize,
    /// Context kept around changes between the first and the last.
    inner_context: usize,
    /// Changed lines kept per hunk (first half + last half).
    changed: usize,
}

pub fn compress(lines: &Lines, ctx: &Ctx) -> Outcome {
    if ctx.lossless_only {
        return mask::lossless(lines);
    }
    let rows = parse(&lines.content);
    let body_texts: Vec<&str> = rows
        .iter()
        .zip(&lines.content)
        .filter(|(r, _)| matches!(r, Row::Changed(_) | Row::Context(_) | Row::Body))
        .map(|(_, text)| *text)
        .collect();
    let query = mask::discriminative_query(ctx.query, &body_texts);
    let generated = generated_hunks(&rows, &lines.content);

    let steps = steps(ctx);
    let budget = target_tokens(lines, ctx);
    let mut chosen = Vec::new();
    for (n, step) in steps.iter().enumerate() {
        chosen = select(&rows, &lines.content, &generated, &query, *step);
        mask::keep_cheap_runs(&lines.raw, &mut chosen);
        if n + 1 == steps.len() || mask::estimated_tokens(&lines.raw, &chosen) <= budget {
            break;
        }
    }
    mask::outcome(
        lines,
        chosen,
        "commit headers, file and hunk headers, changed lines",
    )
}

/// The steps for this profile, most generous first.
fn steps(ctx: &Ctx) -> Vec<Step> {
    let context = ctx.params.diff_context;
    let changed = ctx.params.diff_changed_per_hunk.max(2);
    let first = Step {
        edge_context: context,
        inner_context: context,
        changed,
    };
    if ctx.params.profile == Profile::Conservative {
        return vec![first];
    }
    vec![
        first,
        Step {
            changed: (changed / 2).max(2),
            ..first
        },
        Step {
            edge_context: 0,
            changed: (changed / 2).max(2),
            ..first
        },
        Step {
            edge_context: 0,
            changed: (changed / 4).max(2),
            ..first
        },
        Step {
            edge_context: 0,
            inner_context: 0,
            changed: (changed / 8).max(2),
        },
    ]
}

/// Tokens the result should not exceed: the profile's target share of the
/// original (scaled by the bias).
fn target_tokens(lines: &Lines, ctx: &Ctx) -> usize {
    let share = match ctx.params.profile {
        Profile::Conservative => 1.0,
        Profile::Balanced => 0.5,
        Profile::Aggressive => 0.4,
    };
    let share = (share * ctx.params.bias).min(1.0);
    (mask::estimated_tokens(&lines.raw, &vec![true; lines.len()]) as f64 * share) as usize
}

/// Hunk numbers that belong to generated files (lock files).
fn generated_hunks(rows: &[Row], content: &[&str]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut in_generated = false;
    for (row, line) in rows.iter().zip(content) {
        match row {
            Row::FileHeader if line.starts_with("diff ") || line.starts_with("+++ ") => {
                let path = line.rsplit(['/', ' ']).next().unwrap_or("");
                in_generated = GENERATED_FILES.contains(&path);
            }
            Row::Changed(h) if in_generated && out.last() != Some(h) => out.push(*h),
            _ => {}
        }
    }
    out
}

/// The keep-mask for one step.
fn select(
    rows: &[Row],
    content: &[&str],
    generated: &[usize],
    query: &Query,
    step: Step,
) -> Vec<bool> {
    let mut keep: Vec<bool> = rows
        .iter()
        .map(|r| {
            matches!(
                r,
                Row::CommitHeader | Row::FileHeader | Row::HunkHeader | Row::NoNewline | Row::Other
            )
        })
        .collect();
    keep_short_bodies(rows, content, query, &mut keep);
    let mut seen_changes: Vec<String> = Vec::new();
    let mut idx = 0;
    while idx < rows.len() {
        let hunk = match rows[idx] {
            Row::Changed(h) | Row::Context(h) => h,
            _ => {
                idx += 1;
                continue;
            }
        };
        let start = idx;
        while idx < rows.len() && (hunk_of(rows[idx]) == Some(hunk) || rows[idx] == Row::NoNewline)
        {
            idx += 1;
        }
        let changed = if generated.contains(&hunk) {
            Step { changed: 2, ..step }
        } else {
            step
        };
        keep_hunk(
            &rows[start..idx],
            &content[start..idx],
            query,
            changed,
            &mut keep[start..idx],
        );
        drop_repeated_changes(
            &rows[start..idx],
            &content[start..idx],
            query,
            &mut seen_changes,
            &mut keep[start..idx],
        );
    }
    for idx in 0..rows.len() {
        if rows[idx] == Row::Blank {
            let before = idx == 0 || keep[idx - 1];
            let after = keep.get(idx + 1).copied().unwrap_or(true);
            keep[idx] = before && after;
        }
    }
    keep
}

fn hunk_of(row: Row) -> Option<usize> {
    match row {
        Row::Changed(h) | Row::Context(h) => Some(h),
        _ => None,
    }
}

/// Keep the first and last changed lines of a hunk within the step's
/// budget, changed lines that match the query, and context around them.
fn keep_hunk(rows: &[Row], content: &[&str], query: &Query, step: Step, keep: &mut [bool]) {
    let changed: Vec<usize> = (0..rows.len())
        .filter(|&i| matches!(rows[i], Row::Changed(_)))
        .collect();
    let (Some(&first), Some(&last)) = (changed.first(), changed.last()) else {
        // A piece of a diff may hold only context: keep what matches.
        (0..rows.len())
            .filter(|&i| query.matches(content[i]))
            .for_each(|i| keep[i] = true);
        return;
    };
    let head = step.changed.div_ceil(2);
    let tail = step.changed / 2;
    for (n, &i) in changed.iter().enumerate() {
        if changed.len() <= step.changed
            || n < head
            || n + tail >= changed.len()
            || query.matches(content[i])
        {
            keep[i] = true;
        }
    }
    let is_context = |j: usize| matches!(rows[j], Row::Context(_));
    let kept_changes: Vec<usize> = changed.iter().copied().filter(|&i| keep[i]).collect();
    for i in kept_changes {
        let before = if i == first {
            step.edge_context
        } else {
            step.inner_context
        };
        let after = if i == last {
            step.edge_context
        } else {
            step.inner_context
        };
        for j in (i.saturating_sub(before)..i).rev() {
            if !is_context(j) {
                break;
            }
            keep[j] = true;
        }
        let end = (i + 1 + after).min(rows.len());
        for (j, k) in keep.iter_mut().enumerate().take(end).skip(i + 1) {
            if !is_context(j) {
                break;
            }
            *k = true;
        }
    }
    for i in 0..rows.len() {
        if is_context(i) && query.matches(content[i]) {
            keep[i] = true;
        }
    }
}

/// Drop kept changed lines that repeat a change already kept earlier in the
/// output (ignoring whitespace and quotes, which YAML and JSON files vary);
/// the first occurrence carries the meaning.
fn drop_repeated_changes(
    rows: &[Row],
    content: &[&str],
    query: &Query,
    seen: &mut Vec<String>,
    keep: &mut [bool],
) {
    for i in 0..rows.len() {
        if !keep[i] || !matches!(rows[i], Row::Changed(_)) || content[i].len() < MIN_DEDUP_LEN {
            continue;
        }
        let normalized: String = content[i]
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '"' | '\''))
            .collect();
        if seen.contains(&normalized) {
            if !query.matches(content[i]) {
                keep[i] = false;
            }
        } else {
            seen.push(normalized);
        }
    }
}

/// Keep commit bodies of at most [`SHORT_BODY_LINES`] lines, and body lines
/// that match the query.
fn keep_short_bodies(rows: &[Row], content: &[&str], query: &Query, keep: &mut [bool]) {
    let mut idx = 0;
    while idx < rows.len() {
        if rows[idx] != Row::Body {
            idx += 1;
            continue;
        }
        let start = idx;
        while idx < rows.len() && matches!(rows[idx], Row::Body | Row::Blank) {
            idx += 1;
        }
        let body: Vec<usize> = (start..idx).filter(|&i| rows[i] == Row::Body).collect();
        for &i in &body {
            if body.len() <= SHORT_BODY_LINES || query.matches(content[i]) {
                keep[i] = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::Params;
    use crate::plan::{Item, Plan};
    use crate::transforms::corpus::Targets;

    fn ctx_with(query: &Query, profile: Profile) -> Ctx<'_> {
        Ctx {
            params: Params::new(profile, 1.0),
            query,
            lossless_only: false,
            hash: "000000000000000000000000",
            file_path: None,
            tool_name: None,
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
    fn large_hunks_keep_first_and_last_changes_and_query_matches() {
        let mut text = String::from(
            "diff --git a/big.txt b/big.txt\n--- a/big.txt\n+++ b/big.txt\n@@ -0,0 +1,100 @@\n",
        );
        for n in 0..100 {
            if n == 50 {
                text.push_str("+the retry_budget line\n");
            } else {
                text.push_str(&format!("+added line number {n} with some text\n"));
            }
        }
        let lines = Lines::parse(&text);
        let query = Query::from_texts(["retry_budget"]);
        let Outcome::Lines(plan) = compress(&lines, &ctx_with(&query, Profile::Balanced)) else {
            panic!("expected a plan")
        };
        let kept = kept(&plan);
        assert!(
            kept.contains(&4) && kept.contains(&5),
            "first changes dropped: {kept:?}"
        );
        assert!(kept.contains(&103), "last change dropped: {kept:?}");
        assert!(kept.contains(&54), "query match dropped");
        assert!(kept.len() < 4 + Params::default().diff_changed_per_hunk + 2);
    }

    #[test]
    fn repeated_changes_are_shown_once() {
        let mut text = String::new();
        for file in ["a.yml", "b.yml", "c.yml"] {
            text.push_str(&format!(
                "diff --git a/{file} b/{file}\n--- a/{file}\n+++ b/{file}\n@@ -1,3 +1,3 @@\n"
            ));
            text.push_str(
                " jobs:\n-  uses: actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd # v6\n",
            );
            text.push_str(
                "+  uses: actions/checkout@9c091bb21b7c1c1d1991bb908d89e4e9dddfe3e0 # v7\n with:\n",
            );
        }
        let lines = Lines::parse(&text);
        let query = Query::default();
        let Outcome::Lines(plan) = compress(&lines, &ctx_with(&query, Profile::Conservative))
        else {
            panic!("expected a plan")
        };
        let kept = kept(&plan);
        let checkout: Vec<usize> = kept
            .iter()
            .copied()
            .filter(|&i| lines.content[i].contains("checkout@"))
            .collect();
        assert_eq!(checkout, vec![5, 6]);
        let headers = kept
            .iter()
            .filter(|&&i| lines.content[i].starts_with("diff --git"))
            .count();
        assert_eq!(headers, 3);
    }

    #[test]
    fn lock_file_hunks_keep_only_their_first_and_last_change() {
        let mut text = String::from(
            "diff --git a/Cargo.lock b/Cargo.lock\n--- a/Cargo.lock\n+++ b/Cargo.lock\n",
        );
        text.push_str("@@ -1,0 +1,10 @@\n");
        for n in 0..10 {
            text.push_str(&format!(
                "+name = \"crate-number-{n}\" version = \"1.{n}.0\"\n"
            ));
        }
        let lines = Lines::parse(&text);
        let query = Query::default();
        let Outcome::Lines(plan) = compress(&lines, &ctx_with(&query, Profile::Conservative))
        else {
            panic!("expected a plan")
        };
        assert_eq!(kept(&plan), vec![0, 1, 2, 3, 4, 13]);
    }

    #[test]
    fn corpus_invariants_hold() {
        crate::transforms::corpus::assert_invariants("diff", "diff");
    }

    #[test]
    fn corpus_lines_asked_about_are_kept() {
        crate::transforms::corpus::assert_query_lines_kept("diff", "diff");
    }

    #[test]
    fn corpus_savings_reach_the_target() {
        // Pieces made only of one-line edits (dependency bumps) bottom out
        // near 30%: their commit, file and hunk headers, all kept, are half
        // of them.
        let targets = Targets {
            overall: 0.40,
            each_file: 0.40,
            each_piece: 0.25,
        };
        crate::transforms::corpus::assert_savings("diff", "diff", false, targets);
    }
}
