//! `codecommit_sign_url`: a signed URL from explicit credentials, touching no file, no
//! variable and (unless asked to sign "now") no clock.

use std::ffi::{c_char, c_int};

use crate::endpoint::{GitHost, Region};
use crate::env::{Environment, OsEnvironment};
use crate::error::Error;
use crate::remote::RepositoryName;
use crate::sign::{Signer, SigningTime, UrlRequest};

use super::CODECOMMIT_SIGNING_TIME_NOW;

/// Signs a CodeCommit Git URL from explicit credentials:
/// `https://USERNAME:PASSWORD@HOST/v1/repos/REPOSITORY`, byte for byte what
/// git-remote-codecommit builds for the same inputs. Reads no file and no environment
/// variable.
///
/// Arguments, all borrowed for the call only:
///
/// - `access_key_id`, `secret_access_key`: the credentials. Required.
/// - `session_token`: the session token of temporary credentials, or NULL for long-term
///   keys. It goes into the URL's username.
/// - `region`: the repository's region, e.g. "us-east-1"; must be one where CodeCommit
///   is offered. Required.
/// - `repository`: the repository name. Required.
/// - `host`: the Git host to put in the URL and sign, used verbatim (a port included);
///   NULL for the region's standard host, e.g. "git-codecommit.us-east-1.amazonaws.com".
/// - `unix_seconds`: the signing time in seconds since 1970, or
///   CODECOMMIT_SIGNING_TIME_NOW for the current time.
/// - `url_out`: receives the signed URL. It holds a password valid for about 15
///   minutes (and the session token): the caller owns it and must free it with
///   codecommit_string_free(), which wipes it. NULL on failure. May be NULL to only check
///   the arguments.
/// - `error_out`: receives a message on failure (free it with codecommit_string_free()),
///   NULL on success. May be NULL.
///
/// Strings must be NUL-terminated, non-empty UTF-8 of at most CODECOMMIT_MAX_INPUT_LEN
/// bytes. Thread-safe: no state is shared between calls.
///
/// Returns CODECOMMIT_AUTH_RESULT_OK, or: NULL_PARAMETER (a required string is NULL),
/// INVALID_UTF8, INVALID_ARGUMENT (an empty or too long string), REGION_NOT_AVAILABLE,
/// INVALID_REPOSITORY_NAME, INVALID_SIGNING_TIME, PANIC.
///
/// # Safety
///
/// Each string is NULL or NUL-terminated; each output is NULL or writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)] // fixed by the issue that defines the C API
pub unsafe extern "C" fn codecommit_sign_url(
    access_key_id: *const c_char,
    secret_access_key: *const c_char,
    session_token: *const c_char,
    region: *const c_char,
    repository: *const c_char,
    host: *const c_char,
    unix_seconds: i64,
    url_out: *mut *mut c_char,
    error_out: *mut *mut c_char,
) -> c_int {
    ffi_panic_boundary!(value_out: url_out, error_out: error_out, {
        let access_key_id = try_str!(access_key_id);
        let secret_access_key = try_str!(secret_access_key);
        let session_token = try_opt_str!(session_token);
        let region = try_str!(region);
        let repository = try_str!(repository);
        let host = try_opt_str!(host);

        let region = Region::new(region)?;
        let repository = RepositoryName::new(repository)?;
        let time = signing_time(unix_seconds)?;
        let standard_host;
        let host = match host {
            Some(host) => host,
            None => {
                standard_host = GitHost::for_region(region, false)?;
                standard_host.as_str()
            }
        };
        Ok(Signer::new().sign(&UrlRequest {
            access_key_id,
            secret_access_key,
            session_token,
            region: region.name(),
            host,
            repository: &repository,
            time,
        }))
    })
}

/// `unix_seconds` as a signing time; [`CODECOMMIT_SIGNING_TIME_NOW`] reads the clock.
pub(crate) fn signing_time(unix_seconds: i64) -> Result<SigningTime, Error> {
    if unix_seconds == CODECOMMIT_SIGNING_TIME_NOW {
        SigningTime::from_system_time(OsEnvironment::new().now())
    } else {
        SigningTime::from_unix(unix_seconds)
    }
}
