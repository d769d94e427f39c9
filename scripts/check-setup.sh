#!/usr/bin/env bash
# Proves scripts/setup.sh on a fresh machine, so that no set-up step goes unexercised: builds a
# minimal Debian bookworm root (debootstrap, signatures checked, with ca-certificates, sudo and gcc
# but no g++), gives it a user with passwordless sudo whose home holds a fresh rustup install made
# from a copy of this machine's rustup binary (an empty RUSTUP_HOME and CARGO_HOME, no toolchain),
# copies the work tree in, and runs scripts/setup.sh there as that user, the way a newcomer would.
# It passes only if:
# - setup ends with the pinned toolchain, its wasm target, rust-src and clippy, the dated nightly's
#   rustfmt, a C and C++ toolchain, perl and protoc, and Node.js and npm recent enough;
# - a second run of setup prints nothing;
# - after the wasm target and the pinned Node.js are removed, setup puts back those two and nothing
#   else (it installs exactly what is missing);
# - `npm ci` installs the e2e dependencies, and `node --test` loads them.
# rustup's auto-install is off in there, so a step setup forgot cannot be made up for by rustup, and
# the user loses sudo before any npm code runs. An unreachable toolchain server, Debian mirror or
# npm registry fails it, with setup's message.
#
# Runs as root (debootstrap, chroot; it asks sudo otherwise). Both steps run in their own mount and
# PID namespaces, so the mounts and processes they make die with them, also on Ctrl-C or kill; the
# root is deleted at the end, and the machine's own toolchain is never touched. Costs about 80 s and
# 0.6 GB of downloads. scripts/test.sh runs it first; alone: `scripts/check-setup.sh`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SUITE="${SETUP_CHECK_SUITE:-bookworm}"
MIRROR="${SETUP_CHECK_MIRROR:-http://deb.debian.org/debian}"
# What of the machine goes into the fresh root: its resolver and CA bundle (below), and these
# variables, which point programs at that bundle, a proxy or a toolchain mirror. They belong to the
# machine, not to the project (this workplace's egress re-signs TLS with its own CA).
MACHINE_VARS=(RUSTUP_DIST_SERVER RUSTUP_UPDATE_ROOT SSL_CERT_FILE SSL_CERT_DIR CURL_CA_BUNDLE
	NODE_EXTRA_CA_CERTS GIT_SSL_CAINFO http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY)

log() { printf '==> %s\n' "$*" >&2; }
fail() {
	printf 'check-setup: %s\n' "$*" >&2
	exit 1
}

rustup_bin="${SETUP_CHECK_RUSTUP:-$(command -v rustup || true)}"
[ -n "$rustup_bin" ] || fail "no rustup on PATH to copy into the fresh root"
rustup_bin="$(readlink -f "$rustup_bin")"
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null 2>&1 || fail "needs root (debootstrap, chroot), and there is no sudo"
	keep="$(printf '%s,' "${MACHINE_VARS[@]}" SETUP_CHECK_SUITE SETUP_CHECK_MIRROR)"
	exec sudo --preserve-env="${keep%,}" SETUP_CHECK_RUSTUP="$rustup_bin" "$0" "$@"
fi
for tool in unshare chroot timeout git tar; do
	command -v "$tool" >/dev/null 2>&1 || fail "needs $tool"
done
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
if ! command -v debootstrap >/dev/null 2>&1 || [ ! -e "$KEYRING" ]; then
	log "installing debootstrap and Debian's archive keyring (for the fresh Debian root)"
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		debootstrap debian-archive-keyring; } >/dev/null || fail "cannot install debootstrap"
fi

# Not /tmp, which is a RAM-backed tmpfs on some hosts: the root grows to about 2 GB.
work="$(mktemp -d -p /var/tmp proof-of-sync-setup-check.XXXXXX)"
root="$work/root"
child=""
cleanup() {
	if [ -n "$child" ]; then
		kill "$child" 2>/dev/null || true
		wait "$child" 2>/dev/null || true
	fi
	# --one-file-system: never follow a mount out of the root, should one outlive its namespace.
	rm -rf --one-file-system "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs "$@" (after a time limit in seconds, $1) in new mount and PID namespaces, in the background
# so that a signal to this script reaches the trap at once: killing `timeout` ends `unshare`, whose
# child (PID 1 of the namespace, and with it every process in there) --kill-child then ends.
in_namespaces() {
	local limit="$1" rc=0
	shift
	timeout --kill-after=30 "$limit" unshare --mount --pid --fork --kill-child "$@" &
	child=$!
	wait "$child" || rc=$?
	child=""
	return "$rc"
}

# Bytes received by every network interface but loopback.
received() { awk 'NR > 2 { sub(/:/, " "); if ($1 != "lo") sum += $2 } END { printf "%.0f\n", sum }' /proc/net/dev; }

started=$SECONDS
bytes_at_start=$(received)
log "fresh Debian $SUITE root in $root (debootstrap)"
# gcc but no g++: a state machines are often in, which setup must notice.
if ! in_namespaces 900 debootstrap --variant=minbase --force-check-gpg --keyring="$KEYRING" \
	--include=ca-certificates,sudo,gcc "$SUITE" "$root" "$MIRROR" >"$work/debootstrap.log" 2>&1; then
	tail -n 30 "$work/debootstrap.log" >&2
	fail "debootstrap $SUITE from $MIRROR failed (log above)"
fi
rootfs_seconds=$((SECONDS - started))

cat /etc/resolv.conf >"$root/etc/resolv.conf"
printf '127.0.1.1\t%s\n' "$(hostname)" >>"$root/etc/hosts" # a machine resolves its own name
cat /etc/ssl/certs/ca-certificates.crt >"$root/etc/ssl/certs/ca-certificates.crt"
machine_env=()
for var in "${MACHINE_VARS[@]}"; do
	if [ -n "${!var:-}" ]; then machine_env+=("$var=${!var}"); fi
done

# The newcomer: a user with passwordless sudo, as on a cloud image, and this machine's rustup.
chroot "$root" useradd --create-home --shell /bin/bash newcomer
echo 'newcomer ALL=(ALL) NOPASSWD: ALL' >"$root/etc/sudoers.d/newcomer"
chmod 0440 "$root/etc/sudoers.d/newcomer"
install -m 0755 "$rustup_bin" "$root/tmp/rustup-init"
# The work tree as it is: tracked files and new ones that are not ignored.
mkdir "$root/src"
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' f; do if [ -e "$f" ]; then printf '%s\0' "$f"; fi; done |
	tar --null -T - -cf -) | tar -xf - -C "$root/src"
newcomer_uid="$(chroot "$root" id -u newcomer)"
newcomer_gid="$(chroot "$root" id -g newcomer)"
newcomer_ids="$newcomer_uid:$newcomer_gid"
chown -R "$newcomer_ids" "$root/src"

{
	declare -f received
	cat <<'SCRIPT'
set -euo pipefail
fail() { echo "check-setup: $*" >&2; exit 1; }
# A fresh rustup install, the way rustup-init lays it out: rustup and its proxies in ~/.cargo/bin,
# ~/.cargo/env sourced from the login profile, no toolchain.
/tmp/rustup-init -y --default-toolchain none >/dev/null
set +u # the login profile rustup-init extended is not written for `set -u`
. "$HOME/.profile"
set -u
[ "$(rustup toolchain list)" = "no installed toolchains" ] || fail "the fresh install has a toolchain"
echo "$(rustup --version 2>/dev/null), no toolchain; $(id -un) with sudo"
cd /src

# received(), defined above the script (the chroot shares the machine's network).
start=$SECONDS
bytes=$(received)
scripts/setup.sh
echo "setup took $((SECONDS - start)) s and received $((($(received) - bytes) / 1000000)) MB"

. scripts/lib.sh
again="$(scripts/setup.sh 2>&1)" || fail "a second run of setup.sh failed: $again"
[ -z "$again" ] || fail "a second run of setup.sh is not quiet: $again"
# Set-up is done with root: nothing that runs from here on (npm, Node.js) may use sudo.
sudo rm /etc/sudoers.d/newcomer
if sudo -n true 2>/dev/null; then fail "the newcomer still has sudo"; fi

# Exactly what is missing: a machine that lost one target and its Node.js gets back those two.
rustup target remove --toolchain "$RUST_TOOLCHAIN" wasm32v1-none 2>/dev/null
rm -rf "$NODE_PREFIX"
repair="$(scripts/setup.sh 2>&1)" || fail "setup.sh failed to repair a machine: $repair"
expected="==> installing Rust $RUST_TOOLCHAIN with $RUST_COMPONENTS, target wasm32v1-none
==> installing Node.js $NODE_PIN_VERSION and npm $NPM_PIN_VERSION under $NODE_PREFIX"
[ "$(grep '^==> ' <<<"$repair")" = "$expected" ] || fail "repairing, setup.sh did other than
$expected
namely:
$repair"
echo "setup repaired a removed wasm target and Node.js, and nothing else"

has_components() {
	local installed want
	installed="$(rustup component list --installed --toolchain "$1")" || fail "no toolchain $1"
	shift
	for want in "$@"; do
		grep -q -e "^$want\$" -e "^$want-" <<<"$installed" || fail "toolchain lacks $want"
	done
}
has_components "$RUST_TOOLCHAIN" rustc cargo rust-src clippy rust-std-wasm32v1-none
has_components "$RUSTFMT_TOOLCHAIN" rustfmt
rustc --version | grep -q "^rustc $RUST_TOOLCHAIN " || fail "rustc is $(rustc --version), not $RUST_TOOLCHAIN"
printf '#![no_std]\npub fn probe(x: u32) -> u32 { x.wrapping_mul(3) }\n' >/tmp/probe.rs
rustc --edition 2021 --crate-type lib --target wasm32v1-none -O -o /tmp/probe.rlib /tmp/probe.rs ||
	fail "rustc cannot build for wasm32v1-none"
cargo clippy --version >/dev/null || fail "no clippy"
cargo "+$RUSTFMT_TOOLCHAIN" fmt --version >/dev/null || fail "no rustfmt on $RUSTFMT_TOOLCHAIN"
for tool in cc c++ make protoc git curl; do
	command -v "$tool" >/dev/null || fail "no $tool"
done
perl -MFindBin -MFile::Copy -MGetopt::Std -MFile::Spec::Functions -e1 ||
	fail "perl lacks the modules OpenSSL's Configure uses"
printf '%s\n%s\n' "$NODE_MIN_VERSION" "$(node -p process.versions.node)" | sort -V -C ||
	fail "node $(node -p process.versions.node) is older than $NODE_MIN_VERSION"

start=$SECONDS
bytes=$(received)
install_e2e_deps
echo "npm ci took $((SECONDS - start)) s and received $((($(received) - bytes) / 1000000)) MB"
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
} >"$root/tmp/newcomer.sh"

log "running scripts/setup.sh in it, as a newcomer with only rustup would"
# shellcheck disable=SC2016
if ! in_namespaces 1800 --mount-proc="$root/proc" /bin/bash -c '
	set -e
	root="$1"
	mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts"
	exec chroot --userspec="$2" "$root" "${@:3}"' _ "$root" "$newcomer_ids" \
	/usr/bin/env -i HOME=/home/newcomer USER=newcomer LOGNAME=newcomer TERM=dumb LANG=C.UTF-8 \
	PATH=/usr/local/bin:/usr/bin:/bin RUSTUP_AUTO_INSTALL=0 "${machine_env[@]}" \
	/bin/bash /tmp/newcomer.sh >"$work/newcomer.log" 2>&1; then
	cat "$work/newcomer.log" >&2
	fail "scripts/setup.sh does not set up a fresh machine (its output above)"
fi
sed 's/^/    /' "$work/newcomer.log" | grep -v -e '^    info: ' -e '^ *$' >&2 || true
log "set-up proven on a fresh $SUITE root: root in ${rootfs_seconds} s, all in $((SECONDS - started)) s, $((($(received) - bytes_at_start) / 1000000)) MB received"
