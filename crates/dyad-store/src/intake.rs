//! Intake tables (migration 3): near-duplicate signatures and LSH band keys, HTTP validators
//! for conditional GET, and the state of `dyad watch`.
//!
//! Signatures are opaque here: a list of `u32` stored little-endian, and band keys as `i64`
//! (the bits of the `u64`). The store does not know how they are made; `dyad-dedup` does.

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{PutOutcome, Store, StoreError, put_in_tx};
use dyad_model::Document;

/// `(ETag, Last-Modified)` of a response.
pub type Validators = (Option<String>, Option<String>);

/// A stored document that shares a band key with a signature looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NearCandidate {
    pub seq: i64,
    pub signature: Vec<u32>,
}

/// Candidates taken from one band key at most: the first-seen documents of the bucket. A
/// bucket holding thousands of documents (text every story shares) tells nothing about any of
/// them, and a real near-duplicate shares most of its other band keys with its original.
pub const NEAR_BAND_CAP: i64 = 64;

/// A document recorded as a duplicate of another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateSource {
    pub id: String,
    pub input: String,
    pub source: Option<String>,
    pub canonical_url: Option<String>,
}

fn sig_blob(sig: &[u32]) -> Vec<u8> {
    sig.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn sig_from_blob(b: &[u8]) -> Vec<u32> {
    b.chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// The near-duplicate keys of one document: its signature and band keys (both may be empty).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NearKeys {
    pub signature: Vec<u32>,
    pub bands: Vec<u64>,
}

impl Store {
    /// [`Store::put_documents`] plus, in the same transaction, each NEW document's signature and
    /// band keys (`keys[i]` belongs to `docs[i]`; missing or empty entries store nothing).
    pub fn put_documents_with_keys(
        &mut self,
        docs: &[Document],
        keys: &[NearKeys],
    ) -> Result<Vec<PutOutcome>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let outcomes = put_in_tx(&tx, docs)?;
        {
            let mut sig = tx
                .prepare_cached("INSERT OR REPLACE INTO doc_sigs (doc_seq, sig) VALUES (?1, ?2)")?;
            let mut band = tx.prepare_cached(
                "INSERT OR IGNORE INTO doc_bands (band_key, doc_seq) VALUES (?1, ?2)",
            )?;
            for (out, k) in outcomes.iter().zip(keys) {
                let PutOutcome::New { seq } = *out else {
                    continue;
                };
                if k.signature.is_empty() {
                    continue;
                }
                sig.execute(params![seq, sig_blob(&k.signature)])?;
                for b in &k.bands {
                    band.execute(params![*b as i64, seq])?;
                }
            }
        }
        tx.commit()?;
        Ok(outcomes)
    }

    /// Stored documents sharing at least one band key with `bands` (at most [`NEAR_BAND_CAP`]
    /// per key), in `seq` order (first seen first), with their signatures, for verification by
    /// the caller. Reads no document rows: see [`Store::near_source`] for a match.
    pub fn near_candidates(&self, bands: &[u64]) -> Result<Vec<NearCandidate>, StoreError> {
        if bands.is_empty() {
            return Ok(Vec::new());
        }
        let mut seqs: Vec<i64> = Vec::new();
        {
            let mut stmt = self.conn.prepare_cached(
                "SELECT doc_seq FROM doc_bands WHERE band_key = ?1 ORDER BY doc_seq LIMIT ?2",
            )?;
            for b in bands {
                let rows =
                    stmt.query_map(params![*b as i64, NEAR_BAND_CAP], |r| r.get::<_, i64>(0))?;
                for r in rows {
                    seqs.push(r?);
                }
            }
        }
        seqs.sort_unstable();
        seqs.dedup();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT sig FROM doc_sigs WHERE doc_seq = ?1")?;
        let mut out = Vec::with_capacity(seqs.len());
        for seq in seqs {
            let blob = stmt
                .query_row([seq], |r| r.get::<_, Vec<u8>>(0))
                .optional()?;
            if let Some(blob) = blob {
                out.push(NearCandidate {
                    seq,
                    signature: sig_from_blob(&blob),
                });
            }
        }
        Ok(out)
    }

    /// The input of a stored document and what it duplicates, if anything: `(input,
    /// duplicate_of)`.
    pub fn near_source(&self, seq: i64) -> Result<Option<(String, Option<String>)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT input, duplicate_of FROM documents WHERE seq = ?1")?;
        Ok(stmt
            .query_row([seq], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    /// Documents whose `duplicate_of` is `input`, in the order they were stored.
    pub fn duplicates_of(&self, input: &str) -> Result<Vec<DuplicateSource>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, input, source, canonical_url FROM documents WHERE duplicate_of = ?1 \
             ORDER BY seq",
        )?;
        let rows = stmt.query_map([input], |r| {
            Ok(DuplicateSource {
                id: r.get(0)?,
                input: r.get(1)?,
                source: r.get(2)?,
                canonical_url: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// The id of the first-seen document read from `input`, if any.
    pub fn id_by_input(&self, input: &str) -> Result<Option<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM documents WHERE input = ?1 ORDER BY seq LIMIT 1")?;
        Ok(stmt.query_row([input], |r| r.get(0)).optional()?)
    }

    /// The `duplicate_of` of the document with this id (None when it is an original or absent).
    pub fn duplicate_of_id(&self, id: &str) -> Result<Option<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT duplicate_of FROM documents WHERE id = ?1")?;
        Ok(stmt
            .query_row([id], |r| r.get::<_, Option<String>>(0))
            .optional()?
            .flatten())
    }

    /// The validators (ETag, Last-Modified) of the last response from `url`.
    pub fn fetch_validators(&self, url: &str) -> Result<Option<Validators>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT etag, last_modified FROM fetch_cache WHERE url = ?1")?;
        Ok(stmt
            .query_row([url], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    /// Records the validators of the latest response from `url` (nothing when both are None).
    pub fn set_fetch_validators(
        &mut self,
        url: &str,
        etag: Option<&str>,
        last_modified: Option<&str>,
    ) -> Result<(), StoreError> {
        if etag.is_none() && last_modified.is_none() {
            return Ok(());
        }
        self.conn.execute(
            "INSERT INTO fetch_cache (url, etag, last_modified) VALUES (?1, ?2, ?3) \
             ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, \
             last_modified = excluded.last_modified, fetched_at = excluded.fetched_at",
            params![url, etag, last_modified],
        )?;
        Ok(())
    }

    /// Whether `dyad watch` already took `item` (a URL or entry id) from `feed`.
    pub fn watch_seen(&self, feed: &str, item: &str) -> Result<bool, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT 1 FROM watch_items WHERE feed = ?1 AND item = ?2")?;
        Ok(stmt
            .query_row([feed, item], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Marks items of `feed` as taken, and records the poll, in one transaction.
    pub fn watch_record(
        &mut self,
        feed: &str,
        items: &[String],
        status: &str,
    ) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut ins = tx
                .prepare_cached("INSERT OR IGNORE INTO watch_items (feed, item) VALUES (?1, ?2)")?;
            for i in items {
                ins.execute([feed, i])?;
            }
            tx.execute(
                "INSERT INTO watch_feeds (feed, last_polled, last_status, polls) \
                 VALUES (?1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?2, 1) \
                 ON CONFLICT (feed) DO UPDATE SET last_polled = excluded.last_polled, \
                 last_status = excluded.last_status, polls = polls + 1",
                params![feed, status],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Every watched feed: (feed, last poll, last status, polls, items taken).
    #[allow(clippy::type_complexity)]
    pub fn watch_feeds(
        &self,
    ) -> Result<Vec<(String, Option<String>, Option<String>, i64, i64)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT f.feed, f.last_polled, f.last_status, f.polls, \
             (SELECT COUNT(*) FROM watch_items i WHERE i.feed = f.feed) \
             FROM watch_feeds f ORDER BY f.feed",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}
