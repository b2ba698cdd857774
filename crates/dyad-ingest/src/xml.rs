//! Shared XML plumbing for feeds and sitemaps: decoding by the XML declaration, telling a feed
//! from a sitemap, and a tolerant event walk that reports how the document ended.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};
use quick_xml::errors::Error as XmlError;
use quick_xml::events::Event;
use quick_xml::reader::Reader;

use crate::containers::ContainerKind;

/// XML bytes as UTF-8 text for quick-xml: a BOM wins, then UTF-16 recognised by its zero
/// bytes, then the declaration's `encoding`, then UTF-8 when the bytes are valid UTF-8, then a
/// detected legacy encoding, and last UTF-8 with invalid sequences replaced. The declaration is
/// rewritten to say UTF-8 (what the text now is), so that no parser decodes it a second time.
/// Returns the text and the encoding the bytes were in.
pub(crate) fn decode(bytes: &[u8]) -> (String, &'static Encoding) {
    let (enc, body) = match Encoding::for_bom(bytes) {
        Some((enc, bom)) => (enc, &bytes[bom..]),
        None => (choose(bytes), bytes),
    };
    let (text, _) = enc.decode_without_bom_handling(body);
    (utf8_declaration(text.into_owned()), enc)
}

fn choose(bytes: &[u8]) -> &'static Encoding {
    if let Some(enc) = crate::decode::utf16_without_bom(bytes) {
        return enc;
    }
    if let Some(enc) = declared_encoding(bytes) {
        return enc;
    }
    if std::str::from_utf8(bytes).is_ok() {
        return UTF_8;
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = detector.guess(None, chardetng::Utf8Detection::Deny);
    let (_, errors) = guess.decode_without_bom_handling(bytes);
    if errors { UTF_8 } else { guess }
}

/// The text with its XML declaration (if any) rewritten as `<?xml version="1.0"
/// encoding="UTF-8"?>`. NUL characters, which XML forbids, become U+FFFD.
fn utf8_declaration(mut text: String) -> String {
    if text.contains('\0') {
        text = text.replace('\0', "\u{FFFD}");
    }
    let start = text.len() - text.trim_start().len();
    if !text[start..].starts_with("<?xml")
        || text[start + 5..]
            .chars()
            .next()
            .is_some_and(|c| !c.is_whitespace() && c != '?')
    {
        return text;
    }
    let Some(end) = text[start..].find("?>") else {
        return text;
    };
    let decl = &text[start..start + end];
    if !decl.contains("encoding") {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..start]);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"");
    out.push_str(&text[start + end..]);
    out
}

/// The `encoding` of an `<?xml ...?>` declaration at the start.
fn declared_encoding(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(256)];
    let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
    let head = &head[start..];
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = &head[..end];
    let at = decl.windows(8).position(|w| w == b"encoding")? + 8;
    let rest = decl[at..]
        .trim_ascii_start()
        .strip_prefix(b"=")?
        .trim_ascii_start();
    let quote = *rest.first()?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let label = &rest[1..];
    let label = &label[..label.iter().position(|b| *b == quote)?];
    let enc = Encoding::for_label(label)?;
    // Bytes read as ASCII-compatible cannot really be UTF-16.
    Some(if enc == UTF_16LE || enc == UTF_16BE {
        UTF_8
    } else {
        enc
    })
}

/// Feed or sitemap, by the root element of XML content.
pub(crate) fn sniff(bytes: &[u8]) -> Option<ContainerKind> {
    // The root comes after the declaration, comments and a doctype: 64 KiB is plenty.
    let (text, _) = decode(&bytes[..bytes.len().min(65536)]);
    let mut reader = Reader::from_str(&text);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                let name = e.local_name();
                return match name.as_ref() {
                    "rss" | "feed" | "RDF" | "channel" => Some(ContainerKind::Feed),
                    "urlset" | "sitemapindex" => Some(ContainerKind::Sitemap),
                    _ => None,
                };
            }
            Ok(Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// How a walk over a document ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum End {
    /// The root element closed.
    Complete,
    /// The input stops inside an element or a tag.
    Truncated,
    /// The XML is ill-formed before its end.
    Broken(String),
}

/// A streaming walk over XML that keeps the path of open elements (local names) and hands
/// text to the caller, tolerating raw `&` and stopping at the first error.
pub(crate) struct Walk<'a> {
    reader: Reader<&'a [u8]>,
    /// Local names of the open elements, root first.
    pub path: Vec<String>,
    saw_root: bool,
    /// The innermost element closed in the last step: pop it before the next.
    pop_next: bool,
}

/// One step of a [`Walk`].
pub(crate) enum Step<'a> {
    /// An element opened (it is now last in `path`). An empty element (`<x/>`) gets no
    /// `Close`: it is popped before the next step.
    Open { attrs: Vec<(String, String)> },
    /// The element last in `path` is about to close; it is popped after this step.
    Close,
    /// Text inside the element last in `path` (entities resolved, CDATA unwrapped).
    Text(Cow<'a, str>),
    /// The walk is over.
    Done(End),
}

impl<'a> Walk<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let mut reader = Reader::from_str(text);
        let config = reader.config_mut();
        config.allow_dangling_amp = true;
        config.check_end_names = true;
        Walk {
            reader,
            path: Vec::new(),
            saw_root: false,
            pop_next: false,
        }
    }

    /// The local name of the open element `up` levels above the innermost (0 = innermost).
    pub(crate) fn at(&self, up: usize) -> &str {
        self.path
            .len()
            .checked_sub(up + 1)
            .and_then(|i| self.path.get(i))
            .map_or("", String::as_str)
    }

    pub(crate) fn next_step(&mut self) -> Step<'a> {
        if std::mem::take(&mut self.pop_next) {
            self.path.pop();
        }
        loop {
            let event = match self.reader.read_event() {
                Ok(e) => e,
                Err(e) => return Step::Done(self.ended_by(e)),
            };
            match event {
                Event::Start(e) => {
                    self.saw_root = true;
                    self.path.push(e.local_name().as_ref().to_string());
                    return Step::Open {
                        attrs: attributes(&e),
                    };
                }
                Event::Empty(e) => {
                    self.saw_root = true;
                    self.path.push(e.local_name().as_ref().to_string());
                    self.pop_next = true;
                    return Step::Open {
                        attrs: attributes(&e),
                    };
                }
                Event::End(_) => {
                    self.pop_next = true;
                    return Step::Close;
                }
                Event::Text(t) => return Step::Text(t.xml10_content()),
                Event::CData(c) => return Step::Text(c.into_inner()),
                Event::GeneralRef(r) => {
                    let resolved = match r.resolve_char_ref() {
                        Ok(Some(c)) => Cow::Owned(c.to_string()),
                        Ok(None) => match quick_xml::escape::resolve_predefined_entity(&r) {
                            Some(s) => Cow::Borrowed(s),
                            None => Cow::Owned(format!("&{};", &*r)),
                        },
                        Err(_) => Cow::Owned(format!("&{};", &*r)),
                    };
                    return Step::Text(resolved);
                }
                Event::Eof => {
                    let end = if !self.saw_root {
                        End::Broken("no root element".into())
                    } else if self.path.is_empty() {
                        End::Complete
                    } else {
                        End::Truncated
                    };
                    return Step::Done(end);
                }
                _ => {}
            }
        }
    }

    fn ended_by(&self, e: XmlError) -> End {
        match e {
            // Every syntax error is a construct left open at the end of the input.
            XmlError::Syntax(_) => End::Truncated,
            other => End::Broken(other.to_string()),
        }
    }
}

fn attributes(e: &quick_xml::events::BytesStart<'_>) -> Vec<(String, String)> {
    e.html_attributes()
        .filter_map(Result::ok)
        .map(|a| {
            let key = a.key.local_name().as_ref().to_string();
            let value = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(Cow::into_owned)
                .unwrap_or_else(|_| a.value.into_owned());
            (key, value)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(text: &str) -> (Vec<String>, End) {
        let mut w = Walk::new(text);
        let mut texts = Vec::new();
        loop {
            match w.next_step() {
                Step::Text(t) => texts.push(t.into_owned()),
                Step::Done(end) => return (texts, end),
                _ => {}
            }
        }
    }

    #[test]
    fn ends() {
        assert_eq!(walk("<a><b>x &amp; y</b></a>").1, End::Complete);
        assert_eq!(walk("<a><b>x</b>").1, End::Truncated);
        assert_eq!(walk("<a><b>x</b><c att").1, End::Truncated);
        assert!(matches!(walk("<a><b>x</c></a>").1, End::Broken(_)));
        assert!(matches!(walk("just text").1, End::Broken(_)));
        let (texts, _) = walk("<a>x &amp; y &#48; <![CDATA[<p>]]> a & b</a>");
        assert_eq!(texts.concat(), "x & y 0 <p> a & b");
    }

    #[test]
    fn encodings_and_roots() {
        let (bytes, _, _) = encoding_rs::EUC_KR.encode(
            "<?xml version=\"1.0\" encoding=\"euc-kr\"?><rss version=\"2.0\"><channel><title>속보</title></channel></rss>",
        );
        let (text, enc) = decode(&bytes);
        assert_eq!(enc, encoding_rs::EUC_KR);
        assert!(text.contains("속보"));
        assert_eq!(sniff(&bytes), Some(ContainerKind::Feed));
        assert_eq!(
            sniff(b"<?xml version='1.0'?><!-- x --><urlset xmlns='x'></urlset>"),
            Some(ContainerKind::Sitemap)
        );
        assert_eq!(sniff(b"<html><body></body></html>"), None);
    }
}
