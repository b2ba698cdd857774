//! Builds the text layer's data files from the UD treebanks, deterministically:
//!
//!     cargo run --release -p dyad-syntax --example build_text_data -- \
//!         --ud ../shared/dev/ud --out data/syntax
//!
//! - `abbreviations.tsv`: words ending in a period that EWT train keeps whole, plus common
//!   news abbreviations (titles, months, states, company forms), each `title` (never ends a
//!   sentence) or `end` (may end one).
//! - `ko-morph.tsv`: Korean particle/ending/suffix strings learned from the lemma and XPOS
//!   columns of Kaist and GSD dev, with their counts and how often an eojeol ending in the
//!   string had it as its suffix.
//! - `en-lemma.tsv`: English suffix-rewrite rules and the exceptions they miss, from EWT train.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};

use dyad_syntax::lemma::{MAX_RULE_SUFFIX, Rules, apply_rules};
use dyad_syntax::texteval::{UdSentence, ko_gold_split, parse_conllu};

const VERSION: u32 = 1;

fn read_gz(path: &Path) -> Result<Vec<UdSentence>, String> {
    let f = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut s = String::new();
    flate2::read::GzDecoder::new(f)
        .read_to_string(&mut s)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(parse_conllu(&s))
}

fn revisions(ud: &Path) -> String {
    std::fs::read_to_string(ud.join("../SOURCES.json")).unwrap_or_default()
}

fn revision_of(sources: &str, name: &str) -> String {
    sources
        .lines()
        .find(|l| l.contains(name))
        .and_then(|l| l.split('"').nth(3))
        .unwrap_or("unknown")
        .to_string()
}

/// Titles, months and other abbreviations that precede what they qualify: never final.
const NEWS_TITLES: &[&str] = &[
    "Mr.",
    "Mrs.",
    "Ms.",
    "Dr.",
    "Prof.",
    "Gen.",
    "Lt.",
    "Col.",
    "Maj.",
    "Capt.",
    "Cmdr.",
    "Adm.",
    "Sgt.",
    "Cpl.",
    "Pvt.",
    "Sen.",
    "Rep.",
    "Reps.",
    "Gov.",
    "Lt.Gov.",
    "Amb.",
    "Pres.",
    "Sec.",
    "Supt.",
    "Rev.",
    "Hon.",
    "Gov.-elect",
    "St.",
    "Mt.",
    "Ft.",
    "Jan.",
    "Feb.",
    "Mar.",
    "Apr.",
    "Jun.",
    "Jul.",
    "Aug.",
    "Sep.",
    "Sept.",
    "Oct.",
    "Nov.",
    "Dec.",
    "No.",
    "Nos.",
    "Vol.",
    "vs.",
    "v.",
    "Fig.",
    "pp.",
    "p.",
    "approx.",
    "ca.",
    "cf.",
    "Art.",
    "Sec.",
    "Ch.",
    "Messrs.",
    "Mmes.",
    "Sr.",
    "Brig.",
    "Gens.",
    "Sens.",
    "Dept.",
    "Mon.",
    "Tue.",
    "Tues.",
    "Wed.",
    "Thu.",
    "Thur.",
    "Thurs.",
    "Fri.",
    "Sat.",
    "Sun.",
    "e.g.",
    "i.e.",
    "viz.",
];

/// Abbreviations that may end a sentence: company forms, states, countries, times.
const NEWS_ENDS: &[&str] = &[
    "U.S.", "U.K.", "U.N.", "E.U.", "D.C.", "N.Y.", "L.A.", "Inc.", "Corp.", "Co.", "Ltd.",
    "Bros.", "Jr.", "etc.", "a.m.", "p.m.", "Ala.", "Ariz.", "Ark.", "Calif.", "Colo.", "Conn.",
    "Del.", "Fla.", "Ga.", "Ill.", "Ind.", "Kan.", "Ky.", "La.", "Md.", "Mass.", "Mich.", "Minn.",
    "Miss.", "Mo.", "Mont.", "Neb.", "Nev.", "N.H.", "N.J.", "N.M.", "N.C.", "N.D.", "Okla.",
    "Ore.", "Pa.", "R.I.", "S.C.", "S.D.", "Tenn.", "Tex.", "Va.", "Vt.", "Wash.", "Wis.", "W.Va.",
    "Wyo.", "Ave.", "Blvd.", "Rd.", "Univ.", "Assn.", "Govt.", "P.S.", "Ph.D.", "M.D.", "B.A.",
    "M.A.", "al.", "esp.", "Ltd.", "Pty.", "P.M.", "A.M.",
];

fn abbreviations(ewt_train: &[UdSentence], rev: &str) -> String {
    let mut counts: BTreeMap<String, u32> = BTreeMap::new();
    for w in ewt_train.iter().flat_map(|s| s.words()) {
        let f = &w.form;
        let ok = f.len() >= 2
            && f.ends_with('.')
            && f.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && f.chars().all(|c| c.is_ascii_alphabetic() || c == '.')
            && f.chars().filter(|c| c.is_ascii_alphabetic()).count() <= 5;
        if ok {
            *counts.entry(f.clone()).or_default() += 1;
        }
    }
    for w in NEWS_TITLES.iter().chain(NEWS_ENDS) {
        counts.entry((*w).to_string()).or_insert(0);
    }
    let mut out = format!(
        "# dyad English abbreviations: word<TAB>kind<TAB>count in EWT train\n\
         # kind: title = never ends a sentence; end = may end one\n\
         # built by examples/build_text_data.rs from UD_English-EWT@{rev} and a news list\n\
         # version = {VERSION}\n"
    );
    for (w, c) in &counts {
        if w.contains('-') {
            continue;
        }
        let kind = if NEWS_TITLES.contains(&w.as_str()) {
            "title"
        } else {
            "end"
        };
        out.push_str(&format!("{w}\t{kind}\t{c}\n"));
    }
    out
}

fn ko_morph(sents: &[UdSentence], revs: &str) -> String {
    const MAX: usize = dyad_syntax::korean::MAX_SUFFIX_CHARS;
    let mut seen: HashMap<String, HashMap<String, u32>> = HashMap::new();
    let mut total: HashMap<String, u32> = HashMap::new();
    for w in sents.iter().flat_map(|s| s.words()) {
        let chars: Vec<(usize, char)> = w.form.char_indices().collect();
        if !chars
            .iter()
            .any(|(_, c)| ('\u{AC00}'..='\u{D7A3}').contains(c))
        {
            continue;
        }
        for k in 1..chars.len().min(MAX + 1) {
            let at = chars[chars.len() - k].0;
            *total.entry(w.form[at..].to_string()).or_default() += 1;
        }
        let Some((stem, segs)) = ko_gold_split(w) else {
            continue;
        };
        if segs.is_empty() || stem.is_empty() {
            continue;
        }
        let suffix: String = segs.iter().map(|s| s.0.as_str()).collect();
        if suffix.chars().count() > MAX {
            continue;
        }
        let seg = segs
            .iter()
            .map(|(f, k)| format!("{f}/{k}"))
            .collect::<Vec<_>>()
            .join("+");
        *seen.entry(suffix).or_default().entry(seg).or_default() += 1;
    }
    let mut out = format!(
        "# dyad Korean suffixes: suffix<TAB>count as a suffix<TAB>eojeols ending in it<TAB>segments (form/kind+...)\n\
         # surface morphemes: contracted stems and endings stay as written (밝혔다 = 밝 + 혔다)\n\
         # built by examples/build_text_data.rs from the lemma/XPOS columns of \
         UD_Korean-Kaist@{} dev and UD_Korean-GSD@{} dev\n# version = {VERSION}\n",
        revision_of(revs, "Kaist"),
        revision_of(revs, "GSD")
    );
    let mut rows: Vec<(&String, u32, u32, &String)> = seen
        .iter()
        .filter_map(|(suffix, segs)| {
            let count: u32 = segs.values().sum();
            // Most frequent segmentation; ties go to the lexically first, for determinism.
            let best = segs
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                .map(|(s, _)| s)?;
            (count >= 2).then(|| {
                (
                    suffix,
                    count,
                    total.get(suffix).copied().unwrap_or(count),
                    best,
                )
            })
        })
        .collect();
    rows.sort();
    for (s, c, t, seg) in rows {
        out.push_str(&format!("{s}\t{c}\t{}\t{seg}\n", t.max(c)));
    }
    out
}

fn common_prefix_bytes(a: &str, b: &str) -> usize {
    a.char_indices()
        .zip(b.chars())
        .take_while(|((_, x), y)| x == y)
        .last()
        .map_or(0, |((i, x), _)| i + x.len_utf8())
}

fn en_lemma(train: &[UdSentence], rev: &str) -> String {
    // (lowercase form, upos) -> lemma -> count
    let mut types: BTreeMap<(String, String), BTreeMap<String, u32>> = BTreeMap::new();
    for w in train.iter().flat_map(|s| s.words()) {
        if w.lemma == "_" {
            continue;
        }
        let lower = w.form.to_lowercase().replace('’', "'");
        // Each word also counts under `_`: the rules and exceptions used without a tag.
        for upos in [w.upos.as_str(), "_"] {
            *types
                .entry((lower.clone(), upos.to_string()))
                .or_default()
                .entry(w.lemma.clone())
                .or_default() += 1;
        }
    }
    let majority = |m: &BTreeMap<String, u32>| -> String {
        m.iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .map(|(l, _)| l.clone())
            .unwrap_or_default()
    };
    // Candidate rules: (upos, ending) -> (strip, add) -> count.
    let mut cand: BTreeMap<(String, String), BTreeMap<(String, String), u32>> = BTreeMap::new();
    for ((lower, upos), lemmas) in &types {
        if upos == "PROPN" {
            continue;
        }
        for (lemma, &c) in lemmas {
            let l = lemma.to_lowercase();
            let p = common_prefix_bytes(lower, &l);
            let (strip, add) = (&lower[p..], &l[p..]);
            let chars: Vec<usize> = lower.char_indices().map(|(i, _)| i).collect();
            let n = chars.len();
            let min_k = strip.chars().count();
            for k in min_k..=n.min(MAX_RULE_SUFFIX) {
                let at = chars.get(n - k).map_or(lower.len(), |&i| i);
                *cand
                    .entry((upos.clone(), lower[at..].to_string()))
                    .or_default()
                    .entry((strip.to_string(), add.to_string()))
                    .or_default() += c;
            }
        }
    }
    // Keep a rule when it has support and changes what shorter endings would give.
    let mut rules: Rules = HashMap::new();
    let mut by_len: Vec<_> = cand.iter().collect();
    by_len.sort_by_key(|((u, e), _)| (e.chars().count(), u.clone(), e.clone()));
    for ((upos, ending), rw) in by_len {
        let sum: u32 = rw.values().sum();
        let Some((best, &bc)) = rw
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
        else {
            continue;
        };
        if sum < 3 || bc * 2 < sum {
            continue;
        }
        let predicted = apply_rules(ending, upos, &rules);
        let mine = {
            let mut s = ending[..ending.len() - best.0.len()].to_string();
            s.push_str(&best.1);
            s
        };
        if predicted.as_deref().unwrap_or(ending) != mine {
            rules.insert((upos.clone(), ending.clone()), best.clone());
        }
    }
    let mut out = format!(
        "# dyad English lemmas, from UD_English-EWT@{rev} train\n\
         # R<TAB>UPOS<TAB>form ending<TAB>strip<TAB>add   (longest ending first)\n\
         # X<TAB>lowercase form<TAB>UPOS<TAB>lemma      (exceptions, checked first)\n\
         # version = {VERSION}\n"
    );
    let mut sorted: Vec<_> = rules.iter().collect();
    sorted.sort();
    for ((u, e), (s, a)) in sorted {
        out.push_str(&format!("R\t{u}\t{e}\t{s}\t{a}\n"));
    }
    for ((lower, upos), lemmas) in &types {
        let gold = majority(lemmas);
        let predicted = if upos == "PROPN" {
            None
        } else {
            Some(apply_rules(lower, upos, &rules).unwrap_or_else(|| lower.clone()))
        };
        let wrong = match &predicted {
            Some(p) => *p != gold,
            None => gold.to_lowercase() != *lower,
        };
        if wrong && !lower.contains('\t') {
            out.push_str(&format!("X\t{lower}\t{upos}\t{gold}\n"));
        }
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str, default: &str| -> PathBuf {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map_or_else(|| PathBuf::from(default), PathBuf::from)
    };
    let ud = flag("--ud", "../shared/dev/ud");
    let out = flag("--out", "data/syntax");
    let revs = revisions(&ud);
    let run = || -> Result<(), String> {
        let ewt = read_gz(&ud.join("en_ewt-ud-train.conllu.gz"))?;
        let mut ko = read_gz(&ud.join("ko_kaist-ud-dev.conllu.gz"))?;
        ko.extend(read_gz(&ud.join("ko_gsd-ud-dev.conllu.gz"))?);
        let ewt_rev = revision_of(&revs, "EWT");
        std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
        for (name, body) in [
            ("abbreviations.tsv", abbreviations(&ewt, &ewt_rev)),
            ("ko-morph.tsv", ko_morph(&ko, &revs)),
            ("en-lemma.tsv", en_lemma(&ewt, &ewt_rev)),
        ] {
            let p = out.join(name);
            std::fs::write(&p, &body).map_err(|e| format!("{}: {e}", p.display()))?;
            eprintln!("wrote {} ({} lines)", p.display(), body.lines().count());
        }
        Ok(())
    };
    if let Err(e) = run() {
        eprintln!("build_text_data: {e}");
        std::process::exit(1);
    }
}
