#!/usr/bin/env sh
# Installs libcodecommit_auth.{a,so} (the .so under its version, with its SONAME link),
# codecommit_auth.h and codecommit_auth.pc under PREFIX, without cargo-c: the manual
# install of README.md, "The C ABI". Needs readelf (binutils), which comes with the C
# compiler.
#
#   examples/c/install.sh PREFIX [LIBDIR]   e.g. /usr/local, or $HOME/.local
#
# LIBDIR defaults to PREFIX/lib (Debian's multiarch one is PREFIX/lib/x86_64-linux-gnu);
# DESTDIR, if set, is put in front of every path written, not into the .pc file
# (packaging/deb/build.sh installs this way). Run from the repository root. Then:
#   cc prog.c $(pkg-config --cflags --libs codecommit_auth)
# (with PKG_CONFIG_PATH=LIBDIR/pkgconfig if PREFIX is not a system prefix, and the
# library directory known to the loader: ldconfig, or -Wl,-rpath,LIBDIR).
set -eu

prefix=${1:?usage: examples/c/install.sh PREFIX [LIBDIR]}
libdir=${2:-$prefix/lib}
dest=${DESTDIR:-}
# What Rust's own dependencies need when the static library is linked, as
# `cargo rustc --release --lib --crate-type staticlib -- --print native-static-libs`
# prints it on Linux. Override for another platform.
native_static_libs=${NATIVE_STATIC_LIBS:-"-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"}
target=${CARGO_TARGET_DIR:-target}

cargo build --release --lib
version=$(sed -n 's/^#define CODECOMMIT_AUTH_VERSION "\(.*\)"$/\1/p' include/codecommit_auth.h)

mkdir -p "$dest$prefix/include" "$dest$libdir/pkgconfig"
install -m 0644 include/codecommit_auth.h "$dest$prefix/include/"
install -m 0644 "$target/release/libcodecommit_auth.a" "$dest$libdir/"
# The shared library as cargo-c lays it out: the file under its full version, a link
# under its SONAME (what programs linked against it ask the loader for; build.rs sets
# it) and the unversioned name `-lcodecommit_auth` finds.
soname=$(readelf -d "$target/release/libcodecommit_auth.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]$/\1/p')
[ -n "$soname" ] || { echo "$target/release/libcodecommit_auth.so has no SONAME" >&2; exit 1; }
install -m 0644 "$target/release/libcodecommit_auth.so" "$dest$libdir/libcodecommit_auth.so.$version"
ln -sf "libcodecommit_auth.so.$version" "$dest$libdir/$soname"
ln -sf "$soname" "$dest$libdir/libcodecommit_auth.so"
cat > "$dest$libdir/pkgconfig/codecommit_auth.pc" <<PC
prefix=$prefix
exec_prefix=\${prefix}
libdir=$libdir
includedir=\${prefix}/include

Name: codecommit_auth
Description: Signed AWS CodeCommit Git URLs from the AWS credentials you already have
Version: $version
Libs: -L\${libdir} -lcodecommit_auth
Libs.private: $native_static_libs
Cflags: -I\${includedir}
PC
echo "installed codecommit_auth $version under $dest$prefix"
