#!/bin/sh
# The perf harness (examples/perf.rs): builds the release binary and the harness, puts
# the peer's pinned Node library in place (npm ci, from peer/telnyx-node's lockfile)
# when npm is there, and prints one table of what a user waits for. Not part of CI:
# the figures depend on the machine and on what else it is running.
#
#   scripts/perf.sh                       # every measurement, with the peer
#   scripts/perf.sh --launches 5 --keys 20  # fewer samples, quicker
#   scripts/perf.sh --only inspector        # one measurement: launch, idle, inspector,
#                                           # path (the default path) or peer
#
# It takes about 45 s after the build (`--only` runs one part: the inspector in about 3 s,
# the path in about 27 s). docs/performance.md
# shows its latest output.
set -eu
cd "$(dirname "$0")/.."
cargo build --locked --release --bin telnyx-setup
# The harness itself in the dev profile: its dependencies are the tests' (already
# built), and it only reads a PTY; the binary it measures is the release one.
cargo build --locked --example perf
# Absolute: the harness starts the binary from other directories.
target="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)"
peer=""
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    if [ ! -d peer/telnyx-node/node_modules/telnyx ]; then
        (cd peer/telnyx-node && npm ci --no-audit --no-fund --loglevel=error)
    fi
    peer="--peer peer/telnyx-node"
else
    echo "perf.sh: node and npm are not installed: the side-by-side run with the peer is left out" >&2
fi
# shellcheck disable=SC2086 # $peer is two words or none
exec "$target/debug/examples/perf" "$target/release/telnyx-setup" $peer "$@"
