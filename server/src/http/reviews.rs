//! REST endpoints of reviews (*phúc khảo*) of paper-written round-2 marks (VN-27).
//! HR records the candidate's request; markers (or the chair) enter the reviewers' marks; the
//! chair decides after the conference when the review is 5 or more from the published mark.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use utoipa::OpenApi;

use super::extract::{ApiJson, ApiPath};
use crate::auth::{Role, StaffUser};
use crate::error::AppResult;
use crate::services::reviews::{
    self as service, NewReview, ReviewDecision, ReviewList, ReviewMarks, ReviewView,
};
use crate::state::AppState;

const REQUEST: &[Role] = &[Role::Hr];
const MARK: &[Role] = &[Role::Marker, Role::Chair];
const DECIDE: &[Role] = &[Role::Chair];
const READ: &[Role] = &[Role::Hr, Role::Marker, Role::Chair, Role::Admin];

#[derive(OpenApi)]
#[openapi(
    paths(create_review, list_reviews, create_review_marks, create_review_decision),
    tags((name = "reviews", description = "Review (phúc khảo) of paper-written round-2 marks, VN-27"))
)]
pub struct Api;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/rounds/{round_id}/reviews",
            post(create_review).get(list_reviews),
        )
        .route(
            "/api/v1/reviews/{review_id}/marks",
            post(create_review_marks),
        )
        .route(
            "/api/v1/reviews/{review_id}/decision",
            post(create_review_decision),
        )
}

#[utoipa::path(post, path = "/api/v1/rounds/{round_id}/reviews", tag = "reviews", security(("bearer" = [])),
    request_body = NewReview,
    responses((status = 201, body = ReviewView, description = "recorded; `deadline` is the last day requests are accepted"),
        (status = 401), (status = 403, description = "not hr"), (status = 404, description = "no such round"),
        (status = 409, description = "results not published, the window closed (the detail names the deadline), a mark not settled, or already requested"),
        (status = 422, description = "an application of another round, a position not examined on paper, or no written mark")))]
pub async fn create_review(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(round_id): ApiPath<i32>,
    ApiJson(req): ApiJson<NewReview>,
) -> AppResult<(StatusCode, Json<ReviewView>)> {
    user.require(REQUEST)?;
    let review = service::request_review(&state, &user.actor(), round_id, req).await?;
    Ok((StatusCode::CREATED, Json(review)))
}

#[utoipa::path(get, path = "/api/v1/rounds/{round_id}/reviews", tag = "reviews", security(("bearer" = [])),
    responses((status = 200, body = ReviewList), (status = 401), (status = 403), (status = 404)))]
pub async fn list_reviews(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(round_id): ApiPath<i32>,
) -> AppResult<Json<ReviewList>> {
    user.require(READ)?;
    Ok(Json(service::list_reviews(&state, round_id).await?))
}

#[utoipa::path(post, path = "/api/v1/reviews/{review_id}/marks", tag = "reviews", security(("bearer" = [])),
    request_body = ReviewMarks,
    responses((status = 200, body = ReviewView, description = "`status` applied (the review mark now counts and the position is re-ranked), needs_third_reviewer or needs_conference"),
        (status = 401), (status = 403, description = "not marker or chair"), (status = 404),
        (status = 409, description = "the review is already applied or awaits the chair"),
        (status = 422, description = "a mark outside 0–100 or with more than 2 decimals (`marks[i]`), or a wrong count")))]
pub async fn create_review_marks(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(review_id): ApiPath<i32>,
    ApiJson(req): ApiJson<ReviewMarks>,
) -> AppResult<Json<ReviewView>> {
    user.require(MARK)?;
    Ok(Json(
        service::enter_review_marks(&state, &user.actor(), review_id, req).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/reviews/{review_id}/decision", tag = "reviews", security(("bearer" = [])),
    request_body = ReviewDecision,
    responses((status = 200, body = ReviewView), (status = 401), (status = 403, description = "not chair"), (status = 404),
        (status = 409, description = "the review does not await the chair"), (status = 422)))]
pub async fn create_review_decision(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(review_id): ApiPath<i32>,
    ApiJson(req): ApiJson<ReviewDecision>,
) -> AppResult<Json<ReviewView>> {
    user.require(DECIDE)?;
    Ok(Json(
        service::decide_review(&state, &user.actor(), review_id, req).await?,
    ))
}
