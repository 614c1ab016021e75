//! The credentials callback: an `extern "C"` function here plays the host application.
//! Each scenario runs in a child with the fixture HOME (the resolver reads the shared
//! files before it asks for credentials).

use std::ffi::{CStr, c_char, c_int, c_void};
use std::ptr;
use std::sync::Mutex;

use codecommit_auth::ffi::{codecommit_credentials, codecommit_sign_url};

use crate::resolver::with_callback;
use crate::scenarios::{self, DEMO_TIME, DEMO_URL, VECTOR_TIME, VECTOR_TOKEN_URL, VECTOR_URL};
use crate::support::{cs, in_child, report, result};

/// What the callback does, and what it saw.
pub struct Behaviour {
    kind: String,
    profiles: Mutex<Vec<String>>,
    setter_codes: Mutex<Vec<c_int>>,
}

/// The callback: behaves as `userdata` (a `Behaviour`, or NULL for "vector") says.
pub unsafe extern "C" fn behave(
    userdata: *mut c_void,
    profile: *const c_char,
    credentials: *mut codecommit_credentials,
) -> c_int {
    // SAFETY: the library passes a NUL-terminated profile name for the call.
    let profile = unsafe { CStr::from_ptr(profile) }
        .to_str()
        .unwrap()
        .to_owned();
    // SAFETY: userdata is a Behaviour that outlives the resolver, or NULL.
    let behaviour = unsafe { userdata.cast::<Behaviour>().as_ref() };
    let kind = behaviour.map_or("vector", |b| b.kind.as_str());
    if let Some(b) = behaviour {
        b.profiles.lock().unwrap().push(profile);
    }
    let set = |key: Option<&CStr>, secret: Option<&CStr>, token: Option<&CStr>| {
        let p = |s: Option<&CStr>| s.map_or(ptr::null(), CStr::as_ptr);
        // SAFETY: the object the library passed; C strings or NULL.
        let code = unsafe {
            codecommit_credentials::codecommit_credentials_set(
                credentials,
                p(key),
                p(secret),
                p(token),
            )
        };
        if let Some(b) = behaviour {
            b.setter_codes.lock().unwrap().push(code);
        }
    };
    let expiry = |unix: i64| {
        // SAFETY: the object the library passed.
        let code =
            unsafe { codecommit_credentials::codecommit_credentials_set_expiry(credentials, unix) };
        if let Some(b) = behaviour {
            b.setter_codes.lock().unwrap().push(code);
        }
    };
    match kind {
        "vector" | "named-profile" => set(Some(c"access"), Some(c"secret"), None),
        "token" => set(Some(c"access"), Some(c"secret"), Some(c"token")),
        "decline" => {}
        "fail" => return 7,
        "null-secret" => set(Some(c"access"), None, None),
        "empty-key" => set(Some(c""), Some(c"secret"), None),
        "bad-token" => set(Some(c"access"), Some(c"secret"), Some(c"\xff")),
        "expiry" => {
            set(Some(c"access"), Some(c"secret"), Some(c"token"));
            expiry(2_000_000_000);
        }
        "bad-expiry" => {
            set(Some(c"access"), Some(c"secret"), None);
            expiry(-1);
        }
        "reentrant" => {
            // The library may be called from inside the callback.
            let mut url: *mut c_char = ptr::null_mut();
            // SAFETY: C strings, a writable output.
            let code = unsafe {
                codecommit_sign_url(
                    c"access".as_ptr(),
                    c"secret".as_ptr(),
                    ptr::null(),
                    c"us-west-2".as_ptr(),
                    c"test_repo".as_ptr(),
                    ptr::null(),
                    VECTOR_TIME,
                    &mut url,
                    ptr::null_mut(),
                )
            };
            let inner = crate::support::take(url);
            if code != 0 || inner.as_deref() != Some(VECTOR_URL) {
                return 99;
            }
            set(Some(c"access"), Some(c"secret"), None);
        }
        _ => return 98,
    }
    0
}

/// In the child: sign (and explain) with a callback resolver behaving as `kind`.
pub fn child(kind: &str) {
    let behaviour = Behaviour {
        kind: kind.to_owned(),
        profiles: Mutex::new(Vec::new()),
        setter_codes: Mutex::new(Vec::new()),
    };
    let (remote, unix) = remote_for(kind);
    {
        let handle = with_callback(ptr::from_ref(&behaviour).cast_mut().cast());
        let call = handle.sign(remote, unix);
        report("code", call.name());
        report("text", call.text());
        if kind == "expiry" {
            let call = handle.explain(remote);
            report("explain", call.text());
        }
    } // The resolver is freed before the behaviour it points at.
    report("profiles", &behaviour.profiles.lock().unwrap().join(","));
    let codes = behaviour.setter_codes.lock().unwrap();
    report(
        "setters",
        &codes
            .iter()
            .map(c_int::to_string)
            .collect::<Vec<_>>()
            .join(","),
    );
}

fn remote_for(kind: &str) -> (&'static str, i64) {
    match kind {
        "decline" => ("codecommit://demo@MyRepositoryName", DEMO_TIME),
        "named-profile" => ("codecommit::us-west-2://vector@test_repo", VECTOR_TIME),
        _ => ("codecommit::us-west-2://test_repo", VECTOR_TIME),
    }
}

/// Runs `kind` in a child with the fixture HOME; returns its results.
fn run(kind: &str) -> Vec<(String, String)> {
    let env = scenarios::scenario("vector").env();
    in_child(&format!("callback {kind}"), &env)
}

#[test]
fn callback_credentials_sign_the_vector() {
    for (kind, url) in [
        ("vector", VECTOR_URL),
        ("token", VECTOR_TOKEN_URL),
        ("reentrant", VECTOR_URL),
    ] {
        let results = run(kind);
        assert_eq!(result(&results, "code"), "ok", "{kind}: {results:?}");
        assert_eq!(result(&results, "text"), url, "{kind}");
        assert_eq!(result(&results, "profiles"), "default", "{kind}");
    }
}

#[test]
fn the_callback_gets_the_selected_profile() {
    let results = run("named-profile");
    assert_eq!(result(&results, "profiles"), "vector");
    assert_eq!(result(&results, "text"), VECTOR_URL);
}

#[test]
fn a_callback_that_sets_nothing_lets_the_files_decide() {
    let results = run("decline");
    assert_eq!(result(&results, "text"), DEMO_URL);
    assert_eq!(result(&results, "profiles"), "demo");
}

#[test]
fn a_failing_callback_stops_with_credentials_not_found() {
    let results = run("fail");
    assert_eq!(result(&results, "code"), "credentials_not_found");
    let text = result(&results, "text");
    assert!(
        text.contains("returned 7") && text.contains("default"),
        "{text}"
    );
}

#[test]
fn misused_setters_fail_the_resolution_with_malformed_credentials() {
    for (kind, setter_codes, says) in [
        ("null-secret", "100", "secret_access_key is NULL"),
        ("empty-key", "103", "access_key_id is an empty string"),
        ("bad-token", "101", "session_token is not valid UTF-8"),
        ("bad-expiry", "0,103", "outside 1970-01-01 to 9999-12-31"),
    ] {
        let results = run(kind);
        assert_eq!(result(&results, "setters"), setter_codes, "{kind}");
        assert_eq!(result(&results, "code"), "malformed_credentials", "{kind}");
        let text = result(&results, "text");
        assert!(text.contains(says), "{kind}: {text}");
    }
}

#[test]
fn an_expiry_shows_in_the_explanation() {
    let results = run("expiry");
    // Asked once for the URL and once more for the explanation: the resolver keeps
    // no credentials between calls.
    assert_eq!(result(&results, "setters"), "0,0,0,0");
    assert_eq!(result(&results, "text"), VECTOR_TOKEN_URL);
    let explain = result(&results, "explain");
    assert!(explain.contains("2033-05-18T03:33:20Z"), "{explain}");
    assert!(
        !explain.contains("secret") && !explain.contains("token\n"),
        "{explain}"
    );
}

#[test]
fn setters_check_their_strings_outside_a_resolution_too() {
    // Setters reached with a NULL object fail cleanly (no callback needed to show it);
    // valid strings on a real object are tested through the children above.
    let s = cs("x");
    // SAFETY: a NULL object is what is being tested.
    let code = unsafe {
        codecommit_credentials::codecommit_credentials_set(
            ptr::null_mut(),
            s.as_ptr(),
            ptr::null(),
            ptr::null(),
        )
    };
    assert_eq!(code, 100);
}
