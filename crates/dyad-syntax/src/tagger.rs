//! Universal part-of-speech tags and the greedy left-to-right perceptron tagger.

use std::fmt;
use std::str::FromStr;

use crate::perceptron::{Weights, hash_str, mix};

/// The 17 universal part-of-speech tags.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Upos {
    Adj,
    Adp,
    Adv,
    Aux,
    Cconj,
    Det,
    Intj,
    Noun,
    Num,
    Part,
    Pron,
    Propn,
    Punct,
    Sconj,
    Sym,
    Verb,
    X,
}

impl Upos {
    pub const ALL: [Upos; 17] = [
        Upos::Adj,
        Upos::Adp,
        Upos::Adv,
        Upos::Aux,
        Upos::Cconj,
        Upos::Det,
        Upos::Intj,
        Upos::Noun,
        Upos::Num,
        Upos::Part,
        Upos::Pron,
        Upos::Propn,
        Upos::Punct,
        Upos::Sconj,
        Upos::Sym,
        Upos::Verb,
        Upos::X,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Upos::Adj => "ADJ",
            Upos::Adp => "ADP",
            Upos::Adv => "ADV",
            Upos::Aux => "AUX",
            Upos::Cconj => "CCONJ",
            Upos::Det => "DET",
            Upos::Intj => "INTJ",
            Upos::Noun => "NOUN",
            Upos::Num => "NUM",
            Upos::Part => "PART",
            Upos::Pron => "PRON",
            Upos::Propn => "PROPN",
            Upos::Punct => "PUNCT",
            Upos::Sconj => "SCONJ",
            Upos::Sym => "SYM",
            Upos::Verb => "VERB",
            Upos::X => "X",
        }
    }

    /// Position in [`Upos::ALL`] (the class index of the tagger).
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Upos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is not one of the 17 tags.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown UPOS tag {0:?}")]
pub struct UnknownUpos(pub String);

impl FromStr for Upos {
    type Err = UnknownUpos;
    fn from_str(s: &str) -> Result<Upos, UnknownUpos> {
        Upos::ALL
            .iter()
            .copied()
            .find(|u| u.as_str() == s)
            .ok_or_else(|| UnknownUpos(s.to_string()))
    }
}

/// Per-token values the tagger's templates look at, hashed once per sentence.
pub(crate) struct TokenCtx {
    word: u64,
    lower: u64,
    prefix: [u64; 4],
    suffix: [u64; 4],
    shape: u64,
    flags: u64,
    /// Korean only: the eojeol's stem and its particle/ending suffix (see `korean.rs`).
    stem: u64,
    ending: u64,
}

const PAD: u64 = 0x5041_4421;

/// A short word shape: runs of the same class collapsed after two (`Xxxx` → `Xxx`).
fn shape(form: &str) -> String {
    let mut out = String::new();
    let mut last = ' ';
    let mut run = 0;
    for ch in form.chars() {
        let c = if ch.is_uppercase() {
            'X'
        } else if ch.is_lowercase() {
            'x'
        } else if ch.is_numeric() {
            'd'
        } else if ch.is_alphabetic() {
            // Scripts without case (Hangul, Han): one class.
            'h'
        } else {
            ch
        };
        if c == last {
            run += 1;
            if run > 2 {
                continue;
            }
        } else {
            run = 1;
            last = c;
        }
        out.push(c);
    }
    out
}

pub(crate) fn token_ctx(form: &str, korean: bool) -> TokenCtx {
    let lower = form.to_lowercase();
    let chars: Vec<(usize, char)> = lower.char_indices().collect();
    let mut prefix = [PAD; 4];
    let mut suffix = [PAD; 4];
    for n in 1..=4usize {
        if chars.len() >= n {
            let end = chars.get(n).map_or(lower.len(), |c| c.0);
            prefix[n - 1] = mix(n as u64, hash_str(&lower[..end]));
            let start = chars[chars.len() - n].0;
            suffix[n - 1] = mix(10 + n as u64, hash_str(&lower[start..]));
        }
    }
    let has = |p: fn(char) -> bool| form.chars().any(p);
    let flags = u64::from(has(|c| c == '-'))
        | u64::from(has(|c| c.is_numeric())) << 1
        | u64::from(form.chars().next().is_some_and(char::is_uppercase)) << 2
        | u64::from(!form.chars().any(char::is_lowercase) && has(char::is_uppercase)) << 3;
    let (stem, ending) = if korean {
        let (stem, suffix) = crate::korean::split_suffix(form);
        (hash_str(stem), suffix.map_or(PAD, hash_str))
    } else {
        (PAD, PAD)
    };
    TokenCtx {
        stem,
        ending,
        word: hash_str(form),
        lower: hash_str(&lower),
        prefix,
        suffix,
        shape: hash_str(&shape(form)),
        flags,
    }
}

/// The tagger's feature hashes for position `i`, given the tags predicted before it.
pub(crate) fn features(
    ctx: &[TokenCtx],
    i: usize,
    prev: [u64; 2],
    korean: bool,
    out: &mut Vec<u64>,
) {
    out.clear();
    let at = |j: isize| -> Option<&TokenCtx> { if j < 0 { None } else { ctx.get(j as usize) } };
    let i_ = i as isize;
    let w = &ctx[i];
    let lw = |j: isize| at(j).map_or(PAD, |t| t.lower);
    let suf3 = |j: isize| at(j).map_or(PAD, |t| t.suffix[2]);
    let shp = |j: isize| at(j).map_or(PAD, |t| t.shape);
    let (p1, p2) = (prev[0], prev[1]);
    out.push(mix(1, 0));
    out.push(mix(2, w.word));
    out.push(mix(3, w.lower));
    for k in 0..4 {
        out.push(mix(4 + k as u64, w.prefix[k]));
        out.push(mix(8 + k as u64, w.suffix[k]));
    }
    out.push(mix(12, w.shape));
    out.push(mix(13, w.flags));
    out.push(mix(14, p1));
    out.push(mix(15, mix(p1, p2)));
    out.push(mix(16, mix(p1, w.lower)));
    out.push(mix(17, lw(i_ - 1)));
    out.push(mix(18, lw(i_ - 2)));
    out.push(mix(19, lw(i_ + 1)));
    out.push(mix(20, lw(i_ + 2)));
    out.push(mix(21, suf3(i_ - 1)));
    out.push(mix(22, suf3(i_ + 1)));
    out.push(mix(23, mix(lw(i_ - 1), w.lower)));
    out.push(mix(24, mix(w.lower, lw(i_ + 1))));
    out.push(mix(25, shp(i_ + 1)));
    out.push(mix(26, mix(p1, w.suffix[2])));
    out.push(mix(27, mix(u64::from(i == 0), w.shape)));
    out.push(mix(28, mix(p2, shp(i_ - 1))));
    if korean {
        let stem = |j: isize| at(j).map_or(PAD, |t| t.stem);
        let ending = |j: isize| at(j).map_or(PAD, |t| t.ending);
        out.push(mix(30, w.stem));
        out.push(mix(31, w.ending));
        out.push(mix(32, mix(w.stem, w.ending)));
        out.push(mix(33, mix(p1, w.ending)));
        out.push(mix(34, stem(i_ - 1)));
        out.push(mix(35, stem(i_ + 1)));
        out.push(mix(36, ending(i_ - 1)));
        out.push(mix(37, ending(i_ + 1)));
        out.push(mix(38, mix(w.ending, ending(i_ + 1))));
    }
}

/// Value standing for "no previous tag" at the start of a sentence.
pub(crate) const START: u64 = 0x0053_5441_5254;

/// Tag value used in feature hashes.
#[inline]
pub(crate) fn tag_value(t: Upos) -> u64 {
    100 + t as u64
}

/// The trained tagger.
#[derive(Clone, Debug, Default)]
pub struct Tagger {
    pub(crate) weights: Weights,
    /// Korean: stem and suffix features from `korean.rs`.
    pub(crate) korean: bool,
}

impl Tagger {
    /// Tags one sentence's forms.
    pub fn tag(&self, forms: &[&str]) -> Vec<Upos> {
        let ctx: Vec<TokenCtx> = forms.iter().map(|f| token_ctx(f, self.korean)).collect();
        let mut feats = Vec::with_capacity(48);
        let mut scores = [0f32; 17];
        let mut out = Vec::with_capacity(forms.len());
        let mut prev = [START, START];
        for i in 0..forms.len() {
            features(&ctx, i, prev, self.korean, &mut feats);
            self.weights.score(&feats, &mut scores);
            let t = Upos::ALL[argmax(&scores)];
            out.push(t);
            prev = [tag_value(t), prev[0]];
        }
        out
    }
}

/// Index of the highest score (the first one on ties).
pub(crate) fn argmax(s: &[f32]) -> usize {
    let mut best = 0;
    for i in 1..s.len() {
        if s[i] > s[best] {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_parse_and_print() {
        for u in Upos::ALL {
            assert_eq!(u.as_str().parse::<Upos>().unwrap(), u);
            assert_eq!(Upos::ALL[u.index()], u);
        }
        assert!("NOUNS".parse::<Upos>().is_err());
    }

    #[test]
    fn shapes_collapse_runs() {
        assert_eq!(shape("McDonald's"), "XxXxx'x");
        assert_eq!(shape("1984"), "dd");
        assert_eq!(shape("서울입니다"), "hh");
    }
}
