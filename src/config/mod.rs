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
//! # Why a dedicated parser and not the `ini` crate
//!
//! DESIGN.md asks for `ini` (rust-ini) where it can carry the grammar. It cannot, and
//! measuring says by how much. `tests/config/rust_ini_probe.rs` puts rust-ini 0.21.3
//! (options `enabled_quote = false, enabled_escape = false,
//! enabled_indented_mutiline_value = true`) under the thinnest mapping layer each target
//! allows and counts, asserting the counts so this table cannot drift:
//!
//! | | cross-SDK suite (65) | botocore on the suite (65) | botocore oracle (199) |
//! |---|---|---|---|
//! | rust-ini + layer, default features | 48 | 49 | 127 |
//! | rust-ini + layer, feature `inline-comment`¹ | 52 | 49 | 126 |
//! | this parser | 45, the other 20 listed as botocore divergences | 65 | 199 |
//!
//! ¹ Measured with the same probe in a scratch crate, since enabling the feature here
//! would change the dev-dependency for every test.
//!
//! What no layer can recover, because rust-ini has already decided or discarded it:
//! a `# comment` after a header is a hard error without `inline-comment`, and with it
//! comments are also cut from values and continuation lines, where botocore keeps them;
//! an indented line before any key is accepted silently; a nested `key =` value loses
//! its leading newline, so it cannot be told from `key = a = b`; section names are
//! trimmed (a credentials-file `[ foo ]` is the profile ` foo ` to botocore); any
//! indented line continues a value, so `  k = 1` then `  j = 2` is one key, where
//! botocore compares indentation depth and sees two; a comment line between
//! continuation lines is an error, where botocore skips it; U+001C..U+001F are not
//! whitespace to it; `[DEFAULT]` is just a section. A layer that re-reads lines to fix
//! these is a parser of its own, so the grammar lives in `parser.rs` (about 300 lines),
//! checked against both suites, botocore's fixtures and the oracle.
//!
//! It is also faster. Medians from `benches/config.rs` (criterion, release build, a
//! shared 2-core machine, so read the ratio rather than the absolute numbers); the
//! rust-ini column is its parser alone, without any layer or merge:
//!
//! | fixture | this parser | rust-ini |
//! |---|---|---|
//! | `config/parse/small` (a real-world config + credentials pair) | 7.6 µs | 18.4 µs |
//! | `config/parse/1000-profiles` (≈150 KiB) | 1.58 ms | 3.75 ms |
//!
//! (callgrind, 1,000 profiles: 18.0 M instructions per parse including the drop, against
//! rust-ini's 33.0 M.)
//!
//! # Where this is not botocore
//!
//! - Files are decoded as UTF-8 on every platform; botocore uses the locale's encoding,
//!   which on Windows is usually cp1252.
//! - Files over [`MAX_FILE_SIZE`] are a [`ConfigRead`](crate::ErrorKind::ConfigRead)
//!   error; botocore has no limit.
//! - Parse errors add the line and what to fix to botocore's `Unable to parse config
//!   file: PATH`.
//! - `~user` (another account's home) is not expanded; see [`expand_path`].
//! - On Windows the default paths are joined with `\`; botocore writes
//!   `C:\Users\me/.aws/config`. Both name the same file.
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

pub(crate) mod editor;
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
    FileLocations, ProfileNameSource, ProfileSource, default_path, expand_path, home_dir, locate,
    profile_from_env,
};
pub use properties::Properties;
#[cfg(feature = "fuzzing")]
pub(crate) use sections::shlex_split;
pub(crate) use shared::parse_sections;
pub use shared::{MAX_FILE_SIZE, Profile, SharedConfig};
pub(crate) use text::{lines, py_strip};
