//! Quotes in English read from the dependency tree (the layer's), in an open world.
//!
//! - A speech predicate is a verb of the lexicon (`cues_en`, `cues_en_that`); its speaker is
//!   its subject (or the subject of the verb it hangs from: "..., adding that ...").
//! - Reported content is the predicate's clausal complement, without "that" and without the
//!   audience and time phrases beside it ("told reporters on Monday that ...").
//! - A quotation is attributed to the speech predicate outside it in the sentence that closes
//!   it, else in the one that opens it, else continues the quote just before it.
//! - "according to X" makes X the speaker of the rest of the sentence.
//! - A speaker the knowledge base knows takes its entry's name; one it does not know keeps the
//!   name as written, its surname completed from the document ("Smith" → "John Smith"), and
//!   becomes an entity of its own. Pronouns ("he said") take the last person named. Subjects
//!   that name nobody ("officials said") leave the speaker `null`.

use std::collections::{HashMap, HashSet};

use dyad_model::{Entity, Mention, Quote};
use dyad_syntax::Upos;

use crate::budget::Clock;
use crate::layer::{Layer, Tree};
use crate::quotes::{QuoteLexicon, inside};

/// How far back (bytes) a pronoun looks for the last speaker before settling for the last
/// person named.
const PRONOUN_REACH: usize = 1500;

/// How far after a quotation its attribution's verb may start, in bytes
/// ("...," presidential policy chief Kim Yong-beom told reporters).
const AFTER_REACH: usize = 120;

/// Who said something.
#[derive(Debug, Clone, PartialEq)]
struct Who {
    name: String,
    kind: &'static str,
    /// The surface that named them here, for the open-world entity's mentions.
    start: usize,
    end: usize,
    known: bool,
}

/// A speech predicate found in a sentence.
#[derive(Debug, Clone)]
struct Attribution {
    /// Byte offsets of the predicate.
    verb: (usize, usize),
    cue: String,
    /// Where its subject is, if it has one.
    subject: Option<usize>,
    /// `None`: the subject names nobody (or there is none).
    speaker: Option<Who>,
    /// The reported clause, byte offsets.
    content: Option<(usize, usize)>,
}

/// A knowledge-base mention, flattened.
type Known<'a> = crate::quotes::M<'a>;

pub(crate) struct Speech<'l> {
    strong: HashSet<&'l str>,
    weak: HashSet<&'l str>,
    bare: HashSet<&'l str>,
    /// Cues of several words, as words.
    phrases: Vec<Vec<&'l str>>,
    titles: HashSet<&'l str>,
    org_words: HashSet<&'l str>,
    stop: HashSet<&'l str>,
    particles: HashSet<&'l str>,
    /// The document's capitalised words seen away from a sentence's start (set by `find`).
    capitalised: std::cell::RefCell<HashSet<String>>,
    min_words: usize,
    min_words_cued: usize,
}

impl<'l> Speech<'l> {
    pub fn new(lex: &'l QuoteLexicon) -> Speech<'l> {
        let set = |v: &'l [String]| v.iter().map(String::as_str).collect::<HashSet<_>>();
        Speech {
            strong: set(&lex.cues_en),
            weak: set(&lex.cues_en_that),
            bare: set(&lex.cues_en_bare),
            phrases: lex
                .cues_en
                .iter()
                .chain(&lex.cues_en_that)
                .filter(|c| c.contains(' '))
                .map(|c| c.split_whitespace().collect())
                .collect(),
            titles: set(&lex.titles_en),
            org_words: set(&lex.org_words_en),
            stop: set(&lex.name_stopwords_en),
            particles: set(&lex.name_particles_en),
            capitalised: Default::default(),
            min_words: lex.min_words,
            min_words_cued: lex.min_words_cued,
        }
    }

    /// The quotes of an English document and the speakers the knowledge base does not know,
    /// as entities. `quoted` are the spans inside quotation marks (sorted).
    pub fn find(
        &self,
        layer: &Layer,
        quoted: &[(usize, usize)],
        entities: &[Entity],
        clock: &Clock,
    ) -> (Vec<Quote>, Vec<Entity>) {
        let text = layer.text;
        let known = crate::quotes::flat_mentions(entities);
        let (full, named) = self.full_names(layer);
        let mut ctx = Context {
            known: &known,
            full: &full,
            persons: Vec::new(),
            bodies: Vec::new(),
        };
        *self.capitalised.borrow_mut() = capitalised_inside(layer);
        // Persons the document names in full, and those the knowledge base names, for
        // pronouns.
        for (at, name) in named {
            if !inside(quoted, at) {
                ctx.persons.push((at, name, false));
            }
        }
        for k in &known {
            if k.kind == "person" && !inside(quoted, k.start) {
                ctx.persons.push((k.start, k.name.to_string(), false));
            }
        }
        ctx.persons.sort_by_key(|p| p.0);
        let mut attributions: Vec<Vec<Attribution>> = vec![Vec::new(); layer.sentences.len()];
        for (s, found) in attributions.iter_mut().enumerate() {
            if s % 32 == 0 && clock.expired() {
                break;
            }
            let toks = layer.tokens_of(s);
            // Only a sentence with a speech cue is parsed: a quotation without one takes its
            // speaker from a sentence that has one.
            let has_cue = toks.iter().any(|t| {
                let w = t.form.to_lowercase();
                self.strong.contains(w.as_str())
                    || self.weak.contains(w.as_str())
                    || self.phrases.iter().any(|p| p.first() == Some(&w.as_str()))
                    || w == "according"
            });
            if !has_cue {
                continue;
            }
            let tree = layer.tree(s);
            // Subjects of this sentence name people for later pronouns.
            for i in 0..toks.len() {
                if tree.rel(i) == "nsubj"
                    && self.name_token(toks, tree, i)
                    && !inside(quoted, toks[i].start)
                    && let Some(w) = self.name_at(layer, s, tree, i, &ctx)
                    && w.kind == "person"
                {
                    ctx.persons.push((w.start, w.name, false));
                }
            }
            ctx.persons.sort_by_key(|p| p.0);
            for i in 0..toks.len() {
                let lower = toks[i].form.to_lowercase();
                // A cue of several words ("pointed out", "took a firm stance") is read at its
                // first word.
                let phrase = self.phrases.iter().find(|p| {
                    p.len() <= toks.len() - i
                        && p.iter()
                            .zip(&toks[i..])
                            .all(|(w, t)| t.form.eq_ignore_ascii_case(w))
                });
                let weak = self.weak.contains(lower.as_str()) || phrase.is_some();
                if !(weak || self.strong.contains(lower.as_str())) {
                    continue;
                }
                let cue = match phrase {
                    Some(p) => p.join(" "),
                    None => toks[i].form.clone(),
                };
                // A speech verb: tagged as one, or a cue word right after a name or pronoun.
                let verbal = matches!(tree.upos[i], Upos::Verb | Upos::Aux)
                    || (i > 0 && matches!(tree.upos[i - 1], Upos::Propn | Upos::Pron));
                if !verbal || inside(quoted, toks[i].start) {
                    continue;
                }
                let content = complement(tree, i)
                    .and_then(|c| clause_span(layer, s, tree, c))
                    .or_else(|| after_that(layer, s, tree, i, self.bare.contains(lower.as_str())));
                // The tree's subject when it is a name, a pronoun or a role the knowledge base
                // resolved ("the minister"); else a name the positions give ("Jo Min-ho, a
                // first-term lawmaker, said"), the tree's common noun last.
                let by_tree = subject(tree, i).filter(|&h| !inside(quoted, toks[h].start));
                let direct = |h: usize| {
                    self.name_token(toks, tree, h)
                        || tree.upos[h] == Upos::Pron
                        || known_at(&known, toks[h].start).is_some()
                };
                // A name right before the verb (or its appositive) outranks the tree, whose
                // long-distance subjects are its weakest arcs.
                let by_position = self.subject_by_position(toks, tree, i);
                let head = match (by_position, by_tree) {
                    (Some(p), _) if p < i => Some(p),
                    (_, Some(h)) if direct(h) => Some(h),
                    (p, t) => p.or(t),
                };
                // The reported clause never holds its own speaker ("..., said Juan Perez,
                // senior trader at Tempus").
                // And one that starts with a name is a clause only with a verb ("said Amnesty
                // International on Tuesday" names the speaker, it reports nothing).
                let content = content.filter(|&(cs, ce)| {
                    let starts_with_name = toks
                        .iter()
                        .position(|t| t.start >= cs)
                        .is_some_and(|k| tree.upos[k] == Upos::Propn);
                    head.is_none_or(|h| !(cs <= toks[h].start && toks[h].start < ce))
                        && (!starts_with_name || has_predicate(toks, tree, cs, ce))
                });
                let speaker = head.and_then(|h| self.speaker(layer, s, tree, h, &ctx));
                if let Some(w) = &speaker {
                    let list = if w.kind == "person" {
                        &mut ctx.persons
                    } else {
                        &mut ctx.bodies
                    };
                    list.push((toks[i].start, w.name.clone(), true));
                    list.sort_by_key(|p| p.0);
                }
                found.push(Attribution {
                    verb: (toks[i].start, toks[i].end),
                    cue,
                    subject: head.map(|h| toks[h].start),
                    speaker,
                    // A verb that needs "that" ("noted") speaks through a complement (this)
                    // or a quotation (matched below); as a bare verb it says nothing.
                    content,
                });
            }
            if let Some(a) = self.according(layer, s, tree, &ctx) {
                found.push(a);
            }
        }
        let mut out = Vec::new();
        // Direct quotes.
        let mut last: Option<(usize, Option<Who>)> = None;
        for &(qs, qe) in quoted {
            let content = &text[qs..qe];
            let words = content.split_whitespace().count();
            let first = layer.sentence_at(qs);
            let end_s = layer.sentence_at(qe.saturating_sub(1)).or(first);
            // The attribution right after the quote (in the sentence closing it), then the
            // nearest before it (in the sentence opening it); its subject outside quotation
            // marks ("...," Kim said / Kim said: "...").
            let outside = |a: &&Attribution| a.subject.is_some_and(|p| !inside(quoted, p));
            let mut found: Option<&Attribution> = None;
            if let Some(e) = end_s {
                found = attributions[e]
                    .iter()
                    .filter(|a| a.verb.0 >= qe && a.verb.0 - qe <= AFTER_REACH)
                    .filter(|a| !quoted.iter().any(|&(s2, _)| s2 > qe && s2 < a.verb.0))
                    .filter(outside)
                    .min_by_key(|a| a.verb.0 - qe);
            }
            if found.is_none()
                && let Some(f) = first
            {
                found = attributions[f]
                    .iter()
                    .filter(|a| a.verb.1 <= qs)
                    .filter(outside)
                    .min_by_key(|a| qs - a.verb.1);
            }
            let (speaker, cue) = match found {
                Some(_) if words < self.min_words_cued => continue, // a term, even with a cue
                Some(a) => (a.speaker.clone(), Some(a.cue.clone())),
                None => {
                    // A quote running on from the one just before ("...," he said. "...").
                    let prev = last
                        .as_ref()
                        .filter(|(end, _)| qs.saturating_sub(*end) < 400)
                        .and_then(|(_, w)| w.clone());
                    if words < self.min_words || title_case(content) {
                        continue; // a term, a title or a slogan in quotation marks
                    }
                    (prev, None)
                }
            };
            last = Some((qe, speaker.clone()));
            out.push((
                Quote {
                    speaker: speaker.as_ref().map(|w| w.name.clone()),
                    text: content.to_string(),
                    direct: true,
                    cue,
                    start: qs,
                    end: qe,
                    tone: None,
                },
                speaker,
            ));
        }
        // Reported speech: a complement outside quotation marks.
        for a in attributions.iter().flatten() {
            let Some((cs, ce)) = a.content else { continue };
            let overlaps_quote = quoted
                .get(quoted.partition_point(|&(_, e)| e <= cs))
                .is_some_and(|&(qs, _)| qs < ce);
            if overlaps_quote {
                continue;
            }
            let body = &text[cs..ce];
            if body.split_whitespace().count() < self.min_words {
                continue;
            }
            out.push((
                Quote {
                    speaker: a.speaker.as_ref().map(|w| w.name.clone()),
                    text: body.to_string(),
                    direct: false,
                    cue: Some(a.cue.clone()),
                    start: cs,
                    end: ce,
                    tone: None,
                },
                a.speaker.clone(),
            ));
        }
        out.sort_by_key(|(q, _)| q.start);
        // Open-world speakers become entities.
        let mut open: Vec<Entity> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for (_, w) in &out {
            let Some(w) = w.as_ref().filter(|w| !w.known) else {
                continue;
            };
            let k = *index.entry(w.name.clone()).or_insert_with(|| {
                open.push(Entity {
                    name: w.name.clone(),
                    kind: w.kind.to_string(),
                    id: None,
                    aliases: Vec::new(),
                    mentions: Vec::new(),
                });
                open.len() - 1
            });
            let surface = &text[w.start..w.end];
            let e = &mut open[k];
            if surface != e.name && !e.aliases.iter().any(|a| a == surface) {
                e.aliases.push(surface.to_string());
            }
            if !e.mentions.iter().any(|m| m.start == w.start) {
                e.mentions.push(Mention {
                    start: w.start,
                    end: w.end,
                    text: surface.to_string(),
                });
            }
        }
        (out.into_iter().map(|(q, _)| q).collect(), open)
    }

    /// "according to X": X speaks the rest of the sentence.
    fn according(
        &self,
        layer: &Layer,
        s: usize,
        tree: &Tree,
        ctx: &Context,
    ) -> Option<Attribution> {
        let toks = layer.tokens_of(s);
        let i = toks
            .iter()
            .position(|t| t.form.eq_ignore_ascii_case("according"))?;
        if !toks.get(i + 1)?.form.eq_ignore_ascii_case("to") {
            return None;
        }
        // The phrase's head: the first noun or name after "to", up to a comma.
        let mut j = i + 2;
        let mut head = None;
        while j < toks.len() && toks[j].form != "," {
            if matches!(tree.upos[j], Upos::Propn | Upos::Noun | Upos::Pron) {
                head = Some(j);
                if tree.upos[j] == Upos::Propn {
                    break;
                }
            }
            j += 1;
        }
        let h = head?;
        let speaker = self.speaker(layer, s, tree, h, ctx);
        // The phrase ends at the comma after it, or the sentence's end.
        let phrase_end = (h..toks.len())
            .find(|&k| toks[k].form == ",")
            .unwrap_or(toks.len());
        let sent = &layer.sentences[s];
        let content = if i == 0 {
            let from = toks.get(phrase_end + 1)?.start;
            (from, trim_end(layer.text, from, sent.end))
        } else {
            let to = toks[i].start;
            (sent.start, trim_end(layer.text, sent.start, to))
        };
        (content.1 > content.0 && has_predicate(toks, tree, content.0, content.1)).then_some(
            Attribution {
                verb: (toks[i].start, toks[i + 1].end),
                cue: "according to".into(),
                subject: Some(toks[h].start),
                speaker,
                content: Some(content),
            },
        )
    }

    /// The speaker a subject token names: a name in the subject phrase (the knowledge base's
    /// entry when it knows it), the last person for "he"/"she", else nobody.
    fn speaker(
        &self,
        layer: &Layer,
        s: usize,
        tree: &Tree,
        h: usize,
        ctx: &Context,
    ) -> Option<Who> {
        let toks = layer.tokens_of(s);
        if tree.upos[h] == Upos::Pron {
            let w = toks[h].form.to_lowercase();
            let at = toks[h].start;
            // "he"/"she": the last person who spoke, if they spoke lately, else the last
            // person named; "it"/"they": the last organisation that spoke lately.
            let (list, kind, fallback) = match w.as_str() {
                "he" | "she" => (&ctx.persons, "person", true),
                "it" | "they" => (&ctx.bodies, "organization", false),
                _ => return None,
            };
            let before = &list[..list.partition_point(|p| p.0 < at)];
            let recent_speaker = before
                .iter()
                .rev()
                .take_while(|p| at - p.0 <= PRONOUN_REACH)
                .find(|p| p.2);
            let (_, name, _) = match recent_speaker {
                Some(p) => p,
                None if fallback => before.last()?,
                None => return None,
            };
            // A pronoun adds no mention to the entity it stands for.
            return Some(Who {
                name: name.clone(),
                kind,
                start: toks[h].start,
                end: toks[h].end,
                known: true,
            });
        }
        self.name_at(layer, s, tree, h, ctx)
    }

    /// Whether token `i` belongs to a name: tagged as a proper noun, or capitalised and not a
    /// function word, or a piece joined to one without a space ("Yoon-joo").
    fn name_token(&self, toks: &[dyad_syntax::Token], tree: &Tree, i: usize) -> bool {
        let f = toks[i].form.as_str();
        if !f.chars().next().is_some_and(char::is_alphabetic) {
            return false;
        }
        // Capitalised at a sentence's start says nothing by itself: there the tag decides,
        // or the same word capitalised elsewhere in the document ("Volker said ...").
        let capital = f.chars().next().is_some_and(char::is_uppercase)
            && !self.stop.contains(f.to_lowercase().as_str());
        let own = tree.upos[i] == Upos::Propn
            || (capital && (i > 0 || self.capitalised.borrow().contains(f)));
        // The second half of a hyphenated name, whatever its tag ("Jae-myung").
        own || (i >= 2
            && toks[i - 1].form == "-"
            && !toks[i - 1].space_after
            && !toks[i - 2].space_after
            && self.name_token(toks, tree, i - 2))
    }

    /// The run of name tokens around `h`, with pieces joined without spaces.
    fn run_around(&self, toks: &[dyad_syntax::Token], tree: &Tree, h: usize) -> (usize, usize) {
        let glued = |k: usize| k + 1 < toks.len() && !toks[k].space_after;
        let mut a = h;
        while a > 0
            && (self.name_token(toks, tree, a - 1)
                || (glued(a - 1) && a >= 2 && glued(a - 2) && toks[a - 1].form == "-"))
        {
            a -= 1;
        }
        let mut b = h + 1;
        while b < toks.len() {
            if self.name_token(toks, tree, b) {
                b += 1;
            } else if matches!(toks[b].form.as_str(), "of" | "for")
                && b + 1 < toks.len()
                && self.name_token(toks, tree, b + 1)
                && self.org_like(
                    &toks[a..b]
                        .iter()
                        .map(|t| t.form.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                )
            {
                // "Department of Defense", "Bank of Korea".
                b += 2;
            } else if glued(b - 1)
                && toks[b].form == "-"
                && glued(b)
                && toks
                    .get(b + 1)
                    .is_some_and(|t| t.form.chars().next().is_some_and(char::is_alphabetic))
            {
                b += 2;
            } else {
                break;
            }
        }
        (a, b)
    }

    /// The subject of the speech verb at `i` read from positions, when the tree gives none:
    /// a name or pronoun right before it (maybe with an appositive between commas, or an
    /// adverb), else a name right after it ("..., said Kim").
    fn subject_by_position(
        &self,
        toks: &[dyad_syntax::Token],
        tree: &Tree,
        i: usize,
    ) -> Option<usize> {
        let usable = |k: usize| {
            self.name_token(toks, tree, k)
                || matches!(toks[k].form.to_lowercase().as_str(), "he" | "she")
        };
        let mut k = i.checked_sub(1)?;
        if tree.upos[k] == Upos::Adv && k > 0 {
            k -= 1;
        }
        if usable(k) {
            return Some(k);
        }
        if toks[k].form == "," {
            // "Kim Sung-hwan, chair of the foundation, said"
            let open = (k.saturating_sub(24)..k)
                .rev()
                .find(|&j| toks[j].form == ",")?;
            let before = open.checked_sub(1)?;
            if usable(before) {
                return Some(before);
            }
        }
        let next = i + 1;
        (next < toks.len() && self.name_token(toks, tree, next)).then_some(next)
    }

    /// The name a noun phrase headed by `h` gives: its own if it is one ("Kim Yong-beom",
    /// "Representative Park"), else an apposition's ("the minister, Cho Hyun"), else that of
    /// the organisation it belongs to ("a White House spokesman", "Apple's lawyer").
    fn name_at(
        &self,
        layer: &Layer,
        s: usize,
        tree: &Tree,
        h: usize,
        ctx: &Context,
    ) -> Option<Who> {
        let toks = layer.tokens_of(s);
        // A role or name the knowledge base resolved at the head ("the president", "the
        // minister", dated by the story).
        if !self.name_token(toks, tree, h)
            && let Some(m) = known_at(ctx.known, toks[h].start)
        {
            return Some(Who {
                name: m.name.to_string(),
                kind: static_kind(m.kind),
                start: m.start,
                end: m.end,
                known: true,
            });
        }
        let run = if self.name_token(toks, tree, h) {
            Some(self.run_around(toks, tree, h))
        } else {
            // The head is a common noun: a name in apposition, in a compound, or a possessor.
            let mut cands: Vec<usize> = tree.children_by(h, "appos").collect();
            cands.extend(tree.children_by(h, "compound"));
            cands.extend(tree.children_by(h, "flat"));
            cands.extend(tree.children_by(h, "nmod").filter(|&c| {
                tree.deprel[c] == "nmod:poss"
                    || tree.children[c]
                        .iter()
                        .any(|&g| toks[g].form.eq_ignore_ascii_case("of"))
            }));
            cands
                .into_iter()
                .find(|&c| self.name_token(toks, tree, c))
                .map(|c| self.run_around(toks, tree, c))
        };
        let (a, b) = run?;
        let a = self.strip_titles(toks, a, b)?;
        let (start, end) = (toks[a].start, toks[b - 1].end);
        // The knowledge base's entry for the name: the last it names in the span (the head of
        // an English name is its last word), persons first.
        let inside_span: Vec<&Known> = ctx
            .known
            .get(ctx.known.partition_point(|m| m.end <= start)..)
            .unwrap_or_default()
            .iter()
            .take_while(|m| m.start < end)
            .filter(|m| m.kind != "place")
            .collect();
        // Only an entry named by the name's head counts: "Wikileaks founder Julian Assange" is
        // not Wikileaks, "Swedish Prosecution Authority" not Sweden.
        if let Some(m) = inside_span
            .iter()
            .rev()
            .find(|m| m.end + 1 >= end && m.end <= end)
        {
            return Some(Who {
                name: m.name.to_string(),
                kind: static_kind(m.kind),
                start,
                end,
                known: true,
            });
        }
        let surface = &layer.text[start..end];
        let name = if b - a == 1 {
            ctx.full
                .get(surface)
                .cloned()
                .unwrap_or_else(|| surface.to_string())
        } else {
            surface.to_string()
        };
        let (kind, name) = if self.org_like(&name) {
            ("organization", name)
        } else {
            ("person", self.personal_name(&name).to_string())
        };
        Some(Who {
            name,
            kind,
            start,
            end,
            known: false,
        })
    }

    /// Where the name in tokens `a..b` starts once the titles before it are left out
    /// ("U.S. Ambassador Harry Harris" → "Harry Harris"); an organisation's name keeps its
    /// words ("State Department"). `None` when only titles are left.
    fn strip_titles(&self, toks: &[dyad_syntax::Token], a: usize, b: usize) -> Option<usize> {
        // The name follows the last title ("Chief Cabinet Secretary Yoshimasa Hayashi",
        // "Indiana House Speaker Brian Bosma"), unless the title comes before an
        // organisation's word: then the whole is the organisation's name ("State Department").
        let last_org = (a..b)
            .rev()
            .find(|&k| self.org_words.contains(toks[k].form.as_str()));
        let last_title = (a..b).rev().find(|&k| self.is_title(&toks[k].form));
        if let (Some(o), Some(t)) = (last_org, last_title)
            && o > t
        {
            return Some(a);
        }
        if last_org.is_some() && last_title.is_none() {
            return Some(a);
        }
        match last_title {
            Some(k) if k + 1 < b => Some(k + 1),
            Some(_) => {
                let mut k = a;
                while k < b && self.is_title(&toks[k].form) {
                    k += 1;
                }
                (k < b).then_some(k)
            }
            None => Some(a),
        }
    }

    /// A person's name without the words before it that describe them ("Browns DL Sheldon
    /// Richardson" → "Sheldon Richardson"): its last two words, with a particle ("Jason La
    /// Canfora"), a middle initial ("Donald J. Trump") or a suffix ("Jr.") kept.
    fn personal_name<'n>(&self, name: &'n str) -> &'n str {
        let words: Vec<(usize, &str)> = name
            .split_whitespace()
            .map(|w| (w.as_ptr() as usize - name.as_ptr() as usize, w))
            .collect();
        if words.len() < 3 {
            return name;
        }
        let mut k = words.len() - 2;
        let particle = |w: &str| self.particles.contains(w);
        let initial = |w: &str| w.len() == 2 && w.ends_with('.');
        if particle(words[k].1) || initial(words[k].1) || particle(words[words.len() - 1].1) {
            k -= 1;
        }
        if k > 0 && (particle(words[k].1) || initial(words[k].1)) {
            k -= 1;
        }
        &name[words[k].0..]
    }

    fn is_title(&self, form: &str) -> bool {
        self.titles.contains(form) || self.titles.contains(form.trim_end_matches('.'))
    }

    fn org_like(&self, name: &str) -> bool {
        let words: Vec<&str> = name.split_whitespace().collect();
        words.iter().any(|w| self.org_words.contains(*w))
            || (words.len() == 1
                && name.chars().count() >= 2
                && name.chars().all(|c| c.is_ascii_uppercase() || c == '.'))
    }

    /// Each surname (the last word of a name of two to four capitalised words) with the first
    /// full name the document gives it: "Smith" → "John Smith".
    fn full_names(&self, layer: &Layer) -> (HashMap<String, String>, Vec<(usize, String)>) {
        let mut out: HashMap<String, String> = HashMap::new();
        let mut seen = Vec::new();
        for sent in &layer.sentences {
            let toks = &layer.tokens[sent.tokens.clone()];
            let mut i = 0;
            while i < toks.len() {
                let capital = |t: &dyad_syntax::Token| {
                    t.form.chars().next().is_some_and(char::is_uppercase)
                        && !self.stop.contains(t.form.to_lowercase().as_str())
                };
                if !capital(&toks[i]) {
                    i += 1;
                    continue;
                }
                let mut j = i;
                loop {
                    if j < toks.len() && capital(&toks[j]) {
                        j += 1;
                    } else if j + 1 < toks.len()
                        && j > i
                        && toks[j].form == "-"
                        && !toks[j - 1].space_after
                        && !toks[j].space_after
                    {
                        // "Eva-Marie", "Yoon-joo".
                        j += 2;
                    } else {
                        break;
                    }
                }
                let a = self.strip_titles(toks, i, j).unwrap_or(j);
                let name = &layer.text[toks[a.min(j - 1)].start..toks[j - 1].end];
                if a < j
                    && name.split_whitespace().count() >= 2
                    && j - a <= 6
                    && !self.org_like(name)
                    && !name.contains(['\n', '"', '“', '”'])
                {
                    let full = out
                        .entry(toks[j - 1].form.clone())
                        .or_insert_with(|| self.personal_name(name).to_string());
                    seen.push((toks[a].start, full.clone()));
                }
                i = j;
            }
        }
        (out, seen)
    }
}

struct Context<'a> {
    known: &'a [Known<'a>],
    full: &'a HashMap<String, String>,
    /// Persons named so far (offset, name, whether as a speaker): for "he" and "she".
    persons: Vec<(usize, String, bool)>,
    /// Organisations that spoke so far: for "it" and "they".
    bodies: Vec<(usize, String, bool)>,
}

/// The knowledge-base mention (not a place) covering offset `at`.
fn known_at<'k, 'a>(known: &'k [Known<'a>], at: usize) -> Option<&'k Known<'a>> {
    let k = known.partition_point(|m| m.start <= at);
    known[..k]
        .iter()
        .rev()
        .take(8)
        .find(|m| m.start <= at && at < m.end && m.kind != "place")
}

/// Capitalised words of the document not at a sentence's start (nor after a quotation mark).
fn capitalised_inside(layer: &Layer) -> HashSet<String> {
    let mut out = HashSet::new();
    for sent in &layer.sentences {
        let toks = &layer.tokens[sent.tokens.clone()];
        for k in 1..toks.len() {
            let f = &layer.text[toks[k].start..toks[k].end];
            if f.chars().next().is_some_and(char::is_uppercase)
                && toks[k - 1].form.chars().all(char::is_alphanumeric)
            {
                out.insert(f.to_string());
            }
        }
    }
    out
}

fn static_kind(kind: &str) -> &'static str {
    match kind {
        "person" => "person",
        "organization" => "organization",
        "country" => "country",
        "place" => "place",
        _ => "organization",
    }
}

/// The subject of predicate `v`, or of the predicate it depends on ("..., adding that ...",
/// "said and added that ...").
fn subject(tree: &Tree, v: usize) -> Option<usize> {
    let mut at = v;
    for _ in 0..3 {
        // The subject nearest the verb: before it, else after it ("..., said Kim").
        let subjects: Vec<usize> = tree.children_by(at, "nsubj").collect();
        let before = subjects.iter().copied().filter(|&k| k < at).max();
        if let Some(s) = before.or_else(|| subjects.iter().copied().min()) {
            return Some(s);
        }
        if !matches!(tree.rel(at), "conj" | "advcl" | "xcomp" | "parataxis") {
            return None;
        }
        at = tree.head[at]?;
    }
    None
}

/// The clausal complement of a speech predicate.
fn complement(tree: &Tree, v: usize) -> Option<usize> {
    // The clause after the verb ("said the sheet marks ..."); one before it only when there is
    // none after ("The talks failed, he said").
    let all: Vec<usize> = tree.children_by(v, "ccomp").collect();
    all.iter()
        .copied()
        .find(|&c| c > v)
        .or_else(|| all.last().copied())
}

/// The byte span of the clause headed by `c`: its subtree, without a leading "that" and
/// trailing punctuation.
fn clause_span(layer: &Layer, s: usize, tree: &Tree, c: usize) -> Option<(usize, usize)> {
    let toks = layer.tokens_of(s);
    let sub = tree.subtree(c);
    let mut lo = *sub.iter().min()?;
    let hi = *sub.iter().max()?;
    while lo < hi && (tree.rel(lo) == "mark" || tree.upos[lo] == Upos::Punct) {
        lo += 1;
    }
    let start = toks[lo].start;
    let end = trim_end(layer.text, start, toks[hi].end);
    (end > start).then_some((start, end))
}

/// The complement of the verb at `i` read from positions, when the tree gives none: the
/// words after a "that" among the next few words ("told reporters on Monday that ..."), or,
/// after a verb that takes a bare clause (`bare`: "said shifts in policy affect ..."), the
/// words from the next one that can start a clause. Up to the sentence's end.
fn after_that(
    layer: &Layer,
    s: usize,
    tree: &Tree,
    i: usize,
    bare: bool,
) -> Option<(usize, usize)> {
    let toks = layer.tokens_of(s);
    let sent_end = layer.sentences[s].end;
    let that = (i + 1..toks.len().min(i + 1 + THAT_REACH))
        .take_while(|&k| !matches!(toks[k].form.as_str(), "“" | "\"" | "‘" | ";" | ":"))
        .find(|&k| toks[k].form.eq_ignore_ascii_case("that"));
    let from = match that {
        Some(k) => k + 1,
        None if bare => {
            let mut k = i + 1;
            while toks
                .get(k)
                .is_some_and(|t| t.form == "," || tree.upos[k] == Upos::Adv)
            {
                k += 1;
            }
            let starts_clause = matches!(
                tree.upos.get(k),
                Some(Upos::Det | Upos::Noun | Upos::Propn | Upos::Pron | Upos::Adj)
            );
            if !starts_clause {
                return None;
            }
            k
        }
        None => return None,
    };
    let from = toks.get(from)?.start;
    let end = trim_end(layer.text, from, sent_end);
    (end > from).then_some((from, end))
}

/// How many words after a speech verb its "that" may come.
const THAT_REACH: usize = 8;

/// Whether the tokens in `[start, end)` hold a verb or an auxiliary: a clause, not a phrase.
fn has_predicate(toks: &[dyad_syntax::Token], tree: &Tree, start: usize, end: usize) -> bool {
    toks.iter()
        .zip(&tree.upos)
        .any(|(t, u)| t.start >= start && t.end <= end && matches!(u, Upos::Verb | Upos::Aux))
}

/// Whether a quoted text is written like a title or a slogan: three words or more, most of
/// them capitalised ("Less Money on Testing, More Money on Students").
fn title_case(text: &str) -> bool {
    let words: Vec<&str> = text
        .split_whitespace()
        .filter(|w| w.chars().next().is_some_and(char::is_alphabetic))
        .collect();
    let capitals = words
        .iter()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .count();
    words.len() >= 3 && capitals * 10 >= words.len() * 7
}

/// `end` moved back over spaces and closing punctuation.
fn trim_end(text: &str, start: usize, end: usize) -> usize {
    start
        + text[start..end]
            .trim_end_matches([' ', '.', ',', ';', ':'])
            .len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quotes::QuoteLexicon;

    /// (speaker, text, direct) of the quotes found in `text`, with no knowledge base.
    fn quotes(text: &str) -> Vec<(Option<String>, String, bool)> {
        let lex = QuoteLexicon::default();
        let layer = Layer::new(text, dyad_syntax::Lang::En);
        let finder = crate::quotes::QuoteFinder::new(QuoteLexicon::default());
        let quoted = finder.quoted_spans(text);
        let (qs, _) = Speech::new(&lex).find(&layer, &quoted, &[], &Clock::unlimited());
        for q in &qs {
            assert_eq!(&text[q.start..q.end], q.text, "offsets of {q:?}");
        }
        qs.into_iter()
            .map(|q| (q.speaker, q.text, q.direct))
            .collect()
    }

    fn spoke(text: &str, speaker: Option<&str>, phrase: &str) {
        let got = quotes(text);
        assert!(
            got.iter()
                .any(|(s, t, _)| s.as_deref() == speaker && t.contains(phrase)),
            "want {speaker:?} saying {phrase:?} in {text:?}, got {got:?}"
        );
    }

    #[test]
    fn speakers_unknown_to_the_knowledge_base_keep_their_names() {
        spoke(
            "“We will not back down on this,” presidential policy chief Kim Yong-beom told reporters.",
            Some("Kim Yong-beom"),
            "We will not back down",
        );
        spoke(
            "Jason Whitfield, a spokesman for the company, said the deal was fair to everyone. Whitfield added that talks would continue next week.",
            Some("Jason Whitfield"),
            "talks would continue",
        );
        spoke(
            "Indiana House Speaker Brian Bosma said lawmakers would study teacher pay next year.",
            Some("Brian Bosma"),
            "lawmakers would study teacher pay",
        );
    }

    #[test]
    fn reported_content_leaves_out_time_and_audience() {
        let got = quotes(
            "Maria Lopez told reporters on Monday that the two sides would meet again in March.",
        );
        assert_eq!(
            got,
            [(
                Some("Maria Lopez".to_string()),
                "the two sides would meet again in March".to_string(),
                false
            )]
        );
    }

    #[test]
    fn pronouns_and_running_quotes_take_the_last_speaker() {
        let text = "Maria Lopez opened the meeting. “This is the moment to act together,” she said. “Nobody else will do it for us.”";
        spoke(text, Some("Maria Lopez"), "the moment to act");
        spoke(text, Some("Maria Lopez"), "Nobody else will do it");
    }

    proptest::proptest! {
        /// Arbitrary text around speech cues and quotation marks: no panic, every quote's
        /// offsets on its text (checked in `quotes`).
        #[test]
        fn never_panics(a in "\\PC{0,80}", b in "\\PC{0,80}", c in "\\PC{0,80}") {
            for text in [
                format!("{a} said “{b}” {c}"),
                format!("“{a},” {b} told reporters that {c}"),
                format!("{a}, according to {b}. He added that {c} -"),
            ] {
                quotes(&text);
            }
        }
    }

    #[test]
    fn unnamed_sources_have_no_speaker_and_titles_are_not_quotes() {
        spoke(
            "Officials said the new plan would be delayed for several months.",
            None,
            "the new plan would be delayed",
        );
        let got = quotes(
            "Protesters carried signs reading “Less Money on Testing, More Money on Students.”",
        );
        assert!(got.is_empty(), "{got:?}");
    }
}
