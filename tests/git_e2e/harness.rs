//! A throw-away world for one test: a home directory, AWS files, the signature-checking
//! server with a seeded repository, and a way to run real `git` (and our binaries) in
//! it, isolated from the machine's own configuration.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use codecommit_auth::env::{Environment, OsEnvironment};
use serde_json::json;

use crate::git_server::GitServer;
use crate::support::disk::TempDir;
use crate::support::server::{Reply, Server};

/// The region every profile and the server use.
pub const REGION: &str = "us-east-1";
/// The Git host the credential-helper tests reach through `http.curloptResolve`
/// (git 2.37 and later).
pub const CODECOMMIT_HOST: &str = "git-codecommit.us-east-1.amazonaws.com";
/// The repository the server starts with, and a second one.
pub const REPO: &str = "ProjectAlpha";
pub const OTHER_REPO: &str = "ProjectBeta";

/// Static keys of profile `dev` (and `default`), known to the server.
pub const DEV_KEY: &str = "AKIAE2EDEV0000000001";
pub const DEV_SECRET: &str = "e2e/dev+secret=NEVER-PRINTED-0001";
/// Profile `ops`: another key the server knows.
pub const OPS_KEY: &str = "AKIAE2EOPS0000000002";
pub const OPS_SECRET: &str = "e2e-ops-secret-NEVER-PRINTED-0002";
/// Profile `wrong`: the dev key with the wrong secret.
pub const WRONG_SECRET: &str = "not-the-dev-secret";
/// Profile `stranger`: a key the server has never heard of.
pub const STRANGER_KEY: &str = "AKIAE2ESTRANGER00003";

/// SSO: what the local portal hands out for profile `sso-dev`.
pub const SSO_KEY: &str = "ASIAE2ESSO0000000004";
pub const SSO_SECRET: &str = "sso-role-secret-NEVER-PRINTED-0004";
pub const SSO_TOKEN: &str = "IQoJb3JpZ2luX2Vj/sso+session=token";
pub const SSO_ACCESS_TOKEN: &str = "sso-bearer-NEVER-PRINTED-0005";
/// `~/.aws/sso/cache/` + sha1("e2e-sso") + `.json`.
pub const SSO_TOKEN_FILE: &str = ".aws/sso/cache/aaf14d8144c9e5cdf795698f96990daa637b53e1.json";
pub const PORTAL_PATH: &str = "/federation/credentials";

pub const CONFIG: &str = "\
[default]
region = us-east-1

[profile dev]
region = us-east-1

[profile ops]
region = us-east-1

[profile wrong]
region = us-east-1

[profile stranger]
region = us-east-1

[profile nokeys]
region = us-east-1

[profile sso-dev]
region = us-east-1
sso_session = e2e-sso
sso_account_id = 111122223333
sso_role_name = Developer

[sso-session e2e-sso]
sso_start_url = https://e2e.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access
";

/// Skips the calling test, loudly, when there is no `git` (or one older than
/// `major.minor`); with `CODECOMMIT_E2E_REQUIRE_GIT` set (as `.ci/git.sh` sets it) it
/// fails instead, so CI cannot pass by skipping.
macro_rules! require_git {
    () => {
        $crate::harness::require_git!(2, 0)
    };
    ($major:expr, $minor:expr) => {
        if let Err(why) = $crate::harness::git_at_least($major, $minor) {
            $crate::harness::skip(&why);
            return;
        }
    };
}
pub(crate) use require_git;

/// `Ok` if `git` runs and is at least `major.minor`; else why not.
pub fn git_at_least(major: u32, minor: u32) -> Result<(), String> {
    static VERSION: std::sync::OnceLock<Option<(u32, u32)>> = std::sync::OnceLock::new();
    let version = *VERSION.get_or_init(|| {
        let mut git = command("git");
        git.arg("--version");
        let out = git.output().ok().filter(|o| o.status.success())?;
        // "git version 2.47.3" (vendors append more after the numbers).
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut numbers = text
            .split_whitespace()
            .nth(2)?
            .split('.')
            .map(|n| n.parse::<u32>().ok());
        Some((numbers.next()??, numbers.next()??))
    });
    match version {
        None => Err("`git` is not on PATH".to_owned()),
        Some(v) if v < (major, minor) => Err(format!(
            "git {}.{} is older than {major}.{minor}, which this test needs",
            v.0, v.1
        )),
        Some(_) => Ok(()),
    }
}

/// Reports a skipped test where nobody can miss it, or fails it when CI asked for git.
#[track_caller]
pub fn skip(why: &str) {
    if OsEnvironment::new()
        .var("CODECOMMIT_E2E_REQUIRE_GIT")
        .is_some()
    {
        panic!("{why}, and CODECOMMIT_E2E_REQUIRE_GIT is set (see .ci/git.sh)");
    }
    // Straight to the process's stderr: the test harness captures `eprintln!` of
    // passing tests, and a skip must be seen.
    let _ = writeln!(
        std::io::stderr(),
        "\n*** SKIPPED: {why}; the end-to-end tests need real git (see .ci/git.sh) ***\n"
    );
}

fn command(program: impl AsRef<std::ffi::OsStr>) -> Command {
    Command::new(program)
}

/// The text of a file a process under test wrote, if it exists.
pub fn read_text(path: impl AsRef<Path>) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

/// The tests' clock, for fresh expiry times.
pub fn now() -> SystemTime {
    SystemTime::now()
}

pub fn unix_now() -> u64 {
    now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// `2027-01-15T08:00:00Z` for `unix` (the support crate's writer).
pub fn iso(unix: u64) -> String {
    crate::support::sso::iso(unix as i64)
}

/// The directory holding both binaries, put first on PATH as `cargo install` would:
/// `CODECOMMIT_E2E_BIN_DIR` if set (to test installed binaries, e.g. `~/.cargo/bin`
/// after `cargo install --path .`), else the ones cargo built for this test run.
pub fn bin_dir() -> PathBuf {
    match OsEnvironment::new().var("CODECOMMIT_E2E_BIN_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_BIN_EXE_git-remote-codecommit"))
            .parent()
            .unwrap()
            .to_owned(),
    }
}

pub fn remote_helper_bin() -> String {
    bin_dir()
        .join("git-remote-codecommit")
        .display()
        .to_string()
}

pub fn credential_helper_bin() -> String {
    bin_dir()
        .join("git-credential-codecommit")
        .display()
        .to_string()
}

/// What a finished process left.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn ok(&self) -> bool {
        self.code == Some(0)
    }

    /// Panics with everything the process said unless it succeeded.
    #[track_caller]
    pub fn assert_ok(&self, what: &str) -> &Run {
        assert!(self.ok(), "{what} failed: {self:#?}");
        self
    }

    #[track_caller]
    pub fn assert_failed(&self, what: &str) -> &Run {
        assert!(!self.ok(), "{what} should have failed: {self:#?}");
        self
    }
}

/// Fields drop in order: the servers stop before their directory is removed.
pub struct World {
    pub server: GitServer,
    /// The local SSO portal, once [`World::with_sso`] started it.
    pub portal: Option<Server>,
    pub home: PathBuf,
    vars: Vec<(String, String)>,
    path: String,
    pub dir: TempDir,
}

impl World {
    /// A home with the AWS files and a git identity, and a server holding `ProjectAlpha`
    /// (one commit on `main`) and an empty `ProjectBeta`.
    pub fn new() -> World {
        let dir = TempDir::new("git-e2e");
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let server = GitServer::start(&dir.path().join("server"), REGION, &[CODECOMMIT_HOST]);
        server.add_key(DEV_KEY, DEV_SECRET, None);
        server.add_key(OPS_KEY, OPS_SECRET, None);

        dir.write("aws/config", CONFIG);
        dir.write(
            "aws/credentials",
            format!(
                "[default]\naws_access_key_id = {DEV_KEY}\naws_secret_access_key = {DEV_SECRET}\n\n\
                 [dev]\naws_access_key_id = {DEV_KEY}\naws_secret_access_key = {DEV_SECRET}\n\n\
                 [ops]\naws_access_key_id = {OPS_KEY}\naws_secret_access_key = {OPS_SECRET}\n\n\
                 [wrong]\naws_access_key_id = {DEV_KEY}\naws_secret_access_key = {WRONG_SECRET}\n\n\
                 [stranger]\naws_access_key_id = {STRANGER_KEY}\naws_secret_access_key = {DEV_SECRET}\n"
            ),
        );
        dir.write(
            "home/.gitconfig",
            "[user]\n\tname = E2E Tester\n\temail = e2e@example.com\n\
             [init]\n\tdefaultBranch = main\n\
             [advice]\n\tdetachedHead = false\n",
        );

        let system_path = OsEnvironment::new()
            .var("PATH")
            .unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".to_owned());
        let path = std::env::join_paths(
            std::iter::once(bin_dir()).chain(std::env::split_paths(&system_path)),
        )
        .unwrap()
        .to_string_lossy()
        .into_owned();

        let aws = dir.path().join("aws");
        let vars = vec![
            ("HOME".to_owned(), home.display().to_string()),
            ("GIT_CONFIG_NOSYSTEM".to_owned(), "1".to_owned()),
            ("GIT_TERMINAL_PROMPT".to_owned(), "0".to_owned()),
            (
                "GIT_SSL_CAINFO".to_owned(),
                server.ca_file().display().to_string(),
            ),
            (
                "AWS_CONFIG_FILE".to_owned(),
                aws.join("config").display().to_string(),
            ),
            (
                "AWS_SHARED_CREDENTIALS_FILE".to_owned(),
                aws.join("credentials").display().to_string(),
            ),
            ("CODE_COMMIT_ENDPOINT".to_owned(), server.authority()),
            ("AWS_EC2_METADATA_DISABLED".to_owned(), "true".to_owned()),
            ("LANG".to_owned(), "C".to_owned()),
            ("TZ".to_owned(), "UTC".to_owned()),
        ];
        let world = World {
            dir,
            home,
            server,
            portal: None,
            vars,
            path,
        };
        world.seed();
        world
    }

    /// Creates the server's repositories straight on disk (no HTTP).
    fn seed(&self) {
        let root = self.server.project_root().to_owned();
        for repo in [REPO, OTHER_REPO] {
            self.git_in(&root, &["init", "--bare", "--quiet", "-b", "main", repo])
                .assert_ok("git init --bare");
        }
        let seed = self.dir.path().join("seed");
        self.git_in(self.dir.path(), &["init", "--quiet", "-b", "main", "seed"])
            .assert_ok("git init seed");
        std::fs::write(seed.join("README.md"), "# ProjectAlpha\n").unwrap();
        self.git_in(&seed, &["add", "README.md"])
            .assert_ok("git add");
        self.git_in(&seed, &["commit", "--quiet", "-m", "Initial commit"])
            .assert_ok("git commit");
        let target = root.join(REPO).display().to_string();
        self.git_in(&seed, &["push", "--quiet", &target, "main"])
            .assert_ok("seed push");
    }

    /// Sets (or replaces) a variable for every process this world runs.
    pub fn set_var(&mut self, name: &str, value: &str) {
        self.vars.retain(|(k, _)| k != name);
        self.vars.push((name.to_owned(), value.to_owned()));
    }

    pub fn remove_var(&mut self, name: &str) {
        self.vars.retain(|(k, _)| k != name);
    }

    /// Replaces PATH (the binaries' directory is no longer on it unless included).
    pub fn set_path(&mut self, path: &str) {
        self.path = path.to_owned();
    }

    pub fn path_var(&self) -> &str {
        &self.path
    }

    /// A path under the world's directory.
    pub fn at(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Appends to `~/.gitconfig`.
    pub fn git_config(&self, text: &str) {
        let path = self.home.join(".gitconfig");
        let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
        f.write_all(text.as_bytes()).unwrap();
    }

    /// `git ARGS` in the world's directory.
    pub fn git(&self, args: &[&str]) -> Run {
        self.git_in(self.dir.path(), args)
    }

    pub fn git_in(&self, cwd: &Path, args: &[&str]) -> Run {
        self.run_in(cwd, "git", args, b"")
    }

    /// Runs `program` (looked up on the world's PATH) with `stdin`.
    pub fn run_in(&self, cwd: &Path, program: &str, args: &[&str], stdin: &[u8]) -> Run {
        run(self.command_in(cwd, program, args), stdin)
    }

    /// `program ARGS` in `cwd` with the world's environment, not started: for a test
    /// that must act while it runs.
    pub fn command_in(&self, cwd: &Path, program: &str, args: &[&str]) -> Command {
        let mut cmd = command(program);
        cmd.args(args)
            .current_dir(cwd)
            .env_clear()
            .env("PATH", &self.path)
            .envs(self.vars.iter().map(|(k, v)| (k, v)));
        cmd
    }

    /// Starts the SSO portal for profile `sso-dev` and leaves an `aws sso login` token
    /// valid for `token_valid_for` seconds (negative: expired that long ago).
    pub fn with_sso(&mut self, token_valid_for: i64) {
        let portal = Server::start();
        let now = unix_now();
        portal.route(
            "GET",
            PORTAL_PATH,
            vec![Reply::json(
                200,
                &json!({"roleCredentials": {
                    "accessKeyId": SSO_KEY,
                    "secretAccessKey": SSO_SECRET,
                    "sessionToken": SSO_TOKEN,
                    "expiration": (now + 3600) * 1000,
                }}),
            )],
        );
        self.set_var("AWS_ENDPOINT_URL_SSO", &portal.url());
        self.set_var("AWS_ENDPOINT_URL_SSO_OIDC", &portal.url());
        self.server.add_key(SSO_KEY, SSO_SECRET, Some(SSO_TOKEN));
        let expires = now.saturating_add_signed(token_valid_for);
        self.dir.write(
            &format!("home/{SSO_TOKEN_FILE}"),
            json!({
                "startUrl": "https://e2e.awsapps.com/start",
                "region": "us-east-1",
                "accessToken": SSO_ACCESS_TOKEN,
                "expiresAt": iso(expires),
            })
            .to_string(),
        );
        self.portal = Some(portal);
    }

    /// How many times the SSO portal was asked for role credentials.
    pub fn portal_calls(&self) -> usize {
        self.portal.as_ref().map_or(0, |p| p.count(PORTAL_PATH))
    }

    /// A shell script on disk, executable, for fake programs and recording helpers.
    pub fn script(&self, rel: &str, body: &str) -> PathBuf {
        let path = self.at(rel);
        self.dir.write(rel, format!("#!/bin/sh\n{body}"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        path
    }

    /// The branch's commit in the server's bare repository, if the branch exists.
    pub fn server_ref(&self, repo: &str, branch: &str) -> Option<String> {
        let dir = self.server.project_root().join(repo);
        let run = self.git_in(
            &dir,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("refs/heads/{branch}"),
            ],
        );
        run.ok().then(|| run.stdout.trim().to_owned())
    }
}

/// Runs `cmd` to completion with `stdin`, killing it after two minutes (a hung git
/// must fail the test, not the CI job).
pub fn run(mut cmd: Command, stdin: &[u8]) -> Run {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let read = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = pipe.read_to_end(&mut buf);
            buf
        })
    };
    let out = read(Box::new(stdout));
    let err = read(Box::new(stderr));
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let _ = writer.join();
    let stdout = String::from_utf8_lossy(&out.join().unwrap()).into_owned();
    let stderr = String::from_utf8_lossy(&err.join().unwrap()).into_owned();
    assert!(status.is_some(), "{cmd:?} hung and was killed: {stderr}");
    Run {
        code: status.and_then(|s| s.code()),
        stdout,
        stderr,
    }
}

/// Splits `https://USER:PASSWORD@HOST/v1/repos/REPO` into its parts, with the user
/// percent-decoded as git decodes it before Basic auth.
pub fn url_parts(url: &str) -> (String, String, String, String) {
    let rest = url.strip_prefix("https://").expect("https URL");
    let (userinfo, rest) = rest.rsplit_once('@').expect("credentials in the URL");
    let (user, password) = userinfo.split_once(':').expect("user:password");
    let (host, path) = rest.split_once('/').expect("a path");
    let repo = path
        .strip_prefix("v1/repos/")
        .expect("/v1/repos/")
        .to_owned();
    (
        crate::support::server::decode(user),
        password.to_owned(),
        host.to_owned(),
        repo,
    )
}
