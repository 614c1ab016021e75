//! The C ABI: error strings and explanations, and codecommit_string_free's wipe.

use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::ptr;

use codecommit_auth::ffi::{
    codecommit_credentials, codecommit_resolver, codecommit_sign_url, codecommit_string_free,
};

use super::zeroize::freed_copies;
use super::{MARK, NOW, assert_clean};

fn c(s: &str) -> CString {
    CString::new(s).unwrap()
}

/// Takes a string the library returned, frees it, and gives its text.
fn take(s: *mut c_char) -> Option<String> {
    if s.is_null() {
        return None;
    }
    // SAFETY: a NUL-terminated string from the library, freed once.
    let text = unsafe { CStr::from_ptr(s) }.to_string_lossy().into_owned();
    unsafe { codecommit_string_free(s) };
    Some(text)
}

/// `codecommit_sign_url` with key id `AKIDC` at [`NOW`]: the code and the library's own
/// URL and error strings, not yet freed.
fn sign_raw(
    secret: &str,
    token: &str,
    region: &str,
    repository: &str,
) -> (c_int, *mut c_char, *mut c_char) {
    let (mut url, mut error) = (ptr::null_mut(), ptr::null_mut());
    let (ak, sk, tok, reg, repo) = (c("AKIDC"), c(secret), c(token), c(region), c(repository));
    // SAFETY: valid strings, writable outputs.
    let rc = unsafe {
        codecommit_sign_url(
            ak.as_ptr(),
            sk.as_ptr(),
            tok.as_ptr(),
            reg.as_ptr(),
            repo.as_ptr(),
            ptr::null(),
            NOW as i64,
            &mut url,
            &mut error,
        )
    };
    (rc, url, error)
}

/// [`sign_raw`], with both strings taken (copied and freed).
fn sign(
    secret: &str,
    token: &str,
    region: &str,
    repository: &str,
) -> (c_int, Option<String>, Option<String>) {
    let (rc, url, error) = sign_raw(secret, token, region, repository);
    (rc, take(url), take(error))
}

#[test]
fn c_error_strings_never_carry_secrets() {
    let mut errors = Vec::new();
    for (region, repository) in [
        ("nowhere-1", "Repo"),
        ("eu-west-1", "../x"),
        ("eu-west-1", ""),
    ] {
        let (rc, url, error) = sign("SENTINEL-C-SECRET", "SENTINEL-C-TOKEN", region, repository);
        assert_ne!(rc, 0);
        assert!(url.is_none());
        errors.push(error.expect("an error string"));
    }
    // A time out of range, with secrets.
    let (mut url, mut error) = (ptr::null_mut(), ptr::null_mut());
    let (ak, sk, reg, repo) = (
        c("AKIDC"),
        c("SENTINEL-C-SECRET"),
        c("eu-west-1"),
        c("Repo"),
    );
    // SAFETY: as above.
    let rc = unsafe {
        codecommit_sign_url(
            ak.as_ptr(),
            sk.as_ptr(),
            ptr::null(),
            reg.as_ptr(),
            repo.as_ptr(),
            ptr::null(),
            -5,
            &mut url,
            &mut error,
        )
    };
    assert_ne!(rc, 0);
    assert!(take(url).is_none());
    errors.push(take(error).unwrap());
    // The success case carries them where they belong.
    let (rc, url, error) = sign("SENTINEL-C-SECRET", "SENTINEL-C-TOKEN", "eu-west-1", "Repo");
    assert_eq!((rc, error), (0, None));
    assert!(url.unwrap().contains("SENTINEL-C-TOKEN"));
    assert_clean("C error strings", &errors);
}

struct Supply {
    secret: CString,
    status: c_int,
    invalid_utf8: bool,
}

unsafe extern "C" fn supply(
    userdata: *mut c_void,
    _profile: *const c_char,
    out: *mut codecommit_credentials,
) -> c_int {
    // SAFETY: the &Supply registered with the resolver.
    let s = unsafe { &*(userdata as *const Supply) };
    let bad = c"SENTINEL-C-\xff";
    let secret = if s.invalid_utf8 {
        bad.as_ptr()
    } else {
        s.secret.as_ptr()
    };
    // SAFETY: the library's slot, NUL-terminated strings.
    unsafe {
        codecommit_credentials::codecommit_credentials_set(
            out,
            c"AKIDCB".as_ptr(),
            secret,
            c"SENTINEL-C-CB-TOKEN".as_ptr(),
        );
    }
    s.status
}

/// Runs one resolver with the callback: (signed_url result, explain result).
fn resolve(supply_with: Supply, remote: &str) -> Vec<(c_int, Option<String>, Option<String>)> {
    let mut resolver: *const codecommit_resolver = ptr::null();
    let remote = c(remote);
    let mut out = Vec::new();
    // SAFETY: `supply_with` outlives the resolver, freed below.
    unsafe {
        assert_eq!(
            codecommit_resolver::codecommit_resolver_new_with_credentials_callback(
                Some(supply),
                &supply_with as *const Supply as *mut c_void,
                &mut resolver,
            ),
            0
        );
        let (mut url, mut error) = (ptr::null_mut(), ptr::null_mut());
        let rc = codecommit_resolver::codecommit_resolver_signed_url(
            resolver,
            remote.as_ptr(),
            NOW as i64,
            &mut url,
            &mut error,
        );
        out.push((rc, take(url), take(error)));
        let (mut text, mut error) = (ptr::null_mut(), ptr::null_mut());
        let rc = codecommit_resolver::codecommit_resolver_explain(
            resolver,
            remote.as_ptr(),
            &mut text,
            &mut error,
        );
        out.push((rc, take(text), take(error)));
        codecommit_resolver::codecommit_resolver_free(resolver);
    }
    out
}

#[test]
fn c_resolver_errors_and_explanations_never_carry_secrets() {
    // The process environment decides the region; this binary sets no AWS variables,
    // so the remote names one.
    let remote = "eu-west-1://Repo";
    let good = resolve(
        Supply {
            secret: c("SENTINEL-C-CB-SECRET"),
            status: 0,
            invalid_utf8: false,
        },
        remote,
    );
    assert_eq!(good[0].0, 0);
    assert!(
        good[0].1.as_ref().unwrap().contains("SENTINEL-C-CB-TOKEN"),
        "the token reached the URL"
    );
    assert_eq!(good[1].0, 0);
    let mut views = vec![good[1].1.clone().unwrap()];
    for (supply_with, remote) in [
        (
            Supply {
                secret: c("SENTINEL-C-CB-SECRET"),
                status: 7,
                invalid_utf8: false,
            },
            remote,
        ),
        (
            Supply {
                secret: c("SENTINEL-C-CB-SECRET"),
                status: 0,
                invalid_utf8: true,
            },
            remote,
        ),
        (
            Supply {
                secret: c("SENTINEL-C-CB-SECRET"),
                status: 0,
                invalid_utf8: false,
            },
            "eu-west-1://../x",
        ),
    ] {
        for (rc, value, error) in resolve(supply_with, remote) {
            assert_ne!(rc, 0);
            assert!(value.is_none());
            views.push(error.expect("an error string"));
        }
    }
    assert!(views.iter().all(|v| !v.is_empty()));
    assert_clean("C resolver strings", &views);
    assert!(!MARK.is_empty());
}

/// codecommit_string_free overwrites the whole string before freeing it.
#[test]
fn c_strings_are_wiped_when_freed() {
    let (rc, url, error) = sign_raw("s", "SENTINEL-Z-CURL", "eu-west-1", "Repo");
    assert!(error.is_null());
    assert_eq!(rc, 0);
    // SAFETY: the URL string, freed once.
    let found = freed_copies("SENTINEL-Z-CURL", || unsafe { codecommit_string_free(url) });
    assert_eq!(
        found, 0,
        "codecommit_string_free left the token in freed memory"
    );
}
