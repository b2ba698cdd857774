use std::time::Instant;
fn main() {
    for n in [10_000usize, 20_000, 40_000] {
        let deep = format!("<html><body>{}text{}</body></html>", "<div class=\"date\"><span>".repeat(n), "</span></div>".repeat(n));
        let t = Instant::now();
        let d = scraper::Html::parse_document(&deep);
        let p = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let x = dyad_clean::html::extract(&deep);
        println!("n={n} parse {p:.2}s extract total {:.2}s nodes {} blocks {}", t.elapsed().as_secs_f64(), d.tree.values().count(), x.blocks.len());
    }
}
