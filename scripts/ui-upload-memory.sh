#!/usr/bin/env bash
# Measure what a large upload through the dashboards costs in memory: a dev node, a
# patient, `medchain ui`, and one file of SIZE_MIB (default 1024) uploaded as the browser
# does (multipart, streamed); prints the peak resident memory (VmHWM) of the `medchain ui`
# process and the time from the upload's start to its record on chain. Not part of CI
# (it writes the file, twice over, to disk): docs/dashboard.md reports its figures.
#
#   scripts/ui-upload-memory.sh [SIZE_MIB]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
size_mib="${1:-1024}"
client="${MEDCHAIN_CLIENT:-$CARGO_TARGET_DIR/debug/medchain}"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
port=$((20000 + RANDOM % 20000))
ui_port=$((port + 1))

"$MEDCHAIN_NODE" --dev --tmp --rpc-port "$port" --port 0 --no-prometheus --no-telemetry \
	>"$work/node.log" 2>&1 &
export MEDCHAIN_HOME="$work/home" MEDCHAIN_PASSWORD=measure MEDCHAIN_IPFS_API=embedded \
	MEDCHAIN_NODE_URL="http://127.0.0.1:$port"
until curl -s -o /dev/null "$MEDCHAIN_NODE_URL"; do sleep 0.5; done
echo "bottom drive obey lake curtain smoke basket hold race lonely fit walk//Alice" |
	"$client" account import alice >/dev/null
"$client" --as alice patient register >/dev/null

"$client" ui --port "$ui_port" >"$work/ui.out" 2>"$work/ui.err" &
ui_pid=$!
until grep -q token "$work/ui.out" 2>/dev/null; do sleep 0.2; done
link="$(grep -o 'http://[^ ]*' "$work/ui.out")"
jar="$work/cookies"
curl -s -c "$jar" -b "$jar" -L "$link" -o "$work/signin.html"
csrf="$(grep -o 'name="csrf" value="[0-9a-f]*"' "$work/signin.html" | head -1 | grep -o '[0-9a-f]\{64\}')"
curl -s -c "$jar" -b "$jar" -o /dev/null -d "csrf=$csrf&account=alice&password=measure" \
	"http://127.0.0.1:$ui_port/signin"

head -c "$((size_mib * 1024 * 1024))" /dev/urandom >"$work/big.bin"
before="$(grep VmHWM /proc/$ui_pid/status | awk '{print $2}')"
start=$(date +%s)
job="$(curl -s -b "$jar" -H 'X-MedChain-Upload: 1' -F "csrf=$csrf" -F action=patient-upload \
	-F back=/patient -F category=Imaging -F "file=@$work/big.bin" "http://127.0.0.1:$ui_port/upload")"
received=$(date +%s)
# The job's page answers 200 while it runs and sends the browser back (303) when it is over.
while [ "$(curl -s -b "$jar" -o "$work/job.html" -w '%{http_code}' "http://127.0.0.1:$ui_port$job")" = 200 ]; do
	sleep 1
done
done_at=$(date +%s)
outcome="$(curl -s -b "$jar" "http://127.0.0.1:$ui_port/patient" | grep -o 'Record [0-9]* created[^<]*' | head -1)"
peak="$(grep VmHWM /proc/$ui_pid/status | awk '{print $2}')"
echo "upload of $size_mib MiB: received in $((received - start)) s, on chain $((done_at - start)) s after the start"
echo "outcome: ${outcome:-none (see $work/ui.err)}"
echo "medchain ui peak resident memory: $((before / 1024)) MiB before, $((peak / 1024)) MiB after"
