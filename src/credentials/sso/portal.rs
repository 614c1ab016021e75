//! The SSO portal's `GetRoleCredentials` (`reference/behavior.md` §5.5).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use super::SsoConfig;
use super::token::Token;
use crate::credentials::{ChainContext, Credentials, Keys, retry, timestamp};
use crate::endpoint::services::{self, Service};
use crate::env::{HttpErrorKind, HttpRequest, HttpResponse};
use crate::error::{Error, ErrorKind};
use crate::sign::percent_encode;

/// Exchanges the access token for the role's credentials. Returns them with their
/// expiration written as botocore writes it (`%Y-%m-%dT%H:%M:%SZ`).
///
/// # Errors
///
/// [`ErrorKind::SsoLoginRequired`] if the portal rejects the token (HTTP 401);
/// [`ErrorKind::ServiceError`] for any other error answer (after retrying 5xx and 429);
/// [`ErrorKind::Network`] if the portal cannot be reached;
/// [`ErrorKind::MalformedCredentials`] if the answer is not what the API defines.
pub(crate) fn get_role_credentials(
    ctx: &ChainContext<'_>,
    sso: &SsoConfig,
    token: &Token,
) -> Result<(Credentials, String), Error> {
    let endpoint = sso.endpoint(ctx, Service::Sso)?;
    let url = services::join(
        &endpoint,
        &format!(
            "/federation/credentials?role_name={}&account_id={}",
            percent_encode(&sso.role_name),
            percent_encode(&sso.account_id)
        ),
    );
    let request =
        HttpRequest::get(url.clone()).header("x-amz-sso_bearer_token", token.access_token.as_str());

    let sent = retry::send(ctx.env, &request, retry::standard).map_err(|e| {
        let message = if e.kind() == HttpErrorKind::Connect {
            format!(
                "Could not connect to the endpoint URL: \"{}\" (the SSO portal, for profile {})",
                strip_query(&url),
                sso.profile
            )
        } else {
            format!("the SSO portal request for profile {} failed", sso.profile)
        };
        Error::with_source(ErrorKind::Network, message, e)
    })?;
    let response = sent.response;
    let retries = (sent.retries > 0).then_some(sent.retries);

    match response.status {
        200 => parse(sso, &response.body),
        401 => Err(Error::new(
            ErrorKind::SsoLoginRequired,
            format!(
                "The SSO session associated with this profile has expired or is otherwise \
                 invalid. To refresh this SSO session run aws sso login with the corresponding \
                 profile. (The SSO portal rejected the token of profile {}, start URL {}); {}",
                sso.profile,
                sso.start_url,
                sso.login_hint()
            ),
        )),
        _ => Err(service_error(sso, token, &response, retries)),
    }
}

fn parse(sso: &SsoConfig, body: &[u8]) -> Result<(Credentials, String), Error> {
    let malformed = |what: &str| {
        Error::new(
            ErrorKind::MalformedCredentials,
            format!(
                "the SSO portal's GetRoleCredentials answer for profile {} {what}",
                sso.profile
            ),
        )
    };
    let doc: Value = serde_json::from_slice(body).map_err(|_| malformed("is not JSON"))?;
    let rc = &doc["roleCredentials"];
    let text = |k: &str| rc.get(k).and_then(Value::as_str);
    let (Some(ak), Some(sk), Some(st)) = (
        text("accessKeyId"),
        text("secretAccessKey"),
        text("sessionToken"),
    ) else {
        return Err(malformed(
            "lacks roleCredentials.accessKeyId, secretAccessKey or sessionToken",
        ));
    };
    // Epoch milliseconds; botocore divides by 1000 and truncates to the second.
    let millis = rc
        .get("expiration")
        .and_then(|v| {
            v.as_u64()
                .or_else(|| v.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
        })
        .ok_or_else(|| malformed("lacks a numeric roleCredentials.expiration"))?;
    let expiry: SystemTime = UNIX_EPOCH + Duration::from_secs(millis / 1000);
    let expiration = timestamp::format_for_file(expiry);
    let credentials = Keys {
        access_key_id: ak.to_owned(),
        secret_access_key: sk.to_owned(),
        session_token: Some(st.to_owned()),
        expiry: Some(expiry),
        account_id: Some(sso.account_id.clone()),
        provider: "sso",
    }
    .build();
    // Refused before it reaches the cache file (the chain would refuse it anyway).
    if let Some(field) = crate::credentials::line_breaking_field(&credentials) {
        return Err(malformed(&format!(
            "has a line break or NUL in its {field}"
        )));
    }
    Ok((credentials, expiration))
}

fn service_error(
    sso: &SsoConfig,
    token: &Token,
    response: &HttpResponse,
    retries: Option<u32>,
) -> Error {
    let (code, message) =
        crate::credentials::aws_json::error_code(response, &[token.access_token.as_str()]);
    let retried = retries
        .map(|n| format!(" (reached max retries: {n})"))
        .unwrap_or_default();
    let hint = match response.status {
        403 => format!(
            "; check that role {} in account {} is assigned to you in IAM Identity Center",
            sso.role_name, sso.account_id
        ),
        404 => format!(
            "; check sso_account_id and sso_role_name of profile {}",
            sso.profile
        ),
        _ => String::new(),
    };
    Error::new(
        ErrorKind::ServiceError,
        format!(
            "An error occurred ({code}) when calling the GetRoleCredentials operation{retried}: \
             {message} (HTTP {}, profile {}){hint}",
            response.status, sso.profile
        ),
    )
}

fn strip_query(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}
