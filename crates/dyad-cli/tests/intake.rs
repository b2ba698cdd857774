//! Intake end to end, through the real binary: containers (JSON Lines, news-please, RSS, Atom,
//! WARC, WARC.gz), sitemaps and pages fetched from a real HTTP server on a local port (robots.txt,
//! 304, retries after 503), `dyad watch` across restarts, and near-duplicate linking within and
//! across runs. Nothing touches the internet.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

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

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../dyad-ingest/test_data/containers")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn jsonl(s: &str) -> Vec<Value> {
    s.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

fn docs(lines: &[Value]) -> Vec<&Value> {
    lines.iter().filter(|v| v.get("id").is_some()).collect()
}

fn stats(dir: &Path) -> Value {
    let o = run(&["stats", "--json", "--data-dir", &dir.to_string_lossy()]);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).expect("stats JSON")
}

// ---------------------------------------------------------------------------------------------
// A local HTTP server with routes the test can change while it runs.

#[derive(Clone)]
struct Route {
    status: u16,
    body: Vec<u8>,
    content_type: &'static str,
    etag: Option<String>,
    /// Answer 503 this many times before answering normally.
    fail_first: usize,
}

impl Route {
    fn ok(content_type: &'static str, body: impl Into<Vec<u8>>) -> Route {
        Route {
            status: 200,
            body: body.into(),
            content_type,
            etag: None,
            fail_first: 0,
        }
    }
}

#[derive(Debug, Clone)]
struct Seen {
    path: String,
    user_agent: String,
    if_none_match: Option<String>,
    status: u16,
}

struct Server {
    base: String,
    routes: Arc<Mutex<HashMap<String, Route>>>,
    log: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    fn start() -> Server {
        let server = tiny_http::Server::http("127.0.0.1:0").expect("bind a local port");
        let port = server.server_addr().to_ip().expect("an IP listener").port();
        let routes: Arc<Mutex<HashMap<String, Route>>> = Arc::default();
        let log: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let (r, l) = (routes.clone(), log.clone());
        std::thread::spawn(move || {
            for req in server.incoming_requests() {
                let header = |name: &str| {
                    req.headers()
                        .iter()
                        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
                        .map(|h| h.value.as_str().to_string())
                };
                let user_agent = header("User-Agent").unwrap_or_default();
                let if_none_match = header("If-None-Match");
                let path = req.url().to_string();
                let route = {
                    let mut routes = r.lock().expect("routes");
                    match routes.get_mut(&path) {
                        Some(route) if route.fail_first > 0 => {
                            route.fail_first -= 1;
                            Some(Route {
                                status: 503,
                                body: b"busy".to_vec(),
                                content_type: "text/plain",
                                etag: None,
                                fail_first: 0,
                            })
                        }
                        Some(route) => Some(route.clone()),
                        None => None,
                    }
                };
                let route = route.unwrap_or(Route {
                    status: 404,
                    body: b"not found".to_vec(),
                    content_type: "text/plain",
                    etag: None,
                    fail_first: 0,
                });
                let not_modified = route.etag.is_some() && route.etag == if_none_match;
                let status = if not_modified { 304 } else { route.status };
                l.lock().expect("log").push(Seen {
                    path,
                    user_agent,
                    if_none_match,
                    status,
                });
                let body = if not_modified { Vec::new() } else { route.body };
                let mut resp = tiny_http::Response::from_data(body).with_status_code(status);
                let ct = tiny_http::Header::from_bytes(&b"Content-Type"[..], route.content_type)
                    .expect("header");
                resp.add_header(ct);
                if status == 503 {
                    resp.add_header(
                        tiny_http::Header::from_bytes(&b"Retry-After"[..], &b"0"[..])
                            .expect("header"),
                    );
                }
                if let Some(e) = &route.etag {
                    resp.add_header(
                        tiny_http::Header::from_bytes(&b"ETag"[..], e.as_bytes()).expect("header"),
                    );
                }
                let _ = req.respond(resp);
            }
        });
        Server {
            base: format!("http://127.0.0.1:{port}"),
            routes,
            log,
        }
    }

    fn set(&self, path: &str, route: Route) {
        self.routes
            .lock()
            .expect("routes")
            .insert(path.to_string(), route);
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn requests(&self, path: &str) -> Vec<Seen> {
        self.log
            .lock()
            .expect("log")
            .iter()
            .filter(|s| s.path == path)
            .cloned()
            .collect()
    }
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><title>{title}</title></head><body>\
         <nav><a href=\"/\">Home</a></nav><article><h1>{title}</h1>{}</article></body></html>",
        body.split("\n\n")
            .map(|p| format!("<p>{p}</p>"))
            .collect::<String>()
    )
}

const STORY_A: &str = "The harbour authority of Eastport said on Monday that the new container \
crane would be delivered in March, two months later than planned, because of a shortage of steel.\n\n\
Port workers have complained for years that the old cranes break down in winter, and the \
union welcomed the purchase while criticising the delay.\n\n\
The authority said the crane would double the number of ships the port can handle each week.";

const STORY_B: &str = "Millbrook's town council voted to close the old library on Elm Street and \
move its collection to the community centre, after a survey found the building unsafe.\n\n\
Residents packed the council chamber for the vote, and several asked for the facade to be kept.\n\n\
The move will take place over the summer holidays, the council said.";

const STORY_C: &str = "A farmers' cooperative in the Green Valley reported its best apple harvest \
in a decade, crediting a mild spring and new irrigation channels dug last year.\n\n\
Prices at the regional market fell by a fifth as a result, which buyers welcomed.";

// ---------------------------------------------------------------------------------------------
// Containers from files.

#[test]
fn json_lines_records_are_documents_with_their_metadata_and_broken_lines_are_named() {
    let out = run(&[
        "extract",
        &fixture("articles.jsonl"),
        &fixture("newsplease.jsonl"),
    ]);
    // articles.jsonl has broken lines: exit status 1, each named with file and line.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("articles.jsonl: line"), "{err}");
    let lines = jsonl(&stdout(&out));
    let d = docs(&lines);
    assert!(d.len() >= 4, "{lines:?}");
    let ferry = d
        .iter()
        .find(|v| {
            v["input"].as_str().is_some_and(|i| {
                i.ends_with("articles.jsonl#https://news.example.com/2025/10/29/harbor-ferry")
            })
        })
        .expect("the HTML record");
    assert!(
        ferry["text"]
            .as_str()
            .expect("text")
            .contains("The city of Eastport")
    );
    // news-please: title, date, outlet and authors come from the record.
    let water = d
        .iter()
        .find(|v| {
            v["input"]
                .as_str()
                .is_some_and(|i| i.contains("water-bill"))
        })
        .expect("the news-please record");
    assert_eq!(water["published"], "2025-10-29T15:30:00");
    assert_eq!(water["source"], "news.example.org");
    assert_eq!(
        water["byline"],
        serde_json::json!(["Mina Park", "Joon Lee"])
    );
    assert!(water["title"].as_str().is_some_and(|t| !t.is_empty()));
    let failures: Vec<_> = lines.iter().filter(|v| v.get("error").is_some()).collect();
    assert!(
        failures
            .iter()
            .all(|f| f["error"].as_str().is_some_and(|e| e.starts_with("line "))),
        "{failures:?}"
    );
}

#[test]
fn feeds_yield_their_full_text_entries_and_report_links_left_unfetched() {
    for name in ["feed.rss", "feed.atom"] {
        let out = run(&["extract", &fixture(name)]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let lines = jsonl(&stdout(&out));
        let d = docs(&lines);
        assert!(!d.is_empty(), "{name}: no records");
        for doc in &d {
            assert!(doc["published"].is_string(), "{name}: {doc}");
            assert!(doc["title"].is_string(), "{name}: {doc}");
        }
        assert!(
            stderr(&out).contains("not fetched (pass --fetch"),
            "{name}: {}",
            stderr(&out)
        );
    }
    let out = run(&["extract", &fixture("feed.rss")]);
    let lines = jsonl(&stdout(&out));
    let ferry = docs(&lines)
        .into_iter()
        .find(|v| v["title"] == "Harbor city opens new ferry terminal")
        .expect("the entry with content:encoded");
    assert_eq!(ferry["published"], "2025-10-29T09:30:00+09:00");
    assert_eq!(ferry["source"], "Eastport Daily");
}

#[test]
fn warc_and_warc_gz_give_the_same_documents() {
    let plain = run(&["extract", &fixture("news.warc")]);
    let gz = run(&["extract", &fixture("news.warc.gz")]);
    assert!(plain.status.success(), "{}", stderr(&plain));
    assert!(gz.status.success(), "{}", stderr(&gz));
    let a = jsonl(&stdout(&plain));
    let b = jsonl(&stdout(&gz));
    let ids = |v: &[Value]| -> Vec<String> {
        docs(v)
            .iter()
            .map(|d| d["id"].as_str().expect("id").to_string())
            .collect()
    };
    assert!(ids(&a).len() >= 3, "{a:?}");
    assert_eq!(ids(&a), ids(&b));
    for d in docs(&a) {
        assert!(
            d["input"]
                .as_str()
                .expect("input")
                .contains("news.warc#http"),
            "{d}"
        );
    }
    // Korean EUC-KR page declared only in the HTTP header is decoded.
    assert!(docs(&a).iter().any(|d| d["language"] == "ko"), "{a:?}");
}

#[test]
fn containers_in_a_folder_are_ingested_and_searchable() {
    let store = tempfile::tempdir().expect("tempdir");
    let input = tempfile::tempdir().expect("tempdir");
    for name in ["newsplease.jsonl", "feed.atom", "news.warc.gz"] {
        std::fs::copy(fixture(name), input.path().join(name)).expect("copy");
    }
    let dir = store.path().to_string_lossy().into_owned();
    let out = run(&[
        "ingest",
        &input.path().to_string_lossy(),
        "--data-dir",
        &dir,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let s = stats(store.path());
    assert!(s["documents"].as_u64().expect("count") >= 6, "{s}");
    let out = run(&["search", "bridge", "--json", "--data-dir", &dir]);
    assert!(out.status.success(), "{}", stderr(&out));
    let hits: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        hits[0]["title"], "Old bridge reopens after repairs",
        "{hits}"
    );
}

// ---------------------------------------------------------------------------------------------
// Fetching.

#[test]
fn sitemap_over_http_fetches_pages_politely() {
    let srv = Server::start();
    srv.set(
        "/robots.txt",
        Route::ok("text/plain", "User-agent: *\nDisallow: /private/\n"),
    );
    srv.set(
        "/news/crane",
        Route::ok("text/html", page("Crane delayed", STORY_A)),
    );
    srv.set(
        "/news/library",
        Route {
            fail_first: 2,
            ..Route::ok("text/html", page("Library to close", STORY_B))
        },
    );
    srv.set(
        "/private/secret",
        Route::ok("text/html", page("Secret", STORY_C)),
    );
    let sitemap = format!(
        "<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\
         <url><loc>{}</loc></url><url><loc>{}</loc></url><url><loc>{}</loc></url></urlset>",
        srv.url("/news/crane"),
        srv.url("/news/library"),
        srv.url("/private/secret")
    );
    srv.set("/sitemap.xml", Route::ok("application/xml", sitemap));
    let store = tempfile::tempdir().expect("tempdir");
    let dir = store.path().to_string_lossy().into_owned();
    let out = run(&[
        "ingest",
        &srv.url("/sitemap.xml"),
        "--fetch",
        "--allow-private-addresses",
        "--data-dir",
        &dir,
    ]);
    // The disallowed page is a failure naming robots.txt; the others are in.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("/private/secret: disallowed by"), "{err}");
    assert!(srv.requests("/private/secret").is_empty());
    assert_eq!(stats(store.path())["documents"], 2);
    // 503 twice, then 200: three attempts, one document.
    let lib: Vec<u16> = srv
        .requests("/news/library")
        .iter()
        .map(|s| s.status)
        .collect();
    assert_eq!(lib, [503, 503, 200]);
    // robots.txt is read once; every request names dyad.
    assert_eq!(srv.requests("/robots.txt").len(), 1);
    for s in srv.log.lock().expect("log").iter() {
        assert!(s.user_agent.starts_with("dyad/"), "{s:?}");
    }
    // Again: the sitemap is unchanged (no ETag here) but the pages are already stored and are
    // not downloaded again.
    let out = run(&[
        "ingest",
        &srv.url("/sitemap.xml"),
        "--fetch",
        "--allow-private-addresses",
        "--data-dir",
        &dir,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(srv.requests("/news/crane").len(), 1);
    assert_eq!(stats(store.path())["documents"], 2);
}

#[test]
fn fetch_refuses_links_into_the_local_network_unless_allowed() {
    let srv = Server::start();
    srv.set(
        "/robots.txt",
        Route::ok("text/plain", "User-agent: *\nAllow: /\n"),
    );
    srv.set(
        "/internal-admin?secret=1",
        Route::ok("text/html", page("Admin console", STORY_A)),
    );
    srv.set(
        "/b",
        Route::ok("text/html", page("Library to close", STORY_B)),
    );
    // A feed read from disk whose items link to this machine.
    let tmp = tempfile::tempdir().expect("tempdir");
    let feed = tmp.path().join("feed.rss");
    std::fs::write(
        &feed,
        rss(
            &srv.base,
            &[
                ("/internal-admin?secret=1", "Admin"),
                ("/b", "Library to close"),
            ],
        ),
    )
    .expect("write feed");
    let feed = feed.to_string_lossy().into_owned();
    let out = run(&["extract", &feed, "--fetch"]);
    // Each refused item is a failed input with its reason; the run goes on and exits 1.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    let admin = srv.url("/internal-admin?secret=1");
    assert!(
        err.contains(&format!(
            "{admin}: refused: loopback address; pass --allow-private-addresses to fetch local \
             addresses"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("{}: refused", srv.url("/b"))),
        "{err}"
    );
    assert!(docs(&jsonl(&stdout(&out))).is_empty());
    assert!(
        srv.log.lock().expect("log").is_empty(),
        "nothing was requested"
    );

    // With the opt-in both pages are fetched.
    let out = run(&["extract", &feed, "--fetch", "--allow-private-addresses"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(docs(&jsonl(&stdout(&out))).len(), 2);
    assert_eq!(srv.requests("/internal-admin?secret=1").len(), 1);

    // `dyad watch` refuses a local feed by default too.
    let store = tempfile::tempdir().expect("tempdir");
    let cfg = store.path().join("feeds.toml");
    std::fs::write(
        &cfg,
        format!("[[feed]]\nurl = \"{}\"\n", srv.url("/feed.rss")),
    )
    .expect("write config");
    let out = run(&[
        "watch",
        &cfg.to_string_lossy(),
        "--once",
        "--data-dir",
        &store.path().to_string_lossy(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("refused: loopback address"),
        "{}",
        stderr(&out)
    );
    assert!(srv.requests("/feed.rss").is_empty());
}

fn rss(base: &str, items: &[(&str, &str)]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Eastport Daily</title>\
         <link>http://example.invalid/</link><description>test</description>",
    );
    for (path, title) in items {
        s.push_str(&format!(
            "<item><title>{title}</title><link>{base}{path}</link>\
             <pubDate>Mon, 03 Nov 2025 09:00:00 +0900</pubDate></item>"
        ));
    }
    s.push_str("</channel></rss>");
    s
}

#[test]
fn watch_ingests_only_new_items_and_keeps_state_across_restarts() {
    let srv = Server::start();
    srv.set(
        "/robots.txt",
        Route::ok("text/plain", "User-agent: *\nAllow: /\n"),
    );
    srv.set("/a", Route::ok("text/html", page("Crane delayed", STORY_A)));
    srv.set(
        "/b",
        Route::ok("text/html", page("Library to close", STORY_B)),
    );
    srv.set("/c", Route::ok("text/html", page("Apple harvest", STORY_C)));
    srv.set(
        "/feed.rss",
        Route {
            etag: Some("\"v1\"".into()),
            ..Route::ok(
                "application/rss+xml",
                rss(
                    &srv.base,
                    &[("/a", "Crane delayed"), ("/b", "Library to close")],
                ),
            )
        },
    );
    let store = tempfile::tempdir().expect("tempdir");
    let dir = store.path().to_string_lossy().into_owned();
    let cfg = store.path().join("feeds.toml");
    std::fs::write(
        &cfg,
        format!(
            "interval = \"1h\"\n[[feed]]\nurl = \"{}\"\ninterval = \"1s\"\n",
            srv.url("/feed.rss")
        ),
    )
    .expect("write config");
    let cfg = cfg.to_string_lossy().into_owned();

    let out = run(&[
        "watch",
        &cfg,
        "--once",
        "--allow-private-addresses",
        "--data-dir",
        &dir,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("2 new item(s)"), "{}", stderr(&out));
    assert_eq!(stats(store.path())["documents"], 2);

    // A restart: the feed answers 304 to the stored ETag, nothing is fetched.
    let out = run(&[
        "watch",
        &cfg,
        "--once",
        "--allow-private-addresses",
        "--data-dir",
        &dir,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("not modified"), "{}", stderr(&out));
    let feed_reqs = srv.requests("/feed.rss");
    assert_eq!(feed_reqs.last().map(|s| s.status), Some(304));
    assert_eq!(
        feed_reqs.last().and_then(|s| s.if_none_match.clone()),
        Some("\"v1\"".to_string())
    );

    // The feed changes: one new item; the old ones are not fetched again.
    srv.set(
        "/feed.rss",
        Route {
            etag: Some("\"v2\"".into()),
            ..Route::ok(
                "application/rss+xml",
                rss(
                    &srv.base,
                    &[
                        ("/c", "Apple harvest"),
                        ("/a", "Crane delayed"),
                        ("/b", "Library to close"),
                    ],
                ),
            )
        },
    );
    // The opt-in from the configuration this time.
    let text = std::fs::read_to_string(&cfg).expect("config");
    std::fs::write(&cfg, format!("allow_private_addresses = true\n{text}")).expect("config");
    let out = run(&["watch", &cfg, "--cycles", "2", "--data-dir", &dir]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("1 new item(s), 2 already seen"), "{err}");
    assert_eq!(stats(store.path())["documents"], 3);
    assert_eq!(srv.requests("/a").len(), 1);
    assert_eq!(srv.requests("/c").len(), 1);
    // The second cycle of that run found the feed unchanged.
    assert!(err.contains("not modified"), "{err}");
}

#[test]
fn watch_rejects_a_bad_configuration_with_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = dir.path().join("bad.toml");
    std::fs::write(&cfg, "[[feed]]\nurl = \"ftp://x\"\n").expect("write");
    let out = run(&[
        "watch",
        &cfg.to_string_lossy(),
        "--once",
        "--data-dir",
        &dir.path().to_string_lossy(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not an http(s) URL"),
        "{}",
        stderr(&out)
    );
}

// ---------------------------------------------------------------------------------------------
// Near-duplicates.

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

/// A syndicated copy: a dateline, one paragraph edited, one added.
fn syndicated(story: &str) -> String {
    let mut paras: Vec<String> = story.split("\n\n").map(str::to_string).collect();
    paras[0] = format!("EASTPORT (Wire) -- {}", paras[0]);
    paras[1] = paras[1].replace("for years", "for a long time");
    paras.push("The wire service contributed to this report.".into());
    paras.join("\n\n")
}

fn show(dir: &str, input_suffix: &str) -> Value {
    let out = run(&["search", "", "--json", "--limit", "50", "--data-dir", dir]);
    assert!(out.status.success(), "{}", stderr(&out));
    let _ = input_suffix;
    serde_json::from_slice(&out.stdout).expect("json")
}

#[test]
fn a_syndicated_copy_is_linked_to_its_original_across_runs_and_searched_as_one_story() {
    let store = tempfile::tempdir().expect("tempdir");
    let dir = store.path().to_string_lossy().into_owned();
    let a = tempfile::tempdir().expect("tempdir");
    let orig = write(
        a.path(),
        "harbor-daily.txt",
        &format!("Crane delivery delayed\n\n{STORY_A}"),
    );
    write(
        a.path(),
        "other.txt",
        &format!("Library to close\n\n{STORY_B}"),
    );
    let out = run(&["ingest", &a.path().to_string_lossy(), "--data-dir", &dir]);
    assert!(out.status.success(), "{}", stderr(&out));

    let b = tempfile::tempdir().expect("tempdir");
    let copy = write(
        b.path(),
        "wire.txt",
        &format!("Eastport crane arrives late\n\n{}", syndicated(STORY_A)),
    );
    write(
        b.path(),
        "apples.txt",
        &format!("Apple harvest\n\n{STORY_C}"),
    );
    let out = run(&["ingest", &b.path().to_string_lossy(), "--data-dir", &dir]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("; 1 linked to an earlier duplicate"),
        "{}",
        stderr(&out)
    );

    let out = run(&["extract", &copy.to_string_lossy()]);
    let copy_id = jsonl(&stdout(&out))[0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let out = run(&["show", &copy_id, "--json", "--data-dir", &dir]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    // An absolute folder's files are named from the folder itself (issue 15).
    let named = |p: &Path| {
        let base = p
            .parent()
            .and_then(Path::parent)
            .expect("folder in a folder");
        p.strip_prefix(base)
            .expect("under its folder")
            .to_string_lossy()
            .into_owned()
    };
    assert_eq!(doc["duplicate_of"], named(&orig));
    assert_eq!(stats(store.path())["duplicates"], 1);

    // One story in search, with the copy listed.
    let out = run(&["search", "crane", "--json", "--data-dir", &dir]);
    let hits: Value = serde_json::from_slice(&out.stdout).expect("json");
    let hits = hits.as_array().expect("array");
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0]["input"], named(&orig));
    assert_eq!(hits[0]["copies"][0]["input"], named(&copy));
    let out = run(&["search", "crane", "--data-dir", &dir]);
    assert!(
        stdout(&out).contains("also published by 1 other source(s)"),
        "{}",
        stdout(&out)
    );
    // Unrelated stories are not linked.
    let all = show(&dir, "");
    assert_eq!(all.as_array().expect("array").len(), 3, "{all}");
}

#[test]
fn near_duplicates_within_one_run_and_the_threshold_is_configurable() {
    let a = tempfile::tempdir().expect("tempdir");
    write(
        a.path(),
        "1-orig.txt",
        &format!("Crane delivery delayed\n\n{STORY_A}"),
    );
    write(
        a.path(),
        "2-copy.txt",
        &format!("Eastport crane arrives late\n\n{}", syndicated(STORY_A)),
    );
    write(
        a.path(),
        "3-other.txt",
        &format!("Library to close\n\n{STORY_B}"),
    );
    let out = run(&["extract", &a.path().to_string_lossy()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lines = jsonl(&stdout(&out));
    assert!(lines[0]["duplicate_of"].is_null());
    assert!(
        lines[1]["duplicate_of"]
            .as_str()
            .is_some_and(|d| d.ends_with("1-orig.txt")),
        "{}",
        lines[1]
    );
    assert!(lines[2]["duplicate_of"].is_null());
    // A threshold above the pair's similarity leaves them apart.
    let out = run(&[
        "extract",
        &a.path().to_string_lossy(),
        "--dup-threshold",
        "0.99",
    ]);
    let lines = jsonl(&stdout(&out));
    assert!(lines[1]["duplicate_of"].is_null(), "{}", lines[1]);
    let out = run(&[
        "extract",
        &a.path().to_string_lossy(),
        "--dup-threshold",
        "7",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn generator_writes_articles_that_ingest_cleanly() {
    let out_dir = tempfile::tempdir().expect("tempdir");
    let store = tempfile::tempdir().expect("tempdir");
    let o = run(&[
        "generate",
        "--count",
        "300",
        "--per-file",
        "100",
        "--out",
        &out_dir.path().to_string_lossy(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let files = std::fs::read_dir(out_dir.path()).expect("read_dir").count();
    assert_eq!(files, 3);
    let o = run(&[
        "ingest",
        &out_dir.path().to_string_lossy(),
        "--threads",
        "1",
        "--data-dir",
        &store.path().to_string_lossy(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("peak RSS"), "{err}");
    assert!(err.contains("on 1 thread(s)"), "{err}");
    let s = stats(store.path());
    let n = s["documents"].as_u64().expect("documents");
    assert!(n > 250 && n <= 300, "{s}");
    // About a tenth are edited copies, linked to their originals.
    let d = s["duplicates"].as_u64().expect("duplicates");
    assert!((10..=60).contains(&d), "{s}");
    assert!(s["by_language"].to_string().contains("ko"), "{s}");
}
