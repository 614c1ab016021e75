//! [`Offline`]: an environment that reads but does not reach out.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use super::{
    Environment, FileLock, HttpError, HttpErrorKind, HttpRequest, HttpResponse, Platform,
    ProcessError, ProcessErrorKind, ProcessOutput, ProcessRequest,
};

/// Another environment with the network, process runs, file writes and terminal
/// prompts turned off:
/// variables, files and the clock come from the inner environment; an HTTP request or a
/// process run or a terminal prompt is refused ([`HttpErrorKind::Unsupported`],
/// [`ProcessErrorKind::Unsupported`], [`io::ErrorKind::Unsupported`]) and recorded, a
/// write is refused
/// ([`io::ErrorKind::ReadOnlyFilesystem`]), and no lock file is taken (nothing is
/// fetched, so there is nothing to exclude, and a lock file would be a write).
///
/// `git-remote-codecommit --doctor` resolves through it to say what getting the
/// credentials would take without doing it; [`Offline::refused`] lists what was turned
/// away.
///
/// ```
/// use codecommit_auth::env::{Environment, HttpRequest, MemoryEnvironment, Offline};
///
/// let env = Offline::new(MemoryEnvironment::new().with_var("HOME", "/home/dev"));
/// assert_eq!(env.var("HOME").as_deref(), Some("/home/dev"));
/// let request = HttpRequest::get("https://portal.sso.us-east-1.amazonaws.com/federation/credentials?role_name=Dev");
/// assert!(env.http(&request).is_err());
/// assert_eq!(
///     env.refused(),
///     ["a request to https://portal.sso.us-east-1.amazonaws.com/federation/credentials"]
/// );
/// ```
#[derive(Debug)]
pub struct Offline<E> {
    inner: E,
    refused: Mutex<Vec<String>>,
}

impl<E: Environment> Offline<E> {
    /// `inner`, offline.
    pub fn new(inner: E) -> Offline<E> {
        Offline {
            inner,
            refused: Mutex::new(Vec::new()),
        }
    }

    /// What was turned away so far, in order, without repeats in a row: `a request to
    /// URL` (without the query, which can carry account and role names) or `running
    /// the credential process "PROGRAM"`.
    pub fn refused(&self) -> Vec<String> {
        let mut seen = self
            .refused
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        seen.dedup();
        seen
    }

    fn refuse(&self, what: String) {
        self.refused
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(what);
    }
}

impl<E: Environment> Environment for Offline<E> {
    fn var(&self, name: &str) -> Option<String> {
        self.inner.var(name)
    }

    fn platform(&self) -> Platform {
        self.inner.platform()
    }

    fn account_home_dir(&self) -> Option<PathBuf> {
        self.inner.account_home_dir()
    }

    fn read_file(&self, path: &Path, limit: u64) -> io::Result<Option<Vec<u8>>> {
        self.inner.read_file(path, limit)
    }

    fn now(&self) -> SystemTime {
        self.inner.now()
    }

    fn http(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        // The scheme, host and path say where the call would go; the query can carry
        // account and role names.
        let target = request.url.split('?').next().unwrap_or_default();
        self.refuse(format!("a request to {target}"));
        Err(HttpError::new(
            HttpErrorKind::Unsupported,
            "offline: no network calls",
        ))
    }

    fn write_file_atomic(&self, _path: &Path, _contents: &[u8]) -> io::Result<()> {
        Err(io::Error::new(
            io::ErrorKind::ReadOnlyFilesystem,
            "offline: nothing is written",
        ))
    }

    fn run_process(&self, request: &ProcessRequest) -> Result<ProcessOutput, ProcessError> {
        let program = request.argv.first().map(String::as_str).unwrap_or("");
        self.refuse(format!("running the credential process {program:?}"));
        Err(ProcessError::new(
            ProcessErrorKind::Unsupported,
            "offline: no credential process is run",
        ))
    }

    fn lock_file(&self, _path: &Path, _timeout: Duration) -> io::Result<FileLock> {
        Ok(FileLock::none())
    }

    fn prompt_secret(&self, _prompt: &str) -> io::Result<String> {
        self.refuse("asking for an MFA code on the terminal".to_owned());
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "offline: nobody is asked",
        ))
    }

    fn sleep(&self, duration: Duration) {
        self.inner.sleep(duration);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::MemoryEnvironment;

    #[test]
    fn reads_pass_and_everything_else_is_refused_and_recorded() {
        let inner = MemoryEnvironment::new()
            .with_var("HOME", "/h")
            .with_file("/h/f", "x")
            .with_process_runner(|_| {
                Ok(ProcessOutput {
                    code: Some(0),
                    stdout: Vec::new(),
                    stderr: Vec::new(),
                })
            });
        let env = Offline::new(inner);
        assert_eq!(env.var("HOME").as_deref(), Some("/h"));
        assert_eq!(
            env.read_file(Path::new("/h/f"), 10).unwrap().as_deref(),
            Some(&b"x"[..])
        );
        assert_eq!(
            env.write_file_atomic(Path::new("/h/g"), b"y")
                .unwrap_err()
                .kind(),
            io::ErrorKind::ReadOnlyFilesystem
        );
        assert_eq!(env.read_file(Path::new("/h/g"), 10).unwrap(), None);
        let run = ProcessRequest::new(vec!["/bin/creds".into()], Duration::from_secs(1), 10);
        assert_eq!(
            env.run_process(&run).unwrap_err().kind(),
            ProcessErrorKind::Unsupported
        );
        let get = HttpRequest::get("https://sts.amazonaws.com/?Action=AssumeRole&RoleArn=x");
        assert_eq!(
            env.http(&get).unwrap_err().kind(),
            HttpErrorKind::Unsupported
        );
        assert_eq!(
            env.http(&get).unwrap_err().kind(),
            HttpErrorKind::Unsupported
        );
        assert_eq!(
            env.refused(),
            [
                "running the credential process \"/bin/creds\"",
                "a request to https://sts.amazonaws.com/"
            ]
        );
    }
}
