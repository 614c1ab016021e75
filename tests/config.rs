//! The config module against botocore itself: inputs generated and answered by
//! `tests/oracle/config_parse.py` (botocore 1.44.8), and the rust-ini measurement that
//! the module doc quotes.

// Tests read their own data straight from disk; the seam rule is for the library.
#![allow(clippy::disallowed_methods)]

#[path = "config/oracle_parse.rs"]
mod oracle_parse;
#[path = "config/rust_ini_probe.rs"]
mod rust_ini_probe;
mod support;
