//! Question banks (issue 3, API.md "Question banks"): banks, items and their versions through
//! the review lifecycle, imports and exports in the formats exam boards use, and seals.
//!
//! The rules kept here:
//! - an item is validated by `question_bank` before anything is written; every problem is
//!   reported at once (422) and nothing changes;
//! - editing never overwrites: it writes a new version and sends the item back to draft, so a
//!   paper or a seal that references an older version keeps exactly the text it used;
//! - lifecycle draft → in review → approved → retired, with rejection back to draft;
//! - VN-29: nobody reviews (approves or rejects) an item they wrote any version of;
//! - the same question (normalised stem and options, [`Item::duplicate_key`]) is never stored
//!   twice in a bank: an import reports it instead of doubling it (issue item 6);
//! - a seal is the SHA-256 root over the approved items' current versions (VN-20), and reading
//!   a seal recomputes it from the stored version texts.
//!
//! Every change appends to the audit log in the transaction that makes it, under
//! `AppState::audit_lock`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use question_bank::format::{self, Format, ImportLimits};
use question_bank::seal::{seal_root, SealEntry};
use question_bank::text::{fold, nfc};
use question_bank::{Difficulty, FieldError, Item, ItemKind, ItemStatus};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::audit::{self, Event};
use crate::auth::{Role, StaffUser};
use crate::entities::{banks, item_versions, items, seals};
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::repo::bank::{ItemFilter, StoredItem};
use crate::state::AppState;

/// Items in one import. Above `question_bank`'s default so a board can load a whole bank
/// (the benchmark imports 20,000 items) in one file; the byte size stays bounded by
/// `THITUYEN_MAX_UPLOAD_BYTES`.
const MAX_IMPORT_ITEMS: usize = 50_000;
const DEFAULT_PAGE: u64 = 50;
const MAX_PAGE: u64 = 500;

// ---------------------------------------------------------------------------------------------
// Request and response bodies

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBank {
    /// Short code, e.g. `KTC-2026`: letters, digits, `.`, `_`, `-`.
    pub code: String,
    pub name: String,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BankView {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    /// Items that are not retired.
    pub item_count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OptionView {
    pub text: String,
    pub correct: bool,
    /// Stays in place when options are shuffled ("all of the above").
    #[serde(default)]
    pub fixed: bool,
}

/// The content of an item version as API.md describes an item. The same shape is accepted as a
/// request body (`answer` may also be a single string; `points` defaults to `"1.00"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ItemContent {
    /// Topic path, levels separated by `/`.
    pub topic: String,
    /// 1 (easy) to 3 (hard).
    pub difficulty: u8,
    /// `single`, `multiple`, `true_false` or `fill_blank`.
    pub kind: String,
    pub stem: String,
    pub options: Vec<OptionView>,
    /// Accepted answers of a `fill_blank` item.
    pub answer: Vec<String>,
    /// Decimal string with 2 places.
    pub points: String,
    pub explanation: Option<String>,
    pub tags: Vec<String>,
}

impl From<&Item> for ItemContent {
    fn from(item: &Item) -> Self {
        let mut points = item.points;
        points.rescale(2);
        ItemContent {
            topic: item.topic.clone(),
            difficulty: item.difficulty.level(),
            kind: item.kind.code().to_string(),
            stem: item.stem.clone(),
            options: item
                .options
                .iter()
                .map(|o| OptionView {
                    text: o.text.clone(),
                    correct: o.correct,
                    fixed: o.fixed,
                })
                .collect(),
            answer: item.answer.clone(),
            points: points.to_string(),
            explanation: item.explanation.clone(),
            tags: item.tags.clone(),
        }
    }
}

/// One version of an item, for staff (it shows the key).
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ItemView {
    pub id: i32,
    pub bank_id: i32,
    /// The version shown.
    pub version: i32,
    /// The item's current version (equal to `version` unless an older one was asked for).
    pub current_version: i32,
    /// Lifecycle status of the item (of its current version): `draft`, `in_review`,
    /// `approved` or `retired`.
    pub status: String,
    /// Who wrote the version shown.
    pub author_id: i32,
    /// Who last approved or rejected the current version.
    pub reviewed_by: Option<i32>,
    /// The reason given with the last rejection.
    pub review_note: Option<String>,
    /// SHA-256 of the version's canonical JSON: what seals chain.
    pub sha256: String,
    /// When the version shown was written.
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(flatten)]
    pub content: ItemContent,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ItemList {
    pub items: Vec<ItemView>,
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VersionSummary {
    pub version: i32,
    pub sha256: String,
    pub author_id: i32,
    pub created_at: DateTime<Utc>,
    pub current: bool,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TopicCount {
    pub topic: String,
    pub count: i64,
}

/// Filters of `GET /api/v1/banks/{bank_id}/items`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemQuery {
    /// A topic path: that topic and every topic below it.
    pub topic: Option<String>,
    /// 1, 2 or 3.
    pub difficulty: Option<String>,
    /// `single`, `multiple`, `true_false` or `fill_blank`.
    pub kind: Option<String>,
    /// `draft`, `in_review`, `approved` or `retired`.
    pub status: Option<String>,
    /// Words to find in the topic, stem, options, answers and tags, ignoring case and
    /// diacritics (`luat can bo` finds *Luật cán bộ*).
    pub q: Option<String>,
    /// Page size, default 50, at most 500.
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

/// Body of `POST /api/v1/items/{item_id}/reject`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rejection {
    /// Why: shown to the author, who edits and submits again.
    pub reason: String,
    /// The version the reviewer read; refused with 409 if the item has changed since.
    #[serde(default)]
    pub version: Option<i32>,
}

/// What an import is asked to do.
pub struct ImportRequest {
    pub format: Format,
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// Approve what is imported (reviewer role, with `author`).
    pub approve: bool,
    /// Parse and check only; write nothing.
    pub dry_run: bool,
    /// With `approve`: username of the staff member who wrote the file.
    pub author: Option<String>,
}

/// An imported question that is already in the bank.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Duplicate {
    /// Where it is in the file (`bank.csv, item 3`: the 3rd question read from the file).
    pub location: String,
    /// The item of the bank holding the same question.
    pub item_id: i32,
    pub stem: String,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportResult {
    pub imported: usize,
    pub item_ids: Vec<i32>,
    /// Always empty on success: an import with duplicates is refused with 422.
    pub duplicates: Vec<Duplicate>,
    /// `draft`, or `approved` for `approve=true`.
    pub status: String,
}

/// One question of an import preview.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PreviewItem {
    pub location: String,
    /// The bank's item holding the same question, if any.
    pub duplicate_of: Option<i32>,
    #[serde(flatten)]
    pub content: ItemContent,
}

/// What `dry_run=true` returns: what the import would take, or why it would be refused.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportPreview {
    /// Whether the same request without `dry_run` would succeed.
    pub valid: bool,
    pub items: Vec<PreviewItem>,
    /// Every problem, as the 422 would list them (duplicates included).
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<FieldError>,
    pub duplicates: Vec<Duplicate>,
}

pub enum ImportOutcome {
    Imported(ImportResult),
    Preview(ImportPreview),
}

/// A file to download.
pub struct Download {
    pub bytes: Vec<u8>,
    pub file_name: String,
    pub content_type: &'static str,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SealView {
    pub id: i32,
    pub bank_id: i32,
    /// Seal root (`question_bank::seal::seal_root`).
    pub sha256: String,
    pub item_count: i32,
    pub sealed_at: DateTime<Utc>,
    pub sealed_by: i32,
}

impl From<seals::Model> for SealView {
    fn from(s: seals::Model) -> Self {
        SealView {
            id: s.id,
            bank_id: s.bank_id,
            sha256: s.sha256,
            item_count: s.item_count,
            sealed_at: s.sealed_at,
            sealed_by: s.sealed_by,
        }
    }
}

/// A seal with the verdict of recomputing it from the stored item versions.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SealCheck {
    pub id: i32,
    pub bank_id: i32,
    pub sha256: String,
    pub item_count: i32,
    pub sealed_at: DateTime<Utc>,
    pub sealed_by: i32,
    /// The recomputed root equals `sha256` and every sealed version is present.
    pub intact: bool,
    pub recomputed_sha256: String,
    /// Sealed versions found in the database.
    pub found_items: usize,
}

// ---------------------------------------------------------------------------------------------
// Helpers

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

async fn bank_or_404<C: ConnectionTrait>(conn: &C, bank_id: i32) -> AppResult<banks::Model> {
    repo::bank::find_bank(conn, bank_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no bank {bank_id}")))
}

async fn item_or_404<C: ConnectionTrait>(conn: &C, item_id: i32) -> AppResult<items::Model> {
    repo::bank::find_item(conn, item_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no item {item_id}")))
}

/// The stored content of a version. It was validated when written, so a failure here means
/// the database was changed behind the server's back.
fn stored_item(v: &item_versions::Model) -> AppResult<Item> {
    serde_json::from_str(&v.content).map_err(|e| {
        AppError::Internal(format!(
            "item {} version {}: stored content is unreadable: {e}",
            v.item_id, v.version
        ))
    })
}

fn view(row: &items::Model, v: &item_versions::Model) -> AppResult<ItemView> {
    let item = stored_item(v)?;
    Ok(ItemView {
        id: row.id,
        bank_id: row.bank_id,
        version: v.version,
        current_version: row.current_version,
        status: row.status.clone(),
        author_id: v.author_id,
        reviewed_by: row.reviewed_by,
        review_note: row.review_note.clone(),
        sha256: v.sha256.clone(),
        created_at: v.created_at,
        updated_at: row.updated_at,
        content: ItemContent::from(&item),
    })
}

async fn load_view<C: ConnectionTrait>(
    conn: &C,
    item_id: i32,
    version: Option<i32>,
) -> AppResult<ItemView> {
    let row = item_or_404(conn, item_id).await?;
    let wanted = version.unwrap_or(row.current_version);
    let v = repo::bank::find_version(conn, item_id, wanted)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("item {item_id} has no version {wanted}")))?;
    view(&row, &v)
}

fn status_of(row: &items::Model) -> AppResult<ItemStatus> {
    row.status
        .parse()
        .map_err(|e: String| AppError::Internal(format!("item {}: {e}", row.id)))
}

/// 409 for a lifecycle step the item's status does not allow.
fn wrong_status(row: &items::Model, action: &str, allowed: &str) -> AppError {
    AppError::Conflict(format!(
        "item {} is {}; only {allowed} can be {action}",
        row.id, row.status
    ))
}

/// 409 when the reviewer read a version that is no longer current.
fn check_version(row: &items::Model, expected: Option<i32>) -> AppResult<()> {
    match expected {
        Some(v) if v != row.current_version => Err(AppError::Conflict(format!(
            "version {v} of item {} is no longer current (now {}); review the current version",
            row.id, row.current_version
        ))),
        _ => Ok(()),
    }
}

/// VN-29: one person may not hold consecutive steps of one workflow, here write and review the
/// same item. Any version counts: approving an edit of one's own question is approving it.
async fn refuse_own_item<C: ConnectionTrait>(
    conn: &C,
    user: &StaffUser,
    row: &items::Model,
    action: &str,
) -> AppResult<()> {
    if repo::bank::version_authors(conn, row.id)
        .await?
        .contains(&user.id)
    {
        return Err(AppError::Forbidden(format!(
            "VN-29: you wrote a version of item {}, so you may not {action} it; another \
             reviewer must",
            row.id
        )));
    }
    Ok(())
}

/// Refuses an item whose question and options are already in the bank (other than `except`).
async fn refuse_duplicate<C: ConnectionTrait>(
    conn: &C,
    bank_id: i32,
    item: &Item,
    except: Option<i32>,
) -> AppResult<()> {
    let found = repo::bank::find_duplicates(conn, bank_id, &[item.duplicate_key()]).await?;
    match found.values().next() {
        Some(&id) if Some(id) != except => Err(AppError::field(
            "stem",
            format!("the same question with the same options is already in this bank as item {id}"),
        )),
        _ => Ok(()),
    }
}

fn normalise_topic(topic: &str) -> String {
    topic
        .split('/')
        .map(nfc)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("/")
}

/// A query parameter that was given with something in it.
fn given(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn parse_filter(q: &ItemQuery) -> AppResult<ItemFilter> {
    let mut errors = Vec::new();
    let difficulty = given(&q.difficulty).and_then(|d| {
        match d
            .parse::<u8>()
            .map_err(|_| d.to_string())
            .and_then(|l| Difficulty::new(l).map_err(|_| d.to_string()))
        {
            Ok(d) => Some(i16::from(d.level())),
            Err(d) => {
                errors.push(FieldError::new(
                    "difficulty",
                    format!("difficulty must be 1, 2 or 3, got '{d}'"),
                ));
                None
            }
        }
    });
    let kind = given(&q.kind).and_then(|k| match k.parse::<ItemKind>() {
        Ok(k) => Some(k.code().to_string()),
        Err(e) => {
            errors.push(FieldError::new("kind", e));
            None
        }
    });
    let status = given(&q.status).and_then(|s| match s.parse::<ItemStatus>() {
        Ok(s) => Some(s.code().to_string()),
        Err(e) => {
            errors.push(FieldError::new(
                "status",
                format!("{e} (expected draft, in_review, approved or retired)"),
            ));
            None
        }
    });
    if !errors.is_empty() {
        return Err(AppError::invalid("the filters are not valid", errors));
    }
    Ok(ItemFilter {
        topic: given(&q.topic)
            .map(normalise_topic)
            .filter(|t| !t.is_empty()),
        difficulty,
        kind,
        status,
        search: given(&q.q).map(fold).filter(|s| !s.is_empty()),
        exclude_retired: false,
    })
}

// ---------------------------------------------------------------------------------------------
// Banks

pub async fn create_bank(state: &AppState, user: &StaffUser, new: NewBank) -> AppResult<BankView> {
    let code = new.code.trim().to_string();
    let name = nfc(&new.name);
    let mut errors = Vec::new();
    if code.is_empty()
        || code.len() > 64
        || !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        errors.push(FieldError::new(
            "code",
            "1 to 64 characters among letters, digits, '.', '_' and '-'",
        ));
    }
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(FieldError::new("name", "1 to 200 characters"));
    }
    if !errors.is_empty() {
        return Err(AppError::invalid("the bank is not valid", errors));
    }
    let now = state.now();
    let _chain = state.audit_lock.lock().await;
    let txn = crate::db::begin_write(&state.db).await?;
    if repo::bank::find_bank_by_code(&txn, &code).await?.is_some() {
        return Err(AppError::Conflict(format!(
            "a bank with the code '{code}' exists"
        )));
    }
    let bank = repo::bank::insert_bank(&txn, &code, &name, now).await?;
    audit::append(
        &txn,
        now,
        Event {
            actor: &user.actor(),
            action: "bank.create",
            entity: "bank",
            entity_id: bank.id.to_string(),
            details: serde_json::json!({"code": bank.code, "name": bank.name}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(BankView {
        id: bank.id,
        code: bank.code,
        name: bank.name,
        created_at: bank.created_at,
        item_count: 0,
    })
}

pub async fn list_banks(state: &AppState) -> AppResult<Vec<BankView>> {
    let counts = repo::bank::item_counts(&state.db).await?;
    Ok(repo::bank::list_banks(&state.db)
        .await?
        .into_iter()
        .map(|b| BankView {
            item_count: counts.get(&b.id).copied().unwrap_or(0),
            id: b.id,
            code: b.code,
            name: b.name,
            created_at: b.created_at,
        })
        .collect())
}

pub async fn get_bank(state: &AppState, bank_id: i32) -> AppResult<BankView> {
    let bank = bank_or_404(&state.db, bank_id).await?;
    let counts = repo::bank::item_counts(&state.db).await?;
    Ok(BankView {
        item_count: counts.get(&bank.id).copied().unwrap_or(0),
        id: bank.id,
        code: bank.code,
        name: bank.name,
        created_at: bank.created_at,
    })
}

pub async fn list_topics(state: &AppState, bank_id: i32) -> AppResult<Vec<TopicCount>> {
    bank_or_404(&state.db, bank_id).await?;
    Ok(repo::bank::topic_counts(&state.db, bank_id)
        .await?
        .into_iter()
        .map(|(topic, count)| TopicCount { topic, count })
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Items

pub async fn create_item(
    state: &AppState,
    user: &StaffUser,
    bank_id: i32,
    item: Item,
) -> AppResult<ItemView> {
    let item = item.validate()?;
    let now = state.now();
    let _chain = state.audit_lock.lock().await;
    let txn = crate::db::begin_write(&state.db).await?;
    bank_or_404(&txn, bank_id).await?;
    refuse_duplicate(&txn, bank_id, &item, None).await?;
    let stored =
        repo::bank::insert_item(&txn, bank_id, item, ItemStatus::Draft, user.id, None, now).await?;
    let created = load_view(&txn, stored.item_id, None).await?;
    audit::append(
        &txn,
        now,
        Event {
            actor: &user.actor(),
            action: "item.create",
            entity: "item",
            entity_id: created.id.to_string(),
            details: serde_json::json!({"bank_id": bank_id, "version": 1, "sha256": created.sha256}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

pub async fn list_items(state: &AppState, bank_id: i32, query: ItemQuery) -> AppResult<ItemList> {
    let filter = parse_filter(&query)?;
    let limit = query.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
    let offset = query.offset.unwrap_or(0);
    bank_or_404(&state.db, bank_id).await?;
    let (rows, total) = repo::bank::list_items(&state.db, bank_id, &filter, limit, offset).await?;
    let versions = repo::bank::current_versions(&state.db, &rows).await?;
    let items = rows
        .iter()
        .map(|row| {
            let v = versions.get(&row.id).ok_or_else(|| {
                AppError::Internal(format!("item {} has no current version", row.id))
            })?;
            view(row, v)
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(ItemList {
        items,
        total,
        limit,
        offset,
    })
}

pub async fn get_item(state: &AppState, item_id: i32, version: Option<i32>) -> AppResult<ItemView> {
    load_view(&state.db, item_id, version).await
}

pub async fn list_versions(state: &AppState, item_id: i32) -> AppResult<Vec<VersionSummary>> {
    let row = item_or_404(&state.db, item_id).await?;
    Ok(repo::bank::versions_of_item(&state.db, item_id)
        .await?
        .into_iter()
        .map(|v| VersionSummary {
            current: v.version == row.current_version,
            version: v.version,
            sha256: v.sha256,
            author_id: v.author_id,
            created_at: v.created_at,
        })
        .collect())
}

/// Writes a new version; the item goes back to draft (a changed question is reviewed again).
/// A retired item is closed: 409.
pub async fn update_item(
    state: &AppState,
    user: &StaffUser,
    item_id: i32,
    item: Item,
) -> AppResult<ItemView> {
    let item = item.validate()?;
    let now = state.now();
    let _chain = state.audit_lock.lock().await;
    let txn = crate::db::begin_write(&state.db).await?;
    let row = item_or_404(&txn, item_id).await?;
    let previous = status_of(&row)?;
    if previous == ItemStatus::Retired {
        return Err(AppError::Conflict(format!(
            "item {item_id} is retired and can no longer be edited"
        )));
    }
    refuse_duplicate(&txn, row.bank_id, &item, Some(item_id)).await?;
    let (row, v) = repo::bank::insert_version(&txn, row, &item, user.id, now).await?;
    audit::append(
        &txn,
        now,
        Event {
            actor: &user.actor(),
            action: "item.update",
            entity: "item",
            entity_id: item_id.to_string(),
            details: serde_json::json!({
                "version": v.version, "sha256": v.sha256, "previous_status": previous.code()
            }),
        },
    )
    .await?;
    txn.commit().await?;
    view(&row, &v)
}

/// The lifecycle steps after writing.
#[derive(Debug, Clone)]
pub enum Step {
    /// draft → in_review (author).
    Submit,
    /// in_review → approved (reviewer who wrote no version of it, VN-29).
    Approve { version: Option<i32> },
    /// in_review → draft with the reason (reviewer who wrote no version of it, VN-29).
    Reject {
        reason: String,
        version: Option<i32>,
    },
    /// draft, in_review or approved → retired (reviewer): out of every future seal; existing
    /// seals and papers keep the versions they reference.
    Retire,
}

pub async fn change_status(
    state: &AppState,
    user: &StaffUser,
    item_id: i32,
    step: Step,
) -> AppResult<ItemView> {
    let now = state.now();
    let _chain = state.audit_lock.lock().await;
    let txn = crate::db::begin_write(&state.db).await?;
    let row = item_or_404(&txn, item_id).await?;
    let status = status_of(&row)?;
    let (action, details, row) = match step {
        Step::Submit => {
            if status != ItemStatus::Draft {
                return Err(wrong_status(&row, "submitted for review", "a draft"));
            }
            let (reviewed_by, note) = (row.reviewed_by, row.review_note.clone());
            let row =
                repo::bank::set_status(&txn, row, ItemStatus::InReview, reviewed_by, note, now)
                    .await?;
            ("item.submit", serde_json::json!({}), row)
        }
        Step::Approve { version } => {
            check_version(&row, version)?;
            refuse_own_item(&txn, user, &row, "approve").await?;
            if status != ItemStatus::InReview {
                return Err(wrong_status(&row, "approved", "an item in review"));
            }
            let row =
                repo::bank::set_status(&txn, row, ItemStatus::Approved, Some(user.id), None, now)
                    .await?;
            ("item.approve", serde_json::json!({}), row)
        }
        Step::Reject { reason, version } => {
            let reason = nfc(&reason);
            if reason.is_empty() {
                return Err(AppError::field(
                    "reason",
                    "say why the item is rejected: the author needs it to fix the item",
                ));
            }
            check_version(&row, version)?;
            refuse_own_item(&txn, user, &row, "reject").await?;
            if status != ItemStatus::InReview {
                return Err(wrong_status(&row, "rejected", "an item in review"));
            }
            let row = repo::bank::set_status(
                &txn,
                row,
                ItemStatus::Draft,
                Some(user.id),
                Some(reason.clone()),
                now,
            )
            .await?;
            ("item.reject", serde_json::json!({"reason": reason}), row)
        }
        Step::Retire => {
            if status == ItemStatus::Retired {
                return Err(AppError::Conflict(format!(
                    "item {item_id} is already retired"
                )));
            }
            let (reviewed_by, note) = (row.reviewed_by, row.review_note.clone());
            let row =
                repo::bank::set_status(&txn, row, ItemStatus::Retired, reviewed_by, note, now)
                    .await?;
            (
                "item.retire",
                serde_json::json!({"previous_status": status.code()}),
                row,
            )
        }
    };
    let updated = load_view(&txn, row.id, None).await?;
    let mut details = details;
    if let Some(map) = details.as_object_mut() {
        map.insert("version".into(), updated.version.into());
        map.insert("sha256".into(), updated.sha256.clone().into());
        map.insert("status".into(), updated.status.clone().into());
    }
    audit::append(
        &txn,
        now,
        Event {
            actor: &user.actor(),
            action,
            entity: "item",
            entity_id: item_id.to_string(),
            details,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

// ---------------------------------------------------------------------------------------------
// Import and export

pub fn import_limits(state: &AppState) -> ImportLimits {
    ImportLimits {
        max_bytes: state.config.max_upload_bytes,
        max_items: MAX_IMPORT_ITEMS,
        ..ImportLimits::default()
    }
}

/// `approve=true` and VN-29. API.md: "`import` with `approve=true` (reviewer role) approves
/// what it imports". Recording the importing reviewer as the author as well would make every
/// such item self-approved, which VN-29 forbids; putting the items in review instead would not
/// be "approving". So the file's author is named: `author=<username>`, a different staff
/// member holding the author role, is recorded as the author of every imported item, and the
/// importing reviewer as the one who approved them. Boards write banks in Excel and hand the
/// file to a reviewer: this records exactly that. Without `author`, or naming oneself, the
/// import is refused (422 / 403) and nothing is written.
async fn approving_author(
    state: &AppState,
    user: &StaffUser,
    author: Option<&str>,
) -> AppResult<i32> {
    let Some(username) = author.map(str::trim).filter(|s| !s.is_empty()) else {
        return Err(AppError::field(
            "author",
            "approve=true needs author=<username>, the staff member who wrote the file: \
             nobody approves their own items (VN-29)",
        ));
    };
    let author = repo::users::find_by_username(&state.db, username)
        .await?
        .filter(|u| u.active)
        .ok_or_else(|| {
            AppError::field("author", format!("no active staff account '{username}'"))
        })?;
    if author.id == user.id {
        return Err(AppError::Forbidden(
            "VN-29: you cannot approve items you are recorded as the author of; name the \
             staff member who wrote the file as author"
                .into(),
        ));
    }
    if !author.roles.contains(&Role::Author) {
        return Err(AppError::field(
            "author",
            format!("'{username}' does not hold the author role"),
        ));
    }
    Ok(author.id)
}

/// Imported items already in the bank, located by their position in the file.
async fn duplicates_in_bank<C: ConnectionTrait>(
    conn: &C,
    bank_id: i32,
    file_name: &str,
    items: &[Item],
) -> AppResult<Vec<Duplicate>> {
    let keys: Vec<String> = items.iter().map(Item::duplicate_key).collect();
    let found = repo::bank::find_duplicates(conn, bank_id, &keys).await?;
    Ok(keys
        .iter()
        .zip(items)
        .enumerate()
        .filter_map(|(i, (key, item))| {
            found.get(key).map(|&item_id| Duplicate {
                location: item_location(file_name, i),
                item_id,
                stem: item.stem.clone(),
            })
        })
        .collect())
}

/// `question_bank::format::import` returns the items of a valid file without their rows, so
/// a question is located by its position among the questions read (1-based).
fn item_location(file_name: &str, index: usize) -> String {
    format!("{file_name}, item {}", index + 1)
}

fn duplicate_errors(dups: &[Duplicate]) -> Vec<FieldError> {
    dups.iter()
        .map(|d| {
            FieldError::new(
                d.location.clone(),
                format!(
                    "already in this bank as item {}: the same question and options",
                    d.item_id
                ),
            )
        })
        .collect()
}

/// Parses off the async runtime: a large workbook takes a while to read.
async fn parse_file(
    state: &AppState,
    format: Format,
    file_name: &str,
    bytes: Vec<u8>,
) -> AppResult<Result<Vec<Item>, Vec<FieldError>>> {
    let limits = import_limits(state);
    let name = file_name.to_string();
    tokio::task::spawn_blocking(move || {
        // The parsers are bounded and linear; the deadline is the backstop that answers 422
        // (naming `ImportLimits::max_parse_time`) instead of letting a pathological file hold a
        // core.
        let deadline = std::time::Instant::now() + limits.max_parse_time;
        let out_of_time = || std::time::Instant::now() >= deadline;
        format::import_within(format, &name, &bytes, &limits, &out_of_time)
    })
    .await
    .map_err(|e| AppError::Internal(format!("import task: {e}")))
    .map(|r| r.map_err(|e| e.errors().to_vec()))
}

pub async fn import_items(
    state: &AppState,
    user: &StaffUser,
    bank_id: i32,
    req: ImportRequest,
) -> AppResult<ImportOutcome> {
    bank_or_404(&state.db, bank_id).await?;
    let (author_id, status, reviewed_by) = if req.approve {
        let author = approving_author(state, user, req.author.as_deref()).await?;
        (author, ItemStatus::Approved, Some(user.id))
    } else {
        (user.id, ItemStatus::Draft, None)
    };
    let file_sha256 = sha256_hex(&req.bytes);
    let file_bytes = req.bytes.len();
    let parsed = parse_file(state, req.format, &req.file_name, req.bytes).await?;

    if req.dry_run {
        let preview = match parsed {
            Err(errors) => ImportPreview {
                valid: false,
                items: vec![],
                errors,
                duplicates: vec![],
            },
            Ok(items) => {
                let duplicates =
                    duplicates_in_bank(&state.db, bank_id, &req.file_name, &items).await?;
                let by_index: HashMap<String, i32> = duplicates
                    .iter()
                    .map(|d| (d.location.clone(), d.item_id))
                    .collect();
                let items = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        let location = item_location(&req.file_name, i);
                        PreviewItem {
                            duplicate_of: by_index.get(&location).copied(),
                            location,
                            content: ItemContent::from(item),
                        }
                    })
                    .collect();
                ImportPreview {
                    valid: duplicates.is_empty(),
                    items,
                    errors: duplicate_errors(&duplicates),
                    duplicates,
                }
            }
        };
        return Ok(ImportOutcome::Preview(preview));
    }

    let items = match parsed {
        Ok(items) => items,
        Err(errors) => {
            return Err(AppError::invalid(
                format!(
                    "{} problem(s) in {}; nothing was imported",
                    errors.len(),
                    req.file_name
                ),
                errors,
            ))
        }
    };
    let now = state.now();
    let _chain = state.audit_lock.lock().await;
    let txn = crate::db::begin_write(&state.db).await?;
    let duplicates = duplicates_in_bank(&txn, bank_id, &req.file_name, &items).await?;
    if !duplicates.is_empty() {
        return Err(AppError::invalid(
            format!(
                "{} question(s) of {} are already in this bank; nothing was imported",
                duplicates.len(),
                req.file_name
            ),
            duplicate_errors(&duplicates),
        ));
    }
    let mut item_ids = Vec::with_capacity(items.len());
    for item in items {
        let stored =
            repo::bank::insert_item(&txn, bank_id, item, status, author_id, reviewed_by, now)
                .await?;
        item_ids.push(stored.item_id);
    }
    audit::append(
        &txn,
        now,
        Event {
            actor: &user.actor(),
            action: "bank.import",
            entity: "bank",
            entity_id: bank_id.to_string(),
            details: serde_json::json!({
                "format": req.format.code(),
                "file_name": req.file_name,
                "file_sha256": file_sha256,
                "file_bytes": file_bytes,
                "imported": item_ids.len(),
                "item_ids": item_ids,
                "status": status.code(),
                "author_id": author_id,
                "reviewed_by": reviewed_by,
            }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(ImportOutcome::Imported(ImportResult {
        imported: item_ids.len(),
        item_ids,
        duplicates: vec![],
        status: status.code().to_string(),
    }))
}

/// A name safe inside a quoted `Content-Disposition` filename.
fn download_name(stem: &str, format: Format) -> String {
    let stem: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{stem}.{}", format.file_extension())
}

/// The bank's items (current versions, by id) as `format`. Retired items are left out unless
/// `status` asks for them.
pub async fn export_bank(
    state: &AppState,
    bank_id: i32,
    format: Format,
    status: Option<ItemStatus>,
) -> AppResult<Download> {
    let bank = bank_or_404(&state.db, bank_id).await?;
    let filter = ItemFilter {
        status: status.map(|s| s.code().to_string()),
        exclude_retired: status.is_none(),
        ..ItemFilter::default()
    };
    let rows = repo::bank::all_items(&state.db, bank_id, &filter).await?;
    let versions = repo::bank::current_versions(&state.db, &rows).await?;
    let items = rows
        .iter()
        .map(|row| {
            versions
                .get(&row.id)
                .ok_or_else(|| {
                    AppError::Internal(format!("item {} has no current version", row.id))
                })
                .and_then(stored_item)
        })
        .collect::<AppResult<Vec<_>>>()?;
    let bytes = tokio::task::spawn_blocking(move || format::export(format, &items))
        .await
        .map_err(|e| AppError::Internal(format!("export task: {e}")))??;
    Ok(Download {
        bytes,
        file_name: download_name(&bank.code, format),
        content_type: format.content_type(),
    })
}

/// The downloadable templates of the CSV / Excel layout (`question_bank::format::CSV_LAYOUT_DOC`).
pub fn template(format: &str) -> AppResult<Download> {
    match format {
        "csv" => Ok(Download {
            bytes: format::csv_template(),
            file_name: download_name("mau-ngan-hang-cau-hoi", Format::Csv),
            content_type: Format::Csv.content_type(),
        }),
        "xlsx" => Ok(Download {
            bytes: format::xlsx_template()?,
            file_name: download_name("mau-ngan-hang-cau-hoi", Format::Xlsx),
            content_type: Format::Xlsx.content_type(),
        }),
        other => Err(AppError::NotFound(format!(
            "no template '{other}' (csv or xlsx)"
        ))),
    }
}

// ---------------------------------------------------------------------------------------------
// Seals

/// Freezes the approved items' current versions (VN-20). Each version's stored hash is checked
/// against its text first: a bank altered behind the server's back is not sealed.
pub async fn seal_bank(state: &AppState, user: &StaffUser, bank_id: i32) -> AppResult<SealView> {
    let now = state.now();
    let _chain = state.audit_lock.lock().await;
    let txn = crate::db::begin_write(&state.db).await?;
    bank_or_404(&txn, bank_id).await?;
    let filter = ItemFilter {
        status: Some(ItemStatus::Approved.code().to_string()),
        ..ItemFilter::default()
    };
    let rows = repo::bank::all_items(&txn, bank_id, &filter).await?;
    if rows.is_empty() {
        return Err(AppError::field(
            "bank",
            format!("bank {bank_id} has no approved item to seal"),
        ));
    }
    let versions = repo::bank::current_versions(&txn, &rows).await?;
    let mut members = Vec::with_capacity(rows.len());
    let mut entries = Vec::with_capacity(rows.len());
    for row in &rows {
        let v = versions
            .get(&row.id)
            .ok_or_else(|| AppError::Internal(format!("item {} has no current version", row.id)))?;
        if sha256_hex(v.content.as_bytes()) != v.sha256 {
            return Err(AppError::Conflict(format!(
                "item {} version {}: the stored text does not match its hash; the bank was \
                 changed outside the server and cannot be sealed",
                row.id, v.version
            )));
        }
        entries.push(SealEntry {
            item_id: row.id,
            version: v.version,
            sha256: v.sha256.clone(),
        });
        members.push(StoredItem {
            item_id: row.id,
            version_id: v.id,
            version: v.version,
            item: stored_item(v)?,
        });
    }
    let root = seal_root(&entries);
    let seal = repo::bank::insert_seal(&txn, bank_id, &root, &members, user.id, now).await?;
    audit::append(
        &txn,
        now,
        Event {
            actor: &user.actor(),
            action: "bank.seal",
            entity: "seal",
            entity_id: seal.id.to_string(),
            details: serde_json::json!({
                "bank_id": bank_id, "sha256": seal.sha256, "item_count": seal.item_count
            }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(seal.into())
}

pub async fn list_seals(state: &AppState, bank_id: i32) -> AppResult<Vec<SealView>> {
    bank_or_404(&state.db, bank_id).await?;
    Ok(repo::bank::seals_of_bank(&state.db, bank_id)
        .await?
        .into_iter()
        .map(SealView::from)
        .collect())
}

/// The seal with its root recomputed from the texts of the sealed versions as stored now.
pub async fn check_seal(state: &AppState, seal_id: i32) -> AppResult<SealCheck> {
    let seal = repo::bank::find_seal(&state.db, seal_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no seal {seal_id}")))?;
    let members = repo::bank::seal_members(&state.db, seal_id).await?;
    let ids: Vec<i32> = members.iter().map(|m| m.item_version_id).collect();
    let versions = repo::bank::versions_by_ids(&state.db, &ids).await?;
    let entries: Vec<SealEntry> = members
        .iter()
        .filter_map(|m| versions.get(&m.item_version_id))
        .map(|v| SealEntry {
            item_id: v.item_id,
            version: v.version,
            sha256: sha256_hex(v.content.as_bytes()),
        })
        .collect();
    let recomputed = seal_root(&entries);
    let found_items = entries.len();
    let complete = found_items == members.len()
        && i32::try_from(members.len()).is_ok_and(|n| n == seal.item_count);
    Ok(SealCheck {
        intact: complete && recomputed == seal.sha256,
        recomputed_sha256: recomputed,
        found_items,
        id: seal.id,
        bank_id: seal.bank_id,
        sha256: seal.sha256,
        item_count: seal.item_count,
        sealed_at: seal.sealed_at,
        sealed_by: seal.sealed_by,
    })
}
