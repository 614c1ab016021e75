//! The signing hot path.
//!
//! Every benchmark first checks its output against the published vector G2
//! (`reference/behavior.md` §1.12: a session token with `/`, `+` and `=`), then times it.
//!
//! * `sign/url/warm` — [`Signer::sign`] with the signing key already cached: what every
//!   git command after the first costs in a long-lived process, and the number the
//!   library is judged by.
//! * `sign/url/warm/without-drop` — the same with the URL's drop (which zeroizes the
//!   secret text byte by byte) outside the timing.
//! * `sign/url/cold` — deriving the key and signing: a one-shot git helper run.
//! * `sign/key_derive` — the four HMACs of the key derivation alone.
//! * `sign/url/aws-sigv4` — the same URL through `aws-sigv4`'s `generate_signing_key`
//!   and `calculate_signature`, with the strings built the obvious way.
//! * `sign/floor/sha256+hmac` — the hashing a warm signature cannot avoid: SHA-256 of the
//!   canonical request and one keyed HMAC-SHA256 of the string to sign.

use std::hint::black_box;

use codecommit_auth::sign::{SignedUrl, Signer, SigningKey, UrlRequest, sign_with_key};
use codecommit_auth::{RepositoryName, SigningTime};
use criterion::{Criterion, criterion_group, criterion_main};
use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};

const AK: &str = "ASIAQEXAMPLE7TOKEN01";
const SK: &str = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY";
const TOKEN: &str = "FwoGZXIvYXdzEJr//////////wEaDH+abc/def=ghi==";
const REGION: &str = "us-east-1";
const HOST: &str = "git-codecommit.us-east-1.amazonaws.com";
const REPO: &str = "payments-api";
const TIME: &str = "20250101T000000";
const WANT: &str = "https://ASIAQEXAMPLE7TOKEN01%25FwoGZXIvYXdzEJr%2F%2F%2F%2F%2F%2F%2F%2F%2F%2FwEaDH%2Babc%2Fdef%3Dghi%3D%3D:20250101T000000Zcbbb98492d41b82566dd782b4bb949bde96eca2465006578a5c3fad2518e238c@git-codecommit.us-east-1.amazonaws.com/v1/repos/payments-api";

fn request<'a>(repository: &'a RepositoryName, time: SigningTime) -> UrlRequest<'a> {
    UrlRequest {
        access_key_id: black_box(AK),
        secret_access_key: black_box(SK),
        session_token: black_box(Some(TOKEN)),
        region: black_box(REGION),
        host: black_box(HOST),
        repository,
        time,
    }
}

/// The URL through aws-sigv4's primitives, building each string as a `String`.
fn via_aws_sigv4(time: SigningTime) -> String {
    let creq = format!("GIT\n/v1/repos/{REPO}\n\nhost:{HOST}\n\nhost\n");
    let sts = format!(
        "AWS4-HMAC-SHA256\n{}\n{}/{REGION}/codecommit/aws4_request\n{}",
        time.timestamp(),
        time.date(),
        hex::encode(Sha256::digest(creq.as_bytes()))
    );
    let key =
        aws_sigv4::sign::v4::generate_signing_key(SK, time.to_system_time(), REGION, "codecommit");
    let signature = aws_sigv4::sign::v4::calculate_signature(key, sts.as_bytes());
    let username: String = format!("{AK}%{TOKEN}")
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"_.-~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!(
        "https://{username}:{}Z{signature}@{HOST}/v1/repos/{REPO}",
        time.timestamp()
    )
}

fn bench(c: &mut Criterion) {
    let repository = RepositoryName::new(REPO).unwrap();
    let time = SigningTime::parse(TIME).unwrap();

    let signer = Signer::new();
    assert_eq!(signer.sign(&request(&repository, time)).as_str(), WANT);
    c.bench_function("sign/url/warm", |b| {
        b.iter(|| -> SignedUrl { signer.sign(&request(&repository, time)) })
    });
    // The same, with dropping (and so zeroizing) each URL left outside the timing: the
    // difference is what wiping the secret URL from memory costs.
    c.bench_function("sign/url/warm/without-drop", |b| {
        b.iter_with_large_drop(|| -> SignedUrl { signer.sign(&request(&repository, time)) })
    });

    let cold = || {
        let key = SigningKey::derive(black_box(SK), time.date(), REGION, "codecommit");
        sign_with_key(&key, &request(&repository, time))
    };
    assert_eq!(cold().as_str(), WANT);
    c.bench_function("sign/url/cold", |b| b.iter(cold));

    c.bench_function("sign/key_derive", |b| {
        b.iter(|| SigningKey::derive(black_box(SK), black_box("20250101"), REGION, "codecommit"))
    });

    assert_eq!(via_aws_sigv4(time), WANT);
    c.bench_function("sign/url/aws-sigv4", |b| {
        b.iter(|| via_aws_sigv4(black_box(time)))
    });

    // The floor: the two hashes a warm signature must do, nothing else.
    let k_signing = [7u8; 32];
    let keyed = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(&k_signing).unwrap();
    let creq = format!("GIT\n/v1/repos/{REPO}\n\nhost:{HOST}\n\nhost\n");
    let sts_prefix =
        format!("AWS4-HMAC-SHA256\n{TIME}\n20250101/{REGION}/codecommit/aws4_request\n");
    c.bench_function("sign/floor/sha256+hmac", |b| {
        b.iter(|| {
            let hash = Sha256::digest(black_box(creq.as_bytes()));
            let mut mac = keyed.clone();
            mac.update(black_box(sts_prefix.as_bytes()));
            mac.update(&hash); // 32 bytes where the real one hashes 64 hex digits
            mac.update(&hash);
            mac.finalize().into_bytes()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
