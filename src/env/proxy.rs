//! Proxy rules shared by the HTTPS client and the reports that say which proxy a call
//! used (`--doctor`).

/// `NO_PROXY`'s entries, trimmed and lower-cased.
pub(crate) fn no_proxy_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The scheme and host (without port or brackets) of an absolute URL.
pub(crate) fn scheme_and_host(url: &str) -> (&str, String) {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.split(':').next().unwrap_or(""),
    };
    (scheme, host.to_owned())
}

/// A proxy URL without its user and password, for messages.
pub(crate) fn redact_proxy(proxy: &str) -> String {
    let (scheme, rest) = proxy.split_once("://").unwrap_or(("", proxy));
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((_, host)) => format!("***@{host}"),
        None => authority.to_owned(),
    };
    let scheme = if scheme.is_empty() {
        String::new()
    } else {
        format!("{scheme}://")
    };
    format!("{scheme}{authority}{tail}")
}

/// `NO_PROXY` matching as curl and Python's `proxy_bypass_environment` do it.
pub(crate) fn bypasses_proxy(host: &str, no_proxy: &[String]) -> bool {
    let host = host.to_ascii_lowercase();
    no_proxy.iter().any(|entry| {
        let entry = entry.trim_start_matches('*');
        if entry.is_empty() {
            return true; // `*`
        }
        match entry.strip_prefix('.') {
            Some(suffix) => host == suffix || host.ends_with(&format!(".{suffix}")),
            None => host == entry || host.ends_with(&format!(".{entry}")),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_proxy_matching() {
        let list: Vec<String> = ["example.com", ".internal", "*.corp", "10.0.0.1"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for (host, bypass) in [
            ("example.com", true),
            ("api.example.com", true),
            ("notexample.com", false),
            ("internal", true),
            ("a.internal", true),
            ("x.corp", true),
            ("10.0.0.1", true),
            ("10.0.0.10", false),
            ("EXAMPLE.COM", true),
            ("portal.sso.us-east-1.amazonaws.com", false),
        ] {
            assert_eq!(bypasses_proxy(host, &list), bypass, "{host}");
        }
        assert!(bypasses_proxy("anything", &["*".to_string()]));
    }
}
