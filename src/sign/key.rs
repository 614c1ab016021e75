//! The SigV4 signing key and its cache.

use std::fmt;
use std::sync::{Arc, Mutex};

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

pub(crate) type HmacSha256 = Hmac<Sha256>;

/// A derived SigV4 signing key (`kSigning`), held as a ready-keyed HMAC state.
///
/// Deriving it takes four HMAC computations over the secret, the date, the region and
/// the service. Keeping the keyed state (the inner and outer pads already hashed) means
/// a signature then costs only the string-to-sign's own hashing. The state is zeroized
/// when dropped.
#[derive(Clone)]
pub struct SigningKey {
    mac: HmacSha256,
}

impl SigningKey {
    /// Derives the key for `secret` on `date` (`YYYYMMDD`) in `region` for `service`.
    ///
    /// ```
    /// use codecommit_auth::sign::SigningKey;
    ///
    /// // The published git-remote-codecommit vector (reference/behavior.md §1.12).
    /// let key = SigningKey::derive("secret", "20171224", "us-west-2", "codecommit");
    /// let string_to_sign = "AWS4-HMAC-SHA256\n20171224T115320\n\
    ///     20171224/us-west-2/codecommit/aws4_request\n\
    ///     298a3d18fae21d0bc76a2c741f479faa2c874420a05f054ebe7a2c4f84d9c765";
    /// assert_eq!(
    ///     hex::encode(key.sign(string_to_sign.as_bytes())),
    ///     "b6df2d758a8023b2f000a546417007b65494f3ce8ad0300fd45fcfa173f1959a"
    /// );
    /// ```
    pub fn derive(secret: &str, date: &str, region: &str, service: &str) -> SigningKey {
        let mut seed = Zeroizing::new(Vec::with_capacity(4 + secret.len()));
        seed.extend_from_slice(b"AWS4");
        seed.extend_from_slice(secret.as_bytes());
        let k_date = Zeroizing::new(hmac(&seed, date.as_bytes()));
        let k_region = Zeroizing::new(hmac(&*k_date, region.as_bytes()));
        let k_service = Zeroizing::new(hmac(&*k_region, service.as_bytes()));
        let k_signing = Zeroizing::new(hmac(&*k_service, b"aws4_request"));
        SigningKey {
            mac: keyed(&*k_signing),
        }
    }

    /// HMAC-SHA256 of `data` under this key: the raw SigV4 signature of a string to sign.
    pub fn sign(&self, data: &[u8]) -> [u8; 32] {
        let mut mac = self.mac.clone();
        mac.update(data);
        mac.finalize().into_bytes().into()
    }

    /// A copy of the keyed state, to feed a string to sign piece by piece.
    pub(crate) fn mac(&self) -> HmacSha256 {
        self.mac.clone()
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(<redacted>)")
    }
}

fn keyed(key: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length; new_from_slice cannot fail for it.
    match <HmacSha256 as KeyInit>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of every length"),
    }
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = keyed(key);
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// A small cache of derived keys, shared by every signature a [`Signer`](super::Signer)
/// makes, and of the canonical requests' hashes.
///
/// An entry is one set of credentials in one region on one day: the signing key depends
/// on (secret, date, region) — the service is always `codecommit` — and the URL's
/// username on (access key id, session token), so the entry keeps the username already
/// percent-encoded too. A real session token is 700–1,100 characters; encoding it on
/// every signature would cost more than the hashing. The canonical request depends only
/// on the host and the repository, so its hash (hex, as the string to sign takes it) is
/// kept as well: a warm signature then hashes only the string to sign.
///
/// A git command signs one URL, but a long-lived host (an IDE, the C ABI's resolver
/// handle) signs many for a handful of profiles and repositories, so a few slots of each,
/// replaced round-robin, are enough.
///
/// The secret and token are kept (zeroized on drop) to compare against, rather than a
/// hash of them, because hashing them would cost as much as a signature; comparing is a
/// `memcmp`. The lock is held only to compare and to copy out an [`Arc`] and 64 bytes:
/// deriving, encoding and signing run outside it.
pub(crate) struct KeyCache {
    slots: Mutex<Slots>,
}

const SLOTS: usize = 4;

#[derive(Default)]
struct Slots {
    entries: [Option<Arc<Entry>>; SLOTS],
    next: usize,
    requests: [Option<Request>; SLOTS],
    next_request: usize,
}

/// The hash of one canonical request, `GIT\n/v1/repos/REPOSITORY\n\nhost:HOST\n\nhost\n`.
struct Request {
    host: String,
    repository: String,
    hash_hex: [u8; 64],
}

/// What one set of credentials signs with.
pub(crate) struct Entry {
    secret: Zeroizing<String>,
    access_key_id: String,
    /// Empty for long-term keys.
    token: Zeroizing<String>,
    date: [u8; 8],
    region: String,
    /// The keyed HMAC state of the signing key.
    pub(crate) key: SigningKey,
    /// `percent-encode(access_key_id)`, then `%25` and the encoded token if there is one.
    pub(crate) username: Zeroizing<String>,
    /// Where the encoded access key id ends inside `username`.
    pub(crate) access_key_len: usize,
}

impl Entry {
    fn matches(&self, c: &Credentials<'_>) -> bool {
        self.date.as_slice() == c.date.as_bytes()
            && self.region == c.region
            && self.secret.as_bytes() == c.secret.as_bytes()
            && self.access_key_id == c.access_key_id
            && self.token.as_bytes() == c.token.as_bytes()
    }
}

/// What an [`Entry`] is looked up by.
pub(crate) struct Credentials<'a> {
    pub(crate) access_key_id: &'a str,
    pub(crate) secret: &'a str,
    /// `""` for none.
    pub(crate) token: &'a str,
    pub(crate) date: &'a str,
    pub(crate) region: &'a str,
}

impl KeyCache {
    pub(crate) fn new() -> KeyCache {
        KeyCache {
            slots: Mutex::new(Slots::default()),
        }
    }

    /// The entry for `credentials` in `codecommit`, made on a miss.
    #[cfg(test)]
    pub(crate) fn get(&self, credentials: &Credentials<'_>) -> Arc<Entry> {
        self.get_with_request(credentials, None).0
    }

    /// The entry for `credentials` and, when `request` (host, repository) is given, the
    /// hex SHA-256 of its canonical request: both in one lock, each made on a miss.
    pub(crate) fn get_with_request(
        &self,
        credentials: &Credentials<'_>,
        request: Option<(&str, &str)>,
    ) -> (Arc<Entry>, [u8; 64]) {
        let (entry, hash_hex) = {
            let slots = self.lock();
            let entry = slots
                .entries
                .iter()
                .flatten()
                .find(|e| e.matches(credentials))
                .map(Arc::clone);
            let hash_hex = request.and_then(|(host, repository)| {
                slots
                    .requests
                    .iter()
                    .flatten()
                    .find(|r| r.host == host && r.repository == repository)
                    .map(|r| r.hash_hex)
            });
            (entry, hash_hex)
        };
        // Derive, encode and hash outside the lock: a miss must not stall other signers.
        let entry = entry.unwrap_or_else(|| {
            let entry = Arc::new(Entry::new(credentials));
            let mut slots = self.lock();
            let slot = slots.next;
            slots.next = (slot + 1) % SLOTS;
            slots.entries[slot] = Some(Arc::clone(&entry));
            entry
        });
        let hash_hex = match (hash_hex, request) {
            (Some(hex), _) => hex,
            (None, None) => [0; 64],
            (None, Some((host, repository))) => {
                let hash_hex = super::canonical_request_hash_hex(host, repository);
                let mut slots = self.lock();
                let slot = slots.next_request;
                slots.next_request = (slot + 1) % SLOTS;
                slots.requests[slot] = Some(Request {
                    host: host.to_owned(),
                    repository: repository.to_owned(),
                    hash_hex,
                });
                hash_hex
            }
        };
        (entry, hash_hex)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Slots> {
        // Poisoned only by a panic between two field writes; the slots stay consistent.
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Forgets every key and hash.
    pub(crate) fn clear(&self) {
        *self.lock() = Slots::default();
    }
}

impl Entry {
    fn new(c: &Credentials<'_>) -> Entry {
        let mut date = [0u8; 8];
        if c.date.len() == 8 {
            date.copy_from_slice(c.date.as_bytes());
        }
        let access_key_len = super::encoded_len(c.access_key_id);
        let mut username = Zeroizing::new(String::with_capacity(
            access_key_len
                + if c.token.is_empty() {
                    0
                } else {
                    3 + super::encoded_len(c.token)
                },
        ));
        super::percent_encode_into(c.access_key_id, &mut username);
        if !c.token.is_empty() {
            username.push_str("%25");
            super::percent_encode_into(c.token, &mut username);
        }
        Entry {
            secret: Zeroizing::new(c.secret.to_owned()),
            access_key_id: c.access_key_id.to_owned(),
            token: Zeroizing::new(c.token.to_owned()),
            date,
            region: c.region.to_owned(),
            key: SigningKey::derive(c.secret, c.date, c.region, "codecommit"),
            username,
            access_key_len,
        }
    }
}

impl fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyCache").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Published intermediate values, `reference/behavior.md` §1.12.
    #[test]
    fn derivation_matches_published_intermediates() {
        let k_date = hmac(b"AWS4secret", b"20171224");
        assert_eq!(
            hex::encode(k_date),
            "b6bfea708acd8b3895c85afa1e96904f2b3ff44544e37839d2f3ec729e4cbdc7"
        );
        let k_region = hmac(&k_date, b"us-west-2");
        assert_eq!(
            hex::encode(k_region),
            "5f793eb305139e630ca50f6a8a5f8b6641fc1aea3637584c72ea60d944a65ea4"
        );
        let k_service = hmac(&k_region, b"codecommit");
        assert_eq!(
            hex::encode(k_service),
            "8dee42d363f6701586c2fc5d1fb1fb1036f399f8db47d83edeb091fc2dfeac34"
        );
        let k_signing = hmac(&k_service, b"aws4_request");
        assert_eq!(
            hex::encode(k_signing),
            "1c7dce6145d6195b90135f48c155f2f2fc3a30ce3542983a19b1ff8682ef891c"
        );
        let key = SigningKey::derive("secret", "20171224", "us-west-2", "codecommit");
        assert_eq!(key.sign(b"x"), hmac(&k_signing, b"x"));
    }

    fn get(cache: &KeyCache, secret: &str, date: &str, region: &str) -> [u8; 32] {
        let entry = cache.get(&Credentials {
            access_key_id: "AKID",
            secret,
            token: "",
            date,
            region,
        });
        assert_eq!(*entry.username, "AKID");
        entry.key.sign(b"m")
    }

    #[test]
    fn cache_separates_secret_date_and_region() {
        let cache = KeyCache::new();
        let a = get(&cache, "s1", "20240101", "us-east-1");
        assert_eq!(a, get(&cache, "s1", "20240101", "us-east-1"));
        for (s, d, r) in [
            ("s2", "20240101", "us-east-1"),
            ("s1", "20240102", "us-east-1"),
            ("s1", "20240101", "us-east-2"),
        ] {
            let other = get(&cache, s, d, r);
            assert_ne!(a, other, "{s} {d} {r}");
            assert_eq!(other, SigningKey::derive(s, d, r, "codecommit").sign(b"m"));
        }
        // More keys than slots: every answer is still right.
        for i in 0..(SLOTS * 3) {
            let secret = format!("secret-{i}");
            assert_eq!(
                get(&cache, &secret, "20240101", "us-east-1"),
                SigningKey::derive(&secret, "20240101", "us-east-1", "codecommit").sign(b"m")
            );
        }
        cache.clear();
        assert_eq!(a, get(&cache, "s1", "20240101", "us-east-1"));
    }

    /// The username is part of the entry: the same secret with another access key id or
    /// token is another entry, never the first one's username.
    #[test]
    fn cache_separates_access_key_and_token() {
        let cache = KeyCache::new();
        let shapes = [
            ("AKID", ""),
            ("AKID", "tok/en+="),
            ("AKID", "tok/en+=2"),
            ("AKID2", "tok/en+="),
        ];
        for _round in 0..2 {
            for (access_key_id, token) in shapes {
                let entry = cache.get(&Credentials {
                    access_key_id,
                    secret: "s",
                    token,
                    date: "20240101",
                    region: "us-east-1",
                });
                let mut want = super::super::percent_encode(access_key_id);
                if !token.is_empty() {
                    want = format!("{want}%25{}", super::super::percent_encode(token));
                }
                assert_eq!(*entry.username, want);
                assert_eq!(entry.access_key_len, access_key_id.len());
            }
        }
    }

    #[test]
    fn debug_redacts() {
        let key = SigningKey::derive("TOPSECRET", "20240101", "us-east-1", "codecommit");
        assert_eq!(format!("{key:?}"), "SigningKey(<redacted>)");
    }
}
