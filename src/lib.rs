//! Signed AWS CodeCommit Git URLs from the AWS credentials you already have.
//!
//! `codecommit_auth` turns a `codecommit://` remote into the SigV4-signed HTTPS URL git
//! needs to reach AWS CodeCommit, starting from the same files and variables the AWS CLI
//! uses: `~/.aws/config` and `~/.aws/credentials` (or `AWS_CONFIG_FILE` and
//! `AWS_SHARED_CREDENTIALS_FILE`), the SSO token cache that `aws sso login` fills, and the
//! `AWS_*` variables. For the same inputs and signing time the URL is byte for byte the
//! one the Python `git-remote-codecommit` (on botocore) produces; where that tool fails,
//! this library fails with the same class of error and, where it has its own message,
//! the same text.
//!
//! # What it never does
//!
//! * It reads variables, files and the clock, talks to the network and runs processes
//!   only through one [`env::Environment`] value. [`env::OsEnvironment`] is the machine;
//!   [`env::MemoryEnvironment`] holds everything in memory for tests and embedders.
//! * It never puts a secret key, session token or SSO token in a `Debug` output, an
//!   error message or a log; [`SignedUrl`] has no `Display`, and secrets it owns are
//!   zeroized when dropped.
//! * It writes only the two caches the AWS CLI shares with it (`~/.aws/sso/cache` on
//!   token refresh, `~/.aws/cli/cache`), always atomically.
//!
//! # The flow
//!
//! ```text
//! "codecommit::eu-west-1://dev@ProjectAlpha"
//!       │  remote    parse + validate the remote (region?, profile?, repository)
//!       ▼
//!  Remote ──► config       load + parse shared config/credentials → profiles, sso-sessions
//!       │        │
//!       │        ▼
//!       │   credentials    provider chain for the profile → Credentials (+ expiry)
//!       │        │           env · static · credential_process · SSO · assume-role · caches
//!       ▼        ▼
//!    endpoint  region + partition (+ FIPS / override) → git host
//!       │
//!       ▼
//!     sign     SigV4 "GIT" request → username / password → SignedUrl
//! ```
//!
//! [`Resolver`] runs these steps in the order git-remote-codecommit runs them, so the
//! same error wins when several things are wrong at once.
//!
//! A front end that holds the parts of a request rather than a remote (a credential
//! helper: the region from git's host, the repository from git's path) builds a
//! [`Request`]. [`Resolver::locate`] runs every step before the credentials and says why
//! each answer is what it is ([`Location`]); [`Resolver::credentials`] continues from
//! there, which is how `git-remote-codecommit --doctor` shows the profile, region and
//! host even when credentials are missing.
//!
//! # Example
//!
//! ```
//! use codecommit_auth::{ErrorKind, Resolver, SigningTime};
//! use codecommit_auth::env::MemoryEnvironment;
//!
//! let env = MemoryEnvironment::new()
//!     .with_var("HOME", "/home/dev")
//!     .with_file("/home/dev/.aws/config", "[profile dev]\nregion = eu-west-1\n")
//!     .with_file(
//!         "/home/dev/.aws/credentials",
//!         "[dev]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n\
//!          aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
//!     );
//! let resolver = Resolver::with_environment(env);
//!
//! let url = resolver.signed_url_at("codecommit://dev@ProjectAlpha", SigningTime::from_unix(1_717_243_200)?)?;
//! assert!(url.as_str().starts_with("https://AKIAIOSFODNN7EXAMPLE:20240601T120000Z"));
//! assert_eq!(url.host(), "git-codecommit.eu-west-1.amazonaws.com");
//! assert_eq!(url.path(), "/v1/repos/ProjectAlpha");
//!
//! let err = resolver.signed_url("codecommit://nobody@ProjectAlpha").unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::ProfileNotFound);
//! assert!(err.to_string().contains("Available profiles are: dev."));
//! # Ok::<(), codecommit_auth::Error>(())
//! ```
//!
//! # Crate features
//!
//! * `https` (default): a blocking HTTPS client ([`env::HttpsClient`]: ureq and rustls,
//!   the system's trust store or the CA bundle of `AWS_CA_BUNDLE` / a profile's
//!   `ca_bundle`, `HTTPS_PROXY`/`NO_PROXY`) for the SSO portal, SSO OIDC,
//!   STS and the container and instance metadata endpoints. Without it, [`env::OsEnvironment`] cannot make network calls; static keys,
//!   `credential_process` and fresh cached credentials still work, and an embedder can
//!   supply its own [`env::HttpClient`] through an [`env::Environment`].
//! * `capi`: changes nothing; cargo-c (`cargo cinstall`) turns it on. The C ABI
//!   (`include/codecommit_auth.h`) is always built.
//! * `fuzzing`: hooks for the fuzz targets in the repository's `fuzz/`; not part of the
//!   API and not covered by semver.

#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]

#[cfg(feature = "fuzzing")]
#[doc(hidden)]
#[path = "fuzz_hooks.rs"]
pub mod __fuzz;
pub mod config;
pub mod credentials;
pub mod endpoint;
pub mod env;
mod error;
/// The C ABI (`include/codecommit_auth.h`), for C and C++ programs; Rust code uses the
/// safe API. The only module allowed `unsafe` (but for the Windows console's echo in
/// `env/terminal.rs`). Public so the symbols are exported and
/// the C tests reach them, hidden from the Rust docs: it is no Rust API.
#[allow(unsafe_code)]
#[doc(hidden)]
pub mod ffi;
#[doc(hidden)]
pub mod online;
pub mod remote;
mod resolver;
pub mod sign;

pub use config::ProfileSource;
pub use endpoint::{GitHost, GitHostParts, Region};
pub use error::{Error, ErrorKind, MAX_SHOWN, shown};
pub use remote::{Remote, RepositoryName};
pub use resolver::{Location, RegionFrom, Request, Resolution, Resolver};
pub use sign::{SignedUrl, SigningTime};

// A `Resolver` is shared between threads (the C ABI's resolver is used from many at
// once); this fails to compile if a field ever stops it.
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<Resolver>();
    send_sync::<Resolver<env::MemoryEnvironment>>();
    send_sync::<Resolution>();
    send_sync::<Location>();
    send_sync::<Request>();
};
