//! Where the two files are, and which profile the environment selects
//! (behavior.md §3.1, §3.1.1, §3.5).
//!
//! botocore takes `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE` or the defaults
//! `~/.aws/config` / `~/.aws/credentials`, then runs Python's `os.path.expandvars` and
//! `os.path.expanduser` on them. Both are reproduced here for the platform the
//! [`Environment`] reports, so the Windows rules are testable on Linux: paths are built
//! as strings with that platform's separator, never with `Path::join`.

use std::path::PathBuf;

use crate::env::{Environment, Platform};

/// Where the shared config and credentials files are, as [`locate`] finds them.
///
/// `None` means "no such file": the variable naming it was set to the empty string.
/// A `Some` path may still not exist; that is not an error either.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileLocations {
    /// The config file (`AWS_CONFIG_FILE`, else `~/.aws/config`).
    pub config: Option<PathBuf>,
    /// The credentials file (`AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`).
    pub credentials: Option<PathBuf>,
}

/// Finds the config and credentials files as botocore does.
///
/// Each variable, if **set at all**, replaces the default; set but empty means there is
/// no such file (no fallback to the default, behavior.md §10 item 4). The value then has
/// `$VAR` and `${VAR}` expanded (and `%VAR%` on Windows; unknown variables stay as
/// written), and then a leading `~` (see [`home_dir`]). A relative result is relative to
/// the process's working directory.
///
/// ```
/// use codecommit_auth::config::locate;
/// use codecommit_auth::env::MemoryEnvironment;
/// use std::path::PathBuf;
///
/// let env = MemoryEnvironment::new()
///     .with_var("HOME", "/home/dev")
///     .with_var("CFG", "/etc/aws")
///     .with_var("AWS_CONFIG_FILE", "${CFG}/config")
///     .with_var("AWS_SHARED_CREDENTIALS_FILE", "");
/// let found = locate(&env);
/// assert_eq!(found.config, Some(PathBuf::from("/etc/aws/config")));
/// assert_eq!(found.credentials, None);
/// # Ok::<(), codecommit_auth::Error>(())
/// ```
pub fn locate(env: &dyn Environment) -> FileLocations {
    let find = |var: &str, default: &str| match env.var(var) {
        Some(value) => {
            let path = expand_path(env, &value);
            // An empty path is no file (`os.path.isfile("")` is false).
            (!path.as_os_str().is_empty()).then_some(path)
        }
        None => Some(default_path(env, &[".aws", default])),
    };
    FileLocations {
        config: find("AWS_CONFIG_FILE", "config"),
        credentials: find("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
    }
}

/// `os.path.expanduser(os.path.expandvars(raw))`: what botocore does to every file path
/// it takes from a variable (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, …).
///
/// One difference: `~user/…` (another account's home) stays as written, where Python
/// would look the account up.
pub fn expand_path(env: &dyn Environment, raw: &str) -> PathBuf {
    let expanded = match env.platform() {
        Platform::Unix => expand_vars_posix(env, raw),
        Platform::Windows => expand_vars_windows(env, raw),
    };
    PathBuf::from(expand_user(env, &expanded))
}

/// `~` followed by `components`, joined with the platform's separator, then with the
/// `~` expanded: botocore's default paths such as `~/.aws/config`, and the cache
/// directories other modules need (`default_path(env, &[".aws", "sso", "cache"])`).
///
/// If no home directory is known the `~` stays, and the path is relative to the working
/// directory, as in botocore.
pub fn default_path(env: &dyn Environment, components: &[&str]) -> PathBuf {
    let sep = env.platform().separator();
    let mut raw = String::from("~");
    for c in components {
        raw.push(sep);
        raw.push_str(c);
    }
    PathBuf::from(expand_user(env, &raw))
}

/// The home directory `~` stands for, as Python's `os.path.expanduser` finds it.
///
/// - **Unix:** `HOME` if it is set, even to the empty string; else the account database
///   ([`Environment::account_home_dir`]).
/// - **Windows:** `USERPROFILE` if set; else `HOMEDRIVE` + `HOMEPATH` (joined like
///   `ntpath.join`), if `HOMEPATH` is set; else none. `HOME` is ignored.
///
/// `None` means `~` is left unexpanded.
// BOTOCORE: behavior.md §3.1.1 — the cross-SDK rule reads HOME first on Windows too;
// botocore (Python ≥ 3.8) does not. tests/conformance/file_location.rs lists the cases.
pub fn home_dir(env: &dyn Environment) -> Option<PathBuf> {
    home_string(env).map(PathBuf::from)
}

fn home_string(env: &dyn Environment) -> Option<String> {
    match env.platform() {
        Platform::Unix => env.var("HOME").or_else(|| {
            env.account_home_dir()
                .map(|p| p.to_string_lossy().into_owned())
        }),
        Platform::Windows => env.var("USERPROFILE").or_else(|| {
            let path = env.var("HOMEPATH")?;
            Some(nt_join(&env.var("HOMEDRIVE").unwrap_or_default(), &path))
        }),
    }
}

/// `os.path.expanduser(path)` for the current user's `~`.
///
/// `~user` (another account's home) is left as written: on Unix it needs another
/// user's passwd entry, on Windows a guess from `USERNAME`; neither goes through the
/// environment seam, and no AWS path uses it.
pub(crate) fn expand_user(env: &dyn Environment, path: &str) -> String {
    let Some(rest) = path.strip_prefix('~') else {
        return path.to_owned();
    };
    let seps: &[char] = match env.platform() {
        Platform::Unix => &['/'],
        Platform::Windows => &['\\', '/'],
    };
    if !(rest.is_empty() || rest.starts_with(seps)) {
        return path.to_owned();
    }
    let Some(home) = home_string(env) else {
        return path.to_owned();
    };
    match env.platform() {
        Platform::Unix => {
            // posixpath: `userhome.rstrip('/')`, and `/` if that leaves nothing.
            let joined = format!("{}{rest}", home.trim_end_matches('/'));
            if joined.is_empty() {
                "/".into()
            } else {
                joined
            }
        }
        Platform::Windows => format!("{home}{rest}"),
    }
}

/// `posixpath.expandvars`: `$NAME` (ASCII letters, digits, `_`) and `${ANYTHING}`;
/// unknown variables stay; substituted text is not expanded again.
fn expand_vars_posix(env: &dyn Environment, path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (name, len) = if let Some(braced) = after.strip_prefix('{') {
            match braced.find('}') {
                Some(end) => (&braced[..end], end + 2),
                None => ("", 0),
            }
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], end)
        };
        match lookup(env, name).filter(|_| len > 0) {
            Some(value) => out.push_str(&value),
            None => out.push_str(&rest[at..at + 1 + len]),
        }
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

/// `ntpath.expandvars`: `%NAME%`, `$NAME` (letters, digits, `_`, `-`) and `${NAME}`;
/// `%%` and `$$` are escapes for one character; nothing inside `'…'` is expanded;
/// unknown variables stay as written.
fn expand_vars_windows(env: &dyn Environment, path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(at) = rest.find(['\'', '%', '$']) {
        out.push_str(&rest[..at]);
        let c = &rest[at..at + 1];
        let after = &rest[at + 1..];
        let (consumed, text): (usize, String) = match (c, after) {
            ("'", _) => match after.find('\'') {
                Some(end) => (end + 1, format!("'{}", &after[..=end])),
                None => (after.len(), format!("'{after}")),
            },
            ("%", a) if a.starts_with('%') => (1, "%".into()),
            ("%", _) => match after.find('%') {
                Some(end) => {
                    let name = &after[..end];
                    let text = lookup(env, name).unwrap_or_else(|| format!("%{name}%"));
                    (end + 1, text)
                }
                None => (after.len(), format!("%{after}")),
            },
            (_, a) if a.starts_with('$') => (1, "$".into()),
            (_, a) if a.starts_with('{') => match a.find('}') {
                Some(end) => {
                    let name = &a[1..end];
                    let text = lookup(env, name).unwrap_or_else(|| format!("${{{name}}}"));
                    (end + 1, text)
                }
                None => (a.len(), format!("${a}")),
            },
            (_, a) => {
                let end = a
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                    .unwrap_or(a.len());
                let name = &a[..end];
                (end, lookup(env, name).unwrap_or_else(|| format!("${name}")))
            }
        };
        out.push_str(&text);
        rest = &after[consumed..];
    }
    out.push_str(rest);
    out
}

/// `os.environ[name]`, where the empty name is never set.
fn lookup(env: &dyn Environment, name: &str) -> Option<String> {
    if name.is_empty() { None } else { env.var(name) }
}

/// `ntpath.join(a, b)` (CPython 3.11), for `HOMEDRIVE` + `HOMEPATH`.
fn nt_join(a: &str, b: &str) -> String {
    let is_sep = |c: char| c == '\\' || c == '/';
    let (mut drive, mut path) = nt_splitdrive(a);
    let (b_drive, b_path) = nt_splitdrive(b);
    let mut joined;
    if b_path.starts_with(is_sep) {
        // `b` is absolute: it replaces the path, and the drive if it has one.
        if !b_drive.is_empty() || drive.is_empty() {
            drive = b_drive;
        }
        joined = b_path.to_owned();
    } else if !b_drive.is_empty()
        && b_drive != drive
        && b_drive.to_lowercase() != drive.to_lowercase()
    {
        drive = b_drive;
        joined = b_path.to_owned();
    } else {
        if !b_drive.is_empty() {
            drive = b_drive; // same drive in another case
        }
        joined = path.to_owned();
        if !path.is_empty() && !path.ends_with(is_sep) {
            joined.push('\\');
        }
        joined.push_str(b_path);
    }
    path = &joined;
    if !path.is_empty() && !path.starts_with(is_sep) && !drive.is_empty() && !drive.ends_with(':') {
        format!("{drive}\\{path}")
    } else {
        format!("{drive}{path}")
    }
}

/// `ntpath.splitdrive(p)` (CPython 3.11): `C:` or a UNC `\\server\share` prefix.
fn nt_splitdrive(p: &str) -> (&str, &str) {
    let norm: Vec<u8> = p
        .bytes()
        .map(|b| if b == b'/' { b'\\' } else { b })
        .collect();
    if norm.len() >= 2 && norm[0] == b'\\' && norm[1] == b'\\' {
        let start = if norm.len() >= 8 && norm[..8].eq_ignore_ascii_case(b"\\\\?\\UNC\\") {
            8
        } else {
            2
        };
        let find = |from: usize| {
            norm[from.min(norm.len())..]
                .iter()
                .position(|&b| b == b'\\')
        };
        let Some(i) = find(start).map(|i| i + start) else {
            return (p, "");
        };
        let Some(j) = find(i + 1).map(|j| j + i + 1) else {
            return (p, "");
        };
        return p.split_at(j);
    }
    // `normp[1:2] == ':'` counts characters, not bytes.
    if let Some((i, ':')) = p.char_indices().nth(1) {
        return p.split_at(i + 1);
    }
    ("", p)
}

/// How the profile was chosen: by the request, or by [`profile_from_env`].
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProfileSource {
    /// Named in the remote, `codecommit://profile@repo`, or by the front end's
    /// [`Request`](crate::Request) (`git-credential-codecommit --profile`).
    Remote,
    /// `AWS_DEFAULT_PROFILE` was set (checked first, even when `AWS_PROFILE` is set too).
    AwsDefaultProfile,
    /// `AWS_PROFILE` was set and `AWS_DEFAULT_PROFILE` was not.
    AwsProfile,
    /// Nothing chose one: the profile is `default`.
    Default,
}

impl ProfileSource {
    /// Why this profile, for people: `named in the remote`, `from AWS_DEFAULT_PROFILE`,
    /// `from AWS_PROFILE`, `the default`.
    pub fn why(self) -> &'static str {
        match self {
            ProfileSource::Remote => "named in the remote",
            ProfileSource::AwsDefaultProfile => "from AWS_DEFAULT_PROFILE",
            ProfileSource::AwsProfile => "from AWS_PROFILE",
            ProfileSource::Default => "the default",
        }
    }

    /// The variable that selected the profile, if one did.
    pub fn variable(self) -> Option<&'static str> {
        match self {
            ProfileSource::AwsDefaultProfile => Some("AWS_DEFAULT_PROFILE"),
            ProfileSource::AwsProfile => Some("AWS_PROFILE"),
            ProfileSource::Remote | ProfileSource::Default => None,
        }
    }
}

/// The old name of [`ProfileSource`], from before the resolver and the config module
/// shared one type.
#[doc(hidden)]
pub type ProfileNameSource = ProfileSource;

/// The profile botocore uses when the remote names none: `AWS_DEFAULT_PROFILE` if set,
/// else `AWS_PROFILE` if set, else `default`.
///
/// "Set" includes set to the empty string, which selects the profile named `` and then
/// fails as not found, as in botocore (behavior.md §3.5, §10 item 1).
///
/// ```
/// use codecommit_auth::config::{profile_from_env, ProfileSource};
/// use codecommit_auth::env::MemoryEnvironment;
///
/// let env = MemoryEnvironment::new()
///     .with_var("AWS_PROFILE", "dev")
///     .with_var("AWS_DEFAULT_PROFILE", "ops");
/// assert_eq!(profile_from_env(&env), ("ops".to_string(), ProfileSource::AwsDefaultProfile));
/// # Ok::<(), codecommit_auth::Error>(())
/// ```
// BOTOCORE: behavior.md §3.5 — the cross-SDK rule reads AWS_PROFILE only; botocore's
// session variable list is ['AWS_DEFAULT_PROFILE', 'AWS_PROFILE'], first set one wins.
/// The source is never [`ProfileSource::Remote`].
pub fn profile_from_env(env: &dyn Environment) -> (String, ProfileSource) {
    if let Some(name) = env.var("AWS_DEFAULT_PROFILE") {
        (name, ProfileSource::AwsDefaultProfile)
    } else if let Some(name) = env.var("AWS_PROFILE") {
        (name, ProfileSource::AwsProfile)
    } else {
        ("default".into(), ProfileSource::Default)
    }
}
