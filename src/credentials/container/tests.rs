//! Unit tests of `credentials::container`: the pure steps, without HTTP.

use super::*;
use std::collections::HashMap;
use std::time::UNIX_EPOCH;

fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

#[test]
fn relative_uri_wins_and_goes_to_the_ecs_agent() {
    let both = vars(&[
        (RELATIVE_URI, "/v2/credentials/abc"),
        (FULL_URI, "http://localhost/x"),
    ]);
    assert_eq!(
        target(both),
        Some(Target {
            url: "http://169.254.170.2/v2/credentials/abc".into(),
            variable: RELATIVE_URI
        })
    );
    let full = vars(&[(FULL_URI, "http://localhost/x")]);
    assert_eq!(target(full).unwrap().variable, FULL_URI);
    assert_eq!(target(vars(&[])), None);
    // Present but empty still counts, as in botocore.
    assert_eq!(
        target(vars(&[(RELATIVE_URI, "")])).unwrap().url,
        "http://169.254.170.2"
    );
}

/// botocore's allowed hosts, checked against Python 3.11.7's `urlparse` and
/// `ipaddress.ip_address(…).is_loopback`.
#[test]
fn host_rule() {
    for url in [
        "http://169.254.170.2/v2/credentials/x",
        "http://169.254.170.23/v1/credentials",
        "http://[fd00:ec2::23]/v1/credentials",
        "http://[FD00:EC2::23]:80/v1/credentials",
        "http://localhost:8080/creds",
        "http://LOCALHOST/creds",
        "http://127.0.0.1/creds",
        "http://127.1.2.3:9/creds",
        "http://[::1]:9/creds",
        "http://[0:0:0:0:0:0:0:1]/creds",
        "https://credentials.example.com/creds",
        "HTTPS://anything.example/",
    ] {
        let parsed = HttpUrl::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"));
        assert!(allowed(&parsed), "{url} should be allowed");
    }
    for url in [
        "http://169.254.169.254/latest/meta-data/",
        "http://evil.example/creds",
        "http://169.254.170.3/",
        "http://[fd00:ec2:0::23]/",
        "http://[::ffff:127.0.0.1]/",
        "http://127.1/",
        "http://0127.0.0.1/",
        "http://localhost.evil.example/",
        "http://169.254.170.2.evil.example/",
    ] {
        let parsed = HttpUrl::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"));
        assert!(!allowed(&parsed), "{url} should be refused");
    }
}

#[test]
fn relative_uris_cannot_change_the_host() {
    for relative in ["@evil.example/", ".evil.example/", ":80@evil.example/"] {
        let t = target(vars(&[(RELATIVE_URI, relative)])).unwrap();
        assert!(checked_url(&t).is_err(), "{relative}");
    }
    let t = target(vars(&[(RELATIVE_URI, "/v2/credentials/x?y=1#frag")])).unwrap();
    assert_eq!(
        checked_url(&t).unwrap(),
        "http://169.254.170.2/v2/credentials/x?y=1"
    );
}

#[test]
fn refused_host_error_names_the_rule_and_the_variable() {
    let t = target(vars(&[(FULL_URI, "http://evil.example:8080/creds")])).unwrap();
    let err = checked_url(&t).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    let text = err.to_string();
    assert!(
        text.starts_with(
            "Unsupported host 'evil.example'.  Can only retrieve metadata from a loopback \
             address or one of these hosts: 169.254.170.2, 169.254.170.23, fd00:ec2::23, \
             localhost"
        ),
        "{text}"
    );
    assert!(text.contains(FULL_URI), "{text}");
    assert!(text.contains("nothing was sent"), "{text}");
}

#[test]
fn token_rules() {
    assert_eq!(token_problem("abc.def-ghi"), None);
    assert_eq!(token_problem(""), None);
    assert_eq!(token_problem("tok\n"), Some("contains a line break"));
    assert_eq!(token_problem("a\rb"), Some("contains a line break"));
    assert_eq!(token_problem("a\0b"), Some("contains a control character"));
    assert_eq!(token_problem("a\tb"), None);
}

#[test]
fn request_shape() {
    let r = request("http://127.0.0.1:1/c", Some("TOKEN"));
    assert_eq!(r.method, "GET");
    assert_eq!(r.timeout, Duration::from_secs(2));
    assert!(r.bypass_proxy);
    assert_eq!(
        r.headers,
        [
            ("Accept".to_owned(), "application/json".to_owned()),
            ("Authorization".to_owned(), "TOKEN".to_owned())
        ]
    );
    assert!(!format!("{r:?}").contains("TOKEN"));
    assert_eq!(request("http://x/", None).headers.len(), 1);
}

fn response(status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: Vec::new(),
        body: body.as_bytes().to_vec(),
    }
}

#[test]
fn answers() {
    let doc = read_answer(&response(200, r#"{"a": 1}"#), None).unwrap();
    assert_eq!(doc["a"], 1);
    let f = read_answer(&response(200, "not json"), None).unwrap_err();
    assert_eq!(f.kind, ErrorKind::MalformedCredentials);
    assert_eq!(
        f.message,
        "Unable to parse JSON returned from container metadata services"
    );
    let f = read_answer(
        &response(403, "denied for SECRET-TOKEN\n"),
        Some("SECRET-TOKEN"),
    )
    .unwrap_err();
    assert_eq!(f.status, Some(403));
    assert_eq!(
        f.message,
        "Received non 200 response 403 from container metadata: denied for ** redacted **"
    );
}

#[test]
fn documents() {
    let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let doc = serde_json::json!({
        "AccessKeyId": "ASIACONTAINER", "SecretAccessKey": "s", "Token": "t",
        "Expiration": "2027-01-15T09:00:00Z", "AccountId": "123456789012",
        "RoleArn": "arn:aws:iam::123456789012:role/Task"
    });
    let c = credentials_from(&doc, now).unwrap();
    assert_eq!(c.access_key_id(), "ASIACONTAINER");
    assert_eq!(c.session_token(), Some("t"));
    assert_eq!(c.account_id().map(|a| a.as_str()), Some("123456789012"));
    assert_eq!(
        c.expiry(),
        Some(UNIX_EPOCH + Duration::from_secs(1_800_003_600))
    );

    let mut no_token = doc.clone();
    no_token.as_object_mut().unwrap().remove("Token");
    assert_eq!(
        credentials_from(&no_token, now).unwrap_err(),
        DocumentProblem::Field("Token")
    );
    let mut number = doc.clone();
    number["AccessKeyId"] = serde_json::json!(5);
    assert_eq!(
        credentials_from(&number, now).unwrap_err(),
        DocumentProblem::Field("AccessKeyId")
    );
    assert_eq!(
        credentials_from(&serde_json::json!([1]), now).unwrap_err(),
        DocumentProblem::Field("AccessKeyId")
    );
    let mut naive = doc.clone();
    naive["Expiration"] = serde_json::json!("2027-01-15T09:00:00");
    assert_eq!(
        credentials_from(&naive, now).unwrap_err(),
        DocumentProblem::Expiration(timestamp::TimestampError::NoZone)
    );
    let mut past = doc;
    past["Expiration"] = serde_json::json!("2027-01-15T07:00:00Z");
    assert!(matches!(
        credentials_from(&past, now).unwrap_err(),
        DocumentProblem::Expired(_)
    ));
}

#[test]
fn token_debug_is_redacted() {
    let t = AuthToken {
        value: Zeroizing::new("SENTINEL-TOKEN".into()),
        from: AUTH_TOKEN.into(),
    };
    let shown = format!("{t:?}");
    assert!(!shown.contains("SENTINEL-TOKEN"), "{shown}");
    assert!(shown.contains(AUTH_TOKEN));
}
