//! Accuracy (gold tokens) and speed of the syntax models on the UD test files.
//!
//!     cargo run --release -p dyad-syntax --example eval -- --ud ../shared/dev/ud [--models data/syntax] [--repeat 3]
//!
//! `--prune 0,1,2` measures copies of the models without their small weights; `--gold-tags`
//! gives the parser the gold tags (accuracy only: what tagging errors cost).
//!
//! Without `--models` the embedded models are measured. Speed is tagging + parsing tokens per
//! second of the measuring thread's CPU time (Linux `/proc/thread-self/schedstat`; wall clock
//! elsewhere), on one thread.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use dyad_syntax::eval::{evaluate, evaluate_gold_tags};
use dyad_syntax::train::read_gold;
use dyad_syntax::{Lang, Model};

fn cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn main() -> ExitCode {
    let mut it = std::env::args().skip(1);
    let (mut ud, mut models, mut repeat, mut prune) = (None, None, 3usize, Vec::new());
    let mut gold_tags = false;
    while let Some(a) = it.next() {
        if a == "--gold-tags" {
            gold_tags = true;
            continue;
        }
        match (a.as_str(), it.next()) {
            ("--ud", Some(v)) => ud = Some(PathBuf::from(v)),
            ("--models", Some(v)) => models = Some(PathBuf::from(v)),
            ("--repeat", Some(v)) => repeat = v.parse().unwrap_or(3),
            ("--prune", Some(v)) => {
                prune = v.split(',').filter_map(|x| x.parse::<f32>().ok()).collect()
            }
            _ => {
                eprintln!(
                    "usage: eval --ud DIR [--models DIR] [--repeat N] [--prune W,…] [--gold-tags]"
                );
                return ExitCode::from(2);
            }
        }
    }
    let Some(ud) = ud else {
        eprintln!("usage: eval --ud DIR [--models DIR] [--repeat N]");
        return ExitCode::from(2);
    };
    let load = |lang: Lang, file: &str| -> Result<Model, String> {
        match &models {
            Some(dir) => Model::load(&dir.join(file)).map_err(|e| e.to_string()),
            None => Ok(Model::embedded(lang).clone()),
        }
    };
    let mut status = ExitCode::SUCCESS;
    for (lang, file, sets) in [
        (
            Lang::En,
            "en.bin",
            &["en_ewt-ud-dev.conllu.gz", "en_ewt-ud-test.conllu.gz"][..],
        ),
        (
            Lang::Ko,
            "ko.bin",
            &["ko_kaist-ud-test.conllu.gz", "ko_gsd-ud-test.conllu.gz"][..],
        ),
    ] {
        let base = match load(lang, file) {
            Ok(m) => m,
            Err(e) => {
                eprintln!("eval: {e}");
                status = ExitCode::from(1);
                continue;
            }
        };
        let levels = if prune.is_empty() {
            vec![None]
        } else {
            prune.iter().map(|p| Some(*p)).collect()
        };
        for level in levels {
            let mut model = base.clone();
            if let Some(p) = level {
                model.prune(p);
            }
            println!(
                "model {} (trained: {}, pruned below {:?}: {} bytes, sizes {:?})",
                model.version(),
                model.is_trained(),
                level,
                model.to_bytes().len(),
                model.sizes()
            );
            for set in sets {
                let mut problems = Vec::new();
                let gold = match read_gold(&[ud.join(set)], &mut problems) {
                    Ok(g) => g,
                    Err(e) => {
                        eprintln!("eval: {e}");
                        status = ExitCode::from(1);
                        continue;
                    }
                };
                let s = if gold_tags {
                    evaluate_gold_tags(&model, &gold)
                } else {
                    evaluate(&model, &gold)
                };
                // Speed: annotate the whole file `repeat` times on this thread.
                let forms: Vec<Vec<&str>> = gold.iter().map(|g| g.form_refs()).collect();
                let (cpu0, wall0) = (cpu_ns(), Instant::now());
                let mut tokens = 0usize;
                for _ in 0..repeat {
                    for f in &forms {
                        tokens += model.annotate(f).len();
                    }
                }
                let wall = wall0.elapsed().as_secs_f64();
                let cpu = match (cpu0, cpu_ns()) {
                    (Some(a), Some(b)) => (b - a) as f64 / 1e9,
                    _ => wall,
                };
                println!(
                    "{set}: {} sentences, {} words  UPOS {:.4}  UAS {:.4}  LAS {:.4}  (LAS full labels {:.4})  {:.0} tokens/s CPU ({:.0} wall)",
                    s.sentences,
                    s.words,
                    s.upos_acc(),
                    s.uas_acc(),
                    s.las_acc(),
                    s.las_full_acc(),
                    tokens as f64 / cpu,
                    tokens as f64 / wall
                );
            }
        }
    }
    status
}
