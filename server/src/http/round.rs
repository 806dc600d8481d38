//! REST endpoints of recruitment rounds: rounds, positions, applications and their imports,
//! eligibility, priority claims, the dashboard. Handlers are thin: extract, check the role,
//! call the service, map the result.
//!
//! HR writes; HR, the council chair and admins read.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use question_bank::format::Format;
use serde::Deserialize;
use utoipa::OpenApi;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::auth::{Role, StaffUser};
use crate::download::Download;
use crate::error::AppResult;
use crate::services::round::{
    self as service, ApplicationList, ApplicationQuery, ApplicationView, Dashboard,
    EligibilityDecision, ImportReport, NewApplication, NewPosition, NewRound, PositionList,
    PositionView, RoundList, RoundPatch, RoundView, UnprovenClaim,
};
use crate::state::AppState;

const WRITE: &[Role] = &[Role::Hr];
const READ: &[Role] = &[Role::Hr, Role::Chair, Role::Admin];

#[derive(OpenApi)]
#[openapi(
    paths(
        create_round,
        list_rounds,
        get_round,
        update_round,
        create_position,
        list_positions,
        create_application,
        list_applications,
        get_application,
        import_applications,
        get_applications_template,
        mark_claim_unproven,
        decide_eligibility,
        get_dashboard,
    ),
    tags((name = "rounds", description = "Recruitment rounds, positions, applications (HR)"))
)]
pub struct Api;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/rounds", post(create_round).get(list_rounds))
        .route(
            "/api/v1/rounds/templates/applications.csv",
            get(get_applications_template),
        )
        .route(
            "/api/v1/rounds/{round_id}",
            get(get_round).patch(update_round),
        )
        .route(
            "/api/v1/rounds/{round_id}/positions",
            post(create_position).get(list_positions),
        )
        .route(
            "/api/v1/rounds/{round_id}/applications",
            post(create_application).get(list_applications),
        )
        .route(
            "/api/v1/rounds/{round_id}/applications/imports",
            post(import_applications),
        )
        .route("/api/v1/rounds/{round_id}/dashboard", get(get_dashboard))
        .route(
            "/api/v1/applications/{application_id}",
            get(get_application),
        )
        .route(
            "/api/v1/applications/{application_id}/priority-claims/unproven",
            post(mark_claim_unproven),
        )
        .route(
            "/api/v1/applications/{application_id}/eligibility",
            post(decide_eligibility),
        )
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct Page {
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ApplicationFilters {
    /// Only this position's applications.
    pub position_code: Option<String>,
    /// `true`, `false` (the ineligible, with their reasons) or `pending`.
    pub eligible: Option<String>,
    /// Part of the name (diacritics and case ignored) or of the national id.
    pub q: Option<String>,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ImportParams {
    /// `csv` or `xlsx`.
    pub format: String,
    /// Check and preview without storing anything.
    #[serde(default)]
    pub dry_run: bool,
}

#[utoipa::path(post, path = "/api/v1/rounds", tag = "rounds", security(("bearer" = [])),
    request_body = NewRound,
    responses((status = 201, body = RoundView), (status = 401), (status = 403, description = "not hr"),
        (status = 409, description = "the code is taken"), (status = 422, description = "invalid fields, e.g. an unknown rule set")))]
pub async fn create_round(
    State(state): State<AppState>,
    user: StaffUser,
    ApiJson(new): ApiJson<NewRound>,
) -> AppResult<(StatusCode, axum::Json<RoundView>)> {
    user.require(WRITE)?;
    let round = service::create_round(&state, &user.actor(), new).await?;
    Ok((StatusCode::CREATED, axum::Json(round)))
}

#[utoipa::path(get, path = "/api/v1/rounds", tag = "rounds", security(("bearer" = [])),
    params(Page), responses((status = 200, body = RoundList), (status = 401), (status = 403)))]
pub async fn list_rounds(
    State(state): State<AppState>,
    user: StaffUser,
    ApiQuery(page): ApiQuery<Page>,
) -> AppResult<axum::Json<RoundList>> {
    user.require(READ)?;
    Ok(axum::Json(
        service::list_rounds(&state, page.limit, page.offset).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/rounds/{round_id}", tag = "rounds", security(("bearer" = [])),
    params(("round_id" = i32, Path)),
    responses((status = 200, body = RoundView), (status = 401), (status = 403), (status = 404)))]
pub async fn get_round(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(round_id): ApiPath<i32>,
) -> AppResult<axum::Json<RoundView>> {
    user.require(READ)?;
    Ok(axum::Json(service::get_round(&state, round_id).await?))
}

#[utoipa::path(patch, path = "/api/v1/rounds/{round_id}", tag = "rounds", security(("bearer" = [])),
    params(("round_id" = i32, Path)), request_body = RoundPatch,
    responses((status = 200, body = RoundView), (status = 401), (status = 403), (status = 404),
        (status = 409, description = "the rules cannot change once the first session has started (VN-0)"),
        (status = 422)))]
pub async fn update_round(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(round_id): ApiPath<i32>,
    ApiJson(patch): ApiJson<RoundPatch>,
) -> AppResult<axum::Json<RoundView>> {
    user.require(WRITE)?;
    Ok(axum::Json(
        service::update_round(&state, &user.actor(), round_id, patch).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/rounds/{round_id}/positions", tag = "rounds", security(("bearer" = [])),
    params(("round_id" = i32, Path)), request_body = NewPosition,
    responses((status = 201, body = PositionView, description = "quota is the sum of the agencies' quotas (VN-13)"),
        (status = 401), (status = 403), (status = 404),
        (status = 409, description = "the round has a position with this code"), (status = 422)))]
pub async fn create_position(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(round_id): ApiPath<i32>,
    ApiJson(new): ApiJson<NewPosition>,
) -> AppResult<(StatusCode, axum::Json<PositionView>)> {
    user.require(WRITE)?;
    let position = service::create_position(&state, &user.actor(), round_id, new).await?;
    Ok((StatusCode::CREATED, axum::Json(position)))
}

#[utoipa::path(get, path = "/api/v1/rounds/{round_id}/positions", tag = "rounds", security(("bearer" = [])),
    params(("round_id" = i32, Path)),
    responses((status = 200, body = PositionList), (status = 401), (status = 403), (status = 404)))]
pub async fn list_positions(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(round_id): ApiPath<i32>,
) -> AppResult<axum::Json<PositionList>> {
    user.require(READ)?;
    Ok(axum::Json(service::list_positions(&state, round_id).await?))
}

#[utoipa::path(post, path = "/api/v1/rounds/{round_id}/applications", tag = "rounds", security(("bearer" = [])),
    params(("round_id" = i32, Path)), request_body = NewApplication,
    responses((status = 201, body = ApplicationView, description = "with the priority points granted (the highest group only, VN-8)"),
        (status = 401), (status = 403), (status = 404),
        (status = 409, description = "the candidate already applied in this round (VN-16)"),
        (status = 422, description = "every invalid field, located")))]
pub async fn create_application(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(round_id): ApiPath<i32>,
    ApiJson(new): ApiJson<NewApplication>,
) -> AppResult<(StatusCode, axum::Json<ApplicationView>)> {
    user.require(WRITE)?;
    let application = service::create_application(&state, &user.actor(), round_id, new).await?;
    Ok((StatusCode::CREATED, axum::Json(application)))
}

#[utoipa::path(get, path = "/api/v1/rounds/{round_id}/applications", tag = "rounds", security(("bearer" = [])),
    params(("round_id" = i32, Path), ApplicationFilters),
    responses((status = 200, body = ApplicationList), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn list_applications(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(round_id): ApiPath<i32>,
    ApiQuery(f): ApiQuery<ApplicationFilters>,
) -> AppResult<axum::Json<ApplicationList>> {
    user.require(READ)?;
    let query = ApplicationQuery {
        position_code: f.position_code,
        eligible: f.eligible,
        q: f.q,
        limit: f.limit,
        offset: f.offset,
    };
    Ok(axum::Json(
        service::list_applications(&state, round_id, query).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/applications/{application_id}", tag = "rounds", security(("bearer" = [])),
    params(("application_id" = i32, Path)),
    responses((status = 200, body = ApplicationView), (status = 401), (status = 403), (status = 404)))]
pub async fn get_application(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(application_id): ApiPath<i32>,
) -> AppResult<axum::Json<ApplicationView>> {
    user.require(READ)?;
    Ok(axum::Json(
        service::get_application(&state, application_id).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/rounds/{round_id}/applications/imports", tag = "rounds", security(("bearer" = [])),
    description = service::import::LAYOUT_DOC,
    params(("round_id" = i32, Path), ImportParams),
    request_body(content = Vec<u8>, description = "the CSV or xlsx file, raw", content_type = "application/octet-stream"),
    responses((status = 201, body = ImportReport, description = "every row imported"),
        (status = 200, body = ImportReport, description = "dry run: the preview, nothing stored"),
        (status = 401), (status = 403), (status = 404),
        (status = 422, description = "every problem, as \"applications.csv, row 7, column position_code\"; nothing imported")))]
pub async fn import_applications(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(round_id): ApiPath<i32>,
    ApiQuery(params): ApiQuery<ImportParams>,
    body: Bytes,
) -> AppResult<(StatusCode, axum::Json<ImportReport>)> {
    user.require(WRITE)?;
    let report = service::import_applications(
        &state,
        &user.actor(),
        round_id,
        &params.format,
        params.dry_run,
        &body,
    )
    .await?;
    let status = if report.dry_run {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, axum::Json(report)))
}

#[utoipa::path(get, path = "/api/v1/rounds/templates/applications.csv", tag = "rounds",
    description = service::import::LAYOUT_DOC,
    responses((status = 200, description = "the CSV template (UTF-8 with a byte-order mark): header and two example rows", content_type = "text/csv")))]
pub async fn get_applications_template() -> Download {
    Download::attachment(
        "applications.csv".into(),
        Format::Csv.content_type(),
        service::import::TEMPLATE_CSV.as_bytes().to_vec(),
    )
}

#[utoipa::path(post, path = "/api/v1/applications/{application_id}/priority-claims/unproven", tag = "rounds", security(("bearer" = [])),
    params(("application_id" = i32, Path)), request_body = UnprovenClaim,
    responses((status = 200, body = ApplicationView, description = "the points recomputed without the claim (VN-9)"),
        (status = 401), (status = 403), (status = 404),
        (status = 409, description = "already marked unproven"), (status = 422)))]
pub async fn mark_claim_unproven(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(application_id): ApiPath<i32>,
    ApiJson(claim): ApiJson<UnprovenClaim>,
) -> AppResult<axum::Json<ApplicationView>> {
    user.require(WRITE)?;
    Ok(axum::Json(
        service::mark_claim_unproven(&state, &user.actor(), application_id, claim).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/applications/{application_id}/eligibility", tag = "rounds", security(("bearer" = [])),
    params(("application_id" = i32, Path)), request_body = EligibilityDecision,
    responses((status = 200, body = ApplicationView), (status = 401), (status = 403), (status = 404),
        (status = 422, description = "a refusal without a reason")))]
pub async fn decide_eligibility(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(application_id): ApiPath<i32>,
    ApiJson(decision): ApiJson<EligibilityDecision>,
) -> AppResult<axum::Json<ApplicationView>> {
    user.require(WRITE)?;
    Ok(axum::Json(
        service::decide_eligibility(&state, &user.actor(), application_id, decision).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/rounds/{round_id}/dashboard", tag = "rounds", security(("bearer" = [])),
    params(("round_id" = i32, Path)),
    responses((status = 200, body = Dashboard, description = "applications and competition ratio per position, VN-30 deadlines"),
        (status = 401), (status = 403), (status = 404)))]
pub async fn get_dashboard(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(round_id): ApiPath<i32>,
) -> AppResult<axum::Json<Dashboard>> {
    user.require(READ)?;
    Ok(axum::Json(service::dashboard(&state, round_id).await?))
}
