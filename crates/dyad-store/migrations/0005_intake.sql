-- dyad store, schema version 5: intake (near-duplicates, fetching, watch).

-- MinHash signatures of stored documents (little-endian u32s) and their LSH band keys, for
-- finding near-duplicates across runs without holding the whole store in memory.
CREATE TABLE doc_sigs (
    doc_seq INTEGER PRIMARY KEY NOT NULL REFERENCES documents (seq) ON DELETE CASCADE,
    sig     BLOB    NOT NULL
);

CREATE TABLE doc_bands (
    band_key INTEGER NOT NULL,
    doc_seq  INTEGER NOT NULL REFERENCES documents (seq) ON DELETE CASCADE,
    PRIMARY KEY (band_key, doc_seq)
) WITHOUT ROWID;

CREATE INDEX documents_duplicate_of ON documents (duplicate_of);

-- Validators of the last response per URL, for conditional GET.
CREATE TABLE fetch_cache (
    url           TEXT PRIMARY KEY NOT NULL,
    etag          TEXT,
    last_modified TEXT,
    fetched_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) WITHOUT ROWID;

-- `dyad watch`: each feed's last poll, and the items already taken from it.
CREATE TABLE watch_feeds (
    feed        TEXT PRIMARY KEY NOT NULL,
    last_polled TEXT,
    last_status TEXT,
    polls       INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE watch_items (
    feed    TEXT NOT NULL,
    item    TEXT NOT NULL,
    seen_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (feed, item)
) WITHOUT ROWID;
