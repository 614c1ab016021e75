//! `codecommit-auth login`'s library half (`credentials::SignIn`) against the SSO OIDC
//! stand-in of `tests/support/sso.rs`: the device code flow polled through the
//! environment's clock, the authorization code flow with the test playing the browser,
//! the client registration reused, and every refusal writing nothing.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use codecommit_auth::config::SharedConfig;
use codecommit_auth::credentials::{SignIn, SignInFlow, SignInPrompt};
use sha2::Digest;

use super::*;

const CACHE: &str = "/home/dev/.aws/sso/cache";
/// botocore's registration key for the `my-sso` session of `CONFIG`:
/// sha1 of `{"region": "us-east-1", "scopes": ["sso:account:access"], "session_name":
/// "my-sso", "startUrl": "https://my-sso-portal.awsapps.com/start", "tool": "botocore"}`.
fn registration_path() -> String {
    let key = r#"{"region": "us-east-1", "scopes": ["sso:account:access"], "session_name": "my-sso", "startUrl": "https://my-sso-portal.awsapps.com/start", "tool": "botocore"}"#;
    format!("{CACHE}/{}.json", hex::encode(sha1::Sha1::digest(key)))
}

fn sign_in_env(server: &Server) -> MemoryEnvironment {
    MemoryEnvironment::new()
        .with_var("HOME", HOME)
        .with_var("AWS_ENDPOINT_URL_SSO_OIDC", server.url())
        .with_now(UNIX_EPOCH + Duration::from_secs(NOW))
        .with_file(format!("{HOME}/.aws/config"), CONFIG)
        .with_http_client(LoopbackOnly::new())
}

fn for_profile(env: &MemoryEnvironment, profile: &str) -> SignIn {
    let config = SharedConfig::load(env).unwrap();
    SignIn::for_profile(env, &config, profile).unwrap()
}

/// How the test's browser rewrites the redirect before following it.
type Tamper = Arc<dyn Fn(&str) -> String + Send + Sync>;

/// Records what the library shows; with `browser`, follows the authorize URL in a
/// thread as a browser would (after `tamper` rewrote the redirect).
#[derive(Default)]
struct Shown {
    urls: Vec<(String, Option<String>)>,
    waits: usize,
    browser: Option<Tamper>,
    listener_status: Arc<Mutex<Option<u16>>>,
}

impl SignInPrompt for Shown {
    fn open(&mut self, url: &str, user_code: Option<&str>, _complete: &str) {
        self.urls
            .push((url.to_owned(), user_code.map(str::to_owned)));
        if let Some(tamper) = self.browser.clone() {
            let url = url.to_owned();
            let status = Arc::clone(&self.listener_status);
            std::thread::spawn(move || {
                *status.lock().unwrap() = Some(play_browser(&url, |l| tamper(l)));
            });
        }
    }
    fn waiting(&mut self, _left: Duration) {
        self.waits += 1;
    }
}

fn browser(tamper: impl Fn(&str) -> String + Send + Sync + 'static) -> Shown {
    Shown {
        browser: Some(Arc::new(tamper)),
        ..Shown::default()
    }
}

fn body(seen: &support::server::Seen) -> Value {
    serde_json::from_slice(&seen.body).unwrap()
}

fn requests(server: &Server, path: &str) -> Vec<Value> {
    server
        .seen()
        .iter()
        .filter(|s| s.path == path)
        .map(body)
        .collect()
}

#[test]
fn device_code_polls_no_faster_than_the_interval_and_writes_what_the_cli_writes() {
    let server = Server::start();
    server.route(
        "POST",
        REGISTER,
        vec![registration("CID-1", "CSECRET-1", NOW + 90 * 86_400)],
    );
    server.route(
        "POST",
        DEVICE_AUTHORIZATION,
        vec![device_authorization("DEVICE-1", "ABCD-EFGH", 2, 600)],
    );
    server.route(
        "POST",
        TOKEN,
        vec![
            oidc_error(
                400,
                "AuthorizationPendingException",
                "authorization_pending",
            ),
            oidc_error(400, "SlowDownException", "slow_down"),
            oidc_error(
                400,
                "AuthorizationPendingException",
                "authorization_pending",
            ),
            created_token("ACCESS-NEW", Some("REFRESH-NEW"), 28_800),
        ],
    );
    let env = sign_in_env(&server);
    let sign_in = for_profile(&env, "dev-team");
    let mut shown = Shown::default();
    let done = sign_in
        .run(&env, SignInFlow::DeviceCode, &mut shown)
        .unwrap();

    assert_eq!(
        shown.urls,
        vec![(
            "https://device.sso.us-east-1.amazonaws.com/".to_owned(),
            Some("ABCD-EFGH".to_owned())
        )]
    );
    // Interval 2, then 2 + 5 after the slow_down: 2 + 2 + 7 + 7 seconds, one second at
    // a time through the environment (no real waiting), and never a poll before them.
    let slept: Duration = env.slept().iter().sum();
    assert_eq!(slept, Duration::from_secs(18), "{:?}", env.slept());
    assert!(shown.waits >= 18);
    assert_eq!(server.count(TOKEN), 4);
    let polls = requests(&server, TOKEN);
    assert_eq!(
        polls[0],
        json!({"grantType": "urn:ietf:params:oauth:grant-type:device_code",
               "clientId": "CID-1", "clientSecret": "CSECRET-1", "deviceCode": "DEVICE-1"})
    );
    assert_eq!(
        requests(&server, DEVICE_AUTHORIZATION)[0],
        json!({"clientId": "CID-1", "clientSecret": "CSECRET-1", "startUrl": START_URL})
    );
    // A device registration: no grant types, the session's scopes.
    assert_eq!(
        requests(&server, REGISTER)[0],
        json!({"clientName": "botocore-client-my-sso", "clientType": "public",
               "scopes": ["sso:account:access"]})
    );

    // The token file: the CLI's fields in its order, json.dumps's separators.
    assert_eq!(done.token_file.to_str().unwrap(), SESSION_TOKEN);
    let token = String::from_utf8(env.file(SESSION_TOKEN).unwrap()).unwrap();
    assert_eq!(
        token,
        format!(
            "{{\"startUrl\": \"{START_URL}\", \"region\": \"us-east-1\", \"accessToken\": \
             \"ACCESS-NEW\", \"expiresAt\": \"{}\", \"clientId\": \"CID-1\", \"clientSecret\": \
             \"CSECRET-1\", \"registrationExpiresAt\": \"{}\", \"refreshToken\": \"REFRESH-NEW\"}}",
            at(18 + 28_800),
            at(90 * 86_400)
        )
    );
    assert_eq!(
        done.registration_file.to_str().unwrap(),
        registration_path()
    );
    assert_eq!(
        String::from_utf8(env.file(registration_path()).unwrap()).unwrap(),
        format!(
            "{{\"clientId\": \"CID-1\", \"clientSecret\": \"CSECRET-1\", \"expiresAt\": \"{}\", \
             \"scopes\": [\"sso:account:access\"]}}",
            at(90 * 86_400)
        )
    );

    // The library itself now resolves the profile from that token (no refresh needed).
    server.route("GET", PORTAL, vec![role_credentials(7, 3600)]);
    let env = env_with_files(&server, &env);
    let url = Resolver::with_environment(env)
        .signed_url_at("codecommit://dev-team@Repo", time())
        .unwrap();
    assert!(
        url.as_str().starts_with("https://ASIAPORTAL0000000007"),
        "{}",
        url.as_str()
    );
    let portal = server
        .seen()
        .into_iter()
        .find(|s| s.path == PORTAL)
        .unwrap();
    assert_eq!(portal.header("x-amz-sso_bearer_token"), Some("ACCESS-NEW"));
}

/// A fresh environment holding `old`'s files, pointed at `server` for SSO too.
fn env_with_files(server: &Server, old: &MemoryEnvironment) -> MemoryEnvironment {
    let mut env = sign_in_env(server).with_var("AWS_ENDPOINT_URL_SSO", server.url());
    for path in [SESSION_TOKEN.to_owned(), registration_path()] {
        if let Some(bytes) = old.file(&path) {
            env = env.with_file(path, bytes);
        }
    }
    env
}

#[test]
fn refusals_and_expiry_write_nothing() {
    for (reply, says) in [
        (
            oidc_error(400, "ExpiredTokenException", "expired_token"),
            "expired before it was approved",
        ),
        (
            oidc_error(400, "AccessDeniedException", "access_denied"),
            "was denied",
        ),
        (
            oidc_error(400, "InvalidClientException", "invalid_client"),
            "InvalidClientException",
        ),
    ] {
        let pending = oidc_error(
            400,
            "AuthorizationPendingException",
            "authorization_pending",
        );
        let server = device_flow("CS", "DEV", 1, 600, vec![pending, reply]);
        let env = sign_in_env(&server);
        let error = for_profile(&env, "dev-team")
            .run(&env, SignInFlow::DeviceCode, &mut Shown::default())
            .unwrap_err();
        assert!(error.message().contains(says), "{says}: {error}");
        assert!(env.file(SESSION_TOKEN).is_none(), "{says}");
        assert!(env.file(registration_path()).is_none(), "{says}");
    }
}

#[test]
fn device_code_gives_up_when_the_code_or_the_timeout_runs_out() {
    let pending = oidc_error(
        400,
        "AuthorizationPendingException",
        "authorization_pending",
    );
    let server = device_flow("CS", "DEV", 5, 60, vec![pending]);
    let env = sign_in_env(&server);
    let error = for_profile(&env, "dev-team")
        .run(&env, SignInFlow::DeviceCode, &mut Shown::default())
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::SsoLoginRequired);
    assert!(
        error.message().contains("expired before it was approved"),
        "{error}"
    );
    // Polled every 5 s for the code's 60 s: 11 polls, the 12th would be at its expiry.
    assert_eq!(server.count(TOKEN), 11);

    let env = sign_in_env(&server);
    let error = for_profile(&env, "dev-team")
        .with_timeout(Duration::from_secs(20))
        .run(&env, SignInFlow::DeviceCode, &mut Shown::default())
        .unwrap_err();
    assert!(
        error.message().contains("not completed within 20 seconds"),
        "{error}"
    );
    assert!(env.file(SESSION_TOKEN).is_none());
}

#[test]
fn authorization_code_with_pkce_and_the_test_as_the_browser() {
    let server = Server::start();
    server.route(
        "POST",
        REGISTER,
        vec![registration("CID-A", "CSECRET-A", NOW + 90 * 86_400)],
    );
    serve_authorize(&server, "AUTH-CODE-1");
    server.route(
        "POST",
        TOKEN,
        vec![created_token("ACCESS-A", Some("REFRESH-A"), 3600)],
    );
    let env = sign_in_env(&server);
    let mut shown = browser(str::to_owned);
    let done = for_profile(&env, "test-team")
        .with_timeout(Duration::from_secs(30))
        .run(&env, SignInFlow::AuthorizationCode, &mut shown)
        .unwrap();
    assert_eq!(*shown.listener_status.lock().unwrap(), Some(200));

    let register = &requests(&server, REGISTER)[0];
    assert_eq!(
        *register,
        json!({"clientName": "botocore-client-my-sso", "clientType": "public",
               "scopes": ["sso:account:access"],
               "redirectUris": ["http://127.0.0.1/oauth/callback"],
               "grantTypes": ["authorization_code", "refresh_token"],
               "issuerUrl": START_URL})
    );
    let (url, code) = &shown.urls[0];
    assert_eq!(*code, None);
    assert!(url.starts_with(&format!("{}/authorize?response_type=code&client_id=CID-A&redirect_uri=http%3A%2F%2F127.0.0.1%3A", server.url())), "{url}");
    assert_eq!(
        query_value(url, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert_eq!(
        query_value(url, "scopes").as_deref(),
        Some("sso:account:access")
    );
    let redirect = query_value(url, "redirect_uri").unwrap();
    assert!(redirect.ends_with("/oauth/callback"), "{redirect}");

    let token_request = &requests(&server, TOKEN)[0];
    assert_eq!(token_request["grantType"], "authorization_code");
    assert_eq!(token_request["code"], "AUTH-CODE-1");
    assert_eq!(token_request["redirectUri"], json!(redirect));
    assert_eq!(token_request["clientSecret"], "CSECRET-A");
    // The challenge sent is the S256 of the verifier given to CreateToken.
    let verifier = token_request["codeVerifier"].as_str().unwrap();
    assert_eq!(verifier.len(), 64);
    let challenge = query_value(url, "code_challenge").unwrap();
    let digest = sha2::Sha256::digest(verifier.as_bytes());
    assert_eq!(challenge, base64url(&digest));

    let token: Value = serde_json::from_slice(&env.file(SESSION_TOKEN).unwrap()).unwrap();
    assert_eq!(token["accessToken"], "ACCESS-A");
    assert_eq!(token["refreshToken"], "REFRESH-A");
    assert_eq!(token["clientId"], "CID-A");
    let registration: Value =
        serde_json::from_slice(&env.file(&done.registration_file).unwrap()).unwrap();
    assert_eq!(
        registration,
        json!({"clientId": "CID-A", "clientSecret": "CSECRET-A", "expiresAt": at(90 * 86_400),
               "scopes": ["sso:account:access"],
               "grantTypes": ["authorization_code", "refresh_token"]})
    );

    // Signing in again reuses the registration: no RegisterClient call.
    let env = env_with_files(&server, &env);
    let again = for_profile(&env, "dev-team")
        .with_timeout(Duration::from_secs(30))
        .run(
            &env,
            SignInFlow::AuthorizationCode,
            &mut browser(str::to_owned),
        )
        .unwrap();
    assert!(again.reused_registration);
    assert_eq!(server.count(REGISTER), 1);
    // But the device code flow does not take an authorization-code registration.
    server.route(
        "POST",
        DEVICE_AUTHORIZATION,
        vec![device_authorization("D", "C", 1, 60)],
    );
    let env = env_with_files(&server, &env);
    let device = for_profile(&env, "dev-team")
        .run(&env, SignInFlow::DeviceCode, &mut Shown::default())
        .unwrap();
    assert!(!device.reused_registration);
    assert_eq!(server.count(REGISTER), 2);
}

#[test]
fn a_redirect_with_the_wrong_state_or_an_error_is_refused_and_writes_nothing() {
    for (tamper, says) in [
        (
            Box::new(|l: &str| {
                let (head, state) = l.rsplit_once("state=").unwrap();
                format!("{head}state=x{state}")
            }) as Box<dyn Fn(&str) -> String + Send + Sync>,
            "state parameter that does not match",
        ),
        (
            Box::new(|l: &str| {
                let (base, _) = l.split_once('?').unwrap();
                format!("{base}?error=access_denied&error_description=no%20thanks")
            }),
            "denied (access_denied: no thanks)",
        ),
    ] {
        let server = Server::start();
        server.route(
            "POST",
            REGISTER,
            vec![registration("CID", "CS", NOW + 86_400)],
        );
        serve_authorize(&server, "CODE");
        server.route("POST", TOKEN, vec![created_token("ACCESS", None, 3600)]);
        let env = sign_in_env(&server);
        let mut shown = browser(move |l| tamper(l));
        let error = for_profile(&env, "dev-team")
            .with_timeout(Duration::from_secs(30))
            .run(&env, SignInFlow::AuthorizationCode, &mut shown)
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::SsoLoginRequired);
        assert!(error.message().contains(says), "{error}");
        assert_eq!(server.count(TOKEN), 0, "{says}: no CreateToken");
        assert!(env.file(SESSION_TOKEN).is_none());
        assert!(env.file(registration_path()).is_none());
    }
}

#[test]
fn legacy_profiles_sign_in_with_a_device_code_under_the_start_url() {
    let server = device_flow(
        "CS",
        "D",
        1,
        60,
        vec![created_token("LEGACY-ACCESS", None, 3600)],
    );
    let env = sign_in_env(&server);
    let sign_in = for_profile(&env, "legacy");
    assert_eq!(sign_in.sso_session(), None);
    let done = sign_in
        .run(&env, SignInFlow::AuthorizationCode, &mut Shown::default())
        .unwrap();
    assert_eq!(done.token_file.to_str().unwrap(), LEGACY_TOKEN);
    assert_eq!(server.count(AUTHORIZE), 0);
    // BOTOCORE: a legacy registration is named after the time.
    assert_eq!(
        requests(&server, REGISTER)[0]["clientName"],
        format!("botocore-client-{NOW}")
    );
}

#[test]
fn configuration_problems_are_invalid_config() {
    let env = MemoryEnvironment::new().with_var("HOME", HOME).with_file(
        format!("{HOME}/.aws/config"),
        "[profile half]\nsso_start_url = https://x.awsapps.com/start\n\
         [profile lost]\nsso_session = nowhere\n[sso-session bare]\nsso_region = us-east-1\n",
    );
    let config = SharedConfig::load(&env).unwrap();
    for (result, says) in [
        (SignIn::for_profile(&env, &config, "half"), "sso_region"),
        (
            SignIn::for_profile(&env, &config, "lost"),
            "sso-session does not exist",
        ),
        (
            SignIn::for_sso_session(&env, &config, "bare"),
            "sso_start_url",
        ),
    ] {
        let error = result.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidConfig);
        assert!(error.message().contains(says), "{error}");
    }
    let error = SignIn::for_profile(&env, &config, "absent").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::ProfileNotFound);
}

/// Unpadded base64url, independently of the library's.
fn base64url(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = String::new();
    for &b in bytes {
        bits = (bits << 8) | u32::from(b);
        n += 8;
        while n >= 6 {
            n -= 6;
            out.push(char::from(A[((bits >> n) & 63) as usize]));
        }
    }
    if n > 0 {
        out.push(char::from(A[((bits << (6 - n)) & 63) as usize]));
    }
    out
}

#[test]
fn the_sessions_registration_scopes_and_an_expiring_registration() {
    let server = Server::start();
    server.route(
        "POST",
        REGISTER,
        vec![registration("CID-S", "CS", NOW + 86_400)],
    );
    serve_authorize(&server, "CODE");
    server.route("POST", TOKEN, vec![created_token("ACCESS", None, 3600)]);
    let config = "[sso-session scoped]\nsso_start_url = https://s.awsapps.com/start\n\
                  sso_region = eu-west-1\n\
                  sso_registration_scopes = sso:account:access, codecommit:read ,\n";
    // botocore's key for these settings: the scopes as the CLI parses them.
    let key = r#"{"region": "eu-west-1", "scopes": ["sso:account:access", "codecommit:read"], "session_name": "scoped", "startUrl": "https://s.awsapps.com/start", "tool": "botocore"}"#;
    let registration_file = format!("{CACHE}/{}.json", hex::encode(sha1::Sha1::digest(key)));
    // A registration of the same key that is 10 minutes from expiry is not reused.
    let env = sign_in_env(&server)
        .with_file(format!("{HOME}/.aws/config"), config)
        .with_file(
            &registration_file,
            json!({"clientId": "OLD", "clientSecret": "OLD-S", "expiresAt": at(600),
                   "scopes": ["sso:account:access", "codecommit:read"],
                   "grantTypes": ["authorization_code", "refresh_token"]})
            .to_string(),
        );
    let config = SharedConfig::load(&env).unwrap();
    let sign_in = SignIn::for_sso_session(&env, &config, "scoped").unwrap();
    assert_eq!(
        sign_in.registration_file().to_str(),
        Some(registration_file.as_str())
    );
    let mut shown = browser(str::to_owned);
    let done = sign_in
        .with_timeout(Duration::from_secs(30))
        .run(&env, SignInFlow::AuthorizationCode, &mut shown)
        .unwrap();
    assert!(!done.reused_registration);
    assert_eq!(
        requests(&server, REGISTER)[0]["scopes"],
        json!(["sso:account:access", "codecommit:read"])
    );
    assert_eq!(
        query_value(&shown.urls[0].0, "scopes").as_deref(),
        Some("sso:account:access codecommit:read")
    );
    let written: Value = serde_json::from_slice(&env.file(&registration_file).unwrap()).unwrap();
    assert_eq!(written["clientId"], "CID-S");
    assert_eq!(
        done.token_file.file_name().unwrap().to_str().unwrap(),
        format!("{}.json", hex::encode(sha1::Sha1::digest("scoped")))
    );
}
