//! The files and outputs credential providers read: the SSO token cache, the AWS CLI's
//! credential cache, `credential_process` output, and the size limit of each.

use codecommit_auth::ErrorKind::*;
use codecommit_auth::env::{HttpRequest, MemoryEnvironment, ProcessOutput};

use crate::*;

const PORTAL_HOST: &str = "git-codecommit.us-east-2.amazonaws.com";
const PORTAL_URL: &str = "https://ASIAPORTAL%25portal-token:20270115T080000Z";

fn sso_env(token_name: &str, token: impl Into<Vec<u8>>) -> MemoryEnvironment {
    memory()
        .with_file(config_path(), SSO_CONFIG)
        .with_file(format!("{HOME}/.aws/sso/cache/{token_name}"), token)
        .with_http_client(Answer(|r: &HttpRequest| {
            if r.url.contains("/federation/credentials") {
                portal_answer()
            } else if r.url.ends_with("/token") {
                response(200, r#"{"accessToken": "NEW", "expiresIn": 3600}"#)
            } else {
                response(404, "")
            }
        }))
}

fn token_row(
    name: &'static str,
    token: impl Into<Vec<u8>>,
    want: Want,
) -> (
    String,
    Want,
    Result<codecommit_auth::SignedUrl, codecommit_auth::Error>,
) {
    let got = sign(sso_env(LEGACY_TOKEN, token), "codecommit://legacy@Repo");
    (name.to_owned(), want, got)
}

#[test]
fn sso_token_cache_rows() {
    let valid = token_file(3600);
    let invalid =
        "Error loading SSO Token: Token for https://my-sso-portal.awsapps.com/start is invalid";
    let padded = |len: usize| {
        let mut t = valid.clone().into_bytes();
        t.resize(len, b' ');
        t
    };
    let limit = 1 << 20;
    assert_rows(vec![
        token_row("a valid token", valid.clone(), url(PORTAL_HOST, PORTAL_URL)),
        token_row(
            "an empty file",
            "",
            error(SsoLoginRequired, "is not valid JSON)"),
        ),
        token_row(
            "a truncated file",
            &valid[..40],
            error(
                SsoLoginRequired,
                "is not valid JSON); run `aws sso login --profile legacy`",
            ),
        ),
        token_row(
            "a JSON array",
            "[]",
            error(SsoLoginRequired, "is not a JSON object"),
        ),
        token_row(
            "a NUL byte in the JSON",
            valid.replace(", ", ",\0"),
            error(SsoLoginRequired, "is not valid JSON"),
        ),
        token_row(
            "a UTF-8 BOM before the JSON",
            format!("\u{feff}{valid}"),
            error(SsoLoginRequired, "is not valid JSON"),
        ),
        token_row(
            "100,000 nested arrays stop at the JSON depth limit, not the stack",
            format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
            error(SsoLoginRequired, "is not valid JSON"),
        ),
        token_row(
            "a number where the access token belongs",
            valid.replace("\"ACCESS\"", "5"),
            error(SsoLoginRequired, "has no accessToken string"),
        ),
        token_row(
            "a number where the expiry belongs",
            format!(r#"{{"accessToken": "A", "expiresAt": {NOW}}}"#),
            error(SsoLoginRequired, "has no expiresAt string"),
        ),
        token_row(
            "an expiry without a time zone",
            valid.replace(&at(3600), "2027-01-15T09:00:00"),
            error(
                SsoLoginRequired,
                "has an expiresAt that has no time zone; add Z (UTC)",
            ),
        ),
        token_row(
            "an expired legacy token",
            token_file(-1),
            error(
                SsoLoginRequired,
                "The SSO session associated with this profile has expired",
            ),
        ),
        token_row(
            "exactly at the 1 MiB limit",
            padded(limit),
            url(PORTAL_HOST, PORTAL_URL),
        ),
        token_row(
            "one byte over the 1 MiB limit, and the error says so",
            padded(limit + 1),
            error(
                SsoLoginRequired,
                "cannot be read (file is 1048577 bytes, over the limit of 1048576 bytes)",
            ),
        ),
        token_row(
            "a 512 KiB access token",
            valid.replace("\"ACCESS\"", &format!("\"{}\"", "a".repeat(512 * 1024))),
            url(PORTAL_HOST, PORTAL_URL),
        ),
        token_row(
            "an invalid-token message names the file",
            "{}",
            error(SsoLoginRequired, invalid),
        ),
    ]);
}

#[test]
fn a_near_expiry_session_token_is_refreshed_and_rewritten_keeping_unknown_fields() {
    let token = token_file(60).replace(
        "{\"startUrl\"",
        "{\"mine\": [1, {\"x\": null}], \"startUrl\"",
    );
    let env = sso_env(SESSION_TOKEN, token);
    let resolver = codecommit_auth::Resolver::with_environment(env);
    let url = resolver
        .signed_url_at("codecommit://session@Repo", now())
        .unwrap();
    assert!(url.as_str().starts_with(PORTAL_URL), "{}", url.as_str());
    let written = resolver
        .environment()
        .file(format!("{HOME}/.aws/sso/cache/{SESSION_TOKEN}"))
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&written).unwrap();
    assert_eq!(doc["accessToken"], "NEW");
    assert_eq!(doc["refreshToken"], "REFRESH", "kept: the answer had none");
    assert_eq!(doc["mine"], serde_json::json!([1, {"x": null}]));
}

fn cache_row(
    name: &'static str,
    entry: impl Into<Vec<u8>>,
    want: Want,
) -> (
    String,
    Want,
    Result<codecommit_auth::SignedUrl, codecommit_auth::Error>,
) {
    let env = sso_env(LEGACY_TOKEN, token_file(3600))
        .with_file(format!("{HOME}/.aws/cli/cache/{LEGACY_CLI_CACHE}"), entry);
    (name.to_owned(), want, sign(env, "codecommit://legacy@Repo"))
}

fn entry(access: &str, expiration: &str) -> String {
    format!(
        r#"{{"ProviderType": "sso", "Credentials": {{"AccessKeyId": {access}, "SecretAccessKey": "cache-secret", "SessionToken": "cache-token", "Expiration": {expiration}}}}}"#
    )
}

/// An unusable CLI cache entry is a miss — the portal is asked and the entry replaced —
/// never an error.
#[test]
fn cli_cache_rows() {
    let fresh = format!("\"{}\"", at(3600));
    let cached = url(
        PORTAL_HOST,
        "https://ASIACACHE%25cache-token:20270115T080000Z",
    );
    let portal = url(PORTAL_HOST, PORTAL_URL);
    let mut big = entry("\"ASIACACHE\"", &fresh).into_bytes();
    big.resize(256 * 1024 + 1, b' ');
    assert_rows(vec![
        cache_row(
            "a fresh entry is used",
            entry("\"ASIACACHE\"", &fresh),
            cached,
        ),
        cache_row(
            "a number where the key id belongs",
            entry("5", &fresh),
            portal.clone(),
        ),
        cache_row(
            "a number where the expiration belongs",
            entry("\"ASIACACHE\"", &NOW.to_string()),
            portal.clone(),
        ),
        cache_row(
            "an expiration without a zone",
            entry("\"ASIACACHE\"", "\"2027-01-15T09:00:00\""),
            portal.clone(),
        ),
        cache_row(
            "ten minutes left is stale",
            entry("\"ASIACACHE\"", &format!("\"{}\"", at(600))),
            portal.clone(),
        ),
        cache_row("an empty file", "", portal.clone()),
        cache_row(
            "a truncated file",
            &entry("\"ASIACACHE\"", &fresh)[..30],
            portal.clone(),
        ),
        cache_row("over the 256 KiB limit", big, portal.clone()),
        // Issue 18, defect 3: no AWS tool writes a line break into a key or token.
        cache_row(
            "a line break in the key id",
            entry("\"ASIACACHE\\nhost=evil\"", &fresh),
            portal.clone(),
        ),
        cache_row(
            "a NUL in the session token",
            entry("\"ASIACACHE\"", &fresh).replace("cache-token", "cache\\u0000token"),
            portal.clone(),
        ),
        cache_row(
            "a carriage return in the session token",
            entry("\"ASIACACHE\"", &fresh).replace("cache-token", "cache\\rtoken"),
            portal,
        ),
    ]);
}

fn process_row(
    name: &'static str,
    code: i32,
    stdout: impl Into<Vec<u8>>,
    stderr: impl Into<Vec<u8>>,
    want: Want,
) -> (
    String,
    Want,
    Result<codecommit_auth::SignedUrl, codecommit_auth::Error>,
) {
    let (stdout, stderr) = (stdout.into(), stderr.into());
    let env = memory()
        .with_file(
            config_path(),
            "[profile p]\nregion = eu-west-1\ncredential_process = /opt/creds\n",
        )
        .with_process_runner(move |_| {
            Ok(ProcessOutput::new(Some(code))
                .with_stdout(stdout.clone())
                .with_stderr(stderr.clone()))
        });
    (name.to_owned(), want, sign(env, "codecommit://p@Repo"))
}

#[test]
fn credential_process_output_rows() {
    let good = r#"{"Version": 1, "AccessKeyId": "AKIDPROC", "SecretAccessKey": "s"}"#;
    let host = "git-codecommit.eu-west-1.amazonaws.com";
    assert_rows(vec![
        process_row(
            "valid output",
            0,
            good,
            "",
            url(host, "https://AKIDPROC:20270115T080000Z"),
        ),
        process_row(
            "empty output",
            0,
            "",
            "",
            error(
                ProcessFailed,
                "its output is not JSON (EOF while parsing a value at line 1 column 0)",
            ),
        ),
        process_row(
            "Version as a string",
            0,
            good.replace("1,", "\"1\","),
            "",
            error(
                ProcessFailed,
                "Unsupported version '1' for credential process provider",
            ),
        ),
        process_row(
            "a number where the key id belongs",
            0,
            good.replace("\"AKIDPROC\"", "7"),
            "",
            error(ProcessFailed, "AccessKeyId in its output is not a string"),
        ),
        process_row(
            "an expiration in the past",
            0,
            good.replace("}", r#", "Expiration": "2000-01-01T00:00:00Z"}"#),
            "",
            error(
                CredentialsExpired,
                "returned credentials that expired at 2000-01-01T00:00:00Z",
            ),
        ),
        process_row(
            "an expiration without a zone",
            0,
            good.replace("}", r#", "Expiration": "2099-01-01T00:00:00"}"#),
            "",
            error(ProcessFailed, "has no time zone"),
        ),
        process_row(
            "100,000 nested arrays",
            0,
            format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
            "",
            error(
                ProcessFailed,
                "its output is not JSON (recursion limit exceeded",
            ),
        ),
        // Issue 18, defect 3: a line break or NUL in any part is refused, and the value
        // is not quoted.
        process_row(
            "a line break in the session token",
            0,
            good.replace("}", r#", "SessionToken": "t\npassword=evil"}"#),
            "",
            error(
                MalformedCredentials,
                "the session token from credential_process of profile p contains a line break",
            ),
        ),
        process_row(
            "a carriage return in the key id",
            0,
            good.replace("AKIDPROC", r"AKIDPROC\rquit=1"),
            "",
            error(
                MalformedCredentials,
                "the access key id from credential_process",
            ),
        ),
        process_row(
            "a NUL in the key id",
            0,
            good.replace("AKIDPROC", r"AKIDPROC\u0000evil"),
            "",
            error(
                MalformedCredentials,
                "the access key id from credential_process",
            ),
        ),
        // The secret is only the HMAC key and never leaves the process; botocore signs
        // with a line break in it (a continuation line), and so do we.
        process_row(
            "a line break in the secret is signed with",
            0,
            good.replace("\"s\"", r#""s\nt""#),
            "",
            url(host, "https://AKIDPROC:20270115T080000Z"),
        ),
        process_row(
            "a failure's stderr is shown escaped",
            2,
            "",
            "\u{1b}[2Jboom\r\n",
            error(
                ProcessFailed,
                "the command exited with status 2: \\u{1b}[2Jboom (the credential_process of profile p)",
            ),
        ),
    ]);
}

/// A command that writes a megabyte to stderr and fails gets a message of at most a few
/// kilobytes.
#[test]
fn a_megabyte_of_stderr_makes_a_bounded_message() {
    let (_, _, got) = process_row("", 1, "", "e".repeat(1 << 20), error(ProcessFailed, ""));
    let err = got.unwrap_err();
    assert_eq!(err.kind(), ProcessFailed);
    assert!(
        err.message().len() < 4096 + 300,
        "{} bytes",
        err.message().len()
    );
    assert!(err.message().contains("eeee…"), "{}", err.message());
}

#[test]
fn size_limits_of_the_other_files_are_named_in_the_error() {
    let web = memory()
        .with_file(config_path(), "[profile w]\nregion = eu-west-1\nrole_arn = arn:aws:iam::1:role/W\nweb_identity_token_file = /t/token\n")
        .with_file("/t/token", vec![b'a'; 64 * 1024 + 1]);
    let ec2 = memory()
        .with_var("AWS_CREDENTIAL_FILE", "/t/ec2")
        .with_var("AWS_DEFAULT_REGION", "eu-west-1")
        .with_file("/t/ec2", vec![b'#'; 16 * 1024 * 1024 + 1]);
    let boto = memory()
        .with_var("BOTO_CONFIG", "/t/boto")
        .with_var("AWS_DEFAULT_REGION", "eu-west-1")
        .with_file("/t/boto", vec![b'#'; 16 * 1024 * 1024 + 1]);
    let container = memory()
        .with_var(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://127.0.0.1:1/creds",
        )
        .with_var("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/t/auth")
        .with_var("AWS_DEFAULT_REGION", "eu-west-1")
        .with_file("/t/auth", vec![b'a'; 64 * 1024 + 1]);
    assert_rows(vec![
        (
            "container authorization token file over 64 KiB".into(),
            error(
                ConfigRead,
                "file is 65537 bytes, over the limit of 65536 bytes",
            ),
            sign(container, "codecommit://Repo"),
        ),
        (
            "web identity token over 64 KiB".into(),
            error(
                ConfigRead,
                "cannot read the web identity token file /t/token: file is 65537 bytes, over the limit of 65536 bytes",
            ),
            sign(web, "codecommit://w@Repo"),
        ),
        (
            "AWS_CREDENTIAL_FILE over 16 MiB".into(),
            error(
                ConfigRead,
                "Unable to read the file /t/ec2 named by AWS_CREDENTIAL_FILE: file is 16777217 bytes, over the limit of 16777216 bytes",
            ),
            sign(ec2, "codecommit://Repo"),
        ),
        (
            "BOTO_CONFIG over 16 MiB".into(),
            error(
                ConfigRead,
                "Unable to read boto config file: /t/boto: file is 16777217 bytes, over the limit of 16777216 bytes",
            ),
            sign(boto, "codecommit://Repo"),
        ),
    ]);
}
