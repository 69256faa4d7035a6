#!/usr/bin/env bash
# The database's read and write cost under a chain holding `stored` records
# (a benchmark, not a test: CI does not run it). Builds the dev chain with
# that many records (`medchain-node bench-state`, cached like
# scripts/throughput.sh's), imports its genesis into a fresh ParityDB, and runs
# `medchain-node benchmark storage` over a random sample of its keys. Prints
# the per-read and per-write figures and writes the weight file and the raw
# samples to the output directory.
#
# Usage: scripts/storage-weights.sh [stored] [keys] [output-dir]
# Defaults: 10,000 records; 100,000 keys sampled; /tmp/medchain-storage-<stored>.
# Needs a node built with `--features runtime-benchmarks` (the release one
# for figures worth reporting: MEDCHAIN_NODE=$CARGO_TARGET_DIR/release/medchain-node).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
stored="${1:-10000}"
keys="${2:-100000}"
out="${3:-/tmp/medchain-storage-$stored}"
source scripts/bench-lib.sh
bench_prereqs
bench_records_spec "$stored"
base="$(mktemp -d)"
trap 'rm -rf "$base"' EXIT
mkdir -p "$out"
"$MEDCHAIN_NODE" benchmark storage --chain "$spec" --base-path "$base" --database paritydb \
	--state-version 1 --keys-limit "$keys" --random-seed 1 --warmups 1 --batch-size 1000 \
	--weight-path "$out" --json-read-path "$out/read.json" --json-write-path "$out/write.json" \
	>"$out/log.txt" 2>&1 || { tail -20 "$out/log.txt" >&2; exit 1; }
grep -E "Reading|Writing|Time summary|Total|Min|Max|Average|Median|Percentiles" "$out/log.txt"
echo "database: $(du -sh "$base" | cut -f1); weight file and samples in $out" >&2
grep -E "read:|write:" "$out"/*.rs
