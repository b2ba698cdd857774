//! dyad's linguistic layer (issue 12): raw text to sentences and tokens with byte offsets
//! (UD English EWT and UD Korean conventions), English lemmas and Korean morphemes.

pub mod korean;
pub mod lang;
pub mod lemma;
pub mod render;
pub mod sentence;
pub mod texteval;
pub mod tokenize;

pub use korean::morphs;
pub use lang::Lang;
pub use lemma::lemma;
pub use sentence::Sentence;
pub use tokenize::{Morph, MorphKind, Token, tokenize};
