//! End to end with the real `git`: `git clone codecommit://…` through our
//! `git-remote-codecommit`, and plain HTTPS remotes through `git-credential-codecommit`,
//! against a local HTTPS server that checks every signature as CodeCommit does and
//! serves the repositories with `git http-backend` (`tests/support/git_server.rs`).
//!
//! Each test builds its own world (`harness::World`): a temporary `HOME` with its own
//! `.gitconfig`, AWS config and credentials files, the server on 127.0.0.1, and for
//! SSO a local SSO portal, for MFA roles a local STS (and a tmux pane as the terminal).
//! git runs with a cleared environment (`GIT_CONFIG_NOSYSTEM`,
//! no prompts, the server's CA in `GIT_SSL_CAINFO`), and finds our binaries on `PATH`
//! as it would after `cargo install --path .`. Nothing leaves 127.0.0.1. A machine
//! without git skips these tests with a loud message.

// Tests read their own data and fixtures straight from disk, run git and our binaries,
// and keep their own clocks; the seam rule is for the library.
#![allow(clippy::disallowed_methods)]

mod support;

#[path = "support/git_server.rs"]
mod git_server;

#[path = "git_e2e/harness.rs"]
mod harness;

#[path = "git_e2e/aws_login.rs"]
mod aws_login;
#[path = "git_e2e/cli.rs"]
mod cli;
#[path = "git_e2e/credential_helper.rs"]
mod credential_helper;
#[path = "git_e2e/doctor.rs"]
mod doctor;
#[path = "git_e2e/doctor_online.rs"]
mod doctor_online;
#[path = "git_e2e/login.rs"]
mod login;
#[path = "git_e2e/mfa.rs"]
mod mfa;
#[path = "git_e2e/profiles.rs"]
mod profiles;
#[path = "git_e2e/remote_helper.rs"]
mod remote_helper;
