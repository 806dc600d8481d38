//! REST endpoints of marks, ranking and publication (the `results` tag of the OpenAPI document).
//! Handlers are thin: extract, check the role, call the service, map the result.
//!
//! Markers (and the chair) enter marks; the chair settles what the rules send to a head and
//! records head decisions; HR publishes; anyone reads published results, without logging in.

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use utoipa::OpenApi;

use super::caching;
use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::auth::{Role, StaffUser};
use crate::error::AppResult;
use crate::publication::PublicResults;
use crate::services::results::{
    self as service, HeadDecisionRequest, HeadSettlement, MarkEntry, MarkList, MarkView,
    PublicationList, PublicationReceipt, RankingView, ResultsFormat, StrikeOffRequest,
};
use crate::state::AppState;
use sha2::{Digest, Sha256};

const MARK: &[Role] = &[Role::Marker, Role::Chair];
const READ_MARKS: &[Role] = &[Role::Marker, Role::Chair, Role::Hr, Role::Admin];
const READ: &[Role] = &[Role::Hr, Role::Chair, Role::Admin];
const DECIDE: &[Role] = &[Role::Chair];
const PUBLISH: &[Role] = &[Role::Hr];
/// HR records what happens to winners after publication (VN-14).
const STRIKE_OFF: &[Role] = &[Role::Hr];

#[derive(OpenApi)]
#[openapi(
    paths(
        create_mark,
        create_head_settlement,
        list_marks,
        get_ranking,
        create_head_decision,
        create_strike_off,
        create_publication,
        get_public_results,
        list_public_publications,
        get_public_publication,
    ),
    tags((name = "results", description = "Round-2 marks, ranking per position, head decisions, publication"))
)]
pub struct Api;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/rounds/{round_id}/marks",
            post(create_mark).get(list_marks),
        )
        .route(
            "/api/v1/rounds/{round_id}/marks/head-settlements",
            post(create_head_settlement),
        )
        .route(
            "/api/v1/rounds/{round_id}/positions/{code}/ranking",
            get(get_ranking),
        )
        .route(
            "/api/v1/rounds/{round_id}/positions/{code}/head-decisions",
            post(create_head_decision),
        )
        .route(
            "/api/v1/rounds/{round_id}/positions/{code}/strike-offs",
            post(create_strike_off),
        )
        .route(
            "/api/v1/rounds/{round_id}/publications",
            post(create_publication),
        )
        .route(
            "/api/v1/public/rounds/{round_code}/results",
            get(get_public_results),
        )
        .route(
            "/api/v1/public/rounds/{round_code}/publications",
            get(list_public_publications),
        )
        .route(
            "/api/v1/public/rounds/{round_code}/publications/{id}",
            get(get_public_publication),
        )
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct MarkFilters {
    /// Only the marks of this position's candidates.
    pub position_code: Option<String>,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

#[utoipa::path(post, path = "/api/v1/rounds/{round_id}/marks", tag = "results", security(("bearer" = [])),
    request_body = MarkEntry,
    responses((status = 200, body = MarkView, description = "`status` is final, needs_head or needs_third_marker (VN-26, VN-28)"),
        (status = 401), (status = 403, description = "not marker or chair"), (status = 404, description = "no such round"),
        (status = 422, description = "a mark outside 0–100 or with more than 2 decimals (`marks[i]`), a wrong count, or an application of another round")))]
pub async fn create_mark(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(round_id): ApiPath<i32>,
    ApiJson(entry): ApiJson<MarkEntry>,
) -> AppResult<axum::Json<MarkView>> {
    user.require(MARK)?;
    Ok(axum::Json(
        service::enter_marks(&state, &user.actor(), round_id, entry).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/rounds/{round_id}/marks/head-settlements", tag = "results", security(("bearer" = [])),
    request_body = HeadSettlement,
    responses((status = 200, body = MarkView), (status = 401), (status = 403, description = "not chair"),
        (status = 404, description = "no such round or marks"),
        (status = 409, description = "the rules did not send these marks to the head"), (status = 422)))]
pub async fn create_head_settlement(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(round_id): ApiPath<i32>,
    ApiJson(req): ApiJson<HeadSettlement>,
) -> AppResult<axum::Json<MarkView>> {
    user.require(DECIDE)?;
    Ok(axum::Json(
        service::settle_mark(&state, &user.actor(), round_id, req).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/rounds/{round_id}/marks", tag = "results", security(("bearer" = [])),
    params(MarkFilters),
    responses((status = 200, body = MarkList), (status = 401), (status = 403), (status = 404)))]
pub async fn list_marks(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(round_id): ApiPath<i32>,
    ApiQuery(f): ApiQuery<MarkFilters>,
) -> AppResult<axum::Json<MarkList>> {
    user.require(READ_MARKS)?;
    Ok(axum::Json(
        service::list_marks(
            &state,
            round_id,
            f.position_code.as_deref(),
            f.limit,
            f.offset,
        )
        .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/rounds/{round_id}/positions/{code}/ranking", tag = "results", security(("bearer" = [])),
    responses((status = 200, body = RankingView), (status = 401), (status = 403, description = "not hr, chair or admin"),
        (status = 404, description = "no such round or position")))]
pub async fn get_ranking(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath((round_id, code)): ApiPath<(i32, String)>,
) -> AppResult<axum::Json<RankingView>> {
    user.require(READ)?;
    Ok(axum::Json(
        service::get_ranking(&state, round_id, &code).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/rounds/{round_id}/positions/{code}/head-decisions", tag = "results", security(("bearer" = [])),
    request_body = HeadDecisionRequest,
    responses((status = 201, body = RankingView, description = "the new ranking"), (status = 401), (status = 403, description = "not chair"),
        (status = 404), (status = 409, description = "the ranking is not pending a head decision (VN-11)"),
        (status = 422, description = "a candidate not tied, or a choice that does not fill the places in question")))]
pub async fn create_head_decision(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath((round_id, code)): ApiPath<(i32, String)>,
    ApiJson(req): ApiJson<HeadDecisionRequest>,
) -> AppResult<(StatusCode, axum::Json<RankingView>)> {
    user.require(DECIDE)?;
    let ranking =
        service::record_head_decision(&state, &user.actor(), round_id, &code, req).await?;
    Ok((StatusCode::CREATED, axum::Json(ranking)))
}

#[utoipa::path(post, path = "/api/v1/rounds/{round_id}/positions/{code}/strike-offs", tag = "results", security(("bearer" = [])),
    request_body = StrikeOffRequest,
    responses((status = 201, body = RankingView, description = "the new ranking: the entry is `struck_off` and the place goes to the reserve list in order (VN-14)"),
        (status = 401), (status = 403, description = "not hr"), (status = 404, description = "no such round or position"),
        (status = 409, description = "already struck off"),
        (status = 422, description = "not a current winner of the position, an unknown `cause`, or no reason")))]
pub async fn create_strike_off(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath((round_id, code)): ApiPath<(i32, String)>,
    ApiJson(req): ApiJson<StrikeOffRequest>,
) -> AppResult<(StatusCode, axum::Json<RankingView>)> {
    user.require(STRIKE_OFF)?;
    let ranking = service::record_strike_off(&state, &user.actor(), round_id, &code, req).await?;
    Ok((StatusCode::CREATED, axum::Json(ranking)))
}

#[utoipa::path(post, path = "/api/v1/rounds/{round_id}/publications", tag = "results", security(("bearer" = [])),
    responses((status = 201, body = PublicationReceipt), (status = 401), (status = 403, description = "not hr"),
        (status = 404), (status = 409, description = "a position awaits a head decision or unsettled marks")))]
pub async fn create_publication(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(round_id): ApiPath<i32>,
) -> AppResult<(StatusCode, axum::Json<PublicationReceipt>)> {
    user.require(PUBLISH)?;
    let receipt = service::publish(&state, &user.actor(), round_id).await?;
    Ok((StatusCode::CREATED, axum::Json(receipt)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResultsQuery {
    /// `json` (default), `xlsx` (a workbook: a sheet *Thông tin* with the hashes, then one
    /// sheet per position) or `pdf` (printable A4 with an embedded Vietnamese font; every page
    /// carries the SHA-256 and the audit-chain head).
    pub format: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

/// The publication as JSON, tagged with the SHA-256 of the body served.
fn serve_json(headers: &HeaderMap, results: &PublicResults, cache: &'static str) -> Response {
    match serde_json::to_vec(results) {
        Ok(body) => {
            let sha256 = hex::encode(Sha256::digest(&body));
            caching::conditional(headers, &sha256, cache, || {
                ([(CONTENT_TYPE, "application/json")], body).into_response()
            })
        }
        Err(e) => crate::error::AppError::internal(format!("results JSON: {e}")).into_response(),
    }
}

/// A stored document, tagged with its SHA-256.
fn serve_document(
    headers: &HeaderMap,
    doc: service::StoredDocument,
    cache: &'static str,
) -> Response {
    let file = doc.file;
    caching::conditional(headers, &doc.sha256, cache, || file.into_response())
}

#[utoipa::path(get, path = "/api/v1/public/rounds/{round_code}/results", tag = "results",
    params(("round_code" = String, Path), ResultsQuery),
    responses((status = 200, description = "the latest publication; `sha256` is over the canonical JSON of {round, round_name, positions}",
            content((PublicResults = "application/json"),
                (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                (Vec<u8> = "application/pdf"))),
        (status = 304, description = "`If-None-Match` names the `ETag` (SHA-256 of the bytes) held"),
        (status = 404, description = "no such round, or nothing published"),
        (status = 422, description = "unknown `format`")))]
pub async fn get_public_results(
    State(state): State<AppState>,
    ApiPath(round_code): ApiPath<String>,
    ApiQuery(query): ApiQuery<ResultsQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let format = service::results_format(query.format.as_deref())?;
    let cache = caching::REVALIDATE;
    if format == ResultsFormat::Json {
        let results = service::latest_results(&state, &round_code).await?;
        return Ok(serve_json(&headers, &results, cache));
    }
    let doc = service::latest_document(&state, &round_code, format).await?;
    Ok(serve_document(&headers, doc, cache))
}

#[utoipa::path(get, path = "/api/v1/public/rounds/{round_code}/publications", tag = "results",
    params(("round_code" = String, Path), PageQuery),
    responses((status = 200, body = PublicationList, description = "every publication of the round, newest first, each readable at its `url`"),
        (status = 404, description = "no such round")))]
pub async fn list_public_publications(
    State(state): State<AppState>,
    ApiPath(round_code): ApiPath<String>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> AppResult<axum::Json<PublicationList>> {
    Ok(axum::Json(
        service::list_publications(&state, &round_code, page.limit, page.offset).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/public/rounds/{round_code}/publications/{id}", tag = "results",
    params(("round_code" = String, Path), ("id" = i32, Path), ResultsQuery),
    responses((status = 200, description = "one publication as it was published",
            content((PublicResults = "application/json"),
                (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                (Vec<u8> = "application/pdf"))),
        (status = 304, description = "`If-None-Match` names the `ETag` (SHA-256 of the bytes) held"),
        (status = 404), (status = 422, description = "unknown `format`")))]
pub async fn get_public_publication(
    State(state): State<AppState>,
    ApiPath((round_code, id)): ApiPath<(String, i32)>,
    ApiQuery(query): ApiQuery<ResultsQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let format = service::results_format(query.format.as_deref())?;
    // A publication never changes: its URL is cached for good.
    let cache = caching::IMMUTABLE;
    if format == ResultsFormat::Json {
        let results = service::publication(&state, &round_code, id).await?;
        return Ok(serve_json(&headers, &results, cache));
    }
    let doc = service::publication_document(&state, &round_code, id, format).await?;
    Ok(serve_document(&headers, doc, cache))
}
