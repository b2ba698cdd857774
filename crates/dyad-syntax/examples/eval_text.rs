//! Measures the text layer on the UD test files:
//!
//!     cargo run --release -p dyad-syntax --example eval_text -- --ud ../shared/dev/ud
//!
//! Prints CoNLL 2018 Tokens/Words/Sentences F1 on the raw text of EWT, Kaist and GSD test,
//! Korean stem accuracy, English lemma accuracy with gold UPOS, and tokenizing + sentence
//! splitting throughput on one thread (MB/s of text).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use dyad_syntax::Lang;
use dyad_syntax::texteval::{
    UdSentence, en_lemma_accuracy, ko_stem_accuracy, parse_conllu, raw_text, segmentation,
};

fn read_gz(path: &Path) -> Result<Vec<UdSentence>, String> {
    let f = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut s = String::new();
    flate2::read::GzDecoder::new(f)
        .read_to_string(&mut s)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(parse_conllu(&s))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let ud = args
        .iter()
        .position(|a| a == "--ud")
        .and_then(|i| args.get(i + 1))
        .map_or_else(|| PathBuf::from("../shared/dev/ud"), PathBuf::from);
    let mut failed = false;
    let mut texts: Vec<(String, Lang)> = Vec::new();
    for (file, lang) in [
        ("en_ewt-ud-test.conllu.gz", Lang::En),
        ("ko_kaist-ud-test.conllu.gz", Lang::Ko),
        ("ko_gsd-ud-test.conllu.gz", Lang::Ko),
    ] {
        let sents = match read_gz(&ud.join(file)) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("eval_text: {e}");
                failed = true;
                continue;
            }
        };
        let s = segmentation(&sents, lang);
        println!(
            "{file}: Tokens F1 {:.4} (P {:.4} R {:.4}), Words F1 {:.4}, Sentences F1 {:.4} (P {:.4} R {:.4}); {} gold sentences, {} misaligned chars",
            s.tokens.f1(),
            s.tokens.precision(),
            s.tokens.recall(),
            s.words.f1(),
            s.sentences.f1(),
            s.sentences.precision(),
            s.sentences.recall(),
            s.sentences.gold,
            s.misaligned_chars
        );
        match lang {
            Lang::Ko => {
                let (ok, total, base) = ko_stem_accuracy(&sents);
                println!(
                    "  Korean stem accuracy {:.4} ({ok}/{total}); whole word as stem {:.4}",
                    ok as f64 / total.max(1) as f64,
                    base as f64 / total.max(1) as f64
                );
            }
            Lang::En => {
                let (ok, total, base) = en_lemma_accuracy(&sents);
                println!(
                    "  English lemma accuracy with gold UPOS {:.4} ({ok}/{total}); lowercase form {:.4}",
                    ok as f64 / total.max(1) as f64,
                    base as f64 / total.max(1) as f64
                );
            }
        }
        texts.push((raw_text(&sents), lang));
    }
    // Throughput: tokenize + split every text repeatedly, at least $EVAL_MB (default 50) MB.
    let bytes: usize = texts.iter().map(|t| t.0.len()).sum();
    let mb = std::env::var("EVAL_MB")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(50);
    if let Some(rounds) = (mb * 1_000_000).checked_div(bytes) {
        let rounds = rounds.max(1);
        let t0 = Instant::now();
        let mut tokens = 0usize;
        for _ in 0..rounds {
            for (text, lang) in &texts {
                tokens += dyad_syntax::tokenize(text, *lang).0.len();
            }
        }
        let secs = t0.elapsed().as_secs_f64();
        println!(
            "throughput: {:.1} MB/s on one thread ({} MB, {tokens} tokens, {secs:.2} s)",
            (bytes * rounds) as f64 / 1e6 / secs,
            bytes * rounds / 1_000_000
        );
    }
    if failed {
        std::process::exit(1);
    }
}
