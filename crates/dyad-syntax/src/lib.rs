//! dyad's linguistic layer (issue 12): raw text to sentences and tokens with byte offsets
//! (UD English EWT and UD Korean conventions), English lemmas and Korean morphemes; then
//! universal part-of-speech tags and dependency trees from models trained on Universal
//! Dependencies.

pub mod conllu;
pub mod eval;
pub mod korean;
pub mod lang;
pub mod lemma;
pub mod model;
pub mod parser;
pub mod perceptron;
pub mod render;
pub mod sentence;
pub mod tagger;
pub mod texteval;
pub mod tokenize;
pub mod train;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

pub use korean::morphs;
pub use lang::Lang;
pub use lemma::lemma;
pub use model::{Annotation, Model, ModelError, ModelInfo, Treebank};
pub use sentence::Sentence;
pub use tagger::Upos;
pub use tokenize::{Morph, MorphKind, Token, tokenize};
