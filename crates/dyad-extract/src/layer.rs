//! The linguistic layer as extraction reads it: a document tokenised and split into sentences
//! once by `dyad-syntax`, each sentence tagged and parsed the first time a stage asks for its
//! tree (most sentences of a news story are never parsed).

use std::cell::OnceCell;

use dyad_syntax::{Annotation, Lang, Model, Sentence, Token, Upos};

/// One document's tokens and sentences, with trees made on demand.
pub(crate) struct Layer<'t> {
    pub text: &'t str,
    pub tokens: Vec<Token>,
    pub sentences: Vec<Sentence>,
    model: &'static Model,
    trees: Vec<OnceCell<Tree>>,
}

/// The analysis of one sentence: per token (sentence-relative index), its tag, its head
/// (`None` for the root) and relation, and its dependents in order.
pub(crate) struct Tree {
    pub upos: Vec<Upos>,
    pub head: Vec<Option<usize>>,
    pub deprel: Vec<String>,
    pub children: Vec<Vec<usize>>,
}

impl Tree {
    fn new(ann: Vec<Annotation>) -> Tree {
        let n = ann.len();
        let mut children = vec![Vec::new(); n];
        let mut head = Vec::with_capacity(n);
        let mut upos = Vec::with_capacity(n);
        let mut deprel = Vec::with_capacity(n);
        for (i, a) in ann.into_iter().enumerate() {
            let h = (a.head as usize)
                .checked_sub(1)
                .filter(|&h| h < n && h != i);
            if let Some(h) = h {
                children[h].push(i);
            }
            head.push(h);
            upos.push(a.upos);
            deprel.push(a.deprel);
        }
        Tree {
            upos,
            head,
            deprel,
            children,
        }
    }

    /// The universal part of token `i`'s relation (`nsubj` for `nsubj:pass`).
    pub fn rel(&self, i: usize) -> &str {
        let r = self.deprel[i].as_str();
        r.split(':').next().unwrap_or(r)
    }

    /// The dependents of `i` whose relation's universal part is `rel`.
    pub fn children_by<'a>(&'a self, i: usize, rel: &'a str) -> impl Iterator<Item = usize> + 'a {
        self.children[i]
            .iter()
            .copied()
            .filter(move |&c| self.rel(c) == rel)
    }

    /// Token indices of the subtree of `i` (itself included), in no particular order. Bounded
    /// by the sentence: a cycle left by a broken tree cannot loop.
    pub fn subtree(&self, i: usize) -> Vec<usize> {
        let mut out = vec![i];
        let mut k = 0;
        while k < out.len() && out.len() <= self.upos.len() {
            let t = out[k];
            out.extend(self.children[t].iter().copied().filter(|&c| c != i));
            k += 1;
        }
        out.truncate(self.upos.len());
        out
    }
}

impl<'t> Layer<'t> {
    pub fn new(text: &'t str, lang: Lang) -> Layer<'t> {
        let (tokens, sentences) = dyad_syntax::tokenize(text, lang);
        let trees = sentences.iter().map(|_| OnceCell::new()).collect();
        Layer {
            text,
            tokens,
            sentences,
            model: Model::embedded(lang),
            trees,
        }
    }

    /// The tokens of sentence `s`.
    pub fn tokens_of(&self, s: usize) -> &[Token] {
        &self.tokens[self.sentences[s].tokens.clone()]
    }

    /// The tree of sentence `s`, parsed on first use.
    pub fn tree(&self, s: usize) -> &Tree {
        self.trees[s].get_or_init(|| {
            let forms: Vec<&str> = self.tokens_of(s).iter().map(|t| t.form.as_str()).collect();
            Tree::new(self.model.annotate(&forms))
        })
    }

    /// The sentence holding byte offset `at`, if any.
    pub fn sentence_at(&self, at: usize) -> Option<usize> {
        let k = self.sentences.partition_point(|s| s.end <= at);
        self.sentences
            .get(k)
            .filter(|s| s.start <= at && at < s.end)
            .map(|_| k)
    }
}
