//! REST endpoints of the question bank. Handlers are thin: extract, check the role, call
//! `services::bank`, map the result.
//!
//! Permissions: `author` writes and submits items and imports drafts; `reviewer` approves,
//! rejects, retires, imports with `approve=true` and seals (never their own items, VN-29);
//! items show their keys, so only the board (`author`, `reviewer`) and the council `chair`
//! (who voids defective items, VN-24) read them. Banks and seals carry no key: any staff token
//! may read them (HR builds exams from seals). The CSV / Excel templates are public.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use question_bank::format::Format;
use question_bank::{Item, ItemStatus};
use serde::Deserialize;
use utoipa::OpenApi;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::auth::{Role, StaffUser};
use crate::download::Download;
use crate::error::{AppError, AppResult};
use crate::services::bank::{
    self as service, BankView, Duplicate, ImportOutcome, ImportPreview, ImportRequest,
    ImportResult, ItemContent, ItemList, ItemQuery, ItemView, NewBank, OptionView, PreviewItem,
    Rejection, SealCheck, SealView, Step, TopicCount, VersionSummary,
};
use crate::services::disclosure;
use crate::state::AppState;

/// Who may read items (they show the key).
const ITEM_READERS: [Role; 3] = [Role::Author, Role::Reviewer, Role::Chair];

#[derive(OpenApi)]
#[openapi(
    paths(
        create_bank,
        list_banks,
        get_bank,
        list_topics,
        create_item,
        list_items,
        get_item,
        update_item,
        list_versions,
        get_item_version,
        submit_item,
        approve_item,
        reject_item,
        retire_item,
        import_items,
        export_bank,
        download_template,
        create_seal,
        list_seals,
        get_seal,
    ),
    components(schemas(
        NewBank, BankView, ItemContent, OptionView, ItemView, ItemList, VersionSummary,
        TopicCount, Rejection, ImportResult, ImportPreview, PreviewItem, Duplicate, SealView,
        SealCheck
    )),
    tags((name = "bank", description = "Question banks: items, versions, review, import/export, seals"))
)]
pub struct Api;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/banks", post(create_bank).get(list_banks))
        .route("/api/v1/banks/templates/{format}", get(download_template))
        .route("/api/v1/banks/{bank_id}", get(get_bank))
        .route("/api/v1/banks/{bank_id}/topics", get(list_topics))
        .route(
            "/api/v1/banks/{bank_id}/items",
            post(create_item).get(list_items),
        )
        .route("/api/v1/banks/{bank_id}/imports", post(import_items))
        .route("/api/v1/banks/{bank_id}/export", get(export_bank))
        .route(
            "/api/v1/banks/{bank_id}/seals",
            post(create_seal).get(list_seals),
        )
        .route("/api/v1/items/{item_id}", get(get_item).put(update_item))
        .route("/api/v1/items/{item_id}/versions", get(list_versions))
        .route(
            "/api/v1/items/{item_id}/versions/{version}",
            get(get_item_version),
        )
        .route("/api/v1/items/{item_id}/submit", post(submit_item))
        .route("/api/v1/items/{item_id}/approve", post(approve_item))
        .route("/api/v1/items/{item_id}/reject", post(reject_item))
        .route("/api/v1/items/{item_id}/retire", post(retire_item))
        .route("/api/v1/seals/{seal_id}", get(get_seal))
}

// ---------------------------------------------------------------------------------------------
// Banks

#[utoipa::path(post, path = "/api/v1/banks", tag = "bank", security(("bearer" = [])),
    request_body = NewBank,
    responses((status = 201, body = BankView), (status = 401), (status = 403, description = "not an author or reviewer"),
        (status = 409, description = "code taken"), (status = 422, description = "invalid fields")))]
pub async fn create_bank(
    State(state): State<AppState>,
    user: StaffUser,
    ApiJson(new): ApiJson<NewBank>,
) -> AppResult<(StatusCode, Json<BankView>)> {
    user.require(&[Role::Author, Role::Reviewer])?;
    let bank = service::create_bank(&state, &user, new).await?;
    Ok((StatusCode::CREATED, Json(bank)))
}

/// Any staff member.
#[utoipa::path(get, path = "/api/v1/banks", tag = "bank", security(("bearer" = [])),
    responses((status = 200, body = [BankView]), (status = 401)))]
pub async fn list_banks(
    State(state): State<AppState>,
    _user: StaffUser,
) -> AppResult<Json<Vec<BankView>>> {
    Ok(Json(service::list_banks(&state).await?))
}

/// Any staff member.
#[utoipa::path(get, path = "/api/v1/banks/{bank_id}", tag = "bank", security(("bearer" = [])),
    params(("bank_id" = i32, Path)),
    responses((status = 200, body = BankView), (status = 401), (status = 404)))]
pub async fn get_bank(
    State(state): State<AppState>,
    _user: StaffUser,
    ApiPath(bank_id): ApiPath<i32>,
) -> AppResult<Json<BankView>> {
    Ok(Json(service::get_bank(&state, bank_id).await?))
}

/// The bank's topics with their item counts (retired items left out), for the topic tree.
#[utoipa::path(get, path = "/api/v1/banks/{bank_id}/topics", tag = "bank", security(("bearer" = [])),
    params(("bank_id" = i32, Path)),
    responses((status = 200, body = [TopicCount]), (status = 403), (status = 404)))]
pub async fn list_topics(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(bank_id): ApiPath<i32>,
) -> AppResult<Json<Vec<TopicCount>>> {
    user.require(&ITEM_READERS)?;
    Ok(Json(service::list_topics(&state, bank_id).await?))
}

// ---------------------------------------------------------------------------------------------
// Items

#[utoipa::path(post, path = "/api/v1/banks/{bank_id}/items", tag = "bank", security(("bearer" = [])),
    params(("bank_id" = i32, Path)), request_body = ItemContent,
    responses((status = 201, body = ItemView, description = "version 1, status draft"), (status = 403, description = "not an author"),
        (status = 404), (status = 422, description = "every problem of the item, or the question is already in the bank")))]
pub async fn create_item(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(bank_id): ApiPath<i32>,
    ApiJson(item): ApiJson<Item>,
) -> AppResult<(StatusCode, Json<ItemView>)> {
    user.require(&[Role::Author])?;
    let created = service::create_item(&state, &user, bank_id, item).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(get, path = "/api/v1/banks/{bank_id}/items", tag = "bank", security(("bearer" = [])),
    params(("bank_id" = i32, Path), ItemQuery),
    responses((status = 200, body = ItemList), (status = 403), (status = 404), (status = 422, description = "a filter is not valid")))]
pub async fn list_items(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(bank_id): ApiPath<i32>,
    ApiQuery(query): ApiQuery<ItemQuery>,
) -> AppResult<Json<ItemList>> {
    user.require(&ITEM_READERS)?;
    let filters = serde_json::json!({
        "topic": &query.topic, "difficulty": &query.difficulty, "kind": &query.kind,
        "status": &query.status, "q": &query.q,
    });
    let list = service::list_items(&state, bank_id, query).await?;
    let shown = disclosure::Shown {
        action: crate::audit::Action::BankItemsRead,
        entity_id: bank_id.to_string(),
        details: serde_json::json!({
            "filters": filters,
            "items": list.items.iter().map(|i| i.id).collect::<Vec<_>>(),
        }),
    };
    disclosure::record(&state, &user, None, shown).await?;
    Ok(Json(list))
}

/// The current version.
#[utoipa::path(get, path = "/api/v1/items/{item_id}", tag = "bank", security(("bearer" = [])),
    params(("item_id" = i32, Path), PurposeQuery),
    responses((status = 200, body = ItemView, description = "with its answer key: the read is audited"), (status = 403), (status = 404)))]
pub async fn get_item(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(item_id): ApiPath<i32>,
    ApiQuery(query): ApiQuery<PurposeQuery>,
) -> AppResult<Json<ItemView>> {
    user.require(&ITEM_READERS)?;
    let item = service::get_item(&state, item_id, None).await?;
    key_read(&state, &user, &item, query.purpose.as_deref()).await?;
    Ok(Json(item))
}

/// Audits a staff read of one item version with its answer key.
async fn key_read(
    state: &AppState,
    user: &StaffUser,
    item: &ItemView,
    purpose: Option<&str>,
) -> AppResult<()> {
    let shown = disclosure::Shown {
        action: crate::audit::Action::ItemRead,
        entity_id: item.id.to_string(),
        details: serde_json::json!({"bank_id": item.bank_id, "version": item.version}),
    };
    disclosure::record(state, user, disclosure::purpose(purpose), shown).await
}

/// Writes a new version (back to draft); earlier versions stay readable.
#[utoipa::path(put, path = "/api/v1/items/{item_id}", tag = "bank", security(("bearer" = [])),
    params(("item_id" = i32, Path)), request_body = ItemContent,
    responses((status = 200, body = ItemView, description = "the new version"), (status = 403), (status = 404),
        (status = 409, description = "the item is retired"), (status = 422)))]
pub async fn update_item(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(item_id): ApiPath<i32>,
    ApiJson(item): ApiJson<Item>,
) -> AppResult<Json<ItemView>> {
    user.require(&[Role::Author])?;
    Ok(Json(
        service::update_item(&state, &user, item_id, item).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/items/{item_id}/versions", tag = "bank", security(("bearer" = [])),
    params(("item_id" = i32, Path)),
    responses((status = 200, body = [VersionSummary]), (status = 403), (status = 404)))]
pub async fn list_versions(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(item_id): ApiPath<i32>,
) -> AppResult<Json<Vec<VersionSummary>>> {
    user.require(&ITEM_READERS)?;
    Ok(Json(service::list_versions(&state, item_id).await?))
}

#[utoipa::path(get, path = "/api/v1/items/{item_id}/versions/{version}", tag = "bank", security(("bearer" = [])),
    params(("item_id" = i32, Path), ("version" = i32, Path), PurposeQuery),
    responses((status = 200, body = ItemView, description = "with its answer key: the read is audited"), (status = 403), (status = 404)))]
pub async fn get_item_version(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath((item_id, version)): ApiPath<(i32, i32)>,
    ApiQuery(query): ApiQuery<PurposeQuery>,
) -> AppResult<Json<ItemView>> {
    user.require(&ITEM_READERS)?;
    let item = service::get_item(&state, item_id, Some(version)).await?;
    key_read(&state, &user, &item, query.purpose.as_deref()).await?;
    Ok(Json(item))
}

/// draft → in_review.
#[utoipa::path(post, path = "/api/v1/items/{item_id}/submit", tag = "bank", security(("bearer" = [])),
    params(("item_id" = i32, Path)),
    responses((status = 200, body = ItemView), (status = 403), (status = 404), (status = 409, description = "not a draft")))]
pub async fn submit_item(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(item_id): ApiPath<i32>,
) -> AppResult<Json<ItemView>> {
    user.require(&[Role::Author])?;
    Ok(Json(
        service::change_status(&state, &user, item_id, Step::Submit).await?,
    ))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApproveQuery {
    /// The version the reviewer read; refused with 409 if the item has changed since.
    pub version: Option<i32>,
}

/// in_review → approved, by a reviewer who wrote no version of the item (VN-29).
#[utoipa::path(post, path = "/api/v1/items/{item_id}/approve", tag = "bank", security(("bearer" = [])),
    params(("item_id" = i32, Path), ApproveQuery),
    responses((status = 200, body = ItemView, description = "status approved"),
        (status = 403, description = "not a reviewer, or the reviewer wrote the item (VN-29)"), (status = 404),
        (status = 409, description = "not in review, or `version` is no longer current")))]
pub async fn approve_item(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(item_id): ApiPath<i32>,
    ApiQuery(query): ApiQuery<ApproveQuery>,
) -> AppResult<Json<ItemView>> {
    user.require(&[Role::Reviewer])?;
    let step = Step::Approve {
        version: query.version,
    };
    Ok(Json(
        service::change_status(&state, &user, item_id, step).await?,
    ))
}

/// in_review → draft with the reason, by a reviewer who wrote no version of the item (VN-29).
#[utoipa::path(post, path = "/api/v1/items/{item_id}/reject", tag = "bank", security(("bearer" = [])),
    params(("item_id" = i32, Path)), request_body = Rejection,
    responses((status = 200, body = ItemView, description = "back to draft, with review_note"),
        (status = 403), (status = 404), (status = 409), (status = 422, description = "no reason")))]
pub async fn reject_item(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(item_id): ApiPath<i32>,
    ApiJson(rejection): ApiJson<Rejection>,
) -> AppResult<Json<ItemView>> {
    user.require(&[Role::Reviewer])?;
    let step = Step::Reject {
        reason: rejection.reason,
        version: rejection.version,
    };
    Ok(Json(
        service::change_status(&state, &user, item_id, step).await?,
    ))
}

/// Out of every future seal; existing seals and papers keep their versions.
#[utoipa::path(post, path = "/api/v1/items/{item_id}/retire", tag = "bank", security(("bearer" = [])),
    params(("item_id" = i32, Path)),
    responses((status = 200, body = ItemView), (status = 403), (status = 404), (status = 409, description = "already retired")))]
pub async fn retire_item(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(item_id): ApiPath<i32>,
) -> AppResult<Json<ItemView>> {
    user.require(&[Role::Reviewer])?;
    Ok(Json(
        service::change_status(&state, &user, item_id, Step::Retire).await?,
    ))
}

// ---------------------------------------------------------------------------------------------
// Import and export

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `csv`, `xlsx`, `moodle-xml`, `gift` or `qti` (an item XML or a zip package).
    pub format: Option<String>,
    /// Approve what is imported: reviewer role, and `author` names who wrote the file (VN-29).
    #[serde(default)]
    pub approve: bool,
    /// Check only: returns the preview (items, errors, duplicates) and writes nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Name of the uploaded file, used in error locations (else `Content-Disposition`'s
    /// filename, else `upload.<ext>`).
    pub file_name: Option<String>,
    /// With `approve=true`: username of the author of the file.
    pub author: Option<String>,
}

fn parse_format(format: Option<&str>) -> AppResult<Format> {
    let code = format
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .ok_or_else(|| {
            AppError::field(
                "format",
                "give ?format= (csv, xlsx, moodle-xml, gift or qti)",
            )
        })?;
    code.parse()
        .map_err(|e: String| AppError::field("format", e))
}

/// Decodes `%XX` escapes (RFC 8187 `filename*=UTF-8''...`); `None` if not valid UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The `filename` of a `Content-Disposition` header (`filename*` preferred).
fn disposition_file_name(headers: &HeaderMap) -> Option<String> {
    let raw = headers.get(header::CONTENT_DISPOSITION)?;
    let value = String::from_utf8_lossy(raw.as_bytes()).into_owned();
    let mut plain = None;
    for param in value.split(';').map(str::trim) {
        let Some((key, val)) = param.split_once('=') else {
            continue;
        };
        let key = key.trim().to_ascii_lowercase();
        let val = val.trim();
        if key == "filename*" {
            let encoded = val.splitn(3, '\'').nth(2).unwrap_or(val);
            if let Some(name) = percent_decode(encoded) {
                return Some(name);
            }
        } else if key == "filename" {
            plain = Some(val.trim_matches('"').replace("\\\"", "\""));
        }
    }
    plain
}

/// The uploaded file's name as shown in error locations: only its last path component,
/// without control characters, at most 200 characters.
fn upload_file_name(
    headers: &HeaderMap,
    query: Option<&str>,
    format: Format,
    body: &[u8],
) -> String {
    let given = disposition_file_name(headers).or_else(|| query.map(str::to_string));
    let cleaned = given
        .as_deref()
        .and_then(|n| n.rsplit(['/', '\\']).next())
        .map(|n| {
            n.chars()
                .filter(|c| !c.is_control())
                .take(200)
                .collect::<String>()
        })
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    cleaned.unwrap_or_else(|| {
        let ext = match format {
            Format::Qti if !body.starts_with(b"PK") => "xml",
            f => f.file_extension(),
        };
        format!("upload.{ext}")
    })
}

/// All or nothing: 201 with the new item ids, or 422 listing every problem (file name, row or
/// item, column or element), questions already in the bank included. `dry_run=true` answers
/// 200 with the preview and writes nothing. The body is bounded by `THITUYEN_MAX_UPLOAD_BYTES`
/// (413 beyond); zip containers and XML are bounded while parsed.
#[utoipa::path(post, path = "/api/v1/banks/{bank_id}/imports", tag = "bank", security(("bearer" = [])),
    params(("bank_id" = i32, Path), ImportQuery),
    request_body(content = String, content_type = "application/octet-stream", description = "the file, as is"),
    responses((status = 201, body = ImportResult), (status = 200, body = ImportPreview, description = "dry_run=true"),
        (status = 403, description = "not an author (or, with approve=true, not a reviewer, or the reviewer named as author)"),
        (status = 404), (status = 413, description = "over the upload limit"),
        (status = 422, description = "every problem of the file; nothing imported")))]
pub async fn import_items(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(bank_id): ApiPath<i32>,
    ApiQuery(query): ApiQuery<ImportQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    if query.approve {
        user.require(&[Role::Reviewer])?;
    } else {
        user.require(&[Role::Author])?;
    }
    let format = parse_format(query.format.as_deref())?;
    let file_name = upload_file_name(&headers, query.file_name.as_deref(), format, &body);
    let req = ImportRequest {
        format,
        file_name,
        bytes: body.to_vec(),
        approve: query.approve,
        dry_run: query.dry_run,
        author: query.author,
    };
    Ok(
        match service::import_items(&state, &user, bank_id, req).await? {
            ImportOutcome::Imported(result) => (StatusCode::CREATED, Json(result)).into_response(),
            ImportOutcome::Preview(preview) => (StatusCode::OK, Json(preview)).into_response(),
        },
    )
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `csv`, `xlsx`, `moodle-xml`, `qti` (a zip package) or `gift`.
    pub format: Option<String>,
    /// Only items with this status; by default every item that is not retired.
    pub status: Option<String>,
    /// Why the bank leaves the platform (required: the file holds the answer keys); kept in
    /// the audit log with who exported it and the file's SHA-256.
    pub reason: Option<String>,
}

/// Why a staff member opens an item (optional), kept in the audit log of key reads.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PurposeQuery {
    pub purpose: Option<String>,
}

/// The bank's current versions as a file to download.
#[utoipa::path(get, path = "/api/v1/banks/{bank_id}/export", tag = "bank", security(("bearer" = [])),
    params(("bank_id" = i32, Path), ExportQuery),
    responses((status = 200, description = "the file, with Content-Disposition: attachment"),
        (status = 403), (status = 404), (status = 422, description = "unknown format or status, or no reason")))]
pub async fn export_bank(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(bank_id): ApiPath<i32>,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> AppResult<Download> {
    user.require(&ITEM_READERS)?;
    let reason = disclosure::required_reason(query.reason.as_deref())?;
    let format = parse_format(query.format.as_deref())?;
    let status = match query.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(
            s.parse::<ItemStatus>()
                .map_err(|e| AppError::field("status", e))?,
        ),
    };
    let details = serde_json::json!({
        "format": query.format.as_deref().unwrap_or("csv"),
        "status": status.as_ref().map(|s| s.code()),
    });
    let file = service::export_bank(&state, bank_id, format, status).await?;
    let shown = disclosure::Shown {
        action: crate::audit::Action::BankExport,
        entity_id: bank_id.to_string(),
        details,
    };
    disclosure::exported(&state, &user, Some(reason), shown, file).await
}

/// The CSV or Excel template of the column layout, with example rows. Public: it holds no data.
#[utoipa::path(get, path = "/api/v1/banks/templates/{format}", tag = "bank",
    params(("format" = String, Path, description = "`csv` or `xlsx`")),
    responses((status = 200, description = "the template file"), (status = 404)))]
pub async fn download_template(ApiPath(format): ApiPath<String>) -> AppResult<Download> {
    service::template(format.trim())
}

// ---------------------------------------------------------------------------------------------
// Seals

/// Freezes the approved items' current versions (VN-20).
#[utoipa::path(post, path = "/api/v1/banks/{bank_id}/seals", tag = "bank", security(("bearer" = [])),
    params(("bank_id" = i32, Path)),
    responses((status = 201, body = SealView), (status = 403, description = "not a reviewer"), (status = 404),
        (status = 409, description = "a stored version does not match its hash"),
        (status = 422, description = "no approved item")))]
pub async fn create_seal(
    State(state): State<AppState>,
    user: StaffUser,
    ApiPath(bank_id): ApiPath<i32>,
) -> AppResult<(StatusCode, Json<SealView>)> {
    user.require(&[Role::Reviewer])?;
    let seal = service::seal_bank(&state, &user, bank_id).await?;
    Ok((StatusCode::CREATED, Json(seal)))
}

/// Any staff member.
#[utoipa::path(get, path = "/api/v1/banks/{bank_id}/seals", tag = "bank", security(("bearer" = [])),
    params(("bank_id" = i32, Path)),
    responses((status = 200, body = [SealView]), (status = 401), (status = 404)))]
pub async fn list_seals(
    State(state): State<AppState>,
    _user: StaffUser,
    ApiPath(bank_id): ApiPath<i32>,
) -> AppResult<Json<Vec<SealView>>> {
    Ok(Json(service::list_seals(&state, bank_id).await?))
}

/// The seal, recomputed from the stored item versions: `intact` says whether it still matches.
/// Any staff member.
#[utoipa::path(get, path = "/api/v1/seals/{seal_id}", tag = "bank", security(("bearer" = [])),
    params(("seal_id" = i32, Path)),
    responses((status = 200, body = SealCheck), (status = 401), (status = 404)))]
pub async fn get_seal(
    State(state): State<AppState>,
    _user: StaffUser,
    ApiPath(seal_id): ApiPath<i32>,
) -> AppResult<Json<SealCheck>> {
    Ok(Json(service::check_seal(&state, seal_id).await?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn content_disposition_names_are_read_and_stripped_of_paths() {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("attachment; filename=\"C:\\tmp\\bank.csv\""),
        );
        assert_eq!(upload_file_name(&h, None, Format::Csv, b""), "bank.csv");
        h.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static(
                "attachment; filename=x.csv; filename*=UTF-8''ng%C3%A2n-h%C3%A0ng.csv",
            ),
        );
        assert_eq!(
            upload_file_name(&h, None, Format::Csv, b""),
            "ngân-hàng.csv"
        );
        let empty = HeaderMap::new();
        assert_eq!(
            upload_file_name(&empty, Some("../../x.xlsx"), Format::Xlsx, b""),
            "x.xlsx"
        );
        assert_eq!(
            upload_file_name(&empty, None, Format::Qti, b"<a/>"),
            "upload.xml"
        );
        assert_eq!(
            upload_file_name(&empty, None, Format::Qti, b"PK.."),
            "upload.zip"
        );
    }
}
