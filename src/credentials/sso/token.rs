//! The SSO access token: read from `~/.aws/sso/cache`, refreshed through SSO OIDC.
//!
//! `aws sso login` leaves a JSON file with the access token, its expiry and (sso-session
//! form) a refresh token with the OIDC client registration that can renew it
//! (`reference/behavior.md` §5.2–§5.4). We read it as botocore does, refresh it when
//! fewer than 15 minutes remain, and write the refreshed token back so the AWS CLI keeps
//! working with it. Where we deliberately differ from botocore:
//!
//! * DIFFERENCE: the rewrite keeps fields we do not know (botocore drops them), and
//!   keeps the old refresh token when the OIDC answer carries none (botocore drops it,
//!   leaving a file that can never be refreshed again; OAuth 2.0 says the old one stays
//!   valid unless a new one is issued).
//! * DIFFERENCE: a refresh that fails for any reason — an HTTP error *or* an unreachable
//!   endpoint — falls back to the old token while it is still valid (botocore only
//!   falls back on HTTP errors; a network failure is fatal there even with minutes
//!   left).
//! * After a failed refresh the file is read again: another process (a parallel git
//!   fetch, the AWS CLI) may have refreshed it meanwhile, rotating the refresh token we
//!   used.

use std::fmt;
use std::path::Path;
use std::time::{Duration, SystemTime};

use serde_json::{Map, Value, json};
use zeroize::Zeroizing;

use super::SsoConfig;
use crate::credentials::cli_cache::LOCK_WAIT;
use crate::credentials::{ChainContext, retry, timestamp};
use crate::endpoint::services::{self, Service};
use crate::env::HttpRequest;
use crate::error::{Error, ErrorKind};

/// Refresh when fewer than this many seconds remain (botocore; other SDKs use 5 min).
pub(crate) const REFRESH_WINDOW: Duration = Duration::from_secs(15 * 60);

/// The largest token cache file we read.
const MAX_FILE: u64 = 1 << 20;

/// An SSO bearer token.
pub(crate) struct Token {
    pub(crate) access_token: Zeroizing<String>,
    pub(crate) expires_at: SystemTime,
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("access_token", &"<redacted>")
            .field("expires_at", &timestamp::format_utc(self.expires_at))
            .finish()
    }
}

/// The cache file's contents and what we read from them.
pub(crate) struct Cached {
    pub(crate) doc: Map<String, Value>,
    pub(crate) token: Token,
}

/// A usable access token for `sso`, refreshed if it is close to expiry and can be.
///
/// # Errors
///
/// [`ErrorKind::SsoLoginRequired`] when there is no usable token (no file, not JSON,
/// fields missing or of the wrong type, expired and not refreshable); the message names
/// the profile, the start URL and the file, and says to run `aws sso login`.
pub(crate) fn load(ctx: &ChainContext<'_>, sso: &SsoConfig) -> Result<Token, Error> {
    // Without a home directory this is `~/.aws/sso/cache/…` unexpanded, as Python
    // leaves it; reading it then finds nothing and says so.
    let path = sso.token_path(ctx.env);
    let cached = read(ctx, sso, &path)?;
    let now = ctx.env.now();

    if sso.session.is_none() {
        // Legacy form: never refreshed; usable until its last second (§5.3).
        if cached.token.expires_at <= now {
            return Err(expired(sso, &path, cached.token.expires_at, None));
        }
        return Ok(cached.token);
    }

    let remaining = cached
        .token
        .expires_at
        .duration_since(now)
        .unwrap_or_default();
    if remaining >= REFRESH_WINDOW {
        return Ok(cached.token);
    }
    // Refresh under a lock, after reading the file again: a process that waited may
    // find a token another one just refreshed (refresh tokens can be single-use).
    let _lock = ctx
        .env
        .lock_file(&path.with_extension("lock"), LOCK_WAIT)
        .ok();
    let cached = match read(ctx, sso, &path) {
        Ok(again)
            if again
                .token
                .expires_at
                .duration_since(now)
                .unwrap_or_default()
                >= REFRESH_WINDOW =>
        {
            return Ok(again.token);
        }
        Ok(again) => again,
        Err(_) => cached,
    };
    let failure = match refresh(ctx, sso, &path, &cached.doc) {
        // A refresh can answer with a token that is already over (expiresIn 0): botocore
        // writes it and then fails, and so do we.
        Ok(token) if token.expires_at > now => return Ok(token),
        Ok(token) => {
            return Err(expired(
                sso,
                &path,
                token.expires_at,
                Some("SSO OIDC issued a token that had already expired"),
            ));
        }
        Err(why) => why,
    };
    // Someone else may have refreshed the file while we tried.
    if let Ok(again) = read(ctx, sso, &path)
        && again.token.expires_at > now
        && *again.token.access_token != *cached.token.access_token
    {
        return Ok(again.token);
    }
    if cached.token.expires_at > now {
        return Ok(cached.token);
    }
    match failure {
        RefreshFailure::Config(e) => Err(e),
        RefreshFailure::Refused(why) => {
            Err(expired(sso, &path, cached.token.expires_at, Some(&why)))
        }
        // The cause is the network, not the login: say so, with the login hint for after.
        RefreshFailure::Unreachable(e) => Err(Error::with_source(
            ErrorKind::Network,
            format!(
                "the SSO token of profile {} expired at {} and SSO OIDC could not be reached \
                 to refresh it (check the network or proxy, then {})",
                sso.profile,
                timestamp::format_utc(cached.token.expires_at),
                sso.login_hint()
            ),
            e,
        )),
    }
}

fn read(ctx: &ChainContext<'_>, sso: &SsoConfig, path: &Path) -> Result<Cached, Error> {
    let shown = path.display();
    match read_file(ctx.env, path) {
        Ok(cached) => Ok(cached),
        Err(FileProblem::Missing) => {
            let name = sso.session.as_deref().unwrap_or(&sso.start_url);
            Err(login_required(
                sso,
                &format!(
                    "Error loading SSO Token: Token for {name} does not exist (profile {}, start \
                     URL {}, looked for {shown})",
                    sso.profile, sso.start_url
                ),
            ))
        }
        Err(FileProblem::Unreadable(e)) => Err(login_required(
            sso,
            &format!("the SSO token cache file {shown} cannot be read ({e})"),
        )),
        Err(FileProblem::Invalid(what)) => Err(login_required(
            sso,
            &format!(
                "Error loading SSO Token: Token for {} is invalid ({shown} {what})",
                sso.start_url
            ),
        )),
    }
}

/// Why a token cache file gave no token.
#[derive(Debug)]
pub(crate) enum FileProblem {
    /// The file does not exist.
    Missing,
    /// The file exists but cannot be read.
    Unreadable(std::io::Error),
    /// The file is not a token cache file: what is wrong, after the file's name
    /// (`is not valid JSON`, `has no expiresAt string`, …).
    Invalid(String),
}

/// The token cache file at `path`, read as botocore reads it.
pub(crate) fn read_file(
    env: &dyn crate::env::Environment,
    path: &Path,
) -> Result<Cached, FileProblem> {
    let bytes = match env.read_file(path, MAX_FILE) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Err(FileProblem::Missing),
        Err(e) => return Err(FileProblem::Unreadable(e)),
    };
    let invalid = |what: &str| FileProblem::Invalid(what.to_owned());
    let doc = match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(doc)) => doc,
        Ok(_) => return Err(invalid("is not a JSON object")),
        Err(_) => return Err(invalid("is not valid JSON")),
    };
    let Some(access_token) = doc.get("accessToken").and_then(Value::as_str) else {
        return Err(invalid("has no accessToken string"));
    };
    let Some(expires_at) = doc.get("expiresAt").and_then(Value::as_str) else {
        return Err(invalid("has no expiresAt string"));
    };
    let expires_at = timestamp::parse(expires_at)
        .map_err(|e| invalid(&format!("has an expiresAt that {}", e.describe())))?;
    Ok(Cached {
        token: Token {
            access_token: Zeroizing::new(access_token.to_owned()),
            expires_at,
        },
        doc,
    })
}

/// Whether the token cache `doc` holds what an OIDC refresh needs: a refresh token and
/// the client registration (its expiry is checked when the refresh is tried).
pub(crate) fn has_refresh_data(doc: &Map<String, Value>) -> bool {
    [
        "refreshToken",
        "clientId",
        "clientSecret",
        "registrationExpiresAt",
    ]
    .iter()
    .all(|k| doc.get(*k).is_some_and(Value::is_string))
}

/// Why a refresh did not happen or failed (never holds a secret).
enum RefreshFailure {
    /// Refresh was impossible or refused: no refresh data, an expired registration,
    /// an error answer, a malformed answer.
    Refused(String),
    /// SSO OIDC could not be reached.
    Unreachable(crate::env::HttpError),
    /// The configuration names no usable SSO OIDC endpoint (an invalid `sso_region` or
    /// endpoint URL): the error to give once the cached token has run out.
    Config(Error),
}

impl From<String> for RefreshFailure {
    fn from(why: String) -> Self {
        RefreshFailure::Refused(why)
    }
}

impl From<&str> for RefreshFailure {
    fn from(why: &str) -> Self {
        RefreshFailure::Refused(why.to_owned())
    }
}

fn refresh(
    ctx: &ChainContext<'_>,
    sso: &SsoConfig,
    path: &Path,
    doc: &Map<String, Value>,
) -> Result<Token, RefreshFailure> {
    let field = |k: &str| doc.get(k).and_then(Value::as_str);
    let (Some(refresh_token), Some(client_id), Some(client_secret), Some(registration)) = (
        field("refreshToken"),
        field("clientId"),
        field("clientSecret"),
        field("registrationExpiresAt"),
    ) else {
        return Err("the token cache holds no refresh token and client registration".into());
    };
    let now = ctx.env.now();
    match timestamp::parse(registration) {
        Ok(t) if t > now => {}
        Ok(_) => return Err("the SSO client registration has expired".into()),
        Err(e) => return Err(format!("registrationExpiresAt {}", e.describe()).into()),
    }

    let endpoint = sso
        .endpoint(ctx, Service::SsoOidc)
        .map_err(RefreshFailure::Config)?;
    let url = services::join(&endpoint, "/token");
    // botocore's body, keys in its order (§5.4).
    let body = Zeroizing::new(
        json!({
            "grantType": "refresh_token",
            "clientId": client_id,
            "clientSecret": client_secret,
            "refreshToken": refresh_token,
        })
        .to_string(),
    );
    let request = HttpRequest::post(url.clone(), body.as_bytes().to_vec())
        .header("Content-Type", "application/json");
    let response = retry::send(ctx.env, &request, retry::standard)
        .map_err(RefreshFailure::Unreachable)?
        .response;
    if response.status != 200 {
        let (code, _) =
            crate::credentials::aws_json::error_code(&response, &[refresh_token, client_secret]);
        return Err(format!(
            "SSO OIDC refused to refresh the token (HTTP {}, {code})",
            response.status
        )
        .into());
    }
    let answer: Value = serde_json::from_slice(&response.body)
        .map_err(|_| RefreshFailure::from("SSO OIDC answered with a body that is not JSON"))?;
    let (Some(access_token), Some(expires_in)) = (
        answer.get("accessToken").and_then(Value::as_str),
        answer.get("expiresIn").and_then(Value::as_u64),
    ) else {
        return Err("SSO OIDC's answer lacks accessToken or expiresIn".into());
    };
    let expires_at = expiry_after(now, expires_in);

    let mut new_doc = doc.clone();
    new_doc.insert("startUrl".into(), json!(sso.start_url));
    new_doc.insert("region".into(), json!(sso.sso_region));
    new_doc.insert("accessToken".into(), json!(access_token));
    new_doc.insert(
        "expiresAt".into(),
        json!(timestamp::format_for_file(expires_at)),
    );
    if let Some(new_refresh) = answer.get("refreshToken").and_then(Value::as_str) {
        new_doc.insert("refreshToken".into(), json!(new_refresh));
    }
    let text = Zeroizing::new(crate::credentials::pyjson::dumps(
        &Value::Object(new_doc),
        crate::credentials::pyjson::Separators::Default,
        false,
    ));
    // If the write fails (read-only or full disk) the new token still serves this
    // command; the old file stays intact.
    let _ = ctx.env.write_file_atomic(path, text.as_bytes());
    Ok(Token {
        access_token: Zeroizing::new(access_token.to_owned()),
        expires_at,
    })
}

/// `now` + `expires_in` seconds, as an SSO token's `expiresAt` (refreshed here, or new
/// from `codecommit-auth login`).
pub(crate) fn expiry_after(now: SystemTime, expires_in: u64) -> SystemTime {
    // Truncated to the second, as botocore writes it.
    let now_secs = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    // An absurd expiresIn (up to u64::MAX from a broken endpoint) would overflow
    // SystemTime and panic; the expiry is capped at the last second of year 9999, the
    // latest one the cache file can spell.
    SystemTime::UNIX_EPOCH
        + Duration::from_secs(
            now_secs
                .saturating_add(expires_in)
                .min(crate::sign::SigningTime::MAX_UNIX as u64),
        )
}

#[cold]
fn login_required(sso: &SsoConfig, what: &str) -> Error {
    Error::new(
        ErrorKind::SsoLoginRequired,
        format!("{what}; {}", sso.login_hint()),
    )
}

#[cold]
fn expired(sso: &SsoConfig, path: &Path, at: SystemTime, refresh: Option<&str>) -> Error {
    let botocore = if sso.session.is_some() {
        "Error when retrieving token from sso: Token has expired and refresh failed"
    } else {
        "The SSO session associated with this profile has expired or is otherwise invalid. To \
         refresh this SSO session run aws sso login with the corresponding profile."
    };
    let refresh = refresh
        .map(|r| format!("; refresh failed: {r}"))
        .unwrap_or_default();
    login_required(
        sso,
        &format!(
            "{botocore} (profile {}, start URL {}: the token in {} expired at {}{refresh})",
            sso.profile,
            sso.start_url,
            path.display(),
            timestamp::format_utc(at)
        ),
    )
}
