//! Hooks for the fuzz targets (`crates/dyad-fuzz`, `fuzz/`): not part of the API.
//!
//! The HTML parser is private to this crate; fuzzing it on its own finds its faults before the
//! extractor's heuristics hide them, so this module exposes it together with a check of the
//! tree's shape.

use crate::parse::{self, PKind};

/// Parses `html` and checks the shape the extractor relies on: nodes in document order, each
/// subtree a contiguous range inside its parent's, attribute ranges inside the attribute list.
/// Panics (for the fuzzer to report) when the shape is wrong. Returns the number of nodes.
pub fn parse_and_check(html: &str) -> usize {
    let parsed = parse::parse(html);
    let nodes = &parsed.nodes;
    assert!(!nodes.is_empty(), "no root node");
    assert!(
        matches!(nodes[0].kind, PKind::Root),
        "node 0 is not the root"
    );
    assert_eq!(
        nodes[0].end as usize,
        nodes.len(),
        "the root does not span every node"
    );
    for (i, node) in nodes.iter().enumerate().skip(1) {
        let parent = node.parent as usize;
        let end = node.end as usize;
        assert!(
            parent < i,
            "node {i}: parent {parent} does not come before it"
        );
        assert!(
            end > i && end <= nodes.len(),
            "node {i}: subtree end {end} out of range"
        );
        assert!(
            end <= nodes[parent].end as usize,
            "node {i}: subtree ends at {end}, after its parent's ({})",
            nodes[parent].end
        );
        match &node.kind {
            PKind::Root => panic!("node {i}: a second root"),
            PKind::Text(_) => assert_eq!(end, i + 1, "text node {i} has children"),
            PKind::Element { name, attrs } => {
                assert!(!name.is_empty(), "element {i} has an empty name");
                assert!(
                    attrs.0 <= attrs.1 && attrs.1 as usize <= parsed.attrs.len(),
                    "element {i}: attribute range {attrs:?} out of range"
                );
                let el = parsed.element(i);
                assert!(el.is_some(), "element {i} not readable as an element");
            }
        }
    }
    nodes.len()
}
