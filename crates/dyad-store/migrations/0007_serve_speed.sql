-- dyad store: what keeps `dyad serve` interactive on a store of 100k documents.
-- * Running totals kept by `put_documents` in the same transaction as the document they count
--   (documents are only ever inserted, never replaced or deleted, so totals only grow):
--   entities (`entity_totals`) and topics per month (`topic_months`).
-- * The publication date copied onto the per-document rows that are listed newest first
--   (`doc_entities`, `doc_quotes`), so a page is read from one index without a sort.
-- * Who acts in which event (`doc_event_actors`), for the event filter by actor and the stance
--   on actor pages, instead of a substring scan of every event.
-- * Indexes that serve each list in its order.

CREATE TABLE entity_totals (
    entity_key TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    type       TEXT NOT NULL,
    kb_id      TEXT,
    documents  INTEGER NOT NULL,
    mentions   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX entity_totals_documents ON entity_totals (documents DESC, name);
INSERT INTO entity_totals
SELECT entity_key, MIN(name), MIN(type), MIN(kb_id), COUNT(*), SUM(mentions)
FROM doc_entities GROUP BY entity_key;

CREATE TABLE topic_months (
    month     TEXT NOT NULL,
    topic     TEXT NOT NULL,
    label     TEXT NOT NULL,
    documents INTEGER NOT NULL,
    PRIMARY KEY (month, topic)
) WITHOUT ROWID;
INSERT INTO topic_months
SELECT month, topic, MIN(label), COUNT(*) FROM doc_topics WHERE month IS NOT NULL
GROUP BY month, topic;

ALTER TABLE doc_entities ADD COLUMN published TEXT;
UPDATE doc_entities SET published = (SELECT d.published FROM documents d WHERE d.seq = doc_seq);
CREATE INDEX doc_entities_recent ON doc_entities (entity_key, published DESC, doc_seq DESC);

ALTER TABLE doc_quotes ADD COLUMN published TEXT;
ALTER TABLE doc_quotes ADD COLUMN tone REAL;
UPDATE doc_quotes SET
    published = (SELECT d.published FROM documents d WHERE d.seq = doc_seq),
    tone = (SELECT json_extract(d.quotes, '$[' || idx || '].tone') FROM documents d
            WHERE d.seq = doc_seq);
CREATE INDEX doc_quotes_recent ON doc_quotes (published DESC, doc_seq DESC, idx);
CREATE INDEX doc_quotes_speaker_recent ON doc_quotes (speaker, published DESC, doc_seq DESC, idx, tone);
DROP INDEX doc_quotes_speaker;

-- One row per (event, name): `role` is `actor` when the name acts, else `recipient`.
CREATE TABLE doc_event_actors (
    name    TEXT NOT NULL,
    doc_seq INTEGER NOT NULL REFERENCES documents (seq) ON DELETE CASCADE,
    idx     INTEGER NOT NULL,
    role    TEXT NOT NULL CHECK (role IN ('actor', 'recipient')),
    type    TEXT NOT NULL,
    date    TEXT,
    PRIMARY KEY (name, doc_seq, idx)
) WITHOUT ROWID;
CREATE INDEX doc_event_actors_recent ON doc_event_actors (name, date DESC, doc_seq DESC, idx);
CREATE INDEX doc_event_actors_type ON doc_event_actors (name, role, type);
INSERT OR IGNORE INTO doc_event_actors
SELECT j.value, e.doc_seq, e.idx, 'actor', e.type, e.date FROM doc_events e, json_each(e.actors) j;
INSERT OR IGNORE INTO doc_event_actors
SELECT j.value, e.doc_seq, e.idx, 'recipient', e.type, e.date
FROM doc_events e, json_each(e.recipients) j;

CREATE INDEX doc_events_recent ON doc_events (date DESC, doc_seq DESC, idx);
CREATE INDEX doc_events_type_recent ON doc_events (type, date DESC, doc_seq DESC, idx);
DROP INDEX doc_events_date;
DROP INDEX doc_events_type;

-- Lists of documents by language or outlet, newest first; the outlet list reads its counts and
-- date range from the index alone.
CREATE INDEX documents_language_published ON documents (language, published);
CREATE INDEX documents_source_published ON documents (source, published);
DROP INDEX documents_language;
DROP INDEX documents_source;
