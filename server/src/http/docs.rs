//! The machine-readable contract (`/api/openapi.json`, generated from the handlers' annotations)
//! and a small self-contained page to browse it (no assets fetched from elsewhere).

use axum::response::Html;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "thituyen API", description = "Computer-based civil-service recruitment exams: question banks, rounds, sittings, ranking and publication."),
    paths(
        super::auth::login,
        super::auth::me,
        super::users::create_user,
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
    doc.merge(super::round::Api::openapi());
    doc.merge(super::exam::Api::openapi());
    doc.merge(super::seating::Api::openapi());
    doc.merge(super::sitting::Api::openapi());
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

pub async fn docs_page() -> Html<&'static str> {
    Html(DOCS_HTML)
}

const DOCS_HTML: &str = r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>thituyen API</title>
<link rel="icon" href="data:,">
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#1d2733}
h1{font-size:1.6em} .op{border:1px solid #d5dce4;border-radius:6px;margin:.6em 0}
.op summary{cursor:pointer;padding:.5em .8em;display:flex;gap:.8em;align-items:center}
.m{font-weight:700;text-transform:uppercase;width:4.5em;color:#fff;border-radius:4px;text-align:center;font-size:.8em;padding:.15em}
.get{background:#2f7d32}.post{background:#1565c0}.put{background:#ef6c00}.delete{background:#c62828}
pre{background:#f4f6f8;padding:.8em;overflow:auto;margin:0 .8em .8em}
code{font-family:ui-monospace,monospace}
</style></head><body>
<h1>thituyen API</h1>
<p>Generated from the server's code: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3).</p>
<div id="ops">Loading…</div>
<script>
fetch('/api/openapi.json').then(r=>r.json()).then(doc=>{
  const out=document.getElementById('ops'); out.textContent='';
  const schemas=(doc.components||{}).schemas||{};
  for(const [path,item] of Object.entries(doc.paths)){
    for(const [method,op] of Object.entries(item)){
      const d=document.createElement('details'); d.className='op';
      const s=document.createElement('summary');
      s.innerHTML=`<span class="m ${method}">${method}</span><code></code><span></span>`;
      s.children[1].textContent=path; s.children[2].textContent=op.summary||op.description||'';
      d.appendChild(s);
      const pre=document.createElement('pre');
      pre.textContent=JSON.stringify({parameters:op.parameters,requestBody:op.requestBody,responses:op.responses,security:op.security},null,2);
      d.appendChild(pre); out.appendChild(d);
    }
  }
  const h=document.createElement('h2'); h.textContent='Schemas'; out.appendChild(h);
  const pre=document.createElement('pre'); pre.textContent=JSON.stringify(schemas,null,2); out.appendChild(pre);
});
</script></body></html>"#;
