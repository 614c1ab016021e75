//! `Resolver::signed_url_at` keeps each remote's resolution, and never past the refresh
//! rules of the credentials' provider: checked on the in-memory environment's clock, with
//! a `credential_process` that hands out new keys on every run (so each run shows in
//! the URL) and counts its runs.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use codecommit_auth::credentials::Credentials;
use codecommit_auth::env::{Environment, MemoryEnvironment, ProcessOutput};
use codecommit_auth::{Resolver, SigningTime};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const HOME: &str = "/home/dev";
const T0: u64 = 1_800_000_000;
/// Each run's credentials expire this long after the clock's time of the run.
const LIFETIME: Duration = Duration::from_secs(3600);
const REMOTE: &str = "codecommit://proc@Repo";

fn at(seconds: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(seconds)
}

fn utc(t: SystemTime) -> String {
    let unix = t.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    OffsetDateTime::from_unix_timestamp(unix)
        .unwrap()
        .format(&Rfc3339)
        .unwrap()
}

/// A resolver whose `proc` profile runs a process that answers `ASIARUN<n>` for its n-th
/// run, expiring `LIFETIME` after the clock at that run; `static` has keys in the
/// credentials file.
struct Fixture {
    env: Arc<MemoryEnvironment>,
    /// The process's view of the clock, moved with the environment's.
    clock: Arc<Mutex<SystemTime>>,
    runs: Arc<AtomicUsize>,
    resolver: Resolver<Arc<MemoryEnvironment>>,
}

impl Fixture {
    fn new() -> Fixture {
        let runs = Arc::new(AtomicUsize::new(0));
        let clock = Arc::new(Mutex::new(at(T0)));
        let (counter, process_clock) = (Arc::clone(&runs), Arc::clone(&clock));
        let env = Arc::new(
            MemoryEnvironment::new()
                .with_now(at(T0))
                .with_var("HOME", HOME)
                .with_var("AWS_EC2_METADATA_DISABLED", "true")
                .with_file(
                    format!("{HOME}/.aws/config"),
                    "[profile proc]\nregion = eu-west-1\ncredential_process = /bin/creds\n\
                     [profile static]\nregion = eu-west-1\n",
                )
                .with_file(
                    format!("{HOME}/.aws/credentials"),
                    "[static]\naws_access_key_id = AKIASTATIC\naws_secret_access_key = s\n",
                )
                .with_process_runner(move |_| {
                    let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
                    let expiry = *process_clock.lock().unwrap() + LIFETIME;
                    Ok(ProcessOutput::new(Some(0)).with_stdout(format!(
                            r#"{{"Version": 1, "AccessKeyId": "ASIARUN{n}", "SecretAccessKey": "s{n}", "SessionToken": "t{n}", "Expiration": "{}"}}"#,
                            utc(expiry)
                        )
                        .into_bytes()))
                }),
        );
        let resolver = Resolver::with_environment(Arc::clone(&env));
        Fixture {
            env,
            clock,
            runs,
            resolver,
        }
    }

    fn set_now(&self, t: SystemTime) {
        self.env.set_now(t);
        *self.clock.lock().unwrap() = t;
    }

    fn runs(&self) -> usize {
        self.runs.load(Ordering::SeqCst)
    }

    /// The access key id the URL for `remote` is signed with.
    fn signed_by(&self, remote: &str) -> String {
        let url = self
            .resolver
            .signed_url_at(remote, SigningTime::from_unix(T0 as i64).unwrap())
            .unwrap();
        let user = &url.as_str()["https://".len()..];
        user[..user.find(['%', ':']).unwrap()].to_owned()
    }
}

#[test]
fn a_kept_resolution_never_outlives_the_refresh_window() {
    let f = Fixture::new();
    assert_eq!(f.signed_by(REMOTE), "ASIARUN1");
    assert_eq!(f.signed_by(REMOTE), "ASIARUN1", "kept");
    assert_eq!(f.runs(), 1);

    // One second more than the window left: still kept.
    let expiry = T0 + LIFETIME.as_secs();
    f.set_now(at(expiry - 17 * 60 - 1));
    assert_eq!(f.signed_by(REMOTE), "ASIARUN1");
    assert_eq!(f.runs(), 1);

    // Exactly the window left: the chain runs again, and its answer is kept in turn.
    f.set_now(at(expiry - 17 * 60));
    assert_eq!(f.signed_by(REMOTE), "ASIARUN2");
    assert_eq!(f.signed_by(REMOTE), "ASIARUN2");
    assert_eq!(f.runs(), 2);

    // Past the expiry of the first credentials, and of the second: never served.
    f.set_now(at(expiry + 3600));
    assert_eq!(f.signed_by(REMOTE), "ASIARUN3");
    assert_eq!(f.runs(), 3);

    // `resolve` always runs every step; it does not disturb what is kept.
    assert_eq!(
        f.resolver
            .resolve(REMOTE)
            .unwrap()
            .credentials()
            .access_key_id(),
        "ASIARUN4"
    );
    assert_eq!(f.signed_by(REMOTE), "ASIARUN3");

    // `reload` forgets it.
    f.resolver.reload();
    assert_eq!(f.signed_by(REMOTE), "ASIARUN5");
    assert_eq!(f.runs(), 5);
}

#[test]
fn credentials_that_never_expire_are_kept_until_reload() {
    let f = Fixture::new();
    assert_eq!(f.signed_by("codecommit://static@Repo"), "AKIASTATIC");
    // The file changes; the resolver keeps what it read, as it keeps the parsed files.
    f.env
        .write_file_atomic(
            std::path::Path::new(&format!("{HOME}/.aws/credentials")),
            b"[static]\naws_access_key_id = AKIAROTATED\naws_secret_access_key = s\n",
        )
        .unwrap();
    f.set_now(at(T0 + 365 * 24 * 3600));
    assert_eq!(f.signed_by("codecommit://static@Repo"), "AKIASTATIC");
    f.resolver.reload();
    assert_eq!(f.signed_by("codecommit://static@Repo"), "AKIAROTATED");
}

/// Each remote is kept on its own: another repository of the same profile, or another
/// profile, resolves by itself, and a kept remote's URL is the one a fresh resolver signs.
#[test]
fn each_remote_is_kept_apart_and_signs_as_a_fresh_resolver_would() {
    let f = Fixture::new();
    let resolver = &f.resolver;
    let time = SigningTime::from_unix(T0 as i64).unwrap();
    let first = resolver.signed_url_at(REMOTE, time).unwrap();
    let other = resolver
        .signed_url_at("codecommit://proc@Other", time)
        .unwrap();
    assert_eq!(f.runs(), 2);
    assert!(other.as_str().starts_with("https://ASIARUN2%25t2:"));
    assert_eq!(resolver.signed_url_at(REMOTE, time).unwrap(), first);
    assert_eq!(
        resolver
            .signed_url_at("codecommit://proc@Other", time)
            .unwrap(),
        other
    );
    let static_url = resolver
        .signed_url_at("codecommit://static@Repo", time)
        .unwrap();
    let fresh = Fixture::new();
    assert_eq!(
        fresh
            .resolver
            .signed_url_at("codecommit://static@Repo", time)
            .unwrap(),
        static_url
    );
    assert_eq!(f.runs(), 2);
}

/// With a credentials callback the application decides every time: nothing is kept.
#[test]
fn a_credentials_callback_is_asked_every_time() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let env = MemoryEnvironment::new().with_var("AWS_DEFAULT_REGION", "us-east-1");
    let resolver = Resolver::with_environment(env).with_credentials_callback(move |_| {
        let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
        Ok(Some(Credentials::new(
            format!("AKIDAPP{n}"),
            "s",
            None,
            None,
            "app",
        )))
    });
    let time = SigningTime::from_unix(0).unwrap();
    for n in 1..=3 {
        let url = resolver.signed_url_at("codecommit://Repo", time).unwrap();
        assert!(url.as_str().starts_with(&format!("https://AKIDAPP{n}:")));
    }
}
