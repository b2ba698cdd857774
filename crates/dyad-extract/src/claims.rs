//! Claims the knowledge base contradicts. Today: membership. A sentence that places a country
//! in a grouping whose members the knowledge base lists ("South Korea ... is involved in the
//! Quad") is flagged when the country is not a member, with the members as the reason.

use dyad_kb::{EntryRef, Kb};
use dyad_model::Claim;
use serde::Deserialize;

use crate::events::trim_span;
use crate::frame::Frame;
use crate::lexmatch::Phrases;

/// The claim lexicon shipped with dyad.
pub const DEFAULT_LEXICON: &str = include_str!("../../../data/extract/claims.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimLexicon {
    pub version: String,
    member_cues: Vec<String>,
}

impl ClaimLexicon {
    pub fn parse(src: &str, file: &str) -> Result<ClaimLexicon, String> {
        crate::lexmatch::parse_toml(src, file)
    }
}

impl Default for ClaimLexicon {
    fn default() -> Self {
        ClaimLexicon::parse(DEFAULT_LEXICON, "data/extract/claims.toml")
            .expect("the shipped claim lexicon parses (tested)")
    }
}

pub struct ClaimChecker {
    version: String,
    cues: Phrases<()>,
}

impl ClaimChecker {
    pub fn new(lex: ClaimLexicon) -> ClaimChecker {
        ClaimChecker {
            cues: Phrases::new(lex.member_cues.iter().map(|w| (w.clone(), ()))),
            version: lex.version,
        }
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    pub(crate) fn find(&self, f: &Frame, kb: &Kb) -> Vec<Claim> {
        let mut out = Vec::new();
        for &(ss, se) in &f.sentences {
            if f.expired() {
                break;
            }
            let Some(cue) = self.cues.find(f.text, ss, se).into_iter().next() else {
                continue;
            };
            // The grouping named after the cue, with its members.
            let Some((org, members)) = f
                .mentions
                .iter()
                .filter(|m| m.start >= cue.end && m.end <= se)
                .find_map(|m| {
                    let e = &f.entities[m.entity];
                    match e.id.as_deref().and_then(|id| kb.get(id)) {
                        Some(EntryRef::Org(i)) if !kb.orgs[i].members.is_empty() => {
                            Some((&kb.orgs[i], &kb.orgs[i].members))
                        }
                        _ => None,
                    }
                })
            else {
                continue;
            };
            let member_names: Vec<String> = members
                .iter()
                .filter_map(|c| kb.get(c).map(|r| kb.names(r).name.to_string()))
                .collect();
            let mut wrong: Vec<&str> = Vec::new();
            for m in f
                .mentions
                .iter()
                .filter(|m| m.start >= ss && m.end <= cue.start)
            {
                let e = &f.entities[m.entity];
                if e.kind == "country"
                    && !f.in_quote(m.start)
                    && !member_names.contains(&e.name)
                    && !wrong.contains(&e.name.as_str())
                {
                    wrong.push(&e.name);
                }
            }
            if wrong.is_empty() {
                continue;
            }
            let (s, e) = trim_span(f.text, ss, se);
            out.push(Claim {
                text: f.text[s..e].to_string(),
                reason: format!(
                    "{} {} not a member of the {} (members: {})",
                    wrong.join(", "),
                    if wrong.len() == 1 { "is" } else { "are" },
                    org.name,
                    member_names.join(", ")
                ),
            });
        }
        out
    }
}
