//! Entity of the `answers` table (see migrations). Storage shape only: never a request or
//! response body.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "answers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub sitting_id: i32,
    pub item_no: i32,
    #[sea_orm(column_type = "Text")]
    pub choices: String,
    #[sea_orm(column_type = "Text")]
    pub text: Option<String>,
    pub seq: i64,
    pub saved_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
