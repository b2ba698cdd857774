//! RSS and Atom feeds, read with feed-rs: every entry becomes a [`Link`]; an entry that carries
//! its full content (`content:encoded`, Atom `content`) also becomes a [`Record`], so feeds with
//! full text need no fetching.
//!
//! A tolerant pass over the XML runs as well. It tells whether the feed is complete (feed-rs
//! reads a cut-off feed without complaint, half-read last entry included), and when feed-rs
//! rejects a feed (truncated, ill-formed, or one element it is strict about) the entries that
//! the tolerant pass read completely are used instead.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use dyad_model::{Format, RawDoc};

use crate::containers::{
    ContainerError, ContainerKind, Contents, Link, LinkKind, Record, is_http_url, non_empty,
    record_input,
};
use crate::dates;
use crate::xml::{self, End, Step, Walk};

/// An entry, whichever pass read it.
#[derive(Debug, Default)]
struct Entry {
    url: Option<String>,
    title: Option<String>,
    published: Option<String>,
    updated: Option<String>,
    content: Option<(Format, String)>,
}

/// What the whole feed says about itself.
#[derive(Debug, Default)]
struct FeedInfo {
    title: Option<String>,
    language: Option<String>,
}

pub(crate) fn read(input: &str, bytes: &[u8]) -> Result<Contents, ContainerError> {
    let (text, encoding) = xml::decode(bytes);
    let scan = scan(&text);
    let mut contents = Contents::new(ContainerKind::Feed);
    let (info, mut entries) = match parse_with_feed_rs(text.as_bytes()) {
        Ok(Err(why)) => {
            // A crash of the feed parser is a failure of this feed, even when the tolerant pass
            // read its entries.
            contents.problem(0, format!("the feed parser crashed on this feed: {why}"));
            if !scan.is_feed {
                return Ok(contents);
            }
            (scan.info, scan.entries)
        }
        Ok(Ok((info, mut entries))) => {
            if scan.end != End::Complete {
                // feed-rs read up to the cut: keep only the entries that ended before it.
                entries.truncate(scan.entries.len());
            }
            (info, entries)
        }
        Err(e) if !scan.is_feed => {
            return Err(ContainerError::format(ContainerKind::Feed, e));
        }
        Err(_) => (scan.info, scan.entries),
    };
    let complete = entries.len();
    match &scan.end {
        End::Complete => {}
        End::Truncated => contents.problem(
            complete + 1,
            format!("truncated feed after {complete} entries"),
        ),
        End::Broken(why) => contents.problem(
            complete + 1,
            format!("broken XML after {complete} entries: {why}"),
        ),
    }
    for (i, e) in entries.drain(..).enumerate() {
        let n = i + 1;
        if let Some((format, content)) = e.content {
            contents.records.push(Record {
                raw: RawDoc {
                    input: record_input(input, e.url.as_deref(), n),
                    format,
                    content,
                    encoding: encoding.name().to_string(),
                    warnings: Vec::new(),
                },
                url: e.url.clone(),
                title: e.title.clone(),
                published: e.published.clone(),
                source: info.title.clone(),
                authors: Vec::new(),
                language: info.language.clone(),
                description: None,
            });
        }
        if let Some(url) = e.url {
            contents.links.push(Link {
                url,
                kind: LinkKind::Page,
                title: e.title,
                published: e.published,
                updated: e.updated,
                source: info.title.clone(),
                language: info.language.clone(),
            });
        }
    }
    Ok(contents)
}

/// Dates as the feed wrote them, by instant: feed-rs keeps only UTC instants, and the offset
/// (`+09:00` for a Korean outlet) tells the local publication day.
type SeenDates = Arc<Mutex<HashMap<i64, String>>>;

/// What feed-rs read: `Err` when it rejected the feed, `Ok(Err)` when it panicked on it.
type FeedRs = Result<Result<(FeedInfo, Vec<Entry>), String>, String>;

fn parse_with_feed_rs(bytes: &[u8]) -> FeedRs {
    let seen: SeenDates = Arc::default();
    let recorder = Arc::clone(&seen);
    let parser = feed_rs::parser::Builder::new()
        .sanitize_content(false)
        .timestamp_parser(move |s| {
            let p = dates::parse(s)?;
            if let Ok(mut seen) = recorder.lock() {
                seen.entry(p.instant.timestamp()).or_insert(p.iso);
            }
            Some(p.instant)
        })
        .build();
    // feed-rs is a third-party parser fed untrusted bytes: a panic in it must not abort the run
    // (the crate's invariant), so it is caught and reported as the feed's failure.
    let feed = match crate::guard::catch(|| parser.parse(bytes)) {
        Ok(result) => result.map_err(|e| e.to_string())?,
        Err(panicked) => return Ok(Err(panicked)),
    };
    let seen = seen.lock().map(|m| m.clone()).unwrap_or_default();
    let iso = |dt: Option<DateTime<Utc>>| {
        dt.map(|dt| {
            seen.get(&dt.timestamp())
                .cloned()
                .unwrap_or_else(|| dt.format("%Y-%m-%dT%H:%M:%S%:z").to_string())
        })
    };
    let info = FeedInfo {
        title: non_empty(feed.title.as_ref().map(|t| t.content.as_str())),
        language: non_empty(feed.language.as_deref()),
    };
    let entries = feed
        .entries
        .into_iter()
        .map(|e| {
            let url = e
                .links
                .iter()
                .filter(|l| l.target.is_none())
                .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
                .map(|l| l.href.trim().to_string())
                .filter(|u| is_http_url(u))
                .or_else(|| Some(e.id.trim().to_string()).filter(|u| is_http_url(u)));
            let content = e.content.and_then(|c| {
                let body = non_empty(c.body.as_deref())?;
                content_format(c.content_type.as_str()).map(|f| (f, body))
            });
            // RSS has no `updated`: feed-rs copies `published` into it.
            let updated = e.updated.filter(|u| Some(*u) != e.published);
            Entry {
                url,
                title: non_empty(e.title.as_ref().map(|t| t.content.as_str())),
                published: iso(e.published),
                updated: iso(updated),
                content,
            }
        })
        .collect();
    Ok(Ok((info, entries)))
}

/// HTML or text, by a content type (`text/html`, `html`, `xhtml`, `text/plain`, `text`);
/// anything else (base64 media, inline XML) is not a document.
fn content_format(content_type: &str) -> Option<Format> {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "text/html" | "html" | "application/xhtml+xml" | "xhtml" => Some(Format::Html),
        "text/plain" | "text" => Some(Format::Text),
        _ => None,
    }
}

/// The tolerant pass: complete entries in document order, and how the document ended.
struct Scan {
    is_feed: bool,
    info: FeedInfo,
    entries: Vec<Entry>,
    end: End,
}

/// An entry being read by the tolerant pass.
#[derive(Default)]
struct Raw {
    link_text: String,
    link_href: Option<String>,
    id: String,
    title: String,
    published: String,
    updated: String,
    content: String,
    content_type: Option<String>,
    encoded: String,
}

fn scan(text: &str) -> Scan {
    let mut walk = Walk::new(text);
    let mut is_feed = false;
    let mut info_title = String::new();
    let mut info_language = String::new();
    let mut entries = Vec::new();
    let mut raw: Option<Raw> = None;
    let end = loop {
        match walk.next_step() {
            Step::Open { attrs, .. } => {
                let attr = |k: &str| attrs.iter().find(|(a, _)| a == k).map(|(_, v)| v.clone());
                let name = walk.at(0);
                if walk.path.len() == 1 {
                    is_feed = matches!(name, "rss" | "feed" | "RDF" | "channel");
                    if name == "feed"
                        && let Some(lang) = attr("lang")
                    {
                        info_language = lang;
                    }
                } else if matches!(name, "item" | "entry")
                    && matches!(walk.at(1), "channel" | "feed" | "RDF")
                {
                    raw = Some(Raw::default());
                } else if let Some(r) = raw.as_mut()
                    && matches!(walk.at(1), "item" | "entry")
                {
                    match name {
                        "link" => {
                            let rel = attr("rel");
                            if r.link_href.is_none()
                                && rel.as_deref().is_none_or(|r| r == "alternate")
                            {
                                r.link_href = attr("href");
                            }
                        }
                        "content" => r.content_type = attr("type"),
                        _ => {}
                    }
                }
            }
            Step::Text(t) => {
                if let Some(r) = raw.as_mut() {
                    if !matches!(walk.at(1), "item" | "entry") {
                        continue;
                    }
                    let field = match walk.at(0) {
                        "link" => &mut r.link_text,
                        "guid" | "id" => &mut r.id,
                        "title" => &mut r.title,
                        "pubDate" | "published" | "date" | "issued" => &mut r.published,
                        "updated" | "modified" => &mut r.updated,
                        "encoded" => &mut r.encoded,
                        "content" => &mut r.content,
                        _ => continue,
                    };
                    field.push_str(&t);
                } else if walk.at(0) == "title" && matches!(walk.at(1), "channel" | "feed") {
                    info_title.push_str(&t);
                } else if walk.at(0) == "language" && walk.at(1) == "channel" {
                    info_language.push_str(&t);
                }
            }
            Step::Close => {
                if matches!(walk.at(0), "item" | "entry")
                    && matches!(walk.at(1), "channel" | "feed" | "RDF")
                    && let Some(r) = raw.take()
                {
                    entries.push(finish(r));
                }
            }
            Step::Done(end) => break end,
        }
    };
    Scan {
        is_feed,
        info: FeedInfo {
            title: non_empty(Some(&info_title)),
            language: non_empty(Some(&info_language)),
        },
        entries,
        end,
    }
}

fn finish(r: Raw) -> Entry {
    let url = [r.link_href.as_deref(), Some(&r.link_text), Some(&r.id)]
        .into_iter()
        .flatten()
        .map(str::trim)
        .find(|u| is_http_url(u))
        .map(str::to_string);
    let content = match non_empty(Some(&r.encoded)) {
        Some(html) => Some((Format::Html, html)),
        None => non_empty(Some(&r.content)).and_then(|body| {
            content_format(r.content_type.as_deref().unwrap_or("text")).map(|f| (f, body))
        }),
    };
    let published = dates::normalize(&r.published);
    let updated = dates::normalize(&r.updated).filter(|u| Some(u) != published.as_ref());
    Entry {
        url,
        title: non_empty(Some(&r.title)),
        published,
        updated,
        content,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSS: &str = r#"<?xml version="1.0"?>
<rss version="2.0"><channel><title>T</title>
<item><title>A</title><link>https://a.example/1</link><pubDate>Wed, 29 Oct 2025 09:30:00 +0900</pubDate></item>
</channel></rss>"#;

    #[test]
    fn feed_rs_reads_well_formed_feeds_and_offsets_survive() {
        let (info, entries) = parse_with_feed_rs(RSS.as_bytes())
            .expect("feed-rs parses")
            .expect("feed-rs does not panic");
        assert_eq!(info.title.as_deref(), Some("T"));
        assert_eq!(
            entries[0].published.as_deref(),
            Some("2025-10-29T09:30:00+09:00")
        );
        assert_eq!(scan(RSS).end, End::Complete);
    }

    fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend_from_slice(if big_endian {
                &[0xFE, 0xFF]
            } else {
                &[0xFF, 0xFE]
            });
        }
        for u in text.encode_utf16() {
            out.extend_from_slice(&if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            });
        }
        out
    }

    /// Issue 15: a UTF-16BE feed made quick-xml panic inside feed-rs; the panic was caught with
    /// a backtrace on stderr, and the run exited 0. Feeds are now decoded to UTF-8 first.
    #[test]
    fn regression_utf16be_feed_panicked() {
        let feed = RSS
            .replace(
                "<?xml version=\"1.0\"?>",
                "<?xml version=\"1.0\" encoding=\"UTF-16\"?>",
            )
            .replace("<title>A</title>", "<title>정상회담 A</title>");
        for big_endian in [true, false] {
            for bom in [true, false] {
                let bytes = utf16(&feed, big_endian, bom);
                let c = read("f.xml", &bytes).expect("a UTF-16 feed reads");
                assert!(c.problems.is_empty(), "{:?}", c.problems);
                assert_eq!(c.links.len(), 1, "big endian {big_endian}, BOM {bom}");
                assert_eq!(c.links[0].url, "https://a.example/1");
                assert_eq!(c.links[0].title.as_deref(), Some("정상회담 A"));
                assert_eq!(
                    c.links[0].published.as_deref(),
                    Some("2025-10-29T09:30:00+09:00")
                );
                assert_eq!(
                    crate::xml::sniff(&bytes),
                    Some(ContainerKind::Feed),
                    "sniffed as a feed"
                );
            }
        }
    }

    #[test]
    fn legacy_encoded_feeds_declared_or_not() {
        let feed = RSS.replace(
            "<title>A</title>",
            "<title>이재명 대통령 경주 정상회담</title>",
        );
        let declared = feed.replace(
            "<?xml version=\"1.0\"?>",
            "<?xml version=\"1.0\" encoding=\"EUC-KR\"?>",
        );
        for text in [declared, feed.replace("<?xml version=\"1.0\"?>\n", "")] {
            let (bytes, _, _) = encoding_rs::EUC_KR.encode(&text);
            let c = read("f.xml", &bytes).expect("an EUC-KR feed reads");
            assert!(c.problems.is_empty(), "{:?}", c.problems);
            assert_eq!(
                c.links[0].title.as_deref(),
                Some("이재명 대통령 경주 정상회담")
            );
        }
    }

    #[test]
    fn the_tolerant_pass_stands_in_when_feed_rs_refuses() {
        // feed-rs rejects an `<rss>` without a version, or with one it does not know.
        for feed in [
            RSS.replace(" version=\"2.0\"", ""),
            RSS.replace(" version=\"2.0\"", " version=\"2.0.1\""),
        ] {
            assert!(parse_with_feed_rs(feed.as_bytes()).is_err(), "{feed}");
            let c = read("f.xml", feed.as_bytes()).expect("read by the tolerant pass");
            assert!(c.problems.is_empty());
            assert_eq!(c.links.len(), 1);
            assert_eq!(c.links[0].url, "https://a.example/1");
        }
    }
}
