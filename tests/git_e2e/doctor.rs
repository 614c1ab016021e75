//! `git-remote-codecommit --doctor`: what each step reports, that nothing secret is
//! printed, and that nothing goes over the network unless `--online` is given.

use crate::cli::has_signature;
use crate::harness::*;

pub(crate) fn doctor(world: &World, args: &[&str]) -> Run {
    let mut all = vec!["--doctor"];
    all.extend_from_slice(args);
    world.run_in(world.dir.path(), &remote_helper_bin(), &all, b"")
}

/// The report line of `step`, with its status mark.
#[track_caller]
fn line<'a>(run: &'a Run, step: &str) -> &'a str {
    run.stdout
        .lines()
        .find(|l| {
            l.get(6..)
                .is_some_and(|rest| rest.starts_with(&format!("{step} ")))
        })
        .unwrap_or_else(|| panic!("no {step:?} line in:\n{}", run.stdout))
}

#[track_caller]
pub(crate) fn assert_no_secrets(run: &Run) {
    for secret in [
        DEV_SECRET,
        OPS_SECRET,
        SSO_SECRET,
        SSO_TOKEN,
        SSO_ACCESS_TOKEN,
    ] {
        assert!(
            !run.stdout.contains(secret),
            "{secret} printed:\n{}",
            run.stdout
        );
        assert!(
            !run.stderr.contains(secret),
            "{secret} printed:\n{}",
            run.stderr
        );
    }
    assert!(!has_signature(&run.stdout), "{}", run.stdout);
}

#[test]
fn static_profile_passes_every_step() {
    require_git!();
    let world = World::new();
    let run = doctor(&world, &["codecommit://dev@ProjectAlpha"]);
    assert_eq!(run.code, Some(0), "{run:#?}");
    let config = world.at("aws/config");
    assert!(
        line(&run, "config file").contains(&format!(
            "{} (from AWS_CONFIG_FILE): found",
            config.display()
        )),
        "{}",
        run.stdout
    );
    assert!(line(&run, "profiles").contains("default, dev, ops"));
    assert!(line(&run, "remote").contains("repository ProjectAlpha, profile dev"));
    assert!(line(&run, "profile").ends_with("dev (named in the remote)"));
    assert!(line(&run, "region").ends_with("us-east-1 (region of profile dev)"));
    assert!(
        line(&run, "host").ends_with(&format!(
            "{} (from CODE_COMMIT_ENDPOINT)",
            world.server.authority()
        )),
        "{}",
        run.stdout
    );
    assert!(line(&run, "credentials").starts_with("  ok"));
    assert!(run.stdout.contains(&format!(
        "access key {DEV_KEY}, long-term keys; does not expire"
    )));
    assert!(line(&run, "sso login").contains("not an SSO profile"));
    assert!(
        line(&run, "git").contains("git remote-http is"),
        "{}",
        run.stdout
    );
    assert!(
        line(&run, "helper").contains("git runs this program"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.ends_with("no problems found\n"));
    assert_no_secrets(&run);
    assert!(
        world.server.hits().is_empty(),
        "the doctor never calls the Git host"
    );
}

/// AWS_DEFAULT_PROFILE and AWS_PROFILE set to different profiles: the profile step
/// warns which one won and what the AWS CLI v2 would use; so does --explain.
#[test]
fn disagreeing_profile_variables_are_a_warning() {
    require_git!();
    let mut world = World::new();
    world.set_var("AWS_DEFAULT_PROFILE", "ops");
    world.set_var("AWS_PROFILE", "dev");
    let run = doctor(&world, &["codecommit://ProjectAlpha"]);
    assert_eq!(run.code, Some(0), "a warning, not a failure: {run:#?}");
    let at = run
        .stdout
        .find("WARN  profile      ops (from AWS_DEFAULT_PROFILE)\n");
    let rest = &run.stdout[at.unwrap_or_else(|| panic!("{}", run.stdout))..];
    assert!(
        rest.lines().nth(1).unwrap().trim_start().starts_with(
            "AWS_DEFAULT_PROFILE ('ops') was used, not AWS_PROFILE ('dev'): \
             git-remote-codecommit and botocore (and the AWS CLI v1) read AWS_DEFAULT_PROFILE \
             first, the AWS CLI v2 reads AWS_PROFILE first and would use 'dev'"
        ),
        "{rest}"
    );
    assert!(
        run.stdout
            .ends_with("no failures, but see the warnings (marked WARN)\n")
    );

    let run = world.run_in(
        world.dir.path(),
        &remote_helper_bin(),
        &["--explain", "codecommit://ProjectAlpha"],
        b"",
    );
    run.assert_ok("--explain");
    assert!(
        run.stdout.contains(
            "profile      ops (from AWS_DEFAULT_PROFILE)\n             note: AWS_DEFAULT_PROFILE \
             ('ops') was used, not AWS_PROFILE ('dev')"
        ),
        "{run:#?}"
    );
}

#[test]
fn missing_profile_fails_its_step() {
    require_git!();
    let world = World::new();
    let run = doctor(&world, &["codecommit://nobody@ProjectAlpha"]);
    assert_eq!(run.code, Some(1), "{run:#?}");
    let profile = line(&run, "profile");
    assert!(profile.starts_with("FAIL"), "{profile}");
    assert!(profile.contains("The following profile was not found: nobody."));
    assert!(run.stdout.ends_with("some checks failed (marked FAIL)\n"));
}

#[test]
fn missing_region_and_credentials_are_told_apart() {
    require_git!();
    let world = World::new();
    let run = doctor(&world, &["codecommit://nokeys@ProjectAlpha"]);
    assert_eq!(run.code, Some(1), "{run:#?}");
    // Region and host still show: they do not depend on the credentials.
    assert!(line(&run, "region").starts_with("  ok"));
    assert!(line(&run, "host").starts_with("  ok"));
    let creds = line(&run, "credentials");
    assert!(creds.starts_with("FAIL"), "{creds}");
    assert!(creds.contains("does not have credentials configured: nokeys"));
}

#[test]
fn helper_not_on_path_is_reported() {
    require_git!();
    let mut world = World::new();
    let without_us =
        std::env::join_paths(std::env::split_paths(world.path_var()).filter(|p| *p != bin_dir()))
            .unwrap();
    world.set_path(&without_us.to_string_lossy());
    let run = world.run_in(
        world.dir.path(),
        &remote_helper_bin(),
        &["--doctor", "codecommit://dev@ProjectAlpha"],
        b"",
    );
    assert_eq!(run.code, Some(1), "{run:#?}");
    let helper = line(&run, "helper");
    assert!(helper.starts_with("FAIL"), "{helper}");
    assert!(
        helper.contains(&format!("add {} to PATH", bin_dir().display())),
        "{helper}"
    );
}

#[test]
fn sso_offline_reads_the_login_but_calls_no_portal() {
    require_git!();
    let mut world = World::new();
    world.with_sso(8 * 3600);
    let run = doctor(&world, &["codecommit://sso-dev@ProjectAlpha"]);
    assert_eq!(run.code, Some(0), "{run:#?}");
    assert_eq!(world.portal_calls(), 0, "offline means offline");
    let creds = line(&run, "credentials");
    assert!(creds.starts_with("WARN"), "{creds}");
    assert!(
        creds.contains(&format!(
            "not fetched offline: getting them takes a request to {}/federation/credentials",
            world.portal.as_ref().unwrap().url()
        )),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("--doctor --online codecommit://sso-dev@ProjectAlpha")
    );
    let login = line(&run, "sso login");
    assert!(login.starts_with("  ok"), "{login}");
    assert!(
        login.contains("sso-session e2e-sso: valid until"),
        "{login}"
    );
    assert!(
        login.contains("(in 7h 59m)") || login.contains("(in 8h 0m)"),
        "{login}"
    );
    assert_no_secrets(&run);
    assert!(
        !world.home.join(".aws/cli/cache").exists(),
        "offline writes nothing"
    );
}

#[test]
fn sso_expired_login_fails_with_the_login_hint() {
    require_git!();
    let mut world = World::new();
    world.with_sso(-600);
    let run = doctor(&world, &["codecommit://sso-dev@ProjectAlpha"]);
    assert_eq!(run.code, Some(1), "{run:#?}");
    let login = line(&run, "sso login");
    assert!(login.starts_with("FAIL"), "{login}");
    assert!(login.contains("sso-session e2e-sso: expired at"), "{login}");
    assert!(
        run.stdout.contains("run `aws sso login --profile sso-dev`"),
        "{}",
        run.stdout
    );
    assert!(line(&run, "credentials").starts_with("FAIL"));
    assert_eq!(world.portal_calls(), 0);
    assert_no_secrets(&run);
}

#[test]
fn sso_without_login_says_how_to_log_in() {
    require_git!();
    let mut world = World::new();
    world.with_sso(3600);
    std::fs::remove_file(world.home.join(SSO_TOKEN_FILE)).unwrap();
    let run = doctor(&world, &["codecommit://sso-dev@ProjectAlpha"]);
    assert_eq!(run.code, Some(1), "{run:#?}");
    let login = line(&run, "sso login");
    assert!(login.starts_with("FAIL"), "{login}");
    assert!(
        login.contains("no login for sso-session e2e-sso"),
        "{login}"
    );
    assert!(run.stdout.contains("run `aws sso login --profile sso-dev`"));
}

/// An expiry past year 9999 — `9999-12-31T23:59:59-14:00` is 10000-01-01 in UTC — once
/// made the doctor panic (exit 101) while formatting it (issue 18, defect 4), from an
/// environment variable or a token cache file alike. It is reported like any other.
#[test]
fn expiries_past_year_9999_are_reported_not_a_panic() {
    require_git!();
    let mut world = World::new();
    let far = "9999-12-31T23:59:59-14:00";
    world.set_var("AWS_ACCESS_KEY_ID", DEV_KEY);
    world.set_var("AWS_SECRET_ACCESS_KEY", DEV_SECRET);
    world.set_var("AWS_SESSION_TOKEN", "token");
    world.set_var("AWS_CREDENTIAL_EXPIRATION", far);
    let run = doctor(&world, &["codecommit://ProjectAlpha"]);
    assert_ne!(run.code, Some(101), "{run:#?}");
    assert!(
        line(&run, "credentials").starts_with("  ok"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("expire at 10000-01-01 13:59:59 UTC"),
        "{}",
        run.stdout
    );
    world.remove_var("AWS_CREDENTIAL_EXPIRATION");
    world.remove_var("AWS_ACCESS_KEY_ID");
    world.remove_var("AWS_SECRET_ACCESS_KEY");
    world.remove_var("AWS_SESSION_TOKEN");

    world.with_sso(3600);
    let token = world.home.join(SSO_TOKEN_FILE);
    let text = std::fs::read_to_string(&token).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut doc = doc.as_object().unwrap().clone();
    doc.insert("expiresAt".into(), far.into());
    std::fs::write(&token, serde_json::Value::Object(doc).to_string()).unwrap();
    let run = doctor(&world, &["codecommit://sso-dev@ProjectAlpha"]);
    assert_ne!(run.code, Some(101), "{run:#?}");
    assert!(
        line(&run, "sso login").contains("valid until 10000-01-01 13:59:59 UTC"),
        "{}",
        run.stdout
    );
    assert_no_secrets(&run);
}

/// A cache directory other users can write to, or that another user owns, gets a
/// warning (issue 18, defect 7): its entries are used as they are, so whoever can write
/// there chooses the credentials git uses.
#[test]
fn cache_directories_others_can_write_are_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    require_git!();
    let world = World::new();
    let cache = world.home.join(".aws/cli/cache");
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o700)).unwrap();
    let run = doctor(&world, &["codecommit://dev@ProjectAlpha"]);
    assert!(!run.stdout.contains("cache dir"), "{}", run.stdout);

    std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o777)).unwrap();
    let run = doctor(&world, &["codecommit://dev@ProjectAlpha"]);
    assert_eq!(run.code, Some(0), "{run:#?}");
    let warned = line(&run, "cache dir");
    assert!(
        warned.starts_with("WARN")
            && warned.contains(&cache.display().to_string())
            && warned.contains("mode 0777"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.ends_with("see the warnings (marked WARN)\n"),
        "{}",
        run.stdout
    );

    // Another owner, where this test may change it (as root).
    std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o700)).unwrap();
    if std::os::unix::fs::chown(&cache, Some(4242), None).is_ok() {
        let run = doctor(&world, &["codecommit://dev@ProjectAlpha"]);
        assert!(
            line(&run, "cache dir").contains("belongs to another user (uid 4242"),
            "{}",
            run.stdout
        );
    }
}

/// No control character from a file, a variable or an argument reaches the terminal
/// (issue 18, defect 10): the doctor's header, its profile list and its SSO lines, and
/// the remote helper's "Too many arguments" echo of argv, once printed them raw.
#[test]
fn control_characters_are_escaped_everywhere() {
    require_git!();
    let world = World::new();
    let config = world.at("aws/config");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(
        "\n[profile evil\u{1b}[2J]\nregion = us-east-1\n\n\
         [profile ssoevil]\nregion = us-east-1\nsso_session = bad\u{7}\u{1b}]0;title\u{7}\n\
         sso_account_id = 111122223333\nsso_role_name = Dev\n",
    );
    std::fs::write(&config, text).unwrap();
    let clean = |run: &Run, what: &str| {
        for (name, out) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
            assert!(
                !out.chars().any(|c| c.is_control() && c != '\n'),
                "{what}: a control character on {name}:\n{out:?}"
            );
        }
    };
    let run = doctor(&world, &["codecommit://dev@ProjectAlpha"]);
    clean(&run, "the profile list");
    assert!(
        line(&run, "profiles").contains("evil\\u{1b}[2J"),
        "{}",
        run.stdout
    );

    let run = doctor(&world, &["codecommit://ssoevil@ProjectAlpha"]);
    clean(&run, "an sso_session name");
    assert!(
        run.stdout.contains("bad\\u{7}\\u{1b}]0;title"),
        "{}",
        run.stdout
    );

    let run = doctor(&world, &["codecommit://x\u{1b}[31m@Repo"]);
    clean(&run, "the header");

    let run = world.run_in(
        world.dir.path(),
        &remote_helper_bin(),
        &["origin", "codecommit://dev@ProjectAlpha", "\u{1b}[2Jextra"],
        b"",
    );
    assert_eq!(run.code, Some(1), "{run:#?}");
    clean(&run, "the Too many arguments echo");
    assert!(run.stderr.contains("'\\u{1b}[2Jextra'"), "{run:#?}");
}
