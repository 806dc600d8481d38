//! Seals (VN-20): the SHA-256 root over the approved items' current versions, frozen so that
//! exams draw from exactly what was approved. Reading a seal recomputes it from the stored
//! version texts.

use chrono::{DateTime, Utc};
use question_bank::seal::{seal_root, SealEntry};
use question_bank::ItemStatus;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::audit::{Action, Audited};
use crate::auth::StaffUser;
use crate::entities::seals;
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::repo::bank::{ItemFilter, StoredItem};
use crate::state::AppState;

use super::banks::bank_or_404;
use super::items::stored_item;

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

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Freezes the approved items' current versions (VN-20). Each version's stored hash is checked
/// against its text first: a bank altered behind the server's back is not sealed.
#[tracing::instrument(skip_all, fields(actor = %user.username, bank_id = bank_id))]
pub async fn seal_bank(state: &AppState, user: &StaffUser, bank_id: i32) -> AppResult<SealView> {
    let w = Audited::begin(state).await?;
    let now = w.now();
    let txn = w.txn();
    bank_or_404(txn, bank_id).await?;
    let filter = ItemFilter {
        status: Some(ItemStatus::Approved.code().to_string()),
        ..ItemFilter::default()
    };
    let rows = repo::bank::all_items(txn, bank_id, &filter).await?;
    if rows.is_empty() {
        return Err(AppError::field(
            "bank",
            format!("bank {bank_id} has no approved item to seal"),
        ));
    }
    let versions = repo::bank::current_versions(txn, &rows).await?;
    let mut members = Vec::with_capacity(rows.len());
    let mut entries = Vec::with_capacity(rows.len());
    for row in &rows {
        let v = versions
            .get(&row.id)
            .ok_or_else(|| AppError::internal(format!("item {} has no current version", row.id)))?;
        if sha256_hex(&v.content) != v.sha256 {
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
    let seal = repo::bank::insert_seal(txn, bank_id, &root, &members, user.id, now).await?;
    w.record(
        &user.actor(),
        Action::BankSeal,
        seal.id,
        serde_json::json!({
            "bank_id": bank_id, "sha256": seal.sha256, "item_count": seal.item_count
        }),
    );
    w.commit().await?;
    Ok(seal.into())
}

#[tracing::instrument(skip_all, fields(bank_id = bank_id))]
pub async fn list_seals(state: &AppState, bank_id: i32) -> AppResult<Vec<SealView>> {
    bank_or_404(&state.db, bank_id).await?;
    Ok(repo::bank::seals_of_bank(&state.db, bank_id)
        .await?
        .into_iter()
        .map(SealView::from)
        .collect())
}

/// The seal with its root recomputed from the texts of the sealed versions as stored now.
#[tracing::instrument(skip_all, fields(seal_id = seal_id))]
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
            sha256: sha256_hex(&v.content),
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
