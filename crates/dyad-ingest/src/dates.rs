//! Dates as containers state them (RSS `pubDate`, Atom and sitemap W3C datetimes, news-please
//! `date_publish`), normalised to ISO 8601 at the precision the source gives, keeping the
//! source's UTC offset (`2025-10-29T10:00:00+09:00`, not the same instant in UTC).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// A date read from a container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Parsed {
    /// ISO 8601: `2025-10-29T10:00:00+09:00`, `2025-10-29T10:00:00` (no offset stated) or
    /// `2025-10-29` (date only).
    pub iso: String,
    /// The instant, reading a missing offset or time as UTC midnight (for feed-rs, which wants
    /// UTC instants).
    pub instant: DateTime<Utc>,
}

const ISO_OFFSET: &str = "%Y-%m-%dT%H:%M:%S%:z";
const ISO_NAIVE: &str = "%Y-%m-%dT%H:%M:%S";

/// Parses the date formats met in feeds, sitemaps and JSON exports; `None` when not understood.
pub(crate) fn parse(raw: &str) -> Option<Parsed> {
    let s = raw.trim();
    if s.is_empty() || s.len() > 100 {
        return None;
    }
    if s.as_bytes().first().is_some_and(u8::is_ascii_digit)
        && let Some(p) = parse_iso(s)
    {
        return Some(p);
    }
    parse_rfc2822(s)
}

/// Normalises a date to ISO 8601, or `None` when it is not understood.
pub(crate) fn normalize(raw: &str) -> Option<String> {
    parse(raw).map(|p| p.iso)
}

fn with_offset(dt: DateTime<FixedOffset>) -> Parsed {
    Parsed {
        iso: dt.format(ISO_OFFSET).to_string(),
        instant: dt.with_timezone(&Utc),
    }
}

/// `YYYY-MM-DD`, `YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z|±HH:MM|±HHMM|±HH| UTC]`.
fn parse_iso(s: &str) -> Option<Parsed> {
    let date = NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()?;
    let rest = &s[10..];
    if rest.is_empty() {
        return Some(Parsed {
            iso: date.format("%Y-%m-%d").to_string(),
            instant: Utc.from_utc_datetime(&date.and_time(NaiveTime::MIN)),
        });
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    // The time runs up to the offset: `Z`, `+`, `-` or a space before a zone name.
    let split = rest.find(['Z', 'z', '+', '-', ' ']).unwrap_or(rest.len());
    let (time, zone) = rest.split_at(split);
    let time = parse_time(time)?;
    let naive = NaiveDateTime::new(date, time);
    let zone = zone.trim();
    if zone.is_empty() {
        return Some(Parsed {
            iso: naive.format(ISO_NAIVE).to_string(),
            instant: Utc.from_utc_datetime(&naive),
        });
    }
    let offset = parse_offset(zone)?;
    let dt = offset.from_local_datetime(&naive).single()?;
    Some(with_offset(dt))
}

fn parse_time(s: &str) -> Option<NaiveTime> {
    // Fractions of a second are dropped: no news source states them meaningfully.
    let s = s.split_once('.').map_or(s, |(t, _)| t);
    NaiveTime::parse_from_str(s, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M"))
        .ok()
}

/// `Z`, `+09:00`, `+0900`, `+09`, or a zone name news sites use.
fn parse_offset(zone: &str) -> Option<FixedOffset> {
    if let Some(secs) = named_zone(zone) {
        return FixedOffset::east_opt(secs);
    }
    let (sign, digits) = match zone.as_bytes().first()? {
        b'+' => (1, &zone[1..]),
        b'-' => (-1, &zone[1..]),
        _ => return None,
    };
    let digits: String = digits.chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m) = match digits.len() {
        2 => (digits.parse::<i32>().ok()?, 0),
        4 => (
            digits[..2].parse::<i32>().ok()?,
            digits[2..].parse::<i32>().ok()?,
        ),
        _ => return None,
    };
    if h > 23 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

/// Zone names that RFC 2822 does not know but feeds use. Ambiguous names (IST, BST, CST outside
/// the US) are left out on purpose.
fn named_zone(zone: &str) -> Option<i32> {
    Some(match zone.to_ascii_uppercase().as_str() {
        "Z" | "UT" | "UTC" | "GMT" => 0,
        "KST" | "JST" => 9 * 3600,
        "CET" => 3600,
        "CEST" | "EET" => 2 * 3600,
        "EEST" => 3 * 3600,
        "EST" => -5 * 3600,
        "EDT" => -4 * 3600,
        "PST" => -8 * 3600,
        "PDT" => -7 * 3600,
        _ => return None,
    })
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// RFC 2822 as feeds write it: the weekday is dropped (it is often wrong or localised), long
/// month names and month-first order are accepted, and a zone name may replace the offset.
fn parse_rfc2822(s: &str) -> Option<Parsed> {
    let s = match s.split_once(',') {
        Some((day, rest)) if day.chars().all(char::is_alphabetic) => rest,
        _ => s,
    };
    let mut tokens: Vec<&str> = s.split_whitespace().collect();
    if tokens.len() < 4 {
        return None;
    }
    // `Oct 29 2025 ...` → `29 Oct 2025 ...`
    if tokens[0].starts_with(|c: char| c.is_alphabetic()) {
        tokens.swap(0, 1);
    }
    let day: u32 = tokens[0].parse().ok()?;
    let month_name = tokens[1].to_ascii_lowercase();
    let month = MONTHS
        .iter()
        .position(|m| month_name.starts_with(m))
        .and_then(|i| u32::try_from(i + 1).ok())?;
    let year: i32 = tokens[2].parse().ok()?;
    let year = match year {
        0..=49 => year + 2000,
        50..=99 => year + 1900,
        _ => year,
    };
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let time = parse_time(tokens[3])?;
    let naive = NaiveDateTime::new(date, time);
    match tokens.get(4) {
        None => Some(Parsed {
            iso: naive.format(ISO_NAIVE).to_string(),
            instant: Utc.from_utc_datetime(&naive),
        }),
        Some(zone) => {
            let offset = parse_offset(zone)?;
            Some(with_offset(offset.from_local_datetime(&naive).single()?))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_offsets_and_precision() {
        for (raw, iso) in [
            (
                "Wed, 29 Oct 2025 10:00:00 +0900",
                "2025-10-29T10:00:00+09:00",
            ),
            (
                "Thurs, 30 Oct 2025 9:05:00 GMT",
                "2025-10-30T09:05:00+00:00",
            ),
            ("29 October 2025 10:00 KST", "2025-10-29T10:00:00+09:00"),
            ("Oct 29 2025 10:00:00 -0500", "2025-10-29T10:00:00-05:00"),
            ("2025-10-29T10:00:00+09:00", "2025-10-29T10:00:00+09:00"),
            ("2025-10-29T01:00:00.123Z", "2025-10-29T01:00:00+00:00"),
            ("2025-10-29T10:00+0900", "2025-10-29T10:00:00+09:00"),
            ("2025-10-29 15:30:00", "2025-10-29T15:30:00"),
            ("2025-10-29", "2025-10-29"),
        ] {
            assert_eq!(normalize(raw).as_deref(), Some(iso), "{raw}");
        }
        let p = parse("2025-10-29T10:00:00+09:00").expect("parses");
        assert_eq!(p.instant.to_rfc3339(), "2025-10-29T01:00:00+00:00");
    }

    #[test]
    fn rejects_nonsense() {
        for raw in [
            "",
            "yesterday",
            "2025-13-01",
            "32 Oct 2025 10:00 +0900",
            "2025-10-29T25:00",
            "2025-10-29Tnoon",
            "29 Oct 2025 10:00 XYZ",
        ] {
            assert_eq!(normalize(raw), None, "{raw}");
        }
    }
}
