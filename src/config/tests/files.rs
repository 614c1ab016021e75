//! Locations, profile selection, reading through the environment and the merge of the two
//! files (behavior.md §3.1, §3.4–§3.6; §10 items 1, 4, 6, 18).

use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::*;
use crate::config::{
    FileLocations, MAX_FILE_SIZE, ProfileSource, default_path, home_dir, locate, profile_from_env,
};
use crate::env::{
    Environment, HttpError, HttpRequest, HttpResponse, MemoryEnvironment, Platform, ProcessError,
    ProcessOutput, ProcessRequest,
};

fn unix(vars: &[(&str, &str)]) -> MemoryEnvironment {
    vars.iter()
        .fold(MemoryEnvironment::new(), |env, (k, v)| env.with_var(*k, *v))
}

fn located(env: &MemoryEnvironment) -> (Option<String>, Option<String>) {
    let FileLocations {
        config,
        credentials,
    } = locate(env);
    let s = |p: Option<PathBuf>| p.map(|p| p.to_string_lossy().into_owned());
    (s(config), s(credentials))
}

#[test]
fn default_locations_and_overrides() {
    let env = unix(&[("HOME", "/home/u")]);
    assert_eq!(
        located(&env),
        (
            Some("/home/u/.aws/config".into()),
            Some("/home/u/.aws/credentials".into())
        )
    );
    let env = unix(&[
        ("HOME", "/h"),
        ("D", "/d"),
        ("AWS_CONFIG_FILE", "${D}/cfg"),
        ("AWS_SHARED_CREDENTIALS_FILE", "~/sub/$NOPE"),
    ]);
    assert_eq!(
        located(&env),
        (Some("/d/cfg".into()), Some("/h/sub/$NOPE".into()))
    );
}

#[test]
fn empty_variable_means_no_file() {
    // §10 item 4: no fallback to ~/.aws/config, even if it exists.
    let env = unix(&[("HOME", "/h"), ("AWS_CONFIG_FILE", "")])
        .with_file("/h/.aws/config", "[default]\nregion = a\n");
    assert_eq!(located(&env).0, None);
    let shared = SharedConfig::load(&env).unwrap();
    assert!(shared.profile_names().is_empty());
    assert_eq!(shared.config_path(), None);
    // A variable that expands to nothing is no file either.
    let env = unix(&[("HOME", "/h"), ("E", ""), ("AWS_CONFIG_FILE", "$E")]);
    assert_eq!(located(&env).0, None);
}

#[test]
fn home_directory_rules() {
    // Unix: HOME even if empty, else the account database; trailing `/` dropped.
    assert_eq!(located(&unix(&[("HOME", "")])).0.unwrap(), "/.aws/config");
    assert_eq!(
        located(&unix(&[("HOME", "/h/")])).0.unwrap(),
        "/h/.aws/config"
    );
    let env = MemoryEnvironment::new().with_account_home_dir("/acct");
    assert_eq!(home_dir(&env), Some(PathBuf::from("/acct")));
    assert_eq!(located(&env).0.unwrap(), "/acct/.aws/config");
    // Nothing known: `~` stays, relative to the working directory, as in botocore.
    assert_eq!(
        located(&MemoryEnvironment::new()).0.unwrap(),
        "~/.aws/config"
    );
    // Windows ignores HOME (BOTOCORE: behavior.md §3.1.1).
    let win = |vars: &[(&str, &str)]| unix(vars).with_platform(Platform::Windows);
    let env = win(&[("HOME", "C:\\h"), ("USERPROFILE", "C:\\Users\\u")]);
    assert_eq!(located(&env).0.unwrap(), "C:\\Users\\u\\.aws\\config");
    let env = win(&[("HOMEDRIVE", "C:"), ("HOMEPATH", "\\users\\u")]);
    assert_eq!(home_dir(&env), Some(PathBuf::from("C:\\users\\u")));
    assert_eq!(home_dir(&win(&[("HOME", "C:\\h")])), None);
    assert_eq!(
        default_path(&env, &[".aws", "sso", "cache"]),
        PathBuf::from("C:\\users\\u\\.aws\\sso\\cache")
    );
}

#[test]
fn profile_selection() {
    // §10 item 1: AWS_DEFAULT_PROFILE first; set-but-empty counts.
    let name = |vars: &[(&str, &str)]| profile_from_env(&unix(vars));
    assert_eq!(name(&[]), ("default".into(), ProfileSource::Default));
    assert_eq!(
        name(&[("AWS_PROFILE", "dev")]),
        ("dev".into(), ProfileSource::AwsProfile)
    );
    assert_eq!(
        name(&[("AWS_PROFILE", "dev"), ("AWS_DEFAULT_PROFILE", "default")]),
        ("default".into(), ProfileSource::AwsDefaultProfile)
    );
    assert_eq!(
        name(&[("AWS_PROFILE", "")]),
        (String::new(), ProfileSource::AwsProfile)
    );
}

#[test]
fn credentials_values_win_key_by_key() {
    // §10 item 6 and §3.4: order is config keys, then new credentials keys.
    let c = both(
        "[profile a]\nregion = r1\noutput = json\n",
        "[a]\nregion = r2\naws_access_key_id = AK\n",
    );
    assert_eq!(
        pairs(&c, "a"),
        kv(&[
            ("region", "r2"),
            ("output", "json"),
            ("aws_access_key_id", "AK")
        ])
    );
}

#[test]
fn static_keys_stay_apart_per_file() {
    // §10 item 18: the per-file views never mix keys.
    let c = both(
        "[profile p]\naws_session_token = T\n",
        "[p]\naws_access_key_id = AK\naws_secret_access_key = SK\n",
    );
    let p = c.profile("p").unwrap();
    assert_eq!(p.credentials_file().unwrap().get("aws_session_token"), None);
    assert_eq!(p.config_file().unwrap().get("aws_access_key_id"), None);
    assert!(p.contains_key("aws_session_token"));
    assert_eq!(p.name(), "p");
}

#[test]
fn available_profiles_order() {
    // §3.6: config profiles in file order, then credentials-only ones.
    let c = both(
        "[profile cfgonly]\n[profile both]\n[sso-session s]\n[plugins]\n",
        "[both]\n[credonly]\n[profile prefixed]\n",
    );
    assert_eq!(
        c.profile_names(),
        ["cfgonly", "both", "credonly", "profile prefixed"]
    );
    assert!(c.profile("Both").is_none(), "names are case-sensitive");
}

#[test]
fn config_error_is_reported_before_credentials_error() {
    let e = SharedConfig::from_sources(Some(b"[a]\nx\n"), Some(b"[b]\ny\n")).unwrap_err();
    assert!(
        e.message()
            .starts_with("Unable to parse config file: config file"),
        "{e}"
    );
    let e = SharedConfig::from_sources(Some(b"[a]\n"), Some(b"[b]\ny\n")).unwrap_err();
    assert!(
        e.message()
            .starts_with("Unable to parse config file: credentials file (line 2"),
        "{e}"
    );
}

#[test]
fn load_reads_both_files_and_names_them() {
    let env = unix(&[("HOME", "/h")])
        .with_file("/h/.aws/config", "[profile a]\nregion = r\n")
        .with_file("/h/.aws/credentials", "[a]\nregion = c\n");
    let c = SharedConfig::load(&env).unwrap();
    assert_eq!(c.config_path(), Some(Path::new("/h/.aws/config")));
    assert_eq!(c.credentials_path(), Some(Path::new("/h/.aws/credentials")));
    assert_eq!(c.profile("a").unwrap().get("region"), Some("c"));

    let env = unix(&[("HOME", "/h")]).with_file("/h/.aws/credentials", "[a]\nbad\n");
    let e = SharedConfig::load(&env).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ConfigParse);
    assert_eq!(
        e.message(),
        "Unable to parse config file: /h/.aws/credentials (line 2: expected `name = value`, \
         found a line without `=` or `:`; an indented line continues a value only right \
         after a `name = value` line, and a comment must start its own line with # or ;)"
    );
}

/// An environment whose one file fails to read with `kind`.
struct Failing {
    inner: MemoryEnvironment,
    path: PathBuf,
    kind: io::ErrorKind,
}

impl Environment for Failing {
    fn var(&self, name: &str) -> Option<String> {
        self.inner.var(name)
    }
    fn platform(&self) -> Platform {
        self.inner.platform()
    }
    fn account_home_dir(&self) -> Option<PathBuf> {
        None
    }
    fn read_file(&self, path: &Path, limit: u64) -> io::Result<Option<Vec<u8>>> {
        if path == self.path {
            return Err(io::Error::new(self.kind, "simulated"));
        }
        self.inner.read_file(path, limit)
    }
    fn now(&self) -> SystemTime {
        SystemTime::UNIX_EPOCH
    }
    fn http(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        self.inner.http(request)
    }
    fn write_file_atomic(&self, path: &Path, contents: &[u8]) -> io::Result<()> {
        self.inner.write_file_atomic(path, contents)
    }
    fn run_process(&self, request: &ProcessRequest) -> Result<ProcessOutput, ProcessError> {
        self.inner.run_process(request)
    }
}

/// DIFFERENCE: botocore skips a file it may not read; we name it (the rule).
#[test]
fn unreadable_file_is_an_error_naming_it() {
    let env = Failing {
        inner: unix(&[("HOME", "/h")]).with_file("/h/.aws/credentials", "[a]\n"),
        path: "/h/.aws/config".into(),
        kind: io::ErrorKind::PermissionDenied,
    };
    let e = SharedConfig::load(&env).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ConfigRead);
    assert!(
        e.message()
            .starts_with("Unable to read config file: /h/.aws/config (permission denied;"),
        "{e}"
    );
    assert!(e.message().contains("AWS_CONFIG_FILE"), "{e}");
}

#[test]
fn read_failures_are_config_read_errors() {
    let env = Failing {
        inner: unix(&[("HOME", "/h")]),
        path: "/h/.aws/credentials".into(),
        kind: io::ErrorKind::Other,
    };
    let e = SharedConfig::load(&env).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ConfigRead);
    assert!(
        e.message()
            .starts_with("Unable to read credentials file: /h/.aws/credentials"),
        "{e}"
    );
    assert_eq!(e.chain_message(), format!("{}: simulated", e.message()));

    let big = vec![b'#'; MAX_FILE_SIZE as usize + 1];
    let env = unix(&[("HOME", "/h")]).with_file("/h/.aws/config", big);
    let e = SharedConfig::load(&env).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ConfigRead);
    assert!(e.message().contains("larger than the 16 MiB limit"), "{e}");
}
