//! The boilerplate lexicon: a versioned data file (`data/clean/boilerplate.toml`) that users
//! extend. Validated on load; errors name the file and the line.

use std::collections::HashMap;
use std::path::Path;

use regex::Regex;
use serde::Deserialize;

/// The lexicon shipped with dyad.
pub const DEFAULT_LEXICON: &str = include_str!("../../../data/clean/boilerplate.toml");

#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    #[error("{file}: cannot read: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLexicon {
    version: String,
    #[serde(default)]
    end_markers: Vec<RawEntry>,
    #[serde(default)]
    lines: Vec<RawEntry>,
    #[serde(default)]
    patterns: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    reason: String,
    #[serde(default)]
    phrases: Vec<String>,
    #[serde(default)]
    regexes: Vec<String>,
}

/// How a line of page text is classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict<'a> {
    pub reason: &'a str,
    /// The line starts a trailing section of chrome (related links, comments, ...).
    pub end_marker: bool,
}

/// Compiled boilerplate lexicon.
#[derive(Debug, Clone)]
pub struct Lexicon {
    pub version: String,
    end_phrases: HashMap<String, String>,
    end_regexes: Vec<(Regex, String)>,
    line_phrases: HashMap<String, String>,
    patterns: Vec<(Regex, String)>,
    /// The most characters in a phrase: a line with more letters cannot be one.
    max_phrase_chars: usize,
}

impl Default for Lexicon {
    fn default() -> Self {
        // The shipped lexicon is tested to parse (see tests), so this cannot fail at run time.
        Lexicon::parse(DEFAULT_LEXICON, "data/clean/boilerplate.toml")
            .expect("the shipped lexicon is valid")
    }
}

impl Lexicon {
    /// Parses and validates a lexicon; `file` names it in errors.
    pub fn parse(src: &str, file: &str) -> Result<Lexicon, LexiconError> {
        let invalid = |message: String| LexiconError::Invalid {
            file: file.to_string(),
            message,
        };
        let raw: RawLexicon = toml::from_str(src).map_err(|e| {
            let line = e
                .span()
                .map(|s| src[..s.start.min(src.len())].lines().count().max(1));
            invalid(match line {
                Some(l) => format!("line {l}: {}", e.message()),
                None => e.message().to_string(),
            })
        })?;
        let mut lex = Lexicon {
            version: raw.version,
            end_phrases: HashMap::new(),
            end_regexes: Vec::new(),
            line_phrases: HashMap::new(),
            patterns: Vec::new(),
            max_phrase_chars: 0,
        };
        lex.add(raw.end_markers, raw.lines, raw.patterns, src, file)?;
        lex.max_phrase_chars = lex.phrase_chars();
        Ok(lex)
    }

    /// Reads a lexicon file.
    pub fn load(path: &Path) -> Result<Lexicon, LexiconError> {
        let file = path.display().to_string();
        let src = std::fs::read_to_string(path).map_err(|source| LexiconError::Io {
            file: file.clone(),
            source,
        })?;
        Lexicon::parse(&src, &file)
    }

    /// Adds the entries of another lexicon file to this one (its phrases override ours), and
    /// records both versions.
    pub fn extend_from(&mut self, path: &Path) -> Result<(), LexiconError> {
        let other = Lexicon::load(path)?;
        self.version = format!("{}+{}", self.version, other.version);
        self.end_phrases.extend(other.end_phrases);
        self.end_regexes.extend(other.end_regexes);
        self.line_phrases.extend(other.line_phrases);
        // The user's patterns are tried first.
        let mut patterns = other.patterns;
        patterns.append(&mut self.patterns);
        self.patterns = patterns;
        self.max_phrase_chars = self.phrase_chars();
        Ok(())
    }

    fn phrase_chars(&self) -> usize {
        self.end_phrases
            .keys()
            .chain(self.line_phrases.keys())
            .map(|k| k.chars().count())
            .max()
            .unwrap_or(0)
    }

    fn add(
        &mut self,
        end: Vec<RawEntry>,
        lines: Vec<RawEntry>,
        patterns: Vec<RawEntry>,
        src: &str,
        file: &str,
    ) -> Result<(), LexiconError> {
        let compile = |re: &str| {
            Regex::new(re).map_err(|e| {
                let line = src
                    .lines()
                    .position(|l| l.contains(re.get(..re.len().min(20)).unwrap_or(re)))
                    .map(|i| i + 1)
                    .unwrap_or(0);
                LexiconError::Invalid {
                    file: file.to_string(),
                    message: format!("line {line}: bad regex {re:?}: {e}"),
                }
            })
        };
        for e in end {
            for p in &e.phrases {
                self.end_phrases.insert(normalise(p), e.reason.clone());
            }
            for r in &e.regexes {
                self.end_regexes.push((compile(r)?, e.reason.clone()));
            }
        }
        for e in lines {
            for p in &e.phrases {
                self.line_phrases.insert(normalise(p), e.reason.clone());
            }
            for r in &e.regexes {
                self.patterns.push((compile(r)?, e.reason.clone()));
            }
        }
        for e in patterns {
            for p in &e.phrases {
                self.line_phrases.insert(normalise(p), e.reason.clone());
            }
            for r in &e.regexes {
                self.patterns.push((compile(r)?, e.reason.clone()));
            }
        }
        Ok(())
    }

    /// Classifies one line of text as boilerplate, or not (`None`).
    pub fn classify(&self, line: &str) -> Option<Verdict<'_>> {
        // Letters survive normalisation, so a line with more letters than the longest phrase
        // is no phrase; only the patterns (for short lines) remain to be tried.
        let letters = line
            .chars()
            .filter(|c| c.is_alphabetic())
            .take(self.max_phrase_chars + 1)
            .count();
        if letters > self.max_phrase_chars {
            return self.classify_by_patterns(line);
        }
        let n = normalise(line);
        if n.is_empty() {
            return None;
        }
        if let Some(r) = self.end_phrases.get(&n) {
            return Some(Verdict {
                reason: r,
                end_marker: true,
            });
        }
        let short = line.chars().count() <= 200;
        if short && let Some((_, r)) = self.end_regexes.iter().find(|(re, _)| re.is_match(line)) {
            return Some(Verdict {
                reason: r,
                end_marker: true,
            });
        }
        if let Some(r) = self.line_phrases.get(&n) {
            return Some(Verdict {
                reason: r,
                end_marker: false,
            });
        }
        self.classify_by_patterns(line)
    }

    /// The regex half of [`Lexicon::classify`], in the same order.
    fn classify_by_patterns(&self, line: &str) -> Option<Verdict<'_>> {
        let short = line.chars().count() <= 200;
        if short && let Some((_, r)) = self.end_regexes.iter().find(|(re, _)| re.is_match(line)) {
            return Some(Verdict {
                reason: r,
                end_marker: true,
            });
        }
        if short
            && let Some((_, r)) = self
                .patterns
                .iter()
                .find(|(re, _)| re.is_match(line.trim()))
        {
            return Some(Verdict {
                reason: r,
                end_marker: false,
            });
        }
        None
    }
}

/// Case, spacing, bullets, trailing punctuation and counts (`Comments (3)`, `댓글 0`) ignored.
pub fn normalise(s: &str) -> String {
    let s = s
        .trim()
        .trim_start_matches(['•', '·', '-', '*', '▶', '►', '■', '□', '◆', '#']);
    let s = s.trim_end_matches(|c: char| {
        c.is_ascii_digit() || c.is_whitespace() || ".:：…*!?»›>()[]".contains(c)
    });
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_lexicon_parses_and_classifies() {
        let lex = Lexicon::default();
        assert!(!lex.version.is_empty());
        let v = |s: &str| lex.classify(s).map(|v| (v.reason, v.end_marker));
        assert_eq!(v("Leave a Reply"), Some(("comments", true)));
        assert_eq!(v("  관련 기사 "), Some(("related links", true)));
        assert_eq!(v("댓글 0"), Some(("comments", true)));
        assert_eq!(v("Comments (12)"), Some(("comments", true)));
        assert_eq!(v("Advertisement"), Some(("advert", false)));
        assert_eq!(
            v("Advertisement: Save 20% on travel"),
            Some(("advert", false))
        );
        assert_eq!(
            v("<저작권자 ⓒ 서울데일리, 무단전재 및 재배포 금지>"),
            Some(("footer", false))
        );
        assert_eq!(
            v("Copyright 2025 Frontline Asia. All rights reserved."),
            Some(("footer", false))
        );
        assert_eq!(
            v("Frontline Asia > Korea > Defense"),
            Some(("navigation", false))
        );
        assert_eq!(
            v("카카오톡 / 페이스북 / 링크 복사"),
            Some(("share bar", false))
        );
        assert_eq!(
            v("윤하늘 기자의 다른 기사 보기"),
            Some(("related links", true))
        );
        assert_eq!(v("The allies agreed to expand drills."), None);
        assert_eq!(v("Defense, Deterrence, and Readiness"), None);
        assert_eq!(
            v("U.S. and South Korea agree on tariffs / investment package"),
            None
        );
    }

    #[test]
    fn errors_name_file_and_line() {
        let err = Lexicon::parse("version = \"1\"\n[[lines]]\nreason = 3\n", "mine.toml")
            .expect_err("bad type");
        let msg = err.to_string();
        assert!(msg.starts_with("mine.toml: line 3"), "{msg}");
        let err = Lexicon::parse(
            "version = \"1\"\n[[patterns]]\nreason = \"x\"\nregexes = ['(unclosed']\n",
            "mine.toml",
        )
        .expect_err("bad regex");
        assert!(err.to_string().contains("line 4"), "{err}");
        let err = Lexicon::parse("version = \"1\"\nbogus = 1\n", "mine.toml").expect_err("unknown");
        assert!(err.to_string().contains("bogus"), "{err}");
    }
}
