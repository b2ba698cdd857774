//! Training: the tagger, then the parser on jackknifed predicted tags.
//!
//! Deterministic: fixed seeds, fixed iteration counts, sentences in file order before each
//! seeded shuffle, weights written in key order.

use std::collections::BTreeSet;

use crate::conllu;
use crate::lang::Lang;
use crate::model::{Model, Treebank};
use crate::parser::{
    GROUPS, MOVE_LEFT, MOVE_RIGHT, N_MOVES, Parser, SHIFT, State, best_label, best_move, left,
    move_class, right,
};
use crate::perceptron::{Rng, Trainer};
use crate::tagger::{self, START, Tagger, Upos, argmax, tag_value};

/// One gold sentence as training sees it.
#[derive(Clone, Debug)]
pub struct GoldSentence {
    pub forms: Vec<String>,
    pub upos: Vec<Upos>,
    /// 0 = root, else 1-based.
    pub heads: Vec<u32>,
    pub deprels: Vec<String>,
}

impl GoldSentence {
    /// The gold annotation of a CoNLL-U sentence; `None` (with the reason) when it is unusable
    /// (a tag outside UPOS, a head out of range, not exactly one root).
    pub fn from_conllu(s: &conllu::Sentence) -> Result<GoldSentence, String> {
        let mut g = GoldSentence {
            forms: Vec::new(),
            upos: Vec::new(),
            heads: Vec::new(),
            deprels: Vec::new(),
        };
        for r in s.words() {
            g.forms.push(r.form.clone());
            g.upos.push(r.upos.parse().map_err(|e| format!("{e}"))?);
            g.heads.push(
                r.head_num()
                    .ok_or_else(|| format!("bad head {:?}", r.head))?,
            );
            g.deprels.push(r.deprel.clone());
        }
        let n = g.forms.len() as u32;
        if n == 0 {
            return Err("no words".into());
        }
        if g.heads.iter().any(|&h| h > n) {
            return Err("head out of range".into());
        }
        if g.heads.iter().filter(|&&h| h == 0).count() != 1 {
            return Err("not exactly one root".into());
        }
        Ok(g)
    }

    pub fn form_refs(&self) -> Vec<&str> {
        self.forms.iter().map(String::as_str).collect()
    }
}

/// Iteration counts and seeds.
#[derive(Clone, Debug)]
pub struct TrainConfig {
    pub tagger_iterations: usize,
    pub parser_iterations: usize,
    /// Folds for jackknifed tags on the parser's training data (10: each fold's tagger sees 90%
    /// of the data, so its errors are close to those of the final tagger at run time).
    pub folds: usize,
    /// From the third parser iteration on, follow the model's own (possibly wrong) move with
    /// this probability (dynamic-oracle exploration).
    pub explore: f64,
    pub seed: u64,
    /// The parser's averaged weights smaller than this are dropped from the model file.
    pub min_weight: f32,
    /// The same for the tagger (whose table is small: pruning it saves little and costs
    /// accuracy).
    pub tagger_min_weight: f32,
}

impl Default for TrainConfig {
    fn default() -> TrainConfig {
        TrainConfig {
            tagger_iterations: 8,
            parser_iterations: 15,
            folds: 10,
            explore: 0.9,
            seed: 0x00d1_ad5e_ed00,
            min_weight: 1.0,
            tagger_min_weight: 0.0,
        }
    }
}

/// Trains the tagger on `sents`.
pub fn train_tagger(
    sents: &[&GoldSentence],
    korean: bool,
    iterations: usize,
    seed: u64,
    min: f32,
) -> Tagger {
    let mut t = Trainer::new(Upos::ALL.len());
    let mut order: Vec<usize> = (0..sents.len()).collect();
    let mut rng = Rng::new(seed);
    let mut feats = Vec::new();
    let mut scores = [0f32; 17];
    for _ in 0..iterations {
        rng.shuffle(&mut order);
        for &k in &order {
            let s = sents[k];
            let ctx: Vec<_> = s
                .forms
                .iter()
                .map(|f| tagger::token_ctx(f, korean))
                .collect();
            let mut prev = [START, START];
            for i in 0..s.forms.len() {
                tagger::features(&ctx, i, prev, korean, &mut feats);
                t.score(&feats, &mut scores);
                let guess = argmax(&scores);
                t.update(&feats, s.upos[i].index(), guess);
                t.tick();
                prev = [tag_value(Upos::ALL[guess]), prev[0]];
            }
        }
    }
    Tagger {
        weights: t.finish(min),
        korean,
    }
}

/// Tags for every sentence, each predicted by a tagger that did not see it (k-fold).
pub fn jackknife_tags(
    sents: &[GoldSentence],
    korean: bool,
    config: &TrainConfig,
) -> Vec<Vec<Upos>> {
    let k = config.folds.max(2);
    let mut out = vec![Vec::new(); sents.len()];
    for fold in 0..k {
        let train: Vec<&GoldSentence> = sents
            .iter()
            .enumerate()
            .filter(|(i, _)| i % k != fold)
            .map(|(_, s)| s)
            .collect();
        let tagger = train_tagger(
            &train,
            korean,
            config.tagger_iterations,
            config.seed ^ fold as u64,
            config.tagger_min_weight,
        );
        for (i, s) in sents.iter().enumerate() {
            if i % k == fold {
                out[i] = tagger.tag(&s.form_refs());
            }
        }
    }
    out
}

/// Unlabelled costs of SHIFT, LEFT and RIGHT (`None` when invalid): how many gold arcs each
/// makes unreachable (Goldberg and Nivre 2013, arc-hybrid).
fn costs(st: &State, gold: &[u32]) -> [Option<u32>; 3] {
    let s0 = st.s(0);
    let s1 = st.s(1);
    let b = st.b;
    let n = st.n;
    let mut out = [None; 3];
    if b <= n {
        let below = &st.stack[..st.stack.len().saturating_sub(1)];
        let head_lost = below.contains(&gold[b as usize]);
        let deps_lost = st.stack.iter().filter(|&&k| gold[k as usize] == b).count() as u32;
        out[0] = Some(u32::from(head_lost) + deps_lost);
    }
    if s0 != 0 {
        let deps_in_buffer = (b..=n).filter(|&k| gold[k as usize] == s0).count() as u32;
        let g = gold[s0 as usize];
        if b <= n || st.stack.len() == 1 {
            out[1] = Some(u32::from(s1 != 0 && g == s1) + u32::from(g > b) + deps_in_buffer);
        }
        if s1 != 0 {
            out[2] = Some(u32::from(g >= b) + deps_in_buffer);
        }
    }
    out
}

/// Trains the parser on `tags` (predicted) with the dynamic oracle: the move model on every
/// configuration, the labeller on every arc whose head is right.
pub fn train_parser(
    sents: &[GoldSentence],
    tags: &[Vec<Upos>],
    korean: bool,
    config: &TrainConfig,
) -> Parser {
    let labels: Vec<String> = sents
        .iter()
        .flat_map(|s| s.deprels.iter().cloned())
        .chain(std::iter::once("root".to_string()))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut parser = Parser::new(labels, korean);
    let root_label = parser.root_label;
    let mut moves = Trainer::new(N_MOVES);
    let mut labeller = Trainer::new(parser.labels.len());
    let mut rng = Rng::new(config.seed.wrapping_mul(31).wrapping_add(7));
    let mut order: Vec<usize> = (0..sents.len()).collect();
    let mut feats = Vec::new();
    let mut lfeats = Vec::new();
    let mut scores = [0f32; N_MOVES];
    let mut lscores = vec![0f32; parser.labels.len()];
    for it in 0..config.parser_iterations {
        rng.shuffle(&mut order);
        for &k in &order {
            let s = &sents[k];
            let forms = s.form_refs();
            let mut st = State::new(&forms, &tags[k], korean);
            let root = st.root();
            let mut gold = vec![0u32; forms.len() + 2];
            let mut gold_label = vec![root_label; forms.len() + 2];
            for i in 0..forms.len() {
                gold[i + 1] = if s.heads[i] == 0 { root } else { s.heads[i] };
                gold_label[i + 1] = parser
                    .labels
                    .binary_search(&s.deprels[i])
                    .unwrap_or(root_label);
            }
            while !st.is_terminal() {
                st.features(korean, &mut feats);
                moves.score(&feats, &mut scores);
                let c = costs(&st, &gold);
                let min = c.iter().flatten().copied().min().unwrap_or(0);
                // An arc move is optimal with the gold label's group when it attaches s0 to its
                // gold head, with any group otherwise.
                let s0 = st.s(0) as usize;
                let optimal = |kind: usize, group: usize| -> bool {
                    if c[kind] != Some(min) {
                        return false;
                    }
                    if kind == SHIFT {
                        return true;
                    }
                    let (head, _) = st.arc(kind);
                    if head == root {
                        group == 0
                    } else if gold[s0] == head {
                        group == parser.groups[gold_label[s0]]
                    } else {
                        group != 0
                    }
                };
                let guess = best_move(&st, &scores);
                let mut best = (usize::MAX, 0);
                for kind in [SHIFT, MOVE_LEFT, MOVE_RIGHT] {
                    let groups = if kind == SHIFT { 1 } else { GROUPS };
                    for group in 0..groups {
                        if optimal(kind, group)
                            && (best.0 == usize::MAX
                                || scores[move_class(kind, group)]
                                    > scores[move_class(best.0, best.1)])
                        {
                            best = (kind, group);
                        }
                    }
                }
                if best.0 == usize::MAX {
                    best = guess;
                }
                if !optimal(guess.0, guess.1) {
                    moves.update(
                        &feats,
                        move_class(best.0, best.1),
                        move_class(guess.0, guess.1),
                    );
                }
                moves.tick();
                let (kind, group) = if it > 1 && rng.unit() < config.explore {
                    guess
                } else {
                    best
                };
                let action = if kind == SHIFT {
                    SHIFT
                } else {
                    let (head, dep) = st.arc(kind);
                    let label = if head == root {
                        root_label
                    } else {
                        st.label_features(head, dep, kind, &mut lfeats);
                        labeller.score(&lfeats, &mut lscores);
                        let guess = best_label(&lscores, &parser.groups, group, root_label);
                        let truth = gold_label[dep as usize];
                        if gold[dep as usize] == head && truth != root_label {
                            // Trained against the best label of any group, so that it
                            // ranks the labels of every group.
                            let any = best_label(&lscores, &parser.groups, usize::MAX, root_label);
                            labeller.update(&lfeats, truth, any);
                            labeller.tick();
                            truth
                        } else {
                            guess
                        }
                    };
                    if kind == MOVE_LEFT {
                        left(label)
                    } else {
                        right(label)
                    }
                };
                st.apply(action);
            }
        }
    }
    parser.moves = moves.finish(config.min_weight);
    parser.labeller = labeller.finish(config.min_weight);
    parser
}

/// Reads the gold sentences of CoNLL-U files, reporting unusable ones on `problems`.
pub fn read_gold(
    paths: &[std::path::PathBuf],
    problems: &mut Vec<String>,
) -> Result<Vec<GoldSentence>, conllu::ConlluError> {
    let mut out = Vec::new();
    for p in paths {
        for (i, s) in conllu::read_path(p)?.iter().enumerate() {
            match GoldSentence::from_conllu(s) {
                Ok(g) => out.push(g),
                Err(e) => problems.push(format!(
                    "{}: sentence {} ({}): {e}",
                    p.display(),
                    i + 1,
                    s.comment("sent_id").unwrap_or("no sent_id")
                )),
            }
        }
    }
    Ok(out)
}

/// Trains a whole model (tagger + parser) for `lang` from gold sentences.
pub fn train_model(
    lang: Lang,
    sents: &[GoldSentence],
    treebanks: Vec<Treebank>,
    config: &TrainConfig,
) -> Model {
    let korean = lang == Lang::Ko;
    let tags = jackknife_tags(sents, korean, config);
    let refs: Vec<&GoldSentence> = sents.iter().collect();
    let tagger = train_tagger(
        &refs,
        korean,
        config.tagger_iterations,
        config.seed,
        config.tagger_min_weight,
    );
    let parser = train_parser(sents, &tags, korean, config);
    Model::new(lang, treebanks, tagger, parser)
}
