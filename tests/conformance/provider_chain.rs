//! smithy-rs's end-to-end provider directories (conformance README §4) against our
//! provider chain: `TD/profile-provider/`, `TD/default-credential-provider-chain/` and
//! `TD/default-token-provider-chain/`.
//!
//! Each case runs in a [`MemoryEnvironment`] built from its `env.json` and its `fs/`
//! (mounted at `/`), with a fixed clock near the recording, `AWS_EC2_METADATA_DISABLED`
//! set, a replay server on 127.0.0.1 (`tests/support/replay.rs`), and the tests'
//! loopback-only HTTP guard (`tests/support/loopback.rs`), which refuses any other host
//! so a missing override fails the case instead of reaching AWS. The remote is `us-east-1://repo`: the profile comes from
//! the environment, as git-remote-codecommit resolves a remote without `profile@`, and
//! the region of the remote never reaches the credential providers.
//!
//! How the requests reach the replay server:
//!
//! * recorded AWS hosts: `AWS_ENDPOINT_URL_STS`, `…_SSO` and `…_SSO_OIDC` point at it;
//!   the case then runs a second time with no override and the guard sending the
//!   recorded origins (only those) to the server, so the URL we chose is checked against
//!   the recording: a different host is refused;
//! * recorded endpoint overrides (`http://aws.…-override`): that origin is replaced by
//!   the server's wherever the case writes it (a variable, `endpoint_url`, a
//!   `[services]` section), keeping its path, and only the services the case does not
//!   call get the variables, so the override under test is the only way to the server;
//! * FIPS and dual-stack cases: only the second kind of run, since any override would
//!   bypass the host being tested.
//!
//! Every received request is checked against the recorded one: method, path, query as
//! a set, `x-amz-sso_bearer_token`, the STS content type and form (all but
//! `RoleSessionName`, for which botocore sends `botocore-session-<now>`), and the STS
//! signature is verified with the base credentials the [`ChainPlan`] names, in botocore's
//! client region. The provider that answered must be the one the plan names (or the
//! environment, which comes first without `profile@`). `credential_process` cases run
//! real programs (`echo`, `base64`, `sh`) and are skipped on Windows.
//!
//! Inputs adapted to botocore and said so: `AWS_REGION` is renamed
//! `AWS_DEFAULT_REGION` (botocore 1.44.8 does not read `AWS_REGION`), except in the
//! literal run of `region_override`. Cases where botocore's answer differs are in
//! [`DIVERGENT`] with the rule, and assert botocore's answer.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use codecommit_auth::config::SharedConfig;
use codecommit_auth::credentials::{BaseStep, ChainPlan, KeyFile};
use codecommit_auth::env::{MemoryEnvironment, OsEnvironment};
use codecommit_auth::{Error, ErrorKind, Resolution, Resolver};

use crate::support::loopback::LoopbackOnly;
use crate::support::provider_data::{Exchange, Expected, ProviderCase, provider_cases};
use crate::support::replay::{Canned, Replay, split_url};
use crate::support::server::{Seen, decode};
use crate::support::sts::{form, verify};

const REMOTE: &str = "us-east-1://repo";
/// The STS recordings' `date` header, 2021-08-05T18:58:02Z.
const RECORDED: u64 = 1_628_189_882;

/// botocore's answer where it differs from smithy-rs's.
enum Botocore {
    /// Other credentials; `method` is botocore's provider name.
    Credentials {
        method: &'static str,
        access_key_id: &'static str,
        secret_access_key: &'static str,
        account_id: Option<&'static str>,
    },
    /// smithy-rs's credentials, but the one STS call signed for another region.
    StsRegion(&'static str),
    /// An error of this class whose message contains the text.
    Error(ErrorKind, &'static str),
}

/// A change of input under which botocore gives smithy-rs's answer.
#[derive(Clone, Copy, Debug)]
enum Variant {
    /// `us-east-1://default@repo`: the profile named, so the environment's keys are off
    /// (§4.2), which is what smithy-rs's profile provider does.
    ExplicitProfile,
    /// `credential_process = sh -c '…'`: the shell smithy-rs runs the command with.
    Shell,
    /// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` set but empty.
    EmptyEnvKeys,
    /// `AWS_REGION` renamed `AWS_DEFAULT_REGION`.
    RenameRegion,
}

struct Divergence {
    case: &'static str,
    why: &'static str,
    /// botocore's answer to the case as written (`AWS_REGION` kept).
    botocore: Botocore,
    /// How many requests botocore makes for it.
    requests: usize,
    /// An input under which botocore agrees with smithy-rs, checked as well.
    agrees_with: Option<Variant>,
    /// Where botocore sends the STS call, when that differs from the recording.
    sts_host: Option<&'static str>,
}

const DIVERGENT: &[Divergence] = &[
    Divergence {
        case: "e2e_assume_role",
        why: "BOTOCORE §4.1/§4.2: git-remote-codecommit runs botocore's whole chain, and \
              AWS_ACCESS_KEY_ID comes first for a remote without profile@ (this suite runs \
              smithy-rs's profile provider alone); AWS_ACCOUNT_ID is the env account",
        botocore: Botocore::Credentials {
            method: "env",
            access_key_id: "foo",
            secret_access_key: "bar",
            account_id: Some("123456789002"),
        },
        requests: 0,
        agrees_with: Some(Variant::ExplicitProfile),
        sts_host: None,
    },
    Divergence {
        case: "credential_process",
        why: "BOTOCORE §8: the command is split with shlex and run without a shell, so \
              `echo … | base64 --decode` prints its arguments and the output is not JSON",
        botocore: Botocore::Error(ErrorKind::ProcessFailed, "its output is not JSON"),
        requests: 0,
        agrees_with: Some(Variant::Shell),
        sts_host: None,
    },
    Divergence {
        case: "credential_process_account_id_fallback",
        why: "BOTOCORE §8: no shell, as for credential_process",
        botocore: Botocore::Error(ErrorKind::ProcessFailed, "its output is not JSON"),
        requests: 0,
        agrees_with: Some(Variant::Shell),
        sts_host: None,
    },
    Divergence {
        case: "credential_process_failure",
        why: "BOTOCORE §8: no shell, so `exit` is looked up as a program and cannot be run \
              (botocore: FileNotFoundError) rather than exiting with status 1",
        botocore: Botocore::Error(ErrorKind::ProcessFailed, "cannot run"),
        requests: 0,
        agrees_with: Some(Variant::Shell),
        sts_host: None,
    },
    Divergence {
        case: "environment_variables_blank",
        why: "BOTOCORE §4.4: the env provider applies when AWS_ACCESS_KEY_ID is non-empty, \
              and \" \" is (Python truthiness, no trimming): the keys are \" \" and \" \"; \
              only the empty string counts as unset",
        botocore: Botocore::Credentials {
            method: "env",
            access_key_id: " ",
            secret_access_key: " ",
            account_id: None,
        },
        requests: 0,
        agrees_with: Some(Variant::EmptyEnvKeys),
        sts_host: None,
    },
    Divergence {
        case: "region_override",
        why: "BOTOCORE §7.3/§10 item 2: AWS_REGION is not read; the STS client's region is \
              AWS_DEFAULT_REGION or the profile's region (us-east-1)",
        botocore: Botocore::StsRegion("us-east-1"),
        requests: 1,
        agrees_with: Some(Variant::RenameRegion),
        sts_host: Some("https://sts.us-east-1.amazonaws.com"),
    },
];

/// botocore's error class (and message part) for the cases where both SDKs fail, with
/// the input as smithy-rs means it (for a [`DIVERGENT`] case: its `agrees_with` input).
const ERRORS: &[(&str, ErrorKind, &str)] = &[
    (
        "credential_process_failure",
        ErrorKind::ProcessFailed,
        "the command exited with status 1",
    ),
    (
        "credential_process_invalid",
        ErrorKind::ProcessFailed,
        "its output is not JSON",
    ),
    (
        "empty_config",
        ErrorKind::CredentialsNotFound,
        "does not have credentials configured",
    ),
    (
        "invalid_config",
        ErrorKind::ConfigParse,
        "Unable to parse config file: /home/.aws/config",
    ),
    // BOTOCORE §4.3: a token-only sso_session profile is not an SSO credential profile.
    (
        "invalid_sso_credentials_config",
        ErrorKind::CredentialsNotFound,
        "does not have credentials configured",
    ),
    (
        "sso_token",
        ErrorKind::CredentialsNotFound,
        "does not have credentials configured",
    ),
    (
        "profile_overrides_web_identity",
        ErrorKind::CredentialsNotFound,
        "No credentials found in credential_source referenced in profile A",
    ),
    // The one smithy-rs expectation worth keeping as text: the cache file's path.
    (
        "sso_no_token_file",
        ErrorKind::SsoLoginRequired,
        "/home/.aws/sso/cache/dace00cba5f8355ec9d274ceb2bcebdfbeed0e12.json",
    ),
    // One 503, then nothing: the retries find no server answer.
    ("sso_server_error", ErrorKind::Network, "SSO portal"),
];

/// How requests reach the replay server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Routing {
    /// `AWS_ENDPOINT_URL_{STS,SSO,SSO_OIDC}` name it.
    Variables,
    /// The case's own override, re-pointed at it.
    RecordedOverride,
    /// No override: the guard sends the expected origins to it.
    MapHosts,
}

/// One run of a case.
struct Run<'a> {
    case: &'a ProviderCase,
    routing: Routing,
    variant: Option<Variant>,
    /// Keep `AWS_REGION` as written.
    literal_region: bool,
    /// Where requests must go when hosts are mapped, if not where the recording says.
    expect_origin: Option<&'static str>,
    now: SystemTime,
}

struct Outcome {
    result: Result<Resolution, Error>,
    seen: Vec<Seen>,
    asked: Vec<String>,
    server: String,
    vars: BTreeMap<String, String>,
    config: Option<std::sync::Arc<SharedConfig>>,
    profile: String,
}

fn is_aws_host(uri: &str) -> bool {
    let (origin, _) = split_url(uri);
    origin.ends_with(".amazonaws.com") || origin.ends_with(".api.aws")
}

/// The recorded override origins (`http://aws.…-override`).
fn recorded_overrides(case: &ProviderCase) -> BTreeSet<String> {
    case.exchanges
        .iter()
        .filter(|e| !is_aws_host(&e.uri))
        .map(|e| split_url(&e.uri).0.to_owned())
        .collect()
}

/// The service variable suffix a recorded request belongs to.
fn service(exchange: &Exchange) -> &'static str {
    let (_, rest) = split_url(&exchange.uri);
    if rest.starts_with("/federation/") {
        "SSO"
    } else if rest.starts_with("/token") {
        "SSO_OIDC"
    } else {
        "STS"
    }
}

fn clock(case: &ProviderCase) -> SystemTime {
    let secs = match &case.expected {
        Expected::Credentials {
            expiry: Some(expiry),
            ..
        } => *expiry as u64 - 3600,
        _ => RECORDED,
    };
    UNIX_EPOCH + Duration::from_secs(secs)
}

/// `sh -c '<command>'` for the case's `credential_process` line.
fn shell_wrapped(config: &str) -> String {
    config
        .lines()
        .map(|line| match line.split_once("credential_process = ") {
            Some(("", command)) => {
                assert!(!command.contains('\''), "cannot quote {command:?}");
                format!("credential_process = sh -c '{command}'")
            }
            _ => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn execute(run: &Run<'_>, extra_files: &[(String, Vec<u8>)], responses: Vec<Canned>) -> Outcome {
    let case = run.case;
    let server = Replay::start(responses);
    let url = server.url();
    let overrides = recorded_overrides(case);
    let repoint = |text: &str| {
        let mut text = text.to_owned();
        if run.routing == Routing::RecordedOverride {
            for origin in &overrides {
                text = text.replace(origin.as_str(), &url);
            }
        }
        text
    };

    let mut vars: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in &case.env {
        let k = if k == "AWS_REGION" && !run.literal_region {
            "AWS_DEFAULT_REGION"
        } else {
            k.as_str()
        };
        vars.insert(k.to_owned(), repoint(v));
    }
    vars.insert("AWS_EC2_METADATA_DISABLED".into(), "true".into());
    let called: BTreeSet<&str> = case.exchanges.iter().map(service).collect();
    for svc in ["STS", "SSO", "SSO_OIDC"] {
        let set = match run.routing {
            Routing::Variables => true,
            Routing::RecordedOverride => !called.contains(svc),
            Routing::MapHosts => false,
        };
        if set {
            vars.insert(format!("AWS_ENDPOINT_URL_{svc}"), url.clone());
        }
    }
    if let Some(Variant::EmptyEnvKeys) = run.variant {
        vars.insert("AWS_ACCESS_KEY_ID".into(), String::new());
        vars.insert("AWS_SECRET_ACCESS_KEY".into(), String::new());
    }

    // The guard refuses any host but 127.0.0.1; with hosts mapped, the origins the case
    // expects (and only those) are sent to the replay server.
    let mut client = LoopbackOnly::new();
    if run.routing == Routing::MapHosts {
        let origins: BTreeSet<&str> = match run.expect_origin {
            Some(origin) => [origin].into(),
            None => case.exchanges.iter().map(|e| split_url(&e.uri).0).collect(),
        };
        for origin in origins {
            client = client.alias(origin, &url);
        }
    }
    let log = client.log();
    let mut env = MemoryEnvironment::new()
        .with_now(run.now)
        .with_http_client(client)
        .with_process_runner(OsEnvironment::run);
    for (k, v) in &vars {
        env = env.with_var(k, v);
    }
    for (path, bytes) in case.files.iter().chain(extra_files) {
        let mut text = repoint(&String::from_utf8_lossy(bytes));
        if let (Some(Variant::Shell), "/home/.aws/config") = (run.variant, path.as_str()) {
            text = shell_wrapped(&text);
        }
        env = env.with_file(path, text);
    }

    if run.routing == Routing::RecordedOverride {
        let written = vars.values().any(|v| v.contains(&url))
            || case.files.iter().any(|(_, b)| {
                overrides
                    .iter()
                    .any(|o| String::from_utf8_lossy(b).contains(o.as_str()))
            });
        assert!(
            written,
            "{}: the recorded override is nowhere in the case",
            case.name
        );
    }

    let remote = match run.variant {
        Some(Variant::ExplicitProfile) => "us-east-1://default@repo",
        _ => REMOTE,
    };
    let profile = match run.variant {
        Some(Variant::ExplicitProfile) => "default".to_owned(),
        _ => vars
            .get("AWS_DEFAULT_PROFILE")
            .or(vars.get("AWS_PROFILE"))
            .cloned()
            .unwrap_or_else(|| "default".into()),
    };
    let resolver = Resolver::with_environment(env);
    let result = resolver.resolve(remote);
    Outcome {
        result,
        seen: server.seen(),
        asked: log.lock().unwrap().iter().map(|a| a.url.clone()).collect(),
        server: url,
        vars,
        config: resolver.config().ok(),
        profile,
    }
}

/// The recorded responses, in order.
fn canned(case: &ProviderCase) -> Vec<Canned> {
    case.exchanges
        .iter()
        .map(|e| Canned::new(e.status, &e.response_headers, &e.response_body))
        .collect()
}

fn query_set(pairs: impl IntoIterator<Item = (String, String)>) -> BTreeSet<(String, String)> {
    pairs.into_iter().collect()
}

fn recorded_query(rest: &str) -> BTreeSet<(String, String)> {
    let query = rest.split_once('?').map_or("", |(_, q)| q);
    query_set(query.split('&').filter(|p| !p.is_empty()).map(|p| {
        let (k, v) = p.split_once('=').unwrap_or((p, ""));
        (decode(k), decode(v))
    }))
}

fn recorded_path(rest: &str) -> &str {
    match rest.split('?').next().unwrap_or("") {
        "" => "/",
        path => path,
    }
}

fn media_type(content_type: &str) -> &str {
    content_type.split(';').next().unwrap_or("").trim()
}

/// The base credentials' access key and secret, from the plan of `profile`.
fn base_keys(config: &SharedConfig, profile: &str) -> Option<(String, String)> {
    let plan = ChainPlan::for_profile(config, profile).ok()?;
    let BaseStep::StaticKeys {
        profile,
        file,
        access_key_id,
        ..
    } = plan.base()
    else {
        return None;
    };
    let p = config.profile(profile)?;
    let section = match file {
        KeyFile::Credentials => p.credentials_file(),
        _ => p.config_file(),
    }?;
    Some((
        access_key_id.clone(),
        section.get("aws_secret_access_key")?.to_owned(),
    ))
}

/// botocore's STS client region: AWS_DEFAULT_REGION, else the profile's (§7.3).
fn sts_region(out: &Outcome) -> String {
    out.vars
        .get("AWS_DEFAULT_REGION")
        .cloned()
        .or_else(|| {
            let config = out.config.as_ref()?;
            Some(config.profile(&out.profile)?.get("region")?.to_owned())
        })
        .unwrap_or_else(|| "us-east-1".into())
}

/// Every received request against the recorded one (retries against the last), and
/// where each was sent.
fn check_requests(run: &Run<'_>, out: &Outcome, problems: &mut Vec<String>) {
    let exchanges = &run.case.exchanges;
    for (i, seen) in out.seen.iter().enumerate() {
        let Some(want) = exchanges.get(i).or(exchanges.last()) else {
            problems.push(format!(
                "request {i} ({} {}) has no recording",
                seen.method, seen.path
            ));
            continue;
        };
        let (_, rest) = split_url(&want.uri);
        let bad = |what: &str, ours: &dyn std::fmt::Debug, recorded: &dyn std::fmt::Debug| {
            format!("request {i}: {what} is {ours:?}, recorded {recorded:?}")
        };
        if seen.method != want.method {
            problems.push(bad("method", &seen.method, &want.method));
        }
        if seen.path != recorded_path(rest) {
            problems.push(bad("path", &seen.path, &recorded_path(rest)));
        }
        let ours = query_set(seen.query.clone());
        if ours != recorded_query(rest) {
            problems.push(bad("query", &ours, &recorded_query(rest)));
        }
        if let Some(token) = want.header("x-amz-sso_bearer_token") {
            if seen.header("x-amz-sso_bearer_token") != Some(token) {
                problems.push(bad(
                    "x-amz-sso_bearer_token",
                    &seen.header("x-amz-sso_bearer_token"),
                    &token,
                ));
            }
            if seen.header("authorization").is_some() {
                problems.push(bad("authorization", &"present", &"absent (unsigned)"));
            }
        }
        if let (Some(body), "POST") = (&want.request_body, want.method.as_str()) {
            let ct = seen.header("content-type").map(media_type);
            let recorded = want.header("content-type").map(media_type);
            if ct != recorded {
                problems.push(bad("content type", &ct, &recorded));
            }
            check_sts_form(run, out, seen, body, i, problems);
        }
        // Where it went.
        let asked = out.asked.get(i).map(String::as_str).unwrap_or("");
        let (origin, asked_rest) = split_url(asked);
        match run.routing {
            Routing::MapHosts => {
                let recorded_origin = run.expect_origin.unwrap_or(split_url(&want.uri).0);
                if origin != recorded_origin || recorded_path(asked_rest) != recorded_path(rest) {
                    problems.push(bad("URL", &asked, &want.uri));
                }
            }
            _ => {
                if origin != out.server {
                    problems.push(bad("URL", &asked, &"the replay server"));
                }
            }
        }
    }
    if out.asked.len() != out.seen.len() {
        problems.push(format!(
            "the library asked for {:?} but the server saw {} requests (a refused host?)",
            out.asked,
            out.seen.len()
        ));
    }
}

/// The STS form as recorded, except `RoleSessionName`; the signature, with the base keys
/// the plan names, in botocore's client region.
fn check_sts_form(
    run: &Run<'_>,
    out: &Outcome,
    seen: &Seen,
    recorded_body: &str,
    i: usize,
    problems: &mut Vec<String>,
) {
    let ours = form(seen);
    let recorded: BTreeMap<String, String> = recorded_body
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(&v.replace('+', " ")))
        })
        .collect();
    for (k, v) in &recorded {
        let want = if k == "RoleSessionName" {
            // BOTOCORE §7.1: the default session name is botocore-session-<epoch>.
            let secs = run.now.duration_since(UNIX_EPOCH).unwrap().as_secs();
            format!("botocore-session-{secs}")
        } else {
            v.clone()
        };
        if ours.get(k) != Some(&want) {
            problems.push(format!(
                "request {i}: form {k} is {:?}, want {want:?}",
                ours.get(k)
            ));
        }
    }
    if ours.len() != recorded.len() {
        problems.push(format!(
            "request {i}: form keys {:?}, recorded {:?}",
            ours.keys().collect::<BTreeSet<_>>(),
            recorded.keys().collect::<BTreeSet<_>>()
        ));
    }
    if recorded.get("Action").map(String::as_str) != Some("AssumeRole") {
        return;
    }
    let Some((access_key, secret)) = out
        .config
        .as_deref()
        .and_then(|c| base_keys(c, &out.profile))
    else {
        problems.push(format!("request {i}: the plan names no static base keys"));
        return;
    };
    // With hosts mapped, the request was signed for the host we chose, not the one it
    // reached.
    let mut signed = seen.clone();
    if run.routing == Routing::MapHosts {
        let asked = out.asked.get(i).map(String::as_str).unwrap_or("");
        let host = split_url(asked).0.split_once("://").map_or("", |(_, h)| h);
        signed.headers.insert("host".into(), host.to_owned());
    }
    match verify(&signed, &secret) {
        Ok(v) => {
            let region = sts_region(out);
            if v.access_key != access_key || v.region != region || v.service != "sts" {
                problems.push(format!(
                    "request {i}: signed by {}/{}/{}, want {access_key}/{region}/sts",
                    v.access_key, v.region, v.service
                ));
            }
        }
        Err(e) => problems.push(format!("request {i}: signature: {e}")),
    }
}

/// botocore's provider name for what the plan says a profile resolves to.
fn plan_method(config: &SharedConfig, profile: &str) -> Option<&'static str> {
    let plan = ChainPlan::for_profile(config, profile).ok()?;
    if !plan.roles().is_empty() {
        return Some("assume-role");
    }
    Some(match plan.base() {
        BaseStep::StaticKeys {
            file: KeyFile::Credentials,
            ..
        } => "shared-credentials-file",
        BaseStep::StaticKeys { .. } => "config-file",
        BaseStep::Sso { .. } => "sso",
        BaseStep::WebIdentity { .. } => "assume-role-with-web-identity",
        BaseStep::Other { method, .. } => method,
        _ => return None,
    })
}

/// smithy-rs's expected result against ours; plus the provider the chain used against
/// the one the plan names (or `env`, which comes first without `profile@`).
fn check_expected(expected: &Expected, out: &Outcome, problems: &mut Vec<String>) {
    let Expected::Credentials {
        access_key_id,
        secret_access_key,
        session_token,
        account_id,
        expiry,
    } = expected
    else {
        problems.push("not a credentials case".into());
        return;
    };
    let resolution = match &out.result {
        Ok(r) => r,
        Err(e) => {
            problems.push(format!("failed: {:?}: {e}", e.kind()));
            return;
        }
    };
    let c = resolution.credentials();
    let ours = (
        c.access_key_id(),
        c.secret_access_key(),
        c.session_token(),
        c.account_id().map(|a| a.as_str()),
        c.expiry()
            .map(|t| t.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64),
    );
    let want = (
        access_key_id.as_str(),
        secret_access_key.as_str(),
        session_token.as_deref(),
        account_id.as_deref(),
        *expiry,
    );
    if ours != want {
        problems.push(format!(
            "credentials (key, secret, token, account, expiry) are {ours:?}, want {want:?}"
        ));
    }
    let env_first = out
        .vars
        .get("AWS_ACCESS_KEY_ID")
        .is_some_and(|v| !v.is_empty())
        && resolution.profile_source() != codecommit_auth::ProfileSource::Remote;
    let planned = if env_first {
        Some("env")
    } else {
        out.config
            .as_deref()
            .and_then(|c| plan_method(c, &out.profile))
    };
    let method = resolution.credential_source().method();
    if planned != Some(method) {
        problems.push(format!(
            "resolved by {method}, but the plan says {planned:?}"
        ));
    }
}

fn check_botocore(d: &Divergence, expected: &Expected, out: &Outcome, problems: &mut Vec<String>) {
    match &d.botocore {
        Botocore::Credentials {
            method,
            access_key_id,
            secret_access_key,
            account_id,
        } => match &out.result {
            Ok(r) => {
                let c = r.credentials();
                let ours = (
                    r.credential_source().method(),
                    c.access_key_id(),
                    c.secret_access_key(),
                    c.session_token(),
                    c.account_id().map(|a| a.as_str()),
                    c.expiry(),
                );
                let want = (
                    *method,
                    *access_key_id,
                    *secret_access_key,
                    None,
                    *account_id,
                    None,
                );
                if ours != want {
                    problems.push(format!("botocore gives {want:?}, we {ours:?}"));
                }
            }
            Err(e) => problems.push(format!("botocore succeeds; we failed: {e}")),
        },
        Botocore::StsRegion(region) => {
            check_expected(expected, out, problems);
            if sts_region(out) != *region {
                problems.push(format!(
                    "botocore's STS region is {region}, the rule gives {}",
                    sts_region(out)
                ));
            }
        }
        Botocore::Error(kind, text) => check_error(*kind, text, out, problems),
    }
}

fn check_error(kind: ErrorKind, text: &str, out: &Outcome, problems: &mut Vec<String>) {
    match &out.result {
        Ok(r) => problems.push(format!(
            "botocore fails ({kind:?}); we resolved {}",
            r.credential_source()
        )),
        Err(e) if e.kind() != kind || !e.message().contains(text) => problems.push(format!(
            "botocore fails with {kind:?} containing {text:?}; we failed with {:?}: {e}",
            e.kind()
        )),
        Err(_) => {}
    }
}

/// Runs one credentials case in every routing it needs; returns whether it diverges.
fn credentials_case(case: &ProviderCase, problems: &mut Vec<String>) -> bool {
    let now = clock(case);
    let overrides = !recorded_overrides(case).is_empty();
    let aws_traffic = case.exchanges.iter().any(|e| is_aws_host(&e.uri));
    let routings: &[Routing] = if overrides {
        &[Routing::RecordedOverride]
    } else if case.name.contains("fips") {
        &[Routing::MapHosts]
    } else if aws_traffic {
        &[Routing::Variables, Routing::MapHosts]
    } else {
        &[Routing::Variables]
    };
    let divergence = DIVERGENT.iter().find(|d| d.case == case.name);
    let mut prefixed = |routing: Routing, what: &str, found: Vec<String>| {
        problems.extend(
            found
                .into_iter()
                .map(|p| format!("[{routing:?}, {what}] {p}")),
        );
    };

    for &routing in routings {
        // The case as written (botocore's answer), and the input botocore agrees on.
        let mut runs = vec![(None, divergence.is_some())];
        if let Some(d) = divergence {
            runs.push((d.agrees_with, false));
        }
        for (variant, literal) in runs {
            let expect_origin = match divergence {
                Some(Divergence {
                    botocore: Botocore::StsRegion(_),
                    sts_host,
                    ..
                }) if literal => *sts_host,
                _ => None,
            };
            let run = Run {
                case,
                routing,
                variant,
                literal_region: literal,
                expect_origin,
                now,
            };
            let out = execute(&run, &[], canned(case));
            let mut found = Vec::new();
            let expected_requests = match (literal, divergence) {
                (true, Some(d)) => {
                    check_botocore(d, &case.expected, &out, &mut found);
                    Some(d.requests)
                }
                _ => {
                    match &case.expected {
                        Expected::ErrorContains(_) => {
                            match ERRORS.iter().find(|(n, _, _)| *n == case.name) {
                                Some((_, kind, text)) => check_error(*kind, text, &out, &mut found),
                                None => found.push("an error case without botocore's class".into()),
                            }
                        }
                        Expected::Credentials { .. } => {
                            check_expected(&case.expected, &out, &mut found);
                        }
                        Expected::Token { .. } => found.push("a token case".into()),
                    }
                    None
                }
            };
            let seen = out.seen.len();
            let recorded = case.exchanges.len();
            let count_ok = match expected_requests {
                Some(n) => seen == n,
                // Retries past the recording: botocore makes 3 attempts in all.
                None if case.name == "sso_server_error" => (recorded..=3).contains(&seen),
                None => seen == recorded,
            };
            if !count_ok {
                found.push(format!(
                    "{seen} requests, recorded {recorded} (asked for {:?})",
                    out.asked
                ));
            }
            check_requests(&run, &out, &mut found);
            let what = match variant {
                None if literal => {
                    format!("as written, botocore: {}", divergence.map_or("", |d| d.why))
                }
                None => "the case".to_owned(),
                Some(v) => format!("{v:?}"),
            };
            prefixed(routing, &what, found);
        }
    }
    divergence.is_some()
}

#[test]
fn credential_provider_directories() {
    let mut report = Vec::new();
    let mut failures = Vec::new();
    let mut names = BTreeSet::new();
    for suite in ["profile-provider", "default-credential-provider-chain"] {
        let cases = provider_cases(suite);
        assert!(!cases.is_empty(), "{suite}: no cases found");
        let (mut agree, mut divergent) = (0, 0);
        for case in &cases {
            names.insert(case.name.clone());
            if cfg!(windows) && case.name.starts_with("credential_process") {
                // These run POSIX programs (echo, base64, sh).
                continue;
            }
            let mut problems = Vec::new();
            if credentials_case(case, &mut problems) {
                divergent += 1;
            } else {
                agree += 1;
            }
            failures.extend(
                problems
                    .into_iter()
                    .map(|p| format!("{suite}/{}: {p}", case.name)),
            );
        }
        report.push(format!(
            "{suite}: {agree} agree with smithy-rs, {divergent} follow botocore where it differs (of {})",
            cases.len()
        ));
    }
    // Every listed name is a real case.
    for d in DIVERGENT {
        assert!(names.contains(d.case), "DIVERGENT names {}", d.case);
    }
    for (name, _, _) in ERRORS {
        assert!(names.contains(*name), "ERRORS names {name}");
    }
    for d in DIVERGENT {
        report.push(format!("  divergent {}: {}", d.case, d.why));
    }
    eprintln!("{}", report.join("\n"));
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// `TD/default-token-provider-chain/`: an SSO bearer token from the cache.
///
/// Our chain resolves credentials, never a bare token, so each case is checked the way
/// our SSO token loader is reached: the selected sso-session profile gets an
/// `sso_account_id` and `sso_role_name`, and the token the loader read is the one it
/// sends to the portal. The expiration is pinned to the second: one second before it
/// the token is used (no refresh data, so no OIDC call), at it the loader refuses it.
/// As written, the profile is token-only, which botocore's credential chain skips
/// (§4.3): no credentials and no request.
#[test]
fn token_provider_directories() {
    let cases = provider_cases("default-token-provider-chain");
    assert_eq!(cases.len(), 3);
    let mut failures = Vec::new();
    for case in &cases {
        let Expected::Token { token, expiration } = &case.expected else {
            panic!("{}: not a token case", case.name);
        };
        let expires =
            time::OffsetDateTime::parse(expiration, &time::format_description::well_known::Rfc3339)
                .unwrap()
                .unix_timestamp() as u64;
        let mut fail = |p: String| failures.push(format!("{}: {p}", case.name));
        let run = |now: u64, probe: bool| {
            let run = Run {
                case,
                routing: Routing::Variables,
                variant: None,
                literal_region: false,
                expect_origin: None,
                now: UNIX_EPOCH + Duration::from_secs(now),
            };
            let (files, responses) = if probe {
                (vec![probe_config(case)], vec![portal_answer()])
            } else {
                (Vec::new(), Vec::new())
            };
            execute(&run, &files, responses)
        };

        let out = run(expires - 1, false);
        let mut found = Vec::new();
        check_error(
            ErrorKind::CredentialsNotFound,
            "does not have credentials configured",
            &out,
            &mut found,
        );
        if !out.seen.is_empty() {
            found.push(format!("token-only profile made requests: {:?}", out.asked));
        }
        found.into_iter().for_each(&mut fail);

        let out = run(expires - 1, true);
        match (&out.result, out.seen.as_slice()) {
            (Ok(r), [seen]) => {
                if seen.header("x-amz-sso_bearer_token") != Some(token.as_str()) {
                    fail(format!(
                        "bearer token {:?}, want {token:?}",
                        seen.header("x-amz-sso_bearer_token")
                    ));
                }
                let query = query_set(seen.query.clone());
                let want = query_set([
                    ("account_id".to_owned(), "000000000000".to_owned()),
                    ("role_name".to_owned(), "TokenProbe".to_owned()),
                ]);
                if seen.path != "/federation/credentials" || query != want {
                    fail(format!("portal request {} {query:?}", seen.path));
                }
                if r.credential_source().method() != "sso" {
                    fail(format!("resolved by {}", r.credential_source()));
                }
            }
            (result, seen) => fail(format!(
                "probe one second before expiry: {:?}, {} requests",
                result.as_ref().err(),
                seen.len()
            )),
        }

        let out = run(expires, true);
        let mut found = Vec::new();
        check_error(ErrorKind::SsoLoginRequired, "expired", &out, &mut found);
        if !out.seen.is_empty() {
            found.push("an expired token reached the portal".into());
        }
        found.into_iter().for_each(&mut fail);
    }
    eprintln!(
        "default-token-provider-chain: {} of 3 tokens read as recorded, through the SSO \
         token loader",
        3 - failures
            .iter()
            .map(|f| f.split(':').next().unwrap())
            .collect::<BTreeSet<_>>()
            .len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The case's config with `sso_account_id` and `sso_role_name` added to the selected
/// profile, so the SSO credential provider (and through it the token loader) applies.
fn probe_config(case: &ProviderCase) -> (String, Vec<u8>) {
    let profile = case
        .env
        .iter()
        .find(|(k, _)| k == "AWS_PROFILE")
        .map_or("default", |(_, v)| v.as_str());
    let (path, bytes) = case
        .files
        .iter()
        .find(|(p, _)| p == "/home/.aws/config")
        .expect("a config file");
    let header = format!("[profile {profile}]");
    let text = String::from_utf8_lossy(bytes);
    assert!(text.contains(&header), "{}: no {header}", case.name);
    let text = text.replacen(
        &header,
        &format!("{header}\nsso_account_id = 000000000000\nsso_role_name = TokenProbe"),
        1,
    );
    (path.clone(), text.into_bytes())
}

fn portal_answer() -> Canned {
    Canned::new(
        200,
        &[("content-type".into(), "application/json".into())],
        r#"{"roleCredentials":{"accessKeyId":"ASIAPROBE","secretAccessKey":"probe","sessionToken":"probe","expiration":4000000000000}}"#,
    )
}
