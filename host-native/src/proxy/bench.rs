//! `headroom-host bench-proxy` (hidden): the proxy's added latency against a
//! loopback mock upstream, everything in this process. Measures
//! 1. a request with a 50 KB tool output, N requests at C connections,
//!    direct and through the proxy (same body: the cached path; and a
//!    different output each request: the engine path);
//! 2. time to first byte of a streamed answer, direct and proxied;
//! 3. a ~2 MB conversation whose tool outputs were all seen before.

use super::{bind, ProxyArgs};
use anyhow::Context;
use axum::body::{Body, Bytes};
use axum::http::Response;
use clap::{Args, Parser};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Args)]
pub struct BenchProxyArgs {
    /// The corpus folder (`logs/`, `json/`, … inside).
    #[arg(long, env = "HEADROOM_CORPUS", default_value = "../shared/corpus")]
    pub corpus: PathBuf,
    /// Requests per latency run.
    #[arg(long, default_value_t = 10_000)]
    pub requests: usize,
    /// Concurrent connections.
    #[arg(long, default_value_t = 32)]
    pub connections: usize,
    /// Run only these scenarios (comma-separated): `cached`, `fresh`,
    /// `ttfb`, `big` (the 2 MB conversation). Default: all.
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
}

impl BenchProxyArgs {
    fn wants(&self, scenario: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|s| s == scenario)
    }
}

const ANSWER: &str = r#"{"id":"msg","type":"message","role":"assistant","content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}}"#;

/// The mock upstream: a fixed answer, or for `"stream":true` a first
/// event at once and the rest 20 ms later.
async fn mock() -> anyhow::Result<String> {
    let app = axum::Router::new().fallback(|body: Bytes| async move {
        if memchr_stream(&body) {
            let first = futures_util::stream::once(async {
                Ok::<_, std::io::Error>(Bytes::from_static(
                    b"event: message_start\ndata: {\"type\":\"message_start\"}\n\n",
                ))
            });
            let rest = futures_util::stream::once(async {
                tokio::time::sleep(Duration::from_millis(20)).await;
                Ok::<_, std::io::Error>(Bytes::from_static(
                    b"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
                ))
            });
            use futures_util::StreamExt;
            return Response::builder()
                .header("content-type", "text/event-stream")
                .body(Body::from_stream(first.chain(rest)))
                .expect("static response");
        }
        Response::builder()
            .header("content-type", "application/json")
            .body(Body::from(ANSWER))
            .expect("static response")
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(url)
}

/// Whether the body asks for a stream. A fast substring search: the mock
/// must cost about the same for a 2 MB body as for its compressed form, or
/// the direct calls it is compared with look slower than they are.
fn memchr_stream(body: &[u8]) -> bool {
    std::str::from_utf8(body).is_ok_and(|b| b.contains("\"stream\":true"))
}

fn anthropic_body(outputs: &[String], stream: bool) -> String {
    let mut messages = vec![serde_json::json!({"role": "user", "content": "look at the logs"})];
    for (i, out) in outputs.iter().enumerate() {
        messages.push(serde_json::json!({"role": "assistant", "content": [
            {"type": "tool_use", "id": format!("t{i}"), "name": "Bash", "input": {"command": format!("cat {i}")}}]}));
        messages.push(serde_json::json!({"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": format!("t{i}"), "content": out}]}));
    }
    serde_json::json!({"model": "m", "max_tokens": 64, "stream": stream, "messages": messages})
        .to_string()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

struct Run {
    p50: Duration,
    p99: Duration,
    errors: usize,
    elapsed: Duration,
    count: usize,
    /// CPU time the whole process (load generator, mock, proxy) used.
    cpu: Duration,
}

impl Run {
    /// CPU per request: unlike latency at many connections, it does not
    /// depend on how much of the 2 cores other processes take.
    fn cpu_per_request(&self) -> Duration {
        self.cpu / self.count.max(1) as u32
    }
}

/// User + system CPU time of this process so far (all threads, including
/// finished ones), from `/proc/self/stat` in USER_HZ (100/s on Linux).
fn process_cpu() -> Duration {
    let ticks = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // Fields after the command name (which may contain spaces).
            let rest = &s[s.rfind(')')? + 2..];
            let fields: Vec<&str> = rest.split(' ').collect();
            // utime and stime are fields 14 and 15 of the whole line.
            Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
        })
        .unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

/// `n` POSTs of `bodies[i % len]` to `url` over `c` concurrent workers.
/// The bodies are `Bytes`, so sending one does not copy it (as with `oha`
/// or `wrk`): the load generator shares the 2 cores with what it measures.
async fn load(url: &str, bodies: Arc<Vec<Bytes>>, n: usize, c: usize) -> Run {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(c)
        .build()
        .expect("client");
    let next = Arc::new(AtomicUsize::new(0));
    let cpu_before = process_cpu();
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..c {
        let (client, next, bodies, url) = (
            client.clone(),
            Arc::clone(&next),
            Arc::clone(&bodies),
            url.to_string(),
        );
        workers.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut errors = 0;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let body = bodies[i % bodies.len()].clone();
                let t = Instant::now();
                let ok = match client.post(&url).body(body).send().await {
                    Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                times.push(t.elapsed());
                errors += usize::from(!ok);
            }
            (times, errors)
        }));
    }
    let mut all = Vec::with_capacity(n);
    let mut errors = 0;
    for w in workers {
        let (t, e) = w.await.expect("worker");
        all.extend(t);
        errors += e;
    }
    let elapsed = started.elapsed();
    let cpu = process_cpu().saturating_sub(cpu_before);
    all.sort();
    Run {
        p50: percentile(&all, 0.5),
        p99: percentile(&all, 0.99),
        errors,
        elapsed,
        count: all.len(),
        cpu,
    }
}

/// Median time to the first body chunk of a streamed answer.
async fn ttfb(url: &str, body: &str, n: usize) -> Duration {
    use futures_util::StreamExt;
    let client = reqwest::Client::new();
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let r = client
            .post(url)
            .body(body.to_string())
            .send()
            .await
            .expect("send");
        let mut s = r.bytes_stream();
        let _ = s.next().await;
        times.push(t.elapsed());
        while s.next().await.is_some() {}
    }
    times.sort();
    percentile(&times, 0.5)
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

pub fn run(args: BenchProxyArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(bench(args))
}

#[derive(Parser)]
struct Wrapper {
    #[command(flatten)]
    args: ProxyArgs,
}

async fn bench(args: BenchProxyArgs) -> anyhow::Result<()> {
    let read = |rel: &str| {
        std::fs::read_to_string(args.corpus.join(rel)).with_context(|| format!("corpus file {rel}"))
    };
    let log = read("logs/loghub_HDFS_2k.log")?;
    let cut = log[..50_000].rfind('\n').map_or(50_000, |i| i + 1);
    let output_50k = log[..cut].to_string();

    let upstream = mock().await?;
    let store_dir = std::env::temp_dir().join(format!("headroom-bench-{}", std::process::id()));
    let store = format!("sqlite:{}", store_dir.join("ccr.sqlite3").display());
    let proxy_args = Wrapper::try_parse_from([
        "proxy",
        "--port",
        "0",
        "--anthropic-upstream",
        &upstream,
        "--store",
        &store,
    ])?
    .args;
    let bound = bind(&proxy_args).await?;
    let proxy = format!("http://{}", bound.addr);
    tokio::spawn(async move {
        let _ = bound.serve(std::future::pending()).await;
    });
    let (n, c) = (args.requests, args.connections);
    println!("proxy bench: {n} requests, {c} connections, mock upstream on loopback, SQLite store");

    if args.wants("cached") {
        let same = Arc::new(vec![Bytes::from(anthropic_body(
            std::slice::from_ref(&output_50k),
            false,
        ))]);
        // Warm both paths (connections, engine instances, cache).
        load(
            &format!("{upstream}/v1/messages"),
            Arc::clone(&same),
            200,
            c,
        )
        .await;
        load(&format!("{proxy}/v1/messages"), Arc::clone(&same), 200, c).await;
        let rss_before = rss_mb();
        let direct = load(&format!("{upstream}/v1/messages"), Arc::clone(&same), n, c).await;
        let proxied = load(&format!("{proxy}/v1/messages"), Arc::clone(&same), n, c).await;
        report("50 KB tool output, seen before (cache)", &direct, &proxied);
        println!("  RSS {rss_before:.0} MB -> {:.0} MB", rss_mb());
        let direct = load(
            &format!("{upstream}/v1/messages"),
            Arc::clone(&same),
            2000,
            1,
        )
        .await;
        let proxied = load(&format!("{proxy}/v1/messages"), Arc::clone(&same), 2000, 1).await;
        report(
            "50 KB tool output, seen before, 1 connection (2000 requests)",
            &direct,
            &proxied,
        );
    }
    if args.wants("fresh") {
        // A different output each request: the engine compresses every time.
        let fresh: Vec<Bytes> = (0..n.min(2000))
            .map(|i| {
                Bytes::from(anthropic_body(
                    &[format!("{output_50k}request {i} finished\n")],
                    false,
                ))
            })
            .collect();
        let fresh = Arc::new(fresh);
        let m = fresh.len();
        let direct = load(&format!("{upstream}/v1/messages"), Arc::clone(&fresh), m, c).await;
        let proxied = load(&format!("{proxy}/v1/messages"), Arc::clone(&fresh), m, c).await;
        report(
            &format!("50 KB tool output, new each request ({m} requests)"),
            &direct,
            &proxied,
        );
    }
    if args.wants("ttfb") {
        let stream_body = anthropic_body(std::slice::from_ref(&output_50k), true);
        let d = ttfb(&format!("{upstream}/v1/messages"), &stream_body, 200).await;
        let p = ttfb(&format!("{proxy}/v1/messages"), &stream_body, 200).await;
        println!(
            "streaming TTFB p50 (200 sequential): direct {}, proxy {}, added {}",
            ms(d),
            ms(p),
            ms(p.saturating_sub(d))
        );
    }
    if args.wants("big") {
        // ~2 MB conversation of 30 KB pieces of corpus files.
        let mut outputs = Vec::new();
        let mut files = Vec::new();
        for dir in ["logs", "json", "test_output", "search"] {
            let mut names: Vec<PathBuf> = std::fs::read_dir(args.corpus.join(dir))
                .with_context(|| format!("corpus folder {dir}"))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            names.sort();
            files.extend(names);
        }
        'fill: for f in files {
            let Ok(text) = std::fs::read_to_string(&f) else {
                continue;
            };
            let mut rest = text.as_str();
            while rest.len() > 30_000 {
                let cut = rest[..30_000].rfind('\n').map_or(30_000, |i| i + 1);
                outputs.push(rest[..cut].to_string());
                rest = &rest[cut..];
                if outputs.iter().map(String::len).sum::<usize>() > 2_000_000 {
                    break 'fill;
                }
            }
        }
        let big_text = anthropic_body(&outputs, false);
        let size = big_text.len();
        let big = Arc::new(vec![Bytes::from(big_text.clone())]);
        load(&format!("{proxy}/v1/messages"), Arc::clone(&big), 3, 1).await;
        let direct = load(&format!("{upstream}/v1/messages"), Arc::clone(&big), 200, 1).await;
        let proxied = load(&format!("{proxy}/v1/messages"), Arc::clone(&big), 200, 1).await;
        stages(&big_text);
        report(
            &format!(
                "{:.1} MB conversation, {} outputs all seen before (200 sequential)",
                size as f64 / 1e6,
                outputs.len()
            ),
            &direct,
            &proxied,
        );
    }
    let _ = std::fs::remove_dir_all(store_dir);
    Ok(())
}

fn report(what: &str, direct: &Run, proxied: &Run) {
    println!(
        "{what}:\n  direct p50 {} p99 {} | proxy p50 {} p99 {} | added p50 {} p99 {} | errors {} / {} | proxy throughput {:.0} req/s | CPU per request direct {} µs, proxy {} µs",
        ms(direct.p50),
        ms(direct.p99),
        ms(proxied.p50),
        ms(proxied.p99),
        ms(proxied.p50.saturating_sub(direct.p50)),
        ms(proxied.p99.saturating_sub(direct.p99)),
        direct.errors,
        proxied.errors,
        proxied.count as f64 / proxied.elapsed.as_secs_f64(),
        direct.cpu_per_request().as_micros(),
        proxied.cpu_per_request().as_micros(),
    );
}

/// Where the time of one all-cached request goes, stage by stage (median
/// of 50 runs each), so the 2 MB number can be explained.
fn stages(body: &str) {
    use headroom_core::messages::{self, json_span};
    let options = headroom_core::Options::default();
    let time = |f: &mut dyn FnMut()| {
        let mut t: Vec<Duration> = (0..50)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect();
        t.sort();
        ms(t[25])
    };
    let sites = messages::extract(body, &options)
        .map(|e| e.sites)
        .unwrap_or_default();
    println!(
        "  stages: utf-8 check {} | a copy (no longer paid per request) {} | parse {} | extract (parse + decode + walk) {} | cache keys {} | a second parse (no longer paid per request) {}",
        time(&mut || {
            std::hint::black_box(std::str::from_utf8(body.as_bytes()).is_ok());
        }),
        time(&mut || {
            std::hint::black_box(std::sync::Arc::<str>::from(body));
        }),
        time(&mut || {
            std::hint::black_box(json_span::parse(body).is_ok());
        }),
        time(&mut || {
            std::hint::black_box(messages::extract(body, &options).is_ok());
        }),
        time(&mut || {
            for site in &sites {
                std::hint::black_box(super::cache::key(site, ""));
            }
        }),
        time(&mut || {
            std::hint::black_box(super::inject::Layout::of(body, headroom_core::Shape::Anthropic));
        }),
    );
}
