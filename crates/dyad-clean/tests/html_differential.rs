//! Differential test of dyad's HTML parser against html5ever (a full WHATWG tree builder).
//!
//! Both parsers' trees are reduced to what matters for main-text extraction: the sequence of
//! block-level text runs (text between block boundaries, whitespace collapsed, hidden elements
//! such as `<script>`, `<template>` and `<noframes>` left out). The cases are
//! `test_data/differential/cases.txt` (written for this project, in the spirit of html5lib's
//! tree-construction tests) and the AEB pages (`../shared/bench/aeb/html` beside the
//! repository; skipped when absent, required when `CI` is set).
//!
//! Deliberate differences are listed in `test_data/differential/allow.toml`, each with its
//! reason and, for the AEB pages, the number of differing runs allowed. The test fails on any
//! difference not listed, on a page whose differences grow, and on a listed case that no longer
//! differs (so the list stays true).

use std::borrow::Cow;
use std::cell::{Ref, RefCell};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use dyad_clean::parse::{PKind, Parsed, parse};
use html5ever::interface::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::{Attribute, QualName, local_name, ns};

/// A parsed page reduced to names and text.
enum T {
    El(String, Vec<T>),
    Text(String),
}

// --- dyad's parser --------------------------------------------------------------------------

fn dyad_tree(html: &str) -> T {
    let p = parse(html);
    build(&p, 0)
}

fn build(p: &Parsed<'_>, i: usize) -> T {
    let node = &p.nodes[i];
    let mut children = Vec::new();
    let end = node.end as usize;
    let mut j = i + 1;
    while j < end {
        children.push(build(p, j));
        j = (p.nodes[j].end as usize).max(j + 1);
    }
    match &node.kind {
        PKind::Root => T::El("#document".into(), children),
        PKind::Element { name, .. } => T::El(name.to_string(), children),
        PKind::Text(t) => T::Text(t.to_string()),
    }
}

// --- html5ever ------------------------------------------------------------------------------

/// A minimal arena sink for html5ever. Template contents go to nodes no one points to, as they
/// are not rendered.
struct Sink {
    nodes: RefCell<Vec<SNode>>,
}

struct SNode {
    name: QualName,
    text: Option<String>,
    children: Vec<usize>,
    parent: Option<usize>,
    contents: Option<usize>,
}

impl Sink {
    fn new() -> Sink {
        Sink {
            nodes: RefCell::new(vec![SNode::new(QualName::new(
                None,
                ns!(),
                local_name!(""),
            ))]),
        }
    }

    fn push(&self, node: SNode) -> usize {
        let mut nodes = self.nodes.borrow_mut();
        nodes.push(node);
        nodes.len() - 1
    }

    fn detach(&self, child: usize) {
        let mut nodes = self.nodes.borrow_mut();
        if let Some(p) = nodes[child].parent.take() {
            nodes[p].children.retain(|&c| c != child);
        }
    }

    /// Adds a child at `pos` of `parent`'s children, merging text with a text neighbour.
    fn insert(&self, parent: usize, pos: usize, child: NodeOrText<usize>) {
        match child {
            NodeOrText::AppendText(t) => {
                let mut nodes = self.nodes.borrow_mut();
                if pos > 0 {
                    let prev = nodes[parent].children[pos - 1];
                    if let Some(text) = nodes[prev].text.as_mut() {
                        text.push_str(&t);
                        return;
                    }
                }
                let mut n = SNode::new(QualName::new(None, ns!(), local_name!("")));
                n.text = Some(t.to_string());
                n.parent = Some(parent);
                nodes.push(n);
                let id = nodes.len() - 1;
                nodes[parent].children.insert(pos, id);
            }
            NodeOrText::AppendNode(id) => {
                self.detach(id);
                let mut nodes = self.nodes.borrow_mut();
                let pos = pos.min(nodes[parent].children.len());
                nodes[id].parent = Some(parent);
                nodes[parent].children.insert(pos, id);
            }
        }
    }

    fn tree(&self, i: usize) -> T {
        let nodes = self.nodes.borrow();
        let n = &nodes[i];
        if let Some(t) = &n.text {
            return T::Text(t.clone());
        }
        let children = n.children.iter().map(|&c| self.tree(c)).collect();
        let name = if i == 0 {
            "#document".to_string()
        } else {
            n.name.local.to_string()
        };
        T::El(name, children)
    }
}

impl SNode {
    fn new(name: QualName) -> SNode {
        SNode {
            name,
            text: None,
            children: Vec::new(),
            parent: None,
            contents: None,
        }
    }
}

impl TreeSink for Sink {
    type Handle = usize;
    type Output = Sink;
    type ElemName<'a> = Ref<'a, QualName>;

    fn finish(self) -> Sink {
        self
    }
    fn parse_error(&self, _msg: Cow<'static, str>) {}
    fn get_document(&self) -> usize {
        0
    }
    fn elem_name<'a>(&'a self, target: &'a usize) -> Ref<'a, QualName> {
        Ref::map(self.nodes.borrow(), |n| &n[*target].name)
    }
    fn create_element(&self, name: QualName, _attrs: Vec<Attribute>, flags: ElementFlags) -> usize {
        let id = self.push(SNode::new(name));
        if flags.template {
            let contents = self.push(SNode::new(QualName::new(None, ns!(), local_name!(""))));
            self.nodes.borrow_mut()[id].contents = Some(contents);
        }
        id
    }
    fn create_comment(&self, _text: StrTendril) -> usize {
        // Comments have no text to show: an empty element stands for them.
        self.push(SNode::new(QualName::new(None, ns!(), local_name!(""))))
    }
    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> usize {
        self.push(SNode::new(QualName::new(None, ns!(), local_name!(""))))
    }
    fn append(&self, parent: &usize, child: NodeOrText<usize>) {
        let pos = self.nodes.borrow()[*parent].children.len();
        self.insert(*parent, pos, child);
    }
    fn append_based_on_parent_node(
        &self,
        element: &usize,
        prev_element: &usize,
        child: NodeOrText<usize>,
    ) {
        if self.nodes.borrow()[*element].parent.is_some() {
            self.append_before_sibling(element, child);
        } else {
            self.append(prev_element, child);
        }
    }
    fn append_doctype_to_document(&self, _: StrTendril, _: StrTendril, _: StrTendril) {}
    fn get_template_contents(&self, target: &usize) -> usize {
        self.nodes.borrow()[*target].contents.unwrap_or(*target)
    }
    fn same_node(&self, x: &usize, y: &usize) -> bool {
        x == y
    }
    fn set_quirks_mode(&self, _mode: QuirksMode) {}
    fn append_before_sibling(&self, sibling: &usize, new_node: NodeOrText<usize>) {
        let (parent, pos) = {
            let nodes = self.nodes.borrow();
            let Some(parent) = nodes[*sibling].parent else {
                return;
            };
            let pos = nodes[parent]
                .children
                .iter()
                .position(|c| c == sibling)
                .unwrap_or(0);
            (parent, pos)
        };
        if let NodeOrText::AppendNode(id) = &new_node {
            // Detaching first may shift the sibling's position.
            self.detach(*id);
            let nodes = self.nodes.borrow();
            let pos = nodes[parent]
                .children
                .iter()
                .position(|c| c == sibling)
                .unwrap_or(0);
            drop(nodes);
            return self.insert(parent, pos, new_node);
        }
        self.insert(parent, pos, new_node);
    }
    fn add_attrs_if_missing(&self, _target: &usize, _attrs: Vec<Attribute>) {}
    fn remove_from_parent(&self, target: &usize) {
        self.detach(*target);
    }
    fn reparent_children(&self, node: &usize, new_parent: &usize) {
        let children = std::mem::take(&mut self.nodes.borrow_mut()[*node].children);
        let mut nodes = self.nodes.borrow_mut();
        for &c in &children {
            nodes[c].parent = Some(*new_parent);
        }
        nodes[*new_parent].children.extend(children);
    }
}

fn html5ever_tree(html: &str) -> T {
    let sink = html5ever::parse_document(Sink::new(), Default::default()).one(html);
    sink.tree(0)
}

// --- Block text runs ------------------------------------------------------------------------

fn hidden(name: &str) -> bool {
    matches!(
        name,
        "head"
            | "script"
            | "style"
            | "template"
            | "noscript"
            | "noframes"
            | "noembed"
            | "iframe"
            | "title"
    )
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "body"
            | "br"
            | "button"
            | "caption"
            | "center"
            | "dd"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "dt"
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
            | "header"
            | "hgroup"
            | "hr"
            | "html"
            | "legend"
            | "li"
            | "listing"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "optgroup"
            | "option"
            | "p"
            | "plaintext"
            | "pre"
            | "section"
            | "select"
            | "summary"
            | "table"
            | "tbody"
            | "td"
            | "textarea"
            | "tfoot"
            | "th"
            | "thead"
            | "tr"
            | "ul"
            | "xmp"
    )
}

/// The block-level text runs of a tree, in order.
fn runs(t: &T) -> Vec<String> {
    fn flush(cur: &mut String, out: &mut Vec<String>) {
        let run = cur.split_whitespace().collect::<Vec<_>>().join(" ");
        if !run.is_empty() {
            out.push(run);
        }
        cur.clear();
    }
    fn walk(t: &T, cur: &mut String, out: &mut Vec<String>) {
        match t {
            T::Text(s) => cur.push_str(s),
            T::El(name, children) => {
                if hidden(name) {
                    return;
                }
                let block = is_block(name);
                if block {
                    flush(cur, out);
                }
                for c in children {
                    walk(c, cur, out);
                }
                if block {
                    flush(cur, out);
                }
            }
        }
    }
    let mut cur = String::new();
    let mut out = Vec::new();
    walk(t, &mut cur, &mut out);
    flush(&mut cur, &mut out);
    out
}

/// Runs one parser yields and the other does not (as multisets): (dyad only, html5ever only).
fn differences(html: &str) -> (Vec<String>, Vec<String>) {
    let ours = runs(&dyad_tree(html));
    let theirs = runs(&html5ever_tree(html));
    if ours == theirs {
        return (Vec::new(), Vec::new());
    }
    let mut count: HashMap<&str, i64> = HashMap::new();
    for r in &ours {
        *count.entry(r).or_default() += 1;
    }
    for r in &theirs {
        *count.entry(r).or_default() -= 1;
    }
    let only = |list: &[String], sign: i64| -> Vec<String> {
        let mut left = count.clone();
        list.iter()
            .filter(|r| {
                let c = left.entry(r.as_str()).or_default();
                if *c * sign > 0 {
                    *c -= sign;
                    true
                } else {
                    false
                }
            })
            .cloned()
            .collect()
    };
    let (a, b) = (only(&ours, 1), only(&theirs, -1));
    if a.is_empty() && b.is_empty() {
        // Same runs in another order.
        return (
            vec![format!("order: {ours:?}")],
            vec![format!("order: {theirs:?}")],
        );
    }
    (a, b)
}

// --- Data -----------------------------------------------------------------------------------

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/differential")
}

/// `=== name` lines start cases; `{NUL}` stands for a NUL byte and `{DEEP}` for 600 nested
/// `<div>`s around some text; `#` lines before the first case are comments.
fn cases() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(data_dir().join("cases.txt")).expect("cases.txt");
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("=== ") {
            out.push((name.trim().to_string(), String::new()));
        } else if let Some((_, html)) = out.last_mut() {
            if !html.is_empty() {
                html.push('\n');
            }
            let deep = format!(
                "{}deep text{}after",
                "<div>".repeat(600),
                "</div>".repeat(600)
            );
            html.push_str(&line.replace("{NUL}", "\0").replace("{DEEP}", &deep));
        }
    }
    out
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AllowList {
    allow: Vec<Allowed>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Allowed {
    case: String,
    reason: String,
    /// For AEB pages: how many differing runs are allowed.
    runs: Option<usize>,
}

fn allow_list() -> HashMap<String, Allowed> {
    let text = std::fs::read_to_string(data_dir().join("allow.toml")).expect("allow.toml");
    let list: AllowList = toml::from_str(&text).expect("allow.toml parses");
    let mut out = HashMap::new();
    for a in list.allow {
        assert!(
            !a.reason.trim().is_empty(),
            "{}: a reason is required",
            a.case
        );
        let name = a.case.clone();
        assert!(out.insert(name.clone(), a).is_none(), "{name} listed twice");
    }
    out
}

fn shared() -> Option<PathBuf> {
    let p = std::env::var_os("DYAD_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    if p.is_dir() {
        return Some(p);
    }
    if std::env::var_os("CI").is_some() {
        panic!("../shared is missing and CI is set: the AEB pages are required in CI");
    }
    eprintln!("skipping the AEB pages: ../shared is not beside the repository");
    None
}

fn show(d: &(Vec<String>, Vec<String>)) -> String {
    format!("dyad only: {:?}\n    html5ever only: {:?}", d.0, d.1)
}

/// The reference is real: html5ever moves stray table text before the table and hides
/// template content, and a difference is seen when the trees' text differs.
#[test]
fn the_reference_and_the_comparison_work() {
    let r = |h: &str| runs(&html5ever_tree(h));
    assert_eq!(r("<p>a</p>b<div>c</div>"), ["a", "b", "c"]);
    assert_eq!(r("<table>A<td>B</td>C</table>"), ["AC", "B"]);
    assert_eq!(r("<p>x<template>hidden</template>y"), ["xy"]);
    assert_eq!(runs(&dyad_tree("<table>A<td>B</td>C</table>")), ["AC", "B"]);
    let d = differences("<table><tr><td>a</td><span>b</span></tr></table>");
    assert_eq!(d.0, [r#"order: ["a", "b"]"#]);
    assert_eq!(d.1, [r#"order: ["b", "a"]"#]);
}

#[test]
fn cases_match_html5ever_or_are_allowed() {
    let allow = allow_list();
    let cases = cases();
    assert!(
        cases.len() >= 40,
        "expected the cases file, got {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for (name, html) in &cases {
        let d = differences(html);
        let differs = !d.0.is_empty() || !d.1.is_empty();
        match (differs, allow.contains_key(name)) {
            (true, false) => failures.push(format!("{name}: new difference\n    {}", show(&d))),
            (false, true) => failures.push(format!("{name}: allowed but no longer differs")),
            _ => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn aeb_pages_match_html5ever_or_are_allowed() {
    let Some(shared) = shared() else { return };
    let dir = shared.join("bench/aeb/html");
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the AEB pages")
        .map(|e| e.expect("dir entry").path())
        .collect();
    pages.sort();
    assert!(pages.len() >= 100, "AEB pages in {dir:?}");
    let allow = allow_list();
    let mut failures = Vec::new();
    let mut same = 0;
    for page in &pages {
        let name = page.file_name().map(|n| n.to_string_lossy().into_owned());
        let Some(name) = name else { continue };
        let id = name.split('.').next().unwrap_or(&name);
        let mut bytes = Vec::new();
        let file = std::fs::File::open(page).expect("page opens");
        if name.ends_with(".gz") {
            flate2::read::GzDecoder::new(file)
                .read_to_end(&mut bytes)
                .expect("gzip");
        } else {
            std::io::BufReader::new(file)
                .read_to_end(&mut bytes)
                .expect("page reads");
        }
        let html = String::from_utf8_lossy(&bytes);
        let d = differences(&html);
        let n = d.0.len() + d.1.len();
        let key = format!("aeb:{id}");
        match allow.get(&key) {
            None if n > 0 => {
                failures.push(format!("{key}: {n} new differing runs\n    {}", show(&d)))
            }
            None => same += 1,
            Some(a) => {
                let max = a.runs.unwrap_or(0);
                if n > max {
                    failures.push(format!(
                        "{key}: {n} differing runs, {max} allowed\n    {}",
                        show(&d)
                    ));
                } else if n == 0 {
                    failures.push(format!("{key}: allowed but no longer differs"));
                }
            }
        }
    }
    eprintln!(
        "{same} of {} AEB pages give the same runs as html5ever",
        pages.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
