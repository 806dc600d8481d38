//! Banks and their topic tree.

use chrono::{DateTime, Utc};
use question_bank::text::nfc;
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};

use crate::audit::{Action, Audited};
use crate::auth::StaffUser;
use crate::entities::banks;
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::services::fields::{check_code, check_text, MAX_NAME_CHARS};
use crate::state::AppState;

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

impl BankView {
    fn new(bank: banks::Model, item_count: i64) -> BankView {
        BankView {
            id: bank.id,
            code: bank.code,
            name: bank.name,
            created_at: bank.created_at,
            item_count,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TopicCount {
    pub topic: String,
    pub count: i64,
}

/// The bank `bank_id`, or 404.
pub(super) async fn bank_or_404<C: ConnectionTrait>(
    conn: &C,
    bank_id: i32,
) -> AppResult<banks::Model> {
    repo::bank::find_bank(conn, bank_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no bank {bank_id}")))
}

#[tracing::instrument(skip_all, fields(actor = %user.username))]
pub async fn create_bank(state: &AppState, user: &StaffUser, new: NewBank) -> AppResult<BankView> {
    let mut errors = Vec::new();
    let code = check_code(&mut errors, "code", &new.code);
    let name = check_text(&mut errors, "name", &nfc(&new.name), MAX_NAME_CHARS);
    if !errors.is_empty() {
        return Err(AppError::invalid("the bank is not valid", errors));
    }
    let w = Audited::begin(state).await?;
    let now = w.now();
    let txn = w.txn();
    if repo::bank::find_bank_by_code(txn, &code).await?.is_some() {
        return Err(AppError::Conflict(format!(
            "a bank with the code '{code}' exists"
        )));
    }
    let bank = repo::bank::insert_bank(txn, &code, &name, now).await?;
    w.record(
        &user.actor(),
        Action::BankCreate,
        bank.id,
        serde_json::json!({"code": bank.code, "name": bank.name}),
    );
    w.commit().await?;
    Ok(BankView::new(bank, 0))
}

#[tracing::instrument(skip_all)]
pub async fn list_banks(state: &AppState) -> AppResult<Vec<BankView>> {
    let counts = repo::bank::item_counts(&state.db).await?;
    Ok(repo::bank::list_banks(&state.db)
        .await?
        .into_iter()
        .map(|b| {
            let count = counts.get(&b.id).copied().unwrap_or(0);
            BankView::new(b, count)
        })
        .collect())
}

#[tracing::instrument(skip_all, fields(bank_id = bank_id))]
pub async fn get_bank(state: &AppState, bank_id: i32) -> AppResult<BankView> {
    let bank = bank_or_404(&state.db, bank_id).await?;
    let counts = repo::bank::item_counts(&state.db).await?;
    let count = counts.get(&bank.id).copied().unwrap_or(0);
    Ok(BankView::new(bank, count))
}

#[tracing::instrument(skip_all, fields(bank_id = bank_id))]
pub async fn list_topics(state: &AppState, bank_id: i32) -> AppResult<Vec<TopicCount>> {
    bank_or_404(&state.db, bank_id).await?;
    Ok(repo::bank::topic_counts(&state.db, bank_id)
        .await?
        .into_iter()
        .map(|(topic, count)| TopicCount { topic, count })
        .collect())
}
