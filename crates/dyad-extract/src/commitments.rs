//! Commitments: pledges, agreements, plans, demands, proposals and threats, each with who is
//! bound, how firmly, what amount, by when, and the sentence that says so.
//!
//! In news, a commitment needs a cue from the lexicon (`agreed to`, `pledged to`, `plans to`,
//! `demanded`, `threatened to`, or `will` + a verb of action) and a named holder in the subject
//! of its clause: an entity, or a phrase standing for both parties ("the two countries"), which
//! resolves to the document's dyad. Writers' guesses ("will likely emphasize") and advice
//! ("must", "should") are not commitments.
//!
//! Official texts (fact sheets, joint statements, MOUs, executive orders) list commitments
//! without modal verbs. In them every bullet and every sentence with an action is one
//! commitment; a bullet without a named holder takes the holders of the line that introduces the
//! list, else the dyad. A statement of legal force anywhere in the text applies to all of them.

use std::collections::{HashMap, HashSet};

use dyad_model::{Commitment, Quote};
use regex::Regex;
use serde::Deserialize;

use crate::events::trim_span;
use crate::frame::{Frame, Ment, push_unique};
use crate::lexmatch::{Phrases, floor, words_before};

/// The commitment lexicon shipped with dyad.
pub const DEFAULT_LEXICON: &str = include_str!("../../../data/extract/commitments.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitmentLexicon {
    pub version: String,
    cue: Vec<Cue>,
    will: Will,
    hedges: Vec<String>,
    hedge_clauses: Vec<String>,
    subject_words: Vec<String>,
    strength: Strength,
    legal: Legal,
    deal_words: Vec<String>,
    quote_pledges_en: Vec<String>,
    quote_pledges_ko: Vec<String>,
    both_en: Vec<String>,
    both_ko: Vec<String>,
    official_markers: Vec<String>,
    official_actions: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Cue {
    kind: String,
    strength: String,
    #[serde(default)]
    needs_to: bool,
    #[serde(default)]
    en: Vec<String>,
    #[serde(default)]
    ko: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Will {
    en: Vec<String>,
    verbs: Vec<String>,
    #[serde(default)]
    skip: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Strength {
    conditional: Vec<String>,
    best_efforts: Vec<String>,
    welcomed_only: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Legal {
    non_binding: Vec<String>,
    binding: Vec<String>,
    subject_to_ratification: Vec<String>,
}

const KINDS: &[&str] = &[
    "pledge",
    "agreement",
    "plan",
    "demand",
    "proposal",
    "threat",
];
const STRENGTHS: &[&str] = &[
    "firm",
    "intends",
    "best_efforts",
    "conditional",
    "welcomed_only",
];

impl CommitmentLexicon {
    pub fn parse(src: &str, file: &str) -> Result<CommitmentLexicon, String> {
        let lex: CommitmentLexicon = crate::lexmatch::parse_toml(src, file)?;
        for c in &lex.cue {
            if !KINDS.contains(&c.kind.as_str()) {
                return Err(format!(
                    "{file}: unknown commitment kind {:?} (one of {})",
                    c.kind,
                    KINDS.join(", ")
                ));
            }
            if !STRENGTHS.contains(&c.strength.as_str()) {
                return Err(format!(
                    "{file}: unknown strength {:?} (one of {})",
                    c.strength,
                    STRENGTHS.join(", ")
                ));
            }
        }
        Ok(lex)
    }
}

impl Default for CommitmentLexicon {
    fn default() -> Self {
        CommitmentLexicon::parse(DEFAULT_LEXICON, "data/extract/commitments.toml")
            .expect("the shipped commitment lexicon parses (tested)")
    }
}

#[derive(Clone, Copy)]
enum Tag {
    Cue(usize),
    Will,
}

pub struct CommitmentFinder {
    lex: CommitmentLexicon,
    cues: Phrases<Tag>,
    will_verbs: HashSet<String>,
    both: Phrases<()>,
    conditional: Phrases<()>,
    best_efforts: Phrases<()>,
    welcomed: Phrases<()>,
    legal: Phrases<&'static str>,
    markers: Phrases<()>,
    actions: Phrases<()>,
    hedge_clauses: Phrases<()>,
    quote_pledges: Phrases<()>,
    domestic: Phrases<()>,
    deal_words: Phrases<()>,
    amount: Regex,
}

fn phrases(words: &[String]) -> Phrases<()> {
    Phrases::new(words.iter().map(|w| (w.clone(), ())))
}

impl CommitmentFinder {
    /// `domestic` lists addressees inside the holder's own state: a demand on them is not
    /// part of the relationship.
    pub fn new(lex: CommitmentLexicon, domestic: &[String]) -> CommitmentFinder {
        let mut entries: Vec<(String, Tag)> = Vec::new();
        for (i, c) in lex.cue.iter().enumerate() {
            entries.extend(c.en.iter().chain(&c.ko).map(|w| (w.clone(), Tag::Cue(i))));
        }
        entries.extend(lex.will.en.iter().map(|w| (w.clone(), Tag::Will)));
        let legal = Phrases::new(
            lex.legal
                .non_binding
                .iter()
                .map(|w| (w.clone(), "non_binding"))
                .chain(lex.legal.binding.iter().map(|w| (w.clone(), "binding")))
                .chain(
                    lex.legal
                        .subject_to_ratification
                        .iter()
                        .map(|w| (w.clone(), "subject_to_ratification")),
                ),
        );
        let amount = Regex::new(
            r"(?xi)
            (?:US\s?\$|\$|USD\s?|₩|KRW\s?|€|¥)\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:trillion|billion|million|bn|tn|mn))?
            | \d[\d,]*(?:\.\d+)?\s?(?:percent|per\ cent|%)(?:\s+of\s+(?:GDP|gross\ domestic\ product))?
            | \d[\d,]*(?:\.\d+)?\s?(?:trillion|billion|million)\s+(?:dollars|won|yen|euros)
            | \d[\d,]*(?:\.\d+)?\s?(?:조|억|만)(?:\s?\d[\d,]*\s?(?:억|만))?\s?(?:달러|원|엔)
            | \d[\d,]*(?:\.\d+)?\s?(?:달러|원|퍼센트)",
        )
        .expect("amount pattern is valid");
        CommitmentFinder {
            cues: Phrases::new(entries),
            will_verbs: lex.will.verbs.iter().map(|v| v.to_lowercase()).collect(),
            both: phrases(&[lex.both_en.clone(), lex.both_ko.clone()].concat()),
            conditional: phrases(&lex.strength.conditional),
            best_efforts: phrases(&lex.strength.best_efforts),
            welcomed: phrases(&lex.strength.welcomed_only),
            legal,
            markers: phrases(&lex.official_markers),
            actions: phrases(&lex.official_actions),
            hedge_clauses: phrases(&lex.hedge_clauses),
            quote_pledges: phrases(
                &[lex.quote_pledges_en.clone(), lex.quote_pledges_ko.clone()].concat(),
            ),
            domestic: phrases(domestic),
            deal_words: phrases(&lex.deal_words),
            amount,
            lex,
        }
    }

    pub fn lexicon(&self) -> &CommitmentLexicon {
        &self.lex
    }

    /// Whether a document is an official text: its title or opening names one.
    pub fn is_official(&self, title: Option<&str>, byline: &[String], text: &str) -> bool {
        if !byline.is_empty() {
            // A signed article about a fact sheet is news, not the fact sheet.
            return false;
        }
        let first_line = text
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or_default();
        title.is_some_and(|t| self.markers.any(t, 0, t.len()))
            || (first_line.len() < 200 && self.markers.any(first_line, 0, first_line.len()))
    }

    /// The commitments of a document.
    pub(crate) fn find(
        &self,
        f: &Frame,
        title: Option<&str>,
        byline: &[String],
        quotes: &[Quote],
        topic_of: &dyn Fn(usize, usize) -> Option<String>,
    ) -> Vec<Commitment> {
        let text = f.text;
        let legal_force = self
            .legal
            .find(text, 0, text.len())
            .first()
            .map(|h| h.tags[0].to_string());
        let official = self.is_official(title, byline, text);
        let mut out: Vec<Commitment> = Vec::new();
        let mut lead_in: Vec<String> = Vec::new();
        // Distinct (text, kind) of `out`, and the start of the current line, kept as the
        // sentences go so that neither is a scan of everything before.
        let mut seen: HashSet<(String, String)> = HashSet::new();
        let mut line_start = 0;
        let mut scanned = 0;
        for &(ss, se) in &f.sentences {
            if f.expired() {
                break;
            }
            let found = self.in_sentence(f, (ss, se), official);
            if let Some(i) = text[scanned.min(ss)..ss].rfind('\n') {
                line_start = scanned.min(ss) + i + 1;
            }
            scanned = ss;
            let bullet = is_bullet(&text[line_start..se]);
            let several = found.len() > 1;
            let mut items: Vec<(Commitment, (usize, usize))> = found
                .into_iter()
                .map(|(c, clause)| (c, if several { clause } else { (ss, se) }))
                .collect();
            if items.is_empty() && official {
                items.extend(
                    self.official_item(f, (ss, se), bullet, &lead_in)
                        .map(|c| (c, (ss, se))),
                );
            }
            // A line ending in a colon introduces the list after it.
            if text[ss..se].trim_end().ends_with(':') {
                let ms = f.actors_in(ss, se);
                lead_in = holders_of(f, &ms);
                if lead_in.is_empty() && self.both.any(text, ss, se) {
                    lead_in = f.dyad.clone();
                }
            } else if !bullet {
                lead_in.clear();
            }
            for (mut c, (ps, pe)) in items {
                let (s, e) = trim_span(text, ps, pe);
                c.text = text[s..e].to_string();
                c.start = s;
                c.end = e;
                c.topic = topic_of(ps, pe);
                c.due = f.due_in(ps, pe);
                c.amount = self
                    .amount
                    .find(&text[ps..pe])
                    .map(|m| m.as_str().trim().to_string());
                c.legal_force.clone_from(&legal_force);
                if seen.insert((c.text.clone(), c.kind.clone())) {
                    out.push(c);
                }
            }
        }
        // Spans of the sentence commitments by start, with the running maximum of their ends:
        // "inside one of them" is a binary search.
        let mut spans: Vec<(usize, usize)> = out.iter().map(|o| (o.start, o.end)).collect();
        spans.sort_unstable();
        let reach: Vec<usize> = spans
            .iter()
            .scan(0, |m, &(_, e)| {
                *m = (*m).max(e);
                Some(*m)
            })
            .collect();
        // Quoted pledges come in text order: the ones kept so far all start at or before the
        // next, so only the furthest end among them matters.
        let mut quoted_reach: Option<usize> = None;
        for mut c in self.quoted(f, quotes) {
            // A quote inside a sentence already read as a commitment adds nothing.
            let k = spans.partition_point(|&(s, _)| s <= c.start);
            if k > 0 && reach[k - 1] >= c.end || quoted_reach.is_some_and(|r| r >= c.end) {
                continue;
            }
            quoted_reach = quoted_reach.max(Some(c.end));
            c.topic = topic_of(c.start, c.end);
            c.due = f.due_in(c.start, c.end);
            c.amount = self
                .amount
                .find(&c.text)
                .map(|m| m.as_str().trim().to_string());
            c.legal_force.clone_from(&legal_force);
            out.push(c);
        }
        out.sort_by_key(|c| c.start);
        out
    }

    /// Pledges in the first person inside quotes, held by the speaker and the state they act for.
    fn quoted(&self, f: &Frame, quotes: &[Quote]) -> Vec<Commitment> {
        let mut out = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        for (i, e) in f.entities.iter().enumerate() {
            index.entry(e.name.as_str()).or_insert(i);
        }
        for q in quotes {
            if f.expired() {
                break;
            }
            let Some(speaker) = &q.speaker else { continue };
            let Some(&i) = index.get(speaker.as_str()) else {
                continue;
            };
            if !f.can_act[i] || (!q.direct && q.text.is_ascii()) {
                continue;
            }
            let pledged = self
                .quote_pledges
                .find(f.text, q.start, q.end)
                .iter()
                .any(|h| {
                    !f.text.is_char_boundary(h.start)
                        || !f.text[h.start..h.end].is_ascii()
                        || self.will_binds(f.text, h.end, q.end)
                });
            if !pledged {
                continue;
            }
            let mut holders = vec![speaker.clone()];
            if let Some(c) = &f.country_of[i] {
                push_unique(&mut holders, c);
            }
            out.push(Commitment {
                holders,
                kind: "pledge".to_string(),
                text: f.text[q.start..q.end].trim().to_string(),
                topic: None,
                amount: None,
                due: None,
                strength: Some(
                    self.strength(f.text, (q.start, q.end), q.end, "firm")
                        .to_string(),
                ),
                beneficiary: Vec::new(),
                legal_force: None,
                start: q.start,
                end: q.end,
            });
        }
        out
    }

    /// The first commitment cue of a sentence with a holder.
    fn in_sentence(
        &self,
        f: &Frame,
        (ss, se): (usize, usize),
        official: bool,
    ) -> Vec<(Commitment, (usize, usize))> {
        let text = f.text;
        let mut found: Vec<(Commitment, (usize, usize))> = Vec::new();
        for hit in self.cues.find(text, ss, se) {
            if f.in_quote(hit.start) {
                continue;
            }
            let (cs, ce) = f.clause(ss, se, hit.start, hit.end);
            // One commitment per clause.
            if found.iter().any(|(_, c)| *c == (cs, ce)) {
                continue;
            }
            let before = words_before(text, cs, hit.start, 2);
            if before.iter().any(|w| self.lex.hedges.contains(w))
                || self.hedge_clauses.any(text, ss, hit.start)
            {
                continue;
            }
            let (kind, strength) = match hit.tags[0] {
                Tag::Cue(i) if self.lex.cue[i].needs_to => {
                    let to = text[hit.end..ce]
                        .split_whitespace()
                        .take(6)
                        .any(|w| w == "to");
                    if !to {
                        continue;
                    }
                    (
                        self.lex.cue[i].kind.as_str(),
                        self.lex.cue[i].strength.as_str(),
                    )
                }
                Tag::Cue(i) => (
                    self.lex.cue[i].kind.as_str(),
                    self.lex.cue[i].strength.as_str(),
                ),
                Tag::Will => {
                    if !self.will_binds(text, hit.end, ce) {
                        continue;
                    }
                    // "would" in reported speech is an intention; "will" within a deal's
                    // terms is part of the agreement.
                    if text[hit.start..hit.end].eq_ignore_ascii_case("would") {
                        ("plan", "intends")
                    } else if self.deal_words.any(text, ss, se) {
                        ("agreement", "firm")
                    } else {
                        ("pledge", "firm")
                    }
                }
            };
            let holders = if text[hit.start..hit.end].is_ascii() {
                self.holders_before(f, cs, hit.start, matches!(hit.tags[0], Tag::Will))
            } else {
                // A coordinate clause shares the subject of the sentence ("미국은 ...하고,
                // ...하기로 했다").
                let own = self.korean_holders(f, cs, hit.start);
                if own.is_empty() && cs > ss {
                    self.korean_holders(f, ss, cs)
                } else {
                    own
                }
            };
            if holders.is_empty() {
                continue;
            }
            let kind = if kind == "pledge" && holders.len() > 1 && official {
                "agreement"
            } else {
                kind
            };
            let beneficiary = if kind == "demand" {
                let end = floor(text, (hit.end + 24).min(ce));
                if self.domestic.any(text, hit.end, end) {
                    continue;
                }
                f.actors_in(hit.end, ce)
                    .first()
                    .map(|m| vec![f.name(m).to_string()])
                    .unwrap_or_default()
            } else {
                Vec::new()
            };
            let c = Commitment {
                holders,
                kind: kind.to_string(),
                text: String::new(),
                topic: None,
                amount: None,
                due: None,
                strength: Some(
                    self.strength(text, (cs, ce), hit.start, strength)
                        .to_string(),
                ),
                beneficiary,
                legal_force: None,
                start: 0,
                end: 0,
            };
            found.push((c, (cs, ce)));
        }
        found
    }

    /// In an official text: a bullet or sentence with an action, held by whoever it names, else
    /// by the holders of the line introducing the list, else by both parties.
    fn official_item(
        &self,
        f: &Frame,
        (ss, se): (usize, usize),
        bullet: bool,
        lead_in: &[String],
    ) -> Option<Commitment> {
        let text = f.text;
        let sentence = &text[ss..se];
        if sentence.split_whitespace().count() < 5 || sentence.trim_end().ends_with(':') {
            return None;
        }
        let has_amount = self.amount.is_match(sentence);
        let introduced = bullet && !lead_in.is_empty();
        if !introduced && !self.actions.any(text, ss, se) && !has_amount {
            return None;
        }
        let named = holders_of(f, &f.actors_in(ss, se));
        let holders = if bullet && !lead_in.is_empty() {
            lead_in.to_vec()
        } else if self.both.any(text, ss, se) || named.is_empty() {
            if named.is_empty() && !bullet && !has_amount {
                return None;
            }
            f.dyad.clone()
        } else {
            // The subject: the names before the verb, else all named.
            named
        };
        if holders.is_empty() {
            return None;
        }
        let kind = if holders.len() > 1 {
            "agreement"
        } else {
            "pledge"
        };
        Some(Commitment {
            holders,
            kind: kind.to_string(),
            text: String::new(),
            topic: None,
            amount: None,
            due: None,
            strength: Some(self.strength(text, (ss, se), se, "firm").to_string()),
            beneficiary: Vec::new(),
            legal_force: None,
            start: 0,
            end: 0,
        })
    }

    /// "will" binds when a verb of action follows (after "also", "jointly" and the like).
    fn will_binds(&self, text: &str, after: usize, end: usize) -> bool {
        text[after..end]
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .take(4)
            .map(str::to_lowercase)
            .find(|w| {
                // Skip adverbs ("also", "soon", "jointly"), but "apply" is a verb.
                self.will_verbs.contains(w)
                    || !(w.ends_with("ly") || self.lex.will.skip.contains(w) || w == "not")
            })
            .is_some_and(|w| self.will_verbs.contains(&w))
    }

    /// The holders named in the subject before a cue.
    fn holders_before(&self, f: &Frame, cs: usize, pos: usize, tight: bool) -> Vec<String> {
        let text = f.text;
        let window = floor(text, pos.saturating_sub(48)).max(cs);
        if let Some(h) = self.both.find(text, window, pos).last()
            && words_between(text, h.end, pos) <= 2
        {
            return f.dyad.clone();
        }
        let ms = f.actors_in(cs, pos);
        let Some(last) = ms.last() else {
            return Vec::new();
        };
        let max_gap = if tight { 2 } else { 8 };
        if words_between(text, last.end, pos) > max_gap || !self.subject_gap(&text[last.end..pos]) {
            return Vec::new();
        }
        // "The United States and Korea", "Seoul and Washington".
        let mut subject: Vec<&Ment> = vec![last];
        for m in ms.iter().rev().skip(1) {
            let raw = &text[m.end..subject[subject.len() - 1].start];
            // "Hegseth and South Korean Defense Minister Ahn": a connector, then a title.
            let titled = raw.trim().split_once(' ').is_some_and(|(c, rest)| {
                matches!(c, "and" | ",")
                    && rest.split_whitespace().count() <= 4
                    && rest
                        .split_whitespace()
                        .all(|w| w.starts_with(|ch: char| ch.is_uppercase()))
            });
            if titled {
                subject.push(m);
                continue;
            }
            let gap = raw.trim();
            if matches!(
                gap,
                "and" | "and the" | "," | ", and" | "&" | "-" | "–" | "및" | "와" | "과"
            ) {
                subject.push(m);
            } else {
                break;
            }
        }
        subject.reverse();
        let owned: Vec<Ment> = subject.into_iter().cloned().collect();
        holders_of(f, &owned.iter().collect::<Vec<_>>())
    }

    /// Whether the words between a named holder and its cue keep the holder the subject:
    /// adverbs, auxiliaries, titles of address and dates do; a noun does not ("the Korea-US
    /// summit is set to" is about the summit).
    fn subject_gap(&self, gap: &str) -> bool {
        gap.split(|c: char| !(c.is_alphanumeric() || c == '\''))
            .map(|w| w.trim_matches('\'').to_lowercase())
            .filter(|w| !w.is_empty())
            .all(|w| {
                w == "s"
                    || w.ends_with("ly")
                    || w.chars().all(|c| c.is_ascii_digit())
                    || self.lex.subject_words.contains(&w)
            })
    }

    /// Korean puts the subject first, marked by a particle: "한미 양국은 ... 합의했다",
    /// "조현 외교부 장관이 ...". A clause opening with a pronoun ("그는") names no holder here.
    fn korean_holders(&self, f: &Frame, cs: usize, pos: usize) -> Vec<String> {
        let clause = f.text[cs..pos].trim_start();
        if ["그는", "그가", "그녀는", "그녀가", "이들은"]
            .iter()
            .any(|p| clause.starts_with(p))
        {
            return Vec::new();
        }
        if self.both.any(f.text, cs, pos) {
            return f.dyad.clone();
        }
        let ms = f.actors_in(cs, pos);
        // The mention whose word (with any title after it) ends in a subject particle.
        let marked = ms.iter().position(|m| {
            f.text[m.end..pos]
                .split_whitespace()
                .take(3)
                .any(|w| w.ends_with(['은', '는', '이', '가']) || w.ends_with("께서"))
                && !f.text[m.end..pos]
                    .split_whitespace()
                    .next()
                    .is_some_and(|w| w.ends_with(['을', '를', '과', '와', '의', '에']))
        });
        let Some(k) = marked else {
            return Vec::new();
        };
        // "이재명 대통령과 다카이치 사나에 일본 총리가": names joined by 과/와 share the subject.
        let mut start = k;
        while start > 0 {
            let gap = &f.text[ms[start - 1].end..ms[start].start];
            let joined = gap
                .split_whitespace()
                .next()
                .is_some_and(|w| w.ends_with(['과', '와']) || w == "및" || w == ",")
                || gap.trim_start().starts_with(['과', '와', ',', '·']);
            if !joined {
                break;
            }
            start -= 1;
        }
        holders_of(f, &ms[start..=k])
    }

    fn strength<'s>(
        &self,
        text: &str,
        (cs, ce): (usize, usize),
        pos: usize,
        own: &'s str,
    ) -> &'s str {
        if self.conditional.any(text, cs, ce) {
            "conditional"
        } else if self.welcomed.any(text, cs, pos.min(ce).max(cs)) {
            "welcomed_only"
        } else if self.best_efforts.any(text, cs, ce) {
            "best_efforts"
        } else {
            own
        }
    }
}

fn holders_of(f: &Frame, ms: &[&Ment]) -> Vec<String> {
    let mut out = Vec::new();
    for m in ms {
        push_unique(&mut out, f.name(m));
    }
    out
}

fn words_between(text: &str, a: usize, b: usize) -> usize {
    if a >= b {
        return 0;
    }
    text[a..b].split_whitespace().count()
}

fn is_bullet(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with(['•', '-', '*', '·', '◦', '▪', '–', '○', '■', '□'])
        || t.split_once(['.', ')']).is_some_and(|(n, _)| {
            !n.is_empty()
                && n.len() <= 3
                && n.chars()
                    .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase())
        })
}
