//! Entity recognition and linking in English and Korean.
//!
//! 1. **Gazetteer**: every name, native name, alias and demonym in the knowledge base, matched
//!    with aho-corasick (leftmost-longest). Acronyms and short forms match case-sensitively, so
//!    "us" is not the United States; other names ignore case. Hyphen and spacing variants of
//!    person names are generated. Latin names need word boundaries; Korean names may carry
//!    particles (`이재명 대통령은`, `트럼프와`).
//! 2. **Title + name**: "Chief Cabinet Secretary Yoshimasa Hayashi", "Representative Kim OO",
//!    "안규백 국방부 장관": a known person is linked, an unknown one kept as written.
//! 3. **Role phrases**: "the South Korean president", "미 국무장관" resolve to whoever held the
//!    office on the document's date.
//! 4. **Coreference**: surname-only ("Kim said"), title + surname ("President Lee", "이
//!    대통령") and pronouns ("She stressed") resolve to persons of the same document, the most
//!    recent one first; failing that, a title + surname resolves through the offices held on
//!    the document's date. Anything left ambiguous is reported with its candidates, not guessed.

use std::collections::{HashMap, HashSet};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use dyad_kb::{EntryRef, Kb, Kind};
use dyad_model::{Entity, Mention, Unresolved};
use regex::Regex;
use serde::Deserialize;

/// The entity lexicon shipped with dyad.
pub const DEFAULT_LEXICON: &str = include_str!("../../../data/extract/entities.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntityLexicon {
    pub version: String,
    titles_en: Vec<String>,
    titles_ko: Vec<String>,
    surnames_ko: Vec<String>,
    not_names_ko: Vec<String>,
    particles_ko: Vec<String>,
    #[serde(default)]
    suffixes_ko: Vec<String>,
    pronouns_female: Vec<String>,
    pronouns_male: Vec<String>,
    org_suffixes_en: Vec<String>,
    not_name_words_en: Vec<String>,
    #[serde(default)]
    title_prefixes_ko: Vec<String>,
}

impl EntityLexicon {
    pub fn parse(src: &str, file: &str) -> Result<EntityLexicon, String> {
        crate::lexmatch::parse_toml(src, file)
    }
}

impl Default for EntityLexicon {
    fn default() -> Self {
        // Tested to parse (see tests), so this cannot fail at run time.
        EntityLexicon::parse(DEFAULT_LEXICON, "data/extract/entities.toml")
            .expect("the shipped entity lexicon is valid")
    }
}

/// What a gazetteer surface points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Target {
    Entry(EntryRef),
}

/// A person mentioned at a position, with their English and Korean surnames.
type PersonAt = (usize, Referent, Option<String>, Option<String>);

/// Who a span refers to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Referent {
    Kb(EntryRef),
    /// A person or organisation the knowledge base does not know, by name as written.
    New(Kind, String),
}

#[derive(Debug, Clone)]
struct Span {
    start: usize,
    end: usize,
    referent: Referent,
}

/// Recognises and links entities. Build once, use for many documents (it is `Sync`).
pub struct Linker {
    kb: Kb,
    lex: EntityLexicon,
    ci: AhoCorasick,
    ci_targets: Vec<Vec<Target>>,
    cs: AhoCorasick,
    cs_targets: Vec<Vec<Target>>,
    title_en: Regex,
    title_ko: Regex,
    surname_title_ko: Regex,
    role_en: Regex,
    role_ko: Regex,
    bare_en: Regex,
    bare_ko: Regex,
    title_after_ko: Regex,
    org_en: Regex,
    /// Title (lower case) → office ids.
    title_offices: HashMap<String, Vec<String>>,
    /// Country form (lower case) → country id.
    country_forms: HashMap<String, String>,
    particles: HashSet<String>,
    not_names_ko: HashSet<String>,
    not_name_words: HashSet<String>,
    surnames_ko: HashSet<String>,
    kb_keys: HashSet<String>,
    /// The longest key (in characters) of `not_names_ko`, `country_forms` and `kb_keys`: a
    /// run of Hangul longer than it (and than a name) is none of them.
    longest_key: usize,
}

fn is_hangul(c: char) -> bool {
    matches!(c as u32, 0xAC00..=0xD7A3 | 0x1100..=0x11FF | 0x3130..=0x318F)
}

/// Surfaces of a person's name: hyphen and spacing variants, both apostrophes.
fn variants(name: &str) -> Vec<String> {
    let mut out = vec![name.to_string()];
    if name.contains('-') {
        out.push(name.replace('-', " "));
        out.push(name.replace('-', ""));
    }
    if name.contains('\'') {
        out.push(name.replace('\'', "\u{2019}"));
    }
    out
}

fn case_sensitive(surface: &str) -> bool {
    let has_lower = surface.chars().any(|c| c.is_lowercase());
    let letters = surface.chars().filter(|c| c.is_alphabetic()).count();
    surface.is_ascii() && (!has_lower || letters <= 3)
}

fn alternation(words: &[String]) -> String {
    let mut w: Vec<&String> = words.iter().filter(|w| !w.trim().is_empty()).collect();
    w.sort_by_key(|s| std::cmp::Reverse(s.len()));
    w.dedup();
    w.iter()
        .map(|s| {
            regex::escape(s.trim())
                .replace("\\ ", r"[ \t]+")
                .replace(' ', r"[ \t]+")
        })
        .collect::<Vec<_>>()
        .join("|")
}

impl Linker {
    pub fn new(kb: Kb, lex: EntityLexicon) -> Linker {
        let mut ci_map: HashMap<String, Vec<Target>> = HashMap::new();
        let mut cs_map: HashMap<String, Vec<Target>> = HashMap::new();
        let mut kb_keys = HashSet::new();
        let mut add = |surface: &str, t: Target, kb_keys: &mut HashSet<String>| {
            let s = surface.trim();
            if s.chars().filter(|c| c.is_alphanumeric()).count() < 2 {
                return;
            }
            kb_keys.insert(s.to_lowercase());
            let map = if case_sensitive(s) {
                &mut cs_map
            } else {
                &mut ci_map
            };
            let key = if case_sensitive(s) {
                s.to_string()
            } else {
                s.to_lowercase()
            };
            let v = map.entry(key).or_default();
            if !v.contains(&t) {
                v.push(t);
            }
        };
        for r in kb.entries() {
            let n = kb.names(r);
            let t = Target::Entry(r);
            let mut forms: Vec<String> = vec![n.name.to_string(), n.native.to_string()];
            forms.extend(n.aliases.iter().cloned());
            for f in forms {
                let vs = if n.kind == Kind::Person {
                    variants(&f)
                } else {
                    vec![f.clone(), f.replace('\'', "\u{2019}")]
                };
                for v in vs {
                    add(&v, t, &mut kb_keys);
                }
            }
            if let EntryRef::Country(i) = r {
                for d in &kb.countries[i].demonyms {
                    add(d, t, &mut kb_keys);
                }
            }
        }
        let build = |map: HashMap<String, Vec<Target>>, ci: bool| {
            let mut pats: Vec<(String, Vec<Target>)> = map.into_iter().collect();
            pats.sort_by(|a, b| a.0.cmp(&b.0));
            let ac = AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .ascii_case_insensitive(ci)
                .build(pats.iter().map(|(p, _)| p))
                .expect("literal patterns always build");
            (ac, pats.into_iter().map(|(_, t)| t).collect::<Vec<_>>())
        };
        let (ci, ci_targets) = build(ci_map, true);
        let (cs, cs_targets) = build(cs_map, false);

        let mut title_offices: HashMap<String, Vec<String>> = HashMap::new();
        for o in &kb.offices {
            for t in o.en.iter().chain(o.ko.iter()) {
                title_offices
                    .entry(t.to_lowercase())
                    .or_default()
                    .push(o.id.clone());
            }
        }
        let mut country_forms = HashMap::new();
        for c in &kb.countries {
            for f in std::iter::once(&c.name)
                .chain(&c.aliases)
                .chain(&c.demonyms)
                .chain(&c.demonyms_ko)
            {
                country_forms.insert(f.to_lowercase(), c.id.clone());
            }
        }
        let office_en: Vec<String> = kb.offices.iter().flat_map(|o| o.en.clone()).collect();
        let office_ko: Vec<String> = kb.offices.iter().flat_map(|o| o.ko.clone()).collect();
        let countries_en: Vec<String> = country_forms
            .keys()
            .filter(|k| k.is_ascii())
            .cloned()
            .collect();
        let countries_ko: Vec<String> = country_forms
            .keys()
            .filter(|k| !k.is_ascii())
            .cloned()
            .collect();
        let name_tok =
            r"(?:[A-Z][a-z]+(?:-[A-Za-z][a-z]+)?|[A-Z]{2,3}(?-u:\b)|O'[A-Z][a-z]+|Mc[A-Z][a-z]+)";
        let title_en = Regex::new(&format!(
            r"(?-u:\b)(?P<title>{})[ \t]+(?P<name>{name_tok}(?:[ \t]+{name_tok}){{0,2}})",
            alternation(&lex.titles_en)
        ))
        .expect("title pattern builds from escaped words");
        let mut prefixes: Vec<String> = lex.title_prefixes_ko.clone();
        for o in &kb.orgs {
            prefixes.extend(
                std::iter::once(&o.native)
                    .chain(&o.aliases)
                    .filter(|a| !a.is_empty() && a.chars().all(|c| is_hangul(c) || c == ' '))
                    .cloned(),
            );
        }
        let prefix_alt = alternation(&prefixes);
        let title_ko = Regex::new(&format!(
            r"(?P<name>[가-힣]{{2,4}})[ \t]+(?:(?:{prefix_alt})[ \t]?){{0,2}}(?P<title>{})",
            alternation(&lex.titles_ko)
        ))
        .expect("title pattern builds from escaped words");
        let surname_title_ko = Regex::new(&format!(
            r"(?P<sur>[가-힣])\s+(?P<title>{})",
            alternation(&lex.titles_ko)
        ))
        .expect("title pattern builds from escaped words");
        let role_en = Regex::new(&format!(
            r"(?i)(?-u:\b)(?P<c>{})(?:'s|’s)?\s+(?P<o>{})(?-u:\b)",
            alternation(&countries_en),
            alternation(&office_en)
        ))
        .expect("role pattern builds from escaped words");
        let role_ko = Regex::new(&format!(
            r"(?P<c>{})\s?(?P<o>{})",
            alternation(&countries_ko),
            alternation(&office_ko)
        ))
        .expect("role pattern builds from escaped words");
        let bare_en = Regex::new(&format!(
            r"(?i)(?-u:\b)the[ \t]+(?P<o>{})(?-u:\b)",
            alternation(&office_en)
        ))
        .expect("role pattern builds from escaped words");
        let bare_ko = Regex::new(&format!(r"(?P<o>{})", alternation(&office_ko)))
            .expect("role pattern builds from escaped words");
        let title_after_ko = Regex::new(&format!(
            r"^[ \t]*(?P<former>전[ \t]*)?(?:(?:{prefix_alt})[ \t]?)??(?P<t>{})",
            alternation(&lex.titles_ko)
        ))
        .expect("title pattern builds from escaped words");
        let org_en = Regex::new(&format!(
            r"(?-u:\b)(?P<name>(?:[A-Z][A-Za-z&'’-]+[ \t]+(?:of[ \t]+|for[ \t]+|and[ \t]+|the[ \t]+)?){{1,5}}(?:{}))",
            alternation(&lex.org_suffixes_en)
        ))
        .expect("organisation pattern builds from escaped words");
        let not_names_ko: HashSet<String> = lex.not_names_ko.iter().cloned().collect();
        let longest_key = not_names_ko
            .iter()
            .chain(country_forms.keys())
            .chain(&kb_keys)
            .map(|k| k.chars().count())
            .max()
            .unwrap_or(0)
            .max(4);
        Linker {
            particles: lex.particles_ko.iter().cloned().collect(),
            not_name_words: lex.not_name_words_en.iter().cloned().collect(),
            not_names_ko,
            surnames_ko: lex.surnames_ko.iter().cloned().collect(),
            kb,
            lex,
            ci,
            ci_targets,
            cs,
            cs_targets,
            title_en,
            title_ko,
            surname_title_ko,
            role_en,
            role_ko,
            bare_en,
            bare_ko,
            title_after_ko,
            org_en,
            longest_key,
            title_offices,
            country_forms,
            kb_keys,
        }
    }

    pub fn kb(&self) -> &Kb {
        &self.kb
    }

    pub fn lexicon_version(&self) -> &str {
        &self.lex.version
    }

    fn boundary_ok(&self, text: &str, start: usize, end: usize) -> bool {
        let before = text[..start].chars().next_back();
        let after = text[end..].chars().next();
        let first = text[start..].chars().next();
        let last = text[..end].chars().next_back();
        let (Some(first), Some(last)) = (first, last) else {
            return false;
        };
        if first.is_alphanumeric()
            && !is_hangul(first)
            && before.is_some_and(|c| c.is_alphanumeric())
        {
            return false;
        }
        if is_hangul(first) && before.is_some_and(is_hangul) {
            return false;
        }
        if !is_hangul(last) {
            let glued_latin = after.is_some_and(|c| c.is_alphanumeric() && !is_hangul(c));
            let glued_hangul =
                last.is_alphanumeric() && after.is_some_and(is_hangul) && !first.is_ascii();
            return !(glued_latin || glued_hangul);
        }
        // A Korean name may carry a particle, a suffix or a title, and nothing else: 중국
        // 외교부장 is not 외교부, 한국은행 is not 한국.
        let run: String = text[end..].chars().take_while(|&c| is_hangul(c)).collect();
        if run.is_empty() {
            return true;
        }
        self.particles.contains(&run)
            || self
                .lex
                .suffixes_ko
                .iter()
                .any(|s| run.starts_with(s.as_str()))
            || self
                .lex
                .titles_ko
                .iter()
                .any(|t| run.starts_with(t.as_str()))
            || self.particles.iter().any(|p| {
                run.strip_prefix(p.as_str())
                    .is_some_and(|rest| self.particles.contains(rest))
            })
    }

    /// Finds and links the entities of a clean text. `on` is the document's date (any ISO
    /// precision) used to resolve roles; `None` means "today".
    pub fn link(&self, text: &str, on: Option<&str>) -> (Vec<Entity>, Vec<Unresolved>) {
        self.link_in(text, on, "")
    }

    /// Like [`Linker::link`], for a text in a known language (ISO 639-1).
    pub fn link_in(
        &self,
        text: &str,
        on: Option<&str>,
        lang: &str,
    ) -> (Vec<Entity>, Vec<Unresolved>) {
        let on = on.unwrap_or("");
        // Korean patterns only run on text that has Hangul in it.
        let korean = text.chars().any(is_hangul);
        let mut spans: Vec<Span> = Vec::new();
        let mut ambiguous: Vec<(usize, usize, Vec<EntryRef>)> = Vec::new();

        // 1. Gazetteer.
        let mut raw: Vec<(usize, usize, &Vec<Target>)> = Vec::new();
        for m in self.ci.find_iter(text) {
            raw.push((m.start(), m.end(), &self.ci_targets[m.pattern().as_usize()]));
        }
        for m in self.cs.find_iter(text) {
            raw.push((m.start(), m.end(), &self.cs_targets[m.pattern().as_usize()]));
        }
        raw.sort_by_key(|&(s, e, _)| (s, std::cmp::Reverse(e)));
        let mut last_end = 0;
        for (s, e, targets) in raw {
            if s < last_end || !self.boundary_ok(text, s, e) {
                continue;
            }
            last_end = e;
            let entries: Vec<EntryRef> = targets.iter().map(|Target::Entry(r)| *r).collect();
            if entries.len() == 1 {
                spans.push(Span {
                    start: s,
                    end: e,
                    referent: Referent::Kb(entries[0]),
                });
            } else {
                ambiguous.push((s, e, entries));
            }
        }
        // Spans never overlap from here to coreference (each is added only where none is), so
        // an index of them answers "is this range free?" in log time.
        let mut taken = Taken::default();
        let mut named_kb: HashSet<EntryRef> = HashSet::new();
        for sp in &spans {
            taken.insert(sp.start, sp.end);
            if let Referent::Kb(r) = sp.referent {
                named_kb.insert(r);
            }
        }
        let mut ambiguous_spans = Vec::new();

        // Ambiguous surfaces: a candidate the document names unambiguously elsewhere wins,
        // then one holding an office on the date; otherwise they stay unresolved.
        let mut unresolved = Vec::new();
        for (s, e, cands) in ambiguous {
            let named: Vec<EntryRef> = cands
                .iter()
                .copied()
                .filter(|c| named_kb.contains(c))
                .collect();
            let titled = self.by_adjacent_title(text, s, e, &cands, on);
            let pick = if named.len() == 1 {
                Some(named[0])
            } else if let Some(t) = titled {
                Some(t)
            } else {
                let active: Vec<EntryRef> = cands
                    .iter()
                    .copied()
                    .filter(|c| match c {
                        EntryRef::Person(i) => {
                            self.kb.roles_on(&self.kb.persons[*i], on).next().is_some()
                        }
                        _ => false,
                    })
                    .collect();
                (active.len() == 1).then(|| active[0])
            };
            match pick {
                Some(r) => {
                    named_kb.insert(r);
                    ambiguous_spans.push(Span {
                        start: s,
                        end: e,
                        referent: Referent::Kb(r),
                    });
                }
                None => unresolved.push(self.unresolved(text, s, e, &cands)),
            }
        }
        for sp in ambiguous_spans {
            taken.insert(sp.start, sp.end);
            spans.push(sp);
        }

        // 2. Title + name, English.
        for c in self.title_en.captures_iter(text) {
            let (Some(t), Some(n)) = (c.name("title"), c.name("name")) else {
                continue;
            };
            let (s, e) = (n.start(), n.end());
            if taken.overlaps(s, e) {
                continue;
            }
            let tokens: Vec<&str> = n.as_str().split_whitespace().collect();
            if tokens
                .first()
                .is_some_and(|w| self.not_name_words.contains(*w))
            {
                continue;
            }
            if tokens.len() == 1 {
                continue; // a title + surname: resolved with coreference below
            }
            // "Gen. Xavier Brunson Said": keep the name tokens only.
            let name = tokens.join(" ");
            if self.kb_keys.contains(&name.to_lowercase()) {
                continue;
            }
            let _ = t;
            taken.insert(s, e);
            spans.push(Span {
                start: s,
                end: e,
                referent: Referent::New(Kind::Person, name),
            });
        }
        // Title + name, Korean: known natives link; unknown three-syllable names are persons.
        for c in korean
            .then(|| self.title_ko.captures_iter(text))
            .into_iter()
            .flatten()
        {
            let Some(n) = c.name("name") else { continue };
            let (s, e) = (n.start(), n.end());
            if taken.overlaps(s, e) || text[..s].chars().next_back().is_some_and(is_hangul) {
                continue;
            }
            let name = n.as_str();
            let first: String = name.chars().take(1).collect();
            if self.not_names_ko.contains(name)
                || self.kb_keys.contains(&name.to_lowercase())
                || !self.surnames_ko.contains(&first)
                || name.chars().count() != 3
                || name.ends_with(['부', '청', '처', '실', '국', '회', '당'])
                || self
                    .lex
                    .titles_ko
                    .iter()
                    .any(|t| t.chars().count() >= 2 && name.starts_with(t.as_str()))
            {
                continue;
            }
            taken.insert(s, e);
            spans.push(Span {
                start: s,
                end: e,
                referent: Referent::New(Kind::Person, name.to_string()),
            });
        }

        // Organisations the knowledge base does not know: "X Y Foundation".
        for c in self.org_en.captures_iter(text) {
            let Some(n) = c.name("name") else { continue };
            // "The East Asia Foundation": drop leading words that never start a name.
            if text[n.end()..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric)
            {
                continue; // "Alliances": the suffix must end a word
            }
            let mut start = n.start();
            let mut name = n.as_str().trim_end();
            while let Some((first, rest)) = name.split_once(char::is_whitespace) {
                if !self.not_name_words.contains(first) {
                    break;
                }
                start += name.len() - rest.trim_start().len();
                name = rest.trim_start();
            }
            if name.split_whitespace().count() < 2
                || taken.overlaps(start, start + name.len())
                || name
                    .split_whitespace()
                    .next()
                    .is_some_and(|w| w.ends_with("ing"))
                || is_heading_span(text, start, start + name.len())
            {
                continue;
            }
            taken.insert(start, start + name.len());
            spans.push(Span {
                start,
                end: start + name.len(),
                referent: Referent::New(Kind::Organization, name.to_string()),
            });
        }

        // 3. Role phrases: "the South Korean president".
        let mut role_spans = Vec::new();
        for c in self.role_en.captures_iter(text).chain(
            korean
                .then(|| self.role_ko.captures_iter(text))
                .into_iter()
                .flatten(),
        ) {
            let (Some(cm), Some(om), Some(all)) = (c.name("c"), c.name("o"), c.get(0)) else {
                continue;
            };
            // "President Lee" / a name right after the office: the name decides, not the role.
            let rest = text[all.end()..].trim_start();
            if rest.chars().next().is_some_and(|ch| ch.is_uppercase())
                || rest.chars().next().is_some_and(is_hangul)
                    && text[all.end()..].starts_with(' ')
                    && self.starts_with_name_ko(rest)
            {
                continue;
            }
            let Some(country) = self.country_forms.get(&cm.as_str().to_lowercase()) else {
                continue;
            };
            let offices = self.offices_for(om.as_str());
            let holders: Vec<usize> = offices
                .iter()
                .flat_map(|o| self.kb.holders(o, country, on))
                .collect::<HashSet<_>>()
                .into_iter()
                .collect();
            if holders.len() == 1 {
                role_spans.push(Span {
                    start: om.start(),
                    end: om.end(),
                    referent: Referent::Kb(EntryRef::Person(holders[0])),
                });
            } else if holders.len() > 1 {
                let cands: Vec<EntryRef> = holders.into_iter().map(EntryRef::Person).collect();
                unresolved.push(self.unresolved(text, all.start(), all.end(), &cands));
            }
        }
        role_spans.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
        for r in role_spans {
            if !taken.overlaps(r.start, r.end) {
                taken.insert(r.start, r.end);
                spans.push(r);
            }
        }

        // 4. Coreference: surnames, title + surname, pronouns.
        spans.sort_by_key(|s| s.start);
        self.resolve_surnames(text, on, korean, &mut spans, &mut unresolved);
        spans.sort_by_key(|s| s.start);
        self.resolve_bare(text, on, lang, &mut spans);
        spans.sort_by_key(|s| s.start);
        self.resolve_pronouns(text, &mut spans);
        spans.sort_by_key(|s| s.start);
        (self.group(text, &spans), unresolved)
    }

    /// Bare offices ("the defense minister", "외교부 장관"): whoever held the office on the
    /// date, chosen by [`Linker::pick_holder`].
    fn resolve_bare(&self, text: &str, on: &str, lang: &str, spans: &mut Vec<Span>) {
        // Only a person already there blocks the office; "외교부" inside "외교부 장관" stays an
        // organisation mention and the office still names its minister.
        // Spans are sorted by start. With the running maximum of ends (of all spans, and of
        // persons), "a person overlaps [s, e)" and "a span contains [s, e)" are binary searches.
        let is_person = |x: &Span| {
            matches!(
                x.referent,
                Referent::Kb(EntryRef::Person(_)) | Referent::New(Kind::Person, _)
            )
        };
        let mut max_end = Vec::with_capacity(spans.len());
        let mut max_person_end = Vec::with_capacity(spans.len());
        let (mut m, mut mp) = (0usize, 0usize);
        for x in spans.iter() {
            m = m.max(x.end);
            if is_person(x) {
                mp = mp.max(x.end);
            }
            max_end.push(m);
            max_person_end.push(mp);
        }
        let covered = |spans: &[Span], s: usize, e: usize| {
            let before_e = spans.partition_point(|x| x.start < e);
            let from_s = spans.partition_point(|x| x.start <= s);
            (before_e > 0 && max_person_end[before_e - 1] > s)
                || (from_s > 0 && max_end[from_s - 1] >= e)
        };
        let near = Near::new(spans);
        let mut country_weight: HashMap<String, usize> = HashMap::new();
        for sp in spans.iter() {
            if let Some(c) = self.country_of(&sp.referent) {
                *country_weight.entry(c.to_string()).or_default() += 1;
            }
        }
        let bare: Vec<(usize, usize, String)> = self
            .bare_en
            .captures_iter(text)
            .filter_map(|c| c.name("o"))
            .chain(
                text.chars()
                    .any(is_hangul)
                    .then(|| self.bare_ko.find_iter(text))
                    .into_iter()
                    .flatten()
                    .filter(|o| self.bare_ko_ok(text, o.start())),
            )
            .map(|m| (m.start(), m.end(), m.as_str().to_string()))
            .collect();
        let mut added = Vec::new();
        for (s, e, office) in bare {
            let rest = text[e..].trim_start_matches([' ', '\t']);
            if rest.chars().next().is_some_and(|ch| ch.is_uppercase()) || covered(spans, s, e) {
                continue;
            }
            let holders: Vec<usize> = self
                .offices_for(&office)
                .iter()
                .flat_map(|o| self.kb.holders(o, "", on))
                .collect::<HashSet<_>>()
                .into_iter()
                .collect();
            if let Some(p) = self.pick_holder(&holders, &near, s, &country_weight, lang) {
                added.push(Span {
                    start: s,
                    end: e,
                    referent: Referent::Kb(EntryRef::Person(p)),
                });
            }
        }
        spans.extend(added);
    }

    fn country_of(&self, r: &Referent) -> Option<&str> {
        match r {
            Referent::Kb(EntryRef::Country(i)) => Some(&self.kb.countries[*i].id),
            Referent::Kb(EntryRef::Person(i)) => Some(&self.kb.persons[*i].country),
            _ => None,
        }
    }

    /// Who a bare office means among its holders on the date: one the document already
    /// names; else the country of the document's language; else the country it talks about
    /// clearly most. Otherwise nobody: an ambiguous office is not guessed.
    fn pick_holder(
        &self,
        holders: &[usize],
        near: &Near,
        pos: usize,
        weight: &HashMap<String, usize>,
        lang: &str,
    ) -> Option<usize> {
        match holders {
            [] => return None,
            [one] => return Some(*one),
            _ => {}
        }
        let named: Vec<usize> = holders
            .iter()
            .copied()
            .filter(|&i| near.persons.contains(&i))
            .collect();
        if named.len() == 1 {
            return Some(named[0]);
        }
        let of_lang: Vec<usize> = holders
            .iter()
            .copied()
            .filter(|&i| {
                let c = &self.kb.persons[i].country;
                self.kb
                    .countries
                    .iter()
                    .any(|k| &k.id == c && k.languages.iter().any(|l| l == lang))
            })
            .collect();
        if of_lang.len() == 1 {
            return Some(of_lang[0]);
        }
        // The nearest earlier mention of a person or country that one holder's country matches.
        // Spans ending within 600 bytes before `pos`, latest start first: a span starting
        // more than the longest span's length before that window cannot end inside it.
        let spans = near.spans;
        let from = pos.saturating_sub(600 + near.longest);
        let nearest = spans[..spans.partition_point(|sp| sp.start < pos)]
            .iter()
            .rev()
            .take_while(|sp| sp.start >= from)
            .inspect(|_| crate::budget::tick(1))
            .filter(|sp| sp.end <= pos && pos - sp.end < 600)
            .filter_map(|sp| self.country_of(&sp.referent).map(|c| (sp.start, c)))
            .find(|(_, c)| holders.iter().any(|&i| self.kb.persons[i].country == *c));
        if let Some((_, c)) = nearest {
            let of: Vec<usize> = holders
                .iter()
                .copied()
                .filter(|&i| self.kb.persons[i].country == c)
                .collect();
            if of.len() == 1 {
                return Some(of[0]);
            }
        }
        let w = |i: usize| {
            weight
                .get(&self.kb.persons[i].country)
                .copied()
                .unwrap_or(0)
        };
        let mut ranked: Vec<usize> = holders.to_vec();
        ranked.sort_by_key(|&i| std::cmp::Reverse(w(i)));
        let (first, second) = (w(ranked[0]), ranked.get(1).map_or(0, |&i| w(i)));
        (first >= 2 && first * 2 >= second * 3).then(|| ranked[0])
    }

    /// A bare Korean office stands alone: not inside a word, not after a country (a role
    /// phrase), a name or a surname (a title).
    fn bare_ko_ok(&self, text: &str, start: usize) -> bool {
        let before = &text[..start];
        if before.chars().next_back().is_some_and(is_hangul) {
            return false;
        }
        // Only the last `longest_key + 1` syllables: a longer run is no key and no name.
        let run: Vec<char> = before
            .trim_end_matches([' ', '\t'])
            .chars()
            .rev()
            .take_while(|&c| is_hangul(c))
            .take(self.longest_key + 1)
            .collect();
        crate::budget::tick(run.len());
        if run.len() > self.longest_key {
            return true;
        }
        let prev: String = run.into_iter().rev().collect();
        if prev.is_empty() || self.not_names_ko.contains(&prev) {
            return !self.country_forms.contains_key(&prev);
        }
        let first: String = prev.chars().take(1).collect();
        let n = prev.chars().count();
        let ends_in_particle = self
            .lex
            .particles_ko
            .iter()
            .any(|p| p.chars().count() >= 2 && prev.ends_with(p.as_str()));
        let starts_with_title = self
            .lex
            .titles_ko
            .iter()
            .any(|t| t.chars().count() >= 2 && prev.starts_with(t.as_str()));
        let name_like = !starts_with_title
            && self.surnames_ko.contains(&first)
            && (n == 1 || (2..=4).contains(&n) && !ends_in_particle && n != 4);
        !(name_like || self.country_forms.contains_key(&prev) || self.kb_keys.contains(&prev))
    }

    /// An ambiguous name with a title beside it ("김성환 전 외교부 장관", "Foreign Minister X"):
    /// the candidate who held that office — formerly, when the text says "former"/"전".
    fn by_adjacent_title(
        &self,
        text: &str,
        s: usize,
        e: usize,
        cands: &[EntryRef],
        on: &str,
    ) -> Option<EntryRef> {
        let (title, former) = if let Some(c) = self.title_after_ko.captures(&text[e..]) {
            (
                c.name("t").map(|t| t.as_str().to_string())?,
                c.name("former").is_some(),
            )
        } else {
            let t = self.title_before(text, s)?;
            let head = text[..s].trim_end();
            let head = &head[..head.len().saturating_sub(t.len())];
            (t, head.to_lowercase().trim_end().ends_with("former"))
        };
        let offices = self.offices_for(&title);
        let held: Vec<EntryRef> = cands
            .iter()
            .copied()
            .filter(|c| match c {
                EntryRef::Person(i) => self.kb.persons[*i]
                    .roles
                    .iter()
                    .any(|r| offices.contains(&r.office) && (former || dyad_kb::held_on(r, on))),
                _ => false,
            })
            .collect();
        (held.len() == 1).then(|| held[0])
    }

    fn starts_with_name_ko(&self, rest: &str) -> bool {
        // A name is at most four syllables: five tell a longer run.
        let run: String = rest.chars().take_while(|&c| is_hangul(c)).take(5).collect();
        let first: String = run.chars().take(1).collect();
        (2..=4).contains(&run.chars().count())
            && self.surnames_ko.contains(&first)
            && !self.not_names_ko.contains(&run)
            && self
                .lex
                .particles_ko
                .iter()
                .all(|p| !run.ends_with(p.as_str()) || run.chars().count() == 3)
    }

    fn offices_for(&self, title: &str) -> Vec<String> {
        let key = title
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        self.title_offices.get(&key).cloned().unwrap_or_default()
    }

    fn unresolved(&self, text: &str, s: usize, e: usize, cands: &[EntryRef]) -> Unresolved {
        Unresolved {
            text: text[s..e].to_string(),
            start: s,
            end: e,
            candidates: cands
                .iter()
                .map(|&c| self.kb.names(c).name.to_string())
                .collect(),
        }
    }

    fn surname_of(&self, r: &Referent) -> (Option<String>, Option<String>) {
        let Referent::Kb(EntryRef::Person(i)) = r else {
            if let Referent::New(Kind::Person, name) = r {
                let first = name.split_whitespace().next().map(str::to_string);
                if name.chars().all(is_hangul) {
                    return (None, name.chars().next().map(String::from));
                }
                return (first, None);
            }
            return (None, None);
        };
        let p = &self.kb.persons[*i];
        let east = matches!(p.country.as_str(), "KR" | "KP" | "CN" | "TW" | "VN");
        let tokens: Vec<&str> = p.name.split_whitespace().collect();
        let en = if east { tokens.first() } else { tokens.last() }.map(|s| s.to_string());
        let ko = p
            .native
            .chars()
            .next()
            .filter(|&c| is_hangul(c))
            .map(String::from);
        (en, ko)
    }

    /// "Kim said", "President Lee", "이 대통령": the most recent person of the document with
    /// that surname; else, for a title, whoever held a matching office on the date.
    fn resolve_surnames(
        &self,
        text: &str,
        on: &str,
        korean: bool,
        spans: &mut Vec<Span>,
        unresolved: &mut Vec<Unresolved>,
    ) {
        let persons: Vec<PersonAt> = spans
            .iter()
            .filter(|s| {
                matches!(
                    s.referent,
                    Referent::Kb(EntryRef::Person(_)) | Referent::New(Kind::Person, _)
                )
            })
            .map(|s| {
                let (en, ko) = self.surname_of(&s.referent);
                (s.start, s.referent.clone(), en, ko)
            })
            .collect();
        let mut added = Vec::new();
        // Persons by surname, in text order: the nearest one before a position (else the first
        // after it) is two binary searches, however many mentions the document has.
        let mut by_en: HashMap<&str, Vec<(usize, &Referent)>> = HashMap::new();
        let mut by_ko: HashMap<&str, Vec<(usize, &Referent)>> = HashMap::new();
        for p in &persons {
            if let Some(w) = p.2.as_deref() {
                by_en.entry(w).or_default().push((p.0, &p.1));
            }
            if let Some(w) = p.3.as_deref() {
                by_ko.entry(w).or_default().push((p.0, &p.1));
            }
        }
        let pick = |by: &HashMap<&str, Vec<(usize, &Referent)>>, pos: usize, w: &str| {
            crate::budget::tick(1);
            let list = by.get(w)?;
            let i = list.partition_point(|p| p.0 < pos);
            let before = i.checked_sub(1).map(|k| list[k]);
            let after = list[i..].iter().copied().find(|p| p.0 > pos);
            before.or(after).map(|p| p.1.clone())
        };
        // Spans do not overlap here (see `Taken`).
        let mut taken = Taken::default();
        for x in spans.iter() {
            taken.insert(x.start, x.end);
        }
        // English surnames (with or without a title before them).
        for m in regex_words(text) {
            let (s, e, w) = m;
            if taken.overlaps(s, e) {
                continue;
            }
            let title = self.title_before(text, s);
            if by_en.contains_key(w) {
                if let Some(r) = pick(&by_en, s, w) {
                    added.push(Span {
                        start: s,
                        end: e,
                        referent: r,
                    });
                }
                continue;
            }
            let Some(title) = title else { continue };
            let offices = self.offices_for(&title);
            if offices.is_empty() {
                continue;
            }
            let cands = self.holders_named(&offices, on, w, false);
            if cands.len() == 1 {
                added.push(Span {
                    start: s,
                    end: e,
                    referent: Referent::Kb(EntryRef::Person(cands[0])),
                });
            } else if cands.len() > 1 {
                let c: Vec<EntryRef> = cands.into_iter().map(EntryRef::Person).collect();
                unresolved.push(self.unresolved(text, s, e, &c));
            }
        }
        // Korean: surname + title ("이 대통령").
        for c in korean
            .then(|| self.surname_title_ko.captures_iter(text))
            .into_iter()
            .flatten()
        {
            let (Some(sur), Some(title)) = (c.name("sur"), c.name("title")) else {
                continue;
            };
            if text[..sur.start()]
                .chars()
                .next_back()
                .is_some_and(is_hangul)
            {
                continue;
            }
            let (s, e) = (sur.start(), sur.end());
            if taken.overlaps(s, e) {
                continue;
            }
            let w = sur.as_str();
            if let Some(r) = pick(&by_ko, s, w) {
                added.push(Span {
                    start: s,
                    end: e,
                    referent: r,
                });
                continue;
            }
            let offices = self.offices_for(title.as_str());
            let cands = self.holders_named(&offices, on, w, true);
            if cands.len() == 1 {
                added.push(Span {
                    start: s,
                    end: e,
                    referent: Referent::Kb(EntryRef::Person(cands[0])),
                });
            }
        }
        spans.extend(added);
    }

    /// Holders of any of `offices` on the date whose surname is `w` (Korean surname when
    /// `korean`, else the English one).
    fn holders_named(&self, offices: &[String], on: &str, w: &str, korean: bool) -> Vec<usize> {
        offices
            .iter()
            .flat_map(|o| self.kb.holders(o, "", on))
            .filter(|&i| {
                let (en, ko) = self.surname_of(&Referent::Kb(EntryRef::Person(i)));
                (if korean { ko } else { en }).as_deref() == Some(w)
            })
            .collect::<HashSet<_>>()
            .into_iter()
            .collect()
    }

    /// The title word(s) right before a position, if any ("President", "Foreign Minister").
    fn title_before(&self, text: &str, pos: usize) -> Option<String> {
        let head = text[..pos].trim_end();
        let mut best: Option<&String> = None;
        for t in &self.lex.titles_en {
            if head.ends_with(t.as_str())
                && head[..head.len() - t.len()]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !c.is_alphanumeric())
                && best.is_none_or(|b| t.len() > b.len())
            {
                best = Some(t);
            }
        }
        best.cloned()
    }

    fn resolve_pronouns(&self, text: &str, spans: &mut Vec<Span>) {
        let gender_of = |r: &Referent| match r {
            Referent::Kb(EntryRef::Person(i)) => self.kb.persons[*i].gender.clone(),
            _ => String::new(),
        };
        // Known persons in text order (spans are sorted by start): the searches below walk back
        // from the pronoun over these only.
        let persons: Vec<&Span> = spans
            .iter()
            .filter(|x| matches!(x.referent, Referent::Kb(EntryRef::Person(_))))
            .collect();
        let longest = persons.iter().map(|x| x.end - x.start).max().unwrap_or(0);
        let mut added = Vec::new();
        for (list, gender) in [
            (&self.lex.pronouns_female, "female"),
            (&self.lex.pronouns_male, "male"),
        ] {
            for p in list {
                for (s, _) in text.match_indices(p.as_str()) {
                    let e = s + p.len();
                    let before_ok = text[..s]
                        .chars()
                        .next_back()
                        .is_none_or(|c| !c.is_alphanumeric());
                    let after_ok = p.chars().all(is_hangul)
                        || text[e..]
                            .chars()
                            .next()
                            .is_none_or(|c| !c.is_alphanumeric());
                    if !before_ok || !after_ok {
                        continue;
                    }
                    // The last person before it, if of that gender.
                    let upto = &persons[..persons.partition_point(|x| x.start < s)];
                    let last = upto
                        .iter()
                        .rev()
                        .inspect(|_| crate::budget::tick(1))
                        .find(|x| x.end <= s);
                    let Some(x) = last else { continue };
                    // When the text says "she" but the knowledge base disagrees or does not
                    // know, and nobody of that gender was mentioned nearby, the person just
                    // mentioned is meant.
                    // Only known persons have a gender; one ending within 400 bytes starts
                    // within 400 plus the longest span.
                    let nearby_match = upto
                        .iter()
                        .rev()
                        .take_while(|y| y.start + longest + 400 > s)
                        .inspect(|_| crate::budget::tick(1))
                        .any(|y| y.end <= s && s - y.end < 400 && gender_of(&y.referent) == gender);
                    if gender_of(&x.referent) == gender || (!nearby_match && s - x.end < 500) {
                        added.push(Span {
                            start: s,
                            end: e,
                            referent: x.referent.clone(),
                        });
                    }
                }
            }
        }
        spans.extend(added);
    }

    /// "The Japanese government" is Japan acting: a `Government of X` entry stands for its
    /// country, as event coding treats government actors.
    fn as_actor(&self, r: &Referent) -> Referent {
        if let Referent::Kb(EntryRef::Org(i)) = r {
            let o = &self.kb.orgs[*i];
            if o.kind == "government"
                && o.name.starts_with("Government of")
                && let Some(c) = self.kb.get(&o.country)
            {
                return Referent::Kb(c);
            }
        }
        r.clone()
    }

    fn group(&self, text: &str, spans: &[Span]) -> Vec<Entity> {
        let spans: Vec<Span> = spans
            .iter()
            .map(|s| Span {
                start: s.start,
                end: s.end,
                referent: self.as_actor(&s.referent),
            })
            .collect();
        let mut order: Vec<Referent> = Vec::new();
        let mut by: HashMap<Referent, Vec<Mention>> = HashMap::new();
        for s in &spans {
            if !by.contains_key(&s.referent) {
                order.push(s.referent.clone());
            }
            by.entry(s.referent.clone()).or_default().push(Mention {
                start: s.start,
                end: s.end,
                text: text[s.start..s.end].to_string(),
            });
        }
        order
            .into_iter()
            .map(|r| {
                let mut mentions = by.remove(&r).unwrap_or_default();
                mentions.sort_by_key(|m| m.start);
                match &r {
                    Referent::Kb(e) => {
                        let n = self.kb.names(*e);
                        let mut aliases: Vec<String> = Vec::new();
                        if !n.native.is_empty() {
                            aliases.push(n.native.to_string());
                        }
                        aliases.extend(n.aliases.iter().cloned());
                        Entity {
                            name: n.name.to_string(),
                            kind: n.kind.as_str().to_string(),
                            id: Some(n.id.to_string()),
                            aliases,
                            mentions,
                        }
                    }
                    Referent::New(kind, name) => Entity {
                        name: name.clone(),
                        kind: kind.as_str().to_string(),
                        id: None,
                        aliases: Vec::new(),
                        mentions,
                    },
                }
            })
            .collect()
    }
}

/// Ranges taken by spans that never overlap, start → end: a new range overlaps one iff it
/// overlaps the last span starting before the new range ends.
#[derive(Default)]
struct Taken(std::collections::BTreeMap<usize, usize>);

impl Taken {
    fn overlaps(&self, s: usize, e: usize) -> bool {
        crate::budget::tick(1);
        self.0
            .range(..e)
            .next_back()
            .is_some_and(|(_, &end)| s < end)
    }

    fn insert(&mut self, s: usize, e: usize) {
        self.0.insert(s, e);
    }
}

/// Spans sorted by start, with what the nearest-mention searches of bare offices need.
struct Near<'s> {
    spans: &'s [Span],
    /// The longest span, in bytes: how far before a window a span can start and still end in it.
    longest: usize,
    /// Known persons the document names.
    persons: HashSet<usize>,
}

impl<'s> Near<'s> {
    fn new(spans: &'s [Span]) -> Near<'s> {
        Near {
            spans,
            longest: spans.iter().map(|x| x.end - x.start).max().unwrap_or(0),
            persons: spans
                .iter()
                .filter_map(|x| match x.referent {
                    Referent::Kb(EntryRef::Person(i)) => Some(i),
                    _ => None,
                })
                .collect(),
        }
    }
}

/// Whether a span makes up most of a short line without sentence punctuation: a heading
/// ("Regional Security Dynamics"), where capitalised words are not names.
fn is_heading_span(text: &str, start: usize, end: usize) -> bool {
    // A heading line is at most 10/6 of the span, so the search for its ends looks only that
    // far (plus slack for surrounding spaces): a longer line is no heading, and a line of a
    // megabyte is not rescanned at every match in it.
    let reach = (end - start) * 2 + 256;
    let lo = crate::lexmatch::floor(text, start.saturating_sub(reach));
    let hi = crate::lexmatch::floor(text, end.saturating_add(reach));
    let line_start = match text[lo..start].rfind('\n') {
        Some(i) => lo + i + 1,
        None if lo == 0 => 0,
        None => return false,
    };
    let line_end = match text[end..hi].find('\n') {
        Some(i) => end + i,
        None if hi == text.len() => text.len(),
        None => return false,
    };
    let line = text[line_start..line_end].trim();
    !line.is_empty()
        && (end - start) * 10 >= line.len() * 6
        && !line.ends_with(['.', '!', '?', '"', '”'])
}

/// Capitalised Latin words with their byte ranges.
fn regex_words(text: &str) -> Vec<(usize, usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        let word_char = c.is_ascii_alphabetic() || c == '-';
        match (start, word_char) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                push_word(text, s, i, &mut out);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        push_word(text, s, text.len(), &mut out);
    }
    out
}

fn push_word<'a>(text: &'a str, s: usize, e: usize, out: &mut Vec<(usize, usize, &'a str)>) {
    let w = &text[s..e];
    let before_ok = text[..s]
        .chars()
        .next_back()
        .is_none_or(|c| !c.is_alphanumeric());
    if before_ok && w.chars().next().is_some_and(|c| c.is_ascii_uppercase()) && w.len() >= 2 {
        out.push((s, e, w));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KB: &str = r#"
version = "test"
[[country]]
id = "US"
name = "United States"
native = "미국"
aliases = ["US", "U.S.", "America", "미국"]
demonyms = ["American", "U.S."]
demonyms_ko = ["미국", "미"]
[[country]]
id = "KR"
name = "South Korea"
native = "대한민국"
aliases = ["ROK", "Korea", "한국"]
demonyms = ["South Korean"]
demonyms_ko = ["한국"]
[[office]]
id = "president"
en = ["president"]
ko = ["대통령"]
[[office]]
id = "ambassador"
en = ["ambassador"]
ko = ["대사"]
[[office]]
id = "vice-foreign-minister"
en = ["vice foreign minister", "first vice foreign minister"]
ko = ["외교부 1차관"]
[[person]]
id = "yoon"
name = "Yoon Suk Yeol"
native = "윤석열"
gender = "male"
country = "KR"
[[person.roles]]
office = "president"
country = "KR"
from = "2022-05-10"
to = "2025-04-04"
[[person]]
id = "lee-jae-myung"
name = "Lee Jae-myung"
native = "이재명"
gender = "male"
country = "KR"
[[person.roles]]
office = "president"
country = "KR"
from = "2025-06-04"
[[person]]
id = "lee-myung-bak"
name = "Lee Myung-bak"
native = "이명박"
gender = "male"
country = "KR"
[[person.roles]]
office = "president"
country = "KR"
from = "2008-02-25"
to = "2013-02-24"
[[person]]
id = "trump"
name = "Donald Trump"
native = "도널드 트럼프"
aliases = ["트럼프", "Donald J. Trump"]
gender = "male"
country = "US"
[[person.roles]]
office = "president"
country = "US"
from = "2025-01-20"
[[person]]
id = "kevin-kim"
name = "Kevin Kim"
gender = "male"
country = "US"
[[person]]
id = "kim-sung-hwan"
name = "Kim Sung-hwan"
native = "김성환"
gender = "male"
country = "KR"
[[person]]
id = "park-yoon-joo"
name = "Park Yoon-joo"
native = "박윤주"
gender = "female"
country = "KR"
[[person.roles]]
office = "vice-foreign-minister"
country = "KR"
from = "2025-06"
"#;

    fn linker() -> Linker {
        let kb = Kb::from_sources(&[("kb.toml".into(), KB.into())]).expect("test kb");
        Linker::new(kb, EntityLexicon::default())
    }

    fn names(ents: &[Entity]) -> Vec<String> {
        ents.iter().map(|e| e.name.clone()).collect()
    }

    fn mentions_of<'a>(ents: &'a [Entity], name: &str) -> Vec<&'a str> {
        ents.iter()
            .find(|e| e.name == name)
            .map(|e| e.mentions.iter().map(|m| m.text.as_str()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn surnames_follow_the_most_recent_person() {
        let text = "Acting US Ambassador Kevin Kim spoke first. Kim said the alliance was strong. \
                    Kim Sung-hwan, a former minister, said lawmakers matter. Kim added that trade matters.";
        let (ents, _) = linker().link(text, Some("2025-11-01"));
        assert_eq!(
            names(&ents),
            ["United States", "Kevin Kim", "Kim Sung-hwan"]
        );
        assert_eq!(mentions_of(&ents, "Kevin Kim"), ["Kevin Kim", "Kim"]);
        assert_eq!(
            mentions_of(&ents, "Kim Sung-hwan"),
            ["Kim Sung-hwan", "Kim"]
        );
    }

    #[test]
    fn roles_resolve_by_date_and_never_to_the_wrong_president() {
        let l = linker();
        let text = "The South Korean president met business leaders on Friday.";
        let (ents, _) = l.link(text, Some("2024-03-15"));
        assert_eq!(names(&ents), ["South Korea", "Yoon Suk Yeol"]);
        let (ents, _) = l.link(text, Some("2025-11-20"));
        assert_eq!(names(&ents), ["South Korea", "Lee Jae-myung"]);
        // "President Lee" in 2024: no president named Lee held office; nothing is guessed.
        let (ents, _) = l.link("President Lee spoke.", Some("2024-03-15"));
        assert!(names(&ents).is_empty(), "{:?}", names(&ents));
        let (ents, _) = l.link("President Lee spoke.", Some("2025-09-01"));
        assert_eq!(names(&ents), ["Lee Jae-myung"]);
    }

    #[test]
    fn korean_names_carry_particles_and_titles() {
        let text = "이재명 대통령은 트럼프와 회담했다. 이 대통령은 미국 측과 협의를 이어가겠다고 밝혔다. 박지훈 국방부 대변인이 브리핑했다.";
        let (ents, _) = linker().link(text, Some("2025-10-29"));
        assert_eq!(
            names(&ents),
            ["Lee Jae-myung", "Donald Trump", "United States", "박지훈"]
        );
        assert_eq!(mentions_of(&ents, "Lee Jae-myung"), ["이재명", "이"]);
    }

    #[test]
    fn acronyms_are_case_sensitive_and_pronouns_follow_gender() {
        let text = "Let us talk. First Vice Foreign Minister Park Yoon-joo met U.S. officials. She stressed communication.";
        let (ents, _) = linker().link(text, Some("2025-11-01"));
        assert_eq!(names(&ents), ["Park Yoon-joo", "United States"]);
        assert_eq!(
            mentions_of(&ents, "Park Yoon-joo"),
            ["Park Yoon-joo", "She"]
        );
    }

    #[test]
    fn unknown_people_with_titles_and_unknown_organisations() {
        let text = "Representative Kim OO said the talks helped. The East Asia Foundation hosted the forum. Chief Cabinet Secretary Yoshimasa Hayashi welcomed it.";
        let (ents, _) = linker().link(text, None);
        assert_eq!(
            names(&ents),
            ["Kim OO", "East Asia Foundation", "Yoshimasa Hayashi"]
        );
        assert_eq!(ents[1].kind, "organization");
        assert!(ents[0].id.is_none());
    }

    #[test]
    fn a_bare_office_nobody_held_that_day_is_left_alone() {
        let (ents, _) = linker().link(
            "The president spoke. The ambassador left.",
            Some("1900-01-01"),
        );
        assert!(ents.is_empty());
        let (ents, _) = linker().link("Yoon met voters. The president spoke.", Some("2024-03-01"));
        assert_eq!(
            mentions_of(&ents, "Yoon Suk Yeol"),
            ["president"],
            "a lone surname stays unresolved"
        );
    }

    #[test]
    fn spacing_and_hyphen_variants_link() {
        let (ents, _) = linker().link("Lee Jae Myung and LEE JAEMYUNG met Donald J. Trump.", None);
        assert_eq!(names(&ents), ["Lee Jae-myung", "Donald Trump"]);
        assert_eq!(ents[0].mentions.len(), 2);
    }

    #[test]
    fn offsets_point_into_the_text() {
        let text = "미국과 한국은 경주에서 만났다. Donald Trump met 이재명.";
        let (ents, _) = linker().link(text, None);
        for e in &ents {
            for m in &e.mentions {
                assert_eq!(&text[m.start..m.end], m.text);
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_offsets_are_valid(s in "\\PC{0,200}") {
            let l = linker();
            let (ents, unresolved) = l.link(&s, Some("2025-01-01"));
            for m in ents.iter().flat_map(|e| &e.mentions) {
                proptest::prop_assert_eq!(&s[m.start..m.end], m.text.as_str());
            }
            for u in unresolved {
                proptest::prop_assert_eq!(&s[u.start..u.end], u.text.as_str());
            }
        }
    }
}
