//! `git-remote-codecommit`'s command line, run as a process: the reference's argv
//! contract and messages, the hand-over to `git remote-http`, and the extra modes.

use crate::git_server::check_signature;
use crate::harness::*;

fn helper(world: &World, args: &[&str]) -> Run {
    world.run_in(world.dir.path(), &remote_helper_bin(), args, b"")
}

/// An error is one line on stderr, nothing on stdout, exit status 1, and no panic.
#[track_caller]
fn assert_one_line_error(run: &Run, expected: &str) {
    assert_eq!(run.code, Some(1), "{run:#?}");
    assert_eq!(run.stdout, "", "{run:#?}");
    assert_eq!(run.stderr, format!("{expected}\n"), "{run:#?}");
}

#[test]
fn too_few_arguments() {
    require_git!();
    let world = World::new();
    let expected = "Too few arguments. This hook requires the git command and remote.";
    assert_one_line_error(&helper(&world, &[]), expected);
    assert_one_line_error(&helper(&world, &["origin"]), expected);
}

/// A usage error: exit status 2, the message and the usage on stderr, nothing on stdout.
#[track_caller]
fn assert_usage_error(run: &Run, message: &str) {
    assert_eq!(run.code, Some(2), "{run:#?}");
    assert_eq!(run.stdout, "", "{run:#?}");
    assert!(
        run.stderr
            .starts_with(&format!("git-remote-codecommit: {message}\n\nusage: ")),
        "{run:#?}"
    );
    assert!(
        run.stderr.contains("--doctor [--online] REMOTE"),
        "{run:#?}"
    );
    assert!(!run.stderr.contains("panicked"), "{run:#?}");
}

/// A mistyped option never reaches git: with a fake `git` first on PATH that records
/// every call, each near miss of our options (before a remote that would sign) is a
/// usage error, signs nothing and runs no git. The reference takes any two arguments as
/// git's `REMOTE-NAME URL`, so there `--print-ur REMOTE` hands a signed URL to
/// `git remote-http`; the last rows show the same fake git is called for the real thing.
#[test]
fn mistyped_options_are_usage_errors_and_never_reach_git() {
    require_git!();
    let mut world = World::new();
    let calls = world.at("fake-git.calls");
    world.script(
        "fake/git",
        &format!("printf '%s\\n' \"$*\" >> '{}'\n", calls.display()),
    );
    let path = format!("{}:{}", world.at("fake").display(), world.path_var());
    world.set_path(&path);
    let remote = "codecommit::us-east-1://dev@ProjectAlpha";
    let joined = format!("--print-url={remote}");

    let did_you_mean =
        |typo: &str, option: &str| format!("unknown option '{typo}' (did you mean '{option}'?)");
    let table: Vec<(Vec<&str>, String)> = vec![
        (
            vec!["--print-ur", remote],
            did_you_mean("--print-ur", "--print-url"),
        ),
        (
            vec!["--print-urll", remote],
            did_you_mean("--print-urll", "--print-url"),
        ),
        (
            vec!["--printurl", remote],
            did_you_mean("--printurl", "--print-url"),
        ),
        (
            vec!["--explian", remote],
            did_you_mean("--explian", "--explain"),
        ),
        (
            vec!["--explain-", remote],
            did_you_mean("--explain-", "--explain"),
        ),
        (vec!["--doctr", remote], did_you_mean("--doctr", "--doctor")),
        (
            vec!["--docter", remote],
            did_you_mean("--docter", "--doctor"),
        ),
        (
            vec!["--Doctor", remote],
            did_you_mean("--Doctor", "--doctor"),
        ),
        (vec!["--helpp", remote], did_you_mean("--helpp", "--help")),
        (vec!["-x", remote], "unknown option '-x'".to_owned()),
        (vec!["-", remote], "unknown option '-'".to_owned()),
        (
            vec!["-print-url", remote],
            did_you_mean("-print-url", "--print-url"),
        ),
        (
            vec!["--", remote],
            "no mode given: --print-url, --explain or --doctor".to_owned(),
        ),
        (
            vec!["--print-url=", remote],
            "--print-url takes no '=VALUE'; give the remote as its own argument: \
             --print-url REMOTE"
                .to_owned(),
        ),
        (
            vec![joined.as_str()],
            "--print-url takes no '=VALUE'; give the remote as its own argument: \
             --print-url REMOTE"
                .to_owned(),
        ),
        (vec!["--print-url"], "--print-url needs a REMOTE".to_owned()),
        (vec!["--explain"], "--explain needs a REMOTE".to_owned()),
        (vec!["--doctor"], "--doctor needs a REMOTE".to_owned()),
        (
            vec!["--doctor", "--online"],
            "--doctor needs a REMOTE".to_owned(),
        ),
        (
            vec!["--print-url", remote, remote],
            "--print-url takes exactly one REMOTE".to_owned(),
        ),
        (
            vec!["--print-url", "--ofline", remote],
            did_you_mean("--ofline", "--online"),
        ),
        (
            vec!["--doctor", "--onlin", remote],
            did_you_mean("--onlin", "--online"),
        ),
        (
            vec!["--explain", "--online", remote],
            "--online goes with --doctor, not --explain".to_owned(),
        ),
        (
            vec!["--online", remote],
            "--online goes with --doctor: --doctor --online REMOTE".to_owned(),
        ),
        (
            vec!["--version", remote],
            "--version takes nothing else".to_owned(),
        ),
    ];
    for (args, message) in &table {
        let run = helper(&world, args);
        assert_usage_error(&run, message);
        assert!(!has_signature(&run.stderr), "{args:?} signed: {run:#?}");
        assert!(!calls.exists(), "{args:?} ran git: {:?}", read_text(&calls));
    }

    // The fake git does record a call: git's own two arguments reach it.
    let run = helper(&world, &["origin", remote]);
    assert_eq!(run.code, Some(0), "{run:#?}");
    let seen = read_text(&calls).expect("the fake git was called");
    assert!(
        seen.starts_with("-c credential.helper= remote-http origin https://"),
        "{seen}"
    );
}

/// `--help` after a mode is that mode's help; `--doctor --online` echoes `--online`.
#[test]
fn help_per_mode() {
    require_git!();
    let world = World::new();
    for (mode, first_line) in [
        (
            "--print-url",
            "usage: git-remote-codecommit --print-url REMOTE\n",
        ),
        (
            "--explain",
            "usage: git-remote-codecommit --explain REMOTE\n",
        ),
        (
            "--doctor",
            "usage: git-remote-codecommit --doctor [--online] REMOTE\n",
        ),
    ] {
        for help in ["--help", "-h"] {
            let run = helper(&world, &[mode, help]);
            run.assert_ok(mode);
            assert!(run.stdout.starts_with(first_line), "{run:#?}");
            assert_eq!(run.stderr, "");
        }
    }
}

#[test]
fn too_many_arguments_quotes_every_argument_including_argv0() {
    require_git!();
    let world = World::new();
    let run = helper(
        &world,
        &["origin", "codecommit://dev@ProjectAlpha", "extra"],
    );
    let expected = format!(
        "Too many arguments. Hook only accepts the git command and remote, but argv was: \
         '{}', 'origin', 'codecommit://dev@ProjectAlpha', 'extra'",
        remote_helper_bin()
    );
    assert_one_line_error(&run, &expected);
}

#[test]
fn reference_messages_for_bad_remotes() {
    require_git!();
    let world = World::new();
    assert_one_line_error(
        &helper(&world, &["origin", "github://repo"]),
        "The following URL is malformed: github://repo. A URL must be in one of the two \
         following formats: codecommit://<profile>@<repository> or \
         codecommit::<region>://<profile>@<repository>",
    );
    assert_one_line_error(
        &helper(&world, &["origin", "codecommit://nobody@ProjectAlpha"]),
        "The following profile was not found: nobody. Available profiles are: default, dev, \
         ops, wrong, stranger, nokeys, sso-dev. Either use one of the available profiles, or \
         create an AWS CLI profile to use and then try again. For more information, see \
         Configure an AWS CLI Profile in the AWS CLI User Guide.",
    );
    // The reference's message, then what was tried (our addition), on the one line.
    let run = helper(&world, &["origin", "codecommit://nokeys@ProjectAlpha"]);
    assert_eq!((run.code, run.stdout.as_str()), (Some(1), ""), "{run:#?}");
    assert_eq!(run.stderr.lines().count(), 1, "{run:#?}");
    assert!(
        run.stderr.starts_with(
            "The following profile does not have credentials configured: nokeys. You must \
             configure the access key and secret key for the profile. For more information, \
             see Configure an AWS CLI Profile in the AWS CLI User Guide."
        ),
        "{run:#?}"
    );
    assert_one_line_error(
        &helper(&world, &["origin", "us-east-9://dev@ProjectAlpha"]),
        "The following AWS Region is not available for use with AWS CodeCommit: us-east-9. \
         For more information about CodeCommit's availability in AWS Regions, see the AWS \
         CodeCommit User Guide. If an AWS Region is listed as supported but you receive this \
         error, try updating your version of the AWS CLI or the AWS SDKs.",
    );
}

#[test]
fn errors_of_our_own_are_one_line_too() {
    require_git!();
    let mut world = World::new();
    // A config file that does not parse (the library's message names file and line).
    world.dir.write(
        "aws/config",
        "[profile dev]\nregion = us-east-1\nregion = us-west-2\n",
    );
    let run = helper(&world, &["origin", "codecommit://dev@ProjectAlpha"]);
    assert_eq!(run.code, Some(1), "{run:#?}");
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr.lines().count(), 1, "{run:#?}");
    assert!(run.stderr.contains("config"), "{run:#?}");
    assert!(!run.stderr.contains("panicked"), "{run:#?}");

    // An expired SSO login says what to run.
    world.dir.write("aws/config", CONFIG);
    world.with_sso(-60);
    let run = helper(&world, &["origin", "codecommit://sso-dev@ProjectAlpha"]);
    assert_eq!(run.code, Some(1), "{run:#?}");
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr.lines().count(), 1, "{run:#?}");
    assert!(
        run.stderr.contains("aws sso login --profile sso-dev"),
        "{run:#?}"
    );
    assert!(!run.stderr.contains(SSO_ACCESS_TOKEN), "{run:#?}");
    assert_eq!(world.portal_calls(), 0);
}

/// The hand-over, seen by a fake `git` first on PATH: the exact argv, our stdin and
/// stdout passed straight through, nothing written before, its exit status returned.
#[test]
fn hands_over_to_git_remote_http_with_credential_helpers_reset() {
    require_git!();
    let mut world = World::new();
    let log = world.at("fake-git.argv");
    let seen_stdin = world.at("fake-git.stdin");
    world.script(
        "fake/git",
        &format!(
            "printf '%s\\n' \"$@\" > '{}'\ncat > '{}'\necho 'fake remote-http speaking'\nexit 7\n",
            log.display(),
            seen_stdin.display()
        ),
    );
    let path = format!("{}:{}", world.at("fake").display(), world.path_var());
    world.set_path(&path);

    let run = world.run_in(
        world.dir.path(),
        &remote_helper_bin(),
        &["origin", "codecommit::us-east-1://dev@ProjectAlpha"],
        b"capabilities\n\n",
    );
    assert_eq!(run.code, Some(7), "git's exit status is ours: {run:#?}");
    assert_eq!(
        run.stdout, "fake remote-http speaking\n",
        "nothing of ours on stdout"
    );
    assert_eq!(run.stderr, "");
    assert_eq!(read_text(&seen_stdin).unwrap(), "capabilities\n\n");

    let argv = read_text(&log).unwrap();
    let argv: Vec<&str> = argv.lines().collect();
    assert_eq!(
        argv[..4],
        ["-c", "credential.helper=", "remote-http", "origin"],
        "{argv:?}"
    );
    assert_eq!(argv.len(), 5, "{argv:?}");
    let (user, password, host, repo) = url_parts(argv[4]);
    assert_eq!(user, DEV_KEY);
    assert_eq!(
        host,
        world.server.authority(),
        "CODE_COMMIT_ENDPOINT, port and all"
    );
    assert_eq!(repo, REPO);
    check_signature(DEV_SECRET, REGION, &host, &repo, &password, now()).unwrap();
}

#[test]
fn print_url_prints_a_url_the_server_accepts() {
    require_git!();
    let world = World::new();
    let run = helper(&world, &["--print-url", "codecommit://ops@ProjectAlpha"]);
    run.assert_ok("--print-url");
    assert_eq!(run.stderr, "");
    let url = run.stdout.strip_suffix('\n').expect("one line");
    assert!(!url.contains('\n'));
    let (user, password, host, repo) = url_parts(url);
    assert_eq!(
        world.server.verify(&user, &password, &host, &repo),
        Ok(OPS_KEY.to_owned())
    );
    // The same for the REGION:// spelling git passes, and the full one people copy.
    for remote in [
        "us-east-1://ops@ProjectAlpha",
        "codecommit::us-east-1://ops@ProjectAlpha",
    ] {
        let run = helper(&world, &["--print-url", remote]);
        let (user, password, host, repo) = url_parts(run.stdout.trim_end());
        assert_eq!(
            world.server.verify(&user, &password, &host, &repo),
            Ok(OPS_KEY.to_owned())
        );
    }
}

#[test]
fn explain_shows_the_resolution_without_secrets() {
    require_git!();
    let world = World::new();
    let run = helper(&world, &["--explain", "codecommit://dev@ProjectAlpha"]);
    run.assert_ok("--explain");
    let out = &run.stdout;
    assert!(
        out.contains("profile      dev (named in the remote)"),
        "{out}"
    );
    assert!(
        out.contains("region       us-east-1 (region of profile dev)"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "host         {} (from CODE_COMMIT_ENDPOINT)",
            world.server.authority()
        )),
        "{out}"
    );
    assert!(out.contains(DEV_KEY), "the key id is not a secret: {out}");
    assert!(
        out.contains(&format!(
            "https://{}/v1/repos/ProjectAlpha",
            world.server.authority()
        )),
        "{out}"
    );
    assert!(!out.contains(DEV_SECRET), "{out}");
    assert!(
        !out.contains(&format!("{DEV_KEY}:")),
        "no credentials in the URL: {out}"
    );
    assert!(!has_signature(out), "no signature: {out}");
}

#[test]
fn help_and_version() {
    require_git!();
    let world = World::new();
    let run = helper(&world, &["--help"]);
    run.assert_ok("--help");
    assert!(run.stdout.contains("--print-url REMOTE"));
    assert!(run.stdout.contains("--doctor [--online] REMOTE"));
    let run = helper(&world, &["--version"]);
    run.assert_ok("--version");
    assert_eq!(
        run.stdout,
        format!("git-remote-codecommit {}\n", env!("CARGO_PKG_VERSION"))
    );
}

/// A run of 64 lower-case hex digits: what a signature looks like.
pub fn has_signature(text: &str) -> bool {
    let mut run = 0;
    for c in text.chars() {
        if c.is_ascii_digit() || ('a'..='f').contains(&c) {
            run += 1;
            if run >= 64 {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}
