//! The read → clean pipeline shared by `extract`, `ingest` and `demo`: inputs are processed in
//! parallel in chunks, and results come back in input order, one chunk at a time, so memory
//! stays bounded however many inputs there are.

use std::collections::HashMap;

use dyad_clean::Cleaner;
use dyad_extract::Extractor;
use dyad_ingest::{Item, Limits, ListError};
use dyad_model::Document;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

/// How many inputs are processed together.
pub const CHUNK: usize = 256;

/// Cleaning and extraction, built once per run.
pub struct Stages {
    pub cleaner: Cleaner,
    pub extractor: Extractor,
}

/// One input's result.
pub enum Outcome {
    Doc(Box<Document>),
    Failed { input: String, error: String },
}

/// Runs `f` over every result, in input order. Listing errors come first.
pub fn run(
    items: &[Item],
    list_errors: Vec<ListError>,
    stages: &Stages,
    limits: Limits,
    progress: bool,
    mut f: impl FnMut(Vec<Outcome>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let failed: Vec<Outcome> = list_errors
        .into_iter()
        .map(|e| Outcome::Failed {
            input: e.input,
            error: e.error,
        })
        .collect();
    if !failed.is_empty() {
        f(failed)?;
    }
    let bar = progress_bar(items.len() as u64, progress);
    for chunk in items.chunks(CHUNK) {
        let outcomes: Vec<Outcome> = chunk
            .par_iter()
            .map(|item| {
                let out = process(item, stages, limits);
                bar.inc(1);
                out
            })
            .collect();
        f(outcomes)?;
    }
    bar.finish_and_clear();
    Ok(())
}

/// Reads and cleans one input. Never panics past this point: a panic in cleaning would be a
/// bug, and it is reported as that input's failure rather than aborting the run.
pub fn process(item: &Item, stages: &Stages, limits: Limits) -> Outcome {
    let raw = match dyad_ingest::read(item, limits) {
        Ok(raw) => raw,
        Err(e) => {
            return Outcome::Failed {
                input: item.input.clone(),
                error: e.to_string(),
            };
        }
    };
    let run = || {
        let mut doc = stages.cleaner.clean(&raw);
        stages.extractor.extract(&mut doc);
        doc
    };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
        Ok(doc) => Outcome::Doc(Box::new(doc)),
        Err(_) => Outcome::Failed {
            input: item.input.clone(),
            error: "internal error while cleaning or extracting (a bug: please report it with this input)".into(),
        },
    }
}

fn progress_bar(len: u64, enabled: bool) -> ProgressBar {
    if !enabled || len < 2 {
        return ProgressBar::hidden();
    }
    // indicatif draws only when stderr is a terminal.
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} {per_sec} {msg}",
    ) {
        bar.set_style(style);
    }
    bar
}

/// Marks documents whose text repeats the text of an earlier document of the same run.
#[derive(Default)]
pub struct Duplicates {
    first: HashMap<String, String>,
}

impl Duplicates {
    /// Sets `duplicate_of` to the input of the first document with the same text, or records
    /// this document as the first.
    pub fn mark(&mut self, doc: &mut Document) {
        if doc.text.trim().is_empty() {
            return;
        }
        let fp = dyad_model::text_fingerprint(&doc.text);
        match self.first.get(&fp) {
            Some(first) if *first != doc.input => doc.duplicate_of = Some(first.clone()),
            Some(_) => {}
            None => {
                self.first.insert(fp, doc.input.clone());
            }
        }
    }
}
