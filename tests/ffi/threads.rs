//! Eight threads at once on every entry point, and on one shared resolver.

use std::ffi::c_int;
use std::ptr;
use std::thread;

use codecommit_auth::ffi::{codecommit_error_name, codecommit_version};

use crate::resolver::{Handle, signed_url, with_callback};
use crate::scenarios::{self, VECTOR_TIME, VECTOR_URL};
use crate::sign::Args;
use crate::support::{cs, in_child, report, result};

const THREADS: usize = 8;
const ROUNDS: usize = 50;

#[test]
fn eight_threads_sign_and_fail_at_once() {
    let handle = Handle::new();
    let handle = &handle;
    thread::scope(|scope| {
        for t in 0..THREADS {
            scope.spawn(move || {
                for round in 0..ROUNDS {
                    assert_eq!(Args::vector().sign().value(), VECTOR_URL, "{t}/{round}");
                    let call = Args::vector().with("region", Some(cs("mars-1"))).sign();
                    assert_eq!(call.name(), "region_not_available");
                    let call = Args::vector().with("access_key_id", None).sign();
                    assert_eq!(call.name(), "null_parameter");
                    // The shared resolver, on paths that read no file.
                    let call = handle.sign("codecommit:/x", VECTOR_TIME);
                    assert_eq!(call.name(), "malformed_remote");
                    assert_eq!(signed_url("").name(), "invalid_argument");
                    assert_eq!(handle.reload(), 0);
                    assert!(!codecommit_error_name(round as c_int).is_null());
                    assert!(!codecommit_version().is_null());
                }
            });
        }
    });
}

/// 8 threads on one resolver reading the fixture files, and on one
/// callback resolver, in a child with the fixture HOME.
#[test]
fn eight_threads_share_one_resolver() {
    let results = in_child("threads", &scenarios::scenario("vector").env());
    assert_eq!(result(&results, "files"), "ok");
    assert_eq!(result(&results, "callback"), "ok");
}

/// In the child: every thread's outcome must be the same, and right.
pub fn child() {
    let files = Handle::new();
    let callback = with_callback(ptr::null_mut()); // NULL userdata: the "vector" behaviour
    let (files, callback) = (&files, &callback);
    let outcomes: Vec<(String, String)> = thread::scope(|scope| {
        let workers: Vec<_> = (0..THREADS)
            .map(|_| {
                scope.spawn(move || {
                    let mut seen = Vec::new();
                    for _ in 0..ROUNDS / 5 {
                        let a = files.sign("codecommit://vector@test_repo", VECTOR_TIME);
                        let b = callback.sign("codecommit::us-west-2://test_repo", VECTOR_TIME);
                        for (call, list) in [(a, 0), (b, 1)] {
                            let ok = call.name() == "ok";
                            assert!(!ok || call.text() == VECTOR_URL, "{}", call.text());
                            seen.push((list, call.name().to_owned()));
                        }
                    }
                    seen
                })
            })
            .collect();
        let mut by_resolver = (Vec::new(), Vec::new());
        for worker in workers {
            for (list, name) in worker.join().unwrap() {
                if list == 0 {
                    &mut by_resolver.0
                } else {
                    &mut by_resolver.1
                }
                .push(name);
            }
        }
        vec![
            ("files".into(), one(by_resolver.0)),
            ("callback".into(), one(by_resolver.1)),
        ]
    });
    for (key, value) in outcomes {
        report(&key, &value);
    }
}

/// The single outcome every thread saw, or all of them if they differ.
fn one(mut names: Vec<String>) -> String {
    names.sort();
    names.dedup();
    names.join("|")
}
