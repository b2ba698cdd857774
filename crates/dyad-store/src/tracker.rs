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

/// Filters of [`Store::track_board_page`]: exact values, holders and topics compared without
/// ASCII case.
#[derive(Debug, Clone, Default)]
pub struct TrackFilter {
    /// The current status.
    pub status: Option<String>,
    /// A topic id among the commitment's topics.
    pub topic: Option<String>,
    /// A holder name.
    pub holder: Option<String>,
}

/// A registry row with what the board keeps of it (migration `0008_track_serve.sql`).
#[derive(Debug, Clone, PartialEq)]
pub struct BoardRow {
    pub id: String,
    /// The registry record without its statements and drift (`sources` and `drift` are
    /// empty: see `statements`).
    pub data: String,
    /// How many statements the record has.
    pub statements: u64,
    pub merged_into: Option<String>,
    /// Still tracked on its own: not merged, not split.
    pub root: bool,
    pub due: Option<String>,
    /// The latest recorded status of the commitment and of those merged into it.
    pub status: String,
}

/// An evidence row and the decision taken on it, if any (`accepted` or `rejected`).
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewedEvidence {
    pub evidence: EvidenceRow,
    pub review: Option<String>,
}

const BOARD_COLUMNS: &str = "b.id, b.card, b.merged_into, b.root, b.due, b.status, b.statements";

fn board_row(r: &Row<'_>) -> rusqlite::Result<BoardRow> {
    Ok(BoardRow {
        id: r.get(0)?,
        data: r.get(1)?,
        merged_into: r.get(2)?,
        root: r.get(3)?,
        due: r.get(4)?,
        status: r.get(5)?,
        statements: u64::try_from(r.get::<_, i64>(6)?).unwrap_or(0),
    })
}

fn status_row(r: &Row<'_>) -> rusqlite::Result<StatusRow> {
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
}

const EVIDENCE_COLUMNS: &str = "e.seq, e.commitment_id, e.doc_id, e.input, e.sentence, e.date, \
     e.status, e.stance, e.cue, e.confidence";
const STATUS_COLUMNS: &str = "seq, commitment_id, status, at, recorded_at, by, confidence, note, \
     evidence_seq, evidence_doc, evidence_input, evidence_text";
/// Evidence not rejected by an analyst.
const LIVE: &str = "NOT EXISTS (SELECT 1 FROM track_reviews r WHERE r.evidence_seq = e.seq \
     AND r.decision = 'rejected')";

/// A list of ids as the JSON array the queries below read with `json_each`.
fn id_list(ids: &[String]) -> String {
    serde_json::Value::from(ids.to_vec()).to_string()
}

fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Store {
    /// One page of the commitments still tracked on their own (roots), by id, and how many
    /// match. Uses the board's indexes: no whole-table read.
    pub fn track_board_page(
        &self,
        f: &TrackFilter,
        page: crate::Page,
    ) -> Result<crate::Paged<BoardRow>, StoreError> {
        let mut cond = String::from("b.root = 1");
        let mut args: Vec<&str> = Vec::new();
        if let Some(s) = &f.status {
            args.push(s);
            cond.push_str(&format!(" AND b.status = ?{}", args.len()));
        }
        for (field, value) in [("holder", &f.holder), ("topic", &f.topic)] {
            if let Some(v) = value {
                args.push(v);
                cond.push_str(&format!(
                    " AND b.id IN (SELECT commitment_id FROM track_terms WHERE field = '{field}' \
                     AND value = ?{})",
                    args.len()
                ));
            }
        }
        let total: i64 = self
            .conn
            .prepare_cached(&format!("SELECT count(*) FROM track_board b WHERE {cond}"))?
            .query_row(rusqlite::params_from_iter(&args), |r| r.get(0))?;
        let lim = limit(page.limit).to_string();
        let off = limit(page.offset).to_string();
        let mut all: Vec<&str> = args.clone();
        all.push(&lim);
        all.push(&off);
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {BOARD_COLUMNS} FROM track_board b WHERE {cond} ORDER BY b.id \
             LIMIT ?{} OFFSET ?{}",
            args.len() + 1,
            args.len() + 2
        ))?;
        let items = stmt
            .query_map(rusqlite::params_from_iter(&all), board_row)?
            .collect::<Result<_, _>>()?;
        Ok(crate::Paged {
            total: u64::try_from(total).unwrap_or(0),
            items,
        })
    }

    /// One registry row (root or not) with its board columns.
    pub fn track_board_row(&self, id: &str) -> Result<Option<BoardRow>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {BOARD_COLUMNS} FROM track_board b WHERE b.id = ?1"
            ))?
            .query_row([id], board_row)
            .optional()?)
    }

    /// The registry ids equal to `key` or starting with it, at most `max` (an exact match alone).
    pub fn track_ids_like(&self, key: &str, max: usize) -> Result<Vec<String>, StoreError> {
        let key = key.trim();
        if key.is_empty() {
            return Ok(Vec::new());
        }
        let exact: Option<String> = self
            .conn
            .prepare_cached("SELECT id FROM track_commitments WHERE id = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?;
        if let Some(id) = exact {
            return Ok(vec![id]);
        }
        // Ids starting with `key` sort in [key, key + U+10FFFF) under BINARY collation.
        let upper = format!("{key}{}", char::MAX);
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM track_commitments WHERE id >= ?1 AND id < ?2 ORDER BY id LIMIT ?3",
        )?;
        let ids = stmt
            .query_map(params![key, upper, limit(max)], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(ids)
    }

    /// Follows `merged_into` from `id` to the commitment that is tracked (at most 32 steps).
    pub fn track_root(&self, id: &str) -> Result<String, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT merged_into FROM track_board WHERE id = ?1")?;
        let mut cur = id.to_string();
        for _ in 0..32 {
            let next: Option<Option<String>> = stmt.query_row([&cur], |r| r.get(0)).optional()?;
            match next.flatten() {
                Some(n) => cur = n,
                None => break,
            }
        }
        Ok(cur)
    }

    /// `root` and every commitment merged into it, directly or not.
    pub fn track_group(&self, root: &str) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "WITH RECURSIVE g(id, depth) AS (SELECT ?1, 0 UNION \
             SELECT c.id, g.depth + 1 FROM track_commitments c JOIN g ON c.merged_into = g.id \
             WHERE g.depth < 32) SELECT id FROM g",
        )?;
        let ids = stmt
            .query_map([root], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(ids)
    }

    /// Registry rows by id (missing ids are left out).
    pub fn track_commitments_by_id(
        &self,
        ids: &[String],
    ) -> Result<Vec<CommitmentRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, data, merged_into FROM track_commitments \
             WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id",
        )?;
        let rows = stmt.query_map([id_list(ids)], |r| {
            Ok(CommitmentRow {
                id: r.get(0)?,
                data: r.get(1)?,
                merged_into: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many roots have each current status.
    pub fn track_status_counts(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT status, count(*) FROM track_board WHERE root = 1 GROUP BY status ORDER BY status",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Roots with a deadline sorting before `before` and a status not in `settled`: the
    /// candidates for being overdue, `(id, due)`.
    pub fn track_due_before(
        &self,
        before: &str,
        settled: &[String],
    ) -> Result<Vec<(String, String)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, due FROM track_board WHERE root = 1 AND due IS NOT NULL AND due < ?1 \
             AND status NOT IN (SELECT value FROM json_each(?2)) ORDER BY id",
        )?;
        let rows = stmt.query_map(params![before, id_list(settled)], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The evidence of the commitments `group`, newest first (by date, then seq), a page of it,
    /// with the decisions taken; and how many there are.
    pub fn track_evidence_page(
        &self,
        group: &[String],
        page: crate::Page,
    ) -> Result<crate::Paged<ReviewedEvidence>, StoreError> {
        let ids = id_list(group);
        let total: i64 = self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM track_evidence WHERE commitment_id IN \
                 (SELECT value FROM json_each(?1))",
            )?
            .query_row([&ids], |r| r.get(0))?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {EVIDENCE_COLUMNS}, r.decision FROM track_evidence e \
             LEFT JOIN track_reviews r ON r.evidence_seq = e.seq \
             WHERE e.commitment_id IN (SELECT value FROM json_each(?1)) \
             ORDER BY e.date DESC, e.seq DESC LIMIT ?2 OFFSET ?3"
        ))?;
        let items = stmt
            .query_map(params![ids, limit(page.limit), limit(page.offset)], |r| {
                Ok(ReviewedEvidence {
                    evidence: evidence_row(r)?,
                    review: r.get(10)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(crate::Paged {
            total: u64::try_from(total).unwrap_or(0),
            items,
        })
    }

    /// The evidence of `group` not rejected and dated on the latest date any of it has.
    pub fn track_latest_live_evidence(
        &self,
        group: &[String],
    ) -> Result<Vec<EvidenceRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {EVIDENCE_COLUMNS} FROM track_evidence e \
             WHERE e.commitment_id IN (SELECT value FROM json_each(?1)) AND {LIVE} \
             AND e.date IS (SELECT max(e.date) FROM track_evidence e \
                            WHERE e.commitment_id IN (SELECT value FROM json_each(?1)) AND {LIVE}) \
             ORDER BY e.seq"
        ))?;
        let rows = stmt.query_map([id_list(group)], evidence_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Whether `group` has evidence suggesting `status` that was not rejected.
    pub fn track_has_live_evidence(
        &self,
        group: &[String],
        status: &str,
    ) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT EXISTS (SELECT 1 FROM track_evidence e WHERE e.commitment_id IN \
                 (SELECT value FROM json_each(?1)) AND e.status = ?2 AND {LIVE})"
            ))?
            .query_row(params![id_list(group), status], |r| r.get(0))?)
    }

    /// The status history of `group`, oldest first, at most the `limit` latest entries.
    pub fn track_history_of(
        &self,
        group: &[String],
        max: usize,
    ) -> Result<Vec<StatusRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT * FROM (SELECT {STATUS_COLUMNS} FROM track_status WHERE commitment_id IN \
             (SELECT value FROM json_each(?1)) ORDER BY seq DESC LIMIT ?2) ORDER BY seq"
        ))?;
        let rows = stmt.query_map(params![id_list(group), limit(max)], status_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One evidence row (a suggestion) and the decision taken on it.
    pub fn track_suggestion(&self, seq: i64) -> Result<Option<ReviewedEvidence>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {EVIDENCE_COLUMNS}, r.decision FROM track_evidence e \
                 LEFT JOIN track_reviews r ON r.evidence_seq = e.seq WHERE e.seq = ?1"
            ))?
            .query_row([seq], |r| {
                Ok(ReviewedEvidence {
                    evidence: evidence_row(r)?,
                    review: r.get(10)?,
                })
            })
            .optional()?)
    }

    /// One page of the suggestions nobody decided on, by date then seq (of `group` only when
    /// given), and how many there are.
    pub fn track_pending_page(
        &self,
        group: Option<&[String]>,
        page: crate::Page,
    ) -> Result<crate::Paged<EvidenceRow>, StoreError> {
        let pending = "NOT EXISTS (SELECT 1 FROM track_reviews r WHERE r.evidence_seq = e.seq)";
        let (total, items) = match group {
            None => {
                // Every review decides one evidence row: pending = evidence - reviews.
                let total: i64 = self.conn.query_row(
                    "SELECT (SELECT count(*) FROM track_evidence) - (SELECT count(*) FROM track_reviews)",
                    [],
                    |r| r.get(0),
                )?;
                let mut stmt = self.conn.prepare_cached(&format!(
                    "SELECT {EVIDENCE_COLUMNS} FROM track_evidence e INDEXED BY track_evidence_date \
                     WHERE {pending} ORDER BY e.date, e.seq LIMIT ?1 OFFSET ?2"
                ))?;
                let items = stmt
                    .query_map(params![limit(page.limit), limit(page.offset)], evidence_row)?
                    .collect::<Result<Vec<_>, _>>()?;
                (total, items)
            }
            Some(g) => {
                let ids = id_list(g);
                let total: i64 = self
                    .conn
                    .prepare_cached(&format!(
                        "SELECT count(*) FROM track_evidence e WHERE e.commitment_id IN \
                         (SELECT value FROM json_each(?1)) AND {pending}"
                    ))?
                    .query_row([&ids], |r| r.get(0))?;
                let mut stmt = self.conn.prepare_cached(&format!(
                    "SELECT {EVIDENCE_COLUMNS} FROM track_evidence e WHERE e.commitment_id IN \
                     (SELECT value FROM json_each(?1)) AND {pending} ORDER BY e.date, e.seq \
                     LIMIT ?2 OFFSET ?3"
                ))?;
                let items = stmt
                    .query_map(
                        params![ids, limit(page.limit), limit(page.offset)],
                        evidence_row,
                    )?
                    .collect::<Result<Vec<_>, _>>()?;
                (total, items)
            }
        };
        Ok(crate::Paged {
            total: u64::try_from(total).unwrap_or(0),
            items,
        })
    }

    /// How many stored documents have a seq above `seq` (the tracker's high-water mark).
    pub fn track_documents_after(&self, seq: i64) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM documents WHERE seq > ?1")?
            .query_row([seq], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The seq of the latest audit log entry (0 when empty): changes whenever the tracker
    /// writes anything.
    pub fn track_audit_mark(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM track_audit", [], |r| {
                r.get(0)
            })?)
    }
}
