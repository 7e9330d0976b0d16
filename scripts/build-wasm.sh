#!/usr/bin/env bash
# Builds THE wasm module (engine/wasm, crate headroom-engine) once and derives
# everything else from that one file:
#
#   dist/pkg/node/   wasm-bindgen glue for Node (CommonJS)
#   dist/pkg/web/    wasm-bindgen glue for browsers/bundlers (ES module)
#   dist/wasm/headroom_engine_bg.wasm   the artifact headroom-host embeds
#
# Both glue folders must carry a byte-identical _bg.wasm; the script fails
# otherwise. No wasm-opt: Debian's 108 corrupts the externref table export
# (see shared notes); the name/producers sections are stripped instead.
#
# Respects CARGO_TARGET_DIR. Extra cargo flags: CARGO_FLAGS="--locked" etc.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1mbuild-wasm:\033[0m %s\n' "$*"; }
die() { printf 'build-wasm: error: %s\n' "$*" >&2; exit 1; }

crate=headroom_engine
profile=wasm
target_dir=${CARGO_TARGET_DIR:-target}
raw="$target_dir/wasm32-unknown-unknown/$profile/$crate.wasm"

# The CLI and the crate must be the exact same wasm-bindgen version, or the
# glue and the module disagree about the ABI at runtime.
crate_version=$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' Cargo.toml)
[ -n "$crate_version" ] || die "no pinned 'wasm-bindgen = \"=X.Y.Z\"' in Cargo.toml"
command -v wasm-bindgen >/dev/null ||
  die "wasm-bindgen CLI not found; install it with: cargo install wasm-bindgen-cli --version $crate_version"
cli_version=$(wasm-bindgen --version | awk '{print $2}')
[ "$cli_version" = "$crate_version" ] ||
  die "wasm-bindgen CLI is $cli_version but the crate is pinned to $crate_version; run: cargo install wasm-bindgen-cli --version $crate_version --force"

log "cargo build -p headroom-engine --target wasm32-unknown-unknown --profile $profile"
# shellcheck disable=SC2086 # CARGO_FLAGS is a list of flags
cargo build -p headroom-engine --target wasm32-unknown-unknown --profile "$profile" ${CARGO_FLAGS:-}
[ -f "$raw" ] || die "cargo did not produce $raw"

rm -rf dist/pkg/node dist/pkg/web dist/wasm
mkdir -p dist/pkg dist/wasm
for target in nodejs web; do
  out=dist/pkg/$([ "$target" = nodejs ] && echo node || echo web)
  log "wasm-bindgen --target $target -> $out"
  wasm-bindgen --target "$target" --remove-name-section --remove-producers-section --out-dir "$out" "$raw"
done

node_sum=$(sha256sum "dist/pkg/node/${crate}_bg.wasm" | cut -d' ' -f1)
web_sum=$(sha256sum "dist/pkg/web/${crate}_bg.wasm" | cut -d' ' -f1)
[ "$node_sum" = "$web_sum" ] ||
  die "dist/pkg/node and dist/pkg/web carry different _bg.wasm files ($node_sum vs $web_sum)"
cp "dist/pkg/node/${crate}_bg.wasm" "dist/wasm/${crate}_bg.wasm"

# The module may import only wasm-bindgen's own glue. Anything else (a C
# function a grammar calls but the freestanding headers lack shows up as an
# `env.*` import) would make the JS glue `require("env")` and fail to load.
foreign=$(node -e '
  const m = new WebAssembly.Module(require("fs").readFileSync(process.argv[1]));
  const bad = WebAssembly.Module.imports(m).filter((i) => i.module !== "./" + process.argv[2] + "_bg.js");
  console.log(bad.map((i) => i.module + "." + i.name).join(" "));
' "dist/wasm/${crate}_bg.wasm" "$crate")
[ -z "$foreign" ] || die "the module imports functions no host provides: $foreign"

size=$(wc -c <"dist/wasm/${crate}_bg.wasm")
gz=$(gzip -9 -c "dist/wasm/${crate}_bg.wasm" | wc -c)
log "dist/wasm/${crate}_bg.wasm: $size bytes raw, $gz bytes gzip -9, sha256 $node_sum"
