//! `aws login` profiles (`login_session`): botocore's `LoginProvider` and
//! `LoginCredentialFetcher` (position 6 of the chain, `reference/behavior.md` §4.1 and
//! §11 item 2).
//!
//! `aws login` (AWS CLI v2.32+) signs in through the browser with console credentials
//! and leaves a token file in `~/.aws/login/cache` ([`token`]). Its credentials serve
//! while more than 5 minutes remain; then the Sign-In service's `CreateOAuth2Token`
//! renews them with the refresh token and a DPoP proof over the file's key ([`signin`],
//! [`dpop`]), and the renewed token is written back for the next command and the CLI.
//!
//! botocore needs the AWS CRT (`botocore[crt]`) for this and git-remote-codecommit fails
//! without it, so these profiles work here where the reference gives an error.
//!
//! Where we deliberately differ from botocore:
//!
//! * DIFFERENCE: the key is read only when a refresh needs it. BOTOCORE: inside the last
//!   10 minutes it is read on every use even when no refresh happens, and a broken key
//!   then fails the command while the cached credentials are still good.
//! * DIFFERENCE: a file that is not JSON, or whose `accessToken` lacks a field, is a
//!   clear "run `aws login`" error. BOTOCORE: a `KeyError` traceback.
//! * DIFFERENCE: the refresh happens under a lock beside the token file, and the file is
//!   read again once the lock is held, so parallel git commands refresh once (a refresh
//!   token is spent by its use).
//! * DIFFERENCE: a token file we cannot write back (read-only disk) does not fail the
//!   command: the renewed credentials serve it. BOTOCORE: the write error propagates.

use std::path::PathBuf;
use std::time::Duration;

use super::{
    BaseStep, ChainContext, Outcome, Provider, Resolved, Reuse, Source, TokenState, timestamp,
};
use crate::config::{Profile, SharedConfig};
use crate::env::Environment;
use crate::error::{Error, ErrorKind, MAX_SHOWN, shown};

/// `pub(super)`: SSO sign-in's PKCE shares its base64url.
pub(super) mod dpop;
mod signin;
mod token;

use token::FileProblem;

/// Cached credentials serve while more than this remains (botocore's
/// `_REFRESH_THRESHOLD`).
pub(crate) const REFRESH_THRESHOLD: Duration = Duration::from_secs(5 * 60);

/// botocore's `LoginProvider`.
#[derive(Debug)]
pub(crate) struct Login;

impl Provider for Login {
    fn provide(&self, ctx: &ChainContext<'_>) -> Result<Outcome, Error> {
        match ctx
            .config
            .profile(ctx.profile)
            .and_then(|p| p.get("login_session"))
        {
            None => Ok(Outcome::NotConfigured),
            Some(session) => fetch(ctx, session).map(Outcome::Found),
        }
    }

    fn plan(&self, _: &SharedConfig, profile: Profile<'_>) -> Result<Option<BaseStep>, Error> {
        Ok(profile.contains_key("login_session").then(|| {
            let name = profile.name();
            BaseStep::other(name, METHOD, format!("login_session of profile {name}"))
        }))
    }

    fn profile_keys(&self) -> Option<&'static str> {
        Some("login_session")
    }
}

/// botocore's name for the provider.
const METHOD: &str = "login";

/// The credentials of `aws login` session `session` for `ctx.profile`: the cached ones
/// while they last, else renewed through the Sign-In service.
fn fetch(ctx: &ChainContext<'_>, session: &str) -> Result<Resolved, Error> {
    let profile = ctx.profile;
    let path = token::path(ctx.env, session);
    let found = |token: &token::Token, refreshed: bool| {
        let expires = timestamp::format_utc(token.expires_at);
        let text = format!(
            "aws login session {session} of profile {profile} (token {}; {})",
            path.display(),
            if refreshed {
                format!("renewed now through the Sign-In service, until {expires}")
            } else {
                format!("cached until {expires}, renewed when fewer than 5 minutes remain")
            }
        );
        let source = Source::new(METHOD, Reuse::UntilExpiry, text);
        Resolved {
            credentials: token.credentials(),
            // The token file is the session's cache; a renewal is a call to the service.
            source: if refreshed { source } else { source.cached() },
        }
    };
    let token = read(ctx, session, &path)?;
    if serves(&token, ctx.env) {
        return Ok(found(&token, false));
    }
    // One refresh at a time across processes; whoever waited finds it done.
    let _lock = ctx
        .env
        .lock_file(
            &path.with_extension("lock"),
            crate::credentials::cli_cache::LOCK_WAIT,
        )
        .ok();
    let token = read(ctx, session, &path)?;
    if serves(&token, ctx.env) {
        return Ok(found(&token, false));
    }
    let renewed = refresh(ctx, session, &path, &token)?;
    let resolved = found(&renewed, true);
    super::reject_expired(&resolved.credentials, ctx.env.now(), "the Sign-In service")?;
    Ok(resolved)
}

/// Whether the cached credentials still serve: more than [`REFRESH_THRESHOLD`] left.
fn serves(token: &token::Token, env: &dyn Environment) -> bool {
    token
        .expires_at
        .duration_since(env.now())
        .is_ok_and(|left| left > REFRESH_THRESHOLD)
}

fn read(
    ctx: &ChainContext<'_>,
    session: &str,
    path: &std::path::Path,
) -> Result<token::Token, Error> {
    let shown_path = path.display();
    token::read(ctx.env, path).map_err(|problem| match problem {
        FileProblem::Missing => login_required(
            ctx.profile,
            &format!(
                "Error loading login session token: Unable to load a existing login session \
                 for session {}. Please reauthenticate with 'aws login'. (profile {}, looked \
                 for {shown_path})",
                shown(session, MAX_SHOWN),
                shown(ctx.profile, MAX_SHOWN)
            ),
        ),
        FileProblem::Unreadable(e) => Error::with_source(
            ErrorKind::ConfigRead,
            format!("cannot read the aws login token file {shown_path}"),
            e,
        ),
        FileProblem::Invalid(what) => login_required(
            ctx.profile,
            &format!(
                "Error loading login session token: the token file {shown_path} of session \
                 {} {what}",
                shown(session, MAX_SHOWN)
            ),
        ),
    })
}

/// Renews `old` through the Sign-In service and writes the result back.
fn refresh(
    ctx: &ChainContext<'_>,
    session: &str,
    path: &std::path::Path,
    old: &token::Token,
) -> Result<token::Token, Error> {
    let name = shown(ctx.profile, MAX_SHOWN);
    let text = |k: &str| {
        old.field(k).ok_or_else(|| {
            login_required(
                ctx.profile,
                &format!(
                    "Error loading login session token: {k} in {} is not text",
                    path.display()
                ),
            )
        })
    };
    let key = dpop::DpopKey::from_pem(text("dpopKey")?).map_err(|why| {
        login_required(
            ctx.profile,
            &format!(
                "Error loading login session token: Unable to load private key from cached \
                 token. (The dpopKey in {} {why})",
                path.display()
            ),
        )
    })?;
    let (client_id, refresh_token) = (text("clientId")?, text("refreshToken")?);
    let region = signin::region(ctx, old.sign_in_region())?;
    let endpoint = signin::endpoint(ctx, &region)?;
    let answer = signin::refresh(ctx, &endpoint, &key, client_id, refresh_token)?;
    let renewed = match answer {
        Ok(renewed) => renewed,
        Err(signin::Failure::LoginAgain(detail)) => {
            return Err(login_required(
                ctx.profile,
                &format!(
                    "Your session has expired or credentials have changed. Please \
                     reauthenticate using 'aws login'. (The Sign-In service answered {detail} \
                     to the refresh of session {} of profile {name})",
                    shown(session, MAX_SHOWN)
                ),
            ));
        }
        Err(signin::Failure::Permissions(detail)) => {
            return Err(Error::new(
                ErrorKind::ServiceError,
                format!(
                    "Unable to create or refresh login credentials due to insufficient \
                     permissions. You may be missing permission for the \
                     'signin:CreateOAuth2Token' action. ({detail}; profile {name})"
                ),
            ));
        }
        Err(signin::Failure::Service(detail)) => {
            return Err(Error::new(
                ErrorKind::ServiceError,
                format!(
                    "An error occurred ({detail}) when calling the CreateOAuth2Token \
                     operation (refreshing the aws login session of profile {name})"
                ),
            ));
        }
        Err(signin::Failure::BadAnswer(what)) => {
            return Err(Error::new(
                ErrorKind::MalformedCredentials,
                format!(
                    "Error loading login session token: Unable to refresh access token due to \
                     an invalid service response. Please try running 'aws login' again. If the \
                     issue persists, there may be a temporary signin service problem. (The \
                     Sign-In service's answer {what}; profile {name})"
                ),
            ));
        }
        Err(signin::Failure::Unreachable(e)) => {
            return Err(Error::with_source(
                ErrorKind::Network,
                format!(
                    "Could not connect to the endpoint URL: \"{}\" (the Sign-In service, \
                     refreshing the aws login session of profile {name})",
                    crate::endpoint::services::join(&endpoint, "/v1/token")
                ),
                e,
            ));
        }
    };
    let (new, text) = token::apply(old, &renewed);
    if super::line_breaking_field(&new.credentials()).is_some() {
        return Err(Error::new(
            ErrorKind::MalformedCredentials,
            format!(
                "Error loading login session token: Unable to refresh access token due to an \
                 invalid service response. (The Sign-In service's answer has a line break in \
                 its key or token; profile {name})"
            ),
        ));
    }
    // If the write fails the renewed credentials still serve this command; the old file
    // stays whole.
    let _ = ctx.env.write_file_atomic(path, text.as_bytes());
    Ok(new)
}

/// [`ErrorKind::LoginRequired`] with `what`, then the way out.
#[cold]
fn login_required(profile: &str, what: &str) -> Error {
    Error::new(
        ErrorKind::LoginRequired,
        format!(
            "{what}; run `aws login --profile {}`",
            shown(profile, MAX_SHOWN)
        ),
    )
}

/// The `aws login` session of one profile, as the next resolution would find it: for
/// diagnostics such as `git-remote-codecommit --doctor`. Holds no secret.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginSession {
    /// The profile.
    pub profile: String,
    /// Its `login_session`.
    pub session: String,
    /// The token file: `~/.aws/login/cache/<sha256 of the session name>.json`, or in
    /// `AWS_LOGIN_CACHE_DIRECTORY`.
    pub token_file: PathBuf,
    /// What the file holds, at the environment's current time. `RefreshDue` and
    /// `Expired` say whether it holds a refresh token, client id and key.
    pub state: TokenState,
}

impl LoginSession {
    /// Credentials with less than this left are renewed on their next use (botocore's
    /// threshold).
    pub const REFRESH_WINDOW: Duration = REFRESH_THRESHOLD;

    /// `aws login --profile NAME`: the way out of every session problem.
    #[must_use]
    pub fn login_command(&self) -> String {
        format!("aws login --profile {}", self.profile)
    }
}

/// The `aws login` session of `profile`; `Ok(None)` when it has no `login_session`.
/// Reads one file; never refreshes, writes or calls the network.
///
/// # Errors
///
/// None today; the `Result` leaves room for configuration checks.
pub fn login_session(
    env: &dyn Environment,
    config: &SharedConfig,
    profile: &str,
) -> Result<Option<LoginSession>, Error> {
    let Some(session) = config.profile(profile).and_then(|p| p.get("login_session")) else {
        return Ok(None);
    };
    let token_file = token::path(env, session);
    let state = match token::read(env, &token_file) {
        Err(FileProblem::Missing) => TokenState::Missing,
        Err(FileProblem::Unreadable(e)) => TokenState::Unreadable(e.to_string()),
        Err(FileProblem::Invalid(what)) => TokenState::Invalid(what),
        Ok(token) => {
            let expires_at = token.expires_at;
            let refreshable = token.refreshable();
            match expires_at.duration_since(env.now()) {
                Ok(remaining) if remaining > REFRESH_THRESHOLD => TokenState::Valid {
                    expires_at,
                    remaining,
                },
                Ok(remaining) if !remaining.is_zero() => TokenState::RefreshDue {
                    expires_at,
                    remaining,
                    refreshable,
                },
                _ => TokenState::Expired {
                    expires_at,
                    refreshable,
                },
            }
        }
    };
    Ok(Some(LoginSession {
        profile: profile.to_owned(),
        session: session.to_owned(),
        token_file,
        state,
    }))
}

#[cfg(test)]
mod tests;
