//! The whole library call, a remote resolved before: what a long-lived host (an IDE, a
//! Git server, the C ABI's resolver handle) pays per URL.
//!
//! Each group times, in one run, the warm signature of the same credentials alone
//! ([`Signer::sign`], the key cached) beside the whole call; issue 16 asks the whole call
//! to stay within 2× of it. Every benchmark first checks that the whole call signs the
//! URL the signature alone does.
//!
//! * `resolver/<shape>/signature` — [`Signer::sign`] with the resolved credentials.
//! * `resolver/<shape>/rust` — [`Resolver::signed_url_at`] on a [`MemoryEnvironment`].
//! * `resolver/<shape>/c` — `codecommit_resolver_signed_url` through the C ABI on the
//!   process's own environment and files (temporary files named by `AWS_CONFIG_FILE` and
//!   `AWS_SHARED_CREDENTIALS_FILE`), the URL copied out and freed with
//!   `codecommit_string_free` (which wipes it), as a C caller does.
//!
//! Shapes: `long-term` (static keys in the credentials file) and `token-1000` (the same
//! with a 1,000-character `aws_session_token`, what SSO and role credentials carry).

use std::ffi::{CStr, CString, c_char};
use std::hint::black_box;
use std::ptr;

use codecommit_auth::env::MemoryEnvironment;
use codecommit_auth::ffi::{codecommit_resolver, codecommit_string_free};
use codecommit_auth::sign::{SignedUrl, Signer, UrlRequest};
use codecommit_auth::{Resolver, SigningTime};
use criterion::{Criterion, criterion_group, criterion_main};

mod support;

const HOME: &str = "/home/dev";
const TIME: i64 = 1_735_689_600; // 2025-01-01T00:00:00Z
const REMOTE: &str = "codecommit://demo@payments-api";

const CONFIG: &str = "[default]\nregion = us-east-1\n[profile demo]\nregion = us-east-2\n";

fn credentials(token: Option<&str>) -> String {
    let mut text = String::from(
        "[demo]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n\
         aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    );
    if let Some(token) = token {
        text.push_str(&format!("aws_session_token = {token}\n"));
    }
    text
}

fn bench(c: &mut Criterion) {
    let time = SigningTime::from_unix(TIME).unwrap();
    let dir = std::env::temp_dir().join(format!("codecommit-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let long = support::long_token();
    for (shape, token) in [("long-term", None), ("token-1000", Some(long.as_str()))] {
        let credentials_text = credentials(token);

        // The signature alone, with the credentials the resolver finds.
        let env = MemoryEnvironment::new()
            .with_var("HOME", HOME)
            .with_file(format!("{HOME}/.aws/config"), CONFIG)
            .with_file(
                format!("{HOME}/.aws/credentials"),
                credentials_text.as_str(),
            );
        let resolver = Resolver::with_environment(env);
        let resolution = resolver.resolve(REMOTE).unwrap();
        let creds = resolution.credentials();
        let request = UrlRequest {
            access_key_id: creds.access_key_id(),
            secret_access_key: creds.secret_access_key(),
            session_token: creds.session_token(),
            region: resolution.region().name(),
            host: resolution.host().as_str(),
            repository: resolution.repository(),
            time,
        };
        let signer = Signer::new();
        let want = signer.sign(&request);
        assert_eq!(resolver.signed_url_at(REMOTE, time).unwrap(), want);
        assert_eq!(resolver.signed_url_at(REMOTE, time).unwrap(), want, "warm");

        // The C ABI on this process's environment.
        let config_path = dir.join("config");
        let credentials_path = dir.join(format!("credentials-{shape}"));
        std::fs::write(&config_path, CONFIG).unwrap();
        std::fs::write(&credentials_path, &credentials_text).unwrap();
        // SAFETY: single-threaded here; criterion runs benchmarks on this thread.
        unsafe {
            std::env::set_var("AWS_CONFIG_FILE", &config_path);
            std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", &credentials_path);
            for name in ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_DEFAULT_REGION"] {
                std::env::remove_var(name);
            }
        }
        let mut handle: *const codecommit_resolver = ptr::null();
        // SAFETY: a valid out pointer.
        assert_eq!(
            unsafe { codecommit_resolver::codecommit_resolver_new(&mut handle) },
            0
        );
        let c_remote = CString::new(REMOTE).unwrap();
        let c_sign = || {
            let mut url: *mut c_char = ptr::null_mut();
            // SAFETY: a live resolver, a NUL-terminated remote, a writable out pointer.
            let rc = unsafe {
                codecommit_resolver::codecommit_resolver_signed_url(
                    handle,
                    black_box(c_remote.as_ptr()),
                    TIME,
                    &mut url,
                    ptr::null_mut(),
                )
            };
            assert_eq!(rc, 0);
            url
        };
        let url = c_sign();
        // SAFETY: the library's string, freed once.
        unsafe {
            assert_eq!(CStr::from_ptr(url).to_str().unwrap(), want.as_str());
            codecommit_string_free(url);
        }

        let mut group = c.benchmark_group(format!("resolver/{shape}"));
        group.bench_function("signature", |b| {
            b.iter(|| -> SignedUrl { signer.sign(black_box(&request)) })
        });
        group.bench_function("rust", |b| {
            b.iter(|| resolver.signed_url_at(black_box(REMOTE), time).unwrap())
        });
        group.bench_function("c", |b| {
            // SAFETY: the library's string, freed once.
            b.iter(|| unsafe { codecommit_string_free(c_sign()) })
        });
        group.finish();
        // SAFETY: no other user of the handle.
        unsafe { codecommit_resolver::codecommit_resolver_free(handle) };
    }
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, bench);
criterion_main!(benches);
