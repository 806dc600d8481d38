//! Seats of an exam's sessions: automatic assignment, hand edits, the list of sessions with
//! their tickets, and the printable admission tickets and room seat lists (issue 5).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::OpenApi;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::audit::Action;
use crate::auth::{Role, StaffUser};
use crate::download::Download;
use crate::error::AppResult;
use crate::services::disclosure;
use crate::services::seating::{
    self as svc, AssignRequest, AssignResult, SeatMove, SeatRequest, SessionList,
};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(paths(
    assign_seats,
    list_exam_sessions,
    move_seat,
    admission_tickets,
    seat_list
))]
pub struct Api;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/exams/{exam_id}/sessions/assign",
            post(assign_seats),
        )
        .route("/api/v1/exams/{exam_id}/sessions", get(list_exam_sessions))
        .route("/api/v1/sittings/{sitting_id}/seat", put(move_seat))
        .route(
            "/api/v1/sessions/{session_id}/admission-tickets",
            get(admission_tickets),
        )
        .route("/api/v1/sessions/{session_id}/seat-list", get(seat_list))
}

/// Seats every eligible candidate of the exam's round who has no seat for this exam yet over
/// new sessions: no room over its seats, each position spread over the sessions in proportion
/// and never in neighbouring seats when that can be avoided; the same input gives the same
/// plan. 201 with the sessions created, or 200 with the plan when `dry_run` is true. The
/// session codes are not shown: supervisors open them in the room (VN-21).
#[utoipa::path(post, path = "/api/v1/exams/{exam_id}/sessions/assign", tag = "exams", security(("bearer" = [])),
    request_body = AssignRequest,
    responses((status = 201, body = AssignResult), (status = 200, body = AssignResult, description = "dry_run: the plan, nothing written"),
        (status = 404), (status = 422, description = "invalid sessions, fewer seats than candidates (the shortfall is named), nobody to seat, or a session left empty; nothing created")))]
pub async fn assign_seats(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(exam_id): ApiPath<i32>,
    ApiJson(req): ApiJson<AssignRequest>,
) -> AppResult<(StatusCode, Json<AssignResult>)> {
    user.require(&[Role::Hr])?;
    let result = svc::assign(&state, &user.actor(), exam_id, req).await?;
    let status = if result.dry_run {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(result)))
}

/// The exam's sessions by start, each with its tickets by seat. `access_code` is included only
/// for supervisors.
#[utoipa::path(get, path = "/api/v1/exams/{exam_id}/sessions", tag = "exams", security(("bearer" = [])),
    responses((status = 200, body = SessionList), (status = 404)))]
pub async fn list_exam_sessions(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(exam_id): ApiPath<i32>,
) -> AppResult<Json<SessionList>> {
    user.require(&[Role::Hr, Role::Supervisor])?;
    Ok(Json(
        svc::list_sessions(&state, exam_id, user.has(Role::Supervisor)).await?,
    ))
}

/// Moves a candidate to a seat of a session of the same exam before either session starts. A
/// free seat is taken; an occupied one is swapped. The ticket number never changes (tickets
/// may be printed already). Audited with the reason.
#[utoipa::path(put, path = "/api/v1/sittings/{sitting_id}/seat", tag = "exams", security(("bearer" = [])),
    request_body = SeatRequest,
    responses((status = 200, body = SeatMove), (status = 404),
        (status = 409, description = "a session involved has started (or was opened)"),
        (status = 422, description = "no such session of the same exam, seat outside the room, or no reason")))]
pub async fn move_seat(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(sitting_id): ApiPath<i32>,
    ApiJson(req): ApiJson<SeatRequest>,
) -> AppResult<Json<SeatMove>> {
    user.require(&[Role::Hr])?;
    Ok(Json(
        svc::move_seat(&state, &user.actor(), sitting_id, req).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PrintQuery {
    /// `html` (default); the seat list also `xlsx`.
    pub format: Option<String>,
    /// Why the list is printed or exported (optional), kept in the audit log.
    pub purpose: Option<String>,
}

/// Audits a printout or export of a session's candidates.
async fn exported(
    state: &AppState,
    user: &StaffUser,
    action: Action,
    session_id: i32,
    query: &PrintQuery,
    file: Download,
) -> AppResult<Download> {
    let shown = disclosure::Shown {
        action,
        entity_id: session_id.to_string(),
        details: serde_json::json!({"format": query.format.as_deref().unwrap_or("html")}),
    };
    let why = disclosure::purpose(query.purpose.as_deref());
    disclosure::exported(state, user, why, shown, file).await
}

/// One printable admission ticket (*giấy báo dự thi*) per candidate of the session, a page
/// each, in Vietnamese, times in Vietnam time.
#[utoipa::path(get, path = "/api/v1/sessions/{session_id}/admission-tickets", tag = "exams", security(("bearer" = [])),
    params(("session_id" = i32, Path), PrintQuery),
    responses((status = 200, description = "the printable page", content_type = "text/html", body = String), (status = 404),
        (status = 422, description = "unknown format")))]
pub async fn admission_tickets(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(session_id): ApiPath<i32>,
    ApiQuery(query): ApiQuery<PrintQuery>,
) -> AppResult<Download> {
    user.require(&[Role::Hr])?;
    let file = svc::admission_tickets(&state, session_id, query.format.as_deref()).await?;
    exported(
        &state,
        &user,
        Action::SessionAdmissionTickets,
        session_id,
        &query,
        file,
    )
    .await
}

/// The room's seat list: seat, ticket number, name, date of birth, position and a column for
/// the candidate's signature; as a printable page (`html`) or a workbook (`xlsx`).
#[utoipa::path(get, path = "/api/v1/sessions/{session_id}/seat-list", tag = "exams", security(("bearer" = [])),
    params(("session_id" = i32, Path), PrintQuery),
    responses((status = 200, description = "the printable page (`html`) or the workbook (`xlsx`)",
            content((String = "text/html"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 404), (status = 422, description = "unknown format")))]
pub async fn seat_list(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(session_id): ApiPath<i32>,
    ApiQuery(query): ApiQuery<PrintQuery>,
) -> AppResult<Download> {
    user.require(&[Role::Hr, Role::Supervisor])?;
    let file = svc::seat_list(&state, session_id, query.format.as_deref()).await?;
    exported(
        &state,
        &user,
        Action::SessionSeatList,
        session_id,
        &query,
        file,
    )
    .await
}
