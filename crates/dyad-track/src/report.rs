//! Views of the tracker as of a date: each commitment's recorded status, dyad's suggestion,
//! the overdue flag, its evidence and history; exports; compliance scores.

use std::collections::{BTreeMap, BTreeSet};

use dyad_store::{EvidenceRow, StatusRow, Store};
use serde::Serialize;
use serde_json::{Value, json};

use crate::Status;
use crate::registry::Tracked;
use crate::text::period_end;
use crate::tracker::{TrackError, Tracker, load_registry, root_of};

/// One piece of evidence as shown to the analyst.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceView {
    pub suggestion: String,
    pub input: String,
    pub doc: String,
    pub text: String,
    pub date: Option<String>,
    pub stance: String,
    pub status: Status,
    pub cue: String,
    pub confidence: f64,
    /// `pending`, `accepted` or `rejected`.
    pub review: String,
}

/// One entry of a commitment's status history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryView {
    pub status: String,
    pub at: Option<String>,
    pub recorded_at: String,
    pub by: String,
    pub confidence: Option<f64>,
    pub note: Option<String>,
    pub evidence: Option<Value>,
}

/// A tracked commitment as of a date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct View {
    #[serde(flatten)]
    pub tracked: Tracked,
    /// The latest recorded status (`not_yet_rated` when none).
    pub status: Status,
    /// What dyad suggests from all evidence not rejected: the status of the latest piece.
    pub suggested: Option<Status>,
    pub suggested_confidence: Option<f64>,
    pub overdue: bool,
    pub evidence: Vec<EvidenceView>,
    pub history: Vec<HistoryView>,
}

impl Tracker {
    /// Every tracked commitment as of `as_of` (`YYYY-MM-DD`): evidence and history dated after
    /// it are left out.
    pub fn views(&self, store: &Store, as_of: &str) -> Result<Vec<View>, TrackError> {
        let reg = load_registry(store)?;
        let reviews: BTreeMap<i64, String> = store
            .track_reviews()?
            .into_iter()
            .map(|r| (r.evidence_seq, r.decision))
            .collect();
        let mut evidence: BTreeMap<String, Vec<EvidenceRow>> = BTreeMap::new();
        for e in store.track_evidence()? {
            if e.date.as_deref().is_some_and(|d| d > as_of) {
                continue;
            }
            evidence
                .entry(root_of(&reg, &e.commitment_id))
                .or_default()
                .push(e);
        }
        let mut history: BTreeMap<String, Vec<StatusRow>> = BTreeMap::new();
        for s in store.track_statuses()? {
            if s.at.as_deref().is_some_and(|d| d > as_of) {
                continue;
            }
            history
                .entry(root_of(&reg, &s.commitment_id))
                .or_default()
                .push(s);
        }
        let mut out = Vec::new();
        for t in reg.values().filter(|t| t.is_root()) {
            if t.first.date.as_deref().is_some_and(|d| d > as_of) {
                continue;
            }
            let ev = evidence.remove(&t.id).unwrap_or_default();
            let hist = history.remove(&t.id).unwrap_or_default();
            out.push(self.view(t.clone(), ev, hist, &reviews, as_of));
        }
        Ok(out)
    }

    fn view(
        &self,
        tracked: Tracked,
        mut ev: Vec<EvidenceRow>,
        hist: Vec<StatusRow>,
        reviews: &BTreeMap<i64, String>,
        as_of: &str,
    ) -> View {
        let rank = |e: &EvidenceRow| {
            e.status
                .parse::<Status>()
                .map_or(usize::MAX, |s| self.rules.rank(s))
        };
        // By date; on one date, the strongest status last.
        ev.sort_by(|a, b| {
            a.date
                .cmp(&b.date)
                .then_with(|| rank(b).cmp(&rank(a)))
                .then(a.seq.cmp(&b.seq))
        });
        let live: Vec<&EvidenceRow> = ev
            .iter()
            .filter(|e| reviews.get(&e.seq).map(String::as_str) != Some("rejected"))
            .collect();
        let suggested = live.last().and_then(|e| e.status.parse::<Status>().ok());
        let suggested_confidence = live.last().map(|e| e.confidence);
        let status = hist
            .last()
            .and_then(|s| s.status.parse().ok())
            .unwrap_or(Status::NotYetRated);
        let delivered_evidence = live.iter().any(|e| e.status == "delivered");
        let overdue = tracked
            .due
            .as_deref()
            .and_then(period_end)
            .is_some_and(|end| end.as_str() < as_of)
            && !self.rules.closed.contains(&status)
            && !delivered_evidence;
        View {
            status,
            suggested,
            suggested_confidence,
            overdue,
            evidence: ev
                .iter()
                .map(|e| EvidenceView {
                    suggestion: format!("s{}", e.seq),
                    input: e.input.clone(),
                    doc: e.doc_id.clone(),
                    text: e.sentence.clone(),
                    date: e.date.clone(),
                    stance: e.stance.clone(),
                    status: e.status.parse().unwrap_or(Status::Unverifiable),
                    cue: e.cue.clone(),
                    confidence: e.confidence,
                    review: reviews
                        .get(&e.seq)
                        .cloned()
                        .unwrap_or_else(|| "pending".into()),
                })
                .collect(),
            history: hist
                .iter()
                .map(|s| HistoryView {
                    status: s.status.clone(),
                    at: s.at.clone(),
                    recorded_at: s.recorded_at.clone(),
                    by: s.by.clone(),
                    confidence: s.confidence,
                    note: s.note.clone(),
                    evidence: s.evidence_doc.as_ref().map(|d| {
                        json!({"doc": d, "input": s.evidence_input, "text": s.evidence_text, "date": s.at})
                    }),
                })
                .collect(),
            tracked,
        }
    }
}

impl View {
    /// The export line: `{id, holders[], text, topic, amount, due, status, overdue,
    /// evidence[{input, text, date, stance}], history[{status, at, by, note}]}` plus the
    /// suggestion, first statement, sources and drift.
    pub fn export(&self) -> Value {
        let t = &self.tracked;
        json!({
            "id": t.id,
            "holders": t.holders,
            "text": t.text,
            "topic": t.topic,
            "amount": t.amount.clone().or_else(|| t.amounts.first().map(describe)),
            "due": t.due,
            "status": self.status,
            "suggested_status": self.suggested,
            "suggested_confidence": self.suggested_confidence,
            "overdue": self.overdue,
            "strength": t.strength,
            "legal_force": t.legal_force,
            "first_stated": {"date": t.first.date, "doc": t.first.doc_id, "input": t.first.input},
            "sources": t.sources.iter().map(|s| json!({"doc": s.doc_id, "input": s.input, "date": s.date, "text": s.text})).collect::<Vec<_>>(),
            "drift": t.drift,
            "evidence": self.evidence.iter().map(|e| json!({
                "input": e.input, "doc": e.doc, "text": e.text, "date": e.date, "stance": e.stance,
                "status": e.status, "confidence": e.confidence, "review": e.review, "suggestion": e.suggestion,
            })).collect::<Vec<_>>(),
            "history": self.history.iter().map(|h| json!({
                "status": h.status, "at": h.at, "by": h.by, "note": h.note,
                "confidence": h.confidence, "evidence": h.evidence,
            })).collect::<Vec<_>>(),
        })
    }
}

/// A human form of an amount.
pub fn describe(a: &crate::text::Amount) -> String {
    use crate::text::Unit;
    match a.unit {
        Unit::Percent => format!("{}%", a.value),
        Unit::Usd if a.value >= 1e9 => format!("${} billion", a.value / 1e9),
        Unit::Usd => format!("${}", a.value),
        Unit::Krw if a.value >= 1e12 => format!("{}조원", a.value / 1e12),
        Unit::Krw => format!("{}원", a.value),
    }
}

/// Quotes a CSV field when needed.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The CSV header of [`csv_row`].
pub const CSV_HEADER: &str = "id,holders,text,topic,amount,due,status,suggested_status,overdue,evidence_count,last_evidence_date,last_evidence";

/// One CSV line for a view.
pub fn csv_row(v: &View) -> String {
    let t = &v.tracked;
    let last = v.evidence.last();
    [
        t.id.clone(),
        t.holders.join("; "),
        t.text.clone(),
        t.topic.clone().unwrap_or_default(),
        t.amount
            .clone()
            .or_else(|| t.amounts.first().map(describe))
            .unwrap_or_default(),
        t.due.clone().unwrap_or_default(),
        v.status.to_string(),
        v.suggested.map(|s| s.to_string()).unwrap_or_default(),
        v.overdue.to_string(),
        v.evidence.len().to_string(),
        last.and_then(|e| e.date.clone()).unwrap_or_default(),
        last.map(|e| e.text.clone()).unwrap_or_default(),
    ]
    .iter()
    .map(|f| csv_field(f))
    .collect::<Vec<_>>()
    .join(",")
}

/// A compliance score over a group of commitments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComplianceRow {
    pub group: String,
    /// Commitments scored (statuses without a score are left out).
    pub scored: usize,
    pub full: usize,
    pub partial: usize,
    pub none: usize,
    /// Mean of the −1/0/+1 scores.
    pub mean: f64,
    /// `(mean + 1) / 2 × 100`.
    pub percent: f64,
}

/// Compliance per holder, per topic and overall.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Compliance {
    pub as_of: String,
    pub overall: ComplianceRow,
    pub by_holder: Vec<ComplianceRow>,
    pub by_topic: Vec<ComplianceRow>,
}

impl Tracker {
    /// The G7 Research Group score of one commitment: the recorded status's score, capped when
    /// overdue (an overdue commitment is scored even when not yet rated); `None` when its status
    /// is not scored.
    pub fn score(&self, v: &View) -> Option<i64> {
        if v.overdue {
            let s = self.rules.compliance.get(&v.status).copied().unwrap_or(0);
            return Some(s.min(self.rules.overdue_cap));
        }
        self.rules.compliance.get(&v.status).copied()
    }

    /// Compliance summaries of the views.
    pub fn compliance(&self, views: &[View], as_of: &str) -> Compliance {
        let mut by_holder: BTreeMap<String, Vec<i64>> = BTreeMap::new();
        let mut by_topic: BTreeMap<String, Vec<i64>> = BTreeMap::new();
        let mut all = Vec::new();
        for v in views {
            let Some(s) = self.score(v) else { continue };
            all.push(s);
            let holders: BTreeSet<&String> = v.tracked.holders.iter().collect();
            for h in holders {
                by_holder.entry(h.clone()).or_default().push(s);
            }
            let topic = v.tracked.topic.clone().unwrap_or_else(|| "(none)".into());
            by_topic.entry(topic).or_default().push(s);
        }
        let row = |group: String, s: &[i64]| {
            let mean = if s.is_empty() {
                0.0
            } else {
                s.iter().sum::<i64>() as f64 / s.len() as f64
            };
            ComplianceRow {
                group,
                scored: s.len(),
                full: s.iter().filter(|x| **x > 0).count(),
                partial: s.iter().filter(|x| **x == 0).count(),
                none: s.iter().filter(|x| **x < 0).count(),
                mean: (mean * 100.0).round() / 100.0,
                percent: ((mean + 1.0) / 2.0 * 1000.0).round() / 10.0,
            }
        };
        Compliance {
            as_of: as_of.to_string(),
            overall: row("all".into(), &all),
            by_holder: by_holder.iter().map(|(k, v)| row(k.clone(), v)).collect(),
            by_topic: by_topic.iter().map(|(k, v)| row(k.clone(), v)).collect(),
        }
    }
}
