//! The candidate's endpoints.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use utoipa::OpenApi;

use super::extract::{ApiJson, ApiPath};
use crate::auth::extract::CandidateLogin;
use crate::error::AppResult;
use crate::services::sign_in::moves::{self, ClaimRequest, PendingMove};
use crate::services::sign_in::Client;
use crate::services::sitting::dto::{
    AnswerAck, AnswerRequest, CandidateLoginRequest, CandidateLoginResponse, SittingView,
    SubmitResult,
};
use crate::services::sitting::{finish, login, save, view};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(paths(candidate_login, poll_move, get_sitting, put_answer, submit_sitting))]
pub struct Api;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/candidate/login", post(candidate_login))
        .route("/api/v1/candidate/moves/{move_id}", post(poll_move))
        .route("/api/v1/sitting", get(get_sitting))
        .route("/api/v1/sitting/answers/{no}", put(put_answer))
        .route("/api/v1/sitting/submit", post(submit_sitting))
}

#[utoipa::path(post, path = "/api/v1/candidate/login", tag = "candidates",
    request_body = CandidateLoginRequest,
    responses((status = 200, body = CandidateLoginResponse), (status = 202, body = PendingMove, description = "the sitting is open on another computer: the supervisor approves the move"),
        (status = 401, description = "wrong ticket, session code or PIN"), (status = 403, description = "late beyond VN-22 without admission, outside the lab lock, or the sitting is over"),
        (status = 429, description = "too many failures for this ticket or session")))]
pub async fn candidate_login(
    State(state): State<AppState>,
    client: Client,
    ApiJson(req): ApiJson<CandidateLoginRequest>,
) -> AppResult<Response> {
    Ok(match login::candidate_login(&state, req, &client).await? {
        login::Outcome::SignedIn(resp) => Json(resp).into_response(),
        login::Outcome::Waiting(pending) => (StatusCode::ACCEPTED, Json(pending)).into_response(),
    })
}

#[utoipa::path(post, path = "/api/v1/candidate/moves/{move_id}", tag = "candidates",
    request_body = ClaimRequest,
    responses((status = 200, body = CandidateLoginResponse, description = "approved: the sitting is on this computer now"), (status = 202, body = PendingMove, description = "still waiting"),
        (status = 404, description = "no such move for this claim"), (status = 409, description = "replaced by a newer sign-in")))]
pub async fn poll_move(
    State(state): State<AppState>,
    ApiPath(move_id): ApiPath<i32>,
    ApiJson(req): ApiJson<ClaimRequest>,
) -> AppResult<Response> {
    Ok(match moves::poll(&state, move_id, req).await? {
        moves::Polled::SignedIn(resp) => Json(resp).into_response(),
        moves::Polled::Waiting(pending) => (StatusCode::ACCEPTED, Json(pending)).into_response(),
    })
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
