//! Labelled arc-hybrid transition parser with Zhang and Nivre (2011) style features.
//!
//! Words are `1..=n`; the artificial root sits at the *end* of the buffer (index `n + 1`), so
//! the root attachment is made last (Ballesteros and Nivre 2013). Transitions:
//! - `SHIFT`: move the buffer front `b` onto the stack;
//! - `LEFT(l)`: pop `s0` and attach it to `b` with label `l`;
//! - `RIGHT(l)`: pop `s0` and attach it to `s1` with label `l`.
//!
//! `LEFT` to the root is allowed only when `s0` is the last word on the stack, and only with the
//! root label, so every parse is a tree with exactly one root. Training uses the dynamic oracle
//! of Goldberg and Nivre (2013) for arc-hybrid (see `train.rs`).
//!
//! Two models: the *move* model scores the unlabelled move (shift, left, right: three weights per
//! feature, kept inline in the feature index, one memory access per lookup); the *labeller*
//! scores the relation only for the arc the move model chose, with a smaller feature set about
//! the head and the dependent.

use crate::perceptron::{Weights, hash_str, mix};
use crate::tagger::{Upos, tag_value};

pub(crate) const SHIFT: usize = 0;
/// Move kinds.
pub(crate) const MOVE_LEFT: usize = 1;
pub(crate) const MOVE_RIGHT: usize = 2;

/// Number of label groups the move model tells apart.
pub(crate) const GROUPS: usize = 13;
/// The move model's classes: SHIFT, then LEFT and RIGHT for each label group.
pub(crate) const N_MOVES: usize = 1 + 2 * GROUPS;

/// The coarse group of a relation (by its universal part): relations that attach alike share
/// a group, so the move model keeps some of a labelled model's capacity with 27 classes
/// instead of one per relation and direction.
pub fn label_group(label: &str) -> usize {
    let universal = label.split(':').next().unwrap_or(label);
    match universal {
        "root" => 0,
        "punct" => 1,
        "case" => 2,
        "nsubj" | "csubj" | "expl" => 3,
        "det" | "nummod" => 4,
        "advmod" | "discourse" | "vocative" => 5,
        "obj" | "iobj" => 6,
        "amod" | "compound" => 7,
        "obl" | "nmod" => 8,
        "conj" | "cc" => 9,
        "mark" | "aux" | "cop" => 10,
        "advcl" | "xcomp" | "ccomp" | "acl" | "parataxis" => 11,
        _ => 12,
    }
}

/// The move-model class of a move kind with a label group.
#[inline]
pub(crate) fn move_class(kind: usize, group: usize) -> usize {
    match kind {
        SHIFT => 0,
        MOVE_LEFT => 1 + 2 * group,
        _ => 2 + 2 * group,
    }
}

#[inline]
pub(crate) fn left(l: usize) -> usize {
    1 + 2 * l
}
#[inline]
pub(crate) fn right(l: usize) -> usize {
    2 + 2 * l
}
/// Move kind of an action: 0 shift, 1 left, 2 right; and its label.
#[inline]
pub(crate) fn decode(a: usize) -> (usize, usize) {
    if a == SHIFT {
        (0, 0)
    } else if a % 2 == 1 {
        (1, (a - 1) / 2)
    } else {
        (2, (a - 2) / 2)
    }
}

const NONE: u64 = 0x4e4f_4e45;
const ROOT: u64 = 0x524f_4f54;

/// The configuration of the parser on one sentence.
pub(crate) struct State {
    pub n: u32,
    pub stack: Vec<u32>,
    pub b: u32,
    /// Head of each index (0 = not attached yet; `n + 1` = root).
    pub heads: Vec<u32>,
    pub labels: Vec<u16>,
    lc1: Vec<u32>,
    lc2: Vec<u32>,
    rc1: Vec<u32>,
    rc2: Vec<u32>,
    nl: Vec<u8>,
    nr: Vec<u8>,
    /// Sets of the labels of left and right children (bit `label % 64`).
    lset: Vec<u64>,
    rset: Vec<u64>,
    // Per-index hashed values: word, tag, suffix (last two characters in Korean, three in
    // English, for rare words) — index 0 = none, n + 1 = root.
    w: Vec<u64>,
    p: Vec<u64>,
    suf: Vec<u64>,
}

impl State {
    pub fn new(forms: &[&str], tags: &[Upos], korean: bool) -> State {
        let n = forms.len();
        let size = n + 2;
        let mut w = Vec::with_capacity(size);
        let mut p = Vec::with_capacity(size);
        let mut suf = Vec::with_capacity(size);
        w.push(NONE);
        p.push(NONE);
        suf.push(NONE);
        for (f, t) in forms.iter().zip(tags) {
            let lower = f.to_lowercase();
            w.push(hash_str(&lower));
            p.push(tag_value(*t));
            let keep = if korean { 2 } else { 3 };
            let cut = lower
                .char_indices()
                .rev()
                .nth(keep - 1)
                .map_or(0, |(i, _)| i);
            suf.push(mix(hash_str(&lower[cut..]), keep as u64));
        }
        w.push(ROOT);
        p.push(ROOT);
        suf.push(ROOT);
        State {
            n: n as u32,
            stack: Vec::with_capacity(n),
            b: 1,
            heads: vec![0; size],
            labels: vec![0; size],
            lc1: vec![0; size],
            lc2: vec![0; size],
            rc1: vec![0; size],
            rc2: vec![0; size],
            nl: vec![0; size],
            nr: vec![0; size],
            lset: vec![0; size],
            rset: vec![0; size],
            w,
            p,
            suf,
        }
    }

    pub fn root(&self) -> u32 {
        self.n + 1
    }

    pub fn is_terminal(&self) -> bool {
        self.b == self.root() && self.stack.is_empty()
    }

    pub fn s(&self, k: usize) -> u32 {
        let len = self.stack.len();
        if k < len { self.stack[len - 1 - k] } else { 0 }
    }

    /// Whether the unlabelled move `kind` may be made now.
    pub fn valid_move(&self, kind: usize) -> bool {
        match kind {
            SHIFT => self.b <= self.n,
            MOVE_LEFT => !self.stack.is_empty() && (self.b != self.root() || self.stack.len() == 1),
            _ => self.stack.len() >= 2,
        }
    }

    /// The (head, dependent) of the arc a LEFT or RIGHT move would make.
    pub fn arc(&self, kind: usize) -> (u32, u32) {
        if kind == MOVE_LEFT {
            (self.b, self.s(0))
        } else {
            (self.s(1), self.s(0))
        }
    }

    fn attach(&mut self, head: u32, dep: u32, label: u16) {
        let (h, d) = (head as usize, dep as usize);
        self.heads[d] = head;
        self.labels[d] = label;
        if dep < head {
            self.lset[h] |= 1 << (label % 64);
            self.nl[h] = self.nl[h].saturating_add(1);
            if self.lc1[h] == 0 || dep < self.lc1[h] {
                self.lc2[h] = self.lc1[h];
                self.lc1[h] = dep;
            } else if self.lc2[h] == 0 || dep < self.lc2[h] {
                self.lc2[h] = dep;
            }
        } else {
            self.rset[h] |= 1 << (label % 64);
            self.nr[h] = self.nr[h].saturating_add(1);
            if dep > self.rc1[h] {
                self.rc2[h] = self.rc1[h];
                self.rc1[h] = dep;
            } else if dep > self.rc2[h] {
                self.rc2[h] = dep;
            }
        }
    }

    /// Applies a valid action.
    pub fn apply(&mut self, action: usize) {
        let (kind, label) = decode(action);
        match kind {
            0 => {
                self.stack.push(self.b);
                self.b += 1;
            }
            1 => {
                if let Some(s0) = self.stack.pop() {
                    self.attach(self.b, s0, label as u16);
                }
            }
            _ => {
                if let Some(s0) = self.stack.pop() {
                    let s1 = self.s(0);
                    self.attach(s1, s0, label as u16);
                }
            }
        }
    }

    fn label_value(&self, x: u32) -> u64 {
        if x == 0 {
            NONE
        } else {
            500 + u64::from(self.labels[x as usize])
        }
    }

    /// The feature hashes of the current configuration.
    pub fn features(&self, korean: bool, out: &mut Vec<u64>) {
        out.clear();
        let s0 = self.s(0);
        let s1 = self.s(1);
        let s2 = self.s(2);
        let b0 = self.b;
        let b1 = if b0 < self.root() { b0 + 1 } else { 0 };
        let b2 = if b1 != 0 && b1 < self.root() {
            b1 + 1
        } else {
            0
        };
        let (w, p) = (&self.w, &self.p);
        let wi = |x: u32| w[x as usize];
        let pi = |x: u32| p[x as usize];
        let ch = |v: &Vec<u32>, x: u32| if x == 0 { 0 } else { v[x as usize] };
        let s0l = ch(&self.lc1, s0);
        let s0l2 = ch(&self.lc2, s0);
        let s0r = ch(&self.rc1, s0);
        let s0r2 = ch(&self.rc2, s0);
        let b0l = ch(&self.lc1, b0);
        let b0l2 = ch(&self.lc2, b0);
        let s1r = ch(&self.rc1, s1);
        let (s0w, s0p, b0w, b0p) = (wi(s0), pi(s0), wi(b0), pi(b0));
        let s0wp = mix(s0w, s0p);
        let b0wp = mix(b0w, b0p);
        let s1wp = mix(wi(s1), pi(s1));
        let dist = if s0 == 0 {
            0
        } else {
            u64::from((b0 - s0).min(6))
        };
        let vr = u64::from(self.nr[s0 as usize]);
        let vl = u64::from(self.nl[s0 as usize]);
        let bvl = u64::from(self.nl[b0 as usize]);
        let f = |id: u64, v: u64| mix(id, v);
        let f2 = |id: u64, a: u64, b: u64| mix(mix(id, a), b);
        let f3 = |id: u64, a: u64, b: u64, c: u64| mix(mix(mix(id, a), b), c);
        out.extend_from_slice(&[
            f(1, s0w),
            f(2, s0p),
            f(3, s0wp),
            f(4, b0w),
            f(5, b0p),
            f(6, b0wp),
            f(7, wi(b1)),
            f(8, pi(b1)),
            f2(9, wi(b1), pi(b1)),
            f(10, wi(b2)),
            f(11, pi(b2)),
            f2(13, s0wp, b0wp),
            f2(14, s0wp, b0w),
            f2(15, s0w, b0wp),
            f2(16, s0wp, b0p),
            f2(17, s0p, b0wp),
            f2(18, s0w, b0w),
            f2(19, s0p, b0p),
            f2(20, b0p, pi(b1)),
            f3(21, b0p, pi(b1), pi(b2)),
            f3(22, s0p, b0p, pi(b1)),
            f3(23, pi(s1), s0p, b0p),
            f3(24, s0p, pi(s0l), b0p),
            f3(25, s0p, pi(s0r), b0p),
            f3(26, s0p, b0p, pi(b0l)),
            f2(27, s0w, dist),
            f2(28, s0p, dist),
            f2(29, b0w, dist),
            f2(30, b0p, dist),
            f3(31, s0w, b0w, dist),
            f3(32, s0p, b0p, dist),
            f2(33, s0w, vr),
            f2(34, s0p, vr),
            f2(35, s0w, vl),
            f2(36, s0p, vl),
            f2(37, b0w, bvl),
            f2(38, b0p, bvl),
            f(39, wi(s1)),
            f(40, pi(s1)),
            f(41, s1wp),
            f(42, wi(s0l)),
            f(43, pi(s0l)),
            f(44, self.label_value(s0l)),
            f(45, wi(s0r)),
            f(46, pi(s0r)),
            f(47, self.label_value(s0r)),
            f(48, wi(b0l)),
            f(49, pi(b0l)),
            f(50, self.label_value(b0l)),
            f(51, wi(s2)),
            f(52, pi(s2)),
            f(54, pi(s0l2)),
            f(55, self.label_value(s0l2)),
            f(57, pi(s0r2)),
            f(58, self.label_value(s0r2)),
            f(60, pi(b0l2)),
            f(61, self.label_value(b0l2)),
            f3(62, pi(s2), pi(s1), s0p),
            f3(63, s0p, pi(s0l), pi(s0l2)),
            f3(64, s0p, pi(s0r), pi(s0r2)),
            f3(65, b0p, pi(b0l), pi(b0l2)),
            f3(66, pi(s1), pi(s1r), s0p),
            f2(67, wi(s1), s0w),
            f2(68, s1wp, s0p),
            f2(69, pi(s1), s0wp),
            f3(70, pi(s1), s0p, self.label_value(s0l)),
            f3(71, s0p, self.label_value(s0l), self.label_value(s0r)),
            f2(72, s0w, self.rset[s0 as usize]),
            f2(73, s0p, self.rset[s0 as usize]),
            f2(74, s0w, self.lset[s0 as usize]),
            f2(75, s0p, self.lset[s0 as usize]),
            f2(76, b0w, self.lset[b0 as usize]),
            f2(77, b0p, self.lset[b0 as usize]),
        ]);
        let sf = |x: u32| self.suf[x as usize];
        out.extend_from_slice(&[
            f(80, sf(s0)),
            f(81, sf(b0)),
            f(82, sf(s1)),
            f2(84, sf(s0), b0p),
            f2(85, s0p, sf(b0)),
            f(88, sf(b1)),
            f2(89, sf(b1), pi(b1)),
        ]);
        if korean {
            out.extend_from_slice(&[
                f2(83, sf(s0), sf(b0)),
                f2(86, sf(s1), sf(s0)),
                f3(87, sf(s0), sf(b0), dist),
            ]);
        }
    }

    /// The labeller's feature hashes for the arc `head → dep` made by move `kind`.
    pub fn label_features(&self, head: u32, dep: u32, kind: usize, out: &mut Vec<u64>) {
        out.clear();
        let (hw, hp, hs) = (
            self.w[head as usize],
            self.p[head as usize],
            self.suf[head as usize],
        );
        let (dw, dp, ds) = (
            self.w[dep as usize],
            self.p[dep as usize],
            self.suf[dep as usize],
        );
        let dist = u64::from(head.abs_diff(dep).min(8));
        let d = dep as usize;
        let next = |x: u32| {
            if x < self.root() {
                self.p[x as usize + 1]
            } else {
                NONE
            }
        };
        let prev = |x: u32| if x > 1 { self.p[x as usize - 1] } else { NONE };
        let dir = kind as u64;
        let f = |id: u64, v: u64| mix(mix(id, dir), v);
        let f2 = |id: u64, a: u64, b: u64| mix(mix(mix(id, dir), a), b);
        let f3 = |id: u64, a: u64, b: u64, c: u64| mix(mix(mix(mix(id, dir), a), b), c);
        out.extend_from_slice(&[
            f(1, 0),
            f(2, hw),
            f(3, hp),
            f(4, dw),
            f(5, dp),
            f(6, ds),
            f(7, hs),
            f2(8, hp, dp),
            f2(9, hw, dp),
            f2(10, hp, dw),
            f2(11, hw, dw),
            f3(12, hp, dp, dist),
            f2(13, dp, dist),
            f2(14, dp, self.lset[d]),
            f2(15, dp, self.rset[d]),
            f2(16, dw, self.rset[d]),
            f3(17, dp, hp, self.lset[head as usize]),
            f3(18, dp, hp, self.rset[head as usize]),
            f3(19, dp, prev(dep), next(dep)),
            f3(20, hp, prev(head), next(head)),
            f2(21, ds, hp),
            f2(22, dp, self.label_value(self.lc1[d])),
            f2(23, dp, self.label_value(self.rc1[d])),
            f2(24, hp, u64::from(self.nl[d]) * 16 + u64::from(self.nr[d])),
            f2(25, dw, hp),
            f3(26, dw, hp, dist),
        ]);
    }
}

/// The trained parser.
#[derive(Clone, Debug, Default)]
pub struct Parser {
    /// Scores SHIFT and LEFT/RIGHT per label group ([`N_MOVES`] classes).
    pub(crate) moves: Weights,
    /// Scores the relation of a chosen arc (one class per label), among its group's.
    pub(crate) labeller: Weights,
    pub(crate) labels: Vec<String>,
    /// The group of each label.
    pub(crate) groups: Vec<usize>,
    pub(crate) root_label: usize,
    pub(crate) korean: bool,
}

impl Parser {
    pub(crate) fn new(labels: Vec<String>, korean: bool) -> Parser {
        let root_label = labels.iter().position(|l| l == "root").unwrap_or(0);
        let groups = labels.iter().map(|l| label_group(l)).collect();
        Parser {
            moves: Weights::new(N_MOVES),
            labeller: Weights::new(labels.len()),
            labels,
            groups,
            root_label,
            korean,
        }
    }

    /// Parses one tagged sentence: `(head, label index)` per word (head 0 = root).
    pub fn parse(&self, forms: &[&str], tags: &[Upos]) -> Vec<(u32, usize)> {
        let mut state = State::new(forms, tags, self.korean);
        let mut feats = Vec::with_capacity(112);
        let mut lfeats = Vec::with_capacity(32);
        let mut scores = [0f32; N_MOVES];
        let mut lscores = vec![0f32; self.labels.len()];
        while !state.is_terminal() {
            let (kind, group) = if state.stack.is_empty() {
                // The only valid move: no need to score.
                (SHIFT, 0)
            } else if state.b == state.root() && state.stack.len() == 1 {
                (MOVE_LEFT, 0)
            } else {
                state.features(self.korean, &mut feats);
                self.moves.score(&feats, &mut scores);
                best_move(&state, &scores)
            };
            let action = if kind == SHIFT {
                SHIFT
            } else {
                let (head, dep) = state.arc(kind);
                let label = if head == state.root() {
                    self.root_label
                } else {
                    state.label_features(head, dep, kind, &mut lfeats);
                    self.labeller.score(&lfeats, &mut lscores);
                    best_label(&lscores, &self.groups, group, self.root_label)
                };
                if kind == MOVE_LEFT {
                    left(label)
                } else {
                    right(label)
                }
            };
            state.apply(action);
        }
        let root = state.root();
        (1..=state.n as usize)
            .map(|i| {
                let h = state.heads[i];
                let h = if h == root { 0 } else { h };
                (h, usize::from(state.labels[i]))
            })
            .collect()
    }
}

/// The best-scoring valid move with its label group (SHIFT first on ties); an arc to the root
/// is always in the root's group. A non-terminal state always has a valid move.
pub(crate) fn best_move(state: &State, scores: &[f32; N_MOVES]) -> (usize, usize) {
    let mut best = (usize::MAX, 0);
    let mut best_score = f32::NEG_INFINITY;
    if state.valid_move(SHIFT) {
        best = (SHIFT, 0);
        best_score = scores[0];
    }
    for kind in [MOVE_LEFT, MOVE_RIGHT] {
        if !state.valid_move(kind) {
            continue;
        }
        if kind == MOVE_LEFT && state.b == state.root() {
            let x = scores[move_class(kind, 0)];
            if best.0 == usize::MAX || x > best_score {
                best = (kind, 0);
                best_score = x;
            }
            continue;
        }
        for group in 1..GROUPS {
            let x = scores[move_class(kind, group)];
            if best.0 == usize::MAX || x > best_score {
                best = (kind, group);
                best_score = x;
            }
        }
    }
    if best.0 == usize::MAX {
        // Unreachable for a non-terminal state; LEFT pops and so always makes progress.
        (MOVE_LEFT, 0)
    } else {
        best
    }
}

/// The best label of `group` for an arc that is not to the root (any label but the root's
/// when the group has none); 0 when there is none at all.
pub(crate) fn best_label(
    scores: &[f32],
    groups: &[usize],
    group: usize,
    root_label: usize,
) -> usize {
    let mut best = usize::MAX;
    for (l, &x) in scores.iter().enumerate() {
        if l != root_label
            && groups.get(l) == Some(&group)
            && (best == usize::MAX || x > scores[best])
        {
            best = l;
        }
    }
    if best != usize::MAX {
        return best;
    }
    for (l, &x) in scores.iter().enumerate() {
        if l != root_label && (best == usize::MAX || x > scores[best]) {
            best = l;
        }
    }
    if best == usize::MAX { 0 } else { best }
}
