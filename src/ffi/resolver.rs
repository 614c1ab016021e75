//! `codecommit_signed_url` (the whole job in one call) and the `codecommit_resolver`
//! handle (the same, with the shared files parsed once for many remotes).

use std::ffi::{c_char, c_int, c_void};

use super::codecommit_credentials_callback;
use super::credentials::ForeignCallback;
use super::error::Fault;
use super::mfa::{ForeignMfaCallback, codecommit_mfa_callback};
use super::ptr::{Castable, free_boxed, to_boxed_ptr};
use super::sign::signing_time;
use crate::Resolver;

/// Signs a URL for a `codecommit://` remote, the whole job in one call, as
/// git-remote-codecommit does: from the process's environment variables and shared AWS
/// files (~/.aws/config, ~/.aws/credentials, or AWS_CONFIG_FILE and
/// AWS_SHARED_CREDENTIALS_FILE), signed now.
///
/// `remote` (borrowed for the call only) is any form git passes to the helper:
/// `codecommit://[profile@]repository`, `codecommit::REGION://[profile@]repository` or
/// `REGION://[profile@]repository`.
///
/// On success `*url_out` receives the signed URL: it holds a password valid for about
/// 15 minutes and any session token, so the caller owns it and must free it with
/// codecommit_string_free(), which wipes it. On failure `*url_out` is NULL and
/// `*error_out` receives the message (free it the same way), the same text as the Rust
/// error and, where git-remote-codecommit has one, as its message. Either output may be
/// NULL.
///
/// The files are read on every call; to sign many remotes, create a
/// codecommit_resolver once instead. Thread-safe, as long as no other thread changes
/// the environment (setenv) during the call.
///
/// Returns CODECOMMIT_AUTH_RESULT_OK; NULL_PARAMETER, INVALID_UTF8 or INVALID_ARGUMENT
/// for a bad `remote`; PANIC; or the code of whatever stopped the resolution, any code
/// from 200 up: the remote (MALFORMED_REMOTE, INVALID_REPOSITORY_NAME), the files
/// (CONFIG_PARSE, PROFILE_NOT_FOUND, ...), credentials (CREDENTIALS_NOT_FOUND,
/// SSO_LOGIN_REQUIRED, PROCESS_FAILED, ...), the region (REGION_NOT_FOUND, ...),
/// INVALID_SIGNING_TIME (the clock is outside 1970 to 9999), or an AWS service the
/// credentials come from (SERVICE_ERROR, NETWORK).
///
/// # Safety
///
/// `remote` is NULL or NUL-terminated; each output is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn codecommit_signed_url(
    remote: *const c_char,
    url_out: *mut *mut c_char,
    error_out: *mut *mut c_char,
) -> c_int {
    ffi_panic_boundary!(value_out: url_out, error_out: error_out, {
        let remote = try_str!(remote);
        Ok(Resolver::new().signed_url(remote)?)
    })
}

/// Resolves and signs `codecommit://` remotes from the process's environment and shared
/// AWS files, reading the files once.
///
/// Opaque. Create it with codecommit_resolver_new() or
/// codecommit_resolver_new_with_credentials_callback() (and give it an MFA callback with
/// codecommit_resolver_set_mfa_callback()), use it from any number of
/// threads at once, and free it with codecommit_resolver_free() once no thread uses it.
/// The shared files are read on first use and kept (with the derived signing keys)
/// until codecommit_resolver_reload(). codecommit_resolver_signed_url() also keeps each
/// remote's resolution (profile, region, host, credentials: what the environment
/// variables and files said) until codecommit_resolver_reload(), or until its
/// credentials come within 17 minutes of expiring, the longest refresh window of any
/// provider: from then on they are resolved again as the provider's rules say. A
/// resolver with a credentials callback keeps no resolution (the callback is asked on
/// every call), nor are credentials from the container endpoint, instance metadata or a
/// web identity token kept. codecommit_resolver_explain() always resolves afresh.
#[derive(Debug)]
pub struct codecommit_resolver {
    _private: [u8; 0],
}

impl Castable for codecommit_resolver {
    type RustType = Resolver;
}

impl codecommit_resolver {
    /// Creates a resolver for the running process: its environment variables, its
    /// shared AWS files and its clock. Nothing is read yet.
    ///
    /// On success `*resolver_out` receives the resolver, which the caller owns and frees
    /// with codecommit_resolver_free(); on failure it is set to NULL.
    ///
    /// Returns CODECOMMIT_AUTH_RESULT_OK, or NULL_PARAMETER (`resolver_out` is NULL),
    /// PANIC. Thread-safe.
    ///
    /// # Safety
    ///
    /// `resolver_out` is NULL or writable.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn codecommit_resolver_new(
        resolver_out: *mut *const codecommit_resolver,
    ) -> c_int {
        ffi_panic_boundary!(code: {
            let out = try_out!(resolver_out);
            *out = to_boxed_ptr::<codecommit_resolver>(Resolver::new());
            Ok(())
        })
    }

    /// Creates a resolver, like codecommit_resolver_new(), that asks `callback` for
    /// credentials before any other source (see codecommit_credentials_callback): for
    /// applications that hold credentials of their own.
    ///
    /// `userdata` is passed to every call of `callback` and never read by the library;
    /// it (and whatever it points at) must stay valid, and safe to use from the threads
    /// that use the resolver, until codecommit_resolver_free(). It may be NULL.
    ///
    /// On success `*resolver_out` receives the resolver, which the caller owns and frees
    /// with codecommit_resolver_free(); on failure it is set to NULL.
    ///
    /// Returns CODECOMMIT_AUTH_RESULT_OK, or NULL_PARAMETER (`callback` or
    /// `resolver_out` is NULL), PANIC. Thread-safe.
    ///
    /// # Safety
    ///
    /// `callback` and `userdata` follow codecommit_credentials_callback's rules;
    /// `resolver_out` is NULL or writable.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn codecommit_resolver_new_with_credentials_callback(
        callback: codecommit_credentials_callback,
        userdata: *mut c_void,
        resolver_out: *mut *const codecommit_resolver,
    ) -> c_int {
        ffi_panic_boundary!(code: {
            let out = try_out!(resolver_out);
            let callback =
                ForeignCallback::new(callback, userdata).ok_or_else(|| Fault::null("callback"))?;
            let resolver =
                Resolver::new().with_credentials_callback(move |profile| callback.call(profile));
            *out = to_boxed_ptr::<codecommit_resolver>(resolver);
            Ok(())
        })
    }

    /// Sets the callback that supplies MFA codes for roles with `mfa_serial` (see
    /// codecommit_mfa_callback), replacing any set before. With `callback` NULL, or
    /// none ever set, the resolver asks as git-remote-codecommit's users expect: an
    /// askpass program (GIT_ASKPASS, git's core.askPass, SSH_ASKPASS), else the
    /// controlling terminal (/dev/tty, never stdin or stdout), else the call fails with
    /// CODECOMMIT_AUTH_RESULT_MFA_REQUIRED.
    ///
    /// `userdata` is passed to every call of `callback` and never read by the library;
    /// it (and whatever it points at) must stay valid, and safe to use from the threads
    /// that use the resolver, until codecommit_resolver_free(), or until another
    /// codecommit_resolver_set_mfa_callback() returns and the resolver calls already
    /// running have returned. It may be NULL.
    ///
    /// Thread-safe: it may be called while other threads use the resolver; their calls
    /// finish with the callback they started with.
    ///
    /// Returns CODECOMMIT_AUTH_RESULT_OK, or NULL_PARAMETER (`resolver` is NULL), PANIC.
    ///
    /// # Safety
    ///
    /// `resolver` is NULL or a live resolver; `callback` and `userdata` follow
    /// codecommit_mfa_callback's rules.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn codecommit_resolver_set_mfa_callback(
        resolver: *const codecommit_resolver,
        callback: codecommit_mfa_callback,
        userdata: *mut c_void,
    ) -> c_int {
        ffi_panic_boundary!(code: {
            let resolver = try_ref!(resolver);
            let callback = ForeignMfaCallback::new(callback, userdata).map(|callback| {
                Box::new(move |profile: &str, serial: &str| callback.call(profile, serial))
                    as Box<crate::credentials::MfaCallback>
            });
            resolver.set_mfa_callback(callback);
            Ok(())
        })
    }

    /// Frees a resolver and everything it holds (parsed files, signing keys, which are
    /// wiped). NULL is a no-op.
    ///
    /// No other thread may use the resolver during or after the call. Strings the
    /// resolver returned are not affected: free them with codecommit_string_free().
    ///
    /// # Safety
    ///
    /// `resolver` is NULL or came from codecommit_resolver_new*() and was not freed yet.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn codecommit_resolver_free(resolver: *const codecommit_resolver) {
        ffi_panic_boundary!(or_default: {
            // SAFETY: by the contract above.
            unsafe { free_boxed(resolver) }
        })
    }

    /// Signs a URL for a `codecommit://` remote, like codecommit_signed_url(), with
    /// this resolver's files and callback, at a chosen time.
    ///
    /// `remote` is borrowed for the call only. `unix_seconds` is the signing time in
    /// seconds since 1970, or CODECOMMIT_SIGNING_TIME_NOW for the current time.
    ///
    /// On success `*url_out` receives the signed URL: it holds a password valid for about
    /// 15 minutes, so the caller owns it and must free it with codecommit_string_free(),
    /// which wipes it. On failure `*url_out` is NULL and `*error_out` receives the message
    /// (free it the same way). Either output may be NULL.
    ///
    /// Thread-safe: many threads may sign with one resolver at once.
    ///
    /// Returns CODECOMMIT_AUTH_RESULT_OK, or any code codecommit_signed_url() returns
    /// (INVALID_SIGNING_TIME for a `unix_seconds` outside 1970 to 9999); NULL_PARAMETER
    /// if `resolver` is NULL.
    ///
    /// # Safety
    ///
    /// `resolver` is NULL or a live resolver; `remote` is NULL or NUL-terminated; each
    /// output is NULL or writable.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn codecommit_resolver_signed_url(
        resolver: *const codecommit_resolver,
        remote: *const c_char,
        unix_seconds: i64,
        url_out: *mut *mut c_char,
        error_out: *mut *mut c_char,
    ) -> c_int {
        ffi_panic_boundary!(value_out: url_out, error_out: error_out, {
            let resolver = try_ref!(resolver);
            let remote = try_str!(remote);
            let time = signing_time(unix_seconds)?;
            Ok(resolver.signed_url_at(remote, time)?)
        })
    }

    /// Describes how a remote resolves, without signing it and without any secret: one
    /// "name: value" line per fact (remote, profile and why, region and where it came
    /// from, repository, host, credentials source, access key id, account, session,
    /// expiry), like the reference tool's --explain output. For people: the layout may
    /// change between versions.
    ///
    /// `remote` is borrowed for the call only. On success `*explanation_out` receives the
    /// text, which the caller owns and frees with codecommit_string_free(); on failure it
    /// is NULL and `*error_out` receives the message (free it the same way). Either output
    /// may be NULL. Thread-safe.
    ///
    /// Returns CODECOMMIT_AUTH_RESULT_OK, or the codes of codecommit_resolver_signed_url()
    /// but INVALID_SIGNING_TIME.
    ///
    /// # Safety
    ///
    /// `resolver` is NULL or a live resolver; `remote` is NULL or NUL-terminated; each
    /// output is NULL or writable.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn codecommit_resolver_explain(
        resolver: *const codecommit_resolver,
        remote: *const c_char,
        explanation_out: *mut *mut c_char,
        error_out: *mut *mut c_char,
    ) -> c_int {
        ffi_panic_boundary!(value_out: explanation_out, error_out: error_out, {
            let resolver = try_ref!(resolver);
            let remote = try_str!(remote);
            Ok(resolver.resolve(remote)?.explain())
        })
    }

    /// Forgets the parsed shared files and the cached signing keys, so the next call
    /// reads the files again: call it after they change.
    ///
    /// Thread-safe: calls running on other threads finish with what they had.
    ///
    /// Returns CODECOMMIT_AUTH_RESULT_OK, or NULL_PARAMETER (`resolver` is NULL), PANIC.
    ///
    /// # Safety
    ///
    /// `resolver` is NULL or a live resolver.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn codecommit_resolver_reload(
        resolver: *const codecommit_resolver,
    ) -> c_int {
        ffi_panic_boundary!(code: {
            try_ref!(resolver).reload();
            Ok(())
        })
    }
}
