//! A language's model (tagger + parser), its file format and the embedded copies.
//!
//! File format (`data/syntax/{en,ko}.bin`): the magic `DYADSYN2`, then a raw-deflate stream of:
//! a little-endian `u32` length and that many bytes of JSON [`ModelInfo`] (language, version,
//! treebanks with revisions, labels), the tagger's weights, the parser's move weights and its
//! labeller's weights (see
//! `Weights::write`: sorted keys as varint gaps, weights as `i16` steps of a scale). Same
//! weights → same bytes.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::OnceLock;

use crate::lang::Lang;
use crate::parser::Parser;
use crate::perceptron::{Weights, read_u32, take};
use crate::tagger::{Tagger, Upos};

/// Bumped when features or the file format change: part of every model's version.
pub const FORMAT: &str = "dyad-2";
const MAGIC: &[u8; 8] = b"DYADSYN2";

/// The analysis of one word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Annotation {
    pub upos: Upos,
    /// 0 = root, else the 1-based index of the head word.
    pub head: u32,
    pub deprel: String,
}

/// A treebank a model was trained on.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Treebank {
    /// Treebank name, e.g. `UD_English-EWT`.
    pub name: String,
    /// Git revision of the treebank.
    pub revision: String,
    /// Files used, e.g. `en_ewt-ud-train.conllu`.
    pub files: Vec<String>,
}

/// What a model file records about itself.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ModelInfo {
    pub lang: Lang,
    pub version: String,
    pub treebanks: Vec<Treebank>,
    pub labels: Vec<String>,
}

/// Why a model file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("{0}: not a dyad syntax model (bad magic)")]
    Magic(String),
    #[error("{0}: truncated or corrupt model")]
    Corrupt(String),
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
}

/// Tagger + parser for one language.
#[derive(Clone, Debug)]
pub struct Model {
    info: ModelInfo,
    tagger: Tagger,
    parser: Parser,
    trained: bool,
}

impl Model {
    pub(crate) fn new(
        lang: Lang,
        treebanks: Vec<Treebank>,
        tagger: Tagger,
        parser: Parser,
    ) -> Model {
        let mut model = Model {
            info: ModelInfo {
                lang,
                version: String::new(),
                treebanks,
                labels: parser.labels.clone(),
            },
            tagger,
            parser,
            trained: true,
        };
        model.stamp_version();
        model
    }

    /// Sets the version from the treebanks, [`FORMAT`] and a hash of the weights.
    fn stamp_version(&mut self) {
        let mut weights = Vec::new();
        self.tagger.weights.write(&mut weights);
        self.parser.moves.write(&mut weights);
        self.parser.labeller.write(&mut weights);
        let hash = xxhash_rust::xxh3::xxh3_64(&weights);
        self.info.version = format!(
            "{}+{:012x}",
            version_string(self.info.lang, &self.info.treebanks),
            hash >> 16
        );
    }

    /// A model that knows nothing: every word `X`, the first word the root of a flat tree.
    /// Stands in when a model file is missing or corrupt, so analysis never fails.
    pub fn untrained(lang: Lang) -> Model {
        Model {
            info: ModelInfo {
                lang,
                version: format!("untrained/{FORMAT}"),
                treebanks: Vec::new(),
                labels: vec!["dep".into(), "root".into()],
            },
            tagger: Tagger::default(),
            parser: Parser::default(),
            trained: false,
        }
    }

    /// The model compiled into the binary for `lang`, decoded once and shared by all threads.
    /// When the build had no model file (or it is corrupt) this is [`Model::untrained`]; see
    /// [`Model::is_trained`].
    pub fn embedded(lang: Lang) -> &'static Model {
        static EN: OnceLock<Model> = OnceLock::new();
        static KO: OnceLock<Model> = OnceLock::new();
        let (cell, bytes) = match lang {
            Lang::En => (&EN, crate::embedded::EN),
            Lang::Ko => (&KO, crate::embedded::KO),
        };
        cell.get_or_init(|| {
            Model::from_bytes(bytes, "embedded model").unwrap_or_else(|_| Model::untrained(lang))
        })
    }

    pub fn is_trained(&self) -> bool {
        self.trained
    }

    pub fn lang(&self) -> Lang {
        self.info.lang
    }

    /// The model's version, recorded by every extraction that reads its analyses: the
    /// treebanks with their revisions, the feature and file format ([`FORMAT`]) and a hash of
    /// the weights (it changes whenever the weights do), e.g.
    /// `en-ewt@15d613d8447b/dyad-2+3f9a0c11d2e4`.
    pub fn version(&self) -> &str {
        &self.info.version
    }

    pub fn info(&self) -> &ModelInfo {
        &self.info
    }

    pub fn tagger(&self) -> &Tagger {
        &self.tagger
    }

    pub fn parser(&self) -> &Parser {
        &self.parser
    }

    /// Sizes of the two weight tables: (tagger features, tagger weights, parser features,
    /// parser weights).
    pub fn sizes(&self) -> (usize, usize, usize, usize) {
        let (t, m, l) = (
            &self.tagger.weights,
            &self.parser.moves,
            &self.parser.labeller,
        );
        (
            t.n_features(),
            t.n_weights(),
            m.n_features() + l.n_features(),
            m.n_weights() + l.n_weights(),
        )
    }

    /// Drops the weights smaller than `min_abs` from both tables (a size/speed/accuracy
    /// trade-off measured by the eval example's `--prune`).
    pub fn prune(&mut self, min_abs: f32) {
        self.tagger.weights = self.tagger.weights.pruned(min_abs);
        self.parser.moves = self.parser.moves.pruned(min_abs);
        self.parser.labeller = self.parser.labeller.pruned(min_abs);
        if self.trained {
            self.stamp_version();
        }
    }

    /// Tags then parses one sentence's words. Always one annotation per form, forming a tree
    /// with exactly one root (for a non-empty sentence).
    pub fn annotate(&self, forms: &[&str]) -> Vec<Annotation> {
        if !self.trained {
            return (0..forms.len())
                .map(|i| Annotation {
                    upos: Upos::X,
                    head: if i == 0 { 0 } else { 1 },
                    deprel: if i == 0 { "root" } else { "dep" }.to_string(),
                })
                .collect();
        }
        let tags = self.tagger.tag(forms);
        self.annotate_tagged(forms, &tags)
    }

    /// Parses with the given tags (e.g. gold tags, for evaluation).
    pub fn annotate_tagged(&self, forms: &[&str], tags: &[Upos]) -> Vec<Annotation> {
        let arcs = self.parser.parse(forms, tags);
        arcs.into_iter()
            .zip(tags)
            .map(|((head, label), &upos)| Annotation {
                upos,
                head,
                deprel: self
                    .parser
                    .labels
                    .get(label)
                    .cloned()
                    .unwrap_or_else(|| "dep".into()),
            })
            .collect()
    }

    /// The model file's bytes (deterministic).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut payload = Vec::new();
        // Serialising plain strings and vectors cannot fail.
        let info = serde_json::to_vec(&self.info).unwrap_or_default();
        payload.extend_from_slice(&(info.len() as u32).to_le_bytes());
        payload.extend_from_slice(&info);
        self.tagger.weights.write(&mut payload);
        self.parser.moves.write(&mut payload);
        self.parser.labeller.write(&mut payload);
        let mut out = MAGIC.to_vec();
        let mut enc = flate2::write::DeflateEncoder::new(&mut out, flate2::Compression::best());
        // Writing into a Vec cannot fail.
        let _ = enc.write_all(&payload);
        let _ = enc.finish();
        out
    }

    /// Decodes a model file's bytes; `name` names it in errors.
    pub fn from_bytes(bytes: &[u8], name: &str) -> Result<Model, ModelError> {
        let corrupt = || ModelError::Corrupt(name.to_string());
        let body = bytes
            .strip_prefix(MAGIC.as_slice())
            .ok_or_else(|| ModelError::Magic(name.to_string()))?;
        let mut payload = Vec::new();
        flate2::read::DeflateDecoder::new(body)
            .read_to_end(&mut payload)
            .map_err(|_| corrupt())?;
        let mut input = payload.as_slice();
        let len = read_u32(&mut input).ok_or_else(corrupt)? as usize;
        let info: ModelInfo = serde_json::from_slice(take(&mut input, len).ok_or_else(corrupt)?)
            .map_err(|_| corrupt())?;
        let tw = Weights::read(&mut input).ok_or_else(corrupt)?;
        let moves = Weights::read(&mut input).ok_or_else(corrupt)?;
        let labeller = Weights::read(&mut input).ok_or_else(corrupt)?;
        if !input.is_empty()
            || tw.n_classes() != Upos::ALL.len()
            || moves.n_classes() != crate::parser::N_MOVES
            || labeller.n_classes() != info.labels.len()
        {
            return Err(corrupt());
        }
        let root_label = info
            .labels
            .iter()
            .position(|l| l == "root")
            .ok_or_else(corrupt)?;
        let mut parser = Parser::new(info.labels.clone(), info.lang == Lang::Ko);
        parser.moves = moves;
        parser.labeller = labeller;
        parser.root_label = root_label;
        Ok(Model {
            info,
            tagger: Tagger {
                weights: tw,
                korean: parser.korean,
            },
            parser,
            trained: true,
        })
    }

    /// Reads a model file.
    pub fn load(path: &Path) -> Result<Model, ModelError> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| ModelError::Io(name.clone(), e))?;
        Model::from_bytes(&bytes, &name)
    }

    /// Writes the model file.
    pub fn save(&self, path: &Path) -> Result<(), ModelError> {
        std::fs::write(path, self.to_bytes())
            .map_err(|e| ModelError::Io(path.display().to_string(), e))
    }
}

/// `en-ewt@15d613d8447b+…/dyad-2`: short treebank names with 12-digit revisions.
fn version_string(lang: Lang, treebanks: &[Treebank]) -> String {
    let prefix = match lang {
        Lang::En => "en",
        Lang::Ko => "ko",
    };
    let parts: Vec<String> = treebanks
        .iter()
        .map(|t| {
            let short = t.name.rsplit('-').next().unwrap_or(&t.name).to_lowercase();
            let rev: String = t.revision.chars().take(12).collect();
            format!("{prefix}-{short}@{rev}")
        })
        .collect();
    format!("{}/{FORMAT}", parts.join("+"))
}
