//! The CCR promise: every marker in an output names a hash the host was
//! handed, with the exact original bytes; lossless-only outputs carry no
//! retrievable marker and expand back to their input ([`crate::lossless`]).

use headroom_core::hash::content_hash;
use headroom_core::marker;
use headroom_core::CcrEntry;

/// Problems with the markers of one compressed tool output.
///
/// `input` is the tool output that was compressed, `output` what replaced
/// it, `entries` the CCR entries the engine returned alongside (for a whole
/// request body, all of them), `lossless` whether the host asked for
/// lossless-only compression.
pub fn problems(input: &str, output: &str, entries: &[CcrEntry], lossless: bool) -> Vec<String> {
    let mut found = Vec::new();
    let hashes = marker::find_hashes(output);
    let input_had_marker = marker::has_marker(input);
    if lossless && !hashes.is_empty() {
        found.push(format!(
            "lossless-only output carries a marker (hashes {hashes:?})"
        ));
    }
    if lossless || hashes.is_empty() && !input_had_marker {
        // Nothing retrievable: the output must give back the whole input.
        found.extend(crate::lossless::problems(input, output));
    }
    if lossless {
        return found;
    }
    for hash in &hashes {
        match entries.iter().find(|e| &e.hash == hash) {
            None => found.push(format!("marker hash {hash} has no CCR entry")),
            Some(entry) => {
                if entry.original != input {
                    found.push(format!(
                        "CCR entry {hash} does not hold this output's original ({} bytes stored, {} expected)",
                        entry.original.len(),
                        input.len()
                    ));
                }
                if content_hash(&entry.original) != entry.hash {
                    found.push(format!(
                        "CCR entry {hash} is not the content hash of its original"
                    ));
                }
            }
        }
    }
    found
}

/// Problems with a set of CCR entries on their own: each hash must be the
/// content hash of its original.
pub fn entry_problems(entries: &[CcrEntry]) -> Vec<String> {
    entries
        .iter()
        .filter(|e| content_hash(&e.original) != e.hash)
        .map(|e| {
            format!(
                "CCR entry {} is not the content hash of its original",
                e.hash
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(original: &str) -> CcrEntry {
        CcrEntry {
            hash: content_hash(original),
            original: original.to_string(),
            kind: "log".into(),
            omitted: "1 of 2 lines".into(),
        }
    }

    #[test]
    fn markers_must_resolve_to_the_exact_original() {
        let input = "a\nb\n";
        let good = entry(input);
        let out = format!("{}\na\n", marker::block("1 of 2 lines", "", &good.hash));
        assert!(problems(input, &out, std::slice::from_ref(&good), false).is_empty());
        assert_eq!(problems(input, &out, &[], false).len(), 1, "missing entry");
        let other = entry("something else");
        let wrong = CcrEntry {
            hash: good.hash.clone(),
            ..other
        };
        assert_eq!(
            problems(input, &out, &[wrong], false).len(),
            2,
            "wrong original, wrong hash"
        );
        assert_eq!(
            problems(input, &out, &[good], true).len(),
            2,
            "no marker in lossless mode, and a line was lost"
        );
        assert_eq!(
            problems(input, "a\n[headroom: 1 line omitted]\n", &[], false).len(),
            1,
            "gap without hash"
        );
    }
}
