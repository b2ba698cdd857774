//! `dyad serve`'s network layer over a real local port, spoken to in raw HTTP/1.1: the `Host`
//! allow-list (DNS rebinding) and the header-read timeout (half-open connections).

use std::net::SocketAddr;
use std::time::Duration;

use dyad_server::{AppState, ServeOptions, router};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

struct Running {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    _dir: tempfile::TempDir,
}

async fn start(opts: ServeOptions) -> Running {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = router(AppState::open(dir.path()).expect("state"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(async move {
        dyad_server::listen::serve_with(listener, app, &opts, async {
            let _ = rx.await;
        })
        .await
    });
    Running {
        addr,
        stop: Some(tx),
        task,
        _dir: dir,
    }
}

impl Running {
    async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        let done = tokio::time::timeout(Duration::from_secs(30), self.task)
            .await
            .expect("the server stops");
        done.expect("task").expect("serve");
    }
}

/// Sends `request` raw and reads the whole answer (the request asks to close).
async fn raw(addr: SocketAddr, request: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    s.write_all(request.as_bytes()).await.expect("write");
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), s.read_to_end(&mut out))
        .await
        .expect("an answer")
        .expect("read");
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let body = text
        .split_once("\r\n\r\n")
        .map(|x| x.1)
        .unwrap_or("")
        .to_string();
    (status, body)
}

fn get(path: &str, host: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
}

#[tokio::test]
async fn a_forged_host_is_refused_in_the_apis_error_format() {
    let srv = start(ServeOptions {
        allowed_hosts: vec!["dyad.example.org".into()],
        ..ServeOptions::default()
    })
    .await;
    let port = srv.addr.port();
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
        "dyad.example.org".to_string(),
    ] {
        let (status, body) = raw(srv.addr, &get("/api/v1/stats", &host)).await;
        assert_eq!(status, 200, "{host}: {body}");
    }
    // A rebinding attacker's name, on the API and on the dashboard.
    for path in ["/api/v1/stats", "/", "/api/v1/openapi.json"] {
        let (status, body) = raw(srv.addr, &get(path, &format!("evil.example:{port}"))).await;
        assert_eq!(status, 400, "{path}: {body}");
        let v: serde_json::Value = serde_json::from_str(&body).expect("JSON error");
        assert_eq!(v["error"]["code"], "bad_request", "{v}");
        let msg = v["error"]["message"].as_str().expect("message");
        assert!(
            msg.contains("evil.example") && msg.contains("--allow-host"),
            "{msg}"
        );
    }
    // Another port on a loopback name is another origin.
    let (status, _) = raw(srv.addr, &get("/api/v1/stats", "localhost:1")).await;
    assert_eq!(status, 400);
    // HTTP/1.0 without a Host header.
    let (status, _) = raw(srv.addr, "GET /api/v1/stats HTTP/1.0\r\n\r\n").await;
    assert_eq!(status, 400);
    srv.stop().await;
}

#[tokio::test]
async fn a_half_sent_request_line_is_closed_after_the_header_timeout() {
    let srv = start(ServeOptions {
        header_read_timeout: Duration::from_millis(200),
        ..ServeOptions::default()
    })
    .await;
    let mut s = TcpStream::connect(srv.addr).await.expect("connect");
    s.write_all(b"GET /api/v1/sta").await.expect("write");
    // The server closes the connection: reading reaches its end (or a reset), with no
    // response to the half request. The outer timeout only keeps a broken server from
    // hanging the test.
    let mut out = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(60), s.read_to_end(&mut out))
        .await
        .expect("the server closed the connection");
    if read.is_ok() {
        let text = String::from_utf8_lossy(&out);
        assert!(
            text.is_empty() || text.starts_with("HTTP/1.1 408"),
            "{text}"
        );
    }
    // A connection that sends nothing at all is closed the same way.
    let mut idle = TcpStream::connect(srv.addr).await.expect("connect");
    let mut buf = [0u8; 64];
    let n = tokio::time::timeout(Duration::from_secs(60), idle.read(&mut buf))
        .await
        .expect("the server closed the idle connection");
    assert!(matches!(n, Ok(0) | Err(_)), "{n:?}");
    // The server still answers complete requests.
    let port = srv.addr.port();
    let (status, _) = raw(
        srv.addr,
        &get("/api/v1/stats", &format!("127.0.0.1:{port}")),
    )
    .await;
    assert_eq!(status, 200);
    srv.stop().await;
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_for_a_free_slot() {
    let srv = start(ServeOptions {
        max_connections: 1,
        ..ServeOptions::default()
    })
    .await;
    let port = srv.addr.port();
    // The one slot is held by a connection that has sent half its headers.
    let mut holder = TcpStream::connect(srv.addr).await.expect("connect");
    holder
        .write_all(format!("GET /api/v1/stats HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n").as_bytes())
        .await
        .expect("write");
    // A second connection is accepted by the kernel but not served yet.
    let second = tokio::spawn(async move {
        raw(
            srv.addr,
            &get("/api/v1/stats", &format!("127.0.0.1:{port}")),
        )
        .await
    });
    // Long enough for an uncapped server to answer it; with the cap it cannot be answered
    // however long this is, so the assertion does not depend on timing.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!second.is_finished(), "served beyond the cap");
    // The holder finishes its request: its answer comes, and its slot frees when it closes.
    holder
        .write_all(b"Connection: close\r\n\r\n")
        .await
        .expect("write");
    let mut out = Vec::new();
    holder.read_to_end(&mut out).await.expect("read");
    assert!(String::from_utf8_lossy(&out).starts_with("HTTP/1.1 200"));
    let (status, _) = tokio::time::timeout(Duration::from_secs(30), second)
        .await
        .expect("the second connection is served")
        .expect("task");
    assert_eq!(status, 200);
    srv.stop().await;
}
