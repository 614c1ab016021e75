//! The `key = value` pairs of one section, with the `[DEFAULT]` keys of its file behind them.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use zeroize::Zeroize;

use super::text::{is_py_line_break, py_strip};

/// The properties of one section of a config or credentials file: ordered
/// `(key, value)` pairs, keys lower-cased, values as botocore reads them.
///
/// Order is botocore's: the section's own keys in file order, then the keys of the
/// file's `[DEFAULT]` section that the section does not set itself (behavior.md §3.2).
/// A value that continues over several lines holds them joined by `\n`; a value written
/// as `key =` followed by indented `name = value` lines starts with `\n` and can also be
/// read as a map with [`sub_properties`](Properties::sub_properties).
///
/// Values can be secrets (`aws_secret_access_key`): `Debug` shows keys only, and the
/// values are zeroed when the last owner drops them.
///
/// ```
/// use codecommit_auth::config::SharedConfig;
///
/// let text = "[default]\nRegion = eu-west-1\ns3 =\n  addressing_style = path\n";
/// let config = SharedConfig::from_sources(Some(text.as_bytes()), None)?;
/// let props = config.profile("default").and_then(|p| p.config_file()).unwrap();
/// assert_eq!(props.get("region"), Some("eu-west-1"));
/// assert_eq!(props.get("s3"), Some("\naddressing_style = path"));
/// assert_eq!(props.sub_properties("s3"), Some(vec![("addressing_style", "path")]));
/// assert_eq!(props.iter().map(|(k, _)| k).collect::<Vec<_>>(), ["region", "s3"]);
/// # Ok::<(), codecommit_auth::Error>(())
/// ```
#[derive(Clone)]
pub struct Properties {
    own: Arc<Table>,
    defaults: Option<Arc<Table>>,
}

/// Pairs in file order plus an index sorted by key, so lookups stay O(log n) however
/// large a section grows (the merge and the `[DEFAULT]` view look up every key).
pub(crate) struct Table {
    entries: Vec<(Box<str>, Box<str>)>,
    sorted: Vec<usize>,
}

impl Table {
    /// A table of pairs whose keys are unique (the parser rejects duplicates).
    pub(crate) fn new(entries: Vec<(Box<str>, Box<str>)>) -> Table {
        let mut sorted: Vec<usize> = (0..entries.len()).collect();
        sorted.sort_unstable_by(|&a, &b| entries[a].0.cmp(&entries[b].0));
        Table { entries, sorted }
    }

    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        let i = self
            .sorted
            .binary_search_by(|&i| (*self.entries[i].0).cmp(key))
            .ok()?;
        Some(&self.entries[self.sorted[i]].1)
    }

    pub(crate) fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| &**k)
    }

    fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (&**k, &**v))
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Drop for Table {
    fn drop(&mut self) {
        for (_, value) in &mut self.entries {
            value.zeroize();
        }
    }
}

impl Properties {
    pub(crate) fn new(own: Table, defaults: Option<Arc<Table>>) -> Properties {
        Properties {
            own: Arc::new(own),
            defaults: defaults.filter(|d| !d.is_empty()),
        }
    }

    /// The value of `key` (lower-case), from the section or else from the file's
    /// `[DEFAULT]` section.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.own
            .get(key)
            .or_else(|| self.defaults.as_ref()?.get(key))
    }

    /// Whether [`get`](Properties::get) finds `key`.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Every `(key, value)` pair: the section's own in file order, then the inherited
    /// `[DEFAULT]` ones it does not override.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        let inherited = self
            .defaults
            .iter()
            .flat_map(|d| d.iter())
            .filter(|(k, _)| !self.own.contains_key(k));
        self.own.iter().chain(inherited)
    }

    /// The number of pairs [`iter`](Properties::iter) yields.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Whether the section has no properties at all.
    pub fn is_empty(&self) -> bool {
        self.own.is_empty() && self.defaults.is_none()
    }

    /// The value of `key` read as botocore's nested map, or `None` if the key is absent or
    /// its value does not start with a newline.
    ///
    /// botocore (`configloader._parse_nested`) splits such a value at every line break
    /// Python knows, strips each line, skips blank ones and splits the rest at the first
    /// `=` into a stripped name and value. Names keep their case, may be empty, and a
    /// repeated name keeps its first position and its last value. The parser has already
    /// rejected a file in which such a line has no `=`.
    pub fn sub_properties(&self, key: &str) -> Option<Vec<(&str, &str)>> {
        nested(self.get(key)?)
    }
}

/// botocore's `_parse_nested`, on a value that starts with `\n`.
// BOTOCORE: behavior.md §3.7 — a map view with empty names allowed; the cross-SDK
// grammar keeps the raw string and rejects an empty sub-property name. Both views exist:
// `get` gives the raw string.
pub(crate) fn nested(value: &str) -> Option<Vec<(&str, &str)>> {
    if !value.starts_with('\n') {
        return None;
    }
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    let mut position: HashMap<&str, usize> = HashMap::new();
    for line in value.split(is_py_line_break).map(py_strip) {
        if line.is_empty() {
            continue;
        }
        let (name, val) = line.split_once('=')?;
        let (name, val) = (py_strip(name), py_strip(val));
        match position.get(name) {
            Some(&i) => pairs[i].1 = val,
            None => {
                position.insert(name, pairs.len());
                pairs.push((name, val));
            }
        }
    }
    Some(pairs)
}

impl fmt::Debug for Properties {
    // Values may be secrets: show the keys only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter().map(|(k, _)| k)).finish()
    }
}

impl fmt::Debug for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.keys()).finish()
    }
}
