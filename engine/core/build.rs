//! Extracts the `o200k_base` vocabulary at build time into two compact files
//! that `src/tokens/vocab.rs` embeds:
//!
//! - `o200k_bytes.bin`: every token's bytes, concatenated in rank order;
//! - `o200k_lens.bin`: one byte per rank, that token's length.
//!
//! WHY: the wasm module ships in browsers and must instantiate fast. A
//! precomputed BPE automaton (what `bpe-openai` embeds) is ~32 MB; the bare
//! vocabulary is ~1.5 MB, and the lookup table is cheap to rebuild at first
//! use. The vocabulary comes from the `tiktoken-rs` crate (a build-only
//! dependency, so none of its code reaches the engine): nothing is
//! downloaded and no vocabulary file lives in this repository.

use std::path::PathBuf;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let bpe = tiktoken_rs::o200k_base().expect("tiktoken-rs builds o200k_base");

    let mut bytes = Vec::with_capacity(2 << 20);
    let mut lens = Vec::with_capacity(200_000);
    // Ranks of ordinary tokens are dense from 0; the first rank that does
    // not decode ends the vocabulary (special tokens live above it and are
    // never produced by ordinary counting).
    for rank in 0u32.. {
        let Ok(token) = bpe.decode_bytes(&[rank]) else {
            break;
        };
        if token.starts_with(b"<|") && token.ends_with(b"|>") {
            break; // a special token: the ordinary ranks are over
        }
        let len = u8::try_from(token.len()).expect("every o200k token is < 256 bytes");
        assert!(len > 0, "rank {rank} is an empty token");
        lens.push(len);
        bytes.extend_from_slice(&token);
    }
    assert!(
        lens.len() > 199_000,
        "o200k_base has ~200k ordinary tokens, got {}",
        lens.len()
    );

    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("o200k_bytes.bin"), &bytes).expect("write o200k_bytes.bin");
    std::fs::write(out.join("o200k_lens.bin"), &lens).expect("write o200k_lens.bin");
}
