//! The tracker's data files (`data/track/*.toml`, embedded): topics, action cues, registry and
//! status rules. Loading validates them (unknown keys, bad regexes, unknown statuses), with
//! errors naming the file.

use std::collections::BTreeMap;

use regex::{Regex, RegexBuilder};
use serde::Deserialize;

use crate::Status;

const TOPICS: &str = include_str!("../../../data/track/topics.toml");
const CUES: &str = include_str!("../../../data/track/cues.toml");
const RULES: &str = include_str!("../../../data/track/rules.toml");

/// An error in a data file.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct RulesError {
    pub file: String,
    pub message: String,
}

fn err(file: &str, message: impl Into<String>) -> RulesError {
    RulesError {
        file: file.to_string(),
        message: message.into(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TopicsFile {
    version: String,
    topic: Vec<TopicEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TopicEntry {
    id: String,
    label: String,
    keywords: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CuesFile {
    version: String,
    negation: NegationEntry,
    cue: Vec<CueEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NegationEntry {
    status: String,
    stance: String,
    patterns: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CueEntry {
    name: String,
    status: String,
    stance: String,
    confidence: f64,
    #[serde(default)]
    negatable: bool,
    patterns: Vec<String>,
    #[serde(default)]
    by_topic: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    version: String,
    tracked_kinds: Vec<String>,
    closed_statuses: Vec<String>,
    precedence: Vec<String>,
    legal_force: Vec<ForceEntry>,
    strength: Vec<StrengthEntry>,
    compliance: BTreeMap<String, i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ForceEntry {
    force: String,
    patterns: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StrengthEntry {
    strength: String,
    patterns: Vec<String>,
}

/// A topic and its keywords.
#[derive(Debug, Clone)]
pub struct Topic {
    pub id: String,
    pub label: String,
    /// Lowercase keywords.
    pub keywords: Vec<String>,
}

/// An action cue.
#[derive(Debug, Clone)]
pub struct Cue {
    pub name: String,
    pub status: Status,
    pub stance: String,
    pub confidence: f64,
    pub negatable: bool,
    pub pattern: Regex,
    pub by_topic: BTreeMap<String, Status>,
}

/// Everything the tracker reads from `data/track/`.
#[derive(Debug, Clone)]
pub struct Rules {
    pub version: String,
    pub topics: Vec<Topic>,
    pub cues: Vec<Cue>,
    pub negation: Regex,
    pub negation_status: Status,
    pub negation_stance: String,
    pub tracked_kinds: Vec<String>,
    pub closed: Vec<Status>,
    pub precedence: Vec<Status>,
    pub legal_force: Vec<(String, Regex)>,
    pub strength: Vec<(String, Regex)>,
    pub compliance: BTreeMap<Status, i64>,
    pub overdue_cap: i64,
}

fn alternation(file: &str, what: &str, patterns: &[String]) -> Result<Regex, RulesError> {
    if patterns.is_empty() {
        return Err(err(file, format!("{what}: no patterns")));
    }
    for p in patterns {
        Regex::new(p).map_err(|e| err(file, format!("{what}: bad pattern {p:?}: {e}")))?;
    }
    let joined = patterns
        .iter()
        .map(|p| format!("(?:{p})"))
        .collect::<Vec<_>>()
        .join("|");
    RegexBuilder::new(&joined)
        .case_insensitive(true)
        .build()
        .map_err(|e| err(file, format!("{what}: {e}")))
}

fn status(file: &str, s: &str) -> Result<Status, RulesError> {
    s.parse()
        .map_err(|_| err(file, format!("unknown status {s:?}")))
}

impl Rules {
    /// The rules shipped with dyad.
    pub fn embedded() -> Result<Rules, RulesError> {
        Rules::parse(TOPICS, CUES, RULES)
    }

    /// Parses the three files' contents.
    pub fn parse(topics: &str, cues: &str, rules: &str) -> Result<Rules, RulesError> {
        let (tf, cf, rf) = (
            "data/track/topics.toml",
            "data/track/cues.toml",
            "data/track/rules.toml",
        );
        let t: TopicsFile = toml::from_str(topics).map_err(|e| err(tf, e.to_string()))?;
        let c: CuesFile = toml::from_str(cues).map_err(|e| err(cf, e.to_string()))?;
        let r: RulesFile = toml::from_str(rules).map_err(|e| err(rf, e.to_string()))?;
        let topics: Vec<Topic> = t
            .topic
            .into_iter()
            .map(|e| Topic {
                id: e.id,
                label: e.label,
                keywords: e.keywords.iter().map(|k| k.to_lowercase()).collect(),
            })
            .collect();
        let mut cue_list = Vec::new();
        for e in c.cue {
            let mut by_topic = BTreeMap::new();
            for (topic, s) in &e.by_topic {
                if !topics.iter().any(|t| &t.id == topic) {
                    return Err(err(cf, format!("cue {}: unknown topic {topic:?}", e.name)));
                }
                by_topic.insert(topic.clone(), status(cf, s)?);
            }
            cue_list.push(Cue {
                pattern: alternation(cf, &e.name, &e.patterns)?,
                status: status(cf, &e.status)?,
                name: e.name,
                stance: e.stance,
                confidence: e.confidence,
                negatable: e.negatable,
                by_topic,
            });
        }
        let mut compliance = BTreeMap::new();
        let mut overdue_cap = -1;
        for (k, v) in r.compliance {
            if k == "overdue_cap" {
                overdue_cap = v;
            } else {
                compliance.insert(status(rf, &k)?, v);
            }
        }
        Ok(Rules {
            version: format!(
                "topics {}, cues {}, rules {}",
                t.version, c.version, r.version
            ),
            topics,
            cues: cue_list,
            negation: alternation(cf, "negation", &c.negation.patterns)?,
            negation_status: status(cf, &c.negation.status)?,
            negation_stance: c.negation.stance,
            tracked_kinds: r.tracked_kinds,
            closed: r
                .closed_statuses
                .iter()
                .map(|s| status(rf, s))
                .collect::<Result<_, _>>()?,
            precedence: r
                .precedence
                .iter()
                .map(|s| status(rf, s))
                .collect::<Result<_, _>>()?,
            legal_force: r
                .legal_force
                .iter()
                .map(|f| Ok((f.force.clone(), alternation(rf, &f.force, &f.patterns)?)))
                .collect::<Result<_, RulesError>>()?,
            strength: r
                .strength
                .iter()
                .map(|f| {
                    Ok((
                        f.strength.clone(),
                        alternation(rf, &f.strength, &f.patterns)?,
                    ))
                })
                .collect::<Result<_, RulesError>>()?,
            compliance,
            overdue_cap,
        })
    }

    /// Rank of a status in the precedence list (lower wins).
    pub fn rank(&self, s: Status) -> usize {
        self.precedence
            .iter()
            .position(|p| *p == s)
            .unwrap_or(self.precedence.len())
    }

    /// The topics whose keywords occur in `text`.
    pub fn topics_of(&self, text: &str) -> Vec<String> {
        let lower = text.to_lowercase();
        self.topics
            .iter()
            .filter(|t| {
                t.keywords
                    .iter()
                    .any(|k| crate::text::has_keyword(&lower, k))
            })
            .map(|t| t.id.clone())
            .collect()
    }
}
