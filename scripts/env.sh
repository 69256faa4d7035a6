# Shared settings for the MedChain scripts; sourced, not run.
# The cargo target dir lives outside the clone so that CI and fresh clones
# reuse earlier builds.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/medchain-target}"
# With the target dir outside the clone, the wasm builder needs to be told
# where the workspace (and its Cargo.lock) is.
WASM_BUILD_WORKSPACE_HINT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export WASM_BUILD_WORKSPACE_HINT
# One profile and one feature set for the node, the tests and CI, so that
# every dependency compiles once. `runtime-benchmarks` is in it because the
# node's `benchmark pallet` needs it.
MEDCHAIN_CARGO_ARGS=(--locked --workspace --all-targets --features runtime-benchmarks)
MEDCHAIN_NODE="${MEDCHAIN_NODE:-$CARGO_TARGET_DIR/debug/medchain-node}"
export MEDCHAIN_NODE
