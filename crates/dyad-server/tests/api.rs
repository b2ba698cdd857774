//! The API, in process (tower `oneshot`) and over a real local port, on a real SQLite store and
//! tantivy index holding the hand-made documents of `tests/fixture/documents.json`.

use std::path::Path;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use dyad_model::Document;
use dyad_server::{AppState, create_token, router};
use dyad_store::Store;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

struct Fixture {
    dir: tempfile::TempDir,
    token: String,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixture/documents.json"),
    )
    .expect("fixture documents");
    let docs: Vec<Document> = serde_json::from_str(&text).expect("fixture parses");
    let mut store = Store::open(dir.path()).expect("store");
    let puts = store.put_documents(&docs).expect("put");
    let mut index = dyad_search::Index::open(dir.path()).expect("index");
    for (doc, put) in docs.iter().zip(&puts) {
        index.add(put.seq(), doc).expect("index add");
    }
    index.commit(store.max_seq().expect("seq")).expect("commit");
    drop(index);
    let token = create_token(&mut store, "tester").expect("token");
    Fixture { dir, token }
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    json: Value,
}

async fn call(fx: &Fixture, req: Request<Body>) -> Answer {
    let app = router(AppState::open(fx.dir.path()).expect("state"));
    let res = app.oneshot(req).await.expect("infallible");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        json,
    }
}

async fn get(fx: &Fixture, uri: &str) -> Answer {
    call(fx, Request::get(uri).body(Body::empty()).expect("request")).await
}

fn post(uri: &str, token: Option<&str>, body: &Value) -> axum::http::request::Builder {
    let mut b = Request::post(uri)
        .header("content-type", "application/json")
        .header("host", "127.0.0.1:8080");
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    let _ = body;
    b
}

async fn send(fx: &Fixture, b: axum::http::request::Builder, body: &Value) -> Answer {
    call(fx, b.body(Body::from(body.to_string())).expect("request")).await
}

fn error_code(a: &Answer) -> &str {
    a.json["error"]["code"]
        .as_str()
        .unwrap_or("<no error code>")
}

/// Replaces `{param}` placeholders with real ids of the fixture.
fn concrete(path: &str) -> String {
    path.replace("{id}", "dfixture00000001.c0")
        .replace("{key}", "lee-jae-myung")
        .replace(
            "/documents/dfixture00000001.c0",
            "/documents/dfixture00000001",
        )
}

async fn openapi(fx: &Fixture) -> Value {
    let a = get(fx, "/api/v1/openapi.json").await;
    assert_eq!(a.status, StatusCode::OK);
    a.json
}

#[tokio::test]
async fn every_write_in_the_openapi_description_refuses_a_caller_without_a_token() {
    let fx = fixture();
    let doc = openapi(&fx).await;
    let mut writes = 0;
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for method in ops.as_object().expect("operations").keys() {
            if method == "get" {
                continue;
            }
            writes += 1;
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let uri = concrete(path);
            let body = json!({"status": "delivered", "ids": ["dfixture00000001.c1"], "into": "dfixture00000001.c0"});
            // No token at all, a made-up token, a token in the wrong scheme: 401.
            for auth in [None, Some("Bearer not-a-token"), Some("Basic dXNlcjpwYXNz")] {
                let mut b = Request::builder()
                    .method(m.clone())
                    .uri(&uri)
                    .header("content-type", "application/json");
                if let Some(a) = auth {
                    b = b.header("authorization", a);
                }
                let a = send(&fx, b, &body).await;
                assert_eq!(
                    a.status,
                    StatusCode::UNAUTHORIZED,
                    "{method} {uri} with {auth:?}"
                );
                assert_eq!(error_code(&a), "unauthorized");
                let declared = &ops[method]["responses"]["401"];
                assert!(!declared.is_null(), "{method} {path} must declare 401");
            }
            // A valid token from another origin: 403.
            let b = post(&uri, Some(&fx.token), &body)
                .method(m.clone())
                .header("origin", "http://evil.example");
            let a = send(&fx, b, &body).await;
            assert_eq!(
                a.status,
                StatusCode::FORBIDDEN,
                "{method} {uri} cross-origin"
            );
            // A valid token but a form body (what a cross-site form can send): 415.
            let b = Request::builder()
                .method(m)
                .uri(&uri)
                .header("authorization", format!("Bearer {}", fx.token))
                .header("content-type", "application/x-www-form-urlencoded");
            let a = call(&fx, b.body(Body::from("status=delivered")).expect("req")).await;
            assert_eq!(
                a.status,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "{method} {uri} form"
            );
        }
    }
    assert!(
        writes >= 4,
        "the description lists the write operations ({writes})"
    );
    // Nothing was written by all those refused calls.
    let c = get(&fx, "/api/v1/commitments/dfixture00000001.c0").await;
    assert_eq!(c.json["history"], json!([]));
    assert_eq!(c.json["status"], "not_yet_rated");
}

#[tokio::test]
async fn every_read_in_the_openapi_description_answers_json() {
    let fx = fixture();
    let doc = openapi(&fx).await;
    let mut reads = 0;
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        if ops.get("get").is_none() {
            continue;
        }
        reads += 1;
        let a = get(&fx, &concrete(path)).await;
        if path == "/api/v1/auth" {
            assert_eq!(a.status, StatusCode::UNAUTHORIZED);
            continue;
        }
        assert_eq!(a.status, StatusCode::OK, "GET {path}: {}", a.json);
        assert!(a.json.is_object(), "GET {path}");
    }
    assert!(reads >= 15, "{reads}");
    let codes: Vec<&str> = doc["x-error-codes"]
        .as_array()
        .expect("error table")
        .iter()
        .filter_map(|c| c["code"].as_str())
        .collect();
    assert!(codes.contains(&"unauthorized") && codes.contains(&"not_found"));
}

#[tokio::test]
async fn documents_are_paginated_and_filtered_and_bad_parameters_are_named() {
    let fx = fixture();
    let all = get(&fx, "/api/v1/documents").await;
    assert_eq!(all.json["total"], 3);
    assert_eq!(
        all.json["items"][0]["id"], "dfixture00000002",
        "newest first"
    );
    let p1 = get(&fx, "/api/v1/documents?per_page=2").await;
    let p2 = get(&fx, "/api/v1/documents?per_page=2&page=2").await;
    assert_eq!(p1.json["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(p2.json["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(p2.json["items"][0]["id"], "dfixture00000003");
    let ko = get(&fx, "/api/v1/documents?lang=ko").await;
    assert_eq!(ko.json["total"], 1);
    let since = get(&fx, "/api/v1/documents?since=2025&until=2025-10").await;
    assert_eq!(since.json["total"], 1);
    assert_eq!(since.json["items"][0]["id"], "dfixture00000001");
    let by_entity = get(&fx, "/api/v1/documents?entity=lee-jae-myung").await;
    assert_eq!(by_entity.json["total"], 2);

    for (uri, needle) in [
        ("/api/v1/documents?since=yesterday", "since"),
        ("/api/v1/documents?per_page=1000", "per_page"),
        ("/api/v1/documents?page=0", "page"),
        ("/api/v1/documents?colour=red", "colour"),
    ] {
        let a = get(&fx, uri).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(error_code(&a), "bad_request");
        let msg = a.json["error"]["message"].as_str().unwrap_or("");
        assert!(msg.contains(needle), "{uri}: {msg}");
    }
    let missing = get(&fx, "/api/v1/documents/dnothere").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&missing), "not_found");
    let route = get(&fx, "/api/v1/nothing-here").await;
    assert_eq!(route.status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&route), "not_found");
}

#[tokio::test]
async fn a_document_has_its_text_extractions_removed_boilerplate_and_inputs() {
    let fx = fixture();
    let d = get(&fx, "/api/v1/documents/dfixture0000000").await;
    assert_eq!(d.status, StatusCode::BAD_REQUEST, "ambiguous prefix");
    let d = get(&fx, "/api/v1/documents/dfixture00000001").await;
    assert_eq!(d.status, StatusCode::OK);
    let text = d.json["text"].as_str().expect("text");
    let q = &d.json["quotes"][0];
    let (s, e) = (
        q["start"].as_u64().expect("start") as usize,
        q["end"].as_u64().expect("end") as usize,
    );
    assert_eq!(&text[s..e], q["text"].as_str().expect("quote text"));
    assert_eq!(d.json["removed"][0]["reason"], "advert");
    assert_eq!(d.json["inputs"], json!(["fixture/dfixture00000001.html"]));
}

#[tokio::test]
async fn search_has_facets_and_pages() {
    let fx = fixture();
    let a = get(&fx, "/api/v1/search?q=tariff").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json["total"], 1);
    assert_eq!(a.json["items"][0]["id"], "dfixture00000001");
    let all = get(&fx, "/api/v1/search?per_page=1").await;
    assert_eq!(all.json["total"], 3);
    assert_eq!(all.json["items"].as_array().map(Vec::len), Some(1));
    let langs = &all.json["facets"]["language"];
    assert_eq!(langs[0], json!({"value": "en", "count": 2}));
    assert_eq!(langs[1], json!({"value": "ko", "count": 1}));
    assert_eq!(all.json["facets"]["source"][0]["value"], "Fixture Herald");
    // Pages of the newest-first listing do not overlap, and facets still count every match.
    let second = get(&fx, "/api/v1/search?per_page=1&page=2").await;
    assert_eq!(second.json["total"], 3);
    assert_ne!(second.json["items"][0]["id"], all.json["items"][0]["id"]);
    assert_eq!(second.json["facets"], all.json["facets"]);
    let ko = get(&fx, "/api/v1/search?q=%EB%B6%84%EB%8B%B4%EA%B8%88").await; // 분담금
    assert_eq!(ko.json["items"][0]["id"], "dfixture00000002");
    let bad = get(&fx, "/api/v1/search?q=%22unbalanced").await;
    assert!(bad.status == StatusCode::OK || bad.status == StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn events_timeline_quotes_topics_entities_and_sources() {
    let fx = fixture();
    let ev = get(&fx, "/api/v1/events").await;
    assert_eq!(ev.json["total"], 3);
    assert_eq!(ev.json["items"][0]["record"]["date"], "2025-11-30");
    let agree = get(&fx, "/api/v1/events?type=agree&actor=Donald%20Trump").await;
    assert_eq!(agree.json["total"], 1);
    let recipient = get(&fx, "/api/v1/events?actor=South%20Korea").await;
    assert_eq!(recipient.json["total"], 1, "recipients count as actors");
    let tl = get(&fx, "/api/v1/timeline?since=2025").await;
    assert_eq!(
        tl.json["months"],
        json!([{"month": "2025-10", "events": 1}, {"month": "2025-11", "events": 1}])
    );
    let quotes = get(&fx, "/api/v1/quotes?speaker=Lee%20Jae-myung").await;
    assert_eq!(quotes.json["total"], 1);
    let speakers = get(&fx, "/api/v1/speakers").await;
    assert_eq!(speakers.json["items"].as_array().map(Vec::len), Some(2));
    let topics = get(&fx, "/api/v1/topics").await;
    let defense: Vec<&Value> = topics.json["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|r| r["topic"] == "defense")
        .collect();
    assert_eq!(defense.len(), 3, "three months with defense coverage");
    let lee = get(&fx, "/api/v1/entities/lee-jae-myung").await;
    assert_eq!(lee.json["entity"]["documents"], 2);
    assert_eq!(lee.json["kb"]["native"], "이재명");
    assert!(
        lee.json["kb"]["roles"]
            .as_array()
            .is_some_and(|r| r.len() >= 2)
    );
    assert_eq!(lee.json["quotes"]["total"], 1);
    let stance = &lee.json["stance"];
    assert_eq!(stance["events"][0], json!({"type": "AGREE", "count": 2}));
    assert_eq!(
        stance["cooperative"], 2,
        "AGREE is cooperation in events.toml"
    );
    assert_eq!(stance["conflictual"], 0);
    assert!(
        lee.json["cooccurring"]
            .as_array()
            .expect("co")
            .iter()
            .any(|e| e["key"] == "donald-trump")
    );
    let sources = get(&fx, "/api/v1/sources").await;
    assert_eq!(sources.json["items"][0]["source"], "Fixture Herald");
    assert_eq!(sources.json["items"][0]["documents"], 2);
}

#[tokio::test]
async fn analyst_writes_change_status_append_history_and_merge() {
    let fx = fixture();
    let list = get(&fx, "/api/v1/commitments").await;
    assert_eq!(list.json["total"], 4);
    let c = &list.json["items"][0];
    assert_eq!(c["status"], "not_yet_rated");
    for key in [
        "id", "holders", "text", "topic", "amount", "due", "status", "overdue", "evidence",
        "history",
    ] {
        assert!(c.get(key).is_some(), "export record has `{key}`");
    }
    // The 2024 demand is overdue; the 2035 pledge is not.
    let old = get(&fx, "/api/v1/commitments/dfixture00000003.c0").await;
    assert_eq!(old.json["overdue"], true);
    assert_eq!(old.json["evidence"][0]["doc_id"], "dfixture00000003");
    let later = get(&fx, "/api/v1/commitments/dfixture00000001.c1").await;
    assert_eq!(later.json["overdue"], false);

    let uri = "/api/v1/commitments/dfixture00000001.c0/status";
    let body = json!({"status": "in_progress", "note": "first tranche announced"});
    let a = send(&fx, post(uri, Some(&fx.token), &body), &body).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    assert_eq!(a.json["status"], "in_progress");
    assert_eq!(a.json["history"][0]["by"], "tester");
    assert_eq!(a.json["history"][0]["note"], "first tranche announced");
    // Same-origin browsers send Origin: accepted.
    let b = post(uri, Some(&fx.token), &body).header("origin", "http://127.0.0.1:8080");
    let body2 = json!({"status": "delivered"});
    let a = send(&fx, b, &body2).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    assert_eq!(a.json["history"].as_array().map(Vec::len), Some(2));
    let delivered = get(&fx, "/api/v1/commitments?status=delivered").await;
    assert_eq!(delivered.json["total"], 1);
    let summary = get(&fx, "/api/v1/commitments/summary").await;
    assert!(
        summary.json["summary"]["by_status"]
            .as_array()
            .expect("counts")
            .contains(&json!({"status": "delivered", "count": 1}))
    );

    let bad = json!({"status": "finished"});
    let a = send(&fx, post(uri, Some(&fx.token), &bad), &bad).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(&a), "unprocessable");
    let extra = json!({"status": "delivered", "colour": "red"});
    let a = send(&fx, post(uri, Some(&fx.token), &extra), &extra).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let missing = "/api/v1/commitments/dnothere.c0/status";
    let a = send(&fx, post(missing, Some(&fx.token), &body), &body).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);

    let merge = json!({"ids": ["dfixture00000002.c0", "dfixture00000001.c1"], "into": "dfixture00000001.c1", "note": "same pledge"});
    let a = send(
        &fx,
        post("/api/v1/commitments/merge", Some(&fx.token), &merge),
        &merge,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    let merged = get(&fx, "/api/v1/commitments/dfixture00000002.c0").await;
    assert_eq!(merged.json["status"], "superseded");
    let note = merged.json["history"][0]["note"].as_str().unwrap_or("");
    assert!(note.contains("dfixture00000001.c1"), "{note}");
    let nothing = json!({"ids": ["dfixture00000001.c1"], "into": "dfixture00000001.c1"});
    let a = send(
        &fx,
        post("/api/v1/commitments/merge", Some(&fx.token), &nothing),
        &nothing,
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);

    let review = json!({});
    let a = send(
        &fx,
        post("/api/v1/suggestions/s1/accept", Some(&fx.token), &review),
        &review,
    )
    .await;
    assert_eq!(
        a.status,
        StatusCode::NOT_FOUND,
        "documents carry no suggestions"
    );
}

#[tokio::test]
async fn tokens_are_stored_hashed() {
    let fx = fixture();
    let db = std::fs::read(fx.dir.path().join("dyad.sqlite3")).expect("db");
    let wal = std::fs::read(fx.dir.path().join("dyad.sqlite3-wal")).unwrap_or_default();
    let needle = fx.token.as_bytes();
    for bytes in [&db, &wal] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "token stored in clear"
        );
    }
    assert_eq!(fx.token.len(), 64);
    let mut h = Request::get("/api/v1/auth");
    h = h.header("authorization", format!("Bearer {}", fx.token));
    let a = call(&fx, h.body(Body::empty()).expect("req")).await;
    assert_eq!(a.json["name"], "tester");
}

#[tokio::test]
async fn the_dashboard_is_served_with_strict_security_headers() {
    let fx = fixture();
    for uri in ["/", "/assets/js/app.js", "/api/v1/stats", "/api/v1/nothing"] {
        let a = get(&fx, uri).await;
        let csp = a.headers["content-security-policy"].to_str().expect("csp");
        assert!(csp.contains("default-src 'self'"), "{uri}");
        assert!(csp.contains("frame-ancestors 'none'"), "{uri}");
        assert!(!csp.contains("unsafe-inline"), "{uri}");
        assert_eq!(a.headers["x-content-type-options"], "nosniff", "{uri}");
    }
    let js = get(&fx, "/assets/js/app.js").await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(
        js.headers["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/javascript")
    );
    let missing = get(&fx, "/assets/nope.js").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

/// No dashboard file parses data as HTML or runs inline code.
#[test]
fn dashboard_sources_never_use_html_sinks() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir.join("js")).expect("js dir") {
        let path = entry.expect("entry").path();
        let src = std::fs::read_to_string(&path).expect("read");
        for sink in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
            "new Function",
        ] {
            assert!(!src.contains(sink), "{} uses {sink}", path.display());
        }
        checked += 1;
    }
    assert!(checked >= 2);
    let html = std::fs::read_to_string(dir.join("index.html")).expect("index");
    assert!(
        !html.contains("<script>") && !html.contains("style="),
        "inline code in index.html"
    );
}

#[tokio::test]
async fn over_a_real_port() {
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;
    let fx = fixture();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = router(AppState::open(fx.dir.path()).expect("state"));
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let client: Client<_, http_body_util::Full<axum::body::Bytes>> =
        Client::builder(TokioExecutor::new()).build_http();
    let res = client
        .get(format!("http://{addr}/api/v1/stats").parse().expect("uri"))
        .await
        .expect("GET");
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.into_body().collect().await.expect("body").to_bytes();
    let v: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(v["documents"], 3);
    assert_eq!(v["indexed"], 3);
    let req = Request::post(format!("http://{addr}/api/v1/commitments/merge"))
        .header("content-type", "application/json")
        .body(http_body_util::Full::from(r#"{"ids":["a"],"into":"b"}"#))
        .expect("req");
    let res = client.request(req).await.expect("POST");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let req = Request::post(format!(
        "http://{addr}/api/v1/commitments/dfixture00000001.c0/status"
    ))
    .header("content-type", "application/json")
    .header("authorization", format!("Bearer {}", fx.token))
    .body(http_body_util::Full::from(r#"{"status":"stalled"}"#))
    .expect("req");
    let res = client.request(req).await.expect("POST");
    assert_eq!(res.status(), StatusCode::OK);
    server.abort();
}
