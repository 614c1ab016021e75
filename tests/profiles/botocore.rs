//! The reference reads what we wrote: for each tricky config file of the table, botocore
//! 1.44.8 (`botocore.configloader.load_config`, which is `raw_config_parse` plus
//! `build_profile_map`, from the oracle venv) parses the file before and after
//! `codecommit-auth profiles`, and
//!
//! - every profile and sso-session the user had reads exactly as before (a clash
//!   included: it is left alone);
//! - every profile we wrote reads as exactly our four keys (plus what `[DEFAULT]` adds
//!   to every section, as botocore shows it);
//! - nothing else appears;
//!
//! and byte for byte, the user's file is a prefix of ours (only a missing final line
//! break is supplied before our text), our lines use the file's line ending, and a
//! second run changes nothing.
//!
//! Needs the oracle venv (`target/oracle-venv`, made by `.ci/run`, or
//! `CODECOMMIT_ORACLE_VENV`): without it the test skips loudly, and fails under
//! `CI=true`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::world::{SESSION, World, expected};

/// One case: its name, the config file (`{S}` stands for [`SESSION`]), and the names
/// that exist already and are not ours.
const CASES: &[(&str, &str, &[&str])] = &[
    ("only the sso-session", "{S}", &[]),
    (
        "comments of both kinds",
        "# my config\n; a semicolon comment\n[default]\n# the region\nregion = us-east-1\n\n{S}# trailing\n",
        &[],
    ),
    (
        "[DEFAULT] shows in every section",
        "[DEFAULT]\noutput = json\n\n{S}\n[profile a]\nregion = us-west-1\n",
        &[],
    ),
    (
        "CRLF line endings",
        "[default]\r\nregion = us-east-1\r\n\r\n{S}",
        &[],
    ),
    (
        "no trailing newline",
        "{S}\n[profile last]\nregion = us-west-2",
        &[],
    ),
    (
        "the session last, without a final newline",
        "[default]\nregion = us-east-1\n\n{S-}",
        &[],
    ),
    (
        "an unowned clash and look-alikes that are not profiles",
        "{S}[profile Prod.Admin]\nregion = us-east-1\n\n[Prod.ReadOnly]\nk = v\n\n\
         [sso-session Dev-Team.Developer]\nsso_region = us-east-1\n",
        &["Prod.Admin"],
    ),
    (
        "duplicate-looking headers",
        "[profile  Sandbox.Admin ]\nregion = us-east-1\n[profile \"Sandbox.Developer\"]\n\
         region = us-east-1\n[profiles Sandbox.ReadOnly]\nregion = us-east-1\n{S}",
        &["Sandbox.Admin", "Sandbox.Developer", "Sandbox.ReadOnly"],
    ),
    (
        "a header inside a value",
        "{S}[profile a]\nk = v\n  [profile Prod.Admin]\n",
        &[],
    ),
    (
        "the marker of another session",
        "{S}# managed by codecommit-auth profiles --sso-session other\n[profile Prod.ReadOnly]\n\
         sso_session = other\nsso_account_id = 999999999999\nsso_role_name = ReadOnly\n",
        &["Prod.ReadOnly"],
    ),
];

fn case_text(text: &str) -> String {
    let crlf = text.contains("\r\n");
    let session = if crlf {
        SESSION.replace('\n', "\r\n")
    } else {
        SESSION.to_owned()
    };
    text.replace("{S-}", session.trim_end())
        .replace("{S}", &session)
}

#[test]
fn botocore_reads_exactly_the_profiles_we_meant_and_the_rest_unchanged() {
    let Some(python) = oracle_python() else {
        return;
    };
    let mut failures = Vec::new();
    for (what, text, kept) in CASES {
        if let Err(why) = check(&python, &case_text(text), kept) {
            failures.push(format!("{what}: {why}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn check(python: &Path, before: &str, kept: &[&str]) -> Result<(), String> {
    let world = World::new(Some(before.as_bytes()), 2);
    let ran = world.profiles(&["--sso-session", "corp"]);
    if ran.code != Some(0) {
        return Err(format!("exit {:?}: {}", ran.code, ran.stderr));
    }
    for name in kept {
        if !ran.stderr.contains(&format!("profile {name} ")) {
            return Err(format!("{name} not reported as left alone: {}", ran.stderr));
        }
    }
    let after = String::from_utf8(world.config()).map_err(|e| e.to_string())?;

    // Bytes: the user's file, then ours.
    let eol = if before.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let prefix = if before.ends_with('\n') {
        before.to_owned()
    } else {
        format!("{before}{eol}")
    };
    if !after.starts_with(&prefix) {
        return Err(format!("the user's bytes changed:\n{after}"));
    }
    let ours = &after[prefix.len()..];
    if eol == "\r\n" && ours.replace("\r\n", "").contains('\n') {
        return Err(format!("LF in a CRLF file:\n{ours:?}"));
    }
    if eol == "\n" && ours.contains('\r') {
        return Err(format!("CR in an LF file:\n{ours:?}"));
    }
    if after.ends_with('\n') != before.ends_with('\n') {
        return Err("the final line break changed".into());
    }

    // botocore, before and after.
    let old = load_config(python, &world, before.as_bytes())?;
    let new = load_config(python, &world, after.as_bytes())?;
    if old["sso_sessions"] != new["sso_sessions"] {
        return Err(format!(
            "sso-sessions differ: {} vs {}",
            old["sso_sessions"], new["sso_sessions"]
        ));
    }
    let old_profiles = old["profiles"].as_object().cloned().unwrap_or_default();
    let new_profiles = new["profiles"].as_object().cloned().unwrap_or_default();
    for (name, keys) in &old_profiles {
        if new_profiles.get(name) != Some(keys) {
            return Err(format!(
                "profile {name} was {keys}, is {:?}",
                new_profiles.get(name)
            ));
        }
    }
    // What [DEFAULT] adds to every section, as botocore shows it.
    let defaults: BTreeMap<String, Value> = if before.contains("[DEFAULT]") {
        BTreeMap::from([("output".to_owned(), json!("json"))])
    } else {
        BTreeMap::new()
    };
    let mut written = Vec::new();
    for (name, account, role) in expected() {
        if kept.contains(&name.as_str()) {
            continue;
        }
        let mut want = defaults.clone();
        want.insert("sso_session".into(), json!("corp"));
        want.insert("sso_account_id".into(), json!(account));
        want.insert("sso_role_name".into(), json!(role));
        want.insert("region".into(), json!("eu-central-1"));
        let want: serde_json::Map<String, Value> = want.into_iter().collect();
        if new_profiles.get(&name) != Some(&Value::Object(want.clone())) {
            return Err(format!(
                "botocore reads profile {name} as {:?}, want {}",
                new_profiles.get(&name),
                Value::Object(want)
            ));
        }
        written.push(name);
    }
    let extra: Vec<&String> = new_profiles
        .keys()
        .filter(|n| !old_profiles.contains_key(*n) && !written.contains(*n))
        .collect();
    if !extra.is_empty() {
        return Err(format!("unexpected profiles {extra:?}"));
    }

    // A second run: everything ours already, nothing changes.
    let again = world.profiles(&["--sso-session", "corp"]);
    if again.code != Some(0) || world.config() != after.as_bytes() {
        return Err(format!("the second run changed the file: {}", again.stderr));
    }
    let summary = format!("0 profiles added, 0 updated, {} unchanged", written.len());
    if !again.stderr.contains(&summary) {
        return Err(format!("second run: want {summary:?} in {}", again.stderr));
    }
    Ok(())
}

/// botocore's `load_config` of `text` (written next to the world's config): its
/// `profiles` and `sso_sessions`.
fn load_config(python: &Path, world: &World, text: &[u8]) -> Result<Value, String> {
    let path = world.dir.path().join("aws/botocore-input");
    std::fs::write(&path, text).map_err(|e| e.to_string())?;
    let script = "import json, sys\n\
                  from botocore.configloader import load_config\n\
                  c = load_config(sys.argv[1])\n\
                  print(json.dumps({'profiles': c.get('profiles', {}), \
                  'sso_sessions': c.get('sso_sessions', {})}))\n";
    let out = Command::new(python)
        .args(["-c", script])
        .arg(&path)
        .env_clear()
        .env("HOME", world.dir.path())
        .env("PYTHONUTF8", "1")
        .env("LC_ALL", "C.UTF-8")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if !out.status.success() {
        return Err(format!(
            "botocore failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())
}

/// The oracle venv's python (see `support::venv`).
pub fn oracle_python() -> Option<PathBuf> {
    crate::support::venv::oracle()
}
