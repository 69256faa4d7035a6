#!/usr/bin/env bash
# Start a development chain: one hospital (Alice), sudo Alice, RPC on 9944,
# Prometheus on 9615. State is kept in ./tmp/dev unless --tmp is passed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
exec "$MEDCHAIN_NODE" --dev --base-path "${MEDCHAIN_BASE_PATH:-./tmp/dev}" --rpc-port 9944 "$@"
