//! EC2 instance metadata (IMDS): botocore's `iam-role` provider (`reference/behavior.md`
//! §4.1 item 12), for EC2 build hosts such as Jenkins agents.
//!
//! Three requests, as botocore's `InstanceMetadataFetcher` makes them:
//!
//! 1. `PUT latest/api/token` with `x-aws-ec2-metadata-token-ttl-seconds: 21600`: the
//!    IMDSv2 session token;
//! 2. `GET latest/meta-data/iam/security-credentials/`: the instance profile's role name;
//! 3. `GET latest/meta-data/iam/security-credentials/ROLE`: its credentials;
//!
//! the two `GET`s with `x-aws-ec2-metadata-token` when there is a token. Each waits
//! `metadata_service_timeout` (1 s) and is tried `metadata_service_num_attempts` (1)
//! times.
//!
//! The fallback rules, all botocore's:
//!
//! * A token answer of 403, 404 or 405, or no answer in time, means "no IMDSv2": the
//!   `GET`s go without a token (IMDSv1), unless `ec2_metadata_v1_disabled` is set, which
//!   makes that an error. This is what lets a container on EC2 whose PUT response
//!   cannot reach it (hop limit 1) still use IMDSv1.
//! * A token answer of 400, or a `GET` that fails every attempt (no answer, not 200, an
//!   empty body, a credentials body that is not JSON), means no credentials: the chain
//!   ends with "not found" and the note says why.
//! * A credentials document without the four fields (IMDS answers 200 with `Code` and
//!   `Message` when the role cannot be assumed) also means no credentials.
//! * Credentials that expire within 17 minutes, or have expired, are used with their
//!   expiry moved 17 minutes ahead (botocore's "static stability": the refresh window of
//!   15 minutes plus a random 2 to 10 minutes; we take the smallest, to stay
//!   deterministic).
//!
//! `AWS_EC2_METADATA_DISABLED=true` skips all of it. The settings are read as botocore's
//! `get_config_variable` reads them: the variable if set (even empty), else the key of the
//! selected profile (the *top* profile, also inside a role chain), else the default.
//!
//! On a machine without a metadata service, giving up costs one token timeout plus one
//! `GET` timeout (about 2 s at the defaults) when the address swallows packets, and a few
//! milliseconds when the connection is refused.
//!
//! DIFFERENCE: botocore converts and checks these settings when it builds the chain, so a
//! bad `metadata_service_timeout` fails every run; here it fails when the chain reaches
//! this provider. botocore crashes on a role name or token that cannot go into a URL or a
//! header, and on an answer it cannot read; here those are errors that say so.

use std::time::{Duration, SystemTime};

use serde_json::Value;
use zeroize::Zeroizing;

use super::{
    ChainContext, Credentials, Keys, Outcome, Provider, Resolved, Reuse, Source, timestamp,
};
use crate::endpoint::url::HttpUrl;
use crate::env::{HttpError, HttpErrorKind, HttpRequest, HttpResponse};
use crate::error::{Error, ErrorKind};

pub(crate) const DISABLED: &str = "AWS_EC2_METADATA_DISABLED";
pub(crate) const ENDPOINT: &str = "AWS_EC2_METADATA_SERVICE_ENDPOINT";
const ENDPOINT_MODE: &str = "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE";
const TIMEOUT: &str = "AWS_METADATA_SERVICE_TIMEOUT";
const ATTEMPTS: &str = "AWS_METADATA_SERVICE_NUM_ATTEMPTS";
const V1_DISABLED: &str = "AWS_EC2_METADATA_V1_DISABLED";
const USE_IPV6: &str = "AWS_IMDS_USE_IPV6";

pub(crate) const DEFAULT_ENDPOINT: &str = "http://169.254.169.254/";
pub(crate) const DEFAULT_ENDPOINT_IPV6: &str = "http://[fd00:ec2::254]/";
const TOKEN_PATH: &str = "latest/api/token";
const TOKEN_TTL_HEADER: &str = "x-aws-ec2-metadata-token-ttl-seconds";
const TOKEN_TTL: &str = "21600";
const TOKEN_HEADER: &str = "x-aws-ec2-metadata-token";
const ROLE_PATH: &str = "latest/meta-data/iam/security-credentials/";

/// botocore's `ec2_credential_refresh_window` (15 min) plus its smallest jitter (2 min).
const EXTENSION: Duration = Duration::from_secs(17 * 60);
const METHOD: &str = "iam-role";

/// The `iam-role` provider: position 12 of botocore's chain, and
/// `credential_source = Ec2InstanceMetadata`.
#[derive(Debug)]
pub(crate) struct InstanceMetadata;

impl Provider for InstanceMetadata {
    fn provide(&self, ctx: &ChainContext<'_>) -> Result<Outcome, Error> {
        let profile = ctx.config.profile(ctx.top_profile);
        let settings = Settings::read(
            |name| ctx.env.var(name),
            |key| profile.and_then(|p| p.get(key)).map(str::to_owned),
        )?;
        if settings.disabled {
            return Ok(Outcome::Nothing(format!(
                "instance metadata (off: {DISABLED}=true)"
            )));
        }
        match fetch(ctx, &settings)? {
            Step::Got(resolved) => Ok(Outcome::Found(resolved)),
            Step::Nothing(why) => Ok(Outcome::Nothing(format!(
                "instance metadata at {}: {why}",
                settings.base_url
            ))),
        }
    }
}

/// How to reach the metadata service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Settings {
    /// `AWS_EC2_METADATA_DISABLED=true` (any case).
    pub(crate) disabled: bool,
    /// The base URL, ending in `/`.
    pub(crate) base_url: String,
    /// Per request.
    pub(crate) timeout: Duration,
    /// Per request; 0 asks nothing.
    pub(crate) attempts: u32,
    /// `ec2_metadata_v1_disabled`: no credentials without a token.
    pub(crate) v1_disabled: bool,
}

impl Settings {
    /// Reads the settings through `var` (environment) and `key` (the top profile).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidConfig`]: a timeout or attempt count that is no integer, an
    /// unknown endpoint mode, an endpoint that is not a URL.
    pub(crate) fn read(
        var: impl Fn(&str) -> Option<String>,
        key: impl Fn(&str) -> Option<String>,
    ) -> Result<Settings, Error> {
        // botocore's ChainProvider: the variable if present, else the profile key.
        let get = |variable: &str, name: &str| var(variable).or_else(|| key(name));
        let timeout = match get(TIMEOUT, "metadata_service_timeout") {
            None => 1,
            Some(v) => match integer(&v) {
                // urllib3 refuses a timeout of 0 or less.
                Some(n) if n > 0 => n,
                _ => {
                    return Err(bad_setting(
                        TIMEOUT,
                        "metadata_service_timeout",
                        &v,
                        "a whole number of seconds, 1 or more",
                    ));
                }
            },
        };
        let attempts = match get(ATTEMPTS, "metadata_service_num_attempts") {
            None => 1,
            Some(v) => match integer(&v) {
                Some(n) => u32::try_from(n.max(0)).unwrap_or(u32::MAX),
                None => {
                    return Err(bad_setting(
                        ATTEMPTS,
                        "metadata_service_num_attempts",
                        &v,
                        "a whole number",
                    ));
                }
            },
        };
        let endpoint = get(ENDPOINT, "ec2_metadata_service_endpoint");
        let mode = get(ENDPOINT_MODE, "ec2_metadata_service_endpoint_mode");
        let use_ipv6 = get(USE_IPV6, "imds_use_ipv6").is_some_and(|v| is_true(&v));
        let base_url = base_url(endpoint.as_deref(), mode.as_deref(), use_ipv6)?;
        Ok(Settings {
            disabled: var(DISABLED).is_some_and(|v| is_true(&v)),
            base_url,
            timeout: Duration::from_secs(timeout.unsigned_abs()),
            attempts,
            v1_disabled: get(V1_DISABLED, "ec2_metadata_v1_disabled").is_some_and(|v| is_true(&v)),
        })
    }
}

/// Python's `int(str)` for the values people write: optional sign, digits, surrounding
/// whitespace.
fn integer(v: &str) -> Option<i64> {
    v.trim().parse().ok()
}

/// botocore's `ensure_boolean` on a string: `true` in any case.
fn is_true(v: &str) -> bool {
    v.eq_ignore_ascii_case("true")
}

#[cold]
fn bad_setting(variable: &str, key: &str, value: &str, want: &str) -> Error {
    Error::new(
        ErrorKind::InvalidConfig,
        format!("{variable} / {key} must be {want}, not {value:?}"),
    )
}

/// botocore's `_select_base_url`: a custom endpoint wins over the mode; mode `ipv6` (or
/// `imds_use_ipv6`) picks `http://[fd00:ec2::254]/`; otherwise `http://169.254.169.254/`.
/// An empty endpoint counts as none. The result ends in `/`.
///
/// # Errors
///
/// [`ErrorKind::InvalidConfig`] with botocore's `InvalidIMDSEndpointModeError` or
/// `InvalidIMDSEndpointError` text.
pub(crate) fn base_url(
    endpoint: Option<&str>,
    mode: Option<&str>,
    use_ipv6: bool,
) -> Result<String, Error> {
    // The mode is checked even when a custom endpoint makes it moot, as botocore does.
    let ipv6 = match mode {
        Some(m) if m.eq_ignore_ascii_case("ipv4") => false,
        Some(m) if m.eq_ignore_ascii_case("ipv6") => true,
        Some(m) => {
            return Err(Error::new(
                ErrorKind::InvalidConfig,
                format!(
                    "Invalid EC2 Instance Metadata endpoint mode: {m} Valid endpoint modes \
                     (case-insensitive): ('ipv4', 'ipv6'). (from {ENDPOINT_MODE} or \
                     ec2_metadata_service_endpoint_mode)"
                ),
            ));
        }
        None => use_ipv6,
    };
    match endpoint.filter(|e| !e.is_empty()) {
        Some(custom) => {
            let url = HttpUrl::parse(custom).map_err(|why| {
                Error::new(
                    ErrorKind::InvalidConfig,
                    format!(
                        "Invalid endpoint EC2 Instance Metadata endpoint: {custom} (from \
                         {ENDPOINT} or ec2_metadata_service_endpoint: it {why})"
                    ),
                )
            })?;
            let mut url = url.to_string();
            if !url.ends_with('/') {
                url.push('/');
            }
            Ok(url)
        }
        None if ipv6 => Ok(DEFAULT_ENDPOINT_IPV6.to_owned()),
        None => Ok(DEFAULT_ENDPOINT.to_owned()),
    }
}

/// The session token request.
pub(crate) fn token_request(settings: &Settings) -> HttpRequest {
    let mut request = HttpRequest::put(format!("{}{TOKEN_PATH}", settings.base_url))
        .header(TOKEN_TTL_HEADER, TOKEN_TTL);
    request.timeout = settings.timeout;
    request
}

/// A `GET` of `path` under the base URL, with the token if there is one.
pub(crate) fn get_request(settings: &Settings, path: &str, token: Option<&str>) -> HttpRequest {
    let mut request = HttpRequest::get(format!("{}{path}", settings.base_url));
    if let Some(token) = token {
        request = request.header(TOKEN_HEADER, token);
    }
    request.timeout = settings.timeout;
    request
}

/// What one token attempt says to do next.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TokenStep {
    /// 200: the token.
    Token(String),
    /// 403, 404, 405, or no answer in time: go on without a token.
    Without(String),
    /// Any other status, or no connection: ask again while attempts remain.
    Retry(String),
    /// 400, or a failure no retry can mend (no client, a refused URL): no credentials.
    GiveUp(String),
}

/// botocore's `_fetch_metadata_token` on one outcome.
pub(crate) fn token_step(
    outcome: Result<&HttpResponse, &HttpError>,
    timeout: Duration,
) -> TokenStep {
    match outcome {
        Ok(r) if r.status == 200 => TokenStep::Token(String::from_utf8_lossy(&r.body).into_owned()),
        Ok(r) if (403..=405).contains(&r.status) => {
            TokenStep::Without(format!("HTTP {} for the session token", r.status))
        }
        Ok(r) if r.status == 400 => {
            TokenStep::GiveUp("HTTP 400 (bad request) for the session token".to_owned())
        }
        Ok(r) => TokenStep::Retry(format!("HTTP {} for the session token", r.status)),
        // BOTOCORE: a read timeout is not retried (connect timeouts are, but the client
        // does not tell them apart; at the default of one attempt it makes no difference).
        Err(e) if e.kind() == HttpErrorKind::Timeout => TokenStep::Without(no_answer(timeout)),
        Err(e) if e.kind() == HttpErrorKind::Connect => {
            TokenStep::Retry("could not connect".to_owned())
        }
        Err(e) => TokenStep::GiveUp(e.to_string()),
    }
}

fn no_answer(timeout: Duration) -> String {
    format!("no answer within {} s", timeout.as_secs())
}

/// What is in a credentials document.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Document {
    /// The four fields, as strings.
    Credentials {
        access_key_id: String,
        secret_access_key: String,
        token: String,
        expiration: String,
    },
    /// Not credentials (an error document, a missing field): why, for the note.
    Not(String),
}

/// botocore's `_contains_all_credential_fields`, on a body already known to be JSON.
///
/// # Errors
///
/// [`ErrorKind::MalformedCredentials`] when all four fields are there but one is not a
/// string (botocore would crash later).
pub(crate) fn read_document(document: &Value, role: &str) -> Result<Document, Error> {
    const FIELDS: [&str; 4] = ["AccessKeyId", "SecretAccessKey", "Token", "Expiration"];
    let Some(object) = document.as_object() else {
        return Ok(Document::Not(format!(
            "the credentials of role {role} are not a JSON object"
        )));
    };
    if let Some(missing) = FIELDS.iter().find(|f| !object.contains_key(**f)) {
        let text = |k: &str| {
            object
                .get(k)
                .and_then(Value::as_str)
                .map(|t| crate::error::quoted(t.trim(), &[], 200))
        };
        return Ok(Document::Not(match (text("Code"), text("Message")) {
            (Some(code), Some(message)) => format!("role {role}: {code}: {message}"),
            _ => format!("the credentials of role {role} have no {missing}"),
        }));
    }
    let field = |name: &str| {
        object[name].as_str().map(str::to_owned).ok_or_else(|| {
            Error::new(
                ErrorKind::MalformedCredentials,
                format!("the instance metadata credentials of role {role} have a {name} that is not a string"),
            )
        })
    };
    Ok(Document::Credentials {
        access_key_id: field("AccessKeyId")?,
        secret_access_key: field("SecretAccessKey")?,
        token: field("Token")?,
        expiration: field("Expiration")?,
    })
}

/// The expiry to use: `expiration`, or `now` + 17 min if that is later and
/// `expiration` is written exactly as IMDS writes it (botocore's `_evaluate_expiration`
/// parses `%Y-%m-%dT%H:%M:%SZ` and leaves anything else alone).
///
/// # Errors
///
/// The timestamp's problem.
pub(crate) fn expiry(
    expiration: &str,
    now: SystemTime,
) -> Result<Expiry, timestamp::TimestampError> {
    let at = timestamp::parse(expiration)?;
    let b = expiration.as_bytes();
    let imds_shape = b.len() == 20 && b[10] == b'T' && b[19] == b'Z';
    let extended = now + EXTENSION;
    if imds_shape && at < extended {
        return Ok(Expiry::Until(extended));
    }
    Ok(if at <= now {
        Expiry::Expired(at)
    } else {
        Expiry::Until(at)
    })
}

/// What [`expiry`] makes of a document's `Expiration`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Expiry {
    /// Usable until then (extended or not).
    Until(SystemTime),
    /// Passed at that time and not extended (botocore's refresh then fails with "still
    /// expired").
    Expired(SystemTime),
}

/// One step of [`fetch`] short of an error: what it got, or why there are no
/// credentials (for the "nothing found" note).
enum Step<T> {
    Got(T),
    Nothing(String),
}

/// `let x = step!(...)`: the value, or return the step's "nothing" from [`fetch`].
macro_rules! step {
    ($e:expr) => {
        match $e {
            Step::Got(value) => value,
            Step::Nothing(why) => return Ok(Step::Nothing(why)),
        }
    };
}

/// IAM role names: letters, digits and `+=,.@_-`, 1 to 64 characters. Anything else
/// cannot be put in the next URL as it is.
fn is_role_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
}

/// The three requests: the session token, the role name, the role's credentials.
fn fetch(ctx: &ChainContext<'_>, s: &Settings) -> Result<Step<Resolved>, Error> {
    let token = step!(session_token(ctx, s)?);
    let token = token.as_ref().map(|t| t.as_str());
    let role = step!(role_name(ctx, s, token)?);
    role_credentials(ctx, s, token, role)
}

/// Request 1: the IMDSv2 session token, `None` for the IMDSv1 fallback (refused when
/// `ec2_metadata_v1_disabled`).
fn session_token(
    ctx: &ChainContext<'_>,
    s: &Settings,
) -> Result<Step<Option<Zeroizing<String>>>, Error> {
    let mut token: Option<Zeroizing<String>> = None;
    let mut token_trouble = String::from("no attempts (metadata_service_num_attempts = 0)");
    let mut token_transport = false;
    for _ in 0..s.attempts {
        let outcome = ctx.env.http(&token_request(s));
        token_transport = outcome.is_err();
        match token_step(outcome.as_ref(), s.timeout) {
            TokenStep::Token(t) => {
                token = Some(Zeroizing::new(t));
                break;
            }
            TokenStep::Without(why) => {
                token_trouble = why;
                break;
            }
            TokenStep::Retry(why) => token_trouble = why,
            TokenStep::GiveUp(why) => return Ok(Step::Nothing(why)),
        }
    }
    if let Some(t) = &token
        && t.chars().any(char::is_control)
    {
        return Err(Error::new(
            ErrorKind::MalformedCredentials,
            format!(
                "the instance metadata service at {} returned a session token that cannot be \
                 sent back as a header",
                s.base_url
            ),
        ));
    }
    // BOTOCORE: `if not token`: an empty token is no token for this check, yet is sent.
    if token.as_ref().is_none_or(|t| t.is_empty()) && s.v1_disabled {
        return Err(Error::new(
            if token_transport {
                ErrorKind::Network
            } else {
                ErrorKind::ServiceError
            },
            format!(
                "Error retrieving metadata: Unable to retrieve token for use in IMDSv2 call and \
                 IMDSv1 has been disabled (instance metadata at {}: {token_trouble}; \
                 {V1_DISABLED} / ec2_metadata_v1_disabled is true)",
                s.base_url
            ),
        ));
    }
    Ok(Step::Got(token))
}

/// Request 2: the name of the instance's role, checked to be one.
fn role_name(
    ctx: &ChainContext<'_>,
    s: &Settings,
    token: Option<&str>,
) -> Result<Step<String>, Error> {
    let body = step!(get(ctx, s, ROLE_PATH, token, "the role name", |_| true));
    let role = String::from_utf8_lossy(&body).into_owned();
    if !is_role_name(&role) {
        return Err(Error::new(
            ErrorKind::MalformedCredentials,
            format!(
                "the instance metadata service at {} gave a role name that is not an IAM role \
                 name: \"{}\"",
                s.base_url,
                // Should the service echo the session token we sent, it is masked.
                crate::error::quoted(role.trim(), token.as_slice(), 200)
            ),
        ));
    }
    Ok(Step::Got(role))
}

/// Request 3: the role's credentials.
fn role_credentials(
    ctx: &ChainContext<'_>,
    s: &Settings,
    token: Option<&str>,
    role: String,
) -> Result<Step<Resolved>, Error> {
    let path = format!("{ROLE_PATH}{role}");
    let what = format!("the credentials of role {role}");
    let body = step!(get(ctx, s, &path, token, &what, |b| {
        serde_json::from_slice::<Value>(b).is_ok()
    }));
    let document: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let (access_key_id, secret_access_key, session_token, expiration) =
        match read_document(&document, &role)? {
            Document::Credentials {
                access_key_id,
                secret_access_key,
                token,
                expiration,
            } => (access_key_id, secret_access_key, token, expiration),
            Document::Not(why) => return Ok(Step::Nothing(why)),
        };
    let expiry = match expiry(&expiration, ctx.env.now()) {
        Ok(Expiry::Until(t)) => t,
        Ok(Expiry::Expired(at)) => {
            return Err(super::still_expired(&format!(
                "the instance metadata credentials of role {role} expired at {}",
                timestamp::format_utc(at)
            )));
        }
        Err(e) => {
            return Err(Error::new(
                ErrorKind::MalformedCredentials,
                format!(
                    "the Expiration of the instance metadata credentials of role {role} {}",
                    e.describe()
                ),
            ));
        }
    };
    let credentials: Credentials = Keys {
        access_key_id,
        secret_access_key,
        session_token: Some(session_token),
        expiry: Some(expiry),
        account_id: None,
        provider: METHOD,
    }
    .build();
    Ok(Step::Got(Resolved {
        credentials,
        // Asked on every call, as botocore does.
        source: Source::new(
            METHOD,
            Reuse::EveryCall,
            format!(
                "EC2 instance metadata at {}, role {role} ({})",
                s.base_url,
                if token.is_some_and(|t| !t.is_empty()) {
                    "IMDSv2"
                } else {
                    "IMDSv1: no session token"
                }
            ),
        ),
    }))
}

/// botocore's `_get_request`: up to `attempts` tries until a 200 with a non-empty body
/// that `accept` takes. `Ok(Err(why))` when none came.
fn get(
    ctx: &ChainContext<'_>,
    s: &Settings,
    path: &str,
    token: Option<&str>,
    what: &str,
    accept: impl Fn(&[u8]) -> bool,
) -> Step<Vec<u8>> {
    let request = get_request(s, path, token);
    let mut why = String::from("no attempts (metadata_service_num_attempts = 0)");
    for _ in 0..s.attempts {
        match ctx.env.http(&request) {
            Ok(mut r) if r.status == 200 && !r.body.is_empty() && accept(&r.body) => {
                // HttpResponse wipes its body on drop: take it out instead.
                return Step::Got(std::mem::take(&mut r.body));
            }
            Ok(r) if r.status == 200 && r.body.is_empty() => {
                why = format!("an empty answer for {what}");
            }
            Ok(r) if r.status == 200 => why = format!("{what} are not JSON"),
            Ok(r) => {
                why = format!("HTTP {} for {what}", r.status);
                why.push_str(match (r.status, token.is_some()) {
                    (401, false) => " (IMDSv2 is required and no session token was obtained)",
                    (404, _) if path == ROLE_PATH => " (no IAM role attached to this instance)",
                    _ => "",
                });
            }
            Err(e) if e.kind() == HttpErrorKind::Timeout => why = no_answer(s.timeout),
            Err(e) if e.kind() == HttpErrorKind::Connect => why = "could not connect".to_owned(),
            Err(e) => return Step::Nothing(e.to_string()),
        }
    }
    Step::Nothing(why)
}

#[cfg(test)]
mod tests;
