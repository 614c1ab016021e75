//! `codecommit-auth`: placeholder that dispatches only `profiles` (branch p15b). The
//! real binary, with `login`, `url`, `explain`, `doctor`, `--help` and `--version`, is
//! branch p15a's `main.rs`, which declares `mod profiles;` and calls
//! `profiles::run` the same way.

mod profiles;

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    match args.next() {
        Some(word) if word == "profiles" => profiles::run(args.collect()),
        _ => {
            eprintln!("usage: codecommit-auth profiles --sso-session NAME [OPTIONS]");
            ExitCode::from(2)
        }
    }
}
