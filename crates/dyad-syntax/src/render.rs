//! A document as CoNLL-U: `# sent_id`, `# text`, one line per token with its lemma, and the
//! byte offsets in MISC (`TokenRange=START:END`, as UDPipe writes them), `SpaceAfter=No` where
//! due, and Korean morphemes (`Morphs=대통령/stem+은/particle`).
//!
//! UPOS, HEAD and DEPREL come from an annotator (the tagger and parser) when one is given;
//! without one those columns are `_` and English lemmas are guessed without a tag.

use std::fmt::Write as _;

use crate::{Lang, Sentence, Token, tokenize};

/// Tags and parses one sentence's token forms: per token (UPOS, head, deprel), head 0 = root,
/// else 1-based within the sentence.
pub type Annotator<'a> = &'a dyn Fn(&[&str]) -> Vec<(String, u32, String)>;

/// Tokens and sentences of `text`, each sentence with its annotation (if an annotator is
/// given and answers one entry per token; otherwise none for that sentence).
pub struct Analysis {
    pub tokens: Vec<Token>,
    pub sentences: Vec<Sentence>,
    pub annotations: Vec<Option<Vec<(String, u32, String)>>>,
}

/// Tokenizes, splits and (when given an annotator) annotates `text`.
pub fn annotate_document(text: &str, lang: Lang, annotate: Option<Annotator>) -> Analysis {
    let (tokens, sentences) = tokenize(text, lang);
    let annotations = sentences
        .iter()
        .map(|s| {
            let ann = annotate?;
            let forms: Vec<&str> = tokens[s.tokens.clone()]
                .iter()
                .map(|t| t.form.as_str())
                .collect();
            let a = ann(&forms);
            (a.len() == forms.len()).then_some(a)
        })
        .collect();
    Analysis {
        tokens,
        sentences,
        annotations,
    }
}

fn clean_field(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| {
            if c == '\t' || c == '\n' || c == '\r' {
                ' '
            } else {
                c
            }
        })
        .collect();
    if s.is_empty() { "_".into() } else { s }
}

/// Writes `text` as CoNLL-U into `out`. `doc_id` names the document (`# newdoc id`) and
/// prefixes the sentence ids (`doc_id-1`, `doc_id-2`, ...).
pub fn write_conllu(
    out: &mut String,
    text: &str,
    lang: Lang,
    doc_id: &str,
    annotate: Option<Annotator>,
) {
    let a = annotate_document(text, lang, annotate);
    let _ = writeln!(out, "# newdoc id = {}", clean_field(doc_id));
    for (n, s) in a.sentences.iter().enumerate() {
        let _ = writeln!(out, "# sent_id = {}-{}", clean_field(doc_id), n + 1);
        let _ = writeln!(out, "# text = {}", clean_field(&text[s.start..s.end]));
        let ann = a.annotations.get(n).and_then(Option::as_ref);
        for (k, t) in a.tokens[s.tokens.clone()].iter().enumerate() {
            let (upos, head, deprel) = match ann.and_then(|v| v.get(k)) {
                Some((u, h, d)) => (u.as_str(), h.to_string(), d.as_str()),
                None => ("_", "_".to_string(), "_"),
            };
            let lemma = crate::lemma(&t.form, upos, lang);
            let mut misc = String::new();
            if !t.space_after {
                misc.push_str("SpaceAfter=No|");
            }
            if !t.morphs.is_empty() {
                misc.push_str("Morphs=");
                for (i, m) in t.morphs.iter().enumerate() {
                    if i > 0 {
                        misc.push('+');
                    }
                    let _ = write!(misc, "{}/{}", clean_field(&m.form), m.kind.as_str());
                }
                misc.push('|');
            }
            let _ = write!(misc, "TokenRange={}:{}", t.start, t.end);
            let _ = writeln!(
                out,
                "{}\t{}\t{}\t{}\t_\t_\t{}\t{}\t_\t{}",
                k + 1,
                clean_field(&t.form),
                clean_field(&lemma),
                upos,
                head,
                clean_field(deprel),
                misc
            );
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_and_offsets() {
        let mut s = String::new();
        write_conllu(&mut s, "We can't.\nNext", Lang::En, "d1", None);
        assert!(s.contains("# sent_id = d1-1\n# text = We can't.\n"), "{s}");
        assert!(
            s.contains("2\tca\tcan\t_\t_\t_\t_\t_\t_\tSpaceAfter=No|TokenRange=3:5"),
            "{s}"
        );
        assert!(
            s.contains("4\t.\t.\t_\t_\t_\t_\t_\t_\tTokenRange=8:9"),
            "{s}"
        );
        assert!(s.contains("# sent_id = d1-2\n# text = Next\n"), "{s}");
        let fake = |forms: &[&str]| -> Vec<(String, u32, String)> {
            forms
                .iter()
                .map(|_| ("NOUN".to_string(), 0, "root".to_string()))
                .collect()
        };
        let mut s = String::new();
        write_conllu(&mut s, "Talks", Lang::En, "d2", Some(&fake));
        assert!(
            s.contains("1\tTalks\ttalk\tNOUN\t_\t_\t0\troot\t_\tTokenRange=0:5"),
            "{s}"
        );
    }
}
