//! Regenerates the measurement set and checks the default configuration against it; the
//! figures themselves are in the crate's README (`examples/measure.rs` prints them).

use std::path::Path;

use dyad_dedup::testset::{self, Method};
use dyad_dedup::{Config, signature, similarity};
use proptest::prelude::*;

fn docs() -> Vec<testset::Doc> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/base");
    let bases = testset::load_bases(&dir).expect("base articles are readable");
    assert!(bases.len() >= 40, "{} base articles", bases.len());
    for b in &bases {
        let words = b.text().split_whitespace().count();
        assert!((150..=400).contains(&words), "{} has {words} words", b.name);
        assert!(b.paragraphs.len() >= 4, "{} has too few paragraphs", b.name);
    }
    testset::generate(&bases, testset::COPIES, testset::SEED)
}

#[test]
fn default_configuration_reaches_f1_095_on_the_set() {
    let docs = docs();
    let method = Method::MinHash(Config::default());
    let links = testset::link(&docs, &method);
    let linking = testset::link_scores(&docs, &links);
    assert!(
        linking.f1() >= 0.95,
        "linking {linking:?}: P {:.3} R {:.3} F1 {:.3}",
        linking.precision(),
        linking.recall(),
        linking.f1()
    );
    let pairwise = testset::pair_scores(&docs, &method);
    assert!(
        pairwise.f1() >= 0.95,
        "pairwise {pairwise:?}: F1 {:.3}",
        pairwise.f1()
    );
}

#[test]
fn the_set_is_deterministic() {
    let (a, b) = (docs(), docs());
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(
            (x.cluster, &x.text, &x.edits),
            (y.cluster, &y.text, &y.edits)
        );
    }
    // Every copy differs from its original.
    for d in a.iter().filter(|d| !d.edits.is_empty()) {
        let original = a
            .iter()
            .find(|o| o.cluster == d.cluster && o.edits.is_empty())
            .expect("every cluster has its original");
        assert_ne!(d.text, original.text);
    }
}

proptest! {
    #[test]
    fn a_text_is_identical_to_itself(text in "\\PC*[a-zA-Z0-9가-힣]\\PC*") {
        // Any text with at least one word; a text without words never matches (unit tests).
        let cfg = Config::default();
        prop_assert_eq!(similarity(&signature(&text, &cfg), &signature(&text, &cfg)), 1.0);
    }

    #[test]
    fn similarity_is_symmetric_and_bounded(a in "\\PC{0,200}", b in "\\PC{0,200}") {
        let cfg = Config::default();
        let (x, y) = (signature(&a, &cfg), signature(&b, &cfg));
        let s = similarity(&x, &y);
        prop_assert_eq!(s, similarity(&y, &x));
        prop_assert!((0.0..=1.0).contains(&s));
    }
}
