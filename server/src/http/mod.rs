//! The REST API (reference: the generated `/api/openapi.json`): one route table, one module per resource, thin handlers.

pub mod audit;
pub mod auth;
pub mod bank;
pub mod caching;
pub mod calendar;
pub mod docs;
pub mod download;
pub mod exam;
pub mod extract;
pub mod headers;
pub mod limits;
pub mod reports;
pub mod request_id;
pub mod results;
pub mod reviews;
pub mod round;
pub mod seating;
pub mod sign_in;
pub mod sitting;
pub mod users;

use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::Router;

use crate::error::{problem_response, AppError};
use crate::state::AppState;

/// The route table of the API. Each handler checks its roles first thing.
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/login", post(auth::login))
        .route("/api/v1/auth/logout", post(auth::logout))
        .route("/api/v1/auth/refresh", post(auth::refresh))
        .route("/api/v1/me", get(auth::me))
        .route(
            "/api/v1/users",
            post(users::create_user).get(users::list_users),
        )
        .route("/api/v1/users/{user_id}/disable", post(users::disable_user))
        .route("/api/v1/users/{user_id}/enable", post(users::enable_user))
        .route(
            "/api/v1/users/{user_id}/password",
            put(users::reset_password),
        )
        .route("/api/v1/users/{user_id}/roles", put(users::change_roles))
        .route("/api/v1/audit/verify", get(audit::verify_audit))
        .route("/api/openapi.json", get(docs::openapi_json))
        .route("/api/docs", get(docs::docs_page))
        .route("/api/docs.js", get(docs::docs_script))
        .route("/api/docs.css", get(docs::docs_style))
        .route("/api/health", get(docs::health))
        .merge(bank::routes())
        .merge(calendar::routes())
        .merge(round::routes())
        .merge(exam::routes())
        .merge(seating::routes())
        .merge(sitting::routes())
        .merge(sign_in::routes())
        .merge(results::routes())
        .merge(reports::routes())
        .merge(reviews::routes())
        .layer(axum::middleware::from_fn(
            crate::auth::extract::renew_staff_tokens,
        ))
}

pub async fn unknown_api_route(req: Request) -> AppError {
    AppError::NotFound(format!(
        "no API route {} {}",
        req.method(),
        req.uri().path()
    ))
}

/// Gives every API error the problem+json shape, including the ones axum produces itself
/// (405 method not allowed, 413 body too large) before a handler runs.
pub async fn problem_for_bare_errors(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let resp = next.run(req).await;
    let status = resp.status();
    if !is_api || status.as_u16() < 400 {
        return resp;
    }
    let is_problem = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/problem+json"));
    if is_problem {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let detail = if text.trim().is_empty() {
        status.canonical_reason().unwrap_or("error").to_string()
    } else {
        text
    };
    let mut out = problem_response(
        status,
        status.canonical_reason().unwrap_or("error"),
        &detail,
        vec![],
    );
    for (k, v) in parts.headers.iter() {
        if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
            out.headers_mut().insert(k.clone(), v.clone());
        }
    }
    out
}
