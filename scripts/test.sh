#!/usr/bin/env bash
# Run every MedChain test: Rust unit tests (pallets, runtime, node), the
# integration tests against the built medchain-node (JSON-RPC and
# @polkadot/api), and the short multi-node check of zombienet/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

start=$(date +%s)
scripts/prereqs.sh
# Formatting first: it needs no build and fails in a second.
cargo fmt --all -- --check
scripts/build.sh
echo "build: $(( $(date +%s) - start )) s"

# Lints and docs with the build's own features (dependencies are checked once
# and cached in the target dir like the build).
gates=$(date +%s)
cargo clippy "${MEDCHAIN_CARGO_ARGS[@]}" -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --locked --workspace --no-deps --features runtime-benchmarks
echo "clippy and doc: $(( $(date +%s) - gates )) s"

# Same profile and features as the build: nothing recompiles, and the wasm
# runtime built for the node is reused rather than skipped.
cargo test "${MEDCHAIN_CARGO_ARGS[@]}"

# try-runtime: the runtime and its pallets alone (the node's benchmarking CLI
# pulls in pallet-staking, which does not build with it), running the test
# that checks every pallet's try_state and the migrations' checks. A second
# feature set, so its dependencies compile once more (cached after that).
# No wasm: the test runs natively.
tryrt=$(date +%s)
SKIP_WASM_BUILD=1 cargo test --locked -p medchain-runtime --features try-runtime -- try_state
echo "try-runtime: $(( $(date +%s) - tryrt )) s"

# Every file starts its own dev node (and IPFS nodes) on free ports, and
# mostly waits for 6-second blocks: six files at a time.
(cd tests && node --test --test-concurrency=6 integration/)
# The four-hospital network: one node killed, finality goes on.
scripts/network-test.sh quick
echo "all tests: $(( $(date +%s) - start )) s"
