//! `dyad parse`: plain text to CoNLL-U (sentences, tokens with byte offsets, lemmas, Korean
//! morphemes), and the `--syntax` view of `dyad show`. The work is `dyad_syntax::render`;
//! this module reads inputs, picks the language and prints.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, bail};
use dyad_syntax::Lang;
use dyad_syntax::render::{Annotator, write_conllu};

/// The tagger and parser plugged into the CoNLL-U output (UPOS, HEAD, DEPREL). `None` until
/// the models are merged: those columns print `_`.
fn annotator() -> Option<Annotator<'static>> {
    None
}

/// The language of `text`: the one asked for, else detected as cleaning detects it.
fn language(text: &str, asked: Option<Lang>) -> Result<Lang, String> {
    if let Some(l) = asked {
        return Ok(l);
    }
    let code = dyad_clean::meta::detect_language(text, None);
    Lang::from_code(&code).ok_or_else(|| format!("language {code:?} is not supported (use --lang en|ko)"))
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
        write_conllu(&mut s, &text, lang, &name, annotator());
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
    write_conllu(&mut s, &doc.text, lang, &doc.id, annotator());
    std::io::stdout().lock().write_all(s.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
