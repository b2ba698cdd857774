//! Embeds the trained models under `data/syntax/` when they exist, so the crate also builds
//! (with untrained stand-ins) before the first training run.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let dir = manifest.join("../../data/syntax");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut code = String::new();
    for (name, file) in [("EN", "en.bin"), ("KO", "ko.bin")] {
        let path = dir.join(file);
        println!("cargo:rerun-if-changed={}", path.display());
        if path.is_file() {
            let abs = path.canonicalize().unwrap_or(path);
            let _ = writeln!(
                code,
                "pub(crate) const {name}: &[u8] = include_bytes!({:?});",
                abs.display().to_string()
            );
        } else {
            let _ = writeln!(code, "pub(crate) const {name}: &[u8] = &[];");
        }
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("embedded.rs");
    if let Err(e) = std::fs::write(&out, code) {
        panic!("cannot write {}: {e}", out.display());
    }
}
