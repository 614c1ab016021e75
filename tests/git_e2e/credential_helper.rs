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
fn help_and_version() {
    require_git!();
    let world = World::new();
    let run = ask(&world, &["--help"], "");
    run.assert_ok("--help");
    assert!(
        run.stdout.contains("[--profile NAME] get|store|erase"),
        "{run:#?}"
    );
    let run = ask(&world, &["--version"], "");
    run.assert_ok("--version");
    assert_eq!(
        run.stdout,
        format!("git-credential-codecommit {}\n", env!("CARGO_PKG_VERSION"))
    );
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

/// `git credential fill` with our helper for every URL (and no prompting), given `input`.
fn credential_fill(world: &World, input: &str) -> Run {
    world.run_in(
        world.dir.path(),
        "git",
        &[
            "-c",
            "credential.helper=codecommit",
            "-c",
            "credential.useHttpPath=true",
            "-c",
            "credential.interactive=false",
            "credential",
            "fill",
        ],
        input.as_bytes(),
    )
}

/// `git credential fill` shows what git keeps from our answer, expiry included.
#[test]
fn git_credential_fill_takes_our_answer() {
    require_git!();
    let world = World::new();
    let input = format!("protocol=https\nhost={CODECOMMIT_HOST}\npath=v1/repos/ProjectAlpha\n\n");
    let run = credential_fill(&world, &input);
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

/// The repository path never chooses the profile (issue 18, defect 1): a path holding
/// `ops@` (or `ops%40`, which git decodes to `@` before a helper sees it) once built the
/// remote `REGION://ops@Repo`, so a URL someone hands the user picked the profile that
/// signed — and received its key id and session token. `@` is no repository character.
#[test]
fn the_repository_path_never_chooses_the_profile() {
    require_git!();
    let world = World::new();
    for args in [&["get"][..], &["--profile", "dev", "get"][..]] {
        for path in ["v1/repos/ops@ProjectAlpha", "v1/repos/ops%40ProjectAlpha"] {
            let run = ask(&world, args, &request(CODECOMMIT_HOST, Some(path)));
            assert_eq!((run.code, run.stdout.as_str()), (Some(1), ""), "{run:#?}");
            assert!(!run.stderr.contains(OPS_KEY), "{run:#?}");
            assert!(
                run.stderr.contains("repository name") && run.stderr.contains("is not valid"),
                "{run:#?}"
            );
        }
    }
    // Through git itself: the URL's `%40` reaches us decoded, and is refused the same.
    let input = format!("url=https://{CODECOMMIT_HOST}/v1/repos/ops%40ProjectAlpha\n\n");
    let run = credential_fill(&world, &input);
    assert!(!run.stdout.contains(OPS_KEY), "{run:#?}");
    assert!(!run.stdout.contains("password="), "{run:#?}");
}

/// Credentials can never add lines to git's credential protocol (issue 18, defect 3):
/// a key id or token with a line break, from a variable or a `credential_process`,
/// once wrote `host=`, `password=` or `quit=1` lines that git acted on. Now nothing is
/// answered, and the key id must be spelled as AWS spells them.
#[test]
fn credentials_cannot_inject_protocol_lines() {
    require_git!();
    let mut world = World::new();
    let req = request(CODECOMMIT_HOST, Some("v1/repos/ProjectAlpha"));
    let refused = |world: &World, args: &[&str], what: &str| {
        let run = ask(world, args, &req);
        assert_eq!(
            (run.code, run.stdout.as_str()),
            (Some(1), ""),
            "{what}: {run:#?}"
        );
        assert!(!run.stderr.contains("evil"), "{what}: {run:#?}");
        assert_eq!(run.stderr.lines().count(), 1, "{what}: {run:#?}");
    };
    world.set_var("AWS_SECRET_ACCESS_KEY", DEV_SECRET);
    for (key, token) in [
        (format!("{DEV_KEY}\nhost=evil.example.com"), None),
        (DEV_KEY.to_owned(), Some("token\npassword=evil\nquit=1")),
        (
            DEV_KEY.to_owned(),
            Some("token\r\nurl=https://evil.example.com/"),
        ),
        ("AKIAE2E%DEV000000001".to_owned(), Some("evil")),
        ("AKID".to_owned(), Some("evil")),
    ] {
        world.set_var("AWS_ACCESS_KEY_ID", &key);
        match token {
            Some(t) => world.set_var("AWS_SESSION_TOKEN", t),
            None => world.remove_var("AWS_SESSION_TOKEN"),
        }
        refused(&world, &["get"], &format!("{key:?} / {token:?}"));
    }
    world.remove_var("AWS_ACCESS_KEY_ID");
    world.remove_var("AWS_SECRET_ACCESS_KEY");
    world.remove_var("AWS_SESSION_TOKEN");

    // The same from a credential_process, whose JSON may spell a line break as \n.
    let process = world.script(
        "process.sh",
        &format!(
            "printf '%s' '{{\"Version\": 1, \"AccessKeyId\": \"{DEV_KEY}\", \
             \"SecretAccessKey\": \"{DEV_SECRET}\", \
             \"SessionToken\": \"t\\npassword=evil\\nquit=1\"}}'\n"
        ),
    );
    let config = world.at("process-config");
    std::fs::write(
        &config,
        format!(
            "[profile proc]\nregion = us-east-1\ncredential_process = {}\n",
            process.display()
        ),
    )
    .unwrap();
    world.set_var("AWS_CONFIG_FILE", &config.display().to_string());
    refused(&world, &["--profile", "proc", "get"], "credential_process");
}

/// No input makes either binary exit 101 (issue 18, defect 4): an error message written
/// to a stderr whose reader has gone (`… 2>&1 | true`) once panicked in `eprintln!`.
#[test]
fn a_closed_stderr_is_no_panic() {
    use std::process::{Command, Stdio};
    for (bin, args) in [
        (credential_helper_bin(), vec!["--bogus"]),
        (
            remote_helper_bin(),
            vec!["origin", "codecommit://bad remote"],
        ),
    ] {
        // The reader is gone before the child starts.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let status = Command::new(&bin)
            .args(&args)
            .env_clear()
            .env("HOME", "/nonexistent")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(writer)
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(1), "{bin} {args:?}");
    }
}

/// Requests are bytes, bounded (issue 18, defect 12): a byte that is not UTF-8 once
/// failed every request, even one for another host; now a request that is not ours gets
/// silence, and one that is ours is answered whatever other keys hold. A request larger
/// than any git sends is read to its end and left unanswered, silently.
#[test]
fn requests_are_bytes_and_bounded() {
    require_git!();
    let world = World::new();
    let ask_bytes =
        |input: &[u8]| world.run_in(world.dir.path(), &credential_helper_bin(), &["get"], input);
    let silent = |run: &Run, what: &str| {
        assert_eq!(
            (run.code, run.stdout.as_str(), run.stderr.as_str()),
            (Some(0), "", ""),
            "{what}"
        );
    };
    silent(
        &ask_bytes(b"protocol=https\nhost=github.com\npath=a\xffb\nwwwauth[]=\xfe\n\n"),
        "another host, bytes that are not UTF-8",
    );
    silent(
        &ask_bytes(
            b"protocol=https\nhost=git-codecommit.us-east-1.amazonaws.com\xff\npath=v1/repos/R\n\n",
        ),
        "a host that is not UTF-8 is not ours",
    );
    let mut ours = format!("protocol=https\nhost={CODECOMMIT_HOST}\n").into_bytes();
    ours.extend_from_slice(b"wwwauth[]=Basic realm=\"\xff\"\npath=v1/repos/ProjectAlpha\n\n");
    let (user, password, _) = answer(&ask_bytes(&ours));
    assert_eq!(user, DEV_KEY);
    check_signature(DEV_SECRET, REGION, CODECOMMIT_HOST, REPO, &password, now()).unwrap();

    let mut flood = format!("protocol=https\nhost={CODECOMMIT_HOST}\npath=v1/repos/").into_bytes();
    flood.resize(flood.len() + (10 << 20), b'x');
    flood.extend_from_slice(b"\n\n");
    silent(&ask_bytes(&flood), "a 10 MB request");
}
