//! The `--online` steps: who the credentials are (STS `GetCallerIdentity`), the clock,
//! what the Git host says to git's first request, and, when it refuses, what the
//! CodeCommit API says about the repository. The calls are the library's
//! (`codecommit_auth::online`); this module turns their answers into causes and fixes.
//!
//! Every call is bounded (`online::CALL_TIMEOUT`); each says where it went, through
//! which proxy and trusting what (the `route` lines); service texts arrive masked,
//! escaped and bounded.

use std::time::Duration;

use codecommit_auth::env::{Environment, HttpErrorKind};
use codecommit_auth::online::{self, Answered, Call, GitSettings, Identity, Repository};
use codecommit_auth::{Error, MAX_SHOWN, Resolution, Resolver, shown};

use super::{Report, Status, span};

/// Past this much skew the doctor fails the clock step: SigV4 signatures more than 5
/// minutes off are refused by the AWS APIs, and CodeCommit refuses git passwords signed
/// more than 5 minutes ahead.
const MAX_SKEW: Duration = Duration::from_secs(5 * 60);

/// What the identity step learnt, for the later steps.
#[derive(Default)]
struct Learnt {
    account: Option<String>,
    /// The clock step has been reported (from the first answer with a `Date`, or from
    /// STS's "Signature expired").
    clock_told: bool,
}

/// The online steps, after the credentials step succeeded.
pub(super) fn steps<E: Environment>(
    resolver: &Resolver<E>,
    resolution: &Resolution,
    git: &GitSettings,
    report: &mut Report,
) {
    let mut learnt = Learnt::default();
    identity(resolver, resolution, report, &mut learnt);
    let refused = git_host(resolver, resolution, git, report, &mut learnt);
    if refused {
        repository(resolver, resolution, report, &mut learnt);
    }
    if !learnt.clock_told {
        report.line(
            Status::Info,
            "clock",
            "not checked: no answer carried a Date header",
        );
    }
}

/// Step: STS `GetCallerIdentity`.
fn identity<E: Environment>(
    resolver: &Resolver<E>,
    resolution: &Resolution,
    report: &mut Report,
    learnt: &mut Learnt,
) {
    const STEP: &str = "identity";
    let call = online::caller_identity(resolver, resolution);
    let Some((_, answered)) = ask(call, STEP, "STS", aws_trust_fix(resolution), report) else {
        return;
    };
    let key = resolution.credentials().access_key_id();
    let source = resolution.credential_source();
    match &answered.value {
        Identity::Known { account, arn } => {
            clock(answered.skew(), "STS", report, learnt);
            learnt.account = Some(account.clone());
            report.line(
                Status::Ok,
                STEP,
                format!("STS says access key {key} is {arn} in account {account}"),
            );
        }
        Identity::Refused { code, message } => {
            let quoted = format!("STS answered {code}: {message}");
            if code == "SignatureDoesNotMatch"
                && (message.starts_with("Signature expired")
                    || message.starts_with("Signature not yet current"))
            {
                // A clock problem, never a wrong secret: the signature was right, its
                // time was outside the window.
                let told = clock(answered.skew(), "STS", report, learnt);
                if !told {
                    report.line(
                        Status::Fail,
                        "clock",
                        format!("STS refused the request's time: {message}\n{}", clock_fix()),
                    );
                    learnt.clock_told = true;
                }
                report.line(
                    Status::Fail,
                    STEP,
                    format!(
                        "{quoted}\nthe signature was made with this machine's clock, which \
                         STS finds too far off (see the clock step): the keys were not \
                         checked; fix the clock and run the doctor again"
                    ),
                );
                return;
            }
            clock(answered.skew(), "STS", report, learnt);
            let text = match code.as_str() {
                "InvalidClientTokenId" => format!(
                    "{quoted}\nthe access key id {key} does not exist in AWS: it was deleted, \
                     or it belongs to another account or partition, or the session token \
                     sent with it is not its own\nthe keys come from {source}: put a current \
                     access key of the right account there (IAM console, or `aws iam \
                     create-access-key`), or use another profile"
                ),
                "SignatureDoesNotMatch" => format!(
                    "{quoted}\nthe secret access key does not belong to access key id {key}: \
                     the wrong secret (mistyped, cut short, or the secret of another key)\n\
                     the keys come from {source}: correct the secret there (a new access key \
                     comes with its secret once)"
                ),
                "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" => format!(
                    "{quoted}\nthe session of these temporary credentials is over\n{}",
                    source.renewal()
                ),
                _ => format!(
                    "{quoted}\nSTS refused these credentials (from {source}); the code above \
                     names why"
                ),
            };
            report.line(Status::Fail, STEP, text);
        }
    }
}

/// Step: the Git host, asked what git asks first. Returns whether it refused (403/404),
/// so the repository step runs.
fn git_host<E: Environment>(
    resolver: &Resolver<E>,
    resolution: &Resolution,
    git: &GitSettings,
    report: &mut Report,
    learnt: &mut Learnt,
) -> bool {
    const STEP: &str = "git host";
    let call = online::git_host(resolver, resolution, git);
    let fix = "git trusts GIT_SSL_CAINFO, else http.sslCAInfo, else the system store: add a \
               corporate CA for git with `git config --global http.sslCAInfo /path/to/ca.pem`";
    let Some((url, answered)) = ask(call, STEP, "the Git host", fix.to_owned(), report) else {
        return false;
    };
    clock(answered.skew(), "the Git host", report, learnt);
    let asked = format!(
        "GET {url} (Basic auth from the signed URL) got HTTP {}",
        answered.status
    );
    match answered.status {
        200 => {
            report.line(
                Status::Ok,
                STEP,
                format!(
                    "{asked}: pull access works\npush needs codecommit:GitPush as well, \
                     which this does not test"
                ),
            );
            false
        }
        401 | 403 | 404 => {
            report.line(
                Status::Fail,
                STEP,
                format!(
                    "{asked}: the Git host refuses these credentials for this repository, \
                     as git will (\"The requested URL returned error: {}\"); the identity \
                     and repository steps say why",
                    answered.status
                ),
            );
            true
        }
        _ => {
            report.line(
                Status::Fail,
                STEP,
                format!("{asked}: not an answer git can use; try again later"),
            );
            false
        }
    }
}

/// Step: CodeCommit `GetRepository`, after the Git host refused.
fn repository<E: Environment>(
    resolver: &Resolver<E>,
    resolution: &Resolution,
    report: &mut Report,
    learnt: &mut Learnt,
) {
    const STEP: &str = "repository";
    let call = online::repository(resolver, resolution);
    let Some((_, answered)) = ask(call, STEP, "CodeCommit", aws_trust_fix(resolution), report)
    else {
        return;
    };
    clock(answered.skew(), "CodeCommit", report, learnt);
    let name = resolution.repository().as_str();
    let region = resolution.region().name();
    let account = learnt.account.as_deref();
    match &answered.value {
        Repository::Found {
            arn,
            account,
            kms_key,
        } => {
            let key = kms_key
                .as_deref()
                .map_or("its KMS key".to_owned(), |k| format!("its KMS key {k}"));
            report.line(
                Status::Fail,
                STEP,
                format!(
                    "GetRepository found {arn} (account {account}): this identity can see \
                     the repository, yet the Git host refuses it, so either\n\
                     1. it lacks codecommit:GitPull on {arn}: allow codecommit:GitPull \
                     (and codecommit:GitPush to push) on it in the identity's policy (and \
                     check permissions boundaries and SCPs), or\n\
                     2. {key} denies it: its key policy must allow this identity kms:Decrypt \
                     (and kms:GenerateDataKey to push), through CodeCommit"
                ),
            );
        }
        Repository::Refused { code, message } => {
            let quoted = format!("CodeCommit answered {code}: {message}");
            let text = match code.as_str() {
                "RepositoryDoesNotExistException" => {
                    let whose = account.map_or("the credentials' account".to_owned(), |a| {
                        format!("account {a}")
                    });
                    let profile = shown(resolution.profile(), MAX_SHOWN);
                    format!(
                        "{quoted}\nthere is no repository {name} in region {region} of \
                         {whose} (where these credentials look)\nlikely fixes: the name is \
                         mistyped (names are case-sensitive); the repository is in another \
                         region: name it, codecommit::REGION://{profile}@{name}; it is in \
                         another account: use a profile with credentials of that account, \
                         codecommit://PROFILE@{name}"
                    )
                }
                "AccessDeniedException" => format!(
                    "{quoted}\nthe message names the principal, the action and what denied \
                     it (an identity-based policy, a permissions boundary or a service \
                     control policy): allow codecommit:GitPull (and codecommit:GitPush to \
                     push) on arn:aws:codecommit:{region}:{}:{name} there",
                    account.unwrap_or("ACCOUNT")
                ),
                _ => format!("{quoted}\nthe code above names why"),
            };
            report.line(Status::Fail, STEP, text);
        }
    }
}

/// A call's `route` line (where it went, through what, trusting what), then its URL
/// and answer; or `step` failed, saying why there is none (with `tls_fix` for a TLS
/// failure).
fn ask<T>(
    call: Result<Call<T>, Error>,
    step: &str,
    what: &str,
    tls_fix: String,
    report: &mut Report,
) -> Option<(String, Answered<T>)> {
    let call = match call {
        Ok(call) => call,
        Err(e) => {
            report.line(Status::Fail, step, e.chain_message());
            return None;
        }
    };
    report.line(
        Status::Info,
        "route",
        format!(
            "{what} at {}: {}; trusting {}",
            call.url.split('?').next().unwrap_or(&call.url),
            call.route,
            call.trust
        ),
    );
    match call.answer {
        Ok(a) => Some((call.url, a)),
        Err(e) => {
            let next = match e.kind() {
                HttpErrorKind::Tls => format!("\n{tls_fix}"),
                HttpErrorKind::Timeout => format!(
                    "\nno answer within {} s: a firewall or a proxy (see the route line) may \
                     be in the way",
                    online::CALL_TIMEOUT.as_secs()
                ),
                HttpErrorKind::Connect => {
                    "\ncheck the network, the proxy (see the route line) and the endpoint"
                        .to_owned()
                }
                _ => String::new(),
            };
            report.line(
                Status::Fail,
                step,
                format!("no answer from {what}: {e}{next}"),
            );
            None
        }
    }
}

/// How to trust a corporate CA for the AWS API calls.
fn aws_trust_fix(resolution: &Resolution) -> String {
    format!(
        "to trust a corporate CA for the AWS calls, as the AWS CLI does: `export \
         AWS_CA_BUNDLE=/path/to/ca.pem`, or `ca_bundle = /path/to/ca.pem` in profile {}",
        shown(resolution.profile(), MAX_SHOWN)
    )
}

/// The clock step, from the first answer with a `Date` header. Returns whether it has
/// been told (now or before).
fn clock(skew: Option<i64>, from: &str, report: &mut Report, learnt: &mut Learnt) -> bool {
    if learnt.clock_told {
        return true;
    }
    let Some(skew) = skew else {
        return false;
    };
    learnt.clock_told = true;
    let off = Duration::from_secs(skew.unsigned_abs());
    let direction = if skew > 0 { "behind" } else { "ahead of" };
    if off > MAX_SKEW {
        report.line(
            Status::Fail,
            "clock",
            format!(
                "this machine's clock is {} {direction} {from}'s (its Date header)\n\
                 signatures made more than 5 minutes off are refused (SigV4), so every \
                 signed URL and API call fails\n{}",
                span(off),
                clock_fix()
            ),
        );
    } else {
        report.line(
            Status::Ok,
            "clock",
            format!("within {} of {from}'s (its Date header)", span(off)),
        );
    }
    true
}

fn clock_fix() -> &'static str {
    "set the clock right and keep it so: turn on time synchronisation (NTP; on Linux \
     `timedatectl set-ntp true`)"
}
