//! Measures the o200k token counter: first-use setup time and throughput on
//! the corpus, next to the `bpe-openai` reference it must agree with.
//!
//! `cargo run --release -p headroom-core --example token_count_speed [corpus dir]`

use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
        });
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).expect("read MANIFEST.tsv");
    let texts: Vec<String> = manifest
        .lines()
        .filter_map(|row| std::fs::read_to_string(dir.join(row.split('\t').next()?)).ok())
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();

    let start = Instant::now();
    headroom_core::tokens::count("warm up");
    println!("headroom first count (setup): {:.1} ms", ms(start));
    let start = Instant::now();
    bpe_openai::o200k_base().count("warm up");
    println!("bpe-openai first count (setup): {:.1} ms", ms(start));

    // Each file's fastest of several runs, summed: on a shared, loaded
    // machine that is closer to the real speed than one timed pass.
    for (name, count) in [
        (
            "headroom",
            headroom_core::tokens::count as fn(&str) -> usize,
        ),
        ("bpe-openai", |t: &str| bpe_openai::o200k_base().count(t)),
    ] {
        let mut seconds = 0.0;
        let mut tokens = 0;
        for text in &texts {
            let mut best = f64::MAX;
            for _ in 0..7 {
                let start = Instant::now();
                tokens += std::hint::black_box(count(text));
                best = best.min(start.elapsed().as_secs_f64());
            }
            seconds += best;
        }
        println!(
            "{name}: {} tokens in {:.2} MB, {:.1} MB/s",
            tokens / 7,
            bytes as f64 / 1e6,
            bytes as f64 / 1e6 / seconds
        );
    }
}

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1e3
}
