//! The remote grammar: `Remote::parse`, and a resolver over a fixed configuration.
#![no_main]

use std::sync::OnceLock;

use codecommit_auth::env::MemoryEnvironment;
use codecommit_auth::{ErrorKind, Remote, RepositoryName, Resolver};
use fuzz_support::{HOME, check};
use libfuzzer_sys::fuzz_target;

const SECRET: &str = "SENTINEL-SECRET-REMOTE-TARGET";

fn resolver() -> &'static Resolver<MemoryEnvironment> {
    static RESOLVER: OnceLock<Resolver<MemoryEnvironment>> = OnceLock::new();
    RESOLVER.get_or_init(|| {
        let env = fuzz_support::env(
            "[default]\nregion = eu-west-1\n[profile dev]\nregion = us-east-2\n\
             [profile role@123456789012]\nregion = cn-north-1\n[profile nokeys]\nregion = us-west-2\n",
        )
        .with_file(
            format!("{HOME}/.aws/credentials"),
            format!(
                "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = {SECRET}\n\
                 [dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = {SECRET}\n\
                 aws_session_token = {SECRET}-TOKEN\n\
                 [role@123456789012]\naws_access_key_id = AKIDROLE\naws_secret_access_key = {SECRET}\n"
            ),
        );
        Resolver::with_environment(env)
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Remote::parse(text) {
        Ok(remote) => {
            let repo = remote.repository().as_str();
            assert_eq!(
                RepositoryName::new(repo)
                    .map(|r| r.as_str().to_owned())
                    .ok()
                    .as_deref(),
                Some(repo)
            );
            assert!(repo.len() <= RepositoryName::MAX_LEN, "{repo}");
            if let Some(region) = remote.region() {
                assert!(
                    text.to_ascii_lowercase().contains(region.name()),
                    "{text:?}"
                );
            }
        }
        Err(err) => assert!(
            matches!(
                err.kind(),
                ErrorKind::MalformedRemote
                    | ErrorKind::RegionNotAvailable
                    | ErrorKind::InvalidRepositoryName
            ),
            "{text:?}: {:?}",
            err
        ),
    }
    // An error may echo the remote; only check the secret when the remote lacks it.
    let never: &[&str] = if text.contains("SENTINEL") {
        &[]
    } else {
        &[SECRET]
    };
    let kinds = [
        ErrorKind::MalformedRemote,
        ErrorKind::RegionNotAvailable,
        ErrorKind::InvalidRepositoryName,
        ErrorKind::ProfileNotFound,
        ErrorKind::RegionNotFound,
        ErrorKind::CredentialsNotFound,
    ];
    // The secrets come from the fixed files, not the input: `never` names them.
    if let Some(resolution) = check(resolver().resolve(text), &kinds, never, b"") {
        // The URL is for the repository the remote names, at the region's host.
        let parsed = Remote::parse(text).expect("a remote that resolves parses");
        assert_eq!(resolution.repository(), parsed.repository());
        if let Some(region) = parsed.region() {
            assert_eq!(resolution.region(), region);
        }
        assert!(resolution.host().as_str().starts_with("git-codecommit."));
    }
});
