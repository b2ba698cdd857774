//! Sentence splitting over tokens, done once for every stage.
//!
//! A sentence ends at a line break (headings, bullets and paragraphs of `Document::text` are
//! lines), or after `.`, `?`, `!`, an ellipsis or an abbreviation that may end a sentence
//! (`U.S.`, `Inc.`), together with the closing quotes and brackets that follow, when the next
//! token can start a sentence. Titles, months and initials (`Dr.`, `Dec.`, `J.`) never end
//! one, so datelines (`SEOUL, Dec. 3 (Yonhap) --`) stay with their story. Abbreviations are
//! data: `data/syntax/abbreviations.tsv` (built by `examples/build_text_data.rs`).

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::Lang;
use crate::tokenize::{Token, is_closing, is_opening};

/// A sentence: byte span in the analysed text and the range of its tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sentence {
    pub start: usize,
    pub end: usize,
    pub tokens: std::ops::Range<usize>,
}

/// The abbreviation list, embedded.
pub const ABBREVIATIONS: &str = include_str!("../../../data/syntax/abbreviations.tsv");

/// How an abbreviation behaves at a possible sentence end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AbbrKind {
    /// Titles, months, `No.`, initials: never ends a sentence.
    Title,
    /// May end a sentence (`U.S.`, `Inc.`, `etc.`, `a.m.`) when a sentence starter follows.
    End,
}

fn table() -> &'static HashMap<String, AbbrKind> {
    static T: OnceLock<HashMap<String, AbbrKind>> = OnceLock::new();
    T.get_or_init(|| {
        let mut m = HashMap::new();
        for line in ABBREVIATIONS.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut f = line.split('\t');
            let (Some(w), Some(kind)) = (f.next(), f.next()) else {
                continue;
            };
            let kind = if kind == "title" {
                AbbrKind::Title
            } else {
                AbbrKind::End
            };
            m.insert(w.to_string(), kind);
        }
        m
    })
}

/// The version line of the abbreviation list (`# version = N`).
pub fn abbreviations_version() -> &'static str {
    ABBREVIATIONS
        .lines()
        .find_map(|l| l.strip_prefix("# version = "))
        .unwrap_or("unversioned")
}

/// Whether `word` (ending in its period) is an abbreviation, and of which kind. Beyond the
/// list: initials (`J.`) are titles, letter-dot patterns (`U.S.`, `a.m.`, `S.D.`) may end a
/// sentence.
pub fn abbreviation(word: &str) -> Option<AbbrKind> {
    if !word.ends_with('.') || word.len() < 2 {
        return None;
    }
    if let Some(k) = table().get(word) {
        return Some(*k);
    }
    let body = &word[..word.len() - 1];
    let mut chars = body.chars();
    if let (Some(c), None) = (chars.next(), chars.next())
        && c.is_alphabetic()
        && c.is_uppercase()
    {
        return Some(AbbrKind::Title);
    }
    // Letter-dot patterns: every other char a dot, letters between.
    let mut expect_letter = true;
    let mut letters = 0;
    for c in word.chars() {
        if expect_letter {
            if !c.is_alphabetic() {
                return None;
            }
            letters += 1;
        } else if c != '.' {
            return None;
        }
        expect_letter = !expect_letter;
    }
    (letters >= 2 && expect_letter).then_some(AbbrKind::End)
}

/// Words that, capitalised after an abbreviation that may end a sentence, start a new one.
const STARTERS: &[&str] = &[
    "The",
    "A",
    "An",
    "He",
    "She",
    "It",
    "They",
    "We",
    "I",
    "You",
    "But",
    "And",
    "In",
    "On",
    "At",
    "This",
    "That",
    "These",
    "Those",
    "There",
    "His",
    "Her",
    "Its",
    "Their",
    "Our",
    "My",
    "If",
    "When",
    "While",
    "As",
    "After",
    "Before",
    "However",
    "Meanwhile",
    "So",
    "Yet",
    "What",
    "Why",
    "How",
    "Who",
    "Some",
    "Many",
    "Most",
    "Mr.",
    "Ms.",
    "Mrs.",
    "Dr.",
    "For",
    "Under",
    "According",
    "Last",
    "Next",
    "Since",
    "Although",
    "Officials",
    "President",
];

/// Bullet markers that start an item even in the middle of a line.
fn is_bullet(form: &str) -> bool {
    matches!(
        form,
        "▲" | "•" | "■" | "●" | "◆" | "▶" | "☞" | "◇" | "□" | "○"
    )
}

fn is_terminal(form: &str) -> bool {
    !form.is_empty()
        && form
            .chars()
            .all(|c| matches!(c, '.' | '?' | '!' | '…' | '。' | '？' | '！'))
}

/// Whether a token can begin a sentence after a terminal.
fn can_start(form: &str) -> bool {
    let Some(c) = form.chars().next() else {
        return false;
    };
    if c.is_lowercase() {
        return false;
    }
    if matches!(c, ',' | ';' | ':' | ')' | ']' | '}' | '%' | '.' | '?' | '!') {
        return false;
    }
    true
}

/// Splits `tokens` of `text` into sentences. Every token is in exactly one sentence, in order.
pub fn split(text: &str, tokens: &[Token], lang: Lang) -> Vec<Sentence> {
    let mut out = Vec::new();
    let n = tokens.len();
    let mut begin = 0usize;
    let mut i = 0usize;
    // Straight double quotes seen in the current paragraph: an odd count means one is open.
    let mut open_quotes = 0usize;
    while i < n {
        let t = &tokens[i];
        if t.form == "\"" {
            open_quotes += 1;
        }
        let gap_newline = |k: usize| -> bool {
            k + 1 < n && text[tokens[k].end..tokens[k + 1].start].contains('\n')
        };
        let mut end_at: Option<usize> = None; // index of the last token of the sentence
        if gap_newline(i) {
            end_at = Some(i);
            open_quotes = 0;
        } else if i + 1 < n && is_bullet(&tokens[i + 1].form) {
            // Inline bullets (`▲ one ▲ two`): each bullet is a sentence.
            end_at = Some(i);
        } else {
            let f = t.form.as_str();
            let terminal = is_terminal(f);
            let abbr = if terminal { None } else { abbreviation(f) };
            if terminal || abbr == Some(AbbrKind::End) {
                // Closing quotes and brackets attached after the terminal stay with it.
                let mut j = i;
                while j + 1 < n && !gap_newline(j) {
                    let nf = &tokens[j + 1].form;
                    let Some(c) = nf.chars().next() else { break };
                    let attached = !tokens[j].space_after;
                    let closes = match c {
                        '"' => attached || open_quotes % 2 == 1,
                        '\'' => attached,
                        c => is_closing(c) && !is_opening(c),
                    };
                    if nf.chars().count() == 1 && closes {
                        if c == '"' {
                            open_quotes += 1;
                        }
                        j += 1;
                    } else {
                        break;
                    }
                }
                if j + 1 >= n {
                    end_at = Some(j);
                } else if lang == Lang::Ko && j > i && !tokens[j].space_after {
                    // `…했다.”고 밝혔다`: a quote closed onto a particle is inside the sentence.
                } else if gap_newline(j) {
                    end_at = Some(j);
                } else {
                    let next = tokens[j + 1].form.as_str();
                    let ok = match abbr {
                        Some(_) => STARTERS.contains(&next) || next.starts_with(is_opening),
                        None => {
                            let numbered_item = f == "."
                                && i >= 1
                                && i == begin + 1
                                && tokens[i - 1].form.len() <= 2
                                && tokens[i - 1].form.chars().all(|c| c.is_ascii_digit());
                            let ellipsis = f.chars().all(|c| c == '.' || c == '…')
                                && f.chars().count() > 1
                                || f == "…";
                            let next_ok = can_start(next);
                            let ellipsis_ok = !ellipsis
                                || next.chars().next().is_some_and(|c| {
                                    c.is_uppercase() || lang == Lang::Ko && !c.is_ascii()
                                });
                            !numbered_item && next_ok && ellipsis_ok
                        }
                    };
                    if ok {
                        end_at = Some(j);
                    }
                }
                if end_at.is_none() {
                    i = j;
                }
            }
        }
        if let Some(last) = end_at {
            out.push(Sentence {
                start: tokens[begin].start,
                end: tokens[last].end,
                tokens: begin..last + 1,
            });
            begin = last + 1;
            i = last + 1;
            continue;
        }
        i += 1;
    }
    if begin < n {
        out.push(Sentence {
            start: tokens[begin].start,
            end: tokens[n - 1].end,
            tokens: begin..n,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::{Lang, tokenize};

    fn sents(text: &str, lang: Lang) -> Vec<&str> {
        let (_, s) = tokenize(text, lang);
        s.iter().map(|s| &text[s.start..s.end]).collect()
    }

    #[test]
    fn english() {
        assert_eq!(
            sents(
                "SEOUL, Dec. 3 (Yonhap) -- Dr. Kim met U.S. officials. \"We agreed. It is done.\" He left... Then 3.5 percent.",
                Lang::En
            ),
            [
                "SEOUL, Dec. 3 (Yonhap) -- Dr. Kim met U.S. officials.",
                "\"We agreed.",
                "It is done.\"",
                "He left...",
                "Then 3.5 percent."
            ]
        );
        assert_eq!(
            sents("Heading\n- one item\n- two item", Lang::En),
            ["Heading", "- one item", "- two item"]
        );
        assert_eq!(
            sents("It grew in the U.S. The end.", Lang::En),
            ["It grew in the U.S.", "The end."]
        );
    }

    #[test]
    fn korean() {
        assert_eq!(
            sents(
                "그는 “협상하겠다.”고 밝혔다. 정말요? 네. 「좋다.」",
                Lang::Ko
            ),
            [
                "그는 “협상하겠다.”고 밝혔다.",
                "정말요?",
                "네.",
                "「좋다.」"
            ]
        );
    }
}
