//! An on-disk cache of the engine module's machine code.
//!
//! WHY: Cranelift needs seconds to compile the module (the tree-sitter
//! grammars are large functions), and every `headroom-host compress` and
//! every proxy start would pay that again. wasmtime can write the code it
//! compiled to a file and load it back in milliseconds, so the first run
//! compiles and later runs load.
//!
//! The file name carries the module's sha256 and wasmtime's compatibility
//! hash (version, settings, CPU features), so a different module, wasmtime
//! or machine never loads a stale file. Any cache failure falls back to
//! compiling: the cache only ever saves time.
//!
//! Location: `$HEADROOM_CACHE_DIR`, else `$XDG_CACHE_HOME/headroom`, else
//! `~/.cache/headroom`, in a `modules/` folder. `HEADROOM_MODULE_CACHE=off`
//! disables it.

use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use wasmtime::{Engine, Module};

/// The module for `wasm`, from the cache when possible. Returns whether it
/// was loaded from the cache.
pub fn load_or_compile(engine: &Engine, wasm: &[u8]) -> wasmtime::Result<(Module, bool)> {
    load_or_compile_in(cache_dir().as_deref(), engine, wasm)
}

/// [`load_or_compile`] with the cache folder given (`None`: no cache).
fn load_or_compile_in(
    dir: Option<&Path>,
    engine: &Engine,
    wasm: &[u8],
) -> wasmtime::Result<(Module, bool)> {
    let Some(path) = dir.map(|dir| cache_file(dir, engine, wasm)) else {
        return Ok((Module::new(engine, wasm)?, false));
    };
    if path.is_file() {
        // SAFETY: `deserialize_file` trusts the file to be code wasmtime
        // serialized. Only this function writes into the cache folder (a
        // folder of the user running the host, as trusted as the binary
        // itself), and it writes complete files only (temp file + rename);
        // wasmtime still checks the header's version and settings.
        if let Ok(module) = unsafe { Module::deserialize_file(engine, &path) } {
            return Ok((module, true));
        }
    }
    let module = Module::new(engine, wasm)?;
    store(&module, &path);
    Ok((module, false))
}

fn cache_file(dir: &Path, engine: &Engine, wasm: &[u8]) -> PathBuf {
    let module_sha: String = Sha256::digest(wasm)
        .iter()
        .take(12)
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    dir.join(format!(
        "engine-{module_sha}-{:016x}.cwasm",
        hasher.finish()
    ))
}

/// `<cache>/modules`, or `None` when the cache is off or there is no home.
fn cache_dir() -> Option<PathBuf> {
    if std::env::var("HEADROOM_MODULE_CACHE").is_ok_and(|v| v == "off") {
        return None;
    }
    let base = cache_base()?;
    Some(base.join("modules"))
}

fn cache_base() -> Option<PathBuf> {
    let from_env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = from_env("HEADROOM_CACHE_DIR") {
        return Some(PathBuf::from(dir));
    }
    if let Some(dir) = from_env("XDG_CACHE_HOME") {
        return Some(PathBuf::from(dir).join("headroom"));
    }
    from_env("HOME").map(|home| PathBuf::from(home).join(".cache/headroom"))
}

/// Write the compiled code; failures are ignored (the next run compiles again).
fn store(module: &Module, path: &Path) {
    let Ok(bytes) = module.serialize() else {
        return;
    };
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let tmp = dir.join(format!(
        ".tmp-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, path).is_ok() {
        return;
    }
    let _ = std::fs::remove_file(&tmp);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The smallest module with one function.
    const TINY: &[u8] = b"\0asm\x01\0\0\0\x01\x04\x01\x60\0\0\x03\x02\x01\0\x0a\x04\x01\x02\0\x0b";

    #[test]
    fn the_second_load_comes_from_the_cache_and_a_corrupt_file_is_recompiled() {
        let dir =
            std::env::temp_dir().join(format!("headroom-module-cache-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let engine = Engine::default();
        let load = || load_or_compile_in(Some(&dir), &engine, TINY).unwrap().1;
        assert!(!load(), "nothing was cached yet");
        assert!(load(), "the compiled code was not reused");

        std::fs::write(cache_file(&dir, &engine, TINY), b"not machine code").unwrap();
        assert!(!load(), "a corrupt cache file was trusted");
        assert!(load(), "the corrupt file was not replaced");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
