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
source scripts/bench-lib.sh
bench_prereqs
bench_spec "$patients" "$records" "$opens"
# No block production: the queries read the genesis state.
start_node --chain "$spec"
echo
(cd tests && node bench/rpc-latency.mjs "$port" "$patients" "$samples")
