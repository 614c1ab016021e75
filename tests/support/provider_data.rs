//! Loaders for smithy-rs's credential-provider conformance data (conformance README §3
//! and §4): the assume-role planning suite and the end-to-end provider directories.
//! One loader per suite, one accessor per artifact; the data is read in place.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::conformance;

/// `TD` in the conformance README.
pub const TEST_DATA: &str = "smithy-rs/aws/rust-runtime/aws-config/test-data";

/// One case of `assume-role-tests.json`.
#[derive(Debug)]
pub struct PlanCase {
    /// The array index: the case's id.
    pub index: usize,
    pub docs: String,
    /// `input.profiles`: profile -> property -> value.
    pub profiles: Map<String, Value>,
    /// `input.sso_sessions` (empty when absent).
    pub sso_sessions: Map<String, Value>,
    pub selected: String,
    pub expected: PlanExpected,
}

#[derive(Debug)]
pub enum PlanExpected {
    /// `output.ProfileChain`, base first.
    Chain(Vec<Value>),
    /// `output.Error`, smithy-rs wording.
    Error(String),
}

/// The 28 cases of the assume-role planning suite.
pub fn assume_role_cases() -> Vec<PlanCase> {
    let doc = conformance::json(&format!("{TEST_DATA}/assume-role-tests.json"));
    let cases = doc.as_array().expect("a top-level array");
    cases
        .iter()
        .enumerate()
        .map(|(index, case)| {
            let input = &case["input"];
            let object = |v: &Value| v.as_object().cloned().unwrap_or_default();
            let output = &case["output"];
            let expected = match (output.get("ProfileChain"), output.get("Error")) {
                (Some(chain), None) => PlanExpected::Chain(chain.as_array().unwrap().clone()),
                (None, Some(e)) => PlanExpected::Error(e.as_str().unwrap().to_owned()),
                _ => panic!("case {index}: output is neither ProfileChain nor Error"),
            };
            PlanCase {
                index,
                docs: case["docs"].as_str().unwrap_or_default().to_owned(),
                profiles: object(&input["profiles"]),
                sso_sessions: object(&input["sso_sessions"]),
                selected: input["selected_profile"].as_str().unwrap().to_owned(),
                expected,
            }
        })
        .collect()
}

/// One end-to-end case folder.
#[derive(Debug)]
pub struct ProviderCase {
    /// The folder name (`test-case.json`'s `name` is not unique).
    pub name: String,
    pub dir: PathBuf,
    /// `env.json`, in file order.
    pub env: Vec<(String, String)>,
    /// Every file under `fs/`, as (absolute path in the virtual root, contents).
    pub files: Vec<(String, Vec<u8>)>,
    pub expected: Expected,
    /// `http-traffic.json`, one exchange per connection, in order.
    pub exchanges: Vec<Exchange>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// `result.Ok` of a credentials case.
    Credentials {
        access_key_id: String,
        secret_access_key: String,
        session_token: Option<String>,
        account_id: Option<String>,
        /// Unix seconds.
        expiry: Option<i64>,
    },
    /// `result.Ok` of a token case.
    Token { token: String, expiration: String },
    /// `result.ErrorContains`, smithy-rs wording.
    ErrorContains(String),
}

/// One recorded request and its response.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub method: String,
    pub uri: String,
    /// Recorded request headers (name as recorded, one entry per value).
    pub headers: Vec<(String, String)>,
    /// The `Utf8` request body, if one was recorded.
    pub request_body: Option<String>,
    pub status: u16,
    pub response_headers: Vec<(String, String)>,
    /// The `Utf8` response body; empty if none was recorded.
    pub response_body: String,
}

impl Exchange {
    /// The first recorded request header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Every case of `TD/<suite>/`, sorted by folder name.
pub fn provider_cases(suite: &str) -> Vec<ProviderCase> {
    let root = conformance::dir(&format!("{TEST_DATA}/{suite}"));
    let mut dirs: Vec<PathBuf> = conformance::entries(&root)
        .into_iter()
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs.into_iter()
        .map(|dir| provider_case(suite, dir))
        .collect()
}

fn provider_case(suite: &str, dir: PathBuf) -> ProviderCase {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let rel = |file: &str| format!("{TEST_DATA}/{suite}/{name}/{file}");
    let env = conformance::json(&rel("env.json"))
        .as_object()
        .expect("env.json is an object")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect();
    let mut files = Vec::new();
    let fs = dir.join("fs");
    if fs.is_dir() {
        walk(&fs, &fs, &mut files);
    }
    files.sort();
    let result = &conformance::json(&rel("test-case.json"))["result"];
    let expected = if let Some(e) = result.get("ErrorContains") {
        Expected::ErrorContains(e.as_str().unwrap().to_owned())
    } else {
        let ok = &result["Ok"];
        let text = |k: &str| ok.get(k).and_then(Value::as_str).map(str::to_owned);
        match text("token") {
            Some(token) => Expected::Token {
                token,
                expiration: text("expiration").expect("expiration"),
            },
            None => Expected::Credentials {
                access_key_id: text("access_key_id").expect("access_key_id"),
                secret_access_key: text("secret_access_key").expect("secret_access_key"),
                session_token: text("session_token"),
                account_id: text("account_id"),
                expiry: ok.get("expiry").and_then(Value::as_i64),
            },
        }
    };
    let exchanges = exchanges(&conformance::json(&rel("http-traffic.json")));
    ProviderCase {
        name,
        dir,
        env,
        files,
        expected,
        exchanges,
    }
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for path in conformance::entries(dir) {
        if path.is_dir() {
            walk(root, &path, out);
        } else {
            let rel = path.strip_prefix(root).unwrap();
            let virtual_path = format!(
                "/{}",
                rel.components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/")
            );
            out.push((virtual_path, conformance::bytes(&path)));
        }
    }
}

fn headers(v: &Value) -> Vec<(String, String)> {
    v.as_object()
        .into_iter()
        .flatten()
        .flat_map(|(k, values)| {
            values
                .as_array()
                .into_iter()
                .flatten()
                .map(move |v| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
        })
        .collect()
}

/// Groups the events by `connection_id`, in order of first appearance.
fn exchanges(traffic: &Value) -> Vec<Exchange> {
    assert_eq!(traffic["version"], "V0", "http-traffic.json version");
    let mut order: Vec<u64> = Vec::new();
    let mut by_id: std::collections::HashMap<u64, Exchange> = Default::default();
    for event in traffic["events"].as_array().unwrap() {
        let id = event["connection_id"].as_u64().unwrap();
        let entry = by_id.entry(id).or_insert_with(|| {
            order.push(id);
            Exchange {
                method: String::new(),
                uri: String::new(),
                headers: Vec::new(),
                request_body: None,
                status: 0,
                response_headers: Vec::new(),
                response_body: String::new(),
            }
        });
        let action = &event["action"];
        if let Some(request) = action.get("Request") {
            let r = &request["request"];
            entry.method = r["method"].as_str().unwrap().to_owned();
            entry.uri = r["uri"].as_str().unwrap().to_owned();
            entry.headers = headers(&r["headers"]);
        } else if let Some(data) = action.get("Data") {
            let text = data["data"]["Utf8"].as_str().unwrap_or_default().to_owned();
            match data["direction"].as_str() {
                Some("Request") => entry.request_body = Some(text),
                Some("Response") => entry.response_body = text,
                other => panic!("Data direction {other:?}"),
            }
        } else if let Some(response) = action.get("Response") {
            let ok = &response["response"]["Ok"];
            entry.status = ok["status"].as_u64().unwrap() as u16;
            entry.response_headers = headers(&ok["headers"]);
        }
    }
    order
        .into_iter()
        .map(|id| by_id.remove(&id).unwrap())
        .collect()
}
