//! The line grammar (behavior.md §3.2, §3.3) and §10 items 7–17.

use super::*;
use crate::ErrorKind;
use crate::config::SharedConfig;

// ---- line grammar (§3.2) -------------------------------------------------------------

#[test]
fn keys_lower_cased_values_verbatim() {
    let c = config("[default]\nRegion = US-EAST-1\nk = \"quoted\" 'too'\n");
    assert_eq!(
        pairs(&c, "default"),
        kv(&[("region", "US-EAST-1"), ("k", "\"quoted\" 'too'")])
    );
}

#[test]
fn inline_comments_stay_in_the_value() {
    // §10 item 7.
    let c = config("[default]\nregion = us-east-1 # x\na = v ; y\nb = v;z\n[profile p] ; ok\n");
    assert_eq!(
        pairs(&c, "default"),
        kv(&[("region", "us-east-1 # x"), ("a", "v ; y"), ("b", "v;z")])
    );
    assert!(c.profile("p").is_some());
}

#[test]
fn colon_is_a_delimiter_and_the_first_delimiter_wins() {
    // §10 item 8.
    let c = config("[default]\nregion: us-east-1\nk: a = b\nj = a: b\n");
    assert_eq!(
        pairs(&c, "default"),
        kv(&[("region", "us-east-1"), ("k", "a = b"), ("j", "a: b")])
    );
}

#[test]
fn duplicates_fail_the_whole_file() {
    // §10 item 9, with the line of the second occurrence.
    assert_eq!(error_line("[default]\nregion = a\nRegion = b\n"), 3);
    assert_eq!(error_line("[a]\n[b]\n\n[a]\n"), 4);
    assert_eq!(error_line("[default]\n\u{3a3} = a\n\u{3c3} = b\n"), 3);
    let e = error("[profile x]\nregion = a\nREGION = b\n");
    assert!(e.message().contains("key `region`"), "{e}");
    assert!(e.message().contains("[profile x]"), "{e}");
    // The same key in two sections is fine, and so is one section per raw name.
    config("[default]\nk = 1\n[profile x]\nk = 2\n[profile \"x\"]\n");
}

#[test]
fn default_section_is_injected_into_every_section_of_its_file() {
    // §10 item 10: own keys first, then inherited ones; own keys win.
    let c = both(
        "[profile a]\nregion = own\nz = 1\n[DEFAULT]\nregion = dflt\noutput = json\n[profile b]\n",
        "[DEFAULT]\nk = creds\n[a]\n",
    );
    let a = c.profile("a").unwrap();
    let cfg = a.config_file().unwrap();
    assert_eq!(
        cfg.iter().collect::<Vec<_>>(),
        [("region", "own"), ("z", "1"), ("output", "json")]
    );
    assert_eq!(cfg.len(), 3);
    assert_eq!(
        pairs(&c, "b"),
        kv(&[("region", "dflt"), ("output", "json")])
    );
    // The credentials file's [DEFAULT] reaches its own sections only.
    assert_eq!(a.credentials_file().unwrap().get("k"), Some("creds"));
    assert_eq!(c.profile("b").unwrap().get("k"), None);
    // [DEFAULT] is no section: a file of only [DEFAULT] has no profiles.
    assert!(config("[DEFAULT]\nregion = a\n").profile_names().is_empty());
    // It may be opened twice, but its keys are still checked for duplicates.
    assert_eq!(
        pairs(
            &config("[DEFAULT]\na = 1\n[default]\n[DEFAULT]\nb = 2\n"),
            "default"
        )
        .len(),
        2
    );
    assert_eq!(
        error_line("[DEFAULT]\na = 1\n[default]\n[DEFAULT]\nA = 2\n"),
        5
    );
}

#[test]
fn default_and_profile_default_later_wins_wholesale() {
    // §10 item 11: no merge; the name keeps the first section's place.
    let c = config("[default]\na = 1\n[profile x]\n[profile default]\nb = 2\n");
    assert_eq!(c.profile_names(), ["default", "x"]);
    assert_eq!(pairs(&c, "default"), kv(&[("b", "2")]));
    let c = config("[profile default]\nb = 2\n[default]\na = 1\n");
    assert_eq!(pairs(&c, "default"), kv(&[("a", "1")]));
}

#[test]
fn credentials_names_are_raw_and_config_needs_the_prefix() {
    // §10 item 12.
    let c = both("[foo]\nk = v\n", "[profile foo]\nk = v\n[   bar    ]\n");
    assert_eq!(c.profile_names(), ["profile foo", "   bar    "]);
    assert!(c.profile("foo").is_none());
    assert_eq!(c.section_names(), ["foo"]);
    assert_eq!(c.section("foo").unwrap().get("k"), Some("v"));
}

#[test]
fn profile_names_are_shell_split() {
    // §10 item 13 and the table of §3.3.
    let c = config(
        "[profile \"a b\"]\n[profile a b]\n[profiledev]\n[ profile x ]\n[profile  dev ]\n\
         [profile 'q']\n[profile a\\b]\n[profile \"unbalanced]\n[profile]\n[default ]\n\
         [Profile Dev]\n[profile foo!bar]\n[profiles plural]\n",
    );
    assert_eq!(
        c.profile_names(),
        ["a b", "dev", "q", "ab", "foo!bar", "plural"]
    );
    assert_eq!(
        c.section_names(),
        [" profile x ", "default ", "Profile Dev"]
    );
}

#[test]
fn sso_sessions_services_and_other_sections() {
    let c = config(
        "[sso-session my-sso]\nsso_region = us-east-1\n[sso-sessionfoo]\n[services svc]\n\
         s3 =\n  endpoint_url = http://localhost:1\n[plugins]\np = x\n[sso_sessions]\nk = v\n",
    );
    assert_eq!(c.sso_session_names(), ["my-sso"]);
    assert_eq!(
        c.sso_session("my-sso").unwrap().get("sso_region"),
        Some("us-east-1")
    );
    assert!(c.sso_session("foo").is_none());
    assert_eq!(c.services_names(), ["svc"]);
    assert_eq!(
        c.services("svc").unwrap().sub_properties("s3"),
        Some(vec![("endpoint_url", "http://localhost:1")])
    );
    assert_eq!(c.section("plugins").unwrap().get("p"), Some("x"));
    // botocore overwrites a section named `sso_sessions` with its own map.
    assert!(c.section("sso_sessions").is_none());
    assert!(c.profile_names().is_empty());
}

#[test]
fn bom_is_a_parse_error() {
    // §10 item 14.
    let e = error("\u{feff}[default]\nregion = a\n");
    assert!(e.message().contains("(line 1: "), "{e}");
    assert!(e.message().contains("byte-order mark"), "{e}");
    // Later in the file it is just a character.
    assert_eq!(
        pairs(&config("[default]\nk = \u{feff}v\n"), "default"),
        kv(&[("k", "\u{feff}v")])
    );
}

#[test]
fn deeper_indented_lines_continue_the_value() {
    // §10 item 15 and the continuation rules of §3.2.
    let c = config("[default]\nsecret = abc\n  def = g\n");
    assert_eq!(pairs(&c, "default"), kv(&[("secret", "abc\ndef = g")]));
    let c = config("[default]\n  region = a\n  output = b\n");
    assert_eq!(
        pairs(&c, "default"),
        kv(&[("region", "a"), ("output", "b")])
    );
    let c = config("[default]\n  region = a\n    output = b\n");
    assert_eq!(pairs(&c, "default"), kv(&[("region", "a\noutput = b")]));
    let c = config("[default]\n    region = a\n  output = b\n");
    assert_eq!(pairs(&c, "default").len(), 2);
    // Trimmed, TAB counts, indentation counted in code points.
    let c = config("[default]\nk = v\n \t more \t \n\tmore2\n");
    assert_eq!(pairs(&c, "default"), kv(&[("k", "v\nmore\nmore2")]));
    let c = config("[default]\n  k = v\n\u{3000}j = w\n");
    assert_eq!(pairs(&c, "default"), kv(&[("k", "v"), ("j", "w")]));
    // U+001F is whitespace to Python, not to Rust.
    let c = config("[default]\nk\u{1f} = v\u{1f}\n\u{1c}cont\n");
    assert_eq!(pairs(&c, "default"), kv(&[("k", "v\ncont")]));
}

#[test]
fn blank_lines_inside_values_and_trailing_ones_dropped() {
    let c = config("[default]\nk = v\n\n\t\n  cont\n\n\nj = w\n");
    assert_eq!(
        pairs(&c, "default"),
        kv(&[("k", "v\n\n\ncont"), ("j", "w")])
    );
    let c = config("[default]\nk = v\n  a\n\n\n");
    assert_eq!(pairs(&c, "default"), kv(&[("k", "v\na")]));
    let c = config("[default]\nk =\n\n\n[profile x]\n");
    assert_eq!(pairs(&c, "default"), kv(&[("k", "")]));
}

#[test]
fn nested_value_without_equals_fails_the_file() {
    // §10 item 16, with the line of the offending nested line.
    assert_eq!(error_line("[default]\nregion =\n  us-east-1\n"), 3);
    assert_eq!(error_line("[default]\ns3 =\n  a = 1\n\n  bad\n"), 5);
    assert_eq!(error_line("[default]\ns3 =\n  a = 1\u{c}bad\n"), 3);
    let e = error("[default]\ns3 =\n  invalid\n");
    assert!(e.message().contains("`s3 =`"), "{e}");
    // A value on the key line is never nested.
    let c = config("[default]\ns3 = x\n  bad\n");
    assert_eq!(pairs(&c, "default"), kv(&[("s3", "x\nbad")]));
    assert_eq!(c.profile("default").unwrap().sub_properties("s3"), None);
}

#[test]
fn nested_values_as_botocore_maps() {
    let c = config(
        "[default]\ns3 =\n  a = 1\n\n  # c\n  B = 2\n  a = 3\n  = e\n  x = y = z\nn =\n  f = 1\u{2028}g = 2\n",
    );
    let p = c.profile("default").unwrap();
    assert_eq!(p.get("s3"), Some("\na = 1\n\nB = 2\na = 3\n= e\nx = y = z"));
    assert_eq!(
        p.sub_properties("s3"),
        Some(vec![("a", "3"), ("B", "2"), ("", "e"), ("x", "y = z")])
    );
    assert_eq!(p.sub_properties("n"), Some(vec![("f", "1"), ("g", "2")]));
}

#[test]
fn nested_default_values_fail_only_when_inherited() {
    let bad = "[DEFAULT]\ns3 =\n  bad\n";
    assert_eq!(error_line(&format!("{bad}[default]\n")), 3);
    assert_eq!(
        error_line(&format!("{bad}[default]\ns3 = x\n[profile b]\n")),
        3
    );
    config(&format!("{bad}[default]\ns3 = x\n"));
    assert!(config(bad).profile_names().is_empty());
}

#[test]
fn comments_between_continuations_and_indented_headers() {
    // §10 item 17.
    let c = config("[default]\nk = v\n  a\n# c\n    ; d\n  b\n");
    assert_eq!(pairs(&c, "default"), kv(&[("k", "v\na\nb")]));
    let c = config("[default]\nregion = a\n  [profile x]\n");
    assert_eq!(pairs(&c, "default"), kv(&[("region", "a\n[profile x]")]));
    assert_eq!(c.profile_names(), ["default"]);
    // Without an open key an indented header is a header.
    assert_eq!(config("  [profile x]\nk = v\n").profile_names(), ["x"]);
}

#[test]
fn header_names_run_to_the_last_bracket() {
    let c = config("[profile a]b]\n[default] ; c\n[profile x] junk\n[]]\n");
    assert_eq!(c.profile_names(), ["a]b", "default", "x"]);
    assert_eq!(c.section_names(), ["]"]);
    // In a section, `[x = y` is a key.
    let c = config("[default]\n[x = y\n");
    assert_eq!(pairs(&c, "default"), kv(&[("[x", "y")]));
}

#[test]
fn grammar_errors_name_their_line() {
    for (text, line, what) in [
        (
            "region = a\n[default]\n",
            1,
            "before the first section header",
        ),
        ("# c\n\n  cont\n", 3, "before the first section header"),
        ("[profile foo", 1, "no closing `]`"),
        ("[default]\n[profile foo\n", 2, "no closing `]`"),
        ("[]\n", 1, "`[]` has no name"),
        ("[default]\n[] junk\n", 2, "`[]` has no name"),
        ("[default]\nnovalue\n", 2, "without `=`"),
        ("[default]\n  cont\n", 2, "without `=`"),
        ("[default]\n= v\n", 2, "no name before"),
        ("[default]\n: v\n", 2, "no name before"),
        ("[default]\r\nk = 1\r\n\r\nnovalue\r\n", 4, "without `=`"),
        ("[default]\rk = 1\rnovalue\r", 3, "without `=`"),
    ] {
        let e = error(text);
        assert!(
            e.message().contains(&format!("(line {line}: ")) && e.message().contains(what),
            "{text:?}: {e}"
        );
    }
}

#[test]
fn decode_errors() {
    for bytes in [
        &b"[default]\nk = \xff\n"[..],
        b"[default]\n# \xc3\x28\n",
        b"[default]\nk = \xed\xa0\x80\n",
        b"[default]\nk = \xc0\x80\n",
    ] {
        let e = SharedConfig::from_sources(Some(bytes), None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ConfigParse);
        assert!(
            e.message().contains("(line 2: the file is not valid UTF-8"),
            "{e}"
        );
    }
}

#[test]
fn universal_newlines() {
    let c = config("[default]\r\nregion = a\r\n  cont\r\nb = 1\rc = 2\n");
    assert_eq!(
        pairs(&c, "default"),
        kv(&[("region", "a\ncont"), ("b", "1"), ("c", "2")])
    );
    // Only CR and LF end lines; FF and U+2028 stay in the value.
    let c = config("[default]\nk = a\u{c}b\u{2028}c\n");
    assert_eq!(pairs(&c, "default"), kv(&[("k", "a\u{c}b\u{2028}c")]));
}
