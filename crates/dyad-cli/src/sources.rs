//! What a run reads, as a lazy stream of work: files, the records inside containers (JSON Lines,
//! WARC, feeds with full text), and URLs (given on the command line, or found in feeds,
//! sitemaps and URL lists) to fetch.
//!
//! Containers are opened one at a time, when the stream reaches them, so a folder of many
//! JSON Lines shards or WARC files is read with memory bounded by the largest container plus a
//! chunk. Feeds and sitemaps found by URL are fetched here (sequentially, they are few); article
//! pages are fetched by the workers, in parallel, through the shared polite [`Fetcher`].

use std::collections::{HashSet, VecDeque};

use dyad_fetch::{Fetched, Fetcher, Validators};
use dyad_ingest::{Contents, Item, Limits, Link, LinkKind, Record};
use dyad_model::RawDoc;
use dyad_store::Store;

use crate::pipeline::Outcome;

/// How deep sitemap indexes and feeds found in URL lists are followed.
const MAX_DEPTH: usize = 3;

/// One unit of parallel work.
pub enum Work {
    /// A file or standard input holding one document.
    File(Item),
    /// A document from a container (or a fetched page), with the container's metadata.
    Record(Box<Record>),
    /// An article page to fetch, with what the feed or sitemap said about it.
    Page(Box<Link>),
}

/// What the stream yields: work for the workers, or an outcome known already (a container's
/// broken line, an unreachable feed).
pub enum Unit {
    Work(Work),
    Done(Outcome),
}

enum Pending {
    Item(Item),
    Url {
        url: String,
        kind: Option<LinkKind>,
        depth: usize,
    },
}

/// The stream of work of one run.
pub struct Sources<'a> {
    queue: VecDeque<Pending>,
    ready: VecDeque<Unit>,
    limits: Limits,
    fetcher: Option<&'a Fetcher>,
    /// A connection of its own to the store, for conditional GET of feeds and sitemaps and for
    /// not fetching pages the store already has.
    store: Option<Store>,
    /// URLs queued in this run, so a page listed twice is fetched once.
    seen: HashSet<String>,
}

/// Whether an argument is a URL rather than a path.
pub fn is_url(arg: &str) -> bool {
    let lower = arg
        .get(..8)
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    lower.starts_with("https://") || lower.starts_with("http://")
}

impl<'a> Sources<'a> {
    pub fn new(limits: Limits, fetcher: Option<&'a Fetcher>, store: Option<Store>) -> Self {
        Sources {
            queue: VecDeque::new(),
            ready: VecDeque::new(),
            limits,
            fetcher,
            store,
            seen: HashSet::new(),
        }
    }

    pub fn push_item(&mut self, item: Item) {
        self.queue.push_back(Pending::Item(item));
    }

    /// A URL named by the user: a page, feed or sitemap, told apart once fetched.
    pub fn push_url(&mut self, url: String) {
        self.queue.push_back(Pending::Url {
            url,
            kind: None,
            depth: 0,
        });
    }

    pub fn push_outcome(&mut self, o: Outcome) {
        self.ready.push_back(Unit::Done(o));
    }

    /// Adds a container's contents read elsewhere (by `dyad watch`).
    pub fn push_contents(&mut self, input: &str, contents: Contents, depth: usize) {
        self.expand(input, contents, depth);
    }

    fn expand(&mut self, input: &str, contents: Contents, depth: usize) {
        for p in contents.problems {
            self.ready.push_back(Unit::Done(Outcome::Failed {
                input: input.to_string(),
                error: p.message,
            }));
        }
        let with_content: HashSet<String> = contents
            .records
            .iter()
            .filter_map(|r| r.url.clone())
            .collect();
        for r in contents.records {
            if let Some(u) = &r.url {
                self.seen.insert(u.clone());
            }
            self.ready.push_back(Unit::Work(Work::Record(Box::new(r))));
        }
        let links: Vec<Link> = contents
            .links
            .into_iter()
            .filter(|l| !with_content.contains(&l.url))
            .collect();
        if links.is_empty() {
            return;
        }
        if self.fetcher.is_none() {
            self.ready.push_back(Unit::Done(Outcome::Note {
                input: input.to_string(),
                message: format!(
                    "{} link(s) not fetched (pass --fetch to fetch them politely)",
                    links.len()
                ),
            }));
            return;
        }
        for l in links {
            match l.kind {
                LinkKind::Page => self.page(l),
                LinkKind::Feed | LinkKind::Sitemap if depth < MAX_DEPTH => {
                    self.queue.push_front(Pending::Url {
                        url: l.url,
                        kind: Some(l.kind),
                        depth: depth + 1,
                    })
                }
                _ => self.ready.push_back(Unit::Done(Outcome::Failed {
                    input: l.url,
                    error: format!(
                        "not followed: more than {MAX_DEPTH} levels of feeds or sitemaps"
                    ),
                })),
            }
        }
    }

    fn page(&mut self, l: Link) {
        if !self.seen.insert(l.url.clone()) {
            return;
        }
        if let Some(store) = &self.store
            && let Ok(Some(_)) = store.id_by_input(&l.url)
        {
            self.ready
                .push_back(Unit::Done(Outcome::Unchanged { input: l.url }));
            return;
        }
        self.ready.push_back(Unit::Work(Work::Page(Box::new(l))));
    }

    fn open(&mut self, p: Pending) {
        match p {
            Pending::Item(item) => {
                let is_container = match &item.path {
                    Some(path) => dyad_ingest::is_container(path),
                    None => false,
                };
                if !is_container {
                    self.ready.push_back(Unit::Work(Work::File(item)));
                    return;
                }
                match dyad_ingest::read_container_item(&item, self.limits) {
                    Ok(contents) => self.expand(&item.input, contents, 0),
                    Err(e) => self.ready.push_back(Unit::Done(Outcome::Failed {
                        input: item.input,
                        error: e.to_string(),
                    })),
                }
            }
            Pending::Url { url, kind, depth } => self.open_url(url, kind, depth),
        }
    }

    fn open_url(&mut self, url: String, kind: Option<LinkKind>, depth: usize) {
        let Some(fetcher) = self.fetcher else {
            self.ready.push_back(Unit::Done(Outcome::Failed {
                input: url,
                error: "a URL: pass --fetch to fetch it".into(),
            }));
            return;
        };
        if kind == Some(LinkKind::Page) {
            return self.page(Link {
                url,
                kind: LinkKind::Page,
                title: None,
                published: None,
                updated: None,
                source: None,
                language: None,
            });
        }
        let prior = self.validators(&url);
        match fetcher.fetch(&url, prior.as_ref()) {
            Ok(Fetched::NotModified) => self
                .ready
                .push_back(Unit::Done(Outcome::Unchanged { input: url })),
            Ok(Fetched::Body(page)) => {
                if let Some(store) = &mut self.store {
                    let _ = store.set_fetch_validators(
                        &url,
                        page.validators.etag.as_deref(),
                        page.validators.last_modified.as_deref(),
                    );
                }
                match dyad_ingest::read_container(&url, &page.bytes, self.limits) {
                    Ok(contents) => self.expand(&url, contents, depth),
                    Err(_) if kind.is_none() => {
                        // Not a container: the URL was a page.
                        self.seen.insert(url.clone());
                        match dyad_ingest::from_bytes(&url, &page.bytes, self.limits) {
                            Ok(raw) => self.ready.push_back(Unit::Work(Work::Record(Box::new(
                                record_of_page(raw, &url, None),
                            )))),
                            Err(e) => self.ready.push_back(Unit::Done(Outcome::Failed {
                                input: url,
                                error: e.to_string(),
                            })),
                        }
                    }
                    Err(e) => self.ready.push_back(Unit::Done(Outcome::Failed {
                        input: url,
                        error: e.to_string(),
                    })),
                }
            }
            Err(e) => self.ready.push_back(Unit::Done(Outcome::Failed {
                input: url,
                error: e.to_string(),
            })),
        }
    }

    fn validators(&self, url: &str) -> Option<Validators> {
        let (etag, last_modified) = self.store.as_ref()?.fetch_validators(url).ok()??;
        Some(Validators {
            etag,
            last_modified,
        })
    }
}

impl Iterator for Sources<'_> {
    type Item = Unit;

    fn next(&mut self) -> Option<Unit> {
        loop {
            if let Some(u) = self.ready.pop_front() {
                return Some(u);
            }
            let p = self.queue.pop_front()?;
            self.open(p);
        }
    }
}

/// A fetched page as a record, with what the link said about it as fallback metadata.
pub fn record_of_page(raw: RawDoc, url: &str, link: Option<&Link>) -> Record {
    Record {
        raw,
        url: Some(url.to_string()),
        title: link.and_then(|l| l.title.clone()),
        published: link.and_then(|l| l.published.clone()),
        source: link.and_then(|l| l.source.clone()),
        authors: Vec::new(),
        language: link.and_then(|l| l.language.clone()),
        description: None,
    }
}
