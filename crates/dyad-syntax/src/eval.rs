//! Accuracy with gold tokens, as the CoNLL 2018 shared task computes it: UPOS, UAS and LAS over
//! every word, punctuation included; LAS compares the universal part of the relation
//! (`obl:tmod` counts as `obl`). LAS with full labels is reported beside it.

use crate::model::Model;
use crate::train::GoldSentence;

/// Counts of correct words.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Scores {
    pub sentences: usize,
    pub words: usize,
    pub upos: usize,
    pub uas: usize,
    pub las: usize,
    pub las_full: usize,
}

impl Scores {
    fn ratio(&self, x: usize) -> f64 {
        if self.words == 0 {
            0.0
        } else {
            x as f64 / self.words as f64
        }
    }
    pub fn upos_acc(&self) -> f64 {
        self.ratio(self.upos)
    }
    pub fn uas_acc(&self) -> f64 {
        self.ratio(self.uas)
    }
    pub fn las_acc(&self) -> f64 {
        self.ratio(self.las)
    }
    pub fn las_full_acc(&self) -> f64 {
        self.ratio(self.las_full)
    }
}

fn universal(rel: &str) -> &str {
    rel.split(':').next().unwrap_or(rel)
}

/// Scores the model on gold-tokenised sentences (predicted tags, as in real use).
pub fn evaluate(model: &Model, gold: &[GoldSentence]) -> Scores {
    score(model, gold, false)
}

/// Scores the parser alone: the gold tags are given to it (what tagging errors cost).
pub fn evaluate_gold_tags(model: &Model, gold: &[GoldSentence]) -> Scores {
    score(model, gold, true)
}

fn score(model: &Model, gold: &[GoldSentence], gold_tags: bool) -> Scores {
    let mut s = Scores::default();
    for g in gold {
        let forms = g.form_refs();
        let pred = if gold_tags {
            model.annotate_tagged(&forms, &g.upos)
        } else {
            model.annotate(&forms)
        };
        s.sentences += 1;
        for (i, a) in pred.iter().enumerate() {
            s.words += 1;
            s.upos += usize::from(a.upos == g.upos[i]);
            if a.head == g.heads[i] {
                s.uas += 1;
                s.las += usize::from(universal(&a.deprel) == universal(&g.deprels[i]));
                s.las_full += usize::from(a.deprel == g.deprels[i]);
            }
        }
    }
    s
}
