//! The module's memory allocator: Talc instead of Rust's default for wasm32
//! (dlmalloc).
//!
//! Why: tree-sitter allocates and frees a node per syntax-tree node, through
//! the global allocator (the tree-sitter crate routes C `malloc` to it on
//! wasm32), and the transforms build many small strings and vectors. Talc
//! serves those faster than dlmalloc under wasmtime and in V8. Nothing else
//! changes: allocation never affects what the engine outputs, and memory
//! still grows with `memory.grow` only.

#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
