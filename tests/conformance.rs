//! Cross-SDK and reference conformance suites, read from `tests/data/conformance`
//! (or `CODECOMMIT_CONFORMANCE_DIR`; see `support/conformance.rs`).
//!
//! One integration binary; each suite is a submodule in `tests/conformance/`.

// Tests read their own data and fixtures straight from disk; the seam rule is for the library.
#![allow(clippy::disallowed_methods)]

#[path = "conformance/assume_role_plan.rs"]
mod assume_role_plan;
#[path = "conformance/file_location.rs"]
mod file_location;
#[path = "conformance/profile_parser.rs"]
mod profile_parser;
#[path = "conformance/provider_chain.rs"]
mod provider_chain;
#[path = "conformance/signing.rs"]
mod signing;
mod support;

/// The copy in the repository is byte for byte the published files: every file listed in
/// `SHA256SUMS` has its recorded hash, and (in the repository's copy) no file is
/// unlisted. A line-ending conversion or an edit of the data fails here by name.
#[test]
fn copy_is_byte_for_byte() {
    use sha2::{Digest, Sha256};
    let root = support::conformance::root();
    let sums =
        support::conformance::text(&support::conformance::in_repository().join("SHA256SUMS"));
    let mut listed = std::collections::BTreeSet::new();
    let mut failures = Vec::new();
    for line in sums.lines() {
        let (want, rel) = line.split_once("  ").expect("`HASH  PATH` lines");
        let got = hex::encode(Sha256::digest(support::conformance::bytes(&root.join(rel))));
        if got != want {
            failures.push(format!("{rel}: sha256 {got}, published {want}"));
        }
        listed.insert(rel.to_owned());
    }
    assert!(
        listed.len() > 500,
        "SHA256SUMS lists {} files",
        listed.len()
    );
    assert!(
        failures.is_empty(),
        "changed conformance files:\n{}",
        failures.join("\n")
    );

    fn walk(root: &std::path::Path, dir: &std::path::Path, out: &mut Vec<String>) {
        for path in support::conformance::entries(dir) {
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_string_lossy();
                out.push(rel.replace('\\', "/"));
            }
        }
    }
    let ours = support::conformance::in_repository();
    let mut present = Vec::new();
    walk(&ours, &ours, &mut present);
    let unlisted: Vec<_> = present
        .iter()
        .filter(|rel| !listed.contains(*rel) && *rel != "SHA256SUMS" && *rel != "NOTICE")
        .collect();
    assert!(
        unlisted.is_empty(),
        "files missing from SHA256SUMS: {unlisted:?}"
    );
}
