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
//!
//! # Adding a provider
//!
//! Three touch points, all in this directory:
//!
//! 1. **Its file**, `NAME.rs`: a unit struct implementing `Provider`.
//!    - `provide` returns `Outcome::NotConfigured`, `Outcome::Nothing(why)`, an error, or
//!      `Outcome::Found(Resolved { credentials: Keys { .. }.build(), source })`, where the
//!      file builds its own description: `Source::new(METHOD, Reuse::…, text)` —
//!      botocore's provider name, whether a resolver may keep the credentials until they
//!      near expiry, and the `--explain` / doctor / error text.
//!    - For a provider of a profile's own (configured by the profile's keys, asked for a
//!      role chain's source profile): `plan`, returning `BaseStep::other(profile, METHOD,
//!      text)`, and `profile_keys`, the keys that configure it.
//! 2. **`mod NAME;`** here.
//! 3. **One row in `PROVIDERS`**, at its place in botocore's order, with the label the
//!    "nothing found" error gives it.
//!
//! Nothing else reads a provider by name: the chain, the role-chain plan and its base
//! step, the resolver's cache and the texts of `--explain` and `--doctor` all go through
//! the table and the [`Source`] the provider built. (Tests are extra: its own, and the
//! secret-leak tests in `tests/secrets/` for a provider that handles a new kind of
//! secret.)

use std::fmt;
use std::sync::Mutex;
use std::time::SystemTime;

use crate::config::SharedConfig;
use crate::env::Environment;
use crate::error::Error;

mod assume_role;
pub(crate) mod aws_json;
mod cli_cache;
mod container;
mod env_vars;
mod imds;
mod legacy_files;
mod login;
pub(crate) mod mfa;
mod plan;
pub(crate) mod process;
mod pyjson;
mod retry;
mod sso;
mod static_keys;
pub(crate) mod sts;
pub(crate) mod timestamp;
mod web_identity;
pub(crate) mod xml;

pub use aws_credential_types::Credentials;
pub use mfa::MfaCallback;
// The role-chain plan is reachable for the conformance tests only.
pub use login::{LoginSession, login_session};
#[doc(hidden)]
pub use plan::{BaseStep, ChainPlan, CredentialSource, KeyFile, RoleStep};
/// `codecommit-auth profiles`' library half; not part of the API.
#[doc(hidden)]
pub use sso::profiles as sso_profiles;
pub use sso::{SignIn, SignInFlow, SignInPrompt, SignedIn, SsoLogin, TokenState, sso_login};

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

    /// For a provider a profile's keys configure: those keys, for the error of a profile
    /// with no credentials of its own (`sso_account_id or sso_role_name`).
    fn profile_keys(&self) -> Option<&'static str> {
        None
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

/// Where credentials came from: botocore's name for the provider and a description for
/// people (`--explain`, the doctor, errors), e.g. `static keys of profile dev in the
/// shared credentials file`. Never holds a secret.
///
/// Each provider describes its own credentials, so a new provider changes no type here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    method: &'static str,
    description: String,
    reuse: Reuse,
    from_cache: bool,
    renewal: Option<String>,
}

/// Whether a [`Resolver`](crate::Resolver) may keep a provider's credentials between
/// calls. Every provider says which it is: no default decides it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reuse {
    /// Kept until they near expiry; the provider is asked again only then.
    UntilExpiry,
    /// Asked afresh on every call by design: the container endpoint and the web identity
    /// token file (the platform rotates what they read), instance metadata, the
    /// application's callback.
    EveryCall,
}

impl Source {
    /// Credentials from the provider botocore calls `method`, described as
    /// `description` (no secret in it), kept or not as `reuse` says.
    pub(crate) fn new(method: &'static str, reuse: Reuse, description: String) -> Source {
        Source {
            method,
            description,
            reuse,
            from_cache: false,
            renewal: None,
        }
    }

    /// The same, with what a person does when the session of these credentials is over
    /// (no secret in it): the provider knows, so the doctor need not.
    pub(crate) fn renewed_by(self, advice: String) -> Source {
        Source {
            renewal: Some(advice),
            ..self
        }
    }

    /// What to do when the session of these credentials is over (STS answers
    /// `ExpiredToken`), as the provider that found them says it — "log in again: run
    /// `aws sso login --profile dev`", say — or, from a provider with nothing to add,
    /// "renew the credentials of SOURCE and run again". Names in it are escaped and
    /// bounded as [`shown`] does; it never holds a secret.
    ///
    /// [`shown`]: crate::shown
    pub fn renewal(&self) -> String {
        self.renewal
            .clone()
            .unwrap_or_else(|| format!("renew the credentials of {self} and run again"))
    }

    /// The same, read from an on-disk cache rather than from the provider's service.
    pub(crate) fn cached(self) -> Source {
        Source {
            from_cache: true,
            ..self
        }
    }

    /// botocore's name for the provider (`Credentials.method`), e.g. `env`,
    /// `shared-credentials-file`, `sso`, `assume-role`.
    pub fn method(&self) -> &'static str {
        self.method
    }

    /// Whether the credentials were read from an on-disk cache (the AWS CLI's or
    /// git-remote-codecommit's) rather than fetched from the provider's service.
    pub fn from_cache(&self) -> bool {
        self.from_cache
    }

    /// Whether a resolver may keep these credentials until they near expiry.
    pub(crate) fn reuse(&self) -> Reuse {
        self.reuse
    }
}

/// A name (a profile, a folder) as renewal advice shows it: escaped and bounded.
pub(crate) fn advice_name(name: &str) -> String {
    crate::error::shown(name, crate::error::MAX_SHOWN).into_owned()
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.description)
    }
}

/// botocore's credential providers in botocore's order (§4.1), with the label the "nothing
/// found" error gives each: the one list the chain ([`CredentialChain::botocore`]), the
/// role-chain plan (`plan.rs`, the rows whose [`Provider::plan`] answers) and the base
/// step of a role chain (`assume_role.rs`) all read. A new provider is its own file and
/// one row here (see [the module docs](self#adding-a-provider)).
pub(crate) static PROVIDERS: &[Row] = &[
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
    Row::new(Label::Always("login_session"), &login::Login),
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
    /// shared credentials file, `aws login`, `credential_process`, config file,
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
        for row in PROVIDERS {
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
                source: Source::new(
                    "application",
                    Reuse::EveryCall,
                    "the application's credentials callback".to_owned(),
                ),
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
