//! The tracker as a server reads it: one page of commitments, one commitment, counts, one page
//! of pending suggestions; each with indexed queries (migration `0008_track_serve.sql`), never
//! the whole registry, evidence or reviews. Statuses, suggestions and overdue flags mean what
//! they mean in [`report`](crate::report), as of today.

use dyad_store::{
    BoardRow, EvidenceRow, Page, Paged, ReviewedEvidence, StatusRow, Store, TrackFilter,
};

use crate::Status;
use crate::registry::Tracked;
use crate::text::period_end;
use crate::tracker::{TrackError, Tracker, resolve_in, tracked_of};

/// A commitment on the board.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    pub tracked: Tracked,
    /// Still tracked on its own (not merged into another, not split).
    pub root: bool,
    /// The latest recorded status (of it and of those merged into it).
    pub status: Status,
    /// The status of the latest evidence not rejected (on one date, the strongest).
    pub suggested: Option<Status>,
    pub suggested_confidence: Option<f64>,
    /// Deadline passed, status not closed, no delivery evidence.
    pub overdue: bool,
    /// This commitment and those merged into it: whose evidence and history count.
    pub group: Vec<String>,
    /// The latest entry of the status history.
    pub last: Option<StatusRow>,
    /// How many documents state it (`tracked.sources` and `tracked.drift` are left empty: they
    /// grow with every restatement and the board is not about them).
    pub statements: u64,
}

/// Counts for the board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardSummary {
    pub total: u64,
    pub by_status: Vec<(String, u64)>,
    pub overdue: u64,
}

/// A pending suggestion and the commitment it is about (the one tracked: merges followed).
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub evidence: EvidenceRow,
    pub commitment_id: String,
    pub commitment_text: Option<String>,
    pub commitment_status: Option<Status>,
}

impl Tracker {
    /// One page of the commitments tracked on their own, by id.
    pub fn board(
        &self,
        store: &Store,
        filter: &TrackFilter,
        page: Page,
        today: &str,
    ) -> Result<Paged<Card>, TrackError> {
        let rows = store.track_board_page(filter, page)?;
        Ok(Paged {
            total: rows.total,
            items: rows
                .items
                .into_iter()
                .map(|r| self.card(store, r, today))
                .collect::<Result<_, _>>()?,
        })
    }

    /// One commitment by id or unique id prefix, merged or not; `None` when unknown.
    pub fn card_of(
        &self,
        store: &Store,
        key: &str,
        today: &str,
    ) -> Result<Option<Card>, TrackError> {
        let id = match resolve_in(store, key) {
            Ok(id) => id,
            Err(TrackError::NoCommitment(_)) => return Ok(None),
            Err(e) => return Err(e),
        };
        match store.track_board_row(&id)? {
            Some(row) => self.card(store, row, today).map(Some),
            None => Ok(None),
        }
    }

    fn card(&self, store: &Store, row: BoardRow, today: &str) -> Result<Card, TrackError> {
        let tracked = tracked_of(&dyad_store::CommitmentRow {
            id: row.id.clone(),
            data: row.data,
            merged_into: row.merged_into,
        })?;
        // A commitment merged into another keeps only its own rows; a root takes its group's.
        let group = if row.root {
            store.track_group(&row.id)?
        } else {
            vec![row.id.clone()]
        };
        // One merged into another or split is no longer tracked on its own.
        let status = if row.root {
            row.status.parse().unwrap_or(Status::NotYetRated)
        } else {
            Status::Superseded
        };
        let latest = store.track_latest_live_evidence(&group)?;
        let best = latest.iter().min_by(|a, b| {
            // The strongest (lowest rank) on the latest date; on a tie the latest seq.
            self.rank_of(&a.status)
                .cmp(&self.rank_of(&b.status))
                .then(b.seq.cmp(&a.seq))
        });
        let overdue = row.root
            && tracked
                .due
                .as_deref()
                .and_then(period_end)
                .is_some_and(|end| end.as_str() < today)
            && !self.rules.closed.contains(&status)
            && !store.track_has_live_evidence(&group, Status::Delivered.as_str())?;
        let last = store.track_history_of(&group, 1)?.pop();
        Ok(Card {
            statements: row.statements,
            root: row.root,
            status,
            suggested: best.and_then(|e| e.status.parse().ok()),
            suggested_confidence: best.map(|e| e.confidence),
            overdue,
            group,
            last,
            tracked,
        })
    }

    fn rank_of(&self, status: &str) -> usize {
        status.parse().map_or(usize::MAX, |s| self.rules.rank(s))
    }

    /// A card's evidence, newest first, a page of it, with the decisions taken.
    pub fn evidence_of(
        &self,
        store: &Store,
        card: &Card,
        page: Page,
    ) -> Result<Paged<ReviewedEvidence>, TrackError> {
        Ok(store.track_evidence_page(&card.group, page)?)
    }

    /// A card's status history, oldest first (the latest `max` entries).
    pub fn history_of(
        &self,
        store: &Store,
        card: &Card,
        max: usize,
    ) -> Result<Vec<StatusRow>, TrackError> {
        Ok(store.track_history_of(&card.group, max)?)
    }

    /// Counts by current status of the commitments tracked on their own, and how many are
    /// overdue on `today`.
    pub fn summary(&self, store: &Store, today: &str) -> Result<BoardSummary, TrackError> {
        let by_status = store.track_status_counts()?;
        let closed: Vec<String> = self
            .rules
            .closed
            .iter()
            .map(|s| s.as_str().to_string())
            .collect();
        let mut overdue = 0;
        for (id, due) in store.track_due_before(today, &closed)? {
            if period_end(&due).is_some_and(|end| end.as_str() < today)
                && !store
                    .track_has_live_evidence(&store.track_group(&id)?, Status::Delivered.as_str())?
            {
                overdue += 1;
            }
        }
        Ok(BoardSummary {
            total: by_status.iter().map(|(_, n)| n).sum(),
            by_status,
            overdue,
        })
    }

    /// One page of the suggestions nobody decided on, by date (of one commitment and those
    /// merged into it when `commitment` is given).
    pub fn suggestions(
        &self,
        store: &Store,
        commitment: Option<&str>,
        page: Page,
    ) -> Result<Paged<Suggestion>, TrackError> {
        let group = match commitment {
            Some(key) => Some(store.track_group(&store.track_root(&resolve_in(store, key)?)?)?),
            None => None,
        };
        let rows = store.track_pending_page(group.as_deref(), page)?;
        let mut items = Vec::with_capacity(rows.items.len());
        for e in rows.items {
            let root = store.track_root(&e.commitment_id)?;
            let board = store.track_board_row(&root)?;
            let text = match &board {
                Some(b) => Some(
                    tracked_of(&dyad_store::CommitmentRow {
                        id: b.id.clone(),
                        data: b.data.clone(),
                        merged_into: b.merged_into.clone(),
                    })?
                    .text,
                ),
                None => None,
            };
            items.push(Suggestion {
                commitment_status: board.and_then(|b| b.status.parse().ok()),
                commitment_text: text,
                commitment_id: root,
                evidence: e,
            });
        }
        Ok(Paged {
            total: rows.total,
            items,
        })
    }
}
