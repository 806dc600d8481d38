//! Entity of the `security_log` table (see migrations). Storage shape only: never a request or
//! response body.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "security_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub at: DateTimeUtc,
    pub kind: String,
    /// `candidate:<ticket>` or `staff:<username>` as typed (a failure may name no one real).
    pub subject: String,
    pub session_id: Option<i32>,
    pub sitting_id: Option<i32>,
    pub address: String,
    pub user_agent: String,
    #[sea_orm(column_type = "Text")]
    pub detail: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
