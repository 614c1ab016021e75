//! `web_identity_token_file` + `role_arn`: botocore's `assume-role-with-web-identity`
//! provider (`reference/behavior.md` §7.3), how GitHub Actions and EKS pods authenticate.
//!
//! The variables `AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_ROLE_ARN` and
//! `AWS_ROLE_SESSION_NAME` override the profile's keys one by one — unless the remote
//! named the profile, which turns the environment off (§4.2). The token file is read
//! afresh on every call, verbatim (the platform rotates it). Credentials are cached in
//! `~/.aws/cli/cache` like the AWS CLI does (git-remote-codecommit keeps them in memory).

use serde_json::json;

use super::cli_cache::{self, Lookup};
use super::pyjson::Separators;
use super::sts::{self, Operation};
use super::{BaseStep, ChainContext, Outcome, Provider, Resolved, Reuse, Source};
use crate::config::{Profile, SharedConfig};
use crate::error::{Error, ErrorKind};

/// botocore's name for the provider.
const METHOD: &str = "assume-role-with-web-identity";

/// The largest token file we read (real ones are a few KiB of JWT).
const MAX_TOKEN: u64 = 64 * 1024;

#[derive(Debug)]
pub(crate) struct WebIdentity;

impl Provider for WebIdentity {
    fn profile_keys(&self) -> Option<&'static str> {
        Some("web_identity_token_file")
    }

    fn provide(&self, ctx: &ChainContext<'_>) -> Result<Outcome, Error> {
        let profile = ctx.config.profile(ctx.profile);
        let get = |key: &str, var: &str| {
            let from_env = if ctx.disable_env_vars {
                None
            } else {
                ctx.env.var(var)
            };
            from_env.or_else(|| profile.and_then(|p| p.get(key)).map(str::to_owned))
        };
        let Some(token_file) =
            get("web_identity_token_file", "AWS_WEB_IDENTITY_TOKEN_FILE").filter(|f| !f.is_empty())
        else {
            return Ok(Outcome::NotConfigured);
        };
        let Some(role_arn) = get("role_arn", "AWS_ROLE_ARN").filter(|r| !r.is_empty()) else {
            return Err(no_role_arn());
        };
        let session_name = get("role_session_name", "AWS_ROLE_SESSION_NAME");

        let mut key_args = json!({"RoleArn": role_arn});
        if let Some(s) = &session_name {
            key_args["RoleSessionName"] = json!(s);
        }
        let key = cli_cache::key(&key_args, Separators::Default);
        // Asked on every call: the platform rotates the token in the file.
        let source = Source::new(
            METHOD,
            Reuse::EveryCall,
            format!("role {role_arn} assumed with the web identity token in {token_file}"),
        );
        let cli_dir = cli_cache::cli_dir(ctx.env);
        let lookup = || match cli_dir.as_deref() {
            Some(dir) => cli_cache::read(ctx.env, dir, &key, METHOD),
            None => Lookup::Miss,
        };
        if let Lookup::Hit(credentials) = lookup() {
            return Ok(Outcome::Found(Resolved {
                credentials,
                source: source.cached(),
            }));
        }
        // One process fetches while the others sharing this cache wait, then read what
        // it wrote (the SSO path's lock and key).
        let _lock = cli_dir
            .as_deref()
            .and_then(|dir| cli_cache::lock(ctx.env, dir, &key));
        if let Lookup::Hit(credentials) = lookup() {
            return Ok(Outcome::Found(Resolved {
                credentials,
                source: source.cached(),
            }));
        }

        let token = super::read_token_file(
            ctx.env,
            &token_file,
            "web identity token file",
            "web_identity_token_file or AWS_WEB_IDENTITY_TOKEN_FILE",
            MAX_TOKEN,
        )?;
        let session = session_name.unwrap_or_else(|| sts::default_session_name(ctx.env.now()));
        let params = [
            ("RoleSessionName", session),
            ("RoleArn", role_arn.clone()),
            ("WebIdentityToken", String::clone(&token)),
        ];
        let answer = sts::call(
            ctx,
            Operation::AssumeRoleWithWebIdentity,
            &params,
            None,
            &format!("role {role_arn} with the web identity token in {token_file}"),
        )?;
        if let Some(dir) = &cli_dir {
            let _ = cli_cache::write(ctx.env, dir, &key, &answer.cache_doc);
        }
        Ok(Outcome::Found(Resolved {
            credentials: answer.credentials,
            source,
        }))
    }

    fn plan(&self, _: &SharedConfig, profile: Profile<'_>) -> Result<Option<BaseStep>, Error> {
        let Some(token_file) = profile
            .get("web_identity_token_file")
            .filter(|f| !f.is_empty())
        else {
            return Ok(None);
        };
        let Some(role_arn) = profile.get("role_arn").filter(|r| !r.is_empty()) else {
            return Err(no_role_arn());
        };
        Ok(Some(BaseStep::WebIdentity {
            profile: profile.name().to_owned(),
            role_arn: role_arn.to_owned(),
            token_file: token_file.to_owned(),
            session_name: profile.get("role_session_name").map(str::to_owned),
        }))
    }
}

/// botocore's error for a token file without a role.
#[cold]
fn no_role_arn() -> Error {
    Error::new(
        ErrorKind::InvalidConfig,
        "The provided profile or the current environment is configured to assume role with \
         web identity but has no role ARN configured. Ensure that the profile has the role_arn \
         configuration set or the AWS_ROLE_ARN env var is set.",
    )
}
