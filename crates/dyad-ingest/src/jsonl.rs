//! JSON Lines: one article per line.
//!
//! Field names: `url`, `title`, `html` or `text`, `published`, `source`, and news-please's
//! (`maintext`, `title`, `date_publish`, `url`, `source_domain`, `authors`, `language`,
//! `description`; `title_page` and `title_rss` as title fallbacks). A line with `html` is an
//! HTML record; one with `text` or `maintext` (and no `html`) a text record.

use dyad_model::{Format, RawDoc};
use serde_json::{Map, Value};

use crate::containers::{ContainerError, ContainerKind, Contents, Record, non_empty, record_input};
use crate::dates;

pub(crate) fn read(input: &str, bytes: &[u8]) -> Result<Contents, ContainerError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut contents = Contents::new(ContainerKind::JsonLines);
    let mut parsed_any = false;
    let ends_with_newline = bytes.ends_with(b"\n");
    let lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    let last = lines.len();
    for (i, line) in lines.into_iter().enumerate() {
        let n = i + 1;
        let line = line.trim_ascii();
        if line.is_empty() {
            continue;
        }
        let value: Value = match serde_json::from_slice(line) {
            Ok(v) => v,
            Err(e) => {
                let message = if n == last && !ends_with_newline {
                    format!("line {n}: truncated or invalid JSON")
                } else {
                    format!("line {n}: invalid JSON at column {}", e.column())
                };
                contents.problem(n, message);
                continue;
            }
        };
        let Value::Object(obj) = value else {
            contents.problem(n, format!("line {n}: not a JSON object"));
            continue;
        };
        parsed_any = true;
        match record(input, n, &obj) {
            Some(r) => contents.records.push(r),
            None => contents.problem(
                n,
                format!("line {n}: no content (no html, text or maintext field)"),
            ),
        }
    }
    if !parsed_any && let Some(first) = contents.problems.first() {
        return Err(ContainerError::format(
            ContainerKind::JsonLines,
            first.message.clone(),
        ));
    }
    Ok(contents)
}

/// The first of `keys` holding a non-empty string.
fn field(obj: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter()
        .find_map(|k| non_empty(obj.get(*k).and_then(Value::as_str)))
}

fn record(input: &str, n: usize, obj: &Map<String, Value>) -> Option<Record> {
    let (format, content) = match field(obj, &["html"]) {
        Some(html) => (Format::Html, html),
        None => (Format::Text, field(obj, &["text", "maintext"])?),
    };
    let url = field(obj, &["url"]);
    let mut warnings = Vec::new();
    let published = field(obj, &["published", "date_publish"]).and_then(|raw| {
        let iso = dates::normalize(&raw);
        if iso.is_none() {
            warnings.push(format!("publication date not understood: {raw}"));
        }
        iso
    });
    let authors = match obj.get("authors").or_else(|| obj.get("author")) {
        Some(Value::Array(a)) => a.iter().filter_map(|v| non_empty(v.as_str())).collect(),
        Some(Value::String(s)) => non_empty(Some(s)).into_iter().collect(),
        _ => Vec::new(),
    };
    Some(Record {
        raw: RawDoc {
            input: record_input(input, url.as_deref(), n),
            format,
            content,
            encoding: "UTF-8".into(),
            warnings,
        },
        url,
        title: field(obj, &["title", "title_page", "title_rss"]),
        published,
        source: field(obj, &["source", "source_domain"]),
        authors,
        language: field(obj, &["language"]),
        description: field(obj, &["description"]),
    })
}
