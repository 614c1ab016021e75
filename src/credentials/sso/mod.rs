//! AWS SSO (IAM Identity Center) profiles: botocore's `sso` provider, with the AWS CLI
//! v2's credential cache.
//!
//! A profile is an SSO profile when it has `sso_account_id` or `sso_role_name`
//! (`reference/behavior.md` §5.1). Its role credentials come, in order of preference,
//! from
//!
//! 1. the CLI cache `~/.aws/cli/cache/<sha1>.json`, while at least 15 minutes remain —
//!    so repeated git commands make no portal call (git-remote-codecommit calls the
//!    portal on every command, several times when credentials are short-lived);
//! 2. the SSO portal's `GetRoleCredentials`, with the access token that
//!    `aws sso login` left in `~/.aws/sso/cache/<sha1>.json` ([`token`]), refreshed
//!    through SSO OIDC when it is within 15 minutes of expiry (sso-session form only).
//!
//! The plan — which keys, which files, which session — is computed from the profile
//! alone ([`SsoConfig::resolve`]); only then does anything touch files or the network.

use std::fmt;
use std::path::PathBuf;

use serde_json::json;

use super::cli_cache::{self, Lookup};
use super::pyjson::Separators;
use super::{BaseStep, ChainContext, Outcome, Provider, Resolved, Reuse, Source};
use crate::config::{Profile, SharedConfig};
use crate::error::{Error, ErrorKind, MAX_SHOWN, shown};

mod login;
mod portal;
pub mod profiles;
mod sign_in;
pub(crate) mod token;

pub use login::{SsoLogin, TokenState, sso_login};
pub use sign_in::{SignIn, SignInFlow, SignInPrompt, SignedIn};

/// botocore's `SSOProvider`: position 4 of the chain (after env, assume-role and web
/// identity; before the shared credentials file).
#[derive(Debug)]
pub(crate) struct Sso;

impl Provider for Sso {
    fn profile_keys(&self) -> Option<&'static str> {
        Some("sso_account_id or sso_role_name")
    }

    fn provide(&self, ctx: &ChainContext<'_>) -> Result<Outcome, Error> {
        let Some(profile) = ctx.config.profile(ctx.profile) else {
            return Ok(Outcome::NotConfigured);
        };
        let Some(sso) = SsoConfig::resolve(profile, ctx.config)? else {
            return Ok(Outcome::NotConfigured);
        };
        fetch(ctx, &sso).map(Outcome::Found)
    }

    fn plan(&self, config: &SharedConfig, profile: Profile<'_>) -> Result<Option<BaseStep>, Error> {
        Ok(
            SsoConfig::resolve(profile, config)?.map(|sso| BaseStep::Sso {
                profile: profile.name().to_owned(),
                start_url: sso.start_url,
                region: sso.sso_region,
                account_id: sso.account_id,
                role_name: sso.role_name,
                session: sso.session,
            }),
        )
    }
}

/// Role credentials for `sso`: from the CLI cache, else from the portal (then cached).
/// Also used for SSO *source* profiles of a role chain.
pub(crate) fn fetch(ctx: &ChainContext<'_>, sso: &SsoConfig) -> Result<Resolved, Error> {
    let cache_dir = cli_cache::cli_dir(ctx.env);
    let key = sso.cache_key();
    let lookup = || match cache_dir.as_deref() {
        Some(dir) => cli_cache::read(ctx.env, dir, &key, "sso"),
        None => Lookup::Miss,
    };
    let mut cached = false;
    let credentials = match lookup() {
        Lookup::Hit(credentials) => {
            cached = true;
            credentials
        }
        Lookup::Miss => {
            // One process fetches while the others sharing this cache wait, then read
            // what it wrote: 50 parallel git commands make one portal call, not 50.
            let _lock = cache_dir
                .as_deref()
                .and_then(|dir| cli_cache::lock(ctx.env, dir, &key));
            match lookup() {
                Lookup::Hit(credentials) => {
                    cached = true;
                    credentials
                }
                Lookup::Miss => fetch_from_portal(ctx, sso, cache_dir.as_deref(), &key)?,
            }
        }
    };
    let session = match &sso.session {
        Some(s) => format!("sso-session {s}"),
        None => "legacy SSO profile".to_owned(),
    };
    let from = if cached {
        "from the AWS CLI cache"
    } else {
        "from the SSO portal"
    };
    let source = Source::new(
        "sso",
        Reuse::UntilExpiry,
        format!(
            "{}, {session}, start URL {}; {from})",
            describe_role(&sso.role_name, &sso.account_id, &sso.profile),
            sso.start_url
        ),
    )
    .renewed_by(format!(
        "log in again: run `aws sso login --profile {}`",
        super::advice_name(&sso.profile)
    ));
    Ok(Resolved {
        source: if cached { source.cached() } else { source },
        credentials,
    })
}

/// `SSO role R in account A (profile P`: the credentials' source and the plan's base step
/// open alike; the caller closes the parenthesis.
pub(crate) fn describe_role(role_name: &str, account_id: &str, profile: &str) -> String {
    format!("SSO role {role_name} in account {account_id} (profile {profile}")
}

fn fetch_from_portal(
    ctx: &ChainContext<'_>,
    sso: &SsoConfig,
    cache_dir: Option<&std::path::Path>,
    key: &str,
) -> Result<crate::credentials::Credentials, Error> {
    let token = token::load(ctx, sso)?;
    let (credentials, expiration) = portal::get_role_credentials(ctx, sso, &token)?;
    super::reject_expired(&credentials, ctx.env.now(), "the SSO portal")?;
    if let Some(dir) = cache_dir {
        let doc = json!({
            "ProviderType": "sso",
            "Credentials": cli_cache::credentials_json(&credentials, &expiration),
        });
        // A cache we cannot write costs one portal call next time; the credentials in
        // hand are good (botocore would fail here, §6.4).
        let _ = cli_cache::write(ctx.env, dir, key, &doc);
    }
    Ok(credentials)
}

/// An SSO profile's settings, validated as botocore validates them.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct SsoConfig {
    /// The profile's name, for messages.
    pub(crate) profile: String,
    pub(crate) start_url: String,
    pub(crate) sso_region: String,
    pub(crate) account_id: String,
    pub(crate) role_name: String,
    /// The `[sso-session NAME]`, for the sso-session form.
    pub(crate) session: Option<String>,
}

impl fmt::Debug for SsoConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SsoConfig")
            .field("profile", &self.profile)
            .field("start_url", &self.start_url)
            .field("sso_region", &self.sso_region)
            .field("account_id", &self.account_id)
            .field("role_name", &self.role_name)
            .field("session", &self.session)
            .finish()
    }
}

const REQUIRED: [&str; 4] = [
    "sso_role_name",
    "sso_account_id",
    "sso_start_url",
    "sso_region",
];

impl SsoConfig {
    /// The SSO settings of `profile`, `Ok(None)` if it is not an SSO profile.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidConfig`], with botocore's messages: a missing
    /// `[sso-session]`, a key whose value differs between profile and session, missing
    /// keys (listed in botocore's order), a session without its own start URL or region.
    pub(crate) fn resolve(
        profile: Profile<'_>,
        config: &SharedConfig,
    ) -> Result<Option<SsoConfig>, Error> {
        if !profile.contains_key("sso_account_id") && !profile.contains_key("sso_role_name") {
            return Ok(None);
        }
        let name = profile.name();
        let session_name = profile.get("sso_session");

        // The session's keys laid over the profile's (§5.1).
        let mut values: Vec<(&str, &str)> = REQUIRED
            .iter()
            .filter_map(|k| profile.get(k).map(|v| (*k, v)))
            .collect();
        if let Some(session_name) = session_name {
            let Some(session) = config.sso_session(session_name) else {
                // Names from the file, escaped and bounded like every name we show.
                let (session_name, name) = (shown(session_name, MAX_SHOWN), shown(name, MAX_SHOWN));
                return Err(invalid(format!(
                    "The specified sso-session does not exist: \"{session_name}\" (profile \
                     {name} names it; add an [sso-session {session_name}] section to the \
                     config file)"
                )));
            };
            for (key, value) in session.iter() {
                if let Some(mine) = profile.get(key).filter(|mine| *mine != value) {
                    return Err(invalid(format!(
                        "The value for {key} is inconsistent between profile ({mine}) and \
                         sso-session ({value})."
                    )));
                }
                if REQUIRED.contains(&key) && !values.iter().any(|(k, _)| *k == key) {
                    values.push((key, value));
                }
            }
        }
        let get = |k: &str| values.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
        // (botocore also requires `sso_session` in the session form, which holds by
        // construction here.)
        let missing: Vec<&str> = REQUIRED
            .iter()
            .copied()
            .filter(|k| get(k).is_none())
            .collect();
        if !missing.is_empty() {
            return Err(invalid(format!(
                "The profile \"{name}\" is configured to use SSO but is missing required \
                 configuration: {}",
                missing.join(", ")
            )));
        }

        if let Some(session_name) = session_name {
            // botocore's token provider reads the start URL and region from the session
            // section itself; a value given only in the profile fails (§5.1). An empty
            // section is "falsy" there and reported as missing altogether.
            let session = config.sso_session(session_name);
            if session.is_some_and(|s| s.is_empty()) {
                let (session_name, name) = (shown(session_name, MAX_SHOWN), shown(name, MAX_SHOWN));
                return Err(invalid(format!(
                    "The profile \"{name}\" is configured to use the SSO token provider but \
                     the \"{session_name}\" sso_session configuration does not exist."
                )));
            }
            let absent: Vec<String> = ["sso_start_url", "sso_region"]
                .iter()
                .filter(|k| !session.is_some_and(|s| s.contains_key(k)))
                .map(|k| format!("'{k}'"))
                .collect();
            if !absent.is_empty() {
                return Err(invalid(format!(
                    "The profile \"{name}\" is configured to use the SSO token provider but is \
                     missing the following configuration: [{}].",
                    absent.join(", ")
                )));
            }
        }

        let take = |k: &str| get(k).unwrap_or_default().to_owned();
        Ok(Some(SsoConfig {
            profile: name.to_owned(),
            start_url: take("sso_start_url"),
            sso_region: take("sso_region"),
            account_id: take("sso_account_id"),
            role_name: take("sso_role_name"),
            session: session_name.map(str::to_owned),
        }))
    }

    /// The CLI v2 cache key (§5.6): compact, key-sorted JSON of account, role and the
    /// session name (sso-session form) or start URL (legacy form).
    pub(crate) fn cache_key(&self) -> String {
        let mut args = json!({"accountId": self.account_id, "roleName": self.role_name});
        match &self.session {
            Some(session) => args["sessionName"] = json!(session),
            None => args["startUrl"] = json!(self.start_url),
        }
        cli_cache::key(&args, Separators::Compact)
    }

    /// `~/.aws/sso/cache/<sha1>.json`: of the session name, or of the start URL exactly
    /// as configured (§5.2).
    pub(crate) fn token_path(&self, env: &dyn crate::env::Environment) -> PathBuf {
        use sha1::{Digest, Sha1};
        let hashed = self.session.as_deref().unwrap_or(&self.start_url);
        let name = format!("{}.json", hex::encode(Sha1::digest(hashed.as_bytes())));
        crate::config::default_path(env, &[".aws", "sso", "cache", &name])
    }

    /// Where to call `service` (the portal or OIDC) for this profile: the configured
    /// endpoint of the selected profile, else the service's host in `sso_region`.
    pub(crate) fn endpoint(
        &self,
        ctx: &ChainContext<'_>,
        service: crate::endpoint::services::Service,
    ) -> Result<String, Error> {
        crate::endpoint::services::check_region(
            &self.sso_region,
            &format!(
                "the sso_region configured for profile {}",
                crate::error::shown(&self.profile, crate::error::MAX_SHOWN)
            ),
        )?;
        crate::endpoint::services::endpoint(
            ctx.env,
            ctx.config,
            ctx.config.profile(ctx.profile),
            service,
            &self.sso_region,
        )
    }

    /// `aws sso login --profile NAME`, the way out of every token problem, and our own
    /// `codecommit-auth login` for machines without the AWS CLI (issue 15). botocore's
    /// messages name only `aws sso login`; the reference's text stays first, so a
    /// search for it still finds ours.
    pub(crate) fn login_hint(&self) -> String {
        format!(
            "run `aws sso login --profile {0}` or `codecommit-auth login --profile {0}`",
            self.profile
        )
    }
}

#[cold]
fn invalid(message: String) -> Error {
    Error::new(ErrorKind::InvalidConfig, message)
}

#[cfg(test)]
mod tests;
