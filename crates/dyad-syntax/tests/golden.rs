//! Golden CoNLL-U for texts written for the project: every `test_data/golden/<name>.<lang>.txt`
//! is parsed (no models: UPOS/HEAD/DEPREL are `_`) and compared with `<name>.<lang>.conllu`.
//! Run with `UPDATE_GOLDEN=1` to rewrite the golden files, then review the diff by eye.

use std::path::Path;

use dyad_syntax::Lang;
use dyad_syntax::render::write_conllu;

#[test]
fn golden_conllu() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/golden");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .expect("test_data/golden exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 5, "expected the golden texts in {dir:?}");
    let mut failures = Vec::new();
    for input in inputs {
        let stem = input
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8 name");
        let lang = match stem.rsplit('.').next() {
            Some("ko") => Lang::Ko,
            Some("en") => Lang::En,
            other => panic!("{input:?}: name it <name>.en.txt or <name>.ko.txt, not {other:?}"),
        };
        let text = std::fs::read_to_string(&input).expect("readable");
        let mut got = String::new();
        write_conllu(&mut got, &text, lang, stem, None);
        let golden = input.with_extension("conllu");
        if update {
            std::fs::write(&golden, &got).expect("writable");
            continue;
        }
        let want = std::fs::read_to_string(&golden)
            .unwrap_or_else(|_| panic!("missing {golden:?}; run with UPDATE_GOLDEN=1"));
        if got != want {
            failures.push(format!(
                "{stem}: output differs from {golden:?}\n--- got:\n{got}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
