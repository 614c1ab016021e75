#!/usr/bin/env bash
# Builds the Debian package of codecommit_auth from a release build, with dpkg-deb:
#
#   packaging/deb/build.sh        ->  target/debian/codecommit-auth_VERSION-1_ARCH.deb
#
# Run from anywhere; it runs `cargo build --release --locked` first (nothing to do when
# the build is fresh). Needs dpkg-dev, help2man, binutils and python3. What goes in:
#
#   /usr/bin/git-remote-codecommit, /usr/bin/git-credential-codecommit, /usr/bin/codecommit-auth
#   /usr/lib/MULTIARCH/libcodecommit_auth.so.VERSION, its SONAME link and .so link
#   /usr/lib/MULTIARCH/libcodecommit_auth.a
#   /usr/lib/MULTIARCH/pkgconfig/codecommit_auth.pc
#   /usr/include/codecommit_auth.h
#   /usr/share/man/man1/*.1.gz      help2man, from the binaries' own --help and --version
#   /usr/share/doc/codecommit-auth/ copyright (machine-readable), changelog.gz
#   /usr/share/lintian/overrides/codecommit-auth  (each tag with its reason)
#
# Why not cargo-deb: `cargo install cargo-deb` (3.8.0) costs 2 min 15 s of CPU, 16 min of
# wall time at low priority on the shared 2-vCPU CI machine, and the man pages, the
# SONAME links and the multiarch .pc would still need this script's steps; dpkg-deb is
# already on every Debian machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TERM_COLOR=never
target=${CARGO_TARGET_DIR:-target}
release="$target/release"

cargo build --release --locked --lib --bins

version=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["packages"][0]["version"])')
header_version=$(sed -n 's/^#define CODECOMMIT_AUTH_VERSION "\(.*\)"$/\1/p' include/codecommit_auth.h)
if [[ "$version" != "$header_version" ]]; then
    echo "Cargo.toml says $version, include/codecommit_auth.h says $header_version" >&2
    exit 1
fi
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
package=codecommit-auth
revision=1
deb_version="$version-$revision"
out="$target/debian"
root="$out/root"
rm -rf "$root"
mkdir -p "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/man/man1" \
    "$root/usr/share/doc/$package" "$root/usr/share/lintian/overrides"

# Binaries and libraries, stripped as dh_strip strips them.
for bin in git-remote-codecommit git-credential-codecommit codecommit-auth; do
    install -m 0755 "$release/$bin" "$root/usr/bin/$bin"
    strip --remove-section=.comment --remove-section=.note "$root/usr/bin/$bin"
done
# The C library: the header, the .so under its version with the SONAME and .so links,
# the .a, the .pc; installed as the README's manual install does it.
DESTDIR="$root" examples/c/install.sh /usr "/usr/lib/$multiarch" >/dev/null
libdir="$root/usr/lib/$multiarch"
strip --strip-unneeded --remove-section=.comment --remove-section=.note \
    "$libdir/libcodecommit_auth.so.$version"
strip --strip-debug --remove-section=.comment --remove-section=.note \
    --enable-deterministic-archives "$libdir/libcodecommit_auth.a"
soname=$(readelf -d "$libdir/libcodecommit_auth.so.$version" | sed -n 's/.*(SONAME).*\[\(.*\)\]$/\1/p')

# Dates in the package (man pages, changelog) are the last commit's, so that building
# the same commit twice gives the same files.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}

# Man pages from what the binaries print, so they cannot drift from --help.
man_name() {
    case $1 in
    git-remote-codecommit) echo "git remote helper for codecommit:// AWS CodeCommit remotes" ;;
    git-credential-codecommit) echo "git credential helper for AWS CodeCommit HTTPS remotes" ;;
    codecommit-auth) echo "sign in to IAM Identity Center and set up AWS CodeCommit profiles" ;;
    esac
}
for bin in git-remote-codecommit git-credential-codecommit codecommit-auth; do
    help2man --no-info --section=1 --name="$(man_name "$bin")" \
        --source="codecommit_auth $version" --output="$root/usr/share/man/man1/$bin.1" \
        "$root/usr/bin/$bin"
    gzip -9n "$root/usr/share/man/man1/$bin.1"
done

# Documentation: the upstream changelog, a Debian changelog, the copyright file.
doc="$root/usr/share/doc/$package"
gzip -9nc CHANGELOG.md > "$doc/changelog.gz"
date_rfc2822=$(date -u -R -d "@$SOURCE_DATE_EPOCH")
maintainer=${DEB_MAINTAINER:-"codecommit_auth maintainers <maintainers@codecommit-auth.invalid>"}
cat <<CHANGES | gzip -9n > "$doc/changelog.Debian.gz"
$package ($deb_version) unstable; urgency=medium

  * codecommit_auth $version, packaged by packaging/deb/build.sh.

 -- $maintainer  $date_rfc2822
CHANGES
packaging/deb/copyright.py "$target" > "$doc/copyright"
install -m 0644 packaging/deb/lintian-overrides "$root/usr/share/lintian/overrides/$package"

# Control files.
depends=$(cd "$out" && mkdir -p debian && printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' \
        "$package" "$package" > debian/control &&
    dpkg-shlibdeps -O -xcodecommit-auth "root/usr/bin/git-remote-codecommit" \
        "root/usr/bin/git-credential-codecommit" "root/usr/bin/codecommit-auth" "root/usr/lib/$multiarch/libcodecommit_auth.so.$version" |
    sed -n 's/^shlibs:Depends=//p')
installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: $package
Version: $deb_version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $installed_size
Depends: $depends, git
Section: vcs
Priority: optional
Description: codecommit:// git remotes and credentials for AWS CodeCommit
 Signed AWS CodeCommit Git URLs from the AWS credentials you already have:
 SSO (IAM Identity Center) logins, roles, credential_process, web identity,
 container and instance credentials, static keys.
 .
 git-remote-codecommit is a drop-in for the Python git-remote-codecommit
 (git clone codecommit://profile@Repository); git-credential-codecommit is a
 git credential helper for plain HTTPS CodeCommit URLs; codecommit-auth signs
 in to IAM Identity Center (aws sso login) and writes a profile per account
 and role, without the AWS CLI. Also the C library
 libcodecommit_auth (shared and static), its header and pkg-config file.
CONTROL
echo "libcodecommit_auth ${soname#libcodecommit_auth.so.} $package (>= $version)" > "$root/DEBIAN/shlibs"
echo "activate-noawait ldconfig" > "$root/DEBIAN/triggers"
(cd "$root" && find usr -type f -print0 | sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/"*

deb="$out/${package}_${deb_version}_$arch.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
