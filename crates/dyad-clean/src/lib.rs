//! Cleaning: a decoded source becomes a [`Document`] with its main text in paragraphs, its
//! metadata, and a record of everything removed.
//!
//! **Invariants**
//! - Cleaning never fails and never panics: any input yields a document (possibly with empty
//!   text) plus warnings.
//! - Nothing is silently lost: every paragraph dropped from the main text is in
//!   `Document::removed` with a reason.
//! - A date in the story is never taken for the publication date: only declared metadata,
//!   datelines (short lines made of a date, byline and labels) and a leading "As of" count.
//!
//! The boilerplate lexicon is data (`data/clean/boilerplate.toml`), see [`Lexicon`].

#[doc(hidden)]
pub mod fuzzing;
pub mod html;
pub mod lexicon;
pub mod meta;
pub mod parse;
pub mod text;

use dyad_model::{Document, Format, RawDoc};

pub use lexicon::{Lexicon, LexiconError};

/// Turns decoded sources into clean documents.
#[derive(Debug, Clone, Default)]
pub struct Cleaner {
    pub lexicon: Lexicon,
}

impl Cleaner {
    pub fn new(lexicon: Lexicon) -> Cleaner {
        Cleaner { lexicon }
    }

    /// Cleans one source into a document. Extraction arrays are left empty.
    pub fn clean(&self, raw: &RawDoc) -> Document {
        let mut warnings = raw.warnings.clone();
        let mut parts = match raw.format {
            Format::Text => self.clean_text(&raw.content),
            Format::Html => self.clean_html(&raw.content),
        };
        if parts.text.trim().is_empty() {
            warnings.push("no main text found".into());
        }
        parts.title = parts.title.filter(|t| !t.trim().is_empty());
        let language = meta::detect_language(&parts.text, parts.declared_lang.as_deref());
        Document {
            input: raw.input.clone(),
            id: dyad_model::doc_id(parts.title.as_deref(), &parts.text),
            title: parts.title,
            published: parts.published,
            language,
            source: parts.source,
            byline: parts.byline,
            canonical_url: parts.canonical,
            format: raw.format,
            encoding: raw.encoding.clone(),
            text: parts.text,
            removed: parts.removed,
            duplicate_of: None,
            entities: Vec::new(),
            unresolved: Vec::new(),
            times: Vec::new(),
            events: Vec::new(),
            quotes: Vec::new(),
            commitments: Vec::new(),
            topics: Vec::new(),
            claims: Vec::new(),
            tone: None,
            cleaned_with: Some(format!(
                "dyad-clean {}; boilerplate {}",
                env!("CARGO_PKG_VERSION"),
                self.lexicon.version
            )),
            warnings,
        }
    }

    fn clean_text(&self, content: &str) -> Parts {
        let o = text::clean(text::split_paragraphs(content), &self.lexicon, None);
        Parts {
            text: o.paragraphs.join("\n\n"),
            title: o.title,
            published: o.published.or(o.modified),
            byline: o.byline,
            source: o.source,
            removed: o.removed,
            ..Parts::default()
        }
    }

    fn clean_html(&self, content: &str) -> Parts {
        let ex = html::extract(content);
        let site = ex.meta.site_name.clone();
        let title = ex
            .meta
            .titles
            .iter()
            .chain(ex.meta.html_title.iter())
            .map(|t| meta::strip_site_suffix(t, site.as_deref()))
            .find(|t| !t.trim().is_empty());
        let paragraphs = ex.blocks.into_iter().map(|b| b.text).collect();
        let o = text::clean(paragraphs, &self.lexicon, title.as_deref());
        let published = ex
            .meta
            .published
            .iter()
            .find_map(|d| meta::parse_declared_date(d))
            .or(o.published)
            .or_else(|| {
                // A date inside the byline or dateline elements the page set apart.
                ex.removed
                    .iter()
                    .filter(|r| r.reason == "byline" || r.reason == "dateline")
                    .find_map(|r| meta::find_date(&r.text).map(|d| d.iso))
            })
            .or_else(|| {
                ex.meta
                    .modified
                    .iter()
                    .find_map(|d| meta::parse_declared_date(d))
            })
            .or(o.modified);
        let mut byline: Vec<String> = Vec::new();
        for name in ex
            .meta
            .authors
            .iter()
            .flat_map(|a| meta::author_names(a))
            .chain(o.byline)
        {
            if !byline.contains(&name) {
                byline.push(name);
            }
        }
        let mut removed = ex.removed;
        removed.extend(o.removed);
        Parts {
            text: o.paragraphs.join("\n\n"),
            title,
            published,
            byline,
            source: site.or(o.source),
            canonical: ex.meta.canonical,
            declared_lang: ex.meta.lang,
            removed,
        }
    }
}

/// What cleaning found, before it becomes a document.
#[derive(Debug, Default)]
struct Parts {
    text: String,
    title: Option<String>,
    published: Option<String>,
    byline: Vec<String>,
    source: Option<String>,
    canonical: Option<String>,
    declared_lang: Option<String>,
    removed: Vec<dyad_model::Removed>,
}
