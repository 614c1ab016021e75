//! Section names → profiles, sso-sessions, services (behavior.md §3.3).
//!
//! The config file names profiles `[profile NAME]` (and `[default]`); botocore finds the
//! name by splitting the whole header like a POSIX shell line and keeping the second of
//! exactly two words. The credentials file names profiles `[NAME]`, taken verbatim.

use std::borrow::Cow;
use std::collections::HashMap;

/// What a config-file section is, by its raw name.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Kind<S = String> {
    Profile(S),
    SsoSession(S),
    Services(S),
    /// A top-level section such as `[plugins]` or `[preview]`.
    Other,
    /// A section botocore reads and then loses (`[profile a b]`, `[profiledev]`, …).
    Dropped,
}

/// botocore's `build_profile_map` test for one raw config-file section name.
// BOTOCORE: behavior.md §3.3 — prefix tests are on the raw name and case-sensitive, the
// name is shell-split (quotes removed, backslash escapes applied), and only a split into
// exactly two words counts. The first word need only *start* with the prefix, so
// `[profiles dev]` and `[profile_x dev]` are profile `dev`, as in botocore. The
// cross-SDK grammar instead trims and validates names (behavior.md §3.7).
#[cfg(test)]
pub(crate) fn classify(name: &str) -> Kind {
    match classify_borrowed(name) {
        Kind::Profile(n) => Kind::Profile(n.into_owned()),
        Kind::SsoSession(n) => Kind::SsoSession(n.into_owned()),
        Kind::Services(n) => Kind::Services(n.into_owned()),
        Kind::Other => Kind::Other,
        Kind::Dropped => Kind::Dropped,
    }
}

/// [`classify`], borrowing the name from `name` unless shell quoting changed it: what a
/// lookup runs over every section, so it allocates nothing for plain names.
pub(crate) fn classify_borrowed(name: &str) -> Kind<Cow<'_, str>> {
    let second = || -> Option<Cow<'_, str>> {
        if name.contains(['\\', '\'', '"']) {
            let mut words = shlex_split(name)?;
            return (words.len() == 2).then(|| Cow::Owned(words.swap_remove(1)));
        }
        // Without quotes or backslashes `shlex.split` is a split at its four separators.
        let mut words = name
            .split([' ', '\t', '\r', '\n'])
            .filter(|w| !w.is_empty());
        let (_, second) = (words.next()?, words.next()?);
        words.next().is_none().then_some(Cow::Borrowed(second))
    };
    if name.starts_with("profile") {
        second().map_or(Kind::Dropped, Kind::Profile)
    } else if name.starts_with("sso-session") {
        second().map_or(Kind::Dropped, Kind::SsoSession)
    } else if name.starts_with("services") {
        second().map_or(Kind::Dropped, Kind::Services)
    } else if name == "default" {
        Kind::Profile(Cow::Borrowed(name))
    } else if name == "sso_sessions" {
        // BOTOCORE: build_profile_map stores other sections under their own name in the
        // same dict as its "sso_sessions" key, which it writes last: the section is lost.
        Kind::Dropped
    } else {
        Kind::Other
    }
}

/// `shlex.split(s)` (POSIX mode, no comments): `None` where Python raises `ValueError`
/// (an unclosed quote or a trailing backslash).
///
/// Only space, TAB, CR and LF separate words; `'…'` is literal; inside `"…"` a backslash
/// escapes only `"` and `\`; outside quotes it escapes any character; `""` is an empty
/// word.
pub(crate) fn shlex_split(s: &str) -> Option<Vec<String>> {
    #[derive(Clone, Copy)]
    enum State {
        Space,
        Word,
        Quote(char),
        /// After a backslash; remembers whether it was inside `"…"`.
        Escape {
            in_double: bool,
        },
    }
    let mut words = Vec::new();
    let mut token = String::new();
    // Whether the current word had quotes: then it is a word even if empty.
    let mut quoted = false;
    let mut state = State::Space;
    for c in s.chars() {
        state = match (state, c) {
            (State::Space | State::Word, ' ' | '\t' | '\r' | '\n') => {
                if !token.is_empty() || quoted {
                    words.push(std::mem::take(&mut token));
                    quoted = false;
                }
                State::Space
            }
            (State::Space | State::Word, '\\') => State::Escape { in_double: false },
            (State::Space | State::Word, '\'' | '"') => State::Quote(c),
            (State::Space | State::Word, _) => {
                token.push(c);
                State::Word
            }
            (State::Quote(q), _) => {
                quoted = true;
                if c == q {
                    State::Word
                } else if q == '"' && c == '\\' {
                    State::Escape { in_double: true }
                } else {
                    token.push(c);
                    State::Quote(q)
                }
            }
            (State::Escape { in_double }, _) => {
                if in_double && c != '\\' && c != '"' {
                    token.push('\\');
                }
                token.push(c);
                if in_double {
                    State::Quote('"')
                } else {
                    State::Word
                }
            }
        };
    }
    match state {
        State::Quote(_) | State::Escape { .. } => None,
        State::Space | State::Word => {
            if !token.is_empty() || quoted {
                words.push(token);
            }
            Some(words)
        }
    }
}

/// Names in first-seen order, each pointing at the section that defined it *last*: a
/// Python dict filled with `update`, as botocore builds its profile map. So for
/// `[default]` … `[profile default]` the name keeps the first one's place and takes the
/// later one's keys wholesale (behavior.md §3.3, §10 item 11).
// BOTOCORE: behavior.md §3.7 — the cross-SDK grammar lets `[profile default]` win over
// `[default]` whatever the order, and merges repeated `[profile default]` sections.
#[derive(Debug, Default)]
pub(crate) struct NameMap {
    order: Vec<(Box<str>, usize)>,
    index: HashMap<Box<str>, usize>,
}

impl NameMap {
    pub(crate) fn insert(&mut self, name: &str, section: usize) {
        match self.index.get(name) {
            Some(&at) => self.order[at].1 = section,
            None => {
                self.index.insert(name.into(), self.order.len());
                self.order.push((name.into(), section));
            }
        }
    }

    pub(crate) fn get(&self, name: &str) -> Option<usize> {
        Some(self.entry(name)?.1)
    }

    /// The stored name and its section.
    pub(crate) fn entry(&self, name: &str) -> Option<(&str, usize)> {
        let (name, section) = &self.order[*self.index.get(name)?];
        Some((name, *section))
    }

    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.order.iter().map(|(n, _)| &**n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Option<Vec<&'static str>> {
        shlex_split(s).map(|w| {
            w.into_iter()
                .map(|w| &*Box::leak(w.into_boxed_str()))
                .collect()
        })
    }

    #[test]
    fn shlex_matches_python() {
        // Each expectation is `shlex.split(input)` on CPython 3.11.7.
        assert_eq!(split("profile dev"), Some(vec!["profile", "dev"]));
        assert_eq!(split("profile  dev "), Some(vec!["profile", "dev"]));
        assert_eq!(split("profile\tdev"), Some(vec!["profile", "dev"]));
        assert_eq!(split("profile \"dev y\""), Some(vec!["profile", "dev y"]));
        assert_eq!(split("profile 'q'"), Some(vec!["profile", "q"]));
        assert_eq!(split(r"profile a\b"), Some(vec!["profile", "ab"]));
        assert_eq!(split(r"profile a\ b"), Some(vec!["profile", "a b"]));
        assert_eq!(
            split(r#"profile "a\b\"c\\""#),
            Some(vec!["profile", r#"a\b"c\"#])
        );
        assert_eq!(split(r"profile 'a\b'"), Some(vec!["profile", r"a\b"]));
        assert_eq!(split("profile \"\""), Some(vec!["profile", ""]));
        assert_eq!(split("profile x\"y z\"w"), Some(vec!["profile", "xy zw"]));
        assert_eq!(split("profile\u{b}dev"), Some(vec!["profile\u{b}dev"]));
        assert_eq!(split("profile \"unbalanced"), None);
        assert_eq!(split(r"profile a\"), None);
        assert_eq!(split(""), Some(vec![]));
        assert_eq!(split("  "), Some(vec![]));
    }

    #[test]
    fn classify_follows_build_profile_map() {
        let p = |s: &str| Kind::Profile(s.into());
        assert_eq!(classify("profile dev"), p("dev"));
        assert_eq!(classify("profile \"dev y\""), p("dev y"));
        assert_eq!(classify("profiles dev"), p("dev"));
        assert_eq!(classify("profile default"), p("default"));
        assert_eq!(classify("default"), p("default"));
        assert_eq!(classify("profile dev z"), Kind::Dropped);
        assert_eq!(classify("profile"), Kind::Dropped);
        assert_eq!(classify("profiledev"), Kind::Dropped);
        assert_eq!(classify(" profile x "), Kind::Other);
        assert_eq!(classify("default "), Kind::Other);
        assert_eq!(classify("Profile Dev"), Kind::Other);
        assert_eq!(classify("plugins"), Kind::Other);
        assert_eq!(classify("sso-session s"), Kind::SsoSession("s".into()));
        assert_eq!(classify("sso-sessionfoo"), Kind::Dropped);
        assert_eq!(classify("services svc"), Kind::Services("svc".into()));
        assert_eq!(classify("sso_sessions"), Kind::Dropped);
    }

    #[test]
    fn name_map_keeps_first_place_and_last_section() {
        let mut m = NameMap::default();
        m.insert("default", 0);
        m.insert("a", 1);
        m.insert("default", 2);
        assert_eq!(m.names().collect::<Vec<_>>(), ["default", "a"]);
        assert_eq!(m.get("default"), Some(2));
        assert_eq!(m.get("b"), None);
    }
}
