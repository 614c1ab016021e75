//! Container credentials: botocore's `container-role` provider (`reference/behavior.md`
//! §4.1 item 11), for ECS tasks, EKS Pod Identity and CodeBuild.
//!
//! The platform says where to ask through variables. `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`
//! is a path on the ECS agent's fixed address, `http://169.254.170.2`;
//! `AWS_CONTAINER_CREDENTIALS_FULL_URI` is a whole URL. When both are set, the relative one
//! wins. An authorization token goes with the request when
//! `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (EKS Pod Identity, which rotates the file, so
//! it is read on every call) or `AWS_CONTAINER_AUTHORIZATION_TOKEN` is set; the file wins.
//! The answer is JSON with `AccessKeyId`, `SecretAccessKey`, `Token`, `Expiration` and an
//! optional `AccountId`.
//!
//! Unlike instance metadata, a container endpoint that is configured but fails is an error
//! (botocore's `CredentialRetrievalError`), not "no credentials": the variables say the
//! credentials are there. botocore asks 3 times, 2 s each, 1 s apart.
//!
//! # Safety
//!
//! This endpoint hands out credentials, and the token proves who is asking, so:
//!
//! * An `http://` URL must name a loopback address or one of botocore's hosts
//!   (169.254.170.2, 169.254.170.23, fd00:ec2::23, `localhost`); `https://` may name any
//!   host. The rule is checked on the final URL, before the token is read and before any
//!   request, so a relative URI such as `@evil.example/` cannot smuggle in another host.
//! * The checked URL is rebuilt from its parts and only that is sent, so the HTTP client
//!   cannot read the host differently from the check. DIFFERENCE: URLs with user
//!   information (`user@host`), whitespace, control characters or backslashes are refused;
//!   botocore lets Python's `urlparse` interpret them.
//! * The request bypasses any proxy (botocore never proxies it) and never follows a
//!   redirect; answers over 1 MiB are refused (both by the [`HttpClient`] contract).
//! * The token never appears in `Debug` output, errors or `--explain`, and is zeroized
//!   on drop; an error body that echoes it has it masked.
//!
//! [`HttpClient`]: crate::env::HttpClient

use std::fmt;
use std::net::IpAddr;
use std::time::{Duration, SystemTime};

use serde_json::Value;
use zeroize::Zeroizing;

use super::{
    ChainContext, Credentials, Keys, Outcome, Provider, Resolved, Reuse, Source, timestamp,
};
use crate::endpoint::url::HttpUrl;
use crate::env::{HttpErrorKind, HttpRequest, HttpResponse};
use crate::error::{Error, ErrorKind};

pub(crate) const RELATIVE_URI: &str = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
pub(crate) const FULL_URI: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
const AUTH_TOKEN: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
const AUTH_TOKEN_FILE: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";

/// The ECS agent's address, which a relative URI is appended to.
const ECS_BASE: &str = "http://169.254.170.2";
/// The hosts besides loopback addresses that an `http://` full URI may name (botocore's
/// `ContainerMetadataFetcher._ALLOWED_HOSTS`; compared as written, lower-cased).
const ALLOWED_HOSTS: [&str; 4] = [
    "169.254.170.2",
    "169.254.170.23",
    "fd00:ec2::23",
    "localhost",
];

/// botocore's `ContainerMetadataFetcher`: `TIMEOUT_SECONDS`, `RETRY_ATTEMPTS`, `SLEEP_TIME`.
const TIMEOUT: Duration = Duration::from_secs(2);
const ATTEMPTS: u32 = 3;
const PAUSE: Duration = Duration::from_secs(1);

/// The largest token file we read (Pod Identity tokens are a JWT of about 1 KiB).
const MAX_TOKEN_FILE: u64 = 64 * 1024;
const METHOD: &str = "container-role";

/// The `container-role` provider: position 11 of botocore's chain, and
/// `credential_source = EcsContainer`.
#[derive(Debug)]
pub(crate) struct Container;

impl Provider for Container {
    fn provide(&self, ctx: &ChainContext<'_>) -> Result<Outcome, Error> {
        let Some(target) = target(|name| ctx.env.var(name)) else {
            return Ok(Outcome::Nothing(format!(
                "container credentials ({RELATIVE_URI} and {FULL_URI} unset)"
            )));
        };
        let url = checked_url(&target)?;
        let token = authorization_token(ctx)?;
        let document = fetch(ctx, &url, &target, token.as_ref())?;
        let credentials = credentials_from(&document, ctx.env.now())
            .map_err(|problem| problem.into_error(&url))?;
        Ok(Outcome::Found(Resolved {
            credentials,
            // Asked on every call, as botocore does.
            source: Source::new(
                METHOD,
                Reuse::EveryCall,
                describe(&url, token.map(|t| t.from)),
            ),
        }))
    }
}

/// `container credentials from URL (authorization token from FROM)`: `from` names where
/// the token sent came from (a variable, or a variable and the file it names), never the
/// token.
fn describe(url: &str, from: Option<String>) -> String {
    match from {
        Some(from) => format!("container credentials from {url} (authorization token from {from})"),
        None => format!("container credentials from {url} (no authorization token)"),
    }
}

/// Where to ask, before any check: the URL and the variable that gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) url: String,
    pub(crate) variable: &'static str,
}

/// The endpoint the variables name, or `None` if neither is set. botocore tests for
/// presence, so a variable set to the empty string counts.
pub(crate) fn target(var: impl Fn(&str) -> Option<String>) -> Option<Target> {
    if let Some(relative) = var(RELATIVE_URI) {
        return Some(Target {
            url: format!("{ECS_BASE}{relative}"),
            variable: RELATIVE_URI,
        });
    }
    var(FULL_URI).map(|url| Target {
        url,
        variable: FULL_URI,
    })
}

/// `target`'s URL rebuilt from its parts, if botocore's host rule allows it.
///
/// # Errors
///
/// [`ErrorKind::InvalidConfig`], naming the variable, the host and the rule. Nothing has
/// been sent when this fails.
fn checked_url(target: &Target) -> Result<String, Error> {
    let variable = target.variable;
    let url = HttpUrl::parse(&target.url).map_err(|why| {
        Error::new(
            ErrorKind::InvalidConfig,
            format!(
                "the container credentials URL from {variable} {why}; it must be an http:// or \
                 https:// URL"
            ),
        )
    })?;
    if !allowed(&url) {
        return Err(Error::new(
            ErrorKind::InvalidConfig,
            format!(
                "Unsupported host '{}'.  Can only retrieve metadata from a loopback address or \
                 one of these hosts: {} ({variable} names it; an http:// container credentials \
                 URL may only name those hosts, so the authorization token never leaves the \
                 machine or the task's network; an https:// URL may name any host; nothing was \
                 sent)",
                url.host,
                ALLOWED_HOSTS.join(", ")
            ),
        ));
    }
    Ok(url.to_string())
}

/// botocore's `_validate_allowed_url`: any `https://` URL; an `http://` URL only to a
/// loopback address or an allowed host.
pub(crate) fn allowed(url: &HttpUrl) -> bool {
    url.https
        || url.host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
        || ALLOWED_HOSTS.contains(&url.host.as_str())
}

/// The authorization token and where it came from. The value is zeroized on drop and
/// never shown.
pub(crate) struct AuthToken {
    value: Zeroizing<String>,
    /// The variable, and the file it names: for `--explain` and errors.
    from: String,
}

impl fmt::Debug for AuthToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthToken")
            .field("value", &"** redacted **")
            .field("from", &self.from)
            .finish()
    }
}

/// The token to send, if any: the file's contents verbatim, else the variable's value.
///
/// # Errors
///
/// [`ErrorKind::InvalidConfig`] for a missing file or a token that is no legal header
/// value, [`ErrorKind::ConfigRead`], [`ErrorKind::MalformedCredentials`] for a file that
/// is not UTF-8.
fn authorization_token(ctx: &ChainContext<'_>) -> Result<Option<AuthToken>, Error> {
    let (value, from) = if let Some(path) = ctx.env.var(AUTH_TOKEN_FILE) {
        let from = format!("{AUTH_TOKEN_FILE} = {path}");
        let value = super::read_token_file(
            ctx.env,
            &path,
            "container authorization token file",
            AUTH_TOKEN_FILE,
            MAX_TOKEN_FILE,
        )?;
        (value, from)
    } else if let Some(value) = ctx.env.var(AUTH_TOKEN) {
        (Zeroizing::new(value), AUTH_TOKEN.to_owned())
    } else {
        return Ok(None);
    };
    if let Some(problem) = token_problem(&value) {
        let hint = if from.starts_with(AUTH_TOKEN_FILE) {
            "; a final newline in the file counts, write the file without one"
        } else {
            ""
        };
        return Err(Error::new(
            ErrorKind::InvalidConfig,
            format!(
                "Auth token value is not a legal header value: the container authorization token \
                 from {from} {problem}{hint}"
            ),
        ));
    }
    Ok(Some(AuthToken { value, from }))
}

/// Why `token` cannot be sent as a header value, if it cannot. botocore refuses `\r` and
/// `\n`; other control characters (but tab) no HTTP client sends either.
pub(crate) fn token_problem(token: &str) -> Option<&'static str> {
    if token.contains(['\r', '\n']) {
        Some("contains a line break")
    } else if token.chars().any(|c| c.is_control() && c != '\t') {
        Some("contains a control character")
    } else {
        None
    }
}

/// The request botocore sends: `GET`, `Accept: application/json`, the token as
/// `Authorization` verbatim, a 2 s timeout, no proxy.
pub(crate) fn request(url: &str, token: Option<&str>) -> HttpRequest {
    let mut request = HttpRequest::get(url).header("Accept", "application/json");
    if let Some(token) = token {
        request = request.header("Authorization", token);
    }
    request.timeout = TIMEOUT;
    request.bypass_proxy = true;
    request
}

/// Why one attempt failed; botocore retries all of these.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Failure {
    kind: ErrorKind,
    /// botocore's `MetadataRetrievalError` text.
    message: String,
    /// The HTTP status, if there was an answer.
    status: Option<u16>,
}

/// The JSON document of a 200 answer; anything else is a [`Failure`]. `token` is masked
/// in the excerpt of an error body, should the endpoint echo it.
pub(crate) fn read_answer(response: &HttpResponse, token: Option<&str>) -> Result<Value, Failure> {
    if response.status != 200 {
        let body = String::from_utf8_lossy(&response.body);
        let excerpt = crate::error::quoted(body.trim(), token.as_slice(), 300);
        return Err(Failure {
            kind: ErrorKind::ServiceError,
            message: format!(
                "Received non 200 response {} from container metadata: {}",
                response.status,
                excerpt.trim()
            ),
            status: Some(response.status),
        });
    }
    serde_json::from_slice(&response.body).map_err(|_| Failure {
        kind: ErrorKind::MalformedCredentials,
        message: "Unable to parse JSON returned from container metadata services".to_owned(),
        status: Some(200),
    })
}

/// Asks up to [`ATTEMPTS`] times. BOTOCORE also sleeps after the last failure; we do not.
fn fetch(
    ctx: &ChainContext<'_>,
    url: &str,
    target: &Target,
    token: Option<&AuthToken>,
) -> Result<Value, Error> {
    let token = token.map(|t| t.value.as_str());
    let request = request(url, token);
    let mut attempt = 1;
    loop {
        let failure = match ctx.env.http(&request) {
            Ok(response) => match read_answer(&response, token) {
                Ok(document) => return Ok(document),
                Err(failure) => failure,
            },
            Err(e) if matches!(e.kind(), HttpErrorKind::Connect | HttpErrorKind::Timeout) => {
                Failure {
                    kind: ErrorKind::Network,
                    message: format!(
                        "Received error when attempting to retrieve container metadata: {e}"
                    ),
                    status: None,
                }
            }
            // Not worth retrying: no client, a refused request, TLS, an oversized answer.
            Err(e) => {
                let kind = match e.kind() {
                    HttpErrorKind::Unsupported => ErrorKind::Unsupported,
                    HttpErrorKind::TooLarge => ErrorKind::MalformedCredentials,
                    _ => ErrorKind::Network,
                };
                return Err(Error::with_source(
                    kind,
                    format!(
                        "Error when retrieving credentials from {METHOD}: the request to {url} \
                         (from {}) failed",
                        target.variable
                    ),
                    e,
                ));
            }
        };
        if attempt >= ATTEMPTS {
            return Err(retrieval_error(
                failure,
                url,
                target,
                token.is_some(),
                attempt,
            ));
        }
        ctx.env.sleep(PAUSE);
        attempt += 1;
    }
}

/// botocore's `CredentialRetrievalError` text, then where the URL came from and what to do.
#[cold]
fn retrieval_error(
    failure: Failure,
    url: &str,
    target: &Target,
    sent_token: bool,
    attempts: u32,
) -> Error {
    let hint = match failure.status {
        Some(401 | 403) if sent_token => {
            "; the endpoint refused the authorization token: check \
             AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or AWS_CONTAINER_AUTHORIZATION_TOKEN"
        }
        Some(401 | 403) => {
            "; no authorization token was sent: set AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or \
             AWS_CONTAINER_AUTHORIZATION_TOKEN"
        }
        _ => "",
    };
    Error::new(
        failure.kind,
        format!(
            "Error when retrieving credentials from {METHOD}: Error retrieving metadata: {} \
             ({url}, from {}; {attempts} attempts{hint})",
            failure.message, target.variable
        ),
    )
}

/// What is wrong with a credentials document.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum DocumentProblem {
    /// A field is missing or not a string.
    Field(&'static str),
    /// `Expiration` does not parse.
    Expiration(timestamp::TimestampError),
    /// `Expiration` has passed.
    Expired(SystemTime),
}

impl DocumentProblem {
    #[cold]
    fn into_error(self, url: &str) -> Error {
        match self {
            DocumentProblem::Field(field) => Error::new(
                ErrorKind::MalformedCredentials,
                format!("the container credentials from {url} have no {field} string"),
            ),
            DocumentProblem::Expiration(e) => Error::new(
                ErrorKind::MalformedCredentials,
                format!(
                    "the Expiration of the container credentials from {url} {}",
                    e.describe()
                ),
            ),
            DocumentProblem::Expired(at) => super::still_expired(&format!(
                "the container credentials from {url} expired at {}",
                timestamp::format_utc(at)
            )),
        }
    }
}

/// The credentials in `document` (botocore's `fetch_creds`): all four fields required
/// (botocore raises `KeyError` otherwise), `AccountId` optional. BOTOCORE: credentials
/// that have already expired fail as the refresh would (`RuntimeError`, §4.5).
pub(crate) fn credentials_from(
    document: &Value,
    now: SystemTime,
) -> Result<Credentials, DocumentProblem> {
    let field = |name: &'static str| {
        document
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or(DocumentProblem::Field(name))
    };
    let access_key = field("AccessKeyId")?;
    let secret = field("SecretAccessKey")?;
    let token = field("Token")?;
    let expiration = field("Expiration")?;
    let expiry = timestamp::parse(&expiration).map_err(DocumentProblem::Expiration)?;
    if expiry <= now {
        return Err(DocumentProblem::Expired(expiry));
    }
    let account_id = document
        .get("AccountId")
        .and_then(Value::as_str)
        .map(str::to_owned);
    Ok(Keys {
        access_key_id: access_key,
        secret_access_key: secret,
        session_token: Some(token),
        expiry: Some(expiry),
        account_id,
        provider: METHOD,
    }
    .build())
}

#[cfg(test)]
mod tests;
