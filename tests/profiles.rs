//! `codecommit-auth profiles` (issue 15): the binary against an SSO portal stand-in on
//! 127.0.0.1 (`ListAccounts` and `ListAccountRoles`, several pages each), with real
//! files in a temporary home, and botocore — the reference, from the oracle venv —
//! reading the config file it wrote (`profiles/botocore.rs`). The end-to-end clone
//! through a written profile is in `tests/git_e2e/profiles.rs`.

// Tests read and write their own fixtures and run the binary; the seam rule is for the
// library.
#![allow(clippy::disallowed_methods)]

mod support;

#[path = "profiles/world.rs"]
mod world;

#[path = "profiles/botocore.rs"]
mod botocore;
#[path = "profiles/cli.rs"]
mod cli;
