//! Every oracle replay, one module per stage: each replays the cases the Python
//! reference (botocore 1.44.8, git-remote-codecommit 1.17) answered, from
//! `tests/data/oracle/*.json` (written by `tests/oracle/*.py`), and prints its tally —
//! how many cases agree, and how many differ for each named deliberate difference.
//!
//! | module | stage | data |
//! |---|---|---|
//! | `pipeline` | remote, files, profile, region, host, static credentials, URL | `pipeline.json` |
//! | `sso` | SSO profiles against a 127.0.0.1 portal and OIDC | `sso.json` |
//! | `roles` | role chains against a 127.0.0.1 STS | `roles.json` |
//! | `config_parse` | the shared-file parser | `config_parse.json` |

// Tests read their own data and fixtures straight from disk; the seam rule is for the library.
#![allow(clippy::disallowed_methods)]

mod support;

#[path = "oracle_replay/config_parse.rs"]
mod config_parse;
#[path = "oracle_replay/pipeline.rs"]
mod pipeline;
#[path = "oracle_replay/roles.rs"]
mod roles;
#[path = "oracle_replay/sso.rs"]
mod sso;
