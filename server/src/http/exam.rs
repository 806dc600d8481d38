//! Exams, sessions, papers and the supervisor console.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use utoipa::OpenApi;

use super::extract::{ApiJson, ApiPath};
use crate::auth::{Role, StaffUser};
use crate::error::AppResult;
use crate::services::exam::{
    self as svc, ExamList, ExamView, NewExam, NewSession, PapersView, SessionView,
};
use crate::services::sitting::dto::{
    ExtensionRequest, IncidentView, Monitor, NewIncident, OpenedSession, ReasonRequest, Resitting,
    SanctionRequest, SittingSummary,
};
use crate::services::sitting::{incidents, supervise};
use crate::services::voiding::{self, VoidOutcome, VoidRequest, VoidedItemList};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(paths(
    create_exam,
    list_round_exams,
    get_exam,
    create_session,
    generate_papers,
    monitor_session,
    open_session,
    extend_sitting,
    admit_late,
    create_voided_item,
    list_voided_items
))]
pub struct Api;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/rounds/{round_id}/exams",
            post(create_exam).get(list_round_exams),
        )
        .route("/api/v1/exams/{exam_id}", get(get_exam))
        .route("/api/v1/exams/{exam_id}/sessions", post(create_session))
        .route(
            "/api/v1/exams/{exam_id}/voided-items",
            post(create_voided_item).get(list_voided_items),
        )
        .route(
            "/api/v1/sessions/{session_id}/papers",
            post(generate_papers),
        )
        .route(
            "/api/v1/sessions/{session_id}/monitor",
            get(monitor_session),
        )
        .route("/api/v1/sessions/{session_id}/open", post(open_session))
        .route(
            "/api/v1/sittings/{sitting_id}/extensions",
            post(extend_sitting),
        )
        .route(
            "/api/v1/sittings/{sitting_id}/late-admissions",
            post(admit_late),
        )
        .route(
            "/api/v1/sessions/{session_id}/incidents",
            post(record_incident).get(list_incidents),
        )
        .route(
            "/api/v1/sittings/{sitting_id}/resittings",
            post(grant_resitting),
        )
        .route(
            "/api/v1/sittings/{sitting_id}/sanctions",
            post(apply_sanction),
        )
}

#[utoipa::path(post, path = "/api/v1/rounds/{round_id}/exams", tag = "exams", security(("bearer" = [])),
    request_body = NewExam,
    responses((status = 201, body = ExamView), (status = 422, description = "invalid blueprint or a cell's sealed pool under 3 × its count (VN-20)")))]
pub async fn create_exam(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(round_id): ApiPath<i32>,
    ApiJson(new): ApiJson<NewExam>,
) -> AppResult<(StatusCode, Json<ExamView>)> {
    user.require(&[Role::Hr])?;
    Ok((
        StatusCode::CREATED,
        Json(svc::create_exam(&state, &user.actor(), round_id, new).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/rounds/{round_id}/exams", tag = "exams", security(("bearer" = [])),
    responses((status = 200, body = ExamList), (status = 404)))]
pub async fn list_round_exams(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(round_id): ApiPath<i32>,
) -> AppResult<Json<ExamList>> {
    user.require(&[Role::Hr, Role::Supervisor, Role::Chair, Role::Admin])?;
    Ok(Json(svc::exams_of_round(&state, round_id).await?))
}

#[utoipa::path(get, path = "/api/v1/exams/{exam_id}", tag = "exams", security(("bearer" = [])),
    responses((status = 200, body = ExamView), (status = 404)))]
pub async fn get_exam(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(exam_id): ApiPath<i32>,
) -> AppResult<Json<ExamView>> {
    user.require(&[Role::Hr, Role::Supervisor, Role::Chair, Role::Admin])?;
    Ok(Json(svc::get_exam(&state, exam_id).await?))
}

#[utoipa::path(post, path = "/api/v1/exams/{exam_id}/voided-items", tag = "exams", security(("bearer" = [])),
    request_body = VoidRequest,
    responses((status = 201, body = VoidOutcome, description = "voided: every candidate given the item scores it and their sittings are graded again (VN-24)"),
        (status = 200, body = VoidOutcome, description = "already voided: nothing changed"),
        (status = 401), (status = 403, description = "not chair"), (status = 404, description = "no such exam"),
        (status = 422, description = "an item on no paper of the exam (`item_id`), a version not drawn (`version`), or no reason")))]
pub async fn create_voided_item(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(exam_id): ApiPath<i32>,
    ApiJson(req): ApiJson<VoidRequest>,
) -> AppResult<(StatusCode, Json<VoidOutcome>)> {
    user.require(&[Role::Chair])?;
    let outcome = voiding::void_item(&state, &user.actor(), exam_id, req).await?;
    let status = if outcome.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(outcome)))
}

#[utoipa::path(get, path = "/api/v1/exams/{exam_id}/voided-items", tag = "exams", security(("bearer" = [])),
    responses((status = 200, body = VoidedItemList), (status = 401), (status = 403), (status = 404)))]
pub async fn list_voided_items(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(exam_id): ApiPath<i32>,
) -> AppResult<Json<VoidedItemList>> {
    user.require(&[Role::Chair, Role::Hr, Role::Admin])?;
    Ok(Json(voiding::list(&state, exam_id).await?))
}

#[utoipa::path(post, path = "/api/v1/exams/{exam_id}/sessions", tag = "exams", security(("bearer" = [])),
    request_body = NewSession,
    responses((status = 201, body = SessionView), (status = 422)))]
pub async fn create_session(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(exam_id): ApiPath<i32>,
    ApiJson(new): ApiJson<NewSession>,
) -> AppResult<(StatusCode, Json<SessionView>)> {
    user.require(&[Role::Hr])?;
    Ok((
        StatusCode::CREATED,
        Json(svc::create_session(&state, &user.actor(), exam_id, new).await?),
    ))
}

#[utoipa::path(post, path = "/api/v1/sessions/{session_id}/papers", tag = "exams", security(("bearer" = [])),
    responses((status = 200, body = PapersView)))]
pub async fn generate_papers(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(session_id): ApiPath<i32>,
) -> AppResult<Json<PapersView>> {
    user.require(&[Role::Hr, Role::Supervisor])?;
    Ok(Json(
        svc::generate_papers(&state, &user.actor(), session_id).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/sessions/{session_id}/monitor", tag = "supervision", security(("bearer" = [])),
    responses((status = 200, body = Monitor)))]
pub async fn monitor_session(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(session_id): ApiPath<i32>,
) -> AppResult<Json<Monitor>> {
    user.require(&[Role::Supervisor, Role::Hr, Role::Chair])?;
    Ok(Json(supervise::monitor(&state, session_id).await?))
}

#[utoipa::path(post, path = "/api/v1/sessions/{session_id}/open", tag = "supervision", security(("bearer" = [])),
    responses((status = 200, body = OpenedSession)))]
pub async fn open_session(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(session_id): ApiPath<i32>,
) -> AppResult<Json<OpenedSession>> {
    user.require(&[Role::Supervisor])?;
    Ok(Json(
        supervise::open_session(&state, &user.actor(), session_id).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/sittings/{sitting_id}/extensions", tag = "supervision", security(("bearer" = [])),
    request_body = ExtensionRequest,
    responses((status = 200, body = SittingSummary), (status = 409, description = "already finished")))]
pub async fn extend_sitting(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(sitting_id): ApiPath<i32>,
    ApiJson(req): ApiJson<ExtensionRequest>,
) -> AppResult<Json<SittingSummary>> {
    user.require(&[Role::Supervisor])?;
    Ok(Json(
        supervise::extend(&state, &user.actor(), sitting_id, req).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/sittings/{sitting_id}/late-admissions", tag = "supervision", security(("bearer" = [])),
    request_body = ReasonRequest,
    responses((status = 200, body = SittingSummary)))]
pub async fn admit_late(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(sitting_id): ApiPath<i32>,
    ApiJson(req): ApiJson<ReasonRequest>,
) -> AppResult<Json<SittingSummary>> {
    user.require(&[Role::Supervisor])?;
    Ok(Json(
        supervise::admit_late(&state, &user.actor(), sitting_id, req).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/sessions/{session_id}/incidents", tag = "supervision", security(("bearer" = [])),
    request_body = NewIncident, responses((status = 201, body = IncidentView)))]
pub async fn record_incident(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(session_id): ApiPath<i32>,
    ApiJson(new): ApiJson<NewIncident>,
) -> AppResult<(StatusCode, Json<IncidentView>)> {
    user.require(&[Role::Supervisor])?;
    Ok((
        StatusCode::CREATED,
        Json(incidents::record_incident(&state, &user.actor(), session_id, new).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/sessions/{session_id}/incidents", tag = "supervision", security(("bearer" = [])),
    responses((status = 200, body = Vec<IncidentView>)))]
pub async fn list_incidents(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(session_id): ApiPath<i32>,
) -> AppResult<Json<Vec<IncidentView>>> {
    user.require(&[Role::Supervisor, Role::Hr, Role::Chair])?;
    Ok(Json(incidents::incidents(&state, session_id).await?))
}

#[utoipa::path(post, path = "/api/v1/sittings/{sitting_id}/resittings", tag = "supervision", security(("bearer" = [])),
    request_body = ReasonRequest, responses((status = 201, body = Resitting), (status = 409)))]
pub async fn grant_resitting(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(sitting_id): ApiPath<i32>,
    ApiJson(req): ApiJson<ReasonRequest>,
) -> AppResult<(StatusCode, Json<Resitting>)> {
    user.require(&[Role::Supervisor])?;
    Ok((
        StatusCode::CREATED,
        Json(supervise::grant_resitting(&state, &user.actor(), sitting_id, req).await?),
    ))
}

#[utoipa::path(post, path = "/api/v1/sittings/{sitting_id}/sanctions", tag = "supervision", security(("bearer" = [])),
    request_body = SanctionRequest, responses((status = 200, body = SittingSummary)))]
pub async fn apply_sanction(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(sitting_id): ApiPath<i32>,
    ApiJson(req): ApiJson<SanctionRequest>,
) -> AppResult<Json<SittingSummary>> {
    user.require(&[Role::Supervisor, Role::Chair])?;
    Ok(Json(
        supervise::apply_sanction(&state, &user.actor(), sitting_id, req).await?,
    ))
}
