#!/usr/bin/env bash
# Encrypt + CID throughput of the medchain client against sha256sum on the same
# file in the same run, and the client's peak memory (docs/performance.md).
# Usage: scripts/client-bench.sh [size in MiB, default 256]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
mib="${1:-256}"
client="$CARGO_TARGET_DIR/debug/medchain"
[ -x "$client" ] || scripts/build.sh
file="$(mktemp -d)/bench-${mib}MiB.bin"
trap 'rm -rf "$(dirname "$file")"' EXIT
head -c "$((mib * 1024 * 1024))" /dev/urandom > "$file"
cat "$file" > /dev/null # page cache warm for both

seconds() { local s e; s=$(date +%s.%N); "$@" > /dev/null; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
for run in 1 2 3; do
  sha=$(seconds sha256sum "$file")
  enc=$(seconds "$client" ipfs cid --encrypt "$file")
  cid=$(seconds "$client" ipfs cid "$file")
  printf 'run %d: sha256sum %.0f MB/s, encrypt+CID %.0f MB/s, CID only %.0f MB/s\n' "$run" \
    "$(echo "$mib * 1.048576 / $sha" | bc -l)" "$(echo "$mib * 1.048576 / $enc" | bc -l)" "$(echo "$mib * 1.048576 / $cid" | bc -l)"
done
/usr/bin/time -f 'encrypt+CID peak memory: %M KiB' "$client" ipfs cid --encrypt "$file" > /dev/null
