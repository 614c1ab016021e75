//! Both files, parsed, kept apart and merged (`Session.full_config`, behavior.md §3.4).

use std::borrow::Cow;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use zeroize::{Zeroize, Zeroizing};

use super::location::locate;
use super::parser::{self, ParseError, Problem, Section, Span};
use super::properties::{Properties, Table, nested};
use super::sections::{Kind, NameMap, classify_borrowed};
use super::text::{DecodeProblem, decode};
use crate::env::Environment;
use crate::{Error, ErrorKind};

/// The largest config or credentials file [`SharedConfig::load`] reads: 16 MiB.
///
/// botocore has no limit. Real files are a few kilobytes; the limit keeps a wrong
/// `AWS_CONFIG_FILE` (a disk image, `/dev/zero`) from exhausting memory.
pub const MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// The shared config and credentials files, parsed: every profile, sso-session and
/// services section, each file's view kept apart and the two merged.
///
/// The merged view ([`profile`](SharedConfig::profile)) is botocore's
/// `Session.full_config`: what the region lookup, `available_profiles`, the assume-role,
/// SSO and process providers read. The two static-key providers read one file each;
/// [`Profile::config_file`] and [`Profile::credentials_file`] give them that view, so keys
/// are never mixed across files (behavior.md §10 item 18).
///
/// ```
/// use codecommit_auth::config::SharedConfig;
///
/// let config = "[default]\nregion = us-east-1\n[profile dev]\nregion = eu-west-1\n";
/// let credentials = "[dev]\naws_access_key_id = AKIDEXAMPLE\nregion = eu-north-1\n";
/// let shared = SharedConfig::from_sources(Some(config.as_bytes()), Some(credentials.as_bytes()))?;
/// assert_eq!(shared.profile_names(), ["default", "dev"]);
/// let dev = shared.profile("dev").unwrap();
/// assert_eq!(dev.get("region"), Some("eu-north-1")); // the credentials file wins
/// assert_eq!(dev.config_file().and_then(|p| p.get("region")), Some("eu-west-1"));
/// # Ok::<(), codecommit_auth::Error>(())
/// ```
pub struct SharedConfig {
    config: Option<File>,
    credentials: Option<File>,
    /// The config file's sections sorted by kind, built by the first call that lists
    /// names (and by a lookup whose name shell quoting changed); lookups scan instead.
    index: OnceLock<Index>,
}

/// One checked file: its text, where its sections are, and each section's keys, built
/// the first time something reads them. A config with thousands of profiles is checked
/// whole, as botocore parses it whole, but only the few sections a lookup needs are
/// ever built.
struct File {
    path: Option<PathBuf>,
    /// Zeroed when dropped (see the `Drop` impl): it may hold secrets.
    text: String,
    sections: Vec<Span>,
    defaults: Option<Arc<Table>>,
    /// `properties[i]` is built from `sections[i]` on first use.
    properties: Vec<OnceLock<Properties>>,
}

/// The config file's sections sorted by kind.
#[derive(Default)]
struct Index {
    profiles: NameMap,
    sso_sessions: NameMap,
    services: NameMap,
    other: NameMap,
}

/// A file read from disk; its bytes are zeroed when dropped (they may hold secrets).
struct Loaded {
    path: PathBuf,
    bytes: Zeroizing<Vec<u8>>,
}

/// A file's bytes and how to name it in errors.
struct Source {
    path: Option<PathBuf>,
    label: String,
    bytes: Zeroizing<Vec<u8>>,
}

impl SharedConfig {
    /// Finds both files with [`locate`], reads them through `env` and parses them.
    ///
    /// A file that does not exist, is not a regular file, or that the variable set to
    /// the empty string, is absent: not an error. A file that exists but may not be read
    /// (permission denied) is an error naming it — botocore's INI reader would skip it
    /// silently.
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::ConfigRead`] if a file is larger than [`MAX_FILE_SIZE`] or reading
    ///   it fails; the message names the file and the cause is the I/O error.
    /// - [`ErrorKind::ConfigParse`] if either file breaks the grammar; the message is
    ///   botocore's `Unable to parse config file: PATH` plus the line and what to fix.
    pub fn load(env: &dyn Environment) -> Result<SharedConfig, Error> {
        let found = locate(env);
        let config = read(env, found.config, "config")?;
        let credentials = read(env, found.credentials, "credentials")?;
        SharedConfig::build(config.map(Source::read), credentials.map(Source::read))
    }

    /// Parses file contents held in memory; `None` means the file is absent.
    ///
    /// Pure: nothing is read from the environment. Errors name the files
    /// `config file` and `credentials file`, and [`config_path`](Self::config_path) and
    /// [`credentials_path`](Self::credentials_path) are `None`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::ConfigParse`] if either text breaks the grammar.
    ///
    /// ```
    /// use codecommit_auth::{config::SharedConfig, ErrorKind};
    ///
    /// let err = SharedConfig::from_sources(Some(b"[default]\nregion = a\nRegion = b\n"), None)
    ///     .unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::ConfigParse);
    /// assert!(err.to_string().starts_with("Unable to parse config file: config file (line 3: "));
    /// # Ok::<(), codecommit_auth::Error>(())
    /// ```
    pub fn from_sources(
        config: Option<&[u8]>,
        credentials: Option<&[u8]>,
    ) -> Result<SharedConfig, Error> {
        let source = |label: &str, bytes: &[u8]| Source {
            path: None,
            label: label.into(),
            bytes: Zeroizing::new(bytes.to_vec()),
        };
        SharedConfig::build(
            config.map(|b| source("config file", b)),
            credentials.map(|b| source("credentials file", b)),
        )
    }

    fn build(config: Option<Source>, credentials: Option<Source>) -> Result<SharedConfig, Error> {
        // Config first, then credentials: a broken config file is the error reported
        // even if both are broken, as in botocore.
        let config = config.map(check_file).transpose()?;
        let credentials = credentials.map(check_file).transpose()?;
        Ok(SharedConfig {
            config,
            credentials,
            index: OnceLock::new(),
        })
    }

    /// The config file that was read, or `None` if it was absent or came from
    /// [`from_sources`](Self::from_sources).
    pub fn config_path(&self) -> Option<&Path> {
        self.config.as_ref()?.path.as_deref()
    }

    /// The credentials file that was read, or `None` if it was absent or came from
    /// [`from_sources`](Self::from_sources).
    pub fn credentials_path(&self) -> Option<&Path> {
        self.credentials.as_ref()?.path.as_deref()
    }

    /// Every profile name, in botocore's `available_profiles` order: config-file profiles
    /// in file order (a name defined twice keeps its first place), then profiles found
    /// only in the credentials file (behavior.md §3.6).
    pub fn profile_names(&self) -> Vec<&str> {
        let index = self.index();
        let config = index.profiles.names();
        let credentials_only = self
            .credentials
            .iter()
            .flat_map(|c| (0..c.sections.len()).map(|i| c.name(i)))
            .filter(|n| index.profiles.get(n).is_none());
        config.chain(credentials_only).collect()
    }

    /// The merged view of profile `name` (exact, case-sensitive), or `None` if neither
    /// file defines it.
    pub fn profile(&self, name: &str) -> Option<Profile<'_>> {
        // Credentials-file sections are profiles under their exact name; one the config
        // file also has takes the credentials file's keys over its own, key by key.
        // BOTOCORE: behavior.md §3.7 — no trimming or name check: `[   foo    ]` and
        // `[profile foo]` are profiles `   foo    ` and `profile foo` (§10 item 12).
        let in_config = self.find(name, |kind| match kind {
            Kind::Profile(n) => Some(n),
            _ => None,
        });
        let in_credentials = self.credentials.as_ref().and_then(|c| {
            // Names are unique in a file: a repeated one fails the parse.
            let i = (0..c.sections.len()).find(|&i| c.name(i) == name)?;
            Some((c.name(i), i))
        });
        let name = in_config
            .map(|(n, _)| n)
            .or(in_credentials.map(|(n, _)| n))?;
        Some(Profile {
            name,
            config: File::properties(self.config.as_ref(), in_config.map(|(_, i)| i)),
            credentials: File::properties(
                self.credentials.as_ref(),
                in_credentials.map(|(_, i)| i),
            ),
        })
    }

    /// The `[sso-session NAME]` section of the config file.
    pub fn sso_session(&self, name: &str) -> Option<&Properties> {
        let (_, i) = self.find(name, |kind| match kind {
            Kind::SsoSession(n) => Some(n),
            _ => None,
        })?;
        File::properties(self.config.as_ref(), Some(i))
    }

    /// The names of all `[sso-session NAME]` sections, in file order.
    pub fn sso_session_names(&self) -> Vec<&str> {
        self.index().sso_sessions.names().collect()
    }

    /// The `[services NAME]` section of the config file (endpoint overrides per service,
    /// as nested values; see [`Properties::sub_properties`]).
    pub fn services(&self, name: &str) -> Option<&Properties> {
        let (_, i) = self.find(name, |kind| match kind {
            Kind::Services(n) => Some(n),
            _ => None,
        })?;
        File::properties(self.config.as_ref(), Some(i))
    }

    /// The names of all `[services NAME]` sections, in file order.
    pub fn services_names(&self) -> Vec<&str> {
        self.index().services.names().collect()
    }

    /// The names of the other top-level sections (see [`section`](Self::section)), in
    /// file order.
    pub fn section_names(&self) -> Vec<&str> {
        self.index().other.names().collect()
    }

    /// Any other top-level section of the config file, by its exact name, e.g.
    /// `plugins` for `[plugins]`. Profile, sso-session and services sections are not
    /// found here, nor those botocore drops (`[profile a b]`, `[sso-sessionx]`).
    pub fn section(&self, name: &str) -> Option<&Properties> {
        let config = self.config.as_ref()?;
        let i = (0..config.sections.len())
            .rev()
            .find(|&i| config.name(i) == name && classify_borrowed(name) == Kind::Other)?;
        config.section(i)
    }

    /// The config-file section that defines `name` in the map `pick` selects (the
    /// *last* section that names it, as botocore's dict keeps), and the name as stored.
    fn find(
        &self,
        name: &str,
        pick: impl Fn(Kind<Cow<'_, str>>) -> Option<Cow<'_, str>>,
    ) -> Option<(&str, usize)> {
        let config = self.config.as_ref()?;
        for i in (0..config.sections.len()).rev() {
            let section = config.name(i);
            match pick(classify_borrowed(section)) {
                Some(Cow::Borrowed(found)) if found == name => return Some((found, i)),
                // Shell quoting made this name: only the index owns it.
                Some(Cow::Owned(found)) if found == name => {
                    let index = self.index();
                    let map = [&index.profiles, &index.sso_sessions, &index.services]
                        .into_iter()
                        .find(|map| map.get(name) == Some(i))?;
                    return map.entry(name);
                }
                _ => {}
            }
        }
        None
    }

    /// The config file's sections sorted by kind, built on first use.
    fn index(&self) -> &Index {
        self.index.get_or_init(|| {
            let mut index = Index::default();
            let Some(config) = &self.config else {
                return index;
            };
            for i in 0..config.sections.len() {
                let name = config.name(i);
                match classify_borrowed(name) {
                    Kind::Profile(n) => index.profiles.insert(&n, i),
                    Kind::SsoSession(n) => index.sso_sessions.insert(&n, i),
                    Kind::Services(n) => index.services.insert(&n, i),
                    Kind::Other => index.other.insert(name, i),
                    Kind::Dropped => {}
                }
            }
            index
        })
    }
}

impl Source {
    fn read(loaded: Loaded) -> Source {
        Source {
            label: loaded.path.display().to_string(),
            path: Some(loaded.path),
            bytes: loaded.bytes,
        }
    }
}

impl Drop for File {
    fn drop(&mut self) {
        // One memset for the whole text, where `Zeroizing<String>` stores byte by byte:
        // for a 2,000-profile config that was a tenth of a `--print-url`'s instructions.
        crate::sign::wipe(&mut self.text);
    }
}

impl File {
    fn properties(file: Option<&File>, section: Option<usize>) -> Option<&Properties> {
        file?.section(section?)
    }

    /// The keys of section `i`, built on first use.
    fn section(&self, i: usize) -> Option<&Properties> {
        let span = self.sections.get(i)?;
        Some(
            self.properties[i]
                .get_or_init(|| parser::section(&self.text, span, self.defaults.as_ref())),
        )
    }

    /// The name of section `i`, exactly as written between the brackets.
    fn name(&self, i: usize) -> &str {
        &self.text[self.sections[i].name.clone()]
    }
}

/// Reads one located file. `Ok(None)` if it is absent or botocore would skip it.
fn read(
    env: &dyn Environment,
    path: Option<PathBuf>,
    which: &str,
) -> Result<Option<Loaded>, Error> {
    let Some(path) = path else {
        return Ok(None);
    };
    match env.read_file(&path, MAX_FILE_SIZE) {
        Ok(Some(bytes)) => Ok(Some(Loaded {
            path,
            bytes: Zeroizing::new(bytes),
        })),
        Ok(None) => Ok(None),
        // DIFFERENCE: an unreadable file is an error naming it (the issue's rule: "an
        // unreadable or malformed one says which file"). BOTOCORE: behavior.md §3.1 —
        // RawConfigParser.read() silently ignores files it cannot open, so botocore goes
        // on as if the file were empty and fails later with a puzzling "profile not found"
        // or "no credentials".
        Err(e) => Err(read_error(&path, which, e)),
    }
}

#[cold]
fn read_error(path: &Path, which: &str, e: io::Error) -> Error {
    let hint = if e.kind() == io::ErrorKind::FileTooLarge {
        format!(
            "it is larger than the {} MiB limit for AWS {which} files; check that the \
             path names the right file",
            MAX_FILE_SIZE >> 20
        )
    } else if e.kind() == io::ErrorKind::PermissionDenied {
        format!(
            "permission denied; make it readable by this user, or point AWS_{} at another file",
            if which == "config" {
                "CONFIG_FILE"
            } else {
                "SHARED_CREDENTIALS_FILE"
            }
        )
    } else {
        "reading it failed; the cause follows".into()
    };
    Error::with_source(
        ErrorKind::ConfigRead,
        format!("Unable to read {which} file: {} ({hint})", path.display()),
        e,
    )
}

/// The sections of one INI file in botocore's grammar (`raw_config_parse`), for files
/// other than the two shared ones (the legacy `~/.boto`). Errors name `label`.
pub(crate) fn parse_sections(label: &str, bytes: &[u8]) -> Result<Vec<Section>, Error> {
    text(label, bytes)
        .and_then(parser::parse)
        .map_err(|e| parse_error(label, &e))
}

/// Checks one file against the whole grammar and keeps its text for the sections
/// built later.
fn check_file(mut source: Source) -> Result<File, Error> {
    let scan = text(&source.label, &source.bytes)
        .and_then(parser::scan)
        .map_err(|e| parse_error(&source.label, &e))?;
    // `text` checked the bytes: this moves them into a `String` without a copy.
    let text = match String::from_utf8(std::mem::take(&mut *source.bytes)) {
        Ok(text) => text,
        Err(e) => {
            e.into_bytes().zeroize();
            String::new()
        }
    };
    Ok(File {
        path: source.path,
        text,
        properties: scan.sections.iter().map(|_| OnceLock::new()).collect(),
        sections: scan.sections,
        defaults: scan.defaults,
    })
}

/// The bytes as text, or the parse error botocore's decoding would cause.
fn text<'a>(_label: &str, bytes: &'a [u8]) -> Result<&'a str, ParseError> {
    decode(bytes).map_err(|(line, problem)| ParseError {
        line,
        problem: match problem {
            DecodeProblem::ByteOrderMark => Problem::ByteOrderMark,
            DecodeProblem::InvalidUtf8 => Problem::InvalidUtf8,
        },
    })
}

#[cold]
fn parse_error(label: &str, e: &ParseError) -> Error {
    // botocore's ConfigParseError wording, for either file, then where and what.
    Error::new(
        ErrorKind::ConfigParse,
        format!(
            "Unable to parse config file: {label} (line {}: {})",
            e.line,
            e.problem.describe()
        ),
    )
}

impl fmt::Debug for SharedConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedConfig")
            .field("config_path", &self.config_path())
            .field("credentials_path", &self.credentials_path())
            .field("profiles", &self.profile_names())
            .field("sso_sessions", &self.sso_session_names())
            .finish_non_exhaustive()
    }
}

/// One profile as botocore sees it: the config file's `[profile NAME]` (or `[default]`)
/// and the credentials file's `[NAME]`, merged key by key with the credentials file
/// winning (behavior.md §3.4).
///
/// Borrowed from a [`SharedConfig`]; cheap to copy.
#[derive(Clone, Copy)]
pub struct Profile<'a> {
    name: &'a str,
    config: Option<&'a Properties>,
    credentials: Option<&'a Properties>,
}

impl<'a> Profile<'a> {
    /// The profile's name, exactly as the remote or environment must spell it.
    pub fn name(&self) -> &'a str {
        self.name
    }

    /// The merged value of `key` (lower-case): the credentials file's if it has the key,
    /// else the config file's.
    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.credentials
            .and_then(|p| p.get(key))
            .or_else(|| self.config?.get(key))
    }

    /// Whether [`get`](Profile::get) finds `key`.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The merged value of `key` read as a nested map; see [`Properties::sub_properties`].
    pub fn sub_properties(&self, key: &str) -> Option<Vec<(&'a str, &'a str)>> {
        nested(self.get(key)?)
    }

    /// This profile's section in the config file alone, if it has one.
    pub fn config_file(&self) -> Option<&'a Properties> {
        self.config
    }

    /// This profile's section in the credentials file alone, if it has one.
    pub fn credentials_file(&self) -> Option<&'a Properties> {
        self.credentials
    }

    /// The merged keys in botocore's order: the config file's, then the credentials
    /// file's that the config file lacks.
    pub fn keys(&self) -> Vec<&'a str> {
        let config = self
            .config
            .into_iter()
            .flat_map(|p| p.iter().map(|(k, _)| k));
        let extra = self
            .credentials
            .into_iter()
            .flat_map(|p| p.iter().map(|(k, _)| k))
            .filter(|k| !self.config.is_some_and(|c| c.contains_key(k)));
        config.chain(extra).collect()
    }
}

impl fmt::Debug for Profile<'_> {
    // Values may be secrets: name and keys only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Profile")
            .field("name", &self.name)
            .field("keys", &self.keys())
            .finish()
    }
}
