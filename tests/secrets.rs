//! Secrets never leak (issue 7, STYLE.md §5 item 11).
//!
//! Every secret in this file is a *sentinel*: a string that contains `SENTINEL` and that
//! nothing else in the inputs contains (no profile, key id, path or URL does). Each test
//! builds the public values that can hold a secret — credentials from every provider
//! through the resolver (environment, static keys in either file, SSO with a token
//! refresh, assume-role against the STS stand-in of `tests/support/sts.rs`, web
//! identity, `credential_process`, container credentials, the application callback),
//! `Resolution`, `SignedUrl`, `UrlRequest`, `Signer`, `HttpRequest` with a bearer header,
//! `HttpResponse`, `ProcessRequest`/`ProcessOutput`, `SharedConfig`, `Properties`,
//! `MemoryEnvironment`, `HttpsClient` with a proxy password — and every error the suite
//! can provoke from secret-bearing input, formats each with `{:?}`, with `{}` where
//! Display exists, with `Error::chain_message()` and `Resolution::explain()`, and fails
//! if `SENTINEL` appears in any of them.
//!
//! So that a passing test means something, each scenario also checks that its secrets
//! did arrive where they belong (the credentials hold them, the URL carries the token).
//!
//! Zeroize on drop: the last test installs a scanning global allocator and checks that
//! freeing each secret-owning value frees no block still holding its sentinel. What it
//! does not cover: transient copies inside a resolution (serde_json values while a
//! cache file or answer is parsed, ureq's and rustls's buffers, process pipes).

// Tests read and write their own fixtures; the seam rule is for the library.
#![allow(clippy::disallowed_methods)]

mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Debug;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use codecommit_auth::config::SharedConfig;
use codecommit_auth::credentials::Credentials;
use codecommit_auth::env::{
    Environment, HttpClient, HttpError, HttpRequest, HttpResponse, HttpsClient, MemoryEnvironment,
    OsEnvironment, ProcessOutput, ProcessRequest,
};
use codecommit_auth::sign::{Signer, UrlRequest};
use codecommit_auth::{Error, ErrorKind, RepositoryName, Resolution, Resolver, SigningTime};

const MARK: &str = "SENTINEL";
const HOME: &str = "/home/dev";
const NOW: u64 = 1_800_000_000;

/// Panics if any text of `views` shows a sentinel.
#[track_caller]
fn assert_clean(what: &str, views: &[String]) {
    for view in views {
        assert!(!view.contains(MARK), "{what} shows a secret:\n{view}");
    }
}

/// `{:?}` of a value.
fn debug(v: &impl Debug) -> String {
    format!("{v:?}")
}

/// Every view of an error: Display, Debug, the chain.
fn error_views(e: &Error) -> Vec<String> {
    vec![
        e.to_string(),
        format!("{e:?}"),
        e.chain_message(),
        e.message().to_owned(),
    ]
}

/// Every view of a resolution and of the URL it signs.
fn resolution_views(r: &Resolution) -> Vec<String> {
    let url = r.sign(SigningTime::from_unix(NOW as i64).unwrap());
    vec![
        debug(r),
        r.explain(),
        debug(r.credentials()),
        debug(r.credential_source()),
        r.credential_source().to_string(),
        debug(&url),
        url.redacted(),
        url.username()[..url.username().find("%25").unwrap_or(url.username().len())].to_owned(),
        url.password().to_owned(),
        url.host().to_owned(),
        url.path().to_owned(),
    ]
}

fn memory() -> MemoryEnvironment {
    MemoryEnvironment::new()
        .with_var("HOME", HOME)
        .with_var("AWS_EC2_METADATA_DISABLED", "true")
        .with_now(UNIX_EPOCH + Duration::from_secs(NOW))
}

fn at(offset: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(NOW as i64 + offset).unwrap();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Answers every request in memory and records it: the SSO portal, SSO OIDC, STS (the
/// stand-in's XML) and a container endpoint, each handing out sentinel secrets.
#[derive(Clone, Default)]
struct Services {
    seen: Arc<Mutex<Vec<HttpRequest>>>,
    /// Status of every answer (200 unless set).
    status: Option<u16>,
}

impl HttpClient for Services {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        self.seen.lock().unwrap().push(request.clone());
        let status = self.status.unwrap_or(200);
        let body = if status != 200 {
            if request.method == "POST" && request.url.contains("sts") {
                support::sts::error_response("AccessDenied", "not allowed")
            } else {
                r#"{"error": "invalid_grant", "message": "no"}"#.to_owned()
            }
        } else if request.url.contains("/federation/credentials") {
            format!(
                r#"{{"roleCredentials": {{"accessKeyId": "ASIAPORTAL", "secretAccessKey": "SENTINEL-SECRET-PORTAL", "sessionToken": "SENTINEL-TOKEN-PORTAL", "expiration": {}}}}}"#,
                (NOW + 3600) * 1000
            )
        } else if request.url.ends_with("/token") {
            r#"{"accessToken": "SENTINEL-SSO-ACCESS-NEW", "expiresIn": 3600, "refreshToken": "SENTINEL-SSO-REFRESH-NEW"}"#.to_owned()
        } else if request.url.contains("/creds") {
            format!(
                r#"{{"AccessKeyId": "ASIACONTAINER", "SecretAccessKey": "SENTINEL-SECRET-CONTAINER", "Token": "SENTINEL-TOKEN-CONTAINER", "Expiration": "{}"}}"#,
                at(3600)
            )
        } else {
            let operation = if String::from_utf8_lossy(&request.body).contains("WebIdentity") {
                "AssumeRoleWithWebIdentity"
            } else {
                "AssumeRole"
            };
            support::sts::assume_role_response(operation, 1, "123456789012", &at(3600))
                .replace("sts-secret-1", "SENTINEL-SECRET-STS")
                .replace("sts-token-1", "SENTINEL-TOKEN-STS")
        };
        Ok(HttpResponse {
            status,
            headers: Vec::new(),
            body: body.into_bytes(),
        })
    }
}

/// The config of every scenario: one profile per provider.
const CONFIG: &str = "\
[profile static]
region = eu-west-1

[profile cfgkeys]
region = eu-west-1
aws_access_key_id = AKIDCONFIG
aws_secret_access_key = SENTINEL-SECRET-CONFIGFILE

[profile sso]
region = eu-west-1
sso_session = my-sso
sso_account_id = 111122223333
sso_role_name = Dev

[sso-session my-sso]
sso_start_url = https://my-sso-portal.awsapps.com/start
sso_region = us-east-1

[profile role]
region = eu-west-1
role_arn = arn:aws:iam::123456789012:role/Role1
source_profile = static

[profile web]
region = eu-west-1
role_arn = arn:aws:iam::123456789012:role/Web
web_identity_token_file = /t/web-token

[profile process]
region = eu-west-1
credential_process = /opt/creds --password SENTINEL-PROCESS-ARGUMENT

[profile plain]
region = eu-west-1
";

const CREDENTIALS: &str = "\
[static]
aws_access_key_id = AKIDSTATIC
aws_secret_access_key = SENTINEL-SECRET-STATIC
aws_session_token = SENTINEL-TOKEN-STATIC
";

/// sha1("my-sso"): the sso-session's token file.
const SSO_TOKEN: &str = "/home/dev/.aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json";

fn token(expires_in: i64) -> String {
    format!(
        r#"{{"startUrl": "https://my-sso-portal.awsapps.com/start", "region": "us-east-1", "accessToken": "SENTINEL-SSO-ACCESS", "expiresAt": "{}", "clientId": "CLIENT", "clientSecret": "SENTINEL-SSO-CLIENT-SECRET", "registrationExpiresAt": "{}", "refreshToken": "SENTINEL-SSO-REFRESH"}}"#,
        at(expires_in),
        at(86_400)
    )
}

fn process_output(
    stdout: &str,
    code: i32,
) -> impl Fn(&ProcessRequest) -> Result<ProcessOutput, codecommit_auth::env::ProcessError>
+ Send
+ Sync
+ 'static {
    let stdout = stdout.to_owned();
    move |_| {
        Ok(ProcessOutput {
            code: Some(code),
            stdout: stdout.clone().into_bytes(),
            stderr: b"it failed".to_vec(),
        })
    }
}

const PROCESS_GOOD: &str = r#"{"Version": 1, "AccessKeyId": "ASIAPROCESS", "SecretAccessKey": "SENTINEL-SECRET-PROCESS", "SessionToken": "SENTINEL-TOKEN-PROCESS", "Expiration": "2099-01-01T00:00:00Z"}"#;

/// The full environment: files, variables, services, processes.
fn env(services: Services) -> MemoryEnvironment {
    memory()
        .with_file(format!("{HOME}/.aws/config"), CONFIG)
        .with_file(format!("{HOME}/.aws/credentials"), CREDENTIALS)
        .with_file(SSO_TOKEN, token(60)) // refreshed on use
        .with_file("/t/web-token", "SENTINEL-WEB-IDENTITY-TOKEN")
        .with_file("/t/ec2", "AWSAccessKeyId=AKIDEC2\nAWSSecretKey=SENTINEL-SECRET-EC2\n")
        .with_file(
            "/t/boto",
            "[Credentials]\naws_access_key_id = AKIDBOTO\naws_secret_access_key = SENTINEL-SECRET-BOTO\n",
        )
        .with_http_client(services)
        .with_process_runner(process_output(PROCESS_GOOD, 0))
}

/// One provider's scenario: how to reach it, and the secrets it must carry.
struct Scenario {
    name: &'static str,
    remote: &'static str,
    vars: Vec<(&'static str, &'static str)>,
    secret: &'static str,
    token: Option<&'static str>,
}

fn scenarios() -> Vec<Scenario> {
    let s = |name, remote, secret, token| Scenario {
        name,
        remote,
        vars: Vec::new(),
        secret,
        token,
    };
    vec![
        Scenario {
            vars: vec![
                ("AWS_ACCESS_KEY_ID", "AKIDENV"),
                ("AWS_SECRET_ACCESS_KEY", "SENTINEL-SECRET-ENV"),
                ("AWS_SESSION_TOKEN", "SENTINEL-TOKEN-ENV"),
                ("AWS_DEFAULT_REGION", "eu-west-1"),
            ],
            ..s(
                "environment variables",
                "codecommit://Repo",
                "SENTINEL-SECRET-ENV",
                Some("SENTINEL-TOKEN-ENV"),
            )
        },
        s(
            "static keys, credentials file",
            "codecommit://static@Repo",
            "SENTINEL-SECRET-STATIC",
            Some("SENTINEL-TOKEN-STATIC"),
        ),
        s(
            "static keys, config file",
            "codecommit://cfgkeys@Repo",
            "SENTINEL-SECRET-CONFIGFILE",
            None,
        ),
        s(
            "SSO, token refreshed",
            "codecommit://sso@Repo",
            "SENTINEL-SECRET-PORTAL",
            Some("SENTINEL-TOKEN-PORTAL"),
        ),
        s(
            "assume-role via STS",
            "codecommit://role@Repo",
            "SENTINEL-SECRET-STS",
            Some("SENTINEL-TOKEN-STS&more"),
        ),
        s(
            "web identity via STS",
            "codecommit://web@Repo",
            "SENTINEL-SECRET-STS",
            Some("SENTINEL-TOKEN-STS&more"),
        ),
        s(
            "credential_process",
            "codecommit://process@Repo",
            "SENTINEL-SECRET-PROCESS",
            Some("SENTINEL-TOKEN-PROCESS"),
        ),
        Scenario {
            vars: vec![
                ("AWS_CREDENTIAL_FILE", "/t/ec2"),
                ("AWS_DEFAULT_REGION", "eu-west-1"),
            ],
            ..s(
                "AWS_CREDENTIAL_FILE (ec2-credentials-file)",
                "codecommit://Repo",
                "SENTINEL-SECRET-EC2",
                None,
            )
        },
        Scenario {
            vars: vec![
                ("BOTO_CONFIG", "/t/boto"),
                ("AWS_DEFAULT_REGION", "eu-west-1"),
            ],
            ..s(
                "BOTO_CONFIG (boto-config)",
                "codecommit://Repo",
                "SENTINEL-SECRET-BOTO",
                None,
            )
        },
        Scenario {
            vars: vec![
                (
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                    "http://127.0.0.1:1/creds",
                ),
                (
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                    "SENTINEL-CONTAINER-AUTHORIZATION",
                ),
                ("AWS_DEFAULT_REGION", "eu-west-1"),
            ],
            ..s(
                "container credentials",
                "codecommit://Repo",
                "SENTINEL-SECRET-CONTAINER",
                Some("SENTINEL-TOKEN-CONTAINER"),
            )
        },
    ]
}

#[test]
fn credentials_from_every_provider_stay_hidden() {
    for scenario in scenarios() {
        let services = Services::default();
        let mut env = env(services.clone());
        for (k, v) in &scenario.vars {
            env = env.with_var(*k, *v);
        }
        let resolver = Resolver::with_environment(env);
        let resolution = resolver
            .resolve(scenario.remote)
            .unwrap_or_else(|e| panic!("{}: {}", scenario.name, e.chain_message()));
        // The secrets arrived...
        let creds = resolution.credentials();
        assert_eq!(
            creds.secret_access_key(),
            scenario.secret,
            "{}",
            scenario.name
        );
        assert_eq!(creds.session_token(), scenario.token, "{}", scenario.name);
        let url = resolution.sign(SigningTime::from_unix(NOW as i64).unwrap());
        if let Some(token) = scenario.token {
            assert!(
                url.as_str().contains(&token.replace('&', "%26")),
                "{}",
                scenario.name
            );
        }
        // ...and show nowhere.
        let mut views = resolution_views(&resolution);
        views.push(debug(&resolver));
        views.push(debug(resolver.environment()));
        views.push(debug(&*resolver.config().unwrap()));
        for request in services.seen.lock().unwrap().iter() {
            views.push(debug(request));
        }
        assert_clean(scenario.name, &views);
    }
}

#[test]
fn the_application_callback() {
    let resolver = Resolver::with_environment(memory().with_var("AWS_DEFAULT_REGION", "eu-west-1"))
        .with_credentials_callback(|_| {
            Ok(Some(Credentials::new(
                "AKIDAPP",
                "SENTINEL-SECRET-APP",
                Some("SENTINEL-TOKEN-APP".into()),
                None,
                "app",
            )))
        });
    let resolution = resolver.resolve("codecommit://Repo").unwrap();
    assert_eq!(
        resolution.credentials().secret_access_key(),
        "SENTINEL-SECRET-APP"
    );
    assert_clean("callback", &resolution_views(&resolution));
}

/// Every error the suite can provoke from secret-bearing input.
#[test]
fn errors_never_carry_secrets() {
    let failing = Services {
        status: Some(403),
        ..Services::default()
    };
    let refused = Services {
        status: Some(400),
        ..Services::default()
    };
    let mut cases: Vec<(&str, Result<Resolution, Error>, ErrorKind)> = Vec::new();
    let mut run = |name, env: MemoryEnvironment, remote: &str, kind| {
        cases.push((name, Resolver::with_environment(env).resolve(remote), kind));
    };

    // Files holding secrets that fail to parse, or name no such profile.
    let with_files = |config: &str, credentials: &str| {
        memory()
            .with_file(format!("{HOME}/.aws/config"), config.to_owned())
            .with_file(format!("{HOME}/.aws/credentials"), credentials.to_owned())
    };
    run(
        "a secret on a line without `=`",
        with_files(CONFIG, "[static]\naws_secret_access_key SENTINEL-1\n"),
        "codecommit://static@Repo",
        ErrorKind::ConfigParse,
    );
    run(
        "a secret key twice",
        with_files(
            CONFIG,
            "[static]\naws_secret_access_key = SENTINEL-2\nAWS_SECRET_ACCESS_KEY = SENTINEL-3\n",
        ),
        "codecommit://static@Repo",
        ErrorKind::ConfigParse,
    );
    run(
        "a secret before any section",
        with_files(CONFIG, "aws_secret_access_key = SENTINEL-4\n"),
        "codecommit://static@Repo",
        ErrorKind::ConfigParse,
    );
    run(
        "invalid UTF-8 after a secret",
        with_files(
            CONFIG,
            "[static]\naws_secret_access_key = SENTINEL-5\u{0}\n",
        )
        .with_file(
            format!("{HOME}/.aws/credentials"),
            b"[static]\naws_secret_access_key = SENTINEL-5\xff\n".to_vec(),
        ),
        "codecommit://static@Repo",
        ErrorKind::ConfigParse,
    );
    run(
        "a nested value holding a secret",
        with_files(CONFIG, "[static]\nx =\n  SENTINEL-6\n"),
        "codecommit://static@Repo",
        ErrorKind::ConfigParse,
    );
    run(
        "a missing profile among secret-holding ones",
        with_files(CONFIG, CREDENTIALS),
        "codecommit://nobody@Repo",
        ErrorKind::ProfileNotFound,
    );
    run(
        "a secret key without its key id",
        with_files(CONFIG, "[static]\naws_secret_access_key = SENTINEL-7\n"),
        "codecommit://static@Repo",
        ErrorKind::CredentialsNotFound,
    );
    run(
        "a secret key variable without its key id",
        memory()
            .with_var("AWS_SECRET_ACCESS_KEY", "SENTINEL-8")
            .with_var("AWS_DEFAULT_REGION", "eu-west-1"),
        "codecommit://Repo",
        ErrorKind::CredentialsNotFound,
    );
    run(
        "a key id variable with its secret in the wrong variable",
        memory()
            .with_var("AWS_ACCESS_KEY_ID", "AKID")
            .with_var("AWS_SECRET_KEY", "SENTINEL-9")
            .with_var("AWS_DEFAULT_REGION", "eu-west-1"),
        "codecommit://Repo",
        ErrorKind::PartialCredentials,
    );

    // The legacy files, with a secret and no key id, or broken around one.
    let legacy = |var: &'static str, text: &'static str| {
        memory()
            .with_var(var, "/t/legacy")
            .with_var("AWS_DEFAULT_REGION", "eu-west-1")
            .with_file("/t/legacy", text)
    };
    run(
        "ec2-credentials-file: a secret without its key id",
        legacy("AWS_CREDENTIAL_FILE", "AWSSecretKey=SENTINEL-13\n"),
        "codecommit://Repo",
        ErrorKind::CredentialsNotFound,
    );
    run(
        "boto-config: a secret without its key id",
        legacy(
            "BOTO_CONFIG",
            "[Credentials]\naws_secret_access_key = SENTINEL-14\n",
        ),
        "codecommit://Repo",
        ErrorKind::CredentialsNotFound,
    );
    run(
        "boto-config: a secret on a line without `=`",
        legacy(
            "BOTO_CONFIG",
            "[Credentials]\naws_secret_access_key SENTINEL-15\n",
        ),
        "codecommit://Repo",
        ErrorKind::ConfigParse,
    );

    // Services that refuse.
    run(
        "SSO: the portal refuses the token",
        env(failing.clone()).with_file(SSO_TOKEN, token(3600)),
        "codecommit://sso@Repo",
        ErrorKind::ServiceError,
    );
    run(
        "SSO: the refresh is refused and the token expired",
        env(refused.clone()).with_file(SSO_TOKEN, token(-60)),
        "codecommit://sso@Repo",
        ErrorKind::SsoLoginRequired,
    );
    run(
        "SSO: the token file is broken around its secrets",
        env(Services::default()).with_file(
            SSO_TOKEN,
            token(3600).replace("\"expiresAt\"", "\"expiresAt\": 5, \"x\""),
        ),
        "codecommit://sso@Repo",
        ErrorKind::SsoLoginRequired,
    );
    run(
        "STS refuses the source credentials",
        env(failing.clone()),
        "codecommit://role@Repo",
        ErrorKind::ServiceError,
    );
    run(
        "STS refuses the web identity token",
        env(failing.clone()),
        "codecommit://web@Repo",
        ErrorKind::ServiceError,
    );
    run(
        "STS hands out credentials already expired",
        env(Services::default()).with_http_client(ExpiredSts),
        "codecommit://role@Repo",
        ErrorKind::CredentialsExpired,
    );
    run(
        "the container endpoint refuses the authorization token",
        env(failing.clone())
            .with_var(
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "http://127.0.0.1:1/creds",
            )
            .with_var(
                "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                "SENTINEL-CONTAINER-AUTHORIZATION",
            )
            .with_var("AWS_DEFAULT_REGION", "eu-west-1"),
        "codecommit://Repo",
        ErrorKind::ServiceError,
    );

    // credential_process output and failures.
    let process = |stdout: &str, code| {
        env(Services::default()).with_process_runner(process_output(stdout, code))
    };
    run(
        "process: fails after printing its secrets",
        process(PROCESS_GOOD, 1),
        "codecommit://process@Repo",
        ErrorKind::ProcessFailed,
    );
    run(
        "process: an unsupported version",
        process(&PROCESS_GOOD.replace("\"Version\": 1", "\"Version\": 2"), 0),
        "codecommit://process@Repo",
        ErrorKind::ProcessFailed,
    );
    run(
        "process: a number for the key id",
        process(&PROCESS_GOOD.replace("\"ASIAPROCESS\"", "5"), 0),
        "codecommit://process@Repo",
        ErrorKind::ProcessFailed,
    );
    run(
        "process: no key id",
        process(
            &PROCESS_GOOD.replace("\"AccessKeyId\": \"ASIAPROCESS\",", ""),
            0,
        ),
        "codecommit://process@Repo",
        ErrorKind::ProcessFailed,
    );
    run(
        "process: a bad expiration",
        process(&PROCESS_GOOD.replace("2099-01-01T00:00:00Z", "soon"), 0),
        "codecommit://process@Repo",
        ErrorKind::ProcessFailed,
    );
    run(
        "process: expired",
        process(&PROCESS_GOOD.replace("2099", "2000"), 0),
        "codecommit://process@Repo",
        ErrorKind::CredentialsExpired,
    );
    run(
        "process: output that is not JSON",
        process("SENTINEL-10 {", 0),
        "codecommit://process@Repo",
        ErrorKind::ProcessFailed,
    );
    run(
        "process: cannot start (a secret in its arguments)",
        env(Services::default()).with_file(
            format!("{HOME}/.aws/config"),
            "[profile p]\nregion = eu-west-1\ncredential_process = /nonexistent/creds --token SENTINEL-11\n",
        ).with_process_runner(OsEnvironment::run),
        "codecommit://p@Repo",
        ErrorKind::ProcessFailed,
    );
    run(
        "process: times out (a secret in its arguments)",
        env(Services::default())
            .with_var("CODECOMMIT_AUTH_PROCESS_TIMEOUT", "1")
            .with_file(
                format!("{HOME}/.aws/config"),
                "[profile p]\nregion = eu-west-1\ncredential_process = sh -c \"sleep 30\" SENTINEL-12\n",
            )
            .with_process_runner(OsEnvironment::run),
        "codecommit://p@Repo",
        ErrorKind::ProcessFailed,
    );

    assert!(cases.len() >= 27);
    for (name, outcome, kind) in cases {
        let err = outcome.err().unwrap_or_else(|| panic!("{name}: resolved"));
        assert_eq!(err.kind(), kind, "{name}: {}", err.chain_message());
        assert_clean(name, &error_views(&err));
    }
}

/// STS answering with credentials that expired an hour ago.
struct ExpiredSts;

impl HttpClient for ExpiredSts {
    fn send(&self, _: &HttpRequest) -> Result<HttpResponse, HttpError> {
        Ok(HttpResponse {
            status: 200,
            headers: Vec::new(),
            body: support::sts::assume_role_response("AssumeRole", 1, "1", &at(-3600))
                .replace("sts-secret-1", "SENTINEL-SECRET-STS")
                .into_bytes(),
        })
    }
}

/// The plain values of the seams and the signer, with secrets in every field that can
/// hold one.
#[test]
fn values_that_hold_secrets_redact_them() {
    let repository = RepositoryName::new("Repo").unwrap();
    let request = UrlRequest {
        access_key_id: "AKID",
        secret_access_key: "SENTINEL-SECRET-URLREQUEST",
        session_token: Some("SENTINEL-TOKEN-URLREQUEST"),
        region: "eu-west-1",
        host: "git-codecommit.eu-west-1.amazonaws.com",
        repository: &repository,
        time: SigningTime::from_unix(NOW as i64).unwrap(),
    };
    let signer = Signer::new();
    let url = signer.sign(&request);
    assert!(url.as_str().contains("SENTINEL-TOKEN-URLREQUEST"));
    let http = HttpRequest::post(
        "http://127.0.0.1:1/token",
        b"{\"refreshToken\": \"SENTINEL-BODY\"}".to_vec(),
    )
    .header("x-amz-sso_bearer_token", "SENTINEL-BEARER")
    .header("Authorization", "Bearer SENTINEL-AUTHORIZATION");
    let response = HttpResponse {
        status: 200,
        headers: vec![("set-cookie".into(), "SENTINEL-COOKIE".into())],
        body: b"{\"secretAccessKey\": \"SENTINEL-RESPONSE\"}".to_vec(),
    };
    let process = ProcessRequest::new(
        vec![
            "/opt/creds".into(),
            "--token".into(),
            "SENTINEL-ARGV".into(),
        ],
        Duration::from_secs(1),
        10,
    );
    let output = ProcessOutput {
        code: Some(0),
        stdout: b"SENTINEL-STDOUT".to_vec(),
        stderr: Vec::new(),
    };
    let shared =
        SharedConfig::from_sources(Some(CONFIG.as_bytes()), Some(CREDENTIALS.as_bytes())).unwrap();
    let profile = shared.profile("static").unwrap();
    let proxied = HttpsClient::from_environment(&MemoryEnvironment::new().with_var(
        "HTTPS_PROXY",
        "http://user:SENTINEL-PROXY-PASSWORD@127.0.0.1:3128",
    ));
    let env = memory()
        .with_var("AWS_SECRET_ACCESS_KEY", "SENTINEL-VARIABLE")
        .with_file("/f", "SENTINEL-FILE");
    let credentials = Credentials::new(
        "AKID",
        "SENTINEL-CREDS",
        Some("SENTINEL-CREDS-TOKEN".into()),
        None,
        "test",
    );
    assert_clean(
        "plain values",
        &[
            debug(&request),
            debug(&signer),
            debug(&url),
            url.redacted(),
            debug(&http),
            debug(&response),
            debug(&process),
            debug(&output),
            debug(&shared),
            debug(&profile.credentials_file().unwrap()),
            debug(&proxied),
            debug(&env),
            debug(&credentials),
        ],
    );
    // The environment still answers with what it holds.
    assert_eq!(
        env.var("AWS_SECRET_ACCESS_KEY").as_deref(),
        Some("SENTINEL-VARIABLE")
    );
}

// ---------------------------------------------------------------------------------------
// Zeroize on drop.
//
// What a test can observe: a global allocator that, while armed with a needle, looks at
// every block as it is freed and counts the blocks that still hold the needle. Freeing a
// value that zeroizes its secrets frees blocks of zeros; freeing one that does not frees
// blocks that still spell the secret. It cannot see copies that were never freed (still
// live), registers or the stack, or blocks freed by another thread after the window; and
// a value that derives data from a secret (the signing key's HMAC state) holds no needle
// to look for. The control at the start of the test proves the scanner sees a plain
// String.

struct Scanning;

static ARMED: AtomicBool = AtomicBool::new(false);
static NEEDLE: Mutex<[u8; 32]> = Mutex::new([0; 32]);
static NEEDLE_LEN: AtomicUsize = AtomicUsize::new(0);
static FOUND: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Scanning {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ARMED.load(Ordering::SeqCst) {
            let len = NEEDLE_LEN.load(Ordering::SeqCst);
            // try_lock: never block inside the allocator.
            if let Ok(needle) = NEEDLE.try_lock() {
                // SAFETY: the block is still allocated, `layout.size()` bytes long.
                let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
                if len > 0 && block.windows(len).any(|w| w == &needle[..len]) {
                    FOUND.fetch_add(1, Ordering::SeqCst);
                }
            }
        }
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Scanning = Scanning;

/// One window at a time: the needle is global.
static WINDOW: Mutex<()> = Mutex::new(());

/// Counts the freed blocks that still hold `needle` while `drop_it` runs.
fn freed_copies(needle: &str, drop_it: impl FnOnce()) -> usize {
    let _window = WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    {
        let mut n = NEEDLE.lock().unwrap();
        n[..needle.len()].copy_from_slice(needle.as_bytes());
    }
    NEEDLE_LEN.store(needle.len(), Ordering::SeqCst);
    FOUND.store(0, Ordering::SeqCst);
    ARMED.store(true, Ordering::SeqCst);
    drop_it();
    ARMED.store(false, Ordering::SeqCst);
    FOUND.load(Ordering::SeqCst)
}

#[test]
fn owned_secrets_are_zeroized_on_drop() {
    // The control: a plain String is freed with its bytes intact, and the scanner sees it.
    let plain = String::from("SENTINEL-Z-CONTROL");
    assert_eq!(
        freed_copies("SENTINEL-Z-CONTROL", || drop(plain)),
        1,
        "the scanner works"
    );

    // SignedUrl: its text holds the session token.
    let repository = RepositoryName::new("Repo").unwrap();
    let signer = Signer::new();
    let url = signer.sign(&UrlRequest {
        access_key_id: "AKID",
        secret_access_key: "SENTINEL-Z-SIGNER",
        session_token: Some("SENTINEL-Z-URL"),
        region: "eu-west-1",
        host: "git-codecommit.eu-west-1.amazonaws.com",
        repository: &repository,
        time: SigningTime::from_unix(NOW as i64).unwrap(),
    });
    let moved_out = url.clone().into_string();
    assert_eq!(freed_copies("SENTINEL-Z-URL", || drop(url)), 0, "SignedUrl");
    // into_string hands the text over: the caller owns it, and a plain String is not
    // zeroized (documented on SignedUrl::into_string).
    assert_eq!(
        freed_copies("SENTINEL-Z-URL", || drop(moved_out)),
        1,
        "into_string's String"
    );

    // A real session token is ~1,000 characters, and the URL's drop wipes it a machine
    // word at a time: no piece of it, nor of the password, may survive, whatever the
    // URL's length (so whatever the unaligned head and tail of the wipe).
    let long_token: String = (0..1000)
        .map(|i| b"AZaz09+/=_-.~"[i % 13] as char)
        .collect();
    let long_token = format!("SENTINEL-Z-HEAD{long_token}SENTINEL-Z-TAIL");
    for name in [
        "R",
        "Re",
        "Rep",
        "Repo",
        "Repo5",
        "Repo-6",
        "Repo--7",
        "Repo---8",
        "Repo----9",
    ] {
        let repository = RepositoryName::new(name).unwrap();
        let url = signer.sign(&UrlRequest {
            access_key_id: "AKID",
            secret_access_key: "SENTINEL-Z-SIGNER",
            session_token: Some(&long_token),
            region: "eu-west-1",
            host: "git-codecommit.eu-west-1.amazonaws.com",
            repository: &repository,
            time: SigningTime::from_unix(NOW as i64).unwrap(),
        });
        let password = url.password().to_owned();
        let middle = url.username()[500..532].to_owned();
        let path = url.path().to_owned();
        for needle in [
            "SENTINEL-Z-HEAD",
            "SENTINEL-Z-TAIL",
            &password[password.len() - 32..],
            &middle,
            &path,
        ] {
            let url = url.clone();
            assert_eq!(freed_copies(needle, || drop(url)), 0, "long token, {name}");
        }
    }

    // Signer: its key cache keeps the secret to compare against.
    assert_eq!(
        freed_copies("SENTINEL-Z-SIGNER", || drop(signer)),
        0,
        "Signer's key cache"
    );

    // Credentials (aws-credential-types keeps every field in Zeroizing).
    let credentials = Credentials::new(
        "AKID",
        "SENTINEL-Z-CREDS",
        Some("SENTINEL-Z-TOKEN".into()),
        None,
        "t",
    );
    let clone = credentials.clone();
    assert_eq!(
        freed_copies("SENTINEL-Z-CREDS", || drop(credentials)),
        0,
        "a clone keeps them alive"
    );
    assert_eq!(
        freed_copies("SENTINEL-Z-CREDS", || drop(clone)),
        0,
        "Credentials"
    );

    // HttpRequest (bearer header, refresh-token body) and HttpResponse (credentials).
    let request = HttpRequest::post("http://127.0.0.1:1/token", b"SENTINEL-Z-BODY".to_vec())
        .header("x-amz-sso_bearer_token", "SENTINEL-Z-BEARER");
    let copy = request.clone();
    assert_eq!(
        freed_copies("SENTINEL-Z-BEARER", || drop(request)),
        0,
        "HttpRequest header"
    );
    assert_eq!(
        freed_copies("SENTINEL-Z-BODY", || drop(copy)),
        0,
        "HttpRequest body"
    );
    let response = HttpResponse {
        status: 200,
        headers: Vec::new(),
        body: b"{\"secretAccessKey\": \"SENTINEL-Z-RESPONSE\"}".to_vec(),
    };
    assert_eq!(
        freed_copies("SENTINEL-Z-RESPONSE", || drop(response)),
        0,
        "HttpResponse"
    );

    // SharedConfig: every parsed value.
    let shared = SharedConfig::from_sources(
        None,
        Some(b"[p]\naws_access_key_id = AKID\naws_secret_access_key = SENTINEL-Z-CONFIG\n"),
    )
    .unwrap();
    assert_eq!(
        freed_copies("SENTINEL-Z-CONFIG", || drop(shared)),
        0,
        "SharedConfig"
    );

    // A Resolution, and a Resolver with its cached config and signing keys; the
    // environment (the test's own MemoryEnvironment, which keeps file bytes as given) is
    // taken out of the window.
    let env = Arc::new(
        memory()
            .with_file(
                format!("{HOME}/.aws/config"),
                "[profile p]\nregion = eu-west-1\n",
            )
            .with_file(
                format!("{HOME}/.aws/credentials"),
                "[p]\naws_access_key_id = AKID\naws_secret_access_key = SENTINEL-Z-RESOLVER\n",
            ),
    );
    let resolver = Resolver::with_environment(Arc::clone(&env));
    let url = resolver
        .signed_url_at(
            "codecommit://p@Repo",
            SigningTime::from_unix(NOW as i64).unwrap(),
        )
        .unwrap();
    let resolution = resolver.resolve("codecommit://p@Repo").unwrap();
    drop(url);
    assert_eq!(
        freed_copies("SENTINEL-Z-RESOLVER", || drop(resolution)),
        0,
        "Resolution"
    );
    assert_eq!(
        freed_copies("SENTINEL-Z-RESOLVER", || drop(resolver)),
        0,
        "Resolver"
    );
    drop(env);
}

/// Reads a real file through the OS environment once, so the scanner's window never
/// includes the first use of std's lazily initialised state.
#[test]
fn os_environment_reads_are_plain_bytes() {
    let dir = std::env::temp_dir().join(format!("codecommit-auth-secrets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("f"), "x").unwrap();
    let read = OsEnvironment::new().read_file(&dir.join("f"), 10).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(read.as_deref(), Some(&b"x"[..]));
}

// ---------------------------------------------------------------------------------------
// The C ABI: error strings and explanations, and codecommit_string_free's wipe.

mod c_abi {
    use std::ffi::{CStr, CString, c_char, c_int, c_void};
    use std::ptr;

    use codecommit_auth::ffi::{
        codecommit_credentials, codecommit_resolver, codecommit_sign_url, codecommit_string_free,
    };

    use super::{MARK, NOW, assert_clean, freed_copies};

    fn c(s: &str) -> CString {
        CString::new(s).unwrap()
    }

    /// Takes a string the library returned, frees it, and gives its text.
    fn take(s: *mut c_char) -> Option<String> {
        if s.is_null() {
            return None;
        }
        // SAFETY: a NUL-terminated string from the library, freed once.
        let text = unsafe { CStr::from_ptr(s) }.to_string_lossy().into_owned();
        unsafe { codecommit_string_free(s) };
        Some(text)
    }

    fn sign(
        secret: &str,
        token: &str,
        region: &str,
        repository: &str,
    ) -> (c_int, Option<String>, Option<String>) {
        let (mut url, mut error) = (ptr::null_mut(), ptr::null_mut());
        let (ak, sk, tok, reg, repo) = (c("AKIDC"), c(secret), c(token), c(region), c(repository));
        // SAFETY: valid strings, writable outputs.
        let rc = unsafe {
            codecommit_sign_url(
                ak.as_ptr(),
                sk.as_ptr(),
                tok.as_ptr(),
                reg.as_ptr(),
                repo.as_ptr(),
                ptr::null(),
                NOW as i64,
                &mut url,
                &mut error,
            )
        };
        (rc, take(url), take(error))
    }

    #[test]
    fn c_error_strings_never_carry_secrets() {
        let mut errors = Vec::new();
        for (region, repository) in [
            ("nowhere-1", "Repo"),
            ("eu-west-1", "../x"),
            ("eu-west-1", ""),
        ] {
            let (rc, url, error) =
                sign("SENTINEL-C-SECRET", "SENTINEL-C-TOKEN", region, repository);
            assert_ne!(rc, 0);
            assert!(url.is_none());
            errors.push(error.expect("an error string"));
        }
        // A time out of range, with secrets.
        let (mut url, mut error) = (ptr::null_mut(), ptr::null_mut());
        let (ak, sk, reg, repo) = (
            c("AKIDC"),
            c("SENTINEL-C-SECRET"),
            c("eu-west-1"),
            c("Repo"),
        );
        // SAFETY: as above.
        let rc = unsafe {
            codecommit_sign_url(
                ak.as_ptr(),
                sk.as_ptr(),
                ptr::null(),
                reg.as_ptr(),
                repo.as_ptr(),
                ptr::null(),
                -5,
                &mut url,
                &mut error,
            )
        };
        assert_ne!(rc, 0);
        assert!(take(url).is_none());
        errors.push(take(error).unwrap());
        // The success case carries them where they belong.
        let (rc, url, error) = sign("SENTINEL-C-SECRET", "SENTINEL-C-TOKEN", "eu-west-1", "Repo");
        assert_eq!((rc, error), (0, None));
        assert!(url.unwrap().contains("SENTINEL-C-TOKEN"));
        assert_clean("C error strings", &errors);
    }

    struct Supply {
        secret: CString,
        status: c_int,
        invalid_utf8: bool,
    }

    unsafe extern "C" fn supply(
        userdata: *mut c_void,
        _profile: *const c_char,
        out: *mut codecommit_credentials,
    ) -> c_int {
        // SAFETY: the &Supply registered with the resolver.
        let s = unsafe { &*(userdata as *const Supply) };
        let bad = c"SENTINEL-C-\xff";
        let secret = if s.invalid_utf8 {
            bad.as_ptr()
        } else {
            s.secret.as_ptr()
        };
        // SAFETY: the library's slot, NUL-terminated strings.
        unsafe {
            codecommit_credentials::codecommit_credentials_set(
                out,
                c"AKIDCB".as_ptr(),
                secret,
                c"SENTINEL-C-CB-TOKEN".as_ptr(),
            );
        }
        s.status
    }

    /// Runs one resolver with the callback: (signed_url result, explain result).
    fn resolve(supply_with: Supply, remote: &str) -> Vec<(c_int, Option<String>, Option<String>)> {
        let mut resolver: *const codecommit_resolver = ptr::null();
        let remote = c(remote);
        let mut out = Vec::new();
        // SAFETY: `supply_with` outlives the resolver, freed below.
        unsafe {
            assert_eq!(
                codecommit_resolver::codecommit_resolver_new_with_credentials_callback(
                    Some(supply),
                    &supply_with as *const Supply as *mut c_void,
                    &mut resolver,
                ),
                0
            );
            let (mut url, mut error) = (ptr::null_mut(), ptr::null_mut());
            let rc = codecommit_resolver::codecommit_resolver_signed_url(
                resolver,
                remote.as_ptr(),
                NOW as i64,
                &mut url,
                &mut error,
            );
            out.push((rc, take(url), take(error)));
            let (mut text, mut error) = (ptr::null_mut(), ptr::null_mut());
            let rc = codecommit_resolver::codecommit_resolver_explain(
                resolver,
                remote.as_ptr(),
                &mut text,
                &mut error,
            );
            out.push((rc, take(text), take(error)));
            codecommit_resolver::codecommit_resolver_free(resolver);
        }
        out
    }

    #[test]
    fn c_resolver_errors_and_explanations_never_carry_secrets() {
        // The process environment decides the region; this binary sets no AWS variables,
        // so the remote names one.
        let remote = "eu-west-1://Repo";
        let good = resolve(
            Supply {
                secret: c("SENTINEL-C-CB-SECRET"),
                status: 0,
                invalid_utf8: false,
            },
            remote,
        );
        assert_eq!(good[0].0, 0);
        assert!(
            good[0].1.as_ref().unwrap().contains("SENTINEL-C-CB-TOKEN"),
            "the token reached the URL"
        );
        assert_eq!(good[1].0, 0);
        let mut views = vec![good[1].1.clone().unwrap()];
        for (supply_with, remote) in [
            (
                Supply {
                    secret: c("SENTINEL-C-CB-SECRET"),
                    status: 7,
                    invalid_utf8: false,
                },
                remote,
            ),
            (
                Supply {
                    secret: c("SENTINEL-C-CB-SECRET"),
                    status: 0,
                    invalid_utf8: true,
                },
                remote,
            ),
            (
                Supply {
                    secret: c("SENTINEL-C-CB-SECRET"),
                    status: 0,
                    invalid_utf8: false,
                },
                "eu-west-1://../x",
            ),
        ] {
            for (rc, value, error) in resolve(supply_with, remote) {
                assert_ne!(rc, 0);
                assert!(value.is_none());
                views.push(error.expect("an error string"));
            }
        }
        assert!(views.iter().all(|v| !v.is_empty()));
        assert_clean("C resolver strings", &views);
        assert!(!MARK.is_empty());
    }

    /// codecommit_string_free overwrites the whole string before freeing it.
    #[test]
    fn c_strings_are_wiped_when_freed() {
        let (mut url, mut error) = (ptr::null_mut(), ptr::null_mut());
        let (ak, sk, tok, reg, repo) = (
            c("AKIDC"),
            c("s"),
            c("SENTINEL-Z-CURL"),
            c("eu-west-1"),
            c("Repo"),
        );
        // SAFETY: valid strings, writable outputs.
        let rc = unsafe {
            codecommit_sign_url(
                ak.as_ptr(),
                sk.as_ptr(),
                tok.as_ptr(),
                reg.as_ptr(),
                repo.as_ptr(),
                ptr::null(),
                NOW as i64,
                &mut url,
                &mut error,
            )
        };
        assert_eq!(rc, 0);
        // SAFETY: the URL string, freed once.
        let found = freed_copies("SENTINEL-Z-CURL", || unsafe { codecommit_string_free(url) });
        assert_eq!(
            found, 0,
            "codecommit_string_free left the token in freed memory"
        );
    }
}

/// A service that echoes what it was sent (issue 18, defect 9): every header value and
/// the body come back in its error answer — in the message, and for the SSO services in
/// `x-amzn-ErrorType` — so the bearer token, the refresh token and client secret, the
/// source session token and the web identity token all reach a quoted answer, raw and
/// percent-encoded. None may reach an error.
#[derive(Clone)]
struct Echo;

impl HttpClient for Echo {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        let mut sent: Vec<String> = request.headers.iter().map(|(_, v)| v.clone()).collect();
        let body = String::from_utf8_lossy(&request.body).into_owned();
        sent.push(body.clone());
        // What a form body decodes to, as a server would quote a parameter.
        sent.extend(
            body.split('&')
                .filter_map(|p| p.split_once('='))
                .map(|(_, v)| {
                    v.replace("%2F", "/")
                        .replace("%2B", "+")
                        .replace("%3D", "=")
                }),
        );
        if let Ok(serde_json::Value::Object(o)) = serde_json::from_str(&body) {
            sent.extend(o.values().filter_map(|v| v.as_str().map(str::to_owned)));
        }
        let echo = sent.join(" | ");
        let xml_safe = echo
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        let (status, body, headers) = if request.method == "POST"
            && !request.url.ends_with("/token")
        {
            (
                403,
                format!(
                    "<ErrorResponse><Error><Code>Denied {xml_safe}</Code><Message>you sent \
                     {xml_safe}</Message></Error></ErrorResponse>"
                ),
                Vec::new(),
            )
        } else {
            let json = serde_json::json!({"message": format!("you sent {echo}"), "error": echo});
            (
                if request.url.ends_with("/token") {
                    400
                } else {
                    403
                },
                json.to_string(),
                // The code is what follows the last `#` before the first `:`.
                vec![(
                    "x-amzn-ErrorType".to_owned(),
                    format!("Denied#{}", echo.replace(':', " ")),
                )],
            )
        };
        Ok(HttpResponse {
            status,
            headers,
            body: body.into_bytes(),
        })
    }
}

#[test]
fn secrets_a_service_echoes_are_masked() {
    let env = |token_expires_in: i64| {
        memory()
            .with_file(format!("{HOME}/.aws/config"), CONFIG)
            .with_file(format!("{HOME}/.aws/credentials"), CREDENTIALS)
            .with_file(SSO_TOKEN, token(token_expires_in))
            .with_file("/t/web-token", "SENTINEL-WEB/IDENTITY+TOKEN=\n")
            .with_http_client(Echo)
    };
    for (name, env, remote, kind) in [
        (
            "the SSO portal echoes the bearer token",
            env(3600),
            "codecommit://sso@Repo",
            ErrorKind::ServiceError,
        ),
        (
            "SSO OIDC echoes the refresh token and client secret",
            env(-60),
            "codecommit://sso@Repo",
            ErrorKind::SsoLoginRequired,
        ),
        (
            "STS echoes the source session token",
            env(3600),
            "codecommit://role@Repo",
            ErrorKind::ServiceError,
        ),
        (
            "STS echoes the web identity token",
            env(3600),
            "codecommit://web@Repo",
            ErrorKind::ServiceError,
        ),
    ] {
        let err = Resolver::with_environment(env)
            .resolve(remote)
            .map(|_| ())
            .expect_err(name);
        // The echo arrived: the message quotes the answer, with the secret masked.
        let shown = err.chain_message();
        eprintln!("{name}: {shown}");
        assert_eq!(err.kind(), kind, "{name}: {shown}");
        assert!(shown.contains("** redacted **"), "{name}: {shown}");
        assert_clean(name, &error_views(&err));
    }
}

/// The instance metadata service echoing its own session token where the role name
/// belongs: the error quoting the role name masks it (issue 18, defect 9).
#[test]
fn an_echoed_instance_metadata_token_is_masked() {
    struct Imds;
    impl HttpClient for Imds {
        fn send(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
            let token = "SENTINEL-IMDS-SESSION-TOKEN";
            let body = if request.method == "PUT" {
                token.to_owned()
            } else {
                format!("not a role: {token}")
            };
            Ok(HttpResponse {
                status: 200,
                headers: Vec::new(),
                body: body.into_bytes(),
            })
        }
    }
    let env = MemoryEnvironment::new()
        .with_var("HOME", HOME)
        .with_var("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1")
        .with_file(format!("{HOME}/.aws/config"), CONFIG)
        .with_http_client(Imds);
    let err = Resolver::with_environment(env)
        .resolve("codecommit://plain@Repo")
        .map(|_| ())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MalformedCredentials, "{err}");
    assert!(err.chain_message().contains("** redacted **"), "{err}");
    assert_clean("an IMDS role name", &error_views(&err));
}
