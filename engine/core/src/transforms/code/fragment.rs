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

/// In a piece of a braced language that starts inside a function body,
/// the row of the last unmatched closing brace before `next_function` (the
/// first function the piece declares at an outer level): the rows before it
/// are the rest of the body the piece starts in. `None` when the text before
/// `next_function` closes nothing it did not open.
pub fn body_tail_end(lines: &[&str], next_function: usize) -> Option<usize> {
    let mut depth = 0i64;
    let mut lowest = 0i64;
    let mut end = None;
    let mut in_block_comment = false;
    for (row, line) in lines.iter().enumerate().take(next_function) {
        depth += brace_balance(line, &mut in_block_comment);
        if depth < lowest {
            lowest = depth;
            if line.trim_start().starts_with('}') {
                end = Some(row);
            }
        }
    }
    end
}

/// The same for Python, where a body ends where the indentation does: the
/// last row before `next_function` that is not blank, nor a decorator or
/// comment at the next function's indentation.
pub fn indented_tail_end(lines: &[&str], next_function: usize) -> Option<usize> {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let level = indent(lines.get(next_function)?);
    (0..next_function).rev().find(|&row| {
        let line = lines[row];
        let t = line.trim_start();
        !(t.is_empty() || indent(line) == level && (t.starts_with('@') || t.starts_with('#')))
    })
}

/// The braces a piece of a braced language closes without opening them
/// (the depth, inside the file, at which it starts), and the braces it
/// leaves open at its end beyond that.
pub fn brace_depths(lines: &[&str]) -> (usize, usize) {
    let (mut depth, mut lowest) = (0i64, 0i64);
    let mut in_block_comment = false;
    for line in lines {
        depth += brace_balance(line, &mut in_block_comment);
        lowest = lowest.min(depth);
    }
    (lowest.unsigned_abs() as usize, (depth - lowest) as usize)
}

/// The first row by whose end the text has closed `depth` braces it did not
/// open.
pub fn row_closing_depth(lines: &[&str], depth: usize) -> Option<usize> {
    let mut balance = 0i64;
    let mut in_block_comment = false;
    lines.iter().position(|line| {
        balance += brace_balance(line, &mut in_block_comment);
        balance <= -(depth as i64)
    })
}

/// `{` minus `}` on one line, outside comments, strings and character
/// literals (a rough scan: enough to follow block structure).
fn brace_balance(line: &str, in_block_comment: &mut bool) -> i64 {
    let bytes = line.as_bytes();
    let mut balance = 0;
    let mut i = 0;
    while i < bytes.len() {
        if *in_block_comment {
            if bytes[i..].starts_with(b"*/") {
                *in_block_comment = false;
                i += 1;
            }
            i += 1;
            continue;
        }
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => break,
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                *in_block_comment = true;
                i += 1;
            }
            quote @ (b'"' | b'`') => {
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            // A character literal closes within a few bytes; a Rust
            // lifetime (`'a`) does not.
            b'\'' => {
                if let Some(close) = bytes[i + 1..].iter().take(4).position(|&b| b == b'\'') {
                    i += close + 1;
                }
            }
            b'{' => balance += 1,
            b'}' => balance -= 1,
            _ => {}
        }
        i += 1;
    }
    balance
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

    #[test]
    fn finds_the_end_of_the_body_a_piece_starts_in() {
        let piece = [
            "      x += 1; // }",
            "      if (s == \"}\") {",
            "        y = '}';",
            "      }",
            "    }",
            "    return x;",
            "  }",
            "",
            "  int next() {",
        ];
        assert_eq!(body_tail_end(&piece, 8), Some(6));
        // A piece starting at the top level closes nothing.
        let top = ["int x;", "void f() {", "}", "", "int g() {"];
        assert_eq!(body_tail_end(&top, 4), None);
        let python = [
            "        x += 1",
            "        return x",
            "",
            "    # helper",
            "    @property",
            "    def next(self):",
        ];
        assert_eq!(indented_tail_end(&python, 5), Some(1));
    }
}
