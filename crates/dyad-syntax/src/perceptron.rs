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

    /// Averages the weights, keeps those whose magnitude is at least `min_abs` and quantises
    /// them to `i16` steps (the same steps the model file stores, so a trained table and the
    /// same table read back from its file score alike).
    pub fn finish(self, min_abs: f32) -> Weights {
        let now = self.now.max(1);
        let mut keys: Vec<u64> = self.rows.keys().copied().collect();
        keys.sort_unstable();
        let mut rows: Vec<(u64, Vec<(u16, f32)>)> = Vec::with_capacity(keys.len());
        let mut max = 0f32;
        for k in keys {
            let mut row = Vec::new();
            for c in &self.rows[&k] {
                let total = c.total + (now - c.stamp) as f64 * f64::from(c.w);
                let avg = (total / now as f64) as f32;
                if avg.abs() >= min_abs && avg != 0.0 {
                    max = max.max(avg.abs());
                    row.push((c.class, avg));
                }
            }
            row.sort_unstable_by_key(|c| c.0);
            rows.push((k, row));
        }
        let scale = if max > 0.0 { max / 32767.0 } else { 1.0 };
        let mut b = Builder::new(self.n_classes, scale);
        let mut q: Vec<(u16, i16)> = Vec::new();
        for (k, row) in rows {
            q.clear();
            q.extend(
                row.iter()
                    .map(|&(c, w)| (c, (w / scale).round().clamp(-32767.0, 32767.0) as i16))
                    .filter(|c| c.1 != 0),
            );
            b.push_row(k, &q);
        }
        b.finish()
    }
}

/// Cells a slot holds itself: a row this short (most rare features' rows) costs no access
/// beyond the slot.
const INLINE_CELLS: usize = 4;

/// One slot of the feature index (32 bytes, two to a cache line): the feature's hash (0 =
/// empty), where its row is in [`Weights::cells`], and `cells`: the row itself when it has at most [`INLINE_CELLS`] cells, else in `cells[0]` 1 +
/// the index of the row's dense copy (long rows are also stored dense, so adding one is a
/// vectorised loop), or 0.
#[derive(Clone, Copy, Debug, Default)]
#[repr(align(32))]
struct Slot {
    key: u64,
    row: Row,
    cells: [u32; INLINE_CELLS],
}

/// Where a row's cells are in [`Weights::cells`].
#[derive(Clone, Copy, Debug, Default)]
struct Row {
    start: u32,
    len: u32,
}

/// A cell of a row: class in the high 16 bits, the `i16` weight (in steps of the table's scale)
/// in the low 16 bits.
#[inline]
fn cell(class: u16, w: i16) -> u32 {
    (u32::from(class) << 16) | u32::from(w as u16)
}

/// Collects sorted rows, then lays out the index once.
struct Builder {
    n_classes: usize,
    scale: f32,
    keys: Vec<u64>,
    rows: Vec<Row>,
    cells: Vec<u32>,
    zero: Option<Row>,
}

impl Builder {
    fn new(n_classes: usize, scale: f32) -> Builder {
        Builder {
            n_classes,
            scale,
            keys: Vec::new(),
            rows: Vec::new(),
            cells: Vec::new(),
            zero: None,
        }
    }

    /// Appends a row (an empty row is no row). Classes are `u16` and features a few million,
    /// so the cells' count stays far below `u32::MAX` (16 GB of cells); past it, rows would be
    /// dropped.
    fn push_row(&mut self, key: u64, row: &[(u16, i16)]) {
        let (Ok(start), Ok(len)) = (u32::try_from(self.cells.len()), u32::try_from(row.len()))
        else {
            return;
        };
        if len == 0 || start.checked_add(len).is_none() {
            return;
        }
        self.cells.extend(row.iter().map(|&(c, w)| cell(c, w)));
        let packed = Row { start, len };
        if key == 0 {
            self.zero = Some(packed);
        } else {
            self.keys.push(key);
            self.rows.push(packed);
        }
    }

    fn finish(self) -> Weights {
        // Linear probing at most three quarters full.
        let want = (self.keys.len() * 4).div_ceil(3).max(16);
        let size = want.next_power_of_two();
        let mask = size - 1;
        let mut slots = vec![Slot::default(); size];
        let n = self.n_classes;
        let mut dense: Vec<i16> = Vec::new();
        let mut slot = |key: u64, row: Row| -> Slot {
            let start = row.start as usize;
            let len = row.len as usize;
            let mut cells = [0u32; INLINE_CELLS];
            if len <= INLINE_CELLS {
                cells[..len].copy_from_slice(&self.cells[start..start + len]);
            } else if len * 3 >= n {
                // A row with a third of the classes or more: dense.
                let base = dense.len();
                dense.resize(base + n, 0);
                for &c in &self.cells[start..start + len] {
                    if let Some(x) = dense.get_mut(base + (c >> 16) as usize) {
                        *x = c as u16 as i16;
                    }
                }
                cells[0] = (base / n + 1) as u32;
            }
            Slot { key, row, cells }
        };
        for (&key, &row) in self.keys.iter().zip(&self.rows) {
            let mut i = (key as usize) & mask;
            while slots[i].key != 0 && slots[i].key != key {
                i = (i + 1) & mask;
            }
            slots[i] = slot(key, row);
        }
        let zero = self.zero.map(|r| slot(0, r));
        Weights {
            n_classes: self.n_classes,
            scale: self.scale,
            slots,
            dense,
            zero,
            zero_row: self.zero,
            keys: self.keys,
            rows: self.rows,
            cells: self.cells,
        }
    }
}

/// A finished, read-only weight table: feature hash → sparse row of (class, weight), the
/// weights quantised to `i16` steps of `scale`. One open-addressing index of 32-byte slots
/// (key, row, and the row itself when it is short), one array of packed 4-byte cells and dense
/// copies of the long rows: a lookup touches the slot's cache line, and the row's only for a
/// long row (a frequent feature's, usually in cache).
#[derive(Clone, Debug, Default)]
pub struct Weights {
    n_classes: usize,
    scale: f32,
    slots: Vec<Slot>,
    /// The dense copies of the long rows, `n_classes` weights each.
    dense: Vec<i16>,
    /// The slot of the feature whose hash is 0 (0 marks an empty slot).
    zero: Option<Slot>,
    zero_row: Option<Row>,
    /// Keys in ascending order with their rows (for writing and pruning).
    keys: Vec<u64>,
    rows: Vec<Row>,
    cells: Vec<u32>,
}

/// How many features [`Weights::score`] looks up in one batch (all their slots are touched
/// before any is read, so the memory accesses overlap).
const BATCH: usize = 128;

impl Weights {
    pub fn new(n_classes: usize) -> Weights {
        Builder::new(n_classes, 1.0).finish()
    }

    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// Number of features with at least one weight.
    pub fn n_features(&self) -> usize {
        self.keys.len() + usize::from(self.zero_row.is_some())
    }

    /// Number of stored (class, weight) cells.
    pub fn n_weights(&self) -> usize {
        self.cells.len()
    }

    /// Every row in key order (the feature hashed to 0 first).
    fn each_row(&self) -> impl Iterator<Item = (u64, &[u32])> {
        self.zero_row
            .map(|r| (0u64, r))
            .into_iter()
            .chain(self.keys.iter().copied().zip(self.rows.iter().copied()))
            .map(|(k, r)| (k, self.row_cells(r)))
    }

    #[inline]
    fn row_cells(&self, row: Row) -> &[u32] {
        let start = row.start as usize;
        let len = row.len as usize;
        self.cells.get(start..start + len).unwrap_or(&[])
    }

    /// A copy without the weights smaller than `min_abs` (and features left with none).
    pub fn pruned(&self, min_abs: f32) -> Weights {
        let mut b = Builder::new(self.n_classes, self.scale);
        let mut row = Vec::new();
        for (k, cells) in self.each_row() {
            row.clear();
            for &c in cells {
                let w = c as u16 as i16;
                if f32::from(w).abs() * self.scale >= min_abs {
                    row.push(((c >> 16) as u16, w));
                }
            }
            b.push_row(k, &row);
        }
        b.finish()
    }

    #[inline]
    fn slot_of(&self, key: u64) -> usize {
        (key as usize) & (self.slots.len().wrapping_sub(1))
    }

    #[inline]
    fn find(&self, key: u64) -> Option<&Slot> {
        if key == 0 {
            return self.zero.as_ref();
        }
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut i = (key as usize) & mask;
        loop {
            let s = &self.slots[i];
            if s.key == key {
                return Some(s);
            }
            if s.key == 0 {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// Sets `scores` to the sum of the rows of `feats`.
    ///
    /// In batches: first every feature's slot is read unconditionally (independent loads the
    /// processor overlaps), then the rows are found and their first cells read the same way,
    /// then the rows are summed from cache.
    #[inline]
    pub fn score(&self, feats: &[u64], scores: &mut [f32]) {
        let mut stack = [0i32; 128];
        let mut heap = Vec::new();
        let sums: &mut [i32] = if scores.len() <= stack.len() {
            &mut stack[..scores.len()]
        } else {
            heap.resize(scores.len(), 0);
            &mut heap
        };
        if !self.slots.is_empty() {
            let n = self.n_classes;
            static EMPTY: Slot = Slot {
                key: 0,
                row: Row { start: 0, len: 0 },
                cells: [0; INLINE_CELLS],
            };
            let mut found_slots: [&Slot; BATCH] = [&EMPTY; BATCH];
            for chunk in feats.chunks(BATCH) {
                let mut touch = 0u64;
                for &f in chunk {
                    touch ^= self.slots[self.slot_of(f)].key;
                }
                std::hint::black_box(touch);
                let mut found = 0;
                for &f in chunk {
                    if let Some(s) = self.find(f) {
                        found_slots[found] = s;
                        found += 1;
                    }
                }
                // The longer rows' first cells, all requested before any is used.
                for s in &found_slots[..found] {
                    if s.row.len as usize > INLINE_CELLS {
                        touch ^= if s.cells[0] != 0 {
                            let at = (s.cells[0] as usize - 1) * n;
                            self.dense.get(at).map_or(0, |&w| w as u64)
                        } else {
                            let at = s.row.start as usize;
                            self.cells.get(at).map_or(0, |&c| u64::from(c))
                        };
                    }
                }
                std::hint::black_box(touch);
                for s in &found_slots[..found] {
                    let len = s.row.len as usize;
                    let cells: &[u32] = if len <= INLINE_CELLS {
                        &s.cells[..len]
                    } else if s.cells[0] != 0 && sums.len() == n {
                        let base = (s.cells[0] as usize - 1) * n;
                        for (x, &w) in sums.iter_mut().zip(&self.dense[base..base + n]) {
                            *x += i32::from(w);
                        }
                        &[]
                    } else {
                        self.row_cells(s.row)
                    };
                    for &c in cells {
                        if let Some(x) = sums.get_mut((c >> 16) as usize) {
                            *x += i32::from(c as u16 as i16);
                        }
                    }
                }
            }
        }
        for (s, &x) in scores.iter_mut().zip(sums.iter()) {
            *s = x as f32 * self.scale;
        }
    }

    /// Appends the table to `out`: the scale, then the rows in key order, weights as `i16`.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&(self.n_classes as u32).to_le_bytes());
        out.extend_from_slice(&(self.n_features() as u32).to_le_bytes());
        out.extend_from_slice(&self.scale.to_le_bytes());
        let mut prev = 0u64;
        for (k, cells) in self.each_row() {
            // Keys are sorted: store the gap as a varint.
            write_varint(out, k - prev);
            prev = k;
            write_varint(out, cells.len() as u64);
            for &c in cells {
                write_varint(out, u64::from(c >> 16));
                out.extend_from_slice(&(c as u16 as i16).to_le_bytes());
            }
        }
    }

    /// Reads a table written by [`Weights::write`], advancing `input`.
    pub fn read(input: &mut &[u8]) -> Option<Weights> {
        let n_classes = read_u32(input)? as usize;
        let n = read_u32(input)? as usize;
        let scale = f32::from_le_bytes(take(input, 4)?.try_into().ok()?);
        if !(scale.is_finite() && scale > 0.0) {
            return None;
        }
        let mut b = Builder::new(n_classes, scale);
        let mut key = 0u64;
        let mut row = Vec::new();
        for i in 0..n {
            let gap = read_varint(input)?;
            if i > 0 && gap == 0 {
                return None;
            }
            key = key.checked_add(gap)?;
            let len = read_varint(input)? as usize;
            row.clear();
            for _ in 0..len {
                let c = u16::try_from(read_varint(input)?).ok()?;
                let q = i16::from_le_bytes(take(input, 2)?.try_into().ok()?);
                row.push((c, q));
            }
            b.push_row(key, &row);
        }
        Some(b.finish())
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
    fn the_index_finds_every_key_including_zero_and_colliding_ones() {
        // Multiples of 1024 collide in any table of up to 1024 slots.
        let keys: Vec<u64> = [0u64, 7]
            .into_iter()
            .chain((1..300u64).map(|i| i * 1024))
            .chain([1u64 << 63])
            .collect();
        let mut b = Builder::new(400, 1.0);
        for (i, &k) in keys.iter().enumerate() {
            b.push_row(k, &[(i as u16, 1 + i as i16)]);
        }
        let w = b.finish();
        let mut s = vec![0.0; 400];
        for (i, &k) in keys.iter().enumerate() {
            w.score(&[k], &mut s);
            assert_eq!(s[i], 1.0 + i as f32, "key {k}");
            assert_eq!(s.iter().filter(|x| **x != 0.0).count(), 1, "key {k}");
        }
        w.score(&[5, 3 << 40], &mut s);
        assert!(s.iter().all(|x| *x == 0.0));
        // Rows of every layout: inline (3 cells), sparse (8 of 400), dense (all 400); summed.
        let mut b = Builder::new(400, 0.5);
        let row = |n: u16| -> Vec<(u16, i16)> { (0..n).map(|c| (c, c as i16 - 100)).collect() };
        b.push_row(11, &row(3));
        b.push_row(12, &row(8));
        b.push_row(13, &row(400));
        let w = b.finish();
        w.score(&[11, 12, 13, 99], &mut s);
        for (c, got) in s.iter().enumerate() {
            let per_row = (c as f32 - 100.0) * 0.5;
            let rows = if c < 3 {
                3.0
            } else if c < 8 {
                2.0
            } else {
                1.0
            };
            assert_eq!(*got, per_row * rows, "class {c}");
        }
        w.score(&[], &mut s);
        assert!(s.iter().all(|x| *x == 0.0));
        Weights::new(3).score(&[3], &mut s[..3]);
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
