-- dyad store, schema version 1.
-- Scalar metadata lives in columns; list fields are JSON arrays in TEXT columns.

CREATE TABLE documents (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    id            TEXT    NOT NULL UNIQUE,
    input         TEXT    NOT NULL,
    title         TEXT,
    published     TEXT,
    language      TEXT    NOT NULL,
    source        TEXT,
    canonical_url TEXT,
    format        TEXT    NOT NULL CHECK (format IN ('html', 'text')),
    encoding      TEXT    NOT NULL,
    cleaned_with  TEXT,
    text          TEXT    NOT NULL,
    duplicate_of  TEXT,
    fingerprint   TEXT    NOT NULL,
    ingested_at   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    byline        TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(byline)),
    removed       TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(removed)),
    entities      TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(entities)),
    unresolved    TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(unresolved)),
    events        TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(events)),
    quotes        TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(quotes)),
    commitments   TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(commitments)),
    topics        TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(topics)),
    claims        TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(claims)),
    warnings      TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(warnings))
);

CREATE INDEX documents_published   ON documents (published);
CREATE INDEX documents_source      ON documents (source);
CREATE INDEX documents_language    ON documents (language);
CREATE INDEX documents_fingerprint ON documents (fingerprint, seq);

-- Every input path a document was read from (the first one is also documents.input).
CREATE TABLE inputs (
    input  TEXT NOT NULL,
    doc_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    PRIMARY KEY (input, doc_id)
) WITHOUT ROWID;

CREATE INDEX inputs_doc_id ON inputs (doc_id);

-- The latest failure per input.
CREATE TABLE failures (
    input     TEXT PRIMARY KEY NOT NULL,
    error     TEXT NOT NULL,
    failed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) WITHOUT ROWID;

-- The entities of each document, one row per (document, entity), for queries across documents:
-- where an entity is mentioned, and which entities appear together.
CREATE TABLE doc_entities (
    doc_seq    INTEGER NOT NULL REFERENCES documents (seq) ON DELETE CASCADE,
    entity_key TEXT    NOT NULL,   -- the knowledge-base id, or "new:" + type + ":" + name
    name       TEXT    NOT NULL,
    type       TEXT    NOT NULL,
    kb_id      TEXT,
    mentions   INTEGER NOT NULL,
    PRIMARY KEY (doc_seq, entity_key)
) WITHOUT ROWID;

CREATE INDEX doc_entities_key ON doc_entities (entity_key, doc_seq);
