//! `codecommit_version`: which library is linked.

use std::ffi::{CStr, c_char};

/// The version of this library, "MAJOR.MINOR.PATCH" (e.g. "0.1.0"), from Cargo.toml.
const VERSION: &CStr = {
    let bytes = concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes();
    match CStr::from_bytes_with_nul(bytes) {
        Ok(version) => version,
        Err(_) => panic!("the package version contains a NUL byte"),
    }
};

/// Returns the version of the library actually linked, "MAJOR.MINOR.PATCH", e.g.
/// "0.1.0". Compare it with the header's CODECOMMIT_AUTH_VERSION to detect a header
/// and library from different releases.
///
/// Returns a pointer to a static NUL-terminated string: never NULL, never freed, valid
/// for the life of the process. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn codecommit_version() -> *const c_char {
    VERSION.as_ptr()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_is_the_package_version() {
        // SAFETY: a static C string.
        let version = unsafe { CStr::from_ptr(codecommit_version()) };
        assert_eq!(version.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    }
}
