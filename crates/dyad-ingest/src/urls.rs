//! URL lists: one absolute http(s) URL per line; blank lines and `#` comments (whole lines, or
//! after whitespace at the end of a line) are ignored.

use crate::containers::{ContainerError, ContainerKind, Contents, Link, LinkKind, is_http_url};

pub(crate) fn read(bytes: &[u8]) -> Result<Contents, ContainerError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.contains(&0) {
        return Err(ContainerError::format(
            ContainerKind::UrlList,
            "binary data (NUL bytes)",
        ));
    }
    let text = String::from_utf8_lossy(bytes);
    let mut contents = Contents::new(ContainerKind::UrlList);
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let line = strip_comment(line).trim();
        if line.is_empty() {
            continue;
        }
        if is_http_url(line) {
            contents.links.push(Link {
                url: line.to_string(),
                kind: guess_kind(line),
                title: None,
                published: None,
                updated: None,
                source: None,
                language: None,
            });
        } else {
            let shown: String = line.chars().take(80).collect();
            contents.problem(n, format!("line {n}: not an http(s) URL: {shown:?}"));
        }
    }
    if contents.links.is_empty()
        && let Some(first) = contents.problems.first()
    {
        return Err(ContainerError::format(
            ContainerKind::UrlList,
            first.message.clone(),
        ));
    }
    Ok(contents)
}

/// The line without a `#` comment: a whole-line one, or one after whitespace (a `#` inside a
/// URL is its fragment).
fn strip_comment(line: &str) -> &str {
    if line.trim_start().starts_with('#') {
        return "";
    }
    let mut prev_space = false;
    for (i, c) in line.char_indices() {
        if c == '#' && prev_space {
            return &line[..i];
        }
        prev_space = c.is_whitespace();
    }
    line
}

/// Feed, sitemap or page, as the URL's path suggests. A guess: fetchers should still sniff.
fn guess_kind(url: &str) -> LinkKind {
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or(url)
        .trim_end_matches('/')
        .to_ascii_lowercase();
    let last = path.rsplit('/').next().unwrap_or("");
    let last = last.strip_suffix(".gz").unwrap_or(last);
    if last.ends_with(".rss")
        || last.ends_with(".atom")
        || matches!(
            last,
            "feed" | "rss" | "atom" | "rss.xml" | "atom.xml" | "feed.xml"
        )
    {
        LinkKind::Feed
    } else if last.contains("sitemap") && last.ends_with(".xml") {
        LinkKind::Sitemap
    } else {
        LinkKind::Page
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_comments() {
        assert_eq!(guess_kind("https://a.example/news/feed/"), LinkKind::Feed);
        assert_eq!(guess_kind("https://a.example/top.rss"), LinkKind::Feed);
        assert_eq!(
            guess_kind("https://a.example/sitemap-news.xml.gz"),
            LinkKind::Sitemap
        );
        assert_eq!(
            guess_kind("https://a.example/2025/10/29/x.html"),
            LinkKind::Page
        );
        assert_eq!(
            strip_comment("https://a.example/#top  # note"),
            "https://a.example/#top  "
        );
        assert_eq!(strip_comment("   # all comment"), "");
    }
}
