//! `credential_process` (botocore's `custom-process` provider, `reference/behavior.md`
//! §8).
//!
//! The command is split the way botocore splits it — POSIX shell words without any
//! expansion (`~` and `$VAR` stay literal), or the MSVCRT rules on Windows — and run
//! directly, no shell. Where we deliberately differ:
//!
//! * DIFFERENCE: stdin is closed. botocore lets the command inherit it, but a git remote
//!   helper's stdin is git's protocol stream, which a command reading stdin would eat.
//! * DIFFERENCE: the command is killed after a timeout (60 s, or
//!   `CODECOMMIT_AUTH_PROCESS_TIMEOUT` seconds) and its output is capped at 1 MiB;
//!   botocore waits forever.
//! * DIFFERENCE: it runs once per resolution. botocore re-runs it on every read of the
//!   credentials when they expire within 15 minutes (five runs per git command, §4.5).

use std::time::Duration;

use serde_json::Value;

use super::{BaseStep, ChainContext, Keys, Outcome, Provider, Resolved, Reuse, Source, timestamp};
use crate::config::{Profile, SharedConfig};
use crate::env::{Platform, ProcessErrorKind, ProcessRequest};
use crate::error::{Error, ErrorKind};

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
const MAX_OUTPUT: usize = 1 << 20;
/// How much of a failed command's stderr its error message keeps, in characters.
const MAX_STDERR_SHOWN: usize = 4096;

#[derive(Debug)]
pub(crate) struct CredentialProcess;

impl Provider for CredentialProcess {
    fn profile_keys(&self) -> Option<&'static str> {
        Some("credential_process")
    }

    fn provide(&self, ctx: &ChainContext<'_>) -> Result<Outcome, Error> {
        let Some(profile) = ctx.config.profile(ctx.profile) else {
            return Ok(Outcome::NotConfigured);
        };
        let Some(command) = profile.get("credential_process") else {
            return Ok(Outcome::NotConfigured);
        };
        let fail = |what: String| {
            Error::new(
                ErrorKind::ProcessFailed,
                format!(
                    "Error when retrieving credentials from custom-process: {what} (the \
                     credential_process of profile {})",
                    ctx.profile
                ),
            )
        };
        let stdout = run(ctx, command, &fail)?;
        let credentials = parse_output(ctx, profile, &stdout, &fail)?;
        Ok(Outcome::Found(Resolved {
            credentials,
            source: Source::new(METHOD, Reuse::UntilExpiry, what(ctx.profile)).renewed_by(format!(
                "the credential_process of profile {} returned an expired session: make \
                     it return fresh credentials (log in to what it asks)",
                super::advice_name(ctx.profile)
            )),
        }))
    }

    fn plan(&self, _: &SharedConfig, profile: Profile<'_>) -> Result<Option<BaseStep>, Error> {
        Ok(profile
            .contains_key("credential_process")
            .then(|| BaseStep::other(profile.name(), METHOD, what(profile.name()))))
    }
}

/// botocore's name for the provider.
const METHOD: &str = "custom-process";

/// `credential_process of profile P`: the credentials' source and the plan's base step
/// alike.
fn what(profile: &str) -> String {
    format!("credential_process of profile {profile}")
}

/// Builds the provider's errors: `Error when retrieving credentials from custom-process:
/// WHAT (the credential_process of profile P)`.
type Fail<'a> = dyn Fn(String) -> Error + 'a;

/// Runs `command` and gives its standard output; a failure to start, a timeout or a
/// non-zero exit is an error quoting (escaped, bounded) what it wrote to stderr.
fn run(ctx: &ChainContext<'_>, command: &str, fail: &Fail<'_>) -> Result<Vec<u8>, Error> {
    let argv = split(command, ctx.env.platform()).map_err(|e| fail(e.to_owned()))?;
    if argv.is_empty() {
        return Err(fail("credential_process is empty".into()));
    }
    let timeout = ctx
        .env
        .var("CODECOMMIT_AUTH_PROCESS_TIMEOUT")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(DEFAULT_TIMEOUT, Duration::from_secs);
    let output = ctx
        .env
        .run_process(&ProcessRequest {
            argv,
            timeout,
            max_output: MAX_OUTPUT,
        })
        .map_err(|e| match e.kind() {
            ProcessErrorKind::Timeout => fail(format!(
                "{e}; raise CODECOMMIT_AUTH_PROCESS_TIMEOUT if it needs longer"
            )),
            _ => fail(e.to_string()),
        })?;
    if output.code != Some(0) {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let status = output
            .code
            .map_or("a signal".to_owned(), |c| format!("status {c}"));
        // What the command wrote is shown escaped and bounded: it is for a person,
        // and a broken command can write a megabyte of anything.
        return Err(fail(format!(
            "the command exited with {status}: {}",
            crate::error::shown(stderr.trim_end(), MAX_STDERR_SHOWN)
        )));
    }
    Ok(output.stdout)
}

/// The credentials in the command's output (botocore's `_retrieve_credentials_using`).
fn parse_output(
    ctx: &ChainContext<'_>,
    profile: Profile<'_>,
    stdout: &[u8],
    fail: &Fail<'_>,
) -> Result<super::Credentials, Error> {
    let doc: Value = serde_json::from_slice(stdout)
        .map_err(|e| fail(format!("its output is not JSON ({e})")))?;
    let Value::Object(doc) = doc else {
        return Err(fail("its output is not a JSON object".into()));
    };
    check_version(&doc, fail)?;
    let field = |name: &str| -> Result<Option<String>, Error> {
        match doc.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(fail(format!("{name} in its output is not a string"))),
        }
    };
    let (Some(ak), Some(sk)) = (field("AccessKeyId")?, field("SecretAccessKey")?) else {
        let missing = if doc.contains_key("AccessKeyId") {
            "SecretAccessKey"
        } else {
            "AccessKeyId"
        };
        return Err(fail(format!(
            "Missing required key in response: '{missing}'"
        )));
    };
    let expiry = match field("Expiration")? {
        None => None,
        Some(text) => {
            let t = timestamp::parse(&text)
                .map_err(|e| fail(format!("Expiration {} (it is {text:?})", e.describe())))?;
            if t <= ctx.env.now() {
                return Err(Error::new(
                    ErrorKind::CredentialsExpired,
                    format!(
                        "the credential_process of profile {} returned credentials that \
                         expired at {}",
                        ctx.profile,
                        timestamp::format_utc(t)
                    ),
                ));
            }
            Some(t)
        }
    };
    let account = field("AccountId")?.or_else(|| profile.get("aws_account_id").map(str::to_owned));
    Ok(Keys {
        access_key_id: ak,
        secret_access_key: sk,
        session_token: field("SessionToken")?,
        expiry,
        account_id: account,
        provider: METHOD,
    }
    .build())
}

/// The output's `Version`, which must be 1.
fn check_version(doc: &serde_json::Map<String, Value>, fail: &Fail<'_>) -> Result<(), Error> {
    // BOTOCORE: `Version != 1` in Python, so 1, 1.0 and true pass; "1" does not.
    match doc.get("Version") {
        Some(Value::Number(n)) if n.as_f64() == Some(1.0) => {}
        Some(Value::Bool(true)) => {}
        None => {
            return Err(fail(
                "Unsupported version '<Version key not provided>' for credential process \
                 provider, supported versions: 1"
                    .into(),
            ));
        }
        Some(other) => {
            return Err(fail(format!(
                "Unsupported version '{}' for credential process provider, supported \
                 versions: 1",
                describe(other)
            )));
        }
    }
    Ok(())
}

/// A JSON value as Python would print it in the version message, without quoting
/// anything long.
fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => s.chars().take(40).collect(),
        Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        Value::Null => "None".into(),
        other => other.to_string().chars().take(40).collect(),
    }
}

/// Splits a command line into words: POSIX `shlex.split` (quotes, backslashes, no
/// expansion) or, on Windows, the MSVCRT rules.
pub(crate) fn split(command: &str, platform: Platform) -> Result<Vec<String>, &'static str> {
    match platform {
        Platform::Unix => split_posix(command),
        Platform::Windows => Ok(split_windows(command)),
    }
}

fn split_posix(s: &str) -> Result<Vec<String>, &'static str> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            // `shlex` splits at these four only: U+00A0 and other Unicode spaces stay in
            // the word, as in botocore.
            ' ' | '\t' | '\r' | '\n' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("No closing quotation in credential_process"),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        // Inside "…" a backslash escapes only `"` and itself (shlex's
                        // `escapedquotes`; `$` and `` ` `` are no shell syntax there).
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err("No closing quotation in credential_process"),
                        },
                        Some(c) => word.push(c),
                        None => return Err("No closing quotation in credential_process"),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(c) => word.push(c),
                    None => return Err("No escaped character in credential_process"),
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// The MSVCRT rules (`CommandLineToArgvW`): spaces and tabs separate, `"` quotes,
/// backslashes are literal unless they precede a `"`.
fn split_windows(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quoted = false;
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            let run = chars[i..].iter().take_while(|&&c| c == '\\').count();
            i += run;
            in_word = true;
            if chars.get(i) == Some(&'"') {
                word.extend(std::iter::repeat_n('\\', run / 2));
                if run % 2 == 1 {
                    word.push('"');
                    i += 1;
                }
            } else {
                word.extend(std::iter::repeat_n('\\', run));
            }
            continue;
        }
        match c {
            '"' => {
                in_word = true;
                quoted = !quoted;
            }
            ' ' | '\t' if !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
        i += 1;
    }
    if in_word {
        words.push(word);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posix_split_is_shlex() {
        // behavior.md §8, observed: `args "a b" 'c d' e\ f ~/x $HOME`.
        assert_eq!(
            split_posix(r#"args "a b" 'c d' e\ f ~/x $HOME"#).unwrap(),
            ["args", "a b", "c d", "e f", "~/x", "$HOME"]
        );
        assert_eq!(split_posix(r#"a"b"'c'd"#).unwrap(), ["abcd"]);
        assert_eq!(split_posix(r#""x\"y\\z\n""#).unwrap(), [r#"x"y\z\n"#]);
        assert_eq!(split_posix("''").unwrap(), [""]);
        assert_eq!(split_posix("   ").unwrap(), Vec::<String>::new());
        assert!(split_posix("a 'b").is_err());
        assert!(split_posix("a \"b").is_err());
        assert!(split_posix("a\\").is_err());
    }

    /// Found by the `process` fuzz target, compared with `shlex.split` on CPython 3.11:
    /// only space, TAB, CR and LF separate words, and inside double quotes a backslash
    /// before `$` or `` ` `` stays.
    #[test]
    fn posix_split_matches_shlex_on_unicode_space_and_dollar() {
        assert_eq!(split_posix("a\u{a0}b").unwrap(), ["a\u{a0}b"]);
        assert_eq!(
            split_posix("a\u{2003}b\u{b}c\u{c}d").unwrap(),
            ["a\u{2003}b\u{b}c\u{c}d"]
        );
        assert_eq!(split_posix(r#""a\$b" "a\`b""#).unwrap(), [r"a\$b", r"a\`b"]);
        assert_eq!(split_posix("a\tb\rc\nd").unwrap(), ["a", "b", "c", "d"]);
    }

    #[test]
    fn windows_split_is_msvcrt() {
        assert_eq!(
            split_windows(r#"C:\tools\get.exe "a b" c\d "e\"f" g\\"h i""#),
            [r"C:\tools\get.exe", "a b", r"c\d", "e\"f", r"g\h i"]
        );
        assert_eq!(split_windows("a\tb  c"), ["a", "b", "c"]);
    }
}
