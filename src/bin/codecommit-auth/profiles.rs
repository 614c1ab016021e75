//! `codecommit-auth profiles`: a placeholder until branch p15b's implementation is
//! merged (it replaces this file; the contract is `run` below).

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

/// Runs `codecommit-auth profiles ARGS` (`args`: what follows the word `profiles`).
pub(crate) fn run(args: Vec<OsString>) -> ExitCode {
    let _ = args;
    let _ = writeln!(
        std::io::stderr(),
        "codecommit-auth: profiles is not yet available"
    );
    ExitCode::from(2)
}
