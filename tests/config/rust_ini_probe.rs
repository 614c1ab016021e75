//! The measurement behind the parser choice in `src/config/mod.rs`: how much of the
//! grammar can `rust-ini` 0.21 (crate `ini`, default features) carry with a thin mapping
//! layer on top, against the cross-SDK suite and against botocore?
//!
//! It re-measures the probe of conformance README §10. Two layers, each as thin as the
//! grammar allows:
//!
//! - **cross-SDK layer**: `[profile NAME]`/`[default]`/`[sso-session NAME]`, names
//!   trimmed and validated, `[profile default]` beats `[default]`, keys lower-cased and
//!   validated, duplicates merged with the last value winning, credentials over config;
//! - **botocore layer**: whitespace-split names with exactly two words, `[default]` vs
//!   `[profile default]` later-wins, credentials-file names verbatim, duplicate sections
//!   and keys are errors, keys lower-cased.
//!
//! Both parse with `enabled_quote = false, enabled_escape = false,
//! enabled_indented_mutiline_value = true` (the README's best setting). The counts are
//! asserted, so the module doc cannot drift from what this file measures.

use std::collections::BTreeMap;

use codecommit_auth::config::SharedConfig;
use ini::{Ini, ParseOption};
use serde_json::{Value, json};

use crate::support::conformance;

const SUITE: &str = "smithy-rs/aws/rust-runtime/aws-runtime/test-data/profile-parser-tests.json";
const OBSERVED: &str = "botocore-observed/configloader-observed.json";

/// What `src/config/mod.rs` reports; update both together.
const RUST_INI_CROSS_SDK: usize = 48;
const RUST_INI_BOTOCORE: usize = 49;
const OURS_CROSS_SDK: usize = 45;
const OURS_BOTOCORE: usize = 65;
const RUST_INI_ORACLE: usize = 127;
const ORACLE_CASES: usize = 199;

type Profiles = BTreeMap<String, BTreeMap<String, String>>;

/// A section as rust-ini gives it: its name and its pairs.
type RawSection = (String, Vec<(String, String)>);

fn options() -> ParseOption {
    ParseOption {
        enabled_quote: false,
        enabled_escape: false,
        enabled_indented_mutiline_value: true,
        enabled_preserve_key_leading_whitespace: false,
    }
}

/// Sections of a file in order, duplicates kept; `None` if rust-ini fails or a key
/// comes before any section (an error in both grammars). An absent file has none.
fn sections(text: Option<&str>) -> Option<Vec<RawSection>> {
    let Some(text) = text else {
        return Some(Vec::new());
    };
    let ini = Ini::load_from_str_opt(text, options()).ok()?;
    let mut out = Vec::new();
    for (section, props) in ini.iter() {
        let pairs: Vec<(String, String)> = props
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        match section {
            Some(name) => out.push((name.to_owned(), pairs)),
            None if pairs.is_empty() => {}
            None => return None,
        }
    }
    Some(out)
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-/.%@_:+".contains(c))
}

fn valid_key(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
}

/// The cross-SDK layer; `None` is an error.
fn cross_sdk(config: Option<&str>, credentials: Option<&str>) -> Option<(Profiles, Profiles)> {
    let mut profiles = Profiles::new();
    let mut sso = Profiles::new();
    let mut bare_default = BTreeMap::new();
    let mut has_prefixed_default = false;
    for (section, pairs) in sections(config)? {
        let (map, name) = if section == "default" {
            (&mut bare_default, None)
        } else if let Some(rest) = section
            .strip_prefix("profile")
            .filter(|r| r.starts_with([' ', '\t']))
        {
            let name = rest.trim().to_owned();
            has_prefixed_default |= name == "default";
            (profiles.entry(name.clone()).or_default(), Some(name))
        } else if let Some(rest) = section
            .strip_prefix("sso-session")
            .filter(|r| r.starts_with([' ', '\t']))
        {
            let name = rest.trim().to_owned();
            (sso.entry(name.clone()).or_default(), Some(name))
        } else {
            continue;
        };
        if name.as_deref().is_some_and(|n| !valid_name(n)) {
            continue;
        }
        for (k, v) in pairs {
            if valid_key(&k) {
                map.insert(k.to_lowercase(), v);
            }
        }
    }
    if !has_prefixed_default && config.is_some_and(|c| c.contains("[default]")) {
        profiles.insert("default".into(), bare_default);
    }
    for (section, pairs) in sections(credentials)? {
        if !valid_name(&section) {
            continue;
        }
        let map = profiles.entry(section).or_default();
        for (k, v) in pairs {
            if valid_key(&k) {
                map.insert(k.to_lowercase(), v);
            }
        }
    }
    profiles.retain(|n, _| valid_name(n));
    sso.retain(|n, _| valid_name(n));
    Some((profiles, sso))
}

/// The botocore layer; `None` is an error.
fn botocore(config: Option<&str>, credentials: Option<&str>) -> Option<(Profiles, Profiles)> {
    let mut profiles = Profiles::new();
    let mut sso = Profiles::new();
    let read = |text: Option<&str>| -> Option<Vec<(String, BTreeMap<String, String>)>> {
        let mut out: Vec<(String, BTreeMap<String, String>)> = Vec::new();
        for (section, pairs) in sections(text)? {
            if out.iter().any(|(s, _)| *s == section) {
                return None; // duplicate section
            }
            let mut map = BTreeMap::new();
            for (k, v) in pairs {
                if map.insert(k.to_lowercase(), v).is_some() {
                    return None; // duplicate key
                }
            }
            out.push((section, map));
        }
        Some(out)
    };
    for (section, map) in read(config)? {
        let words: Vec<&str> = section.split_whitespace().collect();
        if section == "default" {
            profiles.insert("default".into(), map);
        } else if section.starts_with("profile") && words.len() == 2 {
            profiles.insert(words[1].into(), map);
        } else if section.starts_with("sso-session") && words.len() == 2 {
            sso.insert(words[1].into(), map);
        }
    }
    for (section, map) in read(credentials)? {
        profiles.entry(section).or_default().extend(map);
    }
    Some((profiles, sso))
}

fn to_json(profiles: &Profiles) -> Value {
    json!(profiles)
}

fn inputs(case: &Value) -> (Option<&str>, Option<&str>) {
    let input = &case["input"];
    (
        input["configFile"].as_str(),
        input["credentialsFile"].as_str(),
    )
}

fn smithy_matches(got: Option<(Profiles, Profiles)>, output: &Value) -> bool {
    match (got, output.get("config")) {
        (None, None) => true,
        (Some((profiles, sso)), Some(want)) => {
            to_json(&profiles) == want["profiles"]
                && want.get("sso_sessions").is_none_or(|s| to_json(&sso) == *s)
        }
        _ => false,
    }
}

/// botocore-observed rows hold nested maps where rust-ini can only give strings; a
/// layer cannot tell `s3 =` + indented lines from a plain value, so those fail here.
fn botocore_matches(got: Option<(Profiles, Profiles)>, full: &Value) -> bool {
    match got {
        None => full.get("error").is_some(),
        Some((profiles, sso)) => {
            full.get("error").is_none()
                && to_json(&profiles) == full["profiles"]
                && to_json(&sso) == full["sso_sessions"]
        }
    }
}

/// Counts, out of the 65 parser-suite cases: rust-ini with the cross-SDK layer against
/// the suite, rust-ini with the botocore layer against botocore, and ours against each.
pub fn suite_counts() -> (usize, usize, usize, usize) {
    let suite = conformance::json(SUITE);
    let observed = conformance::json(OBSERVED);
    let cases = suite["tests"].as_array().unwrap();
    let rows = observed["profileParserSuite"].as_array().unwrap();
    let (mut ini_sdk, mut ini_boto, mut ours_sdk, mut ours_boto) = (0, 0, 0, 0);
    for (case, row) in cases.iter().zip(rows) {
        let (config, credentials) = inputs(case);
        ini_sdk += usize::from(smithy_matches(
            cross_sdk(config, credentials),
            &case["output"],
        ));
        ini_boto += usize::from(botocore_matches(
            botocore(config, credentials),
            &row["fullConfig"],
        ));
        let ours =
            SharedConfig::from_sources(config.map(str::as_bytes), credentials.map(str::as_bytes));
        ours_sdk += usize::from(smithy_matches(
            ours.as_ref().ok().map(raw_view),
            &case["output"],
        ));
        // Ours is compared with botocore value by value (nested maps included) in
        // tests/conformance/profile_parser.rs; here count the outcome.
        ours_boto += usize::from(ours.is_ok() == row["fullConfig"].get("error").is_none());
    }
    (ini_sdk, ini_boto, ours_sdk, ours_boto)
}

/// Our merged profiles and sso-sessions as raw strings.
fn raw_view(shared: &SharedConfig) -> (Profiles, Profiles) {
    let profiles = shared
        .profile_names()
        .into_iter()
        .map(|n| {
            let p = shared.profile(n).unwrap();
            let keys = p.keys().into_iter();
            (
                n.to_owned(),
                keys.map(|k| (k.to_owned(), p.get(k).unwrap().to_owned()))
                    .collect(),
            )
        })
        .collect();
    let sso = shared
        .sso_session_names()
        .into_iter()
        .map(|n| {
            let props = shared.sso_session(n).unwrap().iter();
            (
                n.to_owned(),
                props.map(|(k, v)| (k.to_owned(), v.to_owned())).collect(),
            )
        })
        .collect();
    (profiles, sso)
}

/// Out of the botocore-oracle inputs (tests/data/oracle/config_parse.json): how many
/// rust-ini with the botocore layer gets right (same outcome, same profiles and
/// sso-sessions with the same raw values), and how many cases there are.
pub fn oracle_counts() -> (usize, usize) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/oracle/config_parse.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = doc["parse"].as_array().unwrap();
    let text = |v: &Value| -> Option<Option<String>> {
        match (v.get("text"), v.get("base64")) {
            (Some(t), _) => Some(Some(t.as_str().unwrap().to_owned())),
            (_, Some(_)) => None, // not UTF-8: any layer rejects it before rust-ini
            _ => Some(None),
        }
    };
    let mut right = 0;
    for case in cases {
        let got = match (text(&case["config"]), text(&case["credentials"])) {
            (Some(c), Some(k)) => botocore(c.as_deref(), k.as_deref()),
            _ => None,
        };
        let want = case.get("result").map(|r| {
            let pairs = |list: &Value| -> Profiles {
                let list = list.as_array().unwrap().iter();
                list.map(|e| {
                    let (name, entries) = (&e[0], &e[1]);
                    let kv = entries.as_array().unwrap().iter();
                    let kv =
                        kv.map(|p| (p[0].as_str().unwrap().into(), p[1].as_str().unwrap().into()));
                    (name.as_str().unwrap().to_owned(), kv.collect())
                })
                .collect()
            };
            let profiles = r["profiles"].as_array().unwrap().iter();
            let profiles = profiles
                .map(|p| json!([p["name"], p["merged"]]))
                .collect::<Value>();
            (pairs(&profiles), pairs(&r["sso_sessions"]))
        });
        right += usize::from(got == want);
    }
    (right, cases.len())
}

#[test]
fn rust_ini_versus_ours() {
    let counts = suite_counts();
    let (ini_oracle, oracle_cases) = oracle_counts();
    eprintln!(
        "parser suite (65): rust-ini + cross-SDK layer {}, rust-ini + botocore layer {}; \
         ours {} cross-SDK, {} botocore. botocore oracle ({oracle_cases}): rust-ini + \
         botocore layer {ini_oracle}",
        counts.0, counts.1, counts.2, counts.3
    );
    assert_eq!(
        counts,
        (
            RUST_INI_CROSS_SDK,
            RUST_INI_BOTOCORE,
            OURS_CROSS_SDK,
            OURS_BOTOCORE
        )
    );
    assert_eq!((ini_oracle, oracle_cases), (RUST_INI_ORACLE, ORACLE_CASES));
}
