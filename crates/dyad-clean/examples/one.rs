//! Debug helper: extract one (optionally gzipped) HTML file and print blocks and removed.
use std::io::Read;
fn main() {
    let Some(path) = std::env::args().nth(1) else {
        return;
    };
    let Ok(mut f) = std::fs::File::open(&path) else {
        return;
    };
    let mut bytes = Vec::new();
    if path.ends_with(".gz") {
        let _ = flate2::read::GzDecoder::new(f).read_to_end(&mut bytes);
    } else {
        let _ = f.read_to_end(&mut bytes);
    }
    let html = String::from_utf8_lossy(&bytes);
    let x = dyad_clean::html::extract(&html);
    println!("{:#?}", x.meta);
    for b in &x.blocks {
        println!("{:?}: {}", b.kind, b.text);
    }
    println!("--- removed");
    for r in &x.removed {
        println!(
            "{}: {}",
            r.reason,
            r.text.chars().take(150).collect::<String>()
        );
    }
}
