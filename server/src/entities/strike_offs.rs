//! Entity of the `strike_offs` table (see migrations). Storage shape only: never a request or
//! response body.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "strike_offs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub round_id: i32,
    pub position_id: i32,
    pub application_id: i32,
    pub cause: String,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    pub recorded_by: String,
    pub recorded_at: DateTimeUtc,
    /// Whether the agency fills the freed place (VN-14).
    pub replaced: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
