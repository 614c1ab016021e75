//! An `aws login` profile (`login_session`) through `codecommit://` with real git: a
//! valid cached login, one refresh near expiry through the Sign-In stand-in (which
//! checks each DPoP proof itself), and the `aws login` advice once the refresh token is
//! gone.

use serde_json::json;

use crate::harness::{CONFIG, REPO, World, remote_helper_bin, require_git, unix_now};
use crate::support::signin::{self, SESSION, SignIn, issued, token_doc, token_file_name};

const CACHED: (&str, &str, &str) = (
    "ASIAE2ELOGIN00000001",
    "login-cached-secret",
    "login/cached+token=",
);

/// A world whose profile `login-dev` is an `aws login` session, the stand-in it
/// refreshes through, and the server knowing every key involved.
fn world(python: &std::path::Path) -> (World, SignIn) {
    let mut world = World::new();
    world.dir.write(
        "aws/config",
        format!("{CONFIG}\n[profile login-dev]\nregion = us-east-1\nlogin_session = {SESSION}\n"),
    );
    let signin = SignIn::start(python, &[]);
    world.set_var("AWS_ENDPOINT_URL_SIGNIN", &signin.url());
    world.server.add_key(CACHED.0, CACHED.1, Some(CACHED.2));
    for n in 1..=3 {
        let (k, s, t) = issued(n);
        world.server.add_key(&k, &s, Some(&t));
    }
    (world, signin)
}

fn write_token(world: &World, expires_in: i64, refresh: &str) {
    world.dir.write(
        &format!("home/.aws/login/cache/{}", token_file_name(SESSION)),
        token_doc(
            CACHED,
            unix_now().saturating_add_signed(expires_in),
            refresh,
        )
        .to_string(),
    );
}

/// `--doctor`'s `aws login` line (the step name follows the six-column status mark).
fn step_line(stdout: &str) -> &str {
    stdout
        .lines()
        .find(|l| {
            l.get(6..)
                .is_some_and(|rest| rest.starts_with("aws login "))
        })
        .unwrap_or_else(|| panic!("no aws login line in:\n{stdout}"))
}

fn users(world: &World) -> Vec<String> {
    world
        .server
        .hits()
        .iter()
        .filter(|h| h.outcome.is_ok())
        .filter_map(|h| h.user.clone())
        .collect()
}

#[test]
fn login_session_clones_cached_then_refreshes_once_then_asks_for_aws_login() {
    require_git!();
    let Some(python) = signin::python() else {
        return;
    };
    let (world, signin) = world(&python);
    let remote = format!("codecommit://login-dev@{REPO}");

    // A valid cached login: no Sign-In call.
    write_token(&world, 3600, "REFRESH-1");
    world
        .git(&["clone", "--quiet", &remote, "first"])
        .assert_ok("clone with a cached login");
    assert_eq!(signin.issued_count(), 0);
    assert!(
        users(&world)
            .iter()
            .all(|u| u == &format!("{}%{}", CACHED.0, CACHED.2)),
        "{:?}",
        users(&world)
    );

    // Four minutes left: the next command renews them once, the one after uses what it
    // wrote.
    write_token(&world, 240, "REFRESH-1");
    world
        .git(&["clone", "--quiet", &remote, "second"])
        .assert_ok("clone that refreshes");
    world
        .git_in(&world.at("second"), &["fetch", "--quiet"])
        .assert_ok("fetch with the renewed credentials");
    let state = signin.state();
    assert_eq!(state["issued"], 1, "{state}");
    assert_eq!(state["rejected"], json!([]), "{state}");
    let (key, _, token) = issued(1);
    assert_eq!(users(&world).last().unwrap(), &format!("{key}%{token}"));

    // The refresh token is gone: the command says how to log in again, and no request
    // reaches the Git host.
    signin.control(&json!({"revoke": true}));
    write_token(&world, -60, "REFRESH-2");
    let hits = world.server.hits().len();
    let run = world.git(&["clone", &remote, "third"]);
    run.assert_failed("clone after the session ended");
    assert!(
        run.stderr.contains("run `aws login --profile login-dev`"),
        "{run:#?}"
    );
    assert!(
        run.stderr
            .contains("Your session has expired or credentials have changed."),
        "{run:#?}"
    );
    assert_eq!(world.server.hits().len(), hits);
}

#[test]
fn explain_and_doctor_show_the_session_and_when_it_renews() {
    require_git!();
    let world = World::new();
    world.dir.write(
        "aws/config",
        format!("{CONFIG}\n[profile login-dev]\nregion = us-east-1\nlogin_session = {SESSION}\n"),
    );
    let remote = format!("codecommit://login-dev@{REPO}");
    let token_file = world
        .home
        .join(format!(".aws/login/cache/{}", token_file_name(SESSION)));

    // No login yet: both say to run aws login.
    let doctor = |world: &World| {
        world.run_in(
            world.dir.path(),
            &remote_helper_bin(),
            &["--doctor", &remote],
            b"",
        )
    };
    let run = doctor(&world);
    let aws_login = step_line(&run.stdout);
    assert!(aws_login.trim_start().starts_with("FAIL"), "{}", run.stdout);
    assert!(
        aws_login.contains(&format!("{} does not exist", token_file.display())),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("run `aws login --profile login-dev`"),
        "{}",
        run.stdout
    );

    // A valid login: --explain names the session, its file and expiry; --doctor says
    // until when it serves. Neither prints a secret.
    write_token(&world, 3600, "REFRESH-1");
    let explain = world.run_in(
        world.dir.path(),
        &remote_helper_bin(),
        &["--explain", &remote],
        b"",
    );
    explain.assert_ok("--explain");
    assert!(
        explain.stdout.contains(&format!(
            "aws login session {SESSION} of profile login-dev (token {}; cached until",
            token_file.display()
        )),
        "{}",
        explain.stdout
    );
    let run = doctor(&world);
    let aws_login = step_line(&run.stdout);
    assert!(aws_login.trim_start().starts_with("ok"), "{}", run.stdout);
    assert!(
        aws_login.contains("credentials valid until"),
        "{}",
        run.stdout
    );
    // Four minutes left: the next use renews them.
    write_token(&world, 240, "REFRESH-1");
    let run = doctor(&world);
    assert!(
        run.stdout
            .contains("the next use renews them through the Sign-In service"),
        "{}",
        run.stdout
    );
    for run in [&run, &explain] {
        for secret in [CACHED.1, CACHED.2, "REFRESH-1", "MHcCAQEEIKK7d6YwtVsVJLlK"] {
            assert!(
                !run.stdout.contains(secret) && !run.stderr.contains(secret),
                "{run:#?}"
            );
        }
    }
}
