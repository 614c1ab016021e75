//! The `codecommit://` remote grammar and CodeCommit's repository-name rules.
//!
//! | owns | must not |
//! |---|---|
//! | the `codecommit://` grammar, repository-name rules | touch files or env |
//!
//! Git hands a remote helper one of two strings (`reference/behavior.md` §1.2):
//!
//! * `codecommit://[profile@]repository` — the region comes from the profile;
//! * `REGION://[profile@]repository` — what git passes on for a remote written
//!   `codecommit::REGION://[profile@]repository` (git strips `codecommit::`).
//!
//! We also accept the full `codecommit::REGION://…` spelling, so that the same string
//! works whether a person copies it from `.git/config` or git passes it on.
//!
//! git-remote-codecommit parses the remote with Python's `urlparse` and checks nothing
//! else. We reproduce its parse wherever it yields a usable answer, and depart from it on
//! purpose where it would sign a URL for something that cannot be a CodeCommit
//! repository. Each departure is marked `DIFFERENCE:` with the reference's behaviour.

use std::fmt;

use crate::endpoint::Region;
use crate::error::{Error, ErrorKind};

/// A parsed `codecommit://` remote.
///
/// ```
/// use codecommit_auth::Remote;
///
/// let remote = Remote::parse("codecommit::eu-west-1://dev-team@ProjectAlpha")?;
/// assert_eq!(remote.profile(), Some("dev-team"));
/// assert_eq!(remote.region().map(|r| r.name()), Some("eu-west-1"));
/// assert_eq!(remote.repository().as_str(), "ProjectAlpha");
///
/// let remote = Remote::parse("codecommit://role@123456789012@Repo")?;
/// assert_eq!(remote.profile(), Some("role@123456789012"));
/// assert_eq!(remote.region(), None); // comes from the profile
/// # Ok::<(), codecommit_auth::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Remote {
    profile: Option<String>,
    region: Option<Region>,
    repository: RepositoryName,
}

impl Remote {
    /// Parses a remote in any of the accepted forms.
    ///
    /// # Errors
    ///
    /// * [`ErrorKind::MalformedRemote`] — not one of the accepted forms;
    /// * [`ErrorKind::RegionNotAvailable`] — a `REGION://` remote whose region has no
    ///   CodeCommit;
    /// * [`ErrorKind::InvalidRepositoryName`] — the repository breaks CodeCommit's rules.
    pub fn parse(remote: &str) -> Result<Remote, Error> {
        let parts = RemoteParts::parse(remote)?;
        let region = match parts.region_source()? {
            RegionSource::Profile => None,
            RegionSource::Remote(name) => Some(Region::new(&name)?),
        };
        Ok(Remote {
            repository: parts.repository()?,
            profile: parts.profile,
            region,
        })
    }

    /// The profile named before `@`, if any.
    pub fn profile(&self) -> Option<&str> {
        self.profile.as_deref()
    }

    /// The region named by a `REGION://` remote; `None` for `codecommit://`, where the
    /// profile decides.
    pub fn region(&self) -> Option<Region> {
        self.region
    }

    /// The repository.
    pub fn repository(&self) -> &RepositoryName {
        &self.repository
    }
}

/// Where a remote says its region comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RegionSource {
    /// `codecommit://`: the profile's region.
    Profile,
    /// `REGION://`: this region (lower-cased, not yet checked against CodeCommit's list).
    Remote(String),
}

/// A remote split into its parts, before the checks whose order the resolver controls.
///
/// git-remote-codecommit checks a remote in stages with other work in between
/// (`reference/behavior.md` §0): the scheme and authority first, then whether the named
/// profile exists, only then whether the scheme is a region. When several things are
/// wrong, the first stage to fail decides the error, so the resolver runs the stages
/// itself in that order; [`Remote::parse`] runs them back to back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RemoteParts {
    /// The remote exactly as given, for messages.
    pub(crate) original: String,
    /// The scheme, lower-cased.
    pub(crate) scheme: String,
    /// The text before the last `@` of the authority, if there is an `@`.
    pub(crate) profile: Option<String>,
    /// Everything after the profile: the authority's host part plus any path, query or
    /// fragment (which the reference drops; see [`RemoteParts::repository`]).
    pub(crate) repository: String,
    /// Set when the remote was written `codecommit::REGION://…`.
    full_spelling: bool,
}

impl RemoteParts {
    /// Stage one: scheme and authority (git-remote-codecommit's `urlparse` step).
    pub(crate) fn parse(remote: &str) -> Result<RemoteParts, Error> {
        let malformed = || malformed(remote);

        // DIFFERENCE: the reference rejects `codecommit::REGION://…` (git strips the
        // prefix, so the helper never sees it). We accept it: people paste remotes from
        // `.git/config`, and the meaning is unambiguous.
        let (text, full_spelling) = match strip_prefix_ignore_case(remote, "codecommit::") {
            Some(rest) => (rest, true),
            None => (remote, false),
        };

        // As urlparse: leading C0 controls and spaces go.
        let text = text.trim_start_matches(|c: char| c <= ' ');

        // DIFFERENCE: urlparse deletes TAB, CR and LF anywhere, so `re<TAB>po` names
        // `repo`. A control character in a remote is never intended: refuse it.
        if let Some(pos) = text.find(|c: char| c.is_control()) {
            return Err(Error::new(
                ErrorKind::MalformedRemote,
                format!(
                    "{} (it contains a control character at byte {pos})",
                    malformed_message(remote)
                ),
            ));
        }

        let (scheme, rest) = split_scheme(text).ok_or_else(malformed)?;
        let after_slashes = rest.strip_prefix("//").ok_or_else(malformed)?;
        let authority_end = after_slashes
            .find(['/', '?', '#'])
            .unwrap_or(after_slashes.len());
        let authority = &after_slashes[..authority_end];
        let trailing = &after_slashes[authority_end..];
        if authority.is_empty() {
            return Err(malformed());
        }
        // urlparse raises ValueError (the reference crashes) for brackets that are not
        // an IPv6 or IPvFuture literal; a literal that passes is kept in the name (and
        // then fails our repository rules, or names a profile).
        if !brackets_pass_urlparse(authority) || has_nfkc_delimiter(authority) {
            return Err(malformed());
        }

        // DIFFERENCE: the reference splits at the first `@`, so the profile
        // `role@account` in `codecommit://role@account@Repo` becomes `role` and the
        // repository `account@Repo`. Repository names cannot contain `@`; profile names
        // can. Split at the last one.
        let (profile, host) = match authority.rfind('@') {
            Some(at) => (Some(&authority[..at]), &authority[at + 1..]),
            None => (None, authority),
        };

        if full_spelling && scheme == "codecommit" {
            // `codecommit::codecommit://` is no form at all.
            return Err(malformed());
        }

        Ok(RemoteParts {
            original: remote.to_owned(),
            scheme: scheme.to_ascii_lowercase(),
            profile: profile.map(str::to_owned),
            repository: format!("{host}{trailing}"),
            full_spelling,
        })
    }

    /// Stage two (after the profile check): where the region comes from.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::MalformedRemote`] when the scheme is neither `codecommit` nor shaped
    /// like a region.
    pub(crate) fn region_source(&self) -> Result<RegionSource, Error> {
        if self.scheme == "codecommit" && !self.full_spelling {
            Ok(RegionSource::Profile)
        } else if looks_like_region(&self.scheme) {
            Ok(RegionSource::Remote(self.scheme.clone()))
        } else {
            Err(malformed(&self.original))
        }
    }

    /// Stage three: the repository, checked against CodeCommit's rules.
    ///
    /// DIFFERENCE: the reference checks nothing, and silently drops a path, query or
    /// fragment (`codecommit://p@repo/x?y` signs for `repo`). An empty name, `..`, a
    /// space or a `/` would give a URL for a repository that cannot exist, or for a
    /// different one than the user wrote; we refuse them.
    pub(crate) fn repository(&self) -> Result<RepositoryName, Error> {
        RepositoryName::new(&self.repository)
    }
}

/// A CodeCommit repository name: 1 to 100 ASCII letters, digits, `.`, `_` or `-`, and
/// not `.` or `..`.
///
/// These are CodeCommit's own naming rules, so every name that passes can exist, and none
/// can change the meaning of the URL path it is placed in.
///
/// ```
/// use codecommit_auth::RepositoryName;
///
/// assert!(RepositoryName::new("My.Repo-Name_1").is_ok());
/// assert!(RepositoryName::new("../other").is_err());
/// assert!(RepositoryName::new("").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RepositoryName(String);

impl RepositoryName {
    /// The longest name CodeCommit allows.
    pub const MAX_LEN: usize = 100;

    /// Checks `name` against CodeCommit's rules.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidRepositoryName`], saying which rule the name breaks.
    pub fn new(name: &str) -> Result<RepositoryName, Error> {
        if let Some(problem) = repository_problem(name) {
            return Err(Error::new(
                ErrorKind::InvalidRepositoryName,
                format!(
                    "the repository name {} is not valid: {problem}; CodeCommit repository \
                     names are 1 to {} letters, digits, '.', '_' or '-'",
                    quote_for_message(name),
                    Self::MAX_LEN
                ),
            ));
        }
        Ok(RepositoryName(name.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RepositoryName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for RepositoryName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl AsRef<str> for RepositoryName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

fn repository_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("it is empty".into());
    }
    if name == "." || name == ".." {
        return Some("it is a relative path segment".into());
    }
    if let Some(c) = name
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        let what = match c {
            ' ' => "a space".to_owned(),
            c if c.is_control() => format!("the control character U+{:04X}", c as u32),
            c if !c.is_ascii() => format!("the non-ASCII character U+{:04X}", c as u32),
            c => format!("'{c}'"),
        };
        return Some(format!("it contains {what}"));
    }
    if name.len() > RepositoryName::MAX_LEN {
        return Some(format!("it is {} characters long", name.len()));
    }
    None
}

/// Quotes a user-supplied name for an error message, escaping what would garble a
/// terminal, and cutting absurd lengths.
fn quote_for_message(s: &str) -> String {
    const MAX: usize = 120;
    let mut out = String::with_capacity(s.len().min(MAX) + 2);
    out.push('"');
    for (i, c) in s.chars().enumerate() {
        if i == MAX {
            out.push('…');
            break;
        }
        if c.is_control() || c == '"' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// git-remote-codecommit's `FormatError` text for `remote`.
fn malformed_message(remote: &str) -> String {
    format!(
        "The following URL is malformed: {remote}. A URL must be in one of the two following \
         formats: codecommit://<profile>@<repository> or \
         codecommit::<region>://<profile>@<repository>"
    )
}

#[cold]
fn malformed(remote: &str) -> Error {
    Error::new(ErrorKind::MalformedRemote, malformed_message(remote))
}

/// Python's `urlsplit` scheme rule: text before the first `:`, starting with an ASCII
/// letter, made only of ASCII letters, digits, `+`, `-` and `.`.
fn split_scheme(text: &str) -> Option<(&str, &str)> {
    let colon = text.find(':')?;
    let scheme = &text[..colon];
    let first = scheme.bytes().next()?;
    let valid = first.is_ascii_alphabetic()
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    valid.then(|| (scheme, &text[colon + 1..]))
}

/// git-remote-codecommit's region test, `re.match(r"^[a-z]{2}-\w*.*-\d{1}", scheme)`:
/// two letters and a dash, then somewhere later a dash followed by a digit. It passes
/// `us-east-1x` and `us-east-1-fips`, which then fail the region list
/// (RegionNotAvailable), exactly as in the reference.
fn looks_like_region(scheme: &str) -> bool {
    let b = scheme.as_bytes();
    b.len() >= 5
        && b[0].is_ascii_lowercase()
        && b[1].is_ascii_lowercase()
        && b[2] == b'-'
        && b[3..]
            .windows(2)
            .any(|w| w[0] == b'-' && w[1].is_ascii_digit())
}

/// Characters whose NFKC form contains `/ ? # @ :`. urlparse raises ValueError for an
/// authority holding any of them (the reference crashes); we call the remote malformed.
/// Generated from Python 3.11's `unicodedata` (Unicode 14.0): every code point above
/// U+007F whose NFKC normalisation differs from itself and contains one of those five.
const NFKC_DELIMITERS: [char; 19] = [
    '\u{2047}', '\u{2048}', '\u{2049}', '\u{2100}', '\u{2101}', '\u{2105}', '\u{2106}', '\u{2A74}',
    '\u{FE13}', '\u{FE16}', '\u{FE55}', '\u{FE56}', '\u{FE5F}', '\u{FE6B}', '\u{FF03}', '\u{FF0F}',
    '\u{FF1A}', '\u{FF1F}', '\u{FF20}',
];

/// CPython 3.11.7's `urlsplit` bracket check: `[` and `]` both or neither; the text
/// between the first `[` and the next `]` must be an IPv6 address or `vHEX.…`
/// (IPvFuture). An IPv4 address in brackets is refused.
fn brackets_pass_urlparse(authority: &str) -> bool {
    let open = authority.contains('[');
    if open != authority.contains(']') {
        return false;
    }
    if !open {
        return true;
    }
    let after = authority.split_once('[').map_or("", |(_, rest)| rest);
    let inner = after.split(']').next().unwrap_or("");
    match inner.strip_prefix('v') {
        Some(future) => {
            let hex = future.bytes().take_while(u8::is_ascii_hexdigit).count();
            hex > 0
                && future[hex..]
                    .strip_prefix('.')
                    .is_some_and(|rest| !rest.is_empty())
        }
        None => inner.parse::<std::net::Ipv6Addr>().is_ok(),
    }
}

fn has_nfkc_delimiter(s: &str) -> bool {
    !s.is_ascii() && s.chars().any(|c| NFKC_DELIMITERS.contains(&c))
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

#[cfg(test)]
mod tests;
