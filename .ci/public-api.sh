#!/usr/bin/env bash
# The crate's public Rust surface, as `cargo doc` shows it, must be the committed
# public-api.txt, so a change to the public API is always a visible diff.
#
#   bash .ci/public-api.sh          check (fails with the diff)
#   bash .ci/public-api.sh --bless  rewrite public-api.txt after a deliberate change
#
# `cargo public-api` would need nightly rustdoc JSON; .ci/public_api.py reads the stable
# HTML instead. Takes a few seconds after the docs step (same flags, so nothing is
# rebuilt).
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --quiet
python3 .ci/public_api.py "$target/doc" > "$target/public-api.txt"
if [ "${1:-}" = --bless ]; then
    cp "$target/public-api.txt" public-api.txt
    echo "public-api.txt updated: review and commit it"
    exit 0
fi
if ! diff -u public-api.txt "$target/public-api.txt"; then
    echo >&2
    echo "The public API changed (- committed public-api.txt, + this tree)." >&2
    echo "If the change is deliberate: bash .ci/public-api.sh --bless, and commit public-api.txt" >&2
    exit 1
fi
echo "public API unchanged ($(grep -c '^[a-z]' public-api.txt) items)"
