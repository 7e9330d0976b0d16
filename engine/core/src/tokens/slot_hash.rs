//! The vocabulary index's layout and hash, shared by `build.rs` (which
//! builds the index) and [`super::vocab`] (which probes it), so the two can
//! never disagree.
//!
//! The index is an open-addressing table with linear probing. A slot holds
//! a rank in its low [`RANK_BITS`] bits and, above them, more bits of the
//! token's hash (a tag): a probe that meets another token almost always
//! tells from the tag alone, without comparing bytes.

/// Bits of a slot that hold the rank (`o200k_base` has < 2^18 tokens).
pub const RANK_BITS: u32 = 18;
/// Mask of the rank bits of a slot.
pub const RANK_MASK: u32 = (1 << RANK_BITS) - 1;
/// An empty slot.
pub const EMPTY: u32 = u32::MAX;

/// Odd 64-bit constant (the golden ratio) used to spread hash bits.
const SPREAD: u64 = 0x9E37_79B9_7F4A_7C15;

/// log2 of the table size for `tokens` entries: at most ~40% full, so
/// probe chains stay short.
pub fn table_bits(tokens: usize) -> u32 {
    (tokens * 5 / 2).next_power_of_two().trailing_zeros()
}

/// The slot where probing for `bytes` starts in a table of `1 << bits`
/// slots, and the tag stored with its rank: a multiplicative hash of the
/// bytes read eight at a time (tokens are short, so this is a few
/// multiplications); its well-mixed high bits pick the slot, the bits
/// below them make the tag.
#[inline]
pub fn slot_and_tag(bytes: &[u8], bits: u32) -> (usize, u32) {
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
    let slot = (hash >> (64 - bits)) as usize;
    let tag = ((hash >> (64 - bits - (32 - RANK_BITS))) as u32) << RANK_BITS;
    (slot, tag)
}
