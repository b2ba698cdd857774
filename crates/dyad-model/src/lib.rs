//! Domain types of dyad: a document as cleaning produces it and as the store keeps it, and the
//! extraction records attached to it.
//!
//! **Invariant:** this crate does no IO and knows nothing of storage, HTTP, indexes or async.
//! Field names follow the extraction contract (`shared/eval/CONTRACT.md`): add fields freely,
//! never rename or repurpose them.

use serde::{Deserialize, Serialize};

/// What kind of markup a source held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Html,
    Text,
}

/// A source read and decoded to Unicode, before cleaning.
#[derive(Debug, Clone)]
pub struct RawDoc {
    /// The path or URL as the user gave it (or as found under a folder).
    pub input: String,
    pub format: Format,
    /// The decoded content.
    pub content: String,
    /// The encoding the bytes were read in (`UTF-8`, `EUC-KR`, `UTF-16LE`, ...).
    pub encoding: String,
    /// Non-fatal problems met while reading (replaced bytes, guessed encodings...).
    pub warnings: Vec<String>,
}

/// Something cleaning dropped from the main text, kept so a user can audit it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removed {
    pub text: String,
    /// Why it was dropped: `navigation`, `footer`, `advert`, `comment form`, `author promo`,
    /// `repeated headline`, ...
    pub reason: String,
}

/// An entity recognised in a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub id: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub mentions: Vec<Mention>,
}

/// A span of `Document::text`, in byte offsets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// A mention the linker could not resolve to one entity, with the candidates it weighed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unresolved {
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub candidates: Vec<String>,
}

/// What a time expression says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeKind {
    /// A point or period: when something happened or will happen.
    Date,
    /// Something is due by then.
    Deadline,
    /// A span ahead: `value` is its start, `until` its end.
    Horizon,
    /// As soon as possible: no date.
    Asap,
}

/// A normalised time expression.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeExpr {
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub kind: TimeKind,
    /// ISO 8601 at the expression's precision; `None` for [`TimeKind::Asap`].
    pub value: Option<String>,
    /// The end of a horizon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// `early`, `mid` or `late` when the expression says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<String>,
}

/// A PLOVER-coded event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    #[serde(rename = "type")]
    pub kind: String,
    pub mode: Option<String>,
    #[serde(default)]
    pub context: Vec<String>,
    pub date: Option<String>,
    pub status: String,
    #[serde(default)]
    pub actors: Vec<String>,
    #[serde(default)]
    pub recipients: Vec<String>,
    pub place: Option<String>,
    /// The alliance topic the evidence sentence is about (an id of the topic taxonomy).
    #[serde(default)]
    pub topic: Option<String>,
    pub text: String,
    pub start: usize,
    pub end: usize,
    /// Every sentence of the document that reports this same event, the first included.
    #[serde(default)]
    pub mentions: Vec<Span>,
}

/// A byte range of the clean text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// A direct quote or reported speech.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    pub speaker: Option<String>,
    pub text: String,
    pub direct: bool,
    pub cue: Option<String>,
    pub start: usize,
    pub end: usize,
    /// Lexicon tone of the quoted words, from -1 (hostile) to 1 (warm).
    #[serde(default)]
    pub tone: Option<f64>,
}

/// A pledge, agreement, plan, demand, proposal or threat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Commitment {
    #[serde(default)]
    pub holders: Vec<String>,
    pub kind: String,
    pub text: String,
    pub topic: Option<String>,
    pub amount: Option<String>,
    pub due: Option<String>,
    pub strength: Option<String>,
    /// Who gains (the addressee of a demand, the recipient of aid or investment).
    #[serde(default)]
    pub beneficiary: Vec<String>,
    /// What the text says of its legal force: `binding`, `non_binding`, `subject_to_ratification`.
    #[serde(default)]
    pub legal_force: Option<String>,
    pub start: usize,
    pub end: usize,
}

/// The tone of a text, from a lexicon of warm and hostile words.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Tone {
    /// (positive - negative) / (positive + negative), 0 when neither occurs.
    pub score: f64,
    pub positive: u32,
    pub negative: u32,
}

/// A topic assigned to a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Topic {
    pub id: String,
    pub label: String,
    pub score: f64,
}

/// A statement flagged as doubtful.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    pub text: String,
    pub reason: String,
}

/// A cleaned document with its metadata and extractions: one line of `dyad extract`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub input: String,
    /// Stable id: the same content gives the same id (see [`doc_id`]).
    pub id: String,
    pub title: Option<String>,
    /// ISO 8601 at the precision the source supports; `None` when the document states no date.
    pub published: Option<String>,
    /// ISO 639-1.
    pub language: String,
    pub source: Option<String>,
    #[serde(default)]
    pub byline: Vec<String>,
    pub canonical_url: Option<String>,
    pub format: Format,
    pub encoding: String,
    /// The clean main text, paragraphs separated by blank lines.
    pub text: String,
    #[serde(default)]
    pub removed: Vec<Removed>,
    pub duplicate_of: Option<String>,
    #[serde(default)]
    pub entities: Vec<Entity>,
    /// Mentions left unresolved because they are ambiguous.
    #[serde(default)]
    pub unresolved: Vec<Unresolved>,
    /// Time expressions, normalised against the publication date.
    #[serde(default)]
    pub times: Vec<TimeExpr>,
    #[serde(default)]
    pub events: Vec<Event>,
    #[serde(default)]
    pub quotes: Vec<Quote>,
    #[serde(default)]
    pub commitments: Vec<Commitment>,
    #[serde(default)]
    pub topics: Vec<Topic>,
    #[serde(default)]
    pub claims: Vec<Claim>,
    /// Lexicon tone of the whole text.
    #[serde(default)]
    pub tone: Option<Tone>,
    /// What cleaned this document: the cleaner's and the boilerplate lexicon's versions.
    #[serde(default)]
    pub cleaned_with: Option<String>,
    /// Non-fatal problems met while reading or cleaning.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// The stable id of a document: a hash of its title and clean text, so that the same article
/// read from another path, or with other page chrome, keeps its id.
impl Document {
    /// A plain-text UTF-8 document in English with nothing extracted yet; its id follows from
    /// the title and text. Set other fields with struct update syntax.
    pub fn new(input: impl Into<String>, title: Option<&str>, text: impl Into<String>) -> Document {
        let text = text.into();
        Document {
            input: input.into(),
            id: doc_id(title, &text),
            title: title.map(str::to_string),
            published: None,
            language: "en".into(),
            source: None,
            byline: Vec::new(),
            canonical_url: None,
            format: Format::Text,
            encoding: "UTF-8".into(),
            text,
            removed: Vec::new(),
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
            cleaned_with: None,
            warnings: Vec::new(),
        }
    }
}

pub fn doc_id(title: Option<&str>, text: &str) -> String {
    let mut h = blake3::Hasher::new();
    h.update(title.unwrap_or("").trim().as_bytes());
    h.update(b"\0");
    for word in text.split_whitespace() {
        h.update(word.as_bytes());
        h.update(b" ");
    }
    let hex = h.finalize().to_hex();
    format!("d{}", &hex[..15])
}

/// The hash used to find exact duplicates: the text alone, whitespace folded, case folded.
pub fn text_fingerprint(text: &str) -> String {
    let mut h = blake3::Hasher::new();
    for word in text.split_whitespace() {
        h.update(word.to_lowercase().as_bytes());
        h.update(b" ");
    }
    h.finalize().to_hex()[..32].to_string()
}

/// A line of `dyad extract` for an input that could not be read.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Failure {
    pub input: String,
    pub error: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_ignores_whitespace_but_not_words() {
        let a = doc_id(Some("T"), "one  two\n\nthree");
        assert_eq!(a, doc_id(Some("T "), "one two three"));
        assert_ne!(a, doc_id(Some("T"), "one two four"));
        assert_ne!(a, doc_id(Some("U"), "one two three"));
        assert!(a.starts_with('d') && a.len() == 16);
    }
}
