//! The embedded store of dyad: one SQLite file, `dyad.sqlite3`, inside the data directory.
//! This is the only crate that speaks SQL.
//!
//! # Invariants
//!
//! * **SQLite is the source of truth.** Everything else (the full-text index) is derived from it
//!   and can be rebuilt from [`Store::documents_after`].
//! * **Identity is [`Document::id`]** (a content hash). A document is inserted once; putting it
//!   again never modifies its row (it stays byte-for-byte identical), it only records the extra
//!   input path in the `inputs` table, idempotently.
//! * **`seq` only grows.** Every new document gets `seq` from an `INTEGER PRIMARY KEY
//!   AUTOINCREMENT` column, so a seq is never reused, even after deletions, and "everything after
//!   seq N" is a well-defined catch-up query.
//! * **Round trip.** [`Store::get`] returns a [`Document`] equal to the one that was put: scalar
//!   metadata is kept in columns, list fields as JSON text.
//! * **Batches are atomic.** [`Store::put_documents`] runs in one transaction: the whole batch is
//!   written or none of it is, including when the process is killed mid-batch (WAL journal).
//! * **The schema is versioned.** Migrations are SQL files under `migrations/`, applied in order
//!   by `rusqlite_migration` (tracked in `PRAGMA user_version`); a database newer than this
//!   code is refused rather than touched.
//! * Every connection runs with `journal_mode=WAL`, `synchronous=NORMAL`, `foreign_keys=ON` and
//!   a busy timeout, so a concurrent reader or writer waits instead of failing at once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use dyad_model::{Document, Failure, Format, text_fingerprint};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, TransactionBehavior, params};
use rusqlite_migration::{M, Migrations};

mod intake;
mod lock;
pub use intake::{DuplicateSource, NEAR_BAND_CAP, NearCandidate, NearKeys};
pub use lock::{LOCK_FILE, TryLock, WriterLock, create_private_dir, set_mode};

/// The database file name inside the data directory.
pub const DB_FILE: &str = "dyad.sqlite3";

/// How long a connection waits for a lock held by another connection before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How many candidate ids an [`StoreError::Ambiguous`] error lists at most.
const AMBIGUOUS_LIST_MAX: usize = 20;

/// The schema migrations, in order. Never edit a released one: add a new file.
const MIGRATIONS: &[M<'static>] = &[
    M::up(include_str!("../migrations/0001_init.sql")),
    M::up(include_str!("../migrations/0002_times.sql")),
    M::up(include_str!("../migrations/0003_tone.sql")),
    M::up(include_str!("../migrations/0004_tracker.sql")),
    M::up(include_str!("../migrations/0005_intake.sql")),
    M::up(include_str!("../migrations/0006_tokens.sql")),
    M::up(include_str!("../migrations/0007_serve_speed.sql")),
    M::up(include_str!("../migrations/0008_track_serve.sql")),
];

/// The columns a [`Document`] is read from, in the order [`RawRow::from_row`] expects.
const DOC_COLUMNS: &str = "seq, id, input, title, published, language, source, canonical_url, \
     format, encoding, text, duplicate_of, byline, removed, entities, events, quotes, \
     commitments, topics, claims, warnings, cleaned_with, unresolved, times, tone";

/// Makes an existing file of the store readable and writable by its owner only (Unix).
fn private_file(path: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let Ok(meta) = std::fs::metadata(path) else {
            return Ok(()); // not there (yet): nothing to protect
        };
        if meta.permissions().mode() & 0o777 != 0o600 {
            lock::set_mode(path, 0o600).map_err(|source| StoreError::Private {
                path: path.to_path_buf(),
                source,
            })?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot make {path} private to its owner: {source}")]
    Private {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot take the writer lock {path}: {source}")]
    Lock {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot create data directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("schema migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("cannot encode or decode column `{column}` as JSON: {source}")]
    Json {
        column: &'static str,
        #[source]
        source: serde_json::Error,
    },
    #[error("the database holds an invalid value in `{column}`: {value:?}")]
    Corrupt { column: &'static str, value: String },
    #[error("invalid document: {0}")]
    Invalid(String),
    #[error("id prefix `{prefix}` is ambiguous; it matches: {}", .candidates.join(", "))]
    Ambiguous {
        prefix: String,
        /// Matching ids, sorted, at most 20 of them.
        candidates: Vec<String>,
    },
}

/// What [`Store::put_documents`] did with one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOutcome {
    /// The document was inserted with this `seq`.
    New { seq: i64 },
    /// A document with the same id was already stored under this `seq`; its row was left alone.
    Unchanged { seq: i64 },
}

impl PutOutcome {
    /// The `seq` of the stored document, whether new or not.
    pub fn seq(&self) -> i64 {
        match *self {
            PutOutcome::New { seq } | PutOutcome::Unchanged { seq } => seq,
        }
    }

    /// Whether the document was inserted by this call.
    pub fn is_new(&self) -> bool {
        matches!(self, PutOutcome::New { .. })
    }
}

/// Counts over the whole store. Group lists are sorted by count (descending), then name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub documents: u64,
    pub by_language: Vec<(String, u64)>,
    /// Documents without a source are counted under `"(none)"`.
    pub by_source: Vec<(String, u64)>,
    pub by_format: Vec<(String, u64)>,
    /// Documents with `duplicate_of` set.
    pub duplicates: u64,
    /// Total number of `removed` items over all documents.
    pub removed_items: u64,
    /// Smallest `published` value (string order, ISO 8601).
    pub earliest: Option<String>,
    /// Largest `published` value (string order, ISO 8601).
    pub latest: Option<String>,
    /// Distinct input paths that produced a stored document.
    pub inputs: u64,
    /// Inputs whose latest attempt failed.
    pub failures: u64,
}

/// The SQLite store. One connection; `Send`, not `Sync`.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the data directory and `dyad.sqlite3` inside it, sets the
    /// connection pragmas and migrates the schema to the latest version.
    ///
    /// A new data directory is made readable by its owner only (0700), and the database files
    /// (with their `-wal` and `-shm`) are kept at 0600, whatever the umask.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        lock::create_private_dir(data_dir)?;
        let path = data_dir.join(DB_FILE);
        if !path.exists() {
            // Created private before SQLite opens it; SQLite gives `-wal`/`-shm` its mode.
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(false);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            options.open(&path).map_err(|source| StoreError::Private {
                path: path.clone(),
                source,
            })?;
        }
        let mut conn = Connection::open(&path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Corrupt {
                column: "PRAGMA journal_mode",
                value: mode,
            });
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Large stores are read at random (lists, entity pages, dedup lookups): keep hot pages
        // in a 16 MiB cache and map up to 1 GiB of the file instead of a pread per page miss.
        conn.pragma_update(None, "cache_size", -16_384)?;
        conn.pragma_update(None, "mmap_size", 1_i64 << 30)?;
        Migrations::from_slice(MIGRATIONS).to_latest(&mut conn)?;
        for suffix in ["", "-wal", "-shm"] {
            let mut file = path.clone().into_os_string();
            file.push(suffix);
            private_file(Path::new(&file))?;
        }
        Ok(Store { conn, path })
    }

    /// Maps at most `bytes` of the database file (0: none, every page read through the page
    /// cache). A long bulk write sets 0 so that its resident memory is its own: mapped store
    /// pages count in RSS.
    pub fn set_mmap_limit(&self, bytes: i64) -> Result<(), StoreError> {
        self.conn.pragma_update(None, "mmap_size", bytes)?;
        Ok(())
    }

    /// The path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the database (number of migrations applied).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |row| row.get(0))?)
    }

    /// Stores a batch of documents in ONE transaction: all are written, or none.
    ///
    /// Returns one outcome per input document, in order. A document whose id is already stored
    /// (before or earlier in the same batch) is `Unchanged`; its input path is still recorded.
    pub fn put_documents(&mut self, docs: &[Document]) -> Result<Vec<PutOutcome>, StoreError> {
        // IMMEDIATE: take the write lock up front, so a concurrent writer makes us wait (busy
        // timeout) instead of failing when a read transaction would have to be upgraded.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let outcomes = put_in_tx(&tx, docs)?;
        tx.commit()?;
        Ok(outcomes)
    }

    /// Entities by the number of documents they appear in; `name` filters by name or key
    /// (case-insensitive substring).
    pub fn entities(
        &self,
        name: Option<&str>,
        limit: usize,
    ) -> Result<Vec<EntityCount>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = match name.map(str::trim).filter(|n| !n.is_empty()) {
            None => {
                let mut stmt = self.conn.prepare_cached(
                    "SELECT entity_key, name, type, kb_id, documents, mentions FROM entity_totals \
                     ORDER BY documents DESC, name LIMIT ?1",
                )?;
                stmt.query_map([limit], entity_count)?
                    .collect::<Result<Vec<_>, _>>()?
            }
            Some(name) => {
                let mut stmt = self.conn.prepare_cached(
                    "SELECT entity_key, name, type, kb_id, documents, mentions FROM entity_totals \
                     WHERE instr(lower(name), ?1) > 0 OR instr(lower(entity_key), ?1) > 0 \
                     ORDER BY documents DESC, name LIMIT ?2",
                )?;
                stmt.query_map(params![name.to_lowercase(), limit], entity_count)?
                    .collect::<Result<Vec<_>, _>>()?
            }
        };
        Ok(rows)
    }

    /// Entities that appear in the same documents as `key`, by the number of shared documents.
    /// With a `window`, only the `window` most recently published documents of `key` count (a
    /// bounded query for pages on a large store); without, all of them.
    pub fn cooccurring(
        &self,
        key: &str,
        limit: usize,
        window: Option<usize>,
    ) -> Result<Vec<EntityCount>, StoreError> {
        let window = window.map_or(-1, |w| i64::try_from(w).unwrap_or(i64::MAX));
        let mut stmt = self.conn.prepare_cached(
            "WITH recent AS (SELECT doc_seq FROM doc_entities WHERE entity_key = ?1 \
             ORDER BY published DESC, doc_seq DESC LIMIT ?3) \
             SELECT b.entity_key, MIN(b.name), MIN(b.type), MIN(b.kb_id), COUNT(*), SUM(b.mentions) \
             FROM recent r JOIN doc_entities b ON b.doc_seq = r.doc_seq \
             WHERE b.entity_key <> ?1 GROUP BY b.entity_key ORDER BY COUNT(*) DESC, MIN(b.name) \
             LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![key, limit as i64, window], entity_count)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Documents that mention an entity, newest first: `(id, title, published, mentions)`.
    pub fn documents_with(&self, key: &str, limit: usize) -> Result<Vec<DocMentions>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.id, d.title, d.published, e.mentions FROM doc_entities e \
             JOIN documents d ON d.seq = e.doc_seq WHERE e.entity_key = ?1 \
             ORDER BY e.published DESC, e.doc_seq DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![key, limit as i64], |r| {
            Ok(DocMentions {
                id: r.get(0)?,
                title: r.get(1)?,
                published: r.get(2)?,
                mentions: to_count(r.get(3)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Looks a document up by its full id, or by a prefix matching exactly one id.
    ///
    /// Returns `Ok(None)` when nothing matches (or the key is empty), and
    /// [`StoreError::Ambiguous`] when a prefix matches several ids.
    pub fn get(&self, id_or_unique_prefix: &str) -> Result<Option<Document>, StoreError> {
        let key = id_or_unique_prefix.trim();
        if key.is_empty() {
            return Ok(None);
        }
        if let Some(doc) = self.get_exact(key)? {
            return Ok(Some(doc));
        }
        // Every string starting with `key` sorts in [key, key + U+10FFFF) under SQLite's BINARY
        // collation (memcmp of UTF-8), so this range uses the UNIQUE index on `id`.
        let upper = format!("{key}{}", char::MAX);
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM documents WHERE id >= ?1 AND id < ?2 ORDER BY id LIMIT ?3",
        )?;
        let limit = i64::try_from(AMBIGUOUS_LIST_MAX + 1).unwrap_or(i64::MAX);
        let ids = stmt
            .query_map(params![key, upper, limit], |row| row.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        match ids.as_slice() {
            [] => Ok(None),
            [only] => self.get_exact(only),
            _ => Err(StoreError::Ambiguous {
                prefix: key.to_string(),
                candidates: ids.into_iter().take(AMBIGUOUS_LIST_MAX).collect(),
            }),
        }
    }

    fn get_exact(&self, id: &str) -> Result<Option<Document>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {DOC_COLUMNS} FROM documents WHERE id = ?1"
        ))?;
        let raw = stmt.query_row([id], RawRow::from_row).optional()?;
        raw.map(|r| r.into_document().map(|(_, doc)| doc))
            .transpose()
    }

    /// Documents with `seq > seq`, ordered by seq, at most `limit` of them (for index catch-up).
    pub fn documents_after(
        &self,
        seq: i64,
        limit: usize,
    ) -> Result<Vec<(i64, Document)>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {DOC_COLUMNS} FROM documents WHERE seq > ?1 ORDER BY seq LIMIT ?2"
        ))?;
        let raws = stmt
            .query_map(params![seq, limit], RawRow::from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        raws.into_iter().map(RawRow::into_document).collect()
    }

    /// The seqs of stored documents after `seq`, in order, at most `limit` of them (catch-up
    /// compares them with what the index holds).
    pub fn seqs_after(&self, seq: i64, limit: usize) -> Result<Vec<i64>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self
            .conn
            .prepare_cached("SELECT seq FROM documents WHERE seq > ?1 ORDER BY seq LIMIT ?2")?;
        let seqs = stmt
            .query_map(params![seq, limit], |row| row.get(0))?
            .collect::<Result<Vec<i64>, _>>()?;
        Ok(seqs)
    }

    /// The document stored under `seq`, if any.
    pub fn document_at(&self, seq: i64) -> Result<Option<Document>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {DOC_COLUMNS} FROM documents WHERE seq = ?1"
        ))?;
        let raw = stmt.query_row([seq], RawRow::from_row).optional()?;
        raw.map(|r| r.into_document().map(|(_, doc)| doc))
            .transpose()
    }

    /// The number of stored documents.
    pub fn document_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM documents", [], |row| row.get(0))?;
        Ok(to_count(n))
    }

    /// The highest `seq` in use, 0 when the store is empty.
    pub fn max_seq(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM documents", [], |row| {
                row.get(0)
            })?)
    }

    /// The `input` of the first-seen document whose text has this
    /// [`text_fingerprint`](dyad_model::text_fingerprint).
    pub fn find_by_fingerprint(&self, fingerprint: &str) -> Result<Option<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT input FROM documents WHERE fingerprint = ?1 ORDER BY seq LIMIT 1",
        )?;
        Ok(stmt.query_row([fingerprint], |row| row.get(0)).optional()?)
    }

    /// All input paths recorded for a document id (sorted).
    pub fn inputs_of(&self, id: &str) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT input FROM inputs WHERE doc_id = ?1 ORDER BY input")?;
        let inputs = stmt
            .query_map([id], |row| row.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(inputs)
    }

    /// Records that reading `input` failed; keeps only the latest error per input.
    pub fn record_failure(&mut self, input: &str, error: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO failures (input, error) VALUES (?1, ?2) \
             ON CONFLICT (input) DO UPDATE SET error = excluded.error, \
             failed_at = excluded.failed_at",
            params![input, error],
        )?;
        Ok(())
    }

    /// Forgets the failure of `input` (e.g. after it was read successfully). No-op if none.
    pub fn clear_failure(&mut self, input: &str) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM failures WHERE input = ?1", [input])?;
        Ok(())
    }

    /// The failure log, sorted by input.
    pub fn failures(&self) -> Result<Vec<Failure>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT input, error FROM failures ORDER BY input")?;
        let failures = stmt
            .query_map([], |row| {
                Ok(Failure {
                    input: row.get(0)?,
                    error: row.get(1)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(failures)
    }

    /// Counts over the whole store.
    pub fn stats(&self) -> Result<Stats, StoreError> {
        let count = |sql: &str| -> Result<u64, StoreError> {
            let n: i64 = self.conn.query_row(sql, [], |row| row.get(0))?;
            Ok(to_count(n))
        };
        let groups = |sql: &str| -> Result<Vec<(String, u64)>, StoreError> {
            let mut stmt = self.conn.prepare(sql)?;
            let rows = stmt
                .query_map([], |row| {
                    Ok((row.get::<_, String>(0)?, to_count(row.get::<_, i64>(1)?)))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        };
        // One aggregate per query: SQLite answers a lone MIN or MAX from the index.
        let bound = |sql: &str| -> Result<Option<String>, StoreError> {
            Ok(self.conn.query_row(sql, [], |row| row.get(0))?)
        };
        let earliest = bound("SELECT MIN(published) FROM documents")?;
        let latest = bound("SELECT MAX(published) FROM documents")?;
        let mut by_source = groups(
            "SELECT COALESCE(source, '(none)'), COUNT(*) AS n FROM documents GROUP BY source",
        )?;
        by_source.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(Stats {
            documents: count("SELECT COUNT(*) FROM documents")?,
            by_language: groups(
                "SELECT language, COUNT(*) AS n FROM documents GROUP BY 1 ORDER BY n DESC, 1",
            )?,
            by_source,
            by_format: groups(
                "SELECT format, COUNT(*) AS n FROM documents GROUP BY 1 ORDER BY n DESC, 1",
            )?,
            duplicates: count("SELECT COUNT(*) FROM documents WHERE duplicate_of IS NOT NULL")?,
            removed_items: count(
                "SELECT COALESCE((SELECT value FROM store_totals WHERE name = 'removed_items'), 0)",
            )?,
            earliest,
            latest,
            inputs: count("SELECT COUNT(DISTINCT input) FROM inputs")?,
            failures: count("SELECT COUNT(*) FROM failures")?,
        })
    }

    /// Runs `PRAGMA integrity_check`; `true` when SQLite answers exactly `ok`.
    pub fn integrity_check(&self) -> Result<bool, StoreError> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt
            .query_map([], |row| row.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows.len() == 1 && rows[0] == "ok")
    }
}

/// The key an entity is stored under: its knowledge-base id, else its type and name.
pub fn entity_key(e: &dyad_model::Entity) -> String {
    match &e.id {
        Some(id) => id.clone(),
        None => format!("new:{}:{}", e.kind, e.name),
    }
}

/// A document that mentions an entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocMentions {
    pub id: String,
    pub title: Option<String>,
    pub published: Option<String>,
    pub mentions: u64,
}

/// An entity as the store counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityCount {
    pub key: String,
    pub name: String,
    pub kind: String,
    pub kb_id: Option<String>,
    /// Documents it appears in (with another entity, for co-occurrence).
    pub documents: u64,
    pub mentions: u64,
}

fn entity_count(r: &Row<'_>) -> rusqlite::Result<EntityCount> {
    Ok(EntityCount {
        key: r.get(0)?,
        name: r.get(1)?,
        kind: r.get(2)?,
        kb_id: r.get(3)?,
        documents: to_count(r.get(4)?),
        mentions: to_count(r.get::<_, Option<i64>>(5)?.unwrap_or(0)),
    })
}

/// Counts come from `COUNT`/`SUM`, never negative; clamp defensively instead of failing.
fn to_count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Writes a batch inside an open transaction (the caller commits).
fn put_in_tx(tx: &Transaction<'_>, docs: &[Document]) -> Result<Vec<PutOutcome>, StoreError> {
    let mut find = tx.prepare_cached("SELECT seq FROM documents WHERE id = ?1")?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO documents (id, input, title, published, language, source, canonical_url, \
         format, encoding, text, duplicate_of, fingerprint, byline, removed, entities, events, \
         quotes, commitments, topics, claims, warnings, cleaned_with, unresolved, times, tone) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, \
         ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)",
    )?;
    let mut link =
        tx.prepare_cached("INSERT OR IGNORE INTO inputs (input, doc_id) VALUES (?1, ?2)")?;
    let mut entity = tx.prepare_cached(
        "INSERT INTO doc_entities (doc_seq, entity_key, name, type, kb_id, mentions, published) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let mut entity_total = tx.prepare_cached(
        "INSERT INTO entity_totals (entity_key, name, type, kb_id, documents, mentions) \
         VALUES (?1, ?2, ?3, ?4, 1, ?5) ON CONFLICT (entity_key) DO UPDATE SET \
         documents = documents + 1, mentions = mentions + excluded.mentions",
    )?;
    let mut removed = tx.prepare_cached(
        "INSERT INTO store_totals (name, value) VALUES ('removed_items', ?1) \
         ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
    )?;
    let mut outcomes = Vec::with_capacity(docs.len());
    for doc in docs {
        if doc.id.trim().is_empty() {
            return Err(StoreError::Invalid(format!(
                "document from {:?} has an empty id",
                doc.input
            )));
        }
        let existing: Option<i64> = find.query_row([&doc.id], |row| row.get(0)).optional()?;
        let outcome = match existing {
            Some(seq) => PutOutcome::Unchanged { seq },
            None => {
                insert.execute(params![
                    doc.id,
                    doc.input,
                    doc.title,
                    doc.published,
                    doc.language,
                    doc.source,
                    doc.canonical_url,
                    format_str(doc.format),
                    doc.encoding,
                    doc.text,
                    doc.duplicate_of,
                    text_fingerprint(&doc.text),
                    to_json("byline", &doc.byline)?,
                    to_json("removed", &doc.removed)?,
                    to_json("entities", &doc.entities)?,
                    to_json("events", &doc.events)?,
                    to_json("quotes", &doc.quotes)?,
                    to_json("commitments", &doc.commitments)?,
                    to_json("topics", &doc.topics)?,
                    to_json("claims", &doc.claims)?,
                    to_json("warnings", &doc.warnings)?,
                    doc.cleaned_with,
                    to_json("unresolved", &doc.unresolved)?,
                    to_json("times", &doc.times)?,
                    doc.tone.as_ref().map(|t| to_json("tone", t)).transpose()?,
                ])?;
                let seq = tx.last_insert_rowid();
                // One row per key: two entities of a document can share a key.
                let mut keyed: BTreeMap<String, (&dyad_model::Entity, i64)> = BTreeMap::new();
                for e in &doc.entities {
                    let n = i64::try_from(e.mentions.len()).unwrap_or(i64::MAX);
                    keyed
                        .entry(entity_key(e))
                        .and_modify(|(_, m)| *m = m.saturating_add(n))
                        .or_insert((e, n));
                }
                for (key, (e, mentions)) in &keyed {
                    entity.execute(params![
                        seq,
                        key,
                        e.name,
                        e.kind,
                        e.id,
                        mentions,
                        doc.published
                    ])?;
                    entity_total.execute(params![key, e.name, e.kind, e.id, mentions])?;
                }
                serve::index_document(tx, seq, doc)?;
                if !doc.removed.is_empty() {
                    removed.execute([i64::try_from(doc.removed.len()).unwrap_or(i64::MAX)])?;
                }
                PutOutcome::New { seq }
            }
        };
        link.execute(params![doc.input, doc.id])?;
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

fn format_str(format: Format) -> &'static str {
    match format {
        Format::Html => "html",
        Format::Text => "text",
    }
}

fn parse_format(s: &str) -> Result<Format, StoreError> {
    match s {
        "html" => Ok(Format::Html),
        "text" => Ok(Format::Text),
        other => Err(StoreError::Corrupt {
            column: "format",
            value: other.to_string(),
        }),
    }
}

fn to_json<T: serde::Serialize + ?Sized>(
    column: &'static str,
    value: &T,
) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|source| StoreError::Json { column, source })
}

fn from_json<T: serde::de::DeserializeOwned>(
    column: &'static str,
    text: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|source| StoreError::Json { column, source })
}

/// One `documents` row as read from SQLite, before the JSON columns are decoded.
struct RawRow {
    seq: i64,
    id: String,
    input: String,
    title: Option<String>,
    published: Option<String>,
    language: String,
    source: Option<String>,
    canonical_url: Option<String>,
    format: String,
    encoding: String,
    text: String,
    duplicate_of: Option<String>,
    byline: String,
    removed: String,
    entities: String,
    events: String,
    quotes: String,
    commitments: String,
    topics: String,
    claims: String,
    warnings: String,
    cleaned_with: Option<String>,
    unresolved: String,
    times: String,
    tone: Option<String>,
}

impl RawRow {
    /// Reads the columns of [`DOC_COLUMNS`], in that order.
    fn from_row(row: &Row<'_>) -> rusqlite::Result<RawRow> {
        Ok(RawRow {
            seq: row.get(0)?,
            id: row.get(1)?,
            input: row.get(2)?,
            title: row.get(3)?,
            published: row.get(4)?,
            language: row.get(5)?,
            source: row.get(6)?,
            canonical_url: row.get(7)?,
            format: row.get(8)?,
            encoding: row.get(9)?,
            text: row.get(10)?,
            duplicate_of: row.get(11)?,
            byline: row.get(12)?,
            removed: row.get(13)?,
            entities: row.get(14)?,
            events: row.get(15)?,
            quotes: row.get(16)?,
            commitments: row.get(17)?,
            topics: row.get(18)?,
            claims: row.get(19)?,
            warnings: row.get(20)?,
            cleaned_with: row.get(21)?,
            unresolved: row.get(22)?,
            times: row.get(23)?,
            tone: row.get(24)?,
        })
    }

    fn into_document(self) -> Result<(i64, Document), StoreError> {
        let doc = Document {
            input: self.input,
            id: self.id,
            title: self.title,
            published: self.published,
            language: self.language,
            source: self.source,
            byline: from_json("byline", &self.byline)?,
            canonical_url: self.canonical_url,
            format: parse_format(&self.format)?,
            encoding: self.encoding,
            text: self.text,
            removed: from_json("removed", &self.removed)?,
            duplicate_of: self.duplicate_of,
            entities: from_json("entities", &self.entities)?,
            events: from_json("events", &self.events)?,
            quotes: from_json("quotes", &self.quotes)?,
            commitments: from_json("commitments", &self.commitments)?,
            topics: from_json("topics", &self.topics)?,
            claims: from_json("claims", &self.claims)?,
            warnings: from_json("warnings", &self.warnings)?,
            cleaned_with: self.cleaned_with,
            unresolved: from_json("unresolved", &self.unresolved)?,
            times: from_json("times", &self.times)?,
            tone: self
                .tone
                .as_deref()
                .map(|t| from_json("tone", t))
                .transpose()?,
        };
        Ok((self.seq, doc))
    }
}

mod tracker;
pub use tracker::{
    AuditRow, BoardRow, CommitmentRow, EvidenceRow, ReviewRow, ReviewedEvidence, StatusRow,
    TrackFilter, TrackTx,
};
mod serve;
pub use serve::*;

#[cfg(test)]
mod tests;
