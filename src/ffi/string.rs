//! Strings handed to C: allocated here, freed (and zeroized) by `codecommit_string_free`.
//!
//! A signed URL is a credential (its password is valid for minutes, its username may
//! carry a session token), so every string this library returns is wiped before its
//! memory goes back to the allocator, whatever it holds. Each allocation records its own
//! size in a small header in front of the text, so freeing does not depend on the text:
//! a caller may overwrite bytes of a returned string (say with `strtok`) and still free
//! it, and all of it is zeroized.

use std::ffi::{c_char, c_int};
use std::mem::size_of;

use zeroize::Zeroize;

use super::error::{Fault, codecommit_auth_result};
use crate::sign::SignedUrl;

/// Bytes in front of the text: the size of the whole allocation.
const HEADER: usize = size_of::<usize>();

/// Copies `text` into a new NUL-terminated C string owned by the caller.
///
/// Interior NUL bytes (possible only in messages that quote a file) become `?`, so C
/// sees the whole text.
pub(crate) fn to_c_string(text: &str) -> *mut c_char {
    let total = HEADER + text.len() + 1;
    let mut buf = Vec::with_capacity(total);
    buf.extend_from_slice(&total.to_ne_bytes());
    buf.extend(text.bytes().map(|b| if b == 0 { b'?' } else { b }));
    buf.push(0);
    // Capacity equals length, so this does not reallocate (and leave a copy behind).
    let base = Box::into_raw(buf.into_boxed_slice()).cast::<u8>();
    // SAFETY: the allocation is HEADER + len + 1 bytes long.
    unsafe { base.add(HEADER) }.cast::<c_char>()
}

/// Frees a string returned by this library, after overwriting all of it with zeros.
///
/// `s` may be NULL (nothing happens). Otherwise it must be a string that a function of
/// this library returned through a `char **` output (`url_out`, `error_out`,
/// `explanation_out`) and that was not freed yet; its bytes may have been changed. After
/// the call `s` is invalid.
///
/// Thread-safe: any thread may free a string, but each string only once.
///
/// # Safety
///
/// `s` is NULL or a string from this library, not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn codecommit_string_free(s: *mut c_char) {
    ffi_panic_boundary!(or_default: {
        if s.is_null() {
            return;
        }
        // SAFETY: `s` came from to_c_string (the contract above), HEADER bytes after the
        // start of an allocation whose size the header holds.
        unsafe {
            let base = s.cast::<u8>().sub(HEADER);
            let total = usize::from_ne_bytes(base.cast::<[u8; HEADER]>().read_unaligned());
            let mut bytes = Box::from_raw(std::ptr::slice_from_raw_parts_mut(base, total));
            // The slice, not the box: zeroize wipes a `[u8]` with one memset behind its
            // barrier, a `Box<[u8]>` one volatile byte at a time (a fifth of a C call's
            // time for a URL with a session token).
            bytes[..].zeroize();
        }
    })
}

/// Something a call gives C as a string.
pub(crate) trait Text {
    /// The text to copy out.
    fn text(&self) -> &str;
}

impl Text for String {
    fn text(&self) -> &str {
        self
    }
}

impl Text for SignedUrl {
    fn text(&self) -> &str {
        self.as_str()
    }
}

/// A call's two `char **` outputs: the value and the error message.
///
/// Both are set to NULL on entry, then exactly one is filled: the value on success, the
/// message on failure. Either may be NULL, when the caller does not want it.
pub(crate) struct Slots {
    value: *mut *mut c_char,
    error: *mut *mut c_char,
}

impl Slots {
    /// Takes the outputs and sets them to NULL.
    ///
    /// # Safety
    ///
    /// Each pointer is NULL or writable until [`Slots::deliver`] returns.
    pub(crate) unsafe fn new(value: *mut *mut c_char, error: *mut *mut c_char) -> Slots {
        for slot in [value, error] {
            if !slot.is_null() {
                // SAFETY: writable, by the contract above.
                unsafe { *slot = std::ptr::null_mut() };
            }
        }
        Slots { value, error }
    }

    /// Writes the outcome of a call and returns its code.
    ///
    /// The value (a signed URL, say) is dropped here, after being copied: `SignedUrl`
    /// zeroizes its own copy.
    pub(crate) fn deliver<T: Text>(self, outcome: Result<Result<T, Fault>, Fault>) -> c_int {
        match outcome.and_then(|inner| inner) {
            Ok(value) => {
                if !self.value.is_null() {
                    // SAFETY: writable, by the contract of `new`.
                    unsafe { *self.value = to_c_string(value.text()) };
                }
                codecommit_auth_result::Ok.into()
            }
            Err(fault) => {
                if !self.error.is_null() {
                    // SAFETY: writable, by the contract of `new`.
                    unsafe { *self.error = to_c_string(fault.message()) };
                }
                fault.code().into()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;

    use super::*;

    #[test]
    fn strings_round_trip_and_free() {
        for text in ["", "https://a:b@c/v1/repos/d", "ünïcödé"] {
            let s = to_c_string(text);
            // SAFETY: just made, NUL-terminated.
            assert_eq!(unsafe { CStr::from_ptr(s) }.to_str().unwrap(), text);
            // SAFETY: ours, freed once.
            unsafe { codecommit_string_free(s) };
        }
    }

    #[test]
    fn interior_nul_bytes_do_not_cut_the_text() {
        let s = to_c_string("a\0b");
        // SAFETY: just made, NUL-terminated.
        assert_eq!(unsafe { CStr::from_ptr(s) }, c"a?b");
        // SAFETY: ours, freed once.
        unsafe { codecommit_string_free(s) };
    }

    #[test]
    fn a_string_the_caller_wrote_into_still_frees() {
        let s = to_c_string("user:password@host");
        // SAFETY: within the string; what strtok does.
        unsafe { *s.add(4) = 0 };
        // SAFETY: ours, freed once; the size comes from the header, not strlen.
        unsafe { codecommit_string_free(s) };
    }

    #[test]
    fn null_is_a_no_op() {
        // SAFETY: NULL is allowed.
        unsafe { codecommit_string_free(std::ptr::null_mut()) };
    }

    #[test]
    fn slots_hold_exactly_one_string() {
        let mut value: *mut c_char = std::ptr::dangling_mut();
        let mut error: *mut c_char = std::ptr::dangling_mut();
        // SAFETY: both are writable locals.
        let slots = unsafe { Slots::new(&mut value, &mut error) };
        let code = slots.deliver::<String>(Ok(Err(Fault::null("x"))));
        assert_eq!(code, codecommit_auth_result::NullParameter as c_int);
        assert!(value.is_null());
        // SAFETY: a message was written.
        assert_eq!(unsafe { CStr::from_ptr(error) }, c"x is NULL");
        // SAFETY: ours, freed once.
        unsafe { codecommit_string_free(error) };

        // SAFETY: both are writable locals.
        let slots = unsafe { Slots::new(&mut value, &mut error) };
        assert_eq!(slots.deliver(Ok(Ok(String::from("v")))), 0);
        assert!(error.is_null());
        // SAFETY: a value was written.
        assert_eq!(unsafe { CStr::from_ptr(value) }, c"v");
        // SAFETY: ours, freed once.
        unsafe { codecommit_string_free(value) };

        // Outputs the caller does not want.
        // SAFETY: NULL outputs are allowed.
        let slots = unsafe { Slots::new(std::ptr::null_mut(), std::ptr::null_mut()) };
        assert_eq!(slots.deliver::<String>(Ok(Err(Fault::null("x")))), 100);
    }
}
