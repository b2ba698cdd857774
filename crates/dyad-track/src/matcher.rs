//! Evidence matching: each sentence of a document (its title included) that carries an action
//! cue is linked to the tracked commitments it speaks about.
//!
//! A sentence speaks about a commitment when they share a topic (the sentence's own, or failing
//! that the previous sentence's of the same paragraph, or the title's, at a lower weight). The
//! score adds shared amounts, shared holders (entities mentioned in the sentence) and shared
//! words; the best-scoring commitments above a threshold get the evidence (ties all do, unless
//! more than three tie: such a sentence is evidence for none). The
//! first cue of `data/track/cues.toml` that matches decides the suggested status; a negation
//! ("has not yet passed") turns a positive cue into `stalled`. This does not depend on the
//! extractor finding commitments in the document.

use std::collections::{BTreeMap, BTreeSet};

use dyad_model::Document;

use crate::Status;
use crate::registry::Tracked;
use crate::rules::Rules;
use crate::text::{Amount, WordCache, amounts, content_words, sentences};

/// Weight of each shared topic of the sentence itself, and of its context.
const TOPIC_OWN: f64 = 2.0;
const TOPIC_CONTEXT: f64 = 1.0;
const AMOUNT: f64 = 3.0;
const HOLDER: f64 = 1.0;
const WORDS: f64 = 2.0;
/// The lowest score that makes a link.
const THRESHOLD: f64 = 2.0;
/// Most commitments one sentence is evidence for (all tied at the best score); beyond, none.
const MAX_TIES: usize = 3;

/// A sentence linked to a commitment, with the status it suggests.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub commitment_id: String,
    pub sentence: String,
    pub start: usize,
    pub status: Status,
    pub stance: String,
    pub cue: String,
    pub confidence: f64,
    pub score: f64,
}

struct Features {
    topics: Vec<String>,
    amounts: Vec<Amount>,
    words: Vec<String>,
    holders: Vec<String>,
}

fn holders_in(doc: &Document, start: usize, end: usize) -> Vec<String> {
    let mut out = Vec::new();
    for e in &doc.entities {
        if e.mentions.iter().any(|m| m.start >= start && m.end <= end) {
            out.push(e.name.to_lowercase());
            out.extend(e.aliases.iter().map(|a| a.to_lowercase()));
            if let Some(id) = &e.id {
                out.push(id.to_lowercase());
            }
        }
    }
    out
}

fn score(t: &Tracked, tw: &[String], own: &Features, context: &[String]) -> f64 {
    let own_topics = t.topics.iter().filter(|x| own.topics.contains(x)).count();
    let ctx_topics = t
        .topics
        .iter()
        .filter(|x| !own.topics.contains(x) && context.contains(x))
        .count();
    if own_topics + ctx_topics == 0 {
        return 0.0;
    }
    let mut s = TOPIC_OWN * own_topics as f64 + TOPIC_CONTEXT * ctx_topics as f64;
    if t.amounts
        .iter()
        .any(|a| own.amounts.iter().any(|b| a.same(b)))
    {
        s += AMOUNT;
    }
    if t.holders
        .iter()
        .any(|h| own.holders.contains(&h.to_lowercase()))
    {
        s += HOLDER;
    }
    if !tw.is_empty() {
        let shared = tw.iter().filter(|w| own.words.contains(w)).count();
        s += WORDS * (shared as f64 / tw.len() as f64).min(1.0);
    }
    s
}

/// The evidence `doc` holds about `candidates`. `own_spans` are, per commitment, the spans of
/// `doc` that state the commitment itself (they are restatements, not evidence).
pub fn evidence_in(
    doc: &Document,
    candidates: &[&Tracked],
    own_spans: &BTreeMap<String, Vec<(usize, usize)>>,
    rules: &Rules,
    cache: &mut WordCache,
) -> Vec<Found> {
    let mut out = Vec::new();
    if candidates.is_empty() {
        return out;
    }
    let title = doc.title.as_deref().unwrap_or("").trim();
    let title_topics = rules.topics_of(title);
    // The title is a sentence too (offsets: none in the text, so it uses usize::MAX).
    let mut items: Vec<(String, usize, usize, Option<usize>)> = Vec::new();
    if !title.is_empty() {
        items.push((title.to_string(), usize::MAX, usize::MAX, None));
    }
    for s in sentences(&doc.text) {
        items.push((s.text.to_string(), s.start, s.end, Some(s.paragraph)));
    }
    // Only candidates sharing a topic with some sentence or the title can score (see
    // `score`); their content words are computed once per document, when first needed.
    let mut doc_topics: BTreeSet<String> = title_topics.iter().cloned().collect();
    // Each sentence's topics and first cue (with whether it is negated), found once.
    let mut found = Vec::with_capacity(items.len());
    for (text, ..) in &items {
        let cue = rules.cues.iter().find_map(|c| {
            c.pattern
                .is_match(text)
                .then(|| (c, c.negatable && rules.negation.is_match(text)))
        });
        let topics = rules.topics_of(text);
        doc_topics.extend(topics.iter().cloned());
        found.push((topics, cue));
    }
    if found.iter().all(|(_, cue)| cue.is_none()) {
        return out;
    }
    let candidates: Vec<&Tracked> = candidates
        .iter()
        .copied()
        .filter(|t| t.topics.iter().any(|x| doc_topics.contains(x)))
        .collect();

    let mut prev: Option<(usize, Vec<String>)> = None;
    for ((text, start, end, paragraph), (topics, cue)) in items.iter().zip(found) {
        let mut context: Vec<String> = Vec::new();
        if topics.is_empty() {
            if let (Some((p, t)), Some(q)) = (&prev, paragraph)
                && p == q
            {
                context.extend(t.iter().cloned());
            }
            context.extend(title_topics.iter().cloned());
        }
        if let Some(p) = paragraph
            && !topics.is_empty()
        {
            prev = Some((*p, topics.clone()));
        }
        let Some((cue, negated)) = cue else {
            continue;
        };
        let f = Features {
            topics,
            amounts: amounts(text),
            words: content_words(text),
            holders: if *start == usize::MAX {
                Vec::new()
            } else {
                holders_in(doc, *start, *end)
            },
        };
        let mut scored: Vec<(f64, &Tracked)> = Vec::new();
        for t in &candidates {
            let own = own_spans
                .get(&t.id)
                .is_some_and(|spans| spans.iter().any(|(a, b)| *a < *end && *start < *b));
            let topical = t
                .topics
                .iter()
                .any(|x| f.topics.contains(x) || context.contains(x));
            if own || !topical {
                continue;
            }
            let s = score(t, cache.of(&t.id, &t.text), &f, &context);
            if s >= THRESHOLD {
                scored.push((s, *t));
            }
        }
        let Some(best) = scored.iter().map(|(s, _)| *s).reduce(f64::max) else {
            continue;
        };
        let top: Vec<&(f64, &Tracked)> = scored.iter().filter(|(s, _)| *s >= best - 1e-9).collect();
        // A sentence that fits many commitments equally well says nothing about any of them.
        if top.len() > MAX_TIES {
            continue;
        }
        for (s, t) in top {
            let (status, stance) = if negated {
                (rules.negation_status, rules.negation_stance.clone())
            } else {
                let by_topic = t.topics.iter().find_map(|x| cue.by_topic.get(x)).copied();
                (by_topic.unwrap_or(cue.status), cue.stance.clone())
            };
            let strength = (0.5 + s / 10.0).min(1.0);
            out.push(Found {
                commitment_id: t.id.clone(),
                sentence: text.clone(),
                start: *start,
                status,
                stance,
                cue: if negated {
                    format!("{} (negated)", cue.name)
                } else {
                    cue.name.clone()
                },
                confidence: ((cue.confidence * strength) * 100.0).round() / 100.0,
                score: *s,
            });
        }
    }
    out
}
