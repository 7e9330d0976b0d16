//! Substring search for the short needles the classifiers look for in one
//! line at a time, without the set-up `str::contains` pays on every call.
//!
//! Why this exists: `str::contains(&str)` and `match_indices` build a
//! Two-Way searcher (a critical factorization of the needle) per call. On
//! x86-64 the standard library skips that for short needles with an SSE2
//! path, so native builds never noticed; on wasm32 it does not, and the
//! router and the language guesser ask dozens of such questions per line.
//! Under wasmtime that set-up was ~5% of a source file's compression time
//! and ~4% of a log's, time the native build did not spend.
//!
//! The search here finds the needle's first byte with `memchr` (SIMD on
//! both targets) and compares the rest: no set-up, and quick on lines of a
//! few hundred bytes. Not meant for long haystacks with pathological
//! repeats (it is quadratic there); a needle searched for in every line of
//! a text is better served by one [`memchr::memmem::Finder`].

/// True when `needle` occurs in `hay` (the same answer as
/// `hay.contains(needle)`).
#[inline]
pub fn contains(hay: &str, needle: &str) -> bool {
    find_from(hay.as_bytes(), needle.as_bytes(), 0).is_some()
}

/// Byte offsets of the occurrences of a non-empty `needle` in `hay`, left
/// to right, not overlapping (the offsets `str::match_indices` gives).
pub fn occurrences<'a>(hay: &'a str, needle: &'a str) -> impl Iterator<Item = usize> + 'a {
    debug_assert!(!needle.is_empty(), "occurrences of an empty needle");
    let (hay, needle) = (hay.as_bytes(), needle.as_bytes());
    let mut from = 0;
    std::iter::from_fn(move || {
        let at = find_from(hay, needle, from)?;
        from = at + needle.len().max(1);
        Some(at)
    })
}

/// The first occurrence of `needle` in `hay` at or after `from`.
fn find_from(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let Some((&first, rest)) = needle.split_first() else {
        return (from <= hay.len()).then_some(from);
    };
    let last_start = hay.len().checked_sub(needle.len())?;
    let mut at = from;
    while at <= last_start {
        let offset = memchr::memchr(first, &hay[at..=last_start])?;
        let start = at + offset;
        if hay[start + 1..start + needle.len()] == *rest {
            return Some(start);
        }
        at = start + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const HAYS: &[&str] = &[
        "",
        "a",
        "aaaa",
        "abcabcab",
        "12:00 INFO started",
        "from x import y",
        "if err != nil {",
        "x === y !== z",
        "héllo wörld → ok",
        "self.x = 1  # self.y",
    ];
    const NEEDLES: &[&str] = &[
        "", "a", "aa", "abc", "cab", "b", " INFO ", "import", " import ", "!==", "===", "ö", "→ o",
        "self.", "# s", "zzz", "started", "d",
    ];

    #[test]
    fn contains_agrees_with_the_standard_library() {
        for hay in HAYS {
            for needle in NEEDLES {
                assert_eq!(
                    contains(hay, needle),
                    hay.contains(needle),
                    "{hay:?} {needle:?}"
                );
            }
        }
    }

    #[test]
    fn occurrences_are_those_of_match_indices() {
        for hay in HAYS {
            for needle in NEEDLES.iter().filter(|n| !n.is_empty()) {
                let expected: Vec<usize> = hay.match_indices(needle).map(|(i, _)| i).collect();
                let found: Vec<usize> = occurrences(hay, needle).collect();
                assert_eq!(found, expected, "{hay:?} {needle:?}");
            }
        }
        assert_eq!(occurrences("aaaaa", "aa").collect::<Vec<_>>(), vec![0, 2]);
    }
}
