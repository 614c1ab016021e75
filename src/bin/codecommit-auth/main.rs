//! `codecommit-auth`: the user-facing tool — sign in to IAM Identity Center, set up a
//! profile per account and role, and look at how a `codecommit://` remote resolves.
//!
//! ```text
//! codecommit-auth login (--profile NAME | --sso-session NAME) [--no-browser] [--device-code]
//! codecommit-auth profiles --sso-session NAME [--pattern P] [--region R] [--dry-run]
//! codecommit-auth url REMOTE          the signed HTTPS URL, on stdout
//! codecommit-auth explain REMOTE      how REMOTE resolves, without secrets
//! codecommit-auth doctor [--online] REMOTE
//! ```
//!
//! `url`, `explain` and `doctor` are `git-remote-codecommit --print-url/--explain/
//! --doctor`, the same code (`#[path]` includes of that program's modules). The command
//! line is parsed by hand, in the conventions of Rust tools (`--help` after any command,
//! `--version`, `--` to end options, `--opt VALUE` or `--opt=VALUE`, exit status 2 with
//! the usage on stderr for a usage error): a parser crate would cost startup time, which
//! stays within 1.3× of an empty Rust program.

/// `println!` that does not panic when stdout is closed (`… explain R | head -1`).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

// Only the edit distance of its "did you mean" is used here.
#[allow(dead_code)]
#[path = "../git-remote-codecommit/args.rs"]
mod args;
/// The doctor's files, found as `git-remote-codecommit` finds them: a plain `mod doctor;`
/// inside a module whose path is that program's folder, so `doctor.rs`'s own submodules
/// (`doctor/online.rs`, `doctor/helpers.rs`) resolve beside it.
#[path = "../git-remote-codecommit"]
mod shared {
    pub(crate) mod doctor;
}
use shared::doctor;
/// How this program runs the doctor, for the doctor's heading and its advice.
const DOCTOR: &str = "codecommit-auth doctor";
mod login;
#[path = "../git-remote-codecommit/modes.rs"]
mod modes;
mod profiles;

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

const USAGE: &str = "\
usage: codecommit-auth COMMAND [OPTIONS]

Commands:
  login (--profile NAME | --sso-session NAME) [--no-browser] [--device-code]
                                  sign in to IAM Identity Center (as `aws sso login`)
  profiles --sso-session NAME [--pattern P] [--region R] [--dry-run]
                                  write a profile for every account and role
  url REMOTE                      print the signed HTTPS URL of a codecommit:// remote
  explain REMOTE                  show how REMOTE resolves (no secrets)
  doctor [--online] REMOTE        check everything REMOTE needs

Options: -h, --help (also after a command, for its help); -V, --version.
REMOTE is codecommit://[PROFILE@]REPOSITORY or codecommit::REGION://[PROFILE@]REPOSITORY.
Exit status: 0 done, 1 failed (the reason on stderr), 2 usage error.";

const URL_HELP: &str = "\
usage: codecommit-auth url REMOTE

Prints the signed HTTPS URL for REMOTE on stdout, for tools that take plain HTTPS URLs.
The URL carries credentials (and the session token of temporary ones) and is valid for
15 minutes. REMOTE is codecommit://[PROFILE@]REPOSITORY or
codecommit::REGION://[PROFILE@]REPOSITORY. (git-remote-codecommit --print-url.)";

const EXPLAIN_HELP: &str = "\
usage: codecommit-auth explain REMOTE

Shows how REMOTE resolves: the profile and why, the region and where it came from, the
Git host, the credential source and expiry, and the URL without credentials. Prints no
secret. Fetches credentials as git would (SSO, roles and credential_process included).
(git-remote-codecommit --explain.)";

const DOCTOR_HELP: &str = "\
usage: codecommit-auth doctor [--online] REMOTE

Walks the troubleshooting list for REMOTE and says, step by step, what it checked and
found: the config and credentials files, the profile, the region, the Git host, the
credentials, the SSO login, git remote-http, and which git-remote-codecommit git runs.
Prints no secret. Without --online it makes no network call, runs no credential_process
and writes nothing; with --online it fetches the credentials as git would.
Exit status 1 if a step failed. (git-remote-codecommit --doctor.)";

const COMMANDS: [&str; 5] = ["login", "profiles", "url", "explain", "doctor"];

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(first) = args.next() else {
        return usage("no command given: login, profiles, url, explain or doctor");
    };
    let rest: Vec<OsString> = args.collect();
    let Some(first) = first.to_str() else {
        return usage(&format!(
            "argument '{}' is not valid UTF-8",
            first.to_string_lossy()
        ));
    };
    match first {
        "-h" | "--help" | "help" => match rest.first().and_then(|c| c.to_str()) {
            Some("login") => help(login::HELP),
            Some("url") => help(URL_HELP),
            Some("explain") => help(EXPLAIN_HELP),
            Some("doctor") => help(DOCTOR_HELP),
            Some("profiles") => profiles::run(vec![OsString::from("--help")]),
            _ => help(USAGE),
        },
        "-V" | "--version" => {
            if !rest.is_empty() {
                return usage("--version takes nothing else");
            }
            say!("codecommit-auth {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        "login" => login::run(rest),
        "profiles" => profiles::run(rest),
        "url" => remote_command("url", URL_HELP, rest, false)
            .map_or_else(|c| c, |(r, _)| modes::print_url(&r)),
        "explain" => remote_command("explain", EXPLAIN_HELP, rest, false)
            .map_or_else(|c| c, |(r, _)| modes::explain(&r)),
        "doctor" => remote_command("doctor", DOCTOR_HELP, rest, true)
            .map_or_else(|c| c, |(r, online)| doctor::run(&r, online)),
        other => usage(&unknown_command(other)),
    }
}

/// `url`, `explain` and `doctor`: exactly one REMOTE, and `--online` for `doctor`.
/// `Err` is the exit status when there is nothing to run (help shown, usage error).
fn remote_command(
    name: &str,
    help_text: &str,
    args: Vec<OsString>,
    takes_online: bool,
) -> Result<(String, bool), ExitCode> {
    let mut online = false;
    let mut remotes: Vec<String> = Vec::new();
    let mut options_ended = false;
    for arg in args {
        let Some(arg) = arg.to_str() else {
            return Err(usage(&format!(
                "argument '{}' is not valid UTF-8",
                arg.to_string_lossy()
            )));
        };
        match arg {
            _ if options_ended || !arg.starts_with('-') => remotes.push(arg.to_owned()),
            "--" => options_ended = true,
            "-h" | "--help" => return Err(help(help_text)),
            "--online" if takes_online => {
                if online {
                    return Err(usage("--online given twice"));
                }
                online = true;
            }
            other => {
                let known: &[&str] = if takes_online {
                    &["--online", "--help"]
                } else {
                    &["--help"]
                };
                return Err(usage(&unknown_option(name, other, known)));
            }
        }
    }
    match remotes.len() {
        1 => Ok((remotes.swap_remove(0), online)),
        0 => Err(usage(&format!("{name} needs a REMOTE"))),
        _ => Err(usage(&format!("{name} takes exactly one REMOTE"))),
    }
}

/// The message for a command we do not know, with the nearest one we do.
fn unknown_command(word: &str) -> String {
    if word.starts_with('-') {
        return format!(
            "unknown option '{word}' (a command comes first: login, profiles, url, explain or doctor)"
        );
    }
    match nearest(word, &COMMANDS) {
        Some(command) => format!("unknown command '{word}' (did you mean '{command}'?)"),
        None => format!(
            "unknown command '{word}': the commands are login, profiles, url, explain and doctor"
        ),
    }
}

/// The message for an option `command` does not know, with the nearest it does.
pub(crate) fn unknown_option(command: &str, option: &str, known: &[&str]) -> String {
    if let Some((name, _)) = option.split_once('=')
        && known.contains(&name)
    {
        return format!("{command}: {name} takes no '=VALUE'");
    }
    match nearest(option, known) {
        Some(o) => format!("{command}: unknown option '{option}' (did you mean '{o}'?)"),
        None => format!("{command}: unknown option '{option}'"),
    }
}

/// The candidate within two edits of `word` (and less than half its own length away).
fn nearest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (args::distance(word, c), *c))
        .min()
        .filter(|&(d, c)| d <= 2 && d < c.len() / 2)
        .map(|(_, c)| c)
}

/// A help text on stdout; exit status 0.
pub(crate) fn help(text: &str) -> ExitCode {
    say!("{text}");
    ExitCode::SUCCESS
}

/// A usage error: the message and the usage on stderr; exit status 2.
fn usage(message: &str) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "codecommit-auth: {message}\n\n{USAGE}");
    ExitCode::from(2)
}
