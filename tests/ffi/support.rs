//! Calling the C ABI from Rust: outputs checked and freed, C strings made, children run.

use std::ffi::{CStr, CString, c_char, c_int};
use std::process::Command;

use codecommit_auth::ffi::{
    CODECOMMIT_MAX_INPUT_LEN, codecommit_error_name, codecommit_string_free,
};

/// What a call with `char **` outputs gave: its code's name, and the value or message.
#[derive(Debug, PartialEq, Eq)]
pub struct Call {
    pub code: c_int,
    pub value: Option<String>,
    pub error: Option<String>,
}

impl Call {
    /// The code's name, from `codecommit_error_name`.
    pub fn name(&self) -> &'static str {
        name(self.code)
    }

    /// The value of a successful call.
    pub fn value(&self) -> &str {
        self.value
            .as_deref()
            .unwrap_or_else(|| panic!("failed: {} {:?}", self.name(), self.error))
    }

    /// The message of a failed call.
    pub fn error(&self) -> &str {
        self.error
            .as_deref()
            .unwrap_or_else(|| panic!("no error, value {:?}", self.value))
    }

    /// The value or the message.
    pub fn text(&self) -> &str {
        self.value.as_deref().or(self.error.as_deref()).unwrap()
    }
}

/// `codecommit_error_name(code)` as a Rust string.
pub fn name(code: c_int) -> &'static str {
    // SAFETY: a static, NUL-terminated string, never NULL.
    unsafe { CStr::from_ptr(codecommit_error_name(code)) }
        .to_str()
        .unwrap()
}

/// Calls `f` with two `char **` outputs that hold garbage, checks the contract (both
/// written; exactly one non-NULL, the value on success), takes the strings and frees
/// them with `codecommit_string_free`.
pub fn call(f: impl FnOnce(*mut *mut c_char, *mut *mut c_char) -> c_int) -> Call {
    let garbage: *mut c_char = std::ptr::dangling_mut();
    let (mut value, mut error) = (garbage, garbage);
    let code = f(&mut value, &mut error);
    assert_ne!(value, garbage, "value output not written ({})", name(code));
    assert_ne!(error, garbage, "error output not written ({})", name(code));
    if code == 0 {
        assert!(
            !value.is_null() && error.is_null(),
            "success: value and no error"
        );
    } else {
        assert!(
            value.is_null() && !error.is_null(),
            "failure: error and no value"
        );
    }
    Call {
        code,
        value: take(value),
        error: take(error),
    }
}

/// Copies and frees a string the library returned.
pub fn take(s: *mut c_char) -> Option<String> {
    if s.is_null() {
        return None;
    }
    // SAFETY: a NUL-terminated string from the library.
    let text = unsafe { CStr::from_ptr(s) }.to_str().unwrap().to_owned();
    // SAFETY: ours, freed once.
    unsafe { codecommit_string_free(s) };
    Some(text)
}

/// A C string.
pub fn cs(s: &str) -> CString {
    CString::new(s).unwrap()
}

/// The ways a string argument can be wrong, and the code each must give.
pub fn bad_strings() -> Vec<(&'static str, CString, &'static str)> {
    vec![
        ("empty", cs(""), "invalid_argument"),
        (
            "invalid UTF-8",
            CString::new(b"us-\xff-1".to_vec()).unwrap(),
            "invalid_utf8",
        ),
        (
            "truncated UTF-8",
            CString::new(b"caf\xc3".to_vec()).unwrap(),
            "invalid_utf8",
        ),
        (
            "over the length limit",
            CString::new(vec![b'a'; CODECOMMIT_MAX_INPUT_LEN + 1]).unwrap(),
            "invalid_argument",
        ),
        (
            "absurdly long (1 MiB)",
            CString::new(vec![b'a'; 1 << 20]).unwrap(),
            "invalid_argument",
        ),
    ]
}

const CHILD: &str = "CODECOMMIT_FFI_CHILD";

/// The action this process was started to run, if it is a child.
pub fn child_action() -> Option<String> {
    std::env::var(CHILD).ok()
}

/// Runs this test binary's `child::run` test in a new process whose environment is
/// exactly `env`, to perform `action`; returns the `RESULT key=value` lines it printed.
pub fn in_child(action: &str, env: &[(String, String)]) -> Vec<(String, String)> {
    let exe = std::env::current_exe().unwrap();
    let out = Command::new(exe)
        .args([
            "--exact",
            "resolver::child",
            "--include-ignored",
            "--nocapture",
        ])
        .args(["--test-threads", "1"])
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .env(CHILD, action)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "child {action:?} failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    stdout
        .lines()
        // The harness may print the test's name on the same line, before the output.
        .filter_map(|line| line.split_once("RESULT ").map(|(_, kv)| kv))
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            (k.to_owned(), v.replace("\\n", "\n"))
        })
        .collect()
}

/// Prints a result line for the parent (see [`in_child`]).
pub fn report(key: &str, value: &str) {
    println!("RESULT {key}={}", value.replace('\n', "\\n"));
}

/// The value of `key` in a child's results.
pub fn result<'a>(results: &'a [(String, String)], key: &str) -> &'a str {
    results
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no result {key} in {results:?}"))
}
