//! `codecommit-auth`, run as a process: `login` against the SSO OIDC stand-in (the
//! browser opened through `$BROWSER`, played by the test), then `git clone` through the
//! token it wrote — and the reference (git-remote-codecommit on botocore, from the
//! oracle venv) signing the same URL from that token file. Also the command line's
//! conventions: `--help`, `--version`, usage errors.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use codecommit_auth::env::{HttpsClient, MemoryEnvironment};
use codecommit_auth::{Resolver, SigningTime};
use serde_json::{Value, json};

use crate::harness::*;
use crate::support::disk::DiskEnvironment;
use crate::support::server::{Reply, Server};
use crate::support::sso::{
    AUTHORIZE, DEVICE_AUTHORIZATION, LIST_ACCOUNTS, REGISTER, TOKEN, directory, play_browser,
    serve_authorize,
};

const START_URL: &str = "https://e2e.awsapps.com/start";
const CLIENT_SECRET: &str = "client-secret-NEVER-PRINTED-0006";
const REFRESH_TOKEN: &str = "refresh-NEVER-PRINTED-0007";
const NEW_ACCESS_TOKEN: &str = "sso-bearer-NEW-NEVER-PRINTED-0008";

fn tool() -> String {
    bin_dir().join("codecommit-auth").display().to_string()
}

fn tool_run(world: &World, args: &[&str]) -> Run {
    world.run_in(world.dir.path(), &tool(), args, b"")
}

/// The world's SSO portal, with the expired token of an earlier `aws sso login`, also
/// plays SSO OIDC: a registration, the authorize redirect, a new token.
fn sso_stand_in(world: &mut World) {
    world.with_sso(-3600);
    let sso = portal(world);
    sso.route(
        "POST",
        REGISTER,
        vec![Reply::json(
            200,
            &json!({"clientId": "e2e-client", "clientSecret": CLIENT_SECRET,
                    "clientSecretExpiresAt": unix_now() + 90 * 86_400}),
        )],
    );
    serve_authorize(sso, "e2e-auth-code");
    sso.route(
        "POST",
        TOKEN,
        vec![Reply::json(
            200,
            &json!({"accessToken": NEW_ACCESS_TOKEN, "tokenType": "Bearer",
                    "expiresIn": 8 * 3600, "refreshToken": REFRESH_TOKEN}),
        )],
    );
}

fn portal(world: &World) -> &Server {
    world.portal.as_ref().expect("with_sso started it")
}

/// A `$BROWSER` that records the URL it is asked to open, and a thread that then plays
/// the browser with it; the thread gives the loopback listener's status.
fn browser(world: &mut World) -> std::thread::JoinHandle<u16> {
    let opened: PathBuf = world.at("opened-url");
    let script = world.script(
        "browser.sh",
        &format!("printf '%s' \"$1\" > '{}'\n", opened.display()),
    );
    world.set_var("BROWSER", &script.display().to_string());
    std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(url) = read_text(&opened).filter(|u| !u.is_empty()) {
                return play_browser(&url, str::to_owned);
            }
            assert!(Instant::now() < deadline, "no browser was opened");
            std::thread::sleep(Duration::from_millis(20));
        }
    })
}

#[test]
fn login_then_clone_and_the_reference_signs_from_our_token() {
    require_git!();
    let mut world = World::new();
    sso_stand_in(&mut world);
    let browser = browser(&mut world);

    let run = tool_run(&world, &["login", "--profile", "sso-dev"]);
    let sso = portal(&world);
    run.assert_ok("codecommit-auth login");
    assert_eq!(
        browser.join().unwrap(),
        200,
        "the listener took the redirect"
    );
    assert_eq!(
        run.stdout,
        format!("Successfully logged into Start URL: {START_URL}\n")
    );
    assert!(run.stderr.contains("A browser was opened"), "{run:#?}");
    // Not a terminal: the progress is one line, not a countdown.
    assert!(
        run.stderr
            .contains("Waiting for the sign-in (gives up in 10 minutes)"),
        "{run:#?}"
    );
    for secret in [NEW_ACCESS_TOKEN, CLIENT_SECRET, REFRESH_TOKEN] {
        assert!(!run.stderr.contains(secret) && !run.stdout.contains(secret));
    }
    assert_eq!(sso.count(AUTHORIZE), 1);
    let register: Value = serde_json::from_slice(&sso.seen()[0].body).unwrap();
    assert_eq!(register["issuerUrl"], START_URL);

    // The token file, where and as the AWS CLI writes it, private.
    let token_path = world.home.join(SSO_TOKEN_FILE);
    let token: Value = serde_json::from_str(&read_text(&token_path).unwrap()).unwrap();
    assert_eq!(token["accessToken"], NEW_ACCESS_TOKEN);
    assert_eq!(token["startUrl"], START_URL);
    assert_eq!(token["refreshToken"], REFRESH_TOKEN);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&token_path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // git, through our remote helper, with the new login.
    world
        .git(&[
            "clone",
            "--quiet",
            "codecommit://sso-dev@ProjectAlpha",
            "alpha",
        ])
        .assert_ok("git clone after login");
    assert!(world.at("alpha/README.md").exists());
    let last = sso
        .seen()
        .into_iter()
        .rfind(|s| s.path == PORTAL_PATH)
        .unwrap();
    assert_eq!(
        last.header("x-amz-sso_bearer_token"),
        Some(NEW_ACCESS_TOKEN)
    );

    // The reference signs the same URL from the same token file.
    reference_signs_ours(
        &world,
        "codecommit://sso-dev@ProjectAlpha",
        &read_text(&token_path).unwrap(),
    );
}

/// Signs `remote` twice at the same moment — ours from the world's files, the
/// reference's from the same config text and `token` (its token cache file) — and
/// checks the URLs agree; `false` when there is no reference venv (skipped loudly).
fn reference_signs_ours(world: &World, remote: &str, token: &str) -> bool {
    let time = unix_now();
    let config = read_text(world.at("aws/config")).unwrap();
    let ours = our_url(world, remote, time);
    let Some(theirs) = reference_url(&json!({
        "remote": remote,
        "time": iso(time),
        "files": {".aws/config": config, SSO_TOKEN_FILE: token},
        "env": {
            "AWS_ENDPOINT_URL_SSO": portal(world).url(),
            "CODE_COMMIT_ENDPOINT": world.server.authority(),
        },
    })) else {
        return false;
    };
    assert_eq!(theirs["url"].as_str(), Some(ours.as_str()), "{theirs}");
    true
}

/// Our URL for `remote`, signed at `time` by the library from the world's files (the
/// config file at `AWS_CONFIG_FILE`, the token cache under HOME) and its stand-ins.
fn our_url(world: &World, remote: &str, time: u64) -> String {
    Resolver::with_environment(DiskEnvironment::new(
        [
            ("HOME", world.home.display().to_string()),
            (
                "AWS_CONFIG_FILE",
                world.dir.path().join("aws/config").display().to_string(),
            ),
            ("AWS_ENDPOINT_URL_SSO", portal(world).url()),
            ("CODE_COMMIT_ENDPOINT", world.server.authority()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect(),
        std::time::UNIX_EPOCH + Duration::from_secs(time),
        HttpsClient::from_environment(&MemoryEnvironment::new()),
    ))
    .signed_url_at(remote, SigningTime::from_unix(time as i64).unwrap())
    .expect("we sign it")
    .into_string()
}

/// Takes every directory holding an `aws` off the world's PATH (this machine may have
/// the AWS CLI), then checks with the shell's own lookup, on the PATH every program of
/// the world gets, that no `aws` can be found.
fn without_aws_cli(world: &mut World) {
    let kept: Vec<PathBuf> = std::env::split_paths(world.path_var())
        .filter(|dir| dir.join("aws").symlink_metadata().is_err())
        .collect();
    let path = std::env::join_paths(kept).unwrap();
    world.set_path(&path.to_string_lossy());
    let lookup = world.run_in(world.dir.path(), "sh", &["-c", "command -v aws"], b"");
    assert!(
        !lookup.ok() && lookup.stdout.is_empty(),
        "aws is still on the PATH: {lookup:#?}"
    );
}

/// Issue 15's walkthrough on a machine without the AWS CLI, every step our programs:
/// from a config file with no SSO in it, `profiles --start-url` adds the
/// `[sso-session]`; `login` signs in (the test plays the browser); `profiles` writes a
/// profile per account and role (the portal answering a page at a time, to our login's
/// token only); `git clone codecommit://Account.Role@Repo` works through real git.
/// Then the reference reads both files we wrote as the AWS CLI's own: botocore asks the
/// portal for a written profile's account and role with our login's token, and signs
/// the URL we sign.
#[test]
fn without_the_aws_cli_login_then_profiles_then_clone() {
    require_git!();
    let mut world = World::new();
    sso_stand_in(&mut world);
    without_aws_cli(&mut world);
    // A new machine: the user's own config file, no credentials file, no SSO login.
    let users = "# my settings\n[default]\nregion = eu-west-1\noutput = json\n";
    world.dir.write("aws/config", users);
    std::fs::remove_file(world.at("aws/credentials")).unwrap();
    let token_path = world.home.join(SSO_TOKEN_FILE);
    std::fs::remove_file(&token_path).unwrap();
    let session = ["--sso-session", "e2e-sso"];

    // 1. The sso-session, from the start URL and region.
    let run = tool_run(
        &world,
        &[
            &["profiles"][..],
            &session,
            &["--start-url", START_URL, "--sso-region", REGION],
        ]
        .concat(),
    );
    run.assert_ok("codecommit-auth profiles --start-url");
    assert!(
        run.stderr
            .contains("[sso-session e2e-sso] added; it has no SSO login yet"),
        "{run:#?}"
    );

    // 2. The login, for that session.
    let browser = browser(&mut world);
    let run = tool_run(&world, &[&["login"][..], &session].concat());
    run.assert_ok("codecommit-auth login --sso-session");
    assert_eq!(
        browser.join().unwrap(),
        200,
        "the listener took the redirect"
    );
    let token_text = read_text(&token_path).expect("login wrote the token file");
    let token: Value = serde_json::from_str(&token_text).unwrap();
    assert_eq!(token["accessToken"], NEW_ACCESS_TOKEN);
    assert_eq!(token["startUrl"], START_URL);

    // 3. The profiles, from the portal's listing, one page of one item at a time.
    let sso = portal(&world);
    directory(
        sso,
        NEW_ACCESS_TOKEN,
        1,
        &[
            ("111122223333", "Dev Account", &["Developer", "ReadOnly"]),
            ("444455556666", "Ops", &["Admin"]),
            ("777788889999", "Sandbox (old)", &["Developer"]),
        ],
    );
    let run = tool_run(&world, &[&["profiles"][..], &session].concat());
    run.assert_ok("codecommit-auth profiles");
    assert!(run.stderr.contains("4 profiles added"), "{run:#?}");
    assert_eq!(sso.count(LIST_ACCOUNTS), 3, "three pages of accounts");
    let config = read_text(world.at("aws/config")).unwrap();
    assert!(
        config.starts_with(users),
        "the user's lines first: {config}"
    );
    for name in [
        "Dev-Account.Developer",
        "Dev-Account.ReadOnly",
        "Ops.Admin",
        "Sandbox--old-.Developer",
    ] {
        assert!(
            config.contains(&format!("\n[profile {name}]\n")),
            "{name}: {config}"
        );
    }

    // 4. git, through a written profile and our login.
    let remote = format!("codecommit://Dev-Account.Developer@{REPO}");
    world
        .git(&["clone", "--quiet", &remote, "alpha"])
        .assert_ok("git clone through the written profile");
    assert!(world.at("alpha/README.md").exists());
    let asked = |after: usize| -> Vec<_> {
        sso.seen()
            .into_iter()
            .filter(|s| s.path == PORTAL_PATH)
            .skip(after)
            .collect()
    };
    let clone = asked(0);
    assert_eq!(clone.len(), 1, "{clone:?}");
    assert_eq!(clone[0].query("account_id"), Some("111122223333"));
    assert_eq!(clone[0].query("role_name"), Some("Developer"));
    assert_eq!(
        clone[0].header("x-amz-sso_bearer_token"),
        Some(NEW_ACCESS_TOKEN)
    );

    // 5. The reference, on the files we wrote, for another written profile.
    let before = asked(0).len();
    if !reference_signs_ours(
        &world,
        &format!("codecommit://Ops.Admin@{REPO}"),
        &token_text,
    ) {
        return;
    }
    // We asked first, then botocore: each for the written account and role, with the
    // token of our login.
    let asked = asked(before);
    assert_eq!(asked.len(), 2, "each asked once: {asked:?}");
    for seen in &asked {
        assert_eq!(seen.query("account_id"), Some("444455556666"));
        assert_eq!(seen.query("role_name"), Some("Admin"));
        assert_eq!(
            seen.header("x-amz-sso_bearer_token"),
            Some(NEW_ACCESS_TOKEN)
        );
    }
}

/// The reference's outcome for `case` (`tests/oracle/run_case.py` in the oracle venv);
/// `None`, loudly, when there is no venv — unless under CI, where that fails.
fn reference_url(case: &Value) -> Option<Value> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let python = crate::support::venv::oracle()?;
    let mut cmd = std::process::Command::new(&python);
    cmd.args(["-I", "-X", "utf8"])
        .arg(root.join("tests/oracle/run_case.py"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    let out = run(cmd, case.to_string().as_bytes());
    assert!(out.ok(), "run_case.py: {out:#?}");
    Some(serde_json::from_str(&out.stdout).unwrap())
}

#[test]
fn refused_sign_in_fails_and_writes_nothing() {
    require_git!();
    let mut world = World::new();
    sso_stand_in(&mut world);
    portal(&world).route(
        "POST",
        TOKEN,
        vec![
            Reply::json(400, &json!({"error": "access_denied"}))
                .header("x-amzn-ErrorType", "AccessDeniedException"),
        ],
    );
    let token_path = world.home.join(SSO_TOKEN_FILE);
    let before = read_text(&token_path).unwrap();
    let browser = browser(&mut world);
    let run = tool_run(&world, &["login", "--sso-session", "e2e-sso"]);
    assert_eq!(run.code, Some(1), "{run:#?}");
    assert_eq!(browser.join().unwrap(), 200);
    assert!(
        run.stderr.contains("was denied; nothing was written"),
        "{run:#?}"
    );
    assert_eq!(
        read_text(&token_path).unwrap(),
        before,
        "the old login is kept"
    );
    let cache = std::fs::read_dir(token_path.parent().unwrap())
        .unwrap()
        .count();
    assert_eq!(cache, 1, "no registration file either");
}

#[test]
fn device_code_without_a_browser() {
    require_git!();
    let mut world = World::new();
    sso_stand_in(&mut world);
    let sso = portal(&world);
    sso.route(
        "POST",
        DEVICE_AUTHORIZATION,
        vec![Reply::json(
            200,
            &json!({"deviceCode": "e2e-device-code", "userCode": "WXYZ-1234",
                    "verificationUri": "https://device.sso.us-east-1.amazonaws.com/",
                    "verificationUriComplete":
                        "https://device.sso.us-east-1.amazonaws.com/?user_code=WXYZ-1234",
                    "expiresIn": 600, "interval": 1}),
        )],
    );
    sso.route(
        "POST",
        TOKEN,
        vec![
            Reply::json(400, &json!({"error": "authorization_pending"}))
                .header("x-amzn-ErrorType", "AuthorizationPendingException"),
            Reply::json(
                200,
                &json!({"accessToken": NEW_ACCESS_TOKEN, "expiresIn": 3600}),
            ),
        ],
    );
    // A $BROWSER that must not run.
    let opened = world.at("opened");
    let script = world.script("browser.sh", &format!("touch '{}'\n", opened.display()));
    world.set_var("BROWSER", &script.display().to_string());
    let run = tool_run(
        &world,
        &[
            "login",
            "--profile",
            "sso-dev",
            "--use-device-code",
            "--no-browser",
        ],
    );
    run.assert_ok("login --use-device-code --no-browser");
    assert!(!opened.exists(), "--no-browser opened a browser");
    assert!(
        run.stderr
            .contains("https://device.sso.us-east-1.amazonaws.com/\n\nand check that it shows this code:\n\n  WXYZ-1234"),
        "{run:#?}"
    );
    assert_eq!(portal(&world).count(TOKEN), 2);
    assert_eq!(portal(&world).count(AUTHORIZE), 0);
    let token: Value =
        serde_json::from_str(&read_text(world.home.join(SSO_TOKEN_FILE)).unwrap()).unwrap();
    assert_eq!(token["accessToken"], NEW_ACCESS_TOKEN);
}

/// Ctrl-C while waiting for the browser ends the program with nothing written: the old
/// token file stays as it was, no registration, no temporary file.
#[cfg(unix)]
#[test]
fn interrupted_login_leaves_the_old_files() {
    require_git!();
    let mut world = World::new();
    sso_stand_in(&mut world);
    let token_path = world.home.join(SSO_TOKEN_FILE);
    let before = read_text(&token_path).unwrap();
    let opened = world.at("opened-url");
    let script = world.script(
        "browser.sh",
        &format!("printf '%s' \"$1\" > '{}'\n", opened.display()),
    );
    world.set_var("BROWSER", &script.display().to_string());
    let mut child = world
        .command_in(
            world.dir.path(),
            &tool(),
            &["login", "--profile", "sso-dev"],
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while read_text(&opened).is_none_or(|u| u.is_empty()) {
        assert!(Instant::now() < deadline, "no browser was opened");
        std::thread::sleep(Duration::from_millis(20));
    }
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    assert!(!status.success());
    assert_eq!(read_text(&token_path).unwrap(), before);
    let files: Vec<_> = std::fs::read_dir(token_path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
}

#[test]
fn help_version_and_usage_errors() {
    require_git!();
    let world = World::new();
    let version = tool_run(&world, &["--version"]);
    version.assert_ok("--version");
    assert_eq!(
        version.stdout,
        format!("codecommit-auth {}\n", env!("CARGO_PKG_VERSION"))
    );
    let help = tool_run(&world, &["--help"]);
    help.assert_ok("--help");
    for command in ["login", "profiles", "url", "explain", "doctor"] {
        assert!(help.stdout.contains(&format!("  {command} ")), "{command}");
    }
    for (command, words) in [
        ("login", "--device-code"),
        ("url", "signed HTTPS URL"),
        ("explain", "Prints no"),
        ("doctor", "--online"),
    ] {
        let run = tool_run(&world, &[command, "--help"]);
        run.assert_ok(command);
        assert!(run.stdout.contains(words), "{command}: {run:#?}");
        assert_eq!(run.stderr, "");
    }
    for (args, says) in [
        (&[][..], "no command given"),
        (&["logn"], "did you mean 'login'?"),
        (
            &["login"],
            "login needs --profile NAME or --sso-session NAME",
        ),
        (
            &["login", "--profile", "a", "--sso-session", "b"],
            "cannot be used together",
        ),
        (
            &["login", "--no-browsr", "--profile", "a"],
            "did you mean '--no-browser'?",
        ),
        (&["url"], "url needs a REMOTE"),
        (&["explain", "a", "b"], "explain takes exactly one REMOTE"),
        (&["url", "--online", "R"], "unknown option '--online'"),
    ] {
        let run = tool_run(&world, args);
        assert_eq!(run.code, Some(2), "{args:?}: {run:#?}");
        assert_eq!(run.stdout, "", "{args:?}");
        assert!(run.stderr.contains(says), "{args:?}: {run:#?}");
        assert!(run.stderr.contains("usage: codecommit-auth"), "{args:?}");
    }
}

#[test]
fn url_explain_and_doctor_are_the_remote_helpers() {
    require_git!();
    let world = World::new();
    let remote = "codecommit://dev@ProjectAlpha";
    let url = tool_run(&world, &["url", remote]);
    url.assert_ok("url");
    let helper = world.run_in(
        world.dir.path(),
        &remote_helper_bin(),
        &["--print-url", remote],
        b"",
    );
    // Signed a moment apart: the same up to the timestamp and signature.
    let prefix = |u: &str| u.split(':').take(2).collect::<Vec<_>>().join(":");
    assert_eq!(prefix(&url.stdout), prefix(&helper.stdout));
    assert!(url.stdout.contains(DEV_KEY));
    let explain = tool_run(&world, &["explain", remote]);
    explain.assert_ok("explain");
    assert!(!explain.stdout.contains(DEV_SECRET));
    assert!(
        explain.stdout.contains("credentials left out"),
        "{explain:#?}"
    );
    let doctor = tool_run(&world, &["doctor", remote]);
    let helper_doctor = world.run_in(
        world.dir.path(),
        &remote_helper_bin(),
        &["--doctor", remote],
        b"",
    );
    assert_eq!(doctor.code, helper_doctor.code);
    // The same report, under the name of the program that ran it.
    assert!(
        doctor
            .stdout
            .starts_with(&format!("codecommit-auth doctor {remote}\n")),
        "{doctor:#?}"
    );
    assert_eq!(
        doctor.stdout,
        helper_doctor
            .stdout
            .replace("git-remote-codecommit --doctor", "codecommit-auth doctor")
    );
}
