//! Helpers shared by the integration test binaries.
#![allow(dead_code)] // each test binary uses a different subset

pub mod conformance;
