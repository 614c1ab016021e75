//! The cross-SDK file-location suite (conformance README §2), run through the
//! environment seam with the case's platform, so the Windows cases run on any machine.
//!
//! Source: `smithy-rs/aws/rust-runtime/aws-runtime/test-data/file-location-tests.json`.

use codecommit_auth::config::{locate, profile_from_env};
use codecommit_auth::env::{MemoryEnvironment, Platform};

use crate::support::conformance;

const SUITE: &str = "smithy-rs/aws/rust-runtime/aws-runtime/test-data/file-location-tests.json";

/// DIFFERENCE: cases where we follow botocore (behavior.md §3.1.1), by array index, with
/// botocore's `(config, credentials)` paths. Python's `ntpath.expanduser` (3.8+) ignores
/// `HOME` on Windows: it takes `USERPROFILE`, else `HOMEDRIVE`+`HOMEPATH`, else leaves
/// `~` unexpanded. The cross-SDK suite reads `HOME` first.
///
/// botocore writes its default as `~/.aws/config` and keeps the `/` on Windows; we join
/// with `\`. Both name the same file, so the check maps `/.aws/` to `\.aws\` first.
const BOTOCORE_WINDOWS_HOME: &[(usize, &str, &str)] = &[
    // USERPROFILE="ignored" is the home, not HOME.
    (1, "ignored/.aws/config", "ignored/.aws/credentials"),
    // HOME alone is no home on Windows: the default keeps its `~`.
    (6, "C:\\other\\path\\config", "~/.aws/credentials"),
    (7, "~/.aws/config", "C:\\other\\path\\credentials"),
];

#[test]
fn file_location_suite() {
    let suite = conformance::json(SUITE);
    let cases = suite["tests"].as_array().unwrap();
    assert_eq!(cases.len(), 9, "the suite has 9 cases");
    let mut failures = Vec::new();
    let (mut agree, mut diverge) = (0, 0);
    for (i, case) in cases.iter().enumerate() {
        let name = case["name"].as_str().unwrap();
        let platform = match case["platform"].as_str().unwrap() {
            "linux" => Platform::Unix,
            "windows" => Platform::Windows,
            other => panic!("#{i}: unknown platform {other}"),
        };
        let env = case["environment"].as_object().unwrap().iter().fold(
            MemoryEnvironment::new().with_platform(platform),
            |env, (k, v)| env.with_var(k.as_str(), v.as_str().unwrap()),
        );
        let found = locate(&env);
        let got = (
            found.config.map(|p| p.to_string_lossy().into_owned()),
            found.credentials.map(|p| p.to_string_lossy().into_owned()),
        );
        let suite_answer = (
            case["configLocation"].as_str().map(String::from),
            case["credentialsLocation"].as_str().map(String::from),
        );
        let want = match BOTOCORE_WINDOWS_HOME.iter().find(|(at, _, _)| *at == i) {
            Some((_, config, credentials)) => {
                let ours = |p: &str| Some(p.replacen("/.aws/", "\\.aws\\", 1).replace('/', "\\"));
                if got == suite_answer {
                    failures.push(format!(
                        "#{i} {name:?}: listed divergence agrees with the suite"
                    ));
                }
                diverge += 1;
                (ours(config), ours(credentials))
            }
            None => {
                agree += 1;
                suite_answer
            }
        };
        if got != want {
            failures.push(format!("#{i} {name:?}: located {got:?}, want {want:?}"));
        }
        // One case has no expected profile (conformance README §2).
        if let Some(profile) = case["profile"].as_str() {
            let (selected, _) = profile_from_env(&env);
            if selected != profile {
                failures.push(format!(
                    "#{i} {name:?}: profile {selected:?}, want {profile:?}"
                ));
            }
        }
    }
    eprintln!("file location suite: agree {agree}, botocore divergences {diverge}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!((agree, diverge), (6, 3));
}
