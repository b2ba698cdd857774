//! Extraction from clean text: entities linked to the knowledge base, quotes attributed to them,
//! time expressions, PLOVER events, commitments, topics and tone. Each stage is driven by a
//! lexicon under `data/extract/`.
//!
//! **Invariants**
//! - Extraction reads only `Document::text` (never removed boilerplate), and every offset it
//!   writes is a byte offset into that text, on character boundaries.
//! - Extraction never fails on a document within its [`Budget`] (time, text size, sentences,
//!   mentions); the knowledge base and lexicons are validated when the [`Extractor`] is built.
//! - Every stage is linear, or bounded by a window or cap stated where it is, in its input.

mod budget;
pub mod claims;
pub mod commitments;
pub mod entities;
pub mod events;
mod frame;
mod layer;
mod lexmatch;
pub mod quotes;
mod speech;
pub mod time;
pub mod tone;
pub mod topics;

use dyad_kb::Kb;
use dyad_model::Document;

pub use budget::{Budget, OverBudget, comparisons};
pub use claims::{ClaimChecker, ClaimLexicon};
pub use commitments::{CommitmentFinder, CommitmentLexicon};
pub use entities::{EntityLexicon, Linker};
pub use events::{EventFinder, EventLexicon, QuadClass};
pub use quotes::{QuoteFinder, QuoteLexicon};
pub use tone::{ToneLexicon, ToneScorer};
pub use topics::{Taxonomy, Topics};

/// Runs every extraction stage on documents.
pub struct Extractor {
    linker: Linker,
    quotes: QuoteFinder,
    events: EventFinder,
    commitments: CommitmentFinder,
    topics: Topics,
    tone: ToneScorer,
    claims: ClaimChecker,
}

impl Extractor {
    pub fn new(kb: Kb, lexicon: EntityLexicon) -> Extractor {
        Extractor {
            linker: Linker::new(kb, lexicon),
            quotes: QuoteFinder::new(QuoteLexicon::default()),
            events: EventFinder::new(EventLexicon::default()),
            commitments: CommitmentFinder::new(
                CommitmentLexicon::default(),
                EventLexicon::default().domestic_addressees(),
            ),
            topics: Topics::new(Taxonomy::default()),
            tone: ToneScorer::new(ToneLexicon::default()),
            claims: ClaimChecker::new(ClaimLexicon::default()),
        }
    }

    /// The versions of every lexicon and model in use, for provenance.
    pub fn versions(&self) -> String {
        format!(
            "entities {}; quotes {}; events {}; commitments {}; topics {}; tone {}; claims {}; syntax {}",
            self.linker.lexicon_version(),
            self.quotes.lexicon_version(),
            self.events.lexicon().version,
            self.commitments.lexicon().version,
            self.topics.version(),
            self.tone.version(),
            self.claims.version(),
            dyad_syntax::Model::embedded(dyad_syntax::Lang::En).version()
        )
    }

    pub fn linker(&self) -> &Linker {
        &self.linker
    }

    /// Fills the document's extraction arrays, with no limit on the work.
    pub fn extract(&self, doc: &mut Document) {
        let clock = budget::Clock::unlimited();
        // An unlimited budget is never exceeded.
        let _ = self.run(doc, &Budget::unlimited(), &clock);
    }

    /// Fills the document's extraction arrays within `budget`. A document over it is refused
    /// with the limit it broke; its arrays are then left empty.
    pub fn extract_within(&self, doc: &mut Document, budget: &Budget) -> Result<(), OverBudget> {
        if doc.text.len() > budget.max_text_bytes {
            return Err(OverBudget(format!(
                "its text is {} bytes, more than the {} bytes allowed",
                doc.text.len(),
                budget.max_text_bytes
            )));
        }
        let clock = budget::Clock::new(budget.time);
        let r = self.run(doc, budget, &clock);
        if r.is_err() {
            doc.times.clear();
            doc.entities.clear();
            doc.unresolved.clear();
            doc.quotes.clear();
            doc.events.clear();
            doc.commitments.clear();
            doc.claims.clear();
            doc.topics.clear();
            doc.tone = None;
        }
        r
    }

    fn run(
        &self,
        doc: &mut Document,
        budget: &Budget,
        clock: &budget::Clock,
    ) -> Result<(), OverBudget> {
        let on = reference_date(doc);
        let day = on.as_deref().and_then(|d| {
            chrono::NaiveDate::parse_from_str(d.get(..10).unwrap_or(d), "%Y-%m-%d").ok()
        });
        let sentences = self.quotes.sentence_spans(&doc.text);
        if sentences.len() > budget.max_sentences {
            return Err(OverBudget(format!(
                "it has {} sentences, more than the {} allowed",
                sentences.len(),
                budget.max_sentences
            )));
        }
        clock.check("sentence splitting")?;
        doc.times = time::find_times(&doc.text, day);
        clock.check("time expressions")?;
        let (entities, unresolved) = self.linker.link_in(&doc.text, on.as_deref(), &doc.language);
        let mentions: usize = entities.iter().map(|e| e.mentions.len()).sum();
        if mentions > budget.max_mentions {
            return Err(OverBudget(format!(
                "it has {mentions} entity mentions, more than the {} allowed",
                budget.max_mentions
            )));
        }
        clock.check("entity linking")?;
        let mut entities = entities;
        if doc.language == "ko" {
            doc.quotes = self.quotes.find_until(&doc.text, &entities, clock);
        } else {
            // English (and any language without a reader of its own) is read from syntax.
            let layer = layer::Layer::new(&doc.text, dyad_syntax::Lang::En);
            let quoted = self.quotes.quoted_spans(&doc.text);
            let (quotes, speakers) =
                speech::Speech::new(self.quotes.lexicon()).find(&layer, &quoted, &entities, clock);
            doc.quotes = quotes;
            entities.extend(speakers);
        }
        clock.check("quotes")?;
        for q in &mut doc.quotes {
            q.tone = Some(self.tone.score(&doc.text, q.start, q.end).score);
        }
        doc.entities = entities;
        doc.unresolved = unresolved;
        let frame = frame::Frame::new(
            &doc.text,
            &doc.entities,
            (sentences, self.quotes.quoted_spans(&doc.text)),
            &doc.times,
            on,
            (self.linker.kb(), &self.events.lexicon().roles()),
            clock,
        );
        let text = doc.text.as_str();
        let topic_of = |s: usize, e: usize| self.topics.of_span(text, s, e);
        let events = self.events.find(&frame, &topic_of);
        clock.check("events")?;
        let commitments = self.commitments.find(
            &frame,
            doc.title.as_deref(),
            &doc.byline,
            &doc.quotes,
            &topic_of,
        );
        clock.check("commitments")?;
        let claims = self.claims.find(&frame, self.linker.kb());
        clock.check("claims")?;
        drop(frame);
        doc.claims = claims;
        doc.events = events;
        doc.commitments = commitments;
        doc.topics = self.topics.of_document(doc.title.as_deref(), &doc.text);
        doc.tone = Some(self.tone.score(&doc.text, 0, doc.text.len()));
        clock.check("topics and tone")
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
