//! Load: many signers and many processes at once (issue 7, "Load").
//!
//! * 16 threads share one `Signer` (and its key cache) and sign different requests at
//!   once: every URL must equal the one a fresh signer makes for the same input alone.
//! * 50 real `git-remote-codecommit --print-url` processes resolve the same SSO profile
//!   against one portal on 127.0.0.1 with an empty CLI cache: the cache lock must hold
//!   the portal to a bounded number of calls (one, when the lock works), every process
//!   must print the same URL, and one whole cache file must remain, with no temp files.

// Tests read their own fixtures straight from disk and run the built binary.
#![allow(clippy::disallowed_methods)]

mod support;

use std::process::{Command, Stdio};
use std::time::Duration;

use codecommit_auth::sign::{Signer, UrlRequest};
use codecommit_auth::{RepositoryName, SigningTime};
use serde_json::{Value, json};
use support::disk::TempDir;
use support::server::{Reply, Server};

#[test]
fn sixteen_threads_sign_independent_correct_urls() {
    let signer = std::sync::Arc::new(Signer::new());
    let inputs: Vec<(String, String, String, i64)> = (0..64)
        .map(|i| {
            (
                format!("AKIDLOAD{i:012}"),
                format!("secret-{}", i % 5), // shared secrets exercise the key cache
                ["us-east-1", "eu-west-1", "ap-south-1"][i % 3].to_owned(),
                1_700_000_000 + (i as i64 % 4) * 86_400,
            )
        })
        .collect();
    let expected: Vec<String> = inputs
        .iter()
        .map(|input| sign(&Signer::new(), input))
        .collect();
    let handles: Vec<_> = (0..16)
        .map(|t| {
            let signer = std::sync::Arc::clone(&signer);
            let inputs = inputs.clone();
            std::thread::spawn(move || {
                let mut out = Vec::new();
                for round in 0..50 {
                    let i = (t * 7 + round * 3) % inputs.len();
                    out.push((i, sign(&signer, &inputs[i])));
                }
                out
            })
        })
        .collect();
    let mut checked = 0;
    for h in handles {
        for (i, url) in h.join().unwrap() {
            assert_eq!(url, expected[i], "input {i}");
            checked += 1;
        }
    }
    assert_eq!(checked, 800);
}

fn sign(signer: &Signer, (ak, sk, region, unix): &(String, String, String, i64)) -> String {
    let repository = RepositoryName::new("load-test").unwrap();
    let host = format!("git-codecommit.{region}.amazonaws.com");
    signer
        .sign(&UrlRequest {
            access_key_id: ak,
            secret_access_key: sk,
            session_token: Some("tok/en+="),
            region,
            host: &host,
            repository: &repository,
            time: SigningTime::from_unix(*unix).unwrap(),
        })
        .into_string()
}

const CONFIG: &str = "\
[profile legacy]
region = us-east-2
sso_start_url = https://my-sso-portal.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = DevRole
";

#[test]
fn fifty_processes_share_one_portal_call_and_one_cache_file() {
    let server = Server::start();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let iso = |secs: u64| support::sso::iso(secs as i64);
    server.route(
        "GET",
        "/federation/credentials",
        vec![
            Reply::new(
                200,
                support::sso::portal_answer(
                    "ASIALOADTEST00000001",
                    "load-secret",
                    "load-token",
                    (now + 3600) * 1000,
                ),
            )
            .header("Content-Type", "application/json")
            .delayed(Duration::from_millis(300)),
        ],
    );
    let home = TempDir::new("load50");
    home.write(".aws/config", CONFIG);
    home.write(
        ".aws/sso/cache/c7aaaf71fcc8777ae2475525ed049d39fe16c484.json",
        json!({"accessToken": "LOAD-ACCESS", "expiresAt": iso(now + 3600)}).to_string(),
    );

    let binary = env!("CARGO_BIN_EXE_git-remote-codecommit");
    let children: Vec<_> = (0..50)
        .map(|_| {
            Command::new(binary)
                .args(["--print-url", "codecommit://legacy@LoadRepo"])
                .env_clear()
                .env("HOME", home.path())
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .env("AWS_ENDPOINT_URL_SSO", server.url())
                .env("AWS_ENDPOINT_URL_SSO_OIDC", server.url())
                .env("AWS_ENDPOINT_URL_STS", server.url())
                .env("AWS_EC2_METADATA_DISABLED", "true")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn git-remote-codecommit")
        })
        .collect();
    let mut urls = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "a process failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        urls.push(String::from_utf8(out.stdout).unwrap().trim().to_owned());
    }
    let portal_calls = server.count("/federation/credentials");
    eprintln!("load: 50 processes made {portal_calls} portal call(s)");
    assert_eq!(portal_calls, 1, "the cache lock lets one process fetch");
    assert!(
        urls[0].starts_with("https://ASIALOADTEST00000001%25load-token:"),
        "{}",
        urls[0]
    );
    // Signed within the same second or two: the password may differ, the user and host not.
    assert!(
        urls.iter()
            .all(|u| u.split(':').nth(1) == urls[0].split(':').nth(1))
    );

    let dir = home.path().join(".aws/cli/cache");
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names.iter().any(|n| n.ends_with(".tmp")),
        "temp files left: {names:?}"
    );
    let json_files: Vec<&String> = names.iter().filter(|n| n.ends_with(".json")).collect();
    assert_eq!(json_files.len(), 1, "{names:?}");
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(json_files[0])).unwrap()).unwrap();
    assert_eq!(doc["Credentials"]["AccessKeyId"], "ASIALOADTEST00000001");
}
