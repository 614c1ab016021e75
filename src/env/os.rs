//! The real machine, as an [`Environment`].

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use super::{Environment, HttpError, HttpRequest, HttpResponse, Platform, too_large};

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

    fn write_file_atomic(&self, path: &Path, contents: &[u8]) -> io::Result<()> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        std::fs::create_dir_all(dir)?;
        let name = path
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?;
        // Unique per process and call, so concurrent writers never share a temp file.
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let tmp = dir.join(format!(
            ".{}.{}.{}.tmp",
            name.to_string_lossy(),
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let result = write_new_private(&tmp, contents).and_then(|()| std::fs::rename(&tmp, path));
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }
}

/// Creates `path` (which must not exist) with mode 0600, writes and syncs it.
fn write_new_private(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

/// Errors that mean "nothing usable is there", as botocore treats them.
fn is_absent(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory | io::ErrorKind::IsADirectory
    ) || e.kind() == io::ErrorKind::InvalidInput // an empty path
}
