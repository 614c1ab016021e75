//! Endpoints of the AWS services the library calls: the SSO portal, SSO OIDC and STS for
//! credentials, and the CodeCommit API for `--doctor --online`.
//!
//! An endpoint is the configured one if there is any, in botocore's order (the
//! cross-SDK "configured endpoint URLs" rules, `conformance/botocore/…/profile-tests.json`):
//!
//! 1. `AWS_ENDPOINT_URL_<SERVICE>` (`AWS_ENDPOINT_URL_SSO`, `…_SSO_OIDC`, `…_STS`,
//!    `…_CODECOMMIT`);
//! 2. `AWS_ENDPOINT_URL`;
//! 3. the service's entry in the profile's `services` section;
//! 4. the profile's `endpoint_url`;
//!
//! steps 1–4 switched off by `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` or the profile's
//! `ignore_configured_endpoint_urls = true`. Otherwise it is the service's regional
//! host, `https://portal.sso.REGION.amazonaws.com` and the like, with FIPS
//! (`AWS_USE_FIPS_ENDPOINT`, `use_fips_endpoint`) and dual-stack
//! (`AWS_USE_DUALSTACK_ENDPOINT`, `use_dualstack_endpoint`) variants.

use crate::config::{Profile, SharedConfig};
use crate::endpoint::url::HttpUrl;
use crate::env::Environment;
use crate::error::{Error, ErrorKind, MAX_SHOWN, shown};

/// A service the credential providers call.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Service {
    /// The SSO portal (`GetRoleCredentials`).
    Sso,
    /// SSO OIDC (`CreateToken`, for refreshing SSO tokens).
    SsoOidc,
    /// STS (`AssumeRole`, `AssumeRoleWithWebIdentity`; `GetCallerIdentity` for
    /// `--doctor --online`).
    Sts,
    /// The CodeCommit API (`GetRepository`, for `--doctor --online`): not the Git host.
    CodeCommit,
}

impl Service {
    /// The key of the service in a `services` section, and (upper-cased) the suffix of
    /// its `AWS_ENDPOINT_URL_` variable.
    pub fn config_key(self) -> &'static str {
        match self {
            Service::Sso => "sso",
            Service::SsoOidc => "sso_oidc",
            Service::Sts => "sts",
            Service::CodeCommit => "codecommit",
        }
    }

    fn host_prefix(self, fips: bool) -> &'static str {
        match (self, fips) {
            (Service::Sso, false) => "portal.sso",
            (Service::Sso, true) => "portal.sso-fips",
            (Service::SsoOidc, false) => "oidc",
            (Service::SsoOidc, true) => "oidc-fips",
            (Service::Sts, false) => "sts",
            (Service::Sts, true) => "sts-fips",
            (Service::CodeCommit, false) => "codecommit",
            (Service::CodeCommit, true) => "codecommit-fips",
        }
    }
}

/// The endpoint configured for the service whose `services`-section key is `key`, if
/// any (steps 1–4 above). `profile` is the selected profile.
///
/// # Errors
///
/// [`ErrorKind::InvalidConfig`] if the configured endpoint is not a URL we can send to
/// (see [`crate::endpoint::url`]); the message names where it was configured. botocore
/// refuses such a URL when it creates the client (`ValueError: Invalid endpoint: URL`);
/// one it lets through but cannot reach (no `http`/`https` scheme) fails later as a
/// connection error.
pub(crate) fn configured_endpoint(
    env: &dyn Environment,
    config: &SharedConfig,
    profile: Option<Profile<'_>>,
    key: &str,
) -> Result<Option<String>, Error> {
    let Some((url, from)) = configured(env, config, profile, key) else {
        return Ok(None);
    };
    match HttpUrl::parse(&url) {
        Ok(_) => Ok(Some(url)),
        Err(why) => Err(Error::new(
            ErrorKind::InvalidConfig,
            format!(
                "Invalid endpoint: {} ({from}; the URL {why}: an endpoint is an http:// or \
                 https:// URL with a host name or [IPv6 address], an optional port and an \
                 optional base path)",
                shown(&url, MAX_SHOWN)
            ),
        )),
    }
}

/// The configured endpoint and where it came from (for messages), unchecked.
fn configured(
    env: &dyn Environment,
    config: &SharedConfig,
    profile: Option<Profile<'_>>,
    key: &str,
) -> Option<(String, String)> {
    let truthy = |v: Option<&str>| v.is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let ignore_env = env.var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    let ignore = match ignore_env.as_deref() {
        Some(v) => truthy(Some(v)),
        None => truthy(profile.and_then(|p| p.get("ignore_configured_endpoint_urls"))),
    };
    if ignore {
        return None;
    }
    let service_var = format!("AWS_ENDPOINT_URL_{}", key.to_ascii_uppercase());
    if let Some(url) = env.var(&service_var) {
        return Some((url, format!("set by {service_var}")));
    }
    if let Some(url) = env.var("AWS_ENDPOINT_URL") {
        return Some((url, "set by AWS_ENDPOINT_URL".to_owned()));
    }
    let profile = profile?;
    let from_services = profile.get("services").and_then(|name| {
        let url = config
            .services(name)?
            .sub_properties(key)?
            .into_iter()
            .find(|(k, _)| *k == "endpoint_url")
            .map(|(_, v)| v.to_owned())?;
        Some((
            url,
            format!(
                "endpoint_url of {key} in [services {}], used by profile {}",
                shown(name, MAX_SHOWN),
                shown(profile.name(), MAX_SHOWN)
            ),
        ))
    });
    from_services.or_else(|| {
        profile.get("endpoint_url").map(|url| {
            (
                url.to_owned(),
                format!(
                    "endpoint_url of profile {}",
                    shown(profile.name(), MAX_SHOWN)
                ),
            )
        })
    })
}

/// The DNS suffixes of the partition `region` belongs to: (standard, dual-stack).
fn partition_suffixes(region: &str) -> (&'static str, &'static str) {
    if region.starts_with("cn-") {
        ("amazonaws.com.cn", "api.amazonwebservices.com.cn")
    } else {
        ("amazonaws.com", "api.aws")
    }
}

/// The flags that pick an endpoint variant: env first, then the profile (botocore's
/// config chain; `true` in any case).
pub(crate) fn flag(
    env: &dyn Environment,
    profile: Option<Profile<'_>>,
    var: &str,
    key: &str,
) -> bool {
    let value = env
        .var(var)
        .or_else(|| profile.and_then(|p| p.get(key)).map(str::to_owned));
    // botocore's ensure_boolean: `value.lower() == "true"`, no trimming.
    value.is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// Where a service call goes: the configured endpoint, else the service's regional host
/// in `region`.
///
/// # Errors
///
/// [`ErrorKind::InvalidConfig`] for a configured endpoint that is not a valid URL
/// ([`configured_endpoint`]).
pub(crate) fn endpoint(
    env: &dyn Environment,
    config: &SharedConfig,
    profile: Option<Profile<'_>>,
    service: Service,
    region: &str,
) -> Result<String, Error> {
    if let Some(url) = configured_endpoint(env, config, profile, service.config_key())? {
        return Ok(url);
    }
    let fips = flag(env, profile, "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint");
    let dual = flag(
        env,
        profile,
        "AWS_USE_DUALSTACK_ENDPOINT",
        "use_dualstack_endpoint",
    );
    let (standard, dual_stack) = partition_suffixes(region);
    let suffix = if dual { dual_stack } else { standard };
    let url = format!("https://{}.{region}.{suffix}", service.host_prefix(fips));
    // The region is checked by the caller (`check_region`); this catches what that rule
    // lets through (an empty region) before anything is sent.
    match HttpUrl::parse(&url) {
        Ok(_) => Ok(url),
        Err(why) => Err(Error::new(
            ErrorKind::InvalidConfig,
            format!(
                "no {} endpoint for region '{}': the URL {} {why}",
                service.config_key(),
                shown(region, MAX_SHOWN),
                shown(&url, MAX_SHOWN)
            ),
        )),
    }
}

/// botocore's `validate_region_name`, which every client it creates applies to its
/// region: the region becomes part of a host name, so it must be one DNS label (letters,
/// digits and `-`, not at either end, at most 63 characters, not all digits; botocore
/// also lets the empty string through). `what` says where the region came from.
///
/// # Errors
///
/// [`ErrorKind::InvalidConfig`], with botocore's `InvalidRegionError` text first.
pub(crate) fn check_region(region: &str, what: &str) -> Result<(), Error> {
    let label = region.len() <= 63
        && !region.starts_with('-')
        && !region.ends_with('-')
        && region
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && (region.is_empty() || !region.bytes().all(|b| b.is_ascii_digit()));
    if label {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::InvalidConfig,
        format!(
            "Provided region_name '{}' doesn't match a supported format. ({what}; a region is \
             one DNS label such as us-east-1: letters, digits and '-', at most 63 characters)",
            shown(region, MAX_SHOWN)
        ),
    ))
}

/// Joins an endpoint (which may carry a base path, kept as botocore keeps it) and an
/// operation's path.
pub(crate) fn join(endpoint: &str, path: &str) -> String {
    format!("{}{path}", endpoint.trim_end_matches('/'))
}
