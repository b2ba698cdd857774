//! `dyad bench --compare trafilatura`: the comparison is optional. A missing Python is a clear
//! error of that option; with a Python that has trafilatura (`$DYAD_PYTHON`), both systems are
//! measured in one run. Without one, that part skips with a message.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn dyad() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dyad"));
    c.env_remove("DYAD_DATA")
        .env_remove("DYAD_PYTHON")
        .env("NO_COLOR", "1");
    c
}

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/sample")
}

#[test]
fn missing_python_is_a_clear_error() {
    let out = dyad()
        .arg("bench")
        .arg(sample())
        .args(["--repeat", "1", "--compare", "trafilatura"])
        .args(["--python", "/nonexistent/dyad-test-python"])
        .output()
        .expect("dyad runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/nonexistent/dyad-test-python"), "{err}");
}

#[test]
fn unknown_system_is_a_usage_error() {
    let out = dyad()
        .arg("bench")
        .arg(sample())
        .args(["--compare", "newspaper"])
        .output()
        .expect("dyad runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

#[test]
fn trafilatura_side_by_side() {
    let Some(python) = std::env::var_os("DYAD_PYTHON") else {
        eprintln!("skipped: set DYAD_PYTHON to a Python with trafilatura to run this test");
        return;
    };
    let has = Command::new(&python)
        .args(["-c", "import trafilatura"])
        .status()
        .is_ok_and(|s| s.success());
    if !has {
        eprintln!("skipped: {python:?} cannot import trafilatura");
        return;
    }
    let out = dyad()
        .arg("bench")
        .arg(sample())
        .args([
            "--repeat",
            "1",
            "--json",
            "--compare",
            "trafilatura",
            "--python",
        ])
        .arg(&python)
        .output()
        .expect("dyad runs");
    assert!(out.status.success(), "{out:?}");
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let c = &v["compare"];
    assert!(
        c["system"]
            .as_str()
            .is_some_and(|s| s.starts_with("trafilatura")),
        "{v}"
    );
    assert!(c["pages_per_s"].as_f64().is_some_and(|x| x > 0.0), "{v}");
    assert!(
        v["clean_pages_per_s"].as_f64().is_some_and(|x| x > 0.0),
        "{v}"
    );
}
