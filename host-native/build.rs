//! Finds the wasm module to embed: `dist/wasm/headroom_engine_bg.wasm` (the
//! exact file the npm package ships), or the file named by `HEADROOM_WASM`.
//! A missing module is a build error with the one command that fixes it.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=HEADROOM_WASM");
    let path = match std::env::var_os("HEADROOM_WASM") {
        Some(p) => PathBuf::from(p),
        None => {
            let manifest = PathBuf::from(
                std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
            );
            manifest.join("../dist/wasm/headroom_engine_bg.wasm")
        }
    };
    println!("cargo:rerun-if-changed={}", path.display());
    let path = match path.canonicalize() {
        Ok(p) => p,
        Err(_) => {
            println!(
                "cargo:warning=wasm module {} not found: run scripts/build-wasm.sh first (or set HEADROOM_WASM)",
                path.display()
            );
            eprintln!(
                "error: wasm module {} not found: run scripts/build-wasm.sh first",
                path.display()
            );
            std::process::exit(1);
        }
    };
    println!("cargo:rustc-env=HEADROOM_WASM_PATH={}", path.display());
}
