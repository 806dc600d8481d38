//! Entity of the `head_decisions` table (see migrations). Storage shape only: never a request
//! or response body.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "head_decisions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub round_id: i32,
    pub position_id: i32,
    #[sea_orm(column_type = "Text")]
    pub application_ids: String,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    pub decided_by: String,
    pub decided_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
