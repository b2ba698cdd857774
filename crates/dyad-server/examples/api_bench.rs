//! API latency under load: builds (or reuses) a store of synthetic documents, serves it on a
//! local port and fires concurrent clients at a mix of dashboard queries; prints p50/p95/p99
//! per endpoint and overall.
//!
//!     cargo run --release -p dyad-server --example api_bench -- \
//!         [--docs 100000] [--clients 50] [--requests 40] [--data-dir DIR]
//!
//! Each client sends `--requests` requests, one at a time, cycling through eighteen kinds of
//! request (lists, filters, search with facets, entity pages, aggregates, the commitment
//! tracker's suggestions and one commitment) with varying pages, queries and ids. Before
//! serving, the commitment tracker reads the documents it has not read yet (its time is
//! printed), so the commitment endpoints serve its registry. The store is generated straight
//! into SQLite and the index
//! (no cleaning), deterministically; a data dir that already holds `--docs` documents is reused.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dyad_model::{Commitment, Document, Entity, Event, Format, Mention, Quote, Topic};
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

const WORDS: &[&str] = &[
    "alliance",
    "tariff",
    "investment",
    "summit",
    "defense",
    "missile",
    "nuclear",
    "submarine",
    "shipbuilding",
    "semiconductor",
    "troops",
    "exercise",
    "sanctions",
    "trade",
    "currency",
    "minister",
    "talks",
    "agreement",
    "pledge",
    "deadline",
    "cost-sharing",
    "deterrence",
    "negotiation",
    "export",
    "battery",
    "automobile",
    "steel",
    "security",
    "peninsula",
    "envoy",
];
const KO: &[&str] = &[
    "동맹",
    "관세",
    "투자",
    "정상회담",
    "국방비",
    "미사일",
    "핵잠수함",
    "조선",
    "반도체",
    "주한미군",
    "연합훈련",
    "제재",
    "통상",
    "환율",
    "장관",
    "협상",
    "합의",
    "분담금",
];
const ACTORS: &[(&str, &str, &str)] = &[
    ("Lee Jae-myung", "person", "lee-jae-myung"),
    ("Donald Trump", "person", "donald-trump"),
    ("South Korea", "country", "KR"),
    ("United States", "country", "US"),
    ("North Korea", "country", "KP"),
    ("Japan", "country", "JP"),
    ("China", "country", "CN"),
];
const EVENT_TYPES: &[&str] = &[
    "AGREE", "CONSULT", "SUPPORT", "REQUEST", "REJECT", "ACCUSE", "THREATEN",
];
const TOPICS: &[(&str, &str)] = &[
    ("trade", "Trade and tariffs"),
    ("defense", "Defense"),
    ("nuclear", "Nuclear"),
    ("north-korea", "North Korea"),
    ("investment", "Investment"),
    ("tech", "Technology"),
];

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Named entities beyond the main actors: `MINOR` officials and bodies, picked with a skew
/// (low numbers far more often), as a news store has a long tail of rarely named ones.
const MINOR: usize = 400;

fn minor(rng: &mut Rng) -> (String, &'static str, String) {
    // The smaller of three uniform draws: entity k is drawn with probability falling in k.
    let k = rng.below(MINOR).min(rng.below(MINOR)).min(rng.below(MINOR));
    if k.is_multiple_of(3) {
        (format!("Agency {k}"), "org", format!("org-{k}"))
    } else {
        (format!("Official {k}"), "person", format!("person-{k}"))
    }
}

/// A synthetic article of about 4 KB (twelve paragraphs) naming about twelve entities, with
/// events, quotes (with a tone), topics and, for one in five, a commitment.
fn synthetic(i: usize, rng: &mut Rng) -> Document {
    let korean = i.is_multiple_of(5);
    let year = 2015 + rng.below(12);
    let date = format!("{year}-{:02}-{:02}", 1 + rng.below(12), 1 + rng.below(28));
    let words = if korean { KO } else { WORDS };
    let mut text = String::new();
    let mut spans: Vec<(usize, usize, String, &str, String)> = Vec::new();
    for p in 0..12 {
        if p > 0 {
            text.push_str("\n\n");
        }
        let (name, kind, id) = if p % 2 == 0 {
            let (n, k, id) = ACTORS[rng.below(ACTORS.len())];
            (n.to_string(), k, id.to_string())
        } else {
            minor(rng)
        };
        let start = text.len();
        text.push_str(&name);
        spans.push((start, text.len(), name, kind, id));
        for _ in 0..50 {
            text.push(' ');
            text.push_str(words[rng.below(words.len())]);
        }
        text.push('.');
    }
    let mut entities: Vec<Entity> = Vec::new();
    for (start, end, name, kind, id) in &spans {
        let m = Mention {
            start: *start,
            end: *end,
            text: name.clone(),
        };
        match entities.iter_mut().find(|e| e.name == *name) {
            Some(e) => e.mentions.push(m),
            None => entities.push(Entity {
                name: name.clone(),
                kind: (*kind).to_string(),
                id: Some(id.clone()),
                aliases: Vec::new(),
                mentions: vec![m],
            }),
        }
    }
    let sentence_end = text.find('.').unwrap_or(text.len());
    let first = &text[..sentence_end];
    let events = (0..3)
        .map(|k| Event {
            kind: EVENT_TYPES[rng.below(EVENT_TYPES.len())].into(),
            mode: None,
            context: Vec::new(),
            date: Some(date.clone()),
            status: "occurred".into(),
            actors: vec![spans[2 * k].2.clone()],
            recipients: vec![spans[2 * k + 2].2.clone()],
            place: None,
            topic: None,
            text: first.to_string(),
            start: 0,
            end: sentence_end,
            mentions: Vec::new(),
        })
        .collect();
    let quotes = (0..3)
        .map(|k| Quote {
            speaker: Some(spans[2 * k].2.clone()),
            text: first.to_string(),
            direct: true,
            cue: Some("said".into()),
            start: 0,
            end: sentence_end,
            tone: Some(rng.below(201) as f64 / 100.0 - 1.0),
        })
        .collect();
    let commitments = if i % 5 == 1 {
        vec![Commitment {
            holders: vec![spans[0].2.clone()],
            kind: "pledge".into(),
            text: first.to_string(),
            topic: Some(TOPICS[rng.below(TOPICS.len())].0.into()),
            amount: None,
            due: Some(format!("{}", year + rng.below(4))),
            strength: None,
            beneficiary: Vec::new(),
            legal_force: None,
            start: 0,
            end: sentence_end,
        }]
    } else {
        Vec::new()
    };
    let topics = (0..2)
        .map(|k| {
            let (id, label) = TOPICS[(i + k * 3) % TOPICS.len()];
            Topic {
                id: id.into(),
                label: label.into(),
                score: 0.5,
            }
        })
        .collect();
    let title = format!("Synthetic story {i}: {}", words[rng.below(words.len())]);
    Document {
        input: format!("synthetic/{i}.html"),
        id: dyad_model::doc_id(Some(&title), &text),
        title: Some(title),
        published: Some(date),
        language: if korean { "ko" } else { "en" }.into(),
        source: Some(format!("Outlet {}", rng.below(20))),
        byline: Vec::new(),
        canonical_url: None,
        format: Format::Html,
        encoding: "UTF-8".into(),
        text,
        removed: Vec::new(),
        duplicate_of: None,
        tone: None,
        entities,
        unresolved: Vec::new(),
        times: Vec::new(),
        events,
        quotes,
        commitments,
        topics,
        claims: Vec::new(),
        cleaned_with: None,
        warnings: Vec::new(),
    }
}

fn build(dir: &std::path::Path, n: usize) -> Result<(), Box<dyn std::error::Error>> {
    let mut store = dyad_store::Store::open(dir)?;
    let have = store.stats()?.documents as usize;
    if have >= n {
        eprintln!("reusing {} with {have} documents", dir.display());
        return Ok(());
    }
    let started = Instant::now();
    let mut index = dyad_search::Index::open(dir)?;
    let mut rng = Rng(42 + have as u64);
    for chunk_start in (have..n).step_by(2000) {
        let docs: Vec<Document> = (chunk_start..n.min(chunk_start + 2000))
            .map(|i| synthetic(i, &mut rng))
            .collect();
        let puts = store.put_documents(&docs)?;
        for (d, p) in docs.iter().zip(&puts) {
            index.add(p.seq(), d)?;
        }
        index.commit(store.max_seq()?)?;
        eprint!("\rgenerated {} documents", chunk_start + docs.len());
    }
    eprintln!(" in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// Runs the tracker over the documents it has not seen yet; returns a few commitment ids.
fn track(dir: &std::path::Path) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let mut store = dyad_store::Store::open(dir)?;
    let tracker = dyad_track::Tracker::new()?;
    let started = Instant::now();
    let r = tracker.update(&mut store, false)?;
    eprintln!(
        "tracker update: {} document(s), {} new commitment(s), {} restatement(s), {} suggestion(s) in {:.1} s",
        r.documents,
        r.new_commitments,
        r.restatements,
        r.suggestions,
        started.elapsed().as_secs_f64()
    );
    Ok(store
        .track_commitments()?
        .into_iter()
        .take(50)
        .map(|c| c.id)
        .collect())
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let docs: usize = arg(&args, "--docs").map_or(Ok(100_000), |s| s.parse())?;
    let clients: usize = arg(&args, "--clients").map_or(Ok(50), |s| s.parse())?;
    let requests: usize = arg(&args, "--requests").map_or(Ok(40), |s| s.parse())?;
    let dir = arg(&args, "--data-dir")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join(format!("dyad-api-bench-{docs}")));
    {
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || build(&dir, docs).map_err(|e| e.to_string())).await??;
    }
    // The commitment endpoints serve the tracker's registry: fill it (incrementally).
    let commitment_ids: Vec<String> = {
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || track(&dir).map_err(|e| e.to_string())).await??
    };
    // Ids to fetch: a few real documents.
    let ids: Vec<String> = {
        let store = dyad_store::Store::open(&dir)?;
        let page = store.documents_page(
            &dyad_store::DocFilter::default(),
            dyad_store::Page {
                offset: 500,
                limit: 50,
            },
        )?;
        page.items.into_iter().map(|d| d.id).collect()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = dyad_server::router(dyad_server::AppState::open(&dir)?);
    tokio::spawn(async move { axum::serve(listener, app).await });

    let ids = Arc::new(ids);
    let commitment_ids = Arc::new(commitment_ids);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let ids = Arc::clone(&ids);
        let commitment_ids = Arc::clone(&commitment_ids);
        tasks.push(tokio::spawn(async move {
            let client: Client<_, Empty<axum::body::Bytes>> =
                Client::builder(TokioExecutor::new()).build_http();
            let mut out: Vec<(&'static str, Duration, u16)> = Vec::new();
            for r in 0..requests {
                let k = c * requests + r;
                let word = WORDS[k % WORDS.len()];
                let (name, path): (&'static str, String) = match k % 18 {
                    0 => (
                        "documents",
                        format!("/api/v1/documents?page={}", 1 + k % 50),
                    ),
                    1 => ("search", format!("/api/v1/search?q={word}")),
                    2 => (
                        "document",
                        format!("/api/v1/documents/{}", ids[k % ids.len()]),
                    ),
                    3 => (
                        "events",
                        format!("/api/v1/events?page={}&type=AGREE", 1 + k % 20),
                    ),
                    4 => (
                        "commitments",
                        format!(
                            "/api/v1/commitments?status=not_yet_rated&page={}",
                            1 + k % 10
                        ),
                    ),
                    // A main actor (in about a third of all documents) or one of the long tail.
                    5 if k % 32 < 16 => (
                        "entity",
                        format!("/api/v1/entities/{}", ACTORS[k % ACTORS.len()].2),
                    ),
                    5 => (
                        "entity",
                        format!("/api/v1/entities/person-{}", 1 + (k % 200) / 3 * 3),
                    ),
                    6 => ("timeline", "/api/v1/timeline?since=2020".to_string()),
                    7 => ("topics", "/api/v1/topics".to_string()),
                    8 => (
                        "quotes",
                        format!("/api/v1/quotes?speaker=Donald%20Trump&page={}", 1 + k % 10),
                    ),
                    9 => (
                        "documents_filtered",
                        format!("/api/v1/documents?lang=ko&since=2020&page={}", 1 + k % 10),
                    ),
                    10 => (
                        "search_filtered",
                        format!("/api/v1/search?q={word}&lang=en&since=2020&page=2"),
                    ),
                    11 => (
                        "events_by_actor",
                        format!("/api/v1/events?actor=Lee%20Jae-myung&page={}", 1 + k % 10),
                    ),
                    12 => (
                        "documents_entity",
                        format!("/api/v1/documents?entity=US&page={}", 1 + k % 20),
                    ),
                    13 => ("entities", "/api/v1/entities?limit=50".to_string()),
                    14 => ("sources", "/api/v1/sources".to_string()),
                    15 => ("stats", "/api/v1/stats".to_string()),
                    16 => (
                        "suggestions",
                        format!("/api/v1/suggestions?page={}", 1 + k % 10),
                    ),
                    _ if !commitment_ids.is_empty() => (
                        "commitment",
                        format!(
                            "/api/v1/commitments/{}",
                            commitment_ids[k % commitment_ids.len()]
                        ),
                    ),
                    _ => ("stats", "/api/v1/stats".to_string()),
                };
                let uri = format!("http://{addr}{path}").parse().expect("uri");
                let t = Instant::now();
                let res = client.get(uri).await.expect("request");
                let status = res.status().as_u16();
                let _ = res.into_body().collect().await.expect("body");
                out.push((name, t.elapsed(), status));
            }
            out
        }));
    }
    let mut all = Vec::new();
    let mut by: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    let mut failed = 0;
    for t in tasks {
        for (name, d, status) in t.await? {
            if status != 200 {
                failed += 1;
            }
            all.push(d);
            by.entry(name).or_default().push(d);
        }
    }
    let wall = started.elapsed().as_secs_f64();
    all.sort();
    println!(
        "{docs} documents, {clients} concurrent clients, {} requests in {wall:.1} s ({:.0} req/s), {failed} non-200",
        all.len(),
        all.len() as f64 / wall
    );
    println!(
        "{:<20} {:>6} {:>9} {:>9} {:>9}",
        "endpoint", "n", "p50 ms", "p95 ms", "p99 ms"
    );
    for (name, mut v) in by {
        v.sort();
        println!(
            "{name:<20} {:>6} {:>9.1} {:>9.1} {:>9.1}",
            v.len(),
            percentile(&v, 0.5),
            percentile(&v, 0.95),
            percentile(&v, 0.99)
        );
    }
    println!(
        "{:<20} {:>6} {:>9.1} {:>9.1} {:>9.1}",
        "ALL",
        all.len(),
        percentile(&all, 0.5),
        percentile(&all, 0.95),
        percentile(&all, 0.99)
    );
    Ok(())
}
