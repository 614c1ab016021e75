//! CA bundles: which certificates an HTTPS call trusts.
//!
//! botocore's rule (`Session.create_client`, `EndpointCreator._get_verify_value`): the
//! client's `verify` is `AWS_CA_BUNDLE`, else the selected profile's `ca_bundle`, else
//! `REQUESTS_CA_BUNDLE`; a path given there *replaces* the default trust (botocore's
//! certifi bundle: urllib3 loads only `ca_certs` into its context), and a value that is
//! empty or only white space is refused ("Invalid CA bundle: …"). The path is used as
//! written: no `~` expansion, relative to the working directory. Every client of the
//! session uses it, so it applies to every HTTPS call of a role chain (STS, the SSO
//! portal, SSO OIDC), whichever profile's keys sign them.
//!
//! Without a bundle we trust the system trust store (botocore: certifi's bundle).
//!
//! One deliberate difference: botocore's container credentials fetcher builds its own
//! HTTP session without `verify`, so an `https://` `AWS_CONTAINER_CREDENTIALS_FULL_URI`
//! is checked against certifi whatever the bundle says; here the bundle applies to
//! every HTTPS call, that one included (a corporate CA must work everywhere or nowhere).

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use super::{
    Environment, FileLock, HttpError, HttpErrorKind, HttpRequest, HttpResponse, Platform,
    ProcessError, ProcessOutput, ProcessRequest, TrustedCerts,
};
use crate::config::SharedConfig;
use crate::error::{MAX_SHOWN, shown};

/// The most of a CA bundle we read (system bundles are a few hundred kilobytes).
const BUNDLE_LIMIT: u64 = 16 << 20;

/// The CA bundle configured for calls made on behalf of `profile`: (path, where it was
/// set), in botocore's order. `Some` with an empty path when the setting is present but
/// blank (refused when used).
pub(crate) fn ca_bundle(
    env: &dyn Environment,
    config: &SharedConfig,
    profile: &str,
) -> Option<(String, String)> {
    if let Some(v) = env.var("AWS_CA_BUNDLE") {
        return Some((v, "from AWS_CA_BUNDLE".to_owned()));
    }
    if let Some(v) = config.profile(profile).and_then(|p| p.get("ca_bundle")) {
        return Some((
            v.to_owned(),
            format!("from ca_bundle of profile {}", shown(profile, MAX_SHOWN)),
        ));
    }
    env.var("REQUESTS_CA_BUNDLE")
        .map(|v| (v, "from REQUESTS_CA_BUNDLE".to_owned()))
}

/// Reads the bundle at `path` (`from` says where it was named, for messages).
///
/// # Errors
///
/// An [`HttpErrorKind::Invalid`] error (the request is not sent) when the setting is
/// blank, the file is missing, unreadable or too large.
pub(crate) fn read_trust(
    env: &dyn Environment,
    path: &str,
    from: &str,
) -> Result<TrustedCerts, HttpError> {
    let origin = format!("{} ({from})", shown(path, MAX_SHOWN));
    if path.trim().is_empty() {
        // botocore's InvalidConfigError text, then what to do.
        return Err(HttpError::new(
            HttpErrorKind::Invalid,
            format!(
                "Invalid CA bundle: the configured value ({from}) resolved to an empty or \
                 whitespace-only string. Provide a valid path to a CA bundle file."
            ),
        ));
    }
    match env.read_file(Path::new(path), BUNDLE_LIMIT) {
        Ok(Some(pem)) => Ok(TrustedCerts {
            pem: Arc::from(pem),
            origin,
        }),
        // botocore (urllib3): "Could not find a suitable TLS CA certificate bundle,
        // invalid path: PATH".
        Ok(None) => Err(HttpError::new(
            HttpErrorKind::Invalid,
            format!(
                "Could not find a suitable TLS CA certificate bundle, invalid path: {origin}; \
                 name an existing PEM file or unset the setting"
            ),
        )),
        Err(e) => Err(HttpError::new(
            HttpErrorKind::Invalid,
            format!("the CA bundle {origin} cannot be read: {e}"),
        )),
    }
}

/// An environment whose HTTPS requests trust a CA bundle: every request without trust
/// of its own gets the bundle, read once, on first use.
pub(crate) struct TrustingEnvironment<'a> {
    inner: &'a dyn Environment,
    path: String,
    from: String,
    trust: OnceLock<Result<TrustedCerts, HttpError>>,
}

impl<'a> TrustingEnvironment<'a> {
    /// `inner` with the bundle at `path` (set `from` somewhere, for messages).
    pub(crate) fn new(
        inner: &'a dyn Environment,
        (path, from): (String, String),
    ) -> TrustingEnvironment<'a> {
        TrustingEnvironment {
            inner,
            path,
            from,
            trust: OnceLock::new(),
        }
    }
}

impl<'a> TrustingEnvironment<'a> {
    /// `inner` with the bundle botocore would use for calls made for `profile`, if one
    /// is configured ([`ca_bundle`]).
    pub(crate) fn for_profile(
        inner: &'a dyn Environment,
        config: &SharedConfig,
        profile: &str,
    ) -> Option<TrustingEnvironment<'a>> {
        ca_bundle(inner, config, profile).map(|bundle| TrustingEnvironment::new(inner, bundle))
    }
}

impl Environment for TrustingEnvironment<'_> {
    fn var(&self, name: &str) -> Option<String> {
        self.inner.var(name)
    }
    fn platform(&self) -> Platform {
        self.inner.platform()
    }
    fn account_home_dir(&self) -> Option<PathBuf> {
        self.inner.account_home_dir()
    }
    fn read_file(&self, path: &Path, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
        self.inner.read_file(path, limit)
    }
    fn now(&self) -> SystemTime {
        self.inner.now()
    }
    fn http(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        let https = request
            .url
            .get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"));
        if !https || request.trust.is_some() {
            return self.inner.http(request);
        }
        let trust = self
            .trust
            .get_or_init(|| read_trust(self.inner, &self.path, &self.from))
            .clone()?;
        let mut request = request.clone();
        request.trust = Some(trust);
        self.inner.http(&request)
    }
    fn write_file_atomic(&self, path: &Path, contents: &[u8]) -> std::io::Result<()> {
        self.inner.write_file_atomic(path, contents)
    }
    fn run_process(&self, request: &ProcessRequest) -> Result<ProcessOutput, ProcessError> {
        self.inner.run_process(request)
    }
    fn lock_file(&self, path: &Path, timeout: std::time::Duration) -> std::io::Result<FileLock> {
        self.inner.lock_file(path, timeout)
    }
    fn sleep(&self, duration: std::time::Duration) {
        self.inner.sleep(duration);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::env::{HttpClient, MemoryEnvironment};

    fn config(text: &str) -> SharedConfig {
        SharedConfig::from_sources(Some(text.as_bytes()), None).unwrap()
    }

    #[test]
    fn botocores_order_env_then_profile_then_requests() {
        let shared = config("[profile p]\nca_bundle = /p.pem\n[profile q]\n");
        let env = MemoryEnvironment::new().with_var("REQUESTS_CA_BUNDLE", "/r.pem");
        assert_eq!(
            ca_bundle(&env, &shared, "p"),
            Some(("/p.pem".into(), "from ca_bundle of profile p".into()))
        );
        assert_eq!(
            ca_bundle(&env, &shared, "q"),
            Some(("/r.pem".into(), "from REQUESTS_CA_BUNDLE".into()))
        );
        let env = env.with_var("AWS_CA_BUNDLE", "/a.pem");
        assert_eq!(
            ca_bundle(&env, &shared, "p"),
            Some(("/a.pem".into(), "from AWS_CA_BUNDLE".into()))
        );
        assert_eq!(ca_bundle(&MemoryEnvironment::new(), &shared, "q"), None);
    }

    #[test]
    fn blank_or_missing_bundles_are_refused_before_sending() {
        let env = MemoryEnvironment::new().with_file("/ca.pem", "PEM");
        let blank = read_trust(&env, " ", "from AWS_CA_BUNDLE").unwrap_err();
        assert_eq!(blank.kind(), HttpErrorKind::Invalid);
        assert!(
            blank.to_string().starts_with("Invalid CA bundle:"),
            "{blank}"
        );
        let missing = read_trust(&env, "/nope.pem", "from AWS_CA_BUNDLE").unwrap_err();
        assert!(
            missing
                .to_string()
                .contains("invalid path: /nope.pem (from AWS_CA_BUNDLE)"),
            "{missing}"
        );
        let found = read_trust(&env, "/ca.pem", "from AWS_CA_BUNDLE").unwrap();
        assert_eq!(&*found.pem, b"PEM");
        assert_eq!(found.origin, "/ca.pem (from AWS_CA_BUNDLE)");
    }

    /// Every HTTPS request of the chain carries the bundle, plain HTTP ones (the
    /// metadata endpoints) do not; a blank setting stops the request.
    #[test]
    fn the_wrapper_adds_the_bundle_to_https_requests_only() {
        #[derive(Clone, Default)]
        struct Record(Arc<Mutex<Vec<Option<String>>>>);
        impl HttpClient for Record {
            fn send(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
                self.0
                    .lock()
                    .unwrap()
                    .push(request.trust.as_ref().map(|t| t.origin.clone()));
                Ok(HttpResponse {
                    status: 200,
                    headers: Vec::new(),
                    body: Vec::new(),
                })
            }
        }
        let record = Record::default();
        let env = MemoryEnvironment::new()
            .with_file("/ca.pem", "PEM")
            .with_http_client(record.clone());
        let wrapped =
            TrustingEnvironment::new(&env, ("/ca.pem".into(), "from AWS_CA_BUNDLE".into()));
        wrapped
            .http(&HttpRequest::get("https://sts.amazonaws.com/"))
            .unwrap();
        wrapped
            .http(&HttpRequest::get("http://169.254.169.254/"))
            .unwrap();
        assert_eq!(
            *record.0.lock().unwrap(),
            vec![Some("/ca.pem (from AWS_CA_BUNDLE)".to_owned()), None]
        );
        let blank = TrustingEnvironment::new(&env, (String::new(), "from AWS_CA_BUNDLE".into()));
        assert!(blank.http(&HttpRequest::get("https://x/")).is_err());
        assert_eq!(record.0.lock().unwrap().len(), 2, "not sent");
    }
}
