//! Bytes to Unicode: byte-order marks, declared charsets, detection of undeclared legacy
//! encodings (EUC-KR/CP949, Shift_JIS, GBK, windows-1252, ...), and invalid UTF-8.

use dyad_model::Format;
use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};

use crate::ReadError;

/// Text decoded from bytes, with the encoding used and what went wrong on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    pub encoding: String,
    pub warnings: Vec<String>,
}

/// Decodes bytes: a BOM wins, then a charset declared in HTML (when it decodes cleanly), then
/// valid UTF-8, then a detected legacy encoding; failing all, UTF-8 with replacement characters.
/// Binary data is an error; a few stray NUL bytes in a text or a page are replaced with U+FFFD,
/// as browsers do.
///
/// Whatever went wrong is told in **one** warning (at most one per input), so that a page never
/// gets two messages about its encoding that contradict each other.
pub fn decode(bytes: &[u8], format: Option<Format>) -> Result<Decoded, ReadError> {
    let (enc, body, note) = choose(bytes, format)?;
    let (text, had_errors) = enc.decode_without_bom_handling(body);
    let mut parts: Vec<String> = note.into_iter().collect();
    if had_errors && !parts.iter().any(|w| w.contains("U+FFFD")) {
        parts.push(format!(
            "some bytes are not valid {}; replaced with U+FFFD",
            enc.name()
        ));
    }
    let nuls = text.bytes().filter(|&b| b == 0).count();
    let text = if nuls > 0 {
        parts.push(format!("{nuls} NUL byte(s) replaced with U+FFFD"));
        text.replace('\0', "\u{FFFD}")
    } else {
        text.into_owned()
    };
    Ok(Decoded {
        text,
        encoding: enc.name().to_string(),
        warnings: if parts.is_empty() {
            Vec::new()
        } else {
            vec![parts.join("; ")]
        },
    })
}

/// The encoding to read `bytes` with, the bytes to decode (after a BOM), and what to tell about
/// the choice.
fn choose(
    bytes: &[u8],
    format: Option<Format>,
) -> Result<(&'static Encoding, &[u8], Option<String>), ReadError> {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return Ok((enc, &bytes[bom_len..], None));
    }
    if let Some(enc) = utf16_without_bom(bytes) {
        let warn = format!("no byte-order mark; read as {}", enc.name());
        return Ok((enc, bytes, Some(warn)));
    }
    if let Some(why) = binary(bytes) {
        return Err(ReadError::Binary(why));
    }
    // A declared charset that does not fit the bytes, to be told once with what was done.
    let mut misfit = None;
    if format != Some(Format::Text)
        && let Some(enc) = declared_charset(bytes)
    {
        let (_, had_errors) = enc.decode_without_bom_handling(bytes);
        if !had_errors {
            return Ok((enc, bytes, None));
        }
        misfit = Some(enc.name());
    }
    let tell = |what: String| -> String {
        match misfit {
            Some(declared) => format!("declared charset {declared} does not fit the bytes; {what}"),
            None => what,
        }
    };
    if std::str::from_utf8(bytes).is_ok() {
        return Ok((UTF_8, bytes, misfit.map(|_| tell("read as UTF-8".into()))));
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = detector.guess(None, chardetng::Utf8Detection::Deny);
    let (_, guess_errors) = guess.decode_without_bom_handling(bytes);
    let utf8_errors = count_invalid_utf8(bytes);
    // A legacy encoding that decodes every byte is believed, unless the bytes hold valid UTF-8
    // characters beyond ASCII as well: then they are UTF-8 with a few broken sequences, which a
    // single-byte encoding would turn into mojibake.
    let utf8_chars = String::from_utf8_lossy(bytes)
        .chars()
        .filter(|&c| !c.is_ascii() && c != '\u{FFFD}')
        .count();
    let mostly_utf8 = utf8_chars > 0 && utf8_chars * 4 >= utf8_errors;
    if !guess_errors && (!is_single_byte(guess) || !mostly_utf8) {
        let what = match misfit {
            Some(_) => format!("detected {}", guess.name()),
            None => format!("encoding not declared; detected {}", guess.name()),
        };
        return Ok((guess, bytes, Some(tell(what))));
    }
    let what = format!("invalid UTF-8: {utf8_errors} byte sequence(s) replaced with U+FFFD");
    Ok((UTF_8, bytes, Some(tell(what))))
}

fn is_single_byte(enc: &'static Encoding) -> bool {
    enc.is_single_byte()
}

fn count_invalid_utf8(mut bytes: &[u8]) -> usize {
    let mut n = 0;
    loop {
        match std::str::from_utf8(bytes) {
            Ok(_) => return n,
            Err(e) => {
                n += 1;
                let skip = e.valid_up_to() + e.error_len().unwrap_or(bytes.len() - e.valid_up_to());
                bytes = &bytes[skip.min(bytes.len())..];
            }
        }
    }
}

/// UTF-16 without a BOM shows as a zero in every other byte of ASCII-range text.
pub(crate) fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(1024) & !1];
    if sample.len() < 16 {
        return None;
    }
    let pairs = sample.len() / 2;
    let even_zero = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd_zero = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|&&b| b == 0)
        .count();
    if odd_zero * 10 > pairs * 7 && even_zero * 20 < pairs {
        Some(UTF_16LE)
    } else if even_zero * 10 > pairs * 7 && odd_zero * 20 < pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Why bytes look binary: the signature of a binary format, or NUL and other control bytes
/// making up more than a sliver of the first 8 KiB. A few stray NUL bytes in a text or a page
/// do not make it binary (browsers show such pages; the NULs become U+FFFD).
fn binary(bytes: &[u8]) -> Option<String> {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF87a", "a GIF image"),
        (b"GIF89a", "a GIF image"),
        (b"%PDF-", "a PDF document"),
        (b"PK\x03\x04", "a ZIP archive"),
        (b"\x7FELF", "an executable"),
        (b"\x28\xB5\x2F\xFD", "a Zstandard stream"),
        (b"\xFD7zXZ\x00", "an XZ stream"),
        (b"7z\xBC\xAF\x27\x1C", "a 7-Zip archive"),
        (b"\x00asm", "WebAssembly"),
        (b"SQLite format 3\x00", "an SQLite database"),
    ];
    if let Some((_, what)) = SIGNATURES.iter().find(|(sig, _)| bytes.starts_with(sig)) {
        return Some(format!("{what}, not a text or a page"));
    }
    let sample = &bytes[..bytes.len().min(8192)];
    let nuls = sample.iter().filter(|&&b| b == 0).count();
    // Dozens of NULs, more than one byte in a hundred: no text has that many by accident.
    if nuls > 16 && nuls * 100 > sample.len() {
        return Some(format!(
            "contains NUL bytes ({nuls} in the first {} bytes)",
            sample.len()
        ));
    }
    let controls = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b))
        .count();
    if controls * 20 > sample.len() {
        return Some(format!(
            "{controls} control bytes in the first {}",
            sample.len()
        ));
    }
    None
}

/// The charset an HTML page declares in its first 4 KiB (`<meta charset>` or http-equiv).
fn declared_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let lower: Vec<u8> = head.iter().map(|b| b.to_ascii_lowercase()).collect();
    let mut from = 0;
    while let Some(pos) = find(&lower[from..], b"charset") {
        let mut i = from + pos + b"charset".len();
        from = i;
        while i < lower.len() && matches!(lower[i], b' ' | b'\t') {
            i += 1;
        }
        if lower.get(i) != Some(&b'=') {
            continue;
        }
        i += 1;
        while i < lower.len() && matches!(lower[i], b' ' | b'"' | b'\'') {
            i += 1;
        }
        let start = i;
        while i < lower.len()
            && (lower[i].is_ascii_alphanumeric() || matches!(lower[i], b'-' | b'_' | b':' | b'.'))
        {
            i += 1;
        }
        if let Some(enc) = Encoding::for_label(&lower[start..i]) {
            // A page that claims UTF-16 while being read as bytes is really ASCII-compatible.
            return Some(if enc == UTF_16LE || enc == UTF_16BE {
                UTF_8
            } else {
                enc
            });
        }
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const KO: &str = "이재명 대통령은 29일 경주에서 도널드 트럼프 미국 대통령과 정상회담을 했다. 양국은 관세 협상을 타결했다.";

    #[test]
    fn utf8_plain_and_with_bom() {
        let d = decode(KO.as_bytes(), None).expect("utf-8");
        assert_eq!((d.text.as_str(), d.encoding.as_str()), (KO, "UTF-8"));
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend_from_slice(KO.as_bytes());
        assert_eq!(decode(&b, None).expect("bom").text, KO);
    }

    #[test]
    fn utf16_with_and_without_bom() {
        for (enc, bom) in [(UTF_16LE, [0xFF, 0xFE]), (UTF_16BE, [0xFE, 0xFF])] {
            let units: Vec<u16> = KO.encode_utf16().collect();
            let body: Vec<u8> = units
                .iter()
                .flat_map(|u| {
                    if enc == UTF_16LE {
                        u.to_le_bytes()
                    } else {
                        u.to_be_bytes()
                    }
                })
                .collect();
            let mut with_bom = bom.to_vec();
            with_bom.extend_from_slice(&body);
            let d = decode(&with_bom, None).expect("utf-16 with BOM");
            assert_eq!(d.text, KO);
            assert_eq!(d.encoding, enc.name());
            let ascii: Vec<u8> = "Summit in Gyeongju ends with a deal on tariffs."
                .encode_utf16()
                .flat_map(|u| {
                    if enc == UTF_16LE {
                        u.to_le_bytes()
                    } else {
                        u.to_be_bytes()
                    }
                })
                .collect();
            let d = decode(&ascii, None).expect("utf-16 without BOM");
            assert!(d.text.starts_with("Summit in Gyeongju"), "{}", d.text);
        }
    }

    #[test]
    fn euc_kr_declared_and_undeclared() {
        let (bytes, _, _) = encoding_rs::EUC_KR.encode(KO);
        let d = decode(&bytes, Some(Format::Text)).expect("euc-kr");
        assert_eq!(d.text, KO);
        assert_eq!(d.encoding, "EUC-KR");
        assert!(d.warnings[0].contains("detected EUC-KR"));
        let page =
            format!("<html><head><meta charset=\"euc-kr\"></head><body><p>{KO}</p></body></html>");
        let (bytes, _, _) = encoding_rs::EUC_KR.encode(&page);
        let d = decode(&bytes, Some(Format::Html)).expect("declared euc-kr");
        assert_eq!(d.text, page);
        assert!(d.warnings.is_empty());
    }

    #[test]
    fn wrong_declaration_is_overridden() {
        let page = format!(
            "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=iso-8859-1\"><p>{KO}</p>"
        );
        let d = decode(page.as_bytes(), Some(Format::Html)).expect("decodes");
        // windows-1252 decodes any byte, so the declaration wins: that is what browsers do too.
        assert_eq!(d.encoding, "windows-1252");
        let page = format!("<meta charset=\"shift_jis\"><p>{KO}</p>");
        let d = decode(page.as_bytes(), Some(Format::Html)).expect("decodes");
        assert_eq!(
            d.text, page,
            "bytes that do not fit Shift_JIS fall back to UTF-8"
        );
    }

    #[test]
    fn invalid_utf8_is_replaced_with_a_warning() {
        let mut b = "The summit in Gyeongju — a deal on tariffs. "
            .repeat(20)
            .into_bytes();
        b.extend_from_slice(&[0xFF, 0xFE, 0xFD]);
        b.extend_from_slice(" 정상회담 ended.".as_bytes());
        let d = decode(&b, None).expect("lossy");
        assert_eq!(d.encoding, "UTF-8");
        assert!(d.text.contains('\u{FFFD}') && d.text.contains("정상회담"));
        assert!(
            d.warnings.iter().any(|w| w.contains("invalid UTF-8")),
            "{:?}",
            d.warnings
        );
    }

    /// Issue 15: a few stray NUL bytes made a valid page "binary" and refused; browsers show
    /// it with U+FFFD in their place.
    #[test]
    fn regression_stray_nul_bytes_made_a_page_binary() {
        let page = format!("<html><body><p>{KO}\0</p><p>Second\0 paragraph\0.</p></body></html>");
        let d = decode(page.as_bytes(), Some(Format::Html)).expect("a page with stray NULs");
        assert_eq!(d.text, page.replace('\0', "\u{FFFD}"));
        assert_eq!(d.warnings.len(), 1, "{:?}", d.warnings);
        assert!(d.warnings[0].contains("3 NUL byte(s)"), "{:?}", d.warnings);
        // Real binary files are still refused.
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(
            b"some text-looking bytes after the header "
                .repeat(50)
                .as_slice(),
        );
        assert!(matches!(decode(&png, None), Err(ReadError::Binary(_))));
        let mut mostly_text = "plain words ".repeat(100).into_bytes();
        mostly_text.extend(std::iter::repeat_n(0u8, 40));
        assert!(matches!(
            decode(&mostly_text, None),
            Err(ReadError::Binary(_))
        ));
    }

    /// Issue 15: a page declaring a charset its bytes do not fit got two warnings that
    /// contradicted each other ("declared charset ... detecting instead", then "encoding not
    /// declared; detected ..."). It now gets one.
    #[test]
    fn regression_two_contradictory_encoding_warnings() {
        let page = format!("<meta charset=\"utf-8\"><p>{KO}</p><p>{KO}</p>");
        let (bytes, _, _) = encoding_rs::EUC_KR.encode(&page);
        let d = decode(&bytes, Some(Format::Html)).expect("decodes");
        assert_eq!(d.encoding, "EUC-KR");
        assert_eq!(d.text, page);
        assert_eq!(
            d.warnings,
            ["declared charset UTF-8 does not fit the bytes; detected EUC-KR"]
        );
        // Declared, misfit, and broken UTF-8 besides: still one warning.
        let mut b = "<meta charset=\"shift_jis\"><p>정상회담 "
            .repeat(30)
            .into_bytes();
        b.extend_from_slice(&[0xFF, 0xFE, 0xFD, 0x80]);
        let d = decode(&b, Some(Format::Html)).expect("decodes");
        assert_eq!(d.warnings.len(), 1, "{:?}", d.warnings);
    }

    proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            for format in [None, Some(Format::Html), Some(Format::Text)] {
                if let Ok(d) = decode(&bytes, format) {
                    prop_assert!(d.warnings.len() <= 1, "{:?}", d.warnings);
                    prop_assert!(!d.text.contains('\0'));
                }
            }
        }

        #[test]
        fn valid_utf8_text_roundtrips(s in "[a-zA-Z0-9 .,가-힣\n]{1,400}") {
            let d = decode(s.as_bytes(), Some(Format::Text)).expect("text decodes");
            prop_assert_eq!(d.text, s);
        }
    }
}
