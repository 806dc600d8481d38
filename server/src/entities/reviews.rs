//! Entity of the `reviews` table (see migrations). Storage shape only: never a request or
//! response body.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reviews")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub round_id: i32,
    pub application_id: i32,
    pub component: String,
    pub published_mark: String,
    #[sea_orm(column_type = "Text")]
    pub request: String,
    pub requested_by: String,
    pub requested_at: DateTimeUtc,
    #[sea_orm(column_type = "Text")]
    pub marks: String,
    pub status: String,
    pub review_mark: Option<String>,
    pub official: Option<String>,
    pub decided_by: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub decision: Option<String>,
    pub settled_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
