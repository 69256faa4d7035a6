#!/usr/bin/env bash
# JSON-RPC latency of the medchain_* queries over a large state (a benchmark,
# not a test: CI does not run it). Builds the state once with
# `medchain-node bench-state` (cached in ~/.cache/medchain-bench), starts a
# node on it (no block production: queries read the genesis state), and
# prints p50/p90/p99 per query as a Markdown table (docs/performance.md).
#
# Usage: scripts/rpc-latency.sh [patients] [records-per-patient] [opens-per-record] [samples]
# Defaults: 1,000 patients x 100 records, each opened 9 times: 100,000
# records and 1,001,001 audit entries; 2,000 samples per query.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
patients="${1:-1000}"
records="${2:-100}"
opens="${3:-9}"
samples="${4:-2000}"
[ -x "$MEDCHAIN_NODE" ] || scripts/build.sh
[ -d tests/node_modules ] || (cd tests && npm ci --no-audit --no-fund)

cache="$HOME/.cache/medchain-bench"
spec="$cache/state-${patients}x${records}x${opens}.json"
mkdir -p "$cache"
if [ ! -s "$spec" ]; then
	echo "building the state: $spec"
	"$MEDCHAIN_NODE" bench-state --patients "$patients" --records-per-patient "$records" \
		--opens-per-record "$opens" --output "$spec.partial"
	mv "$spec.partial" "$spec"
fi

port=$((20000 + RANDOM % 20000))
base="$(mktemp -d)"
log="$base/node.log"
"$MEDCHAIN_NODE" --chain "$spec" --base-path "$base" --rpc-port "$port" \
	--no-prometheus --no-telemetry --no-mdns --port 0 >"$log" 2>&1 &
node_pid=$!
trap 'kill $node_pid 2>/dev/null; wait $node_pid 2>/dev/null; rm -rf "$base"' EXIT

echo "starting the node on it (log: $log)"
started=$(date +%s)
until curl -sf -H 'content-type: application/json' \
	-d '{"jsonrpc":"2.0","id":1,"method":"system_health","params":[]}' \
	"http://127.0.0.1:$port" >/dev/null; do
	kill -0 $node_pid 2>/dev/null || { tail -20 "$log"; exit 1; }
	sleep 2
done
echo "node ready after $(($(date +%s) - started)) s; database: $(du -sh "$base" | cut -f1)"
echo
(cd tests && node bench/rpc-latency.mjs "$port" "$patients" "$samples")
