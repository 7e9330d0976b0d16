//! Extracts the `o200k_base` vocabulary at build time into three compact
//! files that `src/tokens/vocab.rs` embeds:
//!
//! - `o200k_bytes.bin`: every token's bytes, concatenated in rank order;
//! - `o200k_lens.bin`: one byte per rank, that token's length;
//! - `o200k_slots.bin`: the byte-to-rank index (see
//!   `src/tokens/slot_hash.rs`), little-endian `u32` slots.
//!
//! WHY: the wasm module ships in browsers and must instantiate fast, and
//! the first token count must not stall. A precomputed BPE automaton (what
//! `bpe-openai` embeds) is ~32 MB; the vocabulary plus its index is ~3.6 MB
//! and needs no work at load time beyond one pass over the lengths. The
//! vocabulary comes from the `tiktoken-rs` crate (a build-only dependency,
//! so none of its code reaches the engine): nothing is downloaded and no
//! vocabulary file lives in this repository.

#[path = "src/tokens/pattern.rs"]
#[allow(dead_code)] // GIVES_BACK_LAST_CHAR is for the runtime only
mod pattern;
#[path = "src/tokens/slot_hash.rs"]
mod slot_hash;

use slot_hash::{slot_and_tag, table_bits, EMPTY, RANK_MASK};
use std::path::PathBuf;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=src/tokens/slot_hash.rs");
    println!("cargo::rerun-if-changed=src/tokens/pattern.rs");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    write_pretokenizer(&out);
    let bpe = tiktoken_rs::o200k_base().expect("tiktoken-rs builds o200k_base");

    let mut tokens: Vec<Vec<u8>> = Vec::with_capacity(200_000);
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
        assert!(!token.is_empty(), "rank {rank} is an empty token");
        tokens.push(token);
    }
    assert!(
        tokens.len() > 199_000 && tokens.len() < RANK_MASK as usize,
        "o200k_base has ~200k ordinary tokens, got {}",
        tokens.len()
    );

    let bytes = tokens.concat();
    let lens: Vec<u8> = tokens
        .iter()
        .map(|t| u8::try_from(t.len()).expect("every o200k token is < 256 bytes"))
        .collect();

    let bits = table_bits(tokens.len());
    let mask = (1usize << bits) - 1;
    let mut slots = vec![EMPTY; 1 << bits];
    for (rank, token) in tokens.iter().enumerate() {
        let (mut slot, tag) = slot_and_tag(token, bits);
        while slots[slot] != EMPTY {
            slot = (slot + 1) & mask;
        }
        slots[slot] = tag | rank as u32;
    }
    let slots: Vec<u8> = slots.iter().flat_map(|s| s.to_le_bytes()).collect();

    for (name, data) in [
        ("o200k_bytes.bin", &bytes),
        ("o200k_lens.bin", &lens),
        ("o200k_slots.bin", &slots),
    ] {
        std::fs::write(out.join(name), data).unwrap_or_else(|e| panic!("write {name}: {e}"));
    }
}

/// Compiles the pre-tokenizer pattern into a dense DFA for anchored,
/// leftmost-first searches (the only kind `pretokenize.rs` runs) and writes
/// it serialized little-endian (wasm32 and the native targets we build for
/// are little-endian; loading checks it).
fn write_pretokenizer(out: &std::path::Path) {
    use regex_automata::dfa::{dense, StartKind};
    let dfa = dense::Builder::new()
        .configure(dense::Config::new().start_kind(StartKind::Anchored))
        .build_many(pattern::ALTERNATIVES)
        .expect("the o200k pattern compiles to a DFA");
    let (bytes, padding) = dfa.to_bytes_little_endian();
    std::fs::write(out.join("o200k_pretokenizer.dfa"), &bytes[padding..])
        .expect("write o200k_pretokenizer.dfa");
}
