//! The AWS Sign-In service's `CreateOAuth2Token` with a refresh-token grant: where it
//! is, what we send, what its answers mean (botocore's `LoginCredentialFetcher.
//! refresh_credentials` and the `signin` model, `botocore/data/signin/2023-01-01`).
//!
//! The call is rest-json, unsigned, `POST /v1/token`, with the `DPoP` proof header
//! ([`super::dpop`]). The body is the `tokenInput` payload, the answer the `tokenOutput`
//! payload: `accessToken` (key, secret, session token), `expiresIn` (seconds, at most
//! 900), `refreshToken`.

use std::time::{Duration, SystemTime};

use serde_json::{Value, json};
use zeroize::Zeroizing;

use super::dpop::DpopKey;
use super::token::Refreshed;
use crate::credentials::{ChainContext, aws_json, pyjson, retry};
use crate::endpoint::services;
use crate::env::HttpRequest;
use crate::error::{Error, ErrorKind, MAX_SHOWN, quoted, shown};

/// Where `CreateOAuth2Token` goes for region `region`: the configured endpoint
/// (`AWS_ENDPOINT_URL_SIGNIN`, `AWS_ENDPOINT_URL`, the profile's `services` or
/// `endpoint_url`) if any, else the `signin` endpoint rules' host.
///
/// BOTOCORE: with a configured endpoint, FIPS or dual-stack also asked for is an error
/// ("Invalid Configuration: FIPS and custom endpoint are not supported"); here, as for
/// every other service of ours, the configured endpoint simply wins.
pub(crate) fn endpoint(ctx: &ChainContext<'_>, region: &str) -> Result<String, Error> {
    let top = ctx.config.profile(ctx.top_profile);
    if let Some(url) = services::configured_endpoint(ctx.env, ctx.config, top, "signin")? {
        return Ok(url);
    }
    let fips = services::flag(ctx.env, top, "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint");
    let dual = services::flag(
        ctx.env,
        top,
        "AWS_USE_DUALSTACK_ENDPOINT",
        "use_dualstack_endpoint",
    );
    Ok(rules(region, fips, dual))
}

/// The `signin` endpoint rules (botocore 1.44.8) for an operation that is neither a
/// control-plane nor an OAuth-endpoint one, as `CreateOAuth2Token` is.
fn rules(region: &str, fips: bool, dual: bool) -> String {
    let partition = Partition::of(region);
    match (fips, dual) {
        (false, false) => match partition.id {
            "aws" => format!("https://{region}.signin.aws.amazon.com"),
            "aws-cn" => format!("https://{region}.signin.amazonaws.cn"),
            "aws-us-gov" => format!("https://{region}.signin.amazonaws-us-gov.com"),
            "aws-iso" => format!("https://{region}.signin.c2shome.ic.gov"),
            "aws-iso-b" => format!("https://{region}.signin.sc2shome.sgov.gov"),
            "aws-iso-f" => format!("https://{region}.signin.csphome.hci.ic.gov"),
            "aws-iso-e" => format!("https://{region}.signin.csphome.adc-e.uk"),
            "aws-eusc" => format!("https://{region}.signin.amazonaws-eusc.eu"),
            _ => format!("https://{region}.signin.{}", partition.dns),
        },
        (true, false) if region == "us-gov-west-1" => {
            "https://signin-fips.amazonaws-us-gov.com".to_owned()
        }
        (true, false) if partition.id == "aws-us-gov" => {
            format!("https://{region}.signin-fips.amazonaws-us-gov.com")
        }
        (true, false) => format!("https://signin-fips.{region}.{}", partition.dns),
        (true, true) => format!("https://signin-fips.{region}.{}", partition.dual_stack),
        (false, true) => format!("https://signin.{region}.{}", partition.dual_stack),
    }
}

/// An AWS partition as botocore's `partitions.json` describes it.
struct Partition {
    id: &'static str,
    dns: &'static str,
    dual_stack: &'static str,
}

impl Partition {
    /// The partition whose region pattern `region` matches; `aws` for any other.
    fn of(region: &str) -> Partition {
        let p = |id, dns, dual_stack| Partition {
            id,
            dns,
            dual_stack,
        };
        // `^PREFIX\-\w+\-\d+$` for each partition, the commercial one's prefixes a list.
        let matches = |prefix: &str| {
            region
                .strip_prefix(prefix)
                .and_then(|rest| rest.strip_prefix('-'))
                .and_then(|rest| rest.rsplit_once('-'))
                .is_some_and(|(word, number)| {
                    !word.is_empty()
                        && word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                        && !number.is_empty()
                        && number.bytes().all(|b| b.is_ascii_digit())
                })
        };
        if matches("cn") {
            p("aws-cn", "amazonaws.com.cn", "api.amazonwebservices.com.cn")
        } else if matches("us-gov") {
            p("aws-us-gov", "amazonaws.com", "api.aws")
        } else if matches("us-iso") {
            p("aws-iso", "c2s.ic.gov", "api.aws.ic.gov")
        } else if matches("us-isob") {
            p("aws-iso-b", "sc2s.sgov.gov", "api.aws.scloud")
        } else if matches("eu-isoe") {
            p("aws-iso-e", "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk")
        } else if matches("us-isof") {
            p("aws-iso-f", "csp.hci.ic.gov", "api.aws.hci.ic.gov")
        } else if matches("eusc-de") {
            p("aws-eusc", "amazonaws.eu", "api.amazonwebservices.eu")
        } else {
            p("aws", "amazonaws.com", "api.aws")
        }
    }
}

/// Why a refresh failed, typed so the caller can word it (never holds a secret).
pub(crate) enum Failure {
    /// `AccessDeniedException` with `TOKEN_EXPIRED` or `USER_CREDENTIALS_CHANGED`: only
    /// a new `aws login` helps.
    LoginAgain(String),
    /// `AccessDeniedException` with `INSUFFICIENT_PERMISSIONS`.
    Permissions(String),
    /// Any other error answer: the code and message.
    Service(String),
    /// A 200 answer without what the API promises.
    BadAnswer(&'static str),
    /// The service could not be reached.
    Unreachable(crate::env::HttpError),
}

/// Calls `CreateOAuth2Token` at `endpoint` with the refresh token, signed by `key`.
pub(crate) fn refresh(
    ctx: &ChainContext<'_>,
    endpoint: &str,
    key: &DpopKey,
    client_id: &str,
    refresh_token: &str,
) -> Result<Result<Refreshed, Failure>, Error> {
    let url = services::join(endpoint, "/v1/token");
    let now = ctx.env.now();
    let iat = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    // botocore serializes the caller's dict in its order with json.dumps.
    let body = Zeroizing::new(pyjson::dumps(
        &json!({
            "clientId": client_id,
            "refreshToken": refresh_token,
            "grantType": "refresh_token",
        }),
        pyjson::Separators::Default,
        false,
    ));
    // One proof per call, as botocore's before-call handler adds it: retries resend it.
    let proof = key.proof(&url, iat).map_err(|why| {
        Error::new(
            ErrorKind::LoginRequired,
            format!("the aws login DPoP key {why}"),
        )
    })?;
    let request = HttpRequest::post(url.clone(), body.as_bytes().to_vec())
        .header("Content-Type", "application/json")
        .header("DPoP", proof);
    let response = match retry::send(ctx.env, &request, retry::standard) {
        Ok(sent) => sent.response,
        Err(e) => return Ok(Err(Failure::Unreachable(e))),
    };
    if response.status != 200 {
        let secrets = [refresh_token];
        let (code, message) = aws_json::error_code(&response, &secrets);
        let body: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
        let error = body
            .get("error")
            .and_then(Value::as_str)
            .map(|e| quoted(e, &secrets, MAX_SHOWN))
            .unwrap_or_default();
        let detail = format!(
            "{code}{}: {message} (HTTP {})",
            if error.is_empty() {
                String::new()
            } else {
                format!(" {error}")
            },
            response.status
        );
        return Ok(Err(match (code.as_str(), error.as_str()) {
            ("AccessDeniedException", "TOKEN_EXPIRED" | "USER_CREDENTIALS_CHANGED") => {
                Failure::LoginAgain(detail)
            }
            ("AccessDeniedException", "INSUFFICIENT_PERMISSIONS") => Failure::Permissions(detail),
            _ => Failure::Service(detail),
        }));
    }
    Ok(parse(&response.body, now))
}

fn parse(body: &[u8], now: SystemTime) -> Result<Refreshed, Failure> {
    let Ok(doc) = serde_json::from_slice::<Value>(body) else {
        return Err(Failure::BadAnswer("is not JSON"));
    };
    let at = &doc["accessToken"];
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let (Some(ak), Some(sk), Some(st), Some(rt)) = (
        text(at, "accessKeyId"),
        text(at, "secretAccessKey"),
        text(at, "sessionToken"),
        text(&doc, "refreshToken"),
    ) else {
        return Err(Failure::BadAnswer(
            "lacks accessToken.accessKeyId, secretAccessKey, sessionToken or refreshToken",
        ));
    };
    let Some(expires_in) = doc.get("expiresIn").and_then(Value::as_u64) else {
        return Err(Failure::BadAnswer("lacks a whole number expiresIn"));
    };
    // botocore: now (to the microsecond) plus expiresIn, written to the second.
    let expires_at = now
        .checked_add(Duration::from_secs(expires_in))
        .unwrap_or(now);
    Ok(Refreshed {
        access_key_id: ak,
        secret_access_key: Zeroizing::new(sk),
        session_token: Zeroizing::new(st),
        refresh_token: Zeroizing::new(rt),
        expires_at,
    })
}

/// The region the Sign-In client uses: the token's `signInRegion`, else the client
/// region of the selected profile (`AWS_DEFAULT_REGION`, its `region`), checked as a
/// host-name label.
pub(crate) fn region(
    ctx: &ChainContext<'_>,
    sign_in_region: Option<&str>,
) -> Result<String, Error> {
    let (region, from) = match sign_in_region {
        Some(r) => (
            r.to_owned(),
            "the signInRegion of the aws login token".to_owned(),
        ),
        None => match crate::credentials::sts::client_region(ctx) {
            Some(r) => (
                r,
                format!(
                    "the region of profile {} (or AWS_DEFAULT_REGION)",
                    shown(ctx.top_profile, MAX_SHOWN)
                ),
            ),
            None => {
                return Err(Error::new(
                    ErrorKind::InvalidConfig,
                    format!(
                        "You must specify a region. (The aws login token has no signInRegion, \
                         so the Sign-In service is called in the region of profile {}; set \
                         `region` there, or run `aws login --profile {}` again)",
                        shown(ctx.top_profile, MAX_SHOWN),
                        shown(ctx.profile, MAX_SHOWN)
                    ),
                ));
            }
        },
    };
    services::check_region(&region, &from)?;
    Ok(region)
}

#[cfg(test)]
mod tests {
    use super::rules;

    /// What botocore 1.44.8's resolver gives for `CreateOAuth2Token` (printed by
    /// `create_client('signin', region_name=R, config=Config(use_fips_endpoint=…,
    /// use_dualstack_endpoint=…))._ruleset_resolver.construct_endpoint(…)`).
    #[test]
    fn the_rules_give_botocores_hosts() {
        let cases = [
            (
                "us-east-1",
                false,
                false,
                "https://us-east-1.signin.aws.amazon.com",
            ),
            ("us-east-1", false, true, "https://signin.us-east-1.api.aws"),
            (
                "us-east-1",
                true,
                false,
                "https://signin-fips.us-east-1.amazonaws.com",
            ),
            (
                "us-east-1",
                true,
                true,
                "https://signin-fips.us-east-1.api.aws",
            ),
            (
                "eu-west-1",
                false,
                false,
                "https://eu-west-1.signin.aws.amazon.com",
            ),
            (
                "cn-north-1",
                false,
                false,
                "https://cn-north-1.signin.amazonaws.cn",
            ),
            (
                "cn-north-1",
                false,
                true,
                "https://signin.cn-north-1.api.amazonwebservices.com.cn",
            ),
            (
                "cn-north-1",
                true,
                false,
                "https://signin-fips.cn-north-1.amazonaws.com.cn",
            ),
            (
                "us-gov-west-1",
                false,
                false,
                "https://us-gov-west-1.signin.amazonaws-us-gov.com",
            ),
            (
                "us-gov-west-1",
                true,
                false,
                "https://signin-fips.amazonaws-us-gov.com",
            ),
            (
                "us-gov-west-1",
                false,
                true,
                "https://signin.us-gov-west-1.api.aws",
            ),
            (
                "us-gov-west-1",
                true,
                true,
                "https://signin-fips.us-gov-west-1.api.aws",
            ),
            (
                "us-iso-east-1",
                false,
                false,
                "https://us-iso-east-1.signin.c2shome.ic.gov",
            ),
            (
                "us-iso-east-1",
                true,
                false,
                "https://signin-fips.us-iso-east-1.c2s.ic.gov",
            ),
            (
                "eu-isoe-west-1",
                false,
                false,
                "https://eu-isoe-west-1.signin.csphome.adc-e.uk",
            ),
            (
                "us-isof-south-1",
                true,
                false,
                "https://signin-fips.us-isof-south-1.csp.hci.ic.gov",
            ),
            (
                "eusc-de-east-1",
                false,
                false,
                "https://eusc-de-east-1.signin.amazonaws-eusc.eu",
            ),
            (
                "eusc-de-east-1",
                true,
                true,
                "https://signin-fips.eusc-de-east-1.api.amazonwebservices.eu",
            ),
            (
                "xx-fake-1",
                false,
                false,
                "https://xx-fake-1.signin.aws.amazon.com",
            ),
            (
                "xx-fake-1",
                true,
                false,
                "https://signin-fips.xx-fake-1.amazonaws.com",
            ),
        ];
        for (region, fips, dual, want) in cases {
            assert_eq!(
                rules(region, fips, dual),
                want,
                "{region} fips={fips} dual={dual}"
            );
        }
    }
}
