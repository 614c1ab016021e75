//! Signed AWS CodeCommit Git URLs from the AWS credentials you already have.
#![deny(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]

pub mod config;
pub mod credentials;
pub mod endpoint;
pub mod env;
mod error;
pub mod remote;
mod resolver;
pub mod sign;

pub use endpoint::{GitHost, Region};
pub use error::{Error, ErrorKind};
pub use remote::{Remote, RepositoryName};
pub use resolver::{ProfileSource, RegionFrom, Resolution, Resolver};
pub use sign::{SignedUrl, SigningTime};
