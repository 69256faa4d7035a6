#!/usr/bin/env bash
# Install everything MedChain needs on a fresh Debian machine, build it, and
# start a development chain (Ctrl-C stops it). Set MEDCHAIN_NO_START=1 to
# stop after the build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/prereqs.sh
scripts/build.sh
if [ "${MEDCHAIN_NO_START:-}" = "1" ]; then
	exit 0
fi
exec scripts/run-dev.sh
