use super::*;

struct Vector {
    ak: &'static str,
    sk: &'static str,
    token: Option<&'static str>,
    region: &'static str,
    host: &'static str,
    repo: &'static str,
    time: &'static str,
    url: &'static str,
}

/// `reference/behavior.md` §1.12: the published vectors and G1–G6, generated with
/// botocore 1.44.8 + git-remote-codecommit 1.17.
const VECTORS: &[Vector] = &[
    Vector {
        ak: "access",
        sk: "secret",
        token: None,
        region: "us-west-2",
        host: "git-codecommit.us-west-2.amazonaws.com",
        repo: "test_repo",
        time: "20171224T115320",
        url: "https://access:20171224T115320Zb6df2d758a8023b2f000a546417007b65494f3ce8ad0300fd45fcfa173f1959a@git-codecommit.us-west-2.amazonaws.com/v1/repos/test_repo",
    },
    Vector {
        ak: "access",
        sk: "secret",
        token: Some("token"),
        region: "us-west-2",
        host: "git-codecommit.us-west-2.amazonaws.com",
        repo: "test_repo",
        time: "20171224T115320",
        url: "https://access%25token:20171224T115320Zb6df2d758a8023b2f000a546417007b65494f3ce8ad0300fd45fcfa173f1959a@git-codecommit.us-west-2.amazonaws.com/v1/repos/test_repo",
    },
    Vector {
        ak: "access",
        sk: "secret",
        token: None,
        region: "us-west-2",
        host: "land.called.honahlee",
        repo: "test_repo",
        time: "20171224T115320",
        url: "https://access:20171224T115320Za14a37a53035bbceb6e1748247b143124fe7326cdffd3d418236a592ce6158a0@land.called.honahlee/v1/repos/test_repo",
    },
    Vector {
        ak: "AKIAIOSFODNN7EXAMPLE",
        sk: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        token: None,
        region: "cn-north-1",
        host: "git-codecommit.cn-north-1.amazonaws.com.cn",
        repo: "My.Repo-Name_1",
        time: "20240229T235959",
        url: "https://AKIAIOSFODNN7EXAMPLE:20240229T235959Z5ddeb839a65978c47ffcf95fc2557c01976c1c0dded47f82e01ec4079da9b897@git-codecommit.cn-north-1.amazonaws.com.cn/v1/repos/My.Repo-Name_1",
    },
    Vector {
        ak: "ASIAQEXAMPLE7TOKEN01",
        sk: "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
        token: Some("FwoGZXIvYXdzEJr//////////wEaDH+abc/def=ghi=="),
        region: "us-east-1",
        host: "git-codecommit.us-east-1.amazonaws.com",
        repo: "payments-api",
        time: "20250101T000000",
        url: "https://ASIAQEXAMPLE7TOKEN01%25FwoGZXIvYXdzEJr%2F%2F%2F%2F%2F%2F%2F%2F%2F%2FwEaDH%2Babc%2Fdef%3Dghi%3D%3D:20250101T000000Zcbbb98492d41b82566dd782b4bb949bde96eca2465006578a5c3fad2518e238c@git-codecommit.us-east-1.amazonaws.com/v1/repos/payments-api",
    },
    Vector {
        ak: "ASIAEXAMPLEEUWEST1XX",
        sk: "secret+with/slash=eq",
        token: Some("tok:with@odd%chars&?# ~"),
        region: "eu-west-1",
        host: "git-codecommit.eu-west-1.amazonaws.com",
        repo: "a.b_c-d",
        time: "20230704T080910",
        url: "https://ASIAEXAMPLEEUWEST1XX%25tok%3Awith%40odd%25chars%26%3F%23%20~:20230704T080910Z2350e760e8cc5359a46524c0142430804a028105349e6decbc0a5bfc43415b94@git-codecommit.eu-west-1.amazonaws.com/v1/repos/a.b_c-d",
    },
    Vector {
        ak: "AKIAGOVEXAMPLE000001",
        sk: "GovSecretKeyExample0000000000000000000000",
        token: None,
        region: "us-gov-west-1",
        host: "git-codecommit.us-gov-west-1.amazonaws.com",
        repo: "X",
        time: "20300615T120000",
        url: "https://AKIAGOVEXAMPLE000001:20300615T120000Zf59f184eb7ec6a31920a142ac89e104b9e3de4d5a7c3f0a6993f6b28e1ad7bad@git-codecommit.us-gov-west-1.amazonaws.com/v1/repos/X",
    },
    Vector {
        ak: "ASIACNNWEXAMPLE00001",
        sk: "cnNorthwestSecretExample/+=000000000000000",
        token: Some("IQoJb3JpZ2luX2VjEP//////////wEaCmNuLW5vcnRod2VzdC0x+/="),
        region: "cn-northwest-1",
        host: "git-codecommit.cn-northwest-1.amazonaws.com.cn",
        repo: "repo.with.dots",
        time: "20211231T230001",
        url: "https://ASIACNNWEXAMPLE00001%25IQoJb3JpZ2luX2VjEP%2F%2F%2F%2F%2F%2F%2F%2F%2F%2FwEaCmNuLW5vcnRod2VzdC0x%2B%2F%3D:20211231T230001Za0496108d87eaba9c1b1f93522d4a34bc405d4afc8133f1adbabdcee3239099a@git-codecommit.cn-northwest-1.amazonaws.com.cn/v1/repos/repo.with.dots",
    },
    Vector {
        ak: "AKIDLOCALTEST0000001",
        sk: "localsecret",
        token: None,
        region: "ap-southeast-3",
        host: "127.0.0.1:8443",
        repo: "Local_Repo-9.x",
        time: "20260309T010203",
        url: "https://AKIDLOCALTEST0000001:20260309T010203Zf6b36d43005bb78fdb78e2c535b62bd15ce606bf683e5ce1f57e941ce235933d@127.0.0.1:8443/v1/repos/Local_Repo-9.x",
    },
];

fn sign(v: &Vector, signer: &Signer) -> SignedUrl {
    let repository = RepositoryName::new(v.repo).unwrap();
    signer.sign(&UrlRequest {
        access_key_id: v.ak,
        secret_access_key: v.sk,
        session_token: v.token,
        region: v.region,
        host: v.host,
        repository: &repository,
        time: SigningTime::parse(v.time).unwrap(),
    })
}

#[test]
fn reference_vectors_byte_for_byte() {
    let signer = Signer::new();
    for v in VECTORS {
        // Twice: once deriving the key, once from the cache.
        for _ in 0..2 {
            let url = sign(v, &signer);
            assert_eq!(url.as_str(), v.url);
        }
    }
}

#[test]
fn parts_of_the_url() {
    let v = &VECTORS[4];
    let url = sign(v, &Signer::new());
    assert_eq!(
        url.username(),
        "ASIAQEXAMPLE7TOKEN01%25FwoGZXIvYXdzEJr%2F%2F%2F%2F%2F%2F%2F%2F%2F%2FwEaDH%2Babc%2Fdef%3Dghi%3D%3D"
    );
    assert_eq!(url.password().len(), 80);
    assert!(url.password().starts_with("20250101T000000Z"));
    assert_eq!(
        url.signature(),
        "cbbb98492d41b82566dd782b4bb949bde96eca2465006578a5c3fad2518e238c"
    );
    assert_eq!(url.host(), "git-codecommit.us-east-1.amazonaws.com");
    assert_eq!(url.path(), "/v1/repos/payments-api");
    assert_eq!(
        url.redacted(),
        "https://git-codecommit.us-east-1.amazonaws.com/v1/repos/payments-api"
    );
}

#[test]
fn empty_token_adds_nothing() {
    let mut v = Vector { ..VECTORS[0] };
    v.token = Some("");
    assert_eq!(sign(&v, &Signer::new()).as_str(), VECTORS[0].url);
}

#[test]
fn empty_access_key_is_signed_as_the_reference_does() {
    // behavior.md §1.7: `aws_access_key_id =` gives `https://:PASSWORD@…`.
    let mut v = Vector { ..VECTORS[0] };
    v.ak = "";
    let url = sign(&v, &Signer::new());
    assert!(
        url.as_str()
            .starts_with("https://:20171224T115320Zb6df2d75")
    );
    assert_eq!(url.username(), "");
}

#[test]
fn debug_redacts_password_and_token() {
    let v = &VECTORS[5];
    let url = sign(v, &Signer::new());
    let debug = format!("{url:?}");
    assert!(debug.contains("ASIAEXAMPLEEUWEST1XX"), "{debug}");
    assert!(
        debug.contains("git-codecommit.eu-west-1.amazonaws.com"),
        "{debug}"
    );
    for secret in [url.signature(), "tok%3Awith", "odd%25chars", v.sk] {
        assert!(!debug.contains(secret), "{secret} leaked in {debug}");
    }
    let request_debug = format!(
        "{:?}",
        UrlRequest {
            access_key_id: v.ak,
            secret_access_key: v.sk,
            session_token: v.token,
            region: v.region,
            host: v.host,
            repository: &RepositoryName::new(v.repo).unwrap(),
            time: SigningTime::parse(v.time).unwrap(),
        }
    );
    assert!(!request_debug.contains(v.sk) && !request_debug.contains("odd%chars"));
}

#[test]
fn intermediates_of_the_published_vector() {
    let repo = RepositoryName::new("test_repo").unwrap();
    let host = "git-codecommit.us-west-2.amazonaws.com";
    assert_eq!(
        canonical_request(host, &repo),
        "GIT\n/v1/repos/test_repo\n\nhost:git-codecommit.us-west-2.amazonaws.com\n\nhost\n"
    );
    assert_eq!(
        hex::encode(canonical_request_hash(host, "test_repo")),
        "298a3d18fae21d0bc76a2c741f479faa2c874420a05f054ebe7a2c4f84d9c765"
    );
    let sts = string_to_sign(
        host,
        &repo,
        "us-west-2",
        &SigningTime::parse("20171224T115320").unwrap(),
    );
    assert_eq!(
        sts,
        "AWS4-HMAC-SHA256\n20171224T115320\n20171224/us-west-2/codecommit/aws4_request\n298a3d18fae21d0bc76a2c741f479faa2c874420a05f054ebe7a2c4f84d9c765"
    );
}

#[test]
fn percent_encoding_is_python_quote_with_nothing_safe() {
    let mut out = String::new();
    percent_encode_into("aZ09_.-~ /+=%:@\u{e9}\u{1F600}", &mut out);
    assert_eq!(out, "aZ09_.-~%20%2F%2B%3D%25%3A%40%C3%A9%F0%9F%98%80");
    assert_eq!(encoded_len("aZ09_.-~ /+=%:@\u{e9}\u{1F600}"), out.len());
}

#[test]
fn clone_and_into_string_keep_the_text() {
    let url = sign(&VECTORS[0], &Signer::new());
    let copy = url.clone();
    assert_eq!(copy, url);
    assert_eq!(copy.host(), url.host());
    assert_eq!(url.into_string(), VECTORS[0].url);
}

/// A wipe empties the string and keeps its buffer (which it zeroed: `tests/secrets.rs`
/// looks at the freed memory).
#[test]
fn wipe_empties_in_place() {
    let mut text = String::with_capacity(100);
    text.push_str("secret");
    let start = text.as_ptr();
    wipe(&mut text);
    assert!(text.is_empty());
    assert_eq!((text.as_ptr(), text.capacity()), (start, 100));
}

/// A warm signature (the username and the canonical request's hash taken from the
/// cache) is the same URL as a cold one for every credential shape, host and repository,
/// more of each than the cache has slots, and a token that changes under the same secret
/// gets its own username.
#[test]
fn warm_signatures_match_cold_ones() {
    let long_token: String = (0..1000)
        .map(|i| b"AZaz09+/=_-.~"[i % 13] as char)
        .collect();
    let signer = Signer::new();
    let repositories: Vec<_> = ["repo", "repo2", "r", "payments-api", "x.y", "repo"]
        .iter()
        .map(|name| RepositoryName::new(name).unwrap())
        .collect();
    for round in 0..2 {
        for token in [None, Some(""), Some("short/+="), Some(long_token.as_str())] {
            for access_key_id in ["AKID", "ASIA+ODD"] {
                for (i, repository) in repositories.iter().enumerate() {
                    let host = if (i + round) % 2 == 0 {
                        "git-codecommit.us-east-1.amazonaws.com"
                    } else {
                        "git-codecommit-fips.us-east-1.amazonaws.com:8443"
                    };
                    let request = UrlRequest {
                        access_key_id,
                        secret_access_key: "secret",
                        session_token: token,
                        region: "us-east-1",
                        host,
                        repository,
                        time: SigningTime::from_unix(1_700_000_000).unwrap(),
                    };
                    let key =
                        SigningKey::derive("secret", request.time.date(), "us-east-1", SERVICE);
                    let cold = sign_with_key(&key, &request);
                    let warm = signer.sign(&request);
                    assert_eq!(warm, cold);
                    assert_eq!(format!("{warm:?}"), format!("{cold:?}"));
                }
            }
        }
    }
}
