//! Entry points for the fuzz targets in `fuzz/` (feature `fuzzing`; not part of the API).
//!
//! Most targets drive the public API — [`SharedConfig::from_sources`](crate::config::SharedConfig::from_sources),
//! [`Remote::parse`](crate::Remote::parse), a [`Resolver`](crate::Resolver) over a
//! [`MemoryEnvironment`](crate::env::MemoryEnvironment) whose files, HTTP answers and
//! process output are the fuzz bytes. These hooks reach the few crate-private parsers
//! that sit behind other checks there, so the fuzzer spends its time on them directly.
//! Each hook checks the invariants of what it calls and panics when one breaks, which
//! libFuzzer reports as a crash.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::credentials::{process, timestamp, xml};
use crate::env::Platform;

/// Parses an expiry timestamp as every provider does, and checks that a parsed time
/// prints in the `…Z` form and parses back to the same second, and that the form
/// written to cache files always parses back, never later.
pub fn timestamp(text: &str) -> Option<SystemTime> {
    let t = timestamp::parse(text).ok()?;
    let printed = timestamp::format_utc(t);
    // Years 0001-9999 print as `YYYY-MM-DDTHH:MM:SSZ`; an offset can push a year-0000
    // time before year 1 (`-001-…`) and times past 9999 print as a number of seconds:
    // both only ever appear in messages.
    if printed.len() == 20 && printed.starts_with(|c: char| c.is_ascii_digit()) {
        let again = timestamp::parse(&printed)
            .unwrap_or_else(|e| panic!("{printed:?} (from {text:?}) does not parse: {e:?}"));
        assert_eq!(
            whole_seconds(again),
            whole_seconds(t),
            "{text:?} -> {printed:?} does not round-trip"
        );
    }
    // What cache files get (issue 18): always a time that parses back, never later
    // than `t`, and `t` itself whenever it is spellable.
    let written = timestamp::format_for_file(t);
    let back = timestamp::parse(&written)
        .unwrap_or_else(|e| panic!("{written:?} (for {text:?}) does not parse: {e:?}"));
    assert!(
        whole_seconds(back) <= whole_seconds(t).max(0),
        "{text:?} -> {written:?} is later"
    );
    if written == printed {
        assert_eq!(
            whole_seconds(back),
            whole_seconds(t),
            "{text:?} -> {written:?}"
        );
    }
    Some(t)
}

fn whole_seconds(t: SystemTime) -> i128 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i128::from(d.as_secs()),
        // Before 1970: round towards the past, as the printed form does.
        Err(e) => {
            let d = e.duration();
            -i128::from(d.as_secs()) - i128::from(d.subsec_nanos() > 0)
        }
    }
}

/// The text of the element at `path` in an STS-shaped XML document.
pub fn xml_text(doc: &str, path: &[&str]) -> Option<String> {
    xml::text(doc, path)
}

/// Splits a `credential_process` command line, POSIX or Windows rules.
pub fn split_command(command: &str, windows: bool) -> Option<Vec<String>> {
    let platform = if windows {
        Platform::Windows
    } else {
        Platform::Unix
    };
    process::split(command, platform).ok()
}

/// Python's `shlex.split` as the config module has it (for section names): the reference
/// the `credential_process` splitter is compared with.
pub fn shlex_split(text: &str) -> Option<Vec<String>> {
    crate::config::shlex_split(text)
}
