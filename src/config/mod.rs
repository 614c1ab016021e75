//! The shared config and credentials files: where they are, the grammar botocore reads
//! them with, and the merged view of a profile.
//!
//! | owns | must not |
//! |---|---|
//! | file locations, the profile-file grammar, merged [`Profile`] views | resolve credentials |
//!
//! Everything here is botocore 1.44.8 (`botocore.configloader`, `Session.full_config`)
//! on CPython 3.11's `configparser`, reproduced rule for rule, because git-remote-codecommit
//! sees profiles exactly as botocore parses them: a file botocore rejects must fail here,
//! and a value botocore keeps verbatim (an inline `# comment`, say) must be kept. Where
//! that departs from the cross-SDK profile grammar the code says `BOTOCORE:` and names
//! the section of `reference/behavior.md`; `tests/conformance/profile_parser.rs` lists
//! every suite case where the two answers differ and checks botocore's.
//!
//! The parsing is sans-IO: [`SharedConfig::from_sources`] takes bytes, and only
//! [`SharedConfig::load`] touches the [`Environment`](crate::env::Environment) (to read
//! variables and the two files).
//!
//! # Example
//!
//! ```
//! use codecommit_auth::config::{SharedConfig, profile_from_env};
//! use codecommit_auth::env::MemoryEnvironment;
//!
//! let env = MemoryEnvironment::new()
//!     .with_var("HOME", "/home/dev")
//!     .with_var("AWS_PROFILE", "dev")
//!     .with_file("/home/dev/.aws/config", "[profile dev]\nregion = eu-west-1\n");
//! let shared = SharedConfig::load(&env)?;
//! let (name, _) = profile_from_env(&env);
//! let profile = shared.profile(&name).expect("profile dev");
//! assert_eq!(profile.get("region"), Some("eu-west-1"));
//! # Ok::<(), codecommit_auth::Error>(())
//! ```

mod location;
mod parser;
mod properties;
mod sections;
mod shared;
mod text;

#[cfg(test)]
mod tests;

pub(crate) use location::expand_user;
pub use location::{
    FileLocations, ProfileNameSource, default_path, expand_path, home_dir, locate, profile_from_env,
};
pub use properties::Properties;
pub(crate) use shared::parse_sections;
pub use shared::{MAX_FILE_SIZE, Profile, SharedConfig};
pub(crate) use text::{lines, py_strip};
