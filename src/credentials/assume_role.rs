//! Profiles with `role_arn`: botocore's `assume-role` provider (`reference/behavior.md`
//! §7).
//!
//! A role profile names where the credentials that call STS come from — another profile
//! (`source_profile`, which may itself be a role: chains of any depth) or a named source
//! (`credential_source`). The walk follows botocore exactly, including its quirks: a
//! source profile's own static keys beat its `role_arn` (the chain stops there); a
//! profile may be its own source only if it has static keys; anything else visited twice
//! is a cycle, reported with the path it took.
//!
//! Each hop's credentials are cached like the CLI caches them: read from
//! `~/.aws/cli/cache` (the AWS CLI's) and `~/.aws/boto/cache` (git-remote-codecommit's),
//! written to `~/.aws/cli/cache`, under botocore's key (§6.2), used while 15 minutes
//! remain.

use serde_json::{Value, json};

use super::cli_cache::{self, Lookup};
use super::pyjson::Separators;
use super::sts::{self, Operation};
use super::{ChainContext, CredentialChain, Provider, Resolved, Source, container, env_vars, imds};
use crate::config::Profile;
use crate::error::{Error, ErrorKind};

/// The `assume-role` provider: position 2 of botocore's chain.
#[derive(Debug)]
pub(crate) struct AssumeRole;

impl Provider for AssumeRole {
    fn provide(&self, ctx: &ChainContext<'_>) -> Result<Option<Resolved>, Error> {
        let Some(profile) = ctx.config.profile(ctx.profile) else {
            return Ok(None);
        };
        if !has_role_config(profile) {
            return Ok(None);
        }
        let mut visited = vec![ctx.profile.to_owned()];
        assume(ctx, ctx.profile, &mut visited).map(Some)
    }
}

/// botocore's `_has_assume_role_config_vars`: `role_arn` without
/// `web_identity_token_file` (which makes it a web-identity profile).
pub(crate) fn has_role_config(profile: Profile<'_>) -> bool {
    profile.contains_key("role_arn") && !profile.contains_key("web_identity_token_file")
}

fn has_static_keys(profile: Profile<'_>) -> bool {
    profile.contains_key("aws_access_key_id") || profile.contains_key("aws_secret_access_key")
}

/// The role settings of one profile.
#[derive(Debug)]
struct RoleConfig {
    role_arn: String,
    source: RoleSource,
    session_name: Option<String>,
    external_id: Option<String>,
    mfa_serial: Option<String>,
    duration_seconds: Option<i64>,
}

#[derive(Debug)]
enum RoleSource {
    Profile(String),
    Named(String),
}

fn role_config(
    ctx: &ChainContext<'_>,
    name: &str,
    visited: &[String],
) -> Result<RoleConfig, Error> {
    let Some(profile) = ctx.config.profile(name) else {
        return Err(invalid(format!(
            "The config profile ({name}) could not be found"
        )));
    };
    let get = |k: &str| profile.get(k).map(str::to_owned);
    let role_arn = get("role_arn").unwrap_or_default();
    let source = match (get("source_profile"), get("credential_source")) {
        (Some(_), Some(_)) => {
            return Err(invalid(format!(
                "The profile \"{name}\" contains both source_profile and credential_source."
            )));
        }
        (None, None) => {
            return Err(Error::new(
                ErrorKind::PartialCredentials,
                format!(
                    "Partial credentials found in assume-role, missing: source_profile or \
                     credential_source (profile {name} has role_arn; add source_profile = \
                     PROFILE or credential_source = Environment)"
                ),
            ));
        }
        (None, Some(named)) => {
            // BOTOCORE: an exact, case-sensitive match (§7.1).
            if !matches!(
                named.as_str(),
                "Environment" | "Ec2InstanceMetadata" | "EcsContainer"
            ) {
                return Err(invalid(format!(
                    "The credential source \"{named}\" referenced in profile \"{name}\" is not \
                     valid. (Valid: Environment, Ec2InstanceMetadata, EcsContainer.)"
                )));
            }
            RoleSource::Named(named)
        }
        (Some(source), None) => {
            let Some(source_profile) = ctx.config.profile(&source) else {
                return Err(invalid(format!(
                    "The source_profile \"{source}\" referenced in the profile \"{name}\" does \
                     not exist."
                )));
            };
            // A profile visited before is a loop, unless it is this very profile and it
            // has static keys to start from (§7.2).
            if visited.contains(&source) && (source != name || !has_static_keys(source_profile)) {
                let mut path: Vec<String> = visited.to_vec();
                path.push(source.clone());
                return Err(invalid(format!(
                    "Infinite loop in credential configuration detected. Attempting to load \
                     from profile {source} which has already been visited. Visited profiles: \
                     [{}] (cycle: {})",
                    visited
                        .iter()
                        .map(|v| format!("'{v}'"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    path.join(" -> ")
                )));
            }
            RoleSource::Profile(source)
        }
    };
    // BOTOCORE: a non-integer duration_seconds is silently dropped (§7.1).
    let duration_seconds = profile
        .get("duration_seconds")
        .and_then(|d| d.parse::<i64>().ok());
    Ok(RoleConfig {
        role_arn,
        source,
        session_name: get("role_session_name"),
        external_id: get("external_id"),
        mfa_serial: get("mfa_serial"),
        duration_seconds,
    })
}

/// Assumes the role of profile `name`, resolving its source first.
fn assume(
    ctx: &ChainContext<'_>,
    name: &str,
    visited: &mut Vec<String>,
) -> Result<Resolved, Error> {
    let role = role_config(ctx, name, visited)?;
    let args = arguments(&role, ctx.env.now());
    let key = cli_cache::key(&cache_args(&role), Separators::Default);
    let source_description;

    // A fresh cached entry means no source credentials and no STS call are needed (and
    // no MFA prompt, as in botocore).
    let cli_dir = cli_cache::cli_dir(ctx.env);
    let boto_dir =
        crate::config::home_dir(ctx.env).map(|h| h.join(".aws").join("boto").join("cache"));
    for dir in [&cli_dir, &boto_dir].into_iter().flatten() {
        if let Lookup::Hit(credentials) = cli_cache::read(ctx.env, dir, &key, "assume-role") {
            return Ok(Resolved {
                source: Source::AssumeRole {
                    profile: name.to_owned(),
                    role_arn: role.role_arn,
                    source: Box::new(Source::Cache {
                        directory: dir.display().to_string(),
                    }),
                },
                credentials,
            });
        }
    }

    let source = match &role.source {
        RoleSource::Named(named) => {
            source_description = format!("credential_source {named} of profile {name}");
            named_source(ctx, named, name)?
        }
        RoleSource::Profile(source) => {
            source_description = format!("source profile {source} of profile {name}");
            visited.push(source.clone());
            from_profile(ctx, source, visited)?
        }
    };

    if let Some(serial) = &role.mfa_serial {
        return Err(Error::new(
            ErrorKind::MfaRequired,
            format!(
                "profile {name} needs an MFA code (mfa_serial = {serial}) to assume {}, and a git \
                 helper cannot prompt for one; assume the role once with the AWS CLI (e.g. `aws \
                 sts get-caller-identity --profile {name}`), which caches it for us to reuse",
                role.role_arn
            ),
        ));
    }

    let describe = format!(
        "role {} assumed with the {source_description}",
        role.role_arn
    );
    let answer = sts::call(
        ctx,
        Operation::AssumeRole,
        &args,
        Some(&source.credentials),
        &describe,
    )?;
    if let Some(dir) = &cli_dir {
        // As with SSO: an unwritable cache costs a call next time, nothing more.
        let _ = cli_cache::write(ctx.env, dir, &key, &answer.cache_doc);
    }
    Ok(Resolved {
        credentials: answer.credentials,
        source: Source::AssumeRole {
            profile: name.to_owned(),
            role_arn: role.role_arn,
            source: Box::new(source.source),
        },
    })
}

/// The credentials of a source profile (botocore's `_resolve_credentials_from_profile`):
/// static keys or anything but a role → the profile's own providers, environment off;
/// otherwise its role, recursively.
fn from_profile(
    ctx: &ChainContext<'_>,
    name: &str,
    visited: &mut Vec<String>,
) -> Result<Resolved, Error> {
    let profile = ctx
        .config
        .profile(name)
        .ok_or_else(|| invalid(format!("The config profile ({name}) could not be found")))?;
    if has_static_keys(profile) || !has_role_config(profile) {
        let sub = ChainContext {
            profile: name,
            explicit_profile: true,
            ..*ctx
        };
        return CredentialChain::source_profile()
            .resolve(&sub)?
            .ok_or_else(|| {
                invalid(format!(
                    "The source profile \"{name}\" must have credentials."
                ))
            });
    }
    assume(ctx, name, visited)
}

/// `credential_source = …`: botocore's `CanonicalNameCredentialSourcer`, which asks the
/// chain's own environment, container and instance metadata providers.
fn named_source(ctx: &ChainContext<'_>, named: &str, profile: &str) -> Result<Resolved, Error> {
    let mark = ctx.tried.len();
    let found = match named {
        "Environment" => {
            let env_ctx = ChainContext {
                explicit_profile: false,
                ..*ctx
            };
            env_vars::EnvVars.provide(&env_ctx)?
        }
        "EcsContainer" => container::Container.provide(ctx)?,
        // role_config lets only these three names through.
        _ => imds::InstanceMetadata.provide(ctx)?,
    };
    found.ok_or_else(|| {
        let tried = ctx
            .tried
            .since(mark)
            .map(|t| format!(" (tried: {t})"))
            .unwrap_or_default();
        Error::new(
            ErrorKind::CredentialsNotFound,
            format!(
                "Error when retrieving credentials from {named}: No credentials found in \
                 credential_source referenced in profile {profile}{tried}"
            ),
        )
    })
}

/// The AssumeRole parameters after `RoleArn`.
fn arguments(role: &RoleConfig, now: std::time::SystemTime) -> Vec<(&'static str, String)> {
    let mut args = vec![("RoleArn", role.role_arn.clone())];
    args.push((
        "RoleSessionName",
        role.session_name
            .clone()
            .unwrap_or_else(|| default_session_name(now)),
    ));
    if let Some(id) = &role.external_id {
        args.push(("ExternalId", id.clone()));
    }
    if let Some(d) = role.duration_seconds {
        args.push(("DurationSeconds", d.to_string()));
    }
    args
}

/// botocore's `botocore-session-<unix seconds>`; left out of the cache key.
fn default_session_name(now: std::time::SystemTime) -> String {
    let secs = now
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!("botocore-session-{secs}")
}

/// The cache key's arguments (§6.2): everything passed to AssumeRole except a defaulted
/// session name; `DurationSeconds` as a JSON integer.
fn cache_args(role: &RoleConfig) -> Value {
    let mut args = json!({"RoleArn": role.role_arn});
    if let Some(s) = &role.session_name {
        args["RoleSessionName"] = json!(s);
    }
    if let Some(e) = &role.external_id {
        args["ExternalId"] = json!(e);
    }
    if let Some(m) = &role.mfa_serial {
        args["SerialNumber"] = json!(m);
    }
    if let Some(d) = role.duration_seconds {
        args["DurationSeconds"] = json!(d);
    }
    args
}

#[cold]
fn invalid(message: String) -> Error {
    Error::new(ErrorKind::InvalidConfig, message)
}
