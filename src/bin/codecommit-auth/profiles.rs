//! `codecommit-auth profiles`: one profile per account and role an SSO login can reach,
//! written into the shared config file. The listing and the config editing are the
//! library's (`credentials::sso_profiles`, `config::editor`); this file is the command
//! line, the output and the write.

use std::ffi::OsString;
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use codecommit_auth::credentials::sso_profiles::{Pattern, Plan, Request, plan};
use codecommit_auth::env::{Environment, OsEnvironment};

/// `codecommit-auth profiles --help`.
pub(crate) const HELP: &str = "\
usage: codecommit-auth profiles --sso-session NAME [--pattern P] [--region R] [--dry-run]
                                [--start-url URL --sso-region R]

Lists every account and role the SSO login of [sso-session NAME] can reach (the SSO
portal's ListAccounts and ListAccountRoles) and writes one profile per account and role
into the config file (AWS_CONFIG_FILE, else ~/.aws/config):

    # managed by codecommit-auth profiles --sso-session NAME
    [profile ACCOUNT.ROLE]
    sso_session = NAME
    sso_account_id = ...
    sso_role_name = ...
    region = ...

so that `git clone codecommit://ACCOUNT.ROLE@REPOSITORY` works. Log in first:
`codecommit-auth login --sso-session NAME` (or `aws sso login --sso-session NAME`).

Nothing else in the file changes. A profile whose header follows the comment above is
ours and is rewritten on the next run; any other profile of the same name is left
alone and reported. Profiles of ours whose role the portal no longer lists stay, and
are reported.

options:
  --sso-session NAME  the [sso-session NAME] section (sso_start_url, sso_region)
  --pattern P         how profiles are named; default {accountName}.{roleName}; fields
                      {accountName} {accountId} {roleName} {ssoSession}; every character
                      other than a letter, digit, '.', '_' or '-' becomes '-'
  --region R          the profiles' region (default: the session's sso_region)
  --start-url URL --sso-region R
                      add [sso-session NAME] with this start URL and region if the
                      file has none (then log in and run the command again)
  --dry-run           print the change as a unified diff on stdout; write nothing
  -h, --help          this help

Exit status: 0 done (also when some names were left alone), 1 failed, 2 usage error.";

/// `codecommit-auth profiles ARGS` (ARGS: what follows the word `profiles`).
pub(crate) fn run(args: Vec<OsString>) -> ExitCode {
    let parsed = match parse(args) {
        Ok(Some(parsed)) => parsed,
        Ok(None) => {
            let _ = writeln!(std::io::stdout(), "{HELP}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("codecommit-auth profiles: {message}\n\n{HELP}");
            return ExitCode::from(2);
        }
    };
    let env = OsEnvironment::new();
    let plan = match plan(&env, &parsed.request) {
        Ok(plan) => plan,
        Err(e) => return fail(&e.chain_message()),
    };
    for note in &plan.notes {
        eprintln!("codecommit-auth profiles: {note}");
    }
    if parsed.dry_run {
        let mut out = std::io::stdout().lock();
        let _ = out
            .write_all(plan.diff().as_bytes())
            .and_then(|()| out.flush());
        eprintln!("{} (dry run: nothing written)", summary(&plan));
        return ExitCode::SUCCESS;
    }
    if plan.changed() {
        // Another program may have written the file while the portal was asked: keep
        // its change rather than write over it.
        let now = env.read_file(&plan.config_file, codecommit_auth::config::MAX_FILE_SIZE);
        let unchanged = match &now {
            Ok(Some(bytes)) => *bytes == plan.before.as_bytes(),
            Ok(None) => plan.before.is_empty(),
            Err(_) => false,
        };
        if !unchanged {
            return fail(&format!(
                "{} changed while the accounts were listed; nothing written, run the \
                 command again",
                plan.config_file.display()
            ));
        }
        if let Err(e) = write(&env, &plan.config_file, plan.after.as_bytes()) {
            return fail(&format!("cannot write {}: {e}", plan.config_file.display()));
        }
    }
    eprintln!("{}", summary(&plan));
    ExitCode::SUCCESS
}

struct Parsed {
    request: Request,
    dry_run: bool,
}

/// The options; `Ok(None)` for `--help`; `Err` is a usage error.
fn parse(args: Vec<OsString>) -> Result<Option<Parsed>, String> {
    let (mut session, mut pattern, mut region, mut dry_run) = (None, None, None, false);
    let (mut start_url, mut sso_region) = (None, None);
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let arg = arg
            .into_string()
            .map_err(|a| format!("argument {} is not valid UTF-8", a.to_string_lossy()))?;
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => {
                (name.to_owned(), Some(value.to_owned()))
            }
            _ => (arg, None),
        };
        let slot = match name.as_str() {
            "-h" | "--help" => return Ok(None),
            "--dry-run" if inline.is_none() => {
                dry_run = true;
                continue;
            }
            "--sso-session" => &mut session,
            "--pattern" => &mut pattern,
            "--region" => &mut region,
            "--start-url" => &mut start_url,
            "--sso-region" => &mut sso_region,
            _ => return Err(format!("unknown argument {name}")),
        };
        let value = match inline {
            Some(value) => value,
            None => args
                .next()
                .ok_or_else(|| format!("{name} needs a value"))?
                .into_string()
                .map_err(|_| format!("the value of {name} is not valid UTF-8"))?,
        };
        if value.is_empty() {
            return Err(format!("{name} needs a value"));
        }
        if slot.replace(value).is_some() {
            return Err(format!("{name} is given twice"));
        }
    }
    let sso_session = session.ok_or("--sso-session NAME is required")?;
    let new_session = match (start_url, sso_region) {
        (Some(url), Some(region)) => Some((url, region)),
        (None, None) => None,
        _ => return Err("--start-url and --sso-region go together".into()),
    };
    let pattern = Pattern::parse(pattern.as_deref().unwrap_or(Pattern::DEFAULT))?;
    Ok(Some(Parsed {
        request: Request {
            sso_session,
            pattern,
            region,
            new_session,
        },
        dry_run,
    }))
}

/// Replaces the config file atomically (temporary file, then rename) through the
/// library's seam, at the file a symbolic link points to (a link into a dotfiles
/// repository stays a link), keeping the file's permissions.
fn write(env: &OsEnvironment, path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    let permissions = std::fs::metadata(&target).ok().map(|m| m.permissions());
    env.write_file_atomic(&target, contents)?;
    // The seam writes 0600; a file that had other permissions gets them back.
    if let Some(permissions) = permissions {
        std::fs::set_permissions(&target, permissions)?;
    }
    Ok(())
}

fn summary(plan: &Plan) -> String {
    format!(
        "{}: {} profiles added, {} updated, {} unchanged",
        plan.config_file.display(),
        plan.added.len(),
        plan.updated.len(),
        plan.unchanged.len()
    )
}

fn fail(message: &str) -> ExitCode {
    eprintln!("codecommit-auth profiles: {message}");
    ExitCode::from(1)
}
