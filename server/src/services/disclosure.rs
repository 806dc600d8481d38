//! Disclosures: who saw answer keys, and who took which file out of the platform. Every staff
//! read that shows answer keys (an item, a page of a bank's items) and every export (a bank,
//! admission tickets, a seat list) is appended to the audit log with the staff member, what
//! was shown and why. An export that reveals answer keys needs a stated reason (422 without
//! one); the file's SHA-256 is kept, so a copy found later can be traced to its export.

use sha2::{Digest, Sha256};

use crate::audit::{Action, Audited};
use crate::auth::StaffUser;
use crate::download::Download;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Longest reason kept, in characters.
const MAX_REASON_CHARS: usize = 500;

/// The reason a key-revealing export needs: present, not blank, at most 500 characters.
pub fn required_reason(reason: Option<&str>) -> AppResult<String> {
    let reason = reason.map(str::trim).unwrap_or("");
    if reason.is_empty() {
        return Err(AppError::field(
            "reason",
            "this file holds the answer keys: say why it is exported (e.g. ?reason=...)",
        ));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(AppError::field(
            "reason",
            format!("at most {MAX_REASON_CHARS} characters"),
        ));
    }
    Ok(reason.to_string())
}

/// An optional purpose given with a read, kept when present (cut to 500 characters).
pub fn purpose(purpose: Option<&str>) -> Option<String> {
    purpose
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| p.chars().take(MAX_REASON_CHARS).collect())
}

/// What was shown or exported.
pub struct Shown {
    /// What kind of read or export (its entity is the action's).
    pub action: Action,
    pub entity_id: String,
    pub details: serde_json::Value,
}

/// Appends the disclosure to the audit log. Called after the data was read and before it is
/// sent: when the entry cannot be written, nothing is sent.
pub async fn record(
    state: &AppState,
    user: &StaffUser,
    why: Option<String>,
    shown: Shown,
) -> AppResult<()> {
    let mut details = shown.details;
    details["reason"] = serde_json::json!(why);
    let w = Audited::begin(state).await?;
    w.record(&user.actor(), shown.action, shown.entity_id, details);
    w.commit().await?;
    Ok(())
}

/// Records the export of `file` (its name, size and SHA-256 added to `details`) and hands the
/// file back.
pub async fn exported(
    state: &AppState,
    user: &StaffUser,
    why: Option<String>,
    mut shown: Shown,
    file: Download,
) -> AppResult<Download> {
    shown.details["file"] = serde_json::json!({
        "name": file.file_name,
        "bytes": file.bytes.len(),
        "sha256": hex::encode(Sha256::digest(&file.bytes)),
    });
    record(state, user, why, shown).await?;
    Ok(file)
}
