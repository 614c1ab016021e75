use super::*;

fn config(text: &str) -> SharedConfig {
    SharedConfig::from_sources(Some(text.as_bytes()), None).unwrap()
}

fn resolve(text: &str, profile: &str) -> Result<Option<SsoConfig>, Error> {
    let config = config(text);
    SsoConfig::resolve(config.profile(profile).unwrap(), &config)
}

#[test]
fn not_an_sso_profile() {
    assert_eq!(
        resolve("[profile p]\nregion = us-east-1\n", "p").unwrap(),
        None
    );
    // A token-only profile (sso_session but no account or role) is no SSO credential
    // profile (§4.3).
    let text = "[profile p]\nsso_session = s\n[sso-session s]\nsso_start_url = u\nsso_region = r\n";
    assert_eq!(resolve(text, "p").unwrap(), None);
}

#[test]
fn legacy_form() {
    let text = "[profile p]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\n\
                sso_account_id = 111122223333\nsso_role_name = Dev\n";
    let sso = resolve(text, "p").unwrap().unwrap();
    assert_eq!(sso.session, None);
    assert_eq!(sso.sso_region, "eu-west-1");
    // §5.6 example key rule (legacy: startUrl).
    let mut example = sso.clone();
    example.account_id = "111122223333".into();
    example.role_name = "DevRole".into();
    example.start_url = "https://my-sso-portal.awsapps.com/start".into();
    assert_eq!(
        example.cache_key(),
        "72e96a975eece9254bf19f7aa7a026fe62442cf5"
    );
}

#[test]
fn session_form_and_its_checks() {
    let text = "[profile p]\nsso_session = my-sso\nsso_account_id = 444455556666\nsso_role_name = ReadOnly\n\
                [sso-session my-sso]\nsso_start_url = https://x/start\nsso_region = us-east-1\n";
    let sso = resolve(text, "p").unwrap().unwrap();
    assert_eq!(sso.session.as_deref(), Some("my-sso"));
    assert_eq!(sso.start_url, "https://x/start");
    assert_eq!(sso.cache_key(), "9987de26fdce5654f6e738911345a88679f3dd49");

    let missing_session = "[profile p]\nsso_session = nope\nsso_role_name = R\n";
    let err = resolve(missing_session, "p").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    assert!(
        err.to_string()
            .starts_with("The specified sso-session does not exist: \"nope\"")
    );

    let conflict = "[profile p]\nsso_session = s\nsso_region = eu-west-1\nsso_role_name = R\nsso_account_id = 1\n\
                    [sso-session s]\nsso_start_url = u\nsso_region = us-east-1\n";
    assert_eq!(
        resolve(conflict, "p").unwrap_err().to_string(),
        "The value for sso_region is inconsistent between profile (eu-west-1) and sso-session (us-east-1)."
    );

    let region_only_in_profile = "[profile p]\nsso_session = s\nsso_region = us-east-1\nsso_role_name = R\nsso_account_id = 1\n\
                                  [sso-session s]\nsso_start_url = u\n";
    assert_eq!(
        resolve(region_only_in_profile, "p")
            .unwrap_err()
            .to_string(),
        "The profile \"p\" is configured to use the SSO token provider but is missing the following configuration: ['sso_region']."
    );
}

#[test]
fn missing_keys_in_botocores_order() {
    let err = resolve("[profile p]\nsso_role_name = R\n", "p").unwrap_err();
    assert_eq!(
        err.to_string(),
        "The profile \"p\" is configured to use SSO but is missing required configuration: \
         sso_account_id, sso_start_url, sso_region"
    );
}
