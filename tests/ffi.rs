//! The C ABI called from Rust, as a C program would call it: every function, every
//! result code, every misuse (NULL, invalid UTF-8, empty and absurdly long strings,
//! unwanted outputs), and 8 threads at once.
//!
//! Calls that read the process environment run in a child process of this binary with
//! exactly the environment they need (see `support::in_child`) and the fixture HOME
//! `tests/c/fixture/home`; the others run here. `ffi/scenarios.rs` holds one scenario per
//! result code of the library, shared with `tests/c_programs.rs`.

// Tests read fixtures and spawn processes directly; the Environment seam is the
// library's, not theirs.
#![allow(clippy::disallowed_methods)]

#[path = "ffi/callback.rs"]
mod callback;
#[path = "ffi/resolver.rs"]
mod resolver;
#[path = "ffi/scenarios.rs"]
mod scenarios;
#[path = "ffi/sign.rs"]
mod sign;
#[path = "ffi/support.rs"]
mod support;
#[path = "ffi/threads.rs"]
mod threads;
