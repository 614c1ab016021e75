//! Where the cross-SDK conformance data lives.
//!
//! The repository carries the files the tests read, byte for byte as published, under
//! `tests/data/conformance/` (its `NOTICE` says where every folder came from, its
//! `README.md` describes every suite). Set `CODECOMMIT_CONFORMANCE_DIR` to read them
//! from another copy of the same tree instead.
//!
//! Every accessor panics with the missing path and how to get the data back: a missing
//! suite must fail the test run, never pass it vacuously.

use std::fmt::Display;
use std::path::{Path, PathBuf};

/// The variable that points the tests at another copy of the conformance tree.
pub const OVERRIDE: &str = "CODECOMMIT_CONFORMANCE_DIR";

/// The copy inside the repository.
pub fn in_repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/conformance")
}

/// Fails the test with `path`, what went wrong and how to get the data.
pub fn missing(path: &Path, error: impl Display) -> ! {
    let how = match std::env::var_os(OVERRIDE) {
        Some(dir) => format!(
            "{OVERRIDE} is set to {}: point it at a complete copy of the conformance tree, \
             or unset it to use the copy in the repository ({})",
            Path::new(&dir).display(),
            in_repository().display()
        ),
        None => format!(
            "the conformance data ships in the repository under tests/data/conformance/: \
             restore it with `git checkout -- tests/data/conformance` (or clone the \
             repository again), or set {OVERRIDE} to a copy of the conformance tree"
        ),
    };
    panic!(
        "conformance data {} unreadable: {error}; {how}",
        path.display()
    )
}

/// The root of the conformance tree.
pub fn root() -> PathBuf {
    let root = std::env::var_os(OVERRIDE).map_or_else(in_repository, PathBuf::from);
    if !root.is_dir() {
        missing(&root, "not a directory");
    }
    root
}

/// A folder below the root; fails the test, naming it, if it is not there.
pub fn dir(rel: &str) -> PathBuf {
    let path = root().join(rel);
    if !path.is_dir() {
        missing(&path, "not a directory");
    }
    path
}

/// The entries of a folder below the root (or anywhere in it), unsorted.
pub fn entries(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| missing(dir, e))
        .map(|entry| entry.unwrap_or_else(|e| missing(dir, e)).path())
        .collect()
}

/// A file, as bytes.
pub fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| missing(path, e))
}

/// A file, as UTF-8.
pub fn text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| missing(path, e))
}

/// A file below the root, read as UTF-8.
pub fn read(rel: &str) -> String {
    text(&root().join(rel))
}

/// A JSON file below the root.
pub fn json(rel: &str) -> serde_json::Value {
    serde_json::from_str(&read(rel)).unwrap_or_else(|e| panic!("{rel}: bad JSON: {e}"))
}
