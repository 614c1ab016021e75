//! The plain values of the seams and the signer.

use super::*;

/// With secrets in every field that can hold one.
#[test]
fn values_that_hold_secrets_redact_them() {
    let repository = RepositoryName::new("Repo").unwrap();
    let request = UrlRequest {
        access_key_id: "AKID",
        secret_access_key: "SENTINEL-SECRET-URLREQUEST",
        session_token: Some("SENTINEL-TOKEN-URLREQUEST"),
        region: "eu-west-1",
        host: "git-codecommit.eu-west-1.amazonaws.com",
        repository: &repository,
        time: SigningTime::from_unix(NOW as i64).unwrap(),
    };
    let signer = Signer::new();
    let url = signer.sign(&request);
    assert!(url.as_str().contains("SENTINEL-TOKEN-URLREQUEST"));
    let http = HttpRequest::post(
        "http://127.0.0.1:1/token",
        b"{\"refreshToken\": \"SENTINEL-BODY\"}".to_vec(),
    )
    .header("x-amz-sso_bearer_token", "SENTINEL-BEARER")
    .header("Authorization", "Bearer SENTINEL-AUTHORIZATION");
    let response = HttpResponse::new(200, b"{\"secretAccessKey\": \"SENTINEL-RESPONSE\"}")
        .with_header("set-cookie", "SENTINEL-COOKIE");
    let process = ProcessRequest::new(
        vec![
            "/opt/creds".into(),
            "--token".into(),
            "SENTINEL-ARGV".into(),
        ],
        Duration::from_secs(1),
        10,
    );
    let output = ProcessOutput::new(Some(0)).with_stdout(b"SENTINEL-STDOUT");
    let shared =
        SharedConfig::from_sources(Some(CONFIG.as_bytes()), Some(CREDENTIALS.as_bytes())).unwrap();
    let profile = shared.profile("static").unwrap();
    let proxied = HttpsClient::from_environment(&MemoryEnvironment::new().with_var(
        "HTTPS_PROXY",
        "http://user:SENTINEL-PROXY-PASSWORD@127.0.0.1:3128",
    ));
    let env = memory()
        .with_var("AWS_SECRET_ACCESS_KEY", "SENTINEL-VARIABLE")
        .with_file("/f", "SENTINEL-FILE");
    let credentials = Credentials::new(
        "AKID",
        "SENTINEL-CREDS",
        Some("SENTINEL-CREDS-TOKEN".into()),
        None,
        "test",
    );
    assert_clean(
        "plain values",
        &[
            debug(&request),
            debug(&signer),
            debug(&url),
            url.redacted(),
            debug(&http),
            debug(&response),
            debug(&process),
            debug(&output),
            debug(&shared),
            debug(&profile.credentials_file().unwrap()),
            debug(&proxied),
            debug(&env),
            debug(&credentials),
        ],
    );
    // The environment still answers with what it holds.
    assert_eq!(
        env.var("AWS_SECRET_ACCESS_KEY").as_deref(),
        Some("SENTINEL-VARIABLE")
    );
}
