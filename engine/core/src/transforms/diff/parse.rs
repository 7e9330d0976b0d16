//! Classifying the lines of a diff: commit headers and messages, file
//! headers, hunk headers, and hunk bodies (counted by the hunk header's line
//! counts, so a removed line that reads `--- x` is not taken for a header).

/// What one line of a diff is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    /// `commit <hash>`, `Author:`, `Date:`, `Merge:`, and the subject line.
    CommitHeader,
    /// A commit message line after the subject.
    Body,
    /// `diff --git`, `index`, modes, renames, `---`, `+++`, `Binary files`.
    FileHeader,
    /// `@@ -a,b +c,d @@`.
    HunkHeader,
    /// A context line inside a hunk, with the hunk's number.
    Context(usize),
    /// An added or removed line, with the hunk's number.
    Changed(usize),
    /// `\ No newline at end of file`.
    NoNewline,
    Blank,
    /// Anything else: kept.
    Other,
}

/// Where the parser is between lines.
#[derive(Debug, Clone, Copy)]
enum State {
    /// Before any structure (a piece of a diff may start mid-hunk).
    Start,
    /// After the header lines of a commit; `subject` once the subject is seen.
    Message { subject: bool },
    /// Between `diff --git` and the first hunk.
    FileHeader,
    /// Inside a hunk whose header gave line counts still to come.
    Hunk { old: usize, new: usize },
    /// Inside a hunk without usable counts: ends at the next structural line.
    OpenHunk,
    /// Between files or commits.
    Outside,
}

/// Classify every line of a diff.
pub fn parse(content: &[&str]) -> Vec<Row> {
    let mut rows = Vec::with_capacity(content.len());
    let mut state = State::Start;
    let mut hunk = 0usize;
    for (idx, &line) in content.iter().enumerate() {
        if let State::Hunk { old, new } = state {
            if let Some((row, old, new)) = counted_hunk_line(line, old, new, hunk) {
                rows.push(row);
                state = if old == 0 && new == 0 {
                    State::Outside
                } else {
                    State::Hunk { old, new }
                };
                continue;
            }
            state = State::Outside;
        }
        let next = content.get(idx + 1).copied();
        let (row, next_state) =
            structural(line, next, state, &mut hunk).unwrap_or_else(|| match state {
                State::Start | State::OpenHunk => (hunk_line(line, hunk), state),
                State::Message { subject } => message_line(line, subject),
                State::FileHeader if is_file_header_detail(line) => (Row::FileHeader, state),
                _ if line.trim().is_empty() => (Row::Blank, state),
                _ => (Row::Other, state),
            });
        rows.push(row);
        state = next_state;
    }
    rows
}

/// Lines that start a commit, a file or a hunk, whatever the state.
fn structural(
    line: &str,
    next: Option<&str>,
    state: State,
    hunk: &mut usize,
) -> Option<(Row, State)> {
    if is_commit_line(line) {
        return Some((Row::CommitHeader, State::Message { subject: false }));
    }
    if line.starts_with("diff --git ")
        || line.starts_with("diff --cc ")
        || line.starts_with("Index: ")
    {
        return Some((Row::FileHeader, State::FileHeader));
    }
    if line.starts_with("--- ") && next.is_some_and(|n| n.starts_with("+++ ")) {
        return Some((Row::FileHeader, State::FileHeader));
    }
    if line.starts_with("+++ ") && matches!(state, State::FileHeader) {
        return Some((Row::FileHeader, State::FileHeader));
    }
    if line.starts_with("@@") {
        *hunk += 1;
        let state = match hunk_counts(line) {
            Some((old, new)) if old + new > 0 => State::Hunk { old, new },
            Some(_) => State::Outside,
            None => State::OpenHunk,
        };
        return Some((Row::HunkHeader, state));
    }
    None
}

/// `commit <hex>` as printed by `git log` / `git show` (maybe decorated).
fn is_commit_line(line: &str) -> bool {
    line.strip_prefix("commit ").is_some_and(|rest| {
        let hash = rest.split(' ').next().unwrap_or("");
        hash.len() >= 7 && hash.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// Header lines between `diff --git` and the first hunk.
fn is_file_header_detail(line: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "index ",
        "new file mode",
        "deleted file mode",
        "old mode",
        "new mode",
        "similarity index",
        "dissimilarity index",
        "rename from",
        "rename to",
        "copy from",
        "copy to",
        "Binary files",
        "GIT binary patch",
        "--- ",
        "+++ ",
    ];
    PREFIXES.iter().any(|p| line.starts_with(p))
}

/// A line of the commit header or message.
fn message_line(line: &str, subject: bool) -> (Row, State) {
    const META: &[&str] = &[
        "Author:",
        "AuthorDate:",
        "Commit:",
        "CommitDate:",
        "Date:",
        "Merge:",
    ];
    if META.iter().any(|m| line.starts_with(m)) {
        return (Row::CommitHeader, State::Message { subject });
    }
    if line.trim().is_empty() {
        return (Row::Blank, State::Message { subject });
    }
    if line.starts_with("    ") {
        return if subject {
            (Row::Body, State::Message { subject })
        } else {
            (Row::CommitHeader, State::Message { subject: true })
        };
    }
    (Row::Other, State::Outside)
}

/// A hunk body line when the counts are unknown.
fn hunk_line(line: &str, hunk: usize) -> Row {
    match line.as_bytes().first() {
        Some(b'+') | Some(b'-') => Row::Changed(hunk),
        Some(b' ') => Row::Context(hunk),
        Some(b'\\') => Row::NoNewline,
        None => Row::Blank,
        _ => Row::Other,
    }
}

/// A hunk body line while counts remain, with the counts left after it.
fn counted_hunk_line(
    line: &str,
    old: usize,
    new: usize,
    hunk: usize,
) -> Option<(Row, usize, usize)> {
    match line.as_bytes().first() {
        Some(b'-') if old > 0 => Some((Row::Changed(hunk), old - 1, new)),
        Some(b'+') if new > 0 => Some((Row::Changed(hunk), old, new - 1)),
        // Editors and mail clients sometimes strip the space of an empty
        // context line.
        Some(b' ') | None if old > 0 && new > 0 => Some((Row::Context(hunk), old - 1, new - 1)),
        Some(b'\\') => Some((Row::NoNewline, old, new)),
        _ => None,
    }
}

/// Old and new line counts of `@@ -a[,b] +c[,d] @@`.
fn hunk_counts(line: &str) -> Option<(usize, usize)> {
    let rest = line.strip_prefix("@@ -")?;
    let (ranges, _) = rest.split_once(" @@")?;
    let (old, new) = ranges.split_once(" +")?;
    let count = |range: &str| -> Option<usize> {
        match range.split_once(',') {
            Some((_, n)) => n.parse().ok(),
            None => range.parse::<usize>().ok().map(|_| 1),
        }
    };
    Some((count(old)?, count(new)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lines::Lines;

    const SMALL: &str = "commit 0123456789abcdef0123456789abcdef01234567
Author: A <a@example.com>
Date:   Mon Jan 1 00:00:00 2024 +0000

    Subject line here

diff --git a/x.rs b/x.rs
index 1111111..2222222 100644
--- a/x.rs
+++ b/x.rs
@@ -1,3 +1,3 @@
 fn a() {}
-fn b() {}
+fn c() {}
 fn d() {}
";

    #[test]
    fn parses_commit_file_and_hunk_structure() {
        let lines = Lines::parse(SMALL);
        let rows = parse(&lines.content);
        use Row::*;
        assert_eq!(
            rows,
            vec![
                CommitHeader,
                CommitHeader,
                CommitHeader,
                Blank,
                CommitHeader,
                Blank,
                FileHeader,
                FileHeader,
                FileHeader,
                FileHeader,
                HunkHeader,
                Context(1),
                Changed(1),
                Changed(1),
                Context(1)
            ]
        );
    }

    #[test]
    fn removed_lines_that_look_like_headers_stay_in_their_hunk() {
        let text = "@@ -1,3 +1,1 @@\n--- a/old\n-++ still removed\n x\n";
        let rows = parse(&Lines::parse(text).content);
        assert_eq!(
            rows,
            vec![
                Row::HunkHeader,
                Row::Changed(1),
                Row::Changed(1),
                Row::Context(1)
            ]
        );
    }

    #[test]
    fn hunk_counts_default_to_one() {
        assert_eq!(hunk_counts("@@ -3 +3,2 @@ fn x"), Some((1, 2)));
        assert_eq!(hunk_counts("@@ -0,0 +1,10 @@"), Some((0, 10)));
        assert_eq!(hunk_counts("@@@ -1,2 -1,2 +1,3 @@@"), None);
    }
}
