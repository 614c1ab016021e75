//! Every error the suite can provoke from secret-bearing input.

use super::*;

/// Every error the suite can provoke from secret-bearing input.
#[test]
fn errors_never_carry_secrets() {
    let failing = Services {
        status: Some(403),
        ..Services::default()
    };
    let refused = Services {
        status: Some(400),
        ..Services::default()
    };
    let mut cases: Vec<(&str, Result<Resolution, Error>, ErrorKind)> = Vec::new();
    let mut run = |name, env: MemoryEnvironment, remote: &str, kind| {
        cases.push((name, Resolver::with_environment(env).resolve(remote), kind));
    };

    // Files holding secrets that fail to parse, or name no such profile.
    let with_files = |config: &str, credentials: &str| {
        memory()
            .with_file(format!("{HOME}/.aws/config"), config.to_owned())
            .with_file(format!("{HOME}/.aws/credentials"), credentials.to_owned())
    };
    run(
        "a secret on a line without `=`",
        with_files(CONFIG, "[static]\naws_secret_access_key SENTINEL-1\n"),
        "codecommit://static@Repo",
        ErrorKind::ConfigParse,
    );
    run(
        "a secret key twice",
        with_files(
            CONFIG,
            "[static]\naws_secret_access_key = SENTINEL-2\nAWS_SECRET_ACCESS_KEY = SENTINEL-3\n",
        ),
        "codecommit://static@Repo",
        ErrorKind::ConfigParse,
    );
    run(
        "a secret before any section",
        with_files(CONFIG, "aws_secret_access_key = SENTINEL-4\n"),
        "codecommit://static@Repo",
        ErrorKind::ConfigParse,
    );
    run(
        "invalid UTF-8 after a secret",
        with_files(
            CONFIG,
            "[static]\naws_secret_access_key = SENTINEL-5\u{0}\n",
        )
        .with_file(
            format!("{HOME}/.aws/credentials"),
            b"[static]\naws_secret_access_key = SENTINEL-5\xff\n".to_vec(),
        ),
        "codecommit://static@Repo",
        ErrorKind::ConfigParse,
    );
    run(
        "a nested value holding a secret",
        with_files(CONFIG, "[static]\nx =\n  SENTINEL-6\n"),
        "codecommit://static@Repo",
        ErrorKind::ConfigParse,
    );
    run(
        "a missing profile among secret-holding ones",
        with_files(CONFIG, CREDENTIALS),
        "codecommit://nobody@Repo",
        ErrorKind::ProfileNotFound,
    );
    run(
        "a secret key without its key id",
        with_files(CONFIG, "[static]\naws_secret_access_key = SENTINEL-7\n"),
        "codecommit://static@Repo",
        ErrorKind::CredentialsNotFound,
    );
    run(
        "a secret key variable without its key id",
        memory()
            .with_var("AWS_SECRET_ACCESS_KEY", "SENTINEL-8")
            .with_var("AWS_DEFAULT_REGION", "eu-west-1"),
        "codecommit://Repo",
        ErrorKind::CredentialsNotFound,
    );
    run(
        "a key id variable with its secret in the wrong variable",
        memory()
            .with_var("AWS_ACCESS_KEY_ID", "AKID")
            .with_var("AWS_SECRET_KEY", "SENTINEL-9")
            .with_var("AWS_DEFAULT_REGION", "eu-west-1"),
        "codecommit://Repo",
        ErrorKind::PartialCredentials,
    );

    // The legacy files, with a secret and no key id, or broken around one.
    let legacy = |var: &'static str, text: &'static str| {
        memory()
            .with_var(var, "/t/legacy")
            .with_var("AWS_DEFAULT_REGION", "eu-west-1")
            .with_file("/t/legacy", text)
    };
    run(
        "ec2-credentials-file: a secret without its key id",
        legacy("AWS_CREDENTIAL_FILE", "AWSSecretKey=SENTINEL-13\n"),
        "codecommit://Repo",
        ErrorKind::CredentialsNotFound,
    );
    run(
        "boto-config: a secret without its key id",
        legacy(
            "BOTO_CONFIG",
            "[Credentials]\naws_secret_access_key = SENTINEL-14\n",
        ),
        "codecommit://Repo",
        ErrorKind::CredentialsNotFound,
    );
    run(
        "boto-config: a secret on a line without `=`",
        legacy(
            "BOTO_CONFIG",
            "[Credentials]\naws_secret_access_key SENTINEL-15\n",
        ),
        "codecommit://Repo",
        ErrorKind::ConfigParse,
    );

    // Services that refuse.
    run(
        "SSO: the portal refuses the token",
        env(failing.clone()).with_file(SSO_TOKEN, token(3600)),
        "codecommit://sso@Repo",
        ErrorKind::ServiceError,
    );
    run(
        "SSO: the refresh is refused and the token expired",
        env(refused.clone()).with_file(SSO_TOKEN, token(-60)),
        "codecommit://sso@Repo",
        ErrorKind::SsoLoginRequired,
    );
    run(
        "SSO: the token file is broken around its secrets",
        env(Services::default()).with_file(
            SSO_TOKEN,
            token(3600).replace("\"expiresAt\"", "\"expiresAt\": 5, \"x\""),
        ),
        "codecommit://sso@Repo",
        ErrorKind::SsoLoginRequired,
    );
    run(
        "STS refuses the source credentials",
        env(failing.clone()),
        "codecommit://role@Repo",
        ErrorKind::ServiceError,
    );
    run(
        "STS refuses the web identity token",
        env(failing.clone()),
        "codecommit://web@Repo",
        ErrorKind::ServiceError,
    );
    run(
        "STS hands out credentials already expired",
        env(Services::default()).with_http_client(ExpiredSts),
        "codecommit://role@Repo",
        ErrorKind::CredentialsExpired,
    );
    run(
        "the container endpoint refuses the authorization token",
        env(failing.clone())
            .with_var(
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "http://127.0.0.1:1/creds",
            )
            .with_var(
                "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                "SENTINEL-CONTAINER-AUTHORIZATION",
            )
            .with_var("AWS_DEFAULT_REGION", "eu-west-1"),
        "codecommit://Repo",
        ErrorKind::ServiceError,
    );

    // credential_process output and failures.
    let process = |stdout: &str, code| {
        env(Services::default()).with_process_runner(process_output(stdout, code))
    };
    run(
        "process: fails after printing its secrets",
        process(PROCESS_GOOD, 1),
        "codecommit://process@Repo",
        ErrorKind::ProcessFailed,
    );
    run(
        "process: an unsupported version",
        process(&PROCESS_GOOD.replace("\"Version\": 1", "\"Version\": 2"), 0),
        "codecommit://process@Repo",
        ErrorKind::ProcessFailed,
    );
    run(
        "process: a number for the key id",
        process(&PROCESS_GOOD.replace("\"ASIAPROCESS\"", "5"), 0),
        "codecommit://process@Repo",
        ErrorKind::ProcessFailed,
    );
    run(
        "process: no key id",
        process(
            &PROCESS_GOOD.replace("\"AccessKeyId\": \"ASIAPROCESS\",", ""),
            0,
        ),
        "codecommit://process@Repo",
        ErrorKind::ProcessFailed,
    );
    run(
        "process: a bad expiration",
        process(&PROCESS_GOOD.replace("2099-01-01T00:00:00Z", "soon"), 0),
        "codecommit://process@Repo",
        ErrorKind::ProcessFailed,
    );
    run(
        "process: expired",
        process(&PROCESS_GOOD.replace("2099", "2000"), 0),
        "codecommit://process@Repo",
        ErrorKind::CredentialsExpired,
    );
    run(
        "process: output that is not JSON",
        process("SENTINEL-10 {", 0),
        "codecommit://process@Repo",
        ErrorKind::ProcessFailed,
    );
    run(
        "process: cannot start (a secret in its arguments)",
        env(Services::default()).with_file(
            format!("{HOME}/.aws/config"),
            "[profile p]\nregion = eu-west-1\ncredential_process = /nonexistent/creds --token SENTINEL-11\n",
        ).with_process_runner(OsEnvironment::run),
        "codecommit://p@Repo",
        ErrorKind::ProcessFailed,
    );
    run(
        "process: times out (a secret in its arguments)",
        env(Services::default())
            .with_var("CODECOMMIT_AUTH_PROCESS_TIMEOUT", "1")
            .with_file(
                format!("{HOME}/.aws/config"),
                "[profile p]\nregion = eu-west-1\ncredential_process = sh -c \"sleep 30\" SENTINEL-12\n",
            )
            .with_process_runner(OsEnvironment::run),
        "codecommit://p@Repo",
        ErrorKind::ProcessFailed,
    );

    assert!(cases.len() >= 27);
    for (name, outcome, kind) in cases {
        let err = outcome.err().unwrap_or_else(|| panic!("{name}: resolved"));
        assert_eq!(err.kind(), kind, "{name}: {}", err.chain_message());
        assert_clean(name, &error_views(&err));
    }
}

/// STS answering with credentials that expired an hour ago.
struct ExpiredSts;

impl HttpClient for ExpiredSts {
    fn send(&self, _: &HttpRequest) -> Result<HttpResponse, HttpError> {
        Ok(HttpResponse::new(
            200,
            support::sts::assume_role_response("AssumeRole", 1, "1", &at(-3600))
                .replace("sts-secret-1", "SENTINEL-SECRET-STS")
                .into_bytes(),
        ))
    }
}

/// `codecommit-auth profiles` (issue 15): the portal's listing errors — a 401, a 403
/// whose message echoes the bearer token, a 500 — and the plan itself never show the
/// SSO access token.
#[test]
fn profile_listing_errors_never_carry_the_token() {
    use codecommit_auth::credentials::sso_profiles::{Pattern, Request, plan};

    /// Echoes the bearer token back in every answer, with `status`.
    struct Echo(u16);
    impl HttpClient for Echo {
        fn send(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
            let bearer = request
                .headers
                .iter()
                .find(|(k, _)| k == "x-amz-sso_bearer_token")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            let body = if self.0 == 200 {
                format!(r#"{{"accountList": [{{"accountId": "1", "accountName": "{bearer}"}}]}}"#)
            } else {
                format!(r#"{{"message": "bad token {bearer}"}}"#)
            };
            let status = if request.url.contains("/roles") && self.0 == 200 {
                403
            } else {
                self.0
            };
            Ok(HttpResponse::new(status, body)
                .with_header("x-amzn-ErrorType", format!("Denied:{bearer}")))
        }
    }
    use sha1::{Digest, Sha1};
    let token_file = format!(
        "{HOME}/.aws/sso/cache/{}.json",
        hex::encode(Sha1::digest(b"my-sso"))
    );
    for status in [200, 401, 403, 500] {
        let env = memory()
            .with_var("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:9")
            .with_file(format!("{HOME}/.aws/config"), CONFIG)
            .with_file(
                token_file.clone(),
                format!(
                    r#"{{"accessToken": "SENTINEL-SSO-LIST", "expiresAt": "{}"}}"#,
                    at(3600)
                ),
            )
            .with_http_client(Echo(status));
        let request = Request {
            sso_session: "my-sso".into(),
            pattern: Pattern::default(),
            region: None,
            new_session: None,
        };
        let error = plan(&env, &request).expect_err("the portal refuses");
        assert_clean(&format!("profiles, HTTP {status}"), &error_views(&error));
        assert!(error.chain_message().contains("my-sso"), "{error}");
    }
}

/// `codecommit-auth profiles`: the plan's Debug and its dry-run diff never show a secret
/// key of the user's config file, though the diff shows the lines around ours.
#[test]
fn profile_plans_and_their_diffs_never_carry_secrets() {
    use codecommit_auth::credentials::sso_profiles::{Pattern, Request, plan};

    struct Portal;
    impl HttpClient for Portal {
        fn send(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
            let body = if request.url.contains("/assignment/accounts") {
                r#"{"accountList": [{"accountId": "111122223333", "accountName": "Prod"}]}"#
            } else {
                r#"{"roleList": [{"roleName": "Admin", "accountId": "111122223333"}]}"#
            };
            Ok(HttpResponse::new(200, body))
        }
    }
    use sha1::{Digest, Sha1};
    let config = format!(
        "{CONFIG}\n[profile last]\naws_access_key_id = AKIDLAST\n\
         aws_secret_access_key = SENTINEL-DIFF-SECRET\naws_session_token = SENTINEL-DIFF-TOKEN\n"
    );
    let env = memory()
        .with_var("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:9")
        .with_file(format!("{HOME}/.aws/config"), config)
        .with_file(
            format!(
                "{HOME}/.aws/sso/cache/{}.json",
                hex::encode(Sha1::digest(b"my-sso"))
            ),
            format!(
                r#"{{"accessToken": "SENTINEL-SSO-PLAN", "expiresAt": "{}"}}"#,
                at(3600)
            ),
        )
        .with_http_client(Portal);
    let request = Request {
        sso_session: "my-sso".into(),
        pattern: Pattern::default(),
        region: None,
        new_session: None,
    };
    let planned = plan(&env, &request).expect("a plan");
    let diff = planned.diff();
    assert!(diff.contains("+[profile Prod.Admin]"), "{diff}");
    assert!(
        diff.contains(" aws_secret_access_key = <redacted>"),
        "{diff}"
    );
    assert_clean("profiles plan", &[debug(&planned), diff]);
    // The new file does hold the user's keys, untouched.
    assert!(planned.after.contains("SENTINEL-DIFF-SECRET"));
    // And the plan wipes its copies of the file when dropped.
    assert_eq!(
        super::zeroize::freed_copies("SENTINEL-DIFF-SECRET", || drop(planned)),
        0,
        "Plan"
    );
}

/// An MFA code is a secret: sent to STS as `TokenCode` and nowhere else, even when STS
/// refuses it and quotes it back, whoever gave it (the application's callback, an
/// askpass program).
#[test]
fn mfa_codes_reach_sts_and_no_error() {
    #[derive(Clone, Default)]
    struct EchoingSts(Arc<Mutex<Vec<String>>>);
    impl HttpClient for EchoingSts {
        fn send(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
            let body = String::from_utf8_lossy(&request.body).into_owned();
            let code = body
                .split('&')
                .find_map(|p| p.strip_prefix("TokenCode="))
                .unwrap_or_default()
                .to_owned();
            self.0.lock().unwrap().push(body);
            Ok(HttpResponse::new(
                403,
                support::sts::error_response(
                    "AccessDenied",
                    &format!(
                        "MultiFactorAuthentication failed with invalid MFA one time pass code {code}."
                    ),
                ),
            ))
        }
    }
    let config = format!(
        "{CONFIG}\n[profile mfa]\nregion = eu-west-1\nrole_arn = arn:aws:iam::123456789012:role/Mfa\n\
         source_profile = static\nmfa_serial = arn:aws:iam::123456789012:mfa/dev\n"
    );
    let base = |sts: &EchoingSts| {
        memory()
            .with_file(format!("{HOME}/.aws/config"), config.clone())
            .with_file(format!("{HOME}/.aws/credentials"), CREDENTIALS)
            .with_http_client(sts.clone())
    };

    let sts = EchoingSts::default();
    let resolver = Resolver::with_environment(base(&sts))
        .with_mfa_callback(|_, _| Ok(Some("SENTINEL-MFA-CALLBACK".to_owned())));
    assert_clean("a resolver with an MFA callback", &[debug(&resolver)]);
    let err = resolver.resolve("codecommit://mfa@Repo").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MfaRequired, "{err}");
    assert_clean("a refused MFA code (callback)", &error_views(&err));

    let env = base(&sts)
        .with_var("GIT_ASKPASS", "/usr/bin/askpass")
        .with_process_runner(process_output("SENTINEL-MFA-ASKPASS\nmore\n", 0));
    let err = Resolver::with_environment(env)
        .resolve("codecommit://mfa@Repo")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MfaRequired, "{err}");
    assert_clean("a refused MFA code (askpass)", &error_views(&err));

    let sent = sts.0.lock().unwrap().clone();
    assert_eq!(sent.len(), 2, "{sent:?}");
    // Only the first line of the askpass program's answer.
    assert!(
        sent[0].ends_with("&TokenCode=SENTINEL-MFA-CALLBACK"),
        "{sent:?}"
    );
    assert!(
        sent[1].ends_with("&TokenCode=SENTINEL-MFA-ASKPASS"),
        "{sent:?}"
    );
}
