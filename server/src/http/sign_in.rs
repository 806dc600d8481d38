//! The supervisor's side of sign-in security (issue 16): moves of a live sitting to another
//! computer, the lab lock of a session, a candidate's PIN re-issued, and the security log.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::OpenApi;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::auth::{Role, StaffUser};
use crate::error::AppResult;
use crate::services::sign_in::lab::{self, LabLock, LabLockRequest, ReissuedPin};
use crate::services::sign_in::log::{self, LogList};
use crate::services::sign_in::moves::{self, MoveList, MoveView};
use crate::services::sitting::dto::ReasonRequest;
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(paths(
    list_moves,
    approve_move,
    get_lab_lock,
    set_lab_lock,
    reissue_pin,
    session_security_log,
    security_log
))]
pub struct Api;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/sessions/{session_id}/moves", get(list_moves))
        .route("/api/v1/moves/{move_id}/approve", post(approve_move))
        .route(
            "/api/v1/sessions/{session_id}/lab-lock",
            get(get_lab_lock).put(set_lab_lock),
        )
        .route("/api/v1/sittings/{sitting_id}/pin", post(reissue_pin))
        .route(
            "/api/v1/sessions/{session_id}/security-log",
            get(session_security_log),
        )
        .route("/api/v1/security-log", get(security_log))
}

#[utoipa::path(get, path = "/api/v1/sessions/{session_id}/moves", tag = "supervision", security(("bearer" = [])),
    responses((status = 200, body = MoveList, description = "moves waiting for the supervisor, each with both computers")))]
pub async fn list_moves(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(session_id): ApiPath<i32>,
) -> AppResult<Json<MoveList>> {
    user.require(&[Role::Supervisor])?;
    Ok(Json(moves::pending(&state, session_id).await?))
}

#[utoipa::path(post, path = "/api/v1/moves/{move_id}/approve", tag = "supervision", security(("bearer" = [])),
    request_body = ReasonRequest,
    responses((status = 200, body = MoveView, description = "the new computer holds the sitting; the first is locked"), (status = 409, description = "not waiting")))]
pub async fn approve_move(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(move_id): ApiPath<i32>,
    ApiJson(req): ApiJson<ReasonRequest>,
) -> AppResult<Json<MoveView>> {
    user.require(&[Role::Supervisor])?;
    Ok(Json(
        moves::approve(&state, &user.actor(), move_id, req).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/sessions/{session_id}/lab-lock", tag = "supervision", security(("bearer" = [])),
    responses((status = 200, body = LabLock)))]
pub async fn get_lab_lock(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(session_id): ApiPath<i32>,
) -> AppResult<Json<LabLock>> {
    user.require(&[Role::Supervisor, Role::Hr, Role::Chair])?;
    Ok(Json(lab::networks(&state, session_id).await?))
}

#[utoipa::path(put, path = "/api/v1/sessions/{session_id}/lab-lock", tag = "supervision", security(("bearer" = [])),
    request_body = LabLockRequest,
    responses((status = 200, body = LabLock), (status = 422, description = "an entry is not a CIDR network")))]
pub async fn set_lab_lock(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(session_id): ApiPath<i32>,
    ApiJson(req): ApiJson<LabLockRequest>,
) -> AppResult<Json<LabLock>> {
    user.require(&[Role::Supervisor, Role::Hr])?;
    Ok(Json(
        lab::set_networks(&state, &user.actor(), session_id, req).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/sittings/{sitting_id}/pin", tag = "supervision", security(("bearer" = [])),
    request_body = ReasonRequest,
    responses((status = 200, body = ReissuedPin, description = "the new PIN, shown this once")))]
pub async fn reissue_pin(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(sitting_id): ApiPath<i32>,
    ApiJson(req): ApiJson<ReasonRequest>,
) -> AppResult<Json<ReissuedPin>> {
    user.require(&[Role::Supervisor])?;
    Ok(Json(
        lab::reissue_pin(&state, &user.actor(), sitting_id, req).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogQuery {
    /// Lines older than this id (paging back).
    pub before_id: Option<i32>,
    /// 50 by default, at most 500.
    pub limit: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/sessions/{session_id}/security-log", tag = "supervision", security(("bearer" = [])),
    params(LogQuery), responses((status = 200, body = LogList)))]
pub async fn session_security_log(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(session_id): ApiPath<i32>,
    ApiQuery(q): ApiQuery<LogQuery>,
) -> AppResult<Json<LogList>> {
    user.require(&[Role::Supervisor, Role::Admin])?;
    Ok(Json(
        log::list(&state, Some(session_id), q.before_id, q.limit).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/security-log", tag = "staff", security(("bearer" = [])),
    params(LogQuery), responses((status = 200, body = LogList, description = "every sign-in, staff and candidate, newest first")))]
pub async fn security_log(
    State(state): State<AppState>,
    user: StaffUser,
    ApiQuery(q): ApiQuery<LogQuery>,
) -> AppResult<Json<LogList>> {
    user.require(&[Role::Admin])?;
    Ok(Json(log::list(&state, None, q.before_id, q.limit).await?))
}
