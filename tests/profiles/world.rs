//! A temporary home with a config file, an SSO login of `[sso-session corp]`, and the
//! portal stand-in listing [`ACCOUNTS`]; runs `codecommit-auth profiles` in it.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::json;

use crate::support::disk::TempDir;
use crate::support::server::Server;
use crate::support::sso::{Assigned, directory, iso};

pub const TOKEN: &str = "portal-bearer-NEVER-PRINTED-15b";

/// The `[sso-session corp]` every case's file holds (LF; cases in CRLF convert it).
pub const SESSION: &str = "[sso-session corp]\n\
    sso_start_url = https://corp.awsapps.com/start\n\
    sso_region = eu-central-1\n\
    sso_registration_scopes = sso:account:access\n";

/// What the login can reach: three accounts, six roles (one account name needs
/// replacing characters).
pub const ACCOUNTS: &[Assigned<'static>] = &[
    ("111111111111", "Prod", &["Admin", "ReadOnly"]),
    ("222222222222", "Dev Team", &["Developer"]),
    (
        "333333333333",
        "Sandbox",
        &["Admin", "Developer", "ReadOnly"],
    ),
];

/// The profiles the default pattern gives for [`ACCOUNTS`], with account and role.
pub fn expected() -> Vec<(String, &'static str, &'static str)> {
    let mut out: Vec<(String, &str, &str)> = ACCOUNTS
        .iter()
        .flat_map(|(id, name, roles)| {
            roles
                .iter()
                .map(move |role| (format!("{}.{role}", name.replace(' ', "-")), *id, *role))
        })
        .collect();
    out.sort();
    out
}

pub struct World {
    pub portal: Server,
    pub dir: TempDir,
    vars: Vec<(String, String)>,
}

impl World {
    /// `config` as the config file (none if `None`), a login valid for an hour, and
    /// the portal answering `page` items at a time.
    pub fn new(config: Option<&[u8]>, page: usize) -> World {
        let dir = TempDir::new("profiles");
        if let Some(config) = config {
            dir.write("aws/config", config);
        }
        let portal = Server::start();
        directory(&portal, TOKEN, page, ACCOUNTS);
        let world = World {
            vars: vec![
                ("HOME".into(), dir.path().join("home").display().to_string()),
                (
                    "AWS_CONFIG_FILE".into(),
                    dir.path().join("aws/config").display().to_string(),
                ),
                (
                    "AWS_SHARED_CREDENTIALS_FILE".into(),
                    dir.path().join("aws/credentials").display().to_string(),
                ),
                ("AWS_ENDPOINT_URL_SSO".into(), portal.url()),
                ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
            ],
            portal,
            dir,
        };
        world.login(TOKEN, 3600);
        world
    }

    /// Leaves a token for `[sso-session corp]` expiring in `valid_for` seconds.
    pub fn login(&self, token: &str, valid_for: i64) {
        use sha1::{Digest, Sha1};
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let name = hex::encode(Sha1::digest(b"corp"));
        self.dir.write(
            &format!("home/.aws/sso/cache/{name}.json"),
            json!({
                "startUrl": "https://corp.awsapps.com/start",
                "region": "eu-central-1",
                "accessToken": token,
                "expiresAt": iso(now + valid_for),
            })
            .to_string(),
        );
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("aws/config")
    }

    pub fn config(&self) -> Vec<u8> {
        std::fs::read(self.config_path()).unwrap_or_default()
    }

    /// [`config`](Self::config) as text.
    pub fn text(&self) -> String {
        String::from_utf8(self.config()).expect("the config file is UTF-8")
    }

    /// `codecommit-auth profiles ARGS`, with only this world's variables.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_codecommit-auth"));
        command
            .arg("profiles")
            .args(args)
            .env_clear()
            .envs(self.vars.iter().map(|(k, v)| (k, v)));
        command
    }

    /// Runs [`command`](Self::command) to its end.
    pub fn profiles(&self, args: &[&str]) -> Ran {
        self.finish(self.command(args).output().expect("runs codecommit-auth"))
    }

    /// What a finished run left; never the bearer token.
    pub fn finish(&self, out: Output) -> Ran {
        let ran = Ran {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        assert!(
            !ran.stdout.contains(TOKEN) && !ran.stderr.contains(TOKEN),
            "the bearer token was printed: {ran:?}"
        );
        ran
    }

    pub fn set_var(&mut self, name: &str, value: &str) {
        self.vars.retain(|(k, _)| k != name);
        self.vars.push((name.into(), value.into()));
    }
}

#[derive(Debug)]
pub struct Ran {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    #[track_caller]
    pub fn ok(&self) -> &Ran {
        assert_eq!(self.code, Some(0), "{self:?}");
        self
    }
}
