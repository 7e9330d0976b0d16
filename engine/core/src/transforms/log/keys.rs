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
#[derive(Default)]
pub struct Interner {
    tables: Vec<FixedMap<Box<[u8]>, u32>>,
    next: u32,
}

impl Interner {
    pub fn new(namespaces: usize) -> Self {
        Self {
            tables: (0..namespaces).map(|_| FixedMap::default()).collect(),
            next: 0,
        }
    }

    /// The id of `text` in `namespace`, allocating one (and copying `text`)
    /// only the first time it is seen.
    pub fn intern(&mut self, namespace: usize, text: &[u8]) -> u32 {
        let table = &mut self.tables[namespace];
        if let Some(&id) = table.get(text) {
            return id;
        }
        let id = self.next;
        self.next += 1;
        table.insert(text.into(), id);
        id
    }

    /// Number of ids handed out.
    pub fn len(&self) -> usize {
        self.next as usize
    }
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
}
