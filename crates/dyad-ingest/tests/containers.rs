//! Containers end to end through `read_container`, on the fixtures in
//! `test_data/containers/` (all content invented; `make_warc.py` writes the WARC files).

use std::io::Write;
use std::path::{Path, PathBuf};

use dyad_ingest::{
    ContainerError, ContainerKind, Contents, Limits, LinkKind, is_container, is_supported,
    read_container,
};
use dyad_model::Format;
use proptest::prelude::*;

fn fixture(name: &str) -> (String, Vec<u8>) {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "test_data", "containers", name]
        .iter()
        .collect();
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (format!("data/{name}"), bytes)
}

fn read(name: &str) -> Contents {
    let (input, bytes) = fixture(name);
    read_container(&input, &bytes, Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).expect("in-memory write");
    e.finish().expect("in-memory gzip")
}

fn messages(c: &Contents) -> Vec<String> {
    c.problems.iter().map(|p| p.message.clone()).collect()
}

#[test]
fn names_are_containers_or_documents_never_both() {
    for name in [
        "a.jsonl",
        "a.jsonl.gz",
        "a.ndjson",
        "cc.warc",
        "CC-NEWS-20251030.warc.gz",
        "f.rss",
        "f.atom",
        "sitemap.xml",
        "list.urls",
    ] {
        assert!(is_container(Path::new(name)), "{name}");
        assert!(!is_supported(Path::new(name)), "{name}");
    }
    for name in ["a.html", "a.htm.gz", "a.txt", "notes.text"] {
        assert!(is_supported(Path::new(name)), "{name}");
        assert!(!is_container(Path::new(name)), "{name}");
    }
    for name in ["a.json", "a.gz", "README", "x.csv"] {
        assert!(!is_container(Path::new(name)) && !is_supported(Path::new(name)));
    }
}

#[test]
fn json_lines_records_and_per_line_problems() {
    let c = read("articles.jsonl");
    assert_eq!(c.kind, ContainerKind::JsonLines);
    assert!(c.links.is_empty());
    let inputs: Vec<&str> = c.records.iter().map(|r| r.raw.input.as_str()).collect();
    assert_eq!(
        inputs,
        [
            "data/articles.jsonl#https://news.example.com/2025/10/29/harbor-ferry",
            "data/articles.jsonl#https://news.example.com/2025/10/29/rail-strike",
            "data/articles.jsonl#6",
        ]
    );
    let [html, text, ko] = &c.records[..] else {
        panic!("three records")
    };
    assert_eq!(html.raw.format, Format::Html);
    assert!(html.raw.content.contains("<p>The city of Eastport"));
    assert_eq!(html.published.as_deref(), Some("2025-10-29T09:30:00+09:00"));
    assert_eq!(html.source.as_deref(), Some("Eastport Daily"));
    assert_eq!(text.raw.format, Format::Text);
    assert_eq!(text.title.as_deref(), Some("Rail workers call off strike"));
    assert_eq!(text.published.as_deref(), Some("2025-10-29T14:00:00+09:00"));
    assert!(text.raw.content.contains("\n\nTrains will run"));
    assert_eq!(ko.url, None);
    assert_eq!(ko.published.as_deref(), Some("2025-10-29"));
    assert!(ko.raw.content.starts_with("한빛시는 29일"));
    assert_eq!(ko.raw.encoding, "UTF-8");

    let at: Vec<usize> = c.problems.iter().map(|p| p.at).collect();
    assert_eq!(at, [3, 4, 7, 8], "{:?}", messages(&c));
    let m = messages(&c);
    assert!(m[0].starts_with("line 3: invalid JSON"), "{}", m[0]);
    assert!(m[1].starts_with("line 4: no content"), "{}", m[1]);
    assert_eq!(m[2], "line 7: not a JSON object");
    assert_eq!(m[3], "line 8: truncated or invalid JSON");
}

#[test]
fn json_lines_with_news_please_field_names() {
    let c = read("newsplease.jsonl");
    assert!(c.problems.is_empty(), "{:?}", messages(&c));
    let [a, b] = &c.records[..] else {
        panic!("two records")
    };
    assert_eq!(a.raw.format, Format::Text);
    assert!(a.raw.content.starts_with("The provincial assembly passed"));
    assert_eq!(a.title.as_deref(), Some("Assembly passes water bill"));
    assert_eq!(a.published.as_deref(), Some("2025-10-29T15:30:00"));
    assert_eq!(a.source.as_deref(), Some("news.example.org"));
    assert_eq!(a.authors, ["Mina Park", "Joon Lee"]);
    assert_eq!(a.language.as_deref(), Some("en"));
    assert_eq!(
        a.description.as_deref(),
        Some("The provincial assembly passed the water bill.")
    );
    assert_eq!(
        a.raw.input,
        "data/newsplease.jsonl#https://news.example.org/politics/water-bill"
    );
    // `title` is null: `title_page` stands in; a null date is no date.
    assert_eq!(b.title.as_deref(), Some("한빛시 의회, 예산안 통과"));
    assert_eq!(b.published, None);
    assert!(b.authors.is_empty());
    assert_eq!(b.language.as_deref(), Some("ko"));
}

#[test]
fn json_lines_gzip_and_truncated_gzip() {
    let (_, bytes) = fixture("newsplease.jsonl");
    let z = gz(&bytes);
    let c = read_container("a.jsonl.gz", &z, Limits::default()).expect("gzip");
    assert_eq!(c.records.len(), 2);
    assert!(c.problems.is_empty());
    // Cut inside the compressed stream: the lines before the cut survive, the cut one is a
    // problem.
    let many: String = (0..200)
        .map(|i| {
            format!("{{\"url\": \"https://a.example/{i}\", \"text\": \"Story number {i}.\"}}\n")
        })
        .collect();
    let z = gz(many.as_bytes());
    let cut = read_container("a.jsonl.gz", &z[..z.len() / 2], Limits::default())
        .expect("partial gzip is read");
    assert!(
        (1..200).contains(&cut.records.len()),
        "{}",
        cut.records.len()
    );
    let m = messages(&cut);
    assert!(m[0].starts_with("gzip stream truncated"), "{m:?}");
    assert_eq!(cut.problems[0].at, 0);
    let line = cut.records.len() + 1;
    assert_eq!(m[1], format!("line {line}: truncated or invalid JSON"));
    for (i, r) in cut.records.iter().enumerate() {
        assert_eq!(r.raw.content, format!("Story number {i}."));
    }
}

#[test]
fn json_lines_with_nothing_readable_is_an_error() {
    let err = read_container("x.jsonl", b"not json\nnor this\n", Limits::default()).unwrap_err();
    assert!(matches!(err, ContainerError::Format { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "not JSON Lines: line 1: invalid JSON at column 2"
    );
    let err = read_container("x.jsonl", b"  \n\n", Limits::default()).unwrap_err();
    assert_eq!(err.to_string(), "empty input");
}

#[test]
fn rss_entries_become_links_and_full_text_becomes_records() {
    let c = read("feed.rss");
    assert_eq!(c.kind, ContainerKind::Feed);
    assert!(c.problems.is_empty(), "{:?}", messages(&c));
    let urls: Vec<&str> = c.links.iter().map(|l| l.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "https://news.example.com/2025/10/29/harbor-ferry",
            "https://news.example.com/2025/10/29/rail-strike",
            "https://news.example.kr/society/library",
        ]
    );
    let published: Vec<Option<&str>> = c.links.iter().map(|l| l.published.as_deref()).collect();
    assert_eq!(
        published,
        [
            Some("2025-10-29T09:30:00+09:00"),
            Some("2025-10-29T14:00:00+09:00"),
            Some("2025-10-29T16:00:00+09:00"),
        ]
    );
    assert_eq!(
        c.links[1].title.as_deref(),
        Some("Rail workers call off strike & return to talks")
    );
    assert!(c.links.iter().all(|l| l.kind == LinkKind::Page));
    assert!(c.links.iter().all(|l| l.updated.is_none()));
    assert_eq!(c.links[0].source.as_deref(), Some("Eastport Daily"));
    assert_eq!(c.links[0].language.as_deref(), Some("en"));

    let [r] = &c.records[..] else {
        panic!("one entry carries content:encoded")
    };
    assert_eq!(
        r.raw.input,
        "data/feed.rss#https://news.example.com/2025/10/29/harbor-ferry"
    );
    assert_eq!(r.raw.format, Format::Html);
    assert!(r.raw.content.starts_with("<p>The city of Eastport"));
    assert_eq!(
        r.title.as_deref(),
        Some("Harbor city opens new ferry terminal")
    );
    assert_eq!(r.published.as_deref(), Some("2025-10-29T09:30:00+09:00"));
}

#[test]
fn atom_entries_links_and_content() {
    let c = read("feed.atom");
    assert!(c.problems.is_empty(), "{:?}", messages(&c));
    let urls: Vec<&str> = c.links.iter().map(|l| l.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "https://gazette.example.net/2025/10/30/bridge",
            "https://gazette.example.net/2025/10/30/budget",
            "https://gazette.example.net/2025/10/30/fog",
        ]
    );
    let bridge = &c.links[0];
    assert_eq!(
        bridge.published.as_deref(),
        Some("2025-10-30T07:15:00+01:00")
    );
    assert_eq!(bridge.updated.as_deref(), Some("2025-10-30T09:00:00+01:00"));
    assert_eq!(c.links[1].updated, None, "updated == published is not news");
    let fog = &c.links[2];
    assert_eq!(fog.published, None, "updated is not a publication date");
    assert_eq!(fog.updated.as_deref(), Some("2025-10-30T06:00:00+01:00"));
    assert_eq!(fog.source.as_deref(), Some("Millbrook Gazette"));

    let formats: Vec<Format> = c.records.iter().map(|r| r.raw.format).collect();
    assert_eq!(formats, [Format::Html, Format::Text]);
    assert!(
        c.records[0]
            .raw
            .content
            .starts_with("<p>The Millbrook bridge")
    );
    assert_eq!(
        c.records[1].raw.content,
        "The town council approved next year's school budget on Thursday."
    );
}

#[test]
fn truncated_feed_keeps_complete_entries() {
    let c = read("truncated.rss");
    assert_eq!(c.links.len(), 2);
    assert_eq!(c.records.len(), 1);
    assert_eq!(messages(&c), ["truncated feed after 2 entries"]);
    assert_eq!(c.problems[0].at, 3);
}

#[test]
fn feed_cut_anywhere_never_yields_half_entries() {
    let (_, bytes) = fixture("feed.rss");
    let text = String::from_utf8(bytes).expect("utf-8 fixture");
    let end = text.find("</rss>").expect("closed") + "</rss>".len();
    let mut last = 0;
    for cut in (1..=text.len()).filter(|&i| text.is_char_boundary(i)) {
        let got = read_container("f.rss", &text.as_bytes()[..cut], Limits::default());
        let Ok(c) = got else { continue };
        assert!(c.links.len() >= last, "cut {cut}: entries went down");
        assert!(c.links.len() <= 3);
        last = c.links.len();
        if cut < end {
            assert!(!c.problems.is_empty(), "cut {cut} not reported");
        } else {
            assert!(c.problems.is_empty(), "cut {cut}: {:?}", messages(&c));
        }
        for r in &c.records {
            assert!(r.raw.content.ends_with("</p>"), "cut {cut}: half a record");
        }
    }
    assert_eq!(last, 3);
}

#[test]
fn news_sitemap_urlset() {
    let c = read("sitemap-news.xml");
    assert_eq!(c.kind, ContainerKind::Sitemap);
    assert_eq!(c.links.len(), 3);
    assert!(c.links.iter().all(|l| l.kind == LinkKind::Page));
    let a = &c.links[0];
    assert_eq!(
        a.url,
        "https://news.example.com/2025/10/29/harbor-ferry?ref=sitemap&page=1"
    );
    assert_eq!(
        a.title.as_deref(),
        Some("Harbor city opens new ferry terminal")
    );
    assert_eq!(a.published.as_deref(), Some("2025-10-29T09:30:00+09:00"));
    assert_eq!(a.updated.as_deref(), Some("2025-10-29T11:00:00+09:00"));
    assert_eq!(a.source.as_deref(), Some("Eastport Daily"));
    assert_eq!(a.language.as_deref(), Some("en"));
    let ko = &c.links[1];
    assert_eq!(ko.title.as_deref(), Some("한빛시, 새 시립 도서관 개관"));
    assert_eq!(ko.published.as_deref(), Some("2025-10-29"));
    assert_eq!(ko.source.as_deref(), Some("한빛일보"));
    let about = &c.links[2];
    assert_eq!(
        (about.title.as_deref(), about.published.as_deref()),
        (None, None)
    );
    assert_eq!(about.updated.as_deref(), Some("2025-01-01"));
    let m = messages(&c);
    assert_eq!(m.len(), 1);
    assert!(
        m[0].starts_with("entry 3: <loc> is not an absolute http(s) URL"),
        "{m:?}"
    );
}

#[test]
fn sitemap_index_links_child_sitemaps() {
    let c = read("sitemap-index.xml");
    assert_eq!(c.kind, ContainerKind::Sitemap);
    assert!(c.problems.is_empty());
    assert!(c.links.iter().all(|l| l.kind == LinkKind::Sitemap));
    let urls: Vec<&str> = c.links.iter().map(|l| l.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "https://news.example.com/sitemap-news.xml",
            "https://news.example.com/sitemap-2025-10.xml.gz",
        ]
    );
    assert_eq!(
        c.links[0].updated.as_deref(),
        Some("2025-10-30T06:00:00+00:00")
    );
}

#[test]
fn truncated_sitemap_keeps_complete_entries() {
    let (_, bytes) = fixture("sitemap-news.xml");
    let text = String::from_utf8(bytes).expect("utf-8");
    let cut = text.find("<loc>/relative").expect("fixture");
    let c = read_container("s.xml", &text.as_bytes()[..cut], Limits::default()).expect("reads");
    assert_eq!(c.links.len(), 2);
    assert_eq!(messages(&c), ["truncated sitemap after 2 entries"]);
}

#[test]
fn kinds_are_sniffed_from_content() {
    for (name, kind) in [
        ("feed.rss", ContainerKind::Feed),
        ("feed.atom", ContainerKind::Feed),
        ("sitemap-news.xml", ContainerKind::Sitemap),
        ("sitemap-index.xml", ContainerKind::Sitemap),
        ("newsplease.jsonl", ContainerKind::JsonLines),
        ("news.warc", ContainerKind::Warc),
        ("news.warc.gz", ContainerKind::Warc),
        ("list.urls", ContainerKind::UrlList),
    ] {
        let (_, bytes) = fixture(name);
        for input in ["-", "renamed.xml"] {
            if input.ends_with(".xml")
                && !matches!(kind, ContainerKind::Feed | ContainerKind::Sitemap)
            {
                continue;
            }
            let c = read_container(input, &bytes, Limits::default())
                .unwrap_or_else(|e| panic!("{name} as {input}: {e}"));
            assert_eq!(c.kind, kind, "{name} as {input}");
        }
    }
    let with_bom = [&b"\xEF\xBB\xBF"[..], b"https://a.example/1\n"].concat();
    let c = read_container("-", &with_bom, Limits::default()).expect("BOM then a URL");
    assert_eq!(c.kind, ContainerKind::UrlList);
    assert_eq!(c.links[0].url, "https://a.example/1");
    // A byte-order mark and blank lines alone are empty under every name (found by fuzzing:
    // the JSON Lines reader took one for an empty container, then refused it a broken line).
    for input in ["a.jsonl", "a.warc", "a.xml", "urls.txt", "-"] {
        let err = read_container(input, b"\xEF\xBB\xBF \n", Limits::default()).unwrap_err();
        assert!(err.to_string().contains("empty"), "{input}: {err}");
    }
    let err = read_container("-", b"Just some words.", Limits::default()).unwrap_err();
    assert!(matches!(err, ContainerError::Format { .. }), "{err}");
    let err = read_container(
        "page.xml",
        b"<html><body>x</body></html>",
        Limits::default(),
    )
    .unwrap_err();
    assert!(
        err.to_string().starts_with("not an RSS or Atom feed"),
        "{err}"
    );
}

#[test]
fn url_lists() {
    let c = read("list.urls");
    let got: Vec<(&str, LinkKind)> = c.links.iter().map(|l| (l.url.as_str(), l.kind)).collect();
    assert_eq!(
        got,
        [
            (
                "https://news.example.com/2025/10/29/harbor-ferry",
                LinkKind::Page
            ),
            (
                "https://news.example.com/2025/10/30/bridge#comments",
                LinkKind::Page
            ),
            ("https://news.example.kr/society/library", LinkKind::Page),
            ("https://news.example.com/feed/", LinkKind::Feed),
            (
                "https://news.example.com/sitemap-news.xml.gz",
                LinkKind::Sitemap
            ),
        ]
    );
    assert_eq!(
        messages(&c),
        ["line 6: not an http(s) URL: \"news.example.com/no-scheme\""]
    );
}

/// The four HTML 200 responses of the WARC fixtures, and what was skipped.
fn check_warc(c: &Contents, input: &str) {
    assert_eq!(c.kind, ContainerKind::Warc);
    assert!(c.problems.is_empty(), "{:?}", messages(c));
    let urls: Vec<&str> = c.records.iter().filter_map(|r| r.url.as_deref()).collect();
    assert_eq!(
        urls,
        [
            "https://news.example.com/2025/10/29/harbor-ferry",
            "https://news.example.kr/society/library",
            "https://news.example.com/2025/10/30/bridge",
            "https://news.example.com/2025/10/30/market",
        ]
    );
    for r in &c.records {
        assert_eq!(
            r.raw.input,
            format!("{input}#{}", r.url.as_deref().unwrap_or(""))
        );
        assert_eq!(r.raw.format, Format::Html);
        assert_eq!(r.published, None, "WARC-Date is a crawl date");
    }
    assert!(
        c.records[0]
            .raw
            .content
            .contains("opened its new ferry terminal")
    );
    let skipped: Vec<(&str, usize)> = c.skipped.iter().map(|(k, v)| (*k, *v)).collect();
    assert_eq!(
        skipped,
        [
            ("HTTP status not 200", 1),
            ("metadata record", 1),
            ("not HTML", 1),
            ("request record", 1),
            ("revisit record", 1),
            ("warcinfo record", 1),
        ]
    );
}

#[test]
fn warc_plain_and_gzip_per_record() {
    check_warc(&read("news.warc"), "data/news.warc");
    check_warc(&read("news.warc.gz"), "data/news.warc.gz");
}

#[test]
fn euc_kr_html_in_a_warc_response_follows_the_http_charset() {
    for name in ["news.warc", "news.warc.gz"] {
        let c = read(name);
        let ko = &c.records[1];
        assert_eq!(ko.raw.encoding, "EUC-KR");
        assert!(ko.raw.warnings.is_empty(), "{:?}", ko.raw.warnings);
        assert!(
            ko.raw
                .content
                .contains("한빛시는 29일 새 시립 도서관을 개관했다.")
        );
        assert!(!ko.raw.content.contains('\u{FFFD}'));
    }
}

#[test]
fn gzip_and_chunked_http_bodies_in_warc_are_undone() {
    let c = read("news.warc.gz");
    let bridge = &c.records[2];
    assert!(
        bridge
            .raw
            .content
            .starts_with("<html><head><meta charset=\"utf-8\">")
    );
    assert!(bridge.raw.content.contains("The Millbrook bridge reopened"));
    assert_eq!(bridge.raw.encoding, "UTF-8");
    let market = &c.records[3];
    assert!(
        market
            .raw
            .content
            .contains("Eastport's fish market will move")
    );
    assert!(
        !market.raw.content.contains("\r\n"),
        "chunk framing left in"
    );
}

#[test]
fn truncated_warc_gz_keeps_earlier_records() {
    let (_, z) = fixture("news.warc.gz");
    let c = read_container("cc.warc.gz", &z[..z.len() - 20], Limits::default()).expect("reads");
    assert_eq!(c.records.len(), 4);
    let m = messages(&c);
    assert!(m[0].starts_with("gzip stream truncated"), "{m:?}");
    assert!(m[1].contains("truncated WARC record"), "{m:?}");
    assert_eq!(c.problems[1].at, 10);

    let mut last = 0;
    for cut in (1..z.len()).step_by(7) {
        match read_container("cc.warc.gz", &z[..cut], Limits::default()) {
            Ok(c) => {
                assert!(c.records.len() >= last, "cut {cut}");
                last = c.records.len();
            }
            Err(e) => assert!(last == 0, "cut {cut}: {e}"),
        }
    }
    assert_eq!(last, 4);
}

#[test]
fn truncated_plain_warc_reports_the_cut_record() {
    let (_, bytes) = fixture("news.warc");
    let text = bytes.as_slice();
    let market = text
        .windows(6)
        .position(|w| w == b"market")
        .expect("fixture");
    let c = read_container("cc.warc", &text[..market + 400], Limits::default()).expect("reads");
    assert_eq!(c.records.len(), 3);
    let m = messages(&c);
    assert_eq!(m.len(), 1);
    assert!(m[0].starts_with("record 7: truncated WARC record"), "{m:?}");
    let err = read_container("x.warc", b"<html>not a warc</html>", Limits::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "not a WARC file: it does not start with a WARC/1.x version line"
    );
}

#[test]
fn decompressed_size_is_capped() {
    let big = "{\"text\": \"x\"}\n".repeat(20_000);
    let z = gz(big.as_bytes());
    let err = read_container("a.jsonl.gz", &z, Limits { max_bytes: 10_000 }).unwrap_err();
    assert!(err.to_string().starts_with("too large"), "{err}");
}

const NAMES: &[&str] = &[
    "x.jsonl",
    "x.jsonl.gz",
    "x.ndjson",
    "x.warc",
    "x.warc.gz",
    "x.rss",
    "x.atom",
    "x.xml",
    "x.urls",
    "-",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        for name in NAMES {
            let _ = read_container(name, &bytes, Limits::default());
        }
        let z = gz(&bytes);
        for name in NAMES {
            let _ = read_container(name, &z, Limits::default());
        }
    }

    #[test]
    fn never_panics_on_near_valid_input(
        prefix in 0usize..6,
        tail in proptest::collection::vec(any::<u8>(), 0..512),
        text in "[<>/a-z:&;#\"= \r\n0-9A-Z\\-{}\\[\\],]{0,300}",
    ) {
        let heads: [&[u8]; 6] = [
            b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 40\r\n\r\nHTTP/1.1 200 OK\r\n",
            b"<rss version=\"2.0\"><channel><item><title>",
            b"<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><content type=\"html\">",
            b"<urlset><url><loc>https://a.example/",
            b"{\"url\": \"https://a.example/\", \"html\": \"",
            b"https://a.example/\n",
        ];
        let mut bytes = heads[prefix].to_vec();
        bytes.extend_from_slice(text.as_bytes());
        bytes.extend_from_slice(&tail);
        for name in NAMES {
            let _ = read_container(name, &bytes, Limits::default());
        }
    }
}
