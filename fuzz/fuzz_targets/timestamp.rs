//! Expiry timestamps, as every provider parses them (SSO token cache, CLI cache,
//! `credential_process`, STS, `AWS_CREDENTIAL_EXPIRATION`): no panic, and a parsed time
//! prints and parses back to the same second.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = codecommit_auth::__fuzz::timestamp(text);
    }
});
