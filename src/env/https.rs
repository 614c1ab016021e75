//! The default [`HttpClient`]: blocking HTTPS over rustls (feature `https`).

use std::fmt;
use std::io::Read;
use std::time::Duration;

use super::Environment;
use super::http::{
    HttpClient, HttpError, HttpErrorKind, HttpRequest, HttpResponse, MAX_RESPONSE_BYTES,
};

/// A blocking HTTP(S) client built on `ureq` and rustls.
///
/// * Certificates are checked against the operating system's trust store (through
///   `rustls-platform-verifier`), so TLS-inspecting corporate proxies whose root is
///   installed on the machine work, as they do for the AWS CLI.
/// * `HTTPS_PROXY` / `https_proxy` (`HTTP_PROXY` / `http_proxy` for `http://` URLs) and
///   `ALL_PROXY` name a proxy; `NO_PROXY` / `no_proxy` lists hosts that bypass it
///   (exact names, `.suffix`, `*.suffix`, `*`), read through the [`Environment`] the
///   client is built from.
/// * A request with [`bypass_proxy`](HttpRequest::bypass_proxy) set always connects
///   directly.
/// * Redirects are never followed; responses over 1 MiB are refused.
pub struct HttpsClient {
    timeout_cap: Option<Duration>,
    direct: ureq::Agent,
    https_proxy: Option<(ureq::Agent, String)>,
    http_proxy: Option<(ureq::Agent, String)>,
    no_proxy: Vec<String>,
}

impl HttpsClient {
    /// A client configured from `env`'s proxy variables.
    pub fn from_environment(env: &dyn Environment) -> HttpsClient {
        let var = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| env.var(n))
                .filter(|v| !v.trim().is_empty())
        };
        let https = var(&["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]);
        let http = var(&["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]);
        let no_proxy = var(&["NO_PROXY", "no_proxy"])
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_ascii_lowercase())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        HttpsClient {
            timeout_cap: None,
            direct: agent(None),
            https_proxy: https.and_then(|p| Some((agent(Some(ureq::Proxy::new(&p).ok()?)), p))),
            http_proxy: http.and_then(|p| Some((agent(Some(ureq::Proxy::new(&p).ok()?)), p))),
            no_proxy,
        }
    }

    /// Caps every request's timeout at `cap` (requests ask for up to 30 s).
    pub fn with_timeout_cap(mut self, cap: Duration) -> HttpsClient {
        self.timeout_cap = Some(cap);
        self
    }

    fn agent_for(&self, url: &str) -> &ureq::Agent {
        let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let host = match host.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or(""),
            None => host.split(':').next().unwrap_or(""),
        };
        let proxy = if scheme.eq_ignore_ascii_case("https") {
            &self.https_proxy
        } else {
            &self.http_proxy
        };
        match proxy {
            Some((agent, _)) if !bypasses_proxy(host, &self.no_proxy) => agent,
            _ => &self.direct,
        }
    }
}

impl fmt::Debug for HttpsClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Proxy URLs can carry user:password.
        f.debug_struct("HttpsClient")
            .field("https_proxy", &self.https_proxy.is_some())
            .field("http_proxy", &self.http_proxy.is_some())
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

fn agent(proxy: Option<ureq::Proxy>) -> ureq::Agent {
    let tls = ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::PlatformVerifier)
        .build();
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .proxy(proxy)
        .tls_config(tls)
        .user_agent(concat!("codecommit-auth/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// `NO_PROXY` matching as curl and Python's `proxy_bypass_environment` do it.
fn bypasses_proxy(host: &str, no_proxy: &[String]) -> bool {
    let host = host.to_ascii_lowercase();
    no_proxy.iter().any(|entry| {
        let entry = entry.trim_start_matches('*');
        if entry.is_empty() {
            return true; // `*`
        }
        match entry.strip_prefix('.') {
            Some(suffix) => host == suffix || host.ends_with(&format!(".{suffix}")),
            None => host == entry || host.ends_with(&format!(".{entry}")),
        }
    })
}

impl HttpClient for HttpsClient {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        let agent = if request.bypass_proxy {
            &self.direct
        } else {
            self.agent_for(&request.url)
        };
        let timeout = self
            .timeout_cap
            .map_or(request.timeout, |cap| cap.min(request.timeout));
        let mut builder = ureq::http::Request::builder()
            .method(request.method)
            .uri(request.url.as_str());
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let http_request = builder.body(request.body.clone()).map_err(|e| {
            HttpError::new(
                HttpErrorKind::Invalid,
                format!("invalid request to {}: {e}", request.url),
            )
        })?;
        let config = agent
            .configure_request(http_request)
            .timeout_global(Some(timeout))
            .timeout_connect(Some(timeout.min(Duration::from_secs(10))))
            .build();
        let response = agent
            .run(config)
            .map_err(|e| classify(&e, &request.url, timeout))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut body = Vec::new();
        response
            .into_body()
            .into_reader()
            .take(MAX_RESPONSE_BYTES as u64 + 1)
            .read_to_end(&mut body)
            .map_err(|e| {
                // The request's deadline can pass while the body trickles in: that is a
                // timeout (final), not a broken connection (retried three times).
                let e = ureq::Error::from(e);
                if matches!(e, ureq::Error::Timeout(_)) {
                    return classify(&e, &request.url, timeout);
                }
                HttpError::new(
                    HttpErrorKind::Connect,
                    format!("reading the response from {} failed: {e}", request.url),
                )
            })?;
        if body.len() > MAX_RESPONSE_BYTES {
            return Err(HttpError::new(
                HttpErrorKind::TooLarge,
                format!(
                    "the response from {} is larger than {MAX_RESPONSE_BYTES} bytes",
                    request.url
                ),
            ));
        }
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

fn classify(e: &ureq::Error, url: &str, timeout: Duration) -> HttpError {
    use ureq::Error as U;
    let kind = match e {
        U::Timeout(_) => HttpErrorKind::Timeout,
        U::Tls(_) | U::Rustls(_) => HttpErrorKind::Tls,
        U::BadUri(_) | U::Http(_) | U::InvalidProxyUrl => HttpErrorKind::Invalid,
        U::BodyExceedsLimit(_) => HttpErrorKind::TooLarge,
        _ => HttpErrorKind::Connect,
    };
    let message = match kind {
        HttpErrorKind::Timeout => {
            format!("no answer from {url} within {} s", timeout.as_secs_f32())
        }
        HttpErrorKind::Tls => format!(
            "TLS with {url} failed ({e}); if a proxy inspects TLS, install its root certificate \
             in the system trust store"
        ),
        _ => format!("could not connect to the endpoint URL {url}: {e}"),
    };
    HttpError::new(kind, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_proxy_matching() {
        let list: Vec<String> = ["example.com", ".internal", "*.corp", "10.0.0.1"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for (host, bypass) in [
            ("example.com", true),
            ("api.example.com", true),
            ("notexample.com", false),
            ("internal", true),
            ("a.internal", true),
            ("x.corp", true),
            ("10.0.0.1", true),
            ("10.0.0.10", false),
            ("EXAMPLE.COM", true),
            ("portal.sso.us-east-1.amazonaws.com", false),
        ] {
            assert_eq!(bypasses_proxy(host, &list), bypass, "{host}");
        }
        assert!(bypasses_proxy("anything", &["*".to_string()]));
    }
}
