//! The full-text index of dyad: a tantivy index in `<data_dir>/index/`.
//! This is the only crate that knows the index engine.
//!
//! # Invariants
//!
//! * **The index is derived data.** The SQLite store is the source of truth; the index can be
//!   deleted and rebuilt from it at any time.
//! * **The last commit says how far the index got.** Every commit carries as payload the highest
//!   store `seq` it contains ([`Index::indexed_upto`], 0 for a new index). After a crash the
//!   caller re-feeds `documents_after(indexed_upto)`; because [`Index::add`] first deletes any
//!   document with the same id, re-adding is idempotent and never duplicates hits. When the
//!   index's count still differs from the store's, [`Index::indexed_seqs`] says which stored
//!   seqs it lacks below the mark.
//! * **One writer per index.** The writer is taken lazily, on the first [`Index::add`] or
//!   [`Index::commit`], and is guarded by tantivy's lock file: a second writer, in this process
//!   or another, gets [`SearchError::Locked`]. Searching never takes the lock.
//! * **Two analyses of every text.** English is stemmed (`en_stem`: "meetings" finds "meeting");
//!   Hangul/CJK runs are also indexed as overlapping character bigrams in shadow fields, so a
//!   Korean word is found inside longer words (`국방예산` finds `국방예산을`). A query is run
//!   against both; for the bigram fields a multi-character word becomes a phrase of its bigrams.
//! * **Dates filter on a normalised key.** `published` is kept verbatim for display and as a
//!   `YYYY-MM-DD` key (missing month/day padded with `01`) for `since`/`until`; documents without
//!   a parsable date never match a date filter.
//! * **Facets are exact.** Every document carries `/language/<code>`, `/source/<name>` and
//!   `/year/<YYYY>` facets; [`Index::search_page`] counts them over all matches, not over a
//!   window of top hits, and reads stored fields only for the page it returns.
//! * **An index of an older schema is rebuilt.** [`Index::open`] empties an index whose schema
//!   differs from this version's; its payload is then 0, and the caller's catch-up refills it
//!   from the store.
//! * Query errors are values ([`SearchError::Query`]), never panics, and say in plain words
//!   what to do. A query text is bounded before the engine's recursive parser sees it
//!   ([`check_query`]: [`MAX_QUERY_CHARS`], [`MAX_QUERY_DEPTH`], [`MAX_QUERY_GROUPS`]), so no
//!   query can exhaust a worker's stack; a panic of the engine while running a query is
//!   caught and reported as [`SearchError::Engine`].

use std::ops::Bound;
use std::path::{Path, PathBuf};

use dyad_model::Document;
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::directory::error::LockError;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query as TantivyQuery, QueryClone, QueryParser,
    QueryParserError, RangeQuery, TermQuery,
};
use tantivy::schema::{
    FAST, Facet, FacetOptions, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::snippet::{SnippetGenerator, collapse_overlapped_ranges};
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};
use tantivy::{IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, TantivyError, Term};

/// The index directory inside the data directory.
pub const INDEX_DIR: &str = "index";

/// Name under which [`CjkBigramTokenizer`] is registered.
pub const CJK_TOKENIZER: &str = "dyad_cjk_bigram";

/// The English analyzer built into tantivy: simple tokenizer, long-token removal, lower-casing,
/// English Snowball stemmer.
const EN_TOKENIZER: &str = "en_stem";

/// Memory budget of the index writer (all threads together).
const WRITER_MEMORY: usize = 50_000_000;

/// Score multiplier of a title match over a body match.
const TITLE_BOOST: f32 = 2.0;

/// Snippet window, in bytes of text (tantivy counts bytes).
const SNIPPET_MAX: usize = 240;

/// Characters of text shown when no snippet could be built.
const FALLBACK_CHARS: usize = 200;

/// Longest query text, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;

/// Deepest nesting of parentheses in a query.
pub const MAX_QUERY_DEPTH: usize = 16;

/// Most groups in a query: opening parentheses and `NOT`s together. The query engine's parser
/// recurses once per group, so this bounds its stack use whatever the query's quoting.
pub const MAX_QUERY_GROUPS: usize = 64;

/// Errors of the index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("cannot create index directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the index at {0} is locked by another writer (another dyad process is indexing); \
         try again when it is done"
    )]
    Locked(PathBuf),
    #[error("invalid query: {0}")]
    Query(String),
    #[error(
        "the index at {path} does not match this version of dyad ({reason}); \
         delete that directory and reindex"
    )]
    Schema { path: PathBuf, reason: String },
    /// The engine panicked running a query (a defect of the engine or of dyad, not of the
    /// query); the panic is caught so that one query cannot end the process.
    #[error("the search engine failed on this query: {0}")]
    Engine(String),
    #[error("the index commit payload {0:?} is not a store seq")]
    Payload(String),
    #[error("cannot open index directory: {0}")]
    Directory(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error("index: {0}")]
    Tantivy(#[from] TantivyError),
}

/// A search request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// tantivy query syntax; words are ANDed by default. Empty: every document (newest first).
    pub text: String,
    /// ISO 639-1 code, exact (case-insensitive).
    pub lang: Option<String>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, inclusive.
    pub since: Option<String>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, inclusive of the whole period.
    pub until: Option<String>,
    /// Exact source name, case-insensitive.
    pub source: Option<String>,
    /// Maximum number of hits; 0 gives none.
    pub limit: usize,
    /// Hits skipped before the first one returned (for pages).
    pub offset: usize,
}

/// One page of search results, with the number of matches and facet counts over all of them.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchPage {
    pub total: usize,
    pub hits: Vec<Hit>,
    /// `(facet, [(value, count)])` for `language`, `source` and `year`, in that order; values
    /// by count (descending), then name.
    pub facets: Vec<(&'static str, Vec<(String, u64)>)>,
}

/// The facets every document carries (a root of the `facets` field each).
const FACETS: [&str; 3] = ["language", "source", "year"];

/// One search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: String,
    pub title: Option<String>,
    pub source: Option<String>,
    pub published: Option<String>,
    pub language: String,
    pub input: String,
    pub score: f32,
    pub snippet: Snippet,
}

/// A piece of the text around the match.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snippet {
    pub fragment: String,
    /// Byte ranges into `fragment`, sorted, non-overlapping, on char boundaries.
    pub highlights: Vec<(usize, usize)>,
}

/// The fields of the schema.
#[derive(Debug, Clone, Copy)]
struct Fields {
    id: Field,
    seq: Field,
    input: Field,
    title: Field,
    title_cjk: Field,
    text: Field,
    text_cjk: Field,
    language: Field,
    source: Field,
    source_key: Field,
    published: Field,
    published_key: Field,
    facets: Field,
}

fn schema() -> Schema {
    let mut b = Schema::builder();
    let analysed = |tokenizer: &str| {
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions)
    };
    let english = TextOptions::default()
        .set_indexing_options(analysed(EN_TOKENIZER))
        .set_stored();
    let cjk = TextOptions::default().set_indexing_options(analysed(CJK_TOKENIZER));
    b.add_text_field("id", STRING | STORED);
    b.add_i64_field("seq", STORED);
    b.add_text_field("input", STORED);
    b.add_text_field("title", english.clone());
    b.add_text_field("title_cjk", cjk.clone());
    b.add_text_field("text", english);
    b.add_text_field("text_cjk", cjk);
    b.add_text_field("language", STRING | STORED);
    b.add_text_field("source", STORED);
    b.add_text_field("source_key", STRING);
    b.add_text_field("published", STORED);
    b.add_text_field("published_key", STRING | FAST);
    b.add_facet_field("facets", FacetOptions::default());
    b.build()
}

impl Fields {
    fn from_schema(schema: &Schema) -> Result<Fields, String> {
        let f = |name: &str| schema.get_field(name).map_err(|e| e.to_string());
        Ok(Fields {
            id: f("id")?,
            seq: f("seq")?,
            input: f("input")?,
            title: f("title")?,
            title_cjk: f("title_cjk")?,
            text: f("text")?,
            text_cjk: f("text_cjk")?,
            language: f("language")?,
            source: f("source")?,
            source_key: f("source_key")?,
            published: f("published")?,
            published_key: f("published_key")?,
            facets: f("facets")?,
        })
    }
}

/// Creates `dir` and its missing parents readable by their owner only (0700 on Unix, whatever
/// the umask), and sets the index folder itself to 0700 even when it existed.
fn private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        b.mode(0o700);
        let fresh_parent = dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty() && !p.exists());
        b.create(dir)?;
        if let Some(parent) = fresh_parent {
            std::fs::set_permissions(parent, std::fs::Permissions::from_mode(0o700))?;
        }
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
    }
    #[cfg(not(unix))]
    b.create(dir)
}

/// The full-text index.
pub struct Index {
    dir: PathBuf,
    index: tantivy::Index,
    reader: IndexReader,
    /// Taken on first write; holds tantivy's writer lock while `Some`.
    writer: Option<IndexWriter>,
    fields: Fields,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index")
            .field("dir", &self.dir)
            .field("writing", &self.writer.is_some())
            .finish_non_exhaustive()
    }
}

impl Index {
    /// Creates or opens the index in `<data_dir>/index/` and registers its tokenizers.
    /// Does not take the writer lock.
    pub fn open(data_dir: &Path) -> Result<Index, SearchError> {
        let dir = data_dir.join(INDEX_DIR);
        private_dir(&dir).map_err(|source| SearchError::CreateDir {
            path: dir.clone(),
            source,
        })?;
        let directory = tantivy::directory::MmapDirectory::open(&dir)?;
        let index = match tantivy::Index::open_or_create(directory, schema()) {
            Ok(index) => index,
            // Derived data of an older version: start again empty (payload 0), to be refilled.
            Err(TantivyError::SchemaError(_)) => {
                let reset = |e: std::io::Error| SearchError::CreateDir {
                    path: dir.clone(),
                    source: e,
                };
                std::fs::remove_dir_all(&dir).map_err(reset)?;
                private_dir(&dir).map_err(reset)?;
                let directory = tantivy::directory::MmapDirectory::open(&dir)?;
                tantivy::Index::open_or_create(directory, schema()).map_err(|e| match e {
                    TantivyError::SchemaError(reason) => SearchError::Schema {
                        path: dir.clone(),
                        reason,
                    },
                    other => SearchError::Tantivy(other),
                })?
            }
            Err(other) => return Err(other.into()),
        };
        index
            .tokenizers()
            .register(CJK_TOKENIZER, TextAnalyzer::from(CjkBigramTokenizer));
        let fields =
            Fields::from_schema(&index.schema()).map_err(|reason| SearchError::Schema {
                path: dir.clone(),
                reason,
            })?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Index {
            dir,
            index,
            reader,
            writer: None,
            fields,
        })
    }

    /// The directory of the index.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The highest store seq the last commit contains; 0 for a new index.
    pub fn indexed_upto(&self) -> Result<i64, SearchError> {
        match self.index.load_metas()?.payload {
            None => Ok(0),
            Some(payload) => payload
                .trim()
                .parse::<i64>()
                .map_err(|_| SearchError::Payload(payload)),
        }
    }

    fn writer(&mut self) -> Result<&mut IndexWriter, SearchError> {
        if self.writer.is_none() {
            let writer = self.index.writer(WRITER_MEMORY).map_err(|e| match e {
                TantivyError::LockFailure(LockError::LockBusy, _) => {
                    SearchError::Locked(self.dir.clone())
                }
                other => SearchError::Tantivy(other),
            })?;
            self.writer = Some(writer);
        }
        // `writer` was set just above when it was `None`.
        self.writer
            .as_mut()
            .ok_or_else(|| SearchError::Locked(self.dir.clone()))
    }

    /// Adds (or replaces) a document. Visible to searches after the next [`Index::commit`].
    pub fn add(&mut self, seq: i64, doc: &Document) -> Result<(), SearchError> {
        let f = self.fields;
        let mut d = TantivyDocument::default();
        d.add_text(f.id, &doc.id);
        d.add_i64(f.seq, seq);
        d.add_text(f.input, &doc.input);
        if let Some(title) = &doc.title {
            d.add_text(f.title, title);
            d.add_text(f.title_cjk, title);
        }
        d.add_text(f.text, &doc.text);
        d.add_text(f.text_cjk, &doc.text);
        d.add_text(f.language, doc.language.trim().to_lowercase());
        if let Some(source) = &doc.source {
            d.add_text(f.source, source);
            d.add_text(f.source_key, source_key(source));
        }
        if let Some(published) = &doc.published {
            d.add_text(f.published, published);
            if let Some(key) = date_key(published, false) {
                d.add_facet(f.facets, Facet::from_path(["year", &key[..4]]));
                d.add_text(f.published_key, key);
            }
        }
        let language = doc.language.trim().to_lowercase();
        if !language.is_empty() {
            d.add_facet(f.facets, Facet::from_path(["language", language.as_str()]));
        }
        if let Some(source) = doc.source.as_deref().filter(|s| !s.trim().is_empty()) {
            d.add_facet(f.facets, Facet::from_path(["source", source.trim()]));
        }
        let writer = self.writer()?;
        writer.delete_term(Term::from_field_text(f.id, &doc.id));
        writer.add_document(d)?;
        Ok(())
    }

    /// Commits everything added so far, recording `upto_seq` as the commit payload.
    pub fn commit(&mut self, upto_seq: i64) -> Result<(), SearchError> {
        let writer = self.writer()?;
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&upto_seq.to_string());
        prepared.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Number of live documents in the last commit.
    pub fn num_docs(&self) -> Result<u64, SearchError> {
        self.reader.reload()?;
        Ok(self.reader.searcher().num_docs())
    }

    /// The store seqs of every live document of the last commit, sorted. Reads one stored
    /// field per document: catch-up calls it only when the index and the store disagree.
    pub fn indexed_seqs(&self) -> Result<Vec<i64>, SearchError> {
        self.reader.reload()?;
        let searcher = self.reader.searcher();
        let mut seqs = Vec::with_capacity(usize::try_from(searcher.num_docs()).unwrap_or(0));
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let ord = u32::try_from(ord).map_err(|_| {
                SearchError::Tantivy(TantivyError::InternalError("too many segments".into()))
            })?;
            for doc in segment.doc_ids_alive() {
                let stored: TantivyDocument = searcher.doc(tantivy::DocAddress::new(ord, doc))?;
                if let Some(seq) = stored.get_first(self.fields.seq).and_then(|v| v.as_i64()) {
                    seqs.push(seq);
                }
            }
        }
        seqs.sort_unstable();
        Ok(seqs)
    }

    /// Runs a query. Hits are ordered by score; with an empty `text`, by date, newest first.
    /// At most `limit` hits, after skipping `offset`.
    pub fn search(&self, q: &Query) -> Result<Vec<Hit>, SearchError> {
        Ok(self.guarded_run(q, false)?.hits)
    }

    /// Like [`Index::search`], with the number of matches and the facet counts over all of
    /// them.
    pub fn search_page(&self, q: &Query) -> Result<SearchPage, SearchError> {
        self.guarded_run(q, true)
    }

    /// [`Index::run`], with a panic of the engine turned into [`SearchError::Engine`]. Running
    /// a query only reads the index, so nothing is left half-changed by an unwind.
    fn guarded_run(&self, q: &Query, count: bool) -> Result<SearchPage, SearchError> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.run(q, count)))
            .unwrap_or_else(|panic| {
                let what = panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("a panic");
                Err(SearchError::Engine(what.to_string()))
            })
    }

    fn run(&self, q: &Query, count: bool) -> Result<SearchPage, SearchError> {
        let f = self.fields;
        // Validate the filters before anything else, so bad input fails even on an empty index.
        let since = parse_bound(q.since.as_deref(), false, "since")?;
        let until = parse_bound(q.until.as_deref(), true, "until")?;
        let mut page = SearchPage {
            total: 0,
            hits: Vec::new(),
            facets: Vec::new(),
        };
        if q.limit == 0 && !count {
            return Ok(page);
        }
        self.reader.reload()?;
        let searcher = self.reader.searcher();

        let text = q.text.trim();
        let user_query: Option<Box<dyn TantivyQuery>> = if text.is_empty() {
            None
        } else {
            Some(self.parse(text)?)
        };

        let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
        let mut filter = |query: Box<dyn TantivyQuery>| {
            clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(query, 0.0))));
        };
        if let Some(lang) = q.lang.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            filter(Box::new(TermQuery::new(
                Term::from_field_text(f.language, &lang.to_lowercase()),
                IndexRecordOption::Basic,
            )));
        }
        if let Some(source) = q.source.as_deref().filter(|s| !s.trim().is_empty()) {
            filter(Box::new(TermQuery::new(
                Term::from_field_text(f.source_key, &source_key(source)),
                IndexRecordOption::Basic,
            )));
        }
        if since.is_some() || until.is_some() {
            let bound = |key: Option<String>| match key {
                Some(k) => Bound::Included(Term::from_field_text(f.published_key, &k)),
                None => Bound::Unbounded,
            };
            filter(Box::new(RangeQuery::new(bound(since), bound(until))));
        }
        let query: Box<dyn TantivyQuery> = match &user_query {
            Some(user) => {
                clauses.push((Occur::Must, user.box_clone()));
                Box::new(BooleanQuery::new(clauses))
            }
            None if clauses.is_empty() => Box::new(AllQuery),
            None => Box::new(BooleanQuery::new(clauses)),
        };

        // TopDocs needs a limit of at least 1; a zero limit keeps none of what it finds.
        let top = TopDocs::with_limit(q.limit.max(1)).and_offset(q.offset);
        let mut facets = FacetCollector::for_field("facets");
        for root in FACETS {
            facets.add_facet(Facet::from_path([root]));
        }
        let (scored, counts): (Vec<(f32, tantivy::DocAddress)>, _) = match (&user_query, count) {
            (Some(_), false) => (
                searcher
                    .search(&query, &top.order_by_score())
                    .map_err(at_search_time)?,
                None,
            ),
            (Some(_), true) => {
                let (top, n, fc) = searcher
                    .search(&query, &(top.order_by_score(), Count, facets))
                    .map_err(at_search_time)?;
                (top, Some((n, fc)))
            }
            (None, with_counts) => {
                let by_date = top.order_by_string_fast_field("published_key", Order::Desc);
                let (top, counts) = if with_counts {
                    let (top, n, fc) = searcher.search(&query, &(by_date, Count, facets))?;
                    (top, Some((n, fc)))
                } else {
                    (searcher.search(&query, &by_date)?, None)
                };
                (
                    top.into_iter().map(|(_, addr)| (0.0, addr)).collect(),
                    counts,
                )
            }
        };
        if let Some((n, fc)) = counts {
            page.total = n;
            page.facets = FACETS
                .iter()
                .map(|root| {
                    let mut values: Vec<(String, u64)> = fc
                        .get(Facet::from_path([*root]))
                        .filter_map(|(facet, n)| {
                            facet.to_path().last().map(|v| ((*v).to_string(), n))
                        })
                        .collect();
                    values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                    (*root, values)
                })
                .collect();
        }
        if q.limit == 0 {
            return Ok(page);
        }

        let generators = match &user_query {
            Some(user) => {
                let mut english = SnippetGenerator::create(&searcher, user.as_ref(), f.text)?;
                english.set_max_num_chars(SNIPPET_MAX);
                let mut cjk = SnippetGenerator::create(&searcher, user.as_ref(), f.text_cjk)?;
                cjk.set_max_num_chars(SNIPPET_MAX);
                Some((english, cjk))
            }
            None => None,
        };

        page.hits.reserve(scored.len());
        for (score, addr) in scored {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let get = |field: Field| -> Option<String> {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            };
            let body = get(f.text).unwrap_or_default();
            let snippet = match &generators {
                Some((english, cjk)) => make_snippet(english, cjk, &body),
                None => fallback_snippet(&body),
            };
            page.hits.push(Hit {
                id: get(f.id).unwrap_or_default(),
                title: get(f.title),
                source: get(f.source),
                published: get(f.published),
                language: get(f.language).unwrap_or_default(),
                input: get(f.input).unwrap_or_default(),
                score,
                snippet,
            });
        }
        Ok(page)
    }

    /// Parses user query text against the English and the bigram fields.
    ///
    /// Strict parsing first; if that fails on syntax only (an unbalanced quote, a dangling
    /// `AND`...), the lenient parse is used. Other errors (an unknown `field:`) are reported.
    fn parse(&self, text: &str) -> Result<Box<dyn TantivyQuery>, SearchError> {
        // The engine's parser recurses once per group: bound the groups before it runs.
        check_query(text).map_err(SearchError::Query)?;
        let f = self.fields;
        let mut parser =
            QueryParser::for_index(&self.index, vec![f.title, f.text, f.title_cjk, f.text_cjk]);
        parser.set_conjunction_by_default();
        parser.set_field_boost(f.title, TITLE_BOOST);
        parser.set_field_boost(f.title_cjk, TITLE_BOOST);
        match parser.parse_query(text) {
            Ok(query) => Ok(query),
            Err(_) => {
                let (query, errors) = parser.parse_query_lenient(text);
                match errors
                    .iter()
                    .find(|e| !matches!(e, QueryParserError::SyntaxError(_)))
                {
                    None => Ok(query),
                    Some(e) => Err(SearchError::Query(explain(e))),
                }
            }
        }
    }
}

/// Refuses, before any parsing, a query text too long or too deeply nested for the engine's
/// recursive parser. One linear pass; parentheses count even inside quotes, so the bound holds
/// however the parser reads the quoting.
pub fn check_query(text: &str) -> Result<(), String> {
    let chars = text.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(format!(
            "the query is {chars} characters long; at most {MAX_QUERY_CHARS} are allowed: \
             shorten it"
        ));
    }
    let (mut depth, mut deepest, mut groups) = (0usize, 0usize, 0usize);
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '(' => {
                groups += 1;
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' => depth = depth.saturating_sub(1),
            'N' if text[i..].starts_with("NOT")
                && text[i + 3..].starts_with(char::is_whitespace) =>
            {
                groups += 1;
                chars.next();
                chars.next();
            }
            _ => {}
        }
    }
    if deepest > MAX_QUERY_DEPTH {
        return Err(format!(
            "the query nests parentheses {deepest} levels deep; at most {MAX_QUERY_DEPTH} are \
             allowed: remove some parentheses"
        ));
    }
    if groups > MAX_QUERY_GROUPS {
        return Err(format!(
            "the query has {groups} groups (opening parentheses and NOTs); at most \
             {MAX_QUERY_GROUPS} are allowed: remove some parentheses or NOTs"
        ));
    }
    Ok(())
}

/// The fields a query may name (`title:tariff`).
const QUERY_FIELDS: &str = "`title:`, `text:` and `language:`";

/// An error of running a parsed user query. The schema is fixed, so a schema error here comes
/// from the query: `field:*` (any value) of an unknown field or of one that cannot tell.
fn at_search_time(e: TantivyError) -> SearchError {
    match e {
        TantivyError::SchemaError(_) => SearchError::Query(format!(
            "`field:*` (any value) cannot be asked of that field: search words in \
             {QUERY_FIELDS}, or put the * in double quotes to search for it as text"
        )),
        TantivyError::FieldNotFound(field) => SearchError::Query(format!(
            "there is no field `{field}` to search (the fields are {QUERY_FIELDS}): to search \
             for `{field}:` as text, put it in double quotes"
        )),
        other => SearchError::Tantivy(other),
    }
}

/// What the query parser's error means for the user, and what to do about it.
fn explain(e: &QueryParserError) -> String {
    use QueryParserError as E;
    let quote = "put it in double quotes to search for it as text";
    match e {
        E::SyntaxError(_) => format!(
            "the query cannot be read: close every quote, parenthesis and bracket, or {quote}"
        ),
        E::UnsupportedQuery(m) if m.starts_with("Range") => format!(
            "a range ([a TO b] or {{a TO b}}) is not supported in a search: filter dates with \
             since/until, or {quote}"
        ),
        E::UnsupportedQuery(m) if m.starts_with("Regex") => {
            format!("patterns between slashes (/.../) are not supported: {quote}")
        }
        E::UnsupportedQuery(_) | E::RangeMustNotHavePhrase => format!(
            "that kind of query is not supported: search words and \"phrases\", combine them \
             with AND, OR and -word, and filter with lang, source, since and until; or {quote}"
        ),
        E::FieldDoesNotExist(field) => format!(
            "there is no field `{field}` to search (the fields are {QUERY_FIELDS}): to search \
             for `{field}:` as text, {quote}"
        ),
        E::FieldNotIndexed(field)
        | E::FieldDoesNotHavePositionsIndexed(field)
        | E::UnknownTokenizer { field, .. } => format!(
            "the field `{field}` cannot be searched that way: search {QUERY_FIELDS}, and filter \
             with lang, source, since and until"
        ),
        E::ExpectedInt(_)
        | E::ExpectedBase64(_)
        | E::ExpectedFloat(_)
        | E::ExpectedBool(_)
        | E::DateFormatError(_)
        | E::FacetFormatError(_)
        | E::IpFormatError(_) => format!(
            "a value after `field:` does not fit that field: search {QUERY_FIELDS}, filter \
             with lang, source, since and until, or {quote}"
        ),
        E::AllButQueryForbidden => "the query only excludes (-word, NOT word): add a word to \
             look for, as in `tariff -steel`"
            .to_string(),
        E::NoDefaultFieldDeclared => format!("name a field to search: {QUERY_FIELDS}"),
        E::PhrasePrefixRequiresAtLeastTwoTerms { phrase, .. } => format!(
            "a phrase ending in * needs two words or more (\"{phrase}\"*): add a word, or drop \
             the *"
        ),
    }
}

/// Checks a date filter (`since`, `until`): `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, naming a real
/// month and day. The message names the parameter and says what is expected.
pub fn check_filter_date(name: &str, value: &str) -> Result<(), String> {
    let v = value.trim();
    let b = v.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let shaped = match b.len() {
        4 => digits(0..4),
        7 => digits(0..4) && b[4] == b'-' && digits(5..7),
        10 => digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10),
        _ => false,
    };
    if !shaped {
        return Err(format!(
            "`{name}` must be a date: YYYY, YYYY-MM or YYYY-MM-DD (got `{v}`)"
        ));
    }
    let number = |r: std::ops::Range<usize>| v[r].parse::<u32>().unwrap_or(0);
    if b.len() >= 7 && !(1..=12).contains(&number(5..7)) {
        return Err(format!(
            "`{name}` names month {} in `{v}`; months go from 01 to 12",
            &v[5..7]
        ));
    }
    if b.len() == 10 {
        let (year, month, day) = (number(0..4), number(5..7), number(8..10));
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days = match month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        if !(1..=days).contains(&day) {
            return Err(format!(
                "`{name}` names day {} in `{v}`; that month has days 01 to {days}",
                &v[8..10]
            ));
        }
    }
    Ok(())
}

fn make_snippet(english: &SnippetGenerator, cjk: &SnippetGenerator, text: &str) -> Snippet {
    let mut snippet = english.snippet(text);
    if snippet.highlighted().is_empty() {
        let korean = cjk.snippet(text);
        if !korean.highlighted().is_empty() {
            snippet = korean;
        }
    }
    if snippet.fragment().is_empty() {
        return fallback_snippet(text);
    }
    Snippet {
        fragment: snippet.fragment().to_string(),
        highlights: collapse_overlapped_ranges(snippet.highlighted())
            .into_iter()
            .map(|r| (r.start, r.end))
            .collect(),
    }
}

fn fallback_snippet(text: &str) -> Snippet {
    let end = text
        .char_indices()
        .nth(FALLBACK_CHARS)
        .map_or(text.len(), |(i, _)| i);
    Snippet {
        fragment: text[..end].to_string(),
        highlights: Vec::new(),
    }
}

fn source_key(source: &str) -> String {
    source.trim().to_lowercase()
}

fn parse_bound(
    value: Option<&str>,
    upper: bool,
    name: &str,
) -> Result<Option<String>, SearchError> {
    match value.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => {
            check_filter_date(name, s).map_err(SearchError::Query)?;
            date_key(s, upper).map(Some).ok_or_else(|| {
                SearchError::Query(format!(
                    "`{name}` must be a date: YYYY, YYYY-MM or YYYY-MM-DD (got `{s}`)"
                ))
            })
        }
    }
}

/// Normalises an ISO 8601 date (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`, optionally followed by a time
/// after `T` or a space) to a sortable `YYYY-MM-DD` key. Missing parts are padded with the
/// start of the period (`01`), or with its end (`12`, `31`) when `upper` is set, so that an
/// inclusive upper bound `2025-10` covers all of October.
pub fn date_key(s: &str, upper: bool) -> Option<String> {
    let s = s.trim();
    let digits = |part: &str, n: usize| part.len() == n && part.bytes().all(|b| b.is_ascii_digit());
    let date = match s.find(['T', 't', ' ']) {
        Some(10) => &s[..10],
        Some(_) => return None,
        None => s,
    };
    let mut parts = date.split('-');
    let year = parts.next().filter(|p| digits(p, 4))?;
    let month = match parts.next() {
        None => None,
        Some(m) if digits(m, 2) && ("01"..="12").contains(&m) => Some(m),
        Some(_) => return None,
    };
    let day = match (month, parts.next()) {
        (_, None) => None,
        (Some(_), Some(d)) if digits(d, 2) && ("01"..="31").contains(&d) => Some(d),
        _ => return None,
    };
    if parts.next().is_some() {
        return None;
    }
    let (month_pad, day_pad) = if upper { ("12", "31") } else { ("01", "01") };
    Some(format!(
        "{year}-{}-{}",
        month.unwrap_or(month_pad),
        day.unwrap_or(day_pad)
    ))
}

/// Whether a character belongs to a script written without spaces between words (Hangul,
/// Han ideographs, kana), which the bigram fields index.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF       // Hangul Jamo
        | 0x3040..=0x30FF     // Hiragana, Katakana
        | 0x3130..=0x318F     // Hangul Compatibility Jamo
        | 0x31F0..=0x31FF     // Katakana Phonetic Extensions
        | 0x3400..=0x4DBF     // CJK Extension A
        | 0x4E00..=0x9FFF     // CJK Unified Ideographs
        | 0xA960..=0xA97F     // Hangul Jamo Extended-A
        | 0xAC00..=0xD7AF     // Hangul Syllables
        | 0xD7B0..=0xD7FF     // Hangul Jamo Extended-B
        | 0xF900..=0xFAFF     // CJK Compatibility Ideographs
        | 0xFF66..=0xFFDC     // Halfwidth Katakana and Hangul
        | 0x20000..=0x3134F // CJK Extensions B-G, Compatibility Supplement
    )
}

/// Emits overlapping character bigrams for every run of [`is_cjk`] characters, a unigram for a
/// run of one character, and nothing for any other text. Positions are consecutive across the
/// whole text, so a word's bigrams form a phrase.
#[derive(Debug, Clone, Copy, Default)]
pub struct CjkBigramTokenizer;

/// The token stream of [`CjkBigramTokenizer`] (tokens are computed up front).
#[derive(Debug)]
pub struct CjkBigramStream {
    tokens: std::vec::IntoIter<Token>,
    current: Token,
}

impl Tokenizer for CjkBigramTokenizer {
    type TokenStream<'a> = CjkBigramStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> CjkBigramStream {
        CjkBigramStream {
            tokens: cjk_bigrams(text).into_iter(),
            current: Token::default(),
        }
    }
}

impl TokenStream for CjkBigramStream {
    fn advance(&mut self) -> bool {
        match self.tokens.next() {
            Some(token) => {
                self.current = token;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

fn cjk_bigrams(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut position = 0;
    let mut emit = |from: usize, to: usize| {
        tokens.push(Token {
            offset_from: from,
            offset_to: to,
            position,
            text: text[from..to].to_string(),
            position_length: 1,
        });
        position += 1;
    };
    // (byte offset, byte end) of each char in the current run.
    let mut run: Vec<(usize, usize)> = Vec::new();
    let mut flush = |run: &mut Vec<(usize, usize)>| {
        match run.as_slice() {
            [] => {}
            [(from, to)] => emit(*from, *to),
            chars => {
                for pair in chars.windows(2) {
                    emit(pair[0].0, pair[1].1);
                }
            }
        }
        run.clear();
    };
    for (i, c) in text.char_indices() {
        if is_cjk(c) {
            run.push((i, i + c.len_utf8()));
        } else {
            flush(&mut run);
        }
    }
    flush(&mut run);
    tokens
}

#[cfg(test)]
mod tests;
