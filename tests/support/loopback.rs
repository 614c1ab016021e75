//! A guard around the tests' HTTP client: requests may go to 127.0.0.1, `localhost` and
//! `[::1]` only. Anything else — the real metadata addresses (169.254.169.254,
//! 169.254.170.2, fd00:ec2::254) or AWS itself — fails at once with an error, so a test
//! that forgets an endpoint override fails fast instead of waiting for a timeout or, on a
//! CI runner that is an EC2 instance, reading the runner's own credentials.
//!
//! [`LoopbackOnly::alias`] reroutes one exact origin to a stand-in. It exists for
//! `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`, whose host botocore fixes at 169.254.170.2:
//! the library has no override for that host (nothing a user could set), so the test
//! transport is where a test points it at 127.0.0.1 — and can assert that the library
//! asked for `http://169.254.170.2/…` exactly.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use codecommit_auth::env::{
    HttpClient, HttpError, HttpErrorKind, HttpRequest, HttpResponse, HttpsClient, MemoryEnvironment,
};

/// One request the library tried to send, as it asked for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub method: String,
    pub url: String,
    /// The guard refused it; nothing left the process.
    pub refused: bool,
}

pub struct LoopbackOnly {
    inner: HttpsClient,
    aliases: Vec<(String, String)>,
    log: Arc<Mutex<Vec<Attempt>>>,
}

impl LoopbackOnly {
    /// Around a proxy-less client whose timeouts are capped at 5 s.
    pub fn new() -> LoopbackOnly {
        LoopbackOnly::around(
            HttpsClient::from_environment(&MemoryEnvironment::new())
                .with_timeout_cap(Duration::from_secs(5)),
        )
    }

    pub fn around(inner: HttpsClient) -> LoopbackOnly {
        LoopbackOnly {
            inner,
            aliases: Vec::new(),
            log: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// Sends requests for `origin` (`http://169.254.170.2`) to `to`
    /// (`http://127.0.0.1:PORT`), which must itself be loopback.
    pub fn alias(mut self, origin: &str, to: &str) -> LoopbackOnly {
        assert!(
            check(to).is_ok(),
            "an alias must point at loopback, not {to}"
        );
        self.aliases.push((origin.to_owned(), to.to_owned()));
        self
    }

    /// Every request so far, refused or sent: keep a handle before the client moves
    /// into an environment.
    pub fn log(&self) -> Arc<Mutex<Vec<Attempt>>> {
        Arc::clone(&self.log)
    }

    fn rewrite(&self, url: &str) -> Option<String> {
        self.aliases.iter().find_map(|(origin, to)| {
            let rest = url.strip_prefix(origin.as_str())?;
            matches!(rest.chars().next(), None | Some('/' | '?' | '#'))
                .then(|| format!("{to}{rest}"))
        })
    }
}

impl Default for LoopbackOnly {
    fn default() -> Self {
        LoopbackOnly::new()
    }
}

/// `Ok` when `url` names 127.0.0.1, `localhost` or `[::1]` (any port, no user info);
/// the guard's refusal otherwise.
pub fn check(url: &str) -> Result<(), HttpError> {
    let authority = url
        .split_once("://")
        .map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or(""))
        .unwrap_or("");
    let host = match authority.strip_prefix("[::1]") {
        Some(port) => ("[::1]", port),
        None => authority.split_at(authority.find(':').unwrap_or(authority.len())),
    };
    let port_ok = host.1.is_empty()
        || host
            .1
            .strip_prefix(':')
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()));
    if matches!(host.0, "127.0.0.1" | "localhost" | "[::1]") && port_ok {
        Ok(())
    } else {
        Err(HttpError::new(
            HttpErrorKind::Invalid,
            format!(
                "test guard refused {url}: tests may only reach 127.0.0.1 (set the endpoint \
                 override, e.g. AWS_EC2_METADATA_SERVICE_ENDPOINT, or AWS_EC2_METADATA_DISABLED=true)"
            ),
        ))
    }
}

impl HttpClient for LoopbackOnly {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        let target = self.rewrite(&request.url);
        let verdict = check(target.as_deref().unwrap_or(&request.url));
        self.log.lock().unwrap().push(Attempt {
            method: request.method.to_owned(),
            url: request.url.clone(),
            refused: verdict.is_err(),
        });
        verdict?;
        match target {
            Some(url) => {
                // HttpRequest wipes its secrets on drop, so no struct-update syntax.
                let mut rewritten = request.clone();
                rewritten.url = url;
                self.inner.send(&rewritten)
            }
            None => self.inner.send(request),
        }
    }
}
