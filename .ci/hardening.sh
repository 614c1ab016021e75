#!/usr/bin/env bash
# Hardening checks (issue 7), separate from .ci/run because they install their own
# tools and take minutes:
#
#   1. every fuzz target of fuzz/ for FUZZ_SECONDS (default 60) from seed corpora made
#      by fuzz/seeds.py, with libFuzzer's seed FUZZ_SEED (default 1, so a CI finding
#      reproduces locally); any crash, hang (-timeout) or memory blow-up (-rss_limit_mb)
#      fails the script and leaves the input under fuzz/artifacts/TARGET/;
#   2. cargo deny: licenses, bans and sources (deny.toml), and RustSec advisories for
#      the crate and the fuzz workspace — skipped with a message when the advisory
#      database can be neither fetched nor found on disk (this machine's network reaches
#      only the package registries);
#   3. the parser, remote-grammar and signer unit tests under AddressSanitizer.
#
# Stable toolchain only (1.95; no other can be fetched here). cargo fuzz and
# -Zsanitizer=address are nightly features; RUSTC_BOOTSTRAP=1 unlocks them on stable.
# The std library is not rebuilt (-Zbuild-std needs the rust-src component, which
# cannot be fetched), so ASan instruments our code and our dependencies, not std;
# -Cunsafe-allow-abi-mismatch=sanitizer accepts the uninstrumented std. Miri is not
# available: it is a nightly-only component, and no nightly can be installed here.
#
# Times on this machine (2 cores), measured from a fresh clone with the tools already
# installed and FUZZ_SECONDS=45: 795 s in all — the cold fuzz build and the ASan test
# build side by side ~7 min, 8 x 46 s of fuzzing, deny and the ASan tests seconds.
# Installing cargo-fuzz and cargo-deny, when absent, adds ~10-15 min once.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
export AWS_EC2_METADATA_DISABLED=true
FUZZ_SECONDS="${FUZZ_SECONDS:-60}"
CARGO_FUZZ_VERSION=0.13.2
CARGO_DENY_VERSION=0.20.2
TARGETS=(config remote sso_token cli_cache process sts_xml timestamp ffi)

step() { printf '\n==> %s\n' "$*"; }

step "tools"
have() { "$1" --version 2>/dev/null | grep -q "$2"; }
have cargo-fuzz "$CARGO_FUZZ_VERSION" || cargo install --locked "cargo-fuzz@$CARGO_FUZZ_VERSION"
have cargo-deny "$CARGO_DENY_VERSION" || cargo install --locked "cargo-deny@$CARGO_DENY_VERSION"
cargo fuzz --version
cargo deny --version

# The ASan unit-test build runs on the second core while the first one fuzzes.
asan_env=(RUSTC_BOOTSTRAP=1
          RUSTFLAGS="-Zsanitizer=address -Cunsafe-allow-abi-mismatch=sanitizer"
          ASAN_OPTIONS="detect_leaks=1"
          LSAN_OPTIONS="suppressions=$PWD/.ci/lsan.supp")
asan_test=(cargo test --lib --target x86_64-unknown-linux-gnu --target-dir target/asan)
mkdir -p target
env "${asan_env[@]}" "${asan_test[@]}" --no-run >target/asan-build.log 2>&1 &
asan_build=$!
trap 'kill "$asan_build" 2>/dev/null || true' EXIT

step "fuzz: build (ASan, libFuzzer)"
export RUSTC_BOOTSTRAP=1
(cd fuzz && cargo fuzz build)

step "fuzz: seed corpora from the conformance data and the oracle vectors"
python3 fuzz/seeds.py

failed=()
for target in "${TARGETS[@]}"; do
    step "fuzz: $target for ${FUZZ_SECONDS}s"
    log="fuzz/artifacts/$target.log"
    mkdir -p "fuzz/artifacts/$target"
    if (cd fuzz && cargo fuzz run "$target" -- \
            -max_total_time="$FUZZ_SECONDS" -seed="${FUZZ_SEED:-1}" -timeout=10 -rss_limit_mb=2048 \
            -max_len=65536 -print_final_stats=1) >"$log" 2>&1; then
        grep -a -E '^stat::number_of_executed_units|^Done' "$log" | tail -2 || true
    else
        failed+=("$target")
        tail -n 40 "$log"
        ls fuzz/artifacts/"$target"/ || true
    fi
done
unset RUSTC_BOOTSTRAP
if ((${#failed[@]})); then
    echo "fuzz targets failed: ${failed[*]} (inputs under fuzz/artifacts/)" >&2
    exit 1
fi

step "cargo deny: licenses, bans, sources"
cargo deny check licenses bans sources

step "cargo deny: RustSec advisories"
# A database already on disk (~/.cargo/advisory-dbs) is used as it is; otherwise one is
# fetched. Only a database that cannot be had skips the check: advisories found fail it.
if compgen -G "${CARGO_HOME:-$HOME/.cargo}/advisory-dbs/*/crates" >/dev/null ||
        cargo deny fetch db >/dev/null 2>&1; then
    cargo deny --offline check advisories
    (cd fuzz && cargo deny --offline check advisories)
else
    echo "SKIPPED: the RustSec advisory database can be neither fetched nor found on disk"
    echo "         (this machine reaches only package registries). Run"
    echo "         'cargo deny check advisories' where github.com is reachable, or put a"
    echo "         clone of rustsec/advisory-db under ~/.cargo/advisory-dbs/."
fi

step "AddressSanitizer: parser, remote grammar and signer unit tests"
if ! wait "$asan_build"; then
    cat target/asan-build.log
    exit 1
fi
env "${asan_env[@]}" "${asan_test[@]}" -- \
    config:: remote:: sign:: credentials::timestamp credentials::xml credentials::process \
    credentials::pyjson

step "hardening: all passed"
