//! The line grammar of one file: text in, sections of [`Properties`] out.
//!
//! This is CPython 3.11's `configparser.RawConfigParser` with its default settings
//! (`=` and `:` delimiters, `#`/`;` whole-line comments, no inline comments, strict,
//! empty lines kept in values, lower-cased keys, `[DEFAULT]` as the default section),
//! followed by botocore's `raw_config_parse` post-processing (the `[DEFAULT]` keys seen
//! from every section, and the check of nested `key =` values). behavior.md §3.2 states
//! the rules; the comments below point at the ones a general INI reader gets wrong.
//!
//! One pass, no backtracking: every line is classified once (the common `key = value`
//! line by a fast path that reads its bytes twice at most, eight at a time), duplicate
//! sections are found with hash lookups and duplicate keys by comparison (by hash in a
//! large section), and values are assembled from borrowed line slices with one
//! allocation each. Errors are whole-file, as in botocore, and carry the 1-based line.
//! The shared files go through [`scan`], the same pass building nothing but section
//! positions, and then [`section`] for each section a lookup reads.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use super::properties::{Properties, Table};
use super::text::{
    find_any, has_upper_or_non_ascii, indent_of, is_py_line_break, line_end, next_line, py_rstrip,
    py_strip,
};

/// One section of a parsed file, `[DEFAULT]` excluded.
#[derive(Debug)]
pub(crate) struct Section {
    /// The name between the brackets, exactly as written (not trimmed).
    pub(crate) name: Box<str>,
    pub(crate) properties: Properties,
}

/// Why a file cannot be parsed, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ParseError {
    /// 1-based physical line (LF, CRLF and CR each end one).
    pub(crate) line: usize,
    pub(crate) problem: Problem,
}

/// What is wrong with a line. Never holds a value: values can be secrets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Problem {
    ByteOrderMark,
    InvalidUtf8,
    /// A setting or indented line before any `[section]` (`MissingSectionHeaderError`).
    BeforeFirstSection,
    /// `[name` with no `]`.
    UnclosedHeader,
    /// `[]`.
    EmptyHeader,
    /// The same `[name]` twice in one file.
    DuplicateSection {
        section: Box<str>,
    },
    /// The same key twice in one section, compared after lower-casing.
    DuplicateKey {
        key: Box<str>,
        section: Box<str>,
    },
    /// A line in a section that is no header, no comment and has no `=` or `:`.
    NoDelimiter,
    /// `= value`.
    EmptyKey,
    /// A line of a nested `key =` value without `=`.
    NestedWithoutEquals {
        key: Box<str>,
    },
}

impl Problem {
    /// What is wrong and what to do, for the error message.
    pub(crate) fn describe(&self) -> String {
        match self {
            Problem::ByteOrderMark => "the file starts with a UTF-8 byte-order mark, which \
                botocore cannot read; save the file as UTF-8 without a BOM"
                .into(),
            Problem::InvalidUtf8 => {
                "the file is not valid UTF-8; save it with UTF-8 encoding".into()
            }
            Problem::BeforeFirstSection => "text before the first section header; every \
                setting must follow a header such as [default] or [profile NAME]"
                .into(),
            Problem::UnclosedHeader => {
                "the section header has no closing `]`; write it as [NAME]".into()
            }
            Problem::EmptyHeader => "the section header `[]` has no name".into(),
            Problem::DuplicateSection { section } => format!(
                "section [{section}] appears a second time in this file; merge the two \
                 sections into one"
            ),
            Problem::DuplicateKey { key, section } => format!(
                "key `{key}` appears a second time in section [{section}] (keys ignore \
                 case); keep only one of them"
            ),
            Problem::NoDelimiter => "expected `name = value`, found a line without `=` \
                or `:`; an indented line continues a value only right after a `name = \
                value` line, and a comment must start its own line with # or ;"
                .into(),
            Problem::EmptyKey => "the line has no name before its `=` or `:`".into(),
            Problem::NestedWithoutEquals { key } => format!(
                "`{key} =` is followed by indented lines, which botocore reads as \
                 `name = value` pairs, and this line has no `=`; put the value on the \
                 `{key} =` line or write the indented line as `name = value`"
            ),
        }
    }
}

/// A value being read: its first line and its continuation lines, borrowed from the text.
struct Value<'a> {
    first: &'a str,
    more: Vec<&'a str>,
    /// First line of a nested value (`key =` then indented lines) that has no `=`.
    bad_nested: Option<usize>,
}

impl Value<'_> {
    /// `'\n'.join(lines).rstrip()` — every line is already stripped, so this drops the
    /// trailing blank lines — in one allocation.
    fn finish(self) -> Box<str> {
        let last = self.more.iter().rposition(|l| !l.is_empty());
        let more = match last {
            Some(i) => &self.more[..=i],
            None => &[][..],
        };
        let len = self.first.len() + more.iter().map(|l| l.len() + 1).sum::<usize>();
        let mut out = String::with_capacity(len);
        out.push_str(self.first);
        for line in more {
            out.push('\n');
            out.push_str(line);
        }
        out.into_boxed_str()
    }
}

/// The section whose keys are being read.
struct Open<'a> {
    name: &'a str,
    /// Byte offset of its header line.
    start: usize,
    entries: Vec<(Cow<'a, str>, Value<'a>)>,
}

/// Parses one file's text. `[DEFAULT]` keys are merged into the view of every section.
pub(crate) fn parse(text: &str) -> Result<Vec<Section>, ParseError> {
    run(text, true)?.finish()
}

/// Where one section of a checked file is, as byte ranges of the text.
#[derive(Clone, Debug)]
pub(crate) struct Span {
    /// The name between the brackets.
    pub(crate) name: Range<usize>,
    /// From the header line to the next header line (or the end of the file): every
    /// line [`section`] needs to build the section's keys.
    pub(crate) lines: Range<usize>,
}

/// A file checked against the whole grammar, with the keys of no section built yet:
/// where each section is, and the `[DEFAULT]` keys, which every section shows.
pub(crate) struct Scan {
    pub(crate) sections: Vec<Span>,
    pub(crate) defaults: Option<Arc<Table>>,
}

/// Checks one file's text as [`parse`] does — the same errors for the same text — but
/// builds only `[DEFAULT]`; [`section`] builds any other section on demand. A config
/// with thousands of profiles then costs one pass over its lines and no allocation per
/// key, when a lookup reads only a few sections.
pub(crate) fn scan(text: &str) -> Result<Scan, ParseError> {
    let parser = run(text, false)?;
    if parser
        .default
        .as_ref()
        .is_some_and(|d| d.entries.iter().any(|(_, v)| v.bad_nested.is_some()))
    {
        // Whether a bad nested `[DEFAULT]` value fails the file depends on the keys of
        // every section (`check_inherited`): rare enough to parse the file in full.
        parse(text)?;
    }
    let base = text.as_ptr() as usize;
    let offset = |s: &str| s.as_ptr() as usize - base;
    let sections = parser
        .spans
        .iter()
        .map(|&(name, ref lines)| Span {
            name: offset(name)..offset(name) + name.len(),
            lines: lines.clone(),
        })
        .collect();
    let defaults = parser
        .default
        .map(|open| Arc::new(table(open.entries.into_iter())));
    Ok(Scan { sections, defaults })
}

/// The keys of the section at `span` of a text that [`scan`] accepted, with `defaults`
/// (the scan's) behind them.
pub(crate) fn section(text: &str, span: &Span, defaults: Option<&Arc<Table>>) -> Properties {
    // The lines start at the header, which resets all state, and end before the next
    // header: parsed alone they give exactly this section's keys. They cannot fail to
    // parse, since the whole text passed `scan`; if they did, the section reads empty.
    let own = run(&text[span.lines.clone()], true)
        .ok()
        .and_then(|mut parser| parser.done.pop())
        .map_or_else(|| Table::new(Vec::new()), |(_, table)| table);
    Properties::new(own, defaults.cloned())
}

/// Feeds every line of `text` to a parser that builds tables if `build`.
fn run(text: &str, build: bool) -> Result<Parser<'_>, ParseError> {
    run_lines(text, build, true)
}

/// [`run`], with [`Parser::plain_key_line`] tried first on each line if `plain` (the
/// tests turn it off to check it changes nothing).
fn run_lines(text: &str, build: bool, plain: bool) -> Result<Parser<'_>, ParseError> {
    let mut parser = Parser {
        text,
        build,
        ..Parser::default()
    };
    // Room for a section per 128 bytes: no rehashing while the names go in.
    parser.names.reserve(text.len() / 128);
    // The lines of `lines`, found in place: most lines of a large file are a plain
    // `key = value`, which one pass over the key handles.
    let bytes = text.as_bytes();
    let (mut at, mut number) = (0, 0);
    while at < bytes.len() {
        number += 1;
        let end = match plain
            .then(|| parser.plain_key_line(number, at))
            .transpose()?
        {
            Some(Some(end)) => end,
            _ => {
                let end = line_end(&bytes[at..]).map_or(bytes.len(), |end| at + end);
                parser.line(number, &text[at..end])?;
                end
            }
        };
        at = next_line(bytes, end);
    }
    parser.close_section(text.len());
    Ok(parser)
}

/// Which section the parser is in.
#[derive(Default)]
enum Position<'a> {
    /// Before the first header: a key line is an error.
    #[default]
    BeforeFirstSection,
    /// In `[DEFAULT]`, whose entries live in [`Parser::default`].
    Default,
    /// In a real section.
    Section(Open<'a>),
}

#[derive(Default)]
struct Parser<'a> {
    /// The whole text, which every line borrows from (for byte offsets).
    text: &'a str,
    /// Whether finished sections are built into [`Parser::done`]; if not, only their
    /// [`Parser::spans`] are kept.
    build: bool,
    /// Finished sections, their own keys already in a [`Table`].
    done: Vec<(&'a str, Table)>,
    /// Finished sections: name and the byte range from the header to the next header.
    spans: Vec<(&'a str, Range<usize>)>,
    /// The emptied entry list of the last finished section, reused by the next one.
    spare: Vec<(Cow<'a, str>, Value<'a>)>,
    default: Option<Open<'a>>,
    /// Where the lines go now.
    current: Position<'a>,
    /// Section names seen so far, for the duplicate check. foldhash, not SipHash: one
    /// name per section is hashed, and this is a file of the user's own, not a
    /// network input (its seed is random all the same).
    names: HashSet<&'a str, foldhash::fast::RandomState>,
    /// Keys of the current section, and of `[DEFAULT]` (which may be opened again).
    keys: HashSet<Cow<'a, str>>,
    default_keys: HashSet<Cow<'a, str>>,
    /// Whether the last key line still takes continuation lines (`optname` is set).
    key_open: bool,
    /// `indent_level`: indentation of the last line that was not a continuation.
    indent: usize,
}

impl<'a> Parser<'a> {
    /// The line at byte `at` if it is the common kind — inside a section, starting with
    /// a byte that is no whitespace, comment or `[`, with an `=` or `:` and a plain
    /// ASCII key without capitals before it — handled exactly as [`Parser::line`] would:
    /// one pass to the delimiter, one to the line's end, and no stripping, measuring of
    /// indentation, header test or lower-casing. Gives where the line ends; `None`
    /// (nothing done) for any other line.
    fn plain_key_line(&mut self, number: usize, at: usize) -> Result<Option<usize>, ParseError> {
        let text = self.text;
        let bytes = text.as_bytes();
        let Position::Section(section) = &mut self.current else {
            return Ok(None);
        };
        match bytes[at] {
            b'#' | b';' | b'[' | b'=' | b':' => return Ok(None),
            b if !b.is_ascii_graphic() => return Ok(None),
            _ => {}
        }
        let Some(delimiter) = find_any(&bytes[at..], [b'=', b':', b'\n', b'\r']).map(|n| at + n)
        else {
            return Ok(None);
        };
        if !matches!(bytes[delimiter], b'=' | b':') || has_upper_or_non_ascii(&bytes[at..delimiter])
        {
            return Ok(None);
        }
        // What `line` would do: a first byte that is no whitespace means indentation 0,
        // which takes no continuation and is the new level; without capitals or other
        // characters the key needs no lower-casing and only ASCII stripping.
        self.indent = 0;
        let key = &text[at..delimiter];
        let key = match key.as_bytes() {
            // `key =`: one space to strip (the first byte is no space, so it stays).
            [.., before, b' '] if before.is_ascii_graphic() => &key[..key.len() - 1],
            [.., last] if last.is_ascii_graphic() => key,
            _ => py_rstrip(key),
        };
        if !is_new_key(&section.entries, &mut self.keys, key) {
            return Err(ParseError {
                line: number,
                problem: Problem::DuplicateKey {
                    key: key.into(),
                    section: section.name.into(),
                },
            });
        }
        let end = line_end(&bytes[delimiter..]).map_or(bytes.len(), |n| delimiter + n);
        let value = &text[delimiter + 1..end];
        let first = match value.as_bytes() {
            // `= value`: one space to strip, nothing at the end (the same result as
            // `py_strip`, without its two searches).
            [b' ', second, .., last] if second.is_ascii_graphic() && last.is_ascii_graphic() => {
                &value[1..]
            }
            _ => py_strip(value),
        };
        section.entries.push((
            Cow::Borrowed(key),
            Value {
                first,
                more: Vec::new(),
                bad_nested: None,
            },
        ));
        self.key_open = true;
        Ok(Some(end))
    }

    /// Whether the lines of values are kept: when building, and always for
    /// `[DEFAULT]`, whose table a scan builds too.
    fn keeps_values(&self) -> bool {
        self.build || matches!(self.current, Position::Default)
    }

    fn line(&mut self, number: usize, line: &'a str) -> Result<(), ParseError> {
        let value = py_strip(line);
        // Whole-line comments are skipped everywhere, even between continuation lines
        // (behavior.md §3.2, §10 item 17).
        // BOTOCORE: behavior.md §3.7 — inline comments do not exist: `# x` after a value
        // stays in the value (§10 item 7); the cross-SDK grammar strips it.
        if value.starts_with(['#', ';']) {
            return Ok(());
        }
        if value.is_empty() {
            // A blank line inside a value is kept; `finish` drops trailing ones.
            // BOTOCORE: behavior.md §3.7 — kept in nested values too, where the cross-SDK
            // grammar drops it from the raw string.
            let keep = self.keeps_values();
            if self.key_open
                && keep
                && let Some((_, v)) = self.open_entry()
            {
                v.more.push("");
            }
            return Ok(());
        }
        let indent = indent_of(line);
        if self.key_open && indent > self.indent {
            // A continuation, even if it looks like `[profile x]` or `k = v`
            // (§10 items 15, 17).
            return self.continuation(number, value);
        }
        self.indent = indent;
        if let Some(name) = header_name(value) {
            self.key_open = false;
            let start = line.as_ptr() as usize - self.text.as_ptr() as usize;
            return self.header(number, name, start);
        }
        self.key_line(value).map_err(|problem| ParseError {
            line: number,
            problem,
        })
    }

    /// A continuation line of the open key's value.
    fn continuation(&mut self, number: usize, value: &'a str) -> Result<(), ParseError> {
        let in_section = matches!(self.current, Position::Section(_));
        let keep = self.keeps_values();
        let Some((key, v)) = self.open_entry() else {
            return Ok(());
        };
        if v.first.is_empty() && v.bad_nested.is_none() && !nested_line_ok(value) {
            // botocore always reads a nested value of a real section; one in
            // [DEFAULT] only if some section inherits it (see `check_inherited`).
            if in_section {
                return Err(ParseError {
                    line: number,
                    problem: Problem::NestedWithoutEquals {
                        key: (**key).into(),
                    },
                });
            }
            v.bad_nested = Some(number);
        }
        if keep {
            v.more.push(value);
        }
        Ok(())
    }

    /// A `key = value` line (not a header, not a continuation).
    fn key_line(&mut self, value: &'a str) -> Result<(), Problem> {
        let (section, seen) = match &mut self.current {
            Position::BeforeFirstSection => {
                return Err(bad_header(value).unwrap_or(Problem::BeforeFirstSection));
            }
            Position::Section(open) => (open, &mut self.keys),
            Position::Default => (
                self.default.get_or_insert_with(|| Open {
                    name: "DEFAULT",
                    start: 0,
                    entries: Vec::new(),
                }),
                &mut self.default_keys,
            ),
        };
        // `key`, then the first `=` or `:`, then the value; both sides stripped.
        // BOTOCORE: behavior.md §3.7 — `:` is a delimiter (§10 item 8), and any text is a
        // key (`in valid = v`); the cross-SDK grammar allows `=` and a name charset only.
        let Some(at) = value.bytes().position(|b| b == b'=' || b == b':') else {
            return Err(bad_header(value).unwrap_or(Problem::NoDelimiter));
        };
        let raw_key = py_rstrip(&value[..at]);
        if raw_key.is_empty() {
            return Err(Problem::EmptyKey);
        }
        // Most keys are lower-case ASCII already: borrow them.
        let key = if raw_key
            .bytes()
            .any(|b| b.is_ascii_uppercase() || !b.is_ascii())
        {
            Cow::Owned(raw_key.to_lowercase())
        } else {
            Cow::Borrowed(raw_key)
        };
        // BOTOCORE: behavior.md §3.7 — strict configparser: a repeated key (after
        // lower-casing) fails the file; the cross-SDK grammar lets the last one win.
        if !is_new_key(&section.entries, seen, &key) {
            return Err(Problem::DuplicateKey {
                key: key.into(),
                section: section.name.into(),
            });
        }
        section.entries.push((
            key,
            Value {
                first: py_strip(&value[at + 1..]),
                more: Vec::new(),
                bad_nested: None,
            },
        ));
        self.key_open = true;
        Ok(())
    }

    fn header(&mut self, number: usize, name: &'a str, start: usize) -> Result<(), ParseError> {
        self.close_section(start);
        if name == "DEFAULT" {
            // configparser's default section: not a section, may be opened again, its
            // keys show through every section of this file (§10 item 10).
            self.current = Position::Default;
            return Ok(());
        }
        // BOTOCORE: behavior.md §3.7 — a repeated section fails the file; the cross-SDK
        // grammar merges the two.
        if !self.names.insert(name) {
            return Err(ParseError {
                line: number,
                problem: Problem::DuplicateSection {
                    section: name.into(),
                },
            });
        }
        self.keys.clear();
        self.current = Position::Section(Open {
            name,
            start,
            entries: std::mem::take(&mut self.spare),
        });
        Ok(())
    }

    /// Turns the open section, if it is a real one, into a table (if building) and a
    /// span ending at byte `end`.
    fn close_section(&mut self, end: usize) {
        if let Position::Section(mut open) = std::mem::take(&mut self.current) {
            if self.build {
                self.done.push((open.name, table(open.entries.drain(..))));
            } else {
                open.entries.clear();
            }
            self.spans.push((open.name, open.start..end));
            self.spare = open.entries;
        }
    }

    /// The key that continuation lines extend, with its value so far.
    fn open_entry(&mut self) -> Option<&mut (Cow<'a, str>, Value<'a>)> {
        let section = match &mut self.current {
            Position::Section(open) => open,
            Position::Default => self.default.as_mut()?,
            Position::BeforeFirstSection => return None,
        };
        section.entries.last_mut()
    }

    fn finish(mut self) -> Result<Vec<Section>, ParseError> {
        let defaults = match self.default.take() {
            Some(open) => Some(self.check_inherited(open)?),
            None => None,
        };
        Ok(self
            .done
            .into_iter()
            .map(|(name, own)| Section {
                name: name.into(),
                properties: Properties::new(own, defaults.clone()),
            })
            .collect())
    }

    /// botocore parses a nested `[DEFAULT]` value once per section that inherits it, so
    /// a bad one fails the file only if some section does not set that key itself.
    fn check_inherited(&self, default: Open<'a>) -> Result<Arc<Table>, ParseError> {
        let mut overridden: HashMap<&str, usize> = default
            .entries
            .iter()
            .filter(|(_, v)| v.bad_nested.is_some())
            .map(|(k, _)| (&**k, 0))
            .collect();
        if !overridden.is_empty() {
            for (_, own) in &self.done {
                for key in own.keys() {
                    if let Some(n) = overridden.get_mut(key) {
                        *n += 1;
                    }
                }
            }
            let first_bad = default
                .entries
                .iter()
                .filter(|(k, _)| overridden.get(&**k).is_some_and(|&n| n < self.done.len()))
                .filter_map(|(k, v)| Some((v.bad_nested?, k)))
                .min();
            if let Some((line, key)) = first_bad {
                return Err(ParseError {
                    line,
                    problem: Problem::NestedWithoutEquals {
                        key: (**key).into(),
                    },
                });
            }
        }
        Ok(Arc::new(table(default.entries.into_iter())))
    }
}

/// Whether `key` is not yet among `entries`. `seen` is used only once a section has
/// many keys: most have a handful, and comparing those costs less than hashing one.
fn is_new_key<'a>(
    entries: &[(Cow<'a, str>, Value<'a>)],
    seen: &mut HashSet<Cow<'a, str>>,
    key: &str,
) -> bool {
    const FEW: usize = 16;
    if entries.len() < FEW {
        return !entries.iter().any(|(k, _)| k == key);
    }
    // `seen` holds the first `seen.len()` keys (they are unique): add the others.
    let synced = seen.len();
    seen.extend(entries[synced..].iter().map(|(k, _)| k.clone()));
    !seen.contains(key)
}

fn table<'a>(entries: impl Iterator<Item = (Cow<'a, str>, Value<'a>)>) -> Table {
    Table::new(entries.map(|(k, v)| (k.into(), v.finish())).collect())
}

/// `SECTCRE` (`\[(?P<header>.+)\]`, matched at the start of the stripped line): the name
/// runs to the *last* `]` and must not be empty; text after it is ignored, so
/// `[default] ; c` and `[profile a]b]` are headers (behavior.md §3.2).
fn header_name(value: &str) -> Option<&str> {
    let rest = value.strip_prefix('[')?;
    let close = rest.rfind(']')?;
    (close > 0).then(|| &rest[..close])
}

/// Why a line starting with `[` is no header: [`header_name`] found no `]` after a
/// non-empty name, so either the name is empty or there is no `]` at all.
fn bad_header(value: &str) -> Option<Problem> {
    let rest = value.strip_prefix('[')?;
    Some(if rest.starts_with(']') {
        Problem::EmptyHeader
    } else {
        Problem::UnclosedHeader
    })
}

/// Whether one continuation line of a `key =` value is acceptable to botocore's nested
/// parser: every piece `str.splitlines()` cuts it into is blank or holds an `=`.
fn nested_line_ok(line: &str) -> bool {
    line.split(is_py_line_break)
        .all(|piece| py_strip(piece).is_empty() || piece.contains('='))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each section's name and `(key, value)` pairs, `[DEFAULT]` ones included.
    type Sections = Vec<(String, Vec<(String, String)>)>;

    /// Every section as `scan` + `section` builds it, in the form `parse` returns.
    fn lazily(text: &str) -> Result<Sections, ParseError> {
        let scan = scan(text)?;
        Ok(scan
            .sections
            .iter()
            .map(|span| {
                let props = section(text, span, scan.defaults.as_ref());
                let pairs = props.iter().map(|(k, v)| (k.into(), v.into())).collect();
                (text[span.name.clone()].to_owned(), pairs)
            })
            .collect())
    }

    fn eagerly(text: &str) -> Result<Sections, ParseError> {
        parse(text).map(named_pairs)
    }

    fn named_pairs(sections: Vec<Section>) -> Sections {
        sections
            .into_iter()
            .map(|s| {
                let pairs = s
                    .properties
                    .iter()
                    .map(|(k, v)| (k.into(), v.into()))
                    .collect();
                (s.name.into(), pairs)
            })
            .collect()
    }

    #[test]
    fn scan_then_build_equals_parse() {
        let texts = [
            "",
            "[default]\nregion = us-east-1\n",
            "# c\n[a]\nk = v\n  more\n\n  after blank\n; c\n[b]\r\nK : V\r\n",
            "[DEFAULT]\nd = 1\n[a]\nk = 1\n[DEFAULT]\ne = 2\n[b]\nd = 3\n",
            "[a]\ns3 =\n  x = 1\n\n  y = 2\n[b]\n  [not a header]\n",
            "[a]\nk = v\n  [b]\n[c]\nk = \u{3000}v\u{3000}\n\u{3000}cont\n",
            "[a]\rk = v\r[b]\rk = w",
            "[DEFAULT]\nn =\n  bad\n[a]\nn = own\n",
            "[DEFAULT]\nn =\n  bad\n[a]\nm = 1\n",
            "[a]\nk = 1\n[a]\n",
            "[a]\nk = 1\nK = 2\n",
            "k = 1\n",
            "[a]\nnot a pair\n",
            "[a]\nk =\n  no equals\n",
            "[]\n",
        ];
        for text in texts {
            assert_eq!(lazily(text), eagerly(text), "{text:?}");
        }
        // Many keys: the duplicate check switches from comparing to hashing.
        let mut many = String::from("[a]\n");
        for i in 0..40 {
            many.push_str(&format!("k{i} = {i}\n"));
        }
        assert_eq!(lazily(&many), eagerly(&many));
        many.push_str("K7 = again\n");
        assert_eq!(
            lazily(&many).unwrap_err().problem,
            Problem::DuplicateKey {
                key: "k7".into(),
                section: "a".into()
            }
        );
    }

    /// Random texts from the grammar's corner cases: the scan (and the sections built
    /// from it) must agree with the full parse on every one, errors and lines included.
    #[test]
    fn scan_agrees_with_parse_on_random_texts() {
        const PIECES: [&str; 30] = [
            "[a]",
            "[b]",
            "[A]",
            "[DEFAULT]",
            "[]",
            "[x",
            " [a]",
            "[profile p]q]",
            "k = v",
            "K = v",
            "k=",
            "k :v",
            "=v",
            ": v",
            "k2 = \u{3000}x\u{3000}",
            "  x = 1",
            "  bad",
            "\t y = 2",
            "\u{3000}z",
            "# c",
            "; c",
            "",
            " ",
            "\u{3000}",
            "kk = 1 # not a comment",
            "x",
            "é = 1",
            "k\u{b}x = 1",
            "  [a]",
            "s3 =",
        ];
        const ENDS: [&str; 3] = ["\n", "\r\n", "\r"];
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for _ in 0..3000 {
            let mut text = String::new();
            for _ in 0..next(12) {
                text.push_str(PIECES[next(PIECES.len())]);
                text.push_str(ENDS[next(ENDS.len())]);
            }
            if next(2) == 0 {
                text.push_str(PIECES[next(PIECES.len())]);
            }
            let lazy = lazily(&text);
            assert_eq!(lazy, eagerly(&text), "{text:?}");
            assert_eq!(lazy, line_by_line(&text), "{text:?}");
        }
    }

    /// [`eagerly`] without the plain-key fast path: every line through `Parser::line`.
    fn line_by_line(text: &str) -> Result<Sections, ParseError> {
        run_lines(text, true, false)?.finish().map(named_pairs)
    }
}
