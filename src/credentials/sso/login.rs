//! The SSO login state of a profile: which token file the next resolution reads, when
//! its token expires, and whether that run would refresh it — the library's own rules
//! (token-cache path, expiry parsing, refresh window), for diagnostics such as
//! `git-remote-codecommit --doctor`. Reads one file; never refreshes, writes or calls
//! the network.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use super::SsoConfig;
use super::token::{self, FileProblem, REFRESH_WINDOW};
use crate::config::SharedConfig;
use crate::env::Environment;
use crate::error::Error;

/// The SSO login of one profile, as the next resolution would find it.
///
/// Holds no secret: the token itself is never read out of the file.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SsoLogin {
    /// The profile.
    pub profile: String,
    /// The `[sso-session NAME]` (sso-session form); `None` in the legacy form, whose
    /// tokens are never refreshed.
    pub sso_session: Option<String>,
    /// The start URL.
    pub start_url: String,
    /// The token cache file `aws sso login` writes: `~/.aws/sso/cache/<sha1>.json`, of
    /// the session name or of the start URL (legacy form).
    pub token_file: PathBuf,
    /// What that file holds, at the environment's current time.
    pub state: TokenState,
}

impl SsoLogin {
    /// A token with less than this left is refreshed on its next use (sso-session form
    /// only; botocore's window, other SDKs use 5 minutes).
    pub const REFRESH_WINDOW: Duration = REFRESH_WINDOW;

    /// `aws sso login --profile NAME`: the way out of every token problem.
    #[must_use]
    pub fn login_command(&self) -> String {
        format!("aws sso login --profile {}", self.profile)
    }
}

/// The state of an SSO token cache file, or of an `aws login` token file
/// ([`LoginSession`](crate::credentials::LoginSession), whose refresh window is its own).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenState {
    /// There is no token file: no `aws sso login` yet.
    Missing,
    /// The file exists but cannot be read (the I/O error, as text).
    Unreadable(String),
    /// The file is not a token cache file: what is wrong with it (`is not valid JSON`,
    /// `has no expiresAt string`, …), to follow the file's name.
    Invalid(String),
    /// The token is good, and the next use takes it as it is.
    Valid {
        /// When it expires.
        expires_at: SystemTime,
        /// How long it has left.
        remaining: Duration,
    },
    /// The token is good but inside [`SsoLogin::REFRESH_WINDOW`] of its expiry
    /// (sso-session form): the next use tries to refresh it, and keeps using it while
    /// it lasts if the refresh fails.
    RefreshDue {
        /// When it expires.
        expires_at: SystemTime,
        /// How long it has left.
        remaining: Duration,
        /// Whether the file holds a refresh token and client registration, so the
        /// refresh can work.
        refreshable: bool,
    },
    /// The token has expired.
    Expired {
        /// When it expired.
        expires_at: SystemTime,
        /// Whether the next use will try to refresh it (sso-session form with a refresh
        /// token and client registration); otherwise only `aws sso login` helps.
        refreshable: bool,
    },
}

/// The SSO login state of `profile`; `Ok(None)` when it is not an SSO profile (one
/// without `sso_account_id` and `sso_role_name`).
///
/// # Errors
///
/// [`ErrorKind::InvalidConfig`](crate::ErrorKind::InvalidConfig) when the profile's
/// SSO settings are incomplete or inconsistent, with the message resolution would give.
pub fn sso_login(
    env: &dyn Environment,
    config: &SharedConfig,
    profile: &str,
) -> Result<Option<SsoLogin>, Error> {
    let Some(section) = config.profile(profile) else {
        return Ok(None);
    };
    let Some(sso) = SsoConfig::resolve(section, config)? else {
        return Ok(None);
    };
    let token_file = sso.token_path(env);
    let state = state(env, &sso, &token_file);
    Ok(Some(SsoLogin {
        profile: sso.profile,
        sso_session: sso.session,
        start_url: sso.start_url,
        token_file,
        state,
    }))
}

/// What [`token::load`] would find in `path` now, without refreshing anything.
fn state(env: &dyn Environment, sso: &SsoConfig, path: &std::path::Path) -> TokenState {
    let cached = match token::read_file(env, path) {
        Ok(cached) => cached,
        Err(FileProblem::Missing) => return TokenState::Missing,
        Err(FileProblem::Unreadable(e)) => return TokenState::Unreadable(e.to_string()),
        Err(FileProblem::Invalid(what)) => return TokenState::Invalid(what),
    };
    let expires_at = cached.token.expires_at;
    // The legacy form is never refreshed: usable until its last second (§5.3).
    let refreshes = sso.session.is_some();
    let refreshable = refreshes && token::has_refresh_data(&cached.doc);
    match expires_at.duration_since(env.now()) {
        Ok(remaining) if remaining.is_zero() => TokenState::Expired {
            expires_at,
            refreshable,
        },
        Ok(remaining) if !refreshes || remaining >= REFRESH_WINDOW => TokenState::Valid {
            expires_at,
            remaining,
        },
        Ok(remaining) => TokenState::RefreshDue {
            expires_at,
            remaining,
            refreshable,
        },
        Err(_) => TokenState::Expired {
            expires_at,
            refreshable,
        },
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;
    use crate::env::MemoryEnvironment;

    const CONFIG: &str = "[profile new]\nsso_session = corp\nsso_account_id = 111122223333\n\
                          sso_role_name = Dev\n[sso-session corp]\n\
                          sso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n\
                          [profile old]\nsso_start_url = https://old.awsapps.com/start\n\
                          sso_region = us-east-1\nsso_account_id = 111122223333\n\
                          sso_role_name = Dev\n[profile keys]\naws_access_key_id = AKIDEXAMPLE\n";
    const NOW: u64 = 1_700_000_000;

    fn env(files: &[(&str, String)]) -> MemoryEnvironment {
        let mut env = MemoryEnvironment::new()
            .with_var("HOME", "/home/u")
            .with_file("/home/u/.aws/config", CONFIG)
            .with_now(UNIX_EPOCH + Duration::from_secs(NOW));
        for (path, text) in files {
            env = env.with_file(*path, text.clone());
        }
        env
    }

    fn login(env: &MemoryEnvironment, profile: &str) -> Option<SsoLogin> {
        let config = SharedConfig::load(env).expect("config parses");
        sso_login(env, &config, profile).expect("valid SSO settings")
    }

    // sha1("corp") and sha1("https://old.awsapps.com/start"), as the AWS CLI names them.
    fn file_of(key: &str) -> String {
        use sha1::{Digest, Sha1};
        format!(
            "/home/u/.aws/sso/cache/{}.json",
            hex::encode(Sha1::digest(key))
        )
    }

    fn token(expires_in: i64, refresh: bool) -> String {
        let at = crate::credentials::timestamp::format_for_file(
            UNIX_EPOCH + Duration::from_secs(NOW.saturating_add_signed(expires_in)),
        );
        let extra = if refresh {
            ",\"refreshToken\":\"r\",\"clientId\":\"c\",\"clientSecret\":\"s\",\
             \"registrationExpiresAt\":\"2099-01-01T00:00:00Z\""
        } else {
            ""
        };
        format!("{{\"accessToken\":\"t\",\"expiresAt\":\"{at}\"{extra}}}")
    }

    #[test]
    fn not_an_sso_profile_is_none() {
        let env = env(&[]);
        assert_eq!(login(&env, "keys"), None);
        assert_eq!(login(&env, "absent"), None);
    }

    #[test]
    fn names_the_file_after_the_session_or_the_start_url() {
        let env = env(&[]);
        let new = login(&env, "new").expect("sso profile");
        assert_eq!(new.token_file, PathBuf::from(file_of("corp")));
        assert_eq!(new.sso_session.as_deref(), Some("corp"));
        assert_eq!(new.state, TokenState::Missing);
        assert_eq!(new.login_command(), "aws sso login --profile new");
        let old = login(&env, "old").expect("sso profile");
        assert_eq!(
            old.token_file,
            PathBuf::from(file_of("https://old.awsapps.com/start"))
        );
    }

    #[test]
    fn the_refresh_window_splits_valid_from_refresh_due() {
        let outside = REFRESH_WINDOW.as_secs() as i64 + 60;
        let env_ = env(&[(&file_of("corp"), token(outside, true))]);
        assert!(matches!(
            login(&env_, "new").expect("sso").state,
            TokenState::Valid { remaining, .. } if remaining.as_secs() == outside as u64
        ));
        let env_ = env(&[(&file_of("corp"), token(60, true))]);
        assert!(matches!(
            login(&env_, "new").expect("sso").state,
            TokenState::RefreshDue {
                refreshable: true,
                ..
            }
        ));
        let env_ = env(&[(&file_of("corp"), token(60, false))]);
        assert!(matches!(
            login(&env_, "new").expect("sso").state,
            TokenState::RefreshDue {
                refreshable: false,
                ..
            }
        ));
        // The legacy form never refreshes: valid to its last second.
        let env_ = env(&[(&file_of("https://old.awsapps.com/start"), token(60, true))]);
        assert!(matches!(
            login(&env_, "old").expect("sso").state,
            TokenState::Valid { .. }
        ));
    }

    #[test]
    fn expired_says_whether_a_refresh_will_be_tried() {
        let env_ = env(&[(&file_of("corp"), token(-60, true))]);
        assert!(matches!(
            login(&env_, "new").expect("sso").state,
            TokenState::Expired {
                refreshable: true,
                ..
            }
        ));
        let env_ = env(&[(&file_of("corp"), token(0, true))]);
        assert!(matches!(
            login(&env_, "new").expect("sso").state,
            TokenState::Expired { .. }
        ));
        let env_ = env(&[(&file_of("https://old.awsapps.com/start"), token(-60, true))]);
        assert!(matches!(
            login(&env_, "old").expect("sso").state,
            TokenState::Expired {
                refreshable: false,
                ..
            }
        ));
    }

    #[test]
    fn a_broken_file_says_what_is_wrong() {
        let env_ = env(&[(&file_of("corp"), "{".to_owned())]);
        assert_eq!(
            login(&env_, "new").expect("sso").state,
            TokenState::Invalid("is not valid JSON".into())
        );
        let env_ = env(&[(&file_of("corp"), "{\"accessToken\":\"t\"}".to_owned())]);
        assert_eq!(
            login(&env_, "new").expect("sso").state,
            TokenState::Invalid("has no expiresAt string".into())
        );
    }

    #[test]
    fn broken_sso_settings_are_the_resolution_error() {
        let env = MemoryEnvironment::new()
            .with_var("HOME", "/home/u")
            .with_file("/home/u/.aws/config", "[profile p]\nsso_role_name = Dev\n");
        let config = SharedConfig::load(&env).expect("config parses");
        let error = sso_login(&env, &config, "p").expect_err("incomplete");
        assert_eq!(error.kind(), crate::ErrorKind::InvalidConfig);
    }
}
