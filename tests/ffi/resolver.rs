//! `codecommit_signed_url` and the `codecommit_resolver` functions.
//!
//! Misuse and the checks made before any file is read run here. Everything that reads
//! the environment runs in a child (`child` below, started by `support::in_child`) with
//! the fixture `HOME` (see `scenarios.rs`).

use std::ffi::{c_char, c_int, c_void};
use std::ptr;

use codecommit_auth::Remote;
use codecommit_auth::ffi::{
    CODECOMMIT_SIGNING_TIME_NOW, codecommit_credentials, codecommit_resolver, codecommit_signed_url,
};

use crate::scenarios::{self, SCENARIOS, outcome_in};
use crate::support::{Call, bad_strings, call, child_action, cs, in_child, report, result};

/// A resolver, freed on drop.
pub struct Handle(pub *const codecommit_resolver);

impl Handle {
    pub fn new() -> Handle {
        let mut out: *const codecommit_resolver = ptr::dangling();
        // SAFETY: a writable output.
        assert_eq!(
            unsafe { codecommit_resolver::codecommit_resolver_new(&mut out) },
            0
        );
        assert!(!out.is_null());
        Handle(out)
    }

    pub fn sign(&self, remote: &str, unix: i64) -> Call {
        let remote = cs(remote);
        // SAFETY: a live resolver (or NULL), a C string, writable outputs.
        call(|url, error| unsafe {
            codecommit_resolver::codecommit_resolver_signed_url(
                self.0,
                remote.as_ptr(),
                unix,
                url,
                error,
            )
        })
    }

    pub fn explain(&self, remote: &str) -> Call {
        let remote = cs(remote);
        // SAFETY: as for sign.
        call(|text, error| unsafe {
            codecommit_resolver::codecommit_resolver_explain(self.0, remote.as_ptr(), text, error)
        })
    }

    pub fn reload(&self) -> c_int {
        // SAFETY: a live resolver or NULL.
        unsafe { codecommit_resolver::codecommit_resolver_reload(self.0) }
    }
}

// SAFETY: the C API promises a resolver may be used from many threads at once; the
// thread tests check that promise.
unsafe impl Sync for Handle {}
// SAFETY: as for Sync.
unsafe impl Send for Handle {}

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: ours, freed once; NULL is allowed.
        unsafe { codecommit_resolver::codecommit_resolver_free(self.0) };
    }
}

/// `codecommit_signed_url(remote)`.
pub fn signed_url(remote: &str) -> Call {
    let remote = cs(remote);
    // SAFETY: a C string and writable outputs.
    call(|url, error| unsafe { codecommit_signed_url(remote.as_ptr(), url, error) })
}

#[test]
fn new_and_free() {
    let handle = Handle::new();
    drop(handle);
    // SAFETY: NULL is a no-op.
    unsafe { codecommit_resolver::codecommit_resolver_free(ptr::null()) };
}

#[test]
fn null_outputs_and_handles_are_refused() {
    // SAFETY: NULL outputs and handles are what is being tested.
    unsafe {
        assert_eq!(
            codecommit_resolver::codecommit_resolver_new(ptr::null_mut()),
            100
        );
        assert_eq!(
            codecommit_resolver::codecommit_resolver_reload(ptr::null()),
            100
        );
    }
    let none = Handle(ptr::null());
    let call = none.sign("codecommit://r", 0);
    assert_eq!(
        (call.name(), call.error()),
        ("null_parameter", "resolver is NULL")
    );
    let call = none.explain("codecommit://r");
    assert_eq!(
        (call.name(), call.error()),
        ("null_parameter", "resolver is NULL")
    );
    std::mem::forget(none);
}

#[test]
fn a_null_callback_is_refused_and_the_output_cleared() {
    let mut out: *const codecommit_resolver = ptr::dangling();
    // SAFETY: a NULL callback is what is being tested; the output is writable.
    let code = unsafe {
        codecommit_resolver::codecommit_resolver_new_with_credentials_callback(
            None,
            ptr::null_mut(),
            &mut out,
        )
    };
    assert_eq!(code, 100);
    assert!(out.is_null(), "resolver_out is NULL on failure");
    // SAFETY: a valid callback, a NULL output.
    let code = unsafe {
        codecommit_resolver::codecommit_resolver_new_with_credentials_callback(
            Some(crate::callback::behave),
            ptr::null_mut(),
            ptr::null_mut(),
        )
    };
    assert_eq!(code, 100);
}

#[test]
fn reload_of_a_fresh_resolver_is_ok() {
    assert_eq!(Handle::new().reload(), 0);
}

#[test]
fn null_and_bad_remotes_are_refused_by_every_entry_point() {
    let handle = Handle::new();
    // SAFETY: NULL remotes are what is being tested.
    let calls = unsafe {
        [
            call(|u, e| codecommit_signed_url(ptr::null(), u, e)),
            call(|u, e| {
                codecommit_resolver::codecommit_resolver_signed_url(handle.0, ptr::null(), 0, u, e)
            }),
            call(|u, e| {
                codecommit_resolver::codecommit_resolver_explain(handle.0, ptr::null(), u, e)
            }),
        ]
    };
    for call in calls {
        assert_eq!(
            (call.name(), call.error()),
            ("null_parameter", "remote is NULL")
        );
    }
    for (what, remote, code) in bad_strings() {
        let remote_ptr: *const c_char = remote.as_ptr();
        // SAFETY: C strings, writable outputs.
        let calls = unsafe {
            [
                call(|u, e| codecommit_signed_url(remote_ptr, u, e)),
                call(|u, e| {
                    codecommit_resolver::codecommit_resolver_signed_url(
                        handle.0, remote_ptr, 0, u, e,
                    )
                }),
                call(|u, e| {
                    codecommit_resolver::codecommit_resolver_explain(handle.0, remote_ptr, u, e)
                }),
            ]
        };
        for call in calls {
            assert_eq!(call.name(), code, "{what}");
            assert!(
                call.error().starts_with("remote "),
                "{what}: {}",
                call.error()
            );
        }
    }
}

/// These fail at the first step, before any file is read, so they run here.
#[test]
fn malformed_remotes_give_the_rust_message_without_reading_files() {
    let handle = Handle::new();
    for remote in [
        "codecommit:/x",
        "codecommit://",
        "git@host:r",
        "codecommit::codecommit://r",
        "codecommit://[r]",
        "codecommit://re\tpo",
    ] {
        let message = Remote::parse(remote).unwrap_err().to_string();
        for call in [
            signed_url(remote),
            handle.sign(remote, 0),
            handle.sign(remote, CODECOMMIT_SIGNING_TIME_NOW),
            handle.explain(remote),
        ] {
            assert_eq!(call.name(), "malformed_remote", "{remote}");
            assert_eq!(call.error(), message);
        }
    }
}

#[test]
fn a_bad_signing_time_is_refused_before_the_remote_is_resolved() {
    let handle = Handle::new();
    for unix in [-1, i64::MAX, CODECOMMIT_SIGNING_TIME_NOW + 1] {
        let call = handle.sign("codecommit://vector@test_repo", unix);
        assert_eq!(call.name(), "invalid_signing_time", "{unix}");
    }
}

#[test]
fn null_setter_targets_are_refused() {
    // SAFETY: a NULL object is what is being tested.
    unsafe {
        let s = cs("x");
        let code = codecommit_credentials::codecommit_credentials_set(
            ptr::null_mut(),
            s.as_ptr(),
            s.as_ptr(),
            ptr::null(),
        );
        assert_eq!(code, 100);
        let code = codecommit_credentials::codecommit_credentials_set_expiry(ptr::null_mut(), 0);
        assert_eq!(code, 100);
    }
}

/// Each scenario (one per result code of the library) in a child with its environment,
/// through the resolver (at the scenario's time) and the one-call function (now).
#[test]
fn every_scenario_through_both_entry_points() {
    let mut failures = Vec::new();
    for s in SCENARIOS {
        let results = in_child(&format!("sign {}", s.name), &s.env());
        let (code, text) = (result(&results, "code"), result(&results, "text"));
        failures.extend(scenarios::check(s, code, text));

        // The one-call function signs now: same outcome, but for the time.
        if s.expect == "invalid_signing_time" {
            continue;
        }
        let (now_code, now_text) = (result(&results, "now_code"), result(&results, "now_text"));
        if now_code != code {
            failures.push(format!(
                "{}: one-call gave {now_code}, resolver {code}",
                s.name
            ));
        } else if code == "ok" {
            let user = |u: &str| u[..u.find(':').unwrap() + 1].to_owned();
            let rest = |u: &str| u[u.find('@').unwrap()..].to_owned();
            if (user(now_text), rest(now_text)) != (user(text), rest(text)) {
                failures.push(format!("{}: one-call URL {now_text} vs {text}", s.name));
            }
        } else if now_text != text {
            failures.push(format!("{}: one-call said {now_text:?}", s.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The explanation is the Rust API's, and holds no secret.
#[test]
fn explain_describes_without_secrets() {
    let s = scenarios::scenario("demo_profile");
    let results = in_child("explain demo_profile", &s.env());
    let (code, text) = (result(&results, "code"), result(&results, "text"));
    let rust = outcome_in(&s.env(), |r| Ok(r.resolve(s.remote)?.explain()));
    assert!(rust.agrees(code, text), "C {code} {text:?}\nRust {rust:?}");
    assert_eq!(code, "ok");
    assert!(
        text.contains("profile      demo (named in the remote)"),
        "{text}"
    );
    assert!(!text.contains("wJalrXUtnFEMI"), "a secret in {text}");
}

/// A resolver keeps the files it read until codecommit_resolver_reload.
#[test]
fn reload_reads_changed_files() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("ffi-reload");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("credentials.{}", std::process::id()));
    let mut env = scenarios::scenario("vector").env();
    env.push((
        "AWS_SHARED_CREDENTIALS_FILE".into(),
        file.to_string_lossy().into(),
    ));
    let results = in_child("reload", &env);
    let steps = ["first", "cached", "reloaded"].map(|k| result(&results, k).to_owned());
    assert!(steps[0].starts_with("ok https://access:"), "{steps:?}");
    assert_eq!(steps[1], steps[0], "the change is not seen before reload");
    assert!(steps[2].starts_with("ok https://rotated:"), "{steps:?}");
    assert_eq!(result(&results, "reload_code"), "0");
}

/// The body of every child process (see `support::in_child`); not a test of its own.
#[test]
#[ignore = "runs only as a child process of the tests above (support::in_child)"]
fn child() {
    let action = child_action().expect("run by in_child, with CODECOMMIT_FFI_CHILD set");
    let (verb, arg) = action.split_once(' ').unwrap_or((&action, ""));
    match verb {
        "sign" => {
            let s = scenarios::scenario(arg);
            let call = Handle::new().sign(s.remote, s.unix);
            report("code", call.name());
            report("text", call.text());
            let call = signed_url(s.remote);
            report("now_code", call.name());
            report("now_text", call.text());
        }
        "explain" => {
            let call = Handle::new().explain(scenarios::scenario(arg).remote);
            report("code", call.name());
            report("text", call.text());
        }
        "reload" => {
            let file = std::env::var("AWS_SHARED_CREDENTIALS_FILE").unwrap();
            let keys = |key: &str| {
                format!("[vector]\naws_access_key_id = {key}\naws_secret_access_key = secret\n")
            };
            std::fs::write(&file, keys("access")).unwrap();
            let handle = Handle::new();
            let sign = || {
                let call = handle.sign("codecommit://vector@test_repo", scenarios::VECTOR_TIME);
                format!("{} {}", call.name(), call.text())
            };
            report("first", &sign());
            std::fs::write(&file, keys("rotated")).unwrap();
            report("cached", &sign());
            report("reload_code", &handle.reload().to_string());
            report("reloaded", &sign());
        }
        "callback" => crate::callback::child(arg),
        "threads" => crate::threads::child(),
        _ => panic!("unknown child action {action:?}"),
    }
}

/// For the callback tests: a resolver asking `callback` with `userdata`.
pub fn with_callback(userdata: *mut c_void) -> Handle {
    let mut out: *const codecommit_resolver = ptr::null();
    // SAFETY: a valid callback; userdata outlives the handle (the caller's duty).
    let code = unsafe {
        codecommit_resolver::codecommit_resolver_new_with_credentials_callback(
            Some(crate::callback::behave),
            userdata,
            &mut out,
        )
    };
    assert_eq!(code, 0);
    Handle(out)
}
