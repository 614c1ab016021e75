//! Expiry timestamps as AWS tools write them.
//!
//! botocore parses every expiry (`AWS_CREDENTIAL_EXPIRATION`, the SSO token cache, the
//! CLI credential cache, `credential_process` output) with `dateutil`, which accepts
//! almost anything. What AWS tools actually write is a handful of ISO 8601 shapes:
//! `2099-01-01T00:00:00Z`, `…UTC` (the CLI's role cache), `…+00:00`, fractional seconds,
//! and a space instead of `T`. Those are accepted here. A time without a zone is
//! accepted by dateutil but then crashes botocore's comparison with an aware "now"
//! (`reference/behavior.md` §4.5); here it is a clear error instead.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Why a timestamp was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TimestampError {
    /// Not of any accepted shape.
    Malformed,
    /// A date and time without `Z`, `UTC` or an offset.
    NoZone,
}

impl TimestampError {
    /// A phrase for error messages.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            TimestampError::Malformed => {
                "is not an ISO 8601 date and time such as 2030-01-01T00:00:00Z"
            }
            TimestampError::NoZone => "has no time zone; add Z (UTC) or an offset such as +00:00",
        }
    }
}

/// Parses `YYYY-MM-DD[T ]HH:MM:SS[.fraction](Z|UTC|GMT|±HH:MM|±HHMM|±HH)`.
pub(crate) fn parse(s: &str) -> Result<SystemTime, TimestampError> {
    use TimestampError::*;
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 19 {
        // A bare date (`2030-01-01`) has neither a time nor a zone.
        let bare_date = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && digits(b, 0, 4).is_some()
            && digits(b, 5, 2).is_some()
            && digits(b, 8, 2).is_some();
        return Err(if bare_date { NoZone } else { Malformed });
    }
    let year = digits(b, 0, 4).ok_or(Malformed)?;
    let month = digits(b, 5, 2).ok_or(Malformed)?;
    let day = digits(b, 8, 2).ok_or(Malformed)?;
    let hour = digits(b, 11, 2).ok_or(Malformed)?;
    let minute = digits(b, 14, 2).ok_or(Malformed)?;
    let second = digits(b, 17, 2).ok_or(Malformed)?;
    if b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return Err(Malformed);
    }
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return Err(Malformed);
    }

    // Fractional seconds.
    let mut rest = &s[19..];
    let mut nanos = 0u32;
    if let Some(frac) = rest.strip_prefix(['.', ',']) {
        let len = frac.bytes().take_while(u8::is_ascii_digit).count();
        if len == 0 {
            return Err(Malformed);
        }
        for (i, d) in frac.bytes().take(len).enumerate() {
            if i < 9 {
                nanos += u32::from(d - b'0') * 10u32.pow(8 - i as u32);
            }
        }
        rest = &frac[len..];
    }

    let offset_secs: i64 = match rest.trim_start() {
        "" => return Err(NoZone),
        "Z" | "z" | "UTC" | "utc" | "GMT" => 0,
        zone => parse_offset(zone).ok_or(Malformed)?,
    };

    let days = crate::sign::days_from_civil(i64::from(year), month, day);
    // A leap second (:60) is folded into the next second, as dateutil would refuse it
    // and every AWS writer never produces it; it must not panic either way.
    let unix = days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second)
        - offset_secs;
    if unix >= 0 {
        Ok(UNIX_EPOCH + Duration::new(unix as u64, nanos))
    } else {
        // Before 1970: representable, and certainly expired.
        Ok(UNIX_EPOCH - Duration::from_secs(unix.unsigned_abs())
            + Duration::from_nanos(u64::from(nanos)))
    }
}

fn parse_offset(zone: &str) -> Option<i64> {
    let (sign, rest) = match zone.as_bytes().first()? {
        b'+' => (1, &zone[1..]),
        b'-' => (-1, &zone[1..]),
        _ => return None,
    };
    let b = rest.as_bytes();
    let (h, m) = match b.len() {
        2 => (digits(b, 0, 2)?, 0),
        4 => (digits(b, 0, 2)?, digits(b, 2, 2)?),
        5 if b[2] == b':' => (digits(b, 0, 2)?, digits(b, 3, 2)?),
        _ => return None,
    };
    if h > 23 || m > 59 {
        return None;
    }
    Some(sign * (i64::from(h) * 3600 + i64::from(m) * 60))
}

fn digits(b: &[u8], start: usize, len: usize) -> Option<u32> {
    b.get(start..start + len)?.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if y.is_multiple_of(4) && (!y.is_multiple_of(100) || y.is_multiple_of(400)) => 29,
        _ => 28,
    }
}

/// `2030-01-01T00:00:00Z` for `t`, truncated to the second: for messages and `--explain`.
pub(crate) fn format_utc(t: SystemTime) -> String {
    let unix = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        // Before 1970, truncating to the second is rounding down: 0.5 s before the
        // epoch is 1969-12-31T23:59:59Z, not 1970-01-01T00:00:00Z.
        Err(e) => {
            let d = e.duration();
            -(d.as_secs() as i64) - i64::from(d.subsec_nanos() > 0)
        }
    };
    match time::OffsetDateTime::from_unix_timestamp(unix) {
        Ok(dt) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            dt.year(),
            u8::from(dt.month()),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second()
        ),
        Err(_) => format!("{unix} seconds since 1970"),
    }
}

/// The last second the AWS CLI's cache formats can spell: 9999-12-31T23:59:59Z.
const LAST_SPELLABLE: u64 = crate::sign::SigningTime::MAX_UNIX as u64;

/// `t` as an expiry written to a file the AWS CLI also reads (its credential cache, the
/// SSO token cache): [`format_utc`] of `t`, clamped to 1970 to 9999.
///
/// A later expiry (a service may promise anything) would come out as `N seconds since
/// 1970`, which botocore cannot parse — breaking the profile for the CLI, and making us
/// miss our own cache and call the service on every run. The clamped time is earlier
/// than the real one, so an entry is never used past its credentials' life.
pub(crate) fn format_for_file(t: SystemTime) -> String {
    let last = UNIX_EPOCH + Duration::from_secs(LAST_SPELLABLE);
    format_utc(t.clamp(UNIX_EPOCH, last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_get_only_spellable_expiries() {
        let at = |secs: u64| UNIX_EPOCH + Duration::from_secs(secs);
        assert_eq!(format_for_file(at(1_800_000_000)), "2027-01-15T08:00:00Z");
        assert_eq!(format_for_file(at(LAST_SPELLABLE)), "9999-12-31T23:59:59Z");
        for beyond in [LAST_SPELLABLE + 1, 253_402_387_139, u64::MAX / 2] {
            let written = format_for_file(at(beyond));
            assert_eq!(written, "9999-12-31T23:59:59Z");
            assert!(parse(&written).is_ok());
        }
        assert_eq!(
            format_for_file(UNIX_EPOCH - Duration::from_secs(5)),
            "1970-01-01T00:00:00Z"
        );
    }

    fn unix(s: &str) -> i64 {
        let t = parse(s).unwrap_or_else(|e| panic!("{s}: {e:?}"));
        match t.duration_since(UNIX_EPOCH) {
            Ok(d) => d.as_secs() as i64,
            Err(e) => -(e.duration().as_secs() as i64),
        }
    }

    /// The shapes botocore was observed to accept (`reference/behavior.md` §5.2, §6.3).
    #[test]
    fn accepted_shapes() {
        let want = 4_070_908_800; // 2099-01-01T00:00:00Z
        for s in [
            "2099-01-01T00:00:00Z",
            "2099-01-01T00:00:00UTC",
            "2099-01-01T00:00:00+00:00",
            "2099-01-01T00:00:00.123456Z",
            "2099-01-01 00:00:00Z",
            "2099-01-01T01:00:00+01:00",
            "2098-12-31T19:00:00-0500",
            "2099-01-01T02:00:00+02",
            " 2099-01-01T00:00:00Z\n",
            "2099-01-01t00:00:00z",
        ] {
            assert_eq!(unix(s), want, "{s}");
        }
        assert_eq!(unix("1969-12-31T23:59:59Z"), -1);
        assert_eq!(unix("2024-02-29T23:59:59Z"), 1_709_251_199);
    }

    #[test]
    fn fractions_are_kept() {
        let t = parse("2099-01-01T00:00:00.5Z").unwrap();
        assert_eq!(t.duration_since(UNIX_EPOCH).unwrap().subsec_millis(), 500);
    }

    #[test]
    fn refused_shapes() {
        for s in [
            "2099-01-01T00:00:00",
            "2099-01-01 00:00:00.123",
            "2099-01-01",
        ] {
            assert_eq!(parse(s), Err(TimestampError::NoZone), "{s}");
        }
        for s in [
            "",
            "tomorrow",
            "1651516560",
            "2099-13-01T00:00:00Z",
            "2099-02-30T00:00:00Z",
            "2099-01-01T24:00:00Z",
            "2099-01-01T00:00:00+25:00",
            "2099-01-01T00:00:00 PST",
            "2099-01-01T00:00:00.Z",
            "2099/01/01T00:00:00Z",
            "２099-01-01T00:00:00Z",
        ] {
            assert_eq!(parse(s), Err(TimestampError::Malformed), "{s:?}");
        }
    }

    /// Found by the `timestamp` fuzz target: a time before 1970 with a fraction printed
    /// one second late (`0000-01-04T12:00:00.5Z` as `…12:00:01Z`).
    #[test]
    fn formats_fractions_before_1970_rounding_down() {
        for (text, printed) in [
            ("1969-12-31T23:59:59.5Z", "1969-12-31T23:59:59Z"),
            ("0000-01-04T12:00:00.5Z", "0000-01-04T12:00:00Z"),
            ("1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z"),
            ("1970-01-01T00:00:00.5Z", "1970-01-01T00:00:00Z"),
        ] {
            assert_eq!(format_utc(parse(text).unwrap()), printed, "{text}");
        }
    }

    #[test]
    fn formats_utc() {
        assert_eq!(
            format_utc(UNIX_EPOCH + Duration::from_secs(1_651_516_560)),
            "2022-05-02T18:36:00Z"
        );
    }
}
