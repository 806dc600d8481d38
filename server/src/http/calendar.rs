//! REST endpoints of the working-day calendar (VN-32): every staff member reads the yearly
//! notices in force; the administrator (the operator) enters each year's notice.

use axum::extract::State;
use axum::routing::{get, put};
use axum::{Json, Router};
use utoipa::OpenApi;

use super::extract::{ApiJson, ApiPath};
use crate::auth::{Role, StaffUser};
use crate::error::AppResult;
use crate::services::calendar::{self as service, NoticeRequest, NoticeView};
use crate::state::AppState;

const ENTER: &[Role] = &[Role::Admin];

#[derive(OpenApi)]
#[openapi(
    paths(list_notices, put_notice),
    tags((name = "calendar", description = "The working-day calendar legal periods are counted on, VN-32"))
)]
pub struct Api;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/calendar", get(list_notices))
        .route("/api/v1/calendar/{year}", put(put_notice))
}

#[utoipa::path(get, path = "/api/v1/calendar", tag = "calendar", security(("bearer" = [])),
    responses((status = 200, body = Vec<NoticeView>, description = "each year's notice in force, shipped or entered"),
        (status = 401)))]
pub async fn list_notices(
    State(state): State<AppState>,
    _user: StaffUser,
) -> AppResult<Json<Vec<NoticeView>>> {
    Ok(Json(service::notices(&state.db).await?))
}

#[utoipa::path(put, path = "/api/v1/calendar/{year}", tag = "calendar", security(("bearer" = [])),
    request_body = NoticeRequest,
    responses((status = 200, body = NoticeView, description = "entered; deadlines are counted on it from now on"),
        (status = 401), (status = 403, description = "not an admin"),
        (status = 422, description = "a date outside the year, a day off on a weekend, a working day on a weekday, a date twice, or no source")))]
pub async fn put_notice(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(year): ApiPath<i32>,
    ApiJson(req): ApiJson<NoticeRequest>,
) -> AppResult<Json<NoticeView>> {
    user.require(ENTER)?;
    let view = service::enter_notice(&state, &user.actor(), year, req).await?;
    Ok(Json(view))
}
