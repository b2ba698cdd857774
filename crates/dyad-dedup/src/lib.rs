//! Near-duplicate detection: syndicated copies and republished press releases are linked to the
//! first-seen document.
//!
//! A text becomes a set of word shingles (runs of [`Config::shingle`] consecutive words), the set
//! becomes a MinHash [`Signature`] (`bands * rows` minimum hash values), and an in-memory LSH
//! [`Index`] finds earlier documents that share at least one band of the signature. Every
//! candidate is then checked on the full signature: two texts are near-duplicates when their
//! estimated Jaccard similarity is at least [`Config::threshold`]. [`band_keys`] exposes the band
//! hashes so a persistent store can keep the same index in SQLite.
//!
//! ```
//! use dyad_dedup::{Config, Index, signature};
//!
//! let cfg = Config::default();
//! let mut index = Index::new(cfg.clone());
//! let original = "Seoul and Washington signed a new cost-sharing agreement on Tuesday, \
//!                 raising South Korea's contribution for the upkeep of American troops.";
//! index.insert("doc-1", signature(original, &cfg));
//! let copy = "SEOUL (Yonhap) -- Seoul and Washington signed a new cost-sharing agreement on \
//!             Tuesday, raising South Korea's contribution for the upkeep of American troops.";
//! assert_eq!(index.find(&signature(copy, &cfg)), Some("doc-1"));
//! ```
//!
//! The defaults were chosen by measurement on a generated test set of edited copies and
//! same-event articles; the method and the figures are in the crate's `README.md`, and the test
//! `tests/measurement.rs` regenerates the set and fails if the default's F1 drops below 0.95.
//!
//! **Invariants**
//! - Deterministic: a signature depends only on the text and the [`Config`]. Hashing is xxh3 with
//!   fixed seeds (the same on every platform and run); no randomly seeded hasher affects output.
//! - Normalisation: text is lowercased and split into Unicode words (maximal runs of letters and
//!   digits, Hangul syllables included); punctuation and whitespace only separate words.
//! - Empty text (no words) has the empty signature: no band keys and similarity `0.0` with
//!   every signature, itself included. Empty text never matches.
//! - Shingles do not cross line breaks. A line with fewer words than a shingle is one shingle
//!   of all its words, so distinct short texts do not collide; identical short texts do match.
//! - [`Index::find`] never reports a match on a band collision alone: every candidate is
//!   verified with [`similarity`] on the full signature, and the earliest-inserted verified
//!   candidate wins.
//! - Signatures are comparable only when made with the same `shingle`, `bands` and `rows`
//!   (and the same crate seeds): a store must record the [`Config`] its signatures were made
//!   with. Signatures of different lengths have similarity `0.0`.
//!
//! **API boundary**: no IO except in [`testset`], the measurement harness, which reads the base
//! articles it is given a path to. Storage of signatures and band keys belongs to the store.

pub mod simhash;
pub mod testset;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Parameters of signatures and of the index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Estimated Jaccard similarity of word-shingle sets at or above which two texts are
    /// near-duplicates.
    pub threshold: f64,
    /// Words per shingle (0 is treated as 1).
    pub shingle: usize,
    /// LSH bands. A signature has `bands * rows` values.
    pub bands: usize,
    /// Signature values per band.
    pub rows: usize,
}

impl Default for Config {
    /// The configuration chosen by the measurement in the crate's `README.md`: 5-word shingles,
    /// near-duplicate at an estimated Jaccard of 0.3 (the highest threshold that still linked
    /// 99% of the edited copies; different articles on the same event stay below 0.11), 128
    /// hash functions in 64 bands of 2, so a pair exactly at 0.3 is a candidate with probability
    /// 0.998.
    fn default() -> Config {
        Config {
            threshold: 0.3,
            shingle: 5,
            bands: 64,
            rows: 2,
        }
    }
}

impl Config {
    /// Number of MinHash values in a signature.
    pub fn num_perm(&self) -> usize {
        self.bands * self.rows
    }

    /// A configuration for `threshold` with `num_perm` hash functions, split into bands so that
    /// a pair exactly at the threshold becomes a candidate with probability at least 0.99, with
    /// as many rows per band as allows (the fewer rows, the more chance candidates to verify).
    pub fn for_threshold(threshold: f64, shingle: usize, num_perm: usize) -> Config {
        let num_perm = num_perm.max(1);
        let mut best = Config {
            threshold,
            shingle,
            bands: num_perm,
            rows: 1,
        };
        for rows in 2..=num_perm {
            let cfg = Config {
                bands: num_perm / rows,
                rows,
                ..best.clone()
            };
            if cfg.candidate_probability(threshold) >= 0.99 {
                best = cfg;
            }
        }
        best
    }

    /// Probability that two texts of Jaccard similarity `s` share at least one band, i.e. become
    /// candidates in the index: `1 - (1 - s^rows)^bands`.
    pub fn candidate_probability(&self, s: f64) -> f64 {
        let rows = i32::try_from(self.rows).unwrap_or(i32::MAX);
        let bands = i32::try_from(self.bands).unwrap_or(i32::MAX);
        1.0 - (1.0 - s.powi(rows)).powi(bands)
    }
}

/// A MinHash signature: for each of `bands * rows` hash functions, the minimum hash over the
/// text's shingles. Empty for a text without words.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Signature(pub Vec<u32>);

impl Signature {
    /// True for the signature of a text without words (never matches anything).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Seed of the word hash. Changing any seed changes every signature: persisted signatures
/// would have to be recomputed.
const WORD_SEED: u64 = 0x6479_6164_5f77_6f72; // "dyad_wor"
/// Seed of the shingle hash chain.
const SHINGLE_SEED: u64 = 0x6479_6164_5f73_6869; // "dyad_shi"
/// Seed from which the per-permutation seeds are drawn.
const PERM_SEED: u64 = 0x6479_6164_5f70_6572; // "dyad_per"
/// Seed of the band hash chain.
const BAND_SEED: u64 = 0x6479_6164_5f62_616e; // "dyad_ban"

/// The 64-bit finaliser of MurmurHash3: a bijection that mixes every input bit into every
/// output bit.
fn fmix64(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^= x >> 33;
    x
}

/// SplitMix64 step: the `i`-th value of a fixed pseudo-random sequence.
fn splitmix64(seed: u64, i: u64) -> u64 {
    let mut z = seed.wrapping_add((i + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Calls `f` with each normalised (lowercased) word of `text`, in order.
///
/// A word is a maximal run of characters that are alphabetic or numeric in Unicode (this
/// includes Hangul syllables and jamo); everything else separates words.
pub fn for_each_word(text: &str, mut f: impl FnMut(&str)) {
    let mut buf = String::new();
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        buf.clear();
        if word.is_ascii() {
            buf.push_str(word);
            buf.make_ascii_lowercase();
        } else {
            buf.extend(word.chars().flat_map(char::to_lowercase));
        }
        f(&buf);
    }
}

/// The set of shingle hashes of `text`, sorted and without repeats.
///
/// A shingle is `shingle` consecutive words of one line: shingles do not cross line breaks, so
/// reordered paragraphs and page-chrome lines inserted between paragraphs change only their own
/// shingles. A line with fewer words than a shingle is one shingle of all its words, and a text
/// without words has no shingles.
pub fn shingle_hashes(text: &str, shingle: usize) -> Vec<u64> {
    let mut out = Vec::new();
    for line in text.lines() {
        push_shingles(line, shingle, &mut out);
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Shingle hashes as if `text` were one line (shingles cross line breaks). Kept for the
/// measurement, which compares it with [`shingle_hashes`].
pub(crate) fn shingle_hashes_across_lines(text: &str, shingle: usize) -> Vec<u64> {
    let mut out = Vec::new();
    push_shingles(text, shingle, &mut out);
    out.sort_unstable();
    out.dedup();
    out
}

/// Appends the shingle hashes of `text`, taken as one run of words, to `out`.
fn push_shingles(text: &str, shingle: usize, out: &mut Vec<u64>) {
    let k = shingle.max(1);
    let mut words = Vec::new();
    for_each_word(text, |w| {
        words.push(xxh3_64_with_seed(w.as_bytes(), WORD_SEED))
    });
    let chain = |ws: &[u64]| ws.iter().fold(SHINGLE_SEED, |h, &w| fmix64(h ^ w));
    match words.len() {
        0 => {}
        n if n < k => out.push(chain(&words)),
        _ => out.extend(words.windows(k).map(chain)),
    }
}

/// The MinHash signature of `text` under `cfg`.
///
/// Hash function `i` maps a shingle hash `h` to the high 32 bits of `fmix64(h ^ seed_i)`, with
/// `seed_i` the `i`-th value of a fixed SplitMix64 sequence.
pub fn signature(text: &str, cfg: &Config) -> Signature {
    signature_of_shingles(&shingle_hashes(text, cfg.shingle), cfg.num_perm())
}

/// The MinHash signature (`num_perm` values) of a set of shingle hashes.
pub fn signature_of_shingles(shingles: &[u64], num_perm: usize) -> Signature {
    if shingles.is_empty() {
        return Signature(Vec::new());
    }
    let values = (0..num_perm as u64)
        .map(|i| {
            let seed = splitmix64(PERM_SEED, i);
            shingles
                .iter()
                .map(|&h| (fmix64(h ^ seed) >> 32) as u32)
                .min()
                .unwrap_or(u32::MAX) // unreachable: `shingles` is not empty
        })
        .collect();
    Signature(values)
}

/// The LSH band keys of `sig`: one 64-bit hash per band of `cfg.rows` values, with the band's
/// number mixed in, so keys of different bands never need to be told apart (one column of an
/// SQLite table will do; store them as `key as i64`).
///
/// Two signatures are LSH candidates when they share a key. Only complete bands that fit in the
/// signature count; the empty signature has no keys.
pub fn band_keys(sig: &Signature, cfg: &Config) -> Vec<u64> {
    if cfg.rows == 0 {
        return Vec::new();
    }
    sig.0
        .chunks_exact(cfg.rows)
        .take(cfg.bands)
        .enumerate()
        .map(|(band, values)| {
            let start = splitmix64(BAND_SEED, band as u64);
            values.iter().fold(start, |h, &v| fmix64(h ^ u64::from(v)))
        })
        .collect()
}

/// Estimated Jaccard similarity of the two texts' shingle sets: the fraction of signature
/// positions where the minimum hashes agree.
///
/// `0.0` when either signature is empty or their lengths differ (they were not made with the
/// same configuration).
pub fn similarity(a: &Signature, b: &Signature) -> f64 {
    if a.0.is_empty() || a.0.len() != b.0.len() {
        return 0.0;
    }
    let equal = a.0.iter().zip(&b.0).filter(|(x, y)| x == y).count();
    equal as f64 / a.0.len() as f64
}

/// An in-memory LSH index of signatures by key, in insertion order.
#[derive(Debug, Clone)]
pub struct Index<K> {
    cfg: Config,
    /// Keys and signatures in insertion order; positions are the ids used in `buckets`.
    entries: Vec<(K, Signature)>,
    /// Band key → positions in `entries`, ascending.
    buckets: HashMap<u64, Vec<usize>>,
}

impl<K: Clone + Eq + std::hash::Hash> Index<K> {
    pub fn new(cfg: Config) -> Self {
        Index {
            cfg,
            entries: Vec::new(),
            buckets: HashMap::new(),
        }
    }

    /// The configuration signatures must have been made with.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// The first-inserted key whose signature is a near-duplicate of `sig` (similarity >=
    /// threshold, verified on the full signature, not only on a band collision), if any.
    ///
    /// Only LSH candidates (sharing a band) are verified, so a near-duplicate is missed with
    /// probability `1 - cfg.candidate_probability(s)` at true similarity `s`.
    pub fn find(&self, sig: &Signature) -> Option<K> {
        let mut candidates: Vec<usize> = band_keys(sig, &self.cfg)
            .iter()
            .filter_map(|key| self.buckets.get(key))
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        candidates
            .into_iter()
            .map(|pos| &self.entries[pos])
            .find(|(_, other)| similarity(sig, other) >= self.cfg.threshold)
            .map(|(key, _)| key.clone())
    }

    /// Adds `key` with its signature. Inserting a key twice keeps both entries; `find` returns
    /// the first. An empty signature is stored but can never be found.
    pub fn insert(&mut self, key: K, sig: Signature) {
        let pos = self.entries.len();
        for band in band_keys(&sig, &self.cfg) {
            self.buckets.entry(band).or_default().push(pos);
        }
        self.entries.push((key, sig));
    }

    /// Number of inserted entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "The allies agreed on Tuesday to expand joint exercises next spring, \
        the defense ministry said, citing the growing missile threat from North Korea and the \
        need to rehearse the wartime transfer of operational control.";
    const B: &str = "Hyundai Motor said its new battery plant in Georgia would open on schedule \
        despite the tariff dispute, adding that it would hire more local workers than planned \
        and keep its investment pledge unchanged.";

    #[test]
    fn identical_texts_match() {
        let cfg = Config::default();
        let (a, b) = (signature(A, &cfg), signature(A, &cfg));
        assert_eq!(similarity(&a, &b), 1.0);
        let mut index = Index::new(cfg);
        index.insert(1, a);
        assert_eq!(index.find(&b), Some(1));
    }

    #[test]
    fn unrelated_texts_do_not_match() {
        let cfg = Config::default();
        let (a, b) = (signature(A, &cfg), signature(B, &cfg));
        assert!(similarity(&a, &b) < 0.1, "{}", similarity(&a, &b));
        let mut index = Index::new(cfg);
        index.insert(1, a);
        assert_eq!(index.find(&b), None);
    }

    #[test]
    fn case_and_punctuation_are_ignored() {
        let cfg = Config::default();
        let shouted = A.to_uppercase().replace(',', " ;; ").replace('.', "!");
        assert_eq!(signature(A, &cfg), signature(&shouted, &cfg));
    }

    #[test]
    fn hangul_syllables_are_words() {
        let mut words = Vec::new();
        for_each_word(
            "한미동맹은 '철통같다', 국방부가 밝혔다. KOREA-US",
            |w| words.push(w.to_string()),
        );
        assert_eq!(
            words,
            [
                "한미동맹은",
                "철통같다",
                "국방부가",
                "밝혔다",
                "korea",
                "us"
            ]
        );
        let cfg = Config::default();
        let k1 = signature("한미 동맹은 철통같다고 국방부가 밝혔다", &cfg);
        let k2 = signature("한미 동맹은 굳건하다고 외교부가 밝혔다", &cfg);
        assert!(!k1.is_empty());
        assert!(similarity(&k1, &k2) < 0.5);
    }

    #[test]
    fn empty_text_never_matches() {
        let cfg = Config::default();
        for text in ["", "   ", "... -- !!! ,,,"] {
            let sig = signature(text, &cfg);
            assert!(sig.is_empty());
            assert!(band_keys(&sig, &cfg).is_empty());
            assert_eq!(similarity(&sig, &sig), 0.0);
            let mut index = Index::new(cfg.clone());
            index.insert("empty", sig.clone());
            assert_eq!(index.find(&sig), None);
            assert_eq!(index.len(), 1);
        }
    }

    #[test]
    fn short_texts_do_not_all_collide() {
        let cfg = Config::default();
        let shorts = [
            "Advertisement",
            "Related articles",
            "Seoul",
            "North Korea",
            "Share",
        ];
        let sigs: Vec<Signature> = shorts.iter().map(|t| signature(t, &cfg)).collect();
        for (i, a) in sigs.iter().enumerate() {
            assert!(!a.is_empty());
            for b in &sigs[i + 1..] {
                assert_eq!(similarity(a, b), 0.0);
            }
        }
        // The same short text is a duplicate of itself.
        assert_eq!(similarity(&sigs[3], &signature("north KOREA!", &cfg)), 1.0);
    }

    #[test]
    fn signatures_are_deterministic() {
        let cfg = Config::default();
        let sig = signature(A, &cfg);
        assert_eq!(sig.0.len(), cfg.num_perm());
        assert_eq!(sig, signature(A, &cfg));
        // Pinned values: a change here changes every persisted signature and band key.
        assert_eq!(&sig.0[..4], PINNED_SIGNATURE_PREFIX);
        assert_eq!(band_keys(&sig, &cfg)[0], PINNED_FIRST_BAND_KEY);
    }
    const PINNED_SIGNATURE_PREFIX: &[u32] = &[86147363, 180003166, 219268893, 65187703];
    const PINNED_FIRST_BAND_KEY: u64 = 7773704791078806494;

    #[test]
    fn index_returns_first_inserted_key() {
        let cfg = Config::default();
        let mut index = Index::new(cfg.clone());
        index.insert("unrelated", signature(B, &cfg));
        index.insert("first", signature(A, &cfg));
        index.insert("second", signature(&format!("{A} (Yonhap)"), &cfg));
        index.insert("third", signature(A, &cfg));
        assert_eq!(index.len(), 4);
        assert_eq!(index.find(&signature(A, &cfg)), Some("first"));
    }

    #[test]
    fn candidates_are_verified_on_the_full_signature() {
        // One band: sharing it makes a candidate, but the threshold still decides.
        let cfg = Config {
            threshold: 0.9,
            shingle: 1,
            bands: 2,
            rows: 2,
        };
        let a = Signature(vec![1, 2, 3, 4]);
        let b = Signature(vec![1, 2, 9, 9]);
        assert_eq!(band_keys(&a, &cfg)[0], band_keys(&b, &cfg)[0]);
        let mut index = Index::new(cfg);
        index.insert("a", a);
        assert_eq!(index.find(&b), None);
    }

    #[test]
    fn band_keys_differ_between_bands() {
        let cfg = Config {
            bands: 2,
            rows: 2,
            ..Config::default()
        };
        let keys = band_keys(&Signature(vec![7, 7, 7, 7]), &cfg);
        assert_eq!(keys.len(), 2);
        assert_ne!(keys[0], keys[1]);
    }

    #[test]
    fn mismatched_signatures_have_zero_similarity() {
        assert_eq!(
            similarity(&Signature(vec![1, 2]), &Signature(vec![1, 2, 3])),
            0.0
        );
    }

    #[test]
    fn signature_serialises() {
        let sig = signature(A, &Config::default());
        let json = serde_json::to_string(&sig).unwrap();
        assert_eq!(serde_json::from_str::<Signature>(&json).unwrap(), sig);
    }
}
