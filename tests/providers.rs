//! Credential providers that talk to AWS, against a real HTTP server on 127.0.0.1 that
//! the test starts and points the library at with `AWS_ENDPOINT_URL_SSO` and
//! `AWS_ENDPOINT_URL_SSO_OIDC`. The server checks nothing itself; each test asserts on
//! the requests it recorded.

// Tests read their own data and fixtures straight from disk; the seam rule is for the library.
#![allow(clippy::disallowed_methods)]

mod support;

use std::time::{Duration, UNIX_EPOCH};

use codecommit_auth::env::{HttpsClient, MemoryEnvironment};
use codecommit_auth::{ErrorKind, Resolver};
use serde_json::{Value, json};
use support::disk::TempDir;
use support::loopback::LoopbackOnly;
use support::server::{Reply, Server};

use support::sso::*;

#[test]
fn legacy_profile_signs_with_portal_credentials_and_caches_them() {
    let server = Server::start();
    server.route("GET", PORTAL, vec![role_credentials(1, 3600)]);
    let resolver = Resolver::with_environment(env(
        &server,
        LEGACY_TOKEN,
        &token_file("ACCESS-1", 3600, false),
    ));

    let url = resolver
        .signed_url_at("codecommit://legacy@ProjectAlpha", time())
        .unwrap();
    assert!(
        url.as_str()
            .starts_with("https://ASIAPORTAL0000000001%25portal-token-1%2F%2B%3D:20270115T080000Z"),
        "{}",
        url.as_str()
    );
    assert_eq!(url.host(), "git-codecommit.us-east-2.amazonaws.com");

    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "GET");
    assert_eq!(
        seen[0].query,
        [
            ("role_name".into(), "DevRole".into()),
            ("account_id".into(), "111122223333".into())
        ]
    );
    assert_eq!(seen[0].header("x-amz-sso_bearer_token"), Some("ACCESS-1"));
    assert_eq!(
        seen[0].header("authorization"),
        None,
        "the portal call is unsigned"
    );

    // The CLI v2 cache now holds them (key: §5.6 legacy rule), in the CLI's format...
    let cache = "/home/dev/.aws/cli/cache/72e96a975eece9254bf19f7aa7a026fe62442cf5.json";
    let written: Value =
        serde_json::from_slice(&resolver.environment().file(cache).expect("cache written"))
            .unwrap();
    assert_eq!(written["ProviderType"], "sso");
    assert_eq!(
        written["Credentials"]["AccessKeyId"],
        "ASIAPORTAL0000000001"
    );
    assert_eq!(written["Credentials"]["Expiration"], at(3600)); // ms truncated
    assert_eq!(written["Credentials"]["AccountId"], "111122223333");

    // ...and the next commands make no portal call.
    for _ in 0..3 {
        let again = resolver
            .signed_url_at("codecommit://legacy@ProjectAlpha", time())
            .unwrap();
        assert_eq!(again, url);
    }
    assert_eq!(server.count(PORTAL), 1);
    let explain = resolver
        .resolve("codecommit://legacy@ProjectAlpha")
        .unwrap()
        .explain();
    assert!(
        explain.contains("SSO role DevRole in account 111122223333"),
        "{explain}"
    );
    assert!(explain.contains("from the AWS CLI cache"), "{explain}");
    assert!(
        !explain.contains("portal-secret") && !explain.contains("portal-token"),
        "{explain}"
    );
}

#[test]
fn cache_entry_near_expiry_is_replaced() {
    let server = Server::start();
    server.route(
        "GET",
        PORTAL,
        vec![role_credentials(1, 14 * 60), role_credentials(2, 3600)],
    );
    let resolver = Resolver::with_environment(env(
        &server,
        LEGACY_TOKEN,
        &token_file("ACCESS-1", 3600, false),
    ));
    let first = resolver
        .signed_url_at("codecommit://legacy@R", time())
        .unwrap();
    // 14 minutes left is under the 15-minute window: fetched again.
    let second = resolver
        .signed_url_at("codecommit://legacy@R", time())
        .unwrap();
    assert_ne!(first, second);
    assert!(second.username().starts_with("ASIAPORTAL0000000002"));
    assert_eq!(server.count(PORTAL), 2);
}

#[test]
fn sessions_share_one_login_and_map_to_their_own_roles() {
    let server = Server::start();
    server.route(
        "GET",
        PORTAL,
        vec![role_credentials(1, 3600), role_credentials(2, 3600)],
    );
    let resolver = Resolver::with_environment(env(
        &server,
        SESSION_TOKEN,
        &token_file("ACCESS-S", 7200, true),
    ));
    let a = resolver.resolve("codecommit://dev-team-profile@ProjectAlpha");
    assert_eq!(a.unwrap_err().kind(), ErrorKind::ProfileNotFound);

    let alpha = resolver
        .resolve("codecommit://dev-team@ProjectAlpha")
        .unwrap();
    let beta = resolver
        .resolve("codecommit://test-team@ProjectBeta")
        .unwrap();
    assert_eq!(alpha.region().name(), "us-east-2");
    assert_eq!(beta.region().name(), "eu-west-1");
    let seen = server.seen();
    assert_eq!(seen[0].query("account_id"), Some("111122223333"));
    assert_eq!(seen[0].query("role_name"), Some("Developer"));
    assert_eq!(seen[1].query("account_id"), Some("444455556666"));
    assert_eq!(seen[1].query("role_name"), Some("ReadOnly"));
    assert!(
        seen.iter()
            .all(|s| s.header("x-amz-sso_bearer_token") == Some("ACCESS-S"))
    );
    assert!(beta.explain().contains("account 444455556666"));
    assert!(beta.explain().contains("sso-session my-sso"));
}

#[test]
fn session_token_near_expiry_is_refreshed_and_rewritten_atomically() {
    let server = Server::start();
    server.route(
        "POST",
        "/token",
        vec![Reply::json(
            200,
            &json!({"accessToken": "ACCESS-NEW", "tokenType": "Bearer", "expiresIn": 28800, "refreshToken": "REFRESH-2"}),
        )],
    );
    server.route("GET", PORTAL, vec![role_credentials(1, 3600)]);
    let resolver = Resolver::with_environment(env(
        &server,
        SESSION_TOKEN,
        &token_file("ACCESS-OLD", 14 * 60, true),
    ));
    resolver
        .signed_url_at("codecommit://dev-team@Repo", time())
        .unwrap();

    let seen = server.seen();
    assert_eq!(seen[0].path, "/token");
    assert_eq!(seen[0].header("content-type"), Some("application/json"));
    let body: Value = serde_json::from_slice(&seen[0].body).unwrap();
    assert_eq!(
        body,
        json!({"grantType": "refresh_token", "clientId": "CLIENT-ID", "clientSecret": "CLIENT-SECRET", "refreshToken": "REFRESH-1"})
    );
    assert_eq!(seen[1].header("x-amz-sso_bearer_token"), Some("ACCESS-NEW"));

    let file: Value =
        serde_json::from_slice(&resolver.environment().file(SESSION_TOKEN).unwrap()).unwrap();
    assert_eq!(file["accessToken"], "ACCESS-NEW");
    assert_eq!(file["refreshToken"], "REFRESH-2");
    assert_eq!(file["expiresAt"], at(28800));
    assert_eq!(file["clientSecret"], "CLIENT-SECRET");
    assert_eq!(
        file["unknownFieldKeptByUs"],
        json!({"nested": [1, 2]}),
        "unknown fields survive"
    );
}

#[test]
fn refresh_without_new_refresh_token_keeps_the_old_one() {
    let server = Server::start();
    server.route(
        "POST",
        "/token",
        vec![Reply::json(
            200,
            &json!({"accessToken": "ACCESS-NEW", "expiresIn": 3600}),
        )],
    );
    server.route("GET", PORTAL, vec![role_credentials(1, 3600)]);
    let resolver = Resolver::with_environment(env(
        &server,
        SESSION_TOKEN,
        &token_file("ACCESS-OLD", -60, true),
    ));
    resolver
        .signed_url_at("codecommit://dev-team@Repo", time())
        .unwrap();
    let file: Value =
        serde_json::from_slice(&resolver.environment().file(SESSION_TOKEN).unwrap()).unwrap();
    assert_eq!(file["accessToken"], "ACCESS-NEW");
    assert_eq!(file["refreshToken"], "REFRESH-1");
}

#[test]
fn refused_refresh_falls_back_to_a_still_valid_token_and_fails_an_expired_one() {
    for (left, ok) in [(5 * 60, true), (-60, false)] {
        let server = Server::start();
        server.route(
            "POST",
            "/token",
            vec![Reply::json(400, &json!({"error": "invalid_grant", "error_description": "Invalid grant provided"})).header("x-amzn-ErrorType", "InvalidGrantException")],
        );
        server.route("GET", PORTAL, vec![role_credentials(1, 3600)]);
        let original = token_file("ACCESS-OLD", left, true);
        let resolver = Resolver::with_environment(env(&server, SESSION_TOKEN, &original));
        let result = resolver.signed_url_at("codecommit://dev-team@Repo", time());
        assert_eq!(result.is_ok(), ok, "{left}: {result:?}");
        if let Err(e) = result {
            assert_eq!(e.kind(), ErrorKind::SsoLoginRequired);
            let text = e.to_string();
            assert!(
                text.starts_with(
                    "Error when retrieving token from sso: Token has expired and refresh failed"
                ),
                "{text}"
            );
            assert!(text.contains("aws sso login --profile dev-team"), "{text}");
            assert!(text.contains("InvalidGrantException"), "{text}");
            assert!(
                !text.contains("ACCESS-OLD")
                    && !text.contains("REFRESH-1")
                    && !text.contains("CLIENT-SECRET"),
                "{text}"
            );
            assert_eq!(server.count(PORTAL), 0);
        } else {
            assert_eq!(
                server.seen()[1].header("x-amz-sso_bearer_token"),
                Some("ACCESS-OLD")
            );
        }
        let file = resolver.environment().file(SESSION_TOKEN).unwrap();
        assert_eq!(String::from_utf8(file).unwrap(), original, "file untouched");
    }
}

#[test]
fn unreachable_oidc_with_a_valid_token_is_not_fatal() {
    // DIFFERENCE from botocore (fatal EndpointConnectionError, behavior.md §5.4).
    let server = Server::start();
    server.route("GET", PORTAL, vec![role_credentials(1, 3600)]);
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    let env = env(
        &server,
        SESSION_TOKEN,
        &token_file("ACCESS-OLD", 5 * 60, true),
    )
    .with_var("AWS_ENDPOINT_URL_SSO_OIDC", dead_url);
    let resolver = Resolver::with_environment(env);
    resolver
        .signed_url_at("codecommit://dev-team@Repo", time())
        .unwrap();
    assert_eq!(
        server.seen()[0].header("x-amz-sso_bearer_token"),
        Some("ACCESS-OLD")
    );
}

#[test]
fn token_problems_say_to_log_in_and_never_show_the_token() {
    let cases: Vec<(&str, Option<String>, &str)> = vec![
        (
            "legacy",
            None,
            "Token for https://my-sso-portal.awsapps.com/start does not exist",
        ),
        ("dev-team", None, "Token for my-sso does not exist"),
        (
            "legacy",
            Some(token_file("SECRET-TOKEN", -1, false)),
            "has expired",
        ),
        ("legacy", Some("{not json".into()), "is not valid JSON"),
        (
            "legacy",
            Some(r#"{"accessToken": 5, "expiresAt": "2099-01-01T00:00:00Z"}"#.into()),
            "no accessToken",
        ),
        (
            "legacy",
            Some(r#"{"accessToken": "SECRET-TOKEN"}"#.into()),
            "no expiresAt",
        ),
        (
            "legacy",
            Some(r#"{"accessToken": "SECRET-TOKEN", "expiresAt": 4102444800}"#.into()),
            "no expiresAt",
        ),
        (
            "legacy",
            Some(r#"{"accessToken": "SECRET-TOKEN", "expiresAt": "2099-01-01T00:00:00"}"#.into()),
            "no time zone",
        ),
        (
            "dev-team",
            Some(token_file("SECRET-TOKEN", -1, false)),
            "Token has expired and refresh failed",
        ),
    ];
    for (profile, contents, want) in cases {
        let server = Server::start();
        server.route("GET", PORTAL, vec![role_credentials(1, 3600)]);
        let path = if profile == "legacy" {
            LEGACY_TOKEN
        } else {
            SESSION_TOKEN
        };
        let mut env = env(&server, "/elsewhere", "");
        if let Some(c) = &contents {
            env = env.with_file(path, c.as_str());
        }
        let err = Resolver::with_environment(env)
            .signed_url_at(&format!("codecommit://{profile}@Repo"), time())
            .unwrap_err();
        let text = err.to_string();
        assert_eq!(err.kind(), ErrorKind::SsoLoginRequired, "{text}");
        assert!(text.contains(want), "{profile} {contents:?}: {text}");
        // The reference's command, and ours for machines without the AWS CLI.
        assert!(
            text.contains(&format!(
                "run `aws sso login --profile {profile}` or \
                 `codecommit-auth login --profile {profile}`"
            )),
            "{text}"
        );
        assert!(text.contains(START_URL), "{text}");
        assert!(!text.contains("SECRET-TOKEN"), "{text}");
        assert_eq!(
            server.count(PORTAL),
            0,
            "no portal call with an unusable token"
        );
    }
}

#[test]
fn legacy_token_is_used_until_its_last_second() {
    let server = Server::start();
    server.route("GET", PORTAL, vec![role_credentials(1, 3600)]);
    let resolver = Resolver::with_environment(env(
        &server,
        LEGACY_TOKEN,
        &token_file("ACCESS-1", 1, false),
    ));
    resolver
        .signed_url_at("codecommit://legacy@R", time())
        .unwrap();
    assert_eq!(server.count(PORTAL), 1);
}

#[test]
fn portal_errors() {
    let err_reply = |status: u16, code: &str| {
        Reply::json(status, &json!({"message": format!("{code} happened")}))
            .header("x-amzn-ErrorType", code)
    };
    let cases = [
        (
            vec![err_reply(401, "UnauthorizedException")],
            ErrorKind::SsoLoginRequired,
            "aws sso login --profile legacy",
            1,
        ),
        (
            vec![err_reply(403, "ForbiddenException")],
            ErrorKind::ServiceError,
            "An error occurred (ForbiddenException) when calling the GetRoleCredentials operation: ForbiddenException happened",
            1,
        ),
        (
            vec![err_reply(404, "ResourceNotFoundException")],
            ErrorKind::ServiceError,
            "(ResourceNotFoundException)",
            1,
        ),
        (
            vec![err_reply(500, "InternalServerException")],
            ErrorKind::ServiceError,
            "(reached max retries: 2)",
            3,
        ),
        (
            vec![Reply::new(200, "<html>garbage")],
            ErrorKind::MalformedCredentials,
            "is not JSON",
            1,
        ),
        (
            vec![Reply::json(
                200,
                &json!({"roleCredentials": {"accessKeyId": 1}}),
            )],
            ErrorKind::MalformedCredentials,
            "lacks",
            1,
        ),
        (
            vec![role_credentials(1, 3600).delayed(Duration::from_secs(4))],
            ErrorKind::Network,
            "request for profile legacy failed",
            1,
        ),
    ];
    for (replies, kind, want, calls) in cases {
        let server = Server::start();
        server.route("GET", PORTAL, replies);
        let resolver = Resolver::with_environment(env(
            &server,
            LEGACY_TOKEN,
            &token_file("ACCESS-1", 3600, false),
        ));
        let err = resolver
            .signed_url_at("codecommit://legacy@R", time())
            .unwrap_err();
        assert_eq!(err.kind(), kind, "{err}");
        assert!(
            err.chain_message().contains(want),
            "{want}: {}",
            err.chain_message()
        );
        assert!(!err.chain_message().contains("ACCESS-1"));
        assert_eq!(server.count(PORTAL), calls, "{want}");
        assert!(
            resolver
                .environment()
                .file("/home/dev/.aws/cli/cache/72e96a975eece9254bf19f7aa7a026fe62442cf5.json")
                .is_none()
        );
    }
}

#[test]
fn portal_retry_then_success() {
    let server = Server::start();
    server.route(
        "GET",
        PORTAL,
        vec![Reply::new(503, "busy"), role_credentials(7, 3600)],
    );
    let resolver = Resolver::with_environment(env(
        &server,
        LEGACY_TOKEN,
        &token_file("ACCESS-1", 3600, false),
    ));
    let url = resolver
        .signed_url_at("codecommit://legacy@R", time())
        .unwrap();
    assert!(url.username().starts_with("ASIAPORTAL0000000007"));
    assert_eq!(server.count(PORTAL), 2);
}

#[test]
fn role_names_are_query_encoded_and_base_paths_kept() {
    let server = Server::start();
    server.route(
        "GET",
        "/base/federation/credentials",
        vec![role_credentials(1, 3600)],
    );
    let config = CONFIG.replace("sso_role_name = DevRole", "sso_role_name = My Role+é");
    let env = env(&server, LEGACY_TOKEN, &token_file("ACCESS-1", 3600, false))
        .with_file(format!("{HOME}/.aws/config"), config)
        .with_var("AWS_ENDPOINT_URL_SSO", format!("{}/base", server.url()));
    Resolver::with_environment(env)
        .signed_url_at("codecommit://legacy@R", time())
        .unwrap();
    let seen = server.seen();
    assert_eq!(seen[0].path, "/base/federation/credentials");
    assert_eq!(seen[0].query("role_name"), Some("My Role+é"));
}

#[test]
fn read_only_cache_still_signs_and_leaves_files_intact() {
    let server = Server::start();
    server.route(
        "POST",
        "/token",
        vec![Reply::json(
            200,
            &json!({"accessToken": "ACCESS-NEW", "expiresIn": 3600}),
        )],
    );
    server.route("GET", PORTAL, vec![role_credentials(1, 3600)]);
    let original = token_file("ACCESS-OLD", 60, true);
    let env = env(&server, SESSION_TOKEN, &original).with_read_only_files();
    let resolver = Resolver::with_environment(env);
    resolver
        .signed_url_at("codecommit://dev-team@Repo", time())
        .unwrap();
    assert_eq!(
        server.seen()[1].header("x-amz-sso_bearer_token"),
        Some("ACCESS-NEW")
    );
    assert_eq!(
        String::from_utf8(resolver.environment().file(SESSION_TOKEN).unwrap()).unwrap(),
        original
    );
}

/// Two resolvers in two threads over the same real home directory, both needing a
/// refresh at once: no torn file, both succeed, the file ends as one whole JSON document.
#[test]
fn concurrent_refreshes_leave_one_valid_file() {
    let server = Server::start();
    server.route(
        "POST",
        "/token",
        vec![
            Reply::json(
                200,
                &json!({"accessToken": "ACCESS-NEW", "expiresIn": 3600, "refreshToken": "R2"}),
            )
            .delayed(Duration::from_millis(50)),
        ],
    );
    server.route("GET", PORTAL, vec![role_credentials(1, 3600)]);
    let home = TempDir::new("sso-race");
    home.write(".aws/config", CONFIG);
    let token_rel = ".aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json";
    home.write(token_rel, token_file("ACCESS-OLD", 60, true));
    let results = race(
        2,
        &home,
        &[
            ("AWS_ENDPOINT_URL_SSO", server.url()),
            ("AWS_ENDPOINT_URL_SSO_OIDC", server.url()),
        ],
        "codecommit://dev-team@Repo",
    );
    for r in results {
        r.expect("both succeed");
    }
    let text = home.read(token_rel).unwrap();
    let file: Value = serde_json::from_str(&text).expect("one whole JSON document");
    assert_eq!(file["accessToken"], "ACCESS-NEW");
    let leftovers: Vec<_> = std::fs::read_dir(home.path().join(".aws/sso/cache"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temp files left: {leftovers:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(home.path().join(token_rel))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[path = "providers/login.rs"]
mod login;
#[path = "providers/metadata.rs"]
mod metadata;
#[path = "providers/roles.rs"]
mod roles;
#[path = "providers/sign_in.rs"]
mod sign_in;

/// Sixteen resolvers over one real home directory, all missing the CLI cache at once:
/// the cache lock lets one fetch and the others read what it wrote.
#[test]
fn parallel_misses_make_one_portal_call() {
    let server = Server::start();
    server.route(
        "GET",
        PORTAL,
        vec![role_credentials(1, 3600).delayed(Duration::from_millis(200))],
    );
    let home = TempDir::new("sso-herd");
    home.write(".aws/config", CONFIG);
    home.write(
        ".aws/sso/cache/c7aaaf71fcc8777ae2475525ed049d39fe16c484.json",
        token_file("ACCESS-1", 3600, false),
    );
    let urls: Vec<String> = race(
        16,
        &home,
        &[("AWS_ENDPOINT_URL_SSO", server.url())],
        "codecommit://legacy@Repo",
    )
    .into_iter()
    .map(Result::unwrap)
    .collect();
    assert!(
        urls.windows(2).all(|w| w[0] == w[1]),
        "independent, identical URLs"
    );
    assert_eq!(
        server.count(PORTAL),
        1,
        "one portal call for sixteen resolvers"
    );
    let cache = home
        .read(".aws/cli/cache/72e96a975eece9254bf19f7aa7a026fe62442cf5.json")
        .expect("one cache file");
    let doc: Value = serde_json::from_str(&cache).expect("whole JSON");
    assert_eq!(doc["Credentials"]["AccessKeyId"], "ASIAPORTAL0000000001");
}
