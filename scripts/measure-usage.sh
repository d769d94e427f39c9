#!/usr/bin/env bash
# Measures how many usage records a block carries (e2e/measure-usage-records.mjs): starts a dev
# node, floods the pool with COUNT (default 3000) receipted `record_usage` transactions, and prints
# what each block took and the bounds the weights and the block length give. Needs a built node
# (scripts/build.sh). Takes about three minutes.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if [ ! -x "$NODE_BIN" ]; then
	echo "no node at $NODE_BIN: run scripts/build.sh first" >&2
	exit 1
fi
install_e2e_deps
cd "$ROOT/e2e"
log "usage records per block"
PROOF_OF_SYNC_NODE="$NODE_BIN" node measure-usage-records.mjs
