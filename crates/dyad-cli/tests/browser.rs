//! The dashboard in headless Chromium: ingests the sample corpus (plus the hand-made documents
//! with events and commitments of `crates/dyad-server/tests/fixture`, then runs the commitment
//! tracker over them), makes a token, starts
//! `dyad serve` on a free port and runs `node tests/browser/dashboard.mjs URL TOKEN DIR`.
//! Screenshots land in `<target>/browser-artifacts/`.
//!
//! Needs `/usr/bin/chromium`, `node` and `tests/browser/node_modules` (`npm ci` there): skips
//! with a message when one is missing, and fails when one is missing and `CI` is set.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const CHROMIUM: &str = "/usr/bin/chromium";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn dyad() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dyad"));
    c.env_remove("DYAD_DATA").env("NO_COLOR", "1");
    c
}

/// What is missing to run browser tests, if anything.
fn missing() -> Option<String> {
    if !Path::new(CHROMIUM).exists() {
        return Some(format!("{CHROMIUM} (apt-get install chromium)"));
    }
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        return Some("node".into());
    }
    if !repo()
        .join("tests/browser/node_modules/playwright-core")
        .is_dir()
    {
        return Some("tests/browser/node_modules (run `npm ci` in tests/browser)".into());
    }
    None
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn dashboard_in_headless_chromium() {
    if let Some(what) = missing() {
        if std::env::var_os("CI").is_some() {
            panic!("browser tests need {what}, and CI is set");
        }
        eprintln!("skipping the browser test: {what} is missing");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("store");
    let out = dyad()
        .args(["ingest", "--quiet"])
        .arg(repo().join("corpus/sample"))
        .arg("--data-dir")
        .arg(&data)
        .output()
        .expect("dyad ingest");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Documents with events, quotes and commitments (and hostile markup in their text).
    let fixture =
        std::fs::read_to_string(repo().join("crates/dyad-server/tests/fixture/documents.json"))
            .expect("fixture");
    let docs: Vec<dyad_model::Document> = serde_json::from_str(&fixture).expect("fixture JSON");
    {
        let mut store = dyad_store::Store::open(&data).expect("store");
        let puts = store.put_documents(&docs).expect("put");
        let mut index = dyad_search::Index::open(&data).expect("index");
        for (doc, put) in docs.iter().zip(&puts) {
            index.add(put.seq(), doc).expect("index");
        }
        index.commit(store.max_seq().expect("seq")).expect("commit");
    }
    // Stored without `dyad ingest`: the tracker reads them when asked (`dyad serve` does not).
    let out = dyad()
        .args(["commitments", "update", "--quiet", "--data-dir"])
        .arg(&data)
        .output()
        .expect("dyad commitments update");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = dyad()
        .args(["token", "create", "--name", "browser"])
        .arg("--data-dir")
        .arg(&data)
        .output()
        .expect("dyad token create");
    assert!(out.status.success());
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert_eq!(token.len(), 64, "{token}");

    let mut child = dyad()
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(&data)
        .stdout(Stdio::piped())
        .spawn()
        .expect("dyad serve");
    let stdout = child.stdout.take().expect("stdout");
    let server = Server(child);
    let mut reader = BufReader::new(stdout);
    let mut first = String::new();
    reader.read_line(&mut first).expect("serve prints its URL");
    // Keep draining stdout so the server never writes to a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {first:?}"))
        .to_string();

    let artifacts = Path::new(env!("CARGO_TARGET_TMPDIR")).join("../browser-artifacts");
    let run = Command::new("node")
        .arg(repo().join("tests/browser/dashboard.mjs"))
        .arg(&url)
        .arg(&token)
        .arg(&artifacts)
        .output()
        .expect("node runs");
    drop(server);
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    eprintln!("{report}");
    assert!(run.status.success(), "browser test failed:\n{report}");
    for shot in ["overview", "search", "article", "commitments"] {
        assert!(
            artifacts.join(format!("{shot}.png")).is_file(),
            "screenshot {shot}"
        );
    }
}
