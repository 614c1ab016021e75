//! `git-credential-codecommit`: git's credential protocol spoken directly, then plain
//! HTTPS remotes with real git. git reaches the server under the CodeCommit name
//! `git-codecommit.us-east-1.amazonaws.com` through `http.curloptResolve`, so the host
//! gate and region-from-host rules run as they would against AWS.

use crate::git_server::{Reject, check_signature};
use crate::harness::*;

fn ask(world: &World, args: &[&str], input: &str) -> Run {
    world.run_in(
        world.dir.path(),
        &credential_helper_bin(),
        args,
        input.as_bytes(),
    )
}

fn request(host: &str, path: Option<&str>) -> String {
    let mut r = format!("capability[]=authtype\nprotocol=https\nhost={host}\n");
    if let Some(p) = path {
        r.push_str(&format!("path={p}\n"));
    }
    r.push_str("wwwauth[]=Basic realm=\"x\"\n\n");
    r
}

/// `username`, `password`, `password_expiry_utc`, in that order, nothing else.
fn answer(run: &Run) -> (String, String, u64) {
    run.assert_ok("get");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{run:#?}");
    let value = |line: &str, key: &str| {
        line.strip_prefix(key)
            .and_then(|l| l.strip_prefix('='))
            .unwrap_or_else(|| panic!("expected {key}=…, got {line:?}"))
            .to_owned()
    };
    (
        value(lines[0], "username"),
        value(lines[1], "password"),
        value(lines[2], "password_expiry_utc").parse().unwrap(),
    )
}

#[test]
fn get_signs_host_without_port_and_path_as_given() {
    require_git!();
    let world = World::new();
    let host = format!("{CODECOMMIT_HOST}:{}", world.server.port());
    let run = ask(
        &world,
        &["get"],
        &request(&host, Some("v1/repos/ProjectAlpha")),
    );
    let (user, password, expiry) = answer(&run);
    assert_eq!(user, DEV_KEY, "AWS_PROFILE unset: the default profile");
    check_signature(DEV_SECRET, REGION, CODECOMMIT_HOST, REPO, &password, now()).unwrap();
    let stamp = unix_now();
    assert!(
        (stamp + 890..=stamp + 900).contains(&expiry),
        "{expiry} vs {stamp}"
    );
    assert_eq!(run.stderr, "");
}

/// DIFFERENCE (git-credential-codecommit.rs): leading slashes of git's `path` are not
/// signed. The CLI signs `/` + the path as given, `//v1/repos/NAME` for
/// `path=/v1/repos/NAME`, which CodeCommit refuses; we sign `/v1/repos/NAME`.
#[test]
fn leading_slashes_of_the_path_are_not_signed() {
    require_git!();
    let world = World::new();
    for path in ["/v1/repos/ProjectAlpha", "//v1/repos/ProjectAlpha"] {
        let run = ask(&world, &["get"], &request(CODECOMMIT_HOST, Some(path)));
        let (user, password, _) = answer(&run);
        assert_eq!(user, DEV_KEY);
        check_signature(DEV_SECRET, REGION, CODECOMMIT_HOST, REPO, &password, now())
            .unwrap_or_else(|e| panic!("{path}: {e:?}"));
    }
}

#[test]
fn region_comes_from_the_host() {
    require_git!();
    let world = World::new();
    for (host, region) in [
        ("git-codecommit-fips.us-east-2.amazonaws.com", "us-east-2"),
        ("git-codecommit.cn-north-1.amazonaws.com.cn", "cn-north-1"),
        ("git-codecommit.eu-west-1.amazonaws.com:443", "eu-west-1"),
        (
            "vpce-0123456789abcdef0-abcd1234.git-codecommit.ap-southeast-2.vpce.amazonaws.com",
            "ap-southeast-2",
        ),
    ] {
        let run = ask(&world, &["get"], &request(host, Some("v1/repos/R")));
        let (_, password, _) = answer(&run);
        let signed_host = host.split(':').next().unwrap();
        assert_eq!(
            check_signature(DEV_SECRET, region, signed_host, "R", &password, now()),
            Ok(()),
            "{host}"
        );
    }
}

/// The host git asked about is the one signed, whatever the remote helper's variables
/// say: `CODE_COMMIT_ENDPOINT` is ignored, and FIPS settings meant for the AWS APIs do
/// not refuse a non-FIPS host git already chose.
#[test]
fn remote_helper_settings_do_not_change_the_host() {
    require_git!();
    let mut world = World::new();
    let host = "git-codecommit.eu-west-1.amazonaws.com";
    let signs_git_host = |world: &World| {
        let (_, password, _) = answer(&ask(world, &["get"], &request(host, Some("v1/repos/R"))));
        check_signature(DEV_SECRET, "eu-west-1", host, "R", &password, now())
    };
    world.set_var("CODE_COMMIT_ENDPOINT", "elsewhere.example.com:1");
    assert_eq!(signs_git_host(&world), Ok(()));
    world.remove_var("CODE_COMMIT_ENDPOINT");
    world.set_var("AWS_USE_FIPS_ENDPOINT", "true"); // eu-west-1 has no FIPS Git host
    assert_eq!(signs_git_host(&world), Ok(()));
}

#[test]
fn profile_from_the_command_line_then_the_environment() {
    require_git!();
    let mut world = World::new();
    let req = request(CODECOMMIT_HOST, Some("v1/repos/ProjectAlpha"));
    assert_eq!(
        answer(&ask(&world, &["--profile", "ops", "get"], &req)).0,
        OPS_KEY
    );
    assert_eq!(
        answer(&ask(&world, &["--profile=ops", "get"], &req)).0,
        OPS_KEY
    );

    world.set_var("AWS_PROFILE", "ops");
    assert_eq!(answer(&ask(&world, &["get"], &req)).0, OPS_KEY);
    // AWS_DEFAULT_PROFILE first, as botocore reads them; --profile over both.
    world.set_var("AWS_DEFAULT_PROFILE", "dev");
    assert_eq!(answer(&ask(&world, &["get"], &req)).0, DEV_KEY);
    assert_eq!(
        answer(&ask(&world, &["--profile", "ops", "get"], &req)).0,
        OPS_KEY
    );

    // Without --profile environment keys win (the CLI's rule); with it they do not.
    world.set_var("AWS_ACCESS_KEY_ID", "AKIAFROMENVIRONMENT1");
    world.set_var("AWS_SECRET_ACCESS_KEY", "env-secret");
    assert_eq!(
        answer(&ask(&world, &["get"], &req)).0,
        "AKIAFROMENVIRONMENT1"
    );
    assert_eq!(
        answer(&ask(&world, &["--profile", "ops", "get"], &req)).0,
        OPS_KEY
    );
}

#[test]
fn session_token_is_appended_unencoded() {
    require_git!();
    let mut world = World::new();
    world.with_sso(3600);
    let req = request(CODECOMMIT_HOST, Some("v1/repos/ProjectAlpha"));
    let (user, password, _) = answer(&ask(&world, &["--profile", "sso-dev", "get"], &req));
    assert_eq!(user, format!("{SSO_KEY}%{SSO_TOKEN}"));
    assert!(user.contains('/') && user.contains('+') && user.contains('='));
    check_signature(SSO_SECRET, REGION, CODECOMMIT_HOST, REPO, &password, now()).unwrap();
    assert_eq!(world.portal_calls(), 1);
}

#[test]
fn other_hosts_and_protocols_get_no_answer() {
    require_git!();
    let world = World::new();
    for host in [
        "github.com",
        "git-codecommit.us-east-1.amazonaws.com.example.net",
        "127.0.0.1:8443",
    ] {
        let run = ask(&world, &["get"], &request(host, Some("v1/repos/R")));
        assert_eq!(
            (run.code, run.stdout.as_str(), run.stderr.as_str()),
            (Some(0), "", ""),
            "{host}"
        );
    }
    let http = format!("protocol=http\nhost={CODECOMMIT_HOST}\npath=v1/repos/R\n\n");
    let run = ask(&world, &["get"], &http);
    assert_eq!((run.code, run.stdout.as_str()), (Some(0), ""));
}

#[test]
fn store_and_erase_do_nothing() {
    require_git!();
    let world = World::new();
    let stored = format!(
        "protocol=https\nhost={CODECOMMIT_HOST}\npath=v1/repos/R\nusername={DEV_KEY}\npassword=x\n\n"
    );
    for action in ["store", "erase"] {
        let run = ask(&world, &[action], &stored);
        assert_eq!(
            (run.code, run.stdout.as_str(), run.stderr.as_str()),
            (Some(0), "", "")
        );
    }
    assert!(!world.home.join(".git-credentials").exists());
}

#[test]
fn no_path_means_no_answer_and_says_why() {
    require_git!();
    let world = World::new();
    let run = ask(&world, &["get"], &request(CODECOMMIT_HOST, None));
    assert_eq!(run.code, Some(1));
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("useHttpPath true"), "{run:#?}");

    let run = ask(
        &world,
        &["get"],
        &request(CODECOMMIT_HOST, Some("some/other/path")),
    );
    assert_eq!((run.code, run.stdout.as_str()), (Some(1), ""));
    assert!(run.stderr.contains("v1/repos/NAME"), "{run:#?}");
}

#[test]
fn errors_are_one_line_and_name_the_helper() {
    require_git!();
    let world = World::new();
    let req = request(CODECOMMIT_HOST, Some("v1/repos/ProjectAlpha"));
    let run = ask(&world, &["--profile", "nobody", "get"], &req);
    assert_eq!((run.code, run.stdout.as_str()), (Some(1), ""));
    assert_eq!(run.stderr.lines().count(), 1, "{run:#?}");
    assert!(
        run.stderr
            .starts_with("git-credential-codecommit: The following profile was not found: nobody."),
        "{run:#?}"
    );
}

/// The world set up as the README says, for a remote on our server's port.
fn configure_as_documented(world: &World, helper: &str) -> String {
    let port = world.server.port();
    world.server.set_signed_host(CODECOMMIT_HOST);
    world.git_config(&format!(
        "[credential \"https://{CODECOMMIT_HOST}:{port}\"]\n\
         \thelper =\n\
         \thelper = {helper}\n\
         \tuseHttpPath = true\n\
         [http]\n\
         \tcurloptResolve = {CODECOMMIT_HOST}:{port}:127.0.0.1\n"
    ));
    format!("https://{CODECOMMIT_HOST}:{port}/v1/repos/ProjectAlpha")
}

#[test]
fn plain_https_remote_clones_fetches_and_pushes() {
    require_git!(2, 37); // http.curloptResolve
    let mut world = World::new();
    // The remote helper's variable must play no part here.
    world.remove_var("CODE_COMMIT_ENDPOINT");
    // A helper configured for every URL, before ours: the documented `helper =` reset
    // keeps it away from CodeCommit hosts, so it never sees or stores our password.
    let log = world.at("recorder.log");
    let recorder = world.script(
        "recorder.sh",
        &format!("{{ echo \"action=$1\"; cat; }} >> '{}'\n", log.display()),
    );
    world.git_config(&format!(
        "[credential]\n\thelper = {}\n",
        recorder.display()
    ));
    let url = configure_as_documented(&world, "codecommit --profile ops");

    world
        .git(&["clone", "--quiet", &url, "alpha"])
        .assert_ok("clone");
    let dir = world.at("alpha");
    std::fs::write(dir.join("x.txt"), "x\n").unwrap();
    world.git_in(&dir, &["add", "x.txt"]).assert_ok("add");
    world
        .git_in(&dir, &["commit", "--quiet", "-m", "x"])
        .assert_ok("commit");
    world
        .git_in(&dir, &["push", "--quiet", "origin", "main:feature"])
        .assert_ok("push");
    world.git_in(&dir, &["fetch", "--quiet"]).assert_ok("fetch");
    let head = world.git_in(&dir, &["rev-parse", "HEAD"]);
    assert_eq!(
        world.server_ref(REPO, "feature"),
        Some(head.stdout.trim().to_owned())
    );

    let hits = world.server.hits();
    assert!(hits.iter().any(|h| h.outcome.is_ok()), "{hits:#?}");
    for hit in &hits {
        match &hit.outcome {
            Ok(()) => assert_eq!(hit.user.as_deref(), Some(OPS_KEY)),
            Err(e) => assert_eq!(*e, Reject::NoCredentials, "{hits:#?}"),
        }
    }
    assert!(!log.exists(), "{:?}", read_text(&log));
    // Nothing was stored anywhere git's own store would put it.
    assert!(!world.home.join(".git-credentials").exists());
}

#[test]
fn plain_https_remote_with_the_wrong_key_is_refused() {
    require_git!(2, 37); // http.curloptResolve
    let mut world = World::new();
    world.remove_var("CODE_COMMIT_ENDPOINT");
    let url = configure_as_documented(&world, "codecommit --profile wrong");
    let run = world.git(&["ls-remote", &url]);
    run.assert_failed("ls-remote with the wrong secret");
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

#[test]
fn plain_https_remote_with_an_sso_profile() {
    require_git!(2, 37); // http.curloptResolve
    let mut world = World::new();
    world.remove_var("CODE_COMMIT_ENDPOINT");
    world.with_sso(3600);
    let url = configure_as_documented(&world, "codecommit");
    world.set_var("AWS_PROFILE", "sso-dev");
    world
        .git(&["clone", "--quiet", &url, "alpha"])
        .assert_ok("clone");
    world
        .git_in(&world.at("alpha"), &["fetch", "--quiet"])
        .assert_ok("fetch");
    assert!(
        world.server.hits().iter().any(|h| h.outcome.is_ok()
            && h.user.as_deref() == Some(&format!("{SSO_KEY}%{SSO_TOKEN}")[..])),
        "{:#?}",
        world.server.hits()
    );
    assert_eq!(world.portal_calls(), 1);
}

/// `git credential fill` shows what git keeps from our answer, expiry included.
#[test]
fn git_credential_fill_takes_our_answer() {
    require_git!();
    let world = World::new();
    let input = format!("protocol=https\nhost={CODECOMMIT_HOST}\npath=v1/repos/ProjectAlpha\n\n");
    let run = world.run_in(
        world.dir.path(),
        "git",
        &[
            "-c",
            "credential.helper=codecommit",
            "-c",
            "credential.useHttpPath=true",
            "credential",
            "fill",
        ],
        input.as_bytes(),
    );
    run.assert_ok("git credential fill");
    assert!(
        run.stdout.contains(&format!("username={DEV_KEY}\n")),
        "{run:#?}"
    );
    assert!(run.stdout.contains("password_expiry_utc="), "{run:#?}");
    let password = run
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("password="))
        .unwrap();
    check_signature(DEV_SECRET, REGION, CODECOMMIT_HOST, REPO, password, now()).unwrap();
}
