//! Sources: turning what the user names (files, folders, `-` for standard input) into decoded
//! [`RawDoc`]s.
//!
//! **Invariants**
//! - Reading never panics and never aborts a run: every problem with one input is a
//!   [`ReadError`] naming that input, and the caller goes on with the rest.
//! - Nothing is read past [`Limits::max_bytes`] (before and after gzip decompression), so a huge
//!   or hostile input cannot exhaust memory.
//! - Folder walks are sorted, so runs are reproducible.
//!
//! This crate knows nothing of cleaning, storage or output formats.

mod containers;
mod dates;
mod decode;
mod feed;
pub mod guard;
mod jsonl;
mod sitemap;
mod urls;
mod warc;
mod xml;

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use dyad_model::{Format, RawDoc};
use flate2::read::MultiGzDecoder;

pub use containers::{
    ContainerError, ContainerKind, Contents, Link, LinkKind, Problem, Record, is_container,
    read_container, read_container_item,
};
pub use decode::{Decoded, decode};

/// Limits applied to every input.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest input accepted, in bytes, compressed or not.
    pub max_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 32 * 1024 * 1024,
        }
    }
}

/// One input to read: a file found on disk, or standard input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The name reported for this input: the path as given or found, or `-`.
    pub input: String,
    /// `None` for standard input.
    pub path: Option<PathBuf>,
}

/// Why an input could not be read. The message names no input: callers pair it with
/// [`Item::input`].
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read: {0}")]
    Io(#[from] io::Error),
    #[error("empty input")]
    Empty,
    #[error("binary data, not HTML or text ({0})")]
    Binary(String),
    #[error("too large: {size} exceeds the limit of {limit} (raise it with --max-size)")]
    TooLarge { size: String, limit: String },
    #[error("broken gzip stream: {0}")]
    Gzip(String),
    #[error("not found or not a file")]
    NotFound,
}

/// A problem met while listing inputs (an unreadable folder, a missing path).
#[derive(Debug)]
pub struct ListError {
    pub input: String,
    pub error: String,
}

/// Extensions read when walking folders; a file named explicitly is read whatever its name.
const EXTENSIONS: &[&str] = &["html", "htm", "xhtml", "txt", "text"];

/// Whether a path names a supported document, optionally gzip-compressed.
pub fn is_supported(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    match name.rsplit_once('.') {
        Some((_, ext)) => EXTENSIONS.contains(&ext),
        None => false,
    }
}

/// Expands the user's arguments into items, in order: a file as itself, a folder as the
/// supported documents and containers below it (sorted, recursive), `-` as standard input.
pub fn expand(args: &[String]) -> (Vec<Item>, Vec<ListError>) {
    let mut items = Vec::new();
    let mut errors = Vec::new();
    for arg in args {
        if arg == "-" {
            items.push(Item {
                input: "-".into(),
                path: None,
            });
            continue;
        }
        let path = Path::new(arg);
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => walk(path, &mut items, &mut errors),
            Ok(_) => items.push(Item {
                input: shown(path, path),
                path: Some(path.to_path_buf()),
            }),
            Err(e) => errors.push(ListError {
                input: shown(path, path),
                error: describe_io(&e),
            }),
        }
    }
    (items, errors)
}

fn walk(root: &Path, items: &mut Vec<Item>, errors: &mut Vec<ListError>) {
    let walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name();
    for entry in walker {
        match entry {
            Ok(e) => {
                if e.file_type().is_dir() || !(is_supported(e.path()) || is_container(e.path())) {
                    continue;
                }
                items.push(Item {
                    input: shown(root, e.path()),
                    path: Some(e.path().to_path_buf()),
                });
            }
            Err(e) => {
                let input = shown(root, e.path().unwrap_or(root));
                let error = match e.io_error() {
                    Some(io) => describe_io(io),
                    None => e.to_string(),
                };
                errors.push(ListError { input, error });
            }
        }
    }
}

/// The name an input is reported and stored under: the path as the user typed it (a relative
/// path, joined with the folder walk's), or, when the user typed an absolute path, the path
/// from the named folder or file itself (`/srv/news/a/b.html` given as `/srv/news` is
/// `news/a/b.html`): the server's own folders never reach the store, the API or the dashboard.
fn shown(given: &Path, found: &Path) -> String {
    if !given.has_root() {
        return found.to_string_lossy().into_owned();
    }
    let base = given.parent().unwrap_or(given);
    match found.strip_prefix(base) {
        Ok(rest) if !rest.as_os_str().is_empty() => rest.to_string_lossy().into_owned(),
        // `/` itself, or a path outside the one given: its last component.
        _ => found
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "/".into()),
    }
}

fn describe_io(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file or folder".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Reads, decompresses and decodes one item.
pub fn read(item: &Item, limits: Limits) -> Result<RawDoc, ReadError> {
    let bytes = match &item.path {
        Some(p) => {
            let meta = std::fs::metadata(p)?;
            if !meta.is_file() {
                return Err(ReadError::NotFound);
            }
            if meta.len() > limits.max_bytes {
                return Err(too_large(meta.len(), limits));
            }
            read_capped(File::open(p)?, limits)?
        }
        None => read_capped(io::stdin().lock(), limits)?,
    };
    from_bytes(&item.input, &bytes, limits)
}

/// Decompresses (when gzip) and decodes bytes that came from `input`.
pub fn from_bytes(input: &str, bytes: &[u8], limits: Limits) -> Result<RawDoc, ReadError> {
    let owned;
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        owned = gunzip(bytes, limits)?;
        &owned[..]
    } else {
        bytes
    };
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ReadError::Empty);
    }
    let decoded = decode(bytes, declared_format(input))?;
    let format = declared_format(input).unwrap_or_else(|| sniff_format(&decoded.text));
    Ok(RawDoc {
        input: input.to_string(),
        format,
        content: decoded.text,
        encoding: decoded.encoding,
        warnings: decoded.warnings,
    })
}

fn read_capped(r: impl Read, limits: Limits) -> Result<Vec<u8>, ReadError> {
    let mut buf = Vec::new();
    r.take(limits.max_bytes + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > limits.max_bytes {
        return Err(too_large(buf.len() as u64, limits));
    }
    Ok(buf)
}

fn gunzip(bytes: &[u8], limits: Limits) -> Result<Vec<u8>, ReadError> {
    let mut out = Vec::new();
    let res = MultiGzDecoder::new(bytes)
        .take(limits.max_bytes + 1)
        .read_to_end(&mut out);
    match res {
        Ok(_) if out.len() as u64 > limits.max_bytes => Err(ReadError::TooLarge {
            size: format!("more than {} once decompressed", human(limits.max_bytes)),
            limit: human(limits.max_bytes),
        }),
        Ok(_) => Ok(out),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Err(ReadError::Gzip(format!(
            "truncated: the file ends inside the compressed stream after {} decompressed bytes",
            out.len()
        ))),
        Err(e) => Err(ReadError::Gzip(e.to_string())),
    }
}

fn too_large(size: u64, limits: Limits) -> ReadError {
    ReadError::TooLarge {
        size: human(size),
        limit: human(limits.max_bytes),
    }
}

/// Bytes in a short human form: `52.4 MiB`.
pub fn human(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut v = bytes as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// The format a name declares by its extension (ignoring a trailing `.gz`).
pub fn declared_format(input: &str) -> Option<Format> {
    let lower = input.to_lowercase();
    let name = lower.strip_suffix(".gz").unwrap_or(&lower);
    let ext = name.rsplit_once('.').map(|(_, e)| e)?;
    match ext {
        "html" | "htm" | "xhtml" => Some(Format::Html),
        "txt" | "text" => Some(Format::Text),
        _ => None,
    }
}

/// Guesses HTML or text from the content's start.
pub fn sniff_format(text: &str) -> Format {
    let head: String = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .chars()
        .take(1024)
        .collect::<String>()
        .to_lowercase();
    let markers = [
        "<!doctype html",
        "<html",
        "<head",
        "<body",
        "<meta",
        "<article",
    ];
    if head.starts_with('<') && (markers.iter().any(|m| head.contains(m)) || head.contains("</p>"))
    {
        Format::Html
    } else {
        Format::Text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).expect("in-memory write");
        e.finish().expect("in-memory gzip")
    }

    /// Regression (issue 15): an absolute folder or file was stored, and served, under the
    /// server's absolute path.
    #[test]
    fn inputs_are_named_relative_to_what_was_given() {
        let dir = tempfile::tempdir().expect("tempdir");
        let news = dir.path().join("news");
        std::fs::create_dir_all(news.join("a")).expect("mkdir");
        std::fs::write(news.join("a/b.txt"), "Text.").expect("write");
        std::fs::write(news.join("c.html"), "<p>Page</p>").expect("write");
        let abs = news.to_string_lossy().into_owned();
        let (items, errors) = expand(std::slice::from_ref(&abs));
        assert!(errors.is_empty());
        let names: Vec<&str> = items.iter().map(|i| i.input.as_str()).collect();
        assert_eq!(names, ["news/a/b.txt", "news/c.html"]);
        assert!(
            items
                .iter()
                .all(|i| i.path.as_ref().is_some_and(|p| p.is_absolute()))
        );
        let file = news.join("c.html").to_string_lossy().into_owned();
        let (items, _) = expand(&[file]);
        assert_eq!(items[0].input, "c.html");
        let (_, errors) = expand(&[dir.path().join("gone.txt").to_string_lossy().into_owned()]);
        assert_eq!(errors[0].input, "gone.txt");
        // A relative path stays as typed.
        assert_eq!(
            shown(Path::new("corpus"), Path::new("corpus/x.txt")),
            "corpus/x.txt"
        );
        assert_eq!(shown(Path::new("/"), Path::new("/x.txt")), "x.txt");
    }

    #[test]
    fn formats_by_extension_and_content() {
        assert_eq!(declared_format("a/b.HTML.gz"), Some(Format::Html));
        assert_eq!(declared_format("b.txt"), Some(Format::Text));
        assert_eq!(declared_format("-"), None);
        assert_eq!(sniff_format("  <!DOCTYPE html><html>"), Format::Html);
        assert_eq!(sniff_format("<b>not really</b> a page"), Format::Text);
        assert_eq!(sniff_format("Plain words."), Format::Text);
    }

    #[test]
    fn gzip_roundtrip_and_truncation() {
        let data = "<html><body><p>안녕하세요 summit</p></body></html>".repeat(50);
        let z = gz(data.as_bytes());
        let doc = from_bytes("x.html.gz", &z, Limits::default()).expect("valid gzip");
        assert_eq!(doc.content, data);
        assert_eq!(doc.format, Format::Html);
        let err = from_bytes("x.html.gz", &z[..z.len() / 2], Limits::default()).unwrap_err();
        assert!(matches!(err, ReadError::Gzip(_)), "{err}");
        assert!(err.to_string().contains("truncated"), "{err}");
    }

    #[test]
    fn gzip_bomb_is_capped() {
        let z = gz(&vec![b'a'; 2_000_000]);
        let err = from_bytes("x.txt.gz", &z, Limits { max_bytes: 100_000 }).unwrap_err();
        assert!(matches!(err, ReadError::TooLarge { .. }), "{err}");
    }

    #[test]
    fn empty_and_binary_are_errors() {
        assert!(matches!(
            from_bytes("e.txt", b"  \n", Limits::default()),
            Err(ReadError::Empty)
        ));
        let bin: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
        assert!(matches!(
            from_bytes("b.txt", &bin, Limits::default()),
            Err(ReadError::Binary(_))
        ));
    }

    #[test]
    fn folder_walk_is_sorted_and_filtered() {
        let dir = tempfile::tempdir().expect("tempdir");
        for name in ["b.txt", "a.html", "c.bin", "sub/d.htm.gz"] {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().expect("has parent")).expect("mkdir");
            std::fs::write(&p, "x").expect("write");
        }
        let root = dir.path().to_string_lossy().into_owned();
        let (items, errors) = expand(&[root.clone(), format!("{root}/missing.txt")]);
        // An absolute folder is named from itself: `<its name>/...`.
        let base = dir
            .path()
            .file_name()
            .expect("a tempdir has a name")
            .to_string_lossy()
            .into_owned();
        let names: Vec<_> = items
            .iter()
            .map(|i| i.input.trim_start_matches(&base).to_string())
            .collect();
        assert_eq!(names, ["/a.html", "/b.txt", "/sub/d.htm.gz"]);
        std::fs::write(dir.path().join("c.jsonl"), "{}").expect("write");
        let (items, _) = expand(std::slice::from_ref(&root));
        assert!(items.iter().any(|i| i.input.ends_with("/c.jsonl")));
        assert_eq!(errors.len(), 1);
        assert!(errors[0].input.ends_with("missing.txt"));
    }
}
