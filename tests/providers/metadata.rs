//! Container credentials and EC2 instance metadata (IMDSv2) against stand-ins on
//! 127.0.0.1, reached through `AWS_CONTAINER_CREDENTIALS_FULL_URI` and
//! `AWS_EC2_METADATA_SERVICE_ENDPOINT` (or the profile's `ec2_metadata_service_endpoint`).
//! `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` always goes to 169.254.170.2; the test
//! transport ([`LoopbackOnly::alias`]) reroutes that one origin to the stand-in.
//!
//! Every environment here uses the loopback guard, so nothing can reach the real
//! link-local addresses: `forgotten_overrides_fail_fast` shows what a test that forgets
//! an override gets.
//!
//! The URLs asserted are git-remote-codecommit's, observed against the same stand-in
//! answers with `tests/oracle/metadata_urls.py`.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::*;
use codecommit_auth::Error;
use codecommit_auth::env::Environment;
use support::loopback::Attempt;
use support::server::{Seen, Silent, closed_port_url};
use support::sts::{sts_reply, verify};

const IMDS_TOKEN: &str = "IMDS-SESSION-TOKEN-1";
const POD_TOKEN: &str = "pod-identity-token";
const POD_TOKEN_FILE: &str = "/home/dev/pod-token";
const ENV_TOKEN: &str = "task-auth-token";
const ROLE: &str = "BuildAgentRole";
const ROLE_LIST: &str = "/latest/meta-data/iam/security-credentials/";
const ROLE_CREDS: &str = "/latest/meta-data/iam/security-credentials/BuildAgentRole";
const EXPIRATION: &str = "2099-01-01T00:00:00Z";

/// grc's sentence, which every "not found" starts with.
const NOT_FOUND: &str = "The following profile does not have credentials configured: default. \
                         You must configure the access key and secret key for the profile. For \
                         more information, see Configure an AWS CLI Profile in the AWS CLI User \
                         Guide.";

// The reference's URLs (tests/oracle/metadata_urls.py, signing time 2027-01-15T08:00:00Z).
const URL_CONTAINER_RELATIVE: &str = "https://ASIACONTAINERREL0001%25token-of-ASIACONTAINERREL0001%2F%2B%3D:20270115T080000Z323aeeb2cc9f138f96b298e22b8ea23269d572b07bfa273e2135f5da009c6b52@git-codecommit.us-east-1.amazonaws.com/v1/repos/Repo";
const URL_CONTAINER_TOKEN_FILE: &str = "https://ASIACONTAINERPOD0001%25token-of-ASIACONTAINERPOD0001%2F%2B%3D:20270115T080000Zf9300161465cfbd33d3694b8d04e9b657a80d0495692fbb7abd567a284939bf4@git-codecommit.us-east-1.amazonaws.com/v1/repos/Repo";
const URL_CONTAINER_LOCALHOST_TOKEN: &str = "https://ASIACONTAINERENV0001%25token-of-ASIACONTAINERENV0001%2F%2B%3D:20270115T080000Zef08cb55c4cf8260b73f3c96287e8a0f2c435e709d3ffacfed35473f05beba8a@git-codecommit.us-east-1.amazonaws.com/v1/repos/Repo";
const URL_IMDS: &str = "https://ASIAINSTANCE00000001%25instance-token%2F%2B%3D:20270115T080000Zef05fa3d184facf15d0b0623a5db6eb60cb3dd4fa15596c138cbb459d6cc02b5@git-codecommit.us-east-1.amazonaws.com/v1/repos/Repo";
const URL_IMDS_NAMED_PROFILE: &str = "https://ASIAINSTANCE00000001%25instance-token%2F%2B%3D:20270115T080000Z0d0183a2f24083054e4f98e27b40051d45f83913fa5cd806c908cb1a7894dfad@git-codecommit.eu-west-1.amazonaws.com/v1/repos/Repo";
const URL_SOURCE_ECS: &str = "https://ASIASTS0000000000001%25sts-token-1%26more:20270115T080000Z28c80bdc7145ff5f117e2933c05f78ae5c3cae66dd4389eb9172fdb9500ea3f3@git-codecommit.us-east-2.amazonaws.com/v1/repos/Repo";
const URL_SOURCE_EC2: &str = "https://ASIASTS0000000000002%25sts-token-2%26more:20270115T080000Zcbd7c08c619bb132283fc0b6f973513d80c40ce49a3b091c313ce3aef6a10f2f@git-codecommit.us-east-2.amazonaws.com/v1/repos/Repo";

fn config(base: &str) -> String {
    format!(
        "\
[default]
region = us-east-1

[profile dev]
region = eu-west-1
ec2_metadata_service_endpoint = {base}

[profile ecs-role]
region = us-east-2
role_arn = arn:aws:iam::123456789012:role/FromTask
credential_source = EcsContainer

[profile ec2-role]
region = us-east-2
role_arn = arn:aws:iam::123456789012:role/FromInstance
credential_source = Ec2InstanceMetadata
"
    )
}

type Log = Arc<Mutex<Vec<Attempt>>>;

/// The environment of every test here: the config above, the pod token file, the given
/// variables, and the loopback guard with 169.254.170.2 rerouted to `server`.
fn rig(server: &Server, vars: &[(&str, &str)]) -> (Resolver<MemoryEnvironment>, Log) {
    let client = LoopbackOnly::new().alias("http://169.254.170.2", &server.url());
    let log = client.log();
    let mut env = MemoryEnvironment::new()
        .with_var("HOME", HOME)
        .with_now(UNIX_EPOCH + Duration::from_secs(NOW))
        .with_file(format!("{HOME}/.aws/config"), config(&server.url()))
        .with_file(POD_TOKEN_FILE, POD_TOKEN)
        .with_http_client(client);
    for (name, value) in vars {
        env = env.with_var(*name, *value);
    }
    (Resolver::with_environment(env), log)
}

fn container_doc(access_key: &str, secret: &str) -> Value {
    json!({
        "AccessKeyId": access_key,
        "SecretAccessKey": secret,
        "Token": format!("token-of-{access_key}/+="),
        "Expiration": EXPIRATION,
        "RoleArn": "arn:aws:iam::123456789012:role/TaskRole",
        "AccountId": "123456789012",
    })
}

fn imds_doc() -> Value {
    json!({
        "Code": "Success",
        "LastUpdated": "2027-01-15T07:00:00Z",
        "Type": "AWS-HMAC",
        "AccessKeyId": "ASIAINSTANCE00000001",
        "SecretAccessKey": "instance-secret",
        "Token": "instance-token/+=",
        "Expiration": EXPIRATION,
    })
}

/// The container endpoints of `tests/oracle/metadata_urls.py`: the relative URI's path
/// without a token, `/pod-identity` and `/full-env-token` behind their tokens (401
/// without one, 403 echoing a wrong one back).
fn container_stand_in(server: &Server) {
    server.gate(|seen: &Seen| {
        let want = match seen.path.as_str() {
            "/pod-identity" => POD_TOKEN,
            "/full-env-token" => ENV_TOKEN,
            _ => return None,
        };
        match seen.header("authorization") {
            None => Some(Reply::new(401, "missing token")),
            Some(t) if t != want => Some(Reply::new(403, format!("token {t} is not valid"))),
            Some(_) => None,
        }
    });
    let doc = |ak, secret| vec![Reply::json(200, &container_doc(ak, secret))];
    server.route(
        "GET",
        "/v2/credentials/task-uuid",
        doc("ASIACONTAINERREL0001", "container-rel-secret"),
    );
    server.route(
        "GET",
        "/pod-identity",
        doc("ASIACONTAINERPOD0001", "container-pod-secret"),
    );
    server.route(
        "GET",
        "/full-env-token",
        doc("ASIACONTAINERENV0001", "container-env-secret"),
    );
}

/// An IMDSv2-only service: the token PUT needs the TTL header (400 without), every
/// metadata GET needs the token (401 without).
fn imds_stand_in(server: &Server) {
    server.gate(|seen: &Seen| {
        if seen.method == "PUT"
            && seen.header("x-aws-ec2-metadata-token-ttl-seconds") != Some("21600")
        {
            return Some(Reply::new(400, ""));
        }
        (seen.path.starts_with("/latest/meta-data/")
            && seen.header("x-aws-ec2-metadata-token") != Some(IMDS_TOKEN))
        .then(|| Reply::new(401, ""))
    });
    server.route(
        "PUT",
        "/latest/api/token",
        vec![Reply::new(200, IMDS_TOKEN)],
    );
    server.route("GET", ROLE_LIST, vec![Reply::new(200, ROLE)]);
    server.route("GET", ROLE_CREDS, vec![Reply::json(200, &imds_doc())]);
}

fn sts_ok(n: u32) -> Reply {
    sts_reply("AssumeRole", n, "123456789012", EXPIRATION)
}

fn sign(resolver: &Resolver<MemoryEnvironment>, remote: &str) -> Result<String, Error> {
    resolver
        .signed_url_at(remote, time())
        .map(|u| u.as_str().to_owned())
}

fn explain(resolver: &Resolver<MemoryEnvironment>, remote: &str) -> String {
    resolver.resolve(remote).unwrap().explain()
}

fn urls(log: &Log) -> Vec<String> {
    log.lock().unwrap().iter().map(|a| a.url.clone()).collect()
}

#[test]
fn container_relative_uri_goes_to_169_254_170_2() {
    let server = Server::start();
    container_stand_in(&server);
    let no_imds = closed_port_url();
    let (resolver, log) = rig(
        &server,
        &[
            (
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                "/v2/credentials/task-uuid",
            ),
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &no_imds),
        ],
    );
    assert_eq!(
        sign(&resolver, "codecommit://Repo").unwrap(),
        URL_CONTAINER_RELATIVE
    );
    // The library asked for the fixed ECS address; only the test transport rerouted it.
    assert_eq!(
        urls(&log),
        ["http://169.254.170.2/v2/credentials/task-uuid"]
    );
    let seen = &server.seen()[0];
    assert_eq!(seen.header("accept"), Some("application/json"));
    assert_eq!(seen.header("authorization"), None);

    let text = explain(&resolver, "codecommit://Repo");
    assert!(
        text.contains(
            "credentials  container credentials from \
             http://169.254.170.2/v2/credentials/task-uuid (no authorization token)"
        ),
        "{text}"
    );
    let resolution = resolver.resolve("codecommit://Repo").unwrap();
    assert_eq!(resolution.credential_source().method(), "container-role");
    assert_eq!(
        resolution.credentials().account_id().map(|a| a.as_str()),
        Some("123456789012")
    );
}

#[test]
fn container_full_uri_with_token_file_or_variable() {
    let server = Server::start();
    container_stand_in(&server);
    let no_imds = closed_port_url();
    let pod = format!("{}/pod-identity", server.url());
    // The file wins over the variable (EKS Pod Identity sets both in some setups).
    let (resolver, _) = rig(
        &server,
        &[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &pod),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", POD_TOKEN_FILE),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "loses-to-the-file"),
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &no_imds),
        ],
    );
    assert_eq!(
        sign(&resolver, "codecommit://Repo").unwrap(),
        URL_CONTAINER_TOKEN_FILE
    );
    assert_eq!(server.seen()[0].header("authorization"), Some(POD_TOKEN));
    let text = explain(&resolver, "codecommit://Repo");
    assert!(
        text.contains(&format!(
            "container credentials from {pod} (authorization token from \
             AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE = /home/dev/pod-token)"
        )),
        "{text}"
    );
    assert!(!text.contains(POD_TOKEN), "{text}");

    // The file is read on every call: the platform rotates it.
    resolver
        .environment()
        .write_file_atomic(POD_TOKEN_FILE.as_ref(), b"rotated-token")
        .unwrap();
    let err = sign(&resolver, "codecommit://Repo").unwrap_err();
    assert_eq!(
        server.seen().last().unwrap().header("authorization"),
        Some("rotated-token")
    );
    assert!(!err.to_string().contains("rotated-token"), "{err}");

    // localhost is allowed for http://, and the variable's token is sent verbatim.
    let local = format!(
        "{}/full-env-token",
        server.url().replace("127.0.0.1", "localhost")
    );
    let (resolver, _) = rig(
        &server,
        &[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &local),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", ENV_TOKEN),
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &no_imds),
        ],
    );
    assert_eq!(
        sign(&resolver, "codecommit://Repo").unwrap(),
        URL_CONTAINER_LOCALHOST_TOKEN
    );
    assert_eq!(
        server.seen().last().unwrap().header("authorization"),
        Some(ENV_TOKEN)
    );
}

#[test]
fn refused_full_uri_hosts_send_nothing() {
    let server = Server::start();
    for url in [
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://evil.example:8080/creds",
        "http://10.0.0.7/creds",
        "http://user@localhost/creds",
    ] {
        let (resolver, log) = rig(
            &server,
            &[
                ("AWS_CONTAINER_CREDENTIALS_FULL_URI", url),
                (
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                    "SENTINEL-CONTAINER-TOKEN",
                ),
            ],
        );
        let err = sign(&resolver, "codecommit://Repo").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{url}: {err}");
        let text = format!("{err} {err:?}");
        assert!(
            text.contains("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
            "{text}"
        );
        assert!(!text.contains("SENTINEL-CONTAINER-TOKEN"), "{text}");
        assert!(log.lock().unwrap().is_empty(), "{url}: something was sent");
    }
    let (resolver, _) = rig(
        &server,
        &[(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://evil.example:8080/creds",
        )],
    );
    let err = sign(&resolver, "codecommit://Repo").unwrap_err();
    assert!(
        err.to_string().starts_with(
            "Unsupported host 'evil.example'.  Can only retrieve metadata from a loopback \
             address or one of these hosts: 169.254.170.2, 169.254.170.23, fd00:ec2::23, \
             localhost ("
        ),
        "{err}"
    );
    assert!(err.to_string().contains("nothing was sent"), "{err}");
    assert!(server.seen().is_empty());
}

#[test]
fn token_with_a_line_break_is_refused_before_sending() {
    let server = Server::start();
    container_stand_in(&server);
    let pod = format!("{}/pod-identity", server.url());
    let (resolver, log) = rig(
        &server,
        &[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &pod),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", POD_TOKEN_FILE),
        ],
    );
    resolver
        .environment()
        .write_file_atomic(POD_TOKEN_FILE.as_ref(), b"SENTINEL-POD-TOKEN\n")
        .unwrap();
    let err = sign(&resolver, "codecommit://Repo").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    let text = err.to_string();
    assert!(
        text.starts_with("Auth token value is not a legal header value"),
        "{text}"
    );
    assert!(
        text.contains("line break") && text.contains(POD_TOKEN_FILE),
        "{text}"
    );
    assert!(!format!("{err:?}").contains("SENTINEL-POD-TOKEN"));

    let (resolver, _) = rig(
        &server,
        &[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &pod),
            (
                "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                "SENTINEL\rInjected: yes",
            ),
        ],
    );
    let err = sign(&resolver, "codecommit://Repo").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    assert!(!err.to_string().contains("SENTINEL"), "{err}");

    // A token file that is not there.
    let (resolver, _) = rig(
        &server,
        &[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &pod),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/var/run/nowhere"),
        ],
    );
    let err = sign(&resolver, "codecommit://Repo").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    assert!(err.to_string().contains("/var/run/nowhere"), "{err}");
    assert!(log.lock().unwrap().is_empty());
    assert!(server.seen().is_empty());
}

#[test]
fn missing_token_gets_401_after_three_attempts() {
    let server = Server::start();
    container_stand_in(&server);
    let pod = format!("{}/pod-identity", server.url());
    let (resolver, _) = rig(&server, &[("AWS_CONTAINER_CREDENTIALS_FULL_URI", &pod)]);
    let err = sign(&resolver, "codecommit://Repo").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ServiceError);
    assert!(
        err.to_string().starts_with(
            "Error when retrieving credentials from container-role: Error retrieving metadata: \
             Received non 200 response 401 from container metadata: missing token ("
        ),
        "{err}"
    );
    assert!(
        err.to_string().contains("no authorization token was sent"),
        "{err}"
    );
    // botocore: 3 attempts, 1 s apart.
    assert_eq!(server.count("/pod-identity"), 3);
    // The pauses go through the environment, which records them instead of waiting.
    assert_eq!(
        resolver.environment().slept(),
        [Duration::from_secs(1), Duration::from_secs(1)]
    );
}

#[test]
fn wrong_token_gets_403_and_is_never_shown() {
    let server = Server::start();
    container_stand_in(&server);
    let pod = format!("{}/pod-identity", server.url());
    let (resolver, _) = rig(
        &server,
        &[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &pod),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "SENTINEL-WRONG-TOKEN"),
        ],
    );
    let err = sign(&resolver, "codecommit://Repo").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ServiceError);
    let text = format!("{err} {err:?}");
    // The stand-in echoes the token in its error body; we mask it.
    assert!(text.contains("token ** redacted ** is not valid"), "{text}");
    assert!(!text.contains("SENTINEL-WRONG-TOKEN"), "{text}");
    assert!(text.contains("refused the authorization token"), "{text}");
    assert_eq!(server.count("/pod-identity"), 3);
}

#[test]
fn malformed_container_documents() {
    let server = Server::start();
    let mut no_token = container_doc("ASIACONTAINERBAD0001", "s");
    no_token.as_object_mut().unwrap().remove("Token");
    let mut naive = container_doc("ASIACONTAINERBAD0002", "s");
    naive["Expiration"] = json!("2099-01-01T00:00:00");
    let mut expired = container_doc("ASIACONTAINERBAD0003", "s");
    expired["Expiration"] = json!("2027-01-15T07:59:59Z");
    server.route(
        "GET",
        "/not-json",
        vec![Reply::new(200, "{\"AccessKeyId\": ")],
    );
    server.route("GET", "/no-token", vec![Reply::json(200, &no_token)]);
    server.route("GET", "/naive", vec![Reply::json(200, &naive)]);
    server.route("GET", "/expired", vec![Reply::json(200, &expired)]);
    for (path, kind, text) in [
        (
            "/not-json",
            ErrorKind::MalformedCredentials,
            "Error when retrieving credentials from container-role: Error retrieving metadata: \
             Unable to parse JSON returned from container metadata services",
        ),
        (
            "/no-token",
            ErrorKind::MalformedCredentials,
            "have no Token string",
        ),
        (
            "/naive",
            ErrorKind::MalformedCredentials,
            "has no time zone",
        ),
        ("/expired", ErrorKind::CredentialsExpired, "still expired"),
    ] {
        let url = format!("{}{path}", server.url());
        let (resolver, _) = rig(&server, &[("AWS_CONTAINER_CREDENTIALS_FULL_URI", &url)]);
        let err = sign(&resolver, "codecommit://Repo").unwrap_err();
        assert_eq!(err.kind(), kind, "{path}: {err}");
        assert!(err.to_string().contains(text), "{path}: {err}");
    }
    // Not JSON is retried like botocore; a readable document is not.
    assert_eq!(server.count("/not-json"), 3);
    assert_eq!(server.count("/no-token"), 1);
}

#[test]
fn imds_v2_token_then_role_then_credentials() {
    let server = Server::start();
    imds_stand_in(&server);
    let (resolver, _) = rig(
        &server,
        &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &server.url())],
    );
    assert_eq!(sign(&resolver, "codecommit://Repo").unwrap(), URL_IMDS);

    let seen = server.seen();
    let steps: Vec<(&str, &str)> = seen
        .iter()
        .map(|s| (s.method.as_str(), s.path.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            ("PUT", "/latest/api/token"),
            ("GET", ROLE_LIST),
            ("GET", ROLE_CREDS)
        ]
    );
    assert_eq!(
        seen[0].header("x-aws-ec2-metadata-token-ttl-seconds"),
        Some("21600")
    );
    assert_eq!(seen[0].header("x-aws-ec2-metadata-token"), None);
    for get in &seen[1..] {
        assert_eq!(get.header("x-aws-ec2-metadata-token"), Some(IMDS_TOKEN));
    }

    let text = explain(&resolver, "codecommit://Repo");
    assert!(
        text.contains(&format!(
            "credentials  EC2 instance metadata at {}/, role {ROLE} (IMDSv2)",
            server.url()
        )),
        "{text}"
    );
    assert!(!text.contains(IMDS_TOKEN), "{text}");
    assert!(text.contains("expires      2099-01-01T00:00:00Z"), "{text}");
    let resolution = resolver.resolve("codecommit://Repo").unwrap();
    assert_eq!(resolution.credential_source().method(), "iam-role");
    assert!(!format!("{resolution:?}").contains(IMDS_TOKEN));
}

#[test]
fn imds_applies_to_a_named_profile_and_reads_its_endpoint_key() {
    let server = Server::start();
    imds_stand_in(&server);
    // No variable: the endpoint comes from profile dev's ec2_metadata_service_endpoint.
    let (resolver, _) = rig(&server, &[]);
    assert_eq!(
        sign(&resolver, "codecommit://dev@Repo").unwrap(),
        URL_IMDS_NAMED_PROFILE
    );
    assert_eq!(server.count("/latest/api/token"), 1);
}

#[test]
fn imds_without_a_token_is_refused_and_means_no_credentials() {
    let server = Server::start();
    imds_stand_in(&server);
    // The token endpoint is gone (403): botocore goes on without a token, and this
    // IMDSv2-only service answers 401.
    server.route("PUT", "/latest/api/token", vec![Reply::new(403, "")]);
    let (resolver, _) = rig(
        &server,
        &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &server.url())],
    );
    let err = sign(&resolver, "codecommit://Repo").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CredentialsNotFound);
    let text = err.to_string();
    assert!(text.starts_with(NOT_FOUND), "{text}");
    assert!(
        text.ends_with(&format!(
            "instance metadata at {}/: HTTP 401 for the role name (IMDSv2 is required and no \
             session token was obtained))",
            server.url()
        )),
        "{text}"
    );
    assert_eq!(server.seen()[1].header("x-aws-ec2-metadata-token"), None);
}

#[test]
fn imds_v1_fallback_when_the_token_put_times_out() {
    // On EC2 inside a container with a hop limit of 1, the PUT's answer never arrives
    // but IMDSv1 works: botocore falls back after the 1 s timeout, and so do we.
    let server = Server::start();
    server.route(
        "PUT",
        "/latest/api/token",
        vec![Reply::new(200, IMDS_TOKEN).delayed(Duration::from_secs(3))],
    );
    server.route("GET", ROLE_LIST, vec![Reply::new(200, ROLE)]);
    server.route("GET", ROLE_CREDS, vec![Reply::json(200, &imds_doc())]);
    let (resolver, _) = rig(
        &server,
        &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &server.url())],
    );
    let started = Instant::now();
    assert_eq!(sign(&resolver, "codecommit://Repo").unwrap(), URL_IMDS);
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(900) && elapsed < Duration::from_secs(3),
        "{elapsed:?}"
    );
    assert!(explain(&resolver, "codecommit://Repo").contains("(IMDSv1: no session token)"));

    // With IMDSv1 disabled the same service is an error, as in botocore.
    let (resolver, _) = rig(
        &server,
        &[
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &server.url()),
            ("AWS_EC2_METADATA_V1_DISABLED", "true"),
        ],
    );
    let err = sign(&resolver, "codecommit://Repo").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network);
    assert!(
        err.to_string().starts_with(
            "Error retrieving metadata: Unable to retrieve token for use in IMDSv2 call and \
             IMDSv1 has been disabled ("
        ),
        "{err}"
    );
    assert!(err.to_string().contains("no answer within 1 s"), "{err}");
}

#[test]
fn imds_retries_with_more_attempts() {
    let server = Server::start();
    imds_stand_in(&server);
    server.route(
        "GET",
        ROLE_LIST,
        vec![
            Reply::new(500, ""),
            Reply::new(200, ""),
            Reply::new(200, ROLE),
        ],
    );
    let (resolver, _) = rig(
        &server,
        &[
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &server.url()),
            ("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "3"),
        ],
    );
    assert_eq!(sign(&resolver, "codecommit://Repo").unwrap(), URL_IMDS);
    assert_eq!(server.count(ROLE_LIST), 3);
}

#[test]
fn malformed_imds_documents_mean_no_credentials() {
    for (body, note) in [
        (
            Reply::new(200, "<html>not json</html>"),
            format!("the credentials of role {ROLE} are not JSON"),
        ),
        (
            Reply::json(
                200,
                &json!({"Code": "AssumeRoleUnauthorizedAccess",
                        "Message": "EC2 cannot assume the role BuildAgentRole.",
                        "LastUpdated": "2027-01-15T07:00:00Z"}),
            ),
            format!(
                "role {ROLE}: AssumeRoleUnauthorizedAccess: EC2 cannot assume the role {ROLE}."
            ),
        ),
        (
            Reply::json(200, &json!({"AccessKeyId": "ASIA", "SecretAccessKey": "s"})),
            format!("the credentials of role {ROLE} have no Token"),
        ),
    ] {
        let server = Server::start();
        imds_stand_in(&server);
        server.route("GET", ROLE_CREDS, vec![body]);
        let (resolver, _) = rig(
            &server,
            &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &server.url())],
        );
        let err = sign(&resolver, "codecommit://Repo").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::CredentialsNotFound, "{err}");
        assert!(
            err.to_string()
                .ends_with(&format!("instance metadata at {}/: {note})", server.url())),
            "{err}"
        );
    }
}

#[test]
fn imds_that_times_out_means_no_credentials_and_says_so() {
    let silent = Silent::start();
    let server = Server::start();
    let (resolver, _) = rig(
        &server,
        &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &silent.url())],
    );
    let started = Instant::now();
    let err = sign(&resolver, "codecommit://Repo").unwrap_err();
    let elapsed = started.elapsed();
    assert_eq!(err.kind(), ErrorKind::CredentialsNotFound);
    assert_eq!(
        err.to_string(),
        format!(
            "{NOT_FOUND} (tried: environment variables, role_arn, web identity, SSO, \
             credentials file, login_session, credential_process, config file, \
             AWS_CREDENTIAL_FILE, boto config, container credentials \
             (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI \
             unset), instance metadata at {}/: no answer within 1 s)",
            silent.url()
        )
    );
    // A token timeout, then the IMDSv1 GET's timeout.
    assert!(
        elapsed >= Duration::from_millis(1900) && elapsed < Duration::from_secs(4),
        "{elapsed:?}"
    );
}

#[test]
fn disabled_imds_asks_nothing() {
    let server = Server::start();
    imds_stand_in(&server);
    let (resolver, log) = rig(
        &server,
        &[
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &server.url()),
            ("AWS_EC2_METADATA_DISABLED", "TRUE"),
        ],
    );
    let err = sign(&resolver, "codecommit://dev@Repo").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CredentialsNotFound);
    // A named profile: the environment provider is not in the chain, so not listed.
    assert!(
        err.to_string().ends_with(
            "(tried: role_arn, web identity, SSO, credentials file, login_session, \
             credential_process, config file, AWS_CREDENTIAL_FILE, boto config, container \
             credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and \
             AWS_CONTAINER_CREDENTIALS_FULL_URI unset), instance metadata (off: \
             AWS_EC2_METADATA_DISABLED=true))"
        ),
        "{err}"
    );
    assert!(log.lock().unwrap().is_empty());
}

#[test]
fn default_chain_without_keys_falls_through_to_container_then_imds() {
    let server = Server::start();
    container_stand_in(&server);
    imds_stand_in(&server);
    let pod = format!("{}/pod-identity", server.url());
    let base = server.url();
    let imds = [("AWS_EC2_METADATA_SERVICE_ENDPOINT", base.as_str())];

    // Both configured: the container comes first, IMDS is never asked.
    let mut vars = vec![
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", pod.as_str()),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", POD_TOKEN_FILE),
    ];
    vars.extend(imds);
    let (resolver, _) = rig(&server, &vars);
    assert_eq!(
        sign(&resolver, "codecommit://Repo").unwrap(),
        URL_CONTAINER_TOKEN_FILE
    );
    assert_eq!(server.count("/latest/api/token"), 0);

    // No container variables: instance metadata.
    let (resolver, _) = rig(&server, &imds);
    assert_eq!(sign(&resolver, "codecommit://Repo").unwrap(), URL_IMDS);

    // Keys in the environment still win over both.
    let (resolver, _) = rig(
        &server,
        &[
            ("AWS_ACCESS_KEY_ID", "AKIAENVEXAMPLE000001"),
            ("AWS_SECRET_ACCESS_KEY", "env-secret"),
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", pod.as_str()),
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", base.as_str()),
        ],
    );
    let before = server.seen().len();
    assert!(
        sign(&resolver, "codecommit://Repo")
            .unwrap()
            .starts_with("https://AKIAENVEXAMPLE000001:")
    );
    assert_eq!(server.seen().len(), before);
}

#[test]
fn credential_source_ecs_container_assumes_the_role_with_task_credentials() {
    let server = Server::start();
    container_stand_in(&server);
    server.route("POST", "/", vec![sts_ok(1)]);
    let pod = format!("{}/pod-identity", server.url());
    let no_imds = closed_port_url();
    let (resolver, _) = rig(
        &server,
        &[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &pod),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", POD_TOKEN_FILE),
            ("AWS_ENDPOINT_URL_STS", &server.url()),
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &no_imds),
        ],
    );
    // Resolve once: a second call would take the role from the CLI cache it wrote.
    let resolution = resolver.resolve("codecommit://ecs-role@Repo").unwrap();
    assert_eq!(resolution.sign(time()).as_str(), URL_SOURCE_ECS);
    let text = resolution.explain();
    let sts = server
        .seen()
        .into_iter()
        .find(|s| s.method == "POST")
        .unwrap();
    assert_eq!(
        verify(&sts, "container-pod-secret").unwrap().access_key,
        "ASIACONTAINERPOD0001"
    );
    assert_eq!(
        sts.header("x-amz-security-token"),
        Some("token-of-ASIACONTAINERPOD0001/+=")
    );
    assert!(
        text.contains(&format!(
            "role arn:aws:iam::123456789012:role/FromTask of profile ecs-role, assumed with \
             container credentials from {pod} (authorization token from"
        )),
        "{text}"
    );
}

#[test]
fn credential_source_ec2_instance_metadata_assumes_the_role_with_instance_credentials() {
    let server = Server::start();
    imds_stand_in(&server);
    server.route("POST", "/", vec![sts_ok(2)]);
    let (resolver, _) = rig(
        &server,
        &[
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &server.url()),
            ("AWS_ENDPOINT_URL_STS", &server.url()),
        ],
    );
    // Resolve once: a second call would take the role from the CLI cache it wrote.
    let resolution = resolver.resolve("codecommit://ec2-role@Repo").unwrap();
    assert_eq!(resolution.sign(time()).as_str(), URL_SOURCE_EC2);
    let text = resolution.explain();
    let sts = server
        .seen()
        .into_iter()
        .find(|s| s.method == "POST")
        .unwrap();
    assert_eq!(
        verify(&sts, "instance-secret").unwrap().access_key,
        "ASIAINSTANCE00000001"
    );
    assert!(
        text.contains("assumed with EC2 instance metadata at"),
        "{text}"
    );

    // No metadata service: botocore's CredentialRetrievalError, plus what was tried.
    let closed = closed_port_url();
    let (resolver, _) = rig(&server, &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &closed)]);
    let err = sign(&resolver, "codecommit://ec2-role@Repo").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CredentialsNotFound);
    assert_eq!(
        err.to_string(),
        format!(
            "Error when retrieving credentials from Ec2InstanceMetadata: No credentials found in \
             credential_source referenced in profile ec2-role (tried: instance metadata at \
             {closed}/: could not connect)"
        )
    );
    // And the container source without its variables.
    let err = sign(&resolver, "codecommit://ecs-role@Repo").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CredentialsNotFound);
    assert!(
        err.to_string().starts_with(
            "Error when retrieving credentials from EcsContainer: No credentials found in \
             credential_source referenced in profile ecs-role (tried: container credentials"
        ),
        "{err}"
    );
}

/// A test that forgets the overrides gets an error at once from the loopback guard, never
/// a wait on (or an answer from) the real link-local addresses.
#[test]
fn forgotten_overrides_fail_fast() {
    let server = Server::start();
    container_stand_in(&server);
    imds_stand_in(&server);
    // Nothing points IMDS at the stand-in.
    let client = LoopbackOnly::new();
    let log = client.log();
    let resolver = Resolver::with_environment(
        MemoryEnvironment::new()
            .with_var("HOME", HOME)
            .with_file(format!("{HOME}/.aws/config"), config(&server.url()))
            .with_http_client(client),
    );
    let started = Instant::now();
    let err = sign(&resolver, "codecommit://Repo").unwrap_err();
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(err.kind(), ErrorKind::CredentialsNotFound);
    assert!(
        err.to_string().ends_with(
            "instance metadata at http://169.254.169.254/: test guard refused \
             http://169.254.169.254/latest/api/token: tests may only reach 127.0.0.1 (set the \
             endpoint override, e.g. AWS_EC2_METADATA_SERVICE_ENDPOINT, or \
             AWS_EC2_METADATA_DISABLED=true))"
        ),
        "{err}"
    );
    assert_eq!(
        log.lock().unwrap().clone(),
        [Attempt {
            method: "PUT".into(),
            url: "http://169.254.169.254/latest/api/token".into(),
            refused: true
        }]
    );
    // The IPv6 endpoint too.
    let client = LoopbackOnly::new();
    let log = client.log();
    let resolver = Resolver::with_environment(
        MemoryEnvironment::new()
            .with_var("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6")
            .with_var("AWS_DEFAULT_REGION", "us-east-1")
            .with_http_client(client),
    );
    assert_eq!(
        sign(&resolver, "codecommit://Repo").unwrap_err().kind(),
        ErrorKind::CredentialsNotFound
    );
    assert_eq!(urls(&log), ["http://[fd00:ec2::254]/latest/api/token"]);

    // A relative container URI without the alias: refused, not retried, not waited on.
    let client = LoopbackOnly::new();
    let log = client.log();
    let resolver = Resolver::with_environment(
        MemoryEnvironment::new()
            .with_var("AWS_DEFAULT_REGION", "us-east-1")
            .with_var(
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                "/v2/credentials/x",
            )
            .with_http_client(client),
    );
    let started = Instant::now();
    let err = sign(&resolver, "codecommit://Repo").unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(500));
    assert!(format!("{err:?}").contains("test guard refused"), "{err:?}");
    assert_eq!(urls(&log), ["http://169.254.170.2/v2/credentials/x"]);
    assert!(server.seen().is_empty());
}

/// How long the whole chain takes to give up without a metadata service; printed for
/// the record (`cargo test --test providers give_up -- --nocapture`).
#[test]
fn give_up_times_without_a_metadata_service() {
    let server = Server::start();
    let silent = Silent::start();
    let silent = silent.url();
    let closed = closed_port_url();
    // (what, variables, at least, under)
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, Duration, Duration);
    let cases: [Case<'_>; 4] = [
        (
            "connection refused (closed port)",
            vec![("AWS_EC2_METADATA_SERVICE_ENDPOINT", closed.as_str())],
            Duration::ZERO,
            Duration::from_millis(500),
        ),
        (
            "connects, never answers",
            vec![("AWS_EC2_METADATA_SERVICE_ENDPOINT", silent.as_str())],
            Duration::from_millis(1900),
            Duration::from_secs(4),
        ),
        (
            "never answers, AWS_METADATA_SERVICE_TIMEOUT=2",
            vec![
                ("AWS_EC2_METADATA_SERVICE_ENDPOINT", silent.as_str()),
                ("AWS_METADATA_SERVICE_TIMEOUT", "2"),
            ],
            Duration::from_millis(3900),
            Duration::from_secs(6),
        ),
        (
            "AWS_EC2_METADATA_DISABLED=true",
            vec![("AWS_EC2_METADATA_DISABLED", "true")],
            Duration::ZERO,
            Duration::from_millis(200),
        ),
    ];
    for (name, vars, at_least, under) in cases {
        let (resolver, _) = rig(&server, &vars);
        let started = Instant::now();
        let err = sign(&resolver, "codecommit://Repo").unwrap_err();
        let elapsed = started.elapsed();
        eprintln!("give-up time, {name}: {:.3} s", elapsed.as_secs_f64());
        assert_eq!(err.kind(), ErrorKind::CredentialsNotFound, "{name}: {err}");
        assert!(
            elapsed >= at_least && elapsed < under,
            "{name}: {elapsed:?}"
        );
    }
}
