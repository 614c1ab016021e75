//! Every finding of the fuzz targets (`fuzz/`), kept as a row with its outcome. The
//! findings of the other hostile tests sit with their rows (the FIFO in `disk`, the
//! role chain in `scale`, the trickling body in `server`, escaped messages in
//! `remote` and `caches`).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use codecommit_auth::ErrorKind::*;
use codecommit_auth::env::ProcessOutput;

use crate::*;

/// `process` target: `credential_process` was split at every Unicode space and lost the
/// backslash before `$` inside double quotes; botocore's `shlex.split` does neither.
#[test]
fn credential_process_is_split_as_shlex_splits() {
    let argv: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = Arc::clone(&argv);
    let env = memory()
        .with_file(
            config_path(),
            "[profile p]\nregion = eu-west-1\ncredential_process = /opt/creds a\u{a0}b \"x\\$y\" c\u{2003}d\n",
        )
        .with_process_runner(move |request| {
            *seen.lock().unwrap() = request.argv.clone();
            Ok(ProcessOutput::new(Some(0)).with_stdout(br#"{"Version": 1, "AccessKeyId": "AKIDPROC", "SecretAccessKey": "s"}"#))
        });
    let got = sign(env, "codecommit://p@Repo");
    assert_rows(vec![(
        "NBSP, EM SPACE and \\$".into(),
        url(
            "git-codecommit.eu-west-1.amazonaws.com",
            "https://AKIDPROC:",
        ),
        got,
    )]);
    assert_eq!(
        *argv.lock().unwrap(),
        ["/opt/creds", "a\u{a0}b", "x\\$y", "c\u{2003}d"]
    );
}

/// `sts_xml` target: a 200 answer holding a throttling error code was retried twice,
/// with 600 ms of pauses.
#[test]
fn a_200_answer_is_read_once_whatever_it_holds() {
    let calls = Arc::new(Mutex::new(0));
    let count = Arc::clone(&calls);
    let env = memory()
        .with_file(
            config_path(),
            "[profile role]\nregion = eu-west-1\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = base\n\
             [profile base]\naws_access_key_id = AKID\naws_secret_access_key = s\n",
        )
        .with_http_client(Answer(move |_: &codecommit_auth::env::HttpRequest| {
            *count.lock().unwrap() += 1;
            response(200, "<ErrorResponse><Error><Code>Throttling</Code></Error></ErrorResponse>")
        }));
    let got = sign(env, "codecommit://role@Repo");
    assert_eq!(*calls.lock().unwrap(), 1, "one request, no retry pauses");
    assert_rows(vec![(
        "200 with a throttling code".into(),
        error(
            MalformedCredentials,
            "the STS AssumeRole answer for role arn:aws:iam::1:role/R",
        ),
        got,
    )]);
}

/// `timestamp` target: a year-0000 time with a positive offset falls before year 1. It
/// parses (and is long expired); its message prints the year as `-001`.
#[test]
fn a_timestamp_before_year_one() {
    let env = memory()
        .with_file(config_path(), "[profile p]\nregion = eu-west-1\ncredential_process = /opt/creds\n")
        .with_process_runner(|_| {
            Ok(ProcessOutput::new(Some(0)).with_stdout(br#"{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "s", "Expiration": "0000-01-01T00:00:00+23:59"}"#))
        });
    assert_rows(vec![(
        "0000-01-01T00:00:00+23:59".into(),
        error(
            CredentialsExpired,
            "returned credentials that expired at -001-12-31T00:01:00Z",
        ),
        sign(env, "codecommit://p@Repo"),
    )]);
}

/// Found probing the arithmetic on times from outside: an SSO OIDC answer with
/// `expiresIn` = u64::MAX overflowed `SystemTime` and panicked during the refresh. The
/// new token's expiry is now capped at the end of year 9999.
#[test]
fn an_absurd_expires_in_is_capped_not_a_panic() {
    let path = format!("{HOME}/.aws/sso/cache/{SESSION_TOKEN}");
    let env = memory()
        .with_file(config_path(), SSO_CONFIG)
        .with_file(&path, token_file(60))
        .with_http_client(Answer(|r: &codecommit_auth::env::HttpRequest| {
            if r.url.ends_with("/token") {
                response(
                    200,
                    r#"{"accessToken": "NEW", "expiresIn": 18446744073709551615}"#,
                )
            } else {
                portal_answer()
            }
        }));
    let resolver = codecommit_auth::Resolver::with_environment(env);
    let got = resolver.signed_url_at("codecommit://session@Repo", now());
    assert_rows(vec![(
        "expiresIn = u64::MAX".into(),
        url(
            "git-codecommit.us-east-2.amazonaws.com",
            "https://ASIAPORTAL%25portal-token:",
        ),
        got,
    )]);
    let written: serde_json::Value =
        serde_json::from_slice(&resolver.environment().file(&path).unwrap()).unwrap();
    assert_eq!(written["expiresAt"], "9999-12-31T23:59:59Z");
}

/// Found the same way: CODECOMMIT_AUTH_PROCESS_TIMEOUT=18446744073709551615 overflowed
/// `Instant` in the process runner and panicked.
#[test]
fn an_absurd_process_timeout_is_no_panic() {
    let home = crate::support::disk::TempDir::new("hostile-timeout");
    home.write(
        ".aws/config",
        "[profile p]\nregion = eu-west-1\ncredential_process = sh -c 'echo {\\\"Version\\\": 1, \\\"AccessKeyId\\\": \\\"AKIDPROC\\\", \\\"SecretAccessKey\\\": \\\"s\\\"}'\n",
    );
    let vars = [
        ("HOME", home.path().to_str().unwrap()),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("CODECOMMIT_AUTH_PROCESS_TIMEOUT", "18446744073709551615"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let http = codecommit_auth::env::HttpsClient::from_environment(&memory());
    let env = crate::support::disk::DiskEnvironment::new(
        vars,
        std::time::UNIX_EPOCH + Duration::from_secs(NOW),
        http,
    );
    assert_rows(vec![(
        "CODECOMMIT_AUTH_PROCESS_TIMEOUT = u64::MAX".into(),
        url(
            "git-codecommit.eu-west-1.amazonaws.com",
            "https://AKIDPROC:",
        ),
        sign(env, "codecommit://p@Repo"),
    )]);
}

/// `timestamp` target: an expiry before 1970 with a fraction of a second was printed one
/// second late in messages.
#[test]
fn an_expiry_before_1970_prints_its_own_second() {
    let env = memory()
        .with_file(config_path(), "[profile p]\nregion = eu-west-1\ncredential_process = /opt/creds\n")
        .with_process_runner(|_| {
            Ok(ProcessOutput::new(Some(0)).with_stdout(br#"{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "s", "Expiration": "1969-12-31T23:59:59.5Z"}"#))
        });
    assert_rows(vec![(
        "1969-12-31T23:59:59.5Z".into(),
        error(
            CredentialsExpired,
            "returned credentials that expired at 1969-12-31T23:59:59Z",
        ),
        sign(env, "codecommit://p@Repo"),
    )]);
}

/// `config` target (CI, seed 1, 45 s): an `endpoint_url` without a host (`//:x`) on a
/// role profile reached aws-sigv4, which panics on a URI without an authority. The
/// input itself is `fuzz/regressions/config/sts-endpoint-without-host`: the config
/// file, byte 0xFE, the credentials file.
#[test]
fn an_endpoint_without_a_host_is_a_config_error() {
    let input: &[u8] = include_bytes!("../../fuzz/regressions/config/sts-endpoint-without-host");
    let at = input.iter().position(|&b| b == 0xFE).unwrap();
    let env = memory()
        .with_file(config_path(), &input[..at])
        .with_file(credentials_path(), &input[at + 1..]);
    assert_rows(vec![(
        "endpoint_url = //:thtpaws.global-profile-override".into(),
        error(
            InvalidConfig,
            "Invalid endpoint: //:thtpaws.global-profile-override (endpoint_url of profile \
             default; the URL is not an http:// or https:// URL",
        ),
        sign(env, "codecommit://Repo"),
    )]);
}

/// `sts_xml` target (by hand, seed 2): an STS error message with control characters
/// between two halves of a word had them dropped, so the halves joined into text the
/// server never sent whole (there, a secret's name). Control characters are escaped
/// now, in STS and SSO portal error answers alike. The input is
/// `fuzz/regressions/sts_xml/controls-dropped-join-a-secret`.
#[test]
fn control_characters_in_service_errors_are_escaped_not_dropped() {
    let sts = memory()
        .with_file(
            config_path(),
            "[profile role]\nregion = eu-west-1\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = base\n\
             [profile base]\naws_access_key_id = AKID\naws_secret_access_key = s\n",
        )
        .with_http_client(Answer(|_: &codecommit_auth::env::HttpRequest| {
            response(
                403,
                "<ErrorResponse><Error><Code>Access\u{7}Denied</Code>\
                 <Message>SEC\u{0}\u{0}RET-\u{7f}WORD</Message></Error></ErrorResponse>",
            )
        }));
    let portal = memory()
        .with_file(config_path(), SSO_CONFIG)
        .with_file(format!("{HOME}/.aws/sso/cache/{LEGACY_TOKEN}"), token_file(3600))
        .with_http_client(Answer(|_: &codecommit_auth::env::HttpRequest| {
            response(
                403,
                "{\"__type\": \"Forbidden\\u0007Exception\", \"message\": \"SEC\\u0000RET-\\u007fWORD\"}",
            )
        }));
    assert_rows(vec![
        (
            "STS".into(),
            error(
                ServiceError,
                "An error occurred (Access\\u{7}Denied) when calling the AssumeRole operation: \
                 SEC\\u{0}\\u{0}RET-\\u{7f}WORD",
            ),
            sign(sts, "codecommit://role@Repo"),
        ),
        (
            "SSO portal".into(),
            error(
                ServiceError,
                "An error occurred (Forbidden\\u{7}Exception) when calling the \
                 GetRoleCredentials operation: SEC\\u{0}RET-\\u{7f}WORD",
            ),
            sign(portal, "codecommit://legacy@Repo"),
        ),
    ]);
}
