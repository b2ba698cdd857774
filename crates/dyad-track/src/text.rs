//! Text helpers: sentences with byte offsets, keyword matching, amounts and content words.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

/// A sentence of a document: its byte range in `Document::text` and its paragraph number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence<'a> {
    pub text: &'a str,
    pub start: usize,
    pub end: usize,
    pub paragraph: usize,
}

const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "gen", "lt", "col", "sen", "rep", "gov", "no", "vs", "jan",
    "feb", "mar", "apr", "aug", "sep", "sept", "oct", "nov", "dec", "inc", "co", "corp", "jr",
    "sr", "prof", "adm", "maj", "capt", "etc", "approx",
];

/// Splits `text` into sentences: paragraphs (blank lines or line breaks) first, then at `.`, `!`,
/// `?` or `。` followed by white space (and optional closing quotes), except after abbreviations
/// and initials such as `U.S.`.
pub fn sentences(text: &str) -> Vec<Sentence<'_>> {
    let mut out = Vec::new();
    let mut paragraph = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        if body.trim().is_empty() {
            offset += line.len();
            continue;
        }
        split_line(body, offset, paragraph, &mut out);
        paragraph += 1;
        offset += line.len();
    }
    out
}

fn split_line<'a>(line: &'a str, base: usize, paragraph: usize, out: &mut Vec<Sentence<'a>>) {
    let bytes: Vec<(usize, char)> = line.char_indices().collect();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let (pos, c) = bytes[i];
        if matches!(c, '.' | '!' | '?' | '。') {
            let mut j = i + 1;
            while j < bytes.len() && matches!(bytes[j].1, '"' | '\'' | '”' | '’' | ')' | '」')
            {
                j += 1;
            }
            let at_space = j >= bytes.len() || bytes[j].1.is_whitespace();
            if at_space && !(c == '.' && is_abbreviation(&line[start..pos])) {
                let end = if j < bytes.len() {
                    bytes[j].0
                } else {
                    line.len()
                };
                push(line, base, paragraph, start, end, out);
                start = end;
            }
            i = j;
            continue;
        }
        i += 1;
    }
    push(line, base, paragraph, start, line.len(), out);
}

fn push<'a>(
    line: &'a str,
    base: usize,
    paragraph: usize,
    start: usize,
    end: usize,
    out: &mut Vec<Sentence<'a>>,
) {
    let piece = &line[start..end];
    let trimmed = piece.trim_start();
    let s = start + (piece.len() - trimmed.len());
    let t = trimmed.trim_end();
    if !t.is_empty() {
        out.push(Sentence {
            text: t,
            start: base + s,
            end: base + s + t.len(),
            paragraph,
        });
    }
}

/// Whether the text before a period ends in an abbreviation or an initial ("U.S", "Mr", "J").
fn is_abbreviation(before: &str) -> bool {
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(' || c == '"')
        .next()
        .unwrap_or("");
    let w = word.to_lowercase();
    if ABBREVIATIONS.contains(&w.as_str()) {
        return true;
    }
    // Initials: one letter, or letters separated by periods (U.S, U.N, e.g).
    let letters: Vec<&str> = w.split('.').collect();
    !w.is_empty()
        && letters
            .iter()
            .all(|p| p.chars().count() == 1 && p.chars().all(char::is_alphabetic))
}

/// Whether lowercase `hay` contains keyword `kw` (lowercase). Keywords with non-ASCII letters
/// (Korean) match anywhere; ASCII keywords must start a word and end a word, except that a
/// keyword of five or more characters may be followed by a suffix ("tariff" → "tariffs",
/// "invest" → "investment") and a shorter one by a plural `s`.
pub fn has_keyword(hay: &str, kw: &str) -> bool {
    if kw.is_empty() {
        return false;
    }
    if !kw.is_ascii() {
        return hay.contains(kw);
    }
    let mut from = 0;
    while let Some(i) = hay[from..].find(kw) {
        let s = from + i;
        let e = s + kw.len();
        let before_ok = hay[..s]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        // The word after is read only after a word start: such matches lie in different
        // words, so each word is read once however often the keyword repeats inside it.
        if !before_ok {
            from = s + kw.chars().next().map_or(1, char::len_utf8);
            continue;
        }
        let rest: String = hay[e..]
            .chars()
            .take_while(|c| c.is_alphanumeric())
            .collect();
        let after_ok = rest.is_empty()
            || (kw.len() >= 5 && rest.is_ascii())
            || rest == "s"
            || (kw.ends_with('y') && rest == "ies");
        if before_ok && after_ok {
            return true;
        }
        from = s + kw.chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// What an amount counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    Usd,
    Krw,
    Percent,
}

/// A normalised amount: US dollars, won, or a percentage.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Amount {
    pub value: f64,
    pub unit: Unit,
}

impl Amount {
    /// Same unit and within half a percent of each other.
    pub fn same(&self, other: &Amount) -> bool {
        self.unit == other.unit
            && (self.value - other.value).abs() <= 0.005 * self.value.abs().max(other.value.abs())
    }
}

fn scale(word: &str) -> f64 {
    match word.to_lowercase().as_str() {
        "trillion" | "tn" | "조" => 1e12,
        "billion" | "bn" | "b" => 1e9,
        "million" | "mn" | "m" => 1e6,
        "억" => 1e8,
        "만" => 1e4,
        _ => 1.0,
    }
}

fn number(s: &str) -> Option<f64> {
    s.replace(',', "").parse().ok()
}

static USD: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)]
    Regex::new(r"(?i)(?:US)?\$\s?(\d[\d,]*(?:\.\d+)?)(?:\s*(trillion|billion|million|tn|bn|mn|b|m)\b)?|(\d[\d,]*(?:\.\d+)?)\s*(trillion|billion|million)\s+(?:u\.s\.\s+|us\s+)?dollars").unwrap()
});
static WON: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)]
    Regex::new(r"(?i)(\d[\d,]*(?:\.\d+)?)\s*(trillion|billion|million)\s+won\b").unwrap()
});
static PERCENT: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)]
    Regex::new(r"(?i)(\d+(?:\.\d+)?)\s*(?:%|percent\b|per cent\b|퍼센트|프로)").unwrap()
});
static KOREAN: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)]
    Regex::new(r"(\d[\d,]*(?:\.\d+)?)\s*(조|억|만)(?:\s*(\d[\d,]*(?:\.\d+)?)\s*(억|만))?\s*(?:미국\s*)?(달러|원|불)").unwrap()
});

/// The amounts stated in `text`: dollar sums ("$350 billion", "350 billion dollars",
/// "3,500억 달러"), won sums ("2조원") and percentages ("15%", "3.5 percent").
pub fn amounts(text: &str) -> Vec<Amount> {
    let mut out: Vec<Amount> = Vec::new();
    // The values kept so far per unit, sorted: an amount is the same as one of them iff it is
    // the same as its nearest neighbour below or above (values are positive), so each amount
    // costs a binary search rather than a scan of all the others.
    // (Positive floats order as their bit patterns do.)
    let mut kept: [std::collections::BTreeSet<u64>; 3] = Default::default();
    let mut add = |a: Amount| {
        if a.value > 0.0 {
            let values = &mut kept[a.unit as usize];
            let bits = a.value.to_bits();
            let same = |v: Option<&u64>| {
                v.is_some_and(|&b| {
                    Amount {
                        value: f64::from_bits(b),
                        unit: a.unit,
                    }
                    .same(&a)
                })
            };
            if !same(values.range(..=bits).next_back()) && !same(values.range(bits..).next()) {
                values.insert(bits);
                out.push(a);
            }
        }
    };
    for c in USD.captures_iter(text) {
        let (n, s) = match (c.get(1), c.get(3)) {
            (Some(n), _) => (n.as_str(), c.get(2).map_or("", |m| m.as_str())),
            (None, Some(n)) => (n.as_str(), c.get(4).map_or("", |m| m.as_str())),
            _ => continue,
        };
        if let Some(v) = number(n) {
            add(Amount {
                value: v * scale(s),
                unit: Unit::Usd,
            });
        }
    }
    for c in KOREAN.captures_iter(text) {
        let Some(first) = c.get(1).and_then(|m| number(m.as_str())) else {
            continue;
        };
        let mut v = first * scale(c.get(2).map_or("", |m| m.as_str()));
        if let (Some(n), Some(s)) = (c.get(3), c.get(4))
            && let Some(n) = number(n.as_str())
        {
            v += n * scale(s.as_str());
        }
        let unit = if c.get(5).is_some_and(|m| m.as_str() == "원") {
            Unit::Krw
        } else {
            Unit::Usd
        };
        add(Amount { value: v, unit });
    }
    for c in WON.captures_iter(text) {
        if let (Some(n), Some(s)) = (c.get(1).and_then(|m| number(m.as_str())), c.get(2)) {
            add(Amount {
                value: n * scale(s.as_str()),
                unit: Unit::Krw,
            });
        }
    }
    for c in PERCENT.captures_iter(text) {
        if let Some(v) = c.get(1).and_then(|m| number(m.as_str())) {
            add(Amount {
                value: v,
                unit: Unit::Percent,
            });
        }
    }
    out
}

const STOPWORDS: &[&str] = &[
    "about", "after", "also", "among", "and", "been", "before", "being", "between", "both", "from",
    "have", "into", "more", "most", "other", "over", "said", "says", "such", "than", "that",
    "their", "them", "then", "there", "these", "they", "this", "those", "under", "until", "were",
    "what", "when", "which", "while", "will", "with", "would", "year", "years", "korea", "korean",
    "states", "united", "south", "american", "agreed", "agree", "under", "percent", "billion",
    "million", "dollars",
];

/// Content words of tracked commitments, computed once per commitment id (an update relates
/// every new statement and evidence sentence to many commitments; their texts do not change
/// during it).
#[derive(Debug, Default)]
pub struct WordCache(std::collections::HashMap<String, Vec<String>>);

impl WordCache {
    /// The content words of commitment `id`, whose text is `text`.
    pub fn of(&mut self, id: &str, text: &str) -> &[String] {
        self.0
            .entry(id.to_string())
            .or_insert_with(|| content_words(text))
    }
}

/// Content words of English text, lowercased and cut to six letters (a crude stem).
pub fn content_words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 4 && w.is_ascii() && !w.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_lowercase)
        .filter(|w| !STOPWORDS.contains(&w.as_str()))
        .map(|w| w.chars().take(6).collect())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The last day of the period an ISO date names: `2035` → `2035-12-31`, `2026-03` →
/// `2026-03-31` (string comparison against full dates then works for every month).
pub fn period_end(date: &str) -> Option<String> {
    let d = date.get(..10).unwrap_or(date);
    let ok = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    match d.len() {
        4 if ok(d) => Some(format!("{d}-12-31")),
        7 if ok(&d[..4]) && ok(&d[5..]) => Some(format!("{d}-31")),
        10 => Some(d.to_string()),
        _ => None,
    }
}

/// The date part (`YYYY-MM-DD`, or less) of an ISO timestamp.
pub fn day(ts: &str) -> String {
    ts.get(..10).unwrap_or(ts).to_string()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn splits_sentences_but_not_initials() {
        let t =
            "The U.S. side agreed. Mr. Kim said so! 국회는 특별법을 통과시켰다. 끝\n\nNext para.";
        let s: Vec<&str> = sentences(t).iter().map(|s| s.text).collect();
        assert_eq!(
            s,
            [
                "The U.S. side agreed.",
                "Mr. Kim said so!",
                "국회는 특별법을 통과시켰다.",
                "끝",
                "Next para."
            ]
        );
        for x in sentences(t) {
            assert_eq!(&t[x.start..x.end], x.text);
        }
    }

    #[test]
    fn keywords_respect_word_starts() {
        assert!(has_keyword("new tariffs on cars", "tariff"));
        assert!(has_keyword("new tariffs on cars", "car"));
        assert!(!has_keyword("an aircraft carrier", "car"));
        assert!(has_keyword("investment in the us", "invest"));
        assert!(has_keyword("관세를 25%로", "관세"));
        assert!(has_keyword("customs duties", "duty") || has_keyword("customs duties", "duties"));
    }

    #[test]
    fn amounts_in_english_and_korean() {
        let a = amounts(
            "a $350 billion package incl. US$150bn for ships; tariffs of 15% and 3.5 percent of GDP",
        );
        assert!(a.contains(&Amount {
            value: 350e9,
            unit: Unit::Usd
        }));
        assert!(a.contains(&Amount {
            value: 150e9,
            unit: Unit::Usd
        }));
        assert!(a.contains(&Amount {
            value: 15.0,
            unit: Unit::Percent
        }));
        assert!(a.contains(&Amount {
            value: 3.5,
            unit: Unit::Percent
        }));
        let k = amounts("대미 투자 3500억 달러 가운데 1,500억달러는 조선 협력에, 관세는 15%로");
        assert!(k.iter().any(|x| x.same(&Amount {
            value: 350e9,
            unit: Unit::Usd
        })));
        assert!(k.iter().any(|x| x.same(&Amount {
            value: 150e9,
            unit: Unit::Usd
        })));
        assert!(k.contains(&Amount {
            value: 15.0,
            unit: Unit::Percent
        }));
        let w = amounts("국방예산 66조원"); // a won sum, not dollars
        assert_eq!(
            w,
            [Amount {
                value: 66e12,
                unit: Unit::Krw
            }]
        );
        assert_eq!(amounts("350 billion dollars")[0].value, 350e9);
        let won = amounts("pay 1.5 trillion won toward");
        assert!(won[0].same(&Amount {
            value: 1.5e12,
            unit: Unit::Krw
        }));
        assert!(amounts("1조5000억원")[0].same(&won[0]));
    }

    #[test]
    fn period_ends() {
        assert_eq!(period_end("2035").as_deref(), Some("2035-12-31"));
        assert_eq!(period_end("2026-03").as_deref(), Some("2026-03-31"));
        assert_eq!(
            period_end("2026-03-05T10:00:00Z").as_deref(),
            Some("2026-03-05")
        );
        assert_eq!(period_end("soon"), None);
    }

    proptest! {
        #[test]
        fn sentences_are_spans_of_the_text(t in "[a-zA-Z가-힣 .!?\n\"U]{0,200}") {
            for s in sentences(&t) {
                prop_assert_eq!(&t[s.start..s.end], s.text);
                prop_assert!(!s.text.trim().is_empty());
            }
        }

        #[test]
        fn amounts_never_panic(t in "\\PC{0,200}") {
            for a in amounts(&t) {
                prop_assert!(a.value > 0.0);
            }
        }
    }
}
