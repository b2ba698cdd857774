//! The linguistic layer: sentences, tokens, part-of-speech tags and dependency trees for English
//! and Korean, with models trained on Universal Dependencies.

pub mod conllu;
pub mod eval;
pub mod lang;
pub mod model;
pub mod parser;
pub mod perceptron;
pub mod tagger;
pub mod train;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

pub use lang::Lang;
pub use model::{Annotation, Model, ModelError, ModelInfo, Treebank};
pub use tagger::Upos;
