#!/usr/bin/env bash
# Tests of the browser playground (web-demo/): its pure modules in Node, and
# the built page in headless Debian chromium (playwright-core) against the
# Node package. Prints `N passed, M failed`; exits non-zero on any failure,
# including a test file that crashes before reporting.
#
#   node web-demo/build.mjs && bash tests/web/run.sh
#
# Needs: dist/npm/headroom-ai (bash scripts/build-npm.sh), node_modules
# (npm ci), /usr/bin/chromium (or HEADROOM_CHROMIUM). Screenshots go to
# tests/artifacts/web-demo.png and web-demo-body.png.
set -uo pipefail
cd "$(dirname "$0")/../.."

LOG_DIR=${HEADROOM_TEST_LOGS:-tests/artifacts/web-logs}
mkdir -p "$LOG_DIR"

fail() {
  printf 'tests/web: %s\n' "$*" >&2
  echo "0 passed, 1 failed"
  exit 1
}
[ -f dist/npm/headroom-ai/package.json ] || fail "dist/npm/headroom-ai is missing: run bash scripts/build-npm.sh"
[ -f web-demo/dist/index.html ] || fail "web-demo/dist is missing: run node web-demo/build.mjs"
for f in web-demo/*.html web-demo/*.css web-demo/*.js; do
  cmp -s "$f" "web-demo/dist/${f#web-demo/}" || fail "web-demo/dist is stale ($f changed): run node web-demo/build.mjs"
done
cmp -s dist/npm/headroom-ai/engine/headroom_engine_bg.wasm web-demo/dist/headroom-ai/engine/headroom_engine_bg.wasm ||
  fail "web-demo/dist has another .wasm than dist/npm/headroom-ai: run node web-demo/build.mjs"
[ -d node_modules/playwright-core ] || fail "node_modules is missing: run npm ci at the repository root"

passed=0
failed=0
for name in diff page; do
  log="$LOG_DIR/$name.tap"
  node --test --test-reporter=tap "tests/web/$name.test.mjs" >"$log" 2>&1
  status=$?
  p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$log" | tail -1)
  f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$log" | tail -1)
  c=$(sed -n 's/^# cancelled \([0-9]*\)$/\1/p' "$log" | tail -1)
  p=${p:-0} f=${f:-0} c=${c:-0}
  f=$((f + c))
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi # crashed or failed outside a test
  passed=$((passed + p))
  failed=$((failed + f))
  if [ "$f" -gt 0 ]; then
    printf 'tests/web/%s: %d failed (log: %s)\n' "$name" "$f" "$log"
    grep -E '^not ok|^\s+error:' "$log" | head -20
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
