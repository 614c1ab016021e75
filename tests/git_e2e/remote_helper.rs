//! `git clone codecommit://…` and friends: real git, our remote helper, the
//! signature-checking server.

use std::time::Duration;

use codecommit_auth::env::MemoryEnvironment;
use codecommit_auth::{Resolver, SigningTime};

use crate::cli::has_signature;
use crate::git_server::Reject;
use crate::harness::*;

/// Every request reached git http-backend with `key`, after the 401 challenges.
#[track_caller]
fn assert_all_accepted(world: &World, key: &str) {
    let hits = world.server.hits();
    assert!(!hits.is_empty());
    for hit in &hits {
        match &hit.outcome {
            Ok(()) => assert!(
                hit.user
                    .as_deref()
                    .is_some_and(|u| u.split('%').next() == Some(key)),
                "{hit:?}"
            ),
            Err(Reject::NoCredentials) => assert_eq!(hit.status, 401),
            Err(other) => panic!("refused: {other:?} in {hits:#?}"),
        }
    }
    assert!(hits.iter().any(|h| h.outcome.is_ok()), "{hits:#?}");
}

fn commit_file(world: &World, clone: &str, name: &str, text: &str, message: &str) -> String {
    let dir = world.at(clone);
    std::fs::write(dir.join(name), text).unwrap();
    world.git_in(&dir, &["add", name]).assert_ok("git add");
    world
        .git_in(&dir, &["commit", "--quiet", "-m", message])
        .assert_ok("git commit");
    world
        .git_in(&dir, &["rev-parse", "HEAD"])
        .stdout
        .trim()
        .to_owned()
}

#[test]
fn clone_fetch_and_push_with_a_static_key_profile() {
    require_git!();
    let world = World::new();

    world
        .git(&["clone", "--quiet", "codecommit://dev@ProjectAlpha", "alpha"])
        .assert_ok("clone");
    assert_eq!(
        read_text(world.at("alpha/README.md")).unwrap(),
        "# ProjectAlpha\n"
    );
    let remote_url = world.git_in(&world.at("alpha"), &["remote", "get-url", "origin"]);
    assert_eq!(
        remote_url.stdout.trim(),
        "codecommit://dev@ProjectAlpha",
        "kept as typed"
    );

    // Push a new branch.
    world
        .git_in(&world.at("alpha"), &["switch", "--quiet", "-c", "feature"])
        .assert_ok("switch");
    let pushed = commit_file(&world, "alpha", "feature.txt", "new\n", "Add a feature");
    world
        .git_in(
            &world.at("alpha"),
            &["push", "--quiet", "origin", "feature"],
        )
        .assert_ok("push");
    assert_eq!(
        world.server_ref(REPO, "feature").as_deref(),
        Some(pushed.as_str())
    );

    // Someone else pushes to main; fetch sees it.
    world
        .git(&["clone", "--quiet", "codecommit://dev@ProjectAlpha", "other"])
        .assert_ok("second clone");
    let theirs = commit_file(&world, "other", "theirs.txt", "x\n", "Their change");
    world
        .git_in(&world.at("other"), &["push", "--quiet", "origin", "main"])
        .assert_ok("push main");
    world
        .git_in(&world.at("alpha"), &["fetch", "--quiet", "origin"])
        .assert_ok("fetch");
    let fetched = world.git_in(&world.at("alpha"), &["rev-parse", "origin/main"]);
    assert_eq!(fetched.stdout.trim(), theirs);

    assert_all_accepted(&world, DEV_KEY);
    // Both directions went through the smart protocol behind the signature check.
    let targets: Vec<String> = world.server.hits().into_iter().map(|h| h.target).collect();
    assert!(
        targets.iter().any(|t| t.ends_with("/git-receive-pack")),
        "{targets:?}"
    );
    assert!(
        targets.iter().any(|t| t.ends_with("/git-upload-pack")),
        "{targets:?}"
    );
    assert!(
        targets
            .iter()
            .all(|t| t.starts_with("/v1/repos/ProjectAlpha/")),
        "{targets:?}"
    );
}

#[test]
fn region_in_the_remote() {
    require_git!();
    let world = World::new();
    // git strips `codecommit::` and hands the helper `us-east-1://ops@ProjectAlpha`.
    world
        .git(&[
            "clone",
            "--quiet",
            "codecommit::us-east-1://ops@ProjectAlpha",
            "alpha",
        ])
        .assert_ok("clone");
    let ls = world.git(&["ls-remote", "codecommit::us-east-1://ops@ProjectAlpha"]);
    ls.assert_ok("ls-remote");
    assert!(ls.stdout.contains("refs/heads/main"), "{ls:#?}");
    assert_all_accepted(&world, OPS_KEY);
}

#[test]
fn profile_from_the_environment() {
    require_git!();
    let mut world = World::new();
    world.set_var("AWS_PROFILE", "ops");
    world
        .git(&["clone", "--quiet", "codecommit://ProjectAlpha", "alpha"])
        .assert_ok("clone");
    assert_all_accepted(&world, OPS_KEY);
}

#[test]
fn wrong_secret_is_refused_with_403() {
    require_git!();
    let world = World::new();
    let run = world.git(&["clone", "codecommit://wrong@ProjectAlpha", "alpha"]);
    run.assert_failed("clone with the wrong secret");
    assert!(run.stderr.contains("403"), "{run:#?}");
    assert!(!world.at("alpha/README.md").exists());
    let hits = world.server.hits();
    assert!(
        hits.iter()
            .any(|h| h.outcome == Err(Reject::BadSignature) && h.status == 403),
        "{hits:#?}"
    );
    assert!(hits.iter().all(|h| h.outcome.is_err()), "{hits:#?}");
    // git names the URL without its credentials.
    assert!(!has_signature(&run.stderr), "{run:#?}");
    assert!(!run.stderr.contains(WRONG_SECRET));
}

#[test]
fn unknown_key_is_refused_with_403() {
    require_git!();
    let world = World::new();
    let run = world.git(&["ls-remote", "codecommit://stranger@ProjectAlpha"]);
    run.assert_failed("ls-remote with an unknown key");
    assert!(run.stderr.contains("403"), "{run:#?}");
    assert!(
        world
            .server
            .hits()
            .iter()
            .any(|h| h.outcome == Err(Reject::UnknownAccessKey(STRANGER_KEY.into()))),
        "{:#?}",
        world.server.hits()
    );
}

/// A signature covers one repository: the same URL pointed at another repository is
/// refused.
#[test]
fn signature_for_another_repository_is_refused() {
    require_git!();
    let world = World::new();
    let run = world.run_in(
        world.dir.path(),
        &remote_helper_bin(),
        &["--print-url", "codecommit://dev@ProjectAlpha"],
        b"",
    );
    let url = run.stdout.trim().to_owned();
    world
        .git(&["ls-remote", &url])
        .assert_ok("ls-remote with the signed URL");

    let moved = url.replace("/v1/repos/ProjectAlpha", "/v1/repos/ProjectBeta");
    world.server.clear_hits();
    let run = world.git(&["ls-remote", &moved]);
    run.assert_failed("the ProjectAlpha signature used for ProjectBeta");
    assert!(run.stderr.contains("403"), "{run:#?}");
    assert!(
        world
            .server
            .hits()
            .iter()
            .any(|h| h.outcome == Err(Reject::BadSignature)),
        "{:#?}",
        world.server.hits()
    );
}

/// A password signed more than 15 minutes ago is refused; one signed 14 minutes ago
/// still works (the window git-remote-codecommit's URLs live in).
#[test]
fn stale_signature_is_refused() {
    require_git!();
    let world = World::new();
    let env = MemoryEnvironment::new()
        .with_var("HOME", "/nonexistent")
        .with_var("CODE_COMMIT_ENDPOINT", world.server.authority())
        .with_var("AWS_CONFIG_FILE", "/aws/config")
        .with_var("AWS_SHARED_CREDENTIALS_FILE", "/aws/credentials")
        .with_file("/aws/config", CONFIG)
        .with_file(
            "/aws/credentials",
            format!("[dev]\naws_access_key_id = {DEV_KEY}\naws_secret_access_key = {DEV_SECRET}\n"),
        );
    let resolver = Resolver::with_environment(env);
    let signed_ago = |d: Duration| {
        let at = SigningTime::from_system_time(now() - d).unwrap();
        resolver
            .signed_url_at("codecommit://dev@ProjectAlpha", at)
            .unwrap()
            .into_string()
    };

    let recent = signed_ago(Duration::from_secs(14 * 60));
    world
        .git(&["ls-remote", &recent])
        .assert_ok("14 minutes old");

    let stale = signed_ago(Duration::from_secs(16 * 60));
    world.server.clear_hits();
    let run = world.git(&["ls-remote", &stale]);
    run.assert_failed("16 minutes old");
    assert!(run.stderr.contains("403"), "{run:#?}");
    assert!(
        world
            .server
            .hits()
            .iter()
            .any(|h| h.outcome == Err(Reject::Expired)),
        "{:#?}",
        world.server.hits()
    );
}

/// The signed password must never reach a credential store. A helper configured for
/// every URL records each call: through `codecommit://` it is never called at all,
/// while the same signed URL used as a plain HTTPS remote (the control) makes git ask
/// it to `store` — so the trap would catch a leak.
#[test]
fn configured_credential_helpers_are_never_asked_to_store() {
    require_git!();
    let world = World::new();
    let log = world.at("recorder.log");
    let recorder = world.script(
        "recorder.sh",
        &format!(
            "{{ echo \"action=$1\"; cat; echo; }} >> '{}'\n",
            log.display()
        ),
    );
    world.git_config(&format!(
        "[credential]\n\thelper = {}\n",
        recorder.display()
    ));

    // Control: git stores URL credentials in configured helpers after a success.
    let run = world.run_in(
        world.dir.path(),
        &remote_helper_bin(),
        &["--print-url", "codecommit://dev@ProjectAlpha"],
        b"",
    );
    let url = run.stdout.trim().to_owned();
    world.git(&["ls-remote", &url]).assert_ok("ls-remote https");
    let recorded = read_text(&log).unwrap_or_default();
    assert!(
        recorded.contains("action=store"),
        "the trap works: {recorded:?}"
    );
    std::fs::remove_file(&log).unwrap();

    // Through the remote helper: clone, fetch, push — the recorder hears nothing.
    world
        .git(&["clone", "--quiet", "codecommit://dev@ProjectAlpha", "alpha"])
        .assert_ok("clone");
    commit_file(&world, "alpha", "a.txt", "a\n", "A");
    world
        .git_in(&world.at("alpha"), &["push", "--quiet", "origin", "main"])
        .assert_ok("push");
    world
        .git_in(&world.at("alpha"), &["fetch", "--quiet"])
        .assert_ok("fetch");
    assert!(
        !log.exists(),
        "a configured helper was called: {:?}",
        read_text(&log)
    );
}

#[test]
fn sso_profile_clones_fetches_and_pushes_with_one_portal_call() {
    require_git!();
    let mut world = World::new();
    world.with_sso(8 * 3600);

    world
        .git(&[
            "clone",
            "--quiet",
            "codecommit://sso-dev@ProjectAlpha",
            "alpha",
        ])
        .assert_ok("clone");
    commit_file(&world, "alpha", "sso.txt", "sso\n", "From SSO");
    world
        .git_in(&world.at("alpha"), &["push", "--quiet", "origin", "main"])
        .assert_ok("push");
    world
        .git_in(&world.at("alpha"), &["fetch", "--quiet"])
        .assert_ok("fetch");

    assert_all_accepted(&world, SSO_KEY);
    // The session token rides in the username; the server checked it.
    assert!(
        world
            .server
            .hits()
            .iter()
            .filter(|h| h.outcome.is_ok())
            .all(|h| h.user.as_deref() == Some(&format!("{SSO_KEY}%{SSO_TOKEN}")[..])),
        "{:#?}",
        world.server.hits()
    );
    // Three git commands, one portal call: the role credentials were cached on disk
    // (~/.aws/cli/cache) for the helper processes that came after.
    assert_eq!(world.portal_calls(), 1);
    let portal = world.portal.as_ref().unwrap().seen();
    assert_eq!(
        portal[0].header("x-amz-sso_bearer_token"),
        Some(SSO_ACCESS_TOKEN)
    );
    assert_eq!(portal[0].query("account_id"), Some("111122223333"));
    assert_eq!(portal[0].query("role_name"), Some("Developer"));
    let cached: Vec<_> = std::fs::read_dir(world.home.join(".aws/cli/cache"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .collect();
    assert_eq!(cached.len(), 1, "{cached:?}");
}

#[test]
fn expired_sso_login_fails_before_any_request() {
    require_git!();
    let mut world = World::new();
    world.with_sso(-3600);
    let run = world.git(&["clone", "codecommit://sso-dev@ProjectAlpha", "alpha"]);
    run.assert_failed("clone with an expired SSO login");
    assert!(
        run.stderr.contains("aws sso login --profile sso-dev"),
        "{run:#?}"
    );
    assert_eq!(world.portal_calls(), 0);
    assert!(world.server.hits().is_empty(), "{:#?}", world.server.hits());
}
