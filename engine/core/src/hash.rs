//! The one hash scheme for originals: BLAKE3 of the original UTF-8 bytes,
//! first 24 lowercase hex characters. Only the engine computes it, so every
//! host and every runtime agrees on it.

/// Length of a Headroom hash in hex characters.
pub const HASH_LEN: usize = 24;

/// Hash of an original, as it appears in markers and in the CCR store.
pub fn content_hash(original: &str) -> String {
    let digest = blake3::hash(original.as_bytes());
    digest.to_hex()[..HASH_LEN].to_string()
}

/// True when `s` has the form of a Headroom hash.
pub fn is_hash(s: &str) -> bool {
    s.len() == HASH_LEN && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_stable_and_well_formed() {
        let h = content_hash("hello");
        assert_eq!(h, "ea8f163db38682925e4491c5");
        assert!(is_hash(&h));
        assert!(!is_hash("EA8F163DB38682925E4491C5"));
    }
}
