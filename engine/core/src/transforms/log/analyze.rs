//! First pass over a log: what each line is (its [`Role`]), whether the
//! query asks about it, and which shape it has (its key). One lower-casing,
//! one classification and one masking per line, into reused buffers.

use super::keys::{Interner, NO_KEY};
use crate::lines::Lines;
use crate::query::Query;
use crate::signals::{self, Signal};

/// What a line is, as far as choosing what to keep is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Nothing special: omitted unless it is context, first/last, or the
    /// example of a repeated pattern.
    Plain,
    /// An error, failure, panic or exception: every distinct one is kept.
    Error,
    /// A warning: one example per template is kept.
    Warning,
    /// A stack frame: kept inside the block of the error it follows.
    Frame,
    /// A summary (totals, exit code) or a failing test's name: always kept
    /// verbatim, never folded into another line.
    Pinned,
    /// A passing test: left out, and counted in the gap line.
    Pass,
    /// The title of a failure's report (a failing test's name): kept
    /// verbatim like [`Role::Pinned`], and the lines under it, up to the next
    /// title, are that failure's report (see the selection).
    Header,
    /// A report title whose test is also named on a kept line elsewhere
    /// (pytest's short summary): its report is read like a [`Role::Header`]'s,
    /// but when the report shows nothing new (every line of it folds into an
    /// earlier report) the title is left out and counted in the gap line, so
    /// four hundred tests failing the same way cost one report, not four
    /// hundred titles.
    NamedTitle,
    /// A pytest report title (`____ test_x ____`) whose test no other kept
    /// line names: read like a [`Role::NamedTitle`], but when it folds, the
    /// gap line lists its text, so every failing test's name stays.
    ListedTitle,
    /// Source printed above the failing line (`>`) in a traceback: the
    /// test's code, which the reader has in the file the report points to.
    /// Not part of the report shown, never context nor a first/last line.
    Source,
}

/// Namespaces of keys, so lines of different roles never share one.
const NS_ERROR: usize = 0;
const NS_WARNING: usize = 1;
const NS_PLAIN: usize = 2;
const NAMESPACES: usize = 3;

/// Query terms found in more than this share of lines name the subject of the
/// whole output rather than particular lines, and stop selecting lines.
const MAX_TERM_SHARE: f64 = 0.3;

/// Per-line roles and query matches of an output.
#[derive(Debug, Clone)]
pub struct Roles {
    pub roles: Vec<Role>,
    /// Lines that contain a query term.
    pub query: Vec<bool>,
    /// Lines that are summaries (also [`Role::Pinned`]).
    pub summary: Vec<bool>,
}

/// Classify every line of `lines`.
pub fn roles(lines: &Lines, query: &Query) -> Roles {
    let n = lines.len();
    let mut roles = Vec::with_capacity(n);
    let mut summary = vec![false; n];
    let mut lower = String::new();
    let terms = useful_terms(lines, query);
    let mut query_hits = vec![false; n];
    for (i, line) in lines.content.iter().enumerate() {
        signals::lower_into(line, &mut lower);
        if !terms.is_empty() {
            query_hits[i] = terms.iter().any(|t| lower.contains(t.as_str()));
        }
        let role = if signals::is_summary_lower(&lower) {
            summary[i] = true;
            Role::Pinned
        } else {
            match signals::classify_lower(line, &lower) {
                Signal::Error => Role::Error,
                Signal::Warning => Role::Warning,
                Signal::None if signals::looks_like_stack_frame(line) => Role::Frame,
                Signal::None => Role::Plain,
            }
        };
        roles.push(role);
    }
    Roles {
        roles,
        query: query_hits,
        summary,
    }
}

/// The query's terms (lower-cased) that point at particular lines: those
/// matching at most [`MAX_TERM_SHARE`] of them.
fn useful_terms(lines: &Lines, query: &Query) -> Vec<String> {
    if query.is_empty() || lines.is_empty() {
        return Vec::new();
    }
    let mut hits = vec![0usize; query.terms().len()];
    let mut lower = String::new();
    for line in &lines.content {
        signals::lower_into(line, &mut lower);
        for (t, term) in query.terms().iter().enumerate() {
            if lower.contains(term.as_str()) {
                hits[t] += 1;
            }
        }
    }
    let limit = (lines.len() as f64 * MAX_TERM_SHARE).max(1.0);
    query
        .terms()
        .iter()
        .zip(hits)
        .filter(|(_, h)| *h > 0 && (*h as f64) <= limit)
        .map(|(t, _)| t.clone())
        .collect()
}

/// Line keys: lines with equal keys differ only in numbers/ids and may stand
/// for one another.
#[derive(Debug, Clone)]
pub struct Keys {
    /// Key per line, [`NO_KEY`] for lines that never collapse.
    pub of_line: Vec<u32>,
    /// Number of lines per key.
    pub count: Vec<u32>,
}

/// Key every line by its id mask (two lines share a key only if they differ
/// in numbers and ids alone), errors by their number mask (only numbers), in
/// a namespace per role so an error never stands for a plain line.
pub fn keys(lines: &Lines, roles: &[Role]) -> Keys {
    let mut interner = Interner::new(NAMESPACES);
    let mut of_line = Vec::with_capacity(lines.len());
    let mut masked: Vec<u8> = Vec::new();
    for (line, &role) in lines.content.iter().zip(roles) {
        let key = match role {
            // Passing tests are dropped, never shown as an example: they
            // need no key.
            Role::Pinned | Role::Pass | Role::Header | Role::NamedTitle | Role::ListedTitle => {
                NO_KEY
            }
            _ if line.trim().is_empty() => NO_KEY,
            // An error stands only for errors that differ from it in
            // numbers alone; other lines may also differ in ids.
            Role::Error => {
                signals::mask_numbers_bytes(line, &mut masked);
                interner.intern(NS_ERROR, &masked)
            }
            role => {
                signals::mask_ids_bytes(line, &mut masked);
                let ns = match role {
                    Role::Warning => NS_WARNING,
                    _ => NS_PLAIN,
                };
                interner.intern(ns, &masked)
            }
        };
        of_line.push(key);
    }
    let mut count = vec![0u32; interner.len()];
    for &k in &of_line {
        if k != NO_KEY {
            count[k as usize] += 1;
        }
    }
    Keys { of_line, count }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_keys_of_a_small_log() {
        let text = "2024-01-01 10:00:00 INFO start 1\n\
                    2024-01-01 10:00:01 INFO start 2\n\
                    2024-01-01 10:00:02 ERROR disk 7 full\n\
                    2024-01-01 10:00:03 ERROR disk 8 full\n\
                    \tat a.b.C(C.java:1)\n\
                    Finished in 3s\n";
        let lines = Lines::parse(text);
        let r = roles(&lines, &Query::default());
        assert_eq!(
            r.roles,
            [
                Role::Plain,
                Role::Plain,
                Role::Error,
                Role::Error,
                Role::Frame,
                Role::Pinned
            ]
        );
        let k = keys(&lines, &r.roles);
        assert_eq!(k.of_line[0], k.of_line[1]);
        assert_eq!(k.of_line[2], k.of_line[3]);
        assert_ne!(k.of_line[0], k.of_line[2]);
        assert_eq!(k.of_line[5], NO_KEY);
        assert_eq!(k.count[k.of_line[0] as usize], 2);
    }

    #[test]
    fn query_terms_that_match_everything_are_ignored() {
        let lines = Lines::parse("app a\napp b\napp c\napp disk\n");
        let q = Query::from_texts(["app disk"]);
        assert_eq!(roles(&lines, &q).query, [false, false, false, true]);
    }
}
