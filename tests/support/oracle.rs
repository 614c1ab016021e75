//! Reading the reference oracle's case files (`tests/data/oracle/*.json`, made by
//! `tests/oracle/generate_*.py`) into in-memory environments.

use codecommit_auth::SigningTime;
use codecommit_auth::env::MemoryEnvironment;
use serde_json::Value;

/// The home directory the cases' `{HOME}` placeholder stands for here.
pub const HOME: &str = "/home/oracle";

/// `tests/data/oracle/NAME.json`.
pub fn load(name: &str) -> Value {
    let path = format!(
        "{}/tests/data/oracle/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}")))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `{HOME}` → [`HOME`] and `{SERVER}` → `server`, but `${HOME}` is a variable reference
/// botocore expands, so it stays.
pub fn substitute(value: &str, server: &str) -> String {
    value
        .replace("${HOME}", "\u{0}")
        .replace("{HOME}", HOME)
        .replace('\u{0}', "${HOME}")
        .replace("{SERVER}", server)
}

/// Adds the case's variables (a `null` value means unset) and files to `env`. Files are
/// placed under [`HOME`] and also under their relative path, since the oracle ran with
/// HOME as its working directory.
pub fn populate(mut env: MemoryEnvironment, case: &Value, server: &str) -> MemoryEnvironment {
    env = env.with_var("HOME", HOME);
    for (name, value) in case["env"].as_object().unwrap() {
        if let Some(value) = value.as_str() {
            env = env.with_var(name.as_str(), substitute(value, server));
        }
    }
    for (rel, contents) in case["files"].as_object().unwrap() {
        let bytes = match contents {
            Value::String(text) => substitute(text, server).into_bytes(),
            other => file_bytes(other),
        };
        env = env
            .with_file(format!("{HOME}/{rel}"), bytes.clone())
            .with_file(rel.as_str(), bytes);
    }
    env
}

/// A file's bytes: a string as UTF-8, or `{"base64": …}`.
pub fn file_bytes(contents: &Value) -> Vec<u8> {
    match contents {
        Value::String(s) => s.as_bytes().to_vec(),
        other => super::base64_decode(other["base64"].as_str().unwrap()),
    }
}

/// An RFC 3339 `Z` time of a case (`time`, `now`) as a signing time.
pub fn signing_time(text: &str) -> SigningTime {
    let compact: String = text
        .split('.')
        .next()
        .unwrap()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    SigningTime::parse(&compact).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// The same, as a system time (fractions kept).
pub fn system_time(text: &str) -> std::time::SystemTime {
    let whole = signing_time(text).to_system_time();
    let frac = text
        .split_once('.')
        .map(|(_, f)| f.trim_end_matches('Z'))
        .unwrap_or("");
    let nanos = format!("{frac:0<9}")[..9].parse::<u32>().unwrap_or(0);
    whole + std::time::Duration::from_nanos(u64::from(nanos))
}

/// A deliberate difference from the reference: its name (each is a `DIFFERENCE:` in the
/// code) and whether it explains a case's outcome `O`.
pub struct Difference<O> {
    pub name: &'static str,
    pub applies: fn(&Value, &O) -> bool,
}

/// The verdict on a case whose comparison with the reference found `problem` (or
/// nothing): agreement, the first of `differences` that explains it, or a failure
/// titled `title` (the case's name and whatever identifies it).
pub fn verdict<O>(
    case: &Value,
    ours: &O,
    problem: Option<String>,
    differences: &[Difference<O>],
    title: impl FnOnce() -> String,
) -> Verdict {
    let Some(problem) = problem else {
        return Verdict::Agree;
    };
    match differences.iter().find(|d| (d.applies)(case, ours)) {
        Some(d) => Verdict::Differs(d.name),
        None => Verdict::Fails(format!("{}: {problem}", title())),
    }
}

/// How one oracle case came out against the reference.
pub enum Verdict {
    /// Our outcome is the reference's.
    Agree,
    /// It differs, as the named deliberate difference allows.
    Differs(&'static str),
    /// It differs for no named reason: the message says how.
    Fails(String),
}

/// Judges every case of `suite`, prints how many agree and how many differ on purpose
/// (per difference), and fails listing every case that disagrees for no named reason.
pub fn tally(
    suite: &str,
    cases: &[Value],
    at_least: usize,
    mut judge: impl FnMut(&Value) -> Verdict,
) {
    use std::collections::BTreeMap;
    assert!(
        cases.len() >= at_least,
        "{suite}: only {} cases",
        cases.len()
    );
    let mut agree = 0;
    let mut differ: BTreeMap<&str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for case in cases {
        match judge(case) {
            Verdict::Agree => agree += 1,
            Verdict::Differs(name) => *differ.entry(name).or_default() += 1,
            Verdict::Fails(why) => failures.push(why),
        }
    }
    eprintln!(
        "{suite}: {agree} of {} cases agree with the reference",
        cases.len()
    );
    for (name, n) in &differ {
        eprintln!("{suite}: {n} cases differ on purpose: {name}");
    }
    assert!(
        failures.is_empty(),
        "{suite}: {} of {} cases disagree with the reference:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// A local server answering as the case's `server.routes` script says: per route, its
/// responses in order (status, body, headers, an optional `delay_ms`), then either the
/// last one again or a 500 (`"exhaust": "fail"`).
pub fn scripted_server(case: &Value) -> super::server::Server {
    use super::server::{Reply, Server};
    let server = Server::start();
    for route in case["server"]["routes"].as_array().unwrap() {
        let replies = route["responses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let mut reply = Reply::new(
                    r["status"].as_u64().unwrap() as u16,
                    r["body"].as_str().unwrap_or(""),
                );
                for (k, v) in r["headers"].as_object().into_iter().flatten() {
                    reply = reply.header(k, v.as_str().unwrap());
                }
                if let Some(ms) = r["delay_ms"].as_u64() {
                    reply = reply.delayed(std::time::Duration::from_millis(ms));
                }
                reply
            })
            .collect();
        server.route_then(
            route["method"].as_str().unwrap(),
            route["path"].as_str().unwrap(),
            replies,
            route["exhaust"] == "fail",
        );
    }
    server
}

/// Our outcome against the case's expected one: the same URL, or an error where the
/// reference errs, judged by `error` (given botocore's class, its message and ours).
/// `None` when they agree; otherwise what differs.
pub fn compare_outcome(
    case: &Value,
    outcome: &Result<String, codecommit_auth::Error>,
    error: impl Fn(&str, &str, &codecommit_auth::Error) -> Option<String>,
) -> Option<String> {
    let expected = &case["expected"];
    match (outcome, expected.get("url")) {
        (Ok(url), Some(want)) => {
            (url != want.as_str().unwrap()).then(|| format!("url {url}\n      want {want}"))
        }
        (Err(e), Some(want)) => Some(format!("error {:?}: {e}, want url {want}", e.kind())),
        (Ok(url), None) => Some(format!("url {url}, want {}", expected["error"])),
        (Err(e), None) => error(
            expected["error"]["class"].as_str().unwrap(),
            expected["error"]["message"].as_str().unwrap(),
            e,
        ),
    }
}
