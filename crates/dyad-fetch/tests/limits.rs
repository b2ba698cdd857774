//! The fetch policy and the per-response limits, against real HTTP servers on local ports.
//! Every server here is on 127.0.0.1, so a test that means to fetch passes the opt-in
//! (`allow_private`) or lets exactly one server through (`allowed_addrs`).

use std::io::Read;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dyad_fetch::{Config, FetchError, Fetched, Fetcher, Lookup};

/// A local server answering every request with `answer(path)`; counts the requests it saw.
struct Server {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<String>>>,
}

type Answer = tiny_http::Response<Box<dyn Read + Send>>;

impl Server {
    fn start(answer: impl Fn(&str) -> Answer + Send + 'static) -> Server {
        let server = tiny_http::Server::http("127.0.0.1:0").expect("bind a local port");
        let addr = server.server_addr().to_ip().expect("an IP listener");
        let seen: Arc<Mutex<Vec<String>>> = Arc::default();
        let log = seen.clone();
        std::thread::spawn(move || {
            for req in server.incoming_requests() {
                let path = req.url().to_string();
                log.lock().expect("log").push(path.clone());
                let _ = req.respond(answer(&path));
            }
        });
        Server { addr, seen }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().expect("log").clone()
    }
}

fn text(status: u16, body: &str) -> Answer {
    let bytes = body.as_bytes().to_vec();
    let len = bytes.len();
    tiny_http::Response::new(
        tiny_http::StatusCode(status),
        vec![],
        Box::new(std::io::Cursor::new(bytes)) as Box<dyn Read + Send>,
        Some(len),
        None,
    )
}

fn redirect(to: &str) -> Answer {
    text(302, "").with_header(
        tiny_http::Header::from_bytes(&b"Location"[..], to.as_bytes()).expect("header"),
    )
}

/// A body that sends one byte every `every`, `left` bytes in all.
struct Drip {
    left: usize,
    every: Duration,
}

impl Read for Drip {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 || buf.is_empty() {
            return Ok(0);
        }
        std::thread::sleep(self.every);
        self.left -= 1;
        buf[0] = b'x';
        Ok(1)
    }
}

fn quick(cfg: Config) -> Config {
    Config {
        robots: false,
        retries: 2,
        backoff: Duration::from_millis(1),
        ..cfg
    }
}

fn body(r: Result<Fetched, FetchError>) -> String {
    match r {
        Ok(Fetched::Body(p)) => String::from_utf8(p.bytes).expect("utf-8"),
        other => panic!("expected a body, got {other:?}"),
    }
}

#[test]
fn a_loopback_url_is_refused_by_default_and_fetched_with_the_opt_in() {
    let srv = Server::start(|_| text(200, "internal admin page"));
    let url = srv.url("/internal-admin?secret=1");
    let strict = Fetcher::new(quick(Config::default()));
    let err = strict.fetch(&url, None).expect_err("refused");
    assert!(matches!(err, FetchError::Refused(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "refused: loopback address; pass --allow-private-addresses to fetch local addresses"
    );
    // The refusal itself names the URL, for callers that print it alone.
    let FetchError::Refused(r) = &err else {
        unreachable!("matched above")
    };
    assert_eq!(r.url, url);
    assert_eq!(
        r.to_string(),
        format!(
            "refused {url}: loopback address; pass --allow-private-addresses to fetch local \
             addresses"
        )
    );
    // Nothing reached the server, robots.txt included.
    let strict_robots = Fetcher::new(Config {
        robots: true,
        ..quick(Config::default())
    });
    assert!(strict_robots.fetch(&url, None).is_err());
    assert!(srv.seen().is_empty(), "{:?}", srv.seen());

    let open = Fetcher::new(Config {
        allow_private: true,
        ..quick(Config::default())
    });
    assert_eq!(body(open.fetch(&url, None)), "internal admin page");
}

/// Points every name at fixed addresses, as a hostile DNS server would.
struct FixedLookup(Vec<SocketAddr>, AtomicUsize);

impl Lookup for FixedLookup {
    fn lookup(&self, _host: &str, _port: u16) -> std::io::Result<Vec<SocketAddr>> {
        self.1.fetch_add(1, Ordering::SeqCst);
        Ok(self.0.clone())
    }
}

#[test]
fn a_public_looking_name_that_resolves_to_loopback_is_refused() {
    let srv = Server::start(|_| text(200, "robots or page"));
    let lookup = Arc::new(FixedLookup(vec![srv.addr], AtomicUsize::new(0)));
    let url = format!("http://news.example.com:{}/story", srv.addr.port());
    for robots in [false, true] {
        let f = Fetcher::with_lookup(
            Config {
                robots,
                ..quick(Config::default())
            },
            lookup.clone(),
        );
        let err = f.fetch(&url, None).expect_err("refused");
        let msg = err.to_string();
        assert!(matches!(err, FetchError::Refused(_)), "{err:?}");
        assert!(
            msg.starts_with("refused: news.example.com resolves to 127.0.0.1"),
            "{msg}"
        );
        assert!(msg.contains("a loopback address"), "{msg}");
    }
    assert!(
        lookup.1.load(Ordering::SeqCst) >= 2,
        "the name was looked up"
    );
    assert!(srv.seen().is_empty(), "{:?}", srv.seen());

    // A name with one public and one private address is refused as a whole (no connection is
    // tried, so the public address is never contacted).
    let public: SocketAddr = "8.8.8.8:80".parse().expect("address");
    let mixed = Arc::new(FixedLookup(vec![public, srv.addr], AtomicUsize::new(0)));
    let f = Fetcher::with_lookup(quick(Config::default()), mixed);
    let err = f.fetch(&url, None).expect_err("refused");
    assert!(err.to_string().contains("a loopback address"), "{err}");

    // With the opt-in, the same name is fetched from the address it resolved to.
    let f = Fetcher::with_lookup(
        Config {
            allow_private: true,
            ..quick(Config::default())
        },
        lookup,
    );
    assert_eq!(body(f.fetch(&url, None)), "robots or page");
}

#[test]
fn a_redirect_from_an_allowed_server_to_a_private_address_is_refused() {
    let inner = Server::start(|_| text(200, "secret"));
    let target = inner.url("/internal-admin?secret=1");
    let hop = target.clone();
    let outer = Server::start(move |path| match path {
        "/moved" => redirect(&hop),
        _ => text(200, "public page"),
    });
    // Only the outer server is let through, as a public server would be.
    let f = Fetcher::new(Config {
        allowed_addrs: vec![outer.addr],
        ..quick(Config::default())
    });
    assert_eq!(body(f.fetch(&outer.url("/page"), None)), "public page");
    let err = f.fetch(&outer.url("/moved"), None).expect_err("refused");
    assert!(matches!(err, FetchError::Refused(_)), "{err:?}");
    assert!(
        err.to_string().starts_with(&format!(
            "refused the redirect to {target}: loopback address"
        )),
        "{err}"
    );
    assert!(inner.seen().is_empty(), "{:?}", inner.seen());
    // Refusals are not retried.
    assert_eq!(outer.seen(), ["/page", "/moved"]);

    // A redirect to another scheme or to a URL with credentials is refused too.
    let outer2 = Server::start(move |path| match path {
        "/creds" => redirect("http://admin:pw@127.0.0.1:1/"),
        _ => redirect("file:///etc/passwd"),
    });
    let f = Fetcher::new(Config {
        allow_private: true,
        ..quick(Config::default())
    });
    let err = f.fetch(&outer2.url("/creds"), None).expect_err("refused");
    assert!(err.to_string().contains("credentials"), "{err}");
    assert!(f.fetch(&outer2.url("/scheme"), None).is_err());
}

#[test]
fn an_oversize_body_fails_with_its_limit() {
    let srv = Server::start(|_| text(200, &"x".repeat(5000)));
    let f = Fetcher::new(Config {
        allow_private: true,
        max_bytes: 1000,
        ..quick(Config::default())
    });
    let err = f.fetch(&srv.url("/big"), None).expect_err("too large");
    assert!(matches!(err, FetchError::TooLarge(1000)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "response larger than the limit of 1000 bytes"
    );
    // Not retried: the answer would be the same.
    assert_eq!(srv.seen().len(), 1);
}

#[test]
fn a_slow_drip_body_fails_with_the_response_deadline_and_is_not_retried() {
    let srv = Server::start(|_| {
        tiny_http::Response::new(
            tiny_http::StatusCode(200),
            vec![],
            Box::new(Drip {
                left: 400,
                every: Duration::from_millis(25),
            }) as Box<dyn Read + Send>,
            Some(400),
            None,
        )
    });
    let f = Fetcher::new(Config {
        allow_private: true,
        timeout: Duration::from_millis(300),
        ..quick(Config::default())
    });
    let err = f.fetch(&srv.url("/drip"), None).expect_err("deadline");
    assert!(
        matches!(err, FetchError::Timeout(d) if d == Duration::from_millis(300)),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("no complete response within"),
        "{err}"
    );
    assert_eq!(srv.seen().len(), 1, "a deadline is not retried");
}
