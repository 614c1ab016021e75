//! The cross-SDK profile-parser suite and botocore's cfg fixtures (conformance README §1,
//! §9).
//!
//! Source: `smithy-rs/aws/rust-runtime/aws-runtime/test-data/profile-parser-tests.json`
//! (65 cases) and `botocore/tests/unit/cfg/*`, with botocore's own answers in
//! `botocore-observed/configloader-observed.json`.
//!
//! We follow botocore (DESIGN.md), so **every** case must equal botocore's observed
//! result. Where botocore departs from the cross-SDK grammar the case is listed in
//! [`DIVERGENCES`] with the rule behind it, and must *not* equal the suite's answer; every
//! other case must equal it too. A listed case that starts to agree with the suite, or any
//! case that stops agreeing with botocore, fails the test.

use std::collections::BTreeMap;

use codecommit_auth::ErrorKind;
use codecommit_auth::config::{Profile, Properties, SharedConfig};
use serde_json::{Map, Value, json};

use crate::support::conformance;

const SUITE: &str = "smithy-rs/aws/rust-runtime/aws-runtime/test-data/profile-parser-tests.json";
const OBSERVED: &str = "botocore-observed/configloader-observed.json";

/// Suite cases (array index) where botocore's answer differs from the cross-SDK one.
/// DIFFERENCE: each reason names the rule in reference/behavior.md.
const DIVERGENCES: &[(usize, &str)] = &[
    (
        2,
        "§3.3: any character in a profile name; [profile foo!bar] is a profile",
    ),
    (
        16,
        "§3.2: ':' is a delimiter too; `key : value` is a property",
    ),
    (20, "§3.2: no inline comments; ` # …` stays in the value"),
    (21, "§3.2: no inline comments; ` ; …` stays in the value"),
    (22, "§3.2: no inline comments; ` # …` stays in the value"),
    (
        23,
        "§3.2: no inline comments; a trailing ` ;` stays in the value",
    ),
    (34, "§3.2: a duplicate section fails the whole file"),
    (35, "§3.2: a duplicate key fails the whole file"),
    (36, "§3.2: a duplicate section fails the whole file"),
    (37, "§3.2: a duplicate section fails the whole file"),
    (
        38,
        "§3.3: [default] after [profile default] wins: the later one",
    ),
    (
        40,
        "§3.3: credentials-file names are verbatim; [in valid 2] is a profile",
    ),
    (41, "§3.2: any key is accepted; `in valid` is a property"),
    (
        47,
        "§3.2: the nested parser accepts an empty sub-property name",
    ),
    (
        49,
        "§3.2: blank lines stay in the raw value; the nested map skips them",
    ),
    (51, "§3.2: a duplicate section fails the whole file"),
    (52, "§3.2: a duplicate section fails the whole file"),
    (
        55,
        "§3.3: a credentials-file [profile foo] is the profile `profile foo`",
    ),
    (
        59,
        "§3.3: [   profile foo    ] starts with a space: no profile",
    ),
    (60, "§3.3: credentials-file names keep their spaces"),
];

/// The suite's view: profiles (and sso-sessions) as sorted maps of raw strings.
fn smithy_view(shared: &SharedConfig, with_sso: bool) -> Value {
    let profiles: BTreeMap<&str, BTreeMap<&str, &str>> = shared
        .profile_names()
        .into_iter()
        .map(|n| {
            let p = shared.profile(n).unwrap();
            (
                n,
                p.keys()
                    .into_iter()
                    .map(|k| (k, p.get(k).unwrap()))
                    .collect(),
            )
        })
        .collect();
    let mut view = json!({ "profiles": profiles });
    if with_sso {
        let sso: BTreeMap<&str, BTreeMap<&str, &str>> = shared
            .sso_session_names()
            .into_iter()
            .map(|n| (n, shared.sso_session(n).unwrap().iter().collect()))
            .collect();
        view["sso_sessions"] = json!(sso);
    }
    view
}

/// A value as botocore returns it: a string, or a map if it is a nested value.
fn botocore_value(raw: &str, sub: Option<Vec<(&str, &str)>>) -> Value {
    match sub {
        Some(pairs) => Value::Object(
            pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        ),
        None => Value::String(raw.into()),
    }
}

fn botocore_properties(p: &Properties) -> Value {
    let map: Map<String, Value> = p
        .iter()
        .map(|(k, v)| (k.into(), botocore_value(v, p.sub_properties(k))))
        .collect();
    Value::Object(map)
}

fn botocore_profile(p: &Profile<'_>) -> Value {
    let map: Map<String, Value> = p
        .keys()
        .into_iter()
        .map(|k| {
            (
                k.into(),
                botocore_value(p.get(k).unwrap(), p.sub_properties(k)),
            )
        })
        .collect();
    Value::Object(map)
}

fn by_name<'a>(names: Vec<&'a str>, f: impl Fn(&'a str) -> Value) -> Value {
    Value::Object(names.into_iter().map(|n| (n.into(), f(n))).collect())
}

/// `Session.full_config` as the observed file records it, in botocore's order.
fn botocore_full(shared: &SharedConfig) -> Value {
    json!({
        "profiles": by_name(shared.profile_names(), |n| botocore_profile(&shared.profile(n).unwrap())),
        "sso_sessions": by_name(shared.sso_session_names(), |n| botocore_properties(shared.sso_session(n).unwrap())),
    })
}

/// `load_config` of the config file alone, in botocore's order.
fn botocore_load_config(shared: &SharedConfig) -> Value {
    json!({
        "profiles": Value::Object(shared.profile_names().into_iter().filter_map(|n| {
            let config = shared.profile(n)?.config_file()?;
            Some((n.to_owned(), botocore_properties(config)))
        }).collect()),
        "sso_sessions": by_name(shared.sso_session_names(), |n| botocore_properties(shared.sso_session(n).unwrap())),
        "services": by_name(shared.services_names(), |n| botocore_properties(shared.services(n).unwrap())),
    })
}

/// Order-sensitive comparison (serde_json keeps insertion order here, but its `==` on
/// objects ignores order, so compare the texts).
#[allow(clippy::cmp_owned)]
fn same(a: &Value, b: &Value) -> bool {
    // `Value`'s `==` ignores key order; the serialized text does not.
    serde_json::to_string(a).unwrap() == serde_json::to_string(b).unwrap()
}

fn parse(input: &Value) -> Result<SharedConfig, codecommit_auth::Error> {
    let file = |k: &str| input.get(k).map(|v| v.as_str().unwrap().as_bytes());
    SharedConfig::from_sources(file("configFile"), file("credentialsFile"))
}

fn is_parse_error(result: &Result<SharedConfig, codecommit_auth::Error>) -> bool {
    matches!(result, Err(e) if e.kind() == ErrorKind::ConfigParse)
}

/// Whether our result is the suite's expectation.
fn agrees_with_smithy(
    result: &Result<SharedConfig, codecommit_auth::Error>,
    output: &Value,
) -> bool {
    if output.get("errorContaining").is_some() {
        return is_parse_error(result);
    }
    let expected = &output["config"];
    let Ok(shared) = result else { return false };
    let view = smithy_view(shared, expected.get("sso_sessions").is_some());
    let mut want = expected.clone();
    if want.get("sso_sessions").is_none() {
        want.as_object_mut().unwrap().remove("sso_sessions");
    }
    view == want
}

/// Whether our result is botocore's observed one; `Err` explains the difference.
fn agrees_with_botocore(
    result: &Result<SharedConfig, codecommit_auth::Error>,
    observed: &Value,
) -> Result<(), String> {
    let full = &observed["fullConfig"];
    match result {
        Err(e) if full.get("error").is_some() => (e.kind() == ErrorKind::ConfigParse)
            .then_some(())
            .ok_or(format!("{e:?}")),
        Err(e) => Err(format!("error {e}, botocore parsed it")),
        Ok(_) if full.get("error").is_some() => Err("parsed, botocore failed".into()),
        Ok(shared) => {
            let got = botocore_full(shared);
            if !same(&got, full) {
                return Err(format!("full_config {got}, botocore {full}"));
            }
            if let Some(cfg) = observed
                .get("configFile")
                .filter(|c| c.get("profiles").is_some())
            {
                let got = botocore_load_config(shared);
                if !same(&got, cfg) {
                    return Err(format!("config file {got}, botocore {cfg}"));
                }
            }
            if let Some(sections) = observed.pointer("/credentialsFile/sections") {
                for (name, want) in sections.as_object().unwrap() {
                    let got = shared.profile(name).and_then(|p| p.credentials_file());
                    if !got.is_some_and(|p| same(&botocore_properties(p), want)) {
                        return Err(format!("credentials section [{name}] differs"));
                    }
                }
            }
            Ok(())
        }
    }
}

#[test]
fn profile_parser_suite() {
    let suite = conformance::json(SUITE);
    let observed = conformance::json(OBSERVED);
    let cases = suite["tests"].as_array().unwrap();
    let rows = observed["profileParserSuite"].as_array().unwrap();
    assert_eq!(cases.len(), 65, "the suite has 65 cases");
    assert_eq!(rows.len(), cases.len(), "one observed row per case");

    let mut failures = Vec::new();
    let (mut agree, mut diverge) = (0, 0);
    for (i, (case, row)) in cases.iter().zip(rows).enumerate() {
        let name = case["name"].as_str().unwrap();
        assert_eq!(row["name"], case["name"], "row {i} is not case {i}");
        let result = parse(&case["input"]);
        let smithy = agrees_with_smithy(&result, &case["output"]);
        let listed = DIVERGENCES.iter().find(|(at, _)| *at == i);
        if let Err(why) = agrees_with_botocore(&result, row) {
            failures.push(format!("#{i} {name:?}: differs from botocore: {why}"));
        }
        match (listed, smithy) {
            (None, true) => agree += 1,
            (Some(_), false) => diverge += 1,
            (None, false) => failures.push(format!(
                "#{i} {name:?}: differs from the cross-SDK answer and is not a listed divergence"
            )),
            (Some((_, why)), true) => failures.push(format!(
                "#{i} {name:?}: listed as a divergence ({why}) but agrees with the suite"
            )),
        }
    }
    eprintln!("profile parser suite: smithy agree {agree}, botocore divergences {diverge}");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(
        (agree, diverge),
        (65 - DIVERGENCES.len(), DIVERGENCES.len())
    );
    assert_eq!(
        (agree, diverge),
        (45, 20),
        "behavior.md §3.7 counts 45 and 20"
    );
}

#[test]
fn botocore_cfg_fixtures() {
    let observed = conformance::json(OBSERVED);
    let rows = observed["cfgFixtures"].as_array().unwrap();
    assert_eq!(rows.len(), 12, "12 fixtures");
    let mut failures = Vec::new();
    for row in rows {
        let file = row["file"].as_str().unwrap();
        let path = conformance::root().join("botocore").join(file);
        let bytes = conformance::bytes(&path);
        let result = SharedConfig::from_sources(Some(&bytes), None);
        let want = &row["load_config"];
        let ok = match &result {
            Err(e) => want.get("error").is_some() && e.kind() == ErrorKind::ConfigParse,
            Ok(shared) => same(&botocore_load_config(shared), want),
        };
        if !ok {
            failures.push(format!("{file}: got {result:?}, botocore {want}"));
        }
    }
    // The raw string behind the nested view (conformance README §9).
    let nested =
        conformance::bytes(&conformance::root().join("botocore/tests/unit/cfg/aws_config_nested"));
    let shared = SharedConfig::from_sources(Some(&nested), None).unwrap();
    let default = shared.profile("default").unwrap();
    assert_eq!(
        default.get("s3"),
        Some("\nsignature_version = s3v4\naddressing_style = path")
    );
    assert_eq!(
        default.sub_properties("s3"),
        Some(vec![
            ("signature_version", "s3v4"),
            ("addressing_style", "path")
        ])
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
