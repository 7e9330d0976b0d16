//! Dev tool: how long the `code` transform takes per file, natively, and how
//! much of that is tree-sitter parsing the input alone (the floor any
//! outline has to pay).
//!
//! ```text
//! cargo run --release -p headroom-core --example code_speed -- ../shared/corpus/code/*.*
//! cargo run --release -p headroom-core --example code_speed -- --loop 200 FILE   # for perf record
//! (`--pipeline --loop N`: the loop runs `compress_text`, end to end;
//! `--show FILE` prints what `compress_text` makes of FILE)
//! cargo run --release -p headroom-core --example code_speed -- --digest FILES     # outputs' hashes
//! ```
//!
//! `--digest` prints, for each file and each ~30 KB piece of it, the hash of
//! what the transform makes of it without a path (or why it declined): two
//! runs print the same lines exactly when no output changed.
//!
//! Per file: the fastest of several `outline` runs (the transform's whole
//! decision, re-parse check included) with the file's path, and without it
//! (the language guessed from the content, as for `cat` output, the savings
//! report and `headroom-host bench`), `compress_text` end to end (routing
//! and token counting included, no path), and the fastest plain parse of
//! the file in its language.

use headroom_core::hash::content_hash;
use headroom_core::lines::Lines;
use headroom_core::options::Options;
use headroom_core::query::Query;
use headroom_core::transforms::code::{outline, Lang};
use headroom_core::transforms::Ctx;
use headroom_core::{compress_text, ToolContext};
use std::time::{Duration, Instant};

fn main() {
    let mut files = Vec::new();
    let mut loops = 0usize;
    let mut digest = false;
    let mut pipeline = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--show" {
            let text = std::fs::read_to_string(args.next().expect("--show FILE")).expect("file");
            let result = compress_text(&text, &ToolContext::default(), &Options::default());
            println!("{}", result.text);
            return;
        } else if arg == "--pipeline" {
            pipeline = true;
        } else if arg == "--digest" {
            digest = true;
        } else if arg == "--loop" {
            loops = args.next().and_then(|n| n.parse().ok()).expect("--loop N");
        } else {
            files.push(arg);
        }
    }
    let params = Options::default().params();
    let query = Query::default();
    if digest {
        print_digests(&files, params, &query);
        return;
    }
    println!(
        "| file | KB | outline ms | outline ms, no path | compress_text ms, no path | parse ms | result |"
    );
    println!("|---|---:|---:|---:|---:|---:|---|");
    let (mut total_outline, mut total_guessed, mut total_bytes) =
        (Duration::ZERO, Duration::ZERO, 0usize);
    for path in &files {
        let text = std::fs::read_to_string(path).expect("readable file");
        let lines = Lines::parse(&text);
        let hash = content_hash(&text);
        let ctx = Ctx {
            params,
            query: &query,
            lossless_only: false,
            hash: &hash,
            file_path: Some(path),
            tool_name: Some("Read"),
        };
        let guessed = Ctx {
            file_path: None,
            tool_name: None,
            ..ctx
        };
        if loops > 0 {
            let options = Options::default();
            for _ in 0..loops {
                if pipeline {
                    std::hint::black_box(compress_text(&text, &ToolContext::default(), &options));
                } else {
                    std::hint::black_box(outline(&lines, &guessed).is_ok());
                }
            }
            continue;
        }
        let run = || outline(&lines, &ctx);
        let best_outline = fastest(|| {
            std::hint::black_box(run().is_ok());
        });
        let best_guessed = fastest(|| {
            std::hint::black_box(outline(&lines, &guessed).is_ok());
        });
        let options = Options::default();
        let best_pipeline = fastest(|| {
            std::hint::black_box(compress_text(&text, &ToolContext::default(), &options));
        });
        let lang = Lang::from_path(path);
        let best_parse = lang.map(|lang| {
            let mut parser = tree_sitter::Parser::new();
            parser.set_language(&lang.grammar()).expect("grammar");
            fastest(|| {
                std::hint::black_box(parser.parse(&text, None));
            })
        });
        let result = match run() {
            Ok(done) => format!("{:?}, {} items", done.lang, done.plan.items.len()),
            Err(why) => format!("{why:?}"),
        };
        total_outline += best_outline;
        total_guessed += best_guessed;
        total_bytes += text.len();
        println!(
            "| {} | {} | {:.2} | {:.2} | {:.2} | {} | {} |",
            path.rsplit('/').next().unwrap_or(path),
            text.len() / 1024,
            ms(best_outline),
            ms(best_guessed),
            ms(best_pipeline),
            best_parse.map_or("-".into(), |d| format!("{:.2}", ms(d))),
            result
        );
    }
    if loops == 0 && total_bytes > 0 {
        let mb_s = |d: Duration| total_bytes as f64 / d.as_secs_f64() / 1e6;
        println!(
            "\ntotal for {} KB: {:.1} ms ({:.1} MB/s) with paths, {:.1} ms ({:.1} MB/s) without",
            total_bytes / 1024,
            ms(total_outline),
            mb_s(total_outline),
            ms(total_guessed),
            mb_s(total_guessed)
        );
    }
}

fn print_digests(files: &[String], params: headroom_core::options::Params, query: &Query) {
    for path in files {
        let text = std::fs::read_to_string(path).expect("readable file");
        let name = path.rsplit('/').next().unwrap_or(path);
        let mut pieces = vec![text.as_str()];
        pieces.extend(headroom_core::lines::cut_at_lines(&text, 30_000));
        for (i, piece) in pieces.iter().enumerate() {
            let lines = Lines::parse(piece);
            let hash = content_hash(piece);
            let ctx = Ctx {
                params,
                query,
                lossless_only: false,
                hash: &hash,
                file_path: None,
                tool_name: None,
            };
            let result = match outline(&lines, &ctx) {
                Ok(done) => format!("{:?} {}", done.lang, content_hash(&done.output)),
                Err(why) => format!("{why:?}"),
            };
            let which = if i == 0 {
                "whole".into()
            } else {
                format!("piece {i}")
            };
            println!("{name} {which}: {result}");
        }
    }
}

/// The fastest of runs filling at least ~0.3 s (and at least 5 runs).
fn fastest(mut f: impl FnMut()) -> Duration {
    let started = Instant::now();
    let mut best = Duration::MAX;
    let mut runs = 0;
    while runs < 5 || started.elapsed() < Duration::from_millis(300) {
        let t = Instant::now();
        f();
        best = best.min(t.elapsed());
        runs += 1;
    }
    best
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
