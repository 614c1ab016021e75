//! Python's idea of whitespace, lines and text encoding, which botocore's grammar
//! inherits from `configparser` and `str`.
//!
//! Rust's `char::is_whitespace` and `str::lines` are close to Python's, but not equal:
//! Python counts U+001C..U+001F as whitespace and splits `str.splitlines()` at form feeds
//! and U+2028, while a text-mode file splits only at LF, CRLF and a lone CR. Each helper
//! here names the Python operation it stands for, so the parser reads like the rules in
//! `behavior.md` §3.2.

/// `str.isspace()`, which is also what `re`'s `\s` and argument-less `str.strip()` use
/// (CPython 3.11, Unicode 14).
///
/// Rust's `char::is_whitespace` lacks U+001C..U+001F (information separators, which
/// Python treats as whitespace) and agrees on the rest.
pub(crate) fn is_py_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | '\u{1c}'..='\u{1f}'
            | ' '
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// Where `str.splitlines()` breaks a line (besides LF/CR, which a file read never leaves
/// inside a line, it breaks at VT, FF, U+001C..U+001E, NEL, U+2028 and U+2029).
pub(crate) fn is_py_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\u{b}' | '\u{c}' | '\r' | '\u{1c}'..='\u{1e}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// [`is_py_space`] for one ASCII byte.
fn is_py_space_ascii(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | 0x1c..=0x1f | b' ')
}

/// `s.strip()`.
pub(crate) fn py_strip(s: &str) -> &str {
    py_rstrip(py_lstrip(s))
}

/// `s.lstrip()`.
fn py_lstrip(s: &str) -> &str {
    // Byte by byte while the text is ASCII; by characters from the first other byte.
    match s.bytes().position(|b| !is_py_space_ascii(b)) {
        Some(at) if s.as_bytes()[at].is_ascii() => &s[at..],
        Some(at) => s[at..].trim_start_matches(is_py_space),
        None => "",
    }
}

/// `s.rstrip()`.
pub(crate) fn py_rstrip(s: &str) -> &str {
    match s.bytes().rposition(|b| !is_py_space_ascii(b)) {
        Some(at) if s.as_bytes()[at].is_ascii() => &s[..=at],
        Some(_) => s.trim_end_matches(is_py_space),
        None => "",
    }
}

/// The indentation `configparser` compares: the index, in code points, of the first
/// non-whitespace character (`NONSPACECRE.search(line).start()`).
///
/// Code points, not bytes: a line indented by one U+3000 is indented by 1, not 3.
pub(crate) fn indent_of(line: &str) -> usize {
    match line.bytes().position(|b| !is_py_space_ascii(b)) {
        Some(at) if !line.as_bytes()[at].is_ascii() => {
            at + line[at..].chars().take_while(|&c| is_py_space(c)).count()
        }
        Some(at) => at,
        None => line.len(),
    }
}

/// The physical lines of a file read in Python's text mode with universal newlines:
/// LF, CRLF and a lone CR each end a line; the terminator is not part of the line; a
/// final terminator does not start an empty last line.
///
/// Yields `(line_number, line)` with 1-based line numbers, so every error can name its
/// line the way an editor counts.
pub(crate) fn lines(text: &str) -> Lines<'_> {
    Lines {
        rest: text,
        number: 0,
    }
}

/// Iterator returned by [`lines`].
pub(crate) struct Lines<'a> {
    rest: &'a str,
    number: usize,
}

impl<'a> Iterator for Lines<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<(usize, &'a str)> {
        if self.rest.is_empty() {
            return None;
        }
        self.number += 1;
        let bytes = self.rest.as_bytes();
        let end = line_end(bytes).unwrap_or(bytes.len());
        // Both terminators are ASCII, so `end` and the next line's start are char
        // boundaries.
        let (line, rest) = (&self.rest[..end], &self.rest[next_line(bytes, end)..]);
        self.rest = rest;
        Some((self.number, line))
    }
}

/// Where the line after the one ending at `end` (a terminator, or the end) starts:
/// past a CRLF, a lone CR or an LF.
pub(crate) fn next_line(bytes: &[u8], end: usize) -> usize {
    match bytes.get(end) {
        None => end,
        Some(b'\r') if bytes.get(end + 1) == Some(&b'\n') => end + 2,
        Some(_) => end + 1,
    }
}

/// The index of the first LF or CR in `bytes`, eight bytes at a time.
pub(crate) fn line_end(bytes: &[u8]) -> Option<usize> {
    find_any(bytes, [b'\n', b'\r'])
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The index of the first of `needles` in `bytes`, eight bytes at a time.
pub(crate) fn find_any<const N: usize>(bytes: &[u8], needles: [u8; N]) -> Option<usize> {
    // The lowest set bit marks the first zero byte of `w` (bits above it can be false).
    let zeros = |w: u64| w.wrapping_sub(ONES) & !w & HIGH;
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let w = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        let found = needles
            .iter()
            .fold(0, |found, &n| found | zeros(w ^ (ONES * u64::from(n))));
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    bytes[at..]
        .iter()
        .position(|b| needles.contains(b))
        .map(|end| at + end)
}

/// Whether `bytes` holds an upper-case ASCII letter or a byte of a non-ASCII character:
/// whether the text would change under `str.lower()` or is not plain ASCII. Eight bytes
/// at a time.
pub(crate) fn has_upper_or_non_ascii(bytes: &[u8]) -> bool {
    let word = |at: usize| {
        let chunk = bytes.get(at..at + 8).unwrap_or_default();
        u64::from_le_bytes(chunk.try_into().unwrap_or_default())
    };
    // For bytes below 0x80 nothing carries into the next byte: the high bit says
    // `b >= 0x41` ('A') and `b >= 0x5B` (after 'Z').
    let upper = |w: u64| (w + ONES * 0x3F) & !(w + ONES * 0x25) & HIGH;
    let bad = |w: u64| w & HIGH != 0 || upper(w) != 0;
    if bytes.len() < 8 {
        return bytes
            .iter()
            .any(|b| b.is_ascii_uppercase() || !b.is_ascii());
    }
    // Whole words, and the last eight bytes (which may overlap the one before).
    (0..bytes.len() - 7).step_by(8).any(|at| bad(word(at))) || bad(word(bytes.len() - 8))
}

/// What is wrong with a file's bytes as text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DecodeProblem {
    /// The file starts with the UTF-8 byte-order mark.
    ByteOrderMark,
    /// The bytes are not UTF-8.
    InvalidUtf8,
}

/// The file's bytes as text, as botocore decodes them on Linux and macOS: strict UTF-8,
/// and a byte-order mark is not skipped.
///
/// On error, also returns the 1-based line holding the first bad byte.
// BOTOCORE: behavior.md §3.1 — the locale encoding is UTF-8 on Unix, and `open()` uses
// the plain "utf-8" codec, which keeps U+FEFF as a character in front of the first `[`;
// configparser then sees text before any section header. We fail with a message that
// names the cause instead of the symptom. Windows (cp1252) is not reproduced: we read
// UTF-8 there too.
pub(crate) fn decode(bytes: &[u8]) -> Result<&str, (usize, DecodeProblem)> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        return Err((1, DecodeProblem::ByteOrderMark));
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        // The prefix is valid UTF-8 by construction; count its line terminators.
        let text = std::str::from_utf8(valid).unwrap_or_default();
        let mut line = lines(text).count().max(1);
        if text.ends_with(['\n', '\r']) {
            line += 1; // the bad byte starts a new line
        }
        (line, DecodeProblem::InvalidUtf8)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn py_space_matches_cpython_311() {
        // The full list printed by CPython 3.11.7:
        // [c for c in range(0x110000) if chr(c).isspace()]
        let expected: Vec<u32> = [
            0x9, 0xa, 0xb, 0xc, 0xd, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000,
            0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028,
            0x2029, 0x202f, 0x205f, 0x3000,
        ]
        .to_vec();
        let got: Vec<u32> = (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|&c| is_py_space(c))
            .map(u32::from)
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn py_line_breaks_match_cpython_311() {
        // [c for c in range(0x110000) if len(('a'+chr(c)+'b').splitlines()) > 1]
        let expected: Vec<u32> = vec![0xa, 0xb, 0xc, 0xd, 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029];
        let got: Vec<u32> = (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|&c| is_py_line_break(c))
            .map(u32::from)
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn universal_newlines() {
        let got: Vec<_> = lines("a\nb\r\nc\rd\r\r\ne\n").collect();
        assert_eq!(
            got,
            vec![(1, "a"), (2, "b"), (3, "c"), (4, "d"), (5, ""), (6, "e")]
        );
        assert_eq!(lines("").count(), 0);
        assert_eq!(lines("\n").collect::<Vec<_>>(), vec![(1, "")]);
        assert_eq!(lines("x").collect::<Vec<_>>(), vec![(1, "x")]);
        // Only LF and CR end a physical line; FF, NEL and U+2028 stay inside it.
        assert_eq!(lines("a\u{c}b\u{85}c\u{2028}d").count(), 1);
    }

    #[test]
    fn byte_fast_paths_agree_with_char_definitions() {
        let pieces = [
            "", " ", "\t", "\u{1f}", "\u{3000}", "\u{a0}", "x", "é", "=", "\n", "\r",
        ];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    for d in pieces {
                        let s = format!("{a}{b}x{c}{d}{a}{b}{c}");
                        assert_eq!(py_strip(&s), s.trim_matches(is_py_space), "{s:?}");
                        assert_eq!(py_rstrip(&s), s.trim_end_matches(is_py_space), "{s:?}");
                        let indent = s.chars().take_while(|&c| is_py_space(c)).count();
                        assert_eq!(indent_of(&s), indent, "{s:?}");
                        let eol = s.bytes().position(|b| b == b'\n' || b == b'\r');
                        assert_eq!(line_end(s.as_bytes()), eol, "{s:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn word_at_a_time_searches_agree_with_byte_by_byte() {
        // Every byte value at every place of buffers shorter and longer than a word.
        for len in 1..=20 {
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = b;
                    let upper = bytes
                        .iter()
                        .any(|b| b.is_ascii_uppercase() || !b.is_ascii());
                    assert_eq!(has_upper_or_non_ascii(&bytes), upper, "{bytes:?}");
                    let needles = [b'=', b':', b'\n', b'\r'];
                    let first = bytes.iter().position(|b| needles.contains(b));
                    assert_eq!(find_any(&bytes, needles), first, "{bytes:?}");
                }
            }
        }
    }

    #[test]
    fn indent_counts_code_points() {
        assert_eq!(indent_of("  x"), 2);
        assert_eq!(indent_of("\u{3000}x"), 1);
        assert_eq!(indent_of("\t\u{1f}x"), 2);
        assert_eq!(indent_of("x "), 0);
    }

    #[test]
    fn decode_rejects_bom_and_bad_utf8_with_line() {
        assert_eq!(
            decode(b"\xEF\xBB\xBF[default]"),
            Err((1, DecodeProblem::ByteOrderMark))
        );
        assert_eq!(
            decode(b"[a]\nk = \xff"),
            Err((2, DecodeProblem::InvalidUtf8))
        );
        assert_eq!(decode(b"[a]\r\n\xff"), Err((2, DecodeProblem::InvalidUtf8)));
        assert_eq!(decode(b"\xff"), Err((1, DecodeProblem::InvalidUtf8)));
        assert_eq!(decode(b"[a]\n"), Ok("[a]\n"));
        // A BOM later in the file is just a character.
        assert_eq!(
            decode("[a]\nk = \u{feff}".as_bytes()),
            Ok("[a]\nk = \u{feff}")
        );
    }
}
