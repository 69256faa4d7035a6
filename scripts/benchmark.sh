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
# MedChain's pallets write their own weights.rs; the transaction extensions of
# frame_system and pallet_transaction_payment, which every transaction pays,
# are measured on this runtime into runtime/src/weights/.
for pallet in ${MEDCHAIN_PALLETS:-consortium patients doctors access records feeless system_extensions transaction_payment}; do
	case "$pallet" in
	system_extensions)
		name=frame_system_extensions template=runtime-weights output=runtime/src/weights/frame_system_extensions.rs ;;
	transaction_payment)
		name=pallet_transaction_payment template=runtime-weights output=runtime/src/weights/pallet_transaction_payment.rs ;;
	*) name="pallet_$pallet" template=pallet-weights output="pallets/$pallet/src/weights.rs" ;;
	esac
	echo "== $name ($(date +%T))" >&2
	"$MEDCHAIN_NODE" benchmark pallet \
		--runtime "$runtime" \
		--genesis-builder-preset development \
		--pallet "$name" --extrinsic '*' \
		--steps "$steps" --repeat "$repeat" \
		--template "scripts/templates/$template.hbs" \
		--output "$output"
done
