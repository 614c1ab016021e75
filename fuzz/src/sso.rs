//! The SSO world of the `sso_token` and `cli_cache` targets: one legacy profile and one
//! sso-session profile (the configuration and cache names of `tests/support/sso.rs`), and
//! an SSO portal, SSO OIDC and STS that answer in memory.

use codecommit_auth::env::{HttpRequest, HttpResponse};

use crate::{NOW, response};

/// `~/.aws/config`.
pub const CONFIG: &str = "\
[profile legacy]
region = us-east-2
sso_start_url = https://my-sso-portal.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = DevRole

[profile session]
region = eu-west-1
sso_session = my-sso
sso_account_id = 444455556666
sso_role_name = ReadOnly

[sso-session my-sso]
sso_start_url = https://my-sso-portal.awsapps.com/start
sso_region = us-east-1

[profile role]
region = us-east-1
role_arn = arn:aws:iam::123456789012:role/Role1
source_profile = base

[profile base]
aws_access_key_id = AKIDFUZZBASE
aws_secret_access_key = SENTINEL-SECRET-BASE-KEY
";

/// The legacy profile's token file: sha1 of the start URL.
pub const LEGACY_TOKEN: &str =
    "/home/fuzz/.aws/sso/cache/c7aaaf71fcc8777ae2475525ed049d39fe16c484.json";
/// The sso-session profile's token file: sha1 of `my-sso`.
pub const SESSION_TOKEN: &str =
    "/home/fuzz/.aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json";
/// The CLI cache entry of the legacy profile (behavior.md §5.6).
pub const LEGACY_CLI_CACHE: &str =
    "/home/fuzz/.aws/cli/cache/72e96a975eece9254bf19f7aa7a026fe62442cf5.json";
/// The CLI cache entry of the sso-session profile.
pub const SESSION_CLI_CACHE: &str =
    "/home/fuzz/.aws/cli/cache/9987de26fdce5654f6e738911345a88679f3dd49.json";
/// The role profile's entry in the AWS CLI's cache (behavior.md §6.2).
pub const ROLE_CLI_CACHE: &str =
    "/home/fuzz/.aws/cli/cache/dba4288057919c7f6356be9d69539562080ac056.json";
/// The same entry in git-remote-codecommit's (boto) cache.
pub const ROLE_BOTO_CACHE: &str =
    "/home/fuzz/.aws/boto/cache/dba4288057919c7f6356be9d69539562080ac056.json";

/// Secrets the in-memory services hand out; they must never show anywhere.
pub const SERVICE_SECRETS: [&str; 7] = [
    "SENTINEL-SECRET-BASE-KEY",
    "SENTINEL-PORTAL-SECRET",
    "SENTINEL-PORTAL-TOKEN",
    "SENTINEL-OIDC-ACCESS",
    "SENTINEL-OIDC-REFRESH",
    "SENTINEL-STS-SECRET",
    "SENTINEL-STS-TOKEN",
];

/// A valid token cache file whose token expires `expires_in` seconds after `NOW`, with
/// refresh data.
pub fn token_file(expires_in: i64) -> String {
    format!(
        r#"{{"startUrl": "https://my-sso-portal.awsapps.com/start", "region": "us-east-1", "accessToken": "SENTINEL-ACCESS-TOKEN", "expiresAt": "{}", "clientId": "CLIENT", "clientSecret": "SENTINEL-CLIENT-SECRET", "registrationExpiresAt": "2099-01-01T00:00:00Z", "refreshToken": "SENTINEL-REFRESH-TOKEN"}}"#,
        iso(NOW as i64 + expires_in)
    )
}

/// `YYYY-MM-DDTHH:MM:SSZ` for a Unix time in 1970..=9999.
pub fn iso(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// The services: the portal's GetRoleCredentials, OIDC's CreateToken (answering with
/// `oidc_status`), and STS AssumeRole.
pub fn services(oidc_status: u16) -> impl Fn(&HttpRequest) -> HttpResponse + Send + Sync {
    services_with(
        oidc_status,
        "3600".into(),
        ((NOW + 3600) * 1000).to_string(),
    )
}

/// [`services`] with OIDC's `expiresIn` and the portal's `expiration` (epoch ms) as
/// given: JSON number text, so targets can try absurd ones.
pub fn services_with(
    oidc_status: u16,
    expires_in: String,
    expiration: String,
) -> impl Fn(&HttpRequest) -> HttpResponse + Send + Sync {
    move |request: &HttpRequest| {
        if request.url.contains("/federation/credentials") {
            response(
                200,
                format!(
                    r#"{{"roleCredentials": {{"accessKeyId": "ASIAFUZZPORTAL", "secretAccessKey": "SENTINEL-PORTAL-SECRET", "sessionToken": "SENTINEL-PORTAL-TOKEN", "expiration": {expiration}}}}}"#
                ),
            )
        } else if request.url.ends_with("/token") {
            if oidc_status == 200 {
                response(
                    200,
                    format!(
                        r#"{{"accessToken": "SENTINEL-OIDC-ACCESS", "expiresIn": {expires_in}, "refreshToken": "SENTINEL-OIDC-REFRESH", "tokenType": "Bearer"}}"#
                    ),
                )
            } else {
                response(
                    oidc_status,
                    r#"{"error": "invalid_grant", "error_description": "no"}"#,
                )
            }
        } else if request.method == "POST" {
            response(
                200,
                sts_answer("AssumeRole", "SENTINEL-STS-SECRET", &iso(NOW as i64 + 3600)),
            )
        } else {
            response(404, "no route")
        }
    }
}

/// An STS answer for `operation` with the given secret key and expiration.
pub fn sts_answer(operation: &str, secret: &str, expiration: &str) -> String {
    format!(
        r#"<{operation}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <{operation}Result>
    <AssumedRoleUser>
      <AssumedRoleId>AROAEXAMPLE:session</AssumedRoleId>
      <Arn>arn:aws:sts::123456789012:assumed-role/Role1/session</Arn>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAFUZZSTS</AccessKeyId>
      <SecretAccessKey>{secret}</SecretAccessKey>
      <SessionToken>SENTINEL-STS-TOKEN</SessionToken>
      <Expiration>{expiration}</Expiration>
    </Credentials>
  </{operation}Result>
  <ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>
</{operation}Response>"#
    )
}
