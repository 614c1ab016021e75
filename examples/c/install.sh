#!/usr/bin/env sh
# Installs libcodecommit_auth.{a,so}, codecommit_auth.h and codecommit_auth.pc under
# PREFIX, without cargo-c: the manual install of README.md, "The C ABI".
#
#   examples/c/install.sh PREFIX      e.g. /usr/local, or $HOME/.local
#
# Run from the repository root. Then:
#   cc prog.c $(pkg-config --cflags --libs codecommit_auth)
# (with PKG_CONFIG_PATH=PREFIX/lib/pkgconfig if PREFIX is not a system prefix, and the
# library directory known to the loader: ldconfig, or -Wl,-rpath,PREFIX/lib).
set -eu

prefix=${1:?usage: examples/c/install.sh PREFIX}
# What Rust's own dependencies need when the static library is linked, as
# `cargo rustc --release --lib --crate-type staticlib -- --print native-static-libs`
# prints it on Linux. Override for another platform.
native_static_libs=${NATIVE_STATIC_LIBS:-"-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"}
target=${CARGO_TARGET_DIR:-target}

cargo build --release --lib
version=$(sed -n 's/^#define CODECOMMIT_AUTH_VERSION "\(.*\)"$/\1/p' include/codecommit_auth.h)

mkdir -p "$prefix/include" "$prefix/lib/pkgconfig"
cp include/codecommit_auth.h "$prefix/include/"
cp "$target/release/libcodecommit_auth.a" "$target/release/libcodecommit_auth.so" "$prefix/lib/"
cat > "$prefix/lib/pkgconfig/codecommit_auth.pc" <<PC
prefix=$prefix
exec_prefix=\${prefix}
libdir=\${exec_prefix}/lib
includedir=\${prefix}/include

Name: codecommit_auth
Description: Signed AWS CodeCommit Git URLs from the AWS credentials you already have
Version: $version
Libs: -L\${libdir} -lcodecommit_auth
Libs.private: $native_static_libs
Cflags: -I\${includedir}
PC
echo "installed codecommit_auth $version under $prefix"
