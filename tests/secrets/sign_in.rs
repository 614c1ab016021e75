//! `codecommit-auth login` (`credentials::SignIn`): the client secret, device code,
//! authorization code, verifier, access and refresh tokens never show in what the
//! sign-in prints, its values' Debug, or its errors — also when SSO OIDC echoes them.

use codecommit_auth::credentials::{SignIn, SignInFlow, SignInPrompt};

use serde_json::json;

use super::*;
use support::loopback::LoopbackOnly;
use support::server::Reply;
use support::sso::{created_token, device_flow, oidc_error};

/// Everything the library asked the person to see.
#[derive(Default)]
struct Seen(Vec<String>);

impl SignInPrompt for Seen {
    fn open(&mut self, url: &str, user_code: Option<&str>, complete: &str) {
        self.0.push(format!("{url} {user_code:?} {complete}"));
    }
}

/// An OIDC error answer that repeats what it was sent.
fn echo(status: u16) -> Reply {
    Reply::json(
        status,
        &json!({"error": "invalid_grant",
                "error_description": "bad SENTINEL-CLIENT-SECRET and SENTINEL-DEVICE-CODE",
                "message": "client SENTINEL-CLIENT-SECRET device SENTINEL-DEVICE-CODE"}),
    )
    .header("x-amzn-ErrorType", "InvalidGrantException")
}

#[test]
fn sign_in_never_shows_its_secrets() {
    for (name, token_reply, ok) in [
        (
            "success",
            created_token("SENTINEL-ACCESS", Some("SENTINEL-REFRESH"), 3600),
            true,
        ),
        ("an error echoing the request", echo(400), false),
        ("a server error echoing it", echo(500), false),
        (
            "denied",
            oidc_error(400, "AccessDeniedException", "access_denied"),
            false,
        ),
        ("not JSON", Reply::new(200, "SENTINEL-ACCESS"), false),
    ] {
        let server = device_flow(
            "SENTINEL-CLIENT-SECRET",
            "SENTINEL-DEVICE-CODE",
            1,
            600,
            vec![token_reply],
        );
        let env = memory()
            .with_file(format!("{HOME}/.aws/config"), CONFIG)
            .with_var("AWS_ENDPOINT_URL_SSO_OIDC", server.url())
            .with_http_client(LoopbackOnly::new());
        let config = SharedConfig::load(&env).unwrap();
        let sign_in = SignIn::for_profile(&env, &config, "sso").unwrap();
        let mut seen = Seen::default();
        let outcome = sign_in.run(&env, SignInFlow::DeviceCode, &mut seen);
        let mut views = seen.0.clone();
        views.push(debug(&sign_in));
        match &outcome {
            Ok(done) => views.push(debug(done)),
            Err(e) => views.extend(error_views(e)),
        }
        assert_clean(name, &views);
        assert_eq!(outcome.is_ok(), ok, "{name}: {outcome:?}");
        // The secrets did arrive: sent to SSO OIDC, and (on success) in the files.
        let polled = String::from_utf8(server.seen().last().unwrap().body.clone()).unwrap();
        assert!(polled.contains("SENTINEL-DEVICE-CODE"), "{name}");
        if ok {
            let token = String::from_utf8(env.file(SSO_TOKEN).unwrap()).unwrap();
            assert!(token.contains("SENTINEL-ACCESS") && token.contains("SENTINEL-REFRESH"));
            assert!(token.contains("SENTINEL-CLIENT-SECRET"));
        } else {
            assert!(env.file(SSO_TOKEN).is_none(), "{name}");
        }
    }
}
