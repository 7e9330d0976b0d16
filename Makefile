# Headroom's build and test entry points. `make test` is what CI runs.
# The cargo build cache lives outside the clone so a fresh clone reuses it.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/headroom/target
HOST := $(CARGO_TARGET_DIR)/release/headroom-host
PORT ?= 8787

.PHONY: setup wasm host test test-rust test-node lint proxy bench

setup:
	bash scripts/setup.sh

wasm: setup
	bash scripts/build-wasm.sh

host: wasm
	cargo build --release -p headroom-host

lint: setup
	cargo fmt --all -- --check
	cargo clippy --release --workspace --all-targets -- -D warnings

test-rust: host
	cargo test --release --workspace

test-node: host
	HEADROOM_HOST=$(HOST) node tests/node/parity.mjs

test: lint test-rust test-node

proxy: host
	$(HOST) proxy --port $(PORT)

bench: host
	cargo run --release -p headroom-tests --bin savings -- --markdown
