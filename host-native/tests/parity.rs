//! Cross-runtime parity: every file of the shared corpus, compressed by the
//! wasm module under wasmtime and by the same code compiled natively, must
//! give byte-identical JSON responses. Also checks that the embedded module
//! is the exact file the npm package ships.
//!
//! Run: `scripts/build-wasm.sh && cargo test --release -p headroom-host --test parity`

use headroom_core::{Options, Profile, ToolContext};
use headroom_host::engine::{messages_request, text_request};
use headroom_host::{wasm_engine, Engine, NativeEngine, Op, WasmEngine};
use std::path::{Path, PathBuf};

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every corpus file, all categories, sorted (MANIFEST.tsv excluded).
fn corpus_files() -> Vec<PathBuf> {
    let root = manifest_dir().join("../../shared/corpus");
    let mut files = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in
            std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if dir != root {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(
        files.len() >= 50,
        "expected the whole corpus under {}, found {} files",
        root.display(),
        files.len()
    );
    files
}

fn name(path: &Path) -> String {
    path.components()
        .rev()
        .take(2)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Run one request through both runtimes and demand the same bytes.
fn assert_same(wasm: &WasmEngine, op: Op, request: &[u8], what: &str) -> Vec<u8> {
    let native = NativeEngine
        .call_json(op, request)
        .unwrap_or_else(|e| panic!("{what}: native failed: {e}"));
    let in_wasm = wasm
        .call_json(op, request)
        .unwrap_or_else(|e| panic!("{what}: wasm failed: {e}"));
    if native != in_wasm {
        let at = native
            .iter()
            .zip(&in_wasm)
            .position(|(a, b)| a != b)
            .unwrap_or(native.len().min(in_wasm.len()));
        let show = |b: &[u8]| {
            String::from_utf8_lossy(&b[at.saturating_sub(60)..(at + 60).min(b.len())]).into_owned()
        };
        panic!(
            "{what}: wasm and native differ at byte {at}\n native: …{}…\n   wasm: …{}…",
            show(&native),
            show(&in_wasm)
        );
    }
    native
}

#[test]
fn every_corpus_file_compresses_identically_in_wasm_and_natively() {
    let wasm = WasmEngine::new().expect("the embedded module compiles");
    let mut compressed = 0;
    let files = corpus_files();
    for (i, path) in files.iter().enumerate() {
        let text =
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let file = name(path);
        // As a bare output (kind detected from content) ...
        let out = assert_same(
            &wasm,
            Op::CompressText,
            &text_request(&text, &ToolContext::default(), &Options::default()),
            &file,
        );
        compressed += usize::from(String::from_utf8_lossy(&out).contains("\"compressed\":true"));
        // ... as the result of a tool call that names the file ...
        let tool = ToolContext {
            tool_name: Some("Read".into()),
            tool_args: Some(serde_json::json!({ "file_path": file }).to_string()),
            user_text: Some("why does it fail?".into()),
        };
        assert_same(
            &wasm,
            Op::CompressText,
            &text_request(&text, &tool, &Options::default()),
            &format!("{file} (tool)"),
        );
        // ... and, for a spread of files, under the other profiles and lossless-only.
        if i % 4 == 0 {
            for options in [
                Options {
                    profile: Profile::Aggressive,
                    bias: 0.5,
                    ..Options::default()
                },
                Options {
                    profile: Profile::Conservative,
                    ccr: false,
                    ..Options::default()
                },
            ] {
                let what = format!("{file} ({:?}, ccr={})", options.profile, options.ccr);
                assert_same(
                    &wasm,
                    Op::CompressText,
                    &text_request(&text, &tool, &options),
                    &what,
                );
            }
        }
        assert_same(
            &wasm,
            Op::CountTokens,
            &serde_json::to_vec(&serde_json::json!({ "text": text })).unwrap(),
            &format!("{file} (tokens)"),
        );
    }
    // A parity test over outputs that are all left unchanged would prove little.
    assert!(
        compressed * 2 >= files.len(),
        "only {compressed} of {} files compressed",
        files.len()
    );
}

#[test]
fn a_request_body_compresses_identically_in_wasm_and_natively() {
    let wasm = WasmEngine::new().expect("the embedded module compiles");
    let log =
        std::fs::read_to_string(manifest_dir().join("../../shared/corpus/logs/loghub_HDFS_2k.log"))
            .unwrap();
    let body = serde_json::json!({
        "model": "claude-sonnet-4-5",
        "max_tokens": 1024,
        "messages": [
            {"role": "user", "content": "Why do the HDFS blocks fail?"},
            {"role": "assistant", "content": [
                {"type": "tool_use", "id": "toolu_01", "name": "Bash", "input": {"command": "cat hdfs.log"}}
            ]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_01", "content": log}
            ]}
        ]
    })
    .to_string();
    assert_same(
        &wasm,
        Op::CompressMessages,
        &messages_request(&body, &Options::default()),
        "anthropic body",
    );
    assert_same(
        &wasm,
        Op::CompressMessages,
        &messages_request("{\"messages\": [", &Options::default()),
        "broken body",
    );
}

#[test]
fn engine_errors_are_identical_in_wasm_and_natively() {
    let wasm = WasmEngine::new().expect("the embedded module compiles");
    for request in [
        &b"not json"[..],
        br#"{"text": 3}"#,
        br#"{"text": "x", "options": {"profile": "fast"}}"#,
        br#"{"text": "x", "options": {"bias": -2}}"#,
        br#"{"text": "x", "extra": 1}"#,
        b"{\"text\": \"\xff\"}",
    ] {
        let out = assert_same(
            &wasm,
            Op::CompressText,
            request,
            &String::from_utf8_lossy(request),
        );
        assert!(
            out.starts_with(b"{\"error\":"),
            "{}",
            String::from_utf8_lossy(&out)
        );
    }
}

#[test]
fn the_embedded_module_is_the_one_the_npm_package_ships() {
    if std::env::var_os("HEADROOM_WASM").is_some() {
        return; // built against another file on purpose
    }
    let dist = manifest_dir().join("../dist");
    for shipped in [
        "wasm/headroom_engine_bg.wasm",
        "pkg/node/headroom_engine_bg.wasm",
        "pkg/web/headroom_engine_bg.wasm",
    ] {
        let bytes =
            std::fs::read(dist.join(shipped)).unwrap_or_else(|e| panic!("dist/{shipped}: {e}"));
        assert!(
            bytes == wasm_engine::EMBEDDED_MODULE,
            "dist/{shipped} differs from the embedded module: rebuild headroom-host"
        );
    }
}
