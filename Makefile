# Headroom's build and test entry points. `make test` is what CI runs.
# The cargo build cache lives outside the clone so a fresh clone reuses it.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/headroom/target
HOST := $(CARGO_TARGET_DIR)/release/headroom-host
export HEADROOM_HOST := $(HOST)
PORT ?= 8787

.PHONY: setup wasm host npm demo-build demo test test-rust test-node test-npm test-web test-proxy lint proxy bench

setup:
	bash scripts/setup.sh

# The one wasm module, its JS glue (dist/pkg) and the copy the host embeds (dist/wasm).
wasm: setup
	bash scripts/build-wasm.sh

host: wasm
	cargo build --release -p headroom-host

# The publishable npm package, assembled from pkg-template/ and dist/pkg/.
npm: wasm
	bash scripts/build-npm.sh

# clippy compiles headroom-host, whose build script embeds the wasm module.
lint: wasm
	cargo fmt --all -- --check
	cargo clippy --release --workspace --all-targets -- -D warnings

test-rust: host
	cargo test --release --workspace

test-node: host
	node tests/node/parity.mjs

test-npm: host npm
	bash tests/npm/run.sh

# The browser playground, built from the npm package's web build.
demo-build: npm
	node web-demo/build.mjs

test-web: demo-build
	bash tests/web/run.sh

# The proxy end to end: real SDK clients, mock upstream, redis-server.
test-proxy: host
	bash tests/proxy/run.sh

test: lint test-rust test-node test-npm test-web test-proxy

demo: demo-build
	node web-demo/serve.mjs

proxy: host
	$(HOST) proxy --port $(PORT)

bench: host
	cargo run --release -p headroom-tests --bin savings -- --markdown
