//! The server's one error type and its single mapping to HTTP (RFC 9457 problem+json).
//!
//! 5xx bodies are opaque on purpose: the cause chain goes to the log, never to the client.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use question_bank::{BankError, FieldError};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    /// The request was understood but its content breaks a rule; every problem is listed.
    #[error("{title}")]
    Invalid {
        title: String,
        errors: Vec<FieldError>,
    },
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Locked(String),
    #[error("too many attempts, retry in {retry_after} s")]
    TooManyRequests { retry_after: u64 },
    #[error("{0}")]
    PayloadTooLarge(String),
    /// Back-pressure: the server is saturated; the client retries after `retry_after` s.
    #[error("{reason}")]
    Unavailable { retry_after: u64, reason: String },
    #[error("database error: {0}")]
    Db(#[from] sea_orm::DbErr),
    /// A fault of the server's own (unreadable stored data, a task that died): the source error
    /// and its context are kept for the log.
    #[error("internal error: {0:#}")]
    Internal(anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn invalid(title: impl Into<String>, errors: Vec<FieldError>) -> Self {
        AppError::Invalid {
            title: title.into(),
            errors,
        }
    }

    pub fn field(location: impl Into<String>, message: impl Into<String>) -> Self {
        let message = message.into();
        AppError::Invalid {
            title: message.clone(),
            errors: vec![FieldError::new(location, message)],
        }
    }

    /// An internal fault described in words, when there is no error underneath.
    pub fn internal(message: impl std::fmt::Display + Send + Sync + 'static) -> Self {
        AppError::Internal(anyhow::Error::msg(message.to_string()))
    }

    /// An internal fault caused by `source`, with what the server was doing.
    pub fn internal_from(
        context: impl std::fmt::Display + Send + Sync + 'static,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        AppError::Internal(anyhow::Error::new(source).context(context))
    }

    /// The error with every cause under it, for the log: "a: b: c".
    pub fn chain(&self) -> String {
        use std::error::Error;
        match self {
            AppError::Internal(e) => format!("internal error: {e:#}"),
            AppError::Db(e) => {
                let mut out = format!("database error: {e}");
                let mut source = e.source();
                while let Some(cause) = source {
                    let text = cause.to_string();
                    // sea-orm repeats its source's text in its own; say each cause once.
                    if !out.ends_with(&text) {
                        out.push_str(": ");
                        out.push_str(&text);
                    }
                    source = cause.source();
                }
                out
            }
            other => other.to_string(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Locked(_) => StatusCode::LOCKED,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Db(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<BankError> for AppError {
    fn from(e: BankError) -> Self {
        let errors = e.errors().to_vec();
        AppError::Invalid {
            title: format!(
                "{} problem(s) in the input; nothing was changed",
                errors.len()
            ),
            errors,
        }
    }
}

impl From<JsonRejection> for AppError {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::JsonDataError(e) => {
                // serde_path_to_error gives "field: message"; keep the field as the location.
                let detail = e.body_text();
                let (location, message) = split_serde_detail(&detail);
                AppError::Invalid {
                    title: "the JSON body has a wrong type or a missing field".into(),
                    errors: vec![FieldError::new(location, message)],
                }
            }
            JsonRejection::JsonSyntaxError(e) => {
                AppError::BadRequest(format!("malformed JSON: {}", e.body_text()))
            }
            JsonRejection::MissingJsonContentType(_) => AppError::BadRequest(
                "expected a JSON body with Content-Type: application/json".into(),
            ),
            other => AppError::BadRequest(other.body_text()),
        }
    }
}

fn split_serde_detail(detail: &str) -> (String, String) {
    let detail = detail
        .strip_prefix("Failed to deserialize the JSON body into the target type: ")
        .unwrap_or(detail);
    match detail.split_once(": ") {
        Some((loc, msg)) if !loc.contains(' ') => (loc.to_string(), msg.to_string()),
        _ => ("body".to_string(), detail.to_string()),
    }
}

impl From<PathRejection> for AppError {
    fn from(r: PathRejection) -> Self {
        AppError::BadRequest(format!("bad path parameter: {}", r.body_text()))
    }
}

impl From<QueryRejection> for AppError {
    fn from(r: QueryRejection) -> Self {
        AppError::BadRequest(format!("bad query parameter: {}", r.body_text()))
    }
}

#[derive(Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub errors: Vec<FieldError>,
    /// On a 500: the id the log knows the failure by, for the client to quote.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

pub fn problem_response(
    status: StatusCode,
    title: &str,
    detail: &str,
    errors: Vec<FieldError>,
) -> Response {
    send_problem(Problem {
        kind: "about:blank".into(),
        title: title.to_string(),
        status: status.as_u16(),
        detail: detail.to_string(),
        errors,
        request_id: None,
    })
}

/// The opaque body of a 5xx: what happened in general, and the request id to quote.
fn internal_problem(status: StatusCode, request_id: Option<String>) -> Response {
    send_problem(Problem {
        kind: "about:blank".into(),
        title: "internal error".into(),
        status: status.as_u16(),
        detail: "the server could not complete the request; it has been logged".into(),
        errors: vec![],
        request_id,
    })
}

fn send_problem(body: Problem) -> Response {
    let status = StatusCode::from_u16(body.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = (status, axum::Json(body)).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    resp
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let AppError::Unavailable {
            retry_after,
            reason,
        } = &self
        {
            // Expected under load, not a failure: no error log, and the client is told when.
            let mut resp = problem_response(status, "service unavailable", reason, vec![]);
            if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return resp;
        }
        if status.is_server_error() {
            // The one place a failure is logged, with its whole chain; the client gets only
            // the request id to quote, never the cause (it may name tables, paths or data).
            let request_id = crate::http::request_id::current();
            tracing::error!(
                request_id = request_id.as_deref().unwrap_or("-"),
                error = %self.chain(),
                "request failed"
            );
            return internal_problem(status, request_id);
        }
        let title = status.canonical_reason().unwrap_or("error").to_string();
        let (detail, errors) = match &self {
            AppError::Invalid { title, errors } => (title.clone(), errors.clone()),
            other => (other.to_string(), vec![]),
        };
        let mut resp = problem_response(status, &title, &detail, errors);
        if let AppError::TooManyRequests { retry_after } = self {
            if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_internal_error_keeps_its_cause_for_the_log_only() {
        let cause = serde_json::from_str::<serde_json::Value>("{oops").unwrap_err();
        let e = AppError::internal_from("stored result of sitting 7", cause);
        let chain = e.chain();
        assert!(chain.starts_with("internal error: stored result of sitting 7: key must be"));
        let AppError::Internal(inner) = &e else {
            panic!("internal");
        };
        assert!(
            inner.chain().nth(1).is_some(),
            "the source is kept, not only its text"
        );
        let resp = e.into_response();
        assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn serde_detail_keeps_the_field_as_location() {
        let (loc, msg) = split_serde_detail(
            "Failed to deserialize the JSON body into the target type: password: invalid type: integer `5`, expected a string at line 1 column 30",
        );
        assert_eq!(loc, "password");
        assert!(msg.starts_with("invalid type"));
    }
}
