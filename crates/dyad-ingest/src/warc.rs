//! WARC/1.0 and WARC/1.1 files (CC-NEWS and the like): HTML `response` records with HTTP 200
//! become records; everything else is counted and skipped.
//!
//! The record framing is parsed here rather than with the `warc` crate: the format is a version
//! line, headers, a blank line and `Content-Length` bytes, and reading it directly lets a cut-off
//! last record become a [`Problem`](crate::Problem) while every record before it is kept. Gzip
//! (one member per record, `.warc.gz`) is undone before, by the caller. The HTTP message inside
//! a `response` record is parsed with `httparse`.

use std::io::Read;

use dyad_model::{Format, RawDoc};
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE};
use flate2::read::{DeflateDecoder, MultiGzDecoder, ZlibDecoder};

use crate::containers::{ContainerError, ContainerKind, Contents, Record, record_input};
use crate::{Decoded, Limits};

/// One WARC record's header block.
struct Headers(Vec<(String, String)>);

impl Headers {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub(crate) fn read(input: &str, bytes: &[u8], limits: Limits) -> Result<Contents, ContainerError> {
    let mut contents = Contents::new(ContainerKind::Warc);
    let mut pos = 0;
    let mut n = 0;
    loop {
        while pos < bytes.len() && matches!(bytes[pos], b'\r' | b'\n') {
            pos += 1;
        }
        if pos >= bytes.len() {
            break;
        }
        n += 1;
        if !bytes[pos..].starts_with(b"WARC/") {
            if n == 1 {
                return Err(ContainerError::format(
                    ContainerKind::Warc,
                    "it does not start with a WARC/1.x version line",
                ));
            }
            contents.problem(
                n,
                format!("record {n}: no WARC version line; skipped to the next record"),
            );
            match find(&bytes[pos..], b"\nWARC/") {
                Some(at) => {
                    pos += at + 1;
                    continue;
                }
                None => break,
            }
        }
        let Some((headers, body_start)) = header_block(&bytes[pos..]) else {
            contents.problem(
                n,
                format!("record {n}: truncated WARC record (the file ends in its headers)"),
            );
            break;
        };
        let body_start = pos + body_start;
        let length = headers
            .get("Content-Length")
            .and_then(|v| v.trim().parse::<usize>().ok());
        let Some(length) = length else {
            contents.problem(
                n,
                format!("record {n}: no valid Content-Length; skipped to the next record"),
            );
            match find(&bytes[body_start..], b"\nWARC/") {
                Some(at) => {
                    pos = body_start + at + 1;
                    continue;
                }
                None => break,
            }
        };
        let available = bytes.len() - body_start;
        if length > available {
            contents.problem(
                n,
                format!(
                    "record {n}: truncated WARC record ({available} of {length} bytes); the records before it were read"
                ),
            );
            break;
        }
        let block = &bytes[body_start..body_start + length];
        pos = body_start + length;
        take_record(input, n, &headers, block, limits, &mut contents);
    }
    Ok(contents)
}

/// Parses the version line and headers; returns them and the offset of the block after the
/// blank line, or `None` when the input ends first.
fn header_block(bytes: &[u8]) -> Option<(Headers, usize)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut pos = find(bytes, b"\n")? + 1; // the version line
    loop {
        let end = find(&bytes[pos..], b"\n")?;
        let line = &bytes[pos..pos + end];
        pos += end + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            return Some((Headers(headers), pos));
        }
        let line = String::from_utf8_lossy(line);
        if line.starts_with([' ', '\t']) {
            // A continuation of the previous header's value.
            if let Some((_, v)) = headers.last_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
        } else if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn take_record(
    input: &str,
    n: usize,
    headers: &Headers,
    block: &[u8],
    limits: Limits,
    contents: &mut Contents,
) {
    let kind = headers
        .get("WARC-Type")
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let url = headers
        .get("WARC-Target-URI")
        .map(|u| {
            u.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .trim()
        })
        .filter(|u| !u.is_empty());
    let name = match url {
        Some(u) => format!("record {n} ({u})"),
        None => format!("record {n}"),
    };
    let doc = match kind.as_str() {
        "response" => http_response(n, &name, block, limits, contents),
        "resource" => {
            let content_type = headers.get("Content-Type").unwrap_or("");
            if is_html_type(content_type) {
                Some((block.to_vec(), charset(content_type)))
            } else {
                contents.skip("not HTML");
                None
            }
        }
        other => {
            contents.skip(match other {
                "warcinfo" => "warcinfo record",
                "request" => "request record",
                "metadata" => "metadata record",
                "revisit" => "revisit record",
                "conversion" => "conversion record",
                "continuation" => "continuation record",
                _ => "record of unknown type",
            });
            None
        }
    };
    let Some((body, charset)) = doc else { return };
    if body.iter().all(u8::is_ascii_whitespace) {
        contents.skip("empty body");
        return;
    }
    if body[..body.len().min(8192)].contains(&0) {
        contents.skip("not HTML");
        return;
    }
    let decoded = match decode_html(&body, charset.as_deref()) {
        Ok(d) => d,
        Err(e) => {
            contents.problem(n, format!("{name}: {e}"));
            return;
        }
    };
    if charset.is_none() && crate::sniff_format(&decoded.text) != Format::Html {
        contents.skip("not HTML");
        return;
    }
    contents.records.push(Record {
        raw: RawDoc {
            input: record_input(input, url, n),
            format: Format::Html,
            content: decoded.text,
            encoding: decoded.encoding,
            warnings: decoded.warnings,
        },
        url: url.map(str::to_string),
        // `WARC-Date` is the crawl date, not the publication date: the page's own metadata
        // decides that.
        title: None,
        published: None,
        source: None,
        authors: Vec::new(),
        language: None,
        description: None,
    });
}

/// The body and declared charset of an HTML 200 response, or `None` (skipped or a problem).
fn http_response(
    n: usize,
    name: &str,
    block: &[u8],
    limits: Limits,
    contents: &mut Contents,
) -> Option<(Vec<u8>, Option<String>)> {
    if !block.starts_with(b"HTTP/") {
        contents.skip("not an HTTP response");
        return None;
    }
    let mut config = httparse::ParserConfig::default();
    config
        .allow_spaces_after_header_name_in_responses(true)
        .allow_obsolete_multiline_headers_in_responses(true)
        .allow_multiple_spaces_in_response_status_delimiters(true)
        .ignore_invalid_headers_in_responses(true);
    let mut parsed = None;
    for size in [64, 1024] {
        let mut headers = vec![httparse::EMPTY_HEADER; size];
        let mut response = httparse::Response::new(&mut headers);
        match config.parse_response(&mut response, block) {
            Ok(httparse::Status::Complete(body_at)) => {
                let get = |h: &str| {
                    response
                        .headers
                        .iter()
                        .find(|x| x.name.eq_ignore_ascii_case(h))
                        .map(|x| String::from_utf8_lossy(x.value).trim().to_string())
                };
                parsed = Some((
                    response.code.unwrap_or(0),
                    get("Content-Type"),
                    get("Content-Encoding"),
                    get("Transfer-Encoding"),
                    body_at,
                ));
                break;
            }
            Ok(httparse::Status::Partial) => {
                contents.problem(n, format!("{name}: HTTP headers cut off"));
                break;
            }
            Err(httparse::Error::TooManyHeaders) => continue,
            Err(e) => {
                contents.problem(n, format!("{name}: broken HTTP headers ({e})"));
                break;
            }
        }
    }
    let Some((code, content_type, content_encoding, transfer_encoding, body_at)) = parsed else {
        // Cut-off or broken headers were reported above; only running out of room is left.
        if contents.problems.last().is_none_or(|p| p.at != n) {
            contents.problem(n, format!("{name}: too many HTTP headers"));
        }
        return None;
    };
    if code != 200 {
        contents.skip("HTTP status not 200");
        return None;
    }
    if let Some(ct) = &content_type
        && !is_html_type(ct)
    {
        contents.skip("not HTML");
        return None;
    }
    let mut body = block[body_at..].to_vec();
    if transfer_encoding
        .as_deref()
        .is_some_and(|t| t.to_ascii_lowercase().contains("chunked"))
        && let Some(joined) = dechunk(&body)
    {
        body = joined;
    }
    if let Some(enc) = content_encoding.as_deref() {
        match uncompress(enc, &body, limits) {
            Ok(Some(plain)) => body = plain,
            Ok(None) => {}
            Err(why) => {
                contents.problem(n, format!("{name}: {why}"));
                return None;
            }
        }
    }
    Some((body, content_type.as_deref().and_then(charset)))
}

fn is_html_type(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    matches!(
        essence.as_str(),
        "text/html" | "application/xhtml+xml" | "application/xhtml" | "text/xhtml"
    )
}

/// The `charset` parameter of a content type.
fn charset(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches(['"', '\'']).to_string())
            .filter(|v| !v.is_empty())
    })
}

/// Undoes `Transfer-Encoding: chunked`; `None` when the body is not validly chunked (crawlers
/// often store the body de-chunked while keeping the header).
fn dechunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let (skip, size) = match httparse::parse_chunk_size(body) {
            Ok(httparse::Status::Complete(x)) => x,
            _ => return None,
        };
        let size = usize::try_from(size).ok()?;
        body = &body[skip..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(body.get(..size)?);
        body = &body[size..];
        body = body
            .strip_prefix(b"\r\n")
            .or_else(|| body.strip_prefix(b"\n"))?;
    }
}

/// Undoes a `Content-Encoding`: `Ok(None)` when there is nothing to undo (identity, or a
/// crawler already stored the body decoded).
fn uncompress(encoding: &str, body: &[u8], limits: Limits) -> Result<Option<Vec<u8>>, String> {
    let encoding = encoding.trim().to_ascii_lowercase();
    let cap = limits.max_bytes + 1;
    let mut out = Vec::new();
    let res = match encoding.as_str() {
        "" | "identity" | "none" => return Ok(None),
        "gzip" | "x-gzip" => {
            if !body.starts_with(&[0x1f, 0x8b]) {
                return Ok(None);
            }
            MultiGzDecoder::new(body).take(cap).read_to_end(&mut out)
        }
        "deflate" => {
            // HTTP `deflate` is zlib-wrapped, but some servers send raw deflate.
            let zlib = ZlibDecoder::new(body).take(cap).read_to_end(&mut out);
            if zlib.is_err() {
                out.clear();
                DeflateDecoder::new(body).take(cap).read_to_end(&mut out)
            } else {
                zlib
            }
        }
        other => return Err(format!("unsupported Content-Encoding {other}")),
    };
    match res {
        Ok(_) if out.len() as u64 > limits.max_bytes => Err(format!(
            "body larger than {} once decompressed",
            crate::human(limits.max_bytes)
        )),
        Ok(_) => Ok(Some(out)),
        Err(e) => Err(format!("broken {encoding} body ({e})")),
    }
}

/// Decodes an HTML body: a BOM wins, then the HTTP charset when the bytes fit it, then what
/// [`crate::decode`] finds (the page's `<meta charset>`, detection).
fn decode_html(body: &[u8], http_charset: Option<&str>) -> Result<Decoded, crate::ReadError> {
    let mut warnings = Vec::new();
    if Encoding::for_bom(body).is_none()
        && let Some(label) = http_charset
    {
        match Encoding::for_label(label.as_bytes()) {
            Some(enc) if enc != UTF_16LE && enc != UTF_16BE => {
                if let Some(text) = enc.decode_without_bom_handling_and_without_replacement(body) {
                    return Ok(Decoded {
                        text: text.into_owned(),
                        encoding: enc.name().to_string(),
                        warnings,
                    });
                }
                warnings.push(format!("HTTP charset {label} does not fit the bytes"));
            }
            _ => warnings.push(format!("unknown HTTP charset {label}")),
        }
    }
    let mut d = crate::decode(body, Some(Format::Html))?;
    // One warning per page: what the HTTP header got wrong, then what decoding found.
    if let Some(http) = warnings.pop() {
        let found = match d.warnings.pop() {
            Some(w) => w,
            None => format!("read as {}", d.encoding),
        };
        d.warnings = vec![format!("{http}; {found}")];
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_and_charset() {
        assert_eq!(
            dechunk(b"4\r\nRust\r\n3\r\n is\r\n0\r\n\r\n").as_deref(),
            Some(&b"Rust is"[..])
        );
        assert_eq!(dechunk(b"<html>"), None);
        assert_eq!(
            charset("text/html; Charset=\"EUC-KR\"").as_deref(),
            Some("EUC-KR")
        );
        assert_eq!(charset("text/html"), None);
        assert!(is_html_type("TEXT/HTML; charset=utf-8"));
        assert!(!is_html_type("image/jpeg"));
    }
}
