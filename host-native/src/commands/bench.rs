//! `headroom-host bench FILE...`: what running the engine as wasm costs,
//! compared with the same code compiled natively. Reports the one-time costs
//! (compile, first instance) and, per file, the best of N compressions.

use crate::cli::BenchArgs;
use crate::input;
use anyhow::{Context, Result};
use headroom_core::{Options, ToolContext};
use headroom_host::{wasm_engine, Engine, NativeEngine, WasmConfig, WasmEngine};
use serde::Serialize;
use std::time::{Duration, Instant};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    module_bytes: usize,
    compile_ms: f64,
    /// First call on a new instance: instantiation plus building the tokenizer.
    first_call_ms: f64,
    /// A new store + instance + one trivial call (what a call costs without reuse).
    fresh_instance_call_us: f64,
    /// A trivial call on a warm instance, and the same call natively.
    warm_call_us: f64,
    native_call_us: f64,
    files: Vec<FileReport>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct FileReport {
    file: String,
    bytes: usize,
    kind: String,
    saved_percent: f64,
    native_ms: f64,
    wasm_ms: f64,
    native_mb_s: f64,
    wasm_mb_s: f64,
}

pub fn run(args: BenchArgs) -> Result<()> {
    let inputs = args
        .files
        .iter()
        .map(|path| Ok((path.display().to_string(), input::read_text(Some(path))?)))
        .collect::<Result<Vec<_>>>()?;

    let wasm = WasmEngine::new().context("cannot start the engine")?;
    let first_call = wasm.warm_up().context("first engine call failed")?;
    let no_reuse = WasmEngine::from_module(
        wasm_engine::EMBEDDED_MODULE,
        WasmConfig {
            max_idle_instances: 0,
            ..WasmConfig::default()
        },
    )
    .context("cannot start the engine")?;
    // An empty text is counted without touching the tokenizer, so this
    // measures the boundary, not tokenization.
    let trivial = |engine: &dyn Engine| engine.count_tokens("").map(|_| ());
    let report = Report {
        module_bytes: wasm_engine::EMBEDDED_MODULE.len(),
        compile_ms: ms(wasm.compile_time()),
        first_call_ms: ms(first_call),
        fresh_instance_call_us: median(200, || trivial(&no_reuse))?.as_secs_f64() * 1e6,
        warm_call_us: median(2000, || trivial(&wasm))?.as_secs_f64() * 1e6,
        native_call_us: median(2000, || trivial(&NativeEngine))?.as_secs_f64() * 1e6,
        files: inputs
            .iter()
            .map(|(name, text)| bench_file(name, text, &wasm, args.iterations))
            .collect::<Result<_>>()?,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_table(&report);
    }
    Ok(())
}

fn bench_file(name: &str, text: &str, wasm: &WasmEngine, iterations: u32) -> Result<FileReport> {
    let (tool, options) = (ToolContext::default(), Options::default());
    let result = NativeEngine.compress_text(text, &tool, &options)?;
    let best = |engine: &dyn Engine| -> Result<Duration> {
        let mut best = Duration::MAX;
        for _ in 0..iterations {
            let started = Instant::now();
            engine
                .compress_text(text, &tool, &options)
                .with_context(|| format!("{} engine failed on {name}", engine.runtime()))?;
            best = best.min(started.elapsed());
        }
        Ok(best)
    };
    let (native, in_wasm) = (best(&NativeEngine)?, best(wasm)?);
    let mb = text.len() as f64 / 1e6;
    Ok(FileReport {
        file: name.to_string(),
        bytes: text.len(),
        kind: result.kind,
        saved_percent: 100.0
            * (1.0 - result.tokens_after as f64 / result.tokens_before.max(1) as f64),
        native_ms: ms(native),
        wasm_ms: ms(in_wasm),
        native_mb_s: mb / native.as_secs_f64(),
        wasm_mb_s: mb / in_wasm.as_secs_f64(),
    })
}

fn median(
    runs: usize,
    mut f: impl FnMut() -> Result<(), headroom_host::EngineError>,
) -> Result<Duration> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        f()?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok(times[runs / 2])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn print_table(r: &Report) {
    println!("module: {} bytes; Cranelift compile {:.0} ms; first call (instantiate + tokenizer) {:.1} ms", r.module_bytes, r.compile_ms, r.first_call_ms);
    println!(
        "per-call overhead (trivial call): warm instance {:.1} µs, fresh instance {:.1} µs, native {:.2} µs",
        r.warm_call_us, r.fresh_instance_call_us, r.native_call_us
    );
    println!();
    println!("| file | bytes | kind | saved | native ms | wasm ms | native MB/s | wasm MB/s | wasm/native |");
    println!("|---|---:|---|---:|---:|---:|---:|---:|---:|");
    for f in &r.files {
        println!(
            "| {} | {} | {} | {:.1}% | {:.2} | {:.2} | {:.1} | {:.1} | {:.2}x |",
            f.file,
            f.bytes,
            f.kind,
            f.saved_percent,
            f.native_ms,
            f.wasm_ms,
            f.native_mb_s,
            f.wasm_mb_s,
            f.wasm_ms / f.native_ms
        );
    }
}
