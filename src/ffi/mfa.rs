//! MFA codes the host application asks its user for: a C callback set on a resolver
//! with `codecommit_resolver_set_mfa_callback`.
//!
//! The code comes back in a buffer the library owns and wipes, so no allocation
//! crosses the boundary and nothing needs freeing on either side.

use std::ffi::{CString, c_char, c_int, c_void};

use zeroize::Zeroizing;

use crate::error::{Error, ErrorKind, MAX_SHOWN, shown};

/// The size in bytes of the buffer an MFA callback writes its code into, the
/// terminating NUL included. An MFA code is 6 digits.
pub const CODECOMMIT_MFA_CODE_SIZE: usize = 64;

/// A callback that supplies the MFA code for a role with `mfa_serial`, set with
/// codecommit_resolver_set_mfa_callback().
///
/// The resolver calls it when a role profile has `mfa_serial` and no cached session
/// serves it (the sessions in ~/.aws/cli/cache, shared with the AWS CLI): with the
/// `userdata` given when it was set, the role's profile and its `mfa_serial`
/// (NUL-terminated UTF-8, valid during the call only), and a buffer `code` of
/// `code_size` bytes (CODECOMMIT_MFA_CODE_SIZE), filled with zeros.
///
/// Return 0 after writing the code into `code`, NUL-terminated: the resolver sends it
/// to STS, and caches the role's session so that it does not ask again until the
/// session expires. The library wipes the buffer when the callback returns. Return any
/// other value to give no code (the person cancelled): the resolver's call fails with
/// CODECOMMIT_AUTH_RESULT_MFA_REQUIRED. An empty code, one without a NUL within
/// `code_size` bytes, or one that is not UTF-8 fails it the same way; so does a code
/// that STS refuses (the message says so).
///
/// Thread-safety: the resolver may call the callback from any thread that uses the
/// resolver, and from several threads at once, so it and `userdata` must be safe for
/// that. The callback may call any function of this library, including on the same
/// resolver. It must not unwind: no C++ exception and no longjmp may leave it.
pub type codecommit_mfa_callback = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        profile: *const c_char,
        serial: *const c_char,
        code: *mut c_char,
        code_size: usize,
    ) -> c_int,
>;

/// A C MFA callback and its user data, as `Resolver::with_mfa_callback` wants it.
pub(crate) struct ForeignMfaCallback {
    callback: unsafe extern "C" fn(
        *mut c_void,
        *const c_char,
        *const c_char,
        *mut c_char,
        usize,
    ) -> c_int,
    userdata: *mut c_void,
}

// SAFETY: the C caller promises (codecommit_mfa_callback's docs) that the callback and
// its userdata may be used from any thread, and from several at once.
unsafe impl Send for ForeignMfaCallback {}
// SAFETY: as for Send.
unsafe impl Sync for ForeignMfaCallback {}

impl ForeignMfaCallback {
    /// Wraps `callback`, or `None` if it is NULL.
    pub(crate) fn new(
        callback: codecommit_mfa_callback,
        userdata: *mut c_void,
    ) -> Option<ForeignMfaCallback> {
        callback.map(|callback| ForeignMfaCallback { callback, userdata })
    }

    /// Asks the callback for the code of `serial`, the `mfa_serial` of `profile`.
    pub(crate) fn call(&self, profile: &str, serial: &str) -> Result<Option<String>, Error> {
        let failed = |why: &str| {
            Error::new(
                ErrorKind::MfaRequired,
                format!(
                    "the application's MFA callback for profile {} {why}",
                    shown(profile, MAX_SHOWN)
                ),
            )
        };
        let (Ok(c_profile), Ok(c_serial)) = (CString::new(profile), CString::new(serial)) else {
            return Err(failed(
                "cannot be asked: the profile name or mfa_serial contains a NUL byte",
            ));
        };
        let mut buffer = Zeroizing::new([0u8; CODECOMMIT_MFA_CODE_SIZE]);
        // SAFETY: the application set this callback with this userdata; the strings
        // and the buffer outlive the call, which writes at most `code_size` bytes.
        let status = unsafe {
            (self.callback)(
                self.userdata,
                c_profile.as_ptr(),
                c_serial.as_ptr(),
                buffer.as_mut_ptr().cast::<c_char>(),
                CODECOMMIT_MFA_CODE_SIZE,
            )
        };
        if status != 0 {
            return Ok(None);
        }
        let Some(end) = buffer.iter().position(|b| *b == 0) else {
            return Err(failed(&format!(
                "wrote a code without a NUL within {CODECOMMIT_MFA_CODE_SIZE} bytes"
            )));
        };
        let code = std::str::from_utf8(&buffer[..end])
            .map_err(|_| failed("wrote a code that is not UTF-8"))?;
        Ok(Some(code.to_owned()))
    }
}
