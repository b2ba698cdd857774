//! The API's errors: one table of codes, each with its HTTP status. Every error response is
//! `{"error": {"code": "...", "message": "..."}}`; the OpenAPI description lists the table.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Every error code the API answers with: `(code, HTTP status, meaning)`.
pub const ERROR_CODES: &[(&str, u16, &str)] = &[
    (
        "bad_request",
        400,
        "a parameter or the body is malformed or out of range",
    ),
    (
        "unauthorized",
        401,
        "a write needs `Authorization: Bearer <token>` with a live token (`dyad token create`)",
    ),
    (
        "forbidden",
        403,
        "cross-origin write refused (the Origin header names another site)",
    ),
    ("not_found", 404, "no such resource"),
    (
        "method_not_allowed",
        405,
        "the resource exists but not with this method",
    ),
    ("payload_too_large", 413, "the request body is too large"),
    (
        "unsupported_media_type",
        415,
        "a write body must be `application/json`",
    ),
    (
        "unprocessable",
        422,
        "the request is well-formed but cannot be applied (unknown status, nothing to merge...)",
    ),
    ("internal", 500, "the server failed; the message says where"),
    (
        "unavailable",
        503,
        "a component is not available (for instance the full-text index is locked)",
    ),
];

/// An API error: a code of [`ERROR_CODES`] and a message for humans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(code: &'static str, message: impl Into<String>) -> ApiError {
        debug_assert!(ERROR_CODES.iter().any(|(c, _, _)| *c == code), "{code}");
        ApiError {
            code,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new("bad_request", message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new("not_found", message)
    }

    pub fn unprocessable(message: impl Into<String>) -> ApiError {
        ApiError::new("unprocessable", message)
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new("internal", message)
    }

    /// The HTTP status of this error's code.
    pub fn status(&self) -> StatusCode {
        let code = ERROR_CODES
            .iter()
            .find(|(c, _, _)| *c == self.code)
            .map_or(500, |(_, s, _)| *s);
        StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

impl From<dyad_store::StoreError> for ApiError {
    fn from(e: dyad_store::StoreError) -> ApiError {
        match e {
            dyad_store::StoreError::Ambiguous { .. } => ApiError::bad_request(e.to_string()),
            other => ApiError::internal(format!("store: {other}")),
        }
    }
}

impl From<dyad_search::SearchError> for ApiError {
    fn from(e: dyad_search::SearchError) -> ApiError {
        match e {
            dyad_search::SearchError::Query(m) => ApiError::bad_request(format!("query: {m}")),
            dyad_search::SearchError::Locked(_) => ApiError::new("unavailable", e.to_string()),
            other => ApiError::internal(format!("index: {other}")),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status().is_server_error() {
            tracing::error!("{self}");
        }
        let body = json!({"error": {"code": self.code, "message": self.message}});
        (self.status(), axum::Json(body)).into_response()
    }
}
