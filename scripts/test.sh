#!/usr/bin/env bash
# Sets up, builds and runs every check and test of the project:
#   1. formatting (polkadot-sdk rustfmt style)      4. clippy, warnings denied
#   2. the node build                               5. end-to-end tests against real nodes
#   3. unit, runtime and benchmark tests               (dev chain, subcommands, 3-validator net)
# Everything builds in one profile (release) with one feature set, so the node the end-to-end
# tests start is the one the unit tests were compiled with.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
"$ROOT/scripts/setup.sh"

log "rustfmt (nightly, polkadot-sdk style)"
cargo +nightly fmt --all -- --check

build_node

log "cargo test (release, features: $FEATURES)"
cargo test --locked --release --workspace --features "$FEATURES"

log "clippy (warnings denied)"
cargo clippy --locked --release --workspace --all-targets --features "$FEATURES" -- -D warnings

"$ROOT/scripts/e2e.sh"
