//! Real files on disk: a token cache that is a directory, a symlink (good, dangling,
//! looping, to a device), a named pipe, unreadable permission bits; a config file that
//! is `/dev/zero`; a cache directory that cannot be created; a `credential_process`
//! that floods or hangs.
//!
//! Permission bits: the tests run as root here, and root reads a mode-000 file
//! (CAP_DAC_OVERRIDE). The unreadable rows therefore first try to read the file
//! themselves: where the bits are enforced they expect the "cannot be read" error, and
//! where they are not (root) they expect what root gets — the URL, as botocore would
//! also read the file — and say so on stderr. Both branches assert an exact outcome.

use std::collections::HashMap;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use std::time::{Duration, Instant, UNIX_EPOCH};

use codecommit_auth::ErrorKind::*;
use codecommit_auth::env::HttpsClient;
use codecommit_auth::{Error, Resolver, SignedUrl};

use crate::support::disk::{DiskEnvironment, TempDir};
use crate::support::server::Server;
use crate::*;

const PORTAL_HOST: &str = "git-codecommit.us-east-2.amazonaws.com";

/// A home directory on disk with the SSO config, and a loopback portal.
struct Home {
    dir: TempDir,
    server: Server,
}

impl Home {
    fn new(tag: &str) -> Home {
        let dir = TempDir::new(tag);
        dir.write(".aws/config", SSO_CONFIG);
        let server = Server::start();
        server.route(
            "GET",
            "/federation/credentials",
            vec![crate::support::server::Reply::new(
                200,
                portal_answer().body.clone(),
            )],
        );
        Home { dir, server }
    }

    fn token(&self) -> std::path::PathBuf {
        self.dir.path().join(".aws/sso/cache").join(LEGACY_TOKEN)
    }

    fn env(&self, extra: &[(&str, &str)]) -> DiskEnvironment {
        let mut vars: HashMap<String, String> = [
            ("HOME", self.dir.path().to_str().unwrap()),
            ("AWS_ENDPOINT_URL_SSO", &self.server.url()),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        for (k, v) in extra {
            vars.insert((*k).to_owned(), (*v).to_owned());
        }
        let http = HttpsClient::from_environment(&codecommit_auth::env::MemoryEnvironment::new())
            .with_timeout_cap(Duration::from_secs(5));
        DiskEnvironment::new(vars, UNIX_EPOCH + Duration::from_secs(NOW), http)
    }

    /// Signs `codecommit://legacy@Repo` in a thread, failing after 20 s instead of hanging.
    fn sign(&self, extra: &[(&str, &str)], remote: &str) -> Result<SignedUrl, Error> {
        let env = self.env(extra);
        let remote = remote.to_owned();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(Resolver::with_environment(env).signed_url_at(&remote, now()));
        });
        rx.recv_timeout(Duration::from_secs(20))
            .expect("resolution hung for 20 s")
    }
}

fn portal() -> Want {
    url(
        PORTAL_HOST,
        "https://ASIAPORTAL%25portal-token:20270115T080000Z",
    )
}

const MISSING: &str =
    "Error loading SSO Token: Token for https://my-sso-portal.awsapps.com/start does not exist";

fn mkfifo(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

/// Whether this process can read a file whose mode is 000 (it runs as root).
fn reads_mode_000(path: &Path) -> bool {
    std::fs::read(path).is_ok()
}

#[test]
fn token_cache_on_disk_rows() {
    let mut rows = Vec::new();
    let mut row = |name: &str, setup: &dyn Fn(&Home), want: Want| {
        let home = Home::new("hostile-disk");
        setup(&home);
        rows.push((
            name.to_owned(),
            want,
            home.sign(&[], "codecommit://legacy@Repo"),
        ));
    };
    row(
        "a valid token file",
        &|h| {
            h.dir
                .write(&format!(".aws/sso/cache/{LEGACY_TOKEN}"), token_file(3600))
        },
        portal(),
    );
    row(
        "a directory where the token file belongs",
        &|h| std::fs::create_dir_all(h.token()).unwrap(),
        error(SsoLoginRequired, MISSING),
    );
    row(
        "a symlink to a valid token file",
        &|h| {
            h.dir.write("elsewhere/token.json", token_file(3600));
            std::fs::create_dir_all(h.token().parent().unwrap()).unwrap();
            symlink(h.dir.path().join("elsewhere/token.json"), h.token()).unwrap();
        },
        portal(),
    );
    row(
        "a dangling symlink",
        &|h| {
            std::fs::create_dir_all(h.token().parent().unwrap()).unwrap();
            symlink(h.dir.path().join("nowhere"), h.token()).unwrap();
        },
        error(SsoLoginRequired, MISSING),
    );
    row(
        "a symlink loop",
        &|h| {
            std::fs::create_dir_all(h.token().parent().unwrap()).unwrap();
            symlink(h.token(), h.token()).unwrap();
        },
        error(
            SsoLoginRequired,
            "cannot be read (Too many levels of symbolic links",
        ),
    );
    row(
        "a symlink to /dev/zero",
        &|h| {
            std::fs::create_dir_all(h.token().parent().unwrap()).unwrap();
            symlink("/dev/zero", h.token()).unwrap();
        },
        error(SsoLoginRequired, MISSING),
    );
    row(
        "a named pipe with no writer (used to hang forever)",
        &|h| mkfifo(&h.token()),
        error(SsoLoginRequired, MISSING),
    );
    assert_rows(rows);
}

#[test]
fn unreadable_token_file() {
    let home = Home::new("hostile-perm");
    home.dir
        .write(&format!(".aws/sso/cache/{LEGACY_TOKEN}"), token_file(3600));
    std::fs::set_permissions(home.token(), std::fs::Permissions::from_mode(0o000)).unwrap();
    let want = if reads_mode_000(&home.token()) {
        eprintln!("unreadable_token_file: running as root, mode 000 does not stop a read");
        portal()
    } else {
        error(SsoLoginRequired, "cannot be read (Permission denied")
    };
    assert_rows(vec![(
        "a token file with mode 000".into(),
        want,
        home.sign(&[], "codecommit://legacy@Repo"),
    )]);
}

#[test]
fn config_files_that_are_no_files() {
    let home = Home::new("hostile-cfg");
    mkfifo(&home.dir.path().join("pipe"));
    home.dir.write("locked", "[default]\nregion = eu-west-1\n");
    let locked = home.dir.path().join("locked");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let pipe = home.dir.path().join("pipe");
    let dir = home.dir.path().to_str().unwrap().to_owned();
    let none = error(
        CredentialsNotFound,
        "The following profile does not have credentials configured: default.",
    );
    let locked_want = if reads_mode_000(&locked) {
        eprintln!("config_files_that_are_no_files: running as root, mode 000 does not stop a read");
        error(CredentialsNotFound, "default")
    } else {
        // botocore skips a config file it cannot open: no profiles, no region.
        error(RegionNotFound, "does not have an AWS Region: default.")
    };
    let region = [("AWS_DEFAULT_REGION", "eu-west-1")];
    assert_rows(vec![
        (
            "AWS_CONFIG_FILE=/dev/zero".into(),
            none.clone(),
            home.sign(
                &[("AWS_CONFIG_FILE", "/dev/zero"), region[0]],
                "codecommit://Repo",
            ),
        ),
        (
            "AWS_CONFIG_FILE is a named pipe (used to hang forever)".into(),
            none.clone(),
            home.sign(
                &[("AWS_CONFIG_FILE", pipe.to_str().unwrap()), region[0]],
                "codecommit://Repo",
            ),
        ),
        (
            "AWS_SHARED_CREDENTIALS_FILE is a directory".into(),
            none,
            home.sign(
                &[("AWS_SHARED_CREDENTIALS_FILE", &dir), region[0]],
                "codecommit://Repo",
            ),
        ),
        (
            "AWS_CONFIG_FILE with mode 000".into(),
            locked_want,
            home.sign(
                &[("AWS_CONFIG_FILE", locked.to_str().unwrap())],
                "codecommit://Repo",
            ),
        ),
    ]);
}

/// A file variable that names a directory: the error still has botocore's class, and a
/// note names the variable and the path (botocore reads a directory as no file, silently).
#[test]
fn a_file_variable_naming_a_directory_is_named_in_the_error() {
    let home = Home::new("hostile-cfgdir");
    let dir = home.dir.path().to_str().unwrap().to_owned();
    let err = home
        .sign(&[("AWS_CONFIG_FILE", &dir)], "codecommit://Repo")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RegionNotFound);
    assert!(
        err.to_string().ends_with(&format!(
            "the AWS CLI User Guide. Note: AWS_CONFIG_FILE names {dir}, which does not exist \
             or is not a file."
        )),
        "{err}"
    );
    let err = home
        .sign(
            &[
                ("AWS_SHARED_CREDENTIALS_FILE", &dir),
                ("AWS_DEFAULT_REGION", "eu-west-1"),
            ],
            "codecommit://Repo",
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CredentialsNotFound);
    assert!(
        err.to_string().ends_with(&format!(
            " Note: AWS_SHARED_CREDENTIALS_FILE names {dir}, which does not exist or is not \
             a file."
        )),
        "{err}"
    );
}

/// The CLI cache directory cannot be created (`~/.aws/cli` is a file, which stops root
/// too): the portal's credentials still sign this command, and nothing is written.
#[test]
fn an_unwritable_cli_cache_costs_nothing_but_the_cache() {
    let home = Home::new("hostile-rocache");
    home.dir
        .write(&format!(".aws/sso/cache/{LEGACY_TOKEN}"), token_file(3600));
    home.dir.write(".aws/cli", "not a directory");
    assert_rows(vec![(
        "cache directory blocked by a file".into(),
        portal(),
        home.sign(&[], "codecommit://legacy@Repo"),
    )]);
    assert_eq!(
        home.dir.read(".aws/cli").as_deref(),
        Some("not a directory")
    );
    assert_eq!(home.server.count("/federation/credentials"), 1);
}

/// A refresh whose write fails (read-only disk) still serves the fresh token, and leaves
/// the old file as it was.
#[test]
fn a_read_only_token_cache_keeps_the_old_file_and_uses_the_new_token() {
    let path = format!("{HOME}/.aws/sso/cache/{SESSION_TOKEN}");
    let old = token_file(60);
    let env = memory()
        .with_file(config_path(), SSO_CONFIG)
        .with_file(&path, old.clone())
        .with_read_only_files()
        .with_http_client(Answer(|r: &codecommit_auth::env::HttpRequest| {
            if r.url.ends_with("/token") {
                response(200, r#"{"accessToken": "NEW", "expiresIn": 3600}"#)
            } else if r
                .headers
                .iter()
                .any(|(n, v)| n == "x-amz-sso_bearer_token" && v == "NEW")
            {
                portal_answer()
            } else {
                response(401, "{}")
            }
        }));
    let resolver = Resolver::with_environment(env);
    let got = resolver.signed_url_at("codecommit://session@Repo", now());
    assert_rows(vec![("read-only cache".into(), portal(), got)]);
    assert_eq!(resolver.environment().file(&path), Some(old.into_bytes()));
}

#[test]
fn credential_process_that_floods_or_hangs() {
    let home = Home::new("hostile-proc");
    home.dir.write(
        ".aws/config",
        "[profile flood]\nregion = eu-west-1\ncredential_process = sh -c \"head -c 2000000 /dev/zero\"\n\
         [profile hang]\nregion = eu-west-1\ncredential_process = sleep 30\n",
    );
    let start = Instant::now();
    let rows = vec![
        (
            "2 MB of output".into(),
            error(ProcessFailed, "wrote more than 1048576 bytes"),
            home.sign(&[], "codecommit://flood@Repo"),
        ),
        (
            "a command that never ends".into(),
            error(
                ProcessFailed,
                "did not finish within 1 s and was stopped; raise CODECOMMIT_AUTH_PROCESS_TIMEOUT",
            ),
            home.sign(
                &[("CODECOMMIT_AUTH_PROCESS_TIMEOUT", "1")],
                "codecommit://hang@Repo",
            ),
        ),
    ];
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "{:?}",
        start.elapsed()
    );
    assert_rows(rows);
}

/// The writer of [`a_writer_killed_mid_write_never_leaves_half_a_file`]: run as a child
/// process with `KILLED_WRITER_FILE` set, it writes ever newer versions of the file until
/// it is killed. Each version is `N` repeated to 1 MiB, so a torn file shows.
#[test]
#[ignore = "runs only as the child process of a_writer_killed_mid_write_never_leaves_half_a_file"]
fn killed_writer_child() {
    use codecommit_auth::env::{Environment, OsEnvironment};
    let Ok(path) = std::env::var("KILLED_WRITER_FILE") else {
        return;
    };
    let env = OsEnvironment::new();
    for version in 0u64.. {
        let text = version_text(version);
        env.write_file_atomic(Path::new(&path), text.as_bytes())
            .expect("atomic write");
    }
}

fn version_text(version: u64) -> String {
    let mark = format!("{version:016}\n");
    mark.repeat((1 << 20) / mark.len())
}

/// Whether `text` is one whole version.
fn is_whole(text: &[u8]) -> bool {
    text.len() >= 17
        && std::str::from_utf8(&text[..16])
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .is_some_and(|v| version_text(v).as_bytes() == text)
}

/// A writer SIGKILLed at arbitrary moments, over and over: readers meanwhile and after
/// see only whole versions (never a torn or empty file), the file stays 0600, and what a
/// kill leaves behind is at most one hidden temp file per kill beside it, never in
/// its place.
#[test]
fn a_writer_killed_mid_write_never_leaves_half_a_file() {
    let dir = TempDir::new("killed-writer");
    let path = dir.path().join("cache.json");
    let exe = std::env::current_exe().unwrap();
    let mut reads = 0;
    let kills = 12;
    // Kills the writer however the round ends, a failed assertion included.
    struct Writer(std::process::Child);
    impl Drop for Writer {
        fn drop(&mut self) {
            let _ = self.0.kill(); // SIGKILL: no destructor, no cleanup
            let _ = self.0.wait();
        }
    }
    for round in 0..kills {
        let child = Writer(
            std::process::Command::new(&exe)
                .args([
                    "--exact",
                    "disk::killed_writer_child",
                    "--ignored",
                    "--quiet",
                ])
                .env("KILLED_WRITER_FILE", &path)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap(),
        );
        // Kill after a varying delay: early rounds inside the first writes, later ones
        // after many versions.
        let until = Instant::now() + Duration::from_millis(20 + 37 * round);
        while Instant::now() < until {
            if let Ok(text) = std::fs::read(&path) {
                assert!(is_whole(&text), "round {round}: a torn read");
                reads += 1;
            }
        }
        drop(child);
        if let Ok(text) = std::fs::read(&path) {
            assert!(is_whole(&text), "round {round}: torn after the kill");
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "round {round}");
        }
    }
    assert!(reads > 0, "the writer never finished a version");
    let litter: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "cache.json")
        .collect();
    assert!(litter.len() <= kills as usize, "{litter:?}");
    assert!(
        litter
            .iter()
            .all(|n| n.starts_with(".cache.json.") && n.ends_with(".tmp")),
        "{litter:?}"
    );
}

/// Locks and directories (issue 18, defect 7): a `<key>.lock` planted as a symlink once
/// made us create the file it points to (as root: anywhere), and the cache directories
/// we create got the default mode (0755, or 0777 under `umask 000`). Now the link is not
/// followed — the fetch goes on without the lock — and what we create is 0700.
#[test]
fn locks_do_not_follow_symlinks_and_new_directories_are_private() {
    let home = Home::new("hostile-locklink");
    home.dir
        .write(&format!(".aws/sso/cache/{LEGACY_TOKEN}"), token_file(3600));
    let victim = home.dir.path().join("victim-created-by-the-lock");
    let lock = home.dir.path().join(format!(
        ".aws/cli/cache/{}",
        LEGACY_CLI_CACHE.replace(".json", ".lock")
    ));
    std::fs::create_dir_all(lock.parent().unwrap()).unwrap();
    symlink(&victim, &lock).unwrap();
    assert_rows(vec![(
        "a planted lock symlink".into(),
        portal(),
        home.sign(&[], "codecommit://legacy@Repo"),
    )]);
    assert!(!victim.exists(), "the lock followed the symlink");
    assert!(std::fs::symlink_metadata(&lock).unwrap().is_symlink());

    let home = Home::new("hostile-dirmodes");
    home.dir
        .write(&format!(".aws/sso/cache/{LEGACY_TOKEN}"), token_file(3600));
    assert_rows(vec![(
        "directories created for the cache".into(),
        portal(),
        home.sign(&[], "codecommit://legacy@Repo"),
    )]);
    for dir in [".aws/cli", ".aws/cli/cache"] {
        let mode = std::fs::metadata(home.dir.path().join(dir))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700, "{dir}: {mode:o}");
    }
    assert!(
        home.dir
            .read(&format!(".aws/cli/cache/{LEGACY_CLI_CACHE}"))
            .is_some()
    );
}

/// Temporary files (issue 18, defect 8). The temp name was `.KEY.json.PID.N.tmp`: a file
/// planted at the next names made the write fail silently (every run fetched again),
/// and the writer then deleted the planted file, which it had not created. A writer
/// killed between create and rename left a temp file holding refreshed tokens forever.
/// Now names are unpredictable, a clash is retried, only what we created is removed,
/// and stale temp files of ours are swept.
#[test]
fn temp_files_are_unpredictable_ours_alone_and_swept() {
    let home = Home::new("hostile-tempfiles");
    home.dir
        .write(&format!(".aws/sso/cache/{LEGACY_TOKEN}"), token_file(3600));
    let cache = home.dir.path().join(".aws/cli/cache");
    std::fs::create_dir_all(&cache).unwrap();
    // What the old scheme would pick next in this process (the resolver runs here).
    let pid = std::process::id();
    let planted: Vec<_> = (0..2000)
        .map(|n| cache.join(format!(".{LEGACY_CLI_CACHE}.{pid}.{n}.tmp")))
        .collect();
    for p in &planted {
        std::fs::write(p, "someone else's").unwrap();
    }
    // A temp file a killed writer left an hour ago, holding tokens.
    let stale = cache.join(format!(".{LEGACY_CLI_CACHE}.0123456789abcdef.tmp"));
    std::fs::write(&stale, "{\"accessToken\": \"left behind\"}").unwrap();
    let hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(hour_ago)
        .unwrap();

    assert_rows(vec![(
        "planted temp names".into(),
        portal(),
        home.sign(&[], "codecommit://legacy@Repo"),
    )]);
    assert!(
        home.dir
            .read(&format!(".aws/cli/cache/{LEGACY_CLI_CACHE}"))
            .is_some(),
        "the cache entry was written"
    );
    assert!(
        planted.iter().all(|p| p.exists()),
        "a file we did not create was removed"
    );
    assert!(!stale.exists(), "the stale temp file was not swept");
    // The second run reads the entry: one portal call in all.
    assert_rows(vec![(
        "the entry is used".into(),
        portal(),
        home.sign(&[], "codecommit://legacy@Repo"),
    )]);
    assert_eq!(home.server.count("/federation/credentials"), 1);
}

/// A `credential_process` wrapper whose real program never ends (issue 18, defect 6):
/// the timeout once killed only the wrapper, and the program ran on. The whole process
/// group is stopped now; the program's pid file shows it is gone.
#[cfg(target_os = "linux")]
#[test]
fn a_timed_out_wrappers_program_is_stopped_too() {
    let home = Home::new("hostile-pgroup");
    let pid_file = home.dir.path().join("program.pid");
    home.dir.write(
        ".aws/config",
        format!(
            "[profile wrapped]\nregion = eu-west-1\n\
             credential_process = sh -c \"sleep 30 & echo $! > {}; wait\"\n",
            pid_file.display()
        ),
    );
    assert_rows(vec![(
        "a wrapper that waits for a program that never ends".into(),
        error(ProcessFailed, "did not finish within 1 s and was stopped"),
        home.sign(
            &[("CODECOMMIT_AUTH_PROCESS_TIMEOUT", "1")],
            "codecommit://wrapped@Repo",
        ),
    )]);
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    let stat = format!("/proc/{}/stat", pid.trim());
    // Gone, or a zombie until init reaps it; never still sleeping.
    let running = || {
        std::fs::read_to_string(&stat)
            .ok()
            .and_then(|s| {
                s.rsplit(')')
                    .next()
                    .map(|r| !r.trim_start().starts_with('Z'))
            })
            .unwrap_or(false)
    };
    let deadline = Instant::now() + Duration::from_secs(5);
    while running() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!running(), "the program {} still runs", pid.trim());
}
