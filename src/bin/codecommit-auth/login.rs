//! `codecommit-auth login`: `aws sso login` without the AWS CLI. The flows and the files
//! are the library's (`codecommit_auth::credentials::SignIn`); this is the command line,
//! the prompts and the browser.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use codecommit_auth::config::SharedConfig;
use codecommit_auth::credentials::{SignIn, SignInFlow, SignInPrompt};
use codecommit_auth::env::{Environment, OsEnvironment, Platform, ProcessRequest};
use codecommit_auth::{MAX_SHOWN, shown};

pub(crate) const HELP: &str = "\
usage: codecommit-auth login (--profile NAME | --sso-session NAME) [--no-browser]
                             [--device-code]

Signs in to IAM Identity Center and writes the SSO token to ~/.aws/sso/cache, exactly as
`aws sso login` does: the AWS CLI, botocore, git-remote-codecommit and this tool then all
use that one login. --profile signs in to the profile's [sso-session] (or, for a legacy
profile, its own sso_start_url); --sso-session names the [sso-session] directly.

  --no-browser      print the URL to open instead of opening a browser
  --device-code     sign in with a code shown here and confirmed on any device (for
                    machines without a browser; also spelled --use-device-code)

By default the browser on this machine opens the sign-in page and returns to a one-shot
listener on 127.0.0.1 (authorization code with PKCE). Gives up after 10 minutes; nothing
is written unless the sign-in succeeds.
Exit status: 0 signed in, 1 failed (the reason on stderr), 2 usage error.";

const OPTIONS: [&str; 6] = [
    "--profile",
    "--sso-session",
    "--no-browser",
    "--device-code",
    "--use-device-code",
    "--help",
];

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
struct Options {
    target: Target,
    no_browser: bool,
    device_code: bool,
}

#[derive(Debug, PartialEq, Eq)]
enum Target {
    Profile(String),
    Session(String),
}

/// Parsed, or the exit status to end with (help shown, usage error).
fn parse(args: Vec<OsString>) -> Result<Options, ExitCode> {
    let mut profile = None;
    let mut session = None;
    let mut no_browser = false;
    let mut device_code = false;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let Some(arg) = arg.to_str().map(str::to_owned) else {
            return Err(usage(&format!(
                "argument '{}' is not valid UTF-8",
                arg.to_string_lossy()
            )));
        };
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let flag = |set: &mut bool| {
            if inline.is_some() {
                return Err(usage(&format!("{name} takes no '=VALUE'")));
            }
            if *set {
                return Err(usage(&format!("{name} given twice")));
            }
            *set = true;
            Ok(())
        };
        match name.as_str() {
            "-h" | "--help" => return Err(crate::help(HELP)),
            "--no-browser" => flag(&mut no_browser)?,
            "--device-code" | "--use-device-code" => flag(&mut device_code)?,
            "--profile" | "--sso-session" => {
                let value = match inline {
                    Some(v) => v,
                    None => match args.next().map(|v| v.into_string()) {
                        Some(Ok(v)) if !v.starts_with('-') || v.len() == 1 => v,
                        _ => return Err(usage(&format!("{name} needs a NAME"))),
                    },
                };
                if value.is_empty() {
                    return Err(usage(&format!("{name} needs a NAME")));
                }
                let slot = if name == "--profile" {
                    &mut profile
                } else {
                    &mut session
                };
                if slot.is_some() {
                    return Err(usage(&format!("{name} given twice")));
                }
                *slot = Some(value);
            }
            other if other.starts_with('-') => {
                return Err(usage(&crate::unknown_option("login", other, &OPTIONS)));
            }
            other => {
                return Err(usage(&format!(
                    "unexpected argument '{other}' (name the profile with --profile NAME)"
                )));
            }
        }
    }
    let target = match (profile, session) {
        (Some(p), None) => Target::Profile(p),
        (None, Some(s)) => Target::Session(s),
        (Some(_), Some(_)) => {
            return Err(usage("--profile and --sso-session cannot be used together"));
        }
        (None, None) => {
            return Err(usage(
                "login needs --profile NAME or --sso-session NAME (what to sign in to)",
            ));
        }
    };
    Ok(Options {
        target,
        no_browser,
        device_code,
    })
}

/// Runs `codecommit-auth login ARGS`.
pub(crate) fn run(args: Vec<OsString>) -> ExitCode {
    let options = match parse(args) {
        Ok(options) => options,
        Err(code) => return code,
    };
    let env = OsEnvironment::new();
    let config = match SharedConfig::load(&env) {
        Ok(config) => config,
        Err(e) => return crate::modes::fail(&e.chain_message()),
    };
    let sign_in = match &options.target {
        Target::Profile(name) => SignIn::for_profile(&env, &config, name),
        Target::Session(name) => SignIn::for_sso_session(&env, &config, name),
    };
    let sign_in = match sign_in {
        Ok(sign_in) => sign_in,
        Err(e) => return crate::modes::fail(&e.chain_message()),
    };
    let flow = if options.device_code {
        SignInFlow::DeviceCode
    } else {
        if sign_in.sso_session().is_none() {
            note(
                "this profile has no [sso-session], so it signs in with a device code \
                 (as `aws sso login`); its token cannot be refreshed",
            );
        }
        SignInFlow::AuthorizationCode
    };
    let mut prompt = Prompt {
        env: &env,
        browser: !options.no_browser,
        terminal: std::io::stderr().is_terminal(),
        waiting_shown: false,
    };
    let outcome = sign_in.run(&env, flow, &mut prompt);
    prompt.finish();
    match outcome {
        Ok(done) => {
            // The AWS CLI's line, on stdout as there.
            say!(
                "Successfully logged into Start URL: {}",
                shown(sign_in.start_url(), MAX_SHOWN)
            );
            note(&format!(
                "token written to {} (valid until {})",
                done.token_file.display(),
                utc(done.expires_at)
            ));
            ExitCode::SUCCESS
        }
        Err(e) => crate::modes::fail(&e.chain_message()),
    }
}

/// The prompts, on stderr (stdout keeps the CLI's one success line).
struct Prompt<'a> {
    env: &'a OsEnvironment,
    browser: bool,
    terminal: bool,
    waiting_shown: bool,
}

impl SignInPrompt for Prompt<'_> {
    fn open(&mut self, url: &str, user_code: Option<&str>, complete: &str) {
        let opened = self.browser && open_browser(self.env, complete);
        let mut text = String::new();
        match (user_code, opened) {
            (Some(code), _) => {
                if opened {
                    text.push_str("A browser was opened to sign in. ");
                }
                text.push_str(&format!(
                    "Open this URL in a browser on any device:\n\n  {url}\n\nand check that it \
                     shows this code:\n\n  {code}\n\n(or open {complete}, which fills the code \
                     in)\n"
                ));
            }
            (None, true) => text.push_str(&format!(
                "A browser was opened to sign in. If it did not open, open this URL on this \
                 machine:\n\n  {url}\n\n(on a machine without a browser, run again with \
                 --device-code)\n"
            )),
            (None, false) => text.push_str(&format!(
                "Open this URL in a browser on this machine to sign in:\n\n  {url}\n\n(on a \
                 machine without a browser, run again with --device-code)\n"
            )),
        }
        let _ = writeln!(std::io::stderr(), "{text}");
    }

    fn waiting(&mut self, left: Duration) {
        let secs = left.as_secs();
        if self.terminal {
            let _ = write!(
                std::io::stderr(),
                "\rWaiting for the sign-in… {}:{:02} left ",
                secs / 60,
                secs % 60
            );
        } else if !self.waiting_shown {
            let _ = writeln!(
                std::io::stderr(),
                "Waiting for the sign-in (gives up in {} minutes)…",
                secs.div_ceil(60)
            );
        }
        self.waiting_shown = true;
    }
}

impl Prompt<'_> {
    /// Ends the progress line.
    fn finish(&self) {
        if self.terminal && self.waiting_shown {
            let _ = writeln!(std::io::stderr());
        }
    }
}

/// Opens `url` in the default browser through the process seam: `$BROWSER` if set, else
/// `xdg-open` (only with a display), `open` (macOS) or the URL handler (Windows).
/// Whether the opener reported success.
fn open_browser(env: &OsEnvironment, url: &str) -> bool {
    let argv: Vec<String> = match env.var("BROWSER").filter(|b| !b.trim().is_empty()) {
        // Python's webbrowser (the CLI's opener) reads BROWSER too; its first entry.
        Some(browser) => {
            let program = browser.split(':').next().unwrap_or_default().to_owned();
            vec![program, url.to_owned()]
        }
        None if env.platform() == Platform::Windows => vec![
            "rundll32".into(),
            "url.dll,FileProtocolHandler".into(),
            url.to_owned(),
        ],
        None if cfg!(target_os = "macos") => vec!["open".into(), url.to_owned()],
        None => {
            let display = ["DISPLAY", "WAYLAND_DISPLAY"]
                .iter()
                .any(|v| env.var(v).is_some_and(|d| !d.is_empty()));
            if !display {
                return false;
            }
            vec!["xdg-open".into(), url.to_owned()]
        }
    };
    let request = ProcessRequest::new(argv, Duration::from_secs(10), 64 * 1024);
    matches!(env.run_process(&request), Ok(output) if output.code == Some(0))
}

fn note(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}

/// `YYYY-MM-DD HH:MM:SS UTC`.
fn utc(t: std::time::SystemTime) -> String {
    let secs = t
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    codecommit_auth::SigningTime::from_unix(i64::try_from(secs).unwrap_or(i64::MAX))
        .map(|s| {
            let ts = s.timestamp();
            format!(
                "{}-{}-{} {}:{}:{} UTC",
                &ts[0..4],
                &ts[4..6],
                &ts[6..8],
                &ts[9..11],
                &ts[11..13],
                &ts[13..15]
            )
        })
        .unwrap_or_else(|_| format!("{secs} s after 1970"))
}

fn usage(message: &str) -> ExitCode {
    let _ = writeln!(
        std::io::stderr(),
        "codecommit-auth login: {message}\n\n{HELP}"
    );
    ExitCode::from(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(args: &[&str]) -> Result<Options, ExitCode> {
        parse(args.iter().map(OsString::from).collect())
    }

    #[test]
    fn spellings() {
        let o = parse_str(&["--profile", "dev", "--no-browser"]).unwrap();
        assert_eq!(o.target, Target::Profile("dev".into()));
        assert!(o.no_browser && !o.device_code);
        let o = parse_str(&["--sso-session=corp", "--use-device-code"]).unwrap();
        assert_eq!(o.target, Target::Session("corp".into()));
        assert!(o.device_code);
        assert!(
            parse_str(&["--device-code", "--profile", "p"])
                .unwrap()
                .device_code
        );
    }

    #[test]
    fn usage_errors() {
        for args in [
            &[][..],
            &["--profile"],
            &["--profile", "--no-browser"],
            &["--profile", "a", "--sso-session", "b"],
            &["--profile", "a", "--profile", "b"],
            &["--profile", "a", "--no-browser=1"],
            &["--profile", "a", "--device-code", "--use-device-code"],
            &["--profle", "a"],
            &["dev"],
            &["--profile="],
        ] {
            assert_eq!(parse_str(args), Err(ExitCode::from(2)), "{args:?}");
        }
    }
}
