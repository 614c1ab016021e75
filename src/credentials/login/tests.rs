use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use serde_json::{Value, json};

use super::*;
use crate::credentials::Tried;
use crate::env::{HttpClient, HttpError, HttpRequest, HttpResponse, MemoryEnvironment};

const NOW: u64 = 1_800_000_000; // 2027-01-15T08:00:00Z
const HOME: &str = "/home/u";
const CONFIG: &str = "[profile p]\nlogin_session = arn:aws:iam::123456789012:user/dev\nregion = eu-west-1\n\
                      [profile noregion]\nlogin_session = arn:aws:iam::123456789012:user/dev\n";
const SESSION: &str = "arn:aws:iam::123456789012:user/dev";

fn file() -> String {
    use sha2::{Digest, Sha256};
    format!(
        "{HOME}/.aws/login/cache/{}.json",
        hex::encode(Sha256::digest(SESSION))
    )
}

fn iso(offset: i64) -> String {
    timestamp::format_utc(UNIX_EPOCH + Duration::from_secs(NOW.saturating_add_signed(offset)))
}

/// A token file as `aws login` writes it, its credentials expiring `expires_in` seconds
/// from NOW, with a field of the CLI's we do not know.
fn token(expires_in: i64) -> Value {
    json!({
        "accessToken": {
            "accessKeyId": "ASIAOLD",
            "secretAccessKey": "old-secret",
            "sessionToken": "old-token",
            "accountId": "123456789012",
            "expiresAt": iso(expires_in),
        },
        "tokenType": "aws_sigv4",
        "refreshToken": "REFRESH-1",
        "idToken": "id-token-kept",
        "clientId": "arn:aws:signin:::devtools/same-device",
        "dpopKey": super::dpop::tests::sec1_pem(),
        "signInRegion": "us-west-2",
    })
}

/// A request as the stand-in saw it: URL, headers, body.
type Seen = (String, Vec<(String, String)>, Vec<u8>);

/// The Sign-In stand-in: answers every request with `reply`, records them.
#[derive(Clone, Default)]
struct SignIn {
    seen: Arc<Mutex<Vec<Seen>>>,
    reply: Arc<Mutex<Option<(u16, Value)>>>,
}

impl HttpClient for SignIn {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        self.seen.lock().unwrap().push((
            request.url.clone(),
            request.headers.clone(),
            request.body.clone(),
        ));
        let (status, body) = self.reply.lock().unwrap().clone().unwrap_or((
            200,
            json!({
                "accessToken": {
                    "accessKeyId": "ASIANEW",
                    "secretAccessKey": "new-secret",
                    "sessionToken": "new-token",
                },
                "tokenType": "aws_sigv4",
                "expiresIn": 900,
                "refreshToken": "REFRESH-2",
            }),
        ));
        let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
        if status != 200 {
            headers.push(("x-amzn-errortype".into(), "AccessDeniedException".into()));
        }
        Ok(HttpResponse {
            status,
            headers,
            body: body.to_string().into_bytes(),
        })
    }
}

fn env(doc: Option<Value>, signin: &SignIn) -> MemoryEnvironment {
    let mut env = MemoryEnvironment::new()
        .with_var("HOME", HOME)
        .with_now(UNIX_EPOCH + Duration::from_secs(NOW))
        .with_file(format!("{HOME}/.aws/config"), CONFIG)
        .with_http_client(signin.clone());
    if let Some(doc) = doc {
        env = env.with_file(file(), doc.to_string());
    }
    env
}

fn resolve(env: &MemoryEnvironment, profile: &str) -> Result<Resolved, Error> {
    let config = SharedConfig::load(env).unwrap();
    let tried = Tried::default();
    let ctx = ChainContext {
        env,
        config: &config,
        profile,
        top_profile: profile,
        disable_env_vars: true,
        tried: &tried,
        mfa: None,
    };
    match Login.provide(&ctx)? {
        Outcome::Found(found) => Ok(found),
        other => panic!("{other:?}"),
    }
}

#[test]
fn cached_credentials_serve_while_more_than_five_minutes_remain() {
    let signin = SignIn::default();
    let env = env(Some(token(301)), &signin);
    let found = resolve(&env, "p").unwrap();
    assert_eq!(found.credentials.access_key_id(), "ASIAOLD");
    assert_eq!(found.credentials.secret_access_key(), "old-secret");
    assert_eq!(found.credentials.session_token(), Some("old-token"));
    assert_eq!(
        found.credentials.account_id().map(|a| a.as_str()),
        Some("123456789012")
    );
    assert_eq!(found.source.method(), "login");
    assert!(found.source.from_cache());
    assert!(
        found
            .source
            .to_string()
            .contains("cached until 2027-01-15T08:05:01Z"),
        "{}",
        found.source
    );
    assert!(signin.seen.lock().unwrap().is_empty());
}

#[test]
fn at_five_minutes_it_refreshes_with_a_dpop_proof_and_writes_back() {
    let signin = SignIn::default();
    let env = env(Some(token(300)), &signin)
        .with_var("AWS_ENDPOINT_URL_SIGNIN", "http://127.0.0.1:9/base/");
    let found = resolve(&env, "p").unwrap();
    assert_eq!(found.credentials.access_key_id(), "ASIANEW");
    assert_eq!(found.credentials.secret_access_key(), "new-secret");
    assert_eq!(
        found.credentials.expiry(),
        Some(UNIX_EPOCH + Duration::from_secs(NOW + 900))
    );
    assert!(!found.source.from_cache());
    assert_eq!(
        found.source.to_string(),
        format!(
            "aws login session {SESSION} of profile p (token {}; renewed now through the \
             Sign-In service, until 2027-01-15T08:15:00Z)",
            file()
        )
    );

    let seen = signin.seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    let (url, headers, body) = &seen[0];
    assert_eq!(url, "http://127.0.0.1:9/base/v1/token");
    assert_eq!(
        String::from_utf8_lossy(body),
        "{\"clientId\": \"arn:aws:signin:::devtools/same-device\", \"refreshToken\": \
         \"REFRESH-1\", \"grantType\": \"refresh_token\"}"
    );
    let dpop = &headers.iter().find(|(n, _)| n == "DPoP").unwrap().1;
    let header = super::dpop::tests::verified_header(dpop);
    assert_eq!(header["typ"], "dpop+jwt");
    let claims = super::dpop::tests::claims(dpop);
    assert_eq!(claims["htu"], url.as_str());
    assert_eq!(claims["htm"], "POST");
    assert_eq!(claims["iat"], NOW);

    // The file: botocore's layout, accessToken rebuilt, the other fields kept in place.
    let written = String::from_utf8(env.file(file()).unwrap()).unwrap();
    let mut want = token(300);
    want["accessToken"] = json!({
        "accessKeyId": "ASIANEW",
        "secretAccessKey": "new-secret",
        "sessionToken": "new-token",
        "accountId": "123456789012",
        "expiresAt": iso(900),
    });
    want["refreshToken"] = json!("REFRESH-2");
    assert_eq!(
        written,
        crate::credentials::pyjson::dumps(
            &want,
            crate::credentials::pyjson::Separators::Default,
            false
        )
    );
    assert!(written.starts_with("{\"accessToken\": {\"accessKeyId\": \"ASIANEW\", "));
}

#[test]
fn the_sign_in_region_picks_the_host_else_the_profile_region() {
    let signin = SignIn::default();
    let env_ = env(Some(token(10)), &signin);
    resolve(&env_, "p").unwrap();
    let mut without = token(10);
    without.as_object_mut().unwrap().remove("signInRegion");
    let env_ = env(Some(without.clone()), &signin);
    resolve(&env_, "p").unwrap();
    let urls: Vec<String> = signin
        .seen
        .lock()
        .unwrap()
        .iter()
        .map(|s| s.0.clone())
        .collect();
    assert_eq!(
        urls,
        [
            "https://us-west-2.signin.aws.amazon.com/v1/token",
            "https://eu-west-1.signin.aws.amazon.com/v1/token"
        ]
    );
    // No region anywhere: botocore's NoRegionError, in words.
    let env_ = env(Some(without), &signin);
    let err = resolve(&env_, "noregion").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    assert!(
        err.to_string().starts_with("You must specify a region."),
        "{err}"
    );
}

#[test]
fn each_refusal_has_its_kind_and_words() {
    let cases = [
        (
            "TOKEN_EXPIRED",
            ErrorKind::LoginRequired,
            "Your session has expired or credentials have changed. Please reauthenticate using 'aws login'.",
        ),
        (
            "USER_CREDENTIALS_CHANGED",
            ErrorKind::LoginRequired,
            "Your session has expired or credentials have changed.",
        ),
        (
            "INSUFFICIENT_PERMISSIONS",
            ErrorKind::ServiceError,
            "Unable to create or refresh login credentials due to insufficient permissions. You may be missing permission for the 'signin:CreateOAuth2Token' action.",
        ),
        (
            "invalid_grant",
            ErrorKind::ServiceError,
            "An error occurred (AccessDeniedException invalid_grant: no (HTTP 400)) when calling the CreateOAuth2Token operation",
        ),
    ];
    for (error, kind, start) in cases {
        let signin = SignIn::default();
        *signin.reply.lock().unwrap() = Some((400, json!({"error": error, "message": "no"})));
        let env = env(Some(token(-60)), &signin);
        let err = resolve(&env, "p").unwrap_err();
        assert_eq!(err.kind(), kind, "{error}: {err}");
        assert!(err.to_string().starts_with(start), "{error}: {err}");
        if kind == ErrorKind::LoginRequired {
            assert!(
                err.to_string().ends_with("; run `aws login --profile p`"),
                "{err}"
            );
        }
        // Nothing written on a refusal.
        assert_eq!(
            env.file(file()).unwrap(),
            token(-60).to_string().into_bytes()
        );
    }
    // A 200 without what the API promises.
    let signin = SignIn::default();
    *signin.reply.lock().unwrap() = Some((200, json!({"tokenType": "aws_sigv4"})));
    let err = resolve(&env(Some(token(-60)), &signin), "p").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MalformedCredentials);
    assert!(
        err.to_string()
            .contains("Unable to refresh access token due to an invalid service response."),
        "{err}"
    );
    // An answer that is over as it arrives.
    let signin = SignIn::default();
    *signin.reply.lock().unwrap() = Some((
        200,
        json!({
        "accessToken": {"accessKeyId": "A", "secretAccessKey": "s", "sessionToken": "t"},
        "expiresIn": 0, "refreshToken": "R"}),
    ));
    let err = resolve(&env(Some(token(-60)), &signin), "p").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CredentialsExpired);
}

#[test]
fn a_missing_or_broken_token_file_asks_for_aws_login() {
    let signin = SignIn::default();
    let err = resolve(&env(None, &signin), "p").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LoginRequired);
    assert!(err.to_string().starts_with(&format!(
        "Error loading login session token: Unable to load a existing login session for session \
         {SESSION}. Please reauthenticate with 'aws login'. (profile p, looked for {}",
        file()
    )), "{err}");

    let mut gone = token(-60);
    gone.as_object_mut().unwrap().remove("refreshToken");
    let err = resolve(&env(Some(gone), &signin), "p").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LoginRequired);
    assert!(
        err.to_string()
            .contains("is missing required fields: refreshToken; run `aws login --profile p`"),
        "{err}"
    );

    let mut bad_key = token(-60);
    bad_key["dpopKey"] =
        json!("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
    let err = resolve(&env(Some(bad_key), &signin), "p").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LoginRequired);
    assert!(
        err.to_string()
            .contains("Unable to load private key from cached token."),
        "{err}"
    );
    assert!(signin.seen.lock().unwrap().is_empty());
}

#[test]
fn login_session_reports_the_state_without_refreshing() {
    let signin = SignIn::default();
    let state = |doc: Option<Value>| {
        let env = env(doc, &signin);
        let config = SharedConfig::load(&env).unwrap();
        login_session(&env, &config, "p").unwrap().unwrap()
    };
    let s = state(None);
    assert_eq!(s.state, TokenState::Missing);
    assert_eq!(s.token_file, std::path::PathBuf::from(file()));
    assert_eq!(s.login_command(), "aws login --profile p");
    assert!(matches!(
        state(Some(token(301))).state,
        TokenState::Valid { .. }
    ));
    assert!(matches!(
        state(Some(token(300))).state,
        TokenState::RefreshDue {
            refreshable: true,
            ..
        }
    ));
    let mut gone = token(-1);
    gone["refreshToken"] = json!("");
    assert!(matches!(
        state(Some(gone)).state,
        TokenState::Expired {
            refreshable: false,
            ..
        }
    ));
    assert!(signin.seen.lock().unwrap().is_empty());
    let env = env(None, &signin);
    let config = SharedConfig::load(&env).unwrap();
    assert_eq!(login_session(&env, &config, "absent").unwrap(), None);
}
