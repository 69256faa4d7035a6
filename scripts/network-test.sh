#!/usr/bin/env bash
# The multi-node tests of zombienet/: real medchain-node processes forming the
# four-hospital `--chain local` network on loopback (P2P ports 30333-30337 and
# 30339 must be free).
#
#   scripts/network-test.sh          the short check CI runs: four nodes, the
#                                    first boot node killed, finality goes on
#   scripts/network-test.sh full     the full fault suite (zombienet/README.md),
#                                    after building the runtime it upgrades to
#                                    (scripts/build-upgrade-runtime.sh), and the
#                                    storage measurement
#   scripts/network-test.sh storage  IPFS nodes and followers on the four
#                                    hospitals: finalized to pinned everywhere
#
# Uses the node scripts/build.sh built (or MEDCHAIN_NODE).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

case "${1:-quick}" in
	quick) files=(zombienet/tests/quick.test.js) ;;
	full)
		files=(zombienet/tests/quick.test.js zombienet/tests/faults.test.js zombienet/tests/storage.test.js)
		# The runtime the suite upgrades the running chain to (spec_version + 1).
		MEDCHAIN_UPGRADE_WASM="$(scripts/build-upgrade-runtime.sh | tail -n 1)"
		export MEDCHAIN_UPGRADE_WASM
		;;
	storage) files=(zombienet/tests/storage.test.js) ;;
	*) echo "usage: scripts/network-test.sh [quick|full|storage]" >&2; exit 2 ;;
esac

start=$(date +%s)
node --test --test-concurrency=1 "${files[@]}"
echo "network tests (${1:-quick}): $(( $(date +%s) - start )) s"
