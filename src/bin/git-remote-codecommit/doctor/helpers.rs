//! What git's own configuration does to the Git host: the credential helpers it asks
//! for `https://HOST/v1/repos/REPO`, in its order (a stale signed password served by
//! the Keychain, Git Credential Manager or `store` is a common 403), and the proxy and
//! CA file it uses for that URL (for the `--online` probe). Asked of the real `git
//! config`; nothing here goes over the network.

use std::time::Duration;

use codecommit_auth::env::{Environment, OsEnvironment, ProcessRequest};
use codecommit_auth::online::GitSettings;
use codecommit_auth::{MAX_SHOWN, shown};

use super::{Report, Status};

/// Helpers that store what git hands them, and serve it back later.
const STORING: [&str; 8] = [
    "osxkeychain",
    "manager",
    "manager-core",
    "store",
    "cache",
    "libsecret",
    "wincred",
    "gnome-keyring",
];

/// `git config ARGS`' standard output, or `None` when the key is not set or git failed.
fn git_config(args: &[&str]) -> Option<String> {
    let out = OsEnvironment::new()
        .run_process(&ProcessRequest::new(
            ["git", "config"]
                .iter()
                .chain(args)
                .map(|s| (*s).to_owned())
                .collect(),
            Duration::from_secs(10),
            1 << 20,
        ))
        .ok()?;
    (out.code == Some(0)).then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// git's `http.proxy` and `http.sslCAInfo` for `url` (`http.<url>.*` included).
pub(super) fn settings(url: &str) -> GitSettings {
    let get = |key: &str| {
        git_config(&["--get-urlmatch", key, url]).map(|v| v.trim_end_matches('\n').to_owned())
    };
    GitSettings {
        proxy: get("http.proxy"),
        ssl_ca_info: get("http.sslcainfo"),
    }
}

/// One `credential.*helper` line of git's configuration.
struct Entry {
    value: String,
    origin: String,
}

/// The step: the helpers git asks for `https://HOST/v1/repos/REPO`, and whether any
/// can serve a stale password.
pub(super) fn step(host: &str, repository: &str, report: &mut Report) {
    const STEP: &str = "cred helpers";
    let url = format!("https://{host}/v1/repos/{repository}");
    // In file order, with each line's origin: git builds the list the same way,
    // appending every `credential.helper` and matching `credential.<url>.helper`, an
    // empty value emptying it.
    let Some(listing) = git_config(&[
        "--null",
        "--show-origin",
        "--get-regexp",
        r"^credential\..*helper$",
    ]) else {
        report.line(Status::Info, STEP, format!("none configured for {url}"));
        return;
    };
    let mut entries: Vec<Entry> = Vec::new();
    let mut reset_before_ours = false;
    let mut fields = listing.split('\0');
    while let (Some(origin), Some(pair)) = (fields.next(), fields.next()) {
        let (key, value) = pair.split_once('\n').unwrap_or((pair, ""));
        let applies = match key
            .strip_prefix("credential.")
            .and_then(|k| k.strip_suffix(".helper"))
        {
            None => key.eq_ignore_ascii_case("credential.helper"),
            Some(pattern) => url_matches(pattern, host, repository),
        };
        if !applies {
            continue;
        }
        if value.is_empty() {
            entries.clear();
            reset_before_ours = true;
            continue;
        }
        if is_ours(value) && !entries.iter().any(|e| is_ours(&e.value)) {
            // The reset counts when it cleared everything before our line.
            reset_before_ours = reset_before_ours && entries.is_empty();
        }
        entries.push(Entry {
            value: value.to_owned(),
            origin: origin.to_owned(),
        });
    }
    let list = entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            format!(
                "{}. {} ({})",
                i + 1,
                shown(&e.value, MAX_SHOWN),
                shown(&e.origin, MAX_SHOWN)
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let ours = entries.iter().position(|e| is_ours(&e.value));
    let storing: Vec<(usize, &Entry)> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| STORING.contains(&helper_name(&e.value).as_str()))
        .collect();
    let codecommit_note = "codecommit:// remotes are not affected: git-remote-codecommit runs \
                           git with credential.helper= cleared, so no helper stores or \
                           serves their signed passwords";
    let host_key = format!("credential.https://{host}");
    let fix = format!(
        "fix, for https:// remotes (the empty value drops the helpers listed before it):\n\
         git config --global {host_key}.helper ''\n\
         git config --global --add {host_key}.helper codecommit\n\
         git config --global {host_key}.useHttpPath true\n\
         and erase what a helper stored for the host:\n\
         printf 'protocol=https\\nhost={host}\\n\\n' | git credential reject"
    );
    match ours {
        None if entries.is_empty() => report.line(
            Status::Info,
            STEP,
            format!("none configured for {url}\n{codecommit_note}"),
        ),
        None => report.line(
            Status::Info,
            STEP,
            format!(
                "git asks, in order, for {url}:\n{list}\ngit-credential-codecommit is not \
                 among them; {codecommit_note}\nfor https:// remotes of this host, configure \
                 it so:\n{}",
                fix.split_once('\n').map_or("", |(_, rest)| rest)
            ),
        ),
        Some(at) => {
            let before: Vec<&str> = storing
                .iter()
                .filter(|(i, _)| *i < at)
                .map(|(_, e)| e.value.as_str())
                .collect();
            let after = storing.iter().any(|(i, _)| *i > at);
            if !before.is_empty() {
                report.line(
                    Status::Warn,
                    STEP,
                    format!(
                        "git asks, in order, for {url}:\n{list}\n{} come(s) before \
                         git-credential-codecommit and can serve a password stored earlier, \
                         signed up to 15 minutes long and expired since: git sends it and \
                         gets 403\n{fix}\n{codecommit_note}",
                        before
                            .iter()
                            .map(|v| shown(v, MAX_SHOWN).into_owned())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            } else if after && !reset_before_ours {
                report.line(
                    Status::Warn,
                    STEP,
                    format!(
                        "git asks, in order, for {url}:\n{list}\ngit-credential-codecommit is \
                         not configured with the empty `helper =` line before it: the \
                         helpers after it store every signed password git uses, and serve \
                         them when ours cannot answer\n{fix}\n{codecommit_note}"
                    ),
                );
            } else {
                report.line(
                    Status::Ok,
                    STEP,
                    format!(
                        "git asks, in order, for {url}:\n{list}\nno helper that stores \
                         passwords comes before git-credential-codecommit"
                    ),
                );
            }
        }
    }
}

/// Whether a helper value is git-credential-codecommit (`codecommit --profile x`,
/// `!git-credential-codecommit`, a path to it).
fn is_ours(value: &str) -> bool {
    helper_name(value) == "codecommit"
}

/// The helper's short name: `store` for `store --file x`, `/usr/bin/git-credential-store`
/// and `!git credential-store`; `manager` for Git Credential Manager's paths.
fn helper_name(value: &str) -> String {
    let value = value.trim();
    let value = value.strip_prefix('!').unwrap_or(value).trim_start();
    let value = value.strip_prefix("git ").map_or(value, str::trim_start);
    let first = value.split_whitespace().next().unwrap_or("");
    let base = first.rsplit(['/', '\\']).next().unwrap_or(first);
    let base = base.strip_suffix(".exe").unwrap_or(base);
    let base = base.strip_prefix("git-").unwrap_or(base);
    base.strip_prefix("credential-")
        .unwrap_or(base)
        .to_ascii_lowercase()
}

/// Whether `credential.<pattern>.helper` applies to `https://HOST/v1/repos/REPO`, by
/// git's URL matching: same scheme, host (a `*` matching one label), port, and a path
/// that is a prefix at a `/`; a pattern with a user name does not match a URL without.
fn url_matches(pattern: &str, host: &str, repository: &str) -> bool {
    let Some(rest) = pattern.strip_prefix("https://") else {
        // `credential.<host>.helper` without a scheme is not a URL: git ignores it.
        return false;
    };
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    if authority.contains('@') {
        return false;
    }
    let split = |a: &str| -> (String, String) {
        match a.rsplit_once(':') {
            Some((h, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
                (h.to_ascii_lowercase(), p.to_owned())
            }
            _ => (a.to_ascii_lowercase(), "443".to_owned()),
        }
    };
    let (want_host, want_port) = split(authority);
    let (have_host, have_port) = split(host);
    let labels = |h: &str| h.split('.').map(str::to_owned).collect::<Vec<_>>();
    let (want, have) = (labels(&want_host), labels(&have_host));
    let host_ok =
        want.len() == have.len() && want.iter().zip(&have).all(|(w, h)| w == "*" || w == h);
    let wanted = path.trim_end_matches('/');
    let full = format!("v1/repos/{repository}");
    let path_ok = wanted.is_empty() || full == wanted || full.starts_with(&format!("{wanted}/"));
    host_ok && want_port == have_port && path_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helper_names() {
        for (value, name) in [
            ("store", "store"),
            ("store --file ~/.creds", "store"),
            ("!git credential-store", "store"),
            ("/usr/lib/git-core/git-credential-libsecret", "libsecret"),
            (
                "/usr/local/share/gcm-core/git-credential-manager",
                "manager",
            ),
            ("manager-core", "manager-core"),
            ("codecommit --profile dev", "codecommit"),
            ("!git-credential-codecommit", "codecommit"),
            ("C:\\bin\\git-credential-wincred.exe", "wincred"),
        ] {
            assert_eq!(helper_name(value), name, "{value}");
        }
    }

    #[test]
    fn url_patterns() {
        let host = "git-codecommit.us-east-1.amazonaws.com";
        assert!(url_matches(
            "https://git-codecommit.us-east-1.amazonaws.com",
            host,
            "R"
        ));
        assert!(url_matches("https://*.us-east-1.amazonaws.com", host, "R"));
        assert!(url_matches(
            "https://GIT-codecommit.us-east-1.amazonaws.com/v1/repos/R",
            host,
            "R"
        ));
        assert!(url_matches(
            "https://git-codecommit.us-east-1.amazonaws.com:443/v1/",
            host,
            "R"
        ));
        assert!(!url_matches(
            "https://git-codecommit.us-east-1.amazonaws.com/v1/repos/Rx",
            host,
            "R"
        ));
        assert!(!url_matches("https://*.amazonaws.com", host, "R"));
        assert!(!url_matches(
            "http://git-codecommit.us-east-1.amazonaws.com",
            host,
            "R"
        ));
        assert!(!url_matches(
            "https://u@git-codecommit.us-east-1.amazonaws.com",
            host,
            "R"
        ));
        assert!(url_matches("https://127.0.0.1:8443", "127.0.0.1:8443", "R"));
        assert!(!url_matches(
            "https://127.0.0.1:8444",
            "127.0.0.1:8443",
            "R"
        ));
    }
}
