//! Golden tests for HTML cleaning: every `test_data/html/<name>.html` is extracted and compared
//! with `<name>.golden.json` (blocks, removed reasons and texts, metadata). Run with
//! `UPDATE_GOLDEN=1` to rewrite the golden files, then review the diff by eye.
//!
//! Also: property tests that `extract` never panics on random text or random tag soup.

use std::path::{Path, PathBuf};

use dyad_clean::html::{HtmlExtract, extract};
use proptest::prelude::*;
use serde_json::{Value, json};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/html")
}

fn to_json(x: &HtmlExtract) -> Value {
    let m = &x.meta;
    json!({
        "meta": {
            "titles": m.titles,
            "html_title": m.html_title,
            "site_name": m.site_name,
            "published": m.published,
            "modified": m.modified,
            "authors": m.authors,
            "lang": m.lang,
            "canonical": m.canonical,
            "description": m.description,
        },
        "blocks": x.blocks.iter().map(|b| json!({
            "kind": format!("{:?}", b.kind),
            "text": b.text,
        })).collect::<Vec<_>>(),
        "removed": x.removed.iter().map(|r| json!({
            "reason": r.reason,
            "text": r.text,
        })).collect::<Vec<_>>(),
    })
}

#[test]
fn golden_files() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut pages: Vec<PathBuf> = std::fs::read_dir(data_dir())
        .expect("test_data/html exists")
        .map(|e| e.expect("readable dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    pages.sort();
    assert!(
        pages.len() >= 5,
        "expected golden fixtures in {:?}",
        data_dir()
    );
    let mut failures = Vec::new();
    for page in pages {
        let html = std::fs::read_to_string(&page).expect("fixture is UTF-8");
        let got = to_json(&extract(&html));
        let golden = page.with_extension("golden.json");
        if update {
            let text = serde_json::to_string_pretty(&got).expect("serialisable") + "\n";
            std::fs::write(&golden, text).expect("golden file writable");
            continue;
        }
        let want: Value = serde_json::from_str(
            &std::fs::read_to_string(&golden)
                .unwrap_or_else(|_| panic!("missing {golden:?}; run with UPDATE_GOLDEN=1")),
        )
        .expect("golden file is JSON");
        if got != want {
            failures.push(format!(
                "{}:\n--- want\n{}\n--- got\n{}",
                page.display(),
                serde_json::to_string_pretty(&want).unwrap_or_default(),
                serde_json::to_string_pretty(&got).unwrap_or_default()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn empty_and_trivial_inputs() {
    for input in [
        "",
        " ",
        "<",
        "<html>",
        "</p>",
        "<!-- only a comment -->",
        "plain text, no tags",
    ] {
        let x = extract(input);
        assert!(x.removed.iter().all(|r| !r.text.is_empty()));
        assert!(x.blocks.iter().all(|b| !b.text.trim().is_empty()));
    }
    let x = extract("plain text, no tags at all but long enough to be a paragraph of content");
    assert_eq!(x.blocks.len(), 1);
}

#[test]
fn removed_texts_are_capped() {
    let nav = "<a href=\"/x\">section link</a> ".repeat(200);
    let html = format!(
        "<html><body><nav>{nav}</nav><article><p>{}</p></article></body></html>",
        "A sentence of article text, with a comma. ".repeat(20)
    );
    let x = extract(&html);
    let nav = x
        .removed
        .iter()
        .find(|r| r.reason == "navigation")
        .expect("navigation recorded");
    assert!(nav.text.chars().count() <= 500);
    assert_eq!(x.blocks.len(), 1);
}

const TAGS: &[&str] = &[
    "html",
    "head",
    "body",
    "div",
    "p",
    "span",
    "a",
    "br",
    "h1",
    "h2",
    "ul",
    "ol",
    "li",
    "table",
    "tr",
    "td",
    "th",
    "pre",
    "blockquote",
    "article",
    "main",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "script",
    "style",
    "title",
    "meta",
    "time",
    "figure",
    "figcaption",
    "b",
    "i",
    "section",
    "template",
    "svg",
    "noscript",
    "select",
    "option",
    "textarea",
    "iframe",
];

const ATTRS: &[&str] = &[
    "",
    " class=\"ad\"",
    " class=\"related-stories\"",
    " class=\"byline\"",
    " class=\"date\"",
    " class=\"comment-list\"",
    " id=\"content\"",
    " itemprop=\"articleBody\"",
    " role=\"navigation\"",
    " hidden",
    " style=\"display:none\"",
    " property=\"og:title\" content=\"T\"",
    " type=\"application/ld+json\"",
    " datetime=\"2025-01-01\"",
    " rel=\"author\"",
];

const TEXTS: &[&str] = &[
    "",
    "Advertisement",
    "By Dana Whitfield",
    "November 14, 2025 10:05 AM",
    "홍길동 기자",
    "기사입력 2025.12.02. 오후 10:41",
    "Some text, with commas, and more words in it.",
    "{\"@type\": \"NewsArticle\", \"headline\": [1, {\"a\": null}]}",
    "관련 기사",
    "Leave a Reply",
    "© 2025",
    "\u{0}\u{feff}\r\n\t",
];

fn soup_piece() -> impl Strategy<Value = String> {
    (0..TAGS.len(), 0..ATTRS.len(), 0..TEXTS.len(), 0u8..5).prop_map(|(t, a, x, shape)| {
        let (tag, attr, text) = (TAGS[t], ATTRS[a], TEXTS[x]);
        match shape {
            0 => format!("<{tag}{attr}>{text}"),
            1 => format!("</{tag}>{text}"),
            2 => format!("<{tag}{attr}>{text}</{tag}>"),
            3 => format!("<{tag}{attr}/>"),
            _ => text.to_string(),
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn never_panics_on_random_text(s in ".{0,400}") {
        let x = extract(&s);
        prop_assert!(x.blocks.iter().all(|b| !b.text.trim().is_empty()));
    }

    #[test]
    fn never_panics_on_tag_soup(pieces in prop::collection::vec(soup_piece(), 0..80)) {
        let html = pieces.concat();
        let x = extract(&html);
        prop_assert!(x.blocks.iter().all(|b| !b.text.trim().is_empty()));
        prop_assert!(x.removed.iter().all(|r| !r.text.is_empty() && r.text.chars().count() <= 500));
    }

    #[test]
    fn never_panics_on_random_markup_chars(s in "[<>/a-z =\"'!-]{0,300}") {
        let _ = extract(&s);
    }
}
