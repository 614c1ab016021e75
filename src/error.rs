//! The one error type of the crate.
//!
//! # Design
//!
//! Every fallible function returns [`Error`]. It is one type rather than an enum per
//! module because callers — the git helper, the C ABI, tools embedding the library — do
//! the same three things with any failure: show its message, branch on its class, and
//! (in C) turn that class into a stable number. [`Error::kind`] gives the class as a
//! fieldless, `#[non_exhaustive]` [`ErrorKind`]; the C ABI maps each kind to a code in an
//! exhaustive `match`, so adding a kind fails to compile until it has a number.
//!
//! The message is built once, when the error is made, and is final: it names the input
//! (remote, profile, file and line, variable) and says what to do next. Where
//! git-remote-codecommit has a message for the same failure, ours is the same text, so
//! scripts and people that know the reference tool see what they expect.
//!
//! Messages never contain secrets: constructors take names and paths, never values of
//! keys or tokens. The inner value sits behind an [`Arc`] so errors are one word and
//! cheap to clone (the resolver caches a failed config load and hands it out again).

use std::fmt;
use std::sync::Arc;

/// The class of an [`Error`].
///
/// The variants are stable: a variant is never removed or renumbered in the C ABI, only
/// added. Match with a wildcard arm.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The remote is not of the form `codecommit://[profile@]repository` or
    /// `REGION://[profile@]repository` (git-remote-codecommit's `FormatError`).
    MalformedRemote,
    /// The repository name breaks CodeCommit's naming rules (letters, digits, `.`, `_`,
    /// `-`; 1 to 100 characters; `.` and `..` alone are refused too).
    /// git-remote-codecommit does not check this.
    InvalidRepositoryName,
    /// A config or credentials file could not be read (permissions, too large, I/O).
    ConfigRead,
    /// A config or credentials file is not valid in the grammar botocore reads
    /// (botocore's `ConfigParseError`). The message names the file and line.
    ConfigParse,
    /// The named profile exists in neither file (git-remote-codecommit's and botocore's
    /// `ProfileNotFound`). The message lists the available profiles.
    ProfileNotFound,
    /// A profile's settings contradict each other or are incomplete in a way botocore
    /// rejects (botocore's `InvalidConfigError`).
    InvalidConfig,
    /// No provider in the chain found credentials for the profile
    /// (git-remote-codecommit's `CredentialsNotFound`).
    CredentialsNotFound,
    /// A provider found an access key without its secret, or similar
    /// (botocore's `PartialCredentialsError`).
    PartialCredentials,
    /// Credentials were found but have already expired and cannot be refreshed.
    CredentialsExpired,
    /// A credential source gave data that cannot be used: an expiry without a time
    /// zone, a cache file that is not JSON, a number where text belongs.
    MalformedCredentials,
    /// The SSO login behind a profile is missing, expired or was rejected, and could not
    /// be refreshed: run `aws sso login --profile NAME` (the message names the profile).
    SsoLoginRequired,
    /// The `aws login` session behind a profile (`login_session`) is missing, broken,
    /// expired, or its credentials changed, and could not be renewed: run
    /// `aws login --profile NAME` (the message names the profile).
    LoginRequired,
    /// An AWS service (the SSO portal, SSO OIDC, STS) answered with an error; the
    /// message carries its code and text.
    ServiceError,
    /// An AWS service could not be reached: connection refused, DNS, TLS, timeout.
    Network,
    /// A role needs an MFA code (`mfa_serial`), no cached session serves it, and no
    /// code was had (no MFA callback, askpass program or terminal answered), or STS
    /// refused the code given (the message says which).
    MfaRequired,
    /// `credential_process` failed: it could not start, exited non-zero, hung, or wrote
    /// output that is not the credential JSON.
    ProcessFailed,
    /// The configuration asks for something this library does not do (yet).
    Unsupported,
    /// Neither the remote nor the profile gives a region
    /// (git-remote-codecommit's `RegionNotFound`).
    RegionNotFound,
    /// The region is not one where CodeCommit is offered
    /// (git-remote-codecommit's `RegionNotAvailable`).
    RegionNotAvailable,
    /// FIPS endpoints were asked for, but CodeCommit has no FIPS Git host in the region.
    FipsNotAvailable,
    /// The signing time cannot be written as SigV4 needs it (before 1970 or after 9999).
    InvalidSigningTime,
}

impl ErrorKind {
    /// A short, stable, snake_case name for the kind, as used in logs and the C ABI.
    ///
    /// ```
    /// assert_eq!(codecommit_auth::ErrorKind::ProfileNotFound.name(), "profile_not_found");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::MalformedRemote => "malformed_remote",
            ErrorKind::InvalidRepositoryName => "invalid_repository_name",
            ErrorKind::ConfigRead => "config_read",
            ErrorKind::ConfigParse => "config_parse",
            ErrorKind::ProfileNotFound => "profile_not_found",
            ErrorKind::InvalidConfig => "invalid_config",
            ErrorKind::CredentialsNotFound => "credentials_not_found",
            ErrorKind::PartialCredentials => "partial_credentials",
            ErrorKind::CredentialsExpired => "credentials_expired",
            ErrorKind::MalformedCredentials => "malformed_credentials",
            ErrorKind::SsoLoginRequired => "sso_login_required",
            ErrorKind::LoginRequired => "login_required",
            ErrorKind::ServiceError => "service_error",
            ErrorKind::Network => "network",
            ErrorKind::MfaRequired => "mfa_required",
            ErrorKind::ProcessFailed => "process_failed",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::RegionNotFound => "region_not_found",
            ErrorKind::RegionNotAvailable => "region_not_available",
            ErrorKind::FipsNotAvailable => "fips_not_available",
            ErrorKind::InvalidSigningTime => "invalid_signing_time",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A failure to turn a remote into a signed URL.
///
/// Display gives one message that says what was wrong and what to do; the underlying
/// cause, if any (an I/O error, say), comes through [`std::error::Error::source`].
///
/// ```
/// use codecommit_auth::{ErrorKind, Remote};
///
/// let err = Remote::parse("github://repo").unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::MalformedRemote);
/// assert!(err.to_string().starts_with("The following URL is malformed: github://repo."));
/// ```
#[derive(Clone)]
pub struct Error {
    inner: Arc<Inner>,
}

struct Inner {
    kind: ErrorKind,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    /// Makes an error of `kind` with a final, secret-free message.
    #[cold]
    #[inline(never)]
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            inner: Arc::new(Inner {
                kind,
                message: message.into(),
                source: None,
            }),
        }
    }

    /// Makes an error of `kind` whose cause is `source`.
    #[cold]
    #[inline(never)]
    pub(crate) fn with_source(
        kind: ErrorKind,
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Error {
        Error {
            inner: Arc::new(Inner {
                kind,
                message: message.into(),
                source: Some(Box::new(source)),
            }),
        }
    }

    /// The class of this error.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The message alone, without the chain of causes.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The message followed by every cause, joined by `": "`: what a command-line tool
    /// should print.
    ///
    /// ```
    /// let err = codecommit_auth::Remote::parse("boom").unwrap_err();
    /// assert_eq!(err.chain_message(), err.to_string()); // no cause here
    /// ```
    pub fn chain_message(&self) -> String {
        use std::error::Error as _;
        let mut out = self.inner.message.clone();
        let mut cause = self.source();
        while let Some(c) = cause {
            out.push_str(": ");
            out.push_str(&c.to_string());
            cause = c.source();
        }
        out
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.inner.kind)
            .field("message", &self.inner.message);
        if let Some(source) = &self.inner.source {
            d.field("source", source);
        }
        d.finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

/// How many characters of an input [`shown`] keeps.
pub const MAX_SHOWN: usize = 256;

/// `text` as it may appear inside a message: control characters escaped (`\u{1b}`,
/// `\n`), so a remote, a name or a process's output cannot move the cursor or recolour
/// the terminal it is printed on; and cut after `max` characters with `…`, so a
/// megabyte input does not make a megabyte message. Text that needs neither comes back
/// unchanged and unallocated.
///
/// This is the one escaping function: the library's messages and the binaries' output
/// use it for every text that comes from files, variables or arguments.
///
/// ```
/// assert_eq!(codecommit_auth::shown("a\u{1b}[2Jb", 256), "a\\u{1b}[2Jb");
/// assert_eq!(codecommit_auth::shown("abcdef", 3), "abc…");
/// ```
pub fn shown(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    let mut chars = text.char_indices();
    let clean = chars.by_ref().take(max).all(|(_, c)| !c.is_control()) && chars.next().is_none();
    if clean {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// What masks a secret in a quoted answer.
pub(crate) const REDACTED: &str = "** redacted **";

/// A secret shorter than this is not masked: real tokens are hundreds of characters,
/// and masking every `t` of a message would make it unreadable without hiding anything.
const MIN_MASKED: usize = 4;

/// A service's (or program's) answer quoted in an error: the `secrets` the request
/// sent masked ([`masked`]), should the answer echo them, then escaped and bounded to
/// `max` characters like [`shown`] — escaped rather than filtered, since dropping a
/// control character could join the text around it into something never sent whole.
pub(crate) fn quoted(text: &str, secrets: &[&str], max: usize) -> String {
    shown(&masked(text, secrets), max).into_owned()
}

/// A service's answer with every secret we sent in the request — a bearer token, a
/// session token, a web identity token, a refresh token — replaced by
/// [`REDACTED`], should the service echo it: as sent, trimmed, or percent-encoded.
/// Mask before [`shown`] escapes or cuts, so no escaped or cut copy survives.
pub(crate) fn masked<'a>(text: &'a str, secrets: &[&str]) -> std::borrow::Cow<'a, str> {
    let mut out = std::borrow::Cow::Borrowed(text);
    for secret in secrets {
        let trimmed = secret.trim();
        let forms = [
            (*secret).to_owned(),
            trimmed.to_owned(),
            crate::sign::percent_encode(secret),
            crate::sign::percent_encode(trimmed),
            crate::sign::percent_encode(trimmed).replace("%20", "+"),
        ];
        for form in forms {
            if form.chars().count() >= MIN_MASKED && out.contains(form.as_str()) {
                out = std::borrow::Cow::Owned(out.replace(form.as_str(), REDACTED));
            }
        }
    }
    out
}

/// Every kind, in declaration order: for tests and for the C ABI's code table.
#[cfg(test)]
pub(crate) const ALL_KINDS: &[ErrorKind] = &[
    ErrorKind::MalformedRemote,
    ErrorKind::InvalidRepositoryName,
    ErrorKind::ConfigRead,
    ErrorKind::ConfigParse,
    ErrorKind::ProfileNotFound,
    ErrorKind::InvalidConfig,
    ErrorKind::CredentialsNotFound,
    ErrorKind::PartialCredentials,
    ErrorKind::CredentialsExpired,
    ErrorKind::MalformedCredentials,
    ErrorKind::SsoLoginRequired,
    ErrorKind::LoginRequired,
    ErrorKind::ServiceError,
    ErrorKind::Network,
    ErrorKind::MfaRequired,
    ErrorKind::ProcessFailed,
    ErrorKind::Unsupported,
    ErrorKind::RegionNotFound,
    ErrorKind::RegionNotAvailable,
    ErrorKind::FipsNotAvailable,
    ErrorKind::InvalidSigningTime,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_are_unique_and_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for kind in ALL_KINDS {
            let name = kind.name();
            assert!(seen.insert(name), "duplicate name {name}");
            assert!(
                name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{name} is not snake_case"
            );
        }
    }

    /// Found by `tests/hostile.rs`: remotes and profile names were echoed raw, so a
    /// remote holding ESC or CR rewrote the user's terminal, and a 1 MiB one made a
    /// 1 MiB message.
    #[test]
    fn shown_escapes_controls_and_cuts_long_text() {
        assert!(matches!(
            shown("codecommit://dev@Repo", 256),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(
            shown("a\u{1b}[31mb\rc\nd\u{85}", 256),
            "a\\u{1b}[31mb\\rc\\nd\\u{85}"
        );
        assert_eq!(shown("héllo", 3), "hél…");
        assert_eq!(shown("abc", 3), "abc");
        assert_eq!(
            shown(&"x".repeat(1 << 20), MAX_SHOWN).chars().count(),
            MAX_SHOWN + 1
        );
    }

    #[test]
    fn masked_hides_every_form_of_a_secret() {
        let secrets = ["tok/en+1=\n", "eyJ a.b"];
        let text = "a tok/en+1=\n b tok/en+1= c tok%2Fen%2B1%3D d eyJ+a.b e eyJ%20a.b f";
        assert_eq!(
            masked(text, &secrets),
            "a ** redacted ** b ** redacted ** c ** redacted ** d ** redacted ** e ** \
             redacted ** f"
        );
        assert_eq!(masked("a t b", &["t"]), "a t b", "too short to mask");
        assert!(matches!(
            masked("clean", &secrets),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn chain_message_joins_causes() {
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied");
        let err = Error::with_source(ErrorKind::ConfigRead, "cannot read /x", io);
        assert_eq!(err.chain_message(), "cannot read /x: denied");
        assert_eq!(err.to_string(), "cannot read /x");
        assert_eq!(err.kind(), ErrorKind::ConfigRead);
    }
}
