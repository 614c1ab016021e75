//! The credential provider chain, as botocore runs it for git-remote-codecommit.
//!
//! | owns | must not |
//! |---|---|
//! | the provider chain, one file per provider, on-disk caches | know about git |
//!
//! botocore asks a fixed list of providers in turn (`reference/behavior.md` §4.1); the
//! first that *applies* decides. A provider that does not apply says so (`Ok(None)`) and
//! the next is asked; a provider that applies but is misconfigured fails the whole
//! resolution — botocore does not fall through to the next provider, and neither do we,
//! because silently picking other credentials than the ones configured is worse than an
//! error.
//!
//! Each provider is one file and one `Provider` value; the chain is a list of them, so
//! a new provider slots in at its place in the order without reshaping anything. When
//! none applies, the chain's notes of what it looked at end the error message. The value
//! type is [`aws_credential_types::Credentials`], so what this crate resolves can be
//! handed to the AWS SDK for Rust as it is.

use std::fmt;
use std::sync::Mutex;
use std::time::SystemTime;

use crate::config::SharedConfig;
use crate::env::Environment;
use crate::error::Error;

mod assume_role;
mod aws_json;
mod cli_cache;
mod container;
mod env_vars;
mod imds;
mod legacy_files;
pub(crate) mod mfa;
mod plan;
pub(crate) mod process;
mod pyjson;
mod retry;
mod sso;
mod static_keys;
mod sts;
pub(crate) mod timestamp;
mod web_identity;
pub(crate) mod xml;

pub use aws_credential_types::Credentials;
pub use mfa::MfaCallback;
// The role-chain plan is reachable for the conformance tests only.
#[doc(hidden)]
pub use plan::{BaseStep, ChainPlan, CredentialSource, KeyFile, RoleStep};
pub use sso::{SsoLogin, TokenState, sso_login};

/// What a provider needs to know to look for credentials.
#[derive(Clone, Copy)]
pub(crate) struct ChainContext<'a> {
    /// The outside world.
    pub(crate) env: &'a dyn Environment,
    /// Both shared files, parsed.
    pub(crate) config: &'a SharedConfig,
    /// The profile being resolved (it need not exist: `default` may be absent). Inside
    /// a role chain, the current source profile.
    pub(crate) profile: &'a str,
    /// The profile the remote or environment selected: its region and endpoint settings
    /// apply to every STS call of a role chain (§7.3).
    pub(crate) top_profile: &'a str,
    /// botocore's `disable_env_vars`: the providers that read credentials from
    /// environment variables stand aside. True when the remote named the profile
    /// (`codecommit://profile@repo`, §4.2) and for the source profiles of a role chain
    /// (§7.2).
    pub(crate) disable_env_vars: bool,
    /// What was looked at so far without finding credentials.
    pub(crate) tried: &'a Tried,
    /// The application's MFA callback, if it set one: asked instead of an askpass
    /// program or the terminal (`mfa.rs`).
    pub(crate) mfa: Option<&'a MfaCallback>,
}

/// What the chain looked at without finding credentials, in order: the tail of the
/// "nothing found" error, `… (tried: environment variables, …, instance metadata at
/// http://169.254.169.254/: no answer within 1 s)`.
///
/// The chain notes each provider's [`Outcome`]: its table label when it is not
/// configured, or what it says it looked at when it gave nothing. Notes are short and
/// hold no secrets.
#[derive(Debug, Default)]
pub(crate) struct Tried(Mutex<Vec<String>>);

impl Tried {
    /// Adds `what` to the list.
    pub(crate) fn note(&self, what: impl Into<String>) {
        self.entries().push(what.into());
    }

    /// The notes from the `mark`th on, joined by `", "`; `None` if there are none.
    pub(crate) fn since(&self, mark: usize) -> Option<String> {
        let entries = self.entries();
        let tail = entries.get(mark..).unwrap_or_default();
        (!tail.is_empty()).then(|| tail.join(", "))
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, Vec<String>> {
        // Poisoned only if a provider panicked mid-push; the list is still usable.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// What one provider made of a context, short of an error (a provider that is
/// configured and fails returns the error instead).
#[derive(Debug)]
pub(crate) enum Outcome {
    /// Not configured here: the chain goes on, and names the provider by its label in
    /// [`PROVIDERS`].
    NotConfigured,
    /// It looked and gave nothing, and says what it looked at and why (it replaces the
    /// label): `instance metadata at http://169.254.169.254/: no answer within 1 s`,
    /// `container credentials (… unset)`. Never a secret.
    Nothing(String),
    /// Credentials.
    Found(Resolved),
}

impl From<Option<Resolved>> for Outcome {
    fn from(found: Option<Resolved>) -> Outcome {
        found.map_or(Outcome::NotConfigured, Outcome::Found)
    }
}

/// One way of finding credentials.
pub(crate) trait Provider: fmt::Debug + Send + Sync {
    /// What this provider finds in the context; an error if it is configured and fails.
    fn provide(&self, ctx: &ChainContext<'_>) -> Result<Outcome, Error>;

    /// For a provider of a profile's own (web identity, SSO, keys, login,
    /// `credential_process`): the role-chain plan's base step when it applies to
    /// `profile` from the shared files alone, with the environment off (botocore's
    /// `ProfileProviderBuilder(disable_env_vars=True)`, §7.2); its configuration errors
    /// are raised here, as botocore raises them when the provider loads. `Ok(None)`
    /// otherwise, and always for providers that are not a profile's own.
    fn plan(
        &self,
        config: &SharedConfig,
        profile: crate::config::Profile<'_>,
    ) -> Result<Option<BaseStep>, Error> {
        let _ = (config, profile);
        Ok(None)
    }
}

/// Credentials and where they came from.
#[doc(hidden)] // no public function takes or returns one
#[derive(Clone, Debug)]
pub struct Resolved {
    /// The credentials (their `Debug` redacts the secret key and token).
    pub credentials: Credentials,
    /// The provider that found them.
    pub source: Source,
}

/// Where credentials came from: for `--explain` output and diagnostics. Never holds a
/// secret.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and the token variables.
    Environment,
    /// Keys in the profile's section of the shared credentials file.
    SharedCredentialsFile {
        /// The profile.
        profile: String,
    },
    /// Keys in the profile's section of the shared config file.
    ConfigFile {
        /// The profile.
        profile: String,
    },
    /// An AWS SSO (IAM Identity Center) profile: role credentials from the CLI cache or
    /// the SSO portal.
    Sso {
        /// The profile.
        profile: String,
        /// The account the role is in.
        account_id: String,
        /// The role.
        role_name: String,
        /// The `[sso-session]`, or `None` for the legacy form.
        session: Option<String>,
        /// The SSO start URL.
        start_url: String,
        /// When the role credentials expire.
        expires: Option<String>,
        /// Whether they came from `~/.aws/cli/cache` (no portal call).
        cached: bool,
    },
    /// A role assumed through STS.
    AssumeRole {
        /// The profile with `role_arn`.
        profile: String,
        /// The role.
        role_arn: String,
        /// Where the credentials that assumed it came from.
        source: Box<Source>,
    },
    /// A role assumed with a web identity token (`AssumeRoleWithWebIdentity`).
    WebIdentity {
        /// The role.
        role_arn: String,
        /// The token file.
        token_file: String,
    },
    /// `credential_process`.
    Process {
        /// The profile.
        profile: String,
    },
    /// A legacy file at the tail of botocore's chain: `AWS_CREDENTIAL_FILE`
    /// (`ec2-credentials-file`) or the boto 2 config (`boto-config`).
    LegacyFile {
        /// botocore's provider name.
        method: &'static str,
        /// The file.
        path: String,
    },
    /// A fresh entry of the AWS CLI's or git-remote-codecommit's credential cache.
    Cache {
        /// The cache directory.
        directory: String,
    },
    /// The application's own callback (see [`Resolver::with_credentials_callback`](crate::Resolver::with_credentials_callback)).
    Application,
    /// The container credentials endpoint: an ECS task role, EKS Pod Identity, CodeBuild.
    Container {
        /// The URL asked: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` on 169.254.170.2, or
        /// `AWS_CONTAINER_CREDENTIALS_FULL_URI`.
        url: String,
        /// Where the authorization token sent with the request came from (a variable,
        /// or a variable and the file it names), if one was sent. Never the token.
        authorization: Option<String>,
    },
    /// The EC2 instance metadata service: the role of the instance profile.
    InstanceMetadata {
        /// The service's base URL.
        endpoint: String,
        /// The role attached to the instance.
        role_name: String,
        /// Whether an IMDSv2 session token was used (`false`: the IMDSv1 fallback).
        imds_v2: bool,
    },
}

impl Source {
    /// botocore's name for the provider (`Credentials.method`), e.g. `env`,
    /// `shared-credentials-file`.
    pub fn method(&self) -> &'static str {
        match self {
            Source::Environment => "env",
            Source::SharedCredentialsFile { .. } => "shared-credentials-file",
            Source::ConfigFile { .. } => "config-file",
            Source::Sso { .. } => "sso",
            Source::AssumeRole { .. } => "assume-role",
            Source::WebIdentity { .. } => "assume-role-with-web-identity",
            Source::Process { .. } => "custom-process",
            Source::Cache { .. } => "assume-role",
            Source::LegacyFile { method, .. } => method,
            Source::Application => "application",
            Source::Container { .. } => "container-role",
            Source::InstanceMetadata { .. } => "iam-role",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Environment => f.write_str("environment variables (AWS_ACCESS_KEY_ID)"),
            Source::SharedCredentialsFile { profile } => {
                describe::static_keys(f, profile, KeyFile::Credentials)
            }
            Source::ConfigFile { profile } => describe::static_keys(f, profile, KeyFile::Config),
            Source::Sso {
                profile,
                account_id,
                role_name,
                session,
                start_url,
                cached,
                ..
            } => {
                describe::sso_role(f, role_name, account_id, profile)?;
                f.write_str(", ")?;
                match session {
                    Some(s) => write!(f, "sso-session {s}, ")?,
                    None => f.write_str("legacy SSO profile, ")?,
                }
                write!(f, "start URL {start_url}; ")?;
                f.write_str(if *cached {
                    "from the AWS CLI cache)"
                } else {
                    "from the SSO portal)"
                })
            }
            Source::AssumeRole {
                profile,
                role_arn,
                source,
            } => write!(
                f,
                "role {role_arn} of profile {profile}, assumed with {source}"
            ),
            Source::WebIdentity {
                role_arn,
                token_file,
            } => write!(
                f,
                "role {role_arn} assumed with the web identity token in {token_file}"
            ),
            Source::Process { profile } => describe::process(f, profile),
            Source::LegacyFile { method, path } => write!(f, "static keys in {path} ({method})"),
            Source::Cache { directory } => {
                write!(f, "credentials cached in {directory}")
            }
            Source::Application => f.write_str("the application's credentials callback"),
            Source::Container { url, authorization } => {
                write!(f, "container credentials from {url}")?;
                match authorization {
                    Some(from) => write!(f, " (authorization token from {from})"),
                    None => f.write_str(" (no authorization token)"),
                }
            }
            Source::InstanceMetadata {
                endpoint,
                role_name,
                imds_v2,
            } => write!(
                f,
                "EC2 instance metadata at {endpoint}, role {role_name} ({})",
                if *imds_v2 {
                    "IMDSv2"
                } else {
                    "IMDSv1: no session token"
                }
            ),
        }
    }
}

/// The texts [`Source`] and [`BaseStep`] share, so `--explain` and a plan name a
/// provider alike.
pub(crate) mod describe {
    use std::fmt;

    use super::KeyFile;

    /// `static keys of profile P in the shared credentials file`.
    pub(crate) fn static_keys(
        f: &mut fmt::Formatter<'_>,
        profile: &str,
        file: KeyFile,
    ) -> fmt::Result {
        write!(f, "static keys of profile {profile} in the {file}")
    }

    /// `SSO role R in account A (profile P` — the caller closes the parenthesis.
    pub(crate) fn sso_role(
        f: &mut fmt::Formatter<'_>,
        role_name: &str,
        account_id: &str,
        profile: &str,
    ) -> fmt::Result {
        write!(
            f,
            "SSO role {role_name} in account {account_id} (profile {profile}"
        )
    }

    /// `credential_process of profile P`.
    pub(crate) fn process(f: &mut fmt::Formatter<'_>, profile: &str) -> fmt::Result {
        write!(f, "credential_process of profile {profile}")
    }
}

/// botocore's credential providers in botocore's order (§4.1), with the label the "nothing
/// found" error gives each: the one list the chain ([`CredentialChain::botocore`]), the
/// role-chain plan (`plan.rs`, the rows whose [`Provider::plan`] answers) and the base
/// step of a role chain (`assume_role.rs`) all read. A new provider is its own file and
/// one row here.
pub(crate) static PROVIDERS: [Row; 12] = [
    Row::new(
        Label::UnlessEnvVarsOff("environment variables"),
        &env_vars::EnvVars,
    ),
    Row::new(Label::Always("role_arn"), &assume_role::AssumeRole),
    Row::new(Label::Always("web identity"), &web_identity::WebIdentity),
    Row::new(Label::Always("SSO"), &sso::Sso),
    Row::new(
        Label::Always("credentials file"),
        &static_keys::StaticKeys(KeyFile::Credentials),
    ),
    Row::new(Label::Always("login_session"), &process::Login),
    Row::new(
        Label::Always("credential_process"),
        &process::CredentialProcess,
    ),
    Row::new(
        Label::Always("config file"),
        &static_keys::StaticKeys(KeyFile::Config),
    ),
    // The tail runs even for a profile named in the remote (§10 item 54).
    Row::new(
        Label::Always("AWS_CREDENTIAL_FILE"),
        &legacy_files::Ec2CredentialsFile,
    ),
    Row::new(Label::Always("boto config"), &legacy_files::BotoConfig),
    // These two say what they tried themselves; the labels are fallbacks.
    Row::new(
        Label::Always("container credentials"),
        &container::Container,
    ),
    Row::new(Label::Always("instance metadata"), &imds::InstanceMetadata),
];

/// One row of [`PROVIDERS`]: a provider and how the "nothing found" error names it.
#[derive(Debug)]
pub(crate) struct Row {
    label: Label,
    pub(crate) provider: &'static dyn Provider,
}

impl Row {
    const fn new(label: Label, provider: &'static dyn Provider) -> Row {
        Row { label, provider }
    }

    /// Notes `outcome` (not [`Outcome::Found`]) in `ctx.tried`.
    fn note(&self, ctx: &ChainContext<'_>, outcome: Outcome) {
        match (outcome, self.label) {
            (Outcome::Nothing(why), _) => ctx.tried.note(why),
            (_, Label::Always(label)) => ctx.tried.note(label),
            (_, Label::UnlessEnvVarsOff(label)) if !ctx.disable_env_vars => ctx.tried.note(label),
            (_, Label::UnlessEnvVarsOff(_)) => {}
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Label {
    /// Listed whenever the provider found nothing.
    Always(&'static str),
    /// Not listed when the environment is off (the remote named the profile): botocore
    /// then drops the provider from the chain (§4.2), so it was not tried.
    UnlessEnvVarsOff(&'static str),
}

/// An ordered list of providers; the first that applies decides.
///
/// Reachable for the conformance tests only: a Rust user goes through
/// [`Resolver`](crate::Resolver) (and [`Resolver::with_credentials_callback`](crate::Resolver::with_credentials_callback)).
#[doc(hidden)]
#[derive(Debug, Default)]
pub struct CredentialChain {
    /// The application's callback, asked before the table.
    first: Option<Box<dyn Provider>>,
}

impl CredentialChain {
    /// botocore's default chain (§4.1): environment, assume-role, web identity, SSO,
    /// shared credentials file, login (unsupported), `credential_process`, config file,
    /// `AWS_CREDENTIAL_FILE`, boto config, container credentials, instance metadata.
    pub fn botocore() -> CredentialChain {
        CredentialChain { first: None }
    }

    /// Puts `provider` ahead of every other.
    pub(crate) fn prepend(&mut self, provider: Box<dyn Provider>) {
        self.first = Some(provider);
    }

    /// Asks each provider in turn. `Ok(None)` when none applies; `ctx.tried` then says
    /// what was looked at.
    pub(crate) fn resolve(&self, ctx: &ChainContext<'_>) -> Result<Option<Resolved>, Error> {
        if let Some(first) = &self.first {
            match first.provide(ctx)? {
                Outcome::Found(found) => return refuse_line_breaks(found).map(Some),
                Outcome::Nothing(why) => ctx.tried.note(why),
                Outcome::NotConfigured => ctx.tried.note("the application's callback"),
            }
        }
        for row in &PROVIDERS {
            match row.provider.provide(ctx)? {
                // Whatever the source — a process, a file, a variable, a service, the
                // application — nothing with a line break leaves the chain.
                Outcome::Found(found) => return refuse_line_breaks(found).map(Some),
                outcome => row.note(ctx, outcome),
            }
        }
        Ok(None)
    }
}

/// Credentials the application supplies for a profile, asked before any other source.
///
/// Called with the selected profile's name. Return `Ok(None)` to let the usual chain
/// decide, `Ok(Some(..))` to use these credentials, or an error to stop.
pub type CredentialsCallback =
    dyn Fn(&str) -> Result<Option<Credentials>, Error> + Send + Sync + 'static;

pub(crate) struct Callback(pub(crate) Box<CredentialsCallback>);

impl fmt::Debug for Callback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Callback")
    }
}

impl Provider for Callback {
    fn provide(&self, ctx: &ChainContext<'_>) -> Result<Outcome, Error> {
        Ok((self.0)(ctx.profile)?
            .map(|credentials| Resolved {
                credentials,
                source: Source::Application,
            })
            .into())
    }
}

/// Temporary credentials that are already over when they arrive cannot sign anything
/// (botocore: "Credentials were refreshed, but the refreshed credentials are still
/// expired.").
pub(crate) fn reject_expired(
    credentials: &Credentials,
    now: SystemTime,
    from: &str,
) -> Result<(), Error> {
    match credentials.expiry() {
        Some(expiry) if expiry <= now => Err(still_expired(&format!(
            "{from} returned credentials that expired at {}; check the system clock",
            timestamp::format_utc(expiry)
        ))),
        _ => Ok(()),
    }
}

/// botocore's error for credentials that arrive already expired, with `detail` (where
/// they came from, when they expired) in parentheses after it.
#[cold]
pub(crate) fn still_expired(detail: &str) -> Error {
    Error::new(
        crate::error::ErrorKind::CredentialsExpired,
        format!(
            "Credentials were refreshed, but the refreshed credentials are still expired. \
             ({detail})"
        ),
    )
}

/// The token in the file at `path`, which `named_by` (a variable or key) names: a web
/// identity token, a container authorization token. `what` names the file in errors
/// (`web identity token file`). At most `limit` bytes; the text is kept as it is (a
/// final newline included) and zeroized when dropped.
///
/// # Errors
///
/// [`ErrorKind::InvalidConfig`](crate::error::ErrorKind::InvalidConfig) if the file does
/// not exist, [`ErrorKind::ConfigRead`](crate::error::ErrorKind::ConfigRead) if it cannot
/// be read (too large included),
/// [`ErrorKind::MalformedCredentials`](crate::error::ErrorKind::MalformedCredentials) if
/// it is not UTF-8.
pub(crate) fn read_token_file(
    env: &dyn Environment,
    path: &str,
    what: &str,
    named_by: &str,
    limit: u64,
) -> Result<zeroize::Zeroizing<String>, Error> {
    use crate::error::ErrorKind;
    let bytes = match env.read_file(std::path::Path::new(path), limit) {
        Ok(Some(bytes)) => zeroize::Zeroizing::new(bytes),
        Ok(None) => {
            return Err(Error::new(
                ErrorKind::InvalidConfig,
                format!("the {what} {path} does not exist (named by {named_by})"),
            ));
        }
        Err(e) => {
            return Err(Error::with_source(
                ErrorKind::ConfigRead,
                format!("cannot read the {what} {path}"),
                e,
            ));
        }
    };
    match std::str::from_utf8(&bytes) {
        Ok(text) => Ok(zeroize::Zeroizing::new(text.to_owned())),
        Err(_) => Err(Error::new(
            ErrorKind::MalformedCredentials,
            format!("the {what} {path} is not UTF-8 text"),
        )),
    }
}

/// The part of `credentials` sent anywhere — the access key id or the session token —
/// that holds a line break or NUL, if any.
///
/// No AWS key id or token contains one, and every place that passes them on line by
/// line (git's credential protocol, an HTTP header) would let one add lines of its own;
/// git's `credential_write` refuses such values for the same reason.
///
/// BOTOCORE: accepts any text. The secret access key is not checked: it never leaves
/// the process (it only keys the HMAC), and a shared file's continuation line gives it
/// a line break that botocore signs with (the oracle cases
/// `grammar-secret-continuation*`), so we sign with it too.
pub(crate) fn line_breaking_field(credentials: &Credentials) -> Option<&'static str> {
    let breaks = |s: &str| s.contains(['\r', '\n', '\0']);
    if breaks(credentials.access_key_id()) {
        Some("access key id")
    } else if credentials.session_token().is_some_and(breaks) {
        Some("session token")
    } else {
        None
    }
}

/// Refuses credentials with a line break or NUL in the key id or token
/// ([`ErrorKind::MalformedCredentials`](crate::error::ErrorKind::MalformedCredentials)),
/// naming where they came from and which part, never its value.
pub(crate) fn refuse_line_breaks(resolved: Resolved) -> Result<Resolved, Error> {
    match line_breaking_field(&resolved.credentials) {
        None => Ok(resolved),
        Some(field) => Err(Error::new(
            crate::error::ErrorKind::MalformedCredentials,
            format!(
                "the {field} from {} contains a line break or NUL character, which no AWS \
                 credential has; fix the source of the credentials",
                resolved.source
            ),
        )),
    }
}

/// The parts of the credential value every provider returns, by name: an access key
/// and a secret (or a key and a token) cannot trade places unnoticed, as they could in
/// a positional call. No `Debug`: it holds the secret.
pub(crate) struct Keys {
    pub(crate) access_key_id: String,
    pub(crate) secret_access_key: String,
    pub(crate) session_token: Option<String>,
    pub(crate) expiry: Option<SystemTime>,
    pub(crate) account_id: Option<String>,
    /// botocore's provider name (`Credentials.method`).
    pub(crate) provider: &'static str,
}

impl Keys {
    /// The credentials.
    pub(crate) fn build(self) -> Credentials {
        let mut builder = Credentials::builder()
            .access_key_id(self.access_key_id)
            .secret_access_key(self.secret_access_key)
            .provider_name(self.provider);
        builder.set_session_token(self.session_token);
        builder.set_expiry(self.expiry);
        builder.set_account_id(self.account_id.map(Into::into));
        builder.build()
    }
}
