//! The endpoint URLs we are given — configured service endpoints, container and instance
//! metadata URLs — checked before anything is sent to them.
//!
//! botocore refuses a configured endpoint without a valid host (`is_valid_endpoint_url`:
//! "Invalid endpoint: URL") and then lets Python's `urlsplit` and urllib3 read the rest.
//! We check a little more, so that what is checked is exactly what the HTTP client and
//! the SigV4 signer see: the scheme is `http` or `https`, the authority is a host name
//! (botocore's label rule) or a bracketed IPv6 address with an optional port, and there is
//! no user information, whitespace, control character or backslash anywhere.
//!
//! DIFFERENCE: botocore accepts a configured endpoint with any scheme, user information
//! (`http://user@host/`) or spaces after the host, and fails later, if at all, in
//! urllib3; we refuse them with `InvalidConfig` before anything is signed or sent. A
//! region is checked apart from this, with botocore's own rule
//! ([`crate::endpoint::services::check_region`]).

use std::fmt;
use std::net::Ipv6Addr;

/// An `http://` or `https://` URL taken apart: what a host rule looks at and what is
/// sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HttpUrl {
    pub(crate) https: bool,
    /// Lower-cased; an IPv6 address without its brackets.
    pub(crate) host: String,
    pub(crate) port: Option<u16>,
    /// Path and query, as written (no fragment); may be empty.
    pub(crate) path: String,
}

impl HttpUrl {
    /// Splits `url` as Python's `urlsplit` would for the URLs that matter here; the
    /// answer is a phrase for an error message ("has no host").
    pub(crate) fn parse(url: &str) -> Result<HttpUrl, &'static str> {
        if url
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
        {
            return Err("contains whitespace, a control character or a backslash");
        }
        let (scheme, rest) = url
            .split_once("://")
            .ok_or("is not an http:// or https:// URL")?;
        let https = if scheme.eq_ignore_ascii_case("https") {
            true
        } else if scheme.eq_ignore_ascii_case("http") {
            false
        } else {
            return Err("is not an http:// or https:// URL");
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        if authority.contains('@') {
            return Err("has user information (user@host)");
        }
        let (host, port) = match authority.strip_prefix('[') {
            Some(bracketed) => {
                let (address, after) = bracketed.split_once(']').ok_or("has an unclosed '['")?;
                address
                    .parse::<Ipv6Addr>()
                    .map_err(|_| "has an invalid IPv6 address")?;
                (address, after)
            }
            None => authority.split_at(authority.find(':').unwrap_or(authority.len())),
        };
        let port = match port {
            "" | ":" => None,
            p => {
                let digits = p.strip_prefix(':').ok_or("has an invalid port")?;
                if !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err("has an invalid port");
                }
                Some(digits.parse::<u16>().map_err(|_| "has an invalid port")?)
            }
        };
        if host.is_empty() {
            return Err("has no host");
        }
        if !authority.starts_with('[') && !is_host_name(host) {
            return Err("has an invalid host name");
        }
        let path = tail.split('#').next().unwrap_or_default();
        Ok(HttpUrl {
            https,
            host: host.to_ascii_lowercase(),
            port,
            path: path.to_owned(),
        })
    }
}

impl fmt::Display for HttpUrl {
    /// The URL rebuilt: scheme, host (bracketed if IPv6), port, path (`/` if empty).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.https { "https://" } else { "http://" })?;
        if self.host.contains(':') {
            write!(f, "[{}]", self.host)?;
        } else {
            f.write_str(&self.host)?;
        }
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        if !self.path.starts_with('/') {
            f.write_str("/")?;
        }
        f.write_str(&self.path)
    }
}

/// botocore's `is_valid_endpoint_url` host rule: dot-separated labels of letters, digits
/// and `-` (not at either end), up to 63 characters each, an optional final dot.
pub(crate) fn is_host_name(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    host.len() <= 255
        && host.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_that_could_be_read_two_ways_are_refused() {
        for url in [
            "http://user:pw@localhost/",
            "http://evil.example\\@127.0.0.1/",
            "http://127.0.0.1 /",
            "http://127.0.0.1/\n",
            "http://[::1/",
            "http://[not-v6]/",
            "http://127.0.0.1:99999/",
            "http://127.0.0.1:8a/",
            "http:///path",
            "ftp://localhost/",
            "localhost/creds",
            "http://exa_mple.com/",
            "http://-bad.example/",
        ] {
            assert!(HttpUrl::parse(url).is_err(), "{url:?} should not parse");
        }
    }

    #[test]
    fn urls_are_rebuilt_from_their_parts() {
        for (url, want) in [
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080/"),
            (
                "HTTP://LocalHost:80/a/b?c=d#e",
                "http://localhost:80/a/b?c=d",
            ),
            ("http://[FD00:EC2::23]/x", "http://[fd00:ec2::23]/x"),
            ("http://localhost:/x", "http://localhost/x"),
            ("http://localhost?x=1", "http://localhost/?x=1"),
        ] {
            assert_eq!(HttpUrl::parse(url).unwrap().to_string(), want, "{url}");
        }
    }
}
