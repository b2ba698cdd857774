//! Korean morphemes of an eojeol: the stem, then the particles, endings and suffixes after it.
//!
//! The inventory of suffix strings is learned from the lemma and XPOS columns of UD Korean
//! Kaist and GSD (dev files) and written to `data/syntax/ko-morph.tsv` by
//! `examples/build_text_data.rs`. At run time the longest known suffix with enough support
//! is split off. dyad keeps **surface** morphemes: the forms concatenate to the eojeol, so
//! `밝혔다` gives `밝` (stem) + `혔다` (ending) rather than the dictionary `밝히` + `었` + `다`;
//! offsets stay exact and the stem is still a prefix to search on.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::tokenize::{Morph, MorphKind};

/// The learned suffix inventory, embedded.
pub const KO_MORPH: &str = include_str!("../../../data/syntax/ko-morph.tsv");

/// A suffix is split off only when seen at least this often as a suffix...
const MIN_COUNT: u32 = 2;
/// ...and when at least this share of the eojeols ending in it (with a longer stem) had it
/// as their suffix.
const MIN_SHARE: f32 = 0.2;
/// The longest suffix considered, in characters.
pub const MAX_SUFFIX_CHARS: usize = 7;

struct Entry {
    segments: Vec<(String, MorphKind)>,
}

fn kind_of(s: &str) -> MorphKind {
    match s {
        "particle" => MorphKind::Particle,
        "ending" => MorphKind::Ending,
        "suffix" => MorphKind::Suffix,
        "stem" => MorphKind::Stem,
        _ => MorphKind::Other,
    }
}

fn table() -> &'static HashMap<String, Entry> {
    static T: OnceLock<HashMap<String, Entry>> = OnceLock::new();
    T.get_or_init(|| {
        let mut m = HashMap::new();
        for line in KO_MORPH.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            let [suffix, count, total, segs] = f[..] else {
                continue;
            };
            let (Ok(count), Ok(total)) = (count.parse::<u32>(), total.parse::<u32>()) else {
                continue;
            };
            if count < MIN_COUNT || (count as f32) < MIN_SHARE * total.max(1) as f32 {
                continue;
            }
            let segments: Vec<(String, MorphKind)> = segs
                .split('+')
                .filter_map(|s| s.split_once('/'))
                .map(|(form, kind)| (form.to_string(), kind_of(kind)))
                .collect();
            if segments.iter().map(|s| s.0.as_str()).collect::<String>() != suffix {
                continue;
            }
            m.insert(suffix.to_string(), Entry { segments });
        }
        m
    })
}

/// The version line of the inventory (`# version = N`).
pub fn morph_data_version() -> &'static str {
    KO_MORPH
        .lines()
        .find_map(|l| l.strip_prefix("# version = "))
        .unwrap_or("unversioned")
}

fn is_hangul(c: char) -> bool {
    matches!(c, '\u{AC00}'..='\u{D7A3}' | '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}')
}

/// Whether a Hangul syllable ends in ㅆ (the mark of a contracted 았/었/였).
fn has_final_ss(c: char) -> bool {
    let code = c as u32;
    (0xAC00..=0xD7A3).contains(&code) && (code - 0xAC00) % 28 == 20
}

/// The morphemes of one eojeol. Punctuation is one `Other` morpheme; a word without a known
/// suffix is one stem. The forms always concatenate to `eojeol`.
pub fn morphs(eojeol: &str) -> Vec<Morph> {
    if eojeol.is_empty() {
        return Vec::new();
    }
    if !eojeol.chars().any(char::is_alphanumeric) {
        return vec![Morph {
            form: eojeol.to_string(),
            kind: MorphKind::Other,
        }];
    }
    let (stem, suffix) = split_suffix(eojeol);
    let mut out = vec![Morph {
        form: stem.to_string(),
        kind: MorphKind::Stem,
    }];
    if let Some(entry) = suffix.and_then(|s| table().get(s)) {
        // A past-tense marker contracted into the stem's last syllable (`밝혔` + `습니다`:
        // 히 + 었): that syllable is an ending too, when a stem remains before it.
        let stem_chars: Vec<(usize, char)> = stem.char_indices().collect();
        if let [.., (_, before), (at, last)] = stem_chars[..]
            && has_final_ss(last)
            && is_hangul(before)
            && last != '있'
            && entry
                .segments
                .first()
                .is_some_and(|s| s.1 == MorphKind::Ending)
        {
            out[0].form.truncate(at);
            out.push(Morph {
                form: last.to_string(),
                kind: MorphKind::Ending,
            });
        }
        out.extend(entry.segments.iter().map(|(form, kind)| Morph {
            form: form.clone(),
            kind: *kind,
        }));
    }
    out
}

/// Splits the longest known suffix off `eojeol`, leaving a stem of at least one character.
pub fn split_suffix(eojeol: &str) -> (&str, Option<&str>) {
    let t = table();
    let starts: Vec<usize> = eojeol.char_indices().map(|(i, _)| i).collect();
    let n = starts.len();
    for k in (1..n.min(MAX_SUFFIX_CHARS + 1)).rev() {
        let at = starts[n - k];
        let suffix = &eojeol[at..];
        if !suffix.starts_with(is_hangul) {
            continue;
        }
        if t.contains_key(suffix) {
            return (&eojeol[..at], Some(suffix));
        }
    }
    (eojeol, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(e: &str) -> Vec<(String, &'static str)> {
        morphs(e)
            .into_iter()
            .map(|m| (m.form, m.kind.as_str()))
            .collect()
    }

    #[test]
    fn particles_and_endings() {
        assert_eq!(
            show("대통령은"),
            [("대통령".into(), "stem"), ("은".into(), "particle")]
        );
        assert_eq!(show("이재명"), [("이재명".to_string(), "stem")]);
        for verb in ["밝혔다", "밝혔습니다", "밝혔으며", "밝힌"] {
            let m = morphs(verb);
            assert_eq!(m[0].kind, MorphKind::Stem, "{verb}: {m:?}");
            assert!(m[0].form == "밝" || m[0].form == "밝히", "{verb}: {m:?}");
            assert!(
                m[1..].iter().any(|x| x.kind == MorphKind::Ending),
                "{verb}: {m:?}"
            );
        }
        assert_eq!(show("."), [(".".to_string(), "other")]);
    }

    #[test]
    fn forms_concatenate() {
        for e in ["협상하겠다고", "국방예산을", "G20", "8.4이다", "했다", "가"] {
            let joined: String = morphs(e).iter().map(|m| m.form.as_str()).collect();
            assert_eq!(joined, e);
        }
    }
}
