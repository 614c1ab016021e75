use super::*;

fn parts(s: &str) -> RemoteParts {
    RemoteParts::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

fn kind(s: &str) -> ErrorKind {
    Remote::parse(s).expect_err(s).kind()
}

/// Rows of `reference/behavior.md` §1.3 where we agree with the reference.
#[test]
fn reference_table_agreements() {
    let ok: &[(&str, Option<&str>, Option<&str>, &str)] = &[
        // remote, profile, region, repository
        ("codecommit://repo", None, None, "repo"),
        ("codecommit://dev@repo", Some("dev"), None, "repo"),
        (
            "us-east-1://dev@repo",
            Some("dev"),
            Some("us-east-1"),
            "repo",
        ),
        ("CODECOMMIT://repo", None, None, "repo"),
        ("Codecommit://dev@repo", Some("dev"), None, "repo"),
        ("US-EAST-1://repo", None, Some("us-east-1"), "repo"),
        (" codecommit://repo", None, None, "repo"),
        ("cn-north-1://repo", None, Some("cn-north-1"), "repo"),
        ("us-gov-east-1://repo", None, Some("us-gov-east-1"), "repo"),
        ("codecommit://DEV@repo", Some("DEV"), None, "repo"),
        ("codecommit://dev:pw@repo", Some("dev:pw"), None, "repo"),
        ("codecommit://dev%40x@repo", Some("dev%40x"), None, "repo"),
        ("codecommit://@repo", Some(""), None, "repo"),
    ];
    for &(remote, profile, region, repo) in ok {
        let r = Remote::parse(remote).unwrap_or_else(|e| panic!("{remote}: {e}"));
        assert_eq!(r.profile(), profile, "{remote}");
        assert_eq!(r.region().map(|r| r.name()), region, "{remote}");
        assert_eq!(r.repository().as_str(), repo, "{remote}");
    }

    for remote in [
        "codecommit:///repo",
        "codecommit://",
        "codecommit:repo",
        "codecommit//x",
        "://x",
        "boom",
        "",
        "codecommit:://test_repo",
        "codecommit:/test_repo",
        "github://repo",
        "useast1://repo",
        "fips://repo",
        "xx-1://repo",
        "code_commit://repo",
        "1us-east-1://repo",
        "codecommit://[repo",
        "codecommit://a[b]c",
    ] {
        assert_eq!(kind(remote), ErrorKind::MalformedRemote, "{remote:?}");
    }

    for remote in [
        "us-east-1x://repo",
        "us-east-1-fips://repo",
        "ab-c-1://repo",
        "us-west-2.://repo",
        "us-west-2+x://repo",
        "us-iso-east-1://repo",
    ] {
        assert_eq!(kind(remote), ErrorKind::RegionNotAvailable, "{remote:?}");
    }
}

/// Where we depart from the reference on purpose (each `DIFFERENCE:` in the module).
#[test]
fn deliberate_differences() {
    // Reference: FormatError. Us: the full spelling is accepted.
    let r = Remote::parse("codecommit::us-east-1://dev@repo").unwrap();
    assert_eq!(r.region().unwrap().name(), "us-east-1");
    assert_eq!(r.profile(), Some("dev"));
    let r = Remote::parse("CodeCommit::eu-west-1://repo").unwrap();
    assert_eq!(r.region().unwrap().name(), "eu-west-1");
    assert_eq!(
        kind("codecommit::codecommit://repo"),
        ErrorKind::MalformedRemote
    );
    assert_eq!(
        kind("codecommit::github://repo"),
        ErrorKind::MalformedRemote
    );

    // Reference: profile `dev`, repository `b@repo`. Us: split at the last `@`.
    let r = Remote::parse("codecommit://dev@b@repo").unwrap();
    assert_eq!(r.profile(), Some("dev@b"));
    assert_eq!(r.repository().as_str(), "repo");

    // Reference: OK with the rest dropped / an empty or odd repository. Us: errors.
    for remote in [
        "codecommit://dev@repo/extra/x",
        "codecommit://dev@repo?x=1",
        "codecommit://dev@repo#frag",
        "codecommit://dev@",
        "codecommit://repo:123",
        "codecommit://re po",
        "codecommit://re%20po",
        "codecommit://repo ",
        "codecommit://..",
    ] {
        assert_eq!(kind(remote), ErrorKind::InvalidRepositoryName, "{remote:?}");
    }

    // Reference: TAB, CR and LF are deleted. Us: malformed.
    for remote in [
        "codecommit://re\tpo",
        "codecommit://re\npo",
        "codecommit://repo\r",
    ] {
        assert_eq!(kind(remote), ErrorKind::MalformedRemote, "{remote:?}");
    }
}

#[test]
fn stages_keep_the_reference_order() {
    // A bad scheme is only found after the profile check (§0): stage one passes.
    let p = parts("github://missing@repo");
    assert_eq!(p.profile.as_deref(), Some("missing"));
    assert_eq!(
        p.region_source().unwrap_err().kind(),
        ErrorKind::MalformedRemote
    );
    // An unavailable region likewise parses in stage one.
    let p = parts("eu-west-9://missing@repo");
    assert_eq!(
        p.region_source().unwrap(),
        RegionSource::Remote("eu-west-9".into())
    );
    // A bad repository name is found in stage three.
    let p = parts("codecommit://p@re po");
    assert!(p.region_source().is_ok());
    assert_eq!(
        p.repository().unwrap_err().kind(),
        ErrorKind::InvalidRepositoryName
    );
}

#[test]
fn malformed_message_is_the_reference_text() {
    let err = Remote::parse("codecommit:/x").unwrap_err();
    assert_eq!(
        err.to_string(),
        "The following URL is malformed: codecommit:/x. A URL must be in one of the two \
         following formats: codecommit://<profile>@<repository> or \
         codecommit::<region>://<profile>@<repository>"
    );
}

#[test]
fn region_regex_matches_python() {
    // Checked against `re.match(r"^[a-z]{2}-\w*.*-\d{1}", s)` in CPython 3.11.
    let cases = [
        ("us-east-1", true),
        ("us-1", false), // the second dash must come after the first
        ("us--1", true),
        ("u-east-1", false),
        ("us-east-x", false),
        ("ab-c-1", true),
        ("us-west-2.", true),
        ("us-east-1-fips", true),
        ("eu-1-1", true),
        ("e1-east-1", false),
    ];
    for (s, want) in cases {
        assert_eq!(looks_like_region(s), want, "{s}");
    }
}

#[test]
fn repository_rules() {
    let max = "a".repeat(100);
    for good in [
        "a",
        "A-b_c.d",
        "repo.with.dots",
        "...",
        ".git",
        max.as_str(),
    ] {
        assert!(RepositoryName::new(good).is_ok(), "{good}");
    }
    let long = "a".repeat(101);
    let cases = [
        ("", "it is empty"),
        (".", "relative path segment"),
        ("..", "relative path segment"),
        ("a/b", "'/'"),
        ("a b", "a space"),
        ("a?b", "'?'"),
        ("a#b", "'#'"),
        ("a@b", "'@'"),
        ("a%2e", "'%'"),
        ("caf\u{e9}", "non-ASCII character U+00E9"),
        ("a\u{7f}", "control character U+007F"),
        (long.as_str(), "101 characters long"),
    ];
    for (bad, why) in cases {
        let err = RepositoryName::new(bad).expect_err(bad);
        assert_eq!(err.kind(), ErrorKind::InvalidRepositoryName);
        assert!(err.to_string().contains(why), "{bad:?}: {err}");
    }
}

#[test]
fn hostile_names_are_quoted_and_cut_in_messages() {
    let long = format!("\u{1b}[31m{}", "x".repeat(500));
    let err = RepositoryName::new(&long).unwrap_err().to_string();
    assert!(
        !err.contains('\u{1b}'),
        "escape sequence reached the message"
    );
    assert!(err.len() < 400, "message not cut: {} bytes", err.len());
}

#[test]
fn brackets_follow_urlparse() {
    // Valid literals pass urlparse and are then names: a repository that breaks our rules,
    // or a profile.
    assert_eq!(kind("codecommit://[::1]"), ErrorKind::InvalidRepositoryName);
    assert_eq!(
        kind("codecommit://dev@[v1.x]"),
        ErrorKind::InvalidRepositoryName
    );
    assert_eq!(
        parts("codecommit://[::1]@repo").profile.as_deref(),
        Some("[::1]")
    );
    for bad in [
        "codecommit://[repo",
        "codecommit://a]b",
        "codecommit://a[b]c",
        "codecommit://[127.0.0.1]",
        "codecommit://[v1]",
        "codecommit://[vx.y]",
    ] {
        assert_eq!(kind(bad), ErrorKind::MalformedRemote, "{bad}");
    }
}

#[test]
fn nfkc_lookalikes_are_malformed() {
    // FULLWIDTH COMMERCIAL AT in the profile: urlparse raises ValueError.
    assert_eq!(
        kind("codecommit://dev\u{ff20}x@repo"),
        ErrorKind::MalformedRemote
    );
    // Other non-ASCII in the profile is fine for the grammar.
    assert_eq!(
        Remote::parse("codecommit://d\u{e9}v@repo")
            .unwrap()
            .profile(),
        Some("d\u{e9}v")
    );
}

#[test]
fn never_panics_on_odd_input() {
    let samples = [
        "\u{0}",
        "codecommit::",
        "codecommit::\u{e9}",
        "::::",
        "a:",
        "a://@",
        "a://@@@",
        "codecommit://\u{1F600}",
        "x\u{200b}://y",
        "codecommit::Us-East-1://R",
    ];
    for s in samples {
        let _ = Remote::parse(s);
    }
}
