-- dyad store: what `dyad serve` needs.
-- * API tokens (only their BLAKE3 hash is kept) for the analyst's writes;
-- * an append-only review log of those writes (commitment statuses, merges, suggestion reviews);
-- * per-document rows for the extraction arrays the API queries across documents (events,
--   quotes, commitments, topics), derived from the JSON columns of `documents` and indexed.

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    revoked_at TEXT
);

CREATE TABLE review_log (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    by      TEXT NOT NULL,
    action  TEXT NOT NULL,   -- status | merge | accept | reject
    target  TEXT NOT NULL,   -- a commitment or suggestion id
    status  TEXT,
    into_id TEXT,
    note    TEXT
);
CREATE INDEX review_log_target ON review_log (target, id);

CREATE TABLE doc_events (
    doc_seq    INTEGER NOT NULL REFERENCES documents (seq) ON DELETE CASCADE,
    idx        INTEGER NOT NULL,
    type       TEXT NOT NULL,
    date       TEXT,
    status     TEXT NOT NULL,
    actors     TEXT NOT NULL,   -- JSON array of names
    recipients TEXT NOT NULL,   -- JSON array of names
    text       TEXT NOT NULL,
    PRIMARY KEY (doc_seq, idx)
) WITHOUT ROWID;
CREATE INDEX doc_events_date ON doc_events (date, doc_seq);
CREATE INDEX doc_events_type ON doc_events (type, date);

CREATE TABLE doc_quotes (
    doc_seq INTEGER NOT NULL REFERENCES documents (seq) ON DELETE CASCADE,
    idx     INTEGER NOT NULL,
    speaker TEXT,
    text    TEXT NOT NULL,
    direct  INTEGER NOT NULL,
    PRIMARY KEY (doc_seq, idx)
) WITHOUT ROWID;
CREATE INDEX doc_quotes_speaker ON doc_quotes (speaker, doc_seq);

CREATE TABLE doc_commitments (
    doc_seq INTEGER NOT NULL REFERENCES documents (seq) ON DELETE CASCADE,
    idx     INTEGER NOT NULL,
    kind    TEXT NOT NULL,
    holders TEXT NOT NULL,   -- JSON array of names
    text    TEXT NOT NULL,
    topic   TEXT,
    amount  TEXT,
    due     TEXT,
    PRIMARY KEY (doc_seq, idx)
) WITHOUT ROWID;
CREATE INDEX doc_commitments_due ON doc_commitments (due);
CREATE INDEX doc_commitments_topic ON doc_commitments (topic);

CREATE TABLE doc_topics (
    doc_seq INTEGER NOT NULL REFERENCES documents (seq) ON DELETE CASCADE,
    topic   TEXT NOT NULL,
    label   TEXT NOT NULL,
    score   REAL NOT NULL,
    month   TEXT,           -- YYYY-MM of the document's publication date
    PRIMARY KEY (doc_seq, topic)
) WITHOUT ROWID;
CREATE INDEX doc_topics_month ON doc_topics (month, topic, label);

-- Documents stored before this migration.
INSERT OR IGNORE INTO doc_events
SELECT d.seq, j.key, COALESCE(json_extract(j.value, '$.type'), ''), json_extract(j.value, '$.date'),
       COALESCE(json_extract(j.value, '$.status'), ''),
       COALESCE(json_extract(j.value, '$.actors'), '[]'),
       COALESCE(json_extract(j.value, '$.recipients'), '[]'),
       COALESCE(json_extract(j.value, '$.text'), '')
FROM documents d, json_each(d.events) j;
INSERT OR IGNORE INTO doc_quotes
SELECT d.seq, j.key, json_extract(j.value, '$.speaker'), COALESCE(json_extract(j.value, '$.text'), ''),
       COALESCE(json_extract(j.value, '$.direct'), 0)
FROM documents d, json_each(d.quotes) j;
INSERT OR IGNORE INTO doc_commitments
SELECT d.seq, j.key, COALESCE(json_extract(j.value, '$.kind'), ''),
       COALESCE(json_extract(j.value, '$.holders'), '[]'), COALESCE(json_extract(j.value, '$.text'), ''),
       json_extract(j.value, '$.topic'), json_extract(j.value, '$.amount'), json_extract(j.value, '$.due')
FROM documents d, json_each(d.commitments) j;
INSERT OR IGNORE INTO doc_topics
SELECT d.seq, json_extract(j.value, '$.id'), COALESCE(json_extract(j.value, '$.label'), ''),
       COALESCE(json_extract(j.value, '$.score'), 0), substr(d.published, 1, 7)
FROM documents d, json_each(d.topics) j WHERE json_extract(j.value, '$.id') IS NOT NULL;
