//! `o200k_base`'s pre-tokenizer: the text is cut into pieces (words with
//! their leading space or punctuation, runs of up to three digits,
//! punctuation runs, whitespace) and BPE never merges across pieces.
//!
//! OpenAI's pattern has one look-ahead, `\s+(?!\S)`: a whitespace run that
//! leaves its last character to start the next word. `regex-automata` has
//! no look-around, so that alternative is split in two equivalent ones:
//! `\s+$` (the run ends the text), tried at the same priority, and
//! `\s+\s` (the run is followed by more than its last character), whose
//! match gives back its last character. The alternatives are compiled as
//! separate patterns so the match says which one fired.

use regex_automata::meta::Regex;
use regex_automata::{Anchored, Input};
use std::sync::OnceLock;

/// The alternatives of `o200k_base`'s pattern, in priority order, with the
/// look-ahead replaced as described above.
const ALTERNATIVES: &[&str] = &[
    // A word ending in lower-case letters, with an optional contraction.
    concat!(
        r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+",
        r"(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
        // A word starting with upper-case letters.
        r"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*",
        r"(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
        // Up to three digits.
        r"|\p{N}{1,3}",
        // Punctuation, with trailing line breaks or slashes.
        r"|\x20?[^\s\p{L}\p{N}]+[\r\n/]*",
        // Whitespace up to and including line breaks.
        r"|\s*[\r\n]+",
        // Whitespace that ends the text.
        r"|\s+$",
    ),
    // Whitespace followed by whitespace: the last character is given back.
    r"\s+\s",
    // Any other whitespace.
    r"\s+",
];

/// Index of the alternative whose match gives back its last character.
const GIVES_BACK_LAST_CHAR: usize = 1;

/// The compiled pre-tokenizer, built on first use and shared afterwards.
pub fn get() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| Regex::new_many(ALTERNATIVES).expect("o200k pattern compiles"))
}

/// The pieces of `text`, in order; together they are exactly `text`.
pub fn pieces<'a>(pattern: &'a Regex, text: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    let mut at = 0;
    std::iter::from_fn(move || {
        if at >= text.len() {
            return None;
        }
        let input = Input::new(text).range(at..).anchored(Anchored::Yes);
        let found = pattern.find(input)?;
        let mut end = found.end();
        if found.pattern().as_usize() == GIVES_BACK_LAST_CHAR {
            let last = text[..end].chars().next_back().map_or(0, char::len_utf8);
            end -= last;
        }
        let piece = &text[at..end];
        at = end;
        Some(piece)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<&str> {
        let pieces: Vec<&str> = pieces(get(), text).collect();
        assert_eq!(pieces.concat(), text, "pieces must tile the text");
        assert!(pieces.iter().all(|p| !p.is_empty()));
        pieces
    }

    #[test]
    fn words_keep_their_leading_space() {
        assert_eq!(split("hello world"), ["hello", " world"]);
        assert_eq!(split("Hello, World!"), ["Hello", ",", " World", "!"]);
        assert_eq!(split("HTTPServer"), ["HTTPServer"]);
        assert_eq!(split("camelCase"), ["camel", "Case"]);
    }

    #[test]
    fn whitespace_runs_give_their_last_space_to_the_next_word() {
        assert_eq!(split("a   b"), ["a", "  ", " b"]);
        assert_eq!(split("a b"), ["a", " b"]);
        assert_eq!(split("a   "), ["a", "   "]);
        assert_eq!(split("a\u{3000}\u{3000}b"), ["a", "\u{3000}", "\u{3000}b"]);
        assert_eq!(split("  x"), [" ", " x"]);
    }

    #[test]
    fn line_breaks_contractions_and_numbers() {
        assert_eq!(split("a\r\n\r\nb"), ["a", "\r\n\r\n", "b"]);
        assert_eq!(split("x  \n  y"), ["x", "  \n", " ", " y"]);
        assert_eq!(split("they're"), ["they're"]);
        assert_eq!(split("DON'T"), ["DON'T"]);
        assert_eq!(split("1234567"), ["123", "456", "7"]);
        assert_eq!(split("path/to//x\n"), ["path", "/to", "//", "x", "\n"]);
    }
}
