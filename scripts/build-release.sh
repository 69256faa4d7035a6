#!/usr/bin/env bash
# Build the node hospitals run in production: the `production` profile
# (release with LTO and one codegen unit), default features only (no
# benchmarking), into $CARGO_TARGET_DIR/production/medchain-node.
# Takes far longer than the debug build CI uses (docs/operators.md).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
cargo build --locked --profile production -p medchain-node
echo "medchain-node: $CARGO_TARGET_DIR/production/medchain-node"
