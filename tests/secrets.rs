//! Secrets never leak (issue 7, STYLE.md §5 item 11).
//!
//! Every secret in this file is a *sentinel*: a string that contains `SENTINEL` and that
//! nothing else in the inputs contains (no profile, key id, path or URL does). Each test
//! builds the public values that can hold a secret — credentials from every provider
//! through the resolver (environment, static keys in either file, SSO with a token
//! refresh, assume-role against the STS stand-in of `tests/support/sts.rs`, web
//! identity, `credential_process`, container credentials, `aws login` with a renewal,
//! the application callback),
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
        } else if request.url.ends_with("/v1/token") {
            r#"{"accessToken": {"accessKeyId": "ASIALOGINNEW", "secretAccessKey": "SENTINEL-LOGIN-SECRET-NEW", "sessionToken": "SENTINEL-LOGIN-TOKEN-NEW"}, "expiresIn": 900, "refreshToken": "SENTINEL-LOGIN-REFRESH-NEW"}"#.to_owned()
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
        Ok(HttpResponse::new(status, body))
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
        Ok(ProcessOutput::new(Some(code))
            .with_stdout(stdout.clone())
            .with_stderr(b"it failed"))
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

#[path = "secrets/c_abi.rs"]
mod c_abi;
#[path = "secrets/echo.rs"]
mod echo;
#[path = "secrets/errors.rs"]
mod errors;
#[path = "secrets/providers.rs"]
mod providers;
#[path = "secrets/sign_in.rs"]
mod sign_in;
#[path = "secrets/values.rs"]
mod values;
#[path = "secrets/zeroize.rs"]
mod zeroize;
