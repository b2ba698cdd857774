-- dyad store, schema version 2: normalised time expressions of each document.
ALTER TABLE documents ADD COLUMN times TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(times));
