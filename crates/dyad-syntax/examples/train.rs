//! Rebuilds every syntax model from Universal Dependencies, deterministically.
//!
//!     cargo run --release -p dyad-syntax --example train -- --ud ../shared/dev/ud --out data/syntax
//!
//! Options: `--lang en|ko` (default both), `--sources FILE` (treebank revisions; default
//! `SOURCES.json` beside the UD folder). For experiments only (the committed models use the
//! defaults of `TrainConfig`): `--min-weight W`, `--parser-iterations N`,
//! `--tagger-iterations N`, `--explore P`, `--folds K`. Exit status: 0 ok, 1 some sentences were unusable
//! (listed on stderr, the rest trained), 2 usage or fatal error.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use dyad_syntax::train::{TrainConfig, read_gold, train_model};
use dyad_syntax::{Lang, Treebank};

struct Args {
    ud: PathBuf,
    out: PathBuf,
    langs: Vec<Lang>,
    sources: Option<PathBuf>,
    config: TrainConfig,
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("train: {msg}");
    eprintln!("usage: train --ud DIR --out DIR [--lang en|ko] [--sources SOURCES.json]");
    ExitCode::from(2)
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let (mut ud, mut out, mut langs, mut sources) = (None, None, Vec::new(), None);
    let mut config = TrainConfig::default();
    let num = |v: String, a: &str| v.parse::<f64>().map_err(|_| format!("{a}: not a number"));
    while let Some(a) = it.next() {
        let mut val = || it.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--ud" => ud = Some(PathBuf::from(val()?)),
            "--out" => out = Some(PathBuf::from(val()?)),
            "--sources" => sources = Some(PathBuf::from(val()?)),
            // Experiments only: the committed models use the defaults.
            "--min-weight" => config.min_weight = num(val()?, &a)? as f32,
            "--parser-iterations" => config.parser_iterations = num(val()?, &a)? as usize,
            "--tagger-iterations" => config.tagger_iterations = num(val()?, &a)? as usize,
            "--explore" => config.explore = num(val()?, &a)?,
            "--folds" => config.folds = num(val()?, &a)? as usize,
            "--lang" => langs.push(match val()?.as_str() {
                "en" => Lang::En,
                "ko" => Lang::Ko,
                other => return Err(format!("unknown language {other:?}")),
            }),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if langs.is_empty() {
        langs = vec![Lang::En, Lang::Ko];
    }
    Ok(Args {
        ud: ud.ok_or("--ud is required")?,
        out: out.ok_or("--out is required")?,
        langs,
        sources,
        config,
    })
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => return usage(&e),
    };
    let sources_path = args
        .sources
        .clone()
        .unwrap_or_else(|| args.ud.join("../SOURCES.json"));
    let revisions: BTreeMap<String, String> = match std::fs::read(&sources_path)
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
    {
        Ok(r) => r,
        Err(e) => return usage(&format!("{}: {e}", sources_path.display())),
    };
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        return usage(&format!("{}: {e}", args.out.display()));
    }
    let config = args.config.clone();
    let mut failed = false;
    for lang in &args.langs {
        let (name, parts): (&str, &[(&str, &[&str])]) = match lang {
            Lang::En => ("en", &[("UD_English-EWT", &["en_ewt-ud-train.conllu.gz"])]),
            Lang::Ko => (
                "ko",
                &[
                    ("UD_Korean-Kaist", &["ko_kaist-ud-dev.conllu.gz"]),
                    ("UD_Korean-GSD", &["ko_gsd-ud-dev.conllu.gz"]),
                ],
            ),
        };
        let mut treebanks = Vec::new();
        let mut paths = Vec::new();
        for (tb, files) in parts {
            let Some(rev) = revisions.get(*tb) else {
                return usage(&format!("{}: no revision for {tb}", sources_path.display()));
            };
            treebanks.push(Treebank {
                name: tb.to_string(),
                revision: rev.clone(),
                files: files
                    .iter()
                    .map(|f| f.trim_end_matches(".gz").to_string())
                    .collect(),
            });
            paths.extend(files.iter().map(|f| args.ud.join(f)));
        }
        let mut problems = Vec::new();
        let gold = match read_gold(&paths, &mut problems) {
            Ok(g) => g,
            Err(e) => return usage(&e.to_string()),
        };
        for p in &problems {
            eprintln!("train: skipped {p}");
        }
        failed |= !problems.is_empty();
        let started = Instant::now();
        let model = train_model(*lang, &gold, treebanks, &config);
        let path: PathBuf = Path::new(&args.out).join(format!("{name}.bin"));
        if let Err(e) = model.save(&path) {
            return usage(&e.to_string());
        }
        let (tf, tw, pf, pw) = model.sizes();
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        eprintln!(
            "train: {} {} sentences in {:.1}s → {} ({} bytes; tagger {tf} features/{tw} weights, parser {pf}/{pw}), {}",
            name,
            gold.len(),
            started.elapsed().as_secs_f64(),
            path.display(),
            size,
            model.version()
        );
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
