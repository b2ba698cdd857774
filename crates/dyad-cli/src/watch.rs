//! `dyad watch CONFIG`: polls feeds (and sitemaps) on their intervals and ingests only the
//! items not taken before. What was taken, and each response's validators, are kept in the
//! store, so a restart neither re-ingests nor re-downloads unchanged feeds.

use std::collections::HashSet;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use dyad_fetch::{Fetched, Validators};
use dyad_store::Store;
use serde::Deserialize;

use crate::commands::Ingester;
use crate::pipeline::{self, Stages};
use crate::sources::Sources;

/// The configuration file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatchConfig {
    /// Default poll interval of every feed (`90s`, `15m`, `1h`).
    #[serde(default = "default_interval")]
    pub interval: String,
    #[serde(default, rename = "feed")]
    pub feeds: Vec<FeedConfig>,
    /// Fetch loopback, private and link-local addresses too (as `--allow-private-addresses`).
    #[serde(default)]
    pub allow_private_addresses: bool,
}

/// A checked configuration.
pub struct Loaded {
    /// Each feed's URL and poll interval.
    pub feeds: Vec<(String, Duration)>,
    pub allow_private: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedConfig {
    /// An RSS/Atom feed, a sitemap, or a URL list, by http(s) URL.
    pub url: String,
    /// This feed's poll interval, overriding the default.
    pub interval: Option<String>,
}

fn default_interval() -> String {
    "15m".into()
}

/// `90`, `90s`, `15m`, `2h` as a duration.
pub fn parse_interval(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, mult) = match s.chars().last() {
        Some('s') => (&s[..s.len() - 1], 1),
        Some('m') => (&s[..s.len() - 1], 60),
        Some('h') => (&s[..s.len() - 1], 3600),
        Some(c) if c.is_ascii_digit() => (s, 1),
        _ => return Err(format!("not an interval: {s:?} (use e.g. 90s, 15m, 1h)")),
    };
    let n: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("not an interval: {s:?} (use e.g. 90s, 15m, 1h)"))?;
    if !n.is_finite() || n <= 0.0 {
        return Err(format!("interval must be positive: {s:?}"));
    }
    Ok(Duration::from_secs_f64(n * f64::from(mult)))
}

struct Feed {
    url: String,
    interval: Duration,
    due: Instant,
}

pub fn load(path: &Path) -> Result<Loaded> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the watch configuration {}", path.display()))?;
    let cfg: WatchConfig =
        toml::from_str(&text).with_context(|| format!("in {}", path.display()))?;
    let default = parse_interval(&cfg.interval)
        .map_err(|e| anyhow::anyhow!("{}: interval: {e}", path.display()))?;
    if cfg.feeds.is_empty() {
        bail!(
            "{}: no feeds (add [[feed]] tables with a url)",
            path.display()
        );
    }
    let mut out = Vec::new();
    for (i, f) in cfg.feeds.iter().enumerate() {
        if !crate::sources::is_url(&f.url) {
            bail!(
                "{}: feed {}: not an http(s) URL: {:?}",
                path.display(),
                i + 1,
                f.url
            );
        }
        let interval = match &f.interval {
            Some(s) => parse_interval(s)
                .map_err(|e| anyhow::anyhow!("{}: feed {}: {e}", path.display(), i + 1))?,
            None => default,
        };
        out.push((f.url.clone(), interval));
    }
    Ok(Loaded {
        feeds: out,
        allow_private: cfg.allow_private_addresses,
    })
}

/// Runs the watch loop: `cycles` polls of every feed at most (None: forever).
pub fn run(
    config: &Path,
    dir: &Path,
    stages: &Stages,
    limits: dyad_ingest::Limits,
    cycles: Option<usize>,
    quiet: bool,
) -> Result<ExitCode> {
    let feeds = load(config)?.feeds;
    let Some(fetcher) = stages.fetcher.as_ref() else {
        bail!("watching needs a fetcher");
    };
    let mut feeds: Vec<Feed> = feeds
        .into_iter()
        .map(|(url, interval)| Feed {
            url,
            interval,
            due: Instant::now(),
        })
        .collect();
    let log = |msg: String| {
        if !quiet {
            eprintln!(
                "dyad: watch: {} {msg}",
                chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ")
            );
        }
    };
    log(format!(
        "{} feed(s) from {}, store {}",
        feeds.len(),
        config.display(),
        dir.display()
    ));
    let mut polls = 0usize;
    let failed_last = loop {
        let mut failed_last = false;
        // One poll holds the writer lock; between polls other writers (an ingest) get their turn.
        let lock = crate::commands::writer_lock(dir, quiet)?;
        let mut ing = Ingester::open(dir, &lock, stages, true)?;
        let now = Instant::now();
        for feed in feeds.iter_mut().filter(|f| f.due <= now) {
            feed.due = Instant::now() + feed.interval;
            let failed_before = ing.summary.failed.len();
            let new_before = ing.summary.new;
            let dups_before = ing.summary.duplicates;
            let prior = ing
                .store
                .fetch_validators(&feed.url)?
                .map(|(etag, last_modified)| Validators {
                    etag,
                    last_modified,
                });
            let page = match fetcher.fetch(&feed.url, prior.as_ref()) {
                Ok(Fetched::NotModified) => {
                    ing.store.watch_record(&feed.url, &[], "not modified")?;
                    log(format!("{}: not modified (304), nothing to do", feed.url));
                    continue;
                }
                Ok(Fetched::Body(page)) => page,
                Err(e) => {
                    let msg = format!("error: {e}");
                    ing.store.record_failure(&feed.url, &msg)?;
                    ing.store.watch_record(&feed.url, &[], &msg)?;
                    log(format!(
                        "{}: {e}; will retry in {:?}",
                        feed.url, feed.interval
                    ));
                    failed_last = true;
                    continue;
                }
            };
            ing.store.set_fetch_validators(
                &feed.url,
                page.validators.etag.as_deref(),
                page.validators.last_modified.as_deref(),
            )?;
            let mut contents = match dyad_ingest::read_container(&feed.url, &page.bytes, limits) {
                Ok(c) => c,
                Err(e) => {
                    let msg = format!("error: {e}");
                    ing.store.record_failure(&feed.url, &msg)?;
                    ing.store.watch_record(&feed.url, &[], &msg)?;
                    log(format!("{}: {e}", feed.url));
                    failed_last = true;
                    continue;
                }
            };
            // Only what this feed never gave before.
            let total = contents.records.len() + contents.links.len();
            let mut keys: Vec<String> = Vec::new();
            let mut seen_now = HashSet::new();
            let mut records = Vec::new();
            for r in contents.records.drain(..) {
                let key = r.url.clone().unwrap_or_else(|| r.raw.input.clone());
                if is_new(&mut seen_now, &ing.store, &feed.url, &key)? {
                    keys.push(key);
                    records.push(r);
                }
            }
            let mut links = Vec::new();
            for l in contents.links.drain(..) {
                if seen_now.contains(&l.url) {
                    continue; // the entry's own record was taken above
                }
                if is_new(&mut seen_now, &ing.store, &feed.url, &l.url)? {
                    keys.push(l.url.clone());
                    links.push(l);
                }
            }
            let fresh = keys.len();
            contents.records = records;
            contents.links = links;
            let mut src = Sources::new(limits, Some(fetcher), Some(Store::open(dir)?));
            src.push_contents(&feed.url, contents, 0);
            pipeline::run(src, stages, limits, false, |o| ing.handle(o))?;
            // Items whose page failed are not marked: the next poll tries them again.
            let failed: HashSet<String> = ing.summary.failed[failed_before..]
                .iter()
                .map(|(i, _)| i.clone())
                .collect();
            let taken: Vec<String> = keys.into_iter().filter(|k| !failed.contains(k)).collect();
            let n_failed = fresh - taken.len();
            let status = format!("ok: {fresh} new item(s), {n_failed} failed");
            ing.store.watch_record(&feed.url, &taken, &status)?;
            ing.store.clear_failure(&feed.url)?;
            if n_failed > 0 {
                failed_last = true;
            }
            log(format!(
                "{}: {fresh} new item(s), {} already seen; {} new document(s) ({} linked to an earlier duplicate), {n_failed} failed",
                feed.url,
                total - fresh,
                ing.summary.new - new_before,
                ing.summary.duplicates - dups_before,
            ));
        }
        drop(ing);
        drop(lock);
        polls += 1;
        if cycles.is_some_and(|c| polls >= c) {
            break failed_last;
        }
        let next = feeds
            .iter()
            .map(|f| f.due)
            .min()
            .unwrap_or_else(Instant::now);
        let wait = next.saturating_duration_since(Instant::now());
        if !wait.is_zero() {
            std::thread::sleep(wait);
        }
    };
    Ok(if failed_last {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Whether `key` is new for `feed`: not met earlier in this poll, nor taken in an earlier one.
fn is_new(seen_now: &mut HashSet<String>, store: &Store, feed: &str, key: &str) -> Result<bool> {
    if !seen_now.insert(key.to_string()) {
        return Ok(false);
    }
    Ok(!store.watch_seen(feed, key)?)
}
