//! The commands. Each resolves its arguments, does its work through the library crates, and
//! returns the exit status.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use dyad_clean::{Cleaner, Lexicon};
use dyad_ingest::Limits;
use dyad_kb::EntryRef;
use dyad_model::Document;
use dyad_search::{Index, Query};
use dyad_store::{PutOutcome, Store};
use serde_json::json;

use crate::pipeline::{self, Duplicates, NearIndex, Outcome, Stages};
use crate::sources::{Sources, is_url};
use crate::{Cli, Command, KbCommand, OutputFormat, ReadArgs, StoreArgs, TokenCommand};

/// The sample corpus written for the project, bundled into the binary for `dyad demo`.
static SAMPLE: include_dir::Dir<'static> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/../../corpus/sample");

pub fn run(cli: Cli) -> Result<ExitCode> {
    let quiet = cli.quiet;
    match cli.command {
        Command::Extract { read, format } => extract(&read, format),
        Command::Ingest { read, store } => {
            let dir = data_dir(&store)?;
            let lock = writer_lock(&dir, quiet)?;
            let summary = ingest(&read, &dir, &lock, quiet)?;
            if let Err(e) = crate::track::after_ingest(&dir, quiet) {
                eprintln!("dyad: commitment tracker: {e:#} (run `dyad commitments update`)");
                return Ok(ExitCode::from(1));
            }
            Ok(summary.status())
        }
        Command::Search {
            query,
            lang,
            since,
            until,
            source,
            limit,
            json,
            store,
        } => {
            let q = Query {
                text: query,
                lang,
                since,
                until,
                source,
                limit,
                offset: 0,
            };
            search(&open_existing(&store)?, &q, json)
        }
        Command::Show {
            id,
            removed,
            json,
            syntax,
            store,
        } => {
            if syntax {
                let dir = open_existing(&store)?;
                let Some(doc) = Store::open(&dir)?.get(&id)? else {
                    bail!("no document with id {id:?}");
                };
                return crate::parse::show_syntax(&doc);
            }
            show(&open_existing(&store)?, &id, removed, json)
        }
        Command::Parse { paths, lang } => crate::parse::parse(&paths, lang.as_deref()),
        Command::Stats { json, store } => stats(&open_existing(&store)?, json),
        Command::Demo {
            data_dir,
            no_serve,
            addr,
            net,
        } => {
            let status = demo(&data_dir, quiet)?;
            if no_serve {
                return Ok(status);
            }
            serve(&data_dir, addr, &net)?;
            Ok(status)
        }
        Command::Serve { addr, net, store } => {
            serve(&data_dir(&store)?, addr, &net).map(|()| ExitCode::SUCCESS)
        }
        Command::Token(TokenCommand::Create { name, store }) => {
            token_create(&data_dir(&store)?, &name)
        }
        Command::Token(TokenCommand::List { json, store }) => {
            token_list(&open_existing(&store)?, json)
        }
        Command::Token(TokenCommand::Revoke { token, store }) => {
            token_revoke(&open_existing(&store)?, &token)
        }
        Command::Kb(KbCommand::Check { kb, store }) => kb_check(&kb, &store),
        Command::Commitments(c) => crate::track::run(c, quiet),
        Command::Watch {
            config,
            once,
            cycles,
            kb,
            threads,
            dup_threshold,
            allow_private_addresses,
            store,
        } => {
            let dir = data_dir(&store)?;
            let allow_private_addresses =
                allow_private_addresses || crate::watch::load(&config)?.allow_private;
            let read = ReadArgs {
                paths: Vec::new(),
                max_size: Limits::default().max_bytes,
                lexicon: None,
                kb,
                fetch: true,
                allow_private_addresses,
                threads,
                dup_threshold,
                budget: crate::BudgetArgs::default(),
            };
            let stages = stages(&read, Some(&dir))?;
            let cycles = if once { Some(1) } else { cycles };
            crate::watch::run(&config, &dir, &stages, limits(&read), cycles, quiet)
        }
        Command::Generate {
            count,
            out,
            per_file,
            copies,
            seed,
        } => {
            let kb = load_kb(&[], None)?;
            let n = crate::synth::generate(&kb, count, &out, per_file, copies, seed)?;
            if !quiet {
                eprintln!(
                    "dyad: wrote {count} synthetic article(s) in {n} file(s) to {}",
                    out.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            read,
            truth,
            repeat,
            json,
            compare,
            python,
        } => bench(
            &read,
            truth.as_deref(),
            repeat,
            json,
            compare.as_deref(),
            python,
        ),
        Command::Entities {
            name,
            limit,
            json,
            store,
        } => entities(&open_existing(&store)?, name.as_deref(), limit, json),
        Command::Kb(KbCommand::Lookup {
            name,
            on,
            kb,
            store,
        }) => kb_lookup(&name, on.as_deref(), &kb, &store),
    }
}

/// Takes the data directory's writer lock, waiting (and saying so) while another dyad writes.
pub(crate) fn writer_lock(dir: &Path, quiet: bool) -> Result<dyad_store::WriterLock> {
    dyad_store::WriterLock::acquire(dir, |pid| {
        if !quiet {
            let who = pid.map(|p| format!(" (pid {p})")).unwrap_or_default();
            eprintln!(
                "dyad: waiting for another dyad writing to {}{who}…",
                dir.display()
            );
        }
    })
    .with_context(|| format!("locking {} for writing", dir.display()))
}

fn data_dir(args: &StoreArgs) -> Result<PathBuf> {
    match &args.data_dir {
        Some(d) => Ok(d.clone()),
        None => dirs::data_dir()
            .map(|d| d.join("dyad"))
            .context("no data directory: pass --data-dir or set DYAD_DATA"),
    }
}

/// The data directory of a command that reads a store: it must exist already.
pub(crate) fn open_existing(args: &StoreArgs) -> Result<PathBuf> {
    let dir = data_dir(args)?;
    if !dir.join("dyad.sqlite3").exists() {
        bail!(
            "no store in {} (run `dyad ingest PATH --data-dir {}` first)",
            dir.display(),
            dir.display()
        );
    }
    Ok(dir)
}

/// The knowledge base: the shipped files, then `<data dir>/kb/*.toml`, then `--kb` files.
fn load_kb(extra: &[PathBuf], data_dir: Option<&Path>) -> Result<dyad_kb::Kb> {
    let mut paths: Vec<PathBuf> = Vec::new();
    if let Some(d) = data_dir {
        let dir = d.join("kb");
        if dir.is_dir() {
            paths.push(dir);
        }
    }
    paths.extend(extra.iter().cloned());
    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    Ok(dyad_kb::Kb::load(&refs)?)
}

fn stages(read: &ReadArgs, data_dir: Option<&Path>) -> Result<Stages> {
    let mut lexicon = Lexicon::default();
    if let Some(path) = &read.lexicon {
        lexicon.extend_from(path)?;
    }
    let budget = read.budget.resolve().map_err(anyhow::Error::msg)?;
    let kb = load_kb(&read.kb, data_dir)?;
    if !(0.0..=1.0).contains(&read.dup_threshold) {
        bail!(
            "--dup-threshold must be between 0 and 1, not {}",
            read.dup_threshold
        );
    }
    if let Some(n) = read.threads {
        // The global pool can be built once per process; a second call (demo after ingest in
        // one process) keeps the first size.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global();
    }
    let fetcher = read.fetch.then(|| {
        dyad_fetch::Fetcher::new(dyad_fetch::Config {
            max_bytes: read.max_size,
            allow_private: read.allow_private_addresses,
            ..dyad_fetch::Config::default()
        })
    });
    Ok(Stages {
        cleaner: Cleaner::new(lexicon),
        extractor: dyad_extract::Extractor::new(kb, dyad_extract::EntityLexicon::default()),
        budget,
        fetcher,
        dedup: dyad_dedup::Config {
            threshold: read.dup_threshold,
            ..dyad_dedup::Config::default()
        },
    })
}

/// The run's sources: URLs as URLs, everything else through the folder walk.
fn sources<'a>(read: &ReadArgs, stages: &'a Stages, store: Option<Store>) -> Sources<'a> {
    fn flush(paths: &mut Vec<String>, src: &mut Sources<'_>) {
        let (items, errors) = dyad_ingest::expand(paths);
        for e in errors {
            src.push_outcome(Outcome::Failed {
                input: e.input,
                error: e.error,
            });
        }
        for i in items {
            src.push_item(i);
        }
        paths.clear();
    }
    let mut src = Sources::new(limits(read), stages.fetcher.as_ref(), store);
    let mut paths = Vec::new();
    for p in &read.paths {
        if is_url(p) {
            flush(&mut paths, &mut src);
            src.push_url(p.clone());
        } else {
            paths.push(p.clone());
        }
    }
    flush(&mut paths, &mut src);
    src
}

fn limits(read: &ReadArgs) -> Limits {
    Limits {
        max_bytes: read.max_size,
    }
}

fn report_warnings(doc: &Document) {
    for w in &doc.warnings {
        eprintln!("dyad: warning: {}: {w}", doc.input);
    }
}

fn extract(read: &ReadArgs, format: OutputFormat) -> Result<ExitCode> {
    let stages = stages(read, None)?;
    let units = sources(read, &stages, None);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = 0usize;
    let mut first = true;
    let mut dups = Duplicates::default();
    let mut near = NearIndex::new(stages.dedup.clone());
    if format == OutputFormat::Json {
        writeln!(out, "[")?;
    }
    pipeline::run(units, &stages, limits(read), false, |outcomes| {
        for o in outcomes {
            let value = match o {
                Outcome::Doc(mut doc, keys) => {
                    report_warnings(&doc);
                    dups.mark(&mut doc);
                    if doc.duplicate_of.is_none() {
                        doc.duplicate_of = near.find(&doc.input, &keys);
                    }
                    near.insert(&doc.input, &keys, doc.duplicate_of.as_deref());
                    serde_json::to_value(&*doc)?
                }
                Outcome::Failed { input, error } => {
                    eprintln!("dyad: {input}: {error}");
                    failed += 1;
                    json!({ "input": input, "error": error })
                }
                Outcome::Unchanged { .. } => continue,
                Outcome::Note { input, message } => {
                    eprintln!("dyad: {input}: {message}");
                    continue;
                }
            };
            match format {
                OutputFormat::Jsonl => serde_json::to_writer(&mut out, &value)?,
                OutputFormat::Json => {
                    if !first {
                        writeln!(out, ",")?;
                    }
                    serde_json::to_writer_pretty(&mut out, &value)?;
                }
            }
            first = false;
            if format == OutputFormat::Jsonl {
                writeln!(out)?;
            }
        }
        out.flush()?;
        Ok(())
    })?;
    if format == OutputFormat::Json {
        writeln!(out, "\n]")?;
    }
    out.flush()?;
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// What an ingest did.
#[derive(Debug, Default)]
pub struct Summary {
    pub new: usize,
    pub unchanged: usize,
    /// New documents linked to an earlier near-duplicate (or exact duplicate).
    pub duplicates: usize,
    pub failed: Vec<(String, String)>,
}

impl Summary {
    fn status(&self) -> ExitCode {
        if self.failed.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        }
    }
}

/// Feeds the index whatever the store holds and the index does not: first everything beyond
/// the index's watermark (after a crash between the store's commit and the index's), then,
/// when the counts still differ, every stored seq missing from the index, wherever it sits
/// (an index committed past a document it never received, as the concurrent writers of
/// issue 15 left it). Needs the writer lock.
pub(crate) fn catch_up(
    store: &Store,
    index: &mut Index,
    _lock: &dyad_store::WriterLock,
) -> Result<usize> {
    let mut from = index.indexed_upto()?;
    let mut added = 0;
    loop {
        let batch = store.documents_after(from, 512)?;
        let Some((last, _)) = batch.last() else { break };
        let last = *last;
        for (seq, doc) in &batch {
            index.add(*seq, doc)?;
        }
        added += batch.len();
        index.commit(last)?;
        from = last;
    }
    if index.num_docs()? == store.document_count()? {
        return Ok(added);
    }
    let indexed = index.indexed_seqs()?;
    let mut after = 0;
    let mut pending = 0;
    loop {
        let seqs = store.seqs_after(after, 4096)?;
        let Some(&last) = seqs.last() else { break };
        for seq in seqs {
            if indexed.binary_search(&seq).is_ok() {
                continue;
            }
            if let Some(doc) = store.document_at(seq)? {
                index.add(seq, &doc)?;
                added += 1;
                pending += 1;
            }
        }
        if pending >= 512 {
            index.commit(from)?;
            pending = 0;
        }
        after = last;
    }
    if pending > 0 {
        index.commit(from)?;
    }
    Ok(added)
}

/// Puts documents into the store and the index, a batch per transaction, linking each to the
/// first-seen exact or near duplicate (in the batch, or in the store).
pub struct Ingester {
    pub store: Store,
    index: Index,
    /// The highest seq the index holds (its next commit's watermark).
    upto: i64,
    dups: Duplicates,
    near: NearIndex,
    threshold: f64,
    quiet: bool,
    pub summary: Summary,
}

impl Ingester {
    /// Opens the store and the index of `dir`, whose writer lock the caller holds, and brings
    /// the index up to the store.
    pub fn open(
        dir: &Path,
        lock: &dyad_store::WriterLock,
        stages: &Stages,
        quiet: bool,
    ) -> Result<Ingester> {
        let store =
            Store::open(dir).with_context(|| format!("opening the store in {}", dir.display()))?;
        // Bounded memory: the store is read through the page cache, not mapped.
        store.set_mmap_limit(0)?;
        let mut index = Index::open(dir)
            .with_context(|| format!("opening the full-text index in {}", dir.display()))?;
        let recovered = catch_up(&store, &mut index, lock)?;
        if recovered > 0 && !quiet {
            eprintln!("dyad: indexed {recovered} document(s) left over from an interrupted run");
        }
        let upto = index.indexed_upto()?;
        Ok(Ingester {
            store,
            index,
            upto,
            dups: Duplicates::default(),
            near: NearIndex::new(stages.dedup.clone()),
            threshold: stages.dedup.threshold,
            quiet,
            summary: Summary::default(),
        })
    }

    /// The first-seen stored document that `keys` nearly duplicates (not `input` itself).
    fn near_in_store(&self, input: &str, keys: &dyad_store::NearKeys) -> Result<Option<String>> {
        let sig = dyad_dedup::Signature(keys.signature.clone());
        for c in self.store.near_candidates(&keys.bands)? {
            if dyad_dedup::similarity(&sig, &dyad_dedup::Signature(c.signature)) < self.threshold {
                continue;
            }
            match self.store.near_source(c.seq)? {
                Some((first, _)) if first == input => {}
                Some((first, duplicate_of)) => return Ok(Some(duplicate_of.unwrap_or(first))),
                None => {}
            }
        }
        Ok(None)
    }

    pub fn handle(&mut self, outcomes: Vec<Outcome>) -> Result<()> {
        let mut docs = Vec::new();
        let mut keys = Vec::new();
        for o in outcomes {
            match o {
                Outcome::Doc(mut doc, k) => {
                    if !self.quiet {
                        report_warnings(&doc);
                    }
                    self.dups.mark(&mut doc);
                    if doc.duplicate_of.is_none() && !doc.text.trim().is_empty() {
                        let fp = dyad_model::text_fingerprint(&doc.text);
                        doc.duplicate_of = self
                            .store
                            .find_by_fingerprint(&fp)?
                            .filter(|first| *first != doc.input);
                    }
                    if doc.duplicate_of.is_none() {
                        doc.duplicate_of = match self.near.find(&doc.input, &k) {
                            Some(d) => Some(d),
                            None => self.near_in_store(&doc.input, &k)?,
                        };
                    }
                    self.near
                        .insert(&doc.input, &k, doc.duplicate_of.as_deref());
                    docs.push(*doc);
                    keys.push(k);
                }
                Outcome::Failed { input, error } => {
                    eprintln!("dyad: {input}: {error}");
                    self.store.record_failure(&input, &error)?;
                    self.summary.failed.push((input, error));
                }
                Outcome::Unchanged { input } => {
                    tracing::debug!("{input}: unchanged, not fetched again");
                    self.summary.unchanged += 1;
                }
                Outcome::Note { input, message } => {
                    if !self.quiet {
                        eprintln!("dyad: {input}: {message}");
                    }
                }
            }
        }
        let puts = self.store.put_documents_with_keys(&docs, &keys)?;
        // The batch is in the store now: near-duplicates of it are found there.
        self.near.clear();
        for (doc, put) in docs.iter().zip(&puts) {
            match put {
                PutOutcome::New { seq } => {
                    self.index.add(*seq, doc)?;
                    self.upto = self.upto.max(*seq);
                    self.summary.new += 1;
                    if doc.duplicate_of.is_some() {
                        self.summary.duplicates += 1;
                    }
                }
                PutOutcome::Unchanged { .. } => self.summary.unchanged += 1,
            }
            self.store.clear_failure(&doc.input)?;
        }
        // The watermark is the highest seq this writer indexed, never the store's: a seq it
        // did not index must stay above the mark, for the next catch-up to find it.
        if puts.iter().any(PutOutcome::is_new) {
            self.index.commit(self.upto)?;
        }
        Ok(())
    }
}

/// Resident memory of this process from `/proc/self/status` (Linux): the peak so far, and
/// how much of the current figure is mapped files (the store and index, which SQLite and
/// tantivy map: page cache the kernel can drop) rather than the process's own memory.
pub fn memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb * 1024)
    };
    let peak = dyad_ingest::human(field("VmHWM:")?);
    Some(match (field("RssAnon:"), field("RssFile:")) {
        (Some(anon), Some(file)) => format!(
            "{peak} peak RSS; now {} own + {} mapped store/index files",
            dyad_ingest::human(anon),
            dyad_ingest::human(file)
        ),
        _ => format!("{peak} peak RSS"),
    })
}

fn ingest(
    read: &ReadArgs,
    dir: &Path,
    lock: &dyad_store::WriterLock,
    quiet: bool,
) -> Result<Summary> {
    let started = Instant::now();
    let stages = stages(read, Some(dir))?;
    let mut ing = Ingester::open(dir, lock, &stages, quiet)?;
    let lookup = if stages.fetcher.is_some() {
        Some(Store::open(dir)?)
    } else {
        None
    };
    let units = sources(read, &stages, lookup);
    let progress = !quiet && std::io::stderr().is_terminal();
    pipeline::run(units, &stages, limits(read), progress, |o| ing.handle(o))?;
    let summary = ing.summary;
    if !quiet {
        let secs = started.elapsed().as_secs_f64();
        let total = summary.new + summary.unchanged + summary.failed.len();
        eprintln!(
            "dyad: ingested {total} input(s) into {}: {} new, {} unchanged, {} failed; {} linked to an earlier duplicate ({secs:.1} s, {:.0} inputs/s on {} thread(s), memory: {})",
            dir.display(),
            summary.new,
            summary.unchanged,
            summary.failed.len(),
            summary.duplicates,
            total as f64 / secs.max(1e-9),
            rayon::current_num_threads(),
            memory().unwrap_or_else(|| "unknown".into()),
        );
        for (input, error) in &summary.failed {
            eprintln!("  failed: {input}: {error}");
        }
    }
    Ok(summary)
}

fn highlight(fragment: &str, ranges: &[(usize, usize)], tty: bool) -> String {
    let (on, off) = if tty {
        ("\x1b[1;33m", "\x1b[0m")
    } else {
        ("**", "**")
    };
    let mut s = String::new();
    let mut at = 0;
    for &(a, b) in ranges {
        if a < at
            || b > fragment.len()
            || !fragment.is_char_boundary(a)
            || !fragment.is_char_boundary(b)
        {
            continue;
        }
        s.push_str(&fragment[at..a]);
        s.push_str(on);
        s.push_str(&fragment[a..b]);
        s.push_str(off);
        at = b;
    }
    s.push_str(&fragment[at..]);
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One story: the first-seen document, and the other copies (syndicated, republished) that
/// were linked to it as duplicates.
struct Story {
    hit: dyad_search::Hit,
    /// `(input, source)` of every copy.
    copies: Vec<(String, Option<String>)>,
}

/// Groups hits by story: a duplicate is replaced by its first-seen document (shown once, in
/// the rank of its best copy), and every copy's input and source are listed with it.
fn stories(dir: &Path, hits: Vec<dyad_search::Hit>, limit: usize) -> Result<Vec<Story>> {
    let store = Store::open(dir)?;
    let mut out: Vec<Story> = Vec::new();
    if limit == 0 {
        return Ok(out);
    }
    let mut seen = std::collections::HashSet::new();
    for mut hit in hits {
        if let Some(orig_input) = store.duplicate_of_id(&hit.id)?
            && let Some(orig_id) = store.id_by_input(&orig_input)?
            && let Some(orig) = store.get(&orig_id)?
        {
            hit.id = orig.id;
            hit.title = orig.title;
            hit.source = orig.source;
            hit.published = orig.published;
            hit.language = orig.language;
            hit.input = orig.input;
        }
        if !seen.insert(hit.id.clone()) {
            continue;
        }
        let copies = store
            .duplicates_of(&hit.input)?
            .into_iter()
            .map(|d| (d.input, d.source))
            .collect();
        out.push(Story { hit, copies });
        if out.len() >= limit {
            break;
        }
    }
    Ok(out)
}

fn search(dir: &Path, q: &Query, as_json: bool) -> Result<ExitCode> {
    let index = Index::open(dir)?;
    // Copies of one story collapse into one result: ask for more, then group.
    let wide = Query {
        limit: q.limit.saturating_mul(4).max(q.limit),
        ..q.clone()
    };
    let found = stories(dir, index.search(&wide)?, q.limit)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if as_json {
        let v: Vec<_> = found
            .iter()
            .map(|st| {
                let h = &st.hit;
                json!({
                    "id": h.id, "title": h.title, "source": h.source, "published": h.published,
                    "language": h.language, "input": h.input, "score": h.score,
                    "snippet": h.snippet.fragment, "highlights": h.snippet.highlights,
                    "copies": st.copies.iter().map(|(i, s)| json!({"input": i, "source": s})).collect::<Vec<_>>(),
                })
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let tty = std::io::stdout().is_terminal();
    writeln!(out, "{} result(s) for {:?}", found.len(), q.text)?;
    for (i, st) in found.iter().enumerate() {
        let h = &st.hit;
        writeln!(
            out,
            "{:>3}. {}",
            i + 1,
            h.title.as_deref().unwrap_or("(untitled)")
        )?;
        let meta: Vec<&str> = [
            h.source.as_deref(),
            h.published.as_deref(),
            Some(h.language.as_str()),
            Some(h.id.as_str()),
        ]
        .into_iter()
        .flatten()
        .collect();
        writeln!(out, "     {}", meta.join(" · "))?;
        writeln!(
            out,
            "     {}",
            highlight(&h.snippet.fragment, &h.snippet.highlights, tty)
        )?;
        if !st.copies.is_empty() {
            let list: Vec<String> = st
                .copies
                .iter()
                .map(|(i, s)| match s {
                    Some(s) => format!("{s} ({i})"),
                    None => i.clone(),
                })
                .collect();
            writeln!(
                out,
                "     also published by {} other source(s): {}",
                list.len(),
                list.join("; ")
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn show(dir: &Path, id: &str, removed: bool, as_json: bool) -> Result<ExitCode> {
    let store = Store::open(dir)?;
    let Some(doc) = store.get(id)? else {
        bail!("no document with id {id:?}");
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if as_json {
        serde_json::to_writer_pretty(&mut out, &doc)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let field = |v: Option<&str>| v.unwrap_or("-").to_string();
    writeln!(out, "id:         {}", doc.id)?;
    writeln!(out, "title:      {}", field(doc.title.as_deref()))?;
    writeln!(out, "published:  {}", field(doc.published.as_deref()))?;
    writeln!(out, "source:     {}", field(doc.source.as_deref()))?;
    writeln!(
        out,
        "byline:     {}",
        if doc.byline.is_empty() {
            "-".into()
        } else {
            doc.byline.join(", ")
        }
    )?;
    writeln!(out, "language:   {}", doc.language)?;
    writeln!(out, "input:      {}", doc.input)?;
    for other in store
        .inputs_of(&doc.id)?
        .iter()
        .filter(|i| **i != doc.input)
    {
        writeln!(out, "also from:  {other}")?;
    }
    writeln!(out, "canonical:  {}", field(doc.canonical_url.as_deref()))?;
    writeln!(out, "encoding:   {}", doc.encoding)?;
    if let Some(d) = &doc.duplicate_of {
        writeln!(out, "duplicate of: {d}")?;
    }
    if !doc.entities.is_empty() {
        writeln!(out, "entities:")?;
        for e in &doc.entities {
            writeln!(
                out,
                "  {:<12} {} [{}] ×{}",
                e.kind,
                e.name,
                e.id.as_deref().unwrap_or("not in the knowledge base"),
                e.mentions.len()
            )?;
        }
    }
    for u in &doc.unresolved {
        writeln!(
            out,
            "  unresolved   {:?} could be: {}",
            u.text,
            u.candidates.join(", ")
        )?;
    }
    if !doc.topics.is_empty() {
        let t: Vec<String> = doc
            .topics
            .iter()
            .map(|t| format!("{} {:.2}", t.id, t.score))
            .collect();
        writeln!(out, "topics:     {}", t.join(", "))?;
    }
    if let Some(t) = doc.tone {
        writeln!(
            out,
            "tone:       {:+.2} ({} warm, {} hostile words)",
            t.score, t.positive, t.negative
        )?;
    }
    if !doc.events.is_empty() {
        writeln!(out, "events:")?;
        for e in &doc.events {
            let to = if e.recipients.is_empty() {
                String::new()
            } else {
                format!(" → {}", e.recipients.join(", "))
            };
            writeln!(
                out,
                "  {:<9} {:<12} {:<10} {}{}\n            “{}” ({} mention(s))",
                e.kind,
                e.status,
                e.date.as_deref().unwrap_or("-"),
                e.actors.join(", "),
                to,
                e.text,
                e.mentions.len()
            )?;
        }
    }
    if !doc.commitments.is_empty() {
        writeln!(out, "commitments:")?;
        for c in &doc.commitments {
            let extra: Vec<String> = [
                c.amount.as_ref().map(|a| format!("amount {a}")),
                c.due.as_ref().map(|d| format!("due {d}")),
                c.strength.as_ref().map(|s| format!("strength {s}")),
                c.legal_force.clone(),
            ]
            .into_iter()
            .flatten()
            .collect();
            writeln!(
                out,
                "  {:<10} {} [{}]\n            “{}”",
                c.kind,
                c.holders.join(", "),
                extra.join("; "),
                c.text
            )?;
        }
    }
    if !doc.quotes.is_empty() {
        writeln!(out, "quotes:")?;
        for q in &doc.quotes {
            writeln!(
                out,
                "  {}: “{}”",
                q.speaker.as_deref().unwrap_or("(unattributed)"),
                q.text
            )?;
        }
    }
    writeln!(out, "\n{}\n", doc.text)?;
    if removed {
        writeln!(out, "--- removed by cleaning ({}) ---", doc.removed.len())?;
        for r in &doc.removed {
            writeln!(out, "[{}] {}", r.reason, r.text)?;
        }
    } else if !doc.removed.is_empty() {
        writeln!(
            out,
            "({} removed item(s); see --removed)",
            doc.removed.len()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn stats(dir: &Path, as_json: bool) -> Result<ExitCode> {
    let store = Store::open(dir)?;
    let mut index = Index::open(dir)?;
    // Complete the index first when no writer runs; a running writer completes it itself.
    let writer = match dyad_store::WriterLock::try_acquire(dir)? {
        dyad_store::TryLock::Acquired(lock) => {
            let added = catch_up(&store, &mut index, &lock)?;
            if added > 0 {
                eprintln!("dyad: indexed {added} document(s) the full-text index did not have");
            }
            None
        }
        dyad_store::TryLock::Busy(pid) => {
            let who = pid.map(|p| format!(" (pid {p})")).unwrap_or_default();
            eprintln!(
                "dyad: another dyad is writing to {}{who}: counts may still change",
                dir.display()
            );
            Some(pid)
        }
    };
    let s = store.stats()?;
    let indexed = index.num_docs()?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if as_json {
        let v = json!({
            "data_dir": dir, "documents": s.documents, "indexed": indexed, "inputs": s.inputs,
            "failures": s.failures, "duplicates": s.duplicates, "removed_items": s.removed_items,
            "earliest": s.earliest, "latest": s.latest, "by_language": s.by_language,
            "by_source": s.by_source, "by_format": s.by_format,
            "writer_running": writer.is_some(),
        });
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "store:       {}", dir.display())?;
    writeln!(
        out,
        "documents:   {} ({} in the full-text index)",
        s.documents, indexed
    )?;
    writeln!(
        out,
        "inputs:      {} read, {} failing",
        s.inputs, s.failures
    )?;
    writeln!(out, "duplicates:  {}", s.duplicates)?;
    writeln!(out, "removed:     {} boilerplate item(s)", s.removed_items)?;
    writeln!(
        out,
        "published:   {} … {}",
        s.earliest.as_deref().unwrap_or("-"),
        s.latest.as_deref().unwrap_or("-")
    )?;
    let list = |v: &[(String, u64)]| {
        v.iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    writeln!(out, "languages:   {}", list(&s.by_language))?;
    writeln!(out, "formats:     {}", list(&s.by_format))?;
    writeln!(out, "sources:     {}", list(&s.by_source))?;
    Ok(ExitCode::SUCCESS)
}

fn demo(dir: &Path, quiet: bool) -> Result<ExitCode> {
    dyad_store::create_private_dir(dir)?;
    let corpus = dir.join("sample-corpus");
    std::fs::create_dir_all(&corpus).with_context(|| format!("creating {}", corpus.display()))?;
    SAMPLE
        .extract(&corpus)
        .with_context(|| format!("writing the sample corpus to {}", corpus.display()))?;
    let read = ReadArgs {
        paths: vec![corpus.to_string_lossy().into_owned()],
        max_size: Limits::default().max_bytes,
        lexicon: None,
        kb: Vec::new(),
        fetch: false,
        allow_private_addresses: false,
        threads: None,
        dup_threshold: dyad_dedup::Config::default().threshold,
        budget: crate::BudgetArgs::default(),
    };
    println!(
        "== dyad demo: ingesting the sample corpus from {}",
        corpus.display()
    );
    let lock = writer_lock(dir, quiet)?;
    let summary = ingest(&read, dir, &lock, quiet)?;
    // The commitments board serves the tracker's registry: fill it as `dyad ingest` does.
    crate::track::after_ingest(dir, quiet).context("running the commitment tracker")?;
    drop(lock);
    println!();
    stats(dir, false)?;
    for q in [
        "tariff investment",
        "국방비",
        "\"nuclear-powered submarines\"",
    ] {
        println!("\n== dyad search {q}");
        search(
            dir,
            &Query {
                text: q.into(),
                limit: 3,
                ..Query::default()
            },
            false,
        )?;
    }
    println!(
        "\nNext: dyad show ID --removed --data-dir {0}   |   dyad search QUERY --data-dir {0}",
        dir.display()
    );
    Ok(summary.status())
}

fn kb_data_dir(store: &StoreArgs) -> Option<PathBuf> {
    data_dir(store).ok().filter(|d| d.join("kb").is_dir())
}

fn kb_check(extra: &[PathBuf], store: &StoreArgs) -> Result<ExitCode> {
    let kb = load_kb(extra, kb_data_dir(store).as_deref())?;
    println!(
        "knowledge base is valid: {} entries ({} persons, {} organizations, {} countries, {} places) and {} offices",
        kb.len(),
        kb.persons.len(),
        kb.orgs.len(),
        kb.countries.len(),
        kb.places.len(),
        kb.offices.len()
    );
    println!("files: {}", kb.versions.join(", "));
    Ok(ExitCode::SUCCESS)
}

fn kb_lookup(
    name: &str,
    on: Option<&str>,
    extra: &[PathBuf],
    store: &StoreArgs,
) -> Result<ExitCode> {
    let kb = load_kb(extra, kb_data_dir(store).as_deref())?;
    let hits = kb.lookup(name);
    if hits.is_empty() {
        println!("{name:?} is not in the knowledge base");
        return Ok(ExitCode::from(1));
    }
    if hits.len() > 1 {
        println!("{name:?} is ambiguous: {} entries", hits.len());
    }
    for r in hits {
        let n = kb.names(r);
        println!("{} ({}, id {})", n.name, n.kind.as_str(), n.id);
        if !n.native.is_empty() {
            println!("  native:  {}", n.native);
        }
        if !n.aliases.is_empty() {
            println!("  aliases: {}", n.aliases.join(", "));
        }
        if let EntryRef::Person(i) = r {
            let p = &kb.persons[i];
            let roles: Vec<&dyad_kb::Role> = match on {
                Some(d) => kb.roles_on(p, d).collect(),
                None => p.roles.iter().collect(),
            };
            match on {
                Some(d) if roles.is_empty() => println!("  on {d}: no role in the knowledge base"),
                Some(d) => println!("  on {d}:"),
                None => println!("  roles:"),
            }
            for role in roles {
                let span = format!(
                    "{} – {}",
                    if role.from.is_empty() {
                        "?"
                    } else {
                        &role.from
                    },
                    if role.to.is_empty() { "" } else { &role.to }
                );
                println!("    {} ({}) {}", role.office, role.country, span);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn entities(dir: &Path, name: Option<&str>, limit: usize, as_json: bool) -> Result<ExitCode> {
    let store = Store::open(dir)?;
    let found = store.entities(name, limit)?;
    let row = |e: &dyad_store::EntityCount| {
        json!({"key": e.key, "name": e.name, "type": e.kind, "id": e.kb_id,
               "documents": e.documents, "mentions": e.mentions})
    };
    let Some(name) = name else {
        if as_json {
            println!(
                "{}",
                serde_json::to_string_pretty(&found.iter().map(row).collect::<Vec<_>>())?
            );
        } else {
            println!("{:>5} {:>6}  entity", "docs", "ment.");
            for e in &found {
                println!(
                    "{:>5} {:>6}  {} ({})",
                    e.documents, e.mentions, e.name, e.kind
                );
            }
        }
        return Ok(ExitCode::SUCCESS);
    };
    let Some(top) = found.first() else {
        bail!("no entity named like {name:?} in the store");
    };
    let docs = store.documents_with(&top.key, limit)?;
    let with = store.cooccurring(&top.key, limit, None)?;
    if as_json {
        let v = json!({
            "entity": row(top),
            "documents": docs.iter().map(|d| json!({"id": d.id, "title": d.title, "published": d.published, "mentions": d.mentions})).collect::<Vec<_>>(),
            "cooccurring": with.iter().map(row).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} ({}, {}) in {} document(s), {} mention(s)",
        top.name,
        top.kind,
        top.kb_id.as_deref().unwrap_or("not in the knowledge base"),
        top.documents,
        top.mentions
    );
    println!("\ndocuments:");
    for d in &docs {
        println!(
            "  {}  {}  {}  ×{}",
            d.id,
            d.published.as_deref().unwrap_or("-"),
            d.title.as_deref().unwrap_or("(untitled)"),
            d.mentions
        );
    }
    println!("\nappears with:");
    for e in &with {
        println!("  {:>4} doc(s)  {} ({})", e.documents, e.name, e.kind);
    }
    Ok(ExitCode::SUCCESS)
}

fn bench(
    read: &ReadArgs,
    truth: Option<&Path>,
    repeat: usize,
    as_json: bool,
    compare: Option<&str>,
    python: Option<String>,
) -> Result<ExitCode> {
    let stages = stages(read, None)?;
    let (items, errors) = dyad_ingest::expand(&read.paths);
    for e in &errors {
        eprintln!("dyad: {}: {}", e.input, e.error);
    }
    let raws: Vec<_> = items
        .iter()
        .filter_map(|i| match dyad_ingest::read(i, limits(read)) {
            Ok(r) => Some(r),
            Err(e) => {
                eprintln!("dyad: {}: {e}", i.input);
                None
            }
        })
        .collect();
    if raws.is_empty() {
        bail!("nothing to measure: no readable inputs");
    }
    let r = crate::bench::run(&raws, &stages, repeat, truth)?;
    let other = match compare {
        Some(_) => {
            let python = python
                .or_else(|| std::env::var("DYAD_PYTHON").ok())
                .unwrap_or_else(|| "python3".to_string());
            Some(crate::bench::compare_trafilatura(
                &raws, &python, repeat, truth,
            )?)
        }
        None => None,
    };
    if as_json {
        let mut v = r.to_json();
        if let Some(o) = &other {
            v["compare"] = o.to_json();
        }
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "pages:               {} ({:.1} MB decoded)",
        r.pages, r.input_mb
    );
    match r.clean_pages_per_cpu_s {
        Some(cpu) => println!(
            "cleaning:            {cpu:.0} pages/s on one core (CPU time; {:.0} pages/s wall-clock)",
            r.clean_pages_per_s
        ),
        None => println!(
            "cleaning:            {:.0} pages/s on one core",
            r.clean_pages_per_s
        ),
    }
    println!(
        "entity linking:      {:.1} MB/s of clean text on one core ({:.2} MB)",
        r.link_mb_per_s, r.text_mb
    );
    println!(
        "whole pipeline:      {:.0} documents/s on one core",
        r.pipeline_docs_per_s
    );
    if let Some((f, p, rc)) = r.f1 {
        println!("main text vs truth:  F1 {f:.3}  precision {p:.3}  recall {rc:.3}");
    }
    if let Some(o) = other {
        let (mine, theirs) = match (r.clean_pages_per_cpu_s, o.pages_per_cpu_s) {
            (Some(a), Some(b)) => (a, b),
            _ => (r.clean_pages_per_s, o.pages_per_s),
        };
        println!(
            "{}: {theirs:.0} pages/s on one core (CPU time; {:.0} pages/s wall-clock)",
            o.system, o.pages_per_s
        );
        if let Some((f, p, rc)) = o.f1 {
            println!("  main text vs truth: F1 {f:.3}  precision {p:.3}  recall {rc:.3}");
        }
        println!(
            "dyad cleaning is {:.1}x {} on the same pages",
            mine / theirs.max(1e-9),
            o.system
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `dyad serve`: the API and the dashboard, until Ctrl-C. The commitments board serves the
/// tracker's registry as it is: serving does not run the tracker (`dyad ingest` does), it says
/// when the registry is behind the store.
fn serve(dir: &Path, addr: std::net::SocketAddr, net: &crate::ServeNetArgs) -> Result<()> {
    let opts = dyad_server::ServeOptions {
        allowed_hosts: net.allow_host.clone(),
        header_read_timeout: std::time::Duration::from_secs(net.header_read_timeout),
        idle_timeout: std::time::Duration::from_secs(net.idle_timeout),
        max_connections: usize::try_from(net.max_connections).unwrap_or(usize::MAX),
    };
    if !addr.ip().is_loopback() {
        eprintln!(
            "dyad: warning: serving on {addr}, which is not a loopback address: requests, bearer \
             tokens included, travel as plain HTTP. Keep dyad on 127.0.0.1 behind a reverse \
             proxy that terminates TLS (see `dyad serve --help`)."
        );
    }
    // The index is derived data: bring it up to the store first (after an interrupted run, or
    // when this version rebuilt an index of an older schema).
    {
        let store =
            Store::open(dir).with_context(|| format!("opening the store in {}", dir.display()))?;
        let mut index = Index::open(dir)
            .with_context(|| format!("opening the full-text index in {}", dir.display()))?;
        // Serving never waits for a writer: a running writer completes the index itself.
        match dyad_store::WriterLock::try_acquire(dir)? {
            dyad_store::TryLock::Acquired(lock) => {
                let added = catch_up(&store, &mut index, &lock)?;
                if added > 0 {
                    eprintln!("dyad: indexed {added} document(s) the full-text index did not have");
                }
            }
            dyad_store::TryLock::Busy(pid) => {
                let who = pid.map(|p| format!(" (pid {p})")).unwrap_or_default();
                eprintln!(
                    "dyad: another dyad is writing to {}{who}; its documents appear as it commits them",
                    dir.display()
                );
            }
        }
        let matched = store
            .track_state(dyad_track::tracker::HIGH_WATER)
            .ok()
            .flatten()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if let Ok(behind @ 1..) = store.track_documents_after(matched) {
            eprintln!(
                "dyad: the commitment tracker has not read {behind} stored document(s); \
                 run `dyad commitments update --data-dir {}` to bring the board up to date",
                dir.display()
            );
        }
    }
    dyad_server::serve(addr, dir, &opts, |bound| {
        // One line on stdout (scripts read the URL from it); the rest on stderr.
        let mut out = std::io::stdout();
        let _ = writeln!(out, "dyad: serving {} on http://{bound}/", dir.display());
        let _ = out.flush();
        eprintln!(
            "dyad: API at http://{bound}/api/v1 (described by /api/v1/openapi.json); \
             read-only without a token (dyad token create). Ctrl-C stops."
        );
    })
    .with_context(|| format!("serving {}", dir.display()))
}

/// `dyad token create`: prints a new token once; the store keeps its hash.
fn token_create(dir: &Path, name: &str) -> Result<ExitCode> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        bail!("--name must be 1 to 100 characters");
    }
    let mut store =
        Store::open(dir).with_context(|| format!("opening the store in {}", dir.display()))?;
    let token = dyad_server::create_token(&mut store, name)?;
    println!("{token}");
    eprintln!(
        "dyad: token for `{name}` created in {}; it is shown only now. Send it as `Authorization: Bearer TOKEN`.",
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `dyad token list`: every token's id, name, creation and revocation; never a secret (the
/// store has none: only hashes, which are not shown either).
fn token_list(dir: &Path, as_json: bool) -> Result<ExitCode> {
    let store =
        Store::open(dir).with_context(|| format!("opening the store in {}", dir.display()))?;
    let tokens = store.tokens()?;
    if as_json {
        let v: Vec<_> = tokens
            .iter()
            .map(|t| {
                json!({"id": t.id, "name": t.name, "created": t.created_at,
                       "revoked": t.revoked_at})
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    if tokens.is_empty() {
        println!("no tokens (make one with `dyad token create --name NAME`)");
        return Ok(ExitCode::SUCCESS);
    }
    println!("{:>4}  {:<24}  {:<24}  revoked", "id", "name", "created");
    for t in &tokens {
        println!(
            "{:>4}  {:<24}  {:<24}  {}",
            t.id,
            t.name,
            t.created_at,
            t.revoked_at.as_deref().unwrap_or("-")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `dyad token revoke NAME|ID`: the API refuses a revoked token from its next request on.
fn token_revoke(dir: &Path, which: &str) -> Result<ExitCode> {
    let mut store =
        Store::open(dir).with_context(|| format!("opening the store in {}", dir.display()))?;
    let revoked = store.revoke_token(which)?;
    if revoked.is_empty() {
        eprintln!("dyad: no live token named {which:?} or with that id (see `dyad token list`)");
        return Ok(ExitCode::from(1));
    }
    for t in &revoked {
        eprintln!("dyad: revoked token {} (`{}`)", t.id, t.name);
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression (issue 15): an index committed with a watermark above a document it never
    /// received (what two concurrent ingests left) was never repaired: catch-up only read past
    /// the watermark. Now every stored document missing from the index is added.
    #[test]
    fn catch_up_fills_a_gap_below_the_watermark() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = Store::open(dir.path()).expect("store");
        let docs: Vec<Document> = (0..5)
            .map(|i| {
                Document::new(
                    format!("in/{i}.txt"),
                    Some(&format!("Report {i}")),
                    format!("Officials met on day {i} to review item {i}."),
                )
            })
            .collect();
        let puts = store.put_documents(&docs).expect("put");
        let seqs: Vec<i64> = puts.iter().map(PutOutcome::seq).collect();
        let mut index = Index::open(dir.path()).expect("index");
        // Documents 1 and 3 never reached the index, yet the mark says "up to the last".
        for (i, (seq, doc)) in seqs.iter().zip(&docs).enumerate() {
            if i != 1 && i != 3 {
                index.add(*seq, doc).expect("add");
            }
        }
        index.commit(seqs[4]).expect("commit");
        assert_eq!(index.num_docs().expect("count"), 3);
        let lock = dyad_store::WriterLock::acquire(dir.path(), |_| {}).expect("lock");
        let added = catch_up(&store, &mut index, &lock).expect("catch up");
        assert_eq!(added, 2);
        assert_eq!(index.num_docs().expect("count"), 5);
        assert_eq!(index.indexed_seqs().expect("seqs"), seqs);
        assert_eq!(index.indexed_upto().expect("mark"), seqs[4]);
        // Nothing left to do: a second catch-up adds nothing.
        assert_eq!(catch_up(&store, &mut index, &lock).expect("again"), 0);
    }
}
