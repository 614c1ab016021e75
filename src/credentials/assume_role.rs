//! Profiles with `role_arn`: botocore's `assume-role` provider (`reference/behavior.md`
//! §7).
//!
//! A role profile names where the credentials that call STS come from — another profile
//! (`source_profile`, which may itself be a role: chains of any depth) or a named source
//! (`credential_source`). Which steps that makes, and every configuration error on the
//! way, is decided first and without any I/O by [`ChainPlan`](super::ChainPlan)
//! (`plan.rs`); this file executes the plan: the base step through the provider it
//! names, then one STS `AssumeRole` per role, each signed with the previous step's
//! credentials.
//!
//! Each hop's credentials are cached like the CLI caches them: read from
//! `~/.aws/cli/cache` (the AWS CLI's) and `~/.aws/boto/cache` (git-remote-codecommit's),
//! written to `~/.aws/cli/cache`, under botocore's key (§6.2), used while 15 minutes
//! remain. The outermost fresh entry wins: nothing before it is fetched.
//!
//! A role with `mfa_serial` sends `SerialNumber` and a `TokenCode` asked for as
//! `mfa.rs` describes (the application's callback, an askpass program, the terminal),
//! only when no cache entry serves it: so one prompt per session, shared with the AWS
//! CLI through its cache.

use serde_json::{Value, json};
use zeroize::Zeroize;

use super::cli_cache::{self, Lookup};
use super::plan::{self, BaseStep, ChainPlan, CredentialSource, RoleStep};
use super::pyjson::Separators;
use super::sts::{self, Operation};
use super::{
    ChainContext, Outcome, Provider, Resolved, Reuse, Source, container, env_vars, imds, mfa,
};
use crate::error::{Error, ErrorKind};

/// The `assume-role` provider: position 2 of botocore's chain.
#[derive(Debug)]
pub(crate) struct AssumeRole;

impl Provider for AssumeRole {
    fn profile_keys(&self) -> Option<&'static str> {
        Some("role_arn")
    }

    fn provide(&self, ctx: &ChainContext<'_>) -> Result<Outcome, Error> {
        let Some(profile) = ctx.config.profile(ctx.profile) else {
            return Ok(Outcome::NotConfigured);
        };
        if !plan::has_role_config(profile) {
            return Ok(Outcome::NotConfigured);
        }
        // BOTOCORE: the whole chain's configuration is validated when the provider
        // loads, before any STS call or cache lookup (§7.2).
        let plan = plan::plan(ctx.config, ctx.profile)?;
        execute(ctx, &plan).map(Outcome::Found)
    }
}

/// Runs `plan`: from the outermost role with a fresh cache entry, or else from the base
/// step, through every remaining role.
fn execute(ctx: &ChainContext<'_>, plan: &ChainPlan) -> Result<Resolved, Error> {
    let roles = plan.roles();
    let mut next = 0;
    let mut current = None;
    for (i, role) in roles.iter().enumerate().rev() {
        if let Some(hit) = cached(ctx, role) {
            current = Some(hit);
            next = i + 1;
            break;
        }
    }
    let mut current = match current {
        Some(hit) => hit,
        // The base step's credentials sign the STS call: check them before they do.
        None => super::refuse_line_breaks(base(ctx, plan)?)?,
    };
    for (i, role) in roles.iter().enumerate().skip(next) {
        let source = match i.checked_sub(1) {
            Some(previous) => format!("source profile {}", roles[previous].profile),
            None => match plan.base() {
                BaseStep::CredentialSource { source, .. } => format!("credential_source {source}"),
                base => format!("source profile {}", base.profile()),
            },
        };
        current = assume(
            ctx,
            role,
            current,
            &format!("{source} of profile {}", role.profile),
        )?;
    }
    Ok(current)
}

/// A fresh entry for `role` in either cache directory (no source credentials, no STS
/// call, and no MFA prompt are needed then, as in botocore).
fn cached(ctx: &ChainContext<'_>, role: &RoleStep) -> Option<Resolved> {
    let key = cli_cache::key(&cache_args(role), Separators::Default);
    let cli_dir = cli_cache::cli_dir(ctx.env);
    let boto_dir =
        crate::config::home_dir(ctx.env).map(|h| h.join(".aws").join("boto").join("cache"));
    for dir in [cli_dir, boto_dir].into_iter().flatten() {
        if let Lookup::Hit(credentials) = cli_cache::read(ctx.env, &dir, &key, "assume-role") {
            let with = format!("credentials cached in {}", dir.display());
            let renew = format!(
                "a cached entry in {} has expired for STS though not by its own expiry: \
                 remove it and run again",
                super::advice_name(&dir.display().to_string())
            );
            return Some(Resolved {
                source: assumed(role, &with, Reuse::UntilExpiry, &renew).cached(),
                credentials,
            });
        }
    }
    None
}

/// The base step's credentials, from the one provider the plan names. A source profile
/// is read with the environment off (botocore's `disable_env_vars=True`, §7.2).
fn base(ctx: &ChainContext<'_>, plan: &ChainPlan) -> Result<Resolved, Error> {
    let step = plan.base();
    let provider = match (step, plan.base_provider()) {
        (BaseStep::CredentialSource { profile, source }, _) => {
            return named_source(ctx, *source, profile);
        }
        (_, Some(provider)) => provider,
        (_, None) => unreachable!("every base step but a credential_source has its row"),
    };
    let profile = step.profile();
    let sub = ChainContext {
        profile,
        disable_env_vars: true,
        ..*ctx
    };
    // The plan and the provider read the same keys, so the provider applies; if it
    // ever did not, botocore's answer for a source without credentials is the right one.
    match provider.provide(&sub)? {
        Outcome::Found(found) => Ok(found),
        Outcome::NotConfigured | Outcome::Nothing(_) => {
            Err(Error::from(plan::PlanError::SourceWithoutCredentials {
                source: profile.to_owned(),
            }))
        }
    }
}

/// Assumes `role` with `source`'s credentials (`describe` names where they came from).
fn assume(
    ctx: &ChainContext<'_>,
    role: &RoleStep,
    source: Resolved,
    describe: &str,
) -> Result<Resolved, Error> {
    // One process fetches while the others sharing this cache wait, then read what it
    // wrote — the lock and key the SSO path uses. An outer process found no entry for
    // this role before it resolved the source; look once more now the lock is held.
    let key = cli_cache::key(&cache_args(role), Separators::Default);
    let cli_dir = cli_cache::cli_dir(ctx.env);
    let _lock = cli_dir
        .as_deref()
        .and_then(|dir| cli_cache::lock(ctx.env, dir, &key));
    if let Some(hit) = cached(ctx, role) {
        return Ok(hit);
    }
    let mut args = arguments(role, ctx.env.now());
    if let Some(serial) = &role.mfa_serial {
        // BOTOCORE: asks its prompter (getpass) with the same text, after the cache
        // missed and the source credentials were resolved.
        let code = mfa::code(ctx, &role.profile, serial, &role.role_arn)?;
        args.push(("SerialNumber", serial.clone()));
        args.push(("TokenCode", code.as_str().to_owned()));
    }
    let answer = sts::call(
        ctx,
        Operation::AssumeRole,
        &args,
        Some(&source.credentials),
        &format!("role {} assumed with the {describe}", role.role_arn),
    );
    for (name, value) in &mut args {
        if *name == "TokenCode" {
            value.zeroize();
        }
    }
    let answer = answer?;
    if let Some(dir) = &cli_dir {
        // As with SSO: an unwritable cache costs a call next time, nothing more.
        let _ = cli_cache::write(ctx.env, dir, &key, &answer.cache_doc);
    }
    Ok(Resolved {
        credentials: answer.credentials,
        // Kept as long as the credentials that assumed it would be.
        source: assumed(
            role,
            &source.source,
            source.source.reuse(),
            &source.source.renewal(),
        ),
    })
}

/// The source of credentials for `role`, assumed `with` (`credentials cached in DIR`, or
/// the source of the credentials that called STS), whose own renewal is `renew_source`.
fn assumed(
    role: &RoleStep,
    with: &dyn std::fmt::Display,
    reuse: Reuse,
    renew_source: &str,
) -> Source {
    Source::new(
        "assume-role",
        reuse,
        format!(
            "role {} of profile {}, assumed with {with}",
            role.role_arn, role.profile
        ),
    )
    .renewed_by(format!(
        "the role of profile {p} is assumed again when its credentials expire, so these came \
         from a cache or from expired source credentials: assume it again with the AWS CLI, \
         `aws sts get-caller-identity --profile {p}` (an MFA-protected role asks for a new MFA \
         code there), and if that fails renew its source: {renew_source}",
        p = super::advice_name(&role.profile)
    ))
}

/// `credential_source = …`: botocore's `CanonicalNameCredentialSourcer`, which asks the
/// chain's own environment, container and instance metadata providers.
fn named_source(
    ctx: &ChainContext<'_>,
    named: CredentialSource,
    profile: &str,
) -> Result<Resolved, Error> {
    let outcome = match named {
        CredentialSource::Environment => {
            let env_ctx = ChainContext {
                disable_env_vars: false,
                ..*ctx
            };
            env_vars::EnvVars.provide(&env_ctx)?
        }
        CredentialSource::EcsContainer => container::Container.provide(ctx)?,
        CredentialSource::Ec2InstanceMetadata => imds::InstanceMetadata.provide(ctx)?,
    };
    let tried = match outcome {
        Outcome::Found(found) => return Ok(found),
        Outcome::Nothing(why) => format!(" (tried: {why})"),
        Outcome::NotConfigured => String::new(),
    };
    Err(Error::new(
        ErrorKind::CredentialsNotFound,
        format!(
            "Error when retrieving credentials from {named}: No credentials found in \
             credential_source referenced in profile {profile}{tried}"
        ),
    ))
}

/// The AssumeRole parameters after `Action` and `Version`.
fn arguments(role: &RoleStep, now: std::time::SystemTime) -> Vec<(&'static str, String)> {
    let mut args = vec![("RoleArn", role.role_arn.clone())];
    args.push((
        "RoleSessionName",
        role.session_name
            .clone()
            .unwrap_or_else(|| super::sts::default_session_name(now)),
    ));
    if let Some(id) = &role.external_id {
        args.push(("ExternalId", id.clone()));
    }
    if let Some(d) = role.duration_seconds {
        args.push(("DurationSeconds", d.to_string()));
    }
    args
}

/// The cache key's arguments (§6.2): everything passed to AssumeRole except a defaulted
/// session name; `DurationSeconds` as a JSON integer.
fn cache_args(role: &RoleStep) -> Value {
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

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;
    use crate::config::SharedConfig;
    use crate::credentials::Tried;
    use crate::env::MemoryEnvironment;

    const CONFIG: &str = "\
[profile top]
role_arn = arn:aws:iam::111111111111:role/Top
source_profile = mid

[profile mid]
role_arn = arn:aws:iam::222222222222:role/Mid
source_profile = nowhere
";

    fn resolve(env: &MemoryEnvironment, config: &str) -> Result<Resolved, Error> {
        let config = SharedConfig::from_sources(Some(config.as_bytes()), None).unwrap();
        let tried = Tried::default();
        let ctx = ChainContext {
            env,
            config: &config,
            profile: "top",
            top_profile: "top",
            disable_env_vars: true,
            tried: &tried,
            mfa: None,
        };
        match AssumeRole.provide(&ctx)? {
            Outcome::Found(found) => Ok(found),
            other => panic!("a role profile gives credentials or an error: {other:?}"),
        }
    }

    /// BOTOCORE: the assume-role provider validates every hop when it loads; the cache
    /// is consulted only when the deferred credentials are first read (§7.2).
    #[test]
    fn a_fresh_cache_entry_does_not_hide_a_broken_chain() {
        let key = cli_cache::key(
            &json!({"RoleArn": "arn:aws:iam::111111111111:role/Top"}),
            Separators::Default,
        );
        let entry = json!({"Credentials": {
            "AccessKeyId": "ASIACACHED", "SecretAccessKey": "s", "SessionToken": "t",
            "Expiration": "2030-01-01T00:00:00Z"}});
        let env = MemoryEnvironment::new()
            .with_var("HOME", "/home/dev")
            .with_now(UNIX_EPOCH + Duration::from_secs(1_800_000_000))
            .with_file(
                format!("/home/dev/.aws/cli/cache/{key}.json"),
                entry.to_string(),
            );
        // The entry is good: with a valid chain it is used, with no HTTP client at all.
        let valid = CONFIG.replace(
            "source_profile = nowhere",
            "credential_source = Environment",
        );
        let hit = resolve(&env, &valid).unwrap();
        assert_eq!(hit.credentials.access_key_id(), "ASIACACHED");

        let err = resolve(&env, CONFIG).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{err}");
        assert!(
            err.message()
                .starts_with("The source_profile \"nowhere\" referenced in the profile \"mid\""),
            "{err}"
        );
    }
}
