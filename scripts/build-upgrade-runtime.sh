#!/usr/bin/env bash
# Build the runtime the network tests upgrade a running chain to: this
# runtime with the `upgrade-test` feature (spec_version + 1, nothing else
# changed), compiled to wasm exactly as the node's own runtime is (same
# wasm-builder project, flags and profile), then compressed as on-chain code
# is (zstd behind sp-maybe-compressed-blob's prefix), so that it fits in a
# block. Prints the path of the result:
#   $CARGO_TARGET_DIR/upgrade-runtime/medchain_runtime_upgrade.compressed.wasm
#
# Needs scripts/build.sh first. The first run copies that build's wasm target
# dir and compiles the runtime without benchmarking (several minutes); later
# runs compile only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

wbuild="$CARGO_TARGET_DIR/debug/wbuild/medchain-runtime"
out="$CARGO_TARGET_DIR/upgrade-runtime"
if [ ! -f "$wbuild/Cargo.toml" ]; then
	echo "no runtime wasm project at $wbuild: run scripts/build.sh first" >&2
	exit 1
fi
command -v zstd >/dev/null || { echo "zstd is missing: scripts/prereqs.sh installs it" >&2; exit 1; }

mkdir -p "$out/src"
# The node's wasm project, renamed, with the features of a deployed runtime:
# `upgrade-test` and nothing else. The debug build's runtime carries the
# benchmarking code, and with it the 4 MB test runtime of frame-system's
# `set_code` benchmark, which would not fit in a block as an upgrade.
python3 - "$wbuild/Cargo.toml" "$out/Cargo.toml" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
text = text.replace('name = "medchain-runtime-blob"', 'name = "medchain-runtime-upgrade-blob"')
text, n = re.subn(r'features = \[[^\]]*\]', 'features = ["upgrade-test"]', text, count=1)
if n != 1:
    sys.exit(f"no features list in {sys.argv[1]}")
open(sys.argv[2], "w").write(text)
PY
cp "$wbuild/Cargo.lock" "$out/Cargo.lock"
cp "$wbuild/src/lib.rs" "$out/src/lib.rs"
if [ ! -d "$out/target" ]; then
	cp -a "$wbuild/target" "$out/target"
fi

# What substrate-wasm-builder runs for the node's runtime (build_using_defaults).
env -u CARGO_ENCODED_RUSTFLAGS -u RUSTC \
	CARGO_TARGET_DIR="$out/target" SKIP_WASM_BUILD= \
	RUSTFLAGS="-C link-arg=--export-table -C link-arg=--export=__heap_base -C link-arg=--import-memory --cfg substrate_runtime" \
	cargo rustc --target=wasm32v1-none --manifest-path="$out/Cargo.toml" --profile release --quiet

wasm="$out/target/wasm32v1-none/release/medchain_runtime.wasm"
result="$out/medchain_runtime_upgrade.compressed.wasm"
# sp-maybe-compressed-blob: an 8-byte prefix, then one zstd frame.
{ printf '\x52\xbc\x53\x76\x46\xdb\x8e\x05'; zstd -q -19 -c "$wasm"; } >"$result.tmp"
mv "$result.tmp" "$result"
echo "$result"
