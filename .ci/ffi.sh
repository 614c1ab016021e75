#!/usr/bin/env bash
# CI for the C ABI (issue 5), called from .ci/run; runs on a clean clone and installs
# what it needs. In order:
#
#   1. the committed header is what cbindgen generates (regenerate, git diff --exit-code);
#   2. release build of libcodecommit_auth.{a,so};
#   3. Rust calling the extern functions (tests/ffi.rs) and the header checks;
#   4. the C and C++ programs, static and shared, under valgrind (release);
#   5. the same programs with AddressSanitizer + UBSan (debug; nm proves the runtimes);
#   6. the README's ways of building examples/c/signed_url.c: the direct static and
#      shared lines, and pkg-config after the manual install; each must print the URL
#      the Rust example prints for the same remote and time.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
target=${CARGO_TARGET_DIR:-target}

step() { printf '\n==> ffi: %s\n' "$*"; }

step "packages: C and C++ compilers, valgrind, pkg-config, binutils"
# shellcheck source=.ci/need-tools.sh
source .ci/need-tools.sh
need_tools cc:gcc c++:g++ valgrind:valgrind pkg-config:pkg-config nm:binutils
cc --version | head -n1
valgrind --version

step "header: regenerate and compare with the committed one"
UPDATE_HEADER=1 cargo test --release --test header
git diff --exit-code -- include/ || {
    echo "include/codecommit_auth.h is stale: run UPDATE_HEADER=1 cargo test --test header" >&2
    exit 1
}

step "release build: $target/release/libcodecommit_auth.{a,so}"
cargo build --release --lib
ls -l "$target/release/libcodecommit_auth.a" "$target/release/libcodecommit_auth.so"

step "Rust calling the C ABI, and the header checks"
cargo test --release --test ffi --test header

step "C and C++ programs under valgrind (release libraries)"
export VALGRIND="valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
--error-exitcode=1 --num-callers=40 --suppressions=$PWD/tests/c/valgrind.supp"
cargo test --release --test c_programs
unset VALGRIND

step "C and C++ programs with AddressSanitizer and UBSan"
CODECOMMIT_C_SANITIZE=1 cargo test --test c_programs

step "examples/c/signed_url.c, built the README's ways"
remote=codecommit://demo@MyRepositoryName
# No instance metadata: nothing here may talk to anything but this machine.
demo=(AWS_CONFIG_FILE=examples/demo/config AWS_SHARED_CREDENTIALS_FILE=examples/demo/credentials
    AWS_EC2_METADATA_DISABLED=true)
expected=$(env "${demo[@]}" cargo run --release --quiet --example signed_url -- \
    --at 20240601T120000 "$remote")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Directly against target/release (README, "Linking directly").
release=$(cd "$target/release" && pwd)
cc -std=c99 -Iinclude examples/c/signed_url.c "$release/libcodecommit_auth.a" \
    -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc -o "$work/static"
cc -std=c99 -Iinclude examples/c/signed_url.c -L"$release" -lcodecommit_auth \
    -Wl,-rpath,"$release" -o "$work/shared"
ln -sf libcodecommit_auth.so "$release/$(readelf -d "$release/libcodecommit_auth.so" |
    sed -n 's/.*(SONAME).*\[\(.*\)\]$/\1/p')"

# With pkg-config after the manual install (README, "Installing").
examples/c/install.sh "$work/prefix"
export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig"
# shellcheck disable=SC2046 # pkg-config's words are meant to split
cc examples/c/signed_url.c $(pkg-config --cflags --libs codecommit_auth) \
    -Wl,-rpath,"$work/prefix/lib" -o "$work/pkgconfig"

for build in static shared pkgconfig; do
    got=$(env "${demo[@]}" "$work/$build" "$remote" 1717243200)
    if [[ "$got" != "$expected" ]]; then
        printf 'examples/c (%s) printed\n  %s\nthe Rust example\n  %s\n' "$build" "$got" "$expected" >&2
        exit 1
    fi
    # A failure is exit status 1, with nothing leaked on the way (valgrind says 99).
    status=0
    env "${demo[@]}" valgrind -q --leak-check=full --error-exitcode=99 --num-callers=40 \
        --suppressions="$PWD/tests/c/valgrind.supp" \
        "$work/$build" codecommit://nobody@Repo 2>/dev/null || status=$?
    if ((status != 1)); then
        echo "examples/c ($build): an unknown profile gave status $status, not 1" >&2
        exit 1
    fi
    echo "examples/c ($build): $got"
done
echo "ffi: all passed"
