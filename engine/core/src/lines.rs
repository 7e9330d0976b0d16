//! Splitting a tool output into lines, and seeing through line-number
//! prefixes (`cat -n`, Claude Code's Read tool `12\t…`, older `    12→…`).
//!
//! Transforms look at [`Lines::content`]; the renderer writes kept lines from
//! [`Lines::raw`], so a kept line keeps its original number and the model can
//! still cite and edit it.

/// A tool output split into lines.
#[derive(Debug, Clone)]
pub struct Lines<'a> {
    /// Lines exactly as received, without the trailing `\n`.
    pub raw: Vec<&'a str>,
    /// The same lines with any line-number prefix removed.
    pub content: Vec<&'a str>,
    /// The number each line was prefixed with, when the output is numbered.
    pub numbers: Option<Vec<u64>>,
    /// Whether the original ended with a newline.
    pub trailing_newline: bool,
}

impl<'a> Lines<'a> {
    /// Split `text` into lines and detect a line-number prefix.
    pub fn parse(text: &'a str) -> Self {
        let trailing_newline = text.ends_with('\n');
        let body = text.strip_suffix('\n').unwrap_or(text);
        let raw: Vec<&str> = if text.is_empty() {
            Vec::new()
        } else {
            body.split('\n').collect()
        };
        match detect_numbering(&raw) {
            Some((numbers, content)) => Self {
                raw,
                content,
                numbers: Some(numbers),
                trailing_newline,
            },
            None => Self {
                content: raw.clone(),
                raw,
                numbers: None,
                trailing_newline,
            },
        }
    }

    pub fn len(&self) -> usize {
        self.raw.len()
    }

    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// True when every line carried a line-number prefix.
    pub fn is_numbered(&self) -> bool {
        self.numbers.is_some()
    }

    /// The content beneath the prefixes, joined again (what detection and
    /// whole-text transforms such as `json` look at).
    pub fn content_text(&self) -> String {
        let mut out = self.content.join("\n");
        if self.trailing_newline {
            out.push('\n');
        }
        out
    }
}

/// Split one line into its number and content if it has a numbering prefix:
/// optional spaces, digits, then a tab or `→`.
fn split_prefix(line: &str) -> Option<(u64, &str)> {
    let trimmed = line.trim_start_matches(' ');
    let digits = trimmed.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 9 {
        return None;
    }
    let number: u64 = trimmed[..digits].parse().ok()?;
    let rest = &trimmed[digits..];
    if let Some(content) = rest.strip_prefix('\t') {
        Some((number, content))
    } else {
        rest.strip_prefix('→').map(|content| (number, content))
    }
}

/// The output counts as numbered when every line has a prefix and the numbers
/// increase by one from line to line (a chunk of a file may start anywhere).
/// A final empty line without a prefix is tolerated.
fn detect_numbering<'a>(raw: &[&'a str]) -> Option<(Vec<u64>, Vec<&'a str>)> {
    if raw.len() < 2 {
        return None;
    }
    let mut numbers = Vec::with_capacity(raw.len());
    let mut content = Vec::with_capacity(raw.len());
    for (i, line) in raw.iter().enumerate() {
        match split_prefix(line) {
            Some((n, c)) => {
                if let Some(&prev) = numbers.last() {
                    if n != prev + 1 {
                        return None;
                    }
                }
                numbers.push(n);
                content.push(c);
            }
            None if i + 1 == raw.len() && line.is_empty() => {
                let next = numbers.last().map_or(0, |n| n + 1);
                numbers.push(next);
                content.push(*line);
            }
            None => return None,
        }
    }
    Some((numbers, content))
}

/// `text` split into consecutive pieces of at most `max_bytes`, cut only at
/// line boundaries (a single longer line is a piece of its own);
/// concatenated, the pieces are `text` again. WHY here: agents rarely see a
/// 300 KB output in one tool result (clients page and truncate), so the
/// tests, benchmarks and examples measure savings on pieces of the size
/// Claude Code sends inline as well as on whole files, and must all cut
/// them the same way.
pub fn cut_at_lines(text: &str, max_bytes: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut end = 0;
    for line in text.split_inclusive('\n') {
        if end > start && end - start + line.len() > max_bytes {
            pieces.push(&text[start..end]);
            start = end;
        }
        end += line.len();
    }
    if end > start {
        pieces.push(&text[start..end]);
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_cover_the_text_and_respect_the_limit() {
        let text = "aaaa\nbbbb\ncc\nddddddddddddd\ne";
        let pieces = cut_at_lines(text, 10);
        assert_eq!(pieces, vec!["aaaa\nbbbb\n", "cc\n", "ddddddddddddd\n", "e"]);
        assert_eq!(pieces.concat(), text);
        assert!(cut_at_lines("", 10).is_empty());
        assert_eq!(cut_at_lines("short\n", 10), vec!["short\n"]);
    }

    #[test]
    fn detects_read_tool_and_cat_n_prefixes() {
        let read = "1\tfrom x import y\n2\t\n3\tdef f():\n";
        let lines = Lines::parse(read);
        assert!(lines.is_numbered());
        assert_eq!(lines.content, vec!["from x import y", "", "def f():"]);
        assert_eq!(lines.content_text(), "from x import y\n\ndef f():\n");

        let cat = "    41\tfoo\n    42\tbar";
        assert_eq!(Lines::parse(cat).content, vec!["foo", "bar"]);

        let arrow = "     9→a\n    10→b";
        assert_eq!(Lines::parse(arrow).numbers, Some(vec![9, 10]));
    }

    #[test]
    fn plain_text_and_non_consecutive_numbers_are_not_numbered() {
        assert!(!Lines::parse("a\nb\n").is_numbered());
        assert!(!Lines::parse("1\ta\n3\tb\n").is_numbered());
        assert!(!Lines::parse("200\tOK\n").is_numbered());
    }
}
