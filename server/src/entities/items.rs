//! Entity of the `items` table (see migrations). Storage shape only: never a request or
//! response body.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub bank_id: i32,
    pub current_version: i32,
    pub status: String,
    pub topic: String,
    pub difficulty: i16,
    pub kind: String,
    #[sea_orm(column_type = "Text")]
    pub search_text: String,
    #[sea_orm(column_type = "Text")]
    pub duplicate_key: String,
    pub author_id: i32,
    pub reviewed_by: Option<i32>,
    #[sea_orm(column_type = "Text")]
    pub review_note: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
