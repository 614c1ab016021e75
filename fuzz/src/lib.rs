//! What the fuzz targets share: a fixed world (home directory, clock, region), an
//! in-memory HTTP client, and the checks every outcome must pass.
//!
//! The checks are the oracle that turns "did not crash" into "behaved": an error must be
//! of a kind the step can produce, a URL must have the shape the signer promises, and no
//! secret may show in an error message, a cause, a `Debug` or `Resolution::explain`.
//! A secret the fuzzer supplies is only checked when it is *distinctive*: it contains
//! `SENTINEL` and occurs exactly once in the input, so it cannot also be a profile name
//! or an error text the library is right to echo. The seed corpora put such values where
//! secrets go (`fuzz/seeds.py`).

use std::time::{Duration, UNIX_EPOCH};

pub mod sso;

use codecommit_auth::env::{HttpClient, HttpError, HttpRequest, HttpResponse, MemoryEnvironment};
use codecommit_auth::{Error, ErrorKind, Resolution, SigningTime};

/// The home directory of the fixed world.
pub const HOME: &str = "/home/fuzz";

/// The fixed clock: 2027-01-15T08:00:00Z.
pub const NOW: u64 = 1_800_000_000;

/// An environment with `HOME`, the clock, instance metadata off, and `config` as
/// `~/.aws/config`.
pub fn env(config: &str) -> MemoryEnvironment {
    MemoryEnvironment::new()
        .with_var("HOME", HOME)
        .with_var("AWS_EC2_METADATA_DISABLED", "true")
        .with_now(UNIX_EPOCH + Duration::from_secs(NOW))
        .with_file(format!("{HOME}/.aws/config"), config)
}

/// The signing time of every target.
pub fn time() -> SigningTime {
    SigningTime::from_unix(NOW as i64).expect("fixed time")
}

/// An HTTP client that answers every request with a closure of it; nothing leaves the
/// process.
pub struct Http<F>(pub F);

impl<F> HttpClient for Http<F>
where
    F: Fn(&HttpRequest) -> HttpResponse + Send + Sync,
{
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        Ok((self.0)(request))
    }
}

/// A response with `status` and `body`.
pub fn response(status: u16, body: impl Into<Vec<u8>>) -> HttpResponse {
    HttpResponse::new(status, body)
}

/// Whether `secret`, taken from `input`, is distinctive enough to check (see the module
/// doc).
pub fn distinctive(secret: &str, input: &[u8]) -> bool {
    secret.len() >= 12 && secret.contains("SENTINEL") && count(input, secret.as_bytes()) == 1
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    if needle.is_empty() || needle.len() > haystack.len() {
        return 0;
    }
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

/// Every string a person or log could see from `err`.
pub fn error_views(err: &Error) -> String {
    format!("{err}\n{err:?}\n{}", err.chain_message())
}

/// Panics if `secret` shows in `text`.
pub fn assert_hidden(text: &str, secret: &str, what: &str) {
    assert!(
        !text.contains(secret),
        "{what} shows the secret {secret:?}:\n{text}"
    );
}

/// Checks a resolution's outcome.
///
/// * Failure: the kind is one of `kinds`, the message is not empty, and no string of
///   `never` shows in any view of the error.
/// * Success: the signed URL has its documented shape, and neither the secret key nor
///   the session token (when distinctive in `input`), nor any of `never`, shows in the
///   `Debug` of the resolution or the URL, or in `explain()` — unless the access key id
///   or the profile name, which are shown by design, contain it.
///
/// Returns the resolution, for target-specific checks.
pub fn check(
    outcome: Result<Resolution, Error>,
    kinds: &[ErrorKind],
    never: &[&str],
    input: &[u8],
) -> Option<Resolution> {
    match outcome {
        Err(err) => {
            assert!(
                kinds.contains(&err.kind()),
                "unexpected error kind {:?}: {}",
                err.kind(),
                err.chain_message()
            );
            assert!(
                !err.message().is_empty(),
                "empty message for {:?}",
                err.kind()
            );
            let views = error_views(&err);
            for secret in never {
                assert_hidden(&views, secret, "an error");
            }
            None
        }
        Ok(resolution) => {
            let url = resolution.sign(time());
            let text = url.as_str();
            assert!(text.starts_with("https://"), "{text}");
            assert_eq!(url.password().len(), 80, "{text}");
            assert!(url.password().starts_with("20270115T080000Z"), "{text}");
            assert_eq!(
                url.path(),
                format!("/v1/repos/{}", resolution.repository()),
                "{text}"
            );
            assert_eq!(url.host(), resolution.host().as_str());
            assert!(text.ends_with(url.path()));

            let creds = resolution.credentials();
            // Issue 18: nothing with a line break or NUL leaves the chain as a key id or
            // token (it would add lines to git's credential protocol or a header).
            let breaks = |s: &str| s.contains(['\r', '\n', '\0']);
            assert!(!breaks(creds.access_key_id()), "a line break in the key id");
            assert!(
                !creds.session_token().is_some_and(breaks),
                "a line break in the session token"
            );
            let views = format!("{resolution:?}\n{url:?}\n{}", resolution.explain());
            let public = [creds.access_key_id(), resolution.profile()];
            let mut secrets: Vec<&str> = vec![creds.secret_access_key()];
            secrets.extend(creds.session_token());
            for secret in secrets {
                if distinctive(secret, input) && public.iter().all(|p| !p.contains(secret)) {
                    assert_hidden(&views, secret, "a resolution");
                }
            }
            // A secret inside a value that is shown by design (the input made the access
            // key id contain it) is the input's doing, not a leak.
            for secret in never {
                if public.iter().all(|p| !p.contains(secret)) {
                    assert_hidden(&views, secret, "a resolution");
                }
            }
            Some(resolution)
        }
    }
}
