#!/usr/bin/env bash
# Sets up, builds and runs every check and test of the project:
#   0. set-up itself, on a fresh Debian root        3. unit, runtime and benchmark tests
#      with only rustup (scripts/check-setup.sh)    4. clippy, warnings denied
#   1. formatting (polkadot-sdk rustfmt style)      5. end-to-end tests against real nodes
#   2. the node build                                  (dev chain, subcommands, 3-validator net)
# Everything builds in one profile (release) with one feature set, so the node the end-to-end
# tests start is the one the unit tests were compiled with.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
"$ROOT/scripts/setup.sh"

log "set-up on a fresh machine (scripts/check-setup.sh)"
"$ROOT/scripts/check-setup.sh"

log "rustfmt ($RUSTFMT_TOOLCHAIN, polkadot-sdk style)"
cargo "+$RUSTFMT_TOOLCHAIN" fmt --all -- --check

build_node

log "cargo test (release, features: $FEATURES)"
cargo test --locked --release --workspace --features "$FEATURES"

log "clippy (warnings denied)"
cargo clippy --locked --release --workspace --all-targets --features "$FEATURES" -- -D warnings

"$ROOT/scripts/e2e.sh"
