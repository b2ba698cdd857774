//! Polite HTTP fetching for feeds, sitemaps and article pages.
//!
//! A [`Fetcher`] is shared by every worker thread of a run. It
//! - sends a clear user agent naming the program and where to learn about it ([`USER_AGENT`]);
//! - reads each origin's `robots.txt` once (with `texting_robots`) and refuses disallowed URLs;
//!   a missing `robots.txt` (4xx) allows everything, an unreachable or failing one (5xx, network
//!   error) disallows the origin for the run, as RFC 9309 asks;
//! - honours `Crawl-delay` (capped at [`Config::max_crawl_delay`]) between requests to a host;
//! - runs at most [`Config::per_host`] requests at a time against one host, however many
//!   threads ask;
//! - makes conditional requests when given the previous response's validators (ETag,
//!   Last-Modified) and reports `304 Not Modified` as [`Fetched::NotModified`];
//! - retries network errors, `429` and `5xx` with exponential backoff (a `Retry-After` in
//!   seconds is honoured, capped), up to [`Config::retries`] times.
//!
//! - refuses, by default, URLs that reach the local machine or its network: loopback, private,
//!   link-local, multicast, reserved addresses, checked after name resolution and on every
//!   redirect hop ([`policy`]); non-http(s) schemes and URLs with credentials always;
//! - bounds every response: [`Config::connect_timeout`] to connect, [`Config::timeout`] for the
//!   whole response (a slow-drip server cannot hold a worker), [`Config::max_bytes`] of body.
//!
//! **Invariants**: never panics on any response; a body larger than [`Config::max_bytes`] is an
//! error, not a truncated document; with [`Config::allow_private`] off, no connection is made
//! to an address [`policy::classify`] refuses (and no proxy is used, since a proxy would
//! resolve names where they cannot be checked). Validators are kept by the caller (the store),
//! not here.

pub mod policy;

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex};

pub use policy::{Lookup, Refusal, SystemLookup};
use std::time::{Duration, Instant};

/// The user agent sent with every request.
pub const USER_AGENT: &str = concat!(
    "dyad/",
    env!("CARGO_PKG_VERSION"),
    " (+https://github.com/dyad-news/dyad; news analysis, honours robots.txt)"
);

/// The product token matched against `robots.txt` groups.
pub const ROBOTS_TOKEN: &str = "dyad";

/// How a fetcher behaves.
#[derive(Debug, Clone)]
pub struct Config {
    pub user_agent: String,
    /// Requests in flight to one host at most.
    pub per_host: usize,
    /// Retries after the first attempt, for network errors, 429 and 5xx.
    pub retries: u32,
    /// The first backoff; each retry doubles it.
    pub backoff: Duration,
    /// The longest wait between attempts (also caps `Retry-After`).
    pub max_backoff: Duration,
    /// Deadline of one whole response, from name lookup to the last byte of the body, redirects
    /// included.
    pub timeout: Duration,
    /// Deadline to resolve and connect (TLS handshake included).
    pub connect_timeout: Duration,
    /// Largest body accepted.
    pub max_bytes: u64,
    /// Whether `robots.txt` is read and honoured.
    pub robots: bool,
    /// Cap on a `Crawl-delay`.
    pub max_crawl_delay: Duration,
    /// Fetch loopback, private, link-local and other non-public addresses too (off by default:
    /// see [`policy`]).
    pub allow_private: bool,
    /// Exact socket addresses fetched even when the policy would refuse their IP (one intranet
    /// service trusted on purpose; tests). Nothing else of their network is allowed.
    pub allowed_addrs: Vec<std::net::SocketAddr>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            user_agent: USER_AGENT.to_string(),
            per_host: 2,
            retries: 3,
            backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_bytes: 32 * 1024 * 1024,
            robots: true,
            max_crawl_delay: Duration::from_secs(10),
            allow_private: false,
            allowed_addrs: Vec::new(),
        }
    }
}

/// The validators of an earlier response, for a conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

impl Validators {
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// A successful fetch.
#[derive(Debug)]
pub enum Fetched {
    Body(Page),
    /// The server says the resource has not changed since the validators given.
    NotModified,
}

/// A fetched body.
#[derive(Debug)]
pub struct Page {
    /// The URL after redirects.
    pub url: String,
    pub bytes: Vec<u8>,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// Validators to send next time.
    pub validators: Validators,
    /// Attempts made (1 without retries).
    pub attempts: u32,
}

/// Why a URL could not be fetched. Messages name no URL: callers pair them with it.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("not an http(s) URL")]
    BadUrl,
    #[error("disallowed by {0}")]
    Robots(String),
    #[error("HTTP {status} after {attempts} attempt(s)")]
    Status { status: u16, attempts: u32 },
    #[error("{message} (after {attempts} attempt(s))")]
    Network { message: String, attempts: u32 },
    #[error("response larger than the limit of {0} bytes")]
    TooLarge(u64),
    /// Refused by the address policy or for its scheme or credentials; never retried.
    #[error("{}", .0.short())]
    Refused(Refusal),
    /// The whole response took longer than [`Config::timeout`]; not retried, so a slow server
    /// holds a worker once.
    #[error("no complete response within {0:?} (slow or stalled server)")]
    Timeout(Duration),
}

/// What the robots.txt of an origin says.
enum Rules {
    AllowAll,
    DisallowAll(String),
    Robot(Box<texting_robots::Robot>),
}

#[derive(Default)]
struct HostState {
    in_flight: usize,
    /// `Crawl-delay` from robots.txt, capped.
    delay: Option<Duration>,
    /// When the next request may start, under the crawl delay.
    next_at: Option<Instant>,
}

/// A polite fetcher, shared by threads (`Sync`).
pub struct Fetcher {
    cfg: Config,
    agent: ureq::Agent,
    hosts: Mutex<HashMap<String, HostState>>,
    freed: Condvar,
    robots: Mutex<HashMap<String, Arc<Rules>>>,
}

/// `scheme://host[:port]` and `host[:port]` of an absolute http(s) URL.
fn origin(url: &str) -> Option<(String, String)> {
    let lower = url
        .get(..8)
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let scheme_len = if lower.starts_with("https://") {
        8
    } else if lower.starts_with("http://") {
        7
    } else {
        return None;
    };
    let rest = &url[scheme_len..];
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or(host).to_ascii_lowercase();
    if host.is_empty() {
        return None;
    }
    Some((format!("{}{host}", &lower[..scheme_len]), host))
}

impl Fetcher {
    pub fn new(cfg: Config) -> Fetcher {
        Fetcher::build(cfg, None)
    }

    /// A fetcher that looks host names up with `lookup` instead of the system's resolver (for
    /// tests: a public-looking name that points at a local server).
    pub fn with_lookup(cfg: Config, lookup: Arc<dyn Lookup>) -> Fetcher {
        Fetcher::build(cfg, Some(lookup))
    }

    fn build(cfg: Config, lookup: Option<Arc<dyn Lookup>>) -> Fetcher {
        let mut builder = ureq::Agent::config_builder()
            .user_agent(cfg.user_agent.as_str())
            .http_status_as_error(false)
            .timeout_global(Some(cfg.timeout))
            .timeout_connect(Some(cfg.connect_timeout))
            .timeout_resolve(Some(cfg.connect_timeout))
            .max_redirects(10);
        if !cfg.allow_private {
            // A proxy resolves target names itself, out of the policy's sight.
            builder = builder.proxy(None);
        }
        let resolver = policy::PolicyResolver {
            allow_private: cfg.allow_private,
            allowed: cfg.allowed_addrs.clone(),
            lookup,
        };
        let agent = ureq::Agent::with_parts(
            builder.build(),
            ureq::unversioned::transport::DefaultConnector::new(),
            resolver,
        );
        Fetcher {
            cfg,
            agent,
            hosts: Mutex::new(HashMap::new()),
            freed: Condvar::new(),
            robots: Mutex::new(HashMap::new()),
        }
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Fetches `url`, conditionally when `prior` validators are given.
    pub fn fetch(&self, url: &str, prior: Option<&Validators>) -> Result<Fetched, FetchError> {
        let (origin, host) = origin(url).ok_or(FetchError::BadUrl)?;
        policy::check_url(url, self.cfg.allow_private, &self.cfg.allowed_addrs)
            .map_err(FetchError::Refused)?;
        if self.cfg.robots {
            let robots_url = format!("{origin}/robots.txt");
            let rules = self
                .rules(&origin, &host)
                .map_err(|e| attribute(e, url, &robots_url))?;
            match &*rules {
                Rules::AllowAll => {}
                Rules::DisallowAll(why) => return Err(FetchError::Robots(why.clone())),
                Rules::Robot(r) => {
                    if !r.allowed(url) {
                        return Err(FetchError::Robots(format!("{origin}/robots.txt")));
                    }
                }
            }
        }
        self.fetch_with_retries(url, &host, prior)
            .map_err(|e| attribute(e, url, url))
    }

    /// The robots.txt rules of `origin`; a refusal of the origin itself is returned as such.
    fn rules(&self, origin: &str, host: &str) -> Result<Arc<Rules>, FetchError> {
        // Held across the fetch of robots.txt, so an origin's robots.txt is read once even when
        // many threads start on it together. Other origins wait briefly; acceptable.
        let mut map = self.robots.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(r) = map.get(origin) {
            return Ok(r.clone());
        }
        let robots_url = format!("{origin}/robots.txt");
        let rules = match self.fetch_with_retries(&robots_url, host, None) {
            Ok(Fetched::Body(page)) => {
                match texting_robots::Robot::new(ROBOTS_TOKEN, &page.bytes) {
                    Ok(r) => {
                        if let Some(d) = r.delay.filter(|d| d.is_finite() && *d > 0.0) {
                            let d = Duration::from_secs_f32(d).min(self.cfg.max_crawl_delay);
                            self.set_crawl_delay(host, d);
                        }
                        Rules::Robot(Box::new(r))
                    }
                    Err(_) => Rules::AllowAll,
                }
            }
            Ok(Fetched::NotModified) => Rules::AllowAll,
            Err(FetchError::Status { status, .. }) if (400..500).contains(&status) => {
                Rules::AllowAll
            }
            // The origin itself is refused: not cached, the caller names the page.
            Err(e @ FetchError::Refused(_)) => return Err(e),
            Err(e) => Rules::DisallowAll(format!("{robots_url} being unavailable ({e})")),
        };
        let rules = Arc::new(rules);
        map.insert(origin.to_string(), rules.clone());
        Ok(rules)
    }

    fn set_crawl_delay(&self, host: &str, d: Duration) {
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        hosts.entry(host.to_string()).or_default().delay = Some(d);
    }

    /// Waits for a free slot on `host` (and for its crawl delay), takes it; the guard frees it.
    fn acquire(&self, host: &str) -> Slot<'_> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let st = hosts.entry(host.to_string()).or_default();
            if st.in_flight < self.cfg.per_host.max(1) {
                st.in_flight += 1;
                let now = Instant::now();
                let wait = match st.delay {
                    Some(d) => {
                        let start = st.next_at.map_or(now, |at| at.max(now));
                        st.next_at = Some(start + d);
                        start - now
                    }
                    None => Duration::ZERO,
                };
                drop(hosts);
                if !wait.is_zero() {
                    std::thread::sleep(wait);
                }
                return Slot {
                    fetcher: self,
                    host: host.to_string(),
                };
            }
            hosts = self.freed.wait(hosts).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn fetch_with_retries(
        &self,
        url: &str,
        host: &str,
        prior: Option<&Validators>,
    ) -> Result<Fetched, FetchError> {
        let mut attempts = 0;
        let mut backoff = self.cfg.backoff;
        loop {
            attempts += 1;
            let result = {
                let _slot = self.acquire(host);
                self.attempt(url, prior, attempts)
            };
            let retry_after = match &result {
                Attempt::Done(_) => None,
                Attempt::Retry { retry_after, .. } => Some(*retry_after),
            };
            match (result, retry_after) {
                (Attempt::Done(r), _) => return r,
                (Attempt::Retry { error, .. }, _) if attempts > self.cfg.retries => {
                    return Err(error);
                }
                (Attempt::Retry { error, .. }, Some(after)) => {
                    let wait = after.unwrap_or(backoff).min(self.cfg.max_backoff);
                    tracing::info!("{url}: {error}; retrying in {wait:?}");
                    std::thread::sleep(wait);
                    backoff = (backoff * 2).min(self.cfg.max_backoff);
                }
                (Attempt::Retry { error, .. }, None) => return Err(error),
            }
        }
    }

    fn attempt(&self, url: &str, prior: Option<&Validators>, attempts: u32) -> Attempt {
        let mut req = self.agent.get(url);
        if let Some(v) = prior {
            if let Some(etag) = &v.etag {
                req = req.header("If-None-Match", etag.as_str());
            }
            if let Some(lm) = &v.last_modified {
                req = req.header("If-Modified-Since", lm.as_str());
            }
        }
        let mut resp = match req.call() {
            Ok(r) => r,
            Err(ureq::Error::BadUri(_)) => return Attempt::Done(Err(FetchError::BadUrl)),
            Err(e) => {
                if let Some(done) = self.final_error(&e) {
                    return Attempt::Done(Err(done));
                }
                return Attempt::Retry {
                    error: FetchError::Network {
                        message: e.to_string(),
                        attempts,
                    },
                    retry_after: None,
                };
            }
        };
        let status = resp.status().as_u16();
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        if status == 304 {
            return Attempt::Done(Ok(Fetched::NotModified));
        }
        if status == 429 || (500..600).contains(&status) {
            let retry_after = header("retry-after")
                .and_then(|s| s.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            return Attempt::Retry {
                error: FetchError::Status { status, attempts },
                retry_after,
            };
        }
        if !(200..300).contains(&status) {
            return Attempt::Done(Err(FetchError::Status { status, attempts }));
        }
        let validators = Validators {
            etag: header("etag"),
            last_modified: header("last-modified"),
        };
        let content_type = header("content-type");
        let final_url = {
            use ureq::ResponseExt;
            resp.get_uri().to_string()
        };
        let limit = self.cfg.max_bytes;
        match resp.body_mut().with_config().limit(limit).read_to_vec() {
            Ok(bytes) => Attempt::Done(Ok(Fetched::Body(Page {
                url: final_url,
                bytes,
                content_type,
                validators,
                attempts,
            }))),
            Err(ureq::Error::BodyExceedsLimit(_)) => {
                Attempt::Done(Err(FetchError::TooLarge(limit)))
            }
            Err(e) => match self.final_error(&e) {
                Some(done) => Attempt::Done(Err(done)),
                None => Attempt::Retry {
                    error: FetchError::Network {
                        message: e.to_string(),
                        attempts,
                    },
                    retry_after: None,
                },
            },
        }
    }
}

/// Names a refusal's URL as `url` when the refused request was `sent` itself; otherwise the
/// refusal was a redirect's target.
fn attribute(e: FetchError, url: &str, sent: &str) -> FetchError {
    let same = |a: &str, b: &str| a.trim_end_matches('/') == b.trim_end_matches('/');
    match e {
        FetchError::Refused(mut r) => {
            if same(&r.url, sent) || same(&r.url, url) {
                r.url = url.to_string();
                r.redirect = false;
            } else {
                r.redirect = true;
            }
            FetchError::Refused(r)
        }
        e => e,
    }
}

impl Fetcher {
    /// Errors that retrying cannot mend: a refusal, the whole-response deadline.
    fn final_error(&self, e: &ureq::Error) -> Option<FetchError> {
        match e {
            ureq::Error::Other(inner) => inner
                .downcast_ref::<Refusal>()
                .map(|r| FetchError::Refused(r.clone())),
            ureq::Error::Timeout(ureq::Timeout::Global) => {
                Some(FetchError::Timeout(self.cfg.timeout))
            }
            _ => None,
        }
    }
}

enum Attempt {
    Done(Result<Fetched, FetchError>),
    Retry {
        error: FetchError,
        retry_after: Option<Duration>,
    },
}

struct Slot<'a> {
    fetcher: &'a Fetcher,
    host: String,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut hosts = self.fetcher.hosts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(st) = hosts.get_mut(&self.host) {
            st.in_flight = st.in_flight.saturating_sub(1);
        }
        drop(hosts);
        self.fetcher.freed.notify_all();
    }
}
