//! The DPoP proof of an `aws login` refresh: an ES256 JWT over the token's `dpopKey`
//! (RFC 9449), exactly as botocore's `_build_dpop_header` builds it.
//!
//! The key is the EC P-256 private key `aws login` leaves in the token file as PEM:
//! SEC1 (`EC PRIVATE KEY`) as the AWS CLI writes it, or PKCS#8 (`PRIVATE KEY`), which
//! botocore reads too. botocore strips the `-----BEGIN`/`-----END` lines and decodes the
//! rest as base64; so do we.
//!
//! # Why `ring`
//!
//! The signature comes from `ring`, which the default build already carries for TLS
//! (rustls): no new crate, no extra build time, no new licence for `cargo deny`, and
//! the same constant-time P-256 code that checks every HTTPS certificate of ours. ring
//! reads keys only as PKCS#8 with the public key inside, so the DER is read here (a few
//! dozen lines) and the key pair is built from the raw private scalar and public point.
//! That is also how a key whose private scalar lost its leading zero byte (31 bytes: the
//! AWS CRT writes those about once in 256 logins, and then cannot load them itself) is
//! padded back to 32 bytes (DIFFERENCE; BOTOCORE: the CRT raises `RuntimeError: 7178
//! (AWS_ERROR_CAL_UNSUPPORTED_KEY_FORMAT)`, which escapes botocore's `except ValueError`,
//! and the profile cannot be refreshed until the next `aws login`). RustCrypto's `p256` would read SEC1 and PKCS#8 itself and
//! derive a missing public key, at the cost of a dozen new crates in every build.
//!
//! DIFFERENCE: a key without its public point (SEC1's optional `publicKey`) is refused
//! with a clear error; BOTOCORE: the CRT derives the point. `aws login` always writes it.

use std::fmt;

use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use serde_json::json;
use zeroize::Zeroizing;

use crate::credentials::pyjson::{self, Separators};

/// The OID of the P-256 curve (prime256v1, 1.2.840.10045.3.1.7), as DER content.
const P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// The OID of an EC public key (id-ecPublicKey, 1.2.840.10045.2.1), as DER content.
const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];

/// The token's DPoP key. No `Debug` of the key material: only its public half shows.
pub(crate) struct DpopKey {
    pair: EcdsaKeyPair,
    rng: SystemRandom,
}

impl fmt::Debug for DpopKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (x, _) = self.coordinates();
        f.debug_struct("DpopKey")
            .field("x", &x)
            .finish_non_exhaustive()
    }
}

impl DpopKey {
    /// Reads the PEM text of `dpopKey`. The error says what is wrong, never a byte of
    /// the key.
    pub(crate) fn from_pem(pem: &str) -> Result<DpopKey, &'static str> {
        // botocore: every line that does not start with `-----BEGIN` or `-----END`,
        // joined, stripped, base64-decoded.
        let body: Zeroizing<String> = Zeroizing::new(
            pem.lines()
                .filter(|l| !l.starts_with("-----BEGIN") && !l.starts_with("-----END"))
                .collect::<String>(),
        );
        let der = base64_decode(body.trim()).ok_or("is not base64 between its PEM lines")?;
        let (scalar, point) = ec_private_key(&der)?;
        // The AWS CRT sometimes writes a 31-byte scalar (its leading zero dropped):
        // pad it back to the curve's 32 bytes.
        let mut private = Zeroizing::new([0u8; 32]);
        if scalar.is_empty() || scalar.len() > 32 {
            return Err("has a private key that is not a P-256 scalar");
        }
        private[32 - scalar.len()..].copy_from_slice(scalar);
        let rng = SystemRandom::new();
        let pair = EcdsaKeyPair::from_private_key_and_public_key(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            &private[..],
            point,
            &rng,
        )
        .map_err(|_| "has a public key that does not belong to its private key")?;
        Ok(DpopKey { pair, rng })
    }

    /// The public point's coordinates, base64url without padding, 32 bytes each
    /// (leading zeros kept), as the `jwk` carries them.
    fn coordinates(&self) -> (String, String) {
        let point = self.pair.public_key().as_ref();
        // Uncompressed: 0x04 || X || Y.
        (base64url(&point[1..33]), base64url(&point[33..65]))
    }

    /// The `DPoP` header value for a `POST` to `htu` at Unix time `iat`: botocore's
    /// header and claims, in its key order, compact JSON.
    pub(crate) fn proof(&self, htu: &str, iat: u64) -> Result<String, &'static str> {
        let (x, y) = self.coordinates();
        let header = json!({
            "typ": "dpop+jwt",
            "alg": "ES256",
            "jwk": {"kty": "EC", "x": x, "y": y, "crv": "P-256"},
        });
        let claims = json!({
            "htm": "POST",
            "htu": htu,
            "iat": iat,
            "jti": self.uuid4()?,
        });
        let signing_input = format!(
            "{}.{}",
            base64url(pyjson::dumps(&header, Separators::Compact, false).as_bytes()),
            base64url(pyjson::dumps(&claims, Separators::Compact, false).as_bytes())
        );
        // ES256 as JWS wants it: r || s, 32 bytes each.
        let signature = self
            .pair
            .sign(&self.rng, signing_input.as_bytes())
            .map_err(|_| "could not be used to sign (no system randomness)")?;
        Ok(format!("{signing_input}.{}", base64url(signature.as_ref())))
    }

    /// A random (version 4) UUID, as Python's `str(uuid.uuid4())` writes it.
    fn uuid4(&self) -> Result<String, &'static str> {
        let mut b = [0u8; 16];
        self.rng
            .fill(&mut b)
            .map_err(|_| "could not be used to sign (no system randomness)")?;
        Ok(uuid4_text(b))
    }
}

/// 16 random bytes as a version 4 UUID, written as Python's `str(uuid.uuid4())` writes
/// one (lowercase, hyphenated): the DPoP proof's `jti`, the sign-in's `state`.
pub(crate) fn uuid4_text(mut b: [u8; 16]) -> String {
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// The private scalar and the uncompressed public point of a SEC1 `ECPrivateKey` or of
/// a PKCS#8 `PrivateKeyInfo` holding one, both for P-256.
fn ec_private_key(der: &[u8]) -> Result<(&[u8], &[u8]), &'static str> {
    const NOT: &str = "is not an EC private key (SEC1 or PKCS#8)";
    let mut outer = Der::new(der).sequence().ok_or(NOT)?;
    let _version = outer.take(0x02).ok_or(NOT)?;
    match outer.peek() {
        // SEC1: INTEGER 1, OCTET STRING key, [0] curve, [1] public key.
        Some(0x04) => sec1(outer),
        // PKCS#8: INTEGER 0 (or 1), SEQUENCE algorithm, OCTET STRING { ECPrivateKey }.
        Some(0x30) => {
            let mut algorithm = outer.take_der(0x30).ok_or(NOT)?;
            if algorithm.take(0x06) != Some(EC_PUBLIC_KEY) {
                return Err("is a PKCS#8 key of another algorithm than EC");
            }
            if algorithm.take(0x06) != Some(P256) {
                return Err("is an EC key on another curve than P-256");
            }
            let inner = outer.take(0x04).ok_or(NOT)?;
            let mut sec1_der = Der::new(inner).sequence().ok_or(NOT)?;
            sec1_der.take(0x02).ok_or(NOT)?;
            sec1(sec1_der)
        }
        _ => Err(NOT),
    }
}

/// The rest of an `ECPrivateKey` after its version.
fn sec1(mut key: Der<'_>) -> Result<(&[u8], &[u8]), &'static str> {
    let scalar = key
        .take(0x04)
        .ok_or("is not an EC private key (SEC1 or PKCS#8)")?;
    let mut point = None;
    while let Some(tag) = key.peek() {
        match tag {
            0xa0 => {
                let mut parameters = key.take_der(0xa0).ok_or("has broken EC parameters")?;
                if parameters.take(0x06) != Some(P256) {
                    return Err("is an EC key on another curve than P-256");
                }
            }
            0xa1 => {
                let mut public = key.take_der(0xa1).ok_or("has a broken public key")?;
                let bits = public.take(0x03).ok_or("has a broken public key")?;
                point = Some(bits);
            }
            _ => return Err("is not an EC private key (SEC1 or PKCS#8)"),
        }
    }
    match point {
        // BIT STRING: no unused bits, then 0x04 || X || Y.
        Some([0, rest @ ..]) if rest.len() == 65 && rest[0] == 0x04 => Ok((scalar, rest)),
        Some(_) => Err("has a public key that is not an uncompressed P-256 point"),
        None => Err("has no public key (aws login writes one; run it again)"),
    }
}

/// A DER reader over definite-length TLVs.
struct Der<'a>(&'a [u8]);

impl<'a> Der<'a> {
    fn new(bytes: &'a [u8]) -> Der<'a> {
        Der(bytes)
    }

    fn peek(&self) -> Option<u8> {
        self.0.first().copied()
    }

    /// The contents of the next element if its tag is `tag`.
    fn take(&mut self, tag: u8) -> Option<&'a [u8]> {
        let (&t, rest) = self.0.split_first()?;
        if t != tag {
            return None;
        }
        let (&first, mut rest) = rest.split_first()?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 2 || rest.len() < n {
                return None;
            }
            let (digits, after) = rest.split_at(n);
            rest = after;
            digits
                .iter()
                .fold(0usize, |acc, &d| (acc << 8) | usize::from(d))
        };
        if rest.len() < len {
            return None;
        }
        let (contents, after) = rest.split_at(len);
        self.0 = after;
        Some(contents)
    }

    /// The next element, if tagged `tag`, as a reader of its contents.
    fn take_der(&mut self, tag: u8) -> Option<Der<'a>> {
        self.take(tag).map(Der)
    }

    /// The whole input as one SEQUENCE, nothing after it.
    fn sequence(mut self) -> Option<Der<'a>> {
        let inner = self.take(0x30)?;
        self.0.is_empty().then_some(Der(inner))
    }
}

/// Base64url without padding (RFC 7515 §2).
pub(crate) fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// Standard base64 (whitespace ignored, padding optional), into zeroized memory;
/// `None` for any other character.
fn base64_decode(text: &str) -> Option<Zeroizing<Vec<u8>>> {
    let value = |c: u8| -> Option<u32> {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        Some(u32::from(v))
    };
    let digits: Zeroizing<Vec<u8>> = Zeroizing::new(
        text.bytes()
            .filter(|b| !b.is_ascii_whitespace())
            .collect::<Vec<u8>>(),
    );
    let digits = match digits.iter().position(|&b| b == b'=') {
        Some(i) if digits[i..].iter().all(|&b| b == b'=') && digits[i..].len() <= 2 => &digits[..i],
        Some(_) => return None,
        None => &digits[..],
    };
    if digits.len() % 4 == 1 {
        return None;
    }
    let mut out = Zeroizing::new(Vec::with_capacity(digits.len() * 3 / 4));
    for chunk in digits.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= value(c)? << (18 - 6 * i);
        }
        out.extend_from_slice(&acc.to_be_bytes()[1..chunk.len()]);
    }
    Some(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    // Made by the AWS CRT (awscrt 0.38, `EC.new_generate(P_256).export_key(SEC1)`), the
    // way `aws login` makes its keys; throw-away keys for tests only.
    const SEC1_HEX: &str = "30770201010420a2bb77a630b55b1524b94afa836aaf860fb6970d09173d1f1d55bc3a91f494cea00a06082a8648ce3d030107a1440342000483c85679b027a7096c3816c289e9235334e61cc57dd16c7d163d1d3ee6efc7151c6acf56d0e7225cadea50c0f81b0280bc7cd7a7ec6b7ac5de78c4c9684d6fb8";
    // One of the CRT's keys whose scalar lost its leading zero byte (31 bytes).
    const SHORT_HEX: &str = "3076020101041f0bae5056de0a2b0442befeee2271ac9f202e4c000089c3a091909a0210eda6a00a06082a8648ce3d030107a14403420004960c9fa4017f21add97161542a1c9cbf37f875e34fdfc096ee7ab5b0d44d4ac0f380fa348de77a89483543d5f7b299e0d8d756b1195f53c4ac84992a041dd911";

    /// The CRT-made SEC1 key as `aws login` writes it, for the provider's tests.
    pub(crate) fn sec1_pem() -> String {
        pem("EC PRIVATE KEY", &hex::decode(SEC1_HEX).unwrap())
    }

    /// `jwt` checked with the `jwk` it carries; its header.
    pub(crate) fn verified_header(jwt: &str) -> serde_json::Value {
        verify(jwt)
    }

    /// The claims of `jwt`.
    pub(crate) fn claims(jwt: &str) -> serde_json::Value {
        serde_json::from_slice(&b64url_decode(jwt.split('.').nth(1).unwrap())).unwrap()
    }

    fn pem(label: &str, der: &[u8]) -> String {
        // Standard alphabet with padding, as PEM has it.
        let mut b64 = url_to_standard(&base64url(der));
        while !b64.len().is_multiple_of(4) {
            b64.push('=');
        }
        let lines: Vec<&str> = b64
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        format!(
            "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
            lines.join("\n")
        )
    }

    /// PKCS#8 around a SEC1 key (what `openssl pkcs8 -topk8 -nocrypt` writes).
    fn pkcs8(sec1: &[u8]) -> Vec<u8> {
        let mut algorithm = vec![0x06, EC_PUBLIC_KEY.len() as u8];
        algorithm.extend_from_slice(EC_PUBLIC_KEY);
        algorithm.extend_from_slice(&[0x06, P256.len() as u8]);
        algorithm.extend_from_slice(P256);
        let mut body = vec![0x02, 0x01, 0x00, 0x30, algorithm.len() as u8];
        body.extend_from_slice(&algorithm);
        body.extend_from_slice(&[0x04, 0x81, sec1.len() as u8]);
        body.extend_from_slice(sec1);
        let mut out = vec![0x30, 0x81, body.len() as u8];
        out.extend_from_slice(&body);
        out
    }

    /// Base64url's two letters back to standard base64's.
    fn url_to_standard(s: &str) -> String {
        s.chars()
            .map(|c| match c {
                '-' => '+',
                '_' => '/',
                c => c,
            })
            .collect()
    }

    fn b64url_decode(s: &str) -> Vec<u8> {
        base64_decode(&url_to_standard(s)).unwrap().to_vec()
    }

    fn verify(jwt: &str) -> serde_json::Value {
        use ring::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: serde_json::Value = serde_json::from_slice(&b64url_decode(parts[0])).unwrap();
        let mut point = vec![0x04];
        point.extend(b64url_decode(header["jwk"]["x"].as_str().unwrap()));
        point.extend(b64url_decode(header["jwk"]["y"].as_str().unwrap()));
        assert_eq!(point.len(), 65, "x and y are 32 bytes each");
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &point)
            .verify(
                format!("{}.{}", parts[0], parts[1]).as_bytes(),
                &b64url_decode(parts[2]),
            )
            .expect("the signature verifies with the jwk");
        header
    }

    #[test]
    fn sec1_pkcs8_and_short_scalars_sign_verifiably() {
        for (what, der) in [
            ("sec1", hex::decode(SEC1_HEX).unwrap()),
            ("short", hex::decode(SHORT_HEX).unwrap()),
            ("pkcs8", pkcs8(&hex::decode(SEC1_HEX).unwrap())),
            ("pkcs8 short", pkcs8(&hex::decode(SHORT_HEX).unwrap())),
        ] {
            let label = if what.starts_with("pkcs8") {
                "PRIVATE KEY"
            } else {
                "EC PRIVATE KEY"
            };
            let key =
                DpopKey::from_pem(&pem(label, &der)).unwrap_or_else(|e| panic!("{what}: {e}"));
            let jwt = key
                .proof("https://example.test/v1/token", 1_800_000_000)
                .unwrap();
            let header = verify(&jwt);
            assert_eq!(
                header.to_string(),
                format!(
                    "{{\"typ\":\"dpop+jwt\",\"alg\":\"ES256\",\"jwk\":{{\"kty\":\"EC\",\"x\":\"{}\",\"y\":\"{}\",\"crv\":\"P-256\"}}}}",
                    header["jwk"]["x"].as_str().unwrap(),
                    header["jwk"]["y"].as_str().unwrap()
                )
            );
            let claims: serde_json::Value =
                serde_json::from_slice(&b64url_decode(jwt.split('.').nth(1).unwrap())).unwrap();
            assert_eq!(claims["htm"], "POST");
            assert_eq!(claims["htu"], "https://example.test/v1/token");
            assert_eq!(claims["iat"], 1_800_000_000u64);
            let jti = claims["jti"].as_str().unwrap();
            assert_eq!(jti.len(), 36);
            assert_eq!(&jti[14..15], "4", "a version 4 UUID");
        }
    }

    #[test]
    fn the_jwk_is_the_keys_public_point() {
        let der = hex::decode(SEC1_HEX).unwrap();
        let key = DpopKey::from_pem(&pem("EC PRIVATE KEY", &der)).unwrap();
        let (x, y) = key.coordinates();
        // The point as written in the key file, after 0x04.
        let point = &der[der.len() - 64..];
        assert_eq!(b64url_decode(&x), &point[..32]);
        assert_eq!(b64url_decode(&y), &point[32..]);
        // Two proofs never share a jti.
        let a = key.proof("u", 1).unwrap();
        let b = key.proof("u", 1).unwrap();
        assert_ne!(a.split('.').nth(1), b.split('.').nth(1));
    }

    #[test]
    fn broken_keys_say_what_is_wrong_without_key_bytes() {
        let der = hex::decode(SEC1_HEX).unwrap();
        let cases: Vec<(String, &str)> = vec![
            (
                "not base64: at all!".into(),
                "is not base64 between its PEM lines",
            ),
            (
                pem("EC PRIVATE KEY", &der[..40]),
                "is not an EC private key (SEC1 or PKCS#8)",
            ),
            // The public key of another key.
            (
                {
                    let mut other = der.clone();
                    let short = hex::decode(SHORT_HEX).unwrap();
                    let n = other.len();
                    other[n - 64..].copy_from_slice(&short[short.len() - 64..]);
                    pem("EC PRIVATE KEY", &other)
                },
                "has a public key that does not belong to its private key",
            ),
            // No [1] public key: drop it and fix the SEQUENCE length.
            (
                {
                    let mut bare = der[..2 + 3 + 34 + 12].to_vec();
                    bare[1] = (bare.len() - 2) as u8;
                    pem("EC PRIVATE KEY", &bare)
                },
                "has no public key (aws login writes one; run it again)",
            ),
        ];
        for (text, want) in cases {
            let err = DpopKey::from_pem(&text).unwrap_err();
            assert_eq!(err, want);
        }
    }

    #[test]
    fn base64url_has_no_padding() {
        assert_eq!(base64url(b""), "");
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(b"foo"), "Zm9v");
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
        assert_eq!(&*base64_decode("Zm9v YmE=").unwrap(), b"fooba");
        assert!(base64_decode("Zm9v*").is_none());
    }
}
