//! `--doctor REMOTE`: the troubleshooting list, walked for one remote.
//!
//! Each step prints what it checked and what it found, one line (or a few) per step:
//! the shared files, the remote, the profile and why, the region and where it came from,
//! the Git host, the credentials (source, key id, expiry), the SSO login, and git itself
//! (`git remote-http`, and which `git-remote-codecommit` git will run). Secrets are
//! never printed: no secret key, session token or SSO token, only the access key id.
//!
//! Offline (the default) nothing goes over the network and no credential process is
//! run: the library sees the world through [`Offline`], which refuses HTTP requests,
//! process runs and file writes, and records what was refused so the report can say
//! "the SSO portal would be asked" instead of showing an error. `--online` lets
//! everything through, so the credentials are fetched exactly as a `git fetch` would.
//!
//! The profile, region and host steps are the library's locate stage
//! ([`Resolver::locate`]), run once; the credentials step continues from it
//! ([`Resolver::credentials`]). The shared files are parsed once, by the resolver.
//! Nothing here re-implements those rules.
//!
//! With `--online`, after the credentials, the doctor also asks the services
//! (`doctor/online.rs`): who STS says the credentials are, whether the local clock agrees with
//! the services', what the Git host answers to git's first request, and, when it
//! refuses, what CodeCommit's API says about the repository; each call names the proxy
//! it went through and what it trusted. The credential helpers git would ask for the
//! host are listed either way (`doctor/helpers.rs`: `git config`, no network).
//!
//! Exit status: 0 when no step failed, 1 otherwise.

mod helpers;
mod online;

use std::fmt::Display;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use codecommit_auth::config::{self, SharedConfig};
use codecommit_auth::credentials::{Source, TokenState, login_session, sso_login};
use codecommit_auth::env::{Environment, Offline, OsEnvironment, Platform, ProcessRequest};
use codecommit_auth::{
    ErrorKind, Location, MAX_SHOWN, Remote, Request, Resolution, Resolver, shown,
};

/// The most of a shared file the doctor reads.
const FILE_LIMIT: u64 = 16 << 20;
/// Credentials with less than this left get a warning: a `git fetch` could outlast
/// them.
const CREDENTIALS_WARN: Duration = Duration::from_secs(15 * 60);

pub(crate) fn run(remote: &str, online: bool) -> ExitCode {
    let mut report = Report::default();
    let flag = if online { " --online" } else { "" };
    say!("{}{flag} {}", crate::DOCTOR, shown(remote, MAX_SHOWN));
    if online {
        say!(
            "online: credentials are fetched as git would fetch them; STS, the Git host and \
             CodeCommit are asked about them"
        );
    } else {
        say!(
            "offline: no network calls, no credential processes, nothing written \
             ({} --online REMOTE fetches credentials too)",
            crate::DOCTOR
        );
    }
    say!();

    if online {
        checks(&Resolver::new(), remote, &Vec::new, true, &mut report);
    } else {
        // An MFA code is not asked for offline (nothing would use it): the role's need
        // for one is noted with what was refused.
        let codes = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let resolver = Resolver::with_environment(Offline::new(OsEnvironment::new()))
            .with_mfa_callback({
                let codes = std::sync::Arc::clone(&codes);
                move |_, serial| {
                    let mut codes = codes.lock().unwrap_or_else(|e| e.into_inner());
                    codes.push(format!("an MFA code for {}", shown(serial, MAX_SHOWN)));
                    Ok(None)
                }
            });
        let refused = || {
            let mut refused = resolver.environment().refused();
            refused.extend(
                codes
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .iter()
                    .cloned(),
            );
            refused
        };
        checks(&resolver, remote, &refused, false, &mut report);
    }

    say!();
    if report.failed {
        say!("some checks failed (marked FAIL)");
        ExitCode::FAILURE
    } else if report.warned {
        say!("no failures, but see the warnings (marked WARN)");
        ExitCode::SUCCESS
    } else {
        say!("no problems found");
        ExitCode::SUCCESS
    }
}

/// The steps, against `resolver`; `refused` says what its environment turned away;
/// `online`: the service calls too.
fn checks<E: Environment>(
    resolver: &Resolver<E>,
    remote: &str,
    refused: &dyn Fn() -> Vec<String>,
    online: bool,
    report: &mut Report,
) {
    let env = resolver.environment();
    let parsed = remote_line(remote, report);
    let config = shared_files(resolver, report);
    let located = parsed.then(|| locate(resolver, remote, report)).flatten();
    if let Some(located) = &located {
        let resolution = credentials(resolver, located, remote, refused, report);
        let source = resolution.as_ref().map(Resolution::credential_source);
        if let Some(config) = &config {
            sso_login_line(env, config, located.profile(), source, report);
            aws_login_line(env, config, located.profile(), report);
        }
        if let Some(resolution) = resolution.as_ref().filter(|_| online) {
            let url = format!(
                "https://{}/v1/repos/{}",
                located.host(),
                located.repository()
            );
            online::steps(resolver, resolution, &helpers::settings(&url), report);
        }
    }
    cache_dirs(env, report);
    git(env, report);
    if let Some(located) = &located {
        helpers::step(
            located.host().as_str(),
            located.repository().as_str(),
            report,
        );
    }
}

/// Prints the report as it goes.
#[derive(Default)]
struct Report {
    failed: bool,
    warned: bool,
}

#[derive(Clone, Copy)]
enum Status {
    Ok,
    Info,
    Warn,
    Fail,
}

impl Report {
    fn line(&mut self, status: Status, step: &str, text: impl Display) {
        let mark = match status {
            Status::Ok => "ok",
            Status::Info => "-",
            Status::Warn => {
                self.warned = true;
                "WARN"
            }
            Status::Fail => {
                self.failed = true;
                "FAIL"
            }
        };
        // Names, paths and answers come from files, variables and arguments: every
        // line is escaped (the library's own messages already are; escaping is
        // idempotent on them), so no control character reaches the terminal.
        let text = text.to_string();
        let mut lines = text.lines().map(|l| shown(l, usize::MAX));
        say!("{mark:>4}  {step:<12} {}", lines.next().unwrap_or_default());
        for more in lines {
            say!("{:>4}  {:<12} {more}", "", "");
        }
    }
}

/// Step 2: where the two files are, whether they exist, and whether they parse.
fn shared_files<E: Environment>(
    resolver: &Resolver<E>,
    report: &mut Report,
) -> Option<std::sync::Arc<SharedConfig>> {
    let env = resolver.environment();
    let found = config::locate(env);
    let files = [
        ("config file", "AWS_CONFIG_FILE", found.config),
        (
            "creds file",
            "AWS_SHARED_CREDENTIALS_FILE",
            found.credentials,
        ),
    ];
    let mut any = false;
    for (step, var, path) in files {
        let origin = match env.var(var) {
            Some(_) => format!("from {var}"),
            None => "default location".to_owned(),
        };
        match path {
            None => report.line(
                Status::Info,
                step,
                format!("none: {var} is set to the empty string"),
            ),
            Some(path) => match env.read_file(&path, FILE_LIMIT) {
                Ok(Some(bytes)) => {
                    any = true;
                    report.line(
                        Status::Ok,
                        step,
                        format!(
                            "{} ({origin}): found, {} bytes",
                            path.display(),
                            bytes.len()
                        ),
                    );
                }
                Ok(None) => report.line(
                    Status::Info,
                    step,
                    format!("{} ({origin}): not found", path.display()),
                ),
                Err(e) => report.line(
                    Status::Fail,
                    step,
                    format!("{} ({origin}): cannot be read: {e}", path.display()),
                ),
            },
        }
    }
    match resolver.config() {
        Ok(config) => {
            let names = config.profile_names();
            if names.is_empty() {
                report.line(
                    if any { Status::Warn } else { Status::Info },
                    "profiles",
                    "none defined (only environment credentials can work)",
                );
            } else {
                report.line(Status::Ok, "profiles", names.join(", "));
            }
            Some(config)
        }
        Err(e) => {
            report.line(Status::Fail, "profiles", e.chain_message());
            None
        }
    }
}

/// Step 1: the remote's own parts (repository, and profile and region if it names them).
fn remote_line(remote: &str, report: &mut Report) -> bool {
    match Remote::parse(remote) {
        Ok(parsed) => {
            let profile = match parsed.profile() {
                Some(p) => format!("profile {p}"),
                None => "no profile (the environment chooses)".to_owned(),
            };
            let region = match parsed.region() {
                Some(r) => format!("region {r}"),
                None => "region from the profile".to_owned(),
            };
            report.line(
                Status::Ok,
                "remote",
                format!("repository {}, {profile}, {region}", parsed.repository()),
            );
            true
        }
        Err(e) => {
            report.line(Status::Fail, "remote", e.chain_message());
            false
        }
    }
}

/// Steps 3–5: profile, region and host, as the library's locate stage finds them —
/// before and without credentials.
fn locate<E: Environment>(
    resolver: &Resolver<E>,
    remote: &str,
    report: &mut Report,
) -> Option<Location> {
    let located = match Request::parse(remote).and_then(|r| resolver.locate(&r)) {
        Ok(r) => r,
        Err(e) => {
            let step = match e.kind() {
                ErrorKind::MalformedRemote | ErrorKind::InvalidRepositoryName => "remote",
                ErrorKind::ConfigRead | ErrorKind::ConfigParse => "profiles",
                ErrorKind::ProfileNotFound => "profile",
                ErrorKind::RegionNotFound | ErrorKind::RegionNotAvailable => "region",
                ErrorKind::FipsNotAvailable => "host",
                _ => "resolve",
            };
            report.line(Status::Fail, step, e.chain_message());
            return None;
        }
    };

    let profile = format!("{} ({})", located.profile(), located.profile_source().why());
    match located.profile_note() {
        // Both profile variables set, to different names: git and `aws` (v2) differ.
        Some(note) => report.line(Status::Warn, "profile", format!("{profile}\n{note}")),
        None => report.line(Status::Ok, "profile", profile),
    }
    report.line(
        Status::Ok,
        "region",
        format!("{} ({})", located.region(), located.region_why()),
    );
    let host = located.host();
    report.line(
        Status::Ok,
        "host",
        format!("{host} ({})", host.source().why()),
    );
    Some(located)
}

/// Step 6: the credentials, through the real provider chain (offline: without network).
fn credentials<E: Environment>(
    resolver: &Resolver<E>,
    located: &Location,
    remote: &str,
    refused: &dyn Fn() -> Vec<String>,
    report: &mut Report,
) -> Option<Resolution> {
    let resolution = match resolver.credentials(located) {
        Ok(r) => r,
        Err(e) => {
            let blocked = refused();
            if !blocked.is_empty() {
                // Unverified, not failed: a warning, so "no problems found" is never
                // said about credentials nobody looked at.
                report.line(
                    Status::Warn,
                    "credentials",
                    format!(
                        "not fetched offline: getting them takes {}\n\
                         run `{} --online {remote}` to fetch them",
                        blocked.join(", "),
                        crate::DOCTOR
                    ),
                );
            } else {
                report.line(Status::Fail, "credentials", e.chain_message());
            }
            return None;
        }
    };
    let creds = resolution.credentials();
    let kind = if creds.session_token().is_some_and(|t| !t.is_empty()) {
        "temporary (with a session token)"
    } else {
        "long-term keys"
    };
    let now = resolver.environment().now();
    let (status, expiry) = match creds.expiry() {
        None => (Status::Ok, "does not expire".to_owned()),
        Some(t) if t <= now => (Status::Fail, format!("expired at {}", utc(t))),
        Some(t) => {
            let left = t.duration_since(now).unwrap_or_default();
            let status = if left < CREDENTIALS_WARN {
                Status::Warn
            } else {
                Status::Ok
            };
            (status, format!("expire at {} (in {})", utc(t), span(left)))
        }
    };
    report.line(
        status,
        "credentials",
        format!(
            "{}\naccess key {}, {kind}; {expiry}",
            resolution.credential_source(),
            creds.access_key_id()
        ),
    );
    Some(resolution)
}

/// Step 7: for an SSO profile, the login `aws sso login` left in `~/.aws/sso/cache`,
/// as the library's [`sso_login`] query finds it.
fn sso_login_line(
    env: &dyn Environment,
    config: &SharedConfig,
    profile: &str,
    credentials: Option<&Source>,
    report: &mut Report,
) {
    let login = match sso_login(env, config, profile) {
        Ok(Some(login)) => login,
        Ok(None) => {
            report.line(Status::Info, "sso login", "not an SSO profile");
            return;
        }
        Err(e) => {
            report.line(Status::Fail, "sso login", e.chain_message());
            return;
        }
    };
    let run = format!("run `{}`", login.login_command());
    let what = match &login.sso_session {
        Some(s) => format!("sso-session {s}"),
        None => format!("start URL {}", login.start_url),
    };
    let path = login.token_file.display();
    // Role credentials still in the CLI cache make a missing or expired login harmless
    // until they expire.
    let cached = credentials.is_some_and(|s| s.method() == "sso" && s.from_cache());
    let missing = if cached { Status::Warn } else { Status::Fail };
    let (status, text) = match &login.state {
        TokenState::Missing => (
            missing,
            format!("no login for {what}: {path} does not exist\n{run}"),
        ),
        TokenState::Unreadable(e) => (Status::Fail, format!("{path} cannot be read: {e}")),
        TokenState::Invalid(problem) => (missing, format!("{path} {problem}\n{run}")),
        TokenState::Valid {
            expires_at,
            remaining,
        }
        | TokenState::RefreshDue {
            expires_at,
            remaining,
            refreshable: false,
        } => (
            Status::Ok,
            format!(
                "{what}: valid until {} (in {})",
                utc(*expires_at),
                span(*remaining)
            ),
        ),
        TokenState::RefreshDue {
            expires_at,
            remaining,
            refreshable: true,
        } => (
            Status::Info,
            format!(
                "{what}: expires at {} (in {}); it will be refreshed on the next use",
                utc(*expires_at),
                span(*remaining)
            ),
        ),
        TokenState::Expired {
            expires_at,
            refreshable: true,
        } => (
            Status::Warn,
            format!(
                "{what}: expired at {}; the next use tries its refresh token, and if that \
                 fails: {run}",
                utc(*expires_at)
            ),
        ),
        TokenState::Expired {
            expires_at,
            refreshable: false,
        } => (
            missing,
            format!("{what}: expired at {}\n{run}", utc(*expires_at)),
        ),
        // A state this doctor does not know yet: say so rather than guess.
        other => (Status::Warn, format!("{what}: {other:?}")),
    };
    report.line(status, "sso login", text);
}

/// Step 7 for an `aws login` profile (`login_session`): its token file, as the
/// library's [`login_session`] query finds it. Silent for other profiles.
fn aws_login_line(
    env: &dyn Environment,
    config: &SharedConfig,
    profile: &str,
    report: &mut Report,
) {
    let session = match login_session(env, config, profile) {
        Ok(Some(session)) => session,
        Ok(None) => return,
        Err(e) => {
            report.line(Status::Fail, "aws login", e.chain_message());
            return;
        }
    };
    let run = format!("run `{}`", session.login_command());
    let what = format!("session {}", session.session);
    let path = session.token_file.display();
    let (status, text) = match &session.state {
        TokenState::Missing => (
            Status::Fail,
            format!("no login for {what}: {path} does not exist\n{run}"),
        ),
        TokenState::Unreadable(e) => (Status::Fail, format!("{path} cannot be read: {e}")),
        TokenState::Invalid(problem) => (Status::Fail, format!("{path} {problem}\n{run}")),
        TokenState::Valid {
            expires_at,
            remaining,
        } => (
            Status::Ok,
            format!(
                "{what}: credentials valid until {} (in {}); renewed through the Sign-In \
                 service once fewer than {} remain",
                utc(*expires_at),
                span(*remaining),
                span(codecommit_auth::credentials::LoginSession::REFRESH_WINDOW)
            ),
        ),
        TokenState::RefreshDue {
            expires_at,
            refreshable: true,
            ..
        }
        | TokenState::Expired {
            expires_at,
            refreshable: true,
        } => (
            Status::Info,
            format!(
                "{what}: credentials expire at {}; the next use renews them through the \
                 Sign-In service (if that is refused: {run})",
                utc(*expires_at)
            ),
        ),
        TokenState::RefreshDue { expires_at, .. } | TokenState::Expired { expires_at, .. } => (
            Status::Fail,
            format!(
                "{what}: credentials expire at {} and {path} holds no refresh token, client \
                 id or key to renew them\n{run}",
                utc(*expires_at)
            ),
        ),
        other => (Status::Warn, format!("{what}: {other:?}")),
    };
    report.line(status, "aws login", text);
}

/// The directories whose entries the library trusts: a warning for each that another
/// user owns or that group or others can write, since whoever can write there can plant
/// credentials or tokens that git then uses (or read what is cached). Nothing is said
/// about private or missing ones.
fn cache_dirs(env: &dyn Environment, report: &mut Report) {
    let Some(home) = config::home_dir(env) else {
        return;
    };
    let aws = home.join(".aws");
    for dir in [
        aws.clone(),
        aws.join("cli").join("cache"),
        aws.join("sso").join("cache"),
        aws.join("boto").join("cache"),
    ] {
        if let Some(problem) = dir_problem(&dir, &home) {
            report.line(
                Status::Warn,
                "cache dir",
                format!(
                    "{} {problem}: they could plant credentials or tokens that git would use",
                    dir.display()
                ),
            );
        }
    }
}

/// Why other users could plant entries in `dir`, if they could. "Other" means other
/// than the owner of the home directory `home`.
#[cfg(unix)]
fn dir_problem(dir: &Path, home: &Path) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(dir).ok().filter(|m| m.is_dir())?;
    let owner = std::fs::metadata(home).ok()?.uid();
    if meta.uid() != owner {
        return Some(format!(
            "belongs to another user (uid {}, while the home directory's owner is uid \
             {owner}); make it theirs with `chown`",
            meta.uid()
        ));
    }
    let mode = meta.mode() & 0o7777;
    (mode & 0o022 != 0).then(|| {
        format!(
            "can be written by other users (mode {mode:04o}); run `chmod go-w {}`",
            dir.display()
        )
    })
}

#[cfg(not(unix))]
fn dir_problem(_dir: &Path, _home: &Path) -> Option<String> {
    None
}

/// Step 8: git, `git remote-http`, and which `git-remote-codecommit` git will run.
fn git(env: &dyn Environment, report: &mut Report) {
    let os = OsEnvironment::new();
    let run = |args: &[&str]| -> Result<String, String> {
        let out = os
            .run_process(&ProcessRequest::new(
                std::iter::once("git")
                    .chain(args.iter().copied())
                    .map(str::to_owned)
                    .collect(),
                Duration::from_secs(10),
                64 << 10,
            ))
            .map_err(|e| e.to_string())?;
        if out.code != Some(0) {
            return Err(String::from_utf8_lossy(&out.stderr).trim().to_owned());
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    let (version, exec_path) = match (run(&["--version"]), run(&["--exec-path"])) {
        (Ok(v), Ok(p)) => (v, PathBuf::from(p)),
        (Err(e), _) | (_, Err(e)) => {
            report.line(Status::Fail, "git", format!("cannot run git: {e}"));
            return;
        }
    };
    let exe = |name: &str| match env.platform() {
        Platform::Windows => format!("{name}.exe"),
        Platform::Unix => name.to_owned(),
    };
    let remote_http = exec_path.join(exe("git-remote-http"));
    if is_executable(&remote_http) {
        report.line(
            Status::Ok,
            "git",
            format!("{version}; git remote-http is {}", remote_http.display()),
        );
    } else {
        report.line(
            Status::Fail,
            "git",
            format!(
                "{version}, but {} is missing: this git cannot speak HTTPS (install git's \
                 HTTP support)",
                remote_http.display()
            ),
        );
    }

    // git looks for remote helpers in its exec path first, then on PATH.
    let mut dirs = vec![exec_path];
    if let Some(path) = env.var("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    let name = exe("git-remote-codecommit");
    let found = dirs
        .iter()
        .map(|d| d.join(&name))
        .find(|p| is_executable(p));
    // The git-remote-codecommit beside this program: itself, or codecommit-auth's.
    let me = std::env::current_exe()
        .ok()
        .map(|m| m.with_file_name(&name));
    let same = |p: &Path| {
        let canon = |p: &Path| std::fs::canonicalize(p).ok();
        me.as_deref()
            .and_then(canon)
            .is_some_and(|m| canon(p) == Some(m))
    };
    match found {
        Some(p) if same(&p) => report.line(
            Status::Ok,
            "helper",
            format!("git runs this program for codecommit:// ({})", p.display()),
        ),
        Some(p) => report.line(
            Status::Warn,
            "helper",
            format!(
                "git will run {} for codecommit://, not this program{}",
                p.display(),
                me.map(|m| format!(" ({})", m.display()))
                    .unwrap_or_default()
            ),
        ),
        None => report.line(
            Status::Fail,
            "helper",
            format!(
                "git will not find git-remote-codecommit: it is in neither git's exec path \
                 nor PATH{}",
                me.as_deref()
                    .and_then(Path::parent)
                    .map(|d| format!("; add {} to PATH", d.display()))
                    .unwrap_or_default()
            ),
        ),
    }
}

fn is_executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

/// `2027-01-15 08:00:00 UTC`.
fn utc(t: SystemTime) -> String {
    // `time` spells years -9999 to 9999 and panics converting a `SystemTime` outside
    // them, which an expiry from a file, a variable or a service can be. The Gregorian
    // calendar repeats every 400 years: shift the instant into range by whole cycles,
    // format it there, and add the cycles back to the year.
    const CYCLE: i128 = 146_097 * 86_400; // seconds in 400 Gregorian years
    const MAX: i128 = 253_402_300_799; // 9999-12-31T23:59:59Z
    const MIN: i128 = -377_705_116_800; // -9999-01-01T00:00:00Z
    let mut unix: i128 = match t.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i128::from(d.as_secs()),
        Err(e) => -i128::from(e.duration().as_secs()) - i128::from(e.duration().subsec_nanos() > 0),
    };
    let mut cycles: i128 = 0;
    if unix > MAX {
        cycles = (unix - MAX + CYCLE - 1) / CYCLE;
    } else if unix < MIN {
        cycles = -((MIN - unix + CYCLE - 1) / CYCLE);
    }
    unix -= cycles * CYCLE;
    let Some(t) = i64::try_from(unix)
        .ok()
        .and_then(|u| time::OffsetDateTime::from_unix_timestamp(u).ok())
    else {
        return "an unrepresentable time".to_owned();
    };
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
        i128::from(t.year()) + cycles * 400,
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `7h 59m`, `14m`, `30s`.
fn span(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        _ => format!("{}h {}m", s / 3600, s % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::utc;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn utc_spells_every_system_time() {
        let at = |secs: u64| utc(UNIX_EPOCH + Duration::from_secs(secs));
        assert_eq!(at(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(at(253_402_300_799), "9999-12-31 23:59:59 UTC");
        assert_eq!(at(253_402_300_800), "10000-01-01 00:00:00 UTC");
        assert_eq!(at(253_402_387_139), "10000-01-01 23:58:59 UTC");
        // 400 years later, the same day of the same month.
        assert_eq!(
            at(253_402_300_800 + 146_097 * 86_400),
            "10400-01-01 00:00:00 UTC"
        );
        assert!(at(u64::MAX / 4).ends_with(" UTC"));
        assert_eq!(
            utc(UNIX_EPOCH - Duration::from_secs(377_705_116_801)),
            "-10000-12-31 23:59:59 UTC"
        );
    }
}
