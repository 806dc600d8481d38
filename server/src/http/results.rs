//! REST endpoints of this resource (API.md). Handlers are thin: extract, check the role, call
//! the service, map the result.

use axum::Router;
use utoipa::OpenApi;

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(paths())]
pub struct Api;

pub fn routes() -> Router<AppState> {
    Router::new()
}
