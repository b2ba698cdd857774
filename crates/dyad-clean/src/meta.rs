//! Metadata normalisation: publication dates in the forms pages print or declare them, bylines
//! as bare names, headlines without site suffixes, and the language of the text.

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate};
use regex::Regex;

/// A date found in a string, normalised to ISO 8601 at the precision the string supports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundDate {
    pub iso: String,
    /// Byte range of the date expression in the searched string.
    pub start: usize,
    pub end: usize,
}

const MONTHS: &str = r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?";
const TIME: &str =
    r"(?:,?\s*(?:at\s+)?(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?)?";

/// Patterns in priority order; each has named groups y, m or mon, d, and optional time.
static DATE_PATTERNS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    let pats = [
        // 2025-10-30T11:50:28+09:00, 2025-10-30 11:50, 2025-10-30
        r"(?P<iso>(?-u:\b)\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)".to_string(),
        // 2026년 3월 12일 15:20 / 오후 3시 20분
        r"(?P<y>\d{4})\s*년\s*(?P<m>\d{1,2})\s*월\s*(?P<d>\d{1,2})\s*일(?:\s*\([월화수목금토일]\))?(?:\s*(?P<kampm>오전|오후)?\s*(?P<kh>\d{1,2})\s*(?::|시)\s*(?P<kmi>\d{1,2})?(?:\s*분)?)?".to_string(),
        // 2025.12.02. 오후 10:41 / 2025.11.14 09:30 / 2025/11/14
        r"(?P<y>\d{4})[./](?P<m>\d{1,2})[./](?P<d>\d{1,2})\.?(?:\s*(?P<kampm>오전|오후|AM|PM|am|pm)?\s*(?P<kh>\d{1,2}):(?P<kmi>\d{2})(?::(?P<ks>\d{2}))?)?".to_string(),
        // 10/30/2025, 11:50:28 AM
        format!(r"(?-u:\b)(?P<a>\d{{1,2}})/(?P<b>\d{{1,2}})/(?P<y>\d{{4}}){TIME}"),
        // November 14, 2025 10:05 AM
        format!(r"(?i)(?-u:\b){MONTHS}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}}){TIME}"),
        // 14 November 2025
        format!(r"(?i)(?-u:\b)(?P<d>\d{{1,2}})\s+{MONTHS}\s+(?P<y>\d{{4}}){TIME}"),
    ];
    pats.iter()
        .map(|p| Regex::new(p).expect("date patterns are constant and valid"))
        .collect()
});

static MONTH_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)^\s*as of\s+{MONTHS}\s+(?P<y>\d{{4}})(?-u:\b)"
    ))
    .expect("constant pattern")
});

fn month_number(name: &str) -> Option<u32> {
    let n = name.to_ascii_lowercase();
    let idx = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
    .iter()
    .position(|m| n.starts_with(m))?;
    Some(idx as u32 + 1)
}

fn num(c: &regex::Captures, name: &str) -> Option<u32> {
    c.name(name).and_then(|m| m.as_str().parse().ok())
}

/// Finds the first date expression in `s`.
pub fn find_date(s: &str) -> Option<FoundDate> {
    let mut best: Option<FoundDate> = None;
    for re in DATE_PATTERNS.iter() {
        for c in re.captures_iter(s) {
            let Some(whole) = c.get(0) else { continue };
            if let Some(iso) = from_captures(&c)
                && best.as_ref().is_none_or(|b| whole.start() < b.start)
            {
                best = Some(FoundDate {
                    iso,
                    start: whole.start(),
                    end: whole.end(),
                });
                break;
            }
        }
    }
    best
}

fn from_captures(c: &regex::Captures) -> Option<String> {
    if let Some(iso) = c.name("iso") {
        return normalise_iso(iso.as_str());
    }
    let y: i32 = c.name("y")?.as_str().parse().ok()?;
    let (m, d) = if let Some(mon) = c.name("mon") {
        (month_number(mon.as_str())?, num(c, "d")?)
    } else if let (Some(a), Some(b)) = (num(c, "a"), num(c, "b")) {
        // Slash dates are US order unless the first number cannot be a month.
        if a > 12 { (b, a) } else { (a, b) }
    } else {
        (num(c, "m")?, num(c, "d")?)
    };
    let date = NaiveDate::from_ymd_opt(y, m, d)?;
    if !(1990..=2100).contains(&y) {
        return None;
    }
    let (h, mi, s, pm, am) = if let Some(h) = num(c, "h") {
        let ampm = c.name("ampm").map(|m| m.as_str().to_ascii_lowercase());
        let pm = ampm.as_deref().is_some_and(|a| a.starts_with('p'));
        let am = ampm.as_deref().is_some_and(|a| a.starts_with('a'));
        (Some(h), num(c, "mi"), num(c, "s"), pm, am)
    } else if let Some(h) = num(c, "kh") {
        let ampm = c.name("kampm").map(|m| m.as_str().to_lowercase());
        let pm = ampm.as_deref().is_some_and(|a| a == "오후" || a == "pm");
        let am = ampm.as_deref().is_some_and(|a| a == "오전" || a == "am");
        (Some(h), num(c, "kmi").or(Some(0)), num(c, "ks"), pm, am)
    } else {
        (None, None, None, false, false)
    };
    let Some(mut h) = h else {
        return Some(date.format("%Y-%m-%d").to_string());
    };
    if pm && h < 12 {
        h += 12;
    }
    if am && h == 12 {
        h = 0;
    }
    let mi = mi.unwrap_or(0);
    if h > 23 || mi > 59 {
        return Some(date.format("%Y-%m-%d").to_string());
    }
    Some(match s {
        Some(s) if s < 60 => format!("{}T{h:02}:{mi:02}:{s:02}", date.format("%Y-%m-%d")),
        _ => format!("{}T{h:02}:{mi:02}", date.format("%Y-%m-%d")),
    })
}

fn normalise_iso(s: &str) -> Option<String> {
    let s = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(&s.replacen(' ', "T", 1)) {
        return Some(
            dt.format("%Y-%m-%dT%H:%M:%S%:z")
                .to_string()
                .replace("+00:00", "Z"),
        );
    }
    let date = NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()?;
    if s.len() == 10 {
        return Some(date.format("%Y-%m-%d").to_string());
    }
    // Local date-times without an offset, with or without seconds.
    let rest = s[10..].trim_start_matches(['T', ' ']);
    let hm: Vec<&str> = rest.split(':').collect();
    match hm.as_slice() {
        [h, m] if h.len() == 2 && m.len() >= 2 => Some(format!("{}T{h}:{}", &s[..10], &m[..2])),
        [h, m, sec] if h.len() == 2 && m.len() == 2 => {
            Some(format!("{}T{h}:{m}:{}", &s[..10], &sec[..2.min(sec.len())]))
        }
        _ => Some(date.format("%Y-%m-%d").to_string()),
    }
}

/// Parses a date declared by a page (meta tag, JSON-LD, `<time datetime>`, RFC 2822, or a
/// visible dateline) into ISO 8601.
pub fn parse_declared_date(s: &str) -> Option<String> {
    if let Ok(dt) = DateTime::parse_from_rfc2822(s.trim()) {
        return Some(dt.format("%Y-%m-%dT%H:%M:%S%:z").to_string());
    }
    find_date(s).map(|d| d.iso)
}

/// Every date expression in `s`, in order, without overlaps, in one pass per pattern.
pub fn find_dates(s: &str) -> Vec<FoundDate> {
    let mut all: Vec<FoundDate> = Vec::new();
    for re in DATE_PATTERNS.iter() {
        for c in re.captures_iter(s) {
            if let (Some(whole), Some(iso)) = (c.get(0), from_captures(&c)) {
                all.push(FoundDate {
                    iso,
                    start: whole.start(),
                    end: whole.end(),
                });
            }
        }
    }
    // Earlier patterns are more specific: keep the first found at each place.
    let mut out: Vec<FoundDate> = Vec::new();
    for d in all {
        if !out.iter().any(|o| o.start < d.end && d.start < o.end) {
            out.push(d);
        }
    }
    out.sort_by_key(|d| d.start);
    out
}

/// `As of September 2024, ...` at the start of a text states when it was written: `2024-09`.
pub fn as_of_date(first_paragraph: &str) -> Option<String> {
    let c = MONTH_YEAR.captures(first_paragraph)?;
    let m = month_number(c.name("mon")?.as_str())?;
    let y: i32 = c.name("y")?.as_str().parse().ok()?;
    (1990..=2100).contains(&y).then(|| format!("{y:04}-{m:02}"))
}

static DATELINE_LABELS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:published|updated|posted|last updated|modified|date|on|at|kst|est|edt|et|utc|gmt|pst|pdt)\b|기사입력|입력|수정|최종수정|승인|등록|발행|게재|송고|업데이트|일시")
        .expect("constant pattern")
});

/// Labels that mark a modification rather than publication time.
static MODIFIED_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:updated|last updated|modified)\b|수정|업데이트")
        .expect("constant pattern")
});

static KO_BYLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?P<names>[가-힣]{2,4}(?:\s*[·,]\s*[가-힣]{2,4})*)\s*(?:선임|수석|객원|전문|인턴)?(?:기자|특파원|논설위원|편집위원|통신원|칼럼니스트)")
        .expect("constant pattern")
});

static EN_BYLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:written\s+)?by[:\s]+(?P<rest>.+)$|^\s*(?:author|authors|reporter)s?\s*[:：]\s*(?P<rest2>.+)$")
        .expect("constant pattern")
});

static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+").expect("constant pattern"));

/// What a short line near the top or bottom of an article says about the article.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dateline {
    pub published: Option<String>,
    pub modified: Option<String>,
    pub byline: Vec<String>,
}

/// Reads a line as a dateline and/or byline: it must consist of a date, byline, labels and
/// punctuation, with almost nothing else. Sentences that merely mention a date are not
/// datelines (`On August 25, 2025, the White House hosted ...`).
pub fn read_dateline(line: &str) -> Option<Dateline> {
    let trimmed = line.trim();
    if trimmed.chars().count() > 160 {
        return None;
    }
    let mut rest = trimmed.to_string();
    let mut out = Dateline::default();
    let mut dates = Vec::new();
    // Several dates may stand on one line: "입력 2025.11.14 09:30 | 수정 2025.11.14 11:02".
    let mut scan = trimmed;
    let mut offset = 0usize;
    while let Some(d) = find_date(scan) {
        let before = &trimmed[offset..offset + d.start];
        let label_zone: String = before
            .chars()
            .rev()
            .take(24)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        dates.push((d.iso.clone(), MODIFIED_LABEL.is_match(&label_zone)));
        rest = rest.replacen(&scan[d.start..d.end], " ", 1);
        offset += d.end;
        scan = &trimmed[offset..];
    }
    let names = bylines_in(&rest);
    if let Some(c) = KO_BYLINE.find(&rest) {
        rest.replace_range(c.range(), " ");
    } else if !names.is_empty() {
        rest = String::new();
    }
    if dates.is_empty() && names.is_empty() {
        return None;
    }
    let no_email = EMAIL.replace_all(&rest, " ").into_owned();
    let residue = DATELINE_LABELS.replace_all(&no_email, " ");
    let letters = residue.chars().filter(|c| c.is_alphanumeric()).count();
    if letters > 12 {
        return None;
    }
    for (iso, modified) in dates {
        if modified {
            out.modified.get_or_insert(iso);
        } else {
            out.published.get_or_insert(iso);
        }
    }
    out.byline = names;
    Some(out)
}

/// Role words that follow a name in an English byline, and never make a name.
const ROLE_WORDS: &[&str] = &[
    "correspondent",
    "reporter",
    "writer",
    "editor",
    "staff",
    "contributor",
    "columnist",
    "bureau",
    "chief",
    "senior",
    "news",
    "desk",
    "team",
    "associated",
    "press",
    "reuters",
    "the",
    "updated",
    "published",
];

/// Bare author names in a byline string: `By Dana Whitfield, Seoul correspondent` gives
/// `["Dana Whitfield"]`; `류근웅 기자` gives `["류근웅"]`; `김민수·이지원 기자` gives both.
pub fn bylines_in(s: &str) -> Vec<String> {
    let s = EMAIL.replace_all(s, " ");
    let mut names = Vec::new();
    for c in KO_BYLINE.captures_iter(&s) {
        if let Some(m) = c.name("names") {
            for n in m.as_str().split(['·', ',']) {
                push_unique(&mut names, n.trim());
            }
        }
    }
    if !names.is_empty() {
        return names;
    }
    let rest = match EN_BYLINE.captures(&s) {
        Some(c) => match c.name("rest").or(c.name("rest2")) {
            Some(m) => m.as_str().to_string(),
            None => return names,
        },
        None => return names,
    };
    // "By A, B and C" lists names; "By A, Seoul correspondent" or "By A, Some Outlet" names one
    // person and what follows the comma is a role or an affiliation.
    let parts: Vec<&str> = if rest.contains(" and ") || rest.contains('&') {
        rest.split([',', '|', ';', '&', '/']).collect()
    } else {
        rest.split([',', '|', ';', '/']).take(1).collect()
    };
    for part in parts {
        for piece in part.split(" and ") {
            if let Some(n) = as_person_name(piece) {
                push_unique(&mut names, &n);
            }
        }
    }
    names
}

/// A raw author value from metadata (`Dana Whitfield`, `By Dana Whitfield`, `홍길동 기자`).
pub fn author_names(raw: &str) -> Vec<String> {
    let raw = raw.trim();
    if raw.starts_with("http") || raw.contains("://") {
        return Vec::new();
    }
    let names = bylines_in(raw);
    if !names.is_empty() {
        return names;
    }
    let names = bylines_in(&format!("By {raw}"));
    if !names.is_empty() {
        return names;
    }
    // A bare Korean name, or a name in another script.
    let t = raw.trim_matches(|c: char| !c.is_alphanumeric());
    if !t.is_empty() && t.chars().count() <= 40 && !t.contains(char::is_numeric) {
        vec![t.to_string()]
    } else {
        Vec::new()
    }
}

fn as_person_name(piece: &str) -> Option<String> {
    let words: Vec<&str> = piece
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric() && c != '.' && c != '\'' && c != '-')
        })
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() || words.len() > 5 {
        return None;
    }
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    if lower.iter().any(|w| ROLE_WORDS.contains(&w.as_str())) {
        // "Dana Whitfield Seoul correspondent" keeps its leading capitalised words.
        let cut = lower
            .iter()
            .position(|w| ROLE_WORDS.contains(&w.as_str()))
            .unwrap_or(0);
        if cut < 2 {
            return None;
        }
        return as_person_name(&words[..cut].join(" ")).filter(|_| cut >= 2);
    }
    let capitalised = words.iter().all(|w| {
        w.chars().next().is_some_and(|c| c.is_uppercase())
            || matches!(*w, "de" | "van" | "von" | "der" | "da" | "bin" | "al")
    });
    (capitalised && words.len() >= 2).then(|| words.join(" "))
}

fn push_unique(v: &mut Vec<String>, s: &str) {
    if !s.is_empty() && !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

/// A headline without the site name that pages append or prepend: `Headline | Site`,
/// `Headline - Site`, `Site | Headline`.
pub fn strip_site_suffix(title: &str, site: Option<&str>) -> String {
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    // `Headline : Site`, `Headline ─ Site`: any separator, when the site is known.
    if let Some(site) = site.filter(|s| !s.trim().is_empty()) {
        let site = site.trim();
        if let Some(head) = title.strip_suffix(site) {
            let head =
                head.trim_end_matches(|c: char| c.is_whitespace() || "|-–—:·:<>«»/".contains(c));
            if head.len() + 2 < title.len() && head.chars().count() >= 3 {
                return head.to_string();
            }
        }
    }
    for sep in [" | ", " – ", " — ", " - ", " :: ", " · ", " « ", " » "] {
        if !title.contains(sep) {
            continue;
        }
        let parts: Vec<&str> = title.split(sep).map(str::trim).collect();
        if let Some(site) = site {
            let site_key = key(site);
            let kept: Vec<&str> = parts
                .iter()
                .copied()
                .filter(|p| {
                    let k = key(p);
                    !(k == site_key
                        || (!k.is_empty() && site_key.contains(&k))
                        || k.contains(&site_key) && k.len() <= site_key.len() + 6)
                })
                .collect();
            if !kept.is_empty() && kept.len() < parts.len() {
                return kept.join(sep);
            }
        }
        // Without a known site name: the longest part is the headline when the others are short.
        let words = |p: &str| p.split_whitespace().count();
        let (best, longest) = parts
            .iter()
            .enumerate()
            .max_by_key(|(_, p)| words(p))
            .map(|(i, p)| (i, words(p)))
            .unwrap_or((0, 0));
        let others_short = parts
            .iter()
            .enumerate()
            .all(|(i, p)| i == best || (words(p) <= 5 && words(p) < longest));
        if others_short && longest >= 2 && (sep == " | " || best == 0) {
            return parts[best].to_string();
        }
    }
    title
}

fn key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// ISO 639-1 code of the text's language. Hangul decides Korean outright; other languages
/// come from `whatlang`, falling back to the page's declared language, then English.
/// Characters of text given to the trigram language detector.
const LANG_SAMPLE: usize = 2_000;

pub fn detect_language(text: &str, declared: Option<&str>) -> String {
    let sample: String = text.chars().take(20_000).collect();
    let (mut letters, mut hangul, mut kana, mut han) = (0usize, 0usize, 0usize, 0usize);
    for c in sample.chars().filter(|c| c.is_alphabetic()) {
        letters += 1;
        match c as u32 {
            0xAC00..=0xD7A3 | 0x1100..=0x11FF | 0x3130..=0x318F => hangul += 1,
            0x3040..=0x30FF => kana += 1,
            0x4E00..=0x9FFF => han += 1,
            _ => {}
        }
    }
    let declared = declared
        .map(|d| d.trim().to_lowercase())
        .and_then(|d| d.split(['-', '_']).next().map(str::to_string))
        .filter(|d| d.len() == 2);
    if letters == 0 {
        return declared.unwrap_or_else(|| "en".into());
    }
    if hangul * 5 > letters {
        return "ko".into();
    }
    if kana * 10 > letters {
        return "ja".into();
    }
    if han * 3 > letters {
        return "zh".into();
    }
    // Trigram statistics settle long before the end of an article.
    let head = sample
        .char_indices()
        .nth(LANG_SAMPLE)
        .map_or(sample.as_str(), |(i, _)| &sample[..i]);
    match whatlang::detect(head) {
        Some(info) if info.is_reliable() || declared.is_none() => {
            iso639_1(info.lang().code()).map_or_else(|| "en".into(), str::to_string)
        }
        _ => declared.unwrap_or_else(|| "en".into()),
    }
}

/// whatlang's ISO 639-3 codes to ISO 639-1.
fn iso639_1(code3: &str) -> Option<&'static str> {
    const TABLE: &[(&str, &str)] = &[
        ("eng", "en"),
        ("kor", "ko"),
        ("jpn", "ja"),
        ("cmn", "zh"),
        ("rus", "ru"),
        ("por", "pt"),
        ("spa", "es"),
        ("fra", "fr"),
        ("deu", "de"),
        ("ita", "it"),
        ("nld", "nl"),
        ("pol", "pl"),
        ("ukr", "uk"),
        ("tur", "tr"),
        ("vie", "vi"),
        ("ind", "id"),
        ("ara", "ar"),
        ("heb", "he"),
        ("hin", "hi"),
        ("tha", "th"),
        ("swe", "sv"),
        ("dan", "da"),
        ("nob", "nb"),
        ("fin", "fi"),
        ("ces", "cs"),
        ("slk", "sk"),
        ("hun", "hu"),
        ("ron", "ro"),
        ("bul", "bg"),
        ("ell", "el"),
        ("hrv", "hr"),
        ("srp", "sr"),
        ("slv", "sl"),
        ("lit", "lt"),
        ("lav", "lv"),
        ("est", "et"),
        ("pes", "fa"),
        ("urd", "ur"),
        ("ben", "bn"),
        ("tam", "ta"),
        ("tel", "te"),
        ("mar", "mr"),
        ("guj", "gu"),
        ("kan", "kn"),
        ("mal", "ml"),
        ("pan", "pa"),
        ("tgl", "tl"),
        ("cat", "ca"),
        ("bel", "be"),
        ("kat", "ka"),
        ("hye", "hy"),
        ("aze", "az"),
        ("kaz", "kk"),
        ("uzb", "uz"),
        ("afr", "af"),
        ("epo", "eo"),
        ("lat", "la"),
        ("zul", "zu"),
        ("yid", "yi"),
        ("mkd", "mk"),
        ("nep", "ne"),
        ("sin", "si"),
        ("khm", "km"),
        ("mya", "my"),
        ("amh", "am"),
        ("aka", "ak"),
        ("sna", "sn"),
        ("ori", "or"),
        ("jav", "jv"),
    ];
    TABLE.iter().find(|(c, _)| *c == code3).map(|(_, c)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn dates_in_many_forms() {
        let cases = [
            ("10/30/2025, 11:50:28 AM", "2025-10-30T11:50:28"),
            ("November 14, 2025", "2025-11-14"),
            ("Nov. 14, 2025 10:05 a.m.", "2025-11-14T10:05"),
            ("14 November 2025", "2025-11-14"),
            ("기사입력 2025.12.02. 오후 10:41", "2025-12-02T22:41"),
            ("2026년 3월 12일 15:20", "2026-03-12T15:20"),
            ("2026년 3월 12일 오전 9시 5분", "2026-03-12T09:05"),
            ("입력 2025.11.14 09:30", "2025-11-14T09:30"),
            ("2025-10-29T21:40:00+09:00", "2025-10-29T21:40:00+09:00"),
            ("2025-10-29 21:40", "2025-10-29T21:40"),
            ("2025-10-29T12:40:00.000Z", "2025-10-29T12:40:00Z"),
            ("12/31/2025", "2025-12-31"),
            ("31/12/2025", "2025-12-31"),
        ];
        for (s, want) in cases {
            assert_eq!(parse_declared_date(s).as_deref(), Some(want), "{s}");
        }
        assert_eq!(
            parse_declared_date("Fri, 14 Nov 2025 10:05:00 +0900").as_deref(),
            Some("2025-11-14T10:05:00+09:00")
        );
        assert_eq!(parse_declared_date("2025-02-30"), None);
        assert_eq!(parse_declared_date("no date here"), None);
    }

    #[test]
    fn all_dates_in_one_pass() {
        let found: Vec<String> =
            find_dates("Talks on October 29, 2025 and 2025.11.14 09:30, then 12/31/2025.")
                .into_iter()
                .map(|d| d.iso)
                .collect();
        assert_eq!(found, ["2025-10-29", "2025-11-14T09:30", "2025-12-31"]);
    }

    #[test]
    fn as_of_month() {
        assert_eq!(
            as_of_date("As of September 2024, the relationship ...").as_deref(),
            Some("2024-09")
        );
        assert_eq!(as_of_date("The relationship as of September 2024"), None);
    }

    #[test]
    fn datelines_and_sentences() {
        let d = read_dateline("류근웅 기자· 10/30/2025, 11:50:28 AM|").expect("dateline");
        assert_eq!(d.published.as_deref(), Some("2025-10-30T11:50:28"));
        assert_eq!(d.byline, ["류근웅"]);
        let d = read_dateline("입력 2025.11.14 09:30 | 수정 2025.11.14 11:02").expect("dateline");
        assert_eq!(d.published.as_deref(), Some("2025-11-14T09:30"));
        assert_eq!(d.modified.as_deref(), Some("2025-11-14T11:02"));
        let d = read_dateline("Published: November 14, 2025").expect("dateline");
        assert_eq!(d.published.as_deref(), Some("2025-11-14"));
        assert!(
            read_dateline("On August 25, 2025, the White House hosted the inaugural summit.")
                .is_none()
        );
        assert!(
            read_dateline(
                "The summit was held on October 29 in Gyeongju with both leaders present."
            )
            .is_none()
        );
    }

    #[test]
    fn bylines() {
        assert_eq!(
            bylines_in("By Dana Whitfield, Seoul correspondent"),
            ["Dana Whitfield"]
        );
        assert_eq!(
            bylines_in("By Dana Whitfield and Min-jun Park"),
            ["Dana Whitfield", "Min-jun Park"]
        );
        assert_eq!(bylines_in("류근웅 기자"), ["류근웅"]);
        assert_eq!(
            bylines_in("김민수·이지원 기자 (kim@example.com)"),
            ["김민수", "이지원"]
        );
        assert_eq!(bylines_in("워싱턴=박서연 특파원"), ["박서연"]);
        assert!(bylines_in("By the way, the summit ended.").is_empty());
        assert_eq!(author_names("Dana Whitfield"), ["Dana Whitfield"]);
        assert!(author_names("https://example.com/author/dana").is_empty());
    }

    #[test]
    fn site_suffixes() {
        assert_eq!(
            strip_site_suffix(
                "Summit ends with a deal | Pacific Ledger",
                Some("Pacific Ledger")
            ),
            "Summit ends with a deal"
        );
        assert_eq!(
            strip_site_suffix("Summit ends with a deal - Pacific Ledger", None),
            "Summit ends with a deal"
        );
        assert_eq!(
            strip_site_suffix(
                "US South Korea Alliance | South Korean President Lee To Meet with Trump",
                None
            ),
            "South Korean President Lee To Meet with Trump"
        );
        assert_eq!(
            strip_site_suffix("U.S.-Korea summit: what next", None),
            "U.S.-Korea summit: what next"
        );
    }

    #[test]
    fn languages() {
        assert_eq!(
            detect_language("이재명 대통령은 29일 경주에서 정상회담을 했다.", None),
            "ko"
        );
        assert_eq!(
            detect_language(
                "The two leaders met in Gyeongju on Wednesday and agreed on tariffs and investment.",
                None
            ),
            "en"
        );
        assert_eq!(detect_language("", Some("pt-BR")), "pt");
    }

    proptest! {
        #[test]
        fn date_parsing_never_panics(s in "\\PC{0,80}") {
            let _ = parse_declared_date(&s);
            let _ = read_dateline(&s);
            let _ = bylines_in(&s);
        }

        #[test]
        fn iso_dates_roundtrip(y in 1990i32..2100, m in 1u32..=12, d in 1u32..=28, h in 0u32..24, mi in 0u32..60) {
            let s = format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}");
            prop_assert_eq!(parse_declared_date(&s), Some(s.clone()));
            let us = format!("{m}/{d}/{y}");
            prop_assert_eq!(parse_declared_date(&us), Some(format!("{y:04}-{m:02}-{d:02}")));
            let ko = format!("{y}년 {m}월 {d}일");
            prop_assert_eq!(parse_declared_date(&ko), Some(format!("{y:04}-{m:02}-{d:02}")));
        }
    }
}
