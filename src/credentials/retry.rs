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
            // A success is final whatever its body says: botocore reads error codes
            // (throttling) only from error answers.
            Ok(r) => r.status >= 500 || r.status == 429 || (r.status >= 300 && retryable(r)),
            Err(e) => e.kind() == HttpErrorKind::Connect,
        };
        if !again || attempt == ATTEMPTS {
            return outcome.map(|response| Sent {
                response,
                retries: attempt - 1,
            });
        }
        // Short, growing pauses: a git command should not sit out a long backoff.
        env.sleep(Duration::from_millis(100 << attempt));
        attempt += 1;
    }
}

/// For callers with nothing to add to the standard rule.
pub(crate) fn standard(_: &HttpResponse) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;
    use crate::env::{HttpClient, MemoryEnvironment};

    struct Counting(Arc<AtomicU32>, u16);

    impl HttpClient for Counting {
        fn send(&self, _: &HttpRequest) -> Result<HttpResponse, HttpError> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Ok(HttpResponse {
                status: self.1,
                headers: Vec::new(),
                body: b"<Error><Code>Throttling</Code></Error>".to_vec(),
            })
        }
    }

    fn attempts(status: u16) -> (u32, u32) {
        let calls = Arc::new(AtomicU32::new(0));
        let env = MemoryEnvironment::new().with_http_client(Counting(Arc::clone(&calls), status));
        let sent = send(&env, &HttpRequest::get("http://127.0.0.1:1/"), |_| true).unwrap();
        (calls.load(Ordering::SeqCst), sent.retries)
    }

    /// Found writing the `sts_xml` fuzz target (its throttling seed paused every run): a
    /// 200 answer whose body held a throttling error code was sent twice more, with
    /// 600 ms of pauses, before being read as malformed.
    #[test]
    fn a_success_is_never_retried_whatever_its_body() {
        assert_eq!(attempts(200), (1, 0));
        assert_eq!(attempts(400), (ATTEMPTS, ATTEMPTS - 1));
    }

    /// The pauses go through the environment: a memory environment records them and
    /// moves its clock instead of waiting.
    #[test]
    fn pauses_grow_and_go_through_the_environment() {
        let calls = Arc::new(AtomicU32::new(0));
        let env = MemoryEnvironment::new().with_http_client(Counting(Arc::clone(&calls), 503));
        let before = env.now();
        send(&env, &HttpRequest::get("http://127.0.0.1:1/"), standard).unwrap();
        let pauses = [Duration::from_millis(200), Duration::from_millis(400)];
        assert_eq!(env.slept(), pauses);
        assert_eq!(env.now(), before + pauses[0] + pauses[1]);
    }
}
