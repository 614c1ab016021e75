//! Roles (STS AssumeRole), web identity and credential_process.

use super::*;
use support::sts::{Verified, error_response, form, sts_reply, verify};

const ROLES: &str = "\
[profile base]
region = eu-west-1
aws_access_key_id = AKIABASEEXAMPLE00001
aws_secret_access_key = base-secret

[profile role1]
region = us-east-2
role_arn = arn:aws:iam::111111111111:role/Role1
source_profile = base

[profile role2]
region = us-west-2
role_arn = arn:aws:iam::222222222222:role/Role2
source_profile = role1
role_session_name = my-session
external_id = ext-123
duration_seconds = 1800

[profile role3]
region = eu-central-1
role_arn = arn:aws:iam::333333333333:role/Role3
source_profile = role2

[profile self]
region = us-east-1
role_arn = arn:aws:iam::444444444444:role/Self
source_profile = self
aws_access_key_id = AKIASELFEXAMPLE00001
aws_secret_access_key = self-secret

[profile cyc1]
region = us-east-1
role_arn = arn:aws:iam::1:role/C1
source_profile = cyc2

[profile cyc2]
role_arn = arn:aws:iam::1:role/C2
source_profile = cyc1

[profile from-env]
region = us-east-1
role_arn = arn:aws:iam::555555555555:role/FromEnv
credential_source = Environment

[profile imds]
region = us-east-1
role_arn = arn:aws:iam::555555555555:role/Imds
credential_source = environment

[profile both]
region = us-east-1
role_arn = arn:aws:iam::1:role/B
source_profile = base
credential_source = Environment

[profile dangling]
region = us-east-1
role_arn = arn:aws:iam::1:role/D
source_profile = nowhere

[profile mfa]
region = us-east-1
role_arn = arn:aws:iam::666666666666:role/Mfa
source_profile = base
mfa_serial = arn:aws:iam::666666666666:mfa/dev

[profile via-sso]
region = us-east-1
role_arn = arn:aws:iam::777777777777:role/Deploy
source_profile = legacy

[profile legacy]
region = us-east-2
sso_start_url = https://my-sso-portal.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = DevRole

[profile web]
region = us-east-1
role_arn = arn:aws:iam::888888888888:role/Web
web_identity_token_file = /var/run/token.jwt
role_session_name = websess

[profile proc]
region = us-east-1
credential_process = printf %s '{\"Version\": 1, \"AccessKeyId\": \"AKIAPROCEXAMPLE00001\", \"SecretAccessKey\": \"proc-secret\", \"SessionToken\": \"proc-token\"}'
";

fn roles_env(server: &Server) -> MemoryEnvironment {
    MemoryEnvironment::new()
        .with_var("HOME", HOME)
        .with_var("AWS_ENDPOINT_URL_STS", server.url())
        .with_var("AWS_ENDPOINT_URL_SSO", server.url())
        .with_now(UNIX_EPOCH + Duration::from_secs(NOW))
        .with_file(format!("{HOME}/.aws/config"), ROLES)
        .with_http_client(LoopbackOnly::around(HttpsClient::from_environment(
            &MemoryEnvironment::new(),
        )))
        .with_process_runner(codecommit_auth::env::OsEnvironment::run)
        // No askpass program, and not the machine's git `core.askPass` either: the MFA
        // tests choose theirs.
        .with_var("GIT_ASKPASS", "")
}

/// An STS stand-in that refuses every call with AccessDenied and `message`.
fn denying_sts(message: &str) -> Server {
    let server = Server::start();
    server.route(
        "POST",
        "/",
        vec![Reply::new(403, error_response("AccessDenied", message))],
    );
    server
}

fn sts_ok(n: u32, account: &str) -> Reply {
    sts_reply("AssumeRole", n, account, &at(3600))
}

#[test]
fn role_with_static_source_is_assumed_and_signed_correctly() {
    let server = Server::start();
    server.route("POST", "/", vec![sts_ok(1, "111111111111")]);
    let resolver = Resolver::with_environment(roles_env(&server));
    let url = resolver
        .signed_url_at("codecommit://role1@Repo", time())
        .unwrap();
    assert!(
        url.as_str()
            .starts_with("https://ASIASTS0000000000001%25sts-token-1%26more:"),
        "{}",
        url.as_str()
    );

    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].header("content-type"),
        Some("application/x-www-form-urlencoded; charset=utf-8")
    );
    let params = form(&seen[0]);
    assert_eq!(params["Action"], "AssumeRole");
    assert_eq!(params["Version"], "2011-06-15");
    assert_eq!(params["RoleArn"], "arn:aws:iam::111111111111:role/Role1");
    assert_eq!(params["RoleSessionName"], format!("botocore-session-{NOW}"));
    assert!(!params.contains_key("ExternalId") && !params.contains_key("DurationSeconds"));
    assert_eq!(
        verify(&seen[0], "base-secret").unwrap(),
        Verified {
            access_key: "AKIABASEEXAMPLE00001".into(),
            region: "us-east-2".into(),
            service: "sts".into(),
            signed_headers: vec!["content-type".into(), "host".into(), "x-amz-date".into()],
        }
    );
    assert!(
        verify(&seen[0], "wrong-secret").is_err(),
        "the verifier can fail"
    );

    // Cached under botocore's key: {"RoleArn": …} (defaulted session name left out).
    let key = "/home/dev/.aws/cli/cache/".to_owned()
        + &sha1_hex(r#"{"RoleArn": "arn:aws:iam::111111111111:role/Role1"}"#)
        + ".json";
    let doc: Value =
        serde_json::from_slice(&resolver.environment().file(&key).expect("cached")).unwrap();
    assert_eq!(doc["Credentials"]["AccessKeyId"], "ASIASTS0000000000001");
    assert!(
        doc["Credentials"]["Expiration"]
            .as_str()
            .unwrap()
            .ends_with("UTC")
    );
    assert_eq!(doc["Credentials"]["AccountId"], "111111111111");
    resolver
        .signed_url_at("codecommit://role1@Repo", time())
        .unwrap();
    assert_eq!(server.seen().len(), 1, "second run served from the cache");
}

fn sha1_hex(s: &str) -> String {
    use sha1::{Digest, Sha1};
    hex::encode(Sha1::digest(s.as_bytes()))
}

#[test]
fn chains_of_depth_three_sign_each_hop_with_the_previous_one() {
    let server = Server::start();
    server.route(
        "POST",
        "/",
        vec![
            sts_ok(1, "111111111111"),
            sts_ok(2, "222222222222"),
            sts_ok(3, "333333333333"),
        ],
    );
    let resolver = Resolver::with_environment(roles_env(&server));
    let url = resolver
        .signed_url_at("codecommit://role3@Repo", time())
        .unwrap();
    assert!(url.username().starts_with("ASIASTS0000000000003"));
    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    let arns: Vec<String> = seen.iter().map(|s| form(s)["RoleArn"].clone()).collect();
    assert_eq!(
        arns,
        [
            "arn:aws:iam::111111111111:role/Role1",
            "arn:aws:iam::222222222222:role/Role2",
            "arn:aws:iam::333333333333:role/Role3"
        ]
    );
    // Hop 1 with the base keys, hop 2 with Role1's, hop 3 with Role2's (and their tokens).
    let v1 = verify(&seen[0], "base-secret").unwrap();
    let v2 = verify(&seen[1], "sts-secret-1").unwrap();
    let v3 = verify(&seen[2], "sts-secret-2").unwrap();
    assert_eq!(
        seen[1].header("x-amz-security-token"),
        Some("sts-token-1&more")
    );
    assert!(
        v2.signed_headers
            .contains(&"x-amz-security-token".to_owned())
    );
    // BOTOCORE: every hop in the top-level profile's region (§10 item 45).
    assert_eq!(
        [v1.region, v2.region, v3.region],
        ["eu-central-1", "eu-central-1", "eu-central-1"]
    );
    let p2 = form(&seen[1]);
    assert_eq!(p2["RoleSessionName"], "my-session");
    assert_eq!(p2["ExternalId"], "ext-123");
    assert_eq!(p2["DurationSeconds"], "1800");
    let explain = resolver
        .resolve("codecommit://role3@Repo")
        .unwrap()
        .explain();
    assert!(explain.contains("Role3"), "{explain}");
}

#[test]
fn configuration_errors_name_the_profiles() {
    let server = Server::start();
    let resolver = Resolver::with_environment(roles_env(&server));
    let cases = [
        (
            "cyc1",
            ErrorKind::InvalidConfig,
            "Infinite loop in credential configuration detected. Attempting to load from profile cyc1 which has already been visited. Visited profiles: ['cyc1', 'cyc2']",
        ),
        (
            "imds",
            ErrorKind::InvalidConfig,
            "The credential source \"environment\" referenced in profile \"imds\" is not valid.",
        ),
        (
            "both",
            ErrorKind::InvalidConfig,
            "The profile \"both\" contains both source_profile and credential_source.",
        ),
        (
            "dangling",
            ErrorKind::InvalidConfig,
            "The source_profile \"nowhere\" referenced in the profile \"dangling\" does not exist.",
        ),
        (
            "mfa",
            ErrorKind::MfaRequired,
            "profile mfa needs an MFA code",
        ),
        (
            "from-env",
            ErrorKind::CredentialsNotFound,
            "No credentials found in credential_source referenced in profile from-env",
        ),
    ];
    for (profile, kind, want) in cases {
        let err = resolver
            .signed_url_at(&format!("codecommit://{profile}@Repo"), time())
            .unwrap_err();
        assert_eq!(err.kind(), kind, "{profile}: {err}");
        assert!(err.to_string().contains(want), "{profile}: {err}");
    }
    assert!(server.seen().is_empty());
}

#[test]
fn self_sourced_profile_uses_its_own_keys() {
    let server = Server::start();
    server.route("POST", "/", vec![sts_ok(9, "444444444444")]);
    let resolver = Resolver::with_environment(roles_env(&server));
    resolver
        .signed_url_at("codecommit://self@Repo", time())
        .unwrap();
    verify(&server.seen()[0], "self-secret").unwrap();
}

#[test]
fn credential_source_environment_uses_env_keys_even_with_a_named_profile() {
    let server = Server::start();
    server.route("POST", "/", vec![sts_ok(4, "555555555555")]);
    let env = roles_env(&server)
        .with_var("AWS_ACCESS_KEY_ID", "AKIAENVEXAMPLE000001")
        .with_var("AWS_SECRET_ACCESS_KEY", "env-secret");
    Resolver::with_environment(env)
        .signed_url_at("codecommit://from-env@Repo", time())
        .unwrap();
    assert_eq!(
        verify(&server.seen()[0], "env-secret").unwrap().access_key,
        "AKIAENVEXAMPLE000001"
    );
}

#[test]
fn access_denied_names_the_role_and_the_source() {
    let server =
        denying_sts("User: arn:aws:iam::1:user/base is not authorized to perform: sts:AssumeRole");
    let err = Resolver::with_environment(roles_env(&server))
        .signed_url_at("codecommit://role1@Repo", time())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ServiceError);
    let text = err.to_string();
    assert!(
        text.starts_with(
            "An error occurred (AccessDenied) when calling the AssumeRole operation: User:"
        ),
        "{text}"
    );
    assert!(
        text.contains("arn:aws:iam::111111111111:role/Role1")
            && text.contains("source profile base"),
        "{text}"
    );
    assert!(!text.contains("base-secret"));
}

#[test]
fn caches_written_by_botocore_in_either_directory_are_used() {
    // An entry as git-remote-codecommit writes it to ~/.aws/boto/cache (§6.3).
    let key = sha1_hex(r#"{"RoleArn": "arn:aws:iam::111111111111:role/Role1"}"#);
    let entry = format!(
        r#"{{"Credentials": {{"AccessKeyId": "ASIABOTOCACHED000001", "SecretAccessKey": "cached-secret", "SessionToken": "cached-token", "Expiration": "{}", "AccountId": "111111111111"}}, "AssumedRoleUser": {{"AssumedRoleId": "AROA1:botocore-session-1", "Arn": "arn:aws:sts::111111111111:assumed-role/Role1/botocore-session-1"}}}}"#,
        at(16 * 60).replace('Z', "UTC")
    );
    for dir in ["boto", "cli"] {
        let server = Server::start();
        let env = roles_env(&server).with_file(
            format!("{HOME}/.aws/{dir}/cache/{key}.json"),
            entry.as_str(),
        );
        let url = Resolver::with_environment(env)
            .signed_url_at("codecommit://role1@Repo", time())
            .unwrap();
        assert!(url.username().starts_with("ASIABOTOCACHED000001"), "{dir}");
        assert!(server.seen().is_empty(), "{dir}: no STS call");
    }
    // 14 minutes left: assumed again and the CLI cache replaced.
    let server = Server::start();
    server.route("POST", "/", vec![sts_ok(5, "111111111111")]);
    let stale = entry.replace(
        &at(16 * 60).replace('Z', "UTC"),
        &at(14 * 60).replace('Z', "UTC"),
    );
    let env =
        roles_env(&server).with_file(format!("{HOME}/.aws/cli/cache/{key}.json"), stale.as_str());
    let resolver = Resolver::with_environment(env);
    let url = resolver
        .signed_url_at("codecommit://role1@Repo", time())
        .unwrap();
    assert!(url.username().starts_with("ASIASTS0000000000005"));
    let doc: Value = serde_json::from_slice(
        &resolver
            .environment()
            .file(format!("{HOME}/.aws/cli/cache/{key}.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(doc["Credentials"]["AccessKeyId"], "ASIASTS0000000000005");
}

#[test]
fn mfa_role_with_a_cached_entry_needs_no_prompt() {
    let key = sha1_hex(
        r#"{"RoleArn": "arn:aws:iam::666666666666:role/Mfa", "SerialNumber": "arn:aws:iam::666666666666:mfa/dev"}"#,
    );
    let entry = format!(
        r#"{{"Credentials": {{"AccessKeyId": "ASIAMFACACHED0000001", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "{}"}}}}"#,
        at(3600)
    );
    let server = Server::start();
    let env =
        roles_env(&server).with_file(format!("{HOME}/.aws/cli/cache/{key}.json"), entry.as_str());
    let url = Resolver::with_environment(env)
        .signed_url_at("codecommit://mfa@Repo", time())
        .unwrap();
    assert!(url.username().starts_with("ASIAMFACACHED0000001"));
}

#[test]
fn sso_profile_as_the_source_of_a_role() {
    let server = Server::start();
    server.route("GET", PORTAL, vec![role_credentials(1, 3600)]);
    server.route("POST", "/", vec![sts_ok(6, "777777777777")]);
    let env = roles_env(&server).with_file(LEGACY_TOKEN, token_file("ACCESS-1", 3600, false));
    let url = Resolver::with_environment(env)
        .signed_url_at("codecommit://via-sso@Repo", time())
        .unwrap();
    assert!(url.username().starts_with("ASIASTS0000000000006"));
    let seen = server.seen();
    assert_eq!(seen[0].path, PORTAL);
    assert_eq!(
        verify(&seen[1], "portal-secret-1").unwrap().access_key,
        "ASIAPORTAL0000000001"
    );
}

#[test]
fn web_identity_from_profile_and_from_env() {
    let server = Server::start();
    let ok = sts_reply("AssumeRoleWithWebIdentity", 8, "888888888888", &at(3600));
    server.route("POST", "/", vec![ok]);
    let env = roles_env(&server).with_file("/var/run/token.jwt", "eyJ.header.sig\n");
    let url = Resolver::with_environment(env)
        .signed_url_at("codecommit://web@Repo", time())
        .unwrap();
    assert!(url.username().starts_with("ASIASTS0000000000008"));
    let seen = server.seen();
    assert_eq!(
        seen[0].header("authorization"),
        None,
        "web identity is unsigned"
    );
    let p = form(&seen[0]);
    assert_eq!(p["Action"], "AssumeRoleWithWebIdentity");
    assert_eq!(p["RoleArn"], "arn:aws:iam::888888888888:role/Web");
    assert_eq!(p["RoleSessionName"], "websess");
    assert_eq!(
        p["WebIdentityToken"], "eyJ.header.sig\n",
        "token sent verbatim"
    );

    // From the environment (no profile@): the variables win key by key.
    let server = Server::start();
    server.route(
        "POST",
        "/",
        vec![sts_reply("AssumeRoleWithWebIdentity", 9, "9", &at(3600))],
    );
    let env = roles_env(&server)
        .with_file("/ci/token", "ci-jwt")
        .with_var("AWS_WEB_IDENTITY_TOKEN_FILE", "/ci/token")
        .with_var("AWS_ROLE_ARN", "arn:aws:iam::999999999999:role/CI")
        .with_var("AWS_DEFAULT_REGION", "us-east-1");
    Resolver::with_environment(env)
        .signed_url_at("codecommit://Repo", time())
        .unwrap();
    let p = form(&server.seen()[0]);
    assert_eq!(p["RoleArn"], "arn:aws:iam::999999999999:role/CI");
    assert_eq!(p["WebIdentityToken"], "ci-jwt");
    assert_eq!(p["RoleSessionName"], format!("botocore-session-{NOW}"));
}

#[test]
fn credential_process_success_and_failures() {
    let server = Server::start();
    let env = roles_env(&server);
    let url = Resolver::with_environment(env)
        .signed_url_at("codecommit://proc@Repo", time())
        .unwrap();
    assert!(
        url.username()
            .starts_with("AKIAPROCEXAMPLE00001%25proc-token"),
        "{}",
        url.username()
    );

    let cases = [
        ("printf 'not json'", "its output is not JSON"),
        (
            "sh -c 'echo boom >&2; exit 3'",
            "the command exited with status 3: boom",
        ),
        (
            r#"printf '{"Version": "1", "AccessKeyId": "A", "SecretAccessKey": "TOPSECRET"}'"#,
            "Unsupported version '1'",
        ),
        (
            r#"printf '{"Version": 1, "AccessKeyId": "A"}'"#,
            "Missing required key in response: 'SecretAccessKey'",
        ),
        (
            r#"printf '{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "TOPSECRET", "Expiration": "2030-01-01T00:00:00"}'"#,
            "has no time zone",
        ),
        ("sleep 30", "did not finish within 1 s"),
        ("/nonexistent/helper", "cannot run"),
        ("a 'b", "No closing quotation"),
    ];
    for (command, want) in cases {
        let config = format!("[profile p]\nregion = us-east-1\ncredential_process = {command}\n");
        let env = roles_env(&server)
            .with_file(format!("{HOME}/.aws/config"), config)
            .with_var("CODECOMMIT_AUTH_PROCESS_TIMEOUT", "1");
        let start = std::time::Instant::now();
        let err = Resolver::with_environment(env)
            .signed_url_at("codecommit://p@Repo", time())
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ProcessFailed, "{command}: {err}");
        let text = err.to_string();
        assert!(
            text.starts_with("Error when retrieving credentials from custom-process: "),
            "{text}"
        );
        assert!(text.contains(want), "{command}: {text}");
        assert!(!text.contains("TOPSECRET"), "{text}");
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{command} took {:?}",
            start.elapsed()
        );
    }
}

/// A configured endpoint that is not a URL with a host, or a region that cannot be part
/// of a host name, is a configuration error named at its source, found before anything
/// is signed or sent. (The first case is a fuzzer's: aws-sigv4 panicked on the URL.)
#[test]
fn invalid_endpoints_and_regions_are_refused_before_anything_is_sent() {
    const CONFIG: &str = "\
[default]
region = us-east-1
role_arn = arn:aws:iam::123456789012:role/integration-test
source_profile = base
endpoint_url = //:thtpaws.global-profile-override

[profile base]
aws_access_key_id = AKIAFAKE
aws_secret_access_key = FAKE

[profile via-services]
region = us-east-1
role_arn = arn:aws:iam::123456789012:role/R
source_profile = base
services = local

[services local]
sts =
  endpoint_url = http://exa_mple.test/

[profile bad-region]
region = us-east-1.evil.example#
role_arn = arn:aws:iam::123456789012:role/R
source_profile = base

[profile plain-role]
region = us-east-1
role_arn = arn:aws:iam::123456789012:role/R
source_profile = base

[profile sso]
region = us-east-1
sso_start_url = https://my-sso-portal.awsapps.com/start
sso_region = evil.example/#
sso_account_id = 111122223333
sso_role_name = DevRole
";
    let server = Server::start();
    let token = json!({
        "startUrl": "https://my-sso-portal.awsapps.com/start",
        "region": "us-east-1",
        "accessToken": "ACCESS",
        "expiresAt": at(3600),
    })
    .to_string();
    let base = || {
        MemoryEnvironment::new()
            .with_var("HOME", HOME)
            .with_now(UNIX_EPOCH + Duration::from_secs(NOW))
            .with_file(format!("{HOME}/.aws/config"), CONFIG)
            .with_file(
                "/home/dev/.aws/sso/cache/c7aaaf71fcc8777ae2475525ed049d39fe16c484.json",
                token.as_str(),
            )
            .with_http_client(LoopbackOnly::around(HttpsClient::from_environment(
                &MemoryEnvironment::new(),
            )))
    };
    let cases = [
        (
            base(),
            "default",
            "Invalid endpoint: //:thtpaws.global-profile-override (endpoint_url of profile \
             default; the URL is not an http:// or https:// URL",
        ),
        (
            base().with_var("AWS_ENDPOINT_URL_STS", "localhost:8080"),
            "plain-role",
            "Invalid endpoint: localhost:8080 (set by AWS_ENDPOINT_URL_STS;",
        ),
        (
            base().with_var("AWS_ENDPOINT_URL", "http://user@127.0.0.1/"),
            "plain-role",
            "(set by AWS_ENDPOINT_URL; the URL has user information (user@host)",
        ),
        (
            base(),
            "via-services",
            "Invalid endpoint: http://exa_mple.test/ (endpoint_url of sts in [services \
             local], used by profile via-services; the URL has an invalid host name",
        ),
        (
            base(),
            "bad-region",
            "Provided region_name 'us-east-1.evil.example#' doesn't match a supported format. \
             (the STS client's region, from the region of profile bad-region;",
        ),
        (
            base().with_var("AWS_DEFAULT_REGION", "12345"),
            "plain-role",
            "Provided region_name '12345' doesn't match a supported format. (the STS \
             client's region, from AWS_DEFAULT_REGION;",
        ),
        (
            base(),
            "sso",
            "Provided region_name 'evil.example/#' doesn't match a supported format. (the \
             sso_region configured for profile sso;",
        ),
    ];
    for (env, profile, want) in cases {
        let err = Resolver::with_environment(env)
            // The Git region is explicit, so only the STS or SSO region is in question.
            .signed_url_at(&format!("codecommit::us-east-1://{profile}@Repo"), time())
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{profile}: {err}");
        assert!(err.to_string().contains(want), "{profile}: {err}");
        assert!(!err.to_string().contains("FAKE"), "{profile}: {err}");
    }
    assert!(server.seen().is_empty());
}

/// Twenty resolvers over one real home with an empty cache (issue 18, defect 2): an
/// assume-role profile, a web identity profile and an SSO-sourced role each make one STS
/// call (and the SSO one one portal call), as the README promises — the per-key lock
/// the SSO path takes now covers the STS fetches too, and the cache is read again once
/// it is held.
#[test]
fn parallel_role_misses_make_one_sts_call_each() {
    let home = TempDir::new("role-herd");
    let token = home.path().join("token.jwt");
    std::fs::write(&token, "eyJ.header.sig").unwrap();
    home.write(
        ".aws/config",
        format!(
            "{ROLES}\n[profile web-disk]\nregion = us-east-1\n\
             role_arn = arn:aws:iam::888888888888:role/Web\n\
             web_identity_token_file = {}\n",
            token.display()
        ),
    );
    home.write(
        ".aws/sso/cache/c7aaaf71fcc8777ae2475525ed049d39fe16c484.json",
        token_file("ACCESS-1", 3600, false),
    );
    for (profile, operation) in [
        ("role1", "AssumeRole"),
        ("web-disk", "AssumeRoleWithWebIdentity"),
        ("via-sso", "AssumeRole"),
    ] {
        let server = Server::start();
        server.route(
            "POST",
            "/",
            vec![
                sts_reply(operation, 1, "111111111111", &at(3600))
                    .delayed(Duration::from_millis(200)),
            ],
        );
        server.route(
            "GET",
            PORTAL,
            vec![role_credentials(1, 3600).delayed(Duration::from_millis(100))],
        );
        let urls: Vec<String> = super::race(
            20,
            &home,
            &[
                ("AWS_ENDPOINT_URL_STS", server.url()),
                ("AWS_ENDPOINT_URL_SSO", server.url()),
            ],
            &format!("codecommit://{profile}@Repo"),
        )
        .into_iter()
        .map(|r| r.unwrap_or_else(|e| panic!("{profile}: {e}")))
        .collect();
        assert!(urls.windows(2).all(|w| w[0] == w[1]), "{profile}: {urls:?}");
        assert_eq!(server.count("/"), 1, "{profile}: STS calls for twenty runs");
        let portal = usize::from(profile == "via-sso");
        assert_eq!(server.count(PORTAL), portal, "{profile}: portal calls");
    }
}

const MFA_SERIAL: &str = "arn:aws:iam::666666666666:mfa/dev";
const MFA_PROMPT: &str = "Enter MFA code for arn:aws:iam::666666666666:mfa/dev: ";

/// The CLI cache file of role `mfa`: botocore's key includes `SerialNumber` (§6.2).
fn mfa_cache_file() -> String {
    format!(
        "{HOME}/.aws/cli/cache/{}.json",
        sha1_hex(&format!(
            r#"{{"RoleArn": "arn:aws:iam::666666666666:role/Mfa", "SerialNumber": "{MFA_SERIAL}"}}"#
        ))
    )
}

/// STS saw one AssumeRole for role `mfa` with the serial and `code`, signed with the
/// source profile's keys.
#[track_caller]
fn assert_one_mfa_call(server: &Server, code: &str) {
    let seen = server.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    let params = form(&seen[0]);
    assert_eq!(params["RoleArn"], "arn:aws:iam::666666666666:role/Mfa");
    assert_eq!(params["SerialNumber"], MFA_SERIAL);
    assert_eq!(params["TokenCode"], code);
    verify(&seen[0], "base-secret").unwrap();
}

#[test]
fn mfa_callback_gives_the_code_and_the_session_is_cached_for_the_next_resolver() {
    let server = Server::start();
    server.route("POST", "/", vec![sts_ok(7, "666666666666")]);
    let env = roles_env(&server);
    let asked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let resolver = Resolver::with_environment(&env).with_mfa_callback({
        let asked = asked.clone();
        move |profile, serial| {
            asked
                .lock()
                .unwrap()
                .push((profile.to_owned(), serial.to_owned()));
            Ok(Some(" 123456\n".to_owned()))
        }
    });
    let url = resolver
        .signed_url_at("codecommit://mfa@Repo", time())
        .unwrap();
    assert!(url.username().starts_with("ASIASTS0000000000007"));
    assert_eq!(
        *asked.lock().unwrap(),
        [("mfa".to_owned(), MFA_SERIAL.to_owned())]
    );
    // Trimmed: STS gets the digits only.
    assert_one_mfa_call(&server, "123456");
    let doc: Value = serde_json::from_slice(&env.file(mfa_cache_file()).expect("cached")).unwrap();
    assert_eq!(doc["Credentials"]["AccessKeyId"], "ASIASTS0000000000007");

    // The next command (a new resolver, as a new git process) asks nobody.
    let again = Resolver::with_environment(&env)
        .with_mfa_callback(|_, _| panic!("a cached session needs no code"))
        .signed_url_at("codecommit://mfa@Repo", time())
        .unwrap();
    assert_eq!(again, url);
    assert_eq!(server.seen().len(), 1);
}

#[test]
fn mfa_callback_that_declines_or_fails_stops_before_sts() {
    let server = Server::start();
    let env = roles_env(&server);
    let err = Resolver::with_environment(&env)
        .with_mfa_callback(|_, _| Ok(None))
        .signed_url_at("codecommit://mfa@Repo", time())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MfaRequired);
    assert_eq!(
        err.to_string(),
        "profile mfa needs an MFA code (mfa_serial = arn:aws:iam::666666666666:mfa/dev) to \
         assume arn:aws:iam::666666666666:role/Mfa, and the application's MFA callback gave \
         none"
    );
    let err = Resolver::with_environment(&env)
        .with_mfa_callback(|_, _| Ok(Some("  ".to_owned())))
        .signed_url_at("codecommit://mfa@Repo", time())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MfaRequired);
    assert!(
        err.to_string().starts_with("no MFA code was entered"),
        "{err}"
    );
    let err = Resolver::with_environment(&env)
        // Applications hold no error constructor: any error of the library's passes.
        .with_mfa_callback(|_, _| Err(codecommit_auth::Remote::parse("github://x").unwrap_err()))
        .signed_url_at("codecommit://mfa@Repo", time())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MalformedRemote);
    assert!(err.to_string().contains("github://x"), "{err}");
    assert!(server.seen().is_empty());
}

/// An askpass program as git runs one: the prompt as its only argument, the code its
/// first line of output; `GIT_ASKPASS` first.
#[test]
fn mfa_code_from_an_askpass_program() {
    let dir = TempDir::new("mfa-askpass");
    let prompt_file = dir.path().join("prompt");
    dir.write(
        "askpass",
        format!(
            "#!/bin/sh\nprintf '%s' \"$#:$1\" > '{}'\nprintf '654321\\nignored\\n'\n",
            prompt_file.display()
        ),
    );
    make_executable(&dir.path().join("askpass"));
    // SSH_ASKPASS comes after GIT_ASKPASS, and an empty GIT_ASKPASS means none.
    dir.write("never", "#!/bin/sh\nexit 1\n");
    make_executable(&dir.path().join("never"));
    let server = Server::start();
    server.route("POST", "/", vec![sts_ok(8, "666666666666")]);
    let env = roles_env(&server)
        .with_var(
            "GIT_ASKPASS",
            dir.path().join("askpass").display().to_string(),
        )
        .with_var(
            "SSH_ASKPASS",
            dir.path().join("never").display().to_string(),
        );
    let url = Resolver::with_environment(env)
        .signed_url_at("codecommit://mfa@Repo", time())
        .unwrap();
    assert!(url.username().starts_with("ASIASTS0000000000008"));
    assert_eq!(
        std::fs::read_to_string(&prompt_file).unwrap(),
        format!("1:{MFA_PROMPT}")
    );
    assert_one_mfa_call(&server, "654321");

    // A failing askpass program, and then no terminal: the error names both.
    let server = Server::start();
    let env = roles_env(&server).with_var(
        "SSH_ASKPASS",
        dir.path().join("never").display().to_string(),
    );
    let env = env.with_var("GIT_ASKPASS", "");
    let err = Resolver::with_environment(env)
        .signed_url_at("codecommit://mfa@Repo", time())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MfaRequired, "{err}");
    assert!(
        !err.to_string().contains("never"),
        "an empty GIT_ASKPASS means no askpass program, as in git: {err}"
    );
    let env = roles_env(&server).with_var(
        "GIT_ASKPASS",
        dir.path().join("never").display().to_string(),
    );
    let err = Resolver::with_environment(env)
        .signed_url_at("codecommit://mfa@Repo", time())
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(&format!(
            "the askpass program {:?} from GIT_ASKPASS exited with status 1; no terminal to ask on",
            dir.path().join("never").display().to_string()
        )),
        "{text}"
    );
    assert!(text.contains("set GIT_ASKPASS"), "{text}");
    assert!(server.seen().is_empty());
}

#[cfg(unix)]
fn make_executable(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn without_a_terminal_or_askpass_the_error_says_how_to_give_the_code() {
    let server = Server::start();
    for (prompt_var, why) in [
        (
            None,
            "no terminal to ask on (this environment has no terminal to prompt on)",
        ),
        (Some("0"), "terminal prompts are off (GIT_TERMINAL_PROMPT)"),
    ] {
        let mut env = roles_env(&server);
        if let Some(v) = prompt_var {
            env = env.with_var("GIT_TERMINAL_PROMPT", v);
        }
        let err = Resolver::with_environment(env)
            .signed_url_at("codecommit://mfa@Repo", time())
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MfaRequired);
        assert_eq!(
            err.to_string(),
            format!(
                "profile mfa needs an MFA code (mfa_serial = {MFA_SERIAL}) to assume \
                 arn:aws:iam::666666666666:role/Mfa, and nobody could be asked for it: {why}. \
                 Run git from a terminal, set GIT_ASKPASS to a program that asks for it, or \
                 assume the role once with the AWS CLI (e.g. `aws sts get-caller-identity \
                 --profile mfa`), which caches the session for us to reuse"
            )
        );
    }
    assert!(server.seen().is_empty());
}

/// STS refuses a wrong code with AccessDenied: the error says the code was refused (and
/// never shows it), nothing is cached.
#[test]
fn a_wrong_mfa_code_is_an_error_that_says_so() {
    let server = denying_sts(
        "MultiFactorAuthentication failed with invalid MFA one time pass code. (code 111222)",
    );
    let env = roles_env(&server);
    let err = Resolver::with_environment(&env)
        .with_mfa_callback(|_, _| Ok(Some("111222".to_owned())))
        .signed_url_at("codecommit://mfa@Repo", time())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MfaRequired);
    let text = err.to_string();
    assert!(
        text.starts_with(
            "STS refused the MFA code: it was mistyped, expired or already used; run the \
             command again and enter the next code. An error occurred (AccessDenied) when \
             calling the AssumeRole operation: MultiFactorAuthentication failed"
        ),
        "{text}"
    );
    assert!(!text.contains("111222"), "the code is a secret: {text}");
    assert!(text.contains("** redacted **"), "{text}");
    assert_one_mfa_call(&server, "111222");
    assert!(env.file(mfa_cache_file()).is_none());

    // Any other refusal stays the service's error.
    let server = denying_sts("User: base is not authorized");
    let err = Resolver::with_environment(roles_env(&server))
        .with_mfa_callback(|_, _| Ok(Some("111222".to_owned())))
        .signed_url_at("codecommit://mfa@Repo", time())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ServiceError, "{err}");
}
