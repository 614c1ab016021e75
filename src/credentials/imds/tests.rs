//! Unit tests of `credentials::imds`: the pure steps, without HTTP.

use super::*;
use std::collections::HashMap;
use std::time::UNIX_EPOCH;

fn settings(env: &[(&str, &str)], profile: &[(&str, &str)]) -> Result<Settings, Error> {
    let env: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let profile: HashMap<String, String> = profile
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Settings::read(|n| env.get(n).cloned(), |k| profile.get(k).cloned())
}

#[test]
fn defaults() {
    assert_eq!(
        settings(&[], &[]).unwrap(),
        Settings {
            disabled: false,
            base_url: "http://169.254.169.254/".into(),
            timeout: Duration::from_secs(1),
            attempts: 1,
            v1_disabled: false,
        }
    );
}

#[test]
fn variables_beat_profile_keys() {
    let s = settings(
        &[(TIMEOUT, "3"), (ENDPOINT, "http://127.0.0.1:1338")],
        &[
            ("metadata_service_timeout", "9"),
            ("metadata_service_num_attempts", "4"),
            ("ec2_metadata_service_endpoint", "http://10.0.0.1/"),
            ("ec2_metadata_v1_disabled", "TRUE"),
        ],
    )
    .unwrap();
    assert_eq!(s.timeout, Duration::from_secs(3));
    assert_eq!(s.attempts, 4);
    assert_eq!(s.base_url, "http://127.0.0.1:1338/");
    assert!(s.v1_disabled);
    assert!(!s.disabled);
}

#[test]
fn disabled_only_by_the_variable_and_only_by_true() {
    assert!(settings(&[(DISABLED, "true")], &[]).unwrap().disabled);
    assert!(settings(&[(DISABLED, "True")], &[]).unwrap().disabled);
    assert!(!settings(&[(DISABLED, "1")], &[]).unwrap().disabled);
    assert!(!settings(&[(DISABLED, "yes")], &[]).unwrap().disabled);
}

#[test]
fn bad_settings_are_errors_even_when_disabled() {
    for (env, profile) in [
        (vec![(TIMEOUT, "1.5")], vec![]),
        (vec![(TIMEOUT, "0")], vec![]),
        (vec![(TIMEOUT, "")], vec![("metadata_service_timeout", "2")]),
        (vec![], vec![("metadata_service_num_attempts", "many")]),
        (vec![(ENDPOINT_MODE, "ipv5")], vec![]),
        (vec![], vec![("ec2_metadata_service_endpoint_mode", "")]),
        (vec![(ENDPOINT, "169.254.169.254")], vec![]),
        (vec![(ENDPOINT, "http://bad host/")], vec![]),
    ] {
        let mut env = env;
        env.push((DISABLED, "true"));
        let err = settings(&env, &profile).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{env:?} {profile:?}");
    }
    assert_eq!(
        settings(&[(ENDPOINT_MODE, "IPv5")], &[])
            .unwrap_err()
            .to_string(),
        "Invalid EC2 Instance Metadata endpoint mode: IPv5 Valid endpoint modes \
         (case-insensitive): ('ipv4', 'ipv6'). (from AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE \
         or ec2_metadata_service_endpoint_mode)"
    );
    // Zero or negative attempts ask nothing, as botocore's `range(n)`.
    assert_eq!(settings(&[(ATTEMPTS, "-2")], &[]).unwrap().attempts, 0);
}

#[test]
fn endpoint_selection_and_ipv6_urls() {
    let url = |e: Option<&str>, m: Option<&str>, v6: bool| base_url(e, m, v6).unwrap();
    assert_eq!(url(None, None, false), "http://169.254.169.254/");
    assert_eq!(url(None, Some("IPv6"), false), "http://[fd00:ec2::254]/");
    assert_eq!(url(None, Some("ipv4"), true), "http://169.254.169.254/");
    assert_eq!(url(None, None, true), "http://[fd00:ec2::254]/");
    // A custom endpoint wins over the mode; an empty one is none.
    assert_eq!(
        url(Some("http://[FD00:EC2::254]:8080"), Some("ipv4"), false),
        "http://[fd00:ec2::254]:8080/"
    );
    assert_eq!(
        url(Some(""), Some("ipv6"), false),
        "http://[fd00:ec2::254]/"
    );
    assert_eq!(
        url(Some("http://127.0.0.1:1234/prefix"), None, false),
        "http://127.0.0.1:1234/prefix/"
    );

    let s = settings(&[(ENDPOINT_MODE, "ipv6")], &[]).unwrap();
    assert_eq!(
        token_request(&s).url,
        "http://[fd00:ec2::254]/latest/api/token"
    );
    assert_eq!(
        get_request(&s, ROLE_PATH, None).url,
        "http://[fd00:ec2::254]/latest/meta-data/iam/security-credentials/"
    );
    let s = settings(&[], &[("imds_use_ipv6", "true")]).unwrap();
    assert_eq!(s.base_url, "http://[fd00:ec2::254]/");
}

#[test]
fn request_shapes() {
    let s = settings(&[(TIMEOUT, "2")], &[]).unwrap();
    let put = token_request(&s);
    assert_eq!(put.method, "PUT");
    assert_eq!(put.url, "http://169.254.169.254/latest/api/token");
    assert_eq!(
        put.headers,
        [(TOKEN_TTL_HEADER.to_owned(), "21600".to_owned())]
    );
    assert_eq!(put.timeout, Duration::from_secs(2));
    assert!(put.body.is_empty());

    let get = get_request(&s, ROLE_PATH, Some("SECRET-IMDS-TOKEN"));
    assert_eq!(get.method, "GET");
    assert_eq!(
        get.headers,
        [(TOKEN_HEADER.to_owned(), "SECRET-IMDS-TOKEN".to_owned())]
    );
    assert!(!format!("{get:?}").contains("SECRET-IMDS-TOKEN"));
    assert!(get_request(&s, ROLE_PATH, None).headers.is_empty());
}

fn answer(status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: Vec::new(),
        body: body.as_bytes().to_vec(),
    }
}

#[test]
fn token_fallback_rules() {
    let t = Duration::from_secs(1);
    assert_eq!(
        token_step(Ok(&answer(200, "TOK")), t),
        TokenStep::Token("TOK".into())
    );
    for status in [403, 404, 405] {
        assert!(matches!(
            token_step(Ok(&answer(status, "")), t),
            TokenStep::Without(_)
        ));
    }
    assert!(matches!(
        token_step(Ok(&answer(400, "")), t),
        TokenStep::GiveUp(_)
    ));
    for status in [401, 500, 503] {
        assert!(matches!(
            token_step(Ok(&answer(status, "")), t),
            TokenStep::Retry(_)
        ));
    }
    let timeout = HttpError::new(HttpErrorKind::Timeout, "slow");
    assert_eq!(
        token_step(Err(&timeout), t),
        TokenStep::Without("no answer within 1 s".into())
    );
    let refused = HttpError::new(HttpErrorKind::Connect, "refused");
    assert!(matches!(token_step(Err(&refused), t), TokenStep::Retry(_)));
    let none = HttpError::new(HttpErrorKind::Unsupported, "no client");
    assert_eq!(
        token_step(Err(&none), t),
        TokenStep::GiveUp("no client".into())
    );
}

#[test]
fn documents() {
    let ok = serde_json::json!({
        "Code": "Success", "LastUpdated": "2027-01-15T07:50:00Z", "Type": "AWS-HMAC",
        "AccessKeyId": "ASIAIMDS", "SecretAccessKey": "s", "Token": "t",
        "Expiration": "2027-01-15T14:00:00Z"
    });
    assert_eq!(
        read_document(&ok, "R").unwrap(),
        Document::Credentials {
            access_key_id: "ASIAIMDS".into(),
            secret_access_key: "s".into(),
            token: "t".into(),
            expiration: "2027-01-15T14:00:00Z".into()
        }
    );
    let refused = serde_json::json!({
        "Code": "AssumeRoleUnauthorizedAccess",
        "Message": "EC2 cannot assume the role R.",
        "LastUpdated": "2027-01-15T07:50:00Z"
    });
    assert_eq!(
        read_document(&refused, "R").unwrap(),
        Document::Not("role R: AssumeRoleUnauthorizedAccess: EC2 cannot assume the role R.".into())
    );
    let mut partial = ok.clone();
    partial.as_object_mut().unwrap().remove("Token");
    assert_eq!(
        read_document(&partial, "R").unwrap(),
        Document::Not("the credentials of role R have no Token".into())
    );
    assert!(matches!(
        read_document(&serde_json::json!(["AccessKeyId"]), "R").unwrap(),
        Document::Not(_)
    ));
    let mut number = ok;
    number["Token"] = serde_json::json!(7);
    assert_eq!(
        read_document(&number, "R").unwrap_err().kind(),
        ErrorKind::MalformedCredentials
    );
}

#[test]
fn static_stability_extends_near_and_past_expiries() {
    let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000); // 2027-01-15T08:00:00Z
    let in_min = |m: u64| now + Duration::from_secs(m * 60);
    assert_eq!(
        expiry("2027-01-15T14:00:00Z", now),
        Ok(Expiry::Until(in_min(360)))
    );
    assert_eq!(
        expiry("2027-01-15T08:30:00Z", now),
        Ok(Expiry::Until(in_min(30)))
    );
    // Under 17 minutes left, or already expired: 17 minutes from now.
    assert_eq!(
        expiry("2027-01-15T08:10:00Z", now),
        Ok(Expiry::Until(in_min(17)))
    );
    assert_eq!(
        expiry("2027-01-15T07:00:00Z", now),
        Ok(Expiry::Until(in_min(17)))
    );
    // Another shape is parsed, not extended.
    assert_eq!(
        expiry("2027-01-15T07:00:00+00:00", now),
        Ok(Expiry::Expired(in_min(0) - Duration::from_secs(3600)))
    );
    assert_eq!(
        expiry("2027-01-15T09:00:00", now),
        Err(timestamp::TimestampError::NoZone)
    );
}

#[test]
fn role_names() {
    for ok in ["Jenkins-Agent", "a+b=c,d.e@f_g-h", &"r".repeat(64)] {
        assert!(is_role_name(ok), "{ok}");
    }
    for bad in [
        "",
        "a/b",
        "../x",
        "a b",
        "role\nother",
        "a?b",
        &"r".repeat(65),
    ] {
        assert!(!is_role_name(bad), "{bad:?}");
    }
}
