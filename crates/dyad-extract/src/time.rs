//! Time expressions in English and Korean, normalised against the document's date with their
//! precision: dates (`on Monday`, `last month`, `October 29`, `지난 1월`, `2일`, `오는 15일`,
//! `early next year`), deadlines (`by 2030`, `before the end of the year`, `within 45 business
//! days`, `2030년까지`, `연내`), horizons (`over the next 12–24 months`) and `as soon as
//! possible`.
//!
//! **Invariants:** never panics; every value is ISO 8601 at the precision the expression
//! supports (`2025`, `2025-10`, `2025-10-29`, or `--10-29` when the year cannot be inferred),
//! and every offset is a byte offset into the text on character boundaries.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use dyad_model::{TimeExpr, TimeKind};
use regex::Regex;

const MONTH: &str = r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?";

fn re(p: &str) -> Regex {
    Regex::new(p).expect("time patterns are constant and valid")
}

/// Patterns, tried in order; earlier ones win where they overlap.
static PATTERNS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    vec![
        (
            "asap",
            re(
                r"(?i)(?-u:\b)as soon as (?:possible|practicable)(?-u:\b)|가능한 한 (?:조속히|빨리)|조속한 시일 내",
            ),
        ),
        (
            "horizon",
            re(
                r"(?i)(?-u:\b)(?:over|in|within) the (?:next|coming) (?P<a>\d{1,3})(?:\s*(?:–|-|to)\s*(?P<b>\d{1,3}))? (?P<unit>days?|weeks?|months?|years?)(?-u:\b)",
            ),
        ),
        (
            "within",
            re(
                r"(?i)(?-u:\b)within (?P<n>\d{1,4}) (?P<biz>business |working )?(?P<unit>days?|weeks?|months?|years?)(?-u:\b)",
            ),
        ),
        (
            "end_of",
            re(
                r"(?i)(?-u:\b)(?P<prep>by|before|until|through) (?:the )?end of (?:the |this )?(?P<what>year|month|(?P<y>\d{4}))(?-u:\b)|(?-u:\b)(?P<prep2>by) year-end(?-u:\b)",
            ),
        ),
        (
            "by_month_year",
            re(&format!(
                r"(?i)(?-u:\b)(?P<prep>by|before|until) (?:the end of )?{MONTH}\s+(?P<y>\d{{4}})(?-u:\b)"
            )),
        ),
        (
            "by_year",
            re(
                r"(?i)(?-u:\b)(?P<prep>by|before|until) (?:the end of )?(?P<y>(?:19|20)\d{2})(?-u:\b)",
            ),
        ),
        (
            "ko_until_year",
            re(r"(?P<y>(?:19|20)\d{2})년(?:\s*말)?\s*까지"),
        ),
        ("ko_within_year", re(r"연내|올해 안에|연말까지")),
        (
            "full",
            re(&format!(
                r"(?i)(?-u:\b){MONTH}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,\s*(?P<y>\d{{4}})(?-u:\b)"
            )),
        ),
        (
            "ko_full",
            re(r"(?P<y>\d{4})년\s*(?P<m>\d{1,2})월\s*(?P<d>\d{1,2})일"),
        ),
        (
            "month_year",
            re(&format!(r"(?i)(?-u:\b){MONTH}\s+(?P<y>\d{{4}})(?-u:\b)")),
        ),
        ("ko_month_year", re(r"(?P<y>\d{4})년\s*(?P<m>\d{1,2})월")),
        (
            "month_day",
            re(&format!(
                r"(?i)(?-u:\b){MONTH}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?-u:\b)"
            )),
        ),
        ("ko_month_day", re(r"(?P<m>\d{1,2})월\s*(?P<d>\d{1,2})일")),
        (
            "relative",
            re(
                r"(?i)(?-u:\b)(?P<part>early|mid|late|the end of|the start of)?[ -]?(?P<which>last|this|next|coming) (?P<unit>week|month|year)(?-u:\b)",
            ),
        ),
        (
            "ko_relative",
            re(
                r"(?P<which>지난|이번|다음|오는)\s*(?P<unit>주|달)|(?P<word>지난해|작년|올해|금년|내년|지난달|이달|다음 달|다음달)(?:\s*(?P<kpart>초|중순|말))?",
            ),
        ),
        (
            "ko_last_month_name",
            re(r"(?P<which>지난|오는)\s*(?P<m>\d{1,2})월"),
        ),
        ("ko_day", re(r"(?P<which>지난|오는)?\s*(?P<d>\d{1,2})일")),
        (
            "weekday",
            re(
                r"(?i)(?-u:\b)(?P<which>last |next |this )?(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?-u:\b)",
            ),
        ),
        (
            "deictic",
            re(r"(?i)(?-u:\b)(?P<w>yesterday|today|tomorrow)(?-u:\b)|(?P<kw>어제|오늘|내일)"),
        ),
        (
            "by_month",
            re(&format!(
                r"(?i)(?-u:\b)(?P<prep>by|before|until) {MONTH}(?-u:\b)"
            )),
        ),
    ]
});

fn month_number(name: &str) -> Option<u32> {
    let n = name.to_ascii_lowercase();
    [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
    .iter()
    .position(|m| n.starts_with(m))
    .map(|i| i as u32 + 1)
}

fn num(c: &regex::Captures, k: &str) -> Option<i64> {
    c.name(k).and_then(|m| m.as_str().parse().ok())
}

fn ymd(y: i32, m: u32, d: u32) -> Option<String> {
    NaiveDate::from_ymd_opt(y, m, d).map(|d| d.format("%Y-%m-%d").to_string())
}

fn ym(y: i32, m: u32) -> Option<String> {
    (1..=12).contains(&m).then(|| format!("{y:04}-{m:02}"))
}

fn add_months(d: NaiveDate, months: i64) -> NaiveDate {
    let total = d.year() as i64 * 12 + d.month0() as i64 + months;
    let (y, m) = (total.div_euclid(12) as i32, total.rem_euclid(12) as u32 + 1);
    (1..=d.day())
        .rev()
        .find_map(|day| NaiveDate::from_ymd_opt(y, m, day))
        .unwrap_or(d)
}

fn add_business_days(mut d: NaiveDate, n: i64) -> NaiveDate {
    let mut left = n.clamp(0, 100_000);
    while left > 0 {
        d += Duration::days(1);
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    d
}

fn offset(d: NaiveDate, n: i64, unit: &str) -> NaiveDate {
    let n = n.clamp(0, 10_000);
    match unit.trim_end_matches('s') {
        "day" => d + Duration::days(n),
        "week" => d + Duration::days(7 * n),
        "month" => add_months(d, n),
        _ => add_months(d, 12 * n),
    }
}

/// The year that puts month/day closest to the reference (news speaks of the recent past and
/// the near future).
fn infer_year(reference: NaiveDate, m: u32, d: u32) -> Option<i32> {
    let y = reference.year();
    [y - 1, y, y + 1]
        .into_iter()
        .filter_map(|yy| {
            NaiveDate::from_ymd_opt(yy, m, d).map(|x| (yy, (x - reference).num_days().abs()))
        })
        .min_by_key(|&(_, dist)| dist)
        .map(|(yy, _)| yy)
}

/// Finds and normalises the time expressions of a text. `reference` is the document's date.
pub fn find_times(text: &str, reference: Option<NaiveDate>) -> Vec<TimeExpr> {
    let mut out: Vec<TimeExpr> = Vec::new();
    // The spans taken so far, start → end. They never overlap, so the only one that can
    // overlap a new match is the last one starting before the match ends.
    let mut taken: BTreeMap<usize, usize> = BTreeMap::new();
    for (name, pattern) in PATTERNS.iter() {
        for c in pattern.captures_iter(text) {
            let Some(all) = c.get(0) else { continue };
            crate::budget::tick(1);
            if all.start() == all.end()
                || taken
                    .range(..all.end())
                    .next_back()
                    .is_some_and(|(_, &end)| all.start() < end)
            {
                continue;
            }
            if let Some(t) = normalise(name, &c, reference) {
                taken.insert(all.start(), all.end());
                out.push(TimeExpr {
                    text: all.as_str().to_string(),
                    start: all.start(),
                    end: all.end(),
                    ..t
                });
            }
        }
    }
    out.sort_by_key(|t| t.start);
    out
}

fn expr(kind: TimeKind, value: Option<String>) -> TimeExpr {
    TimeExpr {
        text: String::new(),
        start: 0,
        end: 0,
        kind,
        value,
        until: None,
        part: None,
    }
}

fn normalise(name: &str, c: &regex::Captures, reference: Option<NaiveDate>) -> Option<TimeExpr> {
    use TimeKind::*;
    let r = reference;
    let year = |c: &regex::Captures| num(c, "y").map(|y| y as i32);
    let month = |c: &regex::Captures| {
        c.name("mon")
            .and_then(|m| month_number(m.as_str()))
            .or_else(|| num(c, "m").map(|m| m as u32))
    };
    Some(match name {
        "asap" => expr(Asap, None),
        "horizon" => {
            let r = r?;
            let unit = c.name("unit")?.as_str().to_lowercase();
            let a = num(c, "a")?;
            let b = num(c, "b").unwrap_or(a);
            let (lo, hi) = (a.min(b), a.max(b));
            // "the next 3 years" starts now; "the next 12–24 months" is due between the two.
            let start = if lo == hi { r } else { offset(r, lo, &unit) };
            let mut t = expr(Horizon, Some(start.format("%Y-%m-%d").to_string()));
            t.until = Some(offset(r, hi, &unit).format("%Y-%m-%d").to_string());
            t
        }
        "within" => {
            let r = r?;
            let n = num(c, "n")?;
            let unit = c.name("unit")?.as_str().to_lowercase();
            let due = if c.name("biz").is_some() && unit.starts_with("day") {
                add_business_days(r, n)
            } else {
                offset(r, n, &unit)
            };
            expr(Deadline, Some(due.format("%Y-%m-%d").to_string()))
        }
        "end_of" => {
            let what = c.name("what").map(|m| m.as_str().to_lowercase());
            let value = match (what.as_deref(), year(c)) {
                (_, Some(y)) => format!("{y:04}-12-31"),
                (Some("month"), _) => {
                    let r = r?;
                    let last = add_months(NaiveDate::from_ymd_opt(r.year(), r.month(), 1)?, 1)
                        - Duration::days(1);
                    last.format("%Y-%m-%d").to_string()
                }
                _ => format!("{:04}-12-31", r?.year()),
            };
            expr(Deadline, Some(value))
        }
        "by_month_year" => expr(Deadline, ym(year(c)?, month(c)?)),
        "by_year" | "ko_until_year" => expr(Deadline, Some(format!("{:04}", year(c)?))),
        "ko_within_year" => expr(Deadline, Some(format!("{:04}-12-31", r?.year()))),
        "full" | "ko_full" => expr(Date, ymd(year(c)?, month(c)?, num(c, "d")? as u32)),
        "month_year" | "ko_month_year" => expr(Date, ym(year(c)?, month(c)?)),
        "month_day" | "ko_month_day" => {
            let (m, d) = (month(c)?, num(c, "d")? as u32);
            NaiveDate::from_ymd_opt(2000, m, d)?; // a real month and day (2000 is a leap year)
            match r.and_then(|r| infer_year(r, m, d)) {
                Some(y) => expr(Date, ymd(y, m, d)),
                None => expr(Date, Some(format!("--{m:02}-{d:02}"))),
            }
        }
        "by_month" => {
            let r = r?;
            let m = month(c)?;
            let y = if m < r.month() {
                r.year() + 1
            } else {
                r.year()
            };
            expr(Deadline, ym(y, m))
        }
        "relative" => {
            let r = r?;
            let which = c.name("which")?.as_str().to_lowercase();
            let unit = c.name("unit")?.as_str().to_lowercase();
            let step = match which.as_str() {
                "last" => -1,
                "next" | "coming" => 1,
                _ => 0,
            };
            let mut t = match unit.as_str() {
                "year" => expr(Date, Some(format!("{:04}", r.year() as i64 + step))),
                "month" => {
                    let d = add_months(NaiveDate::from_ymd_opt(r.year(), r.month(), 1)?, step);
                    expr(Date, ym(d.year(), d.month()))
                }
                _ => {
                    let monday = r - Duration::days(r.weekday().num_days_from_monday() as i64)
                        + Duration::days(7 * step);
                    expr(Date, Some(monday.format("%Y-%m-%d").to_string()))
                }
            };
            t.part = c
                .name("part")
                .map(|p| match p.as_str().to_lowercase().as_str() {
                    "the end of" => "late".to_string(),
                    "the start of" => "early".to_string(),
                    other => other.to_string(),
                });
            t
        }
        "ko_relative" => {
            let r = r?;
            let key = c
                .name("word")
                .map(|w| w.as_str().to_string())
                .unwrap_or_else(|| {
                    format!(
                        "{}{}",
                        c.name("which").map_or("", |m| m.as_str()),
                        c.name("unit").map_or("", |m| m.as_str())
                    )
                });
            let key = key.replace(' ', "");
            let month_of = |step: i64| -> Option<String> {
                let d = add_months(NaiveDate::from_ymd_opt(r.year(), r.month(), 1)?, step);
                ym(d.year(), d.month())
            };
            let value = match key.as_str() {
                "지난해" | "작년" => Some(format!("{:04}", r.year() - 1)),
                "올해" | "금년" => Some(format!("{:04}", r.year())),
                "내년" => Some(format!("{:04}", r.year() + 1)),
                "지난달" | "지난달달" => month_of(-1),
                "이달" | "이번달" => month_of(0),
                "다음달" | "오는달" => month_of(1),
                "지난주" => Some(
                    (r - Duration::days(r.weekday().num_days_from_monday() as i64 + 7))
                        .format("%Y-%m-%d")
                        .to_string(),
                ),
                "이번주" => Some(
                    (r - Duration::days(r.weekday().num_days_from_monday() as i64))
                        .format("%Y-%m-%d")
                        .to_string(),
                ),
                "다음주" | "오는주" => Some(
                    (r - Duration::days(r.weekday().num_days_from_monday() as i64)
                        + Duration::days(7))
                    .format("%Y-%m-%d")
                    .to_string(),
                ),
                _ => return None,
            };
            let mut t = expr(Date, value);
            t.part = c.name("kpart").map(|p| match p.as_str() {
                "초" => "early".to_string(),
                "중순" => "mid".to_string(),
                _ => "late".to_string(),
            });
            t
        }
        "ko_last_month_name" => {
            let r = r?;
            let m = num(c, "m")? as u32;
            let past = c.name("which")?.as_str() == "지난";
            let y = match (past, m.cmp(&r.month())) {
                (true, std::cmp::Ordering::Less) | (false, std::cmp::Ordering::Greater) => r.year(),
                (true, _) => r.year() - 1,
                (false, _) => r.year() + 1,
            };
            expr(Date, ym(y, m))
        }
        "ko_day" => {
            let r = r?;
            let d = num(c, "d")? as u32;
            if d == 0 || d > 31 {
                return None;
            }
            let future = c.name("which").is_some_and(|w| w.as_str() == "오는");
            // A bare day is this month's if it has come, else last month's (news reports the
            // past); "오는" looks ahead, "지난" back.
            let this = NaiveDate::from_ymd_opt(r.year(), r.month(), d);
            let date = match this {
                Some(x) if future && x >= r => x,
                Some(x) if !future && x <= r => x,
                _ if future => {
                    add_months(NaiveDate::from_ymd_opt(r.year(), r.month(), 1)?, 1).with_day(d)?
                }
                _ => {
                    let prev = add_months(NaiveDate::from_ymd_opt(r.year(), r.month(), 1)?, -1);
                    prev.with_day(d)?
                }
            };
            expr(Date, Some(date.format("%Y-%m-%d").to_string()))
        }
        "weekday" => {
            let r = r?;
            let wd: Weekday = c.name("wd")?.as_str().parse().ok()?;
            let which = c.name("which").map(|w| w.as_str().trim().to_lowercase());
            let back = (7 + r.weekday().num_days_from_monday() as i64
                - wd.num_days_from_monday() as i64)
                % 7;
            let date = match which.as_deref() {
                Some("next") => r + Duration::days(7 - back),
                Some("last") => r - Duration::days(if back == 0 { 7 } else { back }),
                // "on Monday" in a news story: the most recent Monday, this week's if today.
                _ => r - Duration::days(back),
            };
            expr(Date, Some(date.format("%Y-%m-%d").to_string()))
        }
        "deictic" => {
            let r = r?;
            let w = c.name("w").or(c.name("kw"))?.as_str().to_lowercase();
            let d = match w.as_str() {
                "yesterday" | "어제" => r - Duration::days(1),
                "tomorrow" | "내일" => r + Duration::days(1),
                _ => r,
            };
            expr(Date, Some(d.format("%Y-%m-%d").to_string()))
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reference() -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(2025, 11, 14) // a Friday
    }

    fn one(text: &str) -> (TimeKind, Option<String>) {
        let t = find_times(text, reference());
        assert_eq!(t.len(), 1, "{text}: {t:?}");
        (t[0].kind, t[0].value.clone())
    }

    #[test]
    fn dates_relative_to_the_document() {
        use TimeKind::*;
        let cases = [
            ("They met on Monday.", "2025-11-10"),
            ("They met last month.", "2025-10"),
            ("The summit on October 29 ended.", "2025-10-29"),
            ("They will meet on January 5.", "2026-01-05"),
            ("지난 1월 회담", "2025-01"),
            ("2일 발표했다", "2025-11-02"),
            ("오는 15일 서명한다", "2025-11-15"),
            ("20일 회의", "2025-10-20"),
            ("It passed yesterday.", "2025-11-13"),
            ("It was signed on November 14, 2025.", "2025-11-14"),
            ("지난해 협상", "2024"),
        ];
        for (text, want) in cases {
            assert_eq!(one(text), (Date, Some(want.to_string())), "{text}");
        }
        let t = find_times("Talks resume early next year.", reference());
        assert_eq!(
            (t[0].value.as_deref(), t[0].part.as_deref()),
            (Some("2026"), Some("early"))
        );
    }

    #[test]
    fn deadlines_and_horizons() {
        use TimeKind::*;
        assert_eq!(
            one("Seoul will spend 3.5% by 2030."),
            (Deadline, Some("2030".into()))
        );
        assert_eq!(
            one("It must pass before the end of the year."),
            (Deadline, Some("2025-12-31".into()))
        );
        assert_eq!(
            one("a reply within 45 business days"),
            (Deadline, Some("2026-01-16".into()))
        );
        assert_eq!(one("within 30 days"), (Deadline, Some("2025-12-14".into())));
        assert_eq!(one("2030년까지 구매한다"), (Deadline, Some("2030".into())));
        assert_eq!(one("연내 처리"), (Deadline, Some("2025-12-31".into())));
        assert_eq!(one("as soon as possible"), (Asap, None));
        let t = find_times("deliverables over the next 12–24 months", reference());
        assert_eq!(t.len(), 1);
        assert_eq!(
            (t[0].kind, t[0].value.as_deref(), t[0].until.as_deref()),
            (Horizon, Some("2026-11-14"), Some("2027-11-14"))
        );
    }

    #[test]
    fn without_a_reference_only_absolute_dates_resolve() {
        let t = find_times(
            "On October 29 and on November 14, 2025, and last month.",
            None,
        );
        let v: Vec<Option<&str>> = t.iter().map(|t| t.value.as_deref()).collect();
        assert_eq!(v, [Some("--10-29"), Some("2025-11-14")]);
    }

    proptest! {
        #[test]
        fn never_panics_and_values_are_iso(s in "\\PC{0,120}", days in 0i64..40000) {
            let r = NaiveDate::from_ymd_opt(1990, 1, 1).map(|d| d + Duration::days(days));
            for t in find_times(&s, r) {
                prop_assert_eq!(&s[t.start..t.end], t.text.as_str());
                if let Some(v) = &t.value {
                    let ok = v.starts_with("--") || v.len() == 4 || v.len() == 7 || NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok();
                    prop_assert!(ok, "{v}");
                }
            }
        }

        #[test]
        fn inferred_years_stay_near_the_reference(m in 1u32..=12, d in 1u32..=28, days in 0i64..20000) {
            let r = NaiveDate::from_ymd_opt(1990, 1, 1).map(|x| x + Duration::days(days));
            let months = ["January","February","March","April","May","June","July","August","September","October","November","December"];
            let text = format!("on {} {d} they met", months[m as usize - 1]);
            let t = find_times(&text, r);
            prop_assert_eq!(t.len(), 1);
            let v = t[0].value.clone().unwrap_or_default();
            let y: i32 = v[..4].parse().unwrap_or(0);
            let ry = r.map(|r| r.year()).unwrap_or(0);
            prop_assert!((y - ry).abs() <= 1);
        }
    }
}
