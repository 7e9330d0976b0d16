//! `o200k_base`'s pre-tokenizer: the text is cut into pieces (words with
//! their leading space or punctuation, runs of up to three digits,
//! punctuation runs, whitespace) and BPE never merges across pieces.
//!
//! The pattern ([`super::pattern`]) is compiled into a DFA by `build.rs`
//! and embedded in serialized form. WHY: compiling o200k's Unicode classes
//! at run time costs ~5-20 ms natively and much more in a wasm engine's
//! baseline tier, the regex compiler adds code to the module, and a full DFA
//! searches faster than a lazily built one. Loading it is a validation pass
//! over ~3 MB of transitions that gzip to ~40 KB.

use super::ascii_pieces;
use super::pattern::{ALTERNATIVES, GIVES_BACK_LAST_CHAR};
use regex_automata::dfa::{dense, Automaton};
use regex_automata::{Anchored, Input};
use std::sync::OnceLock;

/// The DFA's bytes, 4-byte aligned as deserialization requires.
#[repr(C)]
struct Aligned<B: ?Sized> {
    _align: [u32; 0],
    bytes: B,
}

static DFA_BYTES: &Aligned<[u8]> = &Aligned {
    _align: [],
    bytes: *include_bytes!(concat!(env!("OUT_DIR"), "/o200k_pretokenizer.dfa")),
};

/// The pre-tokenizer DFA.
pub type Dfa = dense::DFA<&'static [u32]>;

/// The pre-tokenizer, loaded on first use and shared afterwards.
pub fn get() -> &'static Dfa {
    static DFA: OnceLock<Dfa> = OnceLock::new();
    DFA.get_or_init(|| {
        let (dfa, _) =
            dense::DFA::from_bytes(&DFA_BYTES.bytes).expect("build.rs wrote a valid DFA");
        assert_eq!(
            dfa.pattern_len(),
            ALTERNATIVES.len(),
            "DFA built from another pattern"
        );
        dfa
    })
}

/// The pieces of `text`, in order; together they are exactly `text`.
/// ASCII stretches are cut by the hand-written rules of
/// [`super::ascii_pieces`], everything else by the DFA. (The counter
/// walks pieces with [`piece_end`] directly.)
#[cfg(test)]
pub fn pieces<'a>(dfa: &'a Dfa, text: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    let mut at = 0;
    std::iter::from_fn(move || {
        if at >= text.len() {
            return None;
        }
        let end = piece_end(dfa, text, at);
        let piece = &text[at..end];
        at = end;
        Some(piece)
    })
}

/// End of the piece that starts at `at` (`at < text.len()`).
#[inline]
pub fn piece_end(dfa: &Dfa, text: &str, at: usize) -> usize {
    match ascii_pieces::piece_end(text.as_bytes(), at) {
        Some(end) => end,
        None => dfa_piece_end(dfa, text, at),
    }
}

/// The pieces of `text` cut by the DFA alone: the reference the
/// hand-written rules are tested against.
#[cfg(test)]
pub fn dfa_pieces<'a>(dfa: &'a Dfa, text: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    let mut at = 0;
    std::iter::from_fn(move || {
        if at >= text.len() {
            return None;
        }
        let end = dfa_piece_end(dfa, text, at);
        let piece = &text[at..end];
        at = end;
        Some(piece)
    })
}

/// End of the piece that starts at `at`, by the DFA.
fn dfa_piece_end(dfa: &Dfa, text: &str, at: usize) -> usize {
    let input = Input::new(text).range(at..).anchored(Anchored::Yes);
    let found = match dfa.try_search_fwd(&input) {
        Ok(Some(found)) if found.pattern().as_usize() == GIVES_BACK_LAST_CHAR => {
            let last = text[..found.offset()]
                .chars()
                .next_back()
                .map_or(0, char::len_utf8);
            found.offset() - last
        }
        Ok(Some(found)) => found.offset(),
        Ok(None) | Err(_) => at,
    };
    // Unreachable: the pattern matches a non-empty piece at every
    // position. Should it not, one character is a piece of its own;
    // never a panic or an endless loop.
    if found > at {
        found
    } else {
        at + text[at..].chars().next().map_or(1, char::len_utf8)
    }
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

    /// The hand-written rules plus the DFA cut every corpus file exactly
    /// as the DFA alone does.
    #[test]
    fn corpus_pieces_equal_the_dfa_pieces() {
        let mut files = 0;
        for (rel, text) in crate::tokens::tests::corpus() {
            let combined: Vec<&str> = pieces(get(), &text).collect();
            let reference: Vec<&str> = dfa_pieces(get(), &text).collect();
            assert!(combined == reference, "{rel}: pieces differ from the DFA's");
            files += 1;
        }
        assert!(files >= 50, "only {files} corpus files read");
    }
}
