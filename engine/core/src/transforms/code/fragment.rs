//! A piece of a file cut at a line boundary may start inside a docstring or
//! a block comment. Read as code, its first lines open a string or comment
//! that swallows the rest, and the parse is useless. The tail of that
//! comment (up to its closing delimiter) is recognised here, so the piece
//! can be parsed without it, and the tail itself left out.

use super::language::Lang;

/// Rows searched for the closing delimiter: a longer comment tail is rare,
/// and then the piece is declined.
const MAX_TAIL_ROWS: usize = 200;

/// The last row of a comment or docstring tail the text starts in: the
/// first row that closes one (`"""` in Python, `*/` elsewhere) without
/// opening it, with nothing after the delimiter. `None` when the text does
/// not look like it starts inside one.
pub fn open_tail(lang: Lang, lines: &[&str]) -> Option<usize> {
    for (row, line) in lines.iter().enumerate().take(MAX_TAIL_ROWS) {
        let closing = if lang == Lang::Python {
            ["\"\"\"", "'''"]
                .into_iter()
                .find(|q| line.matches(q).count() == 1)
        } else if line.contains("/*") {
            // A comment opens before any closes: the text starts in code.
            return None;
        } else {
            line.contains("*/").then_some("*/")
        };
        if let Some(delimiter) = closing {
            let after = line.rsplit(delimiter).next().unwrap_or_default();
            return (after.trim().is_empty() && row > 0).then_some(row);
        }
        if lang == Lang::Python && (line.contains("\"\"\"") || line.contains("'''")) {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_tail_of_a_docstring_or_comment() {
        let python = [
            "        been processed automatically.",
            "",
            "        \"\"\"",
            "        return 1",
        ];
        assert_eq!(open_tail(Lang::Python, &python), Some(2));
        // A docstring opened and closed on one row: the text starts in code.
        let code = ["    x = 1", "    \"\"\"Doc.\"\"\"", "    \"\"\""];
        assert_eq!(open_tail(Lang::Python, &code), None);
        let c = [" * the rest of a comment", " */", "int f(void) {"];
        assert_eq!(open_tail(Lang::C, &c), Some(1));
        let c_code = ["int x;", "/* a */", " */"];
        assert_eq!(open_tail(Lang::Cpp, &c_code), None);
        // Code after the delimiter: not a clean tail.
        let mixed = ["  tail */ int x;"];
        assert_eq!(open_tail(Lang::Java, &mixed), None);
    }
}
