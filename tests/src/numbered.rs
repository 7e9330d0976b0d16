//! Files as Claude Code's Read tool returns them: every line prefixed with
//! its 1-based number and a tab. The agent edits by those numbers, so every
//! line kept by compression must still carry its own, correct number.

/// `text` with a `{n}\t` prefix on every line (1-based). A final newline
/// stays a final newline; `\r` stays part of its line.
pub fn number(text: &str) -> String {
    number_from(text, 1)
}

/// [`number`], the first line numbered `first` (a chunk read with an
/// offset, as the Read tool does for long files).
pub fn number_from(text: &str, first: usize) -> String {
    let body = text.strip_suffix('\n').unwrap_or(text);
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    if !text.is_empty() {
        for (i, line) in body.split('\n').enumerate() {
            out.push_str(&(i + first).to_string());
            out.push('\t');
            out.push_str(line);
            out.push('\n');
        }
    }
    if !text.ends_with('\n') {
        out.pop();
    }
    out
}

/// Split a numbered line into its number and content.
pub fn split(line: &str) -> Option<(usize, &str)> {
    let trimmed = line.trim_start_matches(' ');
    let (digits, content) = trimmed.split_once('\t')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((digits.parse().ok()?, content))
}

/// An output line with its number prefix (if any) removed.
pub fn content(line: &str) -> &str {
    split(line).map_or(line, |(_, content)| content)
}

/// Lines of a compressed numbered output that break the promise: a numbered
/// line whose content is not the original line of that number (nor that
/// line shortened in the one accepted form, see [`shortened_from`]), numbers
/// out of order, or a line without a number that is not an omission marker
/// (see [`is_omission_marker`]). An unnumbered line equal to some original
/// line is always a problem: it is a kept line that lost its number. Returns
/// one message per offending line.
pub fn problems(original: &str, output: &str) -> Vec<String> {
    let originals: Vec<&str> = original
        .strip_suffix('\n')
        .unwrap_or(original)
        .split('\n')
        .collect();
    let original_set: std::collections::HashSet<&str> = originals.iter().copied().collect();
    let mut found = Vec::new();
    let mut last_number = 0usize;
    for (at, raw) in output
        .strip_suffix('\n')
        .unwrap_or(output)
        .split('\n')
        .enumerate()
    {
        let line = crate::fidelity::strip_repeat_suffix(raw);
        let at = at + 1;
        match split(line) {
            Some((n, content)) => {
                match n.checked_sub(1).and_then(|i| originals.get(i)) {
                    Some(expected) if *expected == content => {}
                    Some(expected) if shortened_from(content, expected) => {}
                    Some(expected) => found.push(format!(
                        "output line {at}: number {n} but content {content:?} != {expected:?}"
                    )),
                    None => found.push(format!(
                        "output line {at}: number {n} is past the end of the file"
                    )),
                }
                if n <= last_number {
                    found.push(format!(
                        "output line {at}: number {n} does not follow number {last_number}"
                    ));
                }
                last_number = n;
            }
            None if original_set.contains(line) && !line.trim().is_empty() => found.push(format!(
                "output line {at}: kept line lost its number: {line:?}"
            )),
            None if is_omission_marker(line) => {}
            None => found.push(format!("output line {at}: no line number: {line:?}")),
        }
    }
    found
}

/// The one accepted form of a shortened line: a prefix of the original line,
/// then ` [headroom: N chars omitted]` where N is exactly the number of
/// characters cut off the end. (The `text` transform cuts long prose lines
/// to their first sentence; the block marker's hash retrieves the rest.)
pub fn shortened_from(content: &str, original: &str) -> bool {
    let Some(head) = content.strip_suffix(" chars omitted]") else {
        return false;
    };
    let Some((kept, count)) = head.rsplit_once(" [headroom: ") else {
        return false;
    };
    let Ok(count) = count.parse::<usize>() else {
        return false;
    };
    count > 0
        && original
            .strip_prefix(kept)
            .is_some_and(|rest| rest.chars().count() == count)
}

/// True when `line` is one of the marker grammar's omission lines (see
/// `docs/markers.md`), whatever comment syntax surrounds it:
/// - a gap line, exactly `[headroom: N lines omitted]`, or with a note:
///   `[headroom: N lines omitted (12 passed)]`;
/// - a block marker, `[headroom: … omitted … · headroom_retrieve("<hash>")]`
///   at the end of the line (a comment prefix may precede it);
/// - a code elision line, `… N lines omitted · headroom_retrieve("<hash>")`
///   after the indentation and comment opener, with at most a comment closer
///   after it.
pub fn is_omission_marker(line: &str) -> bool {
    let t = line.trim();
    if let Some(body) = t
        .strip_prefix("[headroom: ")
        .and_then(|r| r.strip_suffix(']'))
    {
        // `N lines omitted`, or `N lines omitted (note)` (a test run's gap
        // says how many tests passed in it).
        let count = body.strip_suffix(" omitted").or_else(|| {
            let (head, note) = body.split_once(" omitted (")?;
            (note.ends_with(')') && !note[..note.len() - 1].contains(['(', ')'])).then_some(head)
        });
        if let Some(count) = count {
            return counted(count, "line");
        }
    }
    if let Some(at) = t.find("[headroom: ") {
        let block = &t[at..];
        if block.contains(" omitted") && ends_with_call(block, "]") {
            return true;
        }
    }
    if let Some(at) = t.find("… ") {
        let elision = &t[at + "… ".len()..];
        if let Some((count, call)) = elision.split_once(" omitted · ") {
            let closer = call.rsplit_once("\")").map_or("", |(_, tail)| tail).trim();
            return counted(count, "line")
                && ends_with_call(call, closer)
                && closer.chars().all(|c| c.is_ascii_punctuation());
        }
    }
    false
}

/// `"N lines"` / `"1 line"`.
fn counted(text: &str, noun: &str) -> bool {
    let Some((n, word)) = text.split_once(' ') else {
        return false;
    };
    !n.is_empty()
        && n.bytes().all(|b| b.is_ascii_digit())
        && (word == noun || word.strip_suffix('s') == Some(noun))
}

/// True when `text` ends with `headroom_retrieve("<hash>")` then `closer`,
/// the hash a well-formed Headroom hash.
fn ends_with_call(text: &str, closer: &str) -> bool {
    let Some(before) = text.strip_suffix(closer) else {
        return false;
    };
    let Some(call) = before.trim_end().strip_suffix("\")") else {
        return false;
    };
    call.rsplit_once("headroom_retrieve(\"")
        .is_some_and(|(_, hash)| headroom_core::hash::is_hash(hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering_round_trips() {
        assert_eq!(number("a\nb\n"), "1\ta\n2\tb\n");
        assert_eq!(number("a\r\n\nc"), "1\ta\r\n2\t\n3\tc");
        assert_eq!(number(""), "");
        assert_eq!(number_from("x\ny\n", 41), "41\tx\n42\ty\n");
        assert_eq!(split("  12\tx\ty"), Some((12, "x\ty")));
        assert_eq!(split("x\t12"), None);
        assert_eq!(content("3\tfoo"), "foo");
    }

    #[test]
    fn problems_catch_wrong_missing_and_out_of_range_numbers() {
        let original = "a\nb\nc\nd\n";
        assert!(problems(original, "1\ta\n[headroom: 2 lines omitted]\n4\td [×2]\n").is_empty());
        assert_eq!(problems(original, "2\ta\n").len(), 1, "wrong number");
        assert_eq!(problems(original, "a\n").len(), 1, "number lost");
        assert_eq!(problems(original, "9\ta\n").len(), 1, "number past the end");
        assert_eq!(problems(original, "3\tc\n1\ta\n").len(), 1, "out of order");
        assert_eq!(
            problems(original, "x headroom y\n").len(),
            1,
            "mentioning headroom does not make a line a marker"
        );
    }

    const HASH: &str = "3f9a2c7b1e04d5a6a1b2c3d4";

    #[test]
    fn omission_markers_are_exempt_but_real_lines_are_not() {
        let original = "fn main() {\n    let a = 1;\n    let b = 2;\n    // 2 lines omitted\n}\n";
        let elided = format!(
            "1\tfn main() {{\n    // … 3 lines omitted · headroom_retrieve(\"{HASH}\")\n5\t}}\n"
        );
        assert!(
            problems(original, &elided).is_empty(),
            "{:?}",
            problems(original, &elided)
        );
        let block = format!(
            "# [headroom: 3 of 5 lines omitted (kept x) · headroom_retrieve(\"{HASH}\")]\n1\tfn main() {{\n"
        );
        assert!(problems(original, &block).is_empty());
        let closed = format!("  /* … 1 line omitted · headroom_retrieve(\"{HASH}\") */");
        assert!(is_omission_marker(&closed));
        assert!(!is_omission_marker("  // … 3 lines omitted"), "no hash");
        assert!(!is_omission_marker(&format!(
            "// … 3 lines omitted · headroom_retrieve(\"{HASH}\") let x = 1;"
        )));
        assert!(!is_omission_marker("[headroom: many lines omitted]"));
        assert!(is_omission_marker("[headroom: 1 line omitted]"));
        assert!(is_omission_marker(
            "[headroom: 40 lines omitted (38 passed)]"
        ));
        assert!(!is_omission_marker(
            "[headroom: 40 lines omitted (38 passed]"
        ));
        // A real source line that merely looks like an elision still needs its number.
        let lost = problems(original, "1\tfn main() {\n    // 2 lines omitted\n");
        assert_eq!(lost.len(), 1, "{lost:?}");
        assert!(lost[0].contains("lost its number"), "{lost:?}");
        // A kept line with a wrong number next to markers still fails.
        let wrong = format!(
            "1\tfn main() {{\n    // … 3 lines omitted · headroom_retrieve(\"{HASH}\")\n4\t}}\n"
        );
        assert_eq!(problems(original, &wrong).len(), 1);
    }

    #[test]
    fn a_shortened_line_is_accepted_only_in_its_exact_form() {
        let original = "Short title\nThe first sentence. Then a lot more words follow here.\n";
        let cut = "2\tThe first sentence. [headroom: 35 chars omitted]\n";
        assert!(
            problems(original, cut).is_empty(),
            "{:?}",
            problems(original, cut)
        );
        for bad in [
            "2\tThe first sentence. [headroom: 34 chars omitted]\n",
            "2\tThe first sentense. [headroom: 35 chars omitted]\n",
            "2\tThe first sentence. [headroom: 35 chars cut]\n",
            "1\tThe first sentence. [headroom: 35 chars omitted]\n",
        ] {
            assert_eq!(problems(original, bad).len(), 1, "{bad:?}");
        }
        assert!(shortened_from("é [headroom: 2 chars omitted]", "é ü"));
    }
}
