//! A per-count cache of short pieces' token counts.
//!
//! WHY: tool outputs repeat the same words, numbers and punctuation
//! thousands of times (log levels, class names, ` at`, `: `), and looking a
//! piece up in the 200k-token vocabulary touches three tables of megabytes
//! each (index slot, token offset, token bytes), usually missing every
//! cache level. A small direct-mapped table of the pieces already seen in
//! this text stays in the CPU's cache. It lives for one count only, so its
//! memory is bounded by the text's size and the counter stays pure.
//!
//! Exact: an entry holds the piece's bytes (pieces of up to 16 bytes, which
//! is nearly all of them) and is used only on an exact byte match.

/// Pieces longer than this are not cached.
pub const MAX_PIECE: usize = 16;

/// Texts shorter than this are counted without a cache: allocating it
/// would cost more than it saves.
const MIN_TEXT: usize = 2048;

/// Largest table: 2^13 entries of 24 bytes, 192 KB.
const MAX_BITS: u32 = 13;

/// One cached piece: its bytes zero-padded to 16, and its length and
/// token count packed as `len << 8 | count` (`len == 0`: empty entry).
#[derive(Clone, Copy, Default)]
struct Entry {
    low: u64,
    high: u64,
    len_and_count: u32,
}

/// The cache for one text.
pub struct PieceCache {
    entries: Vec<Entry>,
    shift: u32,
}

impl PieceCache {
    /// A cache sized for a text of `text_len` bytes (none for short texts).
    pub fn for_text(text_len: usize) -> Self {
        if text_len < MIN_TEXT {
            return Self {
                entries: Vec::new(),
                shift: 0,
            };
        }
        // About one entry per 32 bytes of text, within 2^8..2^13.
        let bits = (text_len / 32)
            .next_power_of_two()
            .trailing_zeros()
            .clamp(8, MAX_BITS);
        Self {
            entries: vec![Entry::default(); 1 << bits],
            shift: 64 - bits,
        }
    }

    /// The token count of `text[start..end]`, from the cache or from
    /// `count` (whose answer is then cached).
    #[inline]
    pub fn get_or_count(
        &mut self,
        text: &[u8],
        start: usize,
        end: usize,
        count: impl FnOnce(&[u8]) -> usize,
    ) -> usize {
        let len = end - start;
        if self.entries.is_empty() || len > MAX_PIECE {
            return count(&text[start..end]);
        }
        let (low, high) = key(text, start, len);
        let hash = (low ^ high.rotate_left(29) ^ len as u64)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(high)
            .wrapping_mul(0xD6E8_FEB8_6659_FD93);
        let slot = &mut self.entries[(hash >> self.shift) as usize];
        if slot.low == low && slot.high == high && (slot.len_and_count >> 8) as usize == len {
            return (slot.len_and_count & 0xff) as usize;
        }
        let tokens = count(&text[start..end]);
        // A piece of at most 16 bytes has at most 16 tokens.
        *slot = Entry {
            low,
            high,
            len_and_count: (len as u32) << 8 | tokens as u32,
        };
        tokens
    }
}

/// `text[start..start + len]` (`len <= 16`) as two little-endian words,
/// zero-padded.
#[inline(always)]
fn key(text: &[u8], start: usize, len: usize) -> (u64, u64) {
    if len <= 8 {
        if let Some(window) = text.get(start..start + 8) {
            let low = u64::from_le_bytes(window.try_into().expect("8 bytes"));
            return (low & mask(len), 0);
        }
    }
    if let Some(window) = text.get(start..start + MAX_PIECE) {
        // Two word loads, then the bytes past the piece are cleared.
        let (low, high) = window.split_at(8);
        let low = u64::from_le_bytes(low.try_into().expect("8 bytes"));
        let high = u64::from_le_bytes(high.try_into().expect("8 bytes"));
        return (low & mask(len.min(8)), high & mask(len.saturating_sub(8)));
    }
    let mut padded = [0u8; MAX_PIECE];
    padded[..len].copy_from_slice(&text[start..start + len]);
    words(&padded)
}

#[inline(always)]
fn words(bytes: &[u8; MAX_PIECE]) -> (u64, u64) {
    let (low, high) = bytes.split_at(8);
    (
        u64::from_le_bytes(low.try_into().expect("8 bytes")),
        u64::from_le_bytes(high.try_into().expect("8 bytes")),
    )
}

/// A mask of the low `bytes` bytes (`bytes <= 8`).
#[inline(always)]
fn mask(bytes: usize) -> u64 {
    if bytes >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * bytes)) - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_only_on_the_exact_piece() {
        let text = format!("{}abcabd{}", "x".repeat(MIN_TEXT), "y".repeat(20));
        let bytes = text.as_bytes();
        let at = MIN_TEXT;
        let mut cache = PieceCache::for_text(bytes.len());
        let mut calls = 0;
        let mut lookup = |cache: &mut PieceCache, start: usize, end: usize, answer: usize| {
            cache.get_or_count(bytes, start, end, |_| {
                calls += 1;
                answer
            })
        };
        assert_eq!(lookup(&mut cache, at, at + 3, 2), 2); // "abc", counted
        assert_eq!(lookup(&mut cache, at, at + 3, 9), 2); // "abc", cached
        assert_eq!(lookup(&mut cache, at + 3, at + 6, 3), 3); // "abd" differs
        assert_eq!(lookup(&mut cache, at, at + 2, 1), 1); // "ab", a prefix
                                                          // Near the end of the text the key is built by copying.
        let tail = bytes.len() - 5;
        assert_eq!(lookup(&mut cache, tail, tail + 5, 4), 4);
        assert_eq!(lookup(&mut cache, tail, tail + 5, 7), 4);
        // Longer pieces are never cached.
        assert_eq!(lookup(&mut cache, 0, 17, 5), 5);
        assert_eq!(lookup(&mut cache, 0, 17, 6), 6);
        assert_eq!(calls, 6);
    }

    #[test]
    fn keys_ignore_bytes_past_the_piece() {
        let text = b"hello world, hello there";
        assert_eq!(key(text, 0, 5), key(b"hello", 0, 5));
        assert_eq!(key(text, 0, 5), key(text, 13, 5));
        assert_ne!(key(text, 0, 5), key(text, 0, 6));
    }
}
