//! Line keys: every line that can be collapsed gets a small integer naming
//! its shape (its template, or its digit mask for errors), so lines of the
//! same shape are found with one table lookup instead of string compares.
//!
//! The table uses a fixed hash function: the engine must give the same result
//! in every runtime, and std's default hasher is randomly seeded.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Key of a line that never collapses with another (pinned lines, blanks).
pub const NO_KEY: u32 = u32::MAX;

/// A fixed, fast, non-cryptographic hasher (FxHash's multiply-rotate scheme).
#[derive(Default, Clone, Copy)]
pub struct FixedHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FixedHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FixedHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("chunks of 8")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut buf = [0u8; 8];
            buf[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(buf));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A deterministic hash map.
pub type FixedMap<K, V> = HashMap<K, V, BuildHasherDefault<FixedHasher>>;

/// Interns key strings into dense ids, one namespace per kind of key so that
/// an error line never shares a key with a plain line of the same text.
///
/// Keys live in one arena; a table per namespace maps a key's hash to the
/// first id with that hash, and ids with the same hash are chained. WHY not
/// a `HashMap<Box<[u8]>, u32>`: its lookups compare keys with `memcmp`,
/// which in the wasm module is a byte-at-a-time loop (~1.5% of compressing
/// a 1 MB log under wasmtime); here keys are compared eight bytes at a time.
#[derive(Default)]
pub struct Interner {
    tables: Vec<FixedMap<u64, u32>>,
    /// Where each id's key is in `arena` (start, end).
    spans: Vec<(usize, usize)>,
    /// The next id with the same hash in the same namespace, or [`NO_KEY`].
    same_hash: Vec<u32>,
    arena: Vec<u8>,
}

impl Interner {
    pub fn new(namespaces: usize) -> Self {
        Self {
            tables: (0..namespaces).map(|_| FixedMap::default()).collect(),
            ..Self::default()
        }
    }

    /// The id of `text` in `namespace`, allocating one (and copying `text`)
    /// only the first time it is seen.
    pub fn intern(&mut self, namespace: usize, text: &[u8]) -> u32 {
        let mut hasher = FixedHasher::default();
        hasher.write(text);
        let hash = hasher.finish();
        let id = self.spans.len() as u32;
        let first = *self.tables[namespace].entry(hash).or_insert(id);
        if first != id {
            let mut at = first;
            loop {
                let (start, end) = self.spans[at as usize];
                if same_bytes(&self.arena[start..end], text) {
                    return at;
                }
                match self.same_hash[at as usize] {
                    NO_KEY => break,
                    next => at = next,
                }
            }
            self.same_hash[at as usize] = id;
        }
        let start = self.arena.len();
        self.arena.extend_from_slice(text);
        self.spans.push((start, self.arena.len()));
        self.same_hash.push(NO_KEY);
        id
    }

    /// Number of ids handed out.
    pub fn len(&self) -> usize {
        self.spans.len()
    }
}

/// `a == b`, eight bytes at a time.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (mut a8, mut b8) = (a.chunks_exact(8), b.chunks_exact(8));
    let word = |c: &[u8]| u64::from_le_bytes(c.try_into().expect("chunks of 8"));
    (&mut a8).zip(&mut b8).all(|(x, y)| word(x) == word(y))
        && a8
            .remainder()
            .iter()
            .zip(b8.remainder())
            .all(|(x, y)| x == y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_text_same_id_per_namespace() {
        let mut keys = Interner::new(2);
        let a = keys.intern(0, b"x #");
        assert_eq!(keys.intern(0, b"x #"), a);
        assert_ne!(keys.intern(1, b"x #"), a);
        assert_ne!(keys.intern(0, b"y #"), a);
        assert_eq!(keys.len(), 3);
    }

    #[test]
    fn keys_of_every_length_are_told_apart() {
        let mut keys = Interner::new(1);
        let texts: Vec<Vec<u8>> = (0..40)
            .flat_map(|len| {
                let base = vec![b'a'; len];
                let mut last = base.clone();
                if let Some(b) = last.last_mut() {
                    *b = b'b';
                }
                [base, last]
            })
            .collect();
        let ids: Vec<u32> = texts.iter().map(|t| keys.intern(0, t)).collect();
        for (t, id) in texts.iter().zip(&ids) {
            assert_eq!(keys.intern(0, t), *id);
        }
        let mut distinct = ids.clone();
        distinct.sort_unstable();
        distinct.dedup();
        // Length 0 has no last byte to change: 79 distinct texts.
        assert_eq!(distinct.len(), 79);
        assert!(same_bytes(b"0123456789", b"0123456789"));
        assert!(!same_bytes(b"0123456789", b"0123456788"));
        assert!(!same_bytes(b"01234567", b"01234568"));
    }
}
