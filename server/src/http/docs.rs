//! The machine-readable contract (`/api/openapi.json`, generated from the handlers' annotations)
//! and a small self-contained page to browse it (no assets fetched from elsewhere).

use axum::http::header;
use axum::response::{Html, IntoResponse};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "thituyen API", description = "Computer-based civil-service recruitment exams: question banks, rounds, sittings, ranking and publication."),
    paths(
        super::auth::login,
        super::auth::me,
        super::auth::logout,
        super::auth::refresh,
        super::users::create_user,
        super::users::list_users,
        super::users::disable_user,
        super::users::enable_user,
        super::users::reset_password,
        super::users::change_roles,
        super::audit::verify_audit,
        health,
    ),
    modifiers(&BearerAuth),
    tags((name = "staff"), (name = "audit"), (name = "meta"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The whole document: the core above merged with each resource module's own `Api`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(super::bank::Api::openapi());
    doc.merge(super::calendar::Api::openapi());
    doc.merge(super::round::Api::openapi());
    doc.merge(super::exam::Api::openapi());
    doc.merge(super::seating::Api::openapi());
    doc.merge(super::sitting::Api::openapi());
    doc.merge(super::sign_in::Api::openapi());
    doc.merge(super::results::Api::openapi());
    doc.merge(super::reports::Api::openapi());
    doc.merge(super::reviews::Api::openapi());
    doc
}

pub async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(openapi())
}

#[utoipa::path(get, path = "/api/health", tag = "meta", responses((status = 200, description = "the server is up")))]
/// Liveness, with the server's clock (the only clock: load generators and lab tools align to it).
pub async fn health(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
) -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({"status": "ok", "server_now": state.now()}))
}

/// The page loads its script and style sheet from the server, so its policy allows no inline
/// code at all.
const DOCS_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    connect-src 'self'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

pub async fn docs_page() -> impl IntoResponse {
    (
        [(header::CONTENT_SECURITY_POLICY, DOCS_POLICY)],
        Html(DOCS_HTML),
    )
}

pub async fn docs_script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("../../assets/api-docs.js"),
    )
}

pub async fn docs_style() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../../assets/api-docs.css"),
    )
}

const DOCS_HTML: &str = r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>thituyen API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/api/docs.css">
<script src="/api/docs.js" defer></script>
</head><body>
<h1>thituyen API</h1>
<p>Generated from the server's code: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3).</p>
<div id="ops">Loading…</div>
</body></html>"#;
