//! `text` transform: documentation and plain text (Markdown, reStructuredText,
//! READMEs), and the fallback for outputs of no other kind.
//!
//! The outline stays: every heading (Markdown `#`, underlined titles, HTML
//! `<hN>`), the first line of every paragraph, the opening line of every
//! code block, the first items of every list, the head of every table, and
//! every line that matches the query or reports an error. Lines repeated
//! from earlier are left out, and so is the rest of each paragraph; gap lines
//! say how many lines each omission stands for.
//!
//! Source code that ends up here (no path, unknown extension) is outlined
//! instead: top-level lines and nested definitions, so the result reads as
//! a skeleton of the file rather than a random sample of its statements.

use super::{mask, search, Ctx, Outcome};
use crate::lines::Lines;
use crate::plan::Item;
use crate::query::Query;
use crate::signals::{self, Signal};

/// Lines shorter than this are never treated as repeats worth omitting.
const MIN_REPEAT_LEN: usize = 8;

/// Prose lines at least this long are cut to their first sentence...
const LONG_LINE: usize = 160;
/// ...and lines at least this long, if their first sentence is longer than
/// this, to their first words.
const VERY_LONG_LINE: usize = 240;
/// A first sentence shorter than this is not a useful summary; a cut that
/// saves less than this is not worth a marker.
const MIN_SENTENCE: usize = 30;
const MIN_CUT: usize = 60;
/// Words ending in a period that do not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "e.g", "i.e", "etc", "vs", "cf", "resp", "approx", "incl", "mr", "mrs", "dr",
];

/// Share of non-blank lines that must look like code for the code outline.
const CODE_SHARE: f64 = 0.45;

/// What a line of a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Blank,
    /// A title, its underline/overline, or an HTML heading block line.
    Heading,
    /// A code fence (```` ``` ````, `~~~`) opening or closing.
    Fence,
    /// A line inside a code fence.
    Code,
    /// Any other line; grouped into blocks by blank lines.
    Prose,
}

pub fn compress(lines: &Lines, ctx: &Ctx) -> Outcome {
    if ctx.lossless_only {
        return mask::lossless(lines);
    }
    let content = &lines.content;
    let query = mask::discriminative_query(ctx.query, content);
    if looks_like_code(content) {
        let keep = outline_code(content, &query);
        return mask::outcome(
            lines,
            keep,
            "top-level lines and definitions, query matches",
        );
    }
    let roles = roles(content);
    let keep = outline_document(content, &roles, &query, ctx.params.head_lines.max(1));
    let outcome = mask::outcome(
        lines,
        keep,
        "headings, first line of each paragraph, code block openers, query matches",
    );
    let Outcome::Lines(mut plan) = outcome else {
        return outcome;
    };
    for item in &mut plan.items {
        if let Item::Keep(idx) = *item {
            if roles[idx] == Role::Prose && !query.matches(content[idx]) {
                if let Some(text) = first_sentence(lines.raw[idx], content[idx]) {
                    *item = Item::Omit {
                        count: 1,
                        text: Some(text),
                    };
                }
            }
        }
    }
    Outcome::Lines(plan)
}

/// A long prose line (Markdown often puts a whole paragraph on one line)
/// cut to its first sentence, or for a very long line without an early
/// sentence end, to its first words; a marker says how much was cut. The
/// line-number prefix of `raw`, if any, is kept. Never cuts inside code
/// spans or links.
fn first_sentence(raw: &str, content: &str) -> Option<String> {
    if content.len() < LONG_LINE || signals::classify(content) == Signal::Error {
        return None;
    }
    let bytes = content.as_bytes();
    let (mut ticks, mut depth) = (0usize, 0i32);
    let mut last_space = None;
    let mut end = None;
    for (pos, &b) in bytes.iter().enumerate() {
        match b {
            b'`' => ticks += 1,
            b'[' | b'(' => depth += 1,
            b']' | b')' => depth -= 1,
            _ => {}
        }
        let free = ticks % 2 == 0 && depth <= 0;
        if b == b' ' && free && pos <= LONG_LINE {
            last_space = Some(pos);
        }
        let ends_sentence = matches!(b, b'.' | b'?' | b'!') && bytes.get(pos + 1) == Some(&b' ');
        if !ends_sentence || !free || pos < MIN_SENTENCE || content.len() - pos < MIN_CUT {
            continue;
        }
        let word = content[..pos].rsplit(' ').next().unwrap_or("");
        if word.len() >= 3 && !ABBREVIATIONS.contains(&word.to_ascii_lowercase().as_str()) {
            end = Some(pos + 1);
            break;
        }
    }
    let end = match end {
        Some(end) if end <= VERY_LONG_LINE => end,
        _ if content.len() >= VERY_LONG_LINE => last_space.filter(|&p| p >= MIN_SENTENCE)?,
        other => other?,
    };
    let prefix = &raw[..raw.len() - content.len()];
    let cut = content[end..].chars().count();
    Some(format!(
        "{prefix}{} [headroom: {cut} chars omitted]",
        &content[..end]
    ))
}

/// Keep-mask for a document.
fn outline_document(
    content: &[&str],
    roles: &[Role],
    query: &Query,
    list_items: usize,
) -> Vec<bool> {
    let mut keep: Vec<bool> = roles
        .iter()
        .map(|r| matches!(r, Role::Heading | Role::Fence))
        .collect();

    // The first non-blank line of each code block says what the block is.
    let mut first_in_block = true;
    for (idx, role) in roles.iter().enumerate() {
        match role {
            Role::Code if first_in_block && !content[idx].trim().is_empty() => {
                keep[idx] = true;
                first_in_block = false;
            }
            Role::Code => {}
            _ => first_in_block = true,
        }
    }

    let mut list_seen = 0usize;
    let mut previous_end: Option<usize> = None;
    for block in prose_blocks(roles) {
        let continues_list = previous_end
            .is_some_and(|end| roles[end + 1..block[0]].iter().all(|r| *r == Role::Blank));
        if !continues_list {
            list_seen = 0;
        }
        list_seen = keep_block_outline(content, &block, list_items, list_seen, &mut keep);
        previous_end = block.last().copied();
    }

    for (idx, line) in content.iter().enumerate() {
        let error = roles[idx] == Role::Prose && signals::classify(line) == Signal::Error;
        if query.matches(line) || error {
            keep[idx] = true;
        }
    }
    drop_repeats(content, roles, &mut keep);
    keep_blank_separators(roles, &mut keep);
    keep
}

/// The role of every line: fences first (nothing inside a fence is a
/// heading), then headings.
fn roles(content: &[&str]) -> Vec<Role> {
    let mut roles = vec![Role::Prose; content.len()];
    let mut fence: Option<(char, usize)> = starts_inside_fence(content);
    for (idx, line) in content.iter().enumerate() {
        let marker = fence_at(content, idx, fence.is_some());
        match (fence, marker) {
            (None, Some(m)) => {
                fence = Some(m);
                roles[idx] = Role::Fence;
            }
            (Some((c, n)), Some((mc, mn))) if c == mc && mn >= n && line.trim().len() == mn => {
                fence = None;
                roles[idx] = Role::Fence;
            }
            (Some(_), _) => roles[idx] = Role::Code,
            (None, None) if line.trim().is_empty() => roles[idx] = Role::Blank,
            (None, None) => {}
        }
    }
    mark_headings(content, &mut roles);
    mark_literal_blocks(content, &mut roles);
    roles
}

/// reStructuredText literal blocks and directive bodies: the indented lines
/// after a line ending in `::` or a `.. directive::` line are code.
fn mark_literal_blocks(content: &[&str], roles: &mut [Role]) {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let mut idx = 0;
    while idx < content.len() {
        let t = content[idx].trim();
        if roles[idx] != Role::Prose
            || !(t.ends_with("::") || t.starts_with(".. ") && t.contains("::"))
        {
            idx += 1;
            continue;
        }
        let base = indent(content[idx]);
        let mut last = idx;
        let mut j = idx + 1;
        while j < content.len() && matches!(roles[j], Role::Prose | Role::Blank) {
            if roles[j] == Role::Prose {
                if indent(content[j]) <= base {
                    break;
                }
                roles[last + 1..=j].iter_mut().for_each(|r| *r = Role::Code);
                last = j;
            }
            j += 1;
        }
        idx = last.max(idx) + 1;
    }
}

/// For a piece of a document cut inside a code block: the fence that is
/// open at its first line. Markers with an info string (```` ```java ````)
/// only ever open a block; if, counting from "outside", one of them would
/// close a block, the piece must have started inside one.
fn starts_inside_fence(content: &[&str]) -> Option<(char, usize)> {
    let markers: Vec<(&str, (char, usize))> = (0..content.len())
        .filter_map(|i| fence_at(content, i, false).map(|m| (content[i].trim(), m)))
        .collect();
    let (first_line, first) = *markers.first()?;
    let has_info = |line: &str, (_, n): (char, usize)| line.len() > n;
    let opener_at_odd = markers
        .iter()
        .skip(1)
        .step_by(2)
        .any(|&(l, m)| has_info(l, m));
    (!has_info(first_line, first) && opener_at_odd).then_some(first)
}

/// The fence marker on line `idx`, unless the line underlines the title
/// above it (reStructuredText underlines titles with backticks too; the
/// underline is at least as long as the title). Inside a fence, a marker
/// always closes it.
fn fence_at(content: &[&str], idx: usize, inside: bool) -> Option<(char, usize)> {
    let marker = fence_marker(content[idx])?;
    let underline = !inside
        && idx > 0
        && content[idx].trim().len() == marker.1
        && marker.1 >= content[idx - 1].trim().chars().count()
        && fence_marker(content[idx - 1]).is_none()
        && !is_atx_heading(content[idx - 1].trim_start())
        && is_underline(content[idx], content[idx - 1]);
    (!underline).then_some(marker)
}

/// ```` ``` ```` or `~~~` (3 or more, indented at most 3 spaces).
fn fence_marker(line: &str) -> Option<(char, usize)> {
    let t = line.trim_start_matches(' ');
    if line.len() - t.len() > 3 {
        return None;
    }
    let c = t.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = t.chars().take_while(|x| *x == c).count();
    (n >= 3).then_some((c, n))
}

/// Mark ATX headings, underlined (setext / reStructuredText) titles with
/// their underline and overline, and HTML `<hN>` blocks.
fn mark_headings(content: &[&str], roles: &mut [Role]) {
    let mut idx = 0;
    while idx < content.len() {
        if roles[idx] != Role::Prose {
            idx += 1;
            continue;
        }
        let line = content[idx];
        let t = line.trim_start();
        if is_atx_heading(t) {
            roles[idx] = Role::Heading;
        } else if let Some(level) = html_heading_level(t) {
            let close = format!("</h{level}");
            let end = (idx..content.len().min(idx + 5))
                .find(|&j| content[j].contains(&close))
                .unwrap_or(idx);
            roles[idx..=end].iter_mut().for_each(|r| *r = Role::Heading);
            idx = end;
        } else if idx + 1 < content.len()
            && roles[idx + 1] == Role::Prose
            && is_underline(content[idx + 1], line)
        {
            roles[idx] = Role::Heading;
            roles[idx + 1] = Role::Heading;
            if idx > 0 && roles[idx - 1] == Role::Prose && is_underline(content[idx - 1], line) {
                roles[idx - 1] = Role::Heading;
            }
            idx += 1;
        }
        idx += 1;
    }
}

fn is_atx_heading(t: &str) -> bool {
    let hashes = t.bytes().take_while(|&b| b == b'#').count();
    (1..=6).contains(&hashes) && t[hashes..].starts_with(' ')
}

fn html_heading_level(t: &str) -> Option<u8> {
    let rest = t.strip_prefix("<h").or_else(|| t.strip_prefix("<H"))?;
    let level = rest.bytes().next().filter(|b| (b'1'..=b'6').contains(b))?;
    matches!(rest.as_bytes().get(1), Some(b'>') | Some(b' ')).then_some(level - b'0')
}

/// A line of one repeated punctuation character, at least 3 long and about
/// as long as the title it underlines (which must be text, not indented).
fn is_underline(line: &str, title: &str) -> bool {
    const CHARS: &str = "=-~^*+#\"'`:._";
    let t = line.trim_end();
    let Some(c) = t.chars().next() else {
        return false;
    };
    if title.starts_with([' ', '\t']) {
        return false;
    }
    let title = title.trim();
    CHARS.contains(c)
        && t.len() >= 3
        && t.chars().all(|x| x == c)
        && !title.is_empty()
        && title.chars().any(char::is_alphanumeric)
        && t.len() * 2 >= title.chars().count()
}

/// Runs of consecutive prose lines (paragraphs, lists, tables, indented
/// blocks), as line indices.
fn prose_blocks(roles: &[Role]) -> Vec<Vec<usize>> {
    let mut blocks = Vec::new();
    let mut current = Vec::new();
    for (idx, role) in roles.iter().enumerate() {
        if *role == Role::Prose {
            current.push(idx);
        } else if !current.is_empty() {
            blocks.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        blocks.push(current);
    }
    blocks
}

/// Keep the outline of one block: a table's head, a list's first items
/// (`list_seen` items of the same list came in earlier blocks; returns the
/// new count), a paragraph's first line. Link definitions (`[x]: url`) and
/// HTML comments are left out whole.
fn keep_block_outline(
    content: &[&str],
    block: &[usize],
    list_items: usize,
    list_seen: usize,
    keep: &mut [bool],
) -> usize {
    let first = content[block[0]].trim_start();
    if first.starts_with('|') {
        block.iter().take(2).for_each(|&i| keep[i] = true);
        return 0;
    }
    if is_list_item(first) {
        let items: Vec<usize> = block
            .iter()
            .copied()
            .filter(|&i| is_list_item(content[i].trim_start()))
            .collect();
        items
            .iter()
            .take(list_items.saturating_sub(list_seen))
            .for_each(|&i| keep[i] = true);
        return list_seen + items.len();
    }
    if is_link_definition(first) || first.starts_with("<!--") {
        return 0;
    }
    keep[block[0]] = true;
    // A line introducing a literal block (`Example::`) stays with the
    // paragraph's first line.
    for &i in &block[1..] {
        if content[i].trim_end().ends_with("::") {
            keep[i] = true;
        }
    }
    0
}

/// `[label]: target` (a Markdown link reference definition).
fn is_link_definition(t: &str) -> bool {
    t.starts_with('[')
        && t.split_once("]:")
            .is_some_and(|(label, _)| !label.contains(']'))
}

/// `- x`, `* x`, `+ x`, `1. x`, `1) x`.
fn is_list_item(t: &str) -> bool {
    if t.starts_with("- ") || t.starts_with("* ") || t.starts_with("+ ") {
        return true;
    }
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && digits < 4 && (t[digits..].starts_with(". ") || t[digits..].starts_with(") "))
}

/// Omit lines seen before (exactly); headings and fences stay, they are
/// structure.
fn drop_repeats(content: &[&str], roles: &[Role], keep: &mut [bool]) {
    let mut seen = std::collections::HashSet::new();
    for (idx, line) in content.iter().enumerate() {
        if matches!(roles[idx], Role::Heading | Role::Fence | Role::Blank)
            || line.trim().len() < MIN_REPEAT_LEN
        {
            continue;
        }
        if !seen.insert(*line) {
            keep[idx] = false;
        }
    }
}

/// A blank line stays when the lines on both sides stay.
fn keep_blank_separators(roles: &[Role], keep: &mut [bool]) {
    for idx in 0..roles.len() {
        if roles[idx] == Role::Blank {
            let before = idx == 0 || keep[idx - 1];
            let after = keep.get(idx + 1).copied().unwrap_or(true);
            keep[idx] = before && after;
        }
    }
}

/// True when enough lines look like source code (braces, semicolons,
/// definitions) and the text has no Markdown fences or headings.
fn looks_like_code(content: &[&str]) -> bool {
    let non_blank: Vec<&str> = content
        .iter()
        .copied()
        .filter(|l| !l.trim().is_empty())
        .collect();
    if non_blank.is_empty()
        || non_blank
            .iter()
            .any(|l| fence_marker(l).is_some() || is_atx_heading(l))
    {
        return false;
    }
    let codey = non_blank
        .iter()
        .filter(|l| {
            let t = l.trim();
            t.ends_with(['{', '}', ';', '(', ')', ',', ':'])
                || t.starts_with("//")
                || t.starts_with("import ")
                || t.starts_with("use ")
                || t.starts_with("return")
                || t.starts_with('@')
                || search::is_definition(t)
        })
        .count();
    codey as f64 >= non_blank.len() as f64 * CODE_SHARE
}

/// Keep-mask for source code: top-level lines, definitions nested one level
/// down (methods), decorators right above kept lines, and query matches.
fn outline_code(content: &[&str], query: &Query) -> Vec<bool> {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let unit = content
        .iter()
        .map(|l| indent(l))
        .filter(|&n| n > 0 && n < 9)
        .min()
        .unwrap_or(4);
    let mut keep: Vec<bool> = content
        .iter()
        .map(|l| {
            let t = l.trim();
            let depth = indent(l);
            !t.is_empty()
                && (depth == 0 || depth <= unit && (search::is_definition(t) || t.starts_with('@')))
                || query.matches(l)
        })
        .collect();
    let blank: Vec<Role> = content
        .iter()
        .map(|l| {
            if l.trim().is_empty() {
                Role::Blank
            } else {
                Role::Prose
            }
        })
        .collect();
    keep_blank_separators(&blank, &mut keep);
    keep
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::Params;
    use crate::plan::{Item, Plan};
    use crate::transforms::corpus::Targets;

    fn plan_of(text: &str, query: &Query) -> Plan {
        let ctx = Ctx {
            params: Params::default(),
            query,
            lossless_only: false,
            hash: "000000000000000000000000",
            file_path: None,
            tool_name: None,
        };
        match compress(&Lines::parse(text), &ctx) {
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
    fn roles_see_headings_fences_and_underlines() {
        let text =
            "Title\n=====\n\n# Atx\n```\n# not a heading\n```\n<h3 name=\"x\">\nQ?\n</h3>\nplain\n";
        let r = roles(&Lines::parse(text).content);
        use Role::*;
        assert_eq!(
            r,
            vec![
                Heading, Heading, Blank, Heading, Fence, Code, Fence, Heading, Heading, Heading,
                Prose
            ]
        );
        let rst = "Variable Rules\n``````````````\n\ntext\n";
        assert_eq!(
            roles(&Lines::parse(rst).content),
            vec![Heading, Heading, Blank, Prose]
        );
    }

    #[test]
    fn a_piece_cut_inside_a_code_block_is_read_as_code() {
        let text = "int x = 1;\nint y = 2;\n```\n\nSome prose.\n\n```java\nint z;\n```\n";
        let r = roles(&Lines::parse(text).content);
        use Role::*;
        assert_eq!(
            r,
            vec![Code, Code, Fence, Blank, Prose, Blank, Fence, Code, Fence]
        );
    }

    #[test]
    fn keeps_outline_and_query_lines_of_a_document() {
        let mut text = String::from("# Guide\n\n");
        for n in 0..6 {
            text.push_str(&format!(
                "Paragraph {n} opens here with a sentence.\nIt goes on for a while\n"
            ));
            text.push_str("and on, saying more than the outline needs.\n\n");
        }
        text.push_str(
            "The retry_budget setting is explained at the very end\nof this long paragraph.\n",
        );
        let query = Query::from_texts(["retry_budget"]);
        let lines = Lines::parse(&text);
        let plan = plan_of(&text, &query);
        let kept = kept(&plan);
        for (idx, line) in lines.content.iter().enumerate() {
            let expected = line.starts_with('#')
                || line.starts_with("Paragraph")
                || line.contains("retry_budget");
            if expected {
                assert!(kept.contains(&idx), "dropped {line:?}");
            }
            if line.starts_with("and on") {
                assert!(!kept.contains(&idx), "kept {line:?}");
            }
        }
    }

    #[test]
    fn long_lines_are_cut_to_their_first_sentence_outside_code_and_links() {
        let sentence = "Gson can serialize `a. b` and [x. y](u) objects easily.";
        let long = format!("{sentence} {}", "More words here. ".repeat(10));
        let cut = first_sentence(&format!("12\t{long}"), &long).expect("cut");
        let omitted = long.len() - sentence.len();
        assert_eq!(
            cut,
            format!("12\t{sentence} [headroom: {omitted} chars omitted]")
        );
        let run_on = "word ".repeat(60);
        let cut = first_sentence(&run_on, &run_on).expect("cut");
        assert!(cut.len() < 200 && cut.contains("chars omitted]"));
        assert_eq!(first_sentence("short. line", "short. line"), None);
    }

    #[test]
    fn code_is_outlined_by_definitions() {
        let mut text = String::from("use std::fmt;\n\nimpl Thing {\n");
        for n in 0..5 {
            text.push_str(&format!("    pub fn method_{n}(&self) -> usize {{\n"));
            text.push_str(&format!(
                "        let x = self.value * {n};\n        x + 1\n    }}\n\n"
            ));
        }
        text.push_str("}\n");
        let lines = Lines::parse(&text);
        let plan = plan_of(&text, &Query::default());
        let kept_lines: Vec<&str> = kept(&plan).into_iter().map(|i| lines.content[i]).collect();
        assert!(kept_lines.contains(&"impl Thing {"));
        assert!(kept_lines.contains(&"    pub fn method_3(&self) -> usize {"));
        assert!(!kept_lines.iter().any(|l| l.contains("let x")));
    }

    #[test]
    fn corpus_invariants_hold() {
        crate::transforms::corpus::assert_invariants("text", "text");
    }

    #[test]
    fn corpus_lines_asked_about_are_kept() {
        crate::transforms::corpus::assert_query_lines_kept("text", "text");
    }

    #[test]
    fn corpus_savings_reach_the_target() {
        let targets = Targets {
            overall: 0.40,
            each_file: 0.40,
            each_piece: 0.40,
        };
        crate::transforms::corpus::assert_savings("text", "text", true, targets);
    }
}
