//! `git-remote-codecommit`: git's remote helper for `codecommit://` remotes, a drop-in
//! for the Python git-remote-codecommit.
//!
//! ```text
//! git-remote-codecommit REMOTE-NAME URL        what git runs (do not run it yourself)
//! git-remote-codecommit --print-url REMOTE     the signed HTTPS URL, on stdout
//! git-remote-codecommit --explain REMOTE       how REMOTE resolves, without secrets
//! git-remote-codecommit --doctor [--online] REMOTE
//!                                              walk the troubleshooting list
//! ```
//!
//! As git's helper it follows the reference's contract (`reference/behavior.md` §1.1):
//! exactly two arguments, else the reference's argument-count message; the URL resolved
//! and signed through the library; then `git remote-http REMOTE-NAME SIGNED-URL` takes
//! over with git's stdin, stdout and stderr, and its exit status is ours. Nothing is
//! written to stdout before that: stdout belongs to the remote-helper protocol. An error
//! is one line on stderr (the reference's wording where it has one) and exit status 1.
//!
//! One departure, on purpose: the child runs with `-c credential.helper=`, so no
//! configured credential helper (macOS Keychain, Git Credential Manager, `store`) is
//! asked to store the signed password, which expires after about 15 minutes and would
//! otherwise be served back stale (403s) by those helpers.
//!
//! A command line whose first argument starts with `-` is ours (`args.rs`): anything in
//! it we do not know is a usage error (exit status 2, the usage on stderr), never git's
//! `REMOTE-NAME URL`, so a mistyped option signs nothing and runs no git.

/// `println!` that does not panic when stdout is closed (`… --explain | head -1`): the
/// output is for people, and a reader that stopped reading is not an error.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// How this program runs the doctor, for the doctor's heading and its advice (the doctor
/// is shared with `codecommit-auth doctor`, which names itself).
const DOCTOR: &str = "git-remote-codecommit --doctor";

mod args;
mod doctor;
mod modes;

use std::ffi::{OsStr, OsString};
use std::process::ExitCode;

use args::Command;
use modes::{explain, fail, print_url};

use codecommit_auth::{MAX_SHOWN, Resolver, shown};

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    match args::parse(args.get(1..).unwrap_or_default()) {
        Command::Help(mode) => {
            say!("{}", mode.map_or(args::USAGE, args::Mode::help));
            ExitCode::SUCCESS
        }
        Command::Version => {
            say!("git-remote-codecommit {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Command::PrintUrl(remote) => print_url(&remote),
        Command::Explain(remote) => explain(&remote),
        Command::Doctor { remote, online } => doctor::run(&remote, online),
        Command::Usage(message) => {
            eprintln!("git-remote-codecommit: {message}\n\n{}", args::USAGE);
            ExitCode::from(2)
        }
        Command::Helper => run_helper(&args),
    }
}

/// The reference's contract: `git-remote-codecommit REMOTE-NAME URL`.
fn run_helper(args: &[OsString]) -> ExitCode {
    if args.len() < 3 {
        return fail("Too few arguments. This hook requires the git command and remote.");
    }
    if args.len() > 3 {
        let quoted: Vec<String> = args
            .iter()
            .map(|a| format!("'{}'", shown(&a.to_string_lossy(), MAX_SHOWN)))
            .collect();
        return fail(&format!(
            "Too many arguments. Hook only accepts the git command and remote, but argv was: {}",
            quoted.join(", ")
        ));
    }
    let url = args[2].to_string_lossy();
    match Resolver::new().signed_url(&url) {
        Ok(signed) => hand_over(&args[1], signed.as_str()),
        Err(e) => fail(&e.chain_message()),
    }
}

/// Runs `git -c credential.helper= remote-http REMOTE-NAME SIGNED-URL` with our stdin,
/// stdout and stderr, and ends with its exit status (on Unix by becoming it).
fn hand_over(remote_name: &OsStr, signed_url: &str) -> ExitCode {
    // The program's one `Command::new` (everything else goes through the library's
    // `Environment`): the hand-over is its purpose, and `git` is looked up on PATH as
    // the reference looks it up.
    #[allow(clippy::disallowed_methods)]
    let mut git = std::process::Command::new("git");
    git.args(["-c", "credential.helper=", "remote-http"])
        .arg(remote_name)
        .arg(signed_url);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let err = git.exec(); // returns only on failure
        fail(&format!("cannot run git remote-http: {err}"))
    }
    #[cfg(not(unix))]
    {
        match git.status() {
            Ok(status) => std::process::exit(status.code().unwrap_or(1)),
            Err(err) => fail(&format!("cannot run git remote-http: {err}")),
        }
    }
}
