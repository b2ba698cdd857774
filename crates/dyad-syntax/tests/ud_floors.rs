//! Floors on the UD test files (`../shared/dev/ud` beside the repository, or `$DYAD_SHARED/dev/ud`):
//! CoNLL 2018 Tokens and Sentences F1 on the raw text, Korean stem accuracy and English lemma
//! accuracy with gold UPOS. Skips with a message when the data is absent; fails when it is
//! absent and `CI` is set. `examples/eval_text.rs` prints the same figures.

use std::io::Read;
use std::path::PathBuf;

use dyad_syntax::Lang;
use dyad_syntax::texteval::{
    UdSentence, en_lemma_accuracy, ko_stem_accuracy, parse_conllu, segmentation,
};

fn ud_dir() -> Option<PathBuf> {
    let shared = std::env::var_os("DYAD_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let ud = shared.join("dev/ud");
    if ud.join("en_ewt-ud-test.conllu.gz").exists() {
        return Some(ud);
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "{} is missing and CI is set: the UD test files are required in CI",
            ud.display()
        );
    }
    eprintln!("skipping: {} is absent", ud.display());
    None
}

fn read(ud: &std::path::Path, name: &str) -> Vec<UdSentence> {
    let f = std::fs::File::open(ud.join(name)).expect("readable treebank");
    let mut s = String::new();
    flate2::read::GzDecoder::new(f)
        .read_to_string(&mut s)
        .expect("gzip");
    parse_conllu(&s)
}

#[test]
fn english_ewt_test() {
    let Some(ud) = ud_dir() else { return };
    let sents = read(&ud, "en_ewt-ud-test.conllu.gz");
    let s = segmentation(&sents, Lang::En);
    assert_eq!(s.misaligned_chars, 0);
    assert!(s.tokens.f1() >= 0.985, "Tokens F1 {:.4}", s.tokens.f1());
    assert!(
        s.sentences.f1() >= 0.78,
        "Sentences F1 {:.4}",
        s.sentences.f1()
    );
    let (ok, total, base) = en_lemma_accuracy(&sents);
    let acc = ok as f64 / total as f64;
    assert!(acc >= 0.975 && ok > base, "lemma accuracy {acc:.4}");
}

#[test]
fn korean_test_files() {
    let Some(ud) = ud_dir() else { return };
    for (name, tokens, sentences) in [
        ("ko_kaist-ud-test.conllu.gz", 0.995, 0.98),
        ("ko_gsd-ud-test.conllu.gz", 0.995, 0.70),
    ] {
        let sents = read(&ud, name);
        let s = segmentation(&sents, Lang::Ko);
        assert_eq!(s.misaligned_chars, 0, "{name}");
        assert!(
            s.tokens.f1() >= tokens,
            "{name}: Tokens F1 {:.4}",
            s.tokens.f1()
        );
        assert!(
            s.sentences.f1() >= sentences,
            "{name}: Sentences F1 {:.4}",
            s.sentences.f1()
        );
        let (ok, total, base) = ko_stem_accuracy(&sents);
        let acc = ok as f64 / total as f64;
        assert!(acc >= 0.85 && ok > base, "{name}: stem accuracy {acc:.4}");
    }
}
