//! The command: paging through the portal, names, dry run, updates in place, the file's
//! permissions and links, and every way it refuses (exit 1, file untouched) or rejects
//! its command line (exit 2).

use crate::support::sso::{LIST_ACCOUNTS, LIST_ROLES};
use crate::world::{SESSION, TOKEN, World, expected};

fn config_text() -> String {
    format!("# mine\n[default]\nregion = us-east-1\n\n{SESSION}")
}

#[test]
fn every_page_of_accounts_and_roles_becomes_a_profile() {
    let world = World::new(Some(config_text().as_bytes()), 1);
    let ran = world.profiles(&["--sso-session", "corp"]);
    ran.ok();
    assert!(
        ran.stderr
            .contains("6 profiles added, 0 updated, 0 unchanged"),
        "{ran:?}"
    );
    let text = world.text();
    for (name, account, role) in expected() {
        let block = format!(
            "# managed by codecommit-auth profiles --sso-session corp\n[profile {name}]\n\
             sso_session = corp\nsso_account_id = {account}\nsso_role_name = {role}\n\
             region = eu-central-1\n"
        );
        assert!(text.contains(&block), "{block}\nnot in\n{text}");
    }
    // One item per page: 3 pages of accounts, 2 + 1 + 3 pages of roles; each call with
    // the bearer token, the largest page size, and the previous page's token.
    assert_eq!(world.portal.count(LIST_ACCOUNTS), 3);
    assert_eq!(world.portal.count(LIST_ROLES), 6);
    for seen in world.portal.seen() {
        assert_eq!(seen.header("x-amz-sso_bearer_token"), Some(TOKEN));
        assert_eq!(seen.query("max_result"), Some("100"));
    }
    let tokens: Vec<Option<String>> = world
        .portal
        .seen()
        .iter()
        .filter(|s| s.path == LIST_ACCOUNTS)
        .map(|s| s.query("next_token").map(str::to_owned))
        .collect();
    assert_eq!(tokens, [None, Some("page-1".into()), Some("page-2".into())]);
}

#[test]
fn dry_run_prints_a_diff_and_writes_nothing() {
    let before = config_text();
    let world = World::new(Some(before.as_bytes()), 100);
    let ran = world.profiles(&["--sso-session", "corp", "--dry-run"]);
    ran.ok();
    assert_eq!(world.config(), before.as_bytes());
    let path = world.config_path().display().to_string();
    assert!(
        ran.stdout
            .starts_with(&format!("--- {path}\n+++ {path}\n@@ -6,3 +6,")),
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout
            .contains("\n+[profile Prod.Admin]\n+sso_session = corp\n")
    );
    assert_eq!(ran.stdout.lines().filter(|l| l.starts_with('-')).count(), 1);
    assert!(ran.stderr.contains("dry run: nothing written"));
}

#[test]
fn a_rerun_updates_ours_in_place_and_keeps_the_rest() {
    let world = World::new(Some(config_text().as_bytes()), 100);
    world.profiles(&["--sso-session", "corp"]).ok();
    let first = world.text();
    // The user adds a section after ours and edits nothing else.
    let edited = format!("{first}\n[profile mine]\nregion = ap-south-1\n");
    std::fs::write(world.config_path(), &edited).unwrap();
    let ran = world.profiles(&["--sso-session", "corp", "--region", "us-west-2"]);
    ran.ok();
    assert!(
        ran.stderr
            .contains("0 profiles added, 6 updated, 0 unchanged"),
        "{ran:?}"
    );
    let after = world.text();
    assert_eq!(
        after,
        edited
            .replace("region = eu-central-1\n", "region = us-west-2\n")
            // The session's sso_region is not ours.
            .replace("sso_region = us-west-2\n", "sso_region = eu-central-1\n")
    );
}

#[test]
fn a_pattern_names_the_profiles() {
    let world = World::new(Some(SESSION.as_bytes()), 100);
    world
        .profiles(&[
            "--sso-session",
            "corp",
            "--pattern",
            "{ssoSession}-{accountId}/{roleName}",
        ])
        .ok();
    let text = world.text();
    assert!(
        text.contains("[profile corp-111111111111-Admin]\n"),
        "{text}"
    );
    assert!(text.contains("[profile corp-222222222222-Developer]\n"));
}

#[test]
fn without_the_sso_session_it_says_how_to_add_one() {
    // Without a config file there is no [sso-session]: the error says how to add one.
    let world = World::new(None, 100);
    let ran = world.profiles(&["--sso-session", "corp"]);
    assert_eq!(ran.code, Some(1), "{ran:?}");
    assert!(
        ran.stderr.contains("there is no [sso-session corp]"),
        "{ran:?}"
    );
    assert!(
        ran.stderr
            .contains("codecommit-auth login --sso-session corp")
    );
    assert!(!world.config_path().exists());
}

#[test]
fn without_a_usable_login_it_says_to_log_in_and_writes_nothing() {
    let before = config_text();
    // No token, an expired one, one the portal rejects.
    /// A token and how long it stays valid; `None`: no token file.
    type Login = Option<(&'static str, i64)>;
    let cases: [(&str, Login, &str, usize); 3] = [
        ("no login", None, "has no SSO login yet", 0),
        ("expired", Some((TOKEN, -60)), "expired at", 0),
        (
            "rejected",
            Some(("another-token", 3600)),
            "rejected the login",
            1,
        ),
    ];
    for (what, token, says, calls) in cases {
        let world = World::new(Some(before.as_bytes()), 100);
        match token {
            None => std::fs::remove_dir_all(world.dir.path().join("home/.aws/sso")).unwrap(),
            Some((token, valid_for)) => world.login(token, valid_for),
        }
        let ran = world.profiles(&["--sso-session", "corp"]);
        assert_eq!(ran.code, Some(1), "{what}: {ran:?}");
        assert!(ran.stderr.contains(says), "{what}: {ran:?}");
        assert!(
            ran.stderr
                .contains("run `codecommit-auth login --sso-session corp`"),
            "{what}: {ran:?}"
        );
        assert!(!ran.stderr.contains("another-token"), "{what}");
        assert_eq!(world.config(), before.as_bytes(), "{what}");
        assert_eq!(world.portal.seen().len(), calls, "{what}");
    }
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    let world = World::new(Some(SESSION.as_bytes()), 100);
    for args in [
        &[][..],
        &["--sso-session"],
        &["--sso-session", "corp", "--bogus"],
        &["--sso-session", "corp", "--sso-session", "corp"],
        &["--sso-session", "corp", "--pattern", "{account}"],
        &["--sso-session", "corp", "--pattern", "fixed"],
        &["--sso-session", "corp", "extra"],
        &[
            "--sso-session",
            "corp",
            "--start-url",
            "https://corp.awsapps.com/start",
        ],
    ] {
        let ran = world.profiles(args);
        assert_eq!(ran.code, Some(2), "{args:?}: {ran:?}");
        assert!(
            ran.stderr.contains("usage: codecommit-auth profiles"),
            "{args:?}"
        );
        assert!(ran.stdout.is_empty());
    }
    let help = world.profiles(&["--help"]);
    help.ok();
    assert!(
        help.stdout
            .starts_with("usage: codecommit-auth profiles --sso-session NAME")
    );
    assert!(world.portal.seen().is_empty());
}

#[cfg(unix)]
#[test]
fn the_file_keeps_its_permissions_and_a_link_stays_a_link() {
    use std::os::unix::fs::PermissionsExt;
    let world = World::new(None, 100);
    let real = world.dir.path().join("dotfiles/aws-config");
    std::fs::create_dir_all(real.parent().unwrap()).unwrap();
    std::fs::write(&real, config_text()).unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
    std::fs::create_dir_all(world.config_path().parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&real, world.config_path()).unwrap();
    world.profiles(&["--sso-session", "corp"]).ok();
    assert!(
        std::fs::symlink_metadata(world.config_path())
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let meta = std::fs::metadata(&real).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o640);
    assert!(
        std::fs::read_to_string(&real)
            .unwrap()
            .contains("[profile Prod.Admin]")
    );
}

#[test]
fn two_accounts_of_one_name_write_one_profile_and_say_why() {
    let mut world = World::new(Some(SESSION.as_bytes()), 100);
    let portal = crate::support::server::Server::start();
    crate::support::sso::directory(
        &portal,
        TOKEN,
        100,
        &[
            ("444444444444", "Twin", &["Admin"]),
            ("555555555555", "Twin", &["Admin"]),
        ],
    );
    world.set_var("AWS_ENDPOINT_URL_SSO", &portal.url());
    let ran = world.profiles(&["--sso-session", "corp"]);
    ran.ok();
    let text = world.text();
    assert_eq!(text.matches("[profile Twin.Admin]").count(), 1);
    assert!(text.contains("sso_account_id = 444444444444"));
    assert!(
        ran.stderr
            .contains("account 555555555555 (Twin) role Admin: not written"),
        "{ran:?}"
    );
    assert!(ran.stderr.contains("{accountId}"));
}

#[test]
fn a_start_url_adds_the_session_and_after_the_login_the_profiles_follow() {
    let before = "[default]\nregion = us-east-1\n";
    let world = World::new(Some(before.as_bytes()), 100);
    std::fs::remove_dir_all(world.dir.path().join("home/.aws/sso")).unwrap();
    let args = [
        "--sso-session",
        "corp",
        "--start-url",
        "https://corp.awsapps.com/start",
        "--sso-region",
        "eu-central-1",
    ];
    let ran = world.profiles(&args);
    ran.ok();
    assert!(
        ran.stderr.contains(
            "[sso-session corp] added; it has no SSO login yet: run `codecommit-auth login \
             --sso-session corp`, then run this command again"
        ),
        "{ran:?}"
    );
    let text = world.text();
    assert_eq!(
        text,
        format!("{before}\n# managed by codecommit-auth profiles --sso-session corp\n{SESSION}")
    );
    assert!(world.portal.seen().is_empty());

    // After the login the same command (the session now matches) writes the profiles.
    world.login(TOKEN, 3600);
    let ran = world.profiles(&args);
    ran.ok();
    assert!(ran.stderr.contains("6 profiles added"), "{ran:?}");
    assert!(
        String::from_utf8(world.config())
            .unwrap()
            .starts_with(&text)
    );

    // Another start URL for the session the file has is refused, and nothing changes.
    let written = world.config();
    let ran = world.profiles(&[
        "--sso-session",
        "corp",
        "--start-url",
        "https://other.awsapps.com/start",
        "--sso-region",
        "eu-central-1",
    ]);
    assert_eq!(ran.code, Some(1), "{ran:?}");
    assert!(
        ran.stderr
            .contains("already has sso_start_url https://corp.awsapps.com/start")
    );
    assert_eq!(world.config(), written);
}

#[test]
fn with_a_login_already_there_the_session_and_profiles_come_in_one_run() {
    // No final newline: the file still ends without one.
    let before = "[default]\nregion = us-east-1";
    let world = World::new(Some(before.as_bytes()), 100);
    let ran = world.profiles(&[
        "--sso-session",
        "corp",
        "--start-url",
        "https://corp.awsapps.com/start",
        "--sso-region",
        "eu-central-1",
    ]);
    ran.ok();
    assert!(ran.stderr.contains("6 profiles added"), "{ran:?}");
    let text = world.text();
    assert!(
        text.starts_with(&format!(
            "{before}\n\n# managed by codecommit-auth profiles --sso-session corp\n{SESSION}\n"
        )),
        "{text}"
    );
    assert!(text.contains("[profile Sandbox.ReadOnly]\n"));
    assert!(!text.ends_with('\n'));
}

#[test]
fn a_file_changed_while_the_portal_answers_is_not_written_over() {
    let before = config_text();
    let world = World::new(Some(before.as_bytes()), 100);
    // Four listing calls, 300 ms each: the file changes during the first.
    let portal = crate::support::server::Server::start();
    crate::support::sso::directory_slow(
        &portal,
        TOKEN,
        100,
        crate::world::ACCOUNTS,
        std::time::Duration::from_millis(300),
    );
    let mut world = world;
    world.set_var("AWS_ENDPOINT_URL_SSO", &portal.url());
    let child = world
        .command(&["--sso-session", "corp"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Once the first listing call arrives, the command has read the file; three more
    // slow answers are still to come before it writes.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while portal.seen().is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let theirs = format!("{before}[profile theirs]\nregion = us-west-1\n");
    std::fs::write(world.config_path(), &theirs).unwrap();
    let ran = world.finish(child.wait_with_output().unwrap());
    assert_eq!(ran.code, Some(1), "{ran:?}");
    assert!(
        ran.stderr
            .contains("changed while the accounts were listed"),
        "{ran:?}"
    );
    assert_eq!(world.config(), theirs.as_bytes());
    assert_eq!(portal.seen().len(), 4, "the listing had finished");
}
