//! The bodies of dyad's fuzz targets, as plain library functions.
//!
//! `fuzz/` (a separate cargo-fuzz workspace) wraps each function of [`TARGETS`] in a libFuzzer
//! target; this crate's tests replay every committed corpus and regression input through the
//! same functions, so a crash once found stays fixed under a plain `cargo test`.
//!
//! Each function takes arbitrary bytes, drives one public entry point the way a run would
//! (bytes of a file or a query typed by a user), and checks a few properties of the result that
//! must hold for any input. A panic, an overflowed stack or a run that never ends is a bug; an
//! `Err` for bad input is not.
//!
//! **Invariant:** the functions are deterministic (the search index is built once per thread
//! from fixed documents), so a saved crash input reproduces.

use std::io::Write;
use std::sync::LazyLock;

use chrono::NaiveDate;
use dyad_clean::{Cleaner, meta};
use dyad_ingest::{ContainerError, Contents, Limits};
use dyad_model::{Format, RawDoc};

/// A fuzz target: its name (the folder of its corpus under `fuzz/corpus/`) and its body.
pub type Target = (&'static str, fn(&[u8]));

/// Every fuzz target, by name. `fuzz/fuzz_targets/<name>.rs` calls the function of the same
/// name; the replay test walks `fuzz/corpus/<name>/` and `fuzz/regressions/<name>/`.
pub const TARGETS: &[Target] = &[
    ("html_parse", html_parse),
    ("clean", clean),
    ("dates", dates),
    ("decode", decode),
    ("feed", feed),
    ("sitemap", sitemap),
    ("warc", warc),
    ("warc_gz", warc_gz),
    ("jsonl", jsonl),
    #[cfg(feature = "search")]
    ("search_query", search_query),
];

/// Called once before fuzzing (`fuzz_target!(init: ...)`). libfuzzer-sys aborts on every
/// panic, even one the code catches on purpose (dyad-ingest catches feed-rs panics and reports
/// the feed as broken); this restores the default hook, so only a panic that escapes the target
/// aborts (libfuzzer-sys aborts on those after unwinding) and is reported as a crash.
pub fn init() {
    drop(std::panic::take_hook());
}

/// Inputs are capped well below a run's default (32 MiB) so that a small compressed input
/// cannot make one execution take seconds; the cap's own code path is exercised too.
const LIMITS: Limits = Limits { max_bytes: 1 << 20 };

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// dyad's own HTML parser (`dyad-clean/src/parse.rs`), with a check of the tree's shape.
pub fn html_parse(data: &[u8]) {
    let html = text(data);
    let n = dyad_clean::fuzzing::parse_and_check(&html);
    assert!(n >= 1);
}

static CLEANER: LazyLock<Cleaner> = LazyLock::new(Cleaner::default);

/// Whole cleaning: the first byte chooses HTML or text, the rest is the decoded content.
pub fn clean(data: &[u8]) {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let format = if first & 1 == 0 {
        Format::Html
    } else {
        Format::Text
    };
    let raw = RawDoc {
        input: "fuzz".into(),
        format,
        content: text(rest),
        encoding: "UTF-8".into(),
        warnings: Vec::new(),
    };
    let doc = CLEANER.clean(&raw);
    assert_eq!(doc.input, "fuzz");
    assert_eq!(doc.format, format);
    assert!(!doc.id.is_empty(), "a document without an id");
    if doc.text.trim().is_empty() {
        assert!(
            doc.warnings.iter().any(|w| w == "no main text found"),
            "empty text without its warning"
        );
    }
    if let Some(p) = &doc.published {
        assert_iso_date(p);
    }
}

/// An ISO 8601 date at any precision (`2025`, `2025-10`, `2025-10-29`, with a time after it).
fn assert_iso_date(s: &str) {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    assert!(digits(0..4), "not an ISO date: {s:?}");
    if b.len() > 4 {
        assert!(b[4] == b'-' && digits(5..7), "not an ISO date: {s:?}");
    }
    if b.len() > 7 {
        assert!(b[7] == b'-' && digits(8..10), "not an ISO date: {s:?}");
    }
    if b.len() > 10 {
        assert!(b[10] == b'T', "not an ISO date: {s:?}");
    }
}

/// The date readers: cleaning's metadata dates and datelines, extraction's time expressions
/// (the first two bytes choose the reference year), and the search filter's date keys.
pub fn dates(data: &[u8]) {
    let (year, rest) = match data {
        [a, b, rest @ ..] => (1 + (u16::from_le_bytes([*a, *b]) % 9999) as i32, rest),
        _ => (2025, data),
    };
    let s = text(rest);
    if let Some(d) = meta::find_date(&s) {
        assert!(
            d.start <= d.end && s.get(d.start..d.end).is_some(),
            "bad span {d:?}"
        );
        assert_iso_date(&d.iso);
    }
    let all = meta::find_dates(&s);
    for w in all.windows(2) {
        assert!(
            w[0].end <= w[1].start,
            "overlapping or unordered dates {w:?}"
        );
    }
    for d in &all {
        assert!(s.get(d.start..d.end).is_some(), "bad span {d:?}");
        assert_iso_date(&d.iso);
    }
    if let Some(d) = meta::parse_declared_date(&s) {
        assert_iso_date(&d);
    }
    if let Some(d) = meta::as_of_date(&s) {
        assert_iso_date(&d);
    }
    for line in s.lines().take(64) {
        if let Some(dl) = meta::read_dateline(line) {
            dl.published
                .as_deref()
                .into_iter()
                .for_each(assert_iso_date);
            dl.modified.as_deref().into_iter().for_each(assert_iso_date);
        }
    }
    let _ = meta::bylines_in(&s);
    let _ = meta::author_names(&s);
    let reference = NaiveDate::from_ymd_opt(year, 6, 15);
    for t in dyad_extract::time::find_times(&s, reference) {
        assert_eq!(
            s.get(t.start..t.end),
            Some(t.text.as_str()),
            "a time expression's span is not its text: {t:?}"
        );
    }
    #[cfg(feature = "search")]
    for upper in [false, true] {
        if let Some(k) = dyad_search::date_key(s.trim(), upper) {
            assert_iso_date(&k);
        }
    }
}

/// Encoding detection and decoding, then format sniffing, as for a file without a known name,
/// an `.html` file and a `.txt` file.
pub fn decode(data: &[u8]) {
    for input in ["-", "page.html", "page.txt"] {
        match dyad_ingest::from_bytes(input, data, LIMITS) {
            Ok(raw) => {
                assert_eq!(raw.input, input);
                assert!(
                    !raw.encoding.is_empty(),
                    "decoded without naming the encoding"
                );
            }
            Err(e) => assert!(!e.to_string().is_empty(), "an error without a message"),
        }
    }
}

/// Checks what any container read must satisfy: each record named after the container, each
/// problem a message, each link a URL.
fn check_container(input: &str, result: Result<Contents, ContainerError>) -> Option<Contents> {
    match result {
        Ok(c) => {
            let prefix = format!("{input}#");
            for r in &c.records {
                assert!(
                    r.raw.input.starts_with(&prefix),
                    "record {:?} not named after its container",
                    r.raw.input
                );
                if let Some(p) = &r.published {
                    assert_iso_date(p);
                }
            }
            for p in &c.problems {
                assert!(!p.message.is_empty(), "a problem without a message");
            }
            for l in &c.links {
                assert!(!l.url.trim().is_empty(), "an empty link");
            }
            Some(c)
        }
        Err(e) => {
            assert!(!e.to_string().is_empty(), "an error without a message");
            None
        }
    }
}

/// RSS and Atom feeds: read as `.rss` and as `.atom` (both sniffed as feed or sitemap).
pub fn feed(data: &[u8]) {
    for input in ["feed.rss", "feed.atom"] {
        check_container(input, dyad_ingest::read_container(input, data, LIMITS));
    }
}

/// Sitemaps (`<urlset>`, `<sitemapindex>`, Google News), and URL lists, read by name.
pub fn sitemap(data: &[u8]) {
    for input in ["sitemap.xml", "list.urls"] {
        check_container(input, dyad_ingest::read_container(input, data, LIMITS));
    }
}

/// WARC, read by name and sniffed (standard input).
pub fn warc(data: &[u8]) {
    for input in ["crawl.warc", "-"] {
        check_container(input, dyad_ingest::read_container(input, data, LIMITS));
    }
}

/// WARC.gz: the input is compressed as gzip members (the first byte sets the member size),
/// then cut short (the second byte sets where), as a crawl file interrupted mid-download.
pub fn warc_gz(data: &[u8]) {
    let [a, b, rest @ ..] = data else {
        return;
    };
    let member = 16 + usize::from(*a) * 16;
    let mut gz = Vec::new();
    for chunk in rest.chunks(member) {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        // Writing to a Vec cannot fail.
        enc.write_all(chunk).expect("write to memory");
        gz.extend(enc.finish().expect("write to memory"));
    }
    if *b < 128 && !gz.is_empty() {
        let keep = gz.len() * usize::from(*b) / 128;
        gz.truncate(keep.max(2));
    }
    let whole = check_container(
        "crawl.warc.gz",
        dyad_ingest::read_container("crawl.warc.gz", &gz, LIMITS),
    );
    if *b >= 128 {
        // Not truncated: the same records as the uncompressed file.
        let plain = check_container(
            "crawl.warc",
            dyad_ingest::read_container("crawl.warc", rest, LIMITS),
        );
        if let (Some(z), Some(p)) = (whole, plain) {
            assert_eq!(
                z.records.len(),
                p.records.len(),
                "gzip changed the records read"
            );
        }
    }
    // The raw input as if it were a gzip file already.
    check_container(
        "raw.warc.gz",
        dyad_ingest::read_container("raw.warc.gz", data, LIMITS),
    );
}

/// JSON Lines (dyad's own and news-please's field names). A broken line appended after the
/// input must not lose any record read before it.
pub fn jsonl(data: &[u8]) {
    let before = check_container(
        "a.jsonl",
        dyad_ingest::read_container("a.jsonl", data, LIMITS),
    );
    let mut more = data.to_vec();
    more.extend_from_slice(b"\n{\"text\": \"broken");
    let after = check_container(
        "a.jsonl",
        dyad_ingest::read_container("a.jsonl", &more, LIMITS),
    );
    if let Some(b) = before {
        let a = after.expect("a container that was read cannot fail to read with a line added");
        assert!(
            a.records.len() >= b.records.len(),
            "a broken line added lost records: {} then {}",
            b.records.len(),
            a.records.len()
        );
    }
}

#[cfg(feature = "search")]
pub use search::search_query;

#[cfg(feature = "search")]
mod search {
    use std::cell::RefCell;

    use dyad_model::Document;

    use super::text;

    /// A small index in a temporary folder, built once per thread from fixed documents.
    struct SearchFixture {
        index: dyad_search::Index,
        _dir: tempfile::TempDir,
    }

    fn search_fixture() -> SearchFixture {
        // Fuzzing cannot start without its fixture: these failures end the run with a message.
        let dir = tempfile::tempdir().expect("temporary folder for the fuzz index");
        let mut index = dyad_search::Index::open(dir.path()).expect("open the fuzz index");
        let docs = [
            (
                "a",
                "Defense talks in Seoul",
                "The ministers met in Seoul to discuss tariffs.",
                "en",
                "2025-10-29",
            ),
            (
                "b",
                "관세 협상",
                "한미 관세 협상이 서울에서 열렸다.",
                "ko",
                "2025-11-02",
            ),
            (
                "c",
                "Chip plant",
                "A semiconductor plant in Texas, announced in 2024.",
                "en",
                "2024-03",
            ),
        ];
        for (seq, (input, title, body, lang, published)) in docs.into_iter().enumerate() {
            let doc = Document {
                language: lang.into(),
                published: Some(published.into()),
                source: Some("Fuzz Wire".into()),
                ..Document::new(input, Some(title), body)
            };
            index
                .add(seq as i64 + 1, &doc)
                .expect("index a fuzz document");
        }
        index.commit(3).expect("commit the fuzz index");
        SearchFixture { index, _dir: dir }
    }

    thread_local! {
        static SEARCH: RefCell<Option<SearchFixture>> = const { RefCell::new(None) };
    }

    /// The search query: lines are the query text, then `since`, `until`, `lang` and `source`
    /// filters (empty lines leave a filter out), run against a small fixed index.
    pub fn search_query(data: &[u8]) {
        let s = text(data);
        let mut lines = s.split('\n');
        let text = lines.next().unwrap_or_default().to_string();
        let mut field = || lines.next().filter(|l| !l.is_empty()).map(str::to_string);
        let q = dyad_search::Query {
            text,
            since: field(),
            until: field(),
            lang: field(),
            source: field(),
            limit: 5,
            offset: 0,
        };
        SEARCH.with(|cell| {
            let mut cell = cell.borrow_mut();
            let fixture = cell.get_or_insert_with(search_fixture);
            match fixture.index.search_page(&q) {
                Ok(page) => {
                    assert!(page.hits.len() <= 5, "more hits than the limit");
                    assert!(page.total >= page.hits.len(), "fewer matches than hits");
                }
                Err(e) => assert!(!e.to_string().is_empty(), "an error without a message"),
            }
        });
    }
}
