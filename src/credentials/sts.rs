//! STS `AssumeRole` and `AssumeRoleWithWebIdentity`, as botocore calls them
//! (`reference/behavior.md` §7.3).
//!
//! The request is a form `POST /` signed with SigV4 by `aws-sigv4` (web identity:
//! unsigned). The endpoint is the configured one (`AWS_ENDPOINT_URL_STS`, …) or the
//! regional `https://sts.REGION.amazonaws.com`, where REGION is the *top-level*
//! profile's region for every hop of a chain (§10 item 45); without a region, the global
//! `https://sts.amazonaws.com` signed for `us-east-1`.

use std::fmt;
use std::time::SystemTime;

use super::{ChainContext, Credentials, Keys, retry, timestamp, xml};
use crate::endpoint::services::{self, Service};
use crate::env::HttpRequest;
use crate::error::{Error, ErrorKind, MAX_SHOWN, quoted, shown};

/// Regions that `AWS_STS_REGIONAL_ENDPOINTS=legacy` sends to the global endpoint.
const LEGACY_GLOBAL: [&str; 16] = [
    "ap-northeast-1",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "aws-global",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

/// The STS operations we call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Operation {
    AssumeRole,
    AssumeRoleWithWebIdentity,
}

impl Operation {
    fn name(self) -> &'static str {
        match self {
            Operation::AssumeRole => "AssumeRole",
            Operation::AssumeRoleWithWebIdentity => "AssumeRoleWithWebIdentity",
        }
    }
}

/// What STS returned.
pub(crate) struct StsCredentials {
    pub(crate) credentials: Credentials,
    /// The answer as the CLI caches it (§6.3).
    pub(crate) cache_doc: serde_json::Value,
}

impl fmt::Debug for StsCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StsCredentials")
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

/// The region STS is called in: `AWS_DEFAULT_REGION` if set, else the selected
/// profile's `region` — never the remote's.
pub(crate) fn client_region(ctx: &ChainContext<'_>) -> Option<String> {
    let region = match ctx.env.var("AWS_DEFAULT_REGION") {
        Some(r) => Some(r),
        None => ctx
            .config
            .profile(ctx.top_profile)
            .and_then(|p| p.get("region"))
            .map(str::to_owned),
    };
    region.filter(|r| !r.is_empty())
}

/// (endpoint URL, signing region).
///
/// # Errors
///
/// [`ErrorKind::InvalidConfig`] for a region that cannot be part of a host name or an
/// invalid configured endpoint.
pub(crate) fn endpoint(ctx: &ChainContext<'_>) -> Result<(String, String), Error> {
    let top = ctx.config.profile(ctx.top_profile);
    let region = client_region(ctx);
    if let Some(r) = &region {
        let from = match ctx.env.var("AWS_DEFAULT_REGION") {
            Some(_) => "AWS_DEFAULT_REGION".to_owned(),
            None => format!(
                "the region of profile {}",
                shown(ctx.top_profile, MAX_SHOWN)
            ),
        };
        services::check_region(r, &format!("the STS client's region, from {from}"))?;
    }
    let signing_region = region.clone().unwrap_or_else(|| "us-east-1".to_owned());
    if let Some(url) = services::configured_endpoint(ctx.env, ctx.config, top, "sts")? {
        return Ok((url, signing_region));
    }
    let legacy = ctx
        .env
        .var("AWS_STS_REGIONAL_ENDPOINTS")
        .or_else(|| {
            top.and_then(|p| p.get("sts_regional_endpoints"))
                .map(str::to_owned)
        })
        .is_some_and(|v| v == "legacy");
    Ok(match region {
        Some(r) if !(legacy && LEGACY_GLOBAL.contains(&r.as_str())) && r != "aws-global" => (
            services::endpoint(ctx.env, ctx.config, top, Service::Sts, &r)?,
            r,
        ),
        _ => (
            "https://sts.amazonaws.com".to_owned(),
            "us-east-1".to_owned(),
        ),
    })
}

/// Calls `operation` with `params` (after `Action` and `Version`), signed with `signer`
/// unless it is `None` (web identity).
///
/// `describe` names the role and where its source came from, for error messages.
///
/// # Errors
///
/// [`ErrorKind::ServiceError`] for STS error documents (after retrying throttling and
/// 5xx), [`ErrorKind::Network`], [`ErrorKind::MalformedCredentials`].
pub(crate) fn call(
    ctx: &ChainContext<'_>,
    operation: Operation,
    params: &[(&str, String)],
    signer: Option<&Credentials>,
    describe: &str,
) -> Result<StsCredentials, Error> {
    let (url, region) = endpoint(ctx)?;
    let url = services::join(&url, "/");
    let mut body = format!("Action={}&Version=2011-06-15", operation.name());
    for (name, value) in params {
        body.push('&');
        body.push_str(name);
        body.push('=');
        body.push_str(&form_encode(value));
    }
    let content_type = "application/x-www-form-urlencoded; charset=utf-8";

    let mut request = HttpRequest::post(url.clone(), body.clone().into_bytes())
        .header("Content-Type", content_type);
    if let Some(credentials) = signer {
        for (name, value) in sign(
            "sts",
            "POST",
            &url,
            &region,
            &[("content-type", content_type)],
            body.as_bytes(),
            credentials,
            ctx.env.now(),
        )? {
            request = request.header(name, value);
        }
    }
    let sent = retry::send(ctx.env, &request, is_throttle).map_err(|e| {
        Error::with_source(
            ErrorKind::Network,
            format!("the STS {} call for {describe} failed", operation.name()),
            e,
        )
    })?;
    let (response, attempt) = (sent.response, sent.retries + 1);

    let text = String::from_utf8_lossy(&response.body);
    if response.status != 200 {
        // The answer's words, escaped rather than filtered: dropping a control character
        // could join the text around it into something the server never sent whole.
        // The secrets this request sent — the source's session token, a web identity
        // token — are masked should STS echo them.
        let mut secrets: Vec<&str> = signer
            .and_then(Credentials::session_token)
            .into_iter()
            .collect();
        secrets.extend(
            params
                .iter()
                .filter(|(name, _)| matches!(*name, "WebIdentityToken" | "TokenCode"))
                .map(|(_, value)| value.as_str()),
        );
        let raw_code = xml::text(&text, &["Error", "Code"]);
        let raw_message = xml::text(&text, &["Error", "Message"]);
        let code = raw_code
            .as_deref()
            .map(|c| quoted(c, &secrets, MAX_SHOWN))
            .unwrap_or_else(|| format!("HTTP {}", response.status));
        let message = raw_message
            .as_deref()
            .map(|m| quoted(m, &secrets, 500))
            .unwrap_or_default();
        let retried = if attempt > 1 {
            format!(" (reached max retries: {})", attempt - 1)
        } else {
            String::new()
        };
        let answer = format!(
            "An error occurred ({code}) when calling the {} operation{retried}: {message} ({describe})",
            operation.name()
        );
        // STS refuses a wrong, expired or reused MFA code with AccessDenied,
        // "MultiFactorAuthentication failed with invalid MFA one time pass code."
        // BOTOCORE: raises the ClientError as it is.
        let sent_code = params.iter().any(|(name, _)| *name == "TokenCode");
        if sent_code
            && raw_code.as_deref() == Some("AccessDenied")
            && raw_message
                .as_deref()
                .is_some_and(|m| m.contains("MultiFactorAuthentication") || m.contains("MFA"))
        {
            return Err(Error::new(
                ErrorKind::MfaRequired,
                format!(
                    "STS refused the MFA code: it was mistyped, expired or already used; run \
                     the command again and enter the next code. {answer}"
                ),
            ));
        }
        return Err(Error::new(ErrorKind::ServiceError, answer));
    }
    // A lossy decoding would sign with U+FFFD in place of the bytes STS sent, and the
    // user would meet a 403 later instead of this error now.
    let Ok(text) = std::str::from_utf8(&response.body) else {
        return Err(Error::new(
            ErrorKind::MalformedCredentials,
            format!(
                "the STS {} answer for {describe} is not UTF-8 text",
                operation.name()
            ),
        ));
    };
    let answer = parse(text, operation, describe)?;
    super::reject_expired(&answer.credentials, ctx.env.now(), "STS")?;
    Ok(answer)
}

fn is_throttle(response: &crate::env::HttpResponse) -> bool {
    let text = String::from_utf8_lossy(&response.body);
    matches!(
        xml::text(&text, &["Error", "Code"]).as_deref(),
        Some("Throttling" | "ThrottlingException" | "RequestLimitExceeded")
    )
}

fn parse(text: &str, operation: Operation, describe: &str) -> Result<StsCredentials, Error> {
    let result = format!("{}Result", operation.name());
    let get = |path: &[&str]| {
        let mut full = vec![result.as_str()];
        full.extend_from_slice(path);
        xml::text(text, &full)
    };
    let malformed = |what: &str| {
        Error::new(
            ErrorKind::MalformedCredentials,
            format!("the STS {} answer for {describe} {what}", operation.name()),
        )
    };
    let (Some(ak), Some(sk), Some(token), Some(expiration)) = (
        get(&["Credentials", "AccessKeyId"]),
        get(&["Credentials", "SecretAccessKey"]),
        get(&["Credentials", "SessionToken"]),
        get(&["Credentials", "Expiration"]),
    ) else {
        return Err(malformed("lacks Credentials"));
    };
    let expiry = timestamp::parse(&expiration)
        .map_err(|e| malformed(&format!("has an Expiration that {}", e.describe())))?;
    let arn = get(&["AssumedRoleUser", "Arn"]);
    // arn:aws:sts::ACCOUNT:assumed-role/…
    let account = arn
        .as_deref()
        .and_then(|a| a.split(':').nth(4))
        .filter(|a| !a.is_empty())
        .map(str::to_owned);
    let credentials = Keys {
        access_key_id: ak,
        secret_access_key: sk,
        session_token: Some(token),
        expiry: Some(expiry),
        account_id: account.clone(),
        provider: "assume-role",
    }
    .build();
    // Refused before it reaches the cache file (the chain would refuse it anyway).
    if let Some(field) = super::line_breaking_field(&credentials) {
        return Err(malformed(&format!(
            "has a line break or NUL in its {field}"
        )));
    }
    let mut c = super::cli_cache::credentials_json(&credentials, &cache_expiration(expiry));
    if account.is_none() {
        c.as_object_mut().map(|o| o.remove("AccountId"));
    }
    let mut doc = serde_json::json!({ "Credentials": c });
    if let (Some(arn), Some(id)) = (arn, get(&["AssumedRoleUser", "AssumedRoleId"])) {
        doc["AssumedRoleUser"] = serde_json::json!({"AssumedRoleId": id, "Arn": arn});
    }
    if let Some(n) = get(&["PackedPolicySize"]).and_then(|n| n.parse::<u64>().ok()) {
        doc["PackedPolicySize"] = serde_json::json!(n);
    }
    if let Some(s) = get(&["SourceIdentity"]) {
        doc["SourceIdentity"] = serde_json::json!(s);
    }
    if let Some(id) = xml::text(text, &["ResponseMetadata", "RequestId"]) {
        doc["ResponseMetadata"] =
            serde_json::json!({"RequestId": id, "HTTPStatusCode": 200, "RetryAttempts": 0});
    }
    Ok(StsCredentials {
        credentials,
        cache_doc: doc,
    })
}

/// The CLI's role cache writes `Expiration` as `%Y-%m-%dT%H:%M:%S` + `UTC` (§6.3).
fn cache_expiration(t: SystemTime) -> String {
    let z = timestamp::format_for_file(t);
    format!("{}UTC", z.trim_end_matches('Z'))
}

/// `application/x-www-form-urlencoded`, as botocore's query serializer writes values:
/// unreserved bytes kept, space as `+`, everything else `%XX`.
fn form_encode(value: &str) -> String {
    crate::sign::percent_encode(value).replace("%20", "+")
}

/// The SigV4 headers for a request to `service` (its signing name) carrying `headers`
/// (all signed, as botocore signs every header it sends), computed by `aws-sigv4`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn sign(
    service: &str,
    method: &str,
    url: &str,
    region: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    credentials: &Credentials,
    now: SystemTime,
) -> Result<Vec<(&'static str, String)>, Error> {
    use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
    let identity = credentials.clone().into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(now)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| {
            Error::new(
                ErrorKind::InvalidConfig,
                format!("cannot sign the {service} request: {e}"),
            )
        })?
        .into();
    let signable = SignableRequest::new(
        method,
        url,
        headers.iter().copied(),
        SignableBody::Bytes(body),
    )
    .map_err(|e| {
        Error::new(
            ErrorKind::InvalidConfig,
            format!("the {service} endpoint {url} is not a valid URL: {e}"),
        )
    })?;
    let (instructions, _signature) = sign(signable, &params)
        .map_err(|e| {
            Error::new(
                ErrorKind::InvalidConfig,
                format!("cannot sign the {service} request to {url}: {e}"),
            )
        })?
        .into_parts();
    Ok(instructions
        .headers()
        .map(|(name, value)| (static_name(name), value.to_owned()))
        .collect())
}

/// aws-sigv4 adds only these headers; map them to static names for `HttpRequest`.
fn static_name(name: &str) -> &'static str {
    match name.to_ascii_lowercase().as_str() {
        "authorization" => "authorization",
        "x-amz-date" => "x-amz-date",
        "x-amz-security-token" => "x-amz-security-token",
        "x-amz-content-sha256" => "x-amz-content-sha256",
        _ => "x-amz-unknown",
    }
}

/// botocore's role session name when none is configured: `botocore-session-<unix
/// seconds>` (AssumeRole and AssumeRoleWithWebIdentity alike; left out of cache keys).
pub(crate) fn default_session_name(now: std::time::SystemTime) -> String {
    let secs = now
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!("botocore-session-{secs}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoding_matches_botocore() {
        assert_eq!(
            form_encode("arn:aws:iam::123456789012:role/My Role"),
            "arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FMy+Role"
        );
        assert_eq!(form_encode("a+b=c&d~e"), "a%2Bb%3Dc%26d~e");
    }

    #[test]
    fn cache_expiration_uses_the_utc_suffix() {
        let t = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_795_648_309);
        assert_eq!(cache_expiration(t), "2026-11-25T23:11:49UTC");
    }
}
