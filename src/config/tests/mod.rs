//! Unit tests for the config module: one test per rule of behavior.md §3 and per item of
//! §10 that concerns the files. Expectations were checked against botocore 1.44.8;
//! tests/data/oracle/config_parse.json holds the same cases and more.

use crate::config::SharedConfig;
use crate::{Error, ErrorKind};

mod files;
mod grammar;
mod robustness;

pub(super) fn config(text: &str) -> SharedConfig {
    SharedConfig::from_sources(Some(text.as_bytes()), None)
        .unwrap_or_else(|e| panic!("{text:?} should parse: {e}"))
}

pub(super) fn both(config: &str, credentials: &str) -> SharedConfig {
    SharedConfig::from_sources(Some(config.as_bytes()), Some(credentials.as_bytes()))
        .unwrap_or_else(|e| panic!("should parse: {e}"))
}

pub(super) fn error(text: &str) -> Error {
    match SharedConfig::from_sources(Some(text.as_bytes()), None) {
        Ok(c) => panic!("{text:?} should fail, got {c:?}"),
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::ConfigParse, "{e}");
            e
        }
    }
}

/// The line number an error names.
pub(super) fn error_line(text: &str) -> usize {
    let e = error(text);
    let msg = e.message();
    let rest = msg
        .strip_prefix("Unable to parse config file: config file (line ")
        .unwrap_or_else(|| panic!("unexpected message {msg}"));
    rest[..rest.find(':').unwrap()].parse().unwrap()
}

/// The merged `(key, value)` pairs of a profile, in botocore's key order.
pub(super) fn pairs(shared: &SharedConfig, profile: &str) -> Vec<(String, String)> {
    let p = shared
        .profile(profile)
        .unwrap_or_else(|| panic!("no profile {profile:?} in {shared:?}"));
    p.keys()
        .into_iter()
        .map(|k| (k.to_owned(), p.get(k).unwrap().to_owned()))
        .collect()
}

pub(super) fn kv(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}
