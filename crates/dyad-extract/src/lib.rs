//! Extraction from clean text: entities linked to the knowledge base, and quotes attributed to
//! them. Events, commitments and topics come next, in their own modules.
//!
//! **Invariants**
//! - Extraction reads only `Document::text` (never removed boilerplate), and every offset it
//!   writes is a byte offset into that text, on character boundaries.
//! - Extraction never fails on a document; the knowledge base and lexicons are validated when
//!   the [`Extractor`] is built.

pub mod entities;
pub mod quotes;
pub mod time;

use dyad_kb::Kb;
use dyad_model::Document;

pub use entities::{EntityLexicon, Linker};
pub use quotes::{QuoteFinder, QuoteLexicon};

/// Runs every extraction stage on documents.
pub struct Extractor {
    linker: Linker,
    quotes: QuoteFinder,
}

impl Extractor {
    pub fn new(kb: Kb, lexicon: EntityLexicon) -> Extractor {
        Extractor {
            linker: Linker::new(kb, lexicon),
            quotes: QuoteFinder::new(QuoteLexicon::default()),
        }
    }

    pub fn linker(&self) -> &Linker {
        &self.linker
    }

    /// Fills the document's extraction arrays.
    pub fn extract(&self, doc: &mut Document) {
        let on = reference_date(doc);
        let day = on.as_deref().and_then(|d| {
            chrono::NaiveDate::parse_from_str(d.get(..10).unwrap_or(d), "%Y-%m-%d").ok()
        });
        doc.times = time::find_times(&doc.text, day);
        let (entities, unresolved) = self.linker.link_in(&doc.text, on.as_deref(), &doc.language);
        doc.quotes = self.quotes.find(&doc.text, &entities);
        doc.entities = entities;
        doc.unresolved = unresolved;
    }
}

/// The date roles are resolved against: the publication date, else the latest full date the
/// text mentions (an undated story about a summit is read as of that summit), else none.
pub fn reference_date(doc: &Document) -> Option<String> {
    if let Some(p) = &doc.published {
        return Some(p.chars().take(10).collect());
    }
    dyad_clean::meta::find_dates(&doc.text)
        .into_iter()
        .map(|d| d.iso.chars().take(10).collect::<String>())
        .filter(|d| d.len() == 10)
        .max()
}
