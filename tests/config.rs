//! The rust-ini measurement that the config module's doc quotes. (The config module
//! against botocore itself — `tests/oracle/config_parse.py`'s cases — is replayed by
//! `tests/oracle_replay.rs`, module `config_parse`.)

// Tests read their own data straight from disk; the seam rule is for the library.
#![allow(clippy::disallowed_methods)]

#[path = "config/rust_ini_probe.rs"]
mod rust_ini_probe;
mod support;
