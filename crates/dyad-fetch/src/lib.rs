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
//! **Invariants**: never panics on any response; a body larger than [`Config::max_bytes`] is an
//! error, not a truncated document. Validators are kept by the caller (the store), not here.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex};
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
    /// Timeout of one whole request.
    pub timeout: Duration,
    /// Largest body accepted.
    pub max_bytes: u64,
    /// Whether `robots.txt` is read and honoured.
    pub robots: bool,
    /// Cap on a `Crawl-delay`.
    pub max_crawl_delay: Duration,
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
            max_bytes: 32 * 1024 * 1024,
            robots: true,
            max_crawl_delay: Duration::from_secs(10),
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
    #[error("response larger than {0} bytes")]
    TooLarge(u64),
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
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .user_agent(cfg.user_agent.as_str())
            .http_status_as_error(false)
            .timeout_global(Some(cfg.timeout))
            .max_redirects(10)
            .build()
            .into();
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
        if self.cfg.robots {
            let rules = self.rules(&origin, &host);
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
    }

    fn rules(&self, origin: &str, host: &str) -> Arc<Rules> {
        // Held across the fetch of robots.txt, so an origin's robots.txt is read once even when
        // many threads start on it together. Other origins wait briefly; acceptable.
        let mut map = self.robots.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(r) = map.get(origin) {
            return r.clone();
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
            Err(e) => Rules::DisallowAll(format!("{robots_url} being unavailable ({e})")),
        };
        let rules = Arc::new(rules);
        map.insert(origin.to_string(), rules.clone());
        rules
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
            Err(e) => Attempt::Retry {
                error: FetchError::Network {
                    message: e.to_string(),
                    attempts,
                },
                retry_after: None,
            },
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
