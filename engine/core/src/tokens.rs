//! Real BPE token counts (OpenAI `o200k_base`), not bytes divided by four.
//! The vocabulary is compiled into the binary/wasm module; nothing is fetched.

/// Number of `o200k_base` tokens in `text`.
pub fn count(text: &str) -> usize {
    if text.is_empty() {
        return 0;
    }
    bpe_openai::o200k_base().count(text)
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_match_tiktoken_o200k() {
        // Reference values from tiktoken's o200k_base.
        assert_eq!(super::count("hello world"), 2);
        assert_eq!(super::count(""), 0);
    }
}
