//! Signing in to IAM Identity Center, as `aws sso login` does: a new SSO access token
//! through SSO OIDC, written to the token cache the AWS CLI, botocore and we all read.
//!
//! The AWS CLI v2 (`awscli/customizations/sso/`, `awscli/botocore/utils.py`) has two
//! flows, and so do we:
//!
//! * **Authorization code with PKCE** (its default for `[sso-session]` profiles):
//!   `RegisterClient` with the `authorization_code` and `refresh_token` grants, the
//!   loopback redirect URI `http://127.0.0.1/oauth/callback` and the start URL as
//!   `issuerUrl`; the browser opens `…/authorize?…` with a fresh `state` and the S256
//!   challenge of a 64-character verifier; a one-shot listener on 127.0.0.1 takes the
//!   redirect, checks `state`, and `CreateToken` trades the code (with the verifier) for
//!   the token.
//! * **Device code** (`--device-code`, and always for legacy profiles, as the CLI):
//!   `RegisterClient`, `StartDeviceAuthorization`, the verification URL and user code
//!   shown, then `CreateToken` polled until the person approves.
//!
//! What is written is what the CLI writes (`reference/behavior.md` §5.2): the client
//! registration in `~/.aws/sso/cache/<sha1 of botocore's registration key>.json`
//! (reused until 15 minutes before it expires, as the CLI reuses it), and the token in
//! `~/.aws/sso/cache/<sha1 of the session name or start URL>.json`, both as Python's
//! `json.dumps` writes them, both through [`Environment::write_file_atomic`] (a temporary
//! file, mode 0600, renamed over the old one). Nothing is written before the sign-in has
//! succeeded, so a denied or expired authorization, a timeout, or Ctrl-C (which ends the
//! process wherever it is) leaves the old files as they were: a rename either happened
//! or did not, and a temporary file a kill leaves behind is swept by a later write.
//!
//! DIFFERENCE: the CLI writes the registration as soon as it has one, before the person
//! has approved anything; we write it with the token (a registration that was never
//! used costs one `RegisterClient` next time).
//! DIFFERENCE: the CLI's listener binds every interface (`HTTPServer(('', 0))`); ours
//! binds 127.0.0.1 only, the address the redirect URI names.
//! DIFFERENCE: the CLI polls `CreateToken` once before showing the code and once more
//! right after, without waiting (BOTOCORE: `_poll_for_token` tries, shows, then loops
//! "try, sleep interval"); we wait the server's interval before every poll, as RFC 8628
//! §3.5 requires, and add 5 seconds after each `slow_down` (as the CLI does).
//! Not done: the CLI's resolution of a vanity start URL by following its redirect
//! (`resolve_start_url`); the configured start URL is used as it is.

use std::fmt;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::config::{Profile, SharedConfig};
use crate::credentials::login::dpop::{base64url, uuid4_text};
use crate::credentials::pyjson::{self, Separators};
use crate::credentials::{aws_json, retry, timestamp};
use crate::endpoint::services::{self, Service};
use crate::env::{Environment, HttpRequest, HttpResponse};
use crate::error::{Error, ErrorKind, MAX_SHOWN, shown};

/// A registration or token this close to its expiry is not reused (botocore's window).
const EXPIRY_WINDOW: Duration = Duration::from_secs(15 * 60);
/// The scope an authorization-code registration asks for when the session names none.
const DEFAULT_SCOPE: &str = "sso:account:access";
/// RFC 8628 §3.5: the default polling interval, and what `slow_down` adds to it.
const DEFAULT_INTERVAL: u64 = 5;
const SLOW_DOWN: u64 = 5;
/// How long the whole sign-in may take by default (the CLI's 10 minutes).
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10 * 60);
/// The redirect URI registered; the one used carries the listener's port (RFC 8252 §7.3).
const REDIRECT_PATH: &str = "/oauth/callback";
const REDIRECT_REGISTERED: &str = "http://127.0.0.1/oauth/callback";
/// The largest redirect request we read.
const MAX_REQUEST: usize = 16 * 1024;

/// How to sign in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignInFlow {
    /// Authorization code with PKCE: the browser on this machine (the CLI's default for
    /// `[sso-session]` profiles).
    AuthorizationCode,
    /// Device code: a URL and a code to confirm on any device.
    DeviceCode,
}

/// What the person signing in sees: the library calls it, a program shows it.
pub trait SignInPrompt {
    /// The URL to open in a browser: the authorize URL, or the device flow's verification
    /// URL with the `user_code` to check there (`verification_uri_complete` carries it).
    fn open(&mut self, url: &str, user_code: Option<&str>, verification_uri_complete: &str);

    /// Called about once a second while the sign-in waits, with the time left before it
    /// gives up.
    fn waiting(&mut self, left: Duration) {
        let _ = left;
    }
}

/// A sign-in to do: where (start URL, region, SSO OIDC endpoint) and what it writes.
/// Holds no secret.
#[derive(Clone, Debug)]
pub struct SignIn {
    start_url: String,
    region: String,
    session: Option<String>,
    scopes: Option<Vec<String>>,
    oidc: String,
    cache_dir: PathBuf,
    timeout: Duration,
}

/// A finished sign-in.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignedIn {
    /// The token file written.
    pub token_file: PathBuf,
    /// The client registration file written (or reused).
    pub registration_file: PathBuf,
    /// When the new token expires.
    pub expires_at: SystemTime,
    /// Whether an existing client registration was reused (no `RegisterClient` call).
    pub reused_registration: bool,
}

impl SignIn {
    /// The sign-in of `profile`: its `[sso-session]`, or (legacy form) its own
    /// `sso_start_url` and `sso_region`, as `aws sso login --profile NAME` finds them.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::ProfileNotFound`]; [`ErrorKind::InvalidConfig`] when the profile or
    /// session lacks `sso_start_url` or `sso_region`, names a missing session, or the
    /// region or an endpoint override is not valid.
    pub fn for_profile(
        env: &dyn Environment,
        config: &SharedConfig,
        profile: &str,
    ) -> Result<SignIn, Error> {
        let Some(section) = config.profile(profile) else {
            return Err(crate::resolver::profile_not_found(env, profile, config));
        };
        match section.get("sso_session") {
            Some(session) => SignIn::session(env, config, Some(section), session),
            None => {
                let missing = missing(|k| section.contains_key(k));
                if !missing.is_empty() {
                    return Err(invalid(format!(
                        "Missing the following required SSO configuration values: {}. \
                         (profile {}; add them, or an sso_session naming an [sso-session] \
                         section, to the config file)",
                        missing.join(", "),
                        shown(profile, MAX_SHOWN)
                    )));
                }
                let get = |k: &str| section.get(k).unwrap_or_default().to_owned();
                SignIn::build(
                    env,
                    config,
                    Some(section),
                    get("sso_start_url"),
                    get("sso_region"),
                    None,
                    None,
                )
            }
        }
    }

    /// The sign-in of the `[sso-session NAME]` section, as
    /// `aws sso login --sso-session NAME` finds it.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidConfig`] when there is no such section, it lacks
    /// `sso_start_url` or `sso_region`, or the region or an endpoint override is not
    /// valid.
    pub fn for_sso_session(
        env: &dyn Environment,
        config: &SharedConfig,
        session: &str,
    ) -> Result<SignIn, Error> {
        SignIn::session(env, config, None, session)
    }

    fn session(
        env: &dyn Environment,
        config: &SharedConfig,
        profile: Option<Profile<'_>>,
        name: &str,
    ) -> Result<SignIn, Error> {
        let Some(section) = config.sso_session(name) else {
            return Err(invalid(format!(
                "The specified sso-session does not exist: \"{}\" (add an [sso-session {0}] \
                 section with sso_start_url and sso_region to the config file)",
                shown(name, MAX_SHOWN)
            )));
        };
        let missing = missing(|k| section.contains_key(k));
        if !missing.is_empty() {
            return Err(invalid(format!(
                "Missing the following required SSO configuration values: {}. (in \
                 [sso-session {}] of the config file)",
                missing.join(", "),
                shown(name, MAX_SHOWN)
            )));
        }
        // The AWS CLI's parse_sso_registration_scopes: comma-separated, blanks dropped.
        let scopes = section.get("sso_registration_scopes").map(|raw| {
            raw.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        });
        let get = |k: &str| section.get(k).unwrap_or_default().to_owned();
        SignIn::build(
            env,
            config,
            profile,
            get("sso_start_url"),
            get("sso_region"),
            Some(name.to_owned()),
            scopes,
        )
    }

    fn build(
        env: &dyn Environment,
        config: &SharedConfig,
        profile: Option<Profile<'_>>,
        start_url: String,
        region: String,
        session: Option<String>,
        scopes: Option<Vec<String>>,
    ) -> Result<SignIn, Error> {
        services::check_region(&region, "the sso_region of the sign-in")?;
        let oidc = services::endpoint(env, config, profile, Service::SsoOidc, &region)?;
        let cache_dir = crate::config::default_path(env, &[".aws", "sso", "cache"]);
        Ok(SignIn {
            start_url,
            region,
            session,
            scopes,
            oidc,
            cache_dir,
            timeout: DEFAULT_TIMEOUT,
        })
    }

    /// Gives up after `timeout` (default: 10 minutes, as the AWS CLI).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> SignIn {
        self.timeout = timeout;
        self
    }

    /// The start URL signed in to.
    pub fn start_url(&self) -> &str {
        &self.start_url
    }

    /// The `[sso-session]`, or `None` for a legacy profile.
    pub fn sso_session(&self) -> Option<&str> {
        self.session.as_deref()
    }

    /// The SSO OIDC endpoint called.
    pub fn oidc_endpoint(&self) -> &str {
        &self.oidc
    }

    /// The token file a successful sign-in writes: `~/.aws/sso/cache/<sha1>.json` of the
    /// session name, or of the start URL (legacy form).
    pub fn token_file(&self) -> PathBuf {
        let hashed = self.session.as_deref().unwrap_or(&self.start_url);
        self.cache_dir.join(format!("{}.json", sha1_hex(hashed)))
    }

    /// The client registration file: botocore's `_registration_cache_key`, the SHA-1 of
    /// `json.dumps({"tool": "botocore", "startUrl", "region", "scopes",
    /// "session_name"}, sort_keys=True)`.
    pub fn registration_file(&self) -> PathBuf {
        let args = json!({
            "tool": "botocore",
            "startUrl": self.start_url,
            "region": self.region,
            "scopes": self.scopes,
            "session_name": self.session,
        });
        let key = sha1_hex(&pyjson::dumps(&args, Separators::Default, true));
        self.cache_dir.join(format!("{key}.json"))
    }

    /// Signs in with `flow`, showing what the person must do through `prompt`.
    ///
    /// A legacy profile (no `[sso-session]`) always uses the device code flow, as the
    /// AWS CLI does.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::SsoLoginRequired`] when the authorization was denied, expired or
    /// timed out, or the redirect did not match; [`ErrorKind::ServiceError`] for other
    /// SSO OIDC error answers; [`ErrorKind::Network`] when SSO OIDC or the loopback
    /// listener cannot be reached or opened; [`ErrorKind::MalformedCredentials`] for an
    /// answer without the fields the API defines; [`ErrorKind::ConfigRead`] when a file
    /// cannot be written. On any error nothing is written.
    pub fn run(
        &self,
        env: &dyn Environment,
        flow: SignInFlow,
        prompt: &mut dyn SignInPrompt,
    ) -> Result<SignedIn, Error> {
        let flow = if self.session.is_none() {
            SignInFlow::DeviceCode
        } else {
            flow
        };
        match flow {
            SignInFlow::AuthorizationCode => self.authorization_code(env, prompt),
            SignInFlow::DeviceCode => self.device_code(env, prompt),
        }
    }

    fn device_code(
        &self,
        env: &dyn Environment,
        prompt: &mut dyn SignInPrompt,
    ) -> Result<SignedIn, Error> {
        let started = env.now();
        let registration = self.registration(env, SignInFlow::DeviceCode)?;
        let answer = self.call(
            env,
            "StartDeviceAuthorization",
            "/device_authorization",
            &json!({
                "clientId": registration.client_id,
                "clientSecret": *registration.client_secret,
                "startUrl": self.start_url,
            }),
            &[registration.client_secret.as_str()],
        )?;
        let text = |k: &str| answer.get(k).and_then(Value::as_str);
        let (Some(device_code), Some(user_code), Some(uri), Some(expires_in)) = (
            text("deviceCode"),
            text("userCode"),
            text("verificationUri"),
            answer.get("expiresIn").and_then(Value::as_u64),
        ) else {
            return Err(malformed(
                "StartDeviceAuthorization",
                "deviceCode, userCode, verificationUri or expiresIn",
            ));
        };
        let device_code = Zeroizing::new(device_code.to_owned());
        let complete = text("verificationUriComplete").unwrap_or(uri);
        let mut interval = answer
            .get("interval")
            .and_then(Value::as_u64)
            .filter(|i| *i > 0)
            .unwrap_or(DEFAULT_INTERVAL);
        prompt.open(uri, Some(user_code), complete);

        let code_deadline = started + Duration::from_secs(expires_in.min(u32::MAX.into()));
        let deadline = code_deadline.min(started + self.timeout);
        let body = Zeroizing::new(
            json!({
                "grantType": "urn:ietf:params:oauth:grant-type:device_code",
                "clientId": registration.client_id,
                "clientSecret": *registration.client_secret,
                "deviceCode": *device_code,
            })
            .to_string(),
        );
        let secrets = [registration.client_secret.as_str(), device_code.as_str()];
        loop {
            // Wait first, then ask: never faster than the server's interval (RFC 8628).
            // A poll at or after the deadline is never sent.
            let mut waited = 0;
            loop {
                let left = deadline.duration_since(env.now()).unwrap_or_default();
                if left.is_zero() {
                    return Err(timed_out(self, code_deadline <= deadline));
                }
                if waited == interval {
                    break;
                }
                prompt.waiting(left);
                env.sleep(Duration::from_secs(1));
                waited += 1;
            }
            let response = self.post(env, "CreateToken", "/token", &body)?;
            if response.status == 200 {
                let token = parse_json(&response, "CreateToken")?;
                return self.save(env, &registration, &token);
            }
            match token_error(&response, &secrets) {
                TokenError::Pending => {}
                TokenError::SlowDown => interval += SLOW_DOWN,
                TokenError::Expired => return Err(authorization_expired(self)),
                TokenError::Denied => return Err(denied(self, None)),
                TokenError::Other(error) => return Err(error),
            }
        }
    }

    fn authorization_code(
        &self,
        env: &dyn Environment,
        prompt: &mut dyn SignInPrompt,
    ) -> Result<SignedIn, Error> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.set_nonblocking(true).map(|()| l))
            .map_err(|e| {
                Error::with_source(
                    ErrorKind::Network,
                    "cannot listen on 127.0.0.1 for the sign-in's redirect (use --device-code \
                     to sign in without it)",
                    e,
                )
            })?;
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
        let redirect_uri = format!("http://127.0.0.1:{port}{REDIRECT_PATH}");
        let registration = self.registration(env, SignInFlow::AuthorizationCode)?;

        let verifier = Zeroizing::new(code_verifier()?);
        let challenge = base64url(&Sha256::digest(verifier.as_bytes()));
        let state = uuid4()?;
        let scopes = match &self.scopes {
            Some(scopes) if !scopes.is_empty() => scopes.join(" "),
            _ => DEFAULT_SCOPE.to_owned(),
        };
        // BOTOCORE: the scheme and host of the resolved endpoint, without its path, then
        // `/authorize`, the query percent-encoded, the challenge appended unpadded.
        let enc = crate::sign::percent_encode;
        let url = format!(
            "{}/authorize?response_type=code&client_id={}&redirect_uri={}&state={}\
             &code_challenge_method=S256&scopes={}&code_challenge={challenge}",
            origin(&self.oidc),
            enc(&registration.client_id),
            enc(&redirect_uri),
            enc(&state),
            enc(&scopes),
        );
        prompt.open(&url, None, &url);

        let code = wait_for_redirect(&listener, &state, self.timeout, prompt)
            .map_err(|failure| failure.into_error(self))?;
        let body = Zeroizing::new(
            json!({
                "grantType": "authorization_code",
                "clientId": registration.client_id,
                "clientSecret": *registration.client_secret,
                "redirectUri": redirect_uri,
                "codeVerifier": *verifier,
                "code": *code,
            })
            .to_string(),
        );
        let response = self.post(env, "CreateToken", "/token", &body)?;
        if response.status != 200 {
            let secrets = [
                registration.client_secret.as_str(),
                verifier.as_str(),
                code.as_str(),
            ];
            return Err(match token_error(&response, &secrets) {
                TokenError::Expired => authorization_expired(self),
                TokenError::Denied => denied(self, None),
                TokenError::Pending | TokenError::SlowDown => {
                    service_error("CreateToken", &response, &secrets)
                }
                TokenError::Other(error) => error,
            });
        }
        let token = parse_json(&response, "CreateToken")?;
        self.save(env, &registration, &token)
    }

    /// The cached registration for `flow` while it has 15 minutes left, else a new one
    /// (written later, with the token).
    fn registration(&self, env: &dyn Environment, flow: SignInFlow) -> Result<Registration, Error> {
        let path = self.registration_file();
        if let Some(cached) = read_registration(env, &path, flow) {
            return Ok(cached);
        }
        let client_name = match &self.session {
            Some(session) => format!("botocore-client-{session}"),
            // BOTOCORE: a legacy registration is named after the time.
            None => format!(
                "botocore-client-{}",
                env.now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_secs()
            ),
        };
        let (request, scopes, grant_types) = match flow {
            SignInFlow::DeviceCode => {
                let mut request = json!({"clientName": client_name, "clientType": "public"});
                if let Some(scopes) = self.scopes.as_ref().filter(|s| !s.is_empty()) {
                    request["scopes"] = json!(scopes);
                }
                (request, self.scopes.clone().filter(|s| !s.is_empty()), None)
            }
            SignInFlow::AuthorizationCode => {
                let scopes = self
                    .scopes
                    .clone()
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| vec![DEFAULT_SCOPE.to_owned()]);
                let grants = vec!["authorization_code".to_owned(), "refresh_token".to_owned()];
                let request = json!({
                    "clientName": client_name,
                    "clientType": "public",
                    "scopes": scopes,
                    "redirectUris": [REDIRECT_REGISTERED],
                    "grantTypes": grants,
                    "issuerUrl": self.start_url,
                });
                (request, Some(scopes), Some(grants))
            }
        };
        let answer = self.call(env, "RegisterClient", "/client/register", &request, &[])?;
        let (Some(client_id), Some(client_secret), Some(expires)) = (
            answer.get("clientId").and_then(Value::as_str),
            answer.get("clientSecret").and_then(Value::as_str),
            answer.get("clientSecretExpiresAt").and_then(Value::as_i64),
        ) else {
            return Err(malformed(
                "RegisterClient",
                "clientId, clientSecret or clientSecretExpiresAt",
            ));
        };
        let expires = super::token::expiry_after(UNIX_EPOCH, u64::try_from(expires).unwrap_or(0));
        Ok(Registration {
            client_id: client_id.to_owned(),
            client_secret: Zeroizing::new(client_secret.to_owned()),
            expires_at: timestamp::format_for_file(expires),
            scopes,
            grant_types,
            reused: false,
        })
    }

    /// Writes the registration (if new) and the token as the AWS CLI writes them.
    fn save(
        &self,
        env: &dyn Environment,
        registration: &Registration,
        answer: &Value,
    ) -> Result<SignedIn, Error> {
        let (Some(access_token), Some(expires_in)) = (
            answer.get("accessToken").and_then(Value::as_str),
            answer.get("expiresIn").and_then(Value::as_u64),
        ) else {
            return Err(malformed("CreateToken", "accessToken or expiresIn"));
        };
        let expires_at = super::token::expiry_after(env.now(), expires_in);
        // The CLI's token dict, in its order (SSOTokenFetcher._create_token_attempt).
        let mut token = Map::new();
        token.insert("startUrl".into(), json!(self.start_url));
        token.insert("region".into(), json!(self.region));
        token.insert("accessToken".into(), json!(access_token));
        token.insert(
            "expiresAt".into(),
            json!(timestamp::format_for_file(expires_at)),
        );
        token.insert("clientId".into(), json!(registration.client_id));
        token.insert("clientSecret".into(), json!(*registration.client_secret));
        token.insert(
            "registrationExpiresAt".into(),
            json!(registration.expires_at),
        );
        if let Some(refresh) = answer.get("refreshToken").and_then(Value::as_str) {
            token.insert("refreshToken".into(), json!(refresh));
        }
        let token_text = Zeroizing::new(pyjson::dumps(
            &Value::Object(token),
            Separators::Default,
            false,
        ));

        let registration_file = self.registration_file();
        if !registration.reused {
            let text = Zeroizing::new(pyjson::dumps(
                &registration.to_json(),
                Separators::Default,
                false,
            ));
            write(env, &registration_file, &text)?;
        }
        let token_file = self.token_file();
        write(env, &token_file, &token_text)?;
        Ok(SignedIn {
            token_file,
            registration_file,
            expires_at,
            reused_registration: registration.reused,
        })
    }

    /// POSTs `body` to SSO OIDC's `path` and returns the JSON of a 200 answer.
    fn call(
        &self,
        env: &dyn Environment,
        operation: &str,
        path: &str,
        body: &Value,
        secrets: &[&str],
    ) -> Result<Value, Error> {
        let text = Zeroizing::new(body.to_string());
        let response = self.post(env, operation, path, &text)?;
        if response.status != 200 {
            return Err(service_error(operation, &response, secrets));
        }
        parse_json(&response, operation)
    }

    fn post(
        &self,
        env: &dyn Environment,
        operation: &str,
        path: &str,
        body: &str,
    ) -> Result<HttpResponse, Error> {
        let url = services::join(&self.oidc, path);
        let request = HttpRequest::post(url.clone(), body.as_bytes().to_vec())
            .header("Content-Type", "application/json");
        retry::send(env, &request, retry::standard)
            .map(|sent| sent.response)
            .map_err(|e| {
                Error::with_source(
                    ErrorKind::Network,
                    format!(
                        "Could not connect to the endpoint URL: \"{url}\" (SSO OIDC {operation}, \
                         for the sign-in to {})",
                        shown(&self.start_url, MAX_SHOWN)
                    ),
                    e,
                )
            })
    }
}

/// An OIDC client registration (`clientSecret` is a secret).
struct Registration {
    client_id: String,
    client_secret: Zeroizing<String>,
    /// As the file spells it (`%Y-%m-%dT%H:%M:%SZ` when we wrote it).
    expires_at: String,
    scopes: Option<Vec<String>>,
    grant_types: Option<Vec<String>>,
    reused: bool,
}

impl fmt::Debug for Registration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registration")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl Registration {
    /// The registration file as the CLI writes it: `clientId`, `clientSecret`,
    /// `expiresAt`, then `scopes` (when any) and `grantTypes` (authorization code).
    fn to_json(&self) -> Value {
        let mut doc = Map::new();
        doc.insert("clientId".into(), json!(self.client_id));
        doc.insert("clientSecret".into(), json!(*self.client_secret));
        doc.insert("expiresAt".into(), json!(self.expires_at));
        if let Some(scopes) = &self.scopes {
            doc.insert("scopes".into(), json!(scopes));
        }
        if let Some(grants) = &self.grant_types {
            doc.insert("grantTypes".into(), json!(grants));
        }
        Value::Object(doc)
    }
}

/// The registration in `path` if it suits `flow` and has 15 minutes left (botocore's
/// `_registration`: `grantTypes` holding `authorization_code` marks one for that flow).
fn read_registration(env: &dyn Environment, path: &Path, flow: SignInFlow) -> Option<Registration> {
    let bytes = env.read_file(path, 1 << 20).ok()??;
    let doc: Value = serde_json::from_slice(&bytes).ok()?;
    let client_id = doc.get("clientId")?.as_str()?;
    let client_secret = doc.get("clientSecret")?.as_str()?;
    let expires_text = doc.get("expiresAt")?.as_str()?;
    let expires = timestamp::parse(expires_text).ok()?;
    if expires.duration_since(env.now()).unwrap_or_default() < EXPIRY_WINDOW {
        return None;
    }
    let strings = |k: &str| -> Option<Vec<String>> {
        doc.get(k)?
            .as_array()?
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect()
    };
    let grant_types = strings("grantTypes");
    let for_code = grant_types
        .as_ref()
        .is_some_and(|g| g.iter().any(|t| t == "authorization_code"));
    if for_code != (flow == SignInFlow::AuthorizationCode) {
        return None;
    }
    Some(Registration {
        client_id: client_id.to_owned(),
        client_secret: Zeroizing::new(client_secret.to_owned()),
        expires_at: expires_text.to_owned(),
        scopes: strings("scopes"),
        grant_types,
        reused: true,
    })
}

/// What a `CreateToken` error answer means (RFC 8628 §3.5 and SSO OIDC's exceptions).
enum TokenError {
    Pending,
    SlowDown,
    Expired,
    Denied,
    Other(Error),
}

fn token_error(response: &HttpResponse, secrets: &[&str]) -> TokenError {
    let (code, _) = aws_json::error_code(response, secrets);
    let body: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
    let oauth = body
        .get("error")
        .and_then(Value::as_str)
        .unwrap_or_default();
    match (code.as_str(), oauth) {
        ("AuthorizationPendingException", _) | (_, "authorization_pending") => TokenError::Pending,
        ("SlowDownException", _) | (_, "slow_down") => TokenError::SlowDown,
        ("ExpiredTokenException", _) | (_, "expired_token") => TokenError::Expired,
        ("AccessDeniedException", _) | (_, "access_denied") => TokenError::Denied,
        _ => TokenError::Other(service_error("CreateToken", response, secrets)),
    }
}

/// Why waiting for the redirect ended without a code.
enum RedirectFailure {
    TimedOut,
    /// The browser came back with `error=…` (and maybe `error_description`).
    Denied(String),
    StateMismatch,
    Listener(std::io::Error),
}

impl RedirectFailure {
    fn into_error(self, sign_in: &SignIn) -> Error {
        match self {
            RedirectFailure::TimedOut => timed_out(sign_in, false),
            RedirectFailure::Denied(why) => denied(sign_in, Some(&why)),
            RedirectFailure::StateMismatch => Error::new(
                ErrorKind::SsoLoginRequired,
                "the sign-in's redirect carried a state parameter that does not match the one \
                 sent (a stale browser tab, or another program answered it); nothing was \
                 written; sign in again",
            ),
            RedirectFailure::Listener(e) => Error::with_source(
                ErrorKind::Network,
                "the loopback listener for the sign-in's redirect failed",
                e,
            ),
        }
    }
}

/// Serves the loopback redirect until one request to [`REDIRECT_PATH`] arrives (other
/// paths, a browser's favicon request, get 404 and are ignored), or `timeout` passes.
/// Real time: a person is at the other end.
fn wait_for_redirect(
    listener: &TcpListener,
    state: &str,
    timeout: Duration,
    prompt: &mut dyn SignInPrompt,
) -> Result<Zeroizing<String>, RedirectFailure> {
    let start = Instant::now();
    let mut last_tick: Option<Instant> = None;
    loop {
        let elapsed = start.elapsed();
        if elapsed >= timeout {
            return Err(RedirectFailure::TimedOut);
        }
        if last_tick.is_none_or(|t| t.elapsed() >= Duration::from_secs(1)) {
            prompt.waiting(timeout - elapsed);
            last_tick = Some(Instant::now());
        }
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(RedirectFailure::Listener(e)),
        };
        if let Some(outcome) = answer_redirect(stream, state) {
            return outcome;
        }
    }
}

/// Reads one request; `None` when it was not the redirect (answered 404 or unreadable).
fn answer_redirect(
    mut stream: TcpStream,
    state: &str,
) -> Option<Result<Zeroizing<String>, RedirectFailure>> {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut head = Zeroizing::new(Vec::with_capacity(1024));
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_REQUEST {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    buf.fill(0);
    let line = head.split(|b| *b == b'\n').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    let mut words = line.split_whitespace();
    let (Some("GET"), Some(target)) = (words.next(), words.next()) else {
        respond(&mut stream, 400, "Bad request.");
        return None;
    };
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != REDIRECT_PATH {
        respond(&mut stream, 404, "Not found.");
        return None;
    }
    let mut code = None;
    let mut got_state = None;
    let mut error = None;
    let mut description = None;
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = percent_decode(v);
        match k {
            "code" => code = Some(Zeroizing::new(v)),
            "state" => got_state = Some(v),
            "error" => error = Some(v),
            "error_description" => description = Some(v),
            _ => {}
        }
    }
    let outcome = if let Some(error) = error {
        let why = match description {
            Some(d) => format!("{error}: {d}"),
            None => error,
        };
        Err(RedirectFailure::Denied(shown(&why, MAX_SHOWN).into_owned()))
    } else if got_state.as_deref() != Some(state) {
        Err(RedirectFailure::StateMismatch)
    } else if let Some(code) = code.filter(|c| !c.is_empty()) {
        Ok(code)
    } else {
        respond(
            &mut stream,
            400,
            "The redirect carries no authorization code.",
        );
        return None;
    };
    match &outcome {
        Ok(_) => respond(
            &mut stream,
            200,
            "Signed in. You can close this tab and return to the terminal.",
        ),
        Err(_) => respond(
            &mut stream,
            400,
            "The sign-in failed; the terminal says why. You can close this tab.",
        ),
    }
    Some(outcome)
}

fn respond(stream: &mut TcpStream, status: u16, text: &str) {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Bad Request",
    };
    let body = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>codecommit-auth</title>\
         </head><body><p>{text}</p></body></html>\n"
    );
    let _ = write!(
        stream,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.flush();
}

/// `%XX` and `+` decoded (an application/x-www-form-urlencoded query value).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match s
                .get(i + 1..i + 3)
                .filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()))
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                Some(b) => {
                    out.push(b);
                    i += 2;
                }
                None => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `scheme://host[:port]` of an endpoint URL (botocore's `_get_base_authorization_uri`).
fn origin(endpoint: &str) -> &str {
    let after_scheme = endpoint.find("://").map_or(0, |i| i + 3);
    match endpoint[after_scheme..].find(['/', '?', '#']) {
        Some(i) => &endpoint[..after_scheme + i],
        None => endpoint,
    }
}

/// The PKCE verifier: 64 characters from the unreserved set (RFC 7636 §4.1), as the CLI.
fn code_verifier() -> Result<String, Error> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    // Rejection sampling keeps every character equally likely: 256 - 256 % 66 = 198.
    let limit = 256 - 256 % ALPHABET.len();
    let mut out = String::with_capacity(64);
    let mut pool = Zeroizing::new([0u8; 128]);
    while out.len() < 64 {
        random(&mut pool[..])?;
        for &b in pool.iter() {
            if usize::from(b) < limit && out.len() < 64 {
                out.push(char::from(ALPHABET[usize::from(b) % ALPHABET.len()]));
            }
        }
    }
    Ok(out)
}

/// A random UUID (version 4), as the CLI's `state`.
fn uuid4() -> Result<String, Error> {
    let mut b = [0u8; 16];
    random(&mut b)?;
    Ok(uuid4_text(b))
}

fn random(buf: &mut [u8]) -> Result<(), Error> {
    getrandom::getrandom(buf).map_err(|e| {
        Error::new(
            ErrorKind::Unsupported,
            format!("the operating system gave no random numbers for the sign-in ({e})"),
        )
    })
}

fn sha1_hex(text: &str) -> String {
    use sha1::{Digest as _, Sha1};
    hex::encode(Sha1::digest(text.as_bytes()))
}

fn write(env: &dyn Environment, path: &Path, text: &str) -> Result<(), Error> {
    env.write_file_atomic(path, text.as_bytes()).map_err(|e| {
        Error::with_source(
            ErrorKind::ConfigRead,
            format!("cannot write {}", path.display()),
            e,
        )
    })
}

fn parse_json(response: &HttpResponse, operation: &str) -> Result<Value, Error> {
    serde_json::from_slice::<Value>(&response.body)
        .ok()
        .filter(Value::is_object)
        .ok_or_else(|| malformed(operation, "a JSON object"))
}

fn missing(has: impl Fn(&str) -> bool) -> Vec<&'static str> {
    ["sso_start_url", "sso_region"]
        .into_iter()
        .filter(|k| !has(k))
        .collect()
}

#[cold]
fn invalid(message: String) -> Error {
    Error::new(ErrorKind::InvalidConfig, message)
}

#[cold]
fn malformed(operation: &str, what: &str) -> Error {
    Error::new(
        ErrorKind::MalformedCredentials,
        format!("SSO OIDC's {operation} answer lacks {what}"),
    )
}

#[cold]
fn service_error(operation: &str, response: &HttpResponse, secrets: &[&str]) -> Error {
    let (code, message) = aws_json::error_code(response, secrets);
    let message = if message.is_empty() {
        String::new()
    } else {
        format!(": {message}")
    };
    Error::new(
        ErrorKind::ServiceError,
        format!(
            "An error occurred ({code}) when calling the {operation} operation{message} (SSO \
             OIDC, HTTP {})",
            response.status
        ),
    )
}

#[cold]
fn denied(sign_in: &SignIn, why: Option<&str>) -> Error {
    let why = why.map(|w| format!(" ({w})")).unwrap_or_default();
    Error::new(
        ErrorKind::SsoLoginRequired,
        format!(
            "the sign-in to {} was denied{why}; nothing was written",
            shown(&sign_in.start_url, MAX_SHOWN)
        ),
    )
}

#[cold]
fn authorization_expired(sign_in: &SignIn) -> Error {
    Error::new(
        ErrorKind::SsoLoginRequired,
        format!(
            "the sign-in to {} expired before it was approved; nothing was written; sign in \
             again",
            shown(&sign_in.start_url, MAX_SHOWN)
        ),
    )
}

#[cold]
fn timed_out(sign_in: &SignIn, code_expired: bool) -> Error {
    if code_expired {
        return authorization_expired(sign_in);
    }
    Error::new(
        ErrorKind::SsoLoginRequired,
        format!(
            "the sign-in to {} was not completed within {}; nothing was written; sign in \
             again",
            shown(&sign_in.start_url, MAX_SHOWN),
            span(sign_in.timeout)
        ),
    )
}

/// `N seconds` under two minutes, else `N minutes`.
fn span(d: Duration) -> String {
    match d.as_secs() {
        s if s < 120 => format!("{s} seconds"),
        s => format!("{} minutes", s.div_ceil(60)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_pieces() {
        // RFC 7636 appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            base64url(&Sha256::digest(verifier.as_bytes())),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(b"foo"), "Zm9v");
        let v = code_verifier().unwrap();
        assert_eq!(v.len(), 64);
        assert!(
            v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
        );
        assert_ne!(v, code_verifier().unwrap());
        let u = uuid4().unwrap();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"), "{u}");
    }

    #[test]
    fn origin_drops_the_path() {
        assert_eq!(origin("http://127.0.0.1:9/base/x"), "http://127.0.0.1:9");
        assert_eq!(
            origin("https://oidc.us-east-1.amazonaws.com"),
            "https://oidc.us-east-1.amazonaws.com"
        );
    }

    #[test]
    fn query_values_are_decoded() {
        assert_eq!(percent_decode("a%20b+c%2F"), "a b c/");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
