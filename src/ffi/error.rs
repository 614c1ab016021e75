//! Result codes: one per [`ErrorKind`], plus the faults of the boundary itself.
//!
//! The numbers are stable. They come in bands so C code can sort a code without a
//! table: 0 success; 100s the call itself was wrong or broke (NULL, UTF-8, a caught
//! panic, an invalid argument); 200s the remote; 300s the shared config files; 400s
//! credentials; 500s region and endpoint; 600s signing; 700s talking to AWS services
//! (the SSO portal, SSO OIDC, STS), apart from credentials because a C caller may retry
//! those. A retired number stays behind as a comment and is never reused.
//!
//! # Adding an error kind
//!
//! [`ErrorKind`] is `#[non_exhaustive]`, but inside this crate that forces no wildcard:
//! the `match` that [`codes!`] generates lists every kind, so a new kind fails to compile
//! here until it has (1) a row in the `codes!` table below and (2) its variant, with a
//! number in its band and a doc line, in [`codecommit_auth_result`] (which cbindgen
//! reads as written, so it cannot come out of the macro). Then regenerate the header:
//! `UPDATE_HEADER=1 cargo test --test header`.

use std::ffi::{CStr, c_char, c_int};

use crate::error::{Error, ErrorKind};

/// The result of a call: `CODECOMMIT_AUTH_RESULT_OK` (0) or what went wrong.
///
/// Functions return these values as `int`. The numbers are stable; new ones may be
/// added, so treat an unknown code as a failure (`codecommit_error_name()` returns
/// "unknown" for it). They come in bands: 100s the call itself was wrong; 200s the
/// remote; 300s the shared config files; 400s credentials; 500s region and endpoint;
/// 600s signing; 700s AWS services (the SSO portal, STS) could not be used, which may
/// be worth retrying. The message given through `error_out` says more, and says what
/// to do.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum codecommit_auth_result {
    /// Success.
    Ok = 0,

    /// A pointer that must not be NULL was NULL.
    NullParameter = 100,
    /// A string argument was not valid UTF-8.
    InvalidUtf8 = 101,
    /// An internal error (a Rust panic) was caught at the boundary. Please report it,
    /// with the message. The library stays usable.
    Panic = 102,
    /// An argument was out of range: an empty string, a string longer than
    /// CODECOMMIT_MAX_INPUT_LEN, or a number the function does not accept.
    InvalidArgument = 103,

    /// The remote is not `codecommit://[profile@]repository`,
    /// `codecommit::REGION://[profile@]repository` or `REGION://[profile@]repository`.
    MalformedRemote = 200,
    /// The repository name breaks CodeCommit's rules (1 to 100 letters, digits, '.',
    /// '_' or '-'; "." and ".." alone are refused too).
    InvalidRepositoryName = 201,

    /// A shared config or credentials file could not be read.
    ConfigRead = 300,
    /// A shared config or credentials file is not valid; the message names file and line.
    ConfigParse = 301,
    /// The profile does not exist; the message lists the available ones.
    ProfileNotFound = 302,
    /// A profile's settings contradict each other or are incomplete.
    InvalidConfig = 303,
    /// The configuration asks for something this library does not do (yet).
    Unsupported = 304,

    /// No source gave credentials for the profile.
    CredentialsNotFound = 400,
    /// A source gave an access key without its secret, or similar.
    PartialCredentials = 401,
    /// The credentials have expired and cannot be refreshed.
    CredentialsExpired = 402,
    /// A credentials source gave data that cannot be used (including a credentials
    /// callback that called codecommit_credentials_set() wrongly).
    MalformedCredentials = 403,
    /// The SSO login behind the profile is missing, expired or was rejected: run
    /// `aws sso login --profile NAME` (the message names the profile).
    SsoLoginRequired = 404,
    /// A role needs an MFA code (`mfa_serial`), no cached session serves it, and no
    /// code was had (no MFA callback, askpass program or terminal answered), or STS
    /// refused the code given (the message says which).
    MfaRequired = 405,
    /// `credential_process` could not start, exited non-zero, hung, or wrote output
    /// that is not the credential JSON.
    ProcessFailed = 406,
    /// The `aws login` session behind the profile is missing, expired or its credentials
    /// changed: run `aws login --profile NAME` (the message names the profile).
    LoginRequired = 407,

    /// Neither the remote nor the profile gives a region.
    RegionNotFound = 500,
    /// CodeCommit is not offered in the region.
    RegionNotAvailable = 501,
    /// FIPS endpoints were asked for, but the region has no FIPS Git host.
    FipsNotAvailable = 502,

    /// The signing time is before 1970 or after 9999.
    InvalidSigningTime = 600,

    /// An AWS service (the SSO portal, SSO OIDC, STS) answered with an error; the message
    /// carries its code and text.
    ServiceError = 700,
    /// An AWS service could not be reached: connection refused, DNS, TLS, timeout.
    Network = 701,
}

/// Generates the kind → code `match`, and the table of every code with its name.
macro_rules! codes {
    (
        boundary { $($b:ident => $bname:literal,)* }
        kinds { $($k:ident => $kname:literal,)* }
    ) => {
        impl codecommit_auth_result {
            /// The code for an error of `kind`.
            pub(crate) fn from_kind(kind: ErrorKind) -> codecommit_auth_result {
                // No `_` arm: a new ErrorKind must get a code before this compiles.
                match kind {
                    $(ErrorKind::$k => codecommit_auth_result::$k,)*
                }
            }
        }

        /// Every code and its static name.
        pub(crate) const CODES: &[(codecommit_auth_result, &CStr)] = &[
            $((codecommit_auth_result::$b, $bname),)*
            $((codecommit_auth_result::$k, $kname),)*
        ];
    };
}

codes! {
    boundary {
        Ok => c"ok",
        NullParameter => c"null_parameter",
        InvalidUtf8 => c"invalid_utf8",
        Panic => c"panic",
        InvalidArgument => c"invalid_argument",
    }
    // One row per ErrorKind; the names are ErrorKind::name()'s (a test checks).
    kinds {
        MalformedRemote => c"malformed_remote",
        InvalidRepositoryName => c"invalid_repository_name",
        ConfigRead => c"config_read",
        ConfigParse => c"config_parse",
        ProfileNotFound => c"profile_not_found",
        InvalidConfig => c"invalid_config",
        Unsupported => c"unsupported",
        CredentialsNotFound => c"credentials_not_found",
        PartialCredentials => c"partial_credentials",
        CredentialsExpired => c"credentials_expired",
        MalformedCredentials => c"malformed_credentials",
        SsoLoginRequired => c"sso_login_required",
        MfaRequired => c"mfa_required",
        ProcessFailed => c"process_failed",
        LoginRequired => c"login_required",
        RegionNotFound => c"region_not_found",
        RegionNotAvailable => c"region_not_available",
        FipsNotAvailable => c"fips_not_available",
        InvalidSigningTime => c"invalid_signing_time",
        ServiceError => c"service_error",
        Network => c"network",
    }
}

impl codecommit_auth_result {
    /// The code with this number, if there is one.
    pub(crate) fn from_code(code: c_int) -> Option<codecommit_auth_result> {
        CODES
            .iter()
            .map(|&(c, _)| c)
            .find(|&c| c_int::from(c) == code)
    }

    /// The static name of this code, e.g. `profile_not_found`.
    pub(crate) fn name(self) -> &'static CStr {
        CODES
            .iter()
            .find(|&&(c, _)| c == self)
            .map_or(c"unknown", |&(_, name)| name)
    }
}

impl From<codecommit_auth_result> for c_int {
    fn from(code: codecommit_auth_result) -> c_int {
        // Every value is below 1000.
        code as c_int
    }
}

/// Returns a static, human-readable name for a result code, e.g. "profile_not_found"
/// for CODECOMMIT_AUTH_RESULT_PROFILE_NOT_FOUND, "ok" for 0, "unknown" for any number
/// that is not a code.
///
/// The names are the lower-case form of the constants without their prefix, and are as
/// stable as the codes; they are the same as the Rust `ErrorKind::name()`. Use them in
/// logs; show people the message from `error_out` instead.
///
/// Returns a pointer to a static NUL-terminated string: never NULL, never freed, valid
/// for the life of the process. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn codecommit_error_name(code: c_int) -> *const c_char {
    ffi_panic_boundary!(or_default: {
        codecommit_auth_result::from_code(code)
            .map_or(c"unknown", codecommit_auth_result::name)
            .as_ptr()
    })
}

/// A failure at the boundary: the code to return and the message for `error_out`.
#[derive(Debug)]
pub(crate) struct Fault {
    code: codecommit_auth_result,
    message: String,
}

impl Fault {
    /// The code to return.
    pub(crate) fn code(&self) -> codecommit_auth_result {
        self.code
    }

    /// The message for `error_out`.
    pub(crate) fn message(&self) -> &str {
        &self.message
    }

    #[cold]
    pub(crate) fn null(name: &str) -> Fault {
        Fault {
            code: codecommit_auth_result::NullParameter,
            message: format!("{name} is NULL"),
        }
    }

    #[cold]
    pub(crate) fn utf8(name: &str, valid_up_to: usize) -> Fault {
        Fault {
            code: codecommit_auth_result::InvalidUtf8,
            message: format!("{name} is not valid UTF-8 (invalid byte at offset {valid_up_to})"),
        }
    }

    #[cold]
    pub(crate) fn empty(name: &str) -> Fault {
        Fault::invalid(format!(
            "{name} is an empty string; pass a value, or NULL where the parameter is optional"
        ))
    }

    #[cold]
    pub(crate) fn too_long(name: &str) -> Fault {
        Fault::invalid(format!(
            "{name} is longer than CODECOMMIT_MAX_INPUT_LEN ({} bytes)",
            super::CODECOMMIT_MAX_INPUT_LEN
        ))
    }

    #[cold]
    pub(crate) fn invalid(message: String) -> Fault {
        Fault {
            code: codecommit_auth_result::InvalidArgument,
            message,
        }
    }

    #[cold]
    pub(crate) fn panic(payload: &str) -> Fault {
        Fault {
            code: codecommit_auth_result::Panic,
            message: format!(
                "internal error: codecommit_auth panicked ({payload}); the call had no \
                 effect, please report this"
            ),
        }
    }
}

impl From<Error> for Fault {
    /// The kind's code, and the text the Rust error displays.
    #[cold]
    fn from(e: Error) -> Fault {
        Fault {
            code: codecommit_auth_result::from_kind(e.kind()),
            message: e.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::error::ALL_KINDS;

    #[test]
    fn every_kind_has_its_own_code_in_an_error_band() {
        let mut seen = HashSet::new();
        for &kind in ALL_KINDS {
            let code = codecommit_auth_result::from_kind(kind);
            assert!(seen.insert(code), "{kind:?} shares code {code:?}");
            assert!(
                (200..800).contains(&(code as u32)),
                "{kind:?} → {}",
                code as u32
            );
        }
    }

    #[test]
    fn kind_codes_carry_the_kind_names() {
        for &kind in ALL_KINDS {
            let code = codecommit_auth_result::from_kind(kind);
            assert_eq!(code.name().to_str().unwrap(), kind.name(), "{kind:?}");
        }
    }

    #[test]
    fn every_code_is_unique_named_and_round_trips() {
        let mut numbers = HashSet::new();
        let mut names = HashSet::new();
        for &(code, name) in CODES {
            assert!(numbers.insert(code as u32), "{code:?} listed twice");
            assert!(names.insert(name), "{name:?} used twice");
            assert_eq!(codecommit_auth_result::from_code(code.into()), Some(code));
            // SAFETY: the function returns a static C string.
            let got = unsafe { CStr::from_ptr(codecommit_error_name(code.into())) };
            assert_eq!(got, name);
        }
        // The table covers the boundary codes and every kind, nothing else.
        assert_eq!(CODES.len(), 5 + ALL_KINDS.len());
    }

    #[test]
    fn unknown_codes_are_named_unknown() {
        for code in [-1, 1, 99, 104, 199, 602, 799, 800, c_int::MAX, c_int::MIN] {
            assert_eq!(codecommit_auth_result::from_code(code), None);
            // SAFETY: static C string.
            let got = unsafe { CStr::from_ptr(codecommit_error_name(code)) };
            assert_eq!(got, c"unknown");
        }
    }

    #[test]
    fn errors_keep_their_display_text() {
        let err = crate::Remote::parse("github://x").unwrap_err();
        let text = err.to_string();
        let fault = Fault::from(err);
        assert_eq!(fault.code(), codecommit_auth_result::MalformedRemote);
        assert_eq!(fault.message(), text);
    }
}
