//! Plain C-ABI exports over UTF-8 JSON in linear memory, for hosts that run
//! the module without its JS glue (wasmtime). Nothing here may reach a
//! wasm-bindgen import: those are stubs that trap outside JS.
//!
//! Protocol (see `docs/abi.md`): the host allocates a buffer with
//! `abi_alloc`, writes the request into it, calls an operation with
//! `(ptr, len)`, gets `(result_ptr << 32) | result_len` back, reads the
//! result and frees both buffers with `abi_dealloc`. Every `abi_*` name is
//! prefixed so it cannot clash with the libc exports C code brings along.

use crate::api;

/// Allocate `len` bytes the host may write a request into. Never returns
/// null for `len > 0` (an allocation failure traps); for `len == 0` returns a
/// dangling non-null pointer that must still be passed to `abi_dealloc`.
#[no_mangle]
pub extern "C" fn abi_alloc(len: usize) -> *mut u8 {
    // Uninitialized: the host overwrites all of it, and large requests
    // should not pay for zeroing.
    Box::into_raw(Box::<[u8]>::new_uninit_slice(len)).cast::<u8>()
}

/// Free a buffer from `abi_alloc` or a result buffer, with the exact length
/// it was handed out with.
///
/// # Safety
/// `ptr`/`len` must come from `abi_alloc` or an operation's result, and be
/// freed once.
#[no_mangle]
pub unsafe extern "C" fn abi_dealloc(ptr: *mut u8, len: usize) {
    drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len)));
}

/// Marker export: its presence says "this module speaks ABI 1". A host looks
/// for it before calling anything else. Never called.
#[no_mangle]
pub extern "C" fn headroom_abi_version_1() {}

/// Borrow the request bytes the host wrote.
///
/// # Safety
/// `ptr..ptr+len` must be initialized memory the caller keeps alive.
unsafe fn request<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if len == 0 {
        &[]
    } else {
        std::slice::from_raw_parts(ptr, len)
    }
}

/// Hand a result buffer to the host as `(ptr << 32) | len`.
fn respond(bytes: Vec<u8>) -> u64 {
    let len = bytes.len() as u64;
    let ptr = Box::into_raw(bytes.into_boxed_slice()).cast::<u8>() as usize as u64;
    (ptr << 32) | len
}

/// `{"text", "tool"?, "options"?}` -> `{"ok": TextResult}` | `{"error": ..}`.
///
/// # Safety
/// `ptr`/`len` must describe a buffer from `abi_alloc`.
#[no_mangle]
pub unsafe extern "C" fn abi_compress_text(ptr: *const u8, len: usize) -> u64 {
    respond(api::compress_text_json(request(ptr, len)))
}

/// `[header length: u32 LE][{"tool"?, "options"?, "echoOriginal"?}][text]`
/// -> `{"ok": TextResult}` | `{"error": ..}`: `abi_compress_text` with the
/// text as raw UTF-8 instead of a JSON string.
///
/// # Safety
/// `ptr`/`len` must describe a buffer from `abi_alloc`.
#[no_mangle]
pub unsafe extern "C" fn abi_compress_text_raw(ptr: *const u8, len: usize) -> u64 {
    respond(api::compress_text_raw(request(ptr, len)))
}

/// `{"body", "options"?}` -> `{"ok": MessagesResult}` | `{"error": ..}`.
///
/// # Safety
/// `ptr`/`len` must describe a buffer from `abi_alloc`.
#[no_mangle]
pub unsafe extern "C" fn abi_compress_messages(ptr: *const u8, len: usize) -> u64 {
    respond(api::compress_messages_json(request(ptr, len)))
}

/// `{"text"}` -> `{"ok": <tokens>}` | `{"error": ..}`.
///
/// # Safety
/// `ptr`/`len` must describe a buffer from `abi_alloc`.
#[no_mangle]
pub unsafe extern "C" fn abi_count_tokens(ptr: *const u8, len: usize) -> u64 {
    respond(api::count_tokens_json(request(ptr, len)))
}

/// `{"text"}` -> `{"ok": ["<hash>", ...]}` | `{"error": ..}`.
///
/// # Safety
/// `ptr`/`len` must describe a buffer from `abi_alloc`.
#[no_mangle]
pub unsafe extern "C" fn abi_find_hashes(ptr: *const u8, len: usize) -> u64 {
    respond(api::find_hashes_json(request(ptr, len)))
}

/// (no request) -> `{"ok": {"engine": "<semver>", "abi": 1}}`.
#[no_mangle]
pub extern "C" fn abi_version() -> u64 {
    respond(api::version_json())
}
