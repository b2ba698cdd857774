//! What `dyad serve` asks of the store: paginated, filtered queries across documents over the
//! per-document rows of migration 0006 (`doc_events`, `doc_quotes`, `doc_commitments`,
//! `doc_topics`) and the totals and indexes of 0007, and API tokens (kept as hashes only).
//! Commitments are served from the tracker's tables (`tracker.rs`).
//!
//! Records are returned as they were extracted (the JSON element of the document's array), so
//! the API serves exactly what extraction produced, offsets included.

use dyad_model::Document;
use rusqlite::{OptionalExtension, Row, Transaction, params, params_from_iter, types::Value};
use serde::Serialize;

use crate::{Store, StoreError, to_count};

/// A page request: `offset` rows skipped, at most `limit` returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub offset: usize,
    pub limit: usize,
}

/// One page of results and the total number of matching rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Paged<T> {
    pub total: u64,
    pub items: Vec<T>,
}

/// Filters of [`Store::documents_page`]; `since`/`until` compare ISO dates as strings
/// (`until` is inclusive of the whole period it names).
#[derive(Debug, Clone, Default)]
pub struct DocFilter {
    pub lang: Option<String>,
    pub source: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    /// An entity key (knowledge-base id or `new:type:name`).
    pub entity: Option<String>,
}

/// A document in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocSummary {
    pub id: String,
    pub title: Option<String>,
    pub published: Option<String>,
    pub language: String,
    pub source: Option<String>,
    pub input: String,
}

/// Filters of [`Store::events_page`].
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub since: Option<String>,
    pub until: Option<String>,
    /// PLOVER type, exact (case-insensitive).
    pub kind: Option<String>,
    /// `occurred`, `planned`, ...
    pub status: Option<String>,
    /// An actor or recipient name, exact.
    pub actor: Option<String>,
}

/// An extraction record (event, quote or commitment) with the document it comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Located {
    pub doc_id: String,
    pub doc_title: Option<String>,
    pub published: Option<String>,
    pub source: Option<String>,
    /// Position of the record in the document's array.
    pub index: usize,
    /// The record as extracted.
    pub record: serde_json::Value,
}

/// A speaker and how many quotes the store attributes to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpeakerCount {
    pub speaker: String,
    pub quotes: u64,
}

/// How many documents a topic had in a month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopicMonth {
    pub month: String,
    pub topic: String,
    pub label: String,
    pub documents: u64,
}

/// An outlet with its counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceRow {
    pub source: String,
    pub documents: u64,
    pub earliest: Option<String>,
    pub latest: Option<String>,
}

/// The end of the period `until` names, for string comparison: `2025` → `2025\u{10FFFF}`.
fn until_bound(until: &str) -> String {
    format!("{}{}", until.trim(), char::MAX)
}

fn limit_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A WHERE clause under construction, with its positional parameters.
#[derive(Default)]
struct Where {
    parts: Vec<String>,
    args: Vec<Value>,
}

impl Where {
    fn add(&mut self, sql: &str, arg: impl Into<Value>) {
        self.args.push(arg.into());
        self.parts
            .push(sql.replace('?', &format!("?{}", self.args.len())));
    }

    fn sql(&self) -> String {
        if self.parts.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.parts.join(" AND "))
        }
    }

    /// The parameters followed by limit and offset (numbered after the filters).
    fn with_page(&self, page: Page) -> (Vec<Value>, String) {
        let n = self.args.len();
        let mut args = self.args.clone();
        args.push(Value::Integer(limit_i64(page.limit)));
        args.push(Value::Integer(limit_i64(page.offset)));
        (args, format!("LIMIT ?{} OFFSET ?{}", n + 1, n + 2))
    }
}

fn located(r: &Row<'_>) -> rusqlite::Result<Located> {
    let record: Option<String> = r.get(5)?;
    let index: i64 = r.get(4)?;
    Ok(Located {
        doc_id: r.get(0)?,
        doc_title: r.get(1)?,
        published: r.get(2)?,
        source: r.get(3)?,
        index: usize::try_from(index).unwrap_or(0),
        record: record
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or(serde_json::Value::Null),
    })
}

impl Store {
    /// Documents, newest first, with filters.
    pub fn documents_page(
        &self,
        f: &DocFilter,
        page: Page,
    ) -> Result<Paged<DocSummary>, StoreError> {
        let mut w = Where::default();
        if let Some(lang) = &f.lang {
            w.add("d.language = ?", lang.to_lowercase());
        }
        if let Some(source) = &f.source {
            w.add("d.source = ?", source.clone());
        }
        if let Some(since) = &f.since {
            w.add("d.published >= ?", since.trim().to_string());
        }
        if let Some(until) = &f.until {
            w.add("d.published <= ?", until_bound(until));
        }
        // With an entity, its rows (indexed by publication date) drive the page.
        let (from, order) = match &f.entity {
            Some(key) => {
                w.add("x.entity_key = ?", key.clone());
                (
                    "doc_entities x JOIN documents d ON d.seq = x.doc_seq",
                    "x.published DESC, x.doc_seq DESC",
                )
            }
            None => ("documents d", "d.published DESC, d.seq DESC"),
        };
        // Counting an entity's documents needs no document rows unless other filters do.
        let count_from = if f.entity.is_some() && w.parts.len() == 1 {
            "doc_entities x"
        } else {
            from
        };
        let total = self.count(count_from, &w)?;
        let (args, tail) = w.with_page(page);
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT d.id, d.title, d.published, d.language, d.source, d.input FROM {from} {} \
             ORDER BY {order} {tail}",
            w.sql()
        ))?;
        let items = stmt
            .query_map(params_from_iter(args.iter()), |r| {
                Ok(DocSummary {
                    id: r.get(0)?,
                    title: r.get(1)?,
                    published: r.get(2)?,
                    language: r.get(3)?,
                    source: r.get(4)?,
                    input: r.get(5)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(Paged { total, items })
    }

    /// Events across documents, by date (newest first; undated events last: SQLite sorts NULL lowest).
    pub fn events_page(&self, f: &EventFilter, page: Page) -> Result<Paged<Located>, StoreError> {
        let (from, w, order) = event_query(f, false);
        // By actor without type or status, the actor rows alone give the count.
        let count_from = if f.actor.is_some() && f.kind.is_none() && f.status.is_none() {
            "doc_event_actors a"
        } else {
            from.as_str()
        };
        let items = self.located_items(&from, "d.events", "e", &w, order, page)?;
        Ok(Paged {
            total: self.count(count_from, &w)?,
            items,
        })
    }

    /// Quotes, newest document first; `speaker` exact.
    pub fn quotes_page(
        &self,
        speaker: Option<&str>,
        page: Page,
    ) -> Result<Paged<Located>, StoreError> {
        let mut w = Where::default();
        if let Some(s) = speaker {
            w.add("q.speaker = ?", s.to_string());
        }
        let from = "doc_quotes q";
        let items = self.located_items(
            from,
            "d.quotes",
            "q",
            &w,
            "q.published DESC, q.doc_seq DESC, q.idx",
            page,
        )?;
        Ok(Paged {
            total: self.count(from, &w)?,
            items,
        })
    }

    /// How many rows of `from` match `w`.
    fn count(&self, from: &str, w: &Where) -> Result<u64, StoreError> {
        let n: i64 = self.conn.query_row(
            &format!("SELECT COUNT(*) FROM {from} {}", w.sql()),
            params_from_iter(w.args.iter()),
            |r| r.get(0),
        )?;
        Ok(to_count(n))
    }

    /// A page of records of `from` (whose filters never refer to the document), each with its
    /// document (`d`, joined on `{alias}.doc_seq` for the page only).
    fn located_items(
        &self,
        from: &str,
        array: &str,
        alias: &str,
        w: &Where,
        order: &str,
        page: Page,
    ) -> Result<Vec<Located>, StoreError> {
        let (args, tail) = w.with_page(page);
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT d.id, d.title, d.published, d.source, {alias}.idx, \
             json_extract({array}, '$[' || {alias}.idx || ']') FROM {from} \
             JOIN documents d ON d.seq = {alias}.doc_seq {} ORDER BY {order} {tail}",
            w.sql()
        ))?;
        let items = stmt
            .query_map(params_from_iter(args.iter()), located)?
            .collect::<Result<_, _>>()?;
        Ok(items)
    }

    /// Speakers by number of quotes.
    pub fn speakers(&self, limit: usize) -> Result<Vec<SpeakerCount>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT speaker, COUNT(*) FROM doc_quotes WHERE speaker IS NOT NULL \
             GROUP BY speaker ORDER BY COUNT(*) DESC, speaker LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit_i64(limit)], |r| {
            Ok(SpeakerCount {
                speaker: r.get(0)?,
                quotes: to_count(r.get(1)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How often a name acts in events, by event type: `(type, count)`, most frequent first.
    pub fn event_types_of(&self, actor: &str) -> Result<Vec<(String, u64)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT type, COUNT(*) FROM doc_event_actors WHERE name = ?1 AND role = 'actor' \
             GROUP BY type ORDER BY COUNT(*) DESC, type",
        )?;
        let rows = stmt.query_map([actor], |r| Ok((r.get(0)?, to_count(r.get(1)?))))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The tone of a speaker's quotes by year of publication: `(year, quotes, mean tone)`,
    /// years ascending; quotes without a tone or a date are left out.
    pub fn quote_tone_by_year(&self, speaker: &str) -> Result<Vec<(String, u64, f64)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT substr(published, 1, 4) AS y, COUNT(*), AVG(tone) FROM doc_quotes \
             WHERE speaker = ?1 AND tone IS NOT NULL AND published IS NOT NULL \
             GROUP BY y ORDER BY y",
        )?;
        let rows = stmt.query_map([speaker], |r| {
            Ok((r.get(0)?, to_count(r.get(1)?), r.get(2)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Documents per topic and month (`YYYY-MM` of publication), months ascending.
    pub fn topics_by_month(
        &self,
        since: Option<&str>,
        until: Option<&str>,
    ) -> Result<Vec<TopicMonth>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT month, topic, label, documents FROM topic_months \
             WHERE month >= ?1 AND month <= ?2 ORDER BY month, topic",
        )?;
        let since = since.map(|s| s.trim().to_string()).unwrap_or_default();
        let until = until
            .map(until_bound)
            .unwrap_or_else(|| char::MAX.to_string());
        let rows = stmt.query_map(params![since, until], |r| {
            Ok(TopicMonth {
                month: r.get(0)?,
                topic: r.get(1)?,
                label: r.get(2)?,
                documents: to_count(r.get(3)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Outlets with their document counts and date range, largest first.
    pub fn sources(&self) -> Result<Vec<SourceRow>, StoreError> {
        // Grouped on the bare column, so the (source, published) index answers alone.
        let mut stmt = self.conn.prepare_cached(
            "SELECT source, COUNT(*), MIN(published), MAX(published) FROM documents \
             GROUP BY source",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(SourceRow {
                source: r
                    .get::<_, Option<String>>(0)?
                    .unwrap_or_else(|| "(none)".into()),
                documents: to_count(r.get(1)?),
                earliest: r.get(2)?,
                latest: r.get(3)?,
            })
        })?;
        let mut rows: Vec<SourceRow> = rows.collect::<Result<_, _>>()?;
        rows.sort_by(|a, b| b.documents.cmp(&a.documents).then(a.source.cmp(&b.source)));
        Ok(rows)
    }

    /// One entity's counts by key.
    pub fn entity(&self, key: &str) -> Result<Option<crate::EntityCount>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT entity_key, name, type, kb_id, documents, mentions FROM entity_totals \
             WHERE entity_key = ?1",
        )?;
        Ok(stmt.query_row([key], crate::entity_count).optional()?)
    }

    /// Stores a new API token's hash under a name; returns its id.
    pub fn add_token(&mut self, name: &str, hash: &str) -> Result<i64, StoreError> {
        self.conn.execute(
            "INSERT INTO api_tokens (name, hash) VALUES (?1, ?2)",
            params![name, hash],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Every API token, oldest first (names and dates; the hashes stay in the store).
    pub fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, name, created_at, revoked_at FROM api_tokens ORDER BY id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(TokenInfo {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    created_at: r.get(2)?,
                    revoked_at: r.get(3)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Revokes the live tokens named `name_or_id`, or the one with that id; returns the tokens
    /// revoked now (empty when none matched or all were revoked already).
    pub fn revoke_token(&mut self, name_or_id: &str) -> Result<Vec<TokenInfo>, StoreError> {
        let tx = self.conn.transaction()?;
        let id: Option<i64> = name_or_id.trim().parse().ok();
        let ids: Vec<i64> = {
            let mut stmt = tx.prepare_cached(
                "SELECT id FROM api_tokens WHERE revoked_at IS NULL AND (name = ?1 OR id = ?2)",
            )?;
            stmt.query_map(params![name_or_id, id], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        };
        for id in &ids {
            tx.execute(
                "UPDATE api_tokens SET revoked_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') \
                 WHERE id = ?1",
                [id],
            )?;
        }
        tx.commit()?;
        let all = self.tokens()?;
        Ok(all.into_iter().filter(|t| ids.contains(&t.id)).collect())
    }

    /// The name of the live token with this hash, if any.
    pub fn token_name(&self, hash: &str) -> Result<Option<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT name FROM api_tokens WHERE hash = ?1 AND revoked_at IS NULL")?;
        Ok(stmt.query_row([hash], |r| r.get(0)).optional()?)
    }
}

/// Writes the per-document rows of a newly inserted document (inside the caller's transaction).
pub(crate) fn index_document(
    tx: &Transaction<'_>,
    seq: i64,
    doc: &Document,
) -> Result<(), StoreError> {
    let json = |column: &'static str, v: &[String]| crate::to_json(column, v);
    let mut ev = tx.prepare_cached(
        "INSERT OR REPLACE INTO doc_events (doc_seq, idx, type, date, status, actors, recipients, \
         text) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (i, e) in doc.events.iter().enumerate() {
        ev.execute(params![
            seq,
            limit_i64(i),
            e.kind,
            e.date,
            e.status,
            json("events", &e.actors)?,
            json("events", &e.recipients)?,
            e.text
        ])?;
    }
    let mut who = tx.prepare_cached(
        "INSERT OR IGNORE INTO doc_event_actors (name, doc_seq, idx, role, type, date) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (i, e) in doc.events.iter().enumerate() {
        let named = (e.actors.iter().map(|n| (n, "actor")))
            .chain(e.recipients.iter().map(|n| (n, "recipient")));
        for (name, role) in named {
            who.execute(params![name, seq, limit_i64(i), role, e.kind, e.date])?;
        }
    }
    let mut qu = tx.prepare_cached(
        "INSERT OR REPLACE INTO doc_quotes (doc_seq, idx, speaker, text, direct, published, tone) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (i, q) in doc.quotes.iter().enumerate() {
        qu.execute(params![
            seq,
            limit_i64(i),
            q.speaker,
            q.text,
            q.direct,
            doc.published,
            q.tone
        ])?;
    }
    let mut co = tx.prepare_cached(
        "INSERT OR REPLACE INTO doc_commitments (doc_seq, idx, kind, holders, text, topic, \
         amount, due) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (i, c) in doc.commitments.iter().enumerate() {
        co.execute(params![
            seq,
            limit_i64(i),
            c.kind,
            json("commitments", &c.holders)?,
            c.text,
            c.topic,
            c.amount,
            c.due
        ])?;
    }
    let mut to = tx.prepare_cached(
        "INSERT INTO doc_topics (doc_seq, topic, label, score, month) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut per_month = tx.prepare_cached(
        "INSERT INTO topic_months (month, topic, label, documents) VALUES (?1, ?2, ?3, 1) \
         ON CONFLICT (month, topic) DO UPDATE SET documents = documents + 1",
    )?;
    let month = doc
        .published
        .as_deref()
        .filter(|p| p.len() >= 7)
        .and_then(|p| p.get(..7));
    let mut seen = std::collections::BTreeSet::new();
    for t in doc.topics.iter().filter(|t| seen.insert(t.id.as_str())) {
        to.execute(params![seq, t.id, t.label, t.score, month])?;
        if let Some(month) = month {
            per_month.execute(params![month, t.id, t.label])?;
        }
    }
    Ok(())
}

impl Store {
    /// Events per month of their date (`YYYY-MM`), months ascending, with the filters of
    /// [`Store::events_page`]; undated events are not counted.
    pub fn events_by_month(&self, f: &EventFilter) -> Result<Vec<(String, u64)>, StoreError> {
        let (from, w, _) = event_query(f, true);
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT substr(e.date, 1, 7) AS m, COUNT(*) FROM {from} {} GROUP BY m ORDER BY m",
            w.sql()
        ))?;
        let rows = stmt.query_map(params_from_iter(w.args.iter()), |r| {
            Ok((r.get(0)?, to_count(r.get(1)?)))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// The FROM clause, filters and order of an event query (`dated`: undated events left out).
/// With an actor, the rows of `doc_event_actors` (indexed by name and date) drive it; events are
/// aliased `e`.
fn event_query(f: &EventFilter, dated: bool) -> (String, Where, &'static str) {
    let mut w = Where::default();
    let (from, order, date) = match &f.actor {
        Some(actor) => {
            w.add("a.name = ?", actor.clone());
            (
                "doc_event_actors a JOIN doc_events e ON e.doc_seq = a.doc_seq AND e.idx = a.idx"
                    .to_string(),
                "a.date DESC, a.doc_seq DESC, a.idx",
                "a.date",
            )
        }
        None => (
            "doc_events e".to_string(),
            "e.date DESC, e.doc_seq DESC, e.idx",
            "e.date",
        ),
    };
    if dated {
        w.parts.push(format!("{date} IS NOT NULL"));
    }
    if let Some(since) = &f.since {
        w.add(&format!("{date} >= ?"), since.trim().to_string());
    }
    if let Some(until) = &f.until {
        w.add(&format!("{date} <= ?"), until_bound(until));
    }
    if let Some(kind) = &f.kind {
        w.add("e.type = ?", kind.trim().to_uppercase());
    }
    if let Some(status) = &f.status {
        w.add("e.status = ?", status.trim().to_lowercase());
    }
    (from, w, order)
}

/// An API token as `dyad token list` shows it: never its secret nor its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}
