//! A CodeCommit stand-in for end-to-end tests with real git.
//!
//! * HTTPS on 127.0.0.1 (port 0), with a certificate from a throw-away CA made at start;
//!   git trusts it through `GIT_SSL_CAINFO` = [`GitServer::ca_file`].
//! * Every request is authenticated as CodeCommit does it: HTTP Basic, the user being
//!   `ACCESS_KEY[%SESSION_TOKEN]` and the password `YYYYMMDDTHHMMSSZ<signature>`, where
//!   the signature is SigV4 over the canonical request
//!   `GIT\n/v1/repos/REPO\n\nhost:HOST\n\nhost\n` for service `codecommit`. The check is
//!   computed here from scratch with `aws-sigv4`'s key derivation and HMAC, never with
//!   the crate's signer, so a bug there cannot hide itself. A request without
//!   credentials gets 401 and a Basic challenge; wrong credentials (unknown key, wrong
//!   token, bad signature, another repository, a timestamp more than 15 minutes old)
//!   get 403, as from CodeCommit.
//! * Accepted requests go to `git http-backend` as CGI, one process per request, with
//!   the repositories under [`GitServer::project_root`]: `/v1/repos/NAME/...` serves the
//!   bare repository `NAME`.
//!
//! The server records every request ([`GitServer::hits`]) and stops when dropped.
//!
//! Included with `#[path]` by the test binaries that run git (it needs `crate::support`).
#![allow(dead_code)] // each test binary uses a different subset

use std::collections::HashMap;
use std::io::BufReader;
use std::io::{self, BufRead, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use sha2::{Digest, Sha256};

use crate::support::http1::{Acceptor, Head, Serve, read_head};

/// How long a signed password is accepted after its timestamp (CodeCommit: 15 minutes).
pub const MAX_AGE: Duration = Duration::from_secs(15 * 60);
/// How far in the future a timestamp may be (clock skew).
pub const MAX_SKEW: Duration = Duration::from_secs(5 * 60);

/// Why a request was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reject {
    /// No `Authorization` header: answered 401 with a Basic challenge.
    NoCredentials,
    /// Not `Basic base64(user:password)`.
    MalformedAuthorization,
    /// The access key id is not one the server knows.
    UnknownAccessKey(String),
    /// The session token after `%` is not the one issued with the key.
    WrongSessionToken,
    /// The password is not `YYYYMMDDTHHMMSSZ` + 64 hex digits.
    MalformedPassword,
    /// The timestamp is more than [`MAX_AGE`] old.
    Expired,
    /// The timestamp is more than [`MAX_SKEW`] ahead.
    FromTheFuture,
    /// The signature does not match (wrong secret, region, host or repository).
    BadSignature,
    /// The path is not `/v1/repos/NAME/...` of a repository the server has.
    NoSuchRepository,
}

/// One request as the server handled it.
#[derive(Clone, Debug)]
pub struct Hit {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    /// The Basic-auth user (decoded), if any.
    pub user: Option<String>,
    /// `Ok` if it reached `git http-backend`.
    pub outcome: Result<(), Reject>,
    pub status: u16,
}

/// Credentials the server accepts.
#[derive(Clone, Debug)]
struct Key {
    secret: String,
    session_token: Option<String>,
}

struct State {
    keys: HashMap<String, Key>,
    /// The host the signature must cover; `None`: the `Host` header as sent.
    signed_host: Option<String>,
    region: String,
    hits: Vec<Hit>,
}

struct Shared {
    state: Mutex<State>,
    tls: Arc<rustls::ServerConfig>,
    project_root: PathBuf,
    home: PathBuf,
}

pub struct GitServer {
    shared: Arc<Shared>,
    acceptor: Acceptor,
    ca_file: PathBuf,
}

impl GitServer {
    /// Starts a server that keeps its CA, CGI home and repositories under `dir` (which
    /// the caller owns and removes), serving repositories of `region`.
    ///
    /// The certificate names 127.0.0.1, localhost and `dns_names`.
    pub fn start(dir: &Path, region: &str, dns_names: &[&str]) -> GitServer {
        let project_root = dir.join("repos");
        let home = dir.join("server-home");
        std::fs::create_dir_all(&project_root).unwrap();
        std::fs::create_dir_all(&home).unwrap();
        let (ca_pem, tls) = tls_config(dns_names);
        let ca_file = dir.join("ca.pem");
        std::fs::write(&ca_file, ca_pem).unwrap();

        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                keys: HashMap::new(),
                signed_host: None,
                region: region.to_owned(),
                hits: Vec::new(),
            }),
            tls,
            project_root,
            home,
        });
        let acceptor = {
            let shared = Arc::clone(&shared);
            Acceptor::start(Serve::Concurrently, move |stream| {
                let _ = handle(stream, &shared);
            })
        };
        GitServer {
            shared,
            acceptor,
            ca_file,
        }
    }

    /// `127.0.0.1:PORT`: what `CODE_COMMIT_ENDPOINT` is set to.
    pub fn authority(&self) -> String {
        self.acceptor.addr().to_string()
    }

    pub fn port(&self) -> u16 {
        self.acceptor.addr().port()
    }

    /// The CA certificate (PEM) git must trust.
    pub fn ca_file(&self) -> &Path {
        &self.ca_file
    }

    /// Where the bare repositories live (`GIT_PROJECT_ROOT`).
    pub fn project_root(&self) -> &Path {
        &self.shared.project_root
    }

    /// Accepts `access_key_id` with `secret` (and, for temporary credentials, exactly
    /// `session_token`).
    pub fn add_key(&self, access_key_id: &str, secret: &str, session_token: Option<&str>) {
        self.lock().keys.insert(
            access_key_id.to_owned(),
            Key {
                secret: secret.to_owned(),
                session_token: session_token.map(str::to_owned),
            },
        );
    }

    /// Makes the server check signatures over `host` instead of the `Host` header: the
    /// name it stands in for when git reaches it through `http.curloptResolve` on a
    /// port other than 443 (the AWS CLI's helper, like ours, signs the host without the
    /// port, and real CodeCommit sees no port on 443).
    pub fn set_signed_host(&self, host: &str) {
        self.lock().signed_host = Some(host.to_owned());
    }

    /// Every request so far.
    pub fn hits(&self) -> Vec<Hit> {
        self.lock().hits.clone()
    }

    /// Forgets the requests recorded so far.
    pub fn clear_hits(&self) {
        self.lock().hits.clear();
    }

    /// Checks credentials as for a request to `/v1/repos/{repository}/...` on `host`,
    /// now. Returns the access key id.
    pub fn verify(
        &self,
        user: &str,
        password: &str,
        host: &str,
        repository: &str,
    ) -> Result<String, Reject> {
        let state = self.lock();
        let host = state.signed_host.as_deref().unwrap_or(host);
        verify(&state, user, password, host, repository, now())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.shared.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The server's own clock, as CodeCommit has its own.
pub fn now() -> SystemTime {
    SystemTime::now()
}

/// A CA (returned as PEM) and a server config whose leaf certificate it signed.
pub fn tls_config(dns_names: &[&str]) -> (String, Arc<rustls::ServerConfig>) {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
        KeyPair, KeyUsagePurpose,
    };
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "codecommit-auth test CA");
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);

    let mut names = vec!["127.0.0.1".to_owned(), "localhost".to_owned()];
    names.extend(dns_names.iter().map(|n| (*n).to_owned()));
    let mut leaf = CertificateParams::new(names).unwrap();
    leaf.distinguished_name
        .push(DnType::CommonName, "codecommit-auth test server");
    leaf.use_authority_key_identifier_extension = true;
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf_key = KeyPair::generate().unwrap();
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).unwrap();

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf_cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )
        .unwrap();
    (ca_cert.pem(), Arc::new(config))
}

fn handle(stream: TcpStream, shared: &Shared) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let conn = rustls::ServerConnection::new(Arc::clone(&shared.tls)).map_err(io::Error::other)?;
    let mut reader = BufReader::new(rustls::StreamOwned::new(conn, stream));
    let Some(request) = read_head(&mut reader)? else {
        return Ok(());
    };
    let path = request.target.split('?').next().unwrap_or("").to_owned();
    let query = request
        .target
        .split_once('?')
        .map_or("", |(_, q)| q)
        .to_owned();
    let host_header = request.header("host").unwrap_or("").to_owned();

    let (user, checked) = authenticate(shared, &request, &path, &host_header);
    let expect_continue = request
        .header("expect")
        .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"));

    let response = match &checked {
        Err(reject) => {
            // A refused request with `Expect: 100-continue` gets its final answer
            // before the body is sent; otherwise drain the body so the client reads
            // our status instead of a reset.
            if !expect_continue {
                let _ = read_body(&mut reader, &request);
            }
            refusal(reject)
        }
        Ok(repository) => {
            if expect_continue {
                reader
                    .get_mut()
                    .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
                reader.get_mut().flush()?;
            }
            let body = read_body(&mut reader, &request)?;
            // `/v1/repos/NAME/info/refs` is `/NAME/info/refs` under GIT_PROJECT_ROOT.
            let rest = &path["/v1/repos/".len() + repository.len()..];
            let path_info = format!("/{repository}{rest}");
            cgi(
                shared,
                &request,
                &path_info,
                &query,
                user.as_deref().unwrap_or(""),
                body,
            )?
        }
    };

    shared
        .state
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .hits
        .push(Hit {
            method: request.method.clone(),
            target: request.target.clone(),
            user: user.clone(),
            outcome: checked.map(|_| ()),
            status: response.status,
        });

    let mut out = reader.into_inner();
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        response.status,
        reason(response.status),
        response.body.len()
    );
    for (k, v) in &response.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes())?;
    out.write_all(&response.body)?;
    out.flush()?;
    out.conn.send_close_notify();
    let _ = out.conn.complete_io(&mut out.sock);
    Ok(())
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        _ => "Status",
    }
}

fn read_body(reader: &mut impl BufRead, request: &Head) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    if request
        .header("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size)?;
            let size = size.trim_end().split(';').next().unwrap_or("").trim();
            let size = usize::from_str_radix(size, 16)
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad chunk size"))?;
            if size == 0 {
                // Trailers, then the blank line.
                loop {
                    let mut t = String::new();
                    if reader.read_line(&mut t)? == 0 || t == "\r\n" || t == "\n" {
                        break;
                    }
                }
                break;
            }
            let start = body.len();
            body.resize(start + size, 0);
            reader.read_exact(&mut body[start..])?;
            let mut crlf = String::new();
            reader.read_line(&mut crlf)?;
        }
    } else if let Some(len) = request.header("content-length") {
        let len: usize = len
            .parse()
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad content-length"))?;
        body.resize(len, 0);
        reader.read_exact(&mut body)?;
    }
    Ok(body)
}

/// The Basic-auth user and, if the request may proceed, its repository.
fn authenticate(
    shared: &Shared,
    request: &Head,
    path: &str,
    host_header: &str,
) -> (Option<String>, Result<String, Reject>) {
    let Some(auth) = request.header("authorization") else {
        return (None, Err(Reject::NoCredentials));
    };
    let Some((user, password)) = auth
        .strip_prefix("Basic ")
        .and_then(|b64| String::from_utf8(crate::support::base64_decode(b64.trim())).ok())
        .and_then(|pair| {
            pair.split_once(':')
                .map(|(u, p)| (u.to_owned(), p.to_owned()))
        })
    else {
        return (None, Err(Reject::MalformedAuthorization));
    };
    let repository = path
        .strip_prefix("/v1/repos/")
        .map(|rest| rest.split('/').next().unwrap_or(""))
        .filter(|r| !r.is_empty() && shared.project_root.join(r).is_dir());
    let Some(repository) = repository else {
        return (Some(user), Err(Reject::NoSuchRepository));
    };
    let state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
    let host = state.signed_host.as_deref().unwrap_or(host_header);
    let checked =
        verify(&state, &user, &password, host, repository, now()).map(|_| repository.to_owned());
    (Some(user), checked)
}

/// CodeCommit's check of one Basic-auth pair, from first principles.
fn verify(
    state: &State,
    user: &str,
    password: &str,
    host: &str,
    repository: &str,
    now: SystemTime,
) -> Result<String, Reject> {
    let (access_key_id, token) = match user.split_once('%') {
        Some((k, t)) => (k, Some(t)),
        None => (user, None),
    };
    let key = state
        .keys
        .get(access_key_id)
        .ok_or_else(|| Reject::UnknownAccessKey(access_key_id.to_owned()))?;
    if token != key.session_token.as_deref() {
        return Err(Reject::WrongSessionToken);
    }

    check_signature(&key.secret, &state.region, host, repository, password, now)?;
    Ok(access_key_id.to_owned())
}

/// The password check alone: `password` must be `YYYYMMDDTHHMMSSZ` + the SigV4
/// signature with `secret` in `region` over `host` and `/v1/repos/{repository}`, made
/// at most [`MAX_AGE`] before `now` (and at most [`MAX_SKEW`] after).
pub fn check_signature(
    secret: &str,
    region: &str,
    host: &str,
    repository: &str,
    password: &str,
    now: SystemTime,
) -> Result<(), Reject> {
    let b = password.as_bytes();
    if b.len() != 80 || b[8] != b'T' || b[15] != b'Z' {
        return Err(Reject::MalformedPassword);
    }
    let stamp = &password[..15];
    let signature = &password[16..];
    let signed_at = parse_stamp(stamp).ok_or(Reject::MalformedPassword)?;
    if now.duration_since(signed_at).is_ok_and(|age| age > MAX_AGE) {
        return Err(Reject::Expired);
    }
    if signed_at
        .duration_since(now)
        .is_ok_and(|ahead| ahead > MAX_SKEW)
    {
        return Err(Reject::FromTheFuture);
    }

    let canonical = format!("GIT\n/v1/repos/{repository}\n\nhost:{host}\n\nhost\n");
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{stamp}\n{}/{region}/codecommit/aws4_request\n{}",
        &stamp[..8],
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let key = aws_sigv4::sign::v4::generate_signing_key(secret, signed_at, region, "codecommit");
    let expected = aws_sigv4::sign::v4::calculate_signature(key, string_to_sign.as_bytes());
    if expected != signature {
        return Err(Reject::BadSignature);
    }
    Ok(())
}

/// `YYYYMMDDTHHMMSS` (UTC).
fn parse_stamp(stamp: &str) -> Option<SystemTime> {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]");
    let t = time::PrimitiveDateTime::parse(stamp, &format).ok()?;
    let unix = t.assume_utc().unix_timestamp();
    Some(UNIX_EPOCH + Duration::from_secs(u64::try_from(unix).ok()?))
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn refusal(reject: &Reject) -> Response {
    match reject {
        Reject::NoCredentials => Response {
            status: 401,
            headers: vec![(
                "WWW-Authenticate".into(),
                "Basic realm=\"codecommit-auth test server\"".into(),
            )],
            body: b"authentication required\n".to_vec(),
        },
        Reject::NoSuchRepository => Response {
            status: 404,
            headers: Vec::new(),
            body: b"repository not found\n".to_vec(),
        },
        other => Response {
            status: 403,
            headers: Vec::new(),
            body: format!("forbidden: {other:?}\n").into_bytes(),
        },
    }
}

/// Runs `git http-backend` for one request.
fn cgi(
    shared: &Shared,
    request: &Head,
    path_info: &str,
    query: &str,
    remote_user: &str,
    body: Vec<u8>,
) -> io::Result<Response> {
    let mut command = Command::new("git");
    command
        .arg("http-backend")
        .env_clear()
        .env("PATH", search_path())
        .env("HOME", &shared.home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_PROJECT_ROOT", &shared.project_root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("GATEWAY_INTERFACE", "CGI/1.1")
        .env("SERVER_PROTOCOL", "HTTP/1.1")
        .env("REQUEST_METHOD", &request.method)
        .env("PATH_INFO", path_info)
        .env("QUERY_STRING", query)
        .env("REMOTE_USER", remote_user)
        .env("REMOTE_ADDR", "127.0.0.1")
        .env("CONTENT_LENGTH", body.len().to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(v) = request.header("content-type") {
        command.env("CONTENT_TYPE", v);
    }
    if let Some(v) = request.header("content-encoding") {
        command.env("HTTP_CONTENT_ENCODING", v);
    }
    if let Some(v) = request.header("git-protocol") {
        command.env("GIT_PROTOCOL", v);
    }
    let mut child = command.spawn()?;
    let mut stdin = child.stdin.take().expect("piped");
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&body);
    });
    let output = child.wait_with_output()?;
    let _ = writer.join();
    if !output.status.success() {
        eprintln!(
            "git http-backend failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }

    let out = output.stdout;
    let (head_len, sep) = match find(&out, b"\r\n\r\n") {
        Some(i) => (i, 4),
        None => match find(&out, b"\n\n") {
            Some(i) => (i, 2),
            None => (out.len(), 0),
        },
    };
    let head = String::from_utf8_lossy(&out[..head_len]).into_owned();
    let body = out[(head_len + sep).min(out.len())..].to_vec();
    let mut status = 200;
    let mut headers = Vec::new();
    for line in head.lines() {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let v = v.trim();
        if k.eq_ignore_ascii_case("status") {
            status = v
                .split(' ')
                .next()
                .and_then(|s| s.parse().ok())
                .unwrap_or(500);
        } else if !k.eq_ignore_ascii_case("content-length") {
            headers.push((k.trim().to_owned(), v.to_owned()));
        }
    }
    Ok(Response {
        status,
        headers,
        body,
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The test process's `PATH`, for the CGI (read through the crate's seam).
fn search_path() -> String {
    use codecommit_auth::env::{Environment, OsEnvironment};
    OsEnvironment::new()
        .var("PATH")
        .unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".to_owned())
}
