//! Writing SSO profiles into the shared config file without disturbing the rest of it:
//! the config writer behind `codecommit-auth profiles`.
//!
//! | owns | must not |
//! |---|---|
//! | where our profiles go in a user's file, which sections are ours | parse values, touch files |
//!
//! The file is edited as text, never re-serialized: the sections are located with the
//! same scan the reader uses ([`scan`]), so a header is found exactly where botocore
//! sees one (not inside a continuation line), and every byte outside the sections we
//! own is copied through unchanged — comments, order, spacing, line endings, a missing
//! final newline.
//!
//! A section is ours when the line directly above its header is the marker
//! [`marker`] for the sso-session being written. Ours are rewritten in place; any other
//! section with a wanted name is left alone and reported. New profiles go at the end of
//! the file, each after a blank line, in the file's own line ending.

use std::collections::HashMap;
use std::ops::Range;

use super::parser::{ParseError, scan};
use super::sections::{Kind, classify_borrowed};
use super::text::{lines, py_rstrip, py_strip};

/// One profile to write: its name and its keys in the order they are written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NewProfile {
    pub(crate) name: String,
    pub(crate) keys: Vec<(&'static str, String)>,
}

/// What [`apply`] did, profile by profile (names in the order of the wanted list).
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Applied {
    /// The whole new file.
    pub(crate) text: String,
    /// Written at the end of the file.
    pub(crate) added: Vec<String>,
    /// Ours already, rewritten in place with new values.
    pub(crate) updated: Vec<String>,
    /// Ours already, with these values already.
    pub(crate) unchanged: Vec<String>,
    /// A profile of this name exists and is not ours: left alone.
    pub(crate) kept: Vec<String>,
    /// Ours, for this sso-session, but no longer wanted (the portal no longer lists
    /// them): left as they are.
    pub(crate) stale: Vec<String>,
}

/// The comment line directly above the header of every profile we own.
pub(crate) fn marker(sso_session: &str) -> String {
    format!("# managed by codecommit-auth profiles --sso-session {sso_session}")
}

/// A profile section of the file: where its header starts, where its content ends
/// (after its last line that is neither blank nor a comment, terminator included), and
/// whether it is ours.
struct Found {
    content: Range<usize>,
    ours: bool,
}

/// Rewrites `text` (a config file's contents, `""` if there is none) so it holds
/// `wanted` for `sso_session`. `taken` says whether a name is in use outside this file
/// (the credentials file): such a name is kept, like an unowned section.
///
/// # Errors
///
/// The parse error if `text` is not a valid config file (the caller read it with the
/// same grammar before, so only a file changed in between fails here).
pub(crate) fn apply(
    text: &str,
    sso_session: &str,
    wanted: &[NewProfile],
    taken: &dyn Fn(&str) -> bool,
) -> Result<Applied, ParseError> {
    let eol = line_ending(text);
    let marker = marker(sso_session);
    let mut found: HashMap<String, Vec<Found>> = HashMap::new();
    for span in scan(text)?.sections {
        let Kind::Profile(name) = classify_borrowed(&text[span.name.clone()]) else {
            continue;
        };
        let start = span.lines.start;
        found.entry(name.into_owned()).or_default().push(Found {
            content: start..content_end(text, span.lines.clone()),
            ours: line_before(text, start).is_some_and(|l| py_rstrip(l) == marker),
        });
    }

    let mut applied = Applied::default();
    // (range of the old text, its replacement), in no particular order yet.
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let mut appended = String::new();
    let block = |p: &NewProfile| render(&format!("profile {}", p.name), &p.keys, eol);
    let mut seen = std::collections::HashSet::new();
    for profile in wanted {
        let name = profile.name.as_str();
        if !seen.insert(name) {
            // Two wanted profiles of one name: the caller reports the second.
            continue;
        }
        match found.get(name) {
            _ if taken(name) => applied.kept.push(name.to_owned()),
            None => {
                if !appended.is_empty() || !text.is_empty() {
                    appended.push_str(eol);
                }
                appended.push_str(&marker);
                appended.push_str(eol);
                appended.push_str(&block(profile));
                applied.added.push(name.to_owned());
            }
            Some(sections) if sections.iter().all(|s| s.ours) => {
                let range = sections[0].content.clone();
                let mut new = block(profile);
                if range.end == text.len() && !ends_a_line(text) {
                    // The file ended without a line break after our section: it still does.
                    new.truncate(new.len() - eol.len());
                }
                if text[range.clone()] == new {
                    applied.unchanged.push(name.to_owned());
                } else {
                    applied.updated.push(name.to_owned());
                    edits.push((range, new));
                }
            }
            Some(_) => applied.kept.push(name.to_owned()),
        }
    }
    let mut stale: Vec<String> = found
        .iter()
        .filter(|(name, sections)| {
            sections.iter().any(|s| s.ours) && !wanted.iter().any(|w| &w.name == *name)
        })
        .map(|(name, _)| name.clone())
        .collect();
    stale.sort();
    applied.stale = stale;

    edits.sort_by_key(|(range, _)| range.start);
    let mut out = String::with_capacity(text.len() + appended.len() + 64);
    let mut at = 0;
    for (range, new) in edits {
        out.push_str(&text[at..range.start]);
        out.push_str(&new);
        at = range.end;
    }
    out.push_str(&text[at..]);
    append(&mut out, text, appended, eol);
    applied.text = out;
    Ok(applied)
}

/// `text` with an `[sso-session NAME]` section of `keys` added at its end, under our
/// marker (the caller checked that there is none).
pub(crate) fn add_sso_session(text: &str, name: &str, keys: &[(&'static str, String)]) -> String {
    let eol = line_ending(text);
    let mut block = String::new();
    if !text.is_empty() {
        block.push_str(eol);
    }
    block.push_str(&marker(name));
    block.push_str(eol);
    block.push_str(&render(&format!("sso-session {name}"), keys, eol));
    let mut out = text.to_owned();
    append(&mut out, text, block, eol);
    out
}

/// Adds `block` (whole lines) to `out`, the edited `text`: the user's last line gets its
/// line break, and a file that ended without one still does.
fn append(out: &mut String, text: &str, mut block: String, eol: &str) {
    if block.is_empty() {
        return;
    }
    if !text.is_empty() && !ends_a_line(text) {
        out.push_str(eol);
        block.truncate(block.len() - eol.len());
    }
    out.push_str(&block);
}

/// `[HEADER]` and its keys, each line ended by `eol`.
fn render(header: &str, keys: &[(&'static str, String)], eol: &str) -> String {
    let mut out = format!("[{header}]{eol}");
    for (key, value) in keys {
        out.push_str(key);
        out.push_str(" = ");
        out.push_str(value);
        out.push_str(eol);
    }
    out
}

/// The file's line ending, from its first line break: CRLF, CR or LF (LF for a file
/// without one).
fn line_ending(text: &str) -> &'static str {
    match text.find(['\n', '\r']) {
        Some(at) if text[at..].starts_with("\r\n") => "\r\n",
        Some(at) if text.as_bytes()[at] == b'\r' => "\r",
        _ => "\n",
    }
}

fn ends_a_line(text: &str) -> bool {
    text.ends_with(['\n', '\r'])
}

/// The line that ends right before byte `start` (a line start), without its terminator.
fn line_before(text: &str, start: usize) -> Option<&str> {
    let before = &text[..start];
    let before = before
        .strip_suffix("\r\n")
        .or_else(|| before.strip_suffix(['\n', '\r']))?;
    let from = before.rfind(['\n', '\r']).map_or(0, |at| at + 1);
    Some(&before[from..])
}

/// The end of the last line in `span` that is neither blank nor a comment, its line
/// break included: the part of a section that belongs to it, without the blank lines
/// and comments that lead to the next section (which may be the next one's marker).
fn content_end(text: &str, span: Range<usize>) -> usize {
    let base = text.as_ptr() as usize;
    let mut end = span.start;
    for (_, line) in lines(&text[span.clone()]) {
        let value = py_strip(line);
        if value.is_empty() || value.starts_with(['#', ';']) {
            continue;
        }
        let line_end = line.as_ptr() as usize - base + line.len();
        let rest = &text[line_end..span.end];
        end = line_end
            + if rest.starts_with("\r\n") {
                2
            } else {
                usize::from(rest.starts_with(['\n', '\r']))
            };
    }
    end
}

/// A unified diff of `old` against `new` (3 lines of context), headed `--- LABEL`,
/// `+++ LABEL`; empty when they are equal. Lines are compared with their line breaks,
/// so a line that gains one shows as changed, with `\ No newline at end of file`.
pub(crate) fn unified_diff(label: &str, old: &str, new: &str) -> String {
    let a = split_keeping_ends(old);
    let b = split_keeping_ends(new);
    let ops = diff_lines(&a, &b);
    if ops.iter().all(|op| matches!(op, Op::Same(..))) {
        return String::new();
    }
    const CONTEXT: usize = 3;
    let mut out = format!("--- {label}\n+++ {label}\n");
    // Hunks: runs of changes joined when fewer than 2 × CONTEXT equal lines lie between.
    let changed: Vec<usize> = (0..ops.len())
        .filter(|&i| !matches!(ops[i], Op::Same(..)))
        .collect();
    let mut groups: Vec<(usize, usize)> = Vec::new();
    for &i in &changed {
        match groups.last_mut() {
            Some((_, last)) if i - *last <= 2 * CONTEXT => *last = i,
            _ => groups.push((i, i)),
        }
    }
    for (first, last) in groups {
        let from = first.saturating_sub(CONTEXT);
        let to = (last + CONTEXT + 1).min(ops.len());
        let hunk = &ops[from..to];
        // Where the hunk starts in each file: the first line either side it shows, or
        // the line it follows.
        let (mut a_start, mut b_start) = (None, None);
        let (mut a_len, mut b_len) = (0, 0);
        for op in hunk {
            match *op {
                Op::Same(i, j) => {
                    a_start.get_or_insert(i);
                    b_start.get_or_insert(j);
                    a_len += 1;
                    b_len += 1;
                }
                Op::Delete(i) => {
                    a_start.get_or_insert(i);
                    a_len += 1;
                }
                Op::Insert(j) => {
                    b_start.get_or_insert(j);
                    b_len += 1;
                }
            }
        }
        let position = |start: Option<usize>, len: usize, before: usize| match start {
            Some(s) if len > 0 => format!("{},{len}", s + 1),
            _ => format!("{before},0"),
        };
        let a_before = ops[..from]
            .iter()
            .filter(|op| !matches!(op, Op::Insert(_)))
            .count();
        let b_before = ops[..from]
            .iter()
            .filter(|op| !matches!(op, Op::Delete(_)))
            .count();
        out.push_str(&format!(
            "@@ -{} +{} @@\n",
            position(a_start, a_len, a_before),
            position(b_start, b_len, b_before)
        ));
        for op in hunk {
            let (sign, line) = match *op {
                Op::Same(i, _) => (' ', a[i]),
                Op::Delete(i) => ('-', a[i]),
                Op::Insert(j) => ('+', b[j]),
            };
            out.push(sign);
            let bare = line
                .strip_suffix("\r\n")
                .or_else(|| line.strip_suffix(['\n', '\r']));
            out.push_str(&redacted(bare.unwrap_or(line)));
            out.push('\n');
            if bare.is_none() {
                out.push_str("\\ No newline at end of file\n");
            }
        }
    }
    out
}

/// Keys whose values are secrets (static keys in the config file): a diff shows the
/// user's lines around ours, and these values stay out of it.
const SECRET_KEYS: [&str; 3] = [
    "aws_secret_access_key",
    "aws_session_token",
    "aws_security_token",
];

/// `line`, or `KEY = <redacted>` if it sets a secret.
fn redacted(line: &str) -> std::borrow::Cow<'_, str> {
    match line.find(['=', ':']) {
        Some(at) if SECRET_KEYS.contains(&py_strip(&line[..at]).to_lowercase().as_str()) => {
            format!("{} <redacted>", line[..=at].trim_end()).into()
        }
        _ => line.into(),
    }
}

/// The lines of `text` with their terminators (LF, CRLF, CR).
fn split_keeping_ends(text: &str) -> Vec<&str> {
    let base = text.as_ptr() as usize;
    let mut out = Vec::new();
    let mut at = 0;
    for (_, line) in lines(text) {
        let end = line.as_ptr() as usize - base + line.len();
        let rest = &text[end..];
        let end = end
            + if rest.starts_with("\r\n") {
                2
            } else {
                usize::from(rest.starts_with(['\n', '\r']))
            };
        out.push(&text[at..end]);
        at = end;
    }
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Same(usize, usize),
    Delete(usize),
    Insert(usize),
}

/// Myers' shortest edit script between two line lists, after the common prefix and
/// suffix are set aside; memory grows with the square of the number of changed lines,
/// not with the file.
fn diff_lines(a: &[&str], b: &[&str]) -> Vec<Op> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut ops: Vec<Op> = (0..prefix).map(|i| Op::Same(i, i)).collect();
    ops.extend(myers(ma, mb).into_iter().map(|op| match op {
        Op::Same(i, j) => Op::Same(i + prefix, j + prefix),
        Op::Delete(i) => Op::Delete(i + prefix),
        Op::Insert(j) => Op::Insert(j + prefix),
    }));
    let (a_tail, b_tail) = (a.len() - suffix, b.len() - suffix);
    ops.extend((0..suffix).map(|k| Op::Same(a_tail + k, b_tail + k)));
    ops
}

fn myers(a: &[&str], b: &[&str]) -> Vec<Op> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    // `trace[d]` holds the furthest x on each diagonal k in -(d+1)..=d+1 before step d.
    let mut trace: Vec<Vec<isize>> = Vec::new();
    let mut v: Vec<isize> = vec![0; 3]; // diagonals -1..=1 before step 0
    // The furthest x on diagonal k in a `trace` entry of step d.
    fn at(v: &[isize], d: isize, k: isize) -> isize {
        v[(k + d + 1) as usize]
    }
    'search: for d in 0..=(n + m) {
        trace.push(v.clone());
        let mut next = vec![0; (2 * d + 5) as usize]; // diagonals -(d+2)..=d+2
        for k in (-d..=d).step_by(2) {
            let down = k == -d || (k != d && at(&v, d, k - 1) < at(&v, d, k + 1));
            let mut x = if down {
                at(&v, d, k + 1)
            } else {
                at(&v, d, k - 1) + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            next[(k + d + 2) as usize] = x;
            if x >= n && y >= m {
                break 'search;
            }
        }
        v = next;
    }
    let mut ops = Vec::new();
    let (mut x, mut y) = (n, m);
    for d in (0..trace.len() as isize).rev() {
        let v = &trace[d as usize];
        let k = x - y;
        let down = k == -d || (k != d && at(v, d, k - 1) < at(v, d, k + 1));
        let prev_k = if down { k + 1 } else { k - 1 };
        let prev_x = at(v, d, prev_k);
        let prev_y = prev_x - prev_k;
        while x > prev_x && y > prev_y {
            ops.push(Op::Same((x - 1) as usize, (y - 1) as usize));
            x -= 1;
            y -= 1;
        }
        if d > 0 {
            if x == prev_x {
                ops.push(Op::Insert((y - 1) as usize));
            } else {
                ops.push(Op::Delete((x - 1) as usize));
            }
        }
        x = prev_x;
        y = prev_y;
    }
    ops.reverse();
    ops
}

#[cfg(test)]
mod tests;
