//! The signing time, pre-formatted.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::{Error, ErrorKind};

/// The moment a URL is signed, already written as SigV4's basic-format timestamp.
///
/// CodeCommit rejects signatures much older than 15 minutes, so outside tests this is
/// the current time. The timestamp is formatted once, here, so signing itself does no
/// calendar arithmetic.
///
/// ```
/// use codecommit_auth::SigningTime;
///
/// let t = SigningTime::from_unix(1_514_116_400)?; // 2017-12-24 11:53:20 UTC
/// assert_eq!(t.timestamp(), "20171224T115320");
/// assert_eq!(t.date(), "20171224");
/// assert_eq!(SigningTime::parse("20171224T115320")?, t);
/// # Ok::<(), codecommit_auth::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SigningTime {
    unix: i64,
    stamp: [u8; 15],
}

impl SigningTime {
    /// The latest representable time: 9999-12-31T23:59:59Z (the timestamp has four year
    /// digits).
    pub const MAX_UNIX: i64 = 253_402_300_799;

    /// The time `unix` seconds after the Unix epoch.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidSigningTime`] for times before 1970 or after year 9999.
    pub fn from_unix(unix: i64) -> Result<SigningTime, Error> {
        if !(0..=Self::MAX_UNIX).contains(&unix) {
            return Err(Error::new(
                ErrorKind::InvalidSigningTime,
                format!(
                    "the signing time {unix} (seconds since 1970) is outside 1970-01-01 to \
                     9999-12-31; check the system clock"
                ),
            ));
        }
        let days = unix.div_euclid(86_400);
        let secs = unix.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let mut stamp = [0u8; 15];
        write_digits(&mut stamp[0..4], y as u32);
        write_digits(&mut stamp[4..6], m);
        write_digits(&mut stamp[6..8], d);
        stamp[8] = b'T';
        write_digits(&mut stamp[9..11], (secs / 3600) as u32);
        write_digits(&mut stamp[11..13], (secs / 60 % 60) as u32);
        write_digits(&mut stamp[13..15], (secs % 60) as u32);
        Ok(SigningTime { unix, stamp })
    }

    /// The given system time, truncated to the second.
    ///
    /// # Errors
    ///
    /// As [`SigningTime::from_unix`].
    pub fn from_system_time(time: SystemTime) -> Result<SigningTime, Error> {
        let unix = match time.duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            Err(_) => -1,
        };
        SigningTime::from_unix(unix)
    }

    /// Parses the basic format `YYYYMMDDTHHMMSS` (a trailing `Z` is allowed).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidSigningTime`] if `s` is not such a timestamp of a real date.
    pub fn parse(s: &str) -> Result<SigningTime, Error> {
        let bad = || {
            Error::new(
                ErrorKind::InvalidSigningTime,
                format!(
                    "the signing time {s:?} is not of the form YYYYMMDDTHHMMSS, e.g. 20240601T120000"
                ),
            )
        };
        let body = s.strip_suffix('Z').unwrap_or(s).as_bytes();
        if body.len() != 15 || body[8] != b'T' {
            return Err(bad());
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            body[r].iter().try_fold(0u32, |acc, &b| {
                b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
            })
        };
        let fields = (
            num(0..4),
            num(4..6),
            num(6..8),
            num(9..11),
            num(11..13),
            num(13..15),
        );
        let (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(se)) = fields else {
            return Err(bad());
        };
        let days_in_month = match mo {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
            2 => 28,
            _ => return Err(bad()),
        };
        if d == 0 || d > days_in_month || h > 23 || mi > 59 || se > 59 || y < 1970 {
            return Err(bad());
        }
        let days = days_from_civil(i64::from(y), mo, d);
        SigningTime::from_unix(days * 86_400 + i64::from(h * 3600 + mi * 60 + se))
    }

    /// `YYYYMMDDTHHMMSS`, without the `Z` (git-remote-codecommit's string to sign has none).
    pub fn timestamp(&self) -> &str {
        // Only ASCII digits and 'T' are ever written.
        std::str::from_utf8(&self.stamp).unwrap_or("")
    }

    /// `YYYYMMDD`, the credential-scope date.
    pub fn date(&self) -> &str {
        &self.timestamp()[..8]
    }

    /// Seconds since the Unix epoch.
    pub fn unix(&self) -> i64 {
        self.unix
    }

    /// The same moment as a [`SystemTime`].
    pub fn to_system_time(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.unix as u64)
    }
}

impl fmt::Debug for SigningTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SigningTime({}Z)", self.timestamp())
    }
}

impl fmt::Display for SigningTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}Z", self.timestamp())
    }
}

fn write_digits(out: &mut [u8], mut value: u32) {
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The inverse of [`civil_from_days`]: days since 1970-01-01 of a proleptic Gregorian
/// date.
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_time_crate_across_the_range() {
        let fmt = time::macros::format_description!("[year][month][day]T[hour][minute][second]");
        // Every 7919th day over the whole range, at an odd second, plus the edges.
        let mut samples: Vec<i64> = (0..=SigningTime::MAX_UNIX / 86_400)
            .step_by(7919)
            .map(|d| d * 86_400 + 45_296)
            .collect();
        samples.extend([
            0,
            951_868_799,
            951_868_800,
            1_709_251_199,
            SigningTime::MAX_UNIX,
        ]);
        for unix in samples {
            let ours = SigningTime::from_unix(unix).unwrap();
            let theirs = time::OffsetDateTime::from_unix_timestamp(unix)
                .unwrap()
                .format(fmt)
                .unwrap();
            assert_eq!(ours.timestamp(), theirs, "{unix}");
            assert_eq!(SigningTime::parse(ours.timestamp()).unwrap().unix(), unix);
        }
    }

    #[test]
    fn range_edges() {
        assert_eq!(
            SigningTime::from_unix(0).unwrap().timestamp(),
            "19700101T000000"
        );
        assert_eq!(
            SigningTime::from_unix(SigningTime::MAX_UNIX)
                .unwrap()
                .timestamp(),
            "99991231T235959"
        );
        for bad in [-1, SigningTime::MAX_UNIX + 1, i64::MIN, i64::MAX] {
            assert_eq!(
                SigningTime::from_unix(bad).unwrap_err().kind(),
                ErrorKind::InvalidSigningTime
            );
        }
        let before = UNIX_EPOCH - Duration::from_secs(1);
        assert!(SigningTime::from_system_time(before).is_err());
    }

    #[test]
    fn parse_rejects_nonsense() {
        for bad in [
            "",
            "2017-12-24T11:53:20Z",
            "20171224115320",
            "20171324T000000",
            "20170229T000000",
            "20171224T245959",
            "20171224T236059",
            "19691231T235959",
            "2017122xT115320",
            "+0171224T115320",
            "20171224T11532",
            "20171224T115320ZZ",
        ] {
            assert!(SigningTime::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            SigningTime::parse("20240229T235959Z").unwrap().unix(),
            1_709_251_199
        );
    }
}
