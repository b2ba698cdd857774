//! Events coded in PLOVER: who did what to whom, when, where, and whether it happened.
//!
//! A lexicon (`data/extract/events.toml`) lists, per PLOVER type, the verbs and nouns that report
//! it. Each trigger outside quotation marks is read in its clause:
//! - **Participants.** A joint event (a meeting, an agreement) takes everyone named in the
//!   clause. Otherwise the subject before the verb is the actor and the named parties after it are
//!   recipients. A noun takes only the names attached to it: "Trump's demand", "the Korea-US
//!   summit", "the summit between Lee and Trump", "meeting Chairman Kim". Officials bring the
//!   state they act for on the document's date, so "Hayashi welcomed" is also Japan's support.
//! - **Date** from the sentence's time expressions; **status** from the words before the trigger
//!   (negated, hypothetical, planned) and from the date against the document's date.
//! - **One event per real-world event.** Mentions of the same type whose participants include one
//!   another and whose dates agree are one event, with every mention kept. An undated noun ("the
//!   summit") is an event only when it joins a dated or verbal report of one.

use std::collections::{BTreeSet, HashMap};

use dyad_model::{Event, Span};
use serde::Deserialize;

use crate::frame::{Frame, Ment, push_unique};
use crate::lexmatch::{Phrases, floor, has_phrase, words_before};

/// The event lexicon shipped with dyad.
pub const DEFAULT_LEXICON: &str = include_str!("../../../data/extract/events.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventLexicon {
    pub version: String,
    status: StatusCues,
    #[serde(default)]
    metonyms: HashMap<String, String>,
    #[serde(default)]
    quad: Quad,
    #[serde(rename = "type")]
    types: Vec<TypeEntry>,
}

/// PLOVER types split into cooperation and conflict.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Quad {
    cooperation: Vec<String>,
    conflict: Vec<String>,
}

/// Which side of PLOVER's cooperation/conflict split an event type is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuadClass {
    Cooperation,
    Conflict,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusCues {
    negated: Vec<String>,
    hypothetical: Vec<String>,
    planned: Vec<String>,
    negated_ko: Vec<String>,
    hypothetical_ko: Vec<String>,
    planned_ko: Vec<String>,
    habitual: Vec<String>,
    not_actor_kinds: Vec<String>,
    #[serde(default)]
    state_kinds: Vec<String>,
    #[serde(default)]
    domestic_addressees: Vec<String>,
    #[serde(default)]
    clause_breaks: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct TypeEntry {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    mode: Option<String>,
    joint: bool,
    anchored: bool,
    min: usize,
    #[serde(default)]
    context: Vec<String>,
    #[serde(default)]
    past: Vec<String>,
    #[serde(default)]
    present: Vec<String>,
    #[serde(default)]
    nouns: Vec<String>,
    #[serde(default)]
    ko: Vec<String>,
    #[serde(default)]
    requires: Vec<String>,
}

impl EventLexicon {
    pub fn parse(src: &str, file: &str) -> Result<EventLexicon, String> {
        let lex: EventLexicon = crate::lexmatch::parse_toml(src, file)?;
        for t in &lex.types {
            if t.kind.is_empty() || t.kind.chars().any(|c| c.is_ascii_lowercase()) {
                return Err(format!(
                    "{file}: event type {:?} must be a PLOVER type in capitals",
                    t.kind
                ));
            }
        }
        Ok(lex)
    }

    /// The cooperation/conflict class of a PLOVER type, from the lexicon's `[quad]` table;
    /// `None` for a type in neither list.
    pub fn quad(&self, kind: &str) -> Option<QuadClass> {
        if self.quad.cooperation.iter().any(|k| k == kind) {
            Some(QuadClass::Cooperation)
        } else if self.quad.conflict.iter().any(|k| k == kind) {
            Some(QuadClass::Conflict)
        } else {
            None
        }
    }

    /// What decides who can act and for which state.
    pub(crate) fn roles(&self) -> crate::frame::Roles<'_> {
        crate::frame::Roles {
            not_actor_kinds: &self.status.not_actor_kinds,
            state_kinds: &self.status.state_kinds,
            metonyms: &self.metonyms,
            clause_breaks: &self.status.clause_breaks,
        }
    }

    /// Addressees inside the actor's own state ("the government").
    pub(crate) fn domestic_addressees(&self) -> &[String] {
        &self.status.domestic_addressees
    }
}

impl Default for EventLexicon {
    fn default() -> Self {
        EventLexicon::parse(DEFAULT_LEXICON, "data/extract/events.toml")
            .expect("the shipped event lexicon parses (tested)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Past,
    Present,
    Noun,
    Korean,
}

pub struct EventFinder {
    lex: EventLexicon,
    triggers: Phrases<(usize, Form)>,
    requires: Vec<Phrases<()>>,
    domestic: Phrases<()>,
}

/// An event found in one sentence, before mentions of the same event are merged.
struct Candidate {
    event: Event,
    names: BTreeSet<String>,
    /// The states taking part, officials and institutions counted as their state.
    states: BTreeSet<String>,
    weak: bool,
}

impl EventFinder {
    pub fn new(lex: EventLexicon) -> EventFinder {
        let mut entries = Vec::new();
        for (i, t) in lex.types.iter().enumerate() {
            for (list, form) in [
                (&t.past, Form::Past),
                (&t.present, Form::Present),
                (&t.nouns, Form::Noun),
                (&t.ko, Form::Korean),
            ] {
                entries.extend(list.iter().map(|w| (w.clone(), (i, form))));
            }
        }
        let requires = lex
            .types
            .iter()
            .map(|t| Phrases::new(t.requires.iter().map(|w| (w.clone(), ()))))
            .collect();
        EventFinder {
            triggers: Phrases::new(entries),
            requires,
            domestic: Phrases::new(
                lex.status
                    .domestic_addressees
                    .iter()
                    .map(|w| (w.clone(), ())),
            ),
            lex,
        }
    }

    pub fn lexicon(&self) -> &EventLexicon {
        &self.lex
    }

    /// The events of a document.
    pub(crate) fn find(
        &self,
        f: &Frame,
        topic_of: &dyn Fn(usize, usize) -> Option<String>,
    ) -> Vec<Event> {
        let mut found: Vec<Candidate> = Vec::new();
        for &(ss, se) in &f.sentences {
            if f.expired() {
                break;
            }
            let mut in_sentence: Vec<Candidate> = Vec::new();
            for hit in self.triggers.find(f.text, ss, se) {
                if f.in_quote(hit.start) {
                    continue;
                }
                for &(ti, form) in hit.tags {
                    let t = &self.lex.types[ti];
                    if !t.requires.is_empty() && !self.requires[ti].any(f.text, ss, se) {
                        continue;
                    }
                    if let Some(c) = self.read(f, t, form, (ss, se), (hit.start, hit.end)) {
                        let c = Candidate {
                            event: Event {
                                topic: topic_of(ss, se),
                                ..c.event
                            },
                            ..c
                        };
                        // One event of a type per sentence: the first reading wins.
                        if !in_sentence.iter().any(|o| o.event.kind == c.event.kind) {
                            in_sentence.push(c);
                        }
                        break;
                    }
                }
            }
            found.extend(in_sentence);
        }
        merge(found)
    }

    /// Reads one trigger in its sentence.
    fn read(
        &self,
        f: &Frame,
        t: &TypeEntry,
        form: Form,
        (ss, se): (usize, usize),
        (hs, he): (usize, usize),
    ) -> Option<Candidate> {
        let text = f.text;
        let (cs, ce) = f.clause(ss, se, hs, he);
        let ms = f.actors_in(cs, ce);
        let before: Vec<&Ment> = ms.iter().copied().filter(|m| m.end <= hs).collect();
        let after: Vec<&Ment> = ms.iter().copied().filter(|m| m.start >= he).collect();
        let near = words_before(text, cs, hs, 6);
        let last2 = &near[near.len().saturating_sub(2)..];
        let habitual = form != Form::Noun
            && self
                .lex
                .status
                .habitual
                .iter()
                .any(|h| has_phrase(last2, h));
        // "condemned the visit": a verb form after a determiner is a noun.
        let determined = last2.last().is_some_and(|w| {
            matches!(
                w.as_str(),
                "the" | "a" | "an" | "this" | "that" | "his" | "her" | "their" | "its" | "our"
            )
        });
        let nominal = form == Form::Noun || habitual || determined || korean_noun(text, he);
        let (actors, recipients): (Vec<&Ment>, Vec<&Ment>) = match form {
            Form::Korean => {
                if t.joint {
                    (ms.clone(), Vec::new())
                } else {
                    (before.clone(), after.clone())
                }
            }
            _ if nominal => {
                let mut b = chain_before(text, &before, hs, 2);
                let a = chain_after(text, &after, he, 3);
                // "Trump hinted at the possibility of meeting Kim": the clause's subject
                // takes part in what it proposes.
                if t.joint && b.is_empty() && !a.is_empty() {
                    b = chain_before(text, &before, hs, 8);
                }
                if t.joint {
                    (b.into_iter().chain(a).collect(), Vec::new())
                } else {
                    (b, a)
                }
            }
            _ if t.joint => {
                // "Lee met Trump", "Hegseth and Ahn agreed": the subject and whoever is
                // attached after the verb; the whole clause only when no subject is named.
                let mut b = chain_before(text, &before, hs, 4);
                let a = chain_after(text, &after, he, 3);
                if b.is_empty() {
                    (ms.clone(), Vec::new())
                } else {
                    b.extend(a);
                    (b, Vec::new())
                }
            }
            _ if last2
                .last()
                .is_some_and(|w| matches!(w.as_str(), "was" | "were" | "been" | "being")) =>
            {
                // Passive: the actor follows "by", if named at all.
                let by = text[he..ce].find(" by ").map(|i| he + i + 4);
                let agent: Vec<&Ment> = by
                    .map(|b| chain_after(text, &after, b, 2))
                    .unwrap_or_default();
                (agent, Vec::new())
            }
            _ => {
                // The subject: a name shortly before the verb, with no clause boundary between.
                let subject: Vec<&Ment> = chain_before(text, &before, hs, 4).into_iter().collect();
                let subject = match subject.last() {
                    Some(last)
                        if text[last.end..hs].split_whitespace().any(|w| {
                            matches!(
                                w.to_lowercase().as_str(),
                                "if" | "that"
                                    | "which"
                                    | "who"
                                    | "when"
                                    | "because"
                                    | "after"
                                    | "before"
                                    | "whether"
                                    | "as"
                                    | "until"
                            )
                        }) =>
                    {
                        Vec::new()
                    }
                    _ => subject,
                };
                let object = chain_after(text, &after, he, 4);
                if t.kind == "REQUEST" && object.is_empty() && {
                    let end = floor(text, (he + 24).min(ce));
                    self.domestic.any(text, he, end)
                } {
                    return None;
                }
                (subject, object)
            }
        };
        let mut names: Vec<String> = Vec::new();
        for m in actors.iter().chain(&recipients) {
            push_unique(&mut names, f.name(m));
        }
        let date = f
            .date_near(cs, ce, hs)
            .or_else(|| f.date_near(ss, se, hs))
            .filter(|d| !nominal || attached(text, d.start, d.end, hs, he))
            .and_then(|d| d.value.clone());
        // A noun with nobody attached still counts when the sentence dates it and names parties.
        let (actors, recipients) = if names.is_empty() && nominal && date.is_some() && t.joint {
            for m in &ms {
                push_unique(&mut names, f.name(m));
            }
            (ms.clone(), Vec::new())
        } else {
            (actors, recipients)
        };
        if names.len() < t.min.max(1) || (!t.joint && actors.is_empty()) {
            return None;
        }
        let mut place = f.places_in(ss, se).first().map(|m| f.name(m).to_string());
        let hosted = matches!(
            text[hs..he].to_ascii_lowercase().as_str(),
            "hosted" | "hosts" | "host"
        );
        let mut actor_names = Vec::new();
        for m in &actors {
            if hosted && f.entities[m.entity].kind == "organization" && m.end <= hs {
                place.get_or_insert_with(|| f.name(m).to_string());
                continue;
            }
            push_unique(&mut actor_names, f.name(m));
        }
        let mut recipient_names = Vec::new();
        for m in &recipients {
            push_unique(&mut recipient_names, f.name(m));
        }
        // Officials act for their state.
        for (list, ms) in [
            (&mut actor_names, &actors),
            (&mut recipient_names, &recipients),
        ] {
            for m in ms.iter() {
                if let Some(c) = &f.country_of[m.entity] {
                    push_unique(list, c);
                }
            }
        }
        recipient_names.retain(|r| !actor_names.contains(r));
        if t.kind == "CONSULT" && t.min >= 2 {
            // A meeting inside one state, with fewer than two named people, is not an event of
            // the relationship ("the minister met reporters").
            let persons = actors
                .iter()
                .filter(|m| f.entities[m.entity].kind == "person")
                .count();
            let states: BTreeSet<&str> = actors.iter().filter_map(|m| f.state_of(m)).collect();
            if persons < 2 && states.len() < 2 {
                return None;
            }
        }
        let status = self.status(f, t, form, (cs, se), (hs, he), date.as_deref());
        let set: BTreeSet<String> = actor_names
            .iter()
            .chain(&recipient_names)
            .cloned()
            .collect();
        let states: BTreeSet<String> = actors
            .iter()
            .chain(&recipients)
            .filter_map(|m| f.state_of(m).map(str::to_string))
            .collect();
        let (s, e) = trim_span(text, ss, se);
        // An undated noun stands alone only when it reports an intention or a possibility.
        let weak = t.anchored && nominal && date.is_none() && status == "occurred";
        Some(Candidate {
            event: Event {
                kind: t.kind.clone(),
                mode: t.mode.clone(),
                context: t.context.clone(),
                date,
                status: status.to_string(),
                actors: actor_names,
                recipients: recipient_names,
                place,
                topic: None,
                text: text[s..e].to_string(),
                start: s,
                end: e,
                mentions: vec![Span { start: s, end: e }],
            },
            names: set,
            states,
            weak,
        })
    }

    fn status(
        &self,
        f: &Frame,
        t: &TypeEntry,
        form: Form,
        (cs, se): (usize, usize),
        (hs, he): (usize, usize),
        date: Option<&str>,
    ) -> &'static str {
        let st = &self.lex.status;
        if form == Form::Korean {
            let tail = &f.text[he..floor(f.text, se.min(he + 60)).max(he)];
            let has = |cues: &[String]| cues.iter().any(|c| tail.contains(c.as_str()));
            if t.kind != "REJECT" && has(&st.negated_ko) {
                return "negated";
            }
            if has(&st.hypothetical_ko) {
                return "hypothetical";
            }
            if has(&st.planned_ko) || later(date, f.on.as_deref()) {
                return "planned";
            }
            return "occurred";
        }
        let near = words_before(f.text, cs, hs, 6);
        let last3 = &near[near.len().saturating_sub(3)..];
        let trigger = f.text[hs..he].to_ascii_lowercase();
        if t.kind != "REJECT" && st.negated.iter().any(|c| has_phrase(last3, c)) {
            return "negated";
        }
        if st.hypothetical.iter().any(|c| has_phrase(&near, c)) {
            return "hypothetical";
        }
        if trigger.starts_with("will ")
            || trigger.starts_with("to ")
            || st.planned.iter().any(|c| has_phrase(last3, c))
            || later(date, f.on.as_deref())
            || (form == Form::Present && date.is_some() && !earlier(date, f.on.as_deref()))
        {
            return "planned";
        }
        "occurred"
    }
}

/// Whether a date belongs to a noun: right before it ("the Oct. 29 summit") or shortly after
/// it, participants aside ("the summit between Lee and Trump on October 29").
fn attached(text: &str, ds: usize, de: usize, hs: usize, he: usize) -> bool {
    if de <= hs {
        return text[de..hs]
            .split(|c: char| c.is_whitespace() || c == '\'' || c == '’')
            .filter(|w| !w.is_empty())
            .all(|w| {
                matches!(
                    w.to_lowercase().as_str(),
                    "s" | "the"
                        | "a"
                        | "an"
                        | "first"
                        | "second"
                        | "third"
                        | "inaugural"
                        | "historic"
                        | "bilateral"
                        | "planned"
                        | "upcoming"
                )
            });
    }
    ds >= he && text[he..ds].split_whitespace().count() <= 14 && !text[he..ds].contains([';', '.'])
}

/// Whether `date` is after `on`, compared at the precision both have.
fn later(date: Option<&str>, on: Option<&str>) -> bool {
    compare(date, on) == Some(std::cmp::Ordering::Greater)
}

fn earlier(date: Option<&str>, on: Option<&str>) -> bool {
    compare(date, on) == Some(std::cmp::Ordering::Less)
}

fn compare(date: Option<&str>, on: Option<&str>) -> Option<std::cmp::Ordering> {
    let (d, o) = (date?, on?);
    if !d.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let n = d.len().min(o.len()).min(10);
    Some(d.get(..n)?.cmp(o.get(..n)?))
}

/// The sentence span without surrounding whitespace.
pub(crate) fn trim_span(text: &str, s: usize, e: usize) -> (usize, usize) {
    let t = &text[s..e];
    let lead = t.len() - t.trim_start().len();
    let trail = t.len() - t.trim_end().len();
    (s + lead, e - trail)
}

/// Mentions attached before `pos`: the nearest one within `max_words` words, and those joined
/// to it by "and", commas or hyphens ("Korea-US", "Seoul and Washington").
fn chain_before<'m>(
    text: &str,
    before: &[&'m Ment],
    pos: usize,
    max_words: usize,
) -> Vec<&'m Ment> {
    let mut out = Vec::new();
    let mut cur = pos;
    let limit = max_words;
    for m in before.iter().rev() {
        if m.end > cur {
            continue;
        }
        let gap = &text[m.end..cur];
        if !(if out.is_empty() {
            gap_ok(gap, limit)
        } else {
            connector(gap)
        }) {
            break;
        }
        out.push(*m);
        cur = m.start;
    }
    out.reverse();
    out
}

/// Whether two names are joined as one party list: "Seoul and Washington", "Korea-US".
fn connector(gap: &str) -> bool {
    if matches!(gap, "-" | "–" | "—" | "/") {
        // "Korea-US"; a spaced dash is a dateline ("SEOUL — North Korea").
        return true;
    }
    let g = gap.trim();
    matches!(
        g,
        "" | "and" | "," | ", and" | "&" | "or" | "와" | "과" | "및" | "·" | "and the"
    ) || g.split_once(' ').is_some_and(|(c, rest)| {
        matches!(c, "and" | "," | "with")
            && rest.split_whitespace().count() <= 4
            && !rest.contains([',', '.', ';', '—', '–'])
            && rest
                .split_whitespace()
                .all(|w| w.starts_with(|ch: char| ch.is_uppercase()))
    })
}

/// Whether a Korean trigger ending at `he` is used as a noun ("연합연습을 비난했다") rather than
/// as the clause's verb ("정상회담을 했다", "회담하고").
fn korean_noun(text: &str, he: usize) -> bool {
    let rest = &text[he..];
    let Some(c) = rest.chars().next() else {
        return false;
    };
    if !matches!(
        c,
        '을' | '를' | '이' | '가' | '은' | '는' | '의' | '도' | '에' | '과' | '와'
    ) {
        return false;
    }
    // The next word's beginning: the text after any spaces (the verbs below hold none), read
    // no further than they are long, however long the word runs.
    let next_word = rest[c.len_utf8()..].trim_start();
    ![
        "했", "하", "열", "가졌", "갖", "돌입", "개최", "진행", "마쳤", "실시",
    ]
    .iter()
    .any(|v| next_word.starts_with(v))
}

/// Mentions attached after `pos`: "between X and Y", "with X", "meeting Chairman Kim".
fn chain_after<'m>(text: &str, after: &[&'m Ment], pos: usize, max_words: usize) -> Vec<&'m Ment> {
    let mut out = Vec::new();
    let mut cur = pos;
    let limit = max_words;
    for m in after {
        if m.start < cur {
            continue;
        }
        let gap = &text[cur..m.start];
        let ok = if out.is_empty() {
            gap_ok(gap, limit)
        } else {
            // "between US President Trump and South Korean President Lee": connectors and
            // titles only.
            let words: Vec<&str> = gap.split_whitespace().collect();
            connector(gap)
                || (words.len() <= 3
                    && !gap.contains([',', ';', '.'])
                    && words
                        .iter()
                        .all(|w| connector(w) || w.starts_with(|c: char| c.is_uppercase())))
        };
        if !ok {
            break;
        }
        out.push(*m);
        cur = m.end;
    }
    out
}

/// Whether the text between two attached words is short and crosses no punctuation that
/// ends a phrase.
fn gap_ok(gap: &str, max_words: usize) -> bool {
    if gap.contains(['.', ';', ':', '(', ')', '"', '“', '”']) {
        return false;
    }
    let gap = gap.replace("'s", " ").replace("’s", " ");
    let words = gap
        .split(|c: char| c.is_whitespace() || c == ',' || c == '-' || c == '–' || c == '—')
        .filter(|w| !w.is_empty())
        .count();
    words <= max_words
}

/// Merges the mentions of one real-world event, then drops undated noun mentions that joined
/// nothing.
fn merge(found: Vec<Candidate>) -> Vec<Event> {
    let mut out: Vec<Candidate> = Vec::new();
    for c in found {
        let same = out.iter_mut().find(|o| {
            o.event.kind == c.event.kind
                && (o.names.is_subset(&c.names)
                    || c.names.is_subset(&o.names)
                    || (o.states.len() >= 2 && o.states == c.states))
                && dates_agree(o.event.date.as_deref(), c.event.date.as_deref())
                && (o.event.status == c.event.status || o.weak || c.weak)
        });
        match same {
            Some(o) => {
                let span = Span {
                    start: c.event.start,
                    end: c.event.end,
                };
                if o.weak && !c.weak {
                    // The dated or verbal report is the better evidence.
                    let mut mentions = std::mem::take(&mut o.event.mentions);
                    let (actors, recipients) = (o.event.actors.clone(), o.event.recipients.clone());
                    o.event = c.event;
                    for a in actors {
                        push_unique(&mut o.event.actors, &a);
                    }
                    for r in recipients {
                        if !o.event.actors.contains(&r) {
                            push_unique(&mut o.event.recipients, &r);
                        }
                    }
                    mentions.push(span);
                    mentions.sort_by_key(|m| m.start);
                    o.event.mentions = mentions;
                    o.weak = false;
                } else {
                    for a in &c.event.actors {
                        if !o.event.recipients.contains(a) {
                            push_unique(&mut o.event.actors, a);
                        }
                    }
                    for r in &c.event.recipients {
                        if !o.event.actors.contains(r) {
                            push_unique(&mut o.event.recipients, r);
                        }
                    }
                    if o.event.date.is_none() {
                        o.event.date = c.event.date.clone();
                    }
                    if o.event.place.is_none() {
                        o.event.place = c.event.place.clone();
                    }
                    o.event.mentions.push(span);
                }
                o.names.extend(c.names);
                o.states.extend(c.states);
            }
            None => out.push(c),
        }
    }
    out.into_iter()
        .filter(|c| !c.weak)
        .map(|c| c.event)
        .collect()
}

fn dates_agree(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => {
            if let Some(md) = a.strip_prefix("--") {
                return b.ends_with(md);
            }
            if let Some(md) = b.strip_prefix("--") {
                return a.ends_with(md);
            }
            let n = a.len().min(b.len());
            a.get(..n) == b.get(..n)
        }
        _ => true,
    }
}
