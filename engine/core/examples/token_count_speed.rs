//! Measures the o200k token counter: first-use setup time and throughput on
//! the corpus, per category and in total, next to the `bpe-openai`
//! reference it must agree with.
//!
//! `cargo run --release -p headroom-core --example token_count_speed [corpus dir]`

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

/// Timed runs per file; the fastest counts.
const RUNS: usize = 7;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
        });
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).expect("read MANIFEST.tsv");
    // (category, text) for every readable file of the manifest.
    let texts: Vec<(String, String)> = manifest
        .lines()
        .filter_map(|row| {
            let mut fields = row.split('\t');
            let path = fields.next()?;
            let category = fields.next()?.to_string();
            Some((category, std::fs::read_to_string(dir.join(path)).ok()?))
        })
        .collect();

    let start = Instant::now();
    headroom_core::tokens::count("warm up");
    println!("headroom first count (setup): {:.1} ms", ms(start));
    let start = Instant::now();
    bpe_openai::o200k_base().count("warm up");
    println!("bpe-openai first count (setup): {:.1} ms", ms(start));

    println!("| counter | category | MB | tokens | MB/s |");
    println!("|---|---|---:|---:|---:|");
    for (name, count) in [
        (
            "headroom",
            headroom_core::tokens::count as fn(&str) -> usize,
        ),
        ("bpe-openai", |t: &str| bpe_openai::o200k_base().count(t)),
    ] {
        // category -> (bytes, tokens, seconds). Each file's fastest of
        // several runs, summed: on a shared, loaded machine that is closer
        // to the real speed than one timed pass.
        let mut per_category: BTreeMap<&str, (usize, usize, f64)> = BTreeMap::new();
        for (category, text) in &texts {
            let mut best = f64::MAX;
            let mut tokens = 0;
            for _ in 0..RUNS {
                let start = Instant::now();
                tokens = std::hint::black_box(count(text));
                best = best.min(start.elapsed().as_secs_f64());
            }
            let entry = per_category.entry(category).or_default();
            entry.0 += text.len();
            entry.1 += tokens;
            entry.2 += best;
        }
        let mut total = (0, 0, 0.0);
        for (category, (bytes, tokens, seconds)) in &per_category {
            row(name, category, *bytes, *tokens, *seconds);
            total = (total.0 + bytes, total.1 + tokens, total.2 + seconds);
        }
        row(name, "all", total.0, total.1, total.2);
    }
}

fn row(name: &str, category: &str, bytes: usize, tokens: usize, seconds: f64) {
    let mb = bytes as f64 / 1e6;
    println!(
        "| {name} | {category} | {mb:.2} | {tokens} | {:.1} |",
        mb / seconds
    );
}

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1e3
}
