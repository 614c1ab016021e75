//! The pure half of the assume-role provider: from the parsed shared files alone, which
//! credentials come first and which roles are assumed with them, in order
//! (`reference/behavior.md` §7.2).
//!
//! Nothing here reads a variable, a file, the clock or the network, so the whole walk —
//! and every configuration error botocore raises on the way (a cycle, a missing or
//! doubled source, an invalid `credential_source`, a source without credentials) — is
//! decided before the first STS or SSO call. `assume_role.rs` then executes the plan.
//! `tests/conformance/assume_role_plan.rs` runs the cross-SDK planning suite against it.

use std::fmt;

use super::PROVIDERS;
use crate::config::{Profile, SharedConfig};
use crate::error::{Error, ErrorKind};

/// The credential chain botocore follows for one profile, from the shared files alone:
/// a base step, then the roles assumed with it, in order.
///
/// It describes the profile-scoped part of botocore's chain with environment variables
/// off, which is exactly what a role profile resolves to (botocore's assume-role
/// provider never reads the environment, except for `credential_source = Environment`,
/// which is a base step here). For a profile without `role_arn` the plan is the one
/// provider of the profile's own that applies, and no roles; unlike a resolution, it
/// ignores `AWS_ACCESS_KEY_ID` and the web identity variables, which come before or
/// beside the profile when the remote does not name it.
///
/// ```
/// use codecommit_auth::config::SharedConfig;
/// use codecommit_auth::credentials::{BaseStep, ChainPlan, KeyFile};
///
/// let config = "\
/// [profile deploy]
/// role_arn = arn:aws:iam::123456789012:role/Deploy
/// source_profile = dev
/// ";
/// let credentials = "[dev]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secret\n";
/// let shared = SharedConfig::from_sources(Some(config.as_bytes()), Some(credentials.as_bytes()))?;
/// let plan = ChainPlan::for_profile(&shared, "deploy")?;
/// assert!(matches!(
///     plan.base(),
///     BaseStep::StaticKeys { profile, file: KeyFile::Credentials, access_key_id, .. }
///         if profile == "dev" && access_key_id == "AKIDEXAMPLE"
/// ));
/// assert_eq!(plan.roles()[0].role_arn, "arn:aws:iam::123456789012:role/Deploy");
/// assert_eq!(
///     plan.to_string(),
///     "static keys of profile dev in the shared credentials file \
///      -> role arn:aws:iam::123456789012:role/Deploy of profile deploy"
/// );
/// # Ok::<(), codecommit_auth::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainPlan {
    base: BaseStep,
    /// The row of [`PROVIDERS`] that gives the base step's credentials; `None` for a
    /// `credential_source`.
    base_row: Option<usize>,
    roles: Vec<RoleStep>,
}

impl ChainPlan {
    /// The plan for `profile`, as botocore would walk it.
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::ProfileNotFound`] if no file defines `profile`;
    /// - [`ErrorKind::InvalidConfig`] with botocore's messages: both `source_profile` and
    ///   `credential_source`, a `credential_source` other than `Environment`,
    ///   `Ec2InstanceMetadata` or `EcsContainer` (case-sensitive), a `source_profile`
    ///   that does not exist, a cycle (the message gives the path), a source profile
    ///   without credentials, an invalid SSO or web identity configuration;
    /// - [`ErrorKind::PartialCredentials`] for `role_arn` with neither source, or an
    ///   access key without its secret;
    /// - [`ErrorKind::CredentialsNotFound`] if `profile` has no credentials of its own
    ///   (a resolution would go on to the chain's tail).
    pub fn for_profile(config: &SharedConfig, profile: &str) -> Result<ChainPlan, Error> {
        plan(config, profile).map_err(Error::from)
    }

    /// Where the credentials that start the chain come from.
    pub fn base(&self) -> &BaseStep {
        &self.base
    }

    /// The provider that gives the base step's credentials; `None` for a
    /// `credential_source`.
    pub(crate) fn base_provider(&self) -> Option<&'static dyn super::Provider> {
        self.base_row.map(|row| PROVIDERS[row].provider)
    }

    /// The roles assumed with them, first to last; the last is the profile's own.
    /// Empty for a profile without `role_arn`.
    pub fn roles(&self) -> &[RoleStep] {
        &self.roles
    }
}

impl fmt::Display for ChainPlan {
    /// The steps joined by ` -> `, base first. Never holds a secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.base)?;
        for role in &self.roles {
            write!(f, " -> {role}")?;
        }
        Ok(())
    }
}

/// The first step of a [`ChainPlan`]: one provider of botocore's chain.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BaseStep {
    /// `aws_access_key_id` and `aws_secret_access_key` in one of the shared files.
    #[non_exhaustive]
    StaticKeys {
        /// The profile.
        profile: String,
        /// The file whose section holds them (botocore never mixes the two).
        file: KeyFile,
        /// The access key id (not a secret; the secret key is never in a plan).
        access_key_id: String,
        /// `aws_account_id` beside them.
        account_id: Option<String>,
    },
    /// `credential_source` of a role profile.
    #[non_exhaustive]
    CredentialSource {
        /// The role profile naming it.
        profile: String,
        /// The source.
        source: CredentialSource,
    },
    /// `web_identity_token_file` with `role_arn`: `AssumeRoleWithWebIdentity`.
    #[non_exhaustive]
    WebIdentity {
        /// The profile.
        profile: String,
        /// The role.
        role_arn: String,
        /// The token file.
        token_file: String,
        /// `role_session_name`, if set.
        session_name: Option<String>,
    },
    /// An SSO profile (`sso_account_id` or `sso_role_name`): `GetRoleCredentials`.
    #[non_exhaustive]
    Sso {
        /// The profile.
        profile: String,
        /// The SSO start URL.
        start_url: String,
        /// The region of the SSO portal.
        region: String,
        /// The account.
        account_id: String,
        /// The role.
        role_name: String,
        /// The `[sso-session]`, or `None` for the legacy form.
        session: Option<String>,
    },
    /// Any other provider of a profile's own — `credential_process`, `login_session` —
    /// as its file describes it. (The variants above carry the fields the cross-SDK
    /// conformance suites check; a new provider needs no variant of its own.)
    #[non_exhaustive]
    Other {
        /// The profile.
        profile: String,
        /// botocore's name for the provider (`custom-process`, `login`).
        method: &'static str,
        /// What the provider will do, for people: `credential_process of profile P`.
        description: String,
    },
}

impl BaseStep {
    /// The step of a provider with no variant of its own ([`BaseStep::Other`]).
    pub(crate) fn other(profile: &str, method: &'static str, description: String) -> BaseStep {
        BaseStep::Other {
            profile: profile.to_owned(),
            method,
            description,
        }
    }

    /// The profile the step reads.
    pub fn profile(&self) -> &str {
        match self {
            BaseStep::StaticKeys { profile, .. }
            | BaseStep::CredentialSource { profile, .. }
            | BaseStep::WebIdentity { profile, .. }
            | BaseStep::Sso { profile, .. }
            | BaseStep::Other { profile, .. } => profile,
        }
    }
}

impl fmt::Display for BaseStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BaseStep::StaticKeys { profile, file, .. } => {
                f.write_str(&super::static_keys::describe(profile, *file))
            }
            BaseStep::CredentialSource { profile, source } => {
                write!(f, "credential_source {source} of profile {profile}")
            }
            BaseStep::WebIdentity {
                profile,
                role_arn,
                token_file,
                ..
            } => write!(
                f,
                "role {role_arn} with the web identity token in {token_file} (profile {profile})"
            ),
            BaseStep::Sso {
                profile,
                account_id,
                role_name,
                ..
            } => {
                f.write_str(&super::sso::describe_role(role_name, account_id, profile))?;
                f.write_str(")")
            }
            BaseStep::Other { description, .. } => f.write_str(description),
        }
    }
}

/// Which shared file holds a profile's static keys.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyFile {
    /// `~/.aws/credentials` (botocore's `shared-credentials-file` provider, asked first).
    Credentials,
    /// `~/.aws/config` (botocore's `config-file` provider).
    Config,
}

impl fmt::Display for KeyFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyFile::Credentials => "shared credentials file",
            KeyFile::Config => "shared config file",
        })
    }
}

/// The values of `credential_source` botocore accepts (exactly, case-sensitive).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CredentialSource {
    /// `Environment`: `AWS_ACCESS_KEY_ID` and friends.
    Environment,
    /// `Ec2InstanceMetadata`: the EC2 instance's role, from instance metadata.
    Ec2InstanceMetadata,
    /// `EcsContainer`: the container's role, from the container credentials endpoint.
    EcsContainer,
}

impl CredentialSource {
    /// The value as written in the config file.
    pub fn name(self) -> &'static str {
        match self {
            CredentialSource::Environment => "Environment",
            CredentialSource::Ec2InstanceMetadata => "Ec2InstanceMetadata",
            CredentialSource::EcsContainer => "EcsContainer",
        }
    }

    // BOTOCORE: an exact, case-sensitive match (§7.1): `environment` is not valid.
    fn parse(value: &str) -> Option<CredentialSource> {
        [
            CredentialSource::Environment,
            CredentialSource::Ec2InstanceMetadata,
            CredentialSource::EcsContainer,
        ]
        .into_iter()
        .find(|s| s.name() == value)
    }
}

impl fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One `AssumeRole` call of a [`ChainPlan`]: a profile's role settings (§7.1).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleStep {
    /// The profile with `role_arn`.
    pub profile: String,
    /// `role_arn`.
    pub role_arn: String,
    /// `role_session_name`; without it botocore sends `botocore-session-<unix seconds>`.
    pub session_name: Option<String>,
    /// `external_id`.
    pub external_id: Option<String>,
    /// `mfa_serial`.
    pub mfa_serial: Option<String>,
    /// `duration_seconds`, if it is an integer (botocore silently drops anything else).
    pub duration_seconds: Option<i64>,
}

impl fmt::Display for RoleStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "role {} of profile {}", self.role_arn, self.profile)
    }
}

/// Why there is no plan: botocore's configuration errors, typed. Each becomes an
/// [`Error`] with botocore's message (plus what to do).
#[derive(Debug)]
pub(crate) enum PlanError {
    /// The selected profile is in neither file.
    ProfileNotFound { profile: String },
    /// `source_profile` and `credential_source` together.
    BothSources { profile: String },
    /// `role_arn` with neither.
    NoSource { profile: String },
    /// A `credential_source` botocore does not know.
    InvalidCredentialSource { profile: String, value: String },
    /// `source_profile` names a profile that does not exist.
    MissingSourceProfile { profile: String, source: String },
    /// `source` was visited before: `path` is the walk, ending with `source` again.
    Cycle { path: Vec<String> },
    /// A source profile whose own providers find nothing.
    SourceWithoutCredentials { source: String },
    /// The selected profile (no `role_arn`) has no credentials of its own.
    NoCredentials { profile: String },
    /// More than [`MAX_ROLE_CHAIN`] roles: the walk stopped at `at`.
    TooLong { selected: String, at: String },
    /// A provider's own validation failed (partial keys, SSO, web identity).
    Provider(Error),
}

/// The most roles one chain of `source_profile`s may assume. Real chains are a few
/// hops; without a limit a generated or hostile config of thousands of roles costs a
/// quadratic walk and thousands of sequential STS calls for one git command.
pub(crate) const MAX_ROLE_CHAIN: usize = 64;

impl From<Error> for PlanError {
    fn from(e: Error) -> PlanError {
        PlanError::Provider(e)
    }
}

impl From<PlanError> for Error {
    #[cold]
    fn from(e: PlanError) -> Error {
        let invalid = |m: String| Error::new(ErrorKind::InvalidConfig, m);
        match e {
            PlanError::ProfileNotFound { profile } => Error::new(
                ErrorKind::ProfileNotFound,
                format!("The config profile ({profile}) could not be found"),
            ),
            PlanError::BothSources { profile } => invalid(format!(
                "The profile \"{profile}\" contains both source_profile and credential_source."
            )),
            PlanError::NoSource { profile } => Error::new(
                ErrorKind::PartialCredentials,
                format!(
                    "Partial credentials found in assume-role, missing: source_profile or \
                     credential_source (profile {profile} has role_arn; add source_profile = \
                     PROFILE or credential_source = Environment)"
                ),
            ),
            PlanError::InvalidCredentialSource { profile, value } => invalid(format!(
                "The credential source \"{value}\" referenced in profile \"{profile}\" is not \
                 valid. (Valid: Environment, Ec2InstanceMetadata, EcsContainer.)"
            )),
            PlanError::MissingSourceProfile { profile, source } => invalid(format!(
                "The source_profile \"{source}\" referenced in the profile \"{profile}\" does \
                 not exist."
            )),
            PlanError::Cycle { path } => {
                let (source, visited) = path.split_last().expect("a cycle has a path");
                invalid(format!(
                    "Infinite loop in credential configuration detected. Attempting to load \
                     from profile {source} which has already been visited. Visited profiles: \
                     [{}] (cycle: {})",
                    visited
                        .iter()
                        .map(|v| format!("'{v}'"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    path.join(" -> ")
                ))
            }
            PlanError::SourceWithoutCredentials { source } => invalid(format!(
                "The source profile \"{source}\" must have credentials."
            )),
            PlanError::NoCredentials { profile } => Error::new(
                ErrorKind::CredentialsNotFound,
                format!(
                    "profile {profile} has no credentials of its own: no {}",
                    profile_keys()
                ),
            ),
            PlanError::TooLong { selected, at } => invalid(format!(
                "The role chain of profile {selected} is longer than {MAX_ROLE_CHAIN} roles (at \
                 profile {at}); shorten the chain"
            )),
            PlanError::Provider(e) => e,
        }
    }
}

/// The keys that give a profile credentials, from [`PROVIDERS`] in its order: `role_arn,
/// web_identity_token_file, …, login_session or credential_process`.
fn profile_keys() -> String {
    let mut keys: Vec<&str> = Vec::new();
    for key in PROVIDERS
        .iter()
        .filter_map(|row| row.provider.profile_keys())
    {
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    match keys.split_last() {
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// botocore's `_has_assume_role_config_vars`: `role_arn` without
/// `web_identity_token_file` (which makes it a web-identity profile).
pub(crate) fn has_role_config(profile: Profile<'_>) -> bool {
    profile.contains_key("role_arn") && !profile.contains_key("web_identity_token_file")
}

/// botocore's `_has_static_credentials`: either key present in the merged profile.
fn has_static_keys(profile: Profile<'_>) -> bool {
    profile.contains_key("aws_access_key_id") || profile.contains_key("aws_secret_access_key")
}

/// The walk of §7.2: the selected profile's role, then its source's, until a source
/// with credentials of its own (or a `credential_source`).
pub(crate) fn plan(config: &SharedConfig, selected: &str) -> Result<ChainPlan, PlanError> {
    let Some(profile) = config.profile(selected) else {
        return Err(PlanError::ProfileNotFound {
            profile: selected.to_owned(),
        });
    };
    if !has_role_config(profile) {
        let (base, row) =
            own_providers(config, profile)?.ok_or_else(|| PlanError::NoCredentials {
                profile: selected.to_owned(),
            })?;
        return Ok(ChainPlan {
            base,
            base_row: Some(row),
            roles: Vec::new(),
        });
    }

    let mut visited = vec![selected.to_owned()];
    // Collected from the selected profile outwards; reversed at the end.
    let mut roles = Vec::new();
    let mut current = profile;
    let (base, base_row) = loop {
        if roles.len() == MAX_ROLE_CHAIN {
            return Err(PlanError::TooLong {
                selected: selected.to_owned(),
                at: current.name().to_owned(),
            });
        }
        let (role, source) = role_step(config, current, &visited)?;
        roles.push(role);
        let source = match source {
            Source::Named(named) => {
                let step = BaseStep::CredentialSource {
                    profile: current.name().to_owned(),
                    source: named,
                };
                break (step, None);
            }
            Source::Profile(source) => source,
        };
        visited.push(source.name().to_owned());
        // BOTOCORE: a source's static keys beat its own role_arn; the walk stops
        // there (§7.2, §10 item 42).
        if has_static_keys(source) || !has_role_config(source) {
            let (step, row) = own_providers(config, source)?.ok_or_else(|| {
                PlanError::SourceWithoutCredentials {
                    source: source.name().to_owned(),
                }
            })?;
            break (step, Some(row));
        }
        current = source;
    };
    roles.reverse();
    Ok(ChainPlan {
        base,
        base_row,
        roles,
    })
}

enum Source<'a> {
    Profile(Profile<'a>),
    Named(CredentialSource),
}

/// botocore's `_get_role_config` and its validation of the source, in its order.
fn role_step<'a>(
    config: &'a SharedConfig,
    profile: Profile<'_>,
    visited: &[String],
) -> Result<(RoleStep, Source<'a>), PlanError> {
    let name = profile.name();
    let get = |k: &str| profile.get(k).map(str::to_owned);
    let source = match (
        profile.get("source_profile"),
        profile.get("credential_source"),
    ) {
        (Some(_), Some(_)) => {
            return Err(PlanError::BothSources {
                profile: name.to_owned(),
            });
        }
        (None, None) => {
            return Err(PlanError::NoSource {
                profile: name.to_owned(),
            });
        }
        (None, Some(named)) => Source::Named(CredentialSource::parse(named).ok_or_else(|| {
            PlanError::InvalidCredentialSource {
                profile: name.to_owned(),
                value: named.to_owned(),
            }
        })?),
        (Some(source), None) => {
            let Some(source_profile) = config.profile(source) else {
                return Err(PlanError::MissingSourceProfile {
                    profile: name.to_owned(),
                    source: source.to_owned(),
                });
            };
            // A profile visited before is a loop, unless it is this very profile and it
            // has static keys to start from (§7.2, §10 item 43).
            if visited.iter().any(|v| v == source)
                && (source != name || !has_static_keys(source_profile))
            {
                let mut path = visited.to_vec();
                path.push(source.to_owned());
                return Err(PlanError::Cycle { path });
            }
            Source::Profile(source_profile)
        }
    };
    // BOTOCORE: a non-integer duration_seconds is silently dropped (§7.1).
    let duration_seconds = profile
        .get("duration_seconds")
        .and_then(|d| d.parse::<i64>().ok());
    let role = RoleStep {
        profile: name.to_owned(),
        role_arn: get("role_arn").unwrap_or_default(),
        session_name: get("role_session_name"),
        external_id: get("external_id"),
        mfa_serial: get("mfa_serial"),
        duration_seconds,
    };
    Ok((role, source))
}

/// The first of the profile's own providers that applies, environment off: botocore's
/// `ProfileProviderBuilder.providers(disable_env_vars=True)` — web identity, SSO,
/// credentials-file keys, login, `credential_process`, config-file keys (§4.1, §7.2):
/// the rows of [`PROVIDERS`] that plan, in their order. Each provider's configuration
/// errors are raised here, as botocore raises them when the provider loads. With the
/// step comes its row, which `assume_role.rs` asks for the credentials.
fn own_providers(
    config: &SharedConfig,
    profile: Profile<'_>,
) -> Result<Option<(BaseStep, usize)>, PlanError> {
    for (row, entry) in PROVIDERS.iter().enumerate() {
        if let Some(step) = entry.provider.plan(config, profile)? {
            return Ok(Some((step, row)));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(config: &str) -> SharedConfig {
        SharedConfig::from_sources(Some(config.as_bytes()), None).unwrap()
    }

    #[test]
    fn cycles_carry_their_path() {
        let config = shared(
            "[profile a]\nrole_arn = r:a\nsource_profile = b\n\
             [profile b]\nrole_arn = r:b\nsource_profile = c\n\
             [profile c]\nrole_arn = r:c\nsource_profile = b\n",
        );
        match plan(&config, "a") {
            Err(PlanError::Cycle { path }) => assert_eq!(path, ["a", "b", "c", "b"]),
            other => panic!("{other:?}"),
        }
        let e = Error::from(plan(&config, "a").unwrap_err());
        assert_eq!(e.kind(), ErrorKind::InvalidConfig);
        assert!(
            e.message().starts_with(
                "Infinite loop in credential configuration detected. Attempting to load from \
                 profile b which has already been visited. Visited profiles: ['a', 'b', 'c'] \
                 (cycle: a -> b -> c -> b)"
            ),
            "{e}"
        );
    }

    #[test]
    fn each_configuration_error_has_its_variant() {
        let config = shared(
            "[profile both]\nrole_arn = r\nsource_profile = k\ncredential_source = Environment\n\
             [profile neither]\nrole_arn = r\n\
             [profile lower]\nrole_arn = r\ncredential_source = environment\n\
             [profile dangling]\nrole_arn = r\nsource_profile = nowhere\n\
             [profile empty-source]\nrole_arn = r\nsource_profile = empty\n\
             [profile empty]\nregion = us-east-1\n\
             [profile k]\naws_access_key_id = AKID\naws_secret_access_key = s\n",
        );
        let variant = |p: &str| match plan(&config, p) {
            Err(PlanError::BothSources { .. }) => "both",
            Err(PlanError::NoSource { .. }) => "neither",
            Err(PlanError::InvalidCredentialSource { .. }) => "invalid",
            Err(PlanError::MissingSourceProfile { .. }) => "missing",
            Err(PlanError::SourceWithoutCredentials { .. }) => "no-creds",
            Err(PlanError::NoCredentials { .. }) => "none",
            Err(PlanError::ProfileNotFound { .. }) => "not-found",
            other => panic!("{p}: {other:?}"),
        };
        assert_eq!(variant("both"), "both");
        assert_eq!(variant("neither"), "neither");
        assert_eq!(variant("lower"), "invalid");
        assert_eq!(variant("dangling"), "missing");
        assert_eq!(variant("empty-source"), "no-creds");
        assert_eq!(variant("empty"), "none");
        assert_eq!(variant("ghost"), "not-found");
    }

    #[test]
    fn roles_run_from_the_base_outwards() {
        let config = shared(
            "[profile top]\nrole_arn = r:top\nsource_profile = mid\nduration_seconds = abc\n\
             [profile mid]\nrole_arn = r:mid\nsource_profile = env\nduration_seconds = 900\n\
             [profile env]\nrole_arn = r:env\ncredential_source = Environment\n",
        );
        let plan = plan(&config, "top").unwrap();
        assert_eq!(
            plan.base,
            BaseStep::CredentialSource {
                profile: "env".into(),
                source: CredentialSource::Environment
            }
        );
        let arns: Vec<&str> = plan.roles.iter().map(|r| r.role_arn.as_str()).collect();
        assert_eq!(arns, ["r:env", "r:mid", "r:top"]);
        assert_eq!(plan.roles[1].duration_seconds, Some(900));
        assert_eq!(plan.roles[2].duration_seconds, None);
        assert_eq!(
            plan.to_string(),
            "credential_source Environment of profile env -> role r:env of profile env -> \
             role r:mid of profile mid -> role r:top of profile top"
        );
    }
}
