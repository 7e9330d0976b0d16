//! `o200k_base`'s pre-tokenizer pattern, shared by `build.rs` (which
//! compiles it into a DFA) and [`super::pretokenize`] (which runs that DFA).
//!
//! OpenAI's pattern has one look-ahead, `\s+(?!\S)`: a whitespace run that
//! leaves its last character to start the next word. A DFA has no
//! look-around, so that alternative is split in two equivalent ones:
//! `\s+$` (the run ends the text), tried at the same priority, and
//! `\s+\s` (the run is followed by more than its last character), whose
//! match gives back its last character. The alternatives are compiled as
//! separate patterns so the match says which one fired.

/// The alternatives of `o200k_base`'s pattern, in priority order, with the
/// look-ahead replaced as described above.
pub const ALTERNATIVES: &[&str] = &[
    concat!(
        // A word ending in lower-case letters, with an optional contraction.
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
pub const GIVES_BACK_LAST_CHAR: usize = 1;
