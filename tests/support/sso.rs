//! The SSO provider-chain harness: a profile set (legacy and sso-session forms), token
//! cache files, portal answers, and environments that point SSO and SSO OIDC at a
//! 127.0.0.1 [`Server`]; plus [`race`], many resolvers over one real home directory.

use std::collections::HashMap;
use std::time::{Duration, UNIX_EPOCH};

use codecommit_auth::env::{HttpsClient, MemoryEnvironment};
use codecommit_auth::{Resolver, SigningTime};
use serde_json::json;

use super::disk::{DiskEnvironment, TempDir};
use super::loopback::LoopbackOnly;
use super::server::{Reply, Server};

pub const HOME: &str = "/home/dev";
pub const NOW: u64 = 1_800_000_000; // 2027-01-15T08:00:00Z
pub const START_URL: &str = "https://my-sso-portal.awsapps.com/start";
/// sha1("https://my-sso-portal.awsapps.com/start")
pub const LEGACY_TOKEN: &str =
    "/home/dev/.aws/sso/cache/c7aaaf71fcc8777ae2475525ed049d39fe16c484.json";
/// sha1("my-sso")
pub const SESSION_TOKEN: &str =
    "/home/dev/.aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json";
pub const PORTAL: &str = "/federation/credentials";

pub const CONFIG: &str = "\
[profile legacy]
region = us-east-2
sso_start_url = https://my-sso-portal.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = DevRole

[profile dev-team]
region = us-east-2
sso_session = my-sso
sso_account_id = 111122223333
sso_role_name = Developer

[profile test-team]
region = eu-west-1
sso_session = my-sso
sso_account_id = 444455556666
sso_role_name = ReadOnly

[sso-session my-sso]
sso_start_url = https://my-sso-portal.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access
";

pub fn at(offset_secs: i64) -> String {
    iso(NOW as i64 + offset_secs)
}

/// `YYYY-MM-DDTHH:MM:SSZ` for a Unix time, as AWS tools write expiry times.
pub fn iso(unix: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(unix).unwrap();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The body of the SSO portal's `GetRoleCredentials` answer: these keys, expiring at
/// `expiration_ms` (Unix milliseconds, as the portal writes it).
pub fn portal_answer(key: &str, secret: &str, token: &str, expiration_ms: u64) -> String {
    json!({"roleCredentials": {
        "accessKeyId": key,
        "secretAccessKey": secret,
        "sessionToken": token,
        "expiration": expiration_ms,
    }})
    .to_string()
}

pub fn token_file(access: &str, expires_in: i64, refresh: bool) -> String {
    let mut doc = json!({
        "startUrl": START_URL,
        "region": "us-east-1",
        "accessToken": access,
        "expiresAt": at(expires_in),
        "unknownFieldKeptByUs": {"nested": [1, 2]},
    });
    if refresh {
        doc["clientId"] = json!("CLIENT-ID");
        doc["clientSecret"] = json!("CLIENT-SECRET");
        doc["registrationExpiresAt"] = json!(at(30 * 86_400));
        doc["refreshToken"] = json!("REFRESH-1");
    }
    doc.to_string()
}

pub fn role_credentials(n: u32, lifetime_secs: u64) -> Reply {
    Reply::new(
        200,
        portal_answer(
            &format!("ASIAPORTAL{n:010}"),
            &format!("portal-secret-{n}"),
            &format!("portal-token-{n}/+="),
            (NOW + lifetime_secs) * 1000 + 999,
        ),
    )
    .header("Content-Type", "application/json")
}

pub fn env(server: &Server, token_path: &str, token: &str) -> MemoryEnvironment {
    MemoryEnvironment::new()
        .with_var("HOME", HOME)
        .with_var("AWS_ENDPOINT_URL_SSO", server.url())
        .with_var("AWS_ENDPOINT_URL_SSO_OIDC", server.url())
        .with_now(UNIX_EPOCH + Duration::from_secs(NOW))
        .with_file(format!("{HOME}/.aws/config"), CONFIG)
        .with_file(token_path, token)
        .with_http_client(LoopbackOnly::around(
            HttpsClient::from_environment(&MemoryEnvironment::new())
                .with_timeout_cap(Duration::from_secs(2)),
        ))
}

pub fn time() -> SigningTime {
    SigningTime::from_unix(NOW as i64).unwrap()
}

/// `n` resolvers in `n` threads over the real home directory `home`, each with its own
/// environment (like `n` processes), all signing `remote`; their results in order.
pub fn race(
    n: usize,
    home: &TempDir,
    vars: &[(&str, String)],
    remote: &str,
) -> Vec<Result<String, codecommit_auth::Error>> {
    let mut vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    vars.insert("HOME".into(), home.path().to_str().unwrap().to_owned());
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let env = DiskEnvironment::new(
                vars.clone(),
                UNIX_EPOCH + Duration::from_secs(NOW),
                HttpsClient::from_environment(&MemoryEnvironment::new()),
            );
            let remote = remote.to_owned();
            std::thread::spawn(move || {
                Resolver::with_environment(env)
                    .signed_url_at(&remote, SigningTime::from_unix(NOW as i64).unwrap())
                    .map(|u| u.into_string())
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

// ---- The SSO OIDC stand-in for sign-in (`codecommit-auth login`) ----

pub const REGISTER: &str = "/client/register";
pub const DEVICE_AUTHORIZATION: &str = "/device_authorization";
pub const TOKEN: &str = "/token";
pub const AUTHORIZE: &str = "/authorize";

/// `RegisterClient`'s answer: this client, its secret expiring at `expires_at` (Unix).
pub fn registration(client_id: &str, secret: &str, expires_at: u64) -> Reply {
    Reply::json(
        200,
        &json!({
            "clientId": client_id,
            "clientSecret": secret,
            "clientIdIssuedAt": NOW,
            "clientSecretExpiresAt": expires_at,
        }),
    )
}

/// `StartDeviceAuthorization`'s answer, polling every `interval` seconds, valid for
/// `expires_in`.
pub fn device_authorization(
    device_code: &str,
    user_code: &str,
    interval: u64,
    expires_in: u64,
) -> Reply {
    Reply::json(
        200,
        &json!({
            "deviceCode": device_code,
            "userCode": user_code,
            "verificationUri": "https://device.sso.us-east-1.amazonaws.com/",
            "verificationUriComplete": format!("https://device.sso.us-east-1.amazonaws.com/?user_code={user_code}"),
            "expiresIn": expires_in,
            "interval": interval,
        }),
    )
}

/// `CreateToken`'s answer: an access token for `expires_in` seconds, and a refresh token.
pub fn created_token(access: &str, refresh: Option<&str>, expires_in: u64) -> Reply {
    let mut body = json!({"accessToken": access, "tokenType": "Bearer", "expiresIn": expires_in});
    if let Some(refresh) = refresh {
        body["refreshToken"] = json!(refresh);
    }
    Reply::json(200, &body)
}

/// An SSO OIDC error answer as the service sends it: the exception in
/// `x-amzn-ErrorType`, the OAuth error code in the body (`authorization_pending`,
/// `slow_down`, `expired_token`, `access_denied`, …).
pub fn oidc_error(status: u16, exception: &str, oauth: &str) -> Reply {
    Reply::json(
        status,
        &json!({"error": oauth, "error_description": format!("{oauth} (stand-in)")}),
    )
    .header(
        "x-amzn-ErrorType",
        &format!("{exception}:http://internal.amazon.com/coral/"),
    )
}

/// The SSO OIDC stand-in for the device code flow: `RegisterClient` hands out client
/// `CID` with `client_secret` (for a day), `StartDeviceAuthorization` `device_code`
/// (user code `USER-CODE`, polled every `interval` s, valid for `expires_in` s), and
/// `CreateToken` answers with `token`, one after the other.
pub fn device_flow(
    client_secret: &str,
    device_code: &str,
    interval: u64,
    expires_in: u64,
    token: Vec<Reply>,
) -> Server {
    let server = Server::start();
    server.route(
        "POST",
        REGISTER,
        vec![registration("CID", client_secret, NOW + 86_400)],
    );
    server.route(
        "POST",
        DEVICE_AUTHORIZATION,
        vec![device_authorization(
            device_code,
            "USER-CODE",
            interval,
            expires_in,
        )],
    );
    server.route("POST", TOKEN, token);
    server
}

/// Plays the authorize endpoint: `GET /authorize?…` answers 302 to the `redirect_uri`
/// it was given with `code` and the `state` it was given, as the sign-in page does
/// once the person approves.
pub fn serve_authorize(server: &Server, code: &'static str) {
    server.gate(move |seen| {
        if seen.path != AUTHORIZE {
            return None;
        }
        let redirect = seen.query("redirect_uri").unwrap_or_default();
        let state = seen.query("state").unwrap_or_default();
        Some(
            Reply::new(302, "")
                .header("Location", &format!("{redirect}?code={code}&state={state}")),
        )
    });
}

/// The browser: GETs `url` (the authorize URL), then the `Location` it is sent to (the
/// loopback redirect), passing the final location through `tamper` first. Returns the
/// listener's status.
pub fn play_browser(url: &str, tamper: impl Fn(&str) -> String) -> u16 {
    use codecommit_auth::env::{HttpClient, HttpRequest};
    let client = LoopbackOnly::new();
    let first = client
        .send(&HttpRequest::get(url))
        .expect("the authorize endpoint answers");
    assert_eq!(
        first.status,
        302,
        "authorize: {}",
        String::from_utf8_lossy(&first.body)
    );
    let location = first.header("location").expect("a Location").to_owned();
    client
        .send(&HttpRequest::get(tamper(&location)))
        .expect("the loopback listener answers")
        .status
}

/// The query value `name` of `url`, percent-decoded.
pub fn query_value(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    super::http1::query_pairs(query)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}
/// The portal's listing calls, `ListAccounts` and `ListAccountRoles`.
pub const LIST_ACCOUNTS: &str = "/assignment/accounts";
pub const LIST_ROLES: &str = "/assignment/roles";

/// One account of a [`directory`]: id, name, its roles.
pub type Assigned<'a> = (&'a str, &'a str, &'a [&'a str]);

/// Makes `server` answer `ListAccounts` and `ListAccountRoles` for `accounts` as the
/// portal does: the bearer token in `x-amz-sso_bearer_token` must be `token` (else 401
/// `UnauthorizedException`), at most `page` items per answer (fewer if `max_result`
/// asks), the rest behind a `nextToken` that the next call sends as `next_token`, and
/// a 400 for a `max_result` outside 1..=100 or an unknown account. Other paths fall
/// through to the server's routes.
pub fn directory(server: &Server, token: &str, page: usize, accounts: &[Assigned<'_>]) {
    directory_slow(server, token, page, accounts, Duration::ZERO);
}

/// [`directory`], each answer sent after `delay`.
pub fn directory_slow(
    server: &Server,
    token: &str,
    page: usize,
    accounts: &[Assigned<'_>],
    delay: Duration,
) {
    let token = token.to_owned();
    let accounts: Vec<(String, String, Vec<String>)> = accounts
        .iter()
        .map(|(id, name, roles)| {
            (
                (*id).to_owned(),
                (*name).to_owned(),
                roles.iter().map(|r| (*r).to_owned()).collect(),
            )
        })
        .collect();
    server.gate(move |seen| {
        let listing = seen.path.ends_with(LIST_ACCOUNTS) || seen.path.ends_with(LIST_ROLES);
        if !listing {
            return None;
        }
        let error = |status: u16, kind: &str, message: &str| {
            Some(Reply::json(status, &json!({"message": message})).header("x-amzn-ErrorType", kind))
        };
        if seen.method != "GET" {
            return error(400, "InvalidRequestException", "GET only");
        }
        if seen.header("x-amz-sso_bearer_token") != Some(token.as_str()) {
            return error(
                401,
                "UnauthorizedException",
                "Session token not found or invalid",
            );
        }
        let max = match seen.query("max_result").map(str::parse::<usize>) {
            None => 100,
            Some(Ok(n)) if (1..=100).contains(&n) => n,
            Some(_) => return error(400, "InvalidRequestException", "bad max_result"),
        };
        let start = match seen.query("next_token") {
            None => 0,
            Some(t) => match t.strip_prefix("page-").and_then(|n| n.parse().ok()) {
                Some(n) => n,
                None => return error(400, "InvalidRequestException", "bad next_token"),
            },
        };
        let items: Vec<serde_json::Value> = if seen.path.ends_with(LIST_ACCOUNTS) {
            accounts
                .iter()
                .map(|(id, name, _)| {
                    json!({"accountId": id, "accountName": name, "emailAddress": "a@example.com"})
                })
                .collect()
        } else {
            let id = seen.query("account_id").unwrap_or_default();
            let Some((_, _, roles)) = accounts.iter().find(|(a, _, _)| a == id) else {
                return error(404, "ResourceNotFoundException", "no such account");
            };
            roles
                .iter()
                .map(|role| json!({"roleName": role, "accountId": id}))
                .collect()
        };
        let end = (start + page.min(max)).min(items.len());
        let key = if seen.path.ends_with(LIST_ACCOUNTS) {
            "accountList"
        } else {
            "roleList"
        };
        let mut body = json!({});
        body[key] = json!(items.get(start..end).unwrap_or_default());
        if end < items.len() {
            body["nextToken"] = json!(format!("page-{end}"));
        }
        Some(Reply::json(200, &body).delayed(delay))
    });
}
