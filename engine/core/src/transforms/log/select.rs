//! Choosing what a compressed log shows, given each line's role and key.
//!
//! A line is either *shown* (kept verbatim), *folded* (left out, but counted
//! in the ` [×N]` of the shown line of the same shape) or *omitted* (counted
//! in a gap line). The counts add up: every original line is accounted for
//! exactly once, so the block marker's "N of M lines omitted" is exact.

use super::analyze::{Keys, Role, Roles};
use super::keys::{FixedMap, NO_KEY};
use crate::lines::Lines;
use crate::options::Params;
use crate::plan::{Item, Plan};
use crate::transforms::Outcome;
use std::borrow::Cow;

/// Share of the original's bytes the output may spend, in total, before it
/// stops adding context lines and examples of repeated patterns (the
/// must-keep lines are kept whatever they cost). Scaled by the profile and
/// the bias.
const SPARE_SHARE: f64 = 0.08;

/// Lines longer than this are not worth keeping as mere context.
const MAX_CONTEXT_LINE_BYTES: usize = 300;

/// Bytes a first/last line may take at most per line of `head_lines`, so a
/// few huge lines (a compiler invocation) do not eat the whole output.
const EDGE_BYTES_PER_LINE: usize = 160;

/// A gap line costs about as many tokens as this many bytes of log; a run of
/// omitted lines shorter than that is cheaper to keep.
const GAP_COST_BYTES: usize = 32;

/// Estimated bytes added by the gap line a new shown line usually brings.
const GAP_LINE_BYTES: usize = 28;

/// How the selection should treat an output.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// Test output: gap lines say how many passing tests they stand for,
    /// and no examples of repeated patterns are added (in a test run those
    /// are suite titles, which say nothing once their tests are gone).
    pub test_run: bool,
}

/// Length of the run of lines byte-identical to line `start` (at least 1),
/// over lines accepted by `eligible`. Blank lines never form runs.
fn identical_run(lines: &Lines, start: usize, eligible: impl Fn(usize) -> bool) -> usize {
    let first = lines.raw[start];
    if lines.content[start].trim().is_empty() {
        return 1;
    }
    let mut end = start + 1;
    while end < lines.len() && lines.raw[end] == first && eligible(end) {
        end += 1;
    }
    end - start
}

/// Decide, line by line, then write the plan.
pub fn plan(lines: &Lines, params: &Params, roles: &Roles, keys: &Keys, style: Style) -> Outcome {
    let n = lines.len();
    if n == 0 {
        return Outcome::Unchanged;
    }
    let mut sel = Selection::new(lines, params, roles, keys);
    sel.pin_edges(style);
    sel.pin_roles();
    let errors = sel.want_signals(style);
    let mut budget = sel.spare_budget();
    sel.want_context(&errors, &mut budget);
    if !style.test_run {
        sel.want_overview(&mut budget);
    }
    sel.resolve();
    sel.keep_cheap_gaps();
    let items = sel.items(style);
    let kept = sel.kept_phrase();
    Outcome::Lines(Plan {
        items,
        kept,
        marker_prefix: None,
    })
}

/// What happens to a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Omitted,
    /// Kept verbatim whatever else is kept (first/last, summaries, names).
    Pinned,
    /// Asked for (an error, its context, a warning, an example); shown unless
    /// a line of the same shape is already shown.
    Wanted,
    /// Left out; counted in the representative of its key.
    Folded,
}

struct Selection<'a> {
    lines: &'a Lines<'a>,
    params: &'a Params,
    roles: &'a Roles,
    keys: &'a Keys,
    fate: Vec<Fate>,
    /// Line shown for each key, if any.
    rep: Vec<u32>,
    /// Lines each representative stands for (itself included).
    rep_count: Vec<u32>,
    /// Whether every line folded into a representative is byte-identical to
    /// it and directly follows it (a lossless collapse).
    rep_exact: Vec<bool>,
    kept_overview: bool,
    kept_context: bool,
}

const NONE: u32 = u32::MAX;

impl<'a> Selection<'a> {
    fn new(lines: &'a Lines<'a>, params: &'a Params, roles: &'a Roles, keys: &'a Keys) -> Self {
        let key_total = keys.count.len();
        Self {
            lines,
            params,
            roles,
            keys,
            fate: vec![Fate::Omitted; lines.len()],
            rep: vec![NONE; key_total],
            rep_count: vec![0; key_total],
            rep_exact: vec![true; key_total],
            kept_overview: false,
            kept_context: false,
        }
    }

    fn role(&self, i: usize) -> Role {
        self.roles.roles[i]
    }

    fn key(&self, i: usize) -> u32 {
        self.keys.of_line[i]
    }

    /// The first and last lines, within a byte budget, the very first and
    /// last always (passing tests excepted: they are never shown). An edge line of the same shape as one already pinned at
    /// that edge is left to fold into it: ten identical-looking first lines
    /// say no more than one.
    /// In a test run, a last line of the same shape as an earlier line is
    /// left to fold too: a piece of a run cut inside its hundredth identical
    /// report ends with lines the first report already shows.
    fn pin_edges(&mut self, style: Style) {
        let n = self.lines.len();
        let head = self.params.head_lines.min(n);
        let tail = self.params.tail_lines.min(n);
        self.pin_edge(0..head, head, &[]);
        let earlier_keys = if style.test_run {
            self.keys_before(n - tail)
        } else {
            Vec::new()
        };
        self.pin_edge((n - tail..n).rev(), tail, &earlier_keys);
    }

    /// Whether each key occurs on some line before `end`.
    fn keys_before(&self, end: usize) -> Vec<bool> {
        let mut seen = vec![false; self.keys.count.len()];
        for &key in &self.keys.of_line[..end] {
            if key != NO_KEY {
                seen[key as usize] = true;
            }
        }
        seen
    }

    fn pin_edge(&mut self, range: impl Iterator<Item = usize>, count: usize, skip: &[bool]) {
        let mut budget = count * EDGE_BYTES_PER_LINE;
        let mut pinned_keys: Vec<u32> = Vec::new();
        for (nth, i) in range.enumerate() {
            if matches!(
                self.role(i),
                Role::Pass | Role::NamedTitle | Role::ListedTitle | Role::Source
            ) {
                continue;
            }
            let key = self.key(i);
            if key != NO_KEY
                && (pinned_keys.contains(&key) || skip.get(key as usize) == Some(&true))
            {
                continue;
            }
            let cost = self.lines.raw[i].len();
            if nth > 0 && cost > budget {
                break;
            }
            budget = budget.saturating_sub(cost);
            self.fate[i] = Fate::Pinned;
            pinned_keys.push(key);
        }
    }

    /// Summaries, failing tests' names and report titles.
    fn pin_roles(&mut self) {
        for i in 0..self.lines.len() {
            if matches!(self.role(i), Role::Pinned | Role::Header) {
                self.fate[i] = Fate::Pinned;
            }
        }
    }

    fn want(&mut self, i: usize) {
        if self.fate[i] == Fate::Omitted {
            self.fate[i] = Fate::Wanted;
        }
    }

    /// Errors with their blocks, warnings, headers and query matches: the
    /// first line of each key. Returns the errors shown, for context.
    /// In a test run, the first lines shown before any report title are the
    /// end of a report cut off above (a piece of a long run): they count as
    /// a report, so the next report does not show them again.
    fn want_signals(&mut self, style: Style) -> Vec<usize> {
        let n = self.lines.len();
        let mut seen = vec![false; self.keys.count.len()];
        let block_cap = 10 * self.params.context_lines + 5;
        let mut errors = Vec::new();
        let mut in_a_report = FixedMap::default();
        if style.test_run {
            for i in 0..n {
                if matches!(
                    self.role(i),
                    Role::Header | Role::NamedTitle | Role::ListedTitle
                ) {
                    break;
                }
                if self.fate[i] == Fate::Pinned && self.role(i) != Role::Pinned {
                    in_a_report.insert(without_addresses(self.lines.content[i]), ());
                }
            }
        }
        for i in 0..n {
            let role = self.role(i);
            if matches!(role, Role::Header | Role::NamedTitle | Role::ListedTitle) {
                let shown = self.want_report(i, block_cap, &mut in_a_report);
                if role != Role::Header && shown > 0 {
                    self.fate[i] = Fate::Pinned;
                }
            }
            let key = self.key(i);
            let first = key == NO_KEY || !std::mem::replace(&mut seen[key as usize], true);
            if self.roles.query[i] {
                self.want(i);
            }
            if !first {
                continue;
            }
            match self.role(i) {
                Role::Error => {
                    self.want(i);
                    errors.push(i);
                    let indent = indent_of(self.lines.content[i]);
                    let mut j = i + 1;
                    while j < n && j <= i + block_cap && self.continues_block(j, indent) {
                        self.want(j);
                        j += 1;
                    }
                }
                Role::Warning => self.want(i),
                _ => {}
            }
        }
        errors
    }

    /// The report under the title at `title`: its lines up to the next
    /// title, summary or passing test, at most `cap` of them, except those
    /// an earlier report already shows word for word, memory addresses aside
    /// (they fold into it, so a hundred failures with one cause show that
    /// cause once, with counts).
    /// Report lines are pinned, not merely wanted: `assert 41 == 42` in one
    /// test and `assert 40 == 42` in the next are different failures, even
    /// though they differ only in numbers. Returns how many lines it shows.
    fn want_report(
        &mut self,
        title: usize,
        cap: usize,
        in_a_report: &mut FixedMap<Cow<'a, str>, ()>,
    ) -> usize {
        let mut shown = 0;
        for j in title + 1..self.lines.len() {
            if shown >= cap
                || matches!(
                    self.role(j),
                    Role::Header | Role::NamedTitle | Role::ListedTitle | Role::Pinned | Role::Pass
                )
                || self.lines.content[j].starts_with("====")
            {
                break;
            }
            let line = self.lines.content[j];
            if line.trim().is_empty() || self.role(j) == Role::Source {
                continue;
            }
            if in_a_report.insert(without_addresses(line), ()).is_none() {
                self.fate[j] = Fate::Pinned;
                shown += 1;
            }
        }
        shown
    }

    /// Line `j` continues the block of an error indented by `indent`: a stack
    /// frame, another error line, a line indented deeper, a caret or `-->`
    /// pointer, a `Caused by:`. Never a build tool's status line.
    fn continues_block(&self, j: usize, indent: usize) -> bool {
        let line = self.lines.content[j];
        if line.trim().is_empty() || is_status_line(line) || self.role(j) == Role::Pass {
            return false;
        }
        matches!(self.role(j), Role::Frame | Role::Error)
            || indent_of(line) > indent
            || line.starts_with("Caused by")
            || line.starts_with('>')
    }

    /// Bytes the output may still spend on context and examples: its share
    /// of the original, minus what the must-keep lines already take.
    fn spare_budget(&self) -> usize {
        let total: usize = self.lines.raw.iter().map(|l| l.len() + 1).sum();
        let share = SPARE_SHARE * profile_factor(self.params) * self.params.bias;
        let mut budget = (total as f64 * share) as usize;
        let mut shown_keys = vec![false; self.keys.count.len()];
        for i in 0..self.lines.len() {
            if self.fate[i] == Fate::Omitted {
                continue;
            }
            let key = self.key(i);
            if key != NO_KEY && std::mem::replace(&mut shown_keys[key as usize], true) {
                continue;
            }
            budget = budget.saturating_sub(self.lines.raw[i].len() + 1);
        }
        budget
    }

    /// True when line `i` would add a new line to the output if wanted (its
    /// shape is not shown yet).
    fn adds_line(&self, i: usize, shown_keys: &[bool]) -> bool {
        self.fate[i] == Fate::Omitted
            && (self.key(i) == NO_KEY || !shown_keys[self.key(i) as usize])
    }

    fn shown_keys(&self) -> Vec<bool> {
        let mut shown = vec![false; self.keys.count.len()];
        for i in 0..self.lines.len() {
            if self.fate[i] != Fate::Omitted && self.key(i) != NO_KEY {
                shown[self.key(i) as usize] = true;
            }
        }
        shown
    }

    /// Lines around each shown error, nearest first across all errors, while
    /// the budget lasts. Huge lines (a compiler invocation) are not context.
    fn want_context(&mut self, errors: &[usize], budget: &mut usize) {
        let n = self.lines.len();
        let mut shown_keys = self.shown_keys();
        for radius in 1..=self.params.context_lines {
            for &i in errors {
                for j in [i.checked_sub(radius), Some(i + radius).filter(|&j| j < n)]
                    .into_iter()
                    .flatten()
                {
                    if matches!(
                        self.role(j),
                        Role::Pass | Role::NamedTitle | Role::ListedTitle | Role::Source
                    ) || !self.adds_line(j, &shown_keys)
                    {
                        continue;
                    }
                    let cost = self.lines.raw[j].len() + 1;
                    if cost > MAX_CONTEXT_LINE_BYTES || cost > *budget {
                        continue;
                    }
                    *budget -= cost;
                    self.want(j);
                    self.kept_context = true;
                    if self.key(j) != NO_KEY {
                        shown_keys[self.key(j) as usize] = true;
                    }
                }
            }
        }
    }

    /// One example of each repeated pattern not shown yet, most frequent
    /// first, while the budget lasts.
    fn want_overview(&mut self, budget: &mut usize) {
        let shown_keys = self.shown_keys();
        // First line of each repeated plain key not shown yet.
        let mut first_line = vec![NONE; self.keys.count.len()];
        for i in 0..self.lines.len() {
            let key = self.key(i);
            if key != NO_KEY && self.role(i) == Role::Plain && first_line[key as usize] == NONE {
                first_line[key as usize] = i as u32;
            }
        }
        let mut candidates: Vec<(u32, u32)> = first_line
            .iter()
            .enumerate()
            .filter(|&(k, &i)| i != NONE && !shown_keys[k] && self.keys.count[k] >= 2)
            .map(|(k, &i)| (self.keys.count[k], i))
            .collect();
        candidates.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, i) in candidates {
            let cost = self.lines.raw[i as usize].len() + 1 + GAP_LINE_BYTES;
            if cost <= *budget {
                *budget -= cost;
                self.want(i as usize);
                self.kept_overview = true;
            }
        }
    }

    /// Pick the representative of each key (its first shown line) and fold
    /// every other unpinned line of that key into it.
    fn resolve(&mut self) {
        let n = self.lines.len();
        for i in 0..n {
            let key = self.key(i);
            if key != NO_KEY
                && matches!(self.fate[i], Fate::Pinned | Fate::Wanted)
                && self.rep[key as usize] == NONE
            {
                self.rep[key as usize] = i as u32;
            }
        }
        for i in 0..n {
            let key = self.key(i);
            if key == NO_KEY {
                continue;
            }
            let k = key as usize;
            let rep = self.rep[k];
            if rep == NONE {
                continue;
            }
            if rep as usize == i {
                self.rep_count[k] += 1;
                continue;
            }
            if self.fate[i] == Fate::Pinned {
                continue;
            }
            self.fate[i] = Fate::Folded;
            let follows_run = i == rep as usize + self.rep_count[k] as usize;
            if !follows_run || self.lines.raw[i] != self.lines.raw[rep as usize] {
                self.rep_exact[k] = false;
            }
            self.rep_count[k] += 1;
        }
    }

    /// Keep runs of omitted lines too short to pay for their gap line.
    /// Folded lines write nothing, so a run goes on across them (one gap
    /// line stands for all its omitted lines).
    fn keep_cheap_gaps(&mut self) {
        let n = self.lines.len();
        let mut i = 0;
        while i < n {
            if self.fate[i] != Fate::Omitted {
                i += 1;
                continue;
            }
            let start = i;
            let mut bytes = 0;
            while i < n && matches!(self.fate[i], Fate::Omitted | Fate::Folded) {
                if self.fate[i] == Fate::Omitted {
                    bytes += self.lines.raw[i].len() + 1;
                }
                i += 1;
            }
            if bytes < GAP_COST_BYTES {
                for j in start..i {
                    if self.fate[j] == Fate::Omitted {
                        self.fate[j] = Fate::Pinned;
                    }
                }
            }
        }
    }

    fn is_shown(&self, i: usize) -> bool {
        matches!(self.fate[i], Fate::Pinned | Fate::Wanted)
    }

    /// The plan, in original order. Consecutive byte-identical shown lines
    /// that are not representatives collapse exactly.
    fn items(&self, style: Style) -> Vec<Item> {
        let n = self.lines.len();
        let mut items = Vec::new();
        let mut gap = 0usize;
        let mut gap_passes = 0usize;
        let mut gap_titles = 0usize;
        let mut gap_listed: Vec<&str> = Vec::new();
        let mut i = 0;
        while i < n {
            match self.fate[i] {
                Fate::Folded => i += 1,
                Fate::Omitted => {
                    gap += 1;
                    match self.role(i) {
                        Role::Pass => gap_passes += 1,
                        Role::NamedTitle => gap_titles += 1,
                        Role::ListedTitle => gap_listed.push(self.lines.content[i]),
                        _ => {}
                    }
                    i += 1;
                }
                Fate::Pinned | Fate::Wanted => {
                    if gap > 0 {
                        let folded = FoldedTitles {
                            named: gap_titles,
                            listed: &gap_listed,
                        };
                        items.push(gap_item(gap, gap_passes, folded, style));
                        gap = 0;
                        gap_passes = 0;
                        gap_titles = 0;
                        gap_listed.clear();
                    }
                    let key = self.key(i);
                    if key != NO_KEY
                        && self.rep[key as usize] == i as u32
                        && self.rep_count[key as usize] > 1
                    {
                        let k = key as usize;
                        items.push(Item::Repeat {
                            idx: i,
                            count: self.rep_count[k] as usize,
                            exact: self.rep_exact[k],
                        });
                        i += 1;
                        continue;
                    }
                    let run = identical_run(self.lines, i, |j| {
                        self.is_shown(j)
                            && (self.key(j) == NO_KEY || self.rep[self.key(j) as usize] != j as u32)
                    });
                    items.push(if run > 1 {
                        Item::Repeat {
                            idx: i,
                            count: run,
                            exact: true,
                        }
                    } else {
                        Item::Keep(i)
                    });
                    i += run;
                }
            }
        }
        if gap > 0 {
            let folded = FoldedTitles {
                named: gap_titles,
                listed: &gap_listed,
            };
            items.push(gap_item(gap, gap_passes, folded, style));
        }
        items
    }

    /// What was kept, for the block marker.
    fn kept_phrase(&self) -> String {
        let shown =
            |role: Role| (0..self.lines.len()).any(|i| self.is_shown(i) && self.role(i) == role);
        let mut parts: Vec<&str> = Vec::new();
        if shown(Role::Error) {
            parts.push(if self.kept_context {
                "errors with context"
            } else {
                "errors"
            });
        }
        if shown(Role::Warning) {
            parts.push("warnings");
        }
        if (0..self.lines.len()).any(|i| self.roles.summary[i]) {
            parts.push("summaries");
        }
        if (0..self.lines.len()).any(|i| self.roles.query[i] && self.is_shown(i)) {
            parts.push("query matches");
        }
        parts.push("first/last");
        if self.kept_overview {
            parts.push("one line per repeated pattern");
        }
        parts.join(", ")
    }
}

/// How much more (or less) a profile keeps than `balanced`, read off its
/// context setting so profiles stay defined in one place ([`Params`]).
fn profile_factor(params: &Params) -> f64 {
    let balanced = Params::new(crate::options::Profile::Balanced, params.bias);
    (params.head_lines as f64 / balanced.head_lines.max(1) as f64).max(0.25)
}

/// Report titles a gap stands for: those whose test a kept line names
/// (counted) and those whose test nothing else names (listed).
struct FoldedTitles<'t, 'a> {
    named: usize,
    listed: &'t [&'a str],
}

/// The gap line; in a test run it says how many of its lines were passing
/// tests and titles of reports folded into one shown above, and lists the
/// titles no other kept line names.
fn gap_item(count: usize, passes: usize, folded: FoldedTitles, style: Style) -> Item {
    let titles = folded.named;
    if !style.test_run || passes + titles + folded.listed.len() == 0 {
        return Item::Omit { count, text: None };
    }
    let lines = if count == 1 { "line" } else { "lines" };
    let mut parts = Vec::new();
    if passes > 0 {
        parts.push(format!("{passes} passed"));
    }
    if titles > 0 {
        let of = if titles == 1 { "title" } else { "titles" };
        parts.push(format!("{titles} report {of} of tests named elsewhere"));
    }
    if !folded.listed.is_empty() {
        let n = folded.listed.len();
        let of = if n == 1 { "title" } else { "titles" };
        parts.push(format!(
            "{n} report {of} with nothing new in the report: {}",
            list_titles(folded.listed)
        ));
    }
    Item::Omit {
        count,
        text: Some(format!(
            "[headroom: {count} {lines} omitted ({})]",
            parts.join(", ")
        )),
    }
}

/// Titles' texts without their `_` frames, a run of the same form
/// (`ERROR at setup of`) written once: `ERROR at setup of: test_a test_b`.
/// Spaces, not commas, separate names: a comma costs a token per name, a
/// space merges into the name's first token. A parametrized test following
/// one of the same function is written by its parameters alone
/// (`test_x[a-1] [b-2]` for `test_x[a-1]` and `test_x[b-2]`): sixteen
/// parametrizations of one test would otherwise repeat its name sixteen
/// times, the costliest part of the list.
fn list_titles(titles: &[&str]) -> String {
    let mut out = String::new();
    let mut last_form = None;
    let mut last_function = None;
    for title in titles {
        let text = title.trim().trim_matches('_').trim();
        let (form, name) = title_form(text);
        if last_form == Some(form) {
            out.push(' ');
        } else {
            if last_form.is_some() {
                out.push_str("; ");
            }
            if !form.is_empty() {
                out.push_str(form);
                out.push_str(": ");
            }
            last_form = Some(form);
            last_function = None;
        }
        match split_parameters(name) {
            Some((function, parameters)) if last_function == Some(function) => {
                out.push_str(parameters);
            }
            split => {
                last_function = split.map(|(function, _)| function);
                out.push_str(name);
            }
        }
    }
    out
}

/// A parametrized test's function and parameters: (`test_x`, `[a-1]`) from
/// `test_x[a-1]`.
fn split_parameters(name: &str) -> Option<(&str, &str)> {
    let at = name.find('[')?;
    (at > 0 && name.ends_with(']')).then(|| name.split_at(at))
}

/// A pytest title's form and test: (`ERROR at setup of`, `test_x`) from
/// `ERROR at setup of test_x`, (`ERROR collecting`, `t.py`), or no form.
fn title_form(text: &str) -> (&str, &str) {
    if let Some(name) = text.strip_prefix("ERROR collecting ") {
        return ("ERROR collecting", name);
    }
    match text.find(" of ") {
        Some(at) if text.starts_with("ERROR at ") => (&text[..at + 3], &text[at + 4..]),
        _ => ("", text),
    }
}

/// `line` with memory addresses (`0x7f304f68af50`) blanked: Python prints
/// one in every `<object at 0x...>`, and it differs in every report.
fn without_addresses(line: &str) -> Cow<'_, str> {
    if !line.contains("0x") {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find("0x") {
        let digits = rest[at + 2..]
            .bytes()
            .take_while(u8::is_ascii_hexdigit)
            .count();
        out.push_str(&rest[..at + 2]);
        if digits < 6 {
            out.push_str(&rest[at + 2..at + 2 + digits]);
        }
        rest = &rest[at + 2 + digits..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Width of a line's leading whitespace.
fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// A build tool's right-aligned status line (`   Compiling foo v1.0`,
/// `     Running `rustc …``): a record of its own, never part of a block.
fn is_status_line(line: &str) -> bool {
    let t = line.trim_start();
    let word = t.split(' ').next().unwrap_or("");
    word.len() >= 4
        && word.len() + indent_of(line) == 12
        && word.as_bytes()[0].is_ascii_uppercase()
        && word[1..].bytes().all(|b| b.is_ascii_lowercase())
}
