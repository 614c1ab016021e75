//! The C ABI: the extern functions called as a C program would, with fuzz-derived
//! strings (any bytes, invalid UTF-8 included), NULLs and times.
//!
//! Input: a control byte, eight bytes of signing time (little-endian i64), then
//! NUL-separated fields: remote, access key id, secret, session token, region,
//! repository, host. Control bits: 0 — through a resolver whose credentials callback
//! supplies the fields (else `codecommit_sign_url`); 1 — NULL session token; 2 — NULL
//! host; 3 — the callback supplies nothing; 4 — the callback sets an expiry of the same
//! time; 5 — NULL `error_out`.
//!
//! Checked for every call: a result code with a name; `OK` exactly when the output was
//! written and no error string was; an error string (when asked for) otherwise, free of
//! the secret; everything freed with `codecommit_string_free`.
#![no_main]

use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::ptr;
use std::sync::Once;

use codecommit_auth::ffi::{
    codecommit_credentials, codecommit_error_name, codecommit_resolver, codecommit_sign_url,
    codecommit_signed_url, codecommit_string_free,
};
use libfuzzer_sys::fuzz_target;

/// The process environment the OS-backed resolver reads: no files, no credentials, no
/// instance metadata, a region.
fn isolate() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: called once, before the first resolver exists, from the fuzzing thread.
        unsafe {
            for (k, v) in [
                ("HOME", "/nonexistent/codecommit-auth-fuzz"),
                ("AWS_CONFIG_FILE", ""),
                ("AWS_SHARED_CREDENTIALS_FILE", ""),
                ("AWS_EC2_METADATA_DISABLED", "true"),
                ("AWS_DEFAULT_REGION", "eu-west-1"),
            ] {
                std::env::set_var(k, v);
            }
            for k in [
                "AWS_ACCESS_KEY_ID",
                "AWS_SECRET_ACCESS_KEY",
                "AWS_SESSION_TOKEN",
                "AWS_PROFILE",
                "AWS_DEFAULT_PROFILE",
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                "AWS_WEB_IDENTITY_TOKEN_FILE",
                "AWS_ROLE_ARN",
                "AWS_CREDENTIAL_FILE",
                "BOTO_CONFIG",
                "CODE_COMMIT_ENDPOINT",
            ] {
                std::env::remove_var(k);
            }
        }
    });
}

struct Fields {
    access: CString,
    secret: CString,
    token: Option<CString>,
    supply: bool,
    expiry: Option<i64>,
}

unsafe extern "C" fn callback(
    userdata: *mut c_void,
    profile: *const c_char,
    out: *mut codecommit_credentials,
) -> c_int {
    // SAFETY: userdata is the &Fields given at registration, alive for the resolver.
    let fields = unsafe { &*(userdata as *const Fields) };
    assert!(!profile.is_null());
    if fields.supply {
        let token = fields.token.as_ref().map_or(ptr::null(), |t| t.as_ptr());
        // SAFETY: `out` is the library's slot; the strings are NUL-terminated.
        unsafe {
            codecommit_credentials::codecommit_credentials_set(
                out,
                fields.access.as_ptr(),
                fields.secret.as_ptr(),
                token,
            );
            if let Some(t) = fields.expiry {
                codecommit_credentials::codecommit_credentials_set_expiry(out, t);
            }
        }
    }
    0
}

/// Checks a call's outputs and frees them.
fn outcome(rc: c_int, value: *mut c_char, error: *mut c_char, asked_error: bool, secret: &[u8]) {
    let name = codecommit_error_name(rc);
    assert!(!name.is_null());
    // SAFETY: static, NUL-terminated.
    let name = unsafe { CStr::from_ptr(name) }.to_str().unwrap();
    assert_ne!(name, "unknown", "code {rc} has no name");
    if rc == 0 {
        assert!(!value.is_null(), "OK without a value");
        assert!(error.is_null(), "OK with an error string");
    } else {
        assert!(value.is_null(), "{name} with a value");
        if asked_error {
            assert!(!error.is_null(), "{name} without an error string");
            // SAFETY: the library's NUL-terminated string.
            let text = unsafe { CStr::from_ptr(error) }.to_bytes();
            assert!(!text.is_empty(), "{name}: empty error string");
            if secret.len() >= 8 {
                assert!(
                    !text.windows(secret.len()).any(|w| w == secret),
                    "{name}: the error shows the secret"
                );
            }
        }
    }
    // SAFETY: strings from this library (or NULL), each freed once.
    unsafe {
        codecommit_string_free(value);
        codecommit_string_free(error);
    }
}

fuzz_target!(|data: &[u8]| {
    isolate();
    if data.len() < 9 {
        return;
    }
    let control = data[0];
    let time = i64::from_le_bytes(data[1..9].try_into().unwrap());
    let mut parts = data[9..]
        .split(|&b| b == 0)
        .map(|p| CString::new(p).unwrap());
    let mut next = || parts.next().unwrap_or_default();
    let (remote, access, secret, token, region, repository, host) =
        (next(), next(), next(), next(), next(), next(), next());
    let token = (control & 2 == 0).then_some(token);
    let host = (control & 4 == 0).then_some(host);
    let ask_error = control & 32 == 0;
    let secret_bytes = secret.as_bytes().to_vec();
    // The secret may also be another field; then the library may rightly show it.
    let others = [&remote, &access, &region, &repository];
    let shown_elsewhere = others.iter().any(|o| {
        o.as_bytes()
            .windows(secret_bytes.len().max(1))
            .any(|w| w == secret_bytes.as_slice())
    }) || host.as_ref().is_some_and(|h| {
        h.as_bytes()
            .windows(secret_bytes.len().max(1))
            .any(|w| w == secret_bytes.as_slice())
    });
    // Only a distinctive secret is checked (see fuzz_support): one that could not also
    // be a piece of a message's own text.
    let distinctive = secret_bytes.windows(8).any(|w| w == b"SENTINEL");
    let check_secret: &[u8] = if shown_elsewhere || !distinctive {
        &[]
    } else {
        &secret_bytes
    };

    let mut value: *mut c_char = ptr::null_mut();
    let mut error: *mut c_char = ptr::null_mut();
    let error_out = if ask_error {
        &mut error as *mut _
    } else {
        ptr::null_mut()
    };

    if control & 1 == 0 {
        // SAFETY: valid NUL-terminated strings or NULL, writable outputs.
        let rc = unsafe {
            codecommit_sign_url(
                access.as_ptr(),
                secret.as_ptr(),
                token.as_ref().map_or(ptr::null(), |t| t.as_ptr()),
                region.as_ptr(),
                repository.as_ptr(),
                host.as_ref().map_or(ptr::null(), |h| h.as_ptr()),
                time,
                &mut value,
                error_out,
            )
        };
        outcome(rc, value, error, ask_error, check_secret);
        // The one-call entry point over the isolated environment: never a URL here.
        let (mut value, mut error) = (ptr::null_mut(), ptr::null_mut());
        // SAFETY: as above.
        let rc = unsafe { codecommit_signed_url(remote.as_ptr(), &mut value, &mut error) };
        assert_ne!(rc, 0, "a URL without credentials");
        outcome(rc, value, error, true, check_secret);
        return;
    }

    let fields = Fields {
        access,
        secret,
        token,
        supply: control & 8 == 0,
        expiry: (control & 16 != 0).then_some(time),
    };
    let mut resolver: *const codecommit_resolver = ptr::null();
    // SAFETY: `fields` outlives the resolver, which is freed below.
    let rc = unsafe {
        codecommit_resolver::codecommit_resolver_new_with_credentials_callback(
            Some(callback),
            &fields as *const Fields as *mut c_void,
            &mut resolver,
        )
    };
    assert_eq!(rc, 0);
    // SAFETY: a live resolver, valid strings, writable outputs.
    unsafe {
        let rc = codecommit_resolver::codecommit_resolver_signed_url(
            resolver,
            remote.as_ptr(),
            time,
            &mut value,
            error_out,
        );
        outcome(rc, value, error, ask_error, check_secret);
        let (mut explanation, mut error) = (ptr::null_mut(), ptr::null_mut());
        let rc = codecommit_resolver::codecommit_resolver_explain(
            resolver,
            remote.as_ptr(),
            &mut explanation,
            &mut error,
        );
        if rc == 0 && !check_secret.is_empty() {
            let text = CStr::from_ptr(explanation).to_bytes();
            assert!(
                !text.windows(check_secret.len()).any(|w| w == check_secret),
                "explain shows the secret"
            );
        }
        outcome(rc, explanation, error, true, check_secret);
        codecommit_resolver::codecommit_resolver_free(resolver);
    }
});
