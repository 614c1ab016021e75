//! Assume-role, web-identity and credential_process profiles against
//! git-remote-codecommit 1.17 on botocore 1.44.8.
//!
//! `tests/data/oracle/roles.json` holds the cases `tests/oracle/generate_roles.py` ran
//! through the real reference against a scripted local STS, with botocore's clocks
//! (including the `botocore-session-<now>` session name) frozen at the case's `now`:
//! the files, variables, server script, and what came out — the URL or error, every
//! request STS received, every cache file left behind. Each case runs here against the
//! same script on a real loopback server, with our clock frozen at the same instant and
//! `credential_process` run for real.
//!
//! A case passes when the URL (or error kind), the STS requests (method, path, whether
//! signed, and the form fields that carry meaning) and the cache files all match. Where
//! we deliberately differ, the case must match one of the named [`DIFFERENCES`]; counts
//! are printed.

use std::collections::BTreeMap;

use crate::support::loopback::LoopbackOnly;
use crate::support::oracle::{self, Difference, HOME};
use crate::support::server::{Seen, decode};
use codecommit_auth::env::{MemoryEnvironment, OsEnvironment};
use codecommit_auth::{ErrorKind, Resolver};
use serde_json::Value;

/// The STS form fields compared (present or absent, and their values).
const FORM_FIELDS: &[&str] = &[
    "Action",
    "Version",
    "RoleArn",
    "RoleSessionName",
    "ExternalId",
    "DurationSeconds",
    "WebIdentityToken",
    "SerialNumber",
    "TokenCode",
    "Policy",
];

/// Our result for a case, with what the server saw and the cache files afterwards.
struct Run {
    outcome: Result<String, codecommit_auth::Error>,
    seen: Vec<Seen>,
    files: BTreeMap<String, Vec<u8>>,
}

/// A cache path and its twin in the other cache directory (`.aws/boto/cache/K.json` ↔
/// `.aws/cli/cache/K.json`).
fn twin(rel: &str) -> Option<String> {
    if let Some(k) = rel.strip_prefix(".aws/boto/cache/") {
        Some(format!(".aws/cli/cache/{k}"))
    } else {
        rel.strip_prefix(".aws/cli/cache/")
            .map(|k| format!(".aws/boto/cache/{k}"))
    }
}

fn run(case: &Value) -> Run {
    let server = oracle::scripted_server(case);
    let url = server.url();
    let base = MemoryEnvironment::new()
        .with_now(oracle::system_time(case["now"].as_str().unwrap()))
        .with_var("AWS_EC2_METADATA_DISABLED", "true")
        .with_var("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:9")
        .with_var("AWS_ENDPOINT_URL_SSO_OIDC", "http://127.0.0.1:9")
        // As the oracle ran: nobody to give an MFA code (not the machine's git
        // core.askPass either; the memory environment has no terminal).
        .with_var("GIT_ASKPASS", "");
    let mut env = oracle::populate(base, case, &url)
        .with_http_client(LoopbackOnly::new())
        .with_process_runner(OsEnvironment::run);
    // The oracle's prompter answered `<prompt>|<code>` (generate_roles.py): an askpass
    // program answers the same from the prompt we show, so the TokenCode compared
    // holds both.
    let mut _askpass_dir = None;
    if let Some(code) = case["env"]["ORACLE_MFA_CODE"].as_str() {
        let dir = crate::support::disk::TempDir::new("replay-askpass");
        dir.write(
            "askpass",
            format!("#!/bin/sh\nprintf '%s|{code}\\n' \"$1\"\n"),
        );
        let script = dir.path().join("askpass");
        make_executable(&script);
        env = env.with_var("GIT_ASKPASS", script.display().to_string());
        _askpass_dir = Some(dir);
    }
    let resolver = Resolver::with_environment(env);
    let time = oracle::signing_time(case["time"].as_str().unwrap());
    let outcome = resolver
        .resolve(case["remote"].as_str().unwrap())
        .map(|r| r.sign(time).into_string());
    let mut rels: Vec<String> = Vec::new();
    for (rel, _) in case["expected"]["files_after"]
        .as_object()
        .into_iter()
        .flatten()
    {
        rels.push(rel.clone());
        rels.extend(twin(rel));
    }
    let files = rels
        .into_iter()
        .filter_map(|rel| {
            let bytes = resolver.environment().file(format!("{HOME}/{rel}"))?;
            Some((rel, bytes))
        })
        .collect();
    Run {
        outcome,
        seen: server.seen(),
        files,
    }
}

#[cfg(unix)]
fn make_executable(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// botocore's exception class → the kinds of ours that mean the same.
fn expected_kinds(class: &str) -> &'static [ErrorKind] {
    use ErrorKind::*;
    match class {
        "InvalidConfigError" | "InfiniteLoopConfigError" => &[InvalidConfig],
        "PartialCredentialsError" => &[PartialCredentials],
        "ClientError" => &[ServiceError],
        // credential_source with nothing in it; a process that failed or answered
        // something unusable.
        "CredentialRetrievalError" => &[ProcessFailed, CredentialsNotFound, MalformedCredentials],
        "JSONDecodeError" => &[ProcessFailed, MalformedCredentials],
        // The web identity token file cannot be read.
        "FileNotFoundError" => &[ConfigRead, CredentialsNotFound, InvalidConfig],
        "CredentialsNotFound" => &[CredentialsNotFound],
        _ => &[],
    }
}

fn check_outcome(case: &Value, run: &Run) -> Option<String> {
    oracle::compare_outcome(case, &run.outcome, |class, message, e| {
        (!expected_kinds(class).contains(&e.kind()))
            .then(|| format!("{:?}: {e}\n      want {class}: {message}", e.kind()))
    })
}

/// The form fields of a body given as text.
fn form(body: &str) -> BTreeMap<String, String> {
    body.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(&v.replace('+', " ")))
        })
        .filter(|(k, _)| FORM_FIELDS.contains(&k.as_str()))
        .collect()
}

fn check_requests(case: &Value, run: &Run) -> Option<String> {
    let want = case["expected"]["requests"].as_array().unwrap();
    if want.len() != run.seen.len() {
        return Some(format!(
            "{} requests, want {}: {:?}",
            run.seen.len(),
            want.len(),
            run.seen
                .iter()
                .map(|s| String::from_utf8_lossy(&s.body).into_owned())
                .collect::<Vec<_>>()
        ));
    }
    for (i, (w, s)) in want.iter().zip(&run.seen).enumerate() {
        if w["method"] != s.method.as_str() || w["path"] != s.path.as_str() {
            return Some(format!(
                "request {i}: {} {}, want {} {}",
                s.method, s.path, w["method"], w["path"]
            ));
        }
        let signed = s.header("authorization").is_some();
        if w["headers"]["authorization"] != signed {
            return Some(format!("request {i}: signed {signed}, want {}", !signed));
        }
        let got = form(&String::from_utf8_lossy(&s.body));
        let wanted = form(w["body"].as_str().unwrap_or(""));
        if got != wanted {
            return Some(format!("request {i}: form {got:?}\n      want {wanted:?}"));
        }
    }
    None
}

/// The access key of a cache entry.
fn cached_key(bytes: &[u8]) -> Option<String> {
    let doc: Value = serde_json::from_slice(bytes).ok()?;
    doc["Credentials"]["AccessKeyId"]
        .as_str()
        .map(str::to_owned)
}

/// Every cache file botocore left must be ours too, at the same path, with the same keys.
fn check_files(case: &Value, run: &Run) -> Option<String> {
    for (rel, want) in case["expected"]["files_after"]
        .as_object()
        .into_iter()
        .flatten()
    {
        match (want.as_str(), run.files.get(rel)) {
            (None, None) => {}
            (Some(_), None) => return Some(format!("{rel}: missing")),
            (None, Some(_)) => return Some(format!("{rel}: should not exist")),
            (Some(want), Some(got)) => {
                if cached_key(want.as_bytes()) != cached_key(got) {
                    return Some(format!(
                        "{rel}: key {:?}, want {:?}",
                        cached_key(got),
                        cached_key(want.as_bytes())
                    ));
                }
            }
        }
    }
    None
}

fn case_has_file(case: &Value, prefix: &str) -> bool {
    case["files"]
        .as_object()
        .unwrap()
        .keys()
        .any(|k| k.starts_with(prefix))
}

const DIFFERENCES: &[Difference<Run>] = &[
    Difference {
        // credentials/assume_role.rs, cli_cache.rs: we read ~/.aws/boto/cache and
        // ~/.aws/cli/cache but write only the AWS CLI's ~/.aws/cli/cache; grc writes
        // ~/.aws/boto/cache. Same file name (botocore's key), same credentials.
        name: "assumed-role credentials are written to ~/.aws/cli/cache",
        applies: |case, run| {
            check_outcome(case, run).is_none()
                && check_requests(case, run).is_none()
                && case["expected"]["files_after"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .all(|(rel, want)| {
                        // Ours is at the twin path when we wrote one (a stale boto
                        // entry stays as it was), else where botocore's is.
                        let ours = twin(rel)
                            .and_then(|t| run.files.get(&t))
                            .or_else(|| run.files.get(rel));
                        match (want.as_str(), ours) {
                            (Some(w), Some(g)) => cached_key(w.as_bytes()) == cached_key(g),
                            (None, None) => true,
                            _ => false,
                        }
                    })
        },
    },
    Difference {
        // credentials/cli_cache.rs: fresh AWS CLI cache entries are used (no STS call);
        // botocore only looks in ~/.aws/boto/cache.
        name: "fresh AWS CLI cache entries are used",
        applies: |case, run| {
            case_has_file(case, ".aws/cli/cache/")
                && run.seen.is_empty()
                && matches!(&run.outcome, Ok(url) if url.starts_with("https://ASIACACHED"))
        },
    },
    Difference {
        // credentials/mfa.rs: mfa_serial without a cached session asks for the code
        // (an askpass program, else the terminal), as botocore prompts on the terminal.
        // Here nobody can be asked: the replay has no terminal and no askpass program,
        // so the error names the ways to give the code; botocore's getpass falls back
        // to stdin, which the oracle ran at EOF (EOFError).
        name: "mfa_serial without cached credentials is MfaRequired",
        applies: |case, run| {
            case["expected"]["error"]["class"] == "EOFError"
                && run.seen.is_empty()
                && matches!(&run.outcome, Err(e) if e.kind() == ErrorKind::MfaRequired)
        },
    },
];

#[test]
fn roles_match_the_reference() {
    let doc = oracle::load("roles");
    oracle::tally("roles", doc["cases"].as_array().unwrap(), 30, |case| {
        let run = run(case);
        let problem = check_outcome(case, &run)
            .or_else(|| check_requests(case, &run))
            .or_else(|| check_files(case, &run));
        oracle::verdict(case, &run, problem, DIFFERENCES, || {
            case["name"].as_str().unwrap().to_owned()
        })
    });
}
