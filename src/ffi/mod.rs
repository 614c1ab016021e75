//! The C ABI: `libcodecommit_auth.{so,a}` and `include/codecommit_auth.h`.
//!
//! | owns | must not |
//! |---|---|
//! | the C ABI: the only module with `unsafe` and `extern "C"` | contain logic |
//!
//! Every item here exists for C callers; the header is generated from these
//! declarations and their docs by cbindgen (`build.rs`, `cbindgen.toml`), so the docs are
//! written for a C reader and use C names. Rust code should use the safe API instead.
//!
//! # Layout
//!
//! The surface, one file per C "class" (as rustls-ffi):
//!
//! * `sign.rs` — `codecommit_sign_url`, signing from explicit credentials;
//! * `resolver.rs` — `codecommit_signed_url` and the `codecommit_resolver` handle;
//! * `credentials.rs` — the credentials callback and `codecommit_credentials`;
//! * `mfa.rs` — the MFA callback;
//! * `string.rs` — the strings handed to C and `codecommit_string_free`;
//! * `error.rs` — the `codecommit_auth_result` codes and `codecommit_error_name`;
//! * `version.rs` — `codecommit_version`.
//!
//! The plumbing: `panic.rs` (the panic boundary every function sits in) and `ptr.rs`
//! (pointer and string checks, ownership of handles).
//!
//! # Shape of every function
//!
//! 1. `ffi_panic_boundary!` around the whole body: no panic crosses into C;
//! 2. `try_str!`, `try_opt_str!`, `try_ref!`, `try_mut!`, `try_out!` check every pointer
//!    and string (NULL, UTF-8, empty, length) before any work;
//! 3. one call into the safe library;
//! 4. its [`Error`](crate::Error) mapped to a code, its Display text as the message;
//! 5. outputs written: the value on success, the message on failure, NULL in the other.
#![allow(non_camel_case_types)] // C names: codecommit_resolver, codecommit_auth_result

#[macro_use]
mod panic;
#[macro_use]
mod ptr;

// The order of these lines is the order of the header (cbindgen.toml: sort_by = "None"):
// the one-call functions first, then the resolver, then the helpers.
mod sign;

mod resolver;

mod credentials;

mod mfa;

mod string;

mod error;

mod version;

pub use credentials::{codecommit_credentials, codecommit_credentials_callback};
pub use error::{codecommit_auth_result, codecommit_error_name};
pub use mfa::{CODECOMMIT_MFA_CODE_SIZE, codecommit_mfa_callback};
pub use resolver::{codecommit_resolver, codecommit_signed_url};
pub use sign::codecommit_sign_url;
pub use string::codecommit_string_free;
pub use version::codecommit_version;

/// The longest input string accepted, in bytes, not counting the terminating NUL.
///
/// A longer string is refused with `CODECOMMIT_AUTH_RESULT_INVALID_ARGUMENT` after
/// reading at most `CODECOMMIT_MAX_INPUT_LEN + 1` bytes of it, so an unterminated or
/// absurdly long input is never scanned to its end. Every real input (a remote, a key, a
/// session token, a host) is far shorter.
pub const CODECOMMIT_MAX_INPUT_LEN: usize = 65536;

/// Pass as `unix_seconds` to sign at the current time of the system clock.
///
/// Any other value is a time in seconds since 1970-01-01T00:00:00Z, which must lie
/// between 0 and 253402300799 (9999-12-31T23:59:59Z); CodeCommit accepts a signature
/// for about 15 minutes, so a fixed time is for tests and reproducible output.
pub const CODECOMMIT_SIGNING_TIME_NOW: i64 = i64::MIN;
