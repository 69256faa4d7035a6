#!/usr/bin/env bash
# Build the node, the runtime (native and wasm) and every test, once.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
cargo build "${MEDCHAIN_CARGO_ARGS[@]}"
echo "medchain-node: $MEDCHAIN_NODE"
