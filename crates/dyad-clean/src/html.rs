//! HTML cleaning: the main text of a web page as ordered blocks, its metadata, and a record of
//! the boilerplate that was dropped.
//!
//! The page is parsed by [`crate::parse`] and flattened once into an arena in document
//! order, so every subtree is a contiguous index range. All later passes (statistics,
//! boilerplate classification, readability-style scoring, emission) are linear in the number
//! of nodes: statistics are computed bottom-up in one reverse sweep, classifications top-down
//! in one forward sweep.
//!
//! Steps:
//! 1. Metadata from `<meta>`, `<link>`, `<title>`, JSON-LD and microdata.
//! 2. Invisible things (scripts, styles, templates, `noframes`, form controls other than
//!    buttons, hidden elements...) are dropped silently; visible boilerplate (navigation, footers, cookie banners, share bars, related
//!    links, adverts, comments...) is recognised by tag, role and class/id tokens and recorded.
//! 3. The main content container is chosen by scoring paragraphs and propagating the scores to
//!    their ancestors (text length, commas, link density, positive/negative class hints), then
//!    siblings that look like article content are added.
//! 4. The chosen containers are walked in document order into blocks; link lists, the title
//!    heading, bylines and datelines are left out and recorded.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use crate::parse::{self, ElRef, PKind, Parsed};
use aho_corasick::AhoCorasick;
use dyad_model::Removed;
use regex::Regex;

/// The kind of a block of main text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockKind {
    Heading,
    Paragraph,
    ListItem,
    Quote,
    Preformatted,
    TableRow,
}

/// One block of main text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub kind: BlockKind,
    pub text: String,
}

/// Metadata found in a page. Values are raw strings, in priority order, deduplicated.
#[derive(Debug, Clone, Default)]
pub struct HtmlMeta {
    /// Title candidates: og:title, twitter:title, JSON-LD headline, first `<h1>` of the main
    /// content, `<title>`.
    pub titles: Vec<String>,
    /// The raw `<title>`.
    pub html_title: Option<String>,
    /// og:site_name, else JSON-LD publisher.name, else application-name.
    pub site_name: Option<String>,
    /// Raw publication dates: declared metadata first, then `<time datetime>`, then visible
    /// datelines.
    pub published: Vec<String>,
    /// Raw modification dates.
    pub modified: Vec<String>,
    /// Raw author strings (meta, JSON-LD, rel=author, byline elements).
    pub authors: Vec<String>,
    pub lang: Option<String>,
    pub canonical: Option<String>,
    pub description: Option<String>,
}

/// What [`extract`] found in a page.
#[derive(Debug, Clone, Default)]
pub struct HtmlExtract {
    pub meta: HtmlMeta,
    pub blocks: Vec<Block>,
    pub removed: Vec<Removed>,
}

/// Extracts metadata and main text from an HTML page. Never panics; linear in the input size.
pub fn extract(html: &str) -> HtmlExtract {
    let doc = parse::parse(html);
    let mut raw = RawMeta::default();
    let mut dom = Dom::build(&doc, &mut raw);
    dom.prepare();
    let meta_titles = raw.meta_titles();
    let site_name = raw.site_name();
    dom.title_h1 = dom.find_title_h1(&raw.h1s, &meta_titles, site_name.as_deref());
    dom.title_keys = meta_titles.iter().map(|t| norm_key(t)).collect();

    let mut sel = dom.select(true);
    if sel.text_len < 250 {
        let other = dom.select(false);
        if other.text_len > sel.text_len * 2 {
            sel = other;
        }
    }
    dom.finish(sel, &raw, meta_titles, site_name)
}

// ---------------------------------------------------------------------------------------------
// Reasons

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Reason {
    Navigation,
    Header,
    Footer,
    Cookie,
    Share,
    Newsletter,
    Related,
    Advert,
    Comments,
    AuthorPromo,
    Sidebar,
    Caption,
    Byline,
    Dateline,
    Title,
}

impl Reason {
    fn as_str(self) -> &'static str {
        match self {
            Reason::Navigation => "navigation",
            Reason::Header => "header",
            Reason::Footer => "footer",
            Reason::Cookie => "cookie banner",
            Reason::Share => "share bar",
            Reason::Newsletter => "newsletter form",
            Reason::Related => "related links",
            Reason::Advert => "advert",
            Reason::Comments => "comments",
            Reason::AuthorPromo => "author promo",
            Reason::Sidebar => "sidebar",
            Reason::Caption => "caption",
            Reason::Byline => "byline",
            Reason::Dateline => "dateline",
            Reason::Title => "title",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Tags

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Root,
    Text,
    Html,
    Body,
    Article,
    Main,
    Section,
    Div,
    P,
    H(u8),
    Li,
    Ul,
    Ol,
    Dl,
    Dt,
    Dd,
    Blockquote,
    Pre,
    Table,
    Tr,
    Td,
    Th,
    A,
    Br,
    Header,
    Footer,
    Nav,
    Aside,
    Form,
    Figure,
    Figcaption,
    Time,
    Address,
    Hr,
    /// Another block-level element.
    Block,
    /// Another inline element.
    Inline,
}

impl Tag {
    fn from_name(name: &str) -> Tag {
        match name {
            "html" => Tag::Html,
            "body" => Tag::Body,
            "article" => Tag::Article,
            "main" => Tag::Main,
            "section" => Tag::Section,
            "div" => Tag::Div,
            "p" => Tag::P,
            "h1" => Tag::H(1),
            "h2" => Tag::H(2),
            "h3" => Tag::H(3),
            "h4" => Tag::H(4),
            "h5" => Tag::H(5),
            "h6" => Tag::H(6),
            "li" => Tag::Li,
            "ul" | "menu" => Tag::Ul,
            "ol" => Tag::Ol,
            "dl" => Tag::Dl,
            "dt" => Tag::Dt,
            "dd" => Tag::Dd,
            "blockquote" => Tag::Blockquote,
            "pre" | "listing" | "xmp" | "plaintext" => Tag::Pre,
            "table" => Tag::Table,
            "tr" => Tag::Tr,
            "td" => Tag::Td,
            "th" => Tag::Th,
            "a" => Tag::A,
            "br" => Tag::Br,
            "header" => Tag::Header,
            "footer" => Tag::Footer,
            "nav" => Tag::Nav,
            "aside" => Tag::Aside,
            "form" => Tag::Form,
            "figure" => Tag::Figure,
            "figcaption" => Tag::Figcaption,
            "time" => Tag::Time,
            "address" => Tag::Address,
            "hr" => Tag::Hr,
            "head" | "center" | "details" | "summary" | "fieldset" | "legend" | "hgroup"
            | "dialog" | "tbody" | "thead" | "tfoot" | "caption" | "colgroup" | "frameset"
            | "search" => Tag::Block,
            _ => Tag::Inline,
        }
    }

    fn is_block(self) -> bool {
        !matches!(
            self,
            Tag::Inline | Tag::A | Tag::Br | Tag::Time | Tag::Text | Tag::Root
        )
    }

    fn is_heading(self) -> bool {
        matches!(self, Tag::H(_))
    }
}

/// Elements whose content is never visible text: dropped silently with their subtree.
fn is_silent_name(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "noframes"
            | "noembed"
            | "template"
            | "iframe"
            | "svg"
            | "math"
            | "select"
            | "option"
            | "optgroup"
            | "input"
            | "textarea"
            | "canvas"
            | "object"
            | "embed"
            | "audio"
            | "video"
            | "source"
            | "track"
            | "map"
            | "area"
            | "title"
            | "meta"
            | "link"
            | "base"
            | "datalist"
            | "param"
            | "frame"
            | "applet"
            | "img"
            | "picture"
    )
}

fn is_hidden(el: ElRef<'_>) -> bool {
    if el.attr("hidden").is_some() {
        return true;
    }
    if let Some(style) = el.attr("style") {
        let compact: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if compact.contains("display:none") || compact.contains("visibility:hidden") {
            return true;
        }
    }
    false
}

// ---------------------------------------------------------------------------------------------
// Class, id and role hints

#[derive(Debug, Clone, Copy, Default)]
struct ClassInfo {
    /// A boilerplate reason that holds even when positive tokens are present.
    strong: Option<Reason>,
    /// A boilerplate reason that positive tokens (article, content, ...) override.
    weak: Option<Reason>,
    /// A reason given by the ARIA role.
    role: Option<Reason>,
    positive: bool,
    /// Screen-reader-only text.
    sr_only: bool,
    byline: bool,
    date_hint: bool,
    /// `itemprop=articleBody`, `role=main`, `role=article`.
    main_like: bool,
    weight: i32,
}

/// Words of class and id attributes, split on separators, camelCase and letter/digit
/// boundaries, lowercased, in one reused buffer; whether a whole token names screen-reader
/// text.
#[derive(Default)]
struct Words {
    /// The words, each followed by a space.
    buf: String,
    spans: Vec<(u32, u32)>,
    sr_only: bool,
    /// Whether any word contains one of [`SUBSTRINGS`].
    any_substring: bool,
    /// Which of [`SUBSTRINGS`] (by index) some word contains.
    found: u128,
    /// Whether any word is in [`CLASS_WORDS`] or [`POSITIVE`].
    any_known: bool,
}

impl Words {
    fn clear(&mut self) {
        self.buf.clear();
        self.spans.clear();
        self.sr_only = false;
        self.any_substring = false;
        self.found = 0;
        self.any_known = false;
    }

    fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        self.spans
            .iter()
            .map(|&(a, b)| &self.buf[a as usize..b as usize])
    }

    /// Call after the last `push_attr`.
    fn finish(&mut self) {
        // Words are separated by spaces, which no substring contains, so the occurrences in
        // the buffer are exactly those inside words.
        self.found = 0;
        match SUBSTRING_AC.as_ref() {
            Some(ac) => {
                for m in ac.find_overlapping_iter(self.buf.as_str()) {
                    self.found |= 1u128 << m.pattern().as_usize();
                }
            }
            None => self.found = u128::MAX,
        }
        self.any_substring = self.found != 0;
        let known = self.iter().any(|w| KNOWN_WORDS.contains(w));
        self.any_known = known;
    }

    fn push_word(&mut self, start: usize) {
        if self.buf.len() > start {
            self.spans.push((start as u32, self.buf.len() as u32));
            self.buf.push(' ');
        }
    }

    fn push_attr(&mut self, value: &str) {
        for tok in value.split_ascii_whitespace() {
            // WordPress and similar add one class per category and tag of a post.
            if ["tag-", "category-", "cat-", "topic-", "term-", "tags-"]
                .iter()
                .any(|p| {
                    tok.as_bytes()
                        .get(..p.len())
                        .is_some_and(|b| b.eq_ignore_ascii_case(p.as_bytes()))
                })
            {
                continue;
            }
            if SR_ONLY.iter().any(|f| tok.eq_ignore_ascii_case(f)) {
                self.sr_only = true;
            }
            let mut start = self.buf.len();
            let mut prev: Option<char> = None;
            for c in tok.chars() {
                if !c.is_alphanumeric() {
                    self.push_word(start);
                    start = self.buf.len();
                    prev = None;
                    continue;
                }
                if let Some(p) = prev {
                    let camel = p.is_lowercase() && c.is_uppercase();
                    let digit = p.is_ascii_digit() != c.is_ascii_digit();
                    if camel || digit {
                        self.push_word(start);
                        start = self.buf.len();
                    }
                }
                if c.is_ascii() {
                    self.buf.push(c.to_ascii_lowercase());
                } else {
                    self.buf.extend(c.to_lowercase());
                }
                prev = Some(c);
            }
            self.push_word(start);
        }
    }

    fn any(&self, list: &[&str]) -> bool {
        debug_assert!(list.iter().all(|p| KNOWN_WORDS.contains(p)), "{list:?}");
        self.any_known && self.iter().any(|w| list.contains(&w))
    }

    fn contains(&self, parts: &[&str]) -> bool {
        debug_assert!(parts.iter().all(|p| SUBSTRINGS.contains(p)), "{parts:?}");
        if !self.any_substring {
            return false;
        }
        parts.iter().any(|p| {
            SUBSTRINGS
                .iter()
                .position(|s| s == p)
                .is_none_or(|k| self.found & (1u128 << k) != 0)
        })
    }

    fn seq(&self, a: &[&str], b: &[&str]) -> bool {
        debug_assert!(
            a.iter().chain(b).all(|p| KNOWN_WORDS.contains(p)),
            "{a:?} {b:?}"
        );
        if !self.any_known {
            return false;
        }
        let mut prev: Option<&str> = None;
        for w in self.iter() {
            if prev.is_some_and(|p| a.contains(&p)) && b.contains(&w) {
                return true;
            }
            prev = Some(w);
        }
        false
    }
}

/// Whole class tokens that mark screen-reader-only text.
const SR_ONLY: &[&str] = &[
    "sr-only",
    "screen-reader-text",
    "screen-reader-only",
    "visually-hidden",
    "visuallyhidden",
    "element-invisible",
    "a11y-hidden",
    "sr_only",
    "screenreader-only",
    "u-visually-hidden",
    "offscreen",
];

/// Every word that [`Words::any`] and [`Words::seq`] are asked about (besides [`POSITIVE`]):
/// a class list with none of them, and none of [`SUBSTRINGS`], says nothing.
const CLASS_WORDS: &[&str] = &[
    "a2a",
    "about",
    "ad",
    "adbox",
    "adcontainer",
    "adholder",
    "ads",
    "adsbygoogle",
    "adsense",
    "adslot",
    "adspace",
    "adunit",
    "adv",
    "advert",
    "advertisement",
    "advertisements",
    "advertising",
    "adverts",
    "adwrapper",
    "adzone",
    "also",
    "anzeige",
    "articles",
    "aside",
    "author",
    "authors",
    "banner",
    "bio",
    "bios",
    "block",
    "bottom",
    "box",
    "breadcrumb",
    "breadcrumbs",
    "byl",
    "byline",
    "bylines",
    "caption",
    "captions",
    "card",
    "carousel",
    "combx",
    "commented",
    "contact",
    "contributor",
    "credit",
    "credits",
    "crumb",
    "crumbs",
    "date",
    "dateline",
    "dates",
    "datetime",
    "desc",
    "description",
    "details",
    "dfp",
    "discussion",
    "doubleclick",
    "eyebrow",
    "figcaption",
    "foot",
    "footnote",
    "from",
    "further",
    "gallery",
    "globalheader",
    "googlead",
    "googleads",
    "header",
    "headerbar",
    "hidden",
    "info",
    "journalist",
    "kicker",
    "leftrail",
    "legenda",
    "lightbox",
    "like",
    "link",
    "links",
    "mainnav",
    "may",
    "media",
    "megamenu",
    "menu",
    "menubar",
    "menus",
    "meta",
    "might",
    "more",
    "most",
    "nav",
    "navbar",
    "navi",
    "navigation",
    "news",
    "next",
    "optin",
    "pager",
    "pagination",
    "patrocinado",
    "popular",
    "posted",
    "posts",
    "profile",
    "promo",
    "promos",
    "promoted",
    "promotion",
    "pubblicita",
    "pubdate",
    "publication",
    "publicidad",
    "publicidade",
    "publish",
    "published",
    "rail",
    "read",
    "reading",
    "reklama",
    "replies",
    "reply",
    "reporter",
    "reporters",
    "respond",
    "rightrail",
    "scroll",
    "shared",
    "shopping",
    "shoutbox",
    "sidebar",
    "sidebars",
    "sidecol",
    "sign",
    "signup",
    "siteheader",
    "sitenav",
    "skip",
    "skiplink",
    "skiplinks",
    "skyscraper",
    "slideshow",
    "sns",
    "sponsor",
    "sponsored",
    "sponsors",
    "sponsorship",
    "stories",
    "sub",
    "subnav",
    "subscribe",
    "subscription",
    "tags",
    "teads",
    "the",
    "time",
    "timestamp",
    "to",
    "tool",
    "toolbar",
    "tools",
    "top",
    "topbar",
    "topnav",
    "up",
    "updated",
    "viewed",
    "werbung",
    "widget",
    "widgets",
    "writer",
    "you",
];

static KNOWN_WORDS: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| CLASS_WORDS.iter().chain(POSITIVE).copied().collect());

/// Every substring that [`Words::contains`] is asked about, for a quick prefilter: most
/// class lists contain none of them.
const SUBSTRINGS: &[&str] = &[
    "related",
    "authorbio",
    "authorbox",
    "authorinfo",
    "aboutauthor",
    "abouttheauthor",
    "bylinebio",
    "biobox",
    "authorcard",
    "authorprofile",
    "embed",
    "tweet",
    "instagram",
    "tiktok",
    "cookie",
    "consent",
    "gdpr",
    "onetrust",
    "didomi",
    "disqus",
    "comentario",
    "kommentar",
    "komment",
    "commenti",
    "share",
    "sharing",
    "social",
    "addthis",
    "addtoany",
    "sociable",
    "compartilh",
    "partage",
    "newsletter",
    "mailchimp",
    "mc4wp",
    "recommend",
    "outbrain",
    "taboola",
    "zergnet",
    "trending",
    "popular",
    "recirc",
    "mostread",
    "morestories",
    "readnext",
    "upnext",
    "yarpp",
    "alsoread",
    "readalso",
    "relacionad",
    "correlat",
    "leiatambem",
    "vejatambem",
    "maislidas",
    "advert",
    "sponsor",
    "adsbygoogle",
    "adslot",
    "adunit",
    "breadcrumb",
    "navbar",
    "navigation",
    "menu",
    "footer",
    "copyright",
    "colophon",
    "rodape",
    "masthead",
    "cabecalho",
    "caption",
    "photocredit",
    "imagecredit",
    "comment",
];

const _: () = assert!(SUBSTRINGS.len() <= 128, "Words::found has 128 bits");

static SUBSTRING_AC: LazyLock<Option<AhoCorasick>> =
    LazyLock::new(|| AhoCorasick::new(SUBSTRINGS).ok());

const POSITIVE: &[&str] = &[
    "article",
    "articlebody",
    "articles",
    "body",
    "content",
    "contents",
    "entry",
    "hentry",
    "main",
    "post",
    "story",
    "text",
    "blog",
    "column",
    "prose",
];

fn class_info(el: ElRef<'_>, w: &mut Words) -> ClassInfo {
    let mut ci = ClassInfo::default();
    let class = el.attr("class");
    let id = el.attr("id");
    let role = el.attr("role");
    let itemprop = el.attr("itemprop");
    if class.is_none() && id.is_none() && role.is_none() && itemprop.is_none() {
        return ci;
    }
    if let Some(role) = role {
        let role = role.trim().to_ascii_lowercase();
        ci.role = match role.as_str() {
            "navigation" | "menu" | "menubar" | "search" => Some(Reason::Navigation),
            "banner" => Some(Reason::Header),
            "contentinfo" => Some(Reason::Footer),
            "complementary" => Some(Reason::Sidebar),
            _ => None,
        };
        if role == "main" || role == "article" {
            ci.main_like = true;
        }
    }
    if let Some(ip) = itemprop {
        let ip = ip.to_ascii_lowercase();
        if ip.contains("articlebody") || ip.contains("reviewbody") {
            ci.main_like = true;
            ci.weight += 25;
        }
        if ip
            .split_ascii_whitespace()
            .any(|t| t == "author" || t == "creator")
        {
            ci.byline = true;
        }
        if ip.contains("datepublished") || ip.contains("datecreated") {
            ci.date_hint = true;
        }
    }
    if el.attr("rel").is_some_and(|r| {
        r.split_ascii_whitespace()
            .any(|t| t.eq_ignore_ascii_case("author"))
    }) {
        ci.byline = true;
    }
    w.clear();
    if let Some(c) = class {
        w.push_attr(c);
    }
    if let Some(i) = id {
        w.push_attr(i);
    }
    w.finish();
    ci.sr_only = w.sr_only;
    if w.is_empty() || (!w.any_known && !w.any_substring) {
        // No word that any rule below looks at.
        return ci;
    }
    ci.positive = w.any(POSITIVE);

    let comment_word = w
        .iter()
        .any(|x| x.contains("comment") && !x.contains("commentar") && !x.contains("commentator"))
        && w.any_substring;
    let author_promo = w.seq(
        &["author", "authors", "byline", "contributor", "writer"],
        &[
            "bio",
            "box",
            "info",
            "card",
            "profile",
            "about",
            "details",
            "promo",
            "description",
            "desc",
            "bottom",
            "block",
        ],
    ) || w.seq(&["about"], &["author", "the"])
        || w.contains(&[
            "authorbio",
            "authorbox",
            "authorinfo",
            "aboutauthor",
            "abouttheauthor",
            "bylinebio",
            "biobox",
            "authorcard",
            "authorprofile",
        ])
        || w.any(&["bio", "bios"]);

    let embed = w.contains(&["embed", "tweet", "instagram", "tiktok"]);
    ci.strong = if w.contains(&["cookie", "consent", "gdpr", "onetrust", "didomi"]) {
        Some(Reason::Cookie)
    } else if comment_word
        || w.contains(&["disqus", "comentario", "kommentar", "komment", "commenti"])
        || w.any(&["reply", "replies", "respond", "discussion"])
    {
        Some(Reason::Comments)
    } else if !embed
        && (w.contains(&[
            "share",
            "sharing",
            "social",
            "addthis",
            "addtoany",
            "sociable",
            "compartilh",
            "partage",
        ]) || w.any(&["a2a", "sns"]))
    {
        Some(Reason::Share)
    } else if w.contains(&["newsletter", "mailchimp", "mc4wp"])
        || w.any(&["subscribe", "subscription", "signup", "optin"])
        || w.seq(&["sign"], &["up"])
    {
        Some(Reason::Newsletter)
    } else if w.contains(&[
        "related",
        "recommend",
        "outbrain",
        "taboola",
        "zergnet",
        "trending",
        "popular",
        "recirc",
        "mostread",
        "morestories",
        "readnext",
        "upnext",
        "yarpp",
        "alsoread",
        "readalso",
        "relacionad",
        "correlat",
        "leiatambem",
        "vejatambem",
        "maislidas",
    ]) || w.seq(
        &["most"],
        &["read", "popular", "viewed", "shared", "commented"],
    ) || w.seq(
        &["more"],
        &["stories", "articles", "news", "from", "posts", "like"],
    ) || w.seq(&["read"], &["next", "also", "more"])
        || w.seq(&["also"], &["read", "like"])
        || w.seq(&["you"], &["may", "might"])
        || w.seq(&["further"], &["reading"])
        || w.seq(&["top"], &["stories", "news"])
        || w.seq(&["up"], &["next"])
    {
        Some(Reason::Related)
    } else if w.any(&[
        "ad",
        "ads",
        "adv",
        "advert",
        "adverts",
        "advertisement",
        "advertisements",
        "advertising",
        "adslot",
        "adunit",
        "adbox",
        "adsense",
        "adsbygoogle",
        "dfp",
        "doubleclick",
        "sponsor",
        "sponsors",
        "sponsored",
        "sponsorship",
        "adzone",
        "adspace",
        "adcontainer",
        "adwrapper",
        "adholder",
        "teads",
        "googlead",
        "googleads",
        "publicidade",
        "publicidad",
        "pubblicita",
        "werbung",
        "anzeige",
        "reklama",
        "patrocinado",
    ]) || w.contains(&["advert", "sponsor", "adsbygoogle", "adslot", "adunit"])
    {
        Some(Reason::Advert)
    } else if w.any(&[
        "nav",
        "navbar",
        "navigation",
        "navi",
        "menu",
        "menus",
        "menubar",
        "breadcrumb",
        "breadcrumbs",
        "crumb",
        "crumbs",
        "pagination",
        "pager",
        "topnav",
        "subnav",
        "sitenav",
        "mainnav",
        "megamenu",
        "skiplink",
        "skiplinks",
        "kicker",
        "eyebrow",
    ]) || w.contains(&["breadcrumb", "navbar", "navigation", "menu"])
        || w.seq(&["skip"], &["link", "links", "to", "nav"])
    {
        Some(Reason::Navigation)
    } else if w.contains(&["footer", "copyright", "colophon", "rodape"]) {
        Some(Reason::Footer)
    } else if author_promo {
        Some(Reason::AuthorPromo)
    } else if w.contains(&["masthead", "cabecalho"]) {
        Some(Reason::Header)
    } else if !embed
        && (w.any(&[
            "caption",
            "captions",
            "figcaption",
            "credit",
            "credits",
            "gallery",
            "slideshow",
            "carousel",
            "lightbox",
            "legenda",
        ]) || w.contains(&["caption", "photocredit", "imagecredit"]))
    {
        Some(Reason::Caption)
    } else {
        None
    };

    ci.weak = if w.any(&[
        "header",
        "topbar",
        "siteheader",
        "globalheader",
        "headerbar",
    ]) && !w.any(&["sub"])
    {
        Some(Reason::Header)
    } else if w.any(&[
        "sidebar",
        "sidebars",
        "widget",
        "widgets",
        "rail",
        "aside",
        "rightrail",
        "leftrail",
        "sidecol",
    ]) {
        Some(Reason::Sidebar)
    } else if w.any(&["promo", "promos", "promotion", "promoted", "banner"]) {
        Some(Reason::Advert)
    } else {
        None
    };

    ci.byline = ci.byline
        || (w.any(&[
            "byline",
            "author",
            "authors",
            "reporter",
            "reporters",
            "writer",
            "byl",
            "contributor",
            "journalist",
            "bylines",
        ]));
    ci.date_hint = ci.date_hint
        || w.any(&[
            "date",
            "time",
            "timestamp",
            "published",
            "dateline",
            "pubdate",
            "posted",
            "updated",
            "datetime",
            "publish",
            "dates",
            "publication",
        ]);

    if ci.positive {
        ci.weight += 25;
    }
    if ci.strong.is_some()
        || ci.weak.is_some()
        || w.any(&[
            "hidden",
            "combx",
            "contact",
            "foot",
            "footnote",
            "media",
            "meta",
            "scroll",
            "shoutbox",
            "skyscraper",
            "shopping",
            "tags",
            "tool",
            "tools",
            "toolbar",
        ])
    {
        ci.weight -= 25;
    }
    ci
}

// ---------------------------------------------------------------------------------------------
// Text helpers

/// Normalised length (whitespace runs count as one) and comma count of a text.
fn text_stats(s: &str) -> (u32, u32) {
    let mut len = 0u32;
    let mut commas = 0u32;
    let mut pending = false;
    for c in s.chars() {
        if c.is_whitespace() {
            pending = len > 0;
            continue;
        }
        if pending {
            len += 1;
            pending = false;
        }
        len += 1;
        if matches!(c, ',' | '，' | '、' | '،') {
            commas += 1;
        }
    }
    (len, commas)
}

/// Collapses whitespace to single spaces and trims.
fn normalize_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for part in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(part);
    }
    out
}

fn truncate_chars(s: &mut String, max: usize) {
    if let Some((i, _)) = s.char_indices().nth(max) {
        s.truncate(i);
    }
}

/// Lowercased, whitespace-collapsed, with quotes and trailing punctuation removed, for
/// comparing titles and label texts.
fn norm_key(s: &str) -> String {
    let lower = s.to_lowercase();
    let cleaned: String = lower
        .chars()
        .map(|c| {
            if matches!(c, '"' | '\'' | '‘' | '’' | '“' | '”' | '«' | '»' | '\u{a0}') {
                ' '
            } else {
                c
            }
        })
        .collect();
    let n = normalize_ws(&cleaned);
    n.trim_end_matches([':', '.', '!', '›', '»', '>', '|', '-', '…', ' '])
        .trim_start_matches(['-', '|', '•', '·', ' '])
        .to_string()
}

static DATE_RE: LazyLock<Regex> = LazyLock::new(|| {
    let months = "jan|january|feb|february|mar|march|apr|april|may|jun|june|jul|july|aug|august|sep|sept|september|oct|october|nov|november|dec|december";
    let pattern = format!(
        r"(?i)(?:\b\d{{4}}\s?[-./]\s?\d{{1,2}}\s?[-./]\s?\d{{1,2}}\b\.?|\b\d{{1,2}}[-./]\d{{1,2}}[-./]\d{{2,4}}\b|\d{{4}}\s*[년年]\s*\d{{1,2}}\s*[월月]\s*\d{{1,2}}\s*[일日]|\b(?:{months})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{months})\.?,?\s+\d{{4}}\b|\b\d{{1,2}}\s+de\s+\p{{L}}+\.?\s+de\s+\d{{4}}\b|\b\d{{1,2}}\s+(?:января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря)\s+\d{{4}})"
    );
    Regex::new(&pattern).unwrap_or_else(|_| never_regex())
});

static DATE_NOISE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?\s?m\.?)?|\b(?:published|updated|last|posted|modified|on|at|am|pm|a\.m|p\.m|et|est|edt|gmt|utc|kst|jst|bst|cet|cest|pst|pdt|cst|cdt|ist|aest|mon|monday|tue|tues|tuesday|wed|wednesday|thu|thur|thurs|thursday|fri|friday|sat|saturday|sun|sunday|de|às|as|em|atualizado|publicado|обновлено|опубликовано|hours?|ago|date|time|и)\b|기사입력|최종수정|입력|수정|승인|등록|발행|업데이트|송고|오전|오후|更新|公開|配信|\d{4}|[^\p{L}\p{N}]",
    )
    .unwrap_or_else(|_| never_regex())
});

static BYLINE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:(?:[Bb]y|BY|Por|por|Par|par|Von|von|Di|di|Автор:?)\s+\p{Lu}|(?:[Ww]ritten|[Rr]eported|[Pp]osted)\s+by\s+\p{Lu}|(?:[\[(][^\])]{0,24}[\])]\s*)?\p{Hangul}{2,4}\s*(?:기자|특파원|선임기자|논설위원|객원기자|통신원|편집위원|전문기자|칼럼니스트)(?:\s|$|[=/,·(]|[\w.+-]+@))",
    )
    .unwrap_or_else(|_| never_regex())
});

/// A regex that matches nothing; only used if a constant pattern failed to compile, which
/// the unit tests rule out.
fn never_regex() -> Regex {
    Regex::new(r"[^\s\S]").unwrap_or_else(|_| unreachable!("constant regex"))
}

fn is_mostly_date(t: &str) -> bool {
    let n = t.chars().count();
    if n == 0 || n > 90 {
        return false;
    }
    let Some(m) = DATE_RE.find(t) else {
        return false;
    };
    let rest = format!("{} {}", &t[..m.start()], &t[m.end()..]);
    let rest = DATE_NOISE_RE.replace_all(&rest, "");
    rest.chars().count() <= 4
}

fn is_byline_text(t: &str) -> bool {
    let n = t.chars().count();
    (n > 3 && n <= 100 && BYLINE_RE.is_match(t)) || (n <= 160 && BYLINE_ANY_RE.is_match(t))
}

static BYLINE_ANY_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:posted|published|written|reported|publicado|escrito|publicada|escrita|publié|geschrieben)\s+(?:by|por|par|von)\b",
    )
    .unwrap_or_else(|_| never_regex())
});

// ---------------------------------------------------------------------------------------------
// Raw metadata collected while building the arena

#[derive(Default)]
struct RawMeta<'a> {
    lang: Option<&'a str>,
    /// (lowercased name/property/itemprop/http-equiv, content), in document order.
    metas: Vec<(String, &'a str)>,
    canonical: Option<&'a str>,
    title: Option<String>,
    jsonld: Vec<String>,
    /// Arena indices of non-meta elements with `itemprop=datePublished`.
    itemprop_dates: Vec<u32>,
    itemprop_modified: Vec<u32>,
    /// Arena indices of `rel=author` elements.
    rel_authors: Vec<u32>,
    /// Arena indices of `<time datetime>` elements.
    times: Vec<u32>,
    h1s: Vec<u32>,
    ld: Option<LdInfo>,
}

impl<'a> RawMeta<'a> {
    fn meta(&self, keys: &[&str]) -> Option<&'a str> {
        self.metas
            .iter()
            .find(|(k, v)| keys.contains(&k.as_str()) && !v.trim().is_empty())
            .map(|(_, v)| *v)
    }

    fn metas_all<'s>(&'s self, keys: &'s [&'s str]) -> impl Iterator<Item = &'a str> + 's {
        self.metas
            .iter()
            .filter(move |(k, v)| keys.contains(&k.as_str()) && !v.trim().is_empty())
            .map(|(_, v)| *v)
    }

    fn ld(&mut self) -> &LdInfo {
        if self.ld.is_none() {
            let mut info = LdInfo::default();
            for src in &self.jsonld {
                info.absorb(src);
            }
            self.ld = Some(info);
        }
        self.ld.get_or_insert_with(LdInfo::default)
    }

    /// Title candidates that do not come from the page body.
    fn meta_titles(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        let og = self.meta(&["og:title"]).map(normalize_ws);
        let tw = self.meta(&["twitter:title"]).map(normalize_ws);
        out.extend(og);
        out.extend(tw);
        out.extend(self.ld().headline.clone());
        out.extend(self.title.as_deref().map(normalize_ws));
        out.retain(|t| !t.is_empty());
        out
    }

    fn site_name(&mut self) -> Option<String> {
        self.meta(&["og:site_name"])
            .map(normalize_ws)
            .or_else(|| self.ld().publisher.clone())
            .or_else(|| self.meta(&["application-name"]).map(normalize_ws))
            .filter(|s| !s.is_empty())
    }
}

/// What JSON-LD blocks say about the article.
#[derive(Default, Debug)]
struct LdInfo {
    headline: Option<String>,
    published: Option<String>,
    modified: Option<String>,
    authors: Vec<String>,
    publisher: Option<String>,
    description: Option<String>,
}

const LD_ARTICLE_TYPES: &[&str] = &[
    "article",
    "newsarticle",
    "blogposting",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "reviewnewsarticle",
    "askpublicnewsarticle",
    "livebligposting",
    "liveblogposting",
    "socialmediaposting",
    "techarticle",
    "scholarlyarticle",
    "report",
    "posting",
    "review",
];

impl LdInfo {
    fn absorb(&mut self, src: &str) {
        let s = src
            .trim()
            .trim_start_matches("<!--")
            .trim_start_matches("//<![CDATA[")
            .trim_start_matches("<![CDATA[")
            .trim_end_matches("-->")
            .trim_end_matches("//]]>")
            .trim_end_matches("]]>")
            .trim();
        let Ok(v) = serde_json::from_str::<serde_json::Value>(s) else {
            return;
        };
        let mut articles = Vec::new();
        let mut others = Vec::new();
        collect_ld(&v, &mut articles, &mut others, 0);
        for (i, obj) in articles.iter().chain(others.iter()).enumerate() {
            let is_article = i < articles.len();
            self.take(obj, is_article);
        }
    }

    fn take(&mut self, obj: &serde_json::Map<String, serde_json::Value>, is_article: bool) {
        let get_str = |k: &str| -> Option<String> {
            match obj.get(k)? {
                serde_json::Value::String(s) => Some(normalize_ws(s)).filter(|s| !s.is_empty()),
                serde_json::Value::Array(a) => a
                    .iter()
                    .find_map(|x| x.as_str())
                    .map(normalize_ws)
                    .filter(|s| !s.is_empty()),
                _ => None,
            }
        };
        if is_article {
            if self.headline.is_none() {
                self.headline = get_str("headline");
            }
            if self.description.is_none() {
                self.description = get_str("description");
            }
            if self.authors.is_empty()
                && let Some(a) = obj.get("author").or_else(|| obj.get("creator"))
            {
                ld_names(a, &mut self.authors, 0);
            }
        }
        if self.published.is_none() {
            self.published = get_str("datePublished");
        }
        if self.modified.is_none() {
            self.modified = get_str("dateModified");
        }
        if self.publisher.is_none()
            && let Some(p) = obj.get("publisher")
        {
            {
                let mut names = Vec::new();
                ld_names(p, &mut names, 0);
                self.publisher = names.into_iter().next();
            }
        }
    }
}

fn ld_types(obj: &serde_json::Map<String, serde_json::Value>) -> Vec<String> {
    match obj.get("@type") {
        Some(serde_json::Value::String(s)) => vec![s.to_ascii_lowercase()],
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str())
            .map(|s| s.to_ascii_lowercase())
            .collect(),
        _ => Vec::new(),
    }
}

fn collect_ld<'v>(
    v: &'v serde_json::Value,
    articles: &mut Vec<&'v serde_json::Map<String, serde_json::Value>>,
    others: &mut Vec<&'v serde_json::Map<String, serde_json::Value>>,
    depth: usize,
) {
    if depth > 8 {
        return;
    }
    match v {
        serde_json::Value::Array(a) => {
            for x in a {
                collect_ld(x, articles, others, depth + 1);
            }
        }
        serde_json::Value::Object(o) => {
            let types = ld_types(o);
            if types.iter().any(|t| LD_ARTICLE_TYPES.contains(&t.as_str())) {
                articles.push(o);
            } else if !types.is_empty() {
                others.push(o);
            }
            for key in [
                "@graph",
                "mainEntity",
                "mainEntityOfPage",
                "itemListElement",
            ] {
                if let Some(x) = o.get(key)
                    && (x.is_object() || x.is_array())
                {
                    collect_ld(x, articles, others, depth + 1);
                }
            }
        }
        _ => {}
    }
}

fn ld_names(v: &serde_json::Value, out: &mut Vec<String>, depth: usize) {
    if depth > 4 {
        return;
    }
    match v {
        serde_json::Value::String(s) => {
            let s = normalize_ws(s);
            if !s.is_empty() && !looks_like_url(&s) {
                out.push(s);
            }
        }
        serde_json::Value::Array(a) => {
            for x in a {
                ld_names(x, out, depth + 1);
            }
        }
        serde_json::Value::Object(o) => {
            if let Some(n) = o.get("name") {
                ld_names(n, out, depth + 1);
            }
        }
        _ => {}
    }
}

fn looks_like_url(s: &str) -> bool {
    let l = s.trim_start().to_ascii_lowercase();
    l.starts_with("http://")
        || l.starts_with("https://")
        || l.starts_with("//")
        || l.starts_with("www.")
}

// ---------------------------------------------------------------------------------------------
// The arena

const NONE: u32 = u32::MAX;
/// Bound on nodes visited by local scans that may repeat on nested elements.
const SCAN_BUDGET: usize = 2048;

struct N<'a> {
    tag: Tag,
    el: Option<ElRef<'a>>,
    /// Text of a text node.
    text: &'a str,
    parent: u32,
    /// End (exclusive) of this node's subtree in the arena.
    end: u32,
    /// Text nodes: the nearest block-level ancestor.
    owner: u32,
    in_link: bool,
    ci: ClassInfo,
    /// Raw statistics over the subtree without silently dropped parts.
    tlen: u32,
    llen: u32,
    has_block: bool,
    /// Non-link text of paragraph-like blocks in the subtree.
    ptext: u32,
    /// Root of a silently dropped subtree.
    silent: bool,
    dead: bool,
    /// Outermost boilerplate element: the reason.
    bp: Option<Reason>,
    in_bp: bool,
    in_article: bool,
    /// Statistics over the subtree without silently dropped parts and boilerplate.
    ctlen: u32,
    cllen: u32,
    /// Text owned directly (not through a nested block) and not removed.
    own: u32,
    own_link: u32,
    own_commas: u32,
    /// Paragraph breaks (double `<br>`) in the owned text.
    own_brk: u32,
}

impl<'a> N<'a> {
    fn new(tag: Tag, el: Option<ElRef<'a>>, text: &'a str, parent: u32) -> Self {
        N {
            tag,
            el,
            text,
            parent,
            end: NONE,
            owner: 0,
            in_link: false,
            ci: ClassInfo::default(),
            tlen: 0,
            llen: 0,
            has_block: false,
            ptext: 0,
            silent: false,
            dead: false,
            bp: None,
            in_bp: false,
            in_article: false,
            ctlen: 0,
            cllen: 0,
            own: 0,
            own_link: 0,
            own_commas: 0,
            own_brk: 0,
        }
    }
}

struct Dom<'a> {
    n: Vec<N<'a>>,
    /// Text-triggered boilerplate, by element.
    forced: HashMap<u32, Reason>,
    title_h1: Option<u32>,
    /// Normalised title candidates from metadata.
    title_keys: Vec<String>,
    total_ptext: u32,
}

/// The chosen main content.
struct Selection {
    roots: Vec<u32>,
    top: u32,
    text_len: u32,
    /// Boilerplate reasons by element as classified for this selection.
    bp: Vec<(u32, Reason)>,
}

impl<'a> Dom<'a> {
    fn build(doc: &'a Parsed<'a>, raw: &mut RawMeta<'a>) -> Dom<'a> {
        let pn = &doc.nodes;
        let mut n: Vec<N<'a>> = Vec::with_capacity(pn.len() + 1);
        n.push(N::new(Tag::Root, None, "", NONE));
        // Open elements: (arena index, end of the parsed subtree).
        let mut stack: Vec<(u32, u32)> = vec![(0, pn.len() as u32)];
        let mut blocks: Vec<u32> = vec![0];
        let mut links = 0u32;
        let mut words = Words::default();
        type CiKey<'k> = (
            Option<&'k str>,
            Option<&'k str>,
            Option<&'k str>,
            Option<&'k str>,
        );
        let mut ci_cache: HashMap<CiKey<'a>, ClassInfo> = HashMap::new();
        // Text of the children of parsed element `i`.
        let child_text = |i: usize| -> String {
            let mut t = String::new();
            for node in &pn[i + 1..pn[i].end as usize] {
                if let PKind::Text(x) = &node.kind {
                    t.push_str(x);
                }
            }
            t
        };
        let mut i = 1usize;
        while i < pn.len() {
            // Close the elements whose parsed subtree ended.
            while let Some(&(idx, pend)) = stack.last() {
                if (i as u32) < pend || stack.len() == 1 {
                    break;
                }
                stack.pop();
                let len = n.len() as u32;
                let node_n = &mut n[idx as usize];
                node_n.end = len;
                if blocks.last() == Some(&idx) {
                    blocks.pop();
                }
                if node_n.tag == Tag::A {
                    links = links.saturating_sub(1);
                }
            }
            let parent = stack.last().map_or(0, |s| s.0);
            let p = &pn[i];
            match &p.kind {
                PKind::Element { .. } => {
                    let Some(el) = doc.element(i) else {
                        i += 1;
                        continue;
                    };
                    let name = el.name();
                    if is_silent_name(name) {
                        match name {
                            "meta" => {
                                if let Some(content) = el.attr("content") {
                                    for key in ["property", "name", "itemprop", "http-equiv"] {
                                        if let Some(k) = el.attr(key) {
                                            for k in k.split_ascii_whitespace() {
                                                raw.metas.push((k.to_ascii_lowercase(), content));
                                            }
                                        }
                                    }
                                }
                            }
                            "link" => {
                                let canonical = el.attr("rel").is_some_and(|r| {
                                    r.split_ascii_whitespace()
                                        .any(|t| t.eq_ignore_ascii_case("canonical"))
                                });
                                if canonical && raw.canonical.is_none() {
                                    raw.canonical =
                                        el.attr("href").filter(|h| !h.trim().is_empty());
                                }
                            }
                            "title" if raw.title.is_none() => {
                                let t = normalize_ws(&child_text(i));
                                if !t.is_empty() {
                                    raw.title = Some(t);
                                }
                            }
                            "script"
                                if el.attr("type").is_some_and(|t| {
                                    t.to_ascii_lowercase().contains("ld+json")
                                }) =>
                            {
                                raw.jsonld.push(child_text(i));
                            }
                            _ => {}
                        }
                        i = (p.end as usize).max(i + 1);
                        continue;
                    }
                    let tag = Tag::from_name(name);
                    let idx = n.len() as u32;
                    let mut node_n = N::new(tag, Some(el), "", parent);
                    node_n.owner = blocks.last().copied().unwrap_or(0);
                    node_n.ci = if el.attr("id").is_none() {
                        // Class lists repeat a lot within a page.
                        let key = (
                            el.attr("class"),
                            el.attr("role"),
                            el.attr("itemprop"),
                            el.attr("rel"),
                        );
                        *ci_cache
                            .entry(key)
                            .or_insert_with(|| class_info(el, &mut words))
                    } else {
                        class_info(el, &mut words)
                    };
                    node_n.silent = is_hidden(el) || node_n.ci.sr_only;
                    if tag == Tag::Html && raw.lang.is_none() {
                        raw.lang = el.attr("lang").or_else(|| el.attr("xml:lang"));
                    }
                    if let Some(ip) = el.attr("itemprop") {
                        let ip = ip.to_ascii_lowercase();
                        if ip.contains("datepublished") {
                            raw.itemprop_dates.push(idx);
                        } else if ip.contains("datemodified") {
                            raw.itemprop_modified.push(idx);
                        }
                    }
                    if tag == Tag::A
                        && el.attr("rel").is_some_and(|r| {
                            r.split_ascii_whitespace()
                                .any(|t| t.eq_ignore_ascii_case("author"))
                        })
                    {
                        raw.rel_authors.push(idx);
                    }
                    if tag == Tag::Time && el.attr("datetime").is_some() {
                        raw.times.push(idx);
                    }
                    if tag == Tag::H(1) {
                        raw.h1s.push(idx);
                    }
                    n.push(node_n);
                    if p.end as usize > i + 1 {
                        stack.push((idx, p.end));
                        if tag.is_block() {
                            blocks.push(idx);
                        }
                        if tag == Tag::A {
                            links += 1;
                        }
                    } else {
                        n[idx as usize].end = idx + 1;
                    }
                }
                PKind::Text(t) => {
                    let s: &'a str = t;
                    let idx = n.len() as u32;
                    let mut tn = N::new(Tag::Text, None, s, parent);
                    tn.end = idx + 1;
                    tn.owner = blocks.last().copied().unwrap_or(0);
                    tn.in_link = links > 0;
                    n.push(tn);
                }
                PKind::Root => {}
            }
            i += 1;
        }
        let len = n.len() as u32;
        while let Some((idx, _)) = stack.pop() {
            n[idx as usize].end = len;
        }
        Dom {
            n,
            forced: HashMap::new(),
            title_h1: None,
            title_keys: Vec::new(),
            total_ptext: 0,
        }
    }

    fn parent(&self, i: u32) -> u32 {
        self.n[i as usize].parent
    }

    fn contains(&self, anc: u32, i: u32) -> bool {
        anc <= i && i < self.n[anc as usize].end
    }

    /// Visible text of a subtree, whitespace-normalised, at most `limit` characters. Visits
    /// a bounded number of nodes so that repeated calls on nested elements stay linear.
    fn plain_text(&self, i: u32, limit: usize) -> String {
        let mut out = String::new();
        let mut count = 0usize;
        let mut pending = false;
        let end = self.n[i as usize].end;
        let budget = limit * 16 + 256;
        let mut visited = 0usize;
        let mut j = i;
        'walk: while j < end && visited < budget {
            visited += 1;
            let node = &self.n[j as usize];
            if node.dead {
                j = node.end;
                continue;
            }
            if node.tag == Tag::Text {
                for c in node.text.chars() {
                    if c.is_whitespace() {
                        pending = !out.is_empty();
                        continue;
                    }
                    if pending {
                        out.push(' ');
                        count += 1;
                        pending = false;
                    }
                    out.push(c);
                    count += 1;
                    if count > limit {
                        break 'walk;
                    }
                }
            } else if node.tag.is_block() || node.tag == Tag::Br {
                pending = !out.is_empty();
            }
            j += 1;
        }
        truncate_chars(&mut out, limit);
        out
    }

    /// Raw statistics, silently dropped subtrees, paragraph text.
    fn prepare(&mut self) {
        let len = self.n.len();
        // Bottom-up: text lengths, block descendants; forms without article text go silent.
        for i in (1..len).rev() {
            if self.n[i].tag == Tag::Text {
                let (l, _) = text_stats(self.n[i].text);
                self.n[i].tlen = l;
                if self.n[i].in_link {
                    self.n[i].llen = l;
                }
            }
            if self.n[i].tag == Tag::Form && !self.n[i].silent {
                let node = &self.n[i];
                let textual = node.tlen >= 400 && node.has_block;
                // Newsletter and comment forms are visible boilerplate: classified later.
                let labelled = node.ci.strong.is_some() || node.ci.weak.is_some();
                if !textual && !labelled {
                    self.n[i].silent = true;
                }
            }
            if self.n[i].silent {
                continue;
            }
            let p = self.n[i].parent as usize;
            let (tl, ll, blk) = (
                self.n[i].tlen,
                self.n[i].llen,
                self.n[i].tag.is_block() || self.n[i].has_block,
            );
            let pn = &mut self.n[p];
            pn.tlen += tl;
            pn.llen += ll;
            pn.has_block |= blk;
        }
        // Top-down: dead subtrees and article context.
        for i in 1..len {
            let p = self.n[i].parent as usize;
            let pdead = self.n[p].dead;
            let p_art = self.n[p].in_article || self.is_article_like(p);
            let node = &mut self.n[i];
            node.dead = pdead || node.silent;
            node.in_article = p_art;
        }
        // Own text of blocks (raw) for paragraph text.
        let mut own = vec![0u32; len];
        let mut own_link = vec![0u32; len];
        for i in 1..len {
            let node = &self.n[i];
            if node.tag == Tag::Text && !node.dead {
                own[node.owner as usize] += node.tlen;
                if node.in_link {
                    own_link[node.owner as usize] += node.tlen;
                }
            }
        }
        for i in (1..len).rev() {
            if self.n[i].dead {
                continue;
            }
            if self.n[i].tag != Tag::Text && own[i] >= 60 && !self.n[i].tag.is_heading() {
                self.n[i].ptext += own[i].saturating_sub(own_link[i]);
            }
            let p = self.n[i].parent as usize;
            let pt = self.n[i].ptext;
            self.n[p].ptext += pt;
        }
        self.total_ptext = self.n[0].ptext;
    }

    fn is_article_like(&self, i: usize) -> bool {
        let node = &self.n[i];
        matches!(node.tag, Tag::Article | Tag::Main) || node.ci.main_like
    }

    fn is_big(&self, i: u32) -> bool {
        self.total_ptext >= 300 && self.n[i as usize].ptext * 2 > self.total_ptext
    }

    fn find_title_h1(&self, h1s: &[u32], titles: &[String], site: Option<&str>) -> Option<u32> {
        let keys: Vec<String> = titles.iter().map(|t| norm_key(t)).collect();
        let site = site.map(norm_key);
        for &h in h1s {
            if self.n[h as usize].dead {
                continue;
            }
            let t = norm_key(&self.plain_text(h, 600));
            if t.is_empty() || site.as_deref() == Some(t.as_str()) {
                continue;
            }
            if keys.iter().any(|k| title_matches(k, &t)) {
                return Some(h);
            }
        }
        None
    }

    /// Boilerplate recognised by short texts: "Advertisement", copyright lines, "Related
    /// articles" and "Comments" headings.
    fn text_triggers(&mut self) {
        let len = self.n.len() as u32;
        let mut forced = HashMap::new();
        let mut i = 1u32;
        while i < len {
            let node = &self.n[i as usize];
            if node.dead {
                i = node.end;
                continue;
            }
            let leafish = node.tag.is_heading() || (node.tag.is_block() && !node.has_block);
            if node.tag == Tag::Text || !leafish || node.tlen == 0 {
                i += 1;
                continue;
            }
            if node.tlen > 200 {
                i = node.end;
                continue;
            }
            let text = self.plain_text(i, 220);
            let key = norm_key(&text);
            let by_class = if node.tag.is_heading() && node.ci.strong == Some(Reason::Related) {
                Some(Reason::Related)
            } else {
                None
            };
            if let Some(r) = label_reason(&key, &text).or(by_class) {
                match r {
                    Reason::Related | Reason::Comments
                        if node.tag.is_heading() || key.len() < 40 =>
                    {
                        let target = self.section_of(i, r);
                        forced.insert(target, r);
                        if target == i && r == Reason::Related {
                            // The list that follows the heading.
                            let mut s = self.next_element_sibling(i);
                            let mut k = 0;
                            while let Some(x) = s {
                                let xn = &self.n[x as usize];
                                if xn.tag.is_heading() || k >= 2 {
                                    break;
                                }
                                if xn.tlen > 0 && self.raw_link_density(x) > 0.5 {
                                    forced.insert(x, r);
                                } else if xn.tlen > 0 {
                                    break;
                                }
                                k += 1;
                                s = self.next_element_sibling(x);
                            }
                        }
                    }
                    Reason::Related | Reason::Comments => {}
                    _ => {
                        forced.insert(i, r);
                    }
                }
            }
            i = node.end;
        }
        self.forced = forced;
    }

    fn next_element_sibling(&self, i: u32) -> Option<u32> {
        let p = self.parent(i);
        let pend = if p == NONE {
            self.n.len() as u32
        } else {
            self.n[p as usize].end
        };
        let mut j = self.n[i as usize].end;
        while j < pend {
            let node = &self.n[j as usize];
            if node.tag != Tag::Text && !node.dead {
                return Some(j);
            }
            j = node.end;
        }
        None
    }

    fn raw_link_density(&self, i: u32) -> f32 {
        let node = &self.n[i as usize];
        if node.tlen == 0 {
            return 0.0;
        }
        node.llen as f32 / node.tlen as f32
    }

    /// The section a "Related"/"Comments" heading introduces: the highest ancestor (up to four
    /// levels) that starts with the heading and does not hold the article.
    fn section_of(&self, h: u32, r: Reason) -> u32 {
        let mut best = h;
        let mut a = self.parent(h);
        let mut levels = 0;
        while a != NONE && a != 0 && levels < 4 {
            let an = &self.n[a as usize];
            if matches!(an.tag, Tag::Body | Tag::Html | Tag::Main)
                || an.ci.main_like
                || self.title_h1.is_some_and(|t| self.contains(a, t))
            {
                break;
            }
            let soft_stop = an.tag == Tag::Article || self.is_big(a);
            // The heading must be the first text of the ancestor.
            let starts = h - a <= SCAN_BUDGET as u32
                && (a + 1..h).all(|j| {
                    let x = &self.n[j as usize];
                    x.tag != Tag::Text || x.tlen == 0 || x.dead
                });
            if !starts {
                break;
            }
            if r == Reason::Related {
                let teasers = self.is_teaser_list(a, h);
                if (soft_stop || self.raw_link_density(a) < 0.35) && !teasers {
                    break;
                }
            }
            if r == Reason::Comments && (soft_stop || an.ptext * 4 > self.total_ptext.max(1) * 3) {
                break;
            }
            best = a;
            a = self.parent(a);
            levels += 1;
        }
        best
    }

    /// Whether the children of `a` (besides the one holding `h`) are three or more items of
    /// the same kind that each link elsewhere: teasers of other stories.
    fn is_teaser_list(&self, a: u32, h: u32) -> bool {
        let end = self.n[a as usize].end;
        let mut j = a + 1;
        let mut tags: Vec<(&str, bool)> = Vec::new();
        while j < end && tags.len() < 64 {
            let x = &self.n[j as usize];
            let next = x.end;
            if x.tag != Tag::Text && !x.dead && !self.contains(j, h) && x.tlen > 0 {
                let name = x.el.map(|e| e.name()).unwrap_or("");
                tags.push((name, x.llen > 0));
            }
            j = next;
        }
        if tags.len() < 3 {
            return false;
        }
        let mut best = 0;
        for (name, _) in &tags {
            let same: Vec<&(&str, bool)> = tags.iter().filter(|(n, _)| n == name).collect();
            if same.iter().all(|(_, l)| *l) {
                best = best.max(same.len());
            }
        }
        best >= 3 && best * 5 >= tags.len() * 4
    }

    /// Why element `i` is boilerplate, if it is: a text label found earlier, its tag, its ARIA
    /// role, or (when `use_classes`) its class and id tokens. Elements holding most of the
    /// page's paragraph text are never boilerplate, nor are `<main>`-like elements.
    fn reason_for(&self, i: usize, use_classes: bool) -> Option<Reason> {
        let node = &self.n[i];
        let ci = node.ci;
        if matches!(node.tag, Tag::Html | Tag::Body | Tag::Root | Tag::Text) || ci.main_like {
            return None;
        }
        if let Some(&r) = self.forced.get(&(i as u32)) {
            return Some(r);
        }
        let contains_title = self.title_h1.is_some_and(|t| self.contains(i as u32, t));
        let by_tag = match node.tag {
            Tag::Nav => Some(Reason::Navigation),
            Tag::Footer => Some(Reason::Footer),
            Tag::Aside => Some(Reason::Sidebar),
            Tag::Figcaption => Some(Reason::Caption),
            Tag::Header if !node.in_article && !contains_title => Some(Reason::Header),
            _ => None,
        };
        let by_role = match ci.role {
            Some(Reason::Header) if node.in_article || contains_title => None,
            r => r,
        };
        let by_class = if use_classes && node.tag != Tag::Main && !contains_title {
            match ci.strong.or(if ci.positive { None } else { ci.weak }) {
                // Share bars are short or made of links; long text is an embedded post.
                Some(Reason::Share)
                    if node.tlen > 150 && node.llen * 2 < node.tlen && node.has_block =>
                {
                    None
                }
                // A one-line author box is a byline, found later near the article.
                Some(Reason::AuthorPromo) if node.tlen <= 120 && ci.byline && !node.has_block => {
                    None
                }
                r => r,
            }
        } else {
            None
        };
        let r = by_tag.or(by_role).or(by_class)?;
        if self.is_big(i as u32) {
            return None;
        }
        Some(r)
    }

    /// Classifies boilerplate, computes clean statistics, scores candidates and picks the main
    /// content.
    fn select(&mut self, use_classes: bool) -> Selection {
        let len = self.n.len();
        if self.forced.is_empty() {
            self.text_triggers();
        }
        let mut bp = Vec::new();
        for i in 0..len {
            let node = &mut self.n[i];
            node.bp = None;
            node.in_bp = false;
            node.ctlen = 0;
            node.cllen = 0;
            node.own = 0;
            node.own_link = 0;
            node.own_commas = 0;
            node.own_brk = 0;
        }
        for i in 1..len {
            if self.n[i].dead || self.n[i].tag == Tag::Text {
                let p = self.n[i].parent as usize;
                self.n[i].in_bp = self.n[p].in_bp;
                continue;
            }
            let p = self.n[i].parent as usize;
            if self.n[p].in_bp {
                self.n[i].in_bp = true;
                continue;
            }
            if let Some(r) = self.reason_for(i, use_classes) {
                self.n[i].bp = Some(r);
                self.n[i].in_bp = true;
                bp.push((i as u32, r));
            }
        }
        // Clean statistics.
        let mut prev_br = NONE;
        for i in 1..len {
            let node = &self.n[i];
            if node.tag == Tag::Br && !node.dead && !node.in_bp {
                let o = node.owner;
                if prev_br == o {
                    self.n[o as usize].own_brk += 1;
                    prev_br = NONE;
                } else {
                    prev_br = o;
                }
                continue;
            }
            if node.tag == Tag::Text && node.tlen > 0 && !node.dead && !node.in_bp {
                prev_br = NONE;
            }
            if node.tag == Tag::Text && !node.dead && !node.in_bp {
                let (tl, link, owner) = (node.tlen, node.in_link, node.owner as usize);
                let (_, commas) = if tl > 0 {
                    text_stats(node.text)
                } else {
                    (0, 0)
                };
                let o = &mut self.n[owner];
                o.own += tl;
                o.own_commas += commas;
                if link {
                    o.own_link += tl;
                }
                let x = &mut self.n[i];
                x.ctlen = tl;
                x.cllen = if link { tl } else { 0 };
            }
        }
        for i in (1..len).rev() {
            let node = &self.n[i];
            if node.dead || node.in_bp {
                continue;
            }
            let (a, b, p) = (node.ctlen, node.cllen, node.parent as usize);
            let pn = &mut self.n[p];
            pn.ctlen += a;
            pn.cllen += b;
        }

        // Score paragraphs into their ancestors.
        let mut score = vec![f32::NAN; len];
        let mut cands: Vec<u32> = Vec::new();
        for i in 1..len {
            let node = &self.n[i];
            if node.dead || node.in_bp || node.own < 25 {
                continue;
            }
            if !matches!(
                node.tag,
                Tag::P
                    | Tag::Pre
                    | Tag::Td
                    | Tag::Blockquote
                    | Tag::Div
                    | Tag::Section
                    | Tag::Block
                    | Tag::Article
                    | Tag::Main
                    | Tag::Dd
                    | Tag::Form
                    | Tag::Body
            ) {
                continue;
            }
            let link = node.own_link as f32 / node.own.max(1) as f32;
            let segs = (1 + node.own_brk).min(node.own / 25).max(1) as f32;
            let per = node.own as f32 / segs;
            let s = (segs + node.own_commas as f32 + (per / 100.0).floor().min(3.0) * segs)
                * (1.0 - link);
            let mut a = node.parent;
            let mut level = 0u32;
            while a != NONE && a != 0 && level < 5 {
                let au = a as usize;
                if score[au].is_nan() {
                    score[au] = self.initial_score(au);
                    cands.push(a);
                }
                let div = match level {
                    0 => 1.0,
                    1 => 2.0,
                    l => l as f32 * 3.0,
                };
                score[au] += s / div;
                a = self.n[au].parent;
                level += 1;
            }
        }
        for &c in &cands {
            let node = &self.n[c as usize];
            let ld = if node.ctlen > 0 {
                node.cllen as f32 / node.ctlen as f32
            } else {
                0.0
            };
            score[c as usize] *= 1.0 - ld;
        }
        let body = (1..len as u32)
            .find(|&i| self.n[i as usize].tag == Tag::Body)
            .unwrap_or(0);
        let mut ranked: Vec<u32> = cands.clone();
        ranked.sort_by(|&a, &b| {
            score[b as usize]
                .partial_cmp(&score[a as usize])
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.cmp(&b))
        });
        let Some(&first) = ranked.first() else {
            let roots = if self.n.len() > 1 { vec![body] } else { vec![] };
            let text_len = roots.iter().map(|&r| self.n[r as usize].ctlen).sum();
            return Selection {
                roots,
                top: body,
                text_len,
                bp,
            };
        };
        let mut top = first;
        let top_score = score[top as usize];
        let is_stop = |dom: &Dom, x: u32| {
            x == NONE || x == 0 || matches!(dom.n[x as usize].tag, Tag::Body | Tag::Html)
        };

        // Several good candidates under one ancestor: the ancestor is the article.
        let alts: Vec<u32> = ranked
            .iter()
            .skip(1)
            .take(4)
            .copied()
            .filter(|&c| score[c as usize] / top_score >= 0.75)
            .collect();
        if alts.len() >= 3 {
            let mut p = self.parent(top);
            while !is_stop(self, p) {
                let inside = alts.iter().filter(|&&c| self.contains(p, c)).count();
                if inside >= 3 {
                    top = p;
                    break;
                }
                p = self.parent(p);
            }
        }
        // A parent that scores better holds more of the article.
        let mut last = score[top as usize];
        let threshold = last / 3.0;
        let mut p = self.parent(top);
        while !is_stop(self, p) {
            let ps = score[p as usize];
            if ps.is_nan() {
                p = self.parent(p);
                continue;
            }
            if ps < threshold {
                break;
            }
            if ps > last {
                top = p;
                break;
            }
            last = ps;
            p = self.parent(p);
        }
        // An only child: its parent is the same content.
        loop {
            let p = self.parent(top);
            if is_stop(self, p) {
                break;
            }
            if self.alive_children(p).count() == 1 && self.n[p as usize].own == 0 {
                top = p;
            } else {
                break;
            }
        }

        // Siblings that look like article content.
        let top_s = if score[top as usize].is_nan() {
            0.0
        } else {
            score[top as usize]
        };
        let mut roots = Vec::new();
        let p = self.parent(top);
        if p == NONE || p == 0 {
            roots.push(top);
        } else {
            let thr = (top_s * 0.2).max(10.0);
            let top_class = self.n[top as usize].el.and_then(|e| e.attr("class"));
            let siblings: Vec<u32> = self.alive_children(p).collect();
            for s in siblings {
                if s == top {
                    roots.push(s);
                    continue;
                }
                let sn = &self.n[s as usize];
                let mut bonus = 0.0;
                if top_class.is_some_and(|c| !c.trim().is_empty())
                    && sn.el.and_then(|e| e.attr("class")) == top_class
                {
                    bonus = top_s * 0.2;
                }
                let ss = score[s as usize];
                let append = if !ss.is_nan() && ss + bonus >= thr {
                    true
                } else if matches!(sn.tag, Tag::P)
                    || (sn.tag.is_block()
                        && !sn.has_block
                        && !sn.tag.is_heading()
                        && sn.tag != Tag::Li)
                {
                    let ld = if sn.ctlen > 0 {
                        sn.cllen as f32 / sn.ctlen as f32
                    } else {
                        1.0
                    };
                    if sn.ctlen > 80 && ld < 0.25 {
                        true
                    } else if sn.ctlen > 0 && sn.ctlen <= 80 && ld == 0.0 {
                        let t = self.plain_text(s, 200);
                        t.ends_with(['.', '。', '!', '?', '！', '？']) || t.contains(". ")
                    } else {
                        false
                    }
                } else {
                    false
                };
                if append {
                    roots.push(s);
                }
            }
        }
        // Parts of the same article body split across wrappers: same tag and class as the top
        // candidate, scoring well, under a common ancestor below <body>.
        for model in [first, top] {
            let Some(top_class) = self.n[model as usize]
                .el
                .and_then(|e| e.attr("class"))
                .filter(|c| !c.trim().is_empty())
            else {
                continue;
            };
            let top_name = self.n[model as usize].el.map(|e| e.name());
            let thr = (top_s * 0.2).max(10.0);
            let mut same: Vec<u32> = cands
                .iter()
                .copied()
                .filter(|&c| {
                    let cn = &self.n[c as usize];
                    score[c as usize] >= thr
                        && cn.el.map(|e| e.name()) == top_name
                        && cn.el.and_then(|e| e.attr("class")) == Some(top_class)
                })
                .collect();
            same.sort_unstable();
            roots.sort_unstable();
            let mut added = Vec::new();
            let mut covered = 0u32;
            for c in same.into_iter().take(64) {
                if c < covered {
                    continue;
                }
                // Overlap with a root: the last root starting at or before c, the first after.
                let k = roots.partition_point(|&r| r <= c);
                let inside = k > 0 && self.contains(roots[k - 1], c);
                let holds = roots.get(k).is_some_and(|&r| self.contains(c, r));
                if inside || holds {
                    continue;
                }
                if is_stop(self, self.common_ancestor(model, c)) {
                    continue;
                }
                covered = self.n[c as usize].end;
                added.push(c);
            }
            roots.extend(added);
            roots.sort_unstable();
        }
        let text_len = roots.iter().map(|&r| self.n[r as usize].ctlen).sum();
        Selection {
            roots,
            top,
            text_len,
            bp,
        }
    }

    fn common_ancestor(&self, a: u32, b: u32) -> u32 {
        let mut x = a;
        while x != NONE && !self.contains(x, b) {
            x = self.parent(x);
        }
        x
    }

    fn alive_children(&self, p: u32) -> impl Iterator<Item = u32> + '_ {
        let end = self.n[p as usize].end;
        let mut j = p + 1;
        std::iter::from_fn(move || {
            while j < end {
                let x = j;
                let node = &self.n[x as usize];
                j = node.end;
                if node.tag == Tag::Text {
                    continue;
                }
                if !node.dead && !node.in_bp {
                    return Some(x);
                }
            }
            None
        })
    }

    fn initial_score(&self, i: usize) -> f32 {
        let node = &self.n[i];
        let base = match node.tag {
            Tag::Div | Tag::Article | Tag::Section | Tag::Main => 5.0,
            Tag::Pre | Tag::Td | Tag::Blockquote => 3.0,
            Tag::Address
            | Tag::Ol
            | Tag::Ul
            | Tag::Dl
            | Tag::Dd
            | Tag::Dt
            | Tag::Li
            | Tag::Form => -3.0,
            Tag::H(_) | Tag::Th => -5.0,
            _ => 0.0,
        };
        base + node.ci.weight as f32
    }

    fn finish(
        mut self,
        sel: Selection,
        raw: &RawMeta<'a>,
        meta_titles: Vec<String>,
        site_name: Option<String>,
    ) -> HtmlExtract {
        let mut marks: HashMap<u32, Reason> = HashMap::new();
        // The title heading.
        let region = self.article_region(&sel);
        if self.title_h1.is_none() {
            self.title_h1 = raw.h1s.iter().copied().find(|&h| {
                let x = &self.n[h as usize];
                !x.dead && !x.in_bp && x.tlen > 0 && region.iter().any(|&(a, b)| a <= h && h < b)
            });
        }
        if self.title_h1.is_none() {
            // No <h1>: a heading or short block repeating the title is the title.
            self.title_h1 = self.find_title_block(&region);
        }
        let h1_title = self
            .title_h1
            .map(|h| self.plain_text(h, 600))
            .filter(|t| !t.is_empty());
        if let Some(h) = self.title_h1 {
            marks.insert(h, Reason::Title);
        }
        // Bylines and datelines near the article.
        let mut authors_vis = Vec::new();
        let mut dates_vis = Vec::new();
        for &(a, b) in &region {
            self.scan_meta_lines(a, b, &mut marks, &mut authors_vis, &mut dates_vis);
        }

        // Emit blocks.
        let mut em = Emitter::default();
        let mut removed_idx: Vec<(u32, Reason)> = sel.bp.clone();
        for (&i, &r) in &marks {
            removed_idx.push((i, r));
        }
        for &r in &sel.roots {
            self.emit(r, &marks, &mut em, &mut removed_idx);
        }
        em.flush();

        // Removed, in document order, outermost only.
        removed_idx.sort_by_key(|&(i, _)| i);
        removed_idx.dedup_by_key(|&mut (i, _)| i);
        let mut removed = Vec::new();
        let mut cover_end = 0u32;
        for (i, r) in removed_idx {
            if i < cover_end {
                continue;
            }
            cover_end = self.n[i as usize].end;
            let text = self.plain_text(i, 500);
            if text.is_empty() {
                continue;
            }
            removed.push(Removed {
                text,
                reason: r.as_str().to_string(),
            });
        }

        // Metadata.
        let meta = self.build_meta(
            raw,
            meta_titles,
            site_name,
            h1_title,
            &region,
            authors_vis,
            dates_vis,
        );
        HtmlExtract {
            meta,
            blocks: em.blocks,
            removed,
        }
    }

    /// Finds bylines and datelines in `[a, b)`: elements with byline/date classes and short
    /// blocks whose text is a byline or a date. Marks them and collects their texts.
    fn scan_meta_lines(
        &self,
        a: u32,
        b: u32,
        marks: &mut HashMap<u32, Reason>,
        authors: &mut Vec<String>,
        dates: &mut Vec<String>,
    ) {
        let mut i = a;
        // Inside a short text block: only class hints apply to its inline elements.
        let mut short_leaf_end = 0u32;
        while i < b {
            let node = &self.n[i as usize];
            if node.dead
                || node.in_bp
                || node.tag == Tag::Text
                || node.tag.is_heading()
                || node.tlen == 0
                || marks.contains_key(&i)
            {
                i = node.end;
                continue;
            }
            if node.ci.byline && node.tlen <= 200 && !self.has_heading(i) {
                let t = self.plain_text(i, 300);
                if !t.is_empty() {
                    authors.push(t);
                    marks.insert(i, Reason::Byline);
                }
                i = node.end;
                continue;
            }
            if (node.ci.date_hint || node.tag == Tag::Time) && node.tlen <= 100 {
                let t = self.plain_text(i, 200);
                let pure = is_mostly_date(&t);
                if pure || (i >= short_leaf_end && DATE_RE.is_match(&t)) {
                    dates.push(t);
                    marks.insert(i, Reason::Dateline);
                    i = node.end;
                    continue;
                }
            }
            let leafish = node.tag.is_block() && !node.has_block;
            if leafish && i >= short_leaf_end {
                if node.tlen > 200 {
                    i = node.end;
                    continue;
                }
                let t = self.plain_text(i, 200);
                if is_byline_text(&t) {
                    authors.push(t);
                    marks.insert(i, Reason::Byline);
                    i = node.end;
                    continue;
                }
                if is_mostly_date(&t) {
                    dates.push(t);
                    marks.insert(i, Reason::Dateline);
                    i = node.end;
                    continue;
                }
                if node.tlen <= 160
                    && let Some(r) = self.meta_line(i, authors, dates)
                {
                    marks.insert(i, r);
                    i = node.end;
                    continue;
                }
                short_leaf_end = node.end;
            }
            i += 1;
        }
    }

    /// A short line made of byline and date elements plus glue words ("Posted on ... by
    /// ..."): the reason to drop it, after collecting its parts.
    fn meta_line(
        &self,
        i: u32,
        authors: &mut Vec<String>,
        dates: &mut Vec<String>,
    ) -> Option<Reason> {
        let node = &self.n[i as usize];
        let mut parts: Vec<(u32, bool)> = Vec::new();
        let mut covered = 0u32;
        let mut j = i + 1;
        let end = node.end.min(i + 1 + SCAN_BUDGET as u32);
        while j < end {
            let x = &self.n[j as usize];
            if x.tag == Tag::Text || x.dead || x.tlen == 0 {
                j = x.end;
                continue;
            }
            if x.ci.byline {
                parts.push((j, true));
                covered += x.tlen;
                j = x.end;
                continue;
            }
            if (x.ci.date_hint || x.tag == Tag::Time)
                && x.tlen <= 100
                && DATE_RE.is_match(&self.plain_text(j, 120))
            {
                parts.push((j, false));
                covered += x.tlen;
                j = x.end;
                continue;
            }
            j += 1;
        }
        if parts.is_empty() || node.tlen.saturating_sub(covered) > 30 {
            return None;
        }
        let mut has_byline = false;
        for (j, is_byline) in parts {
            let t = self.plain_text(j, 200);
            if is_byline {
                has_byline = true;
                authors.push(t);
            } else {
                dates.push(t);
            }
        }
        Some(if has_byline {
            Reason::Byline
        } else {
            Reason::Dateline
        })
    }

    fn find_title_block(&self, region: &[(u32, u32)]) -> Option<u32> {
        if self.title_keys.is_empty() {
            return None;
        }
        for &(a, b) in region {
            let mut i = a;
            while i < b {
                let node = &self.n[i as usize];
                if node.dead || node.in_bp || node.tag == Tag::Text || node.tlen == 0 {
                    i = node.end;
                    continue;
                }
                if node.tag.is_heading() || (node.tag.is_block() && !node.has_block) {
                    if node.tlen <= 300 {
                        let t = norm_key(&self.plain_text(i, 320));
                        let long_enough = |k: &String| t.chars().count() * 2 >= k.chars().count();
                        if self
                            .title_keys
                            .iter()
                            .any(|k| title_matches(k, &t) && long_enough(k))
                        {
                            return Some(i);
                        }
                    }
                    i = node.end;
                    continue;
                }
                i += 1;
            }
        }
        None
    }

    fn has_heading(&self, i: u32) -> bool {
        (i + 1..self.n[i as usize].end)
            .take(SCAN_BUDGET)
            .any(|j| self.n[j as usize].tag.is_heading())
    }

    /// Index ranges that make up the article: the content roots, the lowest ancestor of the
    /// content holding the title heading (if close), and the title heading's neighbourhood.
    fn article_region(&self, sel: &Selection) -> Vec<(u32, u32)> {
        let mut ranges: Vec<(u32, u32)> = sel
            .roots
            .iter()
            .map(|&r| (r, self.n[r as usize].end))
            .collect();
        let content_len: u32 = sel.text_len;
        let mut p = self.parent(sel.top);
        let mut levels = 0;
        while p != NONE && p != 0 && levels < 5 {
            let pn = &self.n[p as usize];
            if matches!(pn.tag, Tag::Body | Tag::Html) {
                break;
            }
            if pn.ctlen > content_len * 2 + 3000 {
                break;
            }
            ranges.push((p, pn.end));
            if let Some(t) = self.title_h1 {
                if self.contains(p, t) {
                    break;
                }
            } else if pn.tag == Tag::Article || pn.ci.main_like {
                break;
            }
            p = self.parent(p);
            levels += 1;
        }
        if let Some(t) = self.title_h1 {
            let mut a = self.parent(t);
            for _ in 0..2 {
                if a == NONE || a == 0 {
                    break;
                }
                let an = &self.n[a as usize];
                if matches!(an.tag, Tag::Body | Tag::Html)
                    || an.ctlen > 1500 && !ranges.iter().any(|&(s, e)| s <= a && a < e)
                {
                    break;
                }
                ranges.push((a, an.end));
                a = self.parent(a);
            }
        }
        // Merge overlapping ranges.
        ranges.sort();
        let mut merged: Vec<(u32, u32)> = Vec::new();
        for (s, e) in ranges {
            if let Some(last) = merged.last_mut()
                && s < last.1
            {
                last.1 = last.1.max(e);
                continue;
            }
            merged.push((s, e));
        }
        merged
    }

    /// Walks a content root into blocks.
    fn emit(
        &self,
        root: u32,
        marks: &HashMap<u32, Reason>,
        em: &mut Emitter,
        removed: &mut Vec<(u32, Reason)>,
    ) {
        let end = self.n[root as usize].end;
        let mut open: Vec<(u32, u32)> = Vec::new();
        let mut i = root;
        while i < end {
            while let Some(&(e, idx)) = open.last() {
                if i >= e {
                    open.pop();
                    em.close(self, idx);
                } else {
                    break;
                }
            }
            let node = &self.n[i as usize];
            if node.dead || node.in_bp {
                i = node.end;
                continue;
            }
            if node.tag == Tag::Text {
                em.text(node.text);
                i += 1;
                continue;
            }
            if marks.contains_key(&i) {
                if node.tag.is_block() {
                    em.boundary();
                }
                i = node.end;
                continue;
            }
            if node.tag == Tag::Br {
                em.newline();
                i = node.end;
                continue;
            }
            if i != root && self.is_link_list(i) {
                removed.push((i, Reason::Related));
                em.boundary();
                i = node.end;
                continue;
            }
            em.open(self, i);
            open.push((node.end, i));
            i += 1;
        }
        while let Some((_, idx)) = open.pop() {
            em.close(self, idx);
        }
    }

    /// A container or paragraph that is mostly links: a list of other stories, tags...
    fn is_link_list(&self, i: u32) -> bool {
        let node = &self.n[i as usize];
        if node.ctlen == 0 {
            return false;
        }
        let ld = node.cllen as f32 / node.ctlen as f32;
        match node.tag {
            Tag::Div
            | Tag::Section
            | Tag::Ul
            | Tag::Ol
            | Tag::Dl
            | Tag::Table
            | Tag::Block
            | Tag::Aside
            | Tag::Figure
            | Tag::Header
            | Tag::Footer => ld > 0.5 && (node.has_block || node.ctlen < 200),
            Tag::P => ld >= 0.8 && node.ctlen < 150,
            _ => false,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn build_meta(
        &self,
        raw: &RawMeta<'a>,
        mut titles: Vec<String>,
        site_name: Option<String>,
        h1_title: Option<String>,
        region: &[(u32, u32)],
        authors_vis: Vec<String>,
        dates_vis: Vec<String>,
    ) -> HtmlMeta {
        let ld = raw.ld.as_ref();
        // Titles: og, twitter, JSON-LD, h1, <title>. meta_titles holds them without h1.
        if let Some(h1) = h1_title {
            let h1 = normalize_ws(&h1);
            let pos = if raw.title.is_some() {
                titles.len().saturating_sub(1)
            } else {
                titles.len()
            };
            titles.insert(pos, h1);
        }
        dedup_keep_order(&mut titles);

        let mut published: Vec<String> = Vec::new();
        published.extend(
            raw.meta(&["article:published_time", "article:published"])
                .map(normalize_ws),
        );
        if let Some(l) = ld {
            published.extend(l.published.clone());
        }
        published.extend(
            raw.metas_all(&[
                "date",
                "pubdate",
                "publishdate",
                "publish-date",
                "publish_date",
                "dc.date",
                "dc.date.issued",
                "dcterms.date",
                "dcterms.created",
                "sailthru.date",
                "parsely-pub-date",
                "og:published_time",
                "datepublished",
            ])
            .map(normalize_ws),
        );
        for &i in &raw.itemprop_dates {
            if let Some(v) = self.attr_value(i) {
                published.push(v);
            }
        }
        let in_region = |i: u32| region.iter().any(|&(a, b)| a <= i && i < b);
        let time = raw
            .times
            .iter()
            .copied()
            .find(|&t| in_region(t))
            .or_else(|| raw.times.first().copied());
        if let Some(v) = time.and_then(|t| self.n[t as usize].el?.attr("datetime")) {
            published.push(normalize_ws(v));
        }
        published.extend(dates_vis);
        published.retain(|s| !s.is_empty());
        dedup_keep_order(&mut published);

        let mut modified: Vec<String> = Vec::new();
        modified.extend(
            raw.meta(&["article:modified_time", "article:modified"])
                .map(normalize_ws),
        );
        if let Some(l) = ld {
            modified.extend(l.modified.clone());
        }
        modified.extend(
            raw.metas_all(&["og:updated_time", "datemodified"])
                .map(normalize_ws),
        );
        for &i in &raw.itemprop_modified {
            if let Some(v) = self.attr_value(i) {
                modified.push(v);
            }
        }
        modified.retain(|s| !s.is_empty());
        dedup_keep_order(&mut modified);

        let mut authors: Vec<String> = Vec::new();
        authors.extend(raw.metas_all(&["author"]).map(normalize_ws));
        authors.extend(raw.metas_all(&["article:author"]).map(normalize_ws));
        if let Some(l) = ld {
            authors.extend(l.authors.iter().cloned());
        }
        for &i in &raw.rel_authors {
            let t = self.plain_text(i, 200);
            if !t.is_empty() {
                authors.push(t);
            }
        }
        authors.extend(authors_vis);
        authors.retain(|s| !s.is_empty() && !looks_like_url(s));
        dedup_keep_order(&mut authors);

        let lang = raw
            .lang
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .or_else(|| {
                raw.meta(&["content-language"])
                    .map(|s| s.trim().to_string())
            })
            .or_else(|| raw.meta(&["og:locale"]).map(|s| s.trim().to_string()));
        let canonical = raw
            .canonical
            .map(|s| s.trim().to_string())
            .or_else(|| raw.meta(&["og:url"]).map(|s| s.trim().to_string()));
        let description = raw
            .meta(&["og:description"])
            .or_else(|| raw.meta(&["description"]))
            .or_else(|| raw.meta(&["twitter:description"]))
            .map(normalize_ws)
            .or_else(|| ld.and_then(|l| l.description.clone()))
            .filter(|s| !s.is_empty());
        HtmlMeta {
            titles,
            html_title: raw.title.clone(),
            site_name,
            published,
            modified,
            authors,
            lang,
            canonical,
            description,
        }
    }

    fn attr_value(&self, i: u32) -> Option<String> {
        let el = self.n[i as usize].el?;
        let v = el
            .attr("content")
            .or_else(|| el.attr("datetime"))
            .map(normalize_ws)
            .unwrap_or_else(|| self.plain_text(i, 200));
        Some(v).filter(|s| !s.is_empty())
    }
}

fn title_matches(key: &str, h1: &str) -> bool {
    if key.is_empty() || h1.is_empty() {
        return false;
    }
    key == h1
        || (h1.chars().count() >= 10 && key.contains(h1))
        || (key.chars().count() >= 10 && h1.contains(key))
}

fn dedup_keep_order(v: &mut Vec<String>) {
    let mut seen = HashSet::new();
    v.retain(|s| seen.insert(s.clone()));
}

/// Boilerplate recognised from a short label text.
fn label_reason(key: &str, raw: &str) -> Option<Reason> {
    const ADVERT: &[&str] = &[
        "advertisement",
        "advertisment",
        "advert",
        "advertising",
        "ad",
        "ads",
        "sponsored",
        "sponsored content",
        "paid content",
        "paid post",
        "광고",
        "anzeige",
        "publicidade",
        "publicidad",
        "реклама",
        "広告",
        "publicité",
        "pubblicità",
        "scroll to continue with content",
        "continue reading below",
        "story continues below advertisement",
        "article continues below advertisement",
        "advertisement - scroll to continue",
        "- advertisement -",
    ];
    const SHARE: &[&str] = &[
        "share",
        "share this",
        "share this article",
        "share this story",
        "share this post",
        "share on facebook",
        "share on twitter",
        "share via",
        "share article",
        "공유",
        "공유하기",
        "tweet",
        "compartilhe",
        "compartilhar",
        "поделиться",
    ];
    const RELATED: &[&str] = &[
        "related",
        "related articles",
        "related stories",
        "related posts",
        "related news",
        "related content",
        "related coverage",
        "related topics",
        "related links",
        "more stories",
        "more from",
        "more news",
        "more on this story",
        "more articles",
        "read more",
        "read next",
        "recommended",
        "recommended for you",
        "recommended stories",
        "you may also like",
        "you might also like",
        "you may be interested in",
        "most read",
        "most popular",
        "most viewed",
        "trending",
        "trending now",
        "popular",
        "popular posts",
        "latest news",
        "top stories",
        "관련 기사",
        "관련기사",
        "관련 뉴스",
        "관련뉴스",
        "많이 본 뉴스",
        "많이 본 기사",
        "많이본 뉴스",
        "많이본뉴스",
        "추천 기사",
        "인기 기사",
        "주요 뉴스",
        "関連記事",
        "関連ニュース",
        "おすすめ記事",
        "人気記事",
        "читайте также",
        "по теме",
        "leia também",
        "leia mais",
        "veja também",
        "mais lidas",
        "leggi anche",
        "lee también",
        "lire aussi",
        "à lire aussi",
        "mehr zum thema",
        "você pode gostar",
        "você também pode gostar",
        "você pode se interessar",
        "recomendados",
        "saiba mais",
        "notícias relacionadas",
        "matérias relacionadas",
        "posts relacionados",
        "artigos relacionados",
        "noticias relacionadas",
        "te puede interesar",
        "похожие статьи",
        "похожие новости",
        "другие новости",
        "rekomendasi",
        "baca juga",
        "lesen sie auch",
        "das könnte sie auch interessieren",
        "articles similaires",
        "sur le même sujet",
        "potrebbe interessarti anche",
        "ti potrebbe interessare",
        "あわせて読みたい",
        "この記事を読んだ人はこんな記事も読んでいます",
        "함께 볼만한 뉴스",
        "이 시각 많이 본 뉴스",
        "이 기사와 함께 많이 본 뉴스",
        "오늘의 주요뉴스",
        "최신 뉴스",
        "최신기사",
        "인기뉴스",
        "실시간 인기기사",
    ];
    const COMMENTS: &[&str] = &[
        "comments",
        "comment",
        "leave a reply",
        "tell us what you think",
        "what do you think",
        "have your say",
        "leave a comment",
        "add a comment",
        "post a comment",
        "join the conversation",
        "join the discussion",
        "discussion",
        "댓글",
        "コメント",
        "комментарии",
        "comentários",
        "comentarios",
        "commenti",
    ];
    if ADVERT.contains(&key) {
        return Some(Reason::Advert);
    }
    let t = raw.trim_start();
    let lower = t.to_lowercase();
    if t.starts_with('©')
        || t.starts_with('ⓒ')
        || lower.starts_with("copyright")
        || lower.starts_with("(c) ")
        || lower.contains("all rights reserved")
        || lower.contains("todos os direitos reservados")
        || lower.contains("все права защищены")
        || t.contains("무단 전재")
        || t.contains("무단전재")
        || t.contains("재배포 금지")
        || t.contains("재배포금지")
        || t.contains("저작권자")
    {
        return Some(Reason::Footer);
    }
    if SHARE.contains(&key) {
        return Some(Reason::Share);
    }
    if key.chars().count() <= 300
        && (lower.contains("sign up") || lower.contains("subscribe") || lower.contains("signup"))
        && (lower.contains("newsletter") || lower.contains("inbox") || lower.contains("email"))
    {
        return Some(Reason::Newsletter);
    }
    if RELATED.contains(&key) {
        return Some(Reason::Related);
    }
    if COMMENTS.contains(&key)
        || key
            .strip_suffix(" comments")
            .or_else(|| key.strip_suffix(" responses"))
            .or_else(|| key.strip_suffix(" replies"))
            .or_else(|| key.strip_suffix(" thoughts on"))
            .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()))
    {
        return Some(Reason::Comments);
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Block emission

#[derive(Default)]
struct Emitter {
    blocks: Vec<Block>,
    buf: String,
    pending_space: bool,
    /// Block kinds of open elements that set one (heading, list item, quote, pre, row).
    kinds: Vec<(u32, BlockKind)>,
    pre_depth: u32,
    /// Open simple table row (cells joined on one line) and whether a cell has started.
    row: Option<(u32, bool)>,
}

impl Emitter {
    fn kind(&self) -> BlockKind {
        self.kinds
            .last()
            .map(|(_, k)| k.clone())
            .unwrap_or(BlockKind::Paragraph)
    }

    fn text(&mut self, s: &str) {
        if self.pre_depth > 0 {
            if self.pending_space && !self.buf.is_empty() {
                self.buf.push(' ');
            }
            self.pending_space = false;
            for c in s.chars() {
                if c != '\r' {
                    self.buf.push(c);
                }
            }
            return;
        }
        for c in s.chars() {
            if c.is_whitespace() {
                if !self.buf.is_empty() && !self.buf.ends_with('\n') {
                    self.pending_space = true;
                }
                continue;
            }
            if self.pending_space {
                self.buf.push(' ');
                self.pending_space = false;
            }
            self.buf.push(c);
        }
    }

    fn newline(&mut self) {
        self.pending_space = false;
        if !self.buf.is_empty() && !self.buf.ends_with("\n\n") {
            self.buf.push('\n');
        }
    }

    fn boundary(&mut self) {
        if self.row.is_some() {
            self.pending_space = !self.buf.is_empty();
            return;
        }
        self.flush();
    }

    fn flush(&mut self) {
        let kind = self.kind();
        let text = if kind == BlockKind::Preformatted {
            let t = self.buf.trim_end();
            let t = t.trim_start_matches(['\n', '\r']);
            t.to_string()
        } else {
            let mut out = String::new();
            let mut blank = false;
            for line in self.buf.split('\n') {
                let l = line.trim();
                if l.is_empty() {
                    blank = !out.is_empty();
                    continue;
                }
                if !out.is_empty() {
                    out.push_str(if blank { "\n\n" } else { "\n" });
                }
                blank = false;
                out.push_str(l);
            }
            out
        };
        self.buf.clear();
        self.pending_space = false;
        if !text.trim().is_empty() {
            self.blocks.push(Block { kind, text });
        }
    }

    fn open(&mut self, dom: &Dom, i: u32) {
        let node = &dom.n[i as usize];
        if let Some((_, started)) = self.row.as_mut() {
            if matches!(node.tag, Tag::Td | Tag::Th) {
                if *started && !self.buf.is_empty() {
                    self.buf.push_str(" | ");
                    self.pending_space = false;
                }
                *started = true;
            } else if node.tag.is_block() && !self.buf.is_empty() {
                self.pending_space = true;
            }
            return;
        }
        if !node.tag.is_block() {
            return;
        }
        self.flush();
        let kind = match node.tag {
            Tag::H(_) => Some(BlockKind::Heading),
            Tag::Li | Tag::Dt | Tag::Dd => Some(BlockKind::ListItem),
            Tag::Blockquote => Some(BlockKind::Quote),
            Tag::Pre => {
                self.pre_depth += 1;
                Some(BlockKind::Preformatted)
            }
            Tag::Tr => {
                if dom.is_simple_row(i) {
                    self.row = Some((i, false));
                    Some(BlockKind::TableRow)
                } else {
                    None
                }
            }
            _ => None,
        };
        if let Some(k) = kind {
            self.kinds.push((i, k));
        }
    }

    fn close(&mut self, dom: &Dom, i: u32) {
        let node = &dom.n[i as usize];
        if self.row.is_some_and(|(r, _)| r != i) {
            return;
        }
        if !node.tag.is_block() {
            return;
        }
        self.flush();
        if self.row.is_some_and(|(r, _)| r == i) {
            self.row = None;
        }
        if node.tag == Tag::Pre {
            self.pre_depth = self.pre_depth.saturating_sub(1);
        }
        if self.kinds.last().is_some_and(|(k, _)| *k == i) {
            self.kinds.pop();
        }
    }
}

impl Dom<'_> {
    /// A table row whose cells hold only inline content: one block, cells joined by " | ".
    fn is_simple_row(&self, tr: u32) -> bool {
        let end = self.n[tr as usize].end;
        let mut j = tr + 1;
        while j < end {
            let x = &self.n[j as usize];
            if x.dead {
                j = x.end;
                continue;
            }
            if matches!(x.tag, Tag::Td | Tag::Th) {
                if x.has_block {
                    return false;
                }
                j = x.end;
                continue;
            }
            if x.tag.is_block() {
                return false;
            }
            j += 1;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regexes_compile() {
        assert!(DATE_RE.is_match("November 14, 2025 10:05 AM"));
        assert!(DATE_RE.is_match("기사입력 2025.12.02. 오후 10:41"));
        assert!(DATE_RE.is_match("2026년 3월 12일 15:20"));
        assert!(is_mostly_date("November 14, 2025 10:05 AM"));
        assert!(is_mostly_date("기사입력 2025.12.02. 오후 10:41"));
        assert!(is_mostly_date("입력 2025-11-14 09:30"));
        assert!(is_mostly_date("2026년 3월 12일 15:20"));
        assert!(is_mostly_date("Updated: Fri 14 Nov 2025, 10:05 GMT"));
        assert!(!is_mostly_date("The vote on November 14, 2025 was close."));
        assert!(is_byline_text("By Dana Whitfield, Seoul correspondent"));
        assert!(is_byline_text("홍길동 기자"));
        assert!(is_byline_text("홍길동 기자 hong@example.com"));
        assert!(!is_byline_text("By the time we arrived, it was over."));
    }

    #[test]
    fn class_words() {
        let mut w = Words::default();
        w.push_attr("ad-slot relatedStories head shadow loaded");
        w.finish();
        assert!(w.any(&["ad"]));
        assert!(w.contains(&["related"]));
        w.clear();
        w.push_attr("head shadow loaded thread");
        assert!(!w.any(&["ad", "ads"]));
        w.clear();
        w.push_attr("hub💩 Tag-x sr-only authorBio");
        w.finish();
        assert!(w.sr_only && w.seq(&["author"], &["bio"]) && w.iter().all(|x| x != "tag"));
    }
}
