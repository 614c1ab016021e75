//! The modes `git-remote-codecommit --print-url/--explain` and `codecommit-auth
//! url/explain` share: one implementation, included by both programs with `#[path]`
//! (as `doctor.rs` is). Each program defines `say!` before including it.

use std::io::Write;
use std::process::ExitCode;

use codecommit_auth::env::Environment;
use codecommit_auth::{Resolver, SigningTime};

/// The signed password is valid this long after signing (CodeCommit's window).
const VALIDITY_SECS: i64 = 15 * 60;

/// `--print-url` (`url`): the signed URL alone, for tools that take plain HTTPS URLs.
pub(crate) fn print_url(remote: &str) -> ExitCode {
    match Resolver::new().signed_url(remote) {
        Ok(signed) => {
            let mut out = std::io::stdout().lock();
            match writeln!(out, "{}", signed.as_str()).and_then(|()| out.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(&format!("cannot write the URL: {e}")),
            }
        }
        Err(e) => fail(&e.chain_message()),
    }
}

/// `--explain` (`explain`): the resolution and the URL it signs, with the credentials left out.
pub(crate) fn explain(remote: &str) -> ExitCode {
    let resolver = Resolver::new();
    let resolution = match resolver.resolve(remote) {
        Ok(r) => r,
        Err(e) => return fail(&e.chain_message()),
    };
    let time = match SigningTime::from_system_time(resolver.environment().now()) {
        Ok(t) => t,
        Err(e) => return fail(&e.chain_message()),
    };
    let signed = resolution.sign(time);
    let until = SigningTime::from_unix(time.unix() + VALIDITY_SECS)
        .map(|t| t.timestamp().to_owned())
        .unwrap_or_default();
    say!("{}", resolution.explain().trim_end());
    say!(
        "{:<12} {} (valid until {until})",
        "signed at",
        time.timestamp()
    );
    say!(
        "{:<12} {} (credentials left out; --print-url prints the whole URL)",
        "url",
        signed.redacted()
    );
    ExitCode::SUCCESS
}

/// Prints `message` on stderr; exit status 1.
pub(crate) fn fail(message: &str) -> ExitCode {
    // Not `eprintln!`, which panics (exit 101) when stderr is a closed pipe.
    let _ = writeln!(std::io::stderr(), "{message}");
    ExitCode::FAILURE
}
