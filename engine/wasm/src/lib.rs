//! The binding layer that turns `headroom-core` into the one wasm module.
//!
//! It is deliberately thin: every face calls the same core functions through
//! [`api`], so the JS build and the wasmtime host cannot drift apart.
//!
//! - [`js`]: wasm-bindgen exports for Node and browsers (`compressText`, ...),
//!   taking and returning plain JS objects.
//! - `c_abi` (wasm32 only): plain `extern "C"` exports over UTF-8 JSON in
//!   linear memory, for the native host under wasmtime. They never touch a JS
//!   import, because every JS import traps there.
//! - [`api`]: the JSON request/response layer both the C ABI and the native
//!   host's in-process engine use, so wasm and native results can be compared
//!   byte for byte.
//!
//! The wire contract is documented in `docs/abi.md`.

pub mod api;
pub mod error;
pub mod js;
pub mod request;

#[cfg(target_arch = "wasm32")]
mod allocator;
#[cfg(target_arch = "wasm32")]
mod c_abi;

/// The C-ABI version this module speaks. The module exports a function named
/// `headroom_abi_version_<ABI_VERSION>` so a host can refuse a module it does
/// not understand before calling anything.
pub const ABI_VERSION: u32 = 1;

/// Version of the engine (the crate version).
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");
