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
mod cli_cache;
mod container;
mod env_vars;
mod imds;
mod legacy_files;
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
    /// The remote named the profile (`codecommit://profile@repo`). botocore then drops
    /// the providers that read credentials from environment variables (§4.2).
    pub(crate) explicit_profile: bool,
    /// What was looked at so far without finding credentials.
    pub(crate) tried: &'a Tried,
}

/// What the chain looked at without finding credentials, in order: the tail of the
/// "nothing found" error, `… (tried: environment variables, …, instance metadata at
/// http://169.254.169.254/: no answer within 1 s)`.
///
/// The chain notes each provider's label when it does not apply. A provider with more to
/// say — the metadata providers know which URL they asked and what went wrong — notes it
/// itself, and the chain then adds nothing for it. Notes are short and hold no secrets.
#[derive(Debug, Default)]
pub(crate) struct Tried(Mutex<Vec<String>>);

impl Tried {
    /// Adds `what` to the list.
    pub(crate) fn note(&self, what: impl Into<String>) {
        self.entries().push(what.into());
    }

    /// How many notes there are: a mark for [`Tried::since`].
    pub(crate) fn len(&self) -> usize {
        self.entries().len()
    }

    /// The notes after `mark`, joined by `", "`; `None` if there are none.
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

/// One way of finding credentials.
pub(crate) trait Provider: fmt::Debug + Send + Sync {
    /// `Ok(None)` if this provider does not apply to the context; credentials if it does
    /// and succeeds; an error if it applies and fails.
    fn provide(&self, ctx: &ChainContext<'_>) -> Result<Option<Resolved>, Error>;
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
                write!(
                    f,
                    "static keys of profile {profile} in the shared credentials file"
                )
            }
            Source::ConfigFile { profile } => {
                write!(
                    f,
                    "static keys of profile {profile} in the shared config file"
                )
            }
            Source::Sso {
                profile,
                account_id,
                role_name,
                session,
                start_url,
                cached,
                ..
            } => {
                write!(
                    f,
                    "SSO role {role_name} in account {account_id} (profile {profile}, "
                )?;
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
            Source::Process { profile } => {
                write!(f, "credential_process of profile {profile}")
            }
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

/// An ordered list of providers; the first that applies decides.
///
/// Reachable for the conformance tests only: a Rust user goes through
/// [`Resolver`](crate::Resolver) (and [`Resolver::with_credentials_callback`](crate::Resolver::with_credentials_callback)).
#[doc(hidden)]
#[derive(Debug)]
pub struct CredentialChain {
    links: Vec<Link>,
}

/// One provider of a chain and how the "nothing found" error names it.
#[derive(Debug)]
struct Link {
    label: Label,
    provider: Box<dyn Provider>,
}

#[derive(Clone, Copy, Debug)]
enum Label {
    /// Listed whenever the provider found nothing.
    Always(&'static str),
    /// Not listed when the remote named the profile: botocore then drops the provider
    /// from the chain (§4.2), so it was not tried.
    UnlessProfileNamed(&'static str),
}

impl Link {
    fn new(label: Label, provider: impl Provider + 'static) -> Link {
        Link {
            label,
            provider: Box::new(provider),
        }
    }
}

impl CredentialChain {
    /// botocore's default chain (§4.1): environment, assume-role, web identity, SSO,
    /// shared credentials file, login (unsupported), `credential_process`, config file,
    /// `AWS_CREDENTIAL_FILE`, boto config, container credentials, instance metadata.
    pub fn botocore() -> CredentialChain {
        use Label::{Always, UnlessProfileNamed};
        use static_keys::{File, StaticKeys};
        CredentialChain {
            links: vec![
                Link::new(
                    UnlessProfileNamed("environment variables"),
                    env_vars::EnvVars,
                ),
                Link::new(Always("role_arn"), assume_role::AssumeRole),
                Link::new(Always("web identity"), web_identity::WebIdentity),
                Link::new(Always("SSO"), sso::Sso),
                Link::new(Always("credentials file"), StaticKeys(File::Credentials)),
                Link::new(Always("login_session"), process::Login),
                Link::new(Always("credential_process"), process::CredentialProcess),
                Link::new(Always("config file"), StaticKeys(File::Config)),
                // The tail runs even for a profile named in the remote (§10 item 54).
                Link::new(
                    Always("AWS_CREDENTIAL_FILE"),
                    legacy_files::Ec2CredentialsFile,
                ),
                Link::new(Always("boto config"), legacy_files::BotoConfig),
                // These two note what they tried themselves; the labels are fallbacks.
                Link::new(Always("container credentials"), container::Container),
                Link::new(Always("instance metadata"), imds::InstanceMetadata),
            ],
        }
    }

    /// Puts `provider` ahead of every other.
    pub(crate) fn prepend(&mut self, provider: Box<dyn Provider>) {
        self.links.insert(
            0,
            Link {
                label: Label::Always("the application's callback"),
                provider,
            },
        );
    }

    /// Asks each provider in turn. `Ok(None)` when none applies; `ctx.tried` then says
    /// what was looked at.
    pub(crate) fn resolve(&self, ctx: &ChainContext<'_>) -> Result<Option<Resolved>, Error> {
        for link in &self.links {
            let mark = ctx.tried.len();
            if let Some(found) = link.provider.provide(ctx)? {
                // Whatever the source — a process, a file, a variable, a service, the
                // application — nothing with a line break leaves the chain.
                return refuse_line_breaks(found).map(Some);
            }
            if ctx.tried.len() == mark {
                match link.label {
                    Label::Always(label) => ctx.tried.note(label),
                    Label::UnlessProfileNamed(label) if !ctx.explicit_profile => {
                        ctx.tried.note(label)
                    }
                    Label::UnlessProfileNamed(_) => {}
                }
            }
        }
        Ok(None)
    }
}

impl Default for CredentialChain {
    fn default() -> Self {
        CredentialChain::botocore()
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
    fn provide(&self, ctx: &ChainContext<'_>) -> Result<Option<Resolved>, Error> {
        Ok((self.0)(ctx.profile)?.map(|credentials| Resolved {
            credentials,
            source: Source::Application,
        }))
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
        Some(expiry) if expiry <= now => Err(Error::new(
            crate::error::ErrorKind::CredentialsExpired,
            format!(
                "Credentials were refreshed, but the refreshed credentials are still expired. \
                 ({from} returned credentials that expired at {}; check the system clock)",
                timestamp::format_utc(expiry)
            ),
        )),
        _ => Ok(()),
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

/// Builds the credential value every provider returns.
pub(crate) fn build(
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    expiry: Option<SystemTime>,
    account_id: Option<String>,
    provider_name: &'static str,
) -> Credentials {
    let mut builder = Credentials::builder()
        .access_key_id(access_key_id)
        .secret_access_key(secret_access_key)
        .provider_name(provider_name);
    builder.set_session_token(session_token);
    builder.set_expiry(expiry);
    builder.set_account_id(account_id.map(Into::into));
    builder.build()
}
