#!/usr/bin/env bash
# Throughput and latency of the chain, side by side in one run (a benchmark,
# not a test: CI does not run it). Starts a fresh node with
# $MEDCHAIN_NODE (the debug build by default; point it at a release build for
# the figures docs/performance.md reports), then runs tests/bench/throughput.mjs:
# transfers, record writes with 1 and 4 readers, grants, opens and a mixed
# hospital workload, per block and per second, and submit-to-in-block and
# submit-to-finalized latency of record writes at a steady rate. Prints JSON
# and a Markdown table.
#
# Usage: scripts/throughput.sh [accounts] [stored] [rate] [seconds]
# Defaults: 500 accounts; a `--dev` chain with no records (with `stored` >
# 0, the chain starts holding that many, one reader each, made by
# `medchain-node bench-state`); latency at 50 record writes a second for
# 60 s. Each workload is sized to fill three blocks by weight (a feeless one
# at most 10 per account).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
accounts="${1:-500}"
stored="${2:-0}"
rate="${3:-50}"
seconds="${4:-60}"
source scripts/bench-lib.sh
bench_prereqs
# A transaction pool large enough to hold a whole workload at once, and room
# for one watch subscription per transaction of the latency run.
node_args=(--rpc-max-connections 1000 --rpc-max-subscriptions-per-connection 16384
	--pool-limit 20000 --pool-kbytes 102400 --rpc-max-request-size 64)
if [ "$stored" -gt 0 ]; then
	# The dev chain with `stored` records already written (one reader each,
	# at most 1,000 per patient), Alice authoring and finalizing alone.
	bench_records_spec "$stored"
	start_node --chain "$spec" --alice --validator --force-authoring \
		--node-key 0000000000000000000000000000000000000000000000000000000000000001 "${node_args[@]}"
else
	start_node --dev "${node_args[@]}"
fi
(cd tests && node bench/throughput.mjs "ws://127.0.0.1:$port" "$accounts" "$rate" "$seconds")
