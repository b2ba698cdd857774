//! CoNLL-U reading and writing (plain or gzip).
//!
//! A sentence keeps its comment lines and every token line, including multiword token ranges
//! (`1-2`) and empty nodes (`1.1`), so writing a read sentence gives the same text back. The
//! *word sequence* (what taggers and parsers see) skips ranges and empty nodes:
//! [`Sentence::words`].

use std::fmt;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

/// The ID column of a token line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenId {
    /// A syntactic word, 1-based.
    Word(u32),
    /// A multiword token spanning words `first..=last`.
    Range(u32, u32),
    /// An empty node `word.sub` of the enhanced graph.
    Empty(u32, u32),
}

impl fmt::Display for TokenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenId::Word(i) => write!(f, "{i}"),
            TokenId::Range(a, b) => write!(f, "{a}-{b}"),
            TokenId::Empty(a, b) => write!(f, "{a}.{b}"),
        }
    }
}

impl TokenId {
    fn parse(s: &str) -> Option<TokenId> {
        let num = |x: &str| -> Option<u32> {
            if x.is_empty() || !x.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            x.parse().ok()
        };
        if let Some((a, b)) = s.split_once('-') {
            Some(TokenId::Range(num(a)?, num(b)?))
        } else if let Some((a, b)) = s.split_once('.') {
            Some(TokenId::Empty(num(a)?, num(b)?))
        } else {
            Some(TokenId::Word(num(s)?))
        }
    }
}

/// One token line: the ten columns, kept as written (`_` for empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub id: TokenId,
    pub form: String,
    pub lemma: String,
    pub upos: String,
    pub xpos: String,
    pub feats: String,
    pub head: String,
    pub deprel: String,
    pub deps: String,
    pub misc: String,
}

impl Row {
    /// A word row with `_` in every column but the ID and form.
    pub fn word(id: u32, form: &str) -> Row {
        let u = || "_".to_string();
        Row {
            id: TokenId::Word(id),
            form: form.to_string(),
            lemma: u(),
            upos: u(),
            xpos: u(),
            feats: u(),
            head: u(),
            deprel: u(),
            deps: u(),
            misc: u(),
        }
    }

    /// The HEAD column as a number (`None` for `_` or garbage).
    pub fn head_num(&self) -> Option<u32> {
        self.head.parse().ok()
    }

    /// Whether MISC says `SpaceAfter=No`.
    pub fn no_space_after(&self) -> bool {
        self.misc.split('|').any(|m| m == "SpaceAfter=No")
    }
}

/// One sentence: its comments (without the leading `#`, exactly as after it) and token lines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sentence {
    pub comments: Vec<String>,
    pub rows: Vec<Row>,
}

impl Sentence {
    /// The syntactic words, in order (ranges and empty nodes skipped).
    pub fn words(&self) -> impl Iterator<Item = &Row> {
        self.rows
            .iter()
            .filter(|r| matches!(r.id, TokenId::Word(_)))
    }

    /// Mutable access to the syntactic words.
    pub fn words_mut(&mut self) -> impl Iterator<Item = &mut Row> {
        self.rows
            .iter_mut()
            .filter(|r| matches!(r.id, TokenId::Word(_)))
    }

    /// The value of a `# key = value` comment.
    pub fn comment(&self, key: &str) -> Option<&str> {
        self.comments.iter().find_map(|c| {
            let (k, v) = c.trim_start().split_once('=')?;
            (k.trim() == key).then(|| v.trim())
        })
    }
}

/// A CoNLL-U line that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConlluError {
    #[error("{source_name}: line {line}: {message}")]
    Syntax {
        source_name: String,
        line: usize,
        message: String,
    },
    #[error("{source_name}: {error}")]
    Io {
        source_name: String,
        error: std::io::Error,
    },
}

/// Reads every sentence of a CoNLL-U text. `source_name` names the input in errors.
pub fn read<R: BufRead>(input: R, source_name: &str) -> Result<Vec<Sentence>, ConlluError> {
    let mut out = Vec::new();
    let mut cur = Sentence::default();
    for (n, line) in input.lines().enumerate() {
        let line = line.map_err(|error| ConlluError::Io {
            source_name: source_name.to_string(),
            error,
        })?;
        let line = line.strip_suffix('\r').unwrap_or(&line);
        if line.is_empty() {
            if !cur.rows.is_empty() || !cur.comments.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if let Some(c) = line.strip_prefix('#') {
            cur.comments.push(c.to_string());
            continue;
        }
        let err = |message: String| ConlluError::Syntax {
            source_name: source_name.to_string(),
            line: n + 1,
            message,
        };
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() != 10 {
            return Err(err(format!(
                "expected 10 tab-separated columns, found {}",
                cols.len()
            )));
        }
        let id = TokenId::parse(cols[0]).ok_or_else(|| err(format!("bad ID {:?}", cols[0])))?;
        cur.rows.push(Row {
            id,
            form: cols[1].to_string(),
            lemma: cols[2].to_string(),
            upos: cols[3].to_string(),
            xpos: cols[4].to_string(),
            feats: cols[5].to_string(),
            head: cols[6].to_string(),
            deprel: cols[7].to_string(),
            deps: cols[8].to_string(),
            misc: cols[9].to_string(),
        });
    }
    if !cur.rows.is_empty() || !cur.comments.is_empty() {
        out.push(cur);
    }
    Ok(out)
}

/// Reads a CoNLL-U file; names ending in `.gz` are decompressed.
pub fn read_path(path: &Path) -> Result<Vec<Sentence>, ConlluError> {
    let name = path.display().to_string();
    let io = |error| ConlluError::Io {
        source_name: name.clone(),
        error,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    read(BufReader::new(reader), &name)
}

/// Writes one sentence followed by its blank line.
pub fn write_sentence<W: Write>(out: &mut W, s: &Sentence) -> std::io::Result<()> {
    for c in &s.comments {
        writeln!(out, "#{c}")?;
    }
    for r in &s.rows {
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            r.id, r.form, r.lemma, r.upos, r.xpos, r.feats, r.head, r.deprel, r.deps, r.misc
        )?;
    }
    writeln!(out)
}

/// Writes sentences as CoNLL-U text.
pub fn write<W: Write>(out: &mut W, sentences: &[Sentence]) -> std::io::Result<()> {
    for s in sentences {
        write_sentence(out, s)?;
    }
    Ok(())
}

/// Writes sentences to a string.
pub fn to_string(sentences: &[Sentence]) -> String {
    let mut buf = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write(&mut buf, sentences);
    String::from_utf8_lossy(&buf).into_owned()
}

/// Writes a CoNLL-U file; names ending in `.gz` are compressed.
pub fn write_path(path: &Path, sentences: &[Sentence]) -> std::io::Result<()> {
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    if path.extension().is_some_and(|e| e == "gz") {
        let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
        write(&mut gz, sentences)?;
        gz.finish()?.flush()
    } else {
        let mut file = file;
        write(&mut file, sentences)?;
        file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SAMPLE: &str = "# sent_id = 1\n# text = Don't go.\n1-2\tDon't\t_\t_\t_\t_\t_\t_\t_\t_\n1\tDo\tdo\tAUX\tVBP\t_\t3\taux\t_\t_\n2\tn't\tnot\tPART\tRB\t_\t3\tadvmod\t_\t_\n3\tgo\tgo\tVERB\tVB\t_\t0\troot\t_\tSpaceAfter=No\n3.1\tgone\t_\t_\t_\t_\t_\t_\t3:conj\t_\n4\t.\t.\tPUNCT\t.\t_\t3\tpunct\t_\t_\n\n";

    #[test]
    fn reads_ranges_and_empty_nodes_but_words_skip_them() {
        let s = read(SAMPLE.as_bytes(), "sample").unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].rows.len(), 6);
        let words: Vec<&str> = s[0].words().map(|r| r.form.as_str()).collect();
        assert_eq!(words, ["Do", "n't", "go", "."]);
        assert_eq!(s[0].comment("text"), Some("Don't go."));
        assert!(s[0].rows[3].no_space_after());
        assert_eq!(to_string(&s), SAMPLE);
    }

    #[test]
    fn bad_lines_name_the_input_and_line() {
        let e = read("1\tx\n".as_bytes(), "f.conllu").unwrap_err();
        assert!(e.to_string().starts_with("f.conllu: line 1:"), "{e}");
        let e = read("# c\nx.y\ta\tb\tc\td\te\tf\tg\th\ti\n".as_bytes(), "g").unwrap_err();
        assert!(e.to_string().contains("line 2: bad ID"), "{e}");
    }

    #[test]
    fn gzip_files_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.conllu.gz");
        let s = read(SAMPLE.as_bytes(), "sample").unwrap();
        write_path(&p, &s).unwrap();
        assert_eq!(read_path(&p).unwrap(), s);
    }

    fn field() -> impl Strategy<Value = String> {
        "[^\t\n\r#]{1,6}".prop_filter("not blank", |s| !s.trim().is_empty())
    }

    fn sentence() -> impl Strategy<Value = Sentence> {
        let comments = prop::collection::vec("[^\n\r]{0,12}", 0..3);
        let rows = prop::collection::vec((0u8..3, prop::collection::vec(field(), 9)), 1..8);
        (comments, rows).prop_map(|(comments, rows)| {
            let mut out = Vec::new();
            let mut w = 0u32;
            for (kind, f) in rows {
                let id = match kind {
                    0 => {
                        w += 1;
                        TokenId::Word(w)
                    }
                    1 => TokenId::Range(w + 1, w + 2),
                    _ => TokenId::Empty(w, 1),
                };
                out.push(Row {
                    id,
                    form: f[0].clone(),
                    lemma: f[1].clone(),
                    upos: f[2].clone(),
                    xpos: f[3].clone(),
                    feats: f[4].clone(),
                    head: f[5].clone(),
                    deprel: f[6].clone(),
                    deps: f[7].clone(),
                    misc: f[8].clone(),
                });
            }
            Sentence {
                comments,
                rows: out,
            }
        })
    }

    proptest! {
        #[test]
        fn write_read_round_trips(sents in prop::collection::vec(sentence(), 1..5)) {
            let text = to_string(&sents);
            let back = read(text.as_bytes(), "prop").unwrap();
            prop_assert_eq!(to_string(&back), text);
            prop_assert_eq!(back, sents);
        }
    }
}
