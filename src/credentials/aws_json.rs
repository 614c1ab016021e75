//! AWS JSON error answers (the SSO portal, SSO OIDC): the error code and message,
//! quoted safely for an error of ours. Shared by `sso/portal.rs` and `sso/token.rs`, so
//! neither imports the other for it.

use serde_json::Value;

use crate::env::HttpResponse;
use crate::error::{MAX_SHOWN, masked, quoted};

/// The error code and message of an AWS JSON error answer: the code from the
/// `x-amzn-ErrorType` header or the body's `__type`/`code`, the message from `message`;
/// each with the `secrets` sent in the request masked, should the service echo them.
pub(crate) fn error_code(response: &HttpResponse, secrets: &[&str]) -> (String, String) {
    let body: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
    // The answer's words, escaped rather than filtered: dropping a control character
    // could join the text around it into something the server never sent whole.
    let clean = |s: &str| {
        let s = masked(s, secrets);
        let s = s.split(':').next().unwrap_or(&s);
        quoted(s.rsplit('#').next().unwrap_or(s), &[], MAX_SHOWN)
    };
    let code = response
        .header("x-amzn-errortype")
        .map(clean)
        .or_else(|| body.get("__type").and_then(Value::as_str).map(clean))
        .or_else(|| body.get("code").and_then(Value::as_str).map(clean))
        .unwrap_or_else(|| format!("HTTP {}", response.status));
    let message = ["message", "Message", "error_description"]
        .iter()
        .find_map(|k| body.get(*k).and_then(Value::as_str))
        .map(|m| quoted(m, secrets, 500))
        .unwrap_or_default();
    (code, message)
}
