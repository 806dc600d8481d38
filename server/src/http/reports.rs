//! The round's report: figures and charts (issue 7), for HR, the chair and the administrator.

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use utoipa::OpenApi;

use super::extract::{ApiPath, ApiQuery};
use crate::auth::{Role, StaffUser};
use crate::error::AppResult;
use crate::services::reports::{self as service, RoundReport};
use crate::state::AppState;

const READ: &[Role] = &[Role::Hr, Role::Chair, Role::Admin];

#[derive(OpenApi)]
#[openapi(
    paths(get_report),
    tags((name = "reports", description = "Figures and charts of a round"))
)]
pub struct Api;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/rounds/{round_id}/reports", get(get_report))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// Language of the chart texts: `vi` (default) or `en`.
    pub lang: Option<String>,
}

/// Score distribution per exam (ten bars over tenths of the maximum score), pass rate per
/// section, applicants and winners per position and the competition ratio, with the charts as
/// inline SVG drawn on the server.
#[utoipa::path(get, path = "/api/v1/rounds/{round_id}/reports", tag = "reports", security(("bearer" = [])),
    params(("round_id" = i32, Path), ReportQuery),
    responses((status = 200, body = RoundReport), (status = 401), (status = 403, description = "not hr, chair or admin"),
        (status = 404, description = "no such round")))]
pub async fn get_report(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(round_id): ApiPath<i32>,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> AppResult<axum::Json<RoundReport>> {
    user.require(READ)?;
    Ok(axum::Json(
        service::round_report(&state, round_id, query.lang.as_deref()).await?,
    ))
}
