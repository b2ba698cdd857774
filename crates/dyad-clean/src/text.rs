//! Cleaning a sequence of paragraphs: text saved from web pages arrives as lines, and the text
//! blocks of an HTML page are cleaned the same way. Finds the headline, datelines and bylines in
//! the header zone, removes boilerplate lines and trailing chrome sections, and keeps a record
//! of every removal.

use dyad_model::Removed;

use crate::lexicon::{Lexicon, normalise};
use crate::meta;

/// The outcome of cleaning paragraphs.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub paragraphs: Vec<String>,
    pub removed: Vec<Removed>,
    pub title: Option<String>,
    pub published: Option<String>,
    pub modified: Option<String>,
    pub byline: Vec<String>,
    /// The outlet, when a copyright line, breadcrumb or masthead names it.
    pub source: Option<String>,
}

/// Splits plain text into paragraphs: blank lines separate paragraphs; inside a block, lines
/// that look hard-wrapped are joined, other lines stand alone.
pub fn split_paragraphs(content: &str) -> Vec<String> {
    let content = content.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = Vec::new();
    for block in content.split("\n\n") {
        let lines: Vec<&str> = block
            .lines()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
            .collect();
        if lines.is_empty() {
            continue;
        }
        if hard_wrapped(&lines) {
            out.push(lines.join(" "));
        } else {
            out.extend(lines.iter().map(|l| collapse(l)));
        }
    }
    out
}

fn hard_wrapped(lines: &[&str]) -> bool {
    if lines.len() < 3 || lines.iter().any(|l| meta::read_dateline(l).is_some()) {
        return false;
    }
    let lens: Vec<usize> = lines.iter().map(|l| l.chars().count()).collect();
    let max = lens.iter().copied().max().unwrap_or(0);
    if !(30..=100).contains(&max) {
        return false;
    }
    let body = &lens[..lens.len() - 1];
    let full = body.iter().filter(|&&n| n * 10 >= max * 6).count();
    full * 10 >= body.len() * 8
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How far into a document the header zone reaches, in paragraphs.
const HEADER_ZONE: usize = 12;

/// Cleans paragraphs. `known_title` is the headline when metadata already gave one (HTML).
pub fn clean(paragraphs: Vec<String>, lex: &Lexicon, known_title: Option<&str>) -> Outcome {
    let mut out = Outcome::default();
    let n = paragraphs.len();
    let mut keep = vec![true; n];
    let mut reasons: Vec<Option<String>> = vec![None; n];
    let norms: Vec<String> = paragraphs.iter().map(|p| normalise(p)).collect();

    // The header zone ends at the first paragraph that reads like body text.
    let body_start = paragraphs
        .iter()
        .position(|p| is_body_paragraph(p))
        .unwrap_or(n)
        .min(HEADER_ZONE);

    // The headline: given, else a line repeated near the top, else the first headline-like line.
    let title_idx = match known_title {
        Some(_) => None,
        None => find_title(&paragraphs[..body_start.min(n)], &norms, lex),
    };
    let title = known_title
        .map(str::to_string)
        .or_else(|| title_idx.map(|i| clean_headline(&paragraphs[i])));
    let title_norm = title.as_deref().map(normalise);
    let raw_title_norm = title_idx.map(|i| norms[i].clone());
    let title_segments: Vec<String> = title_idx
        .map(|i| {
            paragraphs[i]
                .split(" | ")
                .map(normalise)
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();

    let mut mark = |i: usize, reason: &str, keep: &mut Vec<bool>| {
        keep[i] = false;
        reasons[i] = Some(reason.to_string());
    };

    let mut seen_title = false;
    for i in 0..n {
        let norm = &norms[i];
        let is_title = title_norm.as_deref() == Some(norm.as_str())
            || raw_title_norm.as_deref() == Some(norm.as_str());
        if is_title {
            mark(
                i,
                if seen_title {
                    "repeated headline"
                } else {
                    "title"
                },
                &mut keep,
            );
            seen_title = true;
            continue;
        }
        let in_header = i < body_start || (i < HEADER_ZONE && title_idx.is_some_and(|t| i < t));
        let near_end = i + 3 >= n;
        if (in_header || near_end)
            && let Some(d) = meta::read_dateline(&paragraphs[i])
        {
            if let Some(p) = d.published {
                out.published.get_or_insert(p);
            }
            if let Some(m) = d.modified {
                out.modified.get_or_insert(m);
            }
            let had_byline = !d.byline.is_empty();
            for b in d.byline {
                if !out.byline.contains(&b) {
                    out.byline.push(b);
                }
            }
            let reason = if out.published.is_some() || out.modified.is_some() {
                "dateline"
            } else if had_byline {
                "byline"
            } else {
                "dateline"
            };
            mark(i, reason, &mut keep);
            continue;
        }
        if let Some(v) = lex.classify(&paragraphs[i]) {
            if v.reason == "footer" && out.source.is_none() {
                out.source = outlet_from_copyright(&paragraphs[i]);
            }
            if v.reason == "navigation" && in_header && out.source.is_none() {
                out.source = breadcrumb_outlet(&paragraphs[i]);
            }
            mark(i, v.reason, &mut keep);
            continue;
        }
        if in_header {
            if title_idx.is_some_and(|t| i < t) {
                let reason = if paragraphs[i].trim_start().starts_with('#') {
                    "tag"
                } else {
                    "masthead"
                };
                if reason == "masthead" && out.source.is_none() && word_count(&paragraphs[i]) <= 4 {
                    out.source = Some(paragraphs[i].trim().to_string());
                }
                mark(i, reason, &mut keep);
                continue;
            }
            if title_segments.len() > 1 && title_segments.contains(norm) {
                mark(i, "section label", &mut keep);
                continue;
            }
            if title_idx.is_some() && is_masthead_line(&paragraphs[i]) {
                if out.source.is_none() {
                    out.source = Some(paragraphs[i].trim().to_string());
                }
                mark(i, "masthead", &mut keep);
                continue;
            }
        }
    }

    cut_trailing_chrome(&paragraphs, lex, &mut keep, &mut reasons);

    for i in 0..n {
        if keep[i] {
            out.paragraphs.push(paragraphs[i].clone());
        } else {
            out.removed.push(Removed {
                text: paragraphs[i].clone(),
                reason: reasons[i].clone().unwrap_or_else(|| "boilerplate".into()),
            });
        }
    }
    if out.published.is_none() {
        out.published = out.paragraphs.first().and_then(|p| meta::as_of_date(p));
    }
    out.title = title;
    out
}

/// From the first end marker in the latter part of the document, everything is chrome. The
/// reason follows the latest marker or classified line.
fn cut_trailing_chrome(
    paragraphs: &[String],
    lex: &Lexicon,
    keep: &mut [bool],
    reasons: &mut [Option<String>],
) {
    let total: usize = paragraphs.iter().map(String::len).sum();
    if total == 0 {
        return;
    }
    let mut before = 0usize;
    let mut cut: Option<(usize, String)> = None;
    for (i, p) in paragraphs.iter().enumerate() {
        if let Some(v) = lex.classify(p)
            && v.end_marker
        {
            let after = total - before - p.len();
            // Body text kept before the marker must outweigh what follows it.
            let kept_before: usize = paragraphs[..i]
                .iter()
                .zip(keep.iter())
                .filter(|(_, k)| **k)
                .map(|(p, _)| p.len())
                .sum();
            if before * 2 >= total || after * 5 < total || kept_before > after * 2 {
                cut = Some((i, v.reason.to_string()));
                break;
            }
        }
        before += p.len();
    }
    let Some((start, mut reason)) = cut else {
        return;
    };
    for i in start..paragraphs.len() {
        if let Some(v) = lex.classify(&paragraphs[i])
            && v.end_marker
        {
            reason = v.reason.to_string();
        }
        if keep[i] {
            keep[i] = false;
            reasons[i] = Some(reason.clone());
        }
    }
}

fn word_count(s: &str) -> usize {
    s.split_whitespace().count()
}

/// Body text: a long line, or a sentence of some length ending in punctuation.
fn is_body_paragraph(p: &str) -> bool {
    let words = word_count(p);
    let chars = p.chars().count();
    let ends = p
        .trim_end()
        .ends_with(['.', '!', '"', '”', '’', ')', '다', '。']);
    (words >= 30 || chars >= 220) || (ends && (words >= 12 || chars >= 60) && !is_headline_like(p))
}

fn is_headline_like(p: &str) -> bool {
    let chars = p.chars().count();
    let words = word_count(p);
    let t = p.trim_end();
    (8..=300).contains(&chars) && words >= 2 && !t.ends_with('.') && !t.ends_with(',')
}

/// A short name-like line under a headline (`The White House`): Title Case, few words.
fn is_masthead_line(p: &str) -> bool {
    let words: Vec<&str> = p.split_whitespace().collect();
    (1..=4).contains(&words.len())
        && !p.contains(['.', ':', '?', '!', ','])
        && words
            .iter()
            .all(|w| w.chars().next().is_some_and(|c| c.is_uppercase()) || w.len() <= 3)
}

fn find_title(header: &[String], norms: &[String], lex: &Lexicon) -> Option<usize> {
    // A line that stands twice in the first lines is the headline of a scraped page.
    let window = norms.len().min(20);
    for (i, p) in header.iter().enumerate() {
        if !is_headline_like(p) || lex.classify(p).is_some() {
            continue;
        }
        if norms[i + 1..window].contains(&norms[i]) {
            return Some(i);
        }
    }
    let candidates: Vec<usize> = header
        .iter()
        .enumerate()
        .take(4)
        .filter(|(_, p)| {
            is_headline_like(p) && lex.classify(p).is_none() && meta::read_dateline(p).is_none()
        })
        .map(|(i, _)| i)
        .collect();
    // Prefer a full headline over a short masthead line before it.
    candidates
        .iter()
        .copied()
        .find(|&i| word_count(&header[i]) >= 5)
        .or_else(|| candidates.first().copied())
}

/// A headline without kickers (`[In-Depth Analysis]`, `[단독]`) and site parts.
fn clean_headline(raw: &str) -> String {
    let mut t = raw.trim();
    while t.starts_with('[')
        && let Some(end) = t.find(']')
        && end < 40
    {
        t = t[end + 1..].trim_start();
    }
    meta::strip_site_suffix(t, None)
}

/// `Copyright 2025 Frontline Asia. All rights reserved.` → `Frontline Asia`;
/// `<저작권자 ⓒ 서울데일리, 무단전재 및 재배포 금지>` → `서울데일리`.
pub fn outlet_from_copyright(line: &str) -> Option<String> {
    let mut s = line.trim().trim_matches(['<', '>', '[', ']']).to_string();
    for cut in [
        "무단전재",
        "무단 전재",
        "All rights reserved",
        "all rights reserved",
        "ALL RIGHTS RESERVED",
    ] {
        if let Some(i) = s.find(cut) {
            s.truncate(i);
        }
    }
    let mut s = s.as_str();
    loop {
        let before = s.len();
        s = s.trim_start();
        for prefix in [
            "저작권자",
            "Copyright",
            "copyright",
            "COPYRIGHT",
            "(c)",
            "(C)",
            "©",
            "ⓒ",
            "by ",
        ] {
            s = s.strip_prefix(prefix).unwrap_or(s);
        }
        s = s.trim_start_matches(|c: char| c.is_ascii_digit() || "-–:, ".contains(c));
        if s.len() == before {
            break;
        }
    }
    let s = s.trim_end_matches(|c: char| c.is_whitespace() || ".,;|".contains(c));
    (!s.is_empty() && s.chars().count() <= 60 && word_count(s) <= 6).then(|| s.to_string())
}

fn breadcrumb_outlet(line: &str) -> Option<String> {
    let first = line.split(['>', '›', '»']).next()?.trim();
    (!first.is_empty() && word_count(first) <= 4 && line.contains(['>', '›', '»']))
        .then(|| first.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Outcome {
        clean(split_paragraphs(text), &Lexicon::default(), None)
    }

    #[test]
    fn scraped_page_with_repeated_headline_dateline_and_tail() {
        let page = "Daily Masthead\n#Politics\n\nAllies agree on a new roadmap for drills\n\nKim Min-ji 기자· 11/14/2025, 09:30:00 AM|\nAllies agree on a new roadmap for drills\n\nThe two militaries agreed on Friday to publish a roadmap for combined drills, officials in Seoul said after the talks ended.\n\nThe roadmap covers command-post exercises and field training over the next two years.\n\n관련 기사\n\nSome other story about trade\nShopMart\n";
        let o = run(page);
        assert_eq!(
            o.title.as_deref(),
            Some("Allies agree on a new roadmap for drills")
        );
        assert_eq!(o.published.as_deref(), Some("2025-11-14T09:30:00"));
        assert_eq!(o.paragraphs.len(), 2, "{:?}", o.paragraphs);
        let reasons: Vec<(&str, &str)> = o
            .removed
            .iter()
            .map(|r| (r.text.as_str(), r.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            [
                ("Daily Masthead", "masthead"),
                ("#Politics", "tag"),
                ("Allies agree on a new roadmap for drills", "title"),
                ("Kim Min-ji 기자· 11/14/2025, 09:30:00 AM|", "dateline"),
                (
                    "Allies agree on a new roadmap for drills",
                    "repeated headline"
                ),
                ("관련 기사", "related links"),
                ("Some other story about trade", "related links"),
                ("ShopMart", "related links"),
            ]
        );
        assert_eq!(o.source.as_deref(), Some("Daily Masthead"));
    }

    #[test]
    fn no_headline_and_as_of_date() {
        let o = run(
            "As of March 2026, the alliance faces new questions about cost-sharing and the pace of the transfer of wartime operational control, officials said.\nBoth sides plan to meet again.",
        );
        assert_eq!(o.title, None);
        assert_eq!(o.published.as_deref(), Some("2026-03"));
        assert!(o.removed.is_empty());
    }

    #[test]
    fn event_dates_in_sentences_are_not_publication_dates() {
        let o = run(
            "Summit sets a new course\nOn August 25, 2025, the two presidents met at the White House and agreed to keep talking about tariffs and defense costs.\nThey will meet again.",
        );
        assert_eq!(o.published, None);
        assert_eq!(o.title.as_deref(), Some("Summit sets a new course"));
    }

    #[test]
    fn end_marker_early_in_a_document_does_not_cut_the_body() {
        let body = "The summit produced a list of commitments on trade, security and technology that officials will now have to carry out. ".repeat(6);
        let o = run(&format!("Comments\n{body}\n{body}"));
        assert_eq!(o.paragraphs.len(), 2);
        assert_eq!(o.removed[0].reason, "comments");
    }

    #[test]
    fn a_header_block_is_not_hard_wrapped_prose() {
        let p = split_paragraphs(
            "조현 장관, 왕이 부장과 회담…\"주석 방한 기대\"\n입력 2025.09.17 20:30\n서하준 기자\n\n본문.",
        );
        assert_eq!(p.len(), 4, "{p:?}");
    }

    #[test]
    fn hard_wrapped_paragraphs_are_joined() {
        let text = "The allies agreed on Friday to publish a roadmap for their\ncombined drills, officials in Seoul said after the talks\nended, adding that field training would expand next\nyear.\n\nSecond paragraph.";
        let p = split_paragraphs(text);
        assert_eq!(p.len(), 2);
        assert!(p[0].starts_with("The allies") && p[0].ends_with("next year."));
    }

    #[test]
    fn copyright_outlets() {
        assert_eq!(
            outlet_from_copyright("Copyright 2025 Frontline Asia. All rights reserved.").as_deref(),
            Some("Frontline Asia")
        );
        assert_eq!(
            outlet_from_copyright("<저작권자 ⓒ 서울데일리, 무단전재 및 재배포 금지>").as_deref(),
            Some("서울데일리")
        );
        assert_eq!(
            outlet_from_copyright("© 2024-2025 The Han River Times").as_deref(),
            Some("The Han River Times")
        );
    }
}
