//! Dev tool: per-file token savings and transform speed of the `log` and
//! `test` transforms on a corpus, for tuning.
//!
//! ```text
//! cargo run --release -p headroom-core --example log_savings -- \
//!     /work/shared/corpus/logs /work/shared/corpus/test_output [--profile aggressive] [--show FILE]
//! cargo run --release -p headroom-core --example log_savings -- --classify FILE   # signal per line
//! `--pieces` also prints the savings of every piece; `--bench FILE` only
//! measures the transform's speed on FILE.
//! ```
//!
//! For each file: tokens before/after on the whole file, then the same with
//! the file cut into ~30 KB pieces at line boundaries (summed over pieces,
//! plus the worst piece), and the transform's own speed (routing and token
//! counting excluded).

use headroom_core::lines::Lines;
use headroom_core::options::{Options, Params, Profile};
use headroom_core::query::Query;
use headroom_core::router::{self, Kind};
use headroom_core::transforms::{self, Ctx};
use headroom_core::{compress_text, ToolContext};
use std::path::PathBuf;
use std::time::Instant;

const PIECE_BYTES: usize = 30 * 1024;

fn main() {
    let mut dirs: Vec<PathBuf> = Vec::new();
    let mut profile = Profile::Balanced;
    let mut show: Option<String> = None;
    let mut show_pieces = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--profile" => {
                profile = args
                    .next()
                    .expect("--profile NAME")
                    .parse()
                    .expect("profile")
            }
            "--show" => show = args.next(),
            "--pieces" => show_pieces = true,
            "--count" => {
                let path = args.next().expect("--count FILE");
                let text = std::fs::read_to_string(&path).expect("read");
                println!("{path}: {} tokens", headroom_core::tokens::count(&text));
                return;
            }
            "--bench" => {
                let path = args.next().expect("--bench FILE");
                let text = std::fs::read_to_string(&path).expect("read");
                let kind = router::detect(&Lines::parse(&text), None);
                println!("{path}: {:.0} MB/s", speed(&text, kind, profile));
                return;
            }
            "--classify" => {
                let path = args.next().expect("--classify FILE");
                for (i, line) in std::fs::read_to_string(path)
                    .expect("read")
                    .lines()
                    .enumerate()
                {
                    let signal = headroom_core::signals::classify(line);
                    let summary = headroom_core::signals::is_summary(line);
                    println!(
                        "{:>5} {:?}{} {}",
                        i + 1,
                        signal,
                        if summary { " summary" } else { "" },
                        &line[..line.len().min(120)]
                    );
                }
                return;
            }
            _ => dirs.push(arg.into()),
        }
    }
    let options = Options {
        profile,
        ..Options::default()
    };
    println!(
        "{:<38} {:>5} {:>7} {:>7} {:>6} | {:>6} {:>6} {:>6} | {:>7}",
        "file", "kind", "tok", "after", "save%", "pieces", "save%", "worst%", "MB/s"
    );
    for dir in dirs {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("read dir")
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path).expect("read file");
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let whole = compress_text(&text, &ToolContext::default(), &options);
            if show.as_deref() == Some(name.as_str()) {
                println!("{}", whole.text);
            }
            let (mut before, mut after, mut worst) = (0usize, 0usize, f64::MAX);
            let pieces = cut(&text);
            for piece in &pieces {
                let r = compress_text(piece, &ToolContext::default(), &options);
                before += r.tokens_before;
                after += r.tokens_after;
                worst = worst.min(savings(r.tokens_before, r.tokens_after));
                if show_pieces {
                    print!(" {:.0}", savings(r.tokens_before, r.tokens_after));
                }
            }
            if show_pieces {
                println!();
            }
            let kind = router::detect(&Lines::parse(&text), None);
            println!(
                "{:<38} {:>5} {:>7} {:>7} {:>6.1} | {:>6} {:>6.1} {:>6.1} | {:>7.0}",
                name,
                kind.as_str(),
                whole.tokens_before,
                whole.tokens_after,
                savings(whole.tokens_before, whole.tokens_after),
                pieces.len(),
                savings(before, after),
                worst,
                speed(&text, kind, profile)
            );
        }
    }
}

fn savings(before: usize, after: usize) -> f64 {
    100.0 * (1.0 - after as f64 / before.max(1) as f64)
}

/// The text cut into pieces of about [`PIECE_BYTES`] at line boundaries.
fn cut(text: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    for line in text.split_inclusive('\n') {
        if current.len() + line.len() > PIECE_BYTES && !current.is_empty() {
            pieces.push(std::mem::take(&mut current));
        }
        current.push_str(line);
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces
}

/// Transform throughput in MB/s of CPU time (the machine may be shared):
/// line splitting plus the transform, the way the pipeline runs it, without
/// routing or token counting.
fn speed(text: &str, kind: Kind, profile: Profile) -> f64 {
    let kind = if matches!(kind, Kind::Log | Kind::Test) {
        kind
    } else {
        Kind::Log
    };
    let query = Query::default();
    let ctx = Ctx {
        params: Params::new(profile, 1.0),
        query: &query,
        lossless_only: false,
        hash: "000000000000000000000000",
        file_path: None,
        tool_name: None,
    };
    let rounds = (8_000_000 / text.len().max(1)).clamp(3, 400);
    let start = cpu_seconds();
    for _ in 0..rounds {
        let lines = Lines::parse(text);
        std::hint::black_box(transforms::run(kind, &lines, &ctx));
    }
    let secs = cpu_seconds() - start;
    (text.len() * rounds) as f64 / secs / 1e6
}

/// CPU time of this thread in seconds (Linux `schedstat`, nanoseconds), or
/// wall-clock time where that is not available.
fn cpu_seconds() -> f64 {
    if let Ok(stat) = std::fs::read_to_string("/proc/thread-self/schedstat") {
        if let Some(ns) = stat
            .split_whitespace()
            .next()
            .and_then(|v| v.parse::<u64>().ok())
        {
            return ns as f64 / 1e9;
        }
    }
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64()
}
