//! Where the commitments endpoints get their data: the [`CommitmentSource`] trait and the
//! records it answers with. The implementation is [`TrackedCommitments`](crate::track), the
//! commitment tracker's registry (`dyad-track`).
//!
//! A record follows the tracker's export line (`{id, holders[], text, topic, amount, due,
//! status, suggested_status, overdue, ...}`). Lists give each commitment without its evidence
//! and history (`evidence_total` and `last_status` instead); one commitment comes with a page of
//! its evidence, newest first, and its history. Evidence items link the sentence in the article:
//! `doc_id` plus `start`/`end`, **UTF-8 byte offsets** into the document's `text` (what the
//! dashboard's reader highlights), `null` when the sentence is the title or not found.

use dyad_store::{Page, Paged, Store, TrackFilter};
use serde::Serialize;

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

/// Where a commitment was first stated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stated {
    pub doc_id: String,
    pub input: String,
    pub date: Option<String>,
    pub text: String,
    /// Byte offsets of the statement in the document's `text`.
    pub start: Option<u64>,
    pub end: Option<u64>,
}

/// One piece of evidence: a sentence of a document about the commitment, and the status it
/// suggests.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// The suggestion's id (`s12`): `POST /suggestions/s12/accept`.
    pub suggestion: String,
    /// The document (`/api/v1/documents/{doc_id}`).
    pub doc_id: String,
    pub input: String,
    pub title: Option<String>,
    pub text: String,
    pub date: Option<String>,
    pub stance: String,
    /// The status it suggests.
    pub status: String,
    pub cue: String,
    pub confidence: f64,
    /// `pending`, `accepted` or `rejected`.
    pub review: String,
    /// Byte offsets of the sentence in the document's `text`; `null` when not found there
    /// (the title, or a document no longer stored).
    pub start: Option<u64>,
    pub end: Option<u64>,
}

/// The evidence an entry of the history rests on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEvidence {
    pub doc_id: String,
    pub input: Option<String>,
    pub text: Option<String>,
    pub suggestion: Option<String>,
    pub start: Option<u64>,
    pub end: Option<u64>,
}

/// One entry of a commitment's status history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    pub status: String,
    /// The date the evidence speaks for.
    pub at: Option<String>,
    pub recorded_at: String,
    /// `dyad` (an accepted suggestion) or `analyst:<token name>`.
    pub by: String,
    pub confidence: Option<f64>,
    pub note: Option<String>,
    pub evidence: Option<HistoryEvidence>,
}

/// A commitment as the API serves it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommitmentRecord {
    pub id: String,
    pub holders: Vec<String>,
    pub kind: String,
    pub text: String,
    pub topic: Option<String>,
    pub topics: Vec<String>,
    pub amount: Option<String>,
    pub due: Option<String>,
    pub strength: Option<String>,
    pub legal_force: Option<String>,
    /// The latest recorded status; `superseded` when merged into another or split.
    pub status: String,
    /// What dyad suggests from the evidence not rejected.
    pub suggested_status: Option<String>,
    pub suggested_confidence: Option<f64>,
    pub overdue: bool,
    pub merged_into: Option<String>,
    pub merged: Vec<String>,
    pub split_into: Vec<String>,
    pub first_stated: Stated,
    /// How many documents state it (the first included).
    pub statements: u64,
    pub evidence_total: u64,
    pub last_status: Option<HistoryEntry>,
    /// One commitment only: a page of its evidence, newest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Vec<Evidence>>,
    /// One commitment only: its status history, oldest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<HistoryEntry>>,
}

/// Counts for the commitments board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitmentSummary {
    /// Commitments tracked on their own (not merged, not split).
    pub total: u64,
    pub by_status: Vec<StatusCount>,
    pub overdue: u64,
    pub registry: RegistryState,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusCount {
    pub status: String,
    pub count: u64,
}

/// How far the registry is behind the stored documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegistryState {
    /// The highest document seq the tracker has read.
    pub matched_seq: i64,
    /// Stored documents it has not read yet.
    pub behind: u64,
    /// What to run to catch up, when behind.
    pub hint: Option<String>,
}

/// A suggested status change waiting for an analyst.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuggestionRecord {
    /// `s12`.
    pub id: String,
    pub commitment_id: String,
    pub commitment_text: Option<String>,
    pub commitment_status: Option<String>,
    /// The status it suggests.
    pub status: String,
    pub confidence: f64,
    pub cue: String,
    pub stance: String,
    pub doc_id: String,
    pub input: String,
    pub text: String,
    pub date: Option<String>,
}

/// What an analyst's status rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusEvidence {
    None,
    /// A stored document and a sentence of it (in its title or text).
    Document {
        doc_id: String,
        sentence: String,
    },
    /// A suggestion (`s12`): its document and sentence.
    Suggestion(String),
}

/// The commitments behind the API. Reads get a shared store, writes a mutable one; `by` is
/// who made the write (`analyst:<token name>`).
pub trait CommitmentSource: Send + Sync {
    fn list(
        &self,
        store: &Store,
        filter: &TrackFilter,
        page: Page,
    ) -> Result<Paged<CommitmentRecord>, ApiError>;
    /// One commitment with a page of its evidence and its history.
    fn get(
        &self,
        store: &Store,
        id: &str,
        evidence: Page,
    ) -> Result<Option<CommitmentRecord>, ApiError>;
    fn summary(&self, store: &Store) -> Result<CommitmentSummary, ApiError>;
    /// Appends a status; every status but `not_yet_rated` needs evidence (422 without).
    fn set_status(
        &self,
        store: &mut Store,
        id: &str,
        status: &str,
        evidence: &StatusEvidence,
        by: &str,
        note: Option<&str>,
    ) -> Result<CommitmentRecord, ApiError>;
    /// Merges `ids` into `into`: their evidence and history count for `into` from then on.
    fn merge(
        &self,
        store: &mut Store,
        ids: &[String],
        into: &str,
        by: &str,
        note: Option<&str>,
    ) -> Result<CommitmentRecord, ApiError>;
    /// Suggestions waiting for review, by date (of one commitment when given).
    fn suggestions(
        &self,
        store: &Store,
        commitment: Option<&str>,
        page: Page,
    ) -> Result<Paged<SuggestionRecord>, ApiError>;
    /// Accepts or rejects a suggestion; answers the commitment it is about.
    fn review_suggestion(
        &self,
        store: &mut Store,
        id: &str,
        accept: bool,
        by: &str,
        note: Option<&str>,
    ) -> Result<CommitmentRecord, ApiError>;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_statuses_are_the_trackers() {
        let tracker: Vec<&str> = dyad_track::Status::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(STATUSES, tracker.as_slice());
        assert!(check_status("delivered").is_ok());
        assert_eq!(
            check_status("finished").map_err(|e| e.code),
            Err("unprocessable")
        );
    }
}
