#!/usr/bin/env bash
# Run the MedChain pallets' benchmarks on the built node and regenerate their
# weights.rs files. Usage: scripts/benchmark.sh [steps] [repeat]
# (MEDCHAIN_PALLETS="access records" limits the run to those pallets).
# The committed weights come from the optimised node:
#   cargo build --locked --release --features runtime-benchmarks -p medchain-node
#   MEDCHAIN_NODE=$CARGO_TARGET_DIR/release/medchain-node scripts/benchmark.sh
# The runtime measured is the wasm built beside the node.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
steps="${1:-50}"
repeat="${2:-20}"
[ -x "$MEDCHAIN_NODE" ] || scripts/build.sh
runtime="$(dirname "$MEDCHAIN_NODE")/wbuild/medchain-runtime/medchain_runtime.wasm"
for pallet in ${MEDCHAIN_PALLETS:-consortium patients doctors access records feeless}; do
	echo "== pallet_$pallet ($(date +%T))" >&2
	"$MEDCHAIN_NODE" benchmark pallet \
		--runtime "$runtime" \
		--genesis-builder-preset development \
		--pallet "pallet_$pallet" --extrinsic '*' \
		--steps "$steps" --repeat "$repeat" \
		--template scripts/templates/pallet-weights.hbs \
		--output "pallets/$pallet/src/weights.rs"
done
