#![allow(clippy::unwrap_used)]

use dyad_model::{Commitment, Document, Format};
use dyad_store::Store;

use crate::{Status, Tracker};

fn doc(
    id: &str,
    date: &str,
    title: &str,
    text: &str,
    commitments: &[(&str, &str, Option<&str>)],
) -> Document {
    let commitments = commitments
        .iter()
        .map(|(holder, t, due)| {
            let start = text.find(t).expect("commitment text is in the document");
            Commitment {
                holders: vec![holder.to_string()],
                kind: "pledge".into(),
                text: t.to_string(),
                topic: None,
                amount: None,
                due: due.map(str::to_string),
                strength: None,
                beneficiary: vec![],
                legal_force: None,
                start,
                end: start + t.len(),
            }
        })
        .collect();
    Document {
        input: format!("{id}.txt"),
        id: id.into(),
        title: Some(title.into()),
        published: Some(date.into()),
        language: if text.is_ascii() {
            "en".into()
        } else {
            "ko".into()
        },
        source: None,
        byline: vec![],
        canonical_url: None,
        format: Format::Text,
        encoding: "UTF-8".into(),
        text: text.into(),
        removed: vec![],
        duplicate_of: None,
        entities: vec![],
        unresolved: vec![],
        times: vec![],
        events: vec![],
        quotes: vec![],
        commitments,
        topics: vec![],
        claims: vec![],
        tone: None,
        cleaned_with: None,
        warnings: vec![],
    }
}

const TARIFF: &str = "The United States will cap tariffs on Korean goods, including autos, at 15%.";
const INVEST: &str = "South Korea will invest $350 billion in the United States, including $150 billion for shipbuilding.";
const DEFENSE: &str = "South Korea will raise defense spending to 3.5% of GDP by 2035.";
const OPCON: &str =
    "The allies will complete the transition of wartime operational control by March 2026.";

fn fact_sheet() -> Document {
    let text = format!("Joint Fact Sheet\n\n{TARIFF}\n\n{INVEST}\n\n{DEFENSE}\n\n{OPCON}");
    doc(
        "dfact",
        "2025-11-14",
        "Joint Fact Sheet on the Summit",
        &text,
        &[
            ("United States", TARIFF, None),
            ("South Korea", INVEST, None),
            ("South Korea", DEFENSE, Some("2035")),
            ("South Korea", OPCON, Some("2026-03")),
        ],
    )
}

fn setup(docs: &[Document]) -> (tempfile::TempDir, Store, Tracker) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    store.put_documents(docs).unwrap();
    let tracker = Tracker::new().unwrap();
    tracker.update(&mut store, false).unwrap();
    (dir, store, tracker)
}

fn suggested(store: &Store, tracker: &Tracker, needle: &str, as_of: &str) -> Option<Status> {
    tracker
        .views(store, as_of)
        .unwrap()
        .into_iter()
        .find(|v| v.tracked.text.contains(needle))
        .unwrap_or_else(|| panic!("no commitment {needle:?}"))
        .suggested
}

#[test]
fn the_issue_examples_get_the_statuses_an_analyst_gives() {
    let (_d, store, t) = setup(&[
        fact_sheet(),
        doc(
            "d1",
            "2026-01-10",
            "Tariff threat",
            "Trump says tariffs on Korean goods go back to 25% unless Seoul moves faster.",
            &[],
        ),
        doc(
            "d2",
            "2026-02-20",
            "Assembly acts",
            "The National Assembly's special act on investment in the United States passed 226–8 on Thursday.",
            &[],
        ),
        doc(
            "d3",
            "2026-03-02",
            "Budget",
            "Next year the defense budget rises 7.5%, the ministry said.",
            &[],
        ),
    ]);
    assert_eq!(
        suggested(&store, &t, "15%", "2026-12-31"),
        Some(Status::AtRisk)
    );
    assert_eq!(
        suggested(&store, &t, "$350 billion", "2026-12-31"),
        Some(Status::InProgress)
    );
    assert_eq!(
        suggested(&store, &t, "3.5%", "2026-12-31"),
        Some(Status::InProgress)
    );
    // As of an earlier date, later evidence does not count.
    assert_eq!(suggested(&store, &t, "15%", "2025-12-31"), None);
}

#[test]
fn korean_articles_are_evidence_and_syndicated_copies_count_once() {
    let ko = doc(
        "dko",
        "2026-02-21",
        "대미투자특별법 국회 통과",
        "국회는 20일 본회의에서 대미투자특별법을 찬성 226표, 반대 8표로 통과시켰다.",
        &[],
    );
    let mut copy = doc(
        "dcopy",
        "2026-02-22",
        "대미투자특별법 국회 통과 (전재)",
        "국회는 20일 본회의에서 대미투자특별법을 찬성 226표, 반대 8표로 통과시켰다.",
        &[],
    );
    copy.duplicate_of = Some("dko.txt".into());
    let ko_threat = doc(
        "dko2",
        "2026-04-01",
        "관세 위협",
        "트럼프 대통령은 한국산 자동차 관세를 25%로 되돌리겠다고 위협했다.",
        &[],
    );
    let (_d, store, t) = setup(&[fact_sheet(), ko, copy, ko_threat]);
    let views = t.views(&store, "2026-12-31").unwrap();
    let invest = views
        .iter()
        .find(|v| v.tracked.text.contains("$350"))
        .unwrap();
    assert_eq!(invest.suggested, Some(Status::InProgress));
    assert_eq!(
        invest.evidence.len(),
        2,
        "title and body of the original, not the copy: {:?}",
        invest.evidence
    );
    assert!(invest.evidence.iter().all(|e| e.doc == "dko"));
    let tariff = views
        .iter()
        .find(|v| v.tracked.text.contains("15%"))
        .unwrap();
    assert_eq!(tariff.suggested, Some(Status::AtRisk));
}

#[test]
fn restatements_merge_and_changes_are_drift() {
    let restated =
        "South Korea agreed to invest $350 billion in the United States over several years.";
    let changed = "South Korea will raise defense spending to 3.8% of GDP by 2035.";
    let article = doc(
        "dart",
        "2025-11-20",
        "What the deal says",
        &format!("{restated} {changed}"),
        &[
            ("South Korea", restated, None),
            ("South Korea", changed, Some("2035")),
        ],
    );
    let (_d, store, t) = setup(&[fact_sheet(), article]);
    let views = t.views(&store, "2026-01-01").unwrap();
    assert_eq!(
        views.len(),
        4,
        "restatements join the fact sheet's commitments"
    );
    let invest = views
        .iter()
        .find(|v| v.tracked.text.contains("$350"))
        .unwrap();
    assert_eq!(invest.tracked.sources.len(), 2);
    assert_eq!(invest.tracked.first.doc_id, "dfact");
    assert_eq!(invest.tracked.first.date.as_deref(), Some("2025-11-14"));
    let defense = views
        .iter()
        .find(|v| v.tracked.text.contains("3.5%"))
        .unwrap();
    assert_eq!(defense.tracked.drift.len(), 1);
    assert_eq!(defense.tracked.drift[0].change, "changed");
    assert_eq!(defense.tracked.legal_force.as_deref(), Some("non_binding"));
}

#[test]
fn overdue_when_the_deadline_passes_without_delivery() {
    let (_d, store, t) = setup(&[fact_sheet()]);
    let opcon = |as_of: &str| {
        t.views(&store, as_of)
            .unwrap()
            .into_iter()
            .find(|v| v.tracked.text.contains("operational control"))
            .unwrap()
    };
    assert!(!opcon("2026-03-31").overdue);
    assert!(opcon("2026-04-01").overdue);
    let (_d2, store2, t2) = setup(&[
        fact_sheet(),
        doc(
            "dd",
            "2026-03-20",
            "Handover",
            "Wartime operational control was transferred to Seoul and the transition completed on Friday.",
            &[],
        ),
    ]);
    let v = t2
        .views(&store2, "2026-06-01")
        .unwrap()
        .into_iter()
        .find(|v| v.tracked.text.contains("operational control"))
        .unwrap();
    assert_eq!(v.suggested, Some(Status::Delivered));
    assert!(!v.overdue);
}

#[test]
fn review_history_and_audit() {
    let (_d, mut store, t) = setup(&[
        fact_sheet(),
        doc(
            "d1",
            "2026-01-10",
            "Tariff threat",
            "Trump says tariffs on Korean goods go back to 25%.",
            &[],
        ),
        doc(
            "d2",
            "2026-02-20",
            "Assembly acts",
            "The special act on investment passed 226–8.",
            &[],
        ),
    ]);
    let pending = t.pending(&store).unwrap();
    assert!(pending.len() >= 2);
    let threats: Vec<i64> = pending
        .iter()
        .filter(|e| e.status == "at_risk")
        .map(|e| e.seq)
        .collect();
    assert_eq!(threats.len(), 2, "the title and the sentence: {pending:?}");
    for s in &threats {
        t.review(&mut store, *s, false, "analyst:lee", Some("campaign talk"))
            .unwrap();
    }
    assert!(
        t.review(&mut store, threats[0], true, "analyst:lee", None)
            .is_err(),
        "decided once"
    );
    let n = t.accept_all(&mut store, "analyst:lee", None).unwrap();
    assert_eq!(n, pending.len() - 2);
    let views = t.views(&store, "2026-12-31").unwrap();
    let tariff = views
        .iter()
        .find(|v| v.tracked.text.contains("15%"))
        .unwrap();
    assert_eq!(
        tariff.status,
        Status::NotYetRated,
        "the rejected threat set nothing"
    );
    let invest = views
        .iter()
        .find(|v| v.tracked.text.contains("$350"))
        .unwrap();
    assert_eq!(invest.status, Status::InProgress);
    assert!(
        invest
            .history
            .iter()
            .all(|h| h.by == "dyad" && h.confidence.is_some() && h.evidence.is_some())
    );
    // An analyst's status needs evidence; with it, it is appended, never overwriting.
    let id = invest.tracked.id.clone();
    let before = invest.history.clone();
    assert!(
        t.set_status(
            &mut store,
            &id,
            Status::Delivered,
            None,
            None,
            Some("done"),
            "analyst:lee"
        )
        .is_err()
    );
    t.set_status(
        &mut store,
        &id,
        Status::Stalled,
        Some("d2"),
        None,
        Some("money not sent"),
        "analyst:lee",
    )
    .unwrap();
    let invest = t
        .views(&store, "2026-12-31")
        .unwrap()
        .into_iter()
        .find(|v| v.tracked.id == id)
        .unwrap();
    assert_eq!(invest.status, Status::Stalled);
    assert_eq!(invest.history.len(), before.len() + 1);
    assert_eq!(
        invest.history[..before.len()],
        before[..],
        "history is never overwritten"
    );
    assert_eq!(
        invest.history.last().unwrap().note.as_deref(),
        Some("money not sent")
    );
    let audit = store.track_audit_log().unwrap();
    for action in ["register", "suggest", "reject", "accept", "set-status"] {
        assert!(
            audit.iter().any(|a| a.action == action),
            "{action} is audited"
        );
    }
}

#[test]
fn merge_and_split() {
    let (_d, mut store, t) = setup(&[fact_sheet()]);
    let views = t.views(&store, "2026-01-01").unwrap();
    let invest = views
        .iter()
        .find(|v| v.tracked.text.contains("$350"))
        .unwrap()
        .tracked
        .id
        .clone();
    let defense = views
        .iter()
        .find(|v| v.tracked.text.contains("3.5%"))
        .unwrap()
        .tracked
        .id
        .clone();
    let parts = t
        .split(
            &mut store,
            &invest,
            &[
                "South Korea will invest $200 billion in cash.".into(),
                "South Korea will put $150 billion into shipbuilding.".into(),
            ],
            "analyst:lee",
        )
        .unwrap();
    assert_eq!(parts.len(), 2);
    let views = t.views(&store, "2026-01-01").unwrap();
    assert_eq!(views.len(), 5, "the original gives way to its two parts");
    t.merge(
        &mut store,
        &parts[0],
        std::slice::from_ref(&defense),
        "analyst:lee",
    )
    .unwrap();
    let views = t.views(&store, "2026-01-01").unwrap();
    assert_eq!(views.len(), 4);
    let merged = views.iter().find(|v| v.tracked.id == parts[0]).unwrap();
    assert_eq!(merged.tracked.merged, vec![defense]);
}

#[test]
fn compliance_scores_like_the_g7_research_group() {
    let (_d, mut store, t) = setup(&[
        fact_sheet(),
        doc(
            "d1",
            "2026-01-10",
            "Tariffs cut",
            "The lower 15% tariff on Korean autos took effect on Jan. 1, retroactive to November.",
            &[],
        ),
        doc(
            "d2",
            "2026-02-20",
            "Assembly acts",
            "The special act on investment passed 226–8.",
            &[],
        ),
    ]);
    t.accept_all(&mut store, "analyst:test", None).unwrap();
    let views = t.views(&store, "2026-06-30").unwrap();
    let c = t.compliance(&views, "2026-06-30");
    // Tariffs delivered (+1), investment in progress (0), OPCON overdue and not started (-1);
    // defense not rated (not scored).
    assert_eq!(c.overall.scored, 3, "{c:?}");
    assert_eq!(
        (c.overall.full, c.overall.partial, c.overall.none),
        (1, 1, 1)
    );
    assert_eq!(c.overall.percent, 50.0);
    let us = c
        .by_holder
        .iter()
        .find(|r| r.group == "United States")
        .unwrap();
    assert_eq!(us.percent, 100.0);
}

#[test]
fn embedded_rules_load_and_statuses_round_trip() {
    let t = Tracker::new().unwrap();
    assert!(t.rules.cues.len() >= 8);
    for s in Status::ALL {
        assert_eq!(s.as_str().parse::<Status>().unwrap(), s);
    }
    assert!("kept".parse::<Status>().is_err());
}

/// The board (a page or one commitment at a time, for `dyad serve`) says what the views say:
/// status, suggestion, overdue flag, evidence and history, through reviews, statuses and a merge.
#[test]
fn the_board_agrees_with_the_views() {
    use dyad_store::{Page, TrackFilter};
    let (_d, mut store, t) = setup(&[
        fact_sheet(),
        doc(
            "d1",
            "2026-01-10",
            "Tariff threat",
            "Trump says tariffs on Korean goods go back to 25% unless Seoul moves faster.",
            &[],
        ),
        doc(
            "d2",
            "2026-02-20",
            "Assembly acts",
            "The National Assembly's special act on investment in the United States passed 226–8 on Thursday.",
            &[],
        ),
        doc(
            "d3",
            "2026-03-02",
            "Budget",
            "Next year the defense budget rises 7.5%, the ministry said.",
            &[],
        ),
    ]);
    let day = "2099-12-31";
    let all = Page {
        offset: 0,
        limit: 100,
    };
    let check = |store: &Store| {
        let views = t.views(store, day).unwrap();
        let board = t.board(store, &TrackFilter::default(), all, day).unwrap();
        assert_eq!(board.total as usize, views.len());
        for v in &views {
            let c = board
                .items
                .iter()
                .find(|c| c.tracked.id == v.tracked.id)
                .unwrap();
            assert_eq!(c.status, v.status, "{}", v.tracked.text);
            assert_eq!(c.suggested, v.suggested, "{}", v.tracked.text);
            assert_eq!(c.overdue, v.overdue, "{}", v.tracked.text);
            let ev = t.evidence_of(store, c, all).unwrap();
            assert_eq!(ev.total as usize, v.evidence.len());
            let hist = t.history_of(store, c, 100).unwrap();
            assert_eq!(hist.len(), v.history.len());
            assert_eq!(
                c.last.as_ref().map(|h| &h.status),
                v.history.last().map(|h| &h.status)
            );
        }
        let summary = t.summary(store, day).unwrap();
        assert_eq!(summary.total as usize, views.len());
        assert_eq!(
            summary.overdue as usize,
            views.iter().filter(|v| v.overdue).count()
        );
        views
    };
    let views = check(&store);
    assert!(
        views.iter().any(|v| v.overdue),
        "as of 2099 deadlines passed"
    );
    let pending = t.suggestions(&store, None, all).unwrap();
    assert_eq!(pending.total as usize, t.pending(&store).unwrap().len());
    // Reject the threats, accept the rest: statuses follow on both sides.
    for s in &pending.items {
        let accept = s.evidence.status != "at_risk";
        t.review(&mut store, s.evidence.seq, accept, "analyst:lee", None)
            .unwrap();
    }
    assert_eq!(t.suggestions(&store, None, all).unwrap().total, 0);
    check(&store);
    // A status needs evidence; a suggestion is evidence.
    let invest = views
        .iter()
        .find(|v| v.tracked.text.contains("$350"))
        .unwrap()
        .tracked
        .id
        .clone();
    let s = pending.items[0].evidence.seq;
    assert!(
        t.set_status_with(
            &mut store,
            &invest,
            Status::Delivered,
            crate::StatusEvidence::None,
            None,
            "analyst:lee"
        )
        .is_err()
    );
    t.set_status_with(
        &mut store,
        &invest,
        Status::Delivered,
        crate::StatusEvidence::Suggestion(s),
        None,
        "analyst:lee",
    )
    .unwrap();
    let delivered = TrackFilter {
        status: Some("delivered".into()),
        ..TrackFilter::default()
    };
    let page = t.board(&store, &delivered, all, day).unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].tracked.id, invest);
    check(&store);
    // Merging the defense commitment into the investment one: one card fewer, its history
    // and evidence count for the investment one.
    let defense = views
        .iter()
        .find(|v| v.tracked.text.contains("3.5%"))
        .unwrap()
        .tracked
        .id
        .clone();
    t.merge_with(
        &mut store,
        &invest,
        std::slice::from_ref(&defense),
        "analyst:lee",
        Some("one package"),
    )
    .unwrap();
    let after = check(&store);
    assert_eq!(after.len(), views.len() - 1);
    let gone = t.card_of(&store, &defense, day).unwrap().unwrap();
    assert!(!gone.root);
    assert_eq!(gone.status, Status::Superseded);
    let holder = TrackFilter {
        holder: Some("united states".into()),
        ..TrackFilter::default()
    };
    let us = t.board(&store, &holder, all, day).unwrap();
    assert!(
        us.items
            .iter()
            .all(|c| c.tracked.holders.iter().any(|h| h == "United States"))
    );
    assert!(us.total >= 1);
}
