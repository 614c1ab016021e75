//! Credentials from every provider, and the application callback: the secrets arrive
//! where they belong and nowhere else.

use super::*;

/// One provider's scenario: how to reach it, and the secrets it must carry.
struct Scenario {
    name: &'static str,
    remote: &'static str,
    vars: Vec<(&'static str, &'static str)>,
    secret: &'static str,
    token: Option<&'static str>,
}

fn scenarios() -> Vec<Scenario> {
    let s = |name, remote, secret, token| Scenario {
        name,
        remote,
        vars: Vec::new(),
        secret,
        token,
    };
    vec![
        Scenario {
            vars: vec![
                ("AWS_ACCESS_KEY_ID", "AKIDENV"),
                ("AWS_SECRET_ACCESS_KEY", "SENTINEL-SECRET-ENV"),
                ("AWS_SESSION_TOKEN", "SENTINEL-TOKEN-ENV"),
                ("AWS_DEFAULT_REGION", "eu-west-1"),
            ],
            ..s(
                "environment variables",
                "codecommit://Repo",
                "SENTINEL-SECRET-ENV",
                Some("SENTINEL-TOKEN-ENV"),
            )
        },
        s(
            "static keys, credentials file",
            "codecommit://static@Repo",
            "SENTINEL-SECRET-STATIC",
            Some("SENTINEL-TOKEN-STATIC"),
        ),
        s(
            "static keys, config file",
            "codecommit://cfgkeys@Repo",
            "SENTINEL-SECRET-CONFIGFILE",
            None,
        ),
        s(
            "SSO, token refreshed",
            "codecommit://sso@Repo",
            "SENTINEL-SECRET-PORTAL",
            Some("SENTINEL-TOKEN-PORTAL"),
        ),
        s(
            "assume-role via STS",
            "codecommit://role@Repo",
            "SENTINEL-SECRET-STS",
            Some("SENTINEL-TOKEN-STS&more"),
        ),
        s(
            "web identity via STS",
            "codecommit://web@Repo",
            "SENTINEL-SECRET-STS",
            Some("SENTINEL-TOKEN-STS&more"),
        ),
        s(
            "credential_process",
            "codecommit://process@Repo",
            "SENTINEL-SECRET-PROCESS",
            Some("SENTINEL-TOKEN-PROCESS"),
        ),
        Scenario {
            vars: vec![
                ("AWS_CREDENTIAL_FILE", "/t/ec2"),
                ("AWS_DEFAULT_REGION", "eu-west-1"),
            ],
            ..s(
                "AWS_CREDENTIAL_FILE (ec2-credentials-file)",
                "codecommit://Repo",
                "SENTINEL-SECRET-EC2",
                None,
            )
        },
        Scenario {
            vars: vec![
                ("BOTO_CONFIG", "/t/boto"),
                ("AWS_DEFAULT_REGION", "eu-west-1"),
            ],
            ..s(
                "BOTO_CONFIG (boto-config)",
                "codecommit://Repo",
                "SENTINEL-SECRET-BOTO",
                None,
            )
        },
        Scenario {
            vars: vec![
                (
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                    "http://127.0.0.1:1/creds",
                ),
                (
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                    "SENTINEL-CONTAINER-AUTHORIZATION",
                ),
                ("AWS_DEFAULT_REGION", "eu-west-1"),
            ],
            ..s(
                "container credentials",
                "codecommit://Repo",
                "SENTINEL-SECRET-CONTAINER",
                Some("SENTINEL-TOKEN-CONTAINER"),
            )
        },
    ]
}

#[test]
fn credentials_from_every_provider_stay_hidden() {
    for scenario in scenarios() {
        let services = Services::default();
        let mut env = env(services.clone());
        for (k, v) in &scenario.vars {
            env = env.with_var(*k, *v);
        }
        let resolver = Resolver::with_environment(env);
        let resolution = resolver
            .resolve(scenario.remote)
            .unwrap_or_else(|e| panic!("{}: {}", scenario.name, e.chain_message()));
        // The secrets arrived...
        let creds = resolution.credentials();
        assert_eq!(
            creds.secret_access_key(),
            scenario.secret,
            "{}",
            scenario.name
        );
        assert_eq!(creds.session_token(), scenario.token, "{}", scenario.name);
        let url = resolution.sign(SigningTime::from_unix(NOW as i64).unwrap());
        if let Some(token) = scenario.token {
            assert!(
                url.as_str().contains(&token.replace('&', "%26")),
                "{}",
                scenario.name
            );
        }
        // ...and show nowhere.
        let mut views = resolution_views(&resolution);
        views.push(debug(&resolver));
        views.push(debug(resolver.environment()));
        views.push(debug(&*resolver.config().unwrap()));
        for request in services.seen.lock().unwrap().iter() {
            views.push(debug(request));
        }
        assert_clean(scenario.name, &views);
    }
}

#[test]
fn the_application_callback() {
    let resolver = Resolver::with_environment(memory().with_var("AWS_DEFAULT_REGION", "eu-west-1"))
        .with_credentials_callback(|_| {
            Ok(Some(Credentials::new(
                "AKIDAPP",
                "SENTINEL-SECRET-APP",
                Some("SENTINEL-TOKEN-APP".into()),
                None,
                "app",
            )))
        });
    let resolution = resolver.resolve("codecommit://Repo").unwrap();
    assert_eq!(
        resolution.credentials().secret_access_key(),
        "SENTINEL-SECRET-APP"
    );
    assert_clean("callback", &resolution_views(&resolution));
}

/// An `aws login` profile whose credentials are renewed on use: the old and new
/// credentials, the refresh token and the DPoP key show nowhere, and neither does
/// anything when the Sign-In service refuses the refresh.
#[test]
fn aws_login_secrets_stay_hidden() {
    use support::signin::{KEY_PEM, token_doc, token_file_name};
    let session = "login-dev";
    let file = format!("{HOME}/.aws/login/cache/{}", token_file_name(session));
    let doc = token_doc(
        (
            "ASIALOGINOLD",
            "SENTINEL-LOGIN-SECRET-OLD",
            "SENTINEL-LOGIN-TOKEN-OLD",
        ),
        NOW + 60,
        "SENTINEL-LOGIN-REFRESH",
    )
    .to_string();
    let key_body: Vec<&str> = KEY_PEM
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let config =
        format!("{CONFIG}\n[profile login]\nregion = eu-west-1\nlogin_session = {session}\n");
    for status in [200, 400] {
        let services = Services {
            status: Some(status),
            ..Services::default()
        };
        let env = env(services.clone())
            .with_file(format!("{HOME}/.aws/config"), config.clone())
            .with_file(&file, doc.clone());
        let resolver = Resolver::with_environment(env);
        let mut views = Vec::new();
        match resolver.resolve("codecommit://login@Repo") {
            Ok(resolution) => {
                assert_eq!(status, 200);
                assert_eq!(
                    resolution.credentials().secret_access_key(),
                    "SENTINEL-LOGIN-SECRET-NEW"
                );
                views.extend(resolution_views(&resolution));
            }
            Err(e) => {
                assert_eq!(status, 400);
                assert_eq!(e.kind(), ErrorKind::ServiceError, "{e}");
                views.extend(error_views(&e));
            }
        }
        views.push(debug(&resolver));
        views.push(debug(resolver.environment()));
        let seen = services.seen.lock().unwrap();
        assert_eq!(seen.len(), 1, "one refresh");
        let dpop = seen[0]
            .headers
            .iter()
            .find(|(n, _)| n == "DPoP")
            .map(|(_, v)| v.clone())
            .expect("a DPoP proof");
        views.push(debug(&seen[0]));
        assert_clean("aws login", &views);
        for view in &views {
            for line in &key_body {
                assert!(!view.contains(line), "the DPoP key shows:\n{view}");
            }
            assert!(!view.contains(&dpop), "the DPoP proof shows:\n{view}");
        }
    }
}
