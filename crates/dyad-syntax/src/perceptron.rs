//! Averaged perceptron over hashed features.
//!
//! Features are 64-bit hashes (template id mixed with the values it looks at). Training keeps,
//! per feature, a short sparse row of the classes it was ever updated for, each with its
//! current weight, the running total for averaging and the time of its last change (the lazy
//! timestamp trick: the total catches up only when the weight changes, and once at the end).
//! [`Trainer::finish`] turns the averaged rows into a compact [`Weights`] table, dropping
//! near-zero weights.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Hasher for keys that are already well-mixed 64-bit hashes.
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

pub type IdMap<V> = HashMap<u64, V, BuildHasherDefault<IdHasher>>;

/// Mixes two 64-bit values into a feature hash (order matters).
#[inline]
pub fn mix(a: u64, b: u64) -> u64 {
    let x = (a ^ 0x9e37_79b9_7f4a_7c15).wrapping_mul(0xbf58_476d_1ce4_e5b9) ^ b;
    let x = (x ^ (x >> 31)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 29)
}

/// Hash of a string value.
#[inline]
pub fn hash_str(s: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(s.as_bytes())
}

#[derive(Clone, Copy)]
struct Cell {
    class: u16,
    w: f32,
    total: f64,
    stamp: u64,
}

/// The weights being learnt.
pub struct Trainer {
    n_classes: usize,
    rows: IdMap<Vec<Cell>>,
    /// Number of training instances seen so far (the clock for averaging).
    now: u64,
}

impl Trainer {
    pub fn new(n_classes: usize) -> Trainer {
        Trainer {
            n_classes,
            rows: IdMap::default(),
            now: 0,
        }
    }

    /// Adds the current (not averaged) weights of `feats` into `scores` (length `n_classes`).
    pub fn score(&self, feats: &[u64], scores: &mut [f32]) {
        scores.fill(0.0);
        for f in feats {
            if let Some(row) = self.rows.get(f) {
                for c in row {
                    scores[c.class as usize] += c.w;
                }
            }
        }
    }

    /// Advances the clock by one instance; call once per prediction, updated or not.
    pub fn tick(&mut self) {
        self.now += 1;
    }

    /// Rewards `truth` and penalises `guess` for every feature (nothing when they agree).
    pub fn update(&mut self, feats: &[u64], truth: usize, guess: usize) {
        if truth == guess {
            return;
        }
        let now = self.now;
        for &f in feats {
            let row = self.rows.entry(f).or_default();
            for (class, delta) in [(truth, 1.0f32), (guess, -1.0f32)] {
                let class = class as u16;
                let cell = match row.iter_mut().position(|c| c.class == class) {
                    Some(i) => &mut row[i],
                    None => {
                        row.push(Cell {
                            class,
                            w: 0.0,
                            total: 0.0,
                            stamp: now,
                        });
                        let last = row.len() - 1;
                        &mut row[last]
                    }
                };
                cell.total += (now - cell.stamp) as f64 * f64::from(cell.w);
                cell.stamp = now;
                cell.w += delta;
            }
        }
    }

    /// Averages the weights and keeps those whose magnitude is at least `min_abs`.
    pub fn finish(self, min_abs: f32) -> Weights {
        let now = self.now.max(1);
        let mut keys: Vec<u64> = self.rows.keys().copied().collect();
        keys.sort_unstable();
        let mut table = Weights::new(self.n_classes);
        let mut row_out: Vec<(u16, f32)> = Vec::new();
        for k in keys {
            row_out.clear();
            for c in &self.rows[&k] {
                let total = c.total + (now - c.stamp) as f64 * f64::from(c.w);
                let avg = (total / now as f64) as f32;
                if avg.abs() >= min_abs && avg != 0.0 {
                    row_out.push((c.class, avg));
                }
            }
            row_out.sort_unstable_by_key(|c| c.0);
            table.push_row(k, &row_out);
        }
        table
    }
}

/// A finished, read-only weight table: feature hash → sparse row of (class, weight).
#[derive(Clone, Debug, Default)]
pub struct Weights {
    n_classes: usize,
    index: Slots,
    keys: Vec<u64>,
    classes: Vec<u16>,
    weights: Vec<f32>,
}

impl Weights {
    pub fn new(n_classes: usize) -> Weights {
        Weights {
            n_classes,
            ..Weights::default()
        }
    }

    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// Number of features with at least one weight.
    pub fn n_features(&self) -> usize {
        self.keys.len()
    }

    /// Number of stored (class, weight) cells.
    pub fn n_weights(&self) -> usize {
        self.weights.len()
    }

    fn push_row(&mut self, key: u64, row: &[(u16, f32)]) {
        if row.is_empty() {
            return;
        }
        let start = self.classes.len() as u32;
        for &(c, w) in row {
            self.classes.push(c);
            self.weights.push(w);
        }
        self.index.insert(key, start, row.len() as u32);
        self.keys.push(key);
    }

    /// A copy without the weights smaller than `min_abs` (and features left with none).
    pub fn pruned(&self, min_abs: f32) -> Weights {
        let mut out = Weights::new(self.n_classes);
        let mut row = Vec::new();
        for &k in &self.keys {
            let (start, len) = self.index.get(k).unwrap_or((0, 0));
            row.clear();
            for i in start as usize..(start + len) as usize {
                if self.weights[i].abs() >= min_abs {
                    row.push((self.classes[i], self.weights[i]));
                }
            }
            out.push_row(k, &row);
        }
        out
    }

    /// Sets `scores` to the sum of the rows of `feats`.
    #[inline]
    pub fn score(&self, feats: &[u64], scores: &mut [f32]) {
        scores.fill(0.0);
        for f in feats {
            if let Some((start, len)) = self.index.get(*f) {
                let (s, e) = (start as usize, (start + len) as usize);
                for (c, w) in self.classes[s..e].iter().zip(&self.weights[s..e]) {
                    if let Some(x) = scores.get_mut(*c as usize) {
                        *x += *w;
                    }
                }
            }
        }
    }

    /// Appends the table to `out`: weights are quantised to `i16` steps of `scale`.
    pub fn write(&self, out: &mut Vec<u8>) {
        let max = self.weights.iter().fold(0f32, |m, w| m.max(w.abs()));
        let scale = if max > 0.0 { max / 32767.0 } else { 1.0 };
        out.extend_from_slice(&(self.n_classes as u32).to_le_bytes());
        out.extend_from_slice(&(self.keys.len() as u32).to_le_bytes());
        out.extend_from_slice(&scale.to_le_bytes());
        let mut prev = 0u64;
        for &k in &self.keys {
            let (start, len) = self.index.get(k).unwrap_or((0, 0));
            // Keys are sorted: store the gap as a varint.
            write_varint(out, k - prev);
            prev = k;
            write_varint(out, u64::from(len));
            for i in start..start + len {
                let i = i as usize;
                write_varint(out, u64::from(self.classes[i]));
                let q = (self.weights[i] / scale).round() as i16;
                out.extend_from_slice(&q.to_le_bytes());
            }
        }
    }

    /// Reads a table written by [`Weights::write`], advancing `input`.
    pub fn read(input: &mut &[u8]) -> Option<Weights> {
        let n_classes = read_u32(input)? as usize;
        let n = read_u32(input)? as usize;
        let scale = f32::from_le_bytes(take(input, 4)?.try_into().ok()?);
        let mut t = Weights::new(n_classes);
        let mut key = 0u64;
        let mut row = Vec::new();
        for _ in 0..n {
            key = key.checked_add(read_varint(input)?)?;
            let len = read_varint(input)? as usize;
            row.clear();
            for _ in 0..len {
                let c = u16::try_from(read_varint(input)?).ok()?;
                let q = i16::from_le_bytes(take(input, 2)?.try_into().ok()?);
                row.push((c, f32::from(q) * scale));
            }
            t.push_row(key, &row);
        }
        Some(t)
    }
}

/// Open-addressing table feature → row (start, len): one slot read per lookup, linear probing,
/// at most half full. Key 0 marks an empty slot (a feature hashing to 0 is kept aside).
#[derive(Clone, Debug, Default)]
struct Slots {
    slots: Vec<(u64, u32, u32)>,
    len: usize,
    zero: Option<(u32, u32)>,
}

impl Slots {
    fn insert(&mut self, key: u64, start: u32, n: u32) {
        if key == 0 {
            self.zero = Some((start, n));
            return;
        }
        if (self.len + 1) * 2 > self.slots.len() {
            let old = std::mem::take(&mut self.slots);
            self.slots = vec![(0, 0, 0); (old.len() * 2).max(16)];
            self.len = 0;
            for (k, s, l) in old {
                if k != 0 {
                    self.insert(k, s, l);
                }
            }
        }
        let mask = self.slots.len() - 1;
        let mut i = (key as usize) & mask;
        loop {
            if self.slots[i].0 == 0 || self.slots[i].0 == key {
                if self.slots[i].0 == 0 {
                    self.len += 1;
                }
                self.slots[i] = (key, start, n);
                return;
            }
            i = (i + 1) & mask;
        }
    }

    #[inline]
    fn get(&self, key: u64) -> Option<(u32, u32)> {
        if key == 0 {
            return self.zero;
        }
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut i = (key as usize) & mask;
        loop {
            let (k, s, l) = self.slots[i];
            if k == key {
                return Some((s, l));
            }
            if k == 0 {
                return None;
            }
            i = (i + 1) & mask;
        }
    }
}

pub(crate) fn write_varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

pub(crate) fn read_varint(input: &mut &[u8]) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let (&b, rest) = input.split_first()?;
        *input = rest;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

pub(crate) fn take<'a>(input: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if input.len() < n {
        return None;
    }
    let (a, b) = input.split_at(n);
    *input = b;
    Some(a)
}

pub(crate) fn read_u32(input: &mut &[u8]) -> Option<u32> {
    Some(u32::from_le_bytes(take(input, 4)?.try_into().ok()?))
}

/// A small deterministic random generator (xorshift64*), for shuffling and exploration.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next_u64() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_a_separable_problem_and_survives_a_round_trip() {
        // Class = which of three features is present.
        let data: Vec<(Vec<u64>, usize)> = (0..30)
            .map(|i| (vec![mix(1, (i % 3) as u64), mix(2, 7)], i % 3))
            .collect();
        let mut t = Trainer::new(3);
        let mut scores = vec![0.0; 3];
        for _ in 0..5 {
            for (f, y) in &data {
                t.score(f, &mut scores);
                let guess = argmax(&scores);
                t.update(f, *y, guess);
                t.tick();
            }
        }
        let w = t.finish(0.0);
        let mut buf = Vec::new();
        w.write(&mut buf);
        let mut slice = buf.as_slice();
        let back = Weights::read(&mut slice).unwrap();
        assert!(slice.is_empty());
        for table in [&w, &back] {
            for (f, y) in &data {
                table.score(f, &mut scores);
                assert_eq!(argmax(&scores), *y);
            }
        }
    }

    #[test]
    fn averaging_weights_by_time_held() {
        let mut t = Trainer::new(2);
        let f = [5u64];
        t.update(&f, 0, 1); // w0 = 1, w1 = -1 from time 0
        for _ in 0..4 {
            t.tick();
        }
        t.update(&f, 1, 0); // back to 0 at time 4
        for _ in 0..4 {
            t.tick();
        }
        let w = t.finish(0.0);
        let mut s = [0.0; 2];
        w.score(&f, &mut s);
        assert!(
            (s[0] - 0.5).abs() < 1e-3 && (s[1] + 0.5).abs() < 1e-3,
            "{s:?}"
        );
    }

    #[test]
    fn slots_find_every_key_including_zero_and_colliding_ones() {
        let mut t = Slots::default();
        // Multiples of 1024 collide in any table of up to 1024 slots.
        let keys: Vec<u64> = (0..300u64)
            .map(|i| i * 1024)
            .chain([7, 1u64 << 63])
            .collect();
        for (i, &k) in keys.iter().enumerate() {
            t.insert(k, i as u32, 1);
        }
        for (i, &k) in keys.iter().enumerate() {
            assert_eq!(t.get(k), Some((i as u32, 1)), "key {k}");
        }
        assert_eq!(t.get(5), None);
        assert_eq!(Slots::default().get(3), None);
    }

    fn argmax(s: &[f32]) -> usize {
        let mut best = 0;
        for i in 1..s.len() {
            if s[i] > s[best] {
                best = i;
            }
        }
        best
    }
}
