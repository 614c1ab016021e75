//! The profile-file grammar: both files, their merge, and the credential chain that
//! reads the merged profiles.
//!
//! Input: the config file, then optionally byte 0xFE and the credentials file (0xFE is
//! never valid UTF-8, so no file loses a meaningful byte to the split).
#![no_main]

use codecommit_auth::config::SharedConfig;
use codecommit_auth::{ErrorKind, Resolver};
use fuzz_support::{HOME, assert_hidden, check, distinctive, error_views};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (config, credentials) = match data.iter().position(|&b| b == 0xFE) {
        Some(at) => (&data[..at], Some(&data[at + 1..])),
        None => (data, None),
    };
    let shared = match SharedConfig::from_sources(Some(config), credentials) {
        Ok(shared) => shared,
        Err(err) => {
            assert_eq!(
                err.kind(),
                ErrorKind::ConfigParse,
                "{}",
                err.chain_message()
            );
            assert!(
                err.message().starts_with("Unable to parse config file: "),
                "{}",
                err.message()
            );
            // Messages name the line and the problem, never a value.
            let views = error_views(&err);
            for secret in secrets_of(data) {
                assert_hidden(&views, &secret, "a parse error");
            }
            return;
        }
    };
    let names: Vec<String> = shared
        .profile_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut secrets = Vec::new();
    for name in &names {
        let profile = shared.profile(name).expect("a listed profile resolves");
        assert_eq!(profile.name(), name);
        for key in profile.keys() {
            let value = profile.get(key).expect("a listed key has a value");
            let _ = profile.sub_properties(key);
            if (key.contains("secret") || key.contains("token")) && distinctive(value, data) {
                secrets.push(value.to_owned());
            }
        }
        for props in [profile.config_file(), profile.credentials_file()]
            .into_iter()
            .flatten()
        {
            assert_eq!(props.len(), props.iter().count());
            for (key, _) in props.iter() {
                assert!(props.get(key).is_some());
            }
        }
    }
    for name in shared.sso_session_names() {
        assert!(shared.sso_session(name).is_some());
    }
    for name in shared.services_names() {
        assert!(shared.services(name).is_some());
    }
    for name in shared.section_names() {
        assert!(shared.section(name).is_some());
    }
    let debug = format!("{shared:?}");
    for secret in &secrets {
        assert_hidden(&debug, secret, "SharedConfig's Debug");
    }

    // The credential chain over the first few profiles: role chains, SSO settings,
    // credential_process command lines and static keys, with no network and no processes.
    let never: Vec<&str> = secrets.iter().map(String::as_str).collect();
    for name in names.iter().take(3) {
        let mut env = fuzz_support::env("").with_var("AWS_PROFILE", name.as_str());
        env = env.with_file(format!("{HOME}/.aws/config"), config.to_vec());
        if let Some(credentials) = credentials {
            env = env.with_file(format!("{HOME}/.aws/credentials"), credentials.to_vec());
        }
        let resolver = Resolver::with_environment(env);
        let _ = check(
            resolver.resolve("us-east-1://Repo"),
            &ANY_PROVIDER_ERROR,
            &never,
            data,
        );
    }
});

/// What resolving a profile of a parsed file may fail with (no network, no processes).
const ANY_PROVIDER_ERROR: [ErrorKind; 12] = [
    ErrorKind::InvalidConfig,
    ErrorKind::CredentialsNotFound,
    ErrorKind::PartialCredentials,
    ErrorKind::CredentialsExpired,
    ErrorKind::MalformedCredentials,
    ErrorKind::SsoLoginRequired,
    // A `login_session` profile without its token file (issue 14: `aws login` profiles).
    ErrorKind::LoginRequired,
    ErrorKind::Network,
    ErrorKind::MfaRequired,
    ErrorKind::ProcessFailed,
    ErrorKind::Unsupported,
    ErrorKind::FipsNotAvailable,
];

/// Distinctive values after a secret-looking key, found in the raw text even when the
/// file does not parse.
fn secrets_of(data: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(data);
    let mut out = Vec::new();
    for line in text.split(['\n', '\r']) {
        // A section header (`[` … `]`, as botocore's SECTCRE matches it) names a section,
        // which errors quote on purpose, even when the name holds `token = …`.
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix('[')
            && rest.chars().skip(1).any(|c| c == ']')
        {
            continue;
        }
        if let Some((key, value)) = line.split_once('=') {
            let key = key.trim().to_ascii_lowercase();
            let value = value.trim();
            if (key.contains("secret") || key.contains("token")) && distinctive(value, data) {
                out.push(value.to_owned());
            }
        }
    }
    out
}
