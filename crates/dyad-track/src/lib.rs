//! The commitment tracker: from promise to delivery, with evidence.
//!
//! * [`registry`] builds the registry of tracked commitments from the commitments extracted
//!   from stored documents, merging restatements of one commitment (a fact sheet and the
//!   articles that report it) and recording drift when a later text changes or drops one.
//! * [`matcher`] reads every sentence of each newly stored document and links it to the
//!   commitments it speaks about (shared topic, amounts, holders, words) when it carries an
//!   action cue ("passed", "threatened", "struck down", 통과, 위협...); each link is a suggested
//!   status change with its evidence sentence.
//! * [`tracker`] keeps all of this in the store: the status history is never overwritten,
//!   every change goes to an append-only audit log, and an analyst accepts or rejects
//!   suggestions or sets statuses with a note.
//! * [`report`] evaluates statuses as of a date (overdue flags) and scores compliance the way
//!   the G7 Research Group does.
//!
//! Topics, cues and rules are data: `data/track/*.toml`.
//!
//! # Statuses and how they map to other trackers
//!
//! | dyad | PolitiFact meter | G7 Research Group score |
//! |---|---|---|
//! | `not_yet_rated` | Not Yet Rated | not scored |
//! | `not_started` | Not Yet Rated (no action) | −1 |
//! | `in_progress` | In the Works | 0 |
//! | `stalled` | Stalled | 0 (−1 once overdue) |
//! | `at_risk` | In the Works / Stalled (a threat, not enacted) | 0 |
//! | `partially_delivered` | Compromise | 0 |
//! | `delivered` | Promise Kept | +1 |
//! | `modified` | Compromise | 0 |
//! | `reversed` | Promise Broken | −1 |
//! | `voided` | Promise Broken | −1 |
//! | `superseded` | (not rated) | not scored |
//! | `unverifiable` | (not rated) | not scored |
//!
//! Any commitment past its deadline without delivery scores −1. The percentage is
//! `(mean + 1) / 2 × 100`.

pub mod board;
pub mod matcher;
pub mod registry;
pub mod report;
pub mod rules;
pub mod text;
pub mod tracker;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use board::{BoardSummary, Card, Suggestion};
pub use registry::{Drift, Statement, Tracked};
pub use report::{Compliance, ComplianceRow, View};
pub use rules::{Rules, RulesError};
pub use tracker::{StatusEvidence, TrackError, Tracker, UpdateReport};

/// The status of a tracked commitment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    NotYetRated,
    NotStarted,
    InProgress,
    Stalled,
    AtRisk,
    PartiallyDelivered,
    Delivered,
    Modified,
    Reversed,
    Voided,
    Superseded,
    Unverifiable,
}

impl Status {
    pub const ALL: [Status; 12] = [
        Status::NotYetRated,
        Status::NotStarted,
        Status::InProgress,
        Status::Stalled,
        Status::AtRisk,
        Status::PartiallyDelivered,
        Status::Delivered,
        Status::Modified,
        Status::Reversed,
        Status::Voided,
        Status::Superseded,
        Status::Unverifiable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotYetRated => "not_yet_rated",
            Status::NotStarted => "not_started",
            Status::InProgress => "in_progress",
            Status::Stalled => "stalled",
            Status::AtRisk => "at_risk",
            Status::PartiallyDelivered => "partially_delivered",
            Status::Delivered => "delivered",
            Status::Modified => "modified",
            Status::Reversed => "reversed",
            Status::Voided => "voided",
            Status::Superseded => "superseded",
            Status::Unverifiable => "unverifiable",
        }
    }

    /// The closest rating on PolitiFact's promise meters.
    pub fn politifact(self) -> &'static str {
        match self {
            Status::NotYetRated | Status::NotStarted => "Not Yet Rated",
            Status::InProgress | Status::AtRisk => "In the Works",
            Status::Stalled => "Stalled",
            Status::PartiallyDelivered | Status::Modified => "Compromise",
            Status::Delivered => "Promise Kept",
            Status::Reversed | Status::Voided => "Promise Broken",
            Status::Superseded | Status::Unverifiable => "Not Rated",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Status, String> {
        let norm = s.trim().to_lowercase().replace(['-', ' '], "_");
        Status::ALL
            .into_iter()
            .find(|st| st.as_str() == norm)
            .ok_or_else(|| {
                format!(
                    "unknown status {s:?}; one of: {}",
                    Status::ALL.map(Status::as_str).join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests;
