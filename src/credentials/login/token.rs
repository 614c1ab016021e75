//! The `aws login` token file: `~/.aws/login/cache/<sha256 of the session name>.json`
//! (`AWS_LOGIN_CACHE_DIRECTORY` overrides the folder), read and written as botocore's
//! `LoginTokenLoader` over a `JSONFileCache` does (`reference/behavior.md` §11 item 2).
//!
//! The file holds the session's current credentials (`accessToken`: key, secret,
//! session token, account, expiry), the `refreshToken` and `clientId` that renew them,
//! the `dpopKey` that proves the refresh comes from the machine that logged in, and,
//! from newer logins, the `signInRegion`. A refresh rewrites it as botocore does:
//! `accessToken` and `refreshToken` replaced, every other field kept where it was,
//! `json.dumps` layout, atomically with mode 0600.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde_json::{Map, Value, json};
use zeroize::Zeroizing;

use crate::config::{default_path, expand_path};
use crate::credentials::pyjson::{self, Separators};
use crate::credentials::{Credentials, Keys, timestamp};
use crate::env::Environment;

/// The largest token file we read.
const MAX_FILE: u64 = 1 << 20;

/// botocore's `_REQUIRED_TOKEN_FIELDS`, in its order.
const REQUIRED: [&str; 4] = ["accessToken", "refreshToken", "dpopKey", "clientId"];

/// The folder of the token files: `AWS_LOGIN_CACHE_DIRECTORY` (variables and `~`
/// expanded), else `~/.aws/login/cache` (botocore's `get_login_token_cache_directory`).
pub(crate) fn cache_dir(env: &dyn Environment) -> PathBuf {
    match env.var("AWS_LOGIN_CACHE_DIRECTORY") {
        Some(dir) => expand_path(env, &dir),
        None => default_path(env, &[".aws", "login", "cache"]),
    }
}

/// The token file of session `session`: botocore's `generate_login_cache_key`, the
/// SHA-256 of the name in hex.
pub(crate) fn path(env: &dyn Environment, session: &str) -> PathBuf {
    use sha2::{Digest, Sha256};
    cache_dir(env).join(format!(
        "{}.json",
        hex::encode(Sha256::digest(session.as_bytes()))
    ))
}

/// A token file, read. Its `Debug` shows no secret.
pub(crate) struct Token {
    /// The whole document, to write back with every field kept.
    pub(crate) doc: Zeroizing<DocBox>,
    pub(crate) access_key_id: String,
    pub(crate) expires_at: SystemTime,
    pub(crate) account_id: String,
}

/// A JSON document that is wiped when dropped (it holds the secret key, the session
/// and refresh tokens and the private key).
#[derive(Default)]
pub(crate) struct DocBox(pub(crate) Map<String, Value>);

impl zeroize::Zeroize for DocBox {
    fn zeroize(&mut self) {
        fn wipe(v: &mut Value) {
            match v {
                Value::String(s) => s.zeroize(),
                Value::Array(items) => items.iter_mut().for_each(wipe),
                Value::Object(map) => map.values_mut().for_each(wipe),
                _ => {}
            }
        }
        self.0.values_mut().for_each(wipe);
    }
}

/// A JSON value wiped when dropped.
struct ValueBox(Value);

impl zeroize::Zeroize for ValueBox {
    fn zeroize(&mut self) {
        if let Value::Object(map) = &mut self.0 {
            let mut doc = DocBox(std::mem::take(map));
            doc.zeroize();
        }
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("access_key_id", &self.access_key_id)
            .field("expires_at", &timestamp::format_utc(self.expires_at))
            .field("account_id", &self.account_id)
            .finish_non_exhaustive()
    }
}

/// Why a token file gave no token.
#[derive(Debug)]
pub(crate) enum FileProblem {
    /// There is no file: no `aws login` for this session on this machine.
    Missing,
    /// The file exists but cannot be read.
    Unreadable(std::io::Error),
    /// The file is not a login token: what is wrong, after the file's name.
    Invalid(String),
}

impl Token {
    /// A text field of the document.
    pub(crate) fn field(&self, name: &str) -> Option<&str> {
        self.doc.0.get(name).and_then(Value::as_str)
    }

    /// The `signInRegion` the login left, if any (botocore: only if truthy).
    pub(crate) fn sign_in_region(&self) -> Option<&str> {
        self.field("signInRegion").filter(|r| !r.is_empty())
    }

    /// Whether the file holds what a refresh needs: a refresh token, a client id and a
    /// key (whether the key is usable shows when it is used).
    pub(crate) fn refreshable(&self) -> bool {
        ["refreshToken", "clientId", "dpopKey"]
            .iter()
            .all(|k| self.field(k).is_some_and(|v| !v.is_empty()))
    }

    /// The credentials in `accessToken`.
    pub(crate) fn credentials(&self) -> Credentials {
        let at = &self.doc.0["accessToken"];
        let text = |k: &str| at.get(k).and_then(Value::as_str).unwrap_or_default();
        Keys {
            access_key_id: text("accessKeyId").to_owned(),
            secret_access_key: text("secretAccessKey").to_owned(),
            session_token: Some(text("sessionToken").to_owned()),
            expiry: Some(self.expires_at),
            account_id: Some(self.account_id.clone()),
            provider: "login",
        }
        .build()
    }
}

/// The token file at `path`, checked as botocore checks it when it loads the cached
/// credentials: the required fields present, `accessToken` with its five fields.
pub(crate) fn read(env: &dyn Environment, path: &Path) -> Result<Token, FileProblem> {
    let bytes = match env.read_file(path, MAX_FILE) {
        Ok(Some(bytes)) => Zeroizing::new(bytes),
        Ok(None) => return Err(FileProblem::Missing),
        Err(e) => return Err(FileProblem::Unreadable(e)),
    };
    let invalid = |what: String| FileProblem::Invalid(what);
    let doc = match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(doc)) => Zeroizing::new(DocBox(doc)),
        Ok(_) => return Err(invalid("is not a JSON object".into())),
        Err(_) => return Err(invalid("is not valid JSON".into())),
    };
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|k| !doc.0.contains_key(*k))
        .collect();
    if !missing.is_empty() {
        return Err(invalid(format!(
            "is missing required fields: {}",
            missing.join(", ")
        )));
    }
    let at = &doc.0["accessToken"];
    let text = |k: &str| at.get(k).and_then(Value::as_str);
    for k in [
        "accessKeyId",
        "secretAccessKey",
        "sessionToken",
        "accountId",
        "expiresAt",
    ] {
        if text(k).is_none() {
            return Err(invalid(format!("has no accessToken.{k} string")));
        }
    }
    let expires_at = timestamp::parse(text("expiresAt").unwrap_or_default()).map_err(|e| {
        invalid(format!(
            "has an accessToken.expiresAt that {}",
            e.describe()
        ))
    })?;
    Ok(Token {
        access_key_id: text("accessKeyId").unwrap_or_default().to_owned(),
        account_id: text("accountId").unwrap_or_default().to_owned(),
        expires_at,
        doc,
    })
}

/// What the Sign-In service answered to a refresh.
pub(crate) struct Refreshed {
    pub(crate) access_key_id: String,
    pub(crate) secret_access_key: Zeroizing<String>,
    pub(crate) session_token: Zeroizing<String>,
    pub(crate) refresh_token: Zeroizing<String>,
    pub(crate) expires_at: SystemTime,
}

/// `old` with the refresh applied, as botocore's `token.update(…)` does: `accessToken`
/// rebuilt (its `accountId` kept), `refreshToken` replaced, every other field where it
/// was. Returns the new token and the text to write.
///
/// BOTOCORE: `accessToken` is replaced as a whole, so a field of its own that we do not
/// know is dropped; so do we, since it described the old credentials.
pub(crate) fn apply(old: &Token, new: &Refreshed) -> (Token, Zeroizing<String>) {
    let mut doc = DocBox(old.doc.0.clone());
    doc.0.insert(
        "accessToken".into(),
        json!({
            "accessKeyId": new.access_key_id,
            "secretAccessKey": new.secret_access_key.as_str(),
            "sessionToken": new.session_token.as_str(),
            "accountId": old.account_id,
            "expiresAt": timestamp::format_for_file(new.expires_at),
        }),
    );
    doc.0
        .insert("refreshToken".into(), json!(new.refresh_token.as_str()));
    // json.dumps of the document; serialized in place so no unwiped copy is left.
    let value = Zeroizing::new(ValueBox(Value::Object(std::mem::take(&mut doc.0))));
    let text = Zeroizing::new(pyjson::dumps(&value.0, Separators::Default, false));
    if let Value::Object(map) = &value.0 {
        doc.0 = map.clone();
    }
    let token = Token {
        access_key_id: new.access_key_id.clone(),
        account_id: old.account_id.clone(),
        // As written: truncated to the second, like the file.
        expires_at: timestamp::parse(&timestamp::format_for_file(new.expires_at))
            .unwrap_or(new.expires_at),
        doc: Zeroizing::new(doc),
    };
    (token, text)
}
