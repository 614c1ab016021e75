//! What more than one bench needs.

/// A realistic STS session token: 1,000 characters of base64 (`/`, `+` and `=`
/// included), what SSO and role credentials carry.
pub fn long_token() -> String {
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut x: u32 = 0x9e37_79b9;
    let mut token: String = (0..998)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            B64[(x % 64) as usize] as char
        })
        .collect();
    token.push_str("==");
    token
}
