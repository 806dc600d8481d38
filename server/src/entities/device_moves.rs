//! Entity of the `device_moves` table (see migrations). Storage shape only: never a request or
//! response body.

use sea_orm::entity::prelude::*;

use crate::rules::sign_in::MoveStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "device_moves")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub sitting_id: i32,
    pub session_id: i32,
    /// SHA-256 of the claim the waiting page holds; only that page may take the approved login.
    pub claim_hash: String,
    /// The new computer.
    pub address: String,
    pub user_agent: String,
    pub requested_at: DateTimeUtc,
    pub status: MoveStatus,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    /// The login the approval made live, handed to the waiting page.
    pub login: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
