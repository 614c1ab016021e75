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

use codecommit_auth::env::Environment;
use codecommit_auth::{GitHost, RepositoryName, Request, Resolver, SigningTime};

const USAGE: &str = "\
usage: git-credential-codecommit [--profile NAME] get|store|erase
       git-credential-codecommit --help | --version
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
            // What `help2man` reads for the Debian package's man page, besides --help.
            "-V" | "--version" => {
                let _ = writeln!(
                    std::io::stdout(),
                    "git-credential-codecommit {}",
                    env!("CARGO_PKG_VERSION")
                );
                return ExitCode::SUCCESS;
            }
            _ if action.is_none() && !arg.starts_with('-') => action = Some(arg),
            _ => return fail(&format!("unexpected argument {arg:?}\n{USAGE}")),
        }
    }
    // git writes the whole request and closes the pipe; read it even for store and
    // erase, so git never writes into a closed pipe.
    let input = match read_request(std::io::stdin().lock()) {
        Ok(Some(input)) => input,
        // Larger than any request git sends: not one we can answer. Silent, as for
        // any request that is not ours, so git asks its next helper.
        Ok(None) => return ExitCode::SUCCESS,
        Err(e) => return fail(&format!("cannot read the request from git: {e}")),
    };
    match action {
        Some("get") => get(&input, profile.as_deref()),
        // store, erase, and actions git may add later: nothing to do.
        Some(_) => ExitCode::SUCCESS,
        None => fail(USAGE),
    }
}

fn get(input: &[u8], profile: Option<&str>) -> ExitCode {
    let asked = GitRequest::parse(input);
    if asked.protocol != Some(b"https".as_slice()) {
        return ExitCode::SUCCESS;
    }
    // A host that is not UTF-8 is no CodeCommit host: not ours.
    let Some(authority) = asked.host.and_then(|h| std::str::from_utf8(h).ok()) else {
        return ExitCode::SUCCESS;
    };
    // The signature covers the host without the port (behavior.md §2).
    let host = authority.split(':').next().unwrap_or_default();
    let Some(parts) = GitHost::parse(host) else {
        return ExitCode::SUCCESS; // not ours: git asks the next helper
    };
    let Some(path) = asked.path.map(String::from_utf8_lossy) else {
        return fail(&format!(
            "git-credential-codecommit: git sent no repository path for {authority}; the \
             signature covers it, so set `git config --global \
             credential.https://{authority}.useHttpPath true`"
        ));
    };
    // (A path that is not UTF-8 keeps U+FFFD here, which no repository name has: it is
    // refused below, with the rest of the path escaped.)
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

    // The request is built from typed parts: the profile only from --profile or the
    // environment, the region from the host, the repository from the path. Pasting them
    // into a `REGION://profile@repository` remote would let a path such as
    // `v1/repos/admin@Repo` choose the profile `admin` (git decodes `%40` to `@` before
    // we see the path); `@` is no repository-name character, so such a path is refused.
    let repository = match RepositoryName::new(repository) {
        Ok(r) => r,
        Err(e) => return fail(&format!("git-credential-codecommit: {}", e.chain_message())),
    };
    let region = match parts.region() {
        Ok(r) => r,
        Err(e) => return fail(&format!("git-credential-codecommit: {}", e.chain_message())),
    };
    // The host signed is the one git asked about, verbatim: a FIPS setting or a
    // `CODE_COMMIT_ENDPOINT` meant for the remote helper cannot change a host git
    // already chose.
    let mut request = Request::new(repository).with_region(region).with_host(host);
    if let Some(profile) = profile {
        request = request.with_profile(profile);
    }
    let resolver = Resolver::new();
    let resolution = match resolver.resolve_request(&request) {
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
    // git's protocol is one `key=value` per line, and the username is the key id, `%`
    // and the token, unencoded: a line break in either would add lines of its own
    // (`host=`, `password=`, `quit=1`), and a `%` in the key id would move the split.
    // The library refuses line breaks and NUL in every credential; here the key id must
    // also be spelled as AWS spells them.
    if !is_aws_access_key_id(creds.access_key_id()) {
        return fail(&format!(
            "git-credential-codecommit: the access key id of {} is not an AWS access key id \
             (16 to 128 letters, digits or '_'); fix the source of the credentials",
            resolution.credential_source()
        ));
    }
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

/// IAM's `AccessKeyIdType`: 16 to 128 characters of `[\w]` (ASCII letters, digits and
/// `_`).
///
/// The library itself signs any key id the files hold, as botocore does — the oracle
/// replays keep `a=b:c` and `AK/+=%:@ ~x` from a credentials file, which the remote
/// helper percent-encodes into its URL — but no such text can be written into git's
/// credential protocol unencoded.
fn is_aws_access_key_id(id: &str) -> bool {
    (16..=128).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The most of git's request we keep. Real requests are a few hundred bytes (a
/// `wwwauth[]` line can be a few KiB); a larger one is read to its end and dropped.
const MAX_REQUEST: usize = 64 * 1024;

/// Reads git's request to its end, keeping at most [`MAX_REQUEST`] bytes: `None` if it
/// was longer. Memory stays bounded whatever git (or whoever runs us) writes.
fn read_request(mut input: impl Read) -> io::Result<Option<Vec<u8>>> {
    let mut kept = Vec::new();
    let mut buf = [0u8; 8192];
    let mut over = false;
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if !over && kept.len() + n <= MAX_REQUEST {
            kept.extend_from_slice(&buf[..n]);
        } else if !over {
            over = true;
            kept = Vec::new();
        }
    }
    Ok((!over).then_some(kept))
}

/// The attributes of git's request we use, as bytes; the last value of a key wins,
/// unknown keys (`capability[]`, `wwwauth[]`, `username`, …) are ignored whatever bytes
/// they hold.
#[derive(Default)]
struct GitRequest<'a> {
    protocol: Option<&'a [u8]>,
    host: Option<&'a [u8]>,
    path: Option<&'a [u8]>,
}

impl<'a> GitRequest<'a> {
    fn parse(input: &'a [u8]) -> GitRequest<'a> {
        let mut request = GitRequest::default();
        for line in input.split(|&b| b == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let Some(eq) = line.iter().position(|&b| b == b'=') else {
                continue;
            };
            let (key, value) = (&line[..eq], &line[eq + 1..]);
            match key {
                b"protocol" => request.protocol = Some(value),
                b"host" => request.host = Some(value),
                b"path" => request.path = Some(value),
                _ => {}
            }
        }
        request
    }
}

fn zeroize_string(s: String) {
    use zeroize::Zeroize;
    let mut s = s;
    s.zeroize();
}

fn fail(message: &str) -> ExitCode {
    // Not `eprintln!`, which panics (exit 101) when stderr is a closed pipe.
    let _ = writeln!(std::io::stderr(), "{message}");
    ExitCode::FAILURE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_key_ids_as_aws_spells_them() {
        for id in [
            "AKIAIOSFODNN7EXAMPLE",
            "ASIAE2ESSO0000000004",
            "AKIA_0123456789ab",
        ] {
            assert!(is_aws_access_key_id(id), "{id}");
        }
        let long = "A".repeat(129);
        for id in [
            "",
            "AKIDAPP",
            "AKIAIOSFODNN7EXAMP%LE",
            "AKIAIOSFODNN7EXAMPLE\nhost=x",
            &long,
        ] {
            assert!(!is_aws_access_key_id(id), "{id}");
        }
    }

    #[test]
    fn request_keeps_the_last_value_and_ignores_the_rest() {
        let r = GitRequest::parse(
            b"protocol=http\nprotocol=https\ncapability[]=authtype\nwwwauth[]=\xff\xfe\nhost=h:1\r\nnoise\npath=v1/repos/R\n\n",
        );
        assert_eq!(r.protocol, Some(b"https".as_slice()));
        assert_eq!(r.host, Some(b"h:1".as_slice()));
        assert_eq!(r.path, Some(b"v1/repos/R".as_slice()));
    }

    /// Issue 18, defect 12: a 200 MB request once cost 198 MB of memory.
    #[test]
    fn requests_are_read_to_the_end_with_bounded_memory() {
        /// `len` bytes of `x`, produced as they are read.
        struct Flood {
            left: usize,
        }
        impl Read for Flood {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = buf.len().min(self.left);
                buf[..n].fill(b'x');
                self.left -= n;
                Ok(n)
            }
        }
        let mut flood = Flood { left: 200 << 20 };
        assert_eq!(read_request(&mut flood).unwrap(), None);
        assert_eq!(
            flood.left, 0,
            "read to the end, so git never meets a closed pipe"
        );
        let exact = read_request(Flood { left: MAX_REQUEST }).unwrap().unwrap();
        assert_eq!(exact.len(), MAX_REQUEST);
        assert!(exact.capacity() <= 2 * MAX_REQUEST);
        assert_eq!(
            read_request(&b"protocol=https\n"[..]).unwrap().unwrap(),
            b"protocol=https\n"
        );
    }
}
