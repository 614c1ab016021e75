//! Hostile inputs, each with the exact outcome it must have (issue 7, "Hardening").
//!
//! Every row names an input the library may meet on its worst day — a config file with a
//! byte-order mark or a megabyte line, a remote with a control character, a token cache
//! that is a directory, a clock in 9999, an SSO portal that resets the connection — and
//! states what must come of it: a signed URL for a given host (and username prefix), or
//! an error of a named [`ErrorKind`] whose message contains a given text. A row whose
//! outcome changes fails with the row's name, the expected and the actual outcome.
//!
//! * `config` — the shared files: encodings, line endings, NUL, size, repetition.
//! * `remote` — the remote grammar over every character class (rows in `remotes.json`).
//! * `caches` — SSO token cache, CLI cache, `credential_process` output, size limits.
//! * `disk` — real files: a directory, symlinks, a FIFO, permission bits, a
//!   read-only cache directory.
//! * `clock` — signing times and expiry comparisons in 1970, 2038 and 9999.
//! * `server` — an SSO portal, OIDC and STS on 127.0.0.1 that reset, stall, or send 10 MB.
//! * `scale` — 10,000 profiles, megabyte lines, deep repetition: linear time.
//! * `findings` — each crash, hang or wrong answer found by fuzzing, kept as a row.
//!
//! No test leaves 127.0.0.1; every environment sets `AWS_EC2_METADATA_DISABLED=true`.

// Tests read and write their own fixtures on disk; the seam rule is for the library.
#![allow(clippy::disallowed_methods)]

mod support;

#[path = "hostile/caches.rs"]
mod caches;
#[path = "hostile/clock.rs"]
mod clock;
#[path = "hostile/config.rs"]
mod config;
#[path = "hostile/disk.rs"]
mod disk;
#[path = "hostile/findings.rs"]
mod findings;
#[path = "hostile/remote.rs"]
mod remote;
#[path = "hostile/scale.rs"]
mod scale;
#[path = "hostile/server.rs"]
mod server;

use std::fmt;
use std::time::{Duration, UNIX_EPOCH};

use codecommit_auth::env::{Environment, MemoryEnvironment};
use codecommit_auth::{Error, ErrorKind, Resolver, SignedUrl, SigningTime};

/// The home directory of the in-memory environments.
pub const HOME: &str = "/home/dev";

/// The default clock and signing time: 2027-01-15T08:00:00Z.
pub const NOW: u64 = 1_800_000_000;

/// What a row must produce.
#[derive(Clone, Debug)]
pub enum Want {
    /// A signed URL for `host` whose text starts with `prefix` (`https://USERNAME:`).
    Url {
        host: &'static str,
        prefix: &'static str,
    },
    /// An error of `kind` whose chain message contains `text`.
    Error { kind: ErrorKind, text: &'static str },
}

/// Shorthand for [`Want::Url`].
pub const fn url(host: &'static str, prefix: &'static str) -> Want {
    Want::Url { host, prefix }
}

/// Shorthand for [`Want::Error`].
pub const fn error(kind: ErrorKind, text: &'static str) -> Want {
    Want::Error { kind, text }
}

/// What a row produced, for the failure message.
pub enum Got<'a> {
    Url(&'a SignedUrl),
    Error(&'a Error),
}

impl fmt::Debug for Got<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // The URL of a test row holds only test keys: show it whole.
            Got::Url(u) => write!(f, "URL {}", u.as_str()),
            Got::Error(e) => write!(f, "{:?} error: {}", e.kind(), e.chain_message()),
        }
    }
}

/// Checks one outcome against a row's expectation; returns a description of the
/// mismatch, or `None`.
pub fn mismatch(want: &Want, got: &Result<SignedUrl, Error>) -> Option<String> {
    let ok = match (want, got) {
        (Want::Url { host, prefix }, Ok(u)) => u.host() == *host && u.as_str().starts_with(prefix),
        (Want::Error { kind, text }, Err(e)) => {
            e.kind() == *kind && e.chain_message().contains(text)
        }
        _ => false,
    };
    if ok {
        return None;
    }
    let got = match got {
        Ok(u) => Got::Url(u),
        Err(e) => Got::Error(e),
    };
    Some(format!("want {want:?}\n       got {got:?}"))
}

/// Asserts a list of `(name, want, outcome)` rows, reporting every failing row at once.
#[track_caller]
pub fn assert_rows(rows: Vec<(String, Want, Result<SignedUrl, Error>)>) {
    let total = rows.len();
    let failures: Vec<String> = rows
        .iter()
        .filter_map(|(name, want, got)| mismatch(want, got).map(|m| format!("{name}:\n  {m}")))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {total} rows failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// An in-memory environment: `HOME`, the clock at [`NOW`], instance metadata off.
pub fn memory() -> MemoryEnvironment {
    MemoryEnvironment::new()
        .with_var("HOME", HOME)
        .with_var("AWS_EC2_METADATA_DISABLED", "true")
        .with_now(UNIX_EPOCH + Duration::from_secs(NOW))
}

/// The signing time of the rows: [`NOW`].
pub fn now() -> SigningTime {
    SigningTime::from_unix(NOW as i64).unwrap()
}

/// Resolves and signs `remote` at [`NOW`] in `env`.
pub fn sign(env: impl Environment + 'static, remote: &str) -> Result<SignedUrl, Error> {
    Resolver::with_environment(env).signed_url_at(remote, now())
}

/// `~/.aws/config` of the in-memory home.
pub fn config_path() -> String {
    format!("{HOME}/.aws/config")
}

/// `~/.aws/credentials` of the in-memory home.
pub fn credentials_path() -> String {
    format!("{HOME}/.aws/credentials")
}

/// `2027-01-15T08:00:00Z` plus `offset` seconds, as AWS tools write expiry times.
pub fn at(offset: i64) -> String {
    iso(NOW as i64 + offset)
}

pub use support::sso::iso;

/// An HTTP client that answers in memory, with a closure of the request.
pub struct Answer<F>(pub F);

impl<F> codecommit_auth::env::HttpClient for Answer<F>
where
    F: Fn(&codecommit_auth::env::HttpRequest) -> codecommit_auth::env::HttpResponse + Send + Sync,
{
    fn send(
        &self,
        request: &codecommit_auth::env::HttpRequest,
    ) -> Result<codecommit_auth::env::HttpResponse, codecommit_auth::env::HttpError> {
        Ok((self.0)(request))
    }
}

/// A response with `status` and `body`.
pub fn response(status: u16, body: impl Into<Vec<u8>>) -> codecommit_auth::env::HttpResponse {
    codecommit_auth::env::HttpResponse::new(status, body)
}

/// The SSO portal's answer: keys `ASIAPORTAL` / `portal-secret` / `portal-token`, an hour
/// of life from [`NOW`].
pub fn portal_answer() -> codecommit_auth::env::HttpResponse {
    response(
        200,
        support::sso::portal_answer(
            "ASIAPORTAL",
            "portal-secret",
            "portal-token",
            (NOW + 3600) * 1000,
        ),
    )
}

/// The SSO profiles of `tests/support/sso.rs`: `legacy` and `session` (`[sso-session my-sso]`).
pub const SSO_CONFIG: &str = "\
[profile legacy]
region = us-east-2
sso_start_url = https://my-sso-portal.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = DevRole

[profile session]
region = us-east-2
sso_session = my-sso
sso_account_id = 111122223333
sso_role_name = Developer

[sso-session my-sso]
sso_start_url = https://my-sso-portal.awsapps.com/start
sso_region = us-east-1
";

/// sha1 of the start URL: the legacy profile's token file, under `~/.aws/sso/cache/`.
pub const LEGACY_TOKEN: &str = "c7aaaf71fcc8777ae2475525ed049d39fe16c484.json";
/// sha1 of `my-sso`: the session profile's token file.
pub const SESSION_TOKEN: &str = "0ad374308c5a4e22f723adf10145eafad7c4031c.json";
/// The legacy profile's entry in `~/.aws/cli/cache/`.
pub const LEGACY_CLI_CACHE: &str = "72e96a975eece9254bf19f7aa7a026fe62442cf5.json";

/// A token cache file whose token expires `expires_in` seconds after [`NOW`], with the
/// refresh data of an sso-session login.
pub fn token_file(expires_in: i64) -> String {
    format!(
        r#"{{"startUrl": "https://my-sso-portal.awsapps.com/start", "region": "us-east-1", "accessToken": "ACCESS", "expiresAt": "{}", "clientId": "CLIENT", "clientSecret": "CLIENT-SECRET", "registrationExpiresAt": "{}", "refreshToken": "REFRESH"}}"#,
        at(expires_in),
        at(90 * 86_400)
    )
}
