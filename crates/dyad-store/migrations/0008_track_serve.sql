-- dyad store, serving the tracker (`dyad serve`): what the commitments board filters, counts and
-- pages on, kept up to date by triggers so that no request reads a whole tracker table.

-- Commitments merged into a given one.
CREATE INDEX track_commitments_merged ON track_commitments (merged_into);

-- One row per registry row: whether it is still tracked on its own (a root: not merged, not
-- split), its deadline, its current status: the last entry of its history or, for a root, of
-- the history of a commitment merged into it when that entry is newer (`seq` orders them); and
-- the record without its statements and drift (`card`), lists that grow with every restatement
-- and are not served, and how many statements there are (`statements`).
CREATE TABLE track_board (
    id          TEXT PRIMARY KEY NOT NULL REFERENCES track_commitments (id),
    root        INTEGER NOT NULL,
    merged_into TEXT,
    due         TEXT,
    status      TEXT NOT NULL DEFAULT 'not_yet_rated',
    seq         INTEGER NOT NULL DEFAULT 0,
    card        TEXT NOT NULL,
    statements  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX track_board_status ON track_board (root, status, id);
CREATE INDEX track_board_due ON track_board (root, due);

-- Holder names and topic ids (its main topic and every topic of `data/track/topics.toml` it
-- speaks about) of each commitment, for filters (`field` is 'holder' or 'topic').
CREATE TABLE track_terms (
    field         TEXT NOT NULL,
    value         TEXT NOT NULL COLLATE NOCASE,
    commitment_id TEXT NOT NULL REFERENCES track_commitments (id),
    PRIMARY KEY (field, value, commitment_id)
) WITHOUT ROWID;
CREATE INDEX track_terms_commitment ON track_terms (commitment_id);

-- Pending suggestions in date order, and one commitment's evidence by status.
CREATE INDEX track_evidence_date ON track_evidence (date, seq);
CREATE INDEX track_evidence_status ON track_evidence (commitment_id, status);

-- What is already in the tables.
INSERT INTO track_board (id, root, merged_into, due, card, statements)
SELECT id,
       merged_into IS NULL AND json_extract(data, '$.split_into') IS NULL,
       merged_into,
       json_extract(data, '$.due'),
       json_set(data, '$.sources', json_array(), '$.drift', json_array()),
       coalesce(json_array_length(data, '$.sources'), 0)
FROM track_commitments;

UPDATE track_board SET status = x.status, seq = x.seq
FROM (SELECT b.id AS id, s.status AS status, max(s.seq) AS seq
      FROM track_board b
      JOIN track_commitments c ON c.id = b.id OR c.merged_into = b.id
      JOIN track_status s ON s.commitment_id = c.id
      GROUP BY b.id) AS x
WHERE x.id = track_board.id;

INSERT INTO track_terms (field, value, commitment_id)
SELECT field, value, id FROM (
    SELECT 'holder' AS field, j.value AS value, c.id AS id
    FROM track_commitments c, json_each(c.data, '$.holders') j WHERE j.type = 'text'
    UNION ALL
    SELECT 'topic', j.value, c.id
    FROM track_commitments c, json_each(c.data, '$.topics') j WHERE j.type = 'text'
    UNION ALL
    SELECT 'topic', json_extract(c.data, '$.topic'), c.id
    FROM track_commitments c WHERE json_type(c.data, '$.topic') = 'text')
GROUP BY id, field, value COLLATE NOCASE;

-- Kept up to date. (Terms are deduplicated rather than inserted with OR IGNORE: the conflict
-- policy of the statement firing a trigger, here the registry's upsert, overrides the trigger's.)
CREATE TRIGGER track_board_insert AFTER INSERT ON track_commitments
BEGIN
    INSERT INTO track_board (id, root, merged_into, due, card, statements) VALUES (
        NEW.id,
        NEW.merged_into IS NULL AND json_extract(NEW.data, '$.split_into') IS NULL,
        NEW.merged_into,
        json_extract(NEW.data, '$.due'),
        json_set(NEW.data, '$.sources', json_array(), '$.drift', json_array()),
        coalesce(json_array_length(NEW.data, '$.sources'), 0));
    INSERT INTO track_terms (field, value, commitment_id)
    SELECT field, value, NEW.id FROM (
        SELECT 'holder' AS field, value FROM json_each(NEW.data, '$.holders')
        WHERE type = 'text'
        UNION ALL
        SELECT 'topic', value FROM json_each(NEW.data, '$.topics') WHERE type = 'text'
        UNION ALL
        SELECT 'topic', json_extract(NEW.data, '$.topic')
        WHERE json_type(NEW.data, '$.topic') = 'text')
    GROUP BY field, value COLLATE NOCASE;
END;

CREATE TRIGGER track_board_update AFTER UPDATE ON track_commitments
BEGIN
    UPDATE track_board SET
        root = NEW.merged_into IS NULL AND json_extract(NEW.data, '$.split_into') IS NULL,
        merged_into = NEW.merged_into,
        due = json_extract(NEW.data, '$.due'),
        card = json_set(NEW.data, '$.sources', json_array(), '$.drift', json_array()),
        statements = coalesce(json_array_length(NEW.data, '$.sources'), 0)
    WHERE id = NEW.id;
    -- A commitment merged into another: its status counts for the other when newer.
    UPDATE track_board SET status = m.status, seq = m.seq
    FROM (SELECT status, seq FROM track_board WHERE id = NEW.id) AS m
    WHERE track_board.id = NEW.merged_into AND m.seq > track_board.seq;
    DELETE FROM track_terms WHERE commitment_id = NEW.id;
    INSERT INTO track_terms (field, value, commitment_id)
    SELECT field, value, NEW.id FROM (
        SELECT 'holder' AS field, value FROM json_each(NEW.data, '$.holders')
        WHERE type = 'text'
        UNION ALL
        SELECT 'topic', value FROM json_each(NEW.data, '$.topics') WHERE type = 'text'
        UNION ALL
        SELECT 'topic', json_extract(NEW.data, '$.topic')
        WHERE json_type(NEW.data, '$.topic') = 'text')
    GROUP BY field, value COLLATE NOCASE;
END;

CREATE TRIGGER track_board_status AFTER INSERT ON track_status
BEGIN
    UPDATE track_board SET status = NEW.status, seq = NEW.seq
    WHERE id = NEW.commitment_id AND seq < NEW.seq;
END;
