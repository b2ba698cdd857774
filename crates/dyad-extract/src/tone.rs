//! Tone from a lexicon of warm and hostile words (`data/extract/tone.toml`), per document and
//! per quote, in English and Korean. A negator shortly before an English word flips it.

use serde::Deserialize;

use dyad_model::Tone;

use crate::lexmatch::{Phrases, words_before};

/// The tone lexicon shipped with dyad.
pub const DEFAULT_LEXICON: &str = include_str!("../../../data/extract/tone.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToneLexicon {
    pub version: String,
    positive_en: Vec<String>,
    negative_en: Vec<String>,
    negators_en: Vec<String>,
    positive_ko: Vec<String>,
    negative_ko: Vec<String>,
}

impl ToneLexicon {
    pub fn parse(src: &str, file: &str) -> Result<ToneLexicon, String> {
        crate::lexmatch::parse_toml(src, file)
    }
}

impl Default for ToneLexicon {
    fn default() -> Self {
        ToneLexicon::parse(DEFAULT_LEXICON, "data/extract/tone.toml")
            .expect("the shipped tone lexicon parses (tested)")
    }
}

pub struct ToneScorer {
    words: Phrases<i8>,
    negators: Vec<String>,
    version: String,
}

impl ToneScorer {
    pub fn new(lex: ToneLexicon) -> ToneScorer {
        let words = Phrases::new(
            lex.positive_en
                .iter()
                .chain(&lex.positive_ko)
                .map(|w| (w.clone(), 1i8))
                .chain(
                    lex.negative_en
                        .iter()
                        .chain(&lex.negative_ko)
                        .map(|w| (w.clone(), -1i8)),
                ),
        );
        ToneScorer {
            words,
            negators: lex.negators_en.iter().map(|w| w.to_lowercase()).collect(),
            version: lex.version,
        }
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    /// The tone of `text[from..to]`.
    pub fn score(&self, text: &str, from: usize, to: usize) -> Tone {
        let (mut pos, mut neg) = (0u32, 0u32);
        for h in self.words.find(text, from, to) {
            let mut sign = h.tags[0];
            if text.as_bytes()[h.start].is_ascii() {
                let before = words_before(text, from, h.start, 3);
                if before
                    .iter()
                    .any(|w| self.negators.contains(w) || w.ends_with("n't"))
                {
                    sign = -sign;
                }
            }
            if sign > 0 {
                pos += 1;
            } else {
                neg += 1;
            }
        }
        let score = if pos + neg == 0 {
            0.0
        } else {
            let s = (f64::from(pos) - f64::from(neg)) / f64::from(pos + neg);
            (s * 1000.0).round() / 1000.0
        };
        Tone {
            score,
            positive: pos,
            negative: neg,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warm_hostile_and_negated() {
        let t = ToneScorer::new(ToneLexicon::default());
        let s = "A successful and productive summit.";
        assert!(t.score(s, 0, s.len()).score > 0.9);
        let s = "Tensions and threats rose; talks were not successful.";
        let tone = t.score(s, 0, s.len());
        assert_eq!((tone.positive, tone.negative), (0, 3));
        let s = "양국은 성과를 환영했지만 야당은 우려를 표했다";
        let tone = t.score(s, 0, s.len());
        assert_eq!((tone.positive, tone.negative), (2, 1));
    }
}
