//! The reference's Python environments, found the same way by every test that runs the
//! reference live: `.ci/run` makes them under `target/` (`oracle-venv`: botocore and
//! git-remote-codecommit as pinned in `tests/oracle/requirements.txt`; `login-venv`:
//! the same with the AWS CRT, made by `tests/oracle/login_venv.sh`).
//!
//! A test without its venv skips loudly — unless `CI` is set (and not `false`), where
//! that is a failure: CI makes both before it runs the suite.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The Python of venv `name` (`oracle-venv`, `login-venv`): the folder `override_var`
/// names, else `name` under `CARGO_TARGET_DIR` (where `.ci/run`'s fresh clone of the
/// README step builds), else under this checkout's `target/`. `None` after a loud skip
/// note when none exists; a panic under CI. `make` says how to make it.
pub fn python(name: &str, override_var: &str, make: &str) -> Option<PathBuf> {
    let var = |v: &str| {
        std::env::var_os(v)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let candidates = [
        var(override_var),
        var("CARGO_TARGET_DIR").map(|t| t.join(name)),
        Some(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("target")
                .join(name),
        ),
    ];
    if let Some(python) = candidates
        .iter()
        .flatten()
        .map(|venv| venv.join("bin/python"))
        .find(|python| python.exists())
    {
        return Some(python);
    }
    let why = format!("no {name} (`{make}`, or {override_var}=DIR)");
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
    assert!(!ci, "{why}, and CI is set: .ci/run makes it");
    let _ = writeln!(std::io::stderr(), "\n*** SKIPPED: {why} ***\n");
    None
}

/// The oracle venv's Python (botocore 1.44.8, git-remote-codecommit 1.17).
#[allow(dead_code)] // not every test binary runs the reference live
pub fn oracle() -> Option<PathBuf> {
    python(
        "oracle-venv",
        "CODECOMMIT_ORACLE_VENV",
        "python3 -m venv target/oracle-venv && target/oracle-venv/bin/pip install -r tests/oracle/requirements.txt",
    )
}

/// The login venv's Python (the oracle's pins with `botocore[crt]`, and `cryptography`
/// for the Sign-In stand-in's verifier).
#[allow(dead_code)]
pub fn login() -> Option<PathBuf> {
    python(
        "login-venv",
        "CODECOMMIT_LOGIN_VENV",
        "bash tests/oracle/login_venv.sh",
    )
}
