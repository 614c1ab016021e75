//! The default [`HttpClient`]: blocking HTTPS over rustls (feature `https`).

use std::fmt;
use std::io::Read;
use std::time::Duration;

use super::Environment;
use super::http::{
    HttpClient, HttpError, HttpErrorKind, HttpRequest, HttpResponse, MAX_RESPONSE_BYTES,
};
use super::proxy::{bypasses_proxy, no_proxy_list, redact_proxy, scheme_and_host};

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
///   directly; one with a [`proxy`](HttpRequest::proxy) uses that proxy instead of the
///   variables' (the Git host probe of `--doctor --online` uses git's).
/// * A request with [`trust`](HttpRequest::trust) (a CA bundle: `AWS_CA_BUNDLE`, a
///   profile's `ca_bundle`) trusts only the bundle's certificates, as botocore does.
/// * Redirects are never followed; responses over 1 MiB are refused.
pub struct HttpsClient {
    timeout_cap: Option<Duration>,
    direct: ureq::Agent,
    https_proxy: Option<ureq::Agent>,
    http_proxy: Option<ureq::Agent>,
    proxies: ProxySettings,
}

/// The proxy variables, as the client reads them. No `Debug`: proxy URLs can carry
/// user:password.
struct ProxySettings {
    /// The proxy for `https://` URLs and the variable that named it.
    https: Option<(String, &'static str)>,
    /// The proxy for `http://` URLs and the variable that named it.
    http: Option<(String, &'static str)>,
    no_proxy: Vec<String>,
}

impl ProxySettings {
    fn from_environment(env: &dyn Environment) -> ProxySettings {
        let var = |names: &[&'static str]| {
            names
                .iter()
                .find_map(|n| env.var(n).filter(|v| !v.trim().is_empty()).map(|v| (v, *n)))
        };
        let https = var(&["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]);
        let http = var(&["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]);
        let no_proxy = var(&["NO_PROXY", "no_proxy"])
            .map(|(v, _)| no_proxy_list(&v))
            .unwrap_or_default();
        ProxySettings {
            https,
            http,
            no_proxy,
        }
    }

    /// The proxy a request to `url` goes through (`None`: directly), with its variable.
    fn route(&self, url: &str) -> Option<&(String, &'static str)> {
        let (scheme, host) = scheme_and_host(url);
        let proxy = if scheme.eq_ignore_ascii_case("https") {
            &self.https
        } else {
            &self.http
        };
        proxy
            .as_ref()
            .filter(|_| !bypasses_proxy(&host, &self.no_proxy))
    }
}

/// How a request to `url` would travel with the default client of `env`: "directly"
/// or "through PROXY (from VAR)", the proxy's user and password left out. For reports
/// (`--doctor`); the client itself decides with the same rule.
#[doc(hidden)]
pub fn proxy_in_effect(env: &dyn Environment, url: &str) -> String {
    let settings = ProxySettings::from_environment(env);
    match settings.route(url) {
        Some((proxy, var)) => format!("through {} (from {var})", redact_proxy(proxy)),
        None => {
            let (scheme, _) = scheme_and_host(url);
            let named = if scheme.eq_ignore_ascii_case("https") {
                settings.https.is_some()
            } else {
                settings.http.is_some()
            };
            if named {
                "directly (the host is in NO_PROXY)".to_owned()
            } else {
                format!("directly (no proxy variable for {scheme}:// URLs)")
            }
        }
    }
}

impl HttpsClient {
    /// A client configured from `env`'s proxy variables.
    pub fn from_environment(env: &dyn Environment) -> HttpsClient {
        let proxies = ProxySettings::from_environment(env);
        let proxy_agent = |p: &Option<(String, &'static str)>| {
            let (url, _) = p.as_ref()?;
            Some(agent(
                Some(ureq::Proxy::new(url).ok()?),
                ureq::tls::RootCerts::PlatformVerifier,
            ))
        };
        HttpsClient {
            timeout_cap: None,
            direct: agent(None, ureq::tls::RootCerts::PlatformVerifier),
            https_proxy: proxy_agent(&proxies.https),
            http_proxy: proxy_agent(&proxies.http),
            proxies,
        }
    }

    /// Caps every request's timeout at `cap` (requests ask for up to 30 s).
    pub fn with_timeout_cap(mut self, cap: Duration) -> HttpsClient {
        self.timeout_cap = Some(cap);
        self
    }

    fn agent_for(&self, url: &str) -> &ureq::Agent {
        let (scheme, _) = scheme_and_host(url);
        let agent = if scheme.eq_ignore_ascii_case("https") {
            &self.https_proxy
        } else {
            &self.http_proxy
        };
        match (self.proxies.route(url), agent) {
            (Some(_), Some(agent)) => agent,
            _ => &self.direct,
        }
    }

    /// An agent of its own for a request that names its trust or its proxy.
    fn special_agent(&self, request: &HttpRequest) -> Result<ureq::Agent, HttpError> {
        let roots = match &request.trust {
            None => ureq::tls::RootCerts::PlatformVerifier,
            Some(trust) => {
                let certs: Vec<_> = ureq::tls::parse_pem(&trust.pem)
                    .filter_map(|item| match item {
                        Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                        _ => None,
                    })
                    .collect();
                if certs.is_empty() {
                    return Err(HttpError::new(
                        HttpErrorKind::Tls,
                        format!(
                            "the CA bundle {} holds no PEM certificate, so no server can be \
                             trusted; name a file of -----BEGIN CERTIFICATE----- blocks",
                            trust.origin
                        ),
                    ));
                }
                ureq::tls::RootCerts::new_with_certs(&certs)
            }
        };
        let proxy = if request.bypass_proxy {
            None
        } else if let Some(p) = &request.proxy {
            Some(ureq::Proxy::new(p).map_err(|e| {
                HttpError::new(
                    HttpErrorKind::Invalid,
                    format!("the proxy {} is not a proxy URL: {e}", redact_proxy(p)),
                )
            })?)
        } else {
            // As for the shared agents: a variable naming no valid proxy is ignored.
            self.proxies
                .route(&request.url)
                .and_then(|(p, _)| ureq::Proxy::new(p).ok())
        };
        Ok(agent(proxy, roots))
    }
}

impl fmt::Debug for HttpsClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Proxy URLs can carry user:password.
        f.debug_struct("HttpsClient")
            .field("https_proxy", &self.proxies.https.is_some())
            .field("http_proxy", &self.proxies.http.is_some())
            .field("no_proxy", &self.proxies.no_proxy)
            .finish()
    }
}

fn agent(proxy: Option<ureq::Proxy>, roots: ureq::tls::RootCerts) -> ureq::Agent {
    let tls = ureq::tls::TlsConfig::builder().root_certs(roots).build();
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

impl HttpClient for HttpsClient {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        let special;
        let agent = if request.trust.is_some() || request.proxy.is_some() {
            special = self.special_agent(request)?;
            &special
        } else if request.bypass_proxy {
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
            .map_err(|e| classify(&e, request, timeout))?;
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
                    return classify(&e, request, timeout);
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

fn classify(e: &ureq::Error, request: &HttpRequest, timeout: Duration) -> HttpError {
    use ureq::Error as U;
    let url = request.url.as_str();
    let kind = match e {
        U::Timeout(_) => HttpErrorKind::Timeout,
        U::Tls(_) | U::Rustls(_) => HttpErrorKind::Tls,
        // rustls's handshake errors (an untrusted certificate) reach ureq through the
        // TLS stream, as I/O errors of kind InvalidData wrapping the rustls error.
        U::Io(io) if io.kind() == std::io::ErrorKind::InvalidData => HttpErrorKind::Tls,
        U::BadUri(_) | U::Http(_) | U::InvalidProxyUrl => HttpErrorKind::Invalid,
        U::BodyExceedsLimit(_) => HttpErrorKind::TooLarge,
        _ => HttpErrorKind::Connect,
    };
    let message = match kind {
        HttpErrorKind::Timeout => {
            format!("no answer from {url} within {} s", timeout.as_secs_f32())
        }
        HttpErrorKind::Tls => match &request.trust {
            // botocore: a `verify` bundle replaces the default trust (certifi) entirely.
            Some(trust) => format!(
                "TLS with {url} failed ({e}); only the certificates of the CA bundle {} were \
                 trusted (not the system trust store): add the CA that signed this server's \
                 certificate to that bundle",
                trust.origin
            ),
            None => format!(
                "TLS with {url} failed ({e}); the system trust store was used: if a proxy \
                 inspects TLS, install its root certificate there, or name a CA bundle \
                 (PEM) in AWS_CA_BUNDLE or the profile's ca_bundle"
            ),
        },
        _ => format!("could not connect to the endpoint URL {url}: {e}"),
    };
    HttpError::new(kind, message)
}
