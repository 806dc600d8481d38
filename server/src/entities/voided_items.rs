//! Entity of the `voided_items` table (see migrations). Storage shape only: never a request or
//! response body.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "voided_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub exam_id: i32,
    pub item_id: i32,
    #[sea_orm(column_type = "Text")]
    pub version_ids: String,
    /// JSON list of further accepted option indexes; `None` for a void.
    #[sea_orm(column_type = "Text", nullable)]
    pub accepted_options: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    pub voided_by: String,
    pub voided_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
