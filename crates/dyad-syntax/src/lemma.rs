//! Lemmas "where cheap". English: an exception table keyed by (lowercase form, UPOS), then
//! suffix-rewrite rules keyed by (UPOS, form ending), both learned from UD English EWT train
//! and written to `data/syntax/en-lemma.tsv` by `examples/build_text_data.rs`. Korean: the
//! surface morphemes of the eojeol joined by `+` (as UD Korean writes its lemma column).

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::Lang;

/// The learned English lemma data, embedded.
pub const EN_LEMMA: &str = include_str!("../../../data/syntax/en-lemma.tsv");

/// The longest form ending a rule is keyed on, in characters.
pub const MAX_RULE_SUFFIX: usize = 5;

#[derive(Default)]
struct Tables {
    exceptions: HashMap<(String, String), String>,
    rules: Rules,
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let mut t = Tables::default();
        for line in EN_LEMMA.lines() {
            let f: Vec<&str> = line.split('\t').collect();
            match f[..] {
                ["R", upos, ending, strip, add, ..] => {
                    t.rules.insert(
                        (upos.to_string(), ending.to_string()),
                        (strip.to_string(), add.to_string()),
                    );
                }
                ["X", form, upos, lemma, ..] => {
                    t.exceptions
                        .insert((form.to_string(), upos.to_string()), lemma.to_string());
                }
                _ => {}
            }
        }
        t
    })
}

/// The version line of the lemma data (`# version = N`).
pub fn lemma_data_version() -> &'static str {
    EN_LEMMA
        .lines()
        .find_map(|l| l.strip_prefix("# version = "))
        .unwrap_or("unversioned")
}

/// The lemma of `form` tagged `upos` (a UD universal tag such as `NOUN`, `VERB`; `_` when the
/// tag is unknown: rules and exceptions learned over all tags then apply).
pub fn lemma(form: &str, upos: &str, lang: Lang) -> String {
    match lang {
        Lang::Ko => crate::korean::morphs(form)
            .iter()
            .map(|m| m.form.as_str())
            .collect::<Vec<_>>()
            .join("+"),
        Lang::En => english(form, upos),
    }
}

fn english(form: &str, upos: &str) -> String {
    let t = tables();
    let lower = form.to_lowercase().replace('’', "'");
    if let Some(l) = t.exceptions.get(&(lower.clone(), upos.to_string())) {
        return l.clone();
    }
    if upos == "PROPN" {
        return form.to_string();
    }
    apply_rules(&lower, upos, &t.rules).unwrap_or(lower)
}

/// Suffix-rewrite rules keyed by (UPOS, form ending) to (strip, add).
pub type Rules = HashMap<(String, String), (String, String)>;

/// Applies the rule of the longest ending of `lower` that has one for `upos` (`None`: no rule).
/// The builder of the data file uses it too, so what it keeps is what runs.
pub fn apply_rules(lower: &str, upos: &str, rules: &Rules) -> Option<String> {
    let starts: Vec<usize> = lower.char_indices().map(|(i, _)| i).collect();
    let n = starts.len();
    let mut key = (upos.to_string(), String::new());
    for k in (0..=n.min(MAX_RULE_SUFFIX)).rev() {
        let at = starts.get(n - k).map_or(lower.len(), |&i| i);
        key.1.clear();
        key.1.push_str(&lower[at..]);
        if let Some((strip, add)) = rules.get(&key)
            && lower.len() > strip.len()
            && lower.ends_with(strip.as_str())
        {
            let mut s = lower[..lower.len() - strip.len()].to_string();
            s.push_str(add);
            return Some(s);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_lemmas() {
        let cases = [
            ("said", "VERB", "say"),
            ("talks", "NOUN", "talk"),
            ("agreed", "VERB", "agree"),
            ("was", "AUX", "be"),
            ("countries", "NOUN", "country"),
            ("Allies", "NOUN", "ally"),
            ("Seoul", "PROPN", "Seoul"),
            ("n't", "PART", "not"),
            ("better", "ADJ", "good"),
            ("pledging", "VERB", "pledge"),
        ];
        for (form, upos, want) in cases {
            assert_eq!(lemma(form, upos, Lang::En), want, "{form}/{upos}");
        }
    }

    #[test]
    fn korean_lemma_is_surface_morphemes() {
        assert_eq!(lemma("대통령은", "NOUN", Lang::Ko), "대통령+은");
    }
}
