#!/usr/bin/env bash
# Proves scripts/setup.sh on a fresh machine, so that no set-up step goes unexercised: builds a
# minimal Debian bookworm root (debootstrap, with ca-certificates), lays out a fresh rustup install
# in it from a copy of this machine's rustup binary (an empty RUSTUP_HOME and CARGO_HOME, no
# toolchain), copies the work tree in, and runs scripts/setup.sh there as a newcomer would. It
# passes only if setup ends with the pinned toolchain, its wasm target, rust-src and clippy, the
# dated nightly's rustfmt, protoc and a C toolchain, Node.js and npm recent enough, and the e2e
# dependencies installed by `npm ci` and loadable; and if a second run of setup prints nothing.
# An unreachable toolchain server, Debian mirror or npm registry fails it, with setup's message.
#
# Runs as root (debootstrap, chroot), in its own mount and PID namespaces: the mounts and processes
# it makes die with it, and the machine's own toolchain is never touched. Costs about a minute of
# downloads. scripts/test.sh runs it first; alone: `scripts/check-setup.sh`.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SUITE="${SETUP_CHECK_SUITE:-bookworm}"
MIRROR="${SETUP_CHECK_MIRROR:-http://deb.debian.org/debian}"

fail() {
	printf 'check-setup: %s\n' "$*" >&2
	exit 1
}
[ "$(id -u)" -eq 0 ] || exec sudo -E "$0" "$@"
for tool in unshare chroot git; do
	command -v "$tool" >/dev/null 2>&1 || fail "needs $tool"
done
if ! command -v debootstrap >/dev/null 2>&1; then
	log "installing debootstrap (for the fresh Debian root)"
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null ||
		fail "cannot install debootstrap"
fi
rustup_bin="$(command -v rustup || true)"
[ -n "$rustup_bin" ] || fail "no rustup on PATH to copy into the fresh root"
rustup_bin="$(readlink -f "$rustup_bin")"

work="$(mktemp -d -t pos-setup-check.XXXXXX)"
# --one-file-system: never follow a mount out of the root, should one outlive its namespace.
trap 'rm -rf --one-file-system "$work"' EXIT
root="$work/root"
started=$SECONDS

log "fresh Debian $SUITE root in $root (debootstrap)"
if ! debootstrap --variant=minbase --include=ca-certificates "$SUITE" "$root" "$MIRROR" \
	>"$work/debootstrap.log" 2>&1; then
	tail -n 30 "$work/debootstrap.log" >&2
	fail "debootstrap $SUITE from $MIRROR failed (log above)"
fi
# The machine's network, which is the machine's and not the project's: its resolver, and its CA
# bundle and the variables that point programs at it (this workplace's egress re-signs TLS).
cat /etc/resolv.conf >"$root/etc/resolv.conf"
cat /etc/ssl/certs/ca-certificates.crt >"$root/etc/ssl/certs/ca-certificates.crt"
machine_env=()
for var in RUSTUP_DIST_SERVER RUSTUP_UPDATE_ROOT SSL_CERT_FILE SSL_CERT_DIR CURL_CA_BUNDLE NODE_EXTRA_CA_CERTS GIT_SSL_CAINFO \
	http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
	[ -n "${!var:-}" ] && machine_env+=("$var=${!var}")
done
rootfs_seconds=$((SECONDS - started))

# A fresh rustup install, the way rustup-init lays it out (rustup and its proxies in ~/.cargo/bin,
# ~/.cargo/env sourced from the shell profile, no toolchain), from this machine's rustup binary.
cp "$rustup_bin" "$root/tmp/rustup-init"
# The work tree as it is: tracked files and new ones that are not ignored.
mkdir "$root/src"
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
	tar --null -T - -cf -) | tar -xf - -C "$root/src"

cat >"$root/tmp/newcomer.sh" <<'SCRIPT'
set -euo pipefail
/tmp/rustup-init -y --default-toolchain none >/dev/null
set +u # the login profile rustup-init extended is not written for `set -u`
. "$HOME/.profile"
set -u
# Outside the work tree: there, rustup would install the toolchain file's toolchain on first use.
echo "$(rustup --version 2>/dev/null), toolchains: $(rustup toolchain list)"
cd /src

start=$SECONDS
scripts/setup.sh
echo "setup took $((SECONDS - start)) s"

fail() { echo "check-setup: $*" >&2; exit 1; }
. scripts/lib.sh
again="$(scripts/setup.sh 2>&1)" || fail "a second run of setup.sh failed: $again"
[ -z "$again" ] || fail "a second run of setup.sh is not quiet: $again"

rustup toolchain list | grep -q "^$RUST_TOOLCHAIN-" || fail "no $RUST_TOOLCHAIN toolchain"
rustc --version | grep -q "^rustc $RUST_TOOLCHAIN " || fail "rustc is $(rustc --version), not $RUST_TOOLCHAIN"
installed="$(rustup component list --installed --toolchain "$RUST_TOOLCHAIN")"
for want in rust-src clippy rust-std-wasm32v1-none; do
	grep -q -e "^$want\$" -e "^$want-" <<<"$installed" || fail "$RUST_TOOLCHAIN lacks $want"
done
printf '#![no_std]\npub fn probe(x: u32) -> u32 { x.wrapping_mul(3) }\n' >/tmp/probe.rs
rustc --edition 2021 --crate-type lib --target wasm32v1-none -O -o /tmp/probe.rlib /tmp/probe.rs ||
	fail "rustc cannot build for wasm32v1-none"
cargo clippy --version >/dev/null || fail "no clippy"
cargo "+$RUSTFMT_TOOLCHAIN" fmt --version >/dev/null || fail "no rustfmt on $RUSTFMT_TOOLCHAIN"
for tool in cc c++ make perl protoc git curl; do
	command -v "$tool" >/dev/null || fail "no $tool"
done
node -e "process.exit(require('util').isDeepStrictEqual([1], [1]) ? 0 : 1)" || fail "node does not run"
printf '%s\n%s\n' "$NODE_MIN_VERSION" "$(node -p process.versions.node)" | sort -V -C ||
	fail "node $(node -p process.versions.node) is older than $NODE_MIN_VERSION"

start=$SECONDS
install_e2e_deps
echo "npm ci took $((SECONDS - start)) s"
# The e2e tests' runner and flags, and their libraries, loading under this Node.js.
mkdir -p e2e/.tmp
cat >e2e/.tmp/setup-check.test.mjs <<'JS'
import test from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import '@polkadot/api';

test('the e2e libraries load and derive a dev account', async () => {
	await cryptoWaitReady();
	const alice = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Alice');
	assert.equal(alice.address, '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY');
});
JS
(cd e2e && node --test --test-concurrency=1 .tmp/setup-check.test.mjs >/dev/null) ||
	fail "node --test cannot run an e2e test file"
echo "toolchains: $(rustup toolchain list | tr '\n' ' ')"
echo "node $(node -p process.versions.node), npm $(npm --version), $(protoc --version)"
SCRIPT

log "running scripts/setup.sh in it, as a newcomer with only rustup would"
# shellcheck disable=SC2016
if ! timeout 1800 unshare --mount --pid --fork --mount-proc="$root/proc" /bin/bash -c '
	root="$1"
	shift
	mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts"
	exec chroot "$root" "$@"' _ "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "${machine_env[@]}" \
	/bin/bash /tmp/newcomer.sh >"$work/newcomer.log" 2>&1; then
	cat "$work/newcomer.log" >&2
	fail "scripts/setup.sh does not set up a fresh machine (its output above)"
fi
sed 's/^/    /' "$work/newcomer.log" | grep -v -e '^    info: ' -e '^ *$' >&2 || true
log "set-up proven on a fresh $SUITE root: root in ${rootfs_seconds} s, all in $((SECONDS - started)) s"
