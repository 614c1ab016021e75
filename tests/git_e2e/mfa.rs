//! Roles with `mfa_serial`: `git clone codecommit://mfa-profile@…` asks for the code on
//! the terminal (a real one: a tmux pane), through an askpass program, or fails with
//! advice; the STS stand-in takes only the right serial and code, and the session is
//! cached so the next command asks nobody.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use codecommit_auth::env::{Environment, OsEnvironment};

use crate::harness::*;
use crate::support::server::{Reply, Server};
use crate::support::sts::{error_response, form, sts_reply, verify};

const MFA_SERIAL: &str = "arn:aws:iam::111122223333:mfa/e2e";
const ROLE: &str = "arn:aws:iam::111122223333:role/MfaRole";
/// The only code the STS stand-in accepts.
const CODE: &str = "424242";
/// botocore's prompt for it.
const PROMPT: &str = "Enter MFA code for arn:aws:iam::111122223333:mfa/e2e: ";
const REMOTE: &str = "codecommit://mfa-profile@ProjectAlpha";

/// A world with profile `mfa-profile` (a role with `mfa_serial`, assumed with `dev`'s
/// keys) and an STS stand-in that checks the signature, `SerialNumber` and `TokenCode`,
/// and refuses a wrong code as STS does.
fn mfa_world() -> (World, Server) {
    let mut world = World::new();
    world.dir.write(
        "aws/config",
        format!(
            "{CONFIG}\n[profile mfa-profile]\nregion = us-east-1\nrole_arn = {ROLE}\n\
             source_profile = dev\nmfa_serial = {MFA_SERIAL}\n"
        ),
    );
    let sts = Server::start();
    sts.gate(|seen| {
        let params = form(seen);
        let good = verify(seen, DEV_SECRET).is_ok()
            && params.get("RoleArn").map(String::as_str) == Some(ROLE)
            && params.get("SerialNumber").map(String::as_str) == Some(MFA_SERIAL)
            && params.get("TokenCode").map(String::as_str) == Some(CODE);
        Some(if good {
            sts_reply("AssumeRole", 1, "111122223333", &iso(unix_now() + 3600))
        } else {
            Reply::new(
                403,
                error_response(
                    "AccessDenied",
                    "MultiFactorAuthentication failed with invalid MFA one time pass code. ",
                ),
            )
        })
    });
    world.set_var("AWS_ENDPOINT_URL_STS", &sts.url());
    // What the stand-in hands out (support/sts.rs), known to the Git server.
    world.server.add_key(
        "ASIASTS0000000000001",
        "sts-secret-1",
        Some("sts-token-1&more"),
    );
    (world, sts)
}

/// The files in the AWS CLI's cache.
fn cli_cache_files(world: &World) -> Vec<String> {
    std::fs::read_dir(world.home.join(".aws/cli/cache"))
        .map(|dir| {
            dir.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".json"))
                .collect()
        })
        .unwrap_or_default()
}

/// A tmux server of its own (`-L`, no configuration) running one command in a pane
/// whose terminal is a real pty; killed on drop.
struct Tmux {
    socket: String,
    session: &'static str,
}

impl Tmux {
    fn start(world: &World, cwd: &Path, command: &str) -> Tmux {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let tmux = Tmux {
            socket: format!(
                "codecommit-e2e-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::SeqCst)
            ),
            session: "mfa",
        };
        // The pane outlives the command so its screen can still be read.
        let script = format!("{command}; sleep 600");
        world
            .run_in(
                cwd,
                "tmux",
                &[
                    "-L",
                    &tmux.socket,
                    "-f",
                    "/dev/null",
                    "new-session",
                    "-d",
                    "-s",
                    tmux.session,
                    "-x",
                    "200",
                    "-y",
                    "50",
                    &script,
                ],
                b"",
            )
            .assert_ok("tmux new-session");
        tmux
    }

    fn tmux(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs")
    }

    /// What the pane shows.
    fn screen(&self) -> String {
        let out = self.tmux(&["capture-pane", "-p", "-t", self.session]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits up to a minute for the screen to show `text`.
    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "the pane never showed {text:?}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Types `text` and Enter.
    fn type_line(&self, text: &str) {
        let out = self.tmux(&["send-keys", "-t", self.session, "-l", text]);
        assert!(out.status.success(), "{out:?}");
        let out = self.tmux(&["send-keys", "-t", self.session, "Enter"]);
        assert!(out.status.success(), "{out:?}");
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
    }
}

/// Skips the calling test without tmux, loudly; fails it under CI (`CI=true`) or when
/// `.ci/git.sh` asked for every end-to-end test to run.
fn require_tmux() -> bool {
    let runs = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if runs {
        return true;
    }
    let why = "`tmux` is not on PATH (apt package tmux), which the terminal test needs";
    assert!(
        OsEnvironment::new().var("CI").as_deref() != Some("true"),
        "{why}, and CI=true"
    );
    skip(why);
    false
}

/// [`mfa_world`] for a person at a terminal: git's own prompts allowed, no askpass
/// program. `None` (the test skips) without tmux.
fn terminal_world() -> Option<(World, Server)> {
    if !require_tmux() {
        return None;
    }
    let (mut world, sts) = mfa_world();
    world.remove_var("GIT_TERMINAL_PROMPT");
    world.set_var("TERM", "xterm");
    Some((world, sts))
}

/// Waits up to a minute for `path` to hold a line.
fn wait_for_file(path: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(text) = read_text(path).filter(|t| t.ends_with('\n')) {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn mfa_role_clones_in_a_real_terminal_with_one_prompt_per_session() {
    require_git!();
    let Some((mut world, sts)) = terminal_world() else {
        return;
    };
    let status = world.at("clone-status");
    let tmux = Tmux::start(
        &world,
        world.dir.path(),
        &format!(
            "git clone --quiet {REMOTE} in-terminal; echo \"exit=$?\" > '{}'",
            status.display()
        ),
    );
    // capture-pane drops the spaces that end a line.
    let screen = tmux.wait_for(PROMPT.trim_end());
    assert_eq!(screen.matches(PROMPT.trim_end()).count(), 1, "{screen}");
    assert!(sts.seen().is_empty(), "nothing is sent before the code");
    tmux.type_line(CODE);
    assert_eq!(wait_for_file(&status), "exit=0\n", "{}", tmux.screen());
    let screen = tmux.screen();
    assert!(!screen.contains(CODE), "the code was echoed:\n{screen}");
    assert_eq!(
        read_text(world.at("in-terminal/README.md")).as_deref(),
        Some("# ProjectAlpha\n")
    );
    assert_eq!(sts.seen().len(), 1);
    assert_eq!(cli_cache_files(&world).len(), 1, "the session is cached");

    // The next command, even without a terminal or askpass, reuses the session.
    world.set_var("GIT_TERMINAL_PROMPT", "0");
    world
        .git(&["clone", "--quiet", REMOTE, "again"])
        .assert_ok("second clone");
    assert_eq!(sts.seen().len(), 1, "no second AssumeRole, so no prompt");
}

#[test]
fn mfa_code_from_an_askpass_program_in_git_config() {
    require_git!();
    let (world, sts) = mfa_world();
    let asked = world.at("asked");
    let askpass = world.script(
        "askpass.sh",
        &format!("printf '%s' \"$1\" > '{}'\necho {CODE}\n", asked.display()),
    );
    world.git_config(&format!("[core]\n\taskPass = {}\n", askpass.display()));
    world
        .git(&["clone", "--quiet", REMOTE, "via-askpass"])
        .assert_ok("clone through core.askPass");
    assert_eq!(read_text(&asked).as_deref(), Some(PROMPT));
    assert_eq!(sts.seen().len(), 1);
    assert_eq!(
        read_text(world.at("via-askpass/README.md")).as_deref(),
        Some("# ProjectAlpha\n")
    );
}

#[test]
fn a_wrong_code_or_nobody_to_ask_fails_the_clone_with_advice() {
    require_git!();
    let (mut world, sts) = mfa_world();
    // Every world turns git's terminal prompts off, and has no askpass program.
    let run = world.git(&["clone", "--quiet", REMOTE, "nobody"]);
    run.assert_failed("clone without a way to ask");
    assert!(
        run.stderr.contains(&format!(
            "profile mfa-profile needs an MFA code (mfa_serial = {MFA_SERIAL}) to assume {ROLE}"
        )) && run
            .stderr
            .contains("terminal prompts are off (GIT_TERMINAL_PROMPT)")
            && run.stderr.contains("set GIT_ASKPASS"),
        "{run:#?}"
    );
    assert!(sts.seen().is_empty());

    let wrong = world.script("wrong.sh", "echo 171717\n");
    world.set_var("GIT_ASKPASS", &wrong.display().to_string());
    let run = world.git(&["clone", "--quiet", REMOTE, "wrong"]);
    run.assert_failed("clone with a wrong code");
    assert!(run.stderr.contains("STS refused the MFA code"), "{run:#?}");
    assert!(
        !run.stderr.contains("171717"),
        "the code is a secret: {run:#?}"
    );
    assert_eq!(sts.seen().len(), 1);
    assert!(cli_cache_files(&world).is_empty(), "nothing cached");
}

/// `--doctor` (offline) asks for no code and calls no STS: it says the role needs one.
#[test]
fn doctor_names_the_mfa_code_without_asking_for_it() {
    require_git!();
    let (world, sts) = mfa_world();
    let run = world.run_in(
        world.dir.path(),
        &remote_helper_bin(),
        &["--doctor", REMOTE],
        b"",
    );
    assert!(
        run.stdout.contains(&format!(
            "not fetched offline: getting them takes an MFA code for {MFA_SERIAL}"
        )),
        "{run:#?}"
    );
    assert!(sts.seen().is_empty());
    assert!(cli_cache_files(&world).is_empty());
}

/// `git-credential-codecommit get` for an MFA role: the code comes from the askpass
/// program, and git's protocol on stdout holds the answer and nothing else.
#[test]
fn credential_helper_asks_for_the_code_off_its_protocol_streams() {
    require_git!();
    let (mut world, sts) = mfa_world();
    let askpass = world.script("askpass.sh", &format!("echo {CODE}\n"));
    world.set_var("GIT_ASKPASS", &askpass.display().to_string());
    world.set_var("AWS_PROFILE", "mfa-profile");
    let host = format!("{CODECOMMIT_HOST}:{}", world.server.port());
    let run = world.run_in(
        world.dir.path(),
        &credential_helper_bin(),
        &["get"],
        format!("protocol=https\nhost={host}\npath=v1/repos/{REPO}\n\n").as_bytes(),
    );
    run.assert_ok("credential helper get");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{run:#?}");
    assert!(
        lines[0].starts_with("username=ASIASTS0000000000001%sts-token-1&more"),
        "{run:#?}"
    );
    assert!(!run.stdout.contains(CODE) && !run.stderr.contains(CODE));
    assert_eq!(sts.seen().len(), 1);
}

/// Ctrl-C at the prompt cancels and leaves the terminal as it was: echo, line editing
/// and signals back on. The credential helper runs straight from the shell, so nothing
/// between them could restore the terminal in its place.
#[test]
fn ctrl_c_at_the_prompt_cancels_and_restores_the_terminal() {
    require_git!();
    let Some((mut world, sts)) = terminal_world() else {
        return;
    };
    world.set_var("AWS_PROFILE", "mfa-profile");
    let (status, modes) = (world.at("status"), world.at("stty"));
    let request = format!("protocol=https\\nhost={CODECOMMIT_HOST}\\npath=v1/repos/{REPO}\\n\\n");
    let tmux = Tmux::start(
        &world,
        world.dir.path(),
        &format!(
            "stty -a > '{modes}.before'; printf '{request}' | git-credential-codecommit get; \
             echo \"exit=$?\" > '{}'; stty -a > '{modes}'",
            status.display(),
            modes = modes.display()
        ),
    );
    tmux.wait_for(PROMPT.trim_end());
    let out = tmux.tmux(&["send-keys", "-t", tmux.session, "C-c"]);
    assert!(out.status.success(), "{out:?}");
    let exit = wait_for_file(&status);
    assert_ne!(exit, "exit=0\n", "{}", tmux.screen());
    // The message on a line of its own after the prompt (the pane wraps long lines).
    let screen = tmux.screen();
    let (_, after_prompt) = screen.split_once(PROMPT.trim_end()).unwrap();
    assert!(
        after_prompt.starts_with("\ngit-credential-codecommit: profile mfa-profile needs")
            && after_prompt
                .replace('\n', "")
                .contains("and the prompt for it was cancelled"),
        "{screen}"
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    let after = loop {
        if let Some(text) = read_text(&modes).filter(|t| t.contains("echo")) {
            break text;
        }
        assert!(Instant::now() < deadline, "no stty output");
        std::thread::sleep(Duration::from_millis(100));
    };
    let before = read_text(format!("{}.before", modes.display())).unwrap();
    let flags = |text: &str| -> Vec<String> {
        text.split_whitespace()
            .filter(|w| ["echo", "icanon", "isig"].contains(&w.trim_start_matches('-')))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(flags(&after), ["isig", "icanon", "echo"], "{after}");
    assert_eq!(flags(&after), flags(&before));
    assert!(sts.seen().is_empty());
}
