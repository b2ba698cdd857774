//! Quotes: direct speech in quotation marks (any style, English and Korean) and reported
//! speech ("X said that ...", "according to X", "...고 밝혔다"), each attributed to a speaker
//! through the entity mentions the linker found, pronouns included.
//!
//! A short text in quotation marks with no cue verb beside it is a term, not a quote
//! ("alliance modernization"). Reported speech is kept only when its speaker is known.

use regex::Regex;
use serde::Deserialize;

use crate::budget::Clock;
use dyad_model::{Entity, Quote};

/// The quote lexicon shipped with dyad.
pub const DEFAULT_LEXICON: &str = include_str!("../../../data/extract/quotes.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteLexicon {
    pub version: String,
    pub(crate) cues_en: Vec<String>,
    pub(crate) cues_en_that: Vec<String>,
    /// Verbs whose reported clause may follow without "that" ("said the talks failed").
    pub(crate) cues_en_bare: Vec<String>,
    cues_ko: Vec<String>,
    pub(crate) min_words: usize,
    /// The fewest words a quotation introduced by a speech verb has ("patched" is a term).
    pub(crate) min_words_cued: usize,
    /// Lowercase or short words inside names ("La", "van", "bin").
    pub(crate) name_particles_en: Vec<String>,
    abbreviations: Vec<String>,
    /// Titles before a name, left out of the speaker's name ("President", "Sen.").
    pub(crate) titles_en: Vec<String>,
    /// Words that make a name an organisation's ("Department", "Inc.").
    pub(crate) org_words_en: Vec<String>,
    /// Capitalised function words that do not start a name ("The", "But").
    pub(crate) name_stopwords_en: Vec<String>,
}

impl QuoteLexicon {
    pub fn parse(src: &str, file: &str) -> Result<QuoteLexicon, String> {
        crate::lexmatch::parse_toml(src, file)
    }
}

impl Default for QuoteLexicon {
    fn default() -> Self {
        // Tested to parse (see tests), so this cannot fail at run time.
        QuoteLexicon::parse(DEFAULT_LEXICON, "data/extract/quotes.toml")
            .expect("the shipped quote lexicon is valid")
    }
}

/// A mention of an entity, flattened.
#[derive(Debug, Clone)]
pub(crate) struct M<'a> {
    pub start: usize,
    pub end: usize,
    pub name: &'a str,
    pub kind: &'a str,
}

/// Every mention of `entities`, sorted by start.
pub(crate) fn flat_mentions(entities: &[Entity]) -> Vec<M<'_>> {
    let mut mentions: Vec<M> = entities
        .iter()
        .flat_map(|e| {
            e.mentions.iter().map(move |m| M {
                start: m.start,
                end: m.end,
                name: &e.name,
                kind: &e.kind,
            })
        })
        .collect();
    mentions.sort_by_key(|m| m.start);
    mentions
}

/// Finds and attributes quotes.
pub struct QuoteFinder {
    lex: QuoteLexicon,
    cue_en: Regex,
    ko_tail: Regex,
    ko_reported: Regex,
    according: Regex,
}

const OPENERS: &[(char, char)] = &[
    ('“', '”'),
    ('"', '"'),
    ('«', '»'),
    ('「', '」'),
    ('『', '』'),
    ('‘', '’'),
];

impl QuoteFinder {
    pub fn new(lex: QuoteLexicon) -> QuoteFinder {
        let alt = |words: &[String]| {
            let mut w: Vec<&String> = words.iter().collect();
            w.sort_by_key(|s| std::cmp::Reverse(s.len()));
            w.iter()
                .map(|s| regex::escape(s))
                .collect::<Vec<_>>()
                .join("|")
        };
        let all: Vec<String> = lex
            .cues_en
            .iter()
            .chain(&lex.cues_en_that)
            .cloned()
            .collect();
        let cue_en = Regex::new(&format!(r"(?-u:\b)(?:{})(?-u:\b)", alt(&all)))
            .expect("cue pattern builds from escaped words");
        let ko_tail = Regex::new(&format!(
            r"^\s*(?:이?라고|고|이?라며|며|이?라는)\s*(?:(?:{})|[가-힣]+했다)?",
            alt(&lex.cues_ko)
        ))
        .expect("cue pattern builds from escaped words");
        let ko_reported = Regex::new(&format!(
            r"(?:다|라|자|냐|까)고\s*(?:{})",
            alt(&lex.cues_ko)
        ))
        .expect("cue pattern builds from escaped words");
        let according = Regex::new(r"(?i)(?-u:\b)according to\s+").expect("constant pattern");
        QuoteFinder {
            lex,
            cue_en,
            ko_tail,
            ko_reported,
            according,
        }
    }

    pub fn lexicon_version(&self) -> &str {
        &self.lex.version
    }

    pub(crate) fn lexicon(&self) -> &QuoteLexicon {
        &self.lex
    }

    /// The quotes of a clean text whose entities are already linked.
    pub fn find(&self, text: &str, entities: &[Entity]) -> Vec<Quote> {
        self.find_until(text, entities, &Clock::unlimited())
    }

    /// Like [`QuoteFinder::find`], stopping between paragraphs once `clock` has expired.
    pub(crate) fn find_until(&self, text: &str, entities: &[Entity], clock: &Clock) -> Vec<Quote> {
        let mentions = flat_mentions(entities);
        let mut out = Vec::new();
        let mut offset = 0;
        for para in text.split("\n\n") {
            if clock.expired() {
                break;
            }
            let sentences = self.sentences(para, offset);
            let quoted = quoted_spans(para, offset);
            let first = out.len();
            self.direct(text, &sentences, &quoted, &mentions, &mut out);
            self.reported(text, &sentences, &quoted, &mentions, first, &mut out);
            offset += para.len() + 2;
        }
        out.sort_by_key(|q| q.start);
        out
    }

    /// Sentence spans of a whole text: each line (bullet, heading, paragraph) split into
    /// sentences, with absolute offsets.
    pub fn sentence_spans(&self, text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut offset = 0;
        for line in text.split('\n') {
            if !line.trim().is_empty() {
                out.extend(self.sentences(line, offset));
            }
            offset += line.len() + 1;
        }
        out
    }

    /// Spans in quotation marks of a whole text, absolute offsets.
    pub fn quoted_spans(&self, text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut offset = 0;
        for para in text.split("\n\n") {
            out.extend(quoted_spans(para, offset));
            offset += para.len() + 2;
        }
        out
    }

    /// Sentence spans (absolute offsets) of a paragraph starting at `base`.
    fn sentences(&self, para: &str, base: usize) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut start = 0;
        let chars: Vec<(usize, char)> = para.char_indices().collect();
        let mut depth_quote = false;
        for (k, &(i, c)) in chars.iter().enumerate() {
            if c == '"' {
                depth_quote = !depth_quote;
            }
            if !matches!(c, '.' | '!' | '?' | '。') {
                continue;
            }
            // Close after trailing quotation marks.
            let mut j = k + 1;
            while j < chars.len() && matches!(chars[j].1, '"' | '”' | '’' | ')' | '」' | '』')
            {
                j += 1;
            }
            let end = chars.get(j).map_or(para.len(), |&(p, _)| p);
            let next = para[end..].chars().next();
            if !next.is_some_and(char::is_whitespace) && end < para.len() {
                continue;
            }
            let after = para[end..].trim_start().chars().next();
            if after.is_some_and(|a| a.is_lowercase()) {
                continue;
            }
            let word_start = para[..i]
                .char_indices()
                .rev()
                .find(|(_, c)| c.is_whitespace())
                .map_or(0, |(p, c)| p + c.len_utf8());
            let word = &para[word_start..i + c.len_utf8()];
            // An initial ("Donald J. Trump") does not end a sentence.
            if word.len() == 2 && word.starts_with(|c: char| c.is_ascii_uppercase()) {
                continue;
            }
            if self.lex.abbreviations.iter().any(|a| a == word)
                && after.is_some_and(|a| !a.is_uppercase() || word.len() <= 4)
            {
                continue;
            }
            if depth_quote && c != '.' {
                continue;
            }
            out.push((base + start, base + end));
            start = end;
        }
        if start < para.len() {
            out.push((base + start, base + para.len()));
        }
        out.into_iter()
            .map(|(s, e)| {
                let lead = text_trim_start(&para[s - base..e - base]);
                (s + lead, e)
            })
            .filter(|(s, e)| e > s)
            .collect()
    }

    fn direct(
        &self,
        text: &str,
        sentences: &[(usize, usize)],
        quoted: &[(usize, usize)],
        mentions: &[M],
        out: &mut Vec<Quote>,
    ) {
        for &(qs, qe) in quoted {
            let content = &text[qs..qe];
            let words = content.split_whitespace().count();
            // Sentences are sorted and do not overlap: the one holding `qs` is the first
            // ending after it, if it starts at or before it.
            let k = sentences.partition_point(|&(s, e)| e.max(s + 1) <= qs);
            let (ss, se) = sentences
                .get(k)
                .copied()
                .filter(|&(s, e)| s <= qs && qs < e.max(s + 1))
                .unwrap_or((qs, qe));
            // After the quote: "..., Kim said." / "...라고 말했다".
            let after_end = (qe + 1 + 120).min(se.max(qe + 1)).min(text.len());
            let after_start = next_boundary(text, qe + 1);
            let after = &text[after_start..floor_boundary(text, after_end).max(after_start)];
            let cue_after = self.cue_en.find(after).filter(|m| m.start() < 40);
            let ko = self
                .ko_tail
                .find(after)
                .filter(|m| !m.as_str().trim().is_empty());
            let mut speaker: Option<&M> = None;
            let mut cue: Option<String> = None;
            if let Some(c) = cue_after {
                let abs = after_start + c.start();
                // The closest actor after the quote, within its sentence.
                speaker = starting_in(mentions, qe, abs + c.len() + 40)
                    .iter()
                    .filter(|m| {
                        m.start >= qe
                            && m.start < abs + c.len() + 40
                            && m.end <= se
                            && !inside(quoted, m.start)
                    })
                    .find(|m| m.kind != "place");
                if speaker.is_some() {
                    cue = Some(c.as_str().to_string());
                }
            }
            if speaker.is_none() {
                let before: Vec<&M> = starting_in(mentions, ss, qs)
                    .iter()
                    .filter(|m| {
                        m.start >= ss
                            && m.end <= qs
                            && !inside(quoted, m.start)
                            && !possessive(text, m)
                    })
                    .collect();
                speaker = if ko.is_some() {
                    let subjects: Vec<&M> = before
                        .iter()
                        .copied()
                        .filter(|m| korean_subject(text, m))
                        .collect();
                    best_first(&subjects).or_else(|| best(before.iter().copied()))
                } else {
                    best(before.iter().copied())
                };
                if speaker.is_some() {
                    cue = self
                        .cue_en
                        .find_iter(&text[ss..qs])
                        .last()
                        .map(|m| m.as_str().to_string());
                }
            }
            if let Some(k) = ko {
                cue = cue.or_else(|| Some(k.as_str().trim().to_string()));
            }
            if words < self.lex.min_words && cue.is_none() {
                continue; // a term in quotation marks
            }
            if speaker.is_none() && ss > 0 {
                // "Some lawmakers raised concerns, questioning if "...": the last actor named
                // in the paragraph's previous sentence.
                let prev = sentences[..sentences.partition_point(|&(_, e)| e <= ss)].last();
                if let Some(&(ps, pe)) = prev {
                    speaker = best_last(starting_in(mentions, ps, pe).iter().filter(|m| {
                        m.start >= ps && m.end <= pe && m.kind != "place" && m.kind != "country"
                    }));
                }
            }
            out.push(Quote {
                speaker: speaker.map(|m| m.name.to_string()),
                text: content.to_string(),
                direct: true,
                cue,
                start: qs,
                end: qe,
                tone: None,
            });
        }
    }

    fn reported(
        &self,
        text: &str,
        sentences: &[(usize, usize)],
        quoted: &[(usize, usize)],
        mentions: &[M],
        first: usize,
        out: &mut Vec<Quote>,
    ) {
        // The paragraph's direct quotes, `out[first..direct_end]`, are sorted by start (one
        // per quoted span, in order); a quote inside a sentence is one of them or the reported
        // quote this sentence just added.
        let direct_end = out.len();
        // Quoted spans starting inside `(a, b)`, and in `[a, b)`.
        let quote_in = |a: usize, b: usize, open: bool| {
            let k = quoted.partition_point(|&(q, _)| if open { q <= a } else { q < a });
            quoted.get(k).is_some_and(|&(q, _)| q < b)
        };
        for &(ss, se) in sentences {
            let mut reported_here = false;
            let sentence = &text[ss..se];
            // English: MENTION [, appositive,] [adverb] CUE [that] CONTENT.
            for c in self.cue_en.find_iter(sentence) {
                let (cs, ce) = (ss + c.start(), ss + c.end());
                if inside(quoted, cs) {
                    continue;
                }
                let Some(m) = subject_before(text, starting_in(mentions, ss, cs), ss, cs) else {
                    continue;
                };
                let mut content_start = ce;
                let rest = &text[ce..se];
                let trimmed = rest.trim_start_matches([' ', ',', ':']);
                content_start += rest.len() - trimmed.len();
                let weak = self.lex.cues_en_that.iter().any(|w| w == c.as_str());
                if weak
                    && !(trimmed.starts_with("that ") || rest.trim_start().starts_with([':', ',']))
                {
                    continue;
                }
                let trimmed2 = trimmed.strip_prefix("that ").unwrap_or(trimmed);
                content_start += trimmed.len() - trimmed2.len();
                let content = text[content_start..se].trim_end_matches(['.', ' ']);
                if content.starts_with(['"', '“', '‘', '«']) || quote_in(cs, se, true) {
                    continue; // direct speech, handled above
                }
                if content.split_whitespace().count() < self.lex.min_words {
                    continue;
                }
                out.push(Quote {
                    speaker: Some(m.name.to_string()),
                    text: content.to_string(),
                    direct: false,
                    cue: Some(c.as_str().to_string()),
                    start: content_start,
                    end: content_start + content.len(),
                    tone: None,
                });
                reported_here = true;
                break;
            }
            // "according to X"
            if let Some(a) = self.according.find(sentence) {
                let at = ss + a.end();
                if let Some(m) = starting_in(mentions, at, at + 1).first() {
                    let content = text[ss..ss + a.start()].trim_end_matches([' ', ',']);
                    if content.split_whitespace().count() >= self.lex.min_words
                        && !reported_here
                        && !out[first..direct_end]
                            .get(out[first..direct_end].partition_point(|q| q.start < ss)..)
                            .unwrap_or_default()
                            .iter()
                            .take_while(|q| q.start <= se)
                            .any(|q| q.end <= se)
                    {
                        out.push(Quote {
                            speaker: Some(m.name.to_string()),
                            text: content.to_string(),
                            direct: false,
                            cue: Some("according to".into()),
                            start: ss,
                            end: ss + content.len(),
                            tone: None,
                        });
                    }
                }
            }
            // Korean: SUBJECT은 ... 다고 밝혔다, without quotation marks.
            if quote_in(ss, se, false) {
                continue;
            }
            if let Some(k) = self.ko_reported.find(sentence) {
                let end = ss + k.start() + k.as_str().find('고').unwrap_or(0);
                let subjects: Vec<&M> = starting_in(mentions, ss, end)
                    .iter()
                    .filter(|m| m.start >= ss && m.end < end && korean_subject(text, m))
                    .collect();
                let Some(m) = best_first(&subjects) else {
                    continue;
                };
                // Skip the speaker's title up to the word with the subject particle.
                let after_subject = next_boundary(text, m.end);
                let mut cs = after_subject;
                let mut pos = after_subject;
                for word in text[after_subject..end]
                    .split_inclusive(char::is_whitespace)
                    .take(4)
                {
                    pos += word.len();
                    if ["은", "는", "이", "가", "도", "께서"]
                        .iter()
                        .any(|p| word.trim_end().ends_with(p))
                    {
                        cs = pos;
                        break;
                    }
                }
                let cs = next_boundary(text, cs);
                if cs >= end {
                    continue;
                }
                out.push(Quote {
                    speaker: Some(m.name.to_string()),
                    text: text[cs..end].trim().to_string(),
                    direct: false,
                    cue: Some(
                        k.as_str()[k.as_str().find('고').map_or(0, |i| i + '고'.len_utf8())..]
                            .trim()
                            .to_string(),
                    ),
                    tone: None,
                    start: cs,
                    end,
                });
            }
        }
    }
}

fn text_trim_start(s: &str) -> usize {
    s.len() - s.trim_start().len()
}

fn next_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Spans of text inside quotation marks (content only), in a paragraph at `base`.
fn quoted_spans(para: &str, base: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    // Per closing mark, a position from which the paragraph holds no closing one: an opener
    // after it is not searched again (unclosed openers would otherwise rescan the rest).
    let mut unclosed_from: Vec<(char, usize)> = Vec::new();
    while i < para.len() {
        let Some(c) = para[i..].chars().next() else {
            break;
        };
        let next = i + c.len_utf8();
        if let Some(&(_, close)) = OPENERS.iter().find(|(o, _)| *o == c)
            && !unclosed_from
                .iter()
                .any(|&(k, from)| k == close && next >= from)
        {
            // A single curly quote opens only at a word start (not "America’s").
            let prev = para[..i].chars().next_back();
            if c == '‘' && prev.is_some_and(char::is_alphanumeric) {
                i = next;
                continue;
            }
            let mut j = next;
            let mut found = None;
            while j < para.len() {
                let Some(d) = para[j..].chars().next() else {
                    break;
                };
                if d == close {
                    let after = para[j + d.len_utf8()..].chars().next();
                    // A closing single quote followed by a letter is an apostrophe.
                    if !(close == '’' && after.is_some_and(char::is_alphanumeric)) {
                        found = Some(j);
                        break;
                    }
                }
                j += d.len_utf8();
            }
            if let Some(j) = found {
                if j > next {
                    out.push((base + next, base + j));
                }
                i = j + close.len_utf8();
                continue;
            }
            unclosed_from.push((close, next));
        }
        i = next;
    }
    out
}

/// How far before a cue verb its subject may end, in bytes (see `subject_before`).
const SUBJECT_REACH: usize = 512;
/// The longest word, in characters, after a mention that can carry a subject particle.
const SUBJECT_WORD: usize = 24;

/// Whether `pos` is inside a quoted span (sorted, not overlapping).
pub(crate) fn inside(quoted: &[(usize, usize)], pos: usize) -> bool {
    let i = quoted.partition_point(|&(s, _)| s <= pos);
    i > 0 && pos < quoted[i - 1].1
}

/// The mentions (sorted by start) starting in `[from, to)`.
fn starting_in<'m, 'a>(mentions: &'m [M<'a>], from: usize, to: usize) -> &'m [M<'a>] {
    let a = mentions.partition_point(|m| m.start < from);
    let b = mentions.partition_point(|m| m.start < to).max(a);
    crate::budget::tick(1);
    &mentions[a..b]
}

fn possessive(text: &str, m: &M) -> bool {
    let after = &text[m.end..];
    after.starts_with("'s") || after.starts_with("’s")
}

/// A Korean subject: the mention carries a topic or subject particle (은/는/이/가/도), maybe
/// after a title ("조 장관은", "이재명 대통령은").
fn korean_subject(text: &str, m: &M) -> bool {
    let after = &text[m.end..];
    // A title and a particle are a few syllables: a word running on for more than
    // SUBJECT_WORD characters (text without spaces) does not mark a subject.
    let word: String = after
        .chars()
        .take_while(|c| !c.is_whitespace())
        .take(SUBJECT_WORD + 1)
        .collect();
    if word.chars().count() > SUBJECT_WORD {
        return false;
    }
    let next_word: String = after
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    let ends = |w: &str| {
        ["은", "는", "이", "가", "도", "께서"]
            .iter()
            .any(|p| w.ends_with(p))
    };
    ends(&word) || (word.is_empty() && next_word.split_whitespace().take(2).any(ends))
}

/// The speaker among candidate mentions: persons first, then organisations, then countries;
/// the last of its class.
fn best<'a, 'b>(ms: impl Iterator<Item = &'b M<'a>>) -> Option<&'b M<'a>> {
    let all: Vec<&M> = ms.collect();
    for kind in ["person", "organization", "country"] {
        if let Some(m) = all.iter().rev().find(|m| m.kind == kind) {
            return Some(m);
        }
    }
    None
}

/// The first person among candidates, else the first organisation, else the first country.
fn best_first<'a, 'b>(ms: &[&'b M<'a>]) -> Option<&'b M<'a>> {
    ["person", "organization", "country"]
        .iter()
        .find_map(|k| ms.iter().copied().find(|m| m.kind == *k))
}

fn best_last<'a, 'b>(ms: impl Iterator<Item = &'b M<'a>>) -> Option<&'b M<'a>> {
    ms.last()
}

/// The subject of a cue verb at `cue`: a mention right before it, possibly followed by an
/// appositive between commas ("Kim Sung-hwan, chair of X, said") or an adverb ("firmly").
fn subject_before<'a, 'b>(
    text: &str,
    mentions: &'b [M<'a>],
    ss: usize,
    cue: usize,
) -> Option<&'b M<'a>> {
    // Only mentions ending within SUBJECT_REACH bytes of the cue: the words between a
    // subject and its verb are an appositive of under 160 bytes or two short words, so a
    // sentence with thousands of mentions costs a bounded search per cue.
    let reach = cue.saturating_sub(SUBJECT_REACH);
    let candidates: Vec<&M> = mentions
        .iter()
        .rev()
        .take_while(|m| m.start + SUBJECT_REACH >= reach)
        .inspect(|_| crate::budget::tick(1))
        .filter(|m| m.end >= reach)
        .filter(|m| m.start >= ss && m.end <= cue && !possessive(text, m) && m.kind != "place")
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let fits = |m: &M| {
        let between = text[m.end..cue].trim();
        let plain = between.is_empty()
            || (between.split_whitespace().count() <= 2
                && between
                    .chars()
                    .all(|c| c.is_lowercase() || c.is_whitespace()));
        let appositive = between.len() > 1
            && between.starts_with(',')
            && between.ends_with(',')
            && between.len() < 160;
        plain || appositive
    };
    for kind in ["person", "organization", "country"] {
        if let Some(m) = candidates.iter().rev().find(|m| m.kind == kind && fits(m)) {
            return Some(m);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use dyad_model::Mention;

    fn ent(name: &str, kind: &str, text: &str, surfaces: &[&str]) -> Entity {
        let mut mentions = Vec::new();
        for s in surfaces {
            for (i, _) in text.match_indices(s) {
                mentions.push(Mention {
                    start: i,
                    end: i + s.len(),
                    text: s.to_string(),
                });
            }
        }
        Entity {
            name: name.into(),
            kind: kind.into(),
            id: None,
            aliases: vec![],
            mentions,
        }
    }

    fn finder() -> QuoteFinder {
        QuoteFinder::new(QuoteLexicon::default())
    }

    #[test]
    fn weak_cues_need_that() {
        let text = "The U.S. has maintained sanctions on North Korea for many years now. Kim maintained that the talks would resume soon enough.";
        let ents = vec![
            ent("United States", "country", text, &["U.S."]),
            ent("Kevin Kim", "person", text, &["Kim"]),
        ];
        let q = finder().find(text, &ents);
        assert_eq!(q.len(), 1, "{q:?}");
        assert_eq!(q[0].speaker.as_deref(), Some("Kevin Kim"));
    }

    #[test]
    fn reported_speech_with_appositive_and_pronoun() {
        let text = "Kim Sung-hwan, chair of the East Asia Foundation, said legislative diplomacy fosters continuity. She stressed that stronger communication is now essential.";
        let ents = vec![
            ent("Kim Sung-hwan", "person", text, &["Kim Sung-hwan"]),
            ent(
                "East Asia Foundation",
                "organization",
                text,
                &["East Asia Foundation"],
            ),
            ent("Park Yoon-joo", "person", text, &["She"]),
        ];
        let q = finder().find(text, &ents);
        let got: Vec<(Option<&str>, &str, bool)> = q
            .iter()
            .map(|q| (q.speaker.as_deref(), q.text.as_str(), q.direct))
            .collect();
        assert_eq!(
            got,
            [
                (
                    Some("Kim Sung-hwan"),
                    "legislative diplomacy fosters continuity",
                    false
                ),
                (
                    Some("Park Yoon-joo"),
                    "stronger communication is now essential",
                    false
                ),
            ]
        );
    }

    #[test]
    fn direct_quotes_before_and_after_the_speaker_and_terms() {
        let text = "Bloomberg analyzed that “Lee’s meticulous approach earned Trump’s trust,” further predicting it “will form a critical foundation.” The concept of “alliance modernization” drew notice. “We will keep talking with Washington,” Cho said.";
        let ents = vec![
            ent("Bloomberg", "organization", text, &["Bloomberg"]),
            ent("Lee Jae-myung", "person", text, &["Lee"]),
            ent("Donald Trump", "person", text, &["Trump"]),
            ent("Cho Hyun", "person", text, &["Cho"]),
            ent("Washington", "place", text, &["Washington"]),
        ];
        let q = finder().find(text, &ents);
        let got: Vec<(Option<&str>, &str)> = q
            .iter()
            .map(|q| (q.speaker.as_deref(), q.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    Some("Bloomberg"),
                    "Lee’s meticulous approach earned Trump’s trust,"
                ),
                (Some("Bloomberg"), "will form a critical foundation."),
                (Some("Cho Hyun"), "We will keep talking with Washington,"),
            ]
        );
        assert!(q.iter().all(|q| q.direct));
    }

    #[test]
    fn korean_direct_and_reported() {
        let text = "조 장관은 \"두 나라 관계를 한 단계 발전시킬 좋은 기회\"라고 말했다. 안규백 국방부 장관은 국방비를 꾸준히 늘려 나가겠다고 밝혔다.";
        let ents = vec![
            ent("Cho Hyun", "person", text, &["조"]),
            ent("Ahn Gyu-back", "person", text, &["안규백"]),
        ];
        let q = finder().find(text, &ents);
        let got: Vec<(Option<&str>, &str, bool)> = q
            .iter()
            .map(|q| (q.speaker.as_deref(), q.text.as_str(), q.direct))
            .collect();
        assert_eq!(
            got,
            [
                (
                    Some("Cho Hyun"),
                    "두 나라 관계를 한 단계 발전시킬 좋은 기회",
                    true
                ),
                (Some("Ahn Gyu-back"), "국방비를 꾸준히 늘려 나가겠다", false),
            ]
        );
    }

    #[test]
    fn offsets_point_at_the_quote() {
        let text = "Kim said the talks went well for both sides.\n\n“Nothing is agreed until everything is agreed,” Lee said.";
        let ents = vec![
            ent("Kevin Kim", "person", text, &["Kim"]),
            ent("Lee Jae-myung", "person", text, &["Lee"]),
        ];
        for q in finder().find(text, &ents) {
            assert_eq!(&text[q.start..q.end], q.text);
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,200}") {
            let ents = vec![ent("X", "person", &s, &["Kim"])];
            for q in finder().find(&s, &ents) {
                proptest::prop_assert_eq!(&s[q.start..q.end], q.text.as_str());
            }
        }
    }
}
