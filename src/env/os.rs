//! The real machine, as an [`Environment`].

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use super::{
    Environment, FileLock, HttpError, HttpRequest, HttpResponse, Platform, ProcessError,
    ProcessErrorKind, ProcessOutput, ProcessRequest, too_large,
};

/// The process's own environment: `std::env`, the file system, the system clock and
/// (feature `https`) an [`HttpsClient`](super::HttpsClient) configured from the process's
/// proxy variables on first use.
///
/// This is the only type in the crate allowed to touch them.
#[derive(Debug, Default)]
pub struct OsEnvironment {
    #[cfg(feature = "https")]
    http: OnceLock<super::HttpsClient>,
    #[cfg(not(feature = "https"))]
    http: OnceLock<()>,
}

impl OsEnvironment {
    /// The environment of the running process.
    pub const fn new() -> OsEnvironment {
        OsEnvironment {
            http: OnceLock::new(),
        }
    }

    /// Runs a real process as [`Environment::run_process`] describes: no shell, stdin
    /// closed (a git remote helper's stdin belongs to git), stdout and stderr captured up
    /// to the limit, killed and reaped at the timeout.
    ///
    /// # Errors
    ///
    /// [`ProcessErrorKind::Spawn`], [`ProcessErrorKind::Timeout`] or
    /// [`ProcessErrorKind::TooMuchOutput`].
    #[allow(clippy::disallowed_methods)] // this is the seam
    pub fn run(request: &ProcessRequest) -> Result<ProcessOutput, ProcessError> {
        use std::process::{Command, Stdio};
        use std::time::Instant;

        let Some((program, args)) = request.argv.split_first() else {
            return Err(ProcessError::new(
                ProcessErrorKind::Spawn,
                "the command is empty",
            ));
        };
        let mut command = Command::new(program);
        command
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // Its own process group, so that stopping it stops what it started too: a
        // wrapper script's real program would otherwise run on past the timeout.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut child = command.spawn().map_err(|e| {
            ProcessError::new(
                ProcessErrorKind::Spawn,
                format!("cannot run {program:?}: {e}"),
            )
        })?;
        let stdout = Capture::start(child.stdout.take(), request.max_output);
        let stderr = Capture::start(child.stderr.take(), request.max_output);
        // `None`: a timeout too large to add to the clock never passes.
        let deadline = Instant::now().checked_add(request.timeout);
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) => {}
                Err(e) => {
                    return Err(ProcessError::new(
                        ProcessErrorKind::Spawn,
                        format!("waiting for {program:?} failed: {e}"),
                    ));
                }
            }
            let overflow = stdout.overflowed() || stderr.overflowed();
            if overflow || deadline.is_some_and(|d| Instant::now() >= d) {
                kill_group(&child);
                let _ = child.kill();
                let _ = child.wait();
                return Err(if overflow {
                    ProcessError::new(
                        ProcessErrorKind::TooMuchOutput,
                        format!(
                            "{program:?} wrote more than {} bytes and was stopped",
                            request.max_output
                        ),
                    )
                } else {
                    ProcessError::new(
                        ProcessErrorKind::Timeout,
                        format!(
                            "{program:?} did not finish within {} s and was stopped",
                            request.timeout.as_secs_f32()
                        ),
                    )
                });
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        };
        let (stdout, out_overflow) = stdout.finish();
        let (stderr, err_overflow) = stderr.finish();
        if out_overflow || err_overflow {
            return Err(ProcessError::new(
                ProcessErrorKind::TooMuchOutput,
                format!("{program:?} wrote more than {} bytes", request.max_output),
            ));
        }
        Ok(ProcessOutput {
            code: status.code(),
            stdout,
            stderr,
        })
    }
}

/// Sends SIGKILL to the process group `child` leads (see [`OsEnvironment::run`]).
///
/// On Windows only the direct child is stopped: putting it in a job object needs the
/// Win32 API, which this crate does not bind (yet).
fn kill_group(child: &std::process::Child) {
    #[cfg(unix)]
    {
        let pid = rustix::process::Pid::from_child(child);
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
    #[cfg(not(unix))]
    let _ = child;
}

/// What a reader thread shares: the bytes, whether the limit was hit, whether the pipe
/// closed.
type CaptureState = (std::sync::Mutex<(Vec<u8>, bool, bool)>, std::sync::Condvar);

/// Reads a child's pipe on a thread, keeping at most `limit` bytes.
struct Capture {
    state: std::sync::Arc<CaptureState>,
}

impl Capture {
    fn start(pipe: Option<impl Read + Send + 'static>, limit: usize) -> Capture {
        use std::sync::{Arc, Condvar, Mutex};
        // (bytes, overflowed, done)
        let state = Arc::new((Mutex::new((Vec::new(), false, false)), Condvar::new()));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            if let Some(mut pipe) = pipe {
                loop {
                    match pipe.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            let mut s = shared.0.lock().unwrap_or_else(|e| e.into_inner());
                            if s.0.len() + n > limit {
                                s.1 = true;
                                break;
                            }
                            s.0.extend_from_slice(&buf[..n]);
                        }
                    }
                }
            }
            let mut s = shared.0.lock().unwrap_or_else(|e| e.into_inner());
            s.2 = true;
            shared.1.notify_all();
        });
        Capture { state }
    }

    fn overflowed(&self) -> bool {
        self.state.0.lock().unwrap_or_else(|e| e.into_inner()).1
    }

    /// The bytes read and whether the limit was hit, once the pipe closed — or after a second, if a grandchild keeps
    /// it open.
    fn finish(self) -> (Vec<u8>, bool) {
        let (lock, cvar) = &*self.state;
        let guard = lock.lock().unwrap_or_else(|e| e.into_inner());
        let (mut guard, _) = cvar
            .wait_timeout_while(guard, std::time::Duration::from_secs(1), |s| !s.2)
            .unwrap_or_else(|e| e.into_inner());
        (std::mem::take(&mut guard.0), guard.1)
    }
}

impl Environment for OsEnvironment {
    #[allow(clippy::disallowed_methods)] // this is the seam
    fn var(&self, name: &str) -> Option<String> {
        std::env::var_os(name).map(|v| v.to_string_lossy().into_owned())
    }

    fn platform(&self) -> Platform {
        Platform::current()
    }

    #[allow(clippy::disallowed_methods)] // this is the seam
    fn account_home_dir(&self) -> Option<PathBuf> {
        // std's home_dir consults HOME first; the config module only calls this once it
        // has found HOME unset, so what remains is the account database.
        std::env::home_dir()
    }

    #[allow(clippy::disallowed_methods)] // this is the seam
    fn read_file(&self, path: &Path, limit: u64) -> io::Result<Option<Vec<u8>>> {
        // Look before opening: opening a FIFO for reading blocks until a writer comes,
        // so a token cache or AWS_CONFIG_FILE that is a named pipe would hang the
        // command forever. `metadata` follows symlinks, as `open` does.
        match std::fs::metadata(path) {
            Ok(meta) if !meta.is_file() => return Ok(None),
            Ok(_) => {}
            Err(e) if is_absent(&e) => return Ok(None),
            Err(e) => return Err(e),
        }
        let file = match std::fs::File::open(path) {
            Ok(file) => file,
            Err(e) if is_absent(&e) => return Ok(None),
            Err(e) => return Err(e),
        };
        let meta = file.metadata()?;
        if !meta.is_file() {
            return Ok(None);
        }
        if meta.len() > limit {
            return Err(too_large(meta.len(), limit));
        }
        // The file may grow between metadata() and read: read at most limit + 1 bytes.
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > limit {
            return Err(too_large(bytes.len() as u64, limit));
        }
        Ok(Some(bytes))
    }

    #[allow(clippy::disallowed_methods)] // this is the seam
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    fn http(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        #[cfg(feature = "https")]
        {
            use super::HttpClient as _;
            self.http
                .get_or_init(|| super::HttpsClient::from_environment(self))
                .send(request)
        }
        #[cfg(not(feature = "https"))]
        {
            let _ = &self.http;
            Err(HttpError::new(
                super::HttpErrorKind::Unsupported,
                format!(
                    "built without the `https` feature: no HTTP client to reach {}",
                    request.url
                ),
            ))
        }
    }

    fn run_process(&self, request: &ProcessRequest) -> Result<ProcessOutput, ProcessError> {
        OsEnvironment::run(request)
    }

    /// On `/dev/tty` with echo off (Windows: the console, `CONIN$`/`CONOUT$`).
    fn prompt_secret(&self, prompt: &str) -> io::Result<String> {
        super::terminal::prompt_secret(prompt)
    }

    fn lock_file(&self, path: &Path, timeout: std::time::Duration) -> io::Result<FileLock> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dirs(dir)?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            // A `<key>.lock` planted as a symlink must not make us create or open the
            // file it points to (as root: anywhere): refuse to follow it.
            options
                .mode(0o600)
                .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
        }
        let file = options.open(path)?;
        let deadline = std::time::Instant::now() + timeout;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(FileLock::new(file)),
                Err(std::fs::TryLockError::WouldBlock) => {}
                Err(std::fs::TryLockError::Error(e)) => return Err(e),
            }
            if std::time::Instant::now() >= deadline {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "{} stayed locked for {} s",
                        path.display(),
                        timeout.as_secs()
                    ),
                ));
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    fn write_file_atomic(&self, path: &Path, contents: &[u8]) -> io::Result<()> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        create_private_dirs(dir)?;
        let name = path
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?
            .to_string_lossy()
            .into_owned();
        // An unpredictable name, so no other user can plant a file where we will write
        // (and make the write fail, or have us delete their file); on the rare clash,
        // another name. Only a file this call created is ever removed.
        let mut attempts = 0;
        let tmp = loop {
            let tmp = dir.join(format!(".{name}.{:016x}.tmp", unpredictable()));
            match write_new_private(&tmp, contents) {
                Ok(()) => break tmp,
                Err(Failed::Opening(e))
                    if e.kind() == io::ErrorKind::AlreadyExists && attempts < 16 =>
                {
                    attempts += 1;
                }
                Err(Failed::Opening(e)) => return Err(e),
                Err(Failed::Writing(e)) => {
                    let _ = std::fs::remove_file(&tmp);
                    return Err(e);
                }
            }
        };
        if let Err(e) = std::fs::rename(&tmp, path) {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        sweep_stale_temp_files(dir, &name);
        Ok(())
    }
}

/// A temp file of ours older than this was left by a writer that was killed between
/// creating it and renaming it (a live write takes milliseconds). It may hold refreshed
/// tokens, so it goes.
const STALE_TEMP: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Removes stale temp files of ours for `name` in `dir`: `.NAME.*.tmp`, regular files
/// (not links) owned by whoever owns `dir`, untouched for [`STALE_TEMP`].
fn sweep_stale_temp_files(dir: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let prefix = format!(".{name}.");
    #[cfg(unix)]
    let dir_owner = {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(dir).map(|m| m.uid()).ok()
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        if !(file_name.starts_with(&prefix) && file_name.ends_with(".tmp")) {
            continue;
        }
        // `DirEntry::metadata` does not follow a symlink.
        let Ok(meta) = entry.metadata() else {
            continue;
        };
        #[cfg(unix)]
        let ours = {
            use std::os::unix::fs::MetadataExt;
            dir_owner == Some(meta.uid())
        };
        #[cfg(not(unix))]
        let ours = true;
        let stale = meta
            .modified()
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age >= STALE_TEMP);
        if meta.is_file() && ours && stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// 64 bits no other user can guess: std's per-process random SipHash keys (seeded from
/// the OS), over the process id, a counter and the time.
fn unpredictable() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    if let Ok(d) = SystemTime::UNIX_EPOCH.elapsed() {
        h.write_u128(d.as_nanos());
    }
    h.finish()
}

/// Creates `dir` and any missing parents with mode 0700 (before the umask, which can
/// only take bits away): `~/.aws` itself when missing, `~/.aws/cli`, the cache folders.
/// They hold credentials and tokens; other users must not read them, nor plant entries.
/// Existing directories are left as they are.
fn create_private_dirs(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// How [`write_new_private`] failed: before the file existed (it is not ours), or after.
enum Failed {
    Opening(io::Error),
    Writing(io::Error),
}

/// Creates `path` (which must not exist) with mode 0600, writes and syncs it.
fn write_new_private(path: &Path, contents: &[u8]) -> Result<(), Failed> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(Failed::Opening)?;
    file.write_all(contents)
        .and_then(|()| file.sync_all())
        .map_err(Failed::Writing)
}

/// Errors that mean "nothing usable is there", as botocore treats them.
fn is_absent(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory | io::ErrorKind::IsADirectory
    ) || e.kind() == io::ErrorKind::InvalidInput // an empty path
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn sh(script: &str, timeout_ms: u64, max: usize) -> Result<ProcessOutput, ProcessError> {
        OsEnvironment::run(&ProcessRequest {
            argv: vec!["sh".into(), "-c".into(), script.into()],
            timeout: Duration::from_millis(timeout_ms),
            max_output: max,
        })
    }

    #[test]
    fn captures_output_and_exit_code() {
        let out = sh("echo out; echo err >&2; exit 3", 5000, 1024).unwrap();
        assert_eq!(out.stdout, b"out\n");
        assert_eq!(out.stderr, b"err\n");
        assert_eq!(out.code, Some(3));
    }

    #[test]
    fn stdin_is_closed() {
        let out = sh("cat; echo done", 5000, 1024).unwrap();
        assert_eq!(out.stdout, b"done\n");
    }

    #[test]
    fn a_hang_is_killed_at_the_timeout() {
        let start = Instant::now();
        let err = sh("sleep 30", 200, 1024).unwrap_err();
        assert_eq!(err.kind(), ProcessErrorKind::Timeout);
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{:?}",
            start.elapsed()
        );
    }

    /// Issue 18, defect 6: a wrapper's child (the real program) once ran on after the
    /// timeout killed the wrapper. The whole process group goes now.
    #[test]
    #[cfg(target_os = "linux")]
    #[allow(clippy::disallowed_methods)] // reads its own fixture and /proc
    fn a_timeout_stops_the_commands_children_too() {
        let pid_file =
            std::env::temp_dir().join(format!("codecommit-auth-pgrp-{}", std::process::id()));
        let script = format!("sleep 30 & echo $! > {}; wait", pid_file.display());
        let err = sh(&script, 300, 1024).unwrap_err();
        assert_eq!(err.kind(), ProcessErrorKind::Timeout);
        let pid = std::fs::read_to_string(&pid_file).unwrap();
        let _ = std::fs::remove_file(&pid_file);
        let stat = format!("/proc/{}/stat", pid.trim());
        // Killed, it is gone or a zombie waiting for init to reap it.
        let alive = || {
            std::fs::read_to_string(&stat)
                .ok()
                .and_then(|s| {
                    s.rsplit(')')
                        .next()
                        .map(|r| r.trim_start().starts_with('Z'))
                })
                .is_some_and(|zombie| !zombie)
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        while alive() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(!alive(), "the command's child {} still runs", pid.trim());
    }

    #[test]
    fn a_flood_is_stopped() {
        let err = sh("yes", 10_000, 64 * 1024).unwrap_err();
        assert_eq!(err.kind(), ProcessErrorKind::TooMuchOutput);
    }

    /// Found by `tests/hostile.rs` (disk rows): a token cache or config file that was a
    /// named pipe hung `read_file` in `open` until some writer came, forever.
    #[test]
    #[allow(clippy::disallowed_methods)] // makes its own fixture
    fn a_fifo_reads_as_absent_without_blocking() {
        let dir = std::env::temp_dir().join(format!("codecommit-auth-fifo-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let (tx, rx) = std::sync::mpsc::channel();
        let path = fifo.clone();
        std::thread::spawn(move || {
            let _ = tx.send(
                OsEnvironment::new()
                    .read_file(&path, 1024)
                    .map_err(|e| e.kind()),
            );
        });
        let got = rx.recv_timeout(Duration::from_secs(10));
        if got.is_err() {
            // Unblock the reader so the test process can exit.
            let _ = std::fs::write(&fifo, b"");
        }
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(got.expect("read_file blocked on a FIFO"), Ok(None));
    }

    /// Found by `tests/hostile.rs`: CODECOMMIT_AUTH_PROCESS_TIMEOUT=18446744073709551615
    /// overflowed `Instant` and panicked before the command ran.
    #[test]
    fn a_timeout_past_the_end_of_time_is_no_panic() {
        let out = OsEnvironment::run(&ProcessRequest {
            argv: vec!["sh".into(), "-c".into(), "echo ok".into()],
            timeout: Duration::from_secs(u64::MAX),
            max_output: 1024,
        })
        .unwrap();
        assert_eq!(out.stdout, b"ok\n");
    }

    #[test]
    fn missing_program_and_empty_command() {
        let err = OsEnvironment::run(&ProcessRequest {
            argv: vec!["/nonexistent/program".into()],
            timeout: Duration::from_secs(1),
            max_output: 10,
        })
        .unwrap_err();
        assert_eq!(err.kind(), ProcessErrorKind::Spawn);
        let err = OsEnvironment::run(&ProcessRequest {
            argv: vec![],
            timeout: Duration::from_secs(1),
            max_output: 10,
        })
        .unwrap_err();
        assert_eq!(err.kind(), ProcessErrorKind::Spawn);
    }
}
