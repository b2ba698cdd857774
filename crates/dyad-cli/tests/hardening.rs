//! Issue 15: concurrent writers, the index catching up, tokens, private store files and input
//! names. The real binary on temporary data directories.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;

fn dyad() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dyad"));
    c.env_remove("DYAD_DATA").env("NO_COLOR", "1");
    c
}

fn run(args: &[&str]) -> Output {
    dyad().args(args).output().expect("dyad runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stats_json(dir: &str) -> Value {
    let out = run(&["stats", "--json", "--data-dir", dir]);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("stats JSON")
}

fn integrity(db: &Path) -> String {
    let out = Command::new("python3")
        .args(["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute('pragma integrity_check').fetchone()[0])"])
        .arg(db)
        .output()
        .expect("python3 sqlite3");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn generate(out: &Path, count: usize, seed: u64) {
    let o = dyad()
        .args([
            "generate",
            "--count",
            &count.to_string(),
            "--per-file",
            "10",
        ])
        .args(["--seed", &seed.to_string(), "--out"])
        .arg(out)
        .output()
        .expect("dyad generate");
    assert!(o.status.success(), "{}", stderr(&o));
}

fn spawn_ingest(src: &Path, data: &Path) -> Child {
    dyad()
        .arg("ingest")
        .arg(src)
        .arg("--data-dir")
        .arg(data)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn dyad ingest")
}

/// Kills `child` (SIGKILL) and returns what it wrote on stderr.
fn kill(mut child: Child) -> String {
    let _ = child.kill();
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    child.wait().expect("reaped");
    err
}

/// Regression (issue 15, audit failure 1): a second ingest running beside the first stored
/// documents the index never received, and the index's watermark went past them, so no later
/// run repaired it. Two ingests into one data directory, 20 `kill -9` at varied moments, then
/// one last ingest of each corpus: every stored document is indexed, the store is sound, and
/// the whole corpus is there.
#[test]
fn concurrent_ingests_killed_twenty_times_leave_every_document_indexed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (a, b, data) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("data"),
    );
    generate(&a, 120, 1);
    generate(&b, 120, 2);
    let mut waited = false;
    let mut kills = 0;
    for i in 0u64..10 {
        let first = spawn_ingest(&a, &data);
        let second = spawn_ingest(&b, &data);
        // Varied moments: 40 ms to ~1 s after the start, alternating which one dies first.
        std::thread::sleep(Duration::from_millis(40 + (i * 97) % 900));
        let (x, y) = if i % 2 == 0 {
            (first, second)
        } else {
            (second, first)
        };
        let err_x = kill(x);
        kills += 1;
        std::thread::sleep(Duration::from_millis(30 + (i * 53) % 400));
        let err_y = kill(y);
        kills += 1;
        waited |= [err_x, err_y]
            .iter()
            .any(|e| e.contains("waiting for another dyad writing to"));
    }
    assert_eq!(kills, 20);
    assert!(waited, "no ingest said it waited for the other writer");

    let d = data.to_string_lossy().into_owned();
    // Both at once again, to completion: one waits for the other.
    let first = spawn_ingest(&a, &data);
    let second = spawn_ingest(&b, &data);
    for child in [first, second] {
        let out = child.wait_with_output().expect("ingest finishes");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let st = stats_json(&d);
    assert_eq!(st["documents"], st["indexed"], "{st}");
    assert_eq!(st["writer_running"], false, "{st}");
    // The whole corpus: a fresh store fed the same inputs once holds as many documents.
    let fresh = tmp.path().join("fresh");
    for src in [&a, &b] {
        let out = dyad()
            .arg("ingest")
            .arg(src)
            .arg("--data-dir")
            .arg(&fresh)
            .arg("--quiet")
            .output()
            .expect("ingest");
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let want = stats_json(&fresh.to_string_lossy());
    assert_eq!(st["documents"], want["documents"], "{st}\n{want}");
    assert!(
        want["documents"].as_u64().is_some_and(|n| n >= 200),
        "{want}"
    );
    assert_eq!(integrity(&data.join("dyad.sqlite3")), "ok");
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
}

/// Audit failure 3: the SQLite file was world-readable. With a umask of 000 the data
/// directory, the index folder and the database files are still the owner's only.
#[cfg(unix)]
#[test]
fn store_files_are_private_whatever_the_umask() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = tmp.path().join("in");
    std::fs::create_dir(&src).expect("mkdir");
    std::fs::write(
        src.join("note.txt"),
        "Seoul and Washington\n\nOfficials met in Seoul to discuss tariffs and drills.\n",
    )
    .expect("write");
    let data = tmp.path().join("new/data");
    let out = Command::new("sh")
        .arg("-c")
        .arg("umask 000; exec \"$0\" ingest \"$1\" --data-dir \"$2\" --quiet")
        .arg(env!("CARGO_BIN_EXE_dyad"))
        .arg(&src)
        .arg(&data)
        .env_remove("DYAD_DATA")
        .output()
        .expect("sh runs dyad");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(mode(&data), 0o700, "data dir");
    assert_eq!(mode(&data.join("index")), 0o700, "index folder");
    assert_eq!(mode(&data.join("dyad.sqlite3")), 0o600, "database");
    assert_eq!(mode(&data.join("dyad.lock")), 0o600, "lock file");
    // -wal and -shm exist while a connection is open: hold one with a server.
    let mut server = Server::start(&data);
    let _ = server.get("/api/v1/stats");
    for f in ["dyad.sqlite3-wal", "dyad.sqlite3-shm"] {
        let p = data.join(f);
        if p.exists() {
            assert_eq!(mode(&p), 0o600, "{f}");
        }
    }
    drop(server);
    // A store made world-readable by hand is private again after the next open.
    std::fs::set_permissions(
        data.join("dyad.sqlite3"),
        std::os::unix::fs::PermissionsExt::from_mode(0o644),
    )
    .expect("chmod");
    let st = stats_json(&data.to_string_lossy());
    assert_eq!(st["documents"], 1, "{st}");
    assert_eq!(mode(&data.join("dyad.sqlite3")), 0o600);
}

/// `dyad serve` on a data directory, until dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(data: &Path) -> Server {
        let mut child = dyad()
            .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
            .arg(data)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dyad serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut reader = BufReader::new(stdout);
        let mut first = String::new();
        reader.read_line(&mut first).expect("serve prints its URL");
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        let addr = first
            .split_whitespace()
            .find_map(|w| w.strip_prefix("http://"))
            .unwrap_or_else(|| panic!("no URL in {first:?}"))
            .trim_end_matches('/')
            .to_string();
        Server { child, addr }
    }

    /// One HTTP/1.1 request; returns the status code and the body.
    fn request(&mut self, method: &str, path: &str, headers: &[&str], body: &str) -> (u16, String) {
        let mut s = TcpStream::connect(&self.addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(60)))
            .expect("timeout");
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        for h in headers {
            req.push_str(h);
            req.push_str("\r\n");
        }
        req.push_str("\r\n");
        req.push_str(body);
        s.write_all(req.as_bytes()).expect("send");
        let mut resp = String::new();
        s.read_to_string(&mut resp).expect("read");
        let status = resp
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or_else(|| panic!("no status in {resp:?}"));
        let body = resp
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        (status, body)
    }

    fn get(&mut self, path: &str) -> (u16, String) {
        self.request("GET", path, &[], "")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Audit failures 2 and 4: tokens can be listed (never their secret) and revoked, and a revoked
/// token gets 401 over HTTP; documents ingested from an absolute folder are named relative to
/// it, in `show --json` and in the API.
#[test]
fn tokens_are_listed_and_revoked_and_inputs_are_not_server_paths() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = tmp.path().join("corpus");
    std::fs::create_dir_all(src.join("wire")).expect("mkdir");
    std::fs::write(
        src.join("wire/summit.txt"),
        "Summit in Seoul\n\nThe presidents of South Korea and the United States met in Seoul on Monday.\n",
    )
    .expect("write");
    let data = tmp.path().join("data");
    let d = data.to_string_lossy().into_owned();
    let abs = src.to_string_lossy().into_owned();
    assert!(Path::new(&abs).is_absolute());
    let out = run(&["ingest", &abs, "--data-dir", &d, "--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));

    let out = run(&["search", "summit", "--json", "--data-dir", &d]);
    let hits: Value = serde_json::from_slice(&out.stdout).expect("search JSON");
    let id = hits[0]["id"].as_str().expect("a hit").to_string();
    assert_eq!(hits[0]["input"], "corpus/wire/summit.txt", "{hits}");
    let out = run(&["show", &id, "--json", "--data-dir", &d]);
    let doc: Value = serde_json::from_slice(&out.stdout).expect("show JSON");
    assert_eq!(doc["input"], "corpus/wire/summit.txt", "{doc}");

    let make = |name: &str| {
        let out = run(&["token", "create", "--name", name, "--data-dir", &d]);
        assert!(out.status.success(), "{}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let alice = make("alice");
    let bob = make("bob");

    let mut server = Server::start(&data);
    let (code, body) = server.get(&format!("/api/v1/documents/{id}"));
    assert_eq!(code, 200, "{body}");
    assert!(!body.contains(&abs), "absolute server path in {body}");
    assert!(body.contains("corpus/wire/summit.txt"), "{body}");
    let (code, body) = server.get("/api/v1/documents");
    assert_eq!(code, 200, "{body}");
    assert!(!body.contains(&abs), "absolute server path in {body}");

    // A write with a live token passes the guard (then fails on its body: not a 401).
    let write = |server: &mut Server, token: &str| {
        server.request(
            "POST",
            "/api/v1/commitments/merge",
            &[
                &format!("Authorization: Bearer {token}"),
                "Content-Type: application/json",
            ],
            "{}",
        )
    };
    let (code, body) = write(&mut server, &alice);
    assert_ne!(code, 401, "{body}");

    let out = run(&["token", "revoke", "alice", "--data-dir", &d]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (code, body) = write(&mut server, &alice);
    assert_eq!(code, 401, "{body}");
    let (code, body) = write(&mut server, &bob);
    assert_ne!(code, 401, "{body}");

    // Revoking again finds no live token: exit 1, and the message says so.
    let out = run(&["token", "revoke", "alice", "--data-dir", &d]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("no live token"), "{}", stderr(&out));

    let out = run(&["token", "list", "--json", "--data-dir", &d]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        !text.contains(&alice) && !text.contains(&bob),
        "a secret in {text}"
    );
    let list: Value = serde_json::from_str(&text).expect("token list JSON");
    let by_name = |n: &str| {
        list.as_array()
            .expect("array")
            .iter()
            .find(|t| t["name"] == n)
            .unwrap_or_else(|| panic!("{n} in {list}"))
            .clone()
    };
    assert!(by_name("alice")["revoked"].is_string(), "{list}");
    assert!(by_name("bob")["revoked"].is_null(), "{list}");
    // Revoke by id.
    let bob_id = by_name("bob")["id"].to_string();
    let out = run(&["token", "revoke", &bob_id, "--data-dir", &d]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (code, body) = write(&mut server, &bob);
    assert_eq!(code, 401, "{body}");
    let out = run(&["token", "list", "--data-dir", &d]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("alice") && text.contains("bob"), "{text}");
}
