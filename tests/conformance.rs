//! Cross-SDK and reference conformance suites, read from `../shared/conformance`.
//!
//! One integration binary; each suite is a submodule in `tests/conformance/`.

// Tests read their own data and fixtures straight from disk; the seam rule is for the library.
#![allow(clippy::disallowed_methods)]

#[path = "conformance/signing.rs"]
mod signing;
mod support;
