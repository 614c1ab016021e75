//! `credential_process`: its output parsed through the resolver (the process runner
//! hands back the fuzz bytes), and its command line split as botocore splits it.
//!
//! Input: one control byte, then the payload.
//! * bit 0 clear: the payload is the process's stdout (bit 1: it exits with status 1,
//!   and the payload is its stderr instead).
//! * bit 0 set: the payload is the `credential_process` line itself (bit 1: Windows
//!   rules); the process must be started with exactly the words the splitter gives.
#![no_main]

use std::sync::{Arc, Mutex};

use codecommit_auth::__fuzz::{shlex_split, split_command};
use codecommit_auth::env::{Platform, ProcessOutput};
use codecommit_auth::{ErrorKind, Resolver};
use fuzz_support::{check, distinctive};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const GOOD: &str =
    r#"{"Version": 1, "AccessKeyId": "AKIDPROCESS", "SecretAccessKey": "SENTINEL-PROCESS-SECRET"}"#;

fuzz_target!(|data: &[u8]| {
    let Some((&control, payload)) = data.split_first() else {
        return;
    };
    if control & 1 == 1 {
        command_line(payload, control & 2 == 2);
    } else {
        output(payload, control & 2 == 2);
    }
});

fn output(payload: &[u8], fail: bool) {
    let payload_owned = payload.to_vec();
    let env = fuzz_support::env(
        "[profile p]\nregion = us-east-1\ncredential_process = /opt/fuzz/get-credentials --profile p\n",
    )
    .with_process_runner(move |request| {
        assert_eq!(request.argv, ["/opt/fuzz/get-credentials", "--profile", "p"]);
        Ok(if fail {
            ProcessOutput::new(Some(1)).with_stderr(payload_owned.clone())
        } else {
            ProcessOutput::new(Some(0)).with_stdout(payload_owned.clone())
        })
    });
    let mut never = Vec::new();
    if !fail && let Ok(Value::Object(doc)) = serde_json::from_slice::<Value>(payload) {
        for key in ["SecretAccessKey", "SessionToken"] {
            if let Some(Value::String(s)) = doc.get(key)
                && distinctive(s, payload)
            {
                never.push(s.clone());
            }
        }
    }
    let never: Vec<&str> = never.iter().map(String::as_str).collect();
    let kinds = [ErrorKind::ProcessFailed, ErrorKind::CredentialsExpired];
    let outcome = Resolver::with_environment(env).resolve("codecommit://p@Repo");
    if let Err(err) = &outcome {
        // However much the process wrote, the message stays a message.
        assert!(
            err.message().len() <= 8 * 1024,
            "a {} byte message",
            err.message().len()
        );
    }
    if let Some(resolution) = check(outcome, &kinds, &never, payload) {
        assert!(!fail);
        assert_eq!(resolution.credential_source().method(), "custom-process");
    }
}

fn command_line(payload: &[u8], windows: bool) {
    let Ok(command) = std::str::from_utf8(payload) else {
        return;
    };
    let words = split_command(command, windows);
    if !windows {
        // botocore splits with `shlex.split`, which the section-name code reproduces.
        assert_eq!(words, shlex_split(command), "{command:?}");
    }
    // The profile file must carry the command unchanged: one line, no padding.
    if command.contains(char::is_control) || command.trim() != command || command.is_empty() {
        return;
    }
    let seen: Arc<Mutex<Option<Vec<String>>>> = Arc::default();
    let record = Arc::clone(&seen);
    let mut env = fuzz_support::env(&format!(
        "[profile p]\nregion = us-east-1\ncredential_process = {command}\n"
    ))
    .with_process_runner(move |request| {
        *record.lock().unwrap() = Some(request.argv.clone());
        Ok(ProcessOutput::new(Some(0)).with_stdout(GOOD))
    });
    if windows {
        env = env.with_platform(Platform::Windows).with_var(
            "AWS_CONFIG_FILE",
            format!("{}/.aws/config", fuzz_support::HOME),
        );
    }
    let outcome = Resolver::with_environment(env).resolve("codecommit://p@Repo");
    let ran = seen.lock().unwrap().take();
    match (&words, &ran) {
        (Some(w), Some(argv)) => assert_eq!(w, argv),
        (Some(w), None) => {
            // The config parser may have read the line differently (a `#`, a `[`), or
            // the words were empty: then there is nothing to run.
            let _ = (w, &outcome);
        }
        (None, Some(argv)) => panic!("ran {argv:?} for a command the splitter refuses"),
        (None, None) => {}
    }
    let _ = check(
        outcome,
        &[
            ErrorKind::ProcessFailed,
            ErrorKind::ConfigParse,
            ErrorKind::CredentialsNotFound,
            ErrorKind::ProfileNotFound,
            ErrorKind::Unsupported,
            ErrorKind::InvalidConfig,
            ErrorKind::SsoLoginRequired,
            ErrorKind::Network,
            ErrorKind::PartialCredentials,
        ],
        &["SENTINEL-PROCESS-SECRET"],
        payload,
    );
}
