#!/usr/bin/env bash
# Runs the end-to-end tests (e2e/*.test.mjs) against the built node: each test file starts its own
# nodes on free loopback ports and stops them by pid. Node logs land in e2e/.tmp/.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if [ ! -x "$NODE_BIN" ]; then
	echo "no node at $NODE_BIN: run scripts/build.sh first" >&2
	exit 1
fi
install_e2e_deps
cd "$ROOT/e2e"
log "end-to-end tests"
PROOF_OF_SYNC_NODE="$NODE_BIN" node --test --test-concurrency=1 "$@"
