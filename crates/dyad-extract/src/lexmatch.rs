//! Phrase matching shared by the lexicon-driven stages: many phrases, one pass over the text.
//!
//! English phrases (those starting and ending with ASCII letters or digits) match case-insensitively
//! on word boundaries; Korean phrases match anywhere, since particles and endings attach to them.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// A set of phrases, each tagged with the lexicon entries it belongs to.
pub(crate) struct Phrases<T> {
    ac: Option<AhoCorasick>,
    bounded: Vec<(bool, bool)>,
    tags: Vec<Vec<T>>,
}

/// One occurrence of a phrase.
pub(crate) struct Hit<'a, T> {
    pub start: usize,
    pub end: usize,
    pub tags: &'a [T],
}

impl<T: Clone> Phrases<T> {
    pub fn new(entries: impl IntoIterator<Item = (String, T)>) -> Phrases<T> {
        let mut pats: Vec<String> = Vec::new();
        let mut tags: Vec<Vec<T>> = Vec::new();
        for (p, t) in entries {
            let p = p.trim().to_string();
            if p.is_empty() {
                continue;
            }
            match pats.iter().position(|q| q.eq_ignore_ascii_case(&p)) {
                Some(i) => tags[i].push(t),
                None => {
                    pats.push(p);
                    tags.push(vec![t]);
                }
            }
        }
        let bounded = pats
            .iter()
            .map(|p| {
                let first = p.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
                let last = p.chars().last().is_some_and(|c| c.is_ascii_alphanumeric());
                (first, last)
            })
            .collect();
        let ac = (!pats.is_empty()).then(|| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostLongest)
                .build(&pats)
                .expect("phrase automaton builds from literal strings")
        });
        Phrases { ac, bounded, tags }
    }

    /// Every occurrence in `text[from..to]`, with absolute offsets.
    pub fn find<'s>(&'s self, text: &str, from: usize, to: usize) -> Vec<Hit<'s, T>> {
        let Some(ac) = &self.ac else {
            return Vec::new();
        };
        let hay = &text[from..to];
        let bytes = text.as_bytes();
        ac.find_iter(hay)
            .filter_map(|m| {
                let (s, e) = (from + m.start(), from + m.end());
                let (b0, b1) = self.bounded[m.pattern().as_usize()];
                if b0 && s > 0 && is_word_byte(bytes[s - 1]) {
                    return None;
                }
                if b1 && e < bytes.len() && is_word_byte(bytes[e]) {
                    return None;
                }
                Some(Hit {
                    start: s,
                    end: e,
                    tags: &self.tags[m.pattern().as_usize()],
                })
            })
            .collect()
    }

    /// Whether any phrase occurs in `text[from..to]`.
    pub fn any(&self, text: &str, from: usize, to: usize) -> bool {
        !self.find(text, from, to).is_empty()
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The last `n` words before `pos` (lowercased), nearest last. Scans back from `pos` only as
/// far as it needs to.
pub(crate) fn words_before(text: &str, from: usize, pos: usize, n: usize) -> Vec<String> {
    // Only the last WORDS_WINDOW bytes are read, so a caller asking at every trigger of one
    // long clause does linear work in all. A word cut by the window is dropped: the callers
    // compare these words with short lexicon words, and a few words never span that much.
    let cut = floor(text, pos.saturating_sub(WORDS_WINDOW)).max(from);
    let mut region = &text[cut..pos];
    if cut > from && text[..cut].chars().next_back().is_some_and(is_word_char) {
        region = region.trim_start_matches(is_word_char);
    }
    crate::budget::tick(region.len() / 16 + 1);
    let mut words: Vec<String> = region
        .rsplit(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
        .take(n)
        .map(str::to_lowercase)
        .collect();
    words.reverse();
    words
}

/// Whether `phrase` (one or more words, lowercase) ends the word list, or occurs in it.
/// How far back [`words_before`] reads, in bytes.
pub(crate) const WORDS_WINDOW: usize = 512;

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '\'' || c == '-'
}

pub(crate) fn has_phrase(words: &[String], phrase: &str) -> bool {
    let p: Vec<&str> = phrase.split_whitespace().collect();
    if p.is_empty() || p.len() > words.len() {
        return false;
    }
    words
        .windows(p.len())
        .any(|w| w.iter().zip(&p).all(|(a, b)| a == b))
}

/// Parses a lexicon file, an error naming `file:line`.
pub(crate) fn parse_toml<T: serde::de::DeserializeOwned>(
    src: &str,
    file: &str,
) -> Result<T, String> {
    toml::from_str(src).map_err(|e| {
        let line = e.span().map_or(0, |s| {
            src[..s.start.min(src.len())].matches('\n').count() + 1
        });
        format!("{file}:{line}: {}", e.message())
    })
}

/// The nearest character boundary at or before `i`.
pub(crate) fn floor(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_needs_word_boundaries_korean_does_not() {
        let p = Phrases::new([("met".to_string(), 1), ("회담".to_string(), 2)]);
        let t = "They met; metal; 정상회담을 했다";
        let hits = p.find(t, 0, t.len());
        assert_eq!(hits.len(), 2);
        assert_eq!(&t[hits[0].start..hits[0].end], "met");
        assert_eq!(hits[1].tags, &[2]);
    }

    #[test]
    fn words_before_and_phrases() {
        let t = "the possibility of meeting";
        let w = words_before(t, 0, t.len() - "meeting".len(), 3);
        assert_eq!(w, vec!["the", "possibility", "of"]);
        assert!(has_phrase(&w, "possibility of"));
        assert!(!has_phrase(&w, "of the"));
    }
}
