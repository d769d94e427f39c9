#!/usr/bin/env bash
# Sets up, builds and runs a development chain: one validator (Alice) that produces and finalizes
# blocks on its own, with a fresh database in a temporary directory.
#
#   scripts/dev.sh                     # RPC on ws://127.0.0.1:9944, metrics on :9615
#   scripts/dev.sh --rpc-port 9955     # extra flags go to proof-of-sync-node
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$ROOT/scripts/setup.sh"
build_node
log "starting the dev chain: polkadot.js apps -> ws://127.0.0.1:9944 (Ctrl-C to stop)"
exec "$NODE_BIN" --dev "$@"
