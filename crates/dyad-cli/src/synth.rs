//! `dyad generate`: synthetic articles for throughput and memory benchmarks.
//!
//! English and Korean articles are put together from the sentence templates in
//! `data/synth/templates.toml` and names from the knowledge base, and written as JSON Lines
//! shards in the three shapes dyad reads (`html`, `text`, and news-please's `maintext`). A share
//! of them are edited copies of an earlier article from another outlet (a dateline added, a
//! paragraph dropped, a sentence appended), so near-duplicate linking is exercised too.
//! Deterministic for a given seed.

use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;
use serde_json::json;

static TEMPLATES: &str = include_str!("../../../data/synth/templates.toml");

#[derive(Deserialize)]
struct Templates {
    #[allow(dead_code)]
    version: String,
    sources: Vec<String>,
    en: Lang,
    ko: Lang,
}

#[derive(Deserialize)]
struct Lang {
    topics: Vec<String>,
    titles: Vec<String>,
    sentences: Vec<String>,
}

/// splitmix64: a small deterministic generator; quality is ample for test data.
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
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }

    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

struct Article {
    title: String,
    paragraphs: Vec<String>,
    published: String,
    korean: bool,
}

struct Names {
    en_people: Vec<String>,
    ko_people: Vec<String>,
    en_places: Vec<String>,
    ko_places: Vec<String>,
}

fn fill(t: &str, rng: &mut Rng, names: &Names, lang: &Lang, korean: bool) -> String {
    let (people, places) = if korean {
        (&names.ko_people, &names.ko_places)
    } else {
        (&names.en_people, &names.en_places)
    };
    let months_en = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let mut s = t.to_string();
    for (key, value) in [
        ("{person2}", rng.pick(people).clone()),
        ("{person}", rng.pick(people).clone()),
        ("{place}", rng.pick(places).clone()),
        ("{topic}", rng.pick(&lang.topics).clone()),
        ("{num}", (rng.below(400) + 5).to_string()),
        (
            "{month}",
            if korean {
                format!("{}월", rng.below(12) + 1)
            } else {
                rng.pick(&months_en).to_string()
            },
        ),
    ] {
        s = s.replace(key, &value);
    }
    s
}

fn article(rng: &mut Rng, t: &Templates, names: &Names) -> Article {
    let korean = rng.chance(0.4);
    let lang = if korean { &t.ko } else { &t.en };
    let title = fill(rng.pick::<String>(&lang.titles), rng, names, lang, korean);
    let n_par = 5 + rng.below(8);
    let paragraphs = (0..n_par)
        .map(|_| {
            let n = 1 + rng.below(3);
            (0..n)
                .map(|_| {
                    fill(
                        rng.pick::<String>(&lang.sentences),
                        rng,
                        names,
                        lang,
                        korean,
                    )
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let published = format!(
        "{}-{:02}-{:02}T{:02}:{:02}:00+09:00",
        2024 + rng.below(2),
        1 + rng.below(12),
        1 + rng.below(28),
        rng.below(24),
        rng.below(60)
    );
    Article {
        title,
        paragraphs,
        published,
        korean,
    }
}

/// An edited copy, as a wire service or a republished press release would be.
fn copy_of(a: &Article, rng: &mut Rng, t: &Templates, names: &Names) -> Article {
    let lang = if a.korean { &t.ko } else { &t.en };
    let mut paragraphs = a.paragraphs.clone();
    if paragraphs.len() > 3 {
        let drop = rng.below(paragraphs.len());
        paragraphs.remove(drop);
    }
    if let Some(first) = paragraphs.first_mut() {
        *first = if a.korean {
            format!("(서울=연합) {first}")
        } else {
            format!("SEOUL (Eastern Wire) -- {first}")
        };
    }
    paragraphs.push(fill(
        rng.pick::<String>(&lang.sentences),
        rng,
        names,
        lang,
        a.korean,
    ));
    Article {
        title: a.title.clone(),
        paragraphs,
        published: a.published.clone(),
        korean: a.korean,
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn line(a: &Article, n: usize, rng: &mut Rng, t: &Templates) -> serde_json::Value {
    let source = rng.pick(&t.sources).clone();
    let url = format!("https://synthetic.example/{n:07}");
    match rng.below(5) {
        0 | 1 => {
            let mut html = format!(
                "<!DOCTYPE html><html lang=\"{}\"><head><title>{}</title></head><body><nav><a href=\"/\">Home</a> <a href=\"/world\">World</a></nav><article><h1>{}</h1>",
                if a.korean { "ko" } else { "en" },
                escape(&a.title),
                escape(&a.title)
            );
            for p in &a.paragraphs {
                html.push_str(&format!("<p>{}</p>", escape(p)));
            }
            html.push_str("</article><footer>© Synthetic News</footer></body></html>");
            json!({"url": url, "title": a.title, "html": html, "published": a.published, "source": source})
        }
        2 | 3 => json!({
            "url": url, "title": a.title, "text": a.paragraphs.join("\n\n"),
            "published": a.published, "source": source,
        }),
        _ => json!({
            "url": url, "title": a.title, "maintext": a.paragraphs.join("\n\n"),
            "date_publish": a.published.replace('T', " ").get(..19).unwrap_or(&a.published),
            "source_domain": source, "language": if a.korean { "ko" } else { "en" },
            "authors": ["Staff Reporter"],
        }),
    }
}

/// Writes `count` articles in shards of `per_file`; returns the number of files.
pub fn generate(
    kb: &dyad_kb::Kb,
    count: usize,
    out: &Path,
    per_file: usize,
    copies: f64,
    seed: u64,
) -> Result<usize> {
    let t: Templates = toml::from_str(TEMPLATES).context("data/synth/templates.toml")?;
    let names = Names {
        en_people: kb.persons.iter().map(|p| p.name.clone()).collect(),
        ko_people: kb
            .persons
            .iter()
            .filter(|p| !p.native.is_empty())
            .map(|p| p.native.clone())
            .collect(),
        en_places: kb.places.iter().map(|p| p.name.clone()).collect(),
        ko_places: kb
            .places
            .iter()
            .filter(|p| !p.native.is_empty())
            .map(|p| p.native.clone())
            .collect(),
    };
    anyhow::ensure!(
        !names.en_people.is_empty()
            && !names.ko_people.is_empty()
            && !names.en_places.is_empty()
            && !names.ko_places.is_empty(),
        "the knowledge base has no persons or places to draw names from"
    );
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let per_file = per_file.max(1);
    let mut rng = Rng(seed);
    // Recent originals that copies are made from (bounded: memory stays flat).
    let mut recent: Vec<Article> = Vec::new();
    let mut files = 0;
    let mut n = 0;
    while n < count {
        let path = out.join(format!("synth-{files:05}.jsonl"));
        let f =
            std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        let mut w = BufWriter::new(f);
        for _ in 0..per_file.min(count - n) {
            let a = if !recent.is_empty() && rng.chance(copies) {
                let i = rng.below(recent.len());
                copy_of(&recent[i], &mut rng, &t, &names)
            } else {
                let a = article(&mut rng, &t, &names);
                if recent.len() < 500 {
                    recent.push(Article {
                        title: a.title.clone(),
                        paragraphs: a.paragraphs.clone(),
                        published: a.published.clone(),
                        korean: a.korean,
                    });
                } else {
                    let i = rng.below(recent.len());
                    recent[i] = Article {
                        title: a.title.clone(),
                        paragraphs: a.paragraphs.clone(),
                        published: a.published.clone(),
                        korean: a.korean,
                    };
                }
                a
            };
            serde_json::to_writer(&mut w, &line(&a, n, &mut rng, &t))?;
            w.write_all(b"\n")?;
            n += 1;
        }
        w.flush()
            .with_context(|| format!("writing {}", path.display()))?;
        files += 1;
    }
    Ok(files)
}
