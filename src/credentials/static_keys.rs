//! Access keys written in the shared files (botocore's `shared-credentials-file` and
//! `config-file` providers).

use super::{ChainContext, Provider, Resolved, Source, build};
use crate::config::Properties;
use crate::error::{Error, ErrorKind};

/// Which of the two files a [`StaticKeys`] provider reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum File {
    /// `~/.aws/credentials` (botocore method `shared-credentials-file`).
    Credentials,
    /// `~/.aws/config` (botocore method `config-file`).
    Config,
}

/// Static keys from one of the two shared files, `reference/behavior.md` §4.4.
///
/// BOTOCORE: each provider reads only its own file, never the merged profile (§3.4), so
/// keys are never mixed across files: an access key in the credentials file and a session
/// token in the config file give credentials without a token.
#[derive(Debug)]
pub(crate) struct StaticKeys(pub(crate) File);

const ACCESS_KEY: &str = "aws_access_key_id";
const SECRET_KEY: &str = "aws_secret_access_key";
/// In this order, and "present" wins even when empty: `aws_security_token =` hides
/// `aws_session_token` (§10 item 19).
const TOKENS: [&str; 2] = ["aws_security_token", "aws_session_token"];

impl StaticKeys {
    fn method(&self) -> &'static str {
        match self.0 {
            File::Credentials => "shared-credentials-file",
            File::Config => "config-file",
        }
    }
}

impl Provider for StaticKeys {
    fn provide(&self, ctx: &ChainContext<'_>) -> Result<Option<Resolved>, Error> {
        let Some(profile) = ctx.config.profile(ctx.profile) else {
            return Ok(None);
        };
        let section = match self.0 {
            File::Credentials => profile.credentials_file(),
            File::Config => profile.config_file(),
        };
        let Some(section) = section else {
            return Ok(None);
        };
        let Some(resolved) = from_section(section, self.method())? else {
            return Ok(None);
        };
        let source = match self.0 {
            File::Credentials => Source::SharedCredentialsFile {
                profile: ctx.profile.to_owned(),
            },
            File::Config => Source::ConfigFile {
                profile: ctx.profile.to_owned(),
            },
        };
        Ok(Some(Resolved {
            credentials: resolved,
            source,
        }))
    }
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
    Ok(Some(build(
        access_key.to_owned(),
        secret.to_owned(),
        token,
        None,
        account,
        method,
    )))
}
