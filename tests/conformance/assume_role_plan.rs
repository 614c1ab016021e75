//! The cross-SDK assume-role planning suite (`TD/assume-role-tests.json`, conformance
//! README §3) against [`ChainPlan`]: profiles in, the chain of steps (or an error) out,
//! no network.
//!
//! Each case's profiles are rendered as config-file text and parsed with
//! `SharedConfig::from_sources`, so the plan sees them as botocore would see that file.
//! A plan is turned back into the suite's JSON shape and compared as a value; errors
//! are checked against botocore's error class and message (`reference/behavior.md` §5.1,
//! §7), never against smithy-rs's wording. Where botocore's answer differs from
//! smithy-rs's, the case is in [`DIVERGENT`] with the botocore rule, and botocore's
//! answer is what is asserted.

use codecommit_auth::config::SharedConfig;
use codecommit_auth::credentials::{BaseStep, ChainPlan, KeyFile};
use codecommit_auth::{Error, ErrorKind};
use serde_json::{Map, Value, json};

use crate::support::provider_data::{PlanCase, PlanExpected, assume_role_cases};

/// Cases whose botocore answer differs from smithy-rs's, by index, with the rule.
/// botocore's answer for each is its entry in [`BOTOCORE_ERRORS`].
const DIVERGENT: &[(usize, &str)] = &[
    (
        9,
        "BOTOCORE §7.2: a source profile with only aws_secret_access_key counts as having \
         static keys, so the walk stops there; its own providers then find nothing (the \
         config-file provider needs aws_access_key_id), which is 'The source profile \"B\" \
         must have credentials.', not a partial-credentials error",
    ),
    (
        25,
        "BOTOCORE §4.3/§10 item 51: a profile with sso_session but neither sso_account_id \
         nor sso_role_name is not an SSO credential profile, so the SSO provider does not \
         apply and nothing validates where sso_region is written: no credentials",
    ),
    (
        26,
        "BOTOCORE §4.3/§10 item 51: a token-only sso_session profile yields no credentials; \
         smithy-rs plans an Sso step with no account or role",
    ),
    (
        27,
        "BOTOCORE §4.3/§5.1: the missing [sso-session] is reported only for a profile the SSO \
         provider applies to; a token-only profile is skipped first: no credentials",
    ),
];

/// botocore's answer for every case that is an error there: (index, class, a part of
/// botocore's message that our message keeps).
const BOTOCORE_ERRORS: &[(usize, ErrorKind, &str)] = &[
    (
        6,
        ErrorKind::PartialCredentials,
        "Partial credentials found in assume-role, missing: source_profile or credential_source",
    ),
    (
        7,
        ErrorKind::InvalidConfig,
        "The profile \"A\" contains both source_profile and credential_source.",
    ),
    (
        8,
        ErrorKind::PartialCredentials,
        "Partial credentials found in config-file, missing: aws_secret_access_key",
    ),
    (
        9,
        ErrorKind::InvalidConfig,
        "The source profile \"B\" must have credentials.",
    ),
    (
        10,
        ErrorKind::InvalidConfig,
        "The source profile \"B\" must have credentials.",
    ),
    (
        11,
        ErrorKind::CredentialsNotFound,
        "profile A has no credentials of its own",
    ),
    (
        12,
        ErrorKind::InvalidConfig,
        "The source_profile \"B\" referenced in the profile \"A\" does not exist.",
    ),
    (
        13,
        ErrorKind::ProfileNotFound,
        "The config profile (A) could not be found",
    ),
    (
        16,
        ErrorKind::InvalidConfig,
        "Infinite loop in credential configuration detected. Attempting to load from profile \
         A which has already been visited. Visited profiles: ['A', 'B'] (cycle: A -> B -> A)",
    ),
    (
        17,
        ErrorKind::InvalidConfig,
        "Infinite loop in credential configuration detected. Attempting to load from profile \
         A which has already been visited. Visited profiles: ['A', 'B'] (cycle: A -> B -> A)",
    ),
    (
        20,
        ErrorKind::InvalidConfig,
        "is configured to assume role with web identity but has no role ARN configured",
    ),
    (
        23,
        ErrorKind::InvalidConfig,
        "The profile \"A\" is configured to use SSO but is missing required configuration: \
         sso_account_id",
    ),
    (
        24,
        ErrorKind::InvalidConfig,
        "The profile \"A\" is configured to use SSO but is missing required configuration: \
         sso_role_name",
    ),
    (
        25,
        ErrorKind::CredentialsNotFound,
        "profile A has no credentials of its own",
    ),
    (
        26,
        ErrorKind::CredentialsNotFound,
        "profile A has no credentials of its own",
    ),
    (
        27,
        ErrorKind::CredentialsNotFound,
        "profile A has no credentials of its own",
    ),
];

/// The profiles as a config file: `[default]` or `[profile NAME]`, then
/// `[sso-session NAME]`.
fn render(case: &PlanCase) -> String {
    let mut text = String::new();
    let section = |text: &mut String, header: String, properties: &Value| {
        text.push_str(&header);
        text.push('\n');
        for (key, value) in properties.as_object().expect("properties") {
            text.push_str(&format!("{key} = {}\n", value.as_str().expect("a string")));
        }
        text.push('\n');
    };
    for (name, properties) in &case.profiles {
        let header = if name == "default" {
            "[default]".to_owned()
        } else {
            format!("[profile {name}]")
        };
        section(&mut text, header, properties);
    }
    for (name, properties) in &case.sso_sessions {
        section(&mut text, format!("[sso-session {name}]"), properties);
    }
    text
}

/// Our plan in the suite's shape. A static-keys step's secret is not in the plan; it is
/// read from the very file section the plan names, so a plan naming the wrong profile
/// or file shows up as a wrong secret.
fn as_suite_json(plan: &ChainPlan, config: &SharedConfig) -> Value {
    let mut steps = Vec::new();
    let put = |m: &mut Map<String, Value>, k: &str, v: &Option<String>| {
        if let Some(v) = v {
            m.insert(k.to_owned(), json!(v));
        }
    };
    let base = match plan.base() {
        BaseStep::StaticKeys {
            profile,
            file,
            access_key_id,
            account_id,
            ..
        } => {
            let p = config.profile(profile).expect("the planned profile exists");
            let section = match file {
                KeyFile::Credentials => p.credentials_file(),
                _ => p.config_file(),
            };
            let secret = section.and_then(|s| s.get("aws_secret_access_key"));
            let mut m = Map::new();
            m.insert("access_key_id".into(), json!(access_key_id));
            m.insert("secret_access_key".into(), json!(secret));
            put(&mut m, "account_id", account_id);
            json!({ "AccessKey": m })
        }
        BaseStep::CredentialSource { source, .. } => json!({ "NamedSource": source.name() }),
        BaseStep::WebIdentity {
            role_arn,
            token_file,
            session_name,
            ..
        } => {
            let mut m = Map::new();
            m.insert("role_arn".into(), json!(role_arn));
            m.insert("web_identity_token_file".into(), json!(token_file));
            put(&mut m, "role_session_name", session_name);
            json!({ "WebIdentityToken": m })
        }
        BaseStep::Sso {
            start_url,
            region,
            account_id,
            role_name,
            session,
            ..
        } => {
            let mut m = Map::new();
            m.insert("sso_start_url".into(), json!(start_url));
            m.insert("sso_region".into(), json!(region));
            m.insert("sso_account_id".into(), json!(account_id));
            m.insert("sso_role_name".into(), json!(role_name));
            put(&mut m, "sso_session", session);
            json!({ "Sso": m })
        }
        other => json!({ "Other": other.to_string() }),
    };
    steps.push(base);
    for role in plan.roles() {
        let mut m = Map::new();
        m.insert("role_arn".into(), json!(role.role_arn));
        put(&mut m, "external_id", &role.external_id);
        put(&mut m, "role_session_name", &role.session_name);
        steps.push(json!({ "AssumeRole": m }));
    }
    Value::Array(steps)
}

/// Checks our answer against botocore's for the case; `Err` says how it differs.
fn check_botocore(case: &PlanCase, ours: &Result<Value, Error>) -> Result<(), String> {
    let botocore = BOTOCORE_ERRORS.iter().find(|(i, _, _)| *i == case.index);
    match (botocore, ours) {
        (Some((_, kind, message)), Err(e)) => {
            if e.kind() != *kind {
                return Err(format!(
                    "botocore's class is {kind:?}, ours {:?}: {e}",
                    e.kind()
                ));
            }
            if !e.message().contains(message) {
                return Err(format!(
                    "botocore's message {message:?} is not in ours: {e}"
                ));
            }
            Ok(())
        }
        (Some((_, kind, _)), Ok(plan)) => {
            Err(format!("botocore fails ({kind:?}); we planned {plan}"))
        }
        (None, Err(e)) => Err(format!("botocore plans a chain; we failed: {e}")),
        (None, Ok(_)) => Ok(()),
    }
}

#[test]
fn assume_role_plan_suite() {
    let cases = assume_role_cases();
    assert_eq!(cases.len(), 28, "the suite has 28 cases");
    let mut failures = Vec::new();
    let (mut agree, mut divergent) = (0, 0);
    for case in &cases {
        let text = render(case);
        let config = SharedConfig::from_sources(Some(text.as_bytes()), None)
            .unwrap_or_else(|e| panic!("case {}: rendered profiles do not parse: {e}", case.index));
        let ours =
            ChainPlan::for_profile(&config, &case.selected).map(|p| as_suite_json(&p, &config));
        let fail = |why: String| format!("#{} {}: {why}", case.index, case.docs);

        if let Err(why) = check_botocore(case, &ours) {
            failures.push(fail(why));
            continue;
        }
        let smithy_agrees = match (&case.expected, &ours) {
            (PlanExpected::Chain(want), Ok(got)) => got == &Value::Array(want.clone()),
            (PlanExpected::Error(_), Err(_)) => true,
            _ => false,
        };
        match DIVERGENT.iter().find(|(i, _)| *i == case.index) {
            Some(_) => divergent += 1,
            None if smithy_agrees => agree += 1,
            None => failures.push(fail(format!(
                "differs from smithy-rs ({:?}) but is not listed as a botocore divergence; \
                 ours: {ours:?}",
                case.expected
            ))),
        }
    }
    // The list is exact: every entry is a case that exists.
    for (i, _) in DIVERGENT {
        assert!(
            *i < cases.len(),
            "DIVERGENT names case {i}, which does not exist"
        );
    }
    eprintln!(
        "assume-role plan: {agree} agree with smithy-rs, {divergent} follow botocore where it \
         differs, {} failed (of {})",
        failures.len(),
        cases.len()
    );
    for (i, why) in DIVERGENT {
        eprintln!("  divergent #{i}: {why}");
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert_eq!(agree + divergent, cases.len());
}
