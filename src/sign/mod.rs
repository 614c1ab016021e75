//! SigV4 signing of CodeCommit Git URLs, byte for byte as git-remote-codecommit does it.
//!
//! | owns | must not |
//! |---|---|
//! | canonical request, signing key cache, `SignedUrl` | read files or env |
//!
//! The layout (`reference/behavior.md` §1.7–§1.10) is SigV4 with CodeCommit's twists:
//!
//! ```text
//! canonical request  GIT\n/v1/repos/REPO\n\nhost:HOST\n\nhost\n      (no payload hash)
//! string to sign     AWS4-HMAC-SHA256\nYYYYMMDDTHHMMSS\nDATE/REGION/codecommit/aws4_request\nHEX(SHA256(creq))
//!                                      ^ no Z here
//! password           YYYYMMDDTHHMMSSZ + HEX(HMAC(kSigning, string to sign))
//! username           percent-encode(ACCESS_KEY [+ "%" + SESSION_TOKEN]), nothing left safe but A-Z a-z 0-9 _ . - ~
//! url                https://USERNAME:PASSWORD@HOST/v1/repos/REPO
//! ```
//!
//! The session token is not signed; it rides in the username.
//!
//! # Why hand-written
//!
//! This is the hot path of the crate. [`aws_sigv4`] computes the same bytes (a test checks
//! it on every vector) but takes owned strings and builds the canonical request and the
//! string to sign as `String`s. Here both are streamed into the hash and the HMAC without
//! being assembled, the signing key is derived once per (secret, date, region) and kept
//! as a keyed HMAC state, and the only allocation is the output URL, sized exactly.
//! `benches/sign.rs` measures both.

use std::fmt;

use hmac::Mac;
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use crate::remote::RepositoryName;

mod key;
mod time;

pub(crate) use key::KeyCache;
// The SigV4 steps below [`Signer`], reachable for the tests and benchmarks only.
#[doc(hidden)]
pub use key::SigningKey;
pub use time::SigningTime;
pub(crate) use time::days_from_civil;

/// The SigV4 service name CodeCommit Git URLs are signed for.
pub const SERVICE: &str = "codecommit";

/// The protocol version segment of the path, `/v1/repos/…`.
pub const VERSION: &str = "v1";

const PATH_PREFIX: &str = "/v1/repos/";

/// Signs CodeCommit Git URLs, caching derived signing keys between calls.
///
/// A `Signer` is cheap to share: it is `Sync`, and signing takes `&self`.
///
/// ```
/// use codecommit_auth::{Region, RepositoryName, SigningTime};
/// use codecommit_auth::sign::{Signer, UrlRequest};
///
/// let signer = Signer::new();
/// let url = signer.sign(&UrlRequest {
///     access_key_id: "access",
///     secret_access_key: "secret",
///     session_token: None,
///     region: Region::new("us-west-2")?.name(),
///     host: "git-codecommit.us-west-2.amazonaws.com",
///     repository: &RepositoryName::new("test_repo")?,
///     time: SigningTime::from_unix(1_514_116_400)?,
/// });
/// assert_eq!(
///     url.as_str(),
///     "https://access:20171224T115320Zb6df2d758a8023b2f000a546417007b65494f3ce8ad0300fd45fcfa173f1959a\
///      @git-codecommit.us-west-2.amazonaws.com/v1/repos/test_repo"
/// );
/// # Ok::<(), codecommit_auth::Error>(())
/// ```
#[derive(Debug)]
pub struct Signer {
    keys: KeyCache,
}

impl Signer {
    /// A signer with an empty key cache.
    pub fn new() -> Signer {
        Signer {
            keys: KeyCache::new(),
        }
    }

    /// Signs one URL, deriving the signing key only if this signer has not seen the
    /// (secret, date, region) before.
    pub fn sign(&self, request: &UrlRequest<'_>) -> SignedUrl {
        let timestamp = request.time.timestamp();
        let (entry, creq_hex) = self.keys.get_with_request(
            &key::Credentials {
                access_key_id: request.access_key_id,
                secret: request.secret_access_key,
                token: request.session_token.unwrap_or_default(),
                date: &timestamp[..8],
                region: request.region,
            },
            Some((request.host, request.repository.as_str())),
        );
        let signature = string_to_sign_mac(entry.key.mac(), &creq_hex, timestamp, request);
        assemble(
            &entry.username,
            entry.access_key_len,
            &signature,
            timestamp,
            request,
        )
    }

    /// Forgets every cached signing key (for instance after credentials rotate).
    pub fn clear_cache(&self) {
        self.keys.clear();
    }
}

impl Default for Signer {
    fn default() -> Self {
        Signer::new()
    }
}

/// Everything a signed URL depends on.
///
/// Fields are borrowed: building a request allocates nothing.
#[derive(Clone, Copy)]
pub struct UrlRequest<'a> {
    /// The access key id; first part of the username.
    pub access_key_id: &'a str,
    /// The secret access key; only the signing key is derived from it.
    pub secret_access_key: &'a str,
    /// The session token of temporary credentials; appended to the username after `%`.
    /// `None` and `Some("")` both mean no token.
    pub session_token: Option<&'a str>,
    /// The signing region, e.g. `us-east-1`. It stays the repository's region even when
    /// the host is overridden.
    pub region: &'a str,
    /// The Git host, e.g. `git-codecommit.us-east-1.amazonaws.com`, signed verbatim
    /// (a port included).
    pub host: &'a str,
    /// The repository.
    pub repository: &'a RepositoryName,
    /// The signing time.
    pub time: SigningTime,
}

impl fmt::Debug for UrlRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UrlRequest")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("session_token", &self.session_token.map(|_| "<redacted>"))
            .field("region", &self.region)
            .field("host", &self.host)
            .field("repository", &self.repository)
            .field("time", &self.time)
            .finish()
    }
}

/// Signs one URL with an already derived key.
///
/// `key` must have been derived for `request`'s secret, date and region in the
/// `codecommit` service; [`Signer::sign`] takes care of that.
#[doc(hidden)]
pub fn sign_with_key(key: &SigningKey, request: &UrlRequest<'_>) -> SignedUrl {
    sign_with_mac(key.mac(), request)
}

/// [`sign_with_key`]: the username is encoded for this one URL.
fn sign_with_mac(mac: key::HmacSha256, request: &UrlRequest<'_>) -> SignedUrl {
    let timestamp = request.time.timestamp();
    let creq_hex = canonical_request_hash_hex(request.host, request.repository.as_str());
    let signature = string_to_sign_mac(mac, &creq_hex, timestamp, request);
    let token = request.session_token.filter(|t| !t.is_empty());
    let access_key_len = encoded_len(request.access_key_id);
    let mut username = Zeroizing::new(String::with_capacity(
        access_key_len + token.map_or(0, |t| 3 + encoded_len(t)),
    ));
    percent_encode_into(request.access_key_id, &mut username);
    if let Some(token) = token {
        username.push_str("%25");
        percent_encode_into(token, &mut username);
    }
    assemble(&username, access_key_len, &signature, timestamp, request)
}

/// The signature's 64 hex digits: the keyed HMAC of the string to sign, fed piece by
/// piece (the string itself is never built).
fn string_to_sign_mac(
    mut mac: key::HmacSha256,
    creq_hex: &[u8; 64],
    timestamp: &str,
    request: &UrlRequest<'_>,
) -> [u8; 64] {
    mac.update(b"AWS4-HMAC-SHA256\n");
    mac.update(timestamp.as_bytes());
    mac.update(b"\n");
    mac.update(&timestamp.as_bytes()[..8]);
    mac.update(b"/");
    mac.update(request.region.as_bytes());
    mac.update(b"/codecommit/aws4_request\n");
    mac.update(creq_hex);
    let signature: [u8; 32] = mac.finalize().into_bytes().into();
    let mut sig_hex = [0u8; 64];
    hex_encode(&signature, &mut sig_hex);
    sig_hex
}

/// Writes the URL once, into a buffer of exactly its size.
fn assemble(
    username: &str,
    access_key_len: usize,
    sig_hex: &[u8; 64],
    timestamp: &str,
    request: &UrlRequest<'_>,
) -> SignedUrl {
    let mut url = String::with_capacity(
        "https://".len()
            + username.len()
            + 1
            + PASSWORD_LEN
            + 1
            + request.host.len()
            + PATH_PREFIX.len()
            + request.repository.as_str().len(),
    );
    url.push_str("https://");
    url.push_str(username);
    let username_end = url.len();
    url.push(':');
    url.push_str(timestamp);
    url.push('Z');
    // The buffer holds only ASCII hex digits.
    url.push_str(std::str::from_utf8(sig_hex).unwrap_or_default());
    let password_end = url.len();
    url.push('@');
    url.push_str(request.host);
    let host_end = url.len();
    url.push_str(PATH_PREFIX);
    url.push_str(request.repository.as_str());
    debug_assert_eq!(url.len(), url.capacity());

    SignedUrl {
        url,
        username_end,
        password_end,
        host_end,
        access_key_end: "https://".len() + access_key_len,
    }
}

const PASSWORD_LEN: usize = 15 + 1 + 64;

/// SHA-256 of the canonical request, streamed: the request itself is never built.
fn canonical_request_hash(host: &str, repository: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"GIT\n");
    h.update(PATH_PREFIX.as_bytes());
    h.update(repository.as_bytes());
    h.update(b"\n\nhost:");
    h.update(host.as_bytes());
    h.update(b"\n\nhost\n");
    h.finalize().into()
}

/// [`canonical_request_hash`] in lower-case hex, as the string to sign carries it.
fn canonical_request_hash_hex(host: &str, repository: &str) -> [u8; 64] {
    let mut hex = [0u8; 64];
    hex_encode(&canonical_request_hash(host, repository), &mut hex);
    hex
}

/// The canonical request as text, for tests and `--explain`-style output.
#[doc(hidden)]
pub fn canonical_request(host: &str, repository: &RepositoryName) -> String {
    format!("GIT\n{PATH_PREFIX}{repository}\n\nhost:{host}\n\nhost\n")
}

/// The string to sign as text, for tests and diagnostics.
#[doc(hidden)]
pub fn string_to_sign(
    host: &str,
    repository: &RepositoryName,
    region: &str,
    time: &SigningTime,
) -> String {
    let hash = canonical_request_hash_hex(host, repository.as_str());
    format!(
        "AWS4-HMAC-SHA256\n{}\n{}/{region}/{SERVICE}/aws4_request\n{}",
        time.timestamp(),
        time.date(),
        std::str::from_utf8(&hash).unwrap_or_default()
    )
}

fn hex_encode(bytes: &[u8; 32], out: &mut [u8; 64]) {
    for (pair, &b) in out.chunks_exact_mut(2).zip(bytes) {
        let at = 2 * usize::from(b);
        pair.copy_from_slice(&HEX_PAIRS.as_bytes()[at..at + 2]);
    }
}

/// `"000102…ff"`: a byte's two lower-case hex digits are one copy away.
const HEX_PAIRS: &str = {
    const BYTES: [u8; 512] = {
        let digits = b"0123456789abcdef";
        let mut out = [0u8; 512];
        let mut b = 0;
        while b < 256 {
            out[2 * b] = digits[b >> 4];
            out[2 * b + 1] = digits[b & 0x0f];
            b += 1;
        }
        out
    };
    match std::str::from_utf8(&BYTES) {
        Ok(s) => s,
        Err(_) => panic!("hex digits are ASCII"),
    }
};

/// `"%00%01…%FF"`: a reserved byte's escape is one copy away (upper-case, as Python).
const ESCAPES: &str = {
    const BYTES: [u8; 768] = {
        let digits = b"0123456789ABCDEF";
        let mut out = [0u8; 768];
        let mut b = 0;
        while b < 256 {
            out[3 * b] = b'%';
            out[3 * b + 1] = digits[b >> 4];
            out[3 * b + 2] = digits[b & 0x0f];
            b += 1;
        }
        out
    };
    match std::str::from_utf8(&BYTES) {
        Ok(s) => s,
        Err(_) => panic!("escapes are ASCII"),
    }
};

/// Python's `quote(s, safe="")` keeps these bytes as they are: ASCII letters and digits
/// and `_.-~`. A table, because signing classifies every byte of the session token.
const UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-' | b'~');
        b += 1;
    }
    table
};

fn encoded_len(s: &str) -> usize {
    s.bytes()
        .map(|b| if UNRESERVED[usize::from(b)] { 1 } else { 3 })
        .sum()
}

/// `s` percent-encoded as Python's `quote(s, safe="")` does it (also right for query
/// values, which botocore encodes with the same unreserved set).
pub(crate) fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(encoded_len(s));
    percent_encode_into(s, &mut out);
    out
}

fn percent_encode_into(s: &str, out: &mut String) {
    // Copy runs of unreserved bytes in one go: access keys are entirely unreserved.
    let bytes = s.as_bytes();
    let mut run_start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !UNRESERVED[usize::from(b)] {
            // A run of unreserved bytes is ASCII, so both ends are char boundaries.
            if run_start < i {
                out.push_str(&s[run_start..i]);
            }
            let at = 3 * usize::from(b);
            out.push_str(&ESCAPES[at..at + 3]);
            run_start = i + 1;
        }
    }
    out.push_str(&s[run_start..]);
}

/// A signed CodeCommit Git URL, `https://USERNAME:PASSWORD@HOST/v1/repos/REPOSITORY`.
///
/// The URL is a credential: its password is valid for about 15 minutes and its username
/// carries the session token. `Debug` shows the access key id, host and path but redacts
/// the password and token; there is deliberately no `Display`. The text is zeroized when
/// the value is dropped. Only [`Signer`] and [`sign_with_key`] make one.
pub struct SignedUrl {
    url: String,
    /// End of the percent-encoded access key id inside `url`.
    access_key_end: usize,
    username_end: usize,
    password_end: usize,
    host_end: usize,
}

impl SignedUrl {
    /// The whole URL, to hand to git. It contains the password and session token.
    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// The percent-encoded username: the access key id, plus `%25` and the encoded
    /// session token for temporary credentials.
    pub fn username(&self) -> &str {
        &self.url["https://".len()..self.username_end]
    }

    /// The password: `YYYYMMDDTHHMMSSZ` followed by the 64-hex-digit signature.
    pub fn password(&self) -> &str {
        &self.url[self.username_end + 1..self.password_end]
    }

    /// The signature alone, 64 lower-case hex digits.
    pub fn signature(&self) -> &str {
        &self.password()[16..]
    }

    /// The host, exactly as signed.
    pub fn host(&self) -> &str {
        &self.url[self.password_end + 1..self.host_end]
    }

    /// The path, `/v1/repos/REPOSITORY`.
    pub fn path(&self) -> &str {
        &self.url[self.host_end..]
    }

    /// The URL without its credentials, `https://HOST/v1/repos/REPOSITORY`: safe to log.
    pub fn redacted(&self) -> String {
        format!("https://{}{}", self.host(), self.path())
    }

    /// Moves the URL out. The caller becomes responsible for not leaking it.
    pub fn into_string(mut self) -> String {
        std::mem::take(&mut self.url)
    }
}

impl fmt::Debug for SignedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let has_token = self.username_end > self.access_key_end;
        f.debug_struct("SignedUrl")
            .field(
                "access_key_id",
                &&self.url["https://".len()..self.access_key_end],
            )
            .field("session_token", &has_token.then_some("<redacted>"))
            .field("password", &"<redacted>")
            .field("host", &self.host())
            .field("path", &self.path())
            .finish()
    }
}

impl Clone for SignedUrl {
    fn clone(&self) -> Self {
        SignedUrl {
            url: self.url.clone(),
            ..*self
        }
    }
}

impl PartialEq for SignedUrl {
    fn eq(&self, other: &Self) -> bool {
        self.url == other.url
    }
}

impl Eq for SignedUrl {}

impl Drop for SignedUrl {
    fn drop(&mut self) {
        wipe(&mut self.url);
    }
}

/// Overwrites the whole buffer of `text` (its capacity, not only its length) with zeros
/// and empties it.
///
/// `String::zeroize` does the same, but one volatile byte store at a time for the text
/// (`Vec<u8>`'s elements); for a URL carrying a 1,000-character session token that costs
/// more than the signature's hashing. `[u8]::zeroize` (zeroize ≥ 1.9) is one `memset`
/// followed by an optimization barrier the compiler must assume reads the bytes, so the
/// stores cannot be dropped as dead even though the buffer is freed right after.
/// `tests/secrets.rs` checks the freed buffer holds no secret.
pub(crate) fn wipe(text: &mut String) {
    let mut bytes = std::mem::take(text).into_bytes();
    // The spare capacity too (a no-op for a SignedUrl, which is built to its exact size).
    bytes.resize(bytes.capacity(), 0);
    bytes.as_mut_slice().zeroize();
    bytes.clear();
    *text = String::from_utf8(bytes).unwrap_or_default();
}

#[cfg(test)]
mod tests;
