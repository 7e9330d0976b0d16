//! Files as Claude Code's Read tool returns them: every line prefixed with
//! its 1-based number and a tab. The agent edits by those numbers, so every
//! line kept by compression must still carry its own, correct number.

/// `text` with a `{n}\t` prefix on every line (1-based). A final newline
/// stays a final newline; `\r` stays part of its line.
pub fn number(text: &str) -> String {
    let body = text.strip_suffix('\n').unwrap_or(text);
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    if !text.is_empty() {
        for (i, line) in body.split('\n').enumerate() {
            out.push_str(&(i + 1).to_string());
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
/// line whose content is not the original line of that number, or a line
/// without a number that is not a Headroom marker/gap line. Returns one
/// message per offending line.
pub fn problems(original: &str, output: &str) -> Vec<String> {
    let originals: Vec<&str> = original
        .strip_suffix('\n')
        .unwrap_or(original)
        .split('\n')
        .collect();
    let mut found = Vec::new();
    for (at, raw) in output
        .strip_suffix('\n')
        .unwrap_or(output)
        .split('\n')
        .enumerate()
    {
        let line = crate::fidelity::strip_repeat_suffix(raw);
        match split(line) {
            Some((n, content)) => match n.checked_sub(1).and_then(|i| originals.get(i)) {
                Some(expected) if *expected == content => {}
                Some(expected) => found.push(format!(
                    "output line {}: number {n} but content {content:?} != {expected:?}",
                    at + 1
                )),
                None => found.push(format!(
                    "output line {}: number {n} is past the end of the file",
                    at + 1
                )),
            },
            None if line.to_ascii_lowercase().contains("headroom") => {}
            None => found.push(format!("output line {}: no line number: {line:?}", at + 1)),
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering_round_trips() {
        assert_eq!(number("a\nb\n"), "1\ta\n2\tb\n");
        assert_eq!(number("a\r\n\nc"), "1\ta\r\n2\t\n3\tc");
        assert_eq!(number(""), "");
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
    }
}
