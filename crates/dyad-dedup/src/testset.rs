//! Measurement harness: a deterministic test set of edited copies of base articles, and the
//! scores of MinHash-LSH and SimHash on it. Used by `tests/measurement.rs` and
//! `examples/measure.rs`; not part of the product path.
//!
//! **The set.** Each base article (`test_data/base/<event>-<n>.txt`: headline, blank line,
//! paragraphs separated by blank lines) is one cluster: the original plus `copies` edited
//! copies. Articles sharing an `<event>` are different reports of the same event and are the
//! hard negatives. Every copy gets at least one of these edits, each drawn with its own
//! probability ([`Edit::probability`]), the way syndication edits a story:
//! - [`Edit::Headline`]: a different headline (desk prefix, outlet suffix, a headline made from
//!   the lead, or a shortened one);
//! - [`Edit::Chrome`]: 2–5 page-chrome lines (outlet name, "Advertisement", "Related
//!   articles", "Read more: <another article's headline>") at the top, between paragraphs or at
//!   the bottom;
//! - [`Edit::Wire`]: wire credits ("SEOUL (Yonhap) --" datelines, "— Reuters", "(Yonhap)");
//! - [`Edit::Drop`]: one or two sentences dropped;
//! - [`Edit::Reword`]: one to three sentences reworded (a word or phrase replaced);
//! - [`Edit::Reorder`]: two paragraphs after the lead swapped, or the last moved up;
//! - [`Edit::Truncate`]: only the first paragraphs kept (one or two fewer, at least half and at
//!   least two);
//! - [`Edit::Typos`]: one to four typos (letters swapped, dropped or doubled).
//!
//! The stream is all originals and copies in a seeded random order, so a copy is sometimes seen
//! before its original.
//!
//! **Scores.** *Linking*: each document in stream order is looked up in an index of the earlier
//! ones, then inserted. A link to a document of the same cluster is a true positive, a link to
//! another cluster a false positive; a document whose cluster was already seen and that gets no
//! correct link is a false negative. *Pairwise*: every pair of documents, predicted duplicate
//! when its similarity passes the threshold, true when both are in one cluster.
//!
//! **Invariant**: everything is a function of the base articles and the seed (a xorshift64*
//! generator; no other randomness), so the set is the same on every run and platform.

use std::fs;
use std::io;
use std::path::Path;
use std::time::Instant;

use crate::simhash::{self, SimIndex};
use crate::{
    Config, Index, Signature, shingle_hashes, shingle_hashes_across_lines, signature,
    signature_of_shingles, similarity,
};

/// The seed of the set the README's figures and the test use.
pub const SEED: u64 = 0x0d1a_d5e7;
/// Edited copies per base article in the README's set.
pub const COPIES: usize = 8;

/// xorshift64* (Vigna 2016): small, fast, and fully determined by its seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        // xorshift must not start at zero; the odd constant also spreads small seeds.
        Rng((seed ^ 0x9e37_79b9_7f4a_7c15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n`; `0` when `n` is 0.
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    /// An element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// Fisher–Yates.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// A base article.
#[derive(Debug, Clone)]
pub struct Base {
    /// File stem, e.g. `sma-2`.
    pub name: String,
    /// The stem up to its last `-`, e.g. `sma`: articles on the same event.
    pub event: String,
    pub headline: String,
    pub paragraphs: Vec<String>,
}

impl Base {
    /// The article as first published: headline, then paragraphs.
    pub fn text(&self) -> String {
        render(&self.headline, &self.paragraphs, &[], &[], &[])
    }
}

/// Reads the `*.txt` base articles of `dir`, in file-name order.
pub fn load_bases(dir: &Path) -> io::Result<Vec<Base>> {
    let mut paths: Vec<_> = fs::read_dir(dir)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<io::Result<_>>()?;
    paths.retain(|p| p.extension().is_some_and(|e| e == "txt"));
    paths.sort();
    let mut bases = Vec::new();
    for path in paths {
        let text = fs::read_to_string(&path)?;
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let event = name.rsplit_once('-').map_or(&*name, |(e, _)| e).to_string();
        let mut blocks = text
            .split("\n\n")
            .map(|b| b.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|b| !b.is_empty());
        let headline = blocks.next().unwrap_or_default();
        bases.push(Base {
            name,
            event,
            headline,
            paragraphs: blocks.collect(),
        });
    }
    Ok(bases)
}

/// The edits syndication makes; see the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Edit {
    Headline,
    Chrome,
    Wire,
    Drop,
    Reword,
    Reorder,
    Truncate,
    Typos,
}

impl Edit {
    pub const ALL: [Edit; 8] = [
        Edit::Headline,
        Edit::Chrome,
        Edit::Wire,
        Edit::Drop,
        Edit::Reword,
        Edit::Reorder,
        Edit::Truncate,
        Edit::Typos,
    ];

    /// Probability that a copy gets this edit.
    pub fn probability(self) -> f64 {
        match self {
            Edit::Headline => 0.9,
            Edit::Chrome => 0.7,
            Edit::Wire => 0.6,
            Edit::Drop => 0.5,
            Edit::Reword => 0.5,
            Edit::Reorder => 0.3,
            Edit::Truncate => 0.3,
            Edit::Typos => 0.4,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Edit::Headline => "headline",
            Edit::Chrome => "chrome",
            Edit::Wire => "wire credit",
            Edit::Drop => "sentences dropped",
            Edit::Reword => "sentences reworded",
            Edit::Reorder => "paragraphs reordered",
            Edit::Truncate => "truncated",
            Edit::Typos => "typos",
        }
    }
}

/// One document of the stream.
#[derive(Debug, Clone)]
pub struct Doc {
    /// Index of the base article this is (a copy of).
    pub cluster: usize,
    pub event: String,
    /// Empty for the original.
    pub edits: Vec<Edit>,
    pub text: String,
}

/// The test set: for each base, the original and `copies` edited copies, in a seeded random
/// order.
pub fn generate(bases: &[Base], copies: usize, seed: u64) -> Vec<Doc> {
    let mut rng = Rng::new(seed);
    let headlines: Vec<&str> = bases.iter().map(|b| b.headline.as_str()).collect();
    let mut docs = Vec::new();
    for (cluster, base) in bases.iter().enumerate() {
        docs.push(Doc {
            cluster,
            event: base.event.clone(),
            edits: Vec::new(),
            text: base.text(),
        });
        for _ in 0..copies {
            let others: Vec<&str> = headlines
                .iter()
                .enumerate()
                .filter(|&(i, _)| i != cluster)
                .map(|(_, h)| *h)
                .collect();
            let (text, edits) = edited_copy(base, &others, &mut rng);
            docs.push(Doc {
                cluster,
                event: base.event.clone(),
                edits,
                text,
            });
        }
    }
    rng.shuffle(&mut docs);
    docs
}

const OUTLETS: &[&str] = &[
    "The Korea Ledger",
    "Pacific Times Online",
    "Asia Desk Daily",
    "Seoul Morning Post",
    "Global Wire Review",
    "Capital Region News",
];

const CHROME: &[&str] = &[
    "Advertisement",
    "ADVERTISEMENT",
    "Related articles",
    "Share this article",
    "Subscribe to our newsletter for the latest news",
    "Listen to this article",
    "Most read",
    "Copyright 2026. All rights reserved. Reproduction prohibited.",
    "Photo: Yonhap",
    "Sign up for breaking news alerts",
    "Continue reading below",
];

const DATELINES: &[&str] = &[
    "SEOUL (Yonhap) --",
    "SEOUL, Nov. 4 (Yonhap) --",
    "WASHINGTON (Reuters) -",
    "SEOUL, South Korea (AP) —",
    "TOKYO (Kyodo) --",
];

const CREDITS: &[&str] = &[
    "— Reuters",
    "(Yonhap)",
    "Reporting by the Seoul bureau; Editing by the Asia desk",
    "This article was provided by a wire service and published without edits.",
    "Source: ministry press release",
];

const HEADLINE_PREFIXES: &[&str] = &[
    "UPDATE 1-",
    "UPDATE 2-",
    "Analysis: ",
    "EXPLAINER-",
    "(LEAD) ",
    "(2nd LD) ",
];

/// Phrase replacements for rewording, applied at word boundaries.
const REWORDINGS: &[(&str, &str)] = &[
    ("said", "says"),
    ("said", "told reporters"),
    ("South Korea", "Seoul"),
    ("the United States", "Washington"),
    ("United States", "U.S."),
    ("North Korea", "Pyongyang"),
    ("percent", "%"),
    ("will", "would"),
    ("officials", "authorities"),
    ("announced", "unveiled"),
    ("about", "around"),
    ("more than", "over"),
    ("billion", "bn"),
    ("agreement", "deal"),
    ("also", "additionally"),
    ("however", "but"),
    ("on Tuesday", "earlier this week"),
    ("expected", "likely"),
    ("government", "administration"),
];

/// An edited copy of `base` and the edits made.
fn edited_copy(base: &Base, other_headlines: &[&str], rng: &mut Rng) -> (String, Vec<Edit>) {
    let mut edits = Vec::new();
    while edits.is_empty() {
        edits = Edit::ALL
            .into_iter()
            .filter(|e| rng.chance(e.probability()))
            .collect();
    }
    let mut headline = base.headline.clone();
    let mut paras: Vec<Vec<String>> = base.paragraphs.iter().map(|p| sentences(p)).collect();
    let (mut top, mut middle, mut bottom) = (Vec::new(), Vec::new(), Vec::new());

    if edits.contains(&Edit::Truncate) && paras.len() > 2 {
        let n = paras.len();
        let keep = (n - rng.range(1, 2)).max(n.div_ceil(2)).max(2);
        paras.truncate(keep);
    }
    if edits.contains(&Edit::Drop) {
        for _ in 0..rng.range(1, 2) {
            drop_sentence(&mut paras, rng);
        }
    }
    if edits.contains(&Edit::Reword) {
        for _ in 0..rng.range(1, 3) {
            let p = rng.below(paras.len());
            let s = rng.below(paras[p].len());
            paras[p][s] = reword(&paras[p][s], rng);
        }
    }
    if edits.contains(&Edit::Reorder) && paras.len() >= 3 {
        let n = paras.len();
        if rng.chance(0.5) {
            let i = rng.range(1, n - 2);
            paras.swap(i, i + 1);
        } else {
            let last = paras.remove(n - 1);
            paras.insert(rng.range(1, n - 2), last);
        }
    }
    if edits.contains(&Edit::Typos) {
        for _ in 0..rng.range(1, 4) {
            let p = rng.below(paras.len());
            let s = rng.below(paras[p].len());
            paras[p][s] = typo(&paras[p][s], rng);
        }
    }
    if edits.contains(&Edit::Headline) {
        headline = match rng.below(4) {
            0 => format!("{}{headline}", rng.pick(HEADLINE_PREFIXES)),
            1 => format!("{headline} | {}", rng.pick(OUTLETS)),
            2 => paras[0][0]
                .split(' ')
                .take(rng.range(7, 11))
                .collect::<Vec<_>>()
                .join(" "),
            _ => {
                let words: Vec<&str> = headline.split(' ').collect();
                let cut = rng.range(1, 2).min(words.len().saturating_sub(3));
                let shorter = words[..words.len() - cut].join(" ");
                shorter
                    .replace("South Korea", "S. Korea")
                    .replace("United States", "U.S.")
            }
        };
    }
    if edits.contains(&Edit::Wire) {
        let choice = rng.below(3);
        if choice != 1 {
            let first = &mut paras[0][0];
            *first = format!("{} {first}", rng.pick(DATELINES));
        }
        if choice != 0 {
            bottom.push(rng.pick(CREDITS).to_string());
        }
    }
    if edits.contains(&Edit::Chrome) {
        for _ in 0..rng.range(2, 5) {
            let line = match rng.below(4) {
                0 => rng.pick(OUTLETS).to_string(),
                1 => format!("Read more: {}", rng.pick(other_headlines)),
                _ => rng.pick(CHROME).to_string(),
            };
            match rng.below(3) {
                0 => top.push(line),
                1 => middle.push((rng.range(1, paras.len().max(2) - 1), line)),
                _ => bottom.push(line),
            }
        }
    }
    let paragraphs: Vec<String> = paras.into_iter().map(|s| s.join(" ")).collect();
    (
        render(&headline, &paragraphs, &top, &middle, &bottom),
        edits,
    )
}

/// Lines joined as a page's text: top chrome, headline, paragraphs (with chrome lines before
/// the paragraph at their index), bottom lines.
fn render(
    headline: &str,
    paragraphs: &[String],
    top: &[String],
    middle: &[(usize, String)],
    bottom: &[String],
) -> String {
    let mut blocks: Vec<&str> = top.iter().map(String::as_str).collect();
    blocks.push(headline);
    for (i, p) in paragraphs.iter().enumerate() {
        blocks.extend(
            middle
                .iter()
                .filter(|(at, _)| *at == i)
                .map(|(_, l)| l.as_str()),
        );
        blocks.push(p);
    }
    blocks.extend(bottom.iter().map(String::as_str));
    blocks.join("\n\n")
}

/// Splits a paragraph into sentences (at `.`, `?` or `!`, optionally followed by a closing
/// quote, before a word starting with a capital or a quote; not after abbreviations).
fn sentences(paragraph: &str) -> Vec<String> {
    const ABBREVIATIONS: &[&str] = &[
        "Mr.", "Ms.", "Dr.", "Gen.", "Lt.", "Col.", "Sen.", "Rep.", "No.", "St.", "Jan.", "Feb.",
        "Aug.", "Sept.", "Oct.", "Nov.", "Dec.", "S.",
    ];
    let words: Vec<&str> = paragraph.split_whitespace().collect();
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        current.push(w);
        let trimmed = w.trim_end_matches(['"', '\'', '”', '’']);
        let ends = trimmed.ends_with(['.', '?', '!']);
        let body = trimmed.strip_suffix(['.', '?', '!']).unwrap_or(trimmed);
        let abbreviation = ABBREVIATIONS.contains(&trimmed) || body.contains('.');
        let next_starts = words.get(i + 1).is_some_and(|n| {
            n.starts_with(|c: char| c.is_uppercase() || matches!(c, '"' | '“' | '\''))
        });
        if ends && !abbreviation && next_starts {
            out.push(current.join(" "));
            current.clear();
        }
    }
    if !current.is_empty() {
        out.push(current.join(" "));
    }
    out
}

/// Drops one sentence, keeping at least one sentence per paragraph and at least two paragraphs.
fn drop_sentence(paras: &mut Vec<Vec<String>>, rng: &mut Rng) {
    let long: Vec<usize> = (0..paras.len()).filter(|&i| paras[i].len() >= 2).collect();
    if !long.is_empty() {
        let p = *rng.pick(&long);
        let s = rng.below(paras[p].len());
        paras[p].remove(s);
    } else if paras.len() > 2 {
        let p = rng.range(1, paras.len() - 1);
        paras.remove(p);
    }
}

/// Byte offset of `phrase` in `s` as a whole word or phrase, if present.
fn find_word(s: &str, phrase: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = s[from..].find(phrase).map(|i| i + from) {
        let before = s[..i].chars().next_back();
        let after = s[i + phrase.len()..].chars().next();
        if !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric) {
            return Some(i);
        }
        from = i + phrase.len();
    }
    None
}

/// The sentence with one phrase replaced; if no known phrase occurs, two words swapped.
fn reword(sentence: &str, rng: &mut Rng) -> String {
    let start = rng.below(REWORDINGS.len());
    for k in 0..REWORDINGS.len() {
        let (from, to) = REWORDINGS[(start + k) % REWORDINGS.len()];
        if let Some(i) = find_word(sentence, from) {
            return format!("{}{to}{}", &sentence[..i], &sentence[i + from.len()..]);
        }
    }
    let mut words: Vec<&str> = sentence.split(' ').collect();
    if words.len() >= 4 {
        let i = rng.range(1, words.len() - 3);
        words.swap(i, i + 1);
    }
    words.join(" ")
}

/// The sentence with one typo in a word of four or more ASCII letters, if it has one.
fn typo(sentence: &str, rng: &mut Rng) -> String {
    let mut words: Vec<String> = sentence.split(' ').map(str::to_string).collect();
    let candidates: Vec<usize> = (0..words.len())
        .filter(|&i| words[i].len() >= 4 && words[i].bytes().all(|b| b.is_ascii_alphabetic()))
        .collect();
    if candidates.is_empty() {
        return sentence.to_string();
    }
    let w = &mut words[*rng.pick(&candidates)];
    let mut chars: Vec<char> = w.chars().collect();
    let i = rng.range(1, chars.len() - 2);
    match rng.below(3) {
        0 => chars.swap(i, i + 1),
        1 => {
            chars.remove(i);
        }
        _ => chars.insert(i, chars[i]),
    }
    *w = chars.into_iter().collect();
    words.join(" ")
}

/// A method under test.
#[derive(Debug, Clone)]
pub enum Method {
    /// MinHash signatures in an LSH [`Index`], verified at `threshold`.
    MinHash(Config),
    /// The same with shingles that cross line breaks (the text taken as one run of words).
    MinHashAcrossLines(Config),
    /// 64-bit SimHash in a [`SimIndex`], matching within `max_distance` bits.
    SimHash { shingle: usize, max_distance: u32 },
}

impl Method {
    pub fn label(&self) -> String {
        match self {
            Method::MinHash(c) => format!(
                "MinHash-LSH k={} J≥{} {}×{}",
                c.shingle, c.threshold, c.bands, c.rows
            ),
            Method::MinHashAcrossLines(c) => format!(
                "MinHash-LSH k={} J≥{} {}×{}, shingles across lines",
                c.shingle, c.threshold, c.bands, c.rows
            ),
            Method::SimHash {
                shingle,
                max_distance,
            } => format!("SimHash-64 k={shingle} d≤{max_distance}"),
        }
    }
}

/// For each document in stream order, the position of the earlier document it is linked to.
pub fn link(docs: &[Doc], method: &Method) -> Vec<Option<usize>> {
    match method {
        Method::MinHash(cfg) | Method::MinHashAcrossLines(cfg) => {
            let mut index = Index::new(cfg.clone());
            docs.iter()
                .enumerate()
                .map(|(i, d)| {
                    let sig = minhash(method, &d.text, cfg);
                    let found = index.find(&sig);
                    index.insert(i, sig);
                    found
                })
                .collect()
        }
        Method::SimHash {
            shingle,
            max_distance,
        } => {
            let mut index = SimIndex::new(*max_distance);
            docs.iter()
                .enumerate()
                .map(|(i, d)| {
                    let fp = simhash::fingerprint(&d.text, *shingle);
                    let found = index.find(fp);
                    index.insert(i, fp);
                    found
                })
                .collect()
        }
    }
}

/// The signature of `text` for a MinHash method.
fn minhash(method: &Method, text: &str, cfg: &Config) -> Signature {
    match method {
        Method::MinHashAcrossLines(_) => signature_of_shingles(
            &shingle_hashes_across_lines(text, cfg.shingle),
            cfg.num_perm(),
        ),
        _ => signature(text, cfg),
    }
}

/// Precision, recall and F1 from counts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prf {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

impl Prf {
    pub fn precision(&self) -> f64 {
        if self.tp + self.fp == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fp) as f64
        }
    }
    pub fn recall(&self) -> f64 {
        if self.tp + self.fn_ == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fn_) as f64
        }
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

/// Linking scores of `links` (from [`link`]) on `docs`.
pub fn link_scores(docs: &[Doc], links: &[Option<usize>]) -> Prf {
    let mut prf = Prf {
        tp: 0,
        fp: 0,
        fn_: 0,
    };
    for (i, (doc, found)) in docs.iter().zip(links).enumerate() {
        let should = docs[..i].iter().any(|d| d.cluster == doc.cluster);
        let correct = found.is_some_and(|j| docs[j].cluster == doc.cluster);
        if correct {
            prf.tp += 1;
        } else {
            if found.is_some() {
                prf.fp += 1;
            }
            if should {
                prf.fn_ += 1;
            }
        }
    }
    prf
}

/// Pairwise scores: every pair of documents, predicted by the full-signature comparison (no
/// LSH), true when both are in one cluster.
pub fn pair_scores(docs: &[Doc], method: &Method) -> Prf {
    let predict: Box<dyn Fn(usize, usize) -> bool> = match method {
        Method::MinHash(cfg) | Method::MinHashAcrossLines(cfg) => {
            let sigs: Vec<_> = docs.iter().map(|d| minhash(method, &d.text, cfg)).collect();
            let t = cfg.threshold;
            Box::new(move |i, j| similarity(&sigs[i], &sigs[j]) >= t)
        }
        Method::SimHash {
            shingle,
            max_distance,
        } => {
            let fps: Vec<_> = docs
                .iter()
                .map(|d| simhash::fingerprint(&d.text, *shingle))
                .collect();
            let d = *max_distance;
            Box::new(move |i, j| match (fps[i], fps[j]) {
                (Some(a), Some(b)) => simhash::hamming(a, b) <= d,
                _ => false,
            })
        }
    };
    let mut prf = Prf {
        tp: 0,
        fp: 0,
        fn_: 0,
    };
    for i in 0..docs.len() {
        for j in i + 1..docs.len() {
            match (predict(i, j), docs[i].cluster == docs[j].cluster) {
                (true, true) => prf.tp += 1,
                (true, false) => prf.fp += 1,
                (false, true) => prf.fn_ += 1,
                (false, false) => {}
            }
        }
    }
    prf
}

/// Documents per second through [`link`] (signature, lookup and insert), the median of
/// `rounds` runs.
pub fn throughput(docs: &[Doc], method: &Method, rounds: usize) -> f64 {
    let mut rates: Vec<f64> = (0..rounds.max(1))
        .map(|_| {
            let start = Instant::now();
            let links = link(docs, method);
            std::hint::black_box(links);
            docs.len() as f64 / start.elapsed().as_secs_f64()
        })
        .collect();
    rates.sort_by(f64::total_cmp);
    rates[rates.len() / 2]
}

/// Exact Jaccard similarity of two sorted sets without repeats.
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let (mut i, mut j, mut both) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - both;
    if union == 0 {
        0.0
    } else {
        both as f64 / union as f64
    }
}

/// Exact shingle Jaccard of every copy to its original, and of every pair of documents of
/// different clusters (split by same event or not).
#[derive(Debug, Clone, Default)]
pub struct JaccardSpread {
    pub copy_to_original: Vec<f64>,
    pub same_event_negatives: Vec<f64>,
    pub other_negatives: Vec<f64>,
}

pub fn jaccard_spread(docs: &[Doc], shingle: usize) -> JaccardSpread {
    let sets: Vec<Vec<u64>> = docs
        .iter()
        .map(|d| shingle_hashes(&d.text, shingle))
        .collect();
    let mut spread = JaccardSpread::default();
    for i in 0..docs.len() {
        for j in i + 1..docs.len() {
            let (a, b) = (&docs[i], &docs[j]);
            if a.cluster == b.cluster {
                if a.edits.is_empty() || b.edits.is_empty() {
                    spread.copy_to_original.push(jaccard(&sets[i], &sets[j]));
                }
            } else if a.event == b.event {
                spread
                    .same_event_negatives
                    .push(jaccard(&sets[i], &sets[j]));
            } else {
                spread.other_negatives.push(jaccard(&sets[i], &sets[j]));
            }
        }
    }
    for v in [
        &mut spread.copy_to_original,
        &mut spread.same_event_negatives,
        &mut spread.other_negatives,
    ] {
        v.sort_by(f64::total_cmp);
    }
    spread
}

/// The value at quantile `q` (0..=1) of sorted `values`; `NaN` when empty.
pub fn quantile(values: &[f64], q: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let i = ((values.len() - 1) as f64 * q).round() as usize;
    values[i]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rng_is_deterministic_and_in_range() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        for _ in 0..1000 {
            let x = a.below(10);
            assert_eq!(x, b.below(10));
            assert!(x < 10);
        }
        assert_ne!(Rng::new(0).next_u64(), 0);
    }

    #[test]
    fn sentences_respect_abbreviations() {
        let s = sentences(
            "U.S. Forces Korea said so. The Gen. Smith view differs! \"Quote.\" Then more.",
        );
        assert_eq!(
            s,
            [
                "U.S. Forces Korea said so.",
                "The Gen. Smith view differs!",
                "\"Quote.\"",
                "Then more."
            ]
        );
    }

    #[test]
    fn reword_replaces_whole_words_only() {
        assert_eq!(find_word("willing and will", "will"), Some(12));
        assert_eq!(find_word("a willow", "will"), None);
    }

    #[test]
    fn prf_arithmetic() {
        let p = Prf {
            tp: 8,
            fp: 2,
            fn_: 2,
        };
        assert!((p.f1() - 0.8).abs() < 1e-12);
    }
}
