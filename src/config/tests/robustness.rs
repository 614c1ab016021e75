//! No panics on any bytes, no quadratic blow-ups, no secrets in errors or `Debug`.

use std::time::{Duration, Instant};

use super::*;

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Pieces the grammar cares about, so random inputs reach deep into the parser.
const PIECES: &[&[u8]] = &[
    b"[",
    b"]",
    b"=",
    b":",
    b"#",
    b";",
    b" ",
    b"  ",
    b"\t",
    b"\n",
    b"\r",
    b"\r\n",
    b"\\",
    b"\"",
    b"'",
    b"profile ",
    b"default",
    b"DEFAULT",
    b"sso-session ",
    b"services ",
    b"k",
    b"Key",
    b"v",
    b"\n  ",
    b"=\n  a = b",
    b"\xc3\xa9",
    b"\xe3\x80\x80",
    b"\x1c",
    b"\x0c",
    b"\xe2\x80\xa8",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\xed\xa0\x80",
    b"\xc3",
    b"\x00",
];

fn check_invariants(shared: &SharedConfig) {
    for name in shared.profile_names() {
        let p = shared.profile(name).expect("listed profile resolves");
        for key in p.keys() {
            assert!(p.get(key).is_some(), "key {key:?} of {name:?} has a value");
            let _ = p.sub_properties(key);
        }
        for props in [p.config_file(), p.credentials_file()]
            .into_iter()
            .flatten()
        {
            assert_eq!(props.len(), props.iter().count());
            assert_eq!(props.is_empty(), props.iter().next().is_none());
        }
    }
    for name in shared.sso_session_names() {
        assert!(shared.sso_session(name).is_some());
    }
    let _ = format!("{shared:?}");
}

/// Random bytes, mostly made of grammar pieces, so they reach deep into the parser.
fn soup(rng: &mut Rng) -> Vec<u8> {
    let mut file = Vec::new();
    for _ in 0..rng.below(48) {
        if rng.below(8) == 0 {
            file.push(rng.next() as u8);
        } else {
            file.extend_from_slice(PIECES[rng.below(PIECES.len())]);
        }
    }
    file
}

/// Random lines that are mostly well-formed, so many files parse and the merged view is
/// exercised too.
fn lines(rng: &mut Rng) -> Vec<u8> {
    const LINES: &[&[u8]] = &[
        b"[default]",
        b"[profile a]",
        b"[profile \"b c\"]",
        b"[DEFAULT]",
        b"[sso-session s]",
        b"[services v]",
        b"[plugins]",
        b"[a]",
        b"region = us-east-1",
        b"Output: json",
        b"s3 =",
        b"  addressing_style = path",
        b"  more",
        b"",
        b"# comment",
        b"  ; c",
        b"k = v # not a comment",
        b"\xe3\x80\x80cont",
        b"role_arn=arn",
    ];
    let mut file = Vec::new();
    for _ in 0..rng.below(16) {
        let line = LINES[rng.below(LINES.len())];
        file.extend_from_slice(if rng.below(40) == 0 {
            PIECES[rng.below(PIECES.len())]
        } else {
            line
        });
        file.extend_from_slice([&b"\n"[..], b"\r\n", b"\r"][rng.below(3)]);
    }
    file
}

#[test]
fn random_inputs_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for (name, make) in [("soup", soup as fn(&mut Rng) -> Vec<u8>), ("lines", lines)] {
        let mut parsed = 0;
        for _ in 0..10_000 {
            let config = make(&mut rng);
            let credentials = make(&mut rng);
            let credentials = (rng.below(2) == 0).then_some(&credentials[..]);
            match SharedConfig::from_sources(Some(&config), credentials) {
                Ok(shared) => {
                    parsed += 1;
                    check_invariants(&shared);
                }
                Err(e) => assert_eq!(e.kind(), ErrorKind::ConfigParse),
            }
        }
        // Each generator must reach both outcomes, or it tests nothing.
        assert!(
            (100..9_900).contains(&parsed),
            "{name}: {parsed} of 10000 parsed"
        );
    }
}

/// Parses `text` and fails if that took longer than a linear parser ever could.
fn timed(label: &str, text: &str) -> SharedConfig {
    let start = Instant::now();
    let shared = config(text);
    let took = start.elapsed();
    // Generous for a debug build on a slow machine; a quadratic step on these sizes
    // takes minutes.
    assert!(took < Duration::from_secs(10), "{label}: {took:?}");
    shared
}

#[test]
fn large_inputs_stay_linear() {
    let mut many = String::new();
    for i in 0..10_000 {
        many.push_str(&format!(
            "[profile p{i}]\nregion = us-east-1\noutput = json\nrole_arn = arn:{i}\n"
        ));
    }
    assert_eq!(timed("10k profiles", &many).profile_names().len(), 10_000);

    let long = format!("[default]\nk = {}\n", "x".repeat(1 << 20));
    timed("1 MiB value", &long);
    let indent = format!("[default]\nk = v\n{}cont\n", " ".repeat(1 << 20));
    timed("1 MiB indentation", &indent);

    let mut keys = String::from("[default]\n");
    for i in 0..100_000 {
        keys.push_str(&format!("key{i} = {i}\n"));
    }
    assert_eq!(pairs(&timed("100k keys", &keys), "default").len(), 100_000);

    let lines = format!("[default]\nk = v\n{}", "  more\n".repeat(100_000));
    timed("100k continuation lines", &lines);
    let nested = format!("[default]\ns3 =\n{}", "  a = b\n".repeat(100_000));
    timed("100k nested lines", &nested);

    // [DEFAULT] keys are shared by every section, not copied into each.
    let mut defaults = String::from("[DEFAULT]\n");
    for i in 0..20_000 {
        defaults.push_str(&format!("d{i} = {i}\n"));
    }
    for i in 0..20_000 {
        defaults.push_str(&format!("[profile p{i}]\nd{i} = own\n"));
    }
    let shared = timed("20k defaults x 20k sections", &defaults);
    let p = shared.profile("p7").unwrap();
    assert_eq!(p.get("d7"), Some("own"));
    assert_eq!(p.keys().len(), 20_000);
}

const SECRET: &str = "wJalrXUtnFEMI-SENTINEL";

#[test]
fn errors_never_quote_values() {
    for text in [
        format!("aws_secret_access_key = {SECRET}\n"),
        format!("[default]\naws_secret_access_key {SECRET}\n"),
        format!("[default]\n= {SECRET}\n"),
        format!("[default]\nk = {SECRET}\nK = {SECRET}\n"),
        format!("[default]\ns =\n  {SECRET}\n"),
        format!("\u{feff}[default]\nk = {SECRET}\n"),
        format!("[{SECRET}\n"),
    ] {
        let e = error(&text);
        assert!(!e.message().contains(SECRET), "{e}");
        assert!(!format!("{e:?}").contains(SECRET), "{e:?}");
    }
    let mut bytes = format!("[default]\nk = {SECRET}").into_bytes();
    bytes.push(0xff);
    let e = SharedConfig::from_sources(Some(&bytes), None).unwrap_err();
    assert!(!e.message().contains(SECRET), "{e}");
}

#[test]
fn debug_shows_keys_not_values() {
    let c = both(
        &format!("[default]\naws_secret_access_key = {SECRET}\n"),
        &format!("[default]\naws_session_token = {SECRET}\n"),
    );
    let p = c.profile("default").unwrap();
    for text in [
        format!("{c:?}"),
        format!("{p:?}"),
        format!("{:?}", p.config_file().unwrap()),
    ] {
        assert!(!text.contains(SECRET), "{text}");
    }
    assert!(format!("{p:?}").contains("aws_secret_access_key"));
}
