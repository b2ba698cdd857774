//! Containers: files that hold many documents (JSON Lines, WARC) or links to documents (RSS and
//! Atom feeds, sitemaps, URL lists).
//!
//! **Invariants** (those of the crate, plus):
//! - One broken record never loses the others: it becomes a [`Problem`] and reading goes on.
//!   A truncated container keeps every record that ended before the cut.
//! - A whole container fails ([`ContainerError`]) only when it cannot be read at all, or is not
//!   the format its name says (nothing in it parses).
//! - Decompressed size is capped at [`Limits::max_bytes`], as for single documents.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use dyad_model::RawDoc;
use flate2::read::MultiGzDecoder;

use crate::{Item, Limits, ReadError};

/// A document found inside a container, with what the container says about it.
///
/// The container's metadata is a fallback: for HTML, the page's own metadata (read by cleaning)
/// should win; for text records (JSON Lines `text`/`maintext`) it is all there is.
#[derive(Debug, Clone)]
pub struct Record {
    /// The content. `raw.input` is `"{container}#{url}"` when the record has a URL, else
    /// `"{container}#{n}"` (the 1-based line of a JSON Lines file, entry of a feed, record of a
    /// WARC file).
    pub raw: RawDoc,
    pub url: Option<String>,
    pub title: Option<String>,
    /// ISO 8601 at the precision the container gives, offset kept (`2025-10-29T10:00:00+09:00`).
    /// Never a crawl date: WARC records leave it `None`.
    pub published: Option<String>,
    /// The publication (JSON Lines `source`, news-please `source_domain`, a feed's title).
    pub source: Option<String>,
    /// Authors as the container lists them (news-please `authors`).
    pub authors: Vec<String>,
    /// Language code as the container states it (news-please `language`, a feed's language).
    pub language: Option<String>,
    /// Lead or summary (news-please `description`).
    pub description: Option<String>,
}

/// What a link points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkKind {
    /// An article page.
    Page,
    /// A sitemap (a `<sitemapindex>` child, or a URL list entry named like one).
    Sitemap,
    /// An RSS or Atom feed (a URL list entry named like one).
    Feed,
}

/// A link to fetch, found in a feed, sitemap or URL list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub url: String,
    pub kind: LinkKind,
    pub title: Option<String>,
    /// Publication date (RSS `pubDate`, Atom `published`, Google News
    /// `news:publication_date`), ISO 8601 with the source's offset.
    pub published: Option<String>,
    /// Last modification (Atom `updated`, sitemap `lastmod`): not a publication date.
    pub updated: Option<String>,
    /// The publication's name (Google News `news:name`, the feed's title).
    pub source: Option<String>,
    /// Language code (Google News `news:language`, the feed's language).
    pub language: Option<String>,
}

/// The container formats read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContainerKind {
    JsonLines,
    Warc,
    /// RSS 2.0, RSS 1.0 or Atom.
    Feed,
    /// `<urlset>` or `<sitemapindex>`.
    Sitemap,
    UrlList,
}

impl ContainerKind {
    fn name(self) -> &'static str {
        match self {
            ContainerKind::JsonLines => "JSON Lines",
            ContainerKind::Warc => "WARC",
            ContainerKind::Feed => "RSS/Atom feed",
            ContainerKind::Sitemap => "sitemap",
            ContainerKind::UrlList => "URL list",
        }
    }
}

impl fmt::Display for ContainerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A problem with one part of a container: the rest was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The 1-based line (JSON Lines, URL lists), entry (feeds, sitemaps) or record (WARC)
    /// concerned; 0 for the container as a whole (a truncated gzip stream).
    pub at: usize,
    /// A complete message that starts with the position: `line 7: truncated or invalid JSON`.
    pub message: String,
}

impl Problem {
    pub(crate) fn new(at: usize, message: impl Into<String>) -> Self {
        Problem {
            at,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// What a container holds.
///
/// This is a struct rather than an enum of records *or* links because a feed with full text
/// yields both: a link per entry, and a record per entry that carries its content.
#[derive(Debug, Clone)]
pub struct Contents {
    pub kind: ContainerKind,
    /// Documents with content (JSON Lines, WARC, feed entries with full text), in file order.
    pub records: Vec<Record>,
    /// Links to fetch (feeds, sitemaps, URL lists), in file order.
    pub links: Vec<Link>,
    /// Parts that could not be read (broken lines, truncated records); the caller should report
    /// each as a failure of `"{input}#{at}"` or as a warning on the container.
    pub problems: Vec<Problem>,
    /// Parts left out on purpose, counted by reason (WARC `request`, `metadata`, non-HTML or
    /// non-200 responses...). Not problems: a CC-NEWS file is mostly such records.
    pub skipped: BTreeMap<&'static str, usize>,
}

impl Contents {
    pub(crate) fn new(kind: ContainerKind) -> Self {
        Contents {
            kind,
            records: Vec::new(),
            links: Vec::new(),
            problems: Vec::new(),
            skipped: BTreeMap::new(),
        }
    }

    pub(crate) fn skip(&mut self, reason: &'static str) {
        *self.skipped.entry(reason).or_default() += 1;
    }

    pub(crate) fn problem(&mut self, at: usize, message: impl Into<String>) {
        self.problems.push(Problem::new(at, message));
    }
}

/// Why a container could not be read at all. Like [`ReadError`], the message names no input.
#[derive(Debug, thiserror::Error)]
pub enum ContainerError {
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The content is not the format the name declares, or no known container format.
    #[error("not {expected}: {why}")]
    Format { expected: &'static str, why: String },
}

impl ContainerError {
    pub(crate) fn format(kind: ContainerKind, why: impl Into<String>) -> Self {
        ContainerError::Format {
            expected: match kind {
                ContainerKind::JsonLines => "JSON Lines",
                ContainerKind::Warc => "a WARC file",
                ContainerKind::Feed => "an RSS or Atom feed",
                ContainerKind::Sitemap => "a sitemap",
                ContainerKind::UrlList => "a URL list",
            },
            why: why.into(),
        }
    }
}

/// What a name declares, before sniffing: XML names a feed or a sitemap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Declared {
    JsonLines,
    Warc,
    Xml,
    UrlList,
}

fn declared(name: &str) -> Option<Declared> {
    let lower = name.to_lowercase();
    let name = lower.strip_suffix(".gz").unwrap_or(&lower);
    let (_, ext) = name.rsplit_once('.')?;
    Some(match ext {
        "jsonl" | "ndjson" => Declared::JsonLines,
        "warc" => Declared::Warc,
        "rss" | "atom" | "xml" => Declared::Xml,
        "urls" => Declared::UrlList,
        _ => return None,
    })
}

/// Whether a path names a container: `.jsonl`, `.ndjson`, `.warc`, `.rss`, `.atom`, `.xml` (a
/// feed or a sitemap, told apart by content) or `.urls` (one URL per line), each optionally
/// gzip-compressed (`.warc.gz`, `.jsonl.gz`, `.xml.gz`, ...).
///
/// No name is both a container and [`is_supported`](crate::is_supported): a folder walk can take
/// `is_supported(p) || is_container(p)` and route each file by `is_container`.
pub fn is_container(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| declared(&n.to_string_lossy()))
        .is_some()
}

/// Reads a container from bytes (already read within the size limit; gzip is handled here).
/// The format comes from `input`'s extension, or is sniffed from the content when the name
/// declares none (standard input); `.xml`, `.rss` and `.atom` are sniffed as feed or sitemap.
///
/// Each record's `raw.input` is `"{input}#{url}"` or, without a URL, `"{input}#{n}"`.
pub fn read_container(
    input: &str,
    bytes: &[u8],
    limits: Limits,
) -> Result<Contents, ContainerError> {
    let (bytes, gzip_problem) = gunzip_lenient(bytes, limits)?;
    // A byte-order mark alone is as empty as nothing: no container reads anything from it.
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ReadError::Empty.into());
    }
    let kind = match declared(input) {
        Some(Declared::JsonLines) => ContainerKind::JsonLines,
        Some(Declared::Warc) => ContainerKind::Warc,
        Some(Declared::UrlList) => ContainerKind::UrlList,
        Some(Declared::Xml) => crate::xml::sniff(&bytes).unwrap_or(ContainerKind::Feed),
        None => sniff(&bytes).ok_or_else(|| ContainerError::Format {
            expected: "a known container",
            why: "not JSON Lines, WARC, a feed, a sitemap or a URL list".into(),
        })?,
    };
    let mut contents = match kind {
        ContainerKind::JsonLines => crate::jsonl::read(input, &bytes)?,
        ContainerKind::Warc => crate::warc::read(input, &bytes, limits)?,
        ContainerKind::Feed => crate::feed::read(input, &bytes)?,
        ContainerKind::Sitemap => crate::sitemap::read(&bytes)?,
        ContainerKind::UrlList => crate::urls::read(&bytes)?,
    };
    if let Some(p) = gzip_problem {
        contents.problems.insert(0, p);
    }
    Ok(contents)
}

/// Reads one item (a file or standard input) as a container, within `limits`: the container
/// counterpart of [`read`](crate::read).
pub fn read_container_item(item: &Item, limits: Limits) -> Result<Contents, ContainerError> {
    let bytes = match &item.path {
        Some(p) => {
            let meta = std::fs::metadata(p).map_err(ReadError::from)?;
            if !meta.is_file() {
                return Err(ReadError::NotFound.into());
            }
            if meta.len() > limits.max_bytes {
                return Err(crate::too_large(meta.len(), limits).into());
            }
            crate::read_capped(File::open(p).map_err(ReadError::from)?, limits)?
        }
        None => crate::read_capped(io::stdin().lock(), limits)?,
    };
    read_container(&item.input, &bytes, limits)
}

/// Guesses the container format of content whose name declares none.
fn sniff(bytes: &[u8]) -> Option<ContainerKind> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let head = body.trim_ascii_start();
    if head.is_empty() {
        return None;
    }
    if head.starts_with(b"WARC/") {
        Some(ContainerKind::Warc)
    } else if head.starts_with(b"{") {
        Some(ContainerKind::JsonLines)
    } else if head.starts_with(b"<") {
        crate::xml::sniff(bytes)
    } else if head.starts_with(b"#")
        || head
            .get(..7)
            .is_some_and(|p| p.eq_ignore_ascii_case(b"http://"))
        || head
            .get(..8)
            .is_some_and(|p| p.eq_ignore_ascii_case(b"https://"))
    {
        Some(ContainerKind::UrlList)
    } else {
        None
    }
}

/// Gunzips when the bytes are gzip, keeping what was decompressed before a truncation or a
/// corrupt member (a [`Problem`]) so that the complete records before it are still read.
/// Nothing decompressed at all is an error, as is output over the limit.
fn gunzip_lenient(
    bytes: &[u8],
    limits: Limits,
) -> Result<(std::borrow::Cow<'_, [u8]>, Option<Problem>), ReadError> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok((bytes.into(), None));
    }
    let mut out = Vec::new();
    let res = MultiGzDecoder::new(bytes)
        .take(limits.max_bytes + 1)
        .read_to_end(&mut out);
    if out.len() as u64 > limits.max_bytes {
        return Err(ReadError::TooLarge {
            size: format!(
                "more than {} once decompressed",
                crate::human(limits.max_bytes)
            ),
            limit: crate::human(limits.max_bytes),
        });
    }
    match res {
        Ok(_) => Ok((out.into(), None)),
        Err(e) if out.is_empty() => Err(ReadError::Gzip(e.to_string())),
        Err(e) => {
            let why = if e.kind() == io::ErrorKind::UnexpectedEof {
                "truncated".to_string()
            } else {
                format!("broken ({e})")
            };
            let p = Problem::new(
                0,
                format!(
                    "gzip stream {why} after {} decompressed bytes; the records before it were read",
                    out.len()
                ),
            );
            Ok((out.into(), Some(p)))
        }
    }
}

/// `"{input}#{url}"`, or `"{input}#{n}"` without a URL.
pub(crate) fn record_input(input: &str, url: Option<&str>, n: usize) -> String {
    match url {
        Some(u) => format!("{input}#{u}"),
        None => format!("{input}#{n}"),
    }
}

/// Trims and drops empty strings.
pub(crate) fn non_empty(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Whether a string is an absolute http(s) URL with a host and no whitespace.
pub(crate) fn is_http_url(s: &str) -> bool {
    let b = s.as_bytes();
    let scheme = if b
        .get(..8)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"https://"))
    {
        8
    } else if b
        .get(..7)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"http://"))
    {
        7
    } else {
        return false;
    };
    // The scheme is ASCII, so `scheme` is a character boundary.
    let host = s[scheme..].split(['/', '?', '#']).next().unwrap_or("");
    !host.is_empty() && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for yes in [
            "a.jsonl",
            "a.JSONL.gz",
            "a.ndjson",
            "cc.warc.gz",
            "x.warc",
            "f.rss",
            "f.atom",
            "sitemap.xml",
            "sitemap.xml.gz",
            "list.urls",
        ] {
            assert!(is_container(Path::new(yes)), "{yes}");
            assert!(!crate::is_supported(Path::new(yes)), "{yes}");
        }
        for no in ["a.html", "a.txt.gz", "a.json", "warc", "a.gz", "jsonl"] {
            assert!(!is_container(Path::new(no)), "{no}");
        }
    }

    #[test]
    fn urls() {
        assert!(is_http_url("https://example.com/a?b=1"));
        assert!(is_http_url("HTTP://example.com"));
        assert!(!is_http_url("https:///path"));
        assert!(!is_http_url("ftp://example.com/"));
        assert!(!is_http_url("https://exa mple.com/"));
        assert!(is_http_url("http://é.example/"));
    }
}
