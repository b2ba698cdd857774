//! `dyad bench`: throughput of cleaning and extraction on one core, measured in process on
//! inputs already read and decoded (file IO and decompression excluded), and main-text quality
//! against a ground truth in the article-extraction-benchmark format.
//!
//! Throughput is given per second of wall-clock time and, where the platform tells (Linux),
//! per second of this thread's CPU time: on a busy machine the second is what one core does.
//! `--compare trafilatura` runs `scripts/bench_trafilatura.py` (embedded in the binary) under
//! a Python that has trafilatura, on the same decoded pages, and scores its output the same way.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result};
use dyad_model::RawDoc;
use serde_json::{Value, json};

use crate::pipeline::Stages;

pub struct Report {
    pub pages: usize,
    pub input_mb: f64,
    pub clean_pages_per_s: f64,
    /// Pages per second of CPU time of the measuring thread, where known.
    pub clean_pages_per_cpu_s: Option<f64>,
    pub text_mb: f64,
    pub link_mb_per_s: f64,
    pub pipeline_docs_per_s: f64,
    pub f1: Option<(f64, f64, f64)>,
}

impl Report {
    pub fn to_json(&self) -> Value {
        json!({
            "pages": self.pages,
            "input_mb": self.input_mb,
            "clean_pages_per_s": self.clean_pages_per_s,
            "clean_pages_per_cpu_s": self.clean_pages_per_cpu_s,
            "clean_text_mb": self.text_mb,
            "link_mb_per_s": self.link_mb_per_s,
            "pipeline_docs_per_s": self.pipeline_docs_per_s,
            "f1": self.f1.map(|f| f.0),
            "precision": self.f1.map(|f| f.1),
            "recall": self.f1.map(|f| f.2),
        })
    }
}

/// Runs the benchmark over documents in memory, `repeat` times each stage, on this thread.
pub fn run(
    raws: &[RawDoc],
    stages: &Stages,
    repeat: usize,
    truth: Option<&Path>,
) -> Result<Report> {
    let repeat = repeat.max(1);
    let input_bytes: usize = raws.iter().map(|r| r.content.len()).sum();

    // Cleaning.
    let mut docs = Vec::new();
    let (t, cpu) = (Instant::now(), thread_cpu_s());
    for i in 0..repeat {
        let out: Vec<_> = raws.iter().map(|r| stages.cleaner.clean(r)).collect();
        if i == 0 {
            docs = out;
        }
    }
    let clean_s = t.elapsed().as_secs_f64() / repeat as f64;
    let clean_cpu_s = cpu
        .zip(thread_cpu_s())
        .map(|(a, b)| (b - a) / repeat as f64);

    // Entity linking on the clean text.
    let text_bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    let t = Instant::now();
    for _ in 0..repeat {
        for d in &docs {
            let mut d = d.clone();
            stages.extractor.extract(&mut d);
        }
    }
    let link_s = t.elapsed().as_secs_f64() / repeat as f64;

    // The whole pipeline, document by document.
    let t = Instant::now();
    for _ in 0..repeat {
        for r in raws {
            let mut d = stages.cleaner.clean(r);
            stages.extractor.extract(&mut d);
        }
    }
    let pipeline_s = t.elapsed().as_secs_f64() / repeat as f64;

    let f1 = match truth {
        Some(path) => {
            let pred: HashMap<String, &str> = raws
                .iter()
                .zip(&docs)
                .map(|(r, d)| (page_key(&r.input), d.text.as_str()))
                .collect();
            Some(score_against(path, &pred)?)
        }
        None => None,
    };
    let mb = |b: usize| b as f64 / 1e6;
    Ok(Report {
        pages: raws.len(),
        input_mb: mb(input_bytes),
        clean_pages_per_s: raws.len() as f64 / clean_s.max(1e-9),
        clean_pages_per_cpu_s: clean_cpu_s.map(|c| raws.len() as f64 / c.max(1e-9)),
        text_mb: mb(text_bytes),
        link_mb_per_s: mb(text_bytes) / link_s.max(1e-9),
        pipeline_docs_per_s: raws.len() as f64 / pipeline_s.max(1e-9),
        f1,
    })
}

/// Seconds of CPU time this thread has used, from `/proc/thread-self/schedstat` (Linux).
fn thread_cpu_s() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// A page's key in the ground truth: its file name up to the first dot.
fn page_key(input: &str) -> String {
    let name = input.rsplit('/').next().unwrap_or(input);
    name.split('.').next().unwrap_or(name).to_string()
}

/// Another extractor measured side by side.
pub struct Comparison {
    pub system: String,
    pub pages_per_s: f64,
    pub pages_per_cpu_s: Option<f64>,
    pub f1: Option<(f64, f64, f64)>,
}

impl Comparison {
    pub fn to_json(&self) -> Value {
        json!({
            "system": self.system,
            "pages_per_s": self.pages_per_s,
            "pages_per_cpu_s": self.pages_per_cpu_s,
            "f1": self.f1.map(|f| f.0),
            "precision": self.f1.map(|f| f.1),
            "recall": self.f1.map(|f| f.2),
        })
    }
}

/// The script that times trafilatura; it reads the pages as JSON Lines on standard input.
const TRAFILATURA_SCRIPT: &str = include_str!("../../../scripts/bench_trafilatura.py");

/// Runs trafilatura (through `python`) over the same decoded HTML pages, `repeat` times, and
/// scores its output against `truth`. An error says what is missing (Python, trafilatura).
pub fn compare_trafilatura(
    raws: &[RawDoc],
    python: &str,
    repeat: usize,
    truth: Option<&Path>,
) -> Result<Comparison> {
    let mut input = Vec::new();
    let mut n = 0usize;
    for r in raws.iter().filter(|r| r.format == dyad_model::Format::Html) {
        serde_json::to_writer(
            &mut input,
            &json!({"key": page_key(&r.input), "html": r.content}),
        )?;
        input.push(b'\n');
        n += 1;
    }
    if n == 0 {
        anyhow::bail!("no HTML pages to give trafilatura");
    }
    let mut child = Command::new(python)
        .args([
            "-c",
            TRAFILATURA_SCRIPT,
            "--repeat",
            &repeat.max(1).to_string(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| {
            format!("cannot run {python} (set --python to a Python with trafilatura)")
        })?;
    let mut stdin = child
        .stdin
        .take()
        .context("no stdin for the Python process")?;
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output()?;
    // A write error only means the child stopped reading; its exit status says why.
    let _ = writer.join();
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let hint = if out.status.code() == Some(3) {
            " (install it: python3 -m venv VENV && VENV/bin/pip install trafilatura lxml_html_clean, then --python VENV/bin/python)"
        } else {
            ""
        };
        anyhow::bail!("{python}: trafilatura run failed: {}{hint}", err.trim());
    }
    let v: Value =
        serde_json::from_slice(&out.stdout).context("reading the trafilatura script's output")?;
    let secs = v.get("seconds").and_then(Value::as_f64).unwrap_or(0.0);
    let cpu = v.get("cpu_seconds").and_then(Value::as_f64);
    let texts: HashMap<String, &str> = v
        .get("texts")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, t)| (k.clone(), t.as_str().unwrap_or("")))
                .collect()
        })
        .unwrap_or_default();
    let f1 = match truth {
        Some(path) => Some(score_against(path, &texts)?),
        None => None,
    };
    Ok(Comparison {
        system: v
            .get("system")
            .and_then(Value::as_str)
            .unwrap_or("trafilatura")
            .to_string(),
        pages_per_s: n as f64 / secs.max(1e-9),
        pages_per_cpu_s: cpu.map(|c| n as f64 / c.max(1e-9)),
        f1,
    })
}

/// The article-extraction-benchmark metric: F1 over multisets of 4-word shingles, precision
/// and recall macro-averaged over pages. Predictions are keyed like the truth (file name up
/// to the first dot).
fn score_against(path: &Path, pred: &HashMap<String, &str>) -> Result<(f64, f64, f64)> {
    let truth: HashMap<String, Value> = serde_json::from_str(
        &std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?,
    )
    .with_context(|| format!("{}: not a ground-truth JSON object", path.display()))?;
    let (mut ps, mut rs) = (Vec::new(), Vec::new());
    for (key, item) in &truth {
        let body = item
            .get("articleBody")
            .and_then(Value::as_str)
            .unwrap_or("");
        let (tp, fp, fn_) = page_counts(body, pred.get(key).copied().unwrap_or(""));
        if tp + fp > 0.0 {
            ps.push(tp / (tp + fp));
        }
        if tp + fn_ > 0.0 {
            rs.push(tp / (tp + fn_));
        }
    }
    let avg = |v: &[f64]| {
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let (p, r) = (avg(&ps), avg(&rs));
    let f = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    Ok((f, p, r))
}

fn shingles(text: &str) -> HashMap<Vec<String>, usize> {
    let tokens: Vec<String> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    let mut out = HashMap::new();
    if tokens.len() < 4 {
        if !tokens.is_empty() {
            *out.entry(tokens).or_insert(0) += 1;
        }
        return out;
    }
    for w in tokens.windows(4) {
        *out.entry(w.to_vec()).or_insert(0) += 1;
    }
    out
}

fn page_counts(truth: &str, pred: &str) -> (f64, f64, f64) {
    let (t, p) = (shingles(truth), shingles(pred));
    let mut tp = 0usize;
    for (k, &n) in &p {
        tp += n.min(t.get(k).copied().unwrap_or(0));
    }
    let fp = p.values().sum::<usize>() - tp;
    let fn_ = t.values().sum::<usize>() - tp;
    let total = (tp + fp + fn_) as f64;
    if total == 0.0 {
        return (0.0, 0.0, 0.0);
    }
    (tp as f64 / total, fp as f64 / total, fn_ as f64 / total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shingle_scores() {
        assert_eq!(page_counts("a b c d e", "a b c d e"), (1.0, 0.0, 0.0));
        let (tp, fp, fn_) = page_counts("a b c d e", "a b c d x");
        assert!(
            (tp - 1.0 / 3.0).abs() < 1e-9
                && (fp - 1.0 / 3.0).abs() < 1e-9
                && (fn_ - 1.0 / 3.0).abs() < 1e-9
        );
        assert_eq!(page_counts("", ""), (0.0, 0.0, 0.0));
    }
}
