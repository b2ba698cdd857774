//! The tracker over the store: updating the registry and evidence from new documents, reviews,
//! analyst statuses, merges and splits. Every write runs in one transaction and is written to
//! the append-only audit log.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use dyad_store::{CommitmentRow, EvidenceRow, ReviewRow, StatusRow, Store, StoreError, TrackTx};
use serde_json::json;

use crate::registry::{Tracked, absorb_checked};
use crate::rules::Rules;
use crate::text::{WordCache, amounts, day};
use crate::{Status, matcher};

/// The high-water mark: the highest document seq already processed.
pub const HIGH_WATER: &str = "matched_seq";
/// How many documents are read per batch.
const BATCH: usize = 200;

/// Errors of the tracker.
#[derive(Debug, thiserror::Error)]
pub enum TrackError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("commitment `{0}` not found")]
    NoCommitment(String),
    #[error("id prefix `{0}` matches several commitments: {1}")]
    Ambiguous(String, String),
    #[error("suggestion `{0}` not found")]
    NoSuggestion(String),
    #[error("suggestion `{0}` was already {1}")]
    Decided(String, String),
    #[error("document `{0}` not found in the store")]
    NoDocument(String),
    #[error("{0}")]
    Invalid(String),
    #[error("registry record `{id}` is unreadable: {source}")]
    Record {
        id: String,
        #[source]
        source: serde_json::Error,
    },
}

/// What [`Tracker::update`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct UpdateReport {
    pub documents: usize,
    /// Syndicated copies (`duplicate_of` set), counted once through their original.
    pub duplicates: usize,
    pub new_commitments: usize,
    pub restatements: usize,
    pub drift: usize,
    pub suggestions: usize,
    pub high_water: i64,
}

/// The commitment tracker: its rules, and operations on a store.
#[derive(Debug, Clone)]
pub struct Tracker {
    pub rules: Rules,
}

fn to_row(t: &Tracked) -> Result<CommitmentRow, TrackError> {
    Ok(CommitmentRow {
        id: t.id.clone(),
        data: serde_json::to_string(t).map_err(|source| TrackError::Record {
            id: t.id.clone(),
            source,
        })?,
        merged_into: t.merged_into.clone(),
    })
}

/// Loads the registry, keyed by id.
pub fn load_registry(store: &Store) -> Result<BTreeMap<String, Tracked>, TrackError> {
    let mut out = BTreeMap::new();
    for row in store.track_commitments()? {
        let mut t: Tracked =
            serde_json::from_str(&row.data).map_err(|source| TrackError::Record {
                id: row.id.clone(),
                source,
            })?;
        t.merged_into = row.merged_into;
        out.insert(row.id, t);
    }
    Ok(out)
}

/// Follows `merged_into` to the commitment that is tracked.
pub fn root_of(reg: &BTreeMap<String, Tracked>, id: &str) -> String {
    let mut cur = id.to_string();
    for _ in 0..32 {
        match reg.get(&cur).and_then(|t| t.merged_into.clone()) {
            Some(next) => cur = next,
            None => break,
        }
    }
    cur
}

/// Resolves a full id or a unique prefix.
pub fn resolve(reg: &BTreeMap<String, Tracked>, key: &str) -> Result<String, TrackError> {
    let key = key.trim();
    if reg.contains_key(key) {
        return Ok(key.to_string());
    }
    let hits: Vec<&String> = reg.keys().filter(|k| k.starts_with(key)).collect();
    match hits.as_slice() {
        [one] if !key.is_empty() => Ok((*one).clone()),
        [] | [_] => Err(TrackError::NoCommitment(key.to_string())),
        many => Err(TrackError::Ambiguous(
            key.to_string(),
            many.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        )),
    }
}

/// Resolves a full id or a unique prefix with indexed lookups (no registry load).
pub fn resolve_in(store: &Store, key: &str) -> Result<String, TrackError> {
    let key = key.trim();
    let hits = store.track_ids_like(key, 21)?;
    match hits.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(TrackError::NoCommitment(key.to_string())),
        many => Err(TrackError::Ambiguous(key.to_string(), many.join(", "))),
    }
}

/// Reads one registry row.
pub fn tracked_of(row: &CommitmentRow) -> Result<Tracked, TrackError> {
    let mut t: Tracked = serde_json::from_str(&row.data).map_err(|source| TrackError::Record {
        id: row.id.clone(),
        source,
    })?;
    t.merged_into = row.merged_into.clone();
    Ok(t)
}

/// What an analyst's status rests on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StatusEvidence<'a> {
    /// None: only `not_yet_rated` can be set so.
    None,
    /// A stored document (id or unique prefix) and a sentence of it (default: its title, else
    /// its first sentence).
    Document {
        doc: &'a str,
        sentence: Option<&'a str>,
    },
    /// A suggestion (evidence row) of the tracker: its document and sentence.
    Suggestion(i64),
}

/// Parses a suggestion id (`s12` or `12`).
pub fn parse_suggestion(s: &str) -> Result<i64, TrackError> {
    s.trim()
        .trim_start_matches(['s', 'S'])
        .parse()
        .map_err(|_| TrackError::NoSuggestion(s.to_string()))
}

impl Tracker {
    /// A tracker with the rules shipped with dyad.
    pub fn new() -> Result<Tracker, crate::RulesError> {
        Ok(Tracker {
            rules: Rules::embedded()?,
        })
    }

    /// Processes the documents stored since the last run (all of them with `rescan`): adds
    /// the commitments they state to the registry and their evidence as suggestions.
    pub fn update(&self, store: &mut Store, rescan: bool) -> Result<UpdateReport, TrackError> {
        let mut report = UpdateReport::default();
        let mut from = if rescan {
            0
        } else {
            store
                .track_state(HIGH_WATER)?
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        report.high_water = from;
        let mut registry = load_registry(store)?;
        // Documents whose statements the registry already holds (only they need the check
        // that a statement is not absorbed twice).
        let mut stated: HashSet<String> = registry
            .values()
            .flat_map(|t| t.sources.iter().map(|s| s.doc_id.clone()))
            .collect();
        let mut words = WordCache::default();
        let mut seen: BTreeSet<(String, String)> = store
            .track_evidence()?
            .into_iter()
            .map(|e| (e.commitment_id, normalise(&e.sentence)))
            .collect();
        loop {
            let docs = store.documents_after(from, BATCH)?;
            let Some((last, _)) = docs.last() else { break };
            let last = *last;
            store.track_write(|tx| -> Result<(), TrackError> {
                // Records changed by the batch, written once at its end: a commitment restated
                // by many documents of the batch is not rewritten for each.
                let mut changed: BTreeSet<String> = BTreeSet::new();
                for (_, doc) in &docs {
                    report.documents += 1;
                    if doc.duplicate_of.is_some() {
                        report.duplicates += 1;
                        continue;
                    }
                    let absorbed =
                        absorb_checked(&mut registry, doc, &self.rules, stated.contains(&doc.id), &mut words);
                    if !absorbed.spans.is_empty() {
                        stated.insert(doc.id.clone());
                    }
                    for id in &absorbed.new {
                        tx.audit("dyad", "register", Some(id), &json!({"doc": doc.id, "input": doc.input}).to_string())?;
                        // Written now: evidence later in the batch may refer to it.
                        if let Some(t) = registry.get(id) {
                            tx.put_commitment(&to_row(t)?)?;
                        }
                    }
                    for id in &absorbed.restated {
                        tx.audit("dyad", "restatement", Some(id), &json!({"doc": doc.id, "input": doc.input}).to_string())?;
                        changed.insert(id.clone());
                    }
                    for id in &absorbed.drifted {
                        let d = registry.get(id).and_then(|t| t.drift.last());
                        tx.audit("dyad", "drift", Some(id), &json!({"doc": doc.id, "change": d.map(|d| d.change.clone()), "detail": d.map(|d| d.detail.clone())}).to_string())?;
                        changed.insert(id.clone());
                    }
                    report.new_commitments += absorbed.new.len();
                    report.restatements += absorbed.restated.len();
                    report.drift += absorbed.drifted.len();
                    let date = doc.published.as_deref().map(day);
                    let candidates: Vec<&Tracked> = registry
                        .values()
                        .filter(|t| t.is_root() && t.first.doc_id != doc.id)
                        // Evidence comes after the commitment was first stated.
                        .filter(|t| match (&date, &t.first.date) {
                            (Some(d), Some(f)) => d >= f,
                            _ => true,
                        })
                        .collect();
                    for f in matcher::evidence_in(doc, &candidates, &absorbed.spans, &self.rules, &mut words) {
                        if !seen.insert((f.commitment_id.clone(), normalise(&f.sentence))) {
                            continue; // the same sentence from another copy of a story
                        }
                        let row = EvidenceRow {
                            seq: 0,
                            commitment_id: f.commitment_id.clone(),
                            doc_id: doc.id.clone(),
                            input: doc.input.clone(),
                            sentence: f.sentence.clone(),
                            date: date.clone(),
                            status: f.status.as_str().to_string(),
                            stance: f.stance.clone(),
                            cue: f.cue.clone(),
                            confidence: f.confidence,
                        };
                        if let Some(seq) = tx.add_evidence(&row)? {
                            report.suggestions += 1;
                            tx.audit(
                                "dyad",
                                "suggest",
                                Some(&f.commitment_id),
                                &json!({"suggestion": format!("s{seq}"), "status": f.status, "doc": doc.id, "sentence": f.sentence, "confidence": f.confidence, "cue": f.cue}).to_string(),
                            )?;
                        }
                    }
                }
                for id in &changed {
                    if let Some(t) = registry.get(id) {
                        tx.put_commitment(&to_row(t)?)?;
                    }
                }
                if !rescan || last > report.high_water {
                    tx.set_state(HIGH_WATER, &last.max(report.high_water).to_string())?;
                }
                Ok(())
            })?;
            from = last;
        }
        report.high_water = report.high_water.max(from);
        Ok(report)
    }

    /// Suggestions not yet accepted or rejected, by date.
    pub fn pending(&self, store: &Store) -> Result<Vec<EvidenceRow>, TrackError> {
        let decided: BTreeSet<i64> = store
            .track_reviews()?
            .into_iter()
            .map(|r| r.evidence_seq)
            .collect();
        let mut out: Vec<EvidenceRow> = store
            .track_evidence()?
            .into_iter()
            .filter(|e| !decided.contains(&e.seq))
            .collect();
        // Oldest first; on the same date the weaker status first, so the stronger one is
        // applied last when all are accepted.
        out.sort_by(|a, b| {
            a.date.cmp(&b.date).then_with(|| {
                let r = |e: &EvidenceRow| {
                    std::cmp::Reverse(e.status.parse().map_or(usize::MAX, |s| self.rules.rank(s)))
                };
                r(a).cmp(&r(b)).then(a.seq.cmp(&b.seq))
            })
        });
        Ok(out)
    }

    /// Accepts (`accept = true`) or rejects a suggestion. Accepting appends the suggested status
    /// to the commitment's history, set by dyad with its confidence.
    pub fn review(
        &self,
        store: &mut Store,
        suggestion: i64,
        accept: bool,
        by: &str,
        note: Option<&str>,
    ) -> Result<(), TrackError> {
        let found = store
            .track_suggestion(suggestion)?
            .ok_or_else(|| TrackError::NoSuggestion(format!("s{suggestion}")))?;
        if let Some(decision) = found.review {
            return Err(TrackError::Decided(format!("s{suggestion}"), decision));
        }
        let ev = found.evidence;
        let root = store.track_root(&ev.commitment_id)?;
        store.track_write(|tx| -> Result<(), TrackError> {
            self.decide(tx, &ev, &root, accept, by, note)
        })
    }

    fn decide(
        &self,
        tx: &TrackTx<'_>,
        ev: &EvidenceRow,
        root: &str,
        accept: bool,
        by: &str,
        note: Option<&str>,
    ) -> Result<(), TrackError> {
        let decision = if accept { "accepted" } else { "rejected" };
        tx.add_review(&ReviewRow {
            evidence_seq: ev.seq,
            decision: decision.into(),
            by: by.into(),
            note: note.map(str::to_string),
            at: String::new(),
        })?;
        if accept {
            tx.add_status(&StatusRow {
                seq: 0,
                commitment_id: root.to_string(),
                status: ev.status.clone(),
                at: ev.date.clone(),
                recorded_at: String::new(),
                by: "dyad".into(),
                confidence: Some(ev.confidence),
                note: Some(match note {
                    Some(n) => format!("suggestion s{} accepted by {by}: {n}", ev.seq),
                    None => format!("suggestion s{} accepted by {by}", ev.seq),
                }),
                evidence_seq: Some(ev.seq),
                evidence_doc: Some(ev.doc_id.clone()),
                evidence_input: Some(ev.input.clone()),
                evidence_text: Some(ev.sentence.clone()),
            })?;
        }
        tx.audit(
            by,
            if accept { "accept" } else { "reject" },
            Some(root),
            &json!({"suggestion": format!("s{}", ev.seq), "status": ev.status, "note": note})
                .to_string(),
        )?;
        Ok(())
    }

    /// Accepts every pending suggestion, oldest first. Returns how many.
    pub fn accept_all(
        &self,
        store: &mut Store,
        by: &str,
        note: Option<&str>,
    ) -> Result<usize, TrackError> {
        let reg = load_registry(store)?;
        let pending = self.pending(store)?;
        store.track_write(|tx| -> Result<(), TrackError> {
            for ev in &pending {
                self.decide(tx, ev, &root_of(&reg, &ev.commitment_id), true, by, note)?;
            }
            Ok(())
        })?;
        Ok(pending.len())
    }

    /// An analyst sets a status. Every status but `not_yet_rated` needs evidence: a stored
    /// document (id or unique prefix) and a sentence (default: the document's title, else its
    /// first sentence).
    #[allow(clippy::too_many_arguments)]
    pub fn set_status(
        &self,
        store: &mut Store,
        id: &str,
        status: Status,
        evidence: Option<&str>,
        sentence: Option<&str>,
        note: Option<&str>,
        by: &str,
    ) -> Result<(), TrackError> {
        let evidence = match evidence {
            Some(doc) => StatusEvidence::Document { doc, sentence },
            None => StatusEvidence::None,
        };
        self.set_status_with(store, id, status, evidence, note, by)
            .map(|_| ())
    }

    /// [`Tracker::set_status`] with any kind of evidence; returns the id of the commitment
    /// whose history got the status (merged commitments resolve to the one they were merged
    /// into).
    pub fn set_status_with(
        &self,
        store: &mut Store,
        id: &str,
        status: Status,
        evidence: StatusEvidence<'_>,
        note: Option<&str>,
        by: &str,
    ) -> Result<String, TrackError> {
        let id = store.track_root(&resolve_in(store, id)?)?;
        let (doc, input, text, date, seq) = match evidence {
            StatusEvidence::Document { doc: key, sentence } => {
                let doc = store
                    .get(key)?
                    .ok_or_else(|| TrackError::NoDocument(key.to_string()))?;
                let text = match sentence {
                    Some(s) => s.to_string(),
                    None => doc
                        .title
                        .clone()
                        .or_else(|| {
                            crate::text::sentences(&doc.text)
                                .first()
                                .map(|s| s.text.to_string())
                        })
                        .unwrap_or_default(),
                };
                (
                    Some(doc.id),
                    Some(doc.input),
                    Some(text),
                    doc.published.as_deref().map(day),
                    None,
                )
            }
            StatusEvidence::Suggestion(n) => {
                let e = store
                    .track_suggestion(n)?
                    .ok_or_else(|| TrackError::NoSuggestion(format!("s{n}")))?
                    .evidence;
                (
                    Some(e.doc_id),
                    Some(e.input),
                    Some(e.sentence),
                    e.date,
                    Some(e.seq),
                )
            }
            StatusEvidence::None if status == Status::NotYetRated => (None, None, None, None, None),
            StatusEvidence::None => {
                return Err(TrackError::Invalid(format!(
                    "status {status} needs evidence: --evidence DOC (a stored document id)"
                )));
            }
        };
        store.track_write(|tx| -> Result<(), TrackError> {
            tx.add_status(&StatusRow {
                seq: 0,
                commitment_id: id.clone(),
                status: status.as_str().into(),
                at: date,
                recorded_at: String::new(),
                by: by.into(),
                confidence: None,
                note: note.map(str::to_string),
                evidence_seq: seq,
                evidence_doc: doc.clone(),
                evidence_input: input,
                evidence_text: text,
            })?;
            tx.audit(
                by,
                "set-status",
                Some(&id),
                &json!({"status": status, "evidence": doc, "suggestion": seq.map(|n| format!("s{n}")), "note": note}).to_string(),
            )?;
            Ok(())
        })?;
        Ok(id)
    }

    /// Merges `others` into `into`: their sources, evidence and history count for `into`.
    pub fn merge(
        &self,
        store: &mut Store,
        into: &str,
        others: &[String],
        by: &str,
    ) -> Result<String, TrackError> {
        self.merge_with(store, into, others, by, None)
    }

    /// [`Tracker::merge`] with a note for the audit log. Reads only the rows it changes.
    pub fn merge_with(
        &self,
        store: &mut Store,
        into: &str,
        others: &[String],
        by: &str,
        note: Option<&str>,
    ) -> Result<String, TrackError> {
        let into = store.track_root(&resolve_in(store, into)?)?;
        let mut ids: Vec<String> = Vec::new();
        for o in others {
            let o = store.track_root(&resolve_in(store, o)?)?;
            if o == into {
                return Err(TrackError::Invalid(format!("cannot merge {o} into itself")));
            }
            if !ids.contains(&o) {
                ids.push(o);
            }
        }
        let wanted: Vec<String> = ids.iter().chain(std::iter::once(&into)).cloned().collect();
        let mut reg: BTreeMap<String, Tracked> = BTreeMap::new();
        for row in store.track_commitments_by_id(&wanted)? {
            reg.insert(row.id.clone(), tracked_of(&row)?);
        }
        let mut changed = Vec::new();
        for o in &ids {
            let Some(mut other) = reg.get(o).cloned() else {
                continue;
            };
            other.merged_into = Some(into.clone());
            if let Some(target) = reg.get_mut(&into) {
                target.merged.push(o.clone());
                for s in &other.sources {
                    if !target.sources.contains(s) {
                        target.sources.push(s.clone());
                    }
                }
                for h in &other.holders {
                    if !target.holders.contains(h) {
                        target.holders.push(h.clone());
                    }
                }
            }
            reg.insert(o.clone(), other);
            changed.push(o.clone());
        }
        changed.push(into.clone());
        store.track_write(|tx| -> Result<(), TrackError> {
            for id in &changed {
                if let Some(t) = reg.get(id) {
                    tx.put_commitment(&to_row(t)?)?;
                }
            }
            tx.audit(
                by,
                "merge",
                Some(&into),
                &json!({"merged": ids, "note": note}).to_string(),
            )?;
            Ok(())
        })?;
        Ok(into)
    }

    /// Splits a commitment into parts, one per text; the parts inherit its holders, deadline
    /// and sources, and are matched against every stored document again.
    pub fn split(
        &self,
        store: &mut Store,
        id: &str,
        parts: &[String],
        by: &str,
    ) -> Result<Vec<String>, TrackError> {
        if parts.len() < 2 {
            return Err(TrackError::Invalid(
                "split needs at least two --part texts".into(),
            ));
        }
        let mut reg = load_registry(store)?;
        let id = root_of(&reg, &resolve(&reg, id)?);
        let Some(orig) = reg.get(&id).cloned() else {
            return Err(TrackError::NoCommitment(id));
        };
        let mut new_ids = Vec::new();
        for (i, text) in parts.iter().enumerate() {
            let mut p = orig.clone();
            p.id = format!("{}-{}", id, i + 1);
            p.text = text.clone();
            p.topics = self.rules.topics_of(text);
            if p.topics.is_empty() {
                p.topics = orig.topics.clone();
            }
            p.topic = p.topics.first().cloned();
            p.amounts = amounts(text);
            p.amount = None;
            p.split_from = Some(id.clone());
            p.split_into = Vec::new();
            p.merged = Vec::new();
            p.drift = Vec::new();
            new_ids.push(p.id.clone());
            reg.insert(p.id.clone(), p);
        }
        if let Some(o) = reg.get_mut(&id) {
            o.split_into = new_ids.clone();
        }
        store.track_write(|tx| -> Result<(), TrackError> {
            for nid in new_ids.iter().chain(std::iter::once(&id)) {
                if let Some(t) = reg.get(nid) {
                    tx.put_commitment(&to_row(t)?)?;
                }
            }
            tx.audit(
                by,
                "split",
                Some(&id),
                &json!({"parts": new_ids, "texts": parts}).to_string(),
            )?;
            Ok(())
        })?;
        self.update(store, true)?;
        Ok(new_ids)
    }
}

fn normalise(s: &str) -> String {
    s.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}
