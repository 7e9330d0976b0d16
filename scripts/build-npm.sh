#!/usr/bin/env bash
# Assembles the npm package `headroom-ai` from its hand-written sources
# (pkg-template/) and the wasm-bindgen output of scripts/build-wasm.sh, then
# packs it. Nothing it writes is committed.
#
#   in:  pkg-template/            TypeScript sources, package.json template, README
#        dist/pkg/node/           wasm-bindgen --target nodejs glue
#        dist/pkg/web/            wasm-bindgen --target web glue
#        dist/wasm/headroom_engine_bg.wasm   THE module (headroom-host embeds the same bytes)
#   out: dist/npm/headroom-ai/    the package as published
#        dist/headroom-ai-<version>.tgz
#
# Layout of the package (one .wasm, two glues beside it):
#   engine/headroom_engine_bg.wasm   engine/headroom_engine.js (Node, CJS)
#   engine/web/headroom_engine.js (ESM)   cjs/ (Node: CJS + an ESM wrapper)   esm/ (browsers, bundlers)
set -euo pipefail
cd "$(dirname "$0")/.."

PKG_DIR=${HEADROOM_PKG_DIR:-dist/pkg}
WASM=${HEADROOM_WASM:-dist/wasm/headroom_engine_bg.wasm}
OUT=dist/npm/headroom-ai
STAGE=dist/npm/stage
TSC=node_modules/.bin/tsc

log() { printf '\033[1mbuild-npm:\033[0m %s\n' "$*"; }
die() { printf 'build-npm: %s\n' "$*" >&2; exit 1; }

for f in "$PKG_DIR/node/headroom_engine.js" "$PKG_DIR/web/headroom_engine.js" "$WASM"; do
  [ -f "$f" ] || die "missing $f: run scripts/build-wasm.sh first"
done
[ -x "$TSC" ] || die "missing $TSC: run npm ci at the repository root first"

# The package ships exactly the module headroom-host embeds.
want=$(sha256sum "$WASM" | cut -d' ' -f1)
for glue_dir in "$PKG_DIR/node" "$PKG_DIR/web"; do
  if [ -f "$glue_dir/headroom_engine_bg.wasm" ]; then
    got=$(sha256sum "$glue_dir/headroom_engine_bg.wasm" | cut -d' ' -f1)
    [ "$got" = "$want" ] || die "$glue_dir/headroom_engine_bg.wasm differs from $WASM"
  fi
done

version=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)
[ -n "$version" ] || die "no [workspace.package] version in Cargo.toml"

rm -rf "$OUT" "$STAGE"
mkdir -p "$OUT/engine/web" "$STAGE/engine/web"

# Stage sources next to the glues' type declarations, in the package's
# relative layout, so imports resolve the same way at compile and run time.
cp -r pkg-template/src pkg-template/tsconfig.*.json "$STAGE/"
cp "$PKG_DIR/node/headroom_engine.js" "$PKG_DIR/node/headroom_engine.d.ts" "$STAGE/engine/"
cp "$PKG_DIR/web/headroom_engine.js" "$PKG_DIR/web/headroom_engine.d.ts" "$STAGE/engine/web/"

log "compiling TypeScript (Node CJS, browser ESM)"
"$TSC" -p "$STAGE/tsconfig.node.json" --outDir "$OUT/cjs"
"$TSC" -p "$STAGE/tsconfig.browser.json" --outDir "$OUT/esm"

cp "$WASM" "$OUT/engine/headroom_engine_bg.wasm"
cp "$PKG_DIR/node/headroom_engine.js" "$OUT/engine/headroom_engine.js"
cp "$PKG_DIR/web/headroom_engine.js" "$OUT/engine/web/headroom_engine.js"
printf '{\n  "type": "module"\n}\n' > "$OUT/esm/package.json"
printf '{\n  "type": "module"\n}\n' > "$OUT/engine/web/package.json"

# Node's ESM entry re-exports the CJS build, so `import` and `require` in one
# process share one engine instance and one default store.
node - "$OUT/cjs/node" <<'JS'
const path = require('path');
const fs = require('fs');
const dir = path.resolve(process.argv[2]);
const names = Object.keys(require(path.join(dir, 'index.js')))
  .filter((name) => /^[A-Za-z_$][\w$]*$/.test(name) && name !== 'default')
  .sort();
fs.writeFileSync(
  path.join(dir, 'index.mjs'),
  '// ESM entry for Node: the CommonJS build, re-exported (one instance for import and require).\n' +
    "import headroom from './index.js';\n\n" +
    `export const {\n${names.map((n) => `  ${n},`).join('\n')}\n} = headroom;\nexport default headroom;\n`,
);
fs.writeFileSync(
  path.join(dir, 'index.d.mts'),
  "export * from './index.js';\nimport * as headroom from './index.js';\nexport default headroom;\n",
);
JS

node - pkg-template/package.json "$OUT/package.json" "$version" <<'JS'
const fs = require('fs');
const [from, to, version] = process.argv.slice(2);
const pkg = JSON.parse(fs.readFileSync(from, 'utf8'));
pkg.version = version;
fs.writeFileSync(to, JSON.stringify(pkg, null, 2) + '\n');
JS
cp pkg-template/README.md "$OUT/README.md"

log "packing"
rm -f dist/headroom-ai-*.tgz
tarball=$(cd "$OUT" && npm pack --silent --pack-destination ../.. 2>/dev/null | tail -1)
[ -f "dist/$tarball" ] || die "npm pack produced no tarball"
log "dist/$tarball ($(stat -c %s "dist/$tarball") bytes)"
