//! `git-credential-codecommit`: a git credential helper for plain HTTPS CodeCommit
//! remotes, like `aws codecommit credential-helper` without the AWS CLI.
//!
//! ```text
//! git config --global credential.https://git-codecommit.us-east-1.amazonaws.com.helper ''
//! git config --global --add credential.https://git-codecommit.us-east-1.amazonaws.com.helper codecommit
//! git config --global credential.https://git-codecommit.us-east-1.amazonaws.com.useHttpPath true
//! ```
//!
//! git runs it as `git-credential-codecommit [--profile NAME] ACTION` and speaks git's
//! credential protocol on stdin and stdout:
//!
//! * `get` reads `protocol`, `host` and `path`, and answers
//!   `username=…`, `password=…` and `password_expiry_utc=…` for
//!   `https://git-codecommit[-fips].REGION.amazonaws.com[.cn]` hosts, VPC-endpoint hosts
//!   (`vpce-….git-codecommit.REGION.vpce.amazonaws.com`), with any port. Any other host
//!   or protocol gets no answer, so git asks its next helper.
//! * `store` and `erase` do nothing: the password is a signature valid for about
//!   15 minutes, made afresh on every `get`.
//!
//! **The profile** is `--profile NAME` if given, else `AWS_DEFAULT_PROFILE`, else
//! `AWS_PROFILE`, else `default` — the AWS CLI v1's order (botocore's; the AWS CLI v2
//! reads `AWS_PROFILE` first), so a helper line without `--profile` behaves as
//! `aws codecommit credential-helper` of the AWS CLI v1 does (environment
//! credentials win then; with `--profile` they are ignored, as with the CLI's
//! `--profile`). To use different profiles for different repositories or regions, give
//! each URL its own helper line, which git matches by URL:
//! `credential.https://git-codecommit.eu-west-1.amazonaws.com.helper = codecommit --profile eu-dev`.
//!
//! **The signature** is the one `aws codecommit credential-helper` makes
//! (`reference/behavior.md` §2): SigV4 for service `codecommit` in the region named by
//! the host, over the host without its port and the path `/` + git's `path`. The
//! username is the access key id, then `%` and the session token if there is one, not
//! percent-encoded (git sends it as it is).
//!
//! Where we differ from the CLI, on purpose:
//!
//! * DIFFERENCE: the host must be a CodeCommit Git host as a whole (the CLI matches a
//!   prefix and a substring, so `git-codecommit.us-east-1.amazonaws.com.example.net`
//!   would receive a signature and the session token).
//! * DIFFERENCE: without a `path` (git's `credential.useHttpPath` off) we answer
//!   nothing and say why on stderr; the CLI crashes. The path is the repository, which
//!   the signature covers, so it is required.
//! * DIFFERENCE: an empty session token adds no `%`. The CLI writes `AKID%` when a
//!   shared file holds an empty token line — `aws_session_token =`, or
//!   `aws_security_token =`, which also hides a real `aws_session_token` — because
//!   botocore reads that as a token `""`; an empty `AWS_SESSION_TOKEN` variable is no
//!   token to botocore, so there the CLI writes `AKID` as we do.
//! * DIFFERENCE: git's `path` is taken without leading slashes and must be
//!   `v1/repos/NAME`: `path=/v1/repos/NAME` is signed as `/v1/repos/NAME`. The CLI
//!   signs `/` + the path as given, so a leading slash gives `//v1/repos/NAME`, a
//!   signature CodeCommit refuses; and it signs any other path too.
//! * The region must be one CodeCommit is offered in (the library's list); the CLI
//!   signs for any.
//!
//! The remote helper's `CODE_COMMIT_ENDPOINT` plays no part: the host signed is always
//! the one git asked about.

use std::io::{Read, Write};
use std::process::ExitCode;

use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use codecommit_auth::env::{
    Environment, FileLock, HttpError, HttpRequest, HttpResponse, OsEnvironment, Platform,
    ProcessError, ProcessOutput, ProcessRequest,
};
use codecommit_auth::{Resolver, SigningTime};

const USAGE: &str = "\
usage: git-credential-codecommit [--profile NAME] get|store|erase
A git credential helper for https://git-codecommit.REGION.amazonaws.com remotes; git
runs it. See `credential.helper` in git's documentation.";

/// The signed password is valid this long after signing (CodeCommit's window).
const VALIDITY_SECS: i64 = 15 * 60;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let mut profile = None;
    let mut rest = args.iter().map(String::as_str);
    let mut action = None;
    while let Some(arg) = rest.next() {
        match arg {
            "--profile" => match rest.next() {
                Some(name) => profile = Some(name.to_owned()),
                None => return fail(&format!("--profile needs a profile name\n{USAGE}")),
            },
            _ if arg.starts_with("--profile=") => {
                profile = Some(arg["--profile=".len()..].to_owned());
            }
            "-h" | "--help" => {
                let _ = writeln!(std::io::stdout(), "{USAGE}");
                return ExitCode::SUCCESS;
            }
            _ if action.is_none() && !arg.starts_with('-') => action = Some(arg),
            _ => return fail(&format!("unexpected argument {arg:?}\n{USAGE}")),
        }
    }
    let mut input = String::new();
    // git writes the whole request and closes the pipe; read it even for store and
    // erase, so git never writes into a closed pipe.
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        return fail(&format!("cannot read the request from git: {e}"));
    }
    match action {
        Some("get") => get(&input, profile.as_deref()),
        // store, erase, and actions git may add later: nothing to do.
        Some(_) => ExitCode::SUCCESS,
        None => fail(USAGE),
    }
}

fn get(input: &str, profile: Option<&str>) -> ExitCode {
    let request = Request::parse(input);
    if request.protocol != Some("https") {
        return ExitCode::SUCCESS;
    }
    let Some(authority) = request.host else {
        return ExitCode::SUCCESS;
    };
    // The signature covers the host without the port (behavior.md §2).
    let host = authority.split(':').next().unwrap_or_default();
    let Some(region) = codecommit_region(host) else {
        return ExitCode::SUCCESS; // not ours: git asks the next helper
    };
    let Some(path) = request.path else {
        return fail(&format!(
            "git-credential-codecommit: git sent no repository path for {authority}; the \
             signature covers it, so set `git config --global \
             credential.https://{authority}.useHttpPath true`"
        ));
    };
    let Some(repository) = path
        .trim_start_matches('/')
        .strip_prefix("v1/repos/")
        .filter(|r| !r.contains('/'))
    else {
        return fail(&format!(
            "git-credential-codecommit: {path:?} is not a CodeCommit repository path \
             (v1/repos/NAME) on {authority}"
        ));
    };

    // The library resolves the profile's credentials (and checks the region and the
    // repository name) through a remote of the REGION:// form, in an environment whose
    // Git host is the one git asked about: `CODE_COMMIT_ENDPOINT` means exactly that,
    // so the resolution signs this host verbatim, and a FIPS setting meant for the AWS
    // APIs cannot refuse a host git already chose.
    let remote = match profile {
        Some(p) => format!("{region}://{p}@{repository}"),
        None => format!("{region}://{repository}"),
    };
    let resolver = Resolver::with_environment(HostAsked {
        os: OsEnvironment::new(),
        host,
    });
    let resolution = match resolver.resolve(&remote) {
        Ok(r) => r,
        Err(e) => return fail(&format!("git-credential-codecommit: {}", e.chain_message())),
    };
    let time = match SigningTime::from_system_time(resolver.environment().now()) {
        Ok(t) => t,
        Err(e) => return fail(&format!("git-credential-codecommit: {}", e.chain_message())),
    };
    let signed = resolution.sign(time);
    debug_assert_eq!(signed.host(), host);
    let creds = resolution.credentials();
    let token = creds.session_token().filter(|t| !t.is_empty());
    let mut answer = format!("username={}", creds.access_key_id());
    if let Some(token) = token {
        answer.push('%');
        answer.push_str(token);
    }
    answer.push_str("\npassword=");
    answer.push_str(signed.password());
    // git ≥ 2.41 drops a password past this time instead of sending or storing it.
    answer.push_str(&format!(
        "\npassword_expiry_utc={}\n",
        time.unix() + VALIDITY_SECS
    ));
    let mut out = std::io::stdout().lock();
    let written = out.write_all(answer.as_bytes()).and_then(|()| out.flush());
    zeroize_string(answer);
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&format!(
            "git-credential-codecommit: cannot answer git: {e}"
        )),
    }
}

/// The attributes of git's request we use; the last value of a key wins, unknown keys
/// (`capability[]`, `wwwauth[]`, `username`, …) are ignored.
#[derive(Default)]
struct Request<'a> {
    protocol: Option<&'a str>,
    host: Option<&'a str>,
    path: Option<&'a str>,
}

impl<'a> Request<'a> {
    fn parse(input: &'a str) -> Request<'a> {
        let mut request = Request::default();
        for line in input.lines() {
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            match key {
                "protocol" => request.protocol = Some(value),
                "host" => request.host = Some(value),
                "path" => request.path = Some(value),
                _ => {}
            }
        }
        request
    }
}

/// The region of a CodeCommit Git host, matched as a whole:
/// `[vpce-ID.]git-codecommit[-fips].REGION.[vpce.]amazonaws.com[.cn]`
/// (the AWS CLI's pattern, anchored at both ends).
fn codecommit_region(host: &str) -> Option<&str> {
    let mut labels: Vec<&str> = host.split('.').collect();
    if labels
        .first()
        .is_some_and(|l| l.starts_with("vpce-") && l.len() > 5)
    {
        labels.remove(0);
    }
    let tail: &[&str] = match labels.last() {
        Some(&"cn") => &["amazonaws", "com", "cn"],
        _ => &["amazonaws", "com"],
    };
    let labels = labels.strip_suffix(tail)?;
    let labels = match labels {
        [rest @ .., "vpce"] => rest,
        _ => labels,
    };
    match labels {
        ["git-codecommit" | "git-codecommit-fips", region] if !region.is_empty() => Some(region),
        _ => None,
    }
}

/// The process's environment, except that the Git host is the one git asked about.
struct HostAsked<'a> {
    os: OsEnvironment,
    host: &'a str,
}

impl Environment for HostAsked<'_> {
    fn var(&self, name: &str) -> Option<String> {
        match name {
            "CODE_COMMIT_ENDPOINT" => Some(self.host.to_owned()),
            _ => self.os.var(name),
        }
    }

    fn platform(&self) -> Platform {
        self.os.platform()
    }

    fn account_home_dir(&self) -> Option<PathBuf> {
        self.os.account_home_dir()
    }

    fn read_file(&self, path: &Path, limit: u64) -> io::Result<Option<Vec<u8>>> {
        self.os.read_file(path, limit)
    }

    fn now(&self) -> SystemTime {
        self.os.now()
    }

    fn http(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        self.os.http(request)
    }

    fn write_file_atomic(&self, path: &Path, contents: &[u8]) -> io::Result<()> {
        self.os.write_file_atomic(path, contents)
    }

    fn run_process(&self, request: &ProcessRequest) -> Result<ProcessOutput, ProcessError> {
        self.os.run_process(request)
    }

    fn lock_file(&self, path: &Path, timeout: Duration) -> io::Result<FileLock> {
        self.os.lock_file(path, timeout)
    }
}

fn zeroize_string(s: String) {
    use zeroize::Zeroize;
    let mut s = s;
    s.zeroize();
}

fn fail(message: &str) -> ExitCode {
    eprintln!("{message}");
    ExitCode::FAILURE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codecommit_hosts_give_their_region() {
        for (host, region) in [
            ("git-codecommit.us-east-1.amazonaws.com", "us-east-1"),
            (
                "git-codecommit-fips.us-gov-west-1.amazonaws.com",
                "us-gov-west-1",
            ),
            ("git-codecommit.cn-north-1.amazonaws.com.cn", "cn-north-1"),
            (
                "vpce-0b7d2939f8a7c5a3a-abcdefgh.git-codecommit.eu-west-1.vpce.amazonaws.com",
                "eu-west-1",
            ),
            ("git-codecommit.eu-west-1.vpce.amazonaws.com", "eu-west-1"),
        ] {
            assert_eq!(codecommit_region(host), Some(region), "{host}");
        }
    }

    #[test]
    fn other_hosts_are_not_ours() {
        for host in [
            "github.com",
            "git-codecommit.us-east-1.amazonaws.com.example.net",
            "evil.git-codecommit.us-east-1.amazonaws.com",
            "git-codecommit.amazonaws.com",
            "git-codecommit..amazonaws.com",
            "codecommit.us-east-1.amazonaws.com",
            "git-codecommit.us-east-1.example.com",
            "vpce-.git-codecommit.us-east-1.amazonaws.com",
            "127.0.0.1",
            "",
        ] {
            assert_eq!(codecommit_region(host), None, "{host}");
        }
    }

    #[test]
    fn request_keeps_the_last_value_and_ignores_the_rest() {
        let r = Request::parse(
            "protocol=http\nprotocol=https\ncapability[]=authtype\nhost=h:1\nnoise\npath=v1/repos/R\n\n",
        );
        assert_eq!(r.protocol, Some("https"));
        assert_eq!(r.host, Some("h:1"));
        assert_eq!(r.path, Some("v1/repos/R"));
    }
}
