//! Generates the C header, `OUT_DIR/codecommit_auth.h`, from `src/ffi/` with cbindgen.
//!
//! The committed `include/codecommit_auth.h` is what C users get; `tests/header.rs`
//! checks it equals this output (and rewrites it with `UPDATE_HEADER=1`). This script
//! writes only to `OUT_DIR`.
//!
//! A failure here does not fail the build: the Rust library is still usable without a
//! header, and `tests/header.rs` then fails, naming the cbindgen error printed as a
//! cargo warning.
//!
//! It also gives the shared library its SONAME on ELF platforms (see [`soname`]), so
//! the `libcodecommit_auth.so` of a plain `cargo build` is the one cargo-c and the
//! Debian package install.

// The library reads the world through env::Environment; a build script has only cargo's
// variables to read, and reads them directly.
#![allow(clippy::disallowed_methods)]

use std::env;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=src/ffi");

    if let Some(soname) = soname() {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,{soname}");
    }

    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out = PathBuf::from(env::var("OUT_DIR").expect("set by cargo")).join("codecommit_auth.h");

    let mut config = match cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")) {
        Ok(config) => config,
        Err(e) => {
            println!("cargo:warning=cbindgen.toml: {e}");
            return;
        }
    };
    config.after_includes = Some(version_macros());

    // Only src/ffi/ is read (cbindgen follows its `mod` lines): constants and types of the
    // rest of the crate are no part of the C API.
    match cbindgen::Builder::new()
        .with_src(crate_dir.join("src/ffi/mod.rs"))
        .with_config(config)
        .generate()
    {
        Ok(bindings) => {
            bindings.write_to_file(&out);
        }
        Err(e) => println!("cargo:warning=cbindgen could not generate the C header: {e}"),
    }
}

/// The SONAME of `libcodecommit_auth.so`, cargo-c's (`[package.metadata.capi.library]`
/// `versioning = true`): `libcodecommit_auth.so.MAJOR`, and for a 0.x version
/// `libcodecommit_auth.so.0.MINOR` (0.0.x: `.so.0.0.PATCH`), the part of the version
/// that changes with a breaking release. With the same value here, `cargo cinstall`'s
/// own `-soname` agrees with ours; `tests/c_programs.rs` checks it with `readelf -d`.
/// `None` where the target's shared objects are not ELF (macOS, Windows) or, like
/// Android's, take no version.
fn soname() -> Option<String> {
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let elf = [
        "linux",
        "freebsd",
        "dragonfly",
        "netbsd",
        "openbsd",
        "illumos",
        "haiku",
        "hurd",
    ];
    if !elf.contains(&os.as_str()) {
        return None;
    }
    let part = |name: &str| env::var(name).expect("set by cargo");
    let (major, minor, patch) = (
        part("CARGO_PKG_VERSION_MAJOR"),
        part("CARGO_PKG_VERSION_MINOR"),
        part("CARGO_PKG_VERSION_PATCH"),
    );
    let sover = match (major.as_str(), minor.as_str()) {
        ("0", "0") => format!("0.0.{patch}"),
        ("0", _) => format!("0.{minor}"),
        _ => major,
    };
    Some(format!("libcodecommit_auth.so.{sover}"))
}

/// The version macros, from the package version, so the header cannot drift from it.
///
/// The composed number is MAJOR << 16 | MINOR << 8 | PATCH (rustls-ffi once shifted
/// MINOR into PATCH's place; a C test checks ours against the parts).
fn version_macros() -> String {
    let part = |name: &str| -> u32 {
        env::var(name)
            .expect("set by cargo")
            .parse()
            .expect("a version part is a number")
    };
    let (major, minor, patch) = (
        part("CARGO_PKG_VERSION_MAJOR"),
        part("CARGO_PKG_VERSION_MINOR"),
        part("CARGO_PKG_VERSION_PATCH"),
    );
    assert!(
        minor < 256 && patch < 256,
        "the version number has 8 bits each for minor and patch"
    );
    let version = env::var("CARGO_PKG_VERSION").expect("set by cargo");
    format!(
        r#"
/**
 * The version of the library this header belongs to, as a string ("MAJOR.MINOR.PATCH")
 * and in parts. codecommit_version() returns the string of the library actually linked.
 */
#define CODECOMMIT_AUTH_VERSION "{version}"
#define CODECOMMIT_AUTH_VERSION_MAJOR {major}
#define CODECOMMIT_AUTH_VERSION_MINOR {minor}
#define CODECOMMIT_AUTH_VERSION_PATCH {patch}

/**
 * The version as one number, (MAJOR << 16) | (MINOR << 8) | PATCH, for comparisons
 * in the preprocessor: #if CODECOMMIT_AUTH_VERSION_NUMBER >= 0x000100 means 0.1.0 or later.
 */
#define CODECOMMIT_AUTH_VERSION_NUMBER ((CODECOMMIT_AUTH_VERSION_MAJOR << 16) | (CODECOMMIT_AUTH_VERSION_MINOR << 8) | CODECOMMIT_AUTH_VERSION_PATCH)
"#
    )
}
