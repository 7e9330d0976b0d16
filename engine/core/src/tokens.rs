//! Real BPE token counts (OpenAI `o200k_base`), not bytes divided by four.
//!
//! The counts are exactly tiktoken's: the text is cut by `o200k_base`'s
//! pre-tokenizer ([`pretokenize`]) and each piece is byte-pair merged by
//! rank ([`merge`]) against the vocabulary ([`vocab`]). Only the bare
//! vocabulary is compiled into the binary/wasm module (extracted at build
//! time from a crates.io crate, see `build.rs`); its lookup table and the
//! pre-tokenizer are built once, at the first count. Nothing is fetched.

mod ascii_pieces;
mod merge;
mod pattern;
mod piece_cache;
mod pretokenize;
mod slot_hash;
mod vocab;

/// Number of `o200k_base` tokens in `text` (special-token text such as
/// `<|endoftext|>` counts as ordinary text, as tiktoken's `encode_ordinary`).
pub fn count(text: &str) -> usize {
    if text.is_empty() {
        return 0;
    }
    let vocab = vocab::get();
    let dfa = pretokenize::get();
    let bytes = text.as_bytes();
    let mut scratch = merge::Scratch::default();
    let mut cache = piece_cache::PieceCache::for_text(text.len());
    let mut tokens = 0;
    let mut at = 0;
    while at < text.len() {
        let end = pretokenize::piece_end(dfa, text, at);
        tokens += if is_one_token(&bytes[at..end]) {
            1
        } else {
            cache.get_or_count(bytes, at, end, |piece| {
                merge::count(vocab, piece, &mut scratch)
            })
        };
        at = end;
    }
    tokens
}

/// Pieces known to be one token without a lookup: a single byte (every
/// byte is a token) and one to three ASCII digits (every such string is a
/// token; a test in `vocab` checks all 1,110 of them).
#[inline(always)]
fn is_one_token(piece: &[u8]) -> bool {
    match piece {
        [_] => true,
        [a, b] => a.is_ascii_digit() && b.is_ascii_digit(),
        [a, b, c] => a.is_ascii_digit() && b.is_ascii_digit() && c.is_ascii_digit(),
        _ => false,
    }
}

/// Builds the vocabulary index and the pre-tokenizer now rather than at the
/// first [`count`], for hosts that prefer to pay that once at load time.
pub fn prepare() {
    vocab::get();
    pretokenize::get();
}

#[cfg(test)]
pub(crate) mod tests {
    use super::count;

    /// The reference implementations the counts must equal: `bpe-openai`
    /// and `tiktoken-rs`, which runs tiktoken's own merge loop and the
    /// pattern's real look-ahead (fancy-regex), so a mistake shared with
    /// `bpe-openai`'s look-ahead rewrite would still show.
    fn reference(text: &str) -> usize {
        let bpe_openai = bpe_openai::o200k_base().count(text);
        let tiktoken = tiktoken_rs::o200k_base_singleton()
            .encode_ordinary(text)
            .len();
        assert_eq!(bpe_openai, tiktoken, "the references disagree on {text:?}");
        tiktoken
    }

    #[test]
    fn counts_match_tiktoken_o200k() {
        // Reference values from tiktoken's o200k_base.
        assert_eq!(count("hello world"), 2);
        assert_eq!(count(""), 0);
        assert_eq!(count(" "), 1);
    }

    #[test]
    fn tricky_strings_match_the_reference() {
        let long_spaces = format!("x{}y", " ".repeat(5000));
        let long_tabs = format!("{}\n", "\t".repeat(3000));
        let long_word = "ab".repeat(4000);
        let long_digits = "9".repeat(1001);
        let long_emoji = "\u{1F9D1}\u{200D}\u{1F4BB}".repeat(300);
        let cases = [
            "Hello, World!",
            "they're DON'T we'LL I'd you've she'S It'M",
            "ſ's 'ſ 'S 'K",
            "line one\r\nline two\r\n\r\n  indented\r\n",
            "trailing spaces   ",
            "   leading spaces",
            "tabs\t\tand\u{a0}nbsp\u{3000}ideographic space",
            "12345678901234567890 3.14159 -42 1e10 0x1F ①②③ ٣٤٥",
            "日本語のテキストとカタカナ、漢字。中文文本，标点符号！",
            "한국어 텍스트 Ελληνικά Русский текст עברית العربية हिन्दी",
            "emoji 😀🚀💩 👩‍👩‍👧‍👦 🇫🇷 flags and ZWJ",
            "e\u{301}\u{302} combining marks \u{301}alone",
            "path/to//file.rs:12:5\n/usr/bin/env\n",
            "fn main() { println!(\"{}\", x.len()); }\n",
            "{\"key\": [1, 2, 3], \"nested\": {\"a\": null}}",
            "<|endoftext|> special text is ordinary",
            "\n\n\n\n",
            " \n \n ",
            "\u{feff}BOM and \u{200b}zero width",
            // One case per rule of the hand-written ASCII pre-tokenizer,
            // and the non-ASCII characters at which it defers to the DFA.
            "it'x 'tis o' rock'n'roll 'S 's'S'",
            "camelCase HTTPServer ABC aBC xYz XyZ",
            "1234567 x12 -42 3.14159 v1.2.3 0x7f 12345",
            "a.b, c;\n/x}\r\n//y ..z };\n\n/* x */ ->\n",
            "x  \n  y\r\n\r\nz \n\n \r \n\t\n  \t",
            "a   b\t\tc  \x0b\x0cd \t1 !\u{0}\u{1f}\u{7f} end   ",
            "café naïve ÉCOLE Straße ſ'ſ x'ſ e\u{301}x \u{301}",
            "12٣ 1①2 !→ .é  \u{a0}x\n\u{3000}y \u{2028}z",
            "line\r\n\r\n  CRLF\r\n\tindented\r\n",
            &long_spaces,
            &long_tabs,
            &long_word,
            &long_digits,
            &long_emoji,
        ];
        for text in cases {
            assert_eq!(count(text), reference(text), "{text:?}");
        }
    }

    /// `(path, text)` of every readable file of the real corpus
    /// (`$HEADROOM_CORPUS`, else `../shared/corpus` beside the repository).
    pub(crate) fn corpus() -> Vec<(String, String)> {
        let dir = std::env::var_os("HEADROOM_CORPUS")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| {
                std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
            });
        let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv"))
            .unwrap_or_else(|e| panic!("corpus not found at {}: {e}", dir.display()));
        manifest
            .lines()
            .filter_map(|row| {
                let rel = row.split('\t').next()?;
                let text = std::fs::read_to_string(dir.join(rel)).ok()?;
                Some((rel.to_string(), text))
            })
            .collect()
    }

    /// Every file of the real corpus, whole and cut into windows at odd
    /// offsets (so pieces start mid-word, mid-run and next to line breaks).
    #[test]
    fn corpus_counts_match_the_reference() {
        let mut files = 0;
        let mut windows = 0;
        for (rel, text) in corpus() {
            files += 1;
            assert_eq!(count(&text), reference(&text), "{rel}");
            let mut start = 0;
            while start < text.len() {
                let mut end = (start + 997).min(text.len());
                while !text.is_char_boundary(end) {
                    end += 1;
                }
                let window = &text[start..end];
                assert_eq!(count(window), reference(window), "{rel} at {start}");
                windows += 1;
                start = end + 13;
                while start < text.len() && !text.is_char_boundary(start) {
                    start += 1;
                }
            }
        }
        assert!(files >= 50, "only {files} corpus files read");
        assert!(windows > files);
    }
}
