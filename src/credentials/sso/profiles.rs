//! `codecommit-auth profiles`: one profile per account and role an SSO login can reach,
//! written into the shared config file.
//!
//! The access token is the one `codecommit-auth login --sso-session NAME` (or
//! `aws sso login`) left in the token cache of the `[sso-session NAME]`; the accounts
//! and roles come from the SSO portal's `ListAccounts` and `ListAccountRoles`, every
//! page; the file is edited by `config::editor`, which keeps everything it
//! does not own byte for byte. [`plan`] computes the new file and never writes: the
//! binary shows it (`--dry-run`) or writes it atomically.
//!
//! Not part of the crate's API: the binary's library half, hidden from the docs.

use std::fmt;
use std::path::PathBuf;

use super::SsoConfig;
use super::portal::{Account, Listing};
use super::token::{self, FileProblem};
use crate::config::editor::{self, NewProfile};
use crate::config::{MAX_FILE_SIZE, SharedConfig, locate};
use crate::credentials::timestamp;
use crate::endpoint::services::{self, Service};
use crate::env::Environment;
use crate::error::{Error, ErrorKind, MAX_SHOWN, shown};

/// What to write: the session, the name pattern, the region of the profiles.
#[derive(Clone, Debug)]
pub struct Request {
    /// The `[sso-session NAME]` whose login lists the accounts.
    pub sso_session: String,
    /// How profiles are named.
    pub pattern: Pattern,
    /// The profiles' `region`; the session's `sso_region` when `None`.
    pub region: Option<String>,
    /// `(start URL, sso_region)`: the `[sso-session]` to add when the file has none of
    /// that name (and to check against the one it has).
    pub new_session: Option<(String, String)>,
}

/// A profile-name pattern: text with `{accountName}`, `{accountId}`, `{roleName}` and
/// `{ssoSession}` in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern(Vec<Piece>);

#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Text(String),
    AccountName,
    AccountId,
    RoleName,
    SsoSession,
}

impl Pattern {
    /// The default: `{accountName}.{roleName}`.
    pub const DEFAULT: &'static str = "{accountName}.{roleName}";

    /// Parses a pattern.
    ///
    /// # Errors
    ///
    /// What is wrong with it, for a usage message: an unknown `{field}`, a `{` without
    /// its `}`, no field at all.
    pub fn parse(pattern: &str) -> Result<Pattern, String> {
        let mut pieces = Vec::new();
        let mut rest = pattern;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                pieces.push(Piece::Text(rest[..open].to_owned()));
            }
            let Some(close) = rest[open..].find('}') else {
                return Err(format!(
                    "the pattern {} has a `{{` without its `}}`",
                    shown(pattern, MAX_SHOWN)
                ));
            };
            pieces.push(match &rest[open + 1..open + close] {
                "accountName" => Piece::AccountName,
                "accountId" => Piece::AccountId,
                "roleName" => Piece::RoleName,
                "ssoSession" => Piece::SsoSession,
                other => {
                    return Err(format!(
                        "the pattern has an unknown field {{{}}}; the fields are \
                         {{accountName}}, {{accountId}}, {{roleName}} and {{ssoSession}}",
                        shown(other, MAX_SHOWN)
                    ));
                }
            });
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_owned()));
        }
        if pieces.iter().all(|p| matches!(p, Piece::Text(_))) {
            return Err(
                "the pattern names no field, so every profile would get the same name; use \
                 {accountName}, {accountId} or {roleName}"
                    .into(),
            );
        }
        Ok(Pattern(pieces))
    }

    /// The profile name for `role` in `account`: the pattern filled in, every character
    /// other than an ASCII letter, digit, `.`, `_` or `-` replaced by `-`, so the name
    /// suits both a `[profile NAME]` header and `codecommit://NAME@repository`.
    pub(crate) fn name(&self, account: &Account, role: &str, session: &str) -> String {
        let mut raw = String::new();
        for piece in &self.0 {
            raw.push_str(match piece {
                Piece::Text(text) => text,
                Piece::AccountName => &account.name,
                Piece::AccountId => &account.id,
                Piece::RoleName => role,
                Piece::SsoSession => session,
            });
        }
        raw.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                    c
                } else {
                    '-'
                }
            })
            .collect()
    }
}

impl Default for Pattern {
    fn default() -> Self {
        Pattern::parse(Pattern::DEFAULT).unwrap_or(Pattern(Vec::new()))
    }
}

/// The new config file, and what changes.
///
/// The texts can hold secrets (static keys in the config file): its Debug shows their
/// sizes only, and they are wiped when it is dropped.
pub struct Plan {
    /// The config file (`AWS_CONFIG_FILE`, else `~/.aws/config`).
    pub config_file: PathBuf,
    /// Its text now (`""` if it does not exist).
    pub before: String,
    /// Its text with the profiles.
    pub after: String,
    /// Profiles written at the end of the file.
    pub added: Vec<String>,
    /// Profiles of ours rewritten in place.
    pub updated: Vec<String>,
    /// Profiles of ours already as they should be.
    pub unchanged: Vec<String>,
    /// What was left alone and why, one line each, for stderr.
    pub notes: Vec<String>,
}

impl fmt::Debug for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Plan")
            .field("config_file", &self.config_file)
            .field("before_bytes", &self.before.len())
            .field("after_bytes", &self.after.len())
            .field("added", &self.added)
            .field("updated", &self.updated)
            .field("unchanged", &self.unchanged)
            .field("notes", &self.notes)
            .finish()
    }
}

impl Drop for Plan {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.before.zeroize();
        self.after.zeroize();
    }
}

impl Plan {
    /// Whether the file changes.
    pub fn changed(&self) -> bool {
        self.before != self.after
    }

    /// The change as a unified diff (empty if none).
    pub fn diff(&self) -> String {
        editor::unified_diff(
            &self.config_file.display().to_string(),
            &self.before,
            &self.after,
        )
    }
}

/// Lists the accounts and roles of `request`'s sso-session login and computes the
/// config file holding one profile per account and role. Reads files and calls the
/// portal through `env`; writes nothing.
///
/// # Errors
///
/// - [`ErrorKind::InvalidConfig`]: no config file (`AWS_CONFIG_FILE` set empty), no
///   such `[sso-session]`, one without `sso_start_url` or `sso_region`, an invalid
///   region;
/// - [`ErrorKind::SsoLoginRequired`]: no login, an expired one, or one the portal
///   rejects — the message says `codecommit-auth login --sso-session NAME`;
/// - [`ErrorKind::ConfigRead`], [`ErrorKind::ConfigParse`]: the shared files;
/// - [`ErrorKind::ServiceError`], [`ErrorKind::Network`]: the portal.
pub fn plan(env: &dyn Environment, request: &Request) -> Result<Plan, Error> {
    let session = request.sso_session.as_str();
    let shown_session = shown(session, MAX_SHOWN);
    let login = format!("run `codecommit-auth login --sso-session {shown_session}`");
    let Some(config_file) = locate(env).config else {
        return Err(invalid(
            "AWS_CONFIG_FILE is set to the empty string, so there is no config file to write \
             the profiles into; unset it or name a file"
                .into(),
        ));
    };
    let shared = SharedConfig::load(env)?;
    // The session: the file's, or the one the command line describes, added to the file.
    let (start_url, sso_region, new_session) =
        match (shared.sso_session(session), &request.new_session) {
            (Some(section), given) => {
                let (Some(start_url), Some(sso_region)) =
                    (section.get("sso_start_url"), section.get("sso_region"))
                else {
                    return Err(invalid(format!(
                        "[sso-session {shown_session}] needs both sso_start_url and sso_region"
                    )));
                };
                if given
                    .as_ref()
                    .is_some_and(|(url, region)| url != start_url || region != sso_region)
                {
                    return Err(invalid(format!(
                        "[sso-session {shown_session}] in {} already has sso_start_url {} and \
                     sso_region {}; leave out --start-url and --sso-region, or choose another \
                     --sso-session name",
                        config_file.display(),
                        shown(start_url, MAX_SHOWN),
                        shown(sso_region, MAX_SHOWN)
                    )));
                }
                (start_url.to_owned(), sso_region.to_owned(), false)
            }
            (None, Some((start_url, sso_region))) => {
                if !is_start_url(start_url) || !is_session_name(session) {
                    return Err(invalid(format!(
                        "cannot add [sso-session {shown_session}] with start URL {}: the start URL \
                     must be an https:// URL and the name must not hold spaces, brackets or \
                     quotes",
                        shown(start_url, MAX_SHOWN)
                    )));
                }
                (start_url.clone(), sso_region.clone(), true)
            }
            (None, None) => {
                return Err(invalid(format!(
                    "there is no [sso-session {shown_session}] in {}; add one with sso_start_url, \
                 sso_region and sso_registration_scopes = sso:account:access (or give \
                 --start-url and --sso-region to have it added), then {login}",
                    config_file.display()
                )));
            }
        };
    let (start_url, sso_region) = (start_url.as_str(), sso_region.as_str());
    services::check_region(
        sso_region,
        &format!("the sso_region of [sso-session {shown_session}]"),
    )?;
    let before = read_config(env, &config_file)?;
    // A copy of the file's text: it can hold secrets too.
    let mut with_session = zeroize::Zeroizing::new(if new_session {
        editor::add_sso_session(
            &before,
            session,
            &[
                ("sso_start_url", start_url.to_owned()),
                ("sso_region", sso_region.to_owned()),
                ("sso_registration_scopes", "sso:account:access".to_owned()),
            ],
        )
    } else {
        before.clone()
    });
    let region = request.region.as_deref().unwrap_or(sso_region);
    services::check_region(region, "the region given with --region")?;

    // The session's token file, named as the AWS CLI names it (sha1 of the session).
    let sso = SsoConfig {
        profile: String::new(),
        start_url: start_url.to_owned(),
        sso_region: sso_region.to_owned(),
        account_id: String::new(),
        role_name: String::new(),
        session: Some(session.to_owned()),
    };
    let token_file = sso.token_path(env);
    let login_required =
        |what: String| Error::new(ErrorKind::SsoLoginRequired, format!("{what}; {login}"));
    let cached = match token::read_file(env, &token_file) {
        Ok(cached) => cached,
        Err(FileProblem::Missing) if new_session => {
            // The session is new: the login needs it in the file first.
            return Ok(Plan {
                config_file,
                before,
                after: std::mem::take(&mut *with_session),
                added: Vec::new(),
                updated: Vec::new(),
                unchanged: Vec::new(),
                notes: vec![format!(
                    "[sso-session {shown_session}] added; it has no SSO login yet: {login}, \
                     then run this command again"
                )],
            });
        }
        Err(FileProblem::Missing) => {
            return Err(login_required(format!(
                "sso-session {shown_session} has no SSO login yet (no token in {})",
                token_file.display()
            )));
        }
        Err(FileProblem::Unreadable(e)) => {
            return Err(login_required(format!(
                "the SSO token cache file {} cannot be read ({e})",
                token_file.display()
            )));
        }
        Err(FileProblem::Invalid(what)) => {
            return Err(login_required(format!(
                "the SSO token cache file {} {what}",
                token_file.display()
            )));
        }
    };
    // Not refreshed: listing takes seconds, and a token with any time left does.
    if cached.token.expires_at <= env.now() {
        return Err(login_required(format!(
            "the SSO login of sso-session {shown_session} expired at {}",
            timestamp::format_utc(cached.token.expires_at)
        )));
    }

    let listing = Listing {
        env,
        endpoint: services::endpoint(env, &shared, None, Service::Sso, sso_region)?,
        token: &cached.token,
        session: &shown_session,
    };
    let mut notes = Vec::new();
    let mut wanted: Vec<(NewProfile, String)> = Vec::new();
    for account in listing.accounts()? {
        for role in listing.roles(&account.id)? {
            let what = format!(
                "account {} ({}) role {}",
                shown(&account.id, MAX_SHOWN),
                shown(&account.name, MAX_SHOWN),
                shown(&role, MAX_SHOWN)
            );
            if !is_account_id(&account.id) || !is_role_name(&role) {
                notes.push(format!(
                    "{what}: skipped, the portal's account id or role name is not one a \
                     config file can hold"
                ));
                continue;
            }
            let name = request.pattern.name(&account, &role, session);
            if name.is_empty() {
                notes.push(format!(
                    "{what}: skipped, the pattern gives it an empty name"
                ));
                continue;
            }
            let keys = vec![
                ("sso_session", session.to_owned()),
                ("sso_account_id", account.id.clone()),
                ("sso_role_name", role.clone()),
                ("region", region.to_owned()),
            ];
            wanted.push((NewProfile { name, keys }, what));
        }
    }
    wanted.sort_by(|(a, _), (b, _)| a.name.cmp(&b.name).then_with(|| a.keys.cmp(&b.keys)));
    for pair in wanted.windows(2) {
        if pair[0].0.name == pair[1].0.name {
            notes.push(format!(
                "{}: not written, profile {} is already the name of {}; add {{accountId}} to \
                 --pattern to tell them apart",
                pair[1].1, pair[1].0.name, pair[0].1
            ));
        }
    }
    let wanted: Vec<NewProfile> = wanted.into_iter().map(|(p, _)| p).collect();

    // A name in the credentials file is a profile too: ours would merge with it.
    let in_credentials = |name: &str| {
        shared
            .profile(name)
            .is_some_and(|p| p.credentials_file().is_some())
    };
    let applied = editor::apply(&with_session, session, &wanted, &in_credentials)
        .map_err(|_| changed(&config_file))?;
    for name in &applied.kept {
        let where_ = if in_credentials(name) {
            "is in the credentials file"
        } else {
            "exists already and was not written by codecommit-auth for this sso-session"
        };
        notes.push(format!("profile {name} {where_}: left as it is"));
    }
    for name in &applied.stale {
        notes.push(format!(
            "profile {name} was written for sso-session {shown_session} but the portal no \
             longer lists its account and role: left as it is (delete it if you no longer \
             need it)"
        ));
    }
    Ok(Plan {
        config_file,
        before,
        after: applied.text,
        added: applied.added,
        updated: applied.updated,
        unchanged: applied.unchanged,
        notes,
    })
}

/// The config file's text, `""` if it does not exist.
fn read_config(env: &dyn Environment, path: &std::path::Path) -> Result<String, Error> {
    match env.read_file(path, MAX_FILE_SIZE) {
        Ok(Some(bytes)) => String::from_utf8(bytes).map_err(|_| changed(path)),
        Ok(None) => Ok(String::new()),
        Err(e) => Err(Error::with_source(
            ErrorKind::ConfigRead,
            format!("Unable to read config file: {}", path.display()),
            e,
        )),
    }
}

/// A start URL we write into a new `[sso-session]`: `https://`, no whitespace or
/// control characters (the value is one line of the file).
fn is_start_url(url: &str) -> bool {
    url.starts_with("https://")
        && url.len() > "https://".len()
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A session name we write into a new `[sso-session NAME]` header: no whitespace,
/// control characters, brackets or quotes (botocore splits the header like a shell).
fn is_session_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "[]'\"\\#;".contains(c))
}

/// An account id as the portal gives it: ASCII digits (12 of them in practice).
fn is_account_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_digit())
}

/// An IAM role name: `[\w+=,.@-]+`.
fn is_role_name(role: &str) -> bool {
    !role.is_empty()
        && role.len() <= 128
        && role
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b))
}

#[cold]
fn invalid(message: String) -> Error {
    Error::new(ErrorKind::InvalidConfig, message)
}

#[cold]
fn changed(path: &std::path::Path) -> Error {
    Error::new(
        ErrorKind::ConfigParse,
        format!(
            "the config file {} changed while it was read; run the command again",
            path.display()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(id: &str, name: &str) -> Account {
        Account {
            id: id.into(),
            name: name.into(),
        }
    }

    #[test]
    fn the_default_pattern_joins_account_and_role() {
        let p = Pattern::default();
        assert_eq!(
            p.name(&account("111122223333", "Prod"), "Admin", "corp"),
            "Prod.Admin"
        );
    }

    #[test]
    fn names_keep_only_letters_digits_dot_underscore_dash() {
        let p = Pattern::parse("{ssoSession}/{accountName} {accountId}:{roleName}").unwrap();
        assert_eq!(
            p.name(&account("1", "Ünïcode @ Team"), "Role+Name", "my sso"),
            "my-sso--n-code---Team-1-Role-Name"
        );
    }

    #[test]
    fn bad_patterns_say_what_is_wrong() {
        assert!(
            Pattern::parse("{account}")
                .unwrap_err()
                .contains("unknown field")
        );
        assert!(Pattern::parse("{roleName").unwrap_err().contains("without"));
        assert!(Pattern::parse("fixed").unwrap_err().contains("no field"));
        assert_eq!(
            Pattern::parse("x-{accountId}").unwrap(),
            Pattern(vec![Piece::Text("x-".into()), Piece::AccountId])
        );
    }

    #[test]
    fn values_a_config_line_cannot_hold_are_refused() {
        assert!(is_account_id("111122223333"));
        assert!(!is_account_id("1111\n[x]"));
        assert!(is_role_name("Admin_Role+=,.@-1"));
        assert!(!is_role_name("Admin Role"));
        assert!(!is_role_name("a\nb"));
        assert!(!is_role_name(""));
    }
}
