//! MFA codes for roles with `mfa_serial` (`reference/behavior.md` §7.1).
//!
//! botocore asks its prompter — `getpass.getpass`, which reads the controlling terminal
//! — with `Enter MFA code for <serial>: ` and sends the answer as `TokenCode`. We ask,
//! in this order:
//!
//! 1. the application's MFA callback ([`Resolver::with_mfa_callback`](crate::Resolver::with_mfa_callback),
//!    the C ABI's `codecommit_resolver_set_mfa_callback`), when it set one: nothing
//!    else is asked;
//! 2. an askpass program, found as git finds one (`GIT_ASKPASS`, then git's
//!    `core.askPass`, then `SSH_ASKPASS`), run with the prompt as its argument: its
//!    first line of output is the code. GUI git clients set one;
//! 3. the person at the controlling terminal, echo off, as git asks for a password —
//!    unless `GIT_TERMINAL_PROMPT` is false, as in git.
//!
//! When nobody answers, the error says what was tried and how to get the code in. The
//! code is a secret: it is wiped after the STS call and never shown.

use std::time::Duration;

use zeroize::Zeroizing;

use super::ChainContext;
use crate::env::ProcessRequest;
use crate::error::{Error, ErrorKind, MAX_SHOWN, shown};

/// What [`Resolver::with_mfa_callback`](crate::Resolver::with_mfa_callback) takes: given
/// the role's profile and its `mfa_serial`, the code, `Ok(None)` to decline (the
/// resolution fails with [`ErrorKind::MfaRequired`]), or an error to fail with.
pub type MfaCallback = dyn Fn(&str, &str) -> Result<Option<String>, Error> + Send + Sync;

/// A resolver's MFA callback, as it keeps it.
pub(crate) struct Hook(pub(crate) Box<MfaCallback>);

impl std::fmt::Debug for Hook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MfaCallback")
    }
}

/// How long an askpass program may wait for its person.
const ASKPASS_TIMEOUT: Duration = Duration::from_secs(300);

/// The most an askpass program may write.
const ASKPASS_MAX_OUTPUT: usize = 4096;

/// botocore's prompt (`AssumeRoleCredentialFetcher._assume_role_kwargs`).
pub(crate) fn prompt(serial: &str) -> String {
    format!("Enter MFA code for {serial}: ")
}

/// The code for the role of `profile`, whose `mfa_serial` is `serial`.
///
/// # Errors
///
/// [`ErrorKind::MfaRequired`] when nobody gave one (the message says what was tried);
/// the callback's own error.
pub(crate) fn code(
    ctx: &ChainContext<'_>,
    profile: &str,
    serial: &str,
    role_arn: &str,
) -> Result<Zeroizing<String>, Error> {
    let needs = || {
        format!(
            "profile {} needs an MFA code (mfa_serial = {}) to assume {}",
            shown(profile, MAX_SHOWN),
            shown(serial, MAX_SHOWN),
            shown(role_arn, MAX_SHOWN),
        )
    };
    if let Some(callback) = ctx.mfa {
        return match callback(profile, serial)? {
            Some(code) => checked(Zeroizing::new(code), "the application's MFA callback"),
            None => Err(Error::new(
                ErrorKind::MfaRequired,
                format!("{}, and the application's MFA callback gave none", needs()),
            )),
        };
    }
    let prompt = prompt(serial);
    let mut tried = Vec::new();
    if let Some((program, from)) = askpass_program(ctx) {
        match askpass(ctx, &program, &prompt) {
            Ok(code) => return checked(code, &format!("the askpass program {program:?}")),
            Err(why) => tried.push(format!("the askpass program {program:?} from {from} {why}")),
        }
    }
    if terminal_prompts_off(ctx) {
        tried.push("terminal prompts are off (GIT_TERMINAL_PROMPT)".to_owned());
    } else {
        match ctx.env.prompt_secret(&prompt) {
            Ok(code) => return checked(Zeroizing::new(code), "the terminal"),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
                return Err(Error::new(
                    ErrorKind::MfaRequired,
                    format!("{}, and the prompt for it was cancelled", needs()),
                ));
            }
            Err(e) => tried.push(format!("no terminal to ask on ({e})")),
        }
    }
    Err(Error::new(
        ErrorKind::MfaRequired,
        format!(
            "{}, and nobody could be asked for it: {}. Run git from a terminal, set \
             GIT_ASKPASS to a program that asks for it, or assume the role once with the \
             AWS CLI (e.g. `aws sts get-caller-identity --profile {}`), which caches the \
             session for us to reuse",
            needs(),
            tried.join("; "),
            shown(profile, MAX_SHOWN),
        ),
    ))
}

/// The code without surrounding white space; an empty one is refused here rather than
/// by STS. BOTOCORE: sends what getpass returned, a stray space included, which STS
/// refuses.
fn checked(mut code: Zeroizing<String>, from: &str) -> Result<Zeroizing<String>, Error> {
    let trimmed = code.trim();
    if trimmed.is_empty() {
        return Err(Error::new(
            ErrorKind::MfaRequired,
            format!("no MFA code was entered ({from} gave an empty answer)"),
        ));
    }
    if trimmed.len() != code.len() {
        let start = code.len() - code.trim_start().len();
        let len = trimmed.len();
        code.replace_range(..start, "");
        code.truncate(len);
    }
    Ok(code)
}

/// git's `GIT_TERMINAL_PROMPT`: a false value turns the terminal off
/// (`git_env_bool`, where an empty value is false too).
fn terminal_prompts_off(ctx: &ChainContext<'_>) -> bool {
    ctx.env.var("GIT_TERMINAL_PROMPT").is_some_and(|v| {
        let v = v.trim().to_ascii_lowercase();
        matches!(v.as_str(), "" | "0" | "false" | "no" | "off")
    })
}

/// The askpass program as git picks it (`prompt.c`, `git_prompt`): `GIT_ASKPASS`, else
/// `core.askPass`, else `SSH_ASKPASS`; an empty value counts as none.
fn askpass_program(ctx: &ChainContext<'_>) -> Option<(String, &'static str)> {
    let var = |name: &'static str| ctx.env.var(name).map(|v| (v, name));
    var("GIT_ASKPASS")
        .or_else(|| git_config_askpass(ctx).map(|v| (v, "core.askPass")))
        .or_else(|| var("SSH_ASKPASS"))
        .filter(|(program, _)| !program.is_empty())
}

/// `git config core.askPass`, when git runs and has one set (git does not pass its
/// configuration to the helpers it starts).
fn git_config_askpass(ctx: &ChainContext<'_>) -> Option<String> {
    let request = ProcessRequest::new(
        vec!["git".into(), "config".into(), "core.askPass".into()],
        Duration::from_secs(10),
        ASKPASS_MAX_OUTPUT,
    );
    let out = ctx.env.run_process(&request).ok()?;
    if out.code != Some(0) {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    Some(text.trim_end_matches(['\r', '\n']).to_owned())
}

/// Runs `program PROMPT` (no shell, as git's `do_askpass`) and takes its output up to
/// the first line end. The error completes "the askpass program … from VAR …".
fn askpass(
    ctx: &ChainContext<'_>,
    program: &str,
    prompt: &str,
) -> Result<Zeroizing<String>, String> {
    let request = ProcessRequest::new(
        vec![program.to_owned(), prompt.to_owned()],
        ASKPASS_TIMEOUT,
        ASKPASS_MAX_OUTPUT,
    );
    let out = ctx
        .env
        .run_process(&request)
        .map_err(|e| format!("failed: {e}"))?;
    let stdout = Zeroizing::new(out.stdout);
    if out.code != Some(0) {
        return Err(match out.code {
            Some(code) => format!("exited with status {code}"),
            None => "was killed by a signal".to_owned(),
        });
    }
    let line = stdout
        .split(|b| *b == b'\n' || *b == b'\r')
        .next()
        .unwrap_or_default();
    let text = std::str::from_utf8(line).map_err(|_| "wrote an answer that is not UTF-8")?;
    Ok(Zeroizing::new(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prompt_is_botocores() {
        assert_eq!(
            prompt("arn:aws:iam::111122223333:mfa/me"),
            "Enter MFA code for arn:aws:iam::111122223333:mfa/me: "
        );
    }

    #[test]
    fn codes_are_trimmed_and_empty_ones_refused() {
        let code = checked(Zeroizing::new(" 123456 \t".into()), "t").unwrap();
        assert_eq!(code.as_str(), "123456");
        let err = checked(Zeroizing::new("  ".into()), "the terminal").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MfaRequired);
        assert_eq!(
            err.message(),
            "no MFA code was entered (the terminal gave an empty answer)"
        );
    }
}
