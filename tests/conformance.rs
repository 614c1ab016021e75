//! Cross-SDK and reference conformance suites, read from `../shared/conformance`.
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
