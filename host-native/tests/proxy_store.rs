//! The CCR store behind the proxy: SQLite keeps originals across restarts;
//! Redis lets replicas share them; a store that dies mid-run makes the
//! proxy forward requests uncompressed, never fail them.

mod proxy_common;

use proxy_common::*;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const LOG: &str = "logs/loghub_HDFS_2k.log";

/// Send one compressible request and return the hash in the forwarded body.
async fn compress_through(proxy: &Proxy, up: &Upstream, output: &str) -> String {
    let body = AnthropicBody::new(output, false);
    let r = proxy.post("/v1/messages", body.body()).await;
    assert_eq!(r.status(), 200);
    let sent = body.changed_output(up.last().text());
    headroom_core::marker::find_hashes(&sent)
        .into_iter()
        .next()
        .expect("a marker in the forwarded body")
}

async fn retrieve(proxy: &Proxy, hash: &str) -> (u16, String) {
    let r = proxy.get(&format!("/v1/retrieve/{hash}")).await;
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_originals_survive_a_proxy_restart() {
    let up = upstream(ok_message()).await;
    let store = temp_store("restart");
    let output = corpus_head(LOG, 25_000);
    let proxy = start_proxy(args(&["--anthropic-upstream", &up.url, "--store", &store])).await;
    let hash = compress_through(&proxy, &up, &output).await;
    proxy.stop().await;

    let proxy = start_proxy(args(&["--anthropic-upstream", &up.url, "--store", &store])).await;
    assert_eq!(retrieve(&proxy, &hash).await, (200, output.clone()));
    proxy.stop().await;

    // The CLI reads the same store.
    let exe = env!("CARGO_BIN_EXE_headroom-host");
    let out = Command::new(exe)
        .args(["retrieve", &hash, "--store", &store])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), output);
}

/// A redis-server on a free loopback port, stopped when dropped.
struct Redis {
    child: Child,
    url: String,
}

impl Redis {
    fn start() -> Option<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let redis = Self {
            child,
            url: format!("redis://127.0.0.1:{port}"),
        };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(redis);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("redis-server did not start on port {port}");
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.kill();
    }
}

fn redis_or_skip() -> Option<Redis> {
    let redis = Redis::start();
    if redis.is_none() {
        // Debian's redis-server is part of the test setup: missing, the
        // test fails unless the caller opted out explicitly.
        assert!(
            std::env::var_os("HEADROOM_SKIP_REDIS").is_some(),
            "redis-server is not installed (apt-get install redis-server, or HEADROOM_SKIP_REDIS=1)"
        );
        eprintln!("SKIPPED: redis-server is not installed");
    }
    redis
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_share_one_redis_store() {
    let Some(redis) = redis_or_skip() else { return };
    let up = upstream(ok_message()).await;
    let a = start_proxy(args(&[
        "--anthropic-upstream",
        &up.url,
        "--store",
        &redis.url,
    ]))
    .await;
    let b = start_proxy(args(&[
        "--anthropic-upstream",
        &up.url,
        "--store",
        &redis.url,
    ]))
    .await;
    let output = corpus_head(LOG, 25_000);
    let hash = compress_through(&a, &up, &output).await;
    assert_eq!(retrieve(&b, &hash).await, (200, output));
    let ready: serde_json::Value = b.get("/readyz").await.json().await.unwrap();
    assert_eq!(ready["store"], "redis");
    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_killed_mid_run_never_fails_a_request() {
    let Some(mut redis) = redis_or_skip() else {
        return;
    };
    let (up, proxy) = proxy_for(ok_message(), &["--store", &redis.url]).await;
    compress_through(&proxy, &up, &corpus_head(LOG, 25_000)).await;
    redis.kill();

    // A new output needs the store: it goes out whole, and the request works.
    let other = corpus_head("logs/cargo_build_v_hexyl.log", 25_000);
    let body = AnthropicBody::new(&other, false).body();
    let r = proxy.post("/v1/messages", body.clone()).await;
    assert_eq!(r.status(), 200);
    assert_eq!(up.last().body, body.as_bytes(), "forwarded unmodified");
    let stats: serde_json::Value = proxy.get("/stats").await.json().await.unwrap();
    assert!(
        stats["faults"]["store_unavailable"].as_u64().unwrap() >= 1,
        "{stats}"
    );
    let ready = proxy.get("/readyz").await;
    assert_eq!(ready.status(), 503);
    proxy.stop().await;
}

/// The store loses an original while the proxy still has the compressed
/// result cached (Redis flushed, a TTL expired): the next request carrying
/// that marker writes the original again before forwarding it, so no
/// marker ever goes upstream without its original in the store.
async fn a_lost_original_is_stored_again_before_its_marker_is_sent(
    store: &str,
    flush: impl FnOnce(),
) {
    let (up, proxy) = proxy_for(ok_message(), &["--store", store]).await;
    let output = corpus_head(LOG, 25_000);
    let hash = compress_through(&proxy, &up, &output).await;
    let first = up.last().body;
    flush();
    assert_eq!(retrieve(&proxy, &hash).await.0, 404, "the store lost it");

    // The same conversation again: a cache hit, stored a moment ago.
    let again = compress_through(&proxy, &up, &output).await;
    assert_eq!(again, hash);
    assert_eq!(up.last().body, first, "the same bytes go upstream");
    assert_eq!(retrieve(&proxy, &hash).await, (200, output));
    let stats: serde_json::Value = proxy.get("/stats").await.json().await.unwrap();
    assert_eq!(stats["storeRewrites"], 1, "{stats}");
    assert_eq!(stats["cache"]["hits"], 1, "{stats}");
    proxy.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_flushed_mid_run_gets_its_originals_back() {
    let Some(redis) = redis_or_skip() else { return };
    let url = redis.url.clone();
    a_lost_original_is_stored_again_before_its_marker_is_sent(&redis.url, move || {
        let mut conn = redis::Client::open(url.as_str())
            .unwrap()
            .get_connection()
            .unwrap();
        redis::cmd("FLUSHALL").query::<()>(&mut conn).unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_rows_deleted_mid_run_are_written_again() {
    let store = temp_store("flushed");
    let path = store.strip_prefix("sqlite:").unwrap().to_string();
    a_lost_original_is_stored_again_before_its_marker_is_sent(&store, move || {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.busy_timeout(Duration::from_secs(2)).unwrap();
        conn.execute("DELETE FROM ccr", []).unwrap();
    })
    .await;
}
