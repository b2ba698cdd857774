//! Where the commitments endpoints get their data: the [`CommitmentSource`] trait, so the
//! commitment tracker (`dyad-track`) can be plugged in, and [`DocCommitments`], which serves
//! the commitments extracted from documents, their status kept in the store's review log.
//!
//! Records have the tracker's export shape: `{id, holders[], text, topic, amount, due, status,
//! overdue, evidence[{input, text, date, stance}], history[{status, at, by, note}]}`, plus
//! `kind`, `strength` and, in each evidence item, `doc_id`/`start`/`end` to link the sentence
//! in the article.

use dyad_store::{CommitmentFilter, DocCommitmentRow, NewReview, Page, Paged, Store};
use serde::Serialize;
use serde_json::Value;

use crate::error::ApiError;

/// The statuses a tracked commitment can have.
pub const STATUSES: &[&str] = &[
    "not_yet_rated",
    "not_started",
    "in_progress",
    "stalled",
    "at_risk",
    "partially_delivered",
    "delivered",
    "modified",
    "reversed",
    "voided",
    "superseded",
    "unverifiable",
];

/// Statuses after which a commitment can no longer be overdue.
const SETTLED: &[&str] = &[
    "delivered",
    "reversed",
    "voided",
    "superseded",
    "modified",
    "unverifiable",
];

/// One piece of evidence: the sentence of a document that states or updates a commitment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// The document the sentence is in (its id: `/api/v1/documents/{input}`).
    pub input: String,
    pub doc_id: String,
    pub title: Option<String>,
    pub text: String,
    pub date: Option<String>,
    /// What the evidence does to the commitment: `states` for the sentence it was found in.
    pub stance: String,
    /// Byte offsets of the sentence in the document's `text`.
    pub start: Option<u64>,
    pub end: Option<u64>,
}

/// One entry of a commitment's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    pub status: String,
    pub at: String,
    pub by: String,
    pub note: Option<String>,
}

/// A commitment as the API serves it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommitmentRecord {
    pub id: String,
    pub holders: Vec<String>,
    pub kind: Option<String>,
    pub text: String,
    pub topic: Option<String>,
    pub amount: Option<String>,
    pub due: Option<String>,
    pub strength: Option<String>,
    pub status: String,
    pub overdue: bool,
    pub evidence: Vec<Evidence>,
    pub history: Vec<HistoryEntry>,
}

/// Counts for the commitments board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitmentSummary {
    pub total: u64,
    pub by_status: Vec<StatusCount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusCount {
    pub status: String,
    pub count: u64,
}

/// The commitments behind the API. Reads get a shared store, writes a mutable one; `by` is
/// the name of the token that authorised the write.
pub trait CommitmentSource: Send + Sync {
    fn list(
        &self,
        store: &Store,
        filter: &CommitmentFilter,
        page: Page,
    ) -> Result<Paged<CommitmentRecord>, ApiError>;
    fn get(&self, store: &Store, id: &str) -> Result<Option<CommitmentRecord>, ApiError>;
    fn summary(&self, store: &Store) -> Result<CommitmentSummary, ApiError>;
    fn set_status(
        &self,
        store: &mut Store,
        id: &str,
        status: &str,
        by: &str,
        note: Option<&str>,
    ) -> Result<CommitmentRecord, ApiError>;
    /// Merges `ids` into `into`: the others become `superseded`, their history says by what.
    fn merge(
        &self,
        store: &mut Store,
        ids: &[String],
        into: &str,
        by: &str,
        note: Option<&str>,
    ) -> Result<CommitmentRecord, ApiError>;
    /// Suggestions waiting for review.
    fn suggestions(&self, store: &Store, page: Page) -> Result<Paged<Value>, ApiError>;
    fn review_suggestion(
        &self,
        store: &mut Store,
        id: &str,
        accept: bool,
        by: &str,
        note: Option<&str>,
    ) -> Result<Value, ApiError>;
}

/// Whether a commitment due `due` (ISO date at any precision) is overdue on `today`
/// (`YYYY-MM-DD`) with this status: the whole period named has passed and it is not settled.
pub fn is_overdue(due: Option<&str>, status: &str, today: &str) -> bool {
    let Some(due) = due.map(str::trim).filter(|d| !d.is_empty()) else {
        return false;
    };
    if SETTLED.contains(&status) || !due.as_bytes()[0].is_ascii_digit() {
        return false;
    }
    // A period ends after every date inside it: "2025-06" < "2025-06-30" < "2025-06\u{10FFFF}".
    today > format!("{due}{}", char::MAX).as_str()
}

fn today() -> String {
    chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string()
}

/// Commitments extracted from the documents of the store.
#[derive(Debug, Default, Clone, Copy)]
pub struct DocCommitments;

impl DocCommitments {
    fn record(&self, store: &Store, row: DocCommitmentRow) -> Result<CommitmentRecord, ApiError> {
        let r = &row.located.record;
        let s = |k: &str| r.get(k).and_then(Value::as_str).map(str::to_string);
        let n = |k: &str| r.get(k).and_then(Value::as_u64);
        let holders = r
            .get("holders")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let history = store
            .reviews_of(&row.id)?
            .into_iter()
            .filter_map(|e| {
                let note = match (&e.into, e.note) {
                    (Some(into), Some(n)) => Some(format!("merged into {into}: {n}")),
                    (Some(into), None) => Some(format!("merged into {into}")),
                    (None, n) => n,
                };
                Some(HistoryEntry {
                    status: e.status?,
                    at: e.at,
                    by: e.by,
                    note,
                })
            })
            .collect();
        let due = s("due");
        Ok(CommitmentRecord {
            overdue: is_overdue(due.as_deref(), &row.status, &today()),
            id: row.id.clone(),
            holders,
            kind: s("kind"),
            text: s("text").unwrap_or_default(),
            topic: s("topic"),
            amount: s("amount"),
            due,
            strength: s("strength"),
            status: row.status.clone(),
            evidence: vec![Evidence {
                input: row.located.doc_id.clone(),
                doc_id: row.located.doc_id.clone(),
                title: row.located.doc_title.clone(),
                text: s("text").unwrap_or_default(),
                date: row.located.published.clone(),
                stance: "states".into(),
                start: n("start"),
                end: n("end"),
            }],
            history,
        })
    }

    fn require(&self, store: &Store, id: &str) -> Result<DocCommitmentRow, ApiError> {
        store
            .commitment(id)?
            .ok_or_else(|| ApiError::not_found(format!("no commitment `{id}`")))
    }
}

/// Checks a status against [`STATUSES`].
pub fn check_status(status: &str) -> Result<(), ApiError> {
    if STATUSES.contains(&status) {
        Ok(())
    } else {
        Err(ApiError::unprocessable(format!(
            "unknown status `{status}`; expected one of: {}",
            STATUSES.join(", ")
        )))
    }
}

impl CommitmentSource for DocCommitments {
    fn list(
        &self,
        store: &Store,
        filter: &CommitmentFilter,
        page: Page,
    ) -> Result<Paged<CommitmentRecord>, ApiError> {
        let rows = store.commitments_page(filter, page)?;
        Ok(Paged {
            total: rows.total,
            items: rows
                .items
                .into_iter()
                .map(|r| self.record(store, r))
                .collect::<Result<_, _>>()?,
        })
    }

    fn get(&self, store: &Store, id: &str) -> Result<Option<CommitmentRecord>, ApiError> {
        store
            .commitment(id)?
            .map(|r| self.record(store, r))
            .transpose()
    }

    fn summary(&self, store: &Store) -> Result<CommitmentSummary, ApiError> {
        let counts = store.commitment_status_counts()?;
        Ok(CommitmentSummary {
            total: counts.iter().map(|(_, n)| n).sum(),
            by_status: counts
                .into_iter()
                .map(|(status, count)| StatusCount { status, count })
                .collect(),
        })
    }

    fn set_status(
        &self,
        store: &mut Store,
        id: &str,
        status: &str,
        by: &str,
        note: Option<&str>,
    ) -> Result<CommitmentRecord, ApiError> {
        check_status(status)?;
        self.require(store, id)?;
        store.append_review(&NewReview {
            by,
            action: "status",
            target: id,
            status: Some(status),
            into: None,
            note,
        })?;
        let row = self.require(store, id)?;
        self.record(store, row)
    }

    fn merge(
        &self,
        store: &mut Store,
        ids: &[String],
        into: &str,
        by: &str,
        note: Option<&str>,
    ) -> Result<CommitmentRecord, ApiError> {
        self.require(store, into)?;
        let others: Vec<&String> = ids.iter().filter(|i| i.as_str() != into).collect();
        if others.is_empty() {
            return Err(ApiError::unprocessable(
                "nothing to merge: `ids` must name commitments other than `into`",
            ));
        }
        for id in &others {
            self.require(store, id)?;
        }
        for id in others {
            store.append_review(&NewReview {
                by,
                action: "merge",
                target: id,
                status: Some("superseded"),
                into: Some(into),
                note,
            })?;
        }
        let row = self.require(store, into)?;
        self.record(store, row)
    }

    fn suggestions(&self, _store: &Store, page: Page) -> Result<Paged<Value>, ApiError> {
        let _ = page;
        // Documents carry no suggestions: the tracker makes them.
        Ok(Paged {
            total: 0,
            items: Vec::new(),
        })
    }

    fn review_suggestion(
        &self,
        _store: &mut Store,
        id: &str,
        _accept: bool,
        _by: &str,
        _note: Option<&str>,
    ) -> Result<Value, ApiError> {
        Err(ApiError::not_found(format!("no suggestion `{id}`")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overdue_needs_the_whole_period_past_and_an_open_status() {
        let today = "2025-07-01";
        assert!(is_overdue(Some("2025-06"), "in_progress", today));
        assert!(is_overdue(Some("2025-06-30"), "not_yet_rated", today));
        assert!(!is_overdue(Some("2025-07"), "in_progress", today));
        assert!(!is_overdue(Some("2025"), "in_progress", today));
        assert!(is_overdue(Some("2024"), "stalled", today));
        assert!(!is_overdue(Some("2024"), "delivered", today));
        assert!(!is_overdue(None, "in_progress", today));
        assert!(!is_overdue(Some("soon"), "in_progress", today));
    }
}
