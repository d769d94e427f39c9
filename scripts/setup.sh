#!/usr/bin/env bash
# Installs what this project needs on a Debian/Ubuntu machine that has rustup: the C toolchain and
# protoc (Debian packages), the pinned Rust toolchain of rust-toolchain.toml with its components and
# the wasm target, the dated nightly that formats the code, and Node.js for the end-to-end tests.
# Installs exactly what is missing, and prints nothing when nothing is.
#
# Every step here runs in CI on a fresh Debian root with an empty RUSTUP_HOME and CARGO_HOME
# (scripts/check-setup.sh), so a step that the machine's own tools refuse fails CI.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fail() {
	printf 'setup: %s\n' "$*" >&2
	exit 1
}
as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		fail "installing Debian packages needs root: run this as root, or install sudo"
	fi
}

# --- Debian packages: command -> package ------------------------------------------------------
missing=()
# cc and c++ (binaryen, which optimizes the runtime's wasm, is C++), make, and perl (dpkg-dev).
{ command -v cc && command -v c++; } >/dev/null 2>&1 || missing+=(build-essential)
command -v make >/dev/null 2>&1 || missing+=(make)
# The vendored OpenSSL of litep2p's WebRTC runs Configure, which needs more than Debian's perl-base.
perl -MFindBin -MFile::Copy -MGetopt::Std -MFile::Spec::Functions -e1 >/dev/null 2>&1 ||
	missing+=(perl)
command -v protoc >/dev/null 2>&1 || missing+=(protobuf-compiler)
command -v git >/dev/null 2>&1 || missing+=(git)
command -v curl >/dev/null 2>&1 || missing+=(curl)
[ -e /etc/ssl/certs/ca-certificates.crt ] || missing+=(ca-certificates)
if [ "${#missing[@]}" -gt 0 ]; then
	command -v apt-get >/dev/null 2>&1 ||
		fail "missing ${missing[*]}: install them with your system's package manager"
	log "installing Debian packages: ${missing[*]}"
	# `env` inside: sudo drops the caller's environment, and apt must not stop to ask.
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq ||
		fail "apt-get update failed: is the Debian mirror reachable?"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null || fail "apt-get install ${missing[*]} failed"
fi

# --- Rust -----------------------------------------------------------------------------------------
command -v rustup >/dev/null 2>&1 || fail "rustup is needed and not on PATH. Install it with
  curl -sSf https://static.rust-lang.org/rustup/dist/$(uname -m)-unknown-linux-gnu/rustup-init -o ~/rustup-init && chmod +x ~/rustup-init && ~/rustup-init -y --default-toolchain none && rm ~/rustup-init
then open a new shell (or run '. \$HOME/.cargo/env') and run this again."

# True when toolchain $1 is installed with every component in the rest of the arguments (a
# target's standard library is the component rust-std-<target>). Looks only at what is on disk:
# rustup's auto-install would otherwise fetch a missing toolchain here, with its default profile.
has_toolchain() {
	local toolchain="$1" installed item
	shift
	installed="$(RUSTUP_AUTO_INSTALL=0 rustup component list --installed --toolchain "$toolchain" 2>/dev/null)" ||
		return 1
	for item in "$@"; do
		grep -q -e "^$item\$" -e "^$item-" <<<"$installed" || return 1
	done
}

# Explains a failed download: the toolchain server unreachable, or something else.
toolchain_server_check() {
	local server="${RUSTUP_DIST_SERVER:-https://static.rust-lang.org}"
	if ! curl -sSf --max-time 30 -o /dev/null "$server/dist/channel-rust-stable.toml.sha256" 2>/dev/null; then
		fail "cannot reach the Rust toolchain server $server: rustup cannot download $1"
	fi
	fail "rustup failed to install $1 (the toolchain server $server answers; see rustup's output above)"
}

# Installs toolchain $1 with components $2 and targets $3 (comma-separated lists), if any is missing.
ensure_toolchain() {
	local toolchain="$1" components="$2" targets="$3" wanted=()
	local item
	for item in ${components//,/ }; do wanted+=("$item"); done
	for item in ${targets//,/ }; do wanted+=("rust-std-$item"); done
	has_toolchain "$toolchain" "${wanted[@]}" && return 0
	log "installing Rust $toolchain${components:+ with $components}${targets:+, target $targets}"
	local args=(toolchain install "$toolchain" --profile minimal --no-self-update)
	[ -n "$components" ] && args+=(--component "$components")
	[ -n "$targets" ] && args+=(--target "$targets")
	rustup "${args[@]}" || toolchain_server_check "$toolchain"
	has_toolchain "$toolchain" "${wanted[@]}" ||
		fail "rustup reported success, yet $toolchain lacks one of: ${wanted[*]}"
}

ensure_toolchain "$RUST_TOOLCHAIN" "$RUST_COMPONENTS" "$RUST_TARGETS"
ensure_toolchain "$RUSTFMT_TOOLCHAIN" rustfmt ""

# --- Node.js --------------------------------------------------------------------------------------
# 0 when version $1 >= version $2 (both x.y.z).
version_at_least() {
	[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

# Downloads an npm registry tarball and checks it against its pinned sha512 integrity (compared in
# hex, with coreutils alone: a fresh Debian has neither python nor xxd).
fetch_npm_tarball() {
	local url="$1" integrity="$2" out="$3" expected actual
	curl -sSf --retry 3 --max-time 600 -o "$out" "$url" ||
		fail "cannot download $url: is the npm registry reachable?"
	expected="$(printf '%s' "${integrity#sha512-}" | base64 -d | od -An -v -tx1 | tr -d ' \n')"
	actual="$(sha512sum "$out" | cut -d' ' -f1)"
	[ "$actual" = "$expected" ] || fail "$url does not match its pinned sha512 ($actual)"
}

install_node() {
	local arch
	case "$(uname -m)" in
	x86_64) arch=x64 ;;
	*) fail "Node.js $NODE_MIN_VERSION or newer is needed for the end-to-end tests; install it (this script installs it only on x86_64)" ;;
	esac
	log "installing Node.js $NODE_PIN_VERSION and npm $NPM_PIN_VERSION under $NODE_PREFIX"
	local work
	work="$(mktemp -d)"
	# shellcheck disable=SC2064
	trap "rm -rf '$work'" EXIT
	fetch_npm_tarball "https://registry.npmjs.org/node-linux-$arch/-/node-linux-$arch-$NODE_PIN_VERSION.tgz" \
		"$NODE_PIN_INTEGRITY" "$work/node.tgz"
	fetch_npm_tarball "https://registry.npmjs.org/npm/-/npm-$NPM_PIN_VERSION.tgz" \
		"$NPM_PIN_INTEGRITY" "$work/npm.tgz"
	# The official layout (bin/, lib/node_modules/npm), assembled beside the final place and moved
	# there at once, so an interrupted install leaves nothing half-made.
	local stage="$NODE_PREFIX.partial"
	rm -rf "$stage"
	mkdir -p "$stage/lib/node_modules/npm" "$stage/bin"
	tar -xzf "$work/node.tgz" -C "$stage" --strip-components=1 package/bin/node
	tar -xzf "$work/npm.tgz" -C "$stage/lib/node_modules/npm" --strip-components=1
	ln -s ../lib/node_modules/npm/bin/npm-cli.js "$stage/bin/npm"
	ln -s ../lib/node_modules/npm/bin/npx-cli.js "$stage/bin/npx"
	rm -rf "$NODE_PREFIX"
	mv "$stage" "$NODE_PREFIX"
	path_prepend "$NODE_PREFIX/bin"
}

node_version="$(node -p 'process.versions.node' 2>/dev/null || echo 0.0.0)"
if ! version_at_least "$node_version" "$NODE_MIN_VERSION" || ! command -v npm >/dev/null 2>&1; then
	install_node
	node_version="$(node -p 'process.versions.node')"
	[ "$node_version" = "$NODE_PIN_VERSION" ] || fail "installed Node.js $NODE_PIN_VERSION but 'node' runs $node_version"
	npm --version >/dev/null || fail "npm $NPM_PIN_VERSION does not run"
fi
