//! Signed AWS CodeCommit Git URLs from the AWS credentials you already have.
#![deny(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]

pub mod config;
pub mod env;
mod error;

pub use error::{Error, ErrorKind};
