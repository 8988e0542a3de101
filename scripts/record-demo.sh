#!/bin/sh
# Regenerates the README's recording of the wizard from a real `--demo` run:
# docs/demo.cast (asciinema v2, made by examples/record_demo.rs, which drives the
# binary in a pseudo-terminal through all eight steps) and docs/demo.gif, rendered
# from it with agg (https://github.com/asciinema/agg) when agg is installed.
#
#   scripts/record-demo.sh            # from anywhere in the repository
#
# Run it after a change to any screen, and commit both files.
set -eu
cd "$(dirname "$0")/.."
cargo build --locked --bin telnyx-setup --example record_demo
target="${CARGO_TARGET_DIR:-target}/debug"
"$target/examples/record_demo" "$target/telnyx-setup" docs/demo.cast
if command -v agg >/dev/null 2>&1; then
    # 12 frames a second and idle stretches cut to 2 s keep the GIF small.
    agg --fps-cap 12 --idle-time-limit 2 --last-frame-duration 4 --font-size 14 docs/demo.cast docs/demo.gif
    echo "wrote docs/demo.gif ($(wc -c < docs/demo.gif) bytes)"
else
    echo "agg is not installed: docs/demo.gif was not updated (docs/demo.cast was)." >&2
    echo "Install it with: cargo install --git https://github.com/asciinema/agg" >&2
fi
