//! The API against its OpenAPI description, with a real client: schemathesis
//! (`tests/api/requirements.txt`) runs against `dyad serve` on a free port over a small store
//! (the hand-made documents of `crates/dyad-server/tests/fixture`, tracked), once without a
//! token and once with one, a bounded number of examples per operation each time. Any 5xx or
//! any answer that disagrees with the description fails the test.
//!
//! Finds schemathesis through `DYAD_SCHEMATHESIS` (the executable, or a venv holding it in
//! `bin/`), else `schemathesis` on `PATH`: skips with a message when it is missing, and fails
//! when it is missing and `CI` is set.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// Test cases per operation and phase: enough to reach every parameter, small enough to stay
/// well under two minutes on a shared machine.
const MAX_EXAMPLES: &str = "8";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn dyad() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dyad"));
    c.env_remove("DYAD_DATA").env("NO_COLOR", "1");
    c
}

/// The schemathesis executable, if one runs.
fn schemathesis() -> Option<PathBuf> {
    let candidate = match std::env::var_os("DYAD_SCHEMATHESIS") {
        Some(p) if Path::new(&p).is_dir() => Path::new(&p).join("bin/schemathesis"),
        Some(p) => PathBuf::from(p),
        None => PathBuf::from("schemathesis"),
    };
    let runs = Command::new(&candidate)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    runs.then_some(candidate)
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn run_ok(cmd: &mut Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A store holding the fixture documents, tracked, with a token: (data dir, token).
fn small_store(dir: &Path) -> (PathBuf, String) {
    let data = dir.join("store");
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
    run_ok(
        dyad()
            .args(["commitments", "update", "--quiet", "--data-dir"])
            .arg(&data),
        "dyad commitments update",
    );
    let token = run_ok(
        dyad()
            .args(["token", "create", "--name", "schemathesis", "--data-dir"])
            .arg(&data),
        "dyad token create",
    );
    (data, token)
}

#[test]
fn the_api_conforms_to_its_openapi_description() {
    let Some(st) = schemathesis() else {
        let how = "python3 -m venv VENV && VENV/bin/pip install -r tests/api/requirements.txt, \
                   then DYAD_SCHEMATHESIS=VENV";
        if std::env::var_os("CI").is_some() {
            panic!("the API conformance test needs schemathesis ({how}), and CI is set");
        }
        eprintln!("skipping the API conformance test: schemathesis is missing ({how})");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let (data, token) = small_store(dir.path());
    let mut child = dyad()
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(&data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("dyad serve");
    let stdout = child.stdout.take().expect("stdout");
    let server = Server(child);
    let mut reader = BufReader::new(stdout);
    let mut first = String::new();
    reader.read_line(&mut first).expect("serve prints its URL");
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {first:?}"))
        .trim_end_matches('/')
        .to_string();

    let auth = format!("Authorization: Bearer {token}");
    let mut failures = Vec::new();
    for (label, header) in [("without a token", None), ("with a token", Some(&auth))] {
        let mut cmd = Command::new(&st);
        cmd.arg("run")
            .arg(format!("{url}/api/v1/openapi.json"))
            .args(["--url", &url])
            .args(["--max-examples", MAX_EXAMPLES])
            .args(["--seed", "20261203"])
            .args(["--workers", "1"])
            .args(["--request-timeout", "20"])
            .args(["--generation-database", "none"])
            // Writes refuse references to documents or commitments that are not in the store,
            // and merges of a commitment into itself, with 422: no schema can say "exists", so
            // schema-valid bodies may rightly be refused. Every other check runs.
            .args(["--exclude-checks", "positive_data_acceptance"])
            .arg("--no-color")
            .current_dir(dir.path());
        if let Some(h) = header {
            cmd.args(["--header", h]);
        }
        let out = cmd.output().expect("schemathesis runs");
        let report = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        eprintln!("schemathesis {label}:\n{report}");
        if !out.status.success() {
            failures.push(label);
        }
    }
    drop(server);
    assert!(
        failures.is_empty(),
        "schemathesis found failures {} (reports above)",
        failures.join(" and ")
    );
}
