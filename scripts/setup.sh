#!/usr/bin/env bash
# Installs what this project needs on a fresh Debian/Ubuntu machine with rustup: the wasm target
# and rust-src for the runtime, rustfmt from nightly for the polkadot-sdk style, clippy, protoc for
# the networking crates, and Node.js for the end-to-end tests. Idempotent: prints nothing when
# nothing is missing.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# System packages: command -> Debian package.
missing=()
command -v protoc >/dev/null 2>&1 || missing+=(protobuf-compiler)
command -v cc >/dev/null 2>&1 || missing+=(build-essential)
command -v git >/dev/null 2>&1 || missing+=(git)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ "${#missing[@]}" -gt 0 ]; then
	log "installing system packages: ${missing[*]}"
	as_root apt-get update -qq
	DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v rustup >/dev/null 2>&1; then
	log "installing rustup (stable toolchain)"
	curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -q
	export PATH="$HOME/.cargo/bin:$PATH"
fi

installed_targets="$(rustup target list --installed)"
grep -qx wasm32v1-none <<<"$installed_targets" || {
	log "adding rust target wasm32v1-none"
	rustup target add wasm32v1-none -q
}
installed_components="$(rustup component list --installed)"
for component in rust-src clippy rustfmt; do
	grep -q "^$component" <<<"$installed_components" || {
		log "adding rust component $component"
		rustup component add "$component" -q
	}
done
# polkadot-sdk's rustfmt options (import granularity, comment wrapping) are nightly-only.
if ! rustup run nightly rustfmt --version >/dev/null 2>&1; then
	log "installing nightly rustfmt"
	rustup toolchain install nightly --profile minimal --component rustfmt -q
fi

# Node.js 18 or newer for `node --test` and @polkadot/api.
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 18 ]; then
	echo "Node.js $node_major is too old for the end-to-end tests: install Node.js 18 or newer." >&2
	exit 1
fi
