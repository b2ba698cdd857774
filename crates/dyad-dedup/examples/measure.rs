//! Regenerates the test set and prints the README's measurement tables (Markdown).
//!
//!     CARGO_TARGET_DIR=... cargo run --release -p dyad-dedup --example measure
//!
//! Throughput is one core, median of several runs over the whole stream (signature, lookup and
//! insert per document).

use std::path::Path;

use dyad_dedup::testset::{self, Doc, Edit, Method};
use dyad_dedup::{Config, Index, signature};

fn main() -> std::io::Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/base");
    let bases = testset::load_bases(&dir)?;
    let docs = testset::generate(&bases, testset::COPIES, testset::SEED);
    let words: Vec<usize> = bases
        .iter()
        .map(|b| b.text().split_whitespace().count())
        .collect();
    let events: std::collections::BTreeSet<&str> = bases.iter().map(|b| b.event.as_str()).collect();
    println!(
        "Set: {} base articles ({}–{} words) on {} events, {} copies each: {} documents, \
         {} of which should be linked.\n",
        bases.len(),
        words.iter().min().unwrap_or(&0),
        words.iter().max().unwrap_or(&0),
        events.len(),
        testset::COPIES,
        docs.len(),
        docs.len() - bases.len()
    );

    let chosen = Config::default();
    let mut methods = Vec::new();
    for shingle in [3, 5] {
        for threshold in [0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8] {
            methods.push(Method::MinHash(Config::for_threshold(
                threshold, shingle, 128,
            )));
        }
    }
    for num_perm in [64, 256] {
        methods.push(Method::MinHash(Config::for_threshold(
            chosen.threshold,
            chosen.shingle,
            num_perm,
        )));
    }
    methods.push(Method::MinHashAcrossLines(chosen.clone()));
    methods.push(Method::MinHash(Config {
        threshold: 0.8,
        shingle: 5,
        bands: 16,
        rows: 8,
    }));
    for shingle in [1, 3, 5] {
        for max_distance in [6, 9, 12, 15, 18] {
            methods.push(Method::SimHash {
                shingle,
                max_distance,
            });
        }
    }

    println!(
        "| Method | Linking P | Linking R | Linking F1 | Pairwise P | Pairwise R | Pairwise F1 | docs/s |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for method in &methods {
        let links = testset::link(&docs, method);
        let l = testset::link_scores(&docs, &links);
        let p = testset::pair_scores(&docs, method);
        let rate = testset::throughput(&docs, method, 15);
        let mark = match method {
            Method::MinHash(c) if *c == chosen => " **(default)**",
            _ => "",
        };
        println!(
            "| {}{mark} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.0} |",
            method.label(),
            l.precision(),
            l.recall(),
            l.f1(),
            p.precision(),
            p.recall(),
            p.f1(),
            rate
        );
    }

    let big = testset::generate(&bases, 40, testset::SEED);
    println!(
        "\nScale check, {} documents (40 copies per base):\n",
        big.len()
    );
    println!("| Method | Linking F1 | docs/s |");
    println!("|---|---|---|");
    for method in [
        Method::MinHash(chosen.clone()),
        Method::SimHash {
            shingle: 5,
            max_distance: 18,
        },
    ] {
        let l = testset::link_scores(&big, &testset::link(&big, &method));
        let rate = testset::throughput(&big, &method, 7);
        println!("| {} | {:.3} | {rate:.0} |", method.label(), l.f1());
    }

    println!("\nExact shingle Jaccard (quantiles 0 / 5% / 50% / 95% / 100%):\n");
    println!("| k | copy ↔ original | same-event negatives | other negatives |");
    println!("|---|---|---|---|");
    for shingle in [3, 5] {
        let s = testset::jaccard_spread(&docs, shingle);
        let q = |v: &[f64]| {
            [0.0, 0.05, 0.5, 0.95, 1.0]
                .map(|q| format!("{:.2}", testset::quantile(v, q)))
                .join(" / ")
        };
        println!(
            "| {shingle} | {} | {} | {} |",
            q(&s.copy_to_original),
            q(&s.same_event_negatives),
            q(&s.other_negatives)
        );
    }

    println!(
        "\nDefault ({}) recall by edit:\n",
        Method::MinHash(chosen.clone()).label()
    );
    per_edit_recall(&docs, &chosen);
    Ok(())
}

/// Linking recall of the default among documents that should link, by the edits they carry.
fn per_edit_recall(docs: &[Doc], cfg: &Config) {
    let mut index = Index::new(cfg.clone());
    let mut outcomes = Vec::new(); // (edits, should link, linked correctly)
    for (i, d) in docs.iter().enumerate() {
        let sig = signature(&d.text, cfg);
        let found = index.find(&sig);
        index.insert(i, sig);
        let should = docs[..i].iter().any(|e| e.cluster == d.cluster);
        let correct = found.is_some_and(|j| docs[j].cluster == d.cluster);
        outcomes.push((&d.edits, should, correct));
    }
    println!("| Edit | documents | recall |");
    println!("|---|---|---|");
    let row = |name: &str, keep: &dyn Fn(&[Edit]) -> bool| {
        let (n, ok) = outcomes
            .iter()
            .filter(|(e, should, _)| *should && keep(e))
            .fold((0, 0), |(n, ok), (_, _, c)| (n + 1, ok + usize::from(*c)));
        if n > 0 {
            println!("| {name} | {n} | {:.3} |", ok as f64 / n as f64);
        }
    };
    row("original (a copy was seen first)", &|e| e.is_empty());
    for edit in Edit::ALL {
        row(edit.name(), &|e| e.contains(&edit));
    }
    row("truncated + sentences dropped", &|e| {
        e.contains(&Edit::Truncate) && e.contains(&Edit::Drop)
    });
}
