//! The command line: git's `REMOTE-NAME URL`, or one of our own modes.
//!
//! Hand-written rather than a parser crate: it runs before every git fetch and push, and
//! a hand-written one adds nothing measurable to the startup (`benches/startup.sh`). It
//! follows the conventions of Rust command-line tools all the same: `-h`/`--help` (also
//! after a mode, for that mode's help), `-V`/`--version`, options in any order after the
//! first, `--` to end options, and exit status 2 with the usage on stderr for any usage
//! error.
//!
//! The rule that keeps a typo away from git: when the first argument starts with `-`,
//! the command line is ours, and anything in it we do not know is a usage error — it is
//! never taken as git's `REMOTE-NAME` (the reference takes any two arguments as git's,
//! so there `--print-ur REMOTE` signs a URL and runs `git remote-http`). A first
//! argument without a leading `-` is git's contract, checked as the reference checks it
//! (exactly two arguments, else its "Too few/many arguments" text). A git remote whose
//! name starts with `-` therefore cannot use this helper (it gets the usage error);
//! `git remote add` takes such a name for an option unless it follows `--`.

use std::ffi::OsString;

/// The usage text, for `--help` (stdout) and usage errors (stderr).
pub(crate) const USAGE: &str = "\
usage: git-remote-codecommit REMOTE-NAME URL          (run by git for codecommit:// remotes)
       git-remote-codecommit --print-url REMOTE       print the signed HTTPS URL
       git-remote-codecommit --explain REMOTE         show how REMOTE resolves (no secrets)
       git-remote-codecommit --doctor [--online] REMOTE
                                                      check everything REMOTE needs
       git-remote-codecommit --help | --version

REMOTE is codecommit://[PROFILE@]REPOSITORY or codecommit::REGION://[PROFILE@]REPOSITORY.
--doctor makes no network call unless --online is given. MODE --help explains a mode.
Exit status: 0 done, 1 failed (one line on stderr), 2 usage error.";

const PRINT_URL_HELP: &str = "\
usage: git-remote-codecommit --print-url REMOTE

Prints the signed HTTPS URL for REMOTE on stdout, for tools that take plain HTTPS URLs.
The URL carries credentials (and the session token of temporary ones) and is valid for
15 minutes. REMOTE is codecommit://[PROFILE@]REPOSITORY or
codecommit::REGION://[PROFILE@]REPOSITORY.";

const EXPLAIN_HELP: &str = "\
usage: git-remote-codecommit --explain REMOTE

Shows how REMOTE resolves: the profile and why, the region and where it came from, the
Git host, the credential source and expiry, and the URL without credentials. Prints no
secret. Fetches credentials as git would (SSO, roles and credential_process included).";

const DOCTOR_HELP: &str = "\
usage: git-remote-codecommit --doctor [--online] REMOTE

Walks the troubleshooting list for REMOTE and says, step by step, what it checked and
found: the config and credentials files, the profile, the region, the Git host, the
credentials, the SSO login, git remote-http, and which git-remote-codecommit git runs.
Prints no secret. Without --online it makes no network call, runs no credential_process
and writes nothing; with --online it fetches the credentials as git would, then asks STS
who they are (GetCallerIdentity), compares the local clock with the services', sends the
Git host git's first request, and on a 403 asks CodeCommit about the repository
(GetRepository), naming the proxy and CA each call used. It lists the credential helpers
git would ask for the host either way. Exit status 1 if a step failed.";

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Command {
    /// git's contract, `REMOTE-NAME URL`, with the argument count still to check.
    Helper,
    /// The help text of a mode (or the general usage), on stdout.
    Help(Option<Mode>),
    /// The version, on stdout.
    Version,
    /// `--print-url REMOTE`.
    PrintUrl(String),
    /// `--explain REMOTE`.
    Explain(String),
    /// `--doctor [--online] REMOTE`.
    Doctor { remote: String, online: bool },
    /// A usage error: the message, for stderr with the usage after it; exit status 2.
    Usage(String),
}

/// Our modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    PrintUrl,
    Explain,
    Doctor,
}

impl Mode {
    fn flag(self) -> &'static str {
        match self {
            Mode::PrintUrl => "--print-url",
            Mode::Explain => "--explain",
            Mode::Doctor => "--doctor",
        }
    }

    /// The mode's help text.
    pub(crate) fn help(self) -> &'static str {
        match self {
            Mode::PrintUrl => PRINT_URL_HELP,
            Mode::Explain => EXPLAIN_HELP,
            Mode::Doctor => DOCTOR_HELP,
        }
    }
}

/// Every option we know, for "did you mean".
const OPTIONS: [&str; 8] = [
    "--print-url",
    "--explain",
    "--doctor",
    "--online",
    "--help",
    "--version",
    "-h",
    "-V",
];

/// Parses the arguments after the program name.
pub(crate) fn parse(args: &[OsString]) -> Command {
    let starts_with_dash = |a: &OsString| a.as_encoded_bytes().first() == Some(&b'-');
    match args.first() {
        Some(first) if starts_with_dash(first) => {}
        _ => return Command::Helper,
    }

    let mut mode: Option<Mode> = None;
    let mut online = false;
    let mut help = false;
    let mut version = false;
    let mut positional: Vec<String> = Vec::new();
    let mut options_ended = false;
    for arg in args {
        let Some(arg) = arg.to_str() else {
            return Command::Usage(format!(
                "argument '{}' is not valid UTF-8",
                arg.to_string_lossy()
            ));
        };
        if options_ended || !arg.starts_with('-') {
            positional.push(arg.to_owned());
            continue;
        }
        let this = match arg {
            "--" => {
                options_ended = true;
                continue;
            }
            "-h" | "--help" => {
                help = true;
                continue;
            }
            "-V" | "--version" => {
                version = true;
                continue;
            }
            "--online" => {
                if online {
                    return Command::Usage("--online given twice".to_owned());
                }
                online = true;
                continue;
            }
            "--print-url" => Mode::PrintUrl,
            "--explain" => Mode::Explain,
            "--doctor" => Mode::Doctor,
            other => return Command::Usage(unknown(other)),
        };
        if let Some(mode) = mode {
            return Command::Usage(if mode == this {
                format!("{} given twice", this.flag())
            } else {
                format!(
                    "{} and {} cannot be used together",
                    mode.flag(),
                    this.flag()
                )
            });
        }
        mode = Some(this);
    }

    if help {
        return Command::Help(mode);
    }
    if version {
        return match (mode, positional.is_empty()) {
            (None, true) if !online => Command::Version,
            _ => Command::Usage("--version takes nothing else".to_owned()),
        };
    }
    let Some(mode) = mode else {
        return Command::Usage(if online {
            "--online goes with --doctor: --doctor --online REMOTE".to_owned()
        } else {
            "no mode given: --print-url, --explain or --doctor".to_owned()
        });
    };
    if online && mode != Mode::Doctor {
        return Command::Usage(format!("--online goes with --doctor, not {}", mode.flag()));
    }
    if positional.len() != 1 {
        return Command::Usage(if positional.is_empty() {
            format!("{} needs a REMOTE", mode.flag())
        } else {
            format!("{} takes exactly one REMOTE", mode.flag())
        });
    }
    let remote = positional.swap_remove(0);
    match mode {
        Mode::PrintUrl => Command::PrintUrl(remote),
        Mode::Explain => Command::Explain(remote),
        Mode::Doctor => Command::Doctor { remote, online },
    }
}

/// The message for an option we do not know, with the nearest one we do.
fn unknown(arg: &str) -> String {
    if let Some((name, _)) = arg.split_once('=')
        && OPTIONS.contains(&name)
    {
        return format!(
            "{name} takes no '=VALUE'; give the remote as its own argument: {name} REMOTE"
        );
    }
    let nearest = OPTIONS
        .iter()
        .filter(|o| o.starts_with("--"))
        .map(|o| (distance(arg, o), *o))
        .min()
        .filter(|&(d, o)| d <= 2 && d < o.len() / 2);
    match nearest {
        Some((_, option)) => format!("unknown option '{arg}' (did you mean '{option}'?)"),
        None => format!("unknown option '{arg}'"),
    }
}

/// Edit distance with adjacent transpositions (optimal string alignment), by byte.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(args: &[&str]) -> Command {
        let args: Vec<OsString> = args.iter().map(OsString::from).collect();
        parse(&args)
    }

    #[test]
    fn our_modes() {
        let remote = "codecommit://dev@Repo";
        assert_eq!(
            parse_str(&["--print-url", remote]),
            Command::PrintUrl(remote.into())
        );
        assert_eq!(
            parse_str(&["--explain", remote]),
            Command::Explain(remote.into())
        );
        for args in [
            &["--doctor", "--online", remote][..],
            &["--doctor", remote, "--online"],
            &["--online", "--doctor", remote],
        ] {
            assert_eq!(
                parse_str(args),
                Command::Doctor {
                    remote: remote.into(),
                    online: true
                },
                "{args:?}"
            );
        }
        assert_eq!(
            parse_str(&["--doctor", "--", "-odd"]),
            Command::Doctor {
                remote: "-odd".into(),
                online: false
            }
        );
    }

    #[test]
    fn help_and_version() {
        assert_eq!(parse_str(&["--help"]), Command::Help(None));
        assert_eq!(parse_str(&["-h"]), Command::Help(None));
        assert_eq!(
            parse_str(&["--doctor", "--help"]),
            Command::Help(Some(Mode::Doctor))
        );
        assert_eq!(
            parse_str(&["-h", "--print-url"]),
            Command::Help(Some(Mode::PrintUrl))
        );
        assert_eq!(parse_str(&["--version"]), Command::Version);
        assert_eq!(parse_str(&["-V"]), Command::Version);
        assert!(matches!(parse_str(&["--version", "x"]), Command::Usage(_)));
    }

    #[test]
    fn git_contract_is_left_to_the_helper() {
        assert_eq!(parse_str(&[]), Command::Helper);
        assert_eq!(parse_str(&["origin"]), Command::Helper);
        assert_eq!(
            parse_str(&["origin", "codecommit://Repo", "x"]),
            Command::Helper
        );
        // A URL that looks like an option is still git's second argument.
        assert_eq!(parse_str(&["origin", "--print-url"]), Command::Helper);
    }

    #[test]
    fn usage_errors_say_what_is_wrong() {
        let usage = |args: &[&str]| match parse_str(args) {
            Command::Usage(message) => message,
            other => panic!("{args:?}: {other:?}"),
        };
        assert_eq!(
            usage(&["--print-ur", "R"]),
            "unknown option '--print-ur' (did you mean '--print-url'?)"
        );
        assert_eq!(
            usage(&["--explian", "R"]),
            "unknown option '--explian' (did you mean '--explain'?)"
        );
        assert_eq!(
            usage(&["--doctr", "R"]),
            "unknown option '--doctr' (did you mean '--doctor'?)"
        );
        assert_eq!(usage(&["-x", "R"]), "unknown option '-x'");
        assert_eq!(usage(&["-", "R"]), "unknown option '-'");
        assert_eq!(
            usage(&["--print-url=", "R"]),
            "--print-url takes no '=VALUE'; give the remote as its own argument: \
             --print-url REMOTE"
        );
        assert_eq!(usage(&["--print-url"]), "--print-url needs a REMOTE");
        assert_eq!(usage(&["--doctor", "--online"]), "--doctor needs a REMOTE");
        assert_eq!(
            usage(&["--explain", "a", "b"]),
            "--explain takes exactly one REMOTE"
        );
        assert_eq!(
            usage(&["--explain", "--doctor", "R"]),
            "--explain and --doctor cannot be used together"
        );
        assert_eq!(
            usage(&["--explain", "--online", "R"]),
            "--online goes with --doctor, not --explain"
        );
        assert_eq!(
            usage(&["--online", "R"]),
            "--online goes with --doctor: --doctor --online REMOTE"
        );
        assert_eq!(
            usage(&["--print-url", "--print-url", "R"]),
            "--print-url given twice"
        );
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_options_are_usage_errors() {
        use std::os::unix::ffi::OsStringExt;
        let args = vec![OsString::from_vec(b"--print-url\xff".to_vec())];
        assert!(matches!(parse(&args), Command::Usage(_)));
    }
}
