use super::*;
use crate::config::SharedConfig;

const SESSION: &str = "corp";

fn wanted() -> Vec<NewProfile> {
    ["Prod.Admin", "Dev.Reader"]
        .iter()
        .zip(["111111111111", "222222222222"])
        .map(|(name, id)| NewProfile {
            name: (*name).to_owned(),
            keys: vec![
                ("sso_session", SESSION.to_owned()),
                ("sso_account_id", id.to_owned()),
                ("sso_role_name", name.split('.').nth(1).unwrap().to_owned()),
                ("region", "eu-west-1".to_owned()),
            ],
        })
        .collect()
}

fn never(_: &str) -> bool {
    false
}

/// The profile `name` of `text` as our reader sees it, keys sorted.
fn keys_of(text: &str, name: &str) -> Option<Vec<(String, String)>> {
    let config = SharedConfig::from_sources(Some(text.as_bytes()), None).expect("parses");
    let profile = config.profile(name)?;
    let mut keys: Vec<(String, String)> = profile
        .keys()
        .into_iter()
        .map(|k| (k.to_owned(), profile.get(k).unwrap().to_owned()))
        .collect();
    keys.sort();
    Some(keys)
}

fn ours(profile: &NewProfile) -> Vec<(String, String)> {
    let mut keys: Vec<(String, String)> = profile
        .keys
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    keys.sort();
    keys
}

/// Files that need care, each written to, checked, and written again.
#[test]
fn tricky_files_keep_their_bytes_and_gain_exactly_our_profiles() {
    let cases: &[(&str, &str)] = &[
        ("empty", ""),
        (
            "comments of both kinds",
            "# top\n; semi\n[default]\n# inside\nregion = us-east-1\n; end\n",
        ),
        (
            "DEFAULT section",
            "[DEFAULT]\noutput = json\n\n[profile a]\nregion = x\n",
        ),
        ("CRLF", "[default]\r\nregion = us-east-1\r\n"),
        ("lone CR", "[default]\rregion = us-east-1\r"),
        ("no final newline", "[default]\nregion = us-east-1"),
        (
            "no final newline after a comment",
            "[default]\nregion = us-east-1\n# bye",
        ),
        (
            "[NAME] in the config file is not a profile",
            "[Prod.Admin]\nk = v\n",
        ),
        (
            "sso-session of the same name",
            "[sso-session Prod.Admin]\nsso_region = us-east-1\n",
        ),
        (
            "a header inside a value",
            "[profile a]\nk = v\n  [profile Prod.Admin]\n",
        ),
        (
            "indented keys and odd spacing",
            "[profile  a ]\n  k=v\n\n\n\tj : w\n",
        ),
        ("unicode", "# héllo — ☃\n[profile ü]\nk = ☃\n"),
    ];
    let wanted = wanted();
    for (what, before) in cases {
        let applied = apply(before, SESSION, &wanted, &never).expect(what);
        let after = &applied.text;
        assert_eq!(applied.added, ["Prod.Admin", "Dev.Reader"], "{what}");
        // The user's bytes are a prefix; only a missing final line break is added.
        let eol = line_ending(before);
        let kept = if before.is_empty() || ends_a_line(before) {
            before.to_string()
        } else {
            format!("{before}{eol}")
        };
        assert!(after.starts_with(&kept), "{what}:\n{after}");
        assert_eq!(
            ends_a_line(after),
            before.is_empty() || ends_a_line(before),
            "{what}"
        );
        // New lines use the file's line ending only.
        let tail = &after[kept.len()..];
        match eol {
            "\r\n" => assert!(!tail.replace("\r\n", "").contains(['\r', '\n']), "{what}"),
            "\r" => assert!(!tail.contains('\n'), "{what}"),
            _ => assert!(!tail.contains('\r'), "{what}"),
        }
        // Each profile is exactly ours (plus what [DEFAULT] shows everywhere).
        for profile in &wanted {
            let mut expected = ours(profile);
            if before.contains("[DEFAULT]") {
                expected.push(("output".into(), "json".into()));
                expected.sort();
            }
            assert_eq!(keys_of(after, &profile.name), Some(expected), "{what}");
        }
        // Everything the user had reads the same.
        let old = SharedConfig::from_sources(Some(before.as_bytes()), None).unwrap();
        for name in old.profile_names() {
            assert_eq!(
                keys_of(after, name),
                keys_of(before, name),
                "{what}: {name}"
            );
        }
        // The marker sits right above each header.
        for profile in &wanted {
            let header = format!("{eol}[profile {}]{eol}", profile.name);
            let at = after
                .find(&header)
                .unwrap_or_else(|| panic!("{what}: {header:?}"));
            assert!(after[..at].ends_with(&marker(SESSION)), "{what}");
        }
        // A second run finds them all ours and changes nothing.
        let again = apply(after, SESSION, &wanted, &never).expect(what);
        assert_eq!(&again.text, after, "{what}: rerun");
        assert_eq!(again.unchanged, ["Prod.Admin", "Dev.Reader"], "{what}");
        assert!(again.added.is_empty() && again.updated.is_empty(), "{what}");
    }
}

#[test]
fn ours_are_updated_in_place_and_the_rest_stays() {
    let before = format!(
        "[default]\nregion = us-east-1\n\n{m}\n[profile Prod.Admin]\nsso_session = corp\n\
         sso_account_id = 111111111111\nsso_role_name = Admin\nregion = us-east-2\n\n\
         # the user's comment\n[profile z]\nk = v\n",
        m = marker(SESSION)
    );
    let wanted = wanted();
    let applied = apply(&before, SESSION, &wanted[..1], &never).unwrap();
    assert_eq!(applied.updated, ["Prod.Admin"]);
    assert_eq!(
        applied.text,
        before.replace("region = us-east-2", "region = eu-west-1")
    );
}

#[test]
fn ours_at_the_end_without_a_final_newline_stays_without_one() {
    let before = format!(
        "{}\n[profile Prod.Admin]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = Admin\nregion = x",
        marker(SESSION)
    );
    let applied = apply(&before, SESSION, &wanted()[..1], &never).unwrap();
    assert!(
        applied.text.ends_with("region = eu-west-1"),
        "{}",
        applied.text
    );
    assert!(applied.text.contains("sso_account_id = 111111111111\n"));
}

#[test]
fn a_name_that_is_not_ours_is_left_alone() {
    let cases = [
        "[profile Prod.Admin]\nregion = x\n",
        "[profile  Prod.Admin ]\nregion = x\n",
        "[profile \"Prod.Admin\"]\nregion = x\n",
        "[profiles Prod.Admin]\nregion = x\n",
        // Ours, but for another session.
        "# managed by codecommit-auth profiles --sso-session other\n[profile Prod.Admin]\nregion = x\n",
        // The marker, but not directly above the header.
        "# managed by codecommit-auth profiles --sso-session corp\n\n[profile Prod.Admin]\nregion = x\n",
    ];
    for before in cases {
        let applied = apply(before, SESSION, &wanted(), &never).unwrap();
        assert_eq!(applied.kept, ["Prod.Admin"], "{before}");
        assert_eq!(applied.added, ["Dev.Reader"], "{before}");
        assert!(applied.text.starts_with(before));
        assert!(!applied.text[before.len()..].contains("Prod.Admin"));
    }
    let applied = apply("", SESSION, &wanted(), &|n| n == "Dev.Reader").unwrap();
    assert_eq!(applied.kept, ["Dev.Reader"]);
    assert!(!applied.text.contains("Dev.Reader"));
}

#[test]
fn ours_no_longer_wanted_are_reported_and_kept() {
    let first = apply("", SESSION, &wanted(), &never).unwrap().text;
    let applied = apply(&first, SESSION, &wanted()[..1], &never).unwrap();
    assert_eq!(applied.stale, ["Dev.Reader"]);
    assert_eq!(applied.text, first);
}

#[test]
fn a_broken_file_is_not_edited() {
    assert!(apply("[a]\nk = 1\nk = 2\n", SESSION, &wanted(), &never).is_err());
}

#[test]
fn the_diff_is_a_unified_diff() {
    let old = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";
    let new = "a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nk\n";
    assert_eq!(
        unified_diff("cfg", old, new),
        "--- cfg\n+++ cfg\n@@ -1,5 +1,5 @@\n a\n-b\n+B\n c\n d\n e\n\
         @@ -8,3 +8,4 @@\n h\n i\n j\n+k\n"
    );
    assert_eq!(unified_diff("cfg", old, old), "");
    assert_eq!(
        unified_diff("cfg", "", "x\n"),
        "--- cfg\n+++ cfg\n@@ -0,0 +1,1 @@\n+x\n"
    );
    assert_eq!(
        unified_diff("cfg", "x", "x\ny\n"),
        "--- cfg\n+++ cfg\n@@ -1,1 +1,2 @@\n-x\n\\ No newline at end of file\n+x\n+y\n"
    );
}

#[test]
fn the_diff_applies_line_by_line() {
    // Replaying the edit script on the old lines gives the new ones.
    let old: Vec<String> = (0..200).map(|i| format!("{}\n", i % 7)).collect();
    let mut new = old.clone();
    new.remove(10);
    new.insert(50, "x\n".into());
    new[120] = "y\n".into();
    new.push("z\n".into());
    let (a, b) = (old.concat(), new.concat());
    let (la, lb) = (split_keeping_ends(&a), split_keeping_ends(&b));
    let mut rebuilt = Vec::new();
    let mut edits = 0;
    for op in diff_lines(&la, &lb) {
        match op {
            Op::Same(i, j) => {
                assert_eq!(la[i], lb[j]);
                rebuilt.push(la[i]);
            }
            Op::Insert(j) => {
                rebuilt.push(lb[j]);
                edits += 1;
            }
            Op::Delete(_) => edits += 1,
        }
    }
    assert_eq!(rebuilt.concat(), b);
    assert!(edits <= 5, "{edits} edits for 4 changes");
}

#[test]
fn the_diff_never_shows_a_secret_value() {
    let old = "[profile keys]\naws_access_key_id = AKID\nAWS_Secret_Access_Key=SENTINEL-1\n\
               aws_session_token : SENTINEL-2\n";
    let new = format!("{old}\n[profile x]\n");
    let diff = unified_diff("cfg", old, &new);
    assert!(!diff.contains("SENTINEL"), "{diff}");
    assert!(
        diff.contains(" AWS_Secret_Access_Key= <redacted>\n"),
        "{diff}"
    );
    assert!(diff.contains(" aws_access_key_id = AKID\n"), "{diff}");
}
