//! The SSO token cache reader (`~/.aws/sso/cache/<sha1>.json`), through the resolver:
//! the fuzz bytes are the token file, the portal and OIDC answer in memory.
//!
//! Input: one control byte (bit 0: sso-session profile rather than legacy; bit 1: OIDC
//! refuses the refresh with 400; bits 2-3: OIDC's `expiresIn`, bits 4-5: the portal's
//! `expiration`, each one of an ordinary, a zero, a huge and a fractional value), then
//! the file.
#![no_main]

use codecommit_auth::env::Environment as _;
use codecommit_auth::{ErrorKind, Resolver};
use fuzz_support::sso::{CONFIG, LEGACY_TOKEN, SERVICE_SECRETS, SESSION_TOKEN, services_with};
use fuzz_support::{Http, NOW, check, distinctive};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Some((&control, file)) = data.split_first() else {
        return;
    };
    let session = control & 1 == 1;
    let oidc_status = if control & 2 == 2 { 400 } else { 200 };
    let (path, remote) = if session {
        (SESSION_TOKEN, "codecommit://session@Repo")
    } else {
        (LEGACY_TOKEN, "codecommit://legacy@Repo")
    };
    let env = fuzz_support::env(CONFIG)
        .with_file(path, file.to_vec())
        .with_http_client(Http(services_with(
            oidc_status,
            ["3600", "0", "18446744073709551615", "1e300"][usize::from(control >> 2 & 3)].into(),
            [
                ((NOW + 3600) * 1000).to_string(),
                "0".into(),
                u64::MAX.to_string(),
                "1.8e15".into(),
            ][usize::from(control >> 4 & 3)]
            .clone(),
        )));
    let resolver = Resolver::with_environment(env);

    let original = serde_json::from_slice::<Value>(file).ok();
    let mut never: Vec<String> = SERVICE_SECRETS.iter().map(|s| s.to_string()).collect();
    if let Some(Value::Object(doc)) = &original {
        for key in ["accessToken", "refreshToken", "clientSecret"] {
            if let Some(Value::String(s)) = doc.get(key)
                && distinctive(s, file)
            {
                never.push(s.clone());
            }
        }
    }
    let never: Vec<&str> = never.iter().map(String::as_str).collect();
    let outcome = resolver.resolve(remote);
    // Portal credentials that are already over (expiration 0) are CredentialsExpired; an
    // expiresIn that is not a u64 is a refused refresh.
    let kinds = [
        ErrorKind::SsoLoginRequired,
        ErrorKind::CredentialsExpired,
        ErrorKind::MalformedCredentials,
    ];
    if let Some(resolution) = check(outcome, &kinds, &never, data) {
        assert_eq!(resolution.credentials().access_key_id(), "ASIAFUZZPORTAL");
    }

    // A rewritten token file is JSON that keeps every field it does not update.
    let written = resolver
        .environment()
        .read_file(path.as_ref(), u64::MAX)
        .unwrap()
        .unwrap();
    if written != file {
        assert!(session, "a legacy token is never rewritten");
        let Ok(Value::Object(new)) = serde_json::from_slice::<Value>(&written) else {
            panic!("the rewritten token file is not a JSON object");
        };
        assert_eq!(
            new.get("accessToken"),
            Some(&Value::from("SENTINEL-OIDC-ACCESS"))
        );
        let Some(Value::Object(old)) = original else {
            panic!("a file that was no JSON object was refreshed");
        };
        for (key, value) in &old {
            if ![
                "startUrl",
                "region",
                "accessToken",
                "expiresAt",
                "refreshToken",
            ]
            .contains(&key.as_str())
            {
                assert_eq!(new.get(key), Some(value), "field {key} was not kept");
            }
        }
    }
});
