//! `aws login` in tests: the Sign-In stand-in (`tests/oracle/signin_server.py`, which
//! checks every DPoP proof with Python's `cryptography`, independently of our ring
//! signer and of botocore's AWS CRT), token files as `aws login` writes them, and the
//! reference venv with `botocore[crt]` (`tests/oracle/login_venv.sh` makes it).
//!
//! Without that venv the tests that need it skip loudly; under `CI=true` they fail.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use codecommit_auth::env::{HttpClient, HttpRequest, HttpsClient, MemoryEnvironment};
use serde_json::{Value, json};

/// The session every login test profile names.
pub const SESSION: &str = "arn:aws:iam::123456789012:user/dev";
/// The client id `aws login` registers as.
pub const CLIENT_ID: &str = "arn:aws:signin:::devtools/same-device";
/// A P-256 key made by the AWS CRT the way `aws login` makes its keys (SEC1 PEM), for
/// tests only.
pub const KEY_PEM: &str = "-----BEGIN EC PRIVATE KEY-----\n\
MHcCAQEEIKK7d6YwtVsVJLlK+oNqr4YPtpcNCRc9Hx1VvDqR9JTOoAoGCCqGSM49\n\
AwEHoUQDQgAEg8hWebAnpwlsOBbCiekjUzTmHMV90Wx9Fj0dPubvxxUcas9W0Oci\n\
XK3qUMD4GwKAvHzXp+xresXeeMTJaE1vuA==\n\
-----END EC PRIVATE KEY-----\n";

/// The same key as PKCS#8 (`PRIVATE KEY`), which botocore reads too.
pub const PKCS8_PEM: &str = "-----BEGIN PRIVATE KEY-----\n\
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgort3pjC1WxUkuUr6\n\
g2qvhg+2lw0JFz0fHVW8OpH0lM6hRANCAASDyFZ5sCenCWw4FsKJ6SNTNOYcxX3R\n\
bH0WPR0+5u/HFRxqz1bQ5yJcrepQwPgbAoC8fNen7Gt6xd54xMloTW+4\n\
-----END PRIVATE KEY-----\n";
/// A key the AWS CRT wrote with its private scalar's leading zero byte dropped (31
/// bytes), as it does about once in 256 logins; the CRT cannot load it back.
pub const SHORT_PEM: &str = "-----BEGIN EC PRIVATE KEY-----\n\
MHYCAQEEHwuuUFbeCisEQr7+7iJxrJ8gLkwAAInDoJGQmgIQ7aagCgYIKoZIzj0D\n\
AQehRANCAASWDJ+kAX8hrdlxYVQqHJy/N/h140/fwJbuerWw1E1KwPOA+jSN53qJ\n\
SDVD1feymeDY11axGV9TxKyEmSoEHdkR\n\
-----END EC PRIVATE KEY-----\n";

/// The Python of the venv with `botocore[crt]`, git-remote-codecommit and
/// `cryptography` (`login-venv`; see [`super::venv`]).
pub fn python() -> Option<PathBuf> {
    super::venv::login()
}

/// The file name `aws login` gives session `session`'s token: SHA-256 hex + `.json`.
pub fn token_file_name(session: &str) -> String {
    use sha2::{Digest, Sha256};
    format!("{}.json", hex::encode(Sha256::digest(session.as_bytes())))
}

/// `YYYY-MM-DDTHH:MM:SSZ` for a Unix time.
pub fn iso(unix: u64) -> String {
    super::sso::iso(unix as i64)
}

/// A token file as `aws login` leaves it: credentials `(key, secret, token)` expiring
/// at `expires_at` (Unix), refresh token `refresh`, the CRT key, sign-in region
/// us-east-1, and an `idToken` the rewrite must keep.
pub fn token_doc(credentials: (&str, &str, &str), expires_at: u64, refresh: &str) -> Value {
    token_doc_with_key(credentials, expires_at, refresh, KEY_PEM)
}

/// [`token_doc`] with another `dpopKey`.
pub fn token_doc_with_key(
    credentials: (&str, &str, &str),
    expires_at: u64,
    refresh: &str,
    key: &str,
) -> Value {
    json!({
        "accessToken": {
            "accessKeyId": credentials.0,
            "secretAccessKey": credentials.1,
            "sessionToken": credentials.2,
            "accountId": "123456789012",
            "expiresAt": iso(expires_at),
        },
        "tokenType": "aws_sigv4",
        "refreshToken": refresh,
        "idToken": "id-token-kept",
        "clientId": CLIENT_ID,
        "dpopKey": key,
        "signInRegion": "us-east-1",
    })
}

/// What the stand-in hands out for its `n`-th refresh: key, secret, session token.
pub fn issued(n: u32) -> (String, String, String) {
    (
        format!("ASIALOGIN{n:010}"),
        format!("login-secret-{n}"),
        format!("login-token-{n}/+="),
    )
}

/// The running stand-in; killed (and reaped) when dropped.
pub struct SignIn {
    child: Child,
    port: u16,
}

impl SignIn {
    /// Starts it with `python` (see [`python`]) and `args`.
    pub fn start(python: &Path, args: &[&str]) -> SignIn {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/signin_server.py");
        let mut child = Command::new(python)
            .arg("-I")
            .arg(script)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the Sign-In stand-in");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().parse().expect("the stand-in prints its port");
        SignIn { child, port }
    }

    /// `http://127.0.0.1:PORT`: for `AWS_ENDPOINT_URL_SIGNIN`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// What happened so far: `issued`, `accepted`, `rejected` (reasons), `proofs`.
    pub fn state(&self) -> Value {
        self.call(HttpRequest::get(format!("{}/state", self.url())))
    }

    /// Moves its clock, revokes the refresh token, or replays a request (see the
    /// script's doc).
    pub fn control(&self, doc: &Value) -> Value {
        self.call(HttpRequest::post(
            format!("{}/control", self.url()),
            doc.to_string().into_bytes(),
        ))
    }

    /// How many refreshes it granted.
    pub fn issued_count(&self) -> u64 {
        self.state()["issued"].as_u64().unwrap()
    }

    fn call(&self, request: HttpRequest) -> Value {
        let client = HttpsClient::from_environment(&MemoryEnvironment::new());
        let response = client.send(&request).expect("the stand-in answers");
        serde_json::from_slice(&response.body).unwrap()
    }
}

impl Drop for SignIn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
