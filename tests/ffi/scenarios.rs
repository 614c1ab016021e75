//! Remotes resolved against the fixture `HOME` (`tests/c/fixture/home`), one per outcome
//! of the C ABI, shared by `tests/ffi.rs` (Rust calling the extern functions) and
//! `tests/c_programs.rs` (C programs).
//!
//! Each scenario runs in a child process whose environment is exactly the scenario's:
//! the C ABI reads the process environment, which threads of one test process must not
//! change. What the C ABI gives is compared with what the safe Rust API gives for the same
//! variables and files (held in a `MemoryEnvironment` with the real clock, processes and
//! HTTP client): same code (the kind's name), same URL byte for byte, same message text.
//! Each scenario also names the code it must give, so a fixture that drifted cannot make
//! both sides agree on the wrong answer.
//!
//! Every kind of the Rust API the C ABI can reach has a scenario (`unsupported` only comes
//! from an environment without an HTTP client, which the C ABI's is not); the network
//! ones talk only to 127.0.0.1 (a closed port, and a server of ours that answers 403).

#![allow(dead_code)] // each test binary uses a different subset

use std::io::{Read, Write};
use std::net::TcpListener;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::SystemTime;

use codecommit_auth::env::{HttpsClient, MemoryEnvironment, OsEnvironment};
use codecommit_auth::{Resolver, SigningTime};

/// The published vector (git-remote-codecommit's test suite): access key `access`,
/// secret `secret`, us-west-2, `test_repo`, signed at 1514116400.
pub const VECTOR_TIME: i64 = 1_514_116_400;
pub const VECTOR_URL: &str = "https://access:20171224T115320Zb6df2d758a8023b2f000a546417007b6\
                              5494f3ce8ad0300fd45fcfa173f1959a@git-codecommit.us-west-2.amazonaws.com/v1/repos/test_repo";
/// The same with session token `token`: only the username changes.
pub const VECTOR_TOKEN_URL: &str = "https://access%25token:20171224T115320Zb6df2d758a8023b2f000a\
                                    546417007b65494f3ce8ad0300fd45fcfa173f1959a@git-codecommit.us-west-2.amazonaws.com/v1/repos/test_repo";
/// The resolver's doc example: AWS's example keys, us-east-2, at 2024-06-01T12:00:00Z.
pub const DEMO_TIME: i64 = 1_717_243_200;
pub const DEMO_URL: &str = "https://AKIAIOSFODNN7EXAMPLE:20240601T120000Z3771d71042efad2edbd15\
                            02fdf6c19ca745870fe3459ca0c365bedc0462268fa@git-codecommit.us-east-2.amazonaws.com/v1/repos/MyRepositoryName";

/// One remote in one environment, and the code expected once config is real.
#[derive(Clone, Copy, Debug)]
pub struct Scenario {
    pub name: &'static str,
    pub remote: &'static str,
    pub unix: i64,
    /// Variables besides `HOME` (the fixture) and `PATH`. A value `@large-config` or
    /// `@bad-config` names a file made at run time.
    pub vars: &'static [(&'static str, &'static str)],
    /// The kind name (`codecommit_error_name`) with the real config module.
    pub expect: &'static str,
    /// For `ok`: the URL.
    pub url: Option<&'static str>,
}

const fn ok(name: &'static str, remote: &'static str, unix: i64, url: &'static str) -> Scenario {
    Scenario {
        name,
        remote,
        unix,
        vars: &[],
        expect: "ok",
        url: Some(url),
    }
}

const fn err(name: &'static str, remote: &'static str, expect: &'static str) -> Scenario {
    Scenario {
        name,
        remote,
        unix: VECTOR_TIME,
        vars: &[],
        expect,
        url: None,
    }
}

const ENV_KEYS: &[(&str, &str)] = &[
    ("AWS_ACCESS_KEY_ID", "access"),
    ("AWS_SECRET_ACCESS_KEY", "secret"),
    ("AWS_DEFAULT_REGION", "us-west-2"),
];

pub const SCENARIOS: &[Scenario] = &[
    // Decided before any file is read.
    err(
        "malformed_remote",
        "codecommit::codecommit://repo",
        "malformed_remote",
    ),
    err(
        "malformed_remote_no_repository",
        "codecommit://",
        "malformed_remote",
    ),
    Scenario {
        unix: -1,
        ..err(
            "invalid_signing_time",
            "codecommit://vector@test_repo",
            "invalid_signing_time",
        )
    },
    Scenario {
        unix: SigningTime::MAX_UNIX + 1,
        ..err(
            "signing_time_after_9999",
            "codecommit://vector@test_repo",
            "invalid_signing_time",
        )
    },
    // Resolved from the fixture files. First a scheme that is neither codecommit nor a
    // region: the reference decides this only after the profile check.
    err(
        "malformed_remote_scheme",
        "https://github.com/o/r",
        "malformed_remote",
    ),
    ok(
        "vector",
        "codecommit://vector@test_repo",
        VECTOR_TIME,
        VECTOR_URL,
    ),
    ok(
        "vector_token",
        "codecommit://vector-token@test_repo",
        VECTOR_TIME,
        VECTOR_TOKEN_URL,
    ),
    ok(
        "region_in_remote",
        "codecommit::us-west-2://vector@test_repo",
        VECTOR_TIME,
        VECTOR_URL,
    ),
    ok(
        "region_scheme_as_git_passes_it",
        "us-west-2://vector@test_repo",
        VECTOR_TIME,
        VECTOR_URL,
    ),
    ok(
        "demo_profile",
        "codecommit://demo@MyRepositoryName",
        DEMO_TIME,
        DEMO_URL,
    ),
    Scenario {
        vars: ENV_KEYS,
        ..ok(
            "environment_keys",
            "codecommit://test_repo",
            VECTOR_TIME,
            VECTOR_URL,
        )
    },
    err(
        "invalid_repository_name",
        "codecommit://vector@bad$name",
        "invalid_repository_name",
    ),
    Scenario {
        vars: &[("AWS_CONFIG_FILE", "@large-config")],
        ..err(
            "config_read",
            "codecommit://vector@test_repo",
            "config_read",
        )
    },
    Scenario {
        vars: &[("AWS_CONFIG_FILE", "@bad-config")],
        ..err(
            "config_parse",
            "codecommit://vector@test_repo",
            "config_parse",
        )
    },
    err(
        "profile_not_found",
        "codecommit://no-such-profile@test_repo",
        "profile_not_found",
    ),
    // invalid_config: no provider on main raises it yet (SSO and roles will).
    err(
        "credentials_not_found",
        "codecommit://no-keys@test_repo",
        "credentials_not_found",
    ),
    err(
        "partial_credentials",
        "codecommit://partial@test_repo",
        "partial_credentials",
    ),
    Scenario {
        vars: &[
            ("AWS_ACCESS_KEY_ID", "access"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_DEFAULT_REGION", "us-west-2"),
            ("AWS_CREDENTIAL_EXPIRATION", "2000-01-01T00:00:00Z"),
        ],
        ..err(
            "credentials_expired",
            "codecommit://test_repo",
            "credentials_expired",
        )
    },
    Scenario {
        vars: &[
            ("AWS_ACCESS_KEY_ID", "access"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_DEFAULT_REGION", "us-west-2"),
            ("AWS_CREDENTIAL_EXPIRATION", "soon"),
        ],
        ..err(
            "malformed_credentials",
            "codecommit://test_repo",
            "malformed_credentials",
        )
    },
    err(
        "invalid_config",
        "codecommit://sso-incomplete@test_repo",
        "invalid_config",
    ),
    // No token file for its session: `aws login` is needed.
    err(
        "login_required",
        "codecommit://login-session@test_repo",
        "login_required",
    ),
    err(
        "sso_login_required",
        "codecommit://sso-no-login@test_repo",
        "sso_login_required",
    ),
    Scenario {
        // Nobody to ask: no askpass program (not even the machine's git core.askPass)
        // and, should the tests run in a terminal, no prompt on it.
        vars: &[("GIT_TERMINAL_PROMPT", "0"), ("GIT_ASKPASS", "")],
        ..err("mfa_required", "codecommit://mfa@test_repo", "mfa_required")
    },
    err(
        "process_failed",
        "codecommit://process-fails@test_repo",
        "process_failed",
    ),
    Scenario {
        vars: &[("AWS_ENDPOINT_URL_SSO", "@refusing-endpoint")],
        ..err("network", "codecommit://sso-cached@test_repo", "network")
    },
    Scenario {
        vars: &[("AWS_ENDPOINT_URL_SSO", "@forbidding-endpoint")],
        ..err(
            "service_error",
            "codecommit://sso-cached@test_repo",
            "service_error",
        )
    },
    err(
        "region_not_found",
        "codecommit://no-region@test_repo",
        "region_not_found",
    ),
    err(
        "region_not_available",
        "codecommit://mars@test_repo",
        "region_not_available",
    ),
    err(
        "fips_not_available",
        "codecommit://fips-nowhere@test_repo",
        "fips_not_available",
    ),
];

pub fn scenario(name: &str) -> &'static Scenario {
    SCENARIOS
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no scenario {name}"))
}

/// The fixture `HOME`, with `.aws/config` and `.aws/credentials`.
pub fn fixture_home() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/c/fixture/home")
}

/// A file made at run time for `@name` values.
fn made_file(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ffi-fixtures");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let contents: Vec<u8> = match name {
        // Over config's 16 MiB limit: a comment is valid, so only the size is wrong.
        "large-config" => {
            let mut v = b"[default]\nregion = us-west-2\n".to_vec();
            v.resize(16 * 1024 * 1024 + 1, b'#');
            v
        }
        // The same key twice in one section: botocore's ConfigParseError.
        "bad-config" => b"[default]\nregion = a\nRegion = b\n".to_vec(),
        _ => panic!("no made file {name}"),
    };
    let fresh = std::fs::metadata(&path).is_ok_and(|m| m.len() == contents.len() as u64);
    if !fresh {
        // Write then rename: several test processes may make the file at once.
        let tmp = dir.join(format!("{name}.{}", std::process::id()));
        std::fs::write(&tmp, &contents).unwrap();
        std::fs::rename(&tmp, &path).unwrap();
    }
    path
}

impl Scenario {
    /// The child's whole environment (PATH is kept so valgrind and friends are found).
    ///
    /// Instance metadata is switched off: the end of the credential chain would otherwise
    /// ask 169.254.169.254, and tests talk to nothing but 127.0.0.1.
    pub fn env(&self) -> Vec<(String, String)> {
        let mut env = vec![
            (
                "HOME".to_owned(),
                fixture_home().to_string_lossy().into_owned(),
            ),
            ("AWS_EC2_METADATA_DISABLED".to_owned(), "true".to_owned()),
        ];
        if let Some(path) = std::env::var_os("PATH") {
            env.push(("PATH".to_owned(), path.to_string_lossy().into_owned()));
        }
        for &(name, value) in self.vars {
            let value = match value {
                "@refusing-endpoint" => format!("http://127.0.0.1:{}", refusing_port()),
                "@forbidding-endpoint" => format!("http://127.0.0.1:{}", forbidding_server()),
                _ => match value.strip_prefix('@') {
                    Some(file) => made_file(file).to_string_lossy().into_owned(),
                    None => value.to_owned(),
                },
            };
            env.push((name.to_owned(), value));
        }
        env
    }

    /// What the safe Rust API gives for this scenario's environment and files.
    pub fn rust_outcome(&self) -> Outcome {
        outcome_in(&self.env(), |resolver| {
            resolver
                .signed_url_at(self.remote, SigningTime::from_unix(self.unix)?)
                .map(|url| url.as_str().to_owned())
        })
    }
}

/// A call's result: the code's name and the URL or message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub code: String,
    pub text: String,
}

impl Outcome {
    /// Whether a C ABI result agrees with this Rust result: same code, and the same
    /// text (for a panic: the C message quotes the panic's).
    pub fn agrees(&self, code: &str, text: &str) -> bool {
        code == self.code
            && if self.code == "panic" {
                text.contains(&self.text)
            } else {
                text == self.text
            }
    }
}

/// Runs `f` on a resolver over `env` and the files it names, in memory.
pub fn outcome_in(
    env: &[(String, String)],
    f: impl FnOnce(&Resolver<MemoryEnvironment>) -> Result<String, codecommit_auth::Error>,
) -> Outcome {
    // The real clock, processes and HTTP client, as the C ABI's OsEnvironment has.
    let mut memory = MemoryEnvironment::new()
        .with_now(SystemTime::now())
        .with_process_runner(OsEnvironment::run)
        .with_http_client(HttpsClient::from_environment(&MemoryEnvironment::new()));
    let mut files = Vec::new();
    for (name, value) in env {
        memory = memory.with_var(name.as_str(), value.as_str());
        match name.as_str() {
            "HOME" => files.extend(files_under(&Path::new(value).join(".aws"))),
            "AWS_CONFIG_FILE" | "AWS_SHARED_CREDENTIALS_FILE" => files.push(value.into()),
            _ => {}
        }
    }
    for path in files {
        if let Ok(bytes) = std::fs::read(&path) {
            memory = memory.with_file(path, bytes);
        }
    }
    let resolver = Resolver::with_environment(memory);
    match catch_unwind(AssertUnwindSafe(|| f(&resolver))) {
        Ok(Ok(text)) => Outcome {
            code: "ok".to_owned(),
            text,
        },
        Ok(Err(e)) => Outcome {
            code: e.kind().name().to_owned(),
            text: e.to_string(),
        },
        Err(payload) => Outcome {
            code: "panic".to_owned(),
            text: payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default(),
        },
    }
}

/// Checks a scenario's C ABI result against the Rust API and the scenario's expectation.
/// Returns a description of what is wrong, if anything.
pub fn check(s: &Scenario, code: &str, text: &str) -> Option<String> {
    let rust = s.rust_outcome();
    if !rust.agrees(code, text) {
        return Some(format!(
            "{}: the C ABI gave {code} {text:?}, the Rust API {} {:?}",
            s.name, rust.code, rust.text
        ));
    }
    if code != s.expect {
        return Some(format!(
            "{}: expected {}, got {code} {text:?}",
            s.name, s.expect
        ));
    }
    if let (Some(url), "ok") = (s.url, code)
        && text != url
    {
        return Some(format!("{}: URL {text}\nexpected {url}", s.name));
    }
    None
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// A port on 127.0.0.1 where nothing listens: connections are refused.
fn refusing_port() -> u16 {
    static PORT: OnceLock<u16> = OnceLock::new();
    *PORT.get_or_init(|| {
        // Bind and drop: the port was free a moment ago and is closed now.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    })
}

/// A server on 127.0.0.1 that answers every request with HTTP 403, as the SSO portal
/// does for a role the user may not assume. It serves at most 256 requests, then stops.
fn forbidding_server() -> u16 {
    static PORT: OnceLock<u16> = OnceLock::new();
    *PORT.get_or_init(|| {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(256) {
                let Ok(mut stream) = stream else { continue };
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request);
                let body = r#"{"message":"No access","__type":"ForbiddenException"}"#;
                let _ = write!(
                    stream,
                    "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        port
    })
}
