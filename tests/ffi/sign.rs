//! `codecommit_sign_url`: needs no file and no variable, so it runs here, in full.

use std::ffi::{CString, c_char, c_int};

use codecommit_auth::ffi::{
    CODECOMMIT_MAX_INPUT_LEN, CODECOMMIT_SIGNING_TIME_NOW, codecommit_auth_result,
    codecommit_sign_url,
};
use codecommit_auth::sign::{Signer, UrlRequest};
use codecommit_auth::{GitHost, Region, RepositoryName, SigningTime};

use crate::scenarios::{VECTOR_TIME, VECTOR_TOKEN_URL, VECTOR_URL};
use crate::support::{Call, bad_strings, call, cs};

/// The arguments of one `codecommit_sign_url` call; `None` passes NULL.
#[derive(Clone)]
pub struct Args {
    pub strings: [Option<CString>; 6],
    pub unix: i64,
}

/// Parameter names, in order, as the messages name them.
pub const PARAMS: [&str; 6] = [
    "access_key_id",
    "secret_access_key",
    "session_token",
    "region",
    "repository",
    "host",
];

impl Args {
    /// The published vector's inputs.
    pub fn vector() -> Args {
        Args {
            strings: [
                Some(cs("access")),
                Some(cs("secret")),
                None,
                Some(cs("us-west-2")),
                Some(cs("test_repo")),
                None,
            ],
            unix: VECTOR_TIME,
        }
    }

    pub fn with(mut self, param: &str, value: Option<CString>) -> Args {
        let i = PARAMS.iter().position(|p| *p == param).unwrap();
        self.strings[i] = value;
        self
    }

    pub fn at(mut self, unix: i64) -> Args {
        self.unix = unix;
        self
    }

    fn ptr(&self, i: usize) -> *const c_char {
        self.strings[i]
            .as_ref()
            .map_or(std::ptr::null(), |s| s.as_ptr())
    }

    /// Calls with both outputs.
    pub fn sign(&self) -> Call {
        call(|url, error| self.raw(url, error))
    }

    /// Calls with the given outputs (either may be NULL).
    pub fn raw(&self, url: *mut *mut c_char, error: *mut *mut c_char) -> c_int {
        // SAFETY: NULL or NUL-terminated strings that outlive the call; outputs NULL or
        // writable.
        unsafe {
            codecommit_sign_url(
                self.ptr(0),
                self.ptr(1),
                self.ptr(2),
                self.ptr(3),
                self.ptr(4),
                self.ptr(5),
                self.unix,
                url,
                error,
            )
        }
    }
}

#[test]
fn signs_the_published_vector() {
    let call = Args::vector().sign();
    assert_eq!(call.name(), "ok");
    assert_eq!(call.value(), VECTOR_URL);
}

#[test]
fn signs_the_published_vector_with_a_session_token() {
    let call = Args::vector()
        .with("session_token", Some(cs("token")))
        .sign();
    assert_eq!(call.value(), VECTOR_TOKEN_URL);
}

#[test]
fn a_host_is_used_and_signed_verbatim() {
    let host = "git-codecommit.us-west-2.amazonaws.com";
    let same = Args::vector().with("host", Some(cs(host))).sign();
    assert_eq!(same.value(), VECTOR_URL, "the default host, spelled out");

    let call = Args::vector()
        .with("host", Some(cs("vpce-1.git-codecommit.example:8443")))
        .sign();
    let url = call.value();
    assert!(
        url.ends_with("@vpce-1.git-codecommit.example:8443/v1/repos/test_repo"),
        "{url}"
    );
    assert_ne!(
        &url[..url.find('@').unwrap()],
        &VECTOR_URL[..VECTOR_URL.find('@').unwrap()],
        "the host is part of the signature"
    );
}

#[test]
fn the_default_host_follows_the_partition() {
    let call = Args::vector().with("region", Some(cs("cn-north-1"))).sign();
    assert!(
        call.value()
            .ends_with("@git-codecommit.cn-north-1.amazonaws.com.cn/v1/repos/test_repo"),
        "{}",
        call.value()
    );
}

/// The URL is the Rust API's, byte for byte, for inputs off the vector too.
#[test]
fn urls_are_the_rust_apis() {
    let cases = [
        (
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
            "eu-west-1",
            "My.Repo-1",
        ),
        ("ASIA1", "s/e+c=r", Some("tok/en+=="), "us-gov-west-1", "r"),
        ("a", "b", Some("c"), "ap-southeast-2", &*"x".repeat(100)),
    ];
    for (i, (key, secret, token, region, repo)) in cases.into_iter().enumerate() {
        let unix = VECTOR_TIME + 86_400 * 400 * i as i64;
        let call = Args {
            strings: [
                Some(cs(key)),
                Some(cs(secret)),
                token.map(cs),
                Some(cs(region)),
                Some(cs(repo)),
                None,
            ],
            unix,
        }
        .sign();
        let region = Region::new(region).unwrap();
        let host = GitHost::for_region(region, false).unwrap();
        let rust = Signer::new().sign(&UrlRequest {
            access_key_id: key,
            secret_access_key: secret,
            session_token: token,
            region: region.name(),
            host: host.as_str(),
            repository: &RepositoryName::new(repo).unwrap(),
            time: SigningTime::from_unix(unix).unwrap(),
        });
        assert_eq!(call.value(), rust.as_str(), "case {i}");
    }
}

#[test]
fn signing_time_now_reads_the_clock() {
    let before = SigningTime::from_system_time(std::time::SystemTime::now()).unwrap();
    let call = Args::vector().at(CODECOMMIT_SIGNING_TIME_NOW).sign();
    let after = SigningTime::from_system_time(std::time::SystemTime::now()).unwrap();
    let url = call.value();
    let stamp = &url["https://access:".len()..][..15];
    assert!(
        (before.timestamp()..=after.timestamp()).contains(&stamp),
        "{stamp} not between {} and {}",
        before.timestamp(),
        after.timestamp()
    );
}

#[test]
fn library_errors_give_their_code_and_the_rust_message() {
    let cases: [(Args, &str, String); 5] = [
        (
            Args::vector().with("region", Some(cs("mars-1"))),
            "region_not_available",
            Region::new("mars-1").unwrap_err().to_string(),
        ),
        (
            Args::vector().with("repository", Some(cs("../etc"))),
            "invalid_repository_name",
            RepositoryName::new("../etc").unwrap_err().to_string(),
        ),
        (
            Args::vector().at(-1),
            "invalid_signing_time",
            SigningTime::from_unix(-1).unwrap_err().to_string(),
        ),
        (
            Args::vector().at(SigningTime::MAX_UNIX + 1),
            "invalid_signing_time",
            SigningTime::from_unix(SigningTime::MAX_UNIX + 1)
                .unwrap_err()
                .to_string(),
        ),
        (
            Args::vector().at(i64::MAX),
            "invalid_signing_time",
            SigningTime::from_unix(i64::MAX).unwrap_err().to_string(),
        ),
    ];
    for (args, code, message) in cases {
        let call = args.sign();
        assert_eq!(call.name(), code);
        assert_eq!(call.error(), message);
    }
}

#[test]
fn the_edges_of_time_sign() {
    for unix in [0, SigningTime::MAX_UNIX] {
        let call = Args::vector().at(unix).sign();
        assert_eq!(call.name(), "ok", "{unix}: {:?}", call.error);
    }
    assert!(
        Args::vector()
            .at(0)
            .sign()
            .value()
            .contains(":19700101T000000Z")
    );
}

#[test]
fn null_required_strings_are_named() {
    for param in ["access_key_id", "secret_access_key", "region", "repository"] {
        let call = Args::vector().with(param, None).sign();
        assert_eq!(call.name(), "null_parameter", "{param}");
        assert_eq!(call.error(), format!("{param} is NULL"));
    }
}

#[test]
fn every_bad_string_in_every_parameter_is_refused_before_any_work() {
    for param in PARAMS {
        for (what, value, code) in bad_strings() {
            let call = Args::vector().with(param, Some(value)).sign();
            assert_eq!(call.name(), code, "{param} {what}");
            assert!(
                call.error().starts_with(param),
                "{param} {what}: {}",
                call.error()
            );
        }
    }
}

#[test]
fn boundary_faults_come_before_library_errors() {
    // A bad region and a NULL repository: the NULL is reported.
    let call = Args::vector()
        .with("region", Some(cs("mars-1")))
        .with("repository", None)
        .sign();
    assert_eq!(call.name(), "null_parameter");
}

#[test]
fn a_string_of_exactly_the_limit_is_accepted() {
    let key = "A".repeat(CODECOMMIT_MAX_INPUT_LEN);
    let call = Args::vector().with("access_key_id", Some(cs(&key))).sign();
    assert!(call.value().starts_with(&format!("https://{key}:")));
}

#[test]
fn outputs_the_caller_does_not_want_may_be_null() {
    let ok = Args::vector();
    let bad = Args::vector().with("region", None);
    for args in [&ok, &bad] {
        let expected = if std::ptr::eq(args, &ok) { 0 } else { 100 };
        assert_eq!(
            args.raw(std::ptr::null_mut(), std::ptr::null_mut()),
            expected
        );

        let mut url: *mut c_char = std::ptr::dangling_mut();
        assert_eq!(args.raw(&mut url, std::ptr::null_mut()), expected);
        assert_eq!(url.is_null(), expected != 0);
        crate::support::take(url);

        let mut error: *mut c_char = std::ptr::dangling_mut();
        assert_eq!(args.raw(std::ptr::null_mut(), &mut error), expected);
        assert_eq!(error.is_null(), expected == 0);
        crate::support::take(error);
    }
}

#[test]
fn codes_are_the_enum_values() {
    assert_eq!(
        Args::vector().sign().code,
        codecommit_auth_result::Ok as c_int
    );
    let call = Args::vector().with("region", None).sign();
    assert_eq!(call.code, codecommit_auth_result::NullParameter as c_int);
}
