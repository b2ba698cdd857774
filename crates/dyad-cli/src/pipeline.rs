//! The read → clean → extract pipeline shared by `extract`, `ingest`, `watch` and `demo`: units
//! of work (files, container records, pages to fetch) are pulled lazily from
//! [`Sources`](crate::sources::Sources) and processed in parallel in chunks; results come back in
//! input order, one chunk at a time, so memory stays bounded however many inputs there are.

use std::collections::HashMap;

use dyad_clean::Cleaner;
use dyad_dedup::Signature;
use dyad_extract::Extractor;
use dyad_fetch::{Fetched, Fetcher};
use dyad_ingest::{Limits, Record};
use dyad_model::{Document, Format};
use dyad_store::NearKeys;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::sources::{Unit, Work, record_of_page};

/// How many inputs are processed together.
pub const CHUNK: usize = 256;

/// Cleaning and extraction, built once per run, and the fetcher when fetching is on.
pub struct Stages {
    pub cleaner: Cleaner,
    pub extractor: Extractor,
    /// The per-document extraction budget.
    pub budget: dyad_extract::Budget,
    pub fetcher: Option<Fetcher>,
    /// Near-duplicate signatures are computed with this configuration.
    pub dedup: dyad_dedup::Config,
}

/// One input's result.
pub enum Outcome {
    /// A document, with its near-duplicate signature and band keys.
    Doc(Box<Document>, NearKeys),
    Failed {
        input: String,
        error: String,
    },
    /// Nothing new: a `304 Not Modified`, or a page the store already has.
    Unchanged {
        input: String,
    },
    /// Something worth saying that is not a failure (links left unfetched).
    Note {
        input: String,
        message: String,
    },
}

/// Runs `f` over every result, in input order, a chunk at a time: units are pulled from
/// `units` lazily, so containers are opened only when their turn comes.
pub fn run(
    units: impl Iterator<Item = Unit>,
    stages: &Stages,
    limits: Limits,
    progress: bool,
    mut f: impl FnMut(Vec<Outcome>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let bar = progress_bar(progress);
    let mut units = units.peekable();
    while units.peek().is_some() {
        let chunk: Vec<Unit> = units.by_ref().take(CHUNK).collect();
        let outcomes: Vec<Outcome> = chunk
            .into_par_iter()
            .map(|unit| {
                let out = match unit {
                    Unit::Done(o) => o,
                    Unit::Work(w) => process(w, stages, limits),
                };
                bar.inc(1);
                out
            })
            .collect();
        f(outcomes)?;
    }
    bar.finish_and_clear();
    Ok(())
}

/// Reads (or fetches) and cleans one unit. Never panics past this point: a panic in cleaning
/// would be a bug, and it is reported as that input's failure rather than aborting the run.
pub fn process(work: Work, stages: &Stages, limits: Limits) -> Outcome {
    let (raw, record) = match work {
        Work::File(item) => match dyad_ingest::read(&item, limits) {
            Ok(raw) => (raw, None),
            Err(e) => {
                return Outcome::Failed {
                    input: item.input,
                    error: e.to_string(),
                };
            }
        },
        Work::Record(mut r) => {
            let raw = std::mem::replace(&mut r.raw, empty_raw());
            (raw, Some(r))
        }
        Work::Page(link) => {
            let Some(fetcher) = &stages.fetcher else {
                return Outcome::Failed {
                    input: link.url.clone(),
                    error: "a URL: pass --fetch to fetch it".into(),
                };
            };
            match fetcher.fetch(&link.url, None) {
                Ok(Fetched::Body(page)) => {
                    match dyad_ingest::from_bytes(&link.url, &page.bytes, limits) {
                        Ok(raw) => {
                            let mut r = record_of_page(empty_raw(), &link.url, Some(&link));
                            if page.url != link.url {
                                r.url = Some(page.url);
                            }
                            (raw, Some(Box::new(r)))
                        }
                        Err(e) => {
                            return Outcome::Failed {
                                input: link.url.clone(),
                                error: e.to_string(),
                            };
                        }
                    }
                }
                Ok(Fetched::NotModified) => {
                    return Outcome::Unchanged {
                        input: link.url.clone(),
                    };
                }
                Err(e) => {
                    return Outcome::Failed {
                        input: link.url.clone(),
                        error: e.to_string(),
                    };
                }
            }
        }
    };
    let input = raw.input.clone();
    let run = || -> Result<_, dyad_extract::OverBudget> {
        let mut raw = raw;
        if let Some(r) = &record {
            headline_first(&mut raw, r);
        }
        let mut doc = stages.cleaner.clean(&raw);
        if let Some(r) = &record {
            apply_record(&mut doc, r);
        }
        stages.extractor.extract_within(&mut doc, &stages.budget)?;
        let keys = near_keys(&doc.text, &stages.dedup);
        Ok((doc, keys))
    };
    // The panic hook stays quiet inside `catch`: the failure below is the one message.
    match dyad_ingest::guard::catch(run) {
        Ok(Ok((doc, keys))) => Outcome::Doc(Box::new(doc), keys),
        Ok(Err(over)) => Outcome::Failed {
            input,
            error: over.to_string(),
        },
        Err(why) => Outcome::Failed {
            input,
            error: format!(
                "internal error while cleaning or extracting: {why} (a bug: please report it with this input)"
            ),
        },
    }
}

fn empty_raw() -> dyad_model::RawDoc {
    dyad_model::RawDoc {
        input: String::new(),
        format: Format::Text,
        content: String::new(),
        encoding: String::new(),
        warnings: Vec::new(),
    }
}

/// A text record with a separate title: the title goes first, as a headline, so that text
/// cleaning takes it as the title and keeps the first paragraph of the body as body.
fn headline_first(raw: &mut dyad_model::RawDoc, r: &Record) {
    if raw.format != Format::Text {
        return;
    }
    if let Some(t) = &r.title
        && !raw.content.trim_start().starts_with(t.trim())
    {
        raw.content = format!("{}\n\n{}", t.trim(), raw.content);
    }
}

/// The container's metadata where cleaning found none (for text records, the container is
/// the only authority on the title). The id is recomputed when the title changes.
pub fn apply_record(doc: &mut Document, r: &Record) {
    let title_before = doc.title.clone();
    if let Some(t) = &r.title
        && (doc.title.is_none() || doc.format == Format::Text)
    {
        doc.title = Some(t.clone());
    }
    if doc.published.is_none() {
        doc.published = r.published.clone();
    }
    if doc.source.is_none() {
        doc.source = r.source.clone();
    }
    if doc.byline.is_empty() {
        doc.byline = r.authors.clone();
    }
    if doc.canonical_url.is_none() {
        doc.canonical_url = r.url.clone();
    }
    if doc.title != title_before {
        doc.id = dyad_model::doc_id(doc.title.as_deref(), &doc.text);
    }
}

/// The MinHash signature and LSH band keys of a text.
pub fn near_keys(text: &str, cfg: &dyad_dedup::Config) -> NearKeys {
    let sig = dyad_dedup::signature(text, cfg);
    NearKeys {
        bands: dyad_dedup::band_keys(&sig, cfg),
        signature: sig.0,
    }
}

/// Near-duplicates within a run: an in-memory LSH index of the documents seen so far
/// (`extract`, or the current batch of `ingest`, whose earlier batches are in the store).
pub struct NearIndex {
    index: dyad_dedup::Index<String>,
    /// input → the input it duplicates, to link to the first-seen document of a chain.
    first_of: HashMap<String, String>,
}

impl NearIndex {
    pub fn new(cfg: dyad_dedup::Config) -> Self {
        NearIndex {
            index: dyad_dedup::Index::new(cfg),
            first_of: HashMap::new(),
        }
    }

    /// The first-seen near-duplicate of `keys` in this index (not `input` itself).
    pub fn find(&self, input: &str, keys: &NearKeys) -> Option<String> {
        let found = self.index.find(&Signature(keys.signature.clone()))?;
        if found == input {
            return None;
        }
        Some(self.first_of.get(&found).cloned().unwrap_or(found))
    }

    pub fn insert(&mut self, input: &str, keys: &NearKeys, duplicate_of: Option<&str>) {
        if keys.signature.is_empty() {
            return;
        }
        if let Some(d) = duplicate_of {
            self.first_of.insert(input.to_string(), d.to_string());
        }
        self.index
            .insert(input.to_string(), Signature(keys.signature.clone()));
    }

    pub fn clear(&mut self) {
        *self = NearIndex::new(self.index.config().clone());
    }
}

fn progress_bar(enabled: bool) -> ProgressBar {
    if !enabled {
        return ProgressBar::hidden();
    }
    // indicatif draws only when stderr is a terminal.
    let bar = ProgressBar::no_length();
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {pos} inputs {per_sec} {msg}")
    {
        bar.set_style(style);
    }
    bar
}

/// Marks documents whose text repeats the text of an earlier document of the same run.
#[derive(Default)]
pub struct Duplicates {
    first: HashMap<String, String>,
}

impl Duplicates {
    /// Sets `duplicate_of` to the input of the first document with the same text, or records
    /// this document as the first.
    pub fn mark(&mut self, doc: &mut Document) {
        if doc.text.trim().is_empty() {
            return;
        }
        let fp = dyad_model::text_fingerprint(&doc.text);
        match self.first.get(&fp) {
            Some(first) if *first != doc.input => doc.duplicate_of = Some(first.clone()),
            Some(_) => {}
            None => {
                self.first.insert(fp, doc.input.clone());
            }
        }
    }
}
