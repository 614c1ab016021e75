//! The whole job: a remote in, a signed URL out.
//!
//! See [`Resolver`] for the order of the steps and the errors of each.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

use crate::config::{self, ProfileSource, SharedConfig};
use crate::credentials::{
    ChainContext, CredentialChain, Credentials, Resolved, Reuse, Source, Tried,
};
use crate::endpoint::{GitHost, Region};
use crate::env::{Environment, OsEnvironment, Platform};
use crate::error::{Error, ErrorKind, MAX_SHOWN, shown};
use crate::remote::{RegionSource, RemoteParts, RepositoryName};
use crate::sign::{SignedUrl, Signer, SigningTime, UrlRequest};

/// Resolves `codecommit://` remotes to signed URLs against one [`Environment`].
///
/// It runs the modules in the order git-remote-codecommit runs its steps
/// (`reference/behavior.md` §0), because when several things are wrong at once the
/// order decides which error the user sees:
///
/// 1. the remote's scheme and authority ([`MalformedRemote`](ErrorKind::MalformedRemote));
/// 2. both shared files are parsed ([`ConfigParse`](ErrorKind::ConfigParse)) and the
///    profile is checked ([`ProfileNotFound`](ErrorKind::ProfileNotFound));
/// 3. the region ([`MalformedRemote`](ErrorKind::MalformedRemote) for a scheme that is no
///    region, [`RegionNotFound`](ErrorKind::RegionNotFound),
///    [`RegionNotAvailable`](ErrorKind::RegionNotAvailable));
/// 4. the repository name and the host (our additions:
///    [`InvalidRepositoryName`](ErrorKind::InvalidRepositoryName),
///    [`FipsNotAvailable`](ErrorKind::FipsNotAvailable)) — before credentials, so a typo
///    never costs an SSO or STS round trip;
/// 5. credentials, through the provider chain
///    ([`CredentialsNotFound`](ErrorKind::CredentialsNotFound) and the providers' own);
/// 6. signing.
///
/// The shared config and credentials files are parsed on first use and kept; call
/// [`Resolver::reload`] after they change. Derived signing keys are cached across calls.
///
/// [`Resolver::signed_url`] and [`Resolver::signed_url_at`] also keep each remote's
/// resolution (profile, region, host and credentials), so signing a remote again costs
/// little more than the signature. The environment variables and the credential
/// provider's files (the SSO and CLI caches) are then not read again for that remote
/// until [`Resolver::reload`], or until its credentials come within 17 minutes of
/// expiring: the longest refresh window of any provider (botocore refreshes credentials
/// 15 minutes before they expire, the CLI cache counts entries with less than 15 minutes
/// left as stale, and instance metadata credentials are refreshed 15 minutes plus a
/// jitter of at least 2 before). Within that window the chain runs again on every call
/// and its own rules decide. Credentials without an expiry (static keys) are kept until
/// [`Resolver::reload`]. Nothing is kept for a resolver with a credentials callback
/// ([`Resolver::with_credentials_callback`]): the application's callback is asked every
/// time; nor credentials from the container endpoint, instance metadata or a web
/// identity token, whose providers run on every call (the platform rotates what they
/// read). Failures are never kept. [`Resolver::resolve`] always runs every step.
///
/// A `Resolver` is `Send + Sync`: share one between threads.
///
/// ```
/// use codecommit_auth::{Resolver, SigningTime};
/// use codecommit_auth::env::MemoryEnvironment;
///
/// let env = MemoryEnvironment::new()
///     .with_var("HOME", "/home/dev")
///     .with_file("/home/dev/.aws/config", "[profile demo]\nregion = us-east-2\n")
///     .with_file(
///         "/home/dev/.aws/credentials",
///         "[demo]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n\
///          aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
///     );
/// let resolver = Resolver::with_environment(env);
/// let url = resolver.signed_url_at(
///     "codecommit://demo@MyRepositoryName",
///     SigningTime::parse("20240601T120000")?,
/// )?;
/// assert_eq!(
///     url.as_str(),
///     "https://AKIAIOSFODNN7EXAMPLE:20240601T120000Z3771d71042efad2edbd1502fdf6c19ca\
///      745870fe3459ca0c365bedc0462268fa@git-codecommit.us-east-2.amazonaws.com/v1/repos/MyRepositoryName"
/// );
/// # Ok::<(), codecommit_auth::Error>(())
/// ```
#[derive(Debug)]
pub struct Resolver<E = OsEnvironment> {
    env: E,
    config: Mutex<Option<Arc<SharedConfig>>>,
    chain: CredentialChain,
    signer: Signer,
    /// Resolutions by remote, for [`Resolver::signed_url_at`]; `None` when a credentials
    /// callback makes every resolution the application's to decide.
    resolutions: Option<Mutex<HashMap<String, Arc<Resolution>>>>,
    /// The application's MFA callback ([`Resolver::with_mfa_callback`]); the C ABI can
    /// replace it on a shared resolver, and calls already running keep theirs.
    mfa: RwLock<Option<Arc<crate::credentials::mfa::Hook>>>,
}

/// A kept resolution is used only while its credentials have more than this left.
pub(crate) const RESOLUTION_FRESH_FOR: Duration = Duration::from_secs(17 * 60);

/// At most this many remotes' resolutions are kept; past it the map starts over, so a
/// host signing arbitrary remotes holds a bounded number of credentials.
const MAX_RESOLUTIONS: usize = 64;

impl Resolver<OsEnvironment> {
    /// A resolver for the running process: its variables, files and clock.
    pub fn new() -> Resolver<OsEnvironment> {
        Resolver::with_environment(OsEnvironment::new())
    }
}

impl Default for Resolver<OsEnvironment> {
    fn default() -> Self {
        Resolver::new()
    }
}

impl<E: Environment> Resolver<E> {
    /// A resolver that sees the world through `env`.
    pub fn with_environment(env: E) -> Resolver<E> {
        Resolver {
            env,
            config: Mutex::new(None),
            chain: CredentialChain::botocore(),
            signer: Signer::new(),
            resolutions: Some(Mutex::new(HashMap::new())),
            mfa: RwLock::new(None),
        }
    }

    /// Asks `callback` for credentials before any other source, with the selected
    /// profile's name; when it returns `Ok(None)`, the usual chain runs.
    ///
    /// This is how an application that already holds credentials (from its own login
    /// flow, a vault, a parent process) uses the resolver for everything else.
    ///
    /// ```
    /// use codecommit_auth::{Resolver, SigningTime};
    /// use codecommit_auth::credentials::Credentials;
    /// use codecommit_auth::env::MemoryEnvironment;
    ///
    /// let env = MemoryEnvironment::new().with_var("AWS_DEFAULT_REGION", "us-east-1");
    /// let resolver = Resolver::with_environment(env).with_credentials_callback(|profile| {
    ///     assert_eq!(profile, "default");
    ///     Ok(Some(Credentials::new("AKIDAPP", "app-secret", None, None, "my-app")))
    /// });
    /// let url = resolver.signed_url_at("codecommit://Repo", SigningTime::from_unix(0)?)?;
    /// assert!(url.as_str().starts_with("https://AKIDAPP:19700101T000000Z"));
    /// # Ok::<(), codecommit_auth::Error>(())
    /// ```
    pub fn with_credentials_callback<F>(mut self, callback: F) -> Resolver<E>
    where
        F: Fn(&str) -> Result<Option<Credentials>, Error> + Send + Sync + 'static,
    {
        self.chain
            .prepend(Box::new(crate::credentials::Callback(Box::new(callback))));
        self.resolutions = None;
        self
    }

    /// Asks `callback` for the MFA code of a role with `mfa_serial` when no cached
    /// session serves it, with the role's profile and its `mfa_serial`: instead of an
    /// askpass program (`GIT_ASKPASS`, git's `core.askPass`, `SSH_ASKPASS`) or the
    /// controlling terminal, which a resolver asks otherwise (botocore prompts on the
    /// terminal). Return `Ok(Some(code))`, `Ok(None)` to give none (the call fails with
    /// [`ErrorKind::MfaRequired`]), or an error to fail with.
    ///
    /// The code is sent to STS as `TokenCode` and wiped; the role's credentials go to
    /// the AWS CLI's cache (`~/.aws/cli/cache`), so neither this resolver nor the AWS
    /// CLI asks again until they expire. A code STS refuses fails the call with
    /// [`ErrorKind::MfaRequired`], saying so. The callback may be called from any thread
    /// that uses the resolver.
    ///
    /// ```
    /// use codecommit_auth::Resolver;
    /// use codecommit_auth::env::MemoryEnvironment;
    ///
    /// let resolver = Resolver::with_environment(MemoryEnvironment::new())
    ///     .with_mfa_callback(|profile, serial| {
    ///         // Ask the person in the application's own window.
    ///         let _ = (profile, serial);
    ///         Ok(Some("123456".to_owned()))
    ///     });
    /// # let _ = resolver;
    /// ```
    pub fn with_mfa_callback<F>(self, callback: F) -> Resolver<E>
    where
        F: Fn(&str, &str) -> Result<Option<String>, Error> + Send + Sync + 'static,
    {
        self.set_mfa_callback(Some(Box::new(callback)));
        self
    }

    /// Replaces the MFA callback (`None`: ask as without one); calls already running
    /// finish with the one they started with.
    pub(crate) fn set_mfa_callback(&self, callback: Option<Box<crate::credentials::MfaCallback>>) {
        *self.mfa.write().unwrap_or_else(|e| e.into_inner()) =
            callback.map(|c| Arc::new(crate::credentials::mfa::Hook(c)));
    }

    /// The environment this resolver reads.
    pub fn environment(&self) -> &E {
        &self.env
    }

    /// Forgets the parsed shared files, the kept resolutions and the cached signing keys,
    /// so the next call reads the files and the environment again.
    pub fn reload(&self) {
        *self.config.lock().unwrap_or_else(|e| e.into_inner()) = None;
        if let Some(resolutions) = &self.resolutions {
            lock(resolutions).clear();
        }
        self.signer.clear_cache();
    }

    /// Both shared files, parsed on first use.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::ConfigRead`] or [`ErrorKind::ConfigParse`]. Failures are not cached:
    /// the next call tries again.
    pub fn config(&self) -> Result<Arc<SharedConfig>, Error> {
        let mut slot = self.config.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(config) = &*slot {
            return Ok(Arc::clone(config));
        }
        let config = Arc::new(SharedConfig::load(&self.env)?);
        *slot = Some(Arc::clone(&config));
        Ok(config)
    }

    /// A signed URL for `remote`, signed now.
    ///
    /// # Errors
    ///
    /// Any [`ErrorKind`] of the steps listed on [`Resolver`], plus
    /// [`ErrorKind::InvalidSigningTime`] if the clock is outside 1970–9999.
    pub fn signed_url(&self, remote: &str) -> Result<SignedUrl, Error> {
        let time = SigningTime::from_system_time(self.env.now())?;
        self.signed_url_at(remote, time)
    }

    /// A signed URL for `remote`, signed at `time`.
    ///
    /// # Errors
    ///
    /// As [`Resolver::signed_url`].
    pub fn signed_url_at(&self, remote: &str, time: SigningTime) -> Result<SignedUrl, Error> {
        let Some(resolutions) = &self.resolutions else {
            return Ok(self.resolve(remote)?.sign_with(&self.signer, time));
        };
        let now = self.env.now();
        let kept = lock(resolutions).get(remote).map(Arc::clone);
        if let Some(resolution) = kept.filter(|r| r.fresh_at(now)) {
            return Ok(resolution.sign_with(&self.signer, time));
        }
        let resolution = Arc::new(self.resolve(remote)?);
        if resolution.fresh_at(now) && resolution.credentials.source.reuse() == Reuse::UntilExpiry {
            let mut map = lock(resolutions);
            if map.len() >= MAX_RESOLUTIONS && !map.contains_key(remote) {
                map.clear();
            }
            map.insert(remote.to_owned(), Arc::clone(&resolution));
        }
        Ok(resolution.sign_with(&self.signer, time))
    }

    /// Everything but the signature: profile, region, repository, host and credentials,
    /// each with where it came from.
    ///
    /// # Errors
    ///
    /// As [`Resolver::signed_url`], less the signing-time error.
    pub fn resolve(&self, remote: &str) -> Result<Resolution, Error> {
        self.resolve_request(&Request::parse(remote)?)
    }

    /// As [`Resolver::resolve`], for a request: [`Resolver::locate`], then
    /// [`Resolver::credentials`].
    ///
    /// # Errors
    ///
    /// As [`Resolver::resolve`].
    pub fn resolve_request(&self, request: &Request) -> Result<Resolution, Error> {
        self.credentials(&self.locate(request)?)
    }

    /// Steps 2 to 4 in the reference's order: everything but the credentials — the
    /// profile and why, the region and where it came from, the repository, the host and
    /// why. Nothing here goes over the network or runs a process.
    ///
    /// ```
    /// use codecommit_auth::{ProfileSource, RegionFrom, Request, Resolver};
    /// use codecommit_auth::env::MemoryEnvironment;
    ///
    /// let env = MemoryEnvironment::new()
    ///     .with_var("HOME", "/home/dev")
    ///     .with_var("AWS_PROFILE", "dev")
    ///     .with_file("/home/dev/.aws/config", "[profile dev]\nregion = eu-west-1\n");
    /// let resolver = Resolver::with_environment(env);
    /// let located = resolver.locate(&Request::parse("codecommit://ProjectAlpha")?)?;
    /// assert_eq!(located.profile(), "dev");
    /// assert_eq!(located.profile_source(), ProfileSource::AwsProfile);
    /// assert_eq!(located.region_from(), RegionFrom::Profile);
    /// assert_eq!(located.host().as_str(), "git-codecommit.eu-west-1.amazonaws.com");
    /// // No credentials anywhere: only the next stage says so.
    /// assert!(resolver.credentials(&located).is_err());
    /// # Ok::<(), codecommit_auth::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The errors of steps 2 to 4 listed on [`Resolver`] (for a parsed remote, the
    /// region part of [`ErrorKind::MalformedRemote`] and the repository name too).
    pub fn locate(&self, request: &Request) -> Result<Location, Error> {
        // 2. Files and profile.
        let config = self.config()?;
        let (profile, profile_source) = match request.profile.as_deref() {
            Some(name) => {
                if config.profile(name).is_none() {
                    return Err(profile_not_found(&self.env, name, &config));
                }
                (name.to_owned(), ProfileSource::Remote)
            }
            None => {
                let (name, source) = config::profile_from_env(&self.env);
                // BOTOCORE: a profile selected by a variable must exist, even `default`;
                // the implicit `default` may be absent (§1.4).
                if let Some(variable) = source.variable()
                    && config.profile(&name).is_none()
                {
                    return Err(env_profile_not_found(&self.env, &name, variable, &config));
                }
                (name, source)
            }
        };
        // git-remote-codecommit names `default` in its messages whenever the remote had
        // no profile, even when a variable chose another.
        let message_profile = request.profile.as_deref().unwrap_or("default");
        let merged = config.profile(&profile);

        // 3. Region.
        let named_region = match (&request.parts, request.region) {
            (_, Some(region)) => Some(region),
            (Parts::Remote(parts), None) => match parts.region_source()? {
                RegionSource::Remote(name) => Some(Region::new(&name)?),
                RegionSource::Profile => None,
            },
            (Parts::Typed(_), None) => None,
        };
        let (region, region_from) = match named_region {
            Some(region) => (region, RegionFrom::Remote),
            None => {
                // BOTOCORE: AWS_DEFAULT_REGION counts when set at all, even empty;
                // AWS_REGION is not read (§1.5, §10 items 2-3).
                let (value, from) = match self.env.var("AWS_DEFAULT_REGION") {
                    Some(v) => (Some(v), RegionFrom::AwsDefaultRegion),
                    None => (
                        merged.and_then(|p| p.get("region")).map(str::to_owned),
                        RegionFrom::Profile,
                    ),
                };
                match value.filter(|v| !v.is_empty()) {
                    Some(v) => (Region::new(&v)?, from),
                    None => {
                        return Err(region_not_found(&self.env, message_profile, &config));
                    }
                }
            }
        };

        // 4. Repository and host.
        let repository = match &request.parts {
            Parts::Remote(parts) => parts.repository()?,
            Parts::Typed(repository) => repository.clone(),
        };
        let host = match &request.host {
            Some(host) => GitHost::named(host.clone()),
            None => GitHost::resolve(&self.env, merged, region)?,
        };
        let profile_note = match profile_source {
            ProfileSource::AwsDefaultProfile => profile_variables_note(&self.env),
            ProfileSource::Remote | ProfileSource::AwsProfile | ProfileSource::Default => None,
        };
        Ok(Location {
            remote: match &request.parts {
                Parts::Remote(parts) => Some(parts.original.clone()),
                Parts::Typed(_) => None,
            },
            profile,
            profile_source,
            profile_note,
            region,
            region_from,
            repository,
            host,
            config,
        })
    }

    /// Step 5: the credentials for a located request, through the provider chain.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::CredentialsNotFound`] and the providers' own errors.
    pub fn credentials(&self, location: &Location) -> Result<Resolution, Error> {
        let config = &location.config;
        let named = location.profile_source == ProfileSource::Remote;
        let tried = Tried::default();
        // botocore's `verify`: a CA bundle replaces the trust store for every HTTPS call
        // the chain makes (`env::trust`).
        let trusting =
            crate::env::TrustingEnvironment::for_profile(&self.env, config, &location.profile);
        let env: &dyn Environment = match &trusting {
            Some(t) => t,
            None => &self.env,
        };
        let mfa = self.mfa.read().unwrap_or_else(|e| e.into_inner()).clone();
        let ctx = ChainContext {
            env,
            config,
            profile: &location.profile,
            top_profile: &location.profile,
            disable_env_vars: named,
            tried: &tried,
            mfa: mfa.as_deref().map(|hook| &*hook.0),
        };
        let message_profile = if named { &location.profile } else { "default" };
        let credentials = self
            .chain
            .resolve(&ctx)?
            .ok_or_else(|| credentials_not_found(&self.env, message_profile, &tried, config))?;
        Ok(Resolution {
            location: location.clone(),
            credentials,
        })
    }
}

/// What to resolve: a `codecommit://` remote ([`Request::parse`]), or the parts of one
/// that a front end already holds ([`Request::new`]), such as
/// `git-credential-codecommit`, which takes the region from git's host and the
/// repository from git's path.
///
/// Built from typed parts, no text of one part (an `@` in a path, say) can become
/// another (the profile).
///
/// ```
/// use codecommit_auth::{Region, RepositoryName, Request};
///
/// let request = Request::new(RepositoryName::new("ProjectAlpha")?)
///     .with_profile("dev")
///     .with_region(Region::new("eu-west-1")?);
/// # let _ = request;
/// # Ok::<(), codecommit_auth::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Request {
    parts: Parts,
    /// The profile as if the remote had named it.
    profile: Option<String>,
    /// The region as if the remote had named it.
    region: Option<Region>,
    /// A host to use verbatim.
    host: Option<String>,
}

/// Where the repository (and, for a remote, the region) of a [`Request`] come from.
#[derive(Clone, Debug)]
enum Parts {
    /// A remote's text: its region and repository are checked at their own steps.
    Remote(RemoteParts),
    /// A repository name, checked already.
    Typed(RepositoryName),
}

impl Request {
    /// A request for `repository`, in the profile and region the environment selects
    /// (as a remote `codecommit://repository` would be).
    pub fn new(repository: RepositoryName) -> Request {
        Request {
            parts: Parts::Typed(repository),
            profile: None,
            region: None,
            host: None,
        }
    }

    /// A request from a `codecommit://` remote: its scheme and authority are checked now
    /// (step 1); its region and repository name at their own steps, as the reference
    /// orders them.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::MalformedRemote`].
    pub fn parse(remote: &str) -> Result<Request, Error> {
        let parts = RemoteParts::parse(remote)?;
        Ok(Request {
            profile: parts.profile.clone(),
            parts: Parts::Remote(parts),
            region: None,
            host: None,
        })
    }

    /// Uses the profile `name` as if the remote had named it, so environment
    /// credentials are not read (as with the AWS CLI's `--profile`). Without it the
    /// profile comes from `AWS_DEFAULT_PROFILE`, `AWS_PROFILE` or is `default`.
    pub fn with_profile(mut self, name: impl Into<String>) -> Request {
        self.profile = Some(name.into());
        self
    }

    /// Uses `region` as if the remote had named it. Without it the region comes from
    /// `AWS_DEFAULT_REGION` or the profile (or, for a parsed remote, from the remote).
    pub fn with_region(mut self, region: Region) -> Request {
        self.region = Some(region);
        self
    }

    /// Signs for `host`, verbatim ([`HostSource::Request`](crate::endpoint::HostSource::Request)), rather than the host the
    /// region, `CODE_COMMIT_ENDPOINT` and the FIPS settings give: the host git already
    /// chose, for a credential helper.
    pub fn with_host(mut self, host: impl Into<String>) -> Request {
        self.host = Some(host.into());
        self
    }
}

/// A request resolved up to the credentials ([`Resolver::locate`]).
///
/// It holds no secrets; [`Location::explain`] describes it.
#[derive(Clone, Debug)]
pub struct Location {
    /// The `codecommit://` remote, when the request was one.
    remote: Option<String>,
    profile: String,
    profile_source: ProfileSource,
    profile_note: Option<String>,
    region: Region,
    region_from: RegionFrom,
    repository: RepositoryName,
    host: GitHost,
    /// The parsed files this was located in, for the credentials stage.
    config: Arc<SharedConfig>,
}

impl Location {
    /// The profile used.
    pub fn profile(&self) -> &str {
        &self.profile
    }

    /// How the profile was chosen.
    pub fn profile_source(&self) -> ProfileSource {
        self.profile_source
    }

    /// When `AWS_DEFAULT_PROFILE` chose the profile and `AWS_PROFILE` is set to another
    /// name: a sentence saying which won, and that the AWS CLI v2 (which reads
    /// `AWS_PROFILE` first) would use the other. `None` otherwise.
    pub fn profile_note(&self) -> Option<&str> {
        self.profile_note.as_deref()
    }

    /// The repository's region, which is also the signing region.
    pub fn region(&self) -> Region {
        self.region
    }

    /// Where the region came from.
    pub fn region_from(&self) -> RegionFrom {
        self.region_from
    }

    /// Where the region came from, for people: `named in the remote`,
    /// `from AWS_DEFAULT_REGION`, `region of profile NAME`.
    pub fn region_why(&self) -> String {
        match self.region_from {
            RegionFrom::Remote => "named in the remote".to_owned(),
            RegionFrom::AwsDefaultRegion => "from AWS_DEFAULT_REGION".to_owned(),
            RegionFrom::Profile => format!("region of profile {}", self.profile),
        }
    }

    /// The repository.
    pub fn repository(&self) -> &RepositoryName {
        &self.repository
    }

    /// The shared files this location was found in.
    pub(crate) fn shared_config(&self) -> &SharedConfig {
        &self.config
    }

    /// The Git host.
    pub fn host(&self) -> &GitHost {
        &self.host
    }

    /// A description for people, one `name: value` line per fact: the remote, which
    /// profile and why, the region and where it came from, the repository and the host.
    pub fn explain(&self) -> String {
        let mut out = String::new();
        self.explain_into(&mut |name, value| {
            let _ = writeln!(out, "{name:<12} {value}");
        });
        out
    }

    fn explain_into(&self, line: &mut dyn FnMut(&str, &dyn std::fmt::Display)) {
        if let Some(remote) = &self.remote {
            line("remote", remote);
        }
        line(
            "profile",
            &format_args!("{} ({})", self.profile, self.profile_source.why()),
        );
        if let Some(note) = &self.profile_note {
            line("", &format_args!("note: {note}"));
        }
        line(
            "region",
            &format_args!("{} ({})", self.region, self.region_why()),
        );
        line("repository", &self.repository);
        line(
            "host",
            &format_args!("{} ({})", self.host, self.host.source().why()),
        );
    }
}

/// Where the region came from.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegionFrom {
    /// The remote, `REGION://…` or `codecommit::REGION://…`, or the front end's
    /// [`Request`].
    Remote,
    /// The `AWS_DEFAULT_REGION` variable.
    AwsDefaultRegion,
    /// The profile's `region` key.
    Profile,
}

/// A remote resolved to everything needed to sign it: a [`Location`] and credentials.
///
/// It holds credentials, so it has no `Display`; its `Debug` redacts secrets, and
/// [`Resolution::explain`] describes it without any.
#[derive(Clone, Debug)]
pub struct Resolution {
    location: Location,
    credentials: Resolved,
}

impl Resolution {
    /// Everything but the credentials.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// The profile used.
    pub fn profile(&self) -> &str {
        self.location.profile()
    }

    /// How the profile was chosen.
    pub fn profile_source(&self) -> ProfileSource {
        self.location.profile_source()
    }

    /// As [`Location::profile_note`].
    pub fn profile_note(&self) -> Option<&str> {
        self.location.profile_note()
    }

    /// The repository's region, which is also the signing region.
    pub fn region(&self) -> Region {
        self.location.region()
    }

    /// Where the region came from.
    pub fn region_from(&self) -> RegionFrom {
        self.location.region_from()
    }

    /// The repository.
    pub fn repository(&self) -> &RepositoryName {
        self.location.repository()
    }

    /// The Git host.
    pub fn host(&self) -> &GitHost {
        self.location.host()
    }

    /// The credentials that sign the URL.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials.credentials
    }

    /// Which provider found the credentials.
    pub fn credential_source(&self) -> &Source {
        &self.credentials.source
    }

    /// Whether a kept copy may still be used at `now`: its credentials do not expire, or
    /// have more than [`RESOLUTION_FRESH_FOR`] left.
    fn fresh_at(&self, now: SystemTime) -> bool {
        self.credentials.credentials.expiry().is_none_or(|expiry| {
            expiry
                .duration_since(now)
                .is_ok_and(|left| left > RESOLUTION_FRESH_FOR)
        })
    }

    /// Signs the URL at `time` with a fresh key (no cache).
    pub fn sign(&self, time: SigningTime) -> SignedUrl {
        self.sign_with(&Signer::new(), time)
    }

    /// Signs the URL at `time` with `signer`'s key cache.
    pub fn sign_with(&self, signer: &Signer, time: SigningTime) -> SignedUrl {
        let creds = &self.credentials.credentials;
        signer.sign(&UrlRequest {
            access_key_id: creds.access_key_id(),
            secret_access_key: creds.secret_access_key(),
            session_token: creds.session_token(),
            region: self.location.region.name(),
            host: self.location.host.as_str(),
            repository: &self.location.repository,
            time,
        })
    }

    /// A description for people, one `name: value` line per fact, with no secrets: which
    /// profile and why, the region and where it came from, the host, the credential
    /// source, access key id, account and expiry.
    pub fn explain(&self) -> String {
        let mut out = String::new();
        let mut line = |name: &str, value: &dyn std::fmt::Display| {
            let _ = writeln!(out, "{name:<12} {value}");
        };
        self.location.explain_into(&mut line);
        line("credentials", &self.credentials.source);
        let creds = &self.credentials.credentials;
        line("access key", &creds.access_key_id());
        if let Some(account) = creds.account_id() {
            line("account", &account.as_str());
        }
        line(
            "session",
            &if creds.session_token().is_some_and(|t| !t.is_empty()) {
                "temporary (has a session token)"
            } else {
                "long-term keys"
            },
        );
        match creds.expiry() {
            Some(t) => line("expires", &crate::credentials::timestamp::format_utc(t)),
            None => line("expires", &"never"),
        }
        out
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Poisoned only if a thread panicked while inserting; the map is still whole.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// git-remote-codecommit's `ProfileNotFound`, plus [`notes`].
///
/// DIFFERENCE: with no profile at all, "Available profiles are: ." becomes a sentence
/// saying so and where we looked. BOTOCORE: the reference joins the (empty) list of
/// names, `Available profiles are: . Either use one of …`.
#[cold]
pub(crate) fn profile_not_found(env: &dyn Environment, name: &str, config: &SharedConfig) -> Error {
    let name = shown(name, MAX_SHOWN);
    let available = available(env, config);
    Error::new(
        ErrorKind::ProfileNotFound,
        format!(
            "The following profile was not found: {name}. {available} Either use one of the \
             available profiles, or create an AWS CLI profile to use and then try again. For \
             more information, see Configure an AWS CLI Profile in the AWS CLI User Guide.{}",
            notes(env, config, false)
        ),
    )
}

/// botocore's `ProfileNotFound` (the reference crashes with it), plus what to do and
/// [`notes`] (which here include the profile variables').
#[cold]
fn env_profile_not_found(
    env: &dyn Environment,
    name: &str,
    variable: &str,
    config: &SharedConfig,
) -> Error {
    let name = shown(name, MAX_SHOWN);
    let available = available(env, config);
    Error::new(
        ErrorKind::ProfileNotFound,
        format!(
            "The config profile ({name}) could not be found; {variable} selects it. \
             {available} Set {variable} to one of them, or unset it{}",
            notes(env, config, true)
        ),
    )
}

/// The profile names for a not-found message, each escaped and bounded (they come from
/// the files, which can hold anything) — or, with none, where we looked.
fn available(env: &dyn Environment, config: &SharedConfig) -> String {
    let names = config.profile_names();
    if names.is_empty() {
        return no_profiles(env, config);
    }
    let names: Vec<_> = names.into_iter().map(|n| shown(n, MAX_SHOWN)).collect();
    format!("Available profiles are: {}.", names.join(", "))
}

/// One of the two shared files, for the messages: which, the variable that can name it,
/// where [`config::locate`] finds it now, and whether that is the file that was read.
struct SharedFile {
    which: &'static str,
    var: &'static str,
    located: Option<std::path::PathBuf>,
    read: bool,
}

#[cold]
fn shared_files(env: &dyn Environment, config: &SharedConfig) -> [SharedFile; 2] {
    let found = config::locate(env);
    let file = |which, var, located: Option<std::path::PathBuf>, path: Option<&std::path::Path>| {
        let read = located.is_some() && located.as_deref() == path;
        SharedFile {
            which,
            var,
            located,
            read,
        }
    };
    [
        file(
            "config",
            "AWS_CONFIG_FILE",
            found.config,
            config.config_path(),
        ),
        file(
            "credentials",
            "AWS_SHARED_CREDENTIALS_FILE",
            found.credentials,
            config.credentials_path(),
        ),
    ]
}

/// "No profiles were found" and where we looked: each file's path, where the path came
/// from, and what was there.
#[cold]
fn no_profiles(env: &dyn Environment, config: &SharedConfig) -> String {
    let mut looked = Vec::new();
    for SharedFile {
        which,
        var,
        located,
        read,
    } in shared_files(env, config)
    {
        let from = match env.var(var) {
            Some(_) => format!("from {var}"),
            None => "the default".to_owned(),
        };
        looked.push(match located {
            None => format!("no {which} file ({var} is empty)"),
            Some(path) => {
                let what = match read {
                    true => "no profiles in it",
                    false => "not found",
                };
                format!("{} ({from}; {what})", shown_path(&path))
            }
        });
    }
    format!(
        "No profiles were found: looked in {}.",
        looked.join(" and ")
    )
}

/// What the user should know about the shared files and the profile variables when a
/// profile, region or credentials are missing, as ` Note: …; ….` after the message (or
/// nothing): a file that `AWS_CONFIG_FILE` or `AWS_SHARED_CREDENTIALS_FILE` names but
/// that is not there, an empty such variable, default files looked for without a home
/// directory (`HOME` unset or empty), and with `profile_variables` the two profile
/// variables disagreeing.
// DIFFERENCE: the reference's message ends before the note. BOTOCORE: a missing file is
// read as an empty one, without a word (behavior.md §3.1).
#[cold]
fn notes(env: &dyn Environment, config: &SharedConfig, profile_variables: bool) -> String {
    let home_var = match env.platform() {
        Platform::Unix => "HOME",
        Platform::Windows => "USERPROFILE",
    };
    let home = match env.var(home_var) {
        None => Some("is not set"),
        Some(v) if v.is_empty() => Some("is empty"),
        Some(_) => None,
    };
    let mut notes = Vec::new();
    for SharedFile {
        which,
        var,
        located,
        read,
    } in shared_files(env, config)
    {
        match (env.var(var), located) {
            (_, Some(_)) if read => {}
            (Some(_), None) => notes.push(format!("{var} is empty, so no {which} file is read")),
            (Some(_), Some(path)) => notes.push(format!(
                "{var} names {}, which does not exist or is not a file",
                shown_path(&path)
            )),
            (None, Some(path)) => {
                if let Some(state) = home {
                    notes.push(format!(
                        "{home_var} {state}, so the {which} file was looked for at {}, which \
                         does not exist or is not a file",
                        shown_path(&path)
                    ));
                }
            }
            (None, None) => {}
        }
    }
    if profile_variables {
        notes.extend(profile_variables_note(env));
    }
    if notes.is_empty() {
        String::new()
    } else {
        format!(" Note: {}.", notes.join("; "))
    }
}

/// When `AWS_DEFAULT_PROFILE` and `AWS_PROFILE` are both set and differ: which one we
/// used and what the AWS CLI v2 would use.
// BOTOCORE: behavior.md §3.5 — botocore and git-remote-codecommit read
// AWS_DEFAULT_PROFILE first (so do we); the AWS CLI v2 reads AWS_PROFILE first, and an
// empty AWS_PROFILE there is a profile named "".
fn profile_variables_note(env: &dyn Environment) -> Option<String> {
    let default = env.var("AWS_DEFAULT_PROFILE")?;
    let profile = env.var("AWS_PROFILE")?;
    (default != profile).then(|| {
        format!(
            "AWS_DEFAULT_PROFILE ('{}') was used, not AWS_PROFILE ('{}'): git-remote-codecommit \
             and botocore (and the AWS CLI v1) read AWS_DEFAULT_PROFILE first, the AWS CLI v2 \
             reads AWS_PROFILE first and would use '{}'",
            shown(&default, MAX_SHOWN),
            shown(&profile, MAX_SHOWN),
            shown(&profile, MAX_SHOWN)
        )
    })
}

fn shown_path(path: &std::path::Path) -> String {
    shown(&path.to_string_lossy(), MAX_SHOWN).into_owned()
}

/// git-remote-codecommit's `RegionNotFound`, plus [`notes`].
#[cold]
fn region_not_found(env: &dyn Environment, profile: &str, config: &SharedConfig) -> Error {
    let profile = shown(profile, MAX_SHOWN);
    Error::new(
        ErrorKind::RegionNotFound,
        format!(
            "The following profile does not have an AWS Region: {profile}. You must set an AWS \
             Region for this profile. For more information, see Configure An AWS CLI Profile in \
             the AWS CLI User Guide.{}",
            notes(env, config, false)
        ),
    )
}

/// git-remote-codecommit's `CredentialsNotFound`, word for word, then what the chain
/// looked at: ` (tried: environment variables, …)`, then [`notes`].
#[cold]
fn credentials_not_found(
    env: &dyn Environment,
    profile: &str,
    tried: &Tried,
    config: &SharedConfig,
) -> Error {
    let profile = shown(profile, MAX_SHOWN);
    let tried = tried
        .since(0)
        .map(|t| format!(" (tried: {t})"))
        .unwrap_or_default();
    Error::new(
        ErrorKind::CredentialsNotFound,
        format!(
            "The following profile does not have credentials configured: {profile}. You must \
             configure the access key and secret key for the profile. For more information, \
             see Configure an AWS CLI Profile in the AWS CLI User Guide.{tried}{}",
            notes(env, config, false)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoint::HostSource;
    use crate::env::MemoryEnvironment;

    const REGION_NOT_FOUND: &str = "The following profile does not have an AWS Region: \
        default. You must set an AWS Region for this profile. For more information, see \
        Configure An AWS CLI Profile in the AWS CLI User Guide.";
    const KEYS: &str = "[default]\naws_access_key_id = AKIDNOTES\naws_secret_access_key = s\n\
                        [dev]\naws_access_key_id = AKIDNOTES\naws_secret_access_key = s\n";

    fn error(env: MemoryEnvironment, remote: &str) -> Error {
        Resolver::with_environment(env).resolve(remote).unwrap_err()
    }

    fn home() -> MemoryEnvironment {
        MemoryEnvironment::new().with_var("HOME", "/home/dev")
    }

    #[test]
    fn a_named_config_file_that_is_missing_is_named() {
        let env = home()
            .with_var("AWS_CONFIG_FILE", "/nope/config")
            .with_file("/home/dev/.aws/credentials", KEYS);
        let err = error(env, "codecommit://Repo");
        assert_eq!(err.kind(), ErrorKind::RegionNotFound);
        assert_eq!(
            err.to_string(),
            format!(
                "{REGION_NOT_FOUND} Note: AWS_CONFIG_FILE names /nope/config, which does not \
                 exist or is not a file."
            )
        );
    }

    #[test]
    fn a_named_credentials_file_that_is_missing_is_named() {
        let env = home()
            .with_var("AWS_DEFAULT_REGION", "us-east-1")
            .with_var("AWS_SHARED_CREDENTIALS_FILE", "/nope/credentials")
            .with_file("/home/dev/.aws/config", "[default]\n");
        let err = error(env, "codecommit://Repo");
        assert_eq!(err.kind(), ErrorKind::CredentialsNotFound);
        let text = err.to_string();
        assert!(
            text.starts_with("The following profile does not have credentials configured"),
            "{text}"
        );
        assert!(
            text.ends_with(
                ") Note: AWS_SHARED_CREDENTIALS_FILE names /nope/credentials, which does not \
                 exist or is not a file."
            ),
            "{text}"
        );
    }

    #[test]
    fn two_notes_and_an_empty_variable() {
        let env = home()
            .with_var("AWS_CONFIG_FILE", "")
            .with_var("AWS_SHARED_CREDENTIALS_FILE", "/nope/credentials");
        let err = error(env, "codecommit::us-east-1://Repo");
        assert_eq!(err.kind(), ErrorKind::CredentialsNotFound);
        assert!(
            err.to_string().ends_with(
                " Note: AWS_CONFIG_FILE is empty, so no config file is read; \
                 AWS_SHARED_CREDENTIALS_FILE names /nope/credentials, which does not exist or \
                 is not a file."
            ),
            "{err}"
        );
    }

    #[test]
    fn default_files_without_a_home_say_so() {
        // HOME unset (and no account home in this environment): `~` stays.
        let err = error(MemoryEnvironment::new(), "codecommit://Repo");
        assert_eq!(err.kind(), ErrorKind::RegionNotFound);
        assert_eq!(
            err.to_string(),
            format!(
                "{REGION_NOT_FOUND} Note: HOME is not set, so the config file was looked for \
                 at ~/.aws/config, which does not exist or is not a file; HOME is not set, so \
                 the credentials file was looked for at ~/.aws/credentials, which does not \
                 exist or is not a file."
            )
        );
        // HOME empty: Python's expanduser makes `~/.aws/config` `/.aws/config`.
        let err = error(
            MemoryEnvironment::new().with_var("HOME", ""),
            "codecommit://Repo",
        );
        assert!(
            err.to_string()
                .contains("Note: HOME is empty, so the config file was looked for at /.aws/config"),
            "{err}"
        );
    }

    #[test]
    fn files_that_are_there_or_defaults_with_a_home_add_nothing() {
        // The default files missing under a known home: the reference's words alone.
        let err = error(home(), "codecommit://Repo");
        assert_eq!(err.to_string(), REGION_NOT_FOUND);
        let env = home()
            .with_var("AWS_CONFIG_FILE", "/etc/aws/config")
            .with_file("/etc/aws/config", "[default]\n");
        assert_eq!(
            error(env, "codecommit://Repo").to_string(),
            REGION_NOT_FOUND
        );
    }

    #[test]
    fn no_profiles_says_where_it_looked() {
        let env = home()
            .with_var("AWS_SHARED_CREDENTIALS_FILE", "/etc/aws/credentials")
            .with_file("/etc/aws/credentials", "# nothing yet\n");
        let err = error(env, "codecommit://dev@Repo");
        assert_eq!(err.kind(), ErrorKind::ProfileNotFound);
        assert_eq!(
            err.to_string(),
            "The following profile was not found: dev. No profiles were found: looked in \
             /home/dev/.aws/config (the default; not found) and /etc/aws/credentials (from \
             AWS_SHARED_CREDENTIALS_FILE; no profiles in it). Either use one of the available \
             profiles, or create an AWS CLI profile to use and then try again. For more \
             information, see Configure an AWS CLI Profile in the AWS CLI User Guide."
        );
        assert!(!err.to_string().contains("Available profiles are: ."));

        // Selected by a variable: botocore's form, the same sentence.
        let env = home().with_var("AWS_PROFILE", "dev");
        let err = error(env, "codecommit://Repo");
        assert_eq!(err.kind(), ErrorKind::ProfileNotFound);
        assert!(
            err.to_string().starts_with(
                "The config profile (dev) could not be found; AWS_PROFILE selects it. No \
                 profiles were found: looked in /home/dev/.aws/config (the default; not found) \
                 and /home/dev/.aws/credentials (the default; not found)."
            ),
            "{err}"
        );
    }

    /// The locate stage needs no credentials, and the credentials stage continues from
    /// it to the same resolution as the one-call form.
    #[test]
    fn locate_then_credentials_is_resolve() {
        let env = home()
            .with_var("AWS_DEFAULT_REGION", "us-east-1")
            .with_file("/home/dev/.aws/credentials", KEYS);
        let resolver = Resolver::with_environment(env);
        let located = resolver
            .locate(&Request::parse("codecommit://dev@Repo").unwrap())
            .unwrap();
        assert_eq!(located.profile_source(), ProfileSource::Remote);
        assert_eq!(located.region_from(), RegionFrom::AwsDefaultRegion);
        let resolved = resolver.credentials(&located).unwrap();
        assert_eq!(
            resolved.explain(),
            resolver.resolve("codecommit://dev@Repo").unwrap().explain()
        );
        assert!(resolved.explain().starts_with(&located.explain()));

        // A profile without credentials: located all the same.
        let resolver = Resolver::with_environment(home().with_file(
            "/home/dev/.aws/config",
            "[profile bare]\nregion = eu-west-1\n",
        ));
        let located = resolver
            .locate(&Request::parse("codecommit://bare@Repo").unwrap())
            .unwrap();
        assert_eq!(
            located.host().as_str(),
            "git-codecommit.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            resolver.credentials(&located).unwrap_err().kind(),
            ErrorKind::CredentialsNotFound
        );
    }

    /// A typed request: its region and host win, verbatim, over the environment's
    /// (`CODE_COMMIT_ENDPOINT`, FIPS), and its profile is named as a remote's would be.
    #[test]
    fn a_typed_request_uses_its_parts() {
        let env = home()
            .with_var("AWS_DEFAULT_REGION", "eu-west-1")
            .with_var("AWS_USE_FIPS_ENDPOINT", "true")
            .with_var("CODE_COMMIT_ENDPOINT", "elsewhere.example")
            .with_var("AWS_ACCESS_KEY_ID", "AKIDFROMENV")
            .with_var("AWS_SECRET_ACCESS_KEY", "s")
            .with_file("/home/dev/.aws/credentials", KEYS);
        let resolver = Resolver::with_environment(env);
        let host = "vpce-0abc-123.git-codecommit.us-east-1.vpce.amazonaws.com";
        let request = Request::new(RepositoryName::new("Repo").unwrap())
            .with_profile("dev")
            .with_region(Region::new("us-east-1").unwrap())
            .with_host(host);
        let resolution = resolver.resolve_request(&request).unwrap();
        assert_eq!(resolution.host().as_str(), host);
        assert_eq!(resolution.host().source(), HostSource::Request);
        assert_eq!(resolution.region().name(), "us-east-1");
        assert_eq!(resolution.region_from(), RegionFrom::Remote);
        assert_eq!(resolution.profile_source(), ProfileSource::Remote);
        // A named profile: the environment's keys are not read (as with --profile).
        assert_eq!(resolution.credentials().access_key_id(), "AKIDNOTES");
        assert!(
            resolution
                .explain()
                .contains(&format!("host         {host} (named in the request)\n")),
            "{}",
            resolution.explain()
        );
        assert!(!resolution.explain().contains("remote "));

        // Without a profile: the environment chooses, and its keys count.
        let request = Request::new(RepositoryName::new("Repo").unwrap());
        let resolution = resolver.resolve_request(&request).unwrap();
        assert_eq!(resolution.profile_source(), ProfileSource::Default);
        assert_eq!(resolution.region().name(), "eu-west-1");
        assert_eq!(resolution.host().as_str(), "elsewhere.example");
        assert_eq!(resolution.credentials().access_key_id(), "AKIDFROMENV");
    }

    #[test]
    fn disagreeing_profile_variables_say_which_won() {
        let both = |default: &str, profile: &str| {
            home()
                .with_var("AWS_DEFAULT_PROFILE", default)
                .with_var("AWS_PROFILE", profile)
                .with_var("AWS_DEFAULT_REGION", "us-east-1")
                .with_file("/home/dev/.aws/credentials", KEYS)
        };
        let note = "AWS_DEFAULT_PROFILE ('dev') was used, not AWS_PROFILE ('default'): \
                    git-remote-codecommit and botocore (and the AWS CLI v1) read \
                    AWS_DEFAULT_PROFILE first, the AWS CLI v2 reads AWS_PROFILE first and \
                    would use 'default'";
        let resolution = Resolver::with_environment(both("dev", "default"))
            .resolve("codecommit://Repo")
            .unwrap();
        assert_eq!(resolution.profile(), "dev");
        assert_eq!(resolution.profile_note(), Some(note));
        let explain = resolution.explain();
        assert!(
            explain.contains(&format!(
                "profile      dev (from AWS_DEFAULT_PROFILE)\n             note: {note}\n"
            )),
            "{explain}"
        );

        // Not found: the message says it too.
        let err = error(both("ops", "dev"), "codecommit://Repo");
        assert_eq!(err.kind(), ErrorKind::ProfileNotFound);
        assert!(
            err.to_string().ends_with(
                " Note: AWS_DEFAULT_PROFILE ('ops') was used, not AWS_PROFILE ('dev'): \
                 git-remote-codecommit and botocore (and the AWS CLI v1) read \
                 AWS_DEFAULT_PROFILE first, the AWS CLI v2 reads AWS_PROFILE first and would \
                 use 'dev'."
            ),
            "{err}"
        );

        // An empty AWS_PROFILE is a profile named "" to the AWS CLI v2.
        let resolution = Resolver::with_environment(both("dev", ""))
            .resolve("codecommit://Repo")
            .unwrap();
        assert!(resolution.profile_note().unwrap().ends_with("would use ''"));

        // Agreeing, only one set, or a profile in the remote: no note.
        for env in [
            both("dev", "dev"),
            home()
                .with_var("AWS_DEFAULT_PROFILE", "dev")
                .with_var("AWS_DEFAULT_REGION", "us-east-1")
                .with_file("/home/dev/.aws/credentials", KEYS),
        ] {
            let r = Resolver::with_environment(env)
                .resolve("codecommit://Repo")
                .unwrap();
            assert_eq!(r.profile_note(), None);
            assert!(!r.explain().contains("note:"));
        }
        let r = Resolver::with_environment(both("dev", "default"))
            .resolve("codecommit://default@Repo")
            .unwrap();
        assert_eq!(r.profile_note(), None);
    }
}
