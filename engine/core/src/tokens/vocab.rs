//! The `o200k_base` vocabulary: each ordinary token's bytes by rank, and an
//! index from bytes back to rank.
//!
//! WHY this shape: the module embeds only the bare vocabulary and a hash
//! index of it, both made by `build.rs` (~3.6 MB together). Embedding a
//! prebuilt BPE automaton instead costs ~32 MB in the wasm module that
//! browsers download; building the index at first use costs ~20 ms natively
//! and far more in a wasm engine's baseline tier. What is left for first
//! use is one pass over the token lengths.

use super::slot_hash::{slot_and_tag, table_bits, EMPTY, RANK_MASK};
use std::sync::OnceLock;

/// Every ordinary token's bytes, concatenated in rank order (from build.rs).
static TOKEN_BYTES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/o200k_bytes.bin"));
/// One byte per rank: the length of that token (from build.rs).
static TOKEN_LENS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/o200k_lens.bin"));
/// The index: little-endian `u32` slots laid out as `slot_hash` describes.
static SLOTS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/o200k_slots.bin"));

/// The vocabulary with its byte-to-rank index.
pub struct Vocab {
    /// `starts[r]..starts[r + 1]` is token `r`'s range in [`TOKEN_BYTES`].
    starts: Vec<u32>,
    /// log2 of the number of slots in [`SLOTS`].
    bits: u32,
    /// Rank of each single byte (every byte is a token in `o200k_base`).
    byte_ranks: [u32; 256],
    /// Length of the longest token: longer pieces skip the lookup.
    max_len: usize,
}

/// The vocabulary, set up on first use and shared afterwards.
pub fn get() -> &'static Vocab {
    static VOCAB: OnceLock<Vocab> = OnceLock::new();
    VOCAB.get_or_init(Vocab::load)
}

impl Vocab {
    fn load() -> Self {
        let mut starts = Vec::with_capacity(TOKEN_LENS.len() + 1);
        let mut byte_ranks = [EMPTY; 256];
        let mut offset = 0u32;
        starts.push(0);
        for (rank, &len) in TOKEN_LENS.iter().enumerate() {
            if len == 1 {
                byte_ranks[usize::from(TOKEN_BYTES[offset as usize])] = rank as u32;
            }
            offset += u32::from(len);
            starts.push(offset);
        }
        assert_eq!(
            offset as usize,
            TOKEN_BYTES.len(),
            "vocabulary data is inconsistent"
        );
        assert!(
            byte_ranks.iter().all(|&rank| rank != EMPTY),
            "o200k_base has a token for every single byte"
        );
        let bits = table_bits(TOKEN_LENS.len());
        assert_eq!(SLOTS.len(), 4 << bits, "index built for another vocabulary");
        Self {
            starts,
            bits,
            byte_ranks,
            max_len: usize::from(TOKEN_LENS.iter().copied().max().unwrap_or(0)),
        }
    }

    /// The bytes of token `rank`.
    pub fn token(&self, rank: u32) -> &'static [u8] {
        let rank = rank as usize;
        &TOKEN_BYTES[self.starts[rank] as usize..self.starts[rank + 1] as usize]
    }

    /// Rank of the token whose bytes are exactly `bytes`, if there is one.
    #[inline]
    pub fn rank(&self, bytes: &[u8]) -> Option<u32> {
        if bytes.len() > self.max_len {
            return None;
        }
        if let [byte] = bytes {
            return Some(self.byte_ranks[usize::from(*byte)]);
        }
        let mask = (1 << self.bits) - 1;
        let (mut slot, tag) = slot_and_tag(bytes, self.bits);
        loop {
            let entry = slot_entry(slot);
            if entry == EMPTY {
                return None;
            }
            if entry & !RANK_MASK == tag {
                let rank = entry & RANK_MASK;
                if self.token(rank) == bytes {
                    return Some(rank);
                }
            }
            slot = (slot + 1) & mask;
        }
    }
}

/// Slot `index` of the embedded index.
#[inline]
fn slot_entry(index: usize) -> u32 {
    let at = index * 4;
    u32::from_le_bytes(SLOTS[at..at + 4].try_into().expect("4 bytes"))
}

#[cfg(test)]
mod tests {
    use super::get;

    #[test]
    fn every_token_maps_back_to_its_own_rank() {
        let vocab = get();
        let tokens = vocab.starts.len() - 1;
        assert!(tokens > 199_000, "only {tokens} tokens");
        for rank in 0..tokens as u32 {
            assert_eq!(vocab.rank(vocab.token(rank)), Some(rank), "rank {rank}");
        }
    }

    #[test]
    fn known_tokens_and_non_tokens() {
        let vocab = get();
        // Ranks as listed in o200k_base.tiktoken.
        assert_eq!(vocab.rank(b"!"), Some(0));
        assert_eq!(vocab.rank(b"hello"), Some(24912));
        assert_eq!(vocab.rank(b" world"), Some(2375));
        assert_eq!(vocab.rank(b"hello world, this is not one token"), None);
        assert_eq!(vocab.rank(b"zqxjv"), None);
        assert_eq!(vocab.rank(&[b' '; 300]), None);
    }

    /// The counter counts a piece of one to three ASCII digits as one token
    /// without looking it up: every such string is a token of `o200k_base`.
    #[test]
    fn every_string_of_up_to_three_digits_is_a_token() {
        let vocab = get();
        let mut strings = 0;
        for len in 1..=3u32 {
            for n in 0..10usize.pow(len) {
                let digits = format!("{n:0width$}", width = len as usize);
                assert!(vocab.rank(digits.as_bytes()).is_some(), "{digits}");
                strings += 1;
            }
        }
        assert_eq!(strings, 1110);
    }
}
