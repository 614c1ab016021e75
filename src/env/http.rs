//! The HTTP part of the seam: plain request and response values, and the client trait.
//!
//! The library speaks to a few AWS endpoints (the SSO portal, SSO OIDC, STS, the container
//! credentials endpoint, the EC2 instance metadata service), each with one small request
//! and one small JSON, XML or text answer. It builds [`HttpRequest`] values
//! and reads [`HttpResponse`] values; how the bytes travel is an [`HttpClient`]'s
//! business. The default client is [`HttpsClient`](super::HttpsClient) (feature `https`);
//! tests point a real client at a server on 127.0.0.1, or answer in memory.

use std::fmt;
use std::time::Duration;

use zeroize::Zeroize;

/// The longest response body any client may hand back. Every answer the library expects
/// is under a few kilobytes; a larger one is an error, not an allocation.
pub const MAX_RESPONSE_BYTES: usize = 1 << 20;

/// One HTTP request. The library builds them ([`HttpRequest::get`] and the builder
/// methods); an [`HttpClient`] reads them. More fields may come.
#[non_exhaustive]
#[derive(Clone)]
pub struct HttpRequest {
    /// `GET`, `POST` or `PUT` (the instance metadata session token).
    pub method: &'static str,
    /// The absolute URL, `http://` or `https://`.
    pub url: String,
    /// Header names and values, in order. Values may hold secrets (bearer tokens).
    pub headers: Vec<(String, String)>,
    /// The body; empty for `GET`.
    pub body: Vec<u8>,
    /// How long the whole exchange may take before it fails with
    /// [`HttpErrorKind::Timeout`].
    pub timeout: Duration,
    /// Connect directly, whatever proxy the environment configures. Set for the
    /// container credentials endpoint: botocore never sends it through a proxy, and its
    /// authorization token must not pass through one.
    pub bypass_proxy: bool,
}

impl HttpRequest {
    /// A `GET` of `url` with the default timeout.
    pub fn get(url: impl Into<String>) -> HttpRequest {
        HttpRequest {
            method: "GET",
            url: url.into(),
            headers: Vec::new(),
            body: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            bypass_proxy: false,
        }
    }

    /// A `PUT` of `url` with an empty body and the default timeout.
    pub fn put(url: impl Into<String>) -> HttpRequest {
        let mut request = HttpRequest::get(url);
        request.method = "PUT";
        request
    }

    /// A `POST` of `body` to `url` with the default timeout.
    pub fn post(url: impl Into<String>, body: Vec<u8>) -> HttpRequest {
        HttpRequest {
            method: "POST",
            url: url.into(),
            headers: Vec::new(),
            body,
            timeout: DEFAULT_TIMEOUT,
            bypass_proxy: false,
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> HttpRequest {
        self.headers.push((name.into(), value.into()));
        self
    }
}

impl Drop for HttpRequest {
    // Header values carry bearer tokens and bodies refresh tokens, client secrets and
    // web identity tokens: wipe them when the request is done with.
    fn drop(&mut self) {
        for (_, value) in &mut self.headers {
            value.zeroize();
        }
        self.body.zeroize();
    }
}

/// The default whole-exchange timeout. botocore waits 60 s to connect and 60 s to read;
/// a git command should not hang that long on a dead endpoint.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

impl fmt::Debug for HttpRequest {
    // Header values can be bearer tokens and bodies can hold refresh tokens and client
    // secrets: show only their names and sizes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &names)
            .field("body_len", &self.body.len())
            .field("timeout", &self.timeout)
            .field("bypass_proxy", &self.bypass_proxy)
            .finish()
    }
}

/// One HTTP response, whatever its status.
///
/// An [`Environment`](super::Environment) of your own builds one with
/// [`HttpResponse::new`] (and [`with_header`](HttpResponse::with_header)).
#[non_exhaustive]
#[derive(Clone)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Header names (lower-cased) and values.
    pub headers: Vec<(String, String)>,
    /// The body, at most [`MAX_RESPONSE_BYTES`].
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// A response with `status` and `body`, and no headers.
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> HttpResponse {
        HttpResponse {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// The same with header `name: value` added ([`header`](Self::header) finds it in any
    /// case).
    #[must_use]
    pub fn with_header(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> HttpResponse {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl Drop for HttpResponse {
    // Bodies carry credentials (the portal's JSON, STS's XML, container credentials).
    fn drop(&mut self) {
        self.body.zeroize();
    }
}

impl fmt::Debug for HttpResponse {
    // Bodies carry credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

/// Why a request got no response.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpErrorKind {
    /// The host could not be resolved or reached, or the connection broke.
    Connect,
    /// The exchange took longer than the request's timeout.
    Timeout,
    /// TLS failed: certificate not trusted, handshake refused.
    Tls,
    /// The response body was larger than [`MAX_RESPONSE_BYTES`].
    TooLarge,
    /// The URL or request was invalid, or a redirect was refused.
    Invalid,
    /// This environment has no HTTP client.
    Unsupported,
}

/// A failed HTTP exchange: no response, or one that could not be read.
#[derive(Clone, Debug)]
pub struct HttpError {
    kind: HttpErrorKind,
    message: String,
}

impl HttpError {
    /// An error of `kind`; `message` must not contain secrets.
    pub fn new(kind: HttpErrorKind, message: impl Into<String>) -> HttpError {
        HttpError {
            kind,
            message: message.into(),
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> HttpErrorKind {
        self.kind
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for HttpError {}

/// Sends HTTP requests. Implementations must not follow redirects (credential endpoints
/// never redirect, and following one could hand a token to another host), must enforce
/// the request's timeout, and must refuse bodies over [`MAX_RESPONSE_BYTES`].
pub trait HttpClient: Send + Sync {
    /// Sends `request` and returns the response, whatever its status.
    ///
    /// # Errors
    ///
    /// An [`HttpError`] when there is no complete response.
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError>;
}

impl<T: HttpClient + ?Sized> HttpClient for std::sync::Arc<T> {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        (**self).send(request)
    }
}

impl<T: HttpClient + ?Sized> HttpClient for Box<T> {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        (**self).send(request)
    }
}
