//! Secrets a service echoes back are masked (issue 18, defect 9).

use super::*;

/// A service that echoes what it was sent (issue 18, defect 9): every header value and
/// the body come back in its error answer — in the message, and for the SSO services in
/// `x-amzn-ErrorType` — so the bearer token, the refresh token and client secret, the
/// source session token and the web identity token all reach a quoted answer, raw and
/// percent-encoded. None may reach an error.
#[derive(Clone)]
struct Echo;

impl HttpClient for Echo {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        let mut sent: Vec<String> = request.headers.iter().map(|(_, v)| v.clone()).collect();
        let body = String::from_utf8_lossy(&request.body).into_owned();
        sent.push(body.clone());
        // What a form body decodes to, as a server would quote a parameter.
        sent.extend(
            body.split('&')
                .filter_map(|p| p.split_once('='))
                .map(|(_, v)| {
                    v.replace("%2F", "/")
                        .replace("%2B", "+")
                        .replace("%3D", "=")
                }),
        );
        if let Ok(serde_json::Value::Object(o)) = serde_json::from_str(&body) {
            sent.extend(o.values().filter_map(|v| v.as_str().map(str::to_owned)));
        }
        let echo = sent.join(" | ");
        let xml_safe = echo
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        let (status, body, headers) = if request.method == "POST"
            && !request.url.ends_with("/token")
        {
            (
                403,
                format!(
                    "<ErrorResponse><Error><Code>Denied {xml_safe}</Code><Message>you sent \
                     {xml_safe}</Message></Error></ErrorResponse>"
                ),
                Vec::new(),
            )
        } else {
            let json = serde_json::json!({"message": format!("you sent {echo}"), "error": echo});
            (
                if request.url.ends_with("/token") {
                    400
                } else {
                    403
                },
                json.to_string(),
                // The code is what follows the last `#` before the first `:`.
                vec![(
                    "x-amzn-ErrorType".to_owned(),
                    format!("Denied#{}", echo.replace(':', " ")),
                )],
            )
        };
        Ok(headers
            .into_iter()
            .fold(HttpResponse::new(status, body), |r, (name, value)| {
                r.with_header(name, value)
            }))
    }
}

#[test]
fn secrets_a_service_echoes_are_masked() {
    let env = |token_expires_in: i64| {
        memory()
            .with_file(format!("{HOME}/.aws/config"), CONFIG)
            .with_file(format!("{HOME}/.aws/credentials"), CREDENTIALS)
            .with_file(SSO_TOKEN, token(token_expires_in))
            .with_file("/t/web-token", "SENTINEL-WEB/IDENTITY+TOKEN=\n")
            .with_http_client(Echo)
    };
    for (name, env, remote, kind) in [
        (
            "the SSO portal echoes the bearer token",
            env(3600),
            "codecommit://sso@Repo",
            ErrorKind::ServiceError,
        ),
        (
            "SSO OIDC echoes the refresh token and client secret",
            env(-60),
            "codecommit://sso@Repo",
            ErrorKind::SsoLoginRequired,
        ),
        (
            "STS echoes the source session token",
            env(3600),
            "codecommit://role@Repo",
            ErrorKind::ServiceError,
        ),
        (
            "STS echoes the web identity token",
            env(3600),
            "codecommit://web@Repo",
            ErrorKind::ServiceError,
        ),
    ] {
        let err = Resolver::with_environment(env)
            .resolve(remote)
            .map(|_| ())
            .expect_err(name);
        // The echo arrived: the message quotes the answer, with the secret masked.
        let shown = err.chain_message();
        eprintln!("{name}: {shown}");
        assert_eq!(err.kind(), kind, "{name}: {shown}");
        assert!(shown.contains("** redacted **"), "{name}: {shown}");
        assert_clean(name, &error_views(&err));
    }
}

/// The instance metadata service echoing its own session token where the role name
/// belongs: the error quoting the role name masks it (issue 18, defect 9).
#[test]
fn an_echoed_instance_metadata_token_is_masked() {
    struct Imds;
    impl HttpClient for Imds {
        fn send(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
            let token = "SENTINEL-IMDS-SESSION-TOKEN";
            let body = if request.method == "PUT" {
                token.to_owned()
            } else {
                format!("not a role: {token}")
            };
            Ok(HttpResponse::new(200, body))
        }
    }
    let env = MemoryEnvironment::new()
        .with_var("HOME", HOME)
        .with_var("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1")
        .with_file(format!("{HOME}/.aws/config"), CONFIG)
        .with_http_client(Imds);
    let err = Resolver::with_environment(env)
        .resolve("codecommit://plain@Repo")
        .map(|_| ())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MalformedCredentials, "{err}");
    assert!(err.chain_message().contains("** redacted **"), "{err}");
    assert_clean("an IMDS role name", &error_views(&err));
}
