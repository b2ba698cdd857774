//! Replays every committed fuzz input through the targets' bodies: the seed corpora
//! (`fuzz/corpus/<target>/`) and the inputs that once crashed (`fuzz/regressions/<target>/`),
//! plus the crates' own fixtures and, when present, pages of `../shared`, as whole-input seeds.
//!
//! A crash found by the fuzzer is fixed by adding its input to `fuzz/regressions/<target>/`
//! under a name that says what broke; the named tests below pin each such bug.

use std::fs;
use std::path::{Path, PathBuf};

use dyad_fuzz::TARGETS;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

fn target(name: &str) -> fn(&[u8]) {
    TARGETS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, f)| *f)
        .unwrap_or_else(|| panic!("no fuzz target {name}"))
}

/// Runs `f` on `data`, naming the input if it panics.
fn replay(name: &str, path: &Path, data: &[u8]) {
    let f = target(name);
    let res = std::panic::catch_unwind(|| f(data));
    assert!(
        res.is_ok(),
        "fuzz target {name} crashed on {}",
        path.display()
    );
}

#[test]
fn every_target_has_a_harness_and_a_seed_corpus() {
    let fuzz = repo().join("fuzz");
    let manifest = fs::read_to_string(fuzz.join("Cargo.toml")).expect("fuzz/Cargo.toml");
    for (name, _) in TARGETS {
        let src = fuzz.join(format!("fuzz_targets/{name}.rs"));
        let body = fs::read_to_string(&src).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
        assert!(
            body.contains(&format!("dyad_fuzz::{name}(")),
            "{} does not call dyad_fuzz::{name}",
            src.display()
        );
        assert!(
            manifest.contains(&format!("name = \"{name}\"")),
            "fuzz/Cargo.toml declares no target {name}"
        );
        let seeds = files(&fuzz.join("corpus").join(name));
        assert!(
            seeds.len() >= 3,
            "fuzz/corpus/{name} has {} seeds, want at least 3",
            seeds.len()
        );
    }
    // No harness without a body: every file in fuzz_targets is a target of the table.
    for src in files(&fuzz.join("fuzz_targets")) {
        let stem = src.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        assert!(
            TARGETS.iter().any(|(n, _)| *n == stem),
            "{} has no entry in dyad_fuzz::TARGETS",
            src.display()
        );
    }
}

#[test]
fn seed_corpora_and_regressions_replay_without_crashing() {
    let fuzz = repo().join("fuzz");
    let mut n = 0;
    for (name, _) in TARGETS {
        for dir in ["corpus", "regressions"] {
            for path in files(&fuzz.join(dir).join(name)) {
                let data = fs::read(&path).expect("read a fuzz input");
                replay(name, &path, &data);
                n += 1;
            }
        }
    }
    assert!(n >= 3 * TARGETS.len(), "only {n} inputs replayed");
}

/// The crates' own fixtures, whole, through the targets that read them.
#[test]
fn crate_fixtures_replay_without_crashing() {
    let root = repo();
    let html = files(&root.join("crates/dyad-clean/test_data/html"));
    let containers = files(&root.join("crates/dyad-ingest/test_data/containers"));
    assert!(
        !html.is_empty() && !containers.is_empty(),
        "fixtures missing"
    );
    for path in &html {
        let data = fs::read(path).expect("read a fixture");
        replay("html_parse", path, &data);
        replay("decode", path, &data);
        let mut as_html = vec![0u8];
        as_html.extend_from_slice(&data);
        replay("clean", path, &as_html);
    }
    for path in &containers {
        let data = fs::read(path).expect("read a fixture");
        for name in ["feed", "sitemap", "warc", "jsonl", "warc_gz"] {
            replay(name, path, &data);
        }
    }
}

/// `../shared` beside the repository: a sample of its pages as whole inputs. Skipped with a
/// message when absent, except in CI.
#[test]
fn shared_pages_replay_without_crashing() {
    let shared = repo().join("../shared");
    if !shared.is_dir() {
        if std::env::var_os("CI").is_some() {
            panic!("../shared is missing and CI is set: the shared pages are required in CI");
        }
        eprintln!("skipping: ../shared is not beside the repository");
        return;
    }
    let pages = files(&shared.join("bench/aeb/html"));
    let mut n = 0;
    for path in pages.iter().step_by(20) {
        let data = fs::read(path).expect("read a shared page");
        let data = if data.starts_with(&[0x1f, 0x8b]) {
            use std::io::Read;
            let mut out = Vec::new();
            flate2::read::MultiGzDecoder::new(&data[..])
                .read_to_end(&mut out)
                .expect("gunzip a shared page");
            out
        } else {
            data
        };
        replay("html_parse", path, &data);
        replay("decode", path, &data);
        n += 1;
    }
    assert!(n > 0, "no pages under ../shared/bench/aeb/html");
}

/// Found by the feed target: an XML declaration whose `encoding=` is followed by NUL bytes
/// makes quick-xml (inside feed-rs) panic. dyad-ingest catches it and reports the feed as
/// broken; this pins that the panic never escapes `read_container`.
#[test]
fn feed_rs_panic_on_nul_encoding_is_caught() {
    let mut input = b"<?xml version=\"1.0\" encoding=".to_vec();
    input.extend(std::iter::repeat_n(0u8, 64));
    let result = dyad_ingest_read("feed.rss", &input);
    assert!(result.is_err() || result.is_ok_and(|n| n == 0));
    let path = repo().join("fuzz/regressions/feed/feed_rs_panic_on_nul_encoding_caught.xml");
    let data = fs::read(&path).expect("the committed crash input");
    replay("feed", &path, &data);
}

fn dyad_ingest_read(input: &str, bytes: &[u8]) -> Result<usize, String> {
    dyad_ingest::read_container(input, bytes, dyad_ingest::Limits::default())
        .map(|c| c.records.len() + c.links.len())
        .map_err(|e| e.to_string())
}
