//! Entity of the `marks` table (see migrations). Storage shape only: never a request or
//! response body.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "marks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub round_id: i32,
    pub application_id: i32,
    pub component: String,
    #[sea_orm(column_type = "Text")]
    pub marks: String,
    pub status: String,
    pub official: Option<String>,
    pub head_official: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub head_reason: Option<String>,
    pub settled_by: Option<String>,
    pub entered_by: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
