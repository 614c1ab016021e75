//! The panic boundary: no Rust panic ever unwinds into C.
//!
//! Since Rust 1.81 a panic that reaches an `extern "C"` function's edge aborts the whole
//! host process. Every exported function therefore runs its body inside
//! [`ffi_panic_boundary!`], which catches the panic and turns it into
//! `CODECOMMIT_AUTH_RESULT_PANIC` (with a message through `error_out` where the function
//! has one), or into NULL/nothing for the few functions without a result code. This
//! needs `panic = "unwind"`, which `Cargo.toml` keeps for release builds.
//!
//! Unwind safety: a panic can only leave a `codecommit_resolver` behind in a
//! half-updated state, and the resolver's only mutable state (the parsed files) sits in a
//! mutex whose poisoning it ignores: at worst the files are read again. So every body
//! is run under `AssertUnwindSafe`.

use std::any::Any;
use std::ffi::c_int;
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::error::{Fault, codecommit_auth_result};

/// Wraps the body of an exported function in the panic boundary.
///
/// Three forms, by what the function returns:
///
/// * `ffi_panic_boundary!(value_out: V, error_out: E, { body })` — the body evaluates to
///   `Result<T, Fault>` (`?` works on [`Error`](crate::Error) and [`Fault`]); `V` and `E`
///   are `char **` outputs, both set to NULL first, then one filled (see
///   [`Slots`](super::string::Slots)); the function returns the result code.
/// * `ffi_panic_boundary!(code: { body })` — the body evaluates to `Result<(), Fault>`;
///   the function returns the result code.
/// * `ffi_panic_boundary!(or_default: { body })` — the body evaluates to the return
///   value; a panic returns [`PanicDefault::panic_default`] (NULL, nothing).
macro_rules! ffi_panic_boundary {
    (value_out: $value:expr, error_out: $error:expr, $body:block) => {{
        // SAFETY: the caller passes `char **` outputs that are NULL or writable.
        let slots = unsafe { $crate::ffi::string::Slots::new($value, $error) };
        slots.deliver($crate::ffi::panic::catch(
            || -> ::std::result::Result<_, $crate::ffi::error::Fault> { $body },
        ))
    }};
    (code: $body:block) => {{
        $crate::ffi::panic::code_of($crate::ffi::panic::catch(
            || -> ::std::result::Result<(), $crate::ffi::error::Fault> { $body },
        ))
    }};
    (or_default: $body:block) => {{
        $crate::ffi::panic::catch(|| $body)
            .unwrap_or_else(|_| $crate::ffi::panic::PanicDefault::panic_default())
    }};
}

/// Runs `body`, returning a caught panic as a [`Fault`] with code `PANIC`.
pub(crate) fn catch<R>(body: impl FnOnce() -> R) -> Result<R, Fault> {
    catch_unwind(AssertUnwindSafe(body)).map_err(|payload| Fault::panic(panic_message(&*payload)))
}

/// The result code of a body that has no other output.
pub(crate) fn code_of(outcome: Result<Result<(), Fault>, Fault>) -> c_int {
    match outcome.and_then(|inner| inner) {
        Ok(()) => codecommit_auth_result::Ok.into(),
        Err(fault) => fault.code().into(),
    }
}

/// The text a panic was raised with, when it is text.
fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "(no message)"
    }
}

/// What a function without a result code returns when its body panicked.
pub(crate) trait PanicDefault {
    /// NULL for pointers, nothing for `void`.
    fn panic_default() -> Self;
}

impl PanicDefault for () {
    fn panic_default() -> Self {}
}

impl<T> PanicDefault for *const T {
    fn panic_default() -> Self {
        std::ptr::null()
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::{CStr, c_char};
    use std::ptr;

    use super::*;
    use crate::ffi::codecommit_string_free;

    // The boundary itself, independent of whichever library code panics today: a body
    // that panics must come back as the PANIC code, never unwind.

    #[test]
    fn value_form_turns_a_panic_into_the_code_and_a_message() {
        let mut value: *mut c_char = ptr::dangling_mut();
        let mut error: *mut c_char = ptr::dangling_mut();
        let code: c_int = ffi_panic_boundary!(value_out: &mut value, error_out: &mut error, {
            if std::hint::black_box(true) {
                panic!("boom {}", 42);
            }
            Ok(String::new())
        });
        assert_eq!(code, codecommit_auth_result::Panic as c_int);
        assert!(value.is_null(), "the value output is NULL on failure");
        assert!(!error.is_null());
        // SAFETY: the boundary wrote an owned string.
        let message = unsafe { CStr::from_ptr(error) }
            .to_str()
            .unwrap()
            .to_owned();
        assert!(message.contains("boom 42"), "{message}");
        assert!(message.contains("panic"), "{message}");
        // SAFETY: owned by us, freed once.
        unsafe { codecommit_string_free(error) };
    }

    #[test]
    fn code_form_turns_a_panic_into_the_code() {
        let code: c_int = ffi_panic_boundary!(code: {
            let v: Vec<u8> = Vec::new();
            let _ = v[usize::from(v.is_empty())]; // index out of bounds
            Ok(())
        });
        assert_eq!(code, codecommit_auth_result::Panic as c_int);
        let code: c_int = ffi_panic_boundary!(code: { Ok(()) });
        assert_eq!(code, 0);
    }

    #[test]
    fn default_form_turns_a_panic_into_null() {
        let p: *const u8 = ffi_panic_boundary!(or_default: {
            if std::hint::black_box(true) {
                panic!("boom");
            }
            b"x".as_ptr()
        });
        assert!(p.is_null());
        let p: *const u8 = ffi_panic_boundary!(or_default: { b"x".as_ptr() });
        assert!(!p.is_null());
    }

    #[test]
    fn non_text_payloads_still_give_a_message() {
        let fault = catch(|| std::panic::panic_any(7_u32)).unwrap_err();
        assert_eq!(fault.code(), codecommit_auth_result::Panic);
        assert!(
            fault.message().contains("(no message)"),
            "{}",
            fault.message()
        );
    }
}
