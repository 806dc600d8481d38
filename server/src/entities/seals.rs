//! Entity of the `seals` table (see migrations). Storage shape only: never a request or
//! response body.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "seals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub bank_id: i32,
    pub sha256: String,
    pub item_count: i32,
    pub sealed_at: DateTimeUtc,
    pub sealed_by: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
