//! The remote grammar over every character class. Most rows are data, in
//! `remotes.json` beside this file: `remote` and either `host` + `prefix` (a signed URL)
//! or `error` (an [`ErrorKind`] name) + `contains` (a piece of the message). The rows too
//! long for a data file are built here.

use codecommit_auth::ErrorKind::{self, *};

use crate::{Want, assert_rows, config_path, credentials_path, error, memory, sign};

fn env() -> codecommit_auth::env::MemoryEnvironment {
    memory()
        .with_file(
            config_path(),
            "[default]\nregion = us-east-1\n[profile dev]\nregion = eu-west-1\n\
             [profile role@123456789012]\nregion = eu-west-1\n",
        )
        .with_file(
            credentials_path(),
            "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s\n\
             [dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = s\n\
             [role@123456789012]\naws_access_key_id = AKIDROLE\naws_secret_access_key = s\n",
        )
}

fn kind(name: &str) -> ErrorKind {
    [
        MalformedRemote,
        InvalidRepositoryName,
        ProfileNotFound,
        RegionNotAvailable,
        RegionNotFound,
    ]
    .into_iter()
    .find(|k| k.name() == name)
    .unwrap_or_else(|| panic!("unknown kind {name}"))
}

#[test]
fn remote_rows_from_the_data_file() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/hostile/remotes.json");
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let rows = doc["rows"].as_array().unwrap();
    assert!(rows.len() >= 40, "{} rows", rows.len());
    let leak = |s: &serde_json::Value| -> &'static str {
        Box::leak(s.as_str().unwrap().to_owned().into_boxed_str())
    };
    assert_rows(
        rows.iter()
            .map(|r| {
                let want = match r.get("error") {
                    Some(e) => error(kind(e.as_str().unwrap()), leak(&r["contains"])),
                    None => Want::Url {
                        host: leak(&r["host"]),
                        prefix: leak(&r["prefix"]),
                    },
                };
                let remote = r["remote"].as_str().unwrap();
                (
                    format!("{} ({remote:?})", r["name"].as_str().unwrap()),
                    want,
                    sign(env(), remote),
                )
            })
            .collect(),
    );
}

#[test]
fn long_remotes() {
    let repo = |n: usize| "r".repeat(n);
    let mb = 1 << 20;
    let cases: Vec<(String, String, Want)> = vec![
        (
            "a 100-character repository".into(),
            format!("codecommit://dev@{}", repo(100)),
            Want::Url {
                host: "git-codecommit.eu-west-1.amazonaws.com",
                prefix: "https://AKIDDEV:",
            },
        ),
        (
            "a 101-character repository".into(),
            format!("codecommit://dev@{}", repo(101)),
            error(InvalidRepositoryName, "it is 101 characters long"),
        ),
        (
            "a 1 MiB repository".into(),
            format!("codecommit://dev@{}", repo(mb)),
            error(InvalidRepositoryName, "it is 1048576 characters long"),
        ),
        (
            "a 1 MiB profile".into(),
            format!("codecommit://{}@Repo", "p".repeat(mb)),
            error(ProfileNotFound, "The following profile was not found: ppp"),
        ),
        (
            "a 1 MiB remote with a control character at its end".into(),
            format!("codecommit://dev@{}\u{1}", repo(mb)),
            error(
                MalformedRemote,
                "(it contains a control character at byte 1048593)",
            ),
        ),
        (
            "a 1 MiB scheme".into(),
            format!("{}://dev@Repo", "a".repeat(mb)),
            error(MalformedRemote, "The following URL is malformed: aaa"),
        ),
    ];
    let outcomes: Vec<_> = cases
        .iter()
        .map(|(_, remote, _)| sign(env(), remote))
        .collect();
    // However long the remote, the message stays readable.
    for ((name, _, _), outcome) in cases.iter().zip(&outcomes) {
        if let Err(e) = outcome {
            assert!(
                e.chain_message().len() <= 1024,
                "{name}: a {} byte message",
                e.chain_message().len()
            );
        }
    }
    assert_rows(
        cases
            .into_iter()
            .zip(outcomes)
            .map(|((name, _, want), got)| (name, want, got))
            .collect(),
    );
}

/// A long profile name that exists, but without a region or credentials: the messages
/// that name it stay bounded too.
#[test]
fn long_profiles_in_not_found_messages() {
    let name = "p".repeat(100_000);
    let env = || {
        memory().with_file(
            config_path(),
            format!("[profile {name}]\noutput = json\n[profile {name}x]\nregion = us-east-1\n"),
        )
    };
    for (profile, kind, start) in [
        (
            name.clone(),
            RegionNotFound,
            "The following profile does not have an AWS Region: ppp",
        ),
        (
            format!("{name}x"),
            CredentialsNotFound,
            "The following profile does not have credentials configured: ppp",
        ),
    ] {
        let err = sign(env(), &format!("codecommit://{profile}@Repo")).unwrap_err();
        assert_eq!(err.kind(), kind, "{err}");
        let message = err.chain_message();
        assert!(message.starts_with(start), "{message}");
        assert!(message.contains("p…"), "{message}");
        assert!(message.len() <= 1024, "a {} byte message", message.len());
    }
}
