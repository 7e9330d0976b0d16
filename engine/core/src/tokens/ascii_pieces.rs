//! `o200k_base`'s pre-tokenizer rules, hand-written for ASCII text.
//!
//! WHY: the DFA ([`super::pretokenize`]) is exact for all of Unicode but
//! walks a multi-megabyte transition table one byte at a time; tool outputs
//! are nearly all ASCII, where the pattern's Unicode classes collapse to a
//! handful of byte classes. [`piece_end`] decides a piece from a 256-entry
//! class table and answers `None` whenever the decision would depend on a
//! non-ASCII character (a letter, mark, digit, space or punctuation outside
//! ASCII could extend or change the piece); the caller then asks the DFA for
//! that one piece. Every rule below is one alternative of the pattern in
//! [`super::pattern`], tried in the same priority order:
//!
//! 1. `[^\r\n\p{L}\p{N}]?[Lu…]*[Ll…]+('s|'t|'re|'ve|'m|'ll|'d)?` and
//! 2. `[^\r\n\p{L}\p{N}]?[Lu…]+[Ll…]*(…)?`: a word, optionally led by one
//!    character that is not a line break, letter or digit; in ASCII both
//!    end at the end of the letter run, whatever its case pattern;
//! 3. `\p{N}{1,3}`: up to three digits;
//! 4. `\x20?[^\s\p{L}\p{N}]+[\r\n/]*`: punctuation, optionally led by one
//!    space, with the line breaks and slashes right after it;
//! 5. `\s*[\r\n]+`: whitespace up to and including its last line break;
//! 6. `\s+(?!\S)`: whitespace, leaving its last character to the next piece
//!    unless the run ends the text;
//! 7. `\s+`: a lone whitespace character before a non-space.

/// Byte classes of the pattern, for ASCII bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Not a letter, digit or whitespace: `[^\s\p{L}\p{N}]` (punctuation,
    /// symbols and control characters).
    Other,
    /// `A-Z`: upper case, in the first letter class only.
    Upper,
    /// `a-z`: lower case, in the second letter class only.
    Lower,
    /// `0-9`.
    Digit,
    /// The space character: the only one rule 4 allows before punctuation.
    Space,
    /// Tab, vertical tab, form feed: whitespace that may lead a word.
    Blank,
    /// `\r` and `\n`.
    LineBreak,
    /// A byte of a non-ASCII character: its class is unknown here.
    NonAscii,
    /// Past the end of the text.
    End,
}

/// The class of every byte value.
static CLASSES: [Class; 256] = {
    let mut classes = [Class::NonAscii; 256];
    let mut byte = 0;
    while byte < 128 {
        classes[byte] = match byte as u8 {
            b'A'..=b'Z' => Class::Upper,
            b'a'..=b'z' => Class::Lower,
            b'0'..=b'9' => Class::Digit,
            b' ' => Class::Space,
            // `\s` is Unicode White_Space: in ASCII, 0x09-0x0D and space.
            b'\t' | 0x0B | 0x0C => Class::Blank,
            b'\r' | b'\n' => Class::LineBreak,
            _ => Class::Other,
        };
        byte += 1;
    }
    classes
};

/// The class of `text[at]`, or [`Class::End`] past the end.
#[inline(always)]
fn class_at(text: &[u8], at: usize) -> Class {
    match text.get(at) {
        Some(&byte) => CLASSES[usize::from(byte)],
        None => Class::End,
    }
}

#[inline(always)]
fn is_letter(class: Class) -> bool {
    matches!(class, Class::Upper | Class::Lower)
}

#[inline(always)]
fn is_space(class: Class) -> bool {
    matches!(class, Class::Space | Class::Blank | Class::LineBreak)
}

/// End of the piece that starts at `at` (`at < text.len()`, on a character
/// boundary), or `None` when that depends on a non-ASCII character.
#[inline]
pub fn piece_end(text: &[u8], at: usize) -> Option<usize> {
    let next = class_at(text, at + 1);
    match class_at(text, at) {
        Class::Upper | Class::Lower => word_end(text, at),
        Class::Digit => digits_end(text, at),
        Class::Other => match next {
            // Rules 1-2 with the punctuation as the word's lead.
            _ if is_letter(next) => word_end(text, at + 1),
            Class::NonAscii => None,
            _ => punctuation_end(text, at),
        },
        Class::Space => match next {
            _ if is_letter(next) => word_end(text, at + 1),
            Class::NonAscii => None,
            // Rule 4: one space, then punctuation.
            Class::Other => punctuation_end(text, at + 1),
            _ => whitespace_end(text, at),
        },
        Class::Blank => match next {
            _ if is_letter(next) => word_end(text, at + 1),
            Class::NonAscii => None,
            _ => whitespace_end(text, at),
        },
        Class::LineBreak => whitespace_end(text, at),
        Class::NonAscii | Class::End => None,
    }
}

/// Rules 1-2 from the first letter at `at`: the letter run (upper-case
/// letters then lower-case ones, or upper-case only), then a contraction.
#[inline(always)]
fn word_end(text: &[u8], at: usize) -> Option<usize> {
    let end = run_end(text, run_end(text, at, Class::Upper), Class::Lower);
    match text.get(end) {
        Some(b'\'') => contraction_end(text, end),
        // A non-ASCII letter or mark would continue the word.
        Some(&byte) if !byte.is_ascii() => None,
        _ => Some(end),
    }
}

/// End of the run of `class` bytes starting at `at`. Four bytes per turn:
/// under wasmtime every turn of a loop pays a deadline check, which in
/// one-byte-per-turn loops such as this cost about as much as the loop's
/// own work.
#[inline(always)]
fn run_end(text: &[u8], mut at: usize, class: Class) -> usize {
    while let Some(four) = text.get(at..at + 4) {
        for (i, &byte) in four.iter().enumerate() {
            if CLASSES[usize::from(byte)] != class {
                return at + i;
            }
        }
        at += 4;
    }
    while class_at(text, at) == class {
        at += 1;
    }
    at
}

/// `(?i:'s|'t|'re|'ve|'m|'ll|'d)?` at the apostrophe at `at`. Case-
/// insensitive matching reaches beyond ASCII (`ſ` is an `s`), so any
/// non-ASCII byte it would look at sends the piece to the DFA.
fn contraction_end(text: &[u8], at: usize) -> Option<usize> {
    let lower_at = |i: usize| match class_at(text, i) {
        Class::NonAscii => None,
        Class::End => Some(0),
        _ => Some(text[i].to_ascii_lowercase()),
    };
    let end = match lower_at(at + 1)? {
        b's' | b't' | b'm' | b'd' => at + 2,
        b'r' | b'v' if lower_at(at + 2)? == b'e' => at + 3,
        b'l' if lower_at(at + 2)? == b'l' => at + 3,
        _ => at,
    };
    Some(end)
}

/// Rule 3: up to three digits from `at`.
#[inline(always)]
fn digits_end(text: &[u8], at: usize) -> Option<usize> {
    let mut end = at + 1;
    while end < at + 3 && class_at(text, end) == Class::Digit {
        end += 1;
    }
    // A non-ASCII digit (`٣`, `①`) would continue a run shorter than three.
    if end < at + 3 && class_at(text, end) == Class::NonAscii {
        return None;
    }
    Some(end)
}

/// Rule 4 from the first punctuation byte at `at`: the punctuation run,
/// then any line breaks and slashes.
#[inline(always)]
fn punctuation_end(text: &[u8], at: usize) -> Option<usize> {
    let mut end = at;
    while class_at(text, end) == Class::Other {
        end += 1;
    }
    if class_at(text, end) == Class::NonAscii {
        return None; // non-ASCII punctuation would continue the run
    }
    while matches!(text.get(end), Some(b'\r' | b'\n' | b'/')) {
        end += 1;
    }
    Some(end)
}

/// Rules 5-7 for the whitespace run at `at` (rules 1, 2 and 4 already
/// declined it).
#[inline(always)]
fn whitespace_end(text: &[u8], at: usize) -> Option<usize> {
    let mut end = at;
    let mut last_line_break = None;
    loop {
        match class_at(text, end) {
            Class::LineBreak => last_line_break = Some(end),
            Class::Space | Class::Blank => {}
            // Non-ASCII whitespace (no-break space, ideographic space)
            // would continue the run.
            Class::NonAscii => return None,
            _ => break,
        }
        end += 1;
    }
    debug_assert!(is_space(class_at(text, at)));
    Some(match last_line_break {
        // Rule 5: `\s*` backtracks to the run's last line break.
        Some(line_break) => line_break + 1,
        // Rule 6 at the end of the text.
        None if end == text.len() => end,
        // Rule 6: the last character goes to the next piece.
        None if end - at >= 2 => end - 1,
        // Rule 7.
        None => end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::pretokenize;

    /// Pieces by [`piece_end`] alone; `None` where it defers to the DFA.
    fn split(text: &str) -> Option<Vec<&str>> {
        let mut pieces = Vec::new();
        let mut at = 0;
        while at < text.len() {
            let end = piece_end(text.as_bytes(), at)?;
            pieces.push(&text[at..end]);
            at = end;
        }
        Some(pieces)
    }

    fn dfa_split(text: &str) -> Vec<&str> {
        pretokenize::dfa_pieces(pretokenize::get(), text).collect()
    }

    /// One case per rule, each checked by hand and against the DFA.
    #[test]
    fn each_rule_matches_the_dfa() {
        let cases: &[(&str, &[&str])] = &[
            // Contractions, any case; not a contraction: `'x`, `'`.
            (
                "they're DON'T we'LL I'd you've she'S It'M",
                &[
                    "they're", " DON'T", " we'LL", " I'd", " you've", " she'S", " It'M",
                ],
            ),
            ("it'x 'tis o'", &["it", "'x", " '", "tis", " o", "'"]),
            ("rock'n'roll", &["rock", "'n", "'roll"]),
            // Case runs: upper then lower is one word; lower then upper
            // splits; an upper run before a lower one keeps them together.
            (
                "camelCase HTTPServer ABC aBC",
                &["camel", "Case", " HTTPServer", " ABC", " a", "BC"],
            ),
            // Digits in threes, never led by a space or punctuation.
            (
                "1234567 x12 -42",
                &["123", "456", "7", " x", "12", " -", "42"],
            ),
            // Punctuation runs take line breaks and slashes after them.
            (
                "a.b, c;\n/x}\r\n//y ..z",
                &[
                    "a", ".b", ",", " c", ";\n/", "x", "}\r\n//", "y", " ..", "z",
                ],
            ),
            ("path/to//file.rs", &["path", "/to", "//", "file", ".rs"]),
            // Whitespace up to its last line break; CRLF.
            (
                "x  \n  y\r\n\r\nz \n\n",
                &["x", "  \n", " ", " y", "\r\n\r\n", "z", " \n\n"],
            ),
            // A whitespace run gives its last character to the next word,
            // but keeps it at the end of the text.
            ("a   b\t\tc  ", &["a", "  ", " b", "\t", "\tc", "  "]),
            ("a \t1 !", &["a", " ", "\t", "1", " !"]),
            // Tab and form feed lead words; control characters are
            // punctuation.
            (
                "\tfoo\x0cbar\x01baz\x7f",
                &["\tfoo", "\x0cbar", "\x01baz", "\x7f"],
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(split(text).as_deref(), Some(*expected), "{text:?}");
            assert_eq!(dfa_split(text), *expected, "DFA on {text:?}");
        }
    }

    /// Where a non-ASCII character could change the piece, the rules defer.
    #[test]
    fn defers_on_non_ascii_that_could_matter() {
        for (text, at) in [
            ("café", 0),       // a letter continues the word
            ("e\u{301}", 0),   // so does a combining mark
            ("x'ſ", 0),        // `'ſ` is the contraction `'s`
            ("12٣", 0),        // a third digit
            ("!→", 0),         // more punctuation
            (" é", 0),         // a space leading a letter
            (".é", 0),         // punctuation leading a letter
            ("  \u{a0}x", 0),  // a no-break space continues the run
            ("\n\u{3000}", 0), // an ideographic space continues the run
            ("é", 0),          // the piece itself starts non-ASCII
        ] {
            assert_eq!(piece_end(text.as_bytes(), at), None, "{text:?}");
        }
        // ...and does not defer where it cannot matter.
        assert_eq!(piece_end("123é".as_bytes(), 0), Some(3));
        assert_eq!(piece_end("}\n\u{e9}".as_bytes(), 0), Some(2));
        assert_eq!(piece_end("it'sé".as_bytes(), 0), Some(4));
    }

    /// Pseudo-random strings over an alphabet that hits every rule and
    /// every deferral: the combined splitter must equal the DFA.
    #[test]
    fn random_text_matches_the_dfa() {
        let alphabet: Vec<&str> = vec![
            "a", "z", "A", "Z", "s", "S", "t", "r", "e", "v", "l", "L", "m", "d", "D", "'", "0",
            "9", " ", " ", "\t", "\n", "\r", "\r\n", "\x0b", "\x0c", "/", "-", ".", "{", "\x00",
            "é", "É", "ſ", "\u{301}", "①", "٣", "\u{a0}", "\u{3000}", "→", "日", "😀",
        ];
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for round in 0..20_000 {
            let len = 1 + next(24);
            // Half the strings are ASCII only, so the hand rules decide
            // every piece of them.
            let pool = if round % 2 == 0 { 30 } else { alphabet.len() };
            let text: String = (0..len).map(|_| alphabet[next(pool)]).collect();
            let combined: Vec<&str> = pretokenize::pieces(pretokenize::get(), &text).collect();
            assert_eq!(combined, dfa_split(&text), "{text:?}");
            if round % 2 == 0 {
                assert_eq!(split(&text), Some(dfa_split(&text)), "{text:?}");
            }
        }
    }
}
