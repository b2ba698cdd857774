//! The commitment tracker through the real binary: each scenario of `corpus/scenarios` is
//! ingested one document at a time in date order (the tracker runs after each ingest, with the
//! real cleaner and commitment extractor), every suggestion is accepted, and the JSONL export is
//! compared with `expected.json`.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn dyad(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dyad"))
        .args(args)
        .env_remove("DYAD_DATA")
        .env("NO_COLOR", "1")
        .output()
        .expect("dyad runs")
}

fn ok(args: &[&str]) -> String {
    let o = dyad(args);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../corpus/scenarios")
        .join(name)
}

fn ingest_in_order(dir: &Path, data: &str) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in &files {
        ok(&["ingest", f.to_str().unwrap(), "--data-dir", data, "-q"]);
    }
}

fn export(data: &str, as_of: &str) -> Vec<Value> {
    ok(&[
        "commitments",
        "export",
        "--format",
        "jsonl",
        "--as-of",
        as_of,
        "--data-dir",
        data,
    ])
    .lines()
    .map(|l| serde_json::from_str(l).unwrap())
    .collect()
}

#[test]
fn scenarios_end_to_end_match_the_analyst() {
    let (mut total, mut matched) = (0, 0);
    for name in ["gyeongju-deal", "trade-follow-through"] {
        let dir = scenario(name);
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap())
                .unwrap();
        let as_of = expected["as_of"].as_str().unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().to_str().unwrap();
        ingest_in_order(&dir, data);
        ok(&[
            "commitments",
            "review",
            "--accept-all",
            "--data-dir",
            data,
            "-q",
        ]);
        let lines = export(data, as_of);
        for c in expected["commitments"].as_array().unwrap() {
            let text = c["text"].as_str().unwrap();
            let Some(line) = lines
                .iter()
                .find(|l| l["text"].as_str().unwrap().contains(text))
            else {
                panic!("{name}: the registry lacks {text:?}");
            };
            for key in [
                "id", "holders", "topic", "amount", "due", "evidence", "history",
            ] {
                assert!(line.get(key).is_some(), "export has {key}");
            }
            assert_eq!(line["overdue"], c["overdue"], "{name}: overdue of {text}");
            if c["status"] != "not_yet_rated" {
                total += 1;
                if line["status"] == c["status"] {
                    matched += 1;
                } else {
                    eprintln!(
                        "{name}: {text}: want {}, got {}",
                        c["status"], line["status"]
                    );
                }
            }
            // No status without evidence.
            for h in line["history"].as_array().unwrap() {
                assert!(
                    h["status"] == "not_yet_rated" || h["evidence"].is_object(),
                    "{h}"
                );
            }
        }
    }
    eprintln!("end to end: {matched}/{total} commitments with evidence match the analyst");
    assert!(matched as f64 >= 0.8 * total as f64, "{matched}/{total}");
}

#[test]
fn analyst_workflow() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().to_str().unwrap();
    ingest_in_order(&scenario("trade-follow-through"), data);
    // Overdue as of the scenario's date.
    let list = ok(&[
        "commitments",
        "list",
        "--overdue",
        "--as-of",
        "2026-09-30",
        "--json",
        "--data-dir",
        data,
    ]);
    let overdue: Vec<Value> = list
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(overdue.len(), 2, "{list}");
    assert!(overdue.iter().all(|v| v["overdue"] == true));
    // Pending suggestions, then accept one and reject one.
    let pending: Vec<Value> = ok(&["commitments", "review", "--json", "--data-dir", data])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(pending.len() >= 4);
    let (a, r) = (
        pending[0]["suggestion"].as_str().unwrap(),
        pending[1]["suggestion"].as_str().unwrap(),
    );
    ok(&[
        "commitments",
        "review",
        "--accept",
        a,
        "--reject",
        r,
        "--note",
        "checked",
        "--data-dir",
        data,
    ]);
    let again = dyad(&["commitments", "review", "--accept", a, "--data-dir", data]);
    assert_eq!(
        again.status.code(),
        Some(1),
        "a decided suggestion cannot be decided again"
    );
    // A status needs evidence.
    let id = pending[0]["commitment"].as_str().unwrap();
    let no_ev = dyad(&[
        "commitments",
        "set-status",
        id,
        "delivered",
        "--note",
        "x",
        "--data-dir",
        data,
    ]);
    assert_eq!(no_ev.status.code(), Some(2));
    let doc = pending[0]["doc"].as_str().unwrap();
    ok(&[
        "commitments",
        "set-status",
        id,
        "delivered",
        "--evidence",
        doc,
        "--note",
        "paid",
        "--data-dir",
        data,
    ]);
    let show = ok(&["commitments", "show", id, "--json", "--data-dir", data]);
    let v: Value = serde_json::from_str(&show).unwrap();
    assert_eq!(v["status"], "delivered");
    let hist = v["history"].as_array().unwrap();
    assert_eq!(
        hist.len(),
        2,
        "the accepted suggestion and the analyst's status, both kept"
    );
    assert_eq!(hist[1]["note"], "paid");
    // CSV and compliance.
    let csv = ok(&[
        "commitments",
        "export",
        "--format",
        "csv",
        "--data-dir",
        data,
    ]);
    assert!(csv.starts_with("id,holders,text,topic,amount,due,status"));
    let c: Value = serde_json::from_str(&ok(&[
        "commitments",
        "compliance",
        "--json",
        "--as-of",
        "2026-09-30",
        "--data-dir",
        data,
    ]))
    .unwrap();
    assert!(c["overall"]["scored"].as_u64().unwrap() >= 2, "{c}");
    assert!(!c["by_holder"].as_array().unwrap().is_empty());
    // Unknown status: a usage error.
    assert_eq!(
        dyad(&[
            "commitments",
            "set-status",
            id,
            "kept",
            "--evidence",
            doc,
            "--data-dir",
            data
        ])
        .status
        .code(),
        Some(2)
    );
}

/// `dyad demo` fills the commitment registry the dashboard serves, not only the store.
#[test]
fn demo_runs_the_tracker_over_the_sample_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    let data = data.to_str().unwrap();
    ok(&["demo", "--no-serve", "--quiet", "--data-dir", data]);
    let listed = ok(&["commitments", "list", "--json", "--data-dir", data]);
    let tracked: Vec<Value> = listed
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        tracked.len() >= 5,
        "{} tracked commitment(s)",
        tracked.len()
    );
    assert!(
        tracked
            .iter()
            .any(|c| c["evidence"].as_array().is_some_and(|e| !e.is_empty())),
        "the tracker found evidence in later articles"
    );
}
