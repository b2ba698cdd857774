//! The languages dyad analyses.

/// A language with its own tokenizer rules and models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Lang {
    En,
    Ko,
}
