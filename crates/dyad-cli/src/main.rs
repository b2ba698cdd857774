//! The `dyad` binary: parses arguments, resolves them into a validated configuration, runs a
//! command, and maps the outcome to an exit status: 0 success, 1 some inputs failed, 2 a usage
//! or fatal error. This is the only crate that prints to stdout.

mod bench;
mod commands;
mod parse;
mod pipeline;
mod sources;
mod synth;
mod track;
mod watch;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXAMPLES: &str = "\
Examples:
  dyad demo                                   ingest the bundled sample corpus and search it
  dyad extract article.html --format json     clean one page and show what was found
  dyad extract ./pages -  --format jsonl      a folder and standard input, one JSON line each
  dyad ingest ./pages --data-dir ./store      add documents to a store (SQLite + full-text index)
  dyad search 'tariff deal' --lang en --since 2025-10
  dyad search 국방예산 --json
  dyad show d1a2b3c4 --removed                a document, and the boilerplate removed from it
  dyad stats

Exit status: 0 success, 1 some inputs failed, 2 usage or fatal error.";

#[derive(Parser, Debug)]
#[command(
    name = "dyad",
    version,
    about = "Turns news coverage of a relationship between two countries into knowledge an analyst can check.",
    after_help = EXAMPLES
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Print only errors.
    #[arg(short, long, global = true)]
    quiet: bool,
}

#[derive(Args, Debug, Clone)]
struct StoreArgs {
    /// The data directory (SQLite store and full-text index). Default: $DYAD_DATA, else the
    /// user's data directory.
    #[arg(long, env = "DYAD_DATA", value_name = "DIR")]
    data_dir: Option<PathBuf>,
}

#[derive(Args, Debug, Clone)]
struct ReadArgs {
    /// Files, folders (read recursively), URLs (with --fetch) or `-` for standard input.
    /// Documents: `.html`, `.htm`, `.txt`; containers: `.jsonl`, `.ndjson` (news-please names
    /// too), `.warc`, `.rss`, `.atom`, `.xml` (feed or sitemap), `.urls`; each also as `.gz`.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<String>,
    /// Fetch URLs, and the pages that feeds, sitemaps and URL lists link to (politely: robots.txt,
    /// a per-host limit, retries with backoff). Without it, links are only counted.
    #[arg(long)]
    fetch: bool,
    /// Also fetch URLs on loopback, private, link-local and other non-public addresses
    /// (refused by default, after name resolution and on every redirect: a feed's links must
    /// not reach this machine or its network).
    #[arg(long)]
    allow_private_addresses: bool,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Estimated word-shingle Jaccard similarity at or above which a document is linked to an
    /// earlier one as a near-duplicate (`duplicate_of`).
    #[arg(long, default_value_t = 0.3, value_name = "F")]
    dup_threshold: f64,
    /// Largest input accepted, in bytes (suffixes K, M, G).
    #[arg(long, default_value = "32M", value_parser = parse_size, value_name = "SIZE")]
    max_size: u64,
    /// An extra boilerplate lexicon (TOML, same format as data/clean/boilerplate.toml).
    #[arg(long, value_name = "FILE")]
    lexicon: Option<PathBuf>,
    /// Extra knowledge-base files or folders (TOML, same schema as data/kb); entries with an
    /// existing id override it. Repeatable.
    #[arg(long, value_name = "FILE")]
    kb: Vec<PathBuf>,
    #[command(flatten)]
    budget: BudgetArgs,
}

/// The per-document extraction budget: a document over any limit is recorded as failed, with
/// the limit named, and the run goes on (exit status 1).
#[derive(Args, Debug, Clone)]
struct BudgetArgs {
    /// Wall-clock time extraction may spend on one document, in milliseconds.
    #[arg(long, default_value_t = 20_000, value_name = "MS")]
    doc_budget_ms: u64,
    /// Largest clean text extraction accepts, in bytes (suffixes K, M, G).
    #[arg(long, default_value = "8M", value_parser = parse_size, value_name = "SIZE")]
    doc_max_text: u64,
    /// Most sentences a document may have.
    #[arg(long, default_value_t = 100_000, value_name = "N")]
    doc_max_sentences: usize,
    /// Most entity mentions a document may have.
    #[arg(long, default_value_t = 200_000, value_name = "N")]
    doc_max_mentions: usize,
}

impl Default for BudgetArgs {
    /// The same values as the flags' defaults (a test checks they agree).
    fn default() -> Self {
        let b = dyad_extract::Budget::default();
        BudgetArgs {
            doc_budget_ms: u64::try_from(b.time.as_millis()).unwrap_or(u64::MAX),
            doc_max_text: b.max_text_bytes as u64,
            doc_max_sentences: b.max_sentences,
            doc_max_mentions: b.max_mentions,
        }
    }
}

impl BudgetArgs {
    /// The validated budget: every limit positive.
    fn resolve(&self) -> Result<dyad_extract::Budget, String> {
        let b = dyad_extract::Budget {
            time: std::time::Duration::from_millis(self.doc_budget_ms),
            max_text_bytes: usize::try_from(self.doc_max_text).unwrap_or(usize::MAX),
            max_sentences: self.doc_max_sentences,
            max_mentions: self.doc_max_mentions,
        };
        b.validate().map_err(|e| {
            format!(
                "{e} (--doc-budget-ms, --doc-max-text, --doc-max-sentences, --doc-max-mentions)"
            )
        })?;
        Ok(b)
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    /// One JSON object per line.
    Jsonl,
    /// A pretty-printed JSON array.
    Json,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Clean documents and print what was extracted, without touching any store.
    #[command(
        after_help = "Example:\n  dyad extract ../shared/corpus/seeds --format jsonl > seeds.jsonl"
    )]
    Extract {
        #[command(flatten)]
        read: ReadArgs,
        #[arg(long, value_enum, default_value = "jsonl")]
        format: OutputFormat,
    },
    /// Add documents to the store and the full-text index. Re-ingesting changes nothing.
    #[command(after_help = "Example:\n  dyad ingest ./pages --data-dir ./store")]
    Ingest {
        #[command(flatten)]
        read: ReadArgs,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Search the store's documents, with highlighted snippets.
    #[command(
        after_help = "Examples:\n  dyad search 'tariff deal' --since 2025-10 --lang en\n  dyad search 국방예산"
    )]
    Search {
        /// The query: words, "phrases", AND/OR/-not.
        query: String,
        /// Only documents in this language (ISO 639-1: en, ko, ...).
        #[arg(long)]
        lang: Option<String>,
        /// Only documents published on or after this date (YYYY, YYYY-MM or YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// Only documents published on or before this date.
        #[arg(long, value_name = "DATE")]
        until: Option<String>,
        /// Only documents from this outlet.
        #[arg(long)]
        source: Option<String>,
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Print results as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Show one document by id (or a unique prefix of it).
    Show {
        id: String,
        /// Also list what cleaning removed, with reasons.
        #[arg(long)]
        removed: bool,
        /// Print the stored document as JSON.
        #[arg(long)]
        json: bool,
        /// Print its text as CoNLL-U: sentences, tokens with byte offsets, lemmas, morphemes.
        #[arg(long, conflicts_with_all = ["json", "removed"])]
        syntax: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Sentences, tokens, universal part-of-speech tags and dependency trees of plain text as
    /// CoNLL-U (embedded models trained on Universal Dependencies): byte offsets in MISC
    /// (`TokenRange=START:END`), `SpaceAfter=No`, lemmas, Korean morphemes.
    #[command(
        after_help = "Examples:\n  dyad parse article.txt\n  dyad parse ./texts --lang en\n  echo '이재명 대통령은 밝혔다.' | dyad parse -"
    )]
    Parse {
        /// Text files, folders (their `.txt` files, recursively) or `-` for standard input.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<String>,
        /// The language, `en` or `ko`; detected for each input when absent.
        #[arg(long, value_name = "LANG")]
        lang: Option<String>,
    },
    /// Counts of what the store holds.
    Stats {
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Entities across the store: the most mentioned, or one entity's documents and the
    /// entities it appears with.
    #[command(after_help = "Examples:\n  dyad entities\n  dyad entities 'Lee Jae-myung' --json")]
    Entities {
        /// A name (or part of one) to look at.
        name: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Measure cleaning and extraction throughput on one core (inputs are read and decoded
    /// first, outside the timing), and main-text F1 against a ground truth.
    #[command(
        after_help = "Examples:\n  dyad bench ../shared/bench/aeb/html --truth ../shared/bench/aeb/ground-truth.json\n  dyad bench ../shared/bench/aeb/html --truth ../shared/bench/aeb/ground-truth.json \\\n      --compare trafilatura --python /work/venv-traf/bin/python"
    )]
    Bench {
        #[command(flatten)]
        read: ReadArgs,
        /// Ground truth `{"<id>": {"articleBody": ...}}`, matched by file name up to the first dot.
        #[arg(long, value_name = "FILE")]
        truth: Option<PathBuf>,
        /// Runs of each stage, averaged.
        #[arg(long, default_value_t = 3)]
        repeat: usize,
        #[arg(long)]
        json: bool,
        /// Also measure another extractor on the same pages, in the same run: `trafilatura`
        /// (needs a Python with the trafilatura package, see --python).
        #[arg(long, value_name = "SYSTEM", value_parser = ["trafilatura"])]
        compare: Option<String>,
        /// The Python that runs the comparison (default: $DYAD_PYTHON, else python3).
        #[arg(long, value_name = "PATH")]
        python: Option<String>,
    },
    /// Poll the feeds listed in a configuration file and ingest only their new items; state
    /// (items taken, ETag/Last-Modified) is kept in the store and survives restarts.
    #[command(
        after_help = "Configuration (TOML):\n  interval = \"15m\"            # default poll interval (s, m, h)\n  [[feed]]\n  url = \"https://example.com/rss.xml\"\n  interval = \"5m\"             # optional, per feed\n  # allow_private_addresses = true   # fetch local/private addresses too (off by default)\n\nExamples:\n  dyad watch feeds.toml --data-dir ./store\n  dyad watch feeds.toml --once"
    )]
    Watch {
        /// The configuration file.
        config: PathBuf,
        /// Poll every feed once, then exit.
        #[arg(long, conflicts_with = "cycles")]
        once: bool,
        /// Poll this many rounds, then exit (default: forever).
        #[arg(long, value_name = "N")]
        cycles: Option<usize>,
        /// Extra knowledge-base files (as for ingest).
        #[arg(long, value_name = "FILE")]
        kb: Vec<PathBuf>,
        /// Worker threads (default: all cores).
        #[arg(long, value_name = "N")]
        threads: Option<usize>,
        /// Near-duplicate threshold (as for ingest).
        #[arg(long, default_value_t = 0.3, value_name = "F")]
        dup_threshold: f64,
        /// Also fetch loopback, private and link-local addresses (as for ingest; the
        /// configuration's `allow_private_addresses = true` does the same).
        #[arg(long)]
        allow_private_addresses: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Write synthetic articles (English and Korean, names from the knowledge base, some
    /// near-duplicate copies) as JSON Lines shards, for throughput and memory benchmarks.
    #[command(
        after_help = "Example:\n  dyad generate --count 100000 --out /tmp/synth\n  dyad ingest /tmp/synth --data-dir /tmp/synth-store --threads 1"
    )]
    Generate {
        #[arg(long, default_value_t = 100_000)]
        count: usize,
        /// Output folder (created); shards are `synth-00000.jsonl`, ...
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Articles per shard.
        #[arg(long, default_value_t = 1000)]
        per_file: usize,
        /// Share of articles that are edited copies of an earlier one.
        #[arg(long, default_value_t = 0.1)]
        copies: f64,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// The knowledge base: validate it, or look a name up.
    #[command(subcommand)]
    Kb(KbCommand),
    /// The commitment tracker: registry, evidence, statuses, review, export, compliance.
    #[command(subcommand)]
    Commitments(track::CommitmentsCommand),
    /// Ingest the bundled sample corpus into a demo store, show stats and sample searches, then
    /// serve the dashboard on it (until Ctrl-C).
    Demo {
        /// Where the demo store goes.
        #[arg(long, value_name = "DIR", default_value = "dyad-demo-data")]
        data_dir: PathBuf,
        /// Stop after the searches instead of serving the dashboard.
        #[arg(long)]
        no_serve: bool,
        /// Address to serve on.
        #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
        addr: std::net::SocketAddr,
        #[command(flatten)]
        net: ServeNetArgs,
    },
    /// Serve the JSON API (/api/v1) and the analyst's dashboard on a store, until Ctrl-C.
    /// Read-only without a token (see `dyad token create`).
    #[command(after_help = SERVE_HELP)]
    Serve {
        /// Address to listen on; port 0 picks a free port (the URL is printed). Keep it on
        /// loopback: dyad speaks plain HTTP (see below for TLS).
        #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
        addr: std::net::SocketAddr,
        #[command(flatten)]
        net: ServeNetArgs,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// API tokens for the analyst's writes (statuses, merges, reviews).
    #[command(subcommand)]
    Token(TokenCommand),
}

const SERVE_HELP: &str = "\
Examples:
  dyad serve --data-dir ./store
  dyad serve --data-dir ./store --allow-host dyad.example.org   (behind a TLS proxy)

Serving to other machines:
  dyad speaks plain HTTP, and bearer tokens sent over plain HTTP can be read by anyone on
  the path. Keep dyad on 127.0.0.1 and put a reverse proxy that terminates TLS in front of
  it, for instance Caddy:
      dyad.example.org {
          reverse_proxy 127.0.0.1:8080
      }
  or nginx (in a server block with `listen 443 ssl` and your certificate):
      location / { proxy_pass http://127.0.0.1:8080; proxy_set_header Host $host; }
  Then pass --allow-host dyad.example.org: requests whose Host header names anything but
  localhost, 127.0.0.1, [::1] or an allowed host are refused (400), which stops DNS
  rebinding.";

/// How `dyad serve` treats connections.
#[derive(Args, Debug, Clone)]
struct ServeNetArgs {
    /// Also answer requests whose Host header is NAME (any port) or NAME:PORT; repeatable.
    /// Loopback names are always allowed.
    #[arg(long, value_name = "NAME")]
    allow_host: Vec<String>,
    /// Seconds a client has to send a request's headers (also closes a kept-alive connection
    /// that starts no new request).
    #[arg(long, default_value_t = 10, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    header_read_timeout: u64,
    /// Seconds after which a connection with nothing moving and no request in progress is
    /// closed.
    #[arg(long, default_value_t = 60, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    idle_timeout: u64,
    /// Connections served at once; more wait until one closes.
    #[arg(long, default_value_t = 256, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    max_connections: u64,
}

#[derive(Subcommand, Debug)]
enum TokenCommand {
    /// Make a token and print it once; the store keeps only its hash.
    #[command(after_help = "Example:\n  dyad token create --name alice --data-dir ./store")]
    Create {
        /// Who the token is for; written in the history of every change made with it.
        #[arg(long, default_value = "analyst")]
        name: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Every token: id, name, when it was created and revoked. Never the token itself.
    #[command(after_help = "Example:\n  dyad token list --data-dir ./store")]
    List {
        /// One JSON array.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Revoke the live tokens of a name, or one token by id: the API answers 401 to it.
    #[command(after_help = "Example:\n  dyad token revoke alice --data-dir ./store")]
    Revoke {
        /// The token's name (every live token of that name) or its id.
        #[arg(value_name = "NAME|ID")]
        token: String,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Subcommand, Debug)]
enum KbCommand {
    /// Validate the shipped knowledge base plus extra files; print what it holds.
    #[command(after_help = "Example:\n  dyad kb check --kb ./us-japan.toml")]
    Check {
        #[arg(long, value_name = "FILE")]
        kb: Vec<PathBuf>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Show who a name means, with the roles held on a date.
    #[command(
        after_help = "Examples:\n  dyad kb lookup 'Lee Jae Myung'\n  dyad kb lookup 이재명 --on 2024-03-15"
    )]
    Lookup {
        name: String,
        /// Show the roles held on this date (YYYY, YYYY-MM or YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        on: Option<String>,
        #[arg(long, value_name = "FILE")]
        kb: Vec<PathBuf>,
        #[command(flatten)]
        store: StoreArgs,
    },
}

fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let mult = match c.to_ascii_uppercase() {
                'K' => 1 << 10,
                'M' => 1 << 20,
                'G' => 1 << 30,
                'B' => 1,
                _ => return Err(format!("unknown size suffix {c:?} (use K, M or G)")),
            };
            (&s[..i], mult)
        }
        _ => (s, 1),
    };
    num.trim()
        .parse::<u64>()
        .map(|n| n.saturating_mul(mult))
        .map_err(|_| format!("not a size: {s:?}"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DYAD_LOG").unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new("warn,html5ever=error,selectors=error")
            }),
        )
        .with_writer(std::io::stderr)
        .init();
    match commands::run(cli) {
        Ok(status) => status,
        Err(e) => {
            eprintln!("dyad: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("32M"), Ok(32 << 20));
        assert_eq!(parse_size("100"), Ok(100));
        assert_eq!(parse_size("2k"), Ok(2048));
        assert!(parse_size("12Q").is_err());
        assert!(parse_size("lots").is_err());
    }

    #[test]
    fn budget_flag_defaults_are_the_library_defaults() {
        let cli = Cli::parse_from(["dyad", "extract", "x.txt"]);
        let Command::Extract { read, .. } = cli.command else {
            panic!("extract parses as extract");
        };
        assert_eq!(read.budget.resolve(), Ok(dyad_extract::Budget::default()));
        assert_eq!(
            BudgetArgs::default().resolve(),
            Ok(dyad_extract::Budget::default())
        );
        let zero = Cli::parse_from(["dyad", "extract", "x.txt", "--doc-budget-ms", "0"]);
        let Command::Extract { read, .. } = zero.command else {
            panic!("extract parses as extract");
        };
        assert!(
            read.budget
                .resolve()
                .unwrap_err()
                .contains("must be positive")
        );
    }

    #[test]
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
