//! Runs the HTML extractor over the article extraction benchmark and writes the JSON its
//! scorer reads.
//!
//! ```text
//! cargo run --release -p dyad-clean --example aeb -- [BENCH_DIR] [OUT.json]
//! python3 BENCH_DIR/score.py OUT.json
//! ```
//!
//! `BENCH_DIR` defaults to `/work/shared/bench/aeb`, `OUT.json` to `aeb-pred.json` in the
//! current directory. Prints pages per second (extraction only, files read and decompressed
//! beforehand). Exits 0 with a message when the benchmark is not there.
//!
//! With `AEB_STRESS=1` it instead times extraction of large synthetic pages (about 50 MB each:
//! a long article with chrome, deep nesting, unclosed tags, one huge text node).

use std::io::Read;
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    if std::env::var_os("AEB_STRESS").is_some() {
        stress();
        return;
    }
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(
        args.next()
            .unwrap_or_else(|| "/work/shared/bench/aeb".to_string()),
    );
    let out = PathBuf::from(args.next().unwrap_or_else(|| "aeb-pred.json".to_string()));
    let html_dir = dir.join("html");
    let Ok(entries) = std::fs::read_dir(&html_dir) else {
        println!(
            "benchmark not found at {}; nothing to do",
            html_dir.display()
        );
        return;
    };
    let mut pages: Vec<(String, String)> = Vec::new();
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(id) = name.strip_suffix(".html.gz") else {
            continue;
        };
        let Ok(file) = std::fs::File::open(&path) else {
            eprintln!("cannot open {}", path.display());
            continue;
        };
        let mut bytes = Vec::new();
        if flate2::read::GzDecoder::new(file)
            .read_to_end(&mut bytes)
            .is_err()
        {
            eprintln!("cannot decompress {}", path.display());
            continue;
        }
        pages.push((id.to_string(), String::from_utf8_lossy(&bytes).into_owned()));
    }
    let repeat: usize = std::env::var("AEB_REPEAT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
        .max(1);
    let mut result = serde_json::Map::new();
    let start = Instant::now();
    for round in 0..repeat {
        for (id, html) in &pages {
            let x = dyad_clean::html::extract(html);
            if round == 0 {
                let body: Vec<&str> = x.blocks.iter().map(|b| b.text.as_str()).collect();
                result.insert(
                    id.clone(),
                    serde_json::json!({ "articleBody": body.join("\n\n") }),
                );
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let n = pages.len() * repeat;
    let mb: f64 = pages.iter().map(|(_, h)| h.len() as f64).sum::<f64>() * repeat as f64 / 1e6;
    println!(
        "{} pages in {:.2}s: {:.1} pages/s, {:.1} MB/s (one thread)",
        n,
        secs,
        n as f64 / secs.max(1e-9),
        mb / secs.max(1e-9)
    );
    match serde_json::to_string_pretty(&serde_json::Value::Object(result)) {
        Ok(s) => {
            if let Err(e) = std::fs::write(&out, s) {
                eprintln!("cannot write {}: {e}", out.display());
                std::process::exit(1);
            }
            println!("wrote {}", out.display());
        }
        Err(e) => {
            eprintln!("cannot serialise: {e}");
            std::process::exit(1);
        }
    }
}

/// Times extraction of large synthetic pages.
fn stress() {
    let unit = "<div class=\"story\"><h2>Section</h2><p>Some article text, with commas, and \
                more words to make a paragraph of reasonable length for scoring.</p>\
                <ul class=\"related\"><li><a href=\"/x\">Other story</a></li></ul>\
                <div class=\"ad-slot\">Advertisement</div><p>Another <b>bold <i>para</b></i> \
                graph<br>with a break.</p></div>\n";
    let mut article =
        String::from("<html><head><title>T</title></head><body><nav>Menu</nav><article>");
    while article.len() < 50_000_000 {
        article.push_str(unit);
    }
    article.push_str("</article></body></html>");
    let deep = format!(
        "<html><body>{}text{}</body></html>",
        "<div class=\"date\"><span>".repeat(1_000_000),
        "</span></div>".repeat(1_000_000)
    );
    let unclosed = format!(
        "<html><body><p>{}</body></html>",
        "<a href=x>link <b>b ".repeat(2_500_000)
    );
    let text = format!(
        "<html><body><p>{}</p></body></html>",
        "word, ".repeat(8_000_000)
    );
    let tables = format!(
        "<html><body><table>{}</table></body></html>",
        "<tr><td>cell</td><td><h3>Related</h3><table><tr><td>x</td></tr></table></td></tr>"
            .repeat(600_000)
    );
    for (name, page) in [
        ("article", &article),
        ("deep nesting", &deep),
        ("unclosed tags", &unclosed),
        ("huge text", &text),
        ("nested tables", &tables),
    ] {
        let start = Instant::now();
        let x = dyad_clean::html::extract(page);
        println!(
            "{name}: {:.1} MB in {:.2}s, {} blocks, {} removed",
            page.len() as f64 / 1e6,
            start.elapsed().as_secs_f64(),
            x.blocks.len(),
            x.removed.len()
        );
    }
}
