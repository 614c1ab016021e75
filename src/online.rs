//! The calls `--doctor --online` makes to find out why git gets a 403: STS
//! `GetCallerIdentity` (who the credentials are), the Git host itself (what git's first
//! request gets), and CodeCommit `GetRepository` (what the API says about the
//! repository). Not part of the library's API: the binaries' doctor calls them.
//!
//! Each call is one attempt, bounded by [`CALL_TIMEOUT`], through the resolver's
//! [`Environment`] (so `Offline` refuses it), with the endpoint rules of the calls the
//! credential providers make (`AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL_CODECOMMIT`,
//! `[services]`, FIPS), the CA bundle botocore would trust (`env::trust`), and a report
//! of the proxy and trust each used. The API calls are signed with `aws-sigv4`, as the
//! STS calls of the providers are. Service texts come back masked (the secret key and
//! session token, should a service echo them), escaped and bounded.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::config::SharedConfig;
use crate::credentials::{ChainContext, Credentials, Tried, aws_json, sts, xml};
use crate::endpoint::services::{self, Service};
use crate::env::{Environment, HttpError, HttpRequest, HttpResponse, TrustingEnvironment};
use crate::error::{Error, MAX_SHOWN, quoted, shown};
use crate::resolver::{Resolution, Resolver};
use crate::sign::SigningTime;

/// How long each call may take, connection included.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// One call: where it went, how, and what came back.
#[derive(Debug)]
pub struct Call<T> {
    /// The URL called, without credentials.
    pub url: String,
    /// How it travelled: `directly (…)` or `through PROXY (from VAR)`.
    pub route: String,
    /// What it trusted: `the system trust store` or a CA bundle and where it was named.
    pub trust: String,
    /// The answer, or why there is none (connection, TLS, timeout: the client's words).
    pub answer: Result<Answered<T>, HttpError>,
}

/// An answer, whatever its status.
#[derive(Debug)]
pub struct Answered<T> {
    /// The HTTP status.
    pub status: u16,
    /// The server's clock: its `Date` header (error answers carry one too).
    pub server_date: Option<SystemTime>,
    /// The local clock when the answer arrived.
    pub local: SystemTime,
    /// What it said.
    pub value: T,
}

impl<T> Answered<T> {
    /// Server clock minus local clock, in seconds (positive: the local clock is behind).
    pub fn skew(&self) -> Option<i64> {
        let server = unix(self.server_date?);
        Some(server - unix(self.local))
    }
}

/// What STS said about the credentials.
#[derive(Debug)]
pub enum Identity {
    /// `GetCallerIdentity` answered.
    Known {
        /// The account the credentials belong to.
        account: String,
        /// The principal: a user, or an assumed role and its session.
        arn: String,
    },
    /// An error answer: its code (`InvalidClientTokenId`, …) and message.
    Refused {
        /// The error code, or `HTTP NNN` without one.
        code: String,
        /// The message, masked, escaped and bounded.
        message: String,
    },
}

/// What CodeCommit's API said about the repository.
#[derive(Debug)]
pub enum Repository {
    /// `GetRepository` answered: the repository exists and this principal may read its
    /// metadata.
    Found {
        /// The repository's ARN.
        arn: String,
        /// Its account.
        account: String,
        /// Its KMS key, if the answer names one.
        kms_key: Option<String>,
    },
    /// An error answer (`RepositoryDoesNotExistException`, `AccessDeniedException`, …).
    Refused {
        /// The error code, or `HTTP NNN` without one.
        code: String,
        /// The message, masked, escaped and bounded.
        message: String,
    },
}

/// What git itself would use for the Git host, as `git config` reports it; the doctor
/// asks git and fills it in.
#[derive(Clone, Debug, Default)]
pub struct GitSettings {
    /// `http.proxy` (or `http.<url>.proxy`) for the URL, if set.
    pub proxy: Option<String>,
    /// `http.sslCAInfo` (or `http.<url>.sslCAInfo`) for the URL, if set.
    pub ssl_ca_info: Option<String>,
}

/// STS `GetCallerIdentity` with the resolution's credentials.
///
/// # Errors
///
/// [`ErrorKind::InvalidConfig`](crate::ErrorKind::InvalidConfig) when no request can be
/// built (an invalid configured endpoint or region); an unanswered call is in
/// [`Call::answer`].
pub fn caller_identity<E: Environment>(
    resolver: &Resolver<E>,
    resolution: &Resolution,
) -> Result<Call<Identity>, Error> {
    // The endpoint and signing region of the providers' STS calls.
    let endpoint = |env: &dyn Environment, config: &SharedConfig, profile: &str| {
        let tried = Tried::default();
        sts::endpoint(&ChainContext {
            env,
            config,
            profile,
            top_profile: profile,
            disable_env_vars: false,
            tried: &tried,
            mfa: None,
        })
    };
    let headers = [(
        "content-type",
        "application/x-www-form-urlencoded; charset=utf-8",
    )];
    let body = b"Action=GetCallerIdentity&Version=2011-06-15".to_vec();
    api_call(
        resolver,
        resolution,
        endpoint,
        "sts",
        &headers,
        body,
        |response, secrets| {
            let text = String::from_utf8_lossy(&response.body);
            if response.status == 200 {
                let get = |name| xml::text(&text, &["GetCallerIdentityResult", name]);
                if let (Some(account), Some(arn)) = (get("Account"), get("Arn")) {
                    return Identity::Known {
                        account: quoted(&account, secrets, MAX_SHOWN),
                        arn: quoted(&arn, secrets, MAX_SHOWN),
                    };
                }
            }
            Identity::Refused {
                code: xml::text(&text, &["Error", "Code"]).map_or_else(
                    || format!("HTTP {}", response.status),
                    |c| quoted(&c, secrets, MAX_SHOWN),
                ),
                message: xml::text(&text, &["Error", "Message"])
                    .map(|m| quoted(&m, secrets, 500))
                    .unwrap_or_default(),
            }
        },
    )
}

/// CodeCommit `GetRepository` for the resolution's repository, in its region.
///
/// # Errors
///
/// As [`caller_identity`].
pub fn repository<E: Environment>(
    resolver: &Resolver<E>,
    resolution: &Resolution,
) -> Result<Call<Repository>, Error> {
    let region = resolution.region().name();
    let endpoint = |env: &dyn Environment, config: &SharedConfig, profile: &str| {
        let profile = config.profile(profile);
        let url = services::endpoint(env, config, profile, Service::CodeCommit, region)?;
        Ok((url, region.to_owned()))
    };
    let headers = [
        ("content-type", "application/x-amz-json-1.1"),
        ("x-amz-target", "CodeCommit_20150413.GetRepository"),
    ];
    let body = serde_json::json!({ "repositoryName": resolution.repository().as_str() })
        .to_string()
        .into_bytes();
    let read = |response: &HttpResponse, secrets: &[&str]| {
        if response.status == 200 {
            let doc: serde_json::Value = serde_json::from_slice(&response.body).unwrap_or_default();
            let meta = &doc["repositoryMetadata"];
            let field = |name: &str| {
                meta.get(name)
                    .and_then(serde_json::Value::as_str)
                    .map(|v| quoted(v, secrets, MAX_SHOWN))
            };
            if let Some(arn) = field("Arn") {
                return Repository::Found {
                    account: field("accountId").unwrap_or_default(),
                    arn,
                    kms_key: field("kmsKeyId"),
                };
            }
        }
        let (code, message) = aws_json::error_code(response, secrets);
        Repository::Refused { code, message }
    };
    api_call(
        resolver,
        resolution,
        endpoint,
        "codecommit",
        &headers,
        body,
        read,
    )
}

/// A SigV4-signed `POST /` of `body` with `headers` to `service` (its signing name),
/// at the endpoint and signing region `endpoint` picks, through the CA bundle botocore
/// would use; `read` reads the answer, with the secrets to mask.
fn api_call<E: Environment, T>(
    resolver: &Resolver<E>,
    resolution: &Resolution,
    endpoint: impl FnOnce(&dyn Environment, &SharedConfig, &str) -> Result<(String, String), Error>,
    service: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
    read: impl FnOnce(&HttpResponse, &[&str]) -> T,
) -> Result<Call<T>, Error> {
    let config = resolution.location().shared_config();
    let profile = resolution.profile();
    let env = resolver.environment();
    let trusting = TrustingEnvironment::for_profile(env, config, profile);
    let env: &dyn Environment = match &trusting {
        Some(t) => t,
        None => env,
    };
    let (endpoint, region) = endpoint(env, config, profile)?;
    let url = services::join(&endpoint, "/");
    let credentials = resolution.credentials();
    let signed = sts::sign(
        service,
        "POST",
        &url,
        &region,
        headers,
        &body,
        credentials,
        env.now(),
    )?;
    let mut request = HttpRequest::post(url, body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    for (name, value) in signed {
        request = request.header(name, value);
    }
    request.timeout = CALL_TIMEOUT;
    let trust = match crate::env::ca_bundle(env, config, profile) {
        Some((path, from)) => format!("the CA bundle {} ({from})", shown(&path, MAX_SHOWN)),
        None => "the system trust store".to_owned(),
    };
    let secrets = secrets(credentials);
    Ok(Call {
        url: request.url.clone(),
        route: route(env, &request.url),
        trust,
        answer: send(env, &request, |response| read(response, &secrets)),
    })
}

/// The request git sends first for a fetch, `GET /v1/repos/REPO/info/refs?service=
/// git-upload-pack` with Basic auth from the signed URL, to the host git would use,
/// through the proxy git would use (`git`'s `http.proxy`, else `https_proxy`,
/// `HTTPS_PROXY`, `all_proxy`, `ALL_PROXY`; `NO_PROXY` applies), trusting what git
/// trusts (`GIT_SSL_CAINFO`, else `http.sslCAInfo`; without either, the CA bundle of
/// our other calls, else the system trust store).
/// The answer's value is the `WWW-Authenticate` header, if any.
///
/// # Errors
///
/// [`ErrorKind::InvalidConfig`](crate::ErrorKind::InvalidConfig) when the clock cannot
/// sign (before 1970).
pub fn git_host<E: Environment>(
    resolver: &Resolver<E>,
    resolution: &Resolution,
    git: &GitSettings,
) -> Result<Call<Option<String>>, Error> {
    let env = resolver.environment();
    let signed = resolution.sign(SigningTime::from_system_time(env.now())?);
    let url = format!("{}/info/refs?service=git-upload-pack", signed.redacted());
    let mut auth = percent_decode(signed.username());
    auth.push(':');
    auth.push_str(signed.password());
    let mut request = HttpRequest::get(url.clone())
        .header(
            "Authorization",
            format!("Basic {}", base64(auth.as_bytes())),
        )
        .header("Git-Protocol", "version=2");
    zeroize::Zeroize::zeroize(&mut auth);
    request.timeout = CALL_TIMEOUT;

    let (_, host) = crate::env::scheme_and_host(&url);
    let lower = |a: &str, b: &str| env.var(a).or_else(|| env.var(b));
    // git's order (http.c): its config, else the variables, lower case winning.
    let (proxy, from) = match &git.proxy {
        Some(p) => (Some(p.clone()), "git's http.proxy".to_owned()),
        None => match (
            lower("https_proxy", "HTTPS_PROXY"),
            "https_proxy/HTTPS_PROXY",
        ) {
            (Some(p), from) => (Some(p), from.to_owned()),
            (None, _) => (
                lower("all_proxy", "ALL_PROXY"),
                "all_proxy/ALL_PROXY".to_owned(),
            ),
        },
    };
    let no_proxy = lower("no_proxy", "NO_PROXY")
        .map(|v| crate::env::no_proxy_list(&v))
        .unwrap_or_default();
    let route = match proxy.filter(|p| !p.trim().is_empty()) {
        None => {
            request.bypass_proxy = true;
            "directly (no proxy configured for git)".to_owned()
        }
        Some(_) if crate::env::bypasses_proxy(&host, &no_proxy) => {
            request.bypass_proxy = true;
            "directly (the host is in NO_PROXY)".to_owned()
        }
        Some(p) => {
            let route = format!("through {} (from {from})", crate::env::redact_proxy(&p));
            request.proxy = Some(p);
            route
        }
    };
    // What git trusts: GIT_SSL_CAINFO, else http.sslCAInfo, else its default store. The
    // probe is an HTTPS call of ours too: without a CA file of git's, the CA bundle
    // botocore would use (AWS_CA_BUNDLE, the profile's ca_bundle) applies, and the
    // report says that git itself would not use it.
    let git_ca = match env.var("GIT_SSL_CAINFO") {
        Some(path) => Some((path, "from GIT_SSL_CAINFO".to_owned())),
        None => git
            .ssl_ca_info
            .clone()
            .map(|path| (path, "from git's http.sslCAInfo".to_owned())),
    };
    let aws_ca = || {
        crate::env::ca_bundle(
            env,
            resolution.location().shared_config(),
            resolution.profile(),
        )
    };
    let (ca, trust) = match git_ca {
        Some((path, from)) => {
            let trust = format!("git's CA file {} ({from})", shown(&path, MAX_SHOWN));
            (Some((path, from)), trust)
        }
        None => match aws_ca() {
            Some((path, from)) => {
                let trust = format!(
                    "the CA bundle {} ({from}); git itself would use its default CA store \
                     unless http.sslCAInfo names this file too",
                    shown(&path, MAX_SHOWN)
                );
                (Some((path, from)), trust)
            }
            None => (
                None,
                "the system trust store (git: its default CA bundle)".to_owned(),
            ),
        },
    };
    if let Some((path, from)) = &ca {
        match crate::env::read_trust(env, path, from) {
            Ok(t) => request.trust = Some(t),
            Err(e) => {
                return Ok(Call {
                    url,
                    route,
                    trust,
                    answer: Err(e),
                });
            }
        }
    }
    let answer = send(env, &request, |r| {
        r.header("www-authenticate")
            .map(|v| shown(v, MAX_SHOWN).into_owned())
    });
    Ok(Call {
        url,
        route,
        trust,
        answer,
    })
}

fn send<T>(
    env: &dyn Environment,
    request: &HttpRequest,
    read: impl FnOnce(&HttpResponse) -> T,
) -> Result<Answered<T>, HttpError> {
    let response = env.http(request)?;
    let local = env.now();
    Ok(Answered {
        status: response.status,
        server_date: response.header("date").and_then(http_date),
        local,
        value: read(&response),
    })
}

#[cfg(feature = "https")]
fn route(env: &dyn Environment, url: &str) -> String {
    crate::env::proxy_in_effect(env, url)
}

#[cfg(not(feature = "https"))]
fn route(_env: &dyn Environment, _url: &str) -> String {
    "through the application's HTTP client".to_owned()
}

/// What a service could echo that must not be shown.
fn secrets(credentials: &Credentials) -> Vec<&str> {
    let mut secrets = vec![credentials.secret_access_key()];
    secrets.extend(credentials.session_token());
    secrets
}

fn unix(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// An HTTP `Date` (IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`, what AWS services
/// send); `None` for anything else.
pub(crate) fn http_date(text: &str) -> Option<SystemTime> {
    let rest = text.trim().split_once(", ")?.1;
    let mut parts = rest.split(' ');
    let day: u8 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => time::Month::January,
        "Feb" => time::Month::February,
        "Mar" => time::Month::March,
        "Apr" => time::Month::April,
        "May" => time::Month::May,
        "Jun" => time::Month::June,
        "Jul" => time::Month::July,
        "Aug" => time::Month::August,
        "Sep" => time::Month::September,
        "Oct" => time::Month::October,
        "Nov" => time::Month::November,
        "Dec" => time::Month::December,
        _ => return None,
    };
    let year: i32 = parts.next()?.parse().ok()?;
    let mut hms = parts.next()?.split(':').map(|n| n.parse::<u8>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    if parts.next()? != "GMT" || parts.next().is_some() || hms.next().is_some() {
        return None;
    }
    let date = time::Date::from_calendar_date(year, month, day).ok()?;
    let clock = time::Time::from_hms(h, m, s).ok()?;
    let unix = time::PrimitiveDateTime::new(date, clock)
        .assume_utc()
        .unix_timestamp();
    let unix = u64::try_from(unix).ok()?;
    UNIX_EPOCH.checked_add(Duration::from_secs(unix))
}

/// `%XX` decoded (the signed URL's username, as git decodes it before Basic auth).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Standard base64 with padding (HTTP Basic auth).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> shift) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_as_aws_sends_them() {
        let t = http_date("Sun, 06 Dec 2026 04:20:00 GMT").unwrap();
        assert_eq!(unix(t), 1_796_530_800);
        assert_eq!(http_date("Sun, 06 Dec 2026 04:20:00 UTC"), None);
        assert_eq!(http_date("2026-12-06T04:20:00Z"), None);
        assert_eq!(http_date("Sun, 31 Feb 2026 04:20:00 GMT"), None);
    }

    #[test]
    fn basic_auth_encoding() {
        assert_eq!(
            base64(b"Aladdin:open sesame"),
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
        assert_eq!(base64(b""), "");
        assert_eq!(percent_decode("AKIA%25tok%2Fen%zz"), "AKIA%tok/en%zz");
    }
}
