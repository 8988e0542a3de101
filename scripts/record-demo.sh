#!/bin/sh
# Regenerates the README's recording of the wizard from a real `--demo` run:
# assets/demo.cast (asciinema v2, made by examples/record_demo.rs, which drives the
# binary in a pseudo-terminal through all eight steps) and assets/demo.svg, an animated
# SVG rendered from it by npm's svg-term-cli (pinned by scripts/svg-term's lockfile;
# GitHub shows an animated SVG in a README as it shows a GIF).
#
#   scripts/record-demo.sh            # from anywhere in the repository
#
# Run it after a change to any screen, and commit both files. Needs Node.js and npm.
set -eu
cd "$(dirname "$0")/.."
cargo build --locked --bin telnyx-setup --example record_demo
target="${CARGO_TARGET_DIR:-target}/debug"
"$target/examples/record_demo" "$target/telnyx-setup" assets/demo.cast
(cd scripts/svg-term && npm ci --no-audit --no-fund --loglevel=error)
# The window frame says it is a terminal; no cursor, since the wizard hides its own.
scripts/svg-term/node_modules/.bin/svg-term --in assets/demo.cast --out assets/demo.svg --window --no-cursor
echo "wrote assets/demo.svg ($(wc -c < assets/demo.svg) bytes)"
