//! The tracker's tables (migration `0004_tracker.sql`): the commitment registry, evidence rows
//! (each one a suggested status change), the append-only status history, review decisions and
//! audit log, and the tracker's key/value state. The tracker's logic lives in `dyad-track`; this
//! module only moves rows. Writes go through a [`TrackTx`], one transaction per batch.

use rusqlite::{OptionalExtension, Row, Transaction, TransactionBehavior, params};

use crate::{Store, StoreError};

/// A registry row: the record itself is JSON owned by `dyad-track`.
#[derive(Debug, Clone, PartialEq)]
pub struct CommitmentRow {
    pub id: String,
    pub data: String,
    pub merged_into: Option<String>,
}

/// A sentence matched against a commitment, with the status it suggests.
#[derive(Debug, Clone, PartialEq)]
pub struct EvidenceRow {
    /// Assigned by the store; ignored on insert.
    pub seq: i64,
    pub commitment_id: String,
    pub doc_id: String,
    pub input: String,
    pub sentence: String,
    pub date: Option<String>,
    pub status: String,
    pub stance: String,
    pub cue: String,
    pub confidence: f64,
}

/// One entry of the status history.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusRow {
    /// Assigned by the store; ignored on insert.
    pub seq: i64,
    pub commitment_id: String,
    pub status: String,
    pub at: Option<String>,
    /// Assigned by the store; ignored on insert.
    pub recorded_at: String,
    pub by: String,
    pub confidence: Option<f64>,
    pub note: Option<String>,
    pub evidence_seq: Option<i64>,
    pub evidence_doc: Option<String>,
    pub evidence_input: Option<String>,
    pub evidence_text: Option<String>,
}

/// An analyst's decision on a suggestion.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewRow {
    pub evidence_seq: i64,
    pub decision: String,
    pub by: String,
    pub note: Option<String>,
    pub at: String,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub commitment_id: Option<String>,
    pub detail: String,
}

impl Store {
    /// Runs `f` inside one IMMEDIATE transaction; commits when it returns `Ok`.
    pub fn track_write<T, E>(
        &mut self,
        f: impl FnOnce(&TrackTx<'_>) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let out = f(&TrackTx { tx: &tx })?;
        tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    /// Every registry row, by id.
    pub fn track_commitments(&self) -> Result<Vec<CommitmentRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, data, merged_into FROM track_commitments ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok(CommitmentRow {
                id: r.get(0)?,
                data: r.get(1)?,
                merged_into: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every evidence row, in insertion order.
    pub fn track_evidence(&self) -> Result<Vec<EvidenceRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, commitment_id, doc_id, input, sentence, date, status, stance, cue, \
             confidence FROM track_evidence ORDER BY seq",
        )?;
        let rows = stmt.query_map([], evidence_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The whole status history, in order.
    pub fn track_statuses(&self) -> Result<Vec<StatusRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, commitment_id, status, at, recorded_at, by, confidence, note, \
             evidence_seq, evidence_doc, evidence_input, evidence_text FROM track_status \
             ORDER BY seq",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(StatusRow {
                seq: r.get(0)?,
                commitment_id: r.get(1)?,
                status: r.get(2)?,
                at: r.get(3)?,
                recorded_at: r.get(4)?,
                by: r.get(5)?,
                confidence: r.get(6)?,
                note: r.get(7)?,
                evidence_seq: r.get(8)?,
                evidence_doc: r.get(9)?,
                evidence_input: r.get(10)?,
                evidence_text: r.get(11)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every review decision.
    pub fn track_reviews(&self) -> Result<Vec<ReviewRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT evidence_seq, decision, by, note, at FROM track_reviews ORDER BY evidence_seq",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(ReviewRow {
                evidence_seq: r.get(0)?,
                decision: r.get(1)?,
                by: r.get(2)?,
                note: r.get(3)?,
                at: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The audit log, in order.
    pub fn track_audit_log(&self) -> Result<Vec<AuditRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, at, actor, action, commitment_id, detail FROM track_audit ORDER BY seq",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(AuditRow {
                seq: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                action: r.get(3)?,
                commitment_id: r.get(4)?,
                detail: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A tracker state value.
    pub fn track_state(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM track_state WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Runs raw SQL against the tracker tables. For tests of the append-only triggers only.
    #[doc(hidden)]
    pub fn track_execute_raw(&self, sql: &str) -> Result<usize, StoreError> {
        Ok(self.conn.execute(sql, [])?)
    }
}

fn evidence_row(r: &Row<'_>) -> rusqlite::Result<EvidenceRow> {
    Ok(EvidenceRow {
        seq: r.get(0)?,
        commitment_id: r.get(1)?,
        doc_id: r.get(2)?,
        input: r.get(3)?,
        sentence: r.get(4)?,
        date: r.get(5)?,
        status: r.get(6)?,
        stance: r.get(7)?,
        cue: r.get(8)?,
        confidence: r.get(9)?,
    })
}

/// Writes to the tracker tables inside one transaction (see [`Store::track_write`]).
pub struct TrackTx<'a> {
    tx: &'a Transaction<'a>,
}

impl TrackTx<'_> {
    /// Inserts or replaces a registry row.
    pub fn put_commitment(&self, row: &CommitmentRow) -> Result<(), StoreError> {
        self.tx.execute(
            "INSERT INTO track_commitments (id, data, merged_into) VALUES (?1, ?2, ?3) \
             ON CONFLICT (id) DO UPDATE SET data = excluded.data, \
             merged_into = excluded.merged_into, \
             updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
            params![row.id, row.data, row.merged_into],
        )?;
        Ok(())
    }

    /// Adds an evidence row; `None` when the same (commitment, document, sentence) is known.
    pub fn add_evidence(&self, e: &EvidenceRow) -> Result<Option<i64>, StoreError> {
        let n = self.tx.execute(
            "INSERT OR IGNORE INTO track_evidence (commitment_id, doc_id, input, sentence, date, \
             status, stance, cue, confidence) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                e.commitment_id,
                e.doc_id,
                e.input,
                e.sentence,
                e.date,
                e.status,
                e.stance,
                e.cue,
                e.confidence
            ],
        )?;
        Ok((n == 1).then(|| self.tx.last_insert_rowid()))
    }

    /// Appends to the status history; returns its seq.
    pub fn add_status(&self, s: &StatusRow) -> Result<i64, StoreError> {
        self.tx.execute(
            "INSERT INTO track_status (commitment_id, status, at, by, confidence, note, \
             evidence_seq, evidence_doc, evidence_input, evidence_text) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                s.commitment_id,
                s.status,
                s.at,
                s.by,
                s.confidence,
                s.note,
                s.evidence_seq,
                s.evidence_doc,
                s.evidence_input,
                s.evidence_text
            ],
        )?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Records a decision on a suggestion. Fails if it was already decided.
    pub fn add_review(&self, r: &ReviewRow) -> Result<(), StoreError> {
        self.tx.execute(
            "INSERT INTO track_reviews (evidence_seq, decision, by, note) VALUES (?1, ?2, ?3, ?4)",
            params![r.evidence_seq, r.decision, r.by, r.note],
        )?;
        Ok(())
    }

    /// Appends to the audit log.
    pub fn audit(
        &self,
        actor: &str,
        action: &str,
        commitment_id: Option<&str>,
        detail: &str,
    ) -> Result<(), StoreError> {
        self.tx.execute(
            "INSERT INTO track_audit (actor, action, commitment_id, detail) VALUES (?1, ?2, ?3, ?4)",
            params![actor, action, commitment_id, detail],
        )?;
        Ok(())
    }

    /// Sets a tracker state value.
    pub fn set_state(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.tx.execute(
            "INSERT INTO track_state (key, value) VALUES (?1, ?2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }
}
