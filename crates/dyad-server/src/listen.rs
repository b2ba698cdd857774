//! How `dyad serve` meets the network: the `Host` allow-list and the connection limits.
//!
//! * **Host allow-list.** A page on another site can make a browser send requests to
//!   `127.0.0.1:8080` under a name the attacker controls (DNS rebinding). Every request's `Host`
//!   must therefore be one this server answers to: `localhost`, `127.0.0.1` and `[::1]` (with no
//!   port or the port served on), the address served on when it is a specific one, and the names
//!   added with `--allow-host`. Anything else gets 400 in the API's error format, dashboard
//!   included.
//! * **Connection limits.** Headers must arrive within [`ServeOptions::header_read_timeout`]
//!   (which also closes a kept-alive connection that sends no next request), a connection with
//!   no bytes moving and no request in progress for [`ServeOptions::idle_timeout`] is closed,
//!   and at most [`ServeOptions::max_connections`] are served at once (the rest wait in the
//!   listen queue).

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

use crate::error::ApiError;

/// How the server treats connections and `Host` headers.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Extra names (or `name:port`) accepted in `Host`, besides the loopback ones.
    pub allowed_hosts: Vec<String>,
    /// Time a client has to send a request's headers (and to start the next request on a
    /// kept-alive connection).
    pub header_read_timeout: Duration,
    /// A connection with no bytes moving and no request in progress this long is closed.
    pub idle_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            allowed_hosts: Vec::new(),
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 256,
        }
    }
}

/// The names and ports a `Host` header may carry.
#[derive(Debug, Clone)]
pub struct HostAllowList {
    /// `(name, port)`: `None` accepts any port (and none).
    entries: Vec<(String, Option<u16>)>,
}

impl HostAllowList {
    /// Loopback names on `bound`'s port, `bound` itself when it is a specific address, and
    /// `extra` (`name` for any port, `name:port` for one).
    pub fn new(bound: SocketAddr, extra: &[String]) -> HostAllowList {
        let port = bound.port();
        let mut entries: Vec<(String, Option<u16>)> = ["localhost", "127.0.0.1", "[::1]"]
            .iter()
            .map(|n| (n.to_string(), Some(port)))
            .collect();
        if !bound.ip().is_unspecified() && !bound.ip().is_loopback() {
            let name = match bound.ip() {
                IpAddr::V4(v4) => v4.to_string(),
                IpAddr::V6(v6) => format!("[{v6}]"),
            };
            entries.push((name, Some(port)));
        }
        for e in extra {
            if let Some((name, p)) = split_host(e) {
                entries.push((name, p));
            }
        }
        HostAllowList { entries }
    }

    /// Whether a `Host` value is allowed.
    pub fn allows(&self, host: &str) -> bool {
        let Some((name, port)) = split_host(host) else {
            return false;
        };
        self.entries.iter().any(|(n, p)| {
            *n == name
                && match (p, port) {
                    (None, _) => true,
                    (Some(want), Some(got)) => *want == got,
                    // No port in `Host` means the default one.
                    (Some(want), None) => *want == 80,
                }
        })
    }
}

/// `name[:port]` lower-cased, a trailing dot dropped; IPv6 keeps its brackets.
fn split_host(s: &str) -> Option<(String, Option<u16>)> {
    let s = s.trim().to_ascii_lowercase();
    let (name, port) = if s.starts_with('[') {
        let end = s.find(']')?;
        let rest = &s[end + 1..];
        let port = match rest.strip_prefix(':') {
            Some(p) => Some(p.parse().ok()?),
            None if rest.is_empty() => None,
            None => return None,
        };
        (s[..=end].to_string(), port)
    } else {
        match s.rsplit_once(':') {
            Some((n, p)) => (n.to_string(), Some(p.parse().ok()?)),
            None => (s.clone(), None),
        }
    };
    let name = name.trim_end_matches('.').to_string();
    if name.is_empty() || name.contains(['/', '@', ' ']) {
        return None;
    }
    Some((name, port))
}

/// Middleware: refuses a request whose `Host` (or absolute-form authority) is not allowed.
async fn host_guard(
    State(allowed): State<Arc<HostAllowList>>,
    req: Request,
    next: Next,
) -> Response {
    let host = req
        .uri()
        .authority()
        .map(|a| a.as_str().to_string())
        .or_else(|| {
            req.headers()
                .get(axum::http::header::HOST)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        });
    match host {
        Some(h) if allowed.allows(&h) => next.run(req).await,
        Some(h) => ApiError::bad_request(format!(
            "this server does not answer to the host {h:?} (start it with --allow-host NAME to \
             add a name)"
        ))
        .into_response(),
        None => ApiError::bad_request("a Host header is required").into_response(),
    }
}

/// `app` behind the `Host` allow-list.
pub fn guard_hosts(app: Router, allowed: HostAllowList) -> Router {
    app.layer(axum::middleware::from_fn_with_state(
        Arc::new(allowed),
        host_guard,
    ))
}

/// When the connection last moved bytes, and how many of its requests are in progress.
struct Activity {
    last: Mutex<Instant>,
    busy: AtomicUsize,
}

impl Activity {
    fn touch(&self) {
        if let Ok(mut last) = self.last.lock() {
            *last = Instant::now();
        }
    }

    fn last(&self) -> Instant {
        self.last.lock().map_or_else(|_| Instant::now(), |l| *l)
    }
}

/// A TCP stream that records activity.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        r
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = &r
            && *n > 0
        {
            self.activity.touch();
        }
        r
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Serves `app` on `listener` with the `Host` allow-list and the connection limits of `opts`,
/// until `shutdown` completes; then stops accepting and lets open requests finish.
pub async fn serve_with(
    listener: TcpListener,
    app: Router,
    opts: &ServeOptions,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let bound = listener.local_addr()?;
    let app = guard_hosts(app, HostAllowList::new(bound, &opts.allowed_hosts));
    let slots = Arc::new(tokio::sync::Semaphore::new(opts.max_connections.max(1)));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = Arc::clone(&slots).acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((stream, _peer)) => stream,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little, keep serving.
                    tracing::warn!("accepting a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let activity = Arc::new(Activity {
            last: Mutex::new(Instant::now()),
            busy: AtomicUsize::new(0),
        });
        let io = TokioIo::new(Watched {
            inner: stream,
            activity: Arc::clone(&activity),
        });
        let app = app.clone();
        let counted = Arc::clone(&activity);
        let service =
            hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                let mut app = app.clone();
                let activity = Arc::clone(&counted);
                activity.busy.fetch_add(1, Ordering::SeqCst);
                async move {
                    use tower::Service;
                    let res = app.call(req.map(axum::body::Body::new)).await;
                    activity.busy.fetch_sub(1, Ordering::SeqCst);
                    activity.touch();
                    res
                }
            });
        let header_timeout = opts.header_read_timeout;
        let idle = opts.idle_timeout;
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .keep_alive(true);
            let mut conn = std::pin::pin!(builder.serve_connection(io, service));
            let mut stopping = false;
            loop {
                let deadline = activity.last() + idle;
                tokio::select! {
                    r = conn.as_mut() => {
                        if let Err(e) = r {
                            tracing::debug!("connection closed: {e}");
                        }
                        break;
                    }
                    () = tokio::time::sleep_until(deadline) => {
                        let quiet = activity.busy.load(Ordering::SeqCst) == 0
                            && activity.last() + idle <= Instant::now();
                        if quiet {
                            tracing::debug!("closing an idle connection");
                            break;
                        }
                    }
                    r = stop.changed(), if !stopping => {
                        stopping = true;
                        if r.is_ok() {
                            conn.as_mut().graceful_shutdown();
                        }
                    }
                }
            }
        });
    }
    let _ = stop_tx.send(true);
    // Wait for open connections to finish (bounded: the idle timeout closes stragglers).
    let all = u32::try_from(opts.max_connections.max(1)).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(
        opts.idle_timeout + opts.header_read_timeout,
        slots.acquire_many(all),
    )
    .await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_headers_are_checked_against_the_allow_list() {
        let local: SocketAddr = "127.0.0.1:8080".parse().expect("addr");
        let list = HostAllowList::new(local, &["dyad.example.org".into(), "Intra:9000".into()]);
        let table: &[(&str, bool)] = &[
            ("localhost:8080", true),
            ("LOCALHOST:8080", true),
            ("localhost.:8080", true),
            ("127.0.0.1:8080", true),
            ("[::1]:8080", true),
            ("localhost:8081", false),
            ("127.0.0.1", false),
            ("evil.example.com:8080", false),
            ("evil.example.com", false),
            ("localhost.evil.example.com:8080", false),
            ("127.0.0.1.nip.io:8080", false),
            ("dyad.example.org", true),
            ("dyad.example.org:443", true),
            ("intra:9000", true),
            ("intra:9001", false),
            ("intra", false),
            ("", false),
            ("user@localhost:8080", false),
            ("[::1", false),
            ("localhost:port", false),
        ];
        for (host, want) in table {
            assert_eq!(list.allows(host), *want, "{host:?}");
        }
        // On port 80 a port-less loopback Host is the same origin.
        let on80 = HostAllowList::new("127.0.0.1:80".parse().expect("addr"), &[]);
        assert!(on80.allows("localhost"));
        assert!(on80.allows("localhost:80"));
        // A specific non-loopback address served on is accepted as itself.
        let lan = HostAllowList::new("192.168.1.5:8080".parse().expect("addr"), &[]);
        assert!(lan.allows("192.168.1.5:8080"));
        assert!(!lan.allows("192.168.1.6:8080"));
        let any = HostAllowList::new("0.0.0.0:8080".parse().expect("addr"), &[]);
        assert!(!any.allows("0.0.0.0:8080"));
        assert!(!any.allows("192.168.1.5:8080"));
    }
}
