#!/usr/bin/env bash
# Regenerates the `weights.rs` of the project's pallets with the node's `benchmark pallet` command.
#
#   scripts/benchmark.sh                      # every project pallet
#   scripts/benchmark.sh pallet_resources     # only the ones named
#   STEPS=2 REPEAT=1 scripts/benchmark.sh     # a quick run (figures not fit to commit)
#
# Builds the node first (the same build as the README's commands). Run it on an otherwise idle
# machine: the figures are measured times.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

STEPS="${STEPS:-50}"
REPEAT="${REPEAT:-20}"
RUNTIME_WASM="$CARGO_TARGET_DIR/release/wbuild/proof-of-sync-runtime/proof_of_sync_runtime.compact.compressed.wasm"

# pallet name => crate directory
declare -A PALLET_DIRS=(
	[pallet_resources]=pallets/resources
	[pallet_rewards]=pallets/rewards
	[pallet_sync_attestation]=pallets/sync-attestation
	[pallet_usage]=pallets/usage
)

pallets=("$@")
if [ ${#pallets[@]} -eq 0 ]; then
	mapfile -t pallets < <(printf '%s\n' "${!PALLET_DIRS[@]}" | sort)
fi

"$ROOT/scripts/setup.sh"
build_node

# Relative paths, so the generated files name no machine-specific directory but the target one.
cd "$ROOT"
for pallet in "${pallets[@]}"; do
	dir="${PALLET_DIRS[$pallet]:-}"
	if [ -z "$dir" ]; then
		echo "unknown pallet '$pallet'; known: ${!PALLET_DIRS[*]}" >&2
		exit 1
	fi
	log "benchmarking $pallet (steps $STEPS, repeat $REPEAT)"
	"$NODE_BIN" benchmark pallet \
		--runtime "$RUNTIME_WASM" \
		--genesis-builder=runtime \
		--genesis-builder-preset=development \
		--pallet "$pallet" \
		--extrinsic '*' \
		--steps "$STEPS" \
		--repeat "$REPEAT" \
		--heap-pages 4096 \
		--template scripts/frame-weight-template.hbs \
		--output "$dir/src/weights.rs"
done
