#!/usr/bin/env bash
# The packages, each tested the way a user meets it (issue 17); called from .ci/run after
# .ci/git.sh (it needs that git) and .ci/ffi.sh. Installs what it needs. In order:
#
#   1. the crate: CHANGELOG.md has an entry for Cargo.toml's version; what
#      `cargo package` puts in (listed, with the .crate's size); `cargo publish
#      --dry-run`, which builds the packaged crate on its own;
#   2. one release build of the library and the programs, which both packages take;
#   3. the Python wheel (maturin, bindings = "bin"): built, its manylinux tag checked,
#      `pip install`ed into a fresh virtual environment, and the git end-to-end tests
#      (tests/git_e2e.rs, real git against the loopback CodeCommit stand-in: clone, fetch,
#      push through codecommit:// and the credential helper) run against that
#      environment's bin/;
#   4. the Debian package (packaging/deb/build.sh): lintian with every remaining tag
#      justified (packaging/deb/lintian-overrides), then extracted with `dpkg-deb -x`
#      into a scratch root, never installed: its file list, the SONAME and its links,
#      the man pages, the git end-to-end tests against its /usr/bin, and the README's C
#      example built against its header and .pc with pkg-config (shared and static) and
#      run.
#
# Time: 3 minutes on the 2-vCPU machine, after the steps before it in .ci/run (their
# debug and release builds are reused): lintian 75 s (it reads every member of the
# static library), the two runs of the git tests 20 s and 10 s, the C builds and the
# Rust example 20 s, maturin 20 s, cargo publish --dry-run 10 s (the packaged crate
# alone; its dependencies are the ones `cargo test` built), pip install maturin 13 s.
# A fresh machine adds the apt installs (lintian and its Perl dependencies).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
target=${CARGO_TARGET_DIR:-target}
target=$(mkdir -p "$target" && cd "$target" && pwd)

step() { printf "\n==> package: %s (at %ss)\n" "$*" "$SECONDS"; }
fail() {
    echo "package: $*" >&2
    exit 1
}

step "tools: dpkg-dev, help2man, lintian, pkg-config, a C compiler, binutils; maturin"
# shellcheck source=.ci/need-tools.sh
source .ci/need-tools.sh
need_tools dpkg-shlibdeps:dpkg-dev help2man:help2man lintian:lintian pkg-config:pkg-config \
    cc:gcc readelf:binutils
# maturin from PyPI in its own environment, pinned so the wheel is built the same way
# each time (pyproject.toml accepts any 1.x from 1.9 for people building it themselves).
maturin_venv="$target/maturin-venv"
if ! "$maturin_venv/bin/maturin" --version 2>/dev/null | grep -qx 'maturin 1.16.0'; then
    python3 -m venv "$maturin_venv"
    "$maturin_venv/bin/pip" install --quiet --disable-pip-version-check 'maturin==1.16.0'
fi
"$maturin_venv/bin/maturin" --version

version=$(cargo metadata --format-version 1 --no-deps --locked |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["packages"][0]["version"])')
echo "version $version (Cargo.toml)"

step "crate: changelog, contents, cargo publish --dry-run"
grep -q "^## \[$version\] - [0-9]\{4\}-[0-9]\{2\}-[0-9]\{2\}$" CHANGELOG.md ||
    fail "CHANGELOG.md has no '## [$version] - YYYY-MM-DD' entry"
files=$(cargo package --list --locked)
echo "$files"
# Everything a build needs, and none of what it does not.
for needed in build.rs cbindgen.toml include/codecommit_auth.h src/lib.rs src/ffi/mod.rs \
    LICENSE CHANGELOG.md README.md Cargo.lock; do
    grep -qx "$needed" <<<"$files" || fail "the crate lacks $needed"
done
if grep -E '^(tests|fuzz|benches|\.ci|packaging)/|^pyproject\.toml$' <<<"$files"; then
    fail "the crate holds the files above, which no build from crates.io needs"
fi
# Its "ignoring test/benchmark … not included" warnings are the include list at work.
cargo publish --dry-run --locked
crate=$(find "$target/package" -maxdepth 2 -name "codecommit-auth-$version.crate" | head -n1)
[[ -n "$crate" ]] || fail "cargo publish --dry-run left no codecommit-auth-$version.crate"
echo "$(basename "$crate"): $(du -k "$crate" | cut -f1) KiB compressed," \
    "$(tar tzvf "$crate" | awk '{s += $3} END {printf "%d KiB", s / 1024}') in $(wc -l <<<"$files") files"

step "release build: the library and the programs, once for both packages"
cargo build --release --locked --lib --bins

# The git end-to-end tests against the programs in $1 instead of cargo's (first on PATH,
# as an install puts them). Among them, `help_and_version` of each program checks that
# --version prints Cargo.toml's version: the package holds this build.
e2e_against() {
    [[ -x "$1/git-remote-codecommit" && -x "$1/git-credential-codecommit" && -x "$1/codecommit-auth" ]] ||
        fail "$1 lacks git-remote-codecommit, git-credential-codecommit or codecommit-auth"
    CODECOMMIT_E2E_BIN_DIR="$1" CODECOMMIT_E2E_REQUIRE_GIT=1 cargo test --locked --test git_e2e
}

step "wheel: maturin build, pip install into a fresh virtual environment"
rm -rf "$target/wheels"
# --compatibility makes maturin check the programs' glibc symbol versions against the
# tag (its auditwheel check): building on a newer glibc that raises the floor fails
# here instead of publishing a wheel that does not run where its tag says it does.
"$maturin_venv/bin/maturin" build --release --locked --compatibility manylinux_2_34 \
    --out "$target/wheels"
wheel=$(echo "$target/wheels/codecommit_auth-$version-py3-none-manylinux_2_34_"*.whl)
[[ -f "$wheel" ]] || fail "no codecommit_auth-$version-py3-none-manylinux_2_34_* wheel in $target/wheels"
ls -l "$wheel"
wheel_venv="$target/wheel-venv"
python3 -m venv --clear "$wheel_venv"
"$wheel_venv/bin/pip" install --quiet --disable-pip-version-check --no-index "$wheel"

step "wheel: the git end-to-end tests through the virtual environment's programs"
e2e_against "$wheel_venv/bin"

step "deb: build, lintian"
deb=$(packaging/deb/build.sh | tail -n1)
ls -l "$deb"
dpkg-deb --info "$deb"
# Every tag, down to pedantic ones, fails unless packaging/deb/lintian-overrides gives
# its reason.
lintian --pedantic --display-info --fail-on error,warning,info,pedantic "$deb"

step "deb: extracted into a scratch root, nothing installed"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/root"
dpkg-deb -x "$deb" "$root"
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
libdir="$root/usr/lib/$multiarch"
for path in usr/bin/git-remote-codecommit usr/bin/git-credential-codecommit usr/bin/codecommit-auth \
    "usr/lib/$multiarch/libcodecommit_auth.so.$version" "usr/lib/$multiarch/libcodecommit_auth.a" \
    "usr/lib/$multiarch/pkgconfig/codecommit_auth.pc" usr/include/codecommit_auth.h \
    usr/share/man/man1/git-remote-codecommit.1.gz usr/share/man/man1/git-credential-codecommit.1.gz \
    usr/share/man/man1/codecommit-auth.1.gz \
    usr/share/doc/codecommit-auth/copyright; do
    [[ -f "$root/$path" ]] || fail "the package has no /$path"
done
soname=$(readelf -d "$libdir/libcodecommit_auth.so.$version" | sed -n 's/.*(SONAME).*\[\(.*\)\]$/\1/p')
[[ -n "$soname" ]] || fail "libcodecommit_auth.so.$version has no SONAME"
[[ "$(readlink "$libdir/$soname")" == "libcodecommit_auth.so.$version" ]] ||
    fail "/usr/lib/$multiarch/$soname is not a link to libcodecommit_auth.so.$version"
[[ "$(readlink "$libdir/libcodecommit_auth.so")" == "$soname" ]] ||
    fail "/usr/lib/$multiarch/libcodecommit_auth.so is not a link to $soname"
echo "SONAME $soname, with its links"
# The man pages are the programs' --help and --version, as help2man read them.
for bin in git-remote-codecommit git-credential-codecommit codecommit-auth; do
    page=$(zcat "$root/usr/share/man/man1/$bin.1.gz")
    grep -q "^\.TH ${bin^^} \"1\" .* \"codecommit_auth $version\"" <<<"$page" ||
        fail "$bin.1 has no .TH line for version $version"
    # The man page escapes '-' as '\-'; every option the help names is in it.
    for option in $("$root/usr/bin/$bin" --help | grep -o -- '--[a-z-]*' | sort -u); do
        grep -qF -- "${option//-/\\-}" <<<"$page" || fail "$bin.1 lacks $option, which --help names"
    done
done

step "deb: the git end-to-end tests through its /usr/bin"
e2e_against "$root/usr/bin"

step "deb: the README's C example against its header and .pc, with pkg-config"
# Only the extracted .pc is visible; the sysroot puts its /usr paths under the root.
export PKG_CONFIG_LIBDIR="$libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$root"
pkg-config --modversion codecommit_auth | grep -qx "$version" ||
    fail "pkg-config says codecommit_auth $(pkg-config --modversion codecommit_auth)"
# shellcheck disable=SC2046 # pkg-config's words are meant to split
cc examples/c/signed_url.c $(pkg-config --cflags --libs codecommit_auth) \
    -Wl,-rpath,"$libdir" -o "$work/shared"
# Static: the archive by name, and what Libs.private says it needs.
static_libs=$(pkg-config --static --libs codecommit_auth)
# shellcheck disable=SC2046,SC2086
cc examples/c/signed_url.c $(pkg-config --cflags codecommit_auth) \
    ${static_libs/-lcodecommit_auth/-l:libcodecommit_auth.a} -o "$work/static"
ldd "$work/shared" | grep -q "$libdir/$soname" || fail "the shared build does not load $libdir/$soname"
! ldd "$work/static" | grep -q libcodecommit_auth || fail "the static build loads the shared library"
unset PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR

remote=codecommit://demo@MyRepositoryName
demo=(AWS_CONFIG_FILE=examples/demo/config AWS_SHARED_CREDENTIALS_FILE=examples/demo/credentials
    AWS_EC2_METADATA_DISABLED=true)
expected=$(env "${demo[@]}" cargo run --release --locked --quiet --example signed_url -- \
    --at 20240601T120000 "$remote")
for build in shared static; do
    got=$(env "${demo[@]}" "$work/$build" "$remote" 1717243200)
    [[ "$got" == "$expected" ]] ||
        fail "examples/c/signed_url.c ($build, from the .deb) printed $got; the Rust example $expected"
    echo "examples/c ($build, from the .deb): $got"
done
echo "package: all passed"
