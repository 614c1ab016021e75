//! The AWS CLI credential cache reader (`~/.aws/cli/cache/<sha1>.json`, and
//! git-remote-codecommit's `~/.aws/boto/cache`), through the resolver: the fuzz bytes
//! are one cache entry; the token, the portal and STS are valid and answer in memory,
//! so every outcome must be a signed URL — an unusable entry is a miss, never an error.
//!
//! Input: one control byte (0: legacy SSO, 1: sso-session SSO, 2: role via the CLI
//! cache, 3: role via the boto cache), then the file.
#![no_main]

use codecommit_auth::Resolver;
use fuzz_support::sso::{
    CONFIG, LEGACY_CLI_CACHE, LEGACY_TOKEN, ROLE_BOTO_CACHE, ROLE_CLI_CACHE, SERVICE_SECRETS,
    SESSION_CLI_CACHE, SESSION_TOKEN, services, token_file,
};
use fuzz_support::{Http, check, distinctive};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Some((&control, file)) = data.split_first() else {
        return;
    };
    let (cache, remote) = match control % 4 {
        0 => (LEGACY_CLI_CACHE, "codecommit://legacy@Repo"),
        1 => (SESSION_CLI_CACHE, "codecommit://session@Repo"),
        2 => (ROLE_CLI_CACHE, "codecommit://role@Repo"),
        _ => (ROLE_BOTO_CACHE, "codecommit://role@Repo"),
    };
    let env = fuzz_support::env(CONFIG)
        .with_file(LEGACY_TOKEN, token_file(3600))
        .with_file(SESSION_TOKEN, token_file(3600))
        .with_file(cache, file.to_vec())
        .with_http_client(Http(services(200)));
    let resolver = Resolver::with_environment(env);

    let mut never: Vec<String> = Vec::new();
    if let Ok(doc) = serde_json::from_slice::<Value>(file) {
        for key in ["SecretAccessKey", "SessionToken"] {
            if let Some(Value::String(s)) = doc.get("Credentials").and_then(|c| c.get(key))
                && distinctive(s, file)
            {
                never.push(s.clone());
            }
        }
    }
    let fixed: Vec<&str> = SERVICE_SECRETS.to_vec();
    let resolution = check(resolver.resolve(remote), &[], &fixed, data)
        .expect("a cache entry never makes resolution fail");
    let views = format!("{resolution:?}\n{}", resolution.explain());
    for secret in &never {
        fuzz_support::assert_hidden(&views, secret, "a resolution from the cache");
    }
});
