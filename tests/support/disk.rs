//! An environment whose files are real files (under a temporary directory the test
//! owns) but whose variables and clock are the test's: two of these in two threads act
//! like two processes sharing a home directory.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use codecommit_auth::env::{
    Environment, FileLock, HttpClient, HttpError, HttpRequest, HttpResponse, HttpsClient,
    OsEnvironment, Platform, ProcessError, ProcessOutput, ProcessRequest,
};

pub struct DiskEnvironment {
    pub vars: HashMap<String, String>,
    pub now: SystemTime,
    pub http: HttpsClient,
    os: OsEnvironment,
}

impl DiskEnvironment {
    pub fn new(vars: HashMap<String, String>, now: SystemTime, http: HttpsClient) -> Self {
        DiskEnvironment {
            vars,
            now,
            http,
            os: OsEnvironment::new(),
        }
    }
}

impl Environment for DiskEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        self.vars.get(name).cloned()
    }
    fn platform(&self) -> Platform {
        Platform::Unix
    }
    fn account_home_dir(&self) -> Option<PathBuf> {
        None
    }
    fn read_file(&self, path: &Path, limit: u64) -> io::Result<Option<Vec<u8>>> {
        self.os.read_file(path, limit)
    }
    fn now(&self) -> SystemTime {
        self.now
    }
    fn http(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        // Never beyond loopback, whatever the test forgot to override.
        super::loopback::check(&request.url)?;
        self.http.send(request)
    }
    fn write_file_atomic(&self, path: &Path, contents: &[u8]) -> io::Result<()> {
        self.os.write_file_atomic(path, contents)
    }
    fn run_process(&self, request: &ProcessRequest) -> Result<ProcessOutput, ProcessError> {
        OsEnvironment::run(request)
    }
    fn lock_file(&self, path: &Path, timeout: std::time::Duration) -> io::Result<FileLock> {
        self.os.lock_file(path, timeout)
    }
}

/// A fresh directory under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "codecommit-auth-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let path = self.0.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }

    pub fn read(&self, rel: &str) -> Option<String> {
        std::fs::read_to_string(self.0.join(rel)).ok()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
