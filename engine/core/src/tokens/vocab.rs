//! The `o200k_base` vocabulary: each ordinary token's bytes by rank, and an
//! index from bytes back to rank.
//!
//! WHY this shape: the module only embeds the bare vocabulary (~1.5 MB, see
//! `build.rs`), and the index is an open-addressing table of ranks built in
//! a few milliseconds at first use. Embedding a prebuilt automaton instead
//! costs ~32 MB in the wasm module that browsers download and instantiate.

use std::sync::OnceLock;

/// Every ordinary token's bytes, concatenated in rank order (from build.rs).
static TOKEN_BYTES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/o200k_bytes.bin"));
/// One byte per rank: the length of that token (from build.rs).
static TOKEN_LENS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/o200k_lens.bin"));

/// Marks an empty slot of the index.
const EMPTY: u32 = u32::MAX;

/// A slot holds a rank in its low bits and, above them, a few more bits of
/// the token's hash: a probe that meets another token almost always tells
/// from those bits alone, without comparing bytes.
const RANK_BITS: u32 = 18;
const RANK_MASK: u32 = (1 << RANK_BITS) - 1;

/// Odd 64-bit constant (the golden ratio) used to spread hash bits.
const SPREAD: u64 = 0x9E37_79B9_7F4A_7C15;

/// The vocabulary with its byte-to-rank index.
pub struct Vocab {
    /// `starts[r]..starts[r + 1]` is token `r`'s range in [`TOKEN_BYTES`].
    starts: Vec<u32>,
    /// Open-addressing table (linear probing) of tagged ranks (see
    /// [`RANK_BITS`]), [`EMPTY`] if free.
    slots: Vec<u32>,
    /// How many high hash bits select a slot (`slots.len() == 1 << bits`).
    bits: u32,
    /// Rank of each single byte (every byte is a token in `o200k_base`).
    byte_ranks: [u32; 256],
    /// Length of the longest token: longer pieces skip the lookup.
    max_len: usize,
}

/// The vocabulary, built on first use and shared afterwards.
pub fn get() -> &'static Vocab {
    static VOCAB: OnceLock<Vocab> = OnceLock::new();
    VOCAB.get_or_init(Vocab::build)
}

impl Vocab {
    fn build() -> Self {
        let count = TOKEN_LENS.len();
        assert!(
            count < RANK_MASK as usize,
            "ranks must fit in {RANK_BITS} bits"
        );
        let mut starts = Vec::with_capacity(count + 1);
        let mut offset = 0u32;
        starts.push(0);
        for &len in TOKEN_LENS {
            offset += u32::from(len);
            starts.push(offset);
        }
        assert_eq!(
            offset as usize,
            TOKEN_BYTES.len(),
            "vocabulary data is inconsistent"
        );

        // At most ~40% full, so probe chains stay short.
        let bits = (count * 5 / 2).next_power_of_two().trailing_zeros();
        let mut vocab = Self {
            starts,
            slots: vec![EMPTY; 1 << bits],
            bits,
            byte_ranks: [EMPTY; 256],
            max_len: usize::from(TOKEN_LENS.iter().copied().max().unwrap_or(0)),
        };
        let mask = vocab.slots.len() - 1;
        for rank in 0..count as u32 {
            let token = vocab.token(rank);
            let (mut slot, tag) = vocab.slot_and_tag(token);
            while vocab.slots[slot] != EMPTY {
                slot = (slot + 1) & mask;
            }
            vocab.slots[slot] = tag | rank;
            if let [byte] = token {
                vocab.byte_ranks[usize::from(*byte)] = rank;
            }
        }
        assert!(
            vocab.byte_ranks.iter().all(|&rank| rank != EMPTY),
            "o200k_base has a token for every single byte"
        );
        vocab
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
        let mask = self.slots.len() - 1;
        let (mut slot, tag) = self.slot_and_tag(bytes);
        loop {
            let entry = self.slots[slot];
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

    /// The slot where probing for `bytes` starts and the tag stored with its
    /// rank: a multiplicative hash of the bytes read eight at a time (tokens
    /// are short, so this is a few multiplications); its well-mixed high
    /// bits pick the slot, the bits below them make the tag.
    #[inline]
    fn slot_and_tag(&self, bytes: &[u8]) -> (usize, u32) {
        let mut hash = bytes.len() as u64;
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let word = u64::from_le_bytes(word.try_into().expect("chunk of 8"));
            hash = (hash.rotate_left(23) ^ word).wrapping_mul(SPREAD);
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            hash = (hash.rotate_left(23) ^ u64::from_le_bytes(word)).wrapping_mul(SPREAD);
        }
        let hash = hash.wrapping_mul(SPREAD);
        let slot = (hash >> (64 - self.bits)) as usize;
        let tag = ((hash >> (64 - self.bits - (32 - RANK_BITS))) as u32) << RANK_BITS;
        (slot, tag)
    }
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
}
