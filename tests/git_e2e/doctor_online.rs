//! `git-remote-codecommit --doctor --online` (issue 13): one test per diagnosis of a
//! 403, against stand-ins on 127.0.0.1 that answer as the services do.
//!
//! * STS and the CodeCommit API are one stand-in ([`Api`]): it checks every request's
//!   SigV4 signature with the principal's secret, independently of the library
//!   (`support::sts::verify`), and answers as AWS does — `GetCallerIdentity` XML, STS's
//!   error XML (`InvalidClientTokenId` for a key it does not know,
//!   `SignatureDoesNotMatch` for a wrong secret, "Signature expired" for a request
//!   signed more than 5 minutes before its own clock), CodeCommit's JSON errors. Its
//!   clock (the `Date` header, and the window it checks) can be set off.
//! * The Git host is the signature-checking `GitServer`: 200 for a principal it knows,
//!   403 for the others.
//! * A TLS front with a throw-away CA stands in for a TLS-inspecting proxy's endpoint.

use std::collections::HashMap;
use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::json;

use crate::doctor::assert_no_secrets;
use crate::harness::*;
use crate::support::http1::{Acceptor, Serve, read_head};
use crate::support::server::{Reply, Seen, Server, closed_port_url};
use crate::support::sts::{error_response, form, sts_reply, verify};

/// The account of the keys the stand-in knows.
const ACCOUNT: &str = "111122223333";

/// What the CodeCommit API answers a principal.
#[derive(Clone)]
enum Codecommit {
    /// The repositories exist (`REPO`, `OTHER_REPO`) and may be described.
    Describes { kms_key: Option<String> },
    /// `AccessDeniedException` with this message.
    Denied(String),
}

#[derive(Clone)]
struct Principal {
    secret: String,
    session_token: Option<String>,
    arn: String,
    codecommit: Codecommit,
    /// STS says the session is over.
    expired: bool,
}

#[derive(Default)]
struct ApiState {
    principals: HashMap<String, Principal>,
    /// The stand-in's clock minus the real one, in seconds.
    skew: i64,
}

/// STS and CodeCommit on one server (`AWS_ENDPOINT_URL_STS` and
/// `AWS_ENDPOINT_URL_CODECOMMIT` point at it).
struct Api {
    server: Server,
    state: Arc<Mutex<ApiState>>,
}

impl Api {
    fn start() -> Api {
        let server = Server::start();
        let state = Arc::new(Mutex::new(ApiState::default()));
        let shared = Arc::clone(&state);
        server.gate(move |seen| Some(answer(seen, &shared.lock().unwrap())));
        Api { server, state }
    }

    fn know(&self, key: &str, principal: Principal) {
        self.state
            .lock()
            .unwrap()
            .principals
            .insert(key.to_owned(), principal);
    }

    fn set_skew(&self, seconds: i64) {
        self.state.lock().unwrap().skew = seconds;
    }

    /// The requests for `service` (`sts`, `codecommit`), by their signing scope.
    fn calls(&self, service: &str) -> Vec<Seen> {
        self.server
            .seen()
            .into_iter()
            .filter(|s| {
                s.header("authorization")
                    .is_some_and(|a| a.contains(&format!("/{service}/aws4_request")))
            })
            .collect()
    }
}

/// The SSO role's credentials (`World::with_sso`), with their session token.
fn sso_principal() -> Principal {
    let mut sso = principal(
        SSO_SECRET,
        &format!("arn:aws:sts::{ACCOUNT}:assumed-role/Developer/s"),
    );
    sso.session_token = Some(SSO_TOKEN.to_owned());
    sso
}

fn principal(secret: &str, arn: &str) -> Principal {
    Principal {
        secret: secret.to_owned(),
        session_token: None,
        arn: arn.to_owned(),
        codecommit: Codecommit::Describes { kms_key: None },
        expired: false,
    }
}

/// `Sun, 06 Nov 1994 08:49:37 GMT`.
fn http_date(t: SystemTime) -> String {
    let unix = t.duration_since(UNIX_EPOCH).unwrap().as_secs();
    let dt = time::OffsetDateTime::from_unix_timestamp(unix as i64).unwrap();
    dt.format(time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    ))
    .unwrap()
}

/// `YYYYMMDDTHHMMSSZ`.
fn amz_date(t: SystemTime) -> String {
    let unix = t.duration_since(UNIX_EPOCH).unwrap().as_secs();
    let dt = time::OffsetDateTime::from_unix_timestamp(unix as i64).unwrap();
    dt.format(time::macros::format_description!(
        "[year][month][day]T[hour][minute][second]Z"
    ))
    .unwrap()
}

fn parse_amz_date(text: &str) -> Option<SystemTime> {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    let t = time::PrimitiveDateTime::parse(text, format).ok()?;
    let unix = u64::try_from(t.assume_utc().unix_timestamp()).ok()?;
    Some(UNIX_EPOCH + Duration::from_secs(unix))
}

/// The stand-in's answer, as STS or CodeCommit would give it.
fn answer(seen: &Seen, state: &ApiState) -> Reply {
    let now = shift(SystemTime::now(), state.skew);
    let date = http_date(now);
    let auth = seen.header("authorization").unwrap_or_default().to_owned();
    let codecommit = auth.contains("/codecommit/aws4_request");
    let xml_error = |status: u16, code: &str, message: &str| {
        Reply::new(status, error_response(code, message))
            .header("Content-Type", "text/xml")
            .header("Date", &date)
    };
    let json_error = |code: &str, message_key: &str, message: &str| {
        Reply::json(400, &json!({ "__type": code, message_key: message }))
            .header(
                "x-amzn-ErrorType",
                &format!("{code}:http://internal.amazon.com/"),
            )
            .header("Date", &date)
    };
    let key = auth
        .split("Credential=")
        .nth(1)
        .and_then(|c| c.split('/').next())
        .unwrap_or_default();
    let Some(p) = state.principals.get(key) else {
        return if codecommit {
            json_error(
                "UnrecognizedClientException",
                "message",
                "The security token included in the request is invalid.",
            )
        } else {
            xml_error(
                403,
                "InvalidClientTokenId",
                "The security token included in the request is invalid.",
            )
        };
    };
    if let Err(why) = verify(seen, &p.secret) {
        assert!(
            why.contains("signature mismatch"),
            "malformed request: {why}"
        );
        let message = "The request signature we calculated does not match the signature you \
                       provided. Check your AWS Secret Access Key and signing method. Consult \
                       the service documentation for details.";
        return if codecommit {
            json_error("InvalidSignatureException", "message", message)
        } else {
            xml_error(403, "SignatureDoesNotMatch", message)
        };
    }
    // SigV4's window: 5 minutes either way of the service's clock.
    let signed = seen
        .header("x-amz-date")
        .and_then(parse_amz_date)
        .expect("x-amz-date");
    let window = Duration::from_secs(300);
    let (early, late) = (
        now.checked_sub(window).unwrap(),
        now.checked_add(window).unwrap(),
    );
    if signed < early || signed > late {
        let message = if signed < early {
            format!(
                "Signature expired: {} is now earlier than {} ({} - 5 min.)",
                amz_date(signed),
                amz_date(early),
                amz_date(now)
            )
        } else {
            format!(
                "Signature not yet current: {} is still later than {} ({} + 5 min.)",
                amz_date(signed),
                amz_date(late),
                amz_date(now)
            )
        };
        return if codecommit {
            json_error("InvalidSignatureException", "message", &message)
        } else {
            xml_error(403, "SignatureDoesNotMatch", &message)
        };
    }
    if seen.header("x-amz-security-token") != p.session_token.as_deref() || p.expired {
        return xml_error(
            403,
            "ExpiredToken",
            "The security token included in the request is expired",
        );
    }
    if !codecommit && form(seen).get("Action").map(String::as_str) == Some("AssumeRole") {
        // Role credentials for the `role` profile: `ASIASTS…1`, `sts-secret-1`.
        let expiration = time::OffsetDateTime::from_unix_timestamp(unix_now() as i64 + 3600)
            .unwrap()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        return sts_reply("AssumeRole", 1, ACCOUNT, &expiration).header("Date", &date);
    }
    if !codecommit {
        assert_eq!(
            form(seen).get("Action").map(String::as_str),
            Some("GetCallerIdentity")
        );
        let body = format!(
            r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>{}</Arn>
    <UserId>AIDAEXAMPLE</UserId>
    <Account>{ACCOUNT}</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>"#,
            p.arn
        );
        return Reply::new(200, body)
            .header("Content-Type", "text/xml")
            .header("Date", &date);
    }
    assert_eq!(
        seen.header("x-amz-target"),
        Some("CodeCommit_20150413.GetRepository")
    );
    let body: serde_json::Value = serde_json::from_slice(&seen.body).unwrap();
    let name = body["repositoryName"].as_str().unwrap();
    match &p.codecommit {
        Codecommit::Denied(message) => json_error("AccessDeniedException", "Message", message),
        Codecommit::Describes { .. } if name != REPO && name != OTHER_REPO => json_error(
            "RepositoryDoesNotExistException",
            "message",
            &format!("{name} does not exist"),
        ),
        Codecommit::Describes { kms_key } => {
            let mut meta = json!({
                "accountId": ACCOUNT,
                "repositoryId": "f7579e13-b83e-4027-aaef-650c0EXAMPLE",
                "repositoryName": name,
                "Arn": format!("arn:aws:codecommit:{REGION}:{ACCOUNT}:{name}"),
                "cloneUrlHttp": format!("https://{CODECOMMIT_HOST}/v1/repos/{name}"),
            });
            if let Some(k) = kms_key {
                meta["kmsKeyId"] = json!(k);
            }
            Reply::json(200, &json!({ "repositoryMetadata": meta })).header("Date", &date)
        }
    }
}

fn shift(t: SystemTime, seconds: i64) -> SystemTime {
    if seconds >= 0 {
        t + Duration::from_secs(seconds as u64)
    } else {
        t - Duration::from_secs(seconds.unsigned_abs())
    }
}

/// A world whose STS and CodeCommit endpoints are the stand-in, which knows `dev` and
/// `ops` (both known to the Git host too) and `stranger`'s key (unknown to the Git
/// host: it answers 403).
fn online_world() -> (World, Api) {
    let mut world = World::new();
    let api = Api::start();
    api.know(
        DEV_KEY,
        principal(DEV_SECRET, &format!("arn:aws:iam::{ACCOUNT}:user/dev")),
    );
    api.know(
        OPS_KEY,
        principal(OPS_SECRET, &format!("arn:aws:iam::{ACCOUNT}:user/ops")),
    );
    api.know(
        STRANGER_KEY,
        principal(DEV_SECRET, &format!("arn:aws:iam::{ACCOUNT}:user/stranger")),
    );
    world.set_var("AWS_ENDPOINT_URL_STS", &api.server.url());
    world.set_var("AWS_ENDPOINT_URL_CODECOMMIT", &api.server.url());
    (world, api)
}

fn doctor(world: &World, remote: &str) -> Run {
    let run = crate::doctor::doctor(world, &["--online", remote]);
    // Shown with --nocapture, and on failure.
    eprintln!("{}", run.stdout);
    run
}

/// The report block of `step` (its line and the continuation lines after it).
#[track_caller]
fn block(run: &Run, step: &str) -> String {
    let lines: Vec<&str> = run.stdout.lines().collect();
    let start = lines
        .iter()
        .position(|l| {
            l.get(6..)
                .is_some_and(|rest| rest.starts_with(&format!("{step} ")))
        })
        .unwrap_or_else(|| panic!("no {step:?} step in:\n{}", run.stdout));
    let mut out = vec![lines[start]];
    out.extend(
        lines[start + 1..]
            .iter()
            .take_while(|l| l.starts_with("                  ")),
    );
    out.join("\n")
}

#[test]
fn pull_access_that_works_is_said_with_who_and_what_is_untested() {
    require_git!();
    let (world, api) = online_world();
    let run = doctor(&world, "codecommit://dev@ProjectAlpha");
    assert_eq!(run.code, Some(0), "{run:#?}");
    let identity = block(&run, "identity");
    assert!(identity.starts_with("  ok"), "{identity}");
    assert!(
        identity.contains(&format!(
            "access key {DEV_KEY} is arn:aws:iam::{ACCOUNT}:user/dev in account {ACCOUNT}"
        )),
        "{identity}"
    );
    let git = block(&run, "git host");
    assert!(git.starts_with("  ok"), "{git}");
    assert!(git.contains("/v1/repos/ProjectAlpha/info/refs?service=git-upload-pack"));
    assert!(git.contains("got HTTP 200: pull access works"), "{git}");
    assert!(git.contains("codecommit:GitPush"), "{git}");
    assert!(block(&run, "clock").starts_with("  ok"), "{}", run.stdout);
    assert!(
        !run.stdout
            .lines()
            .any(|l| l.get(6..).is_some_and(|r| r.starts_with("repository "))),
        "no GetRepository after a 200: {}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!(
            "STS at {}/: directly (no proxy variable",
            api.server.url()
        )),
        "{}",
        run.stdout
    );
    // The Git host got exactly git's first request, with the dev key.
    let hits = world.server.hits();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(
        hits[0].target,
        "/v1/repos/ProjectAlpha/info/refs?service=git-upload-pack"
    );
    assert_eq!(hits[0].outcome, Ok(()));
    assert_eq!(api.calls("sts").len(), 1);
    assert_eq!(api.calls("codecommit").len(), 0);
    assert_no_secrets(&run);
}

#[test]
fn sso_online_fetches_the_role_credentials() {
    require_git!();
    let (mut world, api) = online_world();
    world.with_sso(8 * 3600);
    api.know(SSO_KEY, sso_principal());
    let run = doctor(&world, "codecommit://sso-dev@ProjectAlpha");
    assert_eq!(run.code, Some(0), "{run:#?}");
    assert_eq!(world.portal_calls(), 1);
    assert!(
        run.stdout.starts_with(
            "git-remote-codecommit --doctor --online codecommit://sso-dev@ProjectAlpha\n"
        ),
        "the header echoes the command, --online included: {run:#?}"
    );
    let creds = block(&run, "credentials");
    assert!(creds.starts_with("  ok"), "{creds}");
    let identity = block(&run, "identity");
    assert!(
        identity.starts_with("  ok") && identity.contains("assumed-role/Developer"),
        "{identity}"
    );
    assert_eq!(
        api.calls("sts")[0].header("x-amz-security-token"),
        Some(SSO_TOKEN)
    );
    assert!(
        creds.contains("SSO role Developer in account 111122223333"),
        "{creds}"
    );
    assert!(
        run.stdout.contains(&format!(
            "access key {SSO_KEY}, temporary (with a session token); expire at"
        )),
        "{}",
        run.stdout
    );
    assert_no_secrets(&run);
}

#[test]
fn unknown_access_key_id_is_named_with_where_it_came_from() {
    require_git!();
    let (world, api) = online_world();
    api.state.lock().unwrap().principals.remove(STRANGER_KEY);
    let run = doctor(&world, "codecommit://stranger@ProjectAlpha");
    assert_eq!(run.code, Some(1), "{run:#?}");
    let identity = block(&run, "identity");
    assert!(identity.starts_with("FAIL"), "{identity}");
    assert!(identity.contains("InvalidClientTokenId"), "{identity}");
    assert!(
        identity.contains(&format!(
            "the access key id {STRANGER_KEY} does not exist in AWS"
        )),
        "{identity}"
    );
    assert!(
        identity.contains("stranger"),
        "names the source: {identity}"
    );
    let git = block(&run, "git host");
    assert!(
        git.starts_with("FAIL") && git.contains("got HTTP 403"),
        "{git}"
    );
    assert!(
        git.contains("The requested URL returned error: 403"),
        "{git}"
    );
    assert!(!identity.contains("secret access key does not belong"));
    assert_no_secrets(&run);
}

#[test]
fn wrong_secret_is_told_apart_from_a_wrong_key() {
    require_git!();
    let (world, _api) = online_world();
    let run = doctor(&world, "codecommit://wrong@ProjectAlpha");
    assert_eq!(run.code, Some(1), "{run:#?}");
    let identity = block(&run, "identity");
    assert!(identity.contains("SignatureDoesNotMatch"), "{identity}");
    assert!(
        identity.contains(&format!(
            "the secret access key does not belong to access key id {DEV_KEY}"
        )),
        "{identity}"
    );
    assert!(!identity.contains("does not exist in AWS"), "{identity}");
    assert!(block(&run, "git host").contains("got HTTP 403"));
    assert!(!run.stdout.contains(WRONG_SECRET), "{}", run.stdout);
    assert_no_secrets(&run);
}

#[test]
fn expired_sso_session_says_to_log_in_again() {
    require_git!();
    let (mut world, api) = online_world();
    world.with_sso(8 * 3600);
    let mut sso = sso_principal();
    sso.expired = true;
    api.know(SSO_KEY, sso);
    let run = doctor(&world, "codecommit://sso-dev@ProjectAlpha");
    assert_eq!(run.code, Some(1), "{run:#?}");
    let identity = block(&run, "identity");
    assert!(identity.starts_with("FAIL"), "{identity}");
    assert!(identity.contains("ExpiredToken"), "{identity}");
    assert!(
        identity.contains("log in again: run `aws sso login --profile sso-dev`"),
        "{identity}"
    );
    // The session token went to STS, and is printed nowhere.
    let sts = api.calls("sts");
    assert_eq!(sts[0].header("x-amz-security-token"), Some(SSO_TOKEN));
    assert_no_secrets(&run);
}

#[test]
fn expired_session_token_in_the_environment_says_what_to_set() {
    require_git!();
    let (mut world, api) = online_world();
    world.set_var("AWS_ACCESS_KEY_ID", OPS_KEY);
    world.set_var("AWS_SECRET_ACCESS_KEY", OPS_SECRET);
    world.set_var("AWS_SESSION_TOKEN", SSO_TOKEN);
    let mut ops = principal(OPS_SECRET, "arn:aws:sts::111122223333:assumed-role/Ops/s");
    ops.session_token = Some(SSO_TOKEN.to_owned());
    ops.expired = true;
    api.know(OPS_KEY, ops);
    let run = doctor(&world, "codecommit://ProjectAlpha");
    let identity = block(&run, "identity");
    assert!(identity.contains("ExpiredToken"), "{identity}");
    assert!(
        identity.contains("AWS_SESSION_TOKEN in the environment has expired"),
        "{identity}"
    );
    assert_no_secrets(&run);
}

/// Role credentials STS calls expired: what to run again names the role's profile, the
/// MFA code, and the source behind it.
#[test]
fn expired_role_credentials_say_how_to_assume_the_role_again() {
    require_git!();
    let (world, api) = online_world();
    let config = std::fs::read_to_string(world.at("aws/config")).unwrap();
    std::fs::write(
        world.at("aws/config"),
        format!(
            "{config}\n[profile deploy]\nregion = {REGION}\n\
             role_arn = arn:aws:iam::{ACCOUNT}:role/Deploy\nsource_profile = dev\n"
        ),
    )
    .unwrap();
    let mut role = principal(
        "sts-secret-1",
        &format!("arn:aws:sts::{ACCOUNT}:assumed-role/Deploy/s"),
    );
    role.session_token = Some("sts-token-1&more".to_owned());
    role.expired = true;
    api.know("ASIASTS0000000000001", role);
    let run = doctor(&world, "codecommit://deploy@ProjectAlpha");
    let identity = block(&run, "identity");
    assert!(identity.contains("ExpiredToken"), "{identity}");
    assert!(
        identity.contains("`aws sts get-caller-identity --profile deploy`"),
        "{identity}"
    );
    assert!(identity.contains("a new MFA code"), "{identity}");
    assert!(
        identity.contains("renew its source: if profile dev holds an aws_session_token"),
        "{identity}"
    );
    assert!(!run.stdout.contains("sts-secret-1") && !run.stdout.contains("sts-token-1"));
}

/// The stand-in's clock is 20 minutes ahead: STS refuses the request as "Signature
/// expired", and its Date header shows by how much. The diagnosis is the clock, never
/// a wrong secret.
#[test]
fn a_clock_20_minutes_off_is_the_clock_not_the_secret() {
    require_git!();
    let (world, api) = online_world();
    api.set_skew(20 * 60);
    let run = doctor(&world, "codecommit://dev@ProjectAlpha");
    assert_eq!(run.code, Some(1), "{run:#?}");
    let clock = block(&run, "clock");
    assert!(clock.starts_with("FAIL"), "{clock}");
    assert!(
        clock.contains("this machine's clock is 20m behind STS's")
            || clock.contains("this machine's clock is 19m behind STS's"),
        "{clock}"
    );
    assert!(
        clock.contains("more than 5 minutes off are refused"),
        "{clock}"
    );
    assert!(clock.contains("timedatectl set-ntp true"), "{clock}");
    let identity = block(&run, "identity");
    assert!(identity.contains("Signature expired:"), "{identity}");
    assert!(identity.contains("the keys were not checked"), "{identity}");
    assert!(
        !identity.contains("secret access key does not belong"),
        "{identity}"
    );
    assert_no_secrets(&run);

    // Ahead instead of behind: "not yet current", the same diagnosis.
    api.set_skew(-20 * 60);
    let run = doctor(&world, "codecommit://dev@ProjectAlpha");
    let clock = block(&run, "clock");
    assert!(
        clock.starts_with("FAIL") && clock.contains("ahead of STS's"),
        "{clock}"
    );
    assert!(block(&run, "identity").contains("Signature not yet current:"));

    // Within the window: the clock step passes and says by how much.
    api.set_skew(90);
    let run = doctor(&world, "codecommit://dev@ProjectAlpha");
    assert_eq!(run.code, Some(0), "{run:#?}");
    let clock = block(&run, "clock");
    assert!(
        clock.starts_with("  ok") && clock.contains("within 1m of STS's"),
        "{clock}"
    );
}

#[test]
fn repository_in_no_account_or_region_names_where_we_looked() {
    require_git!();
    let (world, api) = online_world();
    let run = doctor(&world, "codecommit://dev@ProjectGamma");
    assert_eq!(run.code, Some(1), "{run:#?}");
    assert!(
        block(&run, "git host").contains("got HTTP 404"),
        "{}",
        run.stdout
    );
    let repo = block(&run, "repository");
    assert!(repo.starts_with("FAIL"), "{repo}");
    assert!(
        repo.contains("RepositoryDoesNotExistException: ProjectGamma does not exist"),
        "{repo}"
    );
    assert!(
        repo.contains(&format!(
            "there is no repository ProjectGamma in region {REGION} of account {ACCOUNT}"
        )),
        "{repo}"
    );
    assert!(
        repo.contains("codecommit::REGION://dev@ProjectGamma"),
        "{repo}"
    );
    assert!(repo.contains("codecommit://PROFILE@ProjectGamma"), "{repo}");
    let calls = api.calls("codecommit");
    assert_eq!(calls.len(), 1);
    let scope = verify(&calls[0], DEV_SECRET).unwrap();
    assert_eq!(
        (scope.region.as_str(), scope.service.as_str()),
        (REGION, "codecommit")
    );
    assert_no_secrets(&run);
}

#[test]
fn access_denied_quotes_the_service_and_masks_echoed_secrets() {
    require_git!();
    let (world, api) = online_world();
    let mut stranger = principal(DEV_SECRET, &format!("arn:aws:iam::{ACCOUNT}:user/stranger"));
    // A service echoing a secret (and a terminal escape) must not get either through.
    stranger.codecommit = Codecommit::Denied(format!(
        "User: arn:aws:iam::{ACCOUNT}:user/stranger is not authorized to perform: \
         codecommit:GetRepository on resource: arn:aws:codecommit:{REGION}:{ACCOUNT}:{REPO} \
         with an explicit deny in a service control policy \u{1b}[2J {DEV_SECRET}"
    ));
    api.know(STRANGER_KEY, stranger);
    let run = doctor(&world, "codecommit://stranger@ProjectAlpha");
    assert_eq!(run.code, Some(1), "{run:#?}");
    assert!(block(&run, "identity").starts_with("  ok"));
    assert!(block(&run, "git host").contains("got HTTP 403"));
    let repo = block(&run, "repository");
    assert!(repo.contains("CodeCommit answered AccessDeniedException: User: arn:aws:iam::111122223333:user/stranger is not authorized to perform: codecommit:GetRepository"), "{repo}");
    assert!(
        repo.contains("explicit deny in a service control policy"),
        "{repo}"
    );
    assert!(repo.contains("\\u{1b}[2J"), "escaped: {repo}");
    assert!(repo.contains("** redacted **"), "masked: {repo}");
    assert!(
        repo.contains(&format!(
            "allow codecommit:GitPull (and codecommit:GitPush to push) on \
             arn:aws:codecommit:{REGION}:{ACCOUNT}:{REPO}"
        )),
        "{repo}"
    );
    assert!(!run.stdout.contains('\u{1b}'));
    assert_no_secrets(&run);
}

#[test]
fn a_visible_repository_refused_by_git_names_gitpull_and_the_kms_key() {
    require_git!();
    let (world, api) = online_world();
    let mut stranger = principal(DEV_SECRET, &format!("arn:aws:iam::{ACCOUNT}:user/stranger"));
    let key = format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    stranger.codecommit = Codecommit::Describes {
        kms_key: Some(key.clone()),
    };
    api.know(STRANGER_KEY, stranger);
    let run = doctor(&world, "codecommit://stranger@ProjectAlpha");
    assert_eq!(run.code, Some(1), "{run:#?}");
    let repo = block(&run, "repository");
    let arn = format!("arn:aws:codecommit:{REGION}:{ACCOUNT}:{REPO}");
    assert!(
        repo.contains(&format!("GetRepository found {arn}")),
        "{repo}"
    );
    assert!(
        repo.contains(&format!("it lacks codecommit:GitPull on {arn}")),
        "{repo}"
    );
    assert!(
        repo.contains(&format!("its KMS key {key} denies it")),
        "{repo}"
    );
    assert!(repo.contains("kms:Decrypt"), "{repo}");
    assert_no_secrets(&run);
}

/// A TLS endpoint whose certificate a throw-away CA signed (as a TLS-inspecting proxy's
/// are): refused with the system trust store, with the fix; accepted with the CA in
/// AWS_CA_BUNDLE or the profile's ca_bundle, and then for the credentials' own calls too
/// (the SSO portal behind the same front).
#[test]
fn tls_failure_is_explained_and_fixed_by_the_ca_bundle() {
    require_git!();
    let (mut world, api) = online_world();
    let front = TlsFront::start(&world.dir.path().join("tls"), &api.server.url());
    world.set_var("AWS_ENDPOINT_URL_STS", &front.url());
    let run = doctor(&world, "codecommit://dev@ProjectAlpha");
    assert_eq!(run.code, Some(1), "{run:#?}");
    let identity = block(&run, "identity");
    assert!(identity.starts_with("FAIL"), "{identity}");
    assert!(
        identity.contains("no answer from STS: TLS with"),
        "{identity}"
    );
    assert!(
        identity.contains("the system trust store was used"),
        "{identity}"
    );
    assert!(
        identity.contains("export AWS_CA_BUNDLE=/path/to/ca.pem"),
        "{identity}"
    );
    assert!(run.stdout.contains("trusting the system trust store"));

    let ca = front.ca_file.display().to_string();
    world.set_var("AWS_CA_BUNDLE", &ca);
    let run = doctor(&world, "codecommit://dev@ProjectAlpha");
    assert_eq!(run.code, Some(0), "{run:#?}");
    assert!(block(&run, "identity").starts_with("  ok"));
    assert!(
        run.stdout
            .contains(&format!("trusting the CA bundle {ca} (from AWS_CA_BUNDLE)")),
        "{}",
        run.stdout
    );

    // The profile's ca_bundle, for the credentials' calls as well: the SSO portal
    // behind the TLS front.
    world.remove_var("AWS_CA_BUNDLE");
    world.with_sso(8 * 3600);
    let portal = world.portal.as_ref().unwrap().url();
    let sso_front = TlsFront::start(&world.dir.path().join("tls-sso"), &portal);
    world.set_var("AWS_ENDPOINT_URL_SSO", &sso_front.url());
    let config = std::fs::read_to_string(world.at("aws/config")).unwrap();
    // Both fronts' CAs in one bundle.
    let bundle = world.at("bundle.pem");
    std::fs::write(
        &bundle,
        std::fs::read_to_string(&front.ca_file).unwrap()
            + &std::fs::read_to_string(&sso_front.ca_file).unwrap(),
    )
    .unwrap();
    std::fs::write(
        world.at("aws/config"),
        config.replace(
            "[profile sso-dev]\n",
            &format!("[profile sso-dev]\nca_bundle = {}\n", bundle.display()),
        ),
    )
    .unwrap();
    api.know(SSO_KEY, sso_principal());
    let run = doctor(&world, "codecommit://sso-dev@ProjectAlpha");
    assert_eq!(run.code, Some(0), "{run:#?}");
    assert_eq!(world.portal_calls(), 1, "the portal was reached over TLS");
    assert!(
        run.stdout.contains("(from ca_bundle of profile sso-dev)"),
        "{}",
        run.stdout
    );
    assert_no_secrets(&run);
}

/// The Git host's certificate, from the throw-away CA: with git's CA setting gone the
/// probe fails as git would, and says how git is given a CA; a CA bundle of ours (no
/// setting of git's) is used for the probe, and the report says git would not use it.
#[test]
fn git_host_tls_failure_names_gits_ca_settings() {
    require_git!();
    let (mut world, _api) = online_world();
    world.remove_var("GIT_SSL_CAINFO");
    let run = doctor(&world, "codecommit://dev@ProjectAlpha");
    assert_eq!(run.code, Some(1), "{run:#?}");
    let git = block(&run, "git host");
    assert!(git.starts_with("FAIL"), "{git}");
    assert!(
        git.contains("no answer from the Git host: TLS with"),
        "{git}"
    );
    assert!(
        git.contains("git config --global http.sslCAInfo /path/to/ca.pem"),
        "{git}"
    );
    assert!(world.server.hits().is_empty(), "no request got through");

    let ca = world.server.ca_file().display().to_string();
    world.set_var("AWS_CA_BUNDLE", &ca);
    let run = doctor(&world, "codecommit://dev@ProjectAlpha");
    assert!(
        block(&run, "git host").starts_with("  ok"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!(
            "trusting the CA bundle {ca} (from AWS_CA_BUNDLE); git itself would use its \
             default CA store"
        )),
        "{}",
        run.stdout
    );
}

/// git's own proxy for the Git host (http.proxy), the variables for the API calls, and
/// NO_PROXY: each call's route line says which, without the proxy's password.
#[test]
fn the_proxy_in_effect_is_named_per_host() {
    require_git!();
    let (mut world, api) = online_world();
    // A "proxy" that refuses every tunnel (it is the plain stand-in: CONNECT gets 403).
    let proxy = Server::start();
    let with_password = proxy
        .url()
        .replace("http://", "http://user:proxy-password@");
    world.git_config(&format!("[http]\n\tproxy = {with_password}\n"));
    world.set_var("HTTP_PROXY", &closed_port_url());
    world.set_var("NO_PROXY", "127.0.0.1");
    let run = doctor(&world, "codecommit://dev@ProjectAlpha");
    assert_eq!(run.code, Some(0), "{run:#?}");
    assert!(
        run.stdout.contains(&format!(
            "STS at {}/: directly (the host is in NO_PROXY)",
            api.server.url()
        )),
        "{}",
        run.stdout
    );
    // git applies NO_PROXY to its http.proxy too.
    assert!(
        run.stdout.contains("the Git host at https://")
            && run.stdout.contains("directly (the host is in NO_PROXY)"),
        "{}",
        run.stdout
    );

    world.remove_var("NO_PROXY");
    world.set_var("HTTP_PROXY", "");
    let run = doctor(&world, "codecommit://dev@ProjectAlpha");
    let git = block(&run, "git host");
    assert!(
        git.starts_with("FAIL") && git.contains("no answer from the Git host"),
        "{git}"
    );
    let shown = proxy.url().replace("http://", "http://***@");
    assert!(
        run.stdout
            .contains(&format!("through {shown} (from git's http.proxy)")),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("proxy-password"), "{}", run.stdout);
    assert!(
        proxy.seen().iter().any(|s| s.method == "CONNECT"),
        "git's proxy was used"
    );
    assert_no_secrets(&run);
}

/// `credential.helper=store` before ours: a warning with the lines that fix it; with
/// the empty `helper =` line first, no warning. No network is needed for this step.
#[test]
fn a_storing_helper_before_ours_is_a_warning_with_the_fix() {
    require_git!();
    let world = World::new();
    let host = world.server.authority();
    world.git_config(&format!(
        "[credential]\n\thelper = store\n[credential \"https://{host}\"]\n\thelper = codecommit --profile dev\n"
    ));
    let run = crate::doctor::doctor(&world, &["codecommit://dev@ProjectAlpha"]);
    assert_eq!(run.code, Some(0), "a warning: {run:#?}");
    let helpers = block(&run, "cred helpers");
    assert!(helpers.starts_with("WARN"), "{helpers}");
    assert!(
        helpers.contains(&format!("for https://{host}/v1/repos/ProjectAlpha")),
        "{helpers}"
    );
    let store = helpers.find("1. store").expect(&helpers);
    let ours = helpers.find("2. codecommit --profile dev").expect(&helpers);
    assert!(store < ours);
    assert!(
        helpers.contains("store come(s) before git-credential-codecommit"),
        "{helpers}"
    );
    for line in [
        format!("git config --global credential.https://{host}.helper ''"),
        format!("git config --global --add credential.https://{host}.helper codecommit"),
        format!("git config --global credential.https://{host}.useHttpPath true"),
        format!("printf 'protocol=https\\nhost={host}\\n\\n' | git credential reject"),
    ] {
        assert!(helpers.contains(&line), "{line} missing:\n{helpers}");
    }
    assert!(
        helpers.contains("codecommit:// remotes are not affected"),
        "{helpers}"
    );

    // The fix, applied: no warning.
    world.git_config(&format!(
        "[credential \"https://{host}\"]\n\thelper =\n\thelper = codecommit --profile dev\n"
    ));
    let run = crate::doctor::doctor(&world, &["codecommit://dev@ProjectAlpha"]);
    let helpers = block(&run, "cred helpers");
    assert!(helpers.starts_with("  ok"), "{helpers}");
    assert!(helpers.contains("1. codecommit --profile dev"), "{helpers}");
    assert!(!helpers.contains(". store"), "{helpers}");
}

/// Without --online, none of the service calls is made.
#[test]
fn no_service_call_without_online() {
    require_git!();
    let (world, api) = online_world();
    let run = crate::doctor::doctor(&world, &["codecommit://dev@ProjectAlpha"]);
    assert_eq!(run.code, Some(0), "{run:#?}");
    assert!(api.server.seen().is_empty());
    assert!(world.server.hits().is_empty());
    assert!(!run.stdout.contains("identity"), "{}", run.stdout);
}

/// A TLS front for a plain stand-in: HTTPS on 127.0.0.1 with a certificate from a
/// throw-away CA, each request passed on to the plain server and its answer back.
struct TlsFront {
    acceptor: Acceptor,
    ca_file: std::path::PathBuf,
}

impl TlsFront {
    fn start(dir: &std::path::Path, backend: &str) -> TlsFront {
        std::fs::create_dir_all(dir).unwrap();
        let (ca_pem, tls) = crate::git_server::tls_config(&[]);
        let ca_file = dir.join("ca.pem");
        std::fs::write(&ca_file, ca_pem).unwrap();
        let backend = backend.trim_start_matches("http://").to_owned();
        let acceptor = Acceptor::start(Serve::Concurrently, move |stream| {
            let _ = relay(stream, &tls, &backend);
        });
        TlsFront { acceptor, ca_file }
    }

    fn url(&self) -> String {
        format!("https://{}", self.acceptor.addr())
    }
}

fn relay(stream: TcpStream, tls: &Arc<rustls::ServerConfig>, backend: &str) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let conn = rustls::ServerConnection::new(Arc::clone(tls)).map_err(std::io::Error::other)?;
    let mut reader = BufReader::new(rustls::StreamOwned::new(conn, stream));
    let Some(head) = read_head(&mut reader)? else {
        return Ok(());
    };
    let body = head.read_sized_body(&mut reader)?;
    let mut out = TcpStream::connect(backend)?;
    let mut request = format!("{} {} HTTP/1.1\r\n", head.method, head.target);
    for (name, value) in &head.headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    out.write_all(request.as_bytes())?;
    out.write_all(&body)?;
    let mut answer = Vec::new();
    out.read_to_end(&mut answer)?;
    let mut tls_out = reader.into_inner();
    tls_out.write_all(&answer)?;
    tls_out.flush()?;
    tls_out.conn.send_close_notify();
    let _ = tls_out.flush();
    Ok(())
}
