//! The AWS CLI's credential cache, `~/.aws/cli/cache/<key>.json`.
//!
//! The AWS CLI v2 keeps the temporary credentials it gets from the SSO portal, STS
//! AssumeRole and AssumeRoleWithWebIdentity in one JSON file per request, named by a
//! SHA-1 of the request's arguments (`reference/behavior.md` §5.6, §6). Reading and
//! writing the same files with the same names and format means one `aws sso login` and
//! one portal call serve the CLI and every git command until the credentials near
//! expiry, whichever tool fetched them.
//!
//! git-remote-codecommit itself caches assumed roles in `~/.aws/boto/cache` (same names
//! and format) and SSO credentials nowhere; [`read`] accepts a directory so the
//! assume-role provider can read both.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde_json::{Value, json};
use sha1::{Digest, Sha1};

use super::pyjson::{self, Separators};
use super::{Credentials, Keys, timestamp};
use crate::env::Environment;

/// An entry is used only while at least this much of its lifetime is left; exactly 15
/// minutes still counts (botocore's `CachedCredentialFetcher`, §6.3).
pub(crate) const FRESH_FOR: Duration = Duration::from_secs(15 * 60);

/// The largest cache file we read; real ones are under 4 KiB.
const MAX_FILE: u64 = 256 * 1024;

/// `~/.aws/cli/cache`, or `None` without a home directory.
pub(crate) fn cli_dir(env: &dyn Environment) -> Option<PathBuf> {
    Some(
        crate::config::home_dir(env)?
            .join(".aws")
            .join("cli")
            .join("cache"),
    )
}

/// The file name (without `.json`) for a request: lower-case hex SHA-1 of its
/// `json.dumps`, `sort_keys=True`, with the given separators.
pub(crate) fn key(args: &Value, separators: Separators) -> String {
    hex::encode(Sha1::digest(
        pyjson::dumps(args, separators, true).as_bytes(),
    ))
}

/// What a look-up found.
#[derive(Debug)]
pub(crate) enum Lookup {
    /// Fresh credentials.
    Hit(Credentials),
    /// No file, or one we could not use (not JSON, fields missing, stale).
    Miss,
}

/// Reads `dir/key.json` and returns its credentials if at least [`FRESH_FOR`] remains.
/// A malformed entry is a miss, never an error: it is simply fetched again and replaced.
pub(crate) fn read(
    env: &dyn Environment,
    dir: &Path,
    key: &str,
    provider_name: &'static str,
) -> Lookup {
    let path = dir.join(format!("{key}.json"));
    let bytes = match env.read_file(&path, MAX_FILE) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Lookup::Miss,
        Err(_) => return Lookup::Miss,
    };
    let Ok(doc) = serde_json::from_slice::<Value>(&bytes) else {
        return Lookup::Miss;
    };
    let c = &doc["Credentials"];
    let text = |name: &str| c.get(name).and_then(Value::as_str);
    let (Some(ak), Some(sk), Some(expiration)) = (
        text("AccessKeyId"),
        text("SecretAccessKey"),
        text("Expiration"),
    ) else {
        return Lookup::Miss;
    };
    let Ok(expiry) = timestamp::parse(expiration) else {
        return Lookup::Miss;
    };
    if !is_fresh(expiry, env.now()) {
        return Lookup::Miss;
    }
    let credentials = Keys {
        access_key_id: ak.to_owned(),
        secret_access_key: sk.to_owned(),
        session_token: text("SessionToken").map(str::to_owned),
        expiry: Some(expiry),
        account_id: text("AccountId").map(str::to_owned),
        provider: provider_name,
    }
    .build();
    // An entry with a line break in a key or token was not written by an AWS tool:
    // malformed, so a miss that the next fetch replaces.
    if super::line_breaking_field(&credentials).is_some() {
        return Lookup::Miss;
    }
    Lookup::Hit(credentials)
}

/// How long a process waits for another that is fetching the same credentials: longer
/// than one fetch with its retries normally takes, short enough not to hang git.
pub(crate) const LOCK_WAIT: Duration = Duration::from_secs(30);

/// Locks `dir/key.lock` for a fetch; `None` if that failed or took too long, in which
/// case the caller fetches anyway (the lock saves calls; atomic writes keep files whole).
pub(crate) fn lock(env: &dyn Environment, dir: &Path, key: &str) -> Option<crate::env::FileLock> {
    env.lock_file(&dir.join(format!("{key}.lock")), LOCK_WAIT)
        .ok()
}

/// Whether credentials expiring at `expiry` may still be used at `now`.
pub(crate) fn is_fresh(expiry: SystemTime, now: SystemTime) -> bool {
    expiry
        .duration_since(now)
        .is_ok_and(|left| left >= FRESH_FOR)
}

/// Writes `doc` to `dir/key.json` atomically, as `json.dumps(doc)` would.
///
/// # Errors
///
/// The I/O error. Callers keep going with the credentials they hold: a cache that cannot
/// be written costs a network call next time, nothing more.
pub(crate) fn write(
    env: &dyn Environment,
    dir: &Path,
    key: &str,
    doc: &Value,
) -> std::io::Result<()> {
    let text = pyjson::dumps(doc, Separators::Default, false);
    env.write_file_atomic(&dir.join(format!("{key}.json")), text.as_bytes())
}

/// The `Credentials` object of a cache entry.
pub(crate) fn credentials_json(credentials: &Credentials, expiration: &str) -> Value {
    let mut c = json!({
        "AccessKeyId": credentials.access_key_id(),
        "SecretAccessKey": credentials.secret_access_key(),
        "SessionToken": credentials.session_token(),
        "Expiration": expiration,
    });
    if let Some(account) = credentials.account_id() {
        c["AccountId"] = Value::String(account.as_str().to_owned());
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::MemoryEnvironment;
    use std::time::UNIX_EPOCH;

    const NOW: u64 = 1_800_000_000;

    fn env_with(contents: &str) -> MemoryEnvironment {
        MemoryEnvironment::new()
            .with_now(UNIX_EPOCH + Duration::from_secs(NOW))
            .with_file("/c/k.json", contents)
    }

    fn entry(expiration: &str) -> String {
        format!(
            r#"{{"ProviderType": "sso", "Credentials": {{"AccessKeyId": "ASIA1", "SecretAccessKey": "S", "SessionToken": "T", "Expiration": "{expiration}", "AccountId": "111122223333"}}}}"#
        )
    }

    fn at(offset: i64) -> String {
        timestamp::format_utc(UNIX_EPOCH + Duration::from_secs((NOW as i64 + offset) as u64))
    }

    #[test]
    fn freshness_boundary_is_fifteen_minutes_inclusive() {
        for (offset, hit) in [(901, true), (900, true), (899, false), (-1, false)] {
            let env = env_with(&entry(&at(offset)));
            let found = read(&env, Path::new("/c"), "k", "sso");
            assert_eq!(matches!(found, Lookup::Hit(_)), hit, "{offset}: {found:?}");
        }
    }

    #[test]
    fn both_expiration_spellings_are_read() {
        // The CLI's role cache writes `…UTC`, its SSO cache `…Z` (§6.3).
        let z = at(3600);
        let utc = z.replace('Z', "UTC");
        for e in [z, utc] {
            let Lookup::Hit(c) = read(&env_with(&entry(&e)), Path::new("/c"), "k", "sso") else {
                panic!("{e}");
            };
            assert_eq!(c.access_key_id(), "ASIA1");
            assert_eq!(c.session_token(), Some("T"));
            assert_eq!(c.account_id().map(|a| a.as_str()), Some("111122223333"));
        }
    }

    #[test]
    fn broken_entries_are_misses() {
        for bad in [
            "",
            "{",
            "[]",
            r#"{"Credentials": 5}"#,
            &entry("soon"),
            &entry("2030-01-01T00:00:00"),
        ] {
            let found = read(&env_with(bad), Path::new("/c"), "k", "sso");
            assert!(matches!(found, Lookup::Miss), "{bad}: {found:?}");
        }
        let env = MemoryEnvironment::new();
        assert!(matches!(
            read(&env, Path::new("/c"), "k", "sso"),
            Lookup::Miss
        ));
    }

    #[test]
    fn written_entries_read_back() {
        let env = MemoryEnvironment::new().with_now(UNIX_EPOCH + Duration::from_secs(NOW));
        let creds = Keys {
            access_key_id: "ASIA2".into(),
            secret_access_key: "S2".into(),
            session_token: Some("T2".into()),
            expiry: None,
            account_id: Some("1".into()),
            provider: "sso",
        }
        .build();
        let doc =
            json!({"ProviderType": "sso", "Credentials": credentials_json(&creds, &at(7200))});
        write(&env, Path::new("/c"), "k2", &doc).unwrap();
        let text = String::from_utf8(env.file("/c/k2.json").unwrap()).unwrap();
        assert!(
            text.starts_with(r#"{"ProviderType": "sso", "Credentials": {"AccessKeyId": "ASIA2""#),
            "{text}"
        );
        assert!(matches!(
            read(&env, Path::new("/c"), "k2", "sso"),
            Lookup::Hit(_)
        ));
    }
}
