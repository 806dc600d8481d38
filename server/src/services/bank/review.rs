//! The lifecycle of an item after it is written: draft → in review → approved → retired, with
//! rejection back to draft. VN-29: nobody reviews (approves or rejects) an item they wrote any
//! version of.

use chrono::{DateTime, Utc};
use question_bank::text::nfc;
use question_bank::ItemStatus;
use sea_orm::ConnectionTrait;
use serde::Deserialize;

use crate::audit::{Action, Audited};
use crate::auth::StaffUser;
use crate::entities::items;
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::state::AppState;

use super::items::{item_or_404, load_view, status_of, ItemView};

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

/// A step taken: what the audit log records of it, and the item as it now is.
struct Taken {
    action: Action,
    details: serde_json::Value,
    row: items::Model,
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

#[tracing::instrument(skip_all, fields(actor = %user.username, item_id = item_id))]
pub async fn change_status(
    state: &AppState,
    user: &StaffUser,
    item_id: i32,
    step: Step,
) -> AppResult<ItemView> {
    let w = Audited::begin(state).await?;
    let now = w.now();
    let txn = w.txn();
    let row = item_or_404(txn, item_id).await?;
    let status = status_of(&row)?;
    let taken = match step {
        Step::Submit => submit(txn, row, status, now).await?,
        Step::Approve { version } => approve(txn, user, row, status, version, now).await?,
        Step::Reject { reason, version } => {
            reject(txn, user, row, status, &reason, version, now).await?
        }
        Step::Retire => retire(txn, row, status, now).await?,
    };
    let updated = load_view(txn, taken.row.id, None).await?;
    let mut details = taken.details;
    if let Some(map) = details.as_object_mut() {
        map.insert("version".into(), updated.version.into());
        map.insert("sha256".into(), updated.sha256.clone().into());
        map.insert("status".into(), updated.status.clone().into());
    }
    w.record(&user.actor(), taken.action, item_id, details);
    w.commit().await?;
    Ok(updated)
}

async fn submit<C: ConnectionTrait>(
    conn: &C,
    row: items::Model,
    status: ItemStatus,
    now: DateTime<Utc>,
) -> AppResult<Taken> {
    if status != ItemStatus::Draft {
        return Err(wrong_status(&row, "submitted for review", "a draft"));
    }
    let (reviewed_by, note) = (row.reviewed_by, row.review_note.clone());
    let row =
        repo::bank::set_status(conn, row, ItemStatus::InReview, reviewed_by, note, now).await?;
    Ok(Taken {
        action: Action::ItemSubmit,
        details: serde_json::json!({}),
        row,
    })
}

async fn approve<C: ConnectionTrait>(
    conn: &C,
    user: &StaffUser,
    row: items::Model,
    status: ItemStatus,
    version: Option<i32>,
    now: DateTime<Utc>,
) -> AppResult<Taken> {
    check_version(&row, version)?;
    refuse_own_item(conn, user, &row, "approve").await?;
    if status != ItemStatus::InReview {
        return Err(wrong_status(&row, "approved", "an item in review"));
    }
    let row =
        repo::bank::set_status(conn, row, ItemStatus::Approved, Some(user.id), None, now).await?;
    Ok(Taken {
        action: Action::ItemApprove,
        details: serde_json::json!({}),
        row,
    })
}

async fn reject<C: ConnectionTrait>(
    conn: &C,
    user: &StaffUser,
    row: items::Model,
    status: ItemStatus,
    reason: &str,
    version: Option<i32>,
    now: DateTime<Utc>,
) -> AppResult<Taken> {
    let reason = nfc(reason);
    if reason.is_empty() {
        return Err(AppError::field(
            "reason",
            "say why the item is rejected: the author needs it to fix the item",
        ));
    }
    check_version(&row, version)?;
    refuse_own_item(conn, user, &row, "reject").await?;
    if status != ItemStatus::InReview {
        return Err(wrong_status(&row, "rejected", "an item in review"));
    }
    let row = repo::bank::set_status(
        conn,
        row,
        ItemStatus::Draft,
        Some(user.id),
        Some(reason.clone()),
        now,
    )
    .await?;
    Ok(Taken {
        action: Action::ItemReject,
        details: serde_json::json!({"reason": reason}),
        row,
    })
}

async fn retire<C: ConnectionTrait>(
    conn: &C,
    row: items::Model,
    status: ItemStatus,
    now: DateTime<Utc>,
) -> AppResult<Taken> {
    if status == ItemStatus::Retired {
        return Err(AppError::Conflict(format!(
            "item {} is already retired",
            row.id
        )));
    }
    let (reviewed_by, note) = (row.reviewed_by, row.review_note.clone());
    let row =
        repo::bank::set_status(conn, row, ItemStatus::Retired, reviewed_by, note, now).await?;
    Ok(Taken {
        action: Action::ItemRetire,
        details: serde_json::json!({"previous_status": status.code()}),
        row,
    })
}
