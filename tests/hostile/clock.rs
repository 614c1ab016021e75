//! The clock at the edges: 1970, the 32-bit rollover of 2038, and the end of year 9999
//! — as the signing time, and in expiry comparisons (`credential_process` output and the
//! SSO token cache).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use codecommit_auth::ErrorKind::*;
use codecommit_auth::env::{HttpRequest, ProcessOutput};
use codecommit_auth::{Resolver, SigningTime};

use crate::*;

/// 2038-01-19T03:14:08Z, one second past `i32::MAX`.
const Y2038: i64 = 1 << 31;
const MAX: i64 = SigningTime::MAX_UNIX; // 9999-12-31T23:59:59Z

fn clock(unix: i64) -> SystemTime {
    if unix >= 0 {
        UNIX_EPOCH + Duration::from_secs(unix as u64)
    } else {
        UNIX_EPOCH - Duration::from_secs(unix.unsigned_abs())
    }
}

fn static_keys(unix: i64) -> codecommit_auth::env::MemoryEnvironment {
    memory()
        .with_now(clock(unix))
        .with_file(config_path(), "[profile k]\nregion = eu-west-1\n")
        .with_file(
            credentials_path(),
            "[k]\naws_access_key_id = AKIDCLOCK\naws_secret_access_key = s\n",
        )
}

#[test]
fn signing_time_rows() {
    let host = "git-codecommit.eu-west-1.amazonaws.com";
    let signed =
        |unix: i64| Resolver::with_environment(static_keys(unix)).signed_url("codecommit://k@Repo");
    assert_rows(vec![
        (
            "the epoch".into(),
            url(host, "https://AKIDCLOCK:19700101T000000Z"),
            signed(0),
        ),
        (
            "i32::MAX".into(),
            url(host, "https://AKIDCLOCK:20380119T031407Z"),
            signed(Y2038 - 1),
        ),
        (
            "one second past i32::MAX".into(),
            url(host, "https://AKIDCLOCK:20380119T031408Z"),
            signed(Y2038),
        ),
        (
            "u32::MAX".into(),
            url(host, "https://AKIDCLOCK:21060207T062815Z"),
            signed(u32::MAX.into()),
        ),
        (
            "the last second of 9999".into(),
            url(host, "https://AKIDCLOCK:99991231T235959Z"),
            signed(MAX),
        ),
        (
            "the first second of 10000".into(),
            error(
                InvalidSigningTime,
                "the signing time 253402300800 (seconds since 1970) is outside 1970-01-01 to 9999-12-31; check the system clock",
            ),
            signed(MAX + 1),
        ),
        (
            "one second before 1970".into(),
            error(InvalidSigningTime, "is outside 1970-01-01 to 9999-12-31"),
            signed(-1),
        ),
        (
            "a clock at the end of SystemTime's range".into(),
            error(InvalidSigningTime, "is outside 1970-01-01 to 9999-12-31"),
            signed(i64::MAX / 2),
        ),
    ]);
}

fn process(
    unix: i64,
    expiration: &str,
) -> Result<codecommit_auth::SignedUrl, codecommit_auth::Error> {
    let out = format!(
        r#"{{"Version": 1, "AccessKeyId": "AKIDPROC", "SecretAccessKey": "s", "Expiration": "{expiration}"}}"#
    );
    let env = memory()
        .with_now(clock(unix))
        .with_file(
            config_path(),
            "[profile p]\nregion = eu-west-1\ncredential_process = /opt/creds\n",
        )
        .with_process_runner(move |_| Ok(ProcessOutput::new(Some(0)).with_stdout(out.clone())));
    Resolver::with_environment(env).signed_url("codecommit://p@Repo")
}

fn sso(unix: i64, expires_at: &str) -> Result<codecommit_auth::SignedUrl, codecommit_auth::Error> {
    let token = format!(r#"{{"accessToken": "A", "expiresAt": "{expires_at}"}}"#);
    let env = memory()
        .with_now(clock(unix))
        .with_file(config_path(), SSO_CONFIG)
        .with_file(format!("{HOME}/.aws/sso/cache/{LEGACY_TOKEN}"), token)
        .with_http_client(Answer(move |_: &HttpRequest| {
            // Role credentials that last an hour from the clock, capped at the end of 9999.
            let expires = (unix + 3600).min(MAX) * 1000;
            response(
                200,
                crate::support::sso::portal_answer("ASIAPORTAL", "s", "t", expires as u64),
            )
        }));
    Resolver::with_environment(env).signed_url("codecommit://legacy@Repo")
}

#[test]
fn expiry_comparison_rows() {
    let host = "git-codecommit.eu-west-1.amazonaws.com";
    let proc_ok = |stamp| url(host, stamp);
    let expired = error(CredentialsExpired, "returned credentials that expired at");
    let sso_host = "git-codecommit.us-east-2.amazonaws.com";
    let sso_ok = |stamp| url(sso_host, stamp);
    let sso_expired = error(
        SsoLoginRequired,
        "The SSO session associated with this profile has expired",
    );
    assert_rows(vec![
        (
            "process, 1970: expires in a second".into(),
            proc_ok("https://AKIDPROC:19700101T000000Z"),
            process(0, "1970-01-01T00:00:01Z"),
        ),
        (
            "process, 1970: expires now".into(),
            expired.clone(),
            process(0, "1970-01-01T00:00:00Z"),
        ),
        (
            "process, 1970: expired before 1970".into(),
            expired.clone(),
            process(0, "1969-12-31T23:59:59Z"),
        ),
        (
            "process, 2038: expired a second ago".into(),
            expired.clone(),
            process(Y2038, "2038-01-19T03:14:07Z"),
        ),
        (
            "process, 2038: a second left".into(),
            proc_ok("https://AKIDPROC:20380119T031408Z"),
            process(Y2038, "2038-01-19T03:14:09Z"),
        ),
        (
            "process, 9999: a second left".into(),
            proc_ok("https://AKIDPROC:99991231T235958Z"),
            process(MAX - 1, "9999-12-31T23:59:59Z"),
        ),
        (
            "process, 9999: expires now".into(),
            expired.clone(),
            process(MAX, "9999-12-31T23:59:59Z"),
        ),
        (
            "process: an offset pushes the expiry past 9999".into(),
            proc_ok("https://AKIDPROC:20270115T080000Z"),
            process(NOW as i64, "9999-12-31T23:59:59-23:59"),
        ),
        (
            "SSO token, 1970: valid for a second".into(),
            sso_ok("https://ASIAPORTAL%25t:19700101T000000Z"),
            sso(0, "1970-01-01T00:00:01Z"),
        ),
        (
            "SSO token, 1970: expires now".into(),
            sso_expired.clone(),
            sso(0, "1970-01-01T00:00:00Z"),
        ),
        (
            "SSO token, 2038: expired a second ago".into(),
            sso_expired.clone(),
            sso(Y2038, "2038-01-19T03:14:07Z"),
        ),
        (
            "SSO token, 2038: valid for an hour".into(),
            sso_ok("https://ASIAPORTAL%25t:20380119T031408Z"),
            sso(Y2038, "2038-01-19T04:14:08Z"),
        ),
        (
            "SSO token, 9999: valid for a second, role credentials end with 9999".into(),
            sso_ok("https://ASIAPORTAL%25t:99991231T235958Z"),
            sso(MAX - 1, "9999-12-31T23:59:59Z"),
        ),
        (
            "SSO token, 9999: expires now".into(),
            sso_expired,
            sso(MAX, "9999-12-31T23:59:59Z"),
        ),
    ]);
}

/// Cache entries the AWS CLI can read (issue 18, defect 5): an STS or portal answer
/// that expires after year 9999 was written as `253402387139 seconds since 1970UTC`,
/// which botocore cannot parse and we missed on every later run (one call each time).
/// The written expiry is clamped to 9999-12-31T23:59:59, and the entry is used.
#[test]
fn far_future_expiries_are_cached_in_a_form_the_cli_reads() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let far_millis = (MAX as u64 + 86_400) * 1000;
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&calls);
    let env = memory()
        .with_file(config_path(), SSO_CONFIG)
        .with_file(
            format!("{HOME}/.aws/sso/cache/{LEGACY_TOKEN}"),
            token_file(3600),
        )
        .with_http_client(Answer(move |r: &HttpRequest| {
            counted.fetch_add(1, Ordering::SeqCst);
            if r.url.contains("/federation/credentials") {
                response(
                    200,
                    crate::support::sso::portal_answer(
                        "ASIAPORTAL",
                        "portal-secret",
                        "portal-token",
                        far_millis,
                    ),
                )
            } else {
                response(404, "")
            }
        }));
    let entry = format!("{HOME}/.aws/cli/cache/{LEGACY_CLI_CACHE}");
    let env = std::sync::Arc::new(env);
    for _ in 0..3 {
        Resolver::with_environment(Arc::clone(&env))
            .signed_url_at("codecommit://legacy@Repo", now())
            .unwrap();
    }
    let written = String::from_utf8(env.file(&entry).expect("an entry")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&written).unwrap();
    assert_eq!(
        doc["Credentials"]["Expiration"], "9999-12-31T23:59:59Z",
        "{written}"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1, "later runs read the entry");
}
