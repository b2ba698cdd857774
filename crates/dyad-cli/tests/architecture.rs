//! The crate boundaries ARCHITECTURE.md states ("Dependencies point one way", "what each crate
//! must not know"), checked against every crate's manifest.

use std::collections::BTreeSet;
use std::path::Path;

/// Each crate with the dyad crates it may depend on (normal, dev and build dependencies).
const ALLOWED: &[(&str, &[&str])] = &[
    ("dyad-model", &[]),
    ("dyad-syntax", &[]),
    ("dyad-fetch", &[]),
    ("dyad-dedup", &[]),
    ("dyad-kb", &["dyad-model"]),
    ("dyad-ingest", &["dyad-model"]),
    ("dyad-clean", &["dyad-model"]),
    ("dyad-store", &["dyad-model"]),
    ("dyad-search", &["dyad-model"]),
    (
        "dyad-extract",
        &["dyad-model", "dyad-clean", "dyad-kb", "dyad-syntax"],
    ),
    ("dyad-track", &["dyad-model", "dyad-store"]),
    (
        "dyad-server",
        &[
            "dyad-model",
            "dyad-store",
            "dyad-search",
            "dyad-kb",
            "dyad-track",
            "dyad-extract",
        ],
    ),
    (
        "dyad-fuzz",
        &[
            "dyad-model",
            "dyad-clean",
            "dyad-extract",
            "dyad-ingest",
            "dyad-search",
        ],
    ),
];

fn dyad_dependencies(manifest: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(manifest).expect("manifest");
    let doc: toml::Table = text.parse().expect("manifest TOML");
    ["dependencies", "dev-dependencies", "build-dependencies"]
        .iter()
        .filter_map(|k| doc.get(*k).and_then(|v| v.as_table()))
        .flat_map(|t| t.keys().cloned())
        .filter(|k| k.starts_with("dyad-"))
        .collect()
}

#[test]
fn every_crate_depends_only_on_what_the_architecture_allows() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut seen = BTreeSet::new();
    for entry in std::fs::read_dir(&crates).expect("crates/") {
        let dir = entry.expect("entry").path();
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let manifest = dir.join("Cargo.toml");
        if !manifest.is_file() {
            continue;
        }
        seen.insert(name.clone());
        let deps = dyad_dependencies(&manifest);
        assert!(
            !deps.contains("dyad-cli"),
            "{name} depends on dyad-cli: nothing may"
        );
        if name == "dyad-cli" {
            continue;
        }
        let allowed = ALLOWED
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, a)| *a)
            .unwrap_or_else(|| {
                panic!("{name} is not in ARCHITECTURE's table: add it there and here")
            });
        for d in &deps {
            assert!(
                allowed.contains(&d.as_str()),
                "{name} depends on {d}, which ARCHITECTURE.md does not allow"
            );
        }
    }
    for (name, _) in ALLOWED {
        assert!(seen.contains(*name), "{name} is listed but not in crates/");
    }
}
