//! The JSON API under `/api/v1`. Handlers validate their parameters (unknown parameters are
//! refused, naming them), run store work on a blocking thread and answer JSON.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Extension, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use dyad_extract::QuadClass;
use dyad_search::Query as SearchQuery;
use dyad_store::{DocFilter, EventFilter, Page, Paged, TrackFilter};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::{Caller, require_token};
use crate::commitments::{STATUSES, StatusEvidence};
use crate::error::{ApiError, ERROR_CODES};

type St = State<Arc<AppState>>;
type Q = Result<Query<HashMap<String, String>>, QueryRejection>;
type Answer = Result<Response, ApiError>;

/// Default and largest page sizes.
const PER_PAGE: usize = 20;
pub const MAX_PER_PAGE: usize = 100;

/// Largest page number.
pub const MAX_PAGE: usize = 1_000_000;

/// Largest `limit` of the routes that take one (`/entities`, `/speakers`).
pub const MAX_LIMIT: usize = 500;

/// Largest write body.
pub const MAX_BODY: usize = 64 * 1024;

/// The OpenAPI description (the error table is added from [`ERROR_CODES`] when served).
const OPENAPI: &str = include_str!("../openapi.json");

pub fn routes(state: Arc<AppState>) -> Router<Arc<AppState>> {
    let writes = Router::new()
        .route("/commitments/{id}/status", post(set_status))
        .route("/commitments/merge", post(merge))
        .route("/suggestions/{id}/accept", post(accept))
        .route("/suggestions/{id}/reject", post(reject))
        .route_layer(axum::middleware::from_fn_with_state(state, require_token))
        .layer(DefaultBodyLimit::max(MAX_BODY));
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/stats", get(stats))
        .route("/auth", get(whoami))
        .route("/documents", get(documents))
        .route("/documents/{id}", get(document))
        .route("/search", get(search))
        .route("/entities", get(entities))
        .route("/entities/{key}", get(entity))
        .route("/events", get(events))
        .route("/timeline", get(timeline))
        .route("/quotes", get(quotes))
        .route("/speakers", get(speakers))
        .route("/commitments", get(commitments))
        .route("/commitments/summary", get(commitments_summary))
        .route("/commitments/{id}", get(commitment))
        .route("/suggestions", get(suggestions))
        .route("/topics", get(topics))
        .route("/sources", get(sources))
        .merge(writes)
        .fallback(|| async { ApiError::not_found("no such API route") })
        .method_not_allowed_fallback(|| async {
            ApiError::new("method_not_allowed", "this route does not take that method")
        })
        .layer(axum::middleware::map_response(in_error_format))
}

/// Longest framework message carried over into an error's `message`.
const MAX_REJECTION_TEXT: usize = 4096;

/// Puts an error the framework answered by itself (a body over the limit, a bad query string,
/// an extractor's rejection) into the API's one error format, with the code of its status.
/// Answers already in JSON, and statuses without a code in [`ERROR_CODES`], pass unchanged.
async fn in_error_format(res: Response) -> Response {
    let status = res.status();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return res;
    }
    let Some((code, _, meaning)) = ERROR_CODES.iter().find(|(_, s, _)| *s == status.as_u16())
    else {
        return res;
    };
    let text = axum::body::to_bytes(res.into_body(), MAX_REJECTION_TEXT)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let message = match (*code, text.is_empty()) {
        ("payload_too_large", _) => format!("the request body is larger than {MAX_BODY} bytes"),
        (_, true) => (*meaning).to_string(),
        (_, false) => text,
    };
    let mut out = ApiError::new(code, message).into_response();
    *out.status_mut() = status;
    out
}

fn ok(v: impl serde::Serialize) -> Answer {
    Ok(Json(v).into_response())
}

/// Validated query parameters.
struct Params(HashMap<String, String>);

impl Params {
    fn new(q: Q, allowed: &[&str]) -> Result<Params, ApiError> {
        let Query(map) = q.map_err(|e| ApiError::bad_request(e.body_text()))?;
        let mut unknown: Vec<&str> = map
            .keys()
            .map(String::as_str)
            .filter(|k| !allowed.contains(k))
            .collect();
        if !unknown.is_empty() {
            unknown.sort_unstable();
            let takes = if allowed.is_empty() {
                "this route takes no parameters".to_string()
            } else {
                format!("this route takes: {}", allowed.join(", "))
            };
            return Err(ApiError::bad_request(format!(
                "unknown parameter(s): {}; {takes}",
                unknown.join(", ")
            )));
        }
        Ok(Params(map))
    }

    /// A non-empty, trimmed value.
    fn opt(&self, name: &str) -> Option<String> {
        self.0
            .get(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    /// A typed parameter's trimmed value; given but empty is an error (as its description says:
    /// leave it out to mean no value).
    fn given(&self, name: &str) -> Result<Option<String>, ApiError> {
        match self.0.get(name).map(|v| v.trim()) {
            None => Ok(None),
            Some("") => Err(ApiError::bad_request(format!(
                "`{name}` is empty: leave it out, or give it a value"
            ))),
            Some(v) => Ok(Some(v.to_string())),
        }
    }

    /// A date parameter: `YYYY`, `YYYY-MM` or `YYYY-MM-DD` naming a real month and day, checked
    /// by the one rule every route (and `dyad search`) uses.
    fn date(&self, name: &str) -> Result<Option<String>, ApiError> {
        let Some(v) = self.given(name)? else {
            return Ok(None);
        };
        dyad_search::check_filter_date(name, &v).map_err(ApiError::bad_request)?;
        Ok(Some(v))
    }

    fn number(
        &self,
        name: &str,
        default: usize,
        min: usize,
        max: usize,
    ) -> Result<usize, ApiError> {
        let Some(v) = self.given(name)? else {
            return Ok(default);
        };
        match v.parse::<usize>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(ApiError::bad_request(format!(
                "`{name}` must be a whole number from {min} to {max} (got `{v}`)"
            ))),
        }
    }

    /// `page` (from 1) and `per_page` (1..=100).
    fn page(&self) -> Result<PageMeta, ApiError> {
        let per_page = self.number("per_page", PER_PAGE, 1, MAX_PER_PAGE)?;
        let page = self.number("page", 1, 1, MAX_PAGE)?;
        Ok(PageMeta { page, per_page })
    }
}

#[derive(Debug, Clone, Copy)]
struct PageMeta {
    page: usize,
    per_page: usize,
}

impl PageMeta {
    fn store(self) -> Page {
        Page {
            offset: (self.page - 1).saturating_mul(self.per_page),
            limit: self.per_page,
        }
    }

    fn wrap<T: serde::Serialize>(self, p: Paged<T>) -> Value {
        json!({"total": p.total, "page": self.page, "per_page": self.per_page, "items": p.items})
    }
}

const PAGING: [&str; 2] = ["page", "per_page"];

fn with_paging<'a>(names: &[&'a str]) -> Vec<&'a str> {
    names.iter().copied().chain(PAGING).collect()
}

async fn openapi() -> Answer {
    let mut doc: Value = serde_json::from_str(OPENAPI)
        .map_err(|e| ApiError::internal(format!("openapi.json: {e}")))?;
    doc["x-error-codes"] = ERROR_CODES
        .iter()
        .map(|(code, status, meaning)| json!({"code": code, "status": status, "meaning": meaning}))
        .collect();
    ok(doc)
}

async fn stats(State(st): St, q: Q) -> Answer {
    Params::new(q, &[])?;
    let (stats, commitments) = st
        .with_store(|s, st| Ok((st.cached_stats(s)?, st.commitments.summary(s)?)))
        .await?;
    let indexed = st.index.num_docs()?;
    let pairs = |v: &[(String, u64)]| -> Vec<Value> {
        v.iter()
            .map(|(k, n)| json!({"value": k, "count": n}))
            .collect()
    };
    ok(json!({
        "documents": stats.documents,
        "indexed": indexed,
        "by_language": pairs(&stats.by_language),
        "by_source": pairs(&stats.by_source),
        "by_format": pairs(&stats.by_format),
        "duplicates": stats.duplicates,
        "removed_items": stats.removed_items,
        "earliest": stats.earliest,
        "latest": stats.latest,
        "inputs": stats.inputs,
        "failures": stats.failures,
        "commitments": commitments,
    }))
}

/// Who a token is: 200 with its name, 401 otherwise. Lets the dashboard check a pasted token.
async fn whoami(State(st): St, headers: HeaderMap) -> Answer {
    let Some(token) = crate::auth::bearer(&headers) else {
        return Err(ApiError::new("unauthorized", "no bearer token"));
    };
    let hash = crate::auth::hash_token(token);
    match st.with_store(move |s, _| Ok(s.token_name(&hash)?)).await? {
        Some(name) => ok(json!({"name": name})),
        None => Err(ApiError::new("unauthorized", "unknown or revoked token")),
    }
}

async fn documents(State(st): St, q: Q) -> Answer {
    let p = Params::new(
        q,
        &with_paging(&["lang", "source", "since", "until", "entity"]),
    )?;
    let meta = p.page()?;
    let f = DocFilter {
        lang: p.opt("lang"),
        source: p.opt("source"),
        since: p.date("since")?,
        until: p.date("until")?,
        entity: p.opt("entity"),
    };
    let page = st
        .with_store(move |s, _| Ok(s.documents_page(&f, meta.store())?))
        .await?;
    ok(meta.wrap(page))
}

fn path<T>(p: Result<Path<T>, PathRejection>) -> Result<T, ApiError> {
    p.map(|Path(v)| v)
        .map_err(|e| ApiError::bad_request(e.body_text()))
}

async fn document(State(st): St, id: Result<Path<String>, PathRejection>, q: Q) -> Answer {
    Params::new(q, &[])?;
    let id = path(id)?;
    let found = st
        .with_store(move |s, _| {
            let Some(doc) = s.get(&id)? else {
                return Err(ApiError::not_found(format!("no document `{id}`")));
            };
            let inputs = s.inputs_of(&doc.id)?;
            Ok((doc, inputs))
        })
        .await?;
    let (doc, inputs) = found;
    let mut v = serde_json::to_value(&doc).map_err(|e| ApiError::internal(e.to_string()))?;
    v["inputs"] = json!(inputs);
    ok(v)
}

async fn search(State(st): St, q: Q) -> Answer {
    let p = Params::new(q, &with_paging(&["q", "lang", "source", "since", "until"]))?;
    let meta = p.page()?;
    let page = meta.store();
    let query = SearchQuery {
        text: p.opt("q").unwrap_or_default(),
        lang: p.opt("lang"),
        since: p.date("since")?,
        until: p.date("until")?,
        source: p.opt("source"),
        limit: page.limit,
        offset: page.offset,
    };
    let index = Arc::clone(&st.index);
    let found = tokio::task::spawn_blocking(move || index.search_page(&query))
        .await
        .map_err(|e| ApiError::internal(format!("worker: {e}")))??;
    let facets: BTreeMap<&str, Vec<Value>> = found
        .facets
        .iter()
        .map(|(facet, values)| {
            let values = values
                .iter()
                .map(|(value, count)| json!({"value": value, "count": count}))
                .collect();
            (*facet, values)
        })
        .collect();
    let items: Vec<Value> = found
        .hits
        .iter()
        .map(|h| {
            json!({
                "id": h.id, "title": h.title, "source": h.source, "published": h.published,
                "language": h.language, "score": h.score,
                "snippet": {"fragment": h.snippet.fragment, "highlights": h.snippet.highlights},
            })
        })
        .collect();
    ok(json!({
        "total": found.total,
        "page": meta.page,
        "per_page": meta.per_page,
        "items": items,
        "facets": facets,
    }))
}

fn entity_json(e: &dyad_store::EntityCount) -> Value {
    json!({
        "key": e.key, "name": e.name, "type": e.kind, "kb_id": e.kb_id,
        "documents": e.documents, "mentions": e.mentions,
    })
}

async fn entities(State(st): St, q: Q) -> Answer {
    let p = Params::new(q, &["name", "limit"])?;
    let limit = p.number("limit", 50, 1, MAX_LIMIT)?;
    let name = p.opt("name");
    let key = format!("entities?{name:?}&{limit}");
    let v = st
        .aggregate(key, move |s, _| {
            let list = s.entities(name.as_deref(), limit)?;
            Ok(json!({"items": list.iter().map(entity_json).collect::<Vec<_>>()}))
        })
        .await?;
    ok(v)
}

/// One entity: counts, knowledge-base names and roles, documents, co-occurring entities, quotes
/// and what it does in events (stance).
async fn entity(State(st): St, key: Result<Path<String>, PathRejection>, q: Q) -> Answer {
    Params::new(q, &[])?;
    let key = path(key)?;
    let v = st
        .aggregate(format!("entity/{key}"), move |s, st| {
            let Some(e) = s.entity(&key)? else {
                return Err(ApiError::not_found(format!(
                    "no entity `{key}` in the store"
                )));
            };
            let documents = s.documents_with(&key, 50)?;
            let co = s.cooccurring(&key, 20, Some(COOCCURRENCE_WINDOW))?;
            let quotes = s.quotes_page(
                Some(e.name.as_str()),
                Page {
                    offset: 0,
                    limit: 50,
                },
            )?;
            let acts = s.event_types_of(&e.name)?;
            let tone = s.quote_tone_by_year(&e.name)?;
            Ok(json!({
                "entity": entity_json(&e),
                "kb": kb_entry(&st.kb, e.kb_id.as_deref()),
                "documents": documents.iter().map(|d| json!({
                    "id": d.id, "title": d.title, "published": d.published, "mentions": d.mentions,
                })).collect::<Vec<_>>(),
                "cooccurring": co.iter().map(entity_json).collect::<Vec<_>>(),
                "cooccurrence_window": COOCCURRENCE_WINDOW,
                "quotes": {"total": quotes.total, "items": quotes.items},
                "stance": stance(&st.events, &acts, &tone),
            }))
        })
        .await?;
    ok(v)
}

/// Co-occurrence on entity pages counts the entity's most recent documents, at most this many.
const COOCCURRENCE_WINDOW: usize = 1000;

/// An actor's stance, from what it does and what it says: the events it acts in, by PLOVER
/// type and by the lexicon's cooperation/conflict split, and the mean tone of its quotes by
/// year (lexicon tone, -1 hostile to 1 warm).
fn stance(
    lexicon: &dyad_extract::EventLexicon,
    acts: &[(String, u64)],
    tone: &[(String, u64, f64)],
) -> Value {
    let (mut cooperative, mut conflictual) = (0, 0);
    for (kind, n) in acts {
        match lexicon.quad(kind) {
            Some(QuadClass::Cooperation) => cooperative += n,
            Some(QuadClass::Conflict) => conflictual += n,
            None => {}
        }
    }
    json!({
        "events": acts.iter().map(|(t, n)| json!({"type": t, "count": n})).collect::<Vec<_>>(),
        "cooperative": cooperative,
        "conflictual": conflictual,
        "quote_tone": tone.iter().map(|(year, n, mean)| json!({
            "year": year, "quotes": n, "tone": (mean * 1000.0).round() / 1000.0,
        })).collect::<Vec<_>>(),
    })
}

/// Names and (for persons) dated roles from the knowledge base.
fn kb_entry(kb: &dyad_kb::Kb, id: Option<&str>) -> Value {
    let Some(r) = id.and_then(|id| kb.get(id)) else {
        return Value::Null;
    };
    let names = kb.names(r);
    let roles: Vec<Value> = match r {
        dyad_kb::EntryRef::Person(i) => kb.persons[i]
            .roles
            .iter()
            .map(|role| {
                json!({
                    "office": role.office, "title": role.title, "country": role.country,
                    "org": role.org, "from": role.from, "to": role.to,
                })
            })
            .collect(),
        _ => Vec::new(),
    };
    json!({
        "id": names.id, "type": names.kind.as_str(), "name": names.name,
        "native": names.native, "aliases": names.aliases, "roles": roles,
    })
}

fn event_filter(p: &Params) -> Result<EventFilter, ApiError> {
    Ok(EventFilter {
        since: p.date("since")?,
        until: p.date("until")?,
        kind: p.opt("type"),
        status: p.opt("status"),
        actor: p.opt("actor"),
    })
}

const EVENT_FILTERS: [&str; 5] = ["since", "until", "type", "status", "actor"];

async fn events(State(st): St, q: Q) -> Answer {
    let p = Params::new(q, &with_paging(&EVENT_FILTERS))?;
    let meta = p.page()?;
    let f = event_filter(&p)?;
    let page = st
        .with_store(move |s, _| Ok(s.events_page(&f, meta.store())?))
        .await?;
    ok(meta.wrap(page))
}

/// Events per month, with the filters of `/events`.
async fn timeline(State(st): St, q: Q) -> Answer {
    let p = Params::new(q, &EVENT_FILTERS)?;
    let f = event_filter(&p)?;
    let key = format!("timeline?{f:?}");
    let v = st
        .aggregate(key, move |s, _| {
            let months = s.events_by_month(&f)?;
            Ok(json!({"months": months.iter().map(|(m, n)| json!({"month": m, "events": n})).collect::<Vec<_>>()}))
        })
        .await?;
    ok(v)
}

async fn quotes(State(st): St, q: Q) -> Answer {
    let p = Params::new(q, &with_paging(&["speaker"]))?;
    let meta = p.page()?;
    let speaker = p.opt("speaker");
    let page = st
        .with_store(move |s, _| Ok(s.quotes_page(speaker.as_deref(), meta.store())?))
        .await?;
    ok(meta.wrap(page))
}

async fn speakers(State(st): St, q: Q) -> Answer {
    let p = Params::new(q, &["limit"])?;
    let limit = p.number("limit", 50, 1, MAX_LIMIT)?;
    let v = st
        .aggregate(format!("speakers?{limit}"), move |s, _| {
            Ok(json!({"items": s.speakers(limit)?}))
        })
        .await?;
    ok(v)
}

async fn commitments(State(st): St, q: Q) -> Answer {
    let p = Params::new(q, &with_paging(&["status", "topic", "holder"]))?;
    let meta = p.page()?;
    let status = p.opt("status");
    if let Some(s) = &status {
        crate::commitments::check_status(s).map_err(|e| ApiError::bad_request(e.message))?;
    }
    let f = TrackFilter {
        topic: p.opt("topic"),
        holder: p.opt("holder"),
        status,
    };
    let page = st
        .with_store(move |s, st| st.commitments.list(s, &f, meta.store()))
        .await?;
    ok(meta.wrap(page))
}

async fn commitments_summary(State(st): St, q: Q) -> Answer {
    Params::new(q, &[])?;
    let summary = st.with_store(|s, st| st.commitments.summary(s)).await?;
    ok(json!({"statuses": STATUSES, "summary": summary}))
}

async fn commitment(State(st): St, id: Result<Path<String>, PathRejection>, q: Q) -> Answer {
    // `page`/`per_page` page the commitment's evidence.
    let p = Params::new(q, &PAGING)?;
    let meta = p.page()?;
    let id = path(id)?;
    let found = st
        .with_store(move |s, st| {
            st.commitments
                .get(s, &id, meta.store())?
                .ok_or_else(|| ApiError::not_found(format!("no commitment `{id}`")))
        })
        .await?;
    ok(found)
}

async fn suggestions(State(st): St, q: Q) -> Answer {
    let p = Params::new(q, &with_paging(&["commitment"]))?;
    let meta = p.page()?;
    let commitment = p.opt("commitment");
    let page = st
        .with_store(move |s, st| {
            st.commitments
                .suggestions(s, commitment.as_deref(), meta.store())
        })
        .await?;
    ok(meta.wrap(page))
}

async fn topics(State(st): St, q: Q) -> Answer {
    let p = Params::new(q, &["since", "until"])?;
    let since = p.date("since")?;
    let until = p.date("until")?;
    let key = format!("topics?{since:?}&{until:?}");
    let v = st
        .aggregate(key, move |s, _| {
            Ok(json!({"items": s.topics_by_month(since.as_deref(), until.as_deref())?}))
        })
        .await?;
    ok(v)
}

async fn sources(State(st): St, q: Q) -> Answer {
    Params::new(q, &[])?;
    let v = st
        .aggregate("sources".into(), |s, _| Ok(json!({"items": s.sources()?})))
        .await?;
    ok(v)
}

/// Parses a write body: it must be declared `application/json` (a cross-site HTML form cannot
/// send that) and decode into `T`.
fn body<T: serde::de::DeserializeOwned>(headers: &HeaderMap, bytes: &Bytes) -> Result<T, ApiError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(ApiError::new(
            "unsupported_media_type",
            "send the body as `Content-Type: application/json`",
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| ApiError::bad_request(format!("body: {e}")))
}

/// Who wrote, as the tracker's history and audit log name analysts.
fn analyst(token_name: &str) -> String {
    format!("analyst:{token_name}")
}

fn note(n: Option<String>) -> Result<Option<String>, ApiError> {
    match n.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) {
        Some(s) if s.chars().count() > 2000 => Err(ApiError::bad_request(
            "`note` is longer than 2000 characters",
        )),
        other => Ok(other),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusBody {
    status: String,
    #[serde(default)]
    note: Option<String>,
    /// A document and a sentence of it.
    #[serde(default)]
    evidence: Option<EvidenceBody>,
    /// Or a suggestion (`s12`): its document and sentence.
    #[serde(default)]
    suggestion: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EvidenceBody {
    doc_id: String,
    sentence: String,
}

async fn set_status(
    State(st): St,
    Extension(Caller(by)): Extension<Caller>,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    let id = path(id)?;
    let by = analyst(&by);
    let b: StatusBody = body(&headers, &bytes)?;
    let n = note(b.note)?;
    let status = b.status.trim().to_string();
    let evidence = match (b.evidence, b.suggestion) {
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request(
                "give `evidence` or `suggestion`, not both",
            ));
        }
        (Some(e), None) => {
            if e.sentence.chars().count() > 5000 {
                return Err(ApiError::bad_request(
                    "`evidence.sentence` is longer than 5000 characters",
                ));
            }
            StatusEvidence::Document {
                doc_id: e.doc_id.trim().to_string(),
                sentence: e.sentence,
            }
        }
        (None, Some(s)) => StatusEvidence::Suggestion(s.trim().to_string()),
        (None, None) => StatusEvidence::None,
    };
    let rec = st
        .with_store(move |s, st| {
            st.commitments
                .set_status(s, &id, &status, &evidence, &by, n.as_deref())
        })
        .await?;
    ok(rec)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MergeBody {
    ids: Vec<String>,
    into: String,
    #[serde(default)]
    note: Option<String>,
}

async fn merge(
    State(st): St,
    Extension(Caller(by)): Extension<Caller>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    let by = analyst(&by);
    let b: MergeBody = body(&headers, &bytes)?;
    if b.ids.is_empty() || b.ids.len() > 100 {
        return Err(ApiError::bad_request(
            "`ids` must list 1 to 100 commitments",
        ));
    }
    let n = note(b.note)?;
    let rec = st
        .with_store(move |s, st| st.commitments.merge(s, &b.ids, &b.into, &by, n.as_deref()))
        .await?;
    ok(rec)
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ReviewBody {
    #[serde(default)]
    note: Option<String>,
}

async fn review(
    st: Arc<AppState>,
    by: String,
    id: String,
    accept: bool,
    headers: &HeaderMap,
    bytes: &Bytes,
) -> Answer {
    let by = analyst(&by);
    let b: ReviewBody = body(headers, bytes)?;
    let n = note(b.note)?;
    let v = st
        .with_store(move |s, st| {
            st.commitments
                .review_suggestion(s, &id, accept, &by, n.as_deref())
        })
        .await?;
    Ok((StatusCode::OK, Json(v)).into_response())
}

async fn accept(
    State(st): St,
    Extension(Caller(by)): Extension<Caller>,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    review(st, by, path(id)?, true, &headers, &bytes).await
}

async fn reject(
    State(st): St,
    Extension(Caller(by)): Extension<Caller>,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    review(st, by, path(id)?, false, &headers, &bytes).await
}
