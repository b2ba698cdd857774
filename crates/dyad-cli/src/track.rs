//! `dyad commitments ...`: the commitment tracker's commands (library: `dyad-track`).

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Subcommand, ValueEnum};
use dyad_store::Store;
use dyad_track::report::{CSV_HEADER, csv_row};
use dyad_track::{Status, Tracker, View};

use crate::StoreArgs;
use crate::commands::open_existing;

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// One commitment per line, as JSON.
    Jsonl,
    /// A CSV table with a header.
    Csv,
}

#[derive(Subcommand, Debug)]
pub enum CommitmentsCommand {
    /// Match documents stored since the last run (all with --rescan) against the registry;
    /// `dyad ingest` runs this after each ingest.
    Update {
        #[arg(long)]
        rescan: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Tracked commitments with their status, dyad's suggestion and overdue flag.
    #[command(
        after_help = "Examples:\n  dyad commitments list --overdue\n  dyad commitments list --holder 'South Korea' --topic investment --as-of 2026-06-30"
    )]
    List {
        /// Only commitments whose holders include this name (case-insensitive substring).
        #[arg(long)]
        holder: Option<String>,
        /// Only this topic id (tariffs, investment, defense_spending, ...).
        #[arg(long)]
        topic: Option<String>,
        /// Only this recorded status.
        #[arg(long)]
        status: Option<String>,
        /// Only overdue commitments.
        #[arg(long)]
        overdue: bool,
        /// Evaluate as of this date (YYYY-MM-DD); default today.
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// One commitment: its statements, drift, and the timeline of evidence and statuses.
    Show {
        id: String,
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Accept or reject dyad's suggestions; without flags, list the pending ones.
    #[command(
        after_help = "Examples:\n  dyad commitments review\n  dyad commitments review --accept s12 --reject s13 --note 'campaign rhetoric'\n  dyad commitments review --accept-all"
    )]
    Review {
        /// Accept a suggestion (`s12`). Repeatable.
        #[arg(long, value_name = "SUGGESTION")]
        accept: Vec<String>,
        /// Reject a suggestion. Repeatable.
        #[arg(long, value_name = "SUGGESTION")]
        reject: Vec<String>,
        /// Accept every pending suggestion, oldest first.
        #[arg(long)]
        accept_all: bool,
        #[arg(long)]
        note: Option<String>,
        /// Who decides (default: $USER).
        #[arg(long)]
        by: Option<String>,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Record a status set by an analyst, with its evidence and a note.
    #[command(
        name = "set-status",
        after_help = "Example:\n  dyad commitments set-status c1a2b3 delivered --evidence d4e5f6 --note 'first tranche paid in full'"
    )]
    SetStatus {
        id: String,
        status: String,
        /// The stored document (id or unique prefix) that is the evidence.
        #[arg(long, value_name = "DOC")]
        evidence: Option<String>,
        /// The evidence sentence (default: the document's title).
        #[arg(long)]
        sentence: Option<String>,
        #[arg(long)]
        note: Option<String>,
        #[arg(long)]
        by: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Merge commitments into the first one.
    Merge {
        into: String,
        #[arg(required = true)]
        others: Vec<String>,
        #[arg(long)]
        by: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Split a commitment into parts (two or more --part texts).
    Split {
        id: String,
        #[arg(long = "part", required = true)]
        parts: Vec<String>,
        #[arg(long)]
        by: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Export the registry: JSONL (one commitment per line) or CSV.
    Export {
        #[arg(long, value_enum, default_value = "jsonl")]
        format: ExportFormat,
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Compliance per holder and per topic, scored the G7 Research Group's way (−1/0/+1).
    Compliance {
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
}

fn today() -> String {
    chrono::Local::now().format("%Y-%m-%d").to_string()
}

fn as_of(date: Option<String>) -> Result<String> {
    match date {
        None => Ok(today()),
        Some(d) => {
            let d = d.trim().to_string();
            match dyad_track::text::period_end(&d) {
                Some(end) if end.len() == 10 => Ok(end),
                _ => bail!("--as-of {d:?}: expected a date YYYY-MM-DD (or YYYY-MM, YYYY)"),
            }
        }
    }
}

fn analyst(by: Option<String>) -> String {
    let name = by
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "analyst".into());
    format!("analyst:{name}")
}

fn tracker() -> Result<Tracker> {
    Tracker::new().context("loading the tracker rules (data/track)")
}

fn open(store: &StoreArgs) -> Result<Store> {
    let dir = open_existing(store)?;
    Store::open(&dir).with_context(|| format!("opening the store in {}", dir.display()))
}

/// Runs the tracker over what `dyad ingest` just stored.
pub fn after_ingest(dir: &Path, quiet: bool) -> Result<()> {
    let mut store = Store::open(dir)?;
    let r = tracker()?.update(&mut store, false)?;
    if !quiet && r.documents > 0 {
        eprintln!(
            "dyad: commitments: {} document(s) matched, {} new commitment(s), {} restatement(s), {} suggestion(s)",
            r.documents, r.new_commitments, r.restatements, r.suggestions
        );
    }
    Ok(())
}

pub fn run(cmd: CommitmentsCommand, quiet: bool) -> Result<ExitCode> {
    let t = tracker()?;
    match cmd {
        CommitmentsCommand::Update { rescan, store } => {
            let dir = crate::commands::open_existing(&store)?;
            let _lock = crate::commands::writer_lock(&dir, quiet)?;
            let mut s = open(&store)?;
            let r = t.update(&mut s, rescan)?;
            if !quiet {
                eprintln!(
                    "dyad: commitments: {} document(s) ({} syndicated copies counted once), {} new commitment(s), {} restatement(s), {} drift, {} suggestion(s); matched up to seq {}",
                    r.documents,
                    r.duplicates,
                    r.new_commitments,
                    r.restatements,
                    r.drift,
                    r.suggestions,
                    r.high_water
                );
            }
        }
        CommitmentsCommand::List {
            holder,
            topic,
            status,
            overdue,
            as_of: date,
            json,
            store,
        } => {
            let status: Option<Status> = status
                .map(|s| s.parse())
                .transpose()
                .map_err(|e: String| anyhow::anyhow!(e))?;
            let date = as_of(date)?;
            let views: Vec<View> = t
                .views(&open(&store)?, &date)?
                .into_iter()
                .filter(|v| {
                    holder.as_ref().is_none_or(|h| {
                        let h = h.to_lowercase();
                        v.tracked
                            .holders
                            .iter()
                            .any(|x| x.to_lowercase().contains(&h))
                    })
                })
                .filter(|v| {
                    topic.as_ref().is_none_or(|x| {
                        v.tracked.topic.as_ref() == Some(x) || v.tracked.topics.contains(x)
                    })
                })
                .filter(|v| status.is_none_or(|s| v.status == s))
                .filter(|v| !overdue || v.overdue)
                .collect();
            if json {
                for v in &views {
                    println!("{}", v.export());
                }
            } else {
                println!("as of {date}: {} commitment(s)", views.len());
                for v in &views {
                    println!(
                        "{:<12} {:<19} {:<22} {:<8} {:<16} {}",
                        v.tracked.id,
                        v.status.as_str(),
                        v.suggested.map_or("-".into(), |s| format!("suggests {s}")),
                        if v.overdue { "OVERDUE" } else { "" },
                        v.tracked.topic.as_deref().unwrap_or("-"),
                        clip(&v.tracked.text, 80)
                    );
                }
            }
        }
        CommitmentsCommand::Show {
            id,
            as_of: date,
            json,
            store,
        } => {
            let date = as_of(date)?;
            let s = open(&store)?;
            let reg = dyad_track::tracker::load_registry(&s)?;
            let id = dyad_track::tracker::root_of(&reg, &dyad_track::tracker::resolve(&reg, &id)?);
            let Some(v) = t.views(&s, &date)?.into_iter().find(|v| v.tracked.id == id) else {
                bail!("commitment {id} was not yet stated on {date}");
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&v.export())?);
            } else {
                print_view(&v, &date);
            }
        }
        CommitmentsCommand::Review {
            accept,
            reject,
            accept_all,
            note,
            by,
            json,
            store,
        } => {
            let mut s = open(&store)?;
            let by = analyst(by);
            let mut failed = false;
            for (list, ok) in [(&accept, true), (&reject, false)] {
                for sug in list {
                    let r = dyad_track::tracker::parse_suggestion(sug)
                        .and_then(|n| t.review(&mut s, n, ok, &by, note.as_deref()));
                    match r {
                        Ok(()) if !quiet => {
                            eprintln!("dyad: {sug} {}", if ok { "accepted" } else { "rejected" })
                        }
                        Ok(()) => {}
                        Err(e) => {
                            eprintln!("dyad: {sug}: {e}");
                            failed = true;
                        }
                    }
                }
            }
            if accept_all {
                let n = t.accept_all(&mut s, &by, note.as_deref())?;
                if !quiet {
                    eprintln!("dyad: accepted {n} suggestion(s)");
                }
            }
            if accept.is_empty() && reject.is_empty() && !accept_all {
                let pending = t.pending(&s)?;
                let reg = dyad_track::tracker::load_registry(&s)?;
                for e in &pending {
                    let root = dyad_track::tracker::root_of(&reg, &e.commitment_id);
                    if json {
                        println!(
                            "{}",
                            serde_json::json!({"suggestion": format!("s{}", e.seq), "commitment": root,
                                "status": e.status, "confidence": e.confidence, "date": e.date,
                                "input": e.input, "doc": e.doc_id, "text": e.sentence, "cue": e.cue})
                        );
                    } else {
                        let text = reg.get(&root).map_or("", |x| x.text.as_str());
                        println!(
                            "s{:<5} {} → {} ({:.2}) {}\n       commitment: {}\n       evidence:   {} [{}]",
                            e.seq,
                            root,
                            e.status,
                            e.confidence,
                            e.date.as_deref().unwrap_or("undated"),
                            clip(text, 100),
                            clip(&e.sentence, 160),
                            e.input
                        );
                    }
                }
                if !json && !quiet {
                    eprintln!(
                        "dyad: {} pending suggestion(s); decide with --accept ID, --reject ID or --accept-all",
                        pending.len()
                    );
                }
            }
            if failed {
                return Ok(ExitCode::from(1));
            }
        }
        CommitmentsCommand::SetStatus {
            id,
            status,
            evidence,
            sentence,
            note,
            by,
            store,
        } => {
            let status: Status = status.parse().map_err(|e: String| anyhow::anyhow!(e))?;
            let mut s = open(&store)?;
            t.set_status(
                &mut s,
                &id,
                status,
                evidence.as_deref(),
                sentence.as_deref(),
                note.as_deref(),
                &analyst(by),
            )?;
            if !quiet {
                eprintln!("dyad: {id} is now {status}");
            }
        }
        CommitmentsCommand::Merge {
            into,
            others,
            by,
            store,
        } => {
            let id = t.merge(&mut open(&store)?, &into, &others, &analyst(by))?;
            if !quiet {
                eprintln!("dyad: merged {} into {id}", others.join(", "));
            }
        }
        CommitmentsCommand::Split {
            id,
            parts,
            by,
            store,
        } => {
            let ids = t.split(&mut open(&store)?, &id, &parts, &analyst(by))?;
            println!("{}", ids.join("\n"));
        }
        CommitmentsCommand::Export {
            format,
            as_of: date,
            store,
        } => {
            let views = t.views(&open(&store)?, &as_of(date)?)?;
            let mut out = std::io::stdout().lock();
            use std::io::Write;
            match format {
                ExportFormat::Jsonl => {
                    for v in &views {
                        writeln!(out, "{}", v.export())?;
                    }
                }
                ExportFormat::Csv => {
                    writeln!(out, "{CSV_HEADER}")?;
                    for v in &views {
                        writeln!(out, "{}", csv_row(v))?;
                    }
                }
            }
        }
        CommitmentsCommand::Compliance {
            as_of: date,
            json,
            store,
        } => {
            let date = as_of(date)?;
            let views = t.views(&open(&store)?, &date)?;
            let c = t.compliance(&views, &date);
            if json {
                println!("{}", serde_json::to_string_pretty(&c)?);
            } else {
                println!(
                    "compliance as of {date} (G7 Research Group: +1 full, 0 partial, −1 none; % = (mean+1)/2)"
                );
                let line = |r: &dyad_track::ComplianceRow| {
                    println!(
                        "  {:<24} {:>3} scored  +1:{:<3} 0:{:<3} −1:{:<3} mean {:>5.2}  {:>5.1}%",
                        r.group, r.scored, r.full, r.partial, r.none, r.mean, r.percent
                    )
                };
                line(&c.overall);
                println!("by holder");
                c.by_holder.iter().for_each(line);
                println!("by topic");
                c.by_topic.iter().for_each(line);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

fn print_view(v: &View, date: &str) {
    let t = &v.tracked;
    println!("{}  {}", t.id, t.text);
    println!("  holders:      {}", t.holders.join(", "));
    println!(
        "  topic:        {} ({})",
        t.topic.as_deref().unwrap_or("-"),
        t.topics.join(", ")
    );
    if let Some(a) = t
        .amount
        .clone()
        .or_else(|| t.amounts.first().map(dyad_track::report::describe))
    {
        println!("  amount:       {a}");
    }
    println!("  due:          {}", t.due.as_deref().unwrap_or("-"));
    println!(
        "  strength:     {}   legal force: {}",
        t.strength.as_deref().unwrap_or("-"),
        t.legal_force.as_deref().unwrap_or("-")
    );
    println!(
        "  first stated: {} in {}",
        t.first.date.as_deref().unwrap_or("undated"),
        t.first.input
    );
    println!(
        "  status as of {date}: {}{}{}",
        v.status,
        v.suggested
            .map_or(String::new(), |s| format!(" (dyad suggests {s})")),
        if v.overdue { "  OVERDUE" } else { "" }
    );
    if t.sources.len() > 1 {
        println!("  restated in:");
        for s in &t.sources[1..] {
            println!(
                "    {} {}: {}",
                s.date.as_deref().unwrap_or("undated"),
                s.input,
                clip(&s.text, 100)
            );
        }
    }
    for d in &t.drift {
        println!(
            "  drift ({}) {} {}: {}",
            d.change,
            d.date.as_deref().unwrap_or("undated"),
            d.input,
            d.detail
        );
    }
    println!("  timeline:");
    let mut lines: Vec<(String, String)> = Vec::new();
    for e in &v.evidence {
        lines.push((
            e.date.clone().unwrap_or_default(),
            format!(
                "evidence {} → {} ({:.2}, {}, {}): {} [{}]",
                e.suggestion,
                e.status,
                e.confidence,
                e.stance,
                e.review,
                clip(&e.text, 140),
                e.input
            ),
        ));
    }
    for h in &v.history {
        lines.push((
            h.at.clone().unwrap_or_default(),
            format!(
                "status   {} by {}{}{}",
                h.status,
                h.by,
                h.confidence.map_or(String::new(), |c| format!(" ({c:.2})")),
                h.note.as_ref().map_or(String::new(), |n| format!(": {n}"))
            ),
        ));
    }
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    for (d, l) in lines {
        println!("    {:<10} {l}", if d.is_empty() { "undated" } else { &d });
    }
}
