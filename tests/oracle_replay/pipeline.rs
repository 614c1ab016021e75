//! The whole pipeline against git-remote-codecommit 1.17 on botocore 1.44.8.
//!
//! `tests/data/oracle/pipeline.json` holds several hundred cases — hand-written ones for
//! every rule of `reference/behavior.md` that concerns remotes, files, profiles, regions
//! and static credentials, and seeded random ones — each with the outcome the real
//! reference produced (`tests/oracle/generate_pipeline.py`; CI regenerates it and fails
//! on any difference). Each case runs here through [`Resolver`] on an in-memory
//! environment holding the same files and variables.
//!
//! A case passes when we give the same URL, or an error of the corresponding kind (with
//! the same message where git-remote-codecommit has its own). Where we depart from the
//! reference on purpose, the case must match one of the named [`DIFFERENCES`], and the
//! count per difference is printed, so nothing passes or fails silently.

use std::time::{Duration, UNIX_EPOCH};

use crate::support::oracle::{self, Difference, HOME};
use codecommit_auth::env::MemoryEnvironment;
use codecommit_auth::{Error, ErrorKind, Resolver};
use serde_json::Value;

/// The day the vectors were generated; botocore compared expiries with its real clock.
const NOW_UNIX: u64 = 1_795_564_800; // 2026-11-25T00:00:00Z

/// Our result for one case.
#[derive(Debug)]
enum Outcome {
    Url {
        url: String,
        method: &'static str,
        /// The profile the resolution used.
        profile: String,
        /// The key id of the credentials that signed.
        access_key_id: String,
    },
    Error(Error),
}

fn environment(case: &Value) -> MemoryEnvironment {
    // What the oracle set when a case did not: instance metadata off
    // (tests/oracle/run_case.py). Its dead endpoints are never called on these cases.
    let env = MemoryEnvironment::new()
        .with_now(UNIX_EPOCH + Duration::from_secs(NOW_UNIX))
        .with_var("AWS_EC2_METADATA_DISABLED", "true");
    oracle::populate(env, case, "http://127.0.0.1:9")
}

fn run(case: &Value) -> Outcome {
    let env = environment(case);
    let time = oracle::signing_time(case["time"].as_str().unwrap());
    let resolver = Resolver::with_environment(env);
    match resolver.resolve(case["remote"].as_str().unwrap()) {
        Ok(resolution) => Outcome::Url {
            url: resolution.sign(time).into_string(),
            method: resolution.credential_source().method(),
            profile: resolution.profile().to_owned(),
            access_key_id: resolution.credentials().access_key_id().to_owned(),
        },
        Err(e) => Outcome::Error(e),
    }
}

/// The kind that corresponds to a reference exception class, and whether our message
/// must equal the reference's (`Exact`, once [`reference_part`] took off what we add) or
/// start with it (`Prefix`: we add what to do).
enum Message {
    Exact,
    Prefix,
    Any,
}

fn expected_kind(class: &str, module: &str, message: &str) -> Option<(ErrorKind, Message)> {
    use ErrorKind::*;
    let grc = module == "git_remote_codecommit";
    Some(match class {
        "FormatError" => (MalformedRemote, Message::Exact),
        "ProfileNotFound" if grc => (ProfileNotFound, Message::Exact),
        "ProfileNotFound" => (ProfileNotFound, Message::Prefix),
        "RegionNotFound" => (RegionNotFound, Message::Exact),
        "RegionNotAvailable" => (RegionNotAvailable, Message::Exact),
        // grc's sentence, then what the chain tried.
        "CredentialsNotFound" => (CredentialsNotFound, Message::Prefix),
        "PartialCredentialsError" => (PartialCredentials, Message::Prefix),
        // `Unable to parse config file: PATH`, then our line number and reason.
        "ConfigParseError" => (ConfigParse, Message::Prefix),
        // urlparse on brackets and NFKC look-alikes (the reference crashes).
        "ValueError" if !message.contains("date") => (MalformedRemote, Message::Any),
        // An AWS_CREDENTIAL_EXPIRATION in the past (the reference crashes).
        "RuntimeError" if message.contains("still expired") => (CredentialsExpired, Message::Any),
        // An unparsable AWS_CREDENTIAL_EXPIRATION (the reference crashes).
        "ParserError" => (MalformedCredentials, Message::Any),
        // A file named by AWS_CREDENTIAL_FILE that is not there (the reference crashes).
        "ConfigNotFound" => (ConfigRead, Message::Any),
        // AWS_CREDENTIAL_FILE with an access key but no secret (the reference crashes).
        "KeyError" => (PartialCredentials, Message::Any),
        // Bytes that are not UTF-8 in a file botocore reads (the reference crashes).
        "UnicodeDecodeError" => (ConfigParse, Message::Any),
        _ => return None,
    })
}

/// Why we may differ from the reference on a case. Each is a `DIFFERENCE:` in the code.
const DIFFERENCES: &[Difference<Outcome>] = &[
    Difference {
        // remote.rs: CodeCommit naming rules; the reference signs for any string and
        // drops a path, query or fragment. Checked after the profile and region, as
        // the reference's own checks, so only cases it let through (or failed later,
        // at credentials) can land here.
        name: "repository names follow CodeCommit's rules",
        applies: |case, ours| {
            let later_stage = match &case["expected"]["error"]["class"] {
                Value::Null => true,
                c => matches!(
                    c.as_str().unwrap(),
                    "CredentialsNotFound"
                        | "PartialCredentialsError"
                        | "RuntimeError"
                        | "TypeError"
                        | "ParserError"
                        | "ConfigNotFound"
                        | "KeyError"
                ),
            };
            later_stage && is_err(ours, ErrorKind::InvalidRepositoryName)
        },
    },
    Difference {
        // remote.rs: the reference deletes TAB, CR and LF anywhere in the remote.
        name: "control characters in a remote are refused",
        applies: |case, ours| {
            remote(case).chars().any(char::is_control) && is_err(ours, ErrorKind::MalformedRemote)
        },
    },
    Difference {
        // remote.rs: `role@account@Repo` names profile `role@account`. Our outcome must
        // be the one that split gives: a URL signed with that profile's keys for that
        // repository, or an error about that profile, its region or that repository.
        name: "the profile ends at the last @",
        applies: split_at_the_last_at,
    },
    Difference {
        // remote.rs: `codecommit::REGION://…` is accepted as `REGION://…`.
        name: "codecommit::REGION:// is accepted",
        applies: |case, ours| {
            let Some(stripped) = strip_full_spelling(remote(case)) else {
                return false;
            };
            let mut twin = case.clone();
            twin["remote"] = Value::String(stripped.to_owned());
            same(ours, &run(&twin))
        },
    },
    Difference {
        // endpoint/mod.rs: FIPS Git hosts are our addition; the reference ignores
        // AWS_USE_FIPS_ENDPOINT and use_fips_endpoint for the Git host. With FIPS turned
        // off (the variable wins over the profile) we must give the reference's URL.
        name: "FIPS Git hosts when FIPS is asked for",
        applies: |case, ours| {
            let Outcome::Url { url, .. } = ours else {
                return false;
            };
            let mut twin = case.clone();
            twin["env"]["AWS_USE_FIPS_ENDPOINT"] = Value::String("false".into());
            url.contains("@git-codecommit-fips.")
                && matches!(run(&twin), Outcome::Url { url, .. } if Some(url.as_str()) == case["expected"]["url"].as_str())
        },
    },
    Difference {
        // credentials/env_vars.rs: a zone-less AWS_CREDENTIAL_EXPIRATION crashes the
        // reference (TypeError); we say what is wrong.
        name: "zone-less expiry is a clear error",
        applies: |case, ours| {
            case["expected"]["error"]["class"] == "TypeError"
                && is_err(ours, ErrorKind::MalformedCredentials)
        },
    },
];

/// Whether `ours` is what splitting the remote at its last `@` gives: the profile
/// before it, the repository after it. Only for remotes with two `@` or more.
fn split_at_the_last_at(case: &Value, ours: &Outcome) -> bool {
    let authority = authority(case);
    if authority.matches('@').count() < 2 {
        return false;
    }
    let (profile, _) = authority.rsplit_once('@').unwrap();
    let after = remote(case).split_once("://").unwrap().1;
    let repository = &after[profile.len() + 1..];
    match ours {
        Outcome::Url {
            url,
            profile: used,
            access_key_id,
            ..
        } => {
            // The URL's username is the key id (then `%` and the session token).
            let username = url
                .strip_prefix("https://")
                .and_then(|u| u.split_once(':'))
                .map_or("", |(user, _)| user);
            used == profile
                && url.ends_with(&format!("/v1/repos/{repository}"))
                && username.split("%25").next() == Some(&urlencode(access_key_id))
                && profile_keys(case, profile).is_none_or(|key| key == *access_key_id)
        }
        Outcome::Error(e) => {
            let text = e.to_string();
            match e.kind() {
                ErrorKind::ProfileNotFound => text.starts_with(&format!(
                    "The following profile was not found: {}. ",
                    codecommit_auth::shown(profile, codecommit_auth::MAX_SHOWN)
                )),
                ErrorKind::CredentialsNotFound => text.contains(&format!(
                    "does not have credentials configured: {}. ",
                    codecommit_auth::shown(profile, codecommit_auth::MAX_SHOWN)
                )),
                ErrorKind::InvalidRepositoryName => text.starts_with(&format!(
                    "the repository name \"{}\" is not valid",
                    codecommit_auth::shown(repository, codecommit_auth::MAX_SHOWN)
                )),
                // The region the profile names (a region in the remote would be the
                // reference's too).
                ErrorKind::RegionNotAvailable => profile_setting(case, profile, "region")
                    .is_some_and(|region| {
                        text.starts_with(&format!(
                            "The following AWS Region is not available for use with AWS \
                             CodeCommit: {region}."
                        ))
                    }),
                _ => false,
            }
        }
    }
}

/// `key` of `profile` in the case's files, as the library reads them.
fn profile_setting(case: &Value, profile: &str, key: &str) -> Option<String> {
    let resolver = Resolver::with_environment(environment(case));
    let config = resolver.config().ok()?;
    config.profile(profile)?.get(key).map(str::to_owned)
}

/// The access key id `profile` itself holds in the case's files, if any.
fn profile_keys(case: &Value, profile: &str) -> Option<String> {
    profile_setting(case, profile, "aws_access_key_id")
}

/// Percent-encoding as the URL's username spells a key id (all but unreserved bytes).
fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn remote(case: &Value) -> &str {
    case["remote"].as_str().unwrap()
}

fn authority(case: &Value) -> &str {
    let r = remote(case);
    let after = r.split_once("://").map_or("", |(_, rest)| rest);
    after.split(['/', '?', '#']).next().unwrap_or("")
}

fn strip_full_spelling(remote: &str) -> Option<&str> {
    let head = remote.get(..12)?;
    head.eq_ignore_ascii_case("codecommit::")
        .then(|| &remote[12..])
}

fn is_err(outcome: &Outcome, kind: ErrorKind) -> bool {
    matches!(outcome, Outcome::Error(e) if e.kind() == kind)
}

fn same(a: &Outcome, b: &Outcome) -> bool {
    match (a, b) {
        (Outcome::Url { url: x, .. }, Outcome::Url { url: y, .. }) => x == y,
        (Outcome::Error(x), Outcome::Error(y)) => x.kind() == y.kind(),
        _ => false,
    }
}

/// `None` when our outcome is the reference's; otherwise why not.
fn disagreement(case: &Value, ours: &Outcome) -> Option<String> {
    let expected = &case["expected"];
    match (ours, expected.get("url")) {
        (Outcome::Url { url, method, .. }, Some(want)) => {
            if url != want.as_str().unwrap() {
                return Some(format!("url {url}\n      want {want}"));
            }
            let want_method = expected["method"].as_str().unwrap_or_default();
            (*method != want_method).then(|| format!("method {method}, want {want_method}"))
        }
        (Outcome::Error(e), Some(want)) => Some(format!("error {e:?}, want url {want}")),
        (ours, None) => {
            let err = &expected["error"];
            let class = err["class"].as_str().unwrap();
            let module = err["module"].as_str().unwrap_or_default();
            let message = err["message"].as_str().unwrap();
            let message = message.replace("{HOME}", HOME);
            let Some((kind, rule)) = expected_kind(class, module, &message) else {
                return Some(format!("no kind for reference error {class}: {message}"));
            };
            let Outcome::Error(e) = ours else {
                return Some(format!("a URL, want {class}: {message}"));
            };
            if e.kind() != kind {
                return Some(format!(
                    "{:?}: {e}\n      want {class}: {message}",
                    e.kind()
                ));
            }
            let text = e.to_string();
            let ok = match rule {
                Message::Exact => reference_part(&text) == message,
                Message::Prefix => text.starts_with(&message),
                Message::Any => true,
            };
            (!ok).then(|| format!("message {text:?}\n      want {message:?}"))
        }
    }
}

#[test]
fn pipeline_matches_the_reference() {
    let doc = oracle::load("pipeline");
    oracle::tally("pipeline", doc["cases"].as_array().unwrap(), 300, |case| {
        let ours = run(case);
        let why = disagreement(case, &ours);
        oracle::verdict(case, &ours, why, DIFFERENCES, || {
            format!("{} ({:?})", case["name"].as_str().unwrap(), remote(case))
        })
    });
}

/// Our message as the reference would word it: without the ` Note: …` that ends it
/// when a shared file a variable names is missing, a variable is empty or `HOME` is
/// unset (resolver.rs `notes`), and with our "No profiles were found: looked in …."
/// turned back into the reference's "Available profiles are: ." (resolver.rs
/// `no_profiles`). Everything else must be word for word the reference's.
fn reference_part(text: &str) -> String {
    let text = match text.rfind(" Note: ") {
        Some(at) if text.ends_with('.') => &text[..at],
        _ => text,
    };
    // The sentence ends where the reference's next one starts.
    match (
        text.find("No profiles were found: "),
        text.find(" Either use"),
    ) {
        (Some(start), Some(end)) if start < end => format!(
            "{}Available profiles are: .{}",
            &text[..start],
            &text[end..]
        ),
        _ => text.to_owned(),
    }
}

/// The rule for remotes with two `@` accepts only what the split at the last `@` gives:
/// the profile before it with its own keys, the repository after it.
#[test]
fn the_last_at_rule_checks_profile_key_and_repository() {
    let case = serde_json::json!({
        "remote": "codecommit://role@123456789012@repo",
        "env": {},
        "files": {".aws/credentials": "[role@123456789012]\naws_access_key_id = AKIDSPLIT\n\
                   aws_secret_access_key = s\n[role]\naws_access_key_id = AKIDFIRST\n\
                   aws_secret_access_key = s\n"},
    });
    let url = |profile: &str, key: &str, repo: &str| Outcome::Url {
        url: format!(
            "https://{key}:20240601T120000Zsig@git-codecommit.us-east-1.amazonaws.com/v1/repos/{repo}"
        ),
        method: "shared-credentials-file",
        profile: profile.to_owned(),
        access_key_id: key.to_owned(),
    };
    assert!(split_at_the_last_at(
        &case,
        &url("role@123456789012", "AKIDSPLIT", "repo")
    ));
    // The first `@`'s profile, its keys, or another repository: not this difference.
    assert!(!split_at_the_last_at(
        &case,
        &url("role", "AKIDFIRST", "repo")
    ));
    assert!(!split_at_the_last_at(
        &case,
        &url("role@123456789012", "AKIDFIRST", "repo")
    ));
    assert!(!split_at_the_last_at(
        &case,
        &url("role@123456789012", "AKIDSPLIT", "123456789012@repo")
    ));
    let mut single = case.clone();
    single["remote"] = Value::String("codecommit://role@repo".into());
    assert!(!split_at_the_last_at(
        &single,
        &url("role", "AKIDFIRST", "repo")
    ));
}
