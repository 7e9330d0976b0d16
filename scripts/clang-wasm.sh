#!/bin/sh
# C compiler for the wasm32-unknown-unknown target (set by .cargo/config.toml).
#
# The tree-sitter grammar crates compile C that includes <stdlib.h>,
# <string.h>, <wctype.h>, ..., which a freestanding wasm32 target lacks. The
# tree-sitter-language crate ships small freestanding headers for exactly this
# (`wasm/include`); this wrapper finds them in the cargo registry, at the
# version Cargo.lock pins, and adds them to the include path. Nothing
# third-party is copied into the repository.
set -eu
repo="$(cd "$(dirname "$0")/.." && pwd)"
version="$(awk '/^name = "tree-sitter-language"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$repo/Cargo.lock")"
if [ -z "$version" ]; then
  echo "clang-wasm.sh: tree-sitter-language not found in $repo/Cargo.lock" >&2
  exit 1
fi
include=""
for dir in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/tree-sitter-language-"$version"/wasm/include; do
  if [ -d "$dir" ]; then include="$dir"; break; fi
done
if [ -z "$include" ]; then
  echo "clang-wasm.sh: no wasm/include in tree-sitter-language-$version (run 'cargo fetch' first)" >&2
  exit 1
fi
# `-include stddef.h` (clang's own freestanding header): the C++ grammar's
# scanner uses `wchar_t` after including only <wctype.h>, which defines it
# transitively on glibc but not in the freestanding headers.
# `-Dstatic_assert=_Static_assert`: the C++ grammar's scanner uses C11's
# `static_assert`, which the freestanding <assert.h> does not define; clang
# then takes it for an undeclared function and the module gains an
# `env.static_assert` import that no JS or wasmtime host can satisfy.
# `-mbulk-memory ... -msimd128`: the wasm features rustc enables for the
# Rust half of the module (`rustc --print cfg --target wasm32-unknown-unknown`
# with .cargo/config.toml's simd128), so the C half may use them too: with
# bulk memory, clang turns the parser's struct copies and clears into
# `memory.copy`/`memory.fill` instead of calls to byte loops.
exec clang -I"$include" -include stddef.h -Dstatic_assert=_Static_assert \
  -mbulk-memory -mnontrapping-fptoint -msign-ext -mmutable-globals -msimd128 "$@"
