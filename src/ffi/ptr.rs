//! Pointer and string checks, and the ownership of handles.
//!
//! Every argument a C caller passes goes through one of the `try_*!` macros at the top of
//! the function, before any work: a NULL where a value is required gives
//! `NULL_PARAMETER`, bytes that are not UTF-8 give `INVALID_UTF8`, and an empty string or
//! one longer than [`CODECOMMIT_MAX_INPUT_LEN`] gives `INVALID_ARGUMENT`, each with a
//! message naming the parameter. The macros use `?`, so they only work inside the body
//! of [`ffi_panic_boundary!`].
//!
//! Handles (`codecommit_resolver`) are [`Castable`]: the C type names the Rust type
//! behind it, so a pointer is only ever turned back into the type it was made from.

use std::ffi::c_char;

use super::CODECOMMIT_MAX_INPUT_LEN;
use super::error::Fault;

/// A C type that stands for a Rust value behind a pointer.
pub(crate) trait Castable {
    /// The Rust value the C pointer points at.
    type RustType;
}

/// Moves `value` to the heap and gives C a pointer to it; [`free_boxed`] takes it back.
pub(crate) fn to_boxed_ptr<C: Castable>(value: C::RustType) -> *const C {
    Box::into_raw(Box::new(value)).cast::<C>().cast_const()
}

/// Drops a value made by [`to_boxed_ptr`]. NULL is a no-op.
///
/// # Safety
///
/// `ptr` is NULL or came from [`to_boxed_ptr`] for the same `C` and was not freed yet;
/// no other thread uses it.
pub(crate) unsafe fn free_boxed<C: Castable>(ptr: *const C) {
    if !ptr.is_null() {
        // SAFETY: by the contract above it is our Box, handed out once.
        drop(unsafe { Box::from_raw(ptr.cast_mut().cast::<C::RustType>()) });
    }
}

/// Borrows the value behind a handle.
///
/// # Safety
///
/// `ptr` is NULL or came from [`to_boxed_ptr`] for the same `C` and is not freed during
/// `'a`.
pub(crate) unsafe fn ref_arg<'a, C: Castable>(
    ptr: *const C,
    name: &'static str,
) -> Result<&'a C::RustType, Fault> {
    // SAFETY: by the contract above.
    unsafe { ptr.cast::<C::RustType>().as_ref() }.ok_or_else(|| Fault::null(name))
}

/// Borrows the value behind a handle mutably.
///
/// # Safety
///
/// `ptr` is NULL or points at a live `C::RustType` that nothing else uses during `'a`.
pub(crate) unsafe fn mut_arg<'a, C: Castable>(
    ptr: *mut C,
    name: &'static str,
) -> Result<&'a mut C::RustType, Fault> {
    // SAFETY: by the contract above.
    unsafe { ptr.cast::<C::RustType>().as_mut() }.ok_or_else(|| Fault::null(name))
}

/// Checks an output parameter for a handle and sets it to NULL, so it is NULL on every
/// failure that follows.
///
/// # Safety
///
/// `ptr` is NULL or writable for `'a`.
pub(crate) unsafe fn out_arg<'a, T>(
    ptr: *mut *const T,
    name: &'static str,
) -> Result<&'a mut *const T, Fault> {
    // SAFETY: by the contract above.
    let out = unsafe { ptr.as_mut() }.ok_or_else(|| Fault::null(name))?;
    *out = std::ptr::null();
    Ok(out)
}

/// A required string argument: not NULL, NUL-terminated within
/// `CODECOMMIT_MAX_INPUT_LEN + 1` bytes, not empty, UTF-8.
///
/// # Safety
///
/// `ptr` is NULL or points at bytes that are readable up to a NUL or for
/// `CODECOMMIT_MAX_INPUT_LEN + 1` bytes, whichever comes first, and unchanged during `'a`.
pub(crate) unsafe fn str_arg<'a>(ptr: *const c_char, name: &'static str) -> Result<&'a str, Fault> {
    // SAFETY: by the contract above.
    unsafe { opt_str_arg(ptr, name) }?.ok_or_else(|| Fault::null(name))
}

/// An optional string argument: NULL means absent; anything else as [`str_arg`].
///
/// # Safety
///
/// As [`str_arg`].
pub(crate) unsafe fn opt_str_arg<'a>(
    ptr: *const c_char,
    name: &'static str,
) -> Result<Option<&'a str>, Fault> {
    if ptr.is_null() {
        return Ok(None);
    }
    let bytes = ptr.cast::<u8>();
    // Look for the NUL in at most MAX + 1 bytes: never strlen() an absurd input.
    let mut len = 0;
    // SAFETY: each byte read is before the first NUL or within MAX + 1 bytes (contract).
    while len <= CODECOMMIT_MAX_INPUT_LEN && unsafe { *bytes.add(len) } != 0 {
        len += 1;
    }
    if len > CODECOMMIT_MAX_INPUT_LEN {
        return Err(Fault::too_long(name));
    }
    if len == 0 {
        return Err(Fault::empty(name));
    }
    // SAFETY: the `len` bytes before the NUL were just read; they live for 'a (contract).
    let bytes = unsafe { std::slice::from_raw_parts(bytes, len) };
    std::str::from_utf8(bytes)
        .map(Some)
        .map_err(|e| Fault::utf8(name, e.valid_up_to()))
}

/// `let s: &str = try_str!(param);` — a required string argument (see [`str_arg`]).
macro_rules! try_str {
    ($name:ident) => {{
        let ptr = $name;
        // SAFETY: the exported function's contract: NULL or a NUL-terminated string.
        unsafe { $crate::ffi::ptr::str_arg(ptr, stringify!($name)) }?
    }};
}

/// `let s: Option<&str> = try_opt_str!(param);` — NULL means absent (see [`opt_str_arg`]).
macro_rules! try_opt_str {
    ($name:ident) => {{
        let ptr = $name;
        // SAFETY: the exported function's contract: NULL or a NUL-terminated string.
        unsafe { $crate::ffi::ptr::opt_str_arg(ptr, stringify!($name)) }?
    }};
}

/// `let r = try_ref!(handle);` — borrows the Rust value behind a `const` handle.
macro_rules! try_ref {
    ($name:ident) => {{
        let ptr = $name;
        // SAFETY: the exported function's contract: NULL or a live handle.
        unsafe { $crate::ffi::ptr::ref_arg(ptr, stringify!($name)) }?
    }};
}

/// `let r = try_mut!(handle);` — borrows the Rust value behind a mutable handle.
macro_rules! try_mut {
    ($name:ident) => {{
        let ptr = $name;
        // SAFETY: the exported function's contract: NULL or a live handle.
        unsafe { $crate::ffi::ptr::mut_arg(ptr, stringify!($name)) }?
    }};
}

/// `let out = try_out!(handle_out);` — a handle output, set to NULL until success.
macro_rules! try_out {
    ($name:ident) => {{
        let ptr = $name;
        // SAFETY: the exported function's contract: NULL or writable.
        unsafe { $crate::ffi::ptr::out_arg(ptr, stringify!($name)) }?
    }};
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::codecommit_auth_result as R;

    fn check(bytes: &[u8]) -> Result<Option<&str>, R> {
        // SAFETY: every test input is NUL-terminated or longer than MAX + 1.
        unsafe { opt_str_arg(bytes.as_ptr().cast(), "arg") }.map_err(|f| f.code())
    }

    #[test]
    fn strings_are_checked_before_use() {
        assert_eq!(check(b"abc\0"), Ok(Some("abc")));
        assert_eq!(check(b"\0"), Err(R::InvalidArgument));
        assert_eq!(check(b"a\xffb\0"), Err(R::InvalidUtf8));
        // SAFETY: NULL is allowed.
        assert_eq!(
            unsafe { opt_str_arg(std::ptr::null(), "arg") }.ok(),
            Some(None)
        );
        // SAFETY: NULL is allowed.
        let required = unsafe { str_arg(std::ptr::null(), "arg") };
        assert_eq!(required.map_err(|f| f.code()), Err(R::NullParameter));
    }

    #[test]
    fn the_length_limit_is_exact_and_never_reads_past_it() {
        let mut at_limit = vec![b'a'; CODECOMMIT_MAX_INPUT_LEN];
        at_limit.push(0);
        assert_eq!(
            check(&at_limit).map(|s| s.map(str::len)),
            Ok(Some(CODECOMMIT_MAX_INPUT_LEN))
        );
        // Exactly MAX + 1 bytes and no NUL: the scan must stop inside the buffer.
        let over = vec![b'a'; CODECOMMIT_MAX_INPUT_LEN + 1];
        assert_eq!(check(&over), Err(R::InvalidArgument));
    }

    #[test]
    fn messages_name_the_parameter() {
        // SAFETY: NUL-terminated.
        let fault = unsafe { opt_str_arg(c"\xc3".as_ptr(), "region") }.unwrap_err();
        assert_eq!(
            fault.message(),
            "region is not valid UTF-8 (invalid byte at offset 0)"
        );
        // SAFETY: NULL.
        let fault = unsafe { str_arg(std::ptr::null(), "remote") }.unwrap_err();
        assert_eq!(fault.message(), "remote is NULL");
    }
}
