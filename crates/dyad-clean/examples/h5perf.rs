use std::time::Instant;
fn main() {
    for k in [1usize, 2, 4] {
        let cases = [
            ("unclosed", format!("<html><body><p>{}</body></html>", "<a href=x>link <b>b ".repeat(100_000 * k))),
            ("text", format!("<html><body><p>{}</p></body></html>", "word, ".repeat(800_000 * k))),
            ("tables", format!("<html><body><table>{}</table></body></html>", "<tr><td>cell</td><td><h3>Related</h3><table><tr><td>x</td></tr></table></td></tr>".repeat(30_000 * k))),
            ("unclosed-div", format!("<html><body>{}</body></html>", "<div><p>para text here".repeat(20_000 * k))),
            ("unclosed-li", format!("<html><body><ul>{}</body></html>", "<li><span>item".repeat(100_000 * k))),
            ("unclosed-table", format!("<html><body>{}</body></html>", "<table><tr><td>x".repeat(10_000 * k))),
        ];
        for (name, page) in cases {
            let t = Instant::now();
            let d = scraper::Html::parse_document(&page);
            let p = t.elapsed().as_secs_f64();
            drop(d);
            let t = Instant::now();
            let x = dyad_clean::html::extract(&page);
            println!(
                "k={k} {name} {:.1}MB parse {p:.2}s extract {:.2}s blocks {}",
                page.len() as f64 / 1e6,
                t.elapsed().as_secs_f64(),
                x.blocks.len()
            );
        }
    }
}
