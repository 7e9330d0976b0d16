//! Generates one `#[test]` per corpus file listed in `MANIFEST.tsv`, so a
//! new corpus file gets its golden test without anyone remembering to add
//! it (and `tests/corpus_complete.rs` proves the manifest lists every file).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    match std::env::var_os("HEADROOM_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        // Read when the script runs, not baked in when it is compiled: a
        // build cache shared by checkouts at other paths reuses the script.
        None => Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"))
            .join("../../shared/corpus"),
    }
}

/// A Rust identifier for a name: `loghub_HDFS-2k.log` -> `loghub_hdfs_2k_log`.
fn ident(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

fn main() {
    println!("cargo:rerun-if-env-changed=HEADROOM_CORPUS");
    let manifest = corpus_dir().join("MANIFEST.tsv");
    println!("cargo:rerun-if-changed={}", manifest.display());
    let text = std::fs::read_to_string(&manifest).unwrap_or_else(|e| {
        panic!(
            "cannot read {} (the repo must sit beside shared/): {e}",
            manifest.display()
        )
    });

    // category -> test functions; one module per category, so tests are
    // named `logs::loghub_hdfs_2k_log` and `cargo test logs::` runs a category.
    let mut modules: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut names = std::collections::BTreeSet::new();
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let mut cols = line.split('\t');
        let (rel, category) = (cols.next().unwrap_or(""), cols.next().unwrap_or(""));
        let file = rel.rsplit('/').next().unwrap_or(rel);
        let name = format!("{}::{}", ident(category), ident(file));
        assert!(
            names.insert(name.clone()),
            "two corpus files map to the test name `{name}`"
        );
        let check = if category == "agent_traces" {
            "headroom_tests::messages::check"
        } else {
            "headroom_tests::golden::check"
        };
        modules
            .entry(category.to_string())
            .or_default()
            .push(format!(
                "    #[test]\n    fn {}() {{\n        {check}({rel:?});\n    }}\n",
                ident(file)
            ));
    }
    let (mut golden, mut traces) = (String::new(), String::new());
    for (category, tests) in &modules {
        let out = if category == "agent_traces" {
            &mut traces
        } else {
            &mut golden
        };
        writeln!(out, "mod {} {{\n{}}}\n", ident(category), tests.join("\n"))
            .expect("writing to a String");
    }
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out_dir.join("golden_tests.rs"), golden).expect("write golden_tests.rs");
    std::fs::write(out_dir.join("trace_tests.rs"), traces).expect("write trace_tests.rs");
}
