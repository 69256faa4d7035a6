#!/usr/bin/env bash
# Run the MedChain pallets' benchmarks on the built node and regenerate their
# weights.rs files. Usage: scripts/benchmark.sh [steps] [repeat]
# (MEDCHAIN_PALLETS="access records" limits the run to those pallets).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
steps="${1:-50}"
repeat="${2:-20}"
[ -x "$MEDCHAIN_NODE" ] || scripts/build.sh
for pallet in ${MEDCHAIN_PALLETS:-consortium patients doctors access records feeless}; do
	"$MEDCHAIN_NODE" benchmark pallet \
		--runtime "$CARGO_TARGET_DIR/debug/wbuild/medchain-runtime/medchain_runtime.wasm" \
		--genesis-builder-preset development \
		--pallet "pallet_$pallet" --extrinsic '*' \
		--steps "$steps" --repeat "$repeat" \
		--template scripts/templates/pallet-weights.hbs \
		--output "pallets/$pallet/src/weights.rs"
done
