#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use dyad_model::{Claim, Commitment, Entity, Event, Mention, Quote, Removed, Topic, doc_id};

use super::*;

fn doc(input: &str, title: &str, text: &str) -> Document {
    Document::new(input, Some(title), text)
}

/// A document with every field set, including awkward floats and non-ASCII text.
fn full_doc() -> Document {
    let text = "한미 국방장관은 경주에서 만났다. Seoul pledged $350 billion.";
    Document {
        input: "/news/a.html".to_string(),
        id: doc_id(Some("한미 회담"), text),
        title: Some("한미 회담".to_string()),
        published: Some("2025-10-29T10:00:00+09:00".to_string()),
        language: "ko".to_string(),
        source: Some("Yonhap".to_string()),
        byline: vec!["김기자".to_string(), "Jane Doe".to_string()],
        canonical_url: Some("https://example.com/a".to_string()),
        format: Format::Html,
        encoding: "EUC-KR".to_string(),
        text: text.to_string(),
        removed: vec![Removed {
            text: "Subscribe now".to_string(),
            reason: "advert".to_string(),
        }],
        duplicate_of: Some("dffffffffffffff".to_string()),
        entities: vec![Entity {
            name: "Seoul".to_string(),
            kind: "GPE".to_string(),
            id: Some("Q8684".to_string()),
            aliases: vec!["서울".to_string()],
            mentions: vec![Mention {
                start: 44,
                end: 49,
                text: "Seoul".to_string(),
            }],
        }],
        unresolved: Vec::new(),
        times: Vec::new(),
        events: vec![Event {
            kind: "CONSULT".to_string(),
            mode: Some("visit".to_string()),
            context: vec!["military".to_string()],
            date: Some("2025-10-29".to_string()),
            status: "occurred".to_string(),
            actors: vec!["KOR".to_string()],
            recipients: vec!["USA".to_string()],
            place: Some("경주".to_string()),
            topic: Some("diplomacy.summits".to_string()),
            text: "만났다".to_string(),
            start: 30,
            end: 39,
            mentions: vec![dyad_model::Span { start: 30, end: 39 }],
        }],
        quotes: vec![Quote {
            speaker: None,
            text: "we stand together".to_string(),
            direct: true,
            cue: Some("said".to_string()),
            start: 1,
            end: 2,
            tone: Some(0.5),
        }],
        commitments: vec![Commitment {
            holders: vec!["KOR".to_string()],
            kind: "pledge".to_string(),
            text: "pledged $350 billion".to_string(),
            topic: Some("investment".to_string()),
            amount: Some("$350 billion".to_string()),
            due: None,
            strength: Some("firm".to_string()),
            beneficiary: vec!["USA".to_string()],
            legal_force: Some("non_binding".to_string()),
            start: 50,
            end: 70,
        }],
        topics: vec![
            Topic {
                id: "trade".to_string(),
                label: "Trade".to_string(),
                score: 0.1 + 0.2,
            },
            Topic {
                id: "defense".to_string(),
                label: "Defense".to_string(),
                score: 1.0 / 3.0,
            },
        ],
        claims: vec![Claim {
            text: "$350 billion".to_string(),
            reason: "unverified figure".to_string(),
        }],
        warnings: vec!["replaced 2 invalid bytes".to_string()],
        tone: Some(dyad_model::Tone {
            score: -0.25,
            positive: 3,
            negative: 5,
        }),
        cleaned_with: Some("dyad-clean 0.1.0; boilerplate 1".into()),
    }
}

fn count(store: &Store, table: &str) -> i64 {
    store
        .conn
        .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

/// Every column of a document row, as SQLite values, to compare rows byte for byte.
fn raw_row(store: &Store, id: &str) -> Vec<rusqlite::types::Value> {
    let mut stmt = store
        .conn
        .prepare("SELECT * FROM documents WHERE id = ?1")
        .unwrap();
    let n = stmt.column_count();
    stmt.query_row([id], |row| {
        (0..n)
            .map(|i| row.get::<_, rusqlite::types::Value>(i))
            .collect::<Result<Vec<_>, _>>()
    })
    .unwrap()
}

#[test]
fn open_creates_dir_db_wal_and_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("nested/data");
    let store = Store::open(&dir).unwrap();
    assert!(dir.join(DB_FILE).is_file());
    assert_eq!(store.path(), dir.join(DB_FILE));
    assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
    let mode: String = store
        .conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = store
        .conn
        .pragma_query_value(None, "foreign_keys", |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 1);
    let sync: i64 = store
        .conn
        .pragma_query_value(None, "synchronous", |r| r.get(0))
        .unwrap();
    assert_eq!(sync, 1, "synchronous=NORMAL");
    drop(store);
    // Reopening an up-to-date database is a no-op migration.
    let store = Store::open(&dir).unwrap();
    assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
    assert_eq!(store.max_seq().unwrap(), 0);
}

#[test]
fn migrations_are_valid_and_newer_db_is_refused() {
    Migrations::from_slice(MIGRATIONS).validate().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(tmp.path()).unwrap();
    store.conn.pragma_update(None, "user_version", 99).unwrap();
    drop(store);
    let err = Store::open(tmp.path()).unwrap_err();
    assert!(matches!(err, StoreError::Migration(_)), "{err}");
}

#[test]
fn round_trip_is_equal() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    let full = full_doc();
    let plain = doc("b.txt", "Plain", "Just text.");
    let out = store.put_documents(&[full.clone(), plain.clone()]).unwrap();
    assert_eq!(
        out,
        vec![PutOutcome::New { seq: 1 }, PutOutcome::New { seq: 2 }]
    );
    drop(store);

    let store = Store::open(tmp.path()).unwrap();
    assert_eq!(store.get(&full.id).unwrap(), Some(full.clone()));
    assert_eq!(store.get(&plain.id).unwrap(), Some(plain.clone()));
    assert_eq!(store.max_seq().unwrap(), 2);
    let after = store.documents_after(0, 10).unwrap();
    assert_eq!(after, vec![(1, full.clone()), (2, plain.clone())]);
    assert_eq!(store.documents_after(1, 10).unwrap(), vec![(2, plain)]);
    assert_eq!(
        store.documents_after(0, 1).unwrap(),
        vec![(1, full.clone())]
    );
    assert!(store.documents_after(2, 10).unwrap().is_empty());
    // Fingerprint is stored and indexed.
    assert_eq!(
        store
            .find_by_fingerprint(&text_fingerprint(&full.text))
            .unwrap(),
        Some(full.input.clone())
    );
    assert_eq!(store.find_by_fingerprint("nope").unwrap(), None);
}

#[test]
fn reput_is_unchanged_and_records_input() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    let a = full_doc();
    store.put_documents(std::slice::from_ref(&a)).unwrap();
    let before = raw_row(&store, &a.id);

    // Same id from another path, with different metadata: the row must not change.
    let mut again = a.clone();
    again.input = "/mirror/a.html".to_string();
    again.source = Some("Other".to_string());
    let out = store
        .put_documents(&[again.clone(), again.clone()])
        .unwrap();
    assert_eq!(
        out,
        vec![
            PutOutcome::Unchanged { seq: 1 },
            PutOutcome::Unchanged { seq: 1 }
        ]
    );
    assert_eq!(raw_row(&store, &a.id), before);
    assert_eq!(store.get(&a.id).unwrap(), Some(a.clone()));
    assert_eq!(count(&store, "documents"), 1);
    assert_eq!(
        store.inputs_of(&a.id).unwrap(),
        vec!["/mirror/a.html".to_string(), "/news/a.html".to_string()]
    );
    assert_eq!(count(&store, "inputs"), 2);

    // A new document gets the next seq; a duplicate inside one batch reuses the first seq.
    let b = doc("b.txt", "B", "bee");
    let out = store.put_documents(&[b.clone(), b.clone()]).unwrap();
    assert_eq!(
        out,
        vec![PutOutcome::New { seq: 2 }, PutOutcome::Unchanged { seq: 2 }]
    );
    assert!(out[0].is_new() && !out[1].is_new());
    assert_eq!(out[1].seq(), 2);
    assert_eq!(count(&store, "documents"), 2);
}

#[test]
fn seq_is_never_reused() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    store
        .put_documents(&[doc("a", "A", "a"), doc("b", "B", "b")])
        .unwrap();
    store
        .conn
        .execute("DELETE FROM documents WHERE seq = 2", [])
        .unwrap();
    assert_eq!(count(&store, "inputs"), 1, "inputs cascade with documents");
    let out = store.put_documents(&[doc("c", "C", "c")]).unwrap();
    assert_eq!(out, vec![PutOutcome::New { seq: 3 }]);
}

#[test]
fn prefix_lookup_and_ambiguity() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    let mut a = doc("a", "A", "alpha");
    a.id = "dabc111".to_string();
    let mut b = doc("b", "B", "beta");
    b.id = "dabc222".to_string();
    let mut c = doc("c", "C", "gamma");
    c.id = "dxyz".to_string();
    let mut d = doc("d", "D", "delta");
    d.id = "dabc1".to_string(); // a full id that is also a prefix of another id
    store
        .put_documents(&[a.clone(), b.clone(), c.clone(), d.clone()])
        .unwrap();

    assert_eq!(store.get("dabc111").unwrap(), Some(a.clone()));
    assert_eq!(store.get("dabc11").unwrap(), Some(a));
    assert_eq!(store.get("dabc2").unwrap(), Some(b));
    assert_eq!(store.get("dx").unwrap(), Some(c));
    assert_eq!(store.get("dabc1").unwrap(), Some(d), "exact id wins");
    assert_eq!(store.get("dq").unwrap(), None);
    assert_eq!(store.get("").unwrap(), None);
    match store.get("dabc") {
        Err(StoreError::Ambiguous { prefix, candidates }) => {
            assert_eq!(prefix, "dabc");
            assert_eq!(candidates, vec!["dabc1", "dabc111", "dabc222"]);
        }
        other => panic!("expected Ambiguous, got {other:?}"),
    }
    let msg = store.get("d").unwrap_err().to_string();
    assert!(msg.contains("dabc222") && msg.contains("dxyz"), "{msg}");
}

#[test]
fn stats_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    assert_eq!(store.stats().unwrap(), Stats::default());

    let full = full_doc(); // ko, Yonhap, html, duplicate, 1 removed, 2025-10-29...
    let mut e1 = doc("e1.txt", "E1", "one");
    e1.published = Some("2024-01".to_string());
    e1.source = Some("Reuters".to_string());
    e1.removed = vec![
        Removed {
            text: "x".into(),
            reason: "footer".into(),
        },
        Removed {
            text: "y".into(),
            reason: "navigation".into(),
        },
    ];
    let e2 = doc("e2.txt", "E2", "two");
    let mut e1_again = e1.clone();
    e1_again.input = "copy/e1.txt".to_string();
    store.put_documents(&[full, e1, e2, e1_again]).unwrap();
    store.record_failure("bad.pdf", "unsupported").unwrap();

    let s = store.stats().unwrap();
    assert_eq!(s.documents, 3);
    assert_eq!(
        s.by_language,
        vec![("en".to_string(), 2), ("ko".to_string(), 1)]
    );
    assert_eq!(
        s.by_source,
        vec![
            ("(none)".to_string(), 1),
            ("Reuters".to_string(), 1),
            ("Yonhap".to_string(), 1)
        ]
    );
    assert_eq!(
        s.by_format,
        vec![("text".to_string(), 2), ("html".to_string(), 1)]
    );
    assert_eq!(s.duplicates, 1);
    assert_eq!(s.removed_items, 3);
    assert_eq!(s.earliest.as_deref(), Some("2024-01"));
    assert_eq!(s.latest.as_deref(), Some("2025-10-29T10:00:00+09:00"));
    assert_eq!(s.inputs, 4);
    assert_eq!(s.failures, 1);
}

#[test]
fn failure_log_keeps_latest_per_input() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    store.record_failure("a.html", "timeout").unwrap();
    store.record_failure("b.html", "404").unwrap();
    store.record_failure("a.html", "bad encoding").unwrap();
    let f = store.failures().unwrap();
    assert_eq!(f.len(), 2);
    assert_eq!(
        (f[0].input.as_str(), f[0].error.as_str()),
        ("a.html", "bad encoding")
    );
    assert_eq!(
        (f[1].input.as_str(), f[1].error.as_str()),
        ("b.html", "404")
    );
    store.clear_failure("a.html").unwrap();
    store.clear_failure("never-failed").unwrap();
    let f = store.failures().unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].input, "b.html");
    drop(store);
    let store = Store::open(tmp.path()).unwrap();
    assert_eq!(store.stats().unwrap().failures, 1);
}

#[test]
fn integrity_check_ok_and_detects_corruption() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    store.put_documents(&[full_doc()]).unwrap();
    assert!(store.integrity_check().unwrap());
    // Make an index disagree with its table: integrity_check must notice.
    store
        .conn
        .execute_batch(
            "PRAGMA writable_schema = ON;
             UPDATE sqlite_schema SET sql = 'CREATE INDEX documents_published ON documents (language)'
               WHERE name = 'documents_published';
             PRAGMA writable_schema = OFF;",
        )
        .unwrap();
    drop(store);
    let store = Store::open(tmp.path()).unwrap();
    assert!(!store.integrity_check().unwrap());
}

#[test]
fn failed_batch_leaves_no_partial_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    let first = doc("first", "First", "first text");
    store.put_documents(std::slice::from_ref(&first)).unwrap();
    // A trigger that aborts the third insert of the next batch.
    store
        .conn
        .execute_batch(
            "CREATE TRIGGER boom BEFORE INSERT ON documents WHEN NEW.input = 'boom'
             BEGIN SELECT RAISE(ABORT, 'forced failure'); END;",
        )
        .unwrap();
    let mut again = first.clone();
    again.input = "first-copy".to_string();
    let batch = [
        doc("ok1", "Ok1", "fine"),
        again,
        doc("boom", "Boom", "explodes"),
        doc("ok2", "Ok2", "never reached"),
    ];
    let err = store.put_documents(&batch).unwrap_err();
    assert!(err.to_string().contains("forced failure"), "{err}");
    assert_eq!(count(&store, "documents"), 1);
    assert_eq!(
        count(&store, "inputs"),
        1,
        "the extra input of an Unchanged doc rolled back"
    );
    assert_eq!(store.max_seq().unwrap(), 1);
    assert_eq!(store.get(&batch[0].id).unwrap(), None);

    // An invalid document also aborts the whole batch.
    let mut bad = doc("bad", "Bad", "bad");
    bad.id = String::new();
    let err = store
        .put_documents(&[doc("ok3", "Ok3", "fine too"), bad])
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err}");
    assert_eq!(count(&store, "documents"), 1);
    assert!(store.integrity_check().unwrap());
}

const CHILD_ENV: &str = "DYAD_STORE_SIGKILL_DIR";
const CHILD_READY: &str = "DYAD_STORE_CHILD_READY";

/// Helper for [`sigkill_mid_batch_leaves_db_as_before`]: runs in a child process, writes a
/// large batch without committing, announces it, then waits to be killed.
#[test]
#[ignore = "helper process for sigkill_mid_batch_leaves_db_as_before"]
fn sigkill_child() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return;
    };
    let mut store = Store::open(Path::new(&dir)).unwrap();
    // A 2 MB page cache, so the uncommitted batch spills into the WAL before the kill.
    store.conn.pragma_update(None, "cache_size", -2000).unwrap();
    let filler = "alliance tariff troops ".repeat(200);
    let docs: Vec<Document> = (0..2000)
        .map(|i| {
            doc(
                &format!("big{i}"),
                &format!("Big {i}"),
                &format!("{i} {filler}"),
            )
        })
        .collect();
    let tx = store.conn.transaction().unwrap();
    put_in_tx(&tx, &docs).unwrap();
    println!("{CHILD_READY}");
    std::io::stdout().flush().unwrap();
    std::thread::sleep(Duration::from_secs(120));
}

#[test]
fn sigkill_mid_batch_leaves_db_as_before() {
    let tmp = tempfile::tempdir().unwrap();
    let base = doc("base", "Base", "base text");
    {
        let mut store = Store::open(tmp.path()).unwrap();
        store.put_documents(std::slice::from_ref(&base)).unwrap();
    }
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "tests::sigkill_child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, tmp.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let ready = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .any(|line| line.contains(CHILD_READY));
    assert!(ready, "child never reached the middle of its batch");
    // The batch is big enough that SQLite spilled uncommitted pages into the WAL.
    let wal = std::fs::metadata(tmp.path().join(format!("{DB_FILE}-wal")))
        .unwrap()
        .len();
    assert!(
        wal > 1_000_000,
        "expected uncommitted frames in the WAL, got {wal} bytes"
    );
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();

    let store = Store::open(tmp.path()).unwrap();
    assert!(store.integrity_check().unwrap());
    assert_eq!(count(&store, "documents"), 1);
    assert_eq!(count(&store, "inputs"), 1);
    assert_eq!(store.max_seq().unwrap(), 1);
    assert_eq!(store.get(&base.id).unwrap(), Some(base));
    // The store is fully usable afterwards.
    let mut store = store;
    let out = store.put_documents(&[doc("next", "Next", "next")]).unwrap();
    assert_eq!(out, vec![PutOutcome::New { seq: 2 }]);
}

fn with_entities(input: &str, text: &str, ents: &[(&str, Option<&str>, usize)]) -> Document {
    let mut d = doc(input, input, text);
    d.entities = ents
        .iter()
        .map(|(name, id, n)| Entity {
            name: name.to_string(),
            kind: "person".to_string(),
            id: id.map(str::to_string),
            aliases: vec![],
            mentions: (0..*n)
                .map(|i| Mention {
                    start: i,
                    end: i + 1,
                    text: "x".into(),
                })
                .collect(),
        })
        .collect();
    d
}

#[test]
fn entity_mentions_and_cooccurrence_across_documents() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    store
        .put_documents(&[
            with_entities(
                "a",
                "one",
                &[
                    ("Lee Jae-myung", Some("lee"), 3),
                    ("Donald Trump", Some("trump"), 2),
                ],
            ),
            with_entities(
                "b",
                "two",
                &[("Lee Jae-myung", Some("lee"), 1), ("Kim OO", None, 1)],
            ),
            with_entities("c", "three", &[("Donald Trump", Some("trump"), 1)]),
        ])
        .unwrap();
    let top = store.entities(None, 10).unwrap();
    let summary: Vec<(&str, u64, u64)> = top
        .iter()
        .map(|e| (e.name.as_str(), e.documents, e.mentions))
        .collect();
    assert_eq!(
        summary,
        [
            ("Donald Trump", 2, 3),
            ("Lee Jae-myung", 2, 4),
            ("Kim OO", 1, 1)
        ]
    );
    let with_lee = store.cooccurring("lee", 10, None).unwrap();
    let names: Vec<(&str, u64)> = with_lee
        .iter()
        .map(|e| (e.name.as_str(), e.documents))
        .collect();
    assert_eq!(names, [("Donald Trump", 1), ("Kim OO", 1)]);
    assert_eq!(with_lee[1].key, "new:person:Kim OO");
    // A window of one document: the latest one mentioning Lee (b, stored last) only.
    let recent = store.cooccurring("lee", 10, Some(1)).unwrap();
    assert_eq!(recent.len(), 1);
    assert_eq!(recent[0].name, "Kim OO");
    assert_eq!(store.documents_with("trump", 10).unwrap().len(), 2);
    assert_eq!(store.entities(Some("kim"), 10).unwrap().len(), 1);
    // Re-putting a document does not count its entities twice.
    store
        .put_documents(&[with_entities(
            "a",
            "one",
            &[
                ("Lee Jae-myung", Some("lee"), 3),
                ("Donald Trump", Some("trump"), 2),
            ],
        )])
        .unwrap();
    assert_eq!(store.entities(Some("lee"), 10).unwrap()[0].mentions, 4);
}

#[test]
fn tracker_history_and_audit_are_append_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    store
        .track_write(|t| -> Result<(), StoreError> {
            t.put_commitment(&CommitmentRow {
                id: "c1".into(),
                data: "{}".into(),
                merged_into: None,
            })?;
            t.add_status(&StatusRow {
                seq: 0,
                commitment_id: "c1".into(),
                status: "in_progress".into(),
                at: Some("2026-01-02".into()),
                recorded_at: String::new(),
                by: "analyst:kim".into(),
                confidence: None,
                note: Some("law passed".into()),
                evidence_seq: None,
                evidence_doc: Some("d1".into()),
                evidence_input: Some("a.txt".into()),
                evidence_text: Some("The act passed.".into()),
            })?;
            t.audit("analyst:kim", "set-status", Some("c1"), "{}")
        })
        .unwrap();
    for sql in [
        "UPDATE track_status SET status = 'delivered'",
        "DELETE FROM track_status",
        "UPDATE track_audit SET actor = 'x'",
        "DELETE FROM track_audit",
    ] {
        let err = store.track_execute_raw(sql).unwrap_err().to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(store.track_statuses().unwrap().len(), 1);
    assert_eq!(store.track_audit_log().unwrap().len(), 1);
    // A status other than not_yet_rated without evidence is refused by the schema itself.
    let err = store.track_execute_raw(
        "INSERT INTO track_status (commitment_id, status, by) VALUES ('c1', 'delivered', 'dyad')",
    );
    assert!(err.is_err());
}

#[test]
fn near_candidates_take_the_first_seen_of_a_crowded_band_and_read_sources_on_demand() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let n = usize::try_from(NEAR_BAND_CAP).unwrap() + 20;
    let docs: Vec<Document> = (0..n)
        .map(|i| {
            doc(
                &format!("in/{i}.txt"),
                &format!("T{i}"),
                &format!("text {i}"),
            )
        })
        .collect();
    // Every document shares band 7; document 3 alone also has band 99.
    let keys: Vec<NearKeys> = (0..n)
        .map(|i| NearKeys {
            signature: vec![u32::try_from(i).unwrap(); 4],
            bands: if i == 3 { vec![7, 99] } else { vec![7] },
        })
        .collect();
    store.put_documents_with_keys(&docs, &keys).unwrap();
    let crowded = store.near_candidates(&[7]).unwrap();
    assert_eq!(crowded.len(), n - 20, "capped at NEAR_BAND_CAP");
    assert_eq!(crowded[0].seq, 1, "first seen first");
    assert_eq!(crowded[0].signature, vec![0; 4]);
    let rare = store.near_candidates(&[99, 12345]).unwrap();
    assert_eq!(rare.len(), 1);
    let (input, duplicate_of) = store.near_source(rare[0].seq).unwrap().unwrap();
    assert_eq!((input.as_str(), duplicate_of), ("in/3.txt", None));
    assert!(store.near_source(10_000).unwrap().is_none());
}

/// The board and filter rows follow the registry through upserts, merges and statuses (the
/// triggers of `0008_track_serve.sql`), duplicate holders and topics included.
#[test]
fn track_board_follows_the_registry() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let record = |holders: &str, due: &str| {
        format!(
            r#"{{"holders":{holders},"topic":"Tariffs","topics":["tariffs"],"due":"{due}","sources":[1,2,3],"drift":[{{"x":1}}]}}"#
        )
    };
    let put = |store: &mut Store, id: &str, data: String, into: Option<&str>| {
        store
            .track_write(|tx| {
                tx.put_commitment(&CommitmentRow {
                    id: id.into(),
                    data,
                    merged_into: into.map(str::to_string),
                })
            })
            .unwrap();
    };
    put(
        &mut store,
        "ca",
        record(r#"["Korea","korea"]"#, "2024"),
        None,
    );
    put(&mut store, "ca", record(r#"["Korea","US"]"#, "2025"), None);
    put(&mut store, "cb", record(r#"["Japan"]"#, "2030"), None);
    let all = Page {
        offset: 0,
        limit: 10,
    };
    let page = store
        .track_board_page(&TrackFilter::default(), all)
        .unwrap();
    assert_eq!(page.total, 2);
    let a = &page.items[0];
    assert_eq!(
        (a.id.as_str(), a.due.as_deref(), a.statements),
        ("ca", Some("2025"), 3)
    );
    assert!(a.data.contains(r#""sources":[]"#) && a.data.contains(r#""drift":[]"#));
    let by = |f: TrackFilter| -> Vec<String> {
        store
            .track_board_page(&f, all)
            .unwrap()
            .items
            .into_iter()
            .map(|r| r.id)
            .collect()
    };
    let holder = |h: &str| TrackFilter {
        holder: Some(h.into()),
        ..TrackFilter::default()
    };
    assert_eq!(by(holder("us")), ["ca"]);
    assert_eq!(by(holder("korea")), ["ca"]);
    assert!(by(holder("Japan")).contains(&"cb".to_string()));
    let topic = TrackFilter {
        topic: Some("TARIFFS".into()),
        ..TrackFilter::default()
    };
    assert_eq!(by(topic).len(), 2);
    // A status on cb, then cb merged into ca: ca takes cb's newer status and cb leaves the board.
    store
        .track_write(|tx| {
            tx.add_status(&StatusRow {
                seq: 0,
                commitment_id: "cb".into(),
                status: "stalled".into(),
                at: None,
                recorded_at: String::new(),
                by: "analyst:t".into(),
                confidence: None,
                note: None,
                evidence_seq: None,
                evidence_doc: Some("d".into()),
                evidence_input: None,
                evidence_text: Some("s".into()),
            })
        })
        .unwrap();
    put(&mut store, "cb", record(r#"["Japan"]"#, "2030"), Some("ca"));
    let page = store
        .track_board_page(&TrackFilter::default(), all)
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].status, "stalled");
    assert_eq!(store.track_root("cb").unwrap(), "ca");
    assert_eq!(store.track_group("ca").unwrap().len(), 2);
    assert_eq!(
        store.track_status_counts().unwrap(),
        [("stalled".to_string(), 1)]
    );
}

/// One writer at a time: a second taker is told the holder's pid and does not get the lock;
/// the lock is free again once its holder is dropped.
#[test]
fn writer_lock_is_exclusive_and_names_its_holder() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("fresh");
    let held = WriterLock::acquire(&data, |_| panic!("nobody holds it yet")).unwrap();
    match WriterLock::try_acquire(&data).unwrap() {
        TryLock::Busy(pid) => assert_eq!(pid, Some(std::process::id())),
        TryLock::Acquired(_) => panic!("two writers hold the lock"),
    }
    drop(held);
    assert!(matches!(
        WriterLock::try_acquire(&data).unwrap(),
        TryLock::Acquired(_)
    ));
}

/// Tokens are listed without their hash and revoked by name or id; a revoked token no
/// longer authenticates.
#[test]
fn tokens_are_listed_and_revoked_by_name_or_id() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let a = store.add_token("alice", "hash-a").unwrap();
    let b = store.add_token("bob", "hash-b").unwrap();
    let list = store.tokens().unwrap();
    assert_eq!(
        list.iter()
            .map(|t| (t.id, t.name.as_str()))
            .collect::<Vec<_>>(),
        [(a, "alice"), (b, "bob")]
    );
    assert!(list.iter().all(|t| t.revoked_at.is_none()));
    let revoked = store.revoke_token("alice").unwrap();
    assert_eq!(revoked.len(), 1);
    assert!(revoked[0].revoked_at.is_some());
    assert_eq!(store.token_name("hash-a").unwrap(), None);
    assert!(
        store.revoke_token("alice").unwrap().is_empty(),
        "already revoked"
    );
    assert_eq!(store.token_name("hash-b").unwrap().as_deref(), Some("bob"));
    assert_eq!(store.revoke_token(&b.to_string()).unwrap()[0].name, "bob");
    assert_eq!(store.token_name("hash-b").unwrap(), None);
    assert!(store.revoke_token("nobody").unwrap().is_empty());
}
