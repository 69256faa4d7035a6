#!/usr/bin/env bash
# Throughput and latency of the chain, side by side in one run (a benchmark,
# not a test: CI does not run it). Starts a fresh `--dev` node with
# $MEDCHAIN_NODE (the debug build by default; point it at a release build for
# the figures docs/performance.md reports), then runs tests/bench/throughput.mjs:
# transfers, record writes with 1 and 4 readers, grants, opens and a mixed
# hospital workload, per block and per second, and submit-to-in-block and
# submit-to-finalized latency of record writes at a steady rate. Prints JSON
# and a Markdown table.
#
# Usage: scripts/throughput.sh [accounts] [per-account] [rate] [seconds]
# Defaults: 200 accounts x 10 transactions per workload (2,000), latency at
# 50 record writes a second for 60 s.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
accounts="${1:-200}"
per_account="${2:-10}"
rate="${3:-50}"
seconds="${4:-60}"
[ -x "$MEDCHAIN_NODE" ] || scripts/build.sh
[ -d tests/node_modules ] || (cd tests && npm ci --no-audit --no-fund)

port=$((20000 + RANDOM % 20000))
base="$(mktemp -d)"
log="$base/node.log"
# A transaction pool large enough to hold a whole workload at once, and room
# for one watch subscription per transaction of the latency run.
"$MEDCHAIN_NODE" --dev --base-path "$base" --rpc-port "$port" --rpc-max-connections 1000 \
	--rpc-max-subscriptions-per-connection 16384 \
	--pool-limit 20000 --pool-kbytes 102400 --rpc-max-request-size 64 \
	--no-prometheus --no-telemetry --no-mdns --port 0 >"$log" 2>&1 &
node_pid=$!
trap 'kill $node_pid 2>/dev/null; wait $node_pid 2>/dev/null; rm -rf "$base"' EXIT

echo "node $MEDCHAIN_NODE on port $port (log: $log)" >&2
until curl -sf -H 'content-type: application/json' \
	-d '{"jsonrpc":"2.0","id":1,"method":"system_health","params":[]}' \
	"http://127.0.0.1:$port" >/dev/null; do
	kill -0 $node_pid 2>/dev/null || { tail -20 "$log"; exit 1; }
	sleep 1
done
(cd tests && node bench/throughput.mjs "ws://127.0.0.1:$port" "$accounts" "$per_account" "$rate" "$seconds")
