# Shared settings of the project's scripts. Source it; do not run it.
#
# One target directory outside the work tree, kept between runs and shared by every script and CI,
# and one feature set for everything the scripts build, so the node, the tests and the benchmarks
# come out of a single compile.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/proof-of-sync-target}"
# Without this hint the wasm builder cannot find Cargo.lock (the target directory is outside the
# workspace) and resolves the runtime's dependencies on its own: the wasm would drift.
export WASM_BUILD_WORKSPACE_HINT="$ROOT"
# Every build of the scripts uses these features (runtime benchmarks compiled in, so
# `destra-node benchmark pallet` works with the same binary).
FEATURES="runtime-benchmarks"
NODE_BIN="$CARGO_TARGET_DIR/release/destra-node"

# Rustup and cargo installed for root or the user live here; make sure they are on PATH.
if [ -d "$HOME/.cargo/bin" ]; then
	case ":$PATH:" in *":$HOME/.cargo/bin:"*) ;; *) export PATH="$HOME/.cargo/bin:$PATH" ;; esac
fi

log() { printf '==> %s\n' "$*" >&2; }

# Builds the node (and with it the runtime and its wasm) with the project's feature set.
build_node() {
	log "building destra-node (release, features: $FEATURES)"
	cargo build --locked --release -p destra-node --features "$FEATURES" --manifest-path "$ROOT/Cargo.toml"
}
