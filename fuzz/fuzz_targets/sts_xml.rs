//! STS answers: the fuzz bytes are the body of the AssumeRole (or
//! AssumeRoleWithWebIdentity) answer, returned by an in-memory HTTP client.
//!
//! Input: one control byte (bit 0: web identity rather than a source profile; bits 1-2:
//! status 200, 200, 400 or 403 — never 5xx or 429, which are retried after a pause),
//! then the body.
#![no_main]

use codecommit_auth::{ErrorKind, Resolver};
use fuzz_support::{HOME, Http, check, distinctive, response};
use libfuzzer_sys::fuzz_target;

const CONFIG: &str = "\
[profile role]
region = us-east-1
role_arn = arn:aws:iam::123456789012:role/Role1
source_profile = base

[profile base]
aws_access_key_id = AKIDFUZZBASE
aws_secret_access_key = SENTINEL-SECRET-BASE-KEY

[profile web]
region = us-east-1
role_arn = arn:aws:iam::123456789012:role/Web
web_identity_token_file = /home/fuzz/web-token
";

fuzz_target!(|data: &[u8]| {
    let Some((&control, body)) = data.split_first() else {
        return;
    };
    let web = control & 1 == 1;
    let status = [200, 200, 400, 403][usize::from(control >> 1 & 3)];
    let answer = body.to_vec();
    let env = fuzz_support::env(CONFIG)
        .with_file(format!("{HOME}/web-token"), "SENTINEL-WEB-IDENTITY-TOKEN")
        .with_http_client(Http(move |_: &_| response(status, answer.clone())));
    let remote = if web {
        "codecommit://web@Repo"
    } else {
        "codecommit://role@Repo"
    };

    // What we hold must not come back in a message unless the answer itself says it;
    // what we sent — the web identity token, for `web` — never, even when the answer
    // echoes it: quoted answers mask what the request carried (issue 18).
    let text = String::from_utf8_lossy(body);
    let mut never: Vec<&str> = ["SENTINEL-SECRET-BASE-KEY", "SENTINEL-WEB-IDENTITY-TOKEN"]
        .into_iter()
        .filter(|s| !text.contains(s) || (web && s.contains("WEB-IDENTITY")))
        .collect();
    let sent = never.len();
    for tag in ["SecretAccessKey", "SessionToken"] {
        if let Some(value) = element(&text, tag)
            && distinctive(value, body)
        {
            never.push(value);
        }
    }
    let kinds = [
        ErrorKind::ServiceError,
        ErrorKind::MalformedCredentials,
        ErrorKind::CredentialsExpired,
    ];
    // On failure nothing from a 200 answer may show; an error answer's own message may.
    let checked: &[&str] = if status == 200 {
        &never
    } else {
        &never[..sent]
    };
    if let Some(resolution) = check(
        Resolver::with_environment(env).resolve(remote),
        &kinds,
        checked,
        data,
    ) {
        assert_eq!(status, 200, "an error status resolved");
        assert_eq!(
            resolution.credential_source().method(),
            if web {
                "assume-role-with-web-identity"
            } else {
                "assume-role"
            }
        );
    }
});

/// The raw text of the first `<tag>…</tag>`, for picking the secrets to look for.
fn element<'a>(text: &'a str, tag: &str) -> Option<&'a str> {
    let start = text.find(&format!("<{tag}>"))? + tag.len() + 2;
    let len = text[start..].find(&format!("</{tag}>"))?;
    Some(text[start..start + len].trim())
}
