//! Prints the signed HTTPS URL for a `codecommit://` remote.
//!
//! ```text
//! cargo run --example signed_url -- [--at YYYYMMDDTHHMMSS] [--explain] REMOTE
//! ```
//!
//! `--at` fixes the signing time (tests, reproducibility); without it the URL is signed
//! now. `--explain` prints, on stderr, which profile, region, host and credential source
//! were used (never a secret). On any error the message goes to stderr and the exit
//! status is 1.
//!
//! With the demo files shipped beside this example:
//!
//! ```text
//! AWS_CONFIG_FILE=examples/demo/config AWS_SHARED_CREDENTIALS_FILE=examples/demo/credentials \
//!     cargo run --example signed_url -- codecommit://demo@MyDemoRepo
//! ```

use std::process::ExitCode;

use codecommit_auth::env::Environment;
use codecommit_auth::{Resolver, SigningTime};

const USAGE: &str = "usage: signed_url [--at YYYYMMDDTHHMMSS] [--explain] REMOTE";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(url) => {
            println!("{url}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("signed_url: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<String, String> {
    let mut at = None;
    let mut explain = false;
    let mut remote = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--at" => {
                let value = args
                    .next()
                    .ok_or("--at needs a time, e.g. --at 20240601T120000")?;
                at = Some(SigningTime::parse(&value).map_err(|e| e.to_string())?);
            }
            "--explain" => explain = true,
            "-h" | "--help" => return Err(USAGE.to_owned()),
            _ if remote.is_none() => remote = Some(arg),
            _ => return Err(format!("unexpected argument {arg:?}\n{USAGE}")),
        }
    }
    let remote = remote.ok_or(USAGE)?;

    let resolver = Resolver::new();
    let resolution = resolver.resolve(&remote).map_err(|e| e.chain_message())?;
    let time = match at {
        Some(time) => time,
        None => SigningTime::from_system_time(resolver.environment().now())
            .map_err(|e| e.to_string())?,
    };
    if explain {
        eprint!("{}", resolution.explain());
    }
    Ok(resolution.sign(time).into_string())
}
