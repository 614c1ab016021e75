//! Credentials the host application owns: a C callback asked before any other source.
//!
//! The C side gets a `codecommit_credentials *` for the length of one callback and fills
//! it with [`codecommit_credentials_set`] (and optionally
//! [`codecommit_credentials_set_expiry`]); the library copies the strings, so the
//! application's buffers can be wiped as soon as the setter returns. The copies live in
//! `Zeroizing` strings and then in `aws_credential_types::Credentials`, which zeroizes
//! its secret and token on drop.

use std::ffi::{CString, c_char, c_int, c_void};
use std::time::{Duration, SystemTime};

use zeroize::Zeroizing;

use super::error::Fault;
use super::ptr::Castable;
use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind};
use crate::sign::SigningTime;

/// Where a credentials callback puts the credentials it supplies.
///
/// Opaque. The library passes one to the callback; it is valid only until the callback
/// returns, and only on the thread that called it. Fill it with
/// codecommit_credentials_set(), or leave it alone to let the usual sources decide.
#[derive(Debug)]
pub struct codecommit_credentials {
    _private: [u8; 0],
}

impl Castable for codecommit_credentials {
    type RustType = Slot;
}

/// A callback that supplies credentials for a profile, given to
/// codecommit_resolver_new_with_credentials_callback().
///
/// The resolver calls it, before any other credentials source, each time it needs
/// credentials: with the `userdata` given at registration, the selected profile's name
/// (NUL-terminated UTF-8, valid during the call only) and a `credentials` object to fill.
///
/// Return 0 after either:
/// - calling codecommit_credentials_set(credentials, ...) once: the resolver signs with
///   those credentials; or
/// - not calling it: the usual sources (environment, shared files) are asked instead.
///
/// Return any other value to stop: the resolver's call fails with
/// CODECOMMIT_AUTH_RESULT_CREDENTIALS_NOT_FOUND and a message naming the profile and the
/// value returned. If a codecommit_credentials_set*() call failed during the callback,
/// the resolver's call fails with CODECOMMIT_AUTH_RESULT_MALFORMED_CREDENTIALS, whatever
/// the callback returns.
///
/// Thread-safety: the resolver may call the callback from any thread that uses the
/// resolver, and from several threads at once, so it and `userdata` must be safe for
/// that. The callback may call any function of this library, including on the same
/// resolver. It must not unwind: no C++ exception and no longjmp may leave it.
pub type codecommit_credentials_callback = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        profile: *const c_char,
        credentials: *mut codecommit_credentials,
    ) -> c_int,
>;

/// What one callback call supplied.
#[derive(Default)]
pub(crate) struct Slot {
    keys: Option<Keys>,
    expiry: Option<SystemTime>,
    /// The first setter call that failed, as a message.
    fault: Option<String>,
}

struct Keys {
    access_key_id: String,
    secret_access_key: Zeroizing<String>,
    session_token: Option<Zeroizing<String>>,
}

impl codecommit_credentials {
    /// Gives the resolver credentials for the profile it asked about. Call it from within
    /// a codecommit_credentials_callback, at most once (a second call replaces the first).
    ///
    /// `credentials` is the object the callback received. `access_key_id` and
    /// `secret_access_key` are required; `session_token` is NULL for long-term keys. The
    /// strings are borrowed for the call only: they are copied (and the copies wiped
    /// when the library is done with them), so the caller may wipe its own at once.
    ///
    /// Returns CODECOMMIT_AUTH_RESULT_OK, or NULL_PARAMETER, INVALID_UTF8,
    /// INVALID_ARGUMENT (an empty or too long string), PANIC. On failure the credentials
    /// are not taken, and the resolver's call fails with MALFORMED_CREDENTIALS.
    ///
    /// # Safety
    ///
    /// `credentials` is the object passed to the running callback; each string is NULL
    /// or NUL-terminated.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn codecommit_credentials_set(
        credentials: *mut codecommit_credentials,
        access_key_id: *const c_char,
        secret_access_key: *const c_char,
        session_token: *const c_char,
    ) -> c_int {
        ffi_panic_boundary!(code: {
            let slot = try_mut!(credentials);
            let checked = (|| -> Result<Keys, Fault> {
                Ok(Keys {
                    access_key_id: try_str!(access_key_id).to_owned(),
                    secret_access_key: Zeroizing::new(try_str!(secret_access_key).to_owned()),
                    session_token: try_opt_str!(session_token)
                        .map(|t| Zeroizing::new(t.to_owned())),
                })
            })();
            let outcome = checked.map(|keys| slot.keys = Some(keys));
            slot.record(outcome)
        })
    }

    /// Tells the resolver when the credentials given with codecommit_credentials_set()
    /// expire, in seconds since 1970; it shows this in codecommit_resolver_explain().
    /// Without it they are taken not to expire. Call it from within a
    /// codecommit_credentials_callback.
    ///
    /// Returns CODECOMMIT_AUTH_RESULT_OK, or NULL_PARAMETER (`credentials` is NULL),
    /// INVALID_ARGUMENT (before 1970 or after 9999), PANIC. On failure the resolver's
    /// call fails with MALFORMED_CREDENTIALS.
    ///
    /// # Safety
    ///
    /// `credentials` is the object passed to the running callback.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn codecommit_credentials_set_expiry(
        credentials: *mut codecommit_credentials,
        unix_seconds: i64,
    ) -> c_int {
        ffi_panic_boundary!(code: {
            let slot = try_mut!(credentials);
            let checked = SigningTime::from_unix(unix_seconds)
                .map(|_| SystemTime::UNIX_EPOCH + Duration::from_secs(unix_seconds.unsigned_abs()))
                .map_err(|_| {
                    Fault::invalid(format!(
                        "unix_seconds {unix_seconds} is outside 1970-01-01 to 9999-12-31"
                    ))
                });
            let outcome = checked.map(|expiry| slot.expiry = Some(expiry));
            slot.record(outcome)
        })
    }
}

impl Slot {
    /// Keeps the first failure of a setter, to fail the resolution with it.
    fn record(&mut self, outcome: Result<(), Fault>) -> Result<(), Fault> {
        if let Err(fault) = &outcome {
            self.fault.get_or_insert_with(|| fault.message().to_owned());
        }
        outcome
    }
}

/// A C callback and its user data, as the resolver's credentials callback.
pub(crate) struct ForeignCallback {
    callback:
        unsafe extern "C" fn(*mut c_void, *const c_char, *mut codecommit_credentials) -> c_int,
    userdata: *mut c_void,
}

// SAFETY: the C caller promises (codecommit_credentials_callback's docs) that the
// callback and its userdata may be used from any thread, and from several at once.
unsafe impl Send for ForeignCallback {}
// SAFETY: as for Send.
unsafe impl Sync for ForeignCallback {}

impl ForeignCallback {
    /// Wraps `callback`, or `None` if it is NULL.
    pub(crate) fn new(
        callback: codecommit_credentials_callback,
        userdata: *mut c_void,
    ) -> Option<ForeignCallback> {
        callback.map(|callback| ForeignCallback { callback, userdata })
    }

    /// Asks the callback about `profile`, as `Resolver::with_credentials_callback` wants.
    pub(crate) fn call(&self, profile: &str) -> Result<Option<Credentials>, Error> {
        let name = CString::new(profile).map_err(|_| {
            Error::new(
                ErrorKind::CredentialsNotFound,
                format!(
                    "the profile name {profile:?} contains a NUL byte, so it cannot be \
                     passed to the application's credentials callback"
                ),
            )
        })?;
        let mut slot = Slot::default();
        let slot_ptr = std::ptr::from_mut(&mut slot).cast::<codecommit_credentials>();
        // SAFETY: the application registered this callback with this userdata; the
        // name and the slot outlive the call.
        let code = unsafe { (self.callback)(self.userdata, name.as_ptr(), slot_ptr) };
        if let Some(fault) = slot.fault {
            return Err(Error::new(
                ErrorKind::MalformedCredentials,
                format!(
                    "the application's credentials callback gave unusable credentials for \
                     profile {profile}: {fault}"
                ),
            ));
        }
        if code != 0 {
            return Err(Error::new(
                ErrorKind::CredentialsNotFound,
                format!(
                    "the application's credentials callback failed for profile {profile} \
                     (it returned {code})"
                ),
            ));
        }
        Ok(slot.keys.map(|mut keys| {
            Credentials::new(
                keys.access_key_id,
                std::mem::take(&mut *keys.secret_access_key),
                keys.session_token
                    .as_mut()
                    .map(|t| std::mem::take(&mut **t)),
                slot.expiry,
                "codecommit-ffi-callback",
            )
        }))
    }
}
