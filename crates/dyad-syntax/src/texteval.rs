//! Measuring the text layer against UD treebanks: the CoNLL 2018 shared task's Tokens, Words
//! and Sentences F1 (spans aligned by character offsets, whitespace ignored), Korean stem
//! accuracy and English lemma accuracy. Shared by `examples/eval_text.rs`, the floors test
//! and `examples/build_text_data.rs` (which learns from the same columns it measures).
//! Takes decompressed CoNLL-U text: no IO here.

use crate::{Lang, tokenize};

/// One syntactic word line of a CoNLL-U file.
#[derive(Clone, Debug, Default)]
pub struct UdWord {
    pub form: String,
    pub lemma: String,
    pub upos: String,
    pub xpos: String,
    pub misc: String,
}

/// One sentence: its comments that matter here, its surface tokens and its words.
#[derive(Clone, Debug, Default)]
pub struct UdSentence {
    pub sent_id: String,
    pub text: String,
    pub newdoc: bool,
    pub newpar: bool,
    /// Surface tokens: a multiword token range (`1-2 don't`) is one token.
    pub tokens: Vec<String>,
    /// For each surface token, the words it holds.
    pub token_words: Vec<Vec<UdWord>>,
}

impl UdSentence {
    pub fn words(&self) -> impl Iterator<Item = &UdWord> {
        self.token_words.iter().flatten()
    }
}

/// Reads CoNLL-U text. Malformed lines are skipped (this is a measuring tool on known files).
pub fn parse_conllu(s: &str) -> Vec<UdSentence> {
    let mut out = Vec::new();
    let mut cur = UdSentence::default();
    let mut mwt_end = 0usize;
    for line in s.lines() {
        if line.trim().is_empty() {
            if !cur.tokens.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            mwt_end = 0;
            continue;
        }
        if let Some(c) = line.strip_prefix('#') {
            let c = c.trim();
            if let Some(v) = c.strip_prefix("sent_id = ") {
                cur.sent_id = v.to_string();
            } else if let Some(v) = c.strip_prefix("text = ") {
                cur.text = v.to_string();
            } else if c.starts_with("newdoc") {
                cur.newdoc = true;
            } else if c.starts_with("newpar") {
                cur.newpar = true;
            }
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 10 || f[0].contains('.') {
            continue;
        }
        if let Some((a, b)) = f[0].split_once('-') {
            cur.tokens.push(f[1].to_string());
            cur.token_words.push(Vec::new());
            mwt_end = b.parse().unwrap_or(0);
            let _ = a;
            continue;
        }
        let id: usize = f[0].parse().unwrap_or(0);
        let w = UdWord {
            form: f[1].to_string(),
            lemma: f[2].to_string(),
            upos: f[3].to_string(),
            xpos: f[4].to_string(),
            misc: f[9].to_string(),
        };
        if id <= mwt_end {
            if let Some(last) = cur.token_words.last_mut() {
                last.push(w);
            }
        } else {
            cur.tokens.push(w.form.clone());
            cur.token_words.push(vec![w]);
        }
    }
    if !cur.tokens.is_empty() {
        out.push(cur);
    }
    out
}

/// A Kaist sentence id (`M2TA_070-s1`) names its document before `-s`.
fn doc_of(sent_id: &str) -> &str {
    sent_id.rsplit_once("-s").map_or("", |(d, _)| d)
}

/// The raw text of a treebank: sentences joined by a space, a line break at each new
/// paragraph or document (`# newpar`, `# newdoc`, or a change of the Kaist document id).
pub fn raw_text(sents: &[UdSentence]) -> String {
    let mut text = String::new();
    let mut prev_doc = "";
    for (i, s) in sents.iter().enumerate() {
        let doc = doc_of(&s.sent_id);
        if i > 0 {
            let new_par = s.newpar
                || s.newdoc
                || (!doc.is_empty()
                    && doc != prev_doc
                    && !s.sent_id.starts_with("test-")
                    && !s.sent_id.starts_with("dev-"));
            text.push(if new_par { '\n' } else { ' ' });
        }
        prev_doc = doc;
        text.push_str(&s.text);
    }
    text
}

/// Precision, recall and F1 of one span comparison.
#[derive(Clone, Copy, Debug, Default)]
pub struct Score {
    pub gold: usize,
    pub system: usize,
    pub correct: usize,
}

impl Score {
    pub fn precision(&self) -> f64 {
        self.correct as f64 / self.system.max(1) as f64
    }
    pub fn recall(&self) -> f64 {
        self.correct as f64 / self.gold.max(1) as f64
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

/// The three CoNLL 2018 segmentation scores of one treebank, plus a check of the alignment.
#[derive(Clone, Copy, Debug, Default)]
pub struct Segmentation {
    pub tokens: Score,
    pub words: Score,
    pub sentences: Score,
    /// Gold characters that did not match the raw text (0 when the treebank is consistent).
    pub misaligned_chars: usize,
}

/// English clitics that dyad splits off one surface token (the second word of an EWT
/// multiword token), for re-joining words into surface tokens.
fn joins_previous(prev: &str, form: &str) -> bool {
    let f = form.to_lowercase().replace('’', "'");
    let p = prev.to_lowercase();
    matches!(
        f.as_str(),
        "n't" | "'s" | "'re" | "'ll" | "'ve" | "'m" | "'d"
    ) || (f == "not" && p == "can")
        || (f == "na" && (p == "gon" || p == "wan"))
        || (f == "ta" && p == "got")
}

/// Scores `tokenize` on a treebank (CoNLL 2018 metrics over non-whitespace character offsets).
pub fn segmentation(sents: &[UdSentence], lang: Lang) -> Segmentation {
    let text = raw_text(sents);
    // Non-whitespace character index of each byte offset.
    let mut nws_at = vec![0usize; text.len() + 1];
    let mut nws = 0usize;
    let mut chars_nws: Vec<char> = Vec::new();
    for (i, c) in text.char_indices() {
        nws_at[i..i + c.len_utf8()].fill(nws);
        if !c.is_whitespace() {
            nws += 1;
            chars_nws.push(c);
        }
    }
    nws_at[text.len()] = nws;
    let span = |s: usize, e: usize| (nws_at[s], nws_at[e]);

    // Gold spans in the same index space.
    let mut gold_tokens = Vec::new();
    let mut gold_words = Vec::new();
    let mut gold_sents = Vec::new();
    let mut pos = 0usize;
    let mut misaligned = 0usize;
    for s in sents {
        let sent_start = pos;
        for (t, words) in s.tokens.iter().zip(&s.token_words) {
            let len = t.chars().filter(|c| !c.is_whitespace()).count();
            for (k, c) in t.chars().filter(|c| !c.is_whitespace()).enumerate() {
                if chars_nws.get(pos + k) != Some(&c) {
                    misaligned += 1;
                }
            }
            gold_tokens.push((pos, pos + len));
            let joined: String = words.iter().map(|w| w.form.as_str()).collect();
            if words.len() > 1 && joined.chars().count() == len {
                let mut p = pos;
                for w in words {
                    let l = w.form.chars().count();
                    gold_words.push((p, p + l));
                    p += l;
                }
            } else if words.len() == 1 {
                gold_words.push((pos, pos + len));
            } else {
                // Words that do not spell their token: one unmatched span each.
                for _ in words {
                    gold_words.push((usize::MAX, usize::MAX));
                }
            }
            pos += len;
        }
        gold_sents.push((sent_start, pos));
    }

    let (toks, sentences) = tokenize(&text, lang);
    let sys_words: Vec<(usize, usize)> = toks.iter().map(|t| span(t.start, t.end)).collect();
    let mut sys_tokens: Vec<(usize, usize)> = Vec::with_capacity(toks.len());
    for (i, t) in toks.iter().enumerate() {
        let sp = span(t.start, t.end);
        if lang == Lang::En
            && i > 0
            && toks[i - 1].end == t.start
            && joins_previous(&toks[i - 1].form, &t.form)
            && let Some(last) = sys_tokens.last_mut()
        {
            last.1 = sp.1;
            continue;
        }
        sys_tokens.push(sp);
    }
    let sys_sents: Vec<(usize, usize)> = sentences.iter().map(|s| span(s.start, s.end)).collect();
    Segmentation {
        tokens: compare(&gold_tokens, &sys_tokens),
        words: compare(&gold_words, &sys_words),
        sentences: compare(&gold_sents, &sys_sents),
        misaligned_chars: misaligned,
    }
}

fn compare(gold: &[(usize, usize)], system: &[(usize, usize)]) -> Score {
    let set: std::collections::HashSet<(usize, usize)> = gold.iter().copied().collect();
    Score {
        gold: gold.len(),
        system: system.len(),
        correct: system.iter().filter(|s| set.contains(s)).count(),
    }
}

/// Kaist lowercase and Sejong uppercase XPOS: the kind of morpheme a tag names.
pub fn ko_tag_kind(tag: &str) -> Option<&'static str> {
    let t = tag.to_ascii_lowercase();
    if t.starts_with('j') || t == "vcp" {
        Some("particle")
    } else if t.starts_with('e') {
        Some("ending")
    } else if t.starts_with("xs") {
        Some("suffix")
    } else {
        None
    }
}

/// The gold analysis of a Korean word as surface pieces: the surface stem and the suffix
/// segments with their kinds (`None` when the lemma/XPOS columns do not line up). Contracted
/// morphemes that do not appear literally in the suffix become one segment.
pub fn ko_gold_split(w: &UdWord) -> Option<(String, Vec<(String, &'static str)>)> {
    let lemma = w
        .misc
        .split('|')
        .find_map(|kv| kv.strip_prefix("OrigLemma="))
        .unwrap_or(&w.lemma);
    let parts: Vec<&str> = lemma.split('+').collect();
    let tags: Vec<&str> = w.xpos.split('+').collect();
    if parts.len() != tags.len() || parts.is_empty() {
        return None;
    }
    let mut f = parts.len();
    while f > 1 && ko_tag_kind(tags[f - 1]).is_some() {
        f -= 1;
    }
    if f == parts.len() {
        return Some((w.form.clone(), Vec::new()));
    }
    let stem: String = parts[..f].concat();
    let common = w
        .form
        .chars()
        .zip(stem.chars())
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return None;
    }
    let at = w
        .form
        .char_indices()
        .nth(common)
        .map_or(w.form.len(), |(i, _)| i);
    let (surface_stem, mut rest) = w.form.split_at(at);
    if rest.is_empty() {
        return Some((w.form.clone(), Vec::new()));
    }
    // Match suffix morphemes literally from the end; the rest is one contracted segment.
    let mut tail: Vec<(String, &'static str)> = Vec::new();
    let mut k = parts.len();
    while k > f {
        let p = parts[k - 1];
        if !p.is_empty() && rest.len() > p.len() && rest.ends_with(p) {
            tail.push((p.to_string(), ko_tag_kind(tags[k - 1]).unwrap_or("other")));
            rest = &rest[..rest.len() - p.len()];
            k -= 1;
        } else {
            break;
        }
    }
    if k > f && rest == parts[f..k].concat() {
        for j in (f..k).rev() {
            tail.push((
                parts[j].to_string(),
                ko_tag_kind(tags[j]).unwrap_or("other"),
            ));
        }
    } else if !rest.is_empty() {
        tail.push((rest.to_string(), ko_tag_kind(tags[f]).unwrap_or("other")));
    }
    tail.reverse();
    Some((surface_stem.to_string(), tail))
}

/// Korean stem accuracy: the share of Hangul words whose surface stem dyad finds exactly.
/// Returns (correct, total, baseline correct when the whole word is taken as the stem).
pub fn ko_stem_accuracy(sents: &[UdSentence]) -> (usize, usize, usize) {
    let (mut ok, mut total, mut base) = (0, 0, 0);
    for w in sents.iter().flat_map(|s| s.words()) {
        if !w
            .form
            .chars()
            .any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c))
        {
            continue;
        }
        let Some((gold_stem, _)) = ko_gold_split(w) else {
            continue;
        };
        total += 1;
        if crate::korean::split_suffix(&w.form).0 == gold_stem {
            ok += 1;
        }
        if w.form == gold_stem {
            base += 1;
        }
    }
    (ok, total, base)
}

/// English lemma accuracy with gold UPOS: (correct, total, baseline correct for the lowercase
/// form, or the form itself for proper nouns).
pub fn en_lemma_accuracy(sents: &[UdSentence]) -> (usize, usize, usize) {
    let (mut ok, mut total, mut base) = (0, 0, 0);
    for w in sents.iter().flat_map(|s| s.words()) {
        total += 1;
        if crate::lemma(&w.form, &w.upos, Lang::En) == w.lemma {
            ok += 1;
        }
        let b = if w.upos == "PROPN" {
            w.form.clone()
        } else {
            w.form.to_lowercase()
        };
        if b == w.lemma {
            base += 1;
        }
    }
    (ok, total, base)
}
