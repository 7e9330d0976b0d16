#!/usr/bin/env bash
# Installs everything Headroom's build and tests need on a fresh Debian machine,
# and nothing that is already there. Safe to run again.
#
#   Debian: clang + llvm (tree-sitter grammars for wasm32), redis-server (proxy
#           store tests), chromium (browser tests). NOT binaryen: Debian's
#           wasm-opt 108 produces a broken module.
#   Rust:   the pinned toolchain (rust-toolchain.toml) with the wasm32 target,
#           and the wasm-bindgen CLI at exactly the crate's version.
#   Node:   npm packages for the JS tests (from the npm registry only).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

need_apt=()
command -v clang >/dev/null || need_apt+=(clang)
command -v llvm-ar >/dev/null || need_apt+=(llvm)
command -v redis-server >/dev/null || need_apt+=(redis-server)
command -v chromium >/dev/null || need_apt+=(chromium)
if ((${#need_apt[@]})); then
  log "installing Debian packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  log "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# The CLI must equal the `wasm-bindgen` crate version pinned in Cargo.toml.
wb_version=$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' Cargo.toml)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wb_version" ]; then
  log "installing wasm-bindgen-cli $wb_version (takes a few minutes)"
  # No --locked: its lockfile pins a crate version the registry mirror lacks.
  cargo install wasm-bindgen-cli --version "$wb_version" --quiet
fi

# Also when package-lock.json changed since the last install (npm keeps its
# own copy of the installed tree in node_modules/.package-lock.json).
if [ -f package.json ] && { [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
  log "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi
log "ok"
