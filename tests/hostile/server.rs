//! Faults of the services the library calls, on 127.0.0.1: a server that resets the
//! connection, answers slowly, dribbles, sends 10 MB or no HTTP at all. Each must end
//! in a bounded time with an error that names the service, never a hang, a crash or a
//! 10 MB allocation; where an old SSO token is still valid, a failed refresh costs
//! nothing.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use codecommit_auth::ErrorKind::*;
use codecommit_auth::env::{HttpsClient, MemoryEnvironment};
use codecommit_auth::{Error, Resolver, SignedUrl};

use crate::support::server::{Reply, Server};
use crate::*;

/// A TCP server on 127.0.0.1 that hands every connection to `behave` on its own thread,
/// counts connections, and stops when dropped.
struct Raw {
    addr: std::net::SocketAddr,
    connections: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl Raw {
    fn start(behave: fn(TcpStream)) -> Raw {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (count, halt) = (Arc::clone(&connections), Arc::clone(&stop));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if halt.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                count.fetch_add(1, Ordering::SeqCst);
                std::thread::spawn(move || behave(stream));
            }
        });
        Raw {
            addr,
            connections,
            stop,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

/// Reads the request head (up to a blank line, at most 64 KiB).
fn read_head(stream: &mut TcpStream) {
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 65_536 {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
}

fn reset(mut stream: TcpStream) {
    read_head(&mut stream);
    // Dropped unanswered: the client sees the connection closed.
}

fn not_http(mut stream: TcpStream) {
    read_head(&mut stream);
    let _ = stream.write_all(b"SSH-2.0-OpenSSH_9.2\r\n\r\n");
}

fn short_body(mut stream: TcpStream) {
    read_head(&mut stream);
    let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 10485760\r\n\r\n{\"roleCre");
}

fn dribble(mut stream: TcpStream) {
    read_head(&mut stream);
    let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 10000\r\n\r\n");
    for _ in 0..10_000 {
        if stream.write_all(b" ").is_err() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn ten_megabytes(mut stream: TcpStream) {
    read_head(&mut stream);
    let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 10485760\r\n\r\n");
    let chunk = vec![b' '; 65_536];
    for _ in 0..160 {
        if stream.write_all(&chunk).is_err() {
            return;
        }
    }
}

/// An SSO environment whose portal (and OIDC, and STS) is at `url`, with every request
/// capped at one second.
fn sso_env(url: &str) -> MemoryEnvironment {
    memory()
        .with_var("AWS_ENDPOINT_URL_SSO", url)
        .with_var("AWS_ENDPOINT_URL_SSO_OIDC", url)
        .with_var("AWS_ENDPOINT_URL_STS", url)
        .with_file(config_path(), SSO_CONFIG)
        .with_file(
            format!("{HOME}/.aws/sso/cache/{LEGACY_TOKEN}"),
            token_file(3600),
        )
        .with_http_client(
            HttpsClient::from_environment(&MemoryEnvironment::new())
                .with_timeout_cap(Duration::from_secs(1)),
        )
}

/// Signs in a thread; fails the test if that takes 20 s.
fn bounded(env: MemoryEnvironment, remote: &str) -> (Result<SignedUrl, Error>, Duration) {
    let remote = remote.to_owned();
    let (tx, rx) = std::sync::mpsc::channel();
    let start = Instant::now();
    std::thread::spawn(move || {
        let _ = tx.send(Resolver::with_environment(env).signed_url_at(&remote, now()));
    });
    let got = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("a fault hung the resolver");
    (got, start.elapsed())
}

#[test]
fn portal_faults() {
    let portal_failed = "Could not connect to the endpoint URL: \"http://127.0.0.1:";
    let mut rows = Vec::new();
    for (name, behave, want, connections, within) in [
        (
            "resets the connection",
            reset as fn(TcpStream),
            error(Network, portal_failed),
            3,
            3,
        ),
        (
            "speaks another protocol",
            not_http,
            error(Network, portal_failed),
            3,
            3,
        ),
        (
            "promises 10 MB and closes after 9 bytes",
            short_body,
            error(Network, portal_failed),
            3,
            3,
        ),
        (
            "dribbles a byte every 50 ms",
            dribble,
            error(Network, "within 1 s"),
            1,
            4,
        ),
        (
            "sends 10 MB",
            ten_megabytes,
            error(Network, "is larger than 1048576 bytes"),
            1,
            4,
        ),
    ] {
        let server = Raw::start(behave);
        let (got, took) = bounded(sso_env(&server.url()), "codecommit://legacy@Repo");
        assert!(took < Duration::from_secs(within), "{name}: took {took:?}");
        assert_eq!(server.connections(), connections, "{name}: connections");
        rows.push((format!("the portal {name}"), want, got));
    }
    assert_rows(rows);
}

#[test]
fn a_slow_portal_times_out_once() {
    let server = Server::start();
    server.route(
        "GET",
        "/federation/credentials",
        vec![Reply::new(200, portal_answer().body.clone()).delayed(Duration::from_secs(5))],
    );
    let (got, took) = bounded(sso_env(&server.url()), "codecommit://legacy@Repo");
    assert!(took < Duration::from_secs(8), "took {took:?}");
    assert_eq!(
        server.count("/federation/credentials"),
        1,
        "a timeout is not retried"
    );
    assert_rows(vec![(
        "a portal that answers after 5 s".into(),
        error(Network, "no answer from http://127.0.0.1:"),
        got,
    )]);
}

/// The OIDC endpoint resets while the old token has a minute left: the old token serves,
/// and the file is untouched.
#[test]
fn a_failed_refresh_falls_back_to_the_still_valid_token() {
    let oidc = Raw::start(reset);
    let server = Server::start();
    server.route(
        "GET",
        "/federation/credentials",
        vec![Reply::new(200, portal_answer().body.clone())],
    );
    let path = format!("{HOME}/.aws/sso/cache/{SESSION_TOKEN}");
    let env = sso_env(&server.url())
        .with_var("AWS_ENDPOINT_URL_SSO_OIDC", oidc.url())
        .with_file(&path, token_file(60));
    let resolver = Resolver::with_environment(env);
    let got = resolver.signed_url_at("codecommit://session@Repo", now());
    assert_eq!(oidc.connections(), 3, "refresh tried three times");
    assert_eq!(
        resolver.environment().file(&path),
        Some(token_file(60).into_bytes())
    );
    assert_rows(vec![(
        "OIDC resets, old token valid".into(),
        url(
            "git-codecommit.us-east-2.amazonaws.com",
            "https://ASIAPORTAL%25portal-token:",
        ),
        got,
    )]);
}

#[test]
fn sts_faults() {
    let config = "[profile role]\nregion = eu-west-1\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = base\n\
                  [profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = s\n";
    let failed = "the STS AssumeRole call for role arn:aws:iam::123456789012:role/R assumed with the source profile base of profile role failed";
    let mut rows = Vec::new();
    for (name, behave, cause, connections) in [
        (
            "resets the connection",
            reset as fn(TcpStream),
            "could not connect to the endpoint URL",
            3,
        ),
        (
            "sends 10 MB",
            ten_megabytes,
            "is larger than 1048576 bytes",
            1,
        ),
        ("dribbles", dribble, "within 1 s", 1),
    ] {
        let server = Raw::start(behave);
        let env = sso_env(&server.url()).with_file(config_path(), config);
        let (got, took) = bounded(env, "codecommit://role@Repo");
        // A bound that only catches a hang; the connection count checks the retries.
        assert!(took < Duration::from_secs(8), "{name}: took {took:?}");
        assert_eq!(server.connections(), connections, "{name}: connections");
        let ok = matches!(&got, Err(e) if e.chain_message().contains(cause));
        assert!(
            ok,
            "{name}: {:?}",
            got.as_ref()
                .map(|u| u.redacted())
                .map_err(Error::chain_message)
        );
        rows.push((format!("STS {name}"), error(Network, failed), got));
    }
    assert_rows(rows);
}

/// Issue 18, defect 11: an STS answer whose secret is not UTF-8 was decoded lossily
/// (U+FFFD in place of the bytes) and signed with, so the user met a 403 from the Git
/// host later. A malformed answer is an error now, naming what was wrong.
#[test]
fn an_sts_answer_that_is_not_utf8_is_an_error() {
    let config = "[profile role]\nregion = eu-west-1\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = base\n\
                  [profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = s\n";
    let mut body =
        crate::support::sts::assume_role_response("AssumeRole", 1, "123456789012", &at(3600))
            .into_bytes();
    let at_secret = body.windows(10).position(|w| w == b"sts-secret").unwrap();
    body[at_secret + 3] = 0xff;
    let env = memory()
        .with_file(config_path(), config)
        .with_var("AWS_ENDPOINT_URL_STS", "https://sts.example.test")
        .with_http_client(Answer(move |_: &codecommit_auth::env::HttpRequest| {
            response(200, body.clone())
        }));
    assert_rows(vec![(
        "STS answers with a byte that is not UTF-8 in the secret".into(),
        error(
            MalformedCredentials,
            "the STS AssumeRole answer for role arn:aws:iam::123456789012:role/R assumed with \
             the source profile base of profile role is not UTF-8 text",
        ),
        sign(env, "codecommit://role@Repo"),
    )]);
}
