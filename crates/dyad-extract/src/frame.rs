//! What the sentence-level stages (events, commitments) share about one document: its
//! sentences, clauses, quoted spans, entity mentions with what the knowledge base says of them,
//! its time expressions and its dyad (the two countries it is mostly about).

use std::cell::RefCell;
use std::collections::HashMap;

use dyad_kb::{EntryRef, Kb};
use dyad_model::{Entity, TimeExpr, TimeKind};

use crate::budget::Clock;

/// Byte ranges of the text.
pub(crate) type Spans = Vec<(usize, usize)>;

/// An entity mention, with the facts about its entity the stages need.
#[derive(Debug, Clone)]
pub(crate) struct Ment {
    pub start: usize,
    pub end: usize,
    /// Index into the document's entities.
    pub entity: usize,
}

pub(crate) struct Frame<'a> {
    pub text: &'a str,
    pub entities: &'a [Entity],
    pub mentions: Vec<Ment>,
    pub sentences: Vec<(usize, usize)>,
    pub quoted: Vec<(usize, usize)>,
    pub times: &'a [TimeExpr],
    /// The date roles and statuses are judged against (`YYYY-MM-DD`).
    pub on: Option<String>,
    /// The two countries most mentioned, most mentioned first.
    pub dyad: Vec<String>,
    /// The country each entity acts for, when the knowledge base knows it on `on`.
    pub country_of: Vec<Option<String>>,
    /// Entities that can act (persons, countries, organisations that are not outlets).
    pub can_act: Vec<bool>,
    /// The name an entity acts under when it is not its own: a capital acts as its state.
    pub acts_as: Vec<Option<String>>,
    clause_breaks: Vec<String>,
    /// The clause breaks of the last sentence asked about (see [`Frame::clause`]).
    breaks: RefCell<Breaks>,
    clock: &'a Clock,
}

/// Where the clause breaks of one sentence end (sorted) and start (sorted): each sentence is
/// scanned once however many triggers it holds, and each clause is then two binary searches.
#[derive(Default)]
struct Breaks {
    sentence: Option<(usize, usize)>,
    ends: Vec<usize>,
    starts: Vec<usize>,
}

/// What the frame needs from the event lexicon.
pub(crate) struct Roles<'l> {
    pub not_actor_kinds: &'l [String],
    pub state_kinds: &'l [String],
    pub metonyms: &'l HashMap<String, String>,
    pub clause_breaks: &'l [String],
}

impl<'a> Frame<'a> {
    pub fn new(
        text: &'a str,
        entities: &'a [Entity],
        (sentences, quoted): (Spans, Spans),
        times: &'a [TimeExpr],
        on: Option<String>,
        (kb, roles): (&Kb, &Roles),
        clock: &'a Clock,
    ) -> Frame<'a> {
        let mut mentions: Vec<Ment> = entities
            .iter()
            .enumerate()
            .flat_map(|(i, e)| {
                e.mentions.iter().map(move |m| Ment {
                    start: m.start,
                    end: m.end,
                    entity: i,
                })
            })
            .collect();
        mentions.sort_by_key(|m| (m.start, m.end));
        let country_name =
            |code: &str| -> Option<String> { kb.get(code).map(|r| kb.names(r).name.to_string()) };
        let mut country_of = Vec::with_capacity(entities.len());
        let mut can_act = Vec::with_capacity(entities.len());
        let mut acts_as = Vec::with_capacity(entities.len());
        for e in entities {
            acts_as.push(if e.kind == "place" {
                roles.metonyms.get(&e.name).cloned()
            } else {
                None
            });
            let entry = e.id.as_deref().and_then(|id| kb.get(id));
            let (country, acts) = match (e.kind.as_str(), entry) {
                ("country", _) => (Some(e.name.clone()), true),
                ("person", Some(EntryRef::Person(i))) => {
                    let p = &kb.persons[i];
                    let code = match on.as_deref() {
                        Some(d) => kb.roles_on(p, d).next().map(|r| {
                            if r.country.is_empty() {
                                p.country.as_str()
                            } else {
                                r.country.as_str()
                            }
                        }),
                        None => (!p.roles.is_empty()).then_some(p.country.as_str()),
                    };
                    (code.and_then(country_name), true)
                }
                ("person", _) => (None, true),
                ("organization", Some(EntryRef::Org(i))) => {
                    let o = &kb.orgs[i];
                    let c = if roles.state_kinds.contains(&o.kind) {
                        country_name(&o.country)
                    } else {
                        None
                    };
                    (c, !roles.not_actor_kinds.contains(&o.kind))
                }
                ("organization", _) => (None, true),
                _ => (None, false),
            };
            country_of.push(country);
            can_act.push(acts);
        }
        // Officials count for their state: a story about Lee and Takaichi is about Korea and
        // Japan even when it names neither country.
        let mut counts: HashMap<String, usize> = HashMap::new();
        let mut first: HashMap<String, usize> = HashMap::new();
        for (k, m) in mentions.iter().enumerate() {
            let state = match entities[m.entity].kind.as_str() {
                "country" => Some(entities[m.entity].name.clone()),
                "person" => country_of[m.entity].clone(),
                _ => None,
            };
            if let Some(st) = state {
                first.entry(st.clone()).or_insert(k);
                *counts.entry(st).or_default() += 1;
            }
        }
        let mut ranked: Vec<(String, usize)> = counts.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(first[&a.0].cmp(&first[&b.0])));
        let dyad = ranked.into_iter().take(2).map(|(n, _)| n).collect();
        Frame {
            text,
            entities,
            mentions,
            sentences,
            quoted,
            times,
            on,
            dyad,
            country_of,
            can_act,
            acts_as,
            clause_breaks: roles.clause_breaks.to_vec(),
            breaks: RefCell::new(Breaks::default()),
            clock,
        }
    }

    /// Whether the document's time allowance is spent: the sentence loops stop, and the
    /// extractor refuses the document.
    pub fn expired(&self) -> bool {
        self.clock.expired()
    }

    /// Whether a mention acts here: an acting entity, or a capital standing for its state
    /// ("Seoul proposed", not "in Seoul").
    fn acts(&self, m: &Ment) -> bool {
        if self.can_act[m.entity] {
            return true;
        }
        if self.acts_as[m.entity].is_none() {
            return false;
        }
        let from = crate::lexmatch::floor(self.text, m.start.saturating_sub(12));
        let before = crate::lexmatch::words_before(self.text, from, m.start, 1);
        !before.first().is_some_and(|w| {
            matches!(
                w.as_str(),
                "in" | "at"
                    | "from"
                    | "to"
                    | "near"
                    | "into"
                    | "outside"
                    | "across"
                    | "around"
                    | "of"
            )
        })
    }

    /// Mentions of acting entities inside `[from, to)`, outside quotation marks.
    pub fn actors_in(&self, from: usize, to: usize) -> Vec<&Ment> {
        let i = self.mentions.partition_point(|m| m.start < from);
        self.mentions[i..]
            .iter()
            .take_while(|m| m.start < to)
            .filter(|m| m.end <= to && self.acts(m) && !self.in_quote(m.start))
            .collect()
    }

    /// Place mentions inside `[from, to)`.
    pub fn places_in(&self, from: usize, to: usize) -> Vec<&Ment> {
        let i = self.mentions.partition_point(|m| m.start < from);
        self.mentions[i..]
            .iter()
            .take_while(|m| m.start < to)
            .filter(|m| self.entities[m.entity].kind == "place")
            .collect()
    }

    /// The state a mention stands for: a country, an official's or institution's state, a
    /// capital's state.
    pub fn state_of(&self, m: &Ment) -> Option<&str> {
        self.country_of[m.entity]
            .as_deref()
            .or(self.acts_as[m.entity].as_deref())
    }

    pub fn in_quote(&self, pos: usize) -> bool {
        // Quoted spans are sorted and do not overlap.
        let i = self.quoted.partition_point(|&(s, _)| s <= pos);
        i > 0 && pos < self.quoted[i - 1].1
    }

    pub fn name(&self, m: &Ment) -> &str {
        self.acts_as[m.entity]
            .as_deref()
            .unwrap_or(&self.entities[m.entity].name)
    }

    /// The clause around `[s, e)` within its sentence `[ss, se)`: bounded by semicolons,
    /// colons and the conjunctions that join independent statements.
    pub fn clause(&self, ss: usize, se: usize, s: usize, e: usize) -> (usize, usize) {
        let mut b = self.breaks.borrow_mut();
        if b.sentence != Some((ss, se)) {
            let sent = &self.text[ss..se];
            b.ends.clear();
            b.starts.clear();
            for br in &self.clause_breaks {
                for (i, _) in sent.match_indices(br.as_str()) {
                    b.ends.push(ss + i + br.len());
                    b.starts.push(ss + i);
                }
            }
            crate::budget::tick(b.ends.len() + 1);
            b.ends.sort_unstable();
            b.starts.sort_unstable();
            b.sentence = Some((ss, se));
        }
        crate::budget::tick(1);
        // The latest break ending at or before `s`, the earliest starting at or after `e`.
        let k = b.ends.partition_point(|&x| x <= s);
        let from = if k > 0 { ss.max(b.ends[k - 1]) } else { ss };
        let k = b.starts.partition_point(|&x| x < e);
        let to = b.starts.get(k).map_or(se, |&x| se.min(x));
        (from, to)
    }

    /// The date of a point-in-time expression inside `[from, to)` nearest to `pos` (the
    /// earlier one on a tie). Times are sorted by start and do not overlap, so the search
    /// walks out from `pos` and stops at the first fitting time on each side.
    pub fn date_near(&self, from: usize, to: usize, pos: usize) -> Option<&TimeExpr> {
        let fits = |t: &&TimeExpr| {
            t.start >= from && t.end <= to && t.kind == TimeKind::Date && t.value.is_some()
        };
        let lo = self.times.partition_point(|t| t.start < from);
        let hi = self.times.partition_point(|t| t.start < to);
        let mid = self.times.partition_point(|t| t.start < pos).clamp(lo, hi);
        let before = self.times[lo..mid]
            .iter()
            .rev()
            .inspect(|_| crate::budget::tick(1))
            .find(fits);
        let after = self.times[mid..hi]
            .iter()
            .inspect(|_| crate::budget::tick(1))
            .find(fits);
        match (before, after) {
            (Some(b), Some(a)) => Some(if a.start.abs_diff(pos) < b.start.abs_diff(pos) {
                a
            } else {
                b
            }),
            (b, a) => b.or(a),
        }
    }

    /// Deadlines and horizons inside `[from, to)`: what something is due by.
    pub fn due_in(&self, from: usize, to: usize) -> Option<String> {
        let lo = self.times.partition_point(|t| t.start < from);
        let t = self.times[lo..]
            .iter()
            .take_while(|t| t.start < to)
            .filter(|t| t.end <= to)
            .find(|t| matches!(t.kind, TimeKind::Deadline | TimeKind::Horizon))?;
        match t.kind {
            TimeKind::Horizon => t.until.clone().or_else(|| t.value.clone()),
            _ => t.value.clone(),
        }
    }
}

/// Distinct names, in first-seen order.
pub(crate) fn push_unique(list: &mut Vec<String>, name: &str) {
    if !list.iter().any(|n| n == name) {
        list.push(name.to_string());
    }
}
