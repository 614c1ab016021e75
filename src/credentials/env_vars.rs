//! Credentials from `AWS_ACCESS_KEY_ID` and friends (botocore's `env` provider).

use super::{ChainContext, Keys, Outcome, Provider, Resolved, Reuse, Source, timestamp};
use crate::error::{Error, ErrorKind};

/// botocore's `EnvProvider`, `reference/behavior.md` §4.4.
///
/// It applies when `AWS_ACCESS_KEY_ID` is non-empty, and never when the remote named a
/// profile (`codecommit://profile@repo`): botocore drops it from the chain then (§4.2).
#[derive(Debug)]
pub(crate) struct EnvVars;

const ACCESS_KEY: &str = "AWS_ACCESS_KEY_ID";
const SECRET_KEY: &str = "AWS_SECRET_ACCESS_KEY";
/// In this order: the first non-empty one wins.
const TOKENS: [&str; 2] = ["AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN"];
const EXPIRATION: &str = "AWS_CREDENTIAL_EXPIRATION";
const ACCOUNT_ID: &str = "AWS_ACCOUNT_ID";

impl Provider for EnvVars {
    fn provide(&self, ctx: &ChainContext<'_>) -> Result<Outcome, Error> {
        if ctx.disable_env_vars {
            return Ok(Outcome::NotConfigured);
        }
        let non_empty = |name: &str| ctx.env.var(name).filter(|v| !v.is_empty());
        let Some(access_key) = non_empty(ACCESS_KEY) else {
            return Ok(Outcome::NotConfigured);
        };
        let Some(secret) = non_empty(SECRET_KEY) else {
            return Err(Error::new(
                ErrorKind::PartialCredentials,
                format!(
                    "Partial credentials found in env, missing: {SECRET_KEY} \
                     ({ACCESS_KEY} is set; set {SECRET_KEY} too, or unset {ACCESS_KEY})"
                ),
            ));
        };
        let token = TOKENS.iter().find_map(|name| non_empty(name));

        let expiry = match non_empty(EXPIRATION) {
            None => None,
            Some(value) => {
                let expiry = timestamp::parse(&value).map_err(|e| {
                    Error::new(
                        ErrorKind::MalformedCredentials,
                        format!("{EXPIRATION} {} (it is {value:?})", e.describe()),
                    )
                })?;
                // BOTOCORE: refreshable env credentials are re-read when under 15 minutes
                // remain; re-reading gives the same values, so only credentials already
                // past their expiry fail (RuntimeError "Credentials were refreshed, but
                // the refreshed credentials are still expired.", §4.4).
                if expiry <= ctx.env.now() {
                    return Err(Error::new(
                        ErrorKind::CredentialsExpired,
                        format!(
                            "the credentials in {ACCESS_KEY} expired at {} \
                             ({EXPIRATION}); export fresh credentials and try again",
                            timestamp::format_utc(expiry)
                        ),
                    ));
                }
                Some(expiry)
            }
        };

        let credentials = Keys {
            access_key_id: access_key,
            secret_access_key: secret,
            session_token: token,
            expiry,
            account_id: non_empty(ACCOUNT_ID),
            provider: "env",
        }
        .build();
        Ok(Outcome::Found(Resolved {
            credentials,
            source: Source::new(
                "env",
                Reuse::UntilExpiry,
                "environment variables (AWS_ACCESS_KEY_ID)".to_owned(),
            ),
        }))
    }
}
