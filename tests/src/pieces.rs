//! Cutting a file into tool-output-sized pieces. Agents rarely see a 300 KB
//! log in one tool result: clients truncate, page, or read files in chunks.
//! Savings must hold on such pieces too, not only on whole files.

/// Size of one piece: about what Claude Code sends inline in one tool result.
pub const PIECE_BYTES: usize = 30_000;

/// Split `text` into consecutive pieces of at most `max_bytes`, cut only at
/// line boundaries (a single longer line becomes a piece of its own).
/// Concatenating the pieces gives back `text` exactly.
pub fn cut(text: &str, max_bytes: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut end = 0;
    for line in text.split_inclusive('\n') {
        if end > start && end + line.len() - start > max_bytes {
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
        let pieces = cut(text, 10);
        assert_eq!(pieces, vec!["aaaa\nbbbb\n", "cc\n", "ddddddddddddd\n", "e"]);
        assert_eq!(pieces.concat(), text);
        assert!(cut("", 10).is_empty());
        assert_eq!(cut("short\n", 10), vec!["short\n"]);
    }
}
