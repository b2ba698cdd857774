//! What the sentence-level stages (events, commitments) share about one document: its
//! sentences, clauses, quoted spans, entity mentions with what the knowledge base says of them,
//! its time expressions and its dyad (the two countries it is mostly about).

use std::collections::HashMap;

use dyad_kb::{EntryRef, Kb};
use dyad_model::{Entity, TimeExpr, TimeKind};

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
        kb: &Kb,
        roles: &Roles,
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
        let mut counts: HashMap<usize, usize> = HashMap::new();
        for m in &mentions {
            if entities[m.entity].kind == "country" {
                *counts.entry(m.entity).or_default() += 1;
            }
        }
        let mut ranked: Vec<(usize, usize)> = counts.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let dyad = ranked
            .iter()
            .take(2)
            .map(|&(i, _)| entities[i].name.clone())
            .collect();
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
        }
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

    pub fn in_quote(&self, pos: usize) -> bool {
        self.quoted.iter().any(|&(s, e)| s <= pos && pos < e)
    }

    pub fn name(&self, m: &Ment) -> &str {
        self.acts_as[m.entity]
            .as_deref()
            .unwrap_or(&self.entities[m.entity].name)
    }

    /// The clause around `[s, e)` within its sentence `[ss, se)`: bounded by semicolons,
    /// colons and the conjunctions that join independent statements.
    pub fn clause(&self, ss: usize, se: usize, s: usize, e: usize) -> (usize, usize) {
        let mut from = ss;
        let mut to = se;
        let sent = &self.text[ss..se];
        for b in &self.clause_breaks {
            for (i, _) in sent.match_indices(b) {
                let abs = ss + i;
                if abs + b.len() <= s {
                    from = from.max(abs + b.len());
                } else if abs >= e {
                    to = to.min(abs);
                }
            }
        }
        (from, to)
    }

    /// The date of a point-in-time expression inside `[from, to)` nearest to `pos`.
    pub fn date_near(&self, from: usize, to: usize, pos: usize) -> Option<&TimeExpr> {
        self.times
            .iter()
            .filter(|t| t.start >= from && t.end <= to && t.kind == TimeKind::Date)
            .filter(|t| t.value.is_some())
            .min_by_key(|t| t.start.abs_diff(pos))
    }

    /// Deadlines and horizons inside `[from, to)`: what something is due by.
    pub fn due_in(&self, from: usize, to: usize) -> Option<String> {
        let t = self
            .times
            .iter()
            .filter(|t| t.start >= from && t.end <= to)
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
