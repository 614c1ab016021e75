//! botocore's "standard" retry mode for the calls the providers make: up to 3 attempts
//! when the answer is a 5xx or 429 (or what `retryable` adds, e.g. STS throttling) or
//! the connection failed; timeouts and other errors are final at once, so a dead
//! endpoint costs one timeout, not three.

use std::time::Duration;

use crate::env::{Environment, HttpError, HttpErrorKind, HttpRequest, HttpResponse};

/// Attempts in all, as botocore's standard mode.
pub(crate) const ATTEMPTS: u32 = 3;

/// What came back, and how many retries it took.
pub(crate) struct Sent {
    pub(crate) response: HttpResponse,
    /// Attempts beyond the first (botocore's "reached max retries: N").
    pub(crate) retries: u32,
}

/// Sends `request`, retrying as above. The last answer is returned whatever its status;
/// the caller decides what an error status means.
pub(crate) fn send(
    env: &dyn Environment,
    request: &HttpRequest,
    retryable: fn(&HttpResponse) -> bool,
) -> Result<Sent, HttpError> {
    let mut attempt = 1;
    loop {
        let outcome = env.http(request);
        let again = match &outcome {
            Ok(r) => r.status >= 500 || r.status == 429 || retryable(r),
            Err(e) => e.kind() == HttpErrorKind::Connect,
        };
        if !again || attempt == ATTEMPTS {
            return outcome.map(|response| Sent {
                response,
                retries: attempt - 1,
            });
        }
        // Short, growing pauses: a git command should not sit out a long backoff.
        std::thread::sleep(Duration::from_millis(100 << attempt));
        attempt += 1;
    }
}

/// For callers with nothing to add to the standard rule.
pub(crate) fn standard(_: &HttpResponse) -> bool {
    false
}
