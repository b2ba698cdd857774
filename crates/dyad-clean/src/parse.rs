//! A fast, forgiving HTML parser for main-text extraction.
//!
//! It tokenizes the page byte by byte (tags, attributes, comments, raw text elements, character
//! references with the WHATWG named-entity table) and builds the tree with the parts of the
//! WHATWG tree-construction rules that decide where text and blocks end up: implied `<html>`,
//! `<head>` and `<body>`, void elements, paragraphs closed by blocks, list items, definition
//! items, headings, table rows and cells (with implied `<tbody>` and `<tr>`), options, foreign
//! content (`<svg>`, `<math>`), end tags matched within scopes and never across "special"
//! elements. It leaves out what only rearranges inline markup (the adoption agency, the
//! reconstruction of formatting elements) and foster parenting: content stays where it appears.
//!
//! The result is one arena in document order, so every subtree is a contiguous index range.
//! Text borrows from the input unless it held character references or carriage returns.
//! Parsing is linear: nesting deeper than [`MAX_DEPTH`] is flattened (elements beyond it are
//! kept as empty elements, their text is kept) and searches of the open-element stack are
//! bounded.

use std::borrow::Cow;

use html5ever::data::{C1_REPLACEMENTS, NAMED_ENTITIES};

/// Open elements beyond this depth are not nested further.
pub const MAX_DEPTH: usize = 512;
/// How far down the open-element stack an end tag or a scope check looks.
const SEARCH: usize = 128;
/// Attributes kept per tag; later ones are read past and dropped (no page needs more, and a
/// tag with a million attributes must not cost more than reading it).
pub const MAX_ATTRS: usize = 256;
/// Up to this many attributes, duplicates are found by scanning; past it, with a hash set.
const DUP_SCAN: usize = 8;

/// One attribute: lowercased name and decoded value.
pub type Attr<'s> = (Cow<'s, str>, Cow<'s, str>);

/// A node of the parsed page.
#[derive(Debug)]
pub struct PNode<'s> {
    pub kind: PKind<'s>,
    /// Index of the parent node (the root's parent is itself).
    pub parent: u32,
    /// End (exclusive) of this node's subtree.
    pub end: u32,
}

#[derive(Debug)]
pub enum PKind<'s> {
    Root,
    Element {
        /// Lowercased tag name.
        name: Cow<'s, str>,
        /// Range of this element's attributes in [`Parsed::attrs`].
        attrs: (u32, u32),
    },
    Text(Cow<'s, str>),
}

/// A parsed page: nodes in document order (index 0 is the document).
#[derive(Debug)]
pub struct Parsed<'s> {
    pub nodes: Vec<PNode<'s>>,
    pub attrs: Vec<Attr<'s>>,
}

/// An element with its attributes, as handed to the extractor.
#[derive(Debug, Clone, Copy)]
pub struct ElRef<'a> {
    name: &'a str,
    attrs: &'a [Attr<'a>],
}

impl<'a> ElRef<'a> {
    pub fn name(&self) -> &'a str {
        self.name
    }

    /// The value of attribute `name` (lowercase).
    pub fn attr(&self, name: &str) -> Option<&'a str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_ref())
    }
}

impl<'s> Parsed<'s> {
    /// The element at `i`, if it is one.
    pub fn element(&self, i: usize) -> Option<ElRef<'_>> {
        match &self.nodes[i].kind {
            PKind::Element { name, attrs, .. } => Some(ElRef {
                name: name.as_ref(),
                attrs: &self.attrs[attrs.0 as usize..attrs.1 as usize],
            }),
            _ => None,
        }
    }
}

/// Parses a page. Never panics; linear in the input size.
pub fn parse(html: &str) -> Parsed<'_> {
    let mut b = Builder {
        src: html,
        pos: 0,
        nodes: Vec::with_capacity(html.len() / 40 + 16),
        attrs: Vec::with_capacity(html.len() / 60 + 16),
        stack: Vec::with_capacity(64),
        phase: Phase::Initial,
        html: None,
        body: None,
        skip_lf: false,
        quirks: true,
        fostered: Vec::new(),
        seen_attrs: std::collections::HashSet::new(),
    };
    b.nodes.push(PNode {
        kind: PKind::Root,
        parent: 0,
        end: 0,
    });
    b.run();
    b.finish()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Initial,
    BeforeHead,
    InHead,
    AfterHead,
    InBody,
}

/// An open element: its arena index, name and whether it is foreign.
#[derive(Clone)]
struct Open<'s> {
    idx: u32,
    name: Cow<'s, str>,
    foreign: bool,
}

struct Builder<'s> {
    src: &'s str,
    pos: usize,
    nodes: Vec<PNode<'s>>,
    attrs: Vec<Attr<'s>>,
    stack: Vec<Open<'s>>,
    phase: Phase,
    html: Option<u32>,
    body: Option<u32>,
    /// Drop one newline at the start of the next text (after `<pre>`, `<textarea>`).
    skip_lf: bool,
    quirks: bool,
    /// Text found directly inside table structure, with the table it belongs before (foster
    /// parenting): (text node, table node), in document order.
    fostered: Vec<(u32, u32)>,
    /// Names of the current tag's attributes, once it has more than [`DUP_SCAN`].
    seen_attrs: std::collections::HashSet<Cow<'s, str>>,
}

enum RawKind {
    /// Text up to the end tag, no character references (script, style, ...).
    Raw,
    /// Text up to the end tag, with character references (title, textarea).
    Rcdata,
    /// The rest of the page is text.
    Plaintext,
    /// A `<template>`: its content up to the matching end tag (nested templates counted) is
    /// never rendered, so it is skipped.
    Template,
}

fn raw_kind(name: &str) -> Option<RawKind> {
    match name {
        "script" | "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => {
            Some(RawKind::Raw)
        }
        "title" | "textarea" => Some(RawKind::Rcdata),
        "plaintext" => Some(RawKind::Plaintext),
        "template" => Some(RawKind::Template),
        _ => None,
    }
}

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "basefont"
            | "bgsound"
            | "br"
            | "col"
            | "embed"
            | "frame"
            | "hr"
            | "img"
            | "image"
            | "input"
            | "keygen"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

fn is_special(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "applet"
            | "area"
            | "article"
            | "aside"
            | "base"
            | "basefont"
            | "bgsound"
            | "blockquote"
            | "body"
            | "br"
            | "button"
            | "caption"
            | "center"
            | "col"
            | "colgroup"
            | "dd"
            | "details"
            | "dir"
            | "div"
            | "dl"
            | "dt"
            | "embed"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "frame"
            | "frameset"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "head"
            | "header"
            | "hgroup"
            | "hr"
            | "html"
            | "iframe"
            | "img"
            | "input"
            | "keygen"
            | "li"
            | "link"
            | "listing"
            | "main"
            | "marquee"
            | "menu"
            | "meta"
            | "nav"
            | "noembed"
            | "noframes"
            | "noscript"
            | "object"
            | "ol"
            | "p"
            | "param"
            | "plaintext"
            | "pre"
            | "script"
            | "search"
            | "section"
            | "select"
            | "source"
            | "style"
            | "summary"
            | "table"
            | "tbody"
            | "td"
            | "template"
            | "textarea"
            | "tfoot"
            | "th"
            | "thead"
            | "title"
            | "tr"
            | "track"
            | "ul"
            | "wbr"
            | "xmp"
    )
}

/// Elements that close an open `<p>`.
fn closes_p(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "center"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "header"
            | "hgroup"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "search"
            | "section"
            | "summary"
            | "ul"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "pre"
            | "listing"
            | "form"
            | "hr"
            | "xmp"
            | "plaintext"
            | "li"
            | "dd"
            | "dt"
    )
}

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

fn is_formatting(name: &str) -> bool {
    matches!(
        name,
        "a" | "b"
            | "big"
            | "code"
            | "em"
            | "font"
            | "i"
            | "nobr"
            | "s"
            | "small"
            | "strike"
            | "strong"
            | "tt"
            | "u"
    )
}

/// HTML start tags that end foreign content.
fn breaks_foreign(name: &str) -> bool {
    matches!(
        name,
        "b" | "big"
            | "blockquote"
            | "body"
            | "br"
            | "center"
            | "code"
            | "dd"
            | "div"
            | "dl"
            | "dt"
            | "em"
            | "embed"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "head"
            | "hr"
            | "i"
            | "img"
            | "li"
            | "listing"
            | "menu"
            | "meta"
            | "nobr"
            | "ol"
            | "p"
            | "pre"
            | "ruby"
            | "s"
            | "small"
            | "span"
            | "strong"
            | "strike"
            | "sub"
            | "sup"
            | "table"
            | "tt"
            | "u"
            | "ul"
            | "var"
    )
}

fn head_element(name: &str) -> bool {
    matches!(
        name,
        "base"
            | "basefont"
            | "bgsound"
            | "link"
            | "meta"
            | "title"
            | "noscript"
            | "noframes"
            | "style"
            | "script"
            | "template"
    )
}

/// Scope boundaries: the default scope; `button` and list-item scopes add a few.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Default,
    Button,
    ListItem,
    Table,
}

fn is_scope_boundary(o: &Open<'_>, scope: Scope) -> bool {
    let name: &str = &o.name;
    if o.foreign {
        return scope != Scope::Table
            && matches!(
                name,
                "mi" | "mo"
                    | "mn"
                    | "ms"
                    | "mtext"
                    | "annotation-xml"
                    | "foreignobject"
                    | "desc"
                    | "title"
            );
    }
    match scope {
        Scope::Table => matches!(name, "html" | "table" | "template"),
        _ => {
            matches!(
                name,
                "applet"
                    | "caption"
                    | "html"
                    | "table"
                    | "td"
                    | "th"
                    | "marquee"
                    | "object"
                    | "template"
            ) || (scope == Scope::Button && name == "button")
                || (scope == Scope::ListItem && matches!(name, "ol" | "ul"))
        }
    }
}

struct Tag<'s> {
    name: Cow<'s, str>,
    attrs: (u32, u32),
    self_closing: bool,
}

impl<'s> Builder<'s> {
    fn bytes(&self) -> &'s [u8] {
        self.src.as_bytes()
    }

    fn run(&mut self) {
        let src = self.bytes();
        let len = src.len();
        while self.pos < len {
            let start = self.pos;
            let Some(off) = memchr::memchr(b'<', &src[start..]) else {
                self.text(start, len);
                self.pos = len;
                break;
            };
            let lt = start + off;
            if lt > start {
                self.text(start, lt);
            }
            self.pos = lt;
            self.markup();
        }
        while let Some(o) = self.stack.pop() {
            self.close(o.idx);
        }
    }

    fn finish(mut self) -> Parsed<'s> {
        let n = self.nodes.len() as u32;
        self.nodes[0].end = n;
        let nodes = if self.fostered.is_empty() {
            self.nodes
        } else {
            foster(self.nodes, &self.fostered)
        };
        Parsed {
            nodes,
            attrs: self.attrs,
        }
    }

    /// At a `<`: a tag, comment, doctype, or a literal `<`.
    fn markup(&mut self) {
        let src = self.bytes();
        let lt = self.pos;
        let next = src.get(lt + 1).copied().unwrap_or(0);
        if next.is_ascii_alphabetic() {
            let Some(tag) = self.read_tag(lt + 1) else {
                // A tag cut off by the end of input is dropped.
                self.pos = src.len();
                return;
            };
            self.start_tag(tag);
        } else if next == b'/' {
            let n2 = src.get(lt + 2).copied().unwrap_or(0);
            if n2.is_ascii_alphabetic() {
                let Some(tag) = self.read_tag(lt + 2) else {
                    self.pos = src.len();
                    return;
                };
                self.attrs.truncate(tag.attrs.0 as usize);
                self.end_tag(&tag.name);
            } else if n2 == b'>' {
                self.pos = lt + 3;
            } else {
                self.pos = find_byte(src, lt + 2, b'>').map_or(src.len(), |p| p + 1);
            }
        } else if next == b'!' {
            if src[lt..].starts_with(b"<!--") {
                self.pos = comment_end(src, lt + 4);
            } else if src.len() >= lt + 9 && src[lt + 2..lt + 9].eq_ignore_ascii_case(b"doctype") {
                let end = find_byte(src, lt + 2, b'>').map_or(src.len(), |p| p + 1);
                if self.phase == Phase::Initial {
                    let body = &src[lt + 9..end.saturating_sub(1).max(lt + 9)];
                    self.quirks = !body.iter().position(|c| !is_ws(*c)).is_some_and(|p| {
                        body[p..].len() >= 4 && body[p..p + 4].eq_ignore_ascii_case(b"html")
                    });
                }
                self.pos = end;
            } else if src[lt..].starts_with(b"<![CDATA[") && self.in_foreign() {
                let body = lt + 9;
                let end = find_seq(src, body, b"]]>").unwrap_or(src.len());
                self.text(body, end);
                self.pos = (end + 3).min(src.len());
            } else {
                self.pos = find_byte(src, lt + 2, b'>').map_or(src.len(), |p| p + 1);
            }
        } else if next == b'?' {
            self.pos = find_byte(src, lt + 2, b'>').map_or(src.len(), |p| p + 1);
        } else {
            // A literal "<".
            self.text(lt, lt + 1);
            self.pos = lt + 1;
        }
    }

    /// Reads a tag whose name starts at `at`; attributes go to `self.attrs`. `None` when the
    /// input ends inside the tag.
    fn read_tag(&mut self, at: usize) -> Option<Tag<'s>> {
        let src = self.bytes();
        let s = self.src;
        let mut i = at;
        while i < src.len() && !is_ws(src[i]) && src[i] != b'/' && src[i] != b'>' {
            i += 1;
        }
        let name = lower(&s[at..i]);
        let first = self.attrs.len() as u32;
        let mut self_closing = false;
        loop {
            while i < src.len() && is_ws(src[i]) {
                i += 1;
            }
            if i >= src.len() {
                self.attrs.truncate(first as usize);
                return None;
            }
            match src[i] {
                b'>' => {
                    i += 1;
                    break;
                }
                b'/' => {
                    i += 1;
                    if src.get(i) == Some(&b'>') {
                        self_closing = true;
                        i += 1;
                        break;
                    }
                    continue;
                }
                _ => {}
            }
            // Attribute name (a leading '=' belongs to it).
            let ns = i;
            i += 1;
            while i < src.len() && !is_ws(src[i]) && !matches!(src[i], b'/' | b'>' | b'=') {
                i += 1;
            }
            let aname = lower(&s[ns..i]);
            while i < src.len() && is_ws(src[i]) {
                i += 1;
            }
            let mut value: Cow<'s, str> = Cow::Borrowed("");
            if src.get(i) == Some(&b'=') {
                i += 1;
                while i < src.len() && is_ws(src[i]) {
                    i += 1;
                }
                match src.get(i) {
                    Some(&q) if q == b'"' || q == b'\'' => {
                        let vs = i + 1;
                        let ve = find_byte(src, vs, q)?;
                        value = decode(&s[vs..ve], true);
                        i = ve + 1;
                    }
                    Some(_) => {
                        let vs = i;
                        while i < src.len() && !is_ws(src[i]) && src[i] != b'>' {
                            i += 1;
                        }
                        value = decode(&s[vs..i], true);
                    }
                    None => {}
                }
            }
            let kept = self.attrs.len() - first as usize;
            if kept >= MAX_ATTRS {
                continue;
            }
            let dup = if kept < DUP_SCAN {
                self.attrs[first as usize..]
                    .iter()
                    .any(|(k, _)| *k == aname)
            } else {
                if kept == DUP_SCAN {
                    self.seen_attrs.clear();
                    for (k, _) in &self.attrs[first as usize..] {
                        self.seen_attrs.insert(k.clone());
                    }
                }
                !self.seen_attrs.insert(aname.clone())
            };
            if !dup {
                self.attrs.push((aname, value));
            }
        }
        self.pos = i;
        Some(Tag {
            name,
            attrs: (first, self.attrs.len() as u32),
            self_closing,
        })
    }

    fn in_foreign(&self) -> bool {
        self.stack.last().is_some_and(|o| o.foreign)
    }

    fn current_name(&self) -> &str {
        self.stack.last().map_or("", |o| &o.name)
    }

    /// Stack position of the nearest element (looking down from the top) for which `hit`
    /// holds, unless `stop` holds first.
    fn search(
        &self,
        hit: impl Fn(&Open<'s>) -> bool,
        stop: impl Fn(&Open<'s>) -> bool,
    ) -> Option<usize> {
        for (k, o) in self.stack.iter().enumerate().rev().take(SEARCH) {
            if hit(o) {
                return Some(k);
            }
            if stop(o) {
                return None;
            }
        }
        None
    }

    // --- Tree construction --------------------------------------------------------------

    fn parent(&self) -> u32 {
        self.stack.last().map_or(0, |o| o.idx)
    }

    fn close(&mut self, idx: u32) {
        let n = self.nodes.len() as u32;
        self.nodes[idx as usize].end = n;
    }

    fn pop(&mut self) {
        if let Some(o) = self.stack.pop() {
            self.close(o.idx);
        }
    }

    /// Pops up to and including the element at stack position `k`.
    fn pop_to(&mut self, k: usize) {
        while self.stack.len() > k {
            self.pop();
        }
    }

    /// Stack position of the nearest open `name` within `scope`.
    fn in_scope(&self, name: &str, scope: Scope) -> Option<usize> {
        self.search(
            |o| !o.foreign && o.name == name,
            |o| is_scope_boundary(o, scope),
        )
    }

    fn close_p(&mut self) {
        if let Some(k) = self.in_scope("p", Scope::Button) {
            self.pop_to(k);
        }
    }

    /// Inserts an element; opens it unless it is void, self-closing foreign, or too deep.
    fn insert(&mut self, name: Cow<'s, str>, attrs: (u32, u32), foreign: bool, open: bool) -> u32 {
        let idx = self.nodes.len() as u32;
        let parent = self.parent();
        let stack_name = name.clone();
        self.nodes.push(PNode {
            kind: PKind::Element { name, attrs },
            parent,
            end: idx + 1,
        });
        if open && self.stack.len() < MAX_DEPTH {
            self.stack.push(Open {
                idx,
                name: stack_name,
                foreign,
            });
        }
        idx
    }

    fn ensure_html(&mut self) {
        if self.html.is_none() {
            let idx = self.insert(Cow::Borrowed("html"), (0, 0), false, true);
            self.html = Some(idx);
            self.phase = Phase::BeforeHead;
        }
    }

    fn ensure_body(&mut self) {
        self.ensure_html();
        if self.body.is_some() {
            return;
        }
        if self.phase == Phase::BeforeHead {
            self.insert(Cow::Borrowed("head"), (0, 0), false, true);
        }
        // Close the head if it is open.
        while self.stack.len() > 1 {
            self.pop();
        }
        let idx = self.insert(Cow::Borrowed("body"), (0, 0), false, true);
        self.body = Some(idx);
        self.phase = Phase::InBody;
    }

    fn merge_attrs(&mut self, target: Option<u32>, attrs: (u32, u32)) {
        // Attributes of a repeated <html> or <body> tag: only when the element has none
        // (enough for `lang`), since attributes of one element must be contiguous.
        let Some(t) = target else { return };
        if let PKind::Element { attrs: a, .. } = &mut self.nodes[t as usize].kind
            && a.0 == a.1
        {
            *a = attrs;
        }
    }

    fn text(&mut self, start: usize, end: usize) {
        let raw = &self.src[start..end];
        if raw.is_empty() {
            return;
        }
        let mut t = decode(raw, false);
        if t.is_empty() {
            // Only NUL bytes, which text drops.
            return;
        }
        if self.skip_lf {
            self.skip_lf = false;
            if t.starts_with('\n') {
                t = match t {
                    Cow::Borrowed(b) => Cow::Borrowed(&b[1..]),
                    Cow::Owned(mut o) => {
                        o.remove(0);
                        Cow::Owned(o)
                    }
                };
                if t.is_empty() {
                    return;
                }
            }
        }
        self.add_text(t);
    }

    fn add_text(&mut self, t: Cow<'s, str>) {
        let blank = t.bytes().all(is_ws);
        match self.phase {
            Phase::Initial | Phase::BeforeHead | Phase::AfterHead if blank => return,
            Phase::InHead if blank => return,
            Phase::InBody => {}
            _ => self.ensure_body(),
        }
        let parent = self.parent();
        let foster = if blank { None } else { self.foster_table() };
        let last_fostered = self
            .fostered
            .last()
            .is_some_and(|&(n, _)| n as usize + 1 == self.nodes.len());
        if let Some(last) = self.nodes.last_mut()
            && last.parent == parent
            && last_fostered == foster.is_some()
            && let PKind::Text(prev) = &mut last.kind
        {
            prev.to_mut().push_str(&t);
            return;
        }
        let idx = self.nodes.len() as u32;
        self.nodes.push(PNode {
            kind: PKind::Text(t),
            parent,
            end: idx + 1,
        });
        if let Some(table) = foster {
            self.fostered.push((idx, table));
        }
    }

    /// The table that text at the current position belongs before: browsers move text found
    /// directly inside `<table>`, its sections or rows (not in a cell or caption) out of it.
    fn foster_table(&self) -> Option<u32> {
        let top = self.stack.last()?;
        if top.foreign
            || !matches!(
                &*top.name,
                "table" | "tbody" | "thead" | "tfoot" | "tr" | "colgroup"
            )
        {
            return None;
        }
        let k = self.in_scope("table", Scope::Table)?;
        Some(self.stack[k].idx)
    }

    fn start_tag(&mut self, tag: Tag<'s>) {
        let name: &str = &tag.name;
        self.skip_lf = false;
        // Foreign content.
        if self.in_foreign() {
            let font_breaks = name == "font";
            if breaks_foreign(name) || font_breaks {
                while self.in_foreign() {
                    self.pop();
                }
            } else {
                let open = !tag.self_closing;
                self.insert(tag.name, tag.attrs, true, open);
                return;
            }
        }
        match self.phase {
            Phase::Initial => {
                if name == "html" {
                    let idx = self.insert(tag.name, tag.attrs, false, true);
                    self.html = Some(idx);
                    self.phase = Phase::BeforeHead;
                    return;
                }
                self.ensure_html();
                return self.start_tag(tag);
            }
            Phase::BeforeHead => {
                if name == "html" {
                    return self.merge_attrs(self.html, tag.attrs);
                }
                if name == "head" {
                    self.insert(tag.name, tag.attrs, false, true);
                    self.phase = Phase::InHead;
                    return;
                }
                self.insert(Cow::Borrowed("head"), (0, 0), false, true);
                self.phase = Phase::InHead;
                return self.start_tag(tag);
            }
            Phase::InHead => {
                if name == "html" {
                    return self.merge_attrs(self.html, tag.attrs);
                }
                if name == "head" {
                    return;
                }
                if head_element(name) {
                    return self.insert_head_element(tag);
                }
                // Leave the head.
                while self.stack.len() > 1 {
                    self.pop();
                }
                self.phase = Phase::AfterHead;
                return self.start_tag(tag);
            }
            Phase::AfterHead => {
                if name == "html" {
                    return self.merge_attrs(self.html, tag.attrs);
                }
                if name == "body" {
                    let idx = self.insert(tag.name, tag.attrs, false, true);
                    self.body = Some(idx);
                    self.phase = Phase::InBody;
                    return;
                }
                if head_element(name) {
                    return self.insert_head_element(tag);
                }
                if name == "head" {
                    return;
                }
                self.ensure_body();
                return self.start_tag(tag);
            }
            Phase::InBody => {}
        }
        self.body_start_tag(tag);
    }

    fn insert_head_element(&mut self, tag: Tag<'s>) {
        let name: &str = &tag.name;
        if is_void(name) {
            self.insert(tag.name, tag.attrs, false, false);
            return;
        }
        let raw = raw_kind(name);
        let idx = self.insert(tag.name, tag.attrs, false, true);
        self.raw_text(idx, raw);
    }

    fn body_start_tag(&mut self, tag: Tag<'s>) {
        let name: &str = &tag.name;
        match name {
            "html" => return self.merge_attrs(self.html, tag.attrs),
            "body" => return self.merge_attrs(self.body, tag.attrs),
            "head" | "frameset" => return,
            "svg" | "math" => {
                let open = !tag.self_closing;
                self.insert(tag.name, tag.attrs, true, open);
                return;
            }
            _ => {}
        }
        // Table structure.
        match name {
            "caption" | "colgroup" | "tbody" | "thead" | "tfoot" | "tr" | "td" | "th" | "col" => {
                if self.in_scope("table", Scope::Table).is_none() {
                    // Outside a table these tags are ignored.
                    return;
                }
                self.table_start(tag);
                return;
            }
            "table" => {
                if !self.quirks {
                    self.close_p();
                }
                if let Some(k) = self.current_table_not_in_cell() {
                    self.pop_to(k);
                }
                self.insert(tag.name, tag.attrs, false, true);
                return;
            }
            _ => {}
        }
        if name == "li" || name == "dd" || name == "dt" {
            let same: &[&str] = if name == "li" { &["li"] } else { &["dd", "dt"] };
            let close_at = self.search(
                |o| !o.foreign && same.contains(&&*o.name),
                |o| is_special(&o.name) && !matches!(&*o.name, "address" | "div" | "p"),
            );
            if let Some(k) = close_at {
                self.pop_to(k);
            }
            self.close_p();
            self.insert(tag.name, tag.attrs, false, true);
            return;
        }
        if is_heading(name) {
            self.close_p();
            if is_heading(self.current_name()) {
                self.pop();
            }
            self.insert(tag.name, tag.attrs, false, true);
            return;
        }
        if closes_p(name) {
            self.close_p();
        }
        match name {
            "a" | "nobr" => {
                // An open link (not separated by a block) ends where the next one starts.
                if let Some(k) =
                    self.search(|o| o.name == name && !o.foreign, |o| is_special(&o.name))
                {
                    self.pop_to(k);
                }
            }
            "option" | "optgroup" if self.current_name() == "option" => {
                self.pop();
            }
            "button" => {
                if let Some(k) = self.in_scope("button", Scope::Default) {
                    self.pop_to(k);
                }
            }
            "image" => {
                self.insert(Cow::Borrowed("img"), tag.attrs, false, false);
                return;
            }
            _ => {}
        }
        if is_void(name) {
            self.insert(tag.name, tag.attrs, false, false);
            return;
        }
        let raw = raw_kind(name);
        let skip_lf = matches!(name, "pre" | "listing" | "textarea");
        let idx = self.insert(tag.name, tag.attrs, false, true);
        if raw.is_some() {
            self.raw_text(idx, raw);
        } else if skip_lf {
            self.skip_lf = true;
        }
    }

    /// Stack position of a `<table>` that is the current table context (not inside a cell).
    fn current_table_not_in_cell(&self) -> Option<usize> {
        for (k, o) in self.stack.iter().enumerate().rev().take(SEARCH) {
            if o.foreign {
                return None;
            }
            match &*o.name {
                "table" => return Some(k),
                "tbody" | "thead" | "tfoot" | "tr" | "caption" | "colgroup" => continue,
                _ => return None,
            }
        }
        None
    }

    fn table_start(&mut self, tag: Tag<'s>) {
        let name: &str = &tag.name;
        // Close open cells, rows and sections as the new tag requires.
        let stop: &[&str] = match name {
            "td" | "th" => &["tr", "tbody", "thead", "tfoot", "table"],
            "tr" => &["tbody", "thead", "tfoot", "table"],
            _ => &["table"],
        };
        let Some(t) = self.in_scope("table", Scope::Table) else {
            return;
        };
        // Pop to the nearest stop element above the table.
        let mut k = self.stack.len();
        while k > t + 1 {
            let o = &self.stack[k - 1];
            if !o.foreign && stop.contains(&&*o.name) {
                break;
            }
            k -= 1;
        }
        self.pop_to(k);
        let cur = self.current_name();
        match name {
            "td" | "th" => {
                if cur == "table" {
                    self.insert(Cow::Borrowed("tbody"), (0, 0), false, true);
                }
                if self.current_name() != "tr" {
                    self.insert(Cow::Borrowed("tr"), (0, 0), false, true);
                }
            }
            "tr" if cur == "table" => {
                self.insert(Cow::Borrowed("tbody"), (0, 0), false, true);
            }
            "col" => {
                self.insert(Cow::Borrowed("colgroup"), (0, 0), false, true);
                self.insert(tag.name, tag.attrs, false, false);
                self.pop();
                return;
            }
            _ => {}
        }
        self.insert(tag.name, tag.attrs, false, true);
    }

    /// After a raw-text start tag: its text up to the matching end tag.
    fn raw_text(&mut self, idx: u32, raw: Option<RawKind>) {
        let Some(raw) = raw else { return };
        let src = self.bytes();
        let start = self.pos;
        let (text_end, resume) = match raw {
            RawKind::Plaintext => (src.len(), src.len()),
            // Nothing of a template's content is kept: it has no text to show.
            RawKind::Template => (start, template_end(src, start)),
            RawKind::Raw | RawKind::Rcdata => {
                let name = match &self.nodes[idx as usize].kind {
                    PKind::Element { name, .. } => name.as_bytes(),
                    _ => b"",
                };
                match find_end_tag(src, start, name) {
                    Some((te, re)) => (te, re),
                    None => (src.len(), src.len()),
                }
            }
        };
        if text_end > start {
            let t = &self.src[start..text_end];
            let t = match raw {
                RawKind::Rcdata => decode(t, false),
                _ => normalize_newlines(t),
            };
            let t = if self.skip_lf_for(idx) {
                match t {
                    Cow::Borrowed(b) => Cow::Borrowed(b.strip_prefix('\n').unwrap_or(b)),
                    Cow::Owned(o) => Cow::Owned(o.strip_prefix('\n').unwrap_or(&o).to_string()),
                }
            } else {
                t
            };
            if !t.is_empty() {
                let node = self.nodes.len() as u32;
                self.nodes.push(PNode {
                    kind: PKind::Text(t),
                    parent: idx,
                    end: node + 1,
                });
            }
        }
        // The element ends here (even when nesting was capped).
        if self.stack.last().is_some_and(|o| o.idx == idx) {
            self.pop();
        } else {
            self.close(idx);
        }
        self.pos = resume;
    }

    fn skip_lf_for(&self, idx: u32) -> bool {
        matches!(&self.nodes[idx as usize].kind, PKind::Element { name, .. } if name == "textarea")
    }

    fn end_tag(&mut self, name: &str) {
        self.skip_lf = false;
        if self.in_foreign() {
            // Foreign elements end at a matching foreign element, else fall through.
            if let Some(k) = self.search(
                |o| o.foreign && o.name.eq_ignore_ascii_case(name),
                |o| !o.foreign,
            ) {
                self.pop_to(k);
                return;
            }
        }
        match self.phase {
            Phase::Initial | Phase::BeforeHead => {
                if !matches!(name, "head" | "body" | "html" | "br") {
                    return;
                }
                if name == "br" {
                    self.ensure_body();
                } else {
                    return;
                }
            }
            Phase::InHead => {
                if name == "head" {
                    while self.stack.len() > 1 {
                        self.pop();
                    }
                    self.phase = Phase::AfterHead;
                    return;
                }
                if name == "br" {
                    self.ensure_body();
                } else {
                    return;
                }
            }
            Phase::AfterHead => {
                if name != "br" {
                    return;
                }
                self.ensure_body();
            }
            Phase::InBody => {}
        }
        match name {
            "body" | "html" => {}
            "p" => match self.in_scope("p", Scope::Button) {
                Some(k) => self.pop_to(k),
                None => {
                    self.insert(Cow::Borrowed("p"), (0, 0), false, false);
                }
            },
            "li" => {
                if let Some(k) = self.in_scope("li", Scope::ListItem) {
                    self.pop_to(k);
                }
            }
            "dd" | "dt" => {
                if let Some(k) = self.in_scope(name, Scope::Default) {
                    self.pop_to(k);
                }
            }
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                if let Some(k) = self.search(
                    |o| !o.foreign && is_heading(&o.name),
                    |o| is_scope_boundary(o, Scope::Default),
                ) {
                    self.pop_to(k);
                }
            }
            "br" => {
                self.insert(Cow::Borrowed("br"), (0, 0), false, false);
            }
            "table" | "tbody" | "thead" | "tfoot" | "tr" | "td" | "th" | "caption" | "colgroup" => {
                if let Some(k) = self.in_scope(name, Scope::Table) {
                    self.pop_to(k);
                }
            }
            _ if is_formatting(name) => {
                if let Some(k) =
                    self.search(|o| !o.foreign && o.name == name, |o| is_special(&o.name))
                {
                    self.pop_to(k);
                }
            }
            _ if is_special(name) => {
                if let Some(k) = self.in_scope(name, Scope::Default) {
                    self.pop_to(k);
                }
            }
            _ => {
                if let Some(k) =
                    self.search(|o| !o.foreign && o.name == name, |o| is_special(&o.name))
                {
                    self.pop_to(k);
                }
            }
        }
    }
}

/// Moves each fostered text node to just before its table, as the table's sibling, keeping
/// the arena in document order with contiguous subtrees. One linear pass.
fn foster<'s>(nodes: Vec<PNode<'s>>, fostered: &[(u32, u32)]) -> Vec<PNode<'s>> {
    let n = nodes.len();
    // Parents in old indexes; a fostered text's parent becomes its table's parent.
    let mut parent_old: Vec<u32> = nodes.iter().map(|x| x.parent).collect();
    let mut moved = vec![false; n];
    let mut before: std::collections::HashMap<u32, Vec<u32>> = std::collections::HashMap::new();
    for &(text, table) in fostered {
        moved[text as usize] = true;
        parent_old[text as usize] = nodes[table as usize].parent;
        before.entry(table).or_default().push(text);
    }
    let mut order: Vec<u32> = Vec::with_capacity(n);
    for i in 0..n as u32 {
        if let Some(texts) = before.get(&i) {
            order.extend_from_slice(texts);
        }
        if !moved[i as usize] {
            order.push(i);
        }
    }
    let mut new_of = vec![0u32; n];
    for (new, &old) in order.iter().enumerate() {
        new_of[old as usize] = new as u32;
    }
    let mut slots: Vec<Option<PNode<'s>>> = nodes.into_iter().map(Some).collect();
    let mut out: Vec<PNode<'s>> = Vec::with_capacity(n);
    for &old in &order {
        let Some(mut node) = slots[old as usize].take() else {
            continue;
        };
        node.parent = new_of[parent_old[old as usize] as usize];
        node.end = out.len() as u32 + 1;
        out.push(node);
    }
    // Subtree ends: a node ends after the last of its descendants (children come after their
    // parent, so one backward pass carries every end up).
    for i in (1..out.len()).rev() {
        let p = out[i].parent as usize;
        if out[p].end < out[i].end {
            out[p].end = out[i].end;
        }
    }
    if let Some(root) = out.first_mut() {
        root.parent = 0;
        root.end = n as u32;
    }
    out
}

/// A lowercased name, borrowed when it already is lowercase.
fn lower(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|c| c.is_ascii_uppercase() || c == 0) {
        Cow::Owned(
            s.chars()
                .map(|c| {
                    if c == '\0' {
                        '\u{fffd}'
                    } else {
                        c.to_ascii_lowercase()
                    }
                })
                .collect(),
        )
    } else {
        Cow::Borrowed(s)
    }
}

/// Index of the first `b` at or after `from`.
fn find_byte(src: &[u8], from: usize, b: u8) -> Option<usize> {
    memchr::memchr(b, src.get(from..)?).map(|p| from + p)
}

fn find_seq(src: &[u8], from: usize, pat: &[u8]) -> Option<usize> {
    memchr::memmem::find(src.get(from..)?, pat).map(|p| from + p)
}

/// End of a comment whose body starts at `body`: the index after `-->` (or `--!>`).
fn comment_end(src: &[u8], body: usize) -> usize {
    if src.get(body) == Some(&b'>') {
        return body + 1;
    }
    if src.get(body..body + 2) == Some(b"->") {
        return body + 2;
    }
    let mut from = body;
    while let Some(p) = find_seq(src, from, b"--") {
        match src.get(p + 2) {
            Some(b'>') => return p + 3,
            Some(b'!') if src.get(p + 3) == Some(&b'>') => return p + 4,
            _ => from = p + 1,
        }
    }
    src.len()
}

/// Where a template whose content starts at `from` ends: the index after its matching
/// `</template>` (nested `<template>` tags counted, comments skipped), or the end of input.
fn template_end(src: &[u8], from: usize) -> usize {
    const NAME: &[u8] = b"template";
    let mut depth = 1usize;
    let mut i = from;
    while let Some(p) = find_byte(src, i, b'<') {
        if src[p..].starts_with(b"<!--") {
            i = comment_end(src, p + 4);
            continue;
        }
        let close = src.get(p + 1) == Some(&b'/');
        let ns = p + 1 + usize::from(close);
        let ne = ns + NAME.len();
        let is_template = src.len() >= ne
            && src[ns..ne].eq_ignore_ascii_case(NAME)
            && src
                .get(ne)
                .is_none_or(|c| is_ws(*c) || *c == b'/' || *c == b'>');
        if !is_template {
            i = p + 1;
            continue;
        }
        let after = find_byte(src, ne, b'>').map_or(src.len(), |q| q + 1);
        if close {
            depth -= 1;
            if depth == 0 {
                return after;
            }
        } else {
            depth += 1;
        }
        i = after;
    }
    src.len()
}

/// The end tag `</name` (any case, followed by whitespace, `/` or `>`) at or after `from`:
/// (start of the end tag, index after its `>`).
fn find_end_tag(src: &[u8], from: usize, name: &[u8]) -> Option<(usize, usize)> {
    let mut i = from;
    while let Some(p) = find_seq(src, i, b"</") {
        let ns = p + 2;
        let ne = ns + name.len();
        if src.len() >= ne
            && src[ns..ne].eq_ignore_ascii_case(name)
            && src
                .get(ne)
                .is_none_or(|c| is_ws(*c) || *c == b'/' || *c == b'>')
        {
            let close = find_byte(src, ne, b'>').map_or(src.len(), |q| q + 1);
            return Some((p, close));
        }
        i = p + 2;
    }
    None
}

fn normalize_newlines(s: &str) -> Cow<'_, str> {
    if !s.as_bytes().contains(&b'\r') {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.replace("\r\n", "\n").replace('\r', "\n"))
}

/// Decodes character references, normalises newlines and drops NUL characters.
/// `in_attr` applies the attribute-value rule for named references without a semicolon.
pub fn decode(s: &str, in_attr: bool) -> Cow<'_, str> {
    let bytes = s.as_bytes();
    let Some(first) = bytes
        .iter()
        .position(|&c| c == b'&' || c == b'\r' || c == 0)
    else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len());
    out.push_str(&s[..first]);
    let mut i = first;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\r' => {
                out.push('\n');
                i += 1;
                if bytes.get(i) == Some(&b'\n') {
                    i += 1;
                }
            }
            0 => {
                if in_attr {
                    out.push('\u{fffd}');
                }
                i += 1;
            }
            b'&' => {
                i += char_ref(&s[i + 1..], in_attr, &mut out) + 1;
            }
            _ => {
                // Copy up to the next special byte.
                let rest = &bytes[i..];
                let n = rest
                    .iter()
                    .position(|&c| c == b'&' || c == b'\r' || c == 0)
                    .unwrap_or(rest.len());
                out.push_str(&s[i..i + n]);
                i += n;
            }
        }
    }
    Cow::Owned(out)
}

/// Decodes the character reference after a `&` (`rest` starts after it), pushing its text (or
/// a literal `&`) to `out`. Returns how many bytes of `rest` it consumed.
fn char_ref(rest: &str, in_attr: bool, out: &mut String) -> usize {
    let b = rest.as_bytes();
    if b.first() == Some(&b'#') {
        let (hex, start) = match b.get(1) {
            Some(b'x') | Some(b'X') => (true, 2),
            _ => (false, 1),
        };
        let mut j = start;
        let mut v: u32 = 0;
        while j < b.len() {
            let d = match (hex, b[j]) {
                (_, c @ b'0'..=b'9') => (c - b'0') as u32,
                (true, c @ b'a'..=b'f') => (c - b'a' + 10) as u32,
                (true, c @ b'A'..=b'F') => (c - b'A' + 10) as u32,
                _ => break,
            };
            v = v
                .saturating_mul(if hex { 16 } else { 10 })
                .saturating_add(d);
            j += 1;
        }
        if j == start {
            out.push('&');
            return 0;
        }
        if b.get(j) == Some(&b';') {
            j += 1;
        }
        let ch = match v {
            0 => '\u{fffd}',
            0x80..=0x9f => C1_REPLACEMENTS[(v - 0x80) as usize]
                .unwrap_or_else(|| char::from_u32(v).unwrap_or('\u{fffd}')),
            _ => char::from_u32(v).unwrap_or('\u{fffd}'),
        };
        out.push(ch);
        return j;
    }
    // Named: the longest name in the table that the input starts with.
    let mut best: Option<(usize, (u32, u32))> = None;
    let mut j = 0;
    while j < b.len() && j < 40 {
        let c = b[j];
        if !(c.is_ascii_alphanumeric() || c == b';') {
            break;
        }
        j += 1;
        match NAMED_ENTITIES.get(&rest[..j]) {
            Some(&m) => {
                if m.0 != 0 {
                    best = Some((j, m));
                }
            }
            None => break,
        }
        if c == b';' {
            break;
        }
    }
    let Some((n, (c1, c2))) = best else {
        out.push('&');
        return 0;
    };
    if in_attr
        && !rest[..n].ends_with(';')
        && b.get(n)
            .is_some_and(|&c| c == b'=' || c.is_ascii_alphanumeric())
    {
        out.push('&');
        return 0;
    }
    if let Some(c) = char::from_u32(c1) {
        out.push(c);
    }
    if c2 != 0
        && let Some(c) = char::from_u32(c2)
    {
        out.push(c);
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::{Strategy, prop};

    /// The tree as a compact string: elements as `name(children)`, text quoted.
    fn show(p: &Parsed<'_>) -> String {
        fn go(p: &Parsed<'_>, i: usize, out: &mut String) {
            let node = &p.nodes[i];
            match &node.kind {
                PKind::Text(t) => out.push_str(&format!("{t:?}")),
                PKind::Element { name, .. } => {
                    out.push_str(name);
                    out.push('(');
                    children(p, i, out);
                    out.push(')');
                }
                PKind::Root => children(p, i, out),
            }
        }
        fn children(p: &Parsed<'_>, i: usize, out: &mut String) {
            let end = p.nodes[i].end as usize;
            let mut j = i + 1;
            let mut first = true;
            while j < end {
                if !first {
                    out.push(' ');
                }
                first = false;
                assert_eq!(p.nodes[j].parent as usize, i, "parent of {j}");
                go(p, j, out);
                j = p.nodes[j].end as usize;
            }
        }
        let mut out = String::new();
        go(p, 0, &mut out);
        out
    }

    fn body(html: &str) -> String {
        let s = show(&parse(html));
        let start = s.find("body(").map_or(0, |p| p + 5);
        s[start..s.len() - 2].to_string()
    }

    #[test]
    fn implied_structure() {
        assert_eq!(show(&parse("hi")), "html(head() body(\"hi\"))");
        assert_eq!(
            show(&parse("<!DOCTYPE html><title>T &amp; U</title><p>x")),
            "html(head(title(\"T & U\")) body(p(\"x\")))"
        );
        assert_eq!(
            show(&parse(
                "<html lang=ko><meta charset=utf-8><div>a</div></html>after"
            )),
            "html(head(meta()) body(div(\"a\") \"after\"))"
        );
    }

    #[test]
    fn paragraphs_lists_headings() {
        assert_eq!(body("<p>a<p>b<div>c</div>"), "p(\"a\") p(\"b\") div(\"c\")");
        assert_eq!(body("<p>a<span>b<div>c"), "p(\"a\" span(\"b\")) div(\"c\")");
        assert_eq!(
            body("<ul><li>a<li>b<ul><li>c</ul></ul>"),
            "ul(li(\"a\") li(\"b\" ul(li(\"c\"))))"
        );
        assert_eq!(body("<h1>a<h2>b</h1>c"), "h1(\"a\") h2(\"b\") \"c\"");
        assert_eq!(body("x</p>y"), "\"x\" p() \"y\"");
        assert_eq!(body("<div><span>a</div>b"), "div(span(\"a\")) \"b\"");
        assert_eq!(body("<div>a</span>b</div>"), "div(\"ab\")");
        assert_eq!(body("<div/>a"), "div(\"a\")");
        assert_eq!(body("<a href=1>x<a href=2>y"), "a(\"x\") a(\"y\")");
    }

    #[test]
    fn tables() {
        assert_eq!(
            body("<table><tr><td>a<td>b<tr><td>c</table>d"),
            "table(tbody(tr(td(\"a\") td(\"b\")) tr(td(\"c\")))) \"d\""
        );
        assert_eq!(
            body("<table><td><div>a<td>b</table>"),
            "table(tbody(tr(td(div(\"a\")) td(\"b\"))))"
        );
        assert_eq!(body("<td>x</td>"), "\"x\"");
    }

    #[test]
    fn raw_text_and_comments() {
        assert_eq!(
            show(&parse(
                "<script>if (a<b) {}</script><!-- c --><style>p{}</style>z"
            )),
            "html(head(script(\"if (a<b) {}\") style(\"p{}\")) body(\"z\"))"
        );
        assert_eq!(
            body("<p>x<script>a</b></script>y"),
            "p(\"x\" script(\"a</b>\") \"y\")"
        );
        assert_eq!(body("a<!-->b"), "\"a\" \"b\"".replace("\" \"", ""));
        assert_eq!(body("<textarea>\n&lt;x</textarea>"), "textarea(\"<x\")");
        assert_eq!(body("<pre>\nline</pre>"), "pre(\"line\")");
        assert_eq!(body("a < b"), "\"a < b\"");
    }

    #[test]
    fn foreign_content() {
        assert_eq!(
            body("<svg><path d=\"x\"/><title>t</title></svg><p>a"),
            "svg(path() title(\"t\")) p(\"a\")"
        );
        assert_eq!(body("<svg><g><p>a"), "svg(g()) p(\"a\")");
    }

    #[test]
    fn references() {
        assert_eq!(
            decode("a &amp; b &lt;&gt; &#39;&#x27; &nbsp;", false),
            "a & b <> '' \u{a0}"
        );
        assert_eq!(decode("&notit; &amp &ampx", false), "¬it; & &x");
        assert_eq!(decode("?a=1&amp=2&copy", true), "?a=1&amp=2©");
        assert_eq!(
            decode("&#150; &#0; &#xD800; &#x110000;", false),
            "– \u{fffd} \u{fffd} \u{fffd}"
        );
        assert_eq!(decode("&unknown; & &#;", false), "&unknown; & &#;");
        assert_eq!(decode("a\r\nb\rc", false), "a\nb\nc");
    }

    #[test]
    fn attributes() {
        let p = parse("<div CLASS='a b' id=x data-x=\"1&amp;2\" class=dup hidden>t</div>");
        let i = p
            .nodes
            .iter()
            .position(|n| matches!(&n.kind, PKind::Element { name, .. } if name == "div"))
            .expect("div");
        let el = p.element(i).expect("element");
        assert_eq!(el.attr("class"), Some("a b"));
        assert_eq!(el.attr("id"), Some("x"));
        assert_eq!(el.attr("data-x"), Some("1&2"));
        assert_eq!(el.attr("hidden"), Some(""));
        assert_eq!(el.name(), "div");
    }

    /// Issue 15: duplicate attributes were found by scanning every earlier attribute of the
    /// tag, so one tag with 100k attributes took 27 s.
    #[test]
    fn regression_quadratic_attribute_check() {
        let mut html = String::from("<div");
        for i in 0..100_000 {
            html.push_str(&format!(" a{i}=v{i}"));
        }
        html.push_str(" a5=dup a20=dup A300=dup>text</div><p id=next>after");
        let p = parse(&html);
        let div = p
            .nodes
            .iter()
            .position(|n| matches!(&n.kind, PKind::Element { name, .. } if name == "div"))
            .expect("div");
        let PKind::Element { attrs, .. } = &p.nodes[div].kind else {
            unreachable!("position found an element")
        };
        assert_eq!(
            (attrs.1 - attrs.0) as usize,
            MAX_ATTRS,
            "attributes kept are bounded"
        );
        let el = p.element(div).expect("element");
        assert_eq!(el.attr("a5"), Some("v5"), "the first of duplicates wins");
        assert_eq!(
            el.attr("a20"),
            Some("v20"),
            "duplicates past the scan limit too"
        );
        assert_eq!(el.attr("a255"), Some("v255"));
        assert_eq!(el.attr("a256"), None, "past the bound");
        assert_eq!(body(&html), "div(\"text\") p(\"after\")");
        // Duplicates between the scan limit and the bound are still found by the set.
        let p = parse("<i a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 A9=x a10 a3=y>t</i>");
        let i = p
            .nodes
            .iter()
            .position(|n| matches!(&n.kind, PKind::Element { name, .. } if name == "i"))
            .expect("i");
        let PKind::Element { attrs, .. } = &p.nodes[i].kind else {
            unreachable!("position found an element")
        };
        assert_eq!(attrs.1 - attrs.0, 11);
        assert_eq!(p.element(i).expect("i").attr("a9"), Some(""));
    }

    /// Issue 15: template content is never rendered, yet it showed as page text (in the body)
    /// or leaked out of the head.
    #[test]
    fn regression_template_content_leaked() {
        assert_eq!(
            body("<p>a<template><p>hidden<template>x</template>still</template>b"),
            "p(\"a\" template() \"b\")"
        );
        assert_eq!(
            show(&parse("<head><template><p>t</p></template></head><p>x")),
            "html(head(template()) body(p(\"x\")))"
        );
        assert_eq!(
            body("<p><template><!-- </template> -->y</template>z"),
            "p(template() \"z\")"
        );
        assert_eq!(body("<p>x<template>open"), "p(\"x\" template())");
    }

    /// Issue 15: text directly inside a table (not in a cell) was kept inside the table,
    /// glued to the last cell's text; browsers move it before the table.
    #[test]
    fn regression_foster_parented_text_lost() {
        assert_eq!(
            body("<table>A<td>B</td>C</table>"),
            "\"A\" \"C\" table(tbody(tr(td(\"B\"))))"
        );
        assert_eq!(
            body("<div>x<table><tr>y<td>z</td></tr> </table>w</div>"),
            "div(\"x\" \"y\" table(tbody(tr(td(\"z\")) \" \")) \"w\")"
        );
        // Nested: the inner table's stray text stays in the outer cell, before the inner table.
        assert_eq!(
            body("<table><td>a<table>in<td>b</table></table>"),
            "table(tbody(tr(td(\"a\" \"in\" table(tbody(tr(td(\"b\"))))))))"
        );
    }

    /// The arena's invariants: document order, parents before children, contiguous subtrees.
    fn check_arena(p: &Parsed<'_>) {
        let n = p.nodes.len();
        assert!(matches!(p.nodes[0].kind, PKind::Root));
        assert_eq!(p.nodes[0].end as usize, n);
        for (i, node) in p.nodes.iter().enumerate().skip(1) {
            let parent = node.parent as usize;
            assert!(parent < i, "parent of {i} comes before it");
            assert!(node.end as usize > i && node.end as usize <= n);
            assert!(
                node.end <= p.nodes[parent].end,
                "{i} ends within its parent"
            );
            if let PKind::Element { attrs, .. } = &node.kind {
                assert!(attrs.0 <= attrs.1 && attrs.1 as usize <= p.attrs.len());
                assert!((attrs.1 - attrs.0) as usize <= MAX_ATTRS);
            }
        }
        // Siblings tile their parent's range.
        for (i, node) in p.nodes.iter().enumerate() {
            let mut j = i + 1;
            while j < node.end as usize {
                assert_eq!(p.nodes[j].parent as usize, i, "child {j} of {i}");
                j = p.nodes[j].end as usize;
            }
        }
    }

    fn soup() -> impl Strategy<Value = String> {
        let parts = prop::sample::select(vec![
            "<table>",
            "</table>",
            "<tr>",
            "<td>",
            "</td>",
            "<caption>",
            "<colgroup>",
            "<p>",
            "</p>",
            "<b>",
            "</b>",
            "<div a=1 a=2 A=3>",
            "</div>",
            "<template>",
            "</template>",
            "<svg>",
            "</svg>",
            "<![CDATA[c]]>",
            "<!--",
            "-->",
            "<script>",
            "</script>",
            "<noframes>",
            "<select>",
            "<option>",
            "<button>",
            "<li>",
            "<h1>",
            "&amp;",
            "&#0;",
            "\0",
            "\r\n",
            " ",
            "text",
            "한글",
            "<",
            ">",
            "\"",
            "=",
            "<pre>",
            "<textarea>",
        ]);
        prop::collection::vec(parts, 0..80).prop_map(|v| v.concat())
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..800)) {
            let s = String::from_utf8_lossy(&bytes);
            check_arena(&parse(&s));
        }

        #[test]
        fn tag_soup_keeps_the_arena_well_formed(html in soup()) {
            let p = parse(&html);
            check_arena(&p);
            // Empty text nodes are never made.
            for node in &p.nodes {
                if let PKind::Text(t) = &node.kind {
                    proptest::prop_assert!(!t.is_empty());
                }
            }
        }
    }

    #[test]
    fn deep_nesting_is_capped() {
        let html = format!("{}x{}", "<div>".repeat(5000), "</div>".repeat(5000));
        let p = parse(&html);
        let depth = |mut i: usize| {
            let mut d = 0;
            while i != 0 {
                i = p.nodes[i].parent as usize;
                d += 1;
            }
            d
        };
        let text = p
            .nodes
            .iter()
            .position(|n| matches!(n.kind, PKind::Text(_)))
            .expect("text");
        assert!(depth(text) <= MAX_DEPTH + 1);
    }
}
