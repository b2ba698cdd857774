//! The registry of tracked commitments, built from the commitments extracted from documents.
//!
//! A statement of a commitment in a later document (a restatement) joins the commitment it
//! restates when they share holders and topics and either an amount or most of their words.
//! A restatement that keeps topics and holders but changes an amount or the deadline is
//! recorded as drift (`changed`); a later document that restates most of one document's
//! commitments but leaves some out records drift (`dropped`) on those.

use std::collections::BTreeMap;

use dyad_model::{Commitment, Document};
use serde::{Deserialize, Serialize};

use crate::rules::Rules;
use crate::text::{Amount, WordCache, amounts, content_words, day};

/// Where a commitment was stated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    pub doc_id: String,
    pub input: String,
    pub date: Option<String>,
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// A change a later text made to a commitment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drift {
    pub doc_id: String,
    pub input: String,
    pub date: Option<String>,
    /// `changed` or `dropped`.
    pub change: String,
    pub detail: String,
}

/// A tracked commitment: the registry record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tracked {
    pub id: String,
    pub holders: Vec<String>,
    pub kind: String,
    pub text: String,
    /// The main topic: the extractor's when it gave one, else the first matching topic id.
    pub topic: Option<String>,
    /// Every topic id of `data/track/topics.toml` the text speaks about.
    pub topics: Vec<String>,
    pub amount: Option<String>,
    pub amounts: Vec<Amount>,
    pub due: Option<String>,
    pub strength: Option<String>,
    pub legal_force: Option<String>,
    /// The first statement (date and document).
    pub first: Statement,
    /// Every statement, the first included, in the order they were stored.
    pub sources: Vec<Statement>,
    #[serde(default)]
    pub drift: Vec<Drift>,
    /// Ids merged into this commitment by an analyst.
    #[serde(default)]
    pub merged: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split_from: Option<String>,
    /// When an analyst split this commitment: the parts (this one is no longer tracked).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub split_into: Vec<String>,
    /// Set when merged into another commitment (kept in its own column by the store).
    #[serde(skip)]
    pub merged_into: Option<String>,
}

impl Tracked {
    /// Still tracked on its own: not merged into another, not split.
    pub fn is_root(&self) -> bool {
        self.merged_into.is_none() && self.split_into.is_empty()
    }

    /// Builds a record from an extracted commitment of `doc`.
    pub fn from_commitment(doc: &Document, c: &Commitment, rules: &Rules) -> Tracked {
        let statement = statement(doc, c);
        let mut topics = rules.topics_of(&c.text);
        // The extractor's topic ids are `area.topic` ("economy.tariffs"): the last part names
        // one of ours when the taxonomies agree.
        if let Some(t) = &c.topic {
            let last = t.rsplit('.').next().unwrap_or(t).to_string();
            if rules.topics.iter().any(|x| x.id == last) && !topics.contains(&last) {
                topics.insert(0, last);
            }
        }
        let id = format!(
            "c{}",
            &blake3::hash(format!("{}\0{}\0{}", doc.id, c.start, c.text).as_bytes()).to_hex()[..9]
        );
        let pick = |list: &[(String, regex::Regex)], texts: &[&str]| {
            texts.iter().find_map(|t| {
                list.iter()
                    .find(|(_, re)| re.is_match(t))
                    .map(|(name, _)| name.clone())
            })
        };
        let whole = format!("{} {}", doc.title.as_deref().unwrap_or(""), doc.text);
        let legal_force = c
            .legal_force
            .clone()
            .or_else(|| pick(&rules.legal_force, &[&c.text, &whole]));
        let strength = c
            .strength
            .clone()
            .or_else(|| pick(&rules.strength, &[&c.text]));
        let mut amts = amounts(&c.text);
        if let Some(a) = &c.amount {
            for x in amounts(a) {
                if !amts.iter().any(|y| y.same(&x)) {
                    amts.push(x);
                }
            }
        }
        Tracked {
            id,
            holders: c.holders.clone(),
            kind: c.kind.clone(),
            // A bullet's marker is not part of the commitment.
            text: c
                .text
                .trim_start_matches(['-', '•', '*', '·', '▪'])
                .trim()
                .to_string(),
            topic: c.topic.clone().or_else(|| topics.first().cloned()),
            topics,
            amount: c.amount.clone(),
            amounts: amts,
            due: c.due.clone(),
            strength,
            legal_force,
            first: statement.clone(),
            sources: vec![statement],
            drift: Vec::new(),
            merged: Vec::new(),
            split_from: None,
            split_into: Vec::new(),
            merged_into: None,
        }
    }
}

fn statement(doc: &Document, c: &Commitment) -> Statement {
    Statement {
        doc_id: doc.id.clone(),
        input: doc.input.clone(),
        date: doc.published.as_deref().map(day),
        text: c.text.clone(),
        start: c.start,
        end: c.end,
    }
}

/// How a new statement relates to a tracked commitment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relation {
    Same,
    Changed,
    Other,
}

/// How `n` (whose content words are `nw`) relates to `t`. Cheap tests first: most pairs differ
/// in holders or topics, and then no words are compared.
fn relate(t: &Tracked, n: &Tracked, nw: &[String], words: &mut WordCache) -> Relation {
    let holders_ok = t.holders.is_empty()
        || n.holders.is_empty()
        || t.holders
            .iter()
            .any(|h| n.holders.iter().any(|g| g.eq_ignore_ascii_case(h)));
    // Topics agree when they are the same set or share one.
    let topics_ok = t.topics.iter().any(|x| n.topics.contains(x))
        || (t.topics.iter().all(|x| n.topics.contains(x))
            && n.topics.iter().all(|x| t.topics.contains(x)));
    if !holders_ok || !topics_ok {
        return Relation::Other;
    }
    let tw = words.of(&t.id, &t.text);
    let shared = tw.iter().filter(|w| nw.contains(w)).count();
    let words = if tw.is_empty() || nw.is_empty() {
        0.0
    } else {
        shared as f64 / tw.len().min(nw.len()) as f64
    };
    let amount_hit = t
        .amounts
        .iter()
        .any(|a| n.amounts.iter().any(|b| a.same(b)));
    let amount_clash = !amount_hit
        && t.amounts
            .iter()
            .any(|a| n.amounts.iter().any(|b| a.unit == b.unit));
    if amount_hit {
        // A restatement may cite only part of the amounts ("$350 billion" of "$350 billion,
        // including $150 billion for shipbuilding").
        return Relation::Same;
    }
    if amount_clash && words >= 0.6 {
        return Relation::Changed;
    }
    if !amount_clash && words >= 0.6 {
        if t.due.is_some() && n.due.is_some() && t.due != n.due {
            return Relation::Changed;
        }
        return Relation::Same;
    }
    Relation::Other
}

/// What absorbing one document did to the registry.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Absorbed {
    /// Ids of new commitments.
    pub new: Vec<String>,
    /// Ids of commitments the document restated.
    pub restated: Vec<String>,
    /// Ids of commitments with new drift.
    pub drifted: Vec<String>,
    /// For each commitment the document stated: the byte spans of those statements (they are
    /// the commitment's own words, not evidence about it).
    pub spans: BTreeMap<String, Vec<(usize, usize)>>,
}

/// Adds the tracked commitments `doc` states to `registry` (records keyed by id).
/// Idempotent: a statement already recorded (same document and offset) changes nothing.
pub fn absorb(registry: &mut BTreeMap<String, Tracked>, doc: &Document, rules: &Rules) -> Absorbed {
    let stated = registry
        .values()
        .any(|t| t.sources.iter().any(|s| s.doc_id == doc.id));
    absorb_checked(registry, doc, rules, stated, &mut WordCache::default())
}

/// [`absorb`], told whether the registry holds statements of `doc` already (when it does not,
/// no statement needs looking up: the caller keeps that set instead of a scan per document).
pub fn absorb_checked(
    registry: &mut BTreeMap<String, Tracked>,
    doc: &Document,
    rules: &Rules,
    stated: bool,
    words: &mut WordCache,
) -> Absorbed {
    let mut out = Absorbed::default();
    let mut first_docs: BTreeMap<String, usize> = BTreeMap::new();
    for c in &doc.commitments {
        if !rules
            .tracked_kinds
            .iter()
            .any(|k| k.eq_ignore_ascii_case(&c.kind))
        {
            continue;
        }
        let known = stated
            .then(|| {
                registry.values().find(|t| {
                    t.sources
                        .iter()
                        .any(|s| s.doc_id == doc.id && s.start == c.start && s.text == c.text)
                })
            })
            .flatten();
        if let Some(t) = known {
            let id = t.merged_into.clone().unwrap_or_else(|| t.id.clone());
            out.spans.entry(id).or_default().push((c.start, c.end));
            continue;
        }
        let n = Tracked::from_commitment(doc, c, rules);
        let nw = content_words(&n.text);
        // Statements of the same document are separate commitments (one bullet each).
        let found = registry
            .values()
            .filter(|t| t.is_root() && t.first.doc_id != doc.id)
            .map(|t| (relate(t, &n, &nw, words), t.id.clone()))
            .filter(|(r, _)| *r != Relation::Other)
            .min_by_key(|(r, _)| *r != Relation::Same);
        let s = statement(doc, c);
        match found {
            Some((rel, id)) => {
                let Some(t) = registry.get_mut(&id) else {
                    continue;
                };
                if rel == Relation::Changed {
                    t.drift.push(Drift {
                        doc_id: doc.id.clone(),
                        input: doc.input.clone(),
                        date: s.date.clone(),
                        change: "changed".into(),
                        detail: format!("{:?} → {:?}", t.text, c.text),
                    });
                    out.drifted.push(id.clone());
                }
                *first_docs.entry(t.first.doc_id.clone()).or_default() += 1;
                t.sources.push(s);
                out.restated.push(id.clone());
                out.spans.entry(id).or_default().push((c.start, c.end));
            }
            None => {
                let id = n.id.clone();
                out.spans
                    .entry(id.clone())
                    .or_default()
                    .push((c.start, c.end));
                out.new.push(id.clone());
                registry.insert(id, n);
            }
        }
    }
    // Dropped: this document restates most commitments first stated by another document but
    // leaves some out — a revised text.
    for (first, restated) in first_docs {
        let of_first: Vec<String> = registry
            .values()
            .filter(|t| t.is_root() && t.first.doc_id == first)
            .map(|t| t.id.clone())
            .collect();
        if restated < 2 || (restated as f64) < 0.6 * of_first.len() as f64 {
            continue;
        }
        for id in of_first {
            if out.spans.contains_key(&id) {
                continue;
            }
            if let Some(t) = registry.get_mut(&id)
                && !t.drift.iter().any(|d| d.doc_id == doc.id)
            {
                t.drift.push(Drift {
                    doc_id: doc.id.clone(),
                    input: doc.input.clone(),
                    date: doc.published.as_deref().map(day),
                    change: "dropped".into(),
                    detail: "a later text restating the others leaves this commitment out".into(),
                });
                out.drifted.push(id);
            }
        }
    }
    out
}
