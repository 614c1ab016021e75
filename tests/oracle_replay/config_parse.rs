//! Differential test: every input of `tests/data/oracle/config_parse.json` must give
//! exactly what botocore 1.44.8 gave — the same profiles in the same order, the same keys
//! in the same order, the same raw values and nested maps, the same per-file views, or a
//! parse error blamed on the same file. Regenerate the data with
//! `tests/oracle/config_parse.py`.

use std::path::PathBuf;

use codecommit_auth::ErrorKind;
use codecommit_auth::config::{ProfileNameSource, Properties, SharedConfig, locate};
use codecommit_auth::env::{MemoryEnvironment, Platform};
use serde_json::{Value, json};

use crate::support::base64_decode;

fn oracle() -> Value {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/oracle/config_parse.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        doc["botocore"], "1.44.8",
        "generated with the pinned botocore"
    );
    doc
}

fn input(v: &Value) -> Option<Vec<u8>> {
    if v.is_null() {
        return None;
    }
    Some(match (v.get("text"), v.get("base64")) {
        (Some(t), _) => t.as_str().unwrap().as_bytes().to_vec(),
        (_, Some(b)) => base64_decode(b.as_str().unwrap()),
        _ => panic!("bad input {v}"),
    })
}

/// `[[key, raw, nested | null], ...]`, as the generator writes a section.
fn entries(p: &Properties) -> Value {
    p.iter()
        .map(|(k, v)| json!([k, v, nested(p.sub_properties(k))]))
        .collect()
}

fn nested(pairs: Option<Vec<(&str, &str)>>) -> Value {
    pairs.map_or(Value::Null, |p| {
        p.into_iter().map(|(k, v)| json!([k, v])).collect()
    })
}

fn plain(p: Option<&Properties>) -> Value {
    p.map_or(Value::Null, |p| {
        p.iter().map(|(k, v)| json!([k, v])).collect()
    })
}

/// `[[name, entries], ...]` for sections looked up by name.
fn named<'a>(names: Vec<&'a str>, get: impl Fn(&'a str) -> Option<&'a Properties>) -> Value {
    names
        .into_iter()
        .map(|n| json!([n, entries(get(n).unwrap())]))
        .collect()
}

/// Our answer in the generator's shape.
fn result(shared: &SharedConfig) -> Value {
    let profiles: Vec<Value> = shared
        .profile_names()
        .into_iter()
        .map(|name| {
            let p = shared.profile(name).unwrap();
            let merged: Vec<Value> = p
                .keys()
                .into_iter()
                .map(|k| json!([k, p.get(k).unwrap(), nested(p.sub_properties(k))]))
                .collect();
            json!({
                "name": name,
                "merged": merged,
                "config": plain(p.config_file()),
                "credentials": plain(p.credentials_file()),
            })
        })
        .collect();
    json!({
        "profile_names": shared.profile_names(),
        "profiles": profiles,
        "sso_sessions": named(shared.sso_session_names(), |n| shared.sso_session(n)),
        "services": named(shared.services_names(), |n| shared.services(n)),
        "sections": named(shared.section_names(), |n| shared.section(n)),
    })
}

#[test]
fn parse_cases_match_botocore() {
    let doc = oracle();
    let cases = doc["parse"].as_array().unwrap();
    assert!(cases.len() >= 150, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let config = input(&case["config"]);
        let credentials = input(&case["credentials"]);
        let got = SharedConfig::from_sources(config.as_deref(), credentials.as_deref());
        match (&got, case.get("error")) {
            (Err(e), Some(want)) => {
                let file = want["file"].as_str().unwrap();
                let prefix = format!("Unable to parse config file: {file} file (line ");
                if e.kind() != ErrorKind::ConfigParse || !e.message().starts_with(&prefix) {
                    failures.push(format!("{name}: {e:?}, want an error in the {file} file"));
                }
            }
            (Err(e), None) => failures.push(format!("{name}: {e}, botocore parsed it")),
            (Ok(_), Some(_)) => failures.push(format!("{name}: parsed, botocore failed")),
            (Ok(shared), None) => {
                let ours = result(shared);
                if ours != case["result"] {
                    failures.push(format!(
                        "{name}:\n  ours     {ours}\n  botocore {}",
                        case["result"]
                    ));
                }
            }
        }
    }
    eprintln!("oracle: {} parse cases checked", cases.len());
    assert!(
        failures.is_empty(),
        "{} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn locations_match_botocore() {
    let doc = oracle();
    let mut failures = Vec::new();
    for case in doc["locations"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let windows = case["platform"] == "windows";
        let mut env = MemoryEnvironment::new().with_platform(if windows {
            Platform::Windows
        } else {
            Platform::Unix
        });
        for (k, v) in case["env"].as_object().unwrap() {
            env = env.with_var(k.as_str(), v.as_str().unwrap());
        }
        if let Some(home) = case["account_home"].as_str() {
            env = env.with_account_home_dir(home);
        }
        let variable = case["variable"].as_str().unwrap();
        let found = locate(&env);
        let got = match variable {
            "AWS_CONFIG_FILE" => found.config,
            _ => found.credentials,
        };
        let mut want = case["path"].as_str().unwrap().to_owned();
        if windows && case["env"].get(variable).is_none() {
            // botocore's default is the literal `~/.aws/config`; on Windows it keeps the
            // `/`, we join with `\` (the same file).
            want = want.replacen("/.aws/", "\\.aws\\", 1);
        }
        let want = (!want.is_empty()).then(|| PathBuf::from(want));
        if got != want {
            failures.push(format!("{name}: {got:?}, botocore {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn profile_selection_matches_botocore() {
    let doc = oracle();
    for case in doc["profiles"].as_array().unwrap() {
        let env = case["env"]
            .as_object()
            .unwrap()
            .iter()
            .fold(MemoryEnvironment::new(), |env, (k, v)| {
                env.with_var(k.as_str(), v.as_str().unwrap())
            });
        let (name, source) = codecommit_auth::config::profile_from_env(&env);
        match case["profile"].as_str() {
            None => assert_eq!(
                (name.as_str(), source),
                ("default", ProfileNameSource::Default)
            ),
            Some(want) => assert_eq!(name, want, "{}", case["name"]),
        }
    }
}
