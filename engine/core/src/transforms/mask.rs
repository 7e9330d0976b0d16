//! Pieces shared by the transforms that decide line by line (search, diff,
//! text): a keep-mask becomes a [`Plan`], lossless-only mode collapses exact
//! repeats and nothing else, and query terms that match almost every line
//! (the search pattern itself, the project's name) stop counting as "what the
//! user asked about".

use super::Outcome;
use crate::lines::Lines;
use crate::plan::{Item, Plan};
use crate::query::Query;
use crate::tokens;

/// Tokens of a gap line (`[headroom: 12 lines omitted]`, o200k). Leaving out
/// a run that costs less would make the output longer.
const GAP_TOKENS: usize = 10;
/// Tokens of the block marker line, for estimates.
const BLOCK_MARKER_TOKENS: usize = 45;

/// Query terms found in more than this share of the lines are treated as the
/// subject of the whole output rather than a pointer to particular lines.
const MAX_TERM_SHARE: f64 = 0.3;

/// The lossless-only plan: runs of byte-identical non-blank lines become one
/// line with a ` [×N]` count; everything else is kept as is.
pub fn lossless(lines: &Lines) -> Outcome {
    let keep = vec![true; lines.len()];
    let items = items_from_mask(lines, &keep);
    if items.len() == lines.len() {
        return Outcome::Unchanged;
    }
    Outcome::Lines(Plan {
        items,
        kept: String::new(),
        marker_prefix: None,
    })
}

/// Turn a keep-mask into a plan: kept lines in order (runs of identical kept
/// lines collapsed exactly), omitted runs as gaps. Runs too short to pay for
/// their gap line are kept instead. Returns `Unchanged` when nothing changes.
pub fn outcome(lines: &Lines, mut keep: Vec<bool>, kept: &str) -> Outcome {
    keep_cheap_runs(&lines.raw, &mut keep);
    let items = items_from_mask(lines, &keep);
    if items.len() == lines.len() && items.iter().all(|i| matches!(i, Item::Keep(_))) {
        return Outcome::Unchanged;
    }
    Outcome::Lines(Plan {
        items,
        kept: kept.to_string(),
        marker_prefix: None,
    })
}

/// Keep omitted runs that cost fewer tokens than the gap line replacing them.
pub fn keep_cheap_runs(raw: &[&str], keep: &mut [bool]) {
    let mut idx = 0;
    while idx < keep.len() {
        if keep[idx] {
            idx += 1;
            continue;
        }
        let start = idx;
        let mut cost = 0usize;
        while idx < keep.len() && !keep[idx] {
            if cost <= GAP_TOKENS {
                cost += tokens::count(raw[idx]) + 1;
            }
            idx += 1;
        }
        if cost <= GAP_TOKENS {
            keep[start..idx].iter_mut().for_each(|k| *k = true);
        }
    }
}

/// Tokens a rendered mask would take: kept lines, one gap line per omitted
/// run, and the block marker. Transforms that tighten step by step compare
/// this with their target.
pub fn estimated_tokens(raw: &[&str], keep: &[bool]) -> usize {
    let mut total = 0;
    let mut in_gap = false;
    let mut any_gap = false;
    for (line, &k) in raw.iter().zip(keep) {
        if k {
            total += tokens::count(line) + 1;
            in_gap = false;
        } else if !in_gap {
            total += GAP_TOKENS;
            in_gap = true;
            any_gap = true;
        }
    }
    if any_gap {
        total += BLOCK_MARKER_TOKENS;
    }
    total
}

/// Plan items for a mask; consecutive kept lines that are byte-identical (and
/// not blank) become one exact repeat.
fn items_from_mask(lines: &Lines, keep: &[bool]) -> Vec<Item> {
    let mut items = Vec::new();
    let mut idx = 0;
    while idx < keep.len() {
        if !keep[idx] {
            let start = idx;
            while idx < keep.len() && !keep[idx] {
                idx += 1;
            }
            items.push(Item::Omit {
                count: idx - start,
                text: None,
            });
            continue;
        }
        let line = lines.raw[idx];
        let mut end = idx + 1;
        // Blank is about the content beneath a line-number prefix.
        if !lines.content[idx].trim().is_empty() {
            while end < keep.len() && keep[end] && lines.raw[end] == line {
                end += 1;
            }
        }
        if end - idx > 1 {
            items.push(Item::Repeat {
                idx,
                count: end - idx,
                exact: true,
            });
        } else {
            items.push(Item::Keep(idx));
        }
        idx = end;
    }
    items
}

/// The query without terms that occur in more than [`MAX_TERM_SHARE`] of
/// `texts`: a `grep -rn current_app` puts `current_app` in the query and in
/// every line, and keeping every line that "matches" would keep everything.
pub fn discriminative_query(query: &Query, texts: &[&str]) -> Query {
    if query.is_empty() || texts.is_empty() {
        return query.clone();
    }
    let lowered: Vec<String> = texts.iter().map(|t| t.to_lowercase()).collect();
    let limit = (texts.len() as f64 * MAX_TERM_SHARE).max(1.0);
    let kept: Vec<&str> = query
        .terms()
        .iter()
        .filter(|term| {
            (lowered.iter().filter(|l| l.contains(term.as_str())).count() as f64) <= limit
        })
        .map(String::as_str)
        .collect();
    Query::from_texts(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lossless_collapses_only_exact_non_blank_runs() {
        let lines = Lines::parse("a\na\na\n\n\nb\nb2\n");
        let Outcome::Lines(plan) = lossless(&lines) else {
            panic!("expected a plan")
        };
        assert!(!plan.is_lossy());
        assert_eq!(
            plan.items[0],
            Item::Repeat {
                idx: 0,
                count: 3,
                exact: true
            }
        );
        assert_eq!(plan.items.len(), 5);
        assert_eq!(lossless(&Lines::parse("a\nb\n\n\nc\n")), Outcome::Unchanged);
    }

    #[test]
    fn short_runs_are_kept_rather_than_replaced_by_a_longer_gap_line() {
        let long = "several words that cost tokens ".repeat(3);
        let text = format!("keep\nshort\n{long}\n{long}\nkeep\n");
        let lines = Lines::parse(&text);
        let mut keep = vec![true, false, false, false, true];
        keep_cheap_runs(&lines.raw, &mut keep);
        assert_eq!(keep, vec![true, false, false, false, true]);
        let mut keep = vec![true, false, true, true, true];
        keep_cheap_runs(&lines.raw, &mut keep);
        assert_eq!(keep, vec![true; 5]);
    }

    #[test]
    fn terms_present_in_most_lines_stop_counting() {
        let query = Query::from_texts(["current_app spawn_blocking"]);
        let texts = [
            "current_app.x",
            "current_app.y",
            "current_app spawn_blocking",
            "current_app z",
        ];
        let filtered = discriminative_query(&query, &texts);
        assert_eq!(filtered.terms(), ["spawn_blocking"]);
    }
}
