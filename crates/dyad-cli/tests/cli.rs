//! Integration tests of the `dyad` binary: the real executable, run on temporary folders with a
//! real SQLite file and a real index.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn dyad() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dyad"));
    c.env_remove("DYAD_DATA").env("NO_COLOR", "1");
    c
}

fn run(args: &[&str]) -> Output {
    dyad().args(args).output().expect("dyad runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `../shared` beside the repository. Tests that need it skip with a message when it is absent,
/// and fail when it is absent under CI.
fn shared() -> Option<PathBuf> {
    let p = repo().join("../shared");
    if p.join("corpus/seeds").is_dir() {
        return Some(p);
    }
    if std::env::var_os("CI").is_some() {
        panic!("../shared is missing and CI is set: the seed corpus is required in CI");
    }
    eprintln!("skipping: ../shared is not beside the repository");
    None
}

fn jsonl(s: &str) -> Vec<Value> {
    s.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

fn sample() -> String {
    repo().join("corpus/sample").to_string_lossy().into_owned()
}

#[test]
fn seeds_score_perfectly_on_cleaning_and_metadata() {
    let Some(shared) = shared() else { return };
    let out = run(&[
        "extract",
        &shared.join("corpus/seeds").to_string_lossy(),
        "--format",
        "jsonl",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let dir = tempfile::tempdir().expect("tempdir");
    let pred = dir.path().join("seeds.jsonl");
    std::fs::write(&pred, &out.stdout).expect("write predictions");
    let score = Command::new("python3")
        .arg(shared.join("eval/score.py"))
        .arg("--gold")
        .arg(shared.join("corpus/seeds.gold.json"))
        .arg("--pred")
        .arg(&pred)
        .arg("--json")
        .output()
        .expect("python3 runs score.py");
    assert!(score.status.success(), "{}", stderr(&score));
    let v: Value = serde_json::from_slice(&score.stdout).expect("score JSON");
    assert_eq!(v["cleaning"], 1.0, "{v}");
    assert_eq!(v["metadata"], 1.0, "{v}");
}

#[test]
fn extract_follows_the_contract_and_input_order() {
    let out = run(&["extract", &sample(), "--format", "jsonl"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let docs = jsonl(&stdout(&out));
    assert_eq!(docs.len(), 16);
    let names: Vec<String> = docs
        .iter()
        .map(|d| {
            d["input"]
                .as_str()
                .expect("input")
                .rsplit('/')
                .next()
                .expect("name")
                .to_string()
        })
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "folder order is sorted and preserved");
    for d in &docs {
        for key in [
            "input",
            "id",
            "title",
            "published",
            "language",
            "source",
            "byline",
            "text",
            "removed",
            "duplicate_of",
        ] {
            assert!(d.get(key).is_some(), "{key} missing in {}", d["input"]);
        }
        for key in [
            "entities",
            "events",
            "quotes",
            "commitments",
            "topics",
            "claims",
        ] {
            assert!(d[key].is_array(), "{key} is not an array in {}", d["input"]);
        }
        assert!(
            !d["text"].as_str().expect("text").is_empty(),
            "{} has no text",
            d["input"]
        );
        for r in d["removed"].as_array().expect("removed") {
            assert!(r["reason"].as_str().is_some_and(|s| !s.is_empty()));
        }
    }
    // --format json is a pretty-printed array of the same documents.
    let out = run(&["extract", &sample(), "--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).expect("a JSON array");
    assert_eq!(v.as_array().map(Vec::len), Some(16));
    assert!(stdout(&out).contains("\n  \"input\""), "pretty-printed");
}

#[test]
fn sample_corpus_metadata_matches_the_table() {
    let expected: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(repo().join("crates/dyad-cli/tests/data/sample-expected.json"))
            .expect("expected metadata"),
    )
    .expect("JSON");
    let out = run(&["extract", &sample()]);
    let docs = jsonl(&stdout(&out));
    let mut failures = Vec::new();
    for want in &expected {
        let file = want["file"].as_str().expect("file");
        let Some(got) = docs
            .iter()
            .find(|d| d["input"].as_str().is_some_and(|i| i.ends_with(file)))
        else {
            failures.push(format!("{file}: no output"));
            continue;
        };
        for key in ["language", "title", "published", "source", "byline"] {
            if got[key] != want[key] {
                failures.push(format!("{file}: {key} = {} (want {})", got[key], want[key]));
            }
        }
        assert!(
            got["text"]
                .as_str()
                .is_some_and(|t| !t.contains("무단전재") && !t.contains("Leave a Reply")),
            "{file}: boilerplate left in text"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn standard_input_is_read() {
    let mut child = dyad()
        .args(["extract", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all("한미 정상회담 결과 발표\n입력 2025.11.14 09:30\n\n이재명 대통령은 14일 한미 정상회담 결과를 담은 공동 설명자료를 발표했다. 양국은 관세와 안보 분야 합의 내용을 문서로 확정했다.\n".as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success());
    let d = &jsonl(&stdout(&out))[0];
    assert_eq!(d["input"], "-");
    assert_eq!(d["language"], "ko");
    assert_eq!(d["title"], "한미 정상회담 결과 발표");
    assert_eq!(d["published"], "2025-11-14T09:30");
}

/// Bad inputs each get a message naming them; the rest is processed; the exit status is 1.
#[test]
fn bad_inputs_are_reported_and_the_run_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = |n: &str| dir.path().join(n);
    std::fs::write(p("empty.txt"), b"").expect("write");
    std::fs::write(
        p("binary.html"),
        (0..=255u8).cycle().take(10_000).collect::<Vec<_>>(),
    )
    .expect("write");
    let mut gz = flate2_gz(b"<html><body><p>A complete page about the summit.</p></body></html>");
    gz.truncate(gz.len() / 2);
    std::fs::write(p("truncated.html.gz"), gz).expect("write");
    let mut bad_utf8 = "Allies agree on drills\n\nThe two militaries agreed on Friday — in Seoul — to publish a roadmap for combined drills, officials said.".as_bytes().to_vec();
    bad_utf8.extend_from_slice(&[0xff, 0xfe, b' ', 0xc3]);
    bad_utf8.extend_from_slice(b" More text follows here.\n");
    std::fs::write(p("bad-utf8.txt"), bad_utf8).expect("write");
    std::fs::write(p("good.txt"), "Allies agree on drills\n\nThe two militaries agreed on Friday to publish a roadmap for combined drills, officials said after the talks.\n").expect("write");
    std::os::unix::fs::symlink(p("missing-target.txt"), p("dangling.txt")).expect("symlink");

    let out = run(&["extract", &dir.path().to_string_lossy()]);
    assert_eq!(out.status.code(), Some(1), "some inputs failed");
    let err = stderr(&out);
    let docs = jsonl(&stdout(&out));
    let by_name = |n: &str| {
        docs.iter()
            .find(|d| d["input"].as_str().is_some_and(|i| i.ends_with(n)))
            .unwrap_or_else(|| panic!("no line for {n}"))
    };
    for (name, says) in [
        ("empty.txt", "empty"),
        ("binary.html", "binary"),
        ("truncated.html.gz", "truncated"),
        ("dangling.txt", "no such file"),
    ] {
        let e = by_name(name)["error"]
            .as_str()
            .unwrap_or_else(|| panic!("{name} has no error"));
        assert!(e.contains(says), "{name}: {e}");
        assert!(
            err.contains(name) && err.contains(says),
            "stderr names {name}: {err}"
        );
    }
    assert!(by_name("good.txt")["error"].is_null());
    let bad = by_name("bad-utf8.txt");
    assert!(
        bad["text"]
            .as_str()
            .is_some_and(|t| t.contains("More text follows"))
    );
    assert!(
        err.contains("bad-utf8.txt") && err.contains("invalid UTF-8"),
        "{err}"
    );
}

#[test]
fn a_huge_page_is_refused_by_default_and_read_when_allowed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("huge.html");
    let mut f = std::fs::File::create(&page).expect("create");
    f.write_all(b"<html><head><title>Huge page | Site</title></head><body><article>")
        .expect("write");
    let para = "<p>The allies agreed to expand combined drills and to publish a roadmap for the transfer of wartime operational control within two years, officials said.</p>\n";
    let mut written = 0;
    while written < 50 * 1024 * 1024 {
        f.write_all(para.as_bytes()).expect("write");
        written += para.len();
    }
    f.write_all(b"</article></body></html>").expect("write");
    drop(f);
    let arg = page.to_string_lossy().into_owned();
    let out = run(&["extract", &arg]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("huge.html") && stderr(&out).contains("too large"),
        "{}",
        stderr(&out)
    );
    // Read when allowed; its 50 MB of text is also over the default extraction budget, so that
    // is raised too.
    let out = run(&[
        "extract",
        &arg,
        "--max-size",
        "64M",
        "--doc-max-text",
        "64M",
        "--doc-budget-ms",
        "600000",
        "--doc-max-sentences",
        "1000000",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let d = &jsonl(&stdout(&out))[0];
    assert_eq!(d["title"], "Huge page");
    assert!(d["text"].as_str().expect("text").len() > 40 * 1024 * 1024);
}

fn flate2_gz(data: &[u8]) -> Vec<u8> {
    // A minimal gzip writer is not worth a dependency here: shell out to gzip.
    let mut child = Command::new("gzip")
        .arg("-c")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("gzip is installed");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(data)
        .expect("write");
    child.wait_with_output().expect("gzip").stdout
}

fn stats_json(dir: &str) -> Value {
    let out = run(&["stats", "--json", "--data-dir", dir]);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("stats JSON")
}

#[test]
fn ingest_is_idempotent_and_searchable() {
    let data = tempfile::tempdir().expect("tempdir");
    let d = data.path().to_string_lossy().into_owned();
    let out = run(&["ingest", &sample(), "--data-dir", &d]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("16 new, 0 unchanged, 0 failed"),
        "{}",
        stderr(&out)
    );
    let before = stats_json(&d);
    assert_eq!(before["documents"], 16);
    assert_eq!(before["indexed"], 16);

    let out = run(&["ingest", &sample(), "--data-dir", &d]);
    assert!(out.status.success());
    assert!(
        stderr(&out).contains("0 new, 16 unchanged, 0 failed"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stats_json(&d), before, "re-ingesting changes nothing");

    // English is stemmed; filters apply.
    let out = run(&[
        "search",
        "submarine",
        "--json",
        "--data-dir",
        &d,
        "--lang",
        "en",
    ]);
    let hits: Value = serde_json::from_slice(&out.stdout).expect("hits");
    let hits = hits.as_array().expect("array");
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h["language"] == "en"));
    // Korean is found inside words (국방비 inside 국방비를), with highlights.
    let out = run(&["search", "국방비", "--data-dir", &d]);
    let text = stdout(&out);
    assert!(text.contains("**국방비**"), "{text}");
    let out = run(&[
        "search",
        "submarine",
        "--json",
        "--data-dir",
        &d,
        "--until",
        "2024",
    ]);
    let hits: Value = serde_json::from_slice(&out.stdout).expect("hits");
    assert_eq!(hits.as_array().map(Vec::len), Some(0));

    // show, with the removed boilerplate.
    let id = hits_id(&d, "Gyeongju");
    let out = run(&["show", &id[..8], "--removed", "--data-dir", &d]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("--- removed by cleaning"),
        "{}",
        stdout(&out)
    );
}

fn hits_id(d: &str, q: &str) -> String {
    let out = run(&["search", q, "--json", "--data-dir", d]);
    let hits: Value = serde_json::from_slice(&out.stdout).expect("hits");
    hits[0]["id"].as_str().expect("an id").to_string()
}

#[test]
fn commands_on_a_missing_store_fail_with_status_2() {
    let data = tempfile::tempdir().expect("tempdir");
    let d = data
        .path()
        .join("nothing-here")
        .to_string_lossy()
        .into_owned();
    let out = run(&["stats", "--data-dir", &d]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no store"), "{}", stderr(&out));
    let out = run(&["extract"]);
    assert_eq!(out.status.code(), Some(2), "usage error");
    let out = run(&["--help"]);
    assert!(stdout(&out).contains("Examples:"));
}

/// A kill -9 in the middle of an ingest leaves a consistent store, and the next run completes
/// the work.
#[test]
fn killed_ingest_leaves_a_consistent_store_and_resumes() {
    let src = tempfile::tempdir().expect("tempdir");
    for i in 0..3000 {
        std::fs::write(
            src.path().join(format!("{i:05}.txt")),
            format!("Report number {i} on the alliance\n\nOfficials in Seoul and Washington met on day {i} to review item {i} of the summit agreements, covering tariffs, investment and drills. They agreed to meet again.\n"),
        )
        .expect("write");
    }
    let data = tempfile::tempdir().expect("tempdir");
    let d = data.path().to_string_lossy().into_owned();
    let s = src.path().to_string_lossy().into_owned();
    let mut child = dyad()
        .args(["ingest", &s, "--data-dir", &d, "--quiet"])
        .spawn()
        .expect("spawn");
    // Wait until the first batches are in, then kill it mid-run.
    let db = data.path().join("dyad.sqlite3");
    let start = std::time::Instant::now();
    while !db.exists() && start.elapsed().as_secs() < 30 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    std::thread::sleep(std::time::Duration::from_millis(150));
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");

    let out = run(&["ingest", &s, "--data-dir", &d]);
    assert!(out.status.success(), "{}", stderr(&out));
    let st = stats_json(&d);
    assert_eq!(st["documents"], 3000, "{st}");
    assert_eq!(st["indexed"], 3000, "{st}");
    let conn = std::process::Command::new("python3")
        .args(["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute('pragma integrity_check').fetchone()[0])"])
        .arg(&db)
        .output()
        .expect("python3 sqlite3");
    assert_eq!(String::from_utf8_lossy(&conn.stdout).trim(), "ok");
}

/// Scores `dyad extract` output with the shared scorer; `None` when ../shared is absent.
fn score(inputs: &str, gold: &Path) -> Option<Value> {
    let shared = shared()?;
    let out = run(&["extract", inputs]);
    assert!(out.status.success(), "{}", stderr(&out));
    let dir = tempfile::tempdir().expect("tempdir");
    let pred = dir.path().join("pred.jsonl");
    std::fs::write(&pred, &out.stdout).expect("write predictions");
    let s = Command::new("python3")
        .arg(shared.join("eval/score.py"))
        .arg("--gold")
        .arg(gold)
        .arg("--pred")
        .arg(&pred)
        .arg("--json")
        .output()
        .expect("python3 runs score.py");
    assert!(s.status.success(), "{}", stderr(&s));
    Some(serde_json::from_slice(&s.stdout).expect("score JSON"))
}

#[test]
fn extraction_reaches_the_bar_on_the_seeds_and_the_annotated_corpus() {
    let Some(shared) = shared() else { return };
    let seeds = score(
        &shared.join("corpus/seeds").to_string_lossy(),
        &shared.join("corpus/seeds.gold.json"),
    )
    .expect("scored");
    let f1 = seeds["entities"]["f1"].as_f64().expect("f1");
    assert!(f1 >= 0.92, "seeds entities F1 {f1}: {seeds}");
    let f1 = seeds["quotes"]["f1"].as_f64().expect("f1");
    assert!(f1 >= 0.90, "seeds quotes F1 {f1}: {seeds}");
    let f1 = seeds["events"]["f1"].as_f64().expect("f1");
    assert!(f1 >= 0.80, "seeds events F1 {f1}: {seeds}");
    let f1 = seeds["commitments"]["f1"].as_f64().expect("f1");
    assert!(f1 >= 0.75, "seeds commitments F1 {f1}: {seeds}");
    let f1 = seeds["claims"]["f1"].as_f64().expect("f1");
    assert!(f1 >= 0.9, "seeds claims F1 {f1}: {seeds}");
    let annotated = repo().join("corpus/annotated");
    let ours = score(
        &annotated.to_string_lossy(),
        &repo().join("corpus/annotated.gold.json"),
    )
    .expect("scored");
    let f1 = ours["entities"]["f1"].as_f64().expect("f1");
    assert!(f1 >= 0.95, "annotated entities F1 {f1}: {ours}");
    // The project's own corpus is harder than the seeds (Korean, reported speech, an official
    // text): these floors guard against regressions.
    let f1 = ours["events"]["f1"].as_f64().expect("f1");
    assert!(f1 >= 0.38, "annotated events F1 {f1}: {ours}");
    let f1 = ours["commitments"]["f1"].as_f64().expect("f1");
    assert!(f1 >= 0.65, "annotated commitments F1 {f1}: {ours}");
    assert_eq!(ours["cleaning"], 1.0, "{ours}");
    assert_eq!(ours["metadata"], 1.0, "{ours}");
}

/// Real news written by others (`corpus/aeb.gold.json`: pages of `../shared/bench/aeb`,
/// annotated by reading them): floors that guard the figures in BENCHMARKS.md.
#[test]
fn extraction_holds_its_floors_on_annotated_real_news() {
    let Some(shared) = shared() else { return };
    let gold_path = repo().join("corpus/aeb.gold.json");
    let gold: Value = serde_json::from_str(&std::fs::read_to_string(&gold_path).expect("aeb gold"))
        .expect("JSON");
    let dir = tempfile::tempdir().expect("tempdir");
    for d in gold["documents"].as_array().expect("documents") {
        let file = d["file"].as_str().expect("file");
        std::fs::copy(
            shared.join("bench/aeb/html").join(file),
            dir.path().join(file),
        )
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    }
    let s = score(&dir.path().to_string_lossy(), &gold_path).expect("scored");
    for (what, floor) in [("quotes", 0.48), ("entities", 0.60)] {
        let f1 = s[what]["f1"].as_f64().expect("f1");
        assert!(f1 >= floor, "AEB {what} F1 {f1} below {floor}: {s}");
    }
}

fn extract_text(text: &str, extra: &[&str]) -> Value {
    let mut child = dyad()
        .args(["extract", "-"])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success(), "{}", stderr(&out));
    jsonl(&stdout(&out)).remove(0)
}

fn entity_names(d: &Value) -> Vec<String> {
    d["entities"]
        .as_array()
        .expect("entities")
        .iter()
        .map(|e| e["name"].as_str().expect("name").to_string())
        .collect()
}

/// The 2024 trap: in March 2024 the South Korean president is Yoon Suk Yeol, not Lee Jae-myung.
#[test]
fn roles_resolve_by_the_articles_date() {
    let story = |date: &str| {
        format!(
            "Seoul meets Washington\nPublished: {date}\n\nThe South Korean president met the visiting U.S. secretary of state in Seoul on Monday. The president said the alliance was strong.\n"
        )
    };
    let d = extract_text(&story("March 18, 2024"), &[]);
    let names = entity_names(&d);
    assert!(names.contains(&"Yoon Suk Yeol".to_string()), "{names:?}");
    assert!(names.contains(&"Antony Blinken".to_string()), "{names:?}");
    assert!(!names.contains(&"Lee Jae-myung".to_string()), "{names:?}");
    let d = extract_text(&story("November 20, 2025"), &[]);
    let names = entity_names(&d);
    assert!(names.contains(&"Lee Jae-myung".to_string()), "{names:?}");
    assert!(names.contains(&"Marco Rubio".to_string()), "{names:?}");
    assert!(!names.contains(&"Yoon Suk Yeol".to_string()), "{names:?}");
}

#[test]
fn the_knowledge_base_is_checked_looked_up_and_extended() {
    let out = run(&["kb", "check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("knowledge base is valid"),
        "{}",
        stdout(&out)
    );

    let out = run(&["kb", "lookup", "Lee Jae Myung", "--on", "2024-03-15"]);
    let text = stdout(&out);
    assert!(text.contains("Lee Jae-myung (person"), "{text}");
    assert!(
        !text.contains("president (KR)"),
        "not president in March 2024: {text}"
    );
    let out = run(&["kb", "lookup", "이재명", "--on", "2025-11-01"]);
    assert!(stdout(&out).contains("president (KR)"), "{}", stdout(&out));

    // A team following another pair adds its own file; nothing else changes.
    let dir = tempfile::tempdir().expect("tempdir");
    let mine = dir.path().join("us-japan.toml");
    std::fs::write(&mine, "version = \"team-1\"\n[[person]]\nid = \"aiko-tanabe\"\nname = \"Aiko Tanabe\"\nnative = \"田辺愛子\"\ngender = \"female\"\ncountry = \"JP\"\n[[person.roles]]\noffice = \"spokesperson\"\ncountry = \"JP\"\nfrom = \"2025-01\"\n").expect("write");
    let m = mine.to_string_lossy().into_owned();
    let out = run(&["kb", "check", "--kb", &m]);
    assert!(
        stdout(&out).contains("us-japan.toml@team-1"),
        "{}",
        stdout(&out)
    );
    let d = extract_text(
        "Tokyo briefing\n\nAiko Tanabe told reporters in Tokyo that the talks would continue. She said Japan welcomed them.\n",
        &["--kb", &m],
    );
    let e = d["entities"]
        .as_array()
        .expect("entities")
        .iter()
        .find(|e| e["name"] == "Aiko Tanabe")
        .expect("linked");
    assert_eq!(e["id"], "aiko-tanabe");
    assert_eq!(
        e["mentions"].as_array().map(Vec::len),
        Some(2),
        "the pronoun resolves to her"
    );

    // A broken file is refused with its name and line.
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "version = \"1\"\n[[person]]\nid = \"x\"\nname = \"X\"\n[[person.roles]]\noffice = \"emperor\"\n").expect("write");
    let out = run(&["kb", "check", "--kb", &bad.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("bad.toml:3:") && stderr(&out).contains("unknown office"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn entities_are_queryable_across_the_store() {
    let data = tempfile::tempdir().expect("tempdir");
    let d = data.path().to_string_lossy().into_owned();
    assert!(
        run(&["ingest", &sample(), "--data-dir", &d, "--quiet"])
            .status
            .success()
    );
    let out = run(&["entities", "Lee Jae-myung", "--json", "--data-dir", &d]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["entity"]["id"], "lee-jae-myung");
    assert!(
        v["entity"]["documents"].as_u64().expect("count") >= 3,
        "{v}"
    );
    let with: Vec<&str> = v["cooccurring"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|e| e["name"].as_str())
        .collect();
    assert!(with.contains(&"Donald Trump"), "{with:?}");
}

/// Regression (issue 15, bounded work): a document over the extraction budget is recorded as
/// failed with the budget named, and the other documents of the run are stored.
#[test]
fn a_document_over_the_extraction_budget_fails_and_the_run_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = tempfile::tempdir().expect("tempdir");
    let p = |n: &str| dir.path().join(n);
    std::fs::write(p("good.txt"), "Allies agree on drills\n\nThe two militaries agreed on Friday to publish a roadmap for combined drills, officials said after the talks.\n").expect("write");
    std::fs::write(p("other.txt"), "Seoul and Tokyo talk\n\nSeoul said on Monday that talks with Tokyo would resume next month.\n").expect("write");
    let lines: String = (0..3_000)
        .map(|i| ["Seoul said on Monday.\n", "Tokyo said on Friday.\n"][i % 2])
        .collect();
    std::fs::write(p("huge.txt"), format!("Many statements\n\n{lines}")).expect("write");
    let d = data.path().to_string_lossy().into_owned();
    let out = run(&[
        "ingest",
        &dir.path().to_string_lossy(),
        "--data-dir",
        &d,
        "--doc-max-sentences",
        "1000",
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("2 new, 0 unchanged, 1 failed"), "{err}");
    assert!(
        err.contains("huge.txt")
            && err.contains("document exceeds the extraction budget: it has 3")
            && err.contains("sentences, more than the 1000 allowed"),
        "{err}"
    );
    assert_eq!(stats_json(&d)["documents"], 2);
    // A budget of zero is a usage error.
    let out = run(&[
        "extract",
        &p("good.txt").to_string_lossy(),
        "--doc-budget-ms",
        "0",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("must be positive"),
        "{}",
        stderr(&out)
    );
}

/// `dyad parse`: CoNLL-U whose offsets point back into the input, with the embedded models'
/// tags and one root per sentence, in English and Korean.
#[test]
fn parse_prints_conllu_with_offsets_tags_and_one_root_per_sentence() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text, lang) in [
        (
            "en.txt",
            "The minister said on Monday that Seoul would raise its defense budget. \"We will deliver,\" he told reporters.",
            "en",
        ),
        (
            "ko.txt",
            "이재명 대통령은 국방비를 늘리겠다고 밝혔다. 미국은 환영했다.",
            "ko",
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        let arg = path.to_string_lossy().into_owned();
        let out = run(&["parse", &arg, "--lang", lang]);
        assert!(out.status.success(), "{}", stderr(&out));
        let conllu = stdout(&out);
        let sentences: Vec<&str> = conllu
            .split("\n\n")
            .filter(|s| s.lines().any(|l| !l.starts_with('#') && !l.is_empty()))
            .collect();
        assert_eq!(sentences.len(), 2, "{conllu}");
        for s in sentences {
            let words: Vec<Vec<&str>> = s
                .lines()
                .filter(|l| !l.starts_with('#') && !l.is_empty())
                .map(|l| l.split('\t').collect())
                .collect();
            assert_eq!(words.iter().filter(|w| w[6] == "0").count(), 1, "{s}");
            for w in &words {
                assert_eq!(w.len(), 10, "{s}");
                assert_ne!(w[3], "_", "a tag for every word: {s}");
                let range = w[9]
                    .split('|')
                    .find_map(|f| f.strip_prefix("TokenRange="))
                    .expect("TokenRange");
                let (a, b) = range.split_once(':').expect("START:END");
                let (a, b): (usize, usize) = (a.parse().expect("start"), b.parse().expect("end"));
                assert_eq!(&text[a..b], w[1], "{s}");
            }
        }
        if lang == "en" {
            assert!(conllu.contains("\tsaid\tsay\tVERB\t"), "{conllu}");
        }
    }
}
