//! The corpus, its manifest, the generated tests and the snapshots agree:
//! no corpus file can be skipped silently and no snapshot can go stale.

use headroom_tests::corpus::{self, TRACES};
use headroom_tests::snapshot;
use std::collections::BTreeSet;

const GENERATED_GOLDEN: &str = include_str!(concat!(env!("OUT_DIR"), "/golden_tests.rs"));
const GENERATED_TRACES: &str = include_str!(concat!(env!("OUT_DIR"), "/trace_tests.rs"));

#[test]
fn manifest_lists_exactly_the_files_on_disk() {
    let listed: BTreeSet<String> = corpus::manifest()
        .unwrap()
        .into_iter()
        .map(|f| f.rel)
        .collect();
    let on_disk: BTreeSet<String> = corpus::files_on_disk()
        .unwrap()
        .into_iter()
        .filter(|f| f != "MANIFEST.tsv")
        .collect();
    let unlisted: Vec<_> = on_disk.difference(&listed).collect();
    let missing: Vec<_> = listed.difference(&on_disk).collect();
    assert!(
        unlisted.is_empty(),
        "corpus files not in MANIFEST.tsv (they would get no test): {unlisted:?}"
    );
    assert!(
        missing.is_empty(),
        "MANIFEST.tsv lists files that do not exist: {missing:?}"
    );
}

#[test]
fn every_manifest_row_has_a_generated_test() {
    let manifest = corpus::manifest().unwrap();
    for fixture in &manifest {
        let generated = if fixture.category == TRACES {
            GENERATED_TRACES
        } else {
            GENERATED_GOLDEN
        };
        assert!(
            generated.contains(&format!("({:?});", fixture.rel)),
            "no generated test for {}",
            fixture.rel
        );
    }
    let tests =
        GENERATED_GOLDEN.matches("#[test]").count() + GENERATED_TRACES.matches("#[test]").count();
    assert_eq!(
        tests,
        manifest.len(),
        "generated tests are stale: rebuild the headroom-tests crate"
    );
}

#[test]
fn no_snapshot_without_a_fixture() {
    let mut expected = BTreeSet::new();
    for fixture in corpus::manifest().unwrap() {
        // Trajectories snapshot their last turn's outputs and a meta file.
        let suffixes: &[&str] = if fixture.category == TRACES {
            &["out", "meta.json"]
        } else {
            &["out", "lossless.out", "meta.json"]
        };
        for suffix in suffixes {
            expected.insert(format!("{}/{}.{suffix}", fixture.category, fixture.name));
        }
    }
    let root = snapshot::dir();
    let mut stale = Vec::new();
    for category in std::fs::read_dir(&root).into_iter().flatten().flatten() {
        for file in std::fs::read_dir(category.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let rel = format!(
                "{}/{}",
                category.file_name().to_string_lossy(),
                file.file_name().to_string_lossy()
            );
            if !expected.contains(&rel) {
                stale.push(rel);
            }
        }
    }
    assert!(
        stale.is_empty(),
        "snapshots for no corpus file (delete them): {stale:?}"
    );
}
