#!/usr/bin/env bash
# Sets up the machine and builds the node with the project's feature set.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$ROOT/scripts/setup.sh"
build_node
log "built $NODE_BIN"
