//! The one seam between the library and the outside world.
//!
//! Everything the library learns from outside the process's memory — environment
//! variables, the home directory, file contents, the current time — comes through an
//! [`Environment`]. Production code uses [`OsEnvironment`]; tests, and tools that want to
//! resolve a remote against a configuration they hold in memory, use
//! [`MemoryEnvironment`]. No other module calls `std::env`, `std::fs` or
//! `SystemTime::now` (`clippy.toml` enforces it), which keeps the rest of the crate
//! deterministic and testable without touching the machine it runs on.
//!
//! Implementations contain no logic: which variable wins, how `~` expands, what a missing
//! file means — all of that lives in the modules that own the rule (`config`,
//! `credentials`). An implementation only answers questions.

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

pub mod http;
#[cfg(feature = "https")]
mod https;
mod offline;
mod os;
pub mod process;
mod proxy;
mod terminal;
mod trust;

pub use http::{HttpClient, HttpError, HttpErrorKind, HttpRequest, HttpResponse, TrustedCerts};
#[cfg(feature = "https")]
pub use https::HttpsClient;
#[cfg(feature = "https")]
#[doc(hidden)]
pub use https::proxy_in_effect;
pub use offline::Offline;
pub use os::OsEnvironment;
pub use process::{ProcessError, ProcessErrorKind, ProcessOutput, ProcessRequest};
pub(crate) use proxy::{bypasses_proxy, no_proxy_list, redact_proxy, scheme_and_host};
pub(crate) use trust::{TrustingEnvironment, ca_bundle, read_trust};

/// The operating-system family whose path and home-directory rules apply.
///
/// It is a value of the environment rather than `cfg!(windows)` so the Windows rules can be
/// tested on any machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Platform {
    /// Linux, macOS and other Unix-like systems: `HOME`, `/` separators.
    Unix,
    /// Windows: `USERPROFILE`, `HOMEDRIVE` + `HOMEPATH`, `\` separators.
    Windows,
}

impl Platform {
    /// The platform this binary was built for.
    pub const fn current() -> Platform {
        if cfg!(windows) {
            Platform::Windows
        } else {
            Platform::Unix
        }
    }

    /// The path separator written between components.
    pub const fn separator(self) -> char {
        match self {
            Platform::Unix => '/',
            Platform::Windows => '\\',
        }
    }
}

/// Everything the library reads from or does to the outside world.
///
/// It covers, and the library reaches the outside through nothing else:
///
/// * **variables** — [`var`](Environment::var) (`AWS_*`, `HOME`, `CODE_COMMIT_ENDPOINT`…);
/// * **the platform and home directory** — [`platform`](Environment::platform),
///   [`account_home_dir`](Environment::account_home_dir);
/// * **files read** — [`read_file`](Environment::read_file): the shared config and
///   credentials files, the SSO token cache, the CLI credential cache, web-identity
///   token files;
/// * **the clock** — [`now`](Environment::now): expiry checks and the signing time;
/// * **HTTP** — [`http`](Environment::http): the SSO portal, SSO OIDC, STS, the container
///   and instance metadata endpoints;
/// * **processes** — [`run_process`](Environment::run_process): `credential_process`;
/// * **writes** — [`write_file_atomic`](Environment::write_file_atomic): the two caches
///   shared with the AWS CLI;
/// * **locks** — [`lock_file`](Environment::lock_file): one fetch at a time per cache
///   entry across processes;
/// * **waiting** — [`sleep`](Environment::sleep): the pauses between retries;
/// * **the terminal** — [`prompt_secret`](Environment::prompt_secret): an MFA code typed
///   by the person at the controlling terminal.
///
/// Implement it to run the resolver against something other than the real machine, or
/// wrap another environment to change part of it ([`Offline`] turns the network,
/// processes and writes off). Every method must be cheap to call more than once; none
/// may panic.
///
/// # Blocking
///
/// Every call blocks the calling thread until it has its answer: a file read, an HTTP
/// request (with its timeouts and retries), a credential process (up to its timeout), a
/// lock (up to its timeout), a pause. So every [`Resolver`](crate::Resolver) method that may
/// resolve credentials blocks too. An async program calls the resolver from a thread
/// that may block — with tokio, `tokio::task::spawn_blocking(move || resolver.signed_url(&remote))`
/// with the resolver in an `Arc` (a `Resolver` is `Send + Sync`) — never directly on an
/// executor thread.
pub trait Environment: Send + Sync {
    /// The value of the environment variable `name`, or `None` if it is not set.
    ///
    /// A variable set to the empty string is `Some("")`: several AWS rules treat "set but
    /// empty" differently from "unset". Values that are not valid Unicode are converted
    /// lossily.
    fn var(&self, name: &str) -> Option<String>;

    /// Which platform's path and home-directory rules apply.
    fn platform(&self) -> Platform;

    /// The current user's home directory from the account database (the passwd entry on
    /// Unix), used only when no environment variable names one. `None` if unknown.
    fn account_home_dir(&self) -> Option<PathBuf>;

    /// The contents of the regular file at `path`.
    ///
    /// Returns `Ok(None)` if nothing is there or it is not a regular file (a directory,
    /// say): AWS tools treat those like a missing file. Returns an error of kind
    /// [`io::ErrorKind::FileTooLarge`] if the file is longer than `limit` bytes, so a
    /// hostile or mistaken path cannot make the library read gigabytes.
    fn read_file(&self, path: &Path, limit: u64) -> io::Result<Option<Vec<u8>>>;

    /// The current time. Used for expiry checks and as the default signing time.
    fn now(&self) -> SystemTime;

    /// Sends an HTTP request (to the SSO portal, SSO OIDC, STS or a metadata endpoint).
    ///
    /// # Errors
    ///
    /// An [`HttpError`] when no complete response arrived; an environment without a
    /// client (the default) answers [`HttpErrorKind::Unsupported`].
    fn http(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        Err(HttpError::new(
            HttpErrorKind::Unsupported,
            format!(
                "no HTTP client in this environment to reach {}",
                request.url
            ),
        ))
    }

    /// Replaces the file at `path` with `contents` so that no reader ever sees a partial
    /// file: write a temporary file in the same directory (mode 0600), flush it to disk,
    /// rename it over `path`. Missing parent directories are created.
    ///
    /// # Errors
    ///
    /// The I/O error; `path` is then unchanged. By default, writes are unsupported: the
    /// library then keeps fresh credentials in memory only.
    fn write_file_atomic(&self, path: &Path, contents: &[u8]) -> io::Result<()> {
        let _ = (path, contents);
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "this environment does not write files",
        ))
    }

    /// Runs a program (no shell), with stdin closed, and waits for it; a program still
    /// running at the timeout, or writing more than the limit, is killed and reaped.
    ///
    /// # Errors
    ///
    /// A [`ProcessError`] when there is no complete output; an environment that cannot
    /// run processes (the default) answers [`ProcessErrorKind::Unsupported`].
    fn run_process(&self, request: &ProcessRequest) -> Result<ProcessOutput, ProcessError> {
        let _ = request;
        Err(ProcessError::new(
            ProcessErrorKind::Unsupported,
            "this environment cannot run processes",
        ))
    }

    /// Takes an exclusive advisory lock on the file at `path` (created, mode 0600, with
    /// its directory, if missing), waiting at most `timeout`; dropping the guard releases
    /// it. Processes sharing a cache use it so that one fetches while the others wait and
    /// then read what it wrote.
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::TimedOut`] if another holder kept it past `timeout`, or the I/O
    /// error. Callers go on without the lock: it saves work, correctness does not depend
    /// on it (every write is atomic). By default there is nothing to exclude and the
    /// guard holds nothing.
    fn lock_file(&self, path: &Path, timeout: std::time::Duration) -> io::Result<FileLock> {
        let _ = (path, timeout);
        Ok(FileLock::none())
    }

    /// Waits `duration` before trying again: the pauses between retries of a service
    /// call (STS, SSO, the container and instance metadata endpoints). Blocks the
    /// calling thread, by default with [`std::thread::sleep`]; an environment with its
    /// own clock can advance that instead (as [`MemoryEnvironment`] does).
    fn sleep(&self, duration: std::time::Duration) {
        std::thread::sleep(duration);
    }

    /// Asks the person at the controlling terminal for a secret (an MFA code): writes
    /// `prompt` to the terminal, reads one line with echo off, and returns it without
    /// its line end. Never stdin or stdout, which belong to git.
    ///
    /// The answer is a secret: the caller wipes it once used.
    ///
    /// # Errors
    ///
    /// The I/O error when there is no terminal to ask (no controlling terminal, a
    /// daemon, CI) or it could not be read. By default, and in an environment that does
    /// not prompt, [`io::ErrorKind::Unsupported`].
    fn prompt_secret(&self, prompt: &str) -> io::Result<String> {
        let _ = prompt;
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "this environment has no terminal to prompt on",
        ))
    }
}

/// An advisory file lock, released when dropped.
pub struct FileLock {
    _held: Option<Box<dyn Send + Sync>>,
}

impl FileLock {
    /// A guard holding `held` (whatever keeps the lock: an open file, a mutex guard).
    pub fn new(held: impl Send + Sync + 'static) -> FileLock {
        FileLock {
            _held: Some(Box::new(held)),
        }
    }

    /// A guard that holds nothing, for environments where there is no one to exclude.
    pub fn none() -> FileLock {
        FileLock { _held: None }
    }
}

impl fmt::Debug for FileLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FileLock")
    }
}

macro_rules! forward_environment {
    ($($ty:ty),*) => {$(
        impl<T: Environment + ?Sized> Environment for $ty {
            fn var(&self, name: &str) -> Option<String> {
                (**self).var(name)
            }
            fn platform(&self) -> Platform {
                (**self).platform()
            }
            fn account_home_dir(&self) -> Option<PathBuf> {
                (**self).account_home_dir()
            }
            fn read_file(&self, path: &Path, limit: u64) -> io::Result<Option<Vec<u8>>> {
                (**self).read_file(path, limit)
            }
            fn now(&self) -> SystemTime {
                (**self).now()
            }
            fn http(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
                (**self).http(request)
            }
            fn write_file_atomic(&self, path: &Path, contents: &[u8]) -> io::Result<()> {
                (**self).write_file_atomic(path, contents)
            }
            fn run_process(&self, request: &ProcessRequest) -> Result<ProcessOutput, ProcessError> {
                (**self).run_process(request)
            }
            fn lock_file(&self, path: &Path, timeout: std::time::Duration) -> io::Result<FileLock> {
                (**self).lock_file(path, timeout)
            }
            fn sleep(&self, duration: std::time::Duration) {
                (**self).sleep(duration)
            }
            fn prompt_secret(&self, prompt: &str) -> io::Result<String> {
                (**self).prompt_secret(prompt)
            }
        }
    )*};
}

forward_environment!(&T, Box<T>, std::sync::Arc<T>);

/// An [`Environment`] held entirely in memory: variables, files and a fixed clock.
///
/// Nothing is read from the real machine. The clock stands still until
/// [`set_now`](MemoryEnvironment::set_now) moves it, or a [`sleep`](Environment::sleep)
/// advances it: nothing waits in real time, and [`slept`](MemoryEnvironment::slept)
/// lists the pauses asked for.
///
/// ```
/// use codecommit_auth::env::{Environment, MemoryEnvironment};
/// use std::path::Path;
///
/// let env = MemoryEnvironment::new()
///     .with_var("HOME", "/home/dev")
///     .with_file("/home/dev/.aws/config", "[default]\nregion = us-east-1\n");
/// assert_eq!(env.var("HOME").as_deref(), Some("/home/dev"));
/// assert!(env.read_file(Path::new("/home/dev/.aws/config"), 1024)?.is_some());
/// assert!(env.read_file(Path::new("/elsewhere"), 1024)?.is_none());
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct MemoryEnvironment {
    vars: HashMap<String, String>,
    files: Mutex<HashMap<PathBuf, Vec<u8>>>,
    platform: Platform,
    account_home: Option<PathBuf>,
    now: Mutex<SystemTime>,
    slept: Mutex<Vec<std::time::Duration>>,
    http: Option<Box<dyn HttpClient>>,
    processes: Option<Box<ProcessRunner>>,
    read_only: bool,
}

/// What [`MemoryEnvironment::with_process_runner`] takes.
pub type ProcessRunner =
    dyn Fn(&ProcessRequest) -> Result<ProcessOutput, ProcessError> + Send + Sync;

impl MemoryEnvironment {
    /// An empty environment on the Unix platform, its clock at the Unix epoch.
    pub fn new() -> MemoryEnvironment {
        MemoryEnvironment {
            vars: HashMap::new(),
            files: Mutex::new(HashMap::new()),
            platform: Platform::Unix,
            account_home: None,
            now: Mutex::new(SystemTime::UNIX_EPOCH),
            slept: Mutex::new(Vec::new()),
            http: None,
            processes: None,
            read_only: false,
        }
    }

    /// Runs processes with `runner` (by default every run fails with
    /// [`ProcessErrorKind::Unsupported`]). [`OsEnvironment::run`] runs real ones.
    pub fn with_process_runner(
        mut self,
        runner: impl Fn(&ProcessRequest) -> Result<ProcessOutput, ProcessError> + Send + Sync + 'static,
    ) -> Self {
        self.processes = Some(Box::new(runner));
        self
    }

    /// Sends HTTP requests through `client` (by default there is none, and every request
    /// fails with [`HttpErrorKind::Unsupported`]). Tests give it a real client pointed at
    /// a server on 127.0.0.1.
    pub fn with_http_client(mut self, client: impl HttpClient + 'static) -> Self {
        self.http = Some(Box::new(client));
        self
    }

    /// Makes every write fail with [`io::ErrorKind::ReadOnlyFilesystem`], as a full disk
    /// or read-only cache directory would.
    pub fn with_read_only_files(mut self) -> Self {
        self.read_only = true;
        self
    }

    /// The contents of the file at `path`, if any: to check what the library wrote.
    pub fn file(&self, path: impl AsRef<Path>) -> Option<Vec<u8>> {
        lock(&self.files).get(path.as_ref()).cloned()
    }

    /// Sets the variable `name` to `value`.
    pub fn with_var(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.vars.insert(name.into(), value.into());
        self
    }

    /// Places a regular file with `contents` at `path`.
    pub fn with_file(self, path: impl Into<PathBuf>, contents: impl Into<Vec<u8>>) -> Self {
        lock(&self.files).insert(path.into(), contents.into());
        self
    }

    /// Sets the platform whose rules apply.
    pub fn with_platform(mut self, platform: Platform) -> Self {
        self.platform = platform;
        self
    }

    /// Sets the home directory the account database would report.
    pub fn with_account_home_dir(mut self, home: impl Into<PathBuf>) -> Self {
        self.account_home = Some(home.into());
        self
    }

    /// Sets the clock.
    pub fn with_now(self, now: SystemTime) -> Self {
        self.set_now(now);
        self
    }

    /// Moves the clock to `now`.
    pub fn set_now(&self, now: SystemTime) {
        *lock(&self.now) = now;
    }

    /// The pauses [`Environment::sleep`] was asked for, in order.
    pub fn slept(&self) -> Vec<std::time::Duration> {
        lock(&self.slept).clone()
    }
}

impl Default for MemoryEnvironment {
    fn default() -> Self {
        MemoryEnvironment::new()
    }
}

impl fmt::Debug for MemoryEnvironment {
    // Variables can hold secrets (AWS_SECRET_ACCESS_KEY), files too: show names only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut vars: Vec<&str> = self.vars.keys().map(String::as_str).collect();
        vars.sort_unstable();
        let mut files: Vec<PathBuf> = lock(&self.files).keys().cloned().collect();
        files.sort();
        f.debug_struct("MemoryEnvironment")
            .field("vars", &vars)
            .field("files", &files)
            .field("platform", &self.platform)
            .finish_non_exhaustive()
    }
}

impl Environment for MemoryEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        self.vars.get(name).cloned()
    }

    fn platform(&self) -> Platform {
        self.platform
    }

    fn account_home_dir(&self) -> Option<PathBuf> {
        self.account_home.clone()
    }

    fn read_file(&self, path: &Path, limit: u64) -> io::Result<Option<Vec<u8>>> {
        match lock(&self.files).get(path) {
            None => Ok(None),
            Some(bytes) if bytes.len() as u64 > limit => Err(too_large(bytes.len() as u64, limit)),
            Some(bytes) => Ok(Some(bytes.clone())),
        }
    }

    fn now(&self) -> SystemTime {
        *lock(&self.now)
    }

    fn http(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        match &self.http {
            Some(client) => client.send(request),
            None => Err(HttpError::new(
                HttpErrorKind::Unsupported,
                format!(
                    "no HTTP client in this environment to reach {}",
                    request.url
                ),
            )),
        }
    }

    fn write_file_atomic(&self, path: &Path, contents: &[u8]) -> io::Result<()> {
        if self.read_only {
            return Err(io::Error::new(
                io::ErrorKind::ReadOnlyFilesystem,
                "read-only file system",
            ));
        }
        lock(&self.files).insert(path.to_owned(), contents.to_vec());
        Ok(())
    }

    fn lock_file(&self, _path: &Path, _timeout: std::time::Duration) -> io::Result<FileLock> {
        // One process, and resolvers on one environment do not race in tests.
        Ok(FileLock::none())
    }

    fn sleep(&self, duration: std::time::Duration) {
        lock(&self.slept).push(duration);
        let mut now = lock(&self.now);
        *now = now.checked_add(duration).unwrap_or(*now);
    }

    fn run_process(&self, request: &ProcessRequest) -> Result<ProcessOutput, ProcessError> {
        match &self.processes {
            Some(runner) => runner(request),
            None => Err(ProcessError::new(
                ProcessErrorKind::Unsupported,
                "this environment cannot run processes",
            )),
        }
    }
}

/// The error [`Environment::read_file`] returns for a file over its limit.
pub(crate) fn too_large(len: u64, limit: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::FileTooLarge,
        format!("file is {len} bytes, over the limit of {limit} bytes"),
    )
}

// A poisoned lock only means another thread panicked while holding it; the maps stay
// consistent (every critical section is a single insert or read), so keep going.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
