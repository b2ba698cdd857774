//! `dyad serve`: the JSON API under `/api/v1` and the analyst's dashboard, from one binary.
//!
//! # Invariants
//!
//! * **Read-only without a token.** Every write route sits behind [`auth::require_token`]: a
//!   request without `Authorization: Bearer <token>` naming a live token gets 401, a
//!   cross-origin one 403, a body that is not JSON 415. Tokens are stored as BLAKE3 hashes.
//! * **One error table.** Every error is `{"error": {"code", "message"}}` with a code of
//!   [`error::ERROR_CODES`]; the OpenAPI description (`/api/v1/openapi.json`) lists it.
//! * **Lists are paginated** (`page`, `per_page` ≤ 100) and answer
//!   `{total, page, per_page, items}`; queries go through indexed store tables.
//! * **Article text is hostile.** The dashboard builds its DOM with `textContent` only, and every
//!   response carries a strict Content-Security-Policy (`default-src 'self'`, no inline code),
//!   `X-Content-Type-Options: nosniff` and `frame-ancestors 'none'`.
//! * Store work runs on blocking threads, each with its own SQLite connection from a pool.
//! * **Served only under allowed names, within limits** ([`listen`]): a `Host` header outside
//!   the allow-list gets 400 (DNS rebinding), headers must arrive in time, idle connections are
//!   closed, and concurrent connections are capped.

mod api;
mod assets;
mod auth;
pub mod commitments;
pub mod error;
pub mod listen;
pub mod track;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::Router;
use dyad_search::Index;
use dyad_store::Store;

pub use api::{MAX_BODY, MAX_LIMIT, MAX_PAGE, MAX_PER_PAGE};
pub use commitments::{CommitmentRecord, CommitmentSource};
pub use error::{ApiError, ERROR_CODES};
pub use listen::{HostAllowList, ServeOptions};
pub use track::TrackedCommitments;

/// Errors starting the server.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("opening the store in {dir}: {source}")]
    Store {
        dir: PathBuf,
        #[source]
        source: dyad_store::StoreError,
    },
    #[error("opening the full-text index in {dir}: {source}")]
    Index {
        dir: PathBuf,
        #[source]
        source: dyad_search::SearchError,
    },
    #[error("loading the knowledge base: {0}")]
    Kb(#[from] dyad_kb::KbError),
    #[error("loading the commitment tracker's rules: {0}")]
    Track(#[from] dyad_track::RulesError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("server: {0}")]
    Io(#[from] std::io::Error),
}

/// What the handlers share.
pub struct AppState {
    data_dir: PathBuf,
    pool: Mutex<Vec<Store>>,
    index: Arc<Index>,
    kb: dyad_kb::Kb,
    /// The shipped event lexicon: its cooperation/conflict split of event types.
    events: dyad_extract::EventLexicon,
    commitments: Arc<dyn CommitmentSource>,
    /// At most this many store queries run at once (each on its own connection): more would
    /// only share the same cores and multiply open connections.
    gate: tokio::sync::Semaphore,
    /// Answers of aggregate routes (timeline, topics, sources, entities...), each with the
    /// store's highest document seq when it was computed: valid while no document is added.
    answers: Mutex<HashMap<String, (i64, serde_json::Value)>>,
    /// A connection of its own for that check, so a cached answer never waits for the gate.
    generation: Mutex<Option<Store>>,
    /// Store-wide counts take full scans: kept until the store's highest seq changes.
    stats_cache: Mutex<Option<(i64, dyad_store::Stats)>>,
}

impl AppState {
    /// Opens the store, the index and the knowledge base (shipped files plus
    /// `<data_dir>/kb/*.toml`) of a data directory. Commitments come from the tracker's
    /// registry ([`TrackedCommitments`]), which `dyad serve` reads but does not fill.
    pub fn open(data_dir: &Path) -> Result<AppState, ServeError> {
        let store = Store::open(data_dir).map_err(|source| ServeError::Store {
            dir: data_dir.to_path_buf(),
            source,
        })?;
        let index = Index::open(data_dir).map_err(|source| ServeError::Index {
            dir: data_dir.to_path_buf(),
            source,
        })?;
        let kb_dir = data_dir.join("kb");
        let kb = if kb_dir.is_dir() {
            dyad_kb::Kb::load(&[kb_dir.as_path()])?
        } else {
            dyad_kb::Kb::load(&[])?
        };
        Ok(AppState {
            data_dir: data_dir.to_path_buf(),
            pool: Mutex::new(vec![store]),
            index: Arc::new(index),
            kb,
            events: dyad_extract::EventLexicon::default(),
            commitments: Arc::new(TrackedCommitments::new()?),
            gate: tokio::sync::Semaphore::new(store_workers()),
            answers: Mutex::new(HashMap::new()),
            generation: Mutex::new(None),
            stats_cache: Mutex::new(None),
        })
    }

    /// Replaces where commitments come from.
    pub fn with_commitments(mut self, source: Arc<dyn CommitmentSource>) -> AppState {
        self.commitments = source;
        self
    }

    /// Runs `f` with a store connection on a blocking thread.
    async fn with_store<T, F>(self: &Arc<Self>, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store, &AppState) -> Result<T, ApiError> + Send + 'static,
    {
        let permit = self
            .gate
            .acquire()
            .await
            .map_err(|e| ApiError::internal(format!("worker: {e}")))?;
        let state = Arc::clone(self);
        let out = tokio::task::spawn_blocking(move || {
            let taken = state.pool.lock().map(|mut p| p.pop()).unwrap_or(None);
            let mut store = match taken {
                Some(s) => s,
                None => Store::open(&state.data_dir)?,
            };
            let out = f(&mut store, &state);
            if let Ok(mut pool) = state.pool.lock() {
                pool.push(store);
            }
            out
        })
        .await
        .map_err(|e| ApiError::internal(format!("worker: {e}")))?;
        drop(permit);
        out
    }
}

/// Aggregate answers kept at most (the cache is emptied when full).
const MAX_ANSWERS: usize = 1024;

impl AppState {
    /// The store's highest document seq, read on the dedicated connection.
    fn document_generation(&self) -> Result<i64, ApiError> {
        let mut slot = self
            .generation
            .lock()
            .map_err(|_| ApiError::internal("generation lock poisoned"))?;
        if slot.is_none() {
            *slot = Some(Store::open(&self.data_dir)?);
        }
        match slot.as_ref() {
            Some(store) => Ok(store.max_seq()?),
            None => Err(ApiError::internal("no store connection")),
        }
    }

    /// The answer of an aggregate that depends on the documents only, computed by `f` when the
    /// cache has none for `key` at the store's current generation.
    async fn aggregate<F>(
        self: &Arc<Self>,
        key: String,
        f: F,
    ) -> Result<serde_json::Value, ApiError>
    where
        F: FnOnce(&mut Store, &AppState) -> Result<serde_json::Value, ApiError> + Send + 'static,
    {
        let state = Arc::clone(self);
        let key2 = key.clone();
        let (seq, hit) = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
            let seq = state.document_generation()?;
            let hit = state.answers.lock().ok().and_then(|a| {
                a.get(&key2)
                    .filter(|(at, _)| *at == seq)
                    .map(|(_, v)| v.clone())
            });
            Ok((seq, hit))
        })
        .await
        .map_err(|e| ApiError::internal(format!("worker: {e}")))??;
        if let Some(v) = hit {
            return Ok(v);
        }
        let v = self.with_store(f).await?;
        if let Ok(mut answers) = self.answers.lock() {
            if answers.len() >= MAX_ANSWERS {
                answers.clear();
            }
            answers.insert(key, (seq, v.clone()));
        }
        Ok(v)
    }
}

/// Store queries run at once: twice the cores, at least 4.
fn store_workers() -> usize {
    std::thread::available_parallelism().map_or(4, |n| (n.get() * 2).max(4))
}

impl AppState {
    /// [`Store::stats`], recomputed only when documents were added since the last call.
    fn cached_stats(&self, store: &Store) -> Result<dyad_store::Stats, ApiError> {
        let seq = store.max_seq()?;
        if let Ok(cache) = self.stats_cache.lock()
            && let Some((at, stats)) = cache.as_ref()
            && *at == seq
        {
            return Ok(stats.clone());
        }
        let stats = store.stats()?;
        if let Ok(mut cache) = self.stats_cache.lock() {
            *cache = Some((seq, stats.clone()));
        }
        Ok(stats)
    }
}

/// The whole application: API, dashboard and security headers.
pub fn router(state: AppState) -> Router {
    let state = Arc::new(state);
    Router::new()
        .nest("/api/v1", api::routes(Arc::clone(&state)))
        .merge(assets::routes())
        .layer(axum::middleware::from_fn(assets::security_headers))
        .with_state(state)
}

/// Serves `data_dir` on `listener` until Ctrl-C.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    data_dir: &Path,
    opts: &ServeOptions,
) -> Result<(), ServeError> {
    let app = router(AppState::open(data_dir)?);
    listen::serve_with(listener, app, opts, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}

/// Binds `addr`, calls `ready` with the bound address (port 0 picks a free one), then serves
/// `data_dir` until Ctrl-C. Runs its own runtime; for synchronous callers such as the CLI.
pub fn serve(
    addr: SocketAddr,
    data_dir: &Path,
    opts: &ServeOptions,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        // Open everything before announcing the address, so a bad data dir fails first.
        let state = AppState::open(data_dir)?;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| ServeError::Bind { addr, source })?;
        ready(listener.local_addr()?);
        listen::serve_with(listener, router(state), opts, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
        Ok(())
    })
}

/// Makes a new API token named `name`: 32 random bytes, hex-encoded. Only its hash is stored;
/// the token itself is returned once, to be shown to the user.
pub fn create_token(store: &mut Store, name: &str) -> Result<String, ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::internal(format!("randomness: {e}")))?;
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    store.add_token(name, &auth::hash_token(&token))?;
    Ok(token)
}
