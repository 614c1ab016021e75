//! Where the shared cross-SDK conformance data lives.
//!
//! The data is read in place from `../shared/conformance` beside the repository (its
//! README describes every suite); it is never copied into this crate. Set
//! `CODECOMMIT_CONFORMANCE_DIR` to read it from elsewhere.

use std::path::PathBuf;

/// The root of the conformance tree.
pub fn root() -> PathBuf {
    if let Some(dir) = std::env::var_os("CODECOMMIT_CONFORMANCE_DIR") {
        return PathBuf::from(dir);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance")
}

/// A file below the root, read as UTF-8; panics with the path if it is missing, since a
/// missing suite must fail the test run rather than pass it vacuously.
pub fn read(rel: &str) -> String {
    let path = root().join(rel);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("conformance data {} unreadable: {e}", path.display()))
}

/// A JSON file below the root.
pub fn json(rel: &str) -> serde_json::Value {
    serde_json::from_str(&read(rel)).unwrap_or_else(|e| panic!("{rel}: bad JSON: {e}"))
}
