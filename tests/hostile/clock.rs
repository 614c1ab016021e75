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
        .with_process_runner(move |_| {
            Ok(ProcessOutput {
                code: Some(0),
                stdout: out.clone().into(),
                stderr: Vec::new(),
            })
        });
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
                format!(r#"{{"roleCredentials": {{"accessKeyId": "ASIAPORTAL", "secretAccessKey": "s", "sessionToken": "t", "expiration": {expires}}}}}"#),
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
