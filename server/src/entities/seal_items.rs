//! Entity of the `seal_items` table (see migrations). Storage shape only: never a request or
//! response body.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "seal_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub seal_id: i32,
    pub item_version_id: i32,
    pub topic: String,
    pub difficulty: i16,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
