#!/usr/bin/env bash
# Runs the three-validator local testnet (Alice, Bob, Charlie) on this machine, in the foreground;
# Ctrl-C stops all three. Alice's RPC is on ws://127.0.0.1:9944, Bob's on 9945, Charlie's on 9946.
# Logs and databases go to a temporary directory (printed at start) that is removed on exit.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$ROOT/scripts/setup.sh"
build_node

work="$(mktemp -d -t proof-of-sync-local.XXXXXX)"
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

# Fixed network keys (validators need a persistent one): Alice's 0x..01 makes her peer id known,
# so Bob and Charlie can name her as bootnode. Never use such keys outside this machine.
node_key() { printf '%064x' "$1"; }
alice_peer="$("$NODE_BIN" key inspect-node-key --file <(node_key 1))"
log "logs and databases in $work"

i=0
for who in alice bob charlie; do
	args=(--chain local "--$who" --base-path "$work/$who" --rpc-port $((9944 + i)) --port $((30333 + i))
		--prometheus-port $((9615 + i)) --no-mdns --listen-addr "/ip4/127.0.0.1/tcp/$((30333 + i))")
	args+=(--node-key "$(node_key $((i + 1)))")
	# The resource endpoint each validator registered at genesis (runtime/src/genesis_config_presets.rs).
	args+=(--resource-listen "127.0.0.1:$((30555 + i))")
	[ "$who" = alice ] || args+=(--bootnodes "/ip4/127.0.0.1/tcp/30333/p2p/$alice_peer")
	"$NODE_BIN" "${args[@]}" >"$work/$who.log" 2>&1 &
	pids+=($!)
	log "$who: pid $!, RPC ws://127.0.0.1:$((9944 + i)), resource endpoint http://127.0.0.1:$((30555 + i)), log $work/$who.log"
	i=$((i + 1))
done
log "local testnet running (Ctrl-C to stop)"
tail -f "$work/alice.log"
