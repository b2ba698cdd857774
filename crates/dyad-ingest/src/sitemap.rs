//! Sitemaps: `<urlset>` (with the Google News extension: `news:publication_date`,
//! `news:title`, `news:publication/news:name|language`) gives page links; `<sitemapindex>`
//! gives links to child sitemaps.

use crate::containers::{
    ContainerError, ContainerKind, Contents, Link, LinkKind, is_http_url, non_empty,
};
use crate::dates;
use crate::xml::{self, End, Step, Walk};

#[derive(Default)]
struct Entry {
    loc: String,
    lastmod: String,
    published: String,
    title: String,
    source: String,
    language: String,
}

pub(crate) fn read(bytes: &[u8]) -> Result<Contents, ContainerError> {
    let (text, _) = xml::decode(bytes);
    let mut walk = Walk::new(&text);
    let mut contents = Contents::new(ContainerKind::Sitemap);
    let mut kind = None;
    let mut entry: Option<Entry> = None;
    let mut n = 0;
    let end = loop {
        match walk.next_step() {
            Step::Open { .. } => match walk.path.len() {
                1 => {
                    kind = match walk.at(0) {
                        "urlset" => Some(LinkKind::Page),
                        "sitemapindex" => Some(LinkKind::Sitemap),
                        other => {
                            return Err(ContainerError::format(
                                ContainerKind::Sitemap,
                                format!("the root element is <{other}>"),
                            ));
                        }
                    }
                }
                2 if matches!(walk.at(0), "url" | "sitemap") => {
                    n += 1;
                    entry = Some(Entry::default());
                }
                _ => {}
            },
            Step::Text(t) => {
                let Some(e) = entry.as_mut() else { continue };
                let field = match (walk.at(1), walk.at(0)) {
                    ("url" | "sitemap", "loc") => &mut e.loc,
                    ("url" | "sitemap", "lastmod") => &mut e.lastmod,
                    ("news", "publication_date") => &mut e.published,
                    ("news", "title") => &mut e.title,
                    ("publication", "name") => &mut e.source,
                    ("publication", "language") => &mut e.language,
                    _ => continue,
                };
                field.push_str(&t);
            }
            Step::Close => {
                if walk.path.len() == 2
                    && let Some(e) = entry.take()
                {
                    finish(e, n, kind.unwrap_or(LinkKind::Page), &mut contents);
                }
            }
            Step::Done(end) => break end,
        }
    };
    let complete = contents.links.len();
    match end {
        End::Complete => {}
        End::Truncated => contents.problem(
            n.max(1),
            format!("truncated sitemap after {complete} entries"),
        ),
        End::Broken(why) if kind.is_none() => {
            return Err(ContainerError::format(ContainerKind::Sitemap, why));
        }
        End::Broken(why) => contents.problem(
            n.max(1),
            format!("broken XML after {complete} entries: {why}"),
        ),
    }
    Ok(contents)
}

fn finish(e: Entry, n: usize, kind: LinkKind, contents: &mut Contents) {
    let loc = e.loc.trim();
    if !is_http_url(loc) {
        let shown: String = loc.chars().take(80).collect();
        contents.problem(
            n,
            format!("entry {n}: <loc> is not an absolute http(s) URL: {shown:?}"),
        );
        return;
    }
    contents.links.push(Link {
        url: loc.to_string(),
        kind,
        title: non_empty(Some(&e.title)),
        published: dates::normalize(&e.published),
        updated: dates::normalize(&e.lastmod),
        source: non_empty(Some(&e.source)),
        language: non_empty(Some(&e.language)),
    });
}
