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

/// An account the SSO login can reach (`ListAccounts`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Account {
    pub(crate) id: String,
    pub(crate) name: String,
}

/// Where and as whom the portal's listing calls go, for one `[sso-session]`.
pub(crate) struct Listing<'a> {
    pub(crate) env: &'a dyn crate::env::Environment,
    /// The portal's endpoint (`AWS_ENDPOINT_URL_SSO`, or the `portal.sso` host of the
    /// session's `sso_region`).
    pub(crate) endpoint: String,
    pub(crate) token: &'a Token,
    /// The `[sso-session NAME]`, for messages.
    pub(crate) session: &'a str,
}

/// The most items the portal gives per page (`MaxResultType`, 1 to 100).
const PAGE: u32 = 100;

/// A portal that keeps answering with a next page is broken past this many pages.
const MAX_PAGES: usize = 1000;

impl Listing<'_> {
    /// Every account of the login, all pages of `ListAccounts`
    /// (`GET /assignment/accounts`).
    ///
    /// # Errors
    ///
    /// As [`get_role_credentials`], with [`ErrorKind::SsoLoginRequired`] saying
    /// `codecommit-auth login --sso-session NAME`.
    pub(crate) fn accounts(&self) -> Result<Vec<Account>, Error> {
        let mut accounts = Vec::new();
        self.pages(
            "ListAccounts",
            "/assignment/accounts?",
            "accountList",
            |item| {
                let text = |k: &str| item.get(k).and_then(Value::as_str).map(str::to_owned);
                let id = text("accountId").ok_or("an account without accountId")?;
                // A nameless account is named by its id, as the AWS CLI shows it.
                let name = text("accountName").unwrap_or_else(|| id.clone());
                accounts.push(Account { id, name });
                Ok(())
            },
        )?;
        Ok(accounts)
    }

    /// The roles the login may take in `account_id`, all pages of `ListAccountRoles`
    /// (`GET /assignment/roles`).
    ///
    /// # Errors
    ///
    /// As [`accounts`](Self::accounts).
    pub(crate) fn roles(&self, account_id: &str) -> Result<Vec<String>, Error> {
        let mut roles = Vec::new();
        let base = format!(
            "/assignment/roles?account_id={}&",
            percent_encode(account_id)
        );
        self.pages("ListAccountRoles", &base, "roleList", |item| {
            let role = item.get("roleName").and_then(Value::as_str);
            roles.push(role.ok_or("a role without roleName")?.to_owned());
            Ok(())
        })?;
        Ok(roles)
    }

    /// Calls `operation` at `base` (a path ending in `?` or `&`) page after page,
    /// handing every item of `list` to `each`.
    fn pages(
        &self,
        operation: &str,
        base: &str,
        list: &str,
        mut each: impl FnMut(&Value) -> Result<(), &'static str>,
    ) -> Result<(), Error> {
        let mut next: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut path = format!("{base}max_result={PAGE}");
            if let Some(token) = &next {
                path.push_str("&next_token=");
                path.push_str(&percent_encode(token));
            }
            let doc = self.get(operation, &path)?;
            let malformed = |what: &str| {
                Error::new(
                    ErrorKind::ServiceError,
                    format!(
                        "the SSO portal's {operation} answer for sso-session {} {what}",
                        self.session
                    ),
                )
            };
            if let Some(items) = doc.get(list) {
                let items = items
                    .as_array()
                    .ok_or_else(|| malformed(&format!("has a {list} that is not a list")))?;
                for item in items {
                    each(item).map_err(|what| malformed(&format!("lists {what}")))?;
                }
            }
            match doc.get("nextToken").and_then(Value::as_str) {
                Some(token) if !token.is_empty() => {
                    if next.as_deref() == Some(token) {
                        return Err(malformed("repeats its nextToken"));
                    }
                    next = Some(token.to_owned());
                }
                _ => return Ok(()),
            }
        }
        Err(Error::new(
            ErrorKind::ServiceError,
            format!(
                "the SSO portal's {operation} answer for sso-session {} still had more \
                 pages after {MAX_PAGES}",
                self.session
            ),
        ))
    }

    fn get(&self, operation: &str, path: &str) -> Result<Value, Error> {
        let url = services::join(&self.endpoint, path);
        let request = HttpRequest::get(url.clone())
            .header("x-amz-sso_bearer_token", self.token.access_token.as_str());
        let session = self.session;
        let login = format!("run `codecommit-auth login --sso-session {session}`");
        let sent = retry::send(self.env, &request, retry::standard).map_err(|e| {
            let message = if e.kind() == HttpErrorKind::Connect {
                format!(
                    "Could not connect to the endpoint URL: \"{}\" (the SSO portal, for \
                     sso-session {session})",
                    strip_query(&url)
                )
            } else {
                format!("the SSO portal's {operation} request for sso-session {session} failed")
            };
            Error::with_source(ErrorKind::Network, message, e)
        })?;
        let response = sent.response;
        match response.status {
            200 => serde_json::from_slice(&response.body).map_err(|_| {
                Error::new(
                    ErrorKind::ServiceError,
                    format!(
                        "the SSO portal's {operation} answer for sso-session {session} is \
                         not JSON"
                    ),
                )
            }),
            401 => Err(Error::new(
                ErrorKind::SsoLoginRequired,
                format!(
                    "the SSO portal rejected the login of sso-session {session} (it has \
                     expired or was signed out); {login}"
                ),
            )),
            status => {
                let (code, message) = crate::credentials::aws_json::error_code(
                    &response,
                    &[self.token.access_token.as_str()],
                );
                let retried = if sent.retries > 0 {
                    format!(" (reached max retries: {})", sent.retries)
                } else {
                    String::new()
                };
                Err(Error::new(
                    ErrorKind::ServiceError,
                    format!(
                        "An error occurred ({code}) when calling the {operation} \
                         operation{retried}: {message} (HTTP {status}, sso-session {session})"
                    ),
                ))
            }
        }
    }
}
