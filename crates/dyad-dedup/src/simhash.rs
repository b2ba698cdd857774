//! SimHash (Charikar 2002), kept as the baseline MinHash is measured against.
//!
//! A fingerprint is 64 bits: bit `i` is set when more shingles of the text have bit `i` set in
//! their hash than have it clear. Near-duplicates are fingerprints within a Hamming distance.
//! [`SimIndex`] finds them without a scan of everything by the pigeonhole argument of Manku et
//! al. (WWW 2007): split the 64 bits into `max_distance + 1` blocks; two fingerprints within
//! `max_distance` bits agree exactly on at least one block.
//!
//! **Invariants**: the same shingles as MinHash ([`crate::shingle_hashes`]), so both methods see
//! the same text; a text without words has no fingerprint and never matches; the index is
//! exact (no candidate within `max_distance` is missed) and returns the first-inserted match.

use std::collections::HashMap;

use crate::shingle_hashes;

/// The 64-bit SimHash of `text` over its word shingles, or `None` for a text without words.
pub fn fingerprint(text: &str, shingle: usize) -> Option<u64> {
    let shingles = shingle_hashes(text, shingle);
    if shingles.is_empty() {
        return None;
    }
    let mut votes = [0i64; 64];
    for h in &shingles {
        for (bit, vote) in votes.iter_mut().enumerate() {
            *vote += if h >> bit & 1 == 1 { 1 } else { -1 };
        }
    }
    Some(
        votes
            .iter()
            .enumerate()
            .filter(|(_, v)| **v > 0)
            .fold(0, |fp, (bit, _)| fp | 1 << bit),
    )
}

/// Number of differing bits.
pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// Fingerprints by key, searchable by Hamming distance.
#[derive(Debug, Clone)]
pub struct SimIndex<K> {
    max_distance: u32,
    /// `(shift, mask)` of each block.
    blocks: Vec<(u32, u64)>,
    entries: Vec<(K, u64)>,
    /// `(block number, block value)` → positions in `entries`, ascending.
    tables: HashMap<(usize, u64), Vec<usize>>,
}

impl<K: Clone> SimIndex<K> {
    /// An index matching fingerprints at most `max_distance` bits apart (at most 63).
    pub fn new(max_distance: u32) -> Self {
        let n = max_distance.min(63) + 1;
        let blocks = (0..n)
            .map(|i| {
                let start = i * 64 / n;
                let end = (i + 1) * 64 / n;
                let width = end - start;
                (start, u64::MAX >> (64 - width))
            })
            .collect();
        SimIndex {
            max_distance,
            blocks,
            entries: Vec::new(),
            tables: HashMap::new(),
        }
    }

    fn block_keys(&self, fp: u64) -> impl Iterator<Item = (usize, u64)> + '_ {
        self.blocks
            .iter()
            .enumerate()
            .map(move |(i, &(shift, mask))| (i, fp >> shift & mask))
    }

    /// The first-inserted key within `max_distance` bits of `fp`, if any.
    pub fn find(&self, fp: Option<u64>) -> Option<K> {
        let fp = fp?;
        let mut candidates: Vec<usize> = self
            .block_keys(fp)
            .filter_map(|key| self.tables.get(&key))
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        candidates
            .into_iter()
            .map(|pos| &self.entries[pos])
            .find(|(_, other)| hamming(fp, *other) <= self.max_distance)
            .map(|(key, _)| key.clone())
    }

    /// Adds `key`; a text without a fingerprint is not indexed.
    pub fn insert(&mut self, key: K, fp: Option<u64>) {
        let Some(fp) = fp else { return };
        let pos = self.entries.len();
        let keys: Vec<(usize, u64)> = self.block_keys(fp).collect();
        for key in keys {
            self.tables.entry(key).or_default().push(pos);
        }
        self.entries.push((key, fp));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_is_exact_within_distance() {
        let mut index = SimIndex::new(3);
        index.insert("a", Some(0));
        assert_eq!(index.find(Some(0b1011)), Some("a"));
        assert_eq!(index.find(Some(0b1111)), None);
        assert_eq!(index.find(Some(1 << 63 | 1 << 40 | 1 << 20)), Some("a"));
        assert_eq!(index.find(None), None);
    }

    #[test]
    fn empty_text_has_no_fingerprint() {
        assert_eq!(fingerprint(" ,. ", 5), None);
        assert!(fingerprint("Seoul", 5).is_some());
    }
}
