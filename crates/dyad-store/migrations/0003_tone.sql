-- dyad store: the lexicon tone of each document, as JSON {score, positive, negative}, or NULL
-- for documents extracted before tone existed.
ALTER TABLE documents ADD COLUMN tone TEXT CHECK (tone IS NULL OR json_valid(tone));
