//! Helpers shared by the integration test binaries.
#![allow(dead_code)] // each test binary uses a different subset

pub mod conformance;

/// Decodes standard base64 (with or without padding); panics on bad input, which in a
/// test means broken test data.
pub fn base64_decode(text: &str) -> Vec<u8> {
    fn value(c: u8) -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c:?}"),
        }
    }
    let digits: Vec<u8> = text
        .bytes()
        .filter(|b| !b.is_ascii_whitespace() && *b != b'=')
        .collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= value(c) << (18 - 6 * i);
        }
        let bytes = acc.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}

pub mod disk;
pub mod http1;
pub mod loopback;
pub mod oracle;
pub mod provider_data;
pub mod replay;
pub mod server;
pub mod signin;
pub mod sso;
pub mod sts;
pub mod venv;
