//! The real machine, as an [`Environment`].

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::{Environment, Platform, too_large};

/// The process's own environment: `std::env`, the file system and the system clock.
///
/// This is the only type in the crate allowed to touch them.
#[derive(Clone, Copy, Debug, Default)]
pub struct OsEnvironment {
    _private: (),
}

impl OsEnvironment {
    /// The environment of the running process.
    pub const fn new() -> OsEnvironment {
        OsEnvironment { _private: () }
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
}

/// Errors that mean "nothing usable is there", as botocore treats them.
fn is_absent(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory | io::ErrorKind::IsADirectory
    ) || e.kind() == io::ErrorKind::InvalidInput // an empty path
}
