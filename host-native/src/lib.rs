//! Headroom's native host: runs the engine's wasm module under wasmtime.
//!
//! [`wasm_engine::WasmEngine`] is the product path (CLI, proxy);
//! [`native_engine::NativeEngine`] runs the same code in-process for
//! benchmarks and parity tests. Both implement [`engine::Engine`].

pub mod engine;
pub mod module_cache;
pub mod native_engine;
pub mod proxy;
pub mod store;
pub mod wasm_engine;

pub use engine::{Engine, EngineError, Op};
pub use native_engine::NativeEngine;
pub use wasm_engine::{WasmConfig, WasmEngine};

/// sha256 of the embedded module, hex. The npm package ships the same bytes.
pub fn module_sha256() -> String {
    use sha2::Digest;
    sha2::Sha256::digest(wasm_engine::EMBEDDED_MODULE)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
