//! Two legacy files botocore still reads at the tail of its chain (`reference/behavior.md`
//! §4.1 items 9–10), even for an explicitly named profile (§10 item 54):
//!
//! * `AWS_CREDENTIAL_FILE`: an old EC2 tools file of `AWSAccessKeyId=…` and
//!   `AWSSecretKey=…` lines (botocore's `ec2-credentials-file` provider);
//! * the boto 2 config (`BOTO_CONFIG`, else `/etc/boto.cfg`, then `~/.boto`) with a
//!   `[Credentials]` section (the `boto-config` provider).
//!
//! Both are rare; both can make git-remote-codecommit sign with keys nobody remembers
//! configuring, so the same keys must sign here. Where botocore crashes (a named file
//! that is missing, undecodable, or lacks the secret) we return the matching typed error.

use std::path::PathBuf;

use super::{ChainContext, Keys, Outcome, Provider, Resolved, Reuse, Source, static_keys};
use crate::config::{self, MAX_FILE_SIZE};
use crate::error::{Error, ErrorKind};

/// `AWS_CREDENTIAL_FILE` (botocore's `OriginalEC2Provider`).
#[derive(Debug)]
pub(crate) struct Ec2CredentialsFile;

impl Provider for Ec2CredentialsFile {
    fn provide(&self, ctx: &ChainContext<'_>) -> Result<Outcome, Error> {
        let Some(raw) = ctx.env.var("AWS_CREDENTIAL_FILE") else {
            return Ok(Outcome::NotConfigured);
        };
        // Only `~` is expanded here, not `$VAR` (observed: `$HOME/x` is taken literally).
        let path = PathBuf::from(config::expand_user(ctx.env, &raw));
        let not_found = || {
            Error::new(
                ErrorKind::ConfigRead,
                format!(
                    "The specified config file ({}) could not be found. (AWS_CREDENTIAL_FILE \
                     names it; fix the path or unset the variable)",
                    path.display()
                ),
            )
        };
        let bytes = match ctx.env.read_file(&path, MAX_FILE_SIZE) {
            Ok(Some(bytes)) => bytes,
            // A file over the limit exists: say what is wrong with it.
            Err(e) if e.kind() == std::io::ErrorKind::FileTooLarge => {
                return Err(Error::with_source(
                    ErrorKind::ConfigRead,
                    format!(
                        "Unable to read the file {} named by AWS_CREDENTIAL_FILE",
                        path.display()
                    ),
                    e,
                ));
            }
            Ok(None) | Err(_) => return Err(not_found()),
        };
        let text = String::from_utf8(bytes).map_err(|_| {
            Error::new(
                ErrorKind::ConfigParse,
                format!(
                    "the file {} named by AWS_CREDENTIAL_FILE is not UTF-8 text",
                    path.display()
                ),
            )
        })?;
        // botocore's parse_key_val_file: lines with `=`, split at the first, both sides
        // stripped; the last occurrence of a key wins.
        let mut access_key = None;
        let mut secret = None;
        for (_, line) in config::lines(&text) {
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            match config::py_strip(key) {
                "AWSAccessKeyId" => access_key = Some(config::py_strip(value).to_owned()),
                "AWSSecretKey" => secret = Some(config::py_strip(value).to_owned()),
                _ => {}
            }
        }
        let Some(access_key) = access_key else {
            return Ok(Outcome::NotConfigured);
        };
        let Some(secret) = secret else {
            return Err(Error::new(
                ErrorKind::PartialCredentials,
                format!(
                    "Partial credentials found in ec2-credentials-file, missing: AWSSecretKey \
                     (in {})",
                    path.display()
                ),
            ));
        };
        Ok(found(
            Keys {
                access_key_id: access_key,
                secret_access_key: secret,
                session_token: None,
                expiry: None,
                account_id: None,
                provider: "ec2-credentials-file",
            },
            &path.display().to_string(),
        ))
    }
}

/// The boto 2 config file (botocore's `BotoProvider`).
#[derive(Debug)]
pub(crate) struct BotoConfig;

impl Provider for BotoConfig {
    fn provide(&self, ctx: &ChainContext<'_>) -> Result<Outcome, Error> {
        // BOTO_CONFIG set at all (even empty) replaces the default locations.
        let candidates: Vec<String> = match ctx.env.var("BOTO_CONFIG") {
            Some(path) => vec![path],
            None => vec!["/etc/boto.cfg".into(), "~/.boto".into()],
        };
        for raw in candidates {
            let path = config::expand_path(ctx.env, &raw);
            let bytes = match ctx.env.read_file(&path, MAX_FILE_SIZE) {
                Ok(Some(bytes)) => bytes,
                Ok(None) => continue,
                Err(e) => {
                    return Err(Error::with_source(
                        ErrorKind::ConfigRead,
                        format!("Unable to read boto config file: {}", path.display()),
                        e,
                    ));
                }
            };
            let label = path.display().to_string();
            let sections = config::parse_sections(&label, &bytes)?;
            let Some(section) = sections.iter().find(|s| &*s.name == "Credentials") else {
                continue;
            };
            // Static keys as in the shared files, but boto 2 files carry no token.
            if let Some(credentials) =
                static_keys::from_section(&section.properties, "boto-config")?
            {
                return Ok(found(
                    Keys {
                        access_key_id: credentials.access_key_id().to_owned(),
                        secret_access_key: credentials.secret_access_key().to_owned(),
                        session_token: None,
                        expiry: None,
                        account_id: None,
                        provider: "boto-config",
                    },
                    &label,
                ));
            }
        }
        Ok(Outcome::NotConfigured)
    }
}

/// `keys` from the legacy file at `path`, read by botocore's provider `keys.provider`.
fn found(keys: Keys, path: &str) -> Outcome {
    let method = keys.provider;
    Outcome::Found(Resolved {
        credentials: keys.build(),
        source: Source::new(
            method,
            Reuse::UntilExpiry,
            format!("static keys in {path} ({method})"),
        ),
    })
}
