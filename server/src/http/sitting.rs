//! The candidate's endpoints.

use axum::extract::{ConnectInfo, State};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use std::net::SocketAddr;
use utoipa::OpenApi;

use super::extract::{ApiJson, ApiPath};
use crate::auth::extract::CandidateLogin;
use crate::error::AppResult;
use crate::services::sitting::dto::{
    AnswerAck, AnswerRequest, CandidateLoginRequest, CandidateLoginResponse, SittingView,
    SubmitResult,
};
use crate::services::sitting::{finish, login, save, view};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(paths(candidate_login, get_sitting, put_answer, submit_sitting))]
pub struct Api;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/candidate/login", post(candidate_login))
        .route("/api/v1/sitting", get(get_sitting))
        .route("/api/v1/sitting/answers/{no}", put(put_answer))
        .route("/api/v1/sitting/submit", post(submit_sitting))
}

#[utoipa::path(post, path = "/api/v1/candidate/login", tag = "candidates",
    request_body = CandidateLoginRequest,
    responses((status = 200, body = CandidateLoginResponse), (status = 401), (status = 403, description = "late beyond VN-22 without admission")))]
pub async fn candidate_login(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    ApiJson(req): ApiJson<CandidateLoginRequest>,
) -> AppResult<Json<CandidateLoginResponse>> {
    Ok(Json(
        login::candidate_login(&state, req, &addr.ip().to_string()).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/sitting", tag = "candidates", security(("bearer" = [])),
    responses((status = 200, body = SittingView), (status = 401, description = "signed in elsewhere")))]
pub async fn get_sitting(
    State(state): State<AppState>,
    who: CandidateLogin,
) -> AppResult<Json<SittingView>> {
    Ok(Json(view::view(&state, &who).await?))
}

#[utoipa::path(put, path = "/api/v1/sitting/answers/{no}", tag = "candidates", security(("bearer" = [])),
    request_body = AnswerRequest,
    responses((status = 200, body = AnswerAck, description = "committed (group commit with concurrent saves)"), (status = 409, description = "stale seq"), (status = 423, description = "not open"), (status = 503, description = "saves queue full: retry after `Retry-After` seconds")))]
pub async fn put_answer(
    State(state): State<AppState>,
    who: CandidateLogin,
    ApiPath(no): ApiPath<u32>,
    ApiJson(req): ApiJson<AnswerRequest>,
) -> AppResult<Json<AnswerAck>> {
    Ok(Json(save::save_answer(&state, &who, no, req).await?))
}

#[utoipa::path(post, path = "/api/v1/sitting/submit", tag = "candidates", security(("bearer" = [])),
    responses((status = 200, body = SubmitResult), (status = 423), (status = 503, description = "submissions queue full: retry after `Retry-After` seconds")))]
pub async fn submit_sitting(
    State(state): State<AppState>,
    who: CandidateLogin,
) -> AppResult<Json<SubmitResult>> {
    Ok(Json(finish::submit(&state, &who).await?))
}
