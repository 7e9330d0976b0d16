//! Line plans: what a line-based transform decides, separated from how it is
//! written. A transform says which original lines to keep, collapse or omit;
//! [`render`] writes kept lines exactly as received (numbers included), gap
//! lines for omissions, and the block marker.

use crate::lines::Lines;
use crate::marker;

/// One step of a line plan, in output order.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// Keep original line `idx` as it was.
    Keep(usize),
    /// Keep original line `idx`, standing for `count` lines of the same shape.
    /// `exact` is true when all of them are byte-identical (a lossless collapse).
    Repeat {
        idx: usize,
        count: usize,
        exact: bool,
    },
    /// `count` original lines left out. `text` overrides the default gap line
    /// (e.g. a comment in the source language, so code still parses).
    Omit { count: usize, text: Option<String> },
    /// A line written by the transform (a summary), not from the original.
    Note(String),
}

/// A line-based transform's decision.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    pub items: Vec<Item>,
    /// What was kept, for the block marker (`"errors, warnings, first/last"`).
    pub kept: String,
    /// Prefix that makes the block marker a comment in the output's language
    /// (`"# "`, `"// "`), for outputs that must still parse.
    pub marker_prefix: Option<String>,
}

impl Plan {
    /// Lines of the original not written verbatim (omitted, or folded into a
    /// non-exact repeat).
    pub fn omitted_lines(&self) -> usize {
        self.items
            .iter()
            .map(|item| match item {
                Item::Omit { count, .. } => *count,
                Item::Repeat {
                    count,
                    exact: false,
                    ..
                } => count.saturating_sub(1),
                _ => 0,
            })
            .sum()
    }

    /// True when the plan loses information (needs a stored original).
    pub fn is_lossy(&self) -> bool {
        self.omitted_lines() > 0
    }
}

/// Write a plan. `block_marker` (already formatted) goes on the first line.
pub fn render(lines: &Lines, plan: &Plan, block_marker: Option<&str>) -> String {
    let mut out = String::new();
    if let Some(block) = block_marker {
        if let Some(prefix) = &plan.marker_prefix {
            out.push_str(prefix);
        }
        out.push_str(block);
        out.push('\n');
    }
    let mut pending_gap = 0usize;
    let flush_gap = |out: &mut String, pending: &mut usize| {
        if *pending > 0 {
            out.push_str(&marker::gap(*pending));
            out.push('\n');
            *pending = 0;
        }
    };
    for item in &plan.items {
        match item {
            Item::Keep(idx) => {
                flush_gap(&mut out, &mut pending_gap);
                out.push_str(lines.raw[*idx]);
                out.push('\n');
            }
            Item::Repeat { idx, count, .. } => {
                flush_gap(&mut out, &mut pending_gap);
                out.push_str(lines.raw[*idx]);
                if *count > 1 {
                    out.push_str(&marker::repeat_suffix(*count));
                }
                out.push('\n');
            }
            Item::Omit { count, text: None } => pending_gap += count,
            Item::Omit {
                text: Some(text), ..
            } => {
                flush_gap(&mut out, &mut pending_gap);
                out.push_str(text);
                out.push('\n');
            }
            Item::Note(text) => {
                flush_gap(&mut out, &mut pending_gap);
                out.push_str(text);
                out.push('\n');
            }
        }
    }
    flush_gap(&mut out, &mut pending_gap);
    if !lines.trailing_newline && out.ends_with('\n') {
        out.pop();
    }
    out
}

/// Build a plan from a per-line keep mask: kept lines in order, runs of
/// dropped lines as gaps.
pub fn from_mask(keep: &[bool]) -> Vec<Item> {
    let mut items = Vec::new();
    let mut run = 0usize;
    for (idx, &k) in keep.iter().enumerate() {
        if k {
            if run > 0 {
                items.push(Item::Omit {
                    count: run,
                    text: None,
                });
                run = 0;
            }
            items.push(Item::Keep(idx));
        } else {
            run += 1;
        }
    }
    if run > 0 {
        items.push(Item::Omit {
            count: run,
            text: None,
        });
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_keeps_numbers_and_writes_gaps() {
        let lines = Lines::parse("1\ta\n2\tb\n3\tc\n4\td\n");
        let plan = Plan {
            items: from_mask(&[true, false, false, true]),
            ..Plan::default()
        };
        assert_eq!(plan.omitted_lines(), 2);
        assert_eq!(
            render(&lines, &plan, Some("[M]")),
            "[M]\n1\ta\n[headroom: 2 lines omitted]\n4\td\n"
        );
    }
}
