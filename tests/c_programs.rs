//! The C and C++ programs of `tests/c/` and `examples/c/`, compiled against the committed
//! header and linked both ways, with the static and with the shared library that this
//! `cargo test` built, then run and checked.
//!
//! * Compilers: `CC` (default `cc`) with `-std=c99 -Wall -Wextra -Wpedantic -Werror`,
//!   `CXX` (default `c++`) with `-std=c++17` and the same warnings.
//! * Libraries: `libcodecommit_auth.a` and `.so` from the directory of this test binary
//!   (`target/<profile>/deps`, where cargo puts the library this run built).
//! * `VALGRIND="valgrind --leak-check=full --error-exitcode=1"` runs every program under
//!   that prefix; `CODECOMMIT_C_SANITIZE=1` builds them with
//!   `-fsanitize=address,undefined` and checks with `nm` that the runtimes were linked.
//!   `.ci/ffi.sh` runs both.
//!
//! Programs that read the environment run with exactly a scenario's (the fixture HOME of
//! `tests/c/fixture/home`, see `ffi/scenarios.rs`), and their results must match the
//! Rust API's: same code, same URL, same message.

// Tests spawn compilers and read fixtures directly; the Environment seam is the
// library's, not theirs.
#![allow(clippy::disallowed_methods)]

#[path = "ffi/scenarios.rs"]
mod scenarios;
mod support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

use scenarios::{DEMO_TIME, DEMO_URL, SCENARIOS, VECTOR_TOKEN_URL, VECTOR_URL};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Link {
    Static,
    Shared,
}

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The libraries Rust's native dependencies need when the static library is linked
/// (`cargo rustc -- --print native-static-libs` on Linux).
const NATIVE_STATIC_LIBS: &str = "-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc";

fn sanitize() -> bool {
    std::env::var_os("CODECOMMIT_C_SANITIZE").is_some_and(|v| v == "1")
}

/// Where this run's `libcodecommit_auth.{a,so}` are.
fn lib_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap();
    for dir in [deps, deps.parent().unwrap()] {
        if dir.join("libcodecommit_auth.a").is_file() && dir.join("libcodecommit_auth.so").is_file()
        {
            return dir.to_path_buf();
        }
    }
    panic!("no libcodecommit_auth.a and .so beside {}", exe.display());
}

/// Compiles `source` (relative to the crate root) and links it `link`ed; once per test
/// process for each pair.
fn build(source: &str, link: Link) -> PathBuf {
    static BUILT: Mutex<Option<HashMap<(String, Link), PathBuf>>> = Mutex::new(None);
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    let built = built.get_or_insert_with(HashMap::new);
    if let Some(path) = built.get(&(source.to_owned(), link)) {
        return path.clone();
    }

    let cpp = source.ends_with(".cpp");
    let stem = Path::new(source).file_stem().unwrap().to_str().unwrap();
    let variant = match (link, sanitize()) {
        (Link::Static, false) => "static",
        (Link::Shared, false) => "shared",
        (Link::Static, true) => "static-asan",
        (Link::Shared, true) => "shared-asan",
    };
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("c-programs")
        .join(variant);
    std::fs::create_dir_all(&dir).unwrap();
    let binary = dir.join(if cpp {
        format!("{stem}_cpp")
    } else {
        stem.to_owned()
    });

    let compiler = if cpp {
        std::env::var("CXX").unwrap_or_else(|_| "c++".into())
    } else {
        std::env::var("CC").unwrap_or_else(|_| "cc".into())
    };
    let lib = lib_dir();
    let mut cmd = Command::new(&compiler);
    cmd.arg(if cpp { "-std=c++17" } else { "-std=c99" })
        .args([
            "-Wall",
            "-Wextra",
            "-Wpedantic",
            "-Werror",
            "-g",
            "-O1",
            "-pthread",
        ])
        .arg(format!("-I{ROOT}/include"));
    if sanitize() {
        cmd.args([
            "-fsanitize=address,undefined",
            "-fno-omit-frame-pointer",
            "-fno-sanitize-recover=undefined",
        ]);
    }
    cmd.arg(Path::new(ROOT).join(source)).arg("-o").arg(&binary);
    match link {
        Link::Static => {
            cmd.arg(lib.join("libcodecommit_auth.a"))
                .args(NATIVE_STATIC_LIBS.split_whitespace());
        }
        Link::Shared => {
            let lib = soname_links(&dir.join("lib"));
            cmd.arg(format!("-L{}", lib.display()))
                .arg("-lcodecommit_auth")
                .arg(format!("-Wl,-rpath,{}", lib.display()));
        }
    }
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run the compiler {compiler:?} ({e}); set CC/CXX"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // The binary links the library the way it says it does.
    let bytes = std::fs::read(&binary).unwrap();
    let needs_so = bytes
        .windows(b"libcodecommit_auth.so".len())
        .any(|w| w == b"libcodecommit_auth.so");
    assert_eq!(
        needs_so,
        link == Link::Shared,
        "{} linked {link:?}",
        binary.display()
    );
    if sanitize() {
        let symbols = nm(&binary, &[]);
        assert!(
            symbols.contains("__asan_init"),
            "ASan not linked into {stem}"
        );
        assert!(
            symbols.contains("__ubsan_handle_"),
            "UBSan not linked into {stem}"
        );
    }

    built.insert((source.to_owned(), link), binary.clone());
    binary
}

/// The SONAME in the dynamic section of `library` (`readelf -d`), if it has one.
fn soname(library: &Path) -> Option<String> {
    dynamic_entries(library, "SONAME").into_iter().next()
}

/// The values of the `tag` entries (`NEEDED`, `SONAME`) of `elf`'s dynamic section.
fn dynamic_entries(elf: &Path, tag: &str) -> Vec<String> {
    let out = Command::new("readelf")
        .args(["-d", "-W"])
        .arg(elf)
        .output()
        .expect("readelf (binutils) is needed");
    assert!(out.status.success(), "readelf -d {}", elf.display());
    // " 0x000000000000000e (SONAME)             Library soname: [libx.so.1]"
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|line| line.contains(&format!("({tag})")))
        .filter_map(|line| Some(line.split_once('[')?.1.split_once(']')?.0.to_owned()))
        .collect()
}

/// `dir`, holding this run's shared library the way an install lays it out: under its
/// SONAME (the name a program linked against it asks the loader for) and as
/// `libcodecommit_auth.so` (what `-lcodecommit_auth` finds), both links to the file
/// cargo built.
fn soname_links(dir: &Path) -> PathBuf {
    let library = lib_dir().join("libcodecommit_auth.so");
    let soname = soname(&library)
        .unwrap_or_else(|| panic!("{} has no SONAME (build.rs sets it)", library.display()));
    std::fs::create_dir_all(dir).unwrap();
    for name in [soname.as_str(), "libcodecommit_auth.so"] {
        // Link beside, then rename over: another test process may be doing the same.
        let temp = dir.join(format!("{name}.{}", std::process::id()));
        let _ = std::fs::remove_file(&temp);
        std::os::unix::fs::symlink(&library, &temp).unwrap();
        std::fs::rename(&temp, dir.join(name)).unwrap();
    }
    dir.to_owned()
}

fn nm(path: &Path, args: &[&str]) -> String {
    let out = Command::new("nm")
        .args(args)
        .arg(path)
        .output()
        .expect("nm (binutils) is needed");
    assert!(out.status.success(), "nm {}", path.display());
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `binary` with exactly `env` (plus the sanitizer options, if set), under the
/// `VALGRIND` prefix if set.
fn run(binary: &Path, args: &[&str], env: &[(String, String)]) -> Output {
    let valgrind = std::env::var("VALGRIND")
        .ok()
        .filter(|v| !v.trim().is_empty());
    let mut words: Vec<String> = valgrind
        .iter()
        .flat_map(|v| v.split_whitespace().map(str::to_owned))
        .collect();
    assert!(
        words.is_empty() || !sanitize(),
        "VALGRIND and CODECOMMIT_C_SANITIZE do not mix"
    );
    words.push(binary.to_string_lossy().into_owned());
    words.extend(args.iter().map(|a| a.to_string()));
    let mut cmd = Command::new(&words[0]);
    cmd.args(&words[1..]).env_clear();
    cmd.envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    for name in ["ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"] {
        if let Some(value) = std::env::var_os(name) {
            cmd.env(name, value);
        }
    }
    cmd.output().unwrap()
}

/// Runs and requires exit status 0 and `NAME: N passed, 0 failed`.
fn run_ok(binary: &Path, args: &[&str], env: &[(String, String)]) -> String {
    let out = run(binary, args, env);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains(" passed, 0 failed"),
        "{} {args:?} ({}):\n{stdout}\n{stderr}",
        binary.display(),
        out.status
    );
    stdout
}

/// The `RESULT key=value` lines of a program's output.
fn results(stdout: &str) -> Vec<(String, String)> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("RESULT "))
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            (k.to_owned(), v.replace("\\n", "\n"))
        })
        .collect()
}

fn result<'a>(results: &'a [(String, String)], key: &str) -> &'a str {
    results
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {key} in {results:?}"))
}

/// The fixture environment (HOME and PATH).
fn fixture_env() -> Vec<(String, String)> {
    scenarios::scenario("vector").env()
}

/// The shared library carries cargo-c's SONAME (`libcodecommit_auth.so.0.MINOR` while the
/// version is 0.x, `.so.MAJOR` from 1.0), so a program linked against it keeps working
/// across compatible updates and refuses an incompatible one; a program linked with
/// `-lcodecommit_auth` records that name, not the unversioned `.so`.
#[test]
fn shared_library_has_cargo_c_soname() {
    let major: u32 = env!("CARGO_PKG_VERSION_MAJOR").parse().unwrap();
    let minor: u32 = env!("CARGO_PKG_VERSION_MINOR").parse().unwrap();
    let patch: u32 = env!("CARGO_PKG_VERSION_PATCH").parse().unwrap();
    let sover = match (major, minor) {
        (0, 0) => format!("0.0.{patch}"),
        (0, minor) => format!("0.{minor}"),
        (major, _) => major.to_string(),
    };
    let expected = format!("libcodecommit_auth.so.{sover}");
    assert_eq!(
        soname(&lib_dir().join("libcodecommit_auth.so")).as_deref(),
        Some(expected.as_str()),
        "the SONAME of libcodecommit_auth.so"
    );
    let program = build("tests/c/sign_url.c", Link::Shared);
    assert!(
        dynamic_entries(&program, "NEEDED").contains(&expected),
        "{} does not need {expected}",
        program.display()
    );
}

fn sign_url(link: Link) {
    let binary = build("tests/c/sign_url.c", link);
    run_ok(&binary, &[], &[]);
}

#[test]
fn sign_url_static() {
    sign_url(Link::Static);
}

#[test]
fn sign_url_shared() {
    sign_url(Link::Shared);
}

fn resolver_misuse(link: Link) {
    let binary = build("tests/c/resolver.c", link);
    run_ok(&binary, &["misuse"], &fixture_env());
}

#[test]
fn resolver_misuse_static() {
    resolver_misuse(Link::Static);
}

#[test]
fn resolver_misuse_shared() {
    resolver_misuse(Link::Shared);
}

/// Every scenario (one per library result code), through the resolver and through
/// codecommit_signed_url, must give what the Rust API gives.
fn every_scenario(link: Link) {
    let binary = build("tests/c/resolver.c", link);
    let mut failures = Vec::new();
    for s in SCENARIOS {
        let unix = s.unix.to_string();
        let stdout = run_ok(&binary, &["sign", s.remote, &unix], &s.env());
        let results = results(&stdout);
        let (code, text) = (result(&results, "code"), result(&results, "text"));
        failures.extend(scenarios::check(s, code, text));
        if s.expect != "invalid_signing_time" {
            let now_code = result(&results, "now_code");
            if now_code != code {
                failures.push(format!("{}: one-call {now_code}, resolver {code}", s.name));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_scenario_static() {
    every_scenario(Link::Static);
}

#[test]
fn every_scenario_shared() {
    every_scenario(Link::Shared);
}

/// Explain, reload and every behaviour of a credentials callback.
fn resolver_features(link: Link) {
    let binary = build("tests/c/resolver.c", link);
    let env = fixture_env();

    let s = scenarios::scenario("demo_profile");
    let out = results(&run_ok(&binary, &["explain", s.remote], &env));
    let rust = scenarios::outcome_in(&env, |r| Ok(r.resolve(s.remote)?.explain()));
    assert!(
        rust.agrees(result(&out, "code"), result(&out, "text")),
        "{out:?}\n{rust:?}"
    );
    assert!(!result(&out, "text").contains("wJalrXUtnFEMI"), "no secret");

    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("c-reload");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("credentials-{link:?}"));
    let mut reload_env = env.clone();
    reload_env.push((
        "AWS_SHARED_CREDENTIALS_FILE".into(),
        file.to_string_lossy().into(),
    ));
    let file = file.to_string_lossy();
    let out = results(&run_ok(&binary, &["reload", &file], &reload_env));
    assert!(
        result(&out, "first").starts_with("https://access:"),
        "{out:?}"
    );
    assert_eq!(
        result(&out, "cached"),
        result(&out, "first"),
        "kept until reload"
    );
    assert_eq!(result(&out, "reload_code"), "0");
    assert!(
        result(&out, "reloaded").starts_with("https://rotated:"),
        "{out:?}"
    );

    // kind → (code, the URL or a piece of the message, profiles seen, setter codes)
    let cases = [
        ("vector", "ok", VECTOR_URL, "default", "0"),
        ("token", "ok", VECTOR_TOKEN_URL, "default", "0"),
        ("named-profile", "ok", VECTOR_URL, "vector", "0"),
        ("reentrant", "ok", VECTOR_URL, "default", "0"),
        ("decline", "ok", DEMO_URL, "demo", ""),
        ("fail", "credentials_not_found", "returned 7", "default", ""),
        (
            "null-secret",
            "malformed_credentials",
            "secret_access_key is NULL",
            "default",
            "100",
        ),
        (
            "empty-key",
            "malformed_credentials",
            "access_key_id is an empty",
            "default",
            "103",
        ),
        (
            "bad-token",
            "malformed_credentials",
            "session_token is not valid UTF-8",
            "default",
            "101",
        ),
        (
            "bad-expiry",
            "malformed_credentials",
            "outside 1970-01-01",
            "default",
            "0,103",
        ),
        (
            "expiry",
            "ok",
            VECTOR_TOKEN_URL,
            "default,default",
            "0,0,0,0",
        ),
    ];
    for (kind, code, text, profiles, setters) in cases {
        let out = results(&run_ok(&binary, &["callback", kind], &env));
        assert_eq!(result(&out, "code"), code, "{kind}: {out:?}");
        if code == "ok" {
            assert_eq!(result(&out, "text"), text, "{kind}");
        } else {
            assert!(result(&out, "text").contains(text), "{kind}: {out:?}");
        }
        assert_eq!(result(&out, "profiles"), profiles, "{kind}");
        assert_eq!(result(&out, "setters"), setters, "{kind}");
        if kind == "expiry" {
            assert!(result(&out, "explain").contains("expires      2033-05-18T03:33:20Z"));
        }
    }
}

#[test]
fn resolver_features_static() {
    resolver_features(Link::Static);
}

#[test]
fn resolver_features_shared() {
    resolver_features(Link::Shared);
}

fn threads(link: Link) {
    let binary = build("tests/c/threads.c", link);
    run_ok(&binary, &[], &fixture_env());
}

#[test]
fn eight_threads_static() {
    threads(Link::Static);
}

#[test]
fn eight_threads_shared() {
    threads(Link::Shared);
}

fn cpp(link: Link) {
    let binary = build("tests/c/header.cpp", link);
    run_ok(&binary, &[], &fixture_env());
}

#[test]
fn cpp_static() {
    cpp(Link::Static);
}

#[test]
fn cpp_shared() {
    cpp(Link::Shared);
}

/// examples/c/signed_url.c, as the README builds it, against the demo files.
fn example(link: Link) {
    let binary = build("examples/c/signed_url.c", link);
    let mut env = fixture_env();
    env.retain(|(k, _)| k == "PATH" || k == "AWS_EC2_METADATA_DISABLED");
    env.push(("HOME".into(), "/nonexistent".into()));
    for (name, file) in [
        ("AWS_CONFIG_FILE", "config"),
        ("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
    ] {
        env.push((name.into(), format!("{ROOT}/examples/demo/{file}")));
    }
    let time = DEMO_TIME.to_string();
    let out = run(
        &binary,
        &["codecommit://demo@MyRepositoryName", &time],
        &env,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(stdout.trim_end(), DEMO_URL);

    let out = run(&binary, &["codecommit://nobody@MyRepositoryName"], &env);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        stderr.contains("profile_not_found") && stderr.contains("nobody"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());

    let out = run(&binary, &[], &env);
    assert_eq!(out.status.code(), Some(2), "usage");
}

#[test]
fn example_static() {
    example(Link::Static);
}

#[test]
fn example_shared() {
    example(Link::Shared);
}

/// The shared library exports every function of the header and no other
/// `codecommit_` symbol.
#[test]
fn shared_library_exports_exactly_the_header_functions() {
    let header =
        std::fs::read_to_string(Path::new(ROOT).join("include/codecommit_auth.h")).unwrap();
    let mut declared: Vec<&str> = header
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.starts_with("typedef") && l.contains("codecommit_"))
        .filter_map(|l| {
            let name = l.split('(').next()?.rsplit([' ', '*']).next()?;
            (name.starts_with("codecommit_") && l.contains('(')).then_some(name)
        })
        .collect();
    declared.sort_unstable();
    let symbols = nm(
        &lib_dir().join("libcodecommit_auth.so"),
        &["-D", "--defined-only"],
    );
    let mut exported: Vec<&str> = symbols
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2))
        .filter(|s| s.starts_with("codecommit_"))
        .collect();
    exported.sort_unstable();
    assert!(declared.len() >= 13, "{declared:?}");
    assert_eq!(exported, declared);
}

/// The C program in README.md's "The C ABI" section, as a reader would copy it.
fn readme_program(link: Link) {
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap();
    let section = &readme[readme.find("## The C ABI").expect("README has the section")..];
    let start = section.find("```c\n").expect("a C block") + "```c\n".len();
    let program = &section[start..start + section[start..].find("```").unwrap()];
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("readme");
    std::fs::create_dir_all(&dir).unwrap();
    let source = dir.join("readme_program.c");
    std::fs::write(&source, program).unwrap();
    let binary = build(source.to_str().unwrap(), link); // an absolute path
    // The fixture has no profile dev-team: the error path, message and all.
    let out = run(&binary, &[], &fixture_env());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    // (Under valgrind, its banner comes first.)
    assert!(
        stderr
            .lines()
            .any(|l| l
                .starts_with("profile_not_found: The following profile was not found: dev-team.")),
        "{stderr}"
    );
}

#[test]
fn readme_program_static() {
    readme_program(Link::Static);
}

#[test]
fn readme_program_shared() {
    readme_program(Link::Shared);
}

/// The MFA callback set from C (`tests/c/mfa.c`): with an STS stand-in that takes only
/// the fixture profile `mfa`'s serial and the code `123456`, signed with the source
/// profile's keys. Three signings by two resolvers make one AssumeRole: the second
/// resolver finds the session in the AWS CLI cache under the program's own HOME.
fn mfa_callback(link: Link) {
    use support::server::{Reply, Server};
    use support::sts::{error_response, form, sts_reply, verify};

    let binary = build("tests/c/mfa.c", link);
    let expiration = (time::OffsetDateTime::now_utc() + time::Duration::hours(1))
        .replace_nanosecond(0)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let sts = Server::start();
    sts.gate(move |seen| {
        let params = form(seen);
        let good = verify(seen, "secret").is_ok()
            && params.get("RoleArn").map(String::as_str)
                == Some("arn:aws:iam::123456789012:role/Dev")
            && params.get("SerialNumber").map(String::as_str)
                == Some("arn:aws:iam::123456789012:mfa/dev")
            && params.get("TokenCode").map(String::as_str) == Some("123456");
        Some(if good {
            sts_reply("AssumeRole", 1, "123456789012", &expiration)
        } else {
            Reply::new(
                403,
                error_response(
                    "AccessDenied",
                    "MultiFactorAuthentication failed with invalid MFA one time pass code.",
                ),
            )
        })
    });
    let home = support::disk::TempDir::new(&format!("c-mfa-{link:?}"));
    let aws = scenarios::fixture_home().join(".aws");
    let mut env = vec![
        ("HOME".to_owned(), home.path().display().to_string()),
        (
            "AWS_CONFIG_FILE".to_owned(),
            aws.join("config").display().to_string(),
        ),
        (
            "AWS_SHARED_CREDENTIALS_FILE".to_owned(),
            aws.join("credentials").display().to_string(),
        ),
        ("AWS_EC2_METADATA_DISABLED".to_owned(), "true".to_owned()),
        ("AWS_ENDPOINT_URL_STS".to_owned(), sts.url()),
        ("GIT_TERMINAL_PROMPT".to_owned(), "0".to_owned()),
        ("GIT_ASKPASS".to_owned(), String::new()),
    ];
    if let Some(path) = std::env::var_os("PATH") {
        env.push(("PATH".to_owned(), path.to_string_lossy().into_owned()));
    }
    let out = results(&run_ok(&binary, &[], &env));
    let none = result(&out, "none_text");
    assert!(
        none.starts_with(
            "profile mfa needs an MFA code (mfa_serial = arn:aws:iam::123456789012:mfa/dev) \
             to assume arn:aws:iam::123456789012:role/Dev, and nobody could be asked for it: \
             terminal prompts are off (GIT_TERMINAL_PROMPT)."
        ),
        "{none}"
    );
    assert!(
        result(&out, "declined_text").ends_with("and the application's MFA callback gave none"),
        "{out:?}"
    );
    assert!(
        result(&out, "url").starts_with("https://ASIASTS0000000000001%25sts-token-1%26more:"),
        "{out:?}"
    );
    let seen = sts.seen();
    assert_eq!(seen.len(), 1, "one AssumeRole: {seen:?}");
    assert_eq!(form(&seen[0])["TokenCode"], "123456");
}

#[test]
fn mfa_callback_static() {
    mfa_callback(Link::Static);
}

#[test]
fn mfa_callback_shared() {
    mfa_callback(Link::Shared);
}

/// The README's and the example's static link lines are the one tested here.
#[test]
fn documented_link_lines_are_the_tested_ones() {
    for file in [
        "README.md",
        "examples/c/signed_url.c",
        "examples/c/install.sh",
        ".ci/ffi.sh",
    ] {
        let text = std::fs::read_to_string(Path::new(ROOT).join(file)).unwrap();
        assert!(
            text.contains(NATIVE_STATIC_LIBS),
            "{file} links other libraries"
        );
    }
}
