-- dyad store, tracker schema: the commitment registry, evidence (each row also a suggested status
-- change), the status history, review decisions and the audit log. The history, the review
-- decisions and the audit log are append-only: triggers reject UPDATE and DELETE on them.

-- One tracked commitment. `data` is the registry record as JSON (holders, text, topic, amount,
-- due, first statement, sources, restatements, drift...). `merged_into` is set when an analyst
-- merged it into another commitment; `split_into` lists the parts it was split into.
CREATE TABLE track_commitments (
    id          TEXT PRIMARY KEY NOT NULL,
    data        TEXT NOT NULL CHECK (json_valid(data)),
    merged_into TEXT REFERENCES track_commitments (id),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) WITHOUT ROWID;

-- A sentence of a stored document matched against a commitment, and the status it suggests.
CREATE TABLE track_evidence (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    commitment_id TEXT NOT NULL REFERENCES track_commitments (id),
    doc_id        TEXT NOT NULL,
    input         TEXT NOT NULL,
    sentence      TEXT NOT NULL,
    date          TEXT,
    status        TEXT NOT NULL,
    stance        TEXT NOT NULL,
    cue           TEXT NOT NULL,
    confidence    REAL NOT NULL,
    found_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (commitment_id, doc_id, sentence)
);
CREATE INDEX track_evidence_commitment ON track_evidence (commitment_id, date);

-- The status history: never overwritten. Every status but not_yet_rated carries evidence.
CREATE TABLE track_status (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    commitment_id  TEXT NOT NULL REFERENCES track_commitments (id),
    status         TEXT NOT NULL,
    at             TEXT,              -- the date the evidence speaks for
    recorded_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    by             TEXT NOT NULL,     -- 'dyad' or 'analyst:<name>'
    confidence     REAL,              -- dyad's confidence when dyad suggested it
    note           TEXT,
    evidence_seq   INTEGER REFERENCES track_evidence (seq),
    evidence_doc   TEXT,
    evidence_input TEXT,
    evidence_text  TEXT,
    CHECK (status = 'not_yet_rated' OR (evidence_doc IS NOT NULL AND evidence_text IS NOT NULL))
);
CREATE INDEX track_status_commitment ON track_status (commitment_id, seq);

-- An analyst's decision on one suggestion (an evidence row): taken once, never changed.
CREATE TABLE track_reviews (
    evidence_seq INTEGER PRIMARY KEY REFERENCES track_evidence (seq),
    decision     TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected')),
    by           TEXT NOT NULL,
    note         TEXT,
    at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Every change the tracker makes, in order.
CREATE TABLE track_audit (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    at            TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    actor         TEXT NOT NULL,
    action        TEXT NOT NULL,
    commitment_id TEXT,
    detail        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail))
);

-- Key/value state of the tracker, e.g. the highest document seq already matched.
CREATE TABLE track_state (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER track_status_no_update BEFORE UPDATE ON track_status
BEGIN SELECT RAISE(ABORT, 'track_status is append-only'); END;
CREATE TRIGGER track_status_no_delete BEFORE DELETE ON track_status
BEGIN SELECT RAISE(ABORT, 'track_status is append-only'); END;
CREATE TRIGGER track_reviews_no_update BEFORE UPDATE ON track_reviews
BEGIN SELECT RAISE(ABORT, 'track_reviews is append-only'); END;
CREATE TRIGGER track_reviews_no_delete BEFORE DELETE ON track_reviews
BEGIN SELECT RAISE(ABORT, 'track_reviews is append-only'); END;
CREATE TRIGGER track_audit_no_update BEFORE UPDATE ON track_audit
BEGIN SELECT RAISE(ABORT, 'track_audit is append-only'); END;
CREATE TRIGGER track_audit_no_delete BEFORE DELETE ON track_audit
BEGIN SELECT RAISE(ABORT, 'track_audit is append-only'); END;
CREATE TRIGGER track_evidence_no_delete BEFORE DELETE ON track_evidence
BEGIN SELECT RAISE(ABORT, 'track_evidence is append-only'); END;
CREATE TRIGGER track_evidence_no_update BEFORE UPDATE ON track_evidence
BEGIN SELECT RAISE(ABORT, 'track_evidence is append-only'); END;
