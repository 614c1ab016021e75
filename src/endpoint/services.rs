//! Endpoints of the AWS services the credential providers call: the SSO portal, SSO OIDC
//! and STS.
//!
//! An endpoint is the configured one if there is any, in botocore's order (the
//! cross-SDK "configured endpoint URLs" rules, `conformance/botocore/…/profile-tests.json`):
//!
//! 1. `AWS_ENDPOINT_URL_<SERVICE>` (`AWS_ENDPOINT_URL_SSO`, `…_SSO_OIDC`, `…_STS`);
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
use crate::env::Environment;

/// A service the credential providers call.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Service {
    /// The SSO portal (`GetRoleCredentials`).
    Sso,
    /// SSO OIDC (`CreateToken`, for refreshing SSO tokens).
    SsoOidc,
    /// STS (`AssumeRole`, `AssumeRoleWithWebIdentity`).
    Sts,
}

impl Service {
    /// The key of the service in a `services` section, and (upper-cased) the suffix of
    /// its `AWS_ENDPOINT_URL_` variable.
    pub fn config_key(self) -> &'static str {
        match self {
            Service::Sso => "sso",
            Service::SsoOidc => "sso_oidc",
            Service::Sts => "sts",
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
        }
    }
}

/// The endpoint configured for the service whose `services`-section key is `key`, if
/// any (steps 1–4 above). `profile` is the selected profile.
pub(crate) fn configured_endpoint(
    env: &dyn Environment,
    config: &SharedConfig,
    profile: Option<Profile<'_>>,
    key: &str,
) -> Option<String> {
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
        return Some(url);
    }
    if let Some(url) = env.var("AWS_ENDPOINT_URL") {
        return Some(url);
    }
    let profile = profile?;
    let from_services = profile
        .get("services")
        .and_then(|name| config.services(name))
        .and_then(|section| section.sub_properties(key))
        .and_then(|entries| {
            entries
                .into_iter()
                .find(|(k, _)| *k == "endpoint_url")
                .map(|(_, v)| v.to_owned())
        });
    from_services.or_else(|| profile.get("endpoint_url").map(str::to_owned))
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
pub(crate) fn endpoint(
    env: &dyn Environment,
    config: &SharedConfig,
    profile: Option<Profile<'_>>,
    service: Service,
    region: &str,
) -> String {
    if let Some(url) = configured_endpoint(env, config, profile, service.config_key()) {
        return url;
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
    format!("https://{}.{region}.{suffix}", service.host_prefix(fips))
}

/// Joins an endpoint (which may carry a base path, kept as botocore keeps it) and an
/// operation's path.
pub(crate) fn join(endpoint: &str, path: &str) -> String {
    format!("{}{path}", endpoint.trim_end_matches('/'))
}
