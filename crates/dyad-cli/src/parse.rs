//! `dyad parse`: plain text to CoNLL-U (sentences, tokens with byte offsets, lemmas, Korean
//! morphemes), and the `--syntax` view of `dyad show`. The work is `dyad_syntax::render`;
//! this module reads inputs, picks the language and prints.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, bail};
use dyad_syntax::Lang;
use dyad_syntax::render::{Annotator, write_conllu};

/// The language's embedded tagger and parser, as the CoNLL-U writer takes them (UPOS, HEAD,
/// DEPREL per word).
fn annotator(lang: Lang) -> impl Fn(&[&str]) -> Vec<(String, u32, String)> {
    let model = dyad_syntax::Model::embedded(lang);
    move |forms: &[&str]| {
        model
            .annotate(forms)
            .into_iter()
            .map(|a| (a.upos.as_str().to_string(), a.head, a.deprel))
            .collect()
    }
}

/// The language of `text`: the one asked for, else detected as cleaning detects it; when that
/// names a language without models (short texts are often mistaken), the script decides:
/// Korean when Hangul makes up most letters, else English.
fn language(text: &str, asked: Option<Lang>) -> Result<Lang, String> {
    if let Some(l) = asked {
        return Ok(l);
    }
    let code = dyad_clean::meta::detect_language(text, None);
    if let Some(l) = Lang::from_code(&code) {
        return Ok(l);
    }
    let (hangul, letters) =
        text.chars()
            .filter(|c| c.is_alphabetic())
            .fold((0usize, 0usize), |(h, n), c| {
                (
                    h + usize::from(('\u{AC00}'..='\u{D7A3}').contains(&c)),
                    n + 1,
                )
            });
    Ok(if hangul * 2 > letters {
        Lang::Ko
    } else {
        Lang::En
    })
}

/// One input: its name for messages and `# newdoc id`, and where to read it.
enum Input {
    Stdin,
    File(PathBuf),
}

/// Expands the paths: `-`, files, and folders (their `.txt` files, recursively, sorted).
fn expand(paths: &[String], problems: &mut Vec<String>) -> Vec<Input> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>, problems: &mut Vec<String>) {
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) => {
                problems.push(format!("{}: {e}", dir.display()));
                return;
            }
        };
        let mut items: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        items.sort();
        for p in items {
            if p.is_dir() {
                walk(&p, out, problems);
            } else if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("txt")) {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    for p in paths {
        if p == "-" {
            out.push(Input::Stdin);
            continue;
        }
        let path = PathBuf::from(p);
        if path.is_dir() {
            let mut files = Vec::new();
            walk(&path, &mut files, problems);
            if files.is_empty() {
                problems.push(format!("{p}: no .txt files in this folder"));
            }
            out.extend(files.into_iter().map(Input::File));
        } else {
            out.push(Input::File(path));
        }
    }
    out
}

fn read(input: &Input) -> Result<(String, String), String> {
    let (name, bytes) = match input {
        Input::Stdin => {
            let mut b = Vec::new();
            std::io::stdin()
                .read_to_end(&mut b)
                .map_err(|e| format!("-: {e}"))?;
            ("stdin".to_string(), b)
        }
        Input::File(p) => (
            p.display().to_string(),
            std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?,
        ),
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("dyad: warning: {name}: not valid UTF-8, invalid bytes replaced");
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
    };
    Ok((name, text))
}

/// `dyad parse PATH...`: exit 0 when every input was parsed, 1 when some failed (each named
/// on standard error; the others are still printed).
pub fn parse(paths: &[String], lang: Option<&str>) -> Result<ExitCode> {
    let asked = match lang {
        Some(l) => match Lang::from_code(l) {
            Some(l) => Some(l),
            None => bail!("--lang {l:?}: use en or ko"),
        },
        None => None,
    };
    let mut problems = Vec::new();
    let inputs = expand(paths, &mut problems);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut done = 0usize;
    for input in &inputs {
        let (name, text) = match read(input) {
            Ok(x) => x,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        let lang = match language(&text, asked) {
            Ok(l) => l,
            Err(e) => {
                problems.push(format!("{name}: {e}"));
                continue;
            }
        };
        let mut s = String::new();
        let annotate = annotator(lang);
        let annotate: Annotator = &annotate;
        write_conllu(&mut s, &text, lang, &name, Some(annotate));
        out.write_all(s.as_bytes())?;
        done += 1;
    }
    for p in &problems {
        eprintln!("dyad: {p}");
    }
    if done == 0 && inputs.is_empty() && problems.is_empty() {
        bail!("nothing to parse");
    }
    Ok(if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// A stored document's text as CoNLL-U (`dyad show ID --syntax`).
pub fn show_syntax(doc: &dyad_model::Document) -> Result<ExitCode> {
    let lang = match language(&doc.text, Lang::from_code(&doc.language)) {
        Ok(l) => l,
        Err(e) => bail!("document {}: {e}", doc.id),
    };
    let mut s = String::new();
    let annotate = annotator(lang);
    let annotate: Annotator = &annotate;
    write_conllu(&mut s, &doc.text, lang, &doc.id, Some(annotate));
    std::io::stdout().lock().write_all(s.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
