//! Byte-pair merging of one pre-tokenized piece, counting the tokens.
//!
//! The rule (tiktoken's): start from single bytes; repeatedly merge the
//! adjacent pair whose concatenation is the lowest-ranked token, the
//! leftmost such pair on ties; stop when no adjacent pair is a token.
//!
//! Two implementations of that one rule: a linear scan per merge (fastest
//! for the short pieces that make up nearly all text) and a heap over a
//! linked list (so a 100 KB run of one character does not take quadratic
//! time). Tests hold them to the same answers.

use super::vocab::Vocab;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Pieces up to this many bytes use the linear scan.
const SHORT_PIECE: usize = 128;

/// Rank meaning "this pair is not a token".
const NO_RANK: u32 = u32::MAX;

/// Marks a byte position that no longer starts a token.
const DEAD: u32 = u32::MAX;

/// Buffers reused across the pieces of one text, so merging allocates once.
#[derive(Default)]
pub struct Scratch {
    bounds: Vec<u32>,
    ranks: Vec<u32>,
    next: Vec<u32>,
    prev: Vec<u32>,
    generation: Vec<u32>,
    heap: BinaryHeap<Reverse<(u32, u32, u32)>>,
}

/// Number of tokens `piece` encodes to.
pub fn count(vocab: &Vocab, piece: &[u8], scratch: &mut Scratch) -> usize {
    if piece.len() <= 1 || vocab.rank(piece).is_some() {
        return piece.len().min(1);
    }
    if piece.len() <= SHORT_PIECE {
        count_by_scan(vocab, piece, scratch)
    } else {
        count_by_heap(vocab, piece, scratch)
    }
}

/// Linear scan: `bounds` are the token boundaries, `ranks[i]` the rank of
/// tokens `i` and `i + 1` merged.
fn count_by_scan(vocab: &Vocab, piece: &[u8], scratch: &mut Scratch) -> usize {
    let Scratch { bounds, ranks, .. } = scratch;
    bounds.clear();
    bounds.extend(0..=piece.len() as u32);
    ranks.clear();
    ranks.extend(piece.windows(2).map(|pair| rank_or_none(vocab, pair)));

    // Rank of tokens `i` and `i + 1` merged, under the current bounds.
    let pair_rank = |bounds: &[u32], i: usize| match bounds.get(i + 2) {
        Some(&end) => rank_or_none(vocab, &piece[bounds[i] as usize..end as usize]),
        None => NO_RANK,
    };
    loop {
        let mut best = (NO_RANK, 0);
        for (i, &rank) in ranks.iter().enumerate() {
            if rank < best.0 {
                best = (rank, i);
            }
        }
        let (rank, i) = best;
        if rank == NO_RANK {
            break;
        }
        bounds.remove(i + 1);
        ranks.remove(i);
        if i < ranks.len() {
            ranks[i] = pair_rank(bounds, i);
        }
        if i > 0 {
            ranks[i - 1] = pair_rank(bounds, i - 1);
        }
    }
    bounds.len() - 1
}

/// Heap over a doubly linked list of tokens, each named by the byte position
/// where it starts. Heap entries are `(rank, start, generation)`; popping the
/// minimum gives the lowest rank, leftmost on ties, as the rule demands.
/// `generation[start]` changes whenever the pair starting at `start` does,
/// which makes older entries for it stale.
fn count_by_heap(vocab: &Vocab, piece: &[u8], scratch: &mut Scratch) -> usize {
    let len = piece.len() as u32;
    let Scratch {
        next,
        prev,
        generation,
        heap,
        ..
    } = scratch;
    next.clear();
    next.extend(1..=len);
    prev.clear();
    prev.extend((0..len).map(|start| start.wrapping_sub(1)));
    generation.clear();
    generation.resize(piece.len(), 0);
    heap.clear();
    for (start, pair) in piece.windows(2).enumerate() {
        if let Some(rank) = vocab.rank(pair) {
            heap.push(Reverse((rank, start as u32, 0)));
        }
    }

    let mut tokens = piece.len();
    while let Some(Reverse((_, start, stamp))) = heap.pop() {
        let s = start as usize;
        if next[s] == DEAD || generation[s] != stamp {
            continue;
        }
        // Merge the token at `start` with its right neighbour.
        let right = next[s] as usize;
        let end = next[right];
        next[s] = end;
        next[right] = DEAD;
        if end < len {
            prev[end as usize] = start;
        }
        tokens -= 1;

        generation[s] += 1;
        if end < len {
            let pair_end = next[end as usize] as usize;
            if let Some(rank) = vocab.rank(&piece[s..pair_end]) {
                heap.push(Reverse((rank, start, generation[s])));
            }
        }
        let left = prev[s];
        if left != DEAD {
            let l = left as usize;
            generation[l] += 1;
            if let Some(rank) = vocab.rank(&piece[l..end as usize]) {
                heap.push(Reverse((rank, left, generation[l])));
            }
        }
    }
    tokens
}

fn rank_or_none(vocab: &Vocab, bytes: &[u8]) -> u32 {
    vocab.rank(bytes).unwrap_or(NO_RANK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::vocab;

    fn both(piece: &[u8]) -> (usize, usize) {
        let vocab = vocab::get();
        let mut scratch = Scratch::default();
        (
            count_by_scan(vocab, piece, &mut scratch),
            count_by_heap(vocab, piece, &mut scratch),
        )
    }

    #[test]
    fn scan_and_heap_agree() {
        let mut pieces: Vec<Vec<u8>> = vec![
            b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".to_vec(),
            b"unbelievablyextraordinarilylongidentifiername".to_vec(),
            " ".repeat(300).into_bytes(),
            "\u{1F600}\u{1F680}\u{1F4A9}".repeat(20).into_bytes(),
            "\u{6f22}\u{5b57}\u{304b}\u{306a}".repeat(40).into_bytes(),
            b"0123456789abcdef".repeat(17).to_vec(),
        ];
        // Deterministic pseudo-random bytes biased to a small alphabet, so
        // that many pairs merge and ties between equal pairs occur.
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for len in [2usize, 3, 7, 20, 64, 129, 300, 1000] {
            let piece = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    b"eeaatnrs "[(state % 9) as usize]
                })
                .collect();
            pieces.push(piece);
        }
        for piece in pieces {
            let (scan, heap) = both(&piece);
            assert_eq!(scan, heap, "{:?}", String::from_utf8_lossy(&piece));
            assert!(scan >= 1 && scan <= piece.len());
        }
    }

    #[test]
    fn whole_tokens_and_single_bytes_count_one() {
        let vocab = vocab::get();
        let mut scratch = Scratch::default();
        assert_eq!(count(vocab, b"", &mut scratch), 0);
        assert_eq!(count(vocab, &[0xff], &mut scratch), 1);
        assert_eq!(count(vocab, b" world", &mut scratch), 1);
        // Invalid UTF-8 bytes that never merge stay one token each.
        assert_eq!(both(&[0xff, 0xfe, 0xff, 0xfe]), (4, 4));
    }
}
