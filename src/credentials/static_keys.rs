//! Access keys written in the shared files (botocore's `shared-credentials-file` and
//! `config-file` providers).

use super::{BaseStep, ChainContext, KeyFile, Keys, Outcome, Provider, Resolved, Reuse, Source};
use crate::config::{Profile, Properties, SharedConfig};
use crate::error::{Error, ErrorKind};

/// Static keys from one of the two shared files, `reference/behavior.md` §4.4.
///
/// BOTOCORE: each provider reads only its own file, never the merged profile (§3.4), so
/// keys are never mixed across files: an access key in the credentials file and a session
/// token in the config file give credentials without a token.
#[derive(Debug)]
pub(crate) struct StaticKeys(pub(crate) KeyFile);

const ACCESS_KEY: &str = "aws_access_key_id";
const SECRET_KEY: &str = "aws_secret_access_key";
/// In this order, and "present" wins even when empty: `aws_security_token =` hides
/// `aws_session_token` (§10 item 19).
const TOKENS: [&str; 2] = ["aws_security_token", "aws_session_token"];

impl StaticKeys {
    /// botocore's provider name.
    fn method(&self) -> &'static str {
        match self.0 {
            KeyFile::Credentials => "shared-credentials-file",
            KeyFile::Config => "config-file",
        }
    }

    /// The profile's section in this provider's file.
    fn section<'a>(&self, profile: Profile<'a>) -> Option<&'a Properties> {
        match self.0 {
            KeyFile::Credentials => profile.credentials_file(),
            KeyFile::Config => profile.config_file(),
        }
    }
}

impl Provider for StaticKeys {
    fn profile_keys(&self) -> Option<&'static str> {
        Some("aws_access_key_id")
    }

    fn provide(&self, ctx: &ChainContext<'_>) -> Result<Outcome, Error> {
        let Some(profile) = ctx.config.profile(ctx.profile) else {
            return Ok(Outcome::NotConfigured);
        };
        let Some(section) = self.section(profile) else {
            return Ok(Outcome::NotConfigured);
        };
        let Some(resolved) = from_section(section, self.method())? else {
            return Ok(Outcome::NotConfigured);
        };
        Ok(Outcome::Found(Resolved {
            credentials: resolved,
            source: Source::new(
                self.method(),
                Reuse::UntilExpiry,
                describe(ctx.profile, self.0),
            ),
        }))
    }

    fn plan(&self, _: &SharedConfig, profile: Profile<'_>) -> Result<Option<BaseStep>, Error> {
        let Some(section) = self.section(profile) else {
            return Ok(None);
        };
        Ok(
            from_section(section, self.method())?.map(|c| BaseStep::StaticKeys {
                profile: profile.name().to_owned(),
                file: self.0,
                access_key_id: c.access_key_id().to_owned(),
                account_id: c.account_id().map(|a| a.as_str().to_owned()),
            }),
        )
    }
}

/// `static keys of profile P in the shared credentials file`: the credentials' source and
/// the plan's base step alike.
pub(crate) fn describe(profile: &str, file: KeyFile) -> String {
    format!("static keys of profile {profile} in the {file}")
}

/// Keys from one section, if it has an access key (present, even empty: botocore
/// accepts `aws_access_key_id =`, §1.7).
pub(crate) fn from_section(
    section: &Properties,
    method: &'static str,
) -> Result<Option<aws_credential_types::Credentials>, Error> {
    let Some(access_key) = section.get(ACCESS_KEY) else {
        return Ok(None);
    };
    let Some(secret) = section.get(SECRET_KEY) else {
        return Err(Error::new(
            ErrorKind::PartialCredentials,
            format!(
                "Partial credentials found in {method}, missing: {SECRET_KEY} \
                 (the profile has {ACCESS_KEY}; add {SECRET_KEY} beside it)"
            ),
        ));
    };
    let token = TOKENS
        .iter()
        .find_map(|key| section.get(key))
        .map(str::to_owned);
    let account = section.get("aws_account_id").map(str::to_owned);
    Ok(Some(
        Keys {
            access_key_id: access_key.to_owned(),
            secret_access_key: secret.to_owned(),
            session_token: token,
            expiry: None,
            account_id: account,
            provider: method,
        }
        .build(),
    ))
}
