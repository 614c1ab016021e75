//! Issue 15: `codecommit-auth profiles` writes one profile per account and role, and
//! `git clone codecommit://Account.Role@Repo` then works through the profile it wrote —
//! real git, the signature-checking Git host, and the local SSO portal answering
//! `ListAccounts`, `ListAccountRoles` (a page at a time) and `GetRoleCredentials`, with
//! the token an `aws sso login` (or `codecommit-auth login`) left.

use crate::harness::{PORTAL_PATH, REPO, SSO_ACCESS_TOKEN, World, require_git};
use crate::support::sso::directory;

#[test]
fn profiles_then_clone_through_a_written_profile() {
    require_git!();
    let mut world = World::new();
    world.with_sso(3600);
    let portal = world.portal.as_ref().unwrap();
    directory(
        portal,
        SSO_ACCESS_TOKEN,
        1,
        &[
            ("111122223333", "Dev Account", &["Developer", "ReadOnly"]),
            ("444455556666", "Other", &["Admin"]),
        ],
    );
    let dir = world.dir.path().to_owned();
    let run = world.run_in(
        &dir,
        "codecommit-auth",
        &["profiles", "--sso-session", "e2e-sso"],
        b"",
    );
    run.assert_ok("codecommit-auth profiles");
    assert!(run.stderr.contains("3 profiles added"), "{}", run.stderr);

    let remote = format!("codecommit://Dev-Account.Developer@{REPO}");
    world
        .git(&["clone", "--quiet", &remote, "alpha"])
        .assert_ok("git clone through the written profile");
    assert!(world.at("alpha/README.md").exists());
    // The role credentials came for the written account and role.
    let asked: Vec<_> = portal
        .seen()
        .into_iter()
        .filter(|s| s.path == PORTAL_PATH)
        .collect();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].query("account_id"), Some("111122223333"));
    assert_eq!(asked[0].query("role_name"), Some("Developer"));
}
