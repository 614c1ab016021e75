//! Size and repetition: 10,000 profiles, megabyte lines, deep repetition, long role
//! chains. Each grows an input and checks that the work grows linearly: the time for
//! twice the input must stay under three times the time for the input (best of three,
//! so a busy machine does not fail the test), and every run must still give the
//! expected outcome.

use std::time::{Duration, Instant};

use codecommit_auth::ErrorKind::*;
use codecommit_auth::Remote;
use codecommit_auth::config::SharedConfig;

use crate::*;

/// The best of three timings of `run` on `input`.
fn best_of_three<T>(input: &T, run: &impl Fn(&T)) -> Duration {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            run(input);
            start.elapsed()
        })
        .min()
        .unwrap()
}

/// Asserts that `run` on an input four times larger takes less than eight times as
/// long (linear work takes four, quadratic sixteen), plus 10 ms of slack for small
/// timings. Inputs are made outside the timing. Other tests share the machine, so a
/// failed comparison is measured again, up to three times: noise passes on a retry,
/// a quadratic blow-up never does.
#[track_caller]
fn linear<T>(name: &str, n: usize, make: impl Fn(usize) -> T, run: impl Fn(&T)) {
    let (small_input, large_input) = (make(n), make(4 * n));
    let mut seen = Vec::new();
    for _ in 0..3 {
        let small = best_of_three(&small_input, &run);
        let large = best_of_three(&large_input, &run);
        eprintln!("{name}: n={n} {small:?}, 4n {large:?}");
        if large < small * 8 + Duration::from_millis(10) {
            return;
        }
        seen.push((small, large));
    }
    panic!("{name}: 4 x {n} took more than 8 times as long as {n}, three times: {seen:?}");
}

fn profiles(n: usize) -> (String, String) {
    let mut config = String::new();
    let mut credentials = String::new();
    for i in 0..n {
        config.push_str(&format!(
            "[profile p{i}]\nregion = eu-west-1\noutput = json\n"
        ));
        credentials.push_str(&format!(
            "[p{i}]\naws_access_key_id = AKID{i}\naws_secret_access_key = s\n"
        ));
    }
    (config, credentials)
}

#[test]
fn ten_thousand_profiles() {
    linear(
        "10,000 profiles: parse, merge, resolve the last",
        10_000,
        |n| (n, profiles(n)),
        |(n, (config, credentials))| {
            let env = memory()
                .with_file(config_path(), config.clone())
                .with_file(credentials_path(), credentials.clone());
            let got = sign(env, &format!("codecommit://p{}@Repo", n - 1)).unwrap();
            assert!(got.as_str().starts_with(&format!("https://AKID{}:", n - 1)));
        },
    );
    linear(
        "10,000 profiles: the not-found message lists them",
        10_000,
        |n| (n, profiles(n).0),
        |(n, config)| {
            let env = memory().with_file(config_path(), config.clone());
            let err = sign(env, "codecommit://nobody@Repo").unwrap_err();
            assert_eq!(err.kind(), ProfileNotFound);
            assert!(err.message().contains(&format!(", p{}.", n - 1)));
        },
    );
}

/// Parses `text` as a config file.
fn parse(text: &String) -> SharedConfig {
    SharedConfig::from_sources(Some(text.as_bytes()), None).unwrap()
}

#[test]
fn megabyte_lines() {
    let mb = 1 << 20;
    linear(
        "a long value",
        mb,
        |n| format!("[default]\nk = {}\n", "v".repeat(n)),
        |text| {
            assert_eq!(
                parse(text)
                    .profile("default")
                    .unwrap()
                    .get("k")
                    .unwrap()
                    .len(),
                text.len() - 15
            )
        },
    );
    linear(
        "a long line without `=`",
        mb,
        |n| format!("[default]\n{}\n", "v".repeat(n)),
        |text| {
            let err = SharedConfig::from_sources(Some(text.as_bytes()), None).unwrap_err();
            assert_eq!(err.kind(), ConfigParse);
        },
    );
    linear(
        "a long section name",
        mb,
        |n| format!("[profile {}]\n", "p".repeat(n)),
        |text| assert_eq!(parse(text).profile_names()[0].len(), text.len() - 11),
    );
    linear(
        "a long quoted section name (shell-split)",
        mb,
        |n| format!("[profile \"{}\"]\n", "p ".repeat(n / 2)),
        |text| assert_eq!(parse(text).profile_names().len(), 1),
    );
    linear(
        "a long remote",
        mb,
        |n| format!("codecommit://{}@Repo", "p".repeat(n)),
        |remote| assert_eq!(Remote::parse(remote).unwrap().repository().as_str(), "Repo"),
    );
    linear(
        "a long remote full of brackets",
        mb,
        |n| format!("codecommit://[{}]@Repo", ":".repeat(n)),
        |remote| assert_eq!(Remote::parse(remote).unwrap_err().kind(), MalformedRemote),
    );
}

#[test]
fn deep_repetition() {
    let n = 10_000;
    linear(
        "[DEFAULT] reopened",
        n,
        |n| {
            (0..n)
                .map(|i| format!("[DEFAULT]\nk{i} = v\n"))
                .collect::<String>()
                + "[default]\n"
        },
        |text| assert!(parse(text).profile("default").unwrap().keys().len() >= n),
    );
    linear(
        "keys in one section",
        n,
        |n| "[default]\n".to_owned() + &(0..n).map(|i| format!("k{i} = v\n")).collect::<String>(),
        |text| assert!(parse(text).profile("default").unwrap().keys().len() >= n),
    );
    linear(
        "continuation lines",
        10 * n,
        |n| format!("[default]\nk = a\n{}", "  b\n".repeat(n)),
        |text| {
            assert!(
                parse(text)
                    .profile("default")
                    .unwrap()
                    .get("k")
                    .unwrap()
                    .len()
                    > 2 * n
            )
        },
    );
    linear(
        "nested sub-properties",
        n,
        |n| {
            format!(
                "[default]\ns3 =\n{}",
                (0..n).map(|i| format!("  k{i} = v\n")).collect::<String>()
            )
        },
        |text| {
            assert!(
                parse(text)
                    .profile("default")
                    .unwrap()
                    .sub_properties("s3")
                    .unwrap()
                    .len()
                    >= n
            )
        },
    );
    linear(
        "sections under one name, again and again",
        n,
        |n| {
            // Distinct raw names that all shell-split to `profile x`: i in binary, as
            // `""` and `''`.
            let name = |i: usize| -> String {
                (0..16)
                    .map(|bit| if i >> bit & 1 == 1 { "''" } else { "\"\"" })
                    .collect()
            };
            (0..n)
                .map(|i| format!("[profile x{}]\nk = v\n", name(i)))
                .collect::<String>()
        },
        |text| assert_eq!(parse(text).profile_names(), ["x"]),
    );
    linear(
        "sso-sessions",
        n,
        |n| {
            (0..n)
                .map(|i| format!("[sso-session s{i}]\nsso_region = us-east-1\n"))
                .collect::<String>()
        },
        |text| assert!(parse(text).sso_session_names().len() >= n),
    );
}

/// A role chain of `n` profiles, each the source of the one before, ending in static
/// keys. Resolution walks it to the end before the first STS call (which fails here:
/// there is no HTTP client).
fn chain(n: usize) -> String {
    let mut text = String::new();
    for i in 0..n {
        text.push_str(&format!("[profile r{i}]\nregion = eu-west-1\nrole_arn = arn:aws:iam::1:role/R{i}\nsource_profile = r{}\n", i + 1));
    }
    text.push_str(&format!(
        "[profile r{n}]\naws_access_key_id = AKID\naws_secret_access_key = s\n"
    ));
    text
}

/// Found by this test: a chain of 10,000 roles overflowed the stack and aborted the
/// process (SIGABRT) when assume-role recursed; the iterative ChainPlan that replaced
/// it walked all 10,000 (quadratically) and would have made 10,000 STS calls. Chains
/// stop at 64 roles.
#[test]
fn long_role_chains() {
    // On a thread with a 2 MiB stack (the default for spawned threads), so the outcome
    // does not depend on the harness.
    let run = |n: usize| {
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                let env = memory().with_file(config_path(), chain(n));
                sign(env, "codecommit://r0@Repo").map(|u| u.as_str().to_owned())
            })
            .unwrap()
            .join()
            .unwrap()
    };
    let too_long =
        "The role chain of profile r0 is longer than 64 roles (at profile r64); shorten the chain";
    let mut rows = Vec::new();
    for (n, want) in [
        // 64 roles: walked to the end, then the first STS call fails (no HTTP client).
        (
            64,
            error(
                Network,
                "the STS AssumeRole call for role arn:aws:iam::1:role/R63",
            ),
        ),
        (65, error(InvalidConfig, too_long)),
        (10_000, error(InvalidConfig, too_long)),
    ] {
        let got = run(n).map(|_| unreachable!("no STS here"));
        rows.push((format!("a chain of {n} roles"), want, got));
    }
    assert_rows(rows);
}
