//! [`TrackedCommitments`]: the commitments endpoints over the commitment tracker
//! (`dyad_track::Tracker`). Every read is a page or one commitment through the board's indexed
//! queries (migration `0008_track_serve.sql`); writes go through the tracker, so statuses need
//! evidence, history is appended and the audit log records who did what.
//!
//! `dyad serve` does not fill the registry: `dyad ingest` runs the tracker after every ingest,
//! `dyad demo` after the sample corpus, and `dyad commitments update` catches up a store filled
//! otherwise. The summary says how many stored documents the tracker has not read yet.

use std::collections::HashMap;
use std::sync::Mutex;

use dyad_model::Document;
use dyad_store::{Page, Paged, StatusRow, Store, TrackFilter};
use dyad_track::{Card, Status, TrackError, Tracker};

use crate::commitments::{
    CommitmentRecord, CommitmentSource, CommitmentSummary, Evidence, HistoryEntry, HistoryEvidence,
    RegistryState, Stated, StatusCount, StatusEvidence, SuggestionRecord, check_status,
};
use crate::error::ApiError;

/// History entries served with one commitment (the latest ones).
const HISTORY_MAX: usize = 200;

/// What a cached summary is valid for: the audit log mark, the highest document seq, the day.
type SummaryKey = (i64, i64, String);

/// The tracker's registry behind the commitments endpoints.
pub struct TrackedCommitments {
    tracker: Tracker,
    /// The summary takes a scan of the overdue candidates: kept until the tracker writes
    /// (audit log mark), a document is stored (max seq) or the day changes.
    summary_cache: Mutex<Option<(SummaryKey, CommitmentSummary)>>,
}

impl TrackedCommitments {
    /// With the tracker rules shipped with dyad.
    pub fn new() -> Result<TrackedCommitments, dyad_track::RulesError> {
        Ok(TrackedCommitments::with_tracker(Tracker::new()?))
    }

    pub fn with_tracker(tracker: Tracker) -> TrackedCommitments {
        TrackedCommitments {
            tracker,
            summary_cache: Mutex::new(None),
        }
    }
}

fn today() -> String {
    chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string()
}

/// The tracker's errors in the API's table.
fn api_error(e: TrackError) -> ApiError {
    match e {
        TrackError::Store(s) => ApiError::from(s),
        TrackError::NoCommitment(id) => ApiError::not_found(format!("no commitment `{id}`")),
        TrackError::NoSuggestion(id) => ApiError::not_found(format!("no suggestion `{id}`")),
        e @ TrackError::Ambiguous(..) => ApiError::bad_request(e.to_string()),
        e @ (TrackError::Decided(..) | TrackError::Invalid(_) | TrackError::NoDocument(_)) => {
            ApiError::unprocessable(e.to_string())
        }
        e @ TrackError::Record { .. } => ApiError::internal(e.to_string()),
    }
}

fn suggestion_seq(id: &str) -> Result<i64, ApiError> {
    dyad_track::tracker::parse_suggestion(id).map_err(api_error)
}

fn offset(n: usize) -> Option<u64> {
    u64::try_from(n).ok()
}

/// Byte offsets of `sentence` in the document's text (the first occurrence).
fn locate(doc: &Document, sentence: &str) -> (Option<u64>, Option<u64>) {
    let s = sentence.trim();
    match doc.text.find(s).filter(|_| !s.is_empty()) {
        Some(at) => (offset(at), offset(at + s.len())),
        None => (None, None),
    }
}

/// Documents read while building one answer, each once.
struct Docs<'a> {
    store: &'a Store,
    seen: HashMap<String, Option<Document>>,
}

impl Docs<'_> {
    fn get(&mut self, id: &str) -> Result<Option<&Document>, ApiError> {
        if !self.seen.contains_key(id) {
            let doc = match self.store.get(id) {
                Ok(d) => d,
                Err(dyad_store::StoreError::Ambiguous { .. }) => None,
                Err(e) => return Err(e.into()),
            };
            self.seen.insert(id.to_string(), doc);
        }
        Ok(self.seen.get(id).and_then(Option::as_ref))
    }
}

fn history_entry(s: StatusRow, docs: Option<&mut Docs<'_>>) -> Result<HistoryEntry, ApiError> {
    let evidence = match s.evidence_doc {
        Some(doc_id) => {
            let (start, end) = match (docs, &s.evidence_text) {
                (Some(docs), Some(text)) => match docs.get(&doc_id)? {
                    Some(d) => locate(d, text),
                    None => (None, None),
                },
                _ => (None, None),
            };
            Some(HistoryEvidence {
                doc_id,
                input: s.evidence_input,
                text: s.evidence_text,
                suggestion: s.evidence_seq.map(|n| format!("s{n}")),
                start,
                end,
            })
        }
        None => None,
    };
    Ok(HistoryEntry {
        status: s.status,
        at: s.at,
        recorded_at: s.recorded_at,
        by: s.by,
        confidence: s.confidence,
        note: s.note,
        evidence,
    })
}

impl TrackedCommitments {
    /// A card as a record, without evidence and history.
    fn record(&self, store: &Store, card: Card) -> Result<CommitmentRecord, ApiError> {
        let evidence_total = self
            .tracker
            .evidence_of(
                store,
                &card,
                Page {
                    offset: 0,
                    limit: 0,
                },
            )
            .map_err(api_error)?
            .total;
        let t = card.tracked;
        let first = t.first;
        Ok(CommitmentRecord {
            amount: t
                .amount
                .clone()
                .or_else(|| t.amounts.first().map(dyad_track::report::describe)),
            id: t.id,
            holders: t.holders,
            kind: t.kind,
            text: t.text,
            topic: t.topic,
            topics: t.topics,
            due: t.due,
            strength: t.strength,
            legal_force: t.legal_force,
            status: card.status.as_str().to_string(),
            suggested_status: card.suggested.map(|s| s.as_str().to_string()),
            suggested_confidence: card.suggested_confidence,
            overdue: card.overdue,
            merged_into: t.merged_into,
            merged: t.merged,
            split_into: t.split_into,
            first_stated: Stated {
                doc_id: first.doc_id,
                input: first.input,
                date: first.date,
                text: first.text,
                start: offset(first.start),
                end: offset(first.end),
            },
            statements: card.statements,
            evidence_total,
            last_status: card.last.map(|s| history_entry(s, None)).transpose()?,
            evidence: None,
            history: None,
        })
    }

    /// One commitment with a page of its evidence and its history, sentences located.
    fn full(
        &self,
        store: &Store,
        key: &str,
        page: Page,
    ) -> Result<Option<CommitmentRecord>, ApiError> {
        let Some(card) = self
            .tracker
            .card_of(store, key, &today())
            .map_err(api_error)?
        else {
            return Ok(None);
        };
        let ev = self
            .tracker
            .evidence_of(store, &card, page)
            .map_err(api_error)?;
        let hist = self
            .tracker
            .history_of(store, &card, HISTORY_MAX)
            .map_err(api_error)?;
        let mut docs = Docs {
            store,
            seen: HashMap::new(),
        };
        let mut evidence = Vec::with_capacity(ev.items.len());
        for r in ev.items {
            let e = r.evidence;
            let (title, (start, end)) = match docs.get(&e.doc_id)? {
                Some(d) => (d.title.clone(), locate(d, &e.sentence)),
                None => (None, (None, None)),
            };
            evidence.push(Evidence {
                suggestion: format!("s{}", e.seq),
                doc_id: e.doc_id,
                input: e.input,
                title,
                text: e.sentence,
                date: e.date,
                stance: e.stance,
                status: e.status,
                cue: e.cue,
                confidence: e.confidence,
                review: r.review.unwrap_or_else(|| "pending".into()),
                start,
                end,
            });
        }
        let history = hist
            .into_iter()
            .map(|s| history_entry(s, Some(&mut docs)))
            .collect::<Result<Vec<_>, _>>()?;
        let mut rec = self.record(store, card)?;
        rec.evidence_total = ev.total;
        rec.evidence = Some(evidence);
        rec.history = Some(history);
        Ok(Some(rec))
    }

    fn require(&self, store: &Store, id: &str) -> Result<CommitmentRecord, ApiError> {
        self.full(
            store,
            id,
            Page {
                offset: 0,
                limit: 20,
            },
        )?
        .ok_or_else(|| ApiError::not_found(format!("no commitment `{id}`")))
    }
}

impl CommitmentSource for TrackedCommitments {
    fn list(
        &self,
        store: &Store,
        filter: &TrackFilter,
        page: Page,
    ) -> Result<Paged<CommitmentRecord>, ApiError> {
        let cards = self
            .tracker
            .board(store, filter, page, &today())
            .map_err(api_error)?;
        Ok(Paged {
            total: cards.total,
            items: cards
                .items
                .into_iter()
                .map(|c| self.record(store, c))
                .collect::<Result<_, _>>()?,
        })
    }

    fn get(
        &self,
        store: &Store,
        id: &str,
        evidence: Page,
    ) -> Result<Option<CommitmentRecord>, ApiError> {
        self.full(store, id, evidence)
    }

    fn summary(&self, store: &Store) -> Result<CommitmentSummary, ApiError> {
        let day = today();
        let key = (store.track_audit_mark()?, store.max_seq()?, day.clone());
        if let Ok(cache) = self.summary_cache.lock()
            && let Some((k, s)) = cache.as_ref()
            && *k == key
        {
            return Ok(s.clone());
        }
        let s = self.tracker.summary(store, &day).map_err(api_error)?;
        let matched_seq = store
            .track_state(dyad_track::tracker::HIGH_WATER)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let behind = store.track_documents_after(matched_seq)?;
        let summary = CommitmentSummary {
            total: s.total,
            by_status: s
                .by_status
                .into_iter()
                .map(|(status, count)| StatusCount { status, count })
                .collect(),
            overdue: s.overdue,
            registry: RegistryState {
                matched_seq,
                behind,
                hint: (behind > 0).then(|| {
                    format!(
                        "the tracker has not read {behind} stored document(s): run `dyad commitments update --data-dir DIR`"
                    )
                }),
            },
        };
        if let Ok(mut cache) = self.summary_cache.lock() {
            *cache = Some((key, summary.clone()));
        }
        Ok(summary)
    }

    fn set_status(
        &self,
        store: &mut Store,
        id: &str,
        status: &str,
        evidence: &StatusEvidence,
        by: &str,
        note: Option<&str>,
    ) -> Result<CommitmentRecord, ApiError> {
        check_status(status)?;
        let st: Status = status.parse().map_err(ApiError::unprocessable)?;
        let ev = match evidence {
            StatusEvidence::None => dyad_track::StatusEvidence::None,
            StatusEvidence::Suggestion(s) => {
                dyad_track::StatusEvidence::Suggestion(suggestion_seq(s)?)
            }
            StatusEvidence::Document { doc_id, sentence } => {
                // The sentence must be the document's: in its title or its text.
                let doc = store.get(doc_id)?.ok_or_else(|| {
                    ApiError::unprocessable(format!(
                        "evidence: no document `{doc_id}` in the store"
                    ))
                })?;
                let s = sentence.trim();
                if s.is_empty()
                    || !(doc.text.contains(s)
                        || doc.title.as_deref().is_some_and(|t| t.contains(s)))
                {
                    return Err(ApiError::unprocessable(format!(
                        "evidence: the sentence is not in document `{}`",
                        doc.id
                    )));
                }
                dyad_track::StatusEvidence::Document {
                    doc: doc_id,
                    sentence: Some(s),
                }
            }
        };
        let root = self
            .tracker
            .set_status_with(store, id, st, ev, note, by)
            .map_err(|e| match e {
                TrackError::Invalid(_) => ApiError::unprocessable(format!(
                    "status `{status}` needs evidence: `evidence: {{doc_id, sentence}}` or `suggestion`"
                )),
                other => api_error(other),
            })?;
        self.require(store, &root)
    }

    fn merge(
        &self,
        store: &mut Store,
        ids: &[String],
        into: &str,
        by: &str,
        note: Option<&str>,
    ) -> Result<CommitmentRecord, ApiError> {
        let others: Vec<String> = ids.iter().filter(|i| i.as_str() != into).cloned().collect();
        if others.is_empty() {
            return Err(ApiError::unprocessable(
                "nothing to merge: `ids` must name commitments other than `into`",
            ));
        }
        let root = self
            .tracker
            .merge_with(store, into, &others, by, note)
            .map_err(api_error)?;
        self.require(store, &root)
    }

    fn suggestions(
        &self,
        store: &Store,
        commitment: Option<&str>,
        page: Page,
    ) -> Result<Paged<SuggestionRecord>, ApiError> {
        let rows = self
            .tracker
            .suggestions(store, commitment, page)
            .map_err(api_error)?;
        Ok(Paged {
            total: rows.total,
            items: rows
                .items
                .into_iter()
                .map(|s| SuggestionRecord {
                    id: format!("s{}", s.evidence.seq),
                    commitment_id: s.commitment_id,
                    commitment_text: s.commitment_text,
                    commitment_status: s.commitment_status.map(|x| x.as_str().to_string()),
                    status: s.evidence.status,
                    confidence: s.evidence.confidence,
                    cue: s.evidence.cue,
                    stance: s.evidence.stance,
                    doc_id: s.evidence.doc_id,
                    input: s.evidence.input,
                    text: s.evidence.sentence,
                    date: s.evidence.date,
                })
                .collect(),
        })
    }

    fn review_suggestion(
        &self,
        store: &mut Store,
        id: &str,
        accept: bool,
        by: &str,
        note: Option<&str>,
    ) -> Result<CommitmentRecord, ApiError> {
        let seq = suggestion_seq(id)?;
        self.tracker
            .review(store, seq, accept, by, note)
            .map_err(api_error)?;
        let commitment = store
            .track_suggestion(seq)?
            .map(|s| s.evidence.commitment_id)
            .ok_or_else(|| ApiError::not_found(format!("no suggestion `{id}`")))?;
        let root = store.track_root(&commitment)?;
        self.require(store, &root)
    }
}
