//! Parsing the shared config and credentials files.
//!
//! Each benchmark first checks what it parses (profile count and a value), then times it.
//! Inputs go through `black_box`.
//!
//! * `config/parse/small/codecommit_auth` — a real-world pair of files (a default
//!   profile, SSO and role profiles, an sso-session, a services section with nested
//!   values, comments; a credentials file with two key pairs) through
//!   [`SharedConfig::from_sources`]: decode, grammar, section names and the merge. This
//!   is what every git-remote-codecommit run pays once.
//! * `config/parse/1000-profiles/codecommit_auth` — a generated config of 1,000 profiles
//!   of five keys each (≈150 KiB), for scale.
//! * `config/scale/{1,100,2000,20000}` — generated IAM Identity Center configs (an
//!   sso-session and one profile per account and role, five keys each: 14 KB at 100
//!   profiles, 282 KB at 2,000, 2.8 MB at 20,000), parsed and one profile looked up, as
//!   a `--print-url` run does; issue 16 asks 2,000 profiles to cost almost nothing more
//!   than one.
//! * `…/rust-ini` — the same text through `rust-ini` 0.21's parser alone
//!   (`Ini::load_from_str_opt`, the options of conformance README §10), with no mapping
//!   layer and no merge, so it is a lower bound for any rust-ini based design.

use std::hint::black_box;

use codecommit_auth::config::SharedConfig;
use criterion::{Criterion, criterion_group, criterion_main};
use ini::{Ini, ParseOption};

const SMALL_CONFIG: &str = "\
# Managed by hand; see the team wiki.
[default]
region = eu-west-1
output = json
cli_pager =

[profile dev]
region = eu-west-1
role_arn = arn:aws:iam::111122223333:role/Developer
source_profile = default
duration_seconds = 3600

[profile prod]
sso_session = corp
sso_account_id = 444455556666
sso_role_name = ReadOnly
region = us-east-1

[profile legacy-sso]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
sso_account_id = 777788889999
sso_role_name = PowerUser

[profile tools]
credential_process = /usr/local/bin/aws-vault export --format=json tools
region = eu-central-1
s3 =
    addressing_style = path
    signature_version = s3v4
services = local

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[services local]
s3 =
    endpoint_url = http://localhost:4566
codecommit =
    endpoint_url = http://localhost:4567
";

const SMALL_CREDENTIALS: &str = "\
[default]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

[ci]
aws_access_key_id = AKIAI44QH8DHBEXAMPLE
aws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY
";

fn many_profiles(n: usize) -> String {
    let mut text = String::from("[default]\nregion = us-east-1\n");
    for i in 0..n {
        text.push_str(&format!(
            "\n[profile team-{i}]\nregion = eu-west-{}\nrole_arn = arn:aws:iam::{:012}:role/Deploy\n\
             source_profile = default\nduration_seconds = 3600\noutput = json\n",
            i % 3 + 1,
            i
        ));
    }
    text
}

fn rust_ini(text: &str) -> Ini {
    let options = ParseOption {
        enabled_quote: false,
        enabled_escape: false,
        enabled_indented_mutiline_value: true,
        enabled_preserve_key_leading_whitespace: false,
    };
    Ini::load_from_str_opt(text, options).expect("rust-ini parses the fixture")
}

fn ours(config: &str, credentials: Option<&str>) -> SharedConfig {
    SharedConfig::from_sources(Some(config.as_bytes()), credentials.map(str::as_bytes))
        .expect("the fixture parses")
}

fn parse(c: &mut Criterion) {
    // Check before timing.
    let small = ours(SMALL_CONFIG, Some(SMALL_CREDENTIALS));
    assert_eq!(
        small.profile_names(),
        ["default", "dev", "prod", "legacy-sso", "tools", "ci"]
    );
    assert_eq!(
        small
            .services("local")
            .unwrap()
            .sub_properties("codecommit"),
        Some(vec![("endpoint_url", "http://localhost:4567")])
    );
    let big_text = many_profiles(1_000);
    let big = ours(&big_text, None);
    assert_eq!(big.profile_names().len(), 1_001);
    assert_eq!(
        big.profile("team-999").unwrap().get("region"),
        Some("eu-west-1")
    );
    assert_eq!(rust_ini(SMALL_CONFIG).len(), 8); // 7 sections and the general one
    assert_eq!(rust_ini(&big_text).len(), 1_002);

    let mut group = c.benchmark_group("config/parse");
    group.bench_function("small/codecommit_auth", |b| {
        b.iter(|| ours(black_box(SMALL_CONFIG), Some(black_box(SMALL_CREDENTIALS))))
    });
    group.bench_function("small/rust-ini", |b| {
        b.iter(|| {
            (
                rust_ini(black_box(SMALL_CONFIG)),
                rust_ini(black_box(SMALL_CREDENTIALS)),
            )
        })
    });
    group.bench_function("1000-profiles/codecommit_auth", |b| {
        b.iter(|| ours(black_box(&big_text), None))
    });
    group.bench_function("1000-profiles/rust-ini", |b| {
        b.iter(|| rust_ini(black_box(&big_text)))
    });
    group.finish();
}

/// An IAM Identity Center layout: one profile per account and role, then `demo`.
fn sso_profiles(n: usize) -> String {
    let mut text = String::from(
        "[default]\nregion = us-east-1\n\n[sso-session corp]\n\
         sso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n\
         sso_registration_scopes = sso:account:access\n\n",
    );
    for i in 0..n {
        text.push_str(&format!(
            "[profile acct-{i:012}-Deploy]\nsso_session = corp\nsso_account_id = {i:012}\n\
             sso_role_name = Deploy\nregion = eu-west-{}\noutput = json\n\n",
            i % 3 + 1
        ));
    }
    text.push_str("[profile demo]\nregion = us-east-2\n");
    text
}

fn scale(c: &mut Criterion) {
    let mut group = c.benchmark_group("config/scale");
    for n in [1, 100, 2_000, 20_000] {
        let text = sso_profiles(n);
        let region = |text: &str| {
            let config = ours(text, None);
            config
                .profile("demo")
                .and_then(|p| p.get("region").map(str::to_owned))
        };
        assert_eq!(region(&text).as_deref(), Some("us-east-2"));
        assert_eq!(ours(&text, None).profile_names().len(), n + 2);
        if n >= 2_000 {
            group.sample_size(10);
        }
        group.bench_function(n.to_string(), |b| b.iter(|| region(black_box(&text))));
    }
    group.finish();
}

criterion_group!(benches, parse, scale);
criterion_main!(benches);
