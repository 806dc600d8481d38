//! Imports of question files in the formats exam boards use (CSV, Excel, Moodle XML, GIFT,
//! QTI): the whole file or nothing, and never a question the bank already holds. A dry run
//! answers with the preview instead.

use std::collections::HashMap;

use question_bank::format::{self, Format, ImportLimits};
use question_bank::{FieldError, Item, ItemStatus};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::audit::{Action, Audited};
use crate::auth::{Role, StaffUser};
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::state::AppState;

use super::banks::bank_or_404;
use super::items::ItemContent;

/// Items in one import. Above `question_bank`'s default so a board can load a whole bank
/// (the benchmark imports 20,000 items) in one file; the byte size stays bounded by
/// `THITUYEN_MAX_UPLOAD_BYTES`.
const MAX_IMPORT_ITEMS: usize = 50_000;

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

/// Who is recorded for the imported items: (author, status, approver).
type Authorship = (i32, ItemStatus, Option<i32>);

pub fn import_limits(state: &AppState) -> ImportLimits {
    ImportLimits {
        max_bytes: state.config.max_upload_bytes,
        max_items: MAX_IMPORT_ITEMS,
        ..ImportLimits::default()
    }
}

/// `approve=true` and VN-29. An import with `approve=true` (reviewer role) approves what it
/// imports. Recording the importing reviewer as the author as well would make every such item
/// self-approved, which VN-29 forbids; putting the items in review instead would not be
/// "approving". So the file's author is named: `author=<username>`, a different staff member
/// holding the author role, is recorded as the author of every imported item, and the
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
    .map_err(|e| AppError::internal_from("import task", e))
    .map(|r| r.map_err(|e| e.errors().to_vec()))
}

#[tracing::instrument(skip_all, fields(actor = %user.username, bank_id = bank_id))]
pub async fn import_items(
    state: &AppState,
    user: &StaffUser,
    bank_id: i32,
    req: ImportRequest,
) -> AppResult<ImportOutcome> {
    bank_or_404(&state.db, bank_id).await?;
    let authorship = if req.approve {
        let author = approving_author(state, user, req.author.as_deref()).await?;
        (author, ItemStatus::Approved, Some(user.id))
    } else {
        (user.id, ItemStatus::Draft, None)
    };
    let file = ImportedFile {
        format: req.format,
        name: req.file_name.clone(),
        sha256: hex::encode(Sha256::digest(&req.bytes)),
        bytes: req.bytes.len(),
    };
    let parsed = parse_file(state, req.format, &req.file_name, req.bytes).await?;
    if req.dry_run {
        let preview = preview(state, bank_id, &file.name, parsed).await?;
        return Ok(ImportOutcome::Preview(preview));
    }
    let items = parsed.map_err(|errors| {
        AppError::invalid(
            format!(
                "{} problem(s) in {}; nothing was imported",
                errors.len(),
                file.name
            ),
            errors,
        )
    })?;
    let result = store(state, user, bank_id, &file, items, authorship).await?;
    Ok(ImportOutcome::Imported(result))
}

/// What the audit log keeps of an imported file.
struct ImportedFile {
    format: Format,
    name: String,
    sha256: String,
    bytes: usize,
}

/// What a dry run answers: the questions read, or every problem of the file.
async fn preview(
    state: &AppState,
    bank_id: i32,
    file_name: &str,
    parsed: Result<Vec<Item>, Vec<FieldError>>,
) -> AppResult<ImportPreview> {
    let items = match parsed {
        Ok(items) => items,
        Err(errors) => {
            return Ok(ImportPreview {
                valid: false,
                items: vec![],
                errors,
                duplicates: vec![],
            })
        }
    };
    let duplicates = duplicates_in_bank(&state.db, bank_id, file_name, &items).await?;
    let by_location: HashMap<String, i32> = duplicates
        .iter()
        .map(|d| (d.location.clone(), d.item_id))
        .collect();
    let items = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let location = item_location(file_name, i);
            PreviewItem {
                duplicate_of: by_location.get(&location).copied(),
                location,
                content: ItemContent::from(item),
            }
        })
        .collect();
    Ok(ImportPreview {
        valid: duplicates.is_empty(),
        items,
        errors: duplicate_errors(&duplicates),
        duplicates,
    })
}

/// Writes every item of the file, or none when one is already in the bank.
async fn store(
    state: &AppState,
    user: &StaffUser,
    bank_id: i32,
    file: &ImportedFile,
    items: Vec<Item>,
    (author_id, status, reviewed_by): Authorship,
) -> AppResult<ImportResult> {
    let w = Audited::begin(state).await?;
    let now = w.now();
    let txn = w.txn();
    let duplicates = duplicates_in_bank(txn, bank_id, &file.name, &items).await?;
    if !duplicates.is_empty() {
        return Err(AppError::invalid(
            format!(
                "{} question(s) of {} are already in this bank; nothing was imported",
                duplicates.len(),
                file.name
            ),
            duplicate_errors(&duplicates),
        ));
    }
    let mut item_ids = Vec::with_capacity(items.len());
    for item in items {
        let stored =
            repo::bank::insert_item(txn, bank_id, item, status, author_id, reviewed_by, now)
                .await?;
        item_ids.push(stored.item_id);
    }
    w.record(
        &user.actor(),
        Action::BankImport,
        bank_id,
        serde_json::json!({
            "format": file.format.code(),
            "file_name": file.name,
            "file_sha256": file.sha256,
            "file_bytes": file.bytes,
            "imported": item_ids.len(),
            "item_ids": item_ids,
            "status": status.code(),
            "author_id": author_id,
            "reviewed_by": reviewed_by,
        }),
    );
    w.commit().await?;
    Ok(ImportResult {
        imported: item_ids.len(),
        item_ids,
        duplicates: vec![],
        status: status.code().to_string(),
    })
}
