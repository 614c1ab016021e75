//! Cross-SDK and reference conformance suites, read from `../shared/conformance`.
//!
//! One integration binary; each suite is a submodule in `tests/conformance/`.

mod support;
#[path = "conformance/signing.rs"]
mod signing;
