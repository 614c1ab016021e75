//! SSO profiles against git-remote-codecommit 1.17 on botocore 1.44.8.
//!
//! `tests/data/oracle/sso.json` holds 128 cases that `tests/oracle/generate_sso.py` ran
//! through the real reference against a scripted local SSO portal and OIDC endpoint,
//! with botocore's clocks frozen: the files, variables, server script, and what came out
//! — the URL or error, every request the server received, every cache file left behind.
//! Each case runs here against the same script on a real loopback server.
//!
//! A case passes when the URL (or error kind, with botocore's message where one
//! exists), the requests (method, path, query, bearer token, body) and the token cache
//! files all match. Where we are deliberately kinder or faster than botocore, the case
//! must match one of the named [`DIFFERENCES`]; counts are printed.

use std::collections::BTreeMap;

use crate::support::oracle::{self, Difference, HOME};
use crate::support::server::Seen;
use codecommit_auth::env::{HttpsClient, MemoryEnvironment};
use codecommit_auth::{ErrorKind, Resolver};
use serde_json::Value;

/// Our result for a case, with what the server saw and the cache files afterwards.
struct Run {
    outcome: Result<String, codecommit_auth::Error>,
    seen: Vec<Seen>,
    files: BTreeMap<String, Vec<u8>>,
}

fn run(case: &Value) -> Run {
    let server = oracle::scripted_server(case);
    let url = server.url();
    let base = MemoryEnvironment::new()
        .with_now(oracle::system_time(case["now"].as_str().unwrap()))
        .with_var("AWS_EC2_METADATA_DISABLED", "true");
    // Proxy variables, if the case has any, configure the client the same way.
    let proxies = oracle::populate(MemoryEnvironment::new(), case, &url);
    let env = oracle::populate(base, case, &url).with_http_client(
        HttpsClient::from_environment(&proxies).with_timeout_cap(std::time::Duration::from_secs(5)),
    );
    let resolver = Resolver::with_environment(env);
    let time = oracle::signing_time(case["time"].as_str().unwrap());
    let outcome = resolver
        .resolve(case["remote"].as_str().unwrap())
        .map(|r| r.sign(time).into_string());
    let files = case["expected"]["files_after"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(rel, _)| {
            let path = format!("{HOME}/{rel}");
            resolver
                .environment()
                .file(&path)
                .map(|bytes| (path, bytes))
        })
        .collect();
    Run {
        outcome,
        seen: server.seen(),
        files,
    }
}

fn expected_kind(class: &str) -> Option<ErrorKind> {
    use ErrorKind::*;
    Some(match class {
        "InvalidConfigError" => InvalidConfig,
        "SSOTokenLoadError" | "UnauthorizedSSOTokenError" | "TokenRetrievalError" => {
            SsoLoginRequired
        }
        "ClientError"
        | "ResourceNotFoundException"
        | "TooManyRequestsException"
        | "ForbiddenException" => ServiceError,
        "EndpointConnectionError"
        | "ProxyConnectionError"
        | "ConnectTimeoutError"
        | "ReadTimeoutError" => Network,
        "RuntimeError" => CredentialsExpired,
        "CredentialsNotFound" => CredentialsNotFound,
        "RegionNotFound" => RegionNotFound,
        _ => return None,
    })
}

/// Reference crashes that have no class of their own: which of ours fits depends on
/// where it happened.
fn crash_kinds(class: &str) -> &'static [ErrorKind] {
    match class {
        // A token cache that is not JSON or lacks fields (login fixes it); a portal answer
        // without roleCredentials.
        "KeyError" => &[ErrorKind::SsoLoginRequired, ErrorKind::MalformedCredentials],
        // expiresAt as a number or without a zone.
        "TypeError" => &[ErrorKind::SsoLoginRequired],
        _ => &[],
    }
}

fn check_outcome(case: &Value, run: &Run) -> Option<String> {
    oracle::compare_outcome(case, &run.outcome, |class, message, e| {
        let message = oracle::substitute(message, "");
        let ok = match expected_kind(class) {
            Some(kind) => e.kind() == kind,
            None => crash_kinds(class).contains(&e.kind()),
        };
        if !ok {
            return Some(format!(
                "{:?}: {e}\n      want {class}: {message}",
                e.kind()
            ));
        }
        // botocore's own sentences must be where ours start (we add context after).
        let botocore_text = [
            "InvalidConfigError",
            "TokenRetrievalError",
            "UnauthorizedSSOTokenError",
            "CredentialsNotFound",
            "RegionNotFound",
        ];
        (botocore_text.contains(&class)
            && !e.to_string().starts_with(message.trim_end_matches('.')))
        .then(|| format!("message {e}\n      want {message}"))
    })
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
                .map(|s| format!("{} {}", s.method, s.path))
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
        let query: BTreeMap<&str, &str> = s
            .query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let want_query: BTreeMap<&str, &str> = w["query"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.as_str(), v.as_str().unwrap()))
            .collect();
        if query != want_query {
            return Some(format!("request {i}: query {query:?}, want {want_query:?}"));
        }
        for (name, value) in w["headers"].as_object().into_iter().flatten() {
            let got = s.header(name);
            let ok = match value {
                Value::Bool(false) => got.is_none(),
                Value::Bool(true) => got.is_some(),
                Value::String(v) if name == "content-type" => {
                    got.is_some_and(|g| g.starts_with(v.split(';').next().unwrap()))
                }
                Value::String(v) => got == Some(v.as_str()),
                _ => true,
            };
            if !ok {
                return Some(format!(
                    "request {i}: header {name} = {got:?}, want {value}"
                ));
            }
        }
        if !w["body"].is_null() {
            let body: Value = serde_json::from_slice(&s.body).unwrap_or(Value::Null);
            if body != w["body"] {
                return Some(format!("request {i}: body {body}, want {}", w["body"]));
            }
        }
    }
    None
}

/// Compares the token cache files (`.aws/sso/cache`) semantically: every field botocore
/// wrote must be ours too; ours may keep more (unknown fields, the old refresh token).
fn check_files(case: &Value, run: &Run) -> Option<String> {
    for (rel, want) in case["expected"]["files_after"]
        .as_object()
        .into_iter()
        .flatten()
    {
        if !rel.starts_with(".aws/sso/cache/") {
            continue;
        }
        let got = run.files.get(&format!("{HOME}/{rel}")).cloned();
        match (want.as_str(), got) {
            (None, None) => {}
            (Some(_), None) => return Some(format!("{rel}: missing")),
            (None, Some(_)) => return Some(format!("{rel}: should not exist")),
            (Some(want), Some(got)) => {
                let (Ok(Value::Object(want)), Ok(Value::Object(got))) = (
                    serde_json::from_str::<Value>(want),
                    serde_json::from_slice::<Value>(&got),
                ) else {
                    if want.as_bytes() != got.as_slice() {
                        return Some(format!("{rel}: bytes differ"));
                    }
                    continue;
                };
                for (k, v) in &want {
                    if got.get(k) != Some(v) {
                        return Some(format!("{rel}: {k} = {:?}, want {v}", got.get(k)));
                    }
                }
            }
        }
    }
    None
}

fn is_portal(path: &Value) -> bool {
    path.as_str()
        .unwrap_or("")
        .ends_with("/federation/credentials")
}

fn portal_replies(case: &Value) -> Vec<Value> {
    case["server"]["routes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| is_portal(&r["path"]))
        .flat_map(|r| r["responses"].as_array().unwrap().clone())
        .collect()
}

fn first_portal_key(case: &Value) -> Option<String> {
    let body: Value = serde_json::from_str(portal_replies(case).first()?["body"].as_str()?).ok()?;
    body["roleCredentials"]["accessKeyId"]
        .as_str()
        .map(str::to_owned)
}

const DIFFERENCES: &[Difference<Run>] = &[
    Difference {
        // credentials/process.rs, sso: we fetch once per run. botocore re-fetches on every
        // read of credentials with under 15 minutes left (4 portal calls, and a URL that
        // mixes keys from two fetches, behavior.md §4.5).
        name: "short-lived credentials are fetched once",
        applies: |case, run| {
            let portal_calls = case["expected"]["requests"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| is_portal(&r["path"]))
                .count();
            let ours = run
                .seen
                .iter()
                .filter(|s| s.path.ends_with("/federation/credentials"))
                .count();
            portal_calls > 1
                && ours == 1
                && matches!(&run.outcome, Ok(url) if first_portal_key(case).is_some_and(|k| url.starts_with(&format!("https://{k}%25"))))
        },
    },
    Difference {
        // credentials/sso/token.rs: a refresh that fails in any way (an unreachable
        // endpoint, a malformed answer, an unreadable registration expiry) falls back to a
        // token that is still valid; botocore only does so for HTTP error answers.
        name: "a failed refresh falls back to a still-valid token",
        applies: |case, run| {
            let class = case["expected"]["error"]["class"].as_str().unwrap_or("");
            let old_token = case["files"]
                .as_object()
                .unwrap()
                .iter()
                .find(|(k, _)| k.starts_with(".aws/sso/cache/"))
                .and_then(|(_, v)| serde_json::from_str::<Value>(v.as_str()?).ok())
                .and_then(|t| t["accessToken"].as_str().map(str::to_owned));
            let bearer = run
                .seen
                .iter()
                .find(|s| s.path.ends_with("/federation/credentials"))
                .and_then(|s| s.header("x-amz-sso_bearer_token"));
            matches!(class, "KeyError" | "EndpointConnectionError" | "TypeError")
                && run.outcome.is_ok()
                && old_token.is_some()
                && bearer == old_token.as_deref()
        },
    },
    Difference {
        // endpoint/mod.rs: FIPS Git hosts are our addition. With FIPS off (the variable
        // wins over the profile) we must give the reference's URL.
        name: "FIPS Git hosts when FIPS is asked for",
        applies: |case, run| {
            let Ok(url) = &run.outcome else { return false };
            let mut twin = case.clone();
            twin["env"]["AWS_USE_FIPS_ENDPOINT"] = Value::String("false".into());
            url.contains("@git-codecommit-fips.")
                && matches!(&self::run(&twin).outcome, Ok(u) if Some(u.as_str()) == case["expected"]["url"].as_str())
        },
    },
    Difference {
        // endpoint/mod.rs: FIPS asked for where CodeCommit has no FIPS Git host is an
        // error before any credential is fetched; the reference signs for the standard
        // host (or fails later reaching a FIPS SSO host that does not exist).
        name: "no FIPS Git host in the region is an error",
        applies: |_, run| matches!(&run.outcome, Err(e) if e.kind() == ErrorKind::FipsNotAvailable),
    },
    Difference {
        // credentials/cli_cache.rs: SSO role credentials are shared with the AWS CLI v2
        // through ~/.aws/cli/cache; botocore ignores entries there.
        name: "fresh AWS CLI cache entries are used",
        applies: |case, run| {
            let has_cache = case["files"]
                .as_object()
                .unwrap()
                .keys()
                .any(|k| k.starts_with(".aws/cli/cache/"));
            has_cache
                && run.outcome.is_ok()
                && !run
                    .seen
                    .iter()
                    .any(|s| s.path.ends_with("/federation/credentials"))
        },
    },
];

#[test]
fn sso_matches_the_reference() {
    let doc = oracle::load("sso");
    oracle::tally("sso", doc["cases"].as_array().unwrap(), 100, |case| {
        let run = run(case);
        let problem = check_outcome(case, &run)
            .or_else(|| check_requests(case, &run))
            .or_else(|| check_files(case, &run));
        oracle::verdict(case, &run, problem, DIFFERENCES, || {
            case["name"].as_str().unwrap().to_owned()
        })
    });
}
