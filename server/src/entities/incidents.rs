//! Entity of the `incidents` table (see migrations). Storage shape only: never a request or
//! response body.

use sea_orm::entity::prelude::*;

use crate::rules::sitting::IncidentKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "incidents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub session_id: i32,
    pub sitting_id: Option<i32>,
    pub kind: IncidentKind,
    #[sea_orm(column_type = "Text")]
    pub note: String,
    pub recorded_by: String,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
