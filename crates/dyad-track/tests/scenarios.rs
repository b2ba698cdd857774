//! Golden scenarios (`corpus/scenarios/<name>/`): a fact sheet, then months of English and
//! Korean coverage ingested in date order; `expected.json` holds the analyst's status and
//! overdue flag for each commitment as of a date.
//!
//! This test gives the tracker the fact sheet's commitments as the analyst listed them (text,
//! holders, deadline), so it measures the tracker alone: evidence matching, suggestion rules
//! and deadlines, not commitment extraction. Documents are read with a minimal header reader
//! (title, `Published:` or `입력` date, body after the first blank line), stored in a real
//! SQLite store in date order, one `update` per document as `dyad ingest` would do, then every
//! suggestion is accepted and the statuses are compared. Bar: the suggested status matches the
//! analyst's for at least 80% of the commitments that have evidence; overdue flags all match;
//! commitments without evidence stay `not_yet_rated`.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use dyad_model::{Commitment, Document, text_fingerprint};
use dyad_store::Store;
use dyad_track::{Status, Tracker};
use serde_json::Value;

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/scenarios")
}

fn month(name: &str) -> Option<u32> {
    const M: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    M.iter()
        .position(|m| *m == name.to_lowercase())
        .map(|i| i as u32 + 1)
}

/// `Published: November 14, 2025` or `입력 2026-02-27`.
fn date_of(line: &str) -> Option<String> {
    if let Some(rest) = line.strip_prefix("입력") {
        return Some(rest.trim().get(..10)?.to_string());
    }
    let rest = line.strip_prefix("Published:")?.trim().replace(',', "");
    let parts: Vec<&str> = rest.split_whitespace().collect();
    let [m, d, y] = parts.as_slice() else {
        return None;
    };
    Some(format!(
        "{}-{:02}-{:02}",
        y,
        month(m)?,
        d.parse::<u32>().ok()?
    ))
}

fn read_doc(path: &Path) -> Document {
    let raw = std::fs::read_to_string(path).unwrap();
    let title = raw.lines().next().unwrap().trim().to_string();
    let date = raw
        .lines()
        .find_map(date_of)
        .unwrap_or_else(|| panic!("{}: no date line", path.display()));
    let body = raw
        .split_once("\n\n")
        .map_or("", |(_, b)| b)
        .trim()
        .to_string();
    Document {
        published: Some(date),
        language: if body.chars().any(|c| ('가'..='힣').contains(&c)) {
            "ko".into()
        } else {
            "en".into()
        },
        ..Document::new(
            path.file_name().unwrap().to_string_lossy().into_owned(),
            Some(&title),
            body,
        )
    }
}

struct Outcome {
    name: String,
    with_evidence: usize,
    matched: usize,
    mismatches: Vec<String>,
    overdue_errors: Vec<String>,
    unrated_errors: Vec<String>,
}

fn run_scenario(dir: &Path) -> Outcome {
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let as_of = expected["as_of"].as_str().unwrap();
    let fact_sheet = expected["fact_sheet"].as_str().unwrap();
    let items = expected["commitments"].as_array().unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    let tracker = Tracker::new().unwrap();
    let mut seen = std::collections::BTreeMap::new();
    for f in &files {
        let mut doc = read_doc(f);
        let fp = text_fingerprint(&doc.text);
        doc.duplicate_of = seen.get(&fp).cloned();
        seen.entry(fp).or_insert_with(|| doc.input.clone());
        if doc.input == fact_sheet {
            for c in items {
                let text = c["text"].as_str().unwrap();
                let start = doc
                    .text
                    .find(text)
                    .unwrap_or_else(|| panic!("{text:?} is not in the fact sheet"));
                doc.commitments.push(Commitment {
                    holders: c["holders"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|h| h.as_str().unwrap().to_string())
                        .collect(),
                    kind: "pledge".into(),
                    text: text.into(),
                    topic: None,
                    amount: None,
                    due: c["due"].as_str().map(str::to_string),
                    strength: None,
                    beneficiary: vec![],
                    legal_force: None,
                    start,
                    end: start + text.len(),
                });
            }
        }
        store.put_documents(&[doc]).unwrap();
        tracker.update(&mut store, false).unwrap();
    }
    tracker
        .accept_all(&mut store, "analyst:golden", None)
        .unwrap();
    let views = tracker.views(&store, as_of).unwrap();
    let mut out = Outcome {
        name: dir.file_name().unwrap().to_string_lossy().into_owned(),
        with_evidence: 0,
        matched: 0,
        mismatches: vec![],
        overdue_errors: vec![],
        unrated_errors: vec![],
    };
    for c in items {
        let text = c["text"].as_str().unwrap();
        let v = views.iter().find(|v| v.tracked.text == text).unwrap();
        let want: Status = c["status"].as_str().unwrap().parse().unwrap();
        let evidence: Vec<String> = v
            .evidence
            .iter()
            .map(|e| {
                format!(
                    "{} {} ← {:?}",
                    e.date.as_deref().unwrap_or(""),
                    e.status,
                    e.text
                )
            })
            .collect();
        if want == Status::NotYetRated {
            if v.status != Status::NotYetRated {
                out.unrated_errors
                    .push(format!("{text}: got {} from {evidence:#?}", v.status));
            }
        } else {
            out.with_evidence += 1;
            if v.status == want {
                out.matched += 1;
            } else {
                out.mismatches.push(format!(
                    "{text}: want {want}, got {} from {evidence:#?}",
                    v.status
                ));
            }
        }
        if Some(v.overdue) != c["overdue"].as_bool() {
            out.overdue_errors
                .push(format!("{text}: overdue {}", v.overdue));
        }
        // No status without evidence.
        for h in &v.history {
            assert!(
                h.status == "not_yet_rated" || h.evidence.is_some(),
                "{text}: status without evidence"
            );
        }
    }
    out
}

#[test]
fn scenarios_match_the_analyst() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(scenarios_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expected.json").is_file())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 2, "at least two scenarios");
    let (mut total, mut matched) = (0, 0);
    let mut failures = Vec::new();
    for d in &dirs {
        let o = run_scenario(d);
        eprintln!(
            "scenario {}: {}/{} commitments with evidence match the analyst ({:.0}%)",
            o.name,
            o.matched,
            o.with_evidence,
            100.0 * o.matched as f64 / o.with_evidence.max(1) as f64
        );
        for m in &o.mismatches {
            eprintln!("  mismatch: {m}");
        }
        total += o.with_evidence;
        matched += o.matched;
        if (o.matched as f64) < 0.8 * o.with_evidence as f64 {
            failures.push(format!("{}: {}/{}", o.name, o.matched, o.with_evidence));
        }
        failures.extend(o.overdue_errors.iter().map(|e| format!("{}: {e}", o.name)));
        failures.extend(o.unrated_errors.iter().map(|e| format!("{}: {e}", o.name)));
    }
    eprintln!(
        "all scenarios: {matched}/{total} ({:.0}%)",
        100.0 * matched as f64 / total.max(1) as f64
    );
    assert!(failures.is_empty(), "{failures:#?}");
}
